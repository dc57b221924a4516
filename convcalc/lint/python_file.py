"""Linting a Python file: its models read by the Python frontend (frontends/python/models.py), each
checked (model.py), the same finding of several models said once, and the layer constructions no
followed model reached counted (the coverage)."""
from __future__ import annotations

from typing import Optional

from convcalc import nodes as n
from convcalc.codes import CODES
from convcalc.errors import Span
from convcalc.lint import messages as m
from convcalc.lint.filelint import FileLint
from convcalc.lint.model import lint_model


def input_text(program: n.Program) -> str:
    given = program.input
    return "x".join(str(d.value) if isinstance(d, n.Num) else d.id for d in given.dims) if given else "?"


def input_key(program: n.Program) -> tuple:
    given = program.input
    return tuple(d.value if isinstance(d, n.Num) else d.id for d in given.dims) if given else ()


def lint_python(path: str, text: str, cli_input, fallback, tree: Optional[str] = None) -> FileLint:
    from convcalc.frontends.python import imports
    from convcalc.frontends.python.models import read_models

    imports.TREE = tree  # the files it imports are read only inside the tree lint walks (None: the file's own)
    try:
        result = read_models(text, path, cli_input, fallback)
    finally:
        imports.TREE = None
    out = FileLint()
    out.findings = [m.from_error(path, p) for p in result.problems]
    if result.unparsed is not None:  # as ruff and pyflakes: a file Python cannot parse is a finding, not a pass
        out.findings.append(m.from_error(path, result.unparsed))
    out.module_stop = result.module_stop
    restated = {id(note) for note in result.restated}  # said as the CC001 finding / the CC301 notice
    out.notes = [m.Note(path, note.span, note.message) for note in result.notes if id(note) not in restated]
    out.unfollowed = list(result.unfollowed)
    out.used = set(result.used)
    out.sources = dict(result.sources)  # the other files of the tree the models were read from
    coverage = result.coverage
    out.constructions, out.unreached, out.reached_elsewhere = coverage.total, coverage.unreached, coverage.elsewhere
    several = len(result.models) > 1
    merged: dict = {}
    for model in result.models:
        program = model.program
        for note in program.notes:
            if id(note) not in restated:  # the CC301 notice says it already
                out.notes.append(m.Note(path, note.span, note.message))
        if program.stopped is not None:
            out.partly.append((program.name, program.stopped))
        else:
            out.checked += 1
        stopped: list = []
        findings = lint_model(program, None, model, out.notes, out.notices, stopped)  # its input chosen by read_models
        if stopped and program.stopped is None:
            out.partly.extend(stopped)
            out.checked -= 1
        if model.origin is not None:  # an input the file itself gives: where it came from
            out.notes.append(m.Note(path, program.input.span if program.input else Span(1, 1, 1, 2),
                                    f"model {program.name}: input {input_text(program)} from {model.origin}"))
        rank: dict = {}
        for finding in findings:
            if model.origin is not None and (CODES[finding.code].needs_size or CODES[finding.code].needs_rank):
                finding.message += f" (input {input_text(program)} from {model.origin})"
            # the same finding of several models: one place, one code, one input, the same arguments, and
            # the same rank among the model's findings there (CC201 along H, then along W)
            place = (finding.span.path, finding.span.line, finding.span.col, finding.span.end_line,
                     finding.span.end_col, finding.code, finding.args, input_key(program))
            rank[place] = rank.get(place, -1) + 1
            key = place + (rank[place],)
            if key not in merged:
                merged[key] = (finding, [])
            if program.name not in merged[key][1]:
                merged[key][1].append(program.name)
    from convcalc.lint.construction import construction_findings

    reported = {(f.span.line, f.span.col, f.span.path, f.code) for f, _ in merged.values()}
    for error in construction_findings(result.coverage.layers.values()):  # refused where it is built
        span = error.span
        if (span.line, span.col, span.path, error.code) not in reported:
            out.findings.append(m.from_error(path, error))
    for finding, names in merged.values():
        finding.model = ", ".join(names)
        if several and names:
            finding.message += f" (in {'models' if len(names) > 1 else 'model'} {finding.model})"
        out.findings.append(finding)
    return out
