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
Per spatial axis of the input: size r, jump j, start (the centre of unit 0's field, in
input pixel coordinates; pixel centres are 0, 1, 2, ...). Start r = 1, j = 1, start = 0;
a convolution or pooling layer (effective kernel K = d(k-1) + 1, stride s, left padding p)
does r += (K-1) j, start += ((K-1)/2 - p) j, j *= s: unit u's field is
[start + u j - (r-1)/2, start + u j + (r-1)/2], padding included. Padding layers shift
start by -left * j. Activations, normalisations, dropout and Identity leave the field
unchanged.

convcalc computes this exactly as "output unit v reads input units reads(v)": every unit
of one *period* of the axis keeps its own field [lo, hi], and the next period repeats it
shifted by period x jump. Windows keep the period at 1 (every unit sees r pixels, the
Distill recurrences above); layers that map output units to input units unevenly give
periods > 1 ("the fields vary"): r is then the largest field of a unit, start the centre
of unit 0's field, j the average step between units:

* ConvTranspose (k, s, p, d): output o receives input i through tap m when
  i*s + d*m = o + p; period x s, j / s.
* Upsample (and PixelShuffle, as nearest): output o reads floor(x), x = o*q + phase, as
  PyTorch computes the source index (q = 1/scale_factor, in/out when a size is given,
  (in-1)/(out-1) with align_corners; phase q/2 for nearest-exact, (q-1)/2 for the linear
  modes), plus the next unit for linear modes and units -1..+2 for bicubic, where x is not
  a whole number; area = adaptive pooling.
* Adaptive pools: cell o covers units [floor(o L/O), ceil((o+1) L/O)); to 1 (global
  pooling) the field is the whole input ("whole"), and so it is after a Linear acting on
  the axis (after Flatten, every axis).
* Add and concat (residual, concat:, add/concat of a saved tensor): unit by unit, the
  union of the inputs' fields (the largest field when they are centred alike, the usual
  case). Inputs whose jumps differ make the field unknown.
* A window over a flattened axis, an Unflatten of a spatial axis, or a period over
  4096 units makes the field unknown along it.

The fields are the theoretical ones (padding positions count, units past the border are
extrapolated periodically); for units whose field lies inside the input, the field is
exactly the set of input pixels with a nonzero gradient (tests/test_metrics_oracle.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Optional

from convcalc.symbolic import dims
from convcalc.errors import ConvcalcError
from convcalc.infer import Analysis, ShapeBackend, Walker
from convcalc.layers import product

DTYPES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}
INT64 = 8
CONVENTIONS = ("torchinfo", "fvcore")
COLUMNS = ("output", "params", "macs", "memory", "rf", "kernel", "stride", "padding")


# ---------------------------------------------------------------- receptive fields

MAX_PERIOD = 4096  # units in one period of an axis; beyond it the field is unknown
MAX_TAPS = 65_536  # taps of a transposed convolution followed one by one; beyond, the field is unknown


@dataclass(frozen=True)
class Axis:
    """The receptive field along one spatial axis of the input.

    Unit u = rho + t*period has the field [lo[rho] + t*period*jump, hi[rho] + t*period*jump]
    (input pixel positions, padding included; None: the unit sees no input). Convolutions
    and pools keep period 1 (every unit sees the same number of pixels); upsampling makes
    the fields differ between the units of one period.
    ``dim`` is the index of the axis in the current per-sample shape; ``flat`` says it was
    merged with other dims by Flatten (its units keep their fields, the layout is gone).
    """

    dim: int
    jump: Fraction = Fraction(1)
    period: int = 1
    lo: tuple = (0,)
    hi: tuple = (0,)
    whole: bool = False
    unknown: bool = False
    flat: bool = False

    @property
    def known(self) -> bool:
        return not (self.whole or self.unknown)

    @property
    def varies(self) -> bool:
        return self.period > 1

    @property
    def size(self) -> int:
        """The largest field of a unit, in pixels."""
        return max((h - l + 1 for l, h in zip(self.lo, self.hi) if l is not None), default=0)

    @property
    def start(self) -> Optional[Fraction]:
        """The centre of unit 0's field."""
        return None if self.lo[0] is None else Fraction(self.lo[0] + self.hi[0], 2)

    def field_of(self, unit: int):
        rho, t = unit % self.period, unit // self.period
        if self.lo[rho] is None:
            return None
        shift = t * self.period * self.jump
        assert shift.denominator == 1
        return self.lo[rho] + int(shift), self.hi[rho] + int(shift)

    def window(self, kernel: int, stride: int, pad: int, dilation: int = 1) -> "Axis":
        """A convolution or pooling window: output v reads units v*s - p + d*m."""
        return remap(self, self.period // math.gcd(self.period, stride), self.jump * stride,
                     lambda v: range(v * stride - pad, v * stride - pad + dilation * kernel, dilation))


def remap(a: Axis, period: int, jump: Fraction, reads) -> Axis:
    """A layer whose output unit v reads the input units ``reads(v)``; ``period`` output
    units shift the read units by whole periods of the input."""
    if not a.known:
        return a
    if a.flat or period > MAX_PERIOD:
        return replace(a, unknown=True)
    lo, hi = [], []
    for v in range(period):
        units = reads(v)
        if units[2 * a.period:]:  # not len(): a range of 10**40 units has no C-sized length
            # fields move right by a whole period every a.period units: the leftmost field starts
            # among the first a.period units and the rightmost ends among the last (a window of
            # 10**40 units, or an adaptive cell of 10**8, is read in 2 * a.period steps)
            units = [*units[:a.period], *units[-a.period:]]
        fields = [f for f in (a.field_of(i) for i in units) if f is not None]
        lo.append(min((f[0] for f in fields), default=None))
        hi.append(max((f[1] for f in fields), default=None))
    return compress(replace(a, jump=jump, period=period, lo=tuple(lo), hi=tuple(hi)))


def compress(a: Axis) -> Axis:
    """The same fields with the shortest period."""
    for d in range(1, a.period):
        shift = d * a.jump
        if a.period % d or shift.denominator != 1:
            continue
        step = int(shift)
        if all(same(a.lo[r + d], a.lo[r], step) and same(a.hi[r + d], a.hi[r], step)
               for r in range(a.period - d)):
            return replace(a, period=d, lo=a.lo[:d], hi=a.hi[:d])
    return a


def same(later, earlier, step: int) -> bool:
    return later is None if earlier is None else later == earlier + step


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
    def varies(self) -> bool:
        """Units are spaced unevenly (a period over 1 along some axis)."""
        return any(a.known and a.varies for a in self.axes)

    @property
    def sizes_differ(self) -> bool:
        return any(a.known and len({h - l for l, h in zip(a.lo, a.hi) if l is not None}) > 1 for a in self.axes)

    def sizes(self) -> list:
        """Per axis: the largest field in input pixels, the input length when whole, None
        when unknown."""
        return [length if axis.whole else None if axis.unknown else axis.size
                for axis, length in zip(self.axes, self.input)]


def start_field(shape: tuple) -> Optional[Field]:
    if len(shape) < 2:
        return None
    return Field(tuple(Axis(dim=i) for i in range(1, len(shape))), tuple(shape[1:]))


def union(fields: list) -> Optional[Field]:
    """The field of an add or concat: unit by unit, the union of the inputs' fields."""
    if any(f is None for f in fields):
        return None
    axes = []
    for parts in zip(*(f.axes for f in fields)):
        base = parts[0]
        if any(p.unknown for p in parts) or len({p.jump for p in parts}) > 1:
            axes.append(replace(base, unknown=True))
        elif any(p.whole for p in parts):
            axes.append(replace(base, whole=True))
        else:
            period = math.lcm(*(p.period for p in parts))
            if period > MAX_PERIOD:
                axes.append(replace(base, unknown=True))
                continue
            lo, hi = [], []
            for unit in range(period):
                seen = [f for f in (p.field_of(unit) for p in parts) if f is not None]
                lo.append(min((f[0] for f in seen), default=None))
                hi.append(max((f[1] for f in seen), default=None))
            axes.append(compress(replace(base, period=period, lo=tuple(lo), hi=tuple(hi),
                                         flat=any(p.flat for p in parts))))
    return Field(tuple(axes), fields[0].input)


def spatial_dims(shape: tuple, nd: int) -> list:
    """The indices of the last nd dims of a per-sample shape."""
    return list(range(len(shape) - nd, len(shape)))


def layer_field(name: str, args, in_shape: tuple, out_shape: tuple, settings: dict, fld: Optional[Field]):
    """The field after one layer; ``settings`` are the window's kernel, stride, padding, dilation."""
    from convcalc.layers.dense import batch_dim

    if fld is None:
        return None
    if settings and "ConvTranspose" not in name:  # Conv, MaxPool, AvgPool
        nd = len(settings["kernel"])
        for i, dim in enumerate(spatial_dims(in_shape, nd)):
            k, s, (p, _), d = (settings["kernel"][i], settings["stride"][i], settings["padding"][i],
                               settings["dilation"][i])
            fld = fld.on_dim(dim, lambda a, k=k, s=s, p=p, d=d: a.window(k, s, p, d))
        return fld
    if "ConvTranspose" in name:
        nd = len(settings["kernel"])
        for i, dim in enumerate(spatial_dims(in_shape, nd)):
            k, s, (p, _), d = (settings["kernel"][i], settings["stride"][i], settings["padding"][i],
                               settings["dilation"][i])
            fld = fld.on_dim(dim, lambda a, k=k, s=s, p=p, d=d: transposed(a, k, s, p, d))
        return fld
    if name.startswith("Adaptive"):
        nd = int(name[-2])
        for dim in spatial_dims(in_shape, nd):
            fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
        return fld
    if name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle"):
        if name == "PixelShuffle":
            spatial, mode, scale, corners = (1, 2), "nearest", args["upscale_factor"], False
        else:
            spatial = range(1, len(in_shape))
            mode = {"UpsamplingBilinear2d": "bilinear"}.get(name, args.values.get("mode", "nearest"))
            scale = args["scale_factor"]
            corners = name == "UpsamplingBilinear2d" or bool(args.values.get("align_corners"))
            if args.values.get("recompute_scale_factor"):
                scale = None
        scales = scale if isinstance(scale, tuple) else (scale,) * len(in_shape)
        for i, dim in enumerate(spatial):
            if mode == "area":
                fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
            else:
                fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim], f=scales[i]:
                                 resampled(a, L, O, mode, f, corners))
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
            fld = fld.on_dim(dim, lambda a, left=left: remap(a, a.period, a.jump, lambda v: [v - left]))
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
    """Output o receives input i through tap m when i*s + d*m = o + p."""
    if k > MAX_TAPS:
        return replace(a, unknown=True)

    def reads(o):
        return [(o + p - d * m) // s for m in range(k) if (o + p - d * m) % s == 0]
    return remap(a, a.period * s, a.jump / s, reads)


def fraction_reads(a: Axis, q: Fraction, reads) -> Axis:
    """A layer whose output o reads input units that depend on o*q (q input units per output):
    q = n/m in lowest terms, so m outputs read n units further on."""
    return remap(a, a.period * q.denominator, a.jump * q, reads)


def adaptive(a: Axis, length, out) -> Axis:
    """Cell o covers units [floor(o L/O), ceil((o+1) L/O))."""
    if not a.known:
        return a
    if out == 1:
        return replace(a, whole=True)
    if dims.is_symbolic(length) or dims.is_symbolic(out) or a.flat:
        return replace(a, unknown=True)
    return fraction_reads(a, Fraction(length, out),
                          lambda o: range(o * length // out, -(-(o + 1) * length // out)))


TAPS = {"nearest": (0,), "nearest-exact": (0,), "linear": (0, 1), "bilinear": (0, 1), "trilinear": (0, 1),
        "bicubic": (-1, 0, 1, 2)}


def resampled(a: Axis, length, out, mode: str, scale, align_corners: bool) -> Axis:
    """Upsample along one axis (PixelShuffle as nearest): output o reads floor(x) (+ the
    mode's other taps where x is not a whole number), x = o*q + phase, as PyTorch computes
    the source index; ``scale`` is the scale factor or None."""
    if not a.known:
        return a
    if align_corners and mode not in ("nearest", "nearest-exact"):
        if dims.is_symbolic(length) or dims.is_symbolic(out):
            return replace(a, unknown=True)
        q, phase = (Fraction(length - 1, out - 1) if out > 1 else Fraction(0)), Fraction(0)
    else:
        if scale is not None:
            q = 1 / Fraction(scale).limit_denominator(10**6)
        elif dims.is_symbolic(length) or dims.is_symbolic(out):
            return replace(a, unknown=True)
        else:
            q = Fraction(length, out)
        phase = {"nearest": Fraction(0), "nearest-exact": q / 2}.get(mode, (q - 1) / 2)
    taps = TAPS[mode]

    def reads(o):
        x = o * q + phase
        first = math.floor(x)
        return [first] if x == first else [first + t for t in taps]
    if q == 0:
        return remap(a, a.period, Fraction(0), lambda o: [0]) if a.period == 1 else replace(a, unknown=True)
    return fraction_reads(a, q, reads)


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


class Measured(Analysis):
    """An Analysis with one RowInfo per row (``info``) and the input's receptive field."""

    def __init__(self, *args, info: Optional[list] = None, input_field: Optional[Field] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.info = [] if info is None else info
        self.input_field = input_field


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
        self.analysis.info.append(info)  # now: one RowInfo per row, even if what follows fails
        try:
            info.fmas = fmas_of(spec.name, args, value.shape, row)
            settings = window_settings(spec.name, args, value.shape, row)
            for key, setting in settings.items():
                setattr(info, key, setting)
            info.field = layer_field(spec.name, args, value.shape, shape, settings, value.field)
        except (ConvcalcError, KeyError, TypeError, ValueError, IndexError):
            info.field = None  # an argument the rules did not need; never fail the table
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
    return row.elements * batch * width


def memory(analysis: Analysis, batch: int = 1, dtype: str = "float32") -> Memory:
    width = DTYPES[dtype]
    layers = [r for r in analysis.rows if r.name not in ("add", "concat")]
    return Memory(
        dtype=dtype, batch=batch, width=width,
        input=product(analysis.input) * batch * width if analysis.input else 0,
        params=analysis.total_params * width,
        buffers=sum((buffer_bytes(r, width) for r in analysis.rows), 0),
        # summed per sample, then scaled once: a symbolic product per row costs time in a deep network
        activations=analysis.totals[4] * batch * width,
        forward_backward=2 * sum((r.elements for r in layers if _nonzero(r.params)), 0) * batch * width,
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
