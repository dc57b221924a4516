"""Tables and JSON for mult-adds, memory and receptive fields (`shapes --columns`, `rf`).

Formatting helpers come from report/common.py; the numbers from convcalc/metrics/.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

from convcalc.errors import UsageError
from convcalc.metrics.fields import Axis, Field
from convcalc.metrics.measure import Measured, RowInfo
from convcalc.metrics.memory import DTYPES, memory, output_bytes, total_macs
from convcalc.report.common import (TABLE_ROWS, byte_size, framed, json_dim, json_shape, module_name, num, one_line,
                                    shape_text, table, with_module_column)
from convcalc.symbolic.dims import render
from convcalc.shown import shown_path

HEADERS = {"input": "input", "output": "output", "params": "params", "macs": "mult-adds", "memory": "memory", "rf": "rf",
           "kernel": "kernel", "stride": "stride", "padding": "padding"}
ALIGN = {"input": "left", "output": "left", "params": "right", "macs": "right", "memory": "right", "rf": "left",
         "kernel": "left", "stride": "left", "padding": "left"}
CONVENTION_TEXT = {
    "torchinfo": "torchinfo's convention",
    "fvcore": "fvcore's convention: fused multiply-adds of conv and linear layers, bias left out",
}

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


# ---------------------------------------------------------------- numbers as text


def frac_text(value: Fraction) -> str:
    """5, 0.5, -1.25, 0.333 (three decimals at most)."""
    if value.denominator == 1:
        return str(value.numerator)
    thousandths = round(abs(value) * 1000)  # in integers: a float loses digits past 2**53
    text = f"{thousandths // 1000}.{thousandths % 1000:03d}".rstrip("0").rstrip(".")
    return "-" + text if value < 0 and text != "0" else text


def frac_json(value: Fraction):
    return value.numerator if value.denominator == 1 else round(float(value), 6)


def axis_size_text(axis: Axis, length) -> str:
    if axis.whole:
        return "whole"
    if axis.unknown:
        return "?"
    return str(axis.size)


def field_size_text(fld: Optional[Field]) -> str:
    if fld is None:
        return ""
    if fld.whole:
        return "whole"
    text = "x".join(axis_size_text(a, n) for a, n in zip(fld.axes, fld.input))
    return "<=" + text if fld.sizes_differ else text


def field_part_text(fld: Optional[Field], part: str) -> str:
    """The jumps or starts of a field, x-joined; '-' along whole axes."""
    if fld is None:
        return ""
    texts = []
    for axis in fld.axes:
        value = None if not axis.known else getattr(axis, part)
        texts.append("-" if axis.whole else "?" if value is None else frac_text(value))
    if all(t == "-" for t in texts):
        return "-"
    return "x".join(texts)


def field_json(fld: Optional[Field]):
    if fld is None:
        return None
    return {
        "size": [json_dim(s) if s is not None else None for s in fld.sizes()],
        "jump": [None if not a.known else frac_json(a.jump) for a in fld.axes],
        "start": [None if not a.known or a.start is None else frac_json(a.start) for a in fld.axes],
        "whole": [a.whole for a in fld.axes],
        "period": [a.period if a.known else None for a in fld.axes],
    }


def settings_text(values: Optional[tuple]) -> str:
    return "x".join(str(v) for v in values) if values else ""


def padding_text(padding: Optional[tuple]) -> str:
    if not padding:
        return ""
    return "x".join(str(left) if left == right else f"({left},{right})" for left, right in padding)


def kernel_text(info: RowInfo) -> str:
    text = settings_text(info.kernel)
    if text and info.dilation and any(d != 1 for d in info.dilation):
        text += f" dil {settings_text(info.dilation)}"
    return text


# ---------------------------------------------------------------- entries (rows, folded by --depth)


@dataclass
class Entry:
    line: object
    layer: str
    shape: tuple
    params: object
    buffers: object
    macs: object  # in the chosen convention, batch included
    macs_torchinfo: object
    macs_fvcore: object
    memory: object  # output activation bytes (summed over the rows of a folded block)
    info: RowInfo
    folded: int = 1  # how many rows this entry stands for
    block: str = ""  # the folded block's label
    module: str = ""  # its name in a Python model's module tree (layer1.0.conv1; layer1.0 folded)
    input: tuple = ()  # the shape coming in (a folded block's: its first row's)
    rows: list = field(default_factory=list)  # the indices of the rows it stands for


def levels(info: RowInfo) -> tuple:
    """The blocks around a row that --depth counts: def calls and a Python model's submodules, as
    torchinfo counts modules (a repeat, residual or concat block is source structure, not a level)."""
    return tuple(block for block in info.path if block.named)


def entries(analysis: Measured, convention: str, batch: int, dtype: str, depth: Optional[int]) -> list:
    width = DTYPES[dtype]
    out: list = []
    keys: list = []
    for index, (row, info) in enumerate(zip(analysis.rows, analysis.info)):
        torchinfo = row.macs * batch
        fvcore = info.fmas * batch
        activation = output_bytes(row, batch, width)
        chosen = fvcore if convention == "fvcore" else torchinfo
        path = levels(info)
        if depth is None or len(path) < depth or (depth > 0 and not path):
            out.append(Entry(row.where, one_line(row.layer), row.shape, row.params, row.buffers, chosen,
                             torchinfo, fvcore, activation, info, module=module_name(row, analysis.program),
                             input=row.input, rows=[index]))
            keys.append(None)
            continue
        block = path[depth - 1] if depth > 0 else None
        key = block.uid if block else 0
        if keys and keys[-1] == key:
            entry = out[-1]
            entry.shape, entry.info = row.shape, RowInfo(field=info.field, path=path[:depth])
            entry.params += row.params
            entry.buffers += row.buffers
            entry.macs += chosen
            entry.macs_torchinfo += torchinfo
            entry.macs_fvcore += fvcore
            entry.memory += activation
            entry.folded += 1
            entry.rows.append(index)
            continue
        line, text, label = (block.line, block.text, block.label) if block else ("", "(the whole network)", "network")
        out.append(Entry(line, text, row.shape, row.params, row.buffers, chosen, torchinfo, fvcore, activation,
                         RowInfo(field=info.field, path=path[:depth]), 1, label, block.path if block else "",
                         row.input, [index]))
        keys.append(key)
    return out


def default_depth(analysis: Measured, limit: int = TABLE_ROWS) -> Optional[int]:
    """The depth a table of more than TABLE_ROWS rows folds to when none is given: the deepest
    whose table has at most TABLE_ROWS rows (1 at least), so that a ResNet-50 reads as its
    stages and blocks with their totals; None when the table is short enough whole."""
    if len(analysis.rows) <= limit:
        return None
    deepest = max((len(levels(info)) for info in analysis.info), default=0)
    for depth in range(deepest, 0, -1):
        if len(entries(analysis, "torchinfo", 1, "float32", depth)) <= limit:
            return depth
    return 1 if deepest else None


def folded_line(analysis: Measured, depth: int) -> str:
    shown = len(entries(analysis, "torchinfo", 1, "float32", depth))
    return (f"{len(analysis.rows)} rows folded to {shown} at depth {depth} (each folded row shows its block's totals); "
            "--depth all shows every row, --depth N chooses")


def cell(entry: Entry, column: str) -> str:
    info = entry.info
    if column == "input":
        return shape_text(entry.input) if entry.input else ""
    if column == "output":
        return shape_text(entry.shape)
    if column == "params":
        return num(entry.params)
    if column == "macs":
        return num(entry.macs)
    if column == "memory":
        return byte_size(entry.memory)
    if column == "rf":
        return field_size_text(info.field)
    if column == "kernel":
        return kernel_text(info)
    if column == "stride":
        return settings_text(info.stride)
    return padding_text(info.padding)


# ---------------------------------------------------------------- shapes --columns


def totals_lines(analysis: Measured, convention: str, batch: int, dtype: str) -> list:
    total, trainable = analysis.total_params, analysis.trainable_params
    mem = memory(analysis, batch, dtype)
    macs = total_macs(analysis, convention, batch)
    lines = [
        f"input: {shape_text(analysis.input)}   output: {shape_text(analysis.output) if analysis.ok else '-'}",
        f"total params: {num(total)}   trainable: {num(trainable)}   non-trainable: {num(total - trainable)}",
        f"buffers: {num(analysis.total_buffers)}   mult-adds: {num(macs)} ({CONVENTION_TEXT[convention]}, "
        f"batch {batch})",
        f"memory ({dtype}, batch {batch}): params {byte_size(mem.params)}   buffers {byte_size(mem.buffers)}   "
        f"activations {byte_size(mem.activations)} (every layer's output)",
        f"torchinfo's estimate: input {byte_size(mem.input)} + forward/backward pass "
        f"{byte_size(mem.forward_backward)} (2 x the outputs of layers with parameters) + params "
        f"{byte_size(mem.params)} = {byte_size(mem.torchinfo_total)}",
    ]
    if analysis.error is not None:
        lines.append(f"stopped at line {analysis.error.span.line}: {analysis.error.code} (see the message above)")
    return lines


def shapes_table(analysis: Measured, fmt: str, columns: tuple, convention: str = "torchinfo",
                 batch: int = 1, dtype: str = "float32", depth: Optional[int] = None, auto: bool = False) -> str:
    """``depth`` None: every row; ``auto``: fold as default_depth decides, and say so."""
    if auto:
        depth = default_depth(analysis)
        if depth is not None:
            table_text = shapes_table(analysis, fmt, columns, convention, batch, dtype, depth)
            return table_text + "\n" + folded_line(analysis, depth)
    rows = []
    if analysis.input:
        first = {"output": shape_text(analysis.input)}
        if "rf" in columns and analysis.input_field is not None:
            first["rf"] = field_size_text(analysis.input_field)
        if "memory" in columns:
            first["memory"] = byte_size(memory(analysis, batch, dtype).input)
        rows.append(["", "input"] + [first.get(c, "") for c in columns])
    listed = entries(analysis, convention, batch, dtype, depth)
    for entry in listed:
        rows.append([entry.line, entry.layer] + [cell(entry, c) for c in columns])
    mem = memory(analysis, batch, dtype)
    totals = {"params": num(analysis.total_params), "macs": num(total_macs(analysis, convention, batch)),
              "memory": byte_size(mem.activations)}
    if any(c in totals for c in columns):
        rows.append(["", "total"] + [totals.get(c, "") for c in columns])
    names = ([""] if analysis.input else []) + [entry.module for entry in listed]
    rows, headers, align = with_module_column(rows, ["line", "layer"] + [HEADERS[c] for c in columns],
                                              ("right", "left") + tuple(ALIGN[c] for c in columns), names)
    body = table(rows, headers, fmt, align)
    return framed(body, totals_lines(analysis, convention, batch, dtype), fmt)


def memory_json(analysis: Measured, batch: int, dtype: str) -> dict:
    mem = memory(analysis, batch, dtype)
    return {
        "dtype": dtype, "bytes_per_element": mem.width, "batch": batch,
        "input_bytes": json_dim(mem.input), "params_bytes": json_dim(mem.params),
        "buffers_bytes": json_dim(mem.buffers), "activations_bytes": json_dim(mem.activations),
        "forward_backward_bytes": json_dim(mem.forward_backward),
        "torchinfo_total_bytes": json_dim(mem.torchinfo_total),
    }


def shapes_json(analysis: Measured, convention: str = "torchinfo", batch: int = 1,
                dtype: str = "float32", depth: Optional[int] = None) -> dict:
    layers = []
    for entry in entries(analysis, convention, batch, dtype, depth):
        info = entry.info
        item = {"line": entry.line if entry.line != "" else None, "layer": entry.layer,
                "input": json_shape(entry.input), "output": json_shape(entry.shape), "params": json_dim(entry.params),
                "buffers": json_dim(entry.buffers), "macs": json_dim(entry.macs_torchinfo),
                "macs_fvcore": json_dim(entry.macs_fvcore), "output_bytes": json_dim(entry.memory),
                "rf": field_json(info.field),
                "kernel": list(info.kernel) if info.kernel else None,
                "stride": list(info.stride) if info.stride else None,
                "padding": [list(p) for p in info.padding] if info.padding else None,
                "dilation": list(info.dilation) if info.dilation else None}
        if entry.block:
            item["block"], item["rows"] = entry.block, entry.folded
        if entry.module:
            item["module"] = entry.module
        layers.append(item)
    return {
        "path": shown_path(analysis.path),
        "input": json_shape(analysis.input),
        "batch": batch,
        "convention": convention,
        "layers": layers,
        "output": json_shape(analysis.output) if analysis.ok else None,
        "total_params": json_dim(analysis.total_params),
        "trainable_params": json_dim(analysis.trainable_params),
        "total_buffers": json_dim(analysis.total_buffers),
        "total_macs": json_dim(total_macs(analysis, "torchinfo", batch)),
        "total_macs_fvcore": json_dim(total_macs(analysis, "fvcore", batch)),
        "memory": memory_json(analysis, batch, dtype),
        "rf": rf_summary_json(analysis),
        "diagnostics": [d.to_json() for d in analysis.diagnostics()],
    }


# ---------------------------------------------------------------- rf


def first_whole(analysis: Measured):
    """(row index, reason) of the first row whose field covers the whole input along every axis."""
    for index, info in enumerate(analysis.info):
        if info.field is not None and info.field.whole:
            row = analysis.rows[index]
            reason = "global pooling" if row.name.startswith("Adaptive") else (
                "a Linear over every position" if row.name in ("Linear", "LazyLinear") else "an add or concat")
            return index, reason
    return None, ""


def varying_since(analysis: Measured):
    """The row from which on the output's units are spaced unevenly, or None."""
    since = None
    for index, info in enumerate(analysis.info):
        varies = info.field is not None and info.field.varies
        since = (since if since is not None else index) if varies else None
    return since


def field_text(fld: Field) -> str:
    return (f"{field_size_text(fld)} (jump {field_part_text(fld, 'jump')}, "
            f"start {field_part_text(fld, 'start')})")


def rf_lines(analysis: Measured) -> list:
    if analysis.input_field is None:
        return [f"the input {shape_text(analysis.input)} has no spatial dimensions: no receptive field"]
    if not analysis.rows:
        return ["no layers: the field is one input pixel"]
    final = analysis.info[-1].field
    lines = []
    index, reason = first_whole(analysis)
    if final is not None and final.whole and index is not None:
        row = analysis.rows[index]
        before = analysis.info[index - 1].field if index > 0 else analysis.input_field
        spatial = "x".join(render(n) for n in analysis.input_field.input)
        lines.append(f"receptive field of the output: the whole input ({spatial}): {reason} at line {row.line} "
                     f"({one_line(row.layer)})")
        if before is not None and not before.whole:
            lines.append(f"just before it: {field_text(before)}")
    elif final is not None:
        lines.append(f"receptive field of the output: {field_text(final)}")
    at = varying_since(analysis)
    if at is not None:
        row = analysis.rows[at]
        lines.append(f"from line {row.line} ({one_line(row.layer)}) on, units are spaced unevenly: size is the "
                     "largest field (<= where they differ), start the centre of unit 0's, jump the average step")
    if analysis.error is not None:
        lines.append(f"stopped at line {analysis.error.span.line}: {analysis.error.code} (see the message above)")
    return lines


def rf_table(analysis: Measured, fmt: str) -> str:
    rows = []
    if analysis.input:
        fld = analysis.input_field
        rows.append(["", "input", shape_text(analysis.input), "", "", "", field_size_text(fld),
                     field_part_text(fld, "jump"), field_part_text(fld, "start")])
    for row, info in zip(analysis.rows, analysis.info):
        fld = info.field
        rows.append([row.where, one_line(row.layer), shape_text(row.shape), kernel_text(info),
                     settings_text(info.stride), padding_text(info.padding), field_size_text(fld),
                     field_part_text(fld, "jump"), field_part_text(fld, "start")])
    headers = ["line", "layer", "output", "kernel", "stride", "padding", "size", "jump", "start"]
    body = table(rows, headers, fmt, ("right", "left", "left", "left", "left", "left", "right", "right", "right"))
    return framed(body, rf_lines(analysis), fmt)


def rf_summary_json(analysis: Measured):
    if analysis.input_field is None:
        return None
    final = analysis.info[-1].field if analysis.info else analysis.input_field
    index, reason = first_whole(analysis)
    whole_from = None
    if final is not None and final.whole and index is not None:
        whole_from = {"line": analysis.rows[index].line, "layer": one_line(analysis.rows[index].layer),
                      "reason": reason}
    return {"output": field_json(final), "whole_from": whole_from}


def rf_json(analysis: Measured) -> dict:
    layers = [{"line": row.line, "layer": one_line(row.layer), "output": json_shape(row.shape),
               "kernel": list(info.kernel) if info.kernel else None,
               "stride": list(info.stride) if info.stride else None,
               "padding": [list(p) for p in info.padding] if info.padding else None,
               "dilation": list(info.dilation) if info.dilation else None,
               "rf": field_json(info.field)}
              for row, info in zip(analysis.rows, analysis.info)]
    return {"path": shown_path(analysis.path), "input": json_shape(analysis.input), "layers": layers,
            "output": json_shape(analysis.output) if analysis.ok else None,
            "rf": rf_summary_json(analysis),
            "diagnostics": [d.to_json() for d in analysis.diagnostics()]}
