"""The walk lint runs: the shape engine's own, whose rows know the row each of their operands came
from (the walk's data flow), so that "directly before" means directly before in the data flow, not
in the text. :class:`Outcome` holds the analysis, the layer rows the checks read, and where the walk
stopped.
"""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.shapes import analyse
from convcalc.errors import ConvcalcError, Span


class Outcome:
    """``last_call``: the statement the walk stopped at (None when it did not stop); ``last_input``:
    the shape flowing into it."""

    def __init__(self, analysis, last_call=None, last_input: tuple = ()):
        self.analysis = analysis
        self.last_call = last_call
        self.last_input = last_input

    @property
    def layers(self) -> list:
        """The rows of catalogue layers, in the order they ran."""
        return [row for row in self.analysis.rows if row.spec is not None]

    def source(self, row):
        """The layer row whose output ``row`` reads first, or None (an input, an add, a concat, a view)."""
        if not row.sources:
            return None
        origin = row.sources[0][0]
        made = self.analysis.rows[origin] if 0 <= origin < len(self.analysis.rows) else None
        return made if made is not None and made.spec is not None else None

    def consumers(self, row) -> list:
        """The rows that read ``row``'s output."""
        rows = self.analysis.rows
        index = next((i for i, r in enumerate(rows) if r is row), None)
        return [r for r in rows if any(origin == index for origin, _ in r.sources)]


def run(program: n.Program, override: Optional[n.Input] = None) -> Outcome:
    try:
        analysis = analyse(program, override)
    except RecursionError:
        from convcalc.engine.analysis import Analysis
        from convcalc.engine.shapes import finish

        analysis = Analysis(program.path, program.source)
        analysis.error = ConvcalcError(codes.ARGUMENT, "the description is nested too deeply to analyse",
                                       program.body[0].span if program.body else Span(1, 1, 1, 2))
        finish(analysis, program, override)
    stop = analysis.stopped_at
    return Outcome(analysis, stop[0] if stop else None, stop[1] if stop else ())
