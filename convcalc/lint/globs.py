"""The globs of ``exclude``, ``--exclude`` and the per-file tables, bounded and compiled once.

A glob matches a relative path (``/``-separated) when it matches the whole path, names a
leading directory of it (``legacy`` matches ``legacy/a.py``), or, without a ``/``, matches any
one component (``*_test.py``). ``*`` and ``?`` match any character, ``/`` included, as fnmatch's
do (and ruff's), and ``[...]`` a class.

Matching is the cost that grows with the configuration: every directory and file of the walk is
matched against every glob, and a regular expression is compiled per glob. 1,000 excludes of
4,000 characters took 21.6 s over a small tree. So a glob has at most MAX_GLOB characters, a
list at most MAX_GLOB_TOTAL characters in all (and config.MAX_PATTERNS entries), and a list is
compiled into one expression (fnmatch's translation: atomic groups, no backtracking blow-up)
that one call matches against the path, one against each component: the number of globs no
longer multiplies the work in Python.
"""
from __future__ import annotations

import fnmatch
import os
import re

MAX_GLOB = 256  # characters of one glob
MAX_GLOB_TOTAL = 8_192  # characters of all the globs of one list (exclude, --exclude, a per-file table)


def normal(pattern: str) -> str:
    pattern = pattern.replace(os.sep, "/").rstrip("/")
    return pattern[2:] if pattern.startswith("./") else pattern


def too_long(patterns, what: str):
    """The problem with a list of globs, as text (None when it is within the bounds)."""
    total = 0
    for pattern in patterns:
        if len(pattern) > MAX_GLOB:
            return f"{what}: a glob of {len(pattern):,} characters ({pattern[:40]!r}...); at most {MAX_GLOB:,}"
        total += len(pattern)
    if total > MAX_GLOB_TOTAL:
        return f"{what}: globs of {total:,} characters in all; at most {MAX_GLOB_TOTAL:,}"
    return None


def _either(patterns) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)) if patterns else None


class Globs:
    """A list of globs compiled once; ``match(rel)`` is True when any matches the relative path."""

    __slots__ = ("patterns", "whole", "prefixes", "part")

    def __init__(self, patterns):
        self.patterns = tuple(normal(p) for p in patterns)
        self.whole = _either(self.patterns)
        self.prefixes = tuple(p + "/" for p in self.patterns)  # a leading directory, as written
        self.part = _either([p for p in self.patterns if "/" not in p])

    def match(self, rel: str) -> bool:
        if not self.patterns:
            return False
        if self.whole.match(rel) or rel.startswith(self.prefixes):
            return True
        return self.part is not None and any(self.part.match(piece) for piece in rel.split("/"))

    def __bool__(self):
        return bool(self.patterns)


_COMPILED: dict = {}


def globs(patterns) -> Globs:
    """The compiled Globs of a list (compiled once per list of a run)."""
    key = tuple(patterns)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = Globs(key)
    return found


def matches(rel: str, pattern: str) -> bool:
    """One glob against a relative path (the per-file tables, once a list matched)."""
    return globs((pattern,)).match(rel)
