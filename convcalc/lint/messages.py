"""One class per lint code, pyflakes style: the code (with its severity and description, from
convcalc/codes.py) and a message template.

The shape engine's own problems (CC0xx, CC1xx, CC201, CC203) arrive as finished messages and
become instances of their code's class (:func:`from_error`); the lint checks format theirs from
a template and arguments.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import Span, line_of, placed_message

MESSAGES: dict = {}


class Message:
    code: codes.Code = codes.ARGUMENT
    template = "%s"
    # in a notebook (lint/notebook.place): the cell, whose own lines the span then counts, the line
    # shown under the message, and the first and last lines of the .ipynb file it is on
    cell = None
    shown_line = None
    raw_lines = None
    suggested = None  # CC303: the input size the notice recommends (an editor's action adds the comment)

    def __init__(self, path: str, span: Span, *args, model: str = ""):
        self.path = path
        self.span = span
        self.args = args
        self.model = model
        # a Span argument is shown as its line: `line 12`, or `line 4 of cell 3` in a notebook
        shown = tuple(line_of(path, a) if isinstance(a, Span) else a for a in args)
        self.message = placed_message(self.template % shown if args else self.template, span)
        self.undecided = False  # made of an engine error that holds only while a size is symbolic

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        MESSAGES[cls.code] = cls
        cls.severity, cls.description = cls.code.severity, cls.code.description

    def __repr__(self):
        return f"{type(self).__name__}({self.span.line}:{self.span.col} {self.message!r})"


# ---------------------------------------------------------------- the shape engine's problems


class SyntaxProblem(Message):
    code = codes.SYNTAX


class ArgumentProblem(Message):
    code = codes.ARGUMENT


class ChannelMismatch(Message):
    code = codes.CHANNELS


class FeatureMismatch(Message):
    code = codes.FEATURES


class EmptyDimension(Message):
    code = codes.EMPTY


class AddMismatch(Message):
    code = codes.ADD_SHAPES


class ConcatMismatch(Message):
    code = codes.CONCAT_SHAPES


class InvalidConfiguration(Message):
    code = codes.CONFIG


class ViewMismatch(Message):
    code = codes.VIEW


class BatchMisplaced(Message):
    code = codes.BATCH


class InexactOutput(Message):
    code = codes.INEXACT


class ConditionalMatch(Message):
    code = codes.CONDITIONAL


# ---------------------------------------------------------------- lint checks


class BiasBeforeNorm(Message):
    code = codes.BIAS_BEFORE_NORM
    template = ("%s has a bias that the following %s (%s) cancels: it subtracts the per-channel mean; "
                "pass bias=False")


class SoftmaxWithoutDim(Message):
    code = codes.SOFTMAX_DIM
    template = "%s without dim: PyTorch chooses the dimension implicitly and warns%s; pass dim=1 (or dim=-1)"


class UnusedLayer(Message):
    code = codes.UNUSED_LAYER
    template = "self.%s is assigned a layer in %s.__init__ but never used: forward never reads it"


class ChannelDropoutRank(Message):
    code = codes.DROPOUT_RANK
    template = "%s expects channels x %s per sample but receives %s; %s"


class MissingFlatten(Message):
    code = codes.MISSING_FLATTEN
    template = "%s receives %s straight from %s (%s): it acts on the last axis only; flatten first " \
               "(torch.flatten(x, 1) or nn.Flatten())"


class FoldedOutput(Message):
    code = codes.FOLDED_OUTPUT
    template = ("%s folds %s rows of each sample into the batch (%s = %s elements into %s x %s) and nothing gives "
                "them back: the model's output is %s, %s rows per sample, and a loss against one label per sample "
                "fails; to flatten each sample whole: x.view(x.size(0), -1) (%s features)")


class NotFollowed(Message):
    code = codes.NOT_FOLLOWED


class NotAModel(Message):
    code = codes.NOT_A_MODEL


class NeedsInput(Message):
    code = codes.NEEDS_INPUT


class Unreached(Message):
    code = codes.UNREACHED
    template = "%d of %d layer constructions checked; not reached: %s"


class Note(Message):
    code = codes.NOTE


def from_error(path: str, error, model: str = "") -> Message:
    """A ConvcalcError of the engine as a message of its code's class."""
    span = error.span or Span(1, 1, 1, 2)
    message = MESSAGES[error.code](span.path or path, span, model=model)
    message.message = placed_message(error.message, span)
    message.undecided = error.undecided
    return message
