"""One error family. A problem knows its code, message and where it is.

Positions come either from a source text and an offset (the parser, as tomli does:
line and column are computed from ``(src, pos)``) or from a node's span.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "error", "warning", "info"

# code -> (severity, one-line description); lint adds its own codes to this table
CODES: dict[str, tuple[str, str]] = {
    "CC001": (ERROR, "syntax error in a network file"),
    "CC002": (ERROR, "unknown layer, unknown or missing argument, argument of the wrong kind or value"),
    "CC101": (ERROR, "channel mismatch: in_channels / num_features / num_channels differs from the incoming tensor"),
    "CC102": (ERROR, "Linear in_features differs from the incoming last dimension"),
    "CC103": (ERROR, "a dimension becomes smaller than 1 (kernel larger than the padded input)"),
    "CC104": (ERROR, "residual / add of tensors of different shapes"),
    "CC105": (ERROR, "concat of tensors that differ in a dimension other than channels"),
    "CC106": (ERROR, "an invalid layer configuration PyTorch would reject"),
    "CC107": (ERROR, "a view/reshape to a fixed size that differs from the tensor's size per sample"),
    "CC201": (WARNING, "non-integer output size: rows/columns dropped or added by floor/ceil"),
    "CC202": (WARNING, "a convolution's bias directly before a BatchNorm is redundant"),
    "CC203": (WARNING, "an add or concat of symbolic sizes that match only for some input sizes (the condition is stated)"),
}


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
    """1-based line and column; end_col is exclusive."""

    __slots__ = ("line", "col", "end_line", "end_col")

    def __init__(self, line: int, col: int, end_line: int, end_col: int):
        # spelled out: a span is made for every node the parser builds
        self.line, self.col, self.end_line, self.end_col = line, col, end_line, end_col

    @classmethod
    def from_offsets(cls, src: str, start: int, end: int | None = None) -> "Span":
        line, col = line_col(src, start)
        if end is None or end <= start:
            end_line, end_col = line, col + 1
        else:
            end_line, end_col = line_col(src, end)
        return cls(line, col, end_line, end_col)


def line_col(src: str, pos: int) -> tuple[int, int]:
    pos = max(0, min(pos, len(src)))
    line = src.count("\n", 0, pos) + 1
    col = pos - (src.rfind("\n", 0, pos) + 1) + 1
    return line, col


SHOWN_WIDTH = 100  # characters of a source line shown under a message
# control characters in a shown line (NUL, escape sequences of a binary file) become U+FFFD,
# one character for one, so that the caret stays under its column
_CONTROLS = {c: "\ufffd" for c in [*range(32), 127] if c != 9}


class Diagnostic(Record):
    __slots__ = ("path", "span", "code", "message", "source_line")
    _defaults = {"source_line": ""}

    @property
    def severity(self) -> str:
        return CODES.get(self.code, (ERROR, ""))[0]

    def render(self, with_source: bool = True) -> str:
        head = f"{self.path}:{self.span.line}:{self.span.col}: {self.code} {self.message}"
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
        return f"{head}\n    {text.translate(_CONTROLS)}\n    {caret}"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


class ConvcalcError(Exception):
    """A problem with an input: a code, a message and (once known) a span."""

    def __init__(self, code: str, message: str, span: Span | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span

    @classmethod
    def at(cls, code: str, message: str, src: str, pos: int, end: int | None = None) -> "ConvcalcError":
        return cls(code, message, Span.from_offsets(src, pos, end))

    def diagnostic(self, path: str, src: str) -> Diagnostic:
        span = self.span or Span(1, 1, 1, 2)
        lines = src.splitlines()
        source_line = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        return Diagnostic(path, span, self.code, self.message, source_line)


class UsageError(Exception):
    """Bad command-line usage or configuration (exit code 2). ``diagnostic``, when the problem
    has a place in an input, is shown instead of the bare message."""

    def __init__(self, message: str, diagnostic: Diagnostic | None = None):
        super().__init__(message)
        self.diagnostic = diagnostic

    def render(self) -> str:
        return self.diagnostic.render() if self.diagnostic else f"convcalc: error: {self}"


class UnreadableInput(UsageError):
    """An input that is not text convcalc reads (exit code 2), with the place where reading stopped."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message, diagnostic)
