"""Elementwise activations and softmax, with torch's formulas."""
from __future__ import annotations

import math
from typing import Callable, List, Optional

from .tensor import Tensor, prod

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elementwise(x: Tensor, fn: Callable[[float], float]) -> Tensor:
    return Tensor(x.shape, map(fn, x.data))


def _sigmoid(v: float) -> float:
    # split by sign so exp never overflows
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def _softplus1(v: float) -> float:
    """log(1 + e^v) without overflow."""
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


def relu(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: v if v > 0 else 0.0)


def relu6(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: min(max(v, 0.0), 6.0))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _elementwise(x, lambda v: v if v > 0 else v * negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """One slope, or one per channel (dim 1)."""
    slopes = [float(w) for w in weight.data]
    if len(slopes) == 1:
        a = slopes[0]
        return _elementwise(x, lambda v: v if v > 0 else a * v)
    if x.ndim < 2 or x.shape[1] != len(slopes):
        raise ValueError(f"prelu has {len(slopes)} parameters for input {x.shape}")
    C, inner = x.shape[1], prod(x.shape[2:])
    out = [v if v > 0 else slopes[(i // inner) % C] * v for i, v in enumerate(x.data)]
    return Tensor(x.shape, out)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return _elementwise(x, lambda v: v if v > 0 else alpha * math.expm1(v))


def selu(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: _SELU_SCALE * (v if v > 0 else _SELU_ALPHA * math.expm1(v)))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    if approximate == "none":
        return _elementwise(x, lambda v: 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))))
    if approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        return _elementwise(x, lambda v: 0.5 * v * (1.0 + math.tanh(c * (v + 0.044715 * v ** 3))))
    raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: v * _sigmoid(v))


def mish(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: v * math.tanh(_softplus1(v)))


def sigmoid(x: Tensor) -> Tensor:
    return _elementwise(x, _sigmoid)


def tanh(x: Tensor) -> Tensor:
    return _elementwise(x, math.tanh)


def hardsigmoid(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: min(max(v + 3.0, 0.0), 6.0) / 6.0)


def hardswish(x: Tensor) -> Tensor:
    return _elementwise(x, lambda v: v * min(max(v + 3.0, 0.0), 6.0) / 6.0)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/beta) log(1 + e^(beta x)), linear where beta x > threshold (as torch)."""
    return _elementwise(x, lambda v: v if v * beta > threshold else _softplus1(v * beta) / beta)


def _along(x: Tensor, dim: Optional[int], line_fn: Callable[[List[float]], List[float]]) -> Tensor:
    """Apply ``line_fn`` to every 1-d line of x along ``dim``."""
    if x.ndim == 0:
        return Tensor((), line_fn(list(x.data)))
    if dim is None:
        # torch's legacy implicit dim: 0 for 0-, 1- and 3-d input, else 1
        dim = 0 if x.ndim in (0, 1, 3) else 1
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dimension {dim} out of range for a {x.ndim}-d tensor")
    dim %= x.ndim
    size, inner = x.shape[dim], prod(x.shape[dim + 1:])
    block = size * inner
    data = x.data
    out = [0.0] * len(data)
    for outer_start in range(0, len(data), block or 1):
        for i in range(inner):
            start = outer_start + i
            out[start:start + block:inner] = line_fn(data[start:start + block:inner])
    return Tensor(x.shape, out)


def _softmax_line(line: List[float]) -> List[float]:
    top = max(line)
    exps = [math.exp(v - top) for v in line]
    total = sum(exps)
    return [e / total for e in exps]


def _log_softmax_line(line: List[float]) -> List[float]:
    top = max(line)
    log_total = math.log(sum(math.exp(v - top) for v in line))
    return [v - top - log_total for v in line]


def softmax(x: Tensor, dim: Optional[int] = None) -> Tensor:
    return _along(x, dim, _softmax_line)


def log_softmax(x: Tensor, dim: Optional[int] = None) -> Tensor:
    return _along(x, dim, _log_softmax_line)
