"""Mult-adds, memory and receptive fields against torch itself.

* torchinfo (the pinned version of the oracle extra) on every example's torch twin and on
  hypothesis-drawn chains: total params, total mult-adds, forward/backward pass size and
  params size equal convcalc's at the same input and batch. Models are built on the meta
  device, so full-size inputs cost nothing.
* torch.utils.flop_counter (which counts 2 per fused multiply-add, as fvcore does for
  convolutions and matrix products) against convcalc's fvcore convention.
* Receptive fields against a gradient measurement: with all weights 1 and an all-ones
  input, the receptive field of an output unit is the set of input positions where its
  gradient is nonzero.
"""
from paths import ROOT
import math
import sys

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from layer_draws import conv_layer, divisors, grown_chain, net_text

from convcalc.metrics import measure, memory
from convcalc.metrics.measure import info_of
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse

pytestmark = pytest.mark.oracle
sys.path.insert(0, str(ROOT / "tests" / "support"))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SMALL_INPUT = {"alexnet": (3, 127, 127), "vgg16": (3, 64, 64), "resnet18": (3, 64, 64),
               "resnet50": (3, 64, 64), "mobilenetv2": (3, 64, 64), "conv3d_video": (3, 16, 32, 32),
               "conv1d_audio": (1, 8000), "unet_small": (1, 32, 32), "densenet_block": (64, 16, 16),
               "inception_block": (192, 8, 8), "unet": (1, 32, 48)}


def measured(name, shape):
    text = (ROOT / "examples" / f"{name}.net").read_text()
    analysis = measure.measure(parse(text, name), parse_input_option("x".join(map(str, shape))))
    assert analysis.ok, analysis.error and analysis.error.message
    return analysis


def torchinfo_figures(torch, model, shape, batch, dtype=None):
    from torchinfo import summary

    x = torch.zeros(batch, *shape, dtype=dtype or torch.float32, device="meta")
    # eval mode: in train mode a BatchNorm at batch 1 over one value per channel refuses to run
    stats = summary(model, input_data=x, verbose=0, device="meta", mode="eval")
    return stats.total_params, stats.total_mult_adds, stats.total_output_bytes, stats.total_param_bytes


def flop_counter_fmas(torch, model, shape, batch):
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(batch, *shape, device="meta"))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


def convcalc_figures(analysis, batch, dtype="float32"):
    mem = memory.memory(analysis, batch, dtype)
    return (analysis.total_params, memory.total_macs(analysis, "torchinfo", batch), mem.forward_backward,
            mem.torchinfo_params)


# ---------------------------------------------------------------- the examples


def example_names():
    """From examples/ (not torch_models, which imports torch: collection must work without it)."""
    return sorted(p.stem for p in (ROOT / "examples").glob("*.net"))


@pytest.mark.parametrize("size", ["full", "small"])
@pytest.mark.parametrize("name", example_names())
def test_example_totals_equal_torchinfo(torch, name, size):
    from torch_models import MODELS

    builder, shape = MODELS[name]
    if size == "small":
        shape = SMALL_INPUT.get(name, shape)
    batch = 2 if size == "full" else 3
    with torch.device("meta"):
        model = builder()
    analysis = measured(name, shape)
    ours, theirs = convcalc_figures(analysis, batch), torchinfo_figures(torch, model, shape, batch)
    assert ours == theirs
    assert memory.total_macs(analysis, "fvcore", batch) == flop_counter_fmas(torch, model, shape, batch)



def test_course_cnn_is_5693450_in_torchinfo(torch):
    from torch_models import MODELS

    with torch.device("meta"):
        model = MODELS["course_cnn"][0]()
    assert torchinfo_figures(torch, model, (3, 32, 32), 1)[1] == 5_693_450


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
@pytest.mark.parametrize("name", ["course_cnn", "resnet18", "conv1d_audio"])
def test_memory_per_dtype_equals_torch(torch, name, dtype):
    from torch_models import MODELS

    builder, shape = MODELS[name]
    torch_dtype = getattr(torch, dtype)
    with torch.device("meta"):
        model = builder().to(torch_dtype)
    analysis = measured(name, shape)
    ours = memory.memory(analysis, 2, dtype)
    _, _, forward_backward, params = torchinfo_figures(torch, model, shape, 2, torch_dtype)
    assert (ours.forward_backward, ours.torchinfo_params) == (forward_backward, params)
    assert ours.buffers == sum(b.numel() * b.element_size() for b in model.buffers())
    assert ours.input == torch.zeros(2, *shape, dtype=torch_dtype, device="meta").nbytes


# ---------------------------------------------------------------- hypothesis chains


def draw_layer(draw, shape):
    """One layer for a C x H x W tensor, as (name, args, kwargs)."""
    c, h, w = shape
    kind = draw(st.sampled_from(["conv", "conv", "convT", "bn", "gn", "prelu", "ln", "in", "pool", "relu",
                                 "up", "adaptive", "linear"]))
    if kind in ("conv", "convT"):
        return conv_layer(draw, c, kind)
    if kind == "bn":
        return "BatchNorm2d", (c,), {}
    if kind == "gn":
        return "GroupNorm", (draw(st.sampled_from(divisors(c))), c), {}
    if kind == "prelu":
        return "PReLU", (draw(st.sampled_from([1, c])),), {}
    if kind == "ln":
        return "LayerNorm", (draw(st.sampled_from([w, (c, h, w)])),), {}
    if kind == "in":
        return "InstanceNorm2d", (c,), {"affine": True}
    if kind == "pool":
        k = draw(st.integers(1, 3))
        return draw(st.sampled_from(["MaxPool2d", "AvgPool2d"])), (k,), dict(
            stride=draw(st.integers(1, 3)), padding=draw(st.integers(0, k // 2)), ceil_mode=draw(st.booleans()))
    if kind == "up":
        return "Upsample", (), {"scale_factor": 2.0}
    if kind == "adaptive":
        return "AdaptiveAvgPool2d", ((draw(st.integers(1, 4)), draw(st.integers(1, 4))),), {}
    if kind == "linear":
        return "Linear", (w, draw(st.integers(1, 6))), {"bias": draw(st.booleans())}
    return "ReLU", (), {}


@st.composite
def chains(draw):
    """A valid chain of 2-d layers (validity as convcalc computes it), maybe ending in Flatten + Linear."""
    shape = (draw(st.integers(1, 6)), draw(st.integers(4, 20)), draw(st.integers(4, 20)))
    layers, current = grown_chain(draw, shape, draw_layer)
    if draw(st.booleans()):
        layers += [("Flatten", (), {}), ("Linear", (math.prod(current), draw(st.integers(1, 5))), {})]
    assume(layers)
    return shape, layers, draw(st.integers(1, 3))


@SETTINGS
@given(chains())
def test_chains_equal_torchinfo_and_the_flop_counter(torch, case):
    import warnings

    shape, layers, batch = case
    analysis = measure.measure(parse(net_text(shape, layers), "t.net"))
    assert analysis.ok, analysis.error.message
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.device("meta"):
            model = torch.nn.Sequential(*[getattr(torch.nn, name)(*args, **kwargs) for name, args, kwargs in layers])
        assert convcalc_figures(analysis, batch) == torchinfo_figures(torch, model, shape, batch), net_text(shape, layers)
        assert memory.total_macs(analysis, "fvcore", batch) == flop_counter_fmas(torch, model, shape, batch)


# ---------------------------------------------------------------- receptive fields by gradient


def ones_module(torch, name, args, kwargs):
    module = getattr(torch.nn, name)(*args, **kwargs)
    for p in module.parameters():
        torch.nn.init.ones_(p)
    return module.double()


def gradient_support(torch, layers, in_shape):
    """Per output unit (flattened), the input positions with a nonzero gradient."""
    model = torch.nn.Sequential(*[ones_module(torch, *layer) for layer in layers])
    x = torch.ones(1, *in_shape, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda t: model(t)[0, 0].reshape(-1), x)
    return jac.reshape(jac.shape[0], *in_shape[1:]) != 0


RESAMPLING = ("Upsample", "ConvTranspose", "AdaptiveAvgPool")


def padded(name, args, kwargs) -> bool:
    """Padding at a border, a transposed convolution's output padding included (it adds output
    units past the end; found by hypothesis: Upsample(1.5) of 17, then ConvTranspose1d with
    output_padding=1, whose last unit reads nothing)."""
    return (bool(kwargs.get("padding", 0)) or bool(kwargs.get("output_padding", 0))
            or (name.endswith("Pad1d") and max(args[0]) > 0))


def crops(layers):
    """Where near the border the theoretical field is larger than the real one:
    - layers that drop input units at the border (a transposed convolution's padding, a
      negative pad): the next layer's padding then stands where real pixels were;
    - padding after a resampling layer: the periodic field extends a resampling's reads past
      its output, and there a padding position maps back onto real pixels (found by
      hypothesis: Upsample(1.5) of 17, then a padded conv, whose last unit reads padding)."""
    cropping = any((name.startswith("ConvTranspose") and kwargs.get("padding", 0)) or
                   (name.endswith("Pad1d") and min(args[0]) < 0) for name, args, kwargs in layers)
    first = next((i for i, (name, _, _) in enumerate(layers) if name.startswith(RESAMPLING)), len(layers))
    return cropping or any(padded(*layer) for layer in layers[first + 1:])


def check_units_1d(torch, length, layers):
    """A unit whose field lies inside the input sees exactly that field (without crops; at
    least never more than it, with them); a unit that reads nothing has no gradient.
    Returns the number of units checked, the final axis and the gradient support."""
    analysis = measure.measure(parse(net_text((1, length), layers), "t.net"))
    axis = info_of(analysis)[-1].field.axes[0]
    support = gradient_support(torch, layers, (1, length))
    exact = not crops(layers)
    checked = 0
    for unit in range(support.shape[0]):
        where = support[unit].nonzero().flatten().tolist()
        field = axis.field_of(unit)
        if field is None:
            assert not where, (net_text((1, length), layers), unit)
            continue
        if where:
            assert field[0] <= where[0] and where[-1] <= field[1], (net_text((1, length), layers), unit)
        if field[0] < 0 or field[1] > length - 1:
            continue  # the field reaches into padding: the border clips it
        checked += 1
        if exact:
            assert where and (where[0], where[-1]) == field, (net_text((1, length), layers), unit)
    return checked, axis, support


@st.composite
def window_stack_1d(draw):
    """Conv1d, AvgPool1d (MaxPool's geometry; its gradient would pick one element) and
    padding layers on one channel, without bias."""
    length = draw(st.integers(8, 60))
    layers, gaps = [], False
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "pad"]))
        if kind == "conv":
            k, s, d = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
            layer = ("Conv1d", (1, 1, k), dict(stride=s, padding=draw(st.integers(0, d * (k - 1))), dilation=d,
                                                 bias=False))
            gap = d > 1 or s > k
        elif kind == "pool":
            k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
            layer = ("AvgPool1d", (k,), dict(stride=s, padding=draw(st.integers(0, k // 2)),
                                              ceil_mode=draw(st.booleans())))
            gap = s > k
        else:
            layer = ("ConstantPad1d", ((draw(st.integers(0, 3)), draw(st.integers(0, 3))), 0.0), {})
            gap = False
        analysis = measure.measure(parse(net_text((1, length), layers + [layer]), "t.net"))
        if analysis.ok:
            layers.append(layer)
            gaps = gaps or gap
    assume(layers)
    return length, layers, gaps


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.filter_too_much])
@given(window_stack_1d())
def test_field_equals_the_gradient_support_in_1d(torch, case):
    length, layers, gaps = case
    checked, axis, support = check_units_1d(torch, length, layers)
    assume(checked)
    if not gaps:  # no dilation, no stride over the kernel: the field has no holes
        for unit in range(support.shape[0]):
            field = axis.field_of(unit)
            if 0 <= field[0] and field[1] <= length - 1:
                assert int(support[unit].sum()) == axis.size


@st.composite
def window_stack_2d(draw):
    height, width = draw(st.integers(8, 18)), draw(st.integers(8, 18))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
        d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        layer = ("Conv2d", (1, 1, k), dict(stride=(draw(st.integers(1, 2)), draw(st.integers(1, 2))),
                                           padding=(draw(st.integers(0, 2)), draw(st.integers(0, 2))), dilation=d,
                                           bias=False))
        if draw(st.booleans()):
            layer = ("AvgPool2d", (k,), dict(stride=layer[2]["stride"], padding=(k[0] // 2, k[1] // 2)))
        analysis = measure.measure(parse(net_text((1, height, width), layers + [layer]), "t.net"))
        if analysis.ok:
            layers.append(layer)
    assume(layers)
    return (height, width), layers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.filter_too_much])
@given(window_stack_2d())
def test_field_equals_the_gradient_support_in_2d(torch, case):
    (height, width), layers = case
    analysis = measure.measure(parse(net_text((1, height, width), layers), "t.net"))
    rows, cols = analysis.rows[-1].shape[1:]
    ax_h, ax_w = info_of(analysis)[-1].field.axes
    support = gradient_support(torch, layers, (1, height, width))
    inside = 0
    for unit in range(rows * cols):
        (top, bottom), (left, right) = ax_h.field_of(unit // cols), ax_w.field_of(unit % cols)
        if top < 0 or left < 0 or bottom > height - 1 or right > width - 1:
            continue
        inside += 1
        ys, xs = support[unit].nonzero(as_tuple=True)
        assert (int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())) == (top, bottom, left, right)
    assume(inside)


@st.composite
def resampling_stack(draw):
    """Windows, transposed convolutions, upsampling (nearest, linear), adaptive pools and
    padding in any order: fields that differ from unit to unit."""
    length = draw(st.integers(16, 48))
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        layer = draw(st.sampled_from([
            ("Conv1d", (1, 1, k), dict(stride=s, padding=draw(st.integers(0, k - 1)), dilation=d, bias=False)),
            ("AvgPool1d", (k,), dict(stride=s, padding=draw(st.integers(0, k // 2)))),
            ("ConvTranspose1d", (1, 1, k), dict(stride=s, padding=draw(st.integers(0, 1)), dilation=d,
                                                 output_padding=draw(st.integers(0, max(s, d) - 1)), bias=False)),
            ("Upsample", (), dict(scale_factor=draw(st.sampled_from([2.0, 3.0, 1.5])),
                                  mode=draw(st.sampled_from(["nearest", "linear", "nearest-exact"])))),
            ("AdaptiveAvgPool1d", (draw(st.integers(2, 12)),), {}),
            ("ConstantPad1d", ((draw(st.integers(-2, 3)), draw(st.integers(0, 3))), 0.0), {}),
        ]))
        analysis = measure.measure(parse(net_text((1, length), layers + [layer]), "t.net"))
        if analysis.ok and analysis.rows[-1].shape[-1] <= 160:
            layers.append(layer)
    assume(layers)
    return length, layers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.filter_too_much])
@given(resampling_stack())
@example((17, [("Upsample", (), {"scale_factor": 1.5, "mode": "nearest"}),
               ("Conv1d", (1, 1, 2), dict(stride=1, padding=1, dilation=2, bias=False))]))
@example((17, [("Upsample", (), {"scale_factor": 1.5, "mode": "nearest"}),
               ("ConvTranspose1d", (1, 1, 1), dict(stride=1, padding=0, dilation=2, output_padding=1, bias=False))]))
def test_uneven_fields_equal_the_gradient_support(torch, case):
    length, layers = case
    checked, _, _ = check_units_1d(torch, length, layers)
    assume(checked)


def test_vgg_fields_by_gradient(torch):
    # conv3, conv3, pool2, conv3, conv3, pool2: 3, 5, 6, 10, 14, 16, measured in torch
    conv = ("Conv2d", (1, 1, 3), dict(padding=1, bias=False))
    pool = ("AvgPool2d", (2,), {})
    stack = [conv, conv, pool, conv, conv, pool]
    found = []
    for depth in range(1, len(stack) + 1):
        support = gradient_support(torch, stack[:depth], (1, 40, 40))
        side = int(round(support.shape[0] ** 0.5))
        middle = (side // 2) * side + side // 2
        ys, xs = support[middle].nonzero(as_tuple=True)
        found.append(int(ys.max() - ys.min() + 1))
    assert found == [3, 5, 6, 10, 14, 16]
    text = net_text((1, 40, 40), stack)
    assert [i.field.sizes()[0] for i in info_of(measure.measure(parse(text, "t.net")))] == found
