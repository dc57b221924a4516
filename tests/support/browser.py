"""Headless Chromium for the picture tests: a screenshot of a file, or its DOM after its script
ran. Without a browser the test skips, or fails under CONVCALC_REQUIRE_BROWSER=1 (.ci/run)."""
import os
import shutil
import subprocess

import pytest

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("CONVCALC_REQUIRE_BROWSER") == "1"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]


def browser() -> str:
    if BROWSER is None:
        if REQUIRE_BROWSER:
            pytest.fail("CONVCALC_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install -y chromium)")
        pytest.skip("no chromium here (CONVCALC_REQUIRE_BROWSER=1 makes this a failure)")
    return BROWSER


def render(path, png_path, width, height, fragment=""):
    """A screenshot of file ``path`` (``fragment``: the address's #part) at width x height."""
    subprocess.run([browser(), *FLAGS, f"--screenshot={png_path}", f"--window-size={width},{height}",
                    f"file://{path}{fragment}"], capture_output=True, timeout=120, check=False)
    assert png_path.exists(), "chromium wrote no screenshot"


def dom(path, fragment="") -> str:
    """The page's DOM as serialized after its script ran."""
    done = subprocess.run([browser(), *FLAGS, "--dump-dom", f"file://{path}{fragment}"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.stdout.strip(), f"chromium dumped no DOM: {done.stderr[-500:]}"
    return done.stdout
