"""Quasi-polynomials: a symbolic size as one polynomial per residue class of its symbol.

Every size convcalc computes from one symbol ``s`` is built from ``s``, integers, ``+``,
``*`` and ``floor(./d)`` with constant ``d``. Such a function is a *quasi-polynomial*:
there is a period ``P`` and, for each residue ``i`` in ``0..P-1``, a polynomial ``p_i`` with
integer coefficients such that, for every integer ``k`` (negative ones too)::

    f(i + k*P) = p_i(k)

Proof, by induction on the expression (this is what :func:`of` computes):

* ``s`` has period 1 and ``p_0(k) = k``; an integer ``c`` has ``p_0(k) = c``.
* ``f + g`` and ``f * g``: lift both to ``P = lcm(P_f, P_g)`` (class ``i`` of period ``P``
  is class ``i mod P_f`` at ``k' = i // P_f + k*(P/P_f)``, a composition of polynomials),
  then add or multiply class by class.
* ``floor(f/d)``: let ``g`` divide every non-constant coefficient of every ``p_i`` and
  ``m = d / gcd(d, g)``. Lifting to ``m*P`` turns each class polynomial into
  ``q(k) = p_i(j + m*k)``, whose non-constant coefficients are multiples of ``g*m``, hence
  of ``d``. So ``q(k) = q(0) + d*r(k)`` with ``r`` integral, and
  ``floor(q(k)/d) = floor(q(0)/d) + r(k)``: a polynomial again.

Consequences used by ``convcalc inputs`` (all exact, nothing sampled):

* a polynomial that stays bounded for all ``k >= 0`` is constant, so a remainder such as
  ``(x + a) - d*floor((x + a)/d)`` is constant on each residue class: whether a window
  divides exactly is periodic in ``s`` with period ``P``;
* beyond the largest real root (bounded by Cauchy's bound) a polynomial keeps its sign, so
  ``x >= c`` is decided for good past a computable ``k``;
* the zeros of a quasi-polynomial are whole residue classes (where ``p_i`` is the zero
  polynomial) plus finitely many integer roots of the others, found exactly.
"""
from __future__ import annotations

import math
from convcalc.errors import Record
from convcalc.symbolic import dims

MAX_PERIOD = 1 << 16  # beyond this, a size is treated as not analysable
MAX_ROOT_SEARCH = 2_000_000  # candidates tried when looking for integer roots

Poly = tuple  # integer coefficients, constant first, no trailing zeros ((), the zero polynomial)


class NotQuasi(ValueError):
    """The size is not a quasi-polynomial in the symbol (another symbol, or too large a period)."""


# ---------------------------------------------------------------- integer polynomials

def trim(coeffs) -> Poly:
    coeffs = list(coeffs)
    while coeffs and coeffs[-1] == 0:
        coeffs.pop()
    return tuple(coeffs)


def padd(a: Poly, b: Poly) -> Poly:
    n = max(len(a), len(b))
    return trim((a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n))


def pmul(a: Poly, b: Poly) -> Poly:
    if not a or not b:
        return ()
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return trim(out)


def peval(a: Poly, k: int) -> int:
    total = 0
    for c in reversed(a):
        total = total * k + c
    return total


def pshift(a: Poly, j: int, m: int) -> Poly:
    """a(j + m*k) as a polynomial in k (Horner with polynomial arithmetic)."""
    out: Poly = ()
    lin = trim((j, m))
    for c in reversed(a):
        out = padd(pmul(out, lin), trim((c,)))
    return out


def cauchy_bound(a: Poly) -> int:
    """An int R > |every real root| of a non-constant polynomial."""
    lead = abs(a[-1])
    return 1 + max(-(-abs(c) // lead) for c in a[:-1]) if len(a) > 1 else 0


def integer_roots(a: Poly, low: int) -> list:
    """The integer roots k >= low of a non-zero polynomial, exactly."""
    if not a:
        raise ValueError("the zero polynomial has every integer as a root")
    roots = set()
    if a[0] == 0:  # k = 0 is a root; divide by k
        roots.add(0)
        shift = next(i for i, c in enumerate(a) if c)
        a = a[shift:]
    if len(a) == 1:
        return sorted(r for r in roots if r >= low)
    if len(a) == 2:  # a0 + a1*k
        if a[0] % a[1] == 0:
            roots.add(-a[0] // a[1])
        return sorted(r for r in roots if r >= low)
    # an integer root divides the constant term; search the smaller of the two candidate sets
    bound = cauchy_bound(a)
    c0 = abs(a[0])
    if min(bound, math.isqrt(c0)) > MAX_ROOT_SEARCH:
        raise NotQuasi("the polynomial's coefficients are too large to search for roots")
    if bound <= math.isqrt(c0) + 1:
        candidates = range(max(low, -bound), bound + 1)
    else:
        divisors = set()
        for q in range(1, math.isqrt(c0) + 1):
            if c0 % q == 0:
                divisors.update((q, c0 // q))
        candidates = [x for d in divisors for x in (d, -d) if x >= low]
    roots.update(k for k in candidates if peval(a, k) == 0)
    return sorted(r for r in roots if r >= low)


def stable_from(a: Poly, c: int) -> int:
    """The least k0 >= 0 such that ``a(k) >= c`` has the same truth value for every k >= k0."""
    b = padd(a, (-c,))
    if len(b) <= 1:
        return 0
    if len(b) == 2:  # b0 + b1*k changes sign once, between floor and ceil of -b0/b1
        return max(0, -(b[0] // b[1]) if b[1] > 0 else b[0] // -b[1] + 1)
    k = max(0, cauchy_bound(b))
    if k > MAX_ROOT_SEARCH:
        raise NotQuasi("the size grows too irregularly to decide where it settles")
    final = peval(b, k) >= 0
    while k > 0 and (peval(b, k - 1) >= 0) == final:
        k -= 1
    return k


# ---------------------------------------------------------------- quasi-polynomials

class QP(Record):
    """f(i + k*period) = polys[i](k) for 0 <= i < period and every integer k. A value:
    equal and hashed by its fields (errors.Record, not a dataclass: start-up)."""

    __slots__ = ("period", "polys")

    def __init__(self, period: int, polys: tuple):
        self.period, self.polys = period, polys

    def __call__(self, s: int) -> int:
        k, i = divmod(s, self.period)
        return peval(self.polys[i], k)

    def lift(self, period: int) -> "QP":
        if period == self.period:
            return self
        if period % self.period:
            raise ValueError("a period can only be lifted to a multiple")
        if period > MAX_PERIOD:
            raise NotQuasi(f"period {period} is over the limit of {MAX_PERIOD}")
        m = period // self.period
        return QP(period, tuple(pshift(self.polys[i % self.period], i // self.period, m) for i in range(period)))

    def _pair(self, other):
        if isinstance(other, int):
            other = constant(other)
        period = math.lcm(self.period, other.period)
        return self.lift(period), other.lift(period)

    def __add__(self, other):
        a, b = self._pair(other)
        return QP(a.period, tuple(padd(p, q) for p, q in zip(a.polys, b.polys)))

    __radd__ = __add__

    def __mul__(self, other):
        a, b = self._pair(other)
        return QP(a.period, tuple(pmul(p, q) for p, q in zip(a.polys, b.polys)))

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other if isinstance(other, int) else other * -1)

    def floor(self, d: int) -> "QP":
        g = 0
        for p in self.polys:
            for c in p[1:]:
                g = math.gcd(g, c)
        m = 1
        if g % d:  # some class really moves: lift so that every move is a multiple of d
            m = d // math.gcd(d, g)
        lifted = self.lift(self.period * m)
        polys = []
        for p in lifted.polys:
            if any(c % d for c in p[1:]):  # cannot happen (see the module docstring)
                raise AssertionError("floor of a quasi-polynomial: coefficient not divisible")
            head = (p[0] // d,) if p else ()
            polys.append(trim(head + tuple(c // d for c in p[1:])))
        return QP(lifted.period, tuple(polys))

    @property
    def degree(self) -> int:
        return max((len(p) - 1 for p in self.polys), default=-1)

    def slopes_nonnegative(self) -> bool:
        """Every class polynomial is constant or has a positive leading coefficient."""
        return all(len(p) <= 1 or p[-1] > 0 for p in self.polys)


def constant(c: int) -> QP:
    return QP(1, (trim((c,)),))


VARIABLE = QP(1, ((0, 1),))


def of(value: dims.Dim, name: str) -> QP:
    """The quasi-polynomial of a size in the single symbol ``name``."""

    def leaf(symbol):
        if symbol != name:
            raise NotQuasi(f"the size depends on {symbol} as well as {name}")
        return VARIABLE

    def floor(numerator, d):
        return numerator.floor(d) if isinstance(numerator, QP) else numerator // d

    result = dims.fold(value, leaf, floor)
    return constant(result) if isinstance(result, int) else result


def common_period(qps) -> int:
    period = 1
    for q in qps:
        period = math.lcm(period, q.period)
        if period > MAX_PERIOD:
            raise NotQuasi(f"the sizes have a common period over {MAX_PERIOD}")
    return period


def zeros(q: QP) -> tuple:
    """(residues, finite): s >= 1 is a zero iff s mod period is in residues, or s is in finite."""
    residues, finite = set(), set()
    for i, p in enumerate(q.polys):
        if not p:
            residues.add(i)
            continue
        low = 1 if i == 0 else 0  # s = i + k*P >= 1
        finite.update(i + k * q.period for k in integer_roots(p, low))
    return frozenset(residues), frozenset(finite)


def settle(q: QP, c: int) -> int:
    """The least k0 such that ``q(s) >= c`` is decided the same for every s = i + k*P with
    i in 1..P and k >= k0 (so s = 1..(k0+1)*P holds every undecided case)."""
    return max(stable_from(pshift(p, 1, 1) if i == 0 else p, c) for i, p in enumerate(q.polys))

