"""What the layer rules share: their result, their error, and the checks and wording of
arguments and shapes."""
from __future__ import annotations

import math
from typing import Optional

from convcalc import codes
from convcalc.errors import ConvcalcError, mismatch
from convcalc.symbolic.dims import Dim, is_symbolic, render


# the names of the spatial axes of a rank: an input 3xHxW, a message "along W"
AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class LayerError(ConvcalcError):
    """A problem in one layer; ``arg`` names the argument to point at, if any."""

    def __init__(self, code: str, message: str, arg: Optional[str] = None, undecided: bool = False):
        super().__init__(code, message, undecided=undecided)
        self.arg = arg


class Result:
    """What a layer rule returns."""

    __slots__ = ("shape", "params", "buffers", "formula", "kind", "geometry", "global_pool", "warnings",
                 "trainable", "tail", "shapes", "macs", "macs_fixed", "fmas", "batch", "leaves")

    def __init__(self, shape: tuple, params: Dim = 0, buffers: Dim = 0, formula: str = "", kind: str = "other",
                 geometry: Optional[tuple] = None, global_pool: bool = False, warnings: Optional[list] = None,
                 trainable: bool = True):
        self.shape = shape
        self.params = params
        self.buffers = buffers
        self.formula = formula  # the parameter count with the numbers filled in: 32*(3*3*3) + 32
        self.kind = kind  # conv, linear or other: how mult-adds are counted
        self.geometry = geometry  # per spatial dim (effective kernel, stride, left padding)
        self.global_pool = global_pool  # the output sees the whole input (adaptive pool to 1)
        self.warnings = [] if warnings is None else warnings  # (code, message, arg or None)
        self.trainable = trainable
        self.tail = ()  # a pad layer's: rows of padding it added at the end of each dim of its output
        self.shapes = None  # a layer with several outputs: each one's shape (``shape`` is the first's)
        # mult-adds declared by the layer itself, per sample, where its kind does not tell them (a recurrent
        # layer, attention): torchinfo 1.8.0's count (None: from the kind), the part of it that does not grow
        # with the batch (torchinfo multiplies a layer's parameters by its output's first dim, which is not the
        # batch in a sequence-first layout), and fvcore's fused multiply-adds (None: from the kind)
        self.macs = None
        self.macs_fixed = 0
        self.fmas = None
        # the full-tensor axis of the batch in each output, when the layer does not keep it where it took it
        # (nn.LSTM's h_n is num_layers x N x H whatever batch_first says): None keeps the input's place
        self.batch = None
        # torchinfo 1.8.0's memory figures of a layer made of modules, where they are not the layer's own
        # output and parameters: (output elements per sample of the leaf modules with parameters that run,
        # their parameter count); a non-leaf module's own output and parameters are in neither figure, nor
        # are those of a module its parent's forward does not call (MultiheadAttention's out_proj)
        self.leaves = None


def is_int(value) -> bool:
    return type(value) is int


def is_size(value) -> bool:
    return type(value) is int or is_symbolic(value)


def fmt_value(value) -> str:
    if isinstance(value, tuple):
        if len(value) > 8:  # a message quotes the value: the first items say enough
            return "(" + ", ".join(fmt_value(v) for v in value[:6]) + f", ... {len(value):,} items)"
        return "(" + ", ".join(fmt_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return repr(value)
    return render(value) if is_symbolic(value) else str(value)


def batch_of_one(shape) -> str:
    """A per-sample shape as torch lists a tensor's sizes in a message, for a batch of one:
    [1, 3, 4, 4]. convcalc quotes torch's messages as torch words them for a batch of one."""
    return "[" + ", ".join(["1"] + [render(d) for d in shape]) + "]"


def fmt_shape(shape) -> str:
    """3x32x32; with formulas, 32 x floor(H/2) x floor(W/2) stays readable, and a size that is a sum
    is bracketed so that its terms do not run into the next size: 8 x [H - 2] x [W - 2]. A shape
    whose batch is not first (convcalc/layers/placement.py) shows where it stands: 7x[N]x64,
    [N*4]x16x32, and a tensor without a batch says so: 7x7 (no batch)."""
    batch, fold = getattr(shape, "batch", 0), getattr(shape, "fold", 1)
    symbolic = any(is_symbolic(d) for d in shape) or is_symbolic(fold)
    parts = [f"[{text}]" if symbolic and " " in text else text for text in map(render, shape)]
    joiner = " x " if symbolic else "x"
    if batch is None:
        return (joiner.join(parts) or "()") + " (no batch)"
    if batch != 0 or fold != 1:
        parts.insert(batch, "[N]" if fold == 1 else f"[N*{render(fold)}]")
    if not parts:
        return "()"
    return joiner.join(parts)


def expect_rank(layer: str, shape: tuple, ranks, what: str) -> None:
    """ranks: the allowed numbers of per-sample dimensions."""
    if len(shape) not in ranks:
        raise LayerError(codes.CONFIG, mismatch(layer, f"{what} per sample", f"{fmt_shape(shape)} ({len(shape)}-d)"))


def expect_channels(layer: str, arg: str, wanted: Dim, shape: tuple) -> None:
    got = shape[0]
    if is_int(wanted) and is_int(got) and wanted != got:
        raise LayerError(codes.CHANNELS, mismatch(layer, f"{wanted} input channels ({arg}={wanted})",
                                                  f"{got} channel{'s' if got != 1 else ''} (input {fmt_shape(shape)})"),
                         arg=arg)


_products: dict = {}  # symbolic shape -> its product: a deep network multiplies the same few shapes again and again


def product(values) -> Dim:
    values = tuple(values)
    if all(type(v) is int for v in values):
        return math.prod(values)
    if values in _products:
        return _products[values]
    total: Dim = 1
    for v in values:
        total = total * v
    if len(_products) >= 4096:
        _products.clear()
    _products[values] = total
    return total


def geometry_bound(args) -> int:
    """A size at least this large passes every size check of the layer: with C the largest of
    its geometric arguments (its ``geometry`` trait), kernels, dilated kernels, paddings, crops
    and transposed-convolution shrinkage are all below 2*C*C + 2*C + 2."""
    c = 1
    for name in args.traits.geometry:
        value = args.values.get(name)
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, bool) or v is None or isinstance(v, str):
                continue
            if isinstance(v, int):
                c = max(c, abs(v))
            elif isinstance(v, float) and v > 0 and math.isfinite(v):
                c = max(c, math.ceil(v), math.ceil(1 / v))
    return 2 * c * c + 2 * c + 2
