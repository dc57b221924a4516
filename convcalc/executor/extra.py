"""Hardtanh, GLU, channel shuffle, embedding lookup, max unpooling and Fold/Unfold (im2col and
back), inference mode, on (N, ...) tensors."""
from __future__ import annotations

import math
from typing import Sequence, Tuple

from .tensor import Tensor, prod


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return Tensor(x.shape, [min(max(v, min_val), max_val) for v in x.data])


def glu(x: Tensor, dim: int = -1) -> Tensor:
    dim %= x.ndim
    size = x.shape[dim]
    if size % 2:
        raise ValueError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    half, inner = size // 2, prod(x.shape[dim + 1:])
    outer = prod(x.shape[:dim])
    out = []
    for o in range(outer):
        base = o * size * inner
        for i in range(half * inner):
            a, b = x.data[base + i], x.data[base + half * inner + i]
            out.append(a / (1.0 + math.exp(-b)) if b > -700 else 0.0)
    return Tensor(x.shape[:dim] + (half,) + x.shape[dim + 1:], out)


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    """(N, g, C/g, *) -> (N, C/g, g, *): channel k*g + j comes from channel j*(C/g) + k."""
    n, c = x.shape[0], x.shape[1]
    if x.ndim < 3 or c % groups:
        raise ValueError(f"channel_shuffle of {x.shape} into {groups} groups")
    inner, per = prod(x.shape[2:]), c // groups
    out = []
    for b in range(n):
        for k in range(per):
            for j in range(groups):
                start = (b * c + j * per + k) * inner
                out.extend(x.data[start:start + inner])
    return Tensor(x.shape, out)


def embedding(x: Tensor, weight: Tensor) -> Tensor:
    count, dim = weight.shape
    out = []
    for v in x.data:
        index = int(v)
        if index != v or not -count <= index < count:
            raise ValueError(f"Embedding takes integer indices in [0, {count}); the input holds {v}")
        start = (index % count) * dim
        out.extend(weight.data[start:start + dim])
    return Tensor(x.shape + (dim,), out)


def max_unpool(x: Tensor, kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int]) -> Tensor:
    """Each value put back at the first position of its window (the indices a max pool would give
    are not known here): torch's output size, zeros elsewhere."""
    nd = len(kernel)
    lead, plane = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    sizes = tuple((s - 1) * st - 2 * p + k for s, st, p, k in zip(plane, stride, padding, kernel))
    if any(s < 1 for s in sizes):
        raise ValueError(f"max_unpool of {x.shape}: output {sizes}")
    area_in, area_out = prod(plane), prod(sizes)
    out = [0.0] * (prod(lead) * area_out)
    for c in range(prod(lead)):
        for flat in range(area_in):
            position, rest = [], flat
            for size in reversed(plane):
                position.append(rest % size)
                rest //= size
            position.reverse()
            target = [max(0, min(i * st - p, o - 1)) for i, st, p, o in zip(position, stride, padding, sizes)]
            index = 0
            for t, o in zip(target, sizes):
                index = index * o + t
            out[c * area_out + index] = x.data[c * area_in + flat]
    return Tensor(lead + sizes, out)


def _blocks(sizes, kernel, dilation, padding, stride) -> Tuple[int, int]:
    counts = []
    for size, k, d, p, s in zip(sizes, kernel, dilation, padding, stride):
        count = (size + 2 * p - d * (k - 1) - 1) // s + 1
        if count < 1:
            raise ValueError(f"no block of kernel {k} fits in {size} with padding {p}")
        counts.append(count)
    return counts[0], counts[1]


def _taps(n, c, size, blocks, kernel, dilation, padding, stride):
    """(batch, channel, column row, block, image position) of every tap of every block that
    lands inside the image: the index map Unfold reads and Fold sums back."""
    h, w = size
    (bh, bw), (kh, kw) = blocks, kernel
    for b in range(n):
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    row = (ch * kh + i) * kw + j
                    for p in range(bh):
                        y = p * stride[0] - padding[0] + i * dilation[0]
                        if not 0 <= y < h:
                            continue
                        for q in range(bw):
                            xx = q * stride[1] - padding[1] + j * dilation[1]
                            if 0 <= xx < w:
                                yield b, ch, row, p * bw + q, y * w + xx


def unfold(x: Tensor, kernel, dilation, padding, stride) -> Tensor:
    n, c, h, w = x.shape
    bh, bw = _blocks((h, w), kernel, dilation, padding, stride)
    rows, length = c * kernel[0] * kernel[1], bh * bw
    out = [0.0] * (n * rows * length)
    for b, ch, row, block, at in _taps(n, c, (h, w), (bh, bw), kernel, dilation, padding, stride):
        out[(b * rows + row) * length + block] = x.data[(b * c + ch) * h * w + at]
    return Tensor((n, rows, length), out)


def fold(x: Tensor, output_size, kernel, dilation, padding, stride) -> Tensor:
    n, rows, length = x.shape
    kh, kw = kernel
    h, w = output_size
    if rows % (kh * kw):
        raise ValueError(f"Fold: {rows} rows for a kernel of {kh}x{kw}")
    bh, bw = _blocks((h, w), kernel, dilation, padding, stride)
    if bh * bw != length:
        raise ValueError(f"Fold: {length} blocks given, output_size makes {bh * bw}")
    c = rows // (kh * kw)
    out = [0.0] * (n * c * h * w)
    for b, ch, row, block, at in _taps(n, c, (h, w), (bh, bw), kernel, dilation, padding, stride):
        out[(b * c + ch) * h * w + at] += x.data[(b * rows + row) * length + block]
    return Tensor((n, c, h, w), out)
