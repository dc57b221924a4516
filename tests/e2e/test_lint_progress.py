"""lint's progress line: on a terminal, once a run has taken a second, `lint [####---] 40% file`
on stderr, cleared at the end; never in a pipe or a CI log."""
import os
import pty
import select
import subprocess
import sys

from paths import CORPUS

COMMAND = [sys.executable, "-m", "convcalc", "lint", str(CORPUS), "--no-cache", "--jobs", "1"]


def read_all(fd) -> bytes:
    out = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        out += chunk
    return out


def test_a_long_run_on_a_terminal_shows_a_progress_line_and_clears_it(tmp_path):
    master, slave = pty.openpty()
    proc = subprocess.Popen(COMMAND, cwd=tmp_path, stdout=subprocess.PIPE, stderr=slave, env=dict(os.environ,
                            NO_COLOR="1"))
    os.close(slave)
    err = read_all(master).decode("utf-8", "replace")
    out = proc.communicate(timeout=300)[0].decode()
    os.close(master)
    assert "\rlint [" in err and "%" in err and err.endswith("\r\x1b[K")
    assert "lint [" not in out and "in what was followed (" in out and " files, " in out  # the summary, on stdout


def test_a_pipe_gets_no_progress_line(tmp_path):
    proc = subprocess.run(COMMAND, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "lint [" not in proc.stderr and "\r" not in proc.stderr
