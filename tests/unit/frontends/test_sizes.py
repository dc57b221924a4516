"""The Python a model runs on the input's symbolic sizes (comparisons, ==, min/max, abs, int(),
round()): decided exactly where every size >= 1 decides it, checked here against brute force
over the sizes; otherwise a positioned "not followed" of kind SIZE, never an internal error."""
import ast
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.frontends.python import sizes
from convcalc.frontends.python.reasons import Unfollowable, Why
from convcalc.symbolic.dims import evaluate, floor_div, sym

H = sym("H")
SAMPLES = range(1, 400)
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

STEP = st.one_of(
    st.tuples(st.just("+"), st.integers(-20, 20)),
    st.tuples(st.just("*"), st.integers(1, 4)),
    st.tuples(st.just("//"), st.integers(1, 8)),
    st.tuples(st.just("%"), st.integers(2, 5)),
)


def build(steps):
    x = H
    for op, k in steps:
        if op == "+":
            x = x + k
        elif op == "*":
            x = x * k
        elif op == "//":
            x = floor_div(x, k)
        else:
            x = x - floor_div(x, k) * k
    return x


def values(x):
    return [evaluate(x, {"H": h}) if not isinstance(x, int) else x for h in SAMPLES]


@settings(max_examples=300, deadline=None)
@given(st.lists(STEP, max_size=4), st.sampled_from(sorted(OPS)), st.integers(-30, 30))
def test_an_order_decided_on_a_size_holds_for_every_size(steps, op, number):
    x = build(steps)
    try:
        decided = sizes.order(op, x, number, None)
    except Unfollowable as exc:
        assert exc.kind == Why.SIZE
        return
    assert all(OPS[op](v, number) == decided for v in values(x)), (x, op, number)


@settings(max_examples=200, deadline=None)
@given(st.lists(STEP, max_size=3), st.lists(STEP, max_size=3))
def test_equality_of_two_sizes_holds_for_every_size_where_decided(first, second):
    a, b = build(first), build(second)
    try:
        decided = sizes.equal(a, b, None)
    except Unfollowable as exc:
        assert exc.kind == Why.SIZE
        return
    assert all((u == v) == decided for u, v in zip(values(a), values(b)))


@pytest.mark.parametrize("number", [0.5, 2.5, -1.0, float("inf"), float("nan"), 3.0, True, False])
def test_a_size_against_a_float_or_a_bool(number):
    for op in OPS:
        try:
            decided = sizes.order(op, H + 2, number, None)
        except Unfollowable as exc:
            assert exc.kind == Why.SIZE
            continue
        assert all(OPS[op](h + 2, number) == decided for h in SAMPLES)


def run(code):
    """A function of the file run on a symbolic size: its result, or the reason it stopped."""
    from convcalc.frontends.python.execute import execute
    from convcalc.frontends.python.machine import Machine
    from convcalc.frontends.python.pyobjects import Args, call
    from convcalc.frontends.python.source import Source

    tree = ast.parse(code)
    machine = Machine(Source(code, "sizes.py"), tree)
    frame = machine.frame()
    for stmt in tree.body:
        execute(frame, stmt)
    try:
        return call(frame, machine.globals.vars["f"], Args.of(H), tree.body[-1])
    except Unfollowable as exc:
        return exc


@pytest.mark.parametrize("body, expected", [
    ("return max(0, h - 3) if h > 3 else 0", None),
    ("return max(1, h)", "H"),
    ("return min(h, h + 4)", "H"),
    ("return int(h) + round(h)", "2*H"),
    ("return abs(h - 0)", "H"),
    ("return max(h // 2, 0)", None),
    ("return 1 if h >= 1 else 2", 1),
    ("return h == 'a', h != None, h == 0", (False, True, False)),
    ("return float(h)", "size"),
    ("return max(16 - h, 0)", "size"),
    ("return min([h, 3])", "size"),
    ("return sorted([h, h + 1])", None),
    ("return h < 13", "size"),
])
def test_python_on_a_symbolic_size_is_decided_or_positioned(body, expected):
    """Never an internal error: a value where every size decides it, else a reason of kind SIZE."""
    out = run(f"def f(h):\n    {body}\n")
    if expected == "size":
        assert isinstance(out, Unfollowable) and out.kind == Why.SIZE and out.node is not None
    elif isinstance(expected, str):
        from convcalc.symbolic.dims import render

        assert render(out) == expected
    elif expected is not None:
        assert out == expected
    else:
        assert not isinstance(out, Exception) or (isinstance(out, Unfollowable) and out.kind == Why.SIZE)
