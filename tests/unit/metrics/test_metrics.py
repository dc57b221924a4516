"""Mult-adds (torchinfo and fvcore conventions), memory, receptive fields and the
`shapes --columns/--depth` and `rf` commands, without torch. The torch and torchinfo
cross-checks are in test_metrics_oracle.py."""
from report_json import one_model
from paths import ROOT
from fractions import Fraction

import pytest
from click.testing import CliRunner

from convcalc.metrics import fields, memory
from convcalc.metrics.measure import info_of, input_field_of, measure as measure_program
from convcalc.cli import cli
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse

EXAMPLES = ROOT / "examples"
COURSE = str(EXAMPLES / "course_cnn.net")


def measure(text, input_text=None):
    analysis = measure_program(parse(text, "t.net"), parse_input_option(input_text) if input_text else None)
    assert analysis.ok, analysis.error and analysis.error.message
    return analysis


def example(name, input_text=None):
    return measure((EXAMPLES / f"{name}.net").read_text(), input_text)


def sizes(analysis):
    return [info.field.sizes() for info in info_of(analysis)]


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- mult-adds


def test_course_cnn_mult_adds_in_both_conventions():
    analysis = example("course_cnn")
    assert memory.total_macs(analysis, "torchinfo", 1) == 917_504 + 4_734_976 + 40_970 == 5_693_450
    # fvcore: no bias; 32*27 weights x 32*32 positions, 64*288 x 16*16, 4096*10
    assert memory.total_macs(analysis, "fvcore", 1) == 884_736 + 4_718_592 + 40_960
    assert memory.total_macs(analysis, "torchinfo", 3) == 3 * 5_693_450


def test_torchinfo_counts_a_linear_once_per_sample_whatever_its_rank():
    # torchinfo 1.8.0 multiplies a Linear's parameters by the batch only; fvcore by every
    # output dimension but the last
    analysis = measure("input 4x6x5; Linear(5, 3)")
    assert analysis.rows[0].macs == 18
    assert info_of(analysis)[0].fmas == 4 * 6 * 15


def test_fvcore_counts_a_transposed_convolution_over_its_input_positions():
    analysis = measure("input 4x5x5; ConvTranspose2d(4, 6, 3, stride=2, groups=2)")
    row, info = analysis.rows[0], info_of(analysis)[0]
    assert row.shape == (6, 11, 11)
    assert row.macs == (4 * 3 * 9 + 6) * 11 * 11  # torchinfo: weight + bias, output positions
    assert info.fmas == 4 * 3 * 9 * 25  # fvcore: weight, input positions


def test_norms_and_prelu_count_their_parameters_once_per_sample_in_torchinfo_and_zero_in_fvcore():
    analysis = measure("input 8x4x4; BatchNorm2d(8); PReLU(8); GroupNorm(2, 8); ReLU(); MaxPool2d(2)")
    assert [r.macs for r in analysis.rows] == [16, 8, 16, 0, 0]
    assert [i.fmas for i in info_of(analysis)] == [0] * 5


def test_symbolic_mult_adds_stay_symbolic():
    analysis = measure("input 3xHxW; Conv2d(3, 8, 3, stride=2, padding=1, bias=False)")
    assert str(info_of(analysis)[0].fmas) == str(216 * analysis.rows[0].shape[1] * analysis.rows[0].shape[2])


# ---------------------------------------------------------------- memory


@pytest.mark.parametrize("dtype, width", [("float32", 4), ("float16", 2), ("bfloat16", 2), ("float64", 8)])
def test_memory_per_dtype(dtype, width):
    analysis = measure("input 3x8x8; Conv2d(3, 4, 3, padding=1); BatchNorm2d(4); ReLU(); Flatten(); Linear(256, 2)")
    mem = memory.memory(analysis, batch=2, dtype=dtype)
    assert mem.params == (112 + 8 + 514) * width
    assert mem.buffers == 8 * width + 8  # running mean and var in dtype, num_batches_tracked int64
    assert mem.input == 2 * 192 * width
    assert mem.activations == 2 * (256 * 4 + 2) * width
    # torchinfo: 2 x the outputs of the layers with parameters (conv, batch norm, linear)
    assert mem.forward_backward == 2 * 2 * (256 + 256 + 2) * width
    assert mem.torchinfo_total == mem.input + mem.forward_backward + mem.params


# ---------------------------------------------------------------- receptive fields


VGG_START = """input 3x32x32
Conv2d(3, 8, 3, padding=1)
ReLU()
Conv2d(8, 8, 3, padding=1)
MaxPool2d(2)
Conv2d(8, 8, 3, padding=1)
Conv2d(8, 8, 3, padding=1)
MaxPool2d(2)
"""


def test_vgg_receptive_fields_3_5_6_10_14_16():
    analysis = measure(VGG_START)
    assert [s[0] for s in sizes(analysis)] == [3, 3, 5, 6, 10, 14, 16]
    last = info_of(analysis)[-1].field.axes[0]
    assert (last.jump, last.start) == (4, Fraction(3, 2))


def test_distill_recurrences_with_dilation_stride_and_padding():
    # K = 2*(3-1)+1 = 5: r = 5, start = (5-1)/2 - 1 = 1; then k=3 s=2 p=0: r = 5 + 2 = 7,
    # start = 1 + 1 = 2, j = 2; then k=2 s=1 p=1 (pool): r = 9, start = 2 + (0.5 - 1)*2 = 1
    analysis = measure("input 1x40; Conv1d(1, 1, 3, dilation=2, padding=1); Conv1d(1, 1, 3, stride=2); "
                       "MaxPool1d(2, stride=1, padding=1)")
    axes = [info.field.axes[0] for info in info_of(analysis)]
    assert [(a.size, a.jump, a.start) for a in axes] == [(5, 1, 1), (7, 2, 2), (9, 2, 1)]


def test_per_axis_geometry_and_asymmetric_same_padding():
    analysis = measure("input 1x20x20; Conv2d(1, 1, (4, 3), padding='same')")
    axes = info_of(analysis)[0].field.axes
    assert [(a.size, a.start) for a in axes] == [(4, Fraction(1, 2)), (3, 0)]
    assert info_of(analysis)[0].padding == ((1, 2), (1, 1))


def test_padding_layers_shift_the_start():
    analysis = measure("input 1x10x10; ZeroPad2d((2, 0, 1, 3)); Conv2d(1, 1, 3)")
    axes = info_of(analysis)[-1].field.axes
    assert [(a.size, a.start) for a in axes] == [(3, 0), (3, -1)]  # H padded 1 on top, W 2 on the left


def test_global_pooling_and_linear_make_the_field_whole():
    analysis = example("resnet18")
    fields = [info.field for info in info_of(analysis)]
    pool = next(i for i, row in enumerate(analysis.rows) if row.name == "AdaptiveAvgPool2d")
    assert fields[pool - 1].sizes() == [435, 435] and not fields[pool - 1].whole
    assert all(f.whole for f in fields[pool:])
    assert fields[pool].sizes() == [224, 224]
    course = example("course_cnn")
    assert [i.field.whole for i in info_of(course)] == [False] * 7 + [True]


@pytest.mark.parametrize("name, size", [("vgg16", 212), ("alexnet", 195), ("resnet50", 427),
                                        ("mobilenetv2", 491), ("inception_block", 5), ("densenet_block", 14)])
def test_published_receptive_fields_of_the_examples(name, size):
    # Araujo et al. (Distill 2019) list VGG-16 212, AlexNet 195, ResNet-50 427, MobileNet-V2 491:
    # the field just before global pooling / the classifier
    analysis = example(name)
    fields = [i.field for i in info_of(analysis) if not i.field.whole]
    assert fields[-1].sizes()[0] == size


def test_residual_and_concat_take_the_union_of_the_branches():
    analysis = measure("input 4x16x16\nresidual:\n    Conv2d(4, 4, 5, padding=2)\nconcat:\n    branch:\n"
                       "        Identity()\n    branch:\n        MaxPool2d(3, stride=1, padding=1)\n")
    assert [s[0] for s in sizes(analysis)] == [5, 5, 5, 7, 7]  # conv, add, Identity, pool, concat


def test_union_of_branches_centred_differently_covers_both():
    two = [fields.Axis(1, lo=(-1,), hi=(1,)), fields.Axis(1, lo=(1,), hi=(3,))]
    joined = fields.union([fields.Field((a,), (10,)) for a in two]).axes[0]
    assert (joined.size, joined.start) == (5, 1)


def test_transposed_convolution_reads_the_inputs_its_taps_land_on():
    # conv k3 s2: unit i sees [2i, 2i+2]; transposed k3 s2 p1: o reads i where 2i = o + 1 - m:
    # o = 0 reads i = 0, o = 1 reads i = 0 and 1: fields [0, 2] and [0, 4], then shifted by 2
    analysis = measure("input 1x20; Conv1d(1, 1, 3, stride=2); ConvTranspose1d(1, 1, 3, stride=2, padding=1)")
    axis = info_of(analysis)[-1].field.axes[0]
    assert (axis.period, axis.lo, axis.hi, axis.jump) == (2, (0, 0), (2, 4), 1)
    assert (axis.size, axis.start, axis.field_of(5)) == (5, 1, (4, 8))
    plain = info_of(measure("input 1x20; ConvTranspose1d(1, 1, 3, padding=1)"))[0].field.axes[0]
    assert (plain.period, plain.size, plain.jump, plain.start) == (1, 3, 1, 0)  # stride 1: a convolution


def test_nearest_upsampling_copies_fields_and_halves_the_jump():
    fld = info_of(measure("input 1x8x8; Upsample(scale_factor=2)"))[0].field
    axis = fld.axes[1]
    assert (axis.period, axis.lo, axis.hi, axis.jump) == (2, (0, 0), (0, 0), Fraction(1, 2))
    assert fld.sizes() == [1, 1] and fld.varies and not fld.sizes_differ


def test_bilinear_upsampling_reads_two_units():
    axis = info_of(measure("input 1x8x8; Upsample(scale_factor=2, mode='bilinear')"))[0].field.axes[0]
    # source x = (o + 0.5)/2 - 0.5: o = 0 reads -1 and 0, o = 1 reads 0 and 1
    assert (axis.period, axis.lo, axis.hi) == (2, (-1, 0), (0, 1))


def test_unet_upsampling_marks_the_field_approximate():
    analysis = example("unet_small")
    first = next(i for i, row in enumerate(analysis.rows) if row.name == "ConvTranspose2d")
    assert not info_of(analysis)[first - 1].field.varies
    assert all(info.field.varies for info in info_of(analysis)[first:])
    # measured in torch (max pools swapped for average pools, whose gradient reaches every
    # pixel of the window): units see 92 or 100 pixels, periodically
    assert info_of(analysis)[-1].field.sizes() == [100, 100]
    axis = info_of(analysis)[-1].field.axes[0]
    assert [axis.field_of(u) for u in (72, 74, 78, 82, 86)] == [(26, 117), (26, 125), (34, 125), (34, 133),
                                                                (42, 133)]


def test_adaptive_pool_exact_when_divisible_and_approximate_otherwise():
    exact = info_of(measure("input 1x12x12; AdaptiveAvgPool2d(4)"))[0].field.axes[0]
    assert (exact.size, exact.jump, exact.start, exact.period) == (3, 3, 1, 1)
    rough = info_of(measure("input 1x11x11; AdaptiveAvgPool2d(4)"))[0].field
    axis = rough.axes[0]  # cells [0, 3), [2, 6), [5, 9), [8, 11)
    assert (axis.period, axis.lo, axis.hi, axis.jump) == (4, (0, 2, 5, 8), (2, 5, 8, 10), Fraction(11, 4))
    assert rough.sizes() == [4, 4] and rough.sizes_differ


def test_no_spatial_input_has_no_field():
    analysis = measure("input 784; Linear(784, 10)")
    assert input_field_of(analysis) is None and info_of(analysis)[0].field is None


# ---------------------------------------------------------------- depth


def test_depth_folds_def_calls_and_blocks():
    from convcalc.report.rows import entries

    analysis = example("resnet18")
    top = entries(analysis, "torchinfo", 1, "float32", 1)
    assert [e.layer for e in top][4:8] == ["Layer(64, 64, 2)", "Layer(64, 128, 2, stride=2)",
                                           "Layer(128, 256, 2, stride=2)", "Layer(256, 512, 2, stride=2)"]
    assert sum(e.params for e in top) == analysis.total_params
    assert sum(e.macs for e in top) == memory.total_macs(analysis, "torchinfo", 1)
    assert len(entries(analysis, "torchinfo", 1, "float32", 0)) == 1
    assert len(entries(analysis, "torchinfo", 1, "float32", None)) == len(analysis.rows)
    # depth counts def calls (as torchinfo counts modules); repeat and residual blocks are not levels
    second = entries(analysis, "torchinfo", 1, "float32", 2)
    assert [e.block for e in second if e.block][:4] == ["BasicBlock"] * 4
    assert [e.layer for e in second if e.block][:2] == ["BasicBlock(64, 64, stride=1)", "BasicBlock(64, 64)"]


# ---------------------------------------------------------------- the commands, exact


COURSE_COLUMNS = """\
  line  layer                                        output      params    mult-adds     memory  rf     kernel    stride    padding
------  -------------------------------------------  --------  --------  -----------  ---------  -----  --------  --------  ---------
        input                                        3x32x32                           12.29 kB  1x1
     5  Conv2d(3, 32, kernel_size=3, padding=1)      32x32x32       896      917,504  131.07 kB  3x3    3x3       1x1       1x1
     6  ReLU()                                       32x32x32         0            0  131.07 kB  3x3
     7  MaxPool2d(2)                                 32x16x16         0            0   32.77 kB  4x4    2x2       2x2       0x0
     8  nn.Conv2d(32, 64, kernel_size=3, padding=1)  64x16x16    18,496    4,734,976   65.54 kB  8x8    3x3       1x1       1x1
     9  nn.ReLU()                                    64x16x16         0            0   65.54 kB  8x8
    10  nn.MaxPool2d(2)                              64x8x8           0            0   16.38 kB  10x10  2x2       2x2       0x0
    11  Flatten()                                    4096             0            0   16.38 kB  10x10
    12  Linear(64 * 8 * 8, 10)                       10          40,970       40,970       40 B  whole
        total                                                    60,362    5,693,450  458.79 kB

input: 3x32x32   output: 10
total params: 60,362   trainable: 60,362   non-trainable: 0
buffers: 0   mult-adds: 5,693,450 (torchinfo's convention, batch 1)
memory (float32, batch 1): params 241.45 kB   buffers 0 B   activations 458.79 kB (every layer's output)
torchinfo's estimate: input 12.29 kB + forward/backward pass 393.30 kB (2 x the outputs of layers with parameters) + params 241.45 kB = 647.03 kB
"""


def test_shapes_with_every_column_exact():
    result = invoke("shapes", COURSE, "--columns", "output,params,macs,memory,rf,kernel,stride,padding")
    assert result.exit_code == 0, result.output
    assert result.stdout == COURSE_COLUMNS


def test_columns_in_any_order_fvcore_float16_batch_4_exact():
    result = invoke("shapes", COURSE, "--columns", "macs,params", "--convention", "fvcore", "--dtype", "float16",
                    "--batch", "4")
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
  line  layer                                          mult-adds    params
------  -------------------------------------------  -----------  --------
        input
     5  Conv2d(3, 32, kernel_size=3, padding=1)        3,538,944       896
     6  ReLU()                                                 0         0
     7  MaxPool2d(2)                                           0         0
     8  nn.Conv2d(32, 64, kernel_size=3, padding=1)   18,874,368    18,496
     9  nn.ReLU()                                              0         0
    10  nn.MaxPool2d(2)                                        0         0
    11  Flatten()                                              0         0
    12  Linear(64 * 8 * 8, 10)                           163,840    40,970
        total                                         22,577,152    60,362

input: 3x32x32   output: 10
total params: 60,362   trainable: 60,362   non-trainable: 0
buffers: 0   mult-adds: 22,577,152 (fvcore's convention: fused multiply-adds of conv and linear layers, bias left out, batch 4)
"""


def test_depth_one_on_resnet18_exact():
    result = invoke("shapes", str(EXAMPLES / "resnet18.net"), "--depth", "1", "--columns", "output,params,macs,rf")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\n\n")[0] == """\
  line  layer                                                          output          params      mult-adds  rf
------  -------------------------------------------------------------  ----------  ----------  -------------  -------
        input                                                          3x224x224                              1x1
    26  Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)  64x112x112       9,408    118,013,952  7x7
    27  BatchNorm2d(64)                                                64x112x112         128            128  7x7
    28  ReLU()                                                         64x112x112           0              0  7x7
    29  MaxPool2d(kernel_size=3, stride=2, padding=1)                  64x56x56             0              0  11x11
    31  Layer(64, 64, 2)                                               64x56x56       147,968    462,422,528  43x43
    32  Layer(64, 128, 2, stride=2)                                    128x28x28      525,568    411,043,072  99x99
    33  Layer(128, 256, 2, stride=2)                                   256x14x14    2,099,712    411,044,352  211x211
    34  Layer(256, 512, 2, stride=2)                                   512x7x7      8,393,728    411,046,912  435x435
    36  AdaptiveAvgPool2d((1, 1))                                      512x1x1              0              0  whole
    37  Flatten()                                                      512                  0              0  whole
    38  Linear(512, 1000)                                              1000           513,000        513,000  whole
        total                                                                      11,689,512  1,814,083,944"""


def test_rf_command_exact():
    result = invoke("rf", COURSE)
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
  line  layer                                        output    kernel    stride    padding      size    jump    start
------  -------------------------------------------  --------  --------  --------  ---------  ------  ------  -------
        input                                        3x32x32                                     1x1     1x1      0x0
     5  Conv2d(3, 32, kernel_size=3, padding=1)      32x32x32  3x3       1x1       1x1           3x3     1x1      0x0
     6  ReLU()                                       32x32x32                                    3x3     1x1      0x0
     7  MaxPool2d(2)                                 32x16x16  2x2       2x2       0x0           4x4     2x2  0.5x0.5
     8  nn.Conv2d(32, 64, kernel_size=3, padding=1)  64x16x16  3x3       1x1       1x1           8x8     2x2  0.5x0.5
     9  nn.ReLU()                                    64x16x16                                    8x8     2x2  0.5x0.5
    10  nn.MaxPool2d(2)                              64x8x8    2x2       2x2       0x0         10x10     4x4  1.5x1.5
    11  Flatten()                                    4096                                      10x10     4x4  1.5x1.5
    12  Linear(64 * 8 * 8, 10)                       10                                        whole       -        -

receptive field of the output: the whole input (32x32): a Linear over every position at line 12 (Linear(64 * 8 * 8, 10))
just before it: 10x10 (jump 4x4, start 1.5x1.5)
"""


def test_rf_names_global_pooling_and_the_field_before_it():
    result = invoke("rf", str(EXAMPLES / "resnet50.net"))
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "receptive field of the output: the whole input (224x224): global pooling at line 40 "
        "(AdaptiveAvgPool2d((1, 1)))\njust before it: 427x427 (jump 32x32, start 0x0)\n")


def test_rf_of_a_dilated_one_liner_and_of_a_flat_input():
    result = invoke("rf", "-e", "input 1x50; Conv1d(1, 2, 3, dilation=4, padding=4); MaxPool1d(2)")
    assert result.exit_code == 0
    assert result.stdout.endswith("receptive field of the output: 10 (jump 2, start 0.5)\n")
    assert "3 dil 4" in result.stdout
    flat = invoke("rf", "-e", "input 784; Linear(784, 10)")
    assert flat.exit_code == 0
    assert flat.stdout.endswith("the input 784 has no spatial dimensions: no receptive field\n")


def test_rf_after_upsampling_says_the_sizes_are_upper_bounds():
    result = invoke("rf", "-e", "input 1x8x8; Upsample(scale_factor=2, mode='bilinear'); Conv2d(1, 1, 3)")
    assert result.exit_code == 0
    assert "from line 1 (Upsample(scale_factor=2, mode='bilinear')) on, units are spaced unevenly" in result.stdout
    assert result.stdout.endswith("receptive field of the output: 3x3 (jump 0.5x0.5, start 0x0)\n" +
                                  result.stdout.splitlines()[-1] + "\n")
    nearest = invoke("rf", "-e", "input 1x11x11; AdaptiveAvgPool2d(4)")
    assert "<=4x4" in nearest.stdout


@pytest.mark.parametrize("columns, message", [
    ("output,flops", "--columns: unknown column 'flops'; choose from input, output, params, macs, macs%, memory, "
                     "rf, kernel, stride, padding"),
    ("macs,macs", "--columns: macs given twice"),
    ("", "--columns: unknown column ''"),
])
def test_bad_columns_are_usage_errors(columns, message):
    result = invoke("shapes", COURSE, "--columns", columns)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"convcalc: error: {message}")


def test_bad_dtype_and_convention_are_usage_errors():
    assert invoke("shapes", COURSE, "--dtype", "int8").exit_code == 2
    assert invoke("shapes", COURSE, "--convention", "deepspeed").exit_code == 2


def test_shapes_json_with_metrics():
    result = invoke("shapes", COURSE, "--columns", "macs,memory,rf", "--format", "json", "--batch", "2")
    data = one_model(result.stdout)
    first = data["layers"][0]
    assert first == {"line": 5, "layer": "Conv2d(3, 32, kernel_size=3, padding=1)", "input": [3, 32, 32],
                     "output": [32, 32, 32],
                     "params": 896, "buffers": 0, "macs": 2 * 917_504,
                     "macs_percent": round(100 * 917_504 / 5_693_450, 4),
                     "output_bytes": 2 * 4 * 32 * 32 * 32,
                     "rf": {"size": [3, 3], "jump": [1, 1], "start": [0, 0], "whole": [False, False],
                            "period": [1, 1]},
                     "kernel": [3, 3], "stride": [1, 1], "padding": [[1, 1], [1, 1]], "dilation": [1, 1]}
    assert data["layers"][2]["rf"]["start"] == [0.5, 0.5]
    assert (data["convention"], data["total_macs"]) == ("torchinfo", 2 * 5_693_450)
    # one field per figure: --convention chooses what "macs" and "total_macs" count, in every row
    fvcore = one_model(invoke("shapes", COURSE, "--convention", "fvcore", "--format", "json", "--batch", "2").stdout)
    assert (fvcore["convention"], fvcore["total_macs"], fvcore["layers"][0]["macs"]) == \
        ("fvcore", 2 * 5_644_288, 2 * 884_736)
    assert "macs_fvcore" not in fvcore["layers"][0] and "total_macs_fvcore" not in fvcore
    assert data["memory"] == {"dtype": "float32", "bytes_per_element": 4, "batch": 2, "input_bytes": 24_576,
                              "params_bytes": 241_448, "buffers_bytes": 0, "activations_bytes": 917_584,
                              "forward_backward_bytes": 786_592, "torchinfo_params_bytes": 241_448,
                              "torchinfo_total_bytes": 1_052_616}
    assert data["rf"]["whole_from"] == {"line": 12, "layer": "Linear(64 * 8 * 8, 10)",
                                        "reason": "a Linear over every position"}


def test_rf_json_and_folded_json_rows():
    data = one_model(invoke("rf", COURSE, "--format", "json").stdout)
    assert data["layers"][-1]["rf"]["whole"] == [True, True]
    assert data["rf"]["output"]["size"] == [32, 32]
    folded = one_model(invoke("shapes", str(EXAMPLES / "resnet18.net"), "--depth", "1", "--format", "json").stdout)
    layer = next(item for item in folded["layers"] if item.get("block") == "Layer")
    assert layer["layer"] == "Layer(64, 64, 2)" and layer["rows"] == 14 and layer["params"] == 147_968


def test_symbolic_network_with_columns():
    result = invoke("shapes", str(EXAMPLES / "symbolic_cnn.net"), "--columns", "output,macs,memory,rf")
    assert result.exit_code == 0, result.output
    assert "whole" in result.stdout and "floor(H/4)" in result.stdout
    assert "activations " in result.stdout


def test_an_error_still_prints_the_columns_so_far():
    result = invoke("shapes", "-e", "input 3x8x8; Conv2d(3, 4, 3); Conv2d(5, 4, 3)", "--columns", "macs,rf")
    assert result.exit_code == 1
    assert "CC101" in result.stderr
    assert "stopped at line 1: CC101" in result.stdout


def test_the_uneven_spacing_note_only_when_the_output_is_uneven():
    result = invoke("rf", "-e", "input 8x4x4; PixelShuffle(2); PixelUnshuffle(2); Conv2d(8, 4, 3)")
    assert result.stdout.endswith("\n\nreceptive field of the output: 3x3 (jump 1x1, start 1x1)\n")
    unet = invoke("rf", str(EXAMPLES / "unet_small.net"))
    assert unet.stdout.endswith(
        "receptive field of the output: <=100x100 (jump 1x1, start -0.5x-0.5)\nfrom line 31 (ConvTranspose2d(128, "
        "64, 2, stride=2)) on, units are spaced unevenly: size is the largest field (<= where they differ), "
        "start the centre of unit 0's, jump the average step\n")


LAYERS = ["Conv2d(3, 3, 3)", "Conv2d(3, 3, 2, stride=2, padding=1, dilation=2)", "MaxPool2d(2, ceil_mode=True)",
          "AvgPool2d(3, 2, 1)", "ConvTranspose2d(3, 3, 3, stride=2, padding=1, output_padding=1)",
          "Upsample(scale_factor=1.5)", "Upsample(size=(7, 5), mode='bilinear')", "PixelShuffle(1)",
          "AdaptiveAvgPool2d((3, None))", "AdaptiveMaxPool2d(1)", "ZeroPad2d((1, -1, 2, 0))", "Flatten()",
          "Flatten(2)", "Unflatten(1, (1, -1))", "Linear(5, 4)", "LazyLinear(3)", "BatchNorm2d(3)", "ReLU()",
          "Identity()", "Softmax(dim=1)", "LayerNorm(3)", "Dropout2d()"]


@pytest.mark.parametrize("seed", range(12))
def test_odd_chains_never_traceback(seed):
    import random

    rng = random.Random(seed)
    for _ in range(8):
        chain = "; ".join(rng.choice(LAYERS) for _ in range(rng.randint(1, 5)))
        dims = rng.choice(["3x9x9", "3xHxW", "3x9xW", "3x4x4"])
        for args in (["rf", "-e", f"input {dims}; {chain}"],
                     ["shapes", "-e", f"input {dims}; {chain}", "--columns", "rf,macs,memory,kernel,stride,padding",
                      "--depth", "1"],
                     ["shapes", "-e", f"input {dims}; {chain}", "--format", "json", "--convention", "fvcore",
                      "--dtype", "bfloat16"]):
            result = invoke(*args)
            assert result.exit_code in (0, 1), (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
