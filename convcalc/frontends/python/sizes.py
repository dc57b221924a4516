"""Decisions on the input's symbolic sizes (``x.size(2) - 3``, ``H // 4``) the program's Python
makes: comparisons, ``==``, truth, ``abs``, ``min``/``max`` (through the comparisons).

A decision is made where the input's conditions make it: every size is at least 1, so a size
in one symbol is a quasi-polynomial of it (convcalc/symbolic/quasi.py) whose sign over all
``s >= 1`` is computed exactly (``H - 3 >= -2`` holds, ``H // 4 == 0`` does not always). A
decision that depends on the size is "not followed" of kind SIZE (reasons.size_dependent):
the model is then followed again on concrete sizes, or the message names the line. Never an
internal error, never a guess."""
from __future__ import annotations

import math
import operator

from convcalc.frontends.python.reasons import Unfollowable, size_dependent
from convcalc.symbolic import dims

MAX_CHECKS = 20_000  # values of k tried between a class polynomial's start and where its sign settles
ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def show(value) -> str:
    return dims.render(value) if dims.is_symbolic(value) else repr(value)


def undecided(what: str, node):
    return size_dependent(f"{what} depends on the input's size", node)


def always_at_least(d, c: int):
    """True if ``d(s) >= c`` for every value of its symbols (each at least 1), False if for none,
    None when it depends on them (or cannot be decided exactly)."""
    if not dims.is_symbolic(d):
        return d >= c
    names = dims.symbols(d)
    if len(names) != 1:
        return None
    from convcalc.symbolic import quasi

    try:
        q = quasi.of(d, next(iter(names)))
        seen = set()
        for i, p in enumerate(q.polys):
            low = 1 if i == 0 else 0  # s = i + k*period >= 1
            k0 = max(low, quasi.stable_from(p, c))
            if k0 - low > MAX_CHECKS // max(1, len(q.polys)):
                return None
            for k in range(low, k0 + 1):
                seen.add(quasi.peval(p, k) >= c)
                if len(seen) > 1:
                    return None
    except (quasi.NotQuasi, ArithmeticError):
        return None
    return seen.pop() if len(seen) == 1 else None


FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
THRESHOLD = {">=": 0, ">": 1, "<": 0, "<=": 1}  # a >= b is a - b >= 0, a > b is a - b >= 1; < and <= negate


def order(op: str, a, b, node) -> bool:
    """``a op b`` for < <= > >=, one side a symbolic size, the other a size or a number."""
    a, b = int(a) if type(a) is bool else a, int(b) if type(b) is bool else b  # True is 1
    for v in (a, b):
        if not (type(v) in (int, float) or dims.is_symbolic(v)):
            raise undecided(f"the comparison {show(a)} {op} {show(b)}", node)
    shown = f"the comparison {show(a)} {op} {show(b)}"
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, float):  # x op size is size flip(op) x
            a, b, op = b, a, FLIP[op]
        if math.isnan(b):
            return False
        if math.isinf(b):
            return ORDER[op](0, b)
        # a size is an integer: size >= 2.5 is size >= 3, size > 2.5 is size >= 3, size > 2.0 is size >= 3
        b = math.ceil(b) if op in (">=", "<") else math.floor(b) + 1
        difference, at_least = a - b, 0
    else:
        difference, at_least = a - b, THRESHOLD[op]
    holds = always_at_least(difference, at_least)
    if holds is None:
        raise undecided(shown, node)
    return holds if op in (">=", ">") else not holds


def better(pick: str, a, b, node) -> bool:
    """Whether max (pick ">") or min ("<") takes ``a`` over ``b``, one a symbolic size: where
    ``a > b`` depends on the size but ``a >= b`` holds for every size, ``a`` (equal to ``b``
    where they tie, so the value is the same either way)."""
    loose = {">": ">=", "<": "<="}[pick]
    try:
        return order(pick, a, b, node)
    except Unfollowable as exc:  # undecided: tried loosely below
        first = exc
    for chosen, x, y in ((True, a, b), (False, b, a)):
        try:
            if order(loose, x, y, node):
                return chosen
        except Unfollowable:  # undecided this way too
            continue
    raise first


def equal(a, b, node) -> bool:
    """``a == b``, one side a symbolic size: decided when the difference is a constant, or zero
    for no value (or for every value) of its symbol."""
    a, b = int(a) if type(a) is bool else a, int(b) if type(b) is bool else b  # True is 1
    for v in (a, b):
        if not (type(v) in (int, float) or dims.is_symbolic(v)):
            return False  # a size is never equal to a string, a list, None
    if isinstance(a, float) or isinstance(b, float):
        number = a if isinstance(a, float) else b
        if not number.is_integer():
            return False  # a size is an integer
        a, b = (int(a), b) if isinstance(a, float) else (a, int(b))
    difference = a - b
    if not dims.is_symbolic(difference):
        return difference == 0
    names = dims.symbols(difference)
    if len(names) == 1:
        from convcalc.symbolic import conditions, quasi

        try:
            zeros = conditions.zero_set(difference, next(iter(names)))
        except (quasi.NotQuasi, ArithmeticError):
            zeros = None
        if zeros is not None and zeros.is_empty:
            return False
    raise undecided(f"the comparison {show(a)} == {show(b)}", node)


def truth(value, node) -> bool:
    """``bool(size)``: whether it is nonzero."""
    return not equal(value, 0, node)


def absolute(value, node):
    """``abs(size)``: the size itself where it is never negative, its negation where never positive."""
    if always_at_least(value, 0):
        return value
    if always_at_least(-value, 0):
        return -value
    raise undecided(f"abs({show(value)})", node)
