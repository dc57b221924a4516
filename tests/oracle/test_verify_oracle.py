"""The executor backend against torch: every layer of the catalogue through the layer table,
and whole example networks end to end, with the executor's own seeded weights copied into
torch's modules (tests/support/executor_torch.py). Values must agree to a relative 1e-4, and each
torch module must have exactly the parameters and buffers, by name and shape, that the
executor made."""
from paths import ROOT
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convcalc.errors import ConvcalcError
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse
from test_oracle_layers import (adaptive_case, call_text, chain, conv_case, conv_transpose_case, dense_case,
                                      elementwise_case, lazy_conv_case, norm_case, per_dim, pool_case, resample_case)

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore")]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
EXAMPLES = ROOT / "examples"
SLOW = os.environ.get("CONVCALC_SLOW") == "1"


def torch_accepts(torch, name, args, kwargs, shape) -> bool:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = getattr(torch.nn, name)(*args, **kwargs).eval()
            with torch.no_grad():
                y = module(torch.randn(1, *shape))
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError):
        return False
    return y.numel() > 0


def check_layer(torch, case):
    """Where torch runs the layer, the executor runs it too, with torch's values."""
    from executor_torch import ExecutionFailure, run_both

    name, args, kwargs, shape = case
    if name == "LayerNorm" and isinstance(args[0], list):
        args = (tuple(args[0]),)
    assume(torch_accepts(torch, name, args, kwargs, shape))
    src = f"input {'x'.join(map(str, shape))}\n{call_text(name, args, kwargs)}\n"
    try:
        run_both(parse(src, "layer.net"), batch=2)
    except (ExecutionFailure, ConvcalcError) as exc:
        raise AssertionError(f"torch runs {src!r} but the executor stops: {exc}") from None


@SETTINGS
@given(st.one_of(conv_case(), lazy_conv_case(), conv_transpose_case()))
def test_convolutions(torch, case):
    check_layer(torch, case)


@SETTINGS
@given(st.one_of(pool_case(), adaptive_case()))
def test_pools(torch, case):
    check_layer(torch, case)


@SETTINGS
@given(st.one_of(dense_case(), elementwise_case()))
def test_dense_and_elementwise(torch, case):
    name, args, _, shape = case
    if name == "Flatten":
        rank = len(shape) + 1
        assume(args[0] % rank != 0 or args[1] % rank == 0)
    check_layer(torch, case)


@SETTINGS
@given(norm_case())
def test_norms(torch, case):
    check_layer(torch, case)


@st.composite
def more_resampling(draw):
    """The Upsample modes and options resample_case leaves out."""
    nd = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["nearest-exact", "area", "bicubic", "nearest", "linear"]))
    if mode == "bicubic":
        nd = 2
    if mode == "linear":
        mode = {1: "linear", 2: "bilinear", 3: "trilinear"}[nd]
    shape = (2, *[draw(st.integers(1, 6)) for _ in range(nd)])
    kwargs = {"mode": mode}
    if draw(st.booleans()):
        kwargs["size"] = draw(per_dim(nd, st.integers(1, 9)))
    else:
        kwargs["scale_factor"] = draw(st.one_of(st.sampled_from([2, 3, 0.5, 1.5, 1.7, 2.25]),
                                                st.tuples(*[st.sampled_from([1.5, 2.0, 0.75])] * nd)))
        kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True, False]))
    if mode in ("bicubic", "bilinear", "linear", "trilinear") and draw(st.booleans()):
        kwargs["align_corners"] = draw(st.booleans())
    return "Upsample", (), kwargs, shape


@SETTINGS
@given(st.one_of(resample_case(), more_resampling()))
def test_resampling_and_padding(torch, case):
    name, args, kwargs, shape = case
    if name.startswith(("ReflectionPad", "ReplicationPad", "CircularPad")) and any(
            p < 0 for p in (args[0] if isinstance(args[0], tuple) else (args[0],))):
        assume(False)
    check_layer(torch, case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain())
def test_chains_run_as_in_torch(torch, src):
    from executor_torch import ExecutionFailure, run_both

    try:
        run_both(parse(src, "chain.net"))
    except ExecutionFailure:
        from torch_backend import run_in_torch

        with pytest.raises((RuntimeError, ValueError)):
            run_in_torch(parse(src, "chain.net"))


CATALOGUE_NET = """\
input 4x9x10
LazyConv2d(6, 3, padding='same', padding_mode='reflect')
BatchNorm2d(6, track_running_stats=False)
PReLU(6)
Conv2d(6, 8, (3, 2), stride=(2, 1), dilation=(1, 2), groups=2, padding_mode='circular', padding=1)
GroupNorm(4, 8)
ELU(0.5)
ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, groups=2)
InstanceNorm2d(4, affine=True, track_running_stats=True)
Hardswish()
ReflectionPad2d((1, 0, 2, 1))
AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
UpsamplingBilinear2d(scale_factor=2)
PixelUnshuffle(2)
PixelShuffle(2)
ReplicationPad2d(1)
MaxPool2d(3, stride=2, dilation=2, ceil_mode=True)
LocalResponseNorm(3)
Upsample(size=(5, 7), mode='bicubic', align_corners=False)
ConstantPad2d((0, 1, -1, 0), 0.5)
LayerNorm((4, 8))
Dropout2d(0.3)
AdaptiveMaxPool2d((2, None))
Mish()
save s
concat:
    branch:
        Identity()
    branch:
        LazyConvTranspose2d(3, 1)
        GELU('tanh')
LazyConv2d(4, 1)
add s
Flatten(2)
InstanceNorm1d(4)
Conv1d(4, 4, 3, padding='same', bias=False)
AvgPool1d(2)
Upsample(scale_factor=1.5, mode='linear')
ZeroPad1d(2)
Unflatten(2, (2, 2, -1))
Conv3d(4, 2, (1, 2, 2), padding=(0, 1, 1), padding_mode='replicate')
BatchNorm3d(2)
AdaptiveAvgPool3d((1, 2, 2))
Flatten()
Linear(8, 6)
BatchNorm1d(6)
Softplus(2.0, 5.0)
LazyLinear(5)
SiLU()
LeakyReLU(0.2)
Softmax(1)
"""


def test_a_network_of_every_family_runs_as_in_torch(torch):
    from executor_torch import run_both

    backend = run_both(parse(CATALOGUE_NET, "catalogue.net"), batch=3, seed=5)
    assert len(backend.steps) == 47


# the examples at sizes small enough for a test; vgg16, alexnet and conv3d_video cost
# seconds to minutes at any size every layer accepts (CONVCALC_SLOW=1 runs them)
SMALL = {"course_cnn": None, "lenet5": None, "symbolic_cnn": "3x33x34", "conv1d_audio": "1x6848",
         "inception_block": "192x6x6", "densenet_block": "64x6x6", "unet_small": "1x16x24",
         "unet": "1x16x16", "mobilenetv2": "3x32x32", "resnet18": "3x16x16", "resnet50": "3x8x8"}
SLOW_SIZES = {"alexnet": "3x63x63", "vgg16": "3x32x32", "conv3d_video": "3x8x16x16"}


@pytest.mark.parametrize("name", sorted(SMALL) + [pytest.param(n, marks=pytest.mark.skipif(
    not SLOW, reason="CONVCALC_SLOW=1 runs the examples that take seconds at any valid size")) for n in SLOW_SIZES])
def test_example_end_to_end_as_in_torch(torch, name):
    from executor_torch import run_both

    size = {**SMALL, **SLOW_SIZES}[name]
    program = parse((EXAMPLES / f"{name}.net").read_text(), f"examples/{name}.net")
    run_both(program, parse_input_option(size) if size else None, batch=2 if name in ("course_cnn", "lenet5") else 1)
