"""`convcalc draw NET -o FILE.svg|.html`: the boxes are read back from the SVG and compared with
`shapes --format json` (order, line, shape, parameters, folds), the edges with the statements
that make them (residual adds, concats, saved tensors), the scale with the sizes; every picture
parses and carries no input text unescaped; Chromium renders the boxes and runs the page's
hover script."""
from report_json import models, one_model
from paths import ROOT, EXAMPLES
import json
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
    """Each box group, in drawing order, with its front face's geometry."""
    root = ET.fromstring(svg)
    found = []
    for g in root.iter(SVG + "g"):
        if "box" not in g.get("class", "").split():
            continue
        face = g.find(SVG + "rect")
        found.append({"kind": g.get("class").split()[1], "line": g.get("data-line"), "shape": g.get("data-shape"),
                      "entry": g.get("data-entry"), "rows": g.get("data-rows"), "x": float(face.get("x")),
                      "y": float(face.get("y")), "width": float(face.get("width")),
                      "height": float(face.get("height")), "texts": [t.text for t in g.iter(SVG + "text")]})
    return found


def edges(svg: str, kind: str) -> list:
    root = ET.fromstring(svg)
    tag = "line" if kind == "chain" else "path"
    return [(int(e.get("data-from")), int(e.get("data-to")), e.get("data-name"))
            for e in root.iter(SVG + tag) if e.get("class") == kind]


def shapes_json(*args) -> dict:
    result = run("shapes", *args, "--format", "json")
    return one_model(result.stdout)


def shape_of(dims) -> str:
    return "x".join(str(d) for d in dims)


def same_shape(drawn_text, dims) -> bool:
    return drawn_text.replace(" ", "") == shape_of(dims).replace(" ", "")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_row_is_a_box_in_order_with_its_shape(tmp_path, path):
    svg, result = drawn(tmp_path, str(path), "--depth", "all")
    data = shapes_json(str(path))
    found = boxes(svg)
    assert found[0]["kind"] == "input" and same_shape(found[0]["shape"], data["input"])
    layers = found[1:]
    assert [int(b["line"]) for b in layers] == [layer["line"] for layer in data["layers"]]
    assert all(same_shape(b["shape"], layer["output"]) for b, layer in zip(layers, data["layers"]))
    for box, layer in zip(layers, data["layers"]):
        assert f"{layer['params']:,} params" + (" (shared)" if layer.get("shared") else "") in box["texts"]
    assert f"wrote {tmp_path / 'net.svg'}: {len(found)} boxes" in result.output
    # every box's front face stands right of the one before
    assert all(a["x"] < b["x"] for a, b in zip(found, found[1:]))


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
        assert same_shape(box["shape"], layers[last]["output"])
        assert f"{sum(layer['params'] for layer in layers[first:last + 1]):,} params" in box["texts"]
    assert covered == list(range(len(layers)))


def test_a_long_network_folds_by_itself_and_says_so(tmp_path):
    svg, result = drawn(tmp_path, "examples/resnet50.net")
    assert "folded to depth" in result.output
    assert re.search(r"\d+ rows folded to \d+ boxes at depth \d", svg)
    assert len(boxes(svg)) <= 31


def test_each_residual_add_gets_its_skip_arc(tmp_path):
    svg, _ = drawn(tmp_path, "examples/resnet18.net", "--depth", "all")
    found = boxes(svg)
    adds = [i for i, b in enumerate(found) if b["texts"][-1:] == ["0 params"] and "add" in " ".join(b["texts"])]
    arcs = edges(svg, "arc")
    assert len(adds) == 8  # two BasicBlocks in each of four stages
    for add in adds:
        into = [(s, t) for s, t, _ in arcs if t == add]
        assert len(into) == 1, (add, into)
        source = into[0][0]
        # the skip comes from the block's input: the box before the block's first convolution
        assert found[source + 1]["kind"] == "conv"
        assert found[source]["shape"] == found[source + 1]["shape"] or found[add]["shape"] != found[source]["shape"]
    # a projection shortcut starts at the block's input too, not at the body's last layer
    projections = [t for s, t, _ in arcs if found[t]["kind"] == "conv" and t not in adds]
    assert len(projections) == 3


def test_saved_tensors_are_named_arcs_from_where_they_were_saved(tmp_path):
    text = Path("examples/unet_small.net").read_text()
    saved = re.findall(r"^\s*concat (\w+)", text, re.M)
    svg, _ = drawn(tmp_path, "examples/unet_small.net", "--depth", "all")
    found = boxes(svg)
    named = [(s, t, name) for s, t, name in edges(svg, "arc") if name]
    assert sorted(name for *_, name in named) == sorted(saved)
    lines = text.splitlines()
    for s, t, name in named:
        save_line = next(i + 1 for i, line in enumerate(lines) if line.strip() == f"save {name}")
        assert int(found[s]["line"]) < save_line < int(found[t]["line"]) or int(found[s]["line"]) > save_line
        assert f"concat {name}" in " ".join(found[t]["texts"])
        assert name in [t.text for t in ET.fromstring(svg).iter(SVG + "text") if t.get("class") == "edge"]


def test_concat_branches_start_at_the_block_input(tmp_path):
    svg, _ = drawn(tmp_path, "examples/inception_block.net")
    found = boxes(svg)
    arcs = edges(svg, "arc")
    chains = edges(svg, "chain")
    concat = len(found) - 1
    # four branches: three arcs from the input start them (the first is chained), four end at the concat
    assert sorted(t for s, t, _ in arcs if s == 0) == [3, 7, 11]
    assert len([s for s, t, _ in arcs if t == concat]) + len([1 for s, t, _ in chains if t == concat]) == 4
    # no chain arrow from one branch's end into the next branch's start
    assert (2, 3) not in [(s, t) for s, t, _ in chains]


def test_where_the_network_breaks_is_a_red_box_with_the_message(tmp_path):
    net = tmp_path / "bad.net"
    net.write_text("input 3x32x32\nConv2d(3, 16, 3, padding=1)\nReLU()\nresidual:\n    Conv2d(16, 32, 3, padding=1)\n"
                   "MaxPool2d(2)\n")
    svg, result = drawn(tmp_path, str(net), code=1)
    assert "CC104" in result.output  # the diagnostic on stderr, as shapes gives it
    last = boxes(svg)[-1]
    assert last["kind"] == "error" and last["line"] == "4"
    assert "shapes 32x32x32 and 16x32x32" in " ".join(last["texts"])
    assert (len(boxes(svg)) - 2, len(boxes(svg)) - 1, None) in edges(svg, "chain")  # where the tensor came from
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
                assert a["height"] < b["height"]
            if ca < cb:
                assert a["width"] < b["width"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 64), st.sampled_from([1, 2])), min_size=1, max_size=5),
       st.integers(8, 256))
def test_heights_and_thicknesses_are_monotone_and_log_when_sizes_differ_a_lot(tmp_path_factory, layers, size):
    lines, c = [f"input 3x{size}x{size}"], 3
    for out, stride in layers:
        lines.append(f"Conv2d({c}, {out}, 1, stride={stride})")
        c = out
    tmp = tmp_path_factory.mktemp("scale")
    svg, _ = drawn(tmp, "-e", "; ".join(lines))
    found = boxes(svg)
    spatial = [int(b["shape"].split("x")[1]) for b in found]
    channels = [int(b["shape"].split("x")[0]) for b in found]
    for a, sa, ca in zip(found, spatial, channels):
        for b, sb, cb in zip(found, spatial, channels):
            assert (sa < sb) <= (a["height"] < b["height"]) and (sa == sb) <= (a["height"] == b["height"])
            assert (ca < cb) <= (a["width"] < b["width"])
    scale = ET.fromstring(svg).get("data-scale").split(",")
    assert scale[0] == ("log" if max(spatial) > 16 * min(spatial) else "linear")
    assert scale[1] == ("log" if max(channels) > 16 * min(channels) else "linear")


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
    found = boxes(svg)

    def inside(box):  # the front face's centre
        return pixel(int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))

    conv, pool, error = found[1], found[2], found[3]
    r, g, b = inside(conv)
    assert r > 230 and 180 < g < 225 and b < 160, (r, g, b)  # orange
    r, g, b = inside(pool)
    assert g > r + 40 and b > r + 40, (r, g, b)  # teal
    r, g, b = pixel(int(error["x"] + 3), int(error["y"] + error["height"] - 3))
    assert r > 240 and g < 220 and b < 230, (r, g, b)  # pink
    r, g, b = pixel(int(error["x"]), int(error["y"] + error["height"] / 2))
    assert r > 150 and g < 80 and b < 80, (r, g, b)  # its red border


@pytest.mark.browser
def test_the_page_highlights_the_linked_entry(tmp_path):
    from browser import dom, render
    from png import read_png

    path = tmp_path / "net.html"
    drawn(tmp_path, "examples/course_cnn.net", name="net.html")
    after = dom(path, "#entry-3")
    assert re.search(r'<tr [^>]*class="hover"[^>]*data-entry="3"|<tr data-entry="3"[^>]*class="hover"', after)
    assert re.search(r'<g class="box [a-z]+ hover"[^>]*data-entry="3"', after)
    assert not re.search(r'class="[^"]*hover', dom(path))

    def yellow(fragment):
        render(path, tmp_path / "page.png", 1400, 500, fragment)
        width, height, pixel = read_png(tmp_path / "page.png")
        return sum(1 for y in range(0, height, 2) for x in range(0, width // 2, 2) if pixel(x, y) == (0xff, 0xf1, 0x76))

    assert yellow("#entry-3") > 200  # the table's row, in the highlight's colour
    assert yellow("") == 0




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
    arcs = [(s, t) for s, t, _ in edges(svg, "arc")]
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
var pane = document.querySelector('.diagram'), before = pane.scrollLeft;
document.querySelector('tr[data-entry="{last}"]').dispatchEvent(new MouseEvent('mouseenter'));
document.body.setAttribute('data-scroll', before + ' ' + pane.scrollLeft + ' ' + pane.scrollWidth);
</script></body>"""
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe))
    before, after, width = map(float, re.search(r'data-scroll="([^"]*)"', dom(tmp_path / "probe.html")).group(1).split())
    assert before == 0 and after > width / 2  # the last box is at the far right


def test_a_file_without_an_input_line_is_one_red_box(tmp_path):
    net = tmp_path / "empty.net"
    net.write_text("Conv2d(3, 8, 3)\n")
    svg, result = drawn(tmp_path, str(net), code=1)
    assert [b["kind"] for b in boxes(svg)] == ["error"] and "CC001" in " ".join(boxes(svg)[0]["texts"])
    assert "1 box, 0 edges" in result.stdout


def test_symbolic_sizes_are_drawn_at_a_nominal_size_that_still_shrinks(tmp_path):
    svg, _ = drawn(tmp_path, "examples/symbolic_cnn.net")
    found = {b["shape"]: b for b in boxes(svg)}
    whole, half, quarter = found["32 x H x W"], found["32 x floor(H/2) x floor(W/2)"], \
        found["64 x floor(H/4) x floor(W/4)"]
    assert whole["height"] > half["height"] > quarter["height"]
    assert all("symbolic" in g.get("class") for g in ET.fromstring(svg).iter(SVG + "g")
               if g.get("data-shape", "").count("H"))
