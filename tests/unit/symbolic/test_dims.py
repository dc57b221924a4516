"""Symbolic sizes: folding, canonical form, rendering, and agreement with int arithmetic."""
from __future__ import annotations

import copy
import itertools
import math
import os
import pickle
import subprocess
import sys

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from convcalc.symbolic.dims import (MAX_DEGREE, MAX_TERMS, Expr, ceil_div, evaluate, floor_div, is_symbolic, render,
                           scale_floor, sym, symbols)

H, W = sym("H"), sym("W")


def conv(x, k, s=1, p=0, d=1):
    return floor_div(x + 2 * p - d * (k - 1) - 1, s) + 1


# -- rendering ------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (H, "H"),
    (2 * H - 1, "2*H - 1"),
    (H * W, "H*W"),
    (W * H + H, "H*W + H"),
    ((H + 1) * (W - 1), "H*W - H + W - 1"),
    (-H + 3, "-H + 3"),
    (3 - 2 * H, "-2*H + 3"),
    (H * H * W - 3, "H^2*W - 3"),
    (floor_div(H, 4), "floor(H/4)"),
    (64 * floor_div(H, 4) * floor_div(W, 4), "64*floor(H/4)*floor(W/4)"),
    (floor_div(W, 2) * H, "H*floor(W/2)"),
    (floor_div(H * W, 3), "floor((H*W)/3)"),
    (7, "7"),
    (-3, "-3"),
])
def test_render(value, text):
    assert render(value) == text
    assert str(value) == text


def test_repr_names_the_expression():
    assert repr(2 * H) == "Expr(2*H)"


# -- folding --------------------------------------------------------------------

def test_three_halvings_are_one_floor():
    x = H
    for _ in range(3):
        x = floor_div(x, 2)
    assert render(x) == "floor(H/8)"
    assert x == floor_div(H, 8)


def test_strided_conv_chains_fold_into_one_floor():
    x = conv(H, 3, 2, 1)
    assert render(x) == "floor((H + 1)/2)"
    x = conv(x, 3, 2, 1)
    assert render(x) == "floor((H + 3)/4)"
    # ResNet stem: conv 7x7 s2 p3, maxpool 3x3 s2 p1, then three stride-2 stages
    x = conv(conv(H, 7, 2, 3), 3, 2, 1)
    for _ in range(3):
        x = conv(x, 3, 2, 1)
    assert render(x) == "floor((H + 31)/32)"


def test_constant_pulled_into_range():
    assert floor_div(H + 5, 4) == floor_div(H + 1, 4) + 1
    assert render(floor_div(H + 5, 4)) == "floor((H + 1)/4) + 1"
    assert render(floor_div(H - 1, 2)) == "floor((H + 1)/2) - 1"


def test_coefficients_pulled_out():
    assert floor_div(5 * H, 4) == H + floor_div(H, 4)
    assert render(floor_div(5 * H, 4)) == "H + floor(H/4)"
    assert render(floor_div(-H, 2)) == "-H + floor(H/2)"
    assert render(scale_floor(H, 17, 10)) == "H + floor((7*H)/10)"


def test_exact_division_and_common_factors():
    assert floor_div(2 * H, 2) == H
    assert floor_div(6 * H + 4, 2) == 3 * H + 2
    assert floor_div(2 * H + 3, 4) == floor_div(H + 1, 2)
    assert floor_div(4 * H * W + 2 * H, 8) == floor_div(2 * H * W + H, 4)
    assert floor_div(H, 1) == H


def test_ceil_and_scale():
    assert ceil_div(H, 2) == floor_div(H + 1, 2)
    assert ceil_div(H, 2) == conv(H, 3, 2, 1)
    assert scale_floor(H, 2, 1) == 2 * H
    assert scale_floor(H, 1, 2) == floor_div(H, 2)
    assert scale_floor(H, 4, 2) == 2 * H


def test_nested_floors():
    assert floor_div(floor_div(H, 2) + 1, 3) == floor_div(H + 2, 6)
    assert floor_div(floor_div(H + 1, 2) - 5, 2) == floor_div(H - 9, 4)
    assert floor_div(H + floor_div(H, 2), 2) == floor_div(3 * H, 4)
    # 3*floor(H/2)/4 is not floor(3*H/8) (H = 3): it must stay nested
    assert render(floor_div(3 * floor_div(H, 2), 4)) == "floor((3*floor(H/2))/4)"
    assert floor_div(3 * floor_div(H, 2), 4) != floor_div(3 * H, 8)


def test_constants_collapse_to_int():
    for value, expected in [(H - H, 0), ((H + 1) - H, 1), (0 * H, 0), (floor_div(7, 2), 3),
                            (floor_div(-7, 2), -4), (ceil_div(7, 2), 4), (scale_floor(10, 17, 10), 17),
                            (floor_div(H - H + 9, 2), 4), (floor_div(2 * H + 1, 2) - H, 0),
                            ((H + W) * (H - W) - H * H + W * W, 0)]:
        assert type(value) is int and value == expected
    assert floor_div(True, 1) == 1 and type(floor_div(True, 1)) is int


def test_floordiv_operator():
    assert H // 2 == floor_div(H, 2)
    assert (H + 1) // 1 == H + 1


# -- equality, hashing, immutability ------------------------------------------------

def test_equal_constructions_are_equal_and_hash_equal():
    pairs = [((H + 1) * (W + 1), H * W + H + W + 1), (H + W, W + H), ((H + 1) * 2, 2 * H + 2),
             (conv(conv(H, 3, 2, 1), 3, 2, 1), ceil_div(ceil_div(H, 2), 2)),
             (floor_div(H, 2) * floor_div(W, 2), floor_div(W, 2) * floor_div(H, 2))]
    for a, b in pairs:
        assert a == b and hash(a) == hash(b)
    assert len({a for pair in pairs for a in pair}) == len(pairs)


def test_different_expressions_differ():
    assert H != W
    assert floor_div(H, 2) != ceil_div(H, 2)
    assert floor_div(H, 2) != floor_div(H, 3)
    assert H * W != H + W


def test_expr_never_equals_an_int():
    assert (H == 0) is False and (0 == H) is False and H != 1
    assert (H == "H") is False


def test_ordering_and_truth_raise():
    with pytest.raises(TypeError, match="is_symbolic"):
        H < 3
    with pytest.raises(TypeError, match="depends on H, W"):
        3 <= H * W
    with pytest.raises(TypeError, match="is_symbolic"):
        max(H, W)
    with pytest.raises(TypeError, match="truth value"):
        bool(H - 1)


def test_immutable_and_copyable():
    e = floor_div(H + 1, 2) * W
    with pytest.raises(AttributeError):
        e._terms = ()
    assert copy.deepcopy(e) == e and copy.copy(e) == e
    assert pickle.loads(pickle.dumps(e)) == e


def test_bad_operands():
    with pytest.raises(TypeError):
        H + 1.5
    with pytest.raises(TypeError):
        2.0 * H
    with pytest.raises(ValueError, match="positive int"):
        floor_div(H, 0)
    with pytest.raises(ValueError, match="positive int"):
        ceil_div(H, -2)
    with pytest.raises(ValueError):
        floor_div(H, 2.0)
    with pytest.raises(ValueError):
        floor_div(7, 0)
    with pytest.raises(TypeError):
        floor_div(7.0, 2)
    with pytest.raises(ValueError):
        sym("3x")
    with pytest.raises(ValueError):
        sym("")


# -- evaluate, symbols ----------------------------------------------------------------

def test_evaluate():
    assert evaluate(conv(H, 3, 2, 1), {"H": 7}) == 4
    assert evaluate(64 * floor_div(H, 4) * floor_div(W, 4), {"H": 224, "W": 10}) == 64 * 56 * 2
    assert evaluate(floor_div(H - 3, 2), {"H": 0}) == -2
    assert evaluate(5, {}) == 5
    with pytest.raises(KeyError, match="'W'"):
        evaluate(H * W, {"H": 1})
    with pytest.raises(TypeError):
        evaluate(H, {"H": 1.5})


def test_symbols_and_is_symbolic():
    assert symbols(floor_div(H * W + 1, 3) + 2) == {"H", "W"}
    assert symbols(floor_div(H, 2)) == frozenset({"H"})
    assert symbols(3) == frozenset()
    assert is_symbolic(H) and is_symbolic(floor_div(H, 2))
    assert not is_symbolic(3) and not is_symbolic(H - H)


# -- size limits -------------------------------------------------------------------

def test_products_are_bounded_by_their_work_and_sums_by_their_length():
    many = sum(sym(f"x{i}") for i in range(10)) + 1
    assert len((many * many)._terms) == 66  # 11 x 11 pairs: allowed
    wide = sum(sym(f"y{i}") for i in range(64)) + 1
    with pytest.raises(OverflowError, match="a product of 65 x 65 terms"):
        wide * wide
    # a sum costs linear time: a long total is allowed, up to MAX_TERMS
    total = sum((floor_div(H, 2 ** k) * W for k in range(1, 200)), 0)
    assert len(total._terms) == 199
    with pytest.raises(OverflowError, match="terms"):
        sum(sym(f"z{i}") for i in range(MAX_TERMS + 1))


def test_degree_limit():
    x = H
    for _ in range(MAX_DEGREE - 1):
        x = x * H
    assert render(x) == f"H^{MAX_DEGREE}"
    with pytest.raises(OverflowError, match="degree"):
        x * W


def test_nesting_limit():
    x = H
    with pytest.raises(OverflowError, match="too large"):
        for _ in range(50):
            x = floor_div(x * x + 3 * x + 1, 3)


# -- canonical form, exhaustively for conv/pool arithmetic ------------------------------

WINDOW_OPS = {
    "floor2": lambda x: floor_div(x, 2), "floor3": lambda x: floor_div(x, 3),
    "ceil2": lambda x: ceil_div(x, 2), "add1": lambda x: x + 1, "sub1": lambda x: x - 1,
}


def test_window_chains_are_canonical():
    """Chains of floor/ceil divisions and shifts: equal canonical form <=> equal function.

    Every such chain is floor((H + r)/D) + q with D | 81, so agreeing on an interval of
    length > 81 means equal functions.
    """
    points = range(-200, 201)
    by_values: dict = {}
    by_form: dict = {}
    for n in range(5):
        for chain in itertools.product(WINDOW_OPS, repeat=n):
            x = H
            for op in chain:
                x = WINDOW_OPS[op](x)
            assert render(x).count("floor(") <= 1, chain
            values = tuple(evaluate(x, {"H": h}) for h in points)
            by_values.setdefault(values, set()).add(x)
            by_form.setdefault(x, set()).add(values)
    assert all(len(forms) == 1 for forms in by_values.values())
    assert all(len(values) == 1 for values in by_form.values())
    assert len(by_form) < sum(len(WINDOW_OPS) ** n for n in range(5))  # there were collisions


# -- properties: symbolic results agree with int arithmetic ----------------------------

OP = st.one_of(
    st.tuples(st.just("add"), st.integers(-10, 10)),
    st.tuples(st.just("sub"), st.integers(-10, 10)),
    st.tuples(st.just("mul"), st.integers(-3, 3)),
    st.tuples(st.just("neg")),
    st.tuples(st.just("floor"), st.integers(1, 7)),
    st.tuples(st.just("ceil"), st.integers(1, 7)),
    st.tuples(st.just("scale"), st.integers(-20, 20), st.integers(1, 10)),
    st.tuples(st.just("conv"), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3)),
)
CHAIN = st.lists(OP, max_size=8)
VALUE = st.integers(-60, 60)


def run(x, chain):
    """Apply ``chain`` with the dims functions (to an Expr or an int)."""
    for op, *args in chain:
        if op == "add":
            x = x + args[0]
        elif op == "sub":
            x = x - args[0]
        elif op == "mul":
            x = args[0] * x if args[0] % 2 else x * args[0]  # both operand orders
        elif op == "neg":
            x = -x
        elif op == "floor":
            x = floor_div(x, args[0])
        elif op == "ceil":
            x = ceil_div(x, args[0])
        elif op == "scale":
            x = scale_floor(x, *args)
        else:
            x = conv(x, *args)
    return x


def reference(x: int, chain) -> int:
    """The same chain in plain int arithmetic, independent of convcalc.symbolic.dims."""
    for op, *args in chain:
        if op == "add":
            x += args[0]
        elif op == "sub":
            x -= args[0]
        elif op == "mul":
            x *= args[0]
        elif op == "neg":
            x = -x
        elif op == "floor":
            x //= args[0]
        elif op == "ceil":
            x = -(-x // args[0])
        elif op == "scale":
            x = x * args[0] // args[1]
        else:
            k, s, p = args
            x = (x + 2 * p - k) // s + 1
    return x


COMBINE = {"mul": lambda a, b: a * b, "add": lambda a, b: a + b, "sub": lambda a, b: a - b,
           "rsub": lambda a, b: b - a}
PROGRAM = st.tuples(st.sampled_from("HW"), CHAIN, st.sampled_from("HW"), CHAIN,
                    st.sampled_from(sorted(COMBINE)), CHAIN)


def run_program(program, env, apply=run):
    v1, c1, v2, c2, combine, c3 = program
    return apply(COMBINE[combine](apply(env[v1], c1), apply(env[v2], c2)), c3)


def symbolic(program):
    try:
        return run_program(program, {"H": H, "W": W})
    except OverflowError:
        reject()  # rare: products of long chains exceed the term limit


def check_invariants(x):
    """White-box: every floor atom is in the documented normal form."""
    for monomial, coeff in getattr(x, "_terms", ()):
        assert coeff != 0
        for atom, exp in monomial:
            assert exp >= 1
            if atom[0] == 1:
                _, inner, d = atom
                assert d >= 2
                assert all(0 <= c < d for _, c in inner)
                assert math.gcd(d, *(c for m, c in inner if m)) == 1
                floors = [a for m, _ in inner for a, _ in m if a[0] == 1]
                assert not (len(floors) == 1 and dict(inner).get(((floors[0], 1),)) == 1)
                check_invariants(Expr(inner))


@settings(max_examples=400, deadline=None)
@given(PROGRAM, VALUE, VALUE)
def test_symbolic_agrees_with_ints(program, h, w):
    x = symbolic(program)
    assert evaluate(x, {"H": h, "W": w}) == run_program(program, {"H": h, "W": w}, reference)
    assert symbols(x) <= {"H", "W"}
    check_invariants(x)


@settings(max_examples=300, deadline=None)
@given(CHAIN, VALUE)
def test_single_chain_agrees_with_ints(chain, h):
    x = run(H, chain)
    assert evaluate(x, {"H": h}) == reference(h, chain) == run(h, chain)
    assert is_symbolic(x) == (type(x) is not int)


SMALL_OP = st.sampled_from([("floor", 2), ("ceil", 2), ("add", 1), ("sub", 1), ("mul", 2),
                            ("conv", 3, 2, 1), ("scale", 1, 2)])


@settings(max_examples=300, deadline=None)
@given(st.lists(SMALL_OP, max_size=5), st.lists(SMALL_OP, max_size=5), st.lists(VALUE, min_size=5, max_size=5))
def test_equal_forms_evaluate_equal(chain_a, chain_b, points):
    a, b = run(H, chain_a), run(H, chain_b)
    if a == b:
        assert hash(a) == hash(b) and render(a) == render(b)
        assert all(evaluate(a, {"H": h}) == evaluate(b, {"H": h}) for h in points)
    assert render(a) == render(run(H, chain_a))


@settings(max_examples=100, deadline=None)
@given(PROGRAM)
def test_render_is_deterministic(program):
    x = symbolic(program)
    assert render(x) == render(symbolic(program)) == render(copy.deepcopy(x))


def test_render_does_not_depend_on_hash_seed():
    code = ("from convcalc.symbolic.dims import sym, floor_div, render; H, W, C = sym('H'), sym('W'), sym('C');"
            "print(render(C * floor_div(W * H + 3, 4) * floor_div(W + 1, 2) - W * C + H * 5 - 7))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
    assert outputs.pop().strip() == "C*floor((W + 1)/2)*floor((H*W + 3)/4) - C*W + 5*H - 7"
