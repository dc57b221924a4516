"""The methods of Python's own values (str, list, tuple, dict, set, int, float) as the program
calls them: Python's own implementations where they only move or read the values (bounded
before they run), convcalc's where they call the program's code (``list.sort(key=...)``) or
could build too much (``str.replace``, ``str.ljust``)."""
from __future__ import annotations

import collections
import collections.abc

from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Args, Builtin, DefaultDict, Iterator, Value, call
from convcalc.frontends.python.reasons import Raised, Unfollowable

# the methods run by Python itself, per type, when their arguments are Python's values: they read
# or move the values they are given and call no code of the program
DIRECT = {
    str: {"join", "split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "capitalize", "title",
          "swapcase", "casefold", "startswith", "endswith", "find", "rfind", "index", "rindex", "count",
          "isdigit", "isalpha", "isalnum", "isupper", "islower", "isspace", "isidentifier", "isnumeric",
          "isdecimal", "istitle", "partition", "rpartition", "splitlines", "removeprefix", "removesuffix",
          "zfill", "ljust", "rjust", "center", "replace", "expandtabs", "encode", "format_map", "translate"},
    list: {"append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "copy", "clear"},
    tuple: {"index", "count"},
    dict: {"get", "keys", "values", "items", "pop", "popitem", "setdefault", "update", "copy", "clear"},
    set: {"add", "update", "remove", "discard", "pop", "union", "intersection", "difference",
          "symmetric_difference", "issubset", "issuperset", "isdisjoint", "copy", "clear",
          "intersection_update", "difference_update"},
    frozenset: {"union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset",
                "isdisjoint", "copy"},
    int: {"bit_length", "conjugate", "bit_count"},
    float: {"is_integer", "conjugate", "hex"},
    bool: {"bit_length", "conjugate"},
    bytes: {"decode"},
}
WIDTHS = {"zfill", "ljust", "rjust", "center", "expandtabs"}  # an int argument is the length built
MUTATING = {"append", "extend", "insert", "update", "add", "setdefault", "intersection_update",
            "difference_update"}
VIEWS = (collections.abc.KeysView, collections.abc.ValuesView, collections.abc.ItemsView)


def method_of(frame, value, name: str, node):
    """``value.name``: a bound method of Python's own value, or its attribute."""
    kind = type(value)
    if kind is bool and name in ("real", "imag", "numerator", "denominator"):
        return getattr(value, name)
    if kind in (int, float) and name in ("real", "imag", "numerator", "denominator"):
        return getattr(value, name)
    if kind is slice and name in ("start", "stop", "step"):
        return getattr(value, name)
    if kind is range and name in ("start", "stop", "step"):
        return getattr(value, name)
    if kind is collections.deque and name == "maxlen":
        return value.maxlen
    if isinstance(value, DefaultDict) and name == "default_factory":
        return value.default_factory
    if kind is str and name == "format":
        return Builtin("str.format", lambda f, args, n: format_call(f, value, args, n), value)
    if kind is list and name == "sort":
        return Builtin("list.sort", lambda f, args, n: sort_list(f, value, args, n), value)
    if kind in DIRECT and name in DIRECT[kind]:
        return Builtin(f"{kind.__name__}.{name}", lambda f, args, n: direct(f, value, name, args, n), value)
    if name == "__class__":
        from convcalc.frontends.python.pycore import native_type

        return native_type(value)
    if name in DUNDERS and hasattr(kind, name):
        return Builtin(f"{kind.__name__}.{name}", lambda f, args, n: DUNDERS[name](f, value, *args.values, n), value)
    from convcalc.frontends.python.pycore import attribute_error, type_name

    raise attribute_error(frame, f"'{type_name(value)}' object has no attribute '{name}'", node)


def type_method(frame, kind, name: str, node):
    """``dict.fromkeys``, ``object.__new__``, and a method taken from its type (``str.join``,
    ``list.append``): unbound."""
    py = kind.py
    own = TYPE_METHODS.get((py if py is not None else kind.name, name))
    if own is not None:
        return Builtin(f"{kind.name}.{name}", own)
    if py is not None and (name in DIRECT.get(py, ()) or (py, name) in ((list, "sort"), (str, "format"))):
        def unbound(f, args, n, method=name):
            if not args.values:
                from convcalc.frontends.python.pycore import type_error

                raise type_error(f, f"descriptor '{method}' of '{kind.name}' object needs an argument", n)
            bound = method_of(f, args.values[0], method, n)
            return call(f, bound, Args(args.positional[1:], args.keywords), n)
        return Builtin(f"{kind.name}.{name}", unbound)
    from convcalc.frontends.python.pycore import attribute_error

    raise attribute_error(frame, f"type object '{kind.name}' has no attribute '{name}'", node)


def fromkeys(frame, args, node):
    from convcalc.frontends.python.builtins import arity
    from convcalc.frontends.python.pycore import check_key

    values = arity(frame, "fromkeys", args, 1, 2)
    keys = iterate_all(frame, values[0], node)
    for key in keys:
        check_key(frame, key, node)
    return dict.fromkeys(keys, values[1] if len(values) > 1 else None)


def maketrans(frame, args, node):
    from convcalc.frontends.python.pycore import type_error, value_error

    values = args.values
    if not all(isinstance(v, str) for v in values[1:]) or len(values) not in (1, 2, 3) or \
            len(values) == 1 and not (isinstance(values[0], dict) and all(
                isinstance(k, (str, int)) and isinstance(v, (str, int, type(None))) for k, v in values[0].items())):
        raise type_error(frame, "maketrans() arguments must be strings, or one dict of characters", node)
    try:
        return str.maketrans(*values)
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None


def object_new(frame, args, node):
    """``object.__new__(cls)``: an instance of the program's class, its __init__ not run."""
    from convcalc.frontends.python.pyclasses import ClassInfo, Instance
    from convcalc.frontends.python.pycore import type_error

    if not args.values or not isinstance(args.values[0], ClassInfo):
        raise type_error(frame, "object.__new__(X): X is not a type object", node)
    return Instance(args.values[0], node)


def object_setattr(frame, args, node):
    """``object.__setattr__(self, name, value)``: the attribute set, the class's own __setattr__ passed by."""
    from convcalc.frontends.python.pyclasses import Instance
    from convcalc.frontends.python.pycore import type_error

    if len(args.values) != 3 or not isinstance(args.values[1], str):
        raise type_error(frame, "object.__setattr__ expects an object, a name and a value", node)
    obj, name, value = args.values
    if not isinstance(obj, Instance):
        raise type_error(frame, f"can't apply this __setattr__ to {type(obj).__name__} object", node)
    obj.attrs[name] = value


def _dunder(operation: str, takes: int):
    """A special method of Python's own value, as the operation the interpreter runs for it."""
    def run(frame, value, *rest):
        from convcalc.frontends.python import pycore, reprs

        if len(rest) != takes + 1:
            raise pycore.type_error(frame, f"__{operation}__ takes {takes} argument(s) ({len(rest) - 1} given)",
                                    rest[-1])

        operations = {"len": pycore.length, "getitem": pycore.subscript, "str": reprs.to_str, "repr": reprs.to_repr,
                      "contains": pycore.contains, "iter": lambda f, v, n: Iterator(pycore.iterate(f, v, n))}
        return operations[operation](frame, value, *rest)
    return run


# value.__len__() and friends on Python's own values (a subclass of list calling list.__getitem__)
DUNDERS = {f"__{op}__": _dunder(op, takes) for op, takes in (("len", 0), ("getitem", 1), ("str", 0), ("repr", 0),
                                                               ("contains", 1), ("iter", 0))}
TYPE_METHODS = {(dict, "fromkeys"): fromkeys, (str, "maketrans"): maketrans, ("object", "__new__"): object_new,
                ("object", "__setattr__"): object_setattr, ("object", "__init__"): lambda f, a, n: None}


def iterate_all(frame, value, node):
    from convcalc.frontends.python.pycore import iterate

    return iterate(frame, value, node)


def native_only(value) -> bool:
    """A value Python's own methods may be given: convcalc's values are passed as they are only
    to the methods that store or compare them by identity (list.append)."""
    return not isinstance(value, Value)


def direct(frame, value, name: str, args: Args, node):
    from convcalc.frontends.python.pycore import iterate, raise_error, type_name

    positional, keywords = args.values, args.named
    if name in ("extend", "update", "union", "intersection", "difference", "symmetric_difference", "issubset",
                "issuperset", "isdisjoint", "intersection_update", "difference_update", "join") and positional:
        positional = [iterate(frame, p, node) if isinstance(p, Value) else p for p in positional]
        if name == "join":
            parts = positional[0] if isinstance(positional[0], (list, tuple)) else iterate(frame, positional[0], node)
            if not all(isinstance(p, str) for p in parts):
                bad = next(p for p in parts if not isinstance(p, str))
                raise raise_error(frame, "TypeError", (f"sequence item {parts.index(bad)}: expected str instance, "
                                                       f"{type_name(bad)} found",), node)
            if sum(map(len, parts)) + len(value) * max(len(parts) - 1, 0) > MAX_ITEMS:
                raise Unfollowable("a very long string", node)
            positional = [list(parts)]
    stores = name in ("append", "insert", "extend", "update", "setdefault", "add", "get", "pop", "remove",
                      "index", "count", "__contains__") or isinstance(value, (list, dict, set, collections.deque))
    if not stores and not all(native_only(v) for v in [*positional, *keywords.values()]):
        raise Unfollowable(f"{type_name(value)}.{name} of {', '.join(map(str, map(type_name, positional)))}", node)
    if name in WIDTHS and any(type(v) is int and v > MAX_ITEMS for v in positional):
        raise Unfollowable(f"str.{name} to a very long string", node)  # 'x'.rjust(10**9)
    if name == "replace" and len(positional) >= 2 and isinstance(positional[0], str) and \
            isinstance(positional[1], str):
        grow = max(0, len(positional[1]) - len(positional[0])) * (value.count(positional[0]) if positional[0]
                                                                   else len(value) + 1)
        if len(value) + grow > MAX_ITEMS:
            raise Unfollowable("a very long string", node)
    if name == "expandtabs" and isinstance(value, str) and value.count("\t") * (positional[0] if positional and
                                                                                type(positional[0]) is int
                                                                                else 8) > MAX_ITEMS:
        raise Unfollowable("a very long string", node)
    if name in ("extend",) and isinstance(value, list) and positional and \
            len(value) + len(positional[0] if hasattr(positional[0], "__len__") else ()) > MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    if name in ("append", "insert") and isinstance(value, list) and len(value) >= MAX_ITEMS:
        raise Unfollowable("a very long list", node)
    try:
        out = getattr(value, name)(*positional, **keywords)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, UnicodeError) as exc:
        error = type(exc).__name__ if type(exc).__name__ in ("TypeError", "ValueError", "KeyError", "IndexError",
                                                             "AttributeError", "OverflowError") else "ValueError"
        raise raise_error(frame, error, exc.args, node) from None
    if isinstance(out, VIEWS):  # keys(), values(), items(): live views of the dict
        from convcalc.frontends.python.views import DictView

        return DictView(value, name)
    if isinstance(out, (str, list, tuple)):
        frame.charge(len(out), node)
    if name in MUTATING and isinstance(value, (list, dict, set)):
        frame.charge(1, node)
    return out


def format_call(frame, text: str, args: Args, node) -> str:
    from convcalc.frontends.python.strings import str_format

    return str_format(frame, text, args.values, args.named, node)


def sort_list(frame, items: list, args: Args, node):
    """list.sort(key=..., reverse=...): the program's key function, Python's stable order."""
    items[:] = sorted_values(frame, items, args.named.get("key"), bool(args.named.get("reverse", False)), node)
    return None


def sorted_values(frame, items: list, key, reverse: bool, node) -> list:
    from convcalc.frontends.python.pycore import compare, type_error

    keys = [call(frame, key, Args.of(item), node) if key is not None else item for item in items]
    order = list(range(len(items)))

    class Key:
        __slots__ = ("k",)

        def __init__(self, k):
            self.k = k

        def __lt__(self, other):
            return compare(frame, "<", self.k, other.k, node)

    try:
        order.sort(key=lambda i: Key(keys[i]), reverse=reverse)
    except Raised:
        raise
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None
    return [items[i] for i in order]
