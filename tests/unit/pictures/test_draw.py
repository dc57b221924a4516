"""`convcalc draw NET -o FILE.svg|.html`: the boxes are read back from the SVG and compared with
`shapes --format json` (order, line, shape, parameters, folds), the edges with the statements
that make them (residual adds, concats, saved tensors), the drawn tensors with the sizes (a
linear scale by default); every picture parses and carries no input text unescaped; Chromium
renders the boxes and runs the page's hover script. The layout's geometry is tested in
test_layout.py, the four slides in Chromium in test_slides.py."""
from report_json import one_model
from paths import ROOT
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.cli import cli
from convcalc.pictures.page import SCRIPT

EXAMPLES = sorted((ROOT / "examples").glob("*.net"))
SVG = "{http://www.w3.org/2000/svg}"


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def drawn(tmp_path, *args, name="net.svg", code=0):
    out = tmp_path / name
    result = run("draw", *args, "-o", str(out))
    assert result.exit_code == code, result.output
    return out.read_text(encoding="utf-8"), result


def boxes(svg: str) -> list:
    """Each box group, in drawing order, with its card's and its drawn tensor's geometry."""
    root = ET.fromstring(svg)
    found = []
    for g in root.iter(SVG + "g"):
        if "box" not in g.get("class", "").split():
            continue
        card = g.find(SVG + "rect")
        face = [r for r in g.iter(SVG + "rect") if "face" in r.get("class", "").split()]
        found.append({"kind": g.get("class").split()[1], "line": g.get("data-line"), "shape": g.get("data-shape"),
                      "entry": g.get("data-entry"), "rows": g.get("data-rows"), "x": float(card.get("x")),
                      "y": float(card.get("y")), "width": float(card.get("width")),
                      "height": float(card.get("height")), "texts": [t.text for t in g.iter(SVG + "text")],
                      "title": g.find(SVG + "title").text,
                      "face": (float(face[0].get("width")), float(face[0].get("height")), "strip" in
                               face[0].get("class")) if face else None})
    return found


def edges(svg: str, kind: str = "edge") -> list:
    """(source box, target box, name) of every edge (``kind`` "named": the named ones)."""
    root = ET.fromstring(svg)
    return [(int(e.get("data-from")), int(e.get("data-to")), e.get("data-name"))
            for e in root.iter(SVG + "path") if kind in e.get("class", "").split()]


def shapes_json(*args) -> dict:
    result = run("shapes", *args, "--format", "json")
    return one_model(result.stdout)


def shape_of(dims) -> str:
    return "x".join(str(d) for d in dims)


def same_shape(drawn_text, dims, layer=None) -> bool:
    """The drawn shape is the JSON's; a layer whose batch is not first shows its place, 32x[N]x256."""
    sizes = [str(d) for d in dims]
    if layer is not None and "batch_axis" in layer:
        fold = layer["batch_fold"]
        if layer["batch_axis"] is not None:
            sizes.insert(layer["batch_axis"], "[N]" if fold == 1 else f"[N*{fold}]")
    return drawn_text.replace(" ", "").replace("(nobatch)", "") == "x".join(sizes).replace(" ", "")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_row_is_a_box_in_order_with_its_shape(tmp_path, path):
    svg, result = drawn(tmp_path, str(path), "--depth", "all")
    data = shapes_json(str(path))
    found = boxes(svg)
    assert found[0]["kind"] == "input" and same_shape(found[0]["shape"], data["input"])
    layers = found[1:]
    assert [int(b["line"]) for b in layers] == [layer["line"] for layer in data["layers"]]
    assert all(same_shape(b["shape"], layer["output"], layer) for b, layer in zip(layers, data["layers"]))
    for box, layer in zip(layers, data["layers"]):
        assert f"{layer['params']:,} params" + (" (shared)" if layer.get("shared") else "") in box["texts"]
    assert f"wrote {tmp_path / 'net.svg'}: {len(layers)} layer boxes, 1 input, {len(edges(svg))} edges" \
        in result.output
    assert ET.fromstring(svg).get("data-boxes") == str(len(found))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_folded_box_stands_for_its_rows(tmp_path, path):
    """By default a long network folds; each box's rows are a run of the JSON's, in order, and
    the box shows their last shape and their parameters' sum."""
    svg, _ = drawn(tmp_path, str(path))
    data = shapes_json(str(path))
    layers = data["layers"]
    covered = []
    for box in boxes(svg)[1:]:
        first, last = map(int, box["rows"].split("-"))
        covered += list(range(first, last + 1))
        assert same_shape(box["shape"], layers[last]["output"], layers[last])
        params = f"{sum(layer['params'] for layer in layers[first:last + 1]):,} params"
        assert params in box["texts"] or f"{params}, {last - first + 1} rows" in box["texts"]
    assert covered == list(range(len(layers)))


def test_the_summary_and_the_picture_count_the_same_boxes(tmp_path):
    """draw printed '24 boxes' while the picture said 'folded to 23 boxes': both count the layer
    boxes now, and the input apart."""
    svg, result = drawn(tmp_path, "examples/resnet50.net")
    layer_boxes = len([b for b in boxes(svg) if b["kind"] != "input"])
    said = re.search(r"(\d+) layer boxes, 1 input", result.output)
    shown = re.search(r"\d+ rows folded into (\d+) layer boxes", svg)
    assert said and shown and int(said.group(1)) == int(shown.group(1)) == layer_boxes == 23


def test_a_long_network_folds_by_itself_and_says_so(tmp_path):
    svg, result = drawn(tmp_path, "examples/resnet50.net")
    assert "folded to depth" in result.output
    assert re.search(r"\d+ rows folded into \d+ layer boxes at depth \d", svg)
    assert len(boxes(svg)) <= 31


def test_each_residual_add_gets_its_skip_from_the_block_input(tmp_path):
    svg, _ = drawn(tmp_path, "examples/resnet18.net", "--depth", "all")
    found = boxes(svg)
    adds = [i for i, b in enumerate(found) if b["kind"] == "join"]
    into = {t: [s for s, t2, _ in edges(svg) if t2 == t] for t in range(len(found))}
    assert len(adds) == 8  # two BasicBlocks in each of four stages
    for add in adds:
        assert len(into[add]) == 2
        skip = min(into[add])
        # the skip comes from the block's input: the box before the block's first convolution
        assert found[skip + 1]["kind"] == "conv"
    # a projection shortcut starts at the block's input too, not at the body's last layer
    projections = [t for t in range(len(found)) if found[t]["kind"] == "conv" and into[t] and into[t][0] != t - 1]
    assert len(projections) == 3


def test_a_shortcut_with_its_own_convolution_is_beside_the_main_path(tmp_path):
    """Drawn in line, it read as if it followed the main path: now it sits in the layer of the
    block's first convolution, beside it."""
    svg, _ = drawn(tmp_path, "examples/resnet18.net", "--depth", "all")
    found = boxes(svg)
    into = {t: [s for s, t2, _ in edges(svg) if t2 == t] for t in range(len(found))}
    shortcuts = [t for t, box in enumerate(found) if box["kind"] == "conv" and into[t] and into[t][0] != t - 1]
    assert len(shortcuts) == 3
    for t in shortcuts:
        box = found[t]
        first = next(i for i in range(into[t][0] + 1, t) if found[i]["kind"] == "conv")
        assert abs(found[first]["y"] - box["y"]) < 1 and abs(found[first]["x"] - box["x"]) >= box["width"]


def test_saved_tensors_are_named_edges_from_where_they_were_saved(tmp_path):
    text = Path("examples/unet_small.net").read_text()
    saved = re.findall(r"^\s*concat (\w+)", text, re.M)
    svg, _ = drawn(tmp_path, "examples/unet_small.net", "--depth", "all")
    found = boxes(svg)
    named = [(s, t, name) for s, t, name in edges(svg) if name]
    assert sorted(name for *_, name in named) == sorted(saved)
    lines = text.splitlines()
    for s, t, name in named:
        save_line = next(i + 1 for i, line in enumerate(lines) if line.strip() == f"save {name}")
        assert int(found[s]["line"]) < save_line < int(found[t]["line"]) or int(found[s]["line"]) > save_line
        assert f"concat {name}" in " ".join(found[t]["texts"])
        assert name in [t.text for t in ET.fromstring(svg).iter(SVG + "text") if "edge" in t.get("class", "")]


def test_concat_branches_start_at_the_block_input_side_by_side(tmp_path):
    svg, _ = drawn(tmp_path, "examples/inception_block.net")
    found = boxes(svg)
    concat = len(found) - 1
    # four branches start at the input, four end at the concat; no edge from one branch's end to the next's start
    assert sorted(t for s, t, _ in edges(svg) if s == 0) == [1, 3, 7, 11]
    assert len([s for s, t, _ in edges(svg) if t == concat]) == 4
    assert (2, 3) not in [(s, t) for s, t, _ in edges(svg)]
    starts = [found[i] for i in (1, 3, 7, 11)]  # the branches' first boxes: one layer, side by side
    assert len({b["y"] for b in starts}) == 1
    assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(starts, starts[1:]))
    assert found[concat]["y"] > max(b["y"] + b["height"] for b in found[:concat])


def test_every_edge_is_labelled_with_its_name_or_its_shape(tmp_path):
    """Long skip arcs had no label while short ones read x1: every edge says what it carries,
    the edges of one tensor leaving a box together under one label."""
    for net in ("examples/unet_small.net", "examples/resnet18.net", "examples/inception_block.net"):
        svg, _ = drawn(tmp_path, net, "--depth", "all")
        root = ET.fromstring(svg)
        found = boxes(svg)
        labels = {int(t.get("data-edge")): t.text for t in root.iter(SVG + "text") if t.get("data-edge")}
        all_edges = edges(svg)
        assert all_edges and len(all_edges) == int(root.get("data-edges"))
        for e, (s, t, name) in enumerate(all_edges):
            if name:
                assert labels.get(e) == name
            else:
                shared = [labels[i] for i, (s2, _, n2) in enumerate(all_edges) if s2 == s and not n2 and i in labels]
                assert shared == [found[s]["shape"]], (net, e)


def test_where_the_network_breaks_is_a_red_box_with_the_message(tmp_path):
    net = tmp_path / "bad.net"
    net.write_text("input 3x32x32\nConv2d(3, 16, 3, padding=1)\nReLU()\nresidual:\n    Conv2d(16, 32, 3, padding=1)\n"
                   "MaxPool2d(2)\n")
    svg, result = drawn(tmp_path, str(net), code=1)
    assert "CC104" in result.output  # the diagnostic on stderr, as shapes gives it
    last = boxes(svg)[-1]
    assert last["kind"] == "error" and last["line"] == "4"
    assert "shapes 32x32x32 and 16x32x32" in " ".join(last["texts"])
    assert (len(boxes(svg)) - 2, len(boxes(svg)) - 1, None) in edges(svg)  # where the tensor came from
    assert "stopped at line 4: CC104" in svg


def test_a_python_model_not_followed_is_an_orange_box(tmp_path):
    model = tmp_path / "m.py"
    model.write_text("import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.conv = nn.Conv2d(3, 8, 3)\n    def forward(self, x):\n        x = self.conv(x)\n"
                     "        return mystery(x)\n")
    svg, result = drawn(tmp_path, str(model), "--input", "3x16x16", code=1)
    last = boxes(svg)[-1]
    assert last["kind"] == "stopped" and last["line"] == "9"
    assert "params of the part followed" in svg or "not followed" in svg


def test_the_scale_follows_the_sizes(tmp_path):
    svg, _ = drawn(tmp_path, "examples/vgg16.net")
    found = [b for b in boxes(svg) if b["shape"].count("x") == 2]
    for a in found:
        for b in found:
            ha, hb = int(a["shape"].split("x")[1]), int(b["shape"].split("x")[1])
            ca, cb = int(a["shape"].split("x")[0]), int(b["shape"].split("x")[0])
            if ha < hb:
                assert a["face"][1] <= b["face"][1]
            if ca < cb:
                assert a["face"][0] <= b["face"][0]


def test_the_scale_is_linear_by_default_and_the_legend_says_so(tmp_path):
    """The log scale misled: in the course CNN 32 -> 16 -> 8 barely shrank and 32 and 64
    channels looked alike. Linear by default: half the size is drawn half as high, twice the
    channels twice as thick; --scale log is there, and the legend states which."""
    from convcalc.pictures.glyph import SIZE, THICK

    svg, _ = drawn(tmp_path, "examples/course_cnn.net")
    found = {b["shape"]: b for b in boxes(svg)}
    assert found["32x16x16"]["face"][1] == pytest.approx(found["32x32x32"]["face"][1] / 2, abs=0.11)
    assert found["64x8x8"]["face"][1] == pytest.approx(found["32x32x32"]["face"][1] / 4, abs=0.11)
    assert found["64x16x16"]["face"][0] == pytest.approx(2 * found["32x16x16"]["face"][0], abs=0.11)
    assert found["32x32x32"]["face"][1] == SIZE[1] and found["64x16x16"]["face"][0] == THICK[1]
    assert ET.fromstring(svg).get("data-scale") == "linear"
    assert f"Linear scale: height and depth {SIZE[1]} px = 32, thickness {THICK[1]} px = 64 channels" in svg
    logged, _ = drawn(tmp_path, "examples/course_cnn.net", "--scale", "log")
    assert ET.fromstring(logged).get("data-scale") == "log" and "Log scale: " in logged
    small = {b["shape"]: b for b in boxes(logged)}
    assert small["64x8x8"]["face"][1] > found["64x8x8"]["face"][1]  # small sizes drawn larger


def test_a_flat_tensor_is_a_strip_not_a_tall_bar(tmp_path):
    """The Flatten bar of 4096 was taller than every 3-d box: a vector is drawn lying down, no
    higher than a strip, its length on its own scale."""
    from convcalc.pictures.glyph import STRIP, STRIP_HEIGHT

    svg, _ = drawn(tmp_path, "examples/course_cnn.net")
    found = {b["shape"]: b for b in boxes(svg)}
    flat, logits = found["4096"], found["10"]
    assert flat["face"][2] and flat["face"] == (STRIP[1], STRIP_HEIGHT, True)
    assert logits["face"][2] and logits["face"][0] < flat["face"][0]
    assert all(flat["face"][1] < b["face"][1] for b in found.values() if b["shape"].count("x") == 2)


def test_every_window_shows_its_kernel_stride_and_padding(tmp_path):
    """Arguments were cut (`3, 32, kernel_size=...`): each convolution and pool says its
    settings, the full call is its tooltip."""
    svg, _ = drawn(tmp_path, "examples/course_cnn.net")
    found = boxes(svg)
    assert ["32x32x32", "Conv2d 3→32", "3x3, stride 1, pad 1", "896 params"] == found[1]["texts"]
    assert "2x2, stride 2, pad 0" in found[3]["texts"]
    assert "Conv2d(3, 32, kernel_size=3, padding=1)" in found[1]["title"]
    resnet, _ = drawn(tmp_path, "examples/resnet50.net")
    assert "7x7, stride 2, pad 3" in boxes(resnet)[1]["texts"]


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_the_direction_orders_the_layers(tmp_path, direction):
    """Top to bottom by default (wrapped into columns on a slide), --direction LR one strip."""
    svg, _ = drawn(tmp_path, "examples/vgg16.net", "--direction", direction)
    found = boxes(svg)
    assert ET.fromstring(svg).get("data-layout") == direction
    if direction == "LR":
        assert all(a["x"] + a["width"] < b["x"] for a, b in zip(found, found[1:]))
        assert len({b["y"] + b["height"] / 2 for b in found}) == 1
    else:
        columns = int(ET.fromstring(svg).get("data-columns"))
        downs = sum(a["y"] + a["height"] < b["y"] for a, b in zip(found, found[1:]))
        assert downs == len(found) - columns  # down each column, then to the top of the next


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 64), st.sampled_from([1, 2])), min_size=1, max_size=5),
       st.integers(8, 256), st.booleans())
def test_heights_and_thicknesses_are_monotone_on_either_scale(tmp_path_factory, layers, size, log):
    lines, c = [f"input 3x{size}x{size}"], 3
    for out, stride in layers:
        lines.append(f"Conv2d({c}, {out}, 1, stride={stride})")
        c = out
    tmp = tmp_path_factory.mktemp("scale")
    svg, _ = drawn(tmp, "-e", "; ".join(lines), *(["--scale", "log"] if log else []))
    found = boxes(svg)
    spatial = [int(b["shape"].split("x")[1]) for b in found]
    channels = [int(b["shape"].split("x")[0]) for b in found]
    for a, sa, ca in zip(found, spatial, channels):
        for b, sb, cb in zip(found, spatial, channels):
            assert (sa <= sb) <= (a["face"][1] <= b["face"][1]) and (sa == sb) <= (a["face"][1] == b["face"][1])
            assert (ca <= cb) <= (a["face"][0] <= b["face"][0])
            if not log and sa < sb and a["face"][1] > 2:  # linear above the least drawable size
                assert a["face"][1] / b["face"][1] == pytest.approx(sa / sb, abs=0.02)
    assert ET.fromstring(svg).get("data-scale") == ("log" if log else "linear")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.open = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.open = tag

    def handle_data(self, data):
        if self.open == "script":
            self.scripts.append(data)


HOSTILE_NET = "input 3x8x8\nConv2d(3, 4, 3)  # <script>alert(1)</script> & <b>\nConv2d(5, 4, 3)  # </svg><script>x</script>\n"
HOSTILE_PY = '''import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleDict({"<script>alert(1)</script>": nn.Conv2d(3, 4, 3)})
    def forward(self, x):
        return self.layers["<script>alert(1)</script>"](x)
'''


@pytest.mark.parametrize("name,text,code", [("bad.net", HOSTILE_NET, 1), ("m.py", HOSTILE_PY, 0)])
def test_no_input_text_reaches_a_picture_unescaped(tmp_path, name, text, code):
    source = tmp_path / name
    source.write_text(text)
    extra = ["--input", "3x8x8"] if name.endswith(".py") else []
    svg, _ = drawn(tmp_path, str(source), *extra, code=code)
    root = ET.fromstring(svg)  # parses
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    page, _ = drawn(tmp_path, str(source), *extra, name="page.html", code=code)
    tags = Tags()
    tags.feed(page)
    assert tags.tags.count("script") == 1 and tags.scripts == [SCRIPT]
    assert "<script>alert" not in page and "</svg><script>" not in page


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_draws_a_page_that_parses(tmp_path, path):
    page, _ = drawn(tmp_path, str(path), name="page.html")
    tags = Tags()
    tags.feed(page)
    assert tags.tags.count("svg") == 1 and tags.tags.count("table") == 1
    rows = re.findall(r'<tr data-entry="(\d+)"', page)
    assert rows == [str(i) for i in range(len(rows))]
    assert sorted(set(re.findall(r'<g class="box[^"]*"[^>]*data-entry="(\d+)"', page)), key=int) == rows


@pytest.mark.parametrize("args,fragment", [
    (["-o", "x.png"], "give a name ending in .svg or .html"),
    ([], "Missing option '-o'"),
])
def test_what_draw_refuses_it_says(tmp_path, args, fragment):
    result = run("draw", "examples/course_cnn.net", *args)
    assert result.exit_code == 2 and fragment in result.output


def test_draw_takes_no_table_format():
    result = run("draw", "examples/course_cnn.net", "-o", "x.svg", "--format", "json")
    assert result.exit_code == 2 and "No such option" in result.output


@pytest.mark.browser
def test_the_boxes_render_in_their_colours(tmp_path):
    from browser import render
    from png import read_png

    path = tmp_path / "net.svg"
    net = tmp_path / "bad.net"
    net.write_text("input 3x32x32\nConv2d(3, 16, 3, padding=1)\nMaxPool2d(2)\nConv2d(8, 4, 3)\n")
    svg, _ = drawn(tmp_path, str(net), code=1)
    root = ET.fromstring(svg)
    render(path, tmp_path / "net.png", int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(tmp_path / "net.png")
    faces = {int(g.get("data-box")): g.find(f".//{SVG}rect[@class='face']") for g in root.iter(SVG + "g")
             if g.get("data-box")}
    found = boxes(svg)

    def inside(index):  # the drawn tensor's front face, at its centre
        face = faces[index]
        return pixel(int(float(face.get("x")) + float(face.get("width")) / 2),
                     int(float(face.get("y")) + float(face.get("height")) / 2))

    r, g, b = inside(1)
    assert r > 230 and 160 < g < 200 and b < 110, (r, g, b)  # a convolution: orange
    r, g, b = inside(2)
    assert g > r + 60 and b > r + 50, (r, g, b)  # a pool: teal
    error = found[3]
    r, g, b = pixel(int(error["x"] + 4), int(error["y"] + error["height"] - 4))
    assert r > 240 and g < 240 and b < 245, (r, g, b)  # pink
    r, g, b = pixel(int(error["x"]), int(error["y"] + error["height"] / 2))
    assert r > 150 and g < 80 and b < 80, (r, g, b)  # its red border


@pytest.mark.browser
def test_the_page_highlights_the_linked_entry_in_colours_that_are_not_the_error_red(tmp_path):
    """The hover's highlight was red, the colour reserved for errors: a yellow row and a blue
    outline now."""
    from browser import dom, render
    from png import read_png

    path = tmp_path / "net.html"
    drawn(tmp_path, "examples/course_cnn.net", name="net.html")
    after = dom(path, "#entry-3")
    assert re.search(r'<tr [^>]*class="hover"[^>]*data-entry="3"|<tr data-entry="3"[^>]*class="hover"', after)
    assert re.search(r'<g class="box [a-z]+ hover"[^>]*data-entry="3"', after)
    assert not re.search(r'class="[^"]*hover', dom(path))

    def count(fragment, colour, half):
        render(path, tmp_path / "page.png", 1280, 720, fragment)
        width, height, pixel = read_png(tmp_path / "page.png")
        xs = range(0, width // 2, 2) if half == "left" else range(width // 2, width, 2)
        return sum(1 for y in range(0, height, 2) for x in xs if pixel(x, y) == colour)

    assert count("#entry-3", (0xff, 0xf1, 0x76), "left") > 200  # the table's row, in the highlight's colour
    assert count("", (0xff, 0xf1, 0x76), "left") == 0
    assert count("#entry-3", (0x15, 0x65, 0xc0), "right") > 20  # the box's outline, blue
    page = path.read_text()
    assert "#d50000" not in page and not re.search(r"hover[^}]*#(c62828|b71c1c|d50000|f44336)", page)


@pytest.mark.parametrize("name", ["course_cnn", "unet_small"])
def test_the_bundled_diagrams_are_what_draw_draws(tmp_path, name):
    fresh = tmp_path / f"{name}.svg"
    assert run("draw", str(ROOT / "examples" / f"{name}.net"), "-o", str(fresh)).exit_code == 0
    assert fresh.read_text() == (ROOT / "examples" / f"{name}.svg").read_text(), \
        f"examples/{name}.svg is stale: run convcalc draw examples/{name}.net -o examples/{name}.svg"


def test_what_the_pictures_doc_has_a_teacher_run_works(tmp_path, monkeypatch):
    """Every command of docs/pictures.md's first block, run as written (in a scratch directory)."""
    import shlex

    text = (ROOT / "docs" / "pictures.md").read_text()
    block = re.search(r"```\n(convcalc .*?)```", text, re.S).group(1).replace("\\\n", " ")
    monkeypatch.chdir(ROOT)
    commands = [line.split("#")[0] for line in block.splitlines() if line.strip()]
    assert len(commands) >= 7
    for command in commands:
        words = shlex.split(command)[1:]
        words = [str(tmp_path / w) if w.endswith((".svg", ".html")) else w for w in words]
        result = run(*words)
        assert result.exit_code == 0, (command, result.output)
        written = next(w for w in words if w.endswith((".svg", ".html")))
        text = Path(written).read_text()
        if written.endswith(".svg"):
            ET.fromstring(text)


def test_a_layer_object_called_twice_says_shared_and_both_inputs_feed_their_boxes(tmp_path):
    model = tmp_path / "two.py"
    model.write_text("import torch\nimport torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
                     "        super().__init__()\n        self.enc = nn.Conv2d(3, 8, 3)\n"
                     "    def forward(self, a, b):\n        return torch.cat([self.enc(a), self.enc(b)], dim=1)\n")
    svg, _ = drawn(tmp_path, str(model), "--input", "3x8x8, 3x8x8")
    found = boxes(svg)
    assert [b["kind"] for b in found] == ["input", "input", "conv", "conv", "join"]
    assert "224 params" in found[2]["texts"] and "224 params (shared)" in found[3]["texts"]
    arcs = [(s, t) for s, t, _ in edges(svg)]
    assert (0, 2) in arcs and (1, 3) in arcs and (2, 4) in arcs  # a feeds the first call, b the second


def test_a_file_of_several_models_names_them(tmp_path):
    model = tmp_path / "two.py"
    model.write_text("import torch.nn as nn\n\nclass A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.c = nn.Conv2d(3, 4, 3)\n    def forward(self, x):\n        return self.c(x)\n\n"
                     "class B(A):\n    pass\n")
    result = run("draw", str(model), "--input", "3x8x8", "-o", str(tmp_path / "x.svg"))
    assert result.exit_code == 2 and "this file has 2 (A, B): choose one with --model NAME" in result.stderr
    assert run("draw", str(model), "--input", "3x8x8", "--model", "B", "-o", str(tmp_path / "x.svg")).exit_code == 0


def test_the_help_says_when_a_diagram_folds_by_itself():
    from convcalc.pictures.network import BOXES

    assert f"of over {BOXES} rows folds by itself" in " ".join(run("draw", "--help").output.split())


def test_more_boxes_than_a_picture_holds_is_refused_with_the_way_out(tmp_path):
    from convcalc.pictures.network import MAX_BOXES

    net = tmp_path / "long.net"
    net.write_text("input 4x8x8\n" + "ReLU()\n" * (MAX_BOXES + 1))
    result = run("draw", str(net), "-o", str(tmp_path / "x.svg"))
    assert result.exit_code == 2 and f"{MAX_BOXES + 1:,} boxes to draw, over {MAX_BOXES:,}" in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_a_depth_that_folds_nothing_does_not_say_it_folded(tmp_path):
    svg, result = drawn(tmp_path, "examples/densenet_block.net", "--depth", "1")
    assert "folded" not in result.output and "rows folded to" not in svg


@pytest.mark.browser
def test_hovering_a_box_or_a_row_highlights_both(tmp_path):
    """The page's own handlers, driven by mouse events a test script sends (appended to a copy
    of the page: headless Chromium has no pointer to move)."""
    from browser import dom

    drawn(tmp_path, "examples/course_cnn.net", name="net.html")
    page = (tmp_path / "net.html").read_text()
    probe = """<script>
function hovered() { return Array.from(document.querySelectorAll('.hover')).map(function (e) {
  return e.tagName.toLowerCase() + ':' + e.dataset.entry; }).join(' '); }
var box = document.querySelector('g[data-entry="2"]'), row = document.querySelector('tr[data-entry="5"]');
var seen = [];
box.dispatchEvent(new MouseEvent('mouseenter')); seen.push(hovered());
box.dispatchEvent(new MouseEvent('mouseleave')); seen.push(hovered() || 'none');
row.dispatchEvent(new MouseEvent('mouseenter')); seen.push(hovered());
document.body.setAttribute('data-seen', seen.join('|'));
</script></body>"""
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe))
    after = dom(tmp_path / "probe.html")
    seen = re.search(r'data-seen="([^"]*)"', after).group(1).split("|")
    assert sorted(seen[0].split()) == ["g:2", "tr:2"]
    assert seen[1] == "none"
    assert sorted(seen[2].split()) == ["g:5", "tr:5"]


@pytest.mark.browser
def test_hovering_a_row_scrolls_the_diagram_to_its_box(tmp_path):
    from browser import dom

    drawn(tmp_path, "examples/resnet50.net", name="net.html")
    page = (tmp_path / "net.html").read_text()
    last = max(int(i) for i in re.findall(r'<tr data-entry="(\d+)"', page))
    probe = f"""<script>
var pane = document.querySelector('.diagram'), before = pane.scrollTop;
var box = document.querySelector('g[data-entry="{last}"]'), view = pane.getBoundingClientRect();
var seen = function () {{ var r = box.getBoundingClientRect(); return r.top >= view.top && r.bottom <= view.bottom; }};
var hidden = !seen();
document.querySelector('tr[data-entry="{last}"]').dispatchEvent(new MouseEvent('mouseenter'));
document.body.setAttribute('data-scroll', before + ' ' + pane.scrollTop + ' ' + hidden + ' ' + seen());
</script></body>"""
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe))
    before, after, hidden, shown = re.search(r'data-scroll="([^"]*)"', dom(tmp_path / "probe.html")).group(1).split()
    assert float(before) == 0 and float(after) > 0 and hidden == "true" and shown == "true"  # scrolled down to it


def test_a_file_without_an_input_line_is_one_red_box(tmp_path):
    net = tmp_path / "empty.net"
    net.write_text("Conv2d(3, 8, 3)\n")
    svg, result = drawn(tmp_path, str(net), code=1)
    assert [b["kind"] for b in boxes(svg)] == ["error"] and "CC001" in " ".join(boxes(svg)[0]["texts"])
    assert "0 layer boxes, 0 inputs, 1 box where it breaks, 0 edges" in result.stdout


def test_symbolic_sizes_are_drawn_at_a_nominal_size_that_still_shrinks(tmp_path):
    svg, _ = drawn(tmp_path, "examples/symbolic_cnn.net")
    found = {b["shape"]: b for b in boxes(svg)}
    whole, half, quarter = found["32 x H x W"], found["32 x floor(H/2) x floor(W/2)"], \
        found["64 x floor(H/4) x floor(W/4)"]
    assert whole["face"][1] > half["face"][1] > quarter["face"][1]
    assert all("symbolic" in g.get("class") for g in ET.fromstring(svg).iter(SVG + "g")
               if g.get("data-shape", "").count("H"))


PYTHON_UNET = ROOT / "tests" / "fixtures" / "corpus" / "unet" / "unet_model.py"


def test_a_folded_row_of_a_python_model_is_at_its_own_line_and_named_by_its_module(tmp_path):
    """Folded rows showed bare line numbers of another file (unet_parts.py's 27, 41, 66) and boxes
    read 'Sequential': each row is now at the line of the model's own forward that runs it (where
    it is written, on hover), each folded box named by its module."""
    page, _ = drawn(tmp_path, str(PYTHON_UNET), name="page.html")
    model = PYTHON_UNET.read_text().splitlines()
    cells = re.findall(r'<tr data-entry="\d+" id="entry-\d+"><td class="number"(?: title="([^"]*)")?>(\d+)</td>'
                       r'<td>([^<]*)</td>', page)
    assert len(cells) > 10
    for written, line, module in cells:
        call = model[int(line) - 1]
        assert f"self.{module.split('.')[0]}(" in call, (line, module, call)  # the forward's own call
        if written:
            assert written.startswith("written at ") and "unet_parts.py:" in written
    svg, _ = drawn(tmp_path, str(PYTHON_UNET))
    found = boxes(svg)
    folded = [b for b in found if b["kind"] == "folded"]
    assert folded and all(b["texts"][1].split(".")[0] in ("inc", "down1", "down2", "down3", "down4", "up1", "up2",
                                                           "up3", "up4") for b in folded)
    assert all(b["line"] and model[int(b["line"]) - 1].strip() for b in found if b["kind"] != "input")


def test_the_page_shows_the_totals_once(tmp_path):
    """The course CNN's page repeated the totals (in the table's pane and in the diagram)."""
    page, _ = drawn(tmp_path, "examples/course_cnn.net", name="page.html")
    assert page.count("total params: 60,362") == 1


@pytest.mark.browser
@pytest.mark.parametrize("path", [ROOT / "examples" / "unet.net", ROOT / "examples" / "course_cnn.net",
                                  ROOT / "examples" / "resnet50.net", PYTHON_UNET], ids=lambda p: p.stem)
def test_the_page_needs_no_scrolling_sideways_at_1280_px(tmp_path, path):
    """The line column pushed output and params off-screen (U-Net), and the course CNN's page
    scrolled sideways at 1400 px: at 1280 px the table and the diagram now sit side by side,
    nothing wider than its pane."""

    drawn(tmp_path, str(path), name="net.html")
    page = (tmp_path / "net.html").read_text()
    probe = """<script>
var doc = document.scrollingElement, panes = document.querySelectorAll('.table, .diagram');
var table = panes[0].getBoundingClientRect(), diagram = panes[1].getBoundingClientRect();
var cells = Array.from(document.querySelectorAll('th')).map(function (c) { return c.getBoundingClientRect().right; });
document.body.setAttribute('data-fit', [doc.scrollWidth, doc.clientWidth, panes[0].scrollWidth, panes[0].clientWidth,
  panes[1].scrollWidth, panes[1].clientWidth, table.right, diagram.left, Math.max.apply(null, cells)].join(' '));
</script></body>"""
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe))
    import subprocess
    from browser import FLAGS, browser

    done = subprocess.run([browser(), *FLAGS, "--window-size=1280,720", "--dump-dom", f"file://{tmp_path / 'probe.html'}"],
                          capture_output=True, text=True, timeout=120)
    numbers = [float(v) for v in re.search(r'data-fit="([^"]*)"', done.stdout).group(1).split()]
    whole, view, table_scroll, table_view, diagram_scroll, diagram_view, table_right, diagram_left, header = numbers
    assert whole <= view <= 1280 and table_scroll <= table_view and diagram_scroll <= diagram_view
    assert table_right <= diagram_left and header <= table_right  # side by side, every column on screen


def test_a_picture_past_its_size_bound_is_refused(tmp_path, monkeypatch):
    from convcalc.pictures import network

    monkeypatch.setattr(network, "MAX_PIXELS", 2_000)
    result = run("draw", "examples/resnet50.net", "--depth", "all", "-o", str(tmp_path / "x.svg"))
    assert result.exit_code == 2 and "over 2,000: fold the blocks with --depth N" in result.stderr
    assert not (tmp_path / "x.svg").exists()
