"""Hypothesis draws layer configurations over the whole catalogue; convcalc's shape and
parameter count must equal torch's, and where torch raises, convcalc must report an error."""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from layer_draws import call_text

from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def convcalc_result(name, args, kwargs, shape):
    src = f"input {'x'.join(map(str, shape))}\n{call_text(name, args, kwargs)}\n"
    analysis = analyse(parse(src, "t.net"))
    if not analysis.ok:
        return None, analysis.error
    row = analysis.rows[-1]
    return (tuple(row.shape), row.params, row.buffers), None


def torch_result(torch, name, args, kwargs, shape):
    """(shape, params, buffers), or None where torch rejects the layer or gives an empty output."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = getattr(torch.nn, name)(*args, **kwargs)
            module.eval()
            with torch.no_grad():
                y = module(torch.randn(1, *shape))
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError):
        return None
    if y.numel() == 0:
        return None
    params = sum(p.numel() for p in module.parameters())
    buffers = sum(b.numel() for b in module.buffers())
    return tuple(y.shape[1:]), params, buffers


def agree(torch, name, args, kwargs, shape):
    expected = torch_result(torch, name, args, kwargs, shape)
    got, error = convcalc_result(name, args, kwargs, shape)
    if expected is None:
        assert error is not None, f"torch rejects {call_text(name, args, kwargs)} on {shape}, convcalc gives {got}"
    else:
        assert error is None, f"{call_text(name, args, kwargs)} on {shape}: torch gives {expected}, " \
                              f"convcalc says {error.code} {error.message}"
        assert got == expected, f"{call_text(name, args, kwargs)} on {shape}"


def per_dim(nd, values):
    """An int, or a tuple of nd values."""
    return st.one_of(values, st.tuples(*[values] * nd))


@st.composite
def conv_case(draw):
    nd = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 3))
    cout = groups * draw(st.integers(1, 3))
    if draw(st.booleans()):
        cin += draw(st.integers(0, 1))  # sometimes a groups mismatch
    kernel = draw(per_dim(nd, st.integers(1, 5)))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["stride"] = draw(per_dim(nd, st.integers(1, 3)))
    padding = draw(st.one_of(per_dim(nd, st.integers(0, 3)), st.sampled_from(["same", "valid"])))
    kwargs["padding"] = padding
    if draw(st.booleans()):
        kwargs["dilation"] = draw(per_dim(nd, st.integers(1, 3)))
    kwargs["groups"] = groups
    kwargs["bias"] = draw(st.booleans())
    kwargs["padding_mode"] = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
    channels = cin + draw(st.sampled_from([0, 0, 0, 1]))  # sometimes a channel mismatch
    spatial = tuple(draw(st.integers(1, 9 if nd < 3 else 6)) for _ in range(nd))
    return f"Conv{nd}d", (cin, cout, kernel), kwargs, (channels, *spatial)


@SETTINGS
@given(conv_case())
def test_conv(torch, case):
    agree(torch, *case)


@st.composite
def lazy_conv_case(draw):
    nd = draw(st.integers(1, 3))
    transposed = draw(st.booleans())
    kernel = draw(st.integers(1, 4))
    kwargs = {"stride": draw(st.integers(1, 3)), "padding": draw(st.integers(0, 2))}
    spatial = tuple(draw(st.integers(1, 8)) for _ in range(nd))
    name = f"LazyConv{'Transpose' if transposed else ''}{nd}d"
    return name, (draw(st.integers(1, 4)), kernel), kwargs, (draw(st.integers(1, 4)), *spatial)


@SETTINGS
@given(lazy_conv_case())
def test_lazy_conv(torch, case):
    agree(torch, *case)


@st.composite
def conv_transpose_case(draw):
    nd = draw(st.integers(1, 3))
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = draw(per_dim(nd, st.integers(1, 4)))
    kwargs = {
        "stride": draw(per_dim(nd, st.integers(1, 3))),
        "padding": draw(per_dim(nd, st.integers(0, 3))),
        "output_padding": draw(per_dim(nd, st.integers(0, 2))),
        "groups": groups,
        "bias": draw(st.booleans()),
        "dilation": draw(per_dim(nd, st.integers(1, 2))),
    }
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    return f"ConvTranspose{nd}d", (cin, cout, kernel), kwargs, (cin, *spatial)


@SETTINGS
@given(conv_transpose_case())
def test_conv_transpose(torch, case):
    agree(torch, *case)


@st.composite
def pool_case(draw):
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["Max", "Avg"]))
    kernel = draw(per_dim(nd, st.integers(1, 4)))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["stride"] = draw(per_dim(nd, st.integers(1, 4)))
    kwargs["padding"] = draw(per_dim(nd, st.integers(0, 2)))
    kwargs["ceil_mode"] = draw(st.booleans())
    if kind == "Max" and draw(st.booleans()):
        kwargs["dilation"] = draw(per_dim(nd, st.integers(1, 3)))
    if kind == "Avg":
        kwargs["count_include_pad"] = draw(st.booleans())
        if nd > 1 and draw(st.booleans()):
            kwargs["divisor_override"] = draw(st.integers(1, 5))
    spatial = tuple(draw(st.integers(1, 11 if nd < 3 else 6)) for _ in range(nd))
    return f"{kind}Pool{nd}d", (kernel,), kwargs, (draw(st.integers(1, 3)), *spatial)


@SETTINGS
@given(pool_case())
def test_pool(torch, case):
    agree(torch, *case)


@st.composite
def adaptive_case(draw):
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["Avg", "Max"]))
    sizes = st.integers(1, 7)
    if nd > 1 and draw(st.booleans()):
        output = tuple(draw(st.one_of(sizes, st.none())) for _ in range(nd))
    else:
        output = draw(sizes)
    spatial = tuple(draw(st.integers(1, 9)) for _ in range(nd))
    return f"Adaptive{kind}Pool{nd}d", (output,), {}, (2, *spatial)


@SETTINGS
@given(adaptive_case())
def test_adaptive_pool(torch, case):
    agree(torch, *case)


def test_pytorch_semantics_test_vectors(torch):
    """The table of pytorch-semantics.md, each against torch."""
    vectors = [
        ("MaxPool2d", (3,), {"stride": 4, "padding": 1, "ceil_mode": True}, (1, 10, 10)),
        ("MaxPool2d", (2,), {"ceil_mode": True}, (3, 5, 7)),
        ("AvgPool2d", (3, 2, 1), {"ceil_mode": True}, (1, 6, 6)),
        ("Conv2d", (2, 4, (4, 3)), {"dilation": (1, 2), "padding": "same"}, (2, 9, 10)),
        ("ConvTranspose2d", (16, 8, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (16, 16, 16)),
        ("ConvTranspose2d", (4, 2, 3), {"dilation": 2, "output_padding": 1}, (4, 5, 5)),
        ("AdaptiveAvgPool2d", ((3, None),), {}, (1, 10, 7)),
        ("AdaptiveMaxPool2d", (5,), {}, (1, 3, 3)),
        ("Conv2d", (32, 64, 3), {"groups": 4, "dilation": 2, "padding": 1}, (32, 20, 20)),
        ("Conv1d", (1, 1, 5), {"stride": 3, "padding": 2, "dilation": 2}, (1, 20)),
        ("Upsample", (), {"scale_factor": 1.7}, (2, 7, 5)),
        ("PixelShuffle", (3,), {}, (18, 4, 5)),
    ]
    for case in vectors:
        agree(torch, *case)


@st.composite
def dense_case(draw):
    kind = draw(st.sampled_from(["Linear", "LazyLinear", "Flatten", "Unflatten", "Identity"]))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    if kind == "Linear":
        fin = shape[-1] if draw(st.booleans()) else draw(st.integers(1, 8))
        return kind, (fin, draw(st.integers(1, 5))), {"bias": draw(st.booleans())}, shape
    if kind == "LazyLinear":
        return kind, (draw(st.integers(1, 5)),), {}, shape
    if kind == "Flatten":
        rank = len(shape) + 1
        return kind, (draw(st.integers(-rank, rank - 1)), draw(st.integers(-rank, rank - 1))), {}, shape
    if kind == "Unflatten":
        dim = draw(st.integers(1, len(shape)))
        size = shape[dim - 1]
        factors = [d for d in range(1, size + 1) if size % d == 0]
        first = draw(st.sampled_from(factors))
        rest = draw(st.sampled_from([size // first, -1, size // first + 1]))
        return kind, (dim, (first, rest)), {}, shape
    return kind, (draw(st.integers(0, 3)),), {"any": 1}, shape


@SETTINGS
@given(dense_case())
def test_dense(torch, case):
    name, args, _, shape = case
    if name == "Flatten":
        rank = len(shape) + 1
        # merging the batch into the features changes the batch: outside per-sample shapes
        assume(args[0] % rank != 0 or args[1] % rank == 0)
    agree(torch, *case)


@st.composite
def norm_case(draw):
    kind = draw(st.sampled_from(["BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm", "LocalResponseNorm"]))
    channels = draw(st.integers(1, 6))
    if kind in ("BatchNorm", "InstanceNorm"):
        nd = draw(st.integers(1, 3))
        rank = nd + 1 if kind == "InstanceNorm" or nd > 1 else draw(st.sampled_from([1, 2]))
        shape = (channels, *[draw(st.integers(1, 3)) for _ in range(rank - 1)])
        feature = channels + draw(st.sampled_from([0, 0, 1]))
        kwargs = {"affine": draw(st.booleans()), "track_running_stats": draw(st.booleans()), "bias": draw(st.booleans())}
        return f"{kind}{nd}d", (feature,), kwargs, shape
    shape = (channels, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if kind == "LayerNorm":
        tail = shape[draw(st.integers(0, 2)):]
        if draw(st.booleans()):
            tail = tail[:-1] + (tail[-1] + 1,)
        kwargs = {"elementwise_affine": draw(st.booleans()), "bias": draw(st.booleans())}
        return kind, (list(tail) if draw(st.booleans()) else tail,), kwargs, shape
    if kind == "GroupNorm":
        groups = draw(st.integers(1, 4))
        return kind, (groups, channels + draw(st.sampled_from([0, 0, 1]))), {"affine": draw(st.booleans()),
                                                                             "bias": draw(st.booleans())}, shape
    return kind, (draw(st.integers(1, 5)),), {}, shape


@SETTINGS
@given(norm_case())
def test_norm(torch, case):
    name, args, kwargs, shape = case
    if case[0] == "LayerNorm" and isinstance(args[0], list):
        # convcalc's language writes lists as tuples; torch takes either
        case = (case[0], (tuple(args[0]),), case[2], case[3])
    agree(torch, *case)


ELEMENTWISE = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
               "Hardswish", "Hardsigmoid", "Softplus", "Softmax", "LogSoftmax", "Dropout", "Dropout1d",
               "Dropout2d", "Dropout3d", "AlphaDropout", "PReLU"]


@st.composite
def elementwise_case(draw):
    name = draw(st.sampled_from(ELEMENTWISE))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    if name in ("Softmax", "LogSoftmax"):
        rank = len(shape) + 1
        return name, (draw(st.integers(-rank, rank - 1)),), {}, shape
    if name == "PReLU":
        return name, (draw(st.sampled_from([1, shape[0], shape[0] + 1])),), {}, shape
    if name.startswith("Dropout") or name == "AlphaDropout":
        return name, (draw(st.sampled_from([0.0, 0.5, 1.0])),), {}, shape
    return name, (), {}, shape


@SETTINGS
@given(elementwise_case())
def test_elementwise(torch, case):
    name, args, kwargs, shape = case
    if name in ("Dropout1d", "Dropout2d", "Dropout3d"):
        assume(len(shape) == int(name[-2]) + 1)  # torch only warns on other ranks
    agree(torch, *case)


@st.composite
def resample_case(draw):
    kind = draw(st.sampled_from(["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle",
                                 "PixelUnshuffle", "Pad"]))
    if kind == "Upsample":
        nd = draw(st.integers(1, 3))
        shape = (2, *[draw(st.integers(1, 6)) for _ in range(nd)])
        mode = draw(st.sampled_from(["nearest", {1: "linear", 2: "bilinear", 3: "trilinear"}[nd]]))
        kwargs = {"mode": mode}
        if draw(st.booleans()):
            kwargs["size"] = draw(per_dim(nd, st.integers(1, 9)))
        else:
            kwargs["scale_factor"] = draw(st.sampled_from([2, 3, 0.5, 1.5, 1.7, 2.25]))
        if mode != "nearest" and draw(st.booleans()):
            kwargs["align_corners"] = draw(st.booleans())
        return kind, (), kwargs, shape
    if kind.startswith("Upsampling"):
        shape = (2, draw(st.integers(1, 5)), draw(st.integers(1, 5)))
        if draw(st.booleans()):
            return kind, (), {"size": draw(per_dim(2, st.integers(1, 8)))}, shape
        return kind, (), {"scale_factor": draw(st.sampled_from([2, 3]))}, shape
    if kind == "PixelShuffle":
        r = draw(st.integers(1, 3))
        shape = (r * r * draw(st.integers(1, 2)) + draw(st.sampled_from([0, 0, 1])), 2, 3)
        return kind, (r,), {}, shape
    if kind == "PixelUnshuffle":
        r = draw(st.integers(1, 3))
        return kind, (r,), {}, (2, draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    nd = draw(st.integers(1, 3))
    family = draw(st.sampled_from(["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]))
    low = -3 if family in ("ZeroPad", "ConstantPad") else 0
    padding = draw(st.one_of(st.integers(low, 3), st.tuples(*[st.integers(low, 3)] * (2 * nd))))
    shape = (2, *[draw(st.integers(1, 5)) for _ in range(nd)])
    args = (padding, 0.5) if family == "ConstantPad" else (padding,)
    return f"{family}{nd}d", args, {}, shape


@SETTINGS
@given(resample_case())
def test_resample(torch, case):
    name, args, kwargs, shape = case
    if name.startswith(("ReflectionPad", "ReplicationPad", "CircularPad")) and any(
            p < 0 for p in (args[0] if isinstance(args[0], tuple) else (args[0],))):
        assume(False)
    agree(torch, *case)


CHAIN_LAYERS = [
    lambda c, draw: (f"Conv2d({c}, {draw(st.integers(1, 6))}, {draw(st.integers(1, 4))}, "
                     f"stride={draw(st.integers(1, 2))}, padding={draw(st.integers(0, 2))})"),
    lambda c, draw: f"MaxPool2d({draw(st.integers(1, 3))}, ceil_mode={draw(st.booleans())})",
    lambda c, draw: f"AvgPool2d({draw(st.integers(1, 3))}, stride={draw(st.integers(1, 2))})",
    lambda c, draw: f"BatchNorm2d({c})",
    lambda c, draw: "ReLU()",
    lambda c, draw: f"ConvTranspose2d({c}, {draw(st.integers(1, 4))}, 2, stride=2)",
    lambda c, draw: f"Upsample(scale_factor={draw(st.sampled_from([2, 1.5]))})",
    lambda c, draw: f"ZeroPad2d({draw(st.integers(0, 2))})",
]


@st.composite
def chain(draw):
    """A short 2-d chain ending in Flatten and Linear; channels are tracked by reading the text."""
    import re

    channels = draw(st.integers(1, 4))
    lines = [f"input {channels}x{draw(st.integers(4, 20))}x{draw(st.integers(4, 20))}"]
    for _ in range(draw(st.integers(1, 5))):
        layer = draw(st.sampled_from(CHAIN_LAYERS))(channels, draw)
        m = re.match(r"(?:Conv2d|ConvTranspose2d)\(\d+, (\d+)", layer)
        if m:
            channels = int(m.group(1))
        lines.append(layer)
    lines += ["Flatten()", f"LazyLinear({draw(st.integers(1, 5))})"]
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain())
def test_chains_agree_with_torch_layer_by_layer(torch, src):
    from torch_backend import run_in_torch

    program = parse(src, "chain.net")
    analysis = analyse(program)
    try:
        rows, output = run_in_torch(program)
    except (RuntimeError, ValueError):
        assert not analysis.ok, f"torch fails on\n{src}but convcalc does not"
        return
    assert analysis.ok, f"{analysis.error.code} {analysis.error.message}\n{src}"
    assert [(r.line, r.name, r.shape, r.params) for r in analysis.rows] == [row[:4] for row in rows]
    assert analysis.output == output
