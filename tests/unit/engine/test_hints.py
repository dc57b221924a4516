"""An input written in another convention (Keras' channels last, PyTorch's printed batch) gets a
hint at the first layer; PyTorch's containers pasted into a description are named as such."""
import pytest
from click.testing import CliRunner

from convcalc.cli import cli


def message(text):
    result = CliRunner().invoke(cli, ["shapes", "-e", text])
    assert result.exit_code == 1, result.output
    return result.stderr.splitlines()[0]


@pytest.mark.parametrize("text, hint", [
    ("input 32x32x3; Conv2d(3, 8, 3)", "; the input 32x32x3 has its channels last, as Keras and TensorFlow write it: "
                                       "PyTorch puts them first (input 3x32x32)"),
    ("input 16000x1; Conv1d(1, 8, 3)", "PyTorch puts them first (input 1x16000)"),
    ("input 8x16x16x3; Conv3d(3, 8, 3)", "PyTorch puts them first (input 3x8x16x16)"),
    ("input 1x3x32x32; Conv2d(3, 8, 3)", "; the input line is one sample, without the batch: input 3x32x32 (--batch "
                                         "gives the batch for mult-adds)"),
    ("input 1x32x32x3; Conv2d(3, 8, 3)", "without the batch: input 3x32x32"),
    ("input 4x1x28x28; Conv2d(1, 8, 3)", "without the batch: input 1x28x28"),
])
def test_the_first_layer_names_the_convention(text, hint):
    assert hint in message(text)


@pytest.mark.parametrize("text", [
    "input 8x32x32; Conv2d(3, 8, 3)",  # a plain mismatch: no convention explains it
    "input 3x32x32; ReLU(); Conv2d(4, 8, 3)",  # not the first layer
    "input 3x32x3; Conv2d(3, 8, 3); Conv2d(3, 8, 3)",
])
def test_no_hint_where_it_would_mislead(text):
    assert "Keras" not in message(text) and "without the batch" not in message(text)


@pytest.mark.parametrize("text, where", [
    ("input 3x32x32\nnn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.ReLU(),\n)\n", "2:1"),
    ("input 3x8x8; Sequential(Conv2d(3, 8, 3))", "1:14"),
    ("input 3x8x8\ntorch.nn.ModuleList([])", "2:1"),
])
def test_a_pasted_container_is_pointed_at_itself(text, where):
    result = CliRunner().invoke(cli, ["shapes", "-"], input=text)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"<stdin>:{where}: CC001 ") and "is PyTorch's container, not a layer" in first
