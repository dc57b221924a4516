"""The tables and JSON of `convcalc shapes` and `convcalc params`."""
from __future__ import annotations

from convcalc.engine.analysis import Analysis
from convcalc.report.common import byte_size, json_dim, json_shape, num, one_line, shape_text, table


def totals_lines(analysis: Analysis, batch: int) -> list[str]:
    total, trainable = analysis.total_params, analysis.trainable_params
    lines = [
        f"input: {shape_text(analysis.input)}   output: {shape_text(analysis.output) if analysis.ok else '-'}",
        f"total params: {num(total)}   trainable: {num(trainable)}   non-trainable: {num(total - trainable)}",
        f"buffers: {num(analysis.total_buffers)}   "
        f"mult-adds: {num(analysis.total_macs * batch)} (torchinfo's convention, batch {batch})",
    ]
    if analysis.error is not None:
        lines.append(f"stopped at line {analysis.error.span.line}: {analysis.error.code} (see the message above)")
    return lines


def shapes_table(analysis: Analysis, fmt: str, batch: int = 1) -> str:
    rows = [["", "input", shape_text(analysis.input), ""]] if analysis.input else []
    rows += [[r.line, one_line(r.layer), shape_text(r.shape), num(r.params)] for r in analysis.rows]
    body = table(rows, ["line", "layer", "output", "params"], fmt, ("right", "left", "left", "right"))
    return body + "\n\n" + "\n".join(totals_lines(analysis, batch))


def shapes_json(analysis: Analysis, batch: int = 1) -> dict:
    data = {
        "path": analysis.path,
        "input": json_shape(analysis.input),
        "batch": batch,
        "layers": [
            {"line": r.line, "layer": one_line(r.layer), "output": json_shape(r.shape),
             "params": json_dim(r.params), "buffers": json_dim(r.buffers), "macs": json_dim(r.macs * batch)}
            for r in analysis.rows
        ],
        "output": json_shape(analysis.output) if analysis.ok else None,
        "total_params": json_dim(analysis.total_params),
        "trainable_params": json_dim(analysis.trainable_params),
        "total_buffers": json_dim(analysis.total_buffers),
        "total_macs": json_dim(analysis.total_macs * batch),
        "diagnostics": [d.to_json() for d in analysis.diagnostics()],
    }
    return data


def params_table(analysis: Analysis, fmt: str) -> str:
    rows = [[r.line, one_line(r.layer), f"{r.formula} = {num(r.params)}" if r.formula else num(r.params),
             num(r.buffers) if r.buffers else ""]
            for r in analysis.rows if r.params or r.buffers]
    body = table(rows, ["line", "layer", "parameters", "buffers"], fmt, ("right", "left", "left", "right"))
    total = analysis.total_params
    lines = [
        f"total params: {num(total)}   trainable: {num(analysis.trainable_params)}   "
        f"buffers: {num(analysis.total_buffers)}",
        f"size (float32): params {byte_size(total * 4)}, buffers {byte_size(analysis.total_buffers * 4)}",
    ]
    if analysis.error is not None:
        lines.append(f"stopped at line {analysis.error.span.line}: {analysis.error.code} (see the message above)")
    return body + "\n\n" + "\n".join(lines)


def params_json(analysis: Analysis) -> dict:
    data = shapes_json(analysis)
    for entry, row in zip(data["layers"], analysis.rows):
        entry["formula"] = row.formula
    data["params_bytes_float32"] = json_dim(analysis.total_params * 4)
    return data
