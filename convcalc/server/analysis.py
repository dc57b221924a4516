"""What the language server shows for one document, computed as plain data (so that it crosses
from the worker process that computes it, convcalc/server/worker.py): its diagnostics, inlay
hints and hovers, and the edits of its code actions.

- diagnostics: `convcalc lint` of the buffer under the file's name (runner.lint with the text:
  the same codes, severities, ignore comments and pyproject.toml settings), with the notices
  (CC303), what was not followed (CC301, CC302) as information and CC900 notes as hints;
- hints: after each layer construction, its output shape and parameters (`→ 6x28x28 · 156
  params`; every shape, when it runs more than once); at the end of each line of forward that
  makes a tensor, the shape of the last tensor made on it (symbolic where the input is);
- hovers: a layer's row (input, output, params, mult-adds, receptive field) and its formula, on
  its construction and on its calls.

Positions here are convcalc's: 1-based lines, 1-based columns in characters.
"""
from __future__ import annotations

import ast
import os
from typing import Optional

from convcalc import nodes as n
from convcalc.codes import CODES, ERROR, INFO, WARNING

SEVERITIES = {ERROR: "error", WARNING: "warning", INFO: "information"}
HINTED = (".py", ".net")  # what the server analyses (notebooks are read by the commands, not here)


def analyse_document(path: str, text: str) -> dict:
    """{"diagnostics": [...], "hints": [...], "hovers": [...]} of a document's text."""
    from convcalc.limits import configure_interpreter

    configure_interpreter()
    out = {"diagnostics": lint_diagnostics(path, text), "hints": [], "hovers": []}
    try:
        hints, hovers = shapes_of(path, text)
    except Exception as exc:  # the diagnostics above say what is wrong; the shapes are a bonus
        out["diagnostics"].append(note_at(1, f"convcalc could not show shapes for this file ({type(exc).__name__})"))
        return out
    out["hints"], out["hovers"] = hints, hovers
    return out


def note_at(line: int, message: str, code: str = "CC900") -> dict:
    return {"code": code, "severity": "hint" if code == "CC900" else "information", "message": message,
            "span": [line, 1, line, 1], "model": "", "suggested": None, "text": ""}


def lint_diagnostics(path: str, text: str) -> list:
    from convcalc.errors import UsageError
    from convcalc.lint.runner import Options, lint

    options = Options(stdin_filename=path, verbose=True, cache=False, jobs=1, progress=False, text=text)
    try:
        result = lint(["-"], options)
    except UsageError as exc:  # a pyproject.toml convcalc cannot take: said where the file is
        return [note_at(1, str(exc), "CC002") | {"severity": "error"}]
    out = []
    for finding in result.findings + result.notices + result.notes:
        if finding.path != path or finding.span.path:
            continue  # a place in another file of the tree: that file's own diagnostics show it
        code = str(finding.code)
        severity = "hint" if code == "CC900" else SEVERITIES.get(CODES[code].severity if code in CODES else ERROR)
        span = finding.span
        out.append({"code": code, "severity": severity, "message": finding.message,
                    "span": [span.line, span.col, span.end_line, span.end_col], "model": finding.model,
                    "suggested": finding.suggested, "text": source_text(text, span)})
    out += [note_at(1, line) for line in result.warnings]  # the configuration's, and unknown ignore codes
    return out


def source_text(text: str, span) -> str:
    """The text a span covers (one line at most): what a code action edits."""
    lines = text.splitlines()
    if not 0 < span.line <= len(lines) or span.end_line != span.line:
        return ""
    return lines[span.line - 1][span.col - 1:span.end_col - 1]


def shapes_of(path: str, text: str) -> tuple:
    """(hints, hovers) of every model of the file."""
    from convcalc.errors import ConvcalcError

    if not path.endswith(HINTED):
        return [], []
    try:
        models = walked(path, text)
    except ConvcalcError:
        return [], []  # the diagnostics say why
    hints: dict = {}  # (line, col) -> [labels]
    hovers = []
    inside = forward_lines(text) if path.endswith(".py") else set()
    for analysis, sites in models:
        rows_of_line: dict = {}
        from convcalc.adapter import row_fields

        fields = row_fields(analysis)
        for row, rf in zip(analysis.rows, fields):
            span = row.node.span
            if span.path:  # a layer written in another file of the tree
                continue
            site = sites.get(id(row.node))
            called = site[0] if site is not None else None
            shape = shape_text(row.shape)
            if isinstance(row.node, n.Call) and span.line not in inside:  # a layer built: the hint after it
                label = f"{shape} · {params_text(row)}"
                place = (span.end_line, span.end_col)
                if label not in hints.setdefault(place, []):
                    hints[place].append(label)
            where = called if called is not None and not called.path else span
            rows_of_line[where.line] = (where, shape)
            hovers.append({"spans": [span_list(span)] + ([span_list(called)] if called is not None and
                                                          not called.path else []),
                           "text": hover_text(analysis, row, rf)})
        for line, (where, shape) in rows_of_line.items():
            hints.setdefault((line, None), []).append(f"→ {shape}")
    out = []
    lines = text.splitlines()
    for (line, col), labels in sorted(hints.items(), key=lambda item: (item[0][0], item[0][1] or 10**9)):
        end = len(lines[line - 1]) + 1 if 0 < line <= len(lines) else 1
        out.append({"line": line, "col": end if col is None else col, "label": " | ".join(dict.fromkeys(labels)),
                    "kind": "line" if col is None else "layer"})
    return drop_repeats(out), hovers


def drop_repeats(hints: list) -> list:
    """A layer's hint and its line's hint where they say the same, at the end of one line: one."""
    out = []
    for hint in hints:
        if out and out[-1]["line"] == hint["line"] and hint["kind"] == "line" and \
                out[-1]["label"].split(" · ")[0] == hint["label"][2:]:
            continue
        out.append(hint)
    return out


def forward_lines(text: str) -> set:
    """The lines of the ``forward`` methods of a Python file: a call there makes a tensor (its
    line's hint), it builds no layer."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "forward":
            out.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return out


def walked(path: str, text: str) -> list:
    """(measured analysis, the forward sites of its rows) of each model of the file."""
    from convcalc import adapter

    if path.endswith(".py"):
        from convcalc.frontends.python.models import read_models
        from convcalc.lint.config import ConfigFinder
        from convcalc.load import parse_input_option

        configured = ConfigFinder().for_path(path).input_for(path)
        fallback = parse_input_option(configured[0]) if configured else None
        result = read_models(text, path, None, fallback)
        return [(adapter.analyse(model.program, None if model.has_input else fallback, fields=True), model.sites)
                for model in result.models]
    programs, _ = adapter.programs(path, text)
    return [(adapter.analyse(program, fields=True), {}) for program in programs]


def span_list(span) -> list:
    return [span.line, span.col, span.end_line, span.end_col]


def shape_text(shape) -> str:
    from convcalc.report.common import shape_text as made

    return made(shape)


def params_text(row) -> str:
    from convcalc.report.common import num

    if row.shared:
        return f"{num(row.params)} params (shared)"
    return f"{num(row.params)} params"


def hover_text(analysis, row, rf: str) -> str:
    """Markdown: the layer, its row as the tables give it, and the formula of its parameters."""
    from convcalc.report.common import num, one_line

    name = analysis.program.name if analysis.program is not None and analysis.program.name else \
        os.path.basename(analysis.path)
    cells = [shape_text(row.input), shape_text(row.shape), num(row.params) + (" (shared)" if row.shared else ""),
             num(row.macs), rf or "-"]
    text = (f"**{one_line(row.layer)}** — model {name}\n\n"
            "| input | output | params | mult-adds | receptive field |\n| --- | --- | --- | --- | --- |\n"
            f"| {' | '.join(cells)} |\n")
    if row.formula:
        text += f"\nparams: `{row.formula} = {num(row.params)}`\n"
    if analysis.symbolic:
        text += "\nsymbolic input: give a size with `# convcalc: input ...` above the model for numbers\n"
    return text


def model_anchor(text: str, name: str) -> Optional[tuple]:
    """(line, indentation) of the top-level definition of a model named ``name`` (its first
    decorator's line for a class or a function), where `# convcalc: input` goes above; None if not found."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    wanted = name.split("(", 1)[0].strip()
    for node in tree.body:
        names = []
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
        if wanted in names:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            return first, node.col_offset
    return None
