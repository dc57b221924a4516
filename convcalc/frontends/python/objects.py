"""Attributes and instances: what ``obj.name`` is for each kind of value, classes instantiated
with their ``__init__``, ``super()`` (a mixin of the interpreter)."""
from __future__ import annotations

from convcalc.errors import ConvcalcError
from convcalc.frontends.python.builtins import CONTAINER_METHODS, container_kind, string_method
from convcalc.frontends.python.numeric import Numbers
from convcalc.frontends.python.values import (BoundMethod, Builtin, ClassInfo, Function, Instance, Layer, Module, Parameter, Weight,
                                              ModuleDict, ModuleList, Ref, Sequential, SuperProxy, Tensor,
                                              TensorMethod, Unfollowable, Unknown, as_container,
                                              describe)


class Objects:
    """Attribute access and instantiation."""

    def get_attr(self, obj, name: str, node):
        """``obj.name``, by the kind of ``obj`` (ATTRIBUTES names the method for each)."""
        for kind in type(obj).__mro__:
            handler = ATTRIBUTES.get(kind)
            if handler is not None:
                return getattr(self, handler)(obj, name, node)
        raise Unfollowable(f"the attribute {name} of {describe(obj)}", node)

    def ref_attr(self, ref: Ref, name: str, node):
        return Ref(f"{ref.qname}.{name}")

    def instance_attr(self, obj: Instance, name: str, node):
        if obj.poisoned:
            raise Unfollowable(f"the {obj.cls.name} object is not known ({obj.poisoned})", node)
        if name in obj.attrs:
            value = obj.attrs[name]
            if isinstance(value, Unknown):
                raise Unfollowable(f"self.{name} is not known ({value.reason})", node)
            return value
        value = obj.cls.lookup(name)
        if isinstance(value, Function):
            if value.kind == "staticmethod":
                return value
            if value.kind == "classmethod":
                return BoundMethod(value, obj.cls)
            if value.kind == "property":
                return self.invoke(value, [obj], {}, node)
            return BoundMethod(value, obj)
        if value is None and name in MODULE_METHODS:
            return Builtin(name, lambda args, kwargs, call, o=obj, m=MODULE_METHODS[name]: getattr(self, m)(
                o, args, kwargs, call))
        if value is not None:
            if isinstance(value, Unknown):
                raise Unfollowable(f"{obj.cls.name}.{name} is not known ({value.reason})", node)
            return value
        if name == "training":
            return self.training
        if obj.cls.container:  # self.append(block), self.items() in a container subclass
            return self.container_attr(as_container(obj), name, node)
        if obj.base is not None:  # self.normalized_shape, self.weight of a subclass of a layer
            return self.layer_attr(obj.base, name, node)
        raise Unfollowable(f"{obj.cls.name} has no attribute {name} that convcalc knows", node)

    def class_attr(self, cls: ClassInfo, name: str, node):
        value = cls.lookup(name)
        if name == "verify" and cls.foreign and cls.foreign.endswith("WeightsEnum"):
            # torchvision's weights: verify(None) is None, the factories' default (no download)
            return Builtin("verify", lambda args, kwargs, call: None if args == [None] else self.fail(
                f"{cls.name}.verify of {describe(args[0]) if args else 'nothing'}", call))
        if value is None or isinstance(value, Unknown):
            raise Unfollowable(f"{cls.name}.{name} is not known", node)
        if isinstance(value, Function) and value.kind == "classmethod":
            return BoundMethod(value, cls)
        return value

    def fail(self, reason: str, node):
        raise Unfollowable(reason, node)

    def tensor_attr(self, tensor: Tensor, name: str, node):
        if name == "shape":
            return self.sizes(tensor, node)
        if name == "ndim":
            return len(self.sizes(tensor, node))
        if name == "data":
            return tensor
        if name in ("device", "dtype", "is_cuda"):
            return Ref(f"tensor.{name}")
        return TensorMethod(tensor, name)

    def container_attr(self, obj, name: str, node):
        if name in TREE_METHODS and isinstance(obj, (Sequential, ModuleList, ModuleDict)):
            # backbone.parameters(), features.modules(): as an nn.Module's
            return Builtin(name, lambda args, kwargs, call, o=obj, m=MODULE_METHODS[name]: getattr(self, m)(
                o, args, kwargs, call))
        method = CONTAINER_METHODS.get((container_kind(obj), name))
        if method is None:
            raise Unfollowable(f"the attribute {name} of {describe(obj)}", node)
        return Builtin(name, lambda args, kwargs, node, o=obj, m=method: m(self, o, args, kwargs, node))

    def string_attr(self, text: str, name: str, node):
        if name not in ("format", "join", "lower", "upper", "startswith", "endswith"):
            raise Unfollowable(f"the attribute {name} of {describe(text)}", node)
        return Builtin(name, lambda args, kwargs, node, o=text, a=name: string_method(o, a, args, kwargs, node))

    def layer_attr(self, layer: Layer, name: str, node):
        """conv.out_channels, fc.in_features: the constructor's arguments."""
        from convcalc.engine.evaluate import Evaluator
        from convcalc.layers.catalogue import lookup

        spec = lookup(layer.name)
        try:
            evaluate = Evaluator({})
            bound = spec.bind(tuple(evaluate(a) for a in layer.call.args),
                              {k: evaluate(v) for k, v, _ in layer.call.kwargs})
        except ConvcalcError:
            raise Unfollowable(f"the arguments of {layer.call.text}", node) from None
        if name == "weight" or name == "bias":  # None without a bias, as torch has it
            return None if name == "bias" and bound.values.get("bias") is False else Weight(layer, name)
        if name in bound.values:
            value = bound.values[name]
            # torch keeps a convolution's window settings as tuples, one per spatial dim
            if spec.family == "conv" and name in TUPLED and type(value) is int:
                return (value,) * spec.traits.rank
            return value
        if name in ("training", "inplace"):
            return self.training if name == "training" else bound.values.get("inplace", False)
        if name in layer.extra:
            return layer.extra[name]
        raise Unfollowable(f"the attribute {name} of {layer.name}", node)

    def numbers_attr(self, tensor, name: str, node):
        from convcalc.frontends.python import numeric

        if name == "shape":
            return tensor.shape
        return Builtin(name, lambda args, kwargs, call: numeric.method(tensor, name, args, call))

    def weight_attr(self, weight: Weight, name: str, node):
        """Anything of a weight is a weight, and its methods are in place (m.weight.data.normal_())."""
        return Builtin(name, lambda args, kwargs, call: weight) if name not in ("data", "grad", "T") else weight

    def super_attr(self, proxy: SuperProxy, name: str, node):
        mro = proxy.obj.cls.mro() if isinstance(proxy.obj, Instance) else proxy.cls.mro()
        after = mro[mro.index(proxy.cls) + 1:] if proxy.cls in mro else []
        for cls in after:
            if name in cls.namespace:
                value = cls.namespace[name]
                if isinstance(value, Function):
                    return BoundMethod(value, proxy.obj)
                return value
        if name == "__init__":
            if proxy.cls.layer:
                return Builtin(f"nn.{proxy.cls.layer}.__init__",
                               lambda args, kwargs, node: self.init_layer(proxy.obj, args, kwargs, node))
            if proxy.cls.container:
                return Builtin("nn container __init__",
                               lambda args, kwargs, node: self.init_container(proxy.obj, args, kwargs, node))
            if proxy.cls.module or not proxy.cls.foreign:
                return Builtin("__init__", lambda args, kwargs, node: None)
        raise Unfollowable(f"super().{name}", node)

    def init_layer(self, obj, args, kwargs, node):
        """super().__init__(...) of a subclass of a catalogue layer: the layer it is."""
        obj.base = self.make_layer(obj.cls.layer, [(a, node) for a in args],
                                   [(k, v, node, None) for k, v in kwargs.items()], node)
        return None

    def init_container(self, obj, args, kwargs, node):
        """super().__init__(...) of an nn.Sequential, ModuleList or ModuleDict subclass."""
        kind = obj.cls.container
        if kwargs or (kind != "sequential" and len(args) > 1):
            raise Unfollowable(f"the {obj.cls.name} container built with these arguments", node)
        if kind == "dict":
            items = args[0] if args else {}
            if not isinstance(items, (dict, ModuleDict)):
                raise Unfollowable(f"an nn.ModuleDict of {describe(items)}", node)
            obj.attrs.update(items if isinstance(items, dict) else items.items)
            return None
        items = args if kind == "sequential" else list(self.iterate(args[0], node)) if args else []
        obj.seq = self.sequential_items(items, node)
        return None

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node):
        if cls.foreign:
            raise Unfollowable(f"{cls.name} derives from {cls.foreign}, which convcalc does not follow", node)
        obj = Instance(cls, node)
        self.instances.append(obj)
        if self.constructing:  # built inside another model's __init__: a block of it
            self.nested.add(cls)
        self.constructing.append(cls)
        try:
            init = cls.lookup("__init__")
            if isinstance(init, Function):
                self.invoke(init, [obj] + args, kwargs, node)
            elif cls.container:
                self.init_container(obj, args, kwargs, node)
            elif cls.layer:
                self.init_layer(obj, args, kwargs, node)
            elif args or kwargs:
                raise Unfollowable(f"{cls.name}() takes no arguments", node)
        finally:
            self.constructing.pop()
        return obj

    def sequential_items(self, args, node) -> list:
        if len(args) == 1 and isinstance(args[0], dict):
            items = list(args[0].values())
        else:
            items = list(args)
        for item in items:
            if not isinstance(item, Module):
                raise Unfollowable(f"nn.Sequential of {describe(item)}", node)
        return items


# the kind of a value -> the Objects method that answers its attributes (the first of its classes listed)
ATTRIBUTES = {Ref: "ref_attr", Instance: "instance_attr", ClassInfo: "class_attr", SuperProxy: "super_attr",
              Tensor: "tensor_attr", Layer: "layer_attr", list: "container_attr", dict: "container_attr",
              Sequential: "container_attr", ModuleList: "container_attr", ModuleDict: "container_attr",
              str: "string_attr", Weight: "weight_attr", Numbers: "numbers_attr"}
TUPLED = {"kernel_size", "stride", "padding", "dilation", "output_padding"}


class ModuleMethods:
    """The nn.Module methods an ``__init__`` or an initialisation helper calls on a model: they
    return the model, list its parts, or register one; none changes a shape."""

    def module_self(self, obj, args, kwargs, node):
        return obj  # .to(device), .cuda(), .eval(), .train(), .float(), ...

    def module_apply(self, obj, args, kwargs, node):
        self.notes.append(self.note(f"{obj.cls.name}.apply(...) is taken as weight initialisation: it cannot change "
                                    "the module tree", node))
        return obj

    def module_modules(self, obj, args, kwargs, node):
        return [module for _, module in tree_of(obj)]

    def module_named_modules(self, obj, args, kwargs, node):
        return [(path, module) for path, module in tree_of(obj)]

    def module_children(self, obj, args, kwargs, node):
        return [module for _, module in children_of(obj)]

    def module_named_children(self, obj, args, kwargs, node):
        return list(children_of(obj))

    def module_parameters(self, obj, args, kwargs, node):
        """The tensors of each layer and parameter below ``obj`` (freezing one freezes its owner's)."""
        return [Weight(m) for _, m in tree_of(obj) if isinstance(m, (Layer, Parameter))]

    def module_add_module(self, obj, args, kwargs, node):
        if len(args) != 2 or not isinstance(args[0], str) or not isinstance(args[1], (Module, type(None))):
            raise Unfollowable("add_module with other arguments", node)
        obj.attrs[args[0]] = args[1]

    def module_setattr(self, obj, args, kwargs, node):
        """self.__setattr__("level_%d" % i, subtree): as self.level_1 = subtree."""
        if len(args) != 2 or kwargs or not isinstance(args[0], str) or isinstance(args[1], Tensor):
            raise Unfollowable("__setattr__ with other arguments", node)
        obj.attrs[args[0]] = args[1]

    def module_getattr(self, obj, args, kwargs, node):
        if len(args) != 1 or kwargs or not isinstance(args[0], str):
            raise Unfollowable("__getattr__ with other arguments", node)
        return self.instance_attr(obj, args[0], node)

    def module_register(self, obj, args, kwargs, node):
        if len(args) < 2 or not isinstance(args[0], str):
            raise Unfollowable("register_buffer / register_parameter with other arguments", node)
        obj.attrs[args[0]] = args[1]


MODULE_METHODS = {**dict.fromkeys(("to", "cuda", "cpu", "eval", "train", "float", "half", "double", "bfloat16",
                                   "requires_grad_", "zero_grad", "share_memory"), "module_self"),
                  "apply": "module_apply", "modules": "module_modules", "named_modules": "module_named_modules",
                  "children": "module_children", "named_children": "module_named_children",
                  "parameters": "module_parameters", "add_module": "module_add_module",
                  "register_module": "module_add_module", "register_buffer": "module_register",
                  "register_parameter": "module_register", "__setattr__": "module_setattr",
                  "__getattr__": "module_getattr"}


# the nn.Module methods a container answers as a module does (the tree below it)
TREE_METHODS = {"parameters", "modules", "named_modules", "children", "named_children"}


def children_of(obj):
    if isinstance(obj, Instance):
        items = ([(str(i), m) for i, m in enumerate(obj.seq)] if obj.seq is not None else []) + list(obj.attrs.items())
    elif isinstance(obj, (Sequential, ModuleList)):
        items = [(str(i), m) for i, m in enumerate(obj.items)]
    elif isinstance(obj, ModuleDict):
        items = list(obj.items.items())
    else:
        items = []
    return [(name, m) for name, m in items if isinstance(m, Module)]


def tree_of(obj, path: str = ""):
    """(path, module) of every module below ``obj``, ``obj`` first, as model.named_modules() lists them."""
    out, seen, stack = [], set(), [(path, obj)]
    while stack:
        name, module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        out.append((name, module))
        stack.extend(reversed([(f"{name}.{key}" if name else key, m) for key, m in children_of(module)]))
    return out
