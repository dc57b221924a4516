"""The one registry of diagnostic codes, as ruff keeps its rules: each code with its severity,
its one-line description and what a finding of it needs to be trusted.

A :class:`Code` is the code's own string (``"CC101"``), so it compares, hashes, prints and goes
into JSON as that string, and it carries its metadata. Everything that raises or reports a
problem names it by the constant here (``codes.CHANNELS``), never by a bare ``"CC101"``;
``convcalc lint --list-codes``, the lint message classes and every output format read this
table, and nothing else registers codes.

``needs_size``: the finding depends on the input's spatial size (a kernel that does not fit, an
add of two sizes), so it is dropped when a Python model without an input size is checked on
a symbolic one. ``needs_rank``: it depends on the input's rank (channels, features, layer
configurations), kept when the first layer tells the rank.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "error", "warning", "info"


class Code(str):
    """``"CC101"`` with ``severity``, ``description``, ``needs_size`` and ``needs_rank``."""

    def __new__(cls, code: str, severity: str, description: str, needs_size: bool = False,
                needs_rank: bool = False):
        self = super().__new__(cls, code)
        self.severity, self.description = severity, description
        self.needs_size, self.needs_rank = needs_size, needs_rank
        return self

    def __reduce__(self):  # a plain string once it leaves the process
        return (str, (str(self),))


CODES: dict[str, Code] = {}


def code(name: str, severity: str, description: str, **traits) -> Code:
    CODES[name] = made = Code(name, severity, description, **traits)
    return made


SYNTAX = code("CC001", ERROR, "syntax error in a network file")
ARGUMENT = code("CC002", ERROR, "unknown layer, unknown or missing argument, argument of the wrong kind or value")
CHANNELS = code("CC101", ERROR, "channel mismatch: in_channels / num_features / num_channels differs from the "
                                "incoming tensor", needs_rank=True)
FEATURES = code("CC102", ERROR, "Linear in_features differs from the incoming last dimension", needs_rank=True)
EMPTY = code("CC103", ERROR, "a dimension becomes smaller than 1 (kernel larger than the padded input)",
             needs_size=True)
ADD_SHAPES = code("CC104", ERROR, "residual / add of tensors of different shapes", needs_size=True)
CONCAT_SHAPES = code("CC105", ERROR, "concat of tensors that differ in a dimension other than channels",
                     needs_size=True)
CONFIG = code("CC106", ERROR, "an invalid layer configuration PyTorch would reject", needs_rank=True)
VIEW = code("CC107", ERROR, "a view/reshape to a fixed size that differs from the tensor's size per sample",
            needs_rank=True)
INEXACT = code("CC201", WARNING, "non-integer output size: rows/columns dropped or added by floor/ceil",
               needs_size=True)
BIAS_BEFORE_NORM = code("CC202", WARNING, "a convolution's bias directly before a BatchNorm is redundant")
CONDITIONAL = code("CC203", WARNING, "an add or concat of symbolic sizes that match only for some input sizes "
                                     "(the condition is stated)", needs_size=True)
SOFTMAX_DIM = code("CC210", WARNING, "Softmax / LogSoftmax without dim: PyTorch picks the dimension implicitly "
                                     "(deprecated)")
UNUSED_LAYER = code("CC211", WARNING, "a layer assigned in __init__ is never used (no method of the class reads it)")
DROPOUT_RANK = code("CC212", WARNING, "Dropout1d/2d/3d on a tensor of the wrong rank: it does not drop whole "
                                      "channels", needs_rank=True)
NOT_FOLLOWED = code("CC301", WARNING, "the Python frontend did not follow a model to its end: what comes before is "
                                     "checked, the rest is not (a finding with lint --strict)")
NOT_A_MODEL = code("CC302", WARNING, "a class that looks like a model (an nn.Module with a forward) was not followed "
                                    "(a finding with lint --strict)")
NEEDS_INPUT = code("CC303", INFO, "a model without an input size: the sizes it accepts, and the comment that gives one")
NOTE = code("CC900", INFO, "informational: something the Python frontend could not follow (shown with --verbose)")


def severity(name: str) -> str:
    found = CODES.get(name)
    return found.severity if found is not None else ERROR
