"""Shared machinery: argument normalisation, padding by index maps, and sliding windows.

Output sizes are never computed from a formula here: an op lists the window start
positions that fit (``conv_starts``/``pool_starts``) and the output size is how many
there are. That keeps the executor an independent witness for convcalc's arithmetic.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Callable, List, Optional, Sequence, Tuple

from .tensor import Tensor, prod, row_major_strides

# Slabs of output positions are gathered with one C-level itemgetter call; this bounds
# how many input references one slab holds so memory stays flat on large layers.
_SLAB_TARGET = 1 << 15


def as_tuple(value, n: int, name: str = "argument") -> Tuple[int, ...]:
    """An int applies to every spatial dimension, as in torch."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1 and n != 1:
            return tuple(int(value[0]) for _ in range(n))
        if len(value) != n:
            raise ValueError(f"{name} needs {n} values, got {tuple(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def as_pairs(padding, n: int) -> Tuple[Tuple[int, int], ...]:
    """Padding per spatial dimension as (left, right); ints and int tuples are symmetric."""
    if isinstance(padding, (list, tuple)) and padding and isinstance(padding[0], (list, tuple)):
        if len(padding) != n:
            raise ValueError(f"padding needs {n} (left, right) pairs, got {padding}")
        return tuple((int(a), int(b)) for a, b in padding)
    return tuple((p, p) for p in as_tuple(padding, n, "padding"))


def make_getter(indices: Sequence[int]) -> Callable[[Sequence[float]], tuple]:
    """``itemgetter`` that always returns a tuple (it returns a bare item for one index)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda seq: (seq[only],)
    if not indices:
        return lambda seq: ()
    return itemgetter(*indices)


# padding ------------------------------------------------------------------------------

def axis_source(length: int, left: int, right: int, mode: str, spread: int = 1) -> List[Optional[int]]:
    """For each padded position along one axis, the source index, or None for the fill.

    ``spread`` > 1 places the input elements ``spread`` apart with fill between them
    (the zero insertion of a transposed convolution). Negative pads crop.
    """
    extent = (length - 1) * spread + 1 if length else 0
    sources: List[Optional[int]] = []
    for j in range(-left, extent + right):
        if 0 <= j < extent:
            sources.append(j // spread if j % spread == 0 else None)
        elif mode in ("constant", "zeros"):
            sources.append(None)
        elif mode == "reflect":
            sources.append(-j if j < 0 else 2 * (length - 1) - j)
        elif mode == "replicate":
            sources.append(0 if j < 0 else length - 1)
        elif mode == "circular":
            sources.append(j % length)
        else:
            raise ValueError(f"unknown padding mode {mode!r}")
    if mode in ("reflect", "circular", "replicate") and length == 0 and sources:
        raise ValueError(f"{mode} padding of an empty dimension")
    if mode == "reflect" and any(s is not None and not 0 <= s < length for s in sources):
        raise ValueError(f"reflect padding ({left}, {right}) must be smaller than the size {length}")
    if mode == "circular" and (left > length or right > length):
        raise ValueError(f"circular padding ({left}, {right}) must not exceed the size {length}")
    return sources


def pad_trailing(x: Tensor, pairs: Sequence[Tuple[int, int]], mode: str = "constant",
                 value: float = 0.0, spread: Optional[Sequence[int]] = None) -> Tensor:
    """Pad (or crop, or zero-insert) the last ``len(pairs)`` dims; pairs in dim order."""
    m = len(pairs)
    if m == 0:
        return Tensor(x.shape, x.data)
    if m > x.ndim:
        raise ValueError(f"padding for {m} dims given to a {x.ndim}-d tensor")
    lead, plane = x.shape[:x.ndim - m], x.shape[x.ndim - m:]
    spread = spread or (1,) * m
    maps = [axis_source(L, l, r, mode, s) for L, (l, r), s in zip(plane, pairs, spread)]
    new_plane = tuple(len(mp) for mp in maps)
    plane_len = prod(plane)
    index: List[Optional[int]] = [0]
    for mp, stride in zip(maps, row_major_strides(plane)):
        index = [None if (b is None or s is None) else b + s * stride for b in index for s in mp]
    # the fill value sits at position plane_len of each extended plane
    getter = make_getter([plane_len if i is None else i for i in index])
    fill = [float(value)]
    data = x.data
    out: List[float] = []
    for k in range(prod(lead)):
        out.extend(getter(data[k * plane_len:(k + 1) * plane_len] + fill))
    return Tensor(lead + new_plane, out)


# window positions ---------------------------------------------------------------------

def conv_starts(padded: int, span: int, stride: int) -> List[int]:
    """Start of every window of ``span`` elements that fits inside ``padded`` elements."""
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    return list(range(0, padded - span + 1, stride))


def pool_starts(length: int, pad: int, span: int, stride: int, ceil_mode: bool) -> List[int]:
    """Window starts (in padded coordinates) of a pooling layer.

    floor mode keeps the windows that fit in the padded input. ceil mode also takes a
    partial window while the previous one had not reached the end, provided it starts
    inside the input or the left padding (torch's rule; see the spec).
    """
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride}")
    padded = length + 2 * pad
    starts = []
    start = 0
    while start + span <= padded or (
        ceil_mode and start < length + pad and start - stride + span < padded
    ):
        starts.append(start)
        start += stride
    return starts


class WindowPlan:
    """Gathers im2col rows: one row per output position, ``channels`` planes per row.

    Rows are produced slab by slab (a few indices of the first spatial output dim at a
    time) with one ``itemgetter`` per slab shape, applied to a slice of the input that is
    shifted by the slab's offset; the window starts are arithmetic progressions from 0,
    so every slab has the same relative index pattern.
    """

    def __init__(self, plane_shape: Sequence[int], kernel: Sequence[int], dilation: Sequence[int],
                 starts: Sequence[Sequence[int]], channels: int = 1):
        if not starts:
            raise ValueError("a window plan needs at least one spatial dimension")
        first = list(starts[0])
        step = first[1] - first[0] if len(first) > 1 else 1
        if first != list(range(0, first[-1] + 1 if first else 0, step)):
            raise ValueError("window starts along the first dim must step evenly from 0")
        self.plane_len = prod(plane_shape)
        strides = row_major_strides(plane_shape)
        self.out_shape = tuple(len(s) for s in starts)
        self.positions = prod(self.out_shape)
        taps = [0]
        for k, d, stride in zip(kernel, dilation, strides):
            taps = [t + i * d * stride for t in taps for i in range(k)]
        self.offsets = [c * self.plane_len + t for c in range(channels) for t in taps]
        self.row_len = len(self.offsets)
        self._starts = starts
        self._strides = strides
        per_first = prod(self.out_shape[1:]) * max(self.row_len, 1)
        self.slab_rows = max(1, min(self.out_shape[0], _SLAB_TARGET // max(per_first, 1)))
        self._getters = {}

    def _slab_getter(self, rows: int):
        if rows not in self._getters:
            first = self._starts[0][:rows]
            bases = [0]
            for starts, stride in zip([first] + list(self._starts[1:]), self._strides):
                bases = [b + s * stride for b in bases for s in starts]
            index = [b + o for b in bases for o in self.offsets]
            self._getters[rows] = (make_getter(index), max(index) + 1 if index else 0)
        return self._getters[rows]

    def chunks(self, data: Sequence[float], offset: int):
        """Yield (first output position, list of row tuples) for the planes at ``offset``."""
        if self.positions == 0 or self.row_len == 0:
            return
        first = self._starts[0]
        per_index = self.positions // len(first)
        step = self._strides[0]
        R = self.row_len
        for lo in range(0, len(first), self.slab_rows):
            rows = min(self.slab_rows, len(first) - lo)
            getter, span = self._slab_getter(rows)
            base = offset + first[lo] * step
            flat = getter(data[base:base + span])
            yield lo * per_index, [flat[i:i + R] for i in range(0, len(flat), R)]
