"""torch's functions and tensor methods on tensors of known values (known_tensors.py works them
out): one table of methods, each with torch's parameters and defaults, so that ``t.sum(-1)``,
``t.sum(dim=-1)`` and ``torch.sum(t, -1)`` bind alike, and a call torch would refuse for its
arguments is a TypeError as torch's, never an internal error."""
from __future__ import annotations

from convcalc.binding import MISSING, BindError, bind
from convcalc.frontends.python.brains import known_tensors as kt
from convcalc.frontends.python.pyobjects import Args, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.torchobjects import Constant

REQUIRED = MISSING


def sizes_of(values) -> tuple:
    """``t.view(2, -1)`` and ``t.view((2, -1))`` alike."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        return tuple(values[0])
    return tuple(values)


def _permute(frame, t, a, node):
    return kt.permute(frame, t, sizes_of(a["dims"]), node)


def _view(frame, t, a, node):
    return kt.reshaped(frame, t, sizes_of(a["shape"]), node, False)


def _reshape(frame, t, a, node):
    return kt.reshaped(frame, t, sizes_of(a["shape"]), node, True)


def _inplace(op):
    def run(frame, t, a, node):
        return kt.in_place(frame, op, t, a["other"], node)
    return run


def _fill(frame, t, a, node):
    kt.write(frame, t, list(range(len(t.values))), kt.broadcast_into(frame, a["value"], t.shape, node), node)
    return t


def _zero(frame, t, a, node):
    kt.write(frame, t, list(range(len(t.values))), [0] * len(t.values), node)
    return t


def _masked_fill_(frame, t, a, node):
    filled = kt.masked_fill(frame, t, a["mask"], a["value"], node)
    kt.write(frame, t, list(range(len(filled.values))), filled.values, node)
    return t


def _elementwise(name):
    def run(frame, t, a, node):
        return kt.elementwise(frame, t, name, node)
    return run


def _reduce(kind):
    def run(frame, t, a, node):
        return kt.reduce(frame, t, kind, a["dim"], a["keepdim"], node)
    return run


# name -> (parameters after the tensor: (name, default) with REQUIRED, or "*name" for any number of
# positionals), handler(frame, tensor, bound, node)
METHODS = {
    "permute": (("*dims",), _permute),
    "view": (("*shape",), _view),
    "reshape": (("*shape",), _reshape),
    "flatten": ((("start_dim", 0), ("end_dim", -1)), lambda f, t, a, n: kt.flatten(f, t, a["start_dim"],
                                                                                   a["end_dim"], n)),
    "unsqueeze": ((("dim", REQUIRED),), lambda f, t, a, n: kt.unsqueeze(f, t, a["dim"], n)),
    "squeeze": ((("dim", None),), lambda f, t, a, n: kt.squeeze(f, t, a["dim"], n)),
    "transpose": ((("dim0", REQUIRED), ("dim1", REQUIRED)), lambda f, t, a, n: kt.transpose(f, t, a["dim0"],
                                                                                            a["dim1"], n)),
    "contiguous": ((), lambda f, t, a, n: kt.contiguous(f, t, n)),
    "clone": ((), lambda f, t, a, n: kt.known_of(f, t.values, t.shape, t.floating, n, t.boolean)),
    "sum": ((("dim", None), ("keepdim", False)), _reduce("sum")),
    "mean": ((("dim", None), ("keepdim", False)), _reduce("mean")),
    "amax": ((("dim", ()), ("keepdim", False)), _reduce("amax")),
    "amin": ((("dim", ()), ("keepdim", False)), _reduce("amin")),
    "masked_fill": ((("mask", REQUIRED), ("value", REQUIRED)), lambda f, t, a, n: kt.masked_fill(f, t, a["mask"],
                                                                                                 a["value"], n)),
    "masked_fill_": ((("mask", REQUIRED), ("value", REQUIRED)), _masked_fill_),
    "clamp": ((("min", None), ("max", None)), lambda f, t, a, n: kt.clamp(f, t, a["min"], a["max"], n)),
    "roll": ((("shifts", REQUIRED), ("dims", None)), lambda f, t, a, n: kt.roll(f, t, a["shifts"], a["dims"], n)),
    "add_": ((("other", REQUIRED),), _inplace("+")),
    "sub_": ((("other", REQUIRED),), _inplace("-")),
    "mul_": ((("other", REQUIRED),), _inplace("*")),
    "div_": ((("other", REQUIRED),), _inplace("/")),
    "fill_": ((("value", REQUIRED),), _fill),
    "zero_": ((), _zero),
}
METHODS.update({name: ((), _elementwise(name)) for name in kt.ELEMENTWISE})
METHODS["clip"] = METHODS["clamp"]


def method(frame, tensor: Constant, name: str, args: Args, node):
    """``t.name(...)`` of a tensor of known values; None when the table has no such method."""
    entry = METHODS.get(name)
    if entry is None:
        return None
    params, handler = entry
    return handler(frame, tensor, bound_args(frame, f"Tensor.{name}", params, args, node), node)


def bound_args(frame, function: str, params: tuple, args: Args, node) -> dict:
    if params and isinstance(params[0], str) and params[0].startswith("*"):
        if args.keywords:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"{function}() got an unexpected keyword argument {args.keywords[0][0]!r}", node)
        return {params[0][1:]: args.values}
    defaults = dict(params)
    try:
        bound, _, _ = bind(function, [p for p, _ in params], args.values, args.named,
                           lambda key, _: defaults[key])
    except BindError as exc:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, exc.message, node) from None
    return bound


# ---------------------------------------------------------------- torch.<name>(...)


def joined(frame, name: str, args: Args, node):
    """torch.stack / torch.cat / torch.meshgrid of tensors of known values (or of known shape)."""
    values = args.values
    if name == "meshgrid":
        tensors = list(values[0]) if len(values) == 1 and isinstance(values[0], (list, tuple)) else list(values)
        extra = set(args.named) - {"indexing"}
        if extra:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"meshgrid() got an unexpected keyword argument {sorted(extra)[0]!r}", node)
        check_tensors(tensors, name, node)
        # without indexing= torch warns and uses "ij" (its old behaviour)
        return kt.meshgrid(frame, tensors, args.named.get("indexing", "ij"), node)
    bound = bound_args(frame, f"torch.{name}", (("tensors", REQUIRED), ("dim", 0)), args, node)
    tensors = bound["tensors"]
    if not isinstance(tensors, (list, tuple)):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{name}(): argument 'tensors' must be tuple of Tensors, not {describe(tensors)}",
                         node)
    check_tensors(tensors, name, node)
    if name == "stack":
        return kt.stack(frame, list(tensors), bound["dim"], node)
    return cat(frame, list(tensors), bound["dim"], node)


def check_tensors(tensors, name: str, node) -> None:
    for t in tensors:
        if not isinstance(t, Constant):
            raise Unfollowable(f"torch.{name} of {describe(t)}", node)


def cat(frame, tensors: list, dim, node) -> Constant:
    if not tensors:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "RuntimeError", ("torch.cat(): expected a non-empty list of Tensors",), node)
    rank = len(tensors[0].shape)
    d = kt.dim_of(frame, dim, rank, node)
    for t in tensors:
        if len(t.shape) != rank or t.shape[:d] + t.shape[d + 1:] != tensors[0].shape[:d] + tensors[0].shape[d + 1:]:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "RuntimeError", ("Sizes of tensors must match except in dimension "
                                                      f"{d}",), node)
    shape = tensors[0].shape[:d] + (sum(t.shape[d] for t in tensors),) + tensors[0].shape[d + 1:]
    floating = any(t.floating for t in tensors)
    if not all(kt.is_known(t) for t in tensors):
        return Constant(shape, None, floating)
    import math

    outer = math.prod(tensors[0].shape[:d])
    values = []
    for o in range(outer):
        for t in tensors:
            inner = math.prod(t.shape[d:])
            values.extend(t.values[o * inner:(o + 1) * inner])
    return kt.known_of(frame, values, shape, floating, node)


FUNCTIONS = {"stack", "cat", "concat", "concatenate", "meshgrid"}


def function(frame, name: str, args: Args, node):
    """``torch.name(t, ...)`` where ``t`` is a tensor of known values: the method's table, or a join;
    None when neither has it."""
    if name in FUNCTIONS:
        return joined(frame, "cat" if name in ("concat", "concatenate") else name, args, node)
    values = args.values
    tensor = values[0] if values else args.named.get("input")
    if not kt.is_known(tensor) or name not in METHODS:
        return None
    rest = Args(args.positional[1:], [kw for kw in args.keywords if kw[0] != "input"]) if values else \
        Args([], [kw for kw in args.keywords if kw[0] != "input"])
    return method(frame, tensor, name, rest, node)
