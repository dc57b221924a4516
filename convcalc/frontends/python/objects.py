"""Attributes and instances: what ``obj.name`` is for each kind of value, classes instantiated
with their ``__init__``, ``super()`` (a mixin of the interpreter)."""
from __future__ import annotations

from convcalc.errors import ConvcalcError
from convcalc.frontends.python.builtins import CONTAINER_METHODS, container_kind, string_method
from convcalc.frontends.python.values import (BoundMethod, Builtin, ClassInfo, Function, Instance, Layer, Module,
                                              ModuleDict, ModuleList, Ref, Sequential, SuperProxy, Tensor,
                                              TensorMethod, TensorShape, Unfollowable, Unknown, describe)


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
            return BoundMethod(value, obj)
        if value is not None:
            if isinstance(value, Unknown):
                raise Unfollowable(f"{obj.cls.name}.{name} is not known ({value.reason})", node)
            return value
        if name == "training":
            raise Unfollowable("self.training depends on train() / eval() mode", node)
        raise Unfollowable(f"{obj.cls.name} has no attribute {name} that convcalc knows", node)

    def class_attr(self, cls: ClassInfo, name: str, node):
        value = cls.lookup(name)
        if value is None or isinstance(value, Unknown):
            raise Unfollowable(f"{cls.name}.{name} is not known", node)
        if isinstance(value, Function) and value.kind == "classmethod":
            return BoundMethod(value, cls)
        return value

    def tensor_attr(self, tensor: Tensor, name: str, node):
        if name == "shape":
            return TensorShape(tensor)
        return TensorMethod(tensor, name)

    def container_attr(self, obj, name: str, node):
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
        if name in bound.values:
            return bound.values[name]
        raise Unfollowable(f"the attribute {name} of {layer.name}", node)

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
            if proxy.cls.sequential:
                return Builtin("nn.Sequential.__init__",
                               lambda args, kwargs, node: self.init_sequential(proxy.obj, args, kwargs, node))
            if proxy.cls.module or not proxy.cls.foreign:
                return Builtin("__init__", lambda args, kwargs, node: None)
        raise Unfollowable(f"super().{name}", node)

    def init_sequential(self, obj, args, kwargs, node):
        obj.seq = self.sequential_items(args, node)
        return None

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node):
        if cls.foreign:
            raise Unfollowable(f"{cls.name} derives from {cls.foreign}, which convcalc does not follow", node)
        obj = Instance(cls, node)
        self.instances.append(obj)
        self.building.append((cls, self.depth))
        init = cls.lookup("__init__")
        if isinstance(init, Function):
            self.invoke(init, [obj] + args, kwargs, node)
        elif cls.sequential:
            obj.seq = self.sequential_items(args, node)
        elif args or kwargs:
            raise Unfollowable(f"{cls.name}() takes no arguments", node)
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
              str: "string_attr"}
