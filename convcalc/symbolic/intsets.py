"""Sets of positive integers that are periodic from some point on, stated as bounds and congruences.

``IntSet(start, period, residues, extra)`` is ``{s >= 1 : s in extra, or s >= start and
s mod period in residues}`` with every element of ``extra`` below ``start``. Finite sets
have no residues. Every set ``convcalc inputs`` reports is of this kind: sizes accepted
by a network are eventually periodic (see convcalc/quasi.py), solutions of a Linear's
equation are finite. Sets are kept normalised (smallest period, lowest start), so equal
sets compare equal and print the same.
"""
from __future__ import annotations

import math

from convcalc.errors import Record


class IntSet(Record):
    """A value: equal and hashed by its fields (errors.Record, not a dataclass: start-up)."""

    __slots__ = ("start", "period", "residues", "extra")

    def __init__(self, start: int = 1, period: int = 1, residues: frozenset = frozenset(),
                 extra: frozenset = frozenset()):
        self.start, self.period, self.residues, self.extra = start, period, residues, extra

    # ------------------------------------------------------------- construction
    @classmethod
    def make(cls, start: int, period: int, residues, extra=()) -> "IntSet":
        start = max(1, start)
        residues = frozenset(r % period for r in residues)
        extra = frozenset(s for s in extra if 1 <= s < start)
        return cls(start, period, residues, extra)._normalised()

    @classmethod
    def everything(cls) -> "IntSet":
        return cls(1, 1, frozenset({0}))

    @classmethod
    def empty(cls) -> "IntSet":
        return cls()

    @classmethod
    def of(cls, values) -> "IntSet":
        values = frozenset(v for v in values if v >= 1)
        return cls.make(max(values, default=0) + 1, 1, (), values)

    def _normalised(self) -> "IntSet":
        period, residues = self.period, self.residues
        if not residues:
            period = 1
        else:
            for q in sorted(d for d in range(1, period + 1) if period % d == 0):
                reduced = frozenset(r % q for r in residues)
                if all((r in residues) == (r % q in reduced) for r in range(period)):
                    period, residues = q, reduced
                    break
        start, extra = self.start, set(self.extra)
        if not residues:
            start = max(extra, default=0) + 1
        while start > 1 and ((start - 1) % period in residues) == ((start - 1) in extra):
            start -= 1
            extra.discard(start)
        return IntSet(start, period, frozenset(residues), frozenset(extra))

    # ------------------------------------------------------------- queries
    def __contains__(self, s: int) -> bool:
        if s < 1:
            return False
        if s < self.start:
            return s in self.extra
        return s % self.period in self.residues

    def __and__(self, other: "IntSet") -> "IntSet":
        start = max(self.start, other.start)
        period = math.lcm(self.period, other.period)
        residues = {s % period for s in range(start, start + period) if s in self and s in other}
        extra = {s for s in self.extra | other.extra if s < start and s in self and s in other}
        return IntSet.make(start, period, residues, extra)

    @property
    def is_empty(self) -> bool:
        return not self.residues and not self.extra

    @property
    def is_finite(self) -> bool:
        return not self.residues

    def tail_start(self) -> int:
        """The smallest element of the periodic part (meaningful when not finite)."""
        return next(s for s in range(self.start, self.start + self.period) if s % self.period in self.residues)

    def smallest(self):
        if self.extra:
            return min(self.extra)
        return None if self.is_empty else self.tail_start()

    def first(self, count: int, limit: int = 10**9) -> list:
        out, s = sorted(self.extra)[:count], self.start
        if self.residues:
            while len(out) < count and s <= limit:
                if s % self.period in self.residues:
                    out.append(s)
                s += 1
        return out[:count]

    # ------------------------------------------------------------- text
    def describe(self, name: str, bound: bool = True) -> str:
        """``H ≥ 4 and H ≡ 0 (mod 4)``; with bound=False the lower bound is left out where the
        congruence implies it (``H ≡ 0 (mod 8)`` for the multiples of 8)."""
        if self.is_empty:
            return "no value"
        if self.is_finite:
            return finite_text(name, sorted(self.extra))
        parts = []
        low = self.tail_start()
        implied = min(r or self.period for r in self.residues)
        if low > 1 and (bound or low != implied):
            parts.append(f"{name} ≥ {low}")
        if self.period > 1:
            parts.append(f"{name} ≡ {join_or(sorted(self.residues))} (mod {self.period})")
        tail = " and ".join(parts) or f"every {name} ≥ 1"
        if self.extra:
            return f"{finite_text(name, sorted(self.extra))}, or {tail}"
        return tail

    def to_json(self, name: str, examples: int = 6) -> dict:
        data = {"text": self.describe(name), "smallest": self.smallest(), "finite": self.is_finite,
                "examples": self.first(examples)}
        if self.is_finite:
            data["values"] = sorted(self.extra)
        else:
            data.update({"from": self.tail_start(), "modulus": self.period, "residues": sorted(self.residues),
                         "also": sorted(self.extra)})
        return data


def ranges(values) -> list:
    """[(lo, hi), ...] runs of consecutive integers in sorted values."""
    out: list = []
    for v in values:
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return [tuple(r) for r in out]


def range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}, {hi}" if hi == lo + 1 else f"{lo}..{hi}"


def finite_text(name: str, values) -> str:
    runs = ranges(values)
    if len(runs) == 1 and runs[0][0] == runs[0][1]:
        return f"{name} = {runs[0][0]}"
    return f"{name} in " + ", ".join(range_text(lo, hi) for lo, hi in runs)


def join_or(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
