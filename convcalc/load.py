"""Reading a network: from a path, standard input or -e TEXT, through the right frontend."""
from __future__ import annotations

import os
import stat
import sys
from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Diagnostic, Span, UnreadableInput, UsageError
from convcalc.limits import MAX_FILE

# what a file is by its suffix, and the tree it is read in: convcalc/where.py (errors.py below
# this module needs the one, the import reader the other); named here too for every caller
from convcalc.where import (NETWORK_SUFFIXES, NOTEBOOK_SUFFIX, PYTHON_SUFFIX, inside, is_notebook,  # noqa: F401
                            is_python, tree_of)


def notebook_module(path: str, text: str):
    """A notebook's code cells as one module (frontends/notebook.py), registered so that every
    diagnostic and table row of ``path`` names its cell; a CC001 error where the file is not one."""
    from convcalc.errors import PLACES
    from convcalc.frontends.notebook import read_notebook

    PLACES.pop(path, None)  # a notebook read before under this name; an error of this text is in its JSON
    book = read_notebook(text, path)
    PLACES[path] = book
    return book


def read_source(path: Optional[str], expr: Optional[str]) -> tuple[str, str]:
    """(display path, text). Unreadable input is a usage error (exit 2)."""
    if expr is not None:
        if path is not None:
            raise UsageError("give a NET path or -e TEXT, not both")
        return "<expr>", expr
    if path is None:
        raise UsageError("give a NET path, - for standard input, or -e TEXT")
    if path == "-":
        if sys.stdin is None or getattr(sys.stdin, "closed", False):
            raise UsageError("cannot read standard input: it is closed")
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:  # a text stream without bytes beneath (a test's StringIO)
            text = sys.stdin.read(MAX_FILE + 1)
            if len(text) > MAX_FILE:
                raise unreadable("<stdin>", text.encode("utf-8"), MAX_FILE, f"more than {MAX_FILE:,} characters: "
                                 "convcalc reads no further")
            return "<stdin>", text
        return "<stdin>", decode("<stdin>", stdin.read(MAX_FILE + 1))
    try:
        not_regular(path)
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return path, decode(path, data)


# what a path is when it is not a regular file: opening a FIFO blocks until a writer comes
KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
         (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def not_regular(path: str) -> None:
    """A UsageError naming what ``path`` is, unless it is a regular file (symlinks followed; a
    loop of them is an OSError: Too many levels of symbolic links)."""
    mode = os.stat(path).st_mode
    for test, kind in KINDS:
        if test(mode):
            raise UsageError(f"cannot read {path}: it is {kind}, not a regular file (give the file, or - for "
                             "standard input)")


def python_bound(path: str, text: str) -> None:
    """An UnreadableInput (exit 2) at the first token of a Python file past limits.MAX_PYTHON_TOKENS,
    checked before ast parses it (see limits.python_overflow)."""
    from convcalc.errors import PYTHON_NEWLINES, LineIndex, source_line
    from convcalc.limits import MAX_PYTHON_TOKENS, python_overflow

    _, at = python_overflow(text)
    if at is not None:
        span = LineIndex(text, PYTHON_NEWLINES).span(at)
        raise UnreadableInput(Diagnostic(path, span, codes.SYNTAX, f"more than {MAX_PYTHON_TOKENS:,} tokens of Python "
                                         "(words and marks, before parsing): convcalc reads no further",
                                         source_line(text, path, span.line)))


def decode(path: str, data: bytes) -> str:
    """UTF-8 text of at most MAX_FILE bytes; past the limit, or at a byte that is not UTF-8, a
    positioned error (exit 2) instead of a guess."""
    if len(data) > MAX_FILE:
        raise unreadable(path, data, MAX_FILE, f"the input is larger than {MAX_FILE:,} bytes: convcalc reads no "
                                               "further")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unreadable(path, data, exc.start, f"not UTF-8 text: byte 0x{data[exc.start]:02x} "
                                                f"({exc.reason})") from None


def unreadable(path: str, data: bytes, at: int, message: str) -> UnreadableInput:
    """The error at byte ``at``: line and column counted in characters, as everywhere else."""
    line_start = data.rfind(b"\n", 0, at) + 1
    line_end = data.find(b"\n", at)
    line = data.count(b"\n", 0, at) + 1
    col = len(data[line_start:at].decode("utf-8", "replace")) + 1
    shown = data[line_start:line_end if line_end >= 0 else len(data)].decode("utf-8", "replace")
    return UnreadableInput(Diagnostic(path, Span(line, col, line, col + 1), codes.SYNTAX, message, shown))


def parse_input_option(text: str):
    """--input 3x32x32, parsed by the language's own input rule; ``3x32x32, 3x32x32`` gives a
    tuple, one Input per input of a model with several."""
    from convcalc.frontends.syntax import parse

    if "," in text:
        return tuple(parse_input_option(part) for part in text.split(","))

    try:
        program = parse("input " + text.strip(), "--input")
    except ConvcalcError as exc:
        raise UsageError(f"--input {text!r}: {exc.message}") from None
    if len(program.body) != 1 or not isinstance(program.body[0], n.Input):
        raise UsageError(f"--input {text!r}: expected dimensions joined by x, e.g. 3x32x32")
    return program.body[0]


def python_programs(path: str, text: str, model: Optional[str], override, training: bool) -> list:
    from convcalc.frontends.python.models import models_from_source

    python_bound(path, text)
    call = model if model is not None and "(" in model else None  # --model "VGG('VGG16')"
    return models_from_source(text, path, override, training, call, None if call else model)


def load_programs(path: str, text: str, model: Optional[str] = None, override=None,
                  training: bool = False) -> list[n.Program]:
    """One program for a network file; one per model for a Python file (followed on ``override``,
    the command's --input, when given; in training mode with ``training``). A notebook's code
    cells are one Python module; a cell Python cannot parse is said (CC001) before the models of
    the others."""
    if is_notebook(path):
        book = notebook_module(path, text)
        try:
            programs = python_programs(path, book.module, model, override, training)
        except ConvcalcError:
            if book.problems:  # no model: the cell that was left out may be why
                raise book.problems[0] from None
            raise
        said = list(book.problems) + list(book.notes)  # with each model's notes: shown where they are
        if not said:
            return programs
        return [n.Program(**{**{name: getattr(p, name) for name in p.__slots__}, "notes": said + list(p.notes)})
                for p in programs]
    if is_python(path):
        return python_programs(path, text, model, override, training)
    from convcalc.frontends.syntax import parse

    return [parse(text, path)]
