"""`convcalc draw NET -o FILE.svg`: the network as the classic LeNet/AlexNet figures draw it.

One box per table row of `convcalc shapes` (folded blocks one box each, ``--depth`` as there),
left to right: the box's height is the spatial height, its oblique depth the width, its
thickness the channels, on a log scale when the sizes differ more than LOG_RATIO times. Each
box is labelled with its shape above and its layer and parameters below. A box fed by the one
before it gets an arrow; any other input (a residual's skip, a shortcut, a saved tensor) is an
arc above the boxes, named when the tensor was saved under a name. Where the network breaks, a
red box says why; where a Python model was not followed, an orange one. The edges come from the
measuring walk (RowInfo.sources), the numbers from the same entries the tables print.

Built with xml.etree.ElementTree (escapes by construction), no script: the page
(convcalc/pictures/page.py) adds the table and the hover.
"""
from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional

from convcalc.errors import UsageError, source_lines
from convcalc.pictures.text import clean, serialize, short
from convcalc.report.common import num, one_line, shape_text
from convcalc.symbolic import dims

MARGIN = 20
GAP = 26  # pixels between two columns
HEIGHT = (10, 150)  # a box's spatial height and depth, smallest and largest (pixels)
THICK = (4, 56)  # its thickness from the channels
VECTOR = 8  # the thickness of a vector (a Linear's output)
OBLIQUE = 0.45  # the depth's share drawn up and right
LOG_RATIO = 16  # sizes differing more than this: a log scale
CHAR = 7  # pixels of a label character (11 px monospace)
LINE = 14
LABEL = 20  # characters of a label line at most
ARC_STEP = 14  # pixels between arc levels
MAX_LEVELS = 8
MESSAGE_CHARS = 44  # a line of the error box's message
NOMINAL = 64  # a symbol's size in the drawing (see nominal)
STYLE = """
text { font-family: monospace; font-size: 11px; fill: #222; white-space: pre }
text.shape { font-weight: bold }
text.mid { text-anchor: middle }
text.edge { font-size: 10px; fill: #6a1b9a; text-anchor: middle }
text.total { font-size: 12px }
.face { stroke: #37474f; stroke-width: 1 }
.conv .face { fill: #ffcc80 } .window .face { fill: #80cbc4 } .other .face { fill: #b0c4de }
.linear .face { fill: #ce93d8 } .join .face { fill: #fff59d } .input .face { fill: #e0e0e0 }
.folded .face { fill: #9fa8da } .symbolic .face { stroke-dasharray: 4 2 }
.top { fill: #ffffff; fill-opacity: 0.45 } .side { fill: #000000; fill-opacity: 0.18 }
.error .face { fill: #ffcdd2; stroke: #c62828; stroke-width: 2 } .error text { fill: #b71c1c }
.stopped .face { fill: #ffe0b2; stroke: #e65100; stroke-width: 2 }
.chain { stroke: #455a64; stroke-width: 1.5; fill: none }
.arc { stroke: #6a1b9a; stroke-width: 1.5; fill: none }
"""


@dataclass
class Box:
    """One drawn box: an input, a table entry, or the place the network breaks or stops."""

    kind: str  # input, conv, window, linear, join, other, folded, error, stopped
    shape: tuple = ()
    title: str = ""  # the full text, shown on hover
    name: str = ""  # the first label line: Conv2d, BasicBlock, input
    detail: str = ""  # the second: the arguments
    params: str = ""
    folded: int = 1  # the rows a folded box stands for
    line: object = ""
    entry: Optional[int] = None  # its row of the table (the page's hover); None for an input
    rows: str = ""  # the analysis rows it stands for, first-last
    sources: list = field(default_factory=list)  # (box index, saved name or None)
    message: list = field(default_factory=list)  # an error box's lines
    shared: bool = False  # a layer object called again: its parameters are counted once, at its first box
    # geometry, set by layout
    x: float = 0
    width: float = 0  # the column's
    thick: float = 0
    height: float = 0
    depth: float = 0


def kind_of(row) -> str:
    """The colour of a row's box, from the engine's traits (no layer names are tested here)."""
    if row.kind == "conv":
        return "conv"
    if row.name in ("add", "concat"):
        return "join"
    if row.geometry is not None or row.global_pool:
        return "window"
    if len(row.shape) == 1 and row.params:
        return "linear"
    return "other"


def split_call(text: str) -> tuple:
    """("Conv2d", "3, 64, kernel_size=7"): a call's name and its arguments, for two label lines."""
    name, paren, rest = text.partition("(")
    if not paren:
        return short(text, LABEL), ""
    return short(name, LABEL), short(rest[:-1] if rest.endswith(")") else rest, LABEL)


def boxes_of(analysis, entries: list) -> list:
    """The boxes, inputs first, then one per entry; then the error or the stop, if any."""
    # no input box when the walk never reached one (no input line: the error box says so)
    boxes = [Box("input", analysis.input, f"input {shape_text(analysis.input)}", "input", "", "")] \
        if analysis.input else []
    inputs = {None: 0} if analysis.input else {}
    for name, shape in analysis.extra_inputs:
        inputs[name] = len(boxes)
        boxes.append(Box("input", shape, f"input {clean(name)} {shape_text(shape)}", short(clean(name), LABEL)))
    owner = {}
    for index, entry in enumerate(entries):
        rows = [analysis.rows[i] for i in entry.rows]
        text = clean(one_line(entry.layer))
        folded = entry.folded > 1 or entry.block
        name, detail = split_call(text)
        where = f"line {entry.line}" if entry.line != "" else "the whole network"
        if entry.module:
            where += f" ({clean(entry.module)})"
        box = Box("folded" if folded else kind_of(rows[0]), entry.shape,
                  f"{where}: {text} -> {shape_text(entry.shape)}, {num(entry.params)} params"
                  + (f" ({entry.folded} rows folded)" if folded else ""),
                  name, detail, num(entry.params), folded=entry.folded if folded else 1, line=entry.line,
                  entry=index, rows=f"{entry.rows[0]}-{entry.rows[-1]}", shared=not folded and rows[0].shared)
        me = len(boxes)
        for i in entry.rows:
            owner[i] = me
        for i in entry.rows:
            for source, saved in analysis.info[i].sources:
                origin = owner.get(source) if source >= 0 else inputs.get(saved if saved in inputs else None)
                if origin is not None and origin != me and all(origin != s for s, _ in box.sources):
                    box.sources.append((origin, clean(saved) if saved is not None and source >= 0 else None))
        boxes.append(box)
    last = len(boxes) - 1  # -1: nothing before the error
    problem = analysis.error if analysis.error is not None else \
        analysis.stopped if analysis.stopped is not None and not analysis.followed else None
    if problem is not None:
        failed = problem is analysis.error
        span = problem.span
        line = span.line if span is not None else 0
        # the file's own line (a span into another file of the tree shows none)
        lines = source_lines(analysis.source, analysis.path) if span is not None and not span.path else ()
        written = wrapped(f"line {line}: {clean(' '.join(lines[line - 1].split()))}", MESSAGE_CHARS)[:2] \
            if 0 < line <= len(lines) else []
        box = Box("error" if failed else "stopped", (), f"line {line}: {problem.code} {clean(problem.message)}",
                  f"{problem.code} {'breaks' if failed else 'not followed'}", f"line {line}" if line else "",
                  line=line or "", sources=[(last, None)] if last >= 0 else [])
        box.message = written + wrapped(clean(problem.message), MESSAGE_CHARS)[:6]
        boxes.append(box)
    return boxes


def wrapped(text: str, width: int) -> list:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = ""
        line = f"{line} {word}" if line else short(word, width)
    return out + ([line] if line else [])


def scale(values: list, low: float, high: float):
    """size -> pixels: linear from the largest, or logarithmic when the sizes differ a lot."""
    known = [v for v in values if type(v) is int and v >= 1]
    if not known:
        return lambda v: (low + high) / 2, False
    top, bottom = max(known), min(known)
    logarithmic = top > LOG_RATIO * bottom
    if logarithmic:
        return lambda v: low + (high - low) * math.log(v) / math.log(top) if type(v) is int and v >= 1 \
            else (low + high) / 2, True
    return lambda v: max(low, high * v / top) if type(v) is int else (low + high) / 2, False


def nominal(size):
    """The size a box is drawn at: a symbolic one as if each symbol were NOMINAL (3 x H x W at
    64 x 64, floor(H/2) at 32), so that the boxes still shrink where the network shrinks; the
    label keeps the formula and the outline is dashed."""
    if type(size) is int or not dims.is_symbolic(size):
        return size
    value = dims.substitute(size, {name: NOMINAL for name in dims.symbols(size)})
    return value if type(value) is int else None


def extents(shape: tuple) -> tuple:
    """(channels, height, width) of a box: C x H x W as drawn; C x L a flat slab; a vector a bar;
    C x D x H x W as its last two axes (the label gives D)."""
    shape = tuple(nominal(d) for d in shape)
    if len(shape) >= 3:
        return shape[0], shape[-2], shape[-1]
    if len(shape) == 2:
        return shape[0], shape[1], None
    if len(shape) == 1:
        return None, shape[0], None
    return None, None, None


def shape_label(box: Box) -> str:
    """The shape above a box; a long symbolic one shortened (the tooltip and data-shape hold it whole)."""
    return short(shape_text(box.shape), 2 * LABEL)


def layout(boxes: list) -> dict:
    sizes = [v for b in boxes for v in extents(b.shape)[1:] if v is not None]
    channels = [extents(b.shape)[0] for b in boxes if extents(b.shape)[0] is not None]
    size_px, size_log = scale(sizes, *HEIGHT)
    thick_px, thick_log = scale(channels, *THICK)
    x = MARGIN
    for box in boxes:
        c, h, w = extents(box.shape)
        if box.kind in ("error", "stopped"):
            box.thick, box.height, box.depth = CHAR * (MESSAGE_CHARS + 2), LINE * (len(box.message) + 1), 0
        else:
            box.thick = VECTOR if c is None else thick_px(c)
            box.height = HEIGHT[0] if h is None else size_px(h)
            box.depth = 0 if w is None else size_px(w) * OBLIQUE
        label = max(len(shape_label(box)), len(box.name), len(box.detail), len(box.params) + 16) * CHAR
        box.width = max(box.thick + box.depth, label)
        box.x = x
        x += box.width + GAP
    return {"width": x - GAP + MARGIN, "size_log": size_log, "thick_log": thick_log}


def arcs(boxes: list) -> list:
    """(source, target, name, level): every input that is not the box just before, levelled so
    that a wider arc rides above the narrower ones under it."""
    found = [(s, t, name) for t, box in enumerate(boxes) for s, name in box.sources if s != t - 1 or name]
    found.sort(key=lambda a: a[1] - a[0])
    placed: list = []
    for s, t, name in found:
        under = [level for (s2, t2, _, level) in placed if s2 < t and s < t2]
        placed.append((s, t, name, min(MAX_LEVELS, 1 + max(under, default=0))))
    return placed


def polygon(parent, cls: str, points: list) -> None:
    ET.SubElement(parent, "polygon", {"class": cls, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points)})


def text(parent, x: float, y: float, value: str, cls: str = "") -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **({"class": cls} if cls else {})})
    element.text = value
    return element


def draw_box(svg, box: Box, index: int, mid: float, label_top: float, label_bottom: float) -> None:
    attributes = {"class": f"box {box.kind}" + (" symbolic" if any(type(d) is not int for d in box.shape) else ""),
                  "data-box": str(index), "data-shape": shape_text(box.shape), "data-line": str(box.line)}
    if box.entry is not None:
        attributes["data-entry"], attributes["data-rows"] = str(box.entry), box.rows
    group = ET.SubElement(svg, "g", attributes)
    ET.SubElement(group, "title").text = box.title
    left = box.x + (box.width - box.thick - box.depth) / 2
    top, bottom, right = mid - box.height / 2, mid + box.height / 2, left + box.thick
    dx, dy = box.depth, box.depth
    ET.SubElement(group, "rect", {"class": "face", "x": f"{left:.1f}", "y": f"{top:.1f}", "width": f"{box.thick:.1f}",
                                  "height": f"{box.height:.1f}"})
    if box.depth:
        polygon(group, "face top-face", [(left, top), (right, top), (right + dx, top - dy), (left + dx, top - dy)])
        polygon(group, "top", [(left, top), (right, top), (right + dx, top - dy), (left + dx, top - dy)])
        polygon(group, "face side-face", [(right, top), (right + dx, top - dy), (right + dx, bottom - dy),
                                          (right, bottom)])
        polygon(group, "side", [(right, top), (right + dx, top - dy), (right + dx, bottom - dy), (right, bottom)])
    centre = box.x + box.width / 2
    if box.kind in ("error", "stopped"):
        for i, line in enumerate(box.message):
            text(group, left + 6, top + LINE * (i + 1), line)
    else:
        text(group, centre, label_top, shape_label(box), "shape mid")
    text(group, centre, label_bottom, box.name, "mid")
    if box.detail:
        text(group, centre, label_bottom + LINE, box.detail, "mid")
    if box.params:
        text(group, centre, label_bottom + 2 * LINE, f"{box.params} params" + (" (shared)" if box.shared else ""),
             "mid")
    if box.folded > 1:
        text(group, centre, label_bottom + 3 * LINE, f"{box.folded} rows folded", "mid")


def svg_element(analysis, entries: list, totals: list) -> tuple:
    """(the SVG element, its boxes): the page embeds the element."""
    boxes = boxes_of(analysis, entries)
    geometry = layout(boxes)
    placed = arcs(boxes)
    levels = max((level for *_, level in placed), default=0)
    reach = max(b.height / 2 + b.depth for b in boxes)
    label_top = MARGIN + levels * ARC_STEP + LINE + 4
    mid = label_top + 8 + reach
    label_bottom = mid + max(b.height / 2 for b in boxes) + LINE + 2
    height = label_bottom + 4 * LINE + MARGIN + LINE * len(totals)
    width = max(geometry["width"], 2 * MARGIN + CHAR * max((len(t) for t in totals), default=0))
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": f"{width:.0f}", "height": f"{height:.0f}",
                             "viewBox": f"0 0 {width:.0f} {height:.0f}", "data-boxes": str(len(boxes)),
                             "data-scale": ("log" if geometry["size_log"] else "linear") + "," +
                                           ("log" if geometry["thick_log"] else "linear")})
    ET.SubElement(svg, "title").text = f"convcalc draw: {clean(os.path.basename(analysis.path))}"
    ET.SubElement(svg, "style").text = STYLE
    defs = ET.SubElement(svg, "defs")
    marker = ET.SubElement(defs, "marker", {"id": "arrow", "viewBox": "0 0 8 8", "refX": "7", "refY": "4",
                                            "markerWidth": "7", "markerHeight": "7", "orient": "auto"})
    ET.SubElement(marker, "path", {"d": "M0,0 L8,4 L0,8 z", "fill": "#455a64"})
    for i, box in enumerate(boxes):
        if any(s == i - 1 and not name for s, name in box.sources):
            before = boxes[i - 1]
            start = before.x + (before.width + before.thick + before.depth) / 2 - before.depth / 2
            end = box.x + (box.width - box.thick - box.depth) / 2
            ET.SubElement(svg, "line", {"class": "chain", "x1": f"{start + 2:.1f}", "y1": f"{mid:.1f}",
                                        "x2": f"{end - 2:.1f}", "y2": f"{mid:.1f}", "marker-end": "url(#arrow)",
                                        "data-from": str(i - 1), "data-to": str(i)})
    base = label_top - LINE
    for s, t, name, level in placed:
        x1, x2 = boxes[s].x + boxes[s].width / 2, boxes[t].x + boxes[t].width / 2
        apex = base - level * ARC_STEP
        ET.SubElement(svg, "path", {"class": "arc", "d": f"M{x1:.1f},{base:.1f} C{x1:.1f},{apex:.1f} {x2:.1f},"
                                    f"{apex:.1f} {x2:.1f},{base:.1f}", "marker-end": "url(#arrow)",
                                    "data-from": str(s), "data-to": str(t), **({"data-name": name} if name else {})})
        if name:
            text(svg, (x1 + x2) / 2, base - 0.75 * level * ARC_STEP - 2, name, "edge")
    for i, box in enumerate(boxes):
        draw_box(svg, box, i, mid, label_top, label_bottom)
    for i, line in enumerate(totals):
        text(svg, MARGIN, label_bottom + 4 * LINE + MARGIN / 2 + i * LINE, line, "total")
    return svg, boxes


BOXES = 30  # a diagram of more rows folds by itself, as a table of over TABLE_ROWS does
MAX_BOXES = 2_000  # boxes drawn at most (a picture 300,000 pixels wide is no picture)


def diagram(analysis, depth, html: bool) -> tuple:
    """(the SVG or the page, a one-line summary): ``depth`` None folds a long network by itself,
    "all" draws every row, a number folds as `shapes --depth N`."""
    from convcalc.report.rows import default_depth, entries
    from convcalc.report.shapes import totals_lines

    chosen = default_depth(analysis, BOXES) if depth is None else None if depth == "all" else depth
    shown = entries(analysis, "torchinfo", 1, "float32", chosen)
    if len(shown) > MAX_BOXES:
        raise UsageError(f"{len(shown):,} boxes to draw, over {MAX_BOXES:,}: fold the blocks with --depth N")
    totals = [clean(line) for line in totals_lines(analysis, 1)]
    folded = chosen is not None and len(shown) < len(analysis.rows)
    if folded:
        totals.append(f"{len(analysis.rows)} rows folded to {len(shown)} boxes at depth {chosen} (--depth all draws "
                      "every row)")
    svg, boxes = svg_element(analysis, shown, totals)
    edges = sum(len(b.sources) for b in boxes)
    summary = f"{len(boxes)} box{'es' if len(boxes) != 1 else ''}, {edges} edge{'s' if edges != 1 else ''}" + \
        (f", folded to depth {chosen}" if folded else "")
    if not html:
        return serialize(svg), summary
    from convcalc.pictures.page import page

    return page(svg, shown, totals, analysis.path), summary
