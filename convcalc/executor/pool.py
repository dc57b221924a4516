"""Max, average and adaptive pooling, generic over 1-d, 2-d and 3-d inputs."""
from __future__ import annotations

from typing import List, Optional, Sequence

from ._windows import WindowPlan, as_tuple, make_getter, pad_trailing, pool_starts
from .tensor import Tensor, prod, row_major_strides

_NEG_INF = float("-inf")


def _pool_geometry(x: Tensor, kernel, stride, padding, dilation, ceil_mode):
    nd = x.ndim - 2
    if nd < 1:
        raise ValueError(f"pooling needs (N, C, *spatial) input, got {x.shape}")
    kernel = as_tuple(kernel, nd, "kernel_size")
    # torch: stride None (or empty) means stride = kernel_size
    stride = kernel if stride is None or stride == () or stride == [] else as_tuple(stride, nd, "stride")
    padding = as_tuple(padding, nd, "padding")
    dilation = as_tuple(dilation, nd, "dilation")
    if any(p > k // 2 or p < 0 for p, k in zip(padding, kernel)):
        raise ValueError(f"pad should be at most half of effective kernel size, got {padding} for {kernel}")
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    starts = [pool_starts(L, p, K, s, ceil_mode)
              for L, p, K, s in zip(x.shape[2:], padding, spans, stride)]
    if not all(starts):
        raise ValueError(f"pooling window {tuple(spans)} does not fit input {x.shape[2:]}: output size is too small")
    # a ceil-mode window may run past the right padding; pad further so it can be gathered
    pairs = [(p, max(p, (st[-1] + K - L - p) if st else p))
             for L, p, K, st in zip(x.shape[2:], padding, spans, starts)]
    return kernel, stride, padding, dilation, starts, pairs


def _reduce_planes(xp: Tensor, plan: WindowPlan, reduce) -> List[float]:
    N, C = xp.shape[:2]
    out: List[float] = []
    for plane in range(N * C):
        for _, rows in plan.chunks(xp.data, plane * plan.plane_len):
            out.extend(map(reduce, rows))
    return out


def max_pool(x: Tensor, kernel, stride=None, padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """torch max_poolNd (x is N, C, *spatial); padding counts as -inf."""
    kernel, stride, padding, dilation, starts, pairs = _pool_geometry(x, kernel, stride, padding, dilation, ceil_mode)
    xp = pad_trailing(x, pairs, "constant", _NEG_INF)
    plan = WindowPlan(xp.shape[2:], kernel, dilation, starts)
    return Tensor(x.shape[:2] + plan.out_shape, _reduce_planes(xp, plan, max))


def avg_pool(x: Tensor, kernel, stride=None, padding=0, ceil_mode: bool = False,
             count_include_pad: bool = True, divisor_override: Optional[int] = None) -> Tensor:
    """torch avg_poolNd (x is N, C, *spatial)."""
    kernel, stride, padding, _, starts, pairs = _pool_geometry(x, kernel, stride, padding, 1, ceil_mode)
    xp = pad_trailing(x, pairs, "constant", 0.0)
    nd = len(kernel)
    plan = WindowPlan(xp.shape[2:], kernel, (1,) * nd, starts)
    sums = _reduce_planes(xp, plan, sum)
    if divisor_override:
        divisors = [float(divisor_override)] * plan.positions
    else:
        per_dim = [_avg_counts(L, p, k, st, count_include_pad)
                   for L, p, k, st in zip(x.shape[2:], padding, kernel, starts)]
        divisors = [1]
        for counts in per_dim:
            divisors = [a * b for a in divisors for b in counts]
    P = plan.positions
    out = [s / divisors[i % P] for i, s in enumerate(sums)] if P else []
    return Tensor(x.shape[:2] + plan.out_shape, out)


def _avg_counts(length: int, pad: int, kernel: int, starts: Sequence[int], include_pad: bool) -> List[int]:
    """How many elements each window divides by along one axis (torch's rule)."""
    counts = []
    for padded_start in starts:
        start = padded_start - pad
        end = min(start + kernel, length + pad)
        if not include_pad:
            start, end = max(start, 0), min(end, length)
        counts.append(end - start)
    return counts


def adaptive_cells(length: int, out: int) -> List[range]:
    """Cell i spans [floor(i*L/O), ceil((i+1)*L/O)); cells may overlap."""
    return [range((i * length) // out, -((-(i + 1) * length) // out)) for i in range(out)]


def _adaptive(x: Tensor, out_size, reduce) -> Tensor:
    nd = x.ndim - 2
    if nd < 1:
        raise ValueError(f"adaptive pooling needs (N, C, *spatial) input, got {x.shape}")
    if not isinstance(out_size, (list, tuple)):
        out_size = (out_size,) * nd
    if len(out_size) != nd:
        raise ValueError(f"output_size needs {nd} values, got {tuple(out_size)}")
    plane = x.shape[2:]
    target = tuple(L if o is None else int(o) for L, o in zip(plane, out_size))
    if any(o < 0 for o in target):
        raise ValueError(f"negative output size {target}")
    cells = [[]]
    for L, O, stride in zip(plane, target, row_major_strides(plane)):
        cells = [c + [r, stride] for c in cells for r in adaptive_cells(L, O)]
    getters = []
    for cell in cells:
        index = [0]
        for r, stride in zip(cell[0::2], cell[1::2]):
            index = [b + i * stride for b in index for i in r]
        getters.append(make_getter(index))
    plane_len = prod(plane)
    data = x.data
    out: List[float] = []
    for k in range(x.shape[0] * x.shape[1]):
        chunk = data[k * plane_len:(k + 1) * plane_len]
        out.extend(reduce(get(chunk)) for get in getters)
    return Tensor(x.shape[:2] + target, out)


def adaptive_avg_pool(x: Tensor, out_size) -> Tensor:
    """torch adaptive_avg_poolNd; None in ``out_size`` keeps that dimension."""
    return _adaptive(x, out_size, lambda cell: sum(cell) / len(cell))


def adaptive_max_pool(x: Tensor, out_size) -> Tensor:
    """torch adaptive_max_poolNd (values only, no indices)."""
    return _adaptive(x, out_size, max)


def max_pool_with_indices(x: Tensor, kernel, stride=None, padding=0, dilation=1, ceil_mode: bool = False):
    """torch max_poolNd with return_indices=True: (values, indices), each index the flat position
    of the window's maximum in its input plane (the first maximum in scan order, as torch's CPU
    kernel keeps it; a NaN wins)."""
    from itertools import product as combinations

    kernel, stride, padding, dilation, starts, _ = _pool_geometry(x, kernel, stride, padding, dilation, ceil_mode)
    plane = x.shape[2:]
    area = prod(plane)
    strides = row_major_strides(plane)
    offsets = list(combinations(*[range(k) for k in kernel]))
    values: List[float] = []
    indices: List[float] = []
    for base in range(0, prod(x.shape[:2]) * area, area):
        for position in combinations(*starts):
            best, at = _NEG_INF, -1
            for offset in offsets:
                coord = [p + o * d - pad for p, o, d, pad in zip(position, offset, dilation, padding)]
                if any(c < 0 or c >= size for c, size in zip(coord, plane)):
                    continue
                flat = sum(c * s for c, s in zip(coord, strides))
                value = x.data[base + flat]
                if at < 0 or value > best or value != value:
                    best, at = value, flat
                    if value != value:
                        break
            values.append(best)
            indices.append(float(at))
    shape = x.shape[:2] + tuple(len(s) for s in starts)
    return Tensor(shape, values), Tensor(shape, indices)


def max_unpool(x: Tensor, indices: Tensor, sizes: Sequence[int]) -> Tensor:
    """torch max_unpoolNd: each value put at its index in a plane of ``sizes``, zeros elsewhere."""
    if indices.shape != x.shape:
        raise ValueError(f"Expected shape of indices to be same as that of the input tensor ({indices.shape} "
                         f"and {x.shape})")
    nd = len(sizes)
    lead, plane = x.shape[:x.ndim - nd], x.shape[x.ndim - nd:]
    area_in, area_out = prod(plane), prod(sizes)
    out = [0.0] * (prod(lead) * area_out)
    for c in range(prod(lead)):
        for i in range(area_in):
            index = int(indices.data[c * area_in + i])
            if not 0 <= index < area_out:
                raise ValueError(f"Found an invalid max index: {index} (output volume of size {area_out})")
            out[c * area_out + index] = x.data[c * area_in + i]
    return Tensor(lead + tuple(sizes), out)


def adaptive_max_pool_with_indices(x: Tensor, out_size):
    """torch adaptive_max_poolNd with return_indices=True: (values, indices) over adaptive cells."""
    from itertools import product as combinations

    nd = x.ndim - 2
    sizes = out_size if isinstance(out_size, (list, tuple)) else (out_size,) * nd
    plane = x.shape[2:]
    target = tuple(L if o is None else int(o) for L, o in zip(plane, sizes))
    area, strides = prod(plane), row_major_strides(plane)
    cells = [adaptive_cells(L, O) for L, O in zip(plane, target)]
    values: List[float] = []
    indices: List[float] = []
    for base in range(0, prod(x.shape[:2]) * area, area):
        for cell in combinations(*cells):
            best, at = _NEG_INF, -1
            for coord in combinations(*cell):
                flat = sum(c * s for c, s in zip(coord, strides))
                value = x.data[base + flat]
                if at < 0 or value > best or value != value:
                    best, at = value, flat
                    if value != value:
                        break
            values.append(best)
            indices.append(float(at))
    shape = x.shape[:2] + target
    return Tensor(shape, values), Tensor(shape, indices)
