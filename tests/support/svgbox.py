"""The geometry of a picture read back from its SVG: each text's box (from its position, its font
size and its anchor, at the metrics of a monospace font: 0.602 em a character, 0.8 em above the
baseline and 0.25 em below), each card's box, each edge's route; and the checks the picture tests
make of them (no two texts overlap, no text runs over a card it is not on, every edge ends on
the box it enters)."""
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
ADVANCE = 0.602  # DejaVu Sans Mono, Liberation Mono, Courier: 0.6 em


def font_sizes(root) -> dict:
    """class -> font size, from the picture's own style sheet (the text rule is the default)."""
    style = "".join(s.text or "" for s in root.iter(SVG + "style"))
    sizes = {}
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        found = re.search(r"font-size:\s*([\d.]+)px", body)
        if found:
            for part in selector.split(","):
                sizes[part.strip()] = float(found.group(1))
    return sizes


def size_of(sizes: dict, cls: str) -> float:
    best = sizes.get("text", 16.0)
    for name in cls.split():
        best = sizes.get(f"text.{name}", best)
    return best


def anchor_of(root, cls: str) -> str:
    style = "".join(s.text or "" for s in root.iter(SVG + "style"))
    anchor = "start"
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        found = re.search(r"text-anchor:\s*(\w+)", body)
        if found and any(part.strip() in [f"text.{c}" for c in cls.split()] for part in selector.split(",")):
            anchor = found.group(1)
    return anchor


def texts(svg: str) -> list:
    """(left, top, right, bottom, text, class, the group it is in) of every text."""
    root = ET.fromstring(svg)
    sizes = font_sizes(root)
    parents = {child: parent for parent in root.iter() for child in parent}
    out = []
    for element in root.iter(SVG + "text"):
        value = element.text or ""
        cls = element.get("class", "")
        size = size_of(sizes, cls)
        width = len(value) * ADVANCE * size
        x, y = float(element.get("x")), float(element.get("y"))
        anchor = anchor_of(root, cls)
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        out.append((left, y - 0.8 * size, left + width, y + 0.25 * size, value, cls, parents.get(element)))
    return out


def cards(svg: str) -> list:
    """(left, top, right, bottom, index) of every box's card."""
    root = ET.fromstring(svg)
    out = []
    for g in root.iter(SVG + "g"):
        if "box" in g.get("class", "").split():
            card = g.find(SVG + "rect")
            x, y = float(card.get("x")), float(card.get("y"))
            out.append((x, y, x + float(card.get("width")), y + float(card.get("height")), int(g.get("data-box"))))
    return out


def overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def overlapping_texts(svg: str) -> list:
    found = texts(svg)
    return [(a[4], b[4]) for i, a in enumerate(found) for b in found[i + 1:] if overlap(a, b)]


def texts_over_other_cards(svg: str) -> list:
    """Texts that run over a card they are not written on."""
    root = ET.fromstring(svg)
    owner = {}
    for g in root.iter(SVG + "g"):
        if "box" in g.get("class", "").split():
            for t in g.iter(SVG + "text"):
                owner[t] = int(g.get("data-box"))
    boxes = cards(svg)
    elements = list(root.iter(SVG + "text"))
    out = []
    for element, box in zip(elements, texts(svg)):
        for card in boxes:
            if owner.get(element) != card[4] and overlap(box, card):
                out.append((box[4], card[4]))
    return out


def points(d: str) -> list:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[0::2], numbers[1::2]))


def edges(svg: str) -> list:
    """(source, target, name, first point, last point) of every edge."""
    root = ET.fromstring(svg)
    out = []
    for path in root.iter(SVG + "path"):
        if "edge" in path.get("class", "").split():
            found = points(path.get("d"))
            out.append((int(path.get("data-from")), int(path.get("data-to")), path.get("data-name"), found[0],
                        found[-1]))
    return out


def on_border(point, card, tolerance: float = 1.0) -> bool:
    x, y = point
    left, top, right, bottom = card[:4]
    inside = left - tolerance <= x <= right + tolerance and top - tolerance <= y <= bottom + tolerance
    near = min(abs(x - left), abs(x - right), abs(y - top), abs(y - bottom)) <= tolerance
    return inside and near


def size(svg: str) -> tuple:
    root = ET.fromstring(svg)
    return float(root.get("width")), float(root.get("height"))
