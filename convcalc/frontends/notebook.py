"""Jupyter notebooks (``.ipynb``): the code cells, in order, as one Python module for the Python
frontend, and every position in that module mapped back to its cell.

The module holds each code cell's lines followed by one empty line (so that a comment at the
end of a cell is never read as the ``# convcalc: input`` comment of a class at the top of the
next). IPython's own syntax keeps its line but not its text: a line magic (``%matplotlib
inline``), a shell line (``!pip install torch``, ``files = !ls``) and a help line (``model?``)
become ``pass`` at their indentation; a cell magic whose body is Python (``%%time``) keeps its
body, any other (``%%bash``, ``%%writefile``) skips the whole cell, with a note. A cell that
Python cannot parse is a CC001 problem at its line and is left out, so that the other cells are
still read.

Positions: cells are numbered from 1 as they appear in the file, markdown and raw cells
included (the number a reader counts scrolling the notebook); a line and a column are the
cell's own. ``raw_line`` is the line of the ``.ipynb`` file (its JSON) that holds a cell line:
what a CI tool that shows the file itself can point at.

A file that is not a notebook (not JSON, no ``cells``, a cell without its ``source``) is a
CC001 error at the place in the JSON where reading stopped, never a traceback.
"""
from __future__ import annotations

import ast
import re
from typing import Optional

from convcalc import codes
from convcalc.errors import PYTHON_NEWLINES, ConvcalcError, Diagnostic, LineIndex, Span

SUFFIX = ".ipynb"

# cell magics whose body is Python that IPython runs as such
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
# an IPython line: a magic, a shell escape, an assignment from one, or a help request
MAGIC = re.compile(r"[ \t]*(?:[%!]|[\w.\[\], \t]+=[ \t]*[%!]|\?|[\w.]+\?\??[ \t]*$)")
CELL_MAGIC = re.compile(r"[ \t]*%%(\w*)")
_WS = re.compile(r"[ \t\n\r]*")
_LITERAL = re.compile(r"-?(?:Infinity|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|NaN|true|false|null")


class At:
    """A JSON value and the offset of its first character in the file."""

    __slots__ = ("value", "start")

    def __init__(self, value, start: int):
        self.value, self.start = value, start


class Literal(str):
    """A number, true, false or null as written: never taken for a string."""

    __slots__ = ()


def scan(text: str) -> At:
    """The JSON value of ``text`` (already known to parse: json.loads ran first) with the offset of
    every value; iterative, so that nesting costs no stack."""
    from json.decoder import scanstring

    def ws(pos: int) -> int:
        return _WS.match(text, pos).end()

    def key_at(pos: int) -> tuple:  # '"key" :' -> (key, offset of the value)
        key, pos = scanstring(text, pos + 1)
        return key, ws(ws(pos) + 1)

    stack: list = []  # [open container, key of the value being read (objects)]
    pos = ws(0)
    while True:
        ch = text[pos]
        if ch in "{[":
            node = At({} if ch == "{" else [], pos)
            pos = ws(pos + 1)
            if text[pos] not in "}]":
                key = None
                if ch == "{":
                    key, pos = key_at(pos)
                stack.append([node, key])
                continue
            pos += 1
            value = node
        elif ch == '"':
            start = pos
            string, pos = scanstring(text, pos + 1)
            value = At(string, start)
        else:
            match = _LITERAL.match(text, pos)
            value = At(Literal(match.group()), pos)
            pos = match.end()
        while True:  # the value into its container; then a comma (the next value) or the container's end
            if not stack:
                return value
            parent, key = stack[-1]
            if key is None:
                parent.value.append(value)
            else:
                parent.value[key] = value
            pos = ws(pos)
            if text[pos] == ",":
                pos = ws(pos + 1)
                if isinstance(parent.value, dict):
                    stack[-1][1], pos = key_at(pos)
                break
            pos += 1
            stack.pop()
            value = parent


class Cell:
    """A code cell: its number (from 1, every cell counted), the module line of its first line,
    its lines as written, and the line of the .ipynb file that holds each."""

    __slots__ = ("number", "first", "lines", "raw_lines")

    def __init__(self, number: int, first: int, lines: list, raw_lines: list):
        self.number, self.first, self.lines, self.raw_lines = number, first, lines, raw_lines


class Notebook:
    """The module made of a notebook's code cells, and the way back from its positions to cells."""

    def __init__(self, path: str, text: str):
        self.path, self.text = path, text
        self.cells: list = []
        self.module = ""
        self.problems: list = []  # ConvcalcError CC001 at module positions: a cell Python cannot parse
        self.notes: list = []  # ConvcalcError CC900 at module positions: cells not read (%%bash, another language)
        self._firsts: list = []

    def cell_at(self, line: int) -> Optional[Cell]:
        import bisect

        at = bisect.bisect_right(self._firsts, line) - 1
        return self.cells[at] if at >= 0 else None

    def local(self, span: Span) -> tuple:
        """(cell number, the span in the cell's own lines) of a span of the module."""
        cell = self.cell_at(span.line)
        if cell is None:
            return None, span
        count = len(cell.lines)
        line = min(max(span.line - cell.first + 1, 1), count)
        end_line, end_col = span.end_line - cell.first + 1, span.end_col
        if end_line > count:  # past the cell's last line (the module's empty line after it)
            end_line, end_col = count, len(cell.lines[-1]) + 1
        if end_line < line or (end_line == line and end_col <= span.col):
            end_line, end_col = line, span.col + 1
        return cell.number, Span(line, span.col, end_line, end_col)

    def line_text(self, number: int, line: int) -> str:
        for cell in self.cells:
            if cell.number == number:
                return cell.lines[line - 1] if 0 < line <= len(cell.lines) else ""
        return ""

    def raw_line(self, span: Span) -> int:
        """The line of the .ipynb file that holds the first line of a module span."""
        cell = self.cell_at(span.line)
        if cell is None:
            return 1
        return cell.raw_lines[min(span.line - cell.first, len(cell.raw_lines) - 1)]

    def where(self, span: Span) -> str:
        """`cell 3:4`: a table's line column."""
        number, local = self.local(span)
        return f"cell {number}:{local.line}" if number is not None else str(span.line)

    def line_of(self, span: Span) -> str:
        """`line 4 of cell 3`: a position in a sentence."""
        number, local = self.local(span)
        return f"line {local.line} of cell {number}" if number is not None else f"line {span.line}"

    def diagnostic(self, code: str, message: str, span: Span) -> Diagnostic:
        number, local = self.local(span)
        return Diagnostic(self.path, local, code, message, self.line_text(number, local.line), number)


def is_string(value) -> bool:
    return isinstance(value, str) and not isinstance(value, Literal)


def is_notebook(path: str) -> bool:
    return path.endswith(SUFFIX)


def problem(text: str, at: int, message: str) -> ConvcalcError:
    return ConvcalcError(codes.SYNTAX, f"not read as a notebook: {message}", LineIndex(text).span(at))


def read_notebook(text: str, path: str) -> Notebook:
    """The notebook of ``text``; a CC001 ConvcalcError at the place in the JSON where it is not one."""
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise problem(text, exc.pos, f"the file is not JSON ({exc.msg})") from None
    except RecursionError:
        raise problem(text, 0, "the JSON is nested too deeply to read") from None
    root = scan(text)
    if not isinstance(root.value, dict):
        raise problem(text, root.start, "expected a JSON object with \"cells\"")
    if "worksheets" in root.value:
        raise problem(text, root.value["worksheets"].start, "an nbformat 3 notebook (worksheets): convcalc reads "
                                                            "nbformat 4; convert it with jupyter nbconvert --to "
                                                            "notebook")
    cells = root.value.get("cells")
    if cells is None:
        raise problem(text, root.start, "no \"cells\" in the top-level object")
    if not isinstance(cells.value, list):
        raise problem(text, cells.start, "\"cells\" is not a list")
    book = Notebook(path, text)
    index = LineIndex(text)
    language = notebook_language(root)
    module: list = []
    for number, cell in enumerate(cells.value, 1):
        if not isinstance(cell.value, dict):
            raise problem(text, cell.start, f"cell {number} is not an object")
        kind = cell.value.get("cell_type")
        if kind is None or not is_string(kind.value):
            raise problem(text, (kind or cell).start, f"cell {number} has no \"cell_type\" string")
        if kind.value != "code":
            continue
        source = cell.value.get("source")
        pieces = source_pieces(text, source, cell, number)
        cell_text = "".join(piece for piece, _ in pieces)
        lines = PYTHON_NEWLINES.split(cell_text)
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # the newline that ends the last line starts no line of its own
        first = len(module) + 1
        entry = Cell(number, first, lines, raw_lines(index, pieces, cell_text, len(lines), source.start))
        book.cells.append(entry)
        book._firsts.append(first)
        if language is not None:
            code = [""] * len(lines)
            if number == book.cells[0].number:
                book.notes.append(ConvcalcError(codes.NOTE, f"a notebook in {language}: its cells are not Python, "
                                                            "not read", Span(first, 1, first, 2)))
        else:
            code = python_cell(book, entry)
        module.extend(code)
        module.append("")  # a cell ends here: no comment above a class reaches into the cell before
    book.module = "\n".join(module)
    return book


def notebook_language(root: At) -> Optional[str]:
    """The notebook's language when its metadata names one other than Python, else None."""
    metadata = root.value.get("metadata")
    if metadata is None or not isinstance(metadata.value, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        table = metadata.value.get(key)
        if table is not None and isinstance(table.value, dict):
            name = table.value.get(field)
            if name is not None and is_string(name.value) and name.value:
                return None if name.value.lower().startswith("python") else name.value
    return None


def source_pieces(text: str, source: Optional[At], cell: At, number: int) -> list:
    """(string, offset of its opening quote in the file) of each piece of a code cell's source."""
    if source is None:
        raise problem(text, cell.start, f"code cell {number} has no \"source\"")
    if is_string(source.value):
        return [(source.value, source.start)]
    if isinstance(source.value, list):
        for piece in source.value:
            if not is_string(piece.value):
                raise problem(text, piece.start, f"the source of cell {number} holds something other than strings")
        return [(piece.value, piece.start) for piece in source.value]
    raise problem(text, source.start, f"the source of cell {number} is neither a string nor a list of strings")


def raw_lines(index: LineIndex, pieces: list, cell_text: str, count: int, fallback: int) -> list:
    """The file line of the piece that holds each line's first character."""
    import bisect

    offsets, at = [], 0
    for piece, _ in pieces:
        offsets.append(at)
        at += len(piece)
    starts = [0] + [m.end() for m in PYTHON_NEWLINES.finditer(cell_text)]
    out = []
    for start in starts[:count]:
        which = bisect.bisect_right(offsets, start) - 1
        offset = pieces[min(max(which, 0), len(pieces) - 1)][1] if pieces else fallback
        out.append(index.line_col(offset)[0])
    return out


def python_cell(book: Notebook, cell: Cell) -> list:
    """The cell's lines as the module holds them: IPython's syntax made `pass` (or left out, for a
    cell magic that is not Python); a cell Python cannot parse left out, as a CC001 problem."""
    lines = list(cell.lines)
    blank = [""] * len(lines)
    if syntax_error("\n".join(lines)) is None:
        return lines
    magic = CELL_MAGIC.match(lines[0])
    if magic is not None:
        if magic.group(1) not in PYTHON_CELL_MAGICS:
            book.notes.append(ConvcalcError(codes.NOTE, f"a %%{magic.group(1)} cell: not Python, not read",
                                            Span(cell.first, 1, cell.first, 2)))
            return blank
        lines[0] = ""
    continued = False
    for i, line in enumerate(lines):
        if continued:  # the rest of a magic continued with a backslash
            continued = line.rstrip().endswith("\\")
            lines[i] = ""
        elif MAGIC.match(line):
            continued = line.rstrip().endswith("\\")
            lines[i] = line[:len(line) - len(line.lstrip())] + "pass"
    error = syntax_error("\n".join(lines))
    if error is None:
        return lines
    line = min(max(getattr(error, "lineno", None) or 1, 1), len(lines))
    col = max(getattr(error, "offset", None) or 1, 1)
    at = cell.first + line - 1
    book.problems.append(ConvcalcError(codes.SYNTAX, f"not read: Python cannot parse this cell ({error.msg})",
                                       Span(at, col, at, col + 1)))
    return blank


def syntax_error(code: str) -> Optional[SyntaxError]:
    """None when ``code`` parses (IPython's top-level ``await`` does: ast takes it), else why not."""
    try:
        ast.parse(code)
        return None
    except SyntaxError as exc:
        return exc
    except (ValueError, MemoryError, RecursionError) as exc:  # a NUL byte; nesting past the parser's stack
        return SyntaxError(str(exc) or "nested too deeply")
