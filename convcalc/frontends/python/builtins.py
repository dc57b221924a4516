"""Python's builtins and the methods of lists, dicts, strings and containers of modules, as the
frontend's interpreter runs them: each on constants only, each bounded."""
from __future__ import annotations

import math
import re

from convcalc.frontends.python.numeric import Numbers
from convcalc.frontends.python.values import (MAX_ITEMS, Builtin, Module, ModuleDict, ModuleList, Ref, Sequential,
                                              Unfollowable, as_container, describe, is_constant, is_hashable, is_number)


def container_kind(obj) -> str:
    if isinstance(obj, list):
        return "list"
    if isinstance(obj, dict):
        return "dict"
    if isinstance(obj, ModuleDict):
        return "moduledict"
    return "modules"


def _append(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if len(args) != 1 or kwargs:
        raise Unfollowable("append with other arguments", node)
    if not isinstance(obj, list) and not isinstance(args[0], Module) and args[0] is not None:
        raise Unfollowable("appending something not a module", node)  # None: torch keeps it, and skips it
    if len(items) >= MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    interp.charge(1, node)
    items.append(args[0])


def _extend(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    new = list(interp.iterate(args[0], node)) if len(args) == 1 and not kwargs else None
    if new is None or (not isinstance(obj, list) and not all(isinstance(v, Module) for v in new)):
        raise Unfollowable("extend", node)
    if len(items) + len(new) > MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    interp.charge(len(new), node)
    items.extend(new)


def _insert(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if len(args) != 2 or type(args[0]) is not int or kwargs:
        raise Unfollowable("insert", node)
    items.insert(args[0], args[1])


def _add_module(interp, obj, args, kwargs, node):
    if len(args) != 2 or not isinstance(args[1], Module):
        raise Unfollowable("add_module", node)
    if isinstance(obj, ModuleDict):
        obj.items[args[0]] = args[1]
    else:
        obj.items.append(args[1])


def _pop(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, list) else obj.items
    if kwargs or len(args) > 1 or not items:
        raise Unfollowable("pop", node)
    return items.pop(*args)


def _dict_pop(interp, obj, args, kwargs, node):
    """kwargs.pop("stochastic_depth_prob", 0.2): a key out, or the default."""
    if kwargs or not 1 <= len(args) <= 2 or not is_hashable(args[0]) or (len(args) == 1 and args[0] not in obj):
        raise Unfollowable("dict.pop", node)
    return obj.pop(*args)


def _dict_setdefault(interp, obj, args, kwargs, node):
    if kwargs or not 1 <= len(args) <= 2 or not is_hashable(args[0]):
        raise Unfollowable("dict.setdefault", node)
    return obj.setdefault(args[0], args[1] if len(args) > 1 else None)


def _dict_get(interp, obj, args, kwargs, node):
    items = obj if isinstance(obj, dict) else obj.items
    if not args or not is_hashable(args[0]):
        raise Unfollowable("get", node)
    return items.get(args[0], args[1] if len(args) > 1 else None)


def _dict_view(kind):
    def view(interp, obj, args, kwargs, node):
        items = obj if isinstance(obj, dict) else obj.items
        return list({"keys": items.keys, "values": items.values, "items": items.items}[kind]())
    return view


def _copy(interp, obj, args, kwargs, node):
    return list(obj) if isinstance(obj, list) else dict(obj)


def _update(interp, obj, args, kwargs, node):
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise Unfollowable("update", node)
    obj.update(*args, **kwargs)


CONTAINER_METHODS = {
    ("list", "append"): _append, ("modules", "append"): _append,
    ("list", "extend"): _extend, ("modules", "extend"): _extend,
    ("list", "insert"): _insert, ("modules", "insert"): _insert,
    ("list", "pop"): _pop, ("list", "copy"): _copy, ("dict", "copy"): _copy,
    ("modules", "add_module"): _add_module, ("moduledict", "add_module"): _add_module,
    ("dict", "get"): _dict_get, ("dict", "keys"): _dict_view("keys"), ("dict", "values"): _dict_view("values"),
    ("dict", "items"): _dict_view("items"), ("moduledict", "keys"): _dict_view("keys"),
    ("moduledict", "values"): _dict_view("values"), ("moduledict", "items"): _dict_view("items"),
    ("dict", "update"): _update, ("dict", "pop"): _dict_pop, ("dict", "setdefault"): _dict_setdefault,
}


def string_method(obj: str, name: str, args, kwargs, node):
    if not all(is_constant(a) for a in args) or kwargs and name != "format":
        raise Unfollowable(f"str.{name}", node)
    if name == "format":
        if any("{" in str(a) for a in args) or re.search(r"\{[^}]*[:!][^}]*\}", obj):
            raise Unfollowable("str.format with a format spec", node)
        out = obj.format(*args, **kwargs)
    elif name == "join":
        items = args[0] if args else []
        if not all(isinstance(i, str) for i in items):
            raise Unfollowable("str.join", node)
        if sum(len(i) for i in items) + len(obj) * max(len(items) - 1, 0) > MAX_ITEMS:
            raise Unfollowable("a very long string", node)  # before joining: 100,000 strings of 100,000
        out = obj.join(items)
    else:
        if any(type(a) is int and a > MAX_ITEMS for a in args):  # 'x'.rjust(10**9), zfill, center, expandtabs
            raise Unfollowable(f"str.{name} to a very long string", node)
        out = getattr(obj, name)(*args)
    if isinstance(out, str) and len(out) > MAX_ITEMS:
        raise Unfollowable("a very long string", node)
    return out


def math_call(name: str, args: list, node):
    if not all(is_number(a) for a in args):
        raise Unfollowable(f"math.{name} of something not a number", node)
    functions = {"floor": math.floor, "ceil": math.ceil, "sqrt": math.sqrt, "log2": math.log2, "log": math.log,
                 "prod": lambda *a: math.prod(a), "gcd": math.gcd}
    if name not in functions:
        raise Unfollowable(f"math.{name}", node)
    try:
        if name == "prod":
            return math.prod(args)
        return functions[name](*args)
    except (ValueError, OverflowError, TypeError) as exc:
        raise Unfollowable(f"math.{name}: {exc}", node) from None


def _builtin(name):
    def wrap(fn):
        BUILTINS[name] = Builtin(name, fn)
        return fn
    return wrap


BUILTINS: dict = {}


def _numbers(name, args, node, count=None):
    if count is not None and len(args) != count:
        raise Unfollowable(f"{name} with {len(args)} arguments", node)
    if not all(is_number(a) for a in args):
        raise Unfollowable(f"{name} of {', '.join(describe(a) for a in args)}", node)


@_builtin("range")
def _range(args, kwargs, node):
    _numbers("range", args, node)
    if not 1 <= len(args) <= 3 or kwargs or not all(type(a) is int for a in args):
        raise Unfollowable("range", node)
    r = range(*args)
    if len(r) > MAX_ITEMS:
        raise Unfollowable(f"a range of {len(r):,} items", node)
    return list(r)


@_builtin("len")
def _len(args, kwargs, node):
    value = as_container(args[0]) if len(args) == 1 else None
    if isinstance(value, (list, tuple, str, dict, set)):
        return len(value)
    if isinstance(value, Numbers):  # a tensor of known values
        return len(value.values)
    if isinstance(value, (Sequential, ModuleList, ModuleDict)):
        return len(value.items)
    raise Unfollowable(f"len of {describe(value)}", node)


def _convert(kind):
    def convert(args, kwargs, node):
        if kwargs or len(args) > 1:
            raise Unfollowable(kind.__name__, node)
        if not args:
            return kind()
        value = args[0]
        if kind is int and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise Unfollowable(f"int({value!r})", node) from None
        _numbers(kind.__name__, args, node)
        try:
            return kind(value)
        except (OverflowError, ValueError) as exc:
            raise Unfollowable(f"{kind.__name__}: {exc}", node) from None
    return convert


BUILTINS["int"] = Builtin("int", _convert(int))


@_builtin("set")
def _set(args, kwargs, node):
    """set(widths): for len() and ``in``; iterating over it is not followed (its order is Python's own)."""
    items = args[0] if len(args) == 1 and not kwargs else None
    if not isinstance(items, (list, tuple, str)) or not all(is_hashable(i) for i in items):
        raise Unfollowable("set of something not a list of constants", node)
    return set(items)


BUILTINS["float"] = Builtin("float", _convert(float))


BUILTINS["bool"] = Builtin("bool", _convert(bool))


@_builtin("abs")
def _abs(args, kwargs, node):
    _numbers("abs", args, node, 1)
    return abs(args[0])


@_builtin("round")
def _round(args, kwargs, node):
    _numbers("round", args, node)
    if not 1 <= len(args) <= 2 or kwargs:
        raise Unfollowable("round", node)
    return round(*args)


def _minmax(fn):
    def apply(args, kwargs, node):
        values = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
        if kwargs or not values:
            raise Unfollowable(fn.__name__, node)
        _numbers(fn.__name__, values, node)
        return fn(values)
    return apply


BUILTINS["min"] = Builtin("min", _minmax(min))


BUILTINS["max"] = Builtin("max", _minmax(max))


@_builtin("sum")
def _sum(args, kwargs, node):
    values = list(args[0]) if args and isinstance(args[0], (list, tuple)) else None
    if values is None or kwargs or len(args) > 2:
        raise Unfollowable("sum", node)
    _numbers("sum", values, node)
    return sum(values, args[1] if len(args) > 1 else 0)


def _all_any(fn):
    def apply(args, kwargs, node):
        values = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple, dict)) else None
        if values is None or kwargs or not all(is_constant(v) or isinstance(v, (list, tuple, dict)) for v in values):
            raise Unfollowable(f"{fn.__name__} of something that is not a list of constants", node)
        return fn(values)
    return apply


BUILTINS["all"] = Builtin("all", _all_any(all))
BUILTINS["any"] = Builtin("any", _all_any(any))


def _sequence(kind):
    def make(args, kwargs, node):
        if kwargs or len(args) > 1:
            raise Unfollowable(kind.__name__, node)
        if not args:
            return kind()
        value = as_container(args[0])
        if isinstance(value, (list, tuple, str, dict)):
            return kind(value)
        if isinstance(value, (Sequential, ModuleList)):
            return kind(value.items)
        raise Unfollowable(f"{kind.__name__} of {describe(value)}", node)
    return make


BUILTINS["list"] = Builtin("list", _sequence(list))


BUILTINS["tuple"] = Builtin("tuple", _sequence(tuple))


@_builtin("dict")
def _dict(args, kwargs, node):
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise Unfollowable("dict", node)
    out = dict(args[0]) if args else {}
    out.update(kwargs)
    return out


@_builtin("enumerate")
def _enumerate(args, kwargs, node):
    if not args or len(args) > 2 or kwargs:
        raise Unfollowable("enumerate", node)
    items = _sequence(list)([args[0]], {}, node)
    start = args[1] if len(args) > 1 else 0
    return [(start + i, v) for i, v in enumerate(items)]


@_builtin("zip")
def _zip(args, kwargs, node):
    if kwargs:
        raise Unfollowable("zip", node)
    return list(zip(*[_sequence(list)([a], {}, node) for a in args]))


@_builtin("reversed")
def _reversed(args, kwargs, node):
    return list(reversed(_sequence(list)(args, kwargs, node)))


@_builtin("sorted")
def _sorted(args, kwargs, node):
    items = _sequence(list)(args, {}, node)
    if kwargs or not all(is_number(i) for i in items) and not all(isinstance(i, str) for i in items):
        raise Unfollowable("sorted", node)
    return sorted(items)


@_builtin("isinstance")
def _isinstance(args, kwargs, node):
    if len(args) != 2:
        raise Unfollowable("isinstance", node)
    value, kinds = args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return any(kind_is(value, kind, node) for kind in kinds)


# isinstance against a builtin type: the Python type it names
TYPES = {"int": int, "float": float, "str": str, "bool": bool, "tuple": tuple, "list": list, "dict": dict}


# isinstance against an abstract type (torchvision's isinstance(setting, Sequence)): the Python types it stands for
ABSTRACT = {**dict.fromkeys(("collections.abc.Sequence", "typing.Sequence"), (list, tuple, str)),
            **dict.fromkeys(("collections.abc.Iterable", "typing.Iterable"), (list, tuple, str, dict)),
            **dict.fromkeys(("collections.abc.Mapping", "typing.Mapping", "typing.Dict"), (dict,)),
            "numbers.Number": (int, float), "numbers.Integral": (int,), "numbers.Real": (int, float)}


def kind_is(value, kind, node) -> bool:
    from convcalc.frontends.python.values import Tensor

    if isinstance(kind, Ref) and kind.qname == "torch.Tensor":  # densenet's isinstance(input, Tensor)
        return isinstance(value, Tensor)
    if isinstance(kind, Ref) and kind.qname in ABSTRACT:
        if isinstance(value, (list, tuple, str, dict, int, float)) and type(value) is not bool:
            return isinstance(value, ABSTRACT[kind.qname])
        if isinstance(value, (Tensor, Module)) or value is None:
            return False
        raise Unfollowable(f"isinstance of {describe(value)} against {kind.qname}", node)
    if isinstance(value, Module):  # isinstance(m, nn.Conv2d), isinstance(m, Bottleneck): the module's own kind
        return module_is(value, kind, node)
    if not (isinstance(kind, Builtin) and kind.name in TYPES):
        raise Unfollowable("isinstance against a class convcalc does not follow", node)
    if isinstance(value, Tensor):
        return False
    if not is_constant(value) and not isinstance(value, (dict, list, tuple)):
        raise Unfollowable("isinstance of something not a constant", node)
    return isinstance(value, TYPES[kind.name])


def module_is(value, kind, node) -> bool:
    """isinstance of a module: an nn layer by name, a class of the file by its bases."""
    from convcalc.frontends.python.values import ClassInfo, Instance, Layer

    if isinstance(kind, Ref):
        short = kind.qname.rsplit(".", 1)[-1]
        if not kind.qname.startswith("torch.nn"):
            raise Unfollowable(f"isinstance against {kind.qname}", node)
        if short == "Module":
            return True
        if isinstance(value, Layer):
            return value.name == short
        if isinstance(value, Instance) and value.base is not None:
            return value.base.name == short
        return short == "Sequential" and isinstance(value, Sequential)
    if isinstance(kind, ClassInfo):
        return isinstance(value, Instance) and kind in value.cls.mro()
    raise Unfollowable("isinstance against a class convcalc does not follow", node)


@_builtin("print")
def _print(args, kwargs, node):
    return None


@_builtin("super")
def _super(args, kwargs, node):
    raise Unfollowable("super() outside a method", node)


@_builtin("getattr")
def _getattr(args, kwargs, node):
    raise Unfollowable("getattr", node)


BUILTINS["object"] = Ref("builtins.object")
