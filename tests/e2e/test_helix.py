"""Helix, with the configuration docs/editors.md gives (its two TOML blocks, read from the page),
opening a model file against `convcalc server` in a pseudo-terminal: the diagnostic and the shapes
(inlay hints) appear on the screen Helix draws, read by the terminal emulator pyte.

Helix is found as `hx` on the PATH or CONVCALC_HELIX; skipped where it is neither, unless
CONVCALC_REQUIRE_HELIX=1 (CI unpacks Debian 13's build with .ci/helix)."""
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time

import pytest

from notebooks import BROKEN_LENET
from paths import ROOT

pytest.importorskip("pygls")
pyte = pytest.importorskip("pyte")

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
COLUMNS, LINES = 110, 30


def helix() -> str:
    found = os.environ.get("CONVCALC_HELIX") or shutil.which("hx")
    if found is None:
        if os.environ.get("CONVCALC_REQUIRE_HELIX") == "1":
            pytest.fail("Helix is required (CONVCALC_REQUIRE_HELIX=1) but neither hx nor CONVCALC_HELIX is there")
        pytest.skip("Helix (hx) is not installed")
    return found


def documented() -> tuple:
    """The languages.toml and config.toml blocks of docs/editors.md's Helix section."""
    page = (ROOT / "docs" / "editors.md").read_text()
    section = page.split("## Helix", 1)[1].split("\n## ", 1)[0]
    languages, config = re.findall(r"```toml\n(.*?)```", section, re.S)
    return languages, config


def screen_of(command: str, workdir, wanted, timeout: float = 90) -> list:
    """The lines of Helix's screen once every pattern of ``wanted`` is on it (or the timeout)."""
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    env = dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=str(workdir / "config"),
               XDG_CACHE_HOME=str(workdir / "cache"), XDG_DATA_HOME=str(workdir / "data"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    proc = subprocess.Popen([command, "model.py"], cwd=workdir, env=env, stdin=slave, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    deadline = time.monotonic() + timeout
    moved = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    stream.feed(os.read(master, 65536))
                except OSError:
                    break
            text = "\n".join(screen.display)
            if not moved and "●" in text:
                os.write(master, b"12G")  # the cursor to the broken line: its finding in full under it
                moved = True
            if all(re.search(pattern, text) for pattern in wanted):
                break
        return list(screen.display)
    finally:
        os.write(master, b"\x1b:qa!\r")
        time.sleep(0.3)
        proc.kill()
        proc.wait()
        os.close(master)


def test_helix_shows_the_diagnostic_and_the_shapes(tmp_path):
    command = helix()
    languages, config = documented()
    (tmp_path / "config" / "helix").mkdir(parents=True)
    (tmp_path / "config" / "helix" / "languages.toml").write_text(languages)
    (tmp_path / "config" / "helix" / "config.toml").write_text(config)
    (tmp_path / "model.py").write_text(HEADER + BROKEN_LENET)
    wanted = [r"Linear expects 400 input features but receives 256", r"nn\.Conv2d\(1, 6, 5\)\s+6x24x24 · 156 params",
              r"torch\.flatten\(x, 1\)\s+→ 256"]
    lines = screen_of(command, tmp_path, wanted)
    text = "\n".join(lines)
    for pattern in wanted:
        assert re.search(pattern, text), f"{pattern!r} not on Helix's screen:\n{text}"
    broken = next(i for i, line in enumerate(lines) if "nn.Linear(16 * 5 * 5, 120)" in line)
    assert lines[broken].lstrip().startswith("●")  # the gutter marks the line of the finding
