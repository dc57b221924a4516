"""The one place the Python API (convcalc/api.py) and the language server (convcalc/server/) read
convcalc's shapes report: a model's walk (engine.shapes.analyse, or metrics.measure where
receptive fields are wanted) and its rows, totals and table as report/shapes.py gives them.

When the shapes report changes (one walk, one report), this module is re-pointed and its
callers stay as they are: they see plain dicts and strings, never a report's internals.
"""
from __future__ import annotations

from typing import Optional


def programs(path: str, text: str, model: Optional[str] = None, input: Optional[str] = None,
             training: bool = False) -> tuple:
    """(programs, the --input override) of a file's text: one program per model of a Python file or
    notebook, one for a network file. A ConvcalcError where the text cannot be read at all."""
    from convcalc.load import load_programs, parse_input_option

    override = parse_input_option(input) if input else None
    return load_programs(path, text, model, override, training), override


def analyse(program, override=None, fields: bool = False):
    """The walk of one program: the shape engine's, or (``fields``) the measuring walk, which adds
    receptive fields to the same rows."""
    if fields:
        from convcalc.metrics.measure import measure

        return measure(program, override)
    from convcalc.engine.shapes import analyse as shapes

    return shapes(program, override)


def report(analysis, batch: int = 1) -> dict:
    """The `shapes --format json` object of an analysis (rows, totals, complete, diagnostics)."""
    from convcalc.report.shapes import shapes_json

    return shapes_json(analysis, batch)


def table(analysis, batch: int = 1) -> str:
    """The `shapes` table of an analysis, as the command prints it (a long one folded, and saying so)."""
    from convcalc.report.shapes import shapes_table

    return shapes_table(analysis, "simple", batch, auto=True)


def params_table(analysis) -> str:
    from convcalc.report.shapes import params_table as made

    return made(analysis, "simple")


def row_fields(analysis) -> list:
    """Per row: its receptive field as the tables write it ("5x5", "whole")."""
    from convcalc.metrics.measure import info_of
    from convcalc.report.metrics import field_size_text

    info = info_of(analysis)  # the measuring pass over the rows, made on first use

    return [field_size_text(i.field) for i in info]


def diagram(analysis, page: bool = False) -> str:
    """The `draw` picture of a measured analysis: SVG, or the HTML page with the table (``page``)."""
    from convcalc.pictures.network import diagram as drawn

    return drawn(analysis, None, page)[0]
