"""Per-layer mult-adds (two conventions), memory and receptive fields.

``measure(program, input_override)`` walks the program once, as ``infer.analyse`` does,
and returns a :class:`Measured` analysis: the same rows and totals, plus one
:class:`RowInfo` per row (receptive field, fvcore mult-adds, kernel/stride/padding, the
blocks around the row with their identity, for ``--depth``).

Mult-add conventions (per sample here; the reports multiply by the batch)
-------------------------------------------------------------------------
``torchinfo`` (``Row.macs``, what torchinfo 1.8.0 prints as "Total mult-adds"):

* Conv and ConvTranspose: (weight + bias elements) x output positions;
* every other layer with parameters (Linear, BatchNorm, LayerNorm, GroupNorm, PReLU, ...):
  its parameter count, once per sample, whatever the rank of its input (torchinfo
  multiplies by ``output_size[0]``, the batch, only: a Linear on a C x H x W tensor counts
  in*out + out, not C*H times that);
* layers without parameters, adds and concats: 0.

``fvcore`` (``RowInfo.fmas``): one per fused multiply-add of the convolutions and linear
layers, bias left out, as fvcore's FlopCountAnalysis and ``torch.utils.flop_counter``
(which reports 2 per multiply-add) count them:

* Conv: weight elements x output positions, i.e. out * in/groups * prod(kernel) * prod(out);
* ConvTranspose: weight elements x *input* positions (every input element meets every
  weight of its group once): in * out/groups * prod(kernel) * prod(in);
* Linear: in * out x every output dimension but the last;
* everything else 0: normalisation, activations, pooling, upsampling, adds, concats.
  (fvcore itself adds rough estimates for normalisation, upsampling and adaptive average
  pooling; ``torch.utils.flop_counter`` does not. convcalc follows the latter.)

Memory
------
Parameters, buffers and activations in ``--dtype`` (BatchNorm's ``num_batches_tracked``
stays int64, 8 bytes, as ``module.half()`` leaves it). Activation memory of a layer = its
output elements x batch x bytes. torchinfo's "Forward/backward pass size" is
2 x the outputs of the layers that have parameters; its "Params size" counts parameters
only (no buffers); its "Input size" is the input tensor's storage as Python reports it
(the tensor's bytes plus a small object overhead, which convcalc leaves out).

Receptive fields (Araujo et al., Distill 2019)
----------------------------------------------
Per spatial axis of the input: size r, jump j, start (the centre of unit 0, in input
pixel coordinates; pixel centres are 0, 1, 2, ...). Start r = 1, j = 1, start = 0; a
convolution or pooling layer (effective kernel K = d(k-1) + 1, stride s, left padding p)
does r += (K-1) j, start += ((K-1)/2 - p) j, j *= s. Padding layers shift start by
-left * j. Activations, normalisations, dropout and Identity leave the field unchanged.

* Global pooling (an adaptive pool to 1) and a Linear acting on an axis (after Flatten,
  every axis) make the field the whole input along that axis ("whole").
* Add and concat (residual, concat:, add/concat of a saved tensor): the union of the
  inputs' fields, i.e. the largest field when they are centred alike (the usual case);
  the jump is the largest of the inputs'.
* Layers whose units do not all see the same number of input units mark the axis
  ``approx``: from there on the size is the largest field (an upper bound for every unit)
  and jump and start are averages:
  - ConvTranspose (k, s, p, d): each output unit meets at most ``n`` input units along
    the axis (n counted exactly from the taps that land on it), so r += (n-1) j; the
    jump becomes j/s and start += (p - (K-1)/2)/s * j (the inverse of a convolution).
  - Upsample / PixelShuffle by a factor f: jump j/f; nearest (and PixelShuffle) copies
    one unit, so r is unchanged; linear modes read 2 units (r += j), bicubic 4
    (r += 3j); start stays that of unit 0 (which copies input unit 0).
  - An adaptive pool whose input size is not a multiple of its output: r grows by the
    largest cell, the jump is L/O.
  PixelUnshuffle(r) is exactly a window k = s = r; an adaptive pool with L divisible by O
  is exactly a window k = s = L/O.
* A window over a flattened axis, or an Unflatten of a spatial axis, makes the field
  unknown along it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Optional

from convcalc import dims
from convcalc.errors import ConvcalcError
from convcalc.infer import Analysis, ShapeBackend, Walker
from convcalc.layers import product

DTYPES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}
INT64 = 8
CONVENTIONS = ("torchinfo", "fvcore")
COLUMNS = ("output", "params", "macs", "memory", "rf", "kernel", "stride", "padding")


# ---------------------------------------------------------------- receptive fields


@dataclass(frozen=True)
class Axis:
    """The receptive field along one spatial axis of the input.

    ``dim`` is the index of the axis in the current per-sample shape; ``flat`` says it
    was merged with other dims by Flatten (its units keep their fields, the layout is gone).
    """

    dim: int
    size: Fraction = Fraction(1)
    jump: Fraction = Fraction(1)
    start: Fraction = Fraction(0)
    whole: bool = False
    unknown: bool = False
    approx: bool = False
    flat: bool = False

    @property
    def known(self) -> bool:
        return not (self.whole or self.unknown)

    def window(self, kernel: int, stride, pad) -> "Axis":
        """A sliding window of effective size ``kernel`` (Distill's recurrences)."""
        if not self.known:
            return self
        if self.flat:
            return replace(self, unknown=True)
        return replace(self, size=self.size + (kernel - 1) * self.jump,
                       start=self.start + (Fraction(kernel - 1, 2) - pad) * self.jump,
                       jump=self.jump * stride)


@dataclass(frozen=True)
class Field:
    """The receptive field of a tensor: one Axis per spatial axis of the input."""

    axes: tuple
    input: tuple  # the input's spatial sizes (for 'whole')

    def map(self, fn) -> "Field":
        return Field(tuple(fn(a) for a in self.axes), self.input)

    def on_dim(self, dim: int, fn) -> "Field":
        return self.map(lambda a: fn(a) if a.dim == dim else a)

    @property
    def whole(self) -> bool:
        return all(a.whole for a in self.axes)

    @property
    def approx(self) -> bool:
        return any(a.approx for a in self.axes)

    def sizes(self) -> list:
        """Per axis: the field size in input pixels (an int), the input length when
        whole, None when unknown."""
        out = []
        for axis, length in zip(self.axes, self.input):
            if axis.whole:
                out.append(length)
            elif axis.unknown:
                out.append(None)
            else:
                out.append(math.ceil(axis.size))
        return out


def start_field(shape: tuple) -> Optional[Field]:
    if len(shape) < 2:
        return None
    return Field(tuple(Axis(dim=i) for i in range(1, len(shape))), tuple(shape[1:]))


def union(fields: list) -> Optional[Field]:
    """The field of an add or concat: every input's field, united."""
    if any(f is None for f in fields):
        return None
    first = fields[0]
    axes = []
    for parts in zip(*(f.axes for f in fields)):
        base = parts[0]
        if any(p.unknown for p in parts):
            axes.append(replace(base, unknown=True))
        elif any(p.whole for p in parts):
            axes.append(replace(base, whole=True))
        else:
            lo = min(p.start - (p.size - 1) / 2 for p in parts)
            hi = max(p.start + (p.size - 1) / 2 for p in parts)
            jumps = {p.jump for p in parts}
            axes.append(replace(base, size=hi - lo + 1, start=(lo + hi) / 2, jump=max(jumps),
                                approx=any(p.approx for p in parts) or len(jumps) > 1,
                                flat=any(p.flat for p in parts)))
    return Field(tuple(axes), first.input)


def transposed_span(kernel: int, stride: int, dilation: int) -> int:
    """The most input units (minus one) that one output unit of a transposed conv meets.

    Output o receives input i through tap m when i*s + d*m = o + p: the taps reaching one
    output share d*m mod s, and their inputs lie d*(m_max - m_min)/s apart.
    """
    groups: dict = {}
    for m in range(kernel):
        lo, hi = groups.get(dilation * m % stride, (m, m))
        groups[dilation * m % stride] = (min(lo, m), max(hi, m))
    return max(dilation * (hi - lo) // stride for lo, hi in groups.values())


def adaptive_cells(length: int, out: int) -> tuple:
    """(largest cell, first cell) of an adaptive pool: cell i = [floor(iL/O), ceil((i+1)L/O))."""
    cells = [-(-(i + 1) * length // out) - i * length // out for i in range(min(out, 100_000))]
    return max(cells), cells[0]


def spatial_dims(shape: tuple, nd: int) -> list:
    """The indices of the last nd dims of a per-sample shape."""
    return list(range(len(shape) - nd, len(shape)))


def layer_field(name: str, args, in_shape: tuple, out_shape: tuple, row, fld: Optional[Field]):
    """The field after one layer."""
    from convcalc.layers.dense import batch_dim

    if fld is None:
        return None
    if row.geometry is not None:  # Conv, MaxPool, AvgPool
        for dim, (kernel, stride, pad) in zip(spatial_dims(in_shape, len(row.geometry)), row.geometry):
            fld = fld.on_dim(dim, lambda a, k=kernel, s=stride, p=pad: a.window(k, s, p))
        return fld
    if "ConvTranspose" in name:
        nd = int(name[-2])
        kernel, stride = args.ints("kernel_size", nd), args.ints("stride", nd)
        padding, dilation = args.ints("padding", nd), args.ints("dilation", nd)
        for dim, k, s, p, d in zip(spatial_dims(in_shape, nd), kernel, stride, padding, dilation):
            fld = fld.on_dim(dim, lambda a, k=k, s=s, p=p, d=d: transposed(a, k, s, p, d))
        return fld
    if name.startswith("Adaptive"):
        nd = int(name[-2])
        for dim in spatial_dims(in_shape, nd):
            fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
        return fld
    if name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle"):
        mode = {"UpsamplingBilinear2d": "bilinear"}.get(name, args.values.get("mode", "nearest"))
        if mode == "area":
            for dim in range(1, len(in_shape)):
                fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
            return fld
        extra = {"linear": 1, "bilinear": 1, "trilinear": 1, "bicubic": 3}.get(mode, 0)
        for dim in range(1, len(in_shape)):
            fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: resampled(a, L, O, extra))
        return fld
    if name == "PixelUnshuffle":
        r = args["downscale_factor"]
        for dim in (1, 2):
            fld = fld.on_dim(dim, lambda a: a.window(r, r, 0))
        return fld
    if name.endswith(("Pad1d", "Pad2d", "Pad3d")):
        nd = int(name[-2])
        pads = args.ints("padding", 2 * nd, minimum=-(10**9))
        for i in range(nd):
            dim, left = len(in_shape) - 1 - i, pads[2 * i]
            fld = fld.on_dim(dim, lambda a, left=left: a if not a.known else
                             replace(a, start=a.start - left * a.jump))
        return fld
    if name in ("Linear", "LazyLinear"):
        return fld.on_dim(len(in_shape) - 1, lambda a: replace(a, whole=True))
    if name == "Flatten":
        first = batch_dim("Flatten", "start_dim", args["start_dim"], len(in_shape))
        last = batch_dim("Flatten", "end_dim", args["end_dim"], len(in_shape))
        if first == last:
            return fld
        return fld.map(lambda a: replace(a, dim=first, flat=True) if first <= a.dim <= last
                       else replace(a, dim=a.dim - (last - first)) if a.dim > last else a)
    if name == "Unflatten":
        at = batch_dim("Unflatten", "dim", args["dim"], len(in_shape))
        grow = len(out_shape) - len(in_shape)
        return fld.map(lambda a: replace(a, unknown=a.known or a.unknown) if a.dim == at
                       else replace(a, dim=a.dim + grow) if a.dim > at else a)
    return fld  # element-wise layers, normalisation, dropout, Identity


def transposed(a: Axis, k: int, s: int, p: int, d: int) -> Axis:
    if not a.known:
        return a
    if a.flat:
        return replace(a, unknown=True)
    eff = d * (k - 1) + 1
    return replace(a, size=a.size + transposed_span(k, s, d) * a.jump,
                   start=a.start + (p - Fraction(eff - 1, 2)) / s * a.jump,
                   jump=a.jump / s, approx=a.approx or s > 1)


def adaptive(a: Axis, length, out) -> Axis:
    if not a.known:
        return a
    if out == 1:
        return replace(a, whole=True)
    if dims.is_symbolic(length) or dims.is_symbolic(out) or a.flat:
        return replace(a, unknown=True)
    if length % out == 0:
        return a.window(length // out, length // out, 0)
    largest, first = adaptive_cells(length, out)
    return replace(a, size=a.size + (largest - 1) * a.jump, start=a.start + Fraction(first - 1, 2) * a.jump,
                   jump=a.jump * Fraction(length, out), approx=True)


def resampled(a: Axis, length, out, extra: int) -> Axis:
    if not a.known or length == out:
        return a if not a.known else replace(a, size=a.size + extra * a.jump)
    if dims.is_symbolic(length) or dims.is_symbolic(out) or a.flat:
        return replace(a, unknown=True)
    return replace(a, size=a.size + extra * a.jump, jump=a.jump * Fraction(length, out), approx=True)


# ---------------------------------------------------------------- per-row extras


@dataclass
class Block:
    """One enclosing def call, repeat, residual or concat, with an identity of its own."""

    uid: int
    label: str  # the def's name, repeat, residual, concat
    line: int
    text: str  # the call as written, or the block's line


@dataclass
class RowInfo:
    field: Optional[Field] = None
    fmas: dims.Dim = 0  # fused multiply-adds per sample, fvcore's convention
    kernel: Optional[tuple] = None
    stride: Optional[tuple] = None
    padding: Optional[tuple] = None  # per dim (left, right)
    dilation: Optional[tuple] = None
    path: tuple = ()  # of Block, outermost first


@dataclass
class Measured(Analysis):
    info: list = field(default_factory=list)  # one RowInfo per row
    input_field: Optional[Field] = None


def fmas_of(name: str, args, in_shape: tuple, row) -> dims.Dim:
    """fvcore's count for one layer, per sample (see the module docstring)."""
    if row.kind == "conv":
        bias = row.shape[0] if args["bias"] else 0
        weight = row.params - bias
        positions = in_shape[1:] if "Transpose" in name else row.shape[1:]
        return weight * product(positions)
    if row.kind == "linear":
        bias = row.shape[-1] if args["bias"] else 0
        return (row.params - bias) * product(row.shape[:-1])
    return 0


def window_settings(name: str, args, in_shape: tuple, row) -> dict:
    """kernel, stride, padding (left, right) and dilation of a conv or pooling layer."""
    from convcalc.layers.conv import resolve_padding

    if row.geometry is None and "ConvTranspose" not in name:
        return {}
    nd = int(name[-2])
    kernel = args.ints("kernel_size", nd)
    stride = kernel if args.values.get("stride", 1) is None else args.ints("stride", nd)
    dilation = args.ints("dilation", nd) if "dilation" in args.values else (1,) * nd
    if "Conv" in name and "Transpose" not in name:
        padding = resolve_padding(name, args, nd, kernel, dilation, stride)
    else:
        padding = tuple((p, p) for p in args.ints("padding", nd))
    return dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation)


class Value:
    """What flows through the measuring walk: a shape and its receptive field."""

    __slots__ = ("shape", "field")

    def __init__(self, shape, fld):
        self.shape = shape
        self.field = fld


class MeasureBackend:
    """ShapeBackend's rows, plus a RowInfo for each."""

    def __init__(self, analysis: Measured):
        self.analysis = analysis
        self.shapes = ShapeBackend(analysis)
        self.walker: Optional["TrackingWalker"] = None

    def path(self) -> tuple:
        return tuple(self.walker.blocks) if self.walker else ()

    def start(self, shape, node):
        shape = self.shapes.start(shape, node)
        fld = start_field(shape)
        self.analysis.input_field = fld
        return Value(shape, fld)

    def layer(self, spec, args, value, call, blocks):
        shape = self.shapes.layer(spec, args, value.shape, call, blocks)
        row = self.analysis.rows[-1]
        info = RowInfo(path=self.path())
        try:
            info.fmas = fmas_of(spec.name, args, value.shape, row)
            info.field = layer_field(spec.name, args, value.shape, shape, row, value.field)
            for key, setting in window_settings(spec.name, args, value.shape, row).items():
                setattr(info, key, setting)
        except (ConvcalcError, KeyError, TypeError, ValueError, IndexError):
            info.field = None  # an argument the rules did not need; never fail the table
        self.analysis.info.append(info)
        return Value(shape, info.field)

    def add(self, a, b, node, label):
        shape = self.shapes.add(a.shape, b.shape, node, label)
        fld = union([a.field, b.field])
        self.analysis.info.append(RowInfo(field=fld, path=self.path()))
        return Value(shape, fld)

    def reshape(self, value, target, node, blocks):
        """x.view(...) in a Python model: a view to one dim flattens; any other loses the layout."""
        shape = self.shapes.reshape(value.shape, target, node, blocks)
        fld = value.field
        if fld is not None:
            last = len(shape) - 1
            fld = fld.map(lambda a: a if not a.known else replace(a, dim=last, flat=True) if len(shape) == 1
                          else replace(a, unknown=True))
        self.analysis.info.append(RowInfo(field=fld, path=self.path()))
        return Value(shape, fld)

    def concat(self, outputs, node, label):
        shape = self.shapes.concat([(v.shape, where) for v, where in outputs], node, label)
        fld = union([v.field for v, _ in outputs])
        self.analysis.info.append(RowInfo(field=fld, path=self.path()))
        return Value(shape, fld)


class TrackingWalker(Walker):
    """The walk of infer.Walker, also recording which block instance each row is in."""

    def __init__(self, program, backend, input_override=None):
        super().__init__(program, backend, input_override)
        self.blocks: list = []
        self.next_uid = 0
        self.lines = program.source.splitlines()

    def enter(self, label: str, stmt, text: Optional[str] = None):
        self.next_uid += 1
        if text is None:
            line = self.lines[stmt.span.line - 1] if 0 < stmt.span.line <= len(self.lines) else label
            text = line.split("#", 1)[0].strip() or label
        self.blocks.append(Block(self.next_uid, label, stmt.span.line, text))

    def tracked(self, label, stmt, run, text=None):
        self.enter(label, stmt, text)
        try:
            return run()
        finally:
            self.blocks.pop()

    def call_def(self, definition, stmt, args, kwargs):
        return self.tracked(definition.name, stmt, lambda: super(TrackingWalker, self).call_def(
            definition, stmt, args, kwargs), " ".join(stmt.text.split()))

    def do_Repeat(self, stmt, frame):
        return self.tracked("repeat", stmt, lambda: super(TrackingWalker, self).do_Repeat(stmt, frame))

    def do_Residual(self, stmt, frame):
        return self.tracked("residual", stmt, lambda: super(TrackingWalker, self).do_Residual(stmt, frame))

    def do_Concat(self, stmt, frame):
        return self.tracked("concat", stmt, lambda: super(TrackingWalker, self).do_Concat(stmt, frame))


def measure(program, input_override=None) -> Measured:
    """infer.analyse, plus a RowInfo per row; stops at the first error as analyse does."""
    analysis = Measured(program.path, program.source)
    backend = MeasureBackend(analysis)
    walker = TrackingWalker(program, backend, input_override)
    backend.walker = walker
    try:
        analysis.output = walker.run().shape
    except ConvcalcError as exc:
        analysis.error = exc
    return analysis


# ---------------------------------------------------------------- memory and totals


def buffer_bytes(row, width: int) -> dims.Dim:
    """BatchNorm's num_batches_tracked is int64 whatever the dtype."""
    if not row.buffers:
        return 0
    ints = 1 if row.name.startswith(("BatchNorm", "InstanceNorm")) else 0
    return (row.buffers - ints) * width + ints * INT64


@dataclass
class Memory:
    dtype: str
    batch: int
    width: int
    input: dims.Dim
    params: dims.Dim
    buffers: dims.Dim
    activations: dims.Dim  # every row's output (adds and concats included)
    forward_backward: dims.Dim  # torchinfo: 2 x outputs of layers with parameters

    @property
    def torchinfo_total(self) -> dims.Dim:
        """torchinfo's "Estimated Total Size": input + forward/backward + params."""
        return self.input + self.forward_backward + self.params


def output_bytes(row, batch: int, width: int) -> dims.Dim:
    """A view shares its input's storage: 0."""
    return 0 if row.name == "view" else product(row.shape) * batch * width


def memory(analysis: Analysis, batch: int = 1, dtype: str = "float32") -> Memory:
    width = DTYPES[dtype]
    layers = [r for r in analysis.rows if r.name not in ("add", "concat")]
    return Memory(
        dtype=dtype, batch=batch, width=width,
        input=product(analysis.input) * batch * width if analysis.input else 0,
        params=analysis.total_params * width,
        buffers=sum((buffer_bytes(r, width) for r in analysis.rows), 0),
        activations=sum((output_bytes(r, batch, width) for r in analysis.rows), 0),
        forward_backward=2 * sum((output_bytes(r, batch, width) for r in layers if _nonzero(r.params)), 0),
    )


def _nonzero(value) -> bool:
    return dims.is_symbolic(value) or value != 0


def row_macs(analysis: Measured, index: int, convention: str, batch: int) -> dims.Dim:
    if convention == "fvcore":
        return analysis.info[index].fmas * batch
    return analysis.rows[index].macs * batch


def total_macs(analysis: Measured, convention: str, batch: int) -> dims.Dim:
    return sum((row_macs(analysis, i, convention, batch) for i in range(len(analysis.rows))), 0)


def parse_columns(text: Optional[str]) -> tuple:
    """--columns output,params,macs: known names, any order, no repeats."""
    from convcalc.errors import UsageError

    if text is None:
        return ("output", "params")
    names = [part.strip() for part in text.split(",")]
    for name in names:
        if name not in COLUMNS:
            raise UsageError(f"--columns: unknown column {name!r}; choose from {', '.join(COLUMNS)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"--columns: {', '.join(repeated)} given twice")
    return tuple(names)
