"""collections as model files use it: ``namedtuple`` (and ``typing.NamedTuple``), ``OrderedDict``,
``defaultdict``, ``Counter`` and ``deque``.

OrderedDict, Counter and deque are Python's own classes holding the program's values: their
methods only move, count and compare keys, so Python runs them (methods.py, bounded like every
method). A defaultdict is a dict that knows its factory: a missing key read through the
interpreter (pycore.subscript) calls the factory in the program. Each is a builtin type of the
program (``type(d) is OrderedDict``, ``isinstance(c, dict)``, a class may derive from it)."""
from __future__ import annotations

import collections

from convcalc.frontends.python import pycore
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.methods import DIRECT
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
from convcalc.frontends.python.pycore import iterate, type_error, value_error
from convcalc.frontends.python.pyobjects import Args, Builtin, DefaultDict, Function, Value, call


def missing(frame, mapping, key, node):
    """``mapping[key]`` for a key it lacks: the factory's value, stored (None: a KeyError)."""
    if isinstance(mapping, DefaultDict) and mapping.default_factory is not None:
        value = call(frame, mapping.default_factory, Args(), node)
        mapping[key] = value
        frame.charge(1, node)
        return value
    if isinstance(mapping, collections.Counter):
        return 0
    return None


def _dict_items(frame, args: Args, node, name: str) -> dict:
    from convcalc.frontends.python.builtins import make_dict

    return make_dict(frame, args, node) if len(args) else {}


def make_ordered_dict(frame, args, node):
    return collections.OrderedDict(_dict_items(frame, args, node, "OrderedDict"))


def make_defaultdict(frame, args, node):
    values = args.values
    factory = values[0] if values else None
    if factory is not None and not pycore.is_callable(factory):
        raise type_error(frame, "first argument must be callable or None", node)
    return DefaultDict(factory, _dict_items(frame, Args(args.positional[1:], args.keywords), node, "defaultdict"))


def make_counter(frame, args, node):
    values = args.values
    if len(values) > 1:
        raise type_error(frame, f"expected at most 1 argument, got {len(values)}", node)
    out = collections.Counter()
    if values:
        source = values[0]
        if isinstance(source, dict):
            out.update(source)
        else:
            for item in iterate(frame, source, node):
                pycore.check_key(frame, item, node)
                out[item] += 1
    for key, value in args.named.items():
        out[key] += value if type(value) in (int, float) else 0
    return out


def make_deque(frame, args, node):
    values = args.values
    maxlen = values[1] if len(values) > 1 else args.named.get("maxlen")
    if maxlen is not None and (type(maxlen) is not int or maxlen < 0):
        raise (type_error if type(maxlen) is not int else value_error)(
            frame, "maxlen must be a non-negative integer", node)
    return collections.deque(iterate(frame, values[0], node) if values else (), maxlen)


TYPES_MADE = {}
for _name, _py, _make, _parent in (("OrderedDict", collections.OrderedDict, make_ordered_dict, "dict"),
                                   ("defaultdict", DefaultDict, make_defaultdict, "dict"),
                                   ("Counter", collections.Counter, make_counter, "dict"),
                                   ("deque", collections.deque, make_deque, "object")):
    _kind = BuiltinType(_name, _py, _make, pycore.TYPES[_parent])
    _kind.home = "collections"
    TYPES_MADE[_name] = _kind
    pycore.register_native(_py, _kind)
    CONSTANTS[f"collections.{_name}"] = _kind
CONSTANTS["typing.OrderedDict"] = TYPES_MADE["OrderedDict"]
CONSTANTS["typing.DefaultDict"] = TYPES_MADE["defaultdict"]
CONSTANTS["typing.Counter"] = TYPES_MADE["Counter"]
CONSTANTS["typing.Deque"] = TYPES_MADE["deque"]

DIRECT[collections.OrderedDict] = DIRECT[dict] | {"move_to_end"}
DIRECT[DefaultDict] = set(DIRECT[dict])
DIRECT[collections.Counter] = DIRECT[dict] | {"most_common", "elements", "total", "subtract"}
DIRECT[collections.deque] = {"append", "appendleft", "pop", "popleft", "extend", "extendleft", "rotate", "clear",
                             "copy", "count", "index", "remove", "reverse", "insert"}


# ---------------------------------------------------------------- namedtuple


def namedtuple(frame, qname, args, node):
    """namedtuple("Point", ["x", "y"]) or namedtuple("Point", "x y", defaults=...): a class whose
    instances are tuples with names for their items."""
    values = args.values
    if len(values) < 2 or not isinstance(values[0], str):
        raise type_error(frame, "namedtuple() needs a name and field names", node)
    names = values[1]
    if isinstance(names, str):
        names = names.replace(",", " ").split()
    names = [n for n in iterate(frame, names, node)]
    if not all(isinstance(n, str) and n.isidentifier() for n in names) or not values[0].isidentifier():
        raise value_error(frame, "Type names and field names must be valid identifiers", node)
    if len(set(names)) != len(names):
        raise value_error(frame, "Encountered duplicate field name", node)
    cls = ClassInfo(values[0], node, [pycore.TYPES["tuple"]], {})
    cls.namedtuple = tuple(names)
    defaults = args.named.get("defaults")
    if defaults is not None:
        defaults = list(iterate(frame, defaults, node))
        if len(defaults) > len(names):
            raise type_error(frame, "Got more default values than field names", node)
        cls.namespace["_field_defaults"] = dict(zip(names[len(names) - len(defaults):], defaults))
    return cls


class NamedTupleNew(Value):
    """A namedtuple class's __new__, whose __defaults__ a program sets (the idiom before Python 3.7's
    defaults=: ``Point.__new__.__defaults__ = (None,) * len(Point._fields)``)."""

    def __init__(self, cls: ClassInfo):
        self.cls = cls

    def describe(self) -> str:
        return f"{self.cls.name}.__new__"

    def attr(self, frame, name, node):
        if name == "__defaults__":
            defaults = self.cls.new_defaults or self.cls.lookup("_field_defaults") or {}
            return tuple(defaults.values()) or None
        return super().attr(frame, name, node)

    def set_attr(self, frame, name, value, node):
        if name != "__defaults__":
            return super().set_attr(frame, name, value, node)
        values = list(iterate(frame, value, node)) if value is not None else []
        fields = list(self.cls.namedtuple)
        if len(values) > len(fields):
            raise type_error(frame, "Got more default values than field names", node)
        self.cls.new_defaults = dict(zip(fields[len(fields) - len(values):], values))


def namedtuple_init(frame, obj: Instance, args: Args, node) -> None:
    """A namedtuple's instance: its items by position and by name, defaults filling the rest."""
    from convcalc.binding import MISSING, BindError, bind

    fields = list(obj.cls.namedtuple)
    defaults = dict(obj.cls.lookup("_field_defaults") or {})
    defaults.update(next((c.new_defaults for c in obj.cls.mro() if getattr(c, "new_defaults", None)), {}))
    for cls in obj.cls.mro():  # class Point(NamedTuple): x: int = 0
        if isinstance(cls, ClassInfo) and cls.namedtuple is not None and cls.node is not None:
            for name in fields:
                if name in cls.namespace and not isinstance(cls.namespace[name], Function):
                    defaults.setdefault(name, cls.namespace[name])
    try:
        bound, _, _ = bind(obj.cls.name, fields, args.values, args.named,
                           lambda name, _: defaults.get(name, MISSING))
    except BindError as exc:
        raise type_error(frame, exc.message, node) from None
    obj.native = tuple(bound[f] for f in fields)
    obj.attrs.update(bound)


def namedtuple_method(frame, obj: Instance, name: str, node):
    """_asdict(), _replace() and _fields of a namedtuple's instance; None for any other name."""
    fields = obj.cls.namedtuple
    if name == "_asdict":
        return Builtin("_asdict", lambda f, a, n: dict(zip(fields, obj.native)))
    if name == "_replace":
        def replace(f, a, n):
            unknown = set(a.named) - set(fields)
            if unknown or a.values:
                raise value_error(f, f"Got unexpected field names: {sorted(unknown)}", n)
            return call(f, obj.cls, Args.of(*[a.named.get(k, v) for k, v in zip(fields, obj.native)]), n)
        return Builtin("_replace", replace)
    if name == "_fields":
        return fields
    return None


def register_all() -> None:
    register("collections.namedtuple typing.NamedTuple", namedtuple)


register_all()
