"""What a windowed attention's forward needs, each on a small model (no torch needed): a batch
folded by windows and given back, F.linear with a module's weights, a bias table read at an index
table, a tensor made in __init__ run through layers in forward, a mask of known values. Their
agreement with torch on whole models is the corpus oracle's (tests/fixtures/corpus/attention/)."""
import json
import textwrap

from click.testing import CliRunner

from convcalc.cli import cli

MODEL = """
    import math

    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    # convcalc: input {input}
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 12)
            self.table = nn.Parameter(torch.zeros(9, 2))
            self.mlp = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
            self.register_buffer("coords", torch.zeros(1, 3, 3, 2))
            self.register_buffer("index", torch.arange(16).view(4, 4) % 9)

        def forward(self, x):
{body}
"""


def run(tmp_path, body, shape="4x4x8"):
    path = tmp_path / "model.py"
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 12)
    path.write_text(textwrap.dedent(MODEL.format(input=shape, body=body)))
    result = CliRunner().invoke(cli, ["shapes", str(path), "--format", "json"])
    return result, json.loads(result.output) if result.output.startswith("{") else None


def run_text(tmp_path):
    """The table of the model written by the last run (the folded batch shows as [N*k])."""
    return CliRunner().invoke(cli, ["shapes", str(tmp_path / "model.py")]).output


def outputs(report):
    return [row["output"] for row in report["layers"]]


def test_a_batch_folded_by_windows_and_given_back(tmp_path):
    result, report = run(tmp_path, """
        B, H, W, C = x.shape
        x = x.view(B, 2, 2, 2, 2, C).permute(0, 1, 3, 2, 4, 5).reshape(B * 4, 4, C)
        assert x.size(0) // 4 == B
        x = self.fc(x)
        return x.view(B, 2, 2, 2, 2, 12).permute(0, 1, 3, 2, 4, 5).reshape(B, H, W, 12)
    """)
    assert result.exit_code == 0, result.output
    assert report["complete"] and report["output"] == [4, 4, 12]
    assert "[N*4]x4x8" in result.output or [4, 8] in outputs(report)


def test_a_fold_the_code_writes_wrong_is_a_finding(tmp_path):
    result, _ = run(tmp_path, """
        B, H, W, C = x.shape
        return x.reshape(B * 3, 4, C)
    """)
    assert result.exit_code == 1 and "CC107" in result.output


def test_minus_one_takes_the_leading_dims_whole_into_the_batch(tmp_path):
    result, report = run(tmp_path, """
        y = x.view(-1, 8)
        return self.fc(y).view(x.size(0), 4, 4, 12)
    """)
    assert result.exit_code == 0, result.output
    assert report["output"] == [4, 4, 12]


def test_a_minus_one_that_mixes_dims_folds_rows_into_the_batch_as_torch_does(tmp_path):
    """4x4x8 = 128 per sample as view(-1, 16): torch makes 8 rows of 16 per sample (it was a CC107 torch
    never says); lint warns where the output keeps them (CC214)."""
    result, report = run(tmp_path, "return x.view(-1, 16)")
    assert result.exit_code == 0, result.output
    assert report["output"] == [16] and outputs(report)[-1] == [16] and "[N*8]x16" in run_text(tmp_path)
    result, _ = run(tmp_path, "return x.view(-1, 24)")  # 128 is no multiple of 24: refused by torch too
    assert result.exit_code == 1 and "CC107" in result.output


def test_f_linear_with_a_modules_weights_is_no_module_call(tmp_path):
    result, report = run(tmp_path, "return F.linear(x, self.fc.weight, self.fc.bias)")
    assert result.exit_code == 0, result.output
    assert report["output"] == [4, 4, 12]
    assert report["total_params"] == 108 + 18 + 12 + 10  # the module tree's; fc counted there, not run
    assert report["total_macs"] == 0  # torchinfo's hooks see no module run


def test_f_linear_on_the_wrong_size_is_a_finding(tmp_path):
    result, _ = run(tmp_path, "return F.linear(x, self.fc.weight)", shape="4x4x7")
    assert result.exit_code == 1 and "CC" in result.output


def test_a_table_read_at_an_index_table(tmp_path):
    result, report = run(tmp_path, """
        bias = self.table[self.index].view(4, 4, -1).permute(2, 0, 1).unsqueeze(0)
        return x.view(x.size(0), 2, 4, 16)[:, :, 0] + bias.flatten(2)
    """)
    assert result.exit_code == 0, result.output
    assert report["output"] == [2, 16]


def test_a_buffer_run_through_layers_in_forward(tmp_path):
    result, report = run(tmp_path, """
        table = self.mlp(self.coords).view(-1, 2)
        bias = table[self.index.flatten()].view(4, 4, 2).permute(2, 0, 1)
        return x.view(x.size(0), 2, 4, 16)[:, :, :, :4] + torch.sigmoid(bias)
    """)
    assert result.exit_code == 0, result.output
    assert report["output"] == [2, 4, 4]
    assert report["total_macs"] == 12 + 10  # the MLP's rows, once whatever the batch (its input has none)


def test_an_index_out_of_range_raises_as_torch(tmp_path):
    result, _ = run(tmp_path, """
        picked = x.view(x.size(0), 16, 8)[:, torch.tensor([3, 16])]
        return picked
    """)
    assert result.exit_code == 1 and "IndexError" in result.output


def test_a_mask_of_known_values_made_in_forward(tmp_path):
    result, report = run(tmp_path, """
        mask = x.new_zeros((4, 4))
        mask[2:, :] = 1
        mask = mask.view(16).unsqueeze(0) - mask.view(16).unsqueeze(1)
        mask = mask.masked_fill(mask != 0, -100.0)
        y = x.view(x.size(0), 8, 16)
        return y.transpose(1, 2) @ y + mask
    """)
    assert result.exit_code == 0, result.output
    assert report["output"] == [16, 16]
