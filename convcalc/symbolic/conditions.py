"""When two symbolic sizes are equal: the exact set of a symbol's values that make a
difference zero, and the condition two shapes impose, as text.

Pure arithmetic over convcalc/symbolic/quasi.py: the engine asks it for the CC203 condition
of an add or concat, `convcalc inputs` for the conditions and equations it reports.
"""
from __future__ import annotations

from typing import Optional

from convcalc.symbolic import dims, quasi
from convcalc.symbolic.intsets import IntSet


def zero_set(difference: dims.Dim, name: str) -> IntSet:
    """{s >= 1 : difference(s) == 0}, exactly."""
    if type(difference) is int:
        return IntSet.everything() if difference == 0 else IntSet.empty()
    q = quasi.of(difference, name)
    residues, finite = quasi.zeros(q)
    start = max(finite, default=0) + 1
    extra = set(finite) | {s for s in range(1, start) if s % q.period in residues}
    return IntSet.make(start, q.period, residues, extra)


def match_condition(a: tuple, b: tuple, skip: Optional[int] = None) -> Optional[str]:
    """For two shapes that differ symbolically: the condition under which they are equal, as
    text, or None when they can never be (a real CC104/CC105); the axis ``skip`` may differ."""
    if len(a) != len(b):
        return None
    parts = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y or i == skip:
            continue
        difference = x - y
        names = dims.symbols(difference)
        if not names:
            return None
        if len(names) == 1:
            name = next(iter(names))
            try:
                holds = zero_set(difference, name)
            except quasi.NotQuasi:
                parts.append(f"{dims.render(x)} = {dims.render(y)}")
                continue
            if holds.is_empty:
                return None
            parts.append(holds.describe(name, bound=False) + f" ({dims.render(x)} = {dims.render(y)})")
        else:
            parts.append(f"{dims.render(x)} = {dims.render(y)}")
    return " and ".join(parts) if parts else ""


def complement(s: IntSet) -> IntSet:
    residues = set(range(s.period)) - set(s.residues)
    extra = {v for v in range(1, s.start) if v not in s.extra}
    return IntSet.make(s.start, s.period, residues, extra)
