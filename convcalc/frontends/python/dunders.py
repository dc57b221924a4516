"""Python's data model for instances of the program's classes: operators, comparisons, unary
operators, ``abs``/``int``/``float``/``hash`` through the class's own dunder methods, as CPython
tries them (``a.__add__(b)``, then ``b.__radd__(a)`` when the first is missing or returns
NotImplemented), and the value an instance of a subclass of a builtin type holds (``class
MyInt(int)``, an ``IntEnum`` member) where the class does not define the method itself.

Each function returns :data:`MISSING` when the instances have nothing to say, and the caller goes
on with its own rules."""
from __future__ import annotations

from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Args, Function

MISSING = object()

BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
          "@": "matmul", "<<": "lshift", ">>": "rshift", "&": "and", "|": "or", "^": "xor"}
REFLECTED_ORDER = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
ORDER_NAMES = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__", "==": "__eq__", "!=": "__ne__"}
UNARY = {"-": "__neg__", "+": "__pos__", "~": "__invert__", "abs": "__abs__"}


def own_method(value, name: str):
    """The program's own method ``name`` of an instance's class, or None."""
    if isinstance(value, Instance):
        method = value.cls.lookup(name)
        if isinstance(method, Function):
            return method
    return None


def call_own(frame, value, name: str, args: tuple, node):
    return value.dunder(frame, name, Args.of(*args), node)


def unwrap(value):
    """The builtin value an instance of a subclass of a builtin type holds; the value itself otherwise."""
    if isinstance(value, Instance) and value.native is not None:
        return value.native
    return value


def binop(frame, op: str, a, b, node):
    """``a op b`` where one side is an instance of the program's classes."""
    name = BINARY[op]
    if own_method(a, f"__{name}__") is not None:
        out = call_own(frame, a, f"__{name}__", (b,), node)
        if out is not NotImplemented:
            return out
    if own_method(b, f"__r{name}__") is not None:
        out = call_own(frame, b, f"__r{name}__", (a,), node)
        if out is not NotImplemented:
            return out
    if unwrap(a) is not a or unwrap(b) is not b:
        from convcalc.frontends.python.pycore import binop as plain

        return plain(frame, op, unwrap(a), unwrap(b), node)
    return MISSING


def inplace(frame, op: str, a, b, node):
    """``a op= b``: ``__iop__`` first, then the binary operator."""
    name = f"__i{BINARY[op]}__"
    if own_method(a, name) is not None:
        out = call_own(frame, a, name, (b,), node)
        if out is not NotImplemented:
            return out
    return MISSING


def compare(frame, op: str, a, b, node):
    """A rich comparison of instances: the left operand's method, then the right's reflection;
    ``!=`` falls back on ``__eq__``, ``==`` on identity (the caller's)."""
    name, reflected = ORDER_NAMES[op], ORDER_NAMES[REFLECTED_ORDER[op]]
    from convcalc.frontends.python.pycore import truth

    if own_method(a, name) is not None:
        out = call_own(frame, a, name, (b,), node)
        if out is not NotImplemented:
            return truth(frame, out, node)
    if own_method(b, reflected) is not None:
        out = call_own(frame, b, reflected, (a,), node)
        if out is not NotImplemented:
            return truth(frame, out, node)
    if op == "!=" and (own_method(a, "__eq__") is not None or own_method(b, "__eq__") is not None):
        found = compare(frame, "==", a, b, node)
        return found if found is MISSING else not found
    if unwrap(a) is not a or unwrap(b) is not b:
        from convcalc.frontends.python.pycore import compare as plain

        return plain(frame, op, unwrap(a), unwrap(b), node)
    return MISSING


def unary(frame, op: str, value, node):
    name = UNARY.get(op)
    if name is not None and own_method(value, name) is not None:
        return call_own(frame, value, name, (), node)
    held = unwrap(value)
    if held is not value and op != "abs":
        from convcalc.frontends.python.pycore import unary as plain

        return plain(frame, op, held, node)
    if held is not value and isinstance(held, (int, float)):
        return abs(held)
    return MISSING


def convert(frame, value, kind: str, node):
    """``int(x)``, ``float(x)``, ``index``: ``__int__``/``__float__``/``__index__``, or the held value."""
    for name in {"int": ("__int__", "__index__"), "float": ("__float__", "__index__"),
                 "index": ("__index__",)}[kind]:
        if own_method(value, name) is not None:
            return call_own(frame, value, name, (), node)
    held = unwrap(value)
    return held if held is not value else MISSING


def hashed(frame, value, node):
    """``hash(x)`` through the class's own ``__hash__``."""
    if own_method(value, "__hash__") is not None:
        return call_own(frame, value, "__hash__", (), node)
    return MISSING
