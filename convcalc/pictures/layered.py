"""The layered layout of `convcalc draw` (Sugiyama, Tagawa and Toda, 1981), in four steps, each
a function below; docs/pictures.md describes them for a reader.

1. **Layers** (``layers_of``): the longest path from the inputs (a box goes one layer below the
   lowest box it reads); an input that feeds only later boxes goes just above its first reader.
   An edge spanning several layers gets a dummy node in each layer it crosses.
2. **Order** in each layer (``ordered``): the boxes' walk order first, then sweeps down and up,
   each layer sorted by the barycentre of its neighbours in the layer before (Sugiyama's
   barycentre heuristic); the order with the fewest crossings is kept.
3. **Coordinates** (``spread``): sweeps up and down (the last one down); in each, along a layer,
   each box goes as near the weighted mean of its neighbours' positions in the layer before as
   the order and the spacing allow (a least-squares fit under order constraints, solved exactly
   by pooling adjacent violators). A dummy follows its edge's source and barely pulls its target,
   so that long edges run straight down beside the boxes; a box with several neighbours on a
   side pulls each by its share. Across layers, each layer is as deep as its deepest box plus the lanes its
   edge labels need.
4. **Wrapping** (``wrapped``, top to bottom only): a drawing too tall for the slide is cut
   between layers into columns set side by side (as ELK's graph wrapping does), only where the
   fewest edges cross, the cuts chosen so that the whole fits the slide at the largest scale. A
   cut edge runs down from its box, along the gap between the columns and over the next column
   into its box.

Geometry only: sizes in, positions, edge routes and label places out. Top to bottom, the
major axis is y and the minor x; left to right, the other way round. Every loop is bounded by
the number of boxes and edges (at most network.MAX_BOXES boxes), dummies by MAX_DUMMIES.
"""
from __future__ import annotations

from dataclasses import dataclass, field

GAP_NODES = 26  # minor-axis space between two boxes of a layer
GAP_DUMMY = 12  # beside an edge passing through a layer
GAP_LAYERS = 20  # major-axis space between two layers, before their labels' lanes
LANE = 13  # a label lane (top to bottom: one text line)
LANE_PAD = 6  # minor-axis space between two labels of a lane
LABEL_OFFSET = 5  # a label's distance from its edge
COLUMN_GAP = 40  # between two wrapped columns
CUT_LANE = 7  # between two cut edges running side by side
MAX_DUMMIES = 20_000  # past it, a long edge is drawn straight without dummies
SWEEPS = 12  # ordering sweeps
COORDINATE_SWEEPS = 9  # odd: the last sweep goes down, each box under what it reads
MAX_COLUMNS = 12
CUT_TIERS = 3  # cut where the fewest edges cross, or one or two more


@dataclass
class Placed:
    """The layout: each node's box (left, top), each edge's route (points, source end first),
    each label's box (left, top, width, height), the canvas."""

    x: list
    y: list
    routes: list
    labels: list
    width: float = 0
    height: float = 0
    columns: int = 1
    layer: list = field(default_factory=list)
    backdrop: list = field(default_factory=list)  # a polygon drawn behind (the U's outline)


class Graph:
    """Nodes (real ones first, then dummies), each with its layer and its minor and major size."""

    def __init__(self, sizes: list, edges: list):
        self.n = len(sizes)
        self.minor = [w for w, _ in sizes]
        self.major = [h for _, h in sizes]
        self.edges = [(s, t) for s, t in edges]
        self.preds: list = [[] for _ in range(self.n)]
        self.succs: list = [[] for _ in range(self.n)]
        self.layer: list = []
        self.chains: list = []  # per edge: the nodes it passes, source and target included
        self.owner: list = []  # per dummy: its edge


def layers_of(g: Graph) -> None:
    """Step 1: the longest path from the inputs; then dummies on long edges."""
    for s, t in g.edges:
        if 0 <= s < t < g.n:  # the walk makes a tensor before it is read
            g.succs[s].append(t)
            g.preds[t].append(s)
    layer = [0] * g.n
    for v in range(g.n):
        layer[v] = max((layer[u] + 1 for u in g.preds[v]), default=0)
    for v in range(g.n):  # an input that feeds later boxes only: just above the first of them
        if not g.preds[v] and g.succs[v]:
            layer[v] = max(layer[v], min(layer[w] for w in g.succs[v]) - 1)
    g.layer = layer
    dummies = 0
    for e, (s, t) in enumerate(g.edges):
        if not 0 <= s < t < g.n:
            g.chains.append([])
            continue
        chain = [s]
        span = layer[t] - layer[s] - 1
        if dummies + span <= MAX_DUMMIES:
            for level in range(layer[s] + 1, layer[t]):
                chain.append(len(g.layer))
                g.layer.append(level)
                g.minor.append(0.0)
                g.major.append(0.0)
                g.preds.append([])
                g.succs.append([])
                g.owner.append(e)
            dummies += max(0, span)
        chain.append(t)
        g.chains.append(chain)
    g.up = [[] for _ in g.layer]  # the neighbours one layer up and one down, along the chains
    g.down = [[] for _ in g.layer]
    for chain in g.chains:
        for a, b in zip(chain, chain[1:]):
            if g.layer[b] == g.layer[a] + 1:
                g.down[a].append(b)
                g.up[b].append(a)


def is_dummy(g: Graph, v: int) -> bool:
    return v >= g.n


def crossings(g: Graph, order: list) -> int:
    """The edge crossings between each pair of adjacent layers."""
    total = 0
    position = {v: i for row in order for i, v in enumerate(row)}
    for row in order[:-1]:
        pairs = sorted((position[a], position[b]) for a in row for b in g.down[a])
        for i in range(len(pairs)):
            for j in range(i + 1, len(pairs)):
                if pairs[j][1] < pairs[i][1] and pairs[j][0] > pairs[i][0]:
                    total += 1
    return total


def ordered(g: Graph) -> list:
    """Step 2: the order of each layer, by barycentre sweeps, the best one kept."""
    depth = max(g.layer, default=-1) + 1
    order: list = [[] for _ in range(depth)]
    for v in range(len(g.layer)):
        order[g.layer[v]].append(v)
    order[0].sort()
    for level in range(1, depth):
        sort_by(g, order, level, level - 1, g.up)
    best, fewest = [row[:] for row in order], crossings(g, order)
    for sweep in range(SWEEPS):
        if fewest == 0:
            break
        if sweep % 2 == 0:
            for level in range(1, depth):
                sort_by(g, order, level, level - 1, g.up)
        else:
            for level in range(depth - 2, -1, -1):
                sort_by(g, order, level, level + 1, g.down)
        count = crossings(g, order)
        if count < fewest:
            best, fewest = [row[:] for row in order], count
    return best


def sort_by(g: Graph, order: list, level: int, other: int, neighbours: list) -> None:
    """Sort a layer by the mean position of each node's neighbours in the layer ``other``; a node
    with none there keeps its place (walk order breaks ties, then the edge's)."""
    position = {v: i for i, v in enumerate(order[other])}
    keyed = []
    for i, v in enumerate(order[level]):
        seen = [position[u] for u in neighbours[v] if u in position]
        key = sum(seen) / len(seen) if seen else float(i)
        keyed.append((key, v if v < g.n else g.chains[g.owner[v - g.n]][-1], i, v))
    order[level] = [v for *_, v in sorted(keyed)]


def pooled(targets: list, weights: list, gaps: list) -> list:
    """Positions p minimising sum w (p - target)^2 with p[i+1] - p[i] >= gaps[i]: shifted by the
    gaps' running sum this is an isotonic regression, solved by pooling adjacent violators."""
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list = []  # [weighted sum, weight, count]
    for t, w, off in zip(targets, weights, offsets):
        blocks.append([w * (t - off), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, w2, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += c
    out = []
    for s, w, c in blocks:
        out += [s / w] * c
    return [q + off for q, off in zip(out, offsets)]


def weight(g: Graph, a: int, b: int) -> float:
    """Long edges run straight down from their source: an edge between two dummies pulls
    hardest, a dummy follows its source more than its target."""
    if is_dummy(g, a) and is_dummy(g, b):
        return 8.0
    if is_dummy(g, a) or is_dummy(g, b):
        dummy, real = (a, b) if is_dummy(g, a) else (b, a)
        return 4.0 if g.chains[g.owner[dummy - g.n]][0] == real else 0.1
    return 1.0


def spread(g: Graph, order: list) -> list:
    """Step 3 along the layers: each node's centre on the minor axis."""
    pos = [0.0] * len(g.layer)

    def gaps(row):
        return [(g.minor[a] + g.minor[b]) / 2 + (GAP_DUMMY if is_dummy(g, a) or is_dummy(g, b) else GAP_NODES)
                for a, b in zip(row, row[1:])]

    for row in order:
        x = 0.0
        for v, gap in zip(row, gaps(row) + [0.0]):
            pos[v] = x
            x += gap
    levels = list(range(len(order)))
    for sweep in range(COORDINATE_SWEEPS):
        for level in (levels[1:] if sweep % 2 == 0 else levels[-2::-1]):
            row = order[level]
            neighbours = g.up if sweep % 2 == 0 else g.down
            targets, weights = [], []
            for v in row:
                both = neighbours[v]
                # a box read by several (or reading several) pulls each of them by its share only
                pulls = [weight(g, v, u) / max(1, len(g.down[u]) if g.layer[u] < g.layer[v] else len(g.up[u]))
                         for u in both]
                total = sum(pulls)
                targets.append(sum(p * pos[u] for p, u in zip(pulls, both)) / total if total else pos[v])
                weights.append(total if total else 0.25)
            for v, p in zip(row, pooled(targets, weights, gaps(row))):
                pos[v] = p
    return pos


class Label:
    """A label's request (its edge, its extents along the minor and major axes, the end it sits
    at) and, once placed, its box on the minor axis, its gap and its lane."""

    __slots__ = ("edge", "minor", "major", "end", "lo", "gap", "lane", "from_end", "step")

    def __init__(self, edge: int, minor: float, major: float, end: str):
        self.edge, self.minor, self.major, self.end = edge, minor, major, end
        self.lo, self.gap, self.lane, self.from_end, self.step = 0.0, 0, 0, False, 0.0


def ports(g: Graph, pos: list) -> dict:
    """The minor position where each edge enters its target: a box read by several edges takes
    them side by side across its face, in the order they come from."""
    into: dict = {}
    for e, chain in enumerate(g.chains):
        if chain:
            into.setdefault(chain[-1], []).append(e)
    out = {}
    for t, found in into.items():
        found.sort(key=lambda e: (pos[g.chains[e][-2]], e))
        width = g.minor[t] * 0.7
        for i, e in enumerate(found):
            out[e] = pos[t] + (width * ((i + 1) / (len(found) + 1) - 0.5) if len(found) > 1 else 0.0)
    return out


def lanes(labels: list) -> int:
    """Puts each label of one gap in the first lane where it overlaps no other (interval
    colouring, left to right); returns the lanes used."""
    ends: list = []
    for label in sorted(labels, key=lambda lb: lb.lo):
        for lane, end in enumerate(ends):
            if end + LANE_PAD <= label.lo:
                label.lane, ends[lane] = lane, label.lo + label.minor
                break
        else:
            label.lane = len(ends)
            ends.append(label.lo + label.minor)
    return len(ends)


def place_labels(g: Graph, pos: list, port: dict, labels: list, depth: int) -> list:
    """Each label beside its edge, at its source (in the gap under the source) or at its target
    (in the gap above it), on the side its edge does not turn to; returns each gap's extra depth."""
    by_gap: dict = {}
    for label in labels:
        chain = g.chains[label.edge]
        if not chain:
            continue
        if label.end == "source":
            anchor, toward = pos[chain[0]], pos[chain[1]] if len(chain) > 2 else port[label.edge]
            label.gap = g.layer[chain[0]]
        else:
            anchor, toward = port[label.edge], pos[chain[-2]]
            label.gap = g.layer[chain[-1]] - 1
            label.from_end = True
        label.lo = anchor - LABEL_OFFSET - label.minor if toward > anchor + 1 else anchor + LABEL_OFFSET
        by_gap.setdefault((label.gap, label.from_end), []).append(label)
    extra = [0.0] * depth
    for (gap, _), found in by_gap.items():
        used = lanes(found)
        step = max(label.major for label in found)
        for label in found:
            label.step = step
        extra[gap] += used * step
    return extra


def layout(sizes: list, edges: list, labels: list, direction: str = "TB", fit=None) -> Placed:
    """``sizes``: (width, height) of each box; ``edges``: (source, target); ``labels``: Label
    requests (their extents given in x and y); ``fit``: (width, height) the drawing should fit,
    wrapping into columns if that scales it larger (top to bottom only)."""
    across = direction == "TB"  # the minor axis is x
    g = Graph([(w, h) if across else (h, w) for w, h in sizes], edges)
    for label in labels:
        if not across:
            label.minor, label.major = label.major, label.minor
    layers_of(g)
    order = ordered(g)
    pos = spread(g, order)
    port = ports(g, pos)
    depth = len(order)
    extra_start = place_labels(g, pos, port, [lb for lb in labels if lb.end == "source"], depth)
    extra_end = place_labels(g, pos, port, [lb for lb in labels if lb.end != "source"], depth)
    band = [max((g.major[v] for v in row), default=0.0) for row in order]
    gap = [GAP_LAYERS + a + b for a, b in zip(extra_start, extra_end)]
    columns = wrapped(g, band, gap, pos, labels, fit) if across and fit else [list(range(depth))]
    return assemble(g, pos, port, band, gap, labels, columns, across)


def cut_counts(g: Graph, depth: int) -> list:
    """The edges crossing each boundary between layer L and L + 1."""
    counts = [0] * depth
    for chain in g.chains:
        if chain:
            for level in range(g.layer[chain[0]], g.layer[chain[-1]]):
                counts[level] += 1
    return counts


def chunks(extent: list, allowed: set, limit: float) -> list:
    """Greedy: layers into columns of at most ``limit`` deep, cut only at allowed boundaries
    (a column deeper than the limit when no allowed boundary lies inside it)."""
    out, current, depth, last_cut = [], [], 0.0, None
    for level, size in enumerate(extent):
        if current and depth + size > limit and last_cut is not None:
            keep = current[:last_cut + 1]
            out.append(keep)
            current = current[last_cut + 1:]
            depth = sum(extent[v] for v in current)
            last_cut = None
            for i, v in enumerate(current):
                if v in allowed:
                    last_cut = i
        current.append(level)
        depth += size
        if level in allowed:
            last_cut = len(current) - 1
    return out + ([current] if current else [])


def wrapped(g: Graph, band: list, gap: list, pos: list, labels: list, fit) -> list:
    """Step 4: the layers of each column; one column when the drawing fits, else the number of
    columns that shows it largest within ``fit``, cutting where the fewest edges cross (where
    one or two more cross only if the drawing does not fit otherwise)."""
    depth = len(band)
    extent = [b + c for b, c in zip(band, gap)]
    counts = cut_counts(g, depth)
    fewest = min(counts[:-1], default=0)
    # a cut where a label sits above its target would part them: cut elsewhere if there is a place
    parting = {label.gap for label in labels if label.from_end}
    width_of = minor_extents(g, pos, labels)
    best, best_scale = [list(range(depth))], None
    for more in range(CUT_TIERS):
        crossing = {level for level in range(depth - 1) if counts[level] <= fewest + more}
        allowed = (crossing - parting) or crossing
        columns, scale = best_columns(extent, allowed, width_of, fit, fewest + more)
        if best_scale is None or (scale is not None and scale > best_scale * 1.001):
            best, best_scale = columns, scale
        if scale is None or scale >= 1:
            break
    return best


def best_columns(extent: list, allowed: set, width_of, fit, cuts: int) -> tuple:
    """(the columns, the scale they fit ``fit`` at; None for a page, which scrolls down)."""
    best, best_scale = [list(range(len(extent)))], None
    for k in range(1, MAX_COLUMNS + 1):
        lo, hi = max(extent, default=0.0), sum(extent)
        for _ in range(40):  # the least column depth that needs at most k columns
            mid = (lo + hi) / 2
            if len(chunks(extent, allowed, mid)) <= k:
                hi = mid
            else:
                lo = mid
        columns = chunks(extent, allowed, hi)
        if len(columns) != k and k > 1:
            continue
        width = sum(width_of(c)[1] - width_of(c)[0] for c in columns) + COLUMN_GAP * (len(columns) - 1)
        if fit[1] is None:  # as many columns as the width takes (a page scrolls down)
            if width <= fit[0] or k == 1:
                best = columns
            continue
        tall = max(sum(extent[v] for v in c) for c in columns) + CUT_LANE * cuts * (len(columns) > 1) * 2
        scale = min(fit[0] / max(width, 1.0), fit[1] / max(tall, 1.0))
        if best_scale is None or scale > best_scale * 1.001:
            best, best_scale = columns, scale
        if scale >= 1:
            break
    return best, best_scale


def minor_extents(g: Graph, pos: list, labels: list):
    """columns -> (least, greatest) minor coordinate of their nodes and labels."""
    node_lo = [pos[v] - g.minor[v] / 2 for v in range(len(g.layer))]
    node_hi = [pos[v] + g.minor[v] / 2 for v in range(len(g.layer))]
    at_gap: dict = {}
    for label in labels:
        if g.chains[label.edge]:
            at_gap.setdefault(label.gap, []).append(label)

    def extents(levels: list) -> tuple:
        wanted = set(levels)
        lo = [node_lo[v] for v in range(len(g.layer)) if g.layer[v] in wanted]
        hi = [node_hi[v] for v in range(len(g.layer)) if g.layer[v] in wanted]
        for level in levels:
            for label in at_gap.get(level, []):
                lo.append(label.lo)
                hi.append(label.lo + label.minor)
        return min(lo, default=0.0), max(hi, default=0.0)
    return extents


def assemble(g: Graph, pos: list, port: dict, band: list, gap: list, labels: list, columns: list,
             across: bool) -> Placed:
    """The final coordinates: columns side by side, each layer's band and gap down a column, the
    routes through the dummies (detouring around a cut), everything shifted to start at 0."""
    depth = len(band)
    counts = cut_counts(g, depth)
    cuts = max((counts[c[-1]] for c in columns[:-1]), default=0)
    top = (cuts * CUT_LANE + 10) if len(columns) > 1 else 0.0
    column_of, start = [0] * depth, [0.0] * depth
    offset, bottom, right = [], [], []
    extents = minor_extents(g, pos, labels)
    running = 0.0
    for c, levels in enumerate(columns):
        cursor = top
        for level in levels:
            column_of[level], start[level] = c, cursor
            cursor += band[level] + gap[level]
        lo, hi = extents(levels)
        offset.append(running - lo)
        right.append(running + hi - lo)
        running += hi - lo + COLUMN_GAP
        bottom.append(cursor)

    def at(level: int, major: float, minor: float) -> tuple:
        return (minor + offset[column_of[level]], major) if across else (major, minor + offset[column_of[level]])

    xs, ys = [], []
    for v in range(g.n):
        level = g.layer[v]
        x, y = at(level, start[level] + (band[level] - g.major[v]) / 2, pos[v] - g.minor[v] / 2)
        xs.append(x)
        ys.append(y)
    boundary_rank: dict = {}
    routes = []
    for e, chain in enumerate(g.chains):
        if not chain:
            routes.append([])
            continue
        s, t = chain[0], chain[-1]
        points = [(g.layer[s], start[g.layer[s]] + (band[g.layer[s]] + g.major[s]) / 2, pos[s])]
        for d in chain[1:-1]:
            level = g.layer[d]
            points += [(level, start[level], pos[d]), (level, start[level] + band[level], pos[d])]
        points.append((g.layer[t], start[g.layer[t]] + (band[g.layer[t]] - g.major[t]) / 2, port[e]))
        route = [at(*points[0])]
        for (la, ma, na), (lb, mb, nb) in zip(points, points[1:]):
            a, b = column_of[la], column_of[lb]
            if a != b:  # a cut: down, along the gap between the columns, over the next column, down
                rank = boundary_rank.get(a, 0)
                boundary_rank[a] = rank + 1
                low = bottom[a] + 4 + rank * CUT_LANE
                lane_x = right[a] + COLUMN_GAP / 2 + (rank - (counts[columns[a][-1]] - 1) / 2) * CUT_LANE
                high = top - 6 - rank * CUT_LANE
                x0 = na + offset[a]
                x1 = nb + offset[b]
                route += [(x0, low), (lane_x, low), (lane_x, high), (x1, high)]
            route.append(at(lb, mb, nb))
        routes.append(route)
    boxes = []
    for label in labels:
        if not g.chains[label.edge]:
            boxes.append(None)
            continue
        level = label.gap
        gap_start = start[level] + band[level]
        if label.from_end:
            major = gap_start + gap[level] - (label.lane + 1) * label.step - 2
        else:
            major = gap_start + 3 + label.lane * label.step
        if across:
            boxes.append((label.lo + offset[column_of[level]], major, label.minor, label.major))
        else:
            boxes.append((major, label.lo + offset[column_of[level]], label.major, label.minor))
    return normalised(Placed(xs, ys, routes, boxes, columns=len(columns), layer=g.layer[:g.n]), g, across,
                      max(bottom, default=0.0) + (cuts + 1) * CUT_LANE if len(columns) > 1 else None)


def normalised(placed: Placed, g: Graph, across: bool, depth) -> Placed:
    """Everything shifted so that the least coordinate is 0; the canvas fitted around it."""
    sizes = [(g.minor[v], g.major[v]) if across else (g.major[v], g.minor[v]) for v in range(g.n)]
    xs = placed.x + [x for r in placed.routes for x, _ in r] + [b[0] for b in placed.labels if b]
    ys = placed.y + [y for r in placed.routes for _, y in r] + [b[1] for b in placed.labels if b]
    dx, dy = -min(xs, default=0.0), -min(ys, default=0.0)
    placed.x = [x + dx for x in placed.x]
    placed.y = [y + dy for y in placed.y]
    placed.routes = [[(x + dx, y + dy) for x, y in r] for r in placed.routes]
    placed.labels = [(b[0] + dx, b[1] + dy, b[2], b[3]) if b else None for b in placed.labels]
    right = [x + w for x, (w, _) in zip(placed.x, sizes)] + [b[0] + b[2] for b in placed.labels if b] + \
        [x for r in placed.routes for x, _ in r]
    low = [y + h for y, (_, h) in zip(placed.y, sizes)] + [b[1] + b[3] for b in placed.labels if b] + \
        [y for r in placed.routes for _, y in r]
    placed.width = max(right, default=0.0)
    placed.height = max(max(low, default=0.0), (depth + dy) if depth is not None else 0.0)
    return placed
