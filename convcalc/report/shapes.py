"""The tables and JSON of `convcalc shapes` and `convcalc params`.

A total is the model's only when it is: a Python model followed to its end, or (for the
parameters) one whose module tree was read whole, since parameters belong to the tree as
``model.parameters()`` counts them. Otherwise the figures are labelled as those of the part
followed, and the output is not shown.
"""
from __future__ import annotations

from convcalc.engine.analysis import Analysis
from convcalc.report.common import (byte_size, framed, json_dim, json_shape, module_name, num, one_line, shape_text,
                                    table, with_module_column)
from convcalc.shown import shown_path


def output_text(analysis: Analysis) -> str:
    if not analysis.ok or not analysis.followed:
        return "-"
    if analysis.outputs:
        return ", ".join(shape_text(s) for s in analysis.outputs)
    return shape_text(analysis.output)


def input_text(analysis: Analysis) -> str:
    text = shape_text(analysis.input)
    for name, shape in analysis.extra_inputs:
        text += f", {name} {shape_text(shape)}"
    return text


def params_line(analysis: Analysis) -> str:
    total, trainable = analysis.total_params, analysis.trainable_params
    figures = f"{num(total)}   trainable: {num(trainable)}   non-trainable: {num(total - trainable)}"
    if analysis.complete:
        return f"total params: {figures}"
    if analysis.params_exact:
        return f"total params: {figures} (the module tree's, as model.parameters() counts them)"
    if analysis.followed:
        return f"params of the parts known: {figures} (not the model's total)"
    return f"params of the part followed: {figures} (not the model's total)"


def status_lines(analysis: Analysis) -> list:
    """Where the walk or the frontend stopped, and what the module tree holds besides the rows."""
    lines = []
    if analysis.registered:
        count = sum((r.params for r in analysis.registered), 0)
        names = sorted({r.path.split(".")[0] for r in analysis.registered})
        shown = ", ".join(names[:6]) + (f", ... {len(names) - 6} more" if len(names) > 6 else "")
        what = "not run by forward" if analysis.followed else "not reached"
        lines.append(f"registered, {what}: {num(count)} params in {len(analysis.registered)} "
                     f"part{'s' if len(analysis.registered) != 1 else ''} ({shown}), counted in the total")
    if analysis.stopped is not None and analysis.followed:
        lines.append(f"module tree not read whole: {analysis.stopped.code} (see the message above); the total "
                     "leaves that part out")
    elif analysis.stopped is not None:
        lines.append(f"not followed from line {analysis.stopped.span.line}: {analysis.stopped.code} (see the message "
                     "above); the table shows the part before")
    if analysis.error is not None:
        lines.append(f"stopped at line {analysis.error.span.line}: {analysis.error.code} (see the message above)")
    return lines


def totals_lines(analysis: Analysis, batch: int) -> list[str]:
    macs = "mult-adds" if analysis.followed else "mult-adds of the part followed"
    return [
        f"input: {input_text(analysis)}   output{'s' if analysis.outputs else ''}: {output_text(analysis)}",
        params_line(analysis),
        f"buffers: {num(analysis.total_buffers)}   "
        f"{macs}: {num(analysis.total_macs * batch)} (torchinfo's convention, batch {batch})",
    ] + status_lines(analysis)


def row_params(row) -> str:
    return f"{num(row.params)} (shared)" if row.shared else num(row.params)


def shapes_table(analysis: Analysis, fmt: str, batch: int = 1) -> str:
    rows = [["", "input", shape_text(analysis.input), ""]] if analysis.input else []
    rows += [[r.where, one_line(r.layer), shape_text(r.shape), row_params(r)] for r in analysis.rows]
    names = ([""] if analysis.input else []) + [module_name(r, analysis.program) for r in analysis.rows]
    rows, headers, align = with_module_column(rows, ["line", "layer", "output", "params"],
                                              ("right", "left", "left", "right"), names)
    body = table(rows, headers, fmt, align)
    return framed(body, totals_lines(analysis, batch), fmt)


def shapes_json(analysis: Analysis, batch: int = 1) -> dict:
    exact = analysis.params_exact
    data = {
        "path": shown_path(analysis.path),
        **({"model": analysis.program.name} if analysis.program is not None and analysis.program.name else {}),
        "input": json_shape(analysis.input),
        "batch": batch,
        "complete": analysis.complete,
        "layers": [
            {"line": r.line, "layer": one_line(r.layer), "output": json_shape(r.shape),
             "params": json_dim(r.params), "buffers": json_dim(r.buffers), "macs": json_dim(r.macs * batch),
             **({"shared": True} if r.shared else {}), **({"module": r.node.path} if getattr(r.node, "path", "")
                                                         else {}), **({"file": shown_path(r.node.span.path)} if r.node.span.path
                                                                      else {})}
            for r in analysis.rows
        ],
        "output": json_shape(analysis.output) if analysis.ok and analysis.followed else None,
        "total_params": json_dim(analysis.total_params) if exact else None,
        "trainable_params": json_dim(analysis.trainable_params) if exact else None,
        "total_buffers": json_dim(analysis.total_buffers) if exact else None,
        "total_macs": json_dim(analysis.total_macs * batch) if analysis.followed else None,
        "diagnostics": [d.to_json() for d in analysis.diagnostics()],
    }
    if not exact:
        data["params_followed"] = json_dim(analysis.total_params)
    if not analysis.followed:
        data["macs_followed"] = json_dim(analysis.total_macs * batch)
    if analysis.outputs:
        data["outputs"] = [json_shape(s) for s in analysis.outputs] if analysis.ok and analysis.followed else None
    if analysis.extra_inputs:
        data["inputs"] = [json_shape(analysis.input)] + [json_shape(s) for _, s in analysis.extra_inputs]
    if analysis.registered:
        data["registered_not_run"] = [{"module": r.path, "layer": one_line(r.call.text) if r.call else "nn.Parameter",
                                       "params": json_dim(r.params), "buffers": json_dim(r.buffers)}
                                      for r in analysis.registered]
    return data


def params_table(analysis: Analysis, fmt: str) -> str:
    rows = [[r.where, one_line(r.layer), "(shared: counted once)" if r.shared else
             f"{r.formula} = {num(r.params)}" if r.formula else num(r.params), num(r.buffers) if r.buffers else ""]
            for r in analysis.rows if r.params or r.buffers]
    rows += [[r.call.span.line if r.call else "", f"{r.path}: {one_line(r.call.text) if r.call else 'nn.Parameter'}"
              " (not run)" if analysis.followed else f"{r.path} (not reached)", num(r.params),
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
