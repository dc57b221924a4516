"""Text that leaves convcalc: the one cleaning function every writer of text uses (the
terminal, each CI format, JSON, SVG and HTML), and the one rendering of a path.

convcalc runs in CI on other people's pull requests, so a file name or a comment may be
written to act on what reads the output: a newline in a file name starts a GitHub Actions
workflow command (``::error ...``, ``::add-mask::``) on the next line of the log, an ESC or
C1 sequence retitles a terminal or writes its clipboard (OSC 52), a lone surrogate (a file
name that is not UTF-8) makes JSON that is not UTF-8, and a control character makes XML that
no parser reads. :func:`printable` replaces every such character by U+FFFD, one character
for one (a caret under a source line stays under its column); the writers' own escaping
(JSON's, XML's, the workflow commands' %-encoding) comes on top of it.
"""
from __future__ import annotations

import os
import re

REPLACEMENT = "\ufffd"
# C0 (tab and newline apart), DEL and C1: what a terminal acts on; U+2028/U+2029: line breaks to
# some readers; the bidirectional embeddings and isolates: text shown in another order than it is
# (a message that reads as something else); lone surrogates (a file name's undecodable bytes, as
# os.fsdecode gives them) and U+FFFE/U+FFFF: neither UTF-8 nor XML can hold them
_UNSAFE = [*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
           *range(0x2066, 0x206A), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
_KEEP_LINES = {c: REPLACEMENT for c in _UNSAFE}
_ONE_LINE = {**_KEEP_LINES, 10: REPLACEMENT, 9: " "}


# CI logs act on whole lines: GitHub's runner on a line that starts, after blanks, with ``::``
# (``::error file=...::``, ``::add-mask::``, ``::stop-commands::``) and on its legacy ``##[command]``
# anywhere in a line; Azure Pipelines on ``##vso[`` anywhere, TeamCity on ``##teamcity[``. Such a
# line from the input (a file named ``::error::x.net``, a source line shown under a message) keeps
# its look with one character changed, one column for one: the first colon becomes U+A789 (꞉), the
# first number sign U+2317 (⌗). Exempt: the workflow commands of lint's own github format, whose
# parts were cleaned before they were joined (lint/reporter.github_report; a notebook's finding names
# lines of the JSON file and no column).
_LINE_COMMAND = re.compile(r"^([^\S\n]*):(?=:)(?!:(?:error|warning|notice) file=[^,:\n]*,line=\d+,(?:col=\d+,)?"
                           r"endLine=\d+,(?:endColumn=\d+,)?title=convcalc CC\d+::)", re.M)
_ANYWHERE_COMMAND = re.compile(r"#(?=#(?:vso|teamcity)?\[)", re.I)


def printable(text: str, lines: bool = False) -> str:
    """``text`` with nothing a reader of convcalc's output would act on: the characters above
    become U+FFFD and a tab a space, one character for one, and what a CI log reads as a command
    is changed as said above; ``lines``: a whole report, whose newlines and tabs stay."""
    text = text.translate(_KEEP_LINES if lines else _ONE_LINE)
    if "::" in text or "#" in text:
        text = _ANYWHERE_COMMAND.sub("\u2317", _LINE_COMMAND.sub("\\1\ua789", text))
    return text


def shown_path(path) -> str:
    """A path as every output shows it: printable, on one line, valid UTF-8 (a name that is
    not UTF-8 shows U+FFFD for each byte that is not)."""
    return printable(os.fspath(path) if not isinstance(path, str) else path)


def path_uri(path) -> str:
    """A path as a URI reference (RFC 3986), as SARIF's ``artifactLocation.uri`` wants it: the
    file's own bytes percent-encoded (``a b:c.net`` is ``a%20b%3Ac.net``, never a scheme ``a b``),
    relative when the path is, a ``file://`` URI when it is absolute."""
    from urllib.parse import quote

    raw = os.fsencode(path)
    if os.sep != "/":
        raw = raw.replace(os.sep.encode(), b"/")
    encoded = quote(raw, safe="/")
    return "file://" + encoded if os.path.isabs(path) else encoded


def clean_data(value):
    """Every string of a JSON document (keys too) made printable, newlines kept: what a reader
    of the decoded JSON prints acts on nothing."""
    if isinstance(value, str):
        return printable(value, lines=True)
    if isinstance(value, dict):
        return {clean_data(k) if isinstance(k, str) else k: clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(v) for v in value]
    return value


def json_text(data) -> str:
    """The one JSON writer of convcalc's reports (shapes, params, inputs, verify, lint's json,
    sarif and gitlab): its strings cleaned, UTF-8 kept readable."""
    import json

    return json.dumps(clean_data(data), indent=2, ensure_ascii=False)
