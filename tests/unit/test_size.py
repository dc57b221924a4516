"""`convcalc size` over 1, 2 and 3 axes, -p same/valid, --pool and --format json: exact output,
and (marked oracle) every size torch's own layers give, for settings hypothesis draws."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.cli import cli
from convcalc.lookup import lookup
from click.testing import CliRunner


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_two_axes_with_the_same_settings_are_worked_out_once():
    result = invoke("size", "224x224", "-k", "7", "-s", "2", "-p", "3")
    assert result.exit_code == 0
    assert result.stdout == """\
H = W:
  O = floor((I + 2P - K)/S) + 1
    = floor((224 + 2*3 - 7)/2) + 1
    = floor(223/2) + 1
    = 111 + 1 = 112
  223/2 = 111.5 is not an integer: floor drops a remainder of 1, what is left over lies in the padding, so every input row is covered
output: 112x112
"""


def test_a_kernel_per_axis():
    result = invoke("size", "224x224", "-k", "3x5")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "H:" and "W:" in lines and lines[-1] == "output: 222x220"


def test_three_axes():
    result = invoke("size", "16x112x112", "-k", "3x7x7", "-s", "1x2x2", "-p", "1x3x3")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "output: 16x56x56"
    assert result.stdout.startswith("D:\n") and "\nH = W:\n" in result.stdout


def test_padding_same_and_valid():
    result = invoke("size", "32x32", "-k", "4", "-p", "same")
    assert result.stdout == """\
H = W:
  padding='same': D*(k - 1) = 1*(4 - 1) = 3 rows of padding, 1 before and 2 after (PyTorch puts the odd one after)
  O = I = 32
output: 32x32
"""
    strided = invoke("size", "32", "-k", "3", "-p", "same", "-s", "2")
    assert strided.exit_code == 1 and "for stride 1 only" in strided.stdout
    assert invoke("size", "32", "-k", "3", "-p", "valid").stdout == invoke("size", "32", "-k", "3").stdout


def test_pool_takes_the_kernel_as_its_stride():
    """As MaxPool2d(2): without --pool the stride is 1 and 32 -k 2 --ceil gives 31."""
    assert "= 30 + 1 = 31" in invoke("size", "32", "-k", "2", "--ceil").stdout
    pooled = invoke("size", "32", "-k", "2", "--pool")
    assert "floor((32 + 2*0 - 2)/2) + 1" in pooled.stdout and "= 15 + 1 = 16" in pooled.stdout
    assert "= 15 + 1 = 16" in invoke("size", "31", "-k", "2", "--pool", "--ceil").stdout
    too_much = invoke("size", "8", "-k", "2", "-p", "2", "--pool")
    assert too_much.exit_code == 1 and "more than half the kernel" in too_much.stdout


def test_json():
    data = json.loads(invoke("size", "224x224", "-k", "7", "-s", "2", "-p", "3", "--format", "json").stdout)
    assert data["input"] == [224, 224] and data["output"] == [112, 112] and data["ok"] is True
    assert data["kernel"] == [7, 7] and data["stride"] == [2, 2] and data["padding"] == [3, 3]
    assert data["axes"][0]["axes"] == ["H", "W"] and data["axes"][0]["lines"][0].startswith("O = floor")
    bad = json.loads(invoke("size", "4", "-k", "5", "--format", "json").stdout)
    assert bad["ok"] is False and bad["output"] is None
    solved = json.loads(invoke("size", "32", "--solve", "16", "-k", "3", "--format", "json").stdout)
    assert solved["ok"] is True and "32 -> 16 with k=3: s=2, p=1" in solved["lines"]


@pytest.mark.parametrize("args, fragment", [
    (["32x32", "-k", "3x3x3"], "has 3 values for an input of 2 axes (HxW): give one, or 2"),
    (["32x32x32x32", "-k", "3"], "give a number or one per axis"),
    (["0", "-k", "3"], "0 is outside 1..1,000,000,000"),
    (["32", "-k", "3", "-p", "middle"], "-p/--padding 'middle': give a number or one per axis"),
    (["32", "-k", "3", "--output-padding", "1"], "--output-padding goes with --transposed"),
    (["32", "-k", "3", "-p", "same", "--pool"], "PyTorch's pooling layers do not take it"),
    (["32", "-k", "3", "--transposed", "--pool"], "--transposed does not take --pool"),
    (["32x32", "--solve", "16"], "one axis with --solve"),
])
def test_bad_settings_are_usage_errors(args, fragment):
    result = invoke("size", *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr


# ---------------------------------------------------------------- against torch

SMALL = st.integers(1, 4)


@st.composite
def sliding_cases(draw):
    rank = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 12)) for _ in range(rank))
    kernel = tuple(draw(SMALL) for _ in range(rank))
    pool = draw(st.booleans())
    stride = None if pool and draw(st.booleans()) else tuple(draw(SMALL) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(rank))
    same = not pool and draw(st.integers(0, 3)) == 0
    padding = "same" if same else tuple(draw(st.integers(0, 3)) for _ in range(rank))
    ceil = pool and draw(st.booleans())
    return size, kernel, stride, padding, dilation, ceil, pool


def text(values):
    return "x".join(str(v) for v in values)


def torch_output(torch, size, kernel, stride, padding, dilation, ceil, pool):
    """The spatial output torch gives, or None where it refuses (or the output is empty)."""
    nn = torch.nn
    rank = len(size)
    try:
        if pool:
            layer = [nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d][rank - 1](
                kernel, stride=stride if stride is not None else kernel, padding=padding, dilation=dilation,
                ceil_mode=ceil)
        else:
            layer = [nn.Conv1d, nn.Conv2d, nn.Conv3d][rank - 1](1, 1, kernel, stride=stride or 1, padding=padding,
                                                               dilation=dilation)
        out = layer(torch.zeros((1, 1) + size))
    except (RuntimeError, ValueError):
        return None
    return tuple(out.shape[2:]) if all(out.shape[2:]) else None


@pytest.mark.oracle
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sliding_cases())
def test_size_agrees_with_torch(torch, case):
    size, kernel, stride, padding, dilation, ceil, pool = case
    expected = torch_output(torch, size, kernel, stride, padding, dilation, ceil, pool)
    got = lookup(text(size), text(kernel), text(stride) if stride else None,
                 padding if padding == "same" else text(padding), text(dilation), ceil, False, None, pool)
    assert (got.output if got.ok else None) == expected, (case, got.lines())


@pytest.mark.oracle
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 3).flatmap(lambda rank: st.tuples(*[st.tuples(st.integers(1, 8), SMALL, SMALL, st.integers(0, 3),
                                                                    st.integers(1, 2), st.integers(0, 3))] * rank)))
def test_transposed_size_agrees_with_torch(torch, axes):
    size, kernel, stride, padding, dilation, output_padding = zip(*axes)
    rank = len(size)
    try:
        layer = [torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d][rank - 1](
            1, 1, kernel, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
        out = layer(torch.zeros((1, 1) + size))
        expected = tuple(out.shape[2:]) if all(out.shape[2:]) else None
    except (RuntimeError, ValueError):
        expected = None
    got = lookup(text(size), text(kernel), text(stride), text(padding), text(dilation), False, True,
                 text(output_padding), False)
    assert (got.output if got.ok else None) == expected, (axes, got.lines())
