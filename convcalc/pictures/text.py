"""Text that goes into a picture. Every SVG and page is written by :func:`serialize`, which
passes each text, tail and attribute of the tree through the one cleaning function
(shown.printable: controls, surrogates and U+FFFE/U+FFFF, which XML 1.0 cannot hold, become
U+FFFD), so that every picture parses whatever its captions quote; ElementTree escapes the rest
(<, >, &, quotes)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from convcalc.shown import printable


def clean(text) -> str:
    """One line of input text for a label (the serializer cleans again: this keeps labels one line)."""
    return printable(str(text))


def serialize(root: ET.Element, method: str = "xml") -> str:
    """The tree as text, every text and attribute cleaned first (newlines kept: a style sheet or a
    script of convcalc's own has them)."""
    for element in root.iter():
        if element.text:
            element.text = printable(element.text, lines=True)
        if element.tail:
            element.tail = printable(element.tail, lines=True)
        for key, value in element.attrib.items():
            element.attrib[key] = printable(value)
    return ET.tostring(root, encoding="unicode", method=method)


def short(text: str, width: int) -> str:
    """At most ``width`` characters, an ellipsis standing for the rest."""
    return text if len(text) <= width else text[:width - 1] + "…"
