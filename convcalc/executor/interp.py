"""The interpolation modes ``ops.upsample`` leaves out: nearest-exact, area and bicubic.

torch semantics (``torch.nn.functional.interpolate``, CPU): the output size is
floor(L * scale_factor) or the given size; each mode maps output indices to input taps.
"""
from __future__ import annotations

import math
from typing import Optional

from .pool import adaptive_avg_pool
from .resample import _f32, _output_sizes, along_axis, source_scale
from .tensor import Tensor

_CUBIC_A = -0.75


def _plane(x: Tensor, name: str, ranks=(1, 2, 3)):
    nd = x.ndim - 2
    if nd not in ranks:
        raise ValueError(f"{name} interpolation needs (N, C, *spatial) input with {ranks} spatial dims, got {x.shape}")
    return x.shape[2:]


def _sizes(x: Tensor, size, scale_factor, name: str, ranks=(1, 2, 3)):
    plane = _plane(x, name, ranks)
    out, scales = _output_sizes(plane, size, scale_factor)
    if any(o <= 0 for o in out):
        raise ValueError(f"interpolation output size {out} must be positive")
    return plane, out, scales


def nearest_exact(x: Tensor, size=None, scale_factor=None) -> Tensor:
    """src = min(floor((dst + 0.5) * s), L - 1), s = 1/scale_factor or L/O, in float32."""
    plane, out_sizes, scales = _sizes(x, size, scale_factor, "nearest-exact")
    result = x
    for axis, (L, O, scale) in enumerate(zip(plane, out_sizes, scales)):
        s = _f32(1.0 / scale) if scale is not None and scale > 0 else _f32(L / O)
        taps = [[(min(int(math.floor(_f32(_f32(i + 0.5) * s))), L - 1), 1.0)] for i in range(O)]
        result = along_axis(result, axis + 2, taps)
    return result


def area(x: Tensor, size=None, scale_factor=None) -> Tensor:
    """torch's 'area' mode is adaptive average pooling to the output size."""
    _, out_sizes, _ = _sizes(x, size, scale_factor, "area")
    return adaptive_avg_pool(x, out_sizes)


def _cubic_weights(t: float):
    a = _CUBIC_A

    def near(v):  # |v| <= 1
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def far(v):  # 1 < |v| < 2
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a

    return far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)


def _cubic_taps(length: int, out: int, scale: Optional[float], align_corners: bool):
    s = source_scale(length, out, scale, align_corners)
    taps = []
    for i in range(out):
        real = s * i if align_corners else s * (i + 0.5) - 0.5  # no clamp at 0 for cubic
        index = min(math.floor(real), length - 1)
        t = min(max(real - index, 0.0), 1.0)
        weights = _cubic_weights(t)
        taps.append([(max(min(index - 1 + j, length - 1), 0), w) for j, w in enumerate(weights)])
    return taps


def bicubic(x: Tensor, size=None, scale_factor=None, align_corners: Optional[bool] = None) -> Tensor:
    """Separable cubic convolution (A = -0.75) with border-clamped taps, 2 spatial dims."""
    plane, out_sizes, scales = _sizes(x, size, scale_factor, "bicubic", ranks=(2,))
    result = x
    for axis, (L, O, scale) in enumerate(zip(plane, out_sizes, scales)):
        result = along_axis(result, axis + 2, _cubic_taps(L, O, scale, bool(align_corners)))
    return result
