"""Text the program builds: ``str.format``, f-strings and ``%`` formatting, with Python's own
rules for each field, every width and length charged before the text is built (a format of
30,000 fields, or a width of 10**9, is refused, not built)."""
from __future__ import annotations

import re
import string

from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Value
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.symbolic import dims

# the widths and precisions of a % format ('%01999999999d' would build 1.9 GB before its length is seen)
PERCENT_WIDTHS = re.compile(r"%[-+ #0]*(\d*|\*)(?:\.(\d*|\*))?")
SPEC_NUMBERS = re.compile(r"\d+")
MAX_FIELDS = 1_000  # fields of one format string


def check_spec(spec: str, node) -> None:
    """A format spec's widths and precisions, bounded before anything is built."""
    if len(spec) > 100 or any(len(m) > 6 or int(m) > MAX_ITEMS for m in SPEC_NUMBERS.findall(spec)):
        raise Unfollowable(f"a format spec {spec[:20]!r} that makes a very long string", node)


def format_value(frame, value, spec: str, node) -> str:
    """``format(value, spec)`` for Python's own values."""
    from convcalc.frontends.python.pycore import to_str, value_error

    check_spec(spec, node)
    if dims.is_symbolic(value):
        from convcalc.frontends.python.reasons import size_dependent

        raise size_dependent("the text of the input's size", node)
    if isinstance(value, Value):
        if spec:
            raise Unfollowable(f"a format spec for {value.describe()}", node)
        return to_str(frame, value, node)
    if not isinstance(value, (bool, int, float, str, type(None), tuple, list, dict)):
        raise Unfollowable("a format of this value", node)
    if isinstance(value, (tuple, list, dict)) and not spec:
        return to_str(frame, value, node)
    if type(value) is int and value.bit_length() > 10_000:
        raise Unfollowable("the text of a very large integer", node)
    try:
        return format(value, spec)
    except (ValueError, TypeError) as exc:
        raise value_error(frame, str(exc), node) from None


def convert(frame, value, conversion, node) -> object:
    from convcalc.frontends.python.pycore import to_repr, to_str

    if conversion == "r":
        return to_repr(frame, value, node)
    if conversion == "s":
        return to_str(frame, value, node)
    if conversion == "a":
        return ascii(to_repr(frame, value, node))[1:-1]
    return value


def str_format(frame, text: str, args: list, kwargs: dict, node) -> str:
    """``text.format(*args, **kwargs)``, field by field."""
    out = _format(frame, text, args, kwargs, node, [0])
    frame.charge(len(out), node)
    return out


def _format(frame, text: str, args: list, kwargs: dict, node, auto: list, depth: int = 0) -> str:
    """One format string; ``auto`` is the next automatic field number, shared with the fields
    nested in a spec ("{:{}}" numbers its spec's field after its own), [None] once a field was
    numbered by hand."""
    from convcalc.frontends.python.pycore import raise_error, subscript, value_error

    out, total = [], 0
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None
    if len(parsed) > MAX_FIELDS:
        raise Unfollowable(f"a format of {len(parsed):,} fields", node)
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        total += len(literal)
        if field is None:
            continue
        head, rest = re.match(r"([^.\[]*)(.*)", field).groups()
        if head == "":
            if auto[0] is None:
                raise value_error(frame, "cannot switch from manual field specification to automatic field "
                                         "numbering", node)
            index = auto[0]
            auto[0] += 1
            if index >= len(args):
                raise raise_error(frame, "IndexError", (f"Replacement index {index} out of range for positional "
                                                        f"args tuple",), node)
            value = args[index]
        elif head.isdigit():
            if auto[0]:
                raise value_error(frame, "cannot switch from automatic field numbering to manual field "
                                         "specification", node)
            auto[0] = None
            index = int(head)
            if index >= len(args):
                raise raise_error(frame, "IndexError", (f"Replacement index {index} out of range for positional "
                                                        f"args tuple",), node)
            value = args[index]
        else:
            if head not in kwargs:
                raise raise_error(frame, "KeyError", (head,), node)
            value = kwargs[head]
        for part in re.findall(r"\.[^.\[]+|\[[^\]]*\]", rest):
            if part.startswith("."):
                from convcalc.frontends.python.evaluate import get_attr

                value = get_attr(frame, value, part[1:], node)
            else:
                key = part[1:-1]
                value = subscript(frame, value, int(key) if key.isdigit() else key, node)
        if spec and "{" in spec:
            if depth >= 1:
                raise value_error(frame, "Max string recursion exceeded", node)
            spec = _format(frame, spec, args, kwargs, node, auto, depth + 1)
        piece = format_value(frame, convert(frame, value, conversion, node), spec or "", node)
        total += len(piece)
        if total > MAX_ITEMS:
            raise Unfollowable("a very long string", node)
        out.append(piece)
    return "".join(out)


def percent_format(frame, text: str, values, node) -> str:
    """``text % values`` (printf-style)."""
    from convcalc.frontends.python.pycore import type_error, value_error

    items = values if isinstance(values, tuple) else (values,)
    budget = [MAX_FIELDS]
    if not all(_plain(v, budget) for v in items) and not isinstance(values, dict):
        raise Unfollowable("% formatting of something not a constant", node)
    if text.count("%") > MAX_FIELDS:
        raise Unfollowable("% formatting of very many fields", node)
    widths = [part for pair in PERCENT_WIDTHS.findall(text) for part in pair if part.isdigit()]
    if any(len(w) > 6 or int(w) > MAX_ITEMS for w in widths) or (
            "*" in text and any(type(v) is int and abs(v) > MAX_ITEMS for v in items)):
        raise Unfollowable("% formatting to a very long string", node)  # '%01999999999d' % 1: 1.9 GB
    if any(type(v) is int and v.bit_length() > 10_000 for v in items):
        raise Unfollowable("the text of a very large integer", node)
    estimate = len(text) + sum(len(v) if isinstance(v, str) else 32 for v in items) + 32 * (MAX_FIELDS - budget[0])
    if estimate > MAX_ITEMS:
        raise Unfollowable("a very long string", node)
    try:
        out = text % values
    except TypeError as exc:
        raise type_error(frame, str(exc), node) from None
    except ValueError as exc:
        raise value_error(frame, str(exc), node) from None
    except OverflowError as exc:
        from convcalc.frontends.python.pycore import raise_error

        raise raise_error(frame, "OverflowError", (str(exc),), node) from None
    frame.charge(len(out), node)
    return out


def _plain(value, budget: list) -> bool:
    """Whether ``value`` is made of Python's constants only (a list or tuple of them, too: its text
    is Python's own), counting its items against ``budget``."""
    if isinstance(value, (bool, int, float, str, type(None))):
        return True
    if type(value) in (tuple, list):
        budget[0] -= len(value)
        return budget[0] >= 0 and all(_plain(v, budget) for v in value)
    return False
