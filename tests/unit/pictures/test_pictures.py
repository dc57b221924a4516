"""`convcalc size ... --animate`: the geometry is read back from the SVG itself and compared with
what the formula says (cells of the input and its padding, the window of each frame, the output
grid, the rows never covered); every SVG parses as XML and animates without script."""
from report_json import one_model
from paths import ROOT
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.cli import cli
from convcalc.lookup import lookup
from convcalc.pictures.slide import draw as draw_pair

NS = {"s": "http://www.w3.org/2000/svg"}
RECT = "{http://www.w3.org/2000/svg}rect"


def draw(sized, frame=None, values=None) -> str:
    return draw_pair(sized, frame, values)[0]


def origin(svg, group="input") -> tuple:
    """(x, y) of a grid's first cell, and the cell's size, as the SVG gives them."""
    root = ET.fromstring(svg)
    grid = root.find(f".//s:g[@class='{group}']", NS)
    return float(grid.get("data-x")), float(grid.get("data-y")), float(grid.get("data-cell") or root.get("data-cell"))


def cells(svg, cls, frame=None):
    """(row, col) of each grid rect of a class, read from its x and y (not from its data
    attributes), relative to the input grid (the legend's swatches left out)."""
    root = ET.fromstring(svg)
    x0, y0, cell = origin(svg)
    scope = root if frame is None else root.find(f".//s:g[@class='window'][@data-frame='{frame}']", NS)
    found = []
    for r in scope.iter(RECT):
        if r.get("class") == cls and r.get("data-legend") is None:
            found.append(((float(r.get("y")) - y0) / cell, (float(r.get("x")) - x0) / cell))
    return found


def picture(text, kernel, stride=None, padding=None, dilation=None, ceil=False, pool=False, frame=None):
    return draw(lookup(text, kernel, stride, padding, dilation, ceil, False, None, pool), frame)


def test_the_course_example_5_k3_s2_p1():
    svg = picture("5x5", "3", "2", "1", frame=4)
    assert len(cells(svg, "pad")) == 7 * 7 - 5 * 5 and len(cells(svg, "in")) == 25
    assert sorted(cells(svg, "tap", 4)) == [(r, c) for r in (2, 3, 4) for c in (2, 3, 4)]  # the centre output
    assert cells(svg, "tap-pad", 4) == []
    outputs = cells(svg, "out")
    assert len(outputs) == 9
    assert len(cells(svg, "done")) == 4 and len(cells(svg, "current")) == 1  # 0..3 done, 4 now
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
    assert cells(svg, "tap-pad", 2) == []


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
    taps = cells(svg, "tap", frame) + cells(svg, "tap-pad", frame)
    assert sorted(taps + cells(svg, "hang", frame)) == expected
    padded = [(r, c) for r, c in taps if not (padding <= r < padding + size and padding <= c < padding + size + 1)]
    assert sorted(cells(svg, "tap-pad", frame)) == sorted(padded)  # the window over the padding, drawn apart
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
    taps = cells(svg, "tap", frame) + cells(svg, "tap-pad", frame)
    assert sorted(taps) == sorted((o_r + i * d, o_c + j * d) for i in range(k) for j in range(k))


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


def test_the_command_writes_the_file_and_says_so_in_one_line(tmp_path):
    """--animate printed no 'wrote' line: it says what it wrote, and only that."""
    path = tmp_path / "conv.svg"
    result = CliRunner().invoke(cli, ["size", "5", "-k", "3", "-s", "2", "-p", "1", "--animate", str(path)])
    assert result.exit_code == 0 and result.stdout == f"wrote {path}: 3 frames, input 5, padding 1 to output 3\n"
    assert ET.parse(path).getroot().get("data-frames") == "3"
    bad = CliRunner().invoke(cli, ["size", "5", "-k", "3", "--frame", "1"])
    assert bad.exit_code == 2 and "--frame N goes with --animate" in bad.stderr


@pytest.mark.parametrize("name", ["x.png", "x.html", "x"])
def test_a_suffix_animate_cannot_write_is_refused(tmp_path, name):
    """`size --animate x.png` wrote SVG into a .png: refused as draw refuses it, nothing written."""
    result = CliRunner().invoke(cli, ["size", "5", "-k", "3", "--animate", str(tmp_path / name)])
    assert result.exit_code == 2 and "give a name ending in .svg" in result.stderr
    assert not (tmp_path / name).exists()


def test_every_grid_is_labelled_and_every_frame_numbered():
    """No labels at all: now the input, the kernel, the output, a legend of the cells, and
    "frame k of n" in each frame."""
    sized = lookup("5x5", "3", "2", "1", None, False, False, None, False)
    svg = draw(sized)
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "label"]
    assert labels == ["input 5x5, padding 1", "kernel 3x3", "output 3x3"]
    legend = [r.get("data-legend") for r in root.iter(RECT) if r.get("data-legend")]
    assert legend == ["input", "padding", "window", "window on padding", "output now", "output done"]
    frames = [g.find("s:text[@class='frame']", NS).text for g in root.findall(".//s:g[@class='frame-text']", NS)]
    assert frames == [f"frame {k + 1} of 9: output {k} (row {k // 3}, column {k % 3})" for k in range(9)]
    assert all(g.find("s:animate", NS) is not None for g in root.findall(".//s:g[@class='frame-text']", NS))
    pool = draw(lookup("4x4", "2", None, None, None, False, False, None, True))
    assert "window 2x2 (max)" in pool
    spread = draw(transposed(3, 3, 2, 1, 1, 1), 0)
    assert "zeros between" in spread and 'data-legend="zero inserted"' in spread


def test_the_window_over_the_padding_is_drawn_apart_from_the_window_over_the_input():
    """Padding under the window looked like input: a window cell over the padding has its own
    class (pale, dashed)."""
    svg = picture("5x5", "3", "2", "1", frame=0)  # the corner window: 5 cells of padding, 4 of input
    assert sorted(cells(svg, "tap", 0)) == [(r, c) for r in (1, 2) for c in (1, 2)]
    assert sorted(cells(svg, "tap-pad", 0)) == [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)]


def test_a_1d_caption_speaks_of_cells():
    """The 1-d picture is one row of cells: its caption said 'row (or column)'."""
    svg = draw(lookup("28", "5", "2", None, None, False, False, None, False, cells=True))
    assert "the last 1 input cell of 28 never covered" in svg and "(or column)" not in svg
    two = draw(lookup("28x28", "5", "2", None, None, False, False, None, False, cells=True))
    assert "the last 1 input row (or column) of 28 never covered" in two  # H = W: rows and columns
    assert "input row (or column)" in "\n".join(lookup("28", "5", "2", None, None, False, False, None, False).lines())


def test_a_grid_past_the_bound_is_refused(tmp_path):
    from convcalc.pictures.slide import MAX_CELLS

    result = CliRunner().invoke(cli, ["size", str(MAX_CELLS + 1), "-k", "3", "-s", "3", "--animate",
                                      str(tmp_path / "x.svg")])
    assert result.exit_code == 2 and f"over {MAX_CELLS}: draw a smaller size" in result.stderr


# ---------------------------------------------------------------- in a real browser

from browser import render  # noqa: E402


def centre(svg, row, col, group="input"):
    x0, y0, cell = origin(svg, group)
    return int(x0 + col * cell + cell / 2), int(y0 + row * cell + cell / 2)


def greenish(rgb):
    r, g, b = rgb
    return g > r + 20 and g > b + 10


@pytest.mark.browser
def test_a_still_renders_the_window_padding_and_output_where_they_are(tmp_path):
    from png import read_png

    sized = lookup("5x5", "3", "2", "1", None, False, False, None, False)
    svg = tmp_path / "frame.svg"
    text = draw(sized, 4)
    svg.write_text(text)
    root = ET.parse(svg).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    png = tmp_path / "frame.png"
    render(svg, png, width, height)
    _, _, pixel = read_png(png)
    assert pixel(*centre(text, 0, 0)) == (255, 255, 255)  # a padding cell: white inside its dashed border
    assert greenish(pixel(*centre(text, 3, 3)))  # the window of frame 4: the centre of the padded grid
    assert pixel(*centre(text, 1, 1))[2] > pixel(*centre(text, 1, 1))[0] + 20  # an input cell outside the window: blue
    assert greenish(pixel(*centre(text, 1, 1, "output")))  # output 4 (the current one)
    assert pixel(*centre(text, 2, 2, "output")) == (255, 255, 255)  # output 8: not reached yet
    corner = tmp_path / "corner.svg"
    corner_text = draw(sized, 0)
    corner.write_text(corner_text)
    render(corner, png, width, height)
    _, _, pixel = read_png(png)
    over_pad, over_input = pixel(*centre(corner_text, 0, 0)), pixel(*centre(corner_text, 1, 1))
    assert greenish(over_input) and min(over_pad) > 225 and over_pad != (255, 255, 255)  # pale: padding, not input


@pytest.mark.browser
def test_an_uncovered_row_renders_red(tmp_path):
    from png import read_png

    svg = tmp_path / "row.svg"
    text = draw(lookup("28", "5", "2", None, None, False, False, None, False), 0)
    svg.write_text(text)
    root = ET.parse(svg).getroot()
    png = tmp_path / "row.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    r, g, b = pixel(*centre(text, 0, 27))
    assert r > g + 20 and r > b + 20  # the last input row, which no window reads


@pytest.mark.browser
def test_a_transposed_still_renders_its_zeros_input_and_window(tmp_path):
    from png import read_png

    svg = tmp_path / "up.svg"
    text = draw(transposed(3, 3, 2, 1, 1, 1), 0)  # 3x3 input spread 2 apart, 1 cell of padding around
    svg.write_text(text)
    root = ET.parse(svg).getroot()
    png = tmp_path / "up.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    r, g, b = pixel(*centre(text, 3, 4))  # between input cells (1, 2) and (1, 4): an inserted zero, grey
    assert abs(r - g) < 8 and abs(g - b) < 8 and 220 < r < 250, (r, g, b)
    r, g, b = pixel(*centre(text, 3, 3))  # input cell (1, 1), blue
    assert b > r + 15, (r, g, b)
    assert greenish(pixel(*centre(text, 1, 1)))  # frame 0's window covers rows and columns 0..2


@pytest.mark.parametrize("name, args", [("size_5_k3_s2_p1.svg", ["5", "-k", "3", "-s", "2", "-p", "1"]),
                                        ("size_5x5_k3_s2_p1.svg", ["5x5", "-k", "3", "-s", "2", "-p", "1"])])
def test_the_bundled_pictures_are_what_the_command_draws(tmp_path, name, args):

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
    text = draw(sized, 4, numbers)
    svg.write_text(text)
    root = ET.parse(svg).getroot()
    png = tmp_path / "worked.png"
    render(svg, png, int(root.get("width")), int(root.get("height")))
    _, _, pixel = read_png(png)
    x, y = centre(text, 1, 1, "output")
    block = [pixel(x + dx, y + dy) for dx in range(-5, 6) for dy in range(-5, 6)]
    assert any(p == (255, 255, 255) or min(p) > 200 for p in block)  # the white 25 on the dark current cell
    assert any(greenish(p) for p in block)


def values_picture(data, h, w, k, s, p, d, pool, frame_of):
    from convcalc.pictures.worked import Worked

    sized = lookup(f"{h}x{w}", str(k), str(s), str(p), str(d), False, False, None, pool)
    if not sized.ok:
        return None
    image = "; ".join(" ".join(str(data.draw(st.integers(-999, 999))) for _ in range(w)) for _ in range(h))
    weights = None if pool else "; ".join(" ".join(str(data.draw(st.integers(-99, 99))) for _ in range(k))
                                          for _ in range(k))
    numbers = Worked(sized, image, weights)
    frames = sized.output[0] * sized.output[1]
    return draw(sized, frame_of(frames), numbers)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1),
       st.integers(1, 2), st.booleans(), st.data())
def test_values_and_weights_never_overlap(h, w, k, s, p, d, pool, data):
    """The README's own worked example had its ×w labels on the digits: each cell's number sits
    in its upper half and the weight in its lower half, at any size of the numbers (three-digit,
    negative), in every frame."""
    import svgbox

    if pool and p > k // 2:
        return
    svg = values_picture(data, h, w, k, s, p, d, pool, lambda frames: data.draw(st.integers(0, frames - 1)))
    if svg is None:
        return
    found = [t for t in svgbox.texts(svg) if t[5].split()[0] in ("value", "weight", "result")]
    assert not [(a[4], b[4]) for i, a in enumerate(found) for b in found[i + 1:] if svgbox.overlap(a, b)]
    cell = max(origin(svg)[2], origin(svg, "output")[2])
    for left, top, right, bottom, *_ in found:  # and each fits in its cell
        assert right - left <= cell and bottom - top <= cell


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def fills(svg: str) -> dict:
    """selector -> fill colour, from the picture's own style sheet."""
    style = ET.fromstring(svg).find("s:style", NS).text
    out = {}
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        found = re.search(r"(?<![-\w])fill:\s*(#[0-9a-f]{6}|none)", body)
        if found:
            for part in selector.split(","):
                out[part.strip()] = found.group(1)
    return out


def texts_on_backgrounds(svg: str) -> list:
    """(text, its colour, the colour under its centre): the last filled rect drawn before it
    that holds the centre (a still: no animation, document order is the stacking order)."""
    import svgbox

    colour = fills(svg)
    root = ET.fromstring(svg)
    drawn_rects, out = [], []
    boxes = iter(svgbox.texts(svg))
    for element in root.iter():
        if element.tag == RECT:
            fill = colour.get("." + element.get("class", ""), "none")
            if fill != "none":
                x, y = float(element.get("x")), float(element.get("y"))
                drawn_rects.append((x, y, x + float(element.get("width")), y + float(element.get("height")), fill))
        elif element.tag.endswith("}text"):
            left, top, right, bottom, words, cls, _ = next(boxes)
            cx, cy = (left + right) / 2, (top + bottom) / 2
            under = [r[4] for r in drawn_rects if r[0] <= cx <= r[2] and r[1] <= cy <= r[3]]
            ink = colour.get("text.current-value", "#000000") if "current-value" in cls else colour["text"]
            out.append((words, ink, under[-1] if under else "#ffffff"))
    return out


@pytest.mark.parametrize("args", [("3x3", "3", None, "1"), ("5x5", "3", "2", "1"), ("28", "5", "2", None)])
def test_every_text_passes_wcag_aa_contrast(args):
    """Digits were dark green on green: every text's contrast with what lies under it is 4.5:1
    at least (WCAG 2 AA), in every frame, numbers and weights included."""
    from convcalc.pictures.worked import Worked

    text, kernel, stride, padding = args
    sized = lookup(text, kernel, stride, padding, None, False, False, None, False, cells=True)
    frames = 1
    for size in sized.output:
        frames *= size
    numbers = Worked(sized, None, None)
    checked = 0
    for frame in range(frames):
        for svg in (draw(sized, frame), draw(sized, frame, numbers)):
            for words, ink, under in texts_on_backgrounds(svg):
                assert contrast(ink, under) >= 4.5, (words, ink, under)
                checked += 1
    assert checked > 20


def test_the_weights_are_readable(tmp_path):
    """8 px weights were unreadable at 1x: every text of the picture is 11 px or more."""
    import svgbox

    sized, numbers = worked("3x3", "3", padding="1", image=COURSE_IMAGE, weights=COURSE_WEIGHTS)
    svg = draw(sized, 4, numbers)
    sizes = svgbox.font_sizes(ET.fromstring(svg))
    assert min(svgbox.size_of(sizes, t[5]) for t in svgbox.texts(svg)) >= 11
    weights = [t[4] for t in svgbox.texts(svg) if t[5] == "weight"]
    assert weights == ["×1", "×0", "×1", "×0", "×1", "×0", "×1", "×0", "×1"]


# ---------------------------------------------------------------- rf --draw

EXAMPLES_DIR = ROOT / "examples"


def field_rect(svg):
    root = ET.fromstring(svg)
    cell = float(root.get("data-cell"))
    ox, oy = (float(v) for v in root.get("data-origin").split(","))
    r = root.find(".//s:rect[@class='field']", NS)
    x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
    return (round((y - oy) / cell), round((y - oy + h) / cell) - 1), (round((x - ox) / cell),
                                                                      round((x - ox + w) / cell) - 1)


# cnn_lstm_video folds its frames into the batch (Flatten(0, 1)): the receptive-field rules do not
# follow a fold yet, so its fields are unknown and rf has nothing to draw (said, exit 2)
ALL_EXAMPLES = [(p.name, None) for p in sorted(EXAMPLES_DIR.glob("*.net")) if p.stem != "cnn_lstm_video"]


@pytest.mark.parametrize("name, line", [("course_cnn.net", 8), ("course_cnn.net", 5), ("lenet5.net", 9),
                                        ("resnet18.net", 29)] + ALL_EXAMPLES)
def test_the_drawn_field_is_the_centre_units_field(tmp_path, name, line):
    """The rectangle, read from the SVG's coordinates, is the centre unit's field as `rf` reports
    its size, jump and start: centre = start + jump * unit, size wide. Without --layer, the last
    layer whose field is a window of the input (not the whole of it, not flattened)."""

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
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "resnet18.net"), "--draw", str(tmp_path / "x.svg"),
                                      "--layer", "36"])
    assert result.exit_code == 2 and "CC402" in result.stderr and "not a window of the input" in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_a_layer_without_spatial_axes_is_refused_at_its_line(tmp_path):
    """The docs' own `rf examples/vgg16.net --draw field.svg --layer 23` (a Flatten) exited 0 and
    wrote a 401,546 x 401,618 px picture with nothing in it: refused at its line, with a caret,
    naming the layer to draw instead."""
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "vgg16.net"), "--draw", str(tmp_path / "x.svg"),
                                      "--layer", "23"])
    assert result.exit_code == 2 and not (tmp_path / "x.svg").exists()
    head, source, caret = result.stderr.splitlines()
    assert head.startswith(f"{EXAMPLES_DIR / 'vgg16.net'}:23:1: CC402 --draw: line 23 (Flatten())")
    assert "no spatial axes" in head and head.endswith("--layer 22 draws the last layer before it that keeps the "
                                                       "input's layout")
    assert source.strip().startswith("Flatten()") and caret.strip() == "^~~~~~~~~"
    linear = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(tmp_path / "x.svg"),
                                      "--layer", "12"])
    assert linear.exit_code == 2 and ":12:1: CC402" in linear.stderr and "no spatial axes" in linear.stderr


@pytest.mark.parametrize("name, given", [(p.name, ["--input", "3x32x32"] if p.name == "symbolic_cnn.net" else [])
                                         for p in sorted(EXAMPLES_DIR.glob("*.net")) if p.stem != "cnn_lstm_video"])
def test_every_field_picture_stays_within_its_bound(tmp_path, name, given):
    from convcalc.pictures.field import AREA, CAPTION, CHAR, LINE, MARGIN

    path = tmp_path / "rf.svg"
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / name), *given, "--draw", str(path)])
    assert result.exit_code == 0, result.output
    root = ET.parse(path).getroot()
    assert int(root.get("width")) <= 2 * MARGIN + max(AREA, CHAR * CAPTION) + 1
    assert int(root.get("height")) <= 3 * MARGIN + AREA + 3 * LINE + 1


def test_a_field_past_the_bound_is_refused(tmp_path, monkeypatch):
    from convcalc.pictures import field

    monkeypatch.setattr(field, "MAX_SPAN", 20)
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(tmp_path / "x.svg")])
    assert result.exit_code == 2 and "CC402" in result.stderr and "over 20" in result.stderr


def test_rf_draw_says_what_it_wrote_in_one_line(tmp_path):
    """rf --draw printed the whole table: one line now."""
    path = tmp_path / "rf.svg"
    result = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(path), "--layer", "8"])
    assert result.exit_code == 0
    assert result.stdout == (f"wrote {path}: the receptive field of the centre unit of line 8 (nn.Conv2d(32, 64, "
                             "kernel_size=3, paddin…), 8x8 input pixels\n")
    refused = CliRunner().invoke(cli, ["rf", str(EXAMPLES_DIR / "course_cnn.net"), "--draw", str(tmp_path / "f.png")])
    assert refused.exit_code == 2 and "give a name ending in .svg" in refused.stderr


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
