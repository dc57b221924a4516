"""What the commands of cli.py share: reading a network for a command, choosing its one model,
emitting tables or JSON for one model or several, and the problems and notices each prints."""
from __future__ import annotations

import os
import sys

import click

from convcalc.errors import ConvcalcError, UsageError
from convcalc.output import echo
from convcalc.shown import printable, shown_path


def analyse_all(net, expr, input_dims, model, analyse=None, train=False):
    """Parse and analyse; a syntax error is reported like any other problem (exit 1).

    ``analyse`` replaces the shape engine's (metrics' measure for mult-adds, memory and fields)."""
    if analyse is None:
        from convcalc.engine.shapes import analyse
    programs, override = load_network(net, expr, input_dims, model, train)
    return [analyse(program, override) for program in programs]


def load_network(net, expr, input_dims, model, training=False, fmt=None):
    """(programs, --input override); a syntax error is reported like any other problem (exit 1),
    and with ``fmt`` json the report's layout with nothing computed is printed too (``complete``
    false, the diagnostic in it): a program that reads the JSON always gets it."""
    from convcalc.load import load_programs, parse_input_option, read_source

    path, text = read_source(net, expr)
    override = parse_input_option(input_dims) if input_dims else None
    try:
        programs = load_programs(path, text, model, override, training)
    except ConvcalcError as exc:
        diagnostic = exc.diagnostic(path, text)
        echo(diagnostic.render(), err=True)
        if fmt == "json":
            from convcalc.report.common import dump
            from convcalc.report.shapes import nothing_json

            echo(dump(nothing_json(path, model, diagnostic)))
        sys.exit(1)
    for program in programs:  # what a Python model's frontend did not follow (CC900), never silently
        for note in program.notes:
            echo(note.diagnostic(path, text).render(with_source=False), err=True)
    return programs, override


EQUATION_CODES = {"linear": "CC102", "channels": "CC101", "layernorm": "CC106", "add": "CC104", "concat": "CC105",
                  "view": "CC107"}


def nothing_accepted(result, program) -> ConvcalcError:
    """The error of an input no size of which every layer accepts: at the first equation no size
    solves, else at the input line."""
    conditions = [(j.constraint, j.square) for j in result.joint] + \
        [(c.constraint, c.holds) for symbol in result.symbols for c in symbol.conditions]
    for c, holds in conditions:
        if holds is not None and holds.is_empty:
            return ConvcalcError(EQUATION_CODES.get(c.kind, "CC106"), f"no input size is accepted: {c.label} needs "
                                 f"{c.equation()}, which no size solves (the conditions are below)", c.node.span)
    given = program.input
    return ConvcalcError("CC106", "no input size is accepted by every layer (the sizes each symbol allows are below)",
                         given.span if given is not None else None)


def one_model(analyses: list, what: str):
    """The one analysis a picture draws; a file of several models names them."""
    if len(analyses) == 1:
        return analyses[0]
    names = [a.program.name for a in analyses if a.program is not None and a.program.name]
    shown = ", ".join(names[:8]) + (f", ... {len(names) - 8} more" if len(names) > 8 else "")
    raise UsageError(printable(f"{what} draws one model and this file has {len(analyses)} ({shown}): choose one "
                               f"with --model NAME"))


def picture_kind(path: str, option: str, kinds=(".svg",)) -> str:
    """The suffix of a picture's file, refused unless it is one of ``kinds`` (the suffix chooses
    what is written: SVG never goes into a .png)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in kinds:
        raise UsageError(f"{option} {path}: give a name ending in {' or '.join(kinds[:2])} (the suffix chooses the "
                         "kind)")
    return suffix


class DepthType(click.ParamType):
    """--depth N (0..1000) or all."""

    name = "N|all"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or value == "all":
            return value
        if str(value).isdigit() and int(value) <= 1000:
            return int(value)
        self.fail(f"{value!r} is not a depth: give a number from 0 to 1000, or all", param, ctx)


def emit(items, fmt: str, as_table, as_json, analysis=lambda item: item, failed=None) -> None:
    """Diagnostics on stderr, the table or JSON on stdout; exit 1 if any item failed.

    An item is an Analysis, or (verify) a result that holds one."""
    from convcalc.report.common import dump
    from convcalc.report.shapes import model_name

    failed = failed or (lambda item: not_ok(analysis(item)))
    for item in items:
        problems(analysis(item))
    if fmt == "json":  # one model: its object (the contract, cli.md); several: the same objects, named, in a list
        data = [as_json(item) for item in items]
        echo(dump(data[0] if len(data) == 1 else {"models": data}))
    else:
        texts = [as_table(item) for item in items]
        if len(items) > 1:
            texts = [f"model {shown_path(model_name(analysis(item)))}\n{text}" for item, text in zip(items, texts)]
        echo("\n\n".join(texts))  # the last guard: no input text acts on a terminal
    if any(failed(item) for item in items):
        sys.exit(1)


def problems(analysis) -> None:
    """An analysis's diagnostics, and what a Python model without an input size accepts, on stderr."""
    from convcalc.report.common import diagnostics_text

    diagnostics = analysis.diagnostics()
    if diagnostics:
        echo(diagnostics_text(diagnostics), err=True)
    notice = input_notice(analysis)
    if notice is not None:
        echo(notice, err=True)


def input_notice(analysis):
    """A Python model without an input size: the sizes it accepts (CC303), or None."""
    if analysis.derived is None or not analysis.ok or not analysis.complete:
        return None  # the input was given (a network file always gives it)
    from convcalc.engine.derive import EXACT

    if analysis.derived != EXACT:
        return None
    from convcalc.inputs.notice import needs_input

    program = analysis.program
    problems, notice = needs_input(program, program.input)
    shown = problems[0] if problems else notice
    return shown.diagnostic(program.path, program.source).render(with_source=False) if shown else None


def not_ok(analysis) -> bool:
    """Exit 1: the network cannot be computed, or the model was not followed to its end."""
    return not analysis.ok or not analysis.complete
