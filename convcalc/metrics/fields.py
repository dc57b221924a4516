"""The algebra of receptive fields: an :class:`Axis` per spatial axis of the input, a
:class:`Field` per tensor, and the maps a layer applies to them.

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
exactly the set of input pixels with a nonzero gradient (tests/oracle/test_metrics_oracle.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Optional

from convcalc.symbolic import dims


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
