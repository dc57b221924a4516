"""``[tool.convcalc]`` read without a TOML library: Python 3.10 has no ``tomllib``, and
convcalc's runtime dependencies are click and tabulate (the project's rule), so its backport
``tomli`` is only an extra. This reader takes what a convcalc table holds -- strings, arrays of
strings, booleans, integers, inline tables, quoted keys, the ``[tool.convcalc.per-file-...]``
subtables -- and steps over every other table without interpreting it (it only follows its
strings and brackets, so that a ``[`` inside a multi-line string or array is not a header).
Anything else inside the convcalc tables (a dotted key, a date, a float, an array of tables)
raises ``Unsupported``, and the caller says the configuration was not read: never a guess.

On Python 3.11+ tomllib reads the file; tests/unit/lint/test_minitoml.py checks this reader against it.
"""
from __future__ import annotations

import re

OURS = ("tool", "convcalc")
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
INTEGER = re.compile(r"[+-]?(0|[1-9](_?[0-9])*)")
ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
MAX_NESTING = 32  # arrays and inline tables inside each other, in a convcalc table


class Unsupported(ValueError):
    """What this reader does not take (the message says what, and where)."""


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def fail(text: str, pos: int, what: str):
    raise Unsupported(f"line {line_of(text, pos)}: {what}")


def blank(text: str, pos: int, newlines: bool = False) -> int:
    """Past spaces and tabs (and newlines and comments, with ``newlines``)."""
    while pos < len(text):
        c = text[pos]
        if c in " \t" or (newlines and c in "\r\n"):
            pos += 1
        elif newlines and c == "#":
            while pos < len(text) and text[pos] != "\n":
                pos += 1
        else:
            break
    return pos


def end_of_line(text: str, pos: int) -> int:
    """After a key = value or a header: only a comment may follow on the line."""
    pos = blank(text, pos)
    if pos < len(text) and text[pos] == "#":
        while pos < len(text) and text[pos] != "\n":
            pos += 1
    if pos < len(text) and text[pos] not in "\r\n":
        fail(text, pos, f"unexpected {text[pos]!r} after a value")
    return pos


def string(text: str, pos: int) -> tuple:
    """A basic or literal string (one line; a multi-line one is not a convcalc value)."""
    quote = text[pos]
    if text.startswith(quote * 3, pos):
        fail(text, pos, "a multi-line string")
    out, pos = [], pos + 1
    while pos < len(text):
        c = text[pos]
        if c == quote:
            return "".join(out), pos + 1
        if c == "\n":
            break
        if c == "\\" and quote == '"':
            code = text[pos + 1:pos + 2]
            if code in ESCAPES:
                out.append(ESCAPES[code])
                pos += 2
                continue
            if code in ("u", "U"):
                width = 4 if code == "u" else 8
                digits = text[pos + 2:pos + 2 + width]
                if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                    fail(text, pos, "a bad \\u escape")
                point = int(digits, 16)
                if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                    fail(text, pos, "an escape that is not a Unicode scalar value")
                out.append(chr(point))
                pos += 2 + width
                continue
            fail(text, pos, f"an escape \\{code}")
        out.append(c)
        pos += 1
    fail(text, pos, "a string that does not end on its line")


def key(text: str, pos: int) -> tuple:
    if pos < len(text) and text[pos] in "\"'":
        return string(text, pos)
    found = BARE_KEY.match(text, pos)
    if not found:
        fail(text, pos, "a key was expected")
    return found.group(), found.end()


def value(text: str, pos: int, depth: int = 0) -> tuple:
    if depth > MAX_NESTING:
        fail(text, pos, f"arrays nested over {MAX_NESTING} deep")
    c = text[pos:pos + 1]
    if c in ("'", '"'):
        return string(text, pos)
    if c == "[":
        items, pos = [], blank(text, pos + 1, True)
        while pos < len(text) and text[pos] != "]":
            item, pos = value(text, pos, depth + 1)
            items.append(item)
            pos = blank(text, pos, True)
            if pos < len(text) and text[pos] == ",":
                pos = blank(text, pos + 1, True)
            elif pos < len(text) and text[pos] != "]":
                fail(text, pos, "',' or ']' was expected in an array")
        if pos >= len(text):
            fail(text, pos, "an array that does not end")
        return items, pos + 1
    if c == "{":
        table, pos = {}, blank(text, pos + 1)
        while pos < len(text) and text[pos] != "}":
            name, pos = key(text, pos)
            pos = blank(text, pos)
            if text[pos:pos + 1] != "=":
                fail(text, pos, "'=' was expected (a dotted key is not read here)")
            item, pos = value(text, blank(text, pos + 1), depth + 1)
            if name in table:
                fail(text, pos, f"the key {name!r} twice")
            table[name] = item
            pos = blank(text, pos)
            if text[pos:pos + 1] == ",":
                pos = blank(text, pos + 1)
            elif text[pos:pos + 1] != "}":
                fail(text, pos, "',' or '}' was expected in an inline table")
        if pos >= len(text):
            fail(text, pos, "an inline table that does not end")
        return table, pos + 1
    for word, meaning in (("true", True), ("false", False)):
        if text.startswith(word, pos) and not BARE_KEY.match(text, pos + len(word)):
            return meaning, pos + len(word)
    found = INTEGER.match(text, pos)
    if found and not re.match(r"[0-9.eE:_xob-]", text[found.end():found.end() + 1]):
        return int(found.group().replace("_", "")), found.end()
    fail(text, pos, "a value convcalc does not take here (a string, an array, true or false, an integer)")


def skip_value(text: str, pos: int) -> int:
    """Past a value of another table, whatever it is: its strings and brackets are followed to
    the end of the line that closes them, nothing is interpreted."""
    depth = 0
    while pos < len(text):
        c = text[pos]
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, pos) else c
            pos += len(quote)
            while pos < len(text) and not text.startswith(quote, pos):
                if text[pos] == "\n" and len(quote) == 1:
                    return pos  # not valid TOML; tomllib would say so
                pos += 2 if text[pos] == "\\" and c == '"' else 1
            pos += len(quote)
            continue
        if c == "#":
            while pos < len(text) and text[pos] != "\n":
                pos += 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        elif c == "\n" and depth <= 0:
            return pos
        pos += 1
    return pos


def header(text: str, pos: int) -> tuple:
    """[a.b."c"] -> (("a", "b", "c"), position after it); [[...]] -> (None, ...)."""
    array = text.startswith("[[", pos)
    pos = blank(text, pos + (2 if array else 1))
    names = []
    while True:
        name, pos = key(text, pos)
        names.append(name)
        pos = blank(text, pos)
        if text[pos:pos + 1] == ".":
            pos = blank(text, pos + 1)
            continue
        break
    close = "]]" if array else "]"
    if not text.startswith(close, pos):
        fail(text, pos, "a table header that does not close")
    return (None if array else tuple(names)), tuple(names), pos + len(close)


def dotted(text: str, pos: int) -> tuple:
    """A key, dotted or not: (("a", "b"), position after it)."""
    names = []
    while True:
        name, pos = key(text, pos)
        names.append(name)
        after = blank(text, pos)
        if text[after:after + 1] != ".":
            return tuple(names), pos
        pos = blank(text, after + 1)


def read(text: str):
    """The ``tool.convcalc`` table of a pyproject.toml, or None when it has none."""
    found, current, ours, pos, seen = None, (), False, 0, set()
    while pos < len(text):
        pos = blank(text, pos, True)
        if pos >= len(text):
            break
        if text[pos] == "[":
            table, names, pos = header(text, pos)
            ours = names[:2] == OURS
            if ours and (table is None or len(names) > 3):
                fail(text, pos, f"the table [{'.'.join(names)}] (convcalc reads [tool.convcalc] and its "
                                "per-file tables)")
            if table is not None and table in seen:
                fail(text, pos, f"[{'.'.join(names)}] twice")
            seen.add(names)
            current = names
            if ours:
                found = {} if found is None else found
                if len(names) == 3:
                    if names[2] in found:
                        fail(text, pos, f"[{'.'.join(names)}] after a key {names[2]!r}")
                    found[names[2]] = {}
            pos = end_of_line(text, pos)
            continue
        names, after = dotted(text, pos)
        full = current + names
        if not ours and (full[:2] == OURS or full == ("tool",)):  # tool.convcalc outside its own header
            fail(text, pos, "tool.convcalc given as a dotted key or an inline table (write it as [tool.convcalc])")
        equals = blank(text, after)
        if text[equals:equals + 1] != "=":
            fail(text, equals, "'=' was expected")
        if not ours:
            pos = skip_value(text, equals + 1)
            continue
        if len(names) > 1:
            fail(text, pos, "a dotted key in a convcalc table")
        item, pos = value(text, blank(text, equals + 1))
        table = found if len(current) == 2 else found[current[2]]
        if names[0] in table:
            fail(text, pos, f"the key {names[0]!r} twice")
        table[names[0]] = item
        pos = end_of_line(text, pos)
    return found
