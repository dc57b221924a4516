"""Linear, reshaping and combining ops."""
from __future__ import annotations

from itertools import repeat
from operator import add as _add, mul
from typing import List, Optional, Sequence

from .tensor import Tensor, prod, row_major_strides


def _dim(dim: int, ndim: int) -> int:
    if not -ndim <= dim < ndim:
        raise ValueError(f"dimension {dim} out of range for a {ndim}-d tensor")
    return dim % ndim


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """y = x W^T + b on the last dimension; weight is (out_features, in_features)."""
    out_features, in_features = weight.shape
    if not x.shape or x.shape[-1] != in_features:
        raise ValueError(f"mat1 and mat2 shapes cannot be multiplied: input {x.shape}, weight {weight.shape}")
    filters = [weight.data[o * in_features:(o + 1) * in_features] for o in range(out_features)]
    biases = [float(b) for b in bias.data] if bias is not None else [0.0] * out_features
    data = x.data
    out: List[float] = []
    for start in range(0, len(data), in_features):
        row = data[start:start + in_features]
        out.extend(map(sum, map(map, repeat(mul), repeat(row), filters), biases))
    return Tensor(x.shape[:-1] + (out_features,), out)


def identity(x: Tensor, *args, **kwargs) -> Tensor:
    return x


# Dropout, Dropout1d/2d/3d and AlphaDropout are the identity in evaluation mode.
dropout = identity


def flatten(x: Tensor, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """torch.flatten: merge dims start_dim..end_dim (the batch is dim 0)."""
    if x.ndim == 0:
        return Tensor((1,), x.data)
    start, end = _dim(start_dim, x.ndim), _dim(end_dim, x.ndim)
    if start > end:
        raise ValueError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.shape[:start] + (prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return Tensor(shape, x.data)


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """torch.unflatten: split dim into ``sizes`` (one entry may be -1)."""
    d = _dim(dim, x.ndim)
    sizes = list(sizes)
    if sizes.count(-1) > 1:
        raise ValueError("only one dimension can be inferred")
    if -1 in sizes:
        known = prod(s for s in sizes if s != -1)
        if known == 0 or x.shape[d] % known:
            raise ValueError(f"unflatten: {x.shape[d]} is not divisible into {tuple(sizes)}")
        sizes[sizes.index(-1)] = x.shape[d] // known
    if prod(sizes) != x.shape[d]:
        raise ValueError(f"unflatten: sizes {tuple(sizes)} don't multiply up to {x.shape[d]}")
    return Tensor(x.shape[:d] + tuple(sizes) + x.shape[d + 1:], x.data)


def _broadcast_index(shape: Sequence[int], out_shape: Sequence[int]) -> List[int]:
    """Flat index into a tensor of ``shape`` for every element of ``out_shape``."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    index = [0]
    for size, out_size, stride in zip(shape, out_shape, row_major_strides(shape)):
        step = 0 if size == 1 else stride
        index = [b + i * step for b in index for i in range(out_size)]
    return index


def add(a: Tensor, b: Tensor) -> Tensor:
    """a + b with torch broadcasting (residual connections use equal shapes)."""
    if a.shape == b.shape:
        return Tensor(a.shape, map(_add, a.data, b.data))
    ndim = max(a.ndim, b.ndim)
    pa = (1,) * (ndim - a.ndim) + a.shape
    pb = (1,) * (ndim - b.ndim) + b.shape
    out_shape = []
    for sa, sb in zip(pa, pb):
        if sa != sb and 1 not in (sa, sb):
            raise ValueError(f"the size of tensor a {a.shape} must match the size of tensor b {b.shape}")
        out_shape.append(sb if sa == 1 else sa)
    da, db = a.data, b.data
    values = [da[i] + db[j] for i, j in zip(_broadcast_index(a.shape, out_shape), _broadcast_index(b.shape, out_shape))]
    return Tensor(out_shape, values)


def cat(tensors: Sequence[Tensor], dim: int = 1) -> Tensor:
    """torch.cat: every dimension but ``dim`` must agree."""
    if not tensors:
        raise ValueError("cat needs at least one tensor")
    first = tensors[0]
    d = _dim(dim, first.ndim)
    for t in tensors[1:]:
        if t.ndim != first.ndim or t.shape[:d] != first.shape[:d] or t.shape[d + 1:] != first.shape[d + 1:]:
            raise ValueError(f"Sizes of tensors must match except in dimension {d}: {first.shape} and {t.shape}")
    outer = prod(first.shape[:d])
    inner = prod(first.shape[d + 1:])
    chunks = [t.shape[d] * inner for t in tensors]
    out: List[float] = []
    for o in range(outer):
        for t, chunk in zip(tensors, chunks):
            out.extend(t.data[o * chunk:(o + 1) * chunk])
    shape = first.shape[:d] + (sum(t.shape[d] for t in tensors),) + first.shape[d + 1:]
    return Tensor(shape, out)
