"""lint's diagnostics of a symbolic input skip the walks with every symbol equal where no equation
ties the symbols (analyse_inputs(square=False)); what they say must be what the whole report
says: on every example with a symbolic input and on networks hypothesis draws, some with a
Linear after Flatten (an equation in H and W, where the square walks do run)."""
from paths import ROOT

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.frontends.syntax import parse
from convcalc.inputs import analysis
from convcalc.inputs.analysis import analyse_inputs
from convcalc.inputs.diagnostics import symbolic_diagnostics
from convcalc.load import parse_input_option

EXAMPLES = sorted((ROOT / "examples").glob("*.net"))


def said(program, override=None, report=None) -> list:
    return [(e.code, e.message, e.span) for e in symbolic_diagnostics(program, override, report)]


def both(text: str, override=None):
    program = parse(text, "net.net")
    whole = analyse_inputs(program, override, brute_force=False)
    return said(program, override), said(program, override, whole)


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.stem not in ("conv1d_audio", "conv3d_video")],
                         ids=lambda p: p.stem)
def test_every_two_dimensional_example_says_the_same(path):
    text = path.read_text()
    channels = next(line for line in text.splitlines() if line.startswith("input ")).split()[1].split("x")[0]
    if not channels.isdigit():
        pytest.skip("not a C x H x W input")
    mine, whole = both(text, parse_input_option(f"{channels}xHxW"))
    assert mine == whole


def test_the_square_walks_run_where_an_equation_ties_the_symbols(monkeypatch):
    squares = []
    real = analysis.joint_equations
    monkeypatch.setattr(analysis, "joint_equations", lambda *a: squares.append(1) or real(*a))
    said(parse("input 3xHxW\nMaxPool2d(2)\nFlatten()\nLinear(48, 10)\n", "net.net"))
    assert squares  # H * W appears in one equation
    squares.clear()
    said(parse("input 3xHxW\nsave a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a\n", "net.net"))
    assert not squares


LAYER = st.sampled_from(["Conv2d(4, 4, 3)", "Conv2d(4, 4, 3, stride=2)", "Conv2d(4, 4, (3, 5), padding=(0, 1))",
                         "MaxPool2d(2)", "MaxPool2d(3, stride=2, ceil_mode=True)", "AvgPool2d((2, 3))",
                         "save a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a\nConv2d(8, 4, 1)",
                         "residual:\n    Conv2d(4, 4, 3, stride=2, padding=1)"])


@settings(max_examples=40, deadline=None)
@given(st.lists(LAYER, min_size=1, max_size=5), st.sampled_from([None, 16, 36, 64, 100]))
def test_drawn_networks_say_the_same(layers, features):
    lines = ["input 4xHxW"] + layers
    if features is not None:
        lines += ["Flatten()", f"Linear({features}, 10)"]
    mine, whole = both("\n".join(lines) + "\n")
    assert mine == whole
