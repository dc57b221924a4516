"""A catalogue layer's own forward spelled functionally: ``F.conv2d(x, self.weight, self.bias,
self.stride, self.padding, self.dilation, self.groups)`` or ``F.linear(x, self.weight, self.bias)`` in
the forward of a subclass of nn.Conv2d or nn.Linear (efficientnet-pytorch pads first, timm's Linear
has a scripting branch), and the shapes of such a layer's weight and bias (``self.weight.size()``)."""
from __future__ import annotations

from convcalc.frontends.python import forward
from convcalc.frontends.python.brains import register
from convcalc.frontends.python.brains.torch_nn import layer_attr, window
from convcalc.frontends.python.pyobjects import Args, Builtin, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.torchobjects import Layer, Weight

# ---------------------------------------------------------------- a layer's own forward, spelled functionally

# F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups) in the
# forward of a subclass of nn.Conv2d (after its own padding): the layer's forward itself
WEIGHTED = {**{f"torch.nn.functional.conv{d}d": (f"Conv{d}d", ("stride", "padding", "dilation", "groups"))
               for d in "123"},
            **{f"torch.conv{d}d": (f"Conv{d}d", ("stride", "padding", "dilation", "groups")) for d in "123"},
            "torch.nn.functional.linear": ("Linear", ())}
# what the functional spelling takes when an argument is not given
FUNCTIONAL_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}


def weighted_call(frame, qname: str, args, node):
    """``F.conv2d``/``F.linear`` of a layer's own weight and bias with the layer's own settings:
    that layer applied (its row, its parameters counted once, as torch counts the module's). Any
    other weight (a tensor made in forward, another shape, other settings) is not followed."""
    layer_name, settings = WEIGHTED[qname]
    names = ("input", "weight", "bias") + settings
    given = dict(zip(names, args.values))
    for key, value, _, _ in args.keywords:
        if key not in names or key in given:
            raise Unfollowable(f"the argument {key} of {qname}", node)
        given[key] = value
    weight = given.get("weight")
    layer = weight.owner if isinstance(weight, Weight) and weight.part == "weight" else None
    if not isinstance(layer, Layer) or layer.name != layer_name or "input" not in given or \
            layer.extra.get("__tied__"):
        raise Unfollowable(f"{qname} of a weight that is not a {layer_name} layer's own", node)
    bias = given.get("bias")
    own_bias = layer_attr(frame, layer, "bias", node)
    if not (bias is None and own_bias is None or isinstance(bias, Weight) and bias.owner is layer and
            bias.part == "bias"):
        raise Unfollowable(f"{qname} with a bias that is not the layer's own", node)
    if settings and layer_attr(frame, layer, "padding_mode", node) != "zeros":
        raise Unfollowable(f"{qname} of a layer that pads with {layer_attr(frame, layer, 'padding_mode', node)!r}",
                           node)
    for setting in settings:
        mine = layer_attr(frame, layer, setting, node)
        value = given.get(setting, FUNCTIONAL_DEFAULTS[setting])
        if setting != "groups":
            value, mine = window(layer, value) or value, window(layer, mine) or mine
        if value != mine:
            raise Unfollowable(f"{qname} with {setting}={describe(value)}, not the layer's {describe(mine)}", node)
    made = forward.apply_layer(frame, layer, Args.of(given["input"]), node)
    if has_submodules(frame):  # a module with children of its own is no leaf to torchinfo: no mult-adds there
        frame.trace.nonleaf.add(layer.uid)
    return made


def running_self(frame):
    """The object whose method runs now: the value of its first parameter (None at module level)."""
    node = getattr(frame.function, "node", None)
    params = getattr(getattr(node, "args", None), "args", None)
    return frame.scope.vars.get(params[0].arg) if params else None


def has_submodules(frame) -> bool:
    """Whether the module whose forward runs now registers modules of its own."""
    from convcalc.frontends.python.torchobjects import is_module

    attrs = getattr(running_self(frame), "attrs", None) or {}
    return any(is_module(value) for value in attrs.values())


def weight_shape(layer, part: str):
    """The shape of a convolution's or a Linear's weight or bias, as torch makes it; None for others
    (a lazy or transposed convolution, a Bilinear)."""
    if not isinstance(layer, Layer):
        return None
    from convcalc.layers.catalogue import lookup

    spec = lookup(layer.name)
    traits = spec.traits
    bound = forward.layer_args(layer).values
    if spec.family == "dense" and traits.features == "in_features" and traits.field == "linear":
        fin, fout = bound.get("in_features"), bound.get("out_features")
        shape = (fout, fin) if part == "weight" else (fout,)
    elif spec.family == "conv" and not traits.transposed and not traits.lazy and type(traits.rank) is int:
        rank = traits.rank
        cin, cout, groups = bound.get("in_channels"), bound.get("out_channels"), bound.get("groups", 1)
        kernel = bound.get("kernel_size")
        kernel = (kernel,) * rank if type(kernel) is int else tuple(kernel) if isinstance(kernel, (list, tuple)) \
            else None
        if kernel is None or type(cin) is not int or type(groups) is not int or not groups or cin % groups:
            return None
        shape = (cout, cin // groups) + kernel if part == "weight" else (cout,)
    else:
        return None
    return shape if all(type(v) is int for v in shape) else None


def weight_size(weight: Weight, name: str, node):
    """``self.weight.size()``, ``.shape``, ``.size(-1)``, ``.numel()``, ``.dim()`` of a convolution's or a
    Linear's weight or bias; of any other layer's, not followed."""
    shape = weight_shape(weight.owner, weight.part) if weight.part in ("weight", "bias") else None
    if shape is None:
        raise Unfollowable(f"the {name} of a layer's weight", node)
    if name == "shape":
        return shape
    if name == "ndim":
        return len(shape)

    def size(frame, args, call_node):
        if args.keywords or len(args.values) > (1 if name == "size" else 0):
            raise Unfollowable(f"{name}() with these arguments", call_node)
        if name == "numel":
            total = 1
            for v in shape:
                total *= v
            return total
        if name == "dim":
            return len(shape)
        if not args.values:
            return shape
        dim = args.values[0]
        if type(dim) is not int or not -len(shape) <= dim < len(shape):
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "IndexError", (f"Dimension out of range (expected to be in range of "
                                                    f"[{-len(shape)}, {len(shape) - 1}], but got {dim})",), call_node)
        return shape[dim]
    return Builtin(name, size)


register(list(WEIGHTED), lambda frame, qname, args, node: _spelled(frame, qname, args, node))


def _spelled(frame, qname, args, node):
    if qname == "torch.nn.functional.linear" and not in_own_forward(frame, args):
        # the weights of another module (self.qkv.weight in an attention block's forward): the operation
        # 'linear', no module called (torchinfo's hooks do not see it), as brains/torch_tensors.py has it
        from convcalc.frontends.python.brains.torch_tensors import functional_linear

        return functional_linear(frame, qname, args, node)
    with forward.spelled(frame, qname):
        return weighted_call(frame, qname, args, node)


def in_own_forward(frame, args) -> bool:
    """Whether the weight given is the one of the module whose forward runs now (a subclass of
    nn.Linear calling F.linear on self.weight): only then is the call that layer applied."""
    weight = args.values[1] if len(args.values) > 1 else args.named.get("weight")
    own = running_self(frame)
    if not isinstance(weight, Weight) or own is None:
        return False
    return own is weight.owner or getattr(own, "base", None) is weight.owner  # a subclass instance: its layer
