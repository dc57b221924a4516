"""Per layer family, hand-checked shapes and parameter counts (no torch needed); the
oracle tests in test_oracle_layers.py hold the same rules against torch."""
import pytest

from convcalc.engine.shapes import analyse
from convcalc.layers.catalogue import REGISTRY
from convcalc.frontends.syntax import parse


def last(layer, input_dims):
    analysis = analyse(parse(f"input {input_dims}\n{layer}\n", "t.net"))
    assert analysis.ok, f"{analysis.error.code} {analysis.error.message}"
    row = analysis.rows[-1]
    return "x".join(map(str, row.shape)), row.params, row.buffers


def code(layer, input_dims):
    analysis = analyse(parse(f"input {input_dims}\n{layer}\n", "t.net"))
    return analysis.error.code if analysis.error else None


CASES = {
    "convolution": [
        ("Conv2d(3, 8, 3)", "3x8x8", ("8x6x6", 224, 0)),
        ("Conv2d(32, 32, 3, groups=32)", "32x8x8", ("32x6x6", 320, 0)),
        ("Conv2d(2, 4, (4, 3), dilation=(1, 2), padding='same')", "2x9x10", ("4x9x10", 100, 0)),
        ("Conv2d(32, 64, 3, groups=4, dilation=2, padding=1)", "32x20x20", ("64x18x18", 4672, 0)),
        ("Conv1d(1, 1, 5, stride=3, padding=2, dilation=2)", "1x20", ("1x6", 6, 0)),
        ("Conv3d(1, 2, 3, padding='valid', bias=False)", "1x4x5x6", ("2x2x3x4", 54, 0)),
        ("LazyConv2d(5, 3)", "2x6x6", ("5x4x4", 95, 0)),
        ("Conv2d(1, 1, 3, padding=2, padding_mode='reflect')", "1x3x3", ("1x5x5", 10, 0)),
        ("ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)", "16x16x16", ("8x32x32", 1160, 0)),
        ("ConvTranspose2d(4, 2, 3, dilation=2, output_padding=1)", "4x5x5", ("2x10x10", 74, 0)),
        ("ConvTranspose1d(4, 6, 2, stride=2, groups=2)", "4x7", ("6x14", 30, 0)),
    ],
    "pooling": [
        ("MaxPool2d(3, stride=4, padding=1, ceil_mode=True)", "1x10x10", ("1x3x3", 0, 0)),
        ("MaxPool2d(2, ceil_mode=True)", "3x5x7", ("3x3x4", 0, 0)),
        ("AvgPool2d(3, 2, 1, ceil_mode=True)", "1x6x6", ("1x4x4", 0, 0)),
        ("MaxPool1d(2, ceil_mode=True)", "1x1", ("1x1", 0, 0)),
        ("MaxPool3d(2, dilation=2)", "1x5x5x5", ("1x2x2x2", 0, 0)),
        ("AdaptiveAvgPool2d((3, None))", "1x10x7", ("1x3x7", 0, 0)),
        ("AdaptiveMaxPool2d(5)", "1x3x3", ("1x5x5", 0, 0)),
        ("AdaptiveAvgPool1d(1)", "8x100", ("8x1", 0, 0)),
    ],
    "dense": [
        ("Linear(4096, 10)", "4096", ("10", 40970, 0)),
        ("Linear(7, 2, bias=False)", "3x7", ("3x2", 14, 0)),
        ("LazyLinear(3)", "5", ("3", 18, 0)),
        ("Flatten()", "64x7x7", ("3136", 0, 0)),
        ("Flatten(2)", "4x3x5", ("4x15", 0, 0)),
        ("Flatten(1, 2)", "4x3x5", ("12x5", 0, 0)),
        ("Unflatten(1, (4, -1))", "12", ("4x3", 0, 0)),
        ("Identity(54, unused=1)", "2x3", ("2x3", 0, 0)),
    ],
    "normalisation": [
        ("BatchNorm2d(8)", "8x4x4", ("8x4x4", 16, 17)),
        ("BatchNorm1d(8)", "8", ("8", 16, 17)),
        ("BatchNorm1d(8, affine=False)", "8x10", ("8x10", 0, 17)),
        ("InstanceNorm2d(8)", "8x4x4", ("8x4x4", 0, 0)),
        ("InstanceNorm2d(8, affine=True)", "8x4x4", ("8x4x4", 16, 0)),
        ("LayerNorm((4, 4))", "8x4x4", ("8x4x4", 32, 0)),
        ("LayerNorm(4, bias=False)", "8x4x4", ("8x4x4", 4, 0)),
        ("GroupNorm(2, 8)", "8x4x4", ("8x4x4", 16, 0)),
        ("LocalResponseNorm(5)", "8x4x4", ("8x4x4", 0, 0)),
    ],
    "activations and regularisation": [
        ("ReLU(inplace=True)", "3x4x4", ("3x4x4", 0, 0)),
        ("LeakyReLU(0.2)", "3x4x4", ("3x4x4", 0, 0)),
        ("GELU(approximate='tanh')", "3", ("3", 0, 0)),
        ("Softmax(dim=1)", "10", ("10", 0, 0)),
        ("PReLU()", "3x4x4", ("3x4x4", 1, 0)),
        ("PReLU(3)", "3x4x4", ("3x4x4", 3, 0)),
        ("Dropout(0.5)", "3x4x4", ("3x4x4", 0, 0)),
        ("Dropout2d(p=0.1)", "3x4x4", ("3x4x4", 0, 0)),
    ],
    "resampling and padding": [
        ("Upsample(scale_factor=1.7)", "2x7x5", ("2x11x8", 0, 0)),
        ("Upsample(size=(4, 6), mode='bilinear', align_corners=True)", "2x2x3", ("2x4x6", 0, 0)),
        ("UpsamplingNearest2d(scale_factor=2)", "2x3x3", ("2x6x6", 0, 0)),
        ("PixelShuffle(3)", "18x4x5", ("2x12x15", 0, 0)),
        ("PixelUnshuffle(2)", "2x4x6", ("8x2x3", 0, 0)),
        ("ZeroPad2d((1, 2, 3, 4))", "1x5x5", ("1x12x8", 0, 0)),
        ("ZeroPad2d(-1)", "1x5x5", ("1x3x3", 0, 0)),
        ("ReflectionPad1d(2)", "1x3", ("1x7", 0, 0)),
        ("ConstantPad3d(1, 0.5)", "1x2x2x2", ("1x4x4x4", 0, 0)),
    ],
}


@pytest.mark.parametrize("layer, input_dims, expected",
                         [case for cases in CASES.values() for case in cases],
                         ids=[case[0] for cases in CASES.values() for case in cases])
def test_shape_and_parameters(layer, input_dims, expected):
    assert last(layer, input_dims) == expected


@pytest.mark.parametrize("layer, input_dims, expected", [
    ("Conv2d(1, 1, 3, padding=3, padding_mode='reflect')", "1x3x3", "CC106"),
    ("Conv2d(4, 4, 3, groups=3)", "4x8x8", "CC106"),
    ("ConvTranspose2d(4, 4, 3, padding='same')", "4x8x8", "CC002"),
    ("ConvTranspose2d(4, 4, 3, padding_mode='reflect')", "4x8x8", "CC106"),
    ("ConvTranspose2d(4, 4, 1, padding=2)", "4x2x2", "CC103"),
    ("AvgPool3d(2, padding=1)", "1x1x3x3", "CC103"),
    ("AvgPool1d(2, divisor_override=2)", "1x4", "CC002"),
    ("AdaptiveAvgPool1d(None)", "1x4", "CC002"),
    ("Flatten(0)", "4x3", "CC106"),
    ("Unflatten(1, (5, -1))", "12", "CC106"),
    ("GroupNorm(3, 8)", "8x4x4", "CC106"),
    ("LayerNorm(5)", "8x4x4", "CC101"),
    ("InstanceNorm2d(8)", "8x1x1", "CC106"),
    ("BatchNorm1d(8, track_running_stats=False)", "8", "CC106"),
    ("GroupNorm(8, 8)", "8x1x1", "CC106"),
    ("PReLU(4)", "3x4x4", "CC101"),
    ("Dropout(1.5)", "3", "CC002"),
    ("Softmax(3)", "3x4", "CC106"),
    ("Upsample()", "2x3x3", "CC106"),
    ("Upsample(scale_factor=2, mode='bilinear')", "2x3", "CC106"),
    ("Upsample(scale_factor=2, align_corners=True)", "2x3x3", "CC106"),
    ("PixelShuffle(2)", "6x3x3", "CC106"),
    ("PixelUnshuffle(2)", "1x3x4", "CC106"),
    ("ReflectionPad2d(3)", "1x3x3", "CC106"),
    ("ZeroPad1d(-2)", "1x3", "CC103"),
    ("ConstantPad1d((-2, 2), 0.0)", "1x1", "CC103"),
    ("MaxPool2d(2, 2, 0, 1, False, False, 7)", "1x4x4", "CC002"),
])
def test_configurations_pytorch_rejects(layer, input_dims, expected):
    assert code(layer, input_dims) == expected


def test_every_catalogue_name_of_the_spec_is_registered():
    spec_names = """Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d LazyConv2d
    LazyConv3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d AdaptiveAvgPool1d AdaptiveAvgPool2d
    AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d Linear LazyLinear Identity Flatten
    Unflatten BatchNorm1d BatchNorm2d BatchNorm3d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d
    InstanceNorm3d LocalResponseNorm Dropout Dropout1d Dropout2d Dropout3d AlphaDropout ReLU ReLU6 LeakyReLU
    PReLU ELU SELU GELU SiLU Mish Sigmoid Tanh Hardswish Hardsigmoid Softplus Softmax LogSoftmax Upsample
    UpsamplingNearest2d UpsamplingBilinear2d PixelShuffle PixelUnshuffle ZeroPad1d ZeroPad2d ZeroPad3d
    ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d
    ReplicationPad2d ReplicationPad3d""".split()
    assert [name for name in spec_names if name not in REGISTRY] == []


def test_symbolic_sizes_flow_through_every_family():
    src = """input 4xHxW
Conv2d(4, 8, 3, stride=2, padding=1)
MaxPool2d(2, ceil_mode=True)
BatchNorm2d(8)
Upsample(scale_factor=2)
ConvTranspose2d(8, 4, 2, stride=2)
ZeroPad2d(1)
PixelUnshuffle(2)
"""
    analysis = analyse(parse(src, "t.net"))
    assert analysis.ok, analysis.error.message
    from convcalc.symbolic.dims import evaluate

    # the formulas evaluated at H = W = 37 must equal the integer engine at 37
    concrete = analyse(parse(src.replace("4xHxW", "4x37x37"), "t.net"))
    for symbolic_row, int_row in zip(analysis.rows, concrete.rows):
        assert tuple(evaluate(d, {"H": 37, "W": 37}) for d in symbolic_row.shape) == tuple(int_row.shape)


def test_a_symbolic_size_that_is_a_sum_is_bracketed_in_a_shape():
    """`8 x H - 2 x W - 2` read as one formula; each size stands apart: `8 x [H - 2] x [W - 2]`."""
    from convcalc.layers.common import fmt_shape

    analysis = analyse(parse("input 3xHxW\nConv2d(3, 8, 3)\nMaxPool2d(2)\n"))
    conv, pool = analysis.rows
    assert fmt_shape(conv.shape) == "8 x [H - 2] x [W - 2]"
    assert fmt_shape(pool.shape) == "8 x [floor(H/2) - 1] x [floor(W/2) - 1]"
    assert fmt_shape(conv.input) == "3 x H x W" and fmt_shape((3, 32, 32)) == "3x32x32"


def test_every_layer_has_an_executor_op_and_its_line_in_docs_layers_md():
    """A family added without its executor op or its documentation fails here; its oracle check is
    tests/oracle/test_every_layer_oracle.py (every registered layer built in torch)."""
    import importlib.util

    from paths import ROOT

    from convcalc.executor.run import LAYERS

    missing = [name for name in REGISTRY if name not in LAYERS]
    assert not missing, f"no executor op (convcalc/executor/) for {missing}"
    spec = importlib.util.spec_from_file_location("layers_doc", ROOT / "tools" / "layers_doc.py")
    layers_doc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers_doc)
    assert (ROOT / "docs" / "layers.md").read_text(encoding="utf-8") == layers_doc.render(), \
        "docs/layers.md is not what the declarations say: run python tools/layers_doc.py"
