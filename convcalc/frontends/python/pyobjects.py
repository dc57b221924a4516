"""Python's object model as the interpreter runs it: functions, methods, classes and their
instances, ``super()``, imported names, builtins, and the arguments of a call.

Python's own values (ints, floats, strings, tuples, lists, dicts, sets, None, slices) are held as
they are (convcalc/frontends/python/pycore.py answers their attributes). Every other value is a
:class:`Value` that answers attribute access, calls, truth and iteration itself.
"""
from __future__ import annotations

import ast
import itertools
from typing import Optional

from convcalc.frontends.python.reasons import Break, Continue, Raised, Return, Unfollowable

MAX_TUPLE = 64  # items of a layer's argument (convcalc/frontends/syntax.py has the same bound)


class Args:
    """A call's arguments, evaluated, with their nodes: ``positional`` [(value, node)],
    ``keywords`` [(key, value, value node, keyword node)]."""

    __slots__ = ("positional", "keywords")

    def __init__(self, positional=None, keywords=None):
        self.positional = positional or []
        self.keywords = keywords or []

    @classmethod
    def of(cls, *values, **named) -> "Args":
        return cls([(v, None) for v in values], [(k, v, None, None) for k, v in named.items()])

    @property
    def values(self) -> list:
        return [v for v, _ in self.positional]

    @property
    def named(self) -> dict:
        return {k: v for k, v, _, _ in self.keywords}

    def prepend(self, value, node=None) -> "Args":
        return Args([(value, node)] + self.positional, self.keywords)

    def without(self, names) -> "Args":
        return Args(self.positional, [kw for kw in self.keywords if kw[0] not in names])

    def __len__(self):
        return len(self.positional) + len(self.keywords)


def describe(value) -> str:
    """How a message names a value: its own ``describe()``, or a constant's repr; never an
    internal class name."""
    own = getattr(value, "describe", None)
    if own is not None and not isinstance(value, type):
        return own()
    from convcalc.symbolic import dims

    if dims.is_symbolic(value):
        return f"the size {dims.render(value)}"
    if is_constant(value):
        text = repr(value)
        return text if len(text) < 40 else text[:37] + "..."
    kind = {list: "a list", dict: "a dict", tuple: "a tuple", set: "a set", frozenset: "a frozenset",
            slice: "a slice", range: "a range"}.get(type(value))
    return kind or "a value convcalc does not follow"


def described(values, most: int = 4) -> str:
    """Several values as a message names them: the first ``most``, then how many more (a list of 64
    rows is no message)."""
    values = list(values)
    shown = ", ".join(describe(v) for v in values[:most])
    return shown + (f" and {len(values) - most} more" if len(values) > most else "")


def is_constant(value) -> bool:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return True
    if isinstance(value, (tuple, list)):
        return all(is_constant(v) for v in value)
    return False


def is_hashable(value) -> bool:
    if isinstance(value, (bool, int, float, str, bytes)) or value is None:
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(is_hashable(v) for v in value)
    return isinstance(value, Value) and value.hashable


class DefaultDict(dict):
    """collections.defaultdict: a dict whose missing keys are made by its factory (a value of the
    program, called by the interpreter where a key is read: pycore.subscript)."""

    def __init__(self, factory, items=()):
        super().__init__(items)
        self.default_factory = factory


class Value:
    """A value of the interpreted program that is not one of Python's own."""

    hashable = True  # by identity, as Python's objects are

    def describe(self) -> str:
        return "an object"

    def attr(self, frame, name: str, node):
        raise Unfollowable(f"the attribute {name} of {self.describe()}", node)

    def set_attr(self, frame, name: str, value, node) -> None:
        raise Unfollowable(f"setting {name} of {self.describe()}", node)

    def call(self, frame, args: Args, node):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{self.describe()} is not callable", node)

    def truth(self, frame, node) -> bool:
        return True

    def iterate(self, frame, node) -> list:
        raise Unfollowable(f"iterating over {self.describe()}", node)

    def getitem(self, frame, key, node):
        raise Unfollowable(f"indexing {self.describe()}", node)

    def setitem(self, frame, key, value, node) -> None:
        raise Unfollowable(f"an item assignment of {self.describe()}", node)

    def length(self, frame, node) -> int:
        raise Unfollowable(f"len of {self.describe()}", node)

    def pytype(self):
        """What ``type(x)`` gives (None: convcalc does not say)."""
        return None

    def bind(self, obj):
        """What reading it from a class through an instance gives (a method-like value: bound)."""
        return self

    def forget(self, name: Optional[str], reason: str) -> bool:
        """A statement convcalc could not follow set the attribute ``name`` of the value (None: it
        passed the value, or an attribute of it, to a call): whether the value dealt with it by
        itself (made that attribute alone unknown, or stays known); False: it becomes unknown."""
        return False


def builtin_type(name: str):
    """One of Python's types the program sees but never calls (function, method, generator)."""
    from convcalc.frontends.python.pycore import TYPES

    return TYPES.get(name)


class Unknown(Value):
    """A name or attribute a statement convcalc could not follow may have written."""

    def __init__(self, reason: str):
        self.reason = reason

    def describe(self) -> str:
        return f"a value not known ({self.reason})"


class Ref(Value):
    """Something imported, by its qualified name: torch.nn.Conv2d, torch.flatten, math.floor. A
    library convcalc knows (convcalc/frontends/python/brains/) answers for it."""

    def __init__(self, qname: str):
        self.qname = qname

    def __repr__(self):
        return f"Ref({self.qname})"

    def describe(self) -> str:
        return self.qname

    def attr(self, frame, name, node):
        from convcalc.frontends.python.brains import constant_of

        qname = f"{self.qname}.{name}"
        found = constant_of(qname)
        if found is None and name in ("__name__", "__qualname__"):
            from convcalc.frontends.python.brains import ref_type

            if ref_type(self.qname) is not None:  # a torch class: named as torch spells it (nn.BatchNorm2d)
                return self.qname.rsplit(".", 1)[-1]
        return found if found is not None else Ref(qname)

    def call(self, frame, args, node):
        from convcalc.frontends.python.brains import call_ref

        return call_ref(frame, self.qname, args, node)

    def getitem(self, frame, key, node):
        return Ref(self.qname + "[]")  # typing: List[int]

    def pytype(self):
        """``type(nn.BatchNorm2d)``: ``type`` for a class a library's brain knows, else not said."""
        from convcalc.frontends.python.brains import ref_type

        return ref_type(self.qname)

    def truth(self, frame, node) -> bool:
        """A library's class or function is true; a constant of it (a name in capitals: a flag,
        not a class) convcalc does not know the value of."""
        last = self.qname.rsplit(".", 1)[-1]
        if len(last) > 1 and last.isupper():
            from convcalc.layers.catalogue import REGISTRY

            if nn_class(self.qname) in REGISTRY:  # nn.GELU, nn.ELU: a class of the catalogue
                return True
            raise Unfollowable(f"the value of {self.qname}", node)
        return True

    def __eq__(self, other):
        return isinstance(other, Ref) and other.qname == self.qname

    def __hash__(self):
        return hash(("Ref", self.qname))


class Builtin(Value):
    """A function convcalc runs itself: ``fn(frame, args, node)``."""

    def __init__(self, name: str, fn, owner=None):
        self.name = name
        self.fn = fn
        self.owner = owner  # the value a method is bound to, if any

    def describe(self) -> str:
        return f"the built-in {self.name}"

    def call(self, frame, args, node):
        try:
            out = self.fn(frame, args, node)
        except (Raised, Unfollowable) as exc:  # an error the builtin met without a place: at its call
            if exc.node is None and getattr(exc, "span", None) is None:
                exc.node = node
            raise
        if isinstance(out, (list, tuple, str, dict, set)):  # range(), list(), str methods: memory too
            frame.charge(len(out), node)
        return out

    def attr(self, frame, name, node):
        if name == "__name__":
            return self.name.rsplit(".", 1)[-1]
        return super().attr(frame, name, node)

    def pytype(self):
        return builtin_type("builtin_function_or_method")


class Function(Value):
    """A function or lambda of the file, with its closure; ``kind``: function, staticmethod,
    classmethod or property; ``owner``: the class it is a method of."""

    def __init__(self, node: ast.AST, scope, defaults: dict, kind: str = "function", src=None):
        self.node = node  # FunctionDef or Lambda
        self.scope = scope  # where it was defined
        self.defaults = defaults  # parameter name -> value (or Unknown)
        self.owner = None
        self.kind = kind
        self.src = src  # the Source of the file it is written in (a model's blocks may come from another)
        self.attrs: dict = {}  # attributes set on the function (its __name__ by functools.wraps)
        self.qualname = scope.prefix() + self.name if scope is not None else self.name
        self._locals: Optional[frozenset] = None
        self._generator: Optional[bool] = None

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")

    def describe(self) -> str:
        return f"the function {self.name}"

    def pytype(self):
        """function; a property, staticmethod or classmethod as the class's namespace holds it."""
        return builtin_type(self.kind)

    def local_names(self) -> frozenset:
        """The names the body assigns (Python makes them local to the call)."""
        if self._locals is None:
            from convcalc.frontends.python.scoping import assigned_names

            self._locals = assigned_names(self.node)
        return self._locals

    def is_generator(self) -> bool:
        if self._generator is None:
            from convcalc.frontends.python.scoping import yields

            self._generator = not isinstance(self.node, ast.Lambda) and yields(self.node)
        return self._generator

    def attr(self, frame, name, node):
        if name in self.attrs:
            return self.attrs[name]
        if name == "__name__":
            return self.name
        if name == "__qualname__":
            return self.qualname
        if name == "__doc__":
            return ast.get_docstring(self.node) if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else None
        if name == "__module__":
            return frame.machine.globals.vars.get("__name__", "model_file")
        if name == "__wrapped__" and "__wrapped__" in self.attrs:
            return self.attrs["__wrapped__"]
        return super().attr(frame, name, node)

    def set_attr(self, frame, name, value, node):
        self.attrs[name] = value

    def call(self, frame, args, node):
        return invoke(frame, self, args, node)


class BoundMethod(Value):
    def __init__(self, func, obj):
        self.func = func
        self.obj = obj

    def describe(self) -> str:
        return f"the method {getattr(self.func, 'name', '')}"

    def pytype(self):
        return builtin_type("method")

    def call(self, frame, args, node):
        if getattr(self.func, "name", None) == "forward" and frame.trace is None:
            from convcalc.frontends.python.pyclasses import Instance

            if isinstance(self.obj, Instance) and self.obj.cls.module:
                # model.forward(X) in script code: the model run on the script's tensor, as model(X) is
                # (torch skips the hooks, not the computation): the script feeds its model here too
                from convcalc.frontends.python.forward import call_module

                return call_module(frame, self.obj, args, node)
        return call(frame, self.func, args.prepend(self.obj), node)

    def attr(self, frame, name, node):
        if name == "__self__":
            return self.obj
        if name == "__func__":
            return self.func
        return self.func.attr(frame, name, node)


def call(frame, func, args: Args, node):
    """Call any value the program holds."""
    if isinstance(func, Value):
        return func.call(frame, args, node)
    from convcalc.frontends.python.pycore import type_error

    raise type_error(frame, f"'{type(func).__name__}' object is not callable", node)


def invoke(frame, func: Function, args: Args, node):
    """Run a function of the file on ``args``: a new frame, the arguments bound as Python binds them."""
    from convcalc.frontends.python.machine import Scope

    if func.name in LOGGING:
        return None  # torchvision's own, read from its utils.py: it logs, and reads what no model file sets
    scope = Scope(func.scope, "function")
    scope.local_names = func.local_names()
    scope.qualname = func.qualname
    bind_arguments(frame, func, args, scope, node)
    inner = frame.call_frame(func, scope, node)
    machine = frame.machine
    machine.depth += 1
    try:
        if isinstance(func.node, ast.Lambda):
            return inner.eval(func.node.body)
        if func.is_generator():
            from convcalc.frontends.python.flow import run_generator

            return run_generator(inner, func, node)
        try:
            inner.exec(func.node.body, tolerant=True)
        except Return as ret:
            return ret.value
        except (Break, Continue):
            raise Unfollowable("break/continue outside a loop", node) from None
        return None
    except (Unfollowable, Raised) as exc:
        if exc.span is None and exc.node is not None and inner.src is not frame.src:
            exc.span = inner.span(exc.node)  # a node of the function's own file: placed there
        raise
    finally:
        machine.depth -= 1


def bind_arguments(frame, func: Function, args: Args, scope, node) -> None:
    from convcalc.binding import MISSING, BindError, bind

    spec = func.node.args
    positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)]
    named, only = args.named, {a.arg for a in getattr(spec, "posonlyargs", [])}
    passed = {k: named.pop(k) for k in list(named) if k in only}  # positional-only: never bound by keyword
    if passed and spec.kwarg is None:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{func.name}() got some positional-only arguments passed as keyword arguments: "
                                f"'{', '.join(passed)}'", node)
    try:
        bound, rest, extra = bind(func.name, positional, args.values, named,
                                  lambda name, _: func.defaults.get(name, MISSING),
                                  varargs=spec.vararg is not None, varkw=spec.kwarg is not None,
                                  keyword_only=[a.arg for a in spec.kwonlyargs])
    except BindError as exc:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, exc.message, node) from None
    scope.vars.update(bound)
    if spec.vararg is not None:
        scope.vars[spec.vararg.arg] = tuple(rest)
    if spec.kwarg is not None:
        scope.vars[spec.kwarg.arg] = {**extra, **passed}


# functions that only log, known by name wherever a model reads them from
LOGGING = {"_log_api_usage_once"}


class Partial(Value):
    """functools.partial(func, *args, **kwargs): the arguments as the call evaluated them, with
    their nodes."""

    def __init__(self, func, args: Args):
        self.func, self.args = func, args

    def describe(self) -> str:
        return f"functools.partial of {describe(self.func)}"

    def call(self, frame, args, node):
        """partial(f, a, k=1)(b, k=2) is f(a, b, k=2)."""
        given = {kw[0] for kw in args.keywords}
        merged = Args(self.args.positional + args.positional,
                      [kw for kw in self.args.keywords if kw[0] not in given] + args.keywords)
        return call(frame, self.func, merged, node)

    def attr(self, frame, name, node):
        if name == "func":
            return self.func
        if name == "args":
            return tuple(self.args.values)
        if name == "keywords":
            return dict(self.args.named)
        return super().attr(frame, name, node)

    def pytype(self):
        return Ref("functools.partial")


class Generator(Value):
    """A generator's values, made when it is first iterated (bounded by the step budget)."""

    def __init__(self, values: list):
        self.values = values
        self.position = 0

    def describe(self) -> str:
        return "a generator"

    def pytype(self):
        return builtin_type("generator")

    def iterate(self, frame, node) -> list:
        rest, self.position = self.values[self.position:], len(self.values)
        return rest

    def next(self, frame, node):
        if self.position >= len(self.values):
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "StopIteration", (), node)
        self.position += 1
        return self.values[self.position - 1]


class Iterator(Generator):
    """What iter() gives of a list, a dict or another iterable: its items, one by one."""

    def describe(self) -> str:
        return "an iterator"

    def pytype(self):
        return None  # list_iterator, dict_keyiterator, ...: convcalc does not say which


uids = itertools.count(1)


def nn_class(qname: str) -> Optional[str]:
    """The class name ``qname`` spells as a class of torch.nn, or None: torch.nn.ELU, and as torch
    re-exports it, torch.nn.modules.ELU and torch.nn.modules.activation.ELU (monai's factories)."""
    parts = qname.split(".")
    if parts[:2] != ["torch", "nn"] or len(parts) not in (3, 4, 5) or len(parts) > 3 and parts[2] != "modules":
        return None
    return parts[-1]
