"""Interpolation, pixel (un)shuffle and explicit padding."""
from __future__ import annotations

import math
import struct
from typing import List, Optional, Sequence, Tuple

from ._windows import make_getter, pad_trailing
from .tensor import Tensor, prod, row_major_strides

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _f32(v: float) -> float:
    """Round to float32: torch's nearest-neighbour index arithmetic is done in float."""
    return struct.unpack("f", struct.pack("f", v))[0]


def _output_sizes(plane: Sequence[int], size, scale_factor) -> Tuple[Tuple[int, ...], List[Optional[float]]]:
    nd = len(plane)
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (list, tuple)) else (size,) * nd
        if len(sizes) != nd:
            raise ValueError(f"size needs {nd} values, got {sizes}")
        return tuple(int(s) for s in sizes), [None] * nd
    scales = tuple(scale_factor) if isinstance(scale_factor, (list, tuple)) else (scale_factor,) * nd
    if len(scales) != nd:
        raise ValueError(f"scale_factor needs {nd} values, got {scales}")
    scales = [float(s) for s in scales]
    # interpolate's definition of the output size: floor(L * scale_factor)
    return tuple(int(math.floor(L * s)) for L, s in zip(plane, scales)), scales


def _nearest_sources(length: int, out: int, scale: Optional[float], shortcuts: bool) -> List[int]:
    """torch: src = min(floor(dst * s), L-1), s = 1/scale_factor (or L/O), in float32.

    torch 2.13's 2-d kernel alone copies when O == L and halves when O == 2L, whatever
    the scale factor says (measured: 1-d and 3-d always use the formula).
    """
    if shortcuts and out == length:
        return list(range(out))
    if shortcuts and out == 2 * length:
        return [i >> 1 for i in range(out)]
    s = _f32(1.0 / scale) if scale is not None and scale > 0 else _f32(length / out)
    return [min(int(math.floor(_f32(float(i) * s))), length - 1) for i in range(out)]


def source_scale(length: int, out: int, scale: Optional[float], align_corners: bool) -> float:
    """Input units per output unit, as the interpolating modes compute it."""
    if align_corners:
        return (length - 1) / (out - 1) if out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else length / out


def _linear_weights(length: int, out: int, scale: Optional[float], align_corners: bool):
    """Per output index, the taps ((left source, weight), (right source, weight))."""
    if out == length:
        # torch 2.13 copies a dimension whose size is unchanged, whatever the scale factor
        return [((i, 1.0),) for i in range(out)]
    s = source_scale(length, out, scale, align_corners)
    taps = []
    for i in range(out):
        src = s * i if align_corners else max(s * (i + 0.5) - 0.5, 0.0)
        lo = int(src)
        hi = lo + (1 if lo < length - 1 else 0)
        frac = src - lo
        taps.append(((lo, 1.0 - frac), (hi, frac)))
    return taps


def along_axis(x: Tensor, dim: int, taps: Sequence[Sequence[tuple]]) -> Tensor:
    """Resample dim ``dim``: output index i is sum(weight * input[j] for j, weight in taps[i])."""
    size = x.shape[dim]
    inner = prod(x.shape[dim + 1:])
    outer = prod(x.shape[:dim])
    data = x.data
    out: List[float] = []
    for o in range(outer):
        base = o * size * inner
        rows = [data[base + i * inner:base + (i + 1) * inner] for i in range(size)]
        for tap in taps:
            acc = [0.0] * inner
            for j, weight in tap:
                acc = [a + weight * v for a, v in zip(acc, rows[j])]
            out.extend(acc)
    return Tensor(x.shape[:dim] + (len(taps),) + x.shape[dim + 1:], out)


def upsample(x: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: Optional[bool] = None) -> Tensor:
    """torch.nn.functional.interpolate for modes nearest, linear, bilinear, trilinear."""
    nd = x.ndim - 2
    if nd < 1:
        raise ValueError(f"interpolate needs (N, C, *spatial) input, got {x.shape}")
    plane = x.shape[2:]
    out_sizes, scales = _output_sizes(plane, size, scale_factor)
    if any(o <= 0 for o in out_sizes):
        raise ValueError(f"interpolation output size {out_sizes} must be positive")
    if mode == "nearest":
        if align_corners:
            raise ValueError("align_corners option can only be set with the interpolating modes")
        maps = [_nearest_sources(L, O, s, nd == 2) for L, O, s in zip(plane, out_sizes, scales)]
        index = [0]
        for mp, stride in zip(maps, row_major_strides(plane)):
            index = [b + m * stride for b in index for m in mp]
        getter = make_getter(index)
        plane_len = prod(plane)
        out: List[float] = []
        for k in range(x.shape[0] * x.shape[1]):
            out.extend(getter(x.data[k * plane_len:(k + 1) * plane_len]))
        return Tensor(x.shape[:2] + out_sizes, out)
    if mode not in _LINEAR_MODES:
        raise ValueError(f"unsupported interpolation mode {mode!r}")
    if _LINEAR_MODES[mode] != nd:
        raise ValueError(f"mode {mode!r} needs {_LINEAR_MODES[mode]} spatial dims, got input {x.shape}")
    result = x
    for axis, (L, O, s) in enumerate(zip(plane, out_sizes, scales)):
        result = along_axis(result, axis + 2, _linear_weights(L, O, s, bool(align_corners)))
    return result


def pixel_shuffle(x: Tensor, upscale_factor: int) -> Tensor:
    """(..., C*r*r, H, W) -> (..., C, H*r, W*r)."""
    r = upscale_factor
    if x.ndim < 3 or r < 1 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle cannot split {x.shape} by {r}*{r}")
    *lead, Crr, H, W = x.shape
    C = Crr // (r * r)
    getter = make_getter([((c * r + i) * r + j) * H * W + h * W + w
                          for c in range(C) for h in range(H) for i in range(r)
                          for w in range(W) for j in range(r)])
    return gather_samples(x, getter, len(lead), tuple(lead) + (C, H * r, W * r))


def gather_samples(x: Tensor, getter, lead: int, shape: tuple) -> Tensor:
    """Apply one index permutation (``getter``) to each block below the first ``lead`` dims."""
    block = prod(x.shape[lead:])
    out: List[float] = []
    for k in range(prod(x.shape[:lead])):
        out.extend(getter(x.data[k * block:(k + 1) * block]))
    return Tensor(shape, out)


def pixel_unshuffle(x: Tensor, downscale_factor: int) -> Tensor:
    """(..., C, H*r, W*r) -> (..., C*r*r, H, W)."""
    r = downscale_factor
    if x.ndim < 3 or r < 1 or x.shape[-1] % r or x.shape[-2] % r:
        raise ValueError(f"pixel_unshuffle cannot split {x.shape} by {r}")
    *lead, C, Hr, Wr = x.shape
    H, W = Hr // r, Wr // r
    getter = make_getter([c * Hr * Wr + (h * r + i) * Wr + w * r + j
                          for c in range(C) for i in range(r) for j in range(r)
                          for h in range(H) for w in range(W)])
    return gather_samples(x, getter, len(lead), tuple(lead) + (C * r * r, H, W))


def pad(x: Tensor, pads: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """torch.nn.functional.pad: ``pads`` is (last_left, last_right, prev_left, ...);
    negative pads crop in constant mode."""
    if len(pads) % 2:
        raise ValueError("padding length must be divisible by 2")
    m = len(pads) // 2
    if m > x.ndim:
        raise ValueError(f"padding for {m} dims given to a {x.ndim}-d tensor")
    if mode != "constant" and any(p < 0 for p in pads):
        raise ValueError(f"negative padding is only supported in constant mode here, got {tuple(pads)}")
    pairs = [(int(pads[2 * i]), int(pads[2 * i + 1])) for i in reversed(range(m))]
    return pad_trailing(x, pairs, mode, value if mode == "constant" else 0.0)
