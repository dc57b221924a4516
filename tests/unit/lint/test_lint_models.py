"""Real-world model definitions (tests/fixtures/corpus/lint_models/): clean where right, flagged at the right line where not."""
from paths import LINT_MODELS
import os

import pytest

from convcalc.lint.runner import Options, lint

MODELS = str(LINT_MODELS)


def run(name, input_dims=None, **options):
    result = lint([os.path.join(MODELS, name)], Options(input=input_dims, **options))
    return [(f.code, f.span.line) for f in result.findings], result


def line_of(name, text):
    with open(os.path.join(MODELS, name)) as fh:
        for number, line in enumerate(fh, 1):
            if text in line:
                return number
    raise AssertionError(text)


def test_mnist_example_clean_at_28():
    findings, result = run("mnist_example.py")
    assert findings == [] and result.models == 1


def test_mnist_example_at_32_flags_fc1():
    findings, result = run("mnist_example.py", "1x32x32")
    assert findings == [("CC102", line_of("mnist_example.py", "nn.Linear(9216, 128)"))]
    assert result.findings[0].message == "Linear expects 9216 input features but receives 12544"


def test_cifar10_blitz_clean_at_32():
    assert run("cifar10_blitz.py")[0] == []


def test_cifar10_blitz_view_flagged_at_28():
    findings, result = run("cifar10_blitz.py", "3x28x28")
    assert findings == [("CC107", line_of("cifar10_blitz.py", "x = x.view("))]
    assert "16x4x4 = 256" in result.findings[0].message


def test_lenet_tutorial_clean_at_32_and_cc102_at_28():
    assert run("lenet_tutorial.py")[0] == []
    findings, result = run("lenet_tutorial.py", "1x28x28")
    assert findings == [("CC102", line_of("lenet_tutorial.py", "self.fc1 = nn.Linear(16 * 5 * 5, 120)"))]
    assert result.findings[0].message == "Linear expects 400 input features but receives 256"


@pytest.mark.parametrize("size", ["3x224x224", "3x64x64", "3x128x96"])
def test_alexnet_clean_for_any_size_the_adaptive_pool_accepts(size):
    assert run("alexnet.py", size)[0] == []


def test_alexnet_too_small_and_a_wrong_number():
    findings, _ = run("alexnet.py", "3x32x32")
    assert findings == [("CC103", 25)]  # the last MaxPool2d of the features: 1x1 left
    text = open(os.path.join(MODELS, "alexnet.py")).read().replace("nn.Conv2d(384, 256,", "nn.Conv2d(386, 256,")
    from convcalc.lint.onefile import lint_text

    found, _, _ = lint_text("alexnet.py", text, None, None)
    assert [(f.code, f.span.line) for f in found] == [("CC101", line_of("alexnet.py", "nn.Conv2d(384, 256"))]


def test_vgg_clean_and_vgg_bn_bias_warning():
    findings, result = run("vgg.py")
    assert result.models == 3 and findings == []  # vgg11, vgg16, vgg16_bn; VGG itself needs its features
    # torchvision's VGG-BN keeps the convolution bias before every BatchNorm: redundant, as CC202 says when
    # it is selected (it is opt-in: the model is correct)
    findings, result = run("vgg.py", select=["CC1", "CC202"])
    assert findings == [("CC202", line_of("vgg.py", "conv2d = nn.Conv2d(in_channels, v"))]
    assert result.findings[0].message.endswith("(in model vgg16_bn)")
    assert run("vgg.py", select=["CC1"])[0] == []


def test_vgg_wrong_classifier_number():
    from convcalc.lint.onefile import lint_text

    text = open(os.path.join(MODELS, "vgg.py")).read().replace("nn.Linear(512 * 7 * 7, 4096)",
                                                               "nn.Linear(512 * 6 * 6, 4096)")
    found, _, _ = lint_text("vgg.py", text, None, None)
    errors = [(f.code, f.span.line) for f in found if f.code != "CC202"]
    assert errors == [("CC102", line_of("vgg.py", "nn.Linear(512 * 7 * 7, 4096)"))]
    assert found[0].message.startswith("Linear expects 18432 input features but receives 25088")


@pytest.mark.parametrize("size", ["3x256x256", "3x64x64", "1x16x48"])
def test_unet_clean_when_divisible_by_16(size):
    findings, _ = run("unet.py", size, ignore=["CC101"] if size.startswith("1x") else None)
    assert findings == []


@pytest.mark.parametrize("size", ["3x250x250", "3x72x72", "3x264x256"])
def test_unet_concat_fails_when_not_divisible_by_16(size):
    findings, result = run("unet.py", size, select=["CC105"])
    assert findings == [("CC105", line_of("unet.py", "x = torch.cat([x2, x1], dim=1)"))]
    assert "called at line" in result.findings[0].message


def test_unet_without_input_has_no_false_positive():
    from convcalc.lint.onefile import lint_text

    text = open(os.path.join(MODELS, "unet.py")).read().replace("# convcalc: input 3x256x256\n", "")
    linted = lint_text("unet.py", text, None, None)
    assert linted.findings == []
    assert [n.message for n in linted.notices] == [
        "model UNet: no input size given; it accepts 3x16x16 or 3x32x32 or 3x48x48, ... (square inputs H = W, "
        "H ≥ 16 and H ≡ 0 (mod 16)); add `# convcalc: input 3x32x32` above the model"]  # a size people use


def test_whole_directory():
    result = lint([MODELS], Options())
    assert result.files == 6
    assert result.findings == [] and result.exit_code == 0
    assert [f.code for f in lint([MODELS], Options(select=["ALL"])).findings] == ["CC202"]
