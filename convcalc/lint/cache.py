"""lint's per-file cache (``.convcalc_cache/`` in the directory lint runs from, or
``CONVCALC_CACHE_DIR``; ``lint --no-cache`` turns it off), as ruff keeps ``.ruff_cache``.

What is kept is one file's lint before selection (filelint.FileLint: its findings, notes, notices
and what it followed), so that ``--select``, ``--ignore``, ``--strict`` and the ignore comments
still apply on a warm run. An entry's key is a hash of everything that result depends on:
convcalc itself (its version, and the size and time of every file of the package, so that an
edited checkout never reads an old result), the file's shown path and text, the input sizes
given (``--input``, the configuration's), and the working directory (imported files are shown
relative to it). The entry also lists the files the frontend looked for while importing (read
or absent) with a hash of each: an entry whose imported file changed, appeared or went away is
not used.

Entries are JSON, read back field by field into convcalc's own classes: a cache directory is
input like any other (it may come with a repository), so nothing in it is unpickled or run, and
an entry that does not read is a miss.

The entries live in 16 shard files (by the key's first digit), read once per run and written
once at its end, not a file per entry: creating a file costs about 0.7 ms of system time here,
and a run over 2,000 small files spent 1.5 s of its 4 s creating entries. A shard keeps one
entry per file and settings (``ident``): a file's new entry replaces the old one, so a shard
does not grow with each edit. A shard is written to a temporary file in the same directory and
renamed over the old one, after merging what is on disk then: a concurrent run sees the old
shard or the new one, never a part; two runs writing at once may lose each other's new entries,
which is a miss next time, never a wrong result.
"""
from __future__ import annotations

import json
import os
from typing import Optional

try:  # the builtin SHA-256: hashlib's OpenSSL binding costs milliseconds to import, on every lint
    from _sha2 import sha256  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256

from convcalc import codes
from convcalc.errors import ConvcalcError, NotFollowed, Span
from convcalc.lint import messages as m

DIRECTORY = ".convcalc_cache"
FORMAT = 3  # of an entry: a change of the layout below starts a new directory
MAX_SHARD = 64_000_000  # bytes of a shard read back: a larger file there is not one convcalc wrote


PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def package_fingerprint(root: str = PACKAGE) -> str:
    """convcalc's version and the size and modification time of each file of the package."""
    from convcalc import __version__

    digest = sha256(f"{__version__}:{FORMAT}".encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}:{stat.st_size}:"
                              f"{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def file_state(path: str) -> Optional[str]:
    """A hash of a file's bytes; None when it is not a readable regular file."""
    try:
        with open(path, "rb") as fh:
            return sha256(fh.read()).hexdigest()
    except OSError:
        return None


class Cache:
    """The entries of one run: looked up before linting, kept, and written once at the end (flush)."""

    def __init__(self, directory: Optional[str] = None):
        base = directory or os.environ.get("CONVCALC_CACHE_DIR") or DIRECTORY
        self.root = os.path.join(base, f"v{FORMAT}")
        self.fingerprint = package_fingerprint()
        self.cwd = os.getcwd()
        self.states: dict = {}  # path -> hash, for the files several entries name
        self.problem: Optional[str] = None  # why an entry could not be written (said once)
        self.hits = 0
        self.shards: dict = {}  # shard name -> its entries as read (key -> entry)
        self.pending: dict = {}  # shard name -> the entries of this run to write (key -> entry)

    def key(self, shown: str, text: str, given: Optional[str], fallback: Optional[str],
            tree: Optional[str] = None) -> str:
        """The entry's key: its ident (the file and settings) and the text, as ``ident:content``."""
        parts = (self.fingerprint, self.cwd, shown, given or "", fallback or "", tree or "")
        ident = sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
        content = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{ident}:{content}"

    def state(self, path: str) -> Optional[str]:
        if path not in self.states:
            self.states[path] = file_state(path)
        return self.states[path]

    def shard_path(self, shard: str) -> str:
        return os.path.join(self.root, shard + ".json")

    def read_shard(self, shard: str) -> dict:
        """The entries of a shard file (key -> entry); an absent or unreadable one has none."""
        try:
            with open(self.shard_path(shard), "rb") as fh:
                data = fh.read(MAX_SHARD + 1)
            if len(data) > MAX_SHARD:
                return {}
            read = json.loads(data)
            entries = read.get("entries") if isinstance(read, dict) else None
        except (OSError, ValueError, RecursionError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def load(self, key: str):
        """The FileLint kept under ``key``, or None (absent, unreadable, or an imported file changed)."""
        shard = key[0]
        if shard not in self.shards:
            self.shards[shard] = self.read_shard(shard)
        entry = self.shards[shard].get(key)
        try:
            if not isinstance(entry, dict) or entry.get("key") != key:
                return None
            looked = entry["looked_at"]
            if any(self.state(path) != state for path, state in looked):
                return None
            linted = decode(entry["lint"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
            return None  # not an entry convcalc wrote, or not for this convcalc: a miss
        self.hits += 1
        return linted

    def store(self, key: str, data: dict, looked_at) -> None:
        """Keep an entry (``data``: encode's) for flush to write."""
        entry = {"key": key, "looked_at": sorted([path, self.state(path)] for path in looked_at), "lint": data}
        self.pending.setdefault(key[0], {})[key] = entry

    def flush(self) -> None:
        """Write the shards this run added to: each merged with what is on disk now (another run may
        have written it meanwhile), an older entry of the same ident dropped, then renamed into place."""
        if not self.pending:
            return
        try:
            os.makedirs(self.root, exist_ok=True)
            self.mark()
            for shard, new in sorted(self.pending.items()):
                idents = {key.split(":")[0] for key in new}
                kept = {key: entry for key, entry in self.read_shard(shard).items()
                        if isinstance(key, str) and key.split(":")[0] not in idents}
                kept.update(new)
                path = self.shard_path(shard)
                temporary = f"{path}.{os.getpid()}.tmp"
                with open(temporary, "w", encoding="utf-8") as fh:
                    # ASCII: a file name that is not UTF-8 (lone surrogates) is kept as \udcxx, read back the same
                    json.dump({"format": FORMAT, "entries": kept}, fh, separators=(",", ":"))
                os.replace(temporary, path)
        except OSError as exc:
            self.problem = f"convcalc: warning: the lint cache is not written ({exc.strerror or exc}: " \
                           f"{exc.filename or self.root}); --no-cache turns it off"
        self.pending = {}

    def mark(self) -> None:
        """What tells git and backup tools to leave the directory out (as ruff and pytest mark theirs)."""
        base = os.path.dirname(self.root)
        ignore = os.path.join(base, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as fh:
                fh.write("# written by convcalc: its lint cache\n*\n")
            with open(os.path.join(base, "CACHEDIR.TAG"), "w", encoding="utf-8") as fh:
                fh.write("Signature: 8a477f597d28d172789f06886806bc55\n# the lint cache of convcalc\n")


# ---------------------------------------------------------------- a FileLint as JSON, and back


def span_data(span: Span) -> list:
    return [span.line, span.col, span.end_line, span.end_col, span.path]


def span_of(data) -> Span:
    line, col, end_line, end_col, path = data
    if not all(type(v) is int for v in (line, col, end_line, end_col)) or not (path is None or type(path) is str):
        raise TypeError("a span")
    return Span(line, col, end_line, end_col, path)


def text_of(value) -> str:
    if type(value) is not str:
        raise TypeError("a text")
    return value


def message_data(message) -> dict:
    return {"code": str(message.code), "path": message.path, "span": span_data(message.span),
            "message": message.message, "model": message.model, "shown_line": message.shown_line,
            "suggested": message.suggested}


def message_of(data: dict):
    cls = m.MESSAGES[text_of(data["code"])]
    message = cls.__new__(cls)
    message.path, message.span, message.args = text_of(data["path"]), span_of(data["span"]), ()
    message.message, message.model = text_of(data["message"]), text_of(data["model"])
    shown, suggested = data["shown_line"], data["suggested"]
    message.shown_line = None if shown is None else text_of(shown)
    message.suggested = None if suggested is None else text_of(suggested)
    return message


def error_data(error) -> Optional[dict]:
    if error is None:
        return None
    data = {"code": str(error.code), "message": error.message, "span": span_data(error.span) if error.span else None}
    if isinstance(error, NotFollowed):
        data.update(reason=error.reason, kind=error.kind, tree=error.tree)
    return data


def error_of(data) -> Optional[ConvcalcError]:
    if data is None:
        return None
    code = text_of(data["code"])
    span = span_of(data["span"]) if data["span"] is not None else None
    if "reason" in data:
        return NotFollowed(codes.CODES[code], text_of(data["message"]), span, text_of(data["reason"]),
                           text_of(data.get("kind", "")), bool(data.get("tree", False)))
    return ConvcalcError(codes.CODES[code], text_of(data["message"]), span)


def book_data(book) -> Optional[dict]:
    if book is None:
        return None
    return {"path": book.path, "module": book.module,
            "cells": [[c.number, c.first, c.lines, c.raw_lines] for c in book.cells]}


def book_of(data):
    if data is None:
        return None
    from convcalc.frontends.notebook import Cell, Notebook

    book = Notebook(text_of(data["path"]), "")
    book.module = text_of(data["module"])
    for number, first, lines, raw in data["cells"]:
        if not (type(number) is int and type(first) is int and lines and all(type(x) is str for x in lines)
                and len(raw) == len(lines) and all(type(x) is int for x in raw)):
            raise TypeError("a cell")
        book.cells.append(Cell(number, first, list(lines), list(raw)))
        book._firsts.append(first)
    return book


def encode(linted, sources: dict) -> dict:
    """A FileLint as JSON; a message in another file of the tree takes the line shown under it along
    (``sources``: the texts of the files its models imported), since a warm run reads no other file."""
    for message in (*linted.findings, *linted.notes, *linted.notices):
        if message.shown_line is None and message.path in sources:
            lines = sources[message.path].splitlines()
            message.shown_line = lines[message.span.line - 1] if 0 < message.span.line <= len(lines) else ""
    return {"findings": [message_data(x) for x in linted.findings],
            "notes": [message_data(x) for x in linted.notes],
            "notices": [message_data(x) for x in linted.notices],
            "checked": linted.checked,
            "partly": [[name, error_data(error)] for name, error in linted.partly],
            "unfollowed": [[name, error_data(error)] for name, error in linted.unfollowed],
            "used": sorted([path, name] for path, name in linted.used),
            "module_stop": error_data(linted.module_stop),
            "book": book_data(linted.book),
            "constructions": linted.constructions,
            "unreached": [[line, col, why] for line, col, why in linted.unreached],
            "reached_elsewhere": sorted([path, line, col] for path, line, col in linted.reached_elsewhere)}


def whole(value) -> int:
    if type(value) is not int:
        raise TypeError("not an integer")
    return value


def decode(data: dict):
    from convcalc.lint.filelint import FileLint

    out = FileLint()
    out.findings = [message_of(x) for x in data["findings"]]
    out.notes = [message_of(x) for x in data["notes"]]
    out.notices = [message_of(x) for x in data["notices"]]
    if type(data["checked"]) is not int:
        raise TypeError("checked")
    out.checked = data["checked"]
    out.partly = [(text_of(name), error_of(error)) for name, error in data["partly"]]
    out.unfollowed = [(text_of(name), error_of(error)) for name, error in data["unfollowed"]]
    out.used = {(text_of(path), text_of(name)) for path, name in data["used"]}
    out.module_stop = error_of(data["module_stop"])
    out.book = book_of(data["book"])
    if type(data["constructions"]) is not int:
        raise TypeError("constructions")
    out.constructions = data["constructions"]
    out.unreached = [(whole(line), whole(col), text_of(why)) for line, col, why in data["unreached"]]
    out.reached_elsewhere = {(text_of(path), whole(line), whole(col)) for path, line, col in data["reached_elsewhere"]}
    out.text = out.book.module if out.book is not None else None
    return out
