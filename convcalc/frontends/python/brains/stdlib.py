"""The standard library as model files use it: math, functools, collections (namedtuple,
OrderedDict, defaultdict, Counter), itertools, operator, copy, typing (no-ops), enum, dataclasses'
field, argparse (a parser's defaults are the namespace ``parse_args()`` returns), os.path on
strings. Python's own results, bounded."""
from __future__ import annotations

import itertools
import keyword
import math
import string
import sys

from convcalc.frontends.python import pycore
from convcalc.frontends.python.brains import CONSTANTS, register, register_prefix
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
from convcalc.frontends.python.pycore import iterate, type_error, value_error
from convcalc.frontends.python.pyobjects import Args, BoundMethod, Builtin, Function, Iterator, Partial, Ref, Value, call, describe, described
from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.symbolic import dims

# ---------------------------------------------------------------- math


def _math(fn, sizes=None):
    """A math function on numbers; ``sizes``: what it does to a symbolic size (floor and ceil keep one)."""
    def apply(frame, qname, args, node):
        values = args.values
        if any(dims.is_symbolic(v) for v in values):
            if sizes is not None and len(values) == 1:
                return sizes(values[0])
            raise size_dependent(f"{qname} of the input's size", node)
        if not all(pycore.is_number(v) for v in values):
            raise type_error(frame, f"must be real number, not {pycore.type_name(next(v for v in values if not pycore.is_number(v)))}", node)
        try:
            return pycore.checked_int(frame, fn(*values), node)
        except (ValueError, OverflowError) as exc:
            raise pycore.raise_error(frame, type(exc).__name__, (str(exc),), node) from None
        except TypeError as exc:
            raise type_error(frame, str(exc), node) from None
    return apply


def _factorial(n):
    if type(n) is int and n > 2000:
        raise OverflowError("factorial of a very large number")
    return math.factorial(n)


def _prod(values, start=1):
    return math.prod(values, start=start)


def math_prod(frame, qname, args, node):
    values = args.values
    items = iterate(frame, values[0], node)
    total = args.named.get("start", 1)
    for item in items:
        total = pycore.binop(frame, "*", total, item, node)
    return total


MATH = {"floor": (math.floor, lambda v: v), "ceil": (math.ceil, lambda v: v), "sqrt": (math.sqrt, None),
        "log": (math.log, None), "log2": (math.log2, None), "log10": (math.log10, None), "exp": (math.exp, None),
        "gcd": (math.gcd, None), "lcm": (math.lcm, None), "isqrt": (math.isqrt, None), "factorial": (_factorial, None),
        "pow": (math.pow, None), "fabs": (math.fabs, None), "trunc": (math.trunc, lambda v: v),
        "isfinite": (math.isfinite, None), "isnan": (math.isnan, None), "isinf": (math.isinf, None),
        "comb": (math.comb, None), "perm": (math.perm, None), "sin": (math.sin, None), "cos": (math.cos, None),
        "tan": (math.tan, None), "atan": (math.atan, None), "atan2": (math.atan2, None), "asin": (math.asin, None),
        "acos": (math.acos, None), "tanh": (math.tanh, None), "hypot": (math.hypot, None),
        "degrees": (math.degrees, None), "radians": (math.radians, None), "copysign": (math.copysign, None),
        "log1p": (math.log1p, None), "expm1": (math.expm1, None), "fmod": (math.fmod, None),
        "isclose": (math.isclose, None), "modf": (math.modf, None), "erf": (math.erf, None),
        "erfc": (math.erfc, None), "gamma": (math.gamma, None), "lgamma": (math.lgamma, None),
        "cosh": (math.cosh, None), "sinh": (math.sinh, None), "asinh": (math.asinh, None),
        "acosh": (math.acosh, None), "atanh": (math.atanh, None), "cbrt": (math.cbrt, None),
        "exp2": (math.exp2, None), "ldexp": (math.ldexp, None)}


# ---------------------------------------------------------------- functools


def partial(frame, qname, args, node):
    if not args.positional:
        raise type_error(frame, "type 'partial' takes at least one argument", node)
    return Partial(args.positional[0][0], Args(args.positional[1:], args.keywords))


def reduce(frame, qname, args, node):
    values = args.values
    if len(values) not in (2, 3):
        raise type_error(frame, f"reduce expected 2 or 3 arguments, got {len(values)}", node)
    items = iterate(frame, values[1], node)
    if len(values) == 3:
        total = values[2]
    elif items:
        total, items = items[0], items[1:]
    else:
        raise type_error(frame, "reduce() of empty iterable with no initial value", node)
    for item in items:
        frame.tick(node)
        total = call(frame, values[0], Args.of(total, item), node)
    return total


def wraps(frame, qname, args, node):
    """functools.wraps(f): a decorator that gives the wrapper f's name and doc."""
    wrapped = args.values[0] if args.values else None

    def decorate(f, decorator_args, n):
        (wrapper,) = decorator_args.values
        if isinstance(wrapper, Function) and isinstance(wrapped, Function):
            wrapper.attrs.update({"__name__": wrapped.name, "__qualname__": wrapped.name, "__wrapped__": wrapped})
        return wrapper
    return Builtin("functools.wraps()", decorate)


def identity_decorator(frame, qname, args, node):
    """total_ordering, final, abstractmethod: the function (or class) itself, called with or without ()."""
    values = args.values
    if len(values) == 1 and isinstance(values[0], (Function, ClassInfo)) and not args.keywords:
        return values[0]
    return Builtin(qname, lambda f, a, n: a.values[0])


class Cached(Value):
    """A function under functools.lru_cache or cache: each result kept by its arguments (a
    recursion the cache makes short stays short here too), the arguments Python would hash."""

    def __init__(self, func):
        self.func, self.results = func, {}

    def describe(self) -> str:
        return f"the cached {describe(self.func)}"

    def call(self, frame, args, node):
        key = (tuple(args.values), tuple(sorted(args.named.items())))
        plain = all(type(v) in (int, float, str, bool, type(None)) for v in args.values + list(args.named.values()))
        if plain and key in self.results:
            return self.results[key]
        out = call(frame, self.func, args, node)
        if plain and len(self.results) < MAX_ITEMS:
            self.results[key] = out
        return out

    def bind(self, obj):
        return BoundMethod(self, obj)  # a cached method: self is one of its arguments

    def attr(self, frame, name, node):
        if name == "cache_clear":
            return Builtin(name, lambda f, a, n: self.results.clear())
        if name == "__wrapped__":
            return self.func
        return self.func.attr(frame, name, node)  # its __name__, __doc__


def lru_cache(frame, qname, args, node):
    """lru_cache(maxsize=None) or lru_cache bare, and cache: a Cached function."""
    values = args.values
    if len(values) == 1 and isinstance(values[0], Function) and not args.keywords:
        return Cached(values[0])
    return Builtin(qname, lambda f, a, n: Cached(a.values[0]) if isinstance(a.values[0], Function) else a.values[0])


def cached_property(frame, qname, args, node):
    (func,) = args.values
    if isinstance(func, Function):
        func.kind = "property"
        return func
    raise Unfollowable(f"{qname} of {describe(func)}", node)


# ---------------------------------------------------------------- collections


def enum_lookup(frame, cls: ClassInfo, args: Args, node):
    """Color(1): the member with that value."""
    values = args.values
    if len(values) != 1:
        raise Unfollowable(f"{cls.name}(...) with these arguments", node)
    for member in cls.enum.values():
        if pycore.equal(frame, member.attrs.get("_value_"), values[0], node):
            return member
    raise value_error(frame, f"{pycore.to_repr(frame, values[0], node)} is not a valid {cls.name}", node)


# ---------------------------------------------------------------- itertools


def _chain(frame, qname, args, node):
    out = []
    for part in args.values:
        out.extend(iterate(frame, part, node))
        bounded(out, node)
    return out


def _chain_from(frame, qname, args, node):
    out = []
    for part in iterate(frame, args.values[0], node):
        out.extend(iterate(frame, part, node))
        bounded(out, node)
    return out


def bounded(items, node):
    if len(items) > MAX_ITEMS:
        raise Unfollowable("a very long sequence", node)
    return items


def _product(frame, qname, args, node):
    pools = [iterate(frame, a, node) for a in args.values] * args.named.get("repeat", 1)
    total = math.prod(len(p) for p in pools)
    if total > MAX_ITEMS:
        raise Unfollowable(f"a product of {total:,} items", node)
    return list(itertools.product(*pools))


def _combinatoric(fn):
    def apply(frame, qname, args, node):
        values = args.values
        pool = iterate(frame, values[0], node)
        r = values[1] if len(values) > 1 else args.named.get("r", len(pool) if fn is itertools.permutations else None)
        if type(r) is not int:
            raise type_error(frame, f"{qname}: r must be an integer", node)
        count = math.perm(len(pool), r) if fn is itertools.permutations else \
            math.comb(len(pool) + (r - 1 if fn is itertools.combinations_with_replacement else 0), r)
        if count > MAX_ITEMS:
            raise Unfollowable(f"{qname} of {count:,} items", node)
        return list(fn(pool, r))
    return apply


def _repeat(frame, qname, args, node):
    values = args.values
    times = values[1] if len(values) > 1 else args.named.get("times")
    if type(times) is not int:
        raise Unfollowable("itertools.repeat without a count (endless)", node)
    return bounded([values[0]] * max(times, 0), node)


def _accumulate(frame, qname, args, node):
    values = args.values
    items = iterate(frame, values[0], node)
    fn = values[1] if len(values) > 1 else args.named.get("func")
    out = []
    total = args.named.get("initial")
    if total is not None:
        out.append(total)
    for item in items:
        total = item if total is None else (call(frame, fn, Args.of(total, item), node) if fn is not None else
                                            pycore.binop(frame, "+", total, item, node))
        out.append(total)
    return out


class Count(Iterator):
    """itertools.count(start, step): endless, so taken only as far as islice, zip or next() reads."""

    def __init__(self, start, step):
        super().__init__([])
        self.start, self.step = start, step

    def describe(self) -> str:
        return "an endless itertools.count"

    def iterate(self, frame, node) -> list:
        raise Unfollowable("iterating over an endless itertools.count to its end", node)

    def take(self, frame, count: int, node) -> list:
        """The next ``count`` values."""
        if count > MAX_ITEMS:
            raise Unfollowable(f"{count:,} values of itertools.count", node)
        frame.charge(count, node)
        out = [self.start + (self.position + i) * self.step for i in range(count)]
        self.position += count
        return out

    def next(self, frame, node):
        return self.take(frame, 1, node)[0]


def _count(frame, qname, args, node):
    values = args.values
    start = values[0] if values else args.named.get("start", 0)
    step = values[1] if len(values) > 1 else args.named.get("step", 1)
    if not all(pycore.is_number(v) for v in (start, step)):
        raise type_error(frame, "a number is required", node)
    return Count(start, step)


def _islice(frame, qname, args, node):
    values = args.values
    if isinstance(values[0], Count):
        bounds = slice(*values[1:])
        if bounds.stop is None or type(bounds.stop) is not int:
            raise Unfollowable("islice of an endless itertools.count without an end", node)
        return values[0].take(frame, bounds.stop, node)[bounds]
    items = iterate(frame, values[0], node)
    return items[slice(*values[1:])]


def _zip_longest(frame, qname, args, node):
    columns = [iterate(frame, a, node) for a in args.values]
    return list(itertools.zip_longest(*columns, fillvalue=args.named.get("fillvalue")))


def _pairwise(frame, qname, args, node):
    items = iterate(frame, args.values[0], node)
    return list(zip(items, items[1:]))


def _groupby(frame, qname, args, node):
    """itertools.groupby: (key, its run of items) for each run of equal keys, in order."""
    items = iterate(frame, args.values[0], node)
    key = args.values[1] if len(args.values) > 1 else args.named.get("key")
    out = []
    for item in items:
        k = call(frame, key, Args.of(item), node) if key is not None else item
        if out and pycore.equal(frame, out[-1][0], k, node):
            out[-1][1].append(item)
        else:
            out.append((k, [item]))
    return [(k, Iterator(group)) for k, group in out]


def _starmap(frame, qname, args, node):
    fn, items = args.values
    return [call(frame, fn, Args.of(*iterate(frame, item, node)), node) for item in iterate(frame, items, node)]


# ---------------------------------------------------------------- operator


def _operator(op):
    def apply(frame, qname, args, node):
        values = args.values
        if op in ("neg", "not_"):
            return pycore.unary(frame, "-" if op == "neg" else "not", values[0], node)
        if op == "getitem":
            return pycore.subscript(frame, values[0], values[1], node)
        if op in ("eq", "ne", "lt", "le", "gt", "ge"):
            return pycore.compare(frame, {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op],
                                  values[0], values[1], node)
        return pycore.binop(frame, op, values[0], values[1], node)
    return apply


OPERATOR = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
            "matmul": "@", "and_": "&", "or_": "|", "xor": "^", "lshift": "<<", "rshift": ">>"}


def itemgetter(frame, qname, args, node):
    keys = args.values

    def get(f, a, n):
        (obj,) = a.values
        found = [pycore.subscript(f, obj, k, n) for k in keys]
        return found[0] if len(found) == 1 else tuple(found)
    return Builtin("operator.itemgetter()", get)


def attrgetter(frame, qname, args, node):
    names = args.values

    def get(f, a, n):
        from convcalc.frontends.python.evaluate import get_attr

        (obj,) = a.values
        found = []
        for name in names:
            value = obj
            for part in name.split("."):
                value = get_attr(f, value, part, n)
            found.append(value)
        return found[0] if len(found) == 1 else tuple(found)
    return Builtin("operator.attrgetter()", get)


# ---------------------------------------------------------------- copy


def copy_value(frame, value, deep: bool, node, memo: dict):
    """The copy of a value the interpreter holds (constants are their own copy); a deep copy of a
    module holds new layer objects, whose parameters count again, as torch's copy has its own.
    Memoised by identity: shared structure is copied once (``a = (a, a)`` eighty times is linear)."""
    from convcalc.frontends.python.torchobjects import Container, Layer

    if id(value) in memo:
        return memo[id(value)]
    frame.tick(node)
    inner = (lambda v: copy_value(frame, v, True, node, memo)) if deep else (lambda v: v)
    if isinstance(value, list):
        out = memo[id(value)] = []
        out.extend(inner(v) for v in value)
    elif isinstance(value, tuple):
        out = memo[id(value)] = tuple(inner(v) for v in value)
    elif isinstance(value, dict):
        out = memo[id(value)] = {}
        out.update((k, inner(v)) for k, v in value.items())
    elif isinstance(value, set):
        out = memo[id(value)] = set(value)
    elif isinstance(value, Instance):
        out = memo[id(value)] = Instance(value.cls, value.node)
        out.attrs = {k: inner(v) for k, v in value.attrs.items()}
        out.seq = None if value.seq is None else [inner(v) for v in value.seq]
        out.poisoned, out.native = value.poisoned, inner(value.native) if value.native is not None else None
        out.base = copy_value(frame, value.base, deep, node, memo) if value.base is not None else None
    elif isinstance(value, Layer):
        out = value
        if deep:
            out = memo[id(value)] = Layer(value.name, value.construct, value.origin)
            out.extra = dict(value.extra)
    elif isinstance(value, Container):
        items = value.items
        out = memo[id(value)] = type(value)({k: inner(v) for k, v in items.items()} if isinstance(items, dict)
                                            else [inner(v) for v in items])
    elif pycore.is_number(value) or isinstance(value, (str, bool, type(None), Ref, Function, ClassInfo, BuiltinType,
                                                        frozenset, slice, range, bytes)):
        out = value
    else:
        raise Unfollowable(f"a copy of {describe(value)}", node)
    return out


def copy(frame, qname, args, node):
    values = args.values
    if len(values) != 1:
        raise type_error(frame, f"{qname}() takes exactly one argument", node)
    return copy_value(frame, values[0], qname.endswith("deepcopy"), node, {})


# ---------------------------------------------------------------- the rest


def cast(frame, qname, args, node):
    return args.values[-1] if args.values else None


def passthrough_first(frame, qname, args, node):
    return args.values[0] if args.values else None


def marker(frame, qname, args, node):
    return Ref(f"{qname}()")


def os_path(fn):
    def apply(frame, qname, args, node):
        values = args.values
        if not all(isinstance(v, str) for v in values):
            raise Unfollowable(f"{qname} of {described(values)}", node)
        return fn(*values)
    return apply


def string_test(fn):
    """keyword.iskeyword and its kind: a question about any value, answered for a string (False otherwise,
    as a set lookup answers it; an unhashable value is a TypeError there, not followed here)."""
    def apply(frame, qname, args, node):
        values = args.values
        if len(values) != 1 or args.named:
            raise Unfollowable(f"{qname} with {len(values)} arguments", node)
        if not isinstance(values[0], (str, int, float, type(None))):
            raise Unfollowable(f"{qname} of {describe(values[0])}", node)
        return fn(values[0])
    return apply


def logging_call(frame, qname, args, node):
    """logging: what makes an object (getLogger, a Handler, a Formatter) is one whose own calls are
    logging's again (``logging.getLogger(name).addFilter(f)``); a message or a setting is None."""
    last = qname.rsplit(".", 1)[-1]
    return Ref(f"{qname}()") if last[:1].isupper() or last in ("getLogger", "getLoggerClass") else None


# the torch whose behaviour convcalc follows (its oracle, pinned): what torch.__version__ compares as
TORCH_VERSION = "2.13.0"


def environment(frame, qname, args, node):
    """os.getenv(name, default) / os.environ.get(name, default): the default, as where the variable is
    not set (a file's behaviour never depends on the machine convcalc runs on); said in a note."""
    values = list(args.values) + [args.named.get("default")] * (2 - len(args.values))
    if not 1 <= len(args.values) <= 2 or not isinstance(values[0], str) or set(args.named) - {"default"}:
        raise Unfollowable(f"{qname} with these arguments", node)
    frame.machine.notes.append(frame.note(f"{qname}({values[0]!r}) is taken as not set: {describe(values[1])}", node))
    return values[1]


def register_all() -> None:
    import os.path as osp

    for name, (fn, sizes) in MATH.items():
        register(f"math.{name}", _math(fn, sizes))
    register("math.prod", math_prod)
    register("math.fsum", lambda frame, qname, args, node: math.fsum(iterate(frame, args.values[0], node)))
    CONSTANTS.update({"math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "math.nan": math.nan,
                      "math.tau": math.tau, "sys.maxsize": 2 ** 63 - 1, "os.sep": "/",
                      "typing.TYPE_CHECKING": False, "sys.version_info": tuple(sys.version_info),
                      "sys.platform": "linux", "os.linesep": "\n", "torch.__version__": TORCH_VERSION})
    CONSTANTS.update({f"string.{name}": getattr(string, name) for name in (
        "ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits", "hexdigits", "octdigits", "punctuation",
        "whitespace", "printable")})
    register("functools.partial", partial)
    register("functools.reduce", reduce)
    register("functools.wraps", wraps)
    register("functools.total_ordering typing.final typing.overload abc.abstractmethod", identity_decorator)
    register("functools.lru_cache functools.cache", lru_cache)
    register("itertools.groupby", _groupby)
    register("functools.cached_property", cached_property)
    register("itertools.chain", _chain)
    register("itertools.chain.from_iterable", _chain_from)
    register("itertools.product", _product)
    register("itertools.permutations", _combinatoric(itertools.permutations))
    register("itertools.combinations", _combinatoric(itertools.combinations))
    register("itertools.combinations_with_replacement", _combinatoric(itertools.combinations_with_replacement))
    register("itertools.repeat", _repeat)
    register("itertools.accumulate", _accumulate)
    register("itertools.islice", _islice)
    register("itertools.count", _count)
    register("itertools.zip_longest", _zip_longest)
    register("itertools.pairwise", _pairwise)
    register("itertools.starmap", _starmap)
    for name, op in OPERATOR.items():
        register(f"operator.{name}", _operator(op))
    for name in ("neg", "not_", "getitem", "eq", "ne", "lt", "le", "gt", "ge"):
        register(f"operator.{name}", _operator(name))
    register("operator.itemgetter", itemgetter)
    register("operator.attrgetter", attrgetter)
    register("copy.copy copy.deepcopy", copy)
    register("typing.cast", cast)
    register("typing.TypeVar typing.NewType", lambda frame, qname, args, node: Ref(qname))
    register("enum.auto", marker)
    register("dataclasses.field", marker)
    register("keyword.iskeyword", string_test(keyword.iskeyword))
    register("keyword.issoftkeyword", string_test(keyword.issoftkeyword))
    CONSTANTS.update({"keyword.kwlist": list(keyword.kwlist), "keyword.softkwlist": list(keyword.softkwlist)})
    register("os.getenv os.environ.get", environment)
    register("os.path.join", os_path(osp.join))
    register("os.path.basename", os_path(osp.basename))
    register("os.path.dirname", os_path(osp.dirname))
    register("os.path.splitext", os_path(osp.splitext))
    register_prefix("abc", lambda frame, qname, args, node: Ref(qname))
    register_prefix("logging", logging_call)


register_all()

from convcalc.frontends.python.brains import argparse_brain, pycollections, re_brain  # noqa: E402,F401  (they register theirs)
