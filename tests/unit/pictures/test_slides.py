"""The four teaching networks (ResNet-50 folded, the two U-Nets, an Inception block, the course
CNN) on a 1280 x 720 slide, in headless Chromium: every text's box as the browser lays it out
(no two overlap, each inside the slide, each at 10 px or more), every text's ink in the
screenshot (its digits and capitals at least 7 px high: the height of a 10 px font's), and the
U-Net's U in the pixels (the arms and the bottom shaded, the middle open)."""
from paths import EXAMPLES, ROOT
import json
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from convcalc.cli import cli

SLIDES = ["resnet50", "unet", "unet_small", "inception_block", "course_cnn"]
WIDTH, HEIGHT = 1280, 720
PROBE = """<script>
var found = [];
document.querySelectorAll('svg text').forEach(function (t) {
  var r = t.getBoundingClientRect();
  var size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
  found.push([r.left, r.top, r.right, r.bottom, size, t.textContent]);
});
document.body.setAttribute('data-texts', JSON.stringify(found));
</script>"""


def slide(tmp_path, name):
    """The SVG drawn, and a page showing it on a 1280 x 720 slide (scaled down only if wider)."""
    svg_path = tmp_path / f"{name}.svg"
    assert CliRunner().invoke(cli, ["draw", str(EXAMPLES / f"{name}.net"), "-o", str(svg_path)]).exit_code == 0
    svg = svg_path.read_text()
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    scale = min(1.0, WIDTH / width, HEIGHT / height)
    fitted = re.sub(r'<svg ([^>]*?)width="[\d.]+" height="[\d.]+"',
                    rf'<svg \1width="{width * scale:.0f}" height="{height * scale:.0f}"', svg, count=1)
    page = tmp_path / f"{name}.html"
    page.write_text(f'<!DOCTYPE html><html><body style="margin:0;background:#fff">{fitted}{PROBE}</body></html>')
    return page, svg


def laid_out(page) -> list:
    from browser import dom

    found = json.loads(re.search(r"data-texts=\"([^\"]*)\"", dom(page)).group(1).replace("&quot;", '"'))
    assert found
    return found


@pytest.mark.browser
@pytest.mark.parametrize("name", SLIDES)
def test_every_text_is_10_px_or_more_inside_the_slide_and_none_overlaps(tmp_path, name):
    page, _ = slide(tmp_path, name)
    texts = laid_out(page)
    for left, top, right, bottom, size, words in texts:
        assert size >= 10, (words, size)
        assert 0 <= left and right <= WIDTH and 0 <= top and bottom <= HEIGHT, words
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            apart = a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5
            assert apart, (a[5], b[5])


@pytest.mark.browser
@pytest.mark.parametrize("name", SLIDES)
def test_every_label_is_drawn_at_least_10_px_high_in_the_pixels(tmp_path, name):
    """Each text's ink, found in the screenshot inside the box the browser gives it: there, and
    (for a text with a digit or a capital) at least as high as a 10 px font's digits."""
    from browser import render
    from png import read_png

    page, _ = slide(tmp_path, name)
    texts = laid_out(page)
    render(page, tmp_path / "slide.png", WIDTH, HEIGHT)
    _, _, pixel = read_png(tmp_path / "slide.png")
    for left, top, right, bottom, _, words in texts:
        if not words.strip():
            continue
        rows = [y for y in range(int(top), min(HEIGHT, int(bottom) + 1))
                if any(sum(pixel(x, y)) < 3 * 150 for x in range(int(left), min(WIDTH, int(right) + 1)))]
        assert rows, f"no ink for {words!r}"
        if re.search(r"[0-9A-Z]", words):
            assert rows[-1] - rows[0] + 1 >= 7, (words, rows)


@pytest.mark.browser
@pytest.mark.parametrize("name", ["unet", "unet_small"])
def test_the_unet_reads_as_a_u_in_the_pixels(tmp_path, name):
    """The shaded U: the left and right arms and the bottom row shaded, the middle above the
    bottom row open (white but for the skips crossing it)."""
    from browser import render
    from png import read_png

    page, svg = slide(tmp_path, name)
    render(page, tmp_path / "slide.png", WIDTH, HEIGHT)
    _, _, pixel = read_png(tmp_path / "slide.png")
    root = ET.fromstring(svg)
    points = [tuple(map(float, p.split(","))) for p in
              root.find(".//{http://www.w3.org/2000/svg}polygon[@class='backdrop']").get("points").split()]
    (left, high), (inner_left, _), (_, notch), (inner_right, _), _, (right, _), (_, low), _ = points
    shade = (0xee, 0xf3, 0xf7)
    middle = int((inner_left + inner_right) / 2)
    assert pixel(int(left) + 3, int(high) + 3) == shade and pixel(int(right) - 3, int(high) + 3) == shade
    assert pixel(middle, int(low) - 3) == shade  # the bottom
    column = [pixel(middle + 7, y) for y in range(int(high) + 2, int(notch) - 2)]
    assert sum(p == (255, 255, 255) for p in column) > 0.8 * len(column)  # the open middle


def test_the_docs_show_the_four_screenshots():
    """docs/pictures.md shows a 1280 x 720 screenshot of each, made with headless Chromium by
    tests/support/screenshots.py."""
    from png import read_png

    text = (ROOT / "docs" / "pictures.md").read_text()
    shown = re.findall(r"!\[[^\]]*\]\((pictures/[\w-]+\.png)\)", text)
    assert {"pictures/resnet50.png", "pictures/unet.png", "pictures/inception_block.png",
            "pictures/course_cnn.png"} <= set(shown)
    for name in shown:
        width, height, _ = read_png(ROOT / "docs" / name)
        assert (width, height) == (WIDTH, HEIGHT)
