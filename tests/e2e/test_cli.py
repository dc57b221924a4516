"""The commands, with exact output (CliRunner), exit codes and the ways to give a network."""
from report_json import one_model
from paths import ROOT
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc import __version__
from convcalc.cli import cli

COURSE = str(ROOT / "examples" / "course_cnn.net")


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


COURSE_TABLE = """\
  line  layer                                        output      params
------  -------------------------------------------  --------  --------
        input                                        3x32x32
     {0}  Conv2d(3, 32, kernel_size=3, padding=1)      32x32x32       896
     {1}  ReLU()                                       32x32x32         0
     {2}  MaxPool2d(2)                                 32x16x16         0
     {3}  nn.Conv2d(32, 64, kernel_size=3, padding=1)  64x16x16    18,496
     {4}  nn.ReLU()                                    64x16x16         0
     {5}  nn.MaxPool2d(2)                              64x8x8           0
     {6}  Flatten()                                    4096             0
     {7}  Linear(64 * 8 * 8, 10)                       10          40,970
        total                                                    60,362

input: 3x32x32   output: 10
total params: 60,362   trainable: 60,362   non-trainable: 0
buffers: 0   mult-adds: 5,693,450 (torchinfo's convention, batch 1)
"""
ONE_LINER = ("input 3x32x32; Conv2d(3, 32, kernel_size=3, padding=1); ReLU(); MaxPool2d(2); "
             "nn.Conv2d(32, 64, kernel_size=3, padding=1); nn.ReLU(); nn.MaxPool2d(2); Flatten(); "
             "Linear(64 * 8 * 8, 10)")


def test_shapes_of_a_one_liner_exact():
    """Every statement of a one-liner is on line 1: the line column shows line:column."""
    result = invoke("shapes", "-e", ONE_LINER)
    assert result.exit_code == 0, result.stderr
    statements = ONE_LINER.split("; ")[1:]
    columns = [ONE_LINER.index(s) + 1 for s in statements]
    rows = COURSE_TABLE.format(*[0] * 8).split("\n")
    expected = rows[:3] + [f"{f'1:{c}':>6}" + row[6:] for c, row in zip(columns, rows[3:11])] + rows[11:]
    assert result.stdout == "\n".join(expected)
    assert result.stderr == ""


def test_shapes_from_a_file_and_from_stdin_agree():
    from_file = invoke("shapes", COURSE)
    from_stdin = invoke("shapes", "-", input=Path(COURSE).read_text())
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout
    assert "total params: 60,362" in from_file.stdout


def test_shapes_json_follows_the_schema_of_cli_md():
    result = invoke("shapes", "-e", ONE_LINER, "--format", "json")
    data = one_model(result.stdout)
    assert data["input"] == [3, 32, 32] and data["output"] == [10]
    # at least the fields of the contract (cli.md), and every other column of the table as data
    assert {key: data["layers"][0][key] for key in ("line", "layer", "output", "params", "buffers", "macs")} == \
        {"line": 1, "layer": "Conv2d(3, 32, kernel_size=3, padding=1)", "output": [32, 32, 32], "params": 896,
         "buffers": 0, "macs": 917504}
    assert data["layers"][0]["input"] == [3, 32, 32] and data["layers"][0]["kernel"] == [3, 3]
    assert data["complete"] is True and data["convention"] == "torchinfo"
    assert (data["total_params"], data["trainable_params"], data["total_macs"]) == (60362, 60362, 5693450)


def test_symbolic_dims_are_strings_in_json():
    result = invoke("shapes", "-e", "input 3xHxW; Conv2d(3, 8, 3, stride=2, padding=1)", "--format", "json")
    data = one_model(result.stdout)
    assert data["input"] == [3, "H", "W"]
    assert data["layers"][0]["output"] == [8, "floor((H + 1)/2)", "floor((W + 1)/2)"]
    assert data["layers"][0]["macs"] == "224*floor((H + 1)/2)*floor((W + 1)/2)"


def test_batch_scales_mult_adds():
    data = one_model(invoke("shapes", COURSE, "--batch", "4", "--format", "json").stdout)
    assert data["total_macs"] == 4 * 5_693_450


@pytest.mark.parametrize("fmt", ["github", "grid", "psql", "tsv", "html"])
def test_every_tabulate_format_works(fmt):
    result = invoke("shapes", COURSE, "--format", fmt)
    assert result.exit_code == 0 and "40,970" in result.stdout


def test_unknown_format_is_a_usage_error():
    result = invoke("shapes", COURSE, "--format", "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("convcalc: error: unknown format 'nope'; choose json, csv or a table format: asciidoc,")


def test_params_exact():
    result = invoke("params", "-e", ONE_LINER)
    assert result.exit_code == 0
    assert result.stdout == """\
  line  layer                                        parameters                   buffers
------  -------------------------------------------  -------------------------  ---------
  1:16  Conv2d(3, 32, kernel_size=3, padding=1)      32*(3*3*3) + 32 = 896
  1:79  nn.Conv2d(32, 64, kernel_size=3, padding=1)  64*(32*3*3) + 64 = 18,496
 1:163  Linear(64 * 8 * 8, 10)                       4096*10 + 10 = 40,970

total params: 60,362   trainable: 60,362   buffers: 0
size (float32): params 241.45 kB, buffers 0 B
"""


def test_params_shows_buffers_apart():
    result = invoke("params", "-e", "input 8x4x4; BatchNorm2d(8)")
    assert "2*8 = 16" in result.stdout and "17" in result.stdout
    assert "total params: 16   trainable: 16   buffers: 17" in result.stdout


def test_an_error_prints_the_table_so_far_the_diagnostic_and_exits_1():
    result = invoke("shapes", "-e", "input 64x7x7\nReLU()\nLinear(4096, 10)")
    assert result.exit_code == 1
    assert result.stderr == (
        "<expr>:3:1: CC102 Linear expects 4096 input features but receives 64x7x7 = 3136; did you forget "
        "Flatten()? (on a 3-d input, Linear acts on the last dimension, 7)\n"
        "    Linear(4096, 10)\n"
        "    ^~~~~~~~~~~~~~~~\n")
    assert "ReLU()" in result.stdout and "stopped at line 3: CC102" in result.stdout


def test_a_syntax_error_exits_1_with_a_caret():
    result = invoke("shapes", "-e", "input 3x8x8\nConv2d(3, 8, 3")
    assert result.exit_code == 1
    assert result.stderr == "<expr>:2:7: CC001 '(' is never closed\n    Conv2d(3, 8, 3\n          ^\n"
    assert result.stdout == ""


def test_warnings_go_to_stderr_and_exit_0():
    result = invoke("shapes", "-e", "input 1x28x28; MaxPool2d(3)")
    assert result.exit_code == 0
    assert result.stderr.startswith("<expr>:1:16: CC201 MaxPool2d: along H, (28 + 0 - 3)/3 = 25/3 is not an integer")


def test_input_option_overrides_and_is_validated():
    result = invoke("shapes", COURSE, "--input", "3x64x64")
    assert result.exit_code == 1 and "receives 16384" in result.stderr
    bad = invoke("shapes", COURSE, "--input", "3x6.4")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("convcalc: error: --input '3x6.4': bad input dimension '6.4'")


def test_unreadable_file_is_exit_2():
    result = invoke("shapes", "/nonexistent/net.txt")
    assert result.exit_code == 2
    assert result.stderr == "convcalc: error: cannot read /nonexistent/net.txt: No such file or directory\n"


def test_path_and_expr_together_is_a_usage_error():
    assert invoke("shapes", COURSE, "-e", "input 3").exit_code == 2


def test_size_shows_the_arithmetic():
    result = invoke("size", "32", "-k", "3", "-s", "2", "-p", "1")
    assert result.exit_code == 0
    assert result.stdout == """\
O = floor((I + 2P - K)/S) + 1
  = floor((32 + 2*1 - 3)/2) + 1
  = floor(31/2) + 1
  = 15 + 1 = 16
31/2 = 15.5 is not an integer: floor drops a remainder of 1, what is left over lies in the padding, so every input row is covered
"""


def test_size_counts_the_uncovered_rows_and_handles_dilation_and_ceil():
    out = invoke("size", "28", "-k", "5", "-s", "2").stdout
    assert out.endswith("floor drops a remainder of 1, the last 1 input row (or column) of 28 never covered\n")
    out = invoke("size", "20", "-k", "5", "-s", "3", "-p", "2", "-d", "2").stdout
    assert out.startswith("K = D*(k - 1) + 1 = 2*(5 - 1) + 1 = 9   (the dilated kernel)\n")
    assert "= 5 + 1 = 6" in out
    out = invoke("size", "10", "-k", "3", "-s", "4", "-p", "1", "--ceil").stdout
    assert "so PyTorch drops it: O = 3" in out


def test_size_transposed_and_impossible():
    out = invoke("size", "16", "-k", "3", "-s", "2", "-p", "1", "--transposed", "--output-padding", "1")
    assert out.stdout.splitlines()[-1] == "  = 32"
    bad = invoke("size", "4", "-k", "5")
    assert bad.exit_code == 1 and "there is no output" in bad.stdout


def test_version_and_help():
    assert invoke("--version").stdout == f"convcalc, version {__version__}\n"
    for command in ("shapes", "params", "size"):
        assert "Example: convcalc" in invoke(command, "--help").stdout


def test_no_help_points_to_a_file_an_installed_copy_lacks():
    """`pip install .` ships the package, not docs/: --help must say what it means in its own words."""
    for name, command in cli.commands.items():
        text = invoke(name, "--help").stdout
        assert "docs/" not in text, (name, text)
    assert "docs/" not in invoke("--help").stdout


def test_python_dash_m_runs():
    result = subprocess.run([sys.executable, "-m", "convcalc", "shapes", COURSE], capture_output=True, text=True)
    assert result.returncode == 0 and "60,362" in result.stdout


TOKENS = ["input", " ", "3x8x8", "3xHxW", "\n", "    ", ";", "Conv2d(", "3", ",", "8", ")", "(", "kernel_size=",
          "'same'", "repeat", ":", "residual", "shortcut", "concat", "branch", "save", "add", "a", "def",
          "if", "else", "let", "=", "**", "//", "/", "-", "99999", "#", "nn.", "Linear(", "Flatten()",
          "MaxPool2d(", "True", "None", "1.5", "\t", "×", "\"", "[", "]"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_no_input_produces_a_traceback(tokens):
    result = invoke("shapes", "-e", "".join(tokens))
    assert result.exit_code in (0, 1, 2), result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr


def test_shapes_of_a_python_model_says_where_the_frontend_stopped(tmp_path):
    """Never silent: the table up to the stop, a positioned CC301 on stderr, exit 1, no output
    shape, and the parameter total labelled as the module tree's."""
    model = tmp_path / "net.py"
    model.write_text(
        "import torch\nimport torch.nn as nn\n\n\n"
        "# convcalc: input 3x8x8\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 4, 3)\n"
        "        self.fc = nn.Linear(4, 2)\n\n"
        "    def forward(self, x):\n"
        "        x = self.conv(x)\n"
        "        x = torch.fft.fft2(x)\n"
        "        return self.fc(x)\n")
    result = invoke("shapes", str(model))
    assert result.exit_code == 1
    assert "4x6x6" in result.stdout and "Linear" not in result.stdout.split("input:")[0]
    assert f"{model}:14:13: CC301 model Net: forward not followed from here (torch.fft.fft2 is not followed)" \
        in result.stderr
    assert "output: -" in result.stdout
    assert "total params: 122   trainable: 122   non-trainable: 0 (the module tree's" in result.stdout
    assert "registered, not reached: 10 params in 1 part (fc)" in result.stdout
    data = one_model(invoke("shapes", str(model), "--format", "json").stdout)
    assert data["complete"] is False and data["output"] is None and data["total_params"] == 122
    assert [d["code"] for d in data["diagnostics"]] == ["CC301"]
