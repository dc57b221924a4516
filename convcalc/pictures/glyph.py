"""The tensor on each box of `convcalc draw`, to scale: a C x H x W output is a block whose
height is H, whose oblique depth is W and whose thickness is C (the LeNet and AlexNet figures'
convention); a C x L output a flat slab; C x D x H x W is drawn from H and W (the label gives D).
A flat tensor (a vector, after Flatten or a Linear) is drawn as what it is, a strip of units
lying down, its length on a scale of its own: not as a bar as tall as an image.

The scale is linear by default (a 7x7 map is drawn 1/32 of a 224x224 one) and logarithmic with
``--scale log``; the legend says which, and what its largest size stands for. A symbolic size
(3 x H x W) is drawn as if each symbol were NOMINAL, so that the boxes still shrink where the
network does; the label keeps the formula and the outline is dashed."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from convcalc.report.common import num
from convcalc.symbolic import dims

SIZE = (2, 40)  # a box's height and depth in pixels, smallest and largest
THICK = (2, 32)  # its thickness from the channels
STRIP = (3, 40)  # a vector's length
STRIP_HEIGHT = 7
OBLIQUE = 0.45  # the depth's share drawn up and right
NOMINAL = 64  # a symbol's size in the drawing


def nominal(size):
    """The size a box is drawn at: a symbolic one as if each symbol were NOMINAL (3 x H x W at
    64 x 64, floor(H/2) at 32)."""
    if type(size) is int or not dims.is_symbolic(size):
        return size
    value = dims.substitute(size, {name: NOMINAL for name in dims.symbols(size)})
    return value if type(value) is int else None


def extents(shape: tuple) -> tuple:
    """(channels, height, width, units of a vector) of a box, as drawn; None where it has none."""
    shape = tuple(nominal(d) for d in shape)
    if len(shape) >= 3:
        return shape[0], shape[-2], shape[-1], None
    if len(shape) == 2:
        return shape[0], shape[1], None, None
    if len(shape) == 1:
        return None, None, None, shape[0]
    return None, None, None, None


class Scale:
    """size -> pixels, linear from 0 (a size half the largest is drawn half as long) or
    logarithmic; never under the smallest drawable length."""

    def __init__(self, values: list, low: float, high: float, logarithmic: bool):
        known = [v for v in values if type(v) is int and v >= 1]
        self.top = max(known, default=None)
        self.low, self.high, self.log = low, high, logarithmic

    def __call__(self, value) -> float:
        if self.top is None or type(value) is not int or value < 1:
            return (self.low + self.high) / 2
        if self.log:
            return self.low + (self.high - self.low) * (math.log(value) / math.log(self.top) if self.top > 1 else 1)
        return max(self.low, self.high * value / self.top)


class Scales:
    """The three scales of one picture: spatial sizes, channels, vector units."""

    def __init__(self, shapes: list, logarithmic: bool):
        found = [extents(s) for s in shapes]
        self.size = Scale([v for c, h, w, u in found for v in (h, w) if v is not None], *SIZE, logarithmic)
        self.thick = Scale([c for c, h, w, u in found if c is not None], *THICK, logarithmic)
        self.strip = Scale([u for c, h, w, u in found if u is not None], *STRIP, logarithmic)
        self.log = logarithmic

    def legend(self) -> str:
        """What the scale is, and what its largest lengths stand for."""
        parts = []
        if self.size.top is not None:
            parts.append(f"height and depth {SIZE[1]} px = {num(self.size.top)}")
        if self.thick.top is not None:
            parts.append(f"thickness {THICK[1]} px = {num(self.thick.top)} channels")
        if self.strip.top is not None:
            parts.append(f"a flat tensor's strip {STRIP[1]} px = {num(self.strip.top)} units")
        return ("Log scale" if self.log else "Linear scale") + (": " + ", ".join(parts) if parts else "")


class Glyph:
    """A tensor's drawn block: front face thick x height, depth drawn obliquely; a strip for a
    vector. ``width`` and ``height``: its bounding box."""

    __slots__ = ("thick", "face", "depth", "strip")

    def __init__(self, shape: tuple, scales: Scales):
        c, h, w, units = extents(shape)
        self.strip = units is not None
        if self.strip:
            self.thick, self.face, self.depth = scales.strip(units), STRIP_HEIGHT, 0.0
        elif c is None and h is None:
            self.thick = self.face = self.depth = 0.0
        else:
            self.thick = scales.thick(c) if c is not None else THICK[0]
            self.face = scales.size(h) if h is not None else SIZE[0]
            self.depth = scales.size(w) * OBLIQUE if w is not None else 0.0

    @property
    def width(self) -> float:
        return self.thick + self.depth

    @property
    def height(self) -> float:
        return self.face + self.depth


def polygon(parent, cls: str, points: list) -> None:
    ET.SubElement(parent, "polygon", {"class": cls, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points)})


def draw(parent, glyph: Glyph, left: float, top: float) -> None:
    """The glyph with its bounding box's top left at (left, top): the front face below the
    oblique top, the side face to its right."""
    if not glyph.width:
        return
    face_top = top + glyph.depth
    right, bottom, d = left + glyph.thick, face_top + glyph.face, glyph.depth
    ET.SubElement(parent, "rect", {"class": "face strip" if glyph.strip else "face", "x": f"{left:.1f}",
                                   "y": f"{face_top:.1f}", "width": f"{glyph.thick:.1f}",
                                   "height": f"{glyph.face:.1f}"})
    if glyph.strip:  # the units: ticks across the strip
        ticks = min(8, max(1, int(glyph.thick // 5)))
        for i in range(1, ticks):
            x = left + glyph.thick * i / ticks
            ET.SubElement(parent, "line", {"class": "tick", "x1": f"{x:.1f}", "y1": f"{face_top:.1f}",
                                           "x2": f"{x:.1f}", "y2": f"{bottom:.1f}"})
        return
    if d:
        top_face = [(left, face_top), (right, face_top), (right + d, face_top - d), (left + d, face_top - d)]
        side_face = [(right, face_top), (right + d, face_top - d), (right + d, bottom - d), (right, bottom)]
        polygon(parent, "face", top_face)
        polygon(parent, "top", top_face)
        polygon(parent, "face", side_face)
        polygon(parent, "side", side_face)
