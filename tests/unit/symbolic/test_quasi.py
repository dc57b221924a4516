"""Quasi-polynomials and eventually periodic integer sets: exact, checked against brute force."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.symbolic import quasi
from convcalc.symbolic.dims import ceil_div, evaluate, floor_div, render, scale_floor, substitute, sym, symbols
from convcalc.symbolic.intsets import IntSet

H, W = sym("H"), sym("W")

# -- sizes built like layers build them ----------------------------------------------------

STEP = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3)),
    st.tuples(st.just("ceil"), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2)),
    st.tuples(st.just("up"), st.integers(1, 3)),
    st.tuples(st.just("tconv"), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2)),
    st.tuples(st.just("pad"), st.integers(-2, 3)),
    st.tuples(st.just("scale"), st.integers(1, 7), st.integers(1, 6)),
)


def apply(x, steps):
    for op, *a in steps:
        if op == "conv":
            k, s, p, d = a
            x = floor_div(x + 2 * p - d * (k - 1) - 1, s) + 1
        elif op == "ceil":
            k, s, p = a
            x = ceil_div(x + 2 * p - k, s) + 1
        elif op == "up":
            x = x * a[0]
        elif op == "tconv":
            k, s, p = a
            x = (x - 1) * s - 2 * p + k
        elif op == "pad":
            x = x + a[0]
        else:
            x = scale_floor(x, *a)
    return x


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, max_size=6), st.lists(STEP, max_size=4), st.sampled_from(["add", "mul", "sub"]),
       st.lists(st.integers(-100, 300), min_size=8, max_size=8))
def test_quasi_polynomial_agrees_with_evaluation(a, b, how, points):
    x, y = apply(H, a), apply(H, b)
    value = {"add": x + y, "mul": x * y, "sub": x - y}[how]
    q = quasi.of(value, "H")
    for s in points:
        assert q(s) == evaluate(value, {"H": s})
    # the stated period is a period of the remainder structure: each class is a polynomial
    for i in range(min(q.period, 5)):
        ks = range(-2, 4)
        assert [q(i + k * q.period) for k in ks] == [quasi.peval(q.polys[i], k) for k in ks]


def test_known_periods():
    assert quasi.of(floor_div(H, 4), "H").period == 4
    assert quasi.of(64 * floor_div(H, 4) * floor_div(H, 4) - 4096, "H").degree == 2
    assert quasi.of(floor_div(H + 31, 32), "H").period == 32
    assert quasi.of(7, "H") == quasi.constant(7)
    with pytest.raises(quasi.NotQuasi):
        quasi.of(H * W, "H")


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, max_size=5), st.lists(STEP, max_size=5))
def test_zeros_are_exact(a, b):
    diff = apply(H, a) - apply(H, b)
    if isinstance(diff, int):
        return
    q = quasi.of(diff, "H")
    residues, finite = quasi.zeros(q)
    for s in range(1, 3 * q.period + 200):
        assert (evaluate(diff, {"H": s}) == 0) == (s % q.period in residues or s in finite), s


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=1, max_size=4), st.integers(-3, 3))
def test_integer_roots(coeffs, low):
    p = quasi.trim(coeffs)
    if not p:
        return
    roots = quasi.integer_roots(p, low)
    bound = quasi.cauchy_bound(p) + 2
    assert roots == [k for k in range(low, max(low, bound) + 1) if quasi.peval(p, k) == 0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-30, 30), min_size=1, max_size=4), st.integers(-40, 40))
def test_stable_from(coeffs, c):
    p = quasi.trim(coeffs)
    k0 = quasi.stable_from(p, c)
    truth = {quasi.peval(p, k) >= c for k in range(k0, k0 + 200)}
    assert len(truth) == 1
    if k0 > 0:  # least: one step earlier it differs
        assert (quasi.peval(p, k0 - 1) >= c) != truth.pop()


def test_substitute_keeps_other_symbols_and_is_canonical():
    x = 64 * floor_div(H, 4) * floor_div(W, 4)
    assert substitute(x, {"H": 33}) == 512 * floor_div(W, 4)
    assert substitute(x, {"H": 32, "W": 32}) == 4096
    assert substitute(x, {"W": H}) == 64 * floor_div(H, 4) * floor_div(H, 4)
    assert render(substitute(floor_div(floor_div(H, 2) + W, 3), {"W": 1})) == "floor((H + 2)/6)"


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, max_size=5), st.lists(STEP, max_size=5), st.integers(-50, 200), st.integers(-50, 200))
def test_substitute_agrees_with_evaluate(a, b, h, w):
    x = apply(H, a) * apply(W, b) + apply(H, b)
    part = substitute(x, {"H": h})
    assert symbols(part) <= {"W"}
    assert evaluate(part, {"W": w}) == evaluate(x, {"H": h, "W": w})


# -- IntSet -------------------------------------------------------------------------------

SETS = st.builds(lambda start, period, residues, extra: IntSet.make(start, period, residues, extra),
                 st.integers(1, 30), st.integers(1, 12), st.sets(st.integers(0, 11)), st.sets(st.integers(1, 30)))


@settings(max_examples=300, deadline=None)
@given(SETS, SETS)
def test_intersection_and_normal_form(a, b):
    both = a & b
    for s in range(1, 200):
        assert (s in both) == (s in a and s in b)
    # normalised: equal sets are equal objects, however they were built
    if both.is_finite:
        assert both == IntSet.of(s for s in range(1, 200) if s in both)
    else:
        rebuilt = IntSet.make(150, both.period, {s % both.period for s in range(150, 150 + both.period) if s in both},
                              [s for s in range(1, 150) if s in both])
        assert rebuilt == both


def test_describe():
    assert IntSet.make(4, 1, {0}).describe("H") == "H ≥ 4"
    assert IntSet.make(1, 4, {0}).describe("H") == "H ≥ 4 and H ≡ 0 (mod 4)"
    assert IntSet.make(1, 8, {0}).describe("H", bound=False) == "H ≡ 0 (mod 8)"
    assert IntSet.make(1, 8, {0, 1, 2, 3}).describe("H") == "H ≡ 0, 1, 2 or 3 (mod 8)"
    assert IntSet.of([32, 33, 34, 35]).describe("H") == "H in 32..35"
    assert IntSet.of([32]).describe("H") == "H = 32"
    assert IntSet.of([3, 7, 8]).describe("H") == "H in 3, 7, 8"
    assert IntSet.empty().describe("H") == "no value"
    assert IntSet.everything().describe("H") == "every H ≥ 1"
    assert IntSet.make(10, 4, {2}, {3}).describe("H") == "H = 3, or H ≥ 10 and H ≡ 2 (mod 4)"
    # redundant periods and starts are normalised away
    assert IntSet.make(1, 8, {0, 4}) == IntSet.make(1, 4, {0})
    assert IntSet.make(9, 4, {0}, {4, 8}) == IntSet.make(1, 4, {0})
    assert IntSet.make(1, 4, {0}).smallest() == 4 and IntSet.make(1, 4, {0}).first(3) == [4, 8, 12]
