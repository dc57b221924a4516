"""`convcalc size ... --animate FILE.svg`: the classic convolution-arithmetic figure (Dumoulin
and Visin's), drawn from the numbers of `convcalc size` (convcalc/lookup.py), every part
labelled: the input grid with its padding cells drawn apart, the kernel (with its weights under
--values), the output grid filling as the window moves one output position per frame, "frame k
of n", a legend of the cells, the input rows no window covers marked, the formula as the caption.

A window cell over the padding is drawn pale and dashed, apart from one over the input. Under
--values each cell is taller: its number in the upper half, the weight the window puts on it in
the lower half, so that they never overlap; every text is dark on a light fill or white on the
dark current output (WCAG AA contrast, 4.5:1 at least: tested).

The SVG is built with xml.etree.ElementTree (which escapes by construction) and animated with
SMIL only (no script): it plays in a browser and in a README on GitHub. ``frame`` draws one
still instead. A transposed convolution is drawn as the classic figures draw it: the direct
convolution it equals, over the input with stride - 1 zeros between its cells and
dilation * (kernel - 1) - padding cells of padding around (output_padding more after), the
window moving one cell at a time over the kernel flipped.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from convcalc.errors import UsageError
from convcalc.pictures.text import serialize

CELL = 24  # pixels of one cell
CELL_VALUES = 38  # with --values: a number above, a weight below
GAP = 2  # cells between two grids
MARGIN = 16
HEAD = 24  # the grids' labels above them
MAX_FRAMES = 1_024  # output positions drawn: a frame each
# cells drawn in all: the padded input, the output twice (empty, then filled) and each frame's window;
# 1000x1000 with -k 1 -s 1000 is one frame of a million input cells (98 MB of SVG, 1.15 GB to build)
MAX_DRAWN = 65_536
MAX_CELLS = 64  # cells of a grid's side at most (the padded input, the window hanging past it)
FRAME_SECONDS = 0.6
LINE = 18  # pixels of a caption line
CHAR = 8  # pixels of a caption character (13 px monospace: 0.602 em, rounded up)
SWATCH = 12
STYLE = """
text { font-family: monospace; font-size: 13px; fill: #212121; white-space: pre }
text.label { font-weight: bold }
text.value, text.result { text-anchor: middle }
text.weight { text-anchor: middle; font-size: 11px }
text.current-value { fill: #ffffff; font-weight: bold }
.in { fill: #dbe8f6; stroke: #4a6f99; stroke-width: 1 }
.pad { fill: #ffffff; stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 3 2 }
.zero { fill: #eeeeee; stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 1 2 }
.uncovered { fill: #f8d7d7; stroke: #b22222; stroke-width: 2 }
.tap { fill: #81c784; stroke: #1b5e20; stroke-width: 2 }
.tap-pad { fill: #eef7ee; stroke: #1b5e20; stroke-width: 2; stroke-dasharray: 4 2 }
.hang { fill: none; stroke: #1b5e20; stroke-width: 2; stroke-dasharray: 4 2 }
.kernel { fill: #81c784; stroke: #1b5e20; stroke-width: 1 }
.out { fill: #ffffff; stroke: #4a6f99; stroke-width: 1 }
.done { fill: #c8e6c9; stroke: #1b5e20; stroke-width: 1 }
.current { fill: #2e7d32; stroke: #1b5e20; stroke-width: 2 }
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
    if cells > MAX_DRAWN:
        raise UsageError(f"{cells:,} cells to draw (the padded input {rows.padded:,} x {cols.padded:,}, the output "
                         f"and a window of {rows.kernel * cols.kernel:,} cells in each of {frames:,} frames), over "
                         f"{MAX_DRAWN:,}: draw a smaller size")
    return out


def rect(parent, cls: str, col: int, row: int, x0: float, y0: float, cell: int, **extra) -> ET.Element:
    return ET.SubElement(parent, "rect", {"class": cls, "x": f"{x0 + col * cell:g}", "y": f"{y0 + row * cell:g}",
                                          "width": str(cell), "height": str(cell),
                                          "data-row": str(row), "data-col": str(col), **extra})


def text(parent, x: float, y: float, value, cls: str = "", **extra) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", **({"class": cls} if cls else {}),
                                             **extra})
    element.text = str(value)
    return element


def number(parent, value, col: int, row: int, x0: float, y0: float, cell: int, cls: str, upper: bool) -> None:
    """A cell's number, on the cell's centre line (``upper``: in its upper half, a weight below)."""
    baseline = y0 + row * cell + (cell * 0.42 + 4.5 if upper else cell / 2 + 4.5)
    text(parent, x0 + col * cell + cell / 2, baseline, value, cls)


def weight_label(parent, value, col: int, row: int, x0: float, y0: float, cell: int) -> None:
    """The weight on a window's cell, in the cell's lower half ("×2")."""
    text(parent, x0 + col * cell + cell / 2, y0 + row * cell + cell - 5, f"×{value}", "weight")


def shown(frame: int, until_end: bool, total: int) -> dict:
    """SMIL: visible in frame ``frame`` only (or from it to the end of the cycle), repeating."""
    start = frame / total
    if until_end:
        return {"attributeName": "opacity", "calcMode": "discrete", "dur": f"{total * FRAME_SECONDS:g}s",
                "repeatCount": "indefinite", "values": "0;1", "keyTimes": f"0;{start:.6g}"}
    return {"attributeName": "opacity", "calcMode": "discrete", "dur": f"{total * FRAME_SECONDS:g}s",
            "repeatCount": "indefinite", "values": "0;1;0", "keyTimes": f"0;{start:.6g};{(frame + 1) / total:.6g}"}


def in_frame(parent, cls: str, index: int, still: Optional[int], until_end: bool, frames: int) -> ET.Element:
    """A group shown in frame ``index`` (or from it on), animated; in a still, just drawn."""
    group = ET.SubElement(parent, "g", {"class": cls, "data-frame": str(index)})
    if still is None:
        group.set("opacity", "0")
        ET.SubElement(group, "animate", shown(index, until_end, frames))
    return group


def size_text(axes: list) -> str:
    return "x".join(str(a.size) for a in axes)


def labels(sized, axes: list, values) -> tuple:
    """(the input's label, the kernel's, the output's)."""
    settings = sized.settings
    kernel = "x".join(str(k) for k in settings["kernel"])
    pads = sorted({(a.left, a.right) for a in axes})
    padding = "" if pads == [(0, 0)] else f", padding {pads[0][0]}" if len(pads) == 1 and pads[0][0] == pads[0][1] \
        else ", padding " + " and ".join(f"{left}+{right}" for left, right in pads)
    spread = ", zeros between" if any(a.spread > 1 for a in axes) else ""
    if settings["pool"]:
        what = f"window {kernel} (max)"
    else:
        what = f"kernel {kernel}" + (", flipped" if settings["transposed"] and values is not None else "")
    if any(d != 1 for d in settings["dilation"]):
        what += f", dilation {'x'.join(str(d) for d in settings['dilation'])}"
    return f"input {size_text(axes)}{padding}{spread}", what, "output " + "x".join(str(a.output) for a in axes)


def legend_items(rows: "Axis", cols: "Axis", missed: set) -> list:
    """(class, words) of the cells this picture has."""
    padded = rows.left + rows.right + cols.left + cols.right > 0
    spread = rows.spread > 1 or cols.spread > 1
    items = [("in", "input")] + ([("pad", "padding")] if padded else []) + \
        ([("zero", "zero inserted")] if spread else []) + [("tap", "window")]
    if padded or spread:
        items.append(("tap-pad", "window on " + " or ".join(["padding"] * padded + ["a zero"] * spread)))
    if missed:
        items.append(("uncovered", "never read"))
    return items + [("current", "output now"), ("done", "output done")]


def draw(sized, frame: Optional[int] = None, values=None) -> tuple:
    """(the SVG text, a one-line summary); ``frame``: one still of that output position (0-based,
    row-major); ``values``: a Worked (convcalc/pictures/worked.py), whose numbers fill the cells
    and whose written-out sum is shown for each output."""
    axes = axes_of(sized)
    rows, cols = (axes if len(axes) == 2 else [Axis(1, 1, 1, 0, 0, 1, 1)] + axes)
    frames = rows.output * cols.output
    if frames > MAX_FRAMES:
        raise UsageError(f"{frames:,} output positions to draw, over {MAX_FRAMES:,}: draw a smaller size")
    if frame is not None and not 0 <= frame < frames:
        raise UsageError(f"--frame {frame}: the frames are 0 to {frames - 1} (one per output position)")
    reach_rows = max(rows.padded, max(t for t in rows.taps(rows.output - 1)) + 1)
    reach_cols = max(cols.padded, max(t for t in cols.taps(cols.output - 1)) + 1)
    if max(reach_rows, reach_cols) > MAX_CELLS:
        raise UsageError(f"the padded input is {max(reach_rows, reach_cols):,} cells across, over {MAX_CELLS}: "
                         "draw a smaller size")
    cell = CELL_VALUES if values is not None else CELL
    # an output's number may be long (-10098): the output grid's cells are as wide as the widest
    out_cell = max(cell, CHAR * max(len(str(v)) for v in values.output) + 8) if values is not None else cell
    weights = values is not None and values.kernel is not None
    k_rows, k_cols = (sized.settings["kernel"] if len(axes) == 2 else (1, sized.settings["kernel"][0]))
    caption = sized.lines()
    names = labels(sized, axes, values)
    widths = [max(reach_cols * cell, CHAR * len(names[0])), max(k_cols * cell, CHAR * len(names[1])),
              max(cols.output * out_cell, CHAR * len(names[2]))]
    x_in = MARGIN
    x_k = x_in + widths[0] + GAP * cell
    x_out = x_k + widths[1] + GAP * cell
    y0 = MARGIN + HEAD
    grid_bottom = y0 + max(reach_rows * cell, k_rows * cell, rows.output * out_cell)
    missed = {(r, c) for r in rows.uncovered() for c in cols.inputs()} | \
             {(r, c) for c in cols.uncovered() for r in rows.inputs()}
    legend = legend_items(rows, cols, missed)
    legend_width = sum(SWATCH + 6 + CHAR * len(words) + 18 for _, words in legend)
    sums = [values.sum_text(i) for i in range(frames)] if values is not None else []
    texts = caption + sums + [f"frame {frames} of {frames}: output {frames - 1} (row {rows.output}, column "
                              f"{cols.output})"]
    width = round(max(x_out + widths[2] + MARGIN, 2 * MARGIN + legend_width,
                      2 * MARGIN + CHAR * max(len(t) for t in texts)))
    legend_y = grid_bottom + MARGIN
    frame_y = legend_y + SWATCH + LINE + 4
    sum_y = frame_y + LINE
    caption_y = sum_y + (LINE if values is not None else 0) + 6
    height = round(caption_y + LINE * len(caption) + MARGIN)
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(width), "height": str(height),
                             "viewBox": f"0 0 {width} {height}", "data-frames": str(frames), "data-cell": str(cell)})
    ET.SubElement(svg, "title").text = "convcalc size: " + " ".join(caption[-1:])
    ET.SubElement(svg, "style").text = STYLE
    for x, name in zip((x_in, x_k, x_out), names):
        text(svg, x, MARGIN + 13, name, "label")
    grid = ET.SubElement(svg, "g", {"class": "input", "data-x": str(x_in), "data-y": str(y0)})
    for r in range(rows.padded):
        for c in range(cols.padded):
            kind = "in" if rows.kind(r) == cols.kind(c) == "in" else "pad" if "pad" in (rows.kind(r), cols.kind(c)) \
                else "zero"
            rect(grid, "uncovered" if (r, c) in missed else kind, c, r, x_in, y0, cell)
    kernel = ET.SubElement(svg, "g", {"class": "kernel-grid", "data-x": str(x_k), "data-y": str(y0)})
    for i in range(k_rows):
        for j in range(k_cols):
            rect(kernel, "kernel", j, i, x_k, y0, cell)
            if weights:
                number(kernel, values.weight(i if len(axes) == 2 else 0, j), j, i, x_k, y0, cell, "value", False)
    outputs = ET.SubElement(svg, "g", {"class": "output", "data-x": str(x_out), "data-y": str(y0),
                                       "data-cell": str(out_cell)})
    for r in range(rows.output):
        for c in range(cols.output):
            rect(outputs, "out", c, r, x_out, y0, out_cell)
    for index in range(frames):  # the outputs done: from the frame after their own (the current one covers it)
        if frame is None or index < frame:
            o_r, o_c = divmod(index, cols.output)
            done = in_frame(outputs, "filled", index + 1, frame, True, frames) if frame is None else \
                ET.SubElement(outputs, "g", {"class": "filled", "data-frame": str(index)})
            rect(done, "done", o_c, o_r, x_out, y0, out_cell)
            if values is not None:
                number(done, values.output[index], o_c, o_r, x_out, y0, out_cell, "result", False)
    chosen = range(frames) if frame is None else [frame]
    for index in chosen:  # the window of each frame, under the numbers
        o_r, o_c = divmod(index, cols.output)
        window = in_frame(svg, "window", index, frame, False, frames)
        for r in rows.taps(o_r):
            for c in cols.taps(o_c):
                outside = r >= rows.padded or c >= cols.padded  # ceil_mode's window hanging past the input
                over_input = not outside and rows.kind(r) == cols.kind(c) == "in"
                rect(window, "hang" if outside else "tap" if over_input else "tap-pad", c, r, x_in, y0, cell)
        rect(window, "current", o_c, o_r, x_out, y0, out_cell)
    if values is not None:  # the input's numbers, over every window
        for r in rows.inputs():
            for c in cols.inputs():
                number(svg, values.image[rows.index(r)][cols.index(c)], c, r, x_in, y0, cell, "value", weights)
    for index in chosen:  # each frame's weights, current output, frame number and sum, over everything
        o_r, o_c = divmod(index, cols.output)
        words = in_frame(svg, "frame-text", index, frame, False, frames)
        if weights:
            for i, r in enumerate(rows.taps(o_r)):
                for j, c in enumerate(cols.taps(o_c)):
                    if r < rows.padded and c < cols.padded:
                        weight_label(words, values.weight(i if len(axes) == 2 else 0, j), c, r, x_in, y0, cell)
        if values is not None:
            number(words, values.output[index], o_c, o_r, x_out, y0, out_cell, "result current-value", False)
            text(words, MARGIN, sum_y, sums[index], "sum")
        where = f" (row {o_r}, column {o_c})" if len(axes) == 2 else ""
        text(words, MARGIN, frame_y, f"frame {index + 1} of {frames}: output {index}{where}", "frame")
    x = MARGIN
    for cls, words in legend:  # what each kind of cell is
        ET.SubElement(svg, "rect", {"class": cls, "x": f"{x:g}", "y": f"{legend_y:g}", "width": str(SWATCH),
                                    "height": str(SWATCH), "data-legend": words})
        text(svg, x + SWATCH + 6, legend_y + SWATCH - 1, words, "legend")
        x += SWATCH + 6 + CHAR * len(words) + 18
    for i, line in enumerate(caption):
        text(svg, MARGIN, caption_y + i * LINE, line, "caption")
    summary = (f"frame {frame + 1} of {frames}" if frame is not None else f"{frames} frame{'s' if frames != 1 else ''}") \
        + f", {names[0]} to {names[2]}" + (", with the numbers" if values is not None else "")
    return serialize(svg), summary
