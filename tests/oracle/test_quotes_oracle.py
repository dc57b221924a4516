"""Issue 22: every "(PyTorch: ...)" convcalc writes is torch 2.13's exact words. Each case is one
small model file, linted by convcalc and run by torch (the test runs it: convcalc never does) on
the same shapes, for a batch of one (the batch convcalc's quotes are written for); the quoted
text equals torch's exception message whole. The shapes of the broadcasting, concatenation,
stacking and matrix products are drawn by hypothesis. A guard counts the quotes in convcalc's
source, so that a new one needs a case here."""
import os
import re
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paths import ROOT

from convcalc.errors import ConvcalcError
from convcalc.lint.onefile import lint_text

ORACLE = dict(deadline=None, max_examples=int(os.environ.get("CONVCALC_ORACLE_EXAMPLES", 40)),
              suppress_health_check=[HealthCheck.function_scoped_fixture])

# (init, forward, `# convcalc: input`): the model of each quote; forward's arguments are x, y, z
CASES = {
    "cat": ("", "return torch.cat([x, y], 1)", "3x4x5, 2x6x5"),
    "cat_rank": ("", "return torch.cat([x, y], 1)", "3x4x5, 2x6"),
    "view_inferred": ("", "return x.view(x.size(0), -1, -1)", "3x4x4"),
    "view_batch_inferred": ("", "return x.view(-1, 400)", "16x4x4"),
    "view_batch_given": ("", "return x.view(x.size(0), 50)", "16x4x4"),
    "view_indivisible": ("", "return x.view(-1, 5, 7)", "16x4x4"),
    "slice_step": ("", "return x[:, ::-1]", "4x4"),
    "repeat_fewer": ("", "return x.repeat(1, 2)", "3x4"),
    "gather_rank": ("", "return torch.gather(x, 1, y.long())", "3x4, 3"),
    "stack": ("", "return torch.stack([x, y], 1)", "3x4, 3x5"),
    "matmul": ("", "return x @ y", "2x4x5, 1x6x7"),
    "bilinear_batch": ("self.b = nn.Bilinear(4, 5, 3)", "return self.b(x, y)", "2x4, 3x5"),
    "bilinear_rank": ("self.b = nn.Bilinear(4, 5, 3)", "return self.b(x, y)", "2x4, 5"),
    "unpool_size": ("self.p = nn.MaxPool2d(2, return_indices=True)\n        self.u = nn.MaxUnpool2d(2)",
                    "y, i = self.p(x)\n        return self.u(y, i, output_size=(9, 9))", "3x4x4"),
    "unpool_indices": ("self.p = nn.MaxPool2d(2, return_indices=True)\n        self.q = nn.MaxPool2d(4, "
                       "return_indices=True)\n        self.u = nn.MaxUnpool2d(2)",
                       "y, i = self.p(x)\n        z, j = self.q(x)\n        return self.u(y, j)", "3x8x8"),
    "lstm_features": ("self.r = nn.LSTM(10, 20, batch_first=True)", "return self.r(x)", "5x12"),
    "lstm_rank": ("self.r = nn.LSTM(10, 20, batch_first=True)", "return self.r(x)", "2x5x10"),
    "lstm_h0": ("self.r = nn.LSTM(10, 20, batch_first=True)",
                "h = torch.zeros(1, x.size(0), 10)\n        return self.r(x, (h, h))", "5x10"),
    "gru_h0": ("self.r = nn.GRU(10, 20, batch_first=True)",
               "h = torch.zeros(1, x.size(0), 10)\n        return self.r(x, h)", "5x10"),
    "hidden_zero": ("self.r = nn.LSTM(10, 0)", "return self.r(x)", "5x10"),
    "hidden_float": ("self.r = nn.LSTM(10, 2.5)", "return self.r(x)", "5x10"),
    "dropout": ("self.r = nn.LSTM(10, 20, dropout=1.5)", "return self.r(x)", "5x10"),
    "num_layers": ("self.r = nn.LSTM(10, 20, num_layers=0)", "return self.r(x)", "5x10"),
    "proj_negative": ("self.r = nn.LSTM(10, 20, proj_size=-1)", "return self.r(x)", "5x10"),
    "proj_large": ("self.r = nn.LSTM(10, 20, proj_size=20)", "return self.r(x)", "5x10"),
    "cell_rank": ("self.r = nn.RNNCell(10, 20)", "return self.r(x)", "5x10"),
    "cell_features": ("self.r = nn.RNNCell(10, 20)", "return self.r(x)", "12"),
    "cell_hidden": ("self.r = nn.GRUCell(10, 20)", "return self.r(x, y)", "10, 12"),
    "heads_divide": ("self.a = nn.MultiheadAttention(8, 3)", "return self.a(x, x, x)", "5x8"),
    "heads_zero": ("self.a = nn.MultiheadAttention(0, 2)", "return self.a(x, x, x)", "5x8"),
    "query_features": ("self.a = nn.MultiheadAttention(8, 2, batch_first=True)", "return self.a(x, x, x)", "5x6"),
    "key_value": ("self.a = nn.MultiheadAttention(8, 2, batch_first=True)", "return self.a(x, y, z)",
                  "5x8, 4x8, 3x8"),
    "padding_mask": ("self.a = nn.MultiheadAttention(8, 2, batch_first=True)",
                     "return self.a(x, x, x, key_padding_mask=y.bool())", "5x8, 4"),
    "activation": ("self.t = nn.TransformerEncoderLayer(8, 2, activation='tanh')", "return self.t(x)", "5x8"),
    "encoder_features": ("self.t = nn.TransformerEncoderLayer(8, 2, batch_first=True)", "return self.t(x)", "5x6"),
    "src_tgt": ("self.t = nn.Transformer(8, 2, 1, 1, 16, batch_first=True)", "return self.t(x, y)", "5x6, 4x6"),
    "einsum_operands": ("", "return torch.einsum('bij->bij', x, y)", "4x5, 4x5"),
    "einsum_letters": ("", "return torch.einsum('b1->b', x)", "4"),
    "einsum_subscripts": ("", "return torch.einsum('ij->ii', x)", "4x5"),
    "einsum_output_twice": ("", "return torch.einsum('bij->bii', x)", "4x5"),
    "einsum_broadcast": ("", "return torch.einsum('bij,bjk->bik', x, y)", "4x5, 6x7"),
    "einsum_repeated": ("", "return torch.einsum('bii->bi', x)", "4x5"),
    "einsum_output_missing": ("", "return torch.einsum('bij->bk', x)", "4x5"),
}

# how many "PyTorch:" each source file writes: a new quote needs a case above
QUOTES = {"convcalc/engine/shapes.py": 4, "convcalc/layers/attention.py": 6, "convcalc/layers/dense.py": 1,
          "convcalc/layers/operations.py": 14, "convcalc/layers/pool.py": 2, "convcalc/layers/recurrent.py": 12,
          "convcalc/layers/transformer.py": 3}


def model_source(init: str, forward: str, dims: str) -> str:
    names = ", ".join(["x", "y", "z"][: dims.count(",") + 1])
    body = "\n".join("        " + line.strip() for line in forward.split("\n"))
    setup = "\n".join("        " + line.strip() for line in (init or "pass").split("\n"))
    return ("import torch\nfrom torch import nn\n\n\n"
            f"# convcalc: input {dims}\n"
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"{setup}\n\n"
            f"    def forward(self, {names}):\n"
            f"{body}\n")


def quoted(message: str):
    """The text of "(PyTorch: ...)" in a message, to its closing bracket; None without one."""
    start = message.find("(PyTorch: ")
    if start < 0:
        return None
    depth = 0
    for at in range(start, len(message)):
        depth += {"(": 1, ")": -1}.get(message[at], 0)
        if depth == 0:
            return message[start + len("(PyTorch: "):at]
    return None


def convcalc_quotes(source: str) -> list:
    linted = lint_text("m.py", source, None, None)
    return [q for q in (quoted(f.message) for f in linted.findings) if q is not None]


def torch_refusal(torch, source: str, dims: str) -> str:
    space: dict = {}
    exec(compile(source, "m.py", "exec"), space)  # the test runs the model in torch; convcalc only reads it
    shapes = [tuple(int(v) for v in part.strip().split("x")) for part in dims.split(",")]
    try:
        space["Net"]()(*[torch.randn(1, *shape) for shape in shapes])
    except (RuntimeError, ValueError, AssertionError, TypeError) as exc:
        return str(exc)
    return "(torch runs it)"


@pytest.mark.oracle
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_quote_is_torchs_message(case, torch):
    init, forward, dims = CASES[case]
    source = model_source(init, forward, dims)
    assert convcalc_quotes(source) == [torch_refusal(torch, source, dims)]


def drawn_check(torch, forward: str, shapes) -> None:
    dims = ", ".join("x".join(map(str, s)) for s in shapes)
    source = model_source("", forward, dims)
    refusal = torch_refusal(torch, source, dims)
    assume(refusal != "(torch runs it)")
    assert convcalc_quotes(source) == [refusal]


def shape(rank):
    return st.lists(st.integers(1, 4), min_size=rank, max_size=rank).map(tuple)


@st.composite
def two_shapes(draw, low=1, high=3):
    rank = draw(st.integers(low, high))
    return draw(shape(rank)), draw(shape(rank))


@pytest.mark.oracle
@settings(**ORACLE)
@given(shapes=two_shapes())
def test_a_broadcast_refused_is_quoted_as_torch_words_it(shapes, torch):
    drawn_check(torch, "return x + y", shapes)


@pytest.mark.oracle
@settings(**ORACLE)
@given(shapes=two_shapes(), dim=st.integers(1, 3))
def test_a_concatenation_refused_is_quoted_as_torch_words_it(shapes, dim, torch):
    assume(dim <= len(shapes[0]))
    drawn_check(torch, f"return torch.cat([x, y], {dim})", shapes)


@pytest.mark.oracle
@settings(**ORACLE)
@given(shapes=two_shapes())
def test_a_stack_refused_is_quoted_as_torch_words_it(shapes, torch):
    drawn_check(torch, "return torch.stack([x, y], 1)", shapes)


@pytest.mark.oracle
@settings(**ORACLE)
@given(shapes=two_shapes(2, 3))
def test_a_matrix_product_refused_is_quoted_as_torch_words_it(shapes, torch):
    drawn_check(torch, "return x @ y", shapes)


@pytest.mark.oracle
def test_the_quotes_no_model_file_reaches_are_torchs_message(torch):
    from convcalc.layers.attention import check_masks
    from convcalc.layers.common import LayerError
    from convcalc.layers.operations import OPERATIONS, output_shapes
    from convcalc.layers.placement import placed

    node = SimpleNamespace(text="torch.chunk(x, 0, 1)", span=None)
    with pytest.raises(ConvcalcError) as refused:
        output_shapes("chunk", [(4, 4)], dict(OPERATIONS["chunk"].bind((), {"chunks": 0, "dim": 1})), node,
                      lambda *_: None)
    with pytest.raises(RuntimeError) as torch_refused:
        torch.chunk(torch.randn(1, 4, 4), 0, 1)
    assert quoted(refused.value.message) == str(torch_refused.value)
    # a 2-d attn_mask without a batch: L x S
    with pytest.raises(LayerError) as refused:
        check_masks("MultiheadAttention", 2, 5, 5, None, placed((4, 4), batch=None))
    attention = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with pytest.raises(RuntimeError) as torch_refused:
        attention(*[torch.randn(1, 5, 8)] * 3, attn_mask=torch.zeros(4, 4, dtype=torch.bool))
    assert quoted(str(refused.value)) == str(torch_refused.value)


def test_every_quote_of_the_source_is_counted_here():
    found = {}
    for folder, _, files in os.walk(os.path.join(ROOT, "convcalc")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as fh:
                    count = len(re.findall(r"^(?!\s*#).*PyTorch: ", fh.read(), re.M))
                if count:
                    found[os.path.relpath(path, ROOT).replace(os.sep, "/")] = count
    assert found == QUOTES
