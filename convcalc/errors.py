"""One error family. A problem knows its code, message and where it is.

Positions come either from a source text and an offset (the parser, as tomli does:
line and column are computed from ``(src, pos)``) or from a node's span.
"""
from __future__ import annotations

import bisect
import functools
import re
from typing import Optional

from convcalc import codes
from convcalc.shown import printable, shown_path  # noqa: F401  (printable: re-exported, the one cleaning)
from convcalc.where import is_python  # the one dispatch on a file's suffix


class Record:
    """Fields named by __slots__, defaults in _defaults; equality, hash and repr by value.

    Used instead of dataclasses, whose creation costs start-up time on every run."""

    __slots__ = ()
    _defaults: dict = {}

    def __init__(self, *args, **kwargs):
        names = self.__slots__
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        values = {**self._defaults, **dict(zip(names, args)), **kwargs}
        for name in names:
            object.__setattr__(self, name, values[name])

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        return type(self) is type(other) and self._values() == other._values()

    def __hash__(self):
        return hash((type(self).__name__, self._values()))

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Span(Record):
    """1-based line and column; end_col is exclusive. ``path``: the file, when it is not the one
    being read (a Python model's block imported from another file of the tree). ``within``: the
    library block (``torchvision.ops.SqueezeExcitation``) whose code the problem is in, when the
    span is the place in the tree where that block was built or called (convcalc's own
    descriptions are no file of the user's: a problem inside one is placed at the call)."""

    __slots__ = ("line", "col", "end_line", "end_col", "path", "within")

    def __init__(self, line: int, col: int, end_line: int, end_col: int, path: Optional[str] = None,
                 within: Optional[str] = None):
        # spelled out: a span is made for every node the parser builds
        self.line, self.col, self.end_line, self.end_col, self.path = line, col, end_line, end_col, path
        self.within = within

    def inside(self, block: str) -> "Span":
        """This place, as the place of what runs inside the library block ``block``."""
        return Span(self.line, self.col, self.end_line, self.end_col, self.path, block)

    @classmethod
    def from_offsets(cls, src: str, start: int, end: int | None = None) -> "Span":
        return LineIndex(src).span(start, end)


def placed_message(message: str, span: Optional[Span]) -> str:
    """A problem's words, saying which library block it is inside when its place is the call of
    one: the one spelling for every command and format."""
    if span is None or span.within is None:
        return message
    return f"{message} (inside {span.within})"


NEWLINES = re.compile(r"\n")  # the description language: a line ends at \n (\r\n included)
PYTHON_NEWLINES = re.compile(r"\r\n|\r|\n")  # as Python's tokenizer (and so ast) counts lines
NETWORK_LINES = re.compile(r"\r?\n")  # a network file's lines, without the \r of a \r\n


@functools.lru_cache(maxsize=8)  # the findings of one file ask for its lines one by one
def source_lines(text: str, path: str) -> tuple:
    """The lines of a file as its frontend counts them, so that line N of a message is the line
    shown: Python breaks lines at \\n, \\r\\n and \\r only, the description language at \\n.
    Never ``str.splitlines()``, which also breaks at \\f, \\v, \\x1c-\\x1e, \\x85, U+2028 and U+2029
    (a form feed in a comment would shift every line after it)."""
    return tuple((PYTHON_NEWLINES if is_python(path) else NETWORK_LINES).split(text))


def source_line(text: str, path: str, number: int) -> str:
    """Line ``number`` (1-based) of a file, as its frontend counts lines; "" past the end."""
    lines = source_lines(text, path)
    return lines[number - 1] if 0 < number <= len(lines) else ""


class LineIndex:
    """Where the lines of a text start: line and column (1-based, in characters) of an offset
    in O(log lines), the one routine every position in convcalc comes from."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str, breaks=NEWLINES):
        self.text = text
        self.starts = [0] + [m.end() for m in breaks.finditer(text)]

    def line_col(self, pos: int) -> tuple[int, int]:
        pos = max(0, min(pos, len(self.text)))
        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1

    def span(self, start: int, end: int | None = None) -> Span:
        line, col = self.line_col(start)
        if end is None or end <= start:
            return Span(line, col, line, col + 1)
        return Span(line, col, *self.line_col(end))

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col - 1


# ---------------------------------------------------------------- wording shared by every message


def close_matches(word: str, pool, n: int = 3, cutoff: float = 0.6) -> list:
    """The names of ``pool`` closest to ``word`` (difflib), else those equal but for case."""
    import difflib  # only on an error: keeps start-up lean

    pool = list(pool)
    return difflib.get_close_matches(word, pool, n=n, cutoff=cutoff) or [c for c in pool if c.lower() == word.lower()]


def did_you_mean(word: str, pool, otherwise: str = "", n: int = 3, cutoff: float = 0.6) -> str:
    """"; did you mean a or b?" naming the closest names of ``pool``; ``otherwise`` when none is close."""
    close = close_matches(word, pool, n, cutoff)
    return f"; did you mean {' or '.join(close)}?" if close else otherwise


def mismatch(subject: str, expected: str, received: str) -> str:
    """The one wording of every mismatch, with the numbers: "Linear expects 400 input features
    but receives 256"."""
    return f"{subject} expects {expected} but receives {received}"


# files whose text was read as another (a notebook's code cells as one module): path -> the object
# that maps a span of that text back (frontends/notebook.Notebook: .diagnostic, .where, .line_of)
PLACES: dict = {}


def line_of(path: str, span: Span) -> str:
    """`line 40`, or `line 4 of cell 3` in a notebook: a position in a sentence."""
    placed = PLACES.get(path) if span.path is None else None
    return placed.line_of(span) if placed is not None else f"line {span.line}"


SHOWN_WIDTH = 100  # characters of a source line shown under a message


class Diagnostic(Record):
    """``cell``: the notebook cell the span is in (its lines and columns are the cell's own)."""

    __slots__ = ("path", "span", "code", "message", "source_line", "cell")
    _defaults = {"source_line": "", "cell": None}

    @property
    def place(self) -> str:
        """`path:line:col`, or `notebook.ipynb:cell 3:4:5`."""
        cell = f":cell {self.cell}" if self.cell is not None else ""
        return f"{shown_path(self.path)}{cell}:{self.span.line}:{self.span.col}"

    @property
    def severity(self) -> str:
        return codes.severity(self.code)

    def render(self, with_source: bool = True) -> str:
        head = printable(f"{self.place}: {self.code} {self.message}")
        if not with_source or not self.source_line:
            return head
        text = self.source_line.rstrip("\n").expandtabs(1)
        start = self.span.col - 1
        if self.span.end_line == self.span.line:
            width = max(1, self.span.end_col - self.span.col)
        else:
            width = max(1, len(text.rstrip()) - start)
        if len(text) > SHOWN_WIDTH:  # a long line (generated, or hostile): the part around the column
            left = max(0, min(start - SHOWN_WIDTH // 3, len(text) - SHOWN_WIDTH))
            right = left + SHOWN_WIDTH
            text = ("..." if left else "") + text[left:right] + ("..." if right < len(text) else "")
            width = max(1, min(width, right - start))
            start = start - left + (3 if left else 0)
        caret = " " * start + "^" + "~" * (width - 1)
        return f"{head}\n    {printable(text)}\n    {caret}"

    def to_json(self) -> dict:
        return {
            "path": shown_path(self.path),
            **({"cell": self.cell} if self.cell is not None else {}),
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


class ConvcalcError(Exception):
    """A problem with an input: a code, a message and (once known) a span. ``undecided``: the
    problem is only that a size is symbolic (a condition, a division, a slice that depends on the
    input's size): with a concrete size it may not be one. ``sources``: (path, text) of the other
    files its span may point into, where the frontend that raised it knows them."""

    sources: tuple = ()

    def __init__(self, code: str, message: str, span: Span | None = None, undecided: bool = False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.undecided = undecided

    @classmethod
    def at(cls, code: str, message: str, src: str, pos: int, end: int | None = None) -> "ConvcalcError":
        return cls(code, message, Span.from_offsets(src, pos, end))

    def diagnostic(self, path: str, src: str, sources=()) -> Diagnostic:
        """The problem as a diagnostic of ``path`` (its text ``src``); ``sources``: (path, text) of the
        other files a Python model was read from, where its span may point."""
        span = self.span or Span(1, 1, 1, 2)
        placed = PLACES.get(path) if span.path is None else None
        if placed is not None:  # a notebook: the cell, and the place in it
            return placed.diagnostic(self.code, placed_message(self.message, span), span)
        if span.path is not None:  # a place in another file of the tree: that file's path, never this one's
            texts = dict(sources or self.sources)
            path, src = span.path, texts.get(span.path, "")
        return Diagnostic(path, span, self.code, placed_message(self.message, span), source_line(src, path, span.line))


class NotFollowed(ConvcalcError):
    """Where a Python model is not followed (CC301) or not built (CC302), and why, as data:
    ``reason`` the words of why (for summaries), ``kind`` what kind of reason it is (reasons.Why
    of the Python frontend), ``tree``: forward was followed to its end, only a part of the module
    tree is not known (the rows are whole, the parameter total is not)."""

    def __init__(self, code: str, message: str, span: Span | None = None, reason: str = "", kind: str = "",
                 tree: bool = False):
        super().__init__(code, message, span)
        self.reason = reason or message
        self.kind = kind
        self.tree = tree


class UsageError(Exception):
    """Bad command-line usage or configuration (exit code 2). ``diagnostic``, when the problem
    has a place in an input, is shown instead of the bare message."""

    def __init__(self, message: str, diagnostic: Diagnostic | None = None):
        super().__init__(message)
        self.diagnostic = diagnostic

    def render(self) -> str:
        return self.diagnostic.render() if self.diagnostic else printable(f"convcalc: error: {self}")


class UnreadableInput(UsageError):
    """An input that is not text convcalc reads (exit code 2), with the place where reading stopped."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message, diagnostic)
