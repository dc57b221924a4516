"""`convcalc size ... --animate`: the geometry is read back from the SVG itself and compared with
what the formula says (cells of the input and its padding, the window of each frame, the output
grid, the rows never covered); every SVG parses as XML and animates without script."""
from report_json import models, one_model
from paths import ROOT
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.cli import cli
from convcalc.lookup import lookup
from convcalc.pictures.slide import CELL, MARGIN, draw

NS = {"s": "http://www.w3.org/2000/svg"}


def cells(svg, cls, frame=None):
    """(row, col) of each rect of a class, read from its x and y (not from its data attributes)."""
    root = ET.fromstring(svg)
    scope = root if frame is None else root.find(f".//s:g[@class='window'][@data-frame='{frame}']", NS)
    found = []
    for r in scope.iter("{http://www.w3.org/2000/svg}rect"):
        if r.get("class") == cls:
            found.append(((float(r.get("y")) - MARGIN) / CELL, (float(r.get("x")) - MARGIN) / CELL))
    return found


def picture(text, kernel, stride=None, padding=None, dilation=None, ceil=False, pool=False, frame=None):
    return draw(lookup(text, kernel, stride, padding, dilation, ceil, False, None, pool), frame)


def test_the_course_example_5_k3_s2_p1():
    svg = picture("5x5", "3", "2", "1", frame=4)
    assert len(cells(svg, "pad")) == 7 * 7 - 5 * 5 and len(cells(svg, "in")) == 25
    assert sorted(cells(svg, "tap", 4)) == [(r, c) for r in (2, 3, 4) for c in (2, 3, 4)]  # the centre output
    outputs = cells(svg, "out")
    assert len(outputs) == 9
    assert len(cells(svg, "done")) == 5  # frames 0..4 filled in a still of frame 4
    root = ET.fromstring(svg)
    assert root.get("data-frames") == "9" and root.find(".//s:animate", NS) is None  # a still
    assert "output: 3x3" in "".join(t.text for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_the_animation_has_a_frame_per_output_and_no_script():
    svg = picture("5x5", "3", "2", "1")
    root = ET.fromstring(svg)
    windows = root.findall(".//s:g[@class='window']", NS)
    assert len(windows) == 9 and all(w.find("s:animate", NS) is not None for w in windows)
    assert root.find(".//s:script", NS) is None and "<script" not in svg and "onload" not in svg
    times = [w.find("s:animate", NS).get("keyTimes").split(";") for w in windows]
    assert [float(t[1]) for t in times] == pytest.approx([k / 9 for k in range(9)])


def test_rows_never_covered_are_marked():
    """28 with k=5, s=2: floor drops the last row (the size lookup says 1 input row is never covered)."""
    svg = picture("28", "5", "2")
    assert cells(svg, "uncovered") == [(0, 27)]
    dilated = picture("9", "3", "4", dilation="2")  # taps 0, 2, 4 and 4, 6, 8: rows 1, 3, 5, 7 never read
    assert sorted(c for _, c in cells(dilated, "uncovered")) == [1, 3, 5, 7]


def test_same_padding_puts_the_odd_row_after():
    svg = picture("6", "4", padding="same")
    pads = sorted(c for _, c in cells(svg, "pad"))
    assert pads == [0, 7, 8]  # 3 rows: 1 before, 2 after


def test_a_ceil_mode_window_hanging_past_the_input():
    svg = picture("6", "3", "2", ceil=True, pool=True, frame=2)  # windows at 0, 2, 4: the last reads 4, 5, 6
    assert sorted(c for _, c in cells(svg, "tap", 2)) == [4, 5] and [c for _, c in cells(svg, "hang", 2)] == [6]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.data())
def test_every_frame_is_where_the_formula_puts_it(size, kernel, stride, padding, dilation, data):
    sized = lookup(f"{size}x{size + 1}", str(kernel), str(stride), str(padding), str(dilation), False, False, None,
                   False)
    if not sized.ok:
        return
    out_h, out_w = sized.output
    frame = data.draw(st.integers(0, out_h * out_w - 1))
    svg = draw(sized, frame)
    o_r, o_c = divmod(frame, out_w)
    expected = sorted((o_r * stride + i * dilation, o_c * stride + j * dilation)
                      for i in range(kernel) for j in range(kernel))
    assert sorted(cells(svg, "tap", frame) + cells(svg, "hang", frame)) == expected
    assert len(cells(svg, "out")) == out_h * out_w
    assert len(cells(svg, "in")) + len(cells(svg, "uncovered")) == size * (size + 1)


def transposed(size, k, s, p, d, op):
    return lookup(f"{size}x{size}", str(k), str(s), str(p), str(d), False, True, str(op), False)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(0, 3), st.integers(1, 2),
       st.integers(0, 2), st.data())
def test_a_transposed_frame_is_the_direct_convolution_over_the_spread_input(size, k, s, p, d, op, data):
    """The classic figure: stride - 1 zeros between the input cells, d(k-1) - p cells of padding
    around (output_padding more after), a window moving one cell per output."""
    sized = transposed(size, k, s, p, d, op)
    if not sized.ok or p > d * (k - 1):
        return
    (out, _), pad = sized.output, d * (k - 1) - p
    span = (size - 1) * s + 1
    frame = data.draw(st.integers(0, out * out - 1))
    svg = draw(sized, frame)
    inputs = cells(svg, "in") + cells(svg, "uncovered")  # an input cell no window reads is marked (output_padding)
    assert sorted(inputs) == sorted((pad + i * s, pad + j * s) for i in range(size) for j in range(size))
    assert len(cells(svg, "zero")) == span * span - size * size
    assert len(inputs + cells(svg, "zero") + cells(svg, "pad")) == (pad + span + pad + op) ** 2
    assert len(cells(svg, "out")) == out * out and out == pad + span + pad + op - d * (k - 1)
    o_r, o_c = divmod(frame, out)
    assert sorted(cells(svg, "tap", frame)) == sorted((o_r + i * d, o_c + j * d) for i in range(k) for j in range(k))


@pytest.mark.oracle
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2),
       st.integers(0, 1), st.data())
def test_the_transposed_sums_are_torchs(torch, size, k, s, p, d, op, data):
    sized = transposed(size, k, s, p, d, op)
    if not sized.ok or p > d * (k - 1):
        return
    from convcalc.pictures.worked import Worked

    image = [[data.draw(st.integers(-3, 9)) for _ in range(size)] for _ in range(size)]
    kernel = [[data.draw(st.integers(-2, 2)) for _ in range(k)] for _ in range(k)]
    numbers = Worked(sized, "; ".join(" ".join(map(str, r)) for r in image),
                     "; ".join(" ".join(map(str, r)) for r in kernel))
    y = torch.nn.functional.conv_transpose2d(torch.tensor([[image]], dtype=torch.float64),
                                             torch.tensor([[kernel]], dtype=torch.float64), stride=s, padding=p,
                                             output_padding=op, dilation=d)
    assert [int(v) for v in y.flatten().tolist()] == numbers.output
    for index, value in enumerate(numbers.output):  # each written sum is its output, the kernel flipped
        assert sum(v * w for v, w in numbers.terms(index)) == value


@pytest.mark.parametrize("args, fragment", [
    (["8", "-k", "2", "-p", "2", "--transposed"], "the transposed convolution crops its output"),
    (["4x4x4", "-k", "3"], "draws 1-d and 2-d sizes"),
    (["4", "-k", "5"], "there is no output to draw"),
    (["64x64", "-k", "1"], "4,096 output positions to draw, over 1,024"),
])
def test_what_is_not_drawn_says_so(tmp_path, args, fragment):
    result = CliRunner().invoke(cli, ["size", *args, "--animate", str(tmp_path / "x.svg")])
    assert result.exit_code == 2 and fragment in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_the_command_writes_the_file(tmp_path):
    path = tmp_path / "conv.svg"
    result = CliRunner().invoke(cli, ["size", "5", "-k", "3", "-s", "2", "-p", "1", "--animate", str(path)])
    assert result.exit_code == 0 and result.stdout.endswith("= 2 + 1 = 3\n4/2 is exact: the windows cover the padded "
                                                            "input exactly\n")
    assert ET.parse(path).getroot().get("data-frames") == "3"
    bad = CliRunner().invoke(cli, ["size", "5", "-k", "3", "--frame", "1"])
    assert bad.exit_code == 2 and "--frame N goes with --animate" in bad.stderr


# ---------------------------------------------------------------- in a real browser

from browser import render  # noqa: E402


def centre(row, col, x0=MARGIN):
    return int(x0 + col * CELL + CELL / 2), int(MARGIN + row * CELL + CELL / 2)


def greenish(rgb):
    r, g, b = rgb
    return g > r + 20 and g > b + 10


@pytest.mark.browser
def test_a_still_renders_the_window_padding_and_output_where_they_are(tmp_path):
    from png import read_png

    sized = lookup("5x5", "3", "2", "1", None, False, False, None, False)
    svg = tmp_path / "frame.svg"
    svg.write_text(draw(sized, 4))
    root = ET.parse(svg).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    png = tmp_path / "frame.png"
    render(svg, png, width, height)
    _, _, pixel = read_png(png)
    assert pixel(*centre(0, 0)) == (255, 255, 255)  # a padding cell: white inside its dashed border
    assert greenish(pixel(*centre(3, 3)))  # the window of frame 4: the centre of the padded grid
    assert pixel(*centre(1, 1))[2] > pixel(*centre(1, 1))[0] + 20  # an input cell outside the window: blue
    x_out = MARGIN + (7 + 3) * CELL
    assert greenish(pixel(*centre(1, 1, x_out)))  # output 4 (the current one)
    assert pixel(*centre(2, 2, x_out)) == (255, 255, 255)  # output 8: not reached yet


@pytest.mark.browser
def test_an_uncovered_row_renders_red(tmp_path):
    from png import read_png

    svg = tmp_path / "row.svg"
    svg.write_text(draw(lookup("28", "5", "2", None, None, False, False, None, False), 0))
    root = ET.parse(svg).getroot()
    png = tmp_path / "row.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    r, g, b = pixel(*centre(0, 27))
    assert r > g + 20 and r > b + 20  # the last input row, which no window reads


@pytest.mark.browser
def test_a_transposed_still_renders_its_zeros_input_and_window(tmp_path):
    from png import read_png

    svg = tmp_path / "up.svg"
    svg.write_text(draw(transposed(3, 3, 2, 1, 1, 1), 0))  # 3x3 input spread 2 apart, 1 cell of padding around
    root = ET.parse(svg).getroot()
    png = tmp_path / "up.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    r, g, b = pixel(*centre(3, 4))  # between input cells (1, 2) and (1, 4): an inserted zero, grey
    assert abs(r - g) < 8 and abs(g - b) < 8 and 220 < r < 250, (r, g, b)
    r, g, b = pixel(*centre(3, 3))  # input cell (1, 1), blue
    assert b > r + 15, (r, g, b)
    assert greenish(pixel(*centre(1, 1)))  # frame 0's window covers rows and columns 0..2


@pytest.mark.parametrize("name, args", [("size_5_k3_s2_p1.svg", ["5", "-k", "3", "-s", "2", "-p", "1"]),
                                        ("size_5x5_k3_s2_p1.svg", ["5x5", "-k", "3", "-s", "2", "-p", "1"])])
def test_the_bundled_pictures_are_what_the_command_draws(tmp_path, name, args):
    from pathlib import Path

    bundled = ROOT / "examples" / name
    fresh = tmp_path / name
    assert CliRunner().invoke(cli, ["size", *args, "--animate", str(fresh)]).exit_code == 0
    assert fresh.read_text() == bundled.read_text(), f"examples/{name} is stale: run convcalc size {' '.join(args)}"


# ---------------------------------------------------------------- the worked example (--values)

COURSE_IMAGE, COURSE_WEIGHTS = "1 2 3; 4 5 6; 7 8 9", "1 0 1; 0 1 0; 1 0 1"


def worked(text, kernel, stride=None, padding=None, dilation=None, image=None, weights=None):
    from convcalc.pictures.worked import Worked

    sized = lookup(text, kernel, stride, padding, dilation, False, False, None, False)
    return sized, Worked(sized, image, weights)


def test_the_course_notes_worked_example_sums_to_25():
    sized, numbers = worked("3x3", "3", padding="1", image=COURSE_IMAGE, weights=COURSE_WEIGHTS)
    assert numbers.sum_text(4) == "output 4: 1·1 + 2·0 + 3·1 + 4·0 + 5·1 + 6·0 + 7·1 + 8·0 + 9·1 = 25"
    assert numbers.output == [6, 12, 8, 14, 25, 16, 12, 18, 14]  # e.g. the corner: 5·1 + 9·1 = 14
    svg = draw(sized, 4, numbers)
    root = ET.fromstring(svg)
    texts = {t.get("class"): t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "sum"}
    assert texts["sum"].endswith("= 25")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 2), st.integers(0, 2),
       st.integers(1, 2), st.data())
def test_every_written_sum_is_the_executors_output(h, w, k, s, p, d, data):
    image = "; ".join(" ".join(str(data.draw(st.integers(-3, 9))) for _ in range(w)) for _ in range(h))
    weights = "; ".join(" ".join(str(data.draw(st.integers(-2, 2))) for _ in range(k)) for _ in range(k))
    sized = lookup(f"{h}x{w}", str(k), str(s), str(p), str(d), False, False, None, False)
    if not sized.ok:
        return
    from convcalc.pictures.worked import Worked

    numbers = Worked(sized, image, weights)
    for index, value in enumerate(numbers.output):
        assert sum(v * wt for v, wt in numbers.terms(index)) == value
        assert numbers.sum_text(index).endswith(f"= {value}")


@pytest.mark.oracle
def test_the_worked_outputs_are_torchs(torch):
    sized, numbers = worked("5x4", "3", "2", "1", "1", image="1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7; 8 9 1 2",
                            weights="1 -1 0; 2 0 1; 0 1 -2")
    x = torch.tensor([[[[float(v) for v in row] for row in numbers.image]]])
    weight = torch.tensor([[[[float(v) for v in row] for row in numbers.kernel]]])
    y = torch.nn.functional.conv2d(x, weight, stride=2, padding=1)
    assert [int(v) for v in y.flatten().tolist()] == numbers.output


@pytest.mark.oracle
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1),
       st.integers(1, 2), st.booleans(), st.data())
def test_a_pooling_window_shows_torchs_max_of_the_cells_it_reads(torch, h, w, k, s, p, d, ceil, data):
    from convcalc.pictures.worked import Worked

    sized = lookup(f"{h}x{w}", str(k), str(s), str(p), str(d), ceil, False, None, True)
    if not sized.ok:
        return
    image = [[data.draw(st.integers(-5, 9)) for _ in range(w)] for _ in range(h)]
    numbers = Worked(sized, "; ".join(" ".join(map(str, r)) for r in image))
    y = torch.nn.functional.max_pool2d(torch.tensor([[image]], dtype=torch.float64), k, s, p, d, ceil_mode=ceil)
    assert [v if v == float("-inf") else int(v) for v in y.flatten().tolist()] == numbers.output  # -inf: padding only
    for index, value in enumerate(numbers.output):
        read = [v for (v, _), inside in zip(numbers.terms(index), numbers.inside(index)) if inside]
        assert max(read, default=float("-inf")) == value and numbers.sum_text(index).endswith(f"= {value}")


@pytest.mark.parametrize("args, fragment", [
    (["3x3", "-k", "3", "--image", "1 2; 3 4"], "--image has 2x2 values; the input is 3x3"),
    (["3x3", "-k", "3", "--image", "1 2 3; 4 5 6; 7 8 9", "--weights", "1 0; 0 1"], "--weights has 2x2 values"),
    (["3x3", "-k", "3", "--image", "1 2 x; 4 5 6; 7 8 9"], "rows of integers separated by ';'"),
    (["4", "-k", "2", "--pool", "--weights", "1 1"], "a pooling layer has no weights"),
])
def test_bad_worked_values_say_why(tmp_path, args, fragment):
    result = CliRunner().invoke(cli, ["size", *args, "--animate", str(tmp_path / "w.svg")])
    assert result.exit_code == 2 and fragment in result.stderr


def test_values_go_with_animate():
    result = CliRunner().invoke(cli, ["size", "3", "-k", "3", "--values"])
    assert result.exit_code == 2 and "go with --animate" in result.stderr


@pytest.mark.browser
def test_the_worked_still_renders_its_numbers(tmp_path):
    from png import read_png

    sized, numbers = worked("3x3", "3", padding="1", image=COURSE_IMAGE, weights=COURSE_WEIGHTS)
    svg = tmp_path / "worked.svg"
    svg.write_text(draw(sized, 4, numbers))
    root = ET.parse(svg).getroot()
    png = tmp_path / "worked.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    x_out = MARGIN + (5 + 3) * CELL
    x, y = centre(1, 1, x_out)
    block = [pixel(x + dx, y + dy) for dx in range(-5, 6) for dy in range(-5, 6)]
    assert any(p == (255, 255, 255) or min(p) > 200 for p in block)  # the white 25 on the dark current cell
    assert any(greenish(p) for p in block)


# ---------------------------------------------------------------- rf --draw

EXAMPLES_DIR = ROOT / "examples"


def field_rect(svg):
    root = ET.fromstring(svg)
    cell = int(root.get("data-cell"))
    ox, oy = (float(v) for v in root.get("data-origin").split(","))
    r = root.find(".//s:rect[@class='field']", NS)
    x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
    return (round((y - oy) / cell), round((y - oy + h) / cell) - 1), (round((x - ox) / cell),
                                                                      round((x - ox + w) / cell) - 1)


ALL_EXAMPLES = [(p.name, None) for p in sorted(EXAMPLES_DIR.glob("*.net"))]


@pytest.mark.parametrize("name, line", [("course_cnn.net", 8), ("course_cnn.net", 5), ("lenet5.net", 9),
                                        ("resnet18.net", 29)] + ALL_EXAMPLES)
def test_the_drawn_field_is_the_centre_units_field(tmp_path, name, line):
    """The rectangle, read from the SVG's coordinates, is the centre unit's field as `rf` reports
    its size, jump and start: centre = start + jump * unit, size wide. Without --layer, the last
    layer whose field is a window of the input (not the whole of it, not flattened)."""
    import json

    path = tmp_path / "rf.svg"
    given = ["--input", "3x32x32"] if name == "symbolic_cnn.net" else []
    args = ["rf", str(EXAMPLES_DIR / name), *given, "--draw", str(path)] + (["--layer", str(line)] if line else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = one_model(CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / name), *given, "--format", "json"]).stdout)
    layers = data["layers"]
    windows = [i for i, e in enumerate(layers) if e["rf"] and not any(e["rf"]["whole"])
               and len(e["output"]) == len(data["input"])]
    entry = layers[windows[-1]] if line is None else [e for e in layers if e["line"] == line][-1]
    drawn_line = int(re.search(r">line (\d+) ", path.read_text()).group(1))
    assert drawn_line == entry["line"]
    (ylo, yhi), (xlo, xhi) = field_rect(path.read_text())
    spatial = len(data["input"]) - 1
    for (lo, hi), axis in (((ylo, yhi), spatial - 2), ((xlo, xhi), spatial - 1)):
        if axis < 0:  # a 1-d input: one row
            continue
        units = entry["output"][axis + 1]
        if entry["rf"]["period"][axis] != 1:  # after upsampling the units' fields differ: size is the largest
            assert hi - lo + 1 <= entry["rf"]["size"][axis]
            continue
        centre = entry["rf"]["start"][axis] + entry["rf"]["jump"][axis] * ((units - 1) // 2)
        assert hi - lo + 1 == entry["rf"]["size"][axis]
        assert (lo + hi) / 2 == pytest.approx(centre)


def test_a_field_that_is_the_whole_input_is_not_drawn(tmp_path):
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(tmp_path / "x.svg"),
                                      "--layer", "12"])
    assert result.exit_code == 2 and "not a window of the input" in result.stderr


@pytest.mark.browser
def test_the_field_renders_on_the_input(tmp_path):
    from png import read_png

    path = tmp_path / "rf.svg"
    assert CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(path), "--layer",
                                    "8"]).exit_code == 0
    root = ET.parse(path).getroot()
    png = tmp_path / "rf.png"
    render(path, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    cell = int(root.get("data-cell"))
    ox, oy = (float(v) for v in root.get("data-origin").split(","))
    inside = pixel(int(ox + 14.5 * cell), int(oy + 13 * cell))  # rows and columns 11..18: the field
    outside = pixel(int(ox + 3.5 * cell), int(oy + 3.5 * cell))  # the input, away from the field
    assert greenish(inside) and outside[2] > outside[0] + 20
