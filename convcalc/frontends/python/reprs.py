"""``str()`` and ``repr()`` of the program's values, as CPython writes them; the text of a value is
bounded while it is built (a tuple that holds itself eighty times over is refused after
MAX_ITEMS characters, not built)."""
from __future__ import annotations

import collections
import sys

from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
from convcalc.frontends.python.pyexceptions import PyException, exception_text
from convcalc.frontends.python.pyobjects import Args, DefaultDict, Function, describe
from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.frontends.python.views import DictView
from convcalc.symbolic import dims


def to_str(frame, value, node) -> str:
    """``str(value)``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (PyException,)) or isinstance(value, Instance) and value.cls.is_exception():
        return exception_text(value)
    if isinstance(value, Instance):
        out = own_text(frame, value, "__str__", node)
        if out is not None:
            return out
        if isinstance(value.native, str) and not isinstance(value.cls.lookup("__repr__"), Function):
            return value.native
    if hasattr(value, "text") and hasattr(value, "repr_text"):  # a value that writes itself (torch.device)
        return value.text()
    return to_repr(frame, value, node)


def own_text(frame, value: Instance, name: str, node):
    """The text the instance's own __str__ or __repr__ gives (None: its class has none)."""
    if frame is None or not isinstance(value.cls.lookup(name), Function):
        return None
    out = value.dunder(frame, name, Args(), node)
    if not isinstance(out, str):
        from convcalc.frontends.python.pyexceptions import type_error

        raise type_error(frame, f"{name} returned non-string", node)
    return out


def to_repr(frame, value, node) -> str:
    """``repr(value)``, refused once it passes MAX_ITEMS characters."""
    return Writer(frame, node).text(value)


class Writer:
    """One repr being written: its length so far (the bound) and the lists and dicts being written
    (a list that holds itself is ``[[...]]``, as CPython writes it)."""

    def __init__(self, frame, node):
        self.frame, self.node = frame, node
        self.total = 0
        self.active: set = set()

    def add(self, text: str) -> str:
        self.total += len(text)
        if self.total > MAX_ITEMS:
            raise Unfollowable(f"a text of more than {MAX_ITEMS:,} characters", self.node)
        return text

    def text(self, value) -> str:
        if isinstance(value, (bool, int, float, str, bytes, type(None), complex)):
            if type(value) is int and value.bit_length() > 10_000:
                raise Unfollowable("the text of a very large integer", self.node)
            if isinstance(value, (str, bytes)) and len(value) > MAX_ITEMS:
                raise Unfollowable(f"a text of more than {MAX_ITEMS:,} characters", self.node)
            return self.add(repr(value))
        if dims.is_symbolic(value):
            raise size_dependent("the text of the input's size", self.node)
        kind = type(value)
        writer = SHAPES.get(kind)
        if writer is not None:
            if kind in (list, dict, collections.OrderedDict, collections.Counter, DefaultDict, collections.deque):
                if id(value) in self.active:
                    return self.add("[...]" if kind in (list, collections.deque) else "{...}")
                self.active.add(id(value))
                try:
                    return writer(self, value)
                finally:
                    self.active.discard(id(value))
            return writer(self, value)
        return self.add(self.other(value))

    def items(self, values) -> str:
        self.add("()")
        return ", ".join(self.text(v) for v in values)

    def pairs(self, mapping) -> str:
        self.add("{}")
        return ", ".join(f"{self.text(k)}: {self.text(v)}" for k, v in mapping.items())

    def other(self, value) -> str:
        frame, node = self.frame, self.node
        if isinstance(value, (slice, range)):
            return repr(value)
        if isinstance(value, Instance):
            out = own_text(frame, value, "__repr__", node)
            if out is not None:
                return out
            if value.cls.enum is not None and "_name_" in value.attrs:
                return f"<{value.cls.name}.{value.attrs['_name_']}: {self.text(value.attrs.get('_value_'))}>"
            if value.cls.namedtuple is not None and isinstance(value.native, tuple):
                return f"{value.cls.name}(" + ", ".join(f"{k}={self.text(v)}" for k, v in zip(
                    value.cls.namedtuple, value.native)) + ")"
            if value.cls.is_exception():
                return f"{value.cls.name}({self.items(value.attrs.get('args', ()))})"
            if value.native is not None:
                return self.text(value.native)
        if isinstance(value, PyException):
            return f"{value.cls.name}({self.items(value.args)})"
        if isinstance(value, DictView):
            return f"dict_{value.kind}([{self.items(value.items())}])"
        if isinstance(value, BuiltinType):
            return f"<class '{value.home + '.' if value.home else ''}{value.name}'>"
        if isinstance(value, ClassInfo):
            return f"<class '{value.special('__module__')}.{value.qualname}'>"
        if hasattr(value, "repr_text"):
            return value.repr_text()
        raise Unfollowable(f"the text of {describe(value)}", node)


def _tuple(w: Writer, value) -> str:
    inner = w.items(value)
    return f"({inner},)" if len(value) == 1 else f"({inner})"


def _set(w: Writer, value) -> str:
    if not value:
        return w.add("set()" if isinstance(value, set) else "frozenset()")
    inner = "{" + w.items(value) + "}"
    if isinstance(value, set):
        return inner
    w.add("frozenset()")
    return f"frozenset({inner})"


def _ordered(w: Writer, value) -> str:
    if not value:
        return w.add("OrderedDict()")
    w.add("OrderedDict()")
    if sys.version_info >= (3, 12):
        return "OrderedDict({" + w.pairs(value) + "})"
    return "OrderedDict([" + ", ".join(_tuple(w, pair) for pair in value.items()) + "])"


def _counter(w: Writer, value) -> str:
    if not value:
        return w.add("Counter()")
    w.add("Counter()")
    return "Counter({" + w.pairs(dict(value.most_common())) + "})"


def _defaultdict(w: Writer, value) -> str:
    w.add("defaultdict(, )")
    return f"defaultdict({w.text(value.default_factory)}, {{{w.pairs(value)}}})"


def _deque(w: Writer, value) -> str:
    w.add("deque([])")
    limit = f", maxlen={value.maxlen}" if value.maxlen is not None else ""
    return f"deque([{w.items(value)}]{limit})"


SHAPES = {list: lambda w, v: "[" + w.items(v) + "]", tuple: _tuple, dict: lambda w, v: "{" + w.pairs(v) + "}",
          set: _set, frozenset: _set, collections.OrderedDict: _ordered, collections.Counter: _counter,
          DefaultDict: _defaultdict, collections.deque: _deque}
