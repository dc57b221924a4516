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
from convcalc.frontends.python.pyobjects import Args, Unknown, describe, described
from convcalc.frontends.python.reasons import Unfollowable, Why
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
                  "torch.autograd.Variable", "torch.autograd.variable.Variable", "torch.nn.functional.softsign",
                  "torch.as_tensor", "torch.asarray"}


def shape_kept(qname: str) -> bool:
    """An element-wise function: its result has its input's shape."""
    return qname in SAME_FUNCTIONS or qname in ("torch.sigmoid", "torch.tanh", "torch.log2", "torch.relu",
                                                F + "sigmoid", F + "relu", F + "gelu", F + "silu")


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
    operands = [forward.tensor_arg(t, node) if i == 0 or not isinstance(t, (Constant, Parameter)) else
                forward.in_trace(frame, t, node) for i, t in enumerate(operands)]  # a weight beside a flowing tensor
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
    outputs = pieces(frame, name, operands[0], bound, node) if spec.outputs == "pieces" else spec.outputs or 0
    return forward.emit_op(frame, name, operands, args, node, outputs=outputs)


def where(values: list, node):
    """torch.where(mask, x, y) where x and y are tensors of one shape (or numbers) and the mask
    broadcasts into it without growing it (a keepdim reduction's ``== 0``): that shape; any other
    broadcast is not followed."""
    from convcalc.frontends.python.pycore import is_number
    from convcalc.layers.placement import placement

    def number(v):
        return is_number(v) and not dims.is_symbolic(v)

    ok = len(values) == 3 and isinstance(values[0], Tensor) and all(isinstance(v, Tensor) or number(v)
                                                                     for v in values[1:])
    picks = [v for v in values[1:] if isinstance(v, Tensor)] if ok else []
    out = picks[0] if picks else (values[0] if ok else None)
    shapes = [t.shape for t in [values[0]] + picks] if ok else [None]
    if not ok or any(s is None or placement(s) != placement(out.shape) or len(s) != len(out.shape) for s in shapes) \
            or any(tuple(t.shape) != tuple(out.shape) for t in picks) or \
            not all(m == d or m == 1 for m, d in zip(values[0].shape, out.shape)):
        raise Unfollowable("torch.where of these arguments (a mask that fits into tensors of one shape, or numbers, "
                           "is followed)", node)
    return out


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
    node spelled as called; on a tensor of known values (``torch.flatten(grid, 1)`` in
    ``__init__``), that tensor's values worked out."""
    first = args.values[0] if args.values else args.named.get("input")
    if isinstance(first, Constant) and first.known:
        from convcalc.frontends.python.brains.known_calls import function

        worked = function(frame, qname.rsplit(".", 1)[-1], args, node)
        if worked is not None:
            return worked
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
    if values and not any(isinstance(v, Tensor) for v in values) and shape_kept(qname) and \
            (isinstance(values[0], Parameter) or isinstance(values[0], Constant) and not values[0].known):
        # torch.clamp(self.logit_scale, max=...), torch.sigmoid of a table whose values are not known: its shape
        return Constant(values[0].shape, None, True)
    if values and any(isinstance(v, Constant) for v in values) and not any(isinstance(v, Tensor) for v in values):
        return known_values_call(frame, name, args, node)
    if name in ("stack", "cat", "concat", "concatenate", "meshgrid") and values and \
            all(isinstance(v, Constant) for v in (values[0] if isinstance(values[0], (list, tuple)) else values)):
        return known_values_call(frame, name, args, node)  # torch.stack([a, b]) of tensors made in __init__
    if qname in FUNCTIONAL:
        return functional(frame, qname, args, node)
    if qname in ("torch.cat", "torch.concat", "torch.concatenate"):
        tensors = values[0] if values else args.named.get("tensors")
        dim = values[1] if len(values) > 1 else args.named.get("dim", 0)
        from convcalc.frontends.python.pycore import iterate

        return forward.concat(frame, iterate(frame, tensors, node), dim, node)
    if qname == "torch.gather":  # dim between its two tensors
        return gather(frame, args, node)
    if qname in SPELLINGS:
        return op_call(frame, SPELLINGS[qname], [], Args(list(args.positional), list(args.keywords)), node)
    if qname in SAME_FUNCTIONS:
        if not values:
            raise Unfollowable(f"{qname} without its input", node)
        return forward.tensor_arg(values[0], node)
    if qname == "torch.where":
        return where(values, node)
    if qname in ("torch.max", "torch.min"):
        if not values:
            raise Unfollowable(f"{qname} without its input", node)
        return method(frame, forward.tensor_arg(values[0], node), name, Args(args.positional[1:], args.keywords),
                      node)
    if qname in ("torch.reshape",):
        return method(frame, forward.tensor_arg(values[0], node), "reshape", Args(args.positional[1:], args.keywords),
                      node)
    if qname in ("torch.narrow", "torch.index_select"):
        return method(frame, forward.tensor_arg(values[0], node), name, Args(args.positional[1:], args.keywords),
                      node)
    if qname == "torch.baddbmm":
        return baddbmm(frame, args, node)
    raise Unfollowable(f"{qname} is not followed", node)


def baddbmm(frame, args: Args, node):
    """``torch.baddbmm(input, batch1, batch2, beta=1, alpha=1)``: beta * input + alpha * (batch1 @ batch2),
    as the declared bmm then an add of ``input`` broadcast to it (the scale factors keep the shape);
    the flop counter counts baddbmm as the bmm it holds."""
    names = ("input", "batch1", "batch2")
    given = dict(zip(names, args.values))
    given.update((k, v) for k, v in args.named.items() if k in names)
    extra = set(args.named) - set(names) - {"beta", "alpha"}
    if len(args.values) > 3 or extra or len(given) < 3:
        raise Unfollowable("torch.baddbmm without input, batch1 and batch2 (or with other arguments)", node)
    product = op_call(frame, "bmm", [forward.tensor_arg(given["batch1"], node),
                                     forward.tensor_arg(given["batch2"], node)], Args([], []), node)
    return binop(frame, "+", product, given["input"], node)  # its shape broadcast as torch broadcasts it


def gather(frame, args: Args, node, tensor=None):
    """``torch.gather(input, dim, index)`` / ``x.gather(dim, index)``: the declared operation on its two
    tensors (torch takes dim between them)."""
    names = ("dim", "index") if tensor is not None else ("input", "dim", "index")
    given = dict(zip(names, args.values))
    given.update((k, v) for k, v in args.named.items() if k in names + ("sparse_grad",))
    if tensor is not None:
        given["input"] = tensor
    if len(args.values) > len(names) or set(args.named) - set(names) - {"sparse_grad"} or \
            not {"input", "dim", "index"} <= set(given) or given.get("sparse_grad", False) is not False:
        raise Unfollowable("gather with other arguments", node)
    return op_call(frame, "gather", [forward.tensor_arg(given["input"], node), forward.tensor_arg(given["index"], node)],
                   Args.of(dim=given["dim"]), node)


def index_select(frame, tensor: Tensor, args: Args, node):
    """``x.index_select(dim, index)``: x indexed along ``dim`` by a 1-d tensor of indices, as
    ``x[:, ..., index]`` is (the declared 'take'); its values checked against the size as torch does."""
    dim = args.values[0] if args.values else args.named.get("dim")
    index = args.values[1] if len(args.values) > 1 else args.named.get("index")
    if type(dim) is not int or not isinstance(index, Constant) or index.floating or index.boolean:
        raise Unfollowable(f"index_select along {describe(dim)} by {describe(index)}", node)
    if len(index.shape) > 1:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "IndexError", ("index_select(): Index is supposed to be a vector",), node)
    sizes = tensor.sizes(node)
    rank = len(sizes)
    if not -rank <= dim < rank:
        raise Unfollowable(f"index_select along dim={dim} of a {rank}-d tensor", node)
    if dim % rank == 0:
        raise Unfollowable("index_select along the batch dimension: convcalc follows one sample", node)
    size = sizes[dim % rank]
    for value in index.values or ():  # not Python's indexing: a negative index is out of bounds too
        if value < 0 or type(size) is int and value >= size:
            from convcalc.frontends.python.pycore import raise_error

            shown = size if type(size) is int else dims.render(size)
            raise raise_error(frame, "RuntimeError", (f"INDICES element is out of DATA bounds, id={value} "
                                                      f"axis_dim={shown}",), node)
    keys = (slice(None),) * (dim % rank) + (index if index.shape else Constant((1,), index.values, False),)
    return forward.tensor_index(frame, tensor, keys, node)


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
    if name == "index_select":
        return index_select(frame, tensor, args, node)
    if name == "gather":
        return gather(frame, args, node, tensor)
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
    if name in ("new_zeros", "new_ones", "new_empty", "new_full"):
        made = new_without_batch(frame, name, args, node)
        if made is not None:
            return made
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


def new_without_batch(frame, name: str, args: Args, node):
    """``x.new_zeros((H, W))`` of sizes that hold no batch: a tensor of its own (a shifted window's
    mask), its values known (zeros, ones, the fill) where they are few; None when a size is the
    batch's (the catalogue's new_zeros places it)."""
    from convcalc.frontends.python.brains.known_tensors import known_of
    from convcalc.frontends.python.machine import MAX_ITEMS
    from convcalc.frontends.python.tensors import batch_factor

    values = list(args.values)
    fill = None
    if name == "new_full":
        fill = values.pop(1) if len(values) > 1 else args.named.get("fill_value")
    sizes = list(as_sizes(values)) if values else list(as_sizes([args.named.get("size", ())]))
    if any(batch_factor(s) is not None for s in sizes):
        return None
    if any(dims.is_symbolic(s) for s in sizes):
        raise Unfollowable(f"x.{name} of the input's size: a new tensor made in forward", node, kind=Why.SIZE)
    if not all(type(s) is int and s >= 0 for s in sizes):
        raise Unfollowable(f"x.{name} of {described(sizes) or 'no sizes'}", node)
    total = math.prod(sizes)
    value = {"new_zeros": 0.0, "new_ones": 1.0, "new_full": fill}.get(name)
    if value is None or total > MAX_ITEMS or not isinstance(value, (int, float)):
        return Constant(tuple(sizes))
    return known_of(frame, [value] * total, tuple(sizes), True, node)


# ---------------------------------------------------------------- operators


def batch_arithmetic(frame, op: str, a, b, node):
    """``B * windows``, ``x.size(0) // windows``: the batch size times a known factor (tensors.Folded);
    anything else of the batch size is a number convcalc leaves open."""
    from convcalc.frontends.python.tensors import batch_factor, batch_times

    fa, fb = batch_factor(a), batch_factor(b)
    if op == "*" and (fa is None) != (fb is None):
        factor, other = (fa, b) if fa is not None else (fb, a)
        if type(other) is int and other >= 1:
            return batch_times(factor * other)
        if dims.is_symbolic(other):  # B * windows, windows from the input's sizes: followed on the given ones
            raise Unfollowable("the batch size times a size of the input", node, kind=Why.SIZE)
    if op == "//" and fa is not None and type(b) is int and b >= 1 and fa % b == 0:
        return batch_times(fa // b)
    if op == "//" and fa is not None and dims.is_symbolic(b):
        raise Unfollowable("the batch size divided by a size of the input", node, kind=Why.SIZE)
    raise Unfollowable(f"{describe(a)} {op} {describe(b)}: a number made of the batch size, which convcalc leaves "
                       "open", node)


def binop(frame, op: str, a, b, node):
    from convcalc.frontends.python.tensors import batch_factor

    if batch_factor(a) is not None or batch_factor(b) is not None:
        return batch_arithmetic(frame, op, a, b, node)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return forward.tensor_binop(frame, op, a, b, node)
    if isinstance(a, (Constant, Parameter)) or isinstance(b, (Constant, Parameter)):
        return constant_binop(frame, op, a, b, node)
    from convcalc.frontends.python.pycore import is_number, type_error, type_name
    from convcalc.frontends.python.torchobjects import Weight

    weights = [v for v in (a, b) if isinstance(v, Weight)]
    if weights and all(isinstance(v, Weight) or is_number(v) for v in (a, b)) and op not in ("==", "!="):
        return weights[0]  # m.weight.data *= 0.1 in weight initialisation: values, never a shape

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
        from convcalc.frontends.python.pycore import is_number

        other = b if isinstance(a, Tensor) else a
        if op in ("==", "!=", "<", "<=", ">", ">=") and is_number(other) and not dims.is_symbolic(other):
            return a if isinstance(a, Tensor) else b  # x == 0: a mask of the tensor's shape (its values not followed)
        raise Unfollowable("a comparison of a tensor's values", node)
    if op not in ("is", "is not", "in", "not in"):
        from convcalc.frontends.python.brains.known_tensors import arithmetic, is_known

        if is_known(a) or is_known(b):
            worked = arithmetic(frame, op, a, b, node)  # mask != 0: a tensor of booleans, as torch's
            if worked is not None:
                return worked
        if op in ("==", "!=") and (isinstance(a, (Constant, Parameter)) or isinstance(b, (Constant, Parameter))):
            from convcalc.frontends.python.brains.known_tensors import broadcast_shape

            shapes = [v.shape if isinstance(v, (Constant, Parameter)) else () for v in (a, b)]
            made = Constant(broadcast_shape(frame, shapes, node), None, False)  # its values not known
            made.boolean = True
            return made
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
                                                                        "torch.narrow", "torch.index_select",
                                                                        "torch.baddbmm", "torch.gather", "torch.where"],
             torch_function)
    register(list(SAME_FUNCTIONS), torch_function)
    register([f"torch.{n}" for n in ("meshgrid", "log2", "sum", "mean", "permute", "unsqueeze", "squeeze",
                                     "transpose", "masked_fill", "amax", "amin") if f"torch.{n}" not in SPELLINGS],
             torch_function)
    register([f"torch.{n}" for n in CREATION], make_tensor)
    register([f"torch.{n}" for n in ("tensor", "as_tensor", "arange", "linspace", "round", "pow", "divide", "diff",
                                     "floor", "ceil", "log", "exp", "sqrt")], numeric_or_function)
    register("torch.from_numpy", from_numpy)
    # F.linear is registered by brains/torch_weights.py: a subclass of nn.Linear calling it on its own
    # weight is that layer applied; any other weights are functional_linear's operation
    CONSTANTS.update({"math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "math.tau": math.tau})


def lookup_layer(name: str):
    from convcalc.layers.catalogue import lookup

    return lookup(name)


def functional_linear(frame, qname, args, node):
    """``F.linear(x, self.qkv.weight, self.qkv.bias)``: the map of a Linear's weight (or of a
    Parameter of shape out x in) on the last dim; no call of the module (its parameters are the
    module tree's, its mult-adds not torchinfo's)."""
    from convcalc.binding import BindError, bind

    try:
        bound, _, _ = bind("linear", ["input", "weight", "bias"], args.values, args.named,
                           lambda name, _: None if name == "bias" else MISSING_ARG)
    except BindError as exc:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, exc.message, node) from None
    if any(v is MISSING_ARG for v in bound.values()):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, "linear() missing its input or weight", node)
    tensor, weight, bias = forward.tensor_arg(bound["input"], node), bound["weight"], bound["bias"]
    shape = weight_shape(weight, "weight", node)
    if len(shape) != 2:
        raise Unfollowable(f"F.linear with a weight of shape {shape}", node)
    if bias is not None and weight_shape(bias, "bias", node) != (shape[0],):
        raise Unfollowable(f"F.linear with a bias of shape {weight_shape(bias, 'bias', node)}", node)
    with forward.spelled(frame, qname):
        return forward.emit_op(frame, "linear", [tensor], (shape[1], shape[0], bias is not None), node)


MISSING_ARG = object()


def weight_shape(value, part: str, node) -> tuple:
    """The shape of a Linear's weight or bias (from its arguments), or of a Parameter."""
    from convcalc.frontends.python.torchobjects import Layer, Weight

    if isinstance(value, Parameter):
        return tuple(value.shape)
    if isinstance(value, Weight) and isinstance(value.owner, Layer) and value.part in ("weight", "bias") and \
            lookup_layer(value.owner.name).traits.field == "linear":  # a Linear's (in and out by its arguments)
        args = forward.layer_args(value.owner).values
        inner, outer = args.get("in_features"), args.get("out_features")
        if type(inner) is int and type(outer) is int:
            return (outer, inner) if value.part == "weight" else (outer,)
    raise Unfollowable(f"F.linear with the {part} {describe(value)}", node)


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
