"""What `shapes` and `params` report in a chosen convention and for models followed partly or not
at all (issue 27): one JSON field per figure, in the convention --convention chose; JSON printed
whenever anything was computed; the parameters of a model without forward; torchinfo's mult-adds
of a layer subclass run by its own forward. The tools themselves are run in
tests/oracle/test_peers_models.py."""
import pytest
from click.testing import CliRunner
from report_json import one_model

from convcalc.cli import cli

CONVENTIONS = ("torchinfo", "fvcore", "thop", "ptflops", "torch-scan", "torchstat")

NET = '''import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        y = x.flatten(1)
        return self.fc(y)
'''

NO_FORWARD = '''import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 10)
'''

FIRST_STOP = '''import torch.nn as nn
import mystery


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = mystery.thing(x)
        return self.fc(self.conv(x).mean((2, 3)))
'''

OWN_FORWARD = '''import torch.nn as nn
import torch.nn.functional as F


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.norm = LayerNorm2d(8)

    def forward(self, x):
        return self.norm(self.norm(self.conv(x)))
'''


def run(tmp_path, source, *args):
    path = tmp_path / "model.py"
    path.write_text(source)
    return CliRunner().invoke(cli, [args[0], str(path), *args[1:]])


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_json_holds_the_chosen_conventions_figure_in_every_row_and_the_total(tmp_path, convention):
    result = run(tmp_path, NET, "shapes", "--input", "3x8x8", "--format", "json", "--convention", convention,
                 "--batch", "2")
    assert result.exit_code == 0, result.output
    data = one_model(result.stdout)
    text = run(tmp_path, NET, "shapes", "--input", "3x8x8", "--convention", convention, "--batch", "2").stdout
    assert data["convention"] == convention
    assert f"mult-adds: {data['total_macs']:,} (" in text  # the table's footer: the same figure
    assert sum(row["macs"] for row in data["layers"]) == data["total_macs"]
    assert not [key for key in data if key.startswith("total_macs_")]  # one field per figure
    assert all(set(row) & {"macs_fvcore", "macs_torchinfo"} == set() for row in data["layers"])


def test_conventions_give_their_own_figures(tmp_path):
    totals = {c: one_model(run(tmp_path, NET, "shapes", "--input", "3x8x8", "--format", "json", "--convention",
                               c).stdout)["total_macs"] for c in CONVENTIONS}
    conv, linear = 8 * 3 * 9 * 64, 128 * 10
    assert totals["torchinfo"] == (8 * 27 + 8) * 64 + 16 + 1290
    assert totals["fvcore"] == conv + linear
    assert totals["thop"] == conv + 4 * 8 * 64 + linear  # no bias; batch norm 4 per element (affine)
    assert len(set(totals.values())) == len(totals)


@pytest.mark.parametrize("source, where", [(NO_FORWARD, "Net has no forward"),
                                           (FIRST_STOP, "mystery.thing is not followed")])
def test_json_is_printed_when_nothing_of_forward_was_followed(tmp_path, source, where):
    for command in ("shapes", "params"):
        result = run(tmp_path, source, command, "--format", "json")
        assert result.exit_code == 1
        data = one_model(result.stdout)
        assert data["complete"] is False and data["model"] == "Net"
        assert data["total_params"] == 8 * 27 + 8 + 90  # parameters need no forward: the module tree's
        assert data["total_macs"] is None and data["output"] is None and data["input"] is None
        assert [d["code"] for d in data["diagnostics"]] == ["CC301"]
        assert where in data["diagnostics"][0]["message"]
        assert {r["module"] for r in data["registered_not_run"]} == {"conv", "fc"}


def test_params_of_a_model_without_forward_in_the_table(tmp_path):
    result = run(tmp_path, NO_FORWARD, "params")
    assert result.exit_code == 1
    assert "total params: 314" in result.stdout
    assert "not followed from line 4: CC301" in result.stdout
    assert "CC001" not in result.output  # no input is needed for parameters


def test_a_layer_subclass_with_its_own_forward_gets_torchinfos_mult_adds(tmp_path):
    result = run(tmp_path, OWN_FORWARD, "shapes", "--input", "3x8x8", "--columns", "macs", "--batch", "3")
    assert result.exit_code == 0, result.output
    conv = (8 * 27 + 8) * 36
    assert f"mult-adds: {3 * (conv + 2 * 16):,} (torchinfo" in result.stdout  # weight and bias, per call
    assert "norm: LayerNorm2d(8) run by its own forward (2 calls): 16 params" in result.stdout
    assert "not run by forward" not in result.stdout
    data = one_model(run(tmp_path, OWN_FORWARD, "shapes", "--input", "3x8x8", "--format", "json", "--batch",
                         "3").stdout)
    assert data["total_macs"] == 3 * (conv + 32) and data["total_params"] == 224 + 16
    assert data["own_forward"] == [{"module": "norm", "layer": "LayerNorm2d(8)", "calls": 2, "params": 16,
                                    "buffers": 0, "torchinfo_macs": 96}]
    assert "registered_not_run" not in data
    fvcore = one_model(run(tmp_path, OWN_FORWARD, "shapes", "--input", "3x8x8", "--format", "json",
                           "--convention", "fvcore").stdout)
    assert fvcore["total_macs"] == 8 * 27 * 36  # the flop counter counts no layer norm
    by_op = run(tmp_path, OWN_FORWARD, "shapes", "--input", "3x8x8", "--by-op").stdout
    assert "LayerNorm (own forward)" in by_op
