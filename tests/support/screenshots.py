"""The screenshots of docs/pictures.md: each teaching network drawn by `convcalc draw`, shown on a
1280 x 720 slide in headless Chromium (the picture at its own size, centred; scaled down only if
it were larger). Run from the repository: python tests/support/screenshots.py"""
import subprocess
import sys
import tempfile
from pathlib import Path

from browser import BROWSER, FLAGS

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = ["resnet50", "unet", "inception_block", "course_cnn"]


def shoot(name: str, out: Path, work: Path) -> None:
    svg = work / f"{name}.svg"
    subprocess.run([sys.executable, "-m", "convcalc", "draw", str(ROOT / "examples" / f"{name}.net"), "-o", str(svg)],
                   check=True, capture_output=True)
    page = work / f"{name}.html"
    page.write_text('<!DOCTYPE html><html><body style="margin:0;background:#fff;display:flex;height:720px;'
                    f'align-items:center;justify-content:center"><img src="{svg.name}" '
                    'style="max-width:1280px;max-height:720px"></body></html>')
    subprocess.run([BROWSER, *FLAGS, f"--screenshot={out}", "--window-size=1280,720", f"file://{page}"],
                   check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    target = ROOT / "docs" / "pictures"
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in SHOTS:
            shoot(name, target / f"{name}.png", Path(work))
            print(f"wrote {target / name}.png")
