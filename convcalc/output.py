"""What convcalc writes: every line to stdout and stderr (:func:`echo`, through the one cleaning
function, shown.printable) and every picture (:func:`write_file`, to a regular file or a new one).

A picture is written only to a regular file or a file it creates: opening a named pipe for
writing blocks until a reader comes (forever, in CI), and a device (/dev/sda, a terminal) is no
place for 98 MB of SVG. The file is opened without blocking and without truncating, checked
with fstat, and only then emptied and written."""
from __future__ import annotations

import os
import stat

import click

from convcalc.errors import UsageError
from convcalc.shown import printable, shown_path


def echo(text: str, err: bool = False, styled: bool = False) -> None:
    """A report or message on stdout (stderr with ``err``), cleaned: nothing a terminal or a CI
    log would act on. ``styled``: lint's coloured text, cleaned before its own colours were added."""
    click.echo(text if styled else printable(text, lines=True), err=err, color=True if styled else None)


class CleanStream:
    """A stream that cleans what click writes of its own (a usage error quoting an argument)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        return self.stream.write(printable(text, lines=True) if isinstance(text, str) else text)

    def flush(self):
        self.stream.flush()


def write_file(path: str, text: str) -> None:
    """``text`` into ``path``, a regular file or a new one; anything else is a UsageError that
    names what it is, and nothing is written."""
    from convcalc.load import KINDS

    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:  # ENXIO: a named pipe that no one reads
        if exc.errno is not None and os.path.exists(path) and not os.path.isfile(path):
            raise UsageError(f"cannot write {shown_path(path)}: {what(path)}, not a regular file (give a new or a "
                             "regular file's name)") from None
        raise UsageError(f"cannot write {shown_path(path)}: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((k for test, k in KINDS if test(mode)), "not a regular file")
            raise UsageError(f"cannot write {shown_path(path)}: it is {kind}, not a regular file (give a new or a "
                             "regular file's name)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        os.ftruncate(fd, 0)
        with os.fdopen(fd, "w", encoding="utf-8", closefd=True) as fh:
            fd = -1
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {shown_path(path)}: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)


def what(path: str) -> str:
    from convcalc.load import KINDS

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "not a regular file"
    return "it is " + next((k for test, k in KINDS if test(mode)), "not a regular file")
