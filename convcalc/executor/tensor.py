"""A minimal dense tensor: a shape (batch dimension included) and a flat row-major list.

The executor is a witness for convcalc's shape arithmetic, so this class stays small and
obvious; the ops work on ``data`` directly for speed.
"""
from __future__ import annotations

import random
from itertools import product as indices
from typing import Iterable, List, Optional, Sequence, Tuple, Union


def prod(values: Iterable[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def row_major_strides(shape: Sequence[int]) -> Tuple[int, ...]:
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


class Tensor:
    """``shape`` is a tuple of ints; ``data`` a flat list of floats in row-major order."""

    __slots__ = ("shape", "data")

    def __init__(self, shape: Sequence[int], data: Optional[Iterable[float]] = None):
        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        count = prod(shape)
        if data is None:
            data = [0.0] * count
        else:
            data = list(data)
            if len(data) != count:
                raise ValueError(f"shape {shape} needs {count} values, got {len(data)}")
        self.shape = shape
        self.data = data

    # construction -----------------------------------------------------------------
    @classmethod
    def zeros(cls, shape: Sequence[int]) -> "Tensor":
        return cls(shape)

    @classmethod
    def full(cls, shape: Sequence[int], value: float) -> "Tensor":
        return cls(shape, [float(value)] * prod(shape))

    @classmethod
    def rand(cls, shape: Sequence[int], rng: Union[random.Random, int, None] = None) -> "Tensor":
        """Uniform in [-1, 1); an int seed or a ``random.Random`` keeps runs reproducible."""
        if not isinstance(rng, random.Random):
            rng = random.Random(0 if rng is None else rng)
        draw = rng.random
        return cls(shape, [2.0 * draw() - 1.0 for _ in range(prod(shape))])

    @classmethod
    def from_nested(cls, nested) -> "Tensor":
        """From nested lists (as ``torch.Tensor.tolist()`` gives); a scalar is 0-d."""
        shape = []
        probe = nested
        while isinstance(probe, (list, tuple)):
            shape.append(len(probe))
            if not probe:
                break
            probe = probe[0]
        flat: List[float] = []

        def walk(item, depth):
            if depth == len(shape):
                flat.append(float(item))
                return
            if not isinstance(item, (list, tuple)) or len(item) != shape[depth]:
                raise ValueError("ragged nested list")
            for sub in item:
                walk(sub, depth + 1)

        walk(nested, 0)
        return cls(shape, flat)

    # inspection ---------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return len(self.data)

    @property
    def strides(self) -> Tuple[int, ...]:
        return row_major_strides(self.shape)

    def offset(self, index: Sequence[int]) -> int:
        if len(index) != len(self.shape):
            raise IndexError(f"index {tuple(index)} does not match shape {self.shape}")
        flat = 0
        for i, size, stride in zip(index, self.shape, self.strides):
            if i < 0:
                i += size
            if not 0 <= i < size:
                raise IndexError(f"index {tuple(index)} out of range for shape {self.shape}")
            flat += i * stride
        return flat

    def __getitem__(self, index) -> float:
        if not isinstance(index, tuple):
            index = (index,)
        return self.data[self.offset(index)]

    def tolist(self):
        """Nested lists, like ``torch.Tensor.tolist()``."""
        if not self.shape:
            return self.data[0]

        def build(start, depth):
            size = self.shape[depth]
            if depth == len(self.shape) - 1:
                return self.data[start:start + size]
            step = prod(self.shape[depth + 1:])
            return [build(start + i * step, depth + 1) for i in range(size)]

        return build(0, 0)

    # reshaping ------------------------------------------------------------------------
    def reshape(self, *shape) -> "Tensor":
        """A copy with a new shape; one dimension may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = [int(s) for s in shape]
        if shape.count(-1) > 1:
            raise ValueError("only one dimension can be -1")
        if -1 in shape:
            known = prod(s for s in shape if s != -1)
            if known == 0 or len(self.data) % known:
                raise ValueError(f"cannot reshape {self.shape} to {tuple(shape)}")
            shape[shape.index(-1)] = len(self.data) // known
        if prod(shape) != len(self.data):
            raise ValueError(f"cannot reshape {self.shape} to {tuple(shape)}")
        return Tensor(shape, self.data)

    def __repr__(self) -> str:
        preview = ", ".join(f"{v:.4g}" for v in self.data[:6])
        more = ", ..." if len(self.data) > 6 else ""
        return f"Tensor(shape={self.shape}, data=[{preview}{more}])"

    def __eq__(self, other) -> bool:
        return isinstance(other, Tensor) and self.shape == other.shape and self.data == other.data

    __hash__ = None


# moving dims: the layout operations (tensorops.py) and the sequence layers (sequence.py) use them


def _dim(dim: int, ndim: int) -> int:
    if not -ndim <= dim < ndim:
        raise ValueError(f"dimension {dim} out of range for a {ndim}-d tensor")
    return dim % ndim


def permute(x: Tensor, order: Sequence[int]) -> Tensor:
    order = [_dim(d, x.ndim) for d in order]
    if sorted(order) != list(range(x.ndim)):
        raise ValueError(f"permute({tuple(order)}) is not a permutation of {x.ndim} dims")
    shape = tuple(x.shape[d] for d in order)
    strides = row_major_strides(x.shape)
    moved = [strides[d] for d in order]
    data = x.data
    return Tensor(shape, [data[sum(i * s for i, s in zip(index, moved))] for index in indices(*map(range, shape))])


def transpose(x: Tensor, a: int, b: int) -> Tensor:
    order = list(range(x.ndim))
    a, b = _dim(a, x.ndim), _dim(b, x.ndim)
    order[a], order[b] = order[b], order[a]
    return permute(x, order)
