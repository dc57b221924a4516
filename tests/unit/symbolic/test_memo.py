"""The memo of arithmetic on symbolic sizes (dims._remembered): a remembered result is the one the
operation makes, an operation past the bounds fails every time, and the memo stays bounded."""
import pytest
from hypothesis import given, settings, strategies as st

from convcalc.symbolic import dims

H, W = dims.sym("H"), dims.sym("W")


def fresh(op, a, b):
    """The operation with the memo emptied before it: computed, never remembered."""
    dims._MEMO.clear()
    return op(a, b)


OPS = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: b - a if isinstance(b, int) else a - b,
       lambda a, b: a * b, lambda a, b: dims.floor_div(a, b) if isinstance(b, int) and b > 0 else a * 2]


@st.composite
def sizes(draw):
    base = draw(st.sampled_from([H, W, H * W, dims.floor_div(H, 2), 2 * dims.floor_div(H + 3, 4) - 1]))
    return base * draw(st.integers(1, 5)) + draw(st.integers(-4, 4))


@settings(max_examples=200, deadline=None)
@given(sizes(), st.one_of(st.integers(1, 9), sizes()), st.integers(0, len(OPS) - 1))
def test_a_remembered_result_is_the_computed_one(a, b, which):
    op = OPS[which]
    expected = fresh(op, a, b)
    assert op(a, b) == expected and op(a, b) == expected  # the second and third come from the memo
    if dims.is_symbolic(expected):
        assert dims.render(op(a, b)) == dims.render(expected)


def test_an_operation_past_the_bounds_fails_each_time():
    big = H * 2 ** 1000
    for _ in range(3):
        with pytest.raises(OverflowError):
            big * 2 ** 100


def test_the_memo_is_emptied_at_its_bound(monkeypatch):
    monkeypatch.setattr(dims, "MEMO_SIZE", 50)
    dims._MEMO.clear()
    for i in range(500):
        assert H + i - i == H
        assert len(dims._MEMO) <= 50
