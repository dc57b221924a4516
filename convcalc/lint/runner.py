"""`convcalc lint PATH...`: find the files (lint/files.py), read the configuration (lint/config.py),
read every file through its frontend, lint every model (lint/model.py), select and collect the
findings (lint/selection.py).

Input shape, first match wins: ``--input``; the file's own (``input`` line, or
``# convcalc: input`` comment above the model); ``[tool.convcalc.per-file-input]``;
``[tool.convcalc] input``. A Python model with none of these is still checked for what needs
no spatial size (channels, features, layer settings), see convcalc/lint/model.py.
"""
from __future__ import annotations

import os
from typing import Optional

from convcalc import codes
from convcalc.codes import CODES
from convcalc.errors import Span, UsageError, source_lines
from convcalc.lint import messages as m
from convcalc.lint.config import ConfigFinder
from convcalc.lint.globs import globs
from convcalc.lint.files import iter_files
from convcalc.lint.pool import Task
from convcalc.lint.selection import Selection, expand_codes, suppressed, unknown_ignores
from convcalc.load import is_python
from convcalc.shown import shown_path


# what lint shows when no select is given: every code but the opt-in ones (codes.Code.default)
DEFAULT_SELECTION = frozenset(name for name, made in CODES.items() if made.default)


class Options:
    def __init__(self, select: Optional[list] = None, ignore: Optional[list] = None, exclude: tuple = (),
                 input: Optional[str] = None, verbose: bool = False, strict: bool = False,
                 stdin_filename: Optional[str] = None, cache: bool = True, jobs: Optional[int] = None,
                 progress: bool = True, text: Optional[str] = None):
        self.select = select  # from the command line; None: the configuration's
        self.ignore = ignore
        self.exclude = exclude
        self.input = input
        self.verbose = verbose
        self.strict = strict  # a model followed partly or not at all is a finding
        self.stdin_filename = stdin_filename  # `lint -`: the name the text read from stdin is shown and configured by
        self.cache = cache  # the per-file cache (lint/cache.py)
        self.jobs = jobs  # worker processes (lint/pool.py): None, one per core when there are enough files
        self.progress = progress  # a progress line on a terminal once the run takes a second
        self.text = text  # `lint -`: the text itself, instead of standard input (an editor's buffer, the API)


class Result:
    def __init__(self):
        self.findings: list = []  # Message
        self.notes: list = []  # Message (CC900; CC301/CC302 unless strict): shown with --verbose
        self.notices: list = []  # Message (CC303): shown, never a finding
        self.files = 0
        self.models = 0  # followed to their end
        self.constructions = 0  # catalogue layers constructed in the files read
        self.unreached = 0  # of them, those no followed model reached (CC304 names them)
        self.partly: list = []  # (path, model name, CC301 error)
        self.unfollowed: list = []  # (path, model or class name, CC301/CC302 error)
        self.module_stops: list = []  # (path, CC301 error): module-level code not followed to its end
        self.failures: list = []  # unreadable files: text for stderr
        self.unread_dirs: list = []  # directories the walk could not read (lint/files.py): lines for stderr
        self.outside: list = []  # links out of the tree, named and skipped: lines for stderr
        self.warnings: list = []  # configuration notes for stderr
        self.sources: dict = {}  # path -> text, for the source lines

    @property
    def exit_code(self) -> int:
        if self.failures or self.unread_dirs:
            return 2
        return 1 if self.findings else 0


# ---------------------------------------------------------------- code selection


# ---------------------------------------------------------------- files


# ---------------------------------------------------------------- linting


def lint(paths, options: Options) -> Result:
    from convcalc.load import parse_input_option, python_bound, read_source

    result = Result()
    finder = ConfigFinder()
    cli_select = expand_codes(options.select, "--select") if options.select is not None else None
    cli_ignore = expand_codes(options.ignore, "--ignore") if options.ignore is not None else None
    cli_input = parse_input_option(options.input) if options.input else None
    cwd = os.getcwd()

    given = globs(options.exclude)  # compiled once: every directory and file of the walk is matched

    def excluded(path: str) -> bool:
        rel = os.path.relpath(os.path.abspath(path), cwd).replace(os.sep, "/")
        if given.match(rel):
            return True
        config = finder.for_path(path)
        return bool(config.exclude) and globs(config.exclude).match(config.relative(path))

    read = []  # (shown path, text, config, selection) of each file read
    tasks = []
    walk = iter_files(paths, excluded)
    result.unread_dirs, result.outside = walk.unread, walk.outside
    for path in walk.files:
        named = options.stdin_filename if path == "-" and options.stdin_filename else path
        config = finder.for_path(named if path != "-" or options.stdin_filename else os.getcwd())
        where = config.path or "configuration"
        select = cli_select if cli_select is not None else (
            expand_codes(config.select, f"{where} select") if config.select is not None else None)
        ignore = cli_ignore if cli_ignore is not None else expand_codes(config.ignore, f"{where} ignore")
        ignore = ignore | expand_codes(config.ignores_for(named), f"{where} per-file-ignores")
        selection = Selection(select if select is not None else DEFAULT_SELECTION, ignore)
        try:
            shown, text = ("<stdin>", options.text) if path == "-" and options.text is not None else \
                read_source(path, None)
            if is_python(named):
                python_bound(named, text)  # before ast parses it whole
        except UsageError as exc:
            result.failures.append(exc.render())
            continue
        if path == "-" and options.stdin_filename:
            shown = options.stdin_filename  # an editor's buffer: its file's name, suffix and configuration
        result.files += 1
        result.sources[shown] = text
        fallback = None
        if cli_input is None:
            configured = config.input_for(named)
            if configured is not None:
                dims, origin = configured
                try:
                    parse_input_option(dims)
                except UsageError as exc:
                    raise UsageError(f"{origin}: {exc}") from None
                fallback = dims
        read.append((shown, text, config, selection))
        tasks.append(Task(shown, text, options.input or None, fallback, walk.trees.get(path) or None))
    done = [(*entry, linted) for entry, linted in zip(read, lint_files(tasks, options, result))]
    used: set = set()  # (real path, class name) of the classes the models of the run built
    elsewhere: set = set()  # (real path, line, col): layer constructions the models of other files reached
    for *_, linted in done:
        for other, other_text in linted.sources.items():  # where findings in imported files are shown from
            result.sources.setdefault(other, other_text)
        used |= linted.used
        elsewhere |= linted.reached_elsewhere
    for shown, text, config, selection, linted in done:
        marks = (len(result.findings), len(result.notes), len(result.notices))
        # a class of this file built by a model of another file of the run (unet_parts.py's blocks) was followed
        here = os.path.realpath(shown)
        linted.unfollowed = [(name, error) for name, error in linted.unfollowed
                             if error.code != codes.NOT_A_MODEL or (here, name) not in used]
        result.models += linted.checked
        result.partly.extend((shown, name, error) for name, error in linted.partly)
        result.unfollowed.extend((shown, name, error) for name, error in linted.unfollowed)
        findings = list(linted.findings)
        unreached = [(line, col, why) for line, col, why in linted.unreached if (here, line, col) not in elsewhere]
        result.constructions += linted.constructions
        result.unreached += len(unreached)
        if unreached:  # every layer written in the file is checked or named: never a silent pass over it
            notice = unreached_notice(shown, linted.constructions, unreached)
            (findings if options.strict or config.strict else result.notices).append(notice)
        if linted.module_stop is not None:  # shown without -v: what it did not run may be why a model is missing
            result.module_stops.append((shown, linted.module_stop))
            stop = m.from_error(shown, linted.module_stop)
            (findings if options.strict or config.strict else result.notices).append(stop)
        if options.strict or config.strict:  # what was not followed is a finding
            findings += [m.from_error(shown, error) for _, error in linted.partly + linted.unfollowed]
        else:
            result.notes.extend(m.from_error(shown, error) for _, error in linted.partly + linted.unfollowed)
        lines = source_lines(linted.text if linted.text is not None else text, shown)  # as the frontend counts them
        for number, unknown in unknown_ignores(lines):  # a typo would silence nothing, and say nothing
            if linted.book is not None:
                from convcalc.lint.notebook import line_place

                number = line_place(linted.book, number)
            result.warnings.append(f"{shown_path(shown)}:{number}: warning: unknown code {unknown!r} in "
                                   "`# convcalc: ignore[...]` "
                                   "(see convcalc lint --list-codes)")
        for finding in findings:
            if selection.wants(finding.code) and not suppressed(finding, lines):
                result.findings.append(finding)
        result.notes.extend(linted.notes)
        result.notices.extend(n for n in linted.notices if selection.wants(n.code) and not suppressed(n, lines))
        if linted.book is not None:  # a notebook: every message of it in its cell
            from convcalc.lint.notebook import place

            for items, mark in zip((result.findings, result.notes, result.notices), marks):
                place(linted.book, items[mark:])
    result.warnings.extend(finder.notes)
    result.findings.sort(key=lambda f: (f.path, f.cell or 0, f.span.line, f.span.col, f.code))
    result.notes.sort(key=lambda f: (f.path, f.cell or 0, f.span.line, f.span.col))
    result.notices.sort(key=lambda f: (f.path, f.cell or 0, f.span.line, f.span.col))
    return result


SHOWN_LINES = 12  # a CC304 notice names at most this many lines


def unreached_notice(shown: str, constructions: int, unreached: list):
    """CC304 at the first construction not reached: how many were checked, and the lines of the others."""
    line, col, _ = unreached[0]
    return m.Unreached(shown, Span(line, col, line, col + 1), constructions - len(unreached), constructions,
                       unreached_text(unreached))


def unreached_text(unreached: list) -> str:
    """``line 12 (class Head needs arguments: num_classes), lines 40, 41 (no followed model calls make())``."""
    groups: dict = {}
    for line, _, why in unreached:
        lines = groups.setdefault(why, [])
        if line not in lines:
            lines.append(line)
    parts, shown = [], 0
    for why, lines in groups.items():
        if shown >= SHOWN_LINES:
            parts.append("...")
            break
        listed = lines[:SHOWN_LINES - shown]
        shown += len(listed)
        more = ", ..." if len(listed) < len(lines) else ""
        parts.append(f"{'lines' if len(lines) > 1 else 'line'} {', '.join(map(str, listed))}{more} ({why})")
    return ", ".join(parts)


def lint_files(tasks: list, options: Options, result: Result) -> list:
    """Each file's FileLint, in order: from the cache, in workers or here (lint/pool.py)."""
    from convcalc.lint.pool import lint_tasks

    cache = None
    if options.cache and tasks and not os.environ.get("CONVCALC_NO_CACHE"):
        from convcalc.lint.cache import Cache

        cache = Cache()
    bar = None
    if options.progress:
        from convcalc.report.progress import Progress

        bar = Progress(len(tasks), what="lint")
    try:
        linted = lint_tasks(tasks, cache, options.jobs, bar)
    finally:
        if bar is not None:
            bar.close()
    if cache is not None and cache.problem:
        result.warnings.append(cache.problem)
    return linted
