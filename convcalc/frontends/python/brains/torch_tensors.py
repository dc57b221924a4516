"""torch's functions and tensors: the functional spellings of layers (convcalc/layers/functional.py)
and of tensor operations (convcalc/layers/operations.py: each declaration's ``spellings``), the
methods of a tensor flowing through forward, torch.cat, and the calls that keep a tensor's
shape. Tensors of constants, and tensors made by torch.zeros and its kin: torch_constants.py."""
from __future__ import annotations

import math

from convcalc.frontends.python import forward, pycore
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.brains.torch_constants import (CREATION, SAME_METHODS, as_sizes, constant_binop,
                                                              known_values_call, make_tensor, numeric)
from convcalc.frontends.python.pyobjects import Args, Unknown, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.tensors import BATCH, Tensor
from convcalc.frontends.python.torchobjects import Constant, ModuleDict, ModuleList, Parameter, Sequential
from convcalc.layers.functional import FUNCTIONAL, SKIPPED_ARGS, TENSOR_METHODS, WEIGHT_ARGS
from convcalc.layers.operations import MAX_PIECES, OPERATIONS, chunk_count
from convcalc.symbolic import dims

F = "torch.nn.functional."

# functions whose result has the shape of the tensor they are given (the methods: torch_constants.py)
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
    """``F.relu(x)``, ``torch.flatten(x, 1)``: the layer of the catalogue the spelling is, its
    node spelled as called."""
    with forward.spelled(frame, qname):
        return functional_spelled(frame, qname, args, node)


def functional_spelled(frame, qname: str, args: Args, node):
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
    function of known values, or torch.max/min; its nodes spelled as called."""
    with forward.spelled(frame, qname):
        return torch_function_spelled(frame, qname, args, node)


def torch_function_spelled(frame, qname: str, args: Args, node):
    name = qname.rsplit(".", 1)[-1]
    values = args.values
    if name == "Variable" and len(values) == 1:  # autograd's old wrapper: the tensor itself, values and all
        return values[0]
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
    """``x.name(...)`` of a tensor flowing through forward, its nodes spelled Tensor.name."""
    with forward.spelled(frame, f"Tensor.{name}"):
        return method_spelled(frame, tensor, name, args, node)


def method_spelled(frame, tensor: Tensor, name: str, args: Args, node):
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
    base = name[:-1] if name.endswith("_") else name
    if base in ("add", "sub", "mul", "div") and len(values) == 1 and not args.keywords and \
            pycore.is_number(values[0]):  # x.mul(0.0005): as x * 0.0005
        return forward.tensor_binop(frame, {"add": "+", "sub": "-", "mul": "*", "div": "/"}[base], tensor, values[0],
                                    node)
    spelling = f"Tensor.{name}"
    if spelling in SPELLINGS:
        return op_call(frame, SPELLINGS[spelling], [tensor], args, node)
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
    if op == "+" and isinstance(a, (ModuleList, Sequential)) and not isinstance(a, ModuleDict):
        joined = joined_modules(frame, a, b, node)  # self.blocks += [block]: ModuleList.__iadd__ extends it
        if joined is not None:
            return joined
    raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and '{type_name(b)}'", node)


def joined_modules(frame, a, b, node):
    """``ModuleList + iterable`` (a ModuleList), ``Sequential + Sequential`` (a Sequential); None
    where torch has no such sum."""
    from convcalc.frontends.python.pycore import iterate
    from convcalc.frontends.python.torchobjects import is_module

    if isinstance(a, Sequential):
        return Sequential(a.items + b.items) if isinstance(b, Sequential) else None
    items = b.items if isinstance(b, (ModuleList, Sequential)) else iterate(frame, b, node)
    if not all(is_module(m) for m in items):
        raise Unfollowable("a ModuleList joined with something not a module", node)
    frame.charge(len(items), node)
    return ModuleList(a.items + list(items))


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
    if op in ("<", "<=", ">", ">=") and (isinstance(a, (Constant, Parameter)) or isinstance(b, (Constant, Parameter))):
        # torch.zeros(n).uniform_(0, 1) < p: values drawn at random, or a parameter's
        raise Unfollowable(f"a comparison of the values of {describe(a if not isinstance(b, Constant) else b)}", node)
    return None


def to_number(frame, value, kind, node):
    if isinstance(value, Constant) and value.values is not None and len(value.values) == 1:
        return kind(value.values[0])
    if isinstance(value, Tensor):
        raise Unfollowable(f"{kind.__name__}() of a tensor's value", node)
    from convcalc.frontends.python.pycore import type_error, type_name

    raise type_error(frame, f"{kind.__name__}() argument must be a string or a real number, not "
                            f"'{type_name(value)}'", node)


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
    register("torch.from_numpy", from_numpy)
    CONSTANTS.update({"math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "math.tau": math.tau})


def from_numpy(frame, qname, args, node):
    """torch.from_numpy(np.eye(3).flatten().astype(np.float32)): the array, a constant tensor."""
    value = args.values[0] if len(args.values) == 1 and not args.keywords else None
    if not isinstance(value, Constant):
        raise Unfollowable(f"torch.from_numpy of {describe(value)}", node)
    return value


def numeric_or_function(frame, qname, args, node):
    if any(isinstance(v, Tensor) for v in args.values):
        return torch_function(frame, qname, args, node)
    return numeric(frame, qname, args, node)


register_all()
