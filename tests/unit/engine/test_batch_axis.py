"""The batch axis where sequence code moves it (issue 23): sequence-first layouts, views that fold
positions into the batch and unfold them, the findings where a layer would read the batch as a
sequence or a feature, the description language's several tensors in and out, and how tables
and JSON show it. The numbers torch gives are the oracle's (tests/oracle/test_sequence_oracle.py);
these pin the behaviour convcalc adds around them."""
import json

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse
from convcalc.layers.common import fmt_shape
from convcalc.layers.placement import placement


def walk(text: str):
    return analyse(parse(text.replace("; ", "\n") + "\n", "t.net"))


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_permute_moves_the_batch_and_the_table_marks_it():
    analysis = walk("input 256x1x32; squeeze(2); permute(2, 0, 1)")
    assert analysis.ok
    assert tuple(analysis.output) == (32, 256) and placement(analysis.output) == (1, 1)
    assert fmt_shape(analysis.output) == "32x[N]x256"


def test_a_sequence_first_lstm_takes_it_there_and_says_where_its_states_have_it():
    analysis = walk("input 256x32; permute(2, 0, 1); LSTM(256, 64, bidirectional=True)")
    row = analysis.rows[-1]
    assert [fmt_shape(s) for s in row.outputs] == ["32x[N]x128", "2x[N]x64", "2x[N]x64"]


def test_batch_first_keeps_the_batch_first():
    analysis = walk("input 32x256; LSTM(256, 64, batch_first=True)")
    assert [placement(s) for s in analysis.rows[-1].outputs] == [(0, 1), (1, 1), (1, 1)]


@pytest.mark.parametrize("text, where", [
    ("input 10x32; LSTM(32, 16)", "pass batch_first=True"),
    ("input 10x32; transpose(0, 1); LSTM(32, 16, batch_first=True)", "pass batch_first=False"),
    ("input 10x32; transpose(0, 1); save x; MultiheadAttention(32, 4, batch_first=True)(x, x)", "batch_first"),
    ("input 10x32; TransformerEncoderLayer(32, 4)", "transpose(0, 1)"),
])
def test_a_layout_mix_up_is_a_positioned_finding(text, where):
    """torch would run these and mix the samples: convcalc says so, at the layer."""
    analysis = walk(text)
    assert analysis.error is not None and analysis.error.code == "CC108"
    assert where in analysis.error.message and analysis.error.span is not None


def test_a_row_wise_layer_keeps_the_batch_where_it_stands():
    analysis = walk("input 256x32; permute(2, 0, 1); LayerNorm(256); Linear(256, 10); Softmax(-1)")
    assert analysis.ok and fmt_shape(analysis.output) == "32x[N]x10"


def test_a_layer_acting_on_the_batch_dim_is_refused():
    analysis = walk("input 256x32; permute(2, 0, 1); Softmax(1)")
    assert analysis.error is not None and analysis.error.code == "CC108"


def test_folding_frames_into_the_batch_multiplies_the_mult_adds():
    folded = walk("input 8x3x16x16; Flatten(0, 1); Conv2d(3, 4, 3)")
    single = walk("input 3x16x16; Conv2d(3, 4, 3)")
    assert fmt_shape(folded.output) == "[N*8]x4x14x14"
    assert folded.total_macs == 8 * single.total_macs


def test_unflatten_gives_each_sample_its_positions_back():
    analysis = walk("input 8x3x4x4; Flatten(0, 1); Flatten(); Unflatten(0, (-1, 8))")
    assert analysis.ok and fmt_shape(analysis.output) == "8x48"


def test_an_unflatten_that_does_not_divide_the_fold_is_refused():
    analysis = walk("input 8x3x4x4; Flatten(0, 1); Flatten(); Unflatten(0, (-1, 3))")
    assert not analysis.ok


def test_adding_tensors_with_the_batch_at_different_places_is_refused():
    analysis = walk("input 4x4; save x; transpose(0, 1); add x")
    assert analysis.error is not None and analysis.error.code in ("CC108", "CC104")


def test_mult_adds_that_do_not_grow_with_the_batch():
    """torchinfo multiplies a Linear's parameters by its output's first dim: in a sequence-first
    layout that is the sequence, so the count is the same at every batch size."""
    analysis = walk("input 16x7; transpose(0, 1); Linear(7, 4)")
    assert analysis.macs_at(1) == analysis.macs_at(5) == 16 * (7 * 4 + 4)


def test_the_json_says_where_the_batch_stands():
    result = run("shapes", "-e", "input 256x32; permute(2, 0, 1); LSTM(256, 64)", "--format", "json")
    data = json.loads(result.stdout)
    model = data[0] if isinstance(data, list) else data.get("models", [data])[0]
    rows = model["layers"]
    assert rows[0]["output"] == [32, 256] and rows[0]["batch_axis"] == 1 and rows[0]["batch_fold"] == 1
    assert rows[1]["outputs_batch_axis"] == [1, 1, 1]
    assert model["output_batch_axis"] == 1


# ---------------------------------------------------------------- the description language


def test_an_output_picked_by_name_flows_on():
    analysis = walk("input 10x32; LSTM(32, 16, batch_first=True) -> h_n; select(0, -1); Linear(16, 3)")
    assert analysis.ok and tuple(analysis.output) == (3,)


def test_a_name_that_is_not_an_output_is_an_error():
    analysis = walk("input 10x32; LSTM(32, 16, batch_first=True) -> h")
    assert analysis.error is not None and "h_n" in analysis.error.message


def test_attention_takes_its_further_tensors_by_their_saved_names():
    analysis = walk("input 10x32; save m; Linear(32, 32); "
                    "MultiheadAttention(32, 4, batch_first=True)(m, m, need_weights=False)")
    assert analysis.ok and analysis.rows[-1].params == 4 * 32 * 32 + 4 * 32


def test_a_transformer_stack_counts_its_copies_and_its_norm():
    one = walk("input 10x32; TransformerEncoderLayer(32, 4, 64, batch_first=True)").total_params
    stack = walk("input 10x32; TransformerEncoder(TransformerEncoderLayer(32, 4, 64, batch_first=True), 3, "
                 "norm=LayerNorm(32))").total_params
    assert stack == 3 * one + 64


@pytest.mark.parametrize("text, code, words", [
    ("input 10x32; LSTM(64, 16, batch_first=True)", "CC102", "Expected 64, got 32"),
    ("input 10x32; save x; MultiheadAttention(64, 4, batch_first=True)(x, x)", "CC102",
     "was expecting embedding dimension of 64, but got 32"),
    ("input 10x64; save x; MultiheadAttention(64, 5, batch_first=True)(x, x)", "CC106", "64 / 5 = 12.8"),
    ("input 10x64; TransformerEncoderLayer(64, 6, batch_first=True)", "CC106", "divisible"),
    ("input 10x64; TransformerEncoderLayer(64, 6)", "CC106", "divisible"),
    ("input 10x32; GRUCell(16, 8)", "CC106", "2-d input"),
    ("input 32; GRUCell(16, 8)", "CC102", "got 32 expected 16"),
    ("input 10x32; LSTM(32, 16, proj_size=16)", "CC002", "proj_size has to be smaller"),
])
def test_wrong_settings_are_findings_with_torchs_numbers(text, code, words):
    analysis = walk(text)
    assert analysis.error is not None and analysis.error.code == code and words in analysis.error.message


def test_flatten_from_dim_0_folds_every_dim_into_the_batch():
    """torch's Flatten(0) makes one long vector of the whole batch: the batch times 12, nothing per sample."""
    analysis = walk("input 4x3; Flatten(0)")
    assert analysis.ok and tuple(analysis.output) == () and placement(analysis.output) == (0, 12)


@pytest.mark.parametrize("equation, lifted", [
    ("lnd,lnd->ln", "Alnd,Alnd->Aln"),
    ("ij,jk", "Aij,Ajk->Aik"),
    ("...ij->...ji", "A...ij->A...ji"),
    ("bi,bi", "Abi,Abi->A"),
])
def test_an_einsum_on_lifted_operands_gets_a_letter_for_the_stand_in_batch(equation, lifted):
    from convcalc.engine.batch import stand_in_equation

    assert stand_in_equation(equation) == lifted


EINSUM = """
import torch
from torch import nn


class M(nn.Module):
    def forward(self, x):
        y = x.permute(1, 0, 2)
        return torch.einsum("lnd,lnd->ln", y, y)
"""


def test_an_einsum_follows_a_sequence_first_tensor(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(EINSUM)
    result = run("shapes", str(path), "--input", "5x8")
    assert result.exit_code == 0 and "output: 5x[N]" in result.stdout


def test_a_row_wise_layer_over_the_batch_s_own_dim_is_refused():
    """Drawn by the sequence oracle: after permute(1, 2, 3, 0) the batch is the last dim, and
    LayerNorm(1) normalises it; a symbolic batch passed the check `1 == N` that every real batch
    of more than one sample fails in torch."""
    analysis = analyse(parse("input 1x1x1\nLayerNorm(1)\npermute(1, 2, 3, 0)\nLayerNorm(1)\n"))
    assert analysis.error is not None and analysis.error.code == "CC108" and analysis.error.span.line == 4
    ok = analyse(parse("input 4x6\npermute(2, 0, 1)\nLayerNorm(4)\n"))  # the batch among the rows: fine
    assert ok.error is None, ok.error
