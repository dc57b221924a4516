"""Normalisations in inference mode."""
from __future__ import annotations

import math
from typing import List, Optional, Sequence

from .tensor import Tensor, prod


def _affine_values(t: Optional[Tensor], count: int, default: float) -> List[float]:
    if t is None:
        return [default] * count
    if t.numel() != count:
        raise ValueError(f"expected {count} affine values, got {t.numel()}")
    return [float(v) for v in t.data]


def _standardise(values: Sequence[float], eps: float):
    """Mean and 1/sqrt(biased variance + eps), two-pass for accuracy."""
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / n
    return mean, 1.0 / math.sqrt(var + eps)


def _channels(x: Tensor, name: str):
    if x.ndim < 2:
        raise ValueError(f"{name} needs (N, C, ...) input, got {x.shape}")
    return x.shape[0], x.shape[1], prod(x.shape[2:])


def batch_norm(x: Tensor, running_mean: Tensor, running_var: Tensor, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Evaluation-mode batch norm: per-channel running statistics."""
    N, C, S = _channels(x, "batch_norm")
    means = _affine_values(running_mean, C, 0.0)
    variances = _affine_values(running_var, C, 1.0)
    gammas, betas = _affine_values(weight, C, 1.0), _affine_values(bias, C, 0.0)
    data = x.data
    out: List[float] = []
    for n in range(N):
        for c in range(C):
            mean, inv = means[c], 1.0 / math.sqrt(variances[c] + eps)
            gamma, beta = gammas[c], betas[c]
            start = (n * C + c) * S
            out.extend((v - mean) * inv * gamma + beta for v in data[start:start + S])
    return Tensor(x.shape, out)


def instance_norm(x: Tensor, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
                  eps: float = 1e-5) -> Tensor:
    """Per-sample, per-channel statistics (torch InstanceNorm without running stats)."""
    N, C, S = _channels(x, "instance_norm")
    gammas, betas = _affine_values(weight, C, 1.0), _affine_values(bias, C, 0.0)
    data = x.data
    out: List[float] = []
    for n in range(N):
        for c in range(C):
            start = (n * C + c) * S
            plane = data[start:start + S]
            mean, inv = _standardise(plane, eps)
            gamma, beta = gammas[c], betas[c]
            out.extend((v - mean) * inv * gamma + beta for v in plane)
    return Tensor(x.shape, out)


def group_norm(x: Tensor, groups: int, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Statistics over each group of C/groups channels (and all spatial positions)."""
    N, C, S = _channels(x, "group_norm")
    if groups < 1 or C % groups:
        raise ValueError(f"Expected number of channels in input to be divisible by num_groups, got {C} and {groups}")
    gammas, betas = _affine_values(weight, C, 1.0), _affine_values(bias, C, 0.0)
    per_group = C // groups
    data = x.data
    out: List[float] = []
    for n in range(N):
        for g in range(groups):
            start = (n * C + g * per_group) * S
            mean, inv = _standardise(data[start:start + per_group * S], eps)
            for c in range(g * per_group, (g + 1) * per_group):
                gamma, beta = gammas[c], betas[c]
                plane_start = (n * C + c) * S
                out.extend((v - mean) * inv * gamma + beta for v in data[plane_start:plane_start + S])
    return Tensor(x.shape, out)


def layer_norm(x: Tensor, normalized_shape, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Statistics over the trailing ``normalized_shape`` dims; elementwise affine."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    m = len(normalized_shape)
    if m == 0 or x.shape[x.ndim - m:] != normalized_shape or m > x.ndim:
        raise ValueError(f"normalized_shape {normalized_shape} does not end the input shape {x.shape}")
    M = prod(normalized_shape)
    gammas, betas = _affine_values(weight, M, 1.0), _affine_values(bias, M, 0.0)
    data = x.data
    out: List[float] = []
    for start in range(0, len(data), M):
        block = data[start:start + M]
        mean, inv = _standardise(block, eps)
        out.extend((v - mean) * inv * g + b for v, g, b in zip(block, gammas, betas))
    return Tensor(x.shape, out)


def local_response_norm(x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x_c / (k + alpha/size * sum of x^2 over channels [c - size//2, c + (size-1)//2])^beta."""
    if x.ndim < 3:
        raise ValueError(f"local_response_norm needs 3 or more dimensions, got {x.shape}")
    N, C, S = _channels(x, "local_response_norm")
    data = x.data
    out = [0.0] * len(data)
    for n in range(N):
        squares = [[v * v for v in data[(n * C + c) * S:(n * C + c + 1) * S]] for c in range(C)]
        for c in range(C):
            window = squares[max(0, c - size // 2):min(C, c + (size - 1) // 2 + 1)]
            totals = [sum(col) for col in zip(*window)] if window else [0.0] * S
            start = (n * C + c) * S
            out[start:start + S] = [v / (k + alpha * t / size) ** beta
                                    for v, t in zip(data[start:start + S], totals)]
    return Tensor(x.shape, out)
