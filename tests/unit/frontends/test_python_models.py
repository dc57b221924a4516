"""The Python frontend on the patterns of real model files (issue 12): shared layer objects,
registered modules forward does not run, eval and training mode, several inputs and outputs,
model calls and comments, script code, models without an input size, and never silent."""
from report_json import one_model
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path, text, name="model.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


SHARED = """
    import torch.nn as nn
    import torch.nn.functional as F

    # convcalc: input 10
    class Repeated(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(10, 10)

        def forward(self, x):
            for _ in range(4):
                x = F.relu(self.fc(x))
            return x
"""


def test_a_layer_object_applied_four_times_counts_once(tmp_path):
    path = write(tmp_path, SHARED)
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["total_params"] == 110 and data["complete"] is True
    shared = [row for row in data["layers"] if row.get("shared")]
    assert len(shared) == 3 and all(row["params"] == 110 for row in shared)
    assert data["total_macs"] == 4 * 110  # its mult-adds count per call (torchinfo: a Linear's are its params)


@pytest.mark.oracle
def test_shared_layer_counts_match_torch_and_torchinfo(tmp_path, torch):
    import torchinfo

    path = write(tmp_path, SHARED)
    namespace: dict = {}
    exec(compile(textwrap.dedent(SHARED), path, "exec"), namespace)  # the test's own fixture
    model = namespace["Repeated"]()
    stats = torchinfo.summary(model, input_size=(1, 10), verbose=0)
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["total_params"] == sum(p.numel() for p in model.parameters()) == stats.total_params
    assert data["total_macs"] == stats.total_mult_adds


def test_the_network_language_shares_a_layer_object(tmp_path):
    path = tmp_path / "shared.net"
    path.write_text("input 10\nlayer fc = Linear(10, 10)\nfc()\nReLU()\nfc()\nfc()\nfc()\n")
    data = one_model(run("shapes", str(path), "--format", "json").stdout)
    assert data["total_params"] == 110 and len(data["layers"]) == 5
    assert "verified" in run("verify", str(path)).output
    bad = tmp_path / "bad.net"
    bad.write_text("input 10\nlayer fc = Linear(10, 10)\nfc(3)\n")
    result = run("shapes", str(bad))
    assert result.exit_code == 1 and "apply it as fc()" in result.output


@pytest.mark.oracle
def test_the_shared_network_layer_is_torch_s_shared_module(torch):
    fc = torch.nn.Linear(10, 10)
    model = torch.nn.Sequential(fc, torch.nn.ReLU(), fc, fc, fc)
    assert sum(p.numel() for p in model.parameters()) == 110


def test_params_of_a_network_file_without_an_input_line(tmp_path):
    path = tmp_path / "noinput.net"
    path.write_text("Conv2d(3, 16, 3)\nReLU()\nConv2d(16, 32, 3, stride=2)\nAdaptiveAvgPool2d(1)\nFlatten()\n"
                    "Linear(32, 10)\n")
    result = run("params", str(path), "--format", "json")
    assert result.exit_code == 0 and one_model(result.stdout)["total_params"] == 448 + 4640 + 330
    assert run("shapes", str(path)).exit_code == 1  # shapes need the sizes: the input line is required


TRAINING = """
    import torch.nn as nn

    # convcalc: input 3x8x8
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.aux = nn.Conv2d(4, 2, 1)

        def forward(self, x):
            x = self.conv(x)
            if self.training:
                return x, self.aux(x)
            return x
"""


def test_eval_mode_by_default_and_training_branches_with_train(tmp_path):
    path = write(tmp_path, TRAINING)
    evaluated = one_model(run("shapes", path, "--format", "json").stdout)
    assert evaluated["output"] == [4, 6, 6] and [r["module"] for r in evaluated["registered_not_run"]] == ["aux"]
    assert evaluated["total_params"] == 112 + 10  # the head forward skips still counts
    trained = one_model(run("shapes", path, "--format", "json", "--train").stdout)
    assert trained["outputs"] == [[4, 6, 6], [2, 6, 6]] and "registered_not_run" not in trained


TWO_INPUTS = """
    import torch
    import torch.nn as nn

    # convcalc: input 3x32x32, 1x32x32
    class Fusion(nn.Module):
        def __init__(self):
            super().__init__()
            self.rgb = nn.Conv2d(3, 8, 3, padding=1)
            self.depth = nn.Conv2d(1, 8, 3, padding=1)
            self.head = nn.Conv2d(16, 2, 1)

        def forward(self, x, d):
            merged = torch.cat([self.rgb(x), self.depth(d)], dim=1)
            out = self.head(merged)
            return out, merged
"""


def test_several_inputs_and_outputs(tmp_path):
    path = write(tmp_path, TWO_INPUTS)
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["complete"] and data["outputs"] == [[2, 32, 32], [16, 32, 32]]
    assert "d 1x32x32" in run("shapes", path).output
    wrong = run("shapes", path, "--input", "3x32x32, 1x16x16")
    assert wrong.exit_code == 1 and "CC105" in wrong.output


VGG = """
    import torch.nn as nn

    cfg = {"small": [16, "M", 32, "M"], "large": [16, 16, "M", 32, 32, "M"]}


    # convcalc: model VGG("small")
    # convcalc: input 3x32x32
    class VGG(nn.Module):
        def __init__(self, name):
            super().__init__()
            layers, c = [], 3
            for v in cfg[name]:
                if v == "M":
                    layers.append(nn.MaxPool2d(2))
                else:
                    layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
                    c = v
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Linear(32 * 8 * 8, 10)

        def forward(self, x):
            out = self.features(x)
            out = out.view(out.size(0), -1)
            return self.classifier(out)
"""


def test_a_model_comment_and_a_model_call(tmp_path):
    path = write(tmp_path, VGG)
    small = one_model(run("params", path, "--format", "json").stdout)
    assert small["model"] == 'VGG("small")'
    large = one_model(run("params", path, "--model", "VGG('large')", "--format", "json").stdout)
    assert large["total_params"] - small["total_params"] == (16 * 16 * 9 + 16) + (32 * 32 * 9 + 32)
    missing = run("params", path, "--model", "ResNet")
    assert missing.exit_code == 2 and "has no model 'ResNet'" in missing.output


SCRIPT = """
    import argparse
    import torch
    import torch.nn as nn
    import torch.optim as optim


    class Net(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.conv = nn.Conv2d(1, width, 5)
            self.fc = nn.Linear(width * 24 * 24, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.conv(x), 1))


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--lr", type=float, default=0.1)
        args = parser.parse_args()
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = Net(8).to(device)
        optimizer = optim.SGD(model.parameters(), lr=args.lr)
        out = model(torch.randn(4, 1, 28, 28))
        torch.save(model.state_dict(), "net.pt")


    if __name__ == "__main__":
        main()
"""


def test_script_code_gives_the_model_and_its_input(tmp_path):
    path = write(tmp_path, SCRIPT)
    result = run("shapes", path, "--format", "json")
    data = one_model(result.stdout)
    assert result.exit_code == 0 and data["input"] == [1, 28, 28] and data["output"] == [10]
    assert data["total_params"] == 8 * 25 + 8 + 8 * 24 * 24 * 10 + 10


MNIST = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.fc1 = nn.Linear(FEATURES, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return self.fc2(F.relu(self.fc1(x)))
"""


def test_a_model_without_an_input_size_gets_a_notice_or_an_error(tmp_path):
    right = write(tmp_path, MNIST.replace("FEATURES", "9216"), "right.py")
    result = run("lint", right)
    assert result.exit_code == 0
    assert "CC303 model Net: no input size given; it accepts 1x28x28 or 1x29x29" in result.output
    assert "add `# convcalc: input 1x28x28` above the model" in result.output
    wrong = write(tmp_path, MNIST.replace("FEATURES", "9000"), "wrong.py")
    result = run("lint", wrong)
    assert result.exit_code == 1 and "CC102" in result.output and "wrong.py:12:" in result.output
    assert "9000" in result.output and "no input size gives 9000" in result.output


UNFOLLOWED = """
    import torch
    import torch.nn as nn

    # convcalc: input 3x32x32
    class Spectral(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(8 * 30 * 30, 10)

        def forward(self, x):
            x = self.conv(x)
            x = torch.fft.fft2(x).real
            return self.fc(x.flatten(1))
"""


def test_a_model_not_followed_to_its_end_is_never_a_pass(tmp_path):
    path = write(tmp_path, UNFOLLOWED)
    shapes = run("shapes", path, "--format", "json")
    data = one_model(shapes.stdout)
    assert shapes.exit_code == 1 and data["complete"] is False and data["output"] is None
    assert data["total_params"] == 224 + 72010  # the module tree's: forward need not reach fc
    assert any(d["code"] == "CC301" and d["line"] == 14 for d in data["diagnostics"])
    lint = run("lint", path)
    assert lint.exit_code == 0 and "All checks passed" not in lint.output
    assert "0 models checked, 1 partly (Spectral: forward not followed from line 14" in lint.output
    strict = run("lint", "--strict", path)
    assert strict.exit_code == 1 and "CC301" in strict.output
    (tmp_path / "pyproject.toml").write_text("[tool.convcalc]\nstrict = true\n")
    assert run("lint", path).exit_code == 1


def test_a_planted_wrong_linear_after_the_stop_point_is_not_passed(tmp_path):
    # what comes after an unfollowed construct is not checked: lint must not say it passed
    path = write(tmp_path, UNFOLLOWED.replace("8 * 30 * 30", "8 * 31 * 31"))
    result = run("lint", path)
    assert "No problems in what was followed" in result.output and "1 partly" in result.output


REGISTERED = """
    import torch
    import torch.nn as nn

    # convcalc: input 3x8x8
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Conv2d(3, 4, 3)
            self.heads = nn.ModuleDict({"cls": nn.Linear(4, 10), "box": nn.Linear(4, 4)})
            self.scale = nn.Parameter(torch.ones(4, 1, 1))

        def forward(self, x):
            x = self.body(x) * self.scale
            return self.heads["cls"](x.mean((2, 3)))
"""


def test_registered_modules_and_parameters_count_as_model_parameters_does(tmp_path):
    path = write(tmp_path, REGISTERED)
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["complete"] and data["output"] == [10]
    assert data["total_params"] == 112 + 50 + 20 + 4
    assert [r["module"] for r in data["registered_not_run"]] == ["heads.box", "scale"]


FROZEN = """
    import torch.nn as nn

    # convcalc: input 3x32x32
    class Transfer(nn.Module):
        def __init__(self, freeze_head_bias=False):
            super().__init__()
            self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
            for p in self.backbone.parameters():
                p.requires_grad = False
            self.head = nn.Conv2d(8, 2, 1)
            if freeze_head_bias:
                self.head.bias.requires_grad = False

        def forward(self, x):
            return self.head(self.backbone(x))
"""


@pytest.mark.oracle
def test_frozen_parameters_are_not_trainable_as_in_torch(tmp_path, torch):
    path = write(tmp_path, FROZEN)
    namespace: dict = {}
    exec(compile(textwrap.dedent(FROZEN), path, "exec"), namespace)  # the test's own fixture
    model = namespace["Transfer"]()
    data = one_model(run("params", path, "--format", "json").stdout)
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert data["trainable_params"] == sum(p.numel() for p in model.parameters() if p.requires_grad) == 18
    # a part of a layer frozen: the trainable count of that layer is not followed, and says so
    partial = run("params", path, "--model", "Transfer(freeze_head_bias=True)")
    assert partial.exit_code == 1 and "requires_grad is set on its bias only" in partial.output
    assert "params of the parts known" in partial.output


TORCHINFO_STYLE = """
    import torch
    import torch.nn as nn

    # convcalc: input 3x16x16
    class UnpoolNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Conv2d(3, 4, 3, padding=1)
            self.pool = nn.MaxPool2d(2, 2, return_indices=True)
            self.unpool = nn.MaxUnpool2d(2, 2)
            self.layers = nn.ModuleList()
            self.layers.append(nn.Conv2d(4, 4, 1))
            self.layers.append(None)

        def forward(self, x, unused=None):
            del unused
            x = self.enc(x)
            size = x.size()
            x, indices = self.pool(x)
            x = self.unpool(x, indices=indices, output_size=size)
            for layer in self.layers:
                if layer is not None:
                    x = layer(x)
            return x
"""


@pytest.mark.oracle
def test_unpooling_to_the_size_before_the_pool_and_a_module_list_holding_none(tmp_path, torch):
    path = write(tmp_path, TORCHINFO_STYLE)
    namespace: dict = {}
    exec(compile(textwrap.dedent(TORCHINFO_STYLE), path, "exec"), namespace)
    model = namespace["UnpoolNet"]().eval()
    out = model(torch.zeros(1, 3, 16, 16))
    data = one_model(run("shapes", path, "--format", "json").stdout)
    assert data["complete"] and data["output"] == list(out.shape[1:])
    assert data["total_params"] == sum(p.numel() for p in model.parameters())


GAN_SCRIPT = """
    import argparse
    import os
    import torch.nn as nn
    from torchvision import datasets
    import some_dataset_library

    parser = argparse.ArgumentParser()
    parser.add_argument("--latent_dim", type=int, default=100)
    parser.add_argument("--img_size", type=int, default=28)
    opt = parser.parse_args()
    os.makedirs("images", exist_ok=True)
    loader = some_dataset_library.load(opt, datasets.MNIST("data", download=True))
    resized = some_dataset_library.Resize(opt.img_size)
    opt.extra = some_dataset_library.width(opt)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(opt.latent_dim, opt.img_size ** 2)

        def forward(self, z):
            return self.fc(z)

    generator = Generator()
"""


def test_an_argparse_namespace_stays_known_after_script_code_that_is_not_followed(tmp_path):
    """The namespace parse_args() returns is read by the model classes; the data loading the script
    does next (not followed) passes it on and even sets an attribute of it: the attributes the
    classes read stay the parser's defaults."""
    path = write(tmp_path, GAN_SCRIPT)
    result = run("params", path, "--model", "Generator", "--input", "100", "--format", "json")
    data = one_model(result.stdout)
    assert result.exit_code == 0, result.output
    assert data["total_params"] == 100 * 28 * 28 + 28 * 28


NORM_CHOICE = """
    import functools
    import torch.nn as nn

    class Discriminator(nn.Module):
        def __init__(self, norm_layer=nn.BatchNorm2d):
            super().__init__()
            if type(norm_layer) == functools.partial:
                use_bias = norm_layer.func == nn.InstanceNorm2d
            else:
                use_bias = norm_layer == nn.InstanceNorm2d
            self.conv = nn.Conv2d(3, 8, 4, bias=use_bias)
            self.norm = norm_layer(8)

        def forward(self, x):
            return self.norm(self.conv(x))
"""


@pytest.mark.parametrize("model, bias", [("Discriminator()", 0),
                                         ("Discriminator(nn.InstanceNorm2d)", 8),
                                         ("Discriminator(functools.partial(nn.InstanceNorm2d, affine=True))", 8 + 16)])
def test_the_type_of_a_norm_layer_class_or_partial(tmp_path, model, bias):
    """type(norm_layer) == functools.partial, as pix2pix's networks choose their bias: a torch.nn
    class is a type, not a partial."""
    path = write(tmp_path, NORM_CHOICE)
    data = one_model(run("params", path, "--model", model, "--input", "3x16x16", "--format", "json").stdout)
    norm = 16 if bias == 0 else 0  # BatchNorm2d's weight and bias; InstanceNorm2d has none unless affine
    assert data["total_params"] == 3 * 8 * 16 + bias + norm


SIZE_BRANCH = """
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = self.conv(x)
        if x.size(3) < 13:
            x = F.adaptive_avg_pool2d(x, 1)
        else:
            x = F.adaptive_max_pool2d(x, 1)
        return self.fc(x.flatten(1))
"""


def test_a_branch_on_a_size_follows_the_input_given(tmp_path):
    """`if x.size(3) < 13:` is decided by the input given (issue 21's list), and without one it is
    a positioned stop, never a guess."""
    path = tmp_path / "net.py"
    path.write_text(SIZE_BRANCH)
    small, large = (one_model(run("shapes", str(path), "--input", size, "--format", "json").output)
                    for size in ("3x12x12", "3x20x20"))
    assert [row["layer"] for row in small["layers"]][1].startswith("F.adaptive_avg_pool2d")
    assert [row["layer"] for row in large["layers"]][1].startswith("F.adaptive_max_pool2d")
    assert small["output"] == large["output"] == [2] and small["complete"]
    sizeless = run("shapes", str(path))
    assert sizeless.exit_code == 1 and "net.py:14:" in sizeless.output, sizeless.output


CUT_AT_A_SIZE = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.MaxPool2d((32, 1)))
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.cnn(x).squeeze(2).permute(0, 2, 1)
        return self.fc(x)
"""


def test_a_forward_cut_where_its_symbolic_sizes_fail_is_never_complete_at_other_sizes(tmp_path):
    """Followed at symbolic sizes, the squeeze of floor(H/32) fails and the program ended there;
    verify then ran the cut program at 1x32x32 and said "verified" without the Linear after it."""
    path = tmp_path / "net.py"
    path.write_text(CUT_AT_A_SIZE)
    verified = run("verify", str(path))
    assert verified.exit_code == 1 and "net.py:12:" in verified.output and "CC301" in verified.output
    assert "verified: all" not in verified.output
    given = one_model(run("shapes", str(path), "--input", "1x32x10", "--format", "json").output)
    assert given["complete"] and given["output"] == [10, 5]


KEYWORD_ONLY_DECORATOR = """
import functools
import inspect

import torch.nn as nn


def keyword_only_as_positional(fn):
    params = inspect.signature(fn).parameters
    first = next(i for i, p in enumerate(params.values()) if p.kind == p.KEYWORD_ONLY)
    names = tuple(params)[first:]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args, extra = args[:first], args[first:]
        kwargs.update(dict(zip(names, extra)))
        return fn(*args, **kwargs)
    return wrapper


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)

    def forward(self, x):
        return self.conv(x)


@keyword_only_as_positional
def net(*, width=8, progress=True):
    return Net(width)
"""


def test_a_factory_behind_a_decorator_that_reads_its_signature(tmp_path):
    """torchvision 0.28 wraps every factory in a decorator that reads inspect.signature(fn) to
    find its keyword-only parameters: resnet18 of the real file stopped with "inspect.signature
    is not followed" once that decorator's result was no longer passed through."""
    path = tmp_path / "models.py"
    path.write_text(KEYWORD_ONLY_DECORATOR)
    shown = one_model(run("shapes", str(path), "--model", "net(width=4)", "--input", "3x8x8", "--format",
                          "json").output)
    assert shown["complete"] and shown["output"] == [4, 6, 6] and shown["total_params"] == 3 * 4 * 9 + 4


ASSERT_WITH_SHAPE = """
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, 5, 8))
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        torch._assert(x.dim() == 3, f"Expected (batch_size, seq_length, hidden_dim) got {x.shape}")
        label = f"seen {x.shape}"
        x = x + self.pos
        return self.fc(x)
"""


def test_an_fstring_of_the_batch_size_is_a_text_not_known_not_a_stop(tmp_path):
    """torchvision's ViT encoder writes its input's shape into an assert message: the f-string's
    text is not known (the batch), which stopped the whole forward; now the string is a value not
    known, used by nothing, and the model is followed (vit_b_16 of the real file: 86,567,656)."""
    path = tmp_path / "vit.py"
    path.write_text(ASSERT_WITH_SHAPE)
    shown = one_model(run("shapes", str(path), "--input", "5x8", "--format", "json").output)
    assert shown["complete"] and shown["output"] == [5, 3] and shown["total_params"] == 40 + 27


PATCHES_AND_POSITIONS = """
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, 8, 4, stride=4)
        self.pos = nn.Parameter(torch.zeros(1, 4, 8))

    def forward(self, x):
        x = self.proj(x).flatten(2).transpose(1, 2)
        return x + self.pos
"""


def test_a_position_embedding_added_to_patches_follows_the_given_input(tmp_path):
    """x + self.pos_embedding after a patch convolution: at symbolic sizes the patch count is a
    formula the Parameter's 4 cannot be matched with, which stopped the model even with --input;
    it is now a decision on a size, followed again at the sizes given."""
    path = tmp_path / "patches.py"
    path.write_text(PATCHES_AND_POSITIONS)
    shown = one_model(run("shapes", str(path), "--input", "3x8x8", "--format", "json").output)
    assert shown["complete"] and shown["output"] == [4, 8] and shown["total_params"] == 8 * 48 + 8 + 32


def test_an_error_a_builtin_raises_is_placed_at_its_call(tmp_path):
    """len(1, 2) in a forward raises Python's TypeError: the stop was placed at `def forward`."""
    path = tmp_path / "net.py"
    path.write_text("import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
                    "        super().__init__()\n        self.c = nn.Conv2d(3, 4, 3)\n\n    def forward(self, x):\n"
                    "        x = self.c(x)\n        y = len(1, 2)\n        return x\n")
    result = run("shapes", str(path), "--input", "3x8x8")
    assert result.exit_code == 1 and "net.py:11:13: CC301" in result.output, result.output
