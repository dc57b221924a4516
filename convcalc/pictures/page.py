"""`convcalc draw NET -o FILE.html`: one page, the `shapes` table beside the diagram
(convcalc/pictures/network.py), side by side without scrolling sideways at 1280 px: the table's
long cells wrap, the diagram is laid out for its pane (wrapped into as many columns as its width
takes) and scales down if it is still wider; each pane scrolls down on its own. Hovering a row
or a box highlights both (yellow and blue: red is for errors) and scrolls the other into view,
and ``#entry-N`` in the address highlights entry N when the page opens (a link to one layer).
Six lines of inline script and no request: it works from file://. Built with ElementTree's HTML
serializer, which escapes every text from the input."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from convcalc.pictures.text import clean, serialize
from convcalc.report.common import num, one_line, shape_text

DIAGRAM = 660  # px: the diagram's pane at a 1280 px window, what its layout is fitted to
CSS = """
body { font-family: system-ui, sans-serif; margin: 12px; color: #212121 }
h1 { font-size: 18px; margin: 0 0 10px }
main { display: grid; grid-template-columns: minmax(0, 44fr) minmax(0, 56fr); gap: 16px; align-items: start }
.table, .diagram { max-height: calc(100vh - 60px); overflow-y: auto; overflow-x: hidden }
.diagram { border: 1px solid #ddd }
.diagram svg { display: block; max-width: 100%; height: auto }
table { border-collapse: collapse; font: 12px monospace; width: 100%; table-layout: auto }
th, td { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top;
  overflow-wrap: anywhere }
td.number, td.shape, th { white-space: nowrap } td.number { text-align: right }
tr.hover td { background: #fff176 }
g.hover rect.card { stroke: #1565c0; stroke-width: 3 }
p.total { font: 12px monospace; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere }
"""
SCRIPT = """
function mark(i, on, from) { document.querySelectorAll('[data-entry="' + i + '"]').forEach(function (e) {
  e.classList.toggle('hover', on); if (on && e !== from) { e.scrollIntoView({block: 'nearest', inline: 'nearest'}); } }); }
document.querySelectorAll('[data-entry]').forEach(function (e) {
  e.addEventListener('mouseenter', function () { mark(e.dataset.entry, true, e); });
  e.addEventListener('mouseleave', function () { mark(e.dataset.entry, false, e); }); });
var wanted = /^#entry-(\\d+)$/.exec(location.hash); if (wanted) { mark(wanted[1], true, null); }
"""


def table(boxes: list, entries: list, modules: bool) -> ET.Element:
    """The rows of the boxes: each at its line in the model's own file (a layer written in an
    imported file at the call that runs it, where it is written on hover)."""
    element = ET.Element("table")
    head = ET.SubElement(ET.SubElement(element, "thead"), "tr")
    for name in ["line"] + (["module"] if modules else []) + ["layer", "output", "params"]:
        ET.SubElement(head, "th").text = name
    body = ET.SubElement(element, "tbody")
    by_entry = {box.entry: box for box in boxes if box.entry is not None}
    for index, entry in enumerate(entries):
        box = by_entry[index]
        row = ET.SubElement(body, "tr", {"data-entry": str(index), "id": f"entry-{index}"})
        line = ET.SubElement(row, "td", {"class": "number"})
        line.text = str(box.line)
        if box.written:
            line.set("title", f"written at {box.written}")
        cells = ([(clean(entry.module), "")] if modules else []) + \
            [(clean(one_line(entry.layer)) + (f"  ({entry.folded} rows)" if entry.folded > 1 else ""), ""),
             (shape_text(entry.shape), "shape"), (num(entry.params), "number")]
        for value, cls in cells:
            ET.SubElement(row, "td", {"class": cls} if cls else {}).text = value
    return element


def page(svg: ET.Element, boxes: list, entries: list, totals: list, analysis) -> str:
    title = clean(os.path.basename(analysis.path))
    html = ET.Element("html", {"lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = f"convcalc draw: {title}"
    ET.SubElement(head, "style").text = CSS
    body = ET.SubElement(html, "body")
    ET.SubElement(body, "h1").text = title
    main = ET.SubElement(body, "main")
    left = ET.SubElement(main, "div", {"class": "table"})
    left.append(table(boxes, entries, any(entry.module for entry in entries)))
    for line in totals:
        ET.SubElement(left, "p", {"class": "total"}).text = line
    ET.SubElement(main, "div", {"class": "diagram"}).append(svg)
    ET.SubElement(body, "script").text = SCRIPT
    return "<!DOCTYPE html>\n" + serialize(html, "html")
