"""`convcalc size ... --animate FILE.svg`: the classic convolution-arithmetic figure, drawn
from the numbers of `convcalc size` (convcalc/lookup.py). The input grid with its padding
cells drawn apart, the (dilated) window moving one output position per frame, the output grid
filling as it goes, the input rows no window covers marked, the formula as the caption.

The SVG is built with xml.etree.ElementTree (which escapes by construction) and animated with
SMIL only (no script): it plays in a browser and in a README on GitHub. ``frame`` draws one
still instead. A transposed convolution is drawn as the classic figures draw it: the direct
convolution it equals, over the input with stride - 1 zeros between its cells and
dilation * (kernel - 1) - padding cells of padding around (output_padding more after), the
window moving one cell at a time.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from convcalc.errors import UsageError
from convcalc.pictures.text import serialize

CELL = 24  # pixels of one cell
GAP = 3  # cells between the input and the output grid
MARGIN = 16
MAX_FRAMES = 1_024  # output positions drawn: a frame each
# cells drawn in all: the padded input, the output twice (empty, then filled) and each frame's window;
# 1000x1000 with -k 1 -s 1000 is one frame of a million input cells (98 MB of SVG, 1.15 GB to build)
MAX_CELLS = 65_536
FRAME_SECONDS = 0.6
LINE = 16  # pixels of a caption line
CHAR = 8  # pixels of a caption character (13 px monospace)
STYLE = """
.in { fill: #dbe8f6; stroke: #4a6f99; stroke-width: 1 }
.pad { fill: #ffffff; stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 3 2 }
.zero { fill: #f1f1f1; stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 1 2 }
.uncovered { fill: #f6d5d5; stroke: #b22222; stroke-width: 2 }
.tap { fill: #2e7d32; fill-opacity: 0.55; stroke: #1b5e20; stroke-width: 2 }
.hang { fill: none; stroke: #1b5e20; stroke-width: 2; stroke-dasharray: 4 2 }
.out { fill: #ffffff; stroke: #4a6f99; stroke-width: 1 }
.done { fill: #9cc69b; stroke: #1b5e20; stroke-width: 1 }
.current { fill: #2e7d32; stroke: #1b5e20; stroke-width: 2 }
text { font-family: monospace; font-size: 13px; fill: #222; white-space: pre }
text.value, text.result { text-anchor: middle; dominant-baseline: central; font-size: 12px }
text.current-value { fill: #ffffff; font-weight: bold }
text.weight { text-anchor: end; font-size: 8px; fill: #0b3d0b }
"""


class Axis:
    """One axis's geometry, in padded coordinates (0 is the first padding row). ``spread``: the
    step between two input cells (a transposed convolution's stride; 1 otherwise)."""

    def __init__(self, size: int, kernel: int, stride: int, left: int, right: int, dilation: int, output: int,
                 spread: int = 1):
        self.size, self.kernel, self.stride, self.dilation = size, kernel, stride, dilation
        self.left, self.right, self.output, self.spread = left, right, output, spread

    @property
    def span(self) -> int:
        """The cells from the first input cell to the last, zeros between included."""
        return (self.size - 1) * self.spread + 1

    @property
    def padded(self) -> int:
        return self.left + self.span + self.right

    def index(self, t: int):
        """The input cell at padded position t, or None (padding, or a zero inserted between)."""
        u = t - self.left
        return u // self.spread if 0 <= u < self.span and u % self.spread == 0 else None

    def kind(self, t: int) -> str:
        if self.index(t) is not None:
            return "in"
        return "zero" if self.left <= t < self.left + self.span else "pad"

    def inputs(self) -> list:
        """The padded positions of the input cells."""
        return [self.left + i * self.spread for i in range(self.size)]

    def taps(self, o: int) -> list:
        return [o * self.stride + j * self.dilation for j in range(self.kernel)]

    def covered(self) -> set:
        return {t for o in range(self.output) for t in self.taps(o)}

    def uncovered(self) -> list:
        """The input rows (padding aside) that no window reads."""
        seen = self.covered()
        return [r for r in self.inputs() if r not in seen]


def axes_of(sized) -> list:
    """Axis geometry from `convcalc size`'s result, outermost first (1-d: one axis)."""
    settings = sized.settings
    if len(sized.input) > 2:
        raise UsageError("--animate draws 1-d and 2-d sizes; give one or two axes")
    if not sized.ok:
        raise UsageError("there is no output to draw (see the arithmetic: convcalc size without --animate)")
    out = []
    for i, size in enumerate(sized.input):
        k, s, d = settings["kernel"][i], settings["stride"][i], settings["dilation"][i]
        if settings["transposed"]:
            pad = d * (k - 1) - settings["padding"][i]
            if pad < 0:
                raise UsageError(f"padding {settings['padding'][i]} is over dilation * (kernel - 1) = {d * (k - 1)}: "
                                 "the transposed convolution crops its output, which --animate does not draw")
            out.append(Axis(size, k, 1, pad, pad + settings["output_padding"][i], d, sized.output[i], s))
            continue
        if settings["padding"] == "same":
            total = d * (k - 1)
            left, right = total // 2, total - total // 2
        elif settings["padding"] == "valid":
            left = right = 0
        else:
            left = right = settings["padding"][i]
        out.append(Axis(size, k, s, left, right, d, sized.output[i]))
    rows, cols = (out if len(out) == 2 else [Axis(1, 1, 1, 0, 0, 1, 1)] + out)
    frames = rows.output * cols.output
    if frames > MAX_FRAMES:
        raise UsageError(f"{frames:,} output positions to draw, over {MAX_FRAMES:,}: draw a smaller size")
    cells = rows.padded * cols.padded + 2 * frames + frames * rows.kernel * cols.kernel  # before any is built
    if cells > MAX_CELLS:
        raise UsageError(f"{cells:,} cells to draw (the padded input {rows.padded:,} x {cols.padded:,}, the output "
                         f"and a window of {rows.kernel * cols.kernel:,} cells in each of {frames:,} frames), over "
                         f"{MAX_CELLS:,}: draw a smaller size")
    return out


def rect(parent, cls: str, col: int, row: int, x0: float, y0: float, **extra) -> ET.Element:
    return ET.SubElement(parent, "rect", {"class": cls, "x": f"{x0 + col * CELL:g}", "y": f"{y0 + row * CELL:g}",
                                          "width": str(CELL), "height": str(CELL),
                                          "data-row": str(row), "data-col": str(col), **extra})


def number(parent, value, col: int, row: int, x0: float, y0: float, cls: str) -> None:
    ET.SubElement(parent, "text", {"class": cls, "x": f"{x0 + col * CELL + CELL / 2:g}",
                                   "y": f"{y0 + row * CELL + CELL / 2:g}"}).text = str(value)


def shown(frame: int, until_end: bool, total: int) -> dict:
    """SMIL: visible in frame ``frame`` only (or from it to the end of the cycle), repeating."""
    start = frame / total
    if until_end:
        return {"attributeName": "opacity", "calcMode": "discrete", "dur": f"{total * FRAME_SECONDS:g}s",
                "repeatCount": "indefinite", "values": "0;1", "keyTimes": f"0;{start:.6g}"}
    return {"attributeName": "opacity", "calcMode": "discrete", "dur": f"{total * FRAME_SECONDS:g}s",
            "repeatCount": "indefinite", "values": "0;1;0", "keyTimes": f"0;{start:.6g};{(frame + 1) / total:.6g}"}


def draw(sized, frame: Optional[int] = None, values=None) -> str:
    """The SVG text; ``frame``: one still of that output position (0-based, row-major);
    ``values``: a Worked (convcalc/pictures/worked.py), whose numbers fill the cells and whose
    written-out sum is shown for each output."""
    axes = axes_of(sized)
    rows, cols = (axes if len(axes) == 2 else [Axis(1, 1, 1, 0, 0, 1, 1)] + axes)
    frames = rows.output * cols.output
    if frames > MAX_FRAMES:
        raise UsageError(f"{frames:,} output positions to draw, over {MAX_FRAMES:,}: draw a smaller size")
    if frame is not None and not 0 <= frame < frames:
        raise UsageError(f"--frame {frame}: the frames are 0 to {frames - 1} (one per output position)")
    reach_rows = max(rows.padded, max(t for t in rows.taps(rows.output - 1)) + 1)
    reach_cols = max(cols.padded, max(t for t in cols.taps(cols.output - 1)) + 1)
    caption = sized.lines()
    width = MARGIN * 2 + max((reach_cols + GAP + cols.output) * CELL, CHAR * max(len(line) for line in caption))
    height = MARGIN * 3 + max(reach_rows, rows.output) * CELL + LINE * (len(caption) + (2 if values else 0))
    if values is not None:
        width = max(width, MARGIN * 2 + CHAR * max(len(values.sum_text(i)) for i in range(frames)))
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
                             "viewBox": f"0 0 {width} {height}", "data-frames": str(frames)})
    ET.SubElement(svg, "title").text = "convcalc size: " + " ".join(caption[-1:])
    ET.SubElement(svg, "style").text = STYLE
    x_in, y0 = MARGIN, MARGIN
    x_out = MARGIN + (reach_cols + GAP) * CELL
    grid = ET.SubElement(svg, "g", {"class": "input"})
    missed = {(r, c) for r in rows.uncovered() for c in cols.inputs()} | \
             {(r, c) for c in cols.uncovered() for r in rows.inputs()}
    for r in range(rows.padded):
        for c in range(cols.padded):
            kind = "in" if rows.kind(r) == cols.kind(c) == "in" else "pad" if "pad" in (rows.kind(r), cols.kind(c)) \
                else "zero"
            rect(grid, "uncovered" if (r, c) in missed else kind, c, r, x_in, y0)
            if values is not None and kind == "in":
                number(svg, values.image[rows.index(r)][cols.index(c)], c, r, x_in, y0, "value")
    outputs = ET.SubElement(svg, "g", {"class": "output"})
    for r in range(rows.output):
        for c in range(cols.output):
            rect(outputs, "out", c, r, x_out, y0)
    for index in range(frames):
        o_r, o_c = divmod(index, cols.output)
        if frame is None or index <= frame:
            done = ET.SubElement(outputs, "g", {"class": "filled", "data-frame": str(index)})
            rect(done, "done", o_c, o_r, x_out, y0)
            if values is not None:
                number(done, values.output[index], o_c, o_r, x_out, y0, "result")
            if frame is None:
                done.set("opacity", "0")
                ET.SubElement(done, "animate", shown(index, True, frames))
        if frame is not None and index != frame:
            continue
        window = ET.SubElement(svg, "g", {"class": "window", "data-frame": str(index)})
        if frame is None:
            window.set("opacity", "0")
            ET.SubElement(window, "animate", shown(index, False, frames))
        for i, r in enumerate(rows.taps(o_r)):
            for j, c in enumerate(cols.taps(o_c)):
                outside = r >= rows.padded or c >= cols.padded  # ceil_mode's window hanging past the input
                rect(window, "hang" if outside else "tap", c, r, x_in, y0)
                if values is not None and values.kernel is not None:
                    weight = values.weight(i if len(axes) == 2 else 0, j)
                    ET.SubElement(window, "text", {"class": "weight", "x": f"{x_in + c * CELL + CELL - 3:g}",
                                                   "y": f"{y0 + r * CELL + 9:g}"}).text = f"×{weight}"
        rect(window, "current", o_c, o_r, x_out, y0)
        if values is not None:
            number(window, values.output[index], o_c, o_r, x_out, y0, "result current-value")
            sum_y = y0 + max(reach_rows, rows.output) * CELL + MARGIN + LINE * (len(caption) + 1)
            ET.SubElement(window, "text", {"class": "sum", "x": str(MARGIN), "y": str(sum_y)}).text = \
                values.sum_text(index)
    text_y = y0 + max(reach_rows, rows.output) * CELL + MARGIN + LINE
    for i, line in enumerate(caption):
        ET.SubElement(svg, "text", {"x": str(MARGIN), "y": str(text_y + i * LINE)}).text = line
    return serialize(svg)
