"""Tables and JSON from analyses: the only place that formats results."""
from __future__ import annotations

import json

from convcalc.dims import is_symbolic, render
from convcalc.errors import UsageError
from convcalc.infer import Analysis

FORMATS_HELP = "a tabulate format (simple, github, grid, psql, ...) or json"


def num(value) -> str:
    """Thousands separators for numbers, formulas for symbolic sizes."""
    if is_symbolic(value):
        return render(value)
    return f"{value:,}"


def shape_text(shape) -> str:
    return "x".join(render(d) for d in shape)


def json_dim(value):
    return render(value) if is_symbolic(value) else value


def json_shape(shape) -> list:
    return [json_dim(d) for d in shape]


def one_line(text: str) -> str:
    return " ".join(text.split())


def table(rows, headers, fmt: str, colalign=None) -> str:
    import tabulate

    if fmt not in tabulate.tabulate_formats:
        raise UsageError(f"unknown format {fmt!r}; choose json or one of: {', '.join(tabulate.tabulate_formats)}")
    # tabulate 0.9 fails on colalign without rows
    return tabulate.tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True,
                             colalign=colalign if rows else None)


def dump(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def byte_size(count) -> str:
    """Powers of 1000, as torchinfo."""
    if is_symbolic(count):
        return f"{render(count)} B"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}"
    return f"{count} B"


# ---------------------------------------------------------------- shapes


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


# ---------------------------------------------------------------- params


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


# ---------------------------------------------------------------- size


def size_text(steps) -> str:
    return "\n".join(steps.lines)


def diagnostics_text(diagnostics) -> str:
    return "\n".join(d.render() for d in diagnostics)
