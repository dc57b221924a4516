"""torch.nn as model files use it: catalogue layers built (``nn.Conv2d(3, 32, 3)``), the
containers, ``nn.Parameter``, the nn.Module API a model's ``__init__`` calls (``self.modules()``,
``add_module``, ``.to(device)``, ``register_buffer``), what a module registers when an attribute
is set, isinstance against nn classes, and the calls of a training script that never change a
model (optimizers, data loaders, ``torch.manual_seed``)."""
from __future__ import annotations

from convcalc import nodes as n
from convcalc.frontends.python import forward
from convcalc.frontends.python.brains import CONSTANTS, STARS, register, register_prefix
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Args, Builtin, Function, Ref, Unknown, describe, nn_class
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.torchobjects import (Buffer, Constant, Container, Layer, ModuleDict, ModuleList,
                                                     ModulesView, Opaque, Parameter, Sequential, Weight, as_container,
                                                     children_of, is_module, tree_of)
from convcalc.layers.functional import SKIPPED_ARGS
from convcalc.symbolic import dims

# the nn.Module attributes convcalc does not model: reading one is "not followed", not an error
NN_MODULE_API = {"_modules", "_parameters", "_buffers", "state_dict", "load_state_dict", "buffers", "named_buffers",
                 "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook", "half",
                 "extra_repr", "_get_name", "get_submodule", "get_parameter", "type", "xpu", "ipu", "compile",
                 "dump_patches", "_version", "T_destination", "call_super_init", "_forward_hooks"}


# ---------------------------------------------------------------- layers


def make_layer(frame, name: str, args: Args, node) -> Layer:
    """A catalogue layer with constant arguments: the node emitted per use."""
    spans = []
    for value, value_node in args.positional:
        spans.append((value, value_node))
    exprs = tuple(forward.const_node(frame, v, span_of(frame, nd, node), nd or node, name) for v, nd in spans)
    kw = []
    for key, value, value_node, kw_node in args.keywords:
        if key in SKIPPED_ARGS or isinstance(value, Unknown):
            continue
        kw.append((key, forward.const_node(frame, value, span_of(frame, value_node, node), value_node or node, name),
                   span_of(frame, kw_node, node) if kw_node is not None and hasattr(kw_node, "lineno")
                   else span_of(frame, value_node, node)))
    name_span = frame.span(node.func if hasattr(node, "func") else node)
    call_node = n.Call(name, exprs, tuple(kw), frame.segment(node), frame.span(node), name_span)
    # (what was called, where): a class's name for its __init__ (OutConv(32, n_classes) built it)
    origin = tuple((f.function.owner.name if f.function is not None and f.function.name == "__init__" and
                    f.function.owner else f.function.name if f.function is not None else "", f.call_span)
                   for f in reversed(list(frame.frames())) if f.call_span is not None)
    return Layer(name, call_node, origin)


def span_of(frame, value_node, node):
    target = value_node if value_node is not None and hasattr(value_node, "lineno") else node
    return frame.span(target)


def call_layer(frame, qname: str, args: Args, node):
    return make_layer(frame, qname.rsplit(".", 1)[-1], args.without(SKIPPED_ARGS), node)


def call_opaque(frame, qname: str, args: Args, node):
    return Opaque(qname)


def module_class_handler(qname: str):
    """The handler of ``torch.nn.X``: a catalogue layer, or a module outside the catalogue."""
    from convcalc.layers.catalogue import REGISTRY

    short = nn_class(qname)
    if short is None:
        return None
    if short in REGISTRY:
        return call_layer
    if short[:1].isupper():
        return call_opaque  # nn.LSTM, a loss: a module convcalc does not follow into
    return None


def layer_attr(frame, layer: Layer, name: str, node):
    """conv.out_channels, fc.in_features: the constructor's arguments; weight and bias."""
    from convcalc.layers.catalogue import lookup

    spec = lookup(layer.name)
    bound = forward.layer_args(layer)
    if name == "weight" or name == "bias":  # None without a bias, as torch has it
        return None if name == "bias" and bound.values.get("bias") is False else Weight(layer, name)
    if name in TUPLED and name in layer.extra:
        return layer.extra[name]  # set again on the built layer, to the same window (layer_set_attr)
    if name in bound.values:
        value = bound.values[name]
        # torch keeps a convolution's window settings as tuples, one per spatial dim
        if spec.family == "conv" and name in TUPLED and type(value) is int:
            return (value,) * spec.traits.rank
        return value
    if name in ("training", "inplace"):
        return frame.machine.training if name == "training" else bound.values.get("inplace", False)
    if name in layer.extra:
        return layer.extra[name]
    if name in MODULE_SELF:
        return Builtin(name, lambda f, args, nd: layer)
    if name == "forward":
        return Builtin("forward", lambda f, args, nd: forward.apply_layer(f, layer, args, nd))
    if name in TREE_METHODS:
        return Builtin(name, lambda f, args, nd: tree_method(f, layer, name, args, nd))
    if name == "__class__":
        return Ref(f"torch.nn.{layer.name}")
    from convcalc.frontends.python.brains.torch_names import LAYER_ATTRS

    if not name.startswith("_") and name not in LAYER_ATTRS.get(layer.name, (name,)):
        from convcalc.frontends.python.pycore import attribute_error  # torch 2.13's layer has no such name

        raise attribute_error(frame, f"'{layer.name}' object has no attribute '{name}'", node)
    raise Unfollowable(f"the attribute {name} of {layer.name}", node)


TUPLED = {"kernel_size", "stride", "padding", "dilation", "output_padding"}


def layer_set_attr(frame, layer: Layer, name: str, value, node) -> None:
    if is_module(value) or isinstance(value, Parameter):  # torch registers it: its parameters would count
        raise Unfollowable(f"{describe(value)} set as the attribute {name} of nn.{layer.name} (torch registers it in "
                           "the layer)", node)
    if name not in layer.settings():
        layer.extra[name] = value  # a note of the model's own (inception's fc.stddev): no shape reads it
        return
    if name in ("weight", "bias"):
        if tied_to(layer, name, value):  # conv2.weight = conv1.weight: one Parameter, counted once by torch
            layer.extra.setdefault("__tied__", {})[name] = value.owner
            return
        raise Unfollowable(f"a new {name} set on nn.{layer.name} (replaced weights, or tied to a tensor of another "
                           "shape)", node)
    if name in TUPLED and window(layer, value) is not None and \
            window(layer, value) == window(layer, layer_attr(frame, layer, name, node)):
        layer.extra[name] = value  # the same window setting again ([2, 2] for (2,)): read back as set; what
        return  # torch's forward reads is unchanged
    if name in FORWARD_READ and window(layer, value) is not None:  # read by forward, held by no weight
        layer.set_setting(name, forward.const_node(frame, value, frame.span(node), node, layer.name), frame.span(node))
        layer.extra.pop(name, None)
        return
    raise Unfollowable(f"setting {name} of nn.{layer.name}", node)


# the settings torch's forward reads each time and no weight's shape holds: set on a built layer, they apply
FORWARD_READ = {"stride", "padding", "dilation"}


def window(layer: Layer, value):
    """A convolution's or pool's window setting per spatial dim, as its functional form reads it (an int
    or a single item for each dim); None for anything else."""
    from convcalc.layers.catalogue import lookup

    rank = getattr(lookup(layer.name).traits, "rank", None)
    if type(rank) is not int:
        return None
    if type(value) is int:
        return (value,) * rank
    if isinstance(value, (list, tuple)) and all(type(v) is int for v in value) and len(value) in (1, rank):
        return tuple(value) * (rank // len(value))
    return None


def tied_to(layer: Layer, name: str, value) -> bool:
    """``value`` is the same tensor of another layer of the same kind and arguments (so of the same
    shape), which this layer's ``name`` becomes."""
    if not isinstance(value, Weight) or value.part != name or not isinstance(value.owner, Layer) or \
            value.owner is layer or value.owner.name != layer.name:
        return False
    from convcalc.layers.catalogue import lookup

    mine, theirs = forward.layer_args(layer).values, forward.layer_args(value.owner).values
    return bool(mine) and mine == theirs and "bias" in dict(lookup(layer.name).params)


def tied_count(layer: Layer) -> int:
    """The elements of a layer's tensors that are another layer's (tied_to): torch counts them once."""
    from convcalc.engine.probe import layer_params
    from convcalc.layers.catalogue import lookup
    from convcalc.layers.registry import Args as LayerArgs

    spec = lookup(layer.name)
    bound = forward.layer_args(layer)
    total, _ = layer_params(spec, bound)
    weight, _ = layer_params(spec, LayerArgs(layer.name, {**bound.values, "bias": False}, spec.traits))
    if total is None or weight is None:
        raise Unfollowable(f"the size of the tensors nn.{layer.name} shares", None)
    tied = layer.extra.get("__tied__", {})
    return (weight if "weight" in tied else 0) + (total - weight if "bias" in tied else 0)


# ---------------------------------------------------------------- containers


def sequential_items(frame, values: list, node) -> list:
    if len(values) == 1 and isinstance(values[0], dict):
        items = list(values[0].values())
    else:
        items = list(values)
    for item in items:
        if not is_module(item):
            raise Unfollowable(f"nn.Sequential of {describe(item)}", node)
    return items


def call_sequential(frame, qname, args: Args, node):
    if args.keywords:
        raise Unfollowable("nn.Sequential with keywords", node)
    return Sequential(sequential_items(frame, args.values, node))


def call_module_list(frame, qname, args: Args, node):
    from convcalc.frontends.python.pycore import iterate

    items = iterate(frame, args.values[0], node) if args.values else []
    if not all(is_module(i) or i is None for i in items):
        raise Unfollowable("nn.ModuleList of something not a module", node)
    return ModuleList(items)


def call_module_dict(frame, qname, args: Args, node):
    values = args.values
    if values and not isinstance(values[0], dict):
        from convcalc.frontends.python.pycore import iterate

        pairs = iterate(frame, values[0], node)
        return ModuleDict(dict(pairs))
    return ModuleDict(dict(values[0]) if values else {})


def container_attr(frame, obj: Container, name: str, node):
    if name in TREE_METHODS:
        return Builtin(name, lambda f, args, nd: tree_method(f, obj, name, args, nd))
    if name in MODULE_SELF:
        return Builtin(name, lambda f, args, nd: obj)
    method = CONTAINER_METHODS.get((obj.kind == "dict", name))
    if method is None:
        if name == "_modules":
            return ModulesView(dict(children_of(obj)))
        if name == "training":
            return frame.machine.training
        if name == "forward" and obj.kind == "sequential":
            return Builtin("forward", lambda f, args, nd: forward.call_module(f, obj, args, nd))
        named = obj.__dict__.get("named", {})
        if name in named and any(item is named[name] for item in obj.items):
            return named[name]  # added by add_module under that name, and still held
        raise Unfollowable(f"the attribute {name} of {obj.describe()}", node)
    return Builtin(f"{obj.describe()}.{name}", lambda f, args, nd: method(f, obj, args, nd))


def _append(frame, obj, args, node):
    (value,) = args.values
    if not is_module(value) and value is not None:
        raise Unfollowable("appending something not a module", node)  # None: torch keeps it, and skips it
    frame.charge(1, node)
    obj.items.append(value)
    return obj


def _extend(frame, obj, args, node):
    from convcalc.frontends.python.pycore import iterate

    new = iterate(frame, args.values[0], node)
    if not all(is_module(v) for v in new):
        raise Unfollowable("extending with something not a module", node)
    frame.charge(len(new), node)
    obj.items.extend(new)
    return obj


def _insert(frame, obj, args, node):
    index, value = args.values
    obj.items.insert(index, value)


def _add_module(frame, obj, args, node):
    name, value = args.values
    if not is_module(value):
        raise Unfollowable("add_module of something not a module", node)
    if isinstance(obj, ModuleDict):
        obj.items[name] = value
    else:
        obj.items.append(value)
        if isinstance(name, str):  # torch's container reads it by its name: self.path.pad(x)
            obj.__dict__.setdefault("named", {})[name] = value


def _view(kind):
    def view(frame, obj, args, node):
        return list({"keys": obj.items.keys, "values": obj.items.values, "items": obj.items.items}[kind]())
    return view


def _dict_get(frame, obj, args, node):
    values = args.values
    return obj.items.get(values[0], values[1] if len(values) > 1 else None)


def _update(frame, obj, args, node):
    obj.items.update(args.values[0] if args.values else {})


def _pop(frame, obj, args, node):
    return obj.items.pop(*args.values)


CONTAINER_METHODS = {(False, "append"): _append, (False, "extend"): _extend, (False, "insert"): _insert,
                     (False, "add_module"): _add_module, (True, "add_module"): _add_module,
                     (True, "keys"): _view("keys"), (True, "values"): _view("values"),
                     (True, "items"): _view("items"), (True, "get"): _dict_get, (True, "update"): _update,
                     (False, "pop"): _pop, (True, "pop"): _pop}


def init_layer(frame, obj, args: Args, node):
    """super().__init__(...) of a subclass of a catalogue layer: the layer it is."""
    obj.base = make_layer(frame, obj.cls.layer, args, node)
    return None


def init_container(frame, obj, args: Args, node):
    """super().__init__(...) of an nn.Sequential, ModuleList or ModuleDict subclass."""
    kind = obj.cls.container
    values = args.values
    if args.keywords or (kind != "sequential" and len(values) > 1):
        raise Unfollowable(f"the {obj.cls.name} container built with these arguments", node)
    if kind == "dict":
        items = values[0] if values else {}
        if isinstance(items, ModuleDict):
            items = items.items
        if not isinstance(items, dict):
            raise Unfollowable(f"an nn.ModuleDict of {describe(items)}", node)
        obj.attrs.update(items)
        return None
    from convcalc.frontends.python.pycore import iterate

    items = values if kind == "sequential" else (iterate(frame, values[0], node) if values else [])
    obj.seq = sequential_items(frame, items, node)
    return None


# ---------------------------------------------------------------- nn.Module's API


MODULE_SELF = {"to", "cuda", "cpu", "eval", "train", "float", "half", "double", "bfloat16", "requires_grad_",
               "zero_grad", "share_memory", "to_empty"}
TREE_METHODS = {"parameters", "modules", "named_modules", "children", "named_children", "named_parameters"}


def module_attr(frame, obj: Instance, name: str, node):
    if name in MODULE_SELF:
        return Builtin(name, lambda f, args, nd: obj)
    if name in TREE_METHODS:
        return Builtin(name, lambda f, args, nd: tree_method(f, obj, name, args, nd))
    if name in MODULE_METHODS:
        return Builtin(name, lambda f, args, nd: MODULE_METHODS[name](f, obj, args, nd))
    if name == "training":
        return frame.machine.training
    if name == "forward" and obj.cls.container == "sequential":
        return Builtin("forward", lambda f, args, nd: forward.call_module(f, as_container(obj), args, nd))
    if name == "_modules":  # pytorchcv's containers: for module in self._modules.values()
        return ModulesView(dict(children_of(obj)))
    if obj.cls.container:  # self.append(block), self.items() in a container subclass
        return container_attr(frame, as_container(obj), name, node)
    if obj.base is not None:  # self.normalized_shape, self.weight of a subclass of a layer
        return layer_attr(frame, obj.base, name, node)
    if name in NN_MODULE_API or obj.cls.foreign:
        raise Unfollowable(f"{obj.cls.name}.{name}: an nn.Module attribute convcalc does not model", node)
    if obj.cls.mixins:
        raise Unfollowable(f"{obj.cls.name}.{name}: not defined by the file's classes nor nn.Module; it may come from "
                           f"{obj.cls.mixins[0]}, which convcalc does not read", node)
    getter = obj.cls.lookup("__getattr__")
    if isinstance(getter, Function):
        from convcalc.frontends.python.pyobjects import invoke

        return invoke(frame, getter, Args.of(obj, name), node)
    from convcalc.frontends.python.pycore import attribute_error

    raise attribute_error(frame, f"'{obj.cls.name}' object has no attribute '{name}'", node)


def module_set_attr(frame, obj: Instance, name: str, value, node) -> None:
    if obj.base is not None and name in obj.base.settings() and name not in ("forward", "training"):
        layer_set_attr(frame, obj.base, name, value, node)
        return
    if name == "training" and isinstance(value, bool):
        return
    obj.attrs[name] = value


def tree_method(frame, obj, name: str, args: Args, node):
    if name == "modules":
        return [module for _, module in tree_of(obj)]
    if name == "named_modules":
        return [(path, module) for path, module in tree_of(obj)]
    if name == "children":
        return [module for _, module in children_of(obj)]
    if name == "named_children":
        return list(children_of(obj))
    if name == "parameters":
        return [Weight(m) for _, m in tree_of(obj) if isinstance(m, (Layer, Parameter))]
    return [(path, Weight(m)) for path, m in tree_of(obj) if isinstance(m, (Layer, Parameter))]


def module_apply(frame, obj, args, node):
    frame.machine.notes.append(frame.note(f"{obj.cls.name}.apply(...) is taken as weight initialisation: it "
                                          "cannot change the module tree", node))
    return obj


def module_add_module(frame, obj, args, node):
    values = args.values
    if len(values) != 2 or not isinstance(values[0], str) or not (is_module(values[1]) or values[1] is None):
        raise Unfollowable("add_module with other arguments", node)
    obj.attrs[values[0]] = values[1]


def module_setattr(frame, obj, args, node):
    """self.__setattr__("level_%d" % i, subtree): as self.level_1 = subtree."""
    values = args.values
    if len(values) != 2 or args.keywords or not isinstance(values[0], str):
        raise Unfollowable("__setattr__ with other arguments", node)
    module_set_attr(frame, obj, values[0], values[1], node)


def module_getattr(frame, obj, args, node):
    values = args.values
    if len(values) != 1 or args.keywords or not isinstance(values[0], str):
        raise Unfollowable("__getattr__ with other arguments", node)
    return obj.attr(frame, values[0], node)


def module_register(frame, obj, args, node):
    values = args.values
    if len(values) < 2 or not isinstance(values[0], str):
        raise Unfollowable("register_buffer / register_parameter with other arguments", node)
    obj.attrs[values[0]] = values[1]


def module_register_buffer(frame, obj, args, node):
    """self.register_buffer("grid", torch.linspace(-1, 1, 8)): a buffer of the module (None: none)."""
    values = args.values
    tensor = values[1] if len(values) > 1 else args.named.get("tensor")
    if not values or not isinstance(values[0], str) or len(values) > 3:
        raise Unfollowable("register_buffer with other arguments", node)
    if isinstance(tensor, (Constant, Parameter)):
        tensor = Buffer(tensor.shape, getattr(tensor, "values", None), getattr(tensor, "floating", True))
    elif tensor is not None:
        raise Unfollowable(f"register_buffer of {describe(tensor)}", node)
    obj.attrs[values[0]] = tensor


MODULE_METHODS = {"apply": module_apply, "add_module": module_add_module, "register_module": module_add_module,
                  "register_buffer": module_register_buffer, "register_parameter": module_register,
                  "__setattr__": module_setattr, "__getattr__": module_getattr}


# ---------------------------------------------------------------- parameters


def call_parameter(frame, qname, args: Args, node):
    values = args.values
    data = values[0] if values else args.named.get("data")
    if not isinstance(data, (Constant, Parameter)):
        raise Unfollowable(f"nn.Parameter of {describe(data)}", node)
    trainable = args.named.get("requires_grad", values[1] if len(values) > 1 else True) is not False
    return Parameter(tuple(data.shape), trainable)


# ---------------------------------------------------------------- the rest of torch


def no_op(frame, qname, args, node):
    return None


def false(frame, qname, args, node):
    """torch.jit.is_scripting(), torch.cuda.is_available(): forward is followed as eager PyTorch
    runs it on the CPU."""
    return False


def script_object(frame, qname, args, node):
    if frame.trace is not None:
        raise Unfollowable(f"{qname} in forward", node)
    return Ref(f"{qname}()")


def device(frame, qname, args, node):
    """torch.device("cuda:0"), torch.device("cpu", 0): the device named; anything else, the run's CPU."""
    from convcalc.frontends.python.torchobjects import Device

    values = args.values
    if values and isinstance(values[0], Device):
        return values[0]
    if values and isinstance(values[0], str) and values[0].split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta"):
        kind, _, index = values[0].partition(":")
        index = int(index) if index.isdigit() else (values[1] if len(values) > 1 and type(values[1]) is int else None)
        return Device(kind, index)
    return None if qname == "torch.accelerator.current_accelerator" else Ref("torch.device")  # none on a CPU run


def jit_isinstance(frame, qname, args, node):
    """torch.jit.isinstance(x, T): isinstance, as eager PyTorch runs it."""
    from convcalc.frontends.python.builtins import BUILTINS

    return BUILTINS["isinstance"].call(frame, args, node)


def annotate(frame, qname, args, node):
    """torch.jit.annotate(T, value) is value."""
    values = args.values
    return values[1] if len(values) == 2 else None


def overwrite(frame, qname, args, node):
    """_ovewrite_named_param(kwargs, name, value): kwargs[name] = value (torchvision's rule: a
    different value already there is an error)."""
    values = args.values
    if len(values) != 3 or not isinstance(values[0], dict) or not isinstance(values[1], str):
        raise Unfollowable(f"{qname} with other arguments", node)
    kwargs, name, value = values
    if name in kwargs and kwargs[name] != value:
        raise Unfollowable(f"{qname}: {name}={describe(kwargs[name])} was given, {describe(value)} expected", node)
    kwargs[name] = value


def weight_norm(frame, qname, args, node):
    """nn.utils.weight_norm(module): the module, its weight split into weight_g and weight_v (one
    more parameter per output channel, as model.parameters() counts them)."""
    values = args.values
    given = values[0] if values else args.named.get("module")
    # a subclass of a layer (pytorch-tcn's TemporalConv1d(nn.Conv1d)): its weight is the layer's
    module = given.base if isinstance(given, Instance) and isinstance(given.base, Layer) else given
    if not isinstance(module, Layer):
        raise Unfollowable(f"{qname} of {describe(module)}", node)
    from convcalc.layers.catalogue import lookup

    bound = forward.layer_args(module)
    name = args.named.get("name", values[1] if len(values) > 1 else "weight")
    dim = args.named.get("dim", values[2] if len(values) > 2 else 0)
    channels = bound.values.get("out_channels" if lookup(module.name).traits.channels else "out_features")
    if name != "weight" or dim != 0 or type(channels) is not int:
        raise Unfollowable(f"{qname} with name={name!r}, dim={dim!r}", node)
    module.extra["__weight_g__"] = channels
    return given


def spectral_norm(frame, qname, args, node):
    """nn.utils.spectral_norm(module): the same parameters (its u and v vectors are buffers)."""
    values = args.values
    module = values[0] if values else args.named.get("module")
    if not isinstance(module, Layer):
        raise Unfollowable(f"{qname} of {describe(module)}", node)
    return module


def ntuple(count: int):
    """torch.nn.modules.utils._pair and its kin: an iterable as a tuple, anything else repeated."""
    def make(frame, qname, args, node):
        if len(args.values) != 1 or args.keywords:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"parse() takes 1 positional argument but {len(args)} were given", node)
        value = args.values[0]
        if isinstance(value, (tuple, list, str)):
            return tuple(value)
        if isinstance(value, (int, float, bool)) or value is None or dims.is_symbolic(value):
            return (value,) * count
        raise Unfollowable(f"{qname.rsplit('.', 1)[-1]} of {describe(value)}", node)
    return make


def is_torch_class(qname: str) -> bool:
    """torch.nn.Conv2d, torch.nn.Sequential: a class (its type is ``type``)."""
    from convcalc.layers.catalogue import REGISTRY

    prefix, _, name = qname.rpartition(".")
    return prefix in ("torch.nn", "torch.nn.modules") and (name in REGISTRY or name in CLASSES)


CLASSES = ("Sequential", "ModuleList", "ModuleDict", "Module", "Parameter")


def make_ntuple(frame, qname, args, node):
    """_ntuple(n): the parse function of _pair's kin."""
    count = args.values[0] if len(args.values) == 1 and not args.keywords else None
    if type(count) is not int or not 0 < count <= 16:
        raise Unfollowable(f"{qname} of {describe(count)}", node)
    parse = ntuple(count)
    return Builtin("parse", lambda f, a, n: parse(f, qname, a, n))


HELPERS = {"_log_api_usage_once": no_op, "_ovewrite_named_param": overwrite}
UTILS = {"_single": 1, "_pair": 2, "_triple": 3, "_quadruple": 4}

# objects of the training script (an optimizer, a scheduler, a data loader, a loss): made from
# the model's parameters, never changing its tree; what they are is not needed
SCRIPT_OBJECTS = ("torch.optim", "torch.utils.data", "torch.save", "torch.load", "torch.nn.utils.clip_grad",
                  "torch.utils.tensorboard", "torch.cuda.amp", "torch.amp", "torchsummary", "torchinfo",
                  "torch.hub", "torch.backends", "torch.set_grad_enabled", "torch.set_num_threads", "torch.no_grad",
                  "torch.enable_grad", "torch.inference_mode", "torch.autograd.set_detect_anomaly")
NO_OP = ("torch.nn.init", "torch.manual_seed", "warnings.warn", "warnings.filterwarnings", "warnings.simplefilter",
         "torch._assert", "torch._C._log_api_usage_once", "torch.cuda.manual_seed",
         "torch.cuda.manual_seed_all", "random.seed", "numpy.random.seed", "torch.set_printoptions")


def register_all() -> None:
    register("torch.nn.Sequential", call_sequential)
    register("torch.nn.ModuleList", call_module_list)
    register("torch.nn.ModuleDict", call_module_dict)
    register("torch.nn.Parameter torch.nn.parameter.Parameter", call_parameter)
    register("torch.jit.is_scripting torch.jit.is_tracing torch.cuda.is_available torch.backends.mps.is_available "
             "torch.accelerator.is_available torch.backends.cudnn.is_available torch.compiler.is_compiling "
             "torch.compiler.is_exporting torch.compiler.is_dynamo_compiling torch.onnx.is_in_onnx_export "
             "torch._dynamo.is_compiling torch.fx._symbolic_trace.is_fx_tracing",
             false)
    register("torch.device torch.accelerator.current_accelerator", device)
    register("torch.cuda.device_count", lambda frame, qname, args, node: 0)
    register("torch.jit.annotate", annotate)
    register("torch.jit.isinstance", jit_isinstance)
    register("torch.nn.utils.weight_norm torch.nn.utils.parametrizations.weight_norm", weight_norm)
    register("torch.nn.utils.spectral_norm torch.nn.utils.parametrizations.spectral_norm", spectral_norm)
    for name, count in UTILS.items():
        register([f"{where}.{name}" for where in ("torch.nn.modules.utils", "torch.nn.modules.conv")], ntuple(count))
    register("torch.nn.modules.utils._ntuple", make_ntuple)
    for prefix in NO_OP:
        register_prefix(prefix, no_op)
    for prefix in SCRIPT_OBJECTS:
        register_prefix(prefix, script_object)
    register("torch.jit.unused torch.jit.ignore torch.jit.export torch.jit.script",
             lambda frame, qname, args, node: args.values[0] if args.values else None)
    from convcalc.layers.catalogue import REGISTRY
    from convcalc.layers.functional import FUNCTIONAL

    def nn_star():
        return {name: Ref("torch.nn." + name) for name in list(REGISTRY) + ["Sequential", "ModuleList",
                                                                              "ModuleDict", "Module", "Parameter"]}

    def functional_star():
        prefix = "torch.nn.functional."
        return {q[len(prefix):]: Ref(q) for q in FUNCTIONAL if q.startswith(prefix)}

    STARS.update({"torch.nn": nn_star, "torch.nn.modules": nn_star, "torch.nn.functional": functional_star})
    CONSTANTS.update({})


register_all()
