"""Convolution and transposed convolution, generic over 1-d, 2-d and 3-d inputs."""
from __future__ import annotations

from itertools import repeat
from operator import mul
from typing import Optional

from ._windows import WindowPlan, as_pairs, as_tuple, conv_starts, pad_trailing
from .tensor import Tensor, prod

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def conv(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
         dilation=1, groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """torch convNd on x (N, C, *spatial) with weight (out, C/groups, *kernel).

    ``padding`` is an int, an int per dim, or a (left, right) pair per dim; the caller
    resolves 'same' / 'valid' into pairs.
    """
    nd = x.ndim - 2
    if nd < 1 or weight.ndim != nd + 2:
        raise ValueError(f"conv needs (N, C, *spatial) input and a matching weight, got {x.shape} and {weight.shape}")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
    N, C = x.shape[:2]
    out_channels, group_in = weight.shape[:2]
    kernel = weight.shape[2:]
    if groups < 1 or C != group_in * groups or out_channels % groups:
        raise ValueError(f"groups={groups}, weight {weight.shape} and input {x.shape} do not agree")
    stride = as_tuple(stride, nd, "stride")
    dilation = as_tuple(dilation, nd, "dilation")
    pairs = as_pairs(padding, nd)
    mode = "constant" if padding_mode == "zeros" else padding_mode
    xp = pad_trailing(x, pairs, mode)
    plane = xp.shape[2:]
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    starts = [conv_starts(L, K, s) for L, K, s in zip(plane, spans, stride)]
    if not all(starts):
        raise ValueError(f"padded input {plane} is smaller than the effective kernel {tuple(spans)}: no window fits")
    plan = WindowPlan(plane, kernel, dilation, starts, channels=group_in)
    return _convolve(xp, weight, bias, plan, groups)


def _convolve(xp: Tensor, weight: Tensor, bias: Optional[Tensor], plan: WindowPlan, groups: int) -> Tensor:
    """Dot every gathered row with every filter of its group (the hot loop)."""
    N, C = xp.shape[:2]
    out_channels = weight.shape[0]
    group_in = C // groups
    group_out = out_channels // groups
    R = plan.row_len
    P = plan.positions
    filters = [weight.data[o * R:(o + 1) * R] for o in range(out_channels)]
    biases = [float(b) for b in bias.data] if bias is not None else [0.0] * out_channels
    if bias is not None and len(biases) != out_channels:
        raise ValueError(f"bias has {len(biases)} values for {out_channels} channels")
    out = [0.0] * (N * out_channels * P)
    for n in range(N):
        for g in range(groups):
            source = (n * C + g * group_in) * plan.plane_len
            for first, rows in plan.chunks(xp.data, source):
                end = first + len(rows)
                for o in range(g * group_out, (g + 1) * group_out):
                    dst = (n * out_channels + o) * P
                    # sum(map(mul)) keeps the multiply-add loop in C; start=bias adds it
                    out[dst + first:dst + end] = map(
                        sum, map(map, repeat(mul), rows, repeat(filters[o])), repeat(biases[o]))
    return Tensor((N, out_channels) + plan.out_shape, out)


def conv_transpose(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
                   output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """torch conv_transposeNd on x (N, C, *spatial) with weight (C, out/groups, *kernel).

    Computed as the equivalent direct convolution: the input elements spread ``stride``
    apart, padded by d(k-1) - p (+ output_padding on the right), convolved with stride 1
    by the flipped kernel; the output size is again the count of fitting windows.
    """
    nd = x.ndim - 2
    if nd < 1 or weight.ndim != nd + 2:
        raise ValueError(f"conv_transpose needs (N, C, *spatial) input and a matching weight, got {x.shape} and {weight.shape}")
    N, C = x.shape[:2]
    if groups < 1 or weight.shape[0] != C or C % groups:
        raise ValueError(f"groups={groups}, weight {weight.shape} and input {x.shape} do not agree")
    group_in = C // groups
    group_out = weight.shape[1]
    kernel = weight.shape[2:]
    stride = as_tuple(stride, nd, "stride")
    padding = as_tuple(padding, nd, "padding")
    output_padding = as_tuple(output_padding, nd, "output_padding")
    dilation = as_tuple(dilation, nd, "dilation")
    if any(op >= max(s, d) or op < 0 for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError("output_padding must be smaller than either stride or dilation")
    pairs = [(d * (k - 1) - p, d * (k - 1) - p + op)
             for k, d, p, op in zip(kernel, dilation, padding, output_padding)]
    xp = pad_trailing(x, pairs, "constant", spread=stride)
    direct = Tensor((group_out * groups, group_in) + tuple(kernel), _flipped_filters(weight, groups))
    plane = xp.shape[2:]
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    starts = [conv_starts(L, K, 1) for L, K in zip(plane, spans)]
    if not all(starts):
        raise ValueError(f"conv_transpose of {x.shape} gives no output positions: output size is too small")
    plan = WindowPlan(plane, kernel, dilation, starts, channels=group_in)
    return _convolve(xp, direct, bias, plan, groups)


def _flipped_filters(weight: Tensor, groups: int) -> list:
    """(in, out/g, *k) transposed-conv weight -> (out, in/g, *k) direct weight, kernel flipped."""
    C, group_out = weight.shape[:2]
    group_in = C // groups
    taps = prod(weight.shape[2:])
    data = weight.data
    out = []
    for g in range(groups):
        for o in range(group_out):
            for c in range(g * group_in, (g + 1) * group_in):
                start = (c * group_out + o) * taps
                # reversing the flat row-major kernel reverses every spatial axis at once
                out.extend(reversed(data[start:start + taps]))
    return out
