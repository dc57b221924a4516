"""One file's lint, by its kind: a notebook (notebook.py), a Python file (python_file.py) or a
network description; what a lint task runs (pool.py), in this process or in a worker."""
from __future__ import annotations

from typing import Optional

from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Span
from convcalc.lint import messages as m
from convcalc.lint.filelint import FileLint
from convcalc.lint.model import lint_model
from convcalc.lint.python_file import lint_python
from convcalc.load import is_notebook, is_python


def lint_text(path: str, text: str, cli_input: Optional[n.Input], fallback: Optional[n.Input],
              tree: Optional[str] = None) -> FileLint:
    if is_notebook(path):
        from convcalc.lint.notebook import lint_notebook

        return lint_notebook(path, text, cli_input, fallback, tree)
    if is_python(path):
        return lint_python(path, text, cli_input, fallback, tree)
    from convcalc.frontends.syntax import parse

    out = FileLint()
    try:
        program = parse(text, path)
    except ConvcalcError as exc:
        out.findings.append(m.from_error(path, exc))
        return out
    except RecursionError:
        out.findings.append(m.SyntaxProblem(path, Span(1, 1, 1, 2), "the description is nested too deeply to read"))
        return out
    override = cli_input or (None if program.input is not None else fallback)
    out.findings = lint_model(program, override, None, out.notes, out.notices)
    out.checked = 1
    return out
