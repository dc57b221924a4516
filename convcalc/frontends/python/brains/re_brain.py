"""``re`` as model files use it: splitting and matching the short strings that name blocks
(EfficientNet's 'ir_r1_k3_s11_e1_c16_se0.25', ``re.split(r'(\\d.*)', op)``).

Python's ``re`` cannot be stopped, and a pattern can backtrack for longer than the universe
lasts (``(a+)+b``), so a pattern is run only when its worst case is bounded: no repeat inside
a repeat, no alternation or back-reference under a repeat, no look-around, and the text's
length raised to the number of repeats (plus one) under MAX_WORK. Anything else is "not
followed", with its reason."""
from __future__ import annotations

import re

try:
    from re import _constants as sre_constants, _parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover  (Python 3.10)
    import sre_constants
    import sre_parse

from convcalc.frontends.python import pycore
from convcalc.frontends.python.brains import CONSTANTS, register
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyobjects import Builtin, Value
from convcalc.frontends.python.reasons import Unfollowable

MAX_PATTERN = 200  # characters of a pattern
MAX_WORK = 10 ** 7  # len(text) ** (repeats + 1): the backtracking a bounded pattern can do
SIMPLE = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY,
          sre_constants.RANGE, sre_constants.CATEGORY}
REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
PLAIN = SIMPLE | {sre_constants.AT, sre_constants.SUBPATTERN, sre_constants.BRANCH} | REPEATS


def repeats(items, inside: bool, node) -> int:
    """The number of repeats in a parsed pattern; not followed if one could backtrack without bound."""
    count = 0
    for op, arg in items:
        if op not in PLAIN:
            raise Unfollowable(f"a regular expression with {str(op).lower()} (its running time is not bounded here)",
                               node)
        if op in REPEATS:
            if inside:
                raise Unfollowable("a regular expression with a repeat inside a repeat", node)
            count += 1 + repeats(arg[2], True, node)
        elif op == sre_constants.SUBPATTERN:
            count += repeats(arg[-1], inside, node)
        elif op == sre_constants.BRANCH:
            if inside:
                raise Unfollowable("a regular expression with alternatives inside a repeat", node)
            count += sum(repeats(branch, inside, node) for branch in arg[1])
    return count


def checked(frame, pattern, text, node, flags=0):
    """The compiled pattern, once its work on ``text`` is known to be bounded."""
    if isinstance(pattern, Pattern):
        pattern, flags = pattern.source, pattern.flags
    if not isinstance(pattern, str) or not isinstance(text, str) or type(flags) is not int:
        raise Unfollowable("a regular expression of something not a string", node)
    if len(pattern) > MAX_PATTERN:
        raise Unfollowable(f"a regular expression of more than {MAX_PATTERN} characters", node)
    try:
        parsed = sre_parse.parse(pattern, flags)
        compiled = re.compile(pattern, flags)
    except (re.error, ValueError) as exc:
        raise Unfollowable(f"a regular expression Python rejects ({exc})", node) from None
    if (len(text) + 1) ** (repeats(list(parsed), False, node) + 1) > MAX_WORK:
        raise Unfollowable("a regular expression over a text too long to match in bounded time", node)
    return compiled


class Pattern(Value):
    """re.compile(pattern): the pattern, run by the functions below."""

    def __init__(self, source: str, flags: int = 0):
        self.source, self.flags = source, flags

    def describe(self) -> str:
        return f"the regular expression {self.source!r}"

    def attr(self, frame, name, node):
        if name == "pattern":
            return self.source
        if name in FUNCTIONS:
            return Builtin(f"Pattern.{name}", lambda f, args, n: run(f, name, [self, *args.values], args.named, n))
        return super().attr(frame, name, node)


class Match(Value):
    """A match: its groups, as Python gives them."""

    def __init__(self, match):
        self.match = match

    def describe(self) -> str:
        return "a regular expression's match"

    def attr(self, frame, name, node):
        if name in ("group", "groups", "groupdict", "start", "end", "span"):
            def run(f, args, n):
                try:
                    return getattr(self.match, name)(*args.values)
                except (IndexError, TypeError) as exc:
                    raise pycore.raise_error(f, type(exc).__name__, (str(exc),), n) from None
            return Builtin(f"Match.{name}", run)
        if name == "string":
            return self.match.string
        return super().attr(frame, name, node)

    def getitem(self, frame, key, node):
        try:
            return self.match[key]
        except (IndexError, TypeError) as exc:
            raise pycore.raise_error(frame, type(exc).__name__, (str(exc),), node) from None


def run(frame, name: str, values: list, named: dict, node):
    """re.<name>(pattern, text, ...) or pattern.<name>(text, ...): Python's, on a bounded pattern."""
    named = dict(named)
    if name == "sub":
        if len(values) < 3 or not isinstance(values[1], str):
            raise Unfollowable("re.sub with a function or without its text", node)
        pattern, replacement, text, *rest = values
    else:
        if len(values) < 2:
            raise pycore.type_error(frame, f"{name}() missing its string", node)
        pattern, text, *rest = values
    compiled = checked(frame, pattern, text, node, named.pop("flags", 0))
    if name == "sub":
        if len(text) * (len(replacement) + 1) > MAX_ITEMS:
            raise Unfollowable("a very long string", node)
        rest = [replacement, text, *rest]
    else:
        rest = [text, *rest]
    try:
        found = getattr(compiled, name)(*rest, **named)
    except (TypeError, IndexError, re.error) as exc:
        raise pycore.type_error(frame, str(exc), node) from None
    if name in ("match", "fullmatch", "search"):
        return Match(found) if found is not None else None
    return found


FUNCTIONS = ("split", "sub", "match", "fullmatch", "search", "findall")


def _function(name: str):
    return lambda frame, qname, args, node: run(frame, name, args.values, args.named, node)


def _compile(frame, qname, args, node):
    values = args.values
    flags = values[1] if len(values) > 1 else args.named.get("flags", 0)
    if not values or not isinstance(values[0], str) or type(flags) is not int:
        raise Unfollowable("re.compile of something not a string", node)
    checked(frame, values[0], "", node, flags)
    return Pattern(values[0], flags)


for _name in FUNCTIONS:
    register(f"re.{_name}", _function(_name))
register("re.compile", _compile)
register("re.escape", lambda frame, qname, args, node: re.escape(args.values[0]) if args.values and isinstance(
    args.values[0], str) else (_ for _ in ()).throw(Unfollowable("re.escape of something not a string", node)))
CONSTANTS.update({f"re.{flag}": getattr(re, flag).value for flag in ("IGNORECASE", "I", "MULTILINE", "M", "DOTALL",
                                                                      "S", "VERBOSE", "X", "ASCII", "A")})
