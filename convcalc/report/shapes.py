"""The one report of `convcalc shapes` and `convcalc params`: every table, whatever its columns,
length or format, and the JSON, come from the same rows (report/metrics.py's entries) and the
same totals.

A total is the model's only when it is: a Python model followed to its end, or (for the
parameters) one whose module tree was read whole, since parameters belong to the tree as
``model.parameters()`` counts them. Otherwise the figures are labelled as those of the part
followed, and the output is not shown: in every column set and every format.
"""
from __future__ import annotations

from typing import Optional

from convcalc.engine.analysis import Analysis
from convcalc.errors import line_of
from convcalc.report.common import (byte_size, counted, framed, json_dim, json_shape, num, one_line, shape_text, table,
                                    with_module_column)
from convcalc.report.rows import (ALIGN, HEADERS, MEASURED, convention_text, default_depth, entries, folded_line,
                                  macs_counts)
from convcalc.shown import shown_path
from convcalc.symbolic import dims

DEFAULT_COLUMNS = ("output", "params")


# ---------------------------------------------------------------- the lines under a table


def shown_output(analysis: Analysis) -> bool:
    """The output is the model's: the walk did not stop, and forward was followed to its end."""
    return analysis.ok and analysis.followed


def output_text(analysis: Analysis) -> str:
    if not shown_output(analysis):
        return "-"
    if analysis.outputs:
        return ", ".join(shape_text(s) for s in analysis.outputs)
    return shape_text(analysis.output)


def input_text(analysis: Analysis) -> str:
    text = shape_text(analysis.input)
    for name, shape in analysis.extra_inputs:
        text += f", {name} {shape_text(shape)}"
    return text


def params_line(analysis: Analysis, units: Optional[str] = None) -> str:
    total, trainable = analysis.total_params, analysis.trainable_params
    figures = f"{counted(total, units)}   trainable: {counted(trainable, units)}   non-trainable: " \
              f"{counted(total - trainable, units)}"
    if analysis.complete:
        return f"total params: {figures}"
    if analysis.params_exact:
        return f"total params: {figures} (the module tree's, as model.parameters() counts them)"
    if analysis.followed:
        return f"params of the parts known: {figures} (not the model's total)"
    return f"params of the part followed: {figures} (not the model's total)"


def status_lines(analysis: Analysis, convention: str = "torchinfo") -> list:
    """Where the walk or the frontend stopped, and what the module tree holds besides the rows."""
    lines = []
    own = [r for r in analysis.registered if r.calls]
    for r in own:  # a layer subclass with a forward of its own: its rows are its forward's, its parameters its own
        macs = (f", and {num(r.macs)} mult-adds per sample as torchinfo counts the module (weight and bias), counted "
                "in the totals") if convention == "torchinfo" else f" in the total ({convention} counts its forward's rows)"
        lines.append(f"{r.path}: {one_line(r.call.text)} run by its own forward ({r.calls} "
                     f"call{'s' if r.calls != 1 else ''}): {num(r.params)} params{macs}")
    unrun = [r for r in analysis.registered if not r.calls]
    if unrun:
        count = sum((r.params for r in unrun), 0)
        names = sorted({r.path.split(".")[0] for r in unrun})
        shown = ", ".join(names[:6]) + (f", ... {len(names) - 6} more" if len(names) > 6 else "")
        what = "not run by forward" if analysis.followed else "not reached"
        lines.append(f"registered, {what}: {num(count)} params in {len(unrun)} "
                     f"part{'s' if len(unrun) != 1 else ''} ({shown}), counted in the total")
    if analysis.stopped is not None and analysis.followed:
        lines.append(f"module tree not read whole: {analysis.stopped.code} (see the message above); the total "
                     "leaves that part out")
    elif analysis.stopped is not None:
        lines.append(f"not followed from {line_of(analysis.path, analysis.stopped.span)}: {analysis.stopped.code} (see the message "
                     "above); the table shows the part before")
    if analysis.error is not None:
        lines.append(f"stopped at {line_of(analysis.path, analysis.error.span)}: {analysis.error.code} (see the message above)")
    return lines


def memory(analysis: Analysis, batch: int, dtype: str):
    from convcalc.metrics.memory import memory as figures  # only where a memory figure is shown

    return figures(analysis, batch, dtype)


class Macs:
    """The mult-adds of one report in its convention: each row's (None where the convention has
    none), the total (None then), and why a row has none."""

    def __init__(self, analysis: Analysis, convention: str, batch: int):
        self.convention, self.batch = convention, batch
        if convention == "torchinfo":  # the walk's own total: no pass over the rows
            self.counts, self.missing, self.unknown = None, [], []
            self.total = analysis.macs_at(batch)  # a sequence-first output's fixed part does not grow
        else:
            self.counts, self.missing, self.unknown = macs_counts(analysis, convention, batch)
            self.total = None if self.missing else sum(self.counts, 0)
        self.analysis = analysis

    def rows(self) -> list:
        if self.counts is None:
            self.counts = macs_counts(self.analysis, self.convention, self.batch)[0]
        return self.counts

    def text(self, units: Optional[str] = None) -> str:
        """The total (in --units), or where the convention has no figure and why."""
        if not self.missing:
            return counted(self.total, units)
        index, why = self.missing[0]
        row = self.analysis.rows[index]
        more = f" (and {len(self.missing) - 1} more rows)" if len(self.missing) > 1 else ""
        return f"none: {one_line(row.layer)} at line {row.line}: {why}{more}"

    def uncounted(self) -> list:
        """The layer types the tool has no rule for (counted 0, as the tool counts them), in order."""
        return list(dict.fromkeys(self.analysis.rows[i].name for i in self.unknown))

    def note(self) -> list:
        names = self.uncounted()
        if not names:
            return []
        return [f"{self.convention} has no rule for {', '.join(names)}: counted 0, as {self.convention} counts them"]

    def json_missing(self) -> list:
        return [{"line": self.analysis.rows[i].line, "layer": one_line(self.analysis.rows[i].layer), "why": why}
                for i, why in self.missing]


def total_macs(analysis: Analysis, convention: str, batch: int):
    """The mult-adds in the chosen convention (None where a row has none)."""
    return Macs(analysis, convention, batch).total


def totals_lines(analysis: Analysis, batch: int, convention: str = "torchinfo", dtype: str = "float32",
                 columns: tuple = DEFAULT_COLUMNS, macs_total: Optional[Macs] = None,
                 units: Optional[str] = None) -> list[str]:
    """The footer: input and output, parameters, buffers and mult-adds in the chosen convention,
    the memory figures when the memory column is shown, and where the model was not followed."""
    whole = analysis.followed and analysis.ok
    macs = "mult-adds" if whole else "mult-adds of the part followed"
    figures = macs_total or Macs(analysis, convention, batch)
    lines = [
        f"input: {input_text(analysis)}   output{'s' if analysis.outputs else ''}: {output_text(analysis)}",
        params_line(analysis, units),
        f"buffers: {num(analysis.total_buffers)}   {macs}: {figures.text(units)} "
        f"({convention_text(convention)}, batch {batch})",
    ] + figures.note()
    if "memory" in columns:
        mem = memory(analysis, batch, dtype)
        part = "" if whole else " of the part followed"
        lines += [
            f"memory ({dtype}, batch {batch}){part}: params {byte_size(mem.params)}   buffers "
            f"{byte_size(mem.buffers)}   activations {byte_size(mem.activations)} (every layer's output)",
            f"torchinfo's estimate{part}: input {byte_size(mem.input)} + forward/backward pass "
            f"{byte_size(mem.forward_backward)} (2 x the outputs of layers with parameters) + params "
            f"{byte_size(mem.torchinfo_params)} = {byte_size(mem.torchinfo_total)}",
        ]
    return lines + status_lines(analysis, convention)


# ---------------------------------------------------------------- the table


def percent(part, total) -> Optional[float]:
    """part / total in percent, None where either is not a number (symbolic, no figure, a zero total)."""
    if part is None or total is None or dims.is_symbolic(part) or dims.is_symbolic(total) or total == 0:
        return None
    return 100 * part / total


def percent_text(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2f}%"


def cell(entry, column: str, total_macs=None, units: Optional[str] = None) -> str:
    info = entry.info
    if column in MEASURED:
        from convcalc.report.metrics import field_size_text, kernel_text, padding_text, settings_text
    if column == "input":
        return shape_text(entry.input) if entry.input else ""
    if column == "output":
        return ", ".join(map(shape_text, entry.outputs)) if entry.outputs else shape_text(entry.shape)
    if column == "params":
        return f"{counted(entry.params, units)} (shared)" if entry.shared else counted(entry.params, units)
    if column == "macs":
        return "-" if entry.macs is None else counted(entry.macs, units)
    if column == "macs%":
        return percent_text(percent(entry.macs, total_macs))
    if column == "memory":
        return byte_size(entry.memory)
    if column == "rf":
        return field_size_text(info.field)
    if column == "kernel":
        return kernel_text(info)
    if column == "stride":
        return settings_text(info.stride)
    return padding_text(info.padding)


def total_row(analysis: Analysis, columns: tuple, convention: str, batch: int, dtype: str,
              macs_total: Optional[Macs] = None, units: Optional[str] = None) -> list:
    """The sums of the columns that add up (params, mult-adds, memory), in every table alike;
    labelled "part followed" where they are not the model's."""
    whole = analysis.complete and analysis.ok
    sums = {}
    if "params" in columns:  # a part's: its rows' (the footer gives the module tree's where it is known)
        sums["params"] = counted(analysis.total_params if whole else sum((r.params for r in analysis.rows
                                                                           if not r.shared), 0), units)
    figures = macs_total or Macs(analysis, convention, batch)
    if "macs" in columns:
        sums["macs"] = "-" if figures.total is None else counted(figures.total, units)
    if "macs%" in columns:
        sums["macs%"] = "100.00%" if percent(figures.total, figures.total) is not None else "-"
    if "memory" in columns:
        sums["memory"] = byte_size(memory(analysis, batch, dtype).activations)
    if not sums:
        return []
    label = "total" if whole else "part followed"
    return [["", label] + [sums.get(c, "") for c in columns]]


def chosen_depth(analysis: Analysis, depth: Optional[int], auto: bool) -> Optional[int]:
    """The depth the rows fold to: ``depth``, or with ``auto`` (a long table, no --depth given) the
    default_depth's."""
    return default_depth(analysis) if auto and depth is None else depth


def shapes_table(analysis: Analysis, fmt: str, batch: int = 1, columns: tuple = DEFAULT_COLUMNS,
                 convention: str = "torchinfo", dtype: str = "float32", depth: Optional[int] = None,
                 auto: bool = False, tree: bool = False, units: Optional[str] = None) -> str:
    """``depth`` None: every row; ``auto``: fold a long table as default_depth decides, and say so;
    ``tree``: the module tree (report/tree.py); ``units``: counts in K/M/G (common.counted)."""
    folded = chosen_depth(analysis, depth, auto)
    measured = any(c in MEASURED for c in columns)
    rows = []
    if analysis.input:
        first = {"output": shape_text(analysis.input)}
        if "rf" in columns:
            from convcalc.metrics.measure import input_field_of
            from convcalc.report.metrics import field_size_text

            field = input_field_of(analysis)
            if field is not None:
                first["rf"] = field_size_text(field)
        if "memory" in columns:
            first["memory"] = byte_size(memory(analysis, batch, dtype).input)
        rows.append(["", "input"] + [first.get(c, "") for c in columns])
    figures = Macs(analysis, convention, batch)
    listed = entries(analysis, convention, batch, dtype, folded, measured, figures.rows())
    shown = lambda entry, column: cell(entry, column, figures.total, units)  # noqa: E731
    if tree:
        from convcalc.report.tree import tree_rows

        rows += tree_rows(analysis, listed, columns, shown, folded, lambda value: counted(value, units))
        names: list = []  # the tree names each row itself
    else:
        rows += [[entry.line, entry.layer] + [shown(entry, c) for c in columns] for entry in listed]
        names = ([""] if analysis.input else []) + [entry.module for entry in listed]
    rows += total_row(analysis, columns, convention, batch, dtype, figures, units)
    rows, headers, align = with_module_column(rows, ["line", "layer"] + [HEADERS[c] for c in columns],
                                              ("right", "left") + tuple(ALIGN[c] for c in columns), names)
    text = framed(table(rows, headers, fmt, align), totals_lines(analysis, batch, convention, dtype, columns,
                                                                 figures, units), fmt)
    if auto and depth is None and folded is not None and fmt != "csv":
        text += "\n" + folded_line(analysis, folded)
    return text


# ---------------------------------------------------------------- JSON


def memory_json(analysis: Analysis, batch: int, dtype: str) -> dict:
    mem = memory(analysis, batch, dtype)
    return {
        "dtype": dtype, "bytes_per_element": mem.width, "batch": batch,
        "input_bytes": json_dim(mem.input), "params_bytes": json_dim(mem.params),
        "buffers_bytes": json_dim(mem.buffers), "activations_bytes": json_dim(mem.activations),
        "forward_backward_bytes": json_dim(mem.forward_backward),
        "torchinfo_params_bytes": json_dim(mem.torchinfo_params),
        "torchinfo_total_bytes": json_dim(mem.torchinfo_total),
    }


def entry_json(entry, row, total_macs=None) -> dict:
    """One row (or folded block) of the table, every column as data; ``row`` is the walk's row
    (None for a folded block)."""
    from convcalc.report.metrics import field_json

    info = entry.info
    line = row.position if row is not None else {"line": entry.line if entry.line != "" else None}
    item = {**line, "layer": entry.layer,
            "input": json_shape(entry.input), "output": json_shape(entry.shape), "params": json_dim(entry.params),
            "buffers": json_dim(entry.buffers), "macs": json_dim(entry.macs) if entry.macs is not None else None,
            "macs_percent": rounded(percent(entry.macs, total_macs)), "output_bytes": json_dim(entry.memory),
            "rf": field_json(info.field) if info is not None else None,
            "kernel": list(info.kernel) if info is not None and info.kernel else None,
            "stride": list(info.stride) if info is not None and info.stride else None,
            "padding": [list(p) for p in info.padding] if info is not None and info.padding else None,
            "dilation": list(info.dilation) if info is not None and info.dilation else None}
    if entry.shared:
        item["shared"] = True
    if entry.outputs:
        item["outputs"] = [json_shape(s) for s in entry.outputs]
    item.update(batch_json(entry.shape, entry.outputs))
    if entry.module:
        item["module"] = entry.module
    if entry.block:
        item["block"], item["rows"] = entry.block, entry.folded
    if row is not None and row.node.span.path:
        item["file"] = shown_path(row.node.span.path)
    return item


def batch_json(shape, outputs) -> dict:
    """Where the batch stands, for a row whose batch is not first and whole (docs/tables.md):
    ``batch_axis`` (the full tensor's dim, null for a tensor without a batch), ``batch_fold``
    (the factor the batch is multiplied by), and each output's axis when it has several."""
    from convcalc.layers.placement import placement

    at, fold = placement(shape)
    item = {}
    if (at, fold) != (0, 1):
        item["batch_axis"], item["batch_fold"] = at, json_dim(fold)
    if outputs and any(placement(s) != (0, 1) for s in outputs):
        item["outputs_batch_axis"] = [placement(s)[0] for s in outputs]
    return item


def rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)


def rf_summary(analysis: Analysis):
    from convcalc.report.metrics import rf_summary_json

    return rf_summary_json(analysis)


def shapes_json(analysis: Analysis, batch: int = 1, convention: str = "torchinfo", dtype: str = "float32",
                depth: Optional[int] = None) -> dict:
    """One model as data: the same rows as the table (every row unless ``depth`` folds them), the
    totals only where they are the model's (``null`` otherwise, with the part followed's figure
    beside them), ``complete`` always."""
    exact, whole = analysis.params_exact, shown_output(analysis)
    figures = Macs(analysis, convention, batch)
    listed = entries(analysis, convention, batch, dtype, depth, counts=figures.rows())
    program = analysis.program
    data = {
        "path": shown_path(analysis.path),
        "model": program.name if program is not None and program.name else None,
        "input": json_shape(analysis.input) if analysis.input else None,  # None: a module tree alone
        "batch": batch,
        "convention": convention,
        "complete": analysis.complete and analysis.ok,
        "layers": [entry_json(entry, analysis.rows[entry.rows[0]] if entry.folded == 1 and not entry.block else None,
                              figures.total) for entry in listed],
        "output": json_shape(analysis.output) if whole else None,
        **({"output_batch_axis": batch_json(analysis.output, None).get("batch_axis"),
            "output_batch_fold": batch_json(analysis.output, None).get("batch_fold")}
           if whole and batch_json(analysis.output, None) else {}),
        "total_params": json_dim(analysis.total_params) if exact else None,
        "trainable_params": json_dim(analysis.trainable_params) if exact else None,
        "total_buffers": json_dim(analysis.total_buffers) if exact else None,
        "total_macs": json_dim(figures.total) if whole and figures.total is not None else None,
        "memory": memory_json(analysis, batch, dtype) if whole else None,
        "rf": rf_summary(analysis),
        "diagnostics": [d.to_json() for d in analysis.diagnostics()],
    }
    if not exact:
        data["params_followed"] = json_dim(analysis.total_params)
    if not whole:
        data["macs_followed"] = json_dim(figures.total) if figures.total is not None else None
    if figures.missing:  # rows the convention gives no figure for, and why: the total is null
        data["macs_not_counted"] = figures.json_missing()
    if figures.unknown:  # layer types the tool has no rule for: 0, as the tool counts them
        data["macs_no_rule"] = figures.uncounted()
    if analysis.outputs:
        data["outputs"] = [json_shape(s) for s in analysis.outputs] if whole else None
    if analysis.extra_inputs:
        data["inputs"] = [json_shape(analysis.input)] + [json_shape(s) for _, s in analysis.extra_inputs]
    if any(not r.calls for r in analysis.registered):
        data["registered_not_run"] = [{"module": r.path, "layer": one_line(r.call.text) if r.call else "nn.Parameter",
                                       "params": json_dim(r.params), "buffers": json_dim(r.buffers)}
                                      for r in analysis.registered if not r.calls]
    if any(r.calls for r in analysis.registered):  # layer subclasses run by their own forward
        data["own_forward"] = [{"module": r.path, "layer": one_line(r.call.text), "calls": r.calls,
                                "params": json_dim(r.params), "buffers": json_dim(r.buffers),
                                "torchinfo_macs": json_dim(r.macs * batch)} for r in analysis.registered if r.calls]
    return data


def nothing_json(path: str, model, diagnostic) -> dict:
    """The report's layout for a file of which nothing was computed (no model found, a file that
    does not parse): every figure null, ``complete`` false, the diagnostic that says why."""
    return {"path": shown_path(path), "model": model, "input": None, "batch": None, "convention": None,
            "complete": False, "layers": [], "output": None, "total_params": None, "trainable_params": None,
            "total_buffers": None, "total_macs": None, "memory": None, "rf": None,
            "diagnostics": [diagnostic.to_json()]}


# ---------------------------------------------------------------- params


def params_table(analysis: Analysis, fmt: str) -> str:
    rows = [[r.where, one_line(r.layer), "(shared: counted once)" if r.shared else
             f"{r.formula} = {num(r.params)}" if r.formula else num(r.params), num(r.buffers) if r.buffers else ""]
            for r in analysis.rows if r.params or r.buffers]
    rows += [[r.call.span.line if r.call else "", f"{r.path}: {one_line(r.call.text) if r.call else 'nn.Parameter'}"
              + (" (its own forward)" if r.calls else " (not run)") if analysis.followed or r.calls
              else f"{r.path} (not reached)", num(r.params),
              num(r.buffers) if r.buffers else ""] for r in analysis.registered if r.params or r.buffers]
    body = table(rows, ["line", "layer", "parameters", "buffers"], fmt, ("right", "left", "left", "right"))
    total = analysis.total_params
    label = params_line(analysis).split(":", 1)[0]
    lines = [
        f"{label}: {num(total)}   trainable: {num(analysis.trainable_params)}   buffers: {num(analysis.total_buffers)}",
        f"size (float32): params {byte_size(total * 4)}, buffers {byte_size(analysis.total_buffers * 4)}",
    ] + status_lines(analysis)
    return framed(body, lines, fmt)


def params_json(analysis: Analysis) -> dict:
    data = shapes_json(analysis)
    for entry, row in zip(data["layers"], analysis.rows):
        entry["formula"] = row.formula
    data["params_bytes_float32"] = json_dim(analysis.total_params * 4) if analysis.params_exact else None
    return data


def model_name(analysis: Analysis) -> str:
    """How a report of several models names one: the model's name, else its file."""
    program = analysis.program
    return program.name if program is not None and program.name else analysis.path
