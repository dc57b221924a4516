"""The executor's shape primitives on flat tensors: reductions over dims, squeeze and unsqueeze,
stack and broadcasting expand. A module of their own below both users: the tensor operations
(tensorops.py) and the einops reference (einops_ref.py), which tensorops calls."""
from __future__ import annotations

from typing import Sequence

from .dense import _broadcast_index, cat
from .tensor import Tensor, _dim, permute, prod


def reduce(x: Tensor, dims, keepdim: bool, fn) -> Tensor:
    axes = sorted({_dim(d, x.ndim) for d in (dims if isinstance(dims, (tuple, list)) else (dims,))})
    kept = [d for d in range(x.ndim) if d not in axes]
    moved = permute(x, kept + axes)
    group = prod(x.shape[d] for d in axes)
    values = [fn(moved.data[i:i + group]) for i in range(0, len(moved.data), group)]
    shape = tuple(1 if d in axes else x.shape[d] for d in range(x.ndim)) if keepdim else \
        tuple(x.shape[d] for d in kept)
    return Tensor(shape, values)


def squeeze(x: Tensor, dim) -> Tensor:
    if dim is None:
        return Tensor(tuple(s for s in x.shape if s != 1), x.data)
    d = _dim(dim, x.ndim)
    return Tensor(x.shape[:d] + x.shape[d + 1:], x.data) if x.shape[d] == 1 else x


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = _dim(dim, x.ndim + 1)
    return Tensor(x.shape[:d] + (1,) + x.shape[d:], x.data)


def stack(tensors: Sequence[Tensor], dim: int) -> Tensor:
    d = _dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def expand(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(shape)
    padded = (1,) * (len(shape) - x.ndim) + x.shape
    target = tuple(p if s == -1 else s for p, s in zip(padded, shape))
    for have, want in zip(padded, target):
        if have != want and have != 1:
            raise ValueError(f"cannot expand {x.shape} to {target}")
    return Tensor(target, [x.data[i] for i in _broadcast_index(x.shape, target)])


def repeat(x: Tensor, repeats: Sequence[int]) -> Tensor:
    """Tensor.repeat: dim d tiled repeats[d] times (as many repeats as dims; the batch's first)."""
    shape = tuple(s * r for s, r in zip(x.shape, repeats))
    strides = [prod(x.shape[d + 1:]) for d in range(x.ndim)]
    out = []
    for position in range(prod(shape)):
        source, rest = 0, position
        for d in range(x.ndim - 1, -1, -1):
            rest, at = divmod(rest, shape[d])
            source += (at % x.shape[d]) * strides[d]
        out.append(x.data[source])
    return Tensor(shape, out)
