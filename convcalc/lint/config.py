"""``[tool.convcalc]`` in pyproject.toml, found by walking up from each linted path.

The nearest pyproject.toml that has a ``[tool.convcalc]`` table applies (as ruff does).
Keys: ``select``, ``ignore``, ``exclude`` (lists), ``input`` (``"3x32x32"``),
``per-file-input`` (a table of glob -> dims) and ``per-file-ignores`` (glob -> list of
codes); globs are relative to the directory of that pyproject.toml. On Python 3.10, which
has no ``tomllib``, its backport ``tomli`` is used when installed (``pip install
'convcalc[toml]'``); without it convcalc's own reader of its table (lint/minitoml.py) reads
it, and what that reader does not take skips the configuration with a note that says so,
every run. convcalc's runtime dependencies stay click and tabulate (the project's rule), so
tomli is an extra, not a dependency.
"""
from __future__ import annotations

import os
import sys
from typing import Optional

from convcalc.errors import UsageError
from convcalc.lint.globs import globs, matches, too_long
from convcalc.shown import shown_path

MAX_PATTERNS = 1_000  # entries of select, ignore, exclude and per-file tables: each path is matched against each
KEYS = ("select", "ignore", "exclude", "input", "per-file-input", "per-file-ignores", "strict")


class Config:
    def __init__(self, path: Optional[str] = None, root: str = "."):
        self.path = path  # the pyproject.toml, None for the defaults
        self.root = root
        self.select: Optional[list] = None
        self.ignore: list = []
        self.exclude: list = []
        self.input: Optional[str] = None
        self.per_file_input: dict = {}
        self.per_file_ignores: dict = {}
        self.strict = False  # a model followed partly or not at all is a finding

    def relative(self, path: str) -> str:
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:
            rel = path
        return rel.replace(os.sep, "/")

    def input_for(self, path: str) -> Optional[tuple]:
        """(dims text, where it came from) for a file: per-file-input first, then input."""
        rel = self.relative(path)
        if not globs(self.per_file_input).match(rel):  # one compiled match first: most files match none
            return (self.input, f"{self.path} [tool.convcalc] input") if self.input else None
        for pattern, dims in self.per_file_input.items():
            if matches(rel, pattern):
                return dims, f"{self.path} [tool.convcalc.per-file-input] {pattern!r}"
        if self.input:
            return self.input, f"{self.path} [tool.convcalc] input"
        return None

    def ignores_for(self, path: str) -> list:
        rel = self.relative(path)
        out: list = []
        if not globs(self.per_file_ignores).match(rel):
            return out
        for pattern, codes in self.per_file_ignores.items():
            if matches(rel, pattern):
                out.extend(codes)
        return out


class ConfigFinder:
    def __init__(self):
        self.cache: dict = {}
        self.notes: list = []

    def for_path(self, path: str) -> Config:
        directory = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else os.path.abspath(path)
        return self.for_directory(directory)

    def for_directory(self, directory: str) -> Config:
        if directory in self.cache:
            return self.cache[directory]
        candidate = os.path.join(directory, "pyproject.toml")
        config = None
        if os.path.isfile(candidate):  # a regular file (a named pipe would block the run)
            from convcalc.load import inside

            # a link to a pyproject.toml of this directory or one above it (a package sharing its repository's)
            # is read; a link elsewhere (/etc/..., a home directory) is not: its lines could reach a message
            if inside(os.path.realpath(directory), os.path.dirname(os.path.realpath(candidate))):
                config = self.load(candidate)
            else:
                note = (f"{shown_path(candidate)}: a link to a file outside the directories above it: not read "
                        "(configuration skipped)")
                if note not in self.notes:
                    self.notes.append(note)
        elif os.path.lexists(candidate) and not os.path.isdir(candidate):  # a named pipe, a device, a broken link
            note = f"{shown_path(candidate)}: not a regular file: not read (configuration skipped)"
            if note not in self.notes:
                self.notes.append(note)
        if config is None:
            parent = os.path.dirname(directory)
            config = Config() if parent == directory else self.for_directory(parent)
        self.cache[directory] = config
        return config

    def load(self, path: str) -> Optional[Config]:
        from convcalc.limits import MAX_FILE

        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE + 1)  # never whole: a sparse file may say 1.5 GB
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(data) > MAX_FILE:
            raise UsageError(f"{path}: larger than {MAX_FILE:,} bytes: convcalc reads no further")
        if b"tool.convcalc" not in data and b"convcalc" not in data:
            return None
        toml = toml_reader()
        if toml is None:  # Python 3.10 without tomli: convcalc's own reader of its table
            from convcalc.lint import minitoml

            try:
                table = minitoml.read(data.decode("utf-8"))
            except RecursionError:
                raise UsageError(f"{path}: invalid TOML: nested too deeply to read") from None
            except (UnicodeDecodeError, minitoml.Unsupported) as exc:
                note = (f"{path}: [tool.convcalc] is not read: Python {sys.version_info[0]}.{sys.version_info[1]} has "
                        f"no tomllib, and convcalc's own reader does not take {exc}; pip install 'convcalc[toml]' "
                        "(tomli) to read it; configuration skipped")
                if note not in self.notes:
                    self.notes.append(note)
                return None
            return None if table is None else parse_table(table, path)
        try:
            document = toml.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, toml.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: invalid TOML: {exc}") from None
        except RecursionError:  # arrays or inline tables nested thousands deep
            raise UsageError(f"{path}: invalid TOML: nested too deeply to read") from None
        tool = document.get("tool", {})
        if not isinstance(tool, dict):
            raise UsageError(f"{path}: `tool` must be a table ([tool.convcalc]), not {type(tool).__name__} "
                             f"{str(tool)[:40]!r}")
        table = tool.get("convcalc")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise UsageError(f"{path}: `tool.convcalc` must be a table ([tool.convcalc]), not "
                             f"{type(table).__name__} {str(table)[:40]!r}")
        return parse_table(table, path)


def toml_reader():
    """tomllib (Python 3.11+), else its backport tomli where installed, else None."""
    try:
        import tomllib

        return tomllib
    except ImportError:
        pass
    try:
        import tomli

        return tomli
    except ImportError:
        return None


def parse_table(table, path: str) -> Config:
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.convcalc] must be a table")
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise UsageError(f"{path}: unknown key {unknown[0]!r} in [tool.convcalc] (valid keys: {', '.join(KEYS)})")
    config = Config(path=path, root=os.path.dirname(os.path.abspath(path)))
    for key in ("select", "ignore", "exclude"):
        if key in table:
            value = table[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"{path}: [tool.convcalc] {key} must be a list of strings")
            if len(value) > MAX_PATTERNS:  # each file and directory is matched against each pattern
                raise UsageError(f"{path}: [tool.convcalc] {key} has {len(value):,} entries; at most {MAX_PATTERNS:,}")
            problem = too_long(value, f"{path}: [tool.convcalc] {key}") if key == "exclude" else None
            if problem:
                raise UsageError(problem)
            setattr(config, key, list(value))
    if "strict" in table:
        if not isinstance(table["strict"], bool):
            raise UsageError(f"{path}: [tool.convcalc] strict must be true or false")
        config.strict = table["strict"]
    if "input" in table:
        if not isinstance(table["input"], str):
            raise UsageError(f"{path}: [tool.convcalc] input must be a string such as \"3x32x32\"")
        config.input = table["input"]
    for key, attr in (("per-file-input", "per_file_input"), ("per-file-ignores", "per_file_ignores")):
        if key in table:
            value = table[key]
            if not isinstance(value, dict):
                raise UsageError(f"{path}: [tool.convcalc.{key}] must be a table of glob = value")
            if len(value) > MAX_PATTERNS:
                raise UsageError(f"{path}: [tool.convcalc.{key}] has {len(value):,} entries; at most {MAX_PATTERNS:,}")
            problem = too_long(list(value), f"{path}: [tool.convcalc.{key}]")
            if problem:
                raise UsageError(problem)
            for pattern, item in value.items():
                if key == "per-file-input" and not isinstance(item, str):
                    raise UsageError(f"{path}: [tool.convcalc.{key}] {pattern!r} must be a string such as "
                                     "\"3x32x32\"")
                if key == "per-file-ignores" and (not isinstance(item, list)
                                                  or not all(isinstance(v, str) for v in item)):
                    raise UsageError(f"{path}: [tool.convcalc.{key}] {pattern!r} must be a list of codes")
            setattr(config, attr, dict(value))
    return config
