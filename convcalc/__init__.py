"""convcalc: shapes, parameter counts and shape errors of CNNs, without PyTorch."""

__version__ = "0.1.0"
