"""The frontends: each reads one kind of input into the tree of convcalc/nodes.py. syntax.py
reads the description language (.net); python/ reads PyTorch model files with ``ast``."""
