"""`convcalc draw NET -o FILE.svg`: the network as a layered graph, top to bottom (``--direction
LR``: left to right, one strip), sized for a 1280 x 720 slide.

One box per table row of `convcalc shapes` (folded blocks one box each, ``--depth`` as there),
each a card with the output tensor drawn to scale (convcalc/pictures/glyph.py) beside its shape,
its layer with the settings that make the shape (kernel, stride, padding) and its parameters; the
full call is its tooltip. Every edge is a tensor, from the box that made it to the box that reads
it, labelled with its name or its shape, its arrowhead on the box it enters. The layout is
layered (convcalc/pictures/layered.py), or a U for an encoder-decoder (convcalc/pictures/ushape.py);
this module sizes the cards and writes the SVG. Where the network breaks, a red box says why;
where a Python model was not followed, an orange one.

Built with xml.etree.ElementTree (escapes by construction), no script: the page
(convcalc/pictures/page.py) adds the table and the hover.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from convcalc.errors import UsageError
from convcalc.pictures import glyph
from convcalc.pictures.graph import LABEL, boxes_of, edges_of
from convcalc.pictures.layered import Label, layout
from convcalc.pictures.text import clean, serialize, short
from convcalc.report.common import shape_text

SLIDE = (1280, 720)  # the picture is laid out to fit this at full size when it can
MARGIN = 16
FONT = 11  # px: every text of the picture
CHAR = 6.7  # px of a character of the 11 px monospace font (DejaVu Sans Mono: 0.602 em, rounded up)
LINE = 13  # px between two lines of a card
PAD = 5  # inside a card
MAX_PIXELS = 60_000  # a picture's width or height at most
STYLE = """
text { font-family: monospace; font-size: 11px; fill: #212121; white-space: pre }
text.shape { font-weight: bold }
text.edge { fill: #37474f; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round }
text.edge.named { fill: #6a1b9a }
rect.card { fill: #ffffff; stroke: #90a4ae; stroke-width: 1; rx: 4px }
.conv rect.card { fill: #fff3e0 } .window rect.card { fill: #e0f2f1 } .linear rect.card { fill: #f3e5f5 }
.join rect.card { fill: #fffde7 } .folded rect.card { fill: #e8eaf6 } .input rect.card { fill: #f5f5f5 }
.other rect.card { fill: #eceff1 }
.face { stroke: #37474f; stroke-width: 1 }
.conv .face { fill: #ffb74d } .window .face { fill: #4db6ac } .other .face { fill: #90a4ae }
.linear .face { fill: #ba68c8 } .join .face { fill: #fff176 } .input .face { fill: #bdbdbd }
.folded .face { fill: #7986cb } .symbolic .face { stroke-dasharray: 4 2 }
.top { fill: #ffffff; fill-opacity: 0.45 } .side { fill: #000000; fill-opacity: 0.18 }
line.tick { stroke: #37474f; stroke-width: 0.75 }
.error rect.card { fill: #ffebee; stroke: #c62828; stroke-width: 2 } .error text { fill: #b71c1c }
.stopped rect.card { fill: #fff3e0; stroke: #e65100; stroke-width: 2 } .stopped text { fill: #8a3b00 }
path.edge { stroke: #546e7a; stroke-width: 1.5; fill: none }
path.edge.named { stroke: #8e24aa }
polygon.backdrop { fill: #eef3f7; stroke: #cfd8dc; stroke-width: 1; stroke-linejoin: round }
"""


class Card:
    """A box's size and text: the glyph on the left, the lines on the right."""

    def __init__(self, box, scales: glyph.Scales, glyph_width: float):
        self.box = box
        self.glyph = glyph.Glyph(box.shape, scales) if box.kind not in ("error", "stopped") else None
        if self.glyph is None:
            self.texts = [(box.lines[0], "shape")] + [(line, "") for line in box.message]
            self.glyph_width = 0.0
        else:
            label = short(shape_text(box.shape), 2 * LABEL)
            self.texts = [(label, "shape")] + [(line, "") for line in box.lines]
            self.glyph_width = glyph_width
        self.text_width = max(len(t) for t, _ in self.texts) * CHAR
        self.width = PAD + self.glyph_width + (PAD if self.glyph_width else 0) + self.text_width + PAD
        tall = self.glyph.height if self.glyph is not None else 0.0
        self.height = max(tall, len(self.texts) * LINE) + 2 * PAD


COMPACT = ("input", "join")  # cards as wide as their own text: an input, an add or a concat


def cards_of(boxes: list, scales: glyph.Scales) -> list:
    """The cards: every layer's card as wide as the widest (a column of them reads as one), an
    input's, an add's or a concat's as its text."""
    widest = max((glyph.Glyph(b.shape, scales).width for b in boxes if b.kind not in ("error", "stopped")),
                 default=0.0)
    cards = [Card(b, scales, widest) for b in boxes]
    width = max((c.width for c in cards if c.glyph is not None and c.box.kind not in COMPACT), default=0.0)
    for card in cards:
        if card.glyph is not None and card.box.kind not in COMPACT:
            card.width = width
    return cards


def text(parent, x: float, y: float, value: str, cls: str = "") -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **({"class": cls} if cls else {})})
    element.text = value
    return element


def draw_card(svg, card: Card, index: int, x: float, y: float) -> None:
    box = card.box
    attributes = {"class": f"box {box.kind}" + (" symbolic" if any(type(d) is not int for d in box.shape) else ""),
                  "data-box": str(index), "data-shape": shape_text(box.shape), "data-line": str(box.line),
                  "data-x": f"{x:.1f}", "data-y": f"{y:.1f}", "data-width": f"{card.width:.1f}",
                  "data-height": f"{card.height:.1f}"}
    if box.entry is not None:
        attributes["data-entry"], attributes["data-rows"] = str(box.entry), box.rows
    group = ET.SubElement(svg, "g", attributes)
    ET.SubElement(group, "title").text = box.title
    ET.SubElement(group, "rect", {"class": "card", "x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{card.width:.1f}",
                                  "height": f"{card.height:.1f}"})
    if card.glyph is not None:
        glyph.draw(group, card.glyph, x + PAD + (card.glyph_width - card.glyph.width) / 2,
                   y + (card.height - card.glyph.height) / 2)
    left = x + PAD + card.glyph_width + (PAD if card.glyph_width else 0)
    top = y + (card.height - len(card.texts) * LINE) / 2
    for i, (line, cls) in enumerate(card.texts):
        text(group, left, top + i * LINE + FONT - 1, line, cls)


def route_path(points: list, across: bool) -> str:
    """A route as a path: between two points a curve leaving and entering along the major axis
    (straight where the points share an axis)."""
    x, y = points[0]
    d = [f"M{x:.1f},{y:.1f}"]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 == x1 or y0 == y1:
            d.append(f"L{x1:.1f},{y1:.1f}")
        elif across:
            mid = (y0 + y1) / 2
            d.append(f"C{x0:.1f},{mid:.1f} {x1:.1f},{mid:.1f} {x1:.1f},{y1:.1f}")
        else:
            mid = (x0 + x1) / 2
            d.append(f"C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
    return " ".join(d)


def label_requests(edges: list) -> list:
    """One label per tensor leaving a box (its shape, at the box it leaves: the edges of one
    tensor start together), and one per named edge (its name, at the box that reads it)."""
    requests, seen = [], set()
    for e, edge in enumerate(edges):
        key = (edge.source, edge.name)
        if edge.name is None and key in seen:
            continue
        seen.add(key)
        requests.append(Label(e, len(edge.label) * CHAR, LINE - 1, "target" if edge.name else "source"))
    return requests


def svg_element(analysis, entries: list, totals: list, direction: str = "TB", logarithmic: bool = False,
                fit=SLIDE) -> tuple:
    """(the SVG element, its boxes): the page embeds the element."""
    from convcalc.pictures import ushape

    boxes = boxes_of(analysis, entries)
    edges = edges_of(boxes)
    scales = glyph.Scales([b.shape for b in boxes], logarithmic)
    cards = cards_of(boxes, scales)
    notes = [scales.legend()] + totals  # under the picture: the scale, then the totals
    notes_height = len(notes) * LINE + (PAD if notes else 0)
    room = (fit[0] - 2 * MARGIN, fit[1] - 2 * MARGIN - notes_height if fit[1] else None)
    requests = label_requests(edges)
    sizes = [(c.width, c.height) for c in cards]
    pairs = [(e.source, e.target) for e in edges]
    shape_u = ushape.found(boxes, edges) if direction == "TB" else None
    placed = ushape.layout(shape_u, sizes, pairs, requests, room[0]) if shape_u is not None else None
    if placed is not None and room[1] is None and placed.width > room[0]:
        shape_u = placed = None  # a page's pane too narrow for the U: the layered graph, legible
    if placed is None:
        placed = layout(sizes, pairs, requests, direction, room)
    width = max(placed.width + 2 * MARGIN, 2 * MARGIN + CHAR * max((len(t) for t in notes), default=0))
    height = placed.height + 2 * MARGIN + notes_height
    if width > MAX_PIXELS or height > MAX_PIXELS:
        other = "LR" if (width > MAX_PIXELS) == (direction == "TB") else "TB"  # the other way may fit
        raise UsageError(f"the picture would be {width:,.0f} x {height:,.0f} pixels, over {MAX_PIXELS:,}: fold the "
                         f"blocks with --depth N, or try --direction {other}")
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": f"{width:.0f}", "height": f"{height:.0f}",
                             "viewBox": f"0 0 {width:.0f} {height:.0f}", "data-boxes": str(len(boxes)),
                             "data-edges": str(len(edges)), "data-scale": "log" if logarithmic else "linear",
                             "data-layout": "U" if shape_u is not None else direction,
                             "data-columns": str(placed.columns)})
    ET.SubElement(svg, "title").text = f"convcalc draw: {clean(os.path.basename(analysis.path))}"
    ET.SubElement(svg, "style").text = STYLE
    defs = ET.SubElement(svg, "defs")
    for name, colour in (("arrow", "#546e7a"), ("arrow-named", "#8e24aa")):
        marker = ET.SubElement(defs, "marker", {"id": name, "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
                                                "markerWidth": "8", "markerHeight": "8", "orient": "auto",
                                                "markerUnits": "userSpaceOnUse"})
        ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})
    if placed.backdrop:
        ET.SubElement(svg, "polygon", {"class": "backdrop", "points": " ".join(
            f"{x + MARGIN:.1f},{y + MARGIN:.1f}" for x, y in placed.backdrop)})
    across = direction == "TB" or shape_u is not None
    for e, edge in enumerate(edges):
        route = placed.routes[e]
        if not route:
            continue
        named = " named" if edge.name else ""
        path = ET.SubElement(svg, "path", {"class": "edge" + named, "d": route_path(
            [(x + MARGIN, y + MARGIN) for x, y in route], across), "marker-end": f"url(#arrow{'-named' if named else ''})",
            "data-from": str(edge.source), "data-to": str(edge.target), **({"data-name": edge.name} if edge.name else {})})
        ET.SubElement(path, "title").text = f"{edge.label}: {shape_text(boxes[edge.source].shape)}" if edge.name \
            else edge.label
    for i, card in enumerate(cards):
        draw_card(svg, card, i, placed.x[i] + MARGIN, placed.y[i] + MARGIN)
    for request, place in zip(requests, placed.labels):
        if place is None:
            continue
        edge = edges[request.edge]
        x, y, w, h = place
        element = text(svg, x + MARGIN, y + MARGIN + FONT - 1, edge.label, "edge" + (" named" if edge.name else ""))
        element.set("data-edge", str(request.edge))
    base = placed.height + 2 * MARGIN + FONT
    for i, line in enumerate(notes):
        text(svg, MARGIN, base + i * LINE, line, "note")
    return svg, boxes


BOXES = 30  # a diagram of more rows folds by itself, as a table of over TABLE_ROWS does
MAX_BOXES = 2_000  # boxes drawn at most (a picture 300,000 pixels wide is no picture)


def diagram(analysis, depth, html: bool, direction: str = "TB", logarithmic: bool = False) -> tuple:
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
    layers = f"{len(shown)} layer box{'es' if len(shown) != 1 else ''}"
    if folded:
        totals.append(f"{len(analysis.rows)} rows folded into {layers} at depth {chosen} (--depth all draws every row)")
    if html:
        from convcalc.pictures.page import DIAGRAM

        svg, boxes = svg_element(analysis, shown, [], direction, logarithmic, (DIAGRAM, None))
    else:
        svg, boxes = svg_element(analysis, shown, totals, direction, logarithmic)
    edges = int(svg.get("data-edges"))
    inputs = sum(1 for b in boxes if b.kind == "input")
    problem = {"error": ", 1 box where it breaks", "stopped": ", 1 box where it was not followed"}.get(
        boxes[-1].kind if boxes else "", "")
    summary = f"{layers}, {inputs} input{'s' if inputs != 1 else ''}{problem}, {edges} edge{'s' if edges != 1 else ''}" \
        + (f", folded to depth {chosen}" if folded else "")
    if not html:
        return serialize(svg), summary
    from convcalc.pictures.page import page

    return page(svg, boxes, shown, totals, analysis), summary
