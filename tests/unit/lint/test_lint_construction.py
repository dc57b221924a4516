"""Issue 22, items 5 and 6: a Linear straight after a conv/pool stack without a flatten (CC213, a
warning even without a size), and what torch refuses when a layer is built (CC106 at the
construction, even where no forward runs the layer)."""
import textwrap

import pytest

from convcalc.lint.onefile import lint_text


def findings(source, path="m.py"):
    linted = lint_text(path, textwrap.dedent(source), None, None)
    return [(f.code, f.span.line) for f in linted.findings]


MISSING_FLATTEN = """
import torch.nn as nn


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(128, 4)

    def forward(self, x):
        x = self.conv(x)
        {between}
        return self.out(x)
"""


def test_a_linear_straight_after_a_pool_is_a_missing_flatten_without_any_size():
    assert findings(MISSING_FLATTEN.format(between="pass")) == [("CC213", 9)]


@pytest.mark.parametrize("between", ["x = x.view(x.size(0), -1)", "x = x.flatten(1)", "x = x.mean((2, 3))"])
def test_a_flatten_view_or_global_mean_between_is_no_finding(between):
    assert [code for code, _ in findings(MISSING_FLATTEN.format(between=between))] in ([], ["CC102"])


def test_a_linear_on_a_flat_or_sequence_input_is_no_missing_flatten():
    source = """
        import torch.nn as nn

        # convcalc: input 16x32
        net = nn.Sequential(nn.Conv1d(16, 8, 3), nn.Linear(30, 4))
        # convcalc: input 20
        mlp = nn.Sequential(nn.Linear(20, 8), nn.ReLU(), nn.Linear(8, 2))
    """
    assert findings(source) == []


@pytest.mark.parametrize("layer, line", [
    ("nn.GroupNorm(8, channels)", 7),
    ("nn.Conv2d(channels, 360, 1, groups=8)", 7),
    ("nn.Conv2d(channels, 8, 3, stride=2, padding='same')", 7),
])
def test_a_layer_torch_refuses_to_build_is_found_where_it_is_built_even_unused(layer, line):
    source = f"""
        import torch.nn as nn


        class Block(nn.Module):
            def __init__(self, channels, use=True):
                super().__init__()
                self.extra = {layer}
                self.conv = nn.Conv2d(channels, channels, 1)
                self.use = use

            def forward(self, x):
                x = self.conv(x)
                return self.extra(x) if self.use else x


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = Block(16)
                self.b = Block(90 if {"'same'" not in layer and "Group" not in layer} else 1, use=False)

            def forward(self, x):
                return self.b(self.a(x)[:, :1])
    """
    found = findings(source)
    assert ("CC106", line + 1) in found, found


def test_a_layer_torch_builds_is_no_construction_finding():
    source = """
        import torch.nn as nn

        # convcalc: input 16x8x8
        net = nn.Sequential(nn.Conv2d(16, 32, 3, groups=8, padding='same'), nn.GroupNorm(8, 32))
    """
    assert findings(source) == []


def test_a_layer_of_two_tensors_is_left_to_its_call():
    source = """
        import torch.nn as nn


        class Pair(nn.Module):
            def __init__(self):
                super().__init__()
                self.bi = nn.Bilinear(4, 5, 6)

            def forward(self, x, y):
                return self.bi(x, y)
    """
    assert findings(source) == []
