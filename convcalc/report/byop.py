"""`shapes --by-op`: the same rows as every other report (report/rows.py), summed per layer type
and tensor operation, with each one's share of the parameters and of the mult-adds in the
chosen convention (fvcore's ``by_operator``, torch-scan's per-type totals)."""
from __future__ import annotations

from convcalc.engine.analysis import Analysis
from convcalc.report.common import framed, json_dim, num, table
from convcalc.report.rows import plus
from convcalc.report.shapes import Macs, percent, percent_text, rounded, totals_lines

NOT_RUN = "(registered, not run)"  # the module tree's layers forward does not run: parameters, no mult-adds


class Group:
    __slots__ = ("name", "calls", "params", "macs")

    def __init__(self, name: str):
        self.name, self.calls, self.params, self.macs = name, 0, 0, 0


def groups(analysis: Analysis, figures: Macs) -> list:
    """One Group per layer type or operation, in order of mult-adds (the largest first), then of
    first appearance; a layer object called again adds its call and mult-adds, not its parameters."""
    found: dict = {}
    for row, count in zip(analysis.rows, figures.rows()):
        group = found.setdefault(row.name, Group(row.name))
        group.calls += 1
        group.params += 0 if row.shared else row.params
        group.macs = plus(group.macs, count)
    for r in analysis.registered:
        if r.calls:  # a layer subclass run by its own forward: its parameters (and torchinfo's count) apart
            name = f"{r.call.name} (own forward)"
            group = found.setdefault(name, Group(name))
            group.calls += r.calls
            group.params += r.params
            group.macs = plus(group.macs, r.macs * figures.batch if figures.convention == "torchinfo" else 0)
            continue
        group = found.setdefault(NOT_RUN, Group(NOT_RUN))
        group.calls += 1
        group.params += r.params
    order = list(found)
    return sorted(found.values(), key=lambda g: (-g.macs if isinstance(g.macs, int) else 0, order.index(g.name)))


def params_total(analysis: Analysis):
    return analysis.total_params


def by_op_table(analysis: Analysis, fmt: str, batch: int, convention: str) -> str:
    figures = Macs(analysis, convention, batch)
    total = params_total(analysis)
    rows = [[g.name, g.calls, num(g.params), percent_text(percent(g.params, total)),
             "-" if g.macs is None else num(g.macs), percent_text(percent(g.macs, figures.total))]
            for g in groups(analysis, figures)]
    whole = analysis.complete and analysis.ok
    rows.append(["total" if whole else "part followed", len(analysis.rows) + len(analysis.registered), num(total), "", "-" if figures.total is None else num(figures.total), ""])
    headers = ["layer or operation", "calls", "params", "params %", "mult-adds", "mult-adds %"]
    body = table(rows, headers, fmt, ("left", "right", "right", "right", "right", "right"))
    return framed(body, totals_lines(analysis, batch, convention, macs_total=figures), fmt)


def by_op_json(analysis: Analysis, batch: int, convention: str) -> list:
    figures = Macs(analysis, convention, batch)
    total = params_total(analysis)
    return [{"op": g.name, "calls": g.calls, "params": json_dim(g.params),
             "params_percent": rounded(percent(g.params, total)),
             "macs": json_dim(g.macs) if g.macs is not None else None,
             "macs_percent": rounded(percent(g.macs, figures.total))} for g in groups(analysis, figures)]
