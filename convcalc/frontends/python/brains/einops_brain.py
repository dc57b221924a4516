"""einops as model files use it: ``rearrange``, ``repeat`` and ``reduce`` on a tensor of forward
(operations of the catalogue: convcalc/layers/einops_ops.py), on a constant tensor or an
``nn.Parameter`` (its shape; given the batch as a new axis, ``repeat(self.cls_token, '() n d -> b
n d', b=b)``, a tensor for each sample), and the ``Rearrange`` / ``Reduce`` layers of
``einops.layers.torch`` (modules without parameters, checked when built as einops checks them).
einops' own refusals are einops' words (``EinopsError``)."""
from __future__ import annotations

import math

from convcalc.frontends.python import forward
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.pyobjects import Args, Builtin, Ref, Unknown, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.tensors import BATCH, Tensor
from convcalc.frontends.python.torchobjects import Constant, Module, Parameter
from convcalc.layers import einpattern
from convcalc.symbolic import dims

# einops' function -> (the catalogue's operation, the parameters before the axes' sizes)
FUNCTIONS = {"rearrange": ("rearrange", ("tensor", "pattern")), "repeat": ("einops_repeat", ("tensor", "pattern")),
             "reduce": ("einops_reduce", ("tensor", "pattern", "reduction"))}
LAYERS = {"Rearrange": ("rearrange", ("pattern",)), "Reduce": ("einops_reduce", ("pattern", "reduction"))}


def einops_error():
    from convcalc.frontends.python.pyexceptions import EXCEPTIONS, _exception_type

    if "EinopsError" not in EXCEPTIONS:
        EXCEPTIONS["EinopsError"] = _exception_type("EinopsError", EXCEPTIONS["RuntimeError"])
    return EXCEPTIONS["EinopsError"]


def raise_einops(frame, message: str, node):
    from convcalc.frontends.python.pycore import PyException
    from convcalc.frontends.python.reasons import Raised

    return Raised(PyException(einops_error(), (message,)), node)


def split_args(frame, qname: str, names: tuple, args: Args, node) -> tuple:
    """({parameter: value}, ((axis, size), ...)) of an einops call: its parameters by position or
    name, every other keyword an axis' size (the batch's as -1)."""
    values = args.values
    if len(values) > len(names):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{qname.rsplit('.', 1)[-1]}() takes {len(names)} positional arguments but "
                                f"{len(values)} were given", node)
    bound = dict(zip(names, values))
    axes = []
    for key, value, _, _ in args.keywords:
        if key in names:
            if key in bound:
                from convcalc.frontends.python.pycore import type_error

                raise type_error(frame, f"got multiple values for argument '{key}'", node)
            bound[key] = value
            continue
        if isinstance(value, Unknown):
            raise Unfollowable(f"the size of axis {key} is not known ({value.reason})", node)
        if value is BATCH:
            value = -1
        elif isinstance(value, bool) or not (type(value) is int or dims.is_symbolic(value)):
            raise Unfollowable(f"the size of axis {key} is {describe(value)}, not an integer", node)
        axes.append((key, value))
    for name in names:
        if name not in bound:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"{qname.rsplit('.', 1)[-1]}() missing required argument: '{name}'", node)
    return bound, tuple(axes)


def kind_of(op: str, bound: dict) -> str:
    return {"rearrange": "rearrange", "einops_repeat": "repeat"}.get(op) or bound.get("reduction")


def apply(frame, op: str, tensor, bound: dict, axes: tuple, node):
    """The operation on a tensor of forward, a constant tensor or a parameter."""
    pattern = bound["pattern"]
    if not isinstance(pattern, str):
        raise Unfollowable(f"an einops pattern that is {describe(pattern)}", node)
    args = (pattern, bound["reduction"], axes) if op == "einops_reduce" else (pattern, axes)
    if isinstance(tensor, Tensor):
        return forward.emit_op(frame, op, [tensor], args, node)
    if isinstance(tensor, (Constant, Parameter)):
        return constant(frame, op, tensor, bound, axes, node)
    if isinstance(tensor, (list, tuple)):
        raise Unfollowable(f"einops on a list of {len(tensor)} values (stacked along a new first axis, before "
                           "the batch)", node)
    raise Unfollowable(f"einops on {describe(tensor)}", node)


def constant(frame, op: str, tensor, bound: dict, axes: tuple, node):
    """einops on a tensor without the batch: its new shape; with an axis given the batch's size
    first, a tensor for each sample of the batch (made in forward)."""
    kind = kind_of(op, bound)
    if not isinstance(kind, str):
        raise Unfollowable(f"an einops reduction that is {describe(kind)}", node)
    given = tuple((name, einpattern.BATCH if size == -1 else size) for name, size in axes)
    try:
        out = einpattern.transform(kind, bound["pattern"], given, tuple(tensor.shape))
    except einpattern.EinopsProblem as exc:
        if exc.undecided:
            raise Unfollowable(f"einops on {tensor.describe()}: {exc.message}", node) from None
        raise raise_einops(frame, exc.message, node) from None
    except einpattern.BatchMoved:
        raise Unfollowable(f"einops pattern {bound['pattern']!r} composes the batch size with another axis", node) \
            from None
    if any(d is einpattern.BATCH for d in out):
        if out[0] is not einpattern.BATCH or any(d is einpattern.BATCH for d in out[1:]):
            raise Unfollowable(f"einops pattern {bound['pattern']!r} puts the batch size elsewhere than first", node)
        from convcalc.frontends.python.brains.torch_constants import new_tensor

        return new_tensor(frame, tuple(out[1:]), None, node)
    return Constant(tuple(out), None, getattr(tensor, "floating", True))


def call_function(frame, qname: str, args: Args, node):
    op, names = FUNCTIONS[qname.rsplit(".", 1)[-1]]
    bound, axes = split_args(frame, qname, names, args, node)
    return apply(frame, op, bound["tensor"], bound, axes, node)


def pack_axes(frame, pattern, node) -> tuple:
    """(axes before ``*``, axes after) of a pack pattern ('b * d'); the batch must come before."""
    if not isinstance(pattern, str):
        raise Unfollowable(f"an einops pack pattern that is {describe(pattern)}", node)
    names = pattern.split()
    if names.count("*") != 1 or any(not n.isidentifier() for n in names if n != "*") or len(set(names)) != len(names):
        raise raise_einops(frame, f"Invalid pattern {pattern!r} for pack or unpack: one * and distinct axis names",
                           node)
    before = names.index("*")
    if before == 0:
        raise Unfollowable(f"einops pack pattern {pattern!r} packs the batch (the first axis)", node)
    return before, len(names) - before - 1


def pack(frame, qname: str, args: Args, node):
    """einops.pack([a, b], 'b * d'): each tensor's axes at * flattened, then joined along them;
    with the shapes they had (``ps``)."""
    bound, _ = split_args(frame, qname, ("tensors", "pattern"), args, node)
    before, after = pack_axes(frame, bound["pattern"], node)
    from convcalc.frontends.python.pycore import iterate

    flat, shapes = [], []
    for i, tensor in enumerate(iterate(frame, bound["tensors"], node)):
        sizes = forward.tensor_arg(tensor, node).sizes(node)
        if len(sizes) < before + after:
            raise raise_einops(frame, f"packed tensor #{i} (enumeration starts with 0) has shape {len(sizes)}-d, "
                                      f"while pattern {bound['pattern']} assumes at least {before + after} axes", node)
        star = tuple(sizes[before:len(sizes) - after])
        shapes.append(star)
        target = [*sizes[:before], math.prod(star), *sizes[len(sizes) - after:]]
        flat.append(tensor if len(star) == 1 else forward.view(frame, tensor, target, node))
    if not flat:
        raise raise_einops(frame, "pack of no tensors", node)
    return forward.concat(frame, flat, before, node), shapes


def unpack(frame, qname: str, args: Args, node):
    """einops.unpack(x, ps, 'b * d'): x split along the axis at * into pieces of the shapes ps."""
    bound, _ = split_args(frame, qname, ("tensor", "packed_shapes", "pattern"), args, node)
    before, after = pack_axes(frame, bound["pattern"], node)
    from convcalc.frontends.python.pycore import iterate

    tensor = forward.tensor_arg(bound["tensor"], node)
    sizes = tensor.sizes(node)
    shapes = [tuple(iterate(frame, shape, node)) for shape in iterate(frame, bound["packed_shapes"], node)]
    if len(sizes) != before + after + 1 or not shapes:
        raise raise_einops(frame, f"unpack of a {len(sizes)}-d tensor by pattern {bound['pattern']!r} and "
                                  f"{len(shapes)} shapes", node)
    lengths = [math.prod(shape) for shape in shapes]
    pieces = [tensor] if len(shapes) == 1 else \
        list(forward.emit_op(frame, "split", [tensor], (lengths, before), node, outputs=len(shapes)))
    out = []
    for piece, shape in zip(pieces, shapes):
        target = [*sizes[:before], *shape, *sizes[before + 1:]]
        out.append(piece if len(shape) == 1 else forward.view(frame, piece, target, node))
    return out


class EinopsLayer(Module):
    """einops.layers.torch.Rearrange / Reduce: a module without parameters applying its pattern."""

    def __init__(self, name: str, op: str, bound: dict, axes: tuple):
        self.name, self.op, self.bound, self.axes = name, op, bound, axes

    def describe(self) -> str:
        return f"einops {self.name}({self.bound['pattern']!r})"

    def pytype(self):
        return Ref(f"einops.layers.torch.{self.name}")

    def follow(self, frame, args: Args, node):
        """The layer called on a tensor."""
        if len(args.values) != 1 or args.keywords:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"{self.name}.forward() takes one tensor, {len(args)} given", node)
        return apply(frame, self.op, args.values[0], self.bound, self.axes, node)

    def attr(self, frame, name, node):
        if name in ("pattern", "reduction"):
            return self.bound.get(name)
        if name == "axes_lengths":
            return {k: v for k, v in self.axes}
        if name == "forward":
            return Builtin("forward", lambda f, a, n: self.follow(f, a, n))
        from convcalc.frontends.python.brains.torch_nn import MODULE_SELF

        if name in MODULE_SELF:
            return Builtin(name, lambda f, a, n: self)
        if name == "training":
            return frame.machine.training
        return super().attr(frame, name, node)


def call_layer(frame, qname: str, args: Args, node):
    name = qname.rsplit(".", 1)[-1]
    op, names = LAYERS[name]
    bound, axes = split_args(frame, qname, names, args, node)
    kind = kind_of(op, bound)
    try:  # as einops checks a layer's pattern when it is built
        if not isinstance(kind, str):
            raise Unfollowable(f"an einops reduction that is {describe(kind)}", node)
        left, right = einpattern.parse(bound["pattern"], kind, tuple(k for k, _ in axes))
        einpattern.check_names(tuple(k for k, _ in axes), left, right)
    except einpattern.EinopsProblem as exc:
        shown = ", ".join([repr(bound["pattern"])] + ([repr(kind)] if op == "einops_reduce" else []) +
                          [f"{k}={v}" for k, v in axes])
        raise raise_einops(frame, f" Error while preparing {name}({shown})\n {exc.message}", node) from None
    return EinopsLayer(name, op, bound, axes)


def register_all() -> None:
    for prefix in ("einops.", "einops.einops.", "einops.packing."):
        register([prefix + f for f in FUNCTIONS], call_function)
        register(prefix + "pack", pack)
        register(prefix + "unpack", unpack)
    for prefix in ("einops.layers.torch.", "einops.layers.torch.torch."):
        register([prefix + name for name in LAYERS], call_layer)
    CONSTANTS["einops.EinopsError"] = einops_error()


register_all()
