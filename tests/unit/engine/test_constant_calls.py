"""A call's constant arguments are evaluated and bound once per program (engine/constant.py): every
walk must come out as if each had worked them out again. lint's whole result (its shape walk and
the search's walks on one program) and two shape walks of one program are compared with the same
runs where nothing is kept, on the bundled examples, a model file and drawn networks; an argument
that fails is refused at every walk, and each program keeps its own."""
from paths import ROOT

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.engine import constant
from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse
from convcalc.lint.cache import encode
from convcalc.lint.onefile import lint_text
from convcalc import nodes as n

EXAMPLES = sorted((ROOT / "examples").glob("*.net"))

MODEL = """import torch.nn as nn
import torch.nn.functional as F


# convcalc: input 3x32x32
class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(3, width, 3, stride=2)
        self.shared = nn.Conv2d(width, width, 3, padding=1)
        self.fc = nn.Linear(width * 16 * 16, 10)

    def forward(self, x):
        x = self.conv(self.pad(x))
        x = self.shared(F.relu(self.shared(x)))
        return self.fc(x.flatten(1))
"""


def rows(analysis) -> list:
    return [(row.layer, row.shape, row.params, row.formula) for row in analysis.rows] + \
        [(w.code, w.message, w.span) for w in analysis.warnings] + [repr(analysis.error)]


def results(text: str, path: str) -> tuple:
    linted = lint_text(path, text, None, None)
    program = parse(text, path) if path.endswith(".net") else None
    walks = [rows(analyse(program)) for _ in range(2)] if program is not None else []
    return encode(linted, linted.sources), walks


def both(text: str, path: str = "net.net") -> tuple:
    kept = results(text, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(constant.Constants, "of", lambda self, stmt, evaluate: None)
        whole = results(text, path)
    return kept, whole


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_lints_and_walks_the_same_with_constants_kept(path):
    kept, whole = both(path.read_text())
    assert kept == whole


def test_a_model_file_lints_the_same_with_constants_kept():
    kept, whole = both(MODEL, "model.py")
    assert kept == whole


LINES = st.sampled_from([
    "Conv2d({c}, {c}, 3, padding=1)", "Conv2d({c}, {c}, 3, stride=2 * 1)", "Conv2d({c}, {c}, (3, 1), padding=(1, 0))",
    "MaxPool2d(2)", "MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)", "AvgPool2d(2, padding=1)", "ReLU()",
    "ReflectionPad2d(1)\nConv2d({c}, {c}, 2, stride=2)", "Conv2d({c}, {c}, 0)", "Conv2d({c}, 2 * {c}, 1)",
    "BatchNorm2d({c})", "BatchNorm2d(-{c})", "Upsample(scale_factor=2)", "Dropout(0.5)", "Dropout(p=1.5)",
    "block({c})", "repeat 2 as i:\n    Conv2d({c}, {c}, 1 + 2 * i, padding=i)", "save a\nMaxPool2d(2)\nconcat a",
    "fc()", "residual:\n    Conv2d({c}, {c}, 3, padding=1)\n    ReLU()"])
HEAD = "def block(c, k=3):\n    Conv2d(c, c, k, padding=k // 2)\n    ReLU()\nlayer fc = Conv2d(4, 4, 1)\n"


@settings(max_examples=40, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=6), st.sampled_from(["4xHxW", "4x16x16", "4x7x9"]))
def test_drawn_networks_lint_and_walk_the_same_with_constants_kept(lines, size):
    text = HEAD + f"input {size}\n" + "\n".join(line.format(c=4) for line in lines) + "\n"
    kept, whole = both(text)
    assert kept == whole


def test_only_arguments_that_read_nothing_are_constants():
    program = parse("input 3x8x8\nlet k = 3\nConv2d(3, 8, (k, 1))\nConv2d(8, 8, (3, -1 + 2), stride=2 * 1)\n", "n.net")
    first, second = [s for s in program.body if isinstance(s, n.Call)]
    assert not all(constant.is_constant(a) for a in first.args)
    assert all(constant.is_constant(a) for a in second.args)


def test_an_argument_that_fails_is_refused_at_every_walk_and_not_kept():
    program = parse("input 3x8x8\nConv2d(3, 8, 3 // 0)\n", "n.net")
    first, second = analyse(program), analyse(program)
    assert first.error is not None and repr(first.error) == repr(second.error)
    call = [s for s in program.body if isinstance(s, n.Call)][0]
    assert constant.constants_of(program).calls.get(id(call)) is None


def test_each_program_keeps_its_own_constants():
    text = "input 3x8x8\nConv2d(3, 8, 3)\n"
    one, other = parse(text, "a.net"), parse(text, "b.net")
    analyse(one)
    assert constant.constants_of(one) is not constant.constants_of(other)
    assert any(constant.constants_of(one).calls.values()) and not constant.constants_of(other).calls
