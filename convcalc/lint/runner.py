"""`convcalc lint PATH...`: find the files, read the configuration, analyse every model, collect findings.

Network files are read with the description parser, ``.py`` files with the Python frontend.
A directory is searched recursively for ``*.net`` and ``*.py`` (a ``.txt`` network file is
linted when named explicitly: directories hold too many other text files). Hidden
directories, ``__pycache__``, virtual environments, ``node_modules``, ``build`` and ``dist``
are skipped.

Input shape, first match wins: ``--input``; the file's own (``input`` line, or
``# convcalc: input`` comment above the model); ``[tool.convcalc.per-file-input]``;
``[tool.convcalc] input``. A Python model with none of these is still checked for what needs
no spatial size (channels, features, layer settings), see :func:`lint_model`.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from convcalc.symbolic import dims
from convcalc import nodes as n
from convcalc.codes import CODES, INFO
from convcalc.errors import ConvcalcError, Span, UsageError
from convcalc.lint import messages as m
from convcalc.lint.config import ConfigFinder, matches
from convcalc import codes

NETWORK_SUFFIXES = (".net",)
PYTHON_SUFFIX = ".py"
SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "venv", "env", "site-packages"}
IGNORE_COMMENT = re.compile(r"#.*?convcalc:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


class Options:
    def __init__(self, select: Optional[list] = None, ignore: Optional[list] = None, exclude: tuple = (),
                 input: Optional[str] = None, verbose: bool = False):
        self.select = select  # from the command line; None: the configuration's
        self.ignore = ignore
        self.exclude = exclude
        self.input = input
        self.verbose = verbose


class Result:
    def __init__(self):
        self.findings: list = []  # Message
        self.notes: list = []  # Message (CC900)
        self.files = 0
        self.models = 0
        self.failures: list = []  # unreadable files: text for stderr
        self.warnings: list = []  # configuration notes for stderr
        self.sources: dict = {}  # path -> text, for the source lines

    @property
    def exit_code(self) -> int:
        if self.failures:
            return 2
        return 1 if self.findings else 0


# ---------------------------------------------------------------- code selection


def expand_codes(patterns, where: str) -> set:
    """Codes and prefixes (CC1, CC20) into codes; an unknown one is a usage error."""
    known = [c for c in CODES if CODES[c].severity != INFO]
    out = set()
    for pattern in patterns:
        pattern = pattern.strip().upper()
        if not pattern:
            continue
        if pattern == "ALL":
            out.update(known)
            continue
        chosen = [c for c in known if c.startswith(pattern)]
        if not chosen:
            raise UsageError(f"{where}: unknown code {pattern!r} (see convcalc lint --list-codes)")
        out.update(chosen)
    return out


def split_codes(text: Optional[str]) -> Optional[list]:
    if text is None:
        return None
    return [part for part in re.split(r"[,\s]+", text) if part]


class Selection:
    def __init__(self, select: set, ignore: set):
        self.select, self.ignore = select, ignore

    def wants(self, code: str) -> bool:
        return code in self.select and code not in self.ignore


# ---------------------------------------------------------------- files


def iter_files(paths, excluded) -> list:
    out = []
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                                 and not excluded(os.path.join(root, d)))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.endswith(NETWORK_SUFFIXES + (PYTHON_SUFFIX,)) and not excluded(full):
                        out.append(os.path.normpath(full) if root != "." else name)
        elif not excluded(path):
            out.append(path)
    seen, unique = set(), []
    for path in out:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


# ---------------------------------------------------------------- linting


def lint(paths, options: Options) -> Result:
    from convcalc.load import parse_input_option, read_source

    result = Result()
    finder = ConfigFinder()
    cli_select = expand_codes(options.select, "--select") if options.select is not None else None
    cli_ignore = expand_codes(options.ignore, "--ignore") if options.ignore is not None else None
    cli_input = parse_input_option(options.input) if options.input else None
    cwd = os.getcwd()

    def excluded(path: str) -> bool:
        rel = os.path.relpath(os.path.abspath(path), cwd).replace(os.sep, "/")
        if any(matches(rel, p) for p in options.exclude):
            return True
        config = finder.for_path(path)
        return bool(config.exclude) and any(matches(config.relative(path), p) for p in config.exclude)

    for path in iter_files(paths, excluded):
        config = finder.for_path(path)
        where = config.path or "configuration"
        select = cli_select if cli_select is not None else (
            expand_codes(config.select, f"{where} select") if config.select is not None else None)
        ignore = cli_ignore if cli_ignore is not None else expand_codes(config.ignore, f"{where} ignore")
        ignore = ignore | expand_codes(config.ignores_for(path), f"{where} per-file-ignores")
        selection = Selection(select if select is not None else set(CODES), ignore)
        try:
            shown, text = read_source(path, None)
        except UsageError as exc:
            result.failures.append(exc.render())
            continue
        result.files += 1
        result.sources[shown] = text
        fallback = None
        if cli_input is None:
            configured = config.input_for(path)
            if configured is not None:
                dims, origin = configured
                try:
                    fallback = parse_input_option(dims)
                except UsageError as exc:
                    raise UsageError(f"{origin}: {exc}") from None
        findings, notes, models = lint_text(shown, text, cli_input, fallback)
        result.models += models
        lines = re.split(r"\r\n|\r|\n", text)
        for finding in findings:
            if selection.wants(finding.code) and not suppressed(finding, lines):
                result.findings.append(finding)
        result.notes.extend(notes)
    result.warnings.extend(finder.notes)
    result.findings.sort(key=lambda f: (f.path, f.span.line, f.span.col, f.code))
    result.notes.sort(key=lambda f: (f.path, f.span.line, f.span.col))
    return result


def suppressed(finding, lines) -> bool:
    """`# convcalc: ignore[CODE, ...]` or a bare `# convcalc: ignore` on a line of the finding."""
    for line in range(finding.span.line, max(finding.span.line, finding.span.end_line) + 1):
        if not 0 < line <= len(lines):
            continue
        match = IGNORE_COMMENT.search(lines[line - 1])
        if match is None:
            continue
        if match.group(1) is None:
            return True
        codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
        if finding.code in codes or any(finding.code.startswith(c) for c in codes):
            return True
    return False


def lint_text(path: str, text: str, cli_input: Optional[n.Input], fallback: Optional[n.Input]):
    """(findings, notes, number of models) of one file."""
    if path.endswith(PYTHON_SUFFIX):
        return lint_python(path, text, cli_input, fallback)
    from convcalc.frontends.syntax import parse

    try:
        program = parse(text, path)
    except ConvcalcError as exc:
        return [m.from_error(path, exc)], [], 0
    except RecursionError:
        return [m.SyntaxProblem(path, Span(1, 1, 1, 2), "the description is nested too deeply to read")], [], 0
    override = cli_input or (None if program.input is not None else fallback)
    notes: list = []
    return lint_model(program, override, None, notes), notes, 1


def lint_python(path: str, text: str, cli_input, fallback):
    from convcalc.frontends.python.models import read_models

    result = read_models(text, path)
    findings = [m.from_error(path, p) for p in result.problems]
    notes = [m.Note(path, note.span, note.message) for note in result.notes]
    several = len(result.models) > 1
    merged: dict = {}
    for model in result.models:
        program = model.program
        for note in program.notes:
            notes.append(m.Note(path, note.span, note.message))
        override = cli_input or (None if model.has_input else fallback)
        for finding in lint_model(program, override, model, notes):
            key = (finding.span.line, finding.span.col, finding.code, finding.message)
            if key not in merged:
                merged[key] = (finding, [])
            if program.name not in merged[key][1]:
                merged[key][1].append(program.name)
    for finding, names in merged.values():
        finding.model = ", ".join(names)
        if several and names:
            finding.message += f" (in {'models' if len(names) > 1 else 'model'} {finding.model})"
        findings.append(finding)
    return findings, notes, len(result.models)


def lint_model(program: n.Program, override: Optional[n.Input], model, notes: Optional[list] = None) -> list:
    """Findings of one program; ``model`` is the Python frontend's PythonModel, or None."""
    from convcalc.lint import checks, flow, sizeless

    path = program.path
    found: list = []

    def report(cls, span, *args):
        found.append(cls(path, span, *args))

    rank_known = True
    no_size = program.input is None and override is None and model is not None
    if no_size:
        derived = sizeless.derived_input(program)
        first = next((s for s in program.body if isinstance(s, (n.Call, n.Reshape))), None)
        if derived is None:
            if notes is not None and first is not None:
                notes.append(m.Note(path, first.span, f"model {program.name}: no input shape, and its first layer "
                                                      "does not tell one; add `# convcalc: input 3x32x32` above it"))
            return found
        override, rank_known = derived
        if notes is not None:
            notes.append(m.Note(path, first.span, f"model {program.name}: no input shape; checked channels, features "
                                                  "and layer settings only (add `# convcalc: input ...` above the "
                                                  "model for sizes)"))
    outcome = flow.run(program, override)
    analysis = outcome.analysis
    for warning in analysis.warnings:
        found.append(m.from_error(path, warning))
    if analysis.error is not None:
        error = m.from_error(path, analysis.error)
        if model is not None and outcome.last_call is not None:
            error.message += call_context(model, outcome.last_call, error.span)
        found.append(error)
    checks.run_checks(outcome.steps, report)
    if analysis.error is None and outcome.stopped is None and not no_size and symbolic(program, override):
        from convcalc.inputs.diagnostics import symbolic_diagnostics  # what no size satisfies; imported only when needed
        from convcalc.limits import OverBudget, SearchBudget

        try:
            with SearchBudget("deciding which input sizes are valid"):
                found.extend(m.from_error(path, problem) for problem in symbolic_diagnostics(program, override))
        except OverBudget as exc:
            if notes is not None:
                where = program.input.span if program.input else Span(1, 1, 1, 2)
                model_name = f"model {program.name}: " if program.name else ""
                notes.append(m.Note(path, where, f"{model_name}not checked for every input size: {exc}"))
    if outcome.stopped is not None and notes is not None:
        notes.append(m.Note(path, outcome.stopped.span, f"model {program.name or path}: {outcome.stopped.message}"))
    if model is not None:
        from convcalc.lint.unused import unused_layers

        for span, attr, cls_name in (unused_layers(model.interp, model.interp.src, model.instances)
                                     if model.complete else ()):
            found.append(m.UnusedLayer(path, span, attr, cls_name))
    if no_size:
        found = [f for f in found if sizeless.certain_without_size(f.code, f.message, rank_known, outcome.steps)]
        if outcome.last_input and dims.is_symbolic(outcome.last_input[-1]):
            # a Linear on symbolic features: whether some size fits is not decided here
            found = [f for f in found if f.code != codes.FEATURES]
    return found


def symbolic(program, override) -> bool:
    """Whether the input (the override, else the file's input line) has a named size."""
    given = override or program.input
    return given is not None and any(isinstance(d, n.Name) for d in given.dims)


def call_context(model, call, span: Span) -> str:
    """Where a layer built elsewhere was called, when that is not obvious from its line."""
    site = model.sites.get(id(call))
    if site is None:
        return ""
    where, layer, origin = site
    parts = []
    uses = sum(1 for s in model.sites.values() if s[1] == layer)
    if (uses > 1 or layer[0] == "op") and where.line != span.line:
        parts.append(f"called at line {where.line}")
    if origin and origin[-1][0] != "__init__" and origin[-1][1] is not None and origin[-1][1].line != span.line:
        parts.append(f"built by {origin[-1][0]}() at line {origin[-1][1].line}")
    return f" ({'; '.join(parts)})" if parts else ""
