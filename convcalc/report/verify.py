"""The `convcalc verify` table and JSON (formatting only; convcalc/verify.py computes)."""
from __future__ import annotations

from convcalc.report.common import framed, json_dim, json_shape, num, one_line, shape_text, table
from convcalc.report.shapes import shapes_json

MARK = {True: "✓", False: "✗"}


def step_layer(row, step) -> tuple:
    if row is not None:
        return row.where, one_line(row.layer)
    return step.line, one_line(getattr(step.node, "text", "") or step.name)


def verify_table(v, fmt: str) -> str:
    a = v.analysis
    rows = []
    if a.input:
        rows.append(["", "input", shape_text(a.input), shape_text(a.input) if v.steps or v.output else "", "", "", ""])
    for row, step in v.pairs():
        line, layer = step_layer(row, step)
        rows.append([line, layer,
                     shape_text(row.shape) if row is not None else "-",
                     shape_text(step.shape) if step is not None else "-",
                     MARK[v.agree(row, step)],
                     num(row.params) if row is not None else "-",
                     num(step.params) if step is not None else "-"])
    body = table(rows, ["line", "layer", "computed", "executed", "", "params", "executed params"], fmt,
                 ("right", "left", "left", "left", "center", "right", "right"))
    return framed(body, verdict_lines(v), fmt)


def verdict_lines(v) -> list:
    a = v.analysis
    lines = [f"input {v.note}" if v.note else f"input {shape_text(a.input)}",
             # the executor's work, not the model's mult-adds (those are `shapes`' figure, one convention):
             # drawing the input, pools and norms count too
             f"batch {v.batch}, seed {v.seed}: ran in {v.seconds:.2f} s, work about {v.work:,} (the measure "
             "--max-macs bounds)"]
    if v.verified:
        count = len(a.rows)
        lines.append(f"verified: all {count} layer{'s' if count != 1 else ''} agree with the reference executor "
                     f"(output {shape_text(a.output)}, {num(a.total_params)} parameters"
                     + (f", {num(a.total_buffers)} buffers)" if a.total_buffers else ")"))
        return lines
    bad = v.disagreements
    compared = max(len(a.rows), len(v.steps))
    lines.append(f"NOT verified: {len(bad)} of {compared} layer{'s' if compared != 1 else ''} disagree"
                 if bad else "NOT verified")
    for row, step in bad:
        line, layer = step_layer(row, step)
        lines.append(f"  line {line} {layer}: {difference(row, step)}")
    if a.error is not None:
        lines.append(f"  the engine stops at line {a.error.span.line}: {a.error.code} (see the message above)")
    if v.failure is not None:
        where = f" at line {v.failure_line}" if v.failure_line else ""
        lines.append(f"  the executor stops{where}: {v.failure}")
    elif a.ok and v.output is not None and tuple(a.output) != v.output:
        lines.append(f"  output: computed {shape_text(a.output)}, executed {shape_text(v.output)}")
    return lines


def difference(row, step) -> str:
    if row is None:
        return f"not computed (the engine stopped); executed {shape_text(step.shape)}"
    if step is None:
        return f"computed {shape_text(row.shape)}; not executed (the executor stopped)"
    parts = []
    if row.name != step.name:
        parts.append(f"the engine has {row.name}, the executor {step.name}")
    if tuple(row.shape) != step.shape:
        parts.append(f"computed {shape_text(row.shape)}, executed {shape_text(step.shape)}")
    if row.params != step.params:
        parts.append(f"params computed {num(row.params)}, executed {num(step.params)}")
    if row.buffers != step.buffers:
        parts.append(f"buffers computed {num(row.buffers)}, executed {num(step.buffers)}")
    return "; ".join(parts)


def verify_json(v) -> dict:
    a = v.analysis
    data = shapes_json(a, v.batch)
    data["verified"] = v.verified
    data["seed"] = v.seed
    data["input_note"] = v.note
    data["work_estimate"] = v.work
    layers = data["layers"]
    for entry, (row, step) in zip(layers, v.pairs()):
        entry.update(executed_entry(step))
        entry["agree"] = v.agree(row, step)
    for row, step in v.pairs()[len(layers):]:  # the executor ran on where the engine stopped
        line, layer = step_layer(row, step)
        entry = {"line": line, "layer": layer, "output": None, "params": None, "buffers": None, "macs": None}
        entry.update(executed_entry(step))
        entry["agree"] = False
        layers.append(entry)
    data["executed_output"] = list(v.output) if v.output is not None else None
    data["executed_total_params"] = v.executed_params
    data["executed_total_buffers"] = v.executed_buffers
    data["failure"] = ({"line": v.failure_line, "message": v.failure} if v.failure is not None else None)
    return data


def executed_entry(step) -> dict:
    if step is None:
        return {"executed": None, "executed_params": None, "executed_buffers": None}
    return {"executed": json_shape(step.shape), "executed_params": json_dim(step.params),
            "executed_buffers": json_dim(step.buffers)}
