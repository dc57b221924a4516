"""Windowed attention drawn against torch: the shifted-window and the cosine-window fixtures
(tests/fixtures/corpus/attention/) built with drawn widths, window sizes and inputs (windows
that tile the feature map, or not: then torch refuses at the partition, and convcalc must stop
there too). Parameters, the output, every module call's output, torchinfo's mult-adds and the
flop counter's must be torch's, measured here."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_harness import layer_calls, load_module, measure_in_torch, read_with_convcalc

FIXTURES = [("attention/shifted_windows.py", "TinySwin"), ("attention/cosine_windows.py", "TinySwinV2")]


@st.composite
def windowed(draw):
    path, name = draw(st.sampled_from(FIXTURES))
    size = draw(st.integers(2, 4))
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    odd = draw(st.integers(0, 7)) == 0  # a feature map the windows do not tile
    dim = 2 * draw(st.integers(2, 6))
    build = f"{name}(classes={draw(st.integers(1, 5))}, dim={dim}, size={size})"
    return path, build, (3, 2 * size * rows + (2 if odd else 0), 2 * size * cols)


@pytest.mark.oracle
@settings(max_examples=12, deadline=None)
@given(windowed())
def test_windowed_attention_matches_torch(case):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode
    from torchinfo import summary

    from convcalc.metrics import memory

    path, build, shape = case
    try:
        params, outputs, calls = measure_in_torch(path, build, shape)
    except RuntimeError:  # torch refuses the input (windows that do not tile it): so must convcalc
        analysis = read_with_convcalc(path, build, shape)
        assert not analysis.ok or not analysis.complete, build
        return
    analysis = read_with_convcalc(path, build, shape)
    assert analysis.complete and analysis.ok, (build, shape)
    assert analysis.total_params == params
    assert [tuple(analysis.output)] == outputs
    assert layer_calls(analysis) == calls
    built = eval(build, vars(load_module(path)))  # the test's own expression, on the test's own fixture
    built.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        built(torch.rand(2, *shape))
    stats = summary(built, input_size=(2, *shape), verbose=0, mode="eval")
    assert memory.total_macs(analysis, "torchinfo", 2) == stats.total_mult_adds
    assert memory.total_macs(analysis, "fvcore", 2) == counter.get_total_flops() // 2
