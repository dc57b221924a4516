"""`convcalc draw NET -o FILE.html`: one page, the `shapes` table beside the diagram
(convcalc/pictures/network.py); hovering a row or a box highlights both (and scrolls the other
into view), and ``#entry-N`` in the address highlights entry N when the page opens (a link to
one layer). Six lines of inline
script and no request: it works from file://. Built with ElementTree's HTML serializer, which
escapes every text from the input."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from convcalc.pictures.text import clean, serialize
from convcalc.report.common import num, one_line, shape_text

CSS = """
body { font-family: system-ui, sans-serif; margin: 16px; color: #222 }
h1 { font-size: 18px; margin: 0 0 12px }
main { display: flex; gap: 20px; align-items: flex-start }
.table { flex: 0 0 auto; max-width: 46%; overflow: auto }
.diagram { flex: 1 1 auto; overflow: auto; border: 1px solid #ddd }
table { border-collapse: collapse; font: 12px monospace }
th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap }
td.number { text-align: right }
tr.hover td { background: #fff176 }
g.hover .face { stroke: #d50000; stroke-width: 3 }
p.total { font: 12px monospace; margin: 4px 0; white-space: pre }
"""
SCRIPT = """
function mark(i, on, from) { document.querySelectorAll('[data-entry="' + i + '"]').forEach(function (e) {
  e.classList.toggle('hover', on); if (on && e !== from) { e.scrollIntoView({block: 'nearest', inline: 'nearest'}); } }); }
document.querySelectorAll('[data-entry]').forEach(function (e) {
  e.addEventListener('mouseenter', function () { mark(e.dataset.entry, true, e); });
  e.addEventListener('mouseleave', function () { mark(e.dataset.entry, false, e); }); });
var wanted = /^#entry-(\\d+)$/.exec(location.hash); if (wanted) { mark(wanted[1], true, null); }
"""


def table(entries: list, modules: bool) -> ET.Element:
    element = ET.Element("table")
    head = ET.SubElement(ET.SubElement(element, "thead"), "tr")
    for name in ["line"] + (["module"] if modules else []) + ["layer", "output", "params"]:
        ET.SubElement(head, "th").text = name
    body = ET.SubElement(element, "tbody")
    for index, entry in enumerate(entries):
        row = ET.SubElement(body, "tr", {"data-entry": str(index), "id": f"entry-{index}"})
        cells = [(str(entry.line), "number")] + ([(clean(entry.module), "")] if modules else []) + \
            [(clean(one_line(entry.layer)) + (f"  ({entry.folded} rows)" if entry.folded > 1 else ""), ""),
             (shape_text(entry.shape), ""), (num(entry.params), "number")]
        for value, cls in cells:
            ET.SubElement(row, "td", {"class": cls} if cls else {}).text = value
    return element


def page(svg: ET.Element, entries: list, totals: list, title: str) -> str:
    html = ET.Element("html", {"lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = f"convcalc draw: {clean(title)}"
    ET.SubElement(head, "style").text = CSS
    body = ET.SubElement(html, "body")
    ET.SubElement(body, "h1").text = clean(title)
    main = ET.SubElement(body, "main")
    left = ET.SubElement(main, "div", {"class": "table"})
    left.append(table(entries, any(entry.module for entry in entries)))
    for line in totals:
        ET.SubElement(left, "p", {"class": "total"}).text = line
    ET.SubElement(main, "div", {"class": "diagram"}).append(svg)
    ET.SubElement(body, "script").text = SCRIPT
    return "<!DOCTYPE html>\n" + serialize(html, "html")
