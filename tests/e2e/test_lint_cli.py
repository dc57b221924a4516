"""`convcalc lint` on the command line: exact output per format, exit codes, selection, suppression, config."""
import json
import os
import sys
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli

# [tool.convcalc] is read with tomllib (Python 3.11+); before, it is skipped with a note
needs_tomllib = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")

BROKEN = textwrap.dedent("""\
    input 3x32x32
    Conv2d(3, 16, 3, padding=1)
    ReLU()
    Conv2d(8, 32, 3, padding=1)
""")
WARNED = textwrap.dedent("""\
    input 3x32x32
    Conv2d(3, 8, 3, stride=2)
    BatchNorm2d(8)
""")
CLEAN = "input 3x32x32\nConv2d(3, 8, 3, padding=1, bias=False)\nBatchNorm2d(8)\n"


def run(args, cwd):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(cli, ["lint", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result


@pytest.fixture
def files(tmp_path):
    (tmp_path / "broken.net").write_text(BROKEN)
    (tmp_path / "warned.net").write_text(WARNED)
    (tmp_path / "clean.net").write_text(CLEAN)
    return tmp_path


def test_text_format_exact(files):
    result = run(["broken.net", "warned.net"], files)
    assert result.exit_code == 1
    assert result.output == textwrap.dedent("""\
        broken.net:4:1: CC101 Conv2d expects 8 input channels (in_channels=8) but receives 16 channels (input 16x32x32)
            Conv2d(8, 32, 3, padding=1)
            ^~~~~~~~~~~~~~~~~~~~~~~~~~~
        warned.net:2:1: CC201 Conv2d: along H, (32 + 0 - 3)/2 = 29/2 is not an integer; floor leaves the last 1 row of 32 never covered
            Conv2d(3, 8, 3, stride=2)
            ^~~~~~~~~~~~~~~~~~~~~~~~~
        warned.net:2:1: CC201 Conv2d: along W, (32 + 0 - 3)/2 = 29/2 is not an integer; floor leaves the last 1 column of 32 never covered
            Conv2d(3, 8, 3, stride=2)
            ^~~~~~~~~~~~~~~~~~~~~~~~~
        Found 3 problems (1 error, 2 warnings) in 2 files.
    """)


def test_a_redundant_bias_is_opt_in(files):
    # CC202 is true of correct code (the bias before a BatchNorm changes no function the model computes):
    # as ruff keeps such rules out of its default set, it is shown only when selected
    assert "CC202" not in run(["warned.net"], files).output
    for select in ("CC202", "CC2", "ALL"):
        result = run(["warned.net", "--select", select], files)
        assert "warned.net:2:1: CC202 Conv2d(3, 8, 3, stride=2) has a bias that the following BatchNorm2d (line 3) " \
               "cancels" in result.output and result.exit_code == 1


def test_json_format_exact(files):
    result = run(["broken.net", "--format", "json"], files)
    assert result.exit_code == 1
    assert json.loads(result.output) == [{
        "path": "broken.net", "line": 4, "column": 1, "end_line": 4, "end_column": 28, "code": "CC101",
        "severity": "error",
        "message": "Conv2d expects 8 input channels (in_channels=8) but receives 16 channels (input 16x32x32)",
    }]


def test_github_format_exact(files):
    result = run(["broken.net", "warned.net", "--format", "github", "--select", "CC101,CC202"], files)
    assert result.exit_code == 1
    assert result.output == (
        "::error file=broken.net,line=4,col=1,endLine=4,endColumn=28,title=convcalc CC101::Conv2d expects 8 input "
        "channels (in_channels=8) but receives 16 channels (input 16x32x32)\n"
        "::warning file=warned.net,line=2,col=1,endLine=2,endColumn=26,title=convcalc CC202::Conv2d(3, 8, 3, "
        "stride=2) has a bias that the following BatchNorm2d (line 3) cancels: it subtracts the per-channel mean; "
        "pass bias=False\n")


def test_github_escapes():
    from convcalc.lint.reporter import escape_data, escape_property

    assert escape_data("50%\nnext") == "50%25%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_clean_exit_0(files):
    result = run(["clean.net"], files)
    assert (result.exit_code, result.output) == (0, "All checks passed (1 file, 1 model).\n")
    assert run(["clean.net", "--format", "json"], files).output == "[]\n"
    assert run(["clean.net", "--format", "github"], files).output == ""  # nothing to annotate: no output at all


def test_select_and_ignore(files):
    assert run(["warned.net", "--ignore", "CC2"], files).exit_code == 0
    result = run(["warned.net", "--select", "CC202", "--format", "json"], files)
    assert [d["code"] for d in json.loads(result.output)] == ["CC202"]
    result = run(["warned.net", "--select", "CC9999"], files)
    assert result.exit_code == 2 and "unknown code 'CC9999'" in result.output


def test_suppression_comments(tmp_path):
    (tmp_path / "a.net").write_text("input 3x32x32\nConv2d(3, 8, 3, stride=2)  # convcalc: ignore[CC201]\n"
                                    "BatchNorm2d(8)\n")
    result = run(["a.net", "--format", "json", "--select", "CC2"], tmp_path)
    assert [d["code"] for d in json.loads(result.output)] == ["CC202"]
    (tmp_path / "a.net").write_text("input 3x32x32\nConv2d(3, 8, 3, stride=2)  # convcalc: ignore\nBatchNorm2d(8)\n")
    assert run(["a.net", "--select", "CC2"], tmp_path).exit_code == 0
    (tmp_path / "m.py").write_text(textwrap.dedent("""\
        import torch.nn as nn

        # convcalc: input 3x32x32
        model = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2),  # convcalc: ignore[CC201, CC202]
            nn.BatchNorm2d(8),
        )
    """))
    assert run(["m.py", "--select", "CC2"], tmp_path).exit_code == 0


def test_list_codes():
    result = CliRunner().invoke(cli, ["lint", "--list-codes"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "CC001  error    syntax error in a network file"
    assert any(line.startswith("CC202  warning  ") for line in lines)
    assert any(line.startswith("CC211  warning  a layer assigned in __init__") for line in lines)
    assert lines[-1].startswith("CC900  info     ")
    data = json.loads(CliRunner().invoke(cli, ["lint", "--list-codes", "--format", "json"]).output)
    assert {"code": "CC107", "severity": "error",
            "description": "a view/reshape to a fixed size that differs from the tensor's size per sample"} in data


def test_usage_errors(tmp_path):
    assert run([], tmp_path).exit_code == 2
    result = run(["missing.py"], tmp_path)
    assert result.exit_code == 2 and "missing.py: no such file or directory" in result.output
    (tmp_path / "a.net").write_text(CLEAN)
    assert run(["a.net", "--format", "xml"], tmp_path).exit_code == 2
    assert run(["a.net", "--input", "3xx2"], tmp_path).exit_code == 2


def test_unreadable_file_exit_2_and_others_still_linted(tmp_path):
    (tmp_path / "bad.net").write_bytes(b"\xff\xfe input")
    (tmp_path / "broken.net").write_text(BROKEN)
    result = run(["bad.net", "broken.net"], tmp_path)
    assert result.exit_code == 2
    assert "bad.net:1:1: CC001 not UTF-8 text: byte 0xff" in result.output and "CC101" in result.output
    assert result.stdout.endswith("Found 1 problem (1 error) in 1 file. 1 file not read (see above).\n")
    alone = run(["bad.net"], tmp_path)
    assert alone.exit_code == 2 and alone.stdout == "No problems in the files read (0 files, 0 models). 1 file not " \
                                                    "read (see above).\n"


def test_directories_recursive_and_exclude(tmp_path):
    (tmp_path / "models" / "legacy").mkdir(parents=True)
    (tmp_path / "models" / "a.net").write_text(CLEAN)
    (tmp_path / "models" / "legacy" / "old.net").write_text(BROKEN)
    (tmp_path / "models" / "notes.txt").write_text("not a network")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.net").write_text(BROKEN)
    result = run(["."], tmp_path)
    assert result.exit_code == 1 and "old.net:4:1: CC101" in result.output and ".venv" not in result.output
    assert "in 2 files" in result.output
    assert run([".", "--exclude", "legacy"], tmp_path).exit_code == 0
    assert run([".", "--exclude", "models/legacy/*"], tmp_path).exit_code == 0
    assert run(["models/legacy/old.net", "--exclude", "legacy"], tmp_path).output.startswith("All checks passed (0")


def test_verbose_shows_notes(tmp_path):
    (tmp_path / "m.py").write_text(textwrap.dedent("""\
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.rnn = nn.EmbeddingBag(8, 8)

            def forward(self, x):
                x = self.conv(x)
                return self.rnn(x)
    """))
    quiet = run(["m.py"], tmp_path)
    assert quiet.exit_code == 0 and "CC900" not in quiet.output
    loud = run(["m.py", "-v"], tmp_path)
    assert loud.exit_code == 0
    assert "m.py:11:16: CC301 model Net: forward not followed from here (nn.EmbeddingBag is not supported: it is not in " \
           "convcalc's catalogue)" in loud.output
    assert "1 partly (Net: forward not followed from line 11: nn.EmbeddingBag is not supported" in quiet.output
    assert "All checks passed" not in quiet.output


@needs_tomllib
def test_pyproject_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "demo"

        [tool.convcalc]
        input = "3x32x32"
        ignore = ["CC201"]
        exclude = ["scratch"]

        [tool.convcalc.per-file-input]
        "small/*.py" = "3x8x8"

        [tool.convcalc.per-file-ignores]
        "legacy.net" = ["CC1"]
    """))
    model = textwrap.dedent("""\
        import torch.nn as nn

        model = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, bias=False), nn.Flatten(), nn.Linear(8 * 15 * 15, 2))
    """)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "net.py").write_text(model)  # 3x32x32 from the config: clean (CC201 ignored)
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "net.py").write_text(model)  # 3x8x8: the Linear is wrong
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch" / "x.net").write_text(BROKEN)
    (tmp_path / "legacy.net").write_text(BROKEN)
    result = run([".", "--format", "json"], tmp_path)
    found = [(d["path"], d["code"], d["line"]) for d in json.loads(result.output)]
    assert found == [("small/net.py", "CC102", 3)]
    # the command line overrides the configuration
    result = run([".", "--format", "json", "--ignore", "CC102"], tmp_path)
    assert sorted(d["code"] for d in json.loads(result.output)) == ["CC201", "CC201", "CC201", "CC201"]
    result = run(["sub/net.py", "--input", "3x8x8", "--format", "json"], tmp_path)
    assert [d["code"] for d in json.loads(result.output)] == ["CC102"]


@needs_tomllib
def test_config_found_walking_up_and_errors(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = ["CC1"]\n')
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "w.net").write_text(WARNED)
    assert run(["a/b/w.net"], tmp_path).exit_code == 0
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.convcalc]: keep walking
    assert run(["a/b/w.net"], tmp_path).exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselct = ["CC1"]\n')
    result = run(["a/b/w.net"], tmp_path)
    assert result.exit_code == 2 and "unknown key 'selct'" in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = "CC1"\n')
    assert run(["a/b/w.net"], tmp_path).exit_code == 2
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc\n')
    result = run(["a/b/w.net"], tmp_path)
    assert result.exit_code == 2 and "invalid TOML" in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\ninput = "3xx"\n')
    assert run(["a/b/w.net"], tmp_path).exit_code == 2


@pytest.mark.parametrize("text, fragment", [
    ('tool = "convcalc"\n', "`tool` must be a table ([tool.convcalc]), not str 'convcalc'"),
    ('[tool]\nconvcalc = 3\n', "`tool.convcalc` must be a table ([tool.convcalc]), not int '3'"),
    ('tool = ["convcalc"]\n', "`tool` must be a table"),
])
def test_a_tool_that_is_not_a_table_is_a_usage_error(tmp_path, text, fragment):
    """Found by the second hostile round: `tool = "convcalc"` was an AttributeError."""
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "w.net").write_text(WARNED)
    result = run(["w.net"], tmp_path)
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output


def test_python_310_reads_the_configuration_with_tomli_or_its_own_reader_or_says_it_cannot(tmp_path, monkeypatch):
    """No tomllib (Python 3.10): tomli where installed; else convcalc's own reader of its table;
    what that does not take, a note on every run, never silence."""
    try:
        import tomllib
    except ImportError:  # really on 3.10
        tomllib = None
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect = ["CC1"]\n')
    (tmp_path / "w.net").write_text(WARNED)
    monkeypatch.setitem(sys.modules, "tomllib", None)  # import tomllib now fails, as on 3.10
    if tomllib is not None:
        monkeypatch.setitem(sys.modules, "tomli", tomllib)  # the backport: the same API
        assert run(["w.net"], tmp_path).exit_code == 0  # read: select CC1 leaves out the warning
    monkeypatch.setitem(sys.modules, "tomli", None)
    result = run(["w.net"], tmp_path)
    assert result.exit_code == 0 and "not read" not in result.output  # read by convcalc itself
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc]\nselect.more = ["CC1"]\n')
    result = run(["w.net"], tmp_path)
    assert "[tool.convcalc] is not read" in result.output and "pip install 'convcalc[toml]'" in result.output
    assert "line 2: a dotted key in a convcalc table" in result.output
    assert result.exit_code == 1  # the configuration skipped: the warning is a finding again


def test_python_model_without_input_runs_the_size_free_checks(tmp_path):
    (tmp_path / "m.py").write_text(textwrap.dedent("""\
        import torch.nn as nn

        model = nn.Sequential(
            nn.Conv2d(3, 16, 3),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3),
        )
        mlp = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(10, 10))
        sized = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(123, 10))
    """))
    result = run(["m.py", "--format", "json"], tmp_path)
    items = json.loads(result.output)
    found = [(d["code"], d["line"]) for d in items if d["severity"] != "info"]
    # the Linear after Flatten: no input size gives 123 features (8*(H-2)*(W-2) is a multiple of 8)
    assert found == [("CC101", 6), ("CC102", 8), ("CC102", 9)]
    notices = [d["message"] for d in items if d["severity"] == "info"]  # shown, never findings
    assert notices == ["model mlp: no input size given; checked as a flat input of 784 features (add "
                       "`# convcalc: input ...` above the model for more)"]


def test_no_traceback_on_strange_python(tmp_path):
    (tmp_path / "m.py").write_text("import torch.nn as nn\n" + "x = (" * 200 + "1" + ")" * 200 + "\n"
                                   "def f(:\n")
    result = run(["m.py", "-v"], tmp_path)
    assert result.exit_code == 1 and "CC001 not read: Python cannot parse this file" in result.output
    assert "All checks passed" not in result.output
    deep = "import torch.nn as nn\nm = " + "nn.Sequential(" * 300 + "nn.ReLU()" + ")" * 300 + "\n"
    (tmp_path / "m.py").write_text(deep)
    assert run(["m.py"], tmp_path).exit_code in (0, 1)


FOREIGN = textwrap.dedent("""\
    import torch
    import torch.nn as nn
    from somewhere_unread import BaseNet


    class Net(BaseNet):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)


    class Clamp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clamp(0, 1)
""")


def test_a_class_on_an_unread_base_is_said_not_followed_never_passed(tmp_path):
    """class Net(BaseNet) with a forward, BaseNet from a module convcalc does not read: not "All
    checks passed (0 models)", but a class not followed, with the reason under -v and in shapes.
    A custom autograd Function's forward is not a model's, and is not reported."""
    (tmp_path / "m.py").write_text(FOREIGN)
    result = run(["m.py"], tmp_path)
    assert result.exit_code == 0 and "All checks passed" not in result.output
    assert "1 class not followed" in result.output
    verbose = run(["-v", "m.py"], tmp_path)
    assert "CC302 class Net looks like a model but was not followed: it derives from somewhere_unread.BaseNet" \
        in verbose.output and "Clamp" not in verbose.output
    shown = CliRunner().invoke(cli, ["shapes", str(tmp_path / "m.py")])
    assert shown.exit_code == 1 and "it derives from somewhere_unread.BaseNet" in shown.stderr


@pytest.mark.parametrize("base", ["pl.LightningModule", "nn.Module"])
def test_a_lightning_module_is_an_nn_module(base):
    """LightningModule derives from nn.Module: its forward is followed as any module's, with the
    same layers and parameters as the class on nn.Module (its training hooks are never run)."""
    from convcalc.load import load_programs
    from convcalc.engine.shapes import analyse

    source = textwrap.dedent(f"""\
        import pytorch_lightning as pl
        import torch.nn as nn
        import torch.nn.functional as F


        # convcalc: input 1x28x28
        class LitNet({base}):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 8, 3)
                self.fc = nn.Linear(8 * 26 * 26, 10)

            def forward(self, x):
                return self.fc(F.relu(self.conv(x)).flatten(1))

            def training_step(self, batch, idx):
                x, y = batch
                self.log("loss", 0.0)
                return F.cross_entropy(self(x), y)
    """)
    (program,) = load_programs("m.py", source, None, None, False)
    analysis = analyse(program)
    assert analysis.ok and analysis.complete and analysis.output == (10,)
    assert analysis.total_params == 1 * 8 * 9 + 8 + 8 * 26 * 26 * 10 + 10


def test_the_projects_own_corpus_passes_its_lint(tmp_path):
    # issue 22: the corpus is correct code, upstream's as written (vgg_bn's conv bias before BatchNorm,
    # d2l's NiN dropping a row at its stride-4 stem, said by its ignore comments), so lint exits 0
    from paths import CORPUS

    result = run(["--no-cache", str(CORPUS)], tmp_path)
    assert result.exit_code == 0, result.output
    import re

    files = len([p for p in CORPUS.rglob("*") if p.suffix in (".py", ".ipynb", ".net") and "__pycache__" not in p.parts])
    assert re.match(rf"No problems in what was followed \({files} files, \d+ models", result.output.splitlines()[-1])
    assert "CC202" in run(["--no-cache", "--select", "CC202", str(CORPUS / "lint_models")], tmp_path).output
