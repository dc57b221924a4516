"""Notebooks on the command line: lint (every format), shapes, params and draw read .ipynb and
place what they say in its cell (`nb.ipynb:cell 3:7:20`)."""
import json
import os

import pytest
from click.testing import CliRunner

from notebooks import BROKEN_LENET, IMPORTS, LENET, lenet_notebook, notebook

from convcalc.cli import cli

CC102 = "Linear expects 400 input features but receives 256"


def run(args, cwd, input=None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False, input=input)
    finally:
        os.chdir(old)


@pytest.fixture
def books(tmp_path):
    (tmp_path / "good.ipynb").write_text(lenet_notebook())
    (tmp_path / "broken.ipynb").write_text(lenet_notebook(BROKEN_LENET))
    return tmp_path


def raw_line_of(path, text: str) -> int:
    """The line of the .ipynb file that holds a line of a cell."""
    lines = open(path).read().split("\n")
    return next(i for i, line in enumerate(lines, 1) if json.dumps(text)[1:-1] in line)


def test_lint_text_names_the_cell_and_shows_its_line(books):
    result = run(["lint", "good.ipynb", "broken.ipynb"], books)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"broken.ipynb:cell 3:7:20: CC102 {CC102}",
        "            self.fc1 = nn.Linear(16 * 5 * 5, 120)",
        "                       ^~~~~~~~~~~~~~~~~~~~~~~~~~",
        "Found 1 problem (1 error) in 2 files."]
    assert run(["lint", "good.ipynb"], books).output == "All checks passed (1 file, 1 model).\n"


def test_lint_json_gives_the_cell_and_its_line_and_column(books):
    data = json.loads(run(["lint", "broken.ipynb", "--format", "json"], books).output)
    assert data == [{"path": "broken.ipynb", "cell": 3, "line": 7, "column": 20, "end_line": 7, "end_column": 46,
                     "code": "CC102", "severity": "error", "message": CC102}]


def test_ci_formats_point_at_the_line_of_the_json_and_name_the_cell(books):
    raw = raw_line_of(books / "broken.ipynb", "        self.fc1 = nn.Linear(16 * 5 * 5, 120)")
    github = run(["lint", "broken.ipynb", "--format", "github"], books).output
    assert github == f"::error file=broken.ipynb,line={raw},endLine={raw},title=convcalc CC102::cell 3:7:20: {CC102}\n"
    sarif = json.loads(run(["lint", "broken.ipynb", "--format", "sarif"], books).output)
    result = sarif["runs"][0]["results"][0]
    assert result["message"]["text"] == f"cell 3:7:20: {CC102}"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": raw, "endLine": raw}
    assert result["properties"] == {"cell": 3, "cellStartLine": 7, "cellStartColumn": 20, "cellEndLine": 7,
                                    "cellEndColumn": 46}
    gitlab = json.loads(run(["lint", "broken.ipynb", "--format", "gitlab"], books).output)[0]
    assert gitlab["location"] == {"path": "broken.ipynb", "lines": {"begin": raw, "end": raw}}
    assert gitlab["description"] == f"CC102 cell 3:7:20: {CC102}"


def test_a_python_file_keeps_its_columns_in_the_ci_formats(tmp_path):
    (tmp_path / "m.net").write_text("input 3x8x8\nConv2d(4, 8, 3)\n")
    github = run(["lint", "m.net", "--format", "github"], tmp_path).output
    assert github.startswith("::error file=m.net,line=2,col=1,endLine=2,endColumn=16,title=convcalc CC101::")


BIASED = "m = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))"


def test_an_ignore_comment_silences_its_line_of_its_cell_only(tmp_path):
    text = notebook([("code", IMPORTS),
                     ("code", f"x = 1\n# convcalc: input 3x8x8\n{BIASED}  # convcalc: ignore[CC202]\n"),
                     ("code", f"y = 2\n# convcalc: input 3x8x8\n{BIASED.replace('m =', 'k =')}\n")])
    (tmp_path / "nb.ipynb").write_text(text)
    result = run(["lint", "nb.ipynb", "-q", "--select", "CC202"], tmp_path)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("nb.ipynb:cell 3:3:19: CC202 nn.Conv2d(3, 8, 3) has a bias that the following "
                            "BatchNorm2d (line 3 of cell 3) cancels")
    assert "cell 2" not in result.output


def test_an_unknown_code_in_an_ignore_comment_is_named_by_its_cell(tmp_path):
    (tmp_path / "nb.ipynb").write_text(notebook([("code", "x = 1\n"), ("code", "y = 2  # convcalc: ignore[CC999]\n")]))
    result = CliRunner(mix_stderr=False).invoke(cli, ["lint", str(tmp_path / "nb.ipynb")]) \
        if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else run(["lint", "nb.ipynb"], tmp_path)
    assert "nb.ipynb:cell 2:1: warning: unknown code 'CC999'" in (getattr(result, "stderr", "") or result.output)


def test_a_directory_is_searched_for_notebooks_and_checkpoints_are_skipped(books):
    (books / ".ipynb_checkpoints").mkdir()
    (books / ".ipynb_checkpoints" / "broken-checkpoint.ipynb").write_text(lenet_notebook(BROKEN_LENET))
    result = run(["lint", "."], books)
    assert result.exit_code == 1 and "Found 1 problem (1 error) in 2 files." in result.output
    assert "checkpoint" not in result.output


def test_stdin_with_a_notebook_name(books):
    result = run(["lint", "-", "--stdin-filename", "models/nb.ipynb"], books, input=lenet_notebook(BROKEN_LENET))
    assert result.exit_code == 1 and f"models/nb.ipynb:cell 3:7:20: CC102 {CC102}" in result.output


def test_a_broken_cell_is_a_finding_and_the_other_cells_are_still_checked(tmp_path):
    (tmp_path / "nb.ipynb").write_text(notebook([("code", IMPORTS), ("code", "def f(:\n"), ("code", BROKEN_LENET)]))
    result = run(["lint", "nb.ipynb", "-q"], tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "nb.ipynb:cell 2:1:7: CC001 not read: Python cannot parse this cell " \
                                            "(invalid syntax)"
    assert f"nb.ipynb:cell 3:7:20: CC102 {CC102}" in result.output


def test_a_file_that_is_not_a_notebook_is_positioned_in_its_json(tmp_path):
    (tmp_path / "nb.ipynb").write_text('{"cells": [\n  {"cell_type": "code", "source": 3}\n]}\n')
    lint = run(["lint", "nb.ipynb"], tmp_path)
    assert lint.exit_code == 1
    assert lint.output.startswith("nb.ipynb:2:35: CC001 not read as a notebook: the source of cell 1 is neither a "
                                  "string nor a list of strings\n")
    shapes = run(["shapes", "nb.ipynb"], tmp_path)
    assert shapes.exit_code == 1 and "nb.ipynb:2:35: CC001" in shapes.output and "Traceback" not in shapes.output


def test_shapes_rows_name_their_cell_and_equal_those_of_the_same_code_in_a_file(books):
    table = run(["shapes", "good.ipynb"], books)
    assert table.exit_code == 0
    rows = table.output.splitlines()
    assert rows[3].split()[:3] == ["cell", "3:5", "conv1"]
    (books / "same.py").write_text(IMPORTS.replace("%matplotlib inline\n", "") + LENET)
    as_file = run(["shapes", "same.py", "--format", "json"], books)
    as_book = run(["shapes", "good.ipynb", "--format", "json"], books)
    file_data, book_data = json.loads(as_file.output), json.loads(as_book.output)
    assert book_data["layers"][0]["cell"] == 3 and book_data["layers"][0]["line"] == 5
    for key in ("total_params", "total_macs", "output", "input"):
        assert book_data[key] == file_data[key]
    strip = lambda layers: [{k: v for k, v in layer.items() if k not in ("line", "cell")} for layer in layers]
    assert strip(book_data["layers"]) == strip(file_data["layers"])


def test_shapes_and_params_of_a_broken_notebook_say_where_in_the_cell(books):
    result = run(["shapes", "broken.ipynb"], books)
    assert result.exit_code == 1
    assert f"broken.ipynb:cell 3:7:20: CC102 {CC102}" in result.output
    assert "stopped at line 7 of cell 3: CC102" in result.output
    params = run(["params", "broken.ipynb"], books)
    assert "cell 3:5" in params.output and "stopped at line 7 of cell 3" in params.output


def test_draw_reads_a_notebook(books):
    result = run(["draw", "good.ipynb", "-o", "nb.html"], books)
    assert result.exit_code == 0 and result.output.startswith("wrote nb.html")
    page = (books / "nb.html").read_text()
    assert "cell 3:5" in page and "Conv2d(1, 6, 5)" in page
