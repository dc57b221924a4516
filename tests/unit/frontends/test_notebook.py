"""Reading a notebook: the code cells as one module, IPython's syntax kept out, every module line
mapped back to its cell and to the line of the .ipynb file; a file that is not a notebook is a
positioned CC001, never a traceback."""
import ast
import json

import pytest
from hypothesis import given, settings, strategies as st

from notebooks import IMPORTS, LENET, lenet_notebook, notebook

from convcalc.errors import ConvcalcError, LineIndex, Span
from convcalc.frontends.notebook import read_notebook


def module_line(book, cell: int, line: int) -> str:
    entry = next(c for c in book.cells if c.number == cell)
    return book.module.split("\n")[entry.first + line - 2]


def test_code_cells_in_order_form_one_module_that_parses():
    book = read_notebook(lenet_notebook(), "nb.ipynb")
    assert [c.number for c in book.cells] == [2, 3, 4]  # the markdown cell 1 counts, and is not read
    ast.parse(book.module)
    assert module_line(book, 3, 2) == "class Net(nn.Module):"
    assert book.problems == [] and book.notes == []


def test_magics_shell_and_help_lines_keep_their_line_as_pass():
    book = read_notebook(lenet_notebook(), "nb.ipynb")
    assert module_line(book, 2, 1) == "pass"  # %matplotlib inline
    assert module_line(book, 2, 2) == "import torch"
    assert module_line(book, 4, 2) == "pass"  # !nvidia-smi
    assert module_line(book, 4, 3) == "pass"  # model?
    indented = read_notebook(notebook([("code", "for i in range(2):\n    !echo hi\n    x = i\nfiles = !ls\n")]),
                             "nb.ipynb")
    assert indented.module.split("\n")[:4] == ["for i in range(2):", "    pass", "    x = i", "pass"]


def test_a_cell_that_parses_is_left_as_it_is_even_where_a_line_looks_like_a_magic():
    code = 'text = """\n%d items\n!not a shell line\n"""\n'
    book = read_notebook(notebook([("code", code)]), "nb.ipynb")
    assert book.module.split("\n")[:4] == code.splitlines()


def test_a_python_cell_magic_keeps_its_body_and_another_skips_the_cell_with_a_note():
    book = read_notebook(notebook([("code", "%%time\nx = 1\n"), ("code", "%%bash\nls -la\nfor f in *; do :; done\n")]),
                         "nb.ipynb")
    assert book.module.split("\n")[:2] == ["", "x = 1"]
    assert [n.code for n in book.notes] == ["CC900"]
    assert "%%bash" in book.notes[0].message
    assert book.local(book.notes[0].span) == (2, Span(1, 1, 1, 2))


def test_a_cell_python_cannot_parse_is_a_problem_in_its_cell_and_the_rest_is_read():
    book = read_notebook(notebook([("code", "x = 1\n"), ("code", "y = 2\ndef f(:\n    pass\n"), ("code", LENET)]),
                         "nb.ipynb")
    assert len(book.problems) == 1
    problem = book.problems[0]
    assert problem.code == "CC001" and "cannot parse this cell" in problem.message
    cell, span = book.local(problem.span)
    assert (cell, span.line, span.col) == (2, 2, 7)
    ast.parse(book.module)
    assert "class Net(nn.Module):" in book.module


def test_another_language_is_a_note():
    r = read_notebook(notebook([("code", "library(ggplot2)\nx <- 1\n")], language="R"), "nb.ipynb")
    assert r.problems == [] and r.module.strip() == "" and "a notebook in R" in r.notes[0].message


def test_positions_map_back_to_the_cell_and_to_the_line_of_the_json():
    text = lenet_notebook()
    book = read_notebook(text, "nb.ipynb")
    raw = text.split("\n")
    for cell in book.cells:
        for local, line in enumerate(cell.lines, 1):
            at = cell.first + local - 1
            assert book.local(Span(at, 3, at, 5)) == (cell.number, Span(local, 3, local, 5))
            assert json.dumps(line)[1:-1] in raw[book.raw_line(Span(at, 1, at, 2)) - 1]
    # a span past a cell's last line (the empty line between cells) stays within the cell
    last = book.cells[1]
    end = last.first + len(last.lines)
    number, span = book.local(Span(last.first, 1, end, 1))
    assert number == 3 and span.end_line == len(last.lines)


def test_a_source_stored_as_one_string_maps_every_line_to_its_line_of_the_json():
    text = notebook([("code", IMPORTS), ("code", LENET)], split=False)
    book = read_notebook(text, "nb.ipynb")
    cell = book.cells[1]
    assert len(cell.lines) == len(LENET.splitlines())
    lines = {book.raw_line(Span(cell.first + i, 1, cell.first + i, 2)) for i in range(len(cell.lines))}
    assert len(lines) == 1 and '"source": "# convcalc: input' in text.split("\n")[lines.pop() - 1]


def at(text: str, error: ConvcalcError) -> str:
    """The text from the error's position on."""
    return text[LineIndex(text).offset(error.span.line, error.span.col):]


@pytest.mark.parametrize("text, where, words", [
    ('{"cells": [\n {"cell_type": "code", "source": ["x"]\n ,]}', "]}", "not JSON"),
    ("", "", "not JSON"),
    ("[1, 2]", "[1, 2]", "expected a JSON object"),
    ('{"metadata": {}}', '{"metadata"', 'no "cells"'),
    ('{"cells": {"a": 1}}', '{"a": 1}}', '"cells" is not a list'),
    ('{"cells": [1]}', "1]}", "cell 1 is not an object"),
    ('{"cells": [{"source": []}]}', '{"source"', 'no "cell_type"'),
    ('{"cells": [{"cell_type": 7}]}', "7}]}", 'no "cell_type"'),
    ('{"cells": [{"cell_type": "code"}]}', '{"cell_type"', 'has no "source"'),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', "3}]}", "neither a string nor a list"),
    ('{"cells": [{"cell_type": "code", "source": ["x", null]}]}', "null]}", "other than strings"),
    ('{"worksheets": [], "nbformat": 3}', "[], ", "nbformat 3"),
])
def test_a_file_that_is_not_a_notebook_is_a_positioned_cc001(text, where, words):
    with pytest.raises(ConvcalcError) as caught:
        read_notebook(text, "nb.ipynb")
    error = caught.value
    assert error.code == "CC001" and words in error.message and error.message.startswith("not read as a notebook")
    assert at(text, error).startswith(where)


def test_markdown_and_raw_cells_need_no_source():
    book = read_notebook('{"cells": [{"cell_type": "markdown"}, {"cell_type": "raw", "source": 3}]}', "nb.ipynb")
    assert book.cells == [] and book.module == ""


def test_nesting_in_metadata_costs_no_stack():
    deep = "[" * 50_000 + "]" * 50_000
    text = '{"metadata": {"x": ' + deep + '}, "cells": [{"cell_type": "code", "source": ["x = 1"]}]}'
    try:
        book = read_notebook(text, "nb.ipynb")
    except ConvcalcError as exc:  # json.loads may refuse the depth: then it says so, positioned
        assert exc.code == "CC001"
    else:
        assert book.module.startswith("x = 1")


FRAGMENTS = ["x = 1", "%matplotlib inline", "!pip install torch", "model?", "  ", "# a comment", "def f(:",
             "import torch.nn as nn", "class A:", "    pass", "%%time", "é = 'ünï'", "\t", "y = [\n1]"]


@st.composite
def notebooks(draw):
    cells = draw(st.lists(st.tuples(st.sampled_from(["code", "code", "markdown", "raw"]),
                                    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("\n".join)), max_size=6))
    return notebook(cells, split=draw(st.booleans())), cells


@settings(max_examples=150, deadline=None, derandomize=True)
@given(notebooks())
def test_generated_notebooks_map_every_line_back(made):
    text, cells = made
    book = read_notebook(text, "nb.ipynb")
    code = [(i, t) for i, (kind, t) in enumerate(cells, 1) if kind == "code"]
    assert [c.number for c in book.cells] == [i for i, _ in code]
    ast.parse(book.module)  # what Python cannot parse was left out, as a problem
    module = book.module.split("\n")
    for cell, (_, source) in zip(book.cells, code):
        assert "\n".join(cell.lines) == source.rstrip("\n") or (source == "" and cell.lines == [""])
        for local in range(1, len(cell.lines) + 1):
            line = cell.first + local - 1
            assert book.local(Span(line, 1, line, 2))[0] == cell.number
            kept = module[line - 1]
            assert kept in ("", cell.lines[local - 1]) or kept.strip() == "pass"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_mutated_notebooks_read_or_fail_positioned(data):
    text = lenet_notebook()
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    insert = data.draw(st.sampled_from(["", "{", "}", "[", "]", '"', ",", "1", "null", '"x"', "\\", ":"]))
    mutated = text[:start] + insert + text[end:]
    try:
        book = read_notebook(mutated, "nb.ipynb")
    except ConvcalcError as exc:
        assert exc.code == "CC001" and exc.span is not None
        assert 1 <= exc.span.line <= mutated.count("\n") + 1
    else:
        ast.parse(book.module)
