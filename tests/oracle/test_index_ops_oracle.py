"""torch.baddbmm, index_select, Tensor.repeat and gather in a forward, against torch: hypothesis draws the
sizes, the dim and the indices; a small model file is read by convcalc and run by torch. The output
shape with the batch, and whether torch refuses (convcalc then gives a finding or stops, never a
shape), must agree; fvcore's count of baddbmm is the flop counter's, which counts it as its bmm."""
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc import adapter
from convcalc.metrics.memory import total_macs

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BATCH = 2

TEMPLATE = """
import torch
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("index", torch.tensor({index}))

    def forward(self, x):
{body}
"""


def run_both(torch, body: str, index: list, shape: tuple):
    text = textwrap.dedent(TEMPLATE).format(index=index, body=textwrap.indent(body, " " * 8))
    space: dict = {}
    exec(compile(text, "m.py", "exec"), space)  # the test's own fixture, built in torch
    try:
        expected = tuple(space["M"]()(torch.randn(BATCH, *shape)).shape)
    except (RuntimeError, IndexError, ValueError, TypeError):
        expected = None
    programs, override = adapter.programs("m.py", text, None, "x".join(map(str, shape)))
    analysis = adapter.analyse(programs[0], override, fields=True)
    got = (BATCH, *analysis.output) if analysis.ok and analysis.complete else None
    return text, expected, got, analysis


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.booleans())
def test_baddbmm_is_its_bmm_plus_the_input_broadcast(torch, n, m, p, k, broadcast):
    inner = m if k > 1 else m + 1  # now and then the inner sizes differ: torch refuses
    body = (f"a = x[:, :, :{m}]\nb = x[:, :{inner}, :{p}]\n"
            f"c = torch.zeros(x.size(0), {1 if broadcast else n}, {p})\n"
            "return torch.baddbmm(c, a, b, beta=0.5, alpha=2.0)")
    shape = (max(n, inner), max(m, p))
    text, expected, got, analysis = run_both(torch, body.replace("x[:, :, :", f"x[:, :{n}, :"), [0], shape)
    assert got == expected, text
    if expected is not None:
        from torch.utils.flop_counter import FlopCounterMode

        space: dict = {}
        exec(compile(text, "m.py", "exec"), space)
        with torch.device("meta"):
            model = space["M"]()
        with FlopCounterMode(display=False) as counter:
            model(torch.randn(BATCH, *shape, device="meta"))
        assert total_macs(analysis, "fvcore", BATCH) == counter.get_total_flops() // 2, text


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_index_select_is_torchs(torch, shape, data):
    rank = len(shape) + 1
    dim = data.draw(st.integers(-rank, rank - 1))
    size = shape[dim % rank - 1] if dim % rank else BATCH
    index = data.draw(st.lists(st.integers(-1, size), min_size=1, max_size=4))  # now and then out of range
    for body in (f"return torch.index_select(x, {dim}, self.index)", f"return x.index_select({dim}, self.index)"):
        text, expected, got, _ = run_both(torch, body, index, tuple(shape))
        if dim % rank == 0:
            assert got is None, text  # the batch's own dim: convcalc follows one sample and says so
            continue
        assert got == expected, text


@SETTINGS
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
def test_repeat_is_torchs(torch, shape, data):
    repeats = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape)))
    batch = data.draw(st.sampled_from([1, 1, 1, 2]))
    extra = data.draw(st.lists(st.integers(1, 2), max_size=1))
    fewer = data.draw(st.integers(0, 5)) == 0
    given = [*extra, batch, *(repeats[1:] if fewer else repeats)]
    text, expected, got, _ = run_both(torch, f"return x.repeat({', '.join(map(str, given))})", [0], tuple(shape))
    full = len(shape) + 1
    if expected is not None and (len(given) > full or given[0] != 1 or 0 in expected):
        assert got is None, text  # dims before the batch, the batch tiled, or an empty tensor: no shape given
        return
    assert got == expected, text


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_gather_is_torchs(torch, shape, data):
    """x.gather(dim, index) and torch.gather(x, dim, index) with an index made in forward from a second
    input (its sizes at most the input's, now and then larger or of another rank: torch refuses)."""
    rank = len(shape) + 1
    dim = data.draw(st.integers(1, rank - 1)) * data.draw(st.sampled_from([1, -1]))
    dim = dim if dim > 0 else dim % rank - rank
    at = dim % rank - 1
    size = shape[at]
    index = [data.draw(st.integers(1, 4)) if d == at else data.draw(st.integers(1, s + (1 if not data.draw(
        st.integers(0, 6)) else 0))) for d, s in enumerate(shape)]
    if not data.draw(st.integers(0, 8)):
        index.append(1)
    body = (f"i = y.long().abs() % {size}\n"
            f"return x.gather({dim}, i) + torch.gather(x, {dim}, i)")
    text = textwrap.dedent(TEMPLATE).format(index=[0], body=textwrap.indent(body, " " * 8)).replace(
        "def forward(self, x):", "def forward(self, x, y):")
    space: dict = {}
    exec(compile(text, "m.py", "exec"), space)  # the test's own fixture, built in torch
    try:
        expected = tuple(space["M"]()(torch.randn(BATCH, *shape), 5 * torch.randn(BATCH, *index)).shape)
    except (RuntimeError, IndexError, ValueError, TypeError):
        expected = None
    dims_text = "x".join(map(str, shape)) + ", " + "x".join(map(str, index))
    programs, override = adapter.programs("m.py", text, None, dims_text)
    analysis = adapter.analyse(programs[0], override, fields=True)
    got = (BATCH, *analysis.output) if analysis.ok and analysis.complete else None
    assert got == expected, text
