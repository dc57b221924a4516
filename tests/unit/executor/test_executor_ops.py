"""The reference executor against torch, op by op.

Hypothesis draws layer configurations and small inputs; each op runs in the executor and
in torch (float64) with the same weights, and shapes must agree exactly and values to a
relative 1e-4. Configurations torch rejects are filtered out: the executor only has to
agree with torch where torch gives an answer.
"""
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convcalc.executor import Tensor, ops

# the torch fixture is function-scoped; it only seeds torch, which these tests never draw from
ORACLE = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

seeds = st.integers(0, 2 ** 32 - 1)

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'", "ignore:Failed to initialize NumPy")


# helpers --------------------------------------------------------------------------------

def rand(shape, seed, scale=1.0):
    t = Tensor.rand(shape, random.Random(seed))
    if scale != 1.0:
        t = Tensor(t.shape, [v * scale for v in t.data])
    return t


def to_torch(torch, t):
    if t is None:
        return None
    return torch.tensor(t.data, dtype=torch.float64).reshape(t.shape)


def torch_or_reject(fn):
    """Run torch; a configuration torch refuses is not a test case."""
    try:
        return fn()
    except (RuntimeError, ValueError, IndexError, TypeError):
        assume(False)


def assert_matches(ours, expected):
    assert ours.shape == tuple(expected.shape)
    theirs = expected.reshape(-1).tolist()
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(ours.data, theirs))
           if not math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)]
    assert not bad, f"{len(bad)} of {len(theirs)} values differ; first (index, ours, torch): {bad[:3]}"


def spatial_sizes(draw, nd, minimum=1):
    top = {1: 10, 2: 7, 3: 4}[nd]
    return tuple(draw(st.integers(minimum, max(minimum, top))) for _ in range(nd))


# non-oracle --------------------------------------------------------------------------

def test_course_worked_example():
    # The course notes print "= 15", but their own terms 1*1 + 2*0 + 3*1 + 4*0 + 5*1 + 6*0
    # + 7*1 + 8*0 + 9*1 add up to 25; the executor must give the true sum.
    patch = Tensor((1, 1, 3, 3), [1, 2, 3, 4, 5, 6, 7, 8, 9])
    kernel = Tensor((1, 1, 3, 3), [1, 0, 1, 0, 1, 0, 1, 0, 1])
    out = ops.conv(patch, kernel)
    assert out.shape == (1, 1, 1, 1)
    assert out.data == [1 * 1 + 3 * 1 + 5 * 1 + 7 * 1 + 9 * 1] == [25.0]


@pytest.mark.parametrize("run, shape, expected", [
    (lambda x: ops.max_pool(x, 3, 4, 1, ceil_mode=True), (1, 1, 10, 10), (1, 1, 3, 3)),
    (lambda x: ops.max_pool(x, 2, ceil_mode=True), (1, 3, 5, 7), (1, 3, 3, 4)),
    (lambda x: ops.avg_pool(x, 3, 2, 1, ceil_mode=True), (1, 1, 6, 6), (1, 1, 4, 4)),
    (lambda x: ops.conv(x, Tensor.zeros((4, 2, 4, 3)), dilation=(1, 2), padding=((1, 2), (2, 2))),
     (1, 2, 9, 10), (1, 4, 9, 10)),
    (lambda x: ops.conv_transpose(x, Tensor.zeros((16, 8, 3, 3)), stride=2, padding=1, output_padding=1),
     (1, 16, 16, 16), (1, 8, 32, 32)),
    (lambda x: ops.conv_transpose(x, Tensor.zeros((4, 2, 3, 3)), dilation=2, output_padding=1),
     (1, 4, 5, 5), (1, 2, 10, 10)),
    (lambda x: ops.adaptive_avg_pool(x, (3, None)), (1, 1, 10, 7), (1, 1, 3, 7)),
    (lambda x: ops.adaptive_max_pool(x, 5), (1, 1, 3, 3), (1, 1, 5, 5)),
    (lambda x: ops.conv(x, Tensor.zeros((64, 8, 3, 3)), groups=4, dilation=2, padding=1),
     (1, 32, 20, 20), (1, 64, 18, 18)),
    (lambda x: ops.conv(x, Tensor.zeros((1, 1, 5)), stride=3, padding=2, dilation=2), (1, 1, 20), (1, 1, 6)),
    (lambda x: ops.upsample(x, scale_factor=1.7), (1, 2, 7, 5), (1, 2, 11, 8)),
    (lambda x: ops.pixel_shuffle(x, 3), (1, 18, 4, 5), (1, 2, 12, 15)),
])
def test_spec_shape_vectors(run, shape, expected):
    assert run(rand(shape, 0)).shape == expected


def test_dropout_and_identity_pass_through():
    x = rand((2, 3, 4), 1)
    assert ops.dropout(x, 0.5) is x and ops.identity(x) is x


def test_tensor_helpers():
    t = Tensor((2, 3), range(6))
    assert t.strides == (3, 1) and t[1, 2] == 5.0 and t.numel() == 6
    assert t.reshape(3, -1).shape == (3, 2)
    assert Tensor.from_nested(t.tolist()) == t
    assert Tensor.rand((4,), 7) == Tensor.rand((4,), random.Random(7))
    assert all(-1.0 <= v < 1.0 for v in Tensor.rand((100,), 3).data)


def test_no_fitting_window_is_an_error():
    # spec error 3: padded 4x4 input, 5x5 kernel
    with pytest.raises(ValueError):
        ops.conv(rand((1, 1, 4, 4), 0), rand((1, 1, 5, 5), 1))
    with pytest.raises(ValueError):
        ops.max_pool(rand((1, 1, 2, 2), 0), 3)
    with pytest.raises(ValueError):
        ops.conv_transpose(rand((1, 1, 1), 0), rand((1, 1, 1), 1), padding=1)


def test_ops_do_not_modify_inputs():
    x = rand((1, 2, 5, 5), 2)
    before = list(x.data)
    ops.conv(x, rand((2, 2, 3, 3), 3), padding=1, padding_mode="reflect")
    ops.max_pool(x, 2, ceil_mode=True)
    ops.softmax(x, 1)
    assert x.data == before


# convolution ----------------------------------------------------------------------------

@st.composite
def conv_configs(draw):
    nd = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 3))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    kind = draw(st.sampled_from(["int", "same", "valid"]))
    if kind == "same":
        stride = (1,) * nd
        padding = "same"
    elif kind == "valid":
        padding = "valid"
    else:
        padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    plane = tuple(K + draw(st.integers(0, {1: 6, 2: 4, 3: 2}[nd])) for K in spans)
    return dict(nd=nd, groups=groups, cin=cin, cout=cout, kernel=kernel, dilation=dilation,
                stride=stride, padding=padding, plane=plane,
                padding_mode=draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"])),
                bias=draw(st.booleans()), batch=draw(st.integers(1, 2)), seed=draw(seeds))


def resolve_padding(padding, kernel, dilation):
    """What a caller does with a Conv's padding argument: (left, right) per dim."""
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        pairs = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)
    return tuple((p, p) for p in padding)


@pytest.mark.oracle
@settings(max_examples=250, **ORACLE)
@given(conv_configs())
def test_conv_matches_torch(torch, cfg):
    nd = cfg["nd"]
    x = rand((cfg["batch"], cfg["cin"]) + cfg["plane"], cfg["seed"])
    w = rand((cfg["cout"], cfg["cin"] // cfg["groups"]) + cfg["kernel"], cfg["seed"] + 1)
    b = rand((cfg["cout"],), cfg["seed"] + 2) if cfg["bias"] else None
    module = getattr(torch.nn, f"Conv{nd}d")

    def run_torch():
        m = module(cfg["cin"], cfg["cout"], cfg["kernel"], stride=cfg["stride"], padding=cfg["padding"],
                   dilation=cfg["dilation"], groups=cfg["groups"], bias=cfg["bias"],
                   padding_mode=cfg["padding_mode"]).double()
        with torch.no_grad():
            m.weight.copy_(to_torch(torch, w))
            if b is not None:
                m.bias.copy_(to_torch(torch, b))
            return m(to_torch(torch, x))

    expected = torch_or_reject(run_torch)
    ours = ops.conv(x, w, b, cfg["stride"], resolve_padding(cfg["padding"], cfg["kernel"], cfg["dilation"]),
                    cfg["dilation"], cfg["groups"], cfg["padding_mode"])
    assert_matches(ours, expected)


@pytest.mark.oracle
@settings(max_examples=150, **ORACLE)
@given(st.data())
def test_conv_asymmetric_padding_matches_torch(torch, data):
    nd = data.draw(st.integers(1, 2))
    kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    pairs = tuple((data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in range(nd))
    stride = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    plane = tuple(k + data.draw(st.integers(0, 4)) for k in kernel)
    mode = data.draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    seed = data.draw(seeds)
    x, w = rand((1, 2) + plane, seed), rand((3, 2) + kernel, seed + 1)
    flat_pads = [p for pair in reversed(pairs) for p in pair]
    conv_fn = getattr(torch.nn.functional, f"conv{nd}d")
    expected = torch_or_reject(lambda: conv_fn(
        torch.nn.functional.pad(to_torch(torch, x), flat_pads, mode="constant" if mode == "zeros" else mode),
        to_torch(torch, w), stride=stride))
    assert_matches(ops.conv(x, w, None, stride, pairs, 1, 1, mode), expected)


@pytest.mark.oracle
@settings(max_examples=200, **ORACLE)
@given(st.data())
def test_conv_transpose_matches_torch(torch, data):
    nd = data.draw(st.integers(1, 3))
    groups = data.draw(st.integers(1, 2))
    cin, group_out = groups * data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(data.draw(st.integers(0, 2)) for _ in range(nd))
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    plane = spatial_sizes(data.draw, nd)
    if nd == 3:
        plane = tuple(min(L, 3) for L in plane)
    bias = data.draw(st.booleans())
    seed = data.draw(seeds)
    x = rand((data.draw(st.integers(1, 2)), cin) + plane, seed)
    w = rand((cin, group_out) + kernel, seed + 1)
    b = rand((group_out * groups,), seed + 2) if bias else None
    fn = getattr(torch.nn.functional, f"conv_transpose{nd}d")
    expected = torch_or_reject(lambda: fn(to_torch(torch, x), to_torch(torch, w), to_torch(torch, b), stride,
                                          padding, output_padding, groups, dilation))
    assert_matches(ops.conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation), expected)


# pooling --------------------------------------------------------------------------------

@st.composite
def pool_configs(draw, with_dilation):
    nd = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 4)] * nd)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd)) if with_dilation else (1,) * nd
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    plane = tuple(max(1, K - 2 * p) + draw(st.integers(0, {1: 8, 2: 5, 3: 2}[nd]))
                  for K, p in zip(spans, padding))
    return dict(nd=nd, kernel=kernel, stride=stride, padding=padding, dilation=dilation, plane=plane,
                ceil_mode=draw(st.booleans()), channels=draw(st.integers(1, 2)), seed=draw(seeds))


@pytest.mark.oracle
@settings(max_examples=350, **ORACLE)
@given(pool_configs(with_dilation=True))
def test_max_pool_matches_torch(torch, cfg):
    x = rand((1, cfg["channels"]) + cfg["plane"], cfg["seed"])
    fn = getattr(torch.nn.functional, f"max_pool{cfg['nd']}d")
    expected = torch_or_reject(lambda: fn(to_torch(torch, x), cfg["kernel"], cfg["stride"], cfg["padding"],
                                          cfg["dilation"], ceil_mode=cfg["ceil_mode"]))
    ours = ops.max_pool(x, cfg["kernel"], cfg["stride"], cfg["padding"], cfg["dilation"], cfg["ceil_mode"])
    assert_matches(ours, expected)


@pytest.mark.oracle
@settings(max_examples=350, **ORACLE)
@given(pool_configs(with_dilation=False), st.booleans(), st.one_of(st.none(), st.integers(1, 5)))
def test_avg_pool_matches_torch(torch, cfg, count_include_pad, divisor_override):
    nd = cfg["nd"]
    x = rand((1, cfg["channels"]) + cfg["plane"], cfg["seed"])
    fn = getattr(torch.nn.functional, f"avg_pool{nd}d")
    args = (to_torch(torch, x), cfg["kernel"], cfg["stride"], cfg["padding"], cfg["ceil_mode"], count_include_pad)
    if nd == 1:
        divisor_override = None  # avg_pool1d has no divisor_override
        expected = torch_or_reject(lambda: fn(*args))
    else:
        expected = torch_or_reject(lambda: fn(*args, divisor_override))
    ours = ops.avg_pool(x, cfg["kernel"], cfg["stride"], cfg["padding"], cfg["ceil_mode"],
                        count_include_pad, divisor_override)
    assert_matches(ours, expected)


@pytest.mark.oracle
@settings(max_examples=250, **ORACLE)
@given(st.data(), st.sampled_from(["avg", "max"]))
def test_adaptive_pools_match_torch(torch, data, kind):
    nd = data.draw(st.integers(1, 3))
    plane = spatial_sizes(data.draw, nd)
    out = tuple(data.draw(st.one_of(st.integers(1, L + 3), *([st.none()] if nd > 1 else [])))
                for L in plane)
    if data.draw(st.booleans()) and None not in out:
        out = out[0] if len(set(out)) == 1 else out
    x = rand((1, 2) + plane, data.draw(seeds))
    fn = getattr(torch.nn.functional, f"adaptive_{kind}_pool{nd}d")
    expected = torch_or_reject(lambda: fn(to_torch(torch, x), out))
    ours = (ops.adaptive_avg_pool if kind == "avg" else ops.adaptive_max_pool)(x, out)
    assert_matches(ours, expected)


# dense and reshaping ------------------------------------------------------------------

@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(st.lists(st.integers(1, 3), max_size=3), st.integers(1, 6), st.integers(1, 5), st.booleans(), seeds)
def test_linear_matches_torch(torch, lead, in_features, out_features, bias, seed):
    x = rand(tuple(lead) + (in_features,), seed)
    w = rand((out_features, in_features), seed + 1)
    b = rand((out_features,), seed + 2) if bias else None
    expected = torch.nn.functional.linear(to_torch(torch, x), to_torch(torch, w), to_torch(torch, b))
    assert_matches(ops.linear(x, w, b), expected)


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(st.data())
def test_flatten_unflatten_match_torch(torch, data):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    n = len(shape)
    start = data.draw(st.integers(-n, n - 1))
    end = data.draw(st.integers(-n, n - 1))
    x = rand(shape, data.draw(seeds))
    expected = torch_or_reject(lambda: torch.flatten(to_torch(torch, x), start, end))
    flat = ops.flatten(x, start, end)
    assert_matches(flat, expected)
    dim = data.draw(st.integers(-flat.ndim, flat.ndim - 1))
    size = flat.shape[dim]
    divisor = data.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    sizes = [divisor, -1] if data.draw(st.booleans()) else [size // divisor, divisor]
    assert_matches(ops.unflatten(flat, dim, sizes), torch.unflatten(expected, dim, sizes))


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(st.data())
def test_add_and_cat_match_torch(torch, data):
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    other = tuple(s if data.draw(st.booleans()) else 1 for s in shape)[data.draw(st.integers(0, len(shape))):]
    seed = data.draw(seeds)
    a, b = rand(shape, seed), rand(other, seed + 1)
    assert_matches(ops.add(a, b), to_torch(torch, a) + to_torch(torch, b))
    assert_matches(ops.add(b, a), to_torch(torch, b) + to_torch(torch, a))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for i in range(data.draw(st.integers(1, 3))):
        part_shape = list(shape)
        part_shape[dim] = data.draw(st.integers(1, 3))
        parts.append(rand(part_shape, seed + 2 + i))
    assert_matches(ops.cat(parts, dim), torch.cat([to_torch(torch, p) for p in parts], dim))


# normalisation ------------------------------------------------------------------------

@st.composite
def norm_inputs(draw, min_spatial=0):
    nd = draw(st.integers(min_spatial, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 4))) + tuple(
        draw(st.integers(1, 4)) for _ in range(nd))
    return rand(shape, draw(seeds), scale=3.0), draw(seeds), draw(st.booleans())


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(norm_inputs(), st.floats(1e-6, 1e-2))
def test_batch_norm_matches_torch(torch, inputs, eps):
    x, seed, affine = inputs
    C = x.shape[1]
    mean = rand((C,), seed)
    var = Tensor((C,), [abs(v) + 0.1 for v in rand((C,), seed + 1).data])
    w, b = (rand((C,), seed + 2), rand((C,), seed + 3)) if affine else (None, None)
    expected = torch.nn.functional.batch_norm(to_torch(torch, x), to_torch(torch, mean), to_torch(torch, var),
                                              to_torch(torch, w), to_torch(torch, b), training=False, eps=eps)
    assert_matches(ops.batch_norm(x, mean, var, w, b, eps), expected)


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(norm_inputs(), st.data())
def test_layer_norm_matches_torch(torch, inputs, data):
    x, seed, affine = inputs
    k = data.draw(st.integers(1, x.ndim))
    shape = x.shape[x.ndim - k:]
    w, b = (rand(shape, seed + 2), rand(shape, seed + 3)) if affine else (None, None)
    expected = torch.nn.functional.layer_norm(to_torch(torch, x), shape, to_torch(torch, w), to_torch(torch, b))
    assert_matches(ops.layer_norm(x, shape, w, b), expected)


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(norm_inputs(), st.data())
def test_group_norm_matches_torch(torch, inputs, data):
    x, seed, affine = inputs
    C = x.shape[1]
    groups = data.draw(st.sampled_from([g for g in range(1, C + 1) if C % g == 0]))
    w, b = (rand((C,), seed + 2), rand((C,), seed + 3)) if affine else (None, None)
    expected = torch_or_reject(lambda: torch.nn.functional.group_norm(
        to_torch(torch, x), groups, to_torch(torch, w), to_torch(torch, b)))
    assert_matches(ops.group_norm(x, groups, w, b), expected)


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(norm_inputs(min_spatial=1))
def test_instance_norm_matches_torch(torch, inputs):
    x, seed, affine = inputs
    C = x.shape[1]
    w, b = (rand((C,), seed + 2), rand((C,), seed + 3)) if affine else (None, None)
    expected = torch_or_reject(lambda: torch.nn.functional.instance_norm(
        to_torch(torch, x), weight=to_torch(torch, w), bias=to_torch(torch, b), use_input_stats=True))
    assert_matches(ops.instance_norm(x, w, b), expected)


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(norm_inputs(min_spatial=1), st.integers(1, 5), st.floats(1e-4, 1.0), st.floats(0.1, 1.0),
       st.floats(0.5, 2.0))
def test_local_response_norm_matches_torch(torch, inputs, size, alpha, beta, k):
    x = inputs[0]
    expected = torch.nn.functional.local_response_norm(to_torch(torch, x), size, alpha, beta, k)
    assert_matches(ops.local_response_norm(x, size, alpha, beta, k), expected)


# activations ----------------------------------------------------------------------------

ACTIVATIONS = {
    # name: (executor call, torch call, parameter strategy)
    "relu": (ops.relu, lambda F, x: F.relu(x), st.just(())),
    "relu6": (ops.relu6, lambda F, x: F.relu6(x), st.just(())),
    "leaky_relu": (ops.leaky_relu, lambda F, x, s: F.leaky_relu(x, s), st.tuples(st.floats(-2, 2))),
    "elu": (ops.elu, lambda F, x, a: F.elu(x, a), st.tuples(st.floats(0.1, 3))),
    "selu": (ops.selu, lambda F, x: F.selu(x), st.just(())),
    "gelu": (ops.gelu, lambda F, x, a: F.gelu(x, approximate=a), st.tuples(st.sampled_from(["none", "tanh"]))),
    "silu": (ops.silu, lambda F, x: F.silu(x), st.just(())),
    "mish": (ops.mish, lambda F, x: F.mish(x), st.just(())),
    "sigmoid": (ops.sigmoid, lambda F, x: F.sigmoid(x), st.just(())),
    "tanh": (ops.tanh, lambda F, x: F.tanh(x), st.just(())),
    "hardswish": (ops.hardswish, lambda F, x: F.hardswish(x), st.just(())),
    "hardsigmoid": (ops.hardsigmoid, lambda F, x: F.hardsigmoid(x), st.just(())),
    "softplus": (ops.softplus, lambda F, x, b, t: F.softplus(x, b, t),
                 st.tuples(st.floats(0.25, 4), st.floats(0.5, 20))),
}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=40, **ORACLE)
@given(data=st.data())
def test_activation_matches_torch(torch, name, data):
    ours, theirs, params = ACTIVATIONS[name]
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 6)))
    x = rand(shape, data.draw(seeds), scale=data.draw(st.sampled_from([1.0, 6.0, 40.0])))
    x.data[0] = 0.0  # the kink of relu-like functions
    args = data.draw(params)
    assert_matches(ours(x, *args), theirs(torch.nn.functional, to_torch(torch, x), *args))


@pytest.mark.oracle
@settings(max_examples=50, **ORACLE)
@given(st.data())
def test_prelu_matches_torch(torch, data):
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=4)))
    seed = data.draw(seeds)
    x = rand(shape, seed, scale=3.0)
    w = rand((data.draw(st.sampled_from([1, shape[1]])),), seed + 1)
    assert_matches(ops.prelu(x, w), torch.nn.functional.prelu(to_torch(torch, x), to_torch(torch, w)))


@pytest.mark.oracle
@settings(max_examples=100, **ORACLE)
@given(st.data(), st.sampled_from(["softmax", "log_softmax"]))
def test_softmax_matches_torch(torch, data, name):
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = rand(shape, data.draw(seeds), scale=data.draw(st.sampled_from([1.0, 30.0])))
    expected = getattr(torch.nn.functional, name)(to_torch(torch, x), dim)
    assert_matches(getattr(ops, name)(x, dim), expected)


# resampling and padding ----------------------------------------------------------------

@pytest.mark.oracle
@settings(max_examples=400, **ORACLE)
@given(st.data())
def test_upsample_matches_torch(torch, data):
    nd = data.draw(st.integers(1, 3))
    plane = spatial_sizes(data.draw, nd)
    mode = data.draw(st.sampled_from(["nearest", {1: "linear", 2: "bilinear", 3: "trilinear"}[nd]]))
    align_corners = None if mode == "nearest" else data.draw(st.booleans())
    factor = st.one_of(st.sampled_from([0.5, 1.5, 1.7, 2.0, 2.5, 3.0]), st.floats(0.3, 3.5))
    if data.draw(st.booleans()):
        size, scale = None, tuple(data.draw(factor) for _ in range(nd))
        assume(all(math.floor(L * s) >= 1 for L, s in zip(plane, scale)))
    else:
        size, scale = tuple(data.draw(st.integers(1, 2 * L + 2)) for L in plane), None
    x = rand((1, 2) + plane, data.draw(seeds))
    expected = torch_or_reject(lambda: torch.nn.functional.interpolate(
        to_torch(torch, x), size=size, scale_factor=scale, mode=mode, align_corners=align_corners))
    assert_matches(ops.upsample(x, size, scale, mode, align_corners), expected)


@pytest.mark.oracle
@settings(max_examples=50, **ORACLE)
@given(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), seeds)
def test_pixel_shuffle_round_trip_matches_torch(torch, r, c, h, w, seed):
    x = rand((2, c * r * r, h, w), seed)
    shuffled = torch.nn.functional.pixel_shuffle(to_torch(torch, x), r)
    ours = ops.pixel_shuffle(x, r)
    assert_matches(ours, shuffled)
    assert_matches(ops.pixel_unshuffle(ours, r), torch.nn.functional.pixel_unshuffle(shuffled, r))


@pytest.mark.oracle
@settings(max_examples=200, **ORACLE)
@given(st.data())
def test_pad_matches_torch(torch, data):
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    if mode == "constant":
        shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
        m = data.draw(st.integers(1, len(shape)))
        pads = [data.draw(st.integers(-2, 3)) for _ in range(2 * m)]
    else:
        m = data.draw(st.integers(1, 3))
        shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + spatial_sizes(data.draw, m)
        pads = [data.draw(st.integers(0, 3)) for _ in range(2 * m)]
    value = data.draw(st.floats(-2, 2))
    x = rand(shape, data.draw(seeds))
    expected = torch_or_reject(lambda: torch.nn.functional.pad(
        to_torch(torch, x), pads, mode=mode, value=value if mode == "constant" else None))
    assume(expected.numel() > 0)
    assert_matches(ops.pad(x, pads, mode, value), expected)
