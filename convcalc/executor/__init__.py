"""Reference executor: runs a network on real numbers in pure Python.

It is the independent witness for convcalc's shape arithmetic: every windowed op finds
its output size by sliding its window over the input, never from a size formula.
"""
from . import ops
from .tensor import Tensor

__all__ = ["Tensor", "ops"]
