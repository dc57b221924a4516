"""Layers whose forward takes several tensors or gives several (the plumbing the attention and
recurrent families build on): nn.Bilinear(x1, x2), MaxPool2d(return_indices=True) and
MaxUnpool2d(x, indices, output_size=...), read from Python model files, against torch: shapes,
parameters, and (through `convcalc verify`) the executor's values."""
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_json import one_model

from convcalc.cli import cli

pytestmark = pytest.mark.oracle
ORACLE = dict(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])

BILINEAR = """
import torch
import torch.nn as nn


# convcalc: input {c}x{h}x{w}, {c2}x{h}x{w}
class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d({c}, {f1}, 1)
        self.b = nn.Conv2d({c2}, {f2}, 1)
        self.mix = nn.Bilinear({f1}, {f2}, {out}, bias={bias})

    def forward(self, x, y):
        u = self.a(x).flatten(2).transpose(1, 2)
        v = self.b(y).flatten(2).transpose(1, 2)
        return self.mix(u, v)
"""

UNPOOL = """
import torch
import torch.nn as nn


# convcalc: input 3x{h}x{w}
class Unpool(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.pool = nn.MaxPool2d({k}, return_indices=True)
        self.unpool = nn.MaxUnpool2d({k})

    def forward(self, x):
        x = self.conv(x)
        size = x.size()
        y, indices = self.pool(x)
        return self.unpool(y, indices, output_size=size)
"""


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def values_agree(path):
    """The executor's values against torch's, with the executor's weights copied into torch."""
    from executor_torch import run_both

    from convcalc.load import load_programs

    (program,) = load_programs(str(path), path.read_text(), None, None)
    run_both(program, batch=2)


def build(torch, source, path):
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


@settings(**ORACLE)
@given(c=st.integers(1, 3), c2=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4), f1=st.integers(1, 4),
       f2=st.integers(1, 4), out=st.integers(1, 4), bias=st.booleans())
def test_a_layer_of_two_operands_agrees_with_torch(tmp_path_factory, torch, c, c2, h, w, f1, f2, out, bias):
    source = textwrap.dedent(BILINEAR.format(c=c, c2=c2, h=h, w=w, f1=f1, f2=f2, out=out, bias=bias))
    path = tmp_path_factory.mktemp("pair") / "pair.py"
    path.write_text(source)
    model = build(torch, source, path)["Pair"]().eval()
    expected = model(torch.randn(2, c, h, w), torch.randn(2, c2, h, w))
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["complete"] and data["output"] == list(expected.shape[1:])
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    mix = next(layer for layer in data["layers"] if layer.get("module") == "mix")
    assert mix["params"] == sum(p.numel() for p in model.mix.parameters())
    verified = run("verify", path)
    assert verified.exit_code == 0, verified.output
    values_agree(path)


@pytest.mark.parametrize("h, w, k", [(8, 8, 2), (9, 7, 2), (6, 6, 3)])
def test_a_layer_of_two_outputs_and_an_unpool_of_its_indices_agree_with_torch(tmp_path, torch, h, w, k):
    source = textwrap.dedent(UNPOOL.format(h=h, w=w, k=k))
    path = tmp_path / "unpool.py"
    path.write_text(source)
    model = build(torch, source, path)["Unpool"]().eval()
    expected = model(torch.randn(2, 3, h, w))
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["complete"] and data["output"] == list(expected.shape[1:])
    pool = next(layer for layer in data["layers"] if layer.get("module") == "pool")
    assert pool["outputs"] == [pool["output"], pool["output"]]  # the values and their indices
    verified = run("verify", path)
    assert verified.exit_code == 0, verified.output
    values_agree(path)


def test_a_second_operand_of_the_wrong_size_is_a_finding_with_torchs_numbers(tmp_path, torch):
    source = textwrap.dedent(BILINEAR.format(c=2, c2=2, h=3, w=3, f1=4, f2=5, out=6, bias=True)).replace(
        "nn.Bilinear(4, 5, 6", "nn.Bilinear(4, 7, 6")
    path = tmp_path / "pair.py"
    path.write_text(source)
    model = build(torch, source, path)["Pair"]().eval()
    with pytest.raises(RuntimeError):
        model(torch.randn(2, 2, 3, 3), torch.randn(2, 2, 3, 3))
    result = run("lint", path)
    assert result.exit_code == 1
    assert "CC102 Bilinear expects 7 features in input2 (in2_features=7) but receives 5" in result.output
