"""torch's functions and tensors: the functional spellings of layers (convcalc/layers/functional.py)
and of tensor operations (convcalc/layers/operations.py: each declaration's ``spellings``), the
methods of a tensor flowing through forward, torch.cat, the calls that keep a tensor's shape,
and tensors made from constants (``torch.zeros(1, 16, 8)``, ``torch.arange(4)``): a shape, and
their values where they are known and few."""
from __future__ import annotations

import math
import struct

from convcalc.frontends.python import forward
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Args, Builtin, Ref, Unknown, describe
from convcalc.frontends.python.reasons import Unfollowable, Why
from convcalc.frontends.python.tensors import BATCH, Tensor
from convcalc.frontends.python.torchobjects import Constant, Parameter
from convcalc.layers.functional import FUNCTIONAL, SKIPPED_ARGS, TENSOR_METHODS, WEIGHT_ARGS
from convcalc.layers.operations import MAX_PIECES, OPERATIONS, chunk_count
from convcalc.symbolic import dims

F = "torch.nn.functional."

# methods and functions whose result has the shape of the tensor they are given
SAME_METHODS = {"contiguous", "clone", "detach", "float", "double", "half", "cpu", "cuda", "to", "requires_grad_",
                "type", "bfloat16", "type_as", "clamp", "clamp_", "clip", "pow", "exp", "log", "abs", "sqrt", "neg",
                "masked_fill", "masked_fill_", "fill_", "zero_", "normal_", "uniform_", "exp_", "sigmoid_",
                "mul_", "add_", "div_", "sub_", "abs_", "sign", "round", "floor", "ceil", "square", "rsqrt",
                "reciprocal", "log_softmax_", "detach_", "cos", "sin", "erf", "tril", "triu", "flip", "roll",
                "cumsum", "softplus", "nan_to_num", "pin_memory", "long", "int", "bool"}
SAME_FUNCTIONS = {F + "normalize", "torch.clamp", "torch.clip", "torch.exp", "torch.abs", "torch.sqrt", "torch.log",
                  "torch.zeros_like", "torch.ones_like", "torch.rand_like", "torch.randn_like", "torch.empty_like",
                  "torch.full_like", F + "hardtanh_", "torch.clone", "torch.tril", "torch.triu", "torch.flip",
                  "torch.roll", "torch.cumsum", "torch.sign", "torch.square", "torch.rsqrt", "torch.pow",
                  F + "dropout2d", "torch.nan_to_num", "torch.erf", "torch.cos", "torch.sin", "torch.neg",
                  "torch.autograd.Variable", "torch.autograd.variable.Variable", "torch.nn.functional.softsign"}


# ---------------------------------------------------------------- operation spellings


def spelling_table() -> dict:
    """spelling (``torch.chunk``, ``Tensor.chunk``) -> operation name, from the catalogue."""
    table = {}
    for name, spec in OPERATIONS.items():
        for spelling in spec.spellings:
            table[spelling] = name
    return table


SPELLINGS = spelling_table()


def as_sizes(values: list):
    """``x.permute(0, 2, 1)`` and ``x.permute((0, 2, 1))`` alike: the sizes as a tuple."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        return tuple(values[0])
    return tuple(values)


def op_call(frame, name: str, tensors: list, rest: Args, node):
    """An operation of the catalogue applied: its tensors, then its arguments bound by name as its
    declaration orders them; several outputs (chunk, split) come back as a tuple."""
    spec = OPERATIONS[name]
    values, named = rest.values, rest.named
    operands = list(tensors)
    wanted = [o for o in spec.operands]
    for param in spec.leading:  # torch.einsum(equation, *operands): what comes before the tensors
        if values and param not in named:
            named[param] = values.pop(0)
    if spec.variadic:
        if len(operands) == 0:
            if not values:
                raise Unfollowable(f"{name} without its tensors", node)
            if spec.leading and not (len(values) == 1 and isinstance(values[0], (list, tuple))):
                operands, values = list(values), []  # einsum(eq, *operands): every other positional
            else:  # one sequence of them (stack([a, b], 1), einsum(eq, [a, b]))
                from convcalc.frontends.python.pycore import iterate

                operands = iterate(frame, values.pop(0), node)
    else:
        while len(operands) < len(wanted):
            key = wanted[len(operands)]
            if values:
                operands.append(values.pop(0))
            elif key in named:
                operands.append(named.pop(key))
            else:
                raise Unfollowable(f"{name} without its tensor {key!r}", node)
    if spec.variadic and not operands:
        raise Unfollowable(f"{name} without its tensors", node)
    operands = [forward.tensor_arg(t, node) for t in operands]
    if spec.sizes is not None and spec.sizes not in named:
        values = [as_sizes(values)] if values else values
    for key in list(named):
        if key in SKIPPED_ARGS or isinstance(named[key], Unknown):
            del named[key]
    try:
        bound = spec.bind(tuple(without_lists(v) for v in values), {k: without_lists(v) for k, v in named.items()})
    except Exception as exc:  # noqa: BLE001  (a ConvcalcError of binding: the arguments do not fit)
        raise Unfollowable(f"{name}: {getattr(exc, 'message', exc)}", node) from None
    if spec.field == "reduce" and bound.get("dim") in (None, ()):
        raise Unfollowable(f"{name} over every dim, the batch included: a number for the whole batch", node)
    args = tuple(forward.without_batch(bound[p]) for p, _ in spec.params)
    outputs = 0
    if name in ("chunk", "split"):
        outputs = pieces(frame, name, operands[0], bound, node)
    return forward.emit_op(frame, name, operands, args, node, outputs=outputs)


def without_lists(value):
    if isinstance(value, list):
        return tuple(without_lists(v) for v in value)
    return value


def pieces(frame, name: str, tensor: Tensor, bound: dict, node) -> int:
    """How many outputs a chunk or split makes of this tensor."""
    dim = bound["dim"]
    shape = tensor.sizes(node)
    if type(dim) is not int or not -len(shape) <= dim < len(shape):
        raise Unfollowable(f"{name} along dim {describe(dim)}", node)
    size = shape[dim]
    if name == "chunk":
        chunks = bound["chunks"]
        if type(chunks) is not int or chunks < 1:
            raise Unfollowable(f"chunk into {describe(chunks)} pieces", node)
        count = chunk_count(size, chunks)
    else:
        sections = bound["split_size_or_sections"]
        if isinstance(sections, (tuple, list)):
            count = len(sections)
        elif type(sections) is int and sections > 0 and not dims.is_symbolic(size):
            count = -(-size // sections)
        else:
            raise Unfollowable(f"split into pieces of {describe(sections)}", node)
    if count > MAX_PIECES:
        raise Unfollowable(f"a {name} into {count:,} pieces", node)
    return count


# ---------------------------------------------------------------- functional layers


def functional(frame, qname: str, args: Args, node):
    """``F.relu(x)``, ``torch.flatten(x, 1)``: the layer of the catalogue the spelling is."""
    layer, params, forced = FUNCTIONAL[qname]
    if not args.positional and "input" not in args.named:
        raise Unfollowable(f"{qname} without its input", node)
    positional = list(args.positional)
    tensor = positional.pop(0)[0] if positional else args.named["input"]
    tensor = forward.tensor_arg(tensor, node)
    skip = {p for p in params if p in SKIPPED_ARGS or p in WEIGHT_ARGS}
    if len(positional) > len(params):
        raise Unfollowable(f"too many arguments for {qname}", node)
    keywords = [(p, v, nd) for p, (v, nd) in zip(params, positional) if p not in skip]
    for key, value, value_node, _ in args.keywords:
        if key == "input" or key in SKIPPED_ARGS or key in skip:
            continue
        if key not in params:
            raise Unfollowable(f"the argument {key} of {layer}", node)
        keywords.append((key, value, value_node))
    given = {k for k, _, _ in keywords}
    keywords += [(k, v, None) for k, v in forced.items() if k not in given]
    if any(isinstance(v, Unknown) for _, v, _ in keywords):
        bad = next(k for k, v, _ in keywords if isinstance(v, Unknown))
        raise Unfollowable(f"the argument {bad} of {qname} is not known", node)
    return forward.functional_layer(frame, layer, tensor, keywords, node)


def torch_function(frame, qname: str, args: Args, node):
    """A torch function: a functional layer, an operation, a shape-keeping call, torch.cat, a
    function of known values, or torch.max/min."""
    name = qname.rsplit(".", 1)[-1]
    values = args.values
    if values and any(isinstance(v, Constant) for v in values) and not any(isinstance(v, Tensor) for v in values):
        return known_values_call(frame, name, args, node)
    if qname in FUNCTIONAL:
        return functional(frame, qname, args, node)
    if qname in ("torch.cat", "torch.concat", "torch.concatenate"):
        tensors = values[0] if values else args.named.get("tensors")
        dim = values[1] if len(values) > 1 else args.named.get("dim", 0)
        from convcalc.frontends.python.pycore import iterate

        return forward.concat(frame, iterate(frame, tensors, node), dim, node)
    if qname in SPELLINGS:
        return op_call(frame, SPELLINGS[qname], [], Args(list(args.positional), list(args.keywords)), node)
    if qname in SAME_FUNCTIONS:
        if not values:
            raise Unfollowable(f"{qname} without its input", node)
        return forward.tensor_arg(values[0], node)
    if qname in ("torch.max", "torch.min"):
        if not values:
            raise Unfollowable(f"{qname} without its input", node)
        return method(frame, forward.tensor_arg(values[0], node), name, Args(args.positional[1:], args.keywords),
                      node)
    if qname in ("torch.reshape",):
        return method(frame, forward.tensor_arg(values[0], node), "reshape", Args(args.positional[1:], args.keywords),
                      node)
    if qname in ("torch.narrow",):
        return method(frame, forward.tensor_arg(values[0], node), "narrow", Args(args.positional[1:], args.keywords),
                      node)
    raise Unfollowable(f"{qname} is not followed", node)


# ---------------------------------------------------------------- tensor methods


def method(frame, tensor: Tensor, name: str, args: Args, node):
    """``x.name(...)`` of a tensor flowing through forward."""
    forward.need_trace(frame, node)
    values = args.values
    if name in ("size",):
        dim = values[0] if values else args.named.get("dim")
        shape = tensor.sizes(node)
        if dim is None:
            return shape
        if type(dim) is not int or not -len(shape) <= dim < len(shape):
            raise Unfollowable(f"x.size({describe(dim)}) of a {len(shape)}-d tensor", node)
        return shape[dim]
    if name in ("dim", "ndimension"):
        return len(tensor.sizes(node))
    if name == "numel":
        raise Unfollowable("x.numel() counts the batch, which convcalc leaves open", node)
    if name in ("view", "reshape"):
        return forward.view(frame, tensor, list(as_sizes(values)), node)
    if name == "view_as" or name == "reshape_as":
        other = forward.tensor_arg(values[0], node)
        return forward.view(frame, tensor, [BATCH, *other.sizes(node)[1:]], node)
    if name in TENSOR_METHODS:
        layer, params, forced = TENSOR_METHODS[name]
        if len(values) > len(params):
            raise Unfollowable(f"too many arguments for x.{name}", node)
        keywords = [(p, v, nd) for p, (v, nd) in zip(params, args.positional)]
        keywords += [(k, v, vn) for k, v, vn, _ in args.keywords if k in params]
        given = {k for k, _, _ in keywords}
        keywords += [(k, v, None) for k, v in forced.items() if k not in given]
        return forward.functional_layer(frame, layer, tensor, keywords, node)
    if name in ("max", "min"):
        if values and isinstance(values[0], Tensor):
            return forward.emit_op(frame, "maximum" if name == "max" else "minimum", [tensor, values[0]], (), node)
        if not values and "dim" not in args.named:
            raise Unfollowable(f"x.{name}() over every dim, the batch included", node)
        reduced = op_call(frame, "amax" if name == "max" else "amin", [tensor], args, node)
        return (reduced, reduced)  # (values, indices): the indices have the values' shape
    if name == "narrow":
        dim, start, length = (values + [None, None, None])[:3]
        return forward.emit_op(frame, "slice", [tensor], (dim, start, start + length, 1), node)
    if name in ("expand",):
        sizes = list(as_sizes(values))
        if not sizes or not (sizes[0] is BATCH or sizes[0] == -1):
            raise Unfollowable("an expand that does not keep the batch first", node)
        return forward.emit_op(frame, "expand", [tensor], (tuple([-1] + sizes[1:]),), node)
    spelling = f"Tensor.{name}"
    if spelling in SPELLINGS:
        return op_call(frame, SPELLINGS[spelling], [tensor], args, node)
    base = name[:-1] if name.endswith("_") else name
    if f"Tensor.{base}" in SPELLINGS and base in ("add", "sub", "mul", "div"):
        return op_call(frame, SPELLINGS[f"Tensor.{base}"], [tensor], args, node)
    if name in ("add", "sub", "mul", "div") or base in ("add", "sub", "mul", "div"):
        other = values[0] if values else args.named.get("other")
        return forward.tensor_binop(frame, {"add": "+", "sub": "-", "mul": "*", "div": "/"}[base], tensor, other,
                                    node)
    if name in SAME_METHODS:
        return tensor
    if name in ("item", "tolist"):
        raise Unfollowable(f"x.{name}(): the values of a tensor", node)
    raise Unfollowable(f"x.{name}(...)", node)


# ---------------------------------------------------------------- operators


def binop(frame, op: str, a, b, node):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return forward.tensor_binop(frame, op, a, b, node)
    if isinstance(a, (Constant, Parameter)) or isinstance(b, (Constant, Parameter)):
        return constant_binop(frame, op, a, b, node)
    from convcalc.frontends.python.pycore import type_error, type_name

    if op == "==" or op == "!=":
        return (a is b) == (op == "==")
    raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and '{type_name(b)}'", node)


def unary(frame, op: str, value, node):
    if isinstance(value, Tensor) and op in ("-", "+", "abs", "~"):
        return value
    if isinstance(value, Constant) and op in ("-", "+", "abs"):
        if value.values is None:
            return Constant(value.shape, None, value.floating)
        fn = {"-": lambda v: -v, "+": lambda v: v, "abs": abs}[op]
        return Constant(value.shape, [fn(v) for v in value.values], value.floating)
    from convcalc.frontends.python.pycore import type_error, type_name

    raise type_error(frame, f"bad operand type for unary {op}: '{type_name(value)}'", node)


def compare(frame, op: str, a, b, node):
    """None where Python's rules decide (identity, equality of other values)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if op in ("is", "is not"):
            return (a is b) == (op == "is")
        raise Unfollowable("a comparison of a tensor's values", node)
    return None


def to_number(frame, value, kind, node):
    if isinstance(value, Constant) and value.values is not None and len(value.values) == 1:
        return kind(value.values[0])
    if isinstance(value, Tensor):
        raise Unfollowable(f"{kind.__name__}() of a tensor's value", node)
    from convcalc.frontends.python.pycore import type_error, type_name

    raise type_error(frame, f"{kind.__name__}() argument must be a string or a real number, not "
                            f"'{type_name(value)}'", node)


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
          "**": lambda a, b: a ** b, "//": lambda a, b: a // b}


def constant_binop(frame, op: str, left, right, node):
    """Arithmetic with constant tensors: their broadcast shape, and their values where both are known."""
    shapes = [v.shape if isinstance(v, (Constant, Parameter)) else () for v in (left, right)]
    from convcalc.frontends.python.pycore import is_number

    if op not in BINARY or not all(isinstance(v, (Constant, Parameter)) or is_number(v) for v in (left, right)):
        raise Unfollowable(f"{op} of {describe(left)} and {describe(right)}", node)
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
    if name in ("device", "dtype", "requires_grad"):
        return Ref(f"tensor.{name}") if name != "requires_grad" else getattr(value, "trainable", False)
    if name == "size":
        return Builtin("size", lambda f, args, n: shape if not args.values else shape[args.values[0]])
    if name == "dim":
        return Builtin("dim", lambda f, args, n: len(shape))
    if name == "numel":
        return Builtin("numel", lambda f, args, n: math.prod(shape))
    if isinstance(value, Constant) and value.values is not None:
        return Builtin(name, lambda f, args, n: known_method(f, value, name, args, n))
    if name in SAME_METHODS or name in ("view", "reshape", "expand", "unsqueeze", "squeeze", "permute", "repeat",
                                       "transpose", "flatten"):
        return Builtin(name, lambda f, args, n: constant_method(f, value, name, args, n))
    raise Unfollowable(f"the attribute {name} of {describe(value)}", node)


def known_method(frame, tensor: Constant, name: str, args: Args, node):
    """.int(), .long(), .float(), .tolist(), .item() of a tensor of known values."""
    if name in ("int", "long"):
        return known([math.trunc(v) for v in tensor.values], False, tensor.shape)
    if name in ("float", "double"):
        return known(tensor.values, True, tensor.shape)
    if name == "tolist":
        return list(tensor.values) if len(tensor.shape) == 1 else nest(tensor.values, tensor.shape)
    if name == "item" and len(tensor.values) == 1:
        return tensor.values[0]
    if name in SAME_METHODS:
        return tensor
    return constant_method(frame, tensor, name, args, node)


def nest(values: list, shape: tuple):
    if len(shape) <= 1:
        return list(values)
    step = len(values) // shape[0]
    return [nest(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def constant_method(frame, tensor, name: str, args: Args, node):
    """The shape methods of a constant tensor (its values are dropped: a shape is what is followed)."""
    shape = tuple(tensor.shape)
    values = list(as_sizes(args.values))
    if name in SAME_METHODS:
        return tensor
    if name in ("view", "reshape"):
        total = math.prod(shape)
        known_part = math.prod(v for v in values if v != -1)
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
    if name == "flatten":
        return Constant((math.prod(shape),))
    raise Unfollowable(f"x.{name}() of a constant tensor", node)


def constant_index(frame, tensor, key, node):
    """Indexing a constant tensor or a Parameter (``self.weight[:, None, None]``): its shape."""
    shape = list(tensor.shape)
    keys = list(key) if isinstance(key, tuple) else [key]
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
    if sizes and sizes[0] is BATCH:
        raise Unfollowable(f"{qname}(...) of the batch size: a new tensor made in forward", node)
    if not all(type(s) is int and s >= 0 for s in sizes):
        if any(dims.is_symbolic(s) for s in sizes):
            raise Unfollowable(f"{qname} of the input's size: a new tensor made in forward", node, kind=Why.SIZE)
        raise Unfollowable(f"{qname} of {', '.join(describe(s) for s in sizes) or 'no sizes'}", node)
    if frame.trace is not None:
        raise Unfollowable(f"{qname}(...): a new tensor made in forward", node)
    total = math.prod(sizes)
    if name in ("zeros", "ones") and total <= 4096:
        return Constant(tuple(sizes), [0.0 if name == "zeros" else 1.0] * total)
    if name == "full" and total <= 4096 and len(args.values) > 1 and isinstance(args.values[1], (int, float)):
        return Constant(tuple(sizes), [float(args.values[1])] * total)
    return Constant(tuple(sizes))


def numeric(frame, qname: str, args: Args, node):
    """torch.tensor(...), torch.arange(...), torch.linspace(...): tensors of known values."""
    name = qname.rsplit(".", 1)[-1]
    values = args.values
    if frame.trace is not None:
        raise Unfollowable(f"{qname}(...): a new tensor made in forward", node)
    if name in ("tensor", "as_tensor", "Tensor", "LongTensor", "FloatTensor") and values:
        return as_known(values[0], node)
    if name == "arange":
        if not 1 <= len(values) <= 3 or not all(isinstance(a, (int, float)) and not isinstance(a, bool)
                                                for a in values):
            raise Unfollowable("torch.arange with these arguments", node)
        start, end, step = (0, values[0], 1) if len(values) == 1 else (values[0], values[1],
                                                                        values[2] if len(values) > 2 else 1)
        if step == 0 or (end - start) / step > MAX_ITEMS:
            raise Unfollowable("torch.arange of very many values", node)
        count = max(0, math.ceil((end - start) / step))
        return known([start + i * step for i in range(count)], any(isinstance(a, float) for a in values))
    if name == "linspace":
        start, end = values[0], values[1]
        steps = values[2] if len(values) > 2 else args.named.get("steps")
        if type(steps) is not int or steps < 0 or steps > MAX_ITEMS:
            raise Unfollowable("torch.linspace with these arguments", node)
        if steps == 1:
            return known([start], True)
        return known([start + (end - start) * i / (steps - 1) for i in range(steps)], True)
    return known_values_call(frame, name, args, node)


def register_all() -> None:
    register(list(FUNCTIONAL), lambda frame, qname, args, node: functional(frame, qname, args, node))
    register([s for s in SPELLINGS if not s.startswith("Tensor.")] + ["torch.cat", "torch.concat",
                                                                        "torch.concatenate", "torch.max",
                                                                        "torch.min", "torch.reshape",
                                                                        "torch.narrow"], torch_function)
    register(list(SAME_FUNCTIONS), torch_function)
    register([f"torch.{n}" for n in CREATION], make_tensor)
    register([f"torch.{n}" for n in ("tensor", "as_tensor", "arange", "linspace", "round", "pow", "divide", "diff",
                                     "floor", "ceil", "log", "exp", "sqrt")], numeric_or_function)
    CONSTANTS.update({"math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "math.tau": math.tau})


def numeric_or_function(frame, qname, args, node):
    if any(isinstance(v, Tensor) for v in args.values):
        return torch_function(frame, qname, args, node)
    return numeric(frame, qname, args, node)


register_all()
