"""Lint checks over one analysed program.

The walk runs with :class:`FlowBackend`, the shape backend that also remembers which layer
produced the tensor each layer consumes, so that "directly before" means directly before in
the data flow (not in the text). A check receives the recorded steps and only calls
``report(MessageClass, span, *args)``.
"""
from __future__ import annotations

from typing import Optional

from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Span
from convcalc.infer import Analysis, ShapeBackend, Walker
from convcalc.layers import fmt_shape
from convcalc.lint import messages as m

SYMBOLS = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class Step:
    """One layer applied: its row, bound arguments, and the step whose output it consumed."""

    __slots__ = ("row", "spec", "args", "call", "source")

    def __init__(self, row, spec, args, call: n.Call, source: Optional["Step"]):
        self.row, self.spec, self.args, self.call, self.source = row, spec, args, call, source


class Flow:
    """A shape and the step that made it (None for the input and merges)."""

    __slots__ = ("shape", "step")

    def __init__(self, shape: tuple, step: Optional[Step] = None):
        self.shape, self.step = shape, step


class StopFollowing(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


class FlowBackend(ShapeBackend):
    def __init__(self, analysis: Analysis, python: bool = False):
        super().__init__(analysis)
        self.steps: list = []
        self.python = python
        self.last_call: Optional[n.Call] = None
        self.last_input: tuple = ()

    def start(self, shape, node):
        return Flow(super().start(shape, node))

    def layer(self, spec, args, value, call, blocks):
        self.last_call = call
        self.last_input = value.shape
        shape = super().layer(spec, args, value.shape, call, blocks)
        step = Step(self.analysis.rows[-1], spec, args, call, value.step)
        self.steps.append(step)
        return Flow(shape, step)

    def add(self, a, b, node, label):
        self.last_call = node
        if self.python and a.shape != b.shape and broadcastable(a.shape, b.shape):
            raise StopFollowing(f"{fmt_shape(a.shape)} + {fmt_shape(b.shape)} broadcasts; convcalc stops following "
                                "there", node.span)
        return Flow(super().add(a.shape, b.shape, node, label))

    def concat(self, outputs, node, label):
        self.last_call = node
        return Flow(super().concat([(v.shape, where) for v, where in outputs], node, label))

    def reshape(self, value, target, node, blocks):
        self.last_call = node
        return Flow(super().reshape(value.shape, target, node, blocks))


def broadcastable(a: tuple, b: tuple) -> bool:
    """PyTorch broadcasting with the batch in front: right-aligned, each pair equal or one of them 1."""
    for x, y in zip(reversed(a), reversed(b)):
        if not (x == y or x == 1 or y == 1):
            return False
    return True


class Outcome:
    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.steps: list = []
        self.last_call: Optional[n.Call] = None
        self.last_input: tuple = ()  # the shape the failing layer received
        self.stopped: Optional[StopFollowing] = None


def run(program: n.Program, override: Optional[n.Input] = None) -> Outcome:
    analysis = Analysis(program.path, program.source)
    backend = FlowBackend(analysis, python=program.path.endswith(".py"))
    outcome = Outcome(analysis)
    try:
        result = Walker(program, backend, override).run()
        analysis.output = result.shape
    except StopFollowing as stop:
        outcome.stopped = stop
    except ConvcalcError as exc:
        analysis.error = exc
    except RecursionError:
        analysis.error = ConvcalcError("CC002", "the description is nested too deeply to analyse",
                                       program.body[0].span if program.body else Span(1, 1, 1, 2))
    outcome.steps = backend.steps
    outcome.last_call = backend.last_call if analysis.error is not None else None
    outcome.last_input = backend.last_input if analysis.error is not None else ()
    return outcome


# ---------------------------------------------------------------- input without a size


def derived_input(program: n.Program) -> Optional[tuple]:
    """(Input, rank known) from the first layer, with symbolic spatial sizes; None if it tells nothing.

    Conv, ConvTranspose, BatchNorm2d/3d and InstanceNorm give channels and rank exactly; a Linear
    gives the features of a flat input (its rank is assumed, so fewer checks are trusted).
    """
    from convcalc.infer import Evaluator
    from convcalc.layers import lookup

    first = next((s for s in program.body if isinstance(s, (n.Call, n.Reshape))), None)
    if not isinstance(first, n.Call):
        return None
    spec = lookup(first.name)
    if spec is None:
        return None
    try:
        evaluate = Evaluator({})
        bound = spec.bind(tuple(evaluate(a) for a in first.args), {k: evaluate(v) for k, v, _ in first.kwargs})
    except (ConvcalcError, RecursionError):
        return None
    name = first.name
    span = first.span
    if name.startswith(("Conv", "ConvTranspose")) and name[-2:] in ("1d", "2d", "3d"):
        channels, nd = bound.values.get("in_channels"), int(name[-2])
    elif name in ("BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"):
        channels, nd = bound.values.get("num_features"), int(name[-2])
    elif name == "Linear":
        features = bound.values.get("in_features")
        if type(features) is not int or features < 1:
            return None
        return n.Input((n.Num(features, span),), span), False
    else:
        return None
    if type(channels) is not int or channels < 1:
        return None
    dims_ = (n.Num(channels, span),) + tuple(n.Name(s, span) for s in SYMBOLS[nd])
    return n.Input(dims_, span), True


RANK_FREE = {"Linear", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
             "Hardswish", "Hardsigmoid", "Softplus", "Dropout", "AlphaDropout", "Identity"}


def certain_without_size(code: str, message: str, rank_known: bool, steps: list) -> bool:
    """Whether a finding made with symbolic sizes (and maybe an assumed rank) holds for every input.

    Anything that needs a size is dropped: adds and concats (CC104, CC105, and CC203, equal only
    when H is a multiple of 16), CC103, CC201; channel, feature and configuration findings are kept when
    the rank is known (the first layer is a convolution or a 2-d/3-d norm); with an assumed rank
    (a Linear first) only argument errors and Linear-to-Linear feature mismatches are kept.
    """
    if code in ("CC002", "CC202", "CC210", "CC211"):
        return True
    if "symbolic" in message:
        return False
    if code == "CC102" and all(s.row.name in RANK_FREE for s in steps):
        return True  # Linear to Linear through shape-keeping layers: the last dimension is exact
    if not rank_known:
        return False
    return code in ("CC101", "CC102", "CC106", "CC107", "CC212")  # adds and concats need sizes


# ---------------------------------------------------------------- the checks


NORMS = {"BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"}
CONVS = {f"{kind}{d}d" for kind in ("Conv", "ConvTranspose", "LazyConv", "LazyConvTranspose") for d in "123"}


def check_bias_before_norm(steps, report) -> None:
    """CC202: conv(bias=True) -> BatchNorm/InstanceNorm: the norm subtracts the per-channel mean."""
    for step in steps:
        source = step.source
        if step.row.name not in NORMS or source is None:
            continue
        if source.row.name in CONVS:
            bias = source.args.values.get("bias")
        elif source.row.name in ("Linear", "LazyLinear") and len(source.row.input) == 1 \
                and step.row.name == "BatchNorm1d":
            bias = source.args.values.get("bias")  # a flat Linear output: one bias per feature
        else:
            continue
        if bias is True:
            report(m.BiasBeforeNorm, bias_span(source.call), " ".join(source.call.text.split()), step.row.name,
                   step.call.span.line)


def bias_span(call: n.Call) -> Span:
    for key, value, key_span in call.kwargs:
        if key == "bias":
            return Span(key_span.line, key_span.col, value.span.end_line, value.span.end_col)
    return call.span


def check_softmax_dim(steps, report) -> None:
    """CC210: nn.Softmax() / F.softmax(x) without dim."""
    for step in steps:
        if step.row.name in ("Softmax", "LogSoftmax") and step.args.values.get("dim") is None:
            rank = len(step.row.input)
            extra = ""
            if rank in (0, 2):
                extra = (f"; on this {fmt_shape(step.row.input)} input ({rank + 1}-d with the batch) it picks "
                         "dim 0, the batch")
            report(m.SoftmaxWithoutDim, step.call.span, step.row.name, extra)


CHANNEL_DROPOUT = {"Dropout1d": (2, "length"), "Dropout2d": (3, "height x width"),
                   "Dropout3d": (4, "depth x height x width")}


def check_dropout_rank(steps, report) -> None:
    """CC212: Dropout2d after Flatten/Linear (or on C x L) does not drop channels."""
    for step in steps:
        wanted = CHANNEL_DROPOUT.get(step.row.name)
        if wanted is None or len(step.row.input) == wanted[0]:
            continue
        shape = step.row.input
        if step.row.name == "Dropout1d" and len(shape) == 1:
            effect = "PyTorch takes the 2-d batch as one unbatched C x L sample and zeroes whole samples"
        elif len(shape) == 1:
            effect = "PyTorch warns and drops single elements (use Dropout)"
        else:
            effect = f"PyTorch warns and treats it as a {len(shape) + 1}-d input (use Dropout{len(shape) - 1}d)" \
                if 2 <= len(shape) <= 4 else "PyTorch rejects or misreads it"
        report(m.ChannelDropoutRank, step.call.span, step.row.name, wanted[1],
               f"{fmt_shape(shape)} ({len(shape)}-d)", effect)


CHECKS = (check_bias_before_norm, check_softmax_dim, check_dropout_rank)


def run_checks(steps: list, report) -> None:
    for check in CHECKS:
        check(steps, report)
