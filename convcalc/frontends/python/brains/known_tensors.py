"""Tensors of known values worked out as torch works them: the index tables a model builds in
``__init__`` (a grid of ``torch.meshgrid``, stacked, flattened, subtracted with broadcasting,
permuted, shifted in place item by item, summed) and the masks it builds in forward from
sizes it knows. Values are kept row-major in a Constant; a view (indexing by slices and ints,
``permute``, ``transpose``, ``unsqueeze``, ``view``) keeps the places of its elements in the
tensor that owns them, so that an in-place change through a view lands where torch's lands.

Every tensor made here is charged against the model's budget of elements built
(machine.MAX_BUILT) and holds at most machine.MAX_ITEMS values. What convcalc does not work out
(several advanced indices, a boolean mask as an index) is "not followed", never guessed."""
from __future__ import annotations

import math
import operator
from array import array

from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Args, Ref, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.torchobjects import Constant
from convcalc.symbolic import dims


def known_of(frame, values: list, shape: tuple, floating: bool, node, boolean: bool = False) -> Constant:
    """A new tensor that owns its values (ints, or floats rounded as float32 holds them)."""
    if len(values) > MAX_ITEMS:
        raise Unfollowable(f"a tensor of more than {MAX_ITEMS:,} values", node)
    frame.charge(len(values), node)
    values = as_float32(values, node) if floating else [int(v) for v in values]
    made = Constant(tuple(shape), values, floating)
    made.boolean = boolean
    return made


def as_float32(values: list, node) -> list:
    """Each value rounded to the nearest float32, as a float tensor holds it (past its range: inf),
    in one pass of the array module (a struct round trip per element was a second of Swin's)."""
    try:
        return array("f", [float(v) for v in values]).tolist()
    except (OverflowError, TypeError, ValueError):
        raise Unfollowable("a value past what a float tensor holds", node) from None


def view_of(tensor: Constant, shape: tuple, places: list) -> Constant:
    """A view of ``tensor``: its elements at ``places`` (row-major positions in ``tensor``)."""
    made = Constant(tuple(shape), None, tensor.floating)
    made.boolean = tensor.boolean
    if tensor.base is None:
        made.base, made.index = tensor, list(places)
    else:
        made.base, made.index = tensor.base, [tensor.index[i] for i in places]
    return made


def is_known(value) -> bool:
    return isinstance(value, Constant) and value.known


def strides(shape) -> list:
    out, step = [], 1
    for size in reversed(shape):
        out.append(step)
        step *= size
    return out[::-1]


def places_of(shape, choices: list) -> list:
    """Row-major positions in a tensor of ``shape`` of every combination of ``choices`` (one list of
    indices per dim)."""
    return walk_places([[i * s for i in choice] for choice, s in zip(choices, strides(shape))])


def walk_places(offsets: list) -> list:
    """Every sum of one offset per dim, row-major (the last dim fastest): a position per element,
    built dim by dim (a sum per element and dim was most of Swin's time)."""
    places = [0]
    for dim in offsets:
        places = [p + o for p in places for o in dim]
    return places


def dim_of(frame, dim, rank: int, node) -> int:
    if type(dim) is not int:
        raise Unfollowable(f"a dim of {describe(dim)}", node)
    span = max(rank, 1)
    if not -span <= dim < span:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "IndexError", (f"Dimension out of range (expected to be in range of "
                                                f"[{-span}, {span - 1}], but got {dim})",), node)
    return dim % span


# ---------------------------------------------------------------- indexing and item assignment


def selection(frame, tensor, key, node) -> tuple:
    """(output shape, per-dim index lists in the output's order, advanced: True when an index tensor
    or list picks elements, which makes a copy) of ``tensor[key]``; a dim of size 1 that None adds
    is a list [0] of no input dim (-1)."""
    shape = list(tensor.shape)
    keys = list(key) if isinstance(key, tuple) else [key]
    if sum(k is Ellipsis for k in keys) > 1:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "IndexError", ("an index can only have a single ellipsis ('...')",), node)
    if Ellipsis in keys:
        at = keys.index(Ellipsis)
        keys[at:at + 1] = [slice(None)] * max(0, len(shape) - (len(keys) - 1 - keys.count(None)))
    out, choices, dim, advanced = [], [], 0, False
    for item in keys:
        if item is None:
            out.append(1)
            continue
        if dim >= len(shape):
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "IndexError", (f"too many indices for tensor of dimension {len(shape)}",), node)
        size = shape[dim]
        if isinstance(item, slice):
            for bound in (item.start, item.stop, item.step):
                if bound is not None and type(bound) is not int:
                    raise Unfollowable(f"slicing a tensor of known values by {describe(bound)}", node)
            if item.step is not None and item.step <= 0:
                from convcalc.frontends.python.pycore import raise_error

                raise raise_error(frame, "ValueError", ("step must be greater than zero",), node)
            picked = list(range(size)[item])
            out.append(len(picked))
            choices.append(picked)
        elif type(item) is int or type(item) is bool:
            if not -size <= item < size:
                from convcalc.frontends.python.pycore import raise_error

                raise raise_error(frame, "IndexError", (f"index {item} is out of bounds for dimension {dim} with "
                                                        f"size {size}",), node)
            choices.append([item % size])
        elif isinstance(item, (Constant, list, tuple)):
            if advanced:
                raise Unfollowable("indexing a tensor with several index tensors", node)
            advanced = True
            index = item if isinstance(item, Constant) else index_tensor(frame, item, node)
            if index.floating or index.boolean:
                raise Unfollowable(f"indexing a tensor with {describe(item)}: a mask or a float index", node)
            out.extend(index.shape)
            if index.values is None:
                choices.append(None)  # its shape is known, not which elements it picks
            else:
                for value in index.values:
                    if not -size <= value < size:
                        from convcalc.frontends.python.pycore import raise_error

                        raise raise_error(frame, "IndexError", (f"index {value} is out of bounds for dimension "
                                                                f"{dim} with size {size}",), node)
                choices.append([v % size for v in index.values])
        else:
            raise Unfollowable(f"indexing a tensor with {describe(item)}", node)
        dim += 1
    for size in shape[dim:]:
        out.append(size)
        choices.append(list(range(size)))
    return tuple(out), choices, advanced


def index_tensor(frame, value, node) -> Constant:
    from convcalc.frontends.python.brains.torch_constants import as_known

    return as_known(value, node)


def index(frame, tensor, key, node):
    """``t[key]`` of a tensor of known values or a Parameter: a view for slices, ints and None, a
    copy for an index tensor; a Parameter (or a tensor whose values are not known) gives the
    shape alone."""
    shape, choices, advanced = selection(frame, tensor, key, node)
    count = math.prod(shape)
    if count > MAX_ITEMS:
        raise Unfollowable(f"a tensor of more than {MAX_ITEMS:,} values", node)
    floating = getattr(tensor, "floating", True)
    if not is_known(tensor) or any(c is None for c in choices):
        return Constant(shape, None, floating)
    places = places_of(tensor.shape, choices)
    if advanced:
        data = tensor.values
        return known_of(frame, [data[p] for p in places], shape, floating, node, tensor.boolean)
    frame.charge(count, node)
    return view_of(tensor, shape, places)


def assign(frame, tensor: Constant, key, value, node) -> None:
    """``t[key] = value`` (and ``t[:, :, 0] += 3``, which Python runs as a read, an add and this):
    the value broadcast into the places the key selects, cast to the tensor's kind."""
    if not tensor.known:
        raise Unfollowable(f"an assignment into {tensor.describe()}, whose values are not known", node)
    shape, choices, _ = selection(frame, tensor, key, node)
    if any(c is None for c in choices):
        raise Unfollowable("an assignment through an index tensor of unknown values", node)
    places = places_of(tensor.shape, choices)
    write(frame, tensor, places, broadcast_into(frame, value, shape, node), node)


def broadcast_into(frame, value, shape: tuple, node) -> list:
    """The values of ``value`` (a number or a tensor of known values) spread over ``shape``."""
    from convcalc.frontends.python.pycore import is_number

    if (is_number(value) or isinstance(value, bool)) and not dims.is_symbolic(value):
        return [value] * math.prod(shape)
    if not is_known(value):
        raise Unfollowable(f"an assignment of {describe(value)} into a tensor of known values", node)
    out = broadcast_shape(frame, [value.shape, shape], node)
    if tuple(out) != tuple(shape):
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", (f"shape mismatch: value tensor of shape {list(value.shape)} cannot "
                                                  f"be broadcast to indexing result of shape {list(shape)}",), node)
    data = value.values
    return [data[p] for p in spread(value.shape, shape)]


def write(frame, tensor: Constant, places: list, values: list, node) -> None:
    """Values written at ``places`` of ``tensor``, in its owner's storage (a view writes through)."""
    if not tensor.floating:
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise Unfollowable("an infinite or NaN value written into an integer tensor", node)
        values = [math.trunc(v) for v in values]  # torch casts a float into an integer tensor toward 0
    else:
        values = as_float32(values, node)
    owner, where = (tensor, places) if tensor.base is None else (tensor.base, [tensor.index[p] for p in places])
    data = owner.own
    for p, v in zip(where, values):
        data[p] = v


# ---------------------------------------------------------------- broadcasting and arithmetic


def broadcast_shape(frame, shapes: list, node) -> tuple:
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    out = []
    for sizes in zip(*padded):
        wide = {s for s in sizes if s != 1}
        if len(wide) > 1:
            from convcalc.frontends.python.pycore import raise_error

            a, b = sorted(wide)[:2]
            raise raise_error(frame, "RuntimeError", (f"The size of tensor a ({a}) must match the size of tensor b "
                                                      f"({b}) at non-singleton dimension",), node)
        out.append(wide.pop() if wide else 1)
    return tuple(out)


def spread(shape: tuple, out: tuple) -> list:
    """For each element of a tensor of shape ``out``, the position of the element of a tensor of
    ``shape`` that broadcasting gives it."""
    padded = (1,) * (len(out) - len(shape)) + tuple(shape)
    steps = [0 if s == 1 else st for s, st in zip(padded, strides(padded))]
    return walk_places([[i * st for i in range(n)] for n, st in zip(out, steps)])


COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
               ">=": operator.ge}
# Python's own operators (C functions: a lambda per element was most of a shifted window's mask)
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow,
              "//": operator.floordiv, "%": operator.mod}


def arithmetic(frame, op: str, left, right, node):
    """``a op b`` with a tensor of known values (and a number or another one): torch's broadcast and
    its kinds (an integer tensor divided by ``/`` is float; a Python float makes it float);
    None when an operand's values are not known (the shape path decides)."""
    from convcalc.frontends.python.pycore import is_number

    operands = []
    for value in (left, right):
        if is_known(value):
            operands.append(value)
        elif (is_number(value) or isinstance(value, bool)) and not dims.is_symbolic(value):
            operands.append(Constant((), [value], isinstance(value, float)))
        else:
            return None
    fn = COMPARISONS.get(op) or ARITHMETIC.get(op)
    if fn is None:
        return None
    a, b = operands
    out = broadcast_shape(frame, [a.shape, b.shape], node)
    if math.prod(out) > MAX_ITEMS:  # too many values to keep: the shape, which is what forward needs
        return Constant(out, None, a.floating or b.floating or op == "/")
    da, db = a.values, b.values
    # an operand of the output's shape is read as it is, a number repeated; only a broadcast one is spread
    xs, ys = (d if s == out else d * math.prod(out) if not s else [d[p] for p in spread(s, out)]
              for d, s in ((da, tuple(a.shape)), (db, tuple(b.shape))))
    floating = a.floating or b.floating or op == "/"
    try:
        if op in COMPARISONS:
            return known_of(frame, list(map(fn, xs, ys)), out, False, node, boolean=True)
        if op in ("//", "%") and not floating:
            if any(y == 0 for y in ys):
                raise Unfollowable("an integer division by zero", node)
            return known_of(frame, [fn(x, y) for x, y in zip(xs, ys)], out, False, node)
        if op == "/":
            results = [x / y if y else (math.copysign(math.inf, x) * math.copysign(1, y) if x else math.nan)
                       for x, y in zip(xs, ys)]
        else:
            results = list(map(fn, xs, ys))
    except (ZeroDivisionError, OverflowError, ValueError):
        raise Unfollowable(f"{op} of these values", node) from None
    return known_of(frame, results, out, floating, node)


def in_place(frame, op: str, tensor: Constant, value, node):
    """``t += v`` on a tensor of known values: torch changes ``t`` itself (every name and view of
    it sees the change); the result must keep its shape and its kind."""
    result = arithmetic(frame, op, tensor, value, node)
    if result is None:
        return None
    if result.shape != tensor.shape:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", (f"output with shape {list(tensor.shape)} doesn't match the "
                                                  f"broadcast shape {list(result.shape)}",), node)
    if result.floating and not tensor.floating:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("result type Float can't be cast to the desired output type Long",),
                          node)
    write(frame, tensor, list(range(len(result.own))), result.own, node)
    return tensor


# ---------------------------------------------------------------- shape methods on known values


def permute(frame, tensor: Constant, order: tuple, node) -> Constant:
    rank = len(tensor.shape)
    order = tuple(dim_of(frame, d, rank, node) for d in order)
    if sorted(order) != list(range(rank)):
        raise Unfollowable(f"permute({', '.join(map(str, order))}) of a {rank}-d tensor", node)
    shape = tuple(tensor.shape[d] for d in order)
    steps = strides(tensor.shape)
    places = walk_places([[i * steps[d] for i in range(tensor.shape[d])] for d in order])
    frame.charge(len(places), node)
    return view_of(tensor, shape, places)


def is_contiguous(tensor: Constant) -> bool:
    return tensor.base is None or tensor.index == list(range(tensor.index[0], tensor.index[0] + len(tensor.index))) \
        if tensor.index else True


def contiguous(frame, tensor: Constant, node) -> Constant:
    """The tensor itself when its elements lie in order; a copy otherwise, as torch makes one."""
    if is_contiguous(tensor):
        return tensor
    return known_of(frame, tensor.values, tensor.shape, tensor.floating, node, tensor.boolean)


def reshaped(frame, tensor: Constant, sizes: tuple, node, copy_if_needed: bool) -> Constant:
    """``view`` / ``reshape`` / ``flatten``: a view where the elements lie in order; reshape and flatten
    copy otherwise, and view is "not followed" there (torch's view may still work on some strides)."""
    total = math.prod(tensor.shape)
    if not all(type(s) is int for s in sizes) or sizes.count(-1) > 1:
        raise Unfollowable(f"a view of {tensor.describe()} to {describe(sizes)}", node)
    known_part = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        if known_part == 0 or total % known_part:
            raise_view(frame, sizes, total, node)
        sizes = tuple(total // known_part if s == -1 else s for s in sizes)
    if math.prod(sizes) != total or any(s < 0 for s in sizes):
        raise_view(frame, sizes, total, node)
    if is_contiguous(tensor):
        frame.charge(total, node)
        return view_of(tensor, sizes, list(range(total)))
    if not copy_if_needed:
        raise Unfollowable("a view of a tensor whose elements are not in order (torch may refuse it)", node)
    return known_of(frame, tensor.values, sizes, tensor.floating, node, tensor.boolean)


def raise_view(frame, sizes, total, node):
    from convcalc.frontends.python.pycore import raise_error

    raise raise_error(frame, "RuntimeError", (f"shape '{list(sizes)}' is invalid for input of size {total}",), node)


def flatten(frame, tensor: Constant, start, end, node) -> Constant:
    rank = len(tensor.shape)
    if rank == 0:
        return reshaped(frame, tensor, (1,), node, True)
    start, end = dim_of(frame, start, rank, node), dim_of(frame, end, rank, node)
    if start > end:
        raise Unfollowable("flatten() with start_dim after end_dim", node)
    shape = tensor.shape[:start] + (math.prod(tensor.shape[start:end + 1]),) + tensor.shape[end + 1:]
    return reshaped(frame, tensor, shape, node, True)


def unsqueeze(frame, tensor: Constant, dim, node) -> Constant:
    rank = len(tensor.shape)
    dim = dim_of(frame, dim, rank + 1, node)
    count = math.prod(tensor.shape)
    frame.charge(count, node)
    return view_of(tensor, tensor.shape[:dim] + (1,) + tensor.shape[dim:], list(range(count)))


def squeeze(frame, tensor: Constant, dim, node) -> Constant:
    shape = tensor.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        d = dim_of(frame, dim, len(shape), node)
        new = tuple(s for i, s in enumerate(shape) if i != d or s != 1)
    count = math.prod(shape)
    frame.charge(count, node)
    return view_of(tensor, new, list(range(count)))


def transpose(frame, tensor: Constant, a, b, node) -> Constant:
    rank = len(tensor.shape)
    order = list(range(rank))
    a, b = dim_of(frame, a, rank, node), dim_of(frame, b, rank, node)
    order[a], order[b] = order[b], order[a]
    return permute(frame, tensor, tuple(order), node)


def reduce(frame, tensor: Constant, kind: str, dim, keepdim: bool, node) -> Constant:
    """sum / mean / amax / amin over ``dim`` (an int or a tuple of them; None: every dim)."""
    rank = len(tensor.shape)
    if dim is None or dim == ():
        axes = list(range(rank))
    else:
        axes = sorted({dim_of(frame, d, rank, node) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))})
    if kind == "mean" and not tensor.floating:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("mean(): could not infer output dtype. Input dtype must be either "
                                                  "a floating point or complex dtype. Got: Long",), node)
    kept = [d for d in range(rank) if d not in axes]
    data, steps = tensor.values, strides(tensor.shape)
    # the elements with the kept dims first and the reduced last: each group is a run of ``size``
    order = kept + axes
    places = walk_places([[i * steps[d] for i in range(tensor.shape[d])] for d in order])
    size = math.prod(tensor.shape[d] for d in axes)
    pick = {"sum": sum, "mean": lambda xs: sum(xs) / len(xs), "amax": max, "amin": min}[kind]
    if size == 0:
        raise Unfollowable(f"{kind} of an empty tensor", node)
    results = [pick([data[p] for p in places[start:start + size]]) for start in range(0, len(places), size)]
    shape = tuple(1 if d in axes else s for d, s in enumerate(tensor.shape)) if keepdim else \
        tuple(tensor.shape[d] for d in kept)
    return known_of(frame, results, shape, tensor.floating, node)


def masked_fill(frame, tensor: Constant, mask, value, node) -> Constant:
    if not is_known(mask) or not mask.boolean:
        if isinstance(mask, Constant) and not mask.boolean:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "RuntimeError", ("masked_fill_ only supports boolean masks, but got mask with "
                                                      "dtype long int",), node)
        raise Unfollowable(f"masked_fill with {describe(mask)}", node)
    fill = value.values[0] if is_known(value) and len(value.values) == 1 else value
    from convcalc.frontends.python.pycore import is_number

    if not is_number(fill) or dims.is_symbolic(fill):
        raise Unfollowable(f"masked_fill with the value {describe(value)}", node)
    out = broadcast_shape(frame, [tensor.shape, mask.shape], node)
    if out != tensor.shape:
        raise Unfollowable("masked_fill whose mask is larger than the tensor", node)
    flags = [mask.values[p] for p in spread(mask.shape, out)]
    data = tensor.values
    return known_of(frame, [fill if f else x for x, f in zip(data, flags)], out, tensor.floating, node)


# ---------------------------------------------------------------- element-wise functions


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# name -> (function of one value, result is float whatever the input)
ELEMENTWISE = {"sign": (lambda x: (x > 0) - (x < 0), False), "abs": (abs, False), "neg": (lambda x: -x, False),
               "log2": (math.log2, True), "log": (math.log, True), "exp": (math.exp, True),
               "sqrt": (math.sqrt, True), "sigmoid": (sigmoid, True), "floor": (math.floor, False),
               "ceil": (math.ceil, False), "round": (round, False), "square": (lambda x: x * x, False),
               "sin": (math.sin, True), "cos": (math.cos, True), "tanh": (math.tanh, True)}


def elementwise(frame, tensor: Constant, name: str, node) -> Constant:
    fn, to_float = ELEMENTWISE[name]
    floating = to_float or tensor.floating
    data = tensor.values
    results = []
    for x in data:
        try:
            results.append(fn(x))
        except (ValueError, OverflowError, ZeroDivisionError):
            # log2(0) is -inf, log of a negative NaN, exp's overflow inf: IEEE's values, as torch gives them
            results.append(ieee(name, x))
    if floating and name in ("floor", "ceil", "round"):
        results = [float(r) for r in results]
    return known_of(frame, results, tensor.shape, floating, node)


def ieee(name: str, x: float) -> float:
    if name in ("log2", "log") and x == 0:
        return -math.inf
    if name == "exp" and x > 0:
        return math.inf
    return math.nan


def clamp(frame, tensor: Constant, low, high, node) -> Constant:
    from convcalc.frontends.python.pycore import is_number

    for bound in (low, high):
        if bound is not None and (not is_number(bound) or dims.is_symbolic(bound)):
            raise Unfollowable(f"clamp to {describe(bound)}", node)
    if low is None and high is None:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("torch.clamp: At least one of 'min' or 'max' must not be None",),
                          node)
    out = []
    for x in tensor.values:
        if low is not None:
            x = max(x, low)
        if high is not None:
            x = min(x, high)
        out.append(x)
    floating = tensor.floating or isinstance(low, float) or isinstance(high, float)
    return known_of(frame, out, tensor.shape, floating, node)


def roll(frame, tensor: Constant, shifts, dims_, node) -> Constant:
    """torch.roll: each element moved ``shifts`` places along ``dims`` (none: the flattened tensor)."""
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    if dims_ is None:
        flat = reshaped(frame, tensor, (-1,), node, True)
        rolled = roll(frame, flat, shifts, (0,), node)
        return reshaped(frame, rolled, tensor.shape, node, True)
    axes = tuple(dims_) if isinstance(dims_, (tuple, list)) else (dims_,)
    if len(axes) != len(shifts) or not all(type(s) is int for s in shifts):
        raise Unfollowable("torch.roll with these shifts and dims", node)
    rank = len(tensor.shape)
    axes = tuple(dim_of(frame, d, rank, node) for d in axes)
    choices = [list(range(n)) for n in tensor.shape]
    for shift, d in zip(shifts, axes):
        size = tensor.shape[d]
        if size:
            choices[d] = [(choices[d][i] - shift) % size for i in range(size)]
    data = tensor.values
    return known_of(frame, [data[p] for p in places_of(tensor.shape, choices)], tensor.shape, tensor.floating, node,
                    tensor.boolean)


# ---------------------------------------------------------------- making and joining


def stack(frame, tensors: list, dim, node) -> Constant:
    if not tensors:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("stack expects a non-empty TensorList",), node)
    shape = tensors[0].shape
    if any(t.shape != shape for t in tensors):
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("stack expects each tensor to be equal size",), node)
    dim = dim_of(frame, dim, len(shape) + 1, node)
    if not all(is_known(t) for t in tensors):
        return Constant(shape[:dim] + (len(tensors),) + shape[dim:], None, any(t.floating for t in tensors))
    outer = math.prod(shape[:dim])
    inner = math.prod(shape[dim:])
    datas = [t.values for t in tensors]
    values = [datas[k][o * inner + i] for o in range(outer) for k in range(len(datas)) for i in range(inner)]
    return known_of(frame, values, shape[:dim] + (len(tensors),) + shape[dim:], any(t.floating for t in tensors),
                    node)


def meshgrid(frame, tensors: list, indexing: str, node) -> tuple:
    """torch.meshgrid of 1-d tensors: with indexing "ij" each output is (len(t0), len(t1), ...),
    with "xy" the first two sizes swap (torch's and numpy's Cartesian order)."""
    if indexing not in ("ij", "xy"):
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                                                  f"received: {indexing}",), node)
    if not tensors:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("torch.meshgrid expects a non-empty TensorList",), node)
    for t in tensors:
        if len(t.shape) > 1:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "RuntimeError", ("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                                                      f"but got: {describe(t)}",), node)
    sizes = [t.shape[0] if t.shape else 1 for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    grid = [sizes[1], sizes[0], *sizes[2:]] if swap else sizes
    total = math.prod(grid)
    if total > MAX_ITEMS:
        raise Unfollowable(f"a grid of more than {MAX_ITEMS:,} values", node)
    out = []
    for k, t in enumerate(tensors):
        axis = (1 if k == 0 else 0 if k == 1 else k) if swap else k
        if not is_known(t):
            out.append(Constant(tuple(grid), None, t.floating))
            continue
        data = t.values
        steps = [1 if d == axis else 0 for d in range(len(grid))]
        values = [data[p] for p in walk_places([[i * st for i in range(n)] for n, st in zip(grid, steps)])]
        out.append(known_of(frame, values, tuple(grid), t.floating, node))
    return tuple(out)


def dtype_floating(value):
    """True for torch's float dtypes, False for its integer ones (and bool), None: not a dtype."""
    if isinstance(value, Ref):
        kind = value.qname.rsplit(".", 1)[-1]
        if kind in ("float", "float32", "float64", "double", "half", "float16", "bfloat16"):
            return True
        if kind in ("int", "int8", "int16", "int32", "int64", "long", "short", "uint8", "bool"):
            return False
    return None


def positional(args: Args, count: int, names: tuple, defaults: tuple) -> list:
    """The first ``count`` arguments by position or name, torch's defaults for those left out."""
    values = list(args.values[:count])
    for name, default in list(zip(names, defaults))[len(values):]:
        values.append(args.named.get(name, default))
    return values
