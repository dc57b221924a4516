"""A dict's views (``d.keys()``, ``d.values()``, ``d.items()``) as Python has them: live, iterable,
sized, not subscriptable (``d.keys()[0]`` is a TypeError, as torch's Python raises it), keys and
items compared and combined as sets."""
from __future__ import annotations

from convcalc.frontends.python.pyobjects import Value


class DictView(Value):
    hashable = False

    def __init__(self, mapping: dict, kind: str):
        self.mapping, self.kind = mapping, kind  # kind: keys, values or items

    def describe(self) -> str:
        return f"a dict_{self.kind} view"

    def items(self) -> list:
        if self.kind == "keys":
            return list(self.mapping)
        if self.kind == "values":
            return list(self.mapping.values())
        return list(self.mapping.items())

    def iterate(self, frame, node) -> list:
        frame.charge(len(self.mapping), node)
        return self.items()

    def length(self, frame, node) -> int:
        return len(self.mapping)

    def truth(self, frame, node) -> bool:
        return bool(self.mapping)

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"'dict_{self.kind}' object is not subscriptable", node)

    def pytype(self):
        from convcalc.frontends.python.pycore import TYPES

        return TYPES.get(f"dict_{self.kind}")

    def attr(self, frame, name, node):
        if name == "mapping":
            return self.mapping  # (a read-only proxy in Python: read here, never written through)
        if name == "isdisjoint" and self.kind != "values":
            from convcalc.frontends.python.pyobjects import Builtin

            return Builtin(f"dict_{self.kind}.isdisjoint", lambda f, args, n: self.as_set(f, n).isdisjoint(
                set(self.other_items(f, args.values[0], n))))
        from convcalc.frontends.python.pycore import attribute_error

        raise attribute_error(frame, f"'dict_{self.kind}' object has no attribute '{name}'", node)

    def as_set(self, frame, node):
        """The view as the set it stands for (keys and items only; an unhashable item: TypeError)."""
        from convcalc.frontends.python.pycore import check_key

        out = set()
        for item in self.items():
            check_key(frame, item, node)
            out.add(item)
        return out

    @staticmethod
    def other_items(frame, other, node) -> list:
        from convcalc.frontends.python.pycore import iterate

        return iterate(frame, other, node)

    def plain(self):
        """What the conformance suite compares (tests/support/conformance.py)."""
        return ("view", f"dict_{self.kind}", self.items())


def set_like(value) -> bool:
    """A keys or items view: compared and combined as a set."""
    return isinstance(value, DictView) and value.kind != "values"


def view_binop(frame, op: str, a, b, node):
    """``view & other`` and friends (a set), or None when neither side is a set-like view."""
    if not (set_like(a) or set_like(b)) or op not in ("&", "|", "-", "^"):
        return None
    from convcalc.frontends.python.pycore import binop

    left = a.as_set(frame, node) if isinstance(a, DictView) else set(DictView.other_items(frame, a, node))
    right = b.as_set(frame, node) if isinstance(b, DictView) else set(DictView.other_items(frame, b, node))
    return binop(frame, op, left, right, node)


def view_equal(frame, a, b, node):
    """``view == other``: keys and items views equal a set or a view of the same members; a values
    view equals only itself. None when neither side is a view."""
    if not (isinstance(a, DictView) or isinstance(b, DictView)):
        return None
    if not (set_like(a) and (set_like(b) or isinstance(b, (set, frozenset))) or
            set_like(b) and isinstance(a, (set, frozenset))):
        return a is b
    left = a.as_set(frame, node) if isinstance(a, DictView) else a
    right = b.as_set(frame, node) if isinstance(b, DictView) else b
    return left == right
