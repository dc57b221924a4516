"""The conformance harness: one small program run by CPython (in the test process: the tests
may execute code, the product never does) and by convcalc's interpreter, and their outcomes
compared.

An outcome is ``("value", data)`` (the program's ``result``, made plain data: see
:func:`plain_cpython` and :func:`plain_convcalc`), ``("raises", exception name)``,
``("not followed", reason, line)`` (convcalc only: it must name a position) or
``("internal error", text)`` (convcalc only: always a failure).

The programs are data: ``tests/unit/frontends/conformance/cases/*.cases``, one section per
file. A case starts with a line ``### topic: what it checks``; the lines up to the next such
line are its program, which sets ``result``. A case whose file is ``numpy.cases`` needs numpy.
"""
from __future__ import annotations

import ast
import contextlib
import io
import math
import os
import sys
import traceback
import warnings
from dataclasses import dataclass

CASES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "frontends",
                         "conformance", "cases")
MODULE_NAME = "model_file"  # the module name convcalc gives a file it reads (never "__main__")
MARK = "### "


@dataclass(frozen=True)
class Case:
    section: str  # the file's name without .cases
    topic: str
    title: str
    code: str
    line: int  # where the case starts in its file

    @property
    def ident(self) -> str:
        return f"{self.section}:{self.line}:{self.topic}"


def sections() -> list:
    return sorted(name[:-len(".cases")] for name in os.listdir(CASES_DIR) if name.endswith(".cases"))


def load_cases(section: str = None) -> list:
    out = []
    for name in ([section] if section else sections()):
        with open(os.path.join(CASES_DIR, name + ".cases"), encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        start = None
        for number, text in enumerate(lines + [MARK + "end: end"], 1):
            if text.startswith(MARK):
                if start is not None:
                    head, body = lines[start - 1], lines[start:number - 1]
                    topic, _, title = head[len(MARK):].partition(":")
                    out.append(Case(name, topic.strip(), title.strip(), "\n".join(body).rstrip() + "\n", start))
                start = number
            elif start is None and text.strip() and not text.startswith("#"):
                raise ValueError(f"{name}.cases:{number}: text before the first case")
    return out


# ---------------------------------------------------------------- CPython


def in_cpython(code: str):
    import types

    module = types.ModuleType(MODULE_NAME)  # registered: dataclasses and enum look their module up
    namespace = module.__dict__
    argv, before = sys.argv, sys.modules.get(MODULE_NAME)
    sys.argv = ["model_file.py"]  # argparse reads the command line: a script run without options
    sys.modules[MODULE_NAME] = module
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a generated case's "1[0]" warns as CPython compiles it
            exec(compile(code, "<case>", "exec"), namespace)  # noqa: S102  (the case is ours; only tests exec)
    except SystemExit:
        return ("raises", "SystemExit")
    except Exception as exc:  # noqa: BLE001  (the case's own error is its result)
        return ("raises", type(exc).__name__)
    finally:
        sys.argv = argv
        if before is None:
            sys.modules.pop(MODULE_NAME, None)
        else:
            sys.modules[MODULE_NAME] = before
    return ("value", plain_cpython(namespace.get("result")))


def plain_cpython(value, depth: int = 0):
    """A CPython value as plain data comparable with convcalc's (see plain_convcalc)."""
    if depth > 50:
        return ("deep",)
    inner = lambda v: plain_cpython(v, depth + 1)  # noqa: E731
    kind = type(value)
    if value is None or kind in (bool, int, float, str, bytes, complex):
        return value
    module = getattr(kind, "__module__", "")
    if module == "numpy":
        return inner(value.tolist()) if hasattr(value, "tolist") else value
    import enum

    if isinstance(value, enum.Enum):
        return ("enum", kind.__name__, value.name)
    if isinstance(value, BaseException):
        return ("exception", kind.__name__, tuple(inner(a) for a in value.args))
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, CONTAINERS):
        return mapped(value, inner)
    if isinstance(value, (range, slice)):
        return value
    if kind.__name__ in ("dict_keys", "dict_values", "dict_items"):
        return ("view", kind.__name__, [inner(v) for v in value])
    if isinstance(value, type):
        return ("type", value.__name__)
    if callable(value) and hasattr(value, "__qualname__"):
        return ("function", value.__qualname__)
    if hasattr(value, "__next__"):
        return ("iterator",)
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return ("object", kind.__name__, {k: inner(v) for k, v in vars(value).items()})
    return ("other", kind.__name__)


CONTAINERS = (tuple, list, dict, frozenset, set)


def mapped(value, inner):
    """A tuple, list, dict, frozenset or set of the same kind, with ``inner`` of each item (both walkers')."""
    if isinstance(value, dict):
        return {inner(k): inner(v) for k, v in value.items()}
    kind = next(kind for kind in CONTAINERS if isinstance(value, kind))  # a namedtuple as a tuple
    return kind(inner(v) for v in value)


# ---------------------------------------------------------------- convcalc


def in_convcalc(code: str):
    from convcalc.frontends.python.execute import execute
    from convcalc.frontends.python.machine import Machine
    from convcalc.frontends.python.pycore import type_name
    from convcalc.frontends.python.reasons import Raised, Signal, Unfollowable
    from convcalc.frontends.python.source import Source

    tree = ast.parse(code)
    machine = Machine(Source(code, "case.py"), tree)
    frame = machine.frame()
    try:
        for stmt in tree.body:
            execute(frame, stmt)
        return ("value", plain_convcalc(machine.globals.vars.get("result")))
    except Raised as exc:
        return ("raises", type_name(exc.value))
    except Unfollowable as exc:
        line = getattr(exc.node, "lineno", None) or (exc.span.line if exc.span else None)
        return ("not followed", exc.reason, line, exc.kind)
    except Signal as exc:
        return ("internal error", f"a {type(exc).__name__} escaped the module")
    except Exception:  # noqa: BLE001  (an internal error is what the suite looks for)
        return ("internal error", traceback.format_exc(limit=-4))


def plain_convcalc(value, depth: int = 0):
    """A value convcalc holds as the plain data plain_cpython makes of CPython's."""
    from convcalc.frontends.python import pycore
    from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
    from convcalc.frontends.python.pyobjects import BoundMethod, Builtin, Function, Generator, Value

    if depth > 50:
        return ("deep",)
    inner = lambda v: plain_convcalc(v, depth + 1)  # noqa: E731
    if not isinstance(value, Value):
        return mapped(value, inner) if isinstance(value, CONTAINERS) else value
    own = getattr(value, "plain", None)
    if own is not None:  # a value that stands for a dict, a list or an array (defaultdict, Counter, np.array)
        return inner(own())
    if isinstance(value, pycore.PyException):
        return ("exception", value.cls.name, tuple(inner(a) for a in value.args))
    if isinstance(value, Instance):
        if value.cls.enum is not None and "_name_" in value.attrs:
            return ("enum", value.cls.name, value.attrs["_name_"])
        if value.cls.is_exception():
            return ("exception", value.cls.name, tuple(inner(a) for a in value.attrs.get("args", ())))
        if value.native is not None:
            return inner(value.native)
        return ("object", value.cls.name, {k: inner(v) for k, v in value.attrs.items()})
    if isinstance(value, (BuiltinType, ClassInfo)):
        return ("type", value.name)
    if isinstance(value, Function):
        return ("function", value.attr(None, "__qualname__", None))
    if isinstance(value, BoundMethod):
        return ("function", getattr(value.func, "name", "?"))
    if isinstance(value, Builtin):
        return ("function", value.name)
    if isinstance(value, Generator):
        return ("iterator",)
    return ("other", type(value).__name__)


# ---------------------------------------------------------------- comparing


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (1 is not True, 1.0 is not 1; nan is nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):  # key by key in order: a nan key is equal to no other nan
        return len(a) == len(b) and all(same(ka, kb) and same(a[ka], b[kb]) for ka, kb in zip(a, b))
    if isinstance(a, (set, frozenset)) and a != b:
        return sorted(map(repr, a)) == sorted(map(repr, b))  # {nan} is not {nan}: their texts are
    return a == b


def verdict(case_code: str):
    """(status, cpython outcome, convcalc outcome): status is "followed" (the same outcome),
    "not followed" (convcalc says so, with a line), or "differs" (a failure)."""
    expected = in_cpython(case_code)
    got = in_convcalc(case_code)
    if got[0] == "not followed":
        return ("not followed" if got[2] else "differs"), expected, got
    if got[0] == expected[0] and (got[0] == "raises" and got[1] == expected[1] or
                                  got[0] == "value" and same(got[1], expected[1])):
        return "followed", expected, got
    return "differs", expected, got


# ---------------------------------------------------------------- the list in docs/python-models.md

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs",
                   "python-models.md")
DOC_BEGIN = "<!-- conformance: begin (tools/conformance_doc.py writes this part from the suite) -->"
DOC_END = "<!-- conformance: end -->"
SECTION_TITLES = {"types": "Builtin types", "functions": "Builtin functions", "text": "Text",
                  "methods": "Methods of str, list, tuple, dict and set", "statements": "Statements",
                  "functions_defs": "Functions, closures, comprehensions, generators, decorators",
                  "classes": "Classes", "stdlib": "The standard library", "numpy": "numpy",
                  "sizes": "Sizes of the input"}
_VERDICTS: dict = {}


def verdicts() -> dict:
    """Every case's verdict, computed once per process: Case -> (status, cpython, convcalc)."""
    if not _VERDICTS:
        for case in load_cases():
            _VERDICTS[case] = verdict(case.code)
    return _VERDICTS


def render_doc(results: dict) -> str:
    """The part of docs/python-models.md that lists what the suite shows followed."""
    total = len(results)
    followed = sum(1 for status, _, _ in results.values() if status == "followed")
    out = [DOC_BEGIN, "",
           f"The conformance suite (`tests/unit/frontends/conformance/`) runs {total} small programs in "
           "CPython and in convcalc's interpreter and compares their results (the value, or the "
           f"exception raised). {followed} are followed to CPython's result; the other "
           f"{total - followed} are reported as not followed, with their line. By section:", ""]
    by_section: dict = {}
    for case, (status, _, _) in results.items():
        topics = by_section.setdefault(case.section, {})
        counts = topics.setdefault(case.topic, [0, 0])
        counts[0 if status == "followed" else 1] += 1
    for section in sections():
        if section not in by_section:
            continue
        out.append(f"**{SECTION_TITLES.get(section, section)}**: " + ", ".join(
            f"`{topic}`" + (f" ({counts[1]} of {sum(counts)} not followed)" if counts[1] else "")
            for topic, counts in by_section[section].items()) + ".")
        out.append("")
    missing = [(case, got) for case, (status, _, got) in results.items() if status != "followed"]
    if missing:
        out.append("Not followed (each is a positioned CC301 where a model file meets it):")
        out.append("")
        for case, got in missing:
            reason = got[1] if got[0] == "not followed" else got[0]
            out.append(f"- {case.topic}: {case.title} ({reason})")
        out.append("")
    out.append(DOC_END)
    return "\n".join(out)


def doc_part(text: str) -> str:
    start, end = text.find(DOC_BEGIN), text.find(DOC_END)
    return text[start:end + len(DOC_END)] if start >= 0 and end >= 0 else ""
