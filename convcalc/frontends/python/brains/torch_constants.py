"""Tensors of constants in a model file: made by torch (``torch.zeros(1, 16, 8)``,
``torch.arange(4)``, ``torch.linspace``) in ``__init__`` or forward, and ``nn.Parameter``'s: a
shape, and their values where they are known and few; their shape methods, indexing and
arithmetic. Made in forward with the batch's size (``torch.zeros(x.size(0), 64, h, w)``,
``self.cls_token.expand(b, -1, -1)``), a tensor for each sample (the catalogue's new_full)."""
from __future__ import annotations

import math
import struct

from convcalc.frontends.python import forward
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Args, Builtin, Ref, describe, described
from convcalc.frontends.python.reasons import Unfollowable, Why
from convcalc.frontends.python.tensors import BATCH, Tensor
from convcalc.frontends.python.torchobjects import Constant, Parameter
from convcalc.symbolic import dims


# methods whose result has the shape of the tensor they are given
SAME_METHODS = {"contiguous", "clone", "detach", "float", "double", "half", "cpu", "cuda", "to", "requires_grad_",
                "type", "bfloat16", "type_as", "clamp", "clamp_", "clip", "pow", "exp", "log", "abs", "sqrt", "neg",
                "masked_fill", "masked_fill_", "fill_", "zero_", "normal_", "uniform_", "exp_", "sigmoid_",
                "mul_", "add_", "div_", "sub_", "abs_", "sign", "round", "floor", "ceil", "square", "rsqrt",
                "reciprocal", "log_softmax_", "detach_", "cos", "sin", "erf", "tril", "triu", "flip", "roll",
                "cumsum", "softplus", "nan_to_num", "pin_memory", "long", "int", "bool"}

def as_sizes(values: list):
    """``x.permute(0, 2, 1)`` and ``x.permute((0, 2, 1))`` alike: the sizes as a tuple."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        return tuple(values[0])
    return tuple(values)


# ---------------------------------------------------------------- tensors of constants


def f32(x: float) -> float:
    """x rounded to the nearest float32, as a tensor of dtype float32 holds it."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def known(values: list, floating: bool, shape=None) -> Constant:
    if len(values) > MAX_ITEMS:
        raise Unfollowable(f"a tensor of more than {MAX_ITEMS:,} values", None)
    values = [f32(float(v)) for v in values] if floating else [int(v) for v in values]
    return Constant(tuple(shape) if shape is not None else (len(values),), values, floating)


def as_known(value, node) -> Constant:
    from convcalc.frontends.python.pycore import is_number

    if isinstance(value, Constant) and value.values is not None:
        return value
    if isinstance(value, bool) or is_number(value) and not dims.is_symbolic(value):
        return known([value], isinstance(value, float), ())
    if isinstance(value, (list, tuple)):
        flat, shape = flatten_nested(value, node)
        return known(flat, any(isinstance(v, float) for v in flat), shape)
    raise Unfollowable(f"a tensor of {describe(value)}", node)


def flatten_nested(value, node) -> tuple:
    """(values row-major, shape) of nested lists of numbers."""
    if isinstance(value, (list, tuple)):
        parts = [flatten_nested(v, node) for v in value]
        shapes = {p[1] for p in parts}
        if len(shapes) > 1:
            raise Unfollowable("a tensor of ragged lists", node)
        inner = shapes.pop() if shapes else ()
        return [x for p in parts for x in p[0]], (len(value),) + inner
    if isinstance(value, (int, float)) and not isinstance(value, complex):
        return [value], ()
    raise Unfollowable(f"a tensor of {describe(value)}", node)


BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
          "**": lambda a, b: a ** b, "//": lambda a, b: a // b, "%": lambda a, b: a % b}


def constant_binop(frame, op: str, left, right, node):
    """Arithmetic with constant tensors: their broadcast shape, and their values where both are known."""
    shapes = [v.shape if isinstance(v, (Constant, Parameter)) else () for v in (left, right)]
    from convcalc.frontends.python.pycore import is_number

    if op not in BINARY or not all(isinstance(v, (Constant, Parameter)) or is_number(v) for v in (left, right)):
        raise Unfollowable(f"{op} of {describe(left)} and {describe(right)}", node)
    from convcalc.frontends.python.brains.known_tensors import arithmetic

    worked = arithmetic(frame, op, left, right, node)  # both known: torch's values, broadcast over any rank
    if worked is not None:
        return worked
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    out = []
    for a, b in zip(*padded):
        if a != b and 1 not in (a, b):
            raise Unfollowable(f"{op} of constant tensors of shapes {shapes[0]} and {shapes[1]}", node)
        out.append(b if a == 1 else a)
    values = [v.values if isinstance(v, Constant) else None if isinstance(v, Parameter) else [v] for v in
              (left, right)]
    if any(v is None for v in values) or any(len(s) > 1 for s in shapes) and shapes[0] != shapes[1] and \
            min(len(v) for v in values) != 1:
        return Constant(tuple(out))
    a, b = values
    count = max(len(a), len(b))
    a, b = (a * count if len(a) == 1 else a), (b * count if len(b) == 1 else b)
    floating = op == "/" or any(isinstance(v, Constant) and v.floating or isinstance(v, float) for v in (left, right))
    try:
        return known([BINARY[op](x, y) for x, y in zip(a, b)], floating, tuple(out))
    except (ZeroDivisionError, OverflowError, ValueError):
        raise Unfollowable(f"{op} of these values", node) from None


UNARY = {"log": (math.log, True), "exp": (math.exp, True), "sqrt": (math.sqrt, True), "round": (round, False),
         "floor": (math.floor, False), "ceil": (math.ceil, False), "abs": (abs, False)}


def known_values_call(frame, name: str, args: Args, node):
    """torch.<name>(...) on tensors of known values (RegNet's widths: arange, log, round, diff)."""
    values = args.values
    from convcalc.frontends.python.brains.known_calls import function

    worked = function(frame, name, args, node)
    if worked is not None:
        return worked
    if name in UNARY:
        tensor = as_known(values[0], node)
        fn, to_float = UNARY[name]
        try:
            return known([fn(v) for v in tensor.values], to_float or tensor.floating, tensor.shape)
        except (ValueError, OverflowError):
            raise Unfollowable(f"torch.{name} of these values", node) from None
    if name == "diff":
        tensor = as_known(values[0], node)
        return known([b - a for a, b in zip(tensor.values, tensor.values[1:])], tensor.floating)
    ops = {"pow": "**", "divide": "/", "div": "/", "mul": "*", "add": "+", "sub": "-"}
    if name in ops and len(values) == 2:
        return constant_binop(frame, ops[name], as_known(values[0], node), values[1], node)
    raise Unfollowable(f"torch.{name} of a constant tensor", node)


def constant_attr(frame, value, name: str, node):
    """``shape``, ``size()``, ``dim()`` and the conversions of a constant tensor (or a Parameter)."""
    shape = tuple(value.shape)
    if name == "shape":
        return shape
    if name in ("ndim",):
        return len(shape)
    if name == "data":
        return value
    if name == "device":
        from convcalc.frontends.python.torchobjects import Device

        return Device()
    if name in ("dtype", "requires_grad"):
        return Ref(f"tensor.{name}") if name != "requires_grad" else getattr(value, "trainable", False)
    if name == "size":
        return Builtin("size", lambda f, args, n: shape if not args.values else shape[args.values[0]])
    if name == "dim":
        return Builtin("dim", lambda f, args, n: len(shape))
    if name == "numel":
        return Builtin("numel", lambda f, args, n: math.prod(shape))
    if isinstance(value, Constant) and value.known:
        return Builtin(name, lambda f, args, n: known_method(f, value, name, args, n))
    if name in SAME_METHODS or name in ("view", "reshape", "expand", "unsqueeze", "squeeze", "permute", "repeat",
                                       "transpose", "flatten", "astype"):
        return Builtin(name, lambda f, args, n: constant_method(f, value, name, args, n))
    if name in SHAPE_REDUCTIONS:
        return Builtin(name, lambda f, args, n: reduced_shape(f, value, name, args, n))
    raise Unfollowable(f"the attribute {name} of {describe(value)}", node)


def known_method(frame, tensor: Constant, name: str, args: Args, node):
    """.int(), .long(), .float(), .tolist(), .item() of a tensor of known values, and the methods
    known_calls.py works out."""
    from convcalc.frontends.python.brains.known_calls import method

    worked = method(frame, tensor, name, args, node)
    if worked is not None:
        return worked
    if name in ("int", "long"):
        return known([math.trunc(v) for v in tensor.values], False, tensor.shape)
    if name in ("float", "double"):
        return known(tensor.values, True, tensor.shape)
    if name == "astype" and len(args.values) == 1 and isinstance(args.values[0], Ref):  # numpy's: np.float32
        kind = args.values[0].qname.rsplit(".", 1)[-1]
        if kind.startswith(("float", "double")):
            return known(tensor.values, True, tensor.shape)
        if kind.startswith(("int", "uint", "long")):
            return known([math.trunc(v) for v in tensor.values], False, tensor.shape)
    if name == "tolist":
        if tensor.shape == ():
            return tensor.values[0]  # a 0-d tensor's tolist() is its number
        return list(tensor.values) if len(tensor.shape) == 1 else nest(tensor.values, tensor.shape)
    if name == "item" and len(tensor.values) == 1:
        return tensor.values[0]
    if name in SAME_METHODS:
        return tensor
    from convcalc.frontends.python.brains.numpy_brain import whole

    found = whole(frame, tensor, name, args, node)  # a.sum(), a.max(), a.astype(int) of known values
    return found if found is not None else constant_method(frame, tensor, name, args, node)


def to_batch(frame, tensor, name: str, values: list, node):
    """``self.cls_token.expand(b, -1, -1)``, ``.repeat(b, 1, 1)``: a constant or a parameter made a
    tensor for each sample of the batch (its leading size of 1 becomes the batch's)."""
    shape = tuple(tensor.shape)
    if name not in ("expand", "repeat") or values[0] is not BATCH or any(v is BATCH for v in values[1:]) or \
            len(values) < len(shape) or not all(type(v) is int for v in values[1:]):
        raise Unfollowable(f"x.{name}() of {tensor.describe()} to sizes with the batch's", node)
    padded = (1,) * (len(values) - len(shape)) + shape
    if padded[0] != 1:
        raise Unfollowable(f"x.{name}() of {tensor.describe()}: its first size {padded[0]} made the batch's", node)
    if name == "repeat":
        return new_tensor(frame, tuple(s * v for s, v in zip(padded[1:], values[1:])), None, node)
    for s, v in zip(padded[1:], values[1:]):
        if v != -1 and s != 1 and s != v:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "RuntimeError", (f"The expanded size of the tensor ({v}) must match the "
                                                      f"existing size ({s}) at a non-singleton dimension",), node)
    return new_tensor(frame, tuple(s if v == -1 else v for s, v in zip(padded[1:], values[1:])), None, node)


def new_tensor(frame, shape: tuple, fill, node) -> Tensor:
    """A tensor made in forward for each sample of the batch (the catalogue's new_full, beside the
    tensor flowing): ``fill`` its values, None when not known."""
    trace = forward.need_trace(frame, node)
    return forward.emit_op(frame, "new_full", [trace.current or trace.root], ((-1, *shape), fill), node)


def nest(values: list, shape: tuple):
    if len(shape) <= 1:
        return list(values)
    step = len(values) // shape[0]
    return [nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


SHAPE_REDUCTIONS = ("sum", "mean", "amax", "amin", "unbind")


def reduced_shape(frame, tensor, name: str, args: Args, node):
    """x.sum(dim) / x.unbind(dim) of a tensor whose values are not known: the shapes it gives."""
    from convcalc.frontends.python.brains.known_calls import bound_args
    from convcalc.layers.operations import MAX_PIECES

    shape = tuple(tensor.shape)
    params = (("dim", 0),) if name == "unbind" else (("dim", None), ("keepdim", False))
    bound = bound_args(frame, f"Tensor.{name}", params, args, node)
    chosen = bound["dim"] if isinstance(bound["dim"], tuple) else (bound["dim"],)
    if not shape or not chosen or not all(type(d) is int and -len(shape) <= d < len(shape) for d in chosen):
        raise Unfollowable(f"{name} over dim {describe(bound['dim'])} of {tensor.describe()}", node)
    axes = {d % len(shape) for d in chosen}
    if name == "unbind":
        (at,) = axes
        if shape[at] > MAX_PIECES:
            raise Unfollowable(f"unbind into {shape[at]:,} tensors", node)
        return tuple(Constant(shape[:at] + shape[at + 1:]) for _ in range(shape[at]))
    return Constant(tuple(1 if i in axes else d for i, d in enumerate(shape)) if bound["keepdim"] is True else
                    tuple(d for i, d in enumerate(shape) if i not in axes))


def constant_method(frame, tensor, name: str, args: Args, node):
    """The shape methods of a constant tensor (its values are dropped: a shape is what is followed)."""
    shape = tuple(tensor.shape)
    values = list(as_sizes(args.values))
    if name in SAME_METHODS or name == "astype":  # the values are dropped: the shape stays
        return tensor
    if any(v is BATCH for v in values):
        return to_batch(frame, tensor, name, values, node)
    if name in ("view", "reshape"):
        total = math.prod(shape)
        known_part = math.prod(v for v in values if v != -1)
        if known_part == 0 or not all(type(v) is int for v in values):
            raise Unfollowable(f"a view of {shape} to {described(values)}", node)
        new = tuple(total // known_part if v == -1 else v for v in values)
        if math.prod(new) != total:
            raise Unfollowable(f"a view of {shape} to {tuple(values)}", node)
        return Constant(new, tensor.values if isinstance(tensor, Constant) else None)
    if name == "unsqueeze":
        dim = values[0] % (len(shape) + 1)
        return Constant(shape[:dim] + (1,) + shape[dim:])
    if name == "squeeze":
        return Constant(tuple(s for s in shape if s != 1) if not values else
                        tuple(s for i, s in enumerate(shape) if i != values[0] % len(shape) or s != 1))
    if name == "expand":
        return Constant(tuple(s if v == -1 else v for s, v in zip((1,) * (len(values) - len(shape)) + shape, values)))
    if name == "repeat":
        padded = (1,) * (len(values) - len(shape)) + shape
        return Constant(tuple(a * b for a, b in zip(padded, values)))
    if name == "permute":
        return Constant(tuple(shape[d] for d in values))
    if name == "transpose":
        order = list(range(len(shape)))
        a, b = values[0] % len(shape), values[1] % len(shape)
        order[a], order[b] = order[b], order[a]
        return Constant(tuple(shape[d] for d in order))
    if name == "flatten":  # flatten(start_dim=0, end_dim=-1) of the shape
        start, end = (list(values) + [0, -1][len(values):])[:2] if len(values) <= 2 else (None, None)
        start, end = args.named.get("start_dim", start), args.named.get("end_dim", end)
        rank = max(len(shape), 1)
        if type(start) is not int or type(end) is not int or not -rank <= start < rank or not -rank <= end < rank:
            raise Unfollowable(f"flatten({described(values)}) of {tensor.describe()}", node)
        start, end = start % rank, end % rank
        if not shape or start > end:
            return Constant((math.prod(shape),) if not shape else shape)
        return Constant(shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])
    raise Unfollowable(f"x.{name}() of a constant tensor", node)


def constant_index(frame, tensor, key, node):
    """Indexing a constant tensor or a Parameter (``self.weight[:, None, None]``): its shape."""
    shape = list(tensor.shape)
    keys = list(key) if isinstance(key, tuple) else [key]
    if any(isinstance(k, (Constant, list)) for k in keys) or \
            isinstance(tensor, Constant) and tensor.known and (len(shape) != 1 or tensor.base is not None):
        from convcalc.frontends.python.brains.known_tensors import index

        return index(frame, tensor, key, node)  # views of known values, and index tensors (a bias table's)
    if Ellipsis in keys:
        at = keys.index(Ellipsis)
        keys[at:at + 1] = [slice(None)] * (len(shape) - (len(keys) - 1 - keys.count(None)))
    out, dim = [], 0
    values = tensor.values if isinstance(tensor, Constant) and len(shape) == 1 else None
    for item in keys:
        if item is None:
            out.append(1)
            continue
        if dim >= len(shape):
            raise Unfollowable("too many indices for a constant tensor", node)
        if isinstance(item, slice):
            for bound in (item.start, item.stop, item.step):
                if bound is not None and type(bound) is not int:
                    if dims.is_symbolic(bound):  # self.pos[:, :n + 1], n from the input: followed on its sizes
                        raise Unfollowable(f"slicing a constant tensor at a size of the input ({dims.render(bound)})",
                                           node, kind=Why.SIZE)
                    raise Unfollowable(f"slicing a constant tensor by {describe(bound)}", node)
            part = range(shape[dim])[item]
            out.append(len(part))
            if values is not None:
                values = [values[i] for i in part]
        elif type(item) is int:
            if not -shape[dim] <= item < shape[dim]:
                from convcalc.frontends.python.pycore import raise_error

                raise raise_error(frame, "IndexError", (f"index {item} is out of bounds for dimension {dim} with "
                                                        f"size {shape[dim]}",), node)
            if values is not None:
                return values[item] if len(out) == 0 and len(keys) == 1 else known([values[item]], tensor.floating, ())
        else:
            raise Unfollowable(f"indexing a constant tensor with {describe(item)}", node)
        dim += 1
    out.extend(shape[dim:])
    return Constant(tuple(out), values if values is not None and len(values) == math.prod(out) else None,
                    getattr(tensor, "floating", True))


def constant_rows(frame, tensor: Constant, node) -> list:
    if tensor.values is not None and len(tensor.shape) == 1:
        return [known([v], tensor.floating, ()) for v in tensor.values]
    raise Unfollowable(f"iterating over {tensor.describe()}", node)


# ---------------------------------------------------------------- making tensors


CREATION = ("zeros", "ones", "randn", "rand", "empty", "full", "Tensor", "FloatTensor", "LongTensor", "randint",
            "normal", "eye")


def make_tensor(frame, qname: str, args: Args, node):
    """torch.zeros(1, 16, 8), torch.randn(2, 3, 32, 32): a tensor of constant sizes (script code's
    input to a model, an nn.Parameter's value)."""
    name = qname.rsplit(".", 1)[-1]
    sizes = args.values
    if name in ("Tensor", "FloatTensor", "LongTensor") and len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        return as_known(sizes[0], node)  # torch.FloatTensor(rows): its data (a tuple too; only torch.Size is sizes)
    if name == "full":
        sizes = sizes[:1]
    if name == "randint":
        sizes = [v for v in sizes if isinstance(v, (tuple, list))][:1] or args.named.get("size", [])
    if name == "eye":
        sizes = [sizes[0], sizes[1] if len(sizes) > 1 else sizes[0]] if sizes else []
    if name == "normal":
        sizes = [args.named.get("size", ())]
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = list(sizes[0])
    fill = {"zeros": 0.0, "ones": 1.0}.get(name)
    if name == "full" and len(args.values) > 1 and isinstance(args.values[1], (int, float)):
        fill = float(args.values[1])
    made = sum(s is BATCH for s in sizes) == 1 and sizes[0] is not BATCH and \
        name in ("zeros", "ones", "empty", "randn", "rand")
    if made and frame.trace is not None and frame.trace.root is not None and \
            all(s is BATCH or (type(s) is int and s >= 0) for s in sizes):
        # torch.zeros(num_layers, x.size(0), hidden): a new tensor with the batch where the size stands
        from convcalc.frontends.python.brains.torch_tensors import op_call

        return op_call(frame, "new_zeros", [frame.trace.root], Args([(tuple(sizes), node)]), node)
    if sizes and sizes[0] is BATCH and name not in ("eye", "randint", "normal"):
        # torch.zeros(x.size(0), 64, h, w) in forward: a tensor for each sample (the catalogue's new_full)
        if frame.trace is None:
            raise Unfollowable(f"{qname}(...) of the batch size outside forward", node)
        rest = sizes[1:]
        if not all((type(s) is int and s >= 0) or dims.is_symbolic(s) for s in rest):
            raise Unfollowable(f"{qname} of {described(rest)}", node)
        return new_tensor(frame, tuple(rest), fill, node)
    if not all(type(s) is int and s >= 0 for s in sizes):
        if any(dims.is_symbolic(s) for s in sizes):
            raise Unfollowable(f"{qname} of the input's size: a new tensor made in forward", node, kind=Why.SIZE)
        raise Unfollowable(f"{qname} of {described(sizes) or 'no sizes'}", node)
    total = math.prod(sizes)
    if name in ("zeros", "ones") and total <= 4096:
        return Constant(tuple(sizes), [0.0 if name == "zeros" else 1.0] * total)
    if name == "full" and total <= 4096 and len(args.values) > 1 and isinstance(args.values[1], (int, float)):
        return Constant(tuple(sizes), [float(args.values[1])] * total)
    return Constant(tuple(sizes))


def range_bounds(values, named: dict, end: str):
    """(start, end, step) of arange as torch and numpy bind it (``arange(0, n, step=2)``,
    ``arange(end=5)``), ``end`` the name of the bound ("end" in torch, "stop" in numpy); None for a
    call that fits neither form."""
    given = {k: named[k] for k in ("start", end, "step") if k in named}
    if len(values) == 1 and not given:
        return 0, values[0], 1
    if len(values) == 2 and set(given) <= {"step"}:
        return values[0], values[1], given.get("step", 1)
    if len(values) == 3 and not given:
        return tuple(values)
    if not values and end in given:
        return given.get("start", 0), given[end], given.get("step", 1)
    return None


def numeric(frame, qname: str, args: Args, node):
    """torch.tensor(...), torch.arange(...), torch.linspace(...): tensors of known values."""
    name = qname.rsplit(".", 1)[-1]
    values = args.values
    if any(dims.is_symbolic(v) for v in values):  # torch.arange(x.size(2)): followed on the input's sizes
        raise Unfollowable(f"{qname} of the input's size: a new tensor made in forward", node, kind=Why.SIZE)
    if name in ("tensor", "as_tensor", "Tensor", "LongTensor", "FloatTensor") and values:
        return as_known(values[0], node)
    if name == "arange":
        bounds = range_bounds(values, args.named, "end")
        if bounds is None or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in bounds):
            raise Unfollowable("torch.arange with these arguments", node)
        start, end, step = bounds
        values = list(bounds)
        if step == 0 or (end - start) / step > MAX_ITEMS:
            raise Unfollowable("torch.arange of very many values", node)
        count = max(0, math.ceil((end - start) / step))
        from convcalc.frontends.python.brains.known_tensors import dtype_floating

        floating = dtype_floating(args.named.get("dtype"))  # dtype=torch.float32: a float tensor of these values
        if floating is None:
            floating = any(isinstance(a, float) for a in values)
        return known([start + i * step for i in range(count)], floating)
    if name == "linspace":
        start, end, steps = (list(values) + [args.named.get(k) for k in ("start", "end", "steps")[len(values):]])[:3]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, end)) or \
                type(steps) is not int or steps < 0 or steps > MAX_ITEMS:
            raise Unfollowable("torch.linspace with these arguments", node)
        if steps == 1:
            return known([start], True)
        return known([start + (end - start) * i / (steps - 1) for i in range(steps)], True)
    return known_values_call(frame, name, args, node)
