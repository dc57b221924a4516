"""The size of a dimension: a plain ``int`` or a symbolic :class:`Expr` in symbols like H, W.

Shape code is written once, with ordinary operators, and works for both::

    out = floor_div(size + 2 * pad - kernel, stride) + 1

Canonical form (what makes ``==`` and ``hash`` structural and still meaningful)
-----------------------------------------------------------------------------
An Expr is a polynomial with integer coefficients over *atoms*, stored as a sorted
tuple of ``(monomial, coefficient)`` pairs with no zero coefficient; a monomial is a
sorted tuple of ``(atom, exponent >= 1)``, ``()`` being the constant. An atom is
``(0, name)`` for a symbol or ``(1, P, d)`` for ``floor(P/d)``. Symbols sort before
floors, so ``H*floor(W/2)``. A floor atom is only ever built in this normal form:

* ``d >= 2`` and every coefficient of ``P``, the constant included, is in ``[0, d)``:
  multiples of ``d`` are pulled out with Python's floor ``divmod``, so
  ``floor((5*H + 9)/4) = H + 2 + floor((H + 1)/4)`` and ``floor(-H/2) = -H + floor(H/2)``;
* ``gcd(d, non-constant coefficients of P) == 1``: ``floor((2*H + 3)/4) = floor((H + 1)/2)``,
  since for integer n, ``floor((g*n + r)/(g*e)) = floor((n + r//g)/e)``;
* ``P`` is not ``floor(P'/b) + S`` with that floor appearing once, linearly, with
  coefficient 1, and no other floor in ``S``: that folds exactly into
  ``floor((P' + b*S)/(b*d))``, so stacked stride-2 layers give one floor:
  conv k3 s2 p1 twice on H is ``floor((H + 3)/4)``.

Chains of floor/ceil divisions and integer shifts of one symbol (conv and pool
arithmetic) therefore reach a unique ``floor((H + r)/D) + q``. Not canonicalised (equal
functions, different forms): reflections like ``H - floor(H/2)`` vs ``floor((H + 1)/2)``,
identities between several floors like ``floor(H/3) + floor((H + 1)/3) + floor((H + 2)/3) = H``,
and exact integer polynomials like ``floor((H^2 + H)/2)``. Constant results are always ints.
"""
from __future__ import annotations

import math
from typing import Dict, Mapping, Tuple, Union

MAX_TERMS = 4096  # per polynomial, floor numerators included: sums cost linear time, so totals may be long
MAX_PRODUCT = 4096  # term pairs in one product (64 x 64): the work of a multiplication, which can square a size
MAX_DEGREE = 8  # total degree of a monomial; a floor atom counts 1
MAX_NODES = 4096  # atoms in one floor, nested ones included (shared ones counted each time)
MAX_COEFFICIENT_BITS = 1024  # a coefficient's size: 2**1024 has 309 digits, Python prints at most 4,300

_SYM, _FLOOR = 0, 1
Monomial = Tuple[Tuple[tuple, int], ...]
PolyDict = Dict[Monomial, int]


class Expr:
    """A non-constant symbolic size. Immutable and hashable; build with :func:`sym`."""

    __slots__ = ("_terms", "_hash")

    def __init__(self, terms: tuple):
        object.__setattr__(self, "_terms", terms)
        object.__setattr__(self, "_hash", hash((Expr, terms)))

    def __setattr__(self, name, value):
        raise AttributeError("Expr is immutable")

    def __reduce__(self):
        return (Expr, (self._terms,))

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        if isinstance(other, Expr):
            return self is other or (self._hash == other._hash and self._terms == other._terms)
        # a constant Expr never exists, so no Expr equals an int
        return False if isinstance(other, int) else NotImplemented

    def _no_order(self, other):
        names = ", ".join(sorted(symbols(self)))
        raise TypeError(f"cannot compare the symbolic size {render(self)} (its value depends on {names}); "
                        "check is_symbolic() before comparing sizes")

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

    def __bool__(self):
        # `if size:` would silently be True for H - 1 even when H == 1
        raise TypeError(f"the truth value of the symbolic size {render(self)} is unknown; "
                        "check is_symbolic() first")

    def __add__(self, other):
        if not isinstance(other, (int, Expr)):
            return NotImplemented
        return _remembered("+", self, other, lambda: _make(_add(_poly(self), _poly(other))))

    __radd__ = __add__

    def __sub__(self, other):
        if not isinstance(other, (int, Expr)):
            return NotImplemented
        return _remembered("-", self, other, lambda: _make(_add(_poly(self), _poly(other), -1)))

    def __rsub__(self, other):
        if not isinstance(other, int):
            return NotImplemented
        return _remembered("r-", self, other, lambda: _make(_add(_poly(other), _poly(self), -1)))

    def __mul__(self, other):
        if not isinstance(other, (int, Expr)):
            return NotImplemented
        return _remembered("*", self, other, lambda: _make(_mul(_poly(self), _poly(other))))

    __rmul__ = __mul__

    def __neg__(self):
        return _make({m: -c for m, c in self._terms})

    def __pos__(self):
        return self

    def __floordiv__(self, d):
        return floor_div(self, d) if isinstance(d, int) else NotImplemented

    def __str__(self):
        return render(self)

    def __repr__(self):
        return f"Expr({render(self)})"


Dim = Union[int, Expr]


def sym(name: str) -> Expr:
    """The symbolic size called ``name`` (an identifier, e.g. ``H``)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a symbol name must be an identifier, not {name!r}")
    monomial = (((_SYM, name), 1),)
    return Expr(((monomial, 1),))


def is_symbolic(a: Dim) -> bool:
    return isinstance(a, Expr)


def floor_div(a: Dim, d: int) -> Dim:
    """floor(a / d) for an int ``d >= 1``; Python's ``//`` on ints."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"a size can only be divided by a positive int, not {d!r}")
    if not isinstance(a, Expr):
        return _as_int(a) // d
    return _remembered("//", a, d, lambda: _make(_floor(_poly(a), d)))


# The results of arithmetic on Exprs, by operation and operands: a search walks the same network
# at many sizes (lint, inputs), and a deep network repeats the same few sizes, so the same sums,
# products and floors are made again and again (a 200-level U-Net walked at 12 sizes makes each
# floor(H/2) thousands of times). Exprs are immutable and keep their hash, so a result can be
# shared; an operation that fails (past the bounds) is not kept and fails again. Bounded: emptied
# at MEMO_SIZE entries. The operand's type is part of the key (True + H is not kept as 1 + H).
MEMO_SIZE = 65_536
_MEMO: dict = {}


def _remembered(op: str, a, b, compute):
    key = (op, a, b, type(b))
    found = _MEMO.get(key)
    if found is None:
        found = compute()
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = found
    return found


def ceil_div(a: Dim, d: int) -> Dim:
    """ceil(a / d) for an int ``d >= 1``."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"a size can only be divided by a positive int, not {d!r}")
    return floor_div(a + (d - 1), d)


def scale_floor(a: Dim, num: int, den: int) -> Dim:
    """floor(a * num / den): a size scaled by the rational factor num/den (1.7 -> 17/10)."""
    return floor_div(a * _as_int(num), den)


def exact_quotient(a: Dim, b: Dim):
    """q with q * b == a as polynomials (a view's -1 between symbolic sizes: C*H*W / (H*W) = C),
    or None when ``b`` does not divide ``a`` exactly."""
    if not isinstance(b, Expr):
        b = _as_int(b)
        if b == 0:
            return None
        if not isinstance(a, Expr):
            return a // b if a % b == 0 else None
        if any(c % b for _, c in a._terms):
            return None
        return _make({m: c // b for m, c in a._terms})
    pb = _poly(b)
    lead = max(pb, key=_order)
    quotient: PolyDict = {}
    rest = _poly(a)
    for _ in range(MAX_TERMS):
        rest = {m: c for m, c in rest.items() if c}
        if not rest:
            return _make(quotient)
        top = max(rest, key=_order)
        monomial = _divide_monomial(top, lead)
        coefficient, remainder = divmod(rest[top], pb[lead])
        if monomial is None or remainder:
            return None
        quotient[monomial] = quotient.get(monomial, 0) + coefficient
        rest = _add(rest, _mul({monomial: coefficient}, pb), -1)
    return None


def _order(monomial) -> tuple:
    return sum(e for _, e in monomial), monomial


def _divide_monomial(m1, m2):
    exps = dict(m1)
    for atom, e in m2:
        if exps.get(atom, 0) < e:
            return None
        exps[atom] -= e
    return tuple(sorted((atom, e) for atom, e in exps.items() if e))


def evaluate(a: Dim, env: Mapping[str, int]) -> int:
    """The value of ``a`` with each symbol replaced by its int in ``env``."""
    if not isinstance(a, Expr):
        return _as_int(a)
    return _eval(a._terms, env, {})


def fold(a: Dim, symbol, floor):
    """Rebuild ``a`` bottom-up in another arithmetic: ``symbol(name)`` gives a leaf and
    ``floor(value, d)`` a floor atom from its numerator's value; coefficients, sums and
    products use the values' own ``+`` and ``*`` with ints. ``evaluate`` and
    ``substitute`` are folds; so are the quasi-polynomials of ``convcalc.quasi``."""
    if not isinstance(a, Expr):
        return _as_int(a)
    return _fold(a._terms, symbol, floor, {})


def substitute(a: Dim, env: Mapping[str, Dim]) -> Dim:
    """``a`` with the symbols named in ``env`` replaced by ints or Exprs, the others kept;
    the result is rebuilt through the arithmetic, so it is canonical (an int if constant)."""
    return fold(a, lambda name: env[name] if name in env else sym(name), floor_div)


def symbols(a: Dim) -> frozenset:
    """The names of the symbols ``a`` depends on (inside floors too)."""
    out: set = set()
    if isinstance(a, Expr):
        _collect(a._terms, out)
    return frozenset(out)


def render(a: Dim) -> str:
    """Readable and stable text: ``floor((H + 1)/2)``, ``2*H - 1``, ``64*floor(H/4)*floor(W/4)``."""
    return _render_poly(a._terms) if isinstance(a, Expr) else str(_as_int(a))


# -- polynomials as {monomial: coefficient} while computing, sorted tuples when frozen --

def _as_int(a) -> int:
    if isinstance(a, int):
        return int(a)
    raise TypeError(f"a size must be an int or a symbolic Expr, not {type(a).__name__} {a!r}")


def _poly(a: Dim) -> PolyDict:
    if isinstance(a, Expr):
        return dict(a._terms)
    a = _as_int(a)
    return {(): a} if a else {}


def _freeze(p: PolyDict) -> tuple:
    terms = tuple(sorted((m, c) for m, c in p.items() if c))
    if len(terms) > MAX_TERMS:
        raise OverflowError(f"symbolic size expression too large: {len(terms)} terms (limit {MAX_TERMS})")
    degree = max((sum(e for _, e in m) for m, _ in terms), default=0)
    if degree > MAX_DEGREE:
        raise OverflowError(f"symbolic size expression too large: degree {degree} (limit {MAX_DEGREE})")
    for _, c in terms:
        if c.bit_length() > MAX_COEFFICIENT_BITS:  # let a = a * 2**128, a thousand times
            raise OverflowError(f"symbolic size expression too large: a coefficient over 2**{MAX_COEFFICIENT_BITS}")
    return terms


def _make(p: PolyDict) -> Dim:
    terms = _freeze(p)
    if not terms:
        return 0
    if len(terms) == 1 and terms[0][0] == ():
        return terms[0][1]
    return Expr(terms)


class Total:
    """A sum of many sizes kept as it grows (a network's parameters, mult-adds): each term is
    added in place, in time linear in the term, and the sum fails past MAX_TERMS at the term
    that made it too long; ``value`` is the sum as a Dim."""

    __slots__ = ("_int", "_terms", "_frozen")

    def __init__(self):
        self._int, self._terms, self._frozen = 0, {}, 0

    def add(self, value: Dim) -> None:
        if isinstance(value, int):
            self._int += value
            self._frozen = None if self._terms else self._int
            return
        for m, c in value._terms:
            if m == ():
                self._int += c
                continue
            total = self._terms.get(m, 0) + c
            if total:
                self._terms[m] = total
            else:
                self._terms.pop(m, None)
        count = len(self._terms) + (1 if self._int else 0)
        if count > MAX_TERMS:
            raise OverflowError(f"symbolic size expression too large: {count} terms (limit {MAX_TERMS})")
        self._frozen = None

    @property
    def value(self) -> Dim:
        if self._frozen is None:
            self._frozen = _make({**self._terms, (): self._int})
        return self._frozen


def _add(p: PolyDict, q: PolyDict, k: int = 1) -> PolyDict:
    out = dict(p)
    for m, c in q.items():
        out[m] = out.get(m, 0) + k * c
    return out


def _mul(p: PolyDict, q: PolyDict) -> PolyDict:
    if len(p) * len(q) > MAX_PRODUCT:
        raise OverflowError(f"symbolic size expression too large: a product of {len(p)} x {len(q)} terms "
                            f"(limit {MAX_PRODUCT} pairs)")
    out: PolyDict = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            if not m1 or not m2:
                m = m1 or m2
            else:
                exps = dict(m1)
                for atom, e in m2:
                    exps[atom] = exps.get(atom, 0) + e
                m = tuple(sorted(exps.items()))
            out[m] = out.get(m, 0) + c1 * c2
    return out


def _floor(p: PolyDict, d: int) -> PolyDict:
    """floor(p/d) in normal form (see the module docstring)."""
    if d == 1:
        return p
    quot: PolyDict = {}
    rest: PolyDict = {}
    for m, c in p.items():
        quot[m], rest[m] = divmod(c, d)
    const = rest.pop((), 0)
    rest = {m: c for m, c in rest.items() if c}
    if not rest:  # 0 <= const < d
        return quot
    g = math.gcd(d, *rest.values())
    if g > 1:
        rest = {m: c // g for m, c in rest.items()}
        const, d = const // g, d // g
    floors = [atom for m in rest for atom, _ in m if atom[0] == _FLOOR]
    if len(floors) == 1 and rest.get(((floors[0], 1),)) == 1:
        _, inner, b = floors[0]
        del rest[((floors[0], 1),)]
        rest[()] = const
        return _add(quot, _floor(_add(dict(inner), rest, b), b * d))
    if const:
        rest[()] = const
    atom = (_FLOOR, _freeze(rest), d)
    _count_nodes(atom[1], MAX_NODES)
    return _add(quot, {((atom, 1),): 1})


def _count_nodes(terms: tuple, budget: int) -> int:
    used = 1
    for m, _ in terms:
        for atom, _ in m:
            used += 1 if atom[0] == _SYM else _count_nodes(atom[1], budget - used)
            if used > budget:
                raise OverflowError(f"symbolic size expression too large: more than {MAX_NODES} "
                                    "nested terms inside floor()")
    return used


def _eval(terms: tuple, env: Mapping[str, int], memo: dict) -> int:
    total = 0
    for m, c in terms:
        for atom, e in m:
            x = memo.get(id(atom))  # atoms are shared between terms; each is computed once
            if x is None:
                if atom[0] == _SYM:
                    if atom[1] not in env:
                        raise KeyError(f"no value given for the symbol {atom[1]!r}")
                    x = env[atom[1]]
                    if isinstance(x, bool) or not isinstance(x, int):
                        raise TypeError(f"the value of {atom[1]} must be an int, not {x!r}")
                else:
                    x = _eval(atom[1], env, memo) // atom[2]
                memo[id(atom)] = x
            c *= x ** e
        total += c
    return total


def _fold(terms: tuple, symbol, floor, memo: dict):
    total = 0
    for m, c in terms:
        value = c
        for atom, e in m:
            x = memo.get(id(atom))
            if x is None:
                x = symbol(atom[1]) if atom[0] == _SYM else floor(_fold(atom[1], symbol, floor, memo), atom[2])
                memo[id(atom)] = x
            for _ in range(e):
                value = value * x
        total = total + value
    return total


def _collect(terms: tuple, out: set) -> None:
    for m, _ in terms:
        for atom, _ in m:
            if atom[0] == _SYM:
                out.add(atom[1])
            else:
                _collect(atom[1], out)


def _render_poly(terms: tuple) -> str:
    # highest degree first, the constant last: 2*H*W + H - 1
    ordered = sorted(terms, key=lambda t: (-sum(e for _, e in t[0]), t[0]))
    text = []
    for i, (m, c) in enumerate(ordered):
        body = "*".join(_render_atom(atom) + (f"^{e}" if e > 1 else "") for atom, e in m)
        mag = abs(c)
        term = body if mag == 1 and body else f"{mag}*{body}" if body else str(mag)
        if i == 0:
            text.append("-" + term if c < 0 else term)
        else:
            text.append((" - " if c < 0 else " + ") + term)
    return "".join(text)


def _render_atom(atom: tuple) -> str:
    if atom[0] == _SYM:
        return atom[1]
    _, terms, d = atom
    num = _render_poly(terms)
    bare = len(terms) == 1 and terms[0][1] == 1 and len(terms[0][0]) == 1 and terms[0][0][0][1] == 1
    return f"floor({num}/{d})" if bare else f"floor(({num})/{d})"
