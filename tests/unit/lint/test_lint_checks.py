"""Message-class tests per lint check, pyflakes style: lint a snippet, compare the message classes."""
import textwrap

import pytest

from convcalc.lint import messages as m
from convcalc.lint.onefile import lint_text
from convcalc.load import parse_input_option


def flakes(source, *expected, path="model.py", input_dims=None, fallback=None):
    """Lint ``source``; assert the classes of the findings (in line order); return the findings."""
    text = textwrap.dedent(source)
    cli_input = parse_input_option(input_dims) if input_dims else None
    fallback = parse_input_option(fallback) if fallback else None
    findings, notes, _ = lint_text(path, text, cli_input, fallback)
    findings.sort(key=lambda f: (f.span.line, f.span.col, f.code))
    got = [type(f) for f in findings]
    assert got == list(expected), [(f.code, f.span.line, f.message) for f in findings]
    return findings


def net(body, input_line="input 3x32x32"):
    return input_line + "\n" + textwrap.dedent(body).lstrip("\n")


# ---------------------------------------------------------------- CC202 bias before a norm


def test_bias_before_batchnorm():
    [found] = flakes(net("""
        Conv2d(3, 8, 3)
        BatchNorm2d(8)
        ReLU()
    """), m.BiasBeforeNorm, path="a.net")
    assert found.code == "CC202" and found.severity == "warning"
    assert found.span.line == 2
    assert found.message == ("Conv2d(3, 8, 3) has a bias that the following BatchNorm2d (line 3) cancels: it "
                             "subtracts the per-channel mean; pass bias=False")


def test_bias_written_true_points_at_the_keyword():
    [found] = flakes(net("Conv2d(3, 8, 3, bias=True)\nBatchNorm2d(8)\n"), m.BiasBeforeNorm, path="a.net")
    assert (found.span.col, found.span.end_col) == (17, 26)


def test_no_bias_no_warning():
    flakes(net("Conv2d(3, 8, 3, bias=False)\nBatchNorm2d(8)\n"), path="a.net")


def test_bias_before_instance_norm_and_transposed_conv():
    flakes(net("ConvTranspose2d(3, 8, 2, stride=2)\nInstanceNorm2d(8)\n"), m.BiasBeforeNorm, path="a.net")


def test_activation_between_conv_and_norm_is_fine():
    flakes(net("Conv2d(3, 8, 3)\nReLU()\nBatchNorm2d(8)\n"), path="a.net")


def test_linear_before_batchnorm1d_on_flat_input():
    flakes(net("Linear(10, 4)\nBatchNorm1d(4)\n", "input 10"), m.BiasBeforeNorm, path="a.net")


def test_linear_on_sequence_before_batchnorm1d_is_not_redundant():
    # Linear acts on L, BatchNorm1d normalises the 4 channels over L: the bias is not cancelled
    flakes(net("Linear(10, 10)\nBatchNorm1d(4)\n", "input 4x10"), path="a.net")


def test_directly_before_means_in_the_data_flow():
    # the shortcut's BatchNorm follows the body's last Conv in the text, not in the flow
    flakes(net("""
        residual:
            Conv2d(3, 3, 3, padding=1)
            shortcut:
                BatchNorm2d(3)
    """), path="a.net")


def test_bias_before_norm_in_python_forward():
    flakes("""
        import torch.nn as nn
        import torch.nn.functional as F

        # convcalc: input 3x32x32
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.bn = nn.BatchNorm2d(8)

            def forward(self, x):
                return F.relu(self.bn(self.conv(x)))
    """, m.BiasBeforeNorm)


# ---------------------------------------------------------------- CC210 softmax without dim


def test_softmax_without_dim():
    [found] = flakes(net("Flatten()\nLinear(3072, 10)\nSoftmax()\n"), m.SoftmaxWithoutDim, path="a.net")
    assert found.message == ("Softmax without dim: PyTorch chooses the dimension implicitly and warns; pass dim=1 "
                             "(or dim=-1)")


def test_softmax_without_dim_on_a_sequence_picks_the_batch():
    [found] = flakes(net("LogSoftmax()\n", "input 4x10"), m.SoftmaxWithoutDim, path="a.net")
    assert "it picks dim 0, the batch" in found.message


def test_softmax_with_dim_is_fine():
    flakes(net("Softmax(dim=1)\n"), path="a.net")


def test_functional_softmax_without_dim():
    flakes("""
        import torch.nn as nn
        import torch.nn.functional as F

        # convcalc: input 10
        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 3)

            def forward(self, x):
                return F.softmax(self.fc(x))
    """, m.SoftmaxWithoutDim)


# ---------------------------------------------------------------- CC211 unused layer


UNUSED = """
    import torch
    import torch.nn as nn

    # convcalc: input 1x28x28
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3)
            self.dropout = nn.Dropout(0.5)
            self.fc = nn.Linear(4 * 26 * 26, 10)

        def forward(self, x):
            x = torch.flatten(self.conv(x), 1)
            return self.fc(x)
"""


def test_unused_layer():
    [found] = flakes(UNUSED, m.UnusedLayer)
    assert found.span.line == 10
    assert found.message == "self.dropout is assigned a layer in Net.__init__ but never used: forward never reads it"


def test_layer_used_in_another_method_is_used():
    flakes(UNUSED + """
        def features(self, x):
            return self.dropout(x)
    """)


def test_layer_read_outside_the_class_is_used():
    flakes(UNUSED + "\n    print(Net().dropout)\n")  # indented as UNUSED is: the text must parse


def test_dynamic_access_disables_the_unused_check():
    flakes(UNUSED + """
        def layers(self):
            return list(self.children())
    """)


def test_layer_used_under_a_false_condition_is_used():
    flakes("""
        import torch.nn as nn

        # convcalc: input 10
        class Net(nn.Module):
            def __init__(self, use_dropout=False):
                super().__init__()
                self.use_dropout = use_dropout
                self.fc = nn.Linear(10, 3)
                self.dropout = nn.Dropout()

            def forward(self, x):
                if self.use_dropout:
                    x = self.dropout(x)
                return self.fc(x)
    """)


def test_unfollowed_forward_reports_no_unused_layer():
    flakes(UNUSED.replace("return self.fc(x)", "return self.fc(x.mean())"))


# ---------------------------------------------------------------- CC212 channel dropout rank


def test_dropout2d_after_linear():
    [found] = flakes(net("Flatten()\nLinear(3072, 100)\nDropout2d(0.5)\n"), m.ChannelDropoutRank, path="a.net")
    assert found.message == ("Dropout2d expects channels x height x width per sample but receives 100 (1-d); "
                             "PyTorch warns and drops single elements (use Dropout)")


def test_dropout1d_on_flat_input_drops_samples():
    [found] = flakes(net("Dropout1d()\n", "input 100"), m.ChannelDropoutRank, path="a.net")
    assert "zeroes whole samples" in found.message


def test_dropout2d_on_images_is_fine():
    flakes(net("Conv2d(3, 8, 3)\nDropout2d(0.2)\n"), path="a.net")


# ---------------------------------------------------------------- the engine's codes as messages


@pytest.mark.parametrize("body, cls", [
    ("Conv2d(4, 8, 3)\n", m.ChannelMismatch),
    ("Flatten()\nLinear(100, 10)\n", m.FeatureMismatch),
    ("Conv2d(3, 8, 40)\n", m.EmptyDimension),
    ("Conv2d(3, 8, 3, groups=2)\n", m.InvalidConfiguration),
    ("Conv2d(3, 8, (3, 1), stride=2)\n", m.InexactOutput),
    ("Conv2d(3, 8, kernel=3)\n", m.ArgumentProblem),
    ("Conv2d(3, 8, 3\n", m.SyntaxProblem),
])
def test_engine_codes(body, cls):
    flakes(net(body), cls, path="a.net")


def test_add_and_concat_mismatch():
    flakes(net("residual:\n    Conv2d(3, 3, 3)\n"), m.AddMismatch, path="a.net")
    flakes(net("save a\nConv2d(3, 3, 3)\nconcat a\n"), m.ConcatMismatch, path="a.net")


def test_view_mismatch():
    [found] = flakes("""
        import torch.nn as nn

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)
                self.fc = nn.Linear(100, 2)

            def forward(self, x):
                x = self.conv(x)
                x = x.view(-1, 100)
                return self.fc(x)
    """, m.ViewMismatch)
    assert found.span.line == 13
    assert found.message == ("x.view(-1, 100) expects 100 elements per sample but receives 4x6x6 = 144 (PyTorch: "
                             "shape '[-1, 100]' is invalid for input of size 144)")


def test_every_code_has_one_class_and_a_description():
    from convcalc.codes import CODES

    for code, cls in m.MESSAGES.items():
        assert cls.code == code and cls.description and code in CODES
        assert CODES[code].severity == cls.severity
