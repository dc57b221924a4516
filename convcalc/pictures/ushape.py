"""An encoder-decoder drawn as a U (Ronneberger et al., 2015, figure 1): the encoder down the
left arm, the decoder up the right arm, each skip level across the middle.

``found`` decides from the data flow alone (no layer names): at least two skips (an edge into a
box from other than the box just before it, which we call its main input), strictly nested (the
first skip taken is the last one read), on a network whose spatial size never grows along the
encoder (the longest stretch from the input where it does not) and whose skips join tensors of
one size. Each row is one spatial size: an encoder box sits in the row of the size it makes, a
decoder box in the row of the size it reads, so that a skip runs from the last box of the
encoder's row to the first of the decoder's, level. Within a row the boxes go left to right in
walk order; the bottom row joins the arms.

Geometry only, as convcalc/pictures/layered.py: sizes in, a Placed out.
"""
from __future__ import annotations

import math
from typing import Optional

from convcalc.pictures.glyph import nominal
from convcalc.pictures.layered import LABEL_OFFSET, LANE, Placed, lanes

FLAT = 24  # between two boxes of a row
MIDDLE = 64  # the middle of the U, at least
BAND = 34  # between two rows, before their labels' lanes
BACKDROP = 8  # the U's outline, around its boxes


class UShape:
    """The U found: each box's row and side (0: the encoder's arm, 1: the decoder's)."""

    def __init__(self, rows: list, sides: list, main: list):
        self.rows, self.sides, self.main = rows, sides, main


def spatial(shape: tuple) -> Optional[float]:
    """The area of a tensor's spatial axes (the last two, or the one of a C x L), or None."""
    sizes = [nominal(d) for d in shape[1:][-2:]]
    if not sizes or any(type(s) is not int or s < 1 for s in sizes):
        return None
    return float(math.prod(sizes))


def found(boxes: list, edges: list) -> Optional[UShape]:
    n = len(boxes)
    if n < 5 or any(b.kind in ("error", "stopped") for b in boxes) or sum(b.kind == "input" for b in boxes) != 1:
        return None
    area = [spatial(b.shape) for b in boxes]
    if any(a is None for a in area):
        return None
    main = [-1] * n  # the box just before, in the data flow: the latest box each box reads
    for e in edges:
        main[e.target] = max(main[e.target], e.source)
    skips = sorted((e.source, e.target) for e in edges if e.source != main[e.target])
    if len(skips) < 2 or any(not (s1 < s2 and t1 > t2) for (s1, t1), (s2, t2) in zip(skips, skips[1:])):
        return None
    turn = 0
    while turn + 1 < n and area[turn + 1] <= area[turn]:
        turn += 1
    if not all(s <= turn < t for s, t in skips):
        return None
    levels: list = []
    for a in area[:turn + 1]:
        if not levels or a < levels[-1]:
            levels.append(a)

    def level(a: float) -> int:
        return min(range(len(levels)), key=lambda i: abs(math.log(a) - math.log(levels[i])))

    rows = [level(area[v]) if v <= turn else level(area[main[v]]) if main[v] >= 0 else 0 for v in range(n)]
    if any(rows[s] != rows[t] for s, t in skips) or len(levels) < 2:
        return None
    return UShape(rows, [0 if v <= turn else 1 for v in range(n)], main)


def layout(u: UShape, sizes: list, edges: list, labels: list, fit_width=None) -> Placed:
    """The boxes in their rows (the encoder's left-aligned, the decoder's right-aligned, as far
    apart as ``fit_width`` lets them), each
    edge routed: along a row straight (over the boxes between, if any), between rows a curve
    from the box it leaves to the box it enters; each label in a gap sized for it."""
    n = len(sizes)
    depth = max(u.rows) + 1
    groups = [[[v for v in range(n) if u.rows[v] == r and u.sides[v] == side] for side in (0, 1)]
              for r in range(depth)]
    skips = [e for e, (s, t) in enumerate(edges) if u.rows[s] == u.rows[t] and u.sides[s] != u.sides[t]]
    skip_width = max((lb.minor for lb in labels if lb.edge in skips), default=0.0)
    middle = max(MIDDLE, skip_width + 2 * LABEL_OFFSET + 16)

    def width(group: list) -> float:
        return sum(sizes[v][0] for v in group) + FLAT * max(0, len(group) - 1)

    right_end = max(width(left) + middle + width(right) for left, right in groups)
    if fit_width is not None and right_end < fit_width:  # the U as wide as the slide: its middle opens
        right_end = fit_width
    x = [0.0] * n
    for left, right in groups:
        cursor = 0.0
        for v in left:
            x[v], cursor = cursor, cursor + sizes[v][0] + FLAT
        cursor = right_end - width(right)
        for v in right:
            x[v], cursor = cursor, cursor + sizes[v][0] + FLAT
    band = [max((sizes[v][1] for side in groups[r] for v in side), default=0.0) for r in range(depth)]
    # the labels: a skip's above it in the middle; any other in the gap under the row of its
    # source (an edge up: above the row of its source), at the source's side of the edge
    placed_in: dict = {}
    for label in labels:
        s, t = edges[label.edge]
        label.from_end = False
        if label.edge in skips:
            continue
        if u.rows[s] == u.rows[t]:
            gap, mid = u.rows[s], (x[s] + sizes[s][0] + x[t]) / 2
            label.lo = mid - label.minor / 2
        elif u.rows[t] > u.rows[s]:
            gap, centre = u.rows[s], x[s] + sizes[s][0] / 2
            label.lo = centre + LABEL_OFFSET if x[t] <= x[s] else centre - LABEL_OFFSET - label.minor
        else:
            gap, centre = u.rows[t], x[s] + sizes[s][0] / 2
            label.lo = centre + LABEL_OFFSET if x[t] <= x[s] else centre - LABEL_OFFSET - label.minor
            label.from_end = True  # at the bottom of the gap, by its source
        label.gap = gap
        placed_in.setdefault((gap, label.from_end), []).append(label)
    extra = [[0.0, 0.0] for _ in range(depth)]
    for (gap, low), found_labels in placed_in.items():
        extra[gap][low] = lanes(found_labels) * LANE
    over = [0.0] * depth  # lanes above a row for edges that pass over its boxes
    routes_over = {}
    for e, (s, t) in enumerate(edges):
        r = u.rows[s]
        if r == u.rows[t] and any(u.rows[v] == r and min(x[s], x[t]) < x[v] < max(x[s], x[t]) for v in range(n)):
            routes_over[e] = over[r]
            over[r] += 8
    top = [0.0] * depth
    cursor = 0.0
    for r in range(depth):
        cursor += over[r] + (6 if over[r] else 0)
        top[r] = cursor
        cursor += band[r] + BAND + extra[r][0] + extra[r][1]
    y = [top[u.rows[v]] + (band[u.rows[v]] - sizes[v][1]) / 2 for v in range(n)]
    routes = []
    for e, (s, t) in enumerate(edges):
        (ws, hs), (wt, ht) = sizes[s], sizes[t]
        if e in routes_over:
            lane = top[u.rows[s]] - 6 - routes_over[e]
            sx, tx = x[s] + ws / 2, x[t] + wt / 2
            routes.append([(sx, y[s]), (sx, lane), (tx, lane), (tx, y[t])])
        elif u.rows[s] == u.rows[t]:
            mid = y[s] + hs / 2
            routes.append([(x[s] + ws, mid), (x[t], mid)] if x[t] > x[s] else [(x[s], mid), (x[t] + wt, mid)])
        elif u.rows[t] > u.rows[s]:
            routes.append([(x[s] + ws / 2, y[s] + hs), (x[t] + wt / 2, y[t])])
        else:
            routes.append([(x[s] + ws / 2, y[s]), (x[t] + wt / 2, y[t] + ht)])
    boxes = []
    for label in labels:
        s, t = edges[label.edge]
        if label.edge in skips:
            (x0, y0), (x1, _) = routes[label.edge][0], routes[label.edge][-1]
            boxes.append(((x0 + x1) / 2 - label.minor / 2, y0 - 3 - label.major, label.minor, label.major))
            continue
        gap_top = top[label.gap] + band[label.gap]
        if label.from_end:
            major = top[label.gap + 1] - (over[label.gap + 1] + 6 if over[label.gap + 1] else 0) - \
                (label.lane + 1) * LANE - 2
        else:
            major = gap_top + 3 + label.lane * LANE
        boxes.append((label.lo, major, label.minor, label.major))
    placed = Placed(x, y, routes, boxes, layer=list(u.rows))
    xs = x + [b[0] for b in boxes] + [p[0] for r in routes for p in r]
    shift = -min(xs)
    placed.x = [v + shift for v in x]
    placed.routes = [[(px + shift, py) for px, py in r] for r in routes]
    placed.labels = [(b[0] + shift, b[1], b[2], b[3]) for b in boxes]
    placed.width = max([placed.x[v] + sizes[v][0] for v in range(n)] + [b[0] + b[2] for b in placed.labels])
    placed.height = cursor
    placed.backdrop = outline(placed, sizes, groups, top, band)
    return placed


def outline(placed: Placed, sizes: list, groups: list, top: list, band: list) -> list:
    """The U behind the boxes: both arms down to the bottom row, and the bottom row across."""
    arms = groups[:-1]
    inner_left = max((placed.x[v] + sizes[v][0] for left, _ in arms for v in left), default=None)
    inner_right = min((placed.x[v] for _, right in arms for v in right), default=None)
    if inner_left is None or inner_right is None or inner_right - inner_left < 4 * BACKDROP:
        return []
    bottoms = [placed.y[v] + sizes[v][1] for v in range(len(sizes))] + [b[1] + b[3] for b in placed.labels]
    low, high = max(bottoms) + BACKDROP, top[0] - BACKDROP
    left, right = -BACKDROP, placed.width + BACKDROP
    notch = top[-1] - BACKDROP
    return [(left, high), (inner_left + BACKDROP, high), (inner_left + BACKDROP, notch),
            (inner_right - BACKDROP, notch), (inner_right - BACKDROP, high), (right, high), (right, low), (left, low)]
