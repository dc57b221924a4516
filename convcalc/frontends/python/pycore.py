"""Python's own values as the interpreter runs them: the operators, comparisons, truth,
iteration, indexing and attributes of ints, floats, strings, tuples, lists, dicts, sets and
None; the builtin exceptions, raised where CPython raises them (a KeyError, a ZeroDivisionError),
so that the program's ``try``/``except`` catch them; and symbolic sizes (an input's H and W),
decided where they can be and "not followed" (kind SIZE) where a concrete walk must decide.

Everything is bounded: sequences by MAX_ITEMS, integers by MAX_INT_BITS, strings charged to
the machine's memory budget before they are built.
"""
from __future__ import annotations

import collections
import operator

from convcalc.frontends.python import dunders, sizes
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance, OBJECT, TYPE
from convcalc.frontends.python.pyexceptions import (  # noqa: F401  (their home for the modules that import pycore)
    BASE_EXCEPTION, EXCEPTION, EXCEPTIONS, PyException, attribute_error, exception_text, raise_error, type_error,
    value_error)
from convcalc.frontends.python.pyobjects import Args, Value, describe, is_hashable
from convcalc.frontends.python.reprs import to_repr, to_str  # noqa: F401
from convcalc.frontends.python.views import view_binop, view_equal
from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.symbolic import dims

MAX_INT_BITS = 4096  # an int the code computes (a size is further bounded by the engine: 2**256)
MAX_FLOAT_EXPONENT = 1024

# ---------------------------------------------------------------- types


def _none_type(frame, args, node):
    return None


NATIVE_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "tuple", dict: "dict",
                set: "set", frozenset: "frozenset", type(None): "NoneType", slice: "slice", range: "range",
                bytes: "bytes", complex: "complex"}
TYPES: dict = {}  # name -> BuiltinType (filled by builtins.py with their constructors)


def register_native(py, kind) -> None:
    """A Python class whose instances the interpreter holds as they are (collections.OrderedDict):
    ``kind`` is its type as the program sees it."""
    NATIVE_TYPES[py] = kind.name
    TYPES[kind.name] = kind


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
        return sizes.truth(value, node)
    return bool(value)


def length(frame, value, node) -> int:
    if isinstance(value, Value):
        return value.length(frame, node)
    if isinstance(value, (list, tuple, str, dict, set, frozenset, range, bytes, collections.deque)):
        return len(value)
    raise type_error(frame, f"object of type '{type_name(value)}' has no len()", node)


def type_name(value) -> str:
    kind = native_type(value) if not isinstance(value, Value) else value.pytype()
    return getattr(kind, "name", None) or describe(value)


def iterate(frame, value, node) -> list:
    """The items of an iterable, as a list (bounded: the copy is charged)."""
    if isinstance(value, Value):
        return list(value.iterate(frame, node))
    if isinstance(value, (list, tuple, str, collections.deque)):
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
        check_key(frame, item, node)
        return item in container
    if isinstance(container, (list, tuple, range, collections.deque)):
        return any(equal(frame, item, v, node) for v in container)
    raise type_error(frame, f"argument of type '{type_name(container)}' is not iterable", node)


# ---------------------------------------------------------------- comparison


def equal(frame, a, b, node) -> bool:
    if isinstance(a, Value) or isinstance(b, Value):
        if isinstance(a, Instance) or isinstance(b, Instance):
            found = dunders.compare(frame, "==", a, b, node)
            if found is not dunders.MISSING:
                return found
        found = view_equal(frame, a, b, node)
        if found is not None:
            return found
        return a is b or (type(a) is type(b) and a == b)
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return sizes.equal(a, b, node)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(equal(frame, x, y, node) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if isinstance(a, collections.OrderedDict) and isinstance(b, collections.OrderedDict) and list(a) != list(b):
            return False
        return a.keys() == b.keys() and all(equal(frame, a[k], b[k], node) for k in a)
    if isinstance(a, collections.deque) or isinstance(b, collections.deque):
        return type(a) is type(b) and len(a) == len(b) and all(equal(frame, x, y, node) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except TypeError:
        return False


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
    if isinstance(a, Instance) or isinstance(b, Instance):
        found = dunders.compare(frame, op, a, b, node)
        if found is not dunders.MISSING:
            return found
    if dims.is_symbolic(a) or dims.is_symbolic(b):
        return sizes.order(op, a, b, node)
    if isinstance(a, Value) or isinstance(b, Value):
        from convcalc.frontends.python.brains import value_compare

        found = value_compare(frame, op, a, b, node)  # a tensor of known values: min(g, c) of numpy's items
        if found is not None:
            return truth(frame, found, node)
        raise type_error(frame, f"'{op}' not supported between instances of '{type_name(a)}' and "
                                f"'{type_name(b)}'", node)
    if isinstance(a, (list, tuple)) and type(a) is type(b):
        return compare_sequences(frame, op, a, b, node)
    try:
        return bool(ORDER[op](a, b))
    except TypeError:
        raise type_error(frame, f"'{op}' not supported between instances of '{type_name(a)}' and "
                                f"'{type_name(b)}'", node) from None


def as_index(frame, value, node) -> int:
    """An integer where Python asks ``__index__`` (range(n)): an int, an object whose class defines
    ``__index__``, or a one-element integer tensor of known value (a numpy array's item, torch's
    ``tensor(3)``: both index)."""
    from convcalc.frontends.python.torchobjects import Constant

    if type(value) is int or isinstance(value, bool):
        return value
    if isinstance(value, Instance):
        found = dunders.convert(frame, value, "index", node)
        if found is not dunders.MISSING and type(found) is int:
            return found
    if isinstance(value, Constant) and not value.shape and not value.floating and not value.boolean and \
            value.values is not None:
        return int(value.values[0])
    raise type_error(frame, f"'{type_name(value)}' object cannot be interpreted as an integer", node)


def compare_sequences(frame, op, a, b, node) -> bool:
    for x, y in zip(a, b):
        if not equal(frame, x, y, node):
            return compare(frame, op, x, y, node)
    return ORDER[op](len(a), len(b))


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
    except TypeError as exc:  # 'ab' ** 2: only numbers are raised to a power
        raise type_error(frame, str(exc), node) from None
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
        if isinstance(a, Instance) or isinstance(b, Instance):
            found = dunders.binop(frame, op, a, b, node)
            if found is not dunders.MISSING:
                return found
        found = view_binop(frame, op, a, b, node)
        if found is not None:
            return found
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

    a, b = int(a) if type(a) is bool else a, int(b) if type(b) is bool else b  # H + True is H + 1
    if not (is_number(a) and is_number(b)):
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
    if isinstance(value, Instance):
        found = dunders.unary(frame, op, value, node)
        if found is not dunders.MISSING:
            return found
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
        check_key(frame, key, node)
        if key not in obj:
            if type(obj) is not dict:  # a defaultdict's factory, a Counter's zero
                from convcalc.frontends.python.brains.pycollections import missing

                found = missing(frame, obj, key, node)
                if found is not None:
                    return found
            raise raise_error(frame, "KeyError", (key,), node)
        return obj[key]
    if isinstance(obj, collections.deque):
        if type(key) is not int:
            raise type_error(frame, f"sequence index must be integer, not '{type_name(key)}'", node)
        if not -len(obj) <= key < len(obj):
            raise raise_error(frame, "IndexError", ("deque index out of range",), node)
        return obj[key]
    raise type_error(frame, f"'{type_name(obj)}' object is not subscriptable", node)


def check_key(frame, key, node) -> None:
    """A key of a dict or an item of a set: hashable, as Python hashes it."""
    if not is_hashable(key):
        raise type_error(frame, f"unhashable type: '{type_name(key)}'", node)
    if isinstance(key, Instance) and key.cls.hashing() == "own":
        hash(key)  # not followed, at the class (a __hash__ of the program that Python would call here)


def is_callable(value) -> bool:
    """``callable(value)``."""
    if isinstance(value, Instance):
        return value.cls.lookup("__call__") is not None or value.cls.module
    from convcalc.frontends.python.pyobjects import Generator

    return isinstance(value, Value) and not isinstance(value, Generator) and type(value).call is not Value.call


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
        check_key(frame, key, node)
        obj[key] = value
    elif isinstance(obj, collections.deque) and type(key) is int:
        if not -len(obj) <= key < len(obj):
            raise raise_error(frame, "IndexError", ("deque index out of range",), node)
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
