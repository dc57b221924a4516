"""`convcalc rf NET --draw FILE.svg [--layer LINE]`: the input, with the receptive field of the
centre output unit of a layer drawn on it (convcalc/metrics/fields.py gives each unit's field
in input pixels, padding included), unit 0's field centre (the start) marked, and the jump
written beside it. Built with xml.etree.ElementTree (escaped by construction), no script.

A layer whose output has no spatial axes (after Flatten, a Linear) or whose field is the whole
input is refused with a message at its line (CC402), as is a field past MAX_SPAN input pixels:
the picture is at most AREA pixels on its longer side (a pixel of the input may be drawn
smaller than one pixel), its caption at most CAPTION characters wide."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from convcalc import codes
from convcalc.errors import ConvcalcError, UsageError
from convcalc.metrics.measure import info_of
from convcalc.pictures.text import clean, serialize, short
from convcalc.report.metrics import frac_text

MARGIN = 24
AREA = 480  # pixels of the input's longer side, at most
LINE = 16
CAPTION = 110  # characters of a caption line at most
CHAR = 8  # pixels of a caption character (13 px monospace)
MAX_SPAN = 100_000  # input pixels (padding included) a drawn side spans at most
STYLE = """
.input { fill: #dbe8f6; stroke: #4a6f99; stroke-width: 1 }
.field { fill: #2e7d32; fill-opacity: 0.35; stroke: #1b5e20; stroke-width: 2 }
.start { fill: #b22222 }
text { font-family: monospace; font-size: 13px; fill: #222; white-space: pre }
"""


def drawable(analysis, index: int) -> bool:
    """The row's field is a window of the input, laid out as the input is (not after Flatten)."""
    fld = info_of(analysis)[index].field
    return fld is not None and all(a.known and not a.flat for a in fld.axes) and bool(fld.axes)


def chosen_row(analysis, line: Optional[int]) -> int:
    """The index of the row drawn: the last of line ``line``, else the last row whose field is a
    window of the input (a network ending in global pooling or a Linear sees the whole input
    there: its last convolution or pool is drawn, and the caption names it)."""
    rows = analysis.rows
    if not rows:
        raise UsageError("the network has no layer to draw the receptive field of")
    if line is None:
        found = [i for i in range(len(rows)) if drawable(analysis, i)]
        if not found:
            raise UsageError("no layer's receptive field is a window of the input: nothing to draw")
        return found[-1]
    found = [i for i, row in enumerate(rows) if row.line == line]
    if not found:
        lines = sorted({row.line for row in rows})
        raise UsageError(f"--layer {line}: no layer on that line (the layers are on lines "
                         f"{', '.join(map(str, lines[:20]))}{', ...' if len(lines) > 20 else ''})")
    index = found[-1]
    if not drawable(analysis, index):
        row = analysis.rows[index]
        fld = info_of(analysis)[index].field
        why = "its output has no spatial axes (a flat vector)" if len(row.shape) < len(analysis.input) or \
            (fld is not None and any(a.flat for a in fld.axes)) else \
            "its receptive field is not a window of the input here (the whole input, or not known)"
        before = [i for i in range(index) if drawable(analysis, i)]
        hint = f": --layer {rows[before[-1]].line} draws the last layer before it that keeps the input's layout" \
            if before else ""
        raise refusal(analysis, index, f"--draw: line {row.line} ({clean(row.layer)}) cannot be drawn on the input, "
                      f"{why}{hint}")
    return index


def refusal(analysis, index: int, message: str) -> UsageError:
    """A picture refused at the line of the layer asked for (CC402, exit 2)."""
    problem = ConvcalcError(codes.PICTURE, message, analysis.rows[index].node.span)
    return UsageError(message, problem.diagnostic(analysis.path, analysis.source))


def spans(analysis, index: int) -> list:
    """Per spatial axis of the input: (input size, centre unit, (lo, hi) of its field, start, jump)."""
    fld = info_of(analysis)[index].field
    row = analysis.rows[index]
    if fld is None or not all(a.known for a in fld.axes):
        raise refusal(analysis, index, f"line {row.line}: the receptive field is not a window of the input here "
                      "(the whole input, or not known): nothing to draw")
    out = []
    for axis, size in zip(fld.axes, fld.input):
        units = row.shape[axis.dim]
        if type(units) is not int or type(size) is not int:
            raise UsageError("--draw needs concrete sizes: give one with --input")
        centre = (units - 1) // 2
        span = axis.field_of(centre)
        if span is None:
            raise UsageError(f"line {row.line}: the centre unit sees no input pixel")
        out.append((size, centre, span, axis.start, axis.jump))
    return out


def draw(analysis, line: Optional[int] = None) -> tuple:
    """(the SVG, a one-line summary of what it shows)."""
    index = chosen_row(analysis, line)
    row = analysis.rows[index]
    axes = spans(analysis, index)
    depth = ""
    if len(axes) == 3:  # a video's D x H x W: the H x W plane is drawn, the frames seen are written
        (frames, _, (lo, hi), _, _), axes = axes[0], axes[1:]
        depth = f"; along D (of {frames} input frames) the centre unit sees frames {lo}..{hi}"
    if len(axes) > 3:
        raise UsageError("--draw draws 1-d, 2-d and 3-d inputs")
    if len(axes) == 1:
        axes = [(1, 0, (0, 0), 0, 1)] + axes  # one row
    (h, cy, (ylo, yhi), ystart, yjump), (w, cx, (xlo, xhi), xstart, xjump) = axes
    top, left = min(0, ylo), min(0, xlo)  # the field may reach into the padding
    bottom, right = max(h - 1, yhi), max(w - 1, xhi)
    span = max(bottom - top + 1, right - left + 1)
    if span > MAX_SPAN:
        raise refusal(analysis, index, f"--draw: the picture would span {span:,} input pixels, over {MAX_SPAN:,}: "
                      "draw an earlier layer with --layer, or give a smaller --input")
    cell = min(24, AREA // span) if span <= AREA else AREA / span  # under a pixel for a large input
    caption = [short(line, CAPTION) for line in (
        f"line {row.line} {clean(row.layer)}: output {'x'.join(str(d) for d in row.shape)}",
        f"the centre unit ({cy}, {cx}) sees rows {ylo}..{yhi} and columns {xlo}..{xhi} of the input "
        f"({yhi - ylo + 1}x{xhi - xlo + 1}, padding included){depth}",
        f"start (unit 0's field centre): {frac_text(ystart)}, {frac_text(xstart)}   jump: "
        f"{frac_text(yjump)}, {frac_text(xjump)} pixels per unit")]
    width = round(2 * MARGIN + max((right - left + 1) * cell, CHAR * max(len(c) for c in caption)))
    height = round(3 * MARGIN + (bottom - top + 1) * cell + LINE * len(caption))
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
                             "viewBox": f"0 0 {width} {height}", "data-cell": f"{cell:g}",
                             "data-origin": f"{MARGIN - left * cell},{MARGIN - top * cell}"})
    ET.SubElement(svg, "title").text = f"receptive field at line {row.line}"
    ET.SubElement(svg, "style").text = STYLE
    x0, y0 = MARGIN - left * cell, MARGIN - top * cell  # where input pixel (0, 0) is drawn
    ET.SubElement(svg, "rect", {"class": "input", "x": str(x0), "y": str(y0), "width": str(w * cell),
                                "height": str(h * cell)})
    ET.SubElement(svg, "rect", {"class": "field", "x": str(x0 + xlo * cell), "y": str(y0 + ylo * cell),
                                "width": str((xhi - xlo + 1) * cell), "height": str((yhi - ylo + 1) * cell),
                                "data-rows": f"{ylo},{yhi}", "data-cols": f"{xlo},{xhi}"})
    ET.SubElement(svg, "circle", {"class": "start", "cx": f"{x0 + (float(xstart) + 0.5) * cell:g}",
                                  "cy": f"{y0 + (float(ystart) + 0.5) * cell:g}", "r": str(max(2, cell // 4))})
    text_y = y0 + (bottom + 1) * cell + MARGIN
    for i, line_text in enumerate(caption):
        ET.SubElement(svg, "text", {"x": str(MARGIN), "y": str(text_y + i * LINE)}).text = line_text
    summary = f"the receptive field of the centre unit of line {row.line} ({short(clean(row.layer), 40)}), " \
        f"{yhi - ylo + 1}x{xhi - xlo + 1} input pixels" if len(analysis.rows[index].shape) > 2 else \
        f"the receptive field of the centre unit of line {row.line} ({short(clean(row.layer), 40)}), " \
        f"{xhi - xlo + 1} input pixels"
    return serialize(svg), summary
