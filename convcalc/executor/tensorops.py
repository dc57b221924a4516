"""The tensor operations of a Python forward besides layers, on real values with torch's
semantics: element-wise arithmetic with broadcasting, reductions, permutes, slices, chunks,
stacks, pads and expands. Tensors carry the batch; ``dim`` arguments count it as 0, as torch's
do. Each op finds its output shape from the data it moves, never from the engine's rules."""
from __future__ import annotations

import operator
from itertools import product as indices
from typing import List, Sequence

from .dense import _broadcast_index
from .einops_ref import einops as apply_einops
from .resample import pad as pad_values
from .shaping import expand, reduce, repeat, squeeze, stack, unsqueeze  # noqa: F401  (the ops of OPS)
from .tensor import Tensor, _dim, permute, prod, row_major_strides, transpose  # noqa: F401


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    ndim = max(len(a), len(b))
    pa, pb = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    out = []
    for sa, sb in zip(pa, pb):
        if sa != sb and 1 not in (sa, sb):
            raise ValueError(f"the size of tensor a {a} must match the size of tensor b {b}")
        out.append(sb if sa == 1 else sa)
    return tuple(out)


def elementwise(fn):
    def apply(tensors: Sequence[Tensor]) -> Tensor:
        result = tensors[0]
        for other in tensors[1:]:
            shape = _broadcast_shape(result.shape, other.shape)
            left, right = result.data, other.data
            result = Tensor(shape, [fn(left[i], right[j]) for i, j in zip(_broadcast_index(result.shape, shape),
                                                                           _broadcast_index(other.shape, shape))])
        return result
    return apply


def _divide(a: float, b: float) -> float:
    if b == 0:
        return float("inf") if a > 0 else float("-inf") if a < 0 else float("nan")
    return a / b


def narrow(x: Tensor, dim: int, positions: Sequence[int]) -> Tensor:
    """The elements at ``positions`` along ``dim``, in that order."""
    d = _dim(dim, x.ndim)
    outer, inner = prod(x.shape[:d]), prod(x.shape[d + 1:])
    size = x.shape[d]
    out: List[float] = []
    for o in range(outer):
        base = o * size * inner
        for p in positions:
            out.extend(x.data[base + p * inner:base + (p + 1) * inner])
    return Tensor(x.shape[:d] + (len(positions),) + x.shape[d + 1:], out)


def _slice(x: Tensor, dim: int, start, stop, step) -> Tensor:
    return narrow(x, dim, range(x.shape[_dim(dim, x.ndim)])[slice(start, stop, step)])


def _select(x: Tensor, dim: int, index: int) -> Tensor:
    return squeeze(narrow(x, dim, [index % x.shape[_dim(dim, x.ndim)]]), dim)


def chunks(x: Tensor, count: int, dim: int) -> List[Tensor]:
    """torch.chunk: pieces of ceil(size / count), fewer when they run out."""
    size = x.shape[_dim(dim, x.ndim)]
    piece = -(-size // count)
    return [narrow(x, dim, range(start, min(start + piece, size))) for start in range(0, size, piece)]


def splits(x: Tensor, sizes, dim: int) -> List[Tensor]:
    """torch.split: pieces of one size (the last smaller), or the sizes listed."""
    size = x.shape[_dim(dim, x.ndim)]
    if isinstance(sizes, (tuple, list)):
        if sum(sizes) != size:
            raise ValueError(f"split sizes {tuple(sizes)} do not add up to {size}")
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return [narrow(x, dim, range(s, s + n)) for s, n in zip(starts, sizes)]
    return [narrow(x, dim, range(start, min(start + sizes, size))) for start in range(0, size, sizes)]


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """torch.matmul: 1-d operands promoted (and their dim dropped), the leading dims broadcast."""
    left = a.reshape((1,) + a.shape) if a.ndim == 1 else a
    right = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
    n, k, m = left.shape[-2], left.shape[-1], right.shape[-1]
    if right.shape[-2] != k:
        raise ValueError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {right.shape[-2]}x{m})")
    lead = _broadcast_shape(left.shape[:-2], right.shape[:-2])
    left = expand(left, lead + (n, k))
    right = expand(right, lead + (k, m))
    out: List[float] = []
    for i in range(prod(lead)):
        la, ra = left.data[i * n * k:(i + 1) * n * k], right.data[i * k * m:(i + 1) * k * m]
        for r in range(n):
            row = la[r * k:(r + 1) * k]
            out.extend(sum(row[j] * ra[j * m + c] for j in range(k)) for c in range(m))
    shape = lead + (n, m)
    if a.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if b.ndim == 1:
        shape = shape[:-1]
    return Tensor(shape, out)


def einsum(equation: str, tensors: Sequence[Tensor]) -> Tensor:
    """torch.einsum, by the definition: every combination of the letters' values, the output's kept,
    the others summed."""
    compact = equation.replace(" ", "")
    inputs_text, output = compact.split("->") if "->" in compact else (compact, None)
    parts = inputs_text.split(",")
    if len(parts) != len(tensors):
        raise ValueError(f"einsum(): {len(parts)} operands in the equation, {len(tensors)} given")
    most = max((t.ndim - len(p.replace("...", "")) for p, t in zip(parts, tensors) if "..." in p), default=0)
    filler = "".join(chr(0x0391 + i) for i in range(most))
    subs = []
    for part, t in zip(parts, tensors):
        here = t.ndim - len(part.replace("...", ""))
        subs.append(part.replace("...", filler[len(filler) - here:] if here else ""))
    if output is None:
        counts: dict = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        output = filler + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in filler))
    else:
        output = output.replace("...", filler)
    sizes: dict = {}
    for s, t in zip(subs, tensors):
        if len(s) != t.ndim:
            raise ValueError(f"einsum(): subscripts {s!r} for a {t.ndim}-d operand")
        for c, n in zip(s, t.shape):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ValueError(f"einsum(): operands do not broadcast with remapped shapes ({c}: {sizes[c]}, {n})")
            sizes[c] = max(sizes.get(c, 1), n)
    letters = list(output) + sorted(set(sizes) - set(output))
    strides = [row_major_strides(t.shape) for t in tensors]
    out = [0.0] * prod(sizes[c] for c in output)
    for values in indices(*[range(sizes[c]) for c in letters]):
        at = dict(zip(letters, values))
        term = 1.0
        for s, t, st in zip(subs, tensors, strides):
            term *= t.data[sum((at[c] if t.shape[i] != 1 else 0) * st[i] for i, c in enumerate(s))]
        position = 0
        for c in output:
            position = position * sizes[c] + at[c]
        out[position] += term
    return Tensor(tuple(sizes[c] for c in output), out)


def _reduction(fn):
    return lambda tensors, a: reduce(tensors[0], a["dim"], a["keepdim"], fn)


def _statistic(root: bool, pair: bool):
    """var / std over dim with torch's correction (1, or 0 with unbiased=False; nan where it leaves no
    degrees of freedom, as torch); var_mean / std_mean: that and the mean."""
    def op(tensors, a):
        correction = a["correction"] if a["correction"] is not None else (1 if a["unbiased"] else 0)

        def value(v):
            mean = sum(v) / len(v)
            free = len(v) - correction
            spread = sum((x - mean) ** 2 for x in v) / free if free > 0 else float("nan")
            return spread ** 0.5 if root else spread
        out = reduce(tensors[0], a["dim"], a["keepdim"], value)
        return [out, reduce(tensors[0], a["dim"], a["keepdim"], lambda v: sum(v) / len(v))] if pair else out
    return op


def einops(x: Tensor, kind: str, pattern: str, axes_lengths) -> Tensor:
    """einops' rearrange, repeat or a reduction (einops_ref.py); an axis given the size -1 has
    the batch's."""
    return apply_einops(x, kind, pattern, {name: x.shape[0] if size == -1 else size for name, size in axes_lengths})


def new_full(x: Tensor, size, fill) -> Tensor:
    """A new tensor of ``size`` for each sample of ``x``'s batch (-1 first), filled with ``fill``
    (None: values not known, taken as 0)."""
    shape = (x.shape[0], *size[1:])
    return Tensor(shape, [0.0 if fill is None else float(fill)] * prod(shape))


# name (convcalc/layers/operations.py) -> (tensors, the bound arguments) -> a tensor, or a list of them
OPS = {
    **{name: (lambda fn: lambda tensors, a: elementwise(fn)(tensors))(fn)
       for name, fn in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("div", _divide),
                        ("maximum", max), ("minimum", min))},
    "mean": _reduction(lambda v: sum(v) / len(v)), "sum": _reduction(sum), "amax": _reduction(max),
    "amin": _reduction(min), "var": _statistic(False, False), "std": _statistic(True, False),
    "var_mean": _statistic(False, True), "std_mean": _statistic(True, True),
    "permute": lambda tensors, a: permute(tensors[0], a["dims"]),
    "transpose": lambda tensors, a: transpose(tensors[0], a["dim0"], a["dim1"]),
    "squeeze": lambda tensors, a: squeeze(tensors[0], a["dim"]),
    "unsqueeze": lambda tensors, a: unsqueeze(tensors[0], a["dim"]),
    "slice": lambda tensors, a: _slice(tensors[0], a["dim"], a["start"], a["stop"], a["step"]),
    "select": lambda tensors, a: _select(tensors[0], a["dim"], a["index"]),
    "chunk": lambda tensors, a: chunks(tensors[0], a["chunks"], a["dim"]),
    "split": lambda tensors, a: splits(tensors[0], a["split_size_or_sections"], a["dim"]),
    "pad": lambda tensors, a: pad_values(tensors[0], tuple(a["pad"]), a["mode"], a["value"] or 0.0),
    "stack": lambda tensors, a: stack(tensors, a["dim"]),
    "expand": lambda tensors, a: expand(tensors[0], a["size"]),
    "repeat": lambda tensors, a: repeat(tensors[0], a["repeats"]),
    "expand_as": lambda tensors, a: expand(tensors[0], tensors[1].shape),
    "matmul": lambda tensors, a: matmul(tensors[0], tensors[1]),
    "bmm": lambda tensors, a: matmul(tensors[0], tensors[1]),
    "scaled_dot_product_attention": lambda tensors, a: scaled_dot_product_attention(tensors, a),
    # a new tensor: its batch size (-1) is the operand's, the model's input
    "new_zeros": lambda tensors, a: Tensor(tuple(tensors[0].shape[0] if d == -1 else d for d in a["size"])),
    "rearrange": lambda tensors, a: einops(tensors[0], "rearrange", a["pattern"], a["axes_lengths"]),
    "einops_repeat": lambda tensors, a: einops(tensors[0], "repeat", a["pattern"], a["axes_lengths"]),
    "einops_reduce": lambda tensors, a: einops(tensors[0], a["reduction"], a["pattern"], a["axes_lengths"]),
    "new_full": lambda tensors, a: new_full(tensors[0], a["size"], a["fill_value"]),
    "einsum": lambda tensors, a: einsum(a["equation"], tensors),
    "linear": lambda tensors, a: linear(tensors[0], a["in_features"], a["out_features"], a["bias"]),
    "take": lambda tensors, a: take(tensors[0], a["dim"], tuple(a["index_shape"])),
    "gather": lambda tensors, a: gather(tensors[0], a["dim"], tensors[1]),
}


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] along ``dim``; the index's values are
    the executor's stand-ins, read as int(v) mod the dim's size (what torch's reference gets too)."""
    dim = _dim(dim, x.ndim)
    size = x.shape[dim]
    strides = row_major_strides(x.shape)
    out: List[float] = []
    for at, position in enumerate(indices(*(range(s) for s in index.shape))):
        chosen = int(index.data[at]) % size
        source = sum(p * st for p, st in zip(position[:dim], strides[:dim])) + chosen * strides[dim] + \
            sum(p * st for p, st in zip(position[dim + 1:], strides[dim + 1:]))
        out.append(x.data[source])
    return Tensor(tuple(index.shape), out)


def take(x: Tensor, dim: int, index_shape: tuple) -> Tensor:
    """x[index] along ``dim`` with stand-in indices (the i-th index is i mod the dim's size): the
    model's index values are not known here (convcalc/layers/operations.py's take)."""
    dim = _dim(dim, x.ndim)
    size = x.shape[dim]
    count = prod(index_shape)
    if size == 0 and count:
        raise ValueError("index out of range in a dim of size 0")
    outer, inner = prod(x.shape[:dim]), prod(x.shape[dim + 1:])
    out: List[float] = []
    for o in range(outer):
        for i in range(count):
            start = (o * size + i % size) * inner
            out.extend(x.data[start:start + inner])
    return Tensor(x.shape[:dim] + index_shape + x.shape[dim + 1:], out)


def stand_in_weight(out_features: int, in_features: int) -> list:
    """The weights an ``F.linear`` is run with, the model's being unknown here (and torch's in the
    tests, tests/support/torch_backend.py): a fixed pattern of small values, row-major (out x in)."""
    return [((o * 7 + i * 3) % 11 - 5) / 16 for o in range(out_features) for i in range(in_features)]


def stand_in_bias(out_features: int) -> list:
    return [((o * 5) % 7 - 3) / 8 for o in range(out_features)]


def linear(x: Tensor, inner: int, outer: int, bias: bool) -> Tensor:
    """F.linear with the stand-in weights (the model's are not known)."""
    if x.shape[-1] != inner:
        raise ValueError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[-1]} and {inner}x{outer})")
    weight, offsets = stand_in_weight(outer, inner), stand_in_bias(outer) if bias else [0.0] * outer
    rows = prod(x.shape[:-1])
    out: List[float] = []
    for r in range(rows):
        row = x.data[r * inner:(r + 1) * inner]
        out.extend(sum(row[i] * weight[o * inner + i] for i in range(inner)) + offsets[o] for o in range(outer))
    return Tensor(x.shape[:-1] + (outer,), out)


def scaled_dot_product_attention(tensors: Sequence[Tensor], args: dict) -> Tensor:
    from .sequence import scaled_dot_product_attention as attention  # the attention layers' module

    return attention(tensors, args)


def run(name: str, tensors: Sequence[Tensor], args: dict):
    """The operation ``name`` of convcalc/layers/operations.py, on values."""
    if name not in OPS:
        raise ValueError(f"the executor has no operation {name!r}")
    return OPS[name](tensors, args)
