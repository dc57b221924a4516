"""Python's builtins as the interpreter runs them: the types (``int``, ``str``, ``list``, ...,
callable, comparable and derivable), the functions (``len``, ``min``, ``sorted``, ``isinstance``,
``getattr``, ``zip``, ``map``, ...), with Python's results, and Python's errors (raised as the
program would see them) for arguments of the wrong type or value. Each is bounded."""
from __future__ import annotations

from convcalc.frontends.python import dunders, pycore, sizes
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import OBJECT, TYPE, BuiltinType, ClassInfo, Instance, MroError, type_of
from convcalc.frontends.python.pycore import (EXCEPTIONS, TYPES, is_number, isinstance_of, iterate, length,
                                              raise_error, to_repr, to_str, truth, type_error, type_name, value_error)
from convcalc.frontends.python.pyobjects import Args, Builtin, Generator, Iterator, Value, call, describe, \
    is_hashable
from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.symbolic import dims

BUILTINS: dict = {}


def builtin(name: str):
    def wrap(fn):
        BUILTINS[name] = Builtin(name, fn)
        return fn
    return wrap


def arity(frame, name: str, args: Args, low: int, high: int, keywords: tuple = ()) -> list:
    """The positional values of a builtin's call, their count checked as CPython checks it."""
    values = args.values
    extra = set(args.named) - set(keywords)
    if extra:
        raise type_error(frame, f"{name}() got an unexpected keyword argument '{sorted(extra)[0]}'", None)
    if not low <= len(values) <= high:
        expected = f"exactly {low}" if low == high else f"at least {low}" if len(values) < low else f"at most {high}"
        raise type_error(frame, f"{name} expected {expected} argument{'s' if max(low, high) != 1 else ''}, got "
                                f"{len(values)}", None)
    return values


def no_size(frame, value, what: str, node) -> None:
    if dims.is_symbolic(value):
        raise size_dependent(f"{what} of the input's size {dims.render(value)}", node)


# ---------------------------------------------------------------- types


def make_int(frame, args, node):
    values = arity(frame, "int", args, 0, 2, ("base",))
    if not values:
        return 0
    value = values[0]
    base = values[1] if len(values) > 1 else args.named.get("base")
    if dims.is_symbolic(value):
        if base is not None:
            raise type_error(frame, "int() can't convert non-string with explicit base", node)
        return value  # a size is an int already
    if isinstance(value, Instance) and base is None:
        found = dunders.convert(frame, value, "int", node)
        if found is not dunders.MISSING:
            return make_int(frame, Args.of(found), node)
    if isinstance(value, Value):
        from convcalc.frontends.python.brains import value_to_number

        return value_to_number(frame, value, int, node)
    try:
        if base is not None:
            return int(value, base)
        if isinstance(value, str) and len(value) > 4300:
            raise Unfollowable("int() of a very long string", node)
        return int(value)
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None
    except OverflowError as exc:
        raise raise_error(frame, "OverflowError", (str(exc),), node) from None
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None


def make_float(frame, args, node):
    values = arity(frame, "float", args, 0, 1)
    if not values:
        return 0.0
    value = values[0]
    no_size(frame, value, "float()", node)
    if isinstance(value, Instance):
        found = dunders.convert(frame, value, "float", node)
        if found is not dunders.MISSING:
            return make_float(frame, Args.of(found), node)
    if isinstance(value, Value):
        from convcalc.frontends.python.brains import value_to_number

        return value_to_number(frame, value, float, node)
    try:
        return float(value)
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None
    except (TypeError, OverflowError) as exc:
        raise type_error(frame, str(exc), node) from None


def make_bool(frame, args, node):
    values = arity(frame, "bool", args, 0, 1)
    return truth(frame, values[0], node) if values else False


def make_str(frame, args, node):
    values = arity(frame, "str", args, 0, 3, ("encoding", "errors"))
    if not values:
        return ""
    out = to_str(frame, values[0], node)
    frame.charge(len(out), node)
    return out


def sequence(kind):
    def make(frame, args, node):
        values = arity(frame, kind.__name__, args, 0, 1)
        if not values:
            return kind()
        items = iterate(frame, values[0], node)
        if kind in (set, frozenset):
            for item in items:
                if not is_hashable(item):
                    raise type_error(frame, f"unhashable type: '{type_name(item)}'", node)
        return kind(items)
    return make


def make_dict(frame, args, node):
    values = arity(frame, "dict", args, 0, 1, tuple(args.named))
    out = {}
    if values:
        source = values[0]
        if isinstance(source, Instance) and source.native is not None:
            source = source.native
        if isinstance(source, dict):
            out.update(source)
        else:
            for pair in iterate(frame, source, node):
                items = iterate(frame, pair, node) if not isinstance(pair, (tuple, list)) else list(pair)
                if len(items) != 2:
                    raise value_error(frame, f"dictionary update sequence element has length {len(items)}; 2 is "
                                             "required", node)
                if not is_hashable(items[0]):
                    raise type_error(frame, f"unhashable type: '{type_name(items[0])}'", node)
                out[items[0]] = items[1]
    out.update(args.named)
    return out


def make_range(frame, args, node):
    values = arity(frame, "range", args, 1, 3)
    for v in values:
        no_size(frame, v, "a range", node)
    values = [pycore.as_index(frame, v, node) for v in values]
    try:
        made = range(*values)
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None
    if len(made) > MAX_ITEMS:
        raise Unfollowable(f"a range of {len(made):,} items", node)
    return made


def make_slice(frame, args, node):
    return slice(*arity(frame, "slice", args, 1, 3))


def make_type(frame, args, node):
    values = arity(frame, "type", args, 1, 3)
    if len(values) == 1:
        kind = type_of(values[0])
        if kind is None:
            raise Unfollowable(f"the type of {pycore.describe(values[0])}", node)
        return kind
    name, bases, namespace = values
    if not isinstance(name, str) or not isinstance(bases, tuple) or not isinstance(namespace, dict):
        raise type_error(frame, "type() argument 1 must be str, 2 a tuple, 3 a dict", node)
    try:
        cls = ClassInfo(name, node, list(bases) or [OBJECT], dict(namespace))
    except MroError:
        raise type_error(frame, "Cannot create a consistent method resolution order (MRO)", node) from None
    from convcalc.frontends.python.classdefs import inherit

    inherit(cls)
    return cls


def make_object(frame, args, node):
    arity(frame, "object", args, 0, 0)
    cls = ClassInfo("object", node, [OBJECT], {})
    return Instance(cls, node)


for _name, _py, _make in (("int", int, make_int), ("float", float, make_float), ("bool", bool, make_bool),
                          ("str", str, make_str), ("list", list, sequence(list)), ("tuple", tuple, sequence(tuple)),
                          ("set", set, sequence(set)), ("frozenset", frozenset, sequence(frozenset)),
                          ("dict", dict, make_dict), ("range", range, make_range), ("slice", slice, make_slice)):
    TYPES[_name] = BuiltinType(_name, _py, _make, OBJECT)
TYPES["bool"].parent = TYPES["int"]
TYPES["bool"].bases = [TYPES["int"]]
TYPES["NoneType"] = BuiltinType("NoneType", type(None), lambda f, a, n: None, OBJECT)
TYPES["bytes"] = BuiltinType("bytes", bytes, None, OBJECT)
TYPE.make, TYPE.parent, TYPE.bases = make_type, OBJECT, [OBJECT]
OBJECT.make = make_object
TYPES["type"], TYPES["object"] = TYPE, OBJECT
BUILTINS.update(TYPES)
del BUILTINS["NoneType"]
BUILTINS.update(EXCEPTIONS)
# types the program meets but does not name as builtins (type(f).__name__ is 'function')
# (property, staticmethod, classmethod stay the decorators below as names; a function they made
# answers type() with these)
for _name in ("function", "method", "builtin_function_or_method", "generator", "property", "staticmethod",
              "classmethod", "dict_keys", "dict_values", "dict_items"):
    TYPES[_name] = BuiltinType(_name, None, None, OBJECT)
for _py in (Ellipsis, NotImplemented):
    pycore.register_native(type(_py), BuiltinType(type(_py).__name__, type(_py), None, OBJECT))
BUILTINS.update({"True": True, "False": False, "None": None, "NotImplemented": NotImplemented,
                 "Ellipsis": Ellipsis, "__debug__": True})


# ---------------------------------------------------------------- functions


@builtin("len")
def _len(frame, args, node):
    (value,) = arity(frame, "len", args, 1, 1)
    return length(frame, value, node)


@builtin("abs")
def _abs(frame, args, node):
    (value,) = arity(frame, "abs", args, 1, 1)
    if dims.is_symbolic(value):
        return sizes.absolute(value, node)
    if isinstance(value, Instance):
        found = dunders.unary(frame, "abs", value, node)
        if found is not dunders.MISSING:
            return found
    if isinstance(value, Value):
        from convcalc.frontends.python.brains import value_unary

        return value_unary(frame, "abs", value, node)
    if not is_number(value):
        raise type_error(frame, f"bad operand type for abs(): '{type_name(value)}'", node)
    return abs(value)


@builtin("round")
def _round(frame, args, node):
    values = arity(frame, "round", args, 1, 2, ("ndigits",))
    value = values[0]
    digits = values[1] if len(values) > 1 else args.named.get("ndigits")
    if dims.is_symbolic(value) and (digits is None or type(digits) is int and digits >= 0):
        return value  # a size is an integer: round() leaves it as it is
    no_size(frame, value, "round()", node)
    if isinstance(value, Instance) and dunders.unwrap(value) is not value:
        value = dunders.unwrap(value)
    if not is_number(value):
        raise type_error(frame, f"type {type_name(value)} doesn't define __round__ method", node)
    try:
        return round(value) if digits is None else round(value, digits)
    except (ValueError, OverflowError) as exc:
        raise raise_error(frame, type(exc).__name__, (str(exc),), node) from None
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None


@builtin("divmod")
def _divmod(frame, args, node):
    a, b = arity(frame, "divmod", args, 2, 2)
    return (pycore.binop(frame, "//", a, b, node), pycore.binop(frame, "%", a, b, node))


@builtin("pow")
def _pow(frame, args, node):
    values = arity(frame, "pow", args, 2, 3)
    if len(values) == 3:
        if not all(type(v) is int for v in values):
            raise type_error(frame, "pow() 3rd argument not allowed unless all arguments are integers", node)
        try:
            return pow(*values)
        except ValueError as exc:
            raise value_error(frame, str(exc), node) from None
    return pycore.binop(frame, "**", values[0], values[1], node)


def extremum(name: str, pick):
    def apply(frame, args, node):
        values = args.values
        key = args.named.get("key")
        has_default = "default" in args.named
        if set(args.named) - {"key", "default"}:
            raise type_error(frame, f"{name}() got an unexpected keyword argument", node)
        if not values:
            raise type_error(frame, f"{name} expected at least 1 argument, got 0", node)
        items = iterate(frame, values[0], node) if len(values) == 1 else list(values)
        if not items:
            if has_default:
                return args.named["default"]
            raise value_error(frame, f"{name}() iterable argument is empty", node)
        best, best_key = items[0], call(frame, key, Args.of(items[0]), node) if key is not None else items[0]
        for item in items[1:]:
            k = call(frame, key, Args.of(item), node) if key is not None else item
            if key is None and (dims.is_symbolic(k) or dims.is_symbolic(best_key)):
                better = sizes.better(pick, k, best_key, node)  # max(1, H) is H: equal where they tie
            else:
                better = pycore.compare(frame, pick, k, best_key, node)
            if better:
                best, best_key = item, k
        return best
    return apply


BUILTINS["min"] = Builtin("min", extremum("min", "<"))
BUILTINS["max"] = Builtin("max", extremum("max", ">"))


@builtin("sum")
def _sum(frame, args, node):
    values = arity(frame, "sum", args, 1, 2, ("start",))
    total = values[1] if len(values) > 1 else args.named.get("start", 0)
    if isinstance(total, str):
        raise type_error(frame, "sum() can't sum strings [use ''.join(seq) instead]", node)
    for item in iterate(frame, values[0], node):
        total = pycore.binop(frame, "+", total, item, node)
    return total


@builtin("all")
def _all(frame, args, node):
    (value,) = arity(frame, "all", args, 1, 1)
    return all(truth(frame, v, node) for v in iterate(frame, value, node))


@builtin("any")
def _any(frame, args, node):
    (value,) = arity(frame, "any", args, 1, 1)
    return any(truth(frame, v, node) for v in iterate(frame, value, node))


@builtin("sorted")
def _sorted(frame, args, node):
    (value,) = arity(frame, "sorted", args, 1, 1, ("key", "reverse"))
    from convcalc.frontends.python.methods import sorted_values

    return sorted_values(frame, iterate(frame, value, node), args.named.get("key"),
                         truth(frame, args.named.get("reverse", False), node), node)


@builtin("reversed")
def _reversed(frame, args, node):
    (value,) = arity(frame, "reversed", args, 1, 1)
    if isinstance(value, (set, frozenset, Generator)):  # a dict is reversible (its keys, last first); an iterator not
        raise type_error(frame, f"'{type_name(value)}' object is not reversible", node)
    return Iterator(list(reversed(iterate(frame, value, node))))


@builtin("enumerate")
def _enumerate(frame, args, node):
    values = arity(frame, "enumerate", args, 1, 2, ("start",))
    start = values[1] if len(values) > 1 else args.named.get("start", 0)
    if type(start) is not int:
        raise type_error(frame, f"'{type_name(start)}' object cannot be interpreted as an integer", node)
    return Iterator([(start + i, v) for i, v in enumerate(iterate(frame, values[0], node))])


@builtin("zip")
def _zip(frame, args, node):
    if set(args.named) - {"strict"}:
        raise type_error(frame, "zip() got an unexpected keyword argument", node)
    columns = [iterate(frame, a, node) if not hasattr(a, "take") else None for a in args.values]
    finite = [len(c) for c in columns if c is not None]
    if not finite and columns:
        raise Unfollowable("zip of endless iterators only", node)
    columns = [c if c is not None else a.take(frame, min(finite), node) for c, a in zip(columns, args.values)]
    if args.named.get("strict") and len({len(c) for c in columns}) > 1:
        raise value_error(frame, "zip() argument 2 is shorter than argument 1", node)
    return Iterator(list(zip(*columns)))


@builtin("map")
def _map(frame, args, node):
    values = arity(frame, "map", args, 2, 64)
    columns = [iterate(frame, a, node) for a in values[1:]]
    return Iterator([call(frame, values[0], Args.of(*items), node) for items in zip(*columns)])


@builtin("filter")
def _filter(frame, args, node):
    fn, items = arity(frame, "filter", args, 2, 2)
    keep = (lambda v: truth(frame, v, node)) if fn is None else \
        (lambda v: truth(frame, call(frame, fn, Args.of(v), node), node))
    return Iterator([v for v in iterate(frame, items, node) if keep(v)])


@builtin("iter")
def _iter(frame, args, node):
    (value,) = arity(frame, "iter", args, 1, 1)
    if isinstance(value, Generator):
        return value
    return Iterator(iterate(frame, value, node))


@builtin("next")
def _next(frame, args, node):
    values = arity(frame, "next", args, 1, 2)
    source = values[0]
    if not isinstance(source, Generator):
        raise type_error(frame, f"'{type_name(source)}' object is not an iterator", node)
    if source.position >= len(source.values) and len(values) > 1:
        return values[1]
    return source.next(frame, node)


@builtin("isinstance")
def _isinstance(frame, args, node):
    value, kinds = arity(frame, "isinstance", args, 2, 2)
    return check_kinds(frame, kinds, node, lambda k: isinstance_of(frame, value, k, node))


def check_kinds(frame, kinds, node, test) -> bool:
    if isinstance(kinds, tuple):
        return any(check_kinds(frame, k, node, test) for k in kinds)
    return test(kinds)


@builtin("issubclass")
def _issubclass(frame, args, node):
    cls, kinds = arity(frame, "issubclass", args, 2, 2)
    if not isinstance(cls, (ClassInfo, BuiltinType)):
        raise type_error(frame, "issubclass() arg 1 must be a class", node)

    def test(kind):
        if isinstance(kind, (ClassInfo, BuiltinType)):
            return kind in cls.mro() or kind is OBJECT
        from convcalc.frontends.python.brains import library_issubclass

        return library_issubclass(frame, cls, kind, node)
    return check_kinds(frame, kinds, node, test)


@builtin("repr")
def _repr(frame, args, node):
    (value,) = arity(frame, "repr", args, 1, 1)
    out = to_repr(frame, value, node)
    frame.charge(len(out), node)
    return out


@builtin("ascii")
def _ascii(frame, args, node):
    (value,) = arity(frame, "ascii", args, 1, 1)
    return ascii(to_repr(frame, value, node))[1:-1] if not isinstance(value, str) else ascii(value)


@builtin("format")
def _format(frame, args, node):
    values = arity(frame, "format", args, 1, 2)
    from convcalc.frontends.python.strings import format_value

    return format_value(frame, values[0], values[1] if len(values) > 1 else "", node)


@builtin("chr")
def _chr(frame, args, node):
    (value,) = arity(frame, "chr", args, 1, 1)
    try:
        return chr(value)
    except (ValueError, OverflowError) as exc:
        raise raise_error(frame, type(exc).__name__, (str(exc),), node) from None
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None


@builtin("ord")
def _ord(frame, args, node):
    (value,) = arity(frame, "ord", args, 1, 1)
    try:
        return ord(value)
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None


def _number_text(fn):
    def apply(frame, args, node):
        (value,) = arity(frame, fn.__name__, args, 1, 1)
        if type(value) is not int and not isinstance(value, bool):
            raise type_error(frame, f"'{type_name(value)}' object cannot be interpreted as an integer", node)
        return fn(value)
    return apply


for _fn in (hex, oct, bin):
    BUILTINS[_fn.__name__] = Builtin(_fn.__name__, _number_text(_fn))


@builtin("hash")
def _hash(frame, args, node):
    (value,) = arity(frame, "hash", args, 1, 1)
    found = dunders.hashed(frame, value, node)
    if found is not dunders.MISSING:
        return found
    if not is_hashable(value):
        raise type_error(frame, f"unhashable type: '{type_name(value)}'", node)
    if isinstance(value, (int, float, bool, tuple, frozenset, type(None))):
        return hash(value)
    raise Unfollowable("hash() of this value (its number differs from run to run)", node)


@builtin("id")
def _id(frame, args, node):
    raise Unfollowable("id(): an object's address", node)


@builtin("print")
def _print(frame, args, node):
    return None


@builtin("input")
def _input(frame, args, node):
    raise Unfollowable("input(): what a person types", node)


@builtin("open")
def _open(frame, args, node):
    raise Unfollowable("open(): a file convcalc does not read", node)


@builtin("dir")
def _dir(frame, args, node):
    """``dir(torch.nn.functional)``: the names torch 2.13 has (a file asks whether its torch has
    ``silu``); of anything else, not followed (an object's names depend on its whole class tree)."""
    from convcalc.frontends.python.pyobjects import Ref

    values = arity(frame, "dir", args, 0, 1)
    if values and isinstance(values[0], Ref):
        from convcalc.frontends.python.brains.torch_names import DIR

        names = DIR.get(values[0].qname)
        if names is not None:
            return list(names)
    what = describe(values[0]) if values else "the names in scope"
    raise Unfollowable(f"dir() of {what}", node)


for _name in ("eval", "exec", "compile", "__import__", "globals", "breakpoint", "exit",
              "quit", "memoryview", "bytearray", "complex", "help", "aiter", "anext"):
    BUILTINS[_name] = Builtin(_name, lambda frame, args, node, n=_name: (_ for _ in ()).throw(
        Unfollowable(f"{n}(): not followed", node)))


from convcalc.frontends.python import introspection  # noqa: E402,F401  (getattr, vars, super, ...: they register)
