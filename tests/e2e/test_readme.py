"""Every `$ convcalc ...` block of the README and of the docs, run as a new user would copy it: the
output must be what the page shows (timings aside). The README stays short enough to finish."""
from __future__ import annotations
from paths import ROOT

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TIME = re.compile(r"\b\d+(\.\d+)? (ms|s|min)\b")


def blocks(path: Path):
    """(line, command, expected output) of each fenced block that starts with `$ convcalc`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```") and i + 1 < len(lines) and lines[i + 1].startswith("$ convcalc"):
            end = lines.index("```", i + 1)
            found.append((i + 2, lines[i + 1][2:], "\n".join(lines[i + 2:end])))
            i = end
        i += 1
    return found


PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
BLOCKS = [(page.relative_to(ROOT).as_posix(),) + block for page in PAGES for block in blocks(page)]


def test_the_readme_is_short_and_shows_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.split("\n")) < 250
    assert sum(1 for page, *_ in BLOCKS if page == "README.md") >= 5
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize("page, line, command, expected", BLOCKS, ids=[f"{b[0]}:{b[1]}" for b in BLOCKS])
def test_a_shown_command_prints_what_the_page_shows(page, line, command, expected):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
               COLUMNS="200", NO_COLOR="1")
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    got = TIME.sub("T", (done.stdout + done.stderr).rstrip("\n"))
    assert shown(TIME.sub("T", expected.rstrip("\n"))).fullmatch(got + "\n"), f"{page}:{line}: {command}\n{got}"


def shown(expected: str):
    """The README's output as a pattern: a line `...` stands for any lines left out."""
    return re.compile("".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + "\n"
                              for line in expected.split("\n")))
