"""The tables people read (docs/tables.md): resolved arguments, the module column of a Python
model, folding of deep networks, line:column for a one-liner, and the --format vocabulary."""
from report_json import one_model
from paths import ROOT, CORPUS
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from convcalc.cli import cli

EXAMPLES = ROOT / "examples"
TORCHVISION_RESNET = str(CORPUS / "torchvision" / "resnet.py")


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def table_rows(stdout: str) -> list:
    """The rows of a simple table, split on runs of two spaces."""
    lines = stdout.split("\n\n")[0].splitlines()[2:]
    return [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in lines]


# ---------------------------------------------------------------- resolved arguments


def test_a_layer_in_a_def_shows_the_values_it_was_called_with():
    text = "input 8x8x8\ndef Block(cin, cout, s=1):\n    Conv2d(cin, cout, 3, stride=s, padding=1)\nBlock(8, 16, s=2)\n"
    result = invoke("shapes", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "Conv2d(8, 16, 3, stride=2, padding=1)" in result.stdout
    assert "cin" not in result.stdout


def test_a_call_without_names_stays_as_written():
    result = invoke("shapes", "-e", "input 400; Linear(16 * 5 * 5, 120); Linear((120), 10)")
    assert "Linear(16 * 5 * 5, 120)" in result.stdout and "Linear((120), 10)" in result.stdout


def test_top_level_names_resolve_too_and_strings_stay_quoted():
    result = invoke("shapes", "-", input="input 3x8x8\nlet c = 4\nConv2d(3, 2 * c, 3, padding='same')\n")
    assert "Conv2d(3, 8, 3, padding='same')" in result.stdout


def test_a_python_layer_passed_in_under_another_name_shows_its_class():
    result = invoke("shapes", TORCHVISION_RESNET, "--model", "resnet18", "--input", "3x64x64", "--depth", "all")
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert ["166", "bn1", "BatchNorm2d(64)", "64x32x32", "128"] in rows
    # inside BasicBlock, conv3x3(inplanes, planes, stride) resolved to its values
    assert any(row[1] == "layer2.0.conv1" and row[2].startswith("nn.Conv2d(64, 128, kernel_size=3, stride=2")
               for row in rows), rows


def test_a_functional_call_stays_as_written():
    result = invoke("shapes", CORPUS / "cifar" / "resnet.py", "--model", "ResNet18",
                    "--input", "3x32x32", "--depth", "all")
    assert "F.avg_pool2d(out, 4)" in result.stdout and "out.view(out.size(0), -1)" in result.stdout


# ---------------------------------------------------------------- the module column and folding


def test_python_rows_are_named_as_torchinfo_names_them():
    result = invoke("shapes", TORCHVISION_RESNET, "--model", "resnet18", "--input", "3x64x64", "--depth", "all")
    header = result.stdout.splitlines()[0].split()
    assert header[:3] == ["line", "module", "layer"]
    names = [row[1] for row in table_rows(result.stdout)[1:] if len(row) > 4]
    assert names[:6] == ["conv1", "bn1", "relu", "maxpool", "layer1.0.conv1", "layer1.0.bn1"]
    assert "layer4.1.bn2" in names and names[-1] == "fc"


def test_a_network_file_has_no_module_column():
    assert "module" not in invoke("shapes", EXAMPLES / "course_cnn.net").stdout.splitlines()[0]


def test_a_deep_network_folds_by_itself_and_says_so():
    result = invoke("shapes", EXAMPLES / "resnet50.net")
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert len(rows) <= 102  # the input row, at most 100, the total row
    bottlenecks = [row for row in rows if row[1].startswith("Bottleneck(")]
    assert len(bottlenecks) == 16  # 3 + 4 + 6 + 3
    assert bottlenecks[0][1] == "Bottleneck(64, 64, 256, stride=1)" and bottlenecks[1][1] == "Bottleneck(256, 64, 256)"
    assert result.stdout.rstrip().endswith("175 rows folded to 23 at depth 2 (each folded row shows its block's "
                                           "totals); --depth all shows every row, --depth N chooses")
    assert ["total", "25,557,032"] == rows[-1]


def test_a_deep_network_from_stdin_folds_too():
    """Folding runs a second analysis: the input is read once (stdin cannot be read twice)."""
    text = (EXAMPLES / "resnet50.net").read_text()
    result = invoke("shapes", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "175 rows folded to 23 at depth 2" in result.stdout


def test_folded_rows_add_up_to_the_total():
    from convcalc.frontends.syntax import parse
    from convcalc.metrics.measure import measure
    from convcalc.report.rows import default_depth, entries

    analysis = measure(parse((EXAMPLES / "resnet50.net").read_text(), "resnet50.net"))
    depth = default_depth(analysis)
    assert depth == 2
    folded = entries(analysis, "torchinfo", 1, "float32", depth)
    assert sum(e.params for e in folded) == analysis.total_params == 25_557_032
    assert sum(e.folded for e in folded) == len(analysis.rows)


def test_a_python_resnet_folds_into_its_blocks():
    result = invoke("shapes", TORCHVISION_RESNET, "--model", "resnet50", "--input", "3x224x224")
    rows = table_rows(result.stdout)
    blocks = [row for row in rows if len(row) > 2 and row[2] == "Bottleneck"]
    assert [row[1] for row in blocks][:4] == ["layer1.0", "layer1.1", "layer1.2", "layer2.0"]
    assert len(blocks) == 16 and blocks[0][3:] == ["256x56x56", "75,008"]
    assert "175 rows folded to 23 at depth 2" in result.stdout


@pytest.mark.parametrize("args", [["--depth", "all"], ["--format", "json"], ["--format", "csv"]])
def test_every_row_when_asked_or_for_machines(args):
    result = invoke("shapes", EXAMPLES / "resnet50.net", *args)
    assert result.exit_code == 0, result.output
    assert "rows folded" not in result.stdout
    if args[1] == "json":
        assert len(one_model(result.stdout)["layers"]) == 175
    elif args[1] == "csv":
        assert len(list(csv.reader(io.StringIO(result.stdout)))) == 1 + 1 + 175 + 1  # header, input, rows, total
    else:
        assert len(table_rows(result.stdout)) == 1 + 175 + 1


def test_a_short_table_does_not_fold():
    assert "rows folded" not in invoke("shapes", EXAMPLES / "resnet18.net").stdout


def test_depth_is_a_number_or_all():
    bad = invoke("shapes", EXAMPLES / "resnet18.net", "--depth", "deep")
    assert bad.exit_code == 2 and "'deep' is not a depth: give a number from 0 to 1000, or all" in bad.stderr


def test_the_input_column():
    result = invoke("shapes", EXAMPLES / "course_cnn.net", "--columns", "input,output")
    rows = table_rows(result.stdout)
    assert rows[1][2:] == ["3x32x32", "32x32x32"] and rows[3][2:] == ["32x32x32", "32x16x16"]


# ---------------------------------------------------------------- one-liners


def test_a_one_liner_shows_line_and_column():
    result = invoke("shapes", "-e", "input 3x8x8; Conv2d(3, 4, 3); ReLU()")
    rows = table_rows(result.stdout)
    assert rows[1][0] == "1:14" and rows[2][0] == "1:31"
    assert one_model(invoke("shapes", "-e", "input 3x8x8; ReLU()", "--format", "json").stdout)["layers"][0]["line"] == 1


# ---------------------------------------------------------------- formats


def test_csv_is_the_rows_alone_with_plain_numbers():
    result = invoke("shapes", EXAMPLES / "lenet5.net", "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["line", "layer", "output", "params"]
    assert rows[1] == ["", "input", "1x32x32", ""]
    assert ["13", "Linear(16 * 5 * 5, 120)", "120", "48120"] in rows
    assert "total params" not in result.stdout


def test_csv_with_columns_and_params_and_verify():
    columns = list(csv.reader(io.StringIO(invoke("shapes", EXAMPLES / "lenet5.net", "--columns", "output,macs",
                                                 "--format", "csv").stdout)))
    assert columns[0] == ["line", "layer", "output", "mult-adds"] and columns[-1][1] == "total"
    params = list(csv.reader(io.StringIO(invoke("params", EXAMPLES / "lenet5.net", "--format", "csv").stdout)))
    assert params[0] == ["line", "layer", "parameters", "buffers"] and len(params) == 6
    verify = invoke("verify", EXAMPLES / "lenet5.net", "--format", "csv")
    assert verify.exit_code == 0 and verify.stdout.startswith("line,layer,computed,executed")


@pytest.mark.parametrize("alias", ["markdown", "md"])
def test_markdown_is_githubs_table(alias):
    assert invoke("shapes", EXAMPLES / "lenet5.net", "--format", alias).stdout == \
        invoke("shapes", EXAMPLES / "lenet5.net", "--format", "github").stdout


def test_inputs_takes_text_or_json_only():
    for fmt in ("text", "simple"):
        assert invoke("inputs", EXAMPLES / "symbolic_cnn.net", "--format", fmt).exit_code == 0
    bad = invoke("inputs", EXAMPLES / "symbolic_cnn.net", "--format", "grid")
    assert bad.exit_code == 2 and "inputs prints a report, not a table: --format text (the default) or json" in bad.stderr


# ---------------------------------------------------------------- the simple format without tabulate

CELL = st.one_of(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
                 st.integers(-10**6, 10**6))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda width: st.tuples(
    st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=10), min_size=width,
             max_size=width),
    st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=6),
    st.lists(st.sampled_from(["left", "right", "center"]), min_size=width, max_size=width))))
def test_simple_table_is_tabulates_simple_format(case):
    import tabulate

    from convcalc.report.common import simple_table

    headers, rows, align = case
    headers = [h.strip() for h in headers]  # tabulate strips headers too; ours are written without spaces
    expected = tabulate.tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, colalign=align)
    assert simple_table(rows, headers, align) == expected


# ---------------------------------------------------------------- one report, whatever the columns

STOPS_AT_FFT = '''import torch
import torch.nn as nn


# convcalc: input 3x8x8
class Spectral(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = self.conv(x)
        x = torch.fft.fft2(x).real
        return self.fc(x.flatten(1))
'''


@pytest.mark.parametrize("columns", [None, "output,params", "output,params,macs,memory,rf", "input,output,macs"])
def test_a_model_not_followed_to_its_end_shows_no_total_nor_output_as_the_models(tmp_path, columns):
    """The live bug of issue 20: --columns took a second renderer that printed `output: 4x6x6` and the mult-adds
    of the part as the model's (torch's output is 10, and the Linear after the stop was missing)."""
    path = tmp_path / "spectral.py"
    path.write_text(STOPS_AT_FFT)
    args = ["shapes", path] + (["--columns", columns] if columns else [])
    result = invoke(*args)
    assert result.exit_code == 1
    footer = result.stdout.split("\n\n", 1)[1]
    assert "output: -" in footer and "4x6x6" not in footer
    assert "mult-adds of the part followed" in footer
    rows = table_rows(result.stdout)
    assert not any(row[0] == "total" or row[1:2] == ["total"] for row in rows)
    if columns is None or "params" in columns:
        assert any("part followed" in row for row in rows)
    data = one_model(invoke(*args, "--format", "json").stdout)
    assert data["complete"] is False and data["output"] is None and data["total_macs"] is None
    assert data["macs_followed"] == 4 * 3 * 3 * 3 * 36 + 4 * 36 and data["memory"] is None


def test_a_long_table_of_a_model_not_followed_says_so_too(tmp_path):
    """Over 100 rows the table folds (it took the second renderer with no option at all)."""
    body = "\n".join(f"        x = self.convs[{i}](x)" for i in range(150))
    path = tmp_path / "deep.py"
    path.write_text("import torch\nimport torch.nn as nn\n\n\n# convcalc: input 3x8x8\nclass Deep(nn.Module):\n"
                    "    def __init__(self):\n        super().__init__()\n"
                    "        self.convs = nn.ModuleList([nn.Conv2d(3, 3, 1) for _ in range(150)])\n\n"
                    "    def forward(self, x):\n" + body + "\n        x = torch.fft.fft2(x).real\n        return x\n")
    for args in ([], ["--columns", "output,params,macs"], ["--depth", "all"]):
        result = invoke("shapes", path, *args)
        footer = result.stdout.split("\n\n", 1)[1]
        assert result.exit_code == 1 and "output: -" in footer and "mult-adds of the part followed" in footer


def test_adds_and_concats_are_named_by_where_their_operands_come_from():
    """`add out#5`, `concat x1#3` meant nothing to a reader: a join shows its operands' sources,
    the submodule whose output each is (by its outermost name), else the variable, else the line."""
    resnet = invoke("shapes", str(CORPUS / "cifar" / "resnet.py"), "--model", "ResNet18", "--input", "3x32x32",
                    "--depth", "all", "--format", "json")
    layers = [row["layer"] for row in one_model(resnet.output)["layers"]]
    assert "add (layer1.1.bn2, layer1.0)" in layers and "add (layer2.0.bn2, layer2.0.shortcut)" in layers
    unet = invoke("shapes", str(CORPUS / "unet" / "unet_model.py"), "--model", "UNet(3, 2)", "--input", "3x64x64",
                  "--depth", "all")
    assert "concat (down3, x1)" in unet.output and "concat (inc, x1)" in unet.output
    net = invoke("shapes", str(EXAMPLES / "unet_small.net"), "--depth", "all")
    assert "concat (line 31, skip3)" in net.output and "#" not in net.output
