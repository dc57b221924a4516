"""One class per lint code, pyflakes style: code, severity, one-line description, message template.

The shape engine's own problems (CC0xx, CC1xx, CC201) arrive as finished messages; the lint
checks format theirs from a template and arguments. Every class registers its code in
``convcalc.errors.CODES``, which ``--list-codes`` and the formats read.
"""
from __future__ import annotations

from convcalc.errors import CODES, ERROR, INFO, WARNING, Span

MESSAGES: dict = {}


class Message:
    code = ""
    severity = ERROR
    description = ""
    template = "%s"

    def __init__(self, path: str, span: Span, *args, model: str = ""):
        self.path = path
        self.span = span
        self.args = args
        self.model = model
        self.message = self.template % args if args else self.template

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.code:
            MESSAGES[cls.code] = cls
            CODES.setdefault(cls.code, (cls.severity, cls.description))

    def __repr__(self):
        return f"{type(self).__name__}({self.span.line}:{self.span.col} {self.message!r})"


# ---------------------------------------------------------------- the shape engine's problems


class SyntaxProblem(Message):
    code, description = "CC001", CODES["CC001"][1]


class ArgumentProblem(Message):
    code, description = "CC002", CODES["CC002"][1]


class ChannelMismatch(Message):
    code, description = "CC101", CODES["CC101"][1]


class FeatureMismatch(Message):
    code, description = "CC102", CODES["CC102"][1]


class EmptyDimension(Message):
    code, description = "CC103", CODES["CC103"][1]


class AddMismatch(Message):
    code, description = "CC104", CODES["CC104"][1]


class ConcatMismatch(Message):
    code, description = "CC105", CODES["CC105"][1]


class InvalidConfiguration(Message):
    code, description = "CC106", CODES["CC106"][1]


class ViewMismatch(Message):
    code, description = "CC107", CODES.get("CC107", (ERROR, "a view/reshape to a fixed size that differs from "
                                                            "the tensor's size per sample"))[1]


class InexactOutput(Message):
    code, severity, description = "CC201", WARNING, CODES["CC201"][1]


class ConditionalMatch(Message):
    code, severity = "CC203", WARNING
    description = CODES.get("CC203", (WARNING, "an add or concat of symbolic sizes that match only for some "
                                               "input sizes"))[1]


# ---------------------------------------------------------------- lint checks


class BiasBeforeNorm(Message):
    code, severity = "CC202", WARNING
    description = "a convolution's bias directly before a BatchNorm is redundant"
    template = ("%s has a bias that the following %s (line %d) cancels: it subtracts the per-channel mean; "
                "pass bias=False")


class SoftmaxWithoutDim(Message):
    code, severity = "CC210", WARNING
    description = "Softmax / LogSoftmax without dim: PyTorch picks the dimension implicitly (deprecated)"
    template = "%s without dim: PyTorch chooses the dimension implicitly and warns%s; pass dim=1 (or dim=-1)"


class UnusedLayer(Message):
    code, severity = "CC211", WARNING
    description = "a layer assigned in __init__ is never used (no method of the class reads it)"
    template = "self.%s is assigned a layer in %s.__init__ but never used: forward never reads it"


class ChannelDropoutRank(Message):
    code, severity = "CC212", WARNING
    description = "Dropout1d/2d/3d on a tensor of the wrong rank: it does not drop whole channels"
    template = ("%s expects channels x %s per sample but receives %s; %s")


class Note(Message):
    code, severity = "CC900", INFO
    description = "informational: something the Python frontend could not follow (shown with --verbose)"


for _code in ("CC001", "CC002", "CC101", "CC102", "CC103", "CC104", "CC105", "CC106", "CC107", "CC201"):
    CODES.setdefault(_code, (MESSAGES[_code].severity, MESSAGES[_code].description))


def from_error(path: str, error, model: str = "") -> Message:
    """A ConvcalcError of the engine as a message of its code's class."""
    cls = MESSAGES.get(error.code, ArgumentProblem)
    span = error.span or Span(1, 1, 1, 2)
    message = cls(path, span, model=model)
    message.message = error.message
    if cls.code != error.code:
        message.code = error.code
    return message


def severity(code: str) -> str:
    return CODES.get(code, (ERROR, ""))[0]
