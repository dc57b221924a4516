"""The geometry of `convcalc draw`'s layouts (convcalc/pictures/layered.py, ushape.py), read back
from the SVG and from the layout functions themselves: no two texts overlap, no text runs over
a box it is not on, every edge starts and ends on the border of its boxes, the picture stays
within its bounds, the layers go down along every edge, the ordering never adds crossings, and
an encoder-decoder is a U (each row one size, the encoder left, the decoder right, each skip
level)."""
from paths import CORPUS, EXAMPLES
import math
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import svgbox
from convcalc.cli import cli
from convcalc.pictures import layered
from convcalc.pictures.layered import Label, layout, pooled

NETWORKS = sorted(EXAMPLES.glob("*.net"))


def draw(tmp_path, *args, code=0) -> str:
    out = tmp_path / "net.svg"
    result = CliRunner().invoke(cli, ["draw", *args, "-o", str(out)])
    assert result.exit_code == code, result.output
    return out.read_text(encoding="utf-8")


def check_geometry(svg: str) -> None:
    assert svgbox.overlapping_texts(svg) == []
    assert svgbox.texts_over_other_cards(svg) == []
    cards = {c[4]: c for c in svgbox.cards(svg)}
    for source, target, _, first, last in svgbox.edges(svg):
        assert svgbox.on_border(first, cards[source]), (source, target, first)
        assert svgbox.on_border(last, cards[target]), (source, target, last)
    width, height = svgbox.size(svg)
    for left, top, right, bottom, *_ in svgbox.texts(svg) + svgbox.cards(svg):
        assert 0 <= left and right <= width and 0 <= top and bottom <= height
    boxes = list(cards.values())
    for i, a in enumerate(boxes):  # and no two boxes overlap
        assert not any(svgbox.overlap(a, b) for b in boxes[i + 1:])


@pytest.mark.parametrize("options", [[], ["--depth", "all"], ["--direction", "LR"]], ids=["folded", "all", "LR"])
@pytest.mark.parametrize("path", NETWORKS + [CORPUS / "unet" / "unet_model.py"], ids=lambda p: p.stem)
def test_no_text_overlaps_and_every_edge_ends_on_a_box(tmp_path, path, options):
    check_geometry(draw(tmp_path, str(path), *options))


SLIDES = ["resnet50", "unet", "unet_small", "inception_block", "course_cnn"]


@pytest.mark.parametrize("name", SLIDES)
def test_the_slides_fit_1280_by_720_at_full_size(tmp_path, name):
    """ResNet-50 folded was 4,383 px wide, its text 4 px high on a 1280 px slide: the four teaching
    networks now fit 1280 x 720 as drawn, every text 11 px (13 px the title)."""
    svg = draw(tmp_path, str(EXAMPLES / f"{name}.net"))
    width, height = svgbox.size(svg)
    assert width <= 1280 and height <= 720
    sizes = svgbox.font_sizes(ET.fromstring(svg))
    assert min(svgbox.size_of(sizes, t[5]) for t in svgbox.texts(svg)) >= 10


def test_resnet50_wraps_into_columns_and_its_cut_edges_run_between_them(tmp_path):
    svg = draw(tmp_path, str(EXAMPLES / "resnet50.net"))
    root = ET.fromstring(svg)
    columns = int(root.get("data-columns"))
    assert columns >= 3
    cards = {c[4]: c for c in svgbox.cards(svg)}
    lefts = sorted({round(c[0]) for c in cards.values() if c[4] > 0})
    assert len(lefts) >= columns


# ---------------------------------------------------------------- random networks

@st.composite
def networks(draw_):
    """A network file of convolutions, residual blocks (with or without a projection shortcut),
    concats of two to four branches, pools, and saved tensors concatenated later."""
    lines, c, size, saved, blocks = ["input 4x32x32"], 4, 32, [], draw_(st.integers(1, 7))
    for i in range(blocks):
        kind = draw_(st.sampled_from(["conv", "residual", "projection", "concat", "pool", "save", "use"]))
        if kind == "conv":
            out = draw_(st.sampled_from([4, 8, 16]))
            lines.append(f"Conv2d({c}, {out}, 3, padding=1)")
            c = out
        elif kind == "residual":
            lines += ["residual:", f"    Conv2d({c}, {c}, 3, padding=1)", "    ReLU()"]
        elif kind == "projection":
            lines += ["residual:", f"    Conv2d({c}, {2 * c}, 3, padding=1)", "    shortcut:",
                      f"        Conv2d({c}, {2 * c}, 1)"]
            c *= 2
        elif kind == "concat":
            branches = draw_(st.lists(st.sampled_from([4, 8]), min_size=2, max_size=4))
            lines.append("concat:")
            for out in branches:
                lines += ["    branch:", f"        Conv2d({c}, {out}, 1)"] + \
                    (["        ReLU()"] if draw_(st.booleans()) else [])
            c = sum(branches)
        elif kind == "pool" and size >= 4:
            lines.append("MaxPool2d(2)")
            size //= 2
        elif kind == "save":
            saved.append((f"s{i}", c, size))
            lines.append(f"save s{i}")
        elif kind == "use" and saved and saved[-1][2] == size:
            name, channels, _ = saved.pop()
            lines.append(f"concat {name}")
            c += channels
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(["TB", "LR"]))
def test_random_networks_keep_the_geometry(tmp_path_factory, text, direction):
    path = tmp_path_factory.mktemp("net") / "net.net"
    path.write_text(text)
    check_geometry(draw(path.parent, str(path), "--depth", "all", "--direction", direction))


# ---------------------------------------------------------------- the layered algorithm itself

@st.composite
def dags(draw_):
    n = draw_(st.integers(2, 18))
    edges = []
    for t in range(1, n):
        sources = draw_(st.lists(st.integers(0, t - 1), min_size=1, max_size=3, unique=True))
        edges += [(s, t) for s in sources]
    sizes = [(draw_(st.integers(20, 200)), draw_(st.integers(20, 90))) for _ in range(n)]
    return sizes, edges


@settings(max_examples=80, deadline=None)
@given(dags(), st.sampled_from(["TB", "LR"]), st.booleans())
def test_a_layout_never_overlaps_and_routes_every_edge_between_its_boxes(graph, direction, fit):
    sizes, edges = graph
    labels = [Label(e, 40.0, 12.0, "source" if e % 2 else "target") for e in range(len(edges))]
    placed = layout(sizes, edges, labels, direction, (1248, 600) if fit else None)
    rects = [(x, y, x + w, y + h) for x, y, (w, h) in zip(placed.x, placed.y, sizes)]
    for i, a in enumerate(rects):
        assert not any(svgbox.overlap(a, b) for b in rects[i + 1:])
    boxes = [b for b in placed.labels if b]
    for i, (x, y, w, h) in enumerate(boxes):
        a = (x, y, x + w, y + h)
        assert not any(svgbox.overlap(a, r) for r in rects)
        assert not any(svgbox.overlap(a, (u, v, u + p, v + q)) for u, v, p, q in boxes[i + 1:])
    for (s, t), route in zip(edges, placed.routes):
        assert svgbox.on_border(route[0], rects[s] + (s,)) and svgbox.on_border(route[-1], rects[t] + (t,))
    for x, y, w, h in boxes + [(x, y, w, h) for (x, y), (w, h) in zip(zip(placed.x, placed.y), sizes)]:
        assert x >= -1e-6 and y >= -1e-6 and x + w <= placed.width + 1e-6 and y + h <= placed.height + 1e-6


@settings(max_examples=80, deadline=None)
@given(dags())
def test_layers_go_down_along_every_edge_and_ordering_adds_no_crossing(graph):
    sizes, edges = graph
    g = layered.Graph(sizes, edges)
    layered.layers_of(g)
    assert all(g.layer[t] > g.layer[s] for s, t in edges)
    depth = max(g.layer) + 1
    first = [[] for _ in range(depth)]
    for v in range(len(g.layer)):
        first[g.layer[v]].append(v)
    order = layered.ordered(g)
    for level in range(1, depth):
        layered.sort_by(g, first, level, level - 1, g.up)
    assert layered.crossings(g, order) <= layered.crossings(g, first)
    assert sorted(v for row in order for v in row) == list(range(len(g.layer)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0.1, 10), st.floats(0, 30)), min_size=1, max_size=12))
def test_pooling_adjacent_violators_is_the_least_squares_fit_under_the_gaps(items):
    targets, weights, gaps = [t for t, _, _ in items], [w for _, w, _ in items], [g for *_, g in items][1:]
    placed = pooled(targets, weights, gaps)
    assert all(b - a >= g - 1e-6 for a, b, g in zip(placed, placed[1:], gaps))
    cost = sum(w * (p - t) ** 2 for p, t, w in zip(placed, targets, weights))
    for i in range(len(placed)):  # no single move within the constraints does better
        for step in (-0.01, 0.01):
            moved = placed[:]
            moved[i] += step
            if all(b - a >= g - 1e-9 for a, b, g in zip(moved, moved[1:], gaps)):
                assert sum(w * (p - t) ** 2 for p, t, w in zip(moved, targets, weights)) >= cost - 1e-6


# ---------------------------------------------------------------- the U

def rows_of(svg: str) -> dict:
    """box -> (row centre y, card)."""
    return {c[4]: ((c[1] + c[3]) / 2, c) for c in svgbox.cards(svg)}


@pytest.mark.parametrize("path", [EXAMPLES / "unet.net", EXAMPLES / "unet_small.net", CORPUS / "unet" / "unet_model.py"],
                         ids=lambda p: p.stem)
def test_a_unet_is_a_u(tmp_path, path):
    """The encoder down the left arm, the decoder up the right one, every skip level from the
    encoder's row to the decoder's: each row is one size."""
    svg = draw(tmp_path, str(path))
    root = ET.fromstring(svg)
    assert root.get("data-layout") == "U"
    rows = rows_of(svg)
    groups = {g.get("data-box"): g.get("data-shape") for g in root.iter(svgbox.SVG + "g") if g.get("data-box")}
    middle = float(root.get("width")) / 2
    into: dict = {}
    for s, t, *_ in svgbox.edges(svg):
        into.setdefault(t, []).append(s)
    skips = [(s, t) for t, sources in into.items() for s in sources if s != max(sources)]
    assert len(skips) >= 3
    for s, t in skips:  # level, across the middle, encoder left
        assert rows[s][0] == pytest.approx(rows[t][0])
        assert rows[s][1][2] < middle < rows[t][1][0]
        assert groups[str(s)].split("x")[-2:] == groups[str(t)].split("x")[-2:]
    ys = sorted({round(y) for y, _ in rows.values()})
    sizes = {}
    for box, (y, card) in rows.items():  # a row is one size: the encoder's boxes make it
        if card[2] < middle:
            sizes.setdefault(round(y), set()).add(tuple(groups[str(box)].split("x")[-2:]))
    assert all(len(found) == 1 for found in sizes.values())
    areas = [math.prod(int(v) for v in next(iter(sizes[y]))) for y in ys if y in sizes]
    assert areas == sorted(areas, reverse=True)  # the sizes shrink down the left arm


@pytest.mark.parametrize("name", ["resnet18", "inception_block", "densenet_block", "vgg16", "mobilenetv2"])
def test_other_networks_are_not_drawn_as_a_u(tmp_path, name):
    assert ET.fromstring(draw(tmp_path, str(EXAMPLES / f"{name}.net"))).get("data-layout") == "TB"


def test_a_unet_left_to_right_is_the_strip(tmp_path):
    svg = draw(tmp_path, str(EXAMPLES / "unet_small.net"), "--direction", "LR")
    assert ET.fromstring(svg).get("data-layout") == "LR"
