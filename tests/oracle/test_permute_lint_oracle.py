"""Issue 22: a permute or transpose of a 3-d to 5-d tensor in a model file is never a finding where
torch runs it. hypothesis draws the convolution's rank (a flatten of its positions or not), any
permutation of the full tensor (the batch's place included, negative dims too) or a transpose,
and a layer after it where the batch stays first; lint (with the input given, and without) and
torch run the same file, and convcalc's output shape is torch's."""
import os
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.engine.shapes import analyse
from convcalc.frontends.python.models import read_models
from convcalc.lint.onefile import lint_text
from convcalc.load import parse_input_option
from convcalc.verify import whole

ORACLE = dict(deadline=None, max_examples=int(os.environ.get("CONVCALC_ORACLE_EXAMPLES", 60)),
              suppress_health_check=[HealthCheck.function_scoped_fixture])
CONV = {1: "Conv1d", 2: "Conv2d", 3: "Conv3d"}


@st.composite
def layouts(draw):
    rank = draw(st.integers(1, 3))
    flat = rank >= 2 and draw(st.booleans())
    full = 2 + (1 if flat else rank)
    order = draw(st.permutations(range(full)))
    negative = draw(st.lists(st.booleans(), min_size=full, max_size=full))
    order = [d - full if minus else d for d, minus in zip(order, negative)]
    a, b = draw(st.integers(-full, full - 1)), draw(st.integers(-full, full - 1))
    op = draw(st.sampled_from([f"x.permute({', '.join(map(str, order))})", f"torch.permute(x, {tuple(order)})",
                               f"x.transpose({a}, {b})"]))
    after = draw(st.sampled_from(["", "norm", "linear"]))
    return rank, flat, op, after, draw(st.integers(3, 6))


def model(rank, flat, op, after, last) -> str:
    layer = {"": "", "norm": f"self.after = nn.LayerNorm({last})", "linear": f"self.after = nn.Linear({last}, 5)"}
    return textwrap.dedent(f"""\
        import torch
        from torch import nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.{CONV[rank]}(2, 4, 3, padding=1)
                {layer[after] or "pass"}

            def forward(self, x):
                x = self.conv(x)
                {"x = x.flatten(2)" if flat else "pass"}
                x = {op}
                return {"self.after(x)" if after else "x"}
        """)


@pytest.mark.oracle
@settings(**ORACLE)
@given(layout=layouts())
def test_a_permute_torch_runs_is_no_finding_and_has_torchs_shape(layout, torch):
    rank, flat, op, after, size = layout
    sample = (2,) + (size,) * rank
    shown = "x".join(map(str, sample))
    probe = model(rank, flat, op, "", 1)
    space: dict = {}
    exec(compile(probe, "m.py", "exec"), space)  # the test runs the file in torch; convcalc only reads it
    moved = space["Net"]()(torch.randn(2, *sample))
    batch_first = moved.shape[0] == 2 and space["Net"]()(torch.randn(3, *sample)).shape[0] == 3
    source = model(rank, flat, op, after if batch_first else "", moved.shape[-1])
    exec(compile(source, "m.py", "exec"), space)
    out = space["Net"]()(torch.randn(2, *sample))
    for given_input in (parse_input_option(shown), None):
        linted = lint_text("m.py", source, given_input, None)
        refused = [(f.code, f.message) for f in linted.findings if f.code[:3] in ("CC0", "CC1")]
        assert refused == [], source
    (followed,) = read_models(source, "m.py").models
    analysis = analyse(followed.program, parse_input_option(shown))
    assert analysis.ok, (source, analysis.error and analysis.error.message)
    assert whole(analysis.output, 2) == tuple(out.shape), source
