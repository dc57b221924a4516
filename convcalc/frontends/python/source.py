"""Positions in a Python file (Python counts lines at \\n, \\r\\n and \\r, and ast columns in
UTF-8 bytes) and the ``# convcalc: input 3x32x32`` comments above a model."""
from __future__ import annotations

import re

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import PYTHON_NEWLINES, ConvcalcError, LineIndex, Span
from convcalc.limits import MAX_DIGITS, MAX_RANK  # not from syntax.py: a .py file needs no .net parser


INPUT_COMMENT = re.compile(r"#\s*convcalc:\s*input\b[ \t]*([^#\r\n]*)")


class Source:
    """A Python file's text, its lines as Python counts them, and spans of ast nodes in characters."""

    def __init__(self, text: str, path: str, imported: bool = False):
        self.text = text
        self.path = path
        self.lines = PYTHON_NEWLINES.split(text)
        self.index = LineIndex(text, PYTHON_NEWLINES)
        self.own = path if imported else None  # spans of an imported file name it
        self.library = None  # convcalc's description of a library (library/): its public name, torchvision.ops

    def col(self, line: int, byte_col: int) -> int:
        if not 0 < line <= len(self.lines):
            return byte_col + 1
        text = self.lines[line - 1]
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1

    def span(self, node) -> Span:
        line = getattr(node, "lineno", 1) or 1
        col = self.col(line, getattr(node, "col_offset", 0) or 0)
        end_line = getattr(node, "end_lineno", None) or line
        end_col = self.col(end_line, getattr(node, "end_col_offset", None) or 0)
        if end_line == line and end_col <= col:
            end_col = col + 1
        return Span(line, col, end_line, end_col, self.own)

    def segment(self, node) -> str:
        """The source text of a node (ast.get_source_segment splits the whole file on every call)."""
        end_line = getattr(node, "end_lineno", None)
        lines = len(self.index.starts)
        if end_line is None or not 0 < node.lineno <= lines or end_line > lines:
            return ""
        start = self.index.offset(node.lineno, self.col(node.lineno, node.col_offset))
        end = self.index.offset(end_line, self.col(end_line, node.end_col_offset))
        return self.text[start:end]


def comment_above(src: Source, nodes, pattern):
    """(match, line number, line text) of the first comment matching ``pattern`` in the block of
    comment lines right above one of ``nodes`` (decorators included), or None."""
    for node in nodes:
        if node is None or not hasattr(node, "lineno"):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        line = first - 1
        while line >= 1:
            text = src.lines[line - 1] if line <= len(src.lines) else ""
            if not text.strip().startswith("#"):
                break
            m = pattern.search(text)
            if m:
                return m, line, text
            line -= 1
    return None


def input_comment(src: Source, nodes) -> tuple:
    """(Input node, or a tuple of them for a model with several inputs, or None; problem or None)
    from `# convcalc: input 3x32x32` above one of ``nodes``."""
    found = comment_above(src, nodes, INPUT_COMMENT)
    if found is None:
        return None, None
    m, line, text = found
    return parse_input_comment(text, line, m)


def parse_input_comment(text: str, line: int, m) -> tuple:
    """The dimensions of `# convcalc: input 3x32x32`; several inputs separated by commas."""
    whole = m.group(1).rstrip()
    start = m.start(1) + 1
    span = Span(line, m.start() + 1, line, start + len(whole))
    if not whole:
        return None, ConvcalcError(codes.SYNTAX, "`# convcalc: input` needs dimensions, e.g. # convcalc: input 3x32x32",
                                   span)
    inputs, offset = [], 0
    parts = whole.split(",")
    for part in parts:
        begin = start + offset + (len(part) - len(part.lstrip()))
        own = span if len(parts) == 1 else Span(line, begin, line, begin + len(part.strip()))
        given, problem = parse_dims(part.strip(), line, begin, own)
        if problem is not None:
            return None, problem
        inputs.append(given)
        offset += len(part) + 1
    return (inputs[0] if len(inputs) == 1 else tuple(inputs)), None


def parse_dims(dims_text: str, line: int, start: int, span: Span) -> tuple:
    if not dims_text:
        return None, ConvcalcError(codes.SYNTAX, "an empty input in `# convcalc: input`", span)
    dims = []
    offset = 0
    for piece in re.split("[x×]", dims_text):
        token = piece.strip()
        col = start + offset + (len(piece) - len(piece.lstrip()))
        dim_span = Span(line, col, line, col + max(1, len(token)))
        if len(dims) == MAX_RANK:
            return None, ConvcalcError(codes.SYNTAX, f"an input of more than {MAX_RANK} dimensions in `# convcalc: "
                                                     f"input`: convcalc reads at most {MAX_RANK}", dim_span)
        if re.fullmatch(r"\d+", token) and len(token) <= MAX_DIGITS:
            dims.append(n.Num(int(token), dim_span))
        elif re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", token):
            dims.append(n.Name(token, dim_span))
        elif re.fullmatch(r"\d+", token):
            return None, ConvcalcError(codes.SYNTAX, f"a number of {len(token):,} digits in `# convcalc: input`; "
                                                     f"numbers go up to 2**256 ({MAX_DIGITS} digits)", dim_span)
        else:
            return None, ConvcalcError(codes.SYNTAX, f"bad input dimension {token!r} in `# convcalc: input`: expected "
                                                     "numbers or names joined by x, e.g. 3x32x32", dim_span)
        offset += len(piece) + 1
    return n.Input(tuple(dims), span), None
