"""The Python API: ``convcalc.summary(...)`` and ``convcalc.lint(...)`` (docs/api.md).

A source is a path (``.py``, ``.net``, ``.ipynb``), a string of code (Python, or a network
description), or an object of the caller's session: a class (or an instance of one), a
factory function, a module. An object's source is read with ``inspect`` (the file it comes
from, or the lines IPython keeps for a notebook cell), never run again: convcalc reads it with
``ast``, as it reads every file. What it names from the session (``nn``, a constant, a block
class of another cell) is written before it, from the objects themselves: a module as its
import, a number or string as its value, a class of the session by its own source.

The figures come from convcalc's shapes report through convcalc/adapter.py: the same walk and
the same numbers as `convcalc shapes`.
"""
from __future__ import annotations

import ast
import inspect
import os
import sys
import textwrap
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

Source = Union[str, "os.PathLike[str]", type, Any]
InputSize = Union[str, Sequence[int], Sequence[Sequence[int]], None]
SUFFIXES = (".py", ".net", ".ipynb", ".txt")
MAX_OBJECTS = 64  # session objects whose source is gathered for one summary


class SourceError(ValueError):
    """A source convcalc cannot read as a model: its diagnostic (``path:line:col: CODE message``)."""

    def __init__(self, message: str, finding: Optional["Finding"] = None):
        super().__init__(message)
        self.finding = finding


@dataclass(frozen=True)
class Finding:
    """One diagnostic: where (``cell`` in a notebook), its code, severity and message."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    severity: str
    message: str
    cell: Optional[int] = None

    def __str__(self) -> str:
        cell = f":cell {self.cell}" if self.cell is not None else ""
        return f"{self.path}{cell}:{self.line}:{self.column}: {self.code} {self.message}"


@dataclass(frozen=True)
class Row:
    """One row of the table: the layer (or tensor operation) as written, its line, output shape
    (symbols as strings: ``"floor(H/2)"``), parameters, buffers and mult-adds (batch included)."""

    line: int
    layer: str
    output: tuple
    params: Union[int, str]
    buffers: Union[int, str]
    macs: Union[int, str]
    shared: bool = False
    module: str = ""
    cell: Optional[int] = None


class Summary:
    """A model's shapes, parameters and problems, as `convcalc shapes` gives them.

    ``rows``: one Row per layer; ``total_params``, ``trainable_params``, ``total_buffers`` and
    ``total_macs`` (None where they are not the model's: a model not followed to its end);
    ``complete``: the model was followed to its end; ``ok``: no layer failed; ``diagnostics``:
    the problems found; ``input``, ``output`` as shapes. ``str()`` is the table, ``to_dict()``
    the JSON of `convcalc shapes --format json`; in a notebook it shows as the table and the
    diagram (``_repr_html_``)."""

    def __init__(self, analysis, batch: int = 1):
        from convcalc import adapter

        self._analysis = analysis
        self._batch = batch
        self._data = adapter.report(analysis, batch)
        data = self._data
        self.path: str = data["path"]
        self.model: str = data.get("model", "")
        self.input: tuple = tuple(data["input"])
        self.output: Optional[tuple] = tuple(data["output"]) if data["output"] is not None else None
        self.complete: bool = data["complete"]
        self.ok: bool = analysis.ok
        self.total_params = data["total_params"]
        self.trainable_params = data["trainable_params"]
        self.total_buffers = data["total_buffers"]
        self.total_macs = data["total_macs"]
        self.rows: list = [Row(r["line"], r["layer"], tuple(r["output"]), r["params"], r["buffers"], r["macs"],
                               r.get("shared", False), r.get("module", ""), r.get("cell"))
                           for r in data["layers"]]
        self.diagnostics: list = [finding_of(d) for d in data["diagnostics"]]

    def to_dict(self) -> dict:
        """The object `convcalc shapes --format json` prints."""
        import copy

        return copy.deepcopy(self._data)

    def to_json(self, indent: Optional[int] = 2) -> str:
        import json

        return json.dumps(self._data, indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        from convcalc import adapter

        return adapter.table(self._analysis, self._batch)

    def __repr__(self) -> str:
        total = self.total_params if self.total_params is not None else "not known"
        return f"<convcalc.Summary {self.model or self.path}: {len(self.rows)} rows, params {total}>"

    def _repr_html_(self) -> str:
        from convcalc import adapter
        from html import escape

        problems = "".join(f"<li><code>{escape(str(d))}</code></li>" for d in self.diagnostics)
        picture = adapter.diagram(adapter.analyse(self._analysis.program, self._override(), fields=True))
        return (f'<div class="convcalc-summary"><pre>{escape(str(self))}</pre>'
                + (f"<ul>{problems}</ul>" if problems else "") + f"<div>{picture}</div></div>")

    def _override(self):
        return getattr(self, "_input_override", None)


def finding_of(data: dict) -> Finding:
    return Finding(data["path"], data["line"], data["column"], data["end_line"], data["end_column"], data["code"],
                   data["severity"], data["message"], data.get("cell"))


def input_text(input_size: InputSize) -> Optional[str]:
    """``"3x32x32"``, ``(3, 32, 32)`` or ``[(3, 32, 32), (1, 32, 32)]`` (one per input) as --input takes it."""
    if input_size is None or isinstance(input_size, str):
        return input_size
    sizes = list(input_size)
    if sizes and all(isinstance(s, (list, tuple)) for s in sizes):
        return ", ".join("x".join(str(int(d)) for d in s) for s in sizes)
    return "x".join(str(int(d)) if not isinstance(d, str) else d for d in sizes)


def summary(source: Source, model: Optional[str] = None, input_size: InputSize = None, *, batch: int = 1,
            training: bool = False, language: Optional[str] = None) -> Summary:
    """The Summary of one model of ``source``.

    ``model``: its name, or a call that builds it (``"VGG('VGG16')"``), when the source holds
    several or the class needs arguments; ``input_size``: per sample, no batch (``"3x32x32"``,
    ``(3, 32, 32)``, or a list of shapes for a model with several inputs), overriding the
    source's own; ``batch``: for the mult-adds; ``training``: follow forward in training mode;
    ``language``: ``"python"`` or ``"network"`` for a string of code (by default: Python when
    it parses as Python). Raises SourceError when the source cannot be read as a model."""
    from convcalc import adapter
    from convcalc.errors import ConvcalcError, UsageError

    path, text, chosen = read(source, language)
    model = model or chosen
    try:
        programs, override = adapter.programs(path, text, model, input_text(input_size), training)
    except ConvcalcError as exc:
        raise source_error(exc, path, text) from None
    except UsageError as exc:
        raise SourceError(str(exc)) from None
    if len(programs) != 1:
        names = ", ".join(p.name for p in programs)
        raise SourceError(f"{path} holds {len(programs)} models ({names}): choose one with model=NAME")
    made = Summary(adapter.analyse(programs[0], override), batch)
    made._input_override = override
    return made


def lint(source: Union[Source, Sequence[Source]], input_size: InputSize = None, *, select=None, ignore=None,
         strict: bool = False, language: Optional[str] = None) -> list:
    """The findings `convcalc lint` reports for ``source`` (paths, files or directories; code; a
    session's class or module), in its order: what makes lint exit 1. Settings of the nearest
    pyproject.toml apply, as on the command line."""
    from convcalc.errors import UsageError
    from convcalc.lint.runner import Options, lint as run
    from convcalc.lint.selection import split_codes

    codes = (lambda v: split_codes(v) if isinstance(v, str) or v is None else list(v))
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    paths = [os.fspath(s) for s in sources if is_path(s)]
    options = Options(codes(select), codes(ignore), (), input_text(input_size), strict=strict, cache=False, jobs=1,
                      progress=False)
    findings = []
    try:
        if paths:
            findings += found(run(paths, options))
        for each in (s for s in sources if not is_path(s)):
            path, text, _ = read(each, language)
            options.stdin_filename, options.text = path, text
            findings += found(run(["-"], options))
    except UsageError as exc:
        raise SourceError(str(exc)) from None
    return findings


def found(result) -> list:
    from convcalc.lint.reporter import as_json

    return [finding_of(as_json(f)) for f in result.findings]


def source_error(exc, path: str, text: str) -> SourceError:
    diagnostic = exc.diagnostic(path, text)
    finding = finding_of(diagnostic.to_json())
    return SourceError(diagnostic.render(), finding)


# ---------------------------------------------------------------- sources


def is_path(source) -> bool:
    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and "\n" not in source and (source.endswith(SUFFIXES) or os.path.exists(source))


def read(source, language: Optional[str]) -> tuple:
    """(path shown, text, the model's name when the source is a class, instance or function)."""
    from convcalc.errors import UsageError
    from convcalc.load import read_source

    if is_path(source):
        try:
            path, text = read_source(os.fspath(source), None)
        except UsageError as exc:
            raise SourceError(exc.render()) from None
        return path, text, None
    if isinstance(source, str):
        kind = language or ("python" if parses(source) else "network")
        if kind not in ("python", "network"):
            raise SourceError(f"language={language!r}: give 'python' or 'network'")
        return ("<string>.py" if kind == "python" else "<string>.net"), source, None
    if inspect.ismodule(source):
        try:
            text = inspect.getsource(source)
        except (OSError, TypeError) as exc:
            raise SourceError(f"the source of module {source.__name__} is not available ({exc})") from None
        return getattr(source, "__file__", None) or f"<{source.__name__}>.py", text, None
    target = source if inspect.isclass(source) or inspect.isfunction(source) else type(source)
    return session_source(target)


def parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def session_source(target) -> tuple:
    """(path, text, name) of a class or function: its whole file when it has one on disk, else
    (a notebook's cell, kept by IPython in linecache) its own source with what it names from the
    session."""
    name = target.__name__
    file = code_file(target)
    if file is None:
        raise SourceError(f"{name} has no Python source: give a path or the code")
    if os.path.isfile(file):
        with open(file, encoding="utf-8") as fh:
            return file, fh.read(), name
    module = sys.modules.get(target.__module__)
    pieces: list = []
    try:
        Gather(vars(module) if module is not None else {}, pieces).add(target)
    except (OSError, TypeError) as exc:
        raise SourceError(f"the source of {name} is not available ({exc}); where a class is defined in "
                          "`python -c`, by exec or typed at a plain prompt, give the code as a string or a path") \
            from None
    shown = file if file.endswith(".py") else f"{file}.py"  # a cell's name: read as Python
    return shown, "\n\n".join(pieces) + "\n", name


def code_file(target) -> Optional[str]:
    """The file (or IPython's cell name) the code of a function or a class's methods was compiled
    from: a class's own module file is not it when the class was defined in a notebook's cell."""
    functions = [target] if inspect.isfunction(target) else \
        [v for v in vars(target).values() if inspect.isfunction(v)]
    for function in functions:
        return function.__code__.co_filename
    try:
        return inspect.getsourcefile(target)
    except TypeError:
        return None


def object_source(target) -> str:
    """The source of a class or function, from the lines its code was compiled from (linecache:
    a file, or a notebook cell IPython keeps)."""
    import linecache

    file = code_file(target)
    lines = linecache.getlines(file) if file else []
    first = None
    if inspect.isfunction(target):
        first = target.__code__.co_firstlineno
    else:
        methods = [v.__code__.co_firstlineno for v in vars(target).values() if inspect.isfunction(v)]
        first = min(methods) if methods else None
    if not lines or first is None:
        return inspect.getsource(target)
    tree = ast.parse("".join(lines))
    kind = ast.ClassDef if inspect.isclass(target) else (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        if isinstance(node, kind) and node.name == target.__name__ and node.lineno <= first <= node.end_lineno:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            while start > 1 and lines[start - 2].lstrip().startswith("#"):  # `# convcalc: input` above it
                start -= 1
            return "".join(lines[start - 1:node.end_lineno])
    raise OSError("its definition is not in the lines it was compiled from")


class Gather:
    """The definitions a session object needs, in the order they are needed: imports of the
    modules and classes it names, the values of its constants, the source of the session's
    classes and functions it uses."""

    def __init__(self, scope: dict, pieces: list):
        self.scope, self.pieces, self.seen = scope, pieces, set()

    def add(self, target) -> None:
        if id(target) in self.seen or len(self.seen) >= MAX_OBJECTS:
            return
        self.seen.add(id(target))
        source = textwrap.dedent(object_source(target))
        for name in sorted(names_used(source) - {target.__name__}):
            if name not in self.scope:
                continue
            self.define(name, self.scope[name])
        self.pieces.append(source.rstrip())

    def define(self, name: str, value) -> None:
        if inspect.ismodule(value):
            line = f"import {value.__name__}" if value.__name__ == name else f"import {value.__name__} as {name}"
        elif inspect.isclass(value) or inspect.isfunction(value):
            if getattr(value, "__module__", None) == self.scope.get("__name__"):
                try:
                    self.add(value)  # the session's own: its source
                except (OSError, TypeError):
                    pass
                return
            home = public_module(value)
            if home is None:
                return
            line = f"from {home} import {value.__name__}" + (f" as {name}" if name != value.__name__ else "")
        elif literal(value):
            line = f"{name} = {value!r}"
        else:
            return
        if line not in self.pieces:
            self.pieces.insert(0, line) if line.startswith(("import", "from")) else self.pieces.append(line)


def names_used(source: str) -> set:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def public_module(value) -> Optional[str]:
    """The shortest loaded module that exports ``value`` under its name (torch.nn for Conv2d)."""
    parts = (getattr(value, "__module__", None) or "").split(".")
    for end in range(1, len(parts) + 1):
        candidate = ".".join(parts[:end])
        module = sys.modules.get(candidate)
        if module is not None and getattr(module, value.__name__, None) is value:
            return candidate
    return None


def literal(value) -> bool:
    """A value written back as itself: numbers, strings, and tuples, lists and dicts of them."""
    try:
        return ast.literal_eval(repr(value)) == value and len(repr(value)) < 10_000
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
