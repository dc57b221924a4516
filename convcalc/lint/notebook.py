"""Linting a notebook (``.ipynb``): its code cells as one Python module (frontends/notebook.py),
linted as a Python file is, and then every message of the notebook placed in its cell.

Suppression comments are read on the module's lines, which are the cells' lines: a
``# convcalc: ignore[...]`` in a cell silences what is on its line of that cell, and nothing in
another. A file that is not a notebook is a CC001 finding at the place in its JSON where
reading stopped.
"""
from __future__ import annotations

from convcalc.errors import ConvcalcError, Span
from convcalc.lint import messages as m


def lint_notebook(path: str, text: str, cli_input, fallback, tree=None):
    from convcalc.lint.filelint import FileLint
    from convcalc.lint.python_file import lint_python
    from convcalc.load import notebook_module

    try:
        book = notebook_module(path, text)
    except ConvcalcError as exc:  # not a notebook: where its JSON stops being one
        out = FileLint()
        out.findings.append(m.from_error(path, exc))
        return out
    out = lint_python(path, book.module, cli_input, fallback, tree)
    out.findings += [m.from_error(path, problem) for problem in book.problems]
    out.notes += [m.Note(path, note.span, note.message) for note in book.notes]
    out.book, out.text = book, book.module
    return out


def place(book, messages) -> None:
    """Each message of the notebook's module in its cell: the cell's number, the span in its lines,
    the line shown under it, and the lines of the .ipynb file it is on (for CI formats)."""
    for message in messages:
        if message.cell is not None or message.path != book.path or message.span.path:
            continue
        span = message.span
        message.raw_lines = (book.raw_line(span), book.raw_line(Span(span.end_line, 1, span.end_line, 2)))
        message.cell, message.span = book.local(span)
        message.shown_line = book.line_text(message.cell, message.span.line)


def line_place(book, line: int) -> str:
    """`cell 3:4` of a module line (a warning about a comment on it)."""
    cell, span = book.local(Span(line, 1, line, 2))
    return f"cell {cell}:{span.line}" if cell is not None else str(line)
