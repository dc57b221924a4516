"""The rows every table shows: the walk's rows, or folded by --depth into one entry per block
(:func:`entries`), with each column's figure; the same entries serve every table, JSON and the
diagram (one walk, one report). Lean: the measuring pass is imported only where a column or
the fvcore convention needs it.
"""
from __future__ import annotations

from typing import Optional

from convcalc.engine.analysis import DTYPES, Analysis
from convcalc.errors import UsageError
from convcalc.report.common import TABLE_ROWS, join_label, module_ends, module_name, one_line

HEADERS = {"input": "input", "output": "output", "params": "params", "macs": "mult-adds", "macs%": "mult-adds %",
           "memory": "memory", "rf": "rf", "kernel": "kernel", "stride": "stride", "padding": "padding"}
ALIGN = {"input": "left", "output": "left", "params": "right", "macs": "right", "macs%": "right", "memory": "right",
         "rf": "left", "kernel": "left", "stride": "left", "padding": "left"}
CONVENTION_TEXT = {
    "torchinfo": "torchinfo's convention",
    "fvcore": "fvcore's convention: fused multiply-adds of conv and linear layers, bias left out",
}


def convention_text(convention: str) -> str:
    """The footer's words for a convention (a counting tool's: convcalc/metrics/conventions.py)."""
    if convention in CONVENTION_TEXT:
        return CONVENTION_TEXT[convention]
    from convcalc.metrics.conventions import PEERS

    return PEERS[convention].text

COLUMNS = tuple(HEADERS)


def parse_columns(text: Optional[str]) -> tuple:
    """--columns output,params,macs: known names, any order, no repeats."""
    if text is None:
        return ("output", "params")
    names = [part.strip() for part in text.split(",")]
    for name in names:
        if name not in COLUMNS:
            raise UsageError(f"--columns: unknown column {name!r}; choose from {', '.join(COLUMNS)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"--columns: {', '.join(repeated)} given twice")
    return tuple(names)


# ---------------------------------------------------------------- entries (rows, folded by --depth)


class Entry:
    """One row of a table: a layer, or a block folded by --depth. A slots class, not a dataclass:
    importing dataclasses costs start-up on every `shapes` (docs/development.md, Speed)."""

    __slots__ = ("line", "layer", "shape", "params", "buffers", "macs", "memory", "info", "folded", "block", "module",
                 "input", "rows", "shared", "outputs")

    def __init__(self, line, layer: str, shape: tuple, params, buffers, macs, memory, info, folded: int = 1,
                 block: str = "", module: str = "", input: tuple = (), rows: Optional[list] = None,
                 shared: bool = False, outputs: Optional[tuple] = None):
        self.line, self.layer, self.shape, self.params, self.buffers = line, layer, shape, params, buffers
        self.macs = macs  # in the chosen convention, batch included; None where the convention has no figure
        self.memory = memory  # output activation bytes (summed over the rows of a folded block)
        self.info = info  # None unless the measuring pass ran (a folded block's: its field and blocks)
        self.folded = folded  # how many rows this entry stands for
        self.block = block  # the folded block's label
        self.module = module  # its name in a Python model's module tree (layer1.0.conv1; layer1.0 folded)
        self.input = input  # the shape coming in (a folded block's: its first row's)
        self.rows = rows if rows is not None else []  # the indices of the rows it stands for
        self.shared = shared  # a layer object called again: its parameters count once, at its first row
        self.outputs = outputs  # a row with several outputs (chunk, a max pool's indices): each one's shape


def levels(path: tuple) -> tuple:
    """The blocks of a row's path that --depth counts: def calls and a Python model's submodules, as
    torchinfo counts modules (a repeat, residual or concat block is source structure, not a level)."""
    return tuple(block for block in path if block.named)


# the columns that need the measuring pass (convcalc/metrics/measure.py)
MEASURED = {"rf", "kernel", "stride", "padding"}


def macs_counts(analysis: Analysis, convention: str, batch: int) -> tuple:
    """(each row's mult-adds in the convention, None where it has none; [(row index, why)] of those;
    the indices of module calls the tool has no rule for): torchinfo's are the walk's own, the
    others the measuring pass's or a counting tool's (convcalc/metrics/memory.py's counted)."""
    if convention == "torchinfo":
        return [row.macs * batch for row in analysis.rows], [], []
    from convcalc.metrics.memory import counted

    return counted(analysis, convention, batch)


def plus(total, value):
    """A sum that stays None once a part has no figure."""
    return None if total is None or value is None else total + value


def entries(analysis: Analysis, convention: str, batch: int, dtype: str, depth: Optional[int],
            measured: bool = True, counts: Optional[list] = None) -> list:
    """The rows of the table, folded by ``depth`` (None: every row). ``measured``: with the
    measuring pass (fields, fvcore's count, window settings); the fvcore convention needs it.
    ``counts``: each row's mult-adds in the convention (macs_counts), when the caller has them."""
    measured = measured or convention == "fvcore"
    infos = None
    if measured:
        from convcalc.metrics.measure import info_of  # only then: a plain table needs no measuring pass

        infos = info_of(analysis)
    width = DTYPES[dtype]
    if counts is None:
        counts = macs_counts(analysis, convention, batch)[0]
    out: list = []
    keys: list = []
    ends = module_ends(analysis)
    for index, row in enumerate(analysis.rows):
        info = infos[index] if infos is not None else None
        activation = row.elements * batch * width
        chosen = counts[index]
        path = levels(analysis.path_of(row))
        if depth is None or len(path) < depth or (depth > 0 and not path):
            out.append(Entry(row.where, join_label(row, analysis, ends) or one_line(row.layer), row.shape, row.params,
                             row.buffers, chosen, activation, info, module=module_name(row, analysis.program),
                             input=row.input, rows=[index], shared=row.shared, outputs=row.outputs))
            keys.append(None)
            continue
        block = path[depth - 1] if depth > 0 else None
        key = block.uid if block else 0
        if info is not None:
            from dataclasses import replace  # only when measured (the measuring pass made dataclasses)

            folded_info = replace(info, field=info.field, path=path[:depth])
        else:
            folded_info = None
        params = 0 if row.shared else row.params  # a block's total counts a shared object once
        if keys and keys[-1] == key:
            entry = out[-1]
            entry.shape, entry.info = row.shape, folded_info
            entry.params += params
            entry.buffers += 0 if row.shared else row.buffers
            entry.macs = plus(entry.macs, chosen)
            entry.memory += activation
            entry.folded += 1
            entry.rows.append(index)
            continue
        line, text, label = (block.line, block.text, block.label) if block else ("", "(the whole network)", "network")
        out.append(Entry(line, text, row.shape, params, 0 if row.shared else row.buffers, chosen,
                         activation, folded_info, 1, label, block.path if block else "", row.input, [index]))
        keys.append(key)
    return out


def default_depth(analysis: Analysis, limit: int = TABLE_ROWS) -> Optional[int]:
    """The depth a table of more than TABLE_ROWS rows folds to when none is given: the deepest
    whose table has at most TABLE_ROWS rows (1 at least), so that a ResNet-50 reads as its
    stages and blocks with their totals; None when the table is short enough whole."""
    if len(analysis.rows) <= limit:
        return None
    paths = [levels(analysis.path_of(row)) for row in analysis.rows]
    deepest = max((len(path) for path in paths), default=0)
    for depth in range(deepest, 0, -1):
        if folded_count(paths, depth) <= limit:
            return depth
    return 1 if deepest else None


def folded_count(paths: list, depth: int) -> int:
    """How many entries the rows of these paths fold into at ``depth`` (as entries() folds them)."""
    count, last = 0, None
    for path in paths:
        if len(path) < depth or (depth > 0 and not path):
            count, last = count + 1, None
            continue
        key = path[depth - 1].uid if depth > 0 else 0
        if key != last:
            count, last = count + 1, key
    return count


def folded_line(analysis: Analysis, depth: int) -> str:
    shown = folded_count([levels(analysis.path_of(row)) for row in analysis.rows], depth)
    return (f"{len(analysis.rows)} rows folded to {shown} at depth {depth} (each folded row shows its block's totals); "
            "--depth all shows every row, --depth N chooses")
