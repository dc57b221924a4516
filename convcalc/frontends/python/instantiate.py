"""What instances of the file's classes do: attribute reads and writes (with properties,
class and static methods, a user ``__getattr__``), ``super()``, calling an instance (a module's
forward, a ``__call__``), and building one (``__init__``, dataclasses, exceptions, nn.Module
subclasses of containers and of catalogue layers)."""
from __future__ import annotations

from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance, SuperProxy
from convcalc.frontends.python.pyobjects import Args, BoundMethod, Builtin, Function, Unknown, Value, invoke
from convcalc.frontends.python.reasons import Unfollowable


def instance_attr(frame, obj: Instance, name: str, node, fallback: bool = True):
    """``obj.name`` as Python reads it; ``fallback=False`` is ``object.__getattribute__``: the class's
    ``__getattr__`` is not asked (a ``__getattr__`` that ends in ``super().__getattribute__(key)``)."""
    if obj.poisoned:
        raise Unfollowable(f"the {obj.cls.name} object is not known ({obj.poisoned})", node)
    value = obj.cls.lookup(name)
    if isinstance(value, Function) and value.kind == "property":  # a data descriptor wins over the instance's dict
        return invoke(frame, value, Args.of(obj), node)
    if name in obj.attrs:
        found = obj.attrs[name]
        if isinstance(found, Unknown):
            raise Unfollowable(f"self.{name} is not known ({found.reason})", node)
        return found
    if isinstance(value, Function):
        if value.kind == "staticmethod":
            return value
        if value.kind == "classmethod":
            return BoundMethod(value, obj.cls)
        return BoundMethod(value, obj)
    if value is not None:
        if isinstance(value, Unknown):
            raise Unfollowable(f"{obj.cls.name}.{name} is not known ({value.reason})", node)
        return value.bind(obj) if isinstance(value, Value) else value
    if name in ("__doc__", "__module__"):  # in every class's own namespace (None for no docstring): before __getattr__
        return obj.cls.special(name)
    special = instance_special(frame, obj, name, node)
    if special is not None:
        return special
    if obj.cls.module:
        from convcalc.frontends.python.torchobjects import module_attr

        return module_attr(frame, obj, name, node)
    getter = obj.cls.lookup("__getattr__") if fallback else None
    if isinstance(getter, Function):
        return invoke(frame, getter, Args.of(obj, name), node)
    if obj.native is not None:
        from convcalc.frontends.python.pycore import native_attr

        return native_attr(frame, obj.native, name, node)
    for base in obj.cls.mro()[1:]:
        if isinstance(base, BuiltinType) and base.exception and name == "args":
            return obj.attrs.get("args", ())
    if obj.cls.library_based():
        raise Unfollowable(f"{obj.cls.name}.{name}: an attribute its library base may give", node)
    from convcalc.frontends.python.pycore import attribute_error

    raise attribute_error(frame, f"'{obj.cls.name}' object has no attribute '{name}'", node)


def instance_special(frame, obj: Instance, name: str, node):
    if name == "__class__":
        return obj.cls
    if name == "__dict__":
        return dict(obj.attrs)
    if obj.cls.namedtuple is not None and obj.native is not None:
        from convcalc.frontends.python.brains.pycollections import namedtuple_method

        return namedtuple_method(frame, obj, name, node)
    return None


def instance_set_attr(frame, obj: Instance, name: str, value, node) -> None:
    setter = obj.cls.lookup("__setattr__")
    if isinstance(setter, Function):
        invoke(frame, setter, Args.of(obj, name, value), node)
        return
    prop = obj.cls.lookup(name)
    if isinstance(prop, Function) and prop.kind == "property":
        raise Unfollowable(f"setting the property {name} of {obj.cls.name}", node)
    if obj.cls.module:
        from convcalc.frontends.python.torchobjects import module_set_attr

        module_set_attr(frame, obj, name, value, node)
        return
    obj.attrs[name] = value


def call_instance(frame, obj: Instance, args: Args, node):
    """An instance called: a module runs its forward (torchobjects.call_module), any other object
    its ``__call__``."""
    if obj.cls.module:
        from convcalc.frontends.python.torchobjects import call_module

        return call_module(frame, obj, args, node)
    method = obj.cls.lookup("__call__")
    if isinstance(method, Function):
        return invoke(frame, method, args.prepend(obj), node)
    from convcalc.frontends.python.pycore import type_error

    raise type_error(frame, f"'{obj.cls.name}' object is not callable", node)


def super_attr(frame, proxy: SuperProxy, name: str, node):
    obj = proxy.obj
    mro = obj.cls.mro() if isinstance(obj, Instance) else proxy.cls.mro() if isinstance(obj, ClassInfo) else \
        proxy.cls.mro()
    after = mro[mro.index(proxy.cls) + 1:] if proxy.cls in mro else []
    for cls in after:
        if isinstance(cls, ClassInfo) and name in cls.namespace:
            value = cls.namespace[name]
            if isinstance(value, Function):
                if value.kind == "staticmethod":
                    return value
                if value.kind == "classmethod":
                    return BoundMethod(value, obj if isinstance(obj, ClassInfo) else obj.cls)
                if value.kind == "property":
                    return invoke(frame, value, Args.of(obj), node)
                return BoundMethod(value, obj)
            return value
    if name == "__init__":
        return Builtin("__init__", lambda f, args, n: base_init(f, proxy, args, n))
    if name == "__new__" and (not proxy.cls.foreign or proxy.cls.mixins):
        # object's, past the file's classes (a mixin's own __new__ makes the same object: bookkeeping)
        from convcalc.frontends.python.methods import object_new

        return Builtin("__new__", lambda f, args, n: object_new(f, Args(args.positional[:1]), n))
    if name == "__getattribute__" and isinstance(obj, Instance):  # object's: the plain lookup
        return Builtin("__getattribute__", lambda f, args, n: plain_getattribute(f, obj, args, n))
    if name == "forward" and proxy.cls.container == "sequential" and isinstance(obj, Instance):
        from convcalc.frontends.python.torchobjects import as_container, call_module

        return Builtin("forward", lambda f, args, n: call_module(f, as_container(obj), args, n))
    if name == "__call__" and proxy.cls.module and isinstance(obj, Instance):
        from convcalc.frontends.python.torchobjects import call_module

        return Builtin("__call__", lambda f, args, n: call_module(f, obj, args, n))
    if isinstance(obj, Instance) and obj.cls.module:
        from convcalc.frontends.python.torchobjects import module_attr

        return module_attr(frame, obj, name, node)
    raise Unfollowable(f"super().{name}", node)


def plain_getattribute(frame, obj: Instance, args: Args, node):
    from convcalc.frontends.python.builtins import arity
    from convcalc.frontends.python.pycore import type_error

    (key,) = arity(frame, "__getattribute__", args, 1, 1)
    if not isinstance(key, str):
        raise type_error(frame, f"attribute name must be string, not '{type(key).__name__}'", node)
    return instance_attr(frame, obj, key, node, fallback=False)


def base_init(frame, proxy: SuperProxy, args: Args, node):
    """super().__init__(...) reaching past the file's classes: a catalogue layer's, a container's,
    nn.Module's (nothing to do), an exception's (its args) or object's."""
    obj = proxy.obj
    cls = proxy.cls
    if cls.layer:
        from convcalc.frontends.python.torchobjects import init_layer

        return init_layer(frame, obj, args, node)
    if cls.container:
        from convcalc.frontends.python.torchobjects import init_container

        return init_container(frame, obj, args, node)
    if isinstance(obj, Instance) and cls.is_exception():
        obj.attrs["args"] = tuple(args.values)
        return None
    if isinstance(obj, Instance) and obj.native is not None and args.values:
        from convcalc.frontends.python.pycore import native_init

        native_init(frame, obj, args, node)
        return None
    if cls.module or not cls.foreign:
        return None
    raise Unfollowable(f"super().__init__ of {cls.foreign}", node)


def instantiate(frame, cls: ClassInfo, args: Args, node):
    machine = frame.machine
    if cls.foreign:
        raise Unfollowable(f"{cls.name} derives from {cls.foreign}, which convcalc does not follow", node)
    if cls.enum is not None:
        from convcalc.frontends.python.brains.stdlib import enum_lookup

        return enum_lookup(frame, cls, args, node)
    obj = Instance(cls, node)
    obj.built_with = args
    native = next((c for c in cls.mro() if isinstance(c, BuiltinType) and c.py in (dict, list, set, str, int,
                                                                                   float, tuple)), None)
    if native is not None:
        obj.native = native.py()
    machine.instances.append(obj)
    if machine.constructing and cls.module:  # built inside another model's __init__: a block of it
        machine.nested.add(cls)
    machine.constructing.append(cls)
    try:
        new = cls.lookup("__new__")
        if isinstance(new, Function):  # __new__ makes the object; __init__ runs when it is one of cls
            made = invoke(frame, new, args.prepend(cls), node)
            if not (isinstance(made, Instance) and made.cls is cls):
                return made
            if made is not obj:
                machine.instances[machine.instances.index(obj)] = made
                obj = made
        init = cls.lookup("__init__")
        if isinstance(init, Function) and cls.dataset:
            try:
                invoke(frame, init, args.prepend(obj), node)
            except Unfollowable as exc:  # it reads the disk (os.listdir(root)): the object, with what it was given
                obj.poisoned = exc.reason
        elif isinstance(init, Function):
            invoke(frame, init, args.prepend(obj), node)
        elif cls.container:
            from convcalc.frontends.python.torchobjects import init_container

            init_container(frame, obj, args, node)
        elif cls.layer:
            from convcalc.frontends.python.torchobjects import init_layer

            init_layer(frame, obj, args, node)
        elif cls.namedtuple is not None:
            from convcalc.frontends.python.brains.pycollections import namedtuple_init

            namedtuple_init(frame, obj, args, node)
        elif cls.is_exception():
            obj.attrs["args"] = tuple(args.values)
        elif native is not None and len(args):
            from convcalc.frontends.python.pycore import native_init

            native_init(frame, obj, args, node)
        elif len(args):
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"{cls.name}() takes no arguments", node)
    finally:
        machine.constructing.pop()
    return obj
