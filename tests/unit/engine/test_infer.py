"""The engine: evaluation of the language, block semantics, and every problem code with its
exact message and position."""
import pytest

from convcalc.symbolic.dims import render
from convcalc.engine.shapes import analyse
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse


def run(src, input_text=None):
    return analyse(parse(src, "t.net"), parse_input_option(input_text) if input_text else None)


def shapes(src, input_text=None):
    analysis = run(src, input_text)
    assert analysis.ok, analysis.error.message
    return ["x".join(render(d) for d in r.shape) for r in analysis.rows]


def problem(src, input_text=None):
    analysis = run(src, input_text)
    assert analysis.error is not None, "expected an error"
    exc = analysis.error
    return f"{exc.span.line}:{exc.span.col}-{exc.span.end_col}: {exc.code} {exc.message}"


def warnings(src):
    analysis = run(src)
    assert analysis.ok, analysis.error.message
    return [f"{w.span.line}: {w.code} {w.message}" for w in analysis.warnings]


COURSE = """input 3x32x32
Conv2d(3, 32, kernel_size=3, padding=1)
ReLU()
MaxPool2d(2)
nn.Conv2d(32, 64, kernel_size=3, padding=1)
nn.ReLU()
nn.MaxPool2d(2)
Flatten()
Linear(64 * 8 * 8, 10)
"""


def test_course_cnn_shapes_and_parameters():
    analysis = run(COURSE)
    assert [tuple(r.shape) for r in analysis.rows] == [
        (32, 32, 32), (32, 32, 32), (32, 16, 16), (64, 16, 16), (64, 16, 16), (64, 8, 8), (4096,), (10,)]
    assert analysis.total_params == 60_362
    assert analysis.total_macs == 5_693_450
    assert [r.formula for r in analysis.rows if r.params] == ["32*(3*3*3) + 32", "64*(32*3*3) + 64", "4096*10 + 10"]


def test_symbolic_input_gives_formulas():
    assert shapes(COURSE.replace("3x32x32", "3xHxW"))[5:7] == ["64xfloor(H/4)xfloor(W/4)",
                                                                "64*floor(H/4)*floor(W/4)"]
    assert shapes("input 3xHxW\nConv2d(3, 8, 3, stride=2, padding=1)") == ["8xfloor((H + 1)/2)xfloor((W + 1)/2)"]


def test_input_override_replaces_and_supplies_the_input():
    assert problem(COURSE, "3x64x64").startswith("9:1-23: CC102 Linear expects 4096 input features but receives 16384")
    assert shapes("Conv2d(1, 2, 3)", "1x5x5") == ["2x3x3"]


def test_let_def_defaults_keywords_repeat_and_if():
    src = """input 4x16x16
let C = 2 ** 3
def Block(cin, cout, stride=1):
    let mid = cout // 2
    Conv2d(cin, mid, 1)
    Conv2d(mid, cout, 3, stride=stride, padding=1)
    if stride != 1:
        ReLU()
    else:
        Identity()
Block(4, C)
repeat 2 as i:
    Block(C, C, stride=i + 1)
repeat 0:
    Conv2d(999, 1, 1)
"""
    rows = run(src).rows
    assert [r.name for r in rows] == ["Conv2d", "Conv2d", "Identity", "Conv2d", "Conv2d", "Identity",
                                      "Conv2d", "Conv2d", "ReLU"]
    assert tuple(rows[-1].shape) == (8, 8, 8)
    assert rows[0].blocks == ("Block",) and rows[3].blocks == ("repeat", "Block")


def test_defs_may_be_called_before_they_are_written():
    assert shapes("input 2x4x4\nOuter()\ndef Outer():\n    Inner(2)\ndef Inner(c):\n    Conv2d(c, c, 1)") == ["2x4x4"]


def test_residual_with_shortcut_inside_an_if_and_concat():
    src = """input 4x8x8
residual:
    Conv2d(4, 8, 3, stride=2, padding=1)
    if 1:
        shortcut:
            Conv2d(4, 8, 1, stride=2)
concat:
    branch:
        Conv2d(8, 2, 1)
    branch:
        Identity()
save s
Conv2d(10, 10, 3, padding=1)
add s
concat s
"""
    assert shapes(src) == ["8x4x4", "8x4x4", "8x4x4", "2x4x4", "8x4x4", "10x4x4", "10x4x4", "10x4x4", "20x4x4"]


@pytest.mark.parametrize("src, message", [
    ("input 3x8x8\nConv2D(3, 4, 3)", "2:1-7: CC002 unknown layer 'Conv2D'; did you mean Conv2d or Conv3d or Conv1d?"),
    ("input 3x8x8\nConv2d(3, 4, 3, padd=1)",
     "2:17-23: CC002 Conv2d has no argument 'padd'; did you mean padding or padding_mode?"),
    ("input 3x8x8\nConv2d(3, 4)", "2:1-13: CC002 Conv2d is missing its argument 'kernel_size'"),
    ("input 3x8x8\nConv2d(3, 4, 3, stride=0)", "2:17-25: CC002 Conv2d argument stride=0 must be at least 1"),
    ("input 3x8x8\nConv2d(3, 4, 'x')",
     "2:14-17: CC002 Conv2d argument kernel_size='x' must be an integer or a tuple of 2 integers"),
    ("input 3x8x8\nConv2d(3, 4, 3, padding='SAME')",
     "2:17-31: CC002 Conv2d argument padding='SAME' must be an integer, a tuple, 'same' or 'valid' (case-sensitive)"),
    ("input 3x8x8\nlet a = 7 / 2", "2:9-14: CC002 7 / 2 is not an integer (use // to round down)"),
    ("input 3x8x8\nlet a = 2 ** 1000", "2:9-18: CC002 2 ** 1000 is too large (over 2**256)"),
    ("input 3x8x8\nrepeat 10 ** 9:\n    ReLU()", "2:8-15: CC002 repeat 1,000,000,000 is over the limit of 100,000 rounds"),
    ("input 3x8x8\nConv2d(3, C, 3)", "2:11-12: CC002 unknown name 'C'"),
    ("input 3x8x8\nA()\ndef A():\n    B()\ndef B():\n    A()", "6:5-8: CC002 recursion: A -> B -> A"),
    ("input 3x8x8\nadd skip", "2:1-9: CC002 no tensor was saved as 'skip' (saved: none yet)"),
    ("input 3xHxW\nif H > 3:\n    ReLU()", "2:4-5: CC002 a condition cannot depend on the symbolic size H"),
    ("Conv2d(3, 4, 3)", "1:1-16: CC001 no input line: add one such as `input 3x32x32` before the first layer, "
                        "or pass --input"),
    ("ReLU()\ninput 3x8x8", "2:1-12: CC001 the input line must come before the first layer (line 1)"),
    ("input 3x8x8\ninput 3x8x8", "2:1-12: CC001 a second input line (the first is on line 1)"),
    ("input 3x8x8\nshortcut:\n    ReLU()", "2:1-9: CC001 shortcut: belongs inside a residual: block"),
])
def test_language_errors(src, message):
    assert problem(src) == message


@pytest.mark.parametrize("src, message", [
    ("input 1x28x28\nConv2d(3, 16, 3)",
     "2:1-17: CC101 Conv2d expects 3 input channels (in_channels=3) but receives 1 channel (input 1x28x28)"),
    ("input 8x4x4\nBatchNorm2d(16)",
     "2:1-16: CC101 BatchNorm2d expects 16 input channels (num_features=16) but receives 8 channels (input 8x4x4)"),
    ("input 64x7x7\nLinear(4096, 10)",
     "2:1-17: CC102 Linear expects 4096 input features but receives 64x7x7 = 3136; did you forget Flatten()? "
     "(on a 3-d input, Linear acts on the last dimension, 7)"),
    ("input 3136\nLinear(4096, 10)", "2:1-17: CC102 Linear expects 4096 input features but receives 3136"),
    ("input 1x4x4\nConv2d(1, 1, 5)",
     "2:1-16: CC103 Conv2d: kernel 5 is larger than the input along H (4); the output would be empty, "
     "which PyTorch refuses"),
    ("input 1x2x2\nMaxPool2d(3, dilation=2, padding=1)",
     "2:1-36: CC103 MaxPool2d: kernel 5 is larger than the padded input along H (2 + 2 = 4); the output would be "
     "empty, which PyTorch refuses"),
    ("input 4x8x8\nresidual:\n    Conv2d(4, 8, 1)",
     "2:1-9: CC104 residual add: shapes 8x8x8 and 4x8x8 differ; an add needs equal shapes"),
    ("input 4x9x9\nsave a\nMaxPool2d(2)\nConvTranspose2d(4, 4, 2, stride=2)\nconcat a",
     "5:1-9: CC105 concat a: 4x8x8 (line 5) and 4x9x9 (line 2) differ in a dimension other than channels "
     "(PyTorch: Sizes of tensors must match except in dimension 1. Expected size 8 but got size 9 for tensor number "
     "1 in the list.)"),
    ("input 6x8x8\nConv2d(6, 8, 3, groups=4)", "2:1-26: CC106 Conv2d: groups=4 must divide in_channels=6"),
    ("input 6x8x8\nConv2d(6, 6, 3, stride=2, padding='same')",
     "2:1-42: CC106 Conv2d: padding='same' is not supported for strided convolutions (stride=(2, 2))"),
    ("input 4x8x8\nConvTranspose2d(4, 4, 3, stride=2, output_padding=2)",
     "2:1-53: CC106 ConvTranspose2d: output_padding=2 must be smaller than stride=2 or dilation=1"),
    ("input 4x8x8\nMaxPool2d(2, padding=2)", "2:1-24: CC106 MaxPool2d: padding=2 must be at most half the kernel size "
                                           "2 (at most 1)"),
    ("input 64\nConv2d(64, 8, 3)", "2:1-17: CC106 Conv2d expects a 3-d input (channels x 2-d image) per sample but "
                                   "receives 64 (1-d)"),
])
def test_shape_problems(src, message):
    assert problem(src) == message


def test_layers_before_a_problem_are_kept():
    analysis = run("input 1x28x28\nConv2d(1, 8, 3)\nReLU()\nLinear(100, 10)")
    assert [r.name for r in analysis.rows] == ["Conv2d", "ReLU"]
    assert analysis.error.code == "CC102"


def test_cc201_names_the_fraction_and_the_pixels_never_covered():
    assert warnings("input 3x28x28\nConv2d(3, 8, 5, stride=2)") == [
        "2: CC201 Conv2d: along H, (28 + 0 - 5)/2 = 23/2 is not an integer; floor leaves the last 1 row of 28 "
        "never covered",
        "2: CC201 Conv2d: along W, (28 + 0 - 5)/2 = 23/2 is not an integer; floor leaves the last 1 column of 28 "
        "never covered"]
    # the remainder lies in the padding: every input pixel is covered, nothing to say
    assert warnings("input 3x32x32\nConv2d(3, 8, 3, stride=2, padding=1)") == []
    # a stride larger than the kernel skips pixels by design
    assert warnings("input 3x56x56\nConv2d(3, 8, 1, stride=2)") == []
    assert warnings("input 3x5x7\nMaxPool2d(2, ceil_mode=True)")[0].endswith(
        "ceil_mode adds a last window that hangs 1 row past the input")


def test_unrolled_size_is_bounded():
    src = "input 1x4x4\nrepeat 100000:\n    repeat 100000:\n        ReLU()"
    assert "more than 10,000 layers and statements" in problem(src)


def test_the_rule_cache_keeps_layers_sharing_a_rule_apart():
    """One rule serves ZeroPad1d and ReflectionPad1d and reads the layer's name: a cached result
    of one must never answer for the other (found by the inputs hypothesis test)."""
    from convcalc.engine.shapes import analyse

    zero = analyse(parse("input 1x1\nZeroPad1d((0, 1))\n", "t.net"))
    reflect = analyse(parse("input 1x1\nReflectionPad1d((0, 1))\n", "t.net"))
    assert zero.ok and not reflect.ok and "must be smaller than the input size 1" in reflect.error.message
    floats = analyse(parse("input 1x8\nMaxPool1d(2.0)\n", "t.net"))  # 2.0 == 2 as a key, not as an argument
    ints = analyse(parse("input 1x8\nMaxPool1d(2)\n", "t.net"))
    assert ints.ok and not floats.ok
