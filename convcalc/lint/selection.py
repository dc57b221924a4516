"""Which findings are shown: codes and prefixes selected or ignored (command line, then
``[tool.convcalc]``), and ``# convcalc: ignore[CODE]`` comments on a finding's lines."""
from __future__ import annotations

import re
from typing import Optional

from convcalc.codes import CODES, INFO
from convcalc.errors import UsageError

IGNORE_TAIL = re.compile(r"\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
NO_COMMENT = (False, None)


def ignore_comment(text: str) -> tuple:
    """(found, the codes between its brackets or None) of a `# convcalc: ignore[...]` comment;
    in linear time: the pattern `#.*?convcalc:` is quadratic on a line of 40,000 '#'."""
    hash_at = text.find("#")
    if hash_at < 0:
        return NO_COMMENT
    lower = text.lower()
    at = lower.find("convcalc:", hash_at + 1)
    while at >= 0:
        match = IGNORE_TAIL.match(text, at + len("convcalc:"))
        if match:
            return True, match.group(1)
        at = lower.find("convcalc:", at + 1)
    return NO_COMMENT


def expand_codes(patterns, where: str) -> set:
    """Codes and prefixes (CC1, CC20) into codes; an unknown one is a usage error."""
    known = [c for c in CODES if CODES[c].severity != INFO]
    out = set()
    for pattern in patterns:
        pattern = pattern.strip().upper()
        if not pattern:
            continue
        if pattern == "ALL":
            out.update(known)
            continue
        chosen = [c for c in known if c.startswith(pattern)]
        if not chosen:
            raise UsageError(f"{where}: unknown code {pattern!r} (see convcalc lint --list-codes)")
        out.update(chosen)
    return out


def split_codes(text: Optional[str]) -> Optional[list]:
    if text is None:
        return None
    return [part for part in re.split(r"[,\s]+", text) if part]


class Selection:
    def __init__(self, select: set, ignore: set):
        self.select, self.ignore = select, ignore

    def wants(self, code: str) -> bool:
        return code in self.select and code not in self.ignore


def suppressed(finding, lines) -> bool:
    """`# convcalc: ignore[CODE, ...]` or a bare `# convcalc: ignore` on a line of the finding."""
    for line in range(finding.span.line, max(finding.span.line, finding.span.end_line) + 1):
        if not 0 < line <= len(lines):
            continue
        found, listed = ignore_comment(lines[line - 1])
        if not found:
            continue
        if listed is None:
            return True
        codes = {c.strip().upper() for c in listed.split(",") if c.strip()}
        if finding.code in codes or any(finding.code.startswith(c) for c in codes):
            return True
    return False


def unknown_ignores(lines) -> list:
    """(line, code) of each code a `# convcalc: ignore[...]` comment names that is no code of convcalc's."""
    out = []
    for number, text in enumerate(lines, 1):
        found, listed = ignore_comment(text)
        if not found or listed is None:
            continue
        for code in (c.strip().upper() for c in listed.split(",") if c.strip()):
            if not any(known.startswith(code) for known in CODES):
                out.append((number, code))
    return out
