"""Constructs of public model packages the Python frontend follows (issue 21), each in general:
torch's names as ``dir()`` lists them, ... Each is checked against torch where torch is there."""
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from report_json import one_model


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def shapes(tmp_path, source, model, size, name="model.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    result = run("shapes", str(path), "--model", model, "--input", size, "--format", "json")
    return one_model(result.stdout), result


def in_torch(source, model, size):
    """The fixture (this test's own source) built and run in torch: parameters and output shape."""
    import torch

    namespace: dict = {}
    exec(compile(textwrap.dedent(source), "fixture", "exec"), namespace)
    net = eval(model, namespace).eval()
    with torch.no_grad():
        out = net(torch.randn(1, *map(int, size.split("x"))))
    return sum(p.numel() for p in net.parameters()), list(out.shape[1:])


def agree(tmp_path, source, model, size, torch_module=None):
    data, result = shapes(tmp_path, source, model, size)
    assert data["complete"] is True, result.stdout
    if torch_module is not None:
        params, output = in_torch(source, model, size)
        assert (data["total_params"], data["output"]) == (params, output)
    return data


DIR_SOURCE = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    HAS_SILU = 'silu' in dir(torch.nn.functional)
    HAS_NOPE = 'no_such_layer' in dir(nn)
    ACT = nn.SiLU if HAS_SILU else nn.ReLU

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.act = ACT()
            self.extra = nn.Linear(2, 2) if HAS_NOPE else nn.Identity()

        def forward(self, x):
            return self.extra(self.act(self.conv(x)))
"""


def test_dir_of_a_torch_module_lists_torch_s_names(tmp_path):
    data = agree(tmp_path, DIR_SOURCE, "Net()", "3x8x8")
    assert data["total_params"] == 224 and any("SiLU" in row["layer"] for row in data["layers"])


@pytest.mark.oracle
def test_dir_of_a_torch_module_agrees_with_torch(tmp_path, torch):
    import torch.nn.functional

    import os
    import subprocess
    import sys

    from convcalc.frontends.python.brains.torch_names import DIR

    for name, names in DIR.items():
        module = eval(name, {"torch": torch})
        assert list(names) == dir(module), name
    agree(tmp_path, DIR_SOURCE, "Net()", "3x8x8", torch)
    # the whole file is what tools/torch_names.py writes from this torch
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    target = os.path.join(root, "convcalc", "frontends", "python", "brains", "torch_names.py")
    with open(target, encoding="utf-8") as handle:
        before = handle.read()
    subprocess.run([sys.executable, os.path.join(root, "tools", "torch_names.py")], check=True, cwd=root)
    with open(target, encoding="utf-8") as handle:
        after = handle.read()
    if after != before:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(before)
    assert after == before, "convcalc/frontends/python/brains/torch_names.py is out of date: run tools/torch_names.py"


def test_dir_of_anything_else_is_not_followed(tmp_path):
    source = """
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4) if 'x' in dir(self) else nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(x)
    """
    data, result = shapes(tmp_path, source, "Net()", "4")
    assert data["complete"] is False and result.exit_code == 1
    assert any("dir() of" in d["message"] for d in data["diagnostics"])


CHOOSER_SOURCE = """
    import functools
    import types
    import torch.nn as nn

    def make_norm(norm, channels):
        # a lambda or function makes the layer itself; a class is told apart by its name
        if isinstance(norm, types.FunctionType):
            return norm(channels)
        if norm.__name__.lower().startswith('batchnorm'):
            return norm(channels, eps=1e-3)
        return nn.GroupNorm(2, channels)

    class Net(nn.Module):
        def __init__(self, norm=nn.BatchNorm2d):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.norm = make_norm(norm, 4)

        def forward(self, x):
            return self.norm(self.conv(x))
"""


@pytest.mark.parametrize("model", ["Net()", "Net(norm=nn.InstanceNorm2d)", "Net(norm=lambda c: nn.GroupNorm(1, c))"])
def test_a_norm_chosen_by_function_type_or_class_name(tmp_path, model):
    data = agree(tmp_path, CHOOSER_SOURCE, model, "3x8x8")
    assert data["total_params"] == 112 + 8


@pytest.mark.oracle
@pytest.mark.parametrize("model", ["Net()", "Net(norm=nn.InstanceNorm2d)", "Net(norm=lambda c: nn.GroupNorm(1, c))"])
def test_a_norm_chosen_by_function_type_or_class_name_agrees_with_torch(tmp_path, torch, model):
    agree(tmp_path, CHOOSER_SOURCE, model, "3x8x8", torch)


def test_isinstance_of_a_library_name_against_function_type_is_not_guessed(tmp_path):
    source = """
        import types
        import torch.nn as nn
        import somelib

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4) if isinstance(somelib.make, types.FunctionType) else nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(x)
    """
    data, result = shapes(tmp_path, source, "Net()", "4")
    assert data["complete"] is False and result.exit_code == 1
    assert any("types.FunctionType" in d["message"] for d in data["diagnostics"])


OWN_WEIGHTS_SOURCE = """
    import math
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class PaddedConv(nn.Conv2d):
        # pads as TensorFlow's 'SAME' for one image size, then runs the convolution functionally
        def __init__(self, cin, cout, k, stride=1, size=32, **kw):
            super().__init__(cin, cout, k, stride, **kw)
            self.stride = self.stride if len(self.stride) == 2 else [self.stride[0]] * 2
            kh, kw_ = self.weight.size()[-2:]
            step = self.stride[0]
            out = math.ceil(size / step)
            pad = max((out - 1) * step + (kh - 1) * self.dilation[0] + 1 - size, 0)
            if pad:
                self.static_padding = nn.ZeroPad2d((pad // 2, pad - pad // 2, pad // 2, pad - pad // 2))
            else:
                self.static_padding = nn.Identity()
            self.fan_in = self.weight.shape[1] * self.weight.size(2) * self.weight.size(-1)

        def forward(self, x):
            x = self.static_padding(x)
            return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    class Dense(nn.Linear):
        def forward(self, x):
            if torch.jit.is_scripting():
                return F.linear(x, self.weight.t(), self.bias)
            return F.linear(x, self.weight, bias=self.bias)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = PaddedConv(3, 8, 3, 2, size=32, bias=False)
            self.b = PaddedConv(8, 8, 5, 1, size=16, groups=4)
            self.fc = Dense(8, self.b.fan_in // 5)  # 2 * 5 * 5 inputs of each output: 10

        def forward(self, x):
            x = self.b(self.a(x))
            return self.fc(x.mean((2, 3)))
"""


def test_a_layer_s_own_weights_in_its_functional_forward(tmp_path):
    data = agree(tmp_path, OWN_WEIGHTS_SOURCE, "Net()", "3x32x32")
    assert data["output"] == [10] and data["total_params"] == 216 + 408 + 90
    assert [row["output"] for row in data["layers"] if row.get("module") == "a"] == [[8, 16, 16]]


@pytest.mark.oracle
def test_a_layer_s_own_weights_in_its_functional_forward_agree_with_torch(tmp_path, torch):
    agree(tmp_path, OWN_WEIGHTS_SOURCE, "Net()", "3x32x32", torch)


@pytest.mark.parametrize("call, why", [
    ("F.conv2d(x, self.weight, self.bias, 2)", "stride=(2, 2), not the layer's (1, 1)"),
    ("F.conv2d(x, self.weight, None)", "a bias that is not the layer's own"),
    ("F.conv2d(x, self.other.weight, self.other.bias)", "not a Conv2d layer's own"),
    ("F.conv2d(x, torch.ones(8, 3, 3, 3))", "not a Conv2d layer's own"),
])
def test_a_functional_convolution_that_is_not_the_layer_s_own_is_not_followed(tmp_path, call, why):
    source = f"""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Conv(nn.Conv2d):
            def __init__(self):
                super().__init__(3, 8, 3)
                self.other = nn.Linear(3, 8)

            def forward(self, x):
                return {call}
    """
    data, result = shapes(tmp_path, source, "Conv()", "3x8x8")
    assert data["complete"] is False and result.exit_code == 1
    assert any(why in d["message"] for d in data["diagnostics"]), data["diagnostics"]


WINDOW_SET = """
    import torch.nn as nn
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.conv.{name} = {value}
        def forward(self, x):
            return self.conv(x)
"""


def test_a_stride_set_on_a_built_convolution_applies_and_a_kernel_size_is_not_followed(tmp_path):
    """torch's forward reads stride, padding and dilation each time; the kernel's size is the weight's."""
    data, result = shapes(tmp_path, WINDOW_SET.format(name="stride", value="[2, 2]"), "Net()", "3x8x8")
    assert data["complete"] is True and data["output"] == [8, 3, 3], result.stdout
    data, result = shapes(tmp_path, WINDOW_SET.format(name="kernel_size", value="(5, 5)"), "Net()", "3x8x8")
    assert data["complete"] is False and any("setting kernel_size" in d["message"] for d in data["diagnostics"])


@pytest.mark.oracle
def test_a_stride_set_on_a_built_convolution_agrees_with_torch(tmp_path, torch):
    agree(tmp_path, WINDOW_SET.format(name="stride", value="[2, 2]"), "Net()", "3x8x8", torch)


@pytest.mark.parametrize("made", ["nn.BatchNorm2d(8)", "nn.Parameter(torch.zeros(8))"])
def test_a_module_or_parameter_set_on_a_built_layer_is_not_followed_never_left_out(tmp_path, made):
    """torch registers it in the layer and counts its parameters: it was kept as a note, its 16
    parameters left out of a total shown as the model's."""
    source = f"""
        import torch
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.conv.extra = {made}
            def forward(self, x):
                return self.conv(x)
    """
    data, result = shapes(tmp_path, source, "Net()", "3x8x8")
    assert data["complete"] is False and result.exit_code == 1
    assert any("set as the attribute extra of nn.Conv2d" in d["message"] for d in data["diagnostics"])


SWISH_SOURCE = """
    import torch
    import torch.nn as nn

    class SwishFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, beta=1.0):
            ctx.save_for_backward(x)
            ctx.beta = beta
            return x * torch.sigmoid(beta * x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            s = torch.sigmoid(ctx.beta * x)
            return grad * (s + ctx.beta * x * s * (1 - s)), None

    class Swish(nn.Module):
        def forward(self, x):
            return SwishFunction.apply(x, 2.0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            # a stride and a padding of one item each are torch's convolution's on both dims
            self.conv = nn.Conv2d(3, 8, 3, stride=[2], padding=(1,))
            self.act = Swish()
            self.conv2 = nn.Conv1d(8, 4, 3, dilation=(2,))
            self.conv2.stride = [1]

        def forward(self, x):
            return self.conv2(self.act(self.conv(x)).flatten(2))
"""


def test_an_autograd_function_s_apply_and_one_item_conv_settings(tmp_path):
    data = agree(tmp_path, SWISH_SOURCE, "Net()", "3x16x16")
    assert data["output"] == [4, 60] and data["total_params"] == 224 + 100
    assert [row["stride"] for row in data["layers"] if row.get("module") == "conv"] == [[2, 2]]


@pytest.mark.oracle
def test_an_autograd_function_s_apply_and_one_item_conv_settings_agree_with_torch(tmp_path, torch):
    agree(tmp_path, SWISH_SOURCE, "Net()", "3x16x16", torch)


def test_an_autograd_function_with_a_forward_that_is_not_static_is_not_followed(tmp_path):
    source = """
        import torch
        import torch.nn as nn
        class F(torch.autograd.Function):
            def forward(self, x):
                return x
        class Net(nn.Module):
            def forward(self, x):
                return F.apply(x)
    """
    data, result = shapes(tmp_path, source, "Net()", "4")
    assert data["complete"] is False and result.exit_code == 1


HASATTR_SOURCE = """
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)

        def zero_init_last(self):
            self.extra = nn.Linear(2, 2)  # only a block that has this method grows a part

        def forward(self, x):
            return self.bn(self.conv(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 4, 3)
            self.blocks = nn.Sequential(Block(), Block())
            self.fc = nn.Linear(4, 10)
            for m in self.modules():
                if hasattr(m, 'zero_init_last'):
                    m.zero_init_last()
            self.has_in = hasattr(self.fc, 'in_features') and not hasattr(self.blocks[0].bn, 'zero_init_last')
            self.bias_kind = getattr(self.stem, 'padding_mode', None)

        def forward(self, x):
            x = self.blocks(self.stem(x))
            return self.fc(x.mean((2, 3)))
"""


def test_hasattr_of_a_name_a_torch_layer_does_not_have_is_false(tmp_path):
    data = agree(tmp_path, HASATTR_SOURCE, "Net()", "3x8x8")
    assert data["total_params"] == 112 + 2 * (148 + 8 + 6) + 50


@pytest.mark.oracle
def test_hasattr_of_a_name_a_torch_layer_does_not_have_agrees_with_torch(tmp_path, torch):
    agree(tmp_path, HASATTR_SOURCE, "Net()", "3x8x8", torch)


def test_a_private_name_a_layer_does_not_show_is_not_guessed(tmp_path):
    source = """
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4) if hasattr(nn.Linear(2, 2), '_secret') else nn.Linear(4, 2)
            def forward(self, x):
                return self.fc(x)
    """
    data, result = shapes(tmp_path, source, "Net()", "4")
    assert data["complete"] is False and any("_secret" in d["message"] for d in data["diagnostics"])


ARITH_SOURCE = """
    import torch.nn as nn

    class CrossMapNorm(nn.Module):
        # a local response norm of the Lua days, written with tensor methods and numbers
        def __init__(self, size, alpha, beta, k):
            super().__init__()
            self.average = nn.AvgPool3d((size, 1, 1), stride=1, padding=(size // 2, 0, 0))
            self.alpha, self.beta, self.k = alpha, beta, k

        def forward(self, x):
            div = self.average(x.pow(2).unsqueeze(1)).squeeze(1)
            div = div.mul(self.alpha).add(self.k).pow(self.beta)
            return x.div(div).sub(0.5).mul_(2)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.norm = CrossMapNorm(5, 0.0005, 0.75, 2)

        def forward(self, x):
            return self.norm(self.conv(x))
"""


def test_tensor_methods_with_a_number(tmp_path):
    data = agree(tmp_path, ARITH_SOURCE, "Net()", "3x8x8")
    assert data["output"] == [8, 6, 6] and data["total_params"] == 224


@pytest.mark.oracle
def test_tensor_methods_with_a_number_agree_with_torch(tmp_path, torch):
    agree(tmp_path, ARITH_SOURCE, "Net()", "3x8x8", torch)


NAMED_SOURCE = """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.path = nn.ModuleList()
            self.path.add_module('pad', nn.ZeroPad2d((0, 1, 0, 1)))
            self.path.add_module('pool', nn.AvgPool2d(1, stride=2))
            self.path.add_module('conv', nn.Conv2d(3, 8, 1, bias=False))
            self.features = nn.Sequential()
            self.features.add_module('stem', nn.Conv2d(8, 4, 3))

        def forward(self, x):
            x = self.path.pad(x)[:, :, 1:, 1:]
            x = self.path.conv(self.path.pool(x))
            return self.features.stem(x)
"""


def test_a_container_s_module_read_by_the_name_add_module_gave_it(tmp_path):
    data = agree(tmp_path, NAMED_SOURCE, "Net()", "3x16x16")
    assert data["output"] == [4, 6, 6] and data["total_params"] == 24 + 292


@pytest.mark.oracle
def test_a_container_s_module_read_by_the_name_add_module_gave_it_agrees_with_torch(tmp_path, torch):
    agree(tmp_path, NAMED_SOURCE, "Net()", "3x16x16", torch)
