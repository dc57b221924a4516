"""The measured columns' text (receptive fields, window settings) and the `rf` report.

Formatting helpers come from report/common.py; the numbers from convcalc/metrics/.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Optional

from convcalc.engine.analysis import Analysis as Measured
from convcalc.errors import line_of
from convcalc.metrics.fields import Axis, Field
from convcalc.metrics.measure import RowInfo, info_of, input_field_of
from convcalc.report.common import framed, json_dim, json_shape, one_line, shape_text, table
from convcalc.symbolic.dims import render
from convcalc.shown import shown_path

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


# ---------------------------------------------------------------- rf


def first_whole(analysis: Measured):
    """(row index, reason) of the first row whose field covers the whole input along every axis."""
    for index, info in enumerate(info_of(analysis)):
        if info.field is not None and info.field.whole:
            row = analysis.rows[index]
            field = row.spec.traits.field if row.spec is not None else None
            reason = {"adaptive": "global pooling", "linear": "a Linear over every position"}.get(
                field, "an add or concat")
            return index, reason
    return None, ""


def varying_since(analysis: Measured):
    """The row from which on the output's units are spaced unevenly, or None."""
    since = None
    for index, info in enumerate(info_of(analysis)):
        varies = info.field is not None and info.field.varies
        since = (since if since is not None else index) if varies else None
    return since


def field_text(fld: Field) -> str:
    return (f"{field_size_text(fld)} (jump {field_part_text(fld, 'jump')}, "
            f"start {field_part_text(fld, 'start')})")


def rf_lines(analysis: Measured) -> list:
    if input_field_of(analysis) is None:
        return [f"the input {shape_text(analysis.input)} has no spatial dimensions: no receptive field"]
    if not analysis.rows:
        return ["no layers: the field is one input pixel"]
    final = info_of(analysis)[-1].field
    lines = []
    index, reason = first_whole(analysis)
    if final is not None and final.whole and index is not None:
        row = analysis.rows[index]
        before = info_of(analysis)[index - 1].field if index > 0 else input_field_of(analysis)
        spatial = "x".join(render(n) for n in input_field_of(analysis).input)
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
        lines.append(f"stopped at {line_of(analysis.path, analysis.error.span)}: {analysis.error.code} (see the message above)")
    return lines


def rf_table(analysis: Measured, fmt: str) -> str:
    rows = []
    if analysis.input:
        fld = input_field_of(analysis)
        rows.append(["", "input", shape_text(analysis.input), "", "", "", field_size_text(fld),
                     field_part_text(fld, "jump"), field_part_text(fld, "start")])
    for row, info in zip(analysis.rows, info_of(analysis)):
        fld = info.field
        rows.append([row.where, one_line(row.layer), shape_text(row.shape), kernel_text(info),
                     settings_text(info.stride), padding_text(info.padding), field_size_text(fld),
                     field_part_text(fld, "jump"), field_part_text(fld, "start")])
    headers = ["line", "layer", "output", "kernel", "stride", "padding", "size", "jump", "start"]
    body = table(rows, headers, fmt, ("right", "left", "left", "left", "left", "left", "right", "right", "right"))
    return framed(body, rf_lines(analysis), fmt)


def rf_summary_json(analysis: Measured):
    if input_field_of(analysis) is None:
        return None
    final = info_of(analysis)[-1].field if info_of(analysis) else input_field_of(analysis)
    index, reason = first_whole(analysis)
    whole_from = None
    if final is not None and final.whole and index is not None:
        whole_from = {**analysis.rows[index].position, "layer": one_line(analysis.rows[index].layer),
                      "reason": reason}
    return {"output": field_json(final), "whole_from": whole_from}


def rf_json(analysis: Measured) -> dict:
    layers = [{**row.position, "layer": one_line(row.layer), "output": json_shape(row.shape),
               "kernel": list(info.kernel) if info.kernel else None,
               "stride": list(info.stride) if info.stride else None,
               "padding": [list(p) for p in info.padding] if info.padding else None,
               "dilation": list(info.dilation) if info.dilation else None,
               "rf": field_json(info.field)}
              for row, info in zip(analysis.rows, info_of(analysis))]
    return {"path": shown_path(analysis.path), "input": json_shape(analysis.input), "layers": layers,
            "output": json_shape(analysis.output) if analysis.ok else None,
            "rf": rf_summary_json(analysis),
            "diagnostics": [d.to_json() for d in analysis.diagnostics()]}
