"""Python's own values as the interpreter runs them: the operators, comparisons, truth,
iteration, indexing and attributes of ints, floats, strings, tuples, lists, dicts, sets and
None; the builtin exceptions, raised where CPython raises them (a KeyError, a ZeroDivisionError),
so that the program's ``try``/``except`` catch them; and symbolic sizes (an input's H and W),
decided where they can be and "not followed" (kind SIZE) where a concrete walk must decide.

Everything is bounded: sequences by MAX_ITEMS, integers by MAX_INT_BITS, strings charged to
the machine's memory budget before they are built.
"""
from __future__ import annotations

import operator

from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance, OBJECT, TYPE
from convcalc.frontends.python.pyobjects import Args, Value, describe, is_hashable
from convcalc.frontends.python.reasons import Raised, Unfollowable, size_dependent
from convcalc.symbolic import dims

MAX_INT_BITS = 4096  # an int the code computes (a size is further bounded by the engine: 2**256)
MAX_FLOAT_EXPONENT = 1024


# ---------------------------------------------------------------- exceptions


class PyException(Value):
    """An instance of a builtin exception type: ``ValueError("bad")``."""

    def __init__(self, cls: BuiltinType, args: tuple):
        self.cls, self.args = cls, tuple(args)

    def describe(self) -> str:
        return f"{self.cls.name}({', '.join(describe(a) for a in self.args)})"

    def pytype(self):
        return self.cls

    def attr(self, frame, name, node):
        if name == "args":
            return self.args
        if name == "__class__":
            return self.cls
        return super().attr(frame, name, node)


def _exception_type(name: str, parent: BuiltinType = None) -> BuiltinType:
    kind = BuiltinType(name, None, None, parent, exception=True)
    kind.make = lambda frame, args, node, k=kind: PyException(k, tuple(args.values))
    return kind


BASE_EXCEPTION = _exception_type("BaseException")
EXCEPTION = _exception_type("Exception", BASE_EXCEPTION)
EXCEPTIONS = {"BaseException": BASE_EXCEPTION, "Exception": EXCEPTION}
for _name, _parent in (("ArithmeticError", "Exception"), ("ZeroDivisionError", "ArithmeticError"),
                       ("OverflowError", "ArithmeticError"), ("LookupError", "Exception"),
                       ("IndexError", "LookupError"), ("KeyError", "LookupError"), ("ValueError", "Exception"),
                       ("TypeError", "Exception"), ("AttributeError", "Exception"), ("NameError", "Exception"),
                       ("UnboundLocalError", "NameError"), ("RuntimeError", "Exception"),
                       ("NotImplementedError", "RuntimeError"), ("RecursionError", "RuntimeError"),
                       ("AssertionError", "Exception"), ("StopIteration", "Exception"),
                       ("ImportError", "Exception"), ("ModuleNotFoundError", "ImportError"),
                       ("OSError", "Exception"), ("FileNotFoundError", "OSError"), ("EOFError", "Exception"),
                       ("UnicodeError", "ValueError"), ("Warning", "Exception"), ("UserWarning", "Warning"),
                       ("DeprecationWarning", "Warning"), ("FutureWarning", "Warning"),
                       ("RuntimeWarning", "Warning"), ("KeyboardInterrupt", "BaseException"),
                       ("SystemExit", "BaseException"), ("GeneratorExit", "BaseException")):
    EXCEPTIONS[_name] = _exception_type(_name, EXCEPTIONS[_parent])


def raise_error(frame, name: str, args: tuple, node) -> Raised:
    """The exception CPython raises here, as the program would see it (raise the result)."""
    return Raised(PyException(EXCEPTIONS[name], args), node)


def type_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "TypeError", (message,), node)


def value_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "ValueError", (message,), node)


def attribute_error(frame, message: str, node) -> Raised:
    return raise_error(frame, "AttributeError", (message,), node)


def exception_text(value) -> str:
    """``str(e)`` of an exception object."""
    args = value.args if isinstance(value, PyException) else value.attrs.get("args", ()) if isinstance(
        value, Instance) else ()
    if isinstance(value, PyException) and value.cls.name == "KeyError" and len(args) == 1:
        return repr(args[0])
    if not args:
        return ""
    return to_str(None, args[0], None) if len(args) == 1 else to_str(None, tuple(args), None)


# ---------------------------------------------------------------- types


def _none_type(frame, args, node):
    return None


NATIVE_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "tuple", dict: "dict",
                set: "set", frozenset: "frozenset", type(None): "NoneType", slice: "slice", range: "range",
                bytes: "bytes", complex: "complex"}
TYPES: dict = {}  # name -> BuiltinType (filled by builtins.py with their constructors)


def native_type(value):
    name = NATIVE_TYPES.get(type(value))
    if name is not None:
        return TYPES.get(name)
    if dims.is_symbolic(value):
        return TYPES.get("int")
    return None


def isinstance_of(frame, value, kind, node) -> bool:
    """isinstance(value, kind) for a single kind (a ClassInfo, a BuiltinType, or a library class)."""
    if isinstance(kind, BuiltinType):
        if kind is OBJECT:
            return True
        if kind.py is not None and not isinstance(value, Value):
            if dims.is_symbolic(value):
                return kind.py in (int,)
            return isinstance(value, kind.py)
        owner = value.pytype() if isinstance(value, Value) else None
        if isinstance(owner, (ClassInfo, BuiltinType)):
            return kind in owner.mro()
        if isinstance(value, Value) and owner is not None:
            return False
        if isinstance(value, Value):
            if kind is TYPE:
                return isinstance(value, (ClassInfo, BuiltinType))
            return False
        return False
    if isinstance(kind, ClassInfo):
        owner = value.pytype() if isinstance(value, Value) else None
        return isinstance(owner, (ClassInfo, BuiltinType)) and kind in owner.mro()
    if isinstance(kind, tuple):
        return any(isinstance_of(frame, value, k, node) for k in kind)
    from convcalc.frontends.python.brains import library_isinstance

    return library_isinstance(frame, value, kind, node)


# ---------------------------------------------------------------- truth, length, iteration


def truth(frame, value, node) -> bool:
    if isinstance(value, Value):
        return value.truth(frame, node)
    if dims.is_symbolic(value):
        return True  # a size is at least 1
    return bool(value)


def length(frame, value, node) -> int:
    if isinstance(value, Value):
        return value.length(frame, node)
    if isinstance(value, (list, tuple, str, dict, set, frozenset, range, bytes)):
        return len(value)
    raise type_error(frame, f"object of type '{type_name(value)}' has no len()", node)


def type_name(value) -> str:
    kind = native_type(value) if not isinstance(value, Value) else value.pytype()
    return getattr(kind, "name", None) or describe(value)


def iterate(frame, value, node) -> list:
    """The items of an iterable, as a list (bounded: the copy is charged)."""
    if isinstance(value, Value):
        return list(value.iterate(frame, node))
    if isinstance(value, (list, tuple, str)):
        frame.charge(len(value), node)
        return list(value)
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, (set, frozenset)):
        return sorted_set(value)
    if isinstance(value, range):
        if len(value) > MAX_ITEMS:
            raise Unfollowable(f"a range of {len(value):,} items", node)
        frame.charge(len(value), node)
        return list(value)
    raise type_error(frame, f"'{type_name(value)}' object is not iterable", node)


def sorted_set(value) -> list:
    """A set's items in CPython's order for the sets model files hold (small ints and strings are
    iterated in hash order by CPython; convcalc follows CPython's own order, which for these is
    deterministic: ints by their hash, strings as CPython iterates them this run)."""
    return list(value)


def contains(frame, container, item, node) -> bool:
    if isinstance(container, Value):
        if isinstance(container, Instance) and container.cls.lookup("__contains__") is not None:
            return truth(frame, container.dunder(frame, "__contains__", Args.of(item), node), node)
        return any(equal(frame, item, v, node) for v in container.iterate(frame, node))
    if isinstance(container, str):
        if not isinstance(item, str):
            raise type_error(frame, f"'in <string>' requires string as left operand, not {type_name(item)}", node)
        return item in container
    if isinstance(container, (dict, set, frozenset)):
        if not is_hashable(item):
            raise type_error(frame, f"unhashable type: '{type_name(item)}'", node)
        return item in container
    if isinstance(container, (list, tuple, range)):
        return any(equal(frame, item, v, node) for v in container)
    raise type_error(frame, f"argument of type '{type_name(container)}' is not iterable", node)


# ---------------------------------------------------------------- comparison


def equal(frame, a, b, node) -> bool:
    if isinstance(a, Value) or isinstance(b, Value):
        if isinstance(a, Instance) and isinstance(a.cls.lookup("__eq__"), Value):
            return truth(frame, a.dunder(frame, "__eq__", Args.of(b), node), node)
        if isinstance(a, Instance) and a.native is not None:
            return equal(frame, a.native, b, node)
        return a is b or (type(a) is type(b) and a == b)
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return decide_equal(a, b, node)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(equal(frame, x, y, node) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(frame, a[k], b[k], node) for k in a)
    try:
        return bool(a == b)
    except TypeError:
        return False


def decide_equal(a, b, node) -> bool:
    """Whether two sizes, one symbolic at least, are equal: decided when their difference is a
    constant; otherwise it depends on the input's size."""
    if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(v, int) or dims.is_symbolic(v)
                                                             for v in (a, b)):
        return False if not isinstance(a, float) and not isinstance(b, float) else _undecided("==", a, b, node)
    difference = a - b
    if not dims.is_symbolic(difference):
        return difference == 0
    raise _undecided("==", a, b, node)


def _undecided(op: str, a, b, node):
    return size_dependent(f"a comparison of the input's size with another value ({show(a)} {op} {show(b)}) that "
                          "depends on the size", node)


def show(value) -> str:
    return dims.render(value) if dims.is_symbolic(value) else repr(value)


ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compare(frame, op: str, a, b, node) -> bool:
    if op == "==":
        return equal(frame, a, b, node)
    if op == "!=":
        return not equal(frame, a, b, node)
    if op == "is":
        return identical(a, b)
    if op == "is not":
        return not identical(a, b)
    if op == "in":
        return contains(frame, b, a, node)
    if op == "not in":
        return not contains(frame, b, a, node)
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return decide_order(op, a, b, node)
    if isinstance(a, Instance) or isinstance(b, Instance):
        name = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}[op]
        if isinstance(a, Instance) and a.cls.lookup(name) is not None:
            return truth(frame, a.dunder(frame, name, Args.of(b), node), node)
    if isinstance(a, Value) or isinstance(b, Value):
        raise type_error(frame, f"'{op}' not supported between instances of '{type_name(a)}' and "
                                f"'{type_name(b)}'", node)
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return compare_sequences(frame, op, a, b, node)
    try:
        return bool(ORDER[op](a, b))
    except TypeError:
        raise type_error(frame, f"'{op}' not supported between instances of '{type_name(a)}' and "
                                f"'{type_name(b)}'", node) from None


def compare_sequences(frame, op, a, b, node) -> bool:
    for x, y in zip(a, b):
        if not equal(frame, x, y, node):
            return compare(frame, op, x, y, node)
    return ORDER[op](len(a), len(b))


def decide_order(op: str, a, b, node) -> bool:
    """An order between sizes, one symbolic at least: decided when their difference is a constant
    (H - 2 < H), or a symbol against a number below 1 (every size is at least 1)."""
    if not all((isinstance(v, (int, float)) and not isinstance(v, bool)) or dims.is_symbolic(v) for v in (a, b)):
        raise _undecided(op, a, b, node)
    difference = a - b if not isinstance(a, float) and not isinstance(b, float) else None
    if difference is not None and not dims.is_symbolic(difference):
        return ORDER[op](difference, 0)
    if dims.is_symbolic(a) and not dims.is_symbolic(b) and _is_bare(a) and b < 1:
        return op in (">", ">=")
    if dims.is_symbolic(b) and not dims.is_symbolic(a) and _is_bare(b) and a < 1:
        return op in ("<", "<=")
    raise _undecided(op, a, b, node)


def _is_bare(value) -> bool:
    """A symbol alone (H): at least 1."""
    return len(dims.symbols(value)) == 1 and dims.render(value) in dims.symbols(value)


def identical(a, b) -> bool:
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float, str)) and type(a) is type(b):
        return a == b  # small ints and interned strings: CPython's `is` holds for the constants code compares
    return a is b


# ---------------------------------------------------------------- arithmetic


def checked_int(frame, value, node):
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise Unfollowable(f"an integer of {value.bit_length():,} bits, over convcalc's {MAX_INT_BITS}", node)
    return value


def power(frame, a, b, node):
    if type(a) is int and type(b) is int and b > 0 and a not in (-1, 0, 1):
        lowest = (abs(a).bit_length() - 1) * b + 1  # the result has at least this many bits
        if lowest > MAX_INT_BITS:
            raise Unfollowable(f"{a} ** {b}: over 2**{MAX_INT_BITS}", node)
    if isinstance(b, float) and abs(b) > MAX_FLOAT_EXPONENT:
        raise Unfollowable(f"{a} ** {b}: an exponent over {MAX_FLOAT_EXPONENT}", node)
    if type(b) is int and isinstance(a, float) and abs(b) > MAX_INT_BITS:
        raise Unfollowable(f"{a} ** {b}: an exponent over {MAX_INT_BITS}", node)
    try:
        result = a ** b
    except ZeroDivisionError as exc:
        raise raise_error(frame, "ZeroDivisionError", (str(exc),), node) from None
    except OverflowError as exc:
        raise raise_error(frame, "OverflowError", (str(exc),), node) from None
    if isinstance(result, complex):
        raise Unfollowable(f"({a}) ** {b} is a complex number", node)
    return checked_int(frame, result, node)


NUMBER_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "//": operator.floordiv, "%": operator.mod, "<<": operator.lshift, ">>": operator.rshift,
              "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul}


def is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, complex)) or dims.is_symbolic(value)


def binop(frame, op: str, a, b, node):
    """``a op b`` on Python's values (tensors and other values answer theirs: brains)."""
    if isinstance(a, Value) or isinstance(b, Value):
        from convcalc.frontends.python.brains import value_binop

        return value_binop(frame, op, a, b, node)
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return size_arithmetic(frame, op, a, b, node)
    if op == "**":
        return power(frame, a, b, node)
    if op == "*" and isinstance(a, (list, tuple, str)) and type(b) is int or \
            op == "*" and isinstance(b, (list, tuple, str)) and type(a) is int:
        sequence, count = (a, b) if isinstance(a, (list, tuple, str)) else (b, a)
        if len(sequence) * max(count, 0) > MAX_ITEMS:
            raise Unfollowable("a very long sequence", node)
        frame.charge(len(sequence) * max(count, 0), node)
        return sequence * count
    if op == "+" and isinstance(a, (list, tuple, str)) and type(a) is type(b):
        if len(a) + len(b) > MAX_ITEMS:
            raise Unfollowable("a very long sequence", node)
        frame.charge(len(a) + len(b), node)
        return a + b
    if op == "%" and isinstance(a, str):
        from convcalc.frontends.python.strings import percent_format

        return percent_format(frame, a, b, node)
    if op == "<<" and type(b) is int and b > MAX_INT_BITS:
        raise Unfollowable(f"{a} << {b}: over 2**{MAX_INT_BITS}", node)
    if op in ("|", "&", "-", "^") and isinstance(a, (set, frozenset, dict)) and isinstance(b, (set, frozenset, dict)):
        try:
            return NUMBER_OPS[op](a, b)
        except TypeError:
            raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and "
                                    f"'{type_name(b)}'", node) from None
    fn = NUMBER_OPS.get(op)
    if fn is None or op == "@":
        raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and '{type_name(b)}'", node)
    try:
        return checked_int(frame, fn(a, b), node)
    except ZeroDivisionError as exc:
        raise raise_error(frame, "ZeroDivisionError", (str(exc),), node) from None
    except OverflowError as exc:
        raise raise_error(frame, "OverflowError", (str(exc),), node) from None
    except TypeError:
        raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and "
                                f"'{type_name(b)}'", node) from None
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None


def size_arithmetic(frame, op: str, a, b, node):
    """Arithmetic with a symbolic size: + - * and // by a positive integer stay sizes; anything else
    depends on the input's size."""
    from convcalc.engine.evaluate import PYTHON_ARITHMETIC, ArithmeticProblem

    if isinstance(a, bool) or isinstance(b, bool) or not (is_number(a) and is_number(b)):
        raise type_error(frame, f"unsupported operand type(s) for {op}: '{type_name(a)}' and '{type_name(b)}'", node)
    if isinstance(a, float) or isinstance(b, float):
        raise size_dependent(f"float arithmetic on the input's size ({show(a)} {op} {show(b)})", node)
    fn = PYTHON_ARITHMETIC.get(op)
    if fn is None:
        raise size_dependent(f"{op} of the input's size ({show(a)} {op} {show(b)})", node)
    try:
        return fn(a, b)
    except ArithmeticProblem as exc:
        raise size_dependent(f"{op}: {exc.message}", node) from None


def unary(frame, op: str, value, node):
    if op == "not":
        return not truth(frame, value, node)
    if isinstance(value, Value):
        from convcalc.frontends.python.brains import value_unary

        return value_unary(frame, op, value, node)
    if op == "-" and is_number(value):
        return -value
    if op == "+" and is_number(value):
        return +value
    if op == "~" and type(value) in (int, bool):
        return ~value
    raise type_error(frame, f"bad operand type for unary {op}: '{type_name(value)}'", node)


# ---------------------------------------------------------------- indexing


def subscript(frame, obj, key, node):
    if isinstance(obj, Value):
        return obj.getitem(frame, key, node)
    if isinstance(obj, (list, tuple, str, range)):
        if isinstance(key, slice):
            out = obj[key]
            frame.charge(len(out), node)
            return out
        if isinstance(key, bool) or type(key) is not int:
            if dims.is_symbolic(key):
                raise size_dependent("an index that depends on the input's size", node)
            raise type_error(frame, f"{type_name(obj)} indices must be integers or slices, not "
                                    f"{type_name(key)}", node)
        try:
            return obj[key]
        except IndexError:
            raise raise_error(frame, "IndexError", (f"{type_name(obj)} index out of range",), node) from None
    if isinstance(obj, dict):
        if not is_hashable(key):
            raise type_error(frame, f"unhashable type: '{type_name(key)}'", node)
        if key not in obj:
            raise raise_error(frame, "KeyError", (key,), node)
        return obj[key]
    raise type_error(frame, f"'{type_name(obj)}' object is not subscriptable", node)


def set_item(frame, obj, key, value, node) -> None:
    if isinstance(obj, Value):
        obj.setitem(frame, key, value, node)
    elif isinstance(obj, list):
        if isinstance(key, slice):
            obj[key] = iterate(frame, value, node)
        elif type(key) is int and -len(obj) <= key < len(obj):
            obj[key] = value
        elif type(key) is int:
            raise raise_error(frame, "IndexError", ("list assignment index out of range",), node)
        else:
            raise type_error(frame, f"list indices must be integers or slices, not {type_name(key)}", node)
    elif isinstance(obj, dict):
        if not is_hashable(key):
            raise type_error(frame, f"unhashable type: '{type_name(key)}'", node)
        obj[key] = value
    else:
        raise type_error(frame, f"'{type_name(obj)}' object does not support item assignment", node)


def del_item(frame, obj, key, node) -> None:
    if isinstance(obj, list) and (type(key) is int or isinstance(key, slice)):
        try:
            del obj[key]
        except IndexError:
            raise raise_error(frame, "IndexError", ("list assignment index out of range",), node) from None
    elif isinstance(obj, dict) and is_hashable(key):
        if key not in obj:
            raise raise_error(frame, "KeyError", (key,), node)
        del obj[key]
    else:
        raise Unfollowable(f"deleting an item of {describe(obj)}", node)


# ---------------------------------------------------------------- text


def to_str(frame, value, node) -> str:
    """``str(value)``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (PyException,)) or isinstance(value, Instance) and value.cls.is_exception():
        return exception_text(value)
    if isinstance(value, Instance) and frame is not None and value.cls.lookup("__str__") is not None:
        out = value.dunder(frame, "__str__", Args(), node)
        return out if isinstance(out, str) else to_repr(frame, out, node)
    return to_repr(frame, value, node)


def to_repr(frame, value, node) -> str:
    if isinstance(value, (bool, int, float, str, bytes, type(None), complex)):
        if type(value) is int and value.bit_length() > 10_000:
            raise Unfollowable("the text of a very large integer", node)
        return repr(value)
    if dims.is_symbolic(value):
        raise size_dependent("the text of the input's size", node)
    if isinstance(value, list):
        return "[" + ", ".join(to_repr(frame, v, node) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(to_repr(frame, v, node) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_repr(frame, k, node)}: {to_repr(frame, v, node)}" for k, v in value.items()) + "}"
    if isinstance(value, (set, frozenset)):
        if not value:
            return "set()" if isinstance(value, set) else "frozenset()"
        inner = "{" + ", ".join(to_repr(frame, v, node) for v in value) + "}"
        return inner if isinstance(value, set) else f"frozenset({inner})"
    if isinstance(value, (slice, range)):
        return repr(value)
    if isinstance(value, Instance) and frame is not None and value.cls.lookup("__repr__") is not None:
        out = value.dunder(frame, "__repr__", Args(), node)
        if isinstance(out, str):
            return out
    if isinstance(value, PyException):
        return f"{value.cls.name}({', '.join(to_repr(frame, a, node) for a in value.args)})"
    if isinstance(value, BuiltinType):
        return f"<class '{value.name}'>"
    if isinstance(value, ClassInfo):
        return f"<class '__main__.{value.qualname}'>"
    if isinstance(value, Instance) and value.cls.enum is not None and "_name_" in value.attrs:
        return f"<{value.cls.name}.{value.attrs['_name_']}: {to_repr(frame, value.attrs.get('_value_'), node)}>"
    raise Unfollowable(f"the text of {describe(value)}", node)


def native_attr(frame, value, name: str, node):
    """An attribute of one of Python's own values: its methods (convcalc/frontends/python/methods.py)."""
    from convcalc.frontends.python.methods import method_of

    return method_of(frame, value, name, node)


def type_attr(frame, kind: BuiltinType, name: str, node):
    """An attribute of a builtin type: ``dict.fromkeys``, ``str.join`` unbound, ``int.__name__``."""
    from convcalc.frontends.python.methods import type_method

    if name == "__name__" or name == "__qualname__":
        return kind.name
    if name == "__mro__":
        return tuple(kind.mro())
    return type_method(frame, kind, name, node)


def native_init(frame, obj: Instance, args: Args, node) -> None:
    """``super().__init__(...)`` or the construction of a subclass of a builtin type: its value."""
    kind = next(c for c in obj.cls.mro() if isinstance(c, BuiltinType) and c.py is not None)
    obj.native = kind.make(frame, args, node)
    if isinstance(obj.native, Instance):
        obj.native = obj.native.native
