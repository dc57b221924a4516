"""What no output of convcalc may hold, whatever the names and contents of its inputs, and the
hostile names and contents the round-3 tests and the fuzz tests feed it.

An output line is read by a terminal (escape sequences), by a CI log (GitHub's runner acts on a
line that starts, after blanks, with ``::`` and on ``##[command]`` anywhere in a line; Azure
on ``##vso[``), and by parsers (JSON must be UTF-8, SVG well-formed XML, SARIF's URIs URIs)."""
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes, urlsplit

# the names of files: each a workflow command, an escape sequence or an unencodable name waiting to act
NAMES = [
    "a\n::error file=x.py,line=1::INJECTED\nb",
    "::add-mask::SECRET",
    "  ::stop-commands::token",
    "\r::warning::cr",
    "legacy ##[error]mid-line",
    "##vso[task.setvariable variable=x]y",
    "\x1b]0;pwned\x07title",
    "\x1b]52;c;cHduZWQ=\x07clip",
    "\x9b31mcsi",
    "ls\u2028ps\u2029end",
    "bidi\u202egnp",
    "a b:c%0A#x?y",
    "tab\there",
    "\udcff\udcfe-latin1-\udce9",  # the bytes ff fe e9: not UTF-8 (os.fsdecode's surrogate escapes)
]
# a line of a file that a message shows under it: a workflow command once indented, escapes
CONTENT_LINES = ["::error file=a.net,line=1::FROM-CONTENT", "  ::add-mask::FROM-CONTENT",
                 "##[error]FROM-CONTENT", "\x1b]0;title\x07", "\x1b[2J"]

OWN_COMMAND = re.compile(r"::(?:error|warning|notice) file=[^,:\n]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                         r"title=convcalc CC\d+::")
ANYWHERE = re.compile(r"##(?:vso|teamcity)?\[", re.I)
# what a reader acts on or cannot hold: C0 but tab and newline, DEL, C1, line and paragraph
# separators, bidirectional embeddings and isolates, surrogates, U+FFFE/U+FFFF
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                       "\ufffe\uffff]")


def check_text(text: str, where: str, github: bool = False) -> None:
    """No character a terminal or a parser acts on, and no line a CI log takes for a command
    (``github``: lint's own workflow commands are allowed, exactly as it writes them)."""
    bad = FORBIDDEN.search(text)
    assert bad is None, f"{where}: {bad.group()!r} at {bad.start()}: {text[max(0, bad.start() - 80):bad.start() + 40]!r}"
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("::"):
            assert github and OWN_COMMAND.match(line), f"{where}: a line a CI log runs: {line[:200]!r}"
        assert not ANYWHERE.search(line), f"{where}: a command anywhere in a line: {line[:200]!r}"


def check_bytes(data: bytes, where: str, github: bool = False) -> str:
    """The bytes are UTF-8 (a file name that is not shows U+FFFD), and then as check_text."""
    text = data.decode("utf-8")  # strict: raw 0xff from a file name is a failure
    check_text(text, where, github)
    return text


def check_json(text: str, where: str):
    data = json.loads(text)

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
    for value in strings(data):  # what a reader of the decoded JSON prints acts on nothing either
        check_text(value, f"{where} (a JSON string)")
    return data


URI_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")


def check_sarif(text: str, where: str, paths) -> None:
    """Every artifactLocation.uri is a URI reference of the file's own bytes: no scheme but file:,
    only characters RFC 3986 allows, percent-decoding to one of ``paths``."""
    import os

    log = check_json(text, where)
    wanted = {os.fsencode(p) for p in paths}
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert URI_CHARS.fullmatch(uri), f"{where}: {uri!r} is not a URI"
        parts = urlsplit(uri)
        assert parts.scheme in ("", "file"), f"{where}: {uri!r} reads as scheme {parts.scheme!r}"
        raw = unquote_to_bytes(parts.path)
        assert any(raw == w or raw.endswith(b"/" + w) or w.endswith(b"/" + raw) for w in wanted), (where, uri)


def check_svg(data: bytes, where: str) -> None:
    text = data.decode("utf-8")
    ET.fromstring(text)  # well-formed XML
    check_text(text, where)


def check_html(data: bytes, where: str) -> None:
    text = data.decode("utf-8")
    check_text(text, where)
    from html.parser import HTMLParser

    HTMLParser().feed(text)
