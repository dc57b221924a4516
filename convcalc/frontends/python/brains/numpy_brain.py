"""numpy as model files use it while a model is built: products and sums of sizes
(``np.prod(shape)``), small arrays of known values (``np.linspace(0, 0.1, 12)`` for a drop-path
schedule, ``np.arange``, ``np.array``, ``np.cumsum``), and the element-wise functions of numbers
(``np.sqrt``, ``np.ceil``). An array is a constant tensor of known values (torch_tensors.py's),
its values as numpy computes them in float64 (not float32)."""
from __future__ import annotations

import math

from convcalc.frontends.python import pycore
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Args
from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.frontends.python.torchobjects import Constant
from convcalc.symbolic import dims


def array(values, floating: bool, shape=None) -> Constant:
    if len(values) > MAX_ITEMS:
        raise Unfollowable(f"an array of more than {MAX_ITEMS:,} values", None)
    values = [float(v) for v in values] if floating else [int(v) for v in values]
    return Constant(tuple(shape) if shape is not None else (len(values),), values, floating)


def items(frame, value, node) -> list:
    """The values of an array, a list or a number, flat."""
    if isinstance(value, Constant):
        if value.values is None:
            raise Unfollowable("the values of a tensor convcalc knows only the shape of", node)
        return list(value.values)
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(items(frame, v, node))
        return out
    if pycore.is_number(value):
        return [value]
    raise Unfollowable(f"numpy of {pycore.describe(value)}", node)


def floating(values) -> bool:
    return any(isinstance(v, float) for v in values)


def whole_array(qname: str, args, node) -> None:
    """np.sum(a), np.prod(a), np.max(a), np.cumsum(a): followed over the whole array only; an axis or
    any other argument is said, never dropped (a sum over axis 0 is no total)."""
    if len(args.values) != 1 or args.named:
        raise Unfollowable(f"{qname} with an axis or other arguments", node)


def _prod(frame, qname, args, node):
    whole_array(qname, args, node)
    total = 1
    for v in items(frame, args.values[0], node):
        total = pycore.binop(frame, "*", total, v, node)
    return total


def _sum(frame, qname, args, node):
    whole_array(qname, args, node)
    total = 0
    for v in items(frame, args.values[0], node):
        total = pycore.binop(frame, "+", total, v, node)
    return total


def _extreme(pick):
    def apply(frame, qname, args, node):
        whole_array(qname, args, node)
        values = items(frame, args.values[0], node)
        if not values:
            raise pycore.value_error(frame, "zero-size array to reduction operation which has no identity", node)
        if any(dims.is_symbolic(v) for v in values):
            raise size_dependent(f"{qname} of the input's size", node)
        return pick(values)
    return apply


def _round(frame, qname, args, node):
    """np.round(x, decimals): numpy scales, rounds half to even and scales back (not Python's
    round of the decimal text: np.round(2.675, 2) is 2.68)."""
    values = args.values
    digits = values[1] if len(values) > 1 else args.named.get("decimals", 0)
    if type(digits) is not int or abs(digits) > 300:
        raise Unfollowable(f"{qname} with these decimals", node)
    scale = 10.0 ** abs(digits)

    def one(v):
        if isinstance(v, int) and digits >= 0 or isinstance(v, float) and not math.isfinite(v):
            return v
        if digits >= 0:
            return float(round(v * scale)) / scale
        return float(round(v / scale)) * scale
    return _elementwise(one, keeps_int=True)(frame, qname, Args.of(values[0]), node)


def whole(frame, tensor: Constant, name: str, args, node):
    """An array's own reductions and conversions (a.sum(), a.max(), a.astype(int)), or None."""
    if name in ("sum", "max", "min") and not args.values and not args.named and tensor.values:
        pick = {"sum": sum, "max": max, "min": min}[name]
        return Constant((), [pick(tensor.values)], tensor.floating)
    if name == "astype" and len(args.values) == 1:
        kind = args.values[0]
        label = getattr(kind, "name", None) or getattr(kind, "qname", "")
        if label in ("int", "float") or label.rsplit(".", 1)[-1] in NUMPY_KINDS:
            floating = label == "float" or NUMPY_KINDS.get(label.rsplit(".", 1)[-1], False)
            return array(tensor.values, floating, tensor.shape)
    return None


# numpy's scalar types by name: whether each is floating
NUMPY_KINDS = {"int8": False, "int16": False, "int32": False, "int64": False, "uint8": False, "int_": False,
               "float16": True, "float32": True, "float64": True, "float_": True, "double": True}


def _elementwise(fn, keeps_int: bool = False):
    def apply(frame, qname, args, node):
        value = args.values[0]
        if dims.is_symbolic(value):
            raise size_dependent(f"{qname} of the input's size", node)
        if pycore.is_number(value):
            out = fn(value)
            return float(out) if not keeps_int else out
        values = [fn(v) for v in items(frame, value, node)]
        shape = value.shape if isinstance(value, Constant) else None
        return array(values, not keeps_int or floating(values), shape)
    return apply


def _binary(symbol: str):
    """np.power, np.divide, ...: two numbers or arrays of known values, a number broadcast to an
    array's shape or two arrays of one shape (numpy's result: floating where either is, or for
    a true division)."""
    def apply(frame, qname, args, node):
        if len(args.values) != 2 or args.keywords:
            raise Unfollowable(f"{qname} with these arguments", node)
        a, b = args.values
        if dims.is_symbolic(a) or dims.is_symbolic(b):
            raise size_dependent(f"{qname} of the input's size", node)
        shapes = [v.shape for v in (a, b) if isinstance(v, Constant)]
        left, right = items(frame, a, node), items(frame, b, node)
        if any(shape != shapes[0] for shape in shapes) or (not shapes and (len(left), len(right)) != (1, 1)) or \
                (isinstance(a, (list, tuple)) or isinstance(b, (list, tuple))):
            raise Unfollowable(f"{qname} of arrays of other shapes", node)
        real = symbol == "/" or floating(left) or floating(right)
        if symbol == "**" and not real and any(v < 0 for v in right):
            raise Unfollowable(f"{qname} of integers to a negative power", node)
        if len(left) == 1 and len(right) > 1:
            left = left * len(right)
        if len(right) == 1 and len(left) > 1:
            right = right * len(left)
        out = [pycore.binop(frame, symbol, float(x) if real else x, y, node) for x, y in zip(left, right)]
        if not shapes:
            return float(out[0]) if real else out[0]
        return array(out, real, shapes[0])
    return apply


def _unique(frame, qname, args, node):
    """np.unique(values[, return_counts=True]): the distinct values, sorted, in one dimension (and
    how often each occurs)."""
    counts = args.named.get("return_counts", False)
    if len(args.values) != 1 or set(args.named) - {"return_counts"} or type(counts) is not bool:
        raise Unfollowable(f"{qname} with these arguments", node)
    values = items(frame, args.values[0], node)
    distinct = sorted(set(values))
    made = array(distinct, floating(values))
    return (made, array([values.count(v) for v in distinct], False)) if counts else made


def _split(frame, qname, args, node):
    """np.split(values, sections or indices) of one dimension: a list of arrays, as numpy cuts them
    (sections that do not divide the length raise ValueError, as numpy's)."""
    if len(args.values) != 2 or args.keywords:
        raise Unfollowable(f"{qname} with these arguments", node)
    whole, where = args.values
    if isinstance(whole, Constant) and len(whole.shape) != 1:
        raise Unfollowable(f"{qname} of an array of {len(whole.shape)} dimensions", node)
    values = items(frame, whole, node)
    real = isinstance(whole, Constant) and whole.floating or floating(values)
    if type(where) is int:
        if where <= 0 or len(values) % where:
            raise pycore.raise_error(frame, "ValueError", ("array split does not result in an equal division",), node)
        step = len(values) // where
        cuts = list(range(step, len(values), step))
    else:
        cuts = items(frame, where, node)
        if not all(type(c) is int for c in cuts):
            raise Unfollowable(f"{qname} at indices that are not integers", node)
    pieces, start = [], 0
    for cut in cuts + [len(values)]:
        stop = max(min(cut if cut >= 0 else cut + len(values), len(values)), 0)
        pieces.append(array(values[start:max(stop, start)], real))
        start = max(stop, start)
    return pieces


def _linspace(frame, qname, args, node):
    values = args.values
    start, stop, num = (list(values) + [args.named.get(k, 50 if k == "num" else None)
                                        for k in ("start", "stop", "num")[len(values):]])[:3]
    if not all(pycore.is_number(v) and not dims.is_symbolic(v) for v in (start, stop)) or type(num) is not int or not 0 <= num <= MAX_ITEMS:
        raise Unfollowable("np.linspace with these arguments", node)
    if num == 1:
        return array([start], True)
    step = (stop - start) / (num - 1)
    return array([start + i * step for i in range(num - 1)] + [stop], True)


def _arange(frame, qname, args, node):
    from convcalc.frontends.python.brains.torch_constants import range_bounds

    bounds = range_bounds(args.values, args.named, "stop")
    if bounds is None or not all(pycore.is_number(v) and not dims.is_symbolic(v) for v in bounds):
        raise Unfollowable(f"{qname} with these arguments", node)
    start, stop, step = values = bounds
    if step == 0 or (stop - start) / step > MAX_ITEMS:
        raise Unfollowable("np.arange of very many values", node)
    count = max(0, math.ceil((stop - start) / step))
    return array([start + i * step for i in range(count)], floating(values))


def _array(frame, qname, args, node):
    from convcalc.frontends.python.brains.torch_constants import flatten_nested

    flat, shape = flatten_nested(args.values[0], node)
    return array(flat, floating(flat), shape)


def _atleast_1d(frame, qname, args, node):
    """np.atleast_1d(k): an array as it is, a number or a list as an array (monai's kernel sizes)."""
    if len(args.values) != 1 or args.keywords:
        raise Unfollowable(f"{qname} with these arguments", node)
    value = args.values[0]
    if isinstance(value, Constant) and value.shape:
        return value
    if dims.is_symbolic(value):
        raise size_dependent(f"{qname} of the input's size", node)
    return _array(frame, qname, Args.of(value if isinstance(value, (list, tuple)) else [value]), node)


def _truth(pick):
    """np.any / np.all of an array, a list or a number (numpy's bool)."""
    def apply(frame, qname, args, node):
        if len(args.values) != 1 or args.keywords:
            raise Unfollowable(f"{qname} with these arguments", node)
        values = items(frame, args.values[0], node)
        if any(dims.is_symbolic(v) for v in values):
            raise size_dependent(f"{qname} of the input's size", node)
        return pick(bool(v) for v in values)
    return apply


def _cumsum(frame, qname, args, node):
    whole_array(qname, args, node)
    out, total = [], 0
    for v in items(frame, args.values[0], node):
        total += v
        out.append(total)
    return array(out, floating(out))


def _eye(frame, qname, args, node):
    """np.eye(n) (pointnet's identity transform): an n x n array of known values."""
    n = args.values[0] if len(args.values) == 1 and not args.keywords else None
    if type(n) is not int or not 0 <= n <= 64:
        raise Unfollowable(f"{qname} of {n!r}", node)
    return array([1.0 if i == j else 0.0 for i in range(n) for j in range(n)], True, (n, n))


def register_all() -> None:
    for module in ("numpy", "np"):
        register(f"{module}.prod {module}.product", _prod)
        register(f"{module}.sum", _sum)
        register(f"{module}.linspace", _linspace)
        register(f"{module}.arange", _arange)
        register(f"{module}.array {module}.asarray", _array)
        register(f"{module}.cumsum", _cumsum)
        register(f"{module}.atleast_1d", _atleast_1d)
        register(f"{module}.any", _truth(any))
        register(f"{module}.all", _truth(all))
        register(f"{module}.round {module}.around", _round)
        register(f"{module}.max {module}.amax", _extreme(max))
        register(f"{module}.min {module}.amin", _extreme(min))
        register(f"{module}.eye {module}.identity", _eye)
        register(f"{module}.unique", _unique)
        register(f"{module}.split", _split)
        for name, symbol in (("power", "**"), ("divide", "/"), ("true_divide", "/"), ("multiply", "*"),
                             ("add", "+"), ("subtract", "-")):
            register(f"{module}.{name}", _binary(symbol))
        for name, fn, keeps in (("sqrt", math.sqrt, False), ("ceil", math.ceil, False), ("floor", math.floor, False),
                                ("log", math.log, False), ("log2", math.log2, False), ("exp", math.exp, False),
                                ("abs", abs, True)):
            register(f"{module}.{name}", _elementwise(fn, keeps))
    CONSTANTS.update({"numpy.pi": math.pi, "numpy.e": math.e, "numpy.inf": math.inf, "numpy.nan": math.nan})


register_all()
