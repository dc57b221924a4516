"""The pictures of docs/editors.md: Neovim (Debian's 0.7.2) with docs/editors/convcalc.lua, and Helix
(Debian 13's 25.01) with the configuration the page gives, each run in a pseudo-terminal against
`convcalc server` on the broken LeNet of the tests, its screen read by the terminal emulator pyte
and written as SVG text, cell by cell, in the colours the editor chose. Not a photograph of a
window: the characters and colours are exactly what the editor drew.

    pip install pyte==0.8.2 && python docs/editors/screenshot.py           # docs/editors/neovim.svg
    python docs/editors/screenshot.py helix   # docs/editors/helix.svg (hx on the PATH, or CONVCALC_HELIX)
"""
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pyte

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests" / "support"))
from notebooks import BROKEN_LENET  # noqa: E402

COLUMNS, LINES = 104, 26
CELL_W, CELL_H = 8.4, 17
NAMED = {"black": "000000", "red": "cd3131", "green": "0dbc79", "brown": "e5e510", "blue": "2472c8",
         "magenta": "bc3fbc", "cyan": "11a8cd", "white": "e5e5e5", "default": None}


def colour(value: str, default: str) -> str:
    if value in NAMED:
        return "#" + (NAMED[value] or default)
    return "#" + value if len(value) == 6 else "#" + default


def command(editor: str, workdir: Path) -> list:
    if editor == "neovim":
        return ["nvim", "-u", str(HERE / "convcalc.lua"), "model.py"]
    page = (HERE.parent / "editors.md").read_text()
    languages, config = re.findall(r"```toml\n(.*?)```", page.split("## Helix", 1)[1].split("\n## ", 1)[0], re.S)
    (workdir / "config" / "helix").mkdir(parents=True)
    (workdir / "config" / "helix" / "languages.toml").write_text(languages)
    (workdir / "config" / "helix" / "config.toml").write_text(config)
    return [os.environ.get("CONVCALC_HELIX") or "hx", "model.py"]


def capture(workdir: Path, editor: str = "neovim") -> pyte.Screen:
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               XDG_CONFIG_HOME=str(workdir / "config"), XDG_DATA_HOME=str(workdir / "data"),
               XDG_STATE_HOME=str(workdir / "state"))
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    proc = subprocess.Popen(command(editor, workdir), cwd=workdir, env=env,
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            stream.feed(os.read(master, 65536))
        if editor == "helix" and deadline - time.monotonic() < 5 and not getattr(screen, "moved", False):
            os.write(master, b"12G")  # the cursor on the broken line: Helix writes its finding under it
            screen.moved = True
    os.write(master, b"\x1b:qa!\r")
    time.sleep(0.5)
    proc.kill()
    os.close(master)
    return screen


def svg(screen: pyte.Screen) -> str:
    width, height = COLUMNS * CELL_W, LINES * CELL_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, monospace" font-size="14">',
           f'<rect width="100%" height="100%" fill="#1e1e1e"/>']
    for y in range(LINES):
        row = screen.buffer[y]
        for x in range(COLUMNS):
            char = row[x]
            background = colour(char.bg, "1e1e1e") if not char.reverse else colour(char.fg, "d4d4d4")
            if background != "#1e1e1e":
                out.append(f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H}" width="{CELL_W + 0.2:.1f}" '
                           f'height="{CELL_H}" fill="{background}"/>')
        x = 0
        while x < COLUMNS:  # runs of one colour as one text element
            char = row[x]
            fg = colour(char.fg, "d4d4d4") if not char.reverse else colour(char.bg, "1e1e1e")
            end = x
            text = ""
            while end < COLUMNS and (colour(row[end].fg, "d4d4d4") if not row[end].reverse else
                                     colour(row[end].bg, "1e1e1e")) == fg:
                text += row[end].data
                end += 1
            if text.strip():
                weight = ' font-weight="bold"' if char.bold else ""
                out.append(f'<text x="{x * CELL_W:.1f}" y="{y * CELL_H + 13}" fill="{fg}"{weight} '
                           f'xml:space="preserve" textLength="{len(text) * CELL_W:.1f}">{escape(text)}</text>')
            x = end
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    editor = sys.argv[1] if len(sys.argv) > 1 else "neovim"
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "model.py").write_text("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
                                          + BROKEN_LENET)
        screen = capture(workdir, editor)
    (HERE / f"{editor}.svg").write_text(svg(screen))
    print("\n".join(screen.display))


if __name__ == "__main__":
    main()
