"""torch.cat along every dim of 3-d, 4-d and 5-d tensors (the batch counted), read from a Python
model and checked against torch running the very same source."""
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from convcalc.engine.shapes import analyse
from convcalc.frontends.python.models import read_models

SOURCE = """
import torch
import torch.nn as nn


# convcalc: input {dims}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv{nd}d({channels}, 4, 1)
        self.b = nn.Conv{nd}d({channels}, {other}, 1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], dim={dim})
"""


def source(shape, dim, other=4):
    nd = len(shape) - 1
    return textwrap.dedent(SOURCE.format(dims="x".join(map(str, shape)), nd=nd, channels=shape[0], other=other,
                                         dim=dim))


def ours(text):
    [model] = read_models(text, "cat.py").models
    analysis = analyse(model.program)
    return analysis


def theirs(torch, text, shape):
    namespace = {}
    exec(compile(text, "cat.py", "exec"), namespace)  # the test's own fixture, run in torch
    model = namespace["Net"]().eval()
    with torch.no_grad():
        return tuple(model(torch.zeros(1, *shape)).shape[1:])


CASES = [(shape, dim) for shape in ((3, 6), (3, 5, 6), (3, 4, 5, 6))
         for dim in range(-len(shape) - 1, len(shape) + 1) if dim % (len(shape) + 1) != 0]


@pytest.mark.oracle
@pytest.mark.parametrize("shape, dim", CASES)
def test_cat_along_each_dim_matches_torch(torch, shape, dim):
    text = source(shape, dim)
    analysis = ours(text)
    assert analysis.ok, analysis.error.message
    assert tuple(analysis.output) == theirs(torch, text, shape)


def test_the_five_d_cat_of_the_issue():
    """dim=-3 on a 5-d tensor is the depth, not the channels."""
    analysis = ours(source((3, 8, 16, 16), -3))
    assert analysis.output == (4, 16, 16, 16)


@pytest.mark.parametrize("dim", [4, -5])
def test_cat_out_of_range_is_an_error(dim):
    analysis = ours(source((3, 5, 6), dim))
    assert analysis.error is not None and analysis.error.code == "CC106"
    assert analysis.error.span.line == 14  # the torch.cat line


@pytest.mark.parametrize("dim", [0, -4])
def test_cat_along_the_batch_is_not_followed_never_a_finding(dim):
    """torch joins two batches (issue 27: it was CC106 against code torch runs, with the JSON
    saying complete); convcalc follows one sample, so the model is not followed from there."""
    [model] = read_models(source((3, 5, 6), dim), "cat.py").models
    stopped = model.program.stopped
    assert stopped is not None and stopped.code == "CC301" and stopped.span.line == 14
    assert "batch" in stopped.message and not model.complete


@pytest.mark.oracle
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rank=st.integers(1, 3), data=st.data())
def test_cat_of_mismatched_tensors_fails_where_torch_fails(torch, rank, data):
    """Different channel counts: fine along dim 1, an error along any other dim, as in torch."""
    shape = (3, *data.draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))
    full = rank + 2
    dim = data.draw(st.sampled_from([d for d in range(-full, full) if d % full != 0]))
    text = source(shape, dim, other=data.draw(st.integers(1, 6)))
    analysis = ours(text)
    try:
        expected = theirs(torch, text, shape)
    except RuntimeError:
        assert analysis.error is not None and analysis.error.code == "CC105"
    else:
        assert analysis.ok and tuple(analysis.output) == expected
