"""The layers added for real CNN code (Hardtanh, Softmax2d, GLU, ChannelShuffle, Embedding,
MaxUnpool, Fold, Unfold) against torch: hypothesis draws configurations and inputs, and
convcalc's shape and parameter count (and its error where torch refuses) must be torch's, and
the executor's values torch's values."""
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convcalc.engine.shapes import analyse
from convcalc.executor import Tensor, extra, ops
from convcalc.frontends.syntax import parse

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def convcalc_result(text: str, shape: tuple):
    analysis = analyse(parse(f"input {'x'.join(map(str, shape))}\n{text}\n", "t.net"))
    if not analysis.ok:
        return None
    row = analysis.rows[-1]
    return tuple(row.shape), row.params


def torch_result(torch, make, shape, inputs=None):
    try:
        module = make()
        module.eval()
        with torch.no_grad():
            y = module(*(inputs if inputs is not None else (torch.randn(1, *shape),)))
    except (RuntimeError, ValueError, TypeError, IndexError):
        return None
    if y.numel() == 0:
        return None
    return tuple(y.shape[1:]), sum(p.numel() for p in module.parameters())


@st.composite
def layer_case(draw):
    kind = draw(st.sampled_from(["Hardtanh", "Softmax2d", "GLU", "ChannelShuffle", "Unfold", "Fold"]))
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(1, 6)) for _ in range(rank))
    if kind == "Hardtanh":
        low = draw(st.sampled_from([-2.0, -1.0, 0.0]))
        return f"Hardtanh({low}, {low + draw(st.sampled_from([0.5, 2.0]))})", shape, {}
    if kind == "Softmax2d":
        return "Softmax2d()", shape, {}
    if kind == "GLU":
        return f"GLU(dim={draw(st.integers(-rank - 1, rank))})", shape, {}
    if kind == "ChannelShuffle":
        return f"ChannelShuffle({draw(st.integers(1, 4))})", shape, {}
    k = draw(st.integers(1, 3))
    settings_ = f"dilation={draw(st.integers(1, 2))}, padding={draw(st.integers(0, 1))}, stride={draw(st.integers(1, 2))}"
    if kind == "Unfold":
        return f"Unfold({k}, {settings_})", (draw(st.integers(1, 3)), draw(st.integers(1, 7)),
                                                 draw(st.integers(1, 7))), {}
    out = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    return f"Fold({out}, {k}, {settings_})", (draw(st.integers(1, 3)) * k * k + draw(st.sampled_from([0, 0, 1])),
                                              draw(st.integers(1, 40))), {}


@SETTINGS
@given(layer_case())
def test_shapes_and_parameters_match_torch(torch, case):
    text, shape, _ = case
    expected = torch_result(torch, lambda: eval("torch.nn." + text, {"torch": torch}), shape)
    got = convcalc_result(text, shape)
    assert got == expected, f"{text} on {shape}"


@SETTINGS
@given(st.integers(1, 20), st.integers(1, 8), st.lists(st.integers(1, 5), min_size=0, max_size=2),
       st.booleans())
def test_embedding_matches_torch(torch, count, dim, lead, frozen):
    shape = tuple(lead) or (3,)
    module = torch.nn.Embedding(count, dim, _freeze=frozen)
    got = convcalc_result(f"Embedding({count}, {dim}, _freeze={frozen})", shape)
    y = module(torch.zeros((1, *shape), dtype=torch.long))
    assert got == (tuple(y.shape[1:]), sum(p.numel() for p in module.parameters()))


@SETTINGS
@given(st.integers(1, 3), st.data())
def test_max_unpool_matches_torch(torch, nd, data):
    kernel = data.draw(st.integers(1, 3))
    stride = data.draw(st.integers(1, 3))
    padding = data.draw(st.integers(0, kernel // 2))
    plane = tuple(data.draw(st.integers(kernel, 6)) for _ in range(nd))
    pool = getattr(torch.nn, f"MaxPool{nd}d")(kernel, stride, padding, return_indices=True)
    pooled, indices = pool(torch.randn(1, 2, *plane))
    unpool = getattr(torch.nn, f"MaxUnpool{nd}d")(kernel, stride, padding)
    try:
        expected = tuple(unpool(pooled, indices).shape[1:])
    except RuntimeError:  # a stride past the kernel: the pool's indices lie outside the default output
        assume(False)
    got = convcalc_result(f"MaxUnpool{nd}d({kernel}, stride={stride}, padding={padding})", tuple(pooled.shape[1:]))
    if 0 in expected:  # an empty output: an error for convcalc, as everywhere
        assert got is None
        return
    assert got == (expected, 0)
    ours = extra.max_unpool(Tensor(tuple(pooled.shape), pooled.reshape(-1).tolist()), (kernel,) * nd,
                            (stride,) * nd, (padding,) * nd)
    assert ours.shape == (1, *expected)


def close(ours, expected):
    assert ours.shape == tuple(expected.shape)
    theirs = expected.reshape(-1).tolist()
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(ours.data, theirs))


def rand(shape, seed):
    return Tensor.rand(shape, random.Random(seed))


@SETTINGS
@given(st.integers(0, 2 ** 31), st.lists(st.integers(1, 4), min_size=2, max_size=4), st.data())
def test_executor_values_match_torch(torch, seed, shape, data):
    x = rand((1, *shape), seed)
    t = torch.tensor(x.data, dtype=torch.float64).reshape(x.shape)
    F = torch.nn.functional
    close(extra.hardtanh(x, -0.5, 0.5), F.hardtanh(t, -0.5, 0.5))
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    if (1, *shape)[dim] % 2 == 0:
        close(extra.glu(x, dim), F.glu(t, dim))
    groups = data.draw(st.integers(1, 3))
    if len(shape) >= 2 and shape[0] % groups == 0:
        close(extra.channel_shuffle(x, groups), F.channel_shuffle(t, groups))
    if len(shape) == 3:
        close(ops.softmax(x, -3), torch.nn.Softmax2d()(t))
        k, d, p, s = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)), data.draw(st.integers(0, 1)), \
            data.draw(st.integers(1, 2))
        try:
            expected = F.unfold(t, k, d, p, s)
        except RuntimeError:
            assume(False)
        columns = extra.unfold(x, (k, k), (d, d), (p, p), (s, s))
        close(columns, expected)
        close(extra.fold(columns, shape[1:], (k, k), (d, d), (p, p), (s, s)),
              F.fold(expected, shape[1:], k, d, p, s))


def test_embedding_looks_up_rows(torch):
    weight = Tensor((4, 2), [0.0, 1.0, 10.0, 11.0, 20.0, 21.0, 30.0, 31.0])
    assert extra.embedding(Tensor((1, 3), [2.0, 0.0, 3.0]), weight).data == [20.0, 21.0, 0.0, 1.0, 30.0, 31.0]
    with pytest.raises(ValueError):
        extra.embedding(Tensor((1, 1), [0.5]), weight)  # not an index
