"""Fuzzing the command line in-process: no input, however malformed, may produce a traceback,
an exit code outside {0, 1, 2}, a hang, or an error without `path:line:col:` (cli.md).

Three sources of inputs: noise (bytes and text), grammar-aware mutations of examples/*.net,
and mutations of the Python model fixtures. Inputs that once broke something are kept in
tests/fixtures/fuzz_corpus/ and replayed by test_corpus_file.

The example count is small and fixed (derandomized, so CI sees the same cases every run);
CONVCALC_FUZZ_EXAMPLES=N runs N examples per test for a longer local session.
"""
from paths import ROOT, FUZZ_CORPUS
import os
import re
import sys
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_watchdog import invoke

EXAMPLES = {p.name: p.read_text() for p in sorted((ROOT / "examples").glob("*.net"))}
CORPUS = FUZZ_CORPUS
# per invocation: every loop an input controls is bounded. A walk stops at engine/walk.MAX_STEPS, about
# 1.5 s here; the bound leaves room for a loaded machine (a long run saw 3x slowdowns)
SECONDS = 30.0  # a watchdog: a hang fails one test; the budgets' own messages are what is asserted
# commands that may search, walking the network once per size tried, within limits.SEARCH_STEPS
# (about 10 s of work at the bound on this machine)
SEARCH_SECONDS = 90.0
SEARCHING = ("inputs", "verify", "lint")

# ---------------------------------------------------------------- profiles

# every invocation of the group raises the limit (cli.py); raised once here, before hypothesis
# records it, so that it does not warn about a changed limit
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
# CI: the same examples every run; the long profile explores anew each time (a failure prints
# the blob that reproduces it)
settings.register_profile("convcalc-fuzz", max_examples=30, derandomize=True, **_COMMON)
settings.register_profile("convcalc-fuzz-long", max_examples=int(os.environ.get("CONVCALC_FUZZ_EXAMPLES") or 1),
                          derandomize=False, **_COMMON)
# applied per test, not loaded globally: the other test files keep their own settings
FUZZ = settings(settings.get_profile(
    "convcalc-fuzz-long" if os.environ.get("CONVCALC_FUZZ_EXAMPLES") else "convcalc-fuzz"))

# ---------------------------------------------------------------- the property



def run(args, path: Path):
    """Invoke the CLI on PATH and check the property; returns the result for extra checks.

    A watchdog stops a run at the time bound, so that a hang fails one test instead of the job."""
    where = f"convcalc {' '.join(args)} {path.name}"
    bound = SEARCH_SECONDS if args[0] in SEARCHING else SECONDS
    result, elapsed = invoke([*args, str(path)], bound)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(*result.exc_info))
        raise AssertionError(f"{where}: uncaught exception\n{tb}")
    out = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), f"{where}: exit code {result.exit_code}\n{out}"
    assert "Traceback" not in out, f"{where}: a traceback in the output\n{out}"
    assert elapsed < bound, f"{where}: took {elapsed:.1f} s"
    if result.exit_code and not explained(args, result):
        assert positioned(path).search(out), f"{where}: exit {result.exit_code} without path:line:col:\n{out}"
    check_positions(path, out, where)
    return result


def positioned(path: Path):
    """path:line:col:, or path:cell N:line:col: in a notebook."""
    return re.compile(re.escape(str(path)) + r"(?::cell \d+)?:(\d+):(\d+):")


def explained(args, result) -> bool:
    """Exits that are not an error in the content, so carry no position by design."""
    # `inputs` exits 1 when no size is accepted; its report (stdout) says why, by line
    if args[0] == "inputs" and result.exit_code == 1 and "accepted" in result.stdout:
        return True
    # a picture of one model, from a file of several: a choice to make (--model), not an error in the file
    return args[0] == "draw" and result.exit_code == 2 and "choose one with --model NAME" in result.stderr


def check_positions(path: Path, out: str, where: str) -> None:
    """A reported line lies within the file (or one past it, for the end of input)."""
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return
    # a notebook's cell has at most the lines of its JSON plus the escaped newlines of its sources
    # (a cell whose source is one JSON string has more lines than the JSON)
    lines = len(text.split("\n")) + (text.count("\\n") if path.suffix == ".ipynb" else 0)
    for match in positioned(path).finditer(out):
        line, col = int(match[1]), int(match[2])
        assert 1 <= line <= lines + 1 and col >= 1, f"{where}: position {line}:{col} outside the file\n{out}"


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


def symbolic(text: str) -> bool:
    """The file's input line names a symbol (`input 3xHxW`): `inputs` has something to solve."""
    return bool(re.search(r"^\s*input\s+[^#\n]*[A-Za-wyzA-Z_]", text, re.M))


def check_drawn(tmp_path: Path, path: Path) -> None:
    """`convcalc draw`: the same property, and a picture that parses whenever one is written."""
    picture = tmp_path / "drawn.svg"
    if picture.exists():
        picture.unlink()
    result = run(["draw", "-o", str(picture)], path)
    if picture.exists():  # a description that does not parse draws nothing (exit 1, as shapes)
        ET.fromstring(picture.read_text(encoding="utf-8"))
    assert picture.exists() or result.exit_code, "exit 0 without a picture"


def check_network(tmp_path: Path, text, verify: bool = False) -> None:
    path = write(tmp_path, "fuzzed.net", text)
    for command in ("shapes", "params", "lint"):
        run([command], path)
    check_drawn(tmp_path, path)
    if isinstance(text, str) and symbolic(text):
        run(["inputs"], path)
    if verify:
        run(["verify", "--max-macs", "200000"], path)


def check_python(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "fuzzed.py", text)
    run(["lint"], path)
    run(["shapes"], path)
    check_drawn(tmp_path, path)


# ---------------------------------------------------------------- (a) noise

# characters the tokenizer, the indentation rule and the input line care about, and some it must reject
LANGUAGE = list("input 3x32×HW\n\n    \t;#:()[],=+-*/%.'\"\\") + ["**", "//", "repeat ", "def ", "let ",
                                                                   "residual:", "concat", "branch:", "Conv2d(",
                                                                   "Linear(", "ReLU()", "save ", "add ", "if ",
                                                                   "else:", "as i", "nn.", "\x00", "\r", "\x0c"]


@FUZZ
@given(data=st.binary(max_size=400), header=st.booleans())
def test_byte_noise(tmp_path, data, header):
    """Arbitrary bytes, also after a valid input line: not UTF-8, BOMs, NUL, lone CRs."""
    check_network(tmp_path, (b"input 3x32x32\n" if header else b"") + data)


@FUZZ
@given(text=st.text(st.characters(codec="utf-8"), max_size=300)
       | st.text(st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=300))
def test_text_noise(tmp_path, text):
    """Unicode, control characters and NUL, all valid UTF-8: always a positioned CC001 or a result."""
    check_network(tmp_path, text)


@FUZZ
@given(parts=st.lists(st.sampled_from(LANGUAGE) | st.integers(-3, 300).map(str), max_size=60))
def test_token_soup(tmp_path, parts):
    """Fragments of the language in random order: reaches the parser's deeper states than noise."""
    check_network(tmp_path, "".join(parts), verify=True)


# ---------------------------------------------------------------- (b) mutated networks

HUGE = ["10**40", "2**2**2**2**2", "10**12", "2**64", "-1", "0", "-(2**63)", "9" * 30, "9" * 5000,
        "10**4300", "1.5", "1e400", "(1, 2)", "(" * 60 + "1" + ")" * 60, "-" * 3000 + "1", "1" + "+1" * 3000,
        "H", "1/0", "7//0", "3%0", "2**-1", "(-8)**(1/3)"]
UNKNOWN_LAYERS = ["Conv4d", "Foo", "nn.Bar", "torch.nn.Conv2d", "conv2d", "Conv2D", "Linear", "torch.Conv2d",
                  "nn.nn.ReLU", "input", "repeat", "def", "True", "__import__"]
RECURSION = [
    "def R(x):\n    R(x)\nR(1)\n",
    "def A(x):\n    B(x)\ndef B(x):\n    A(x)\nA(1)\n",
    "def A(x, n=1):\n    repeat n:\n        A(x, n)\nA(1)\n",
    "def D(k):\n    if k > 0:\n        D(k - 1)\n    else:\n        ReLU()\nD(10**6)\n",
    "def D(k):\n    if k > 0:\n        D(k - 1)\n        D(k - 1)\n    else:\n        ReLU()\nD(40)\n",
    "def F(n):\n    repeat n:\n        repeat n:\n            repeat n:\n                ReLU()\nF(1000)\n",
]
BLOCK_HEADS = ["repeat 2:", "repeat 0:", "repeat 10**12:", "repeat -1:", "repeat 2**2**2**2**2:", "repeat n:",
               "repeat 3 as i:", "residual:", "shortcut:", "concat:", "branch:", "if 1:", "else:", "if H > 3:",
               "def Z():", "def Z(a, a):"]
TOKEN = re.compile(r"[A-Za-z_][\w.]*|\d+|\*\*|//|\S")


def _line(draw, lines):
    return draw(st.integers(0, max(0, len(lines) - 1)))


def delete_token(draw, lines):
    i = _line(draw, lines)
    tokens = list(TOKEN.finditer(lines[i]))
    if tokens:
        m = draw(st.sampled_from(tokens))
        lines[i] = lines[i][:m.start()] + lines[i][m.end():]
    return lines


def duplicate_line(draw, lines):
    i = _line(draw, lines)
    return lines[:i + 1] + [lines[i]] + lines[i + 1:]


def delete_line(draw, lines):
    i = _line(draw, lines)
    return lines[:i] + lines[i + 1:]


def swap_lines(draw, lines):
    i, j = _line(draw, lines), _line(draw, lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def reindent(draw, lines):
    i = _line(draw, lines)
    line = lines[i]
    how = draw(st.sampled_from(["add", "remove", "tab", "tab-inside", "nbsp"]))
    n = draw(st.integers(1, 9))
    if how == "add":
        lines[i] = " " * n + line
    elif how == "remove":
        lines[i] = line[min(n, len(line) - len(line.lstrip(" "))):]
    elif how == "tab":
        lines[i] = "\t" + line
    elif how == "tab-inside":
        k = len(line) - len(line.lstrip(" "))
        lines[i] = line[:k // 2] + "\t" + line[k // 2:]
    else:
        lines[i] = "\u00a0" + line
    return lines


def replace_number(draw, lines):
    i = _line(draw, lines)
    numbers = list(re.finditer(r"\d+", lines[i]))
    if numbers:
        m = draw(st.sampled_from(numbers))
        lines[i] = lines[i][:m.start()] + draw(st.sampled_from(HUGE)) + lines[i][m.end():]
    return lines


def unbalance(draw, lines):
    i = _line(draw, lines)
    col = draw(st.integers(0, len(lines[i])))
    lines[i] = lines[i][:col] + draw(st.sampled_from(["(", ")", "[", "]", "((", "))", ")(", "(\n", "'", '"'])) \
        + lines[i][col:]
    return lines


def rename_layer(draw, lines):
    i = _line(draw, lines)
    calls = list(re.finditer(r"[A-Za-z_][\w.]*(?=\()", lines[i]))
    if calls:
        m = draw(st.sampled_from(calls))
        lines[i] = lines[i][:m.start()] + draw(st.sampled_from(UNKNOWN_LAYERS)) + lines[i][m.end():]
    return lines


def insert_recursion(draw, lines):
    i = draw(st.integers(0, len(lines)))
    return lines[:i] + draw(st.sampled_from(RECURSION)).splitlines() + lines[i:]


def wrap_block(draw, lines):
    """`repeat N:` (or another block head) around a run of lines, indented one level more."""
    i = _line(draw, lines)
    j = draw(st.integers(i, min(len(lines), i + 6)))
    indent = re.match(r"[ \t]*", lines[i]).group() if lines else ""
    body = ["    " + line if line.strip() else line for line in lines[i:j]] or [indent + "    ReLU()"]
    return lines[:i] + [indent + draw(st.sampled_from(BLOCK_HEADS))] + body + lines[j:]


def symbolic_input(draw, lines):
    """The input line made symbolic, so that `inputs` runs."""
    dims = draw(st.sampled_from(["3xHxW", "3xHxH", "1xL", "3xDxHxW", "Cx32x32", "3xHx0", "3x×H", "3xHxW×"]))
    return [re.sub(r"^(\s*input\s+)\S+", lambda m: m.group(1) + dims, line) for line in lines]


def splice(draw, lines):
    """A line of another example: its names and channels will not fit here."""
    other = draw(st.sampled_from(sorted(EXAMPLES))).splitlines()
    i = draw(st.integers(0, len(lines)))
    return lines[:i] + [draw(st.sampled_from(other))] + lines[i:]


def insert_chars(draw, lines):
    i = _line(draw, lines)
    col = draw(st.integers(0, len(lines[i])))
    lines[i] = lines[i][:col] + draw(st.sampled_from([":", ";", ",", "=", "x", "×", "#", "\\", "\x00", "\r",
                                                     " as i", " if", "**", "..", ";;", "\u2028"])) + lines[i][col:]
    return lines


NET_MUTATIONS = [delete_token, duplicate_line, delete_line, swap_lines, reindent, replace_number, unbalance,
                 rename_layer, insert_recursion, wrap_block, symbolic_input, splice, insert_chars]


@st.composite
def mutated(draw, texts, mutations):
    """One source, one to three mutations, each at a drawn position."""
    name = draw(st.sampled_from(sorted(texts)))
    lines = texts[name].splitlines()
    for mutate in draw(st.lists(st.sampled_from(mutations), min_size=1, max_size=3)):
        lines = mutate(draw, list(lines)) if lines else ["ReLU()"]
    return "\n".join(lines) + "\n"


@FUZZ
@given(text=mutated(EXAMPLES, NET_MUTATIONS), verify=st.integers(0, 4).map(lambda k: k == 0))
def test_mutated_examples(tmp_path, text, verify):
    """Near-valid networks: where real mistakes are, and where the analysis (not only the parser) runs."""
    check_network(tmp_path, text, verify)


# ---------------------------------------------------------------- (c) mutated Python models

TINY_MODELS = {
    "sequential.py": "import torch.nn as nn\n\n# convcalc: input 3x32x32\nnet = nn.Sequential(\n"
                     "    nn.Conv2d(3, 8, 3, padding=1),\n    nn.ReLU(),\n    nn.MaxPool2d(2),\n"
                     "    nn.Flatten(),\n    nn.Linear(8 * 16 * 16, 10),\n)\n",
    "module.py": "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n\nC = 16\n\n\n"
                 "# convcalc: input 1x28x28\nclass Net(nn.Module):\n    def __init__(self):\n"
                 "        super().__init__()\n        self.conv = nn.Conv2d(1, C, 5)\n"
                 "        self.fc = nn.Linear(C * 12 * 12, 10)\n\n    def forward(self, x):\n"
                 "        x = F.max_pool2d(F.relu(self.conv(x)), 2)\n        x = x.view(x.size(0), -1)\n"
                 "        return self.fc(x)\n",
    "nested.py": "import torch.nn as tnn\n\n# convcalc: input 3xHxW\nmodel = tnn.Sequential(\n"
                 "    tnn.Sequential(tnn.Conv2d(3, 4, 3), tnn.BatchNorm2d(4)),\n    tnn.Sequential(),\n"
                 "    tnn.AdaptiveAvgPool2d(1),\n    tnn.Flatten(),\n    tnn.Linear(4, 2),\n)\n",
}
MODELS = {**{p.name: p.read_text() for p in sorted((ROOT / "tests" / "fixtures" / "corpus" / "lint_models").glob("*.py"))}, **TINY_MODELS}
PY_NUMBERS = ["10**40", "-1", "0", "-5", "2**2**2**2**2", "10**100000", "9" * 5000, "1.5", "None", "'x'",
              "(1, 2)", "True", "-(-3)", "x", "1 if True else 2", "[3]"]
CLASSES = ["nn.Conv3d", "nn.Foo", "Linear", "nn.Sequential", "nn.Module", "nn.ModuleList", "nn.ReLU",
           "nn.ConvTranspose2d", "torch.nn.Conv2d", "nn.conv2d", "nn.Flatten", "print"]


def py_number(draw, lines):
    i = _line(draw, lines)
    numbers = list(re.finditer(r"(?<![\w.])\d+(?![\w.])", lines[i]))
    if numbers:
        m = draw(st.sampled_from(numbers))
        lines[i] = lines[i][:m.start()] + draw(st.sampled_from(PY_NUMBERS)) + lines[i][m.end():]
    return lines


def py_rename_class(draw, lines):
    i = _line(draw, lines)
    calls = list(re.finditer(r"\b(?:torch\.)?nn\.\w+(?=\()|\b[A-Z]\w*(?=\()", lines[i]))
    if calls:
        m = draw(st.sampled_from(calls))
        lines[i] = lines[i][:m.start()] + draw(st.sampled_from(CLASSES)) + lines[i][m.end():]
    return lines


def py_deep_expression(draw, lines):
    """A number replaced by a deeply nested expression: recursion in any AST walker."""
    i = _line(draw, lines)
    numbers = list(re.finditer(r"(?<![\w.])\d+(?![\w.])", lines[i]))
    if numbers:
        m = draw(st.sampled_from(numbers))
        depth = draw(st.sampled_from([50, 150, 199, 1000, 5000]))
        shape = draw(st.sampled_from(["paren", "unary", "sum", "power", "list"]))
        value = m.group()
        deep = {"paren": "(" * min(depth, 199) + value + ")" * min(depth, 199),
                "unary": "-" * (2 * depth) + value,
                "sum": value + "+0" * depth,
                "power": value + "**1" * min(depth, 300),
                "list": "[" * min(depth, 199) + value + "]" * min(depth, 199) + "[0]" * min(depth, 199)}[shape]
        lines[i] = lines[i][:m.start()] + deep + lines[i][m.end():]
    return lines


def py_comment_input(draw, lines):
    """Another `# convcalc: input` above a random line."""
    i = draw(st.integers(0, len(lines)))
    dims = draw(st.sampled_from(["3x32x32", "1x28x28", "3xHxW", "0x0", "3x" + "9" * 40 + "x2", "junk", ""]))
    return lines[:i] + [f"# convcalc: input {dims}"] + lines[i:]


# Python's core as model files write it (issue 21): sizes compared, min/max-ed and int()-ed, loops,
# builtins, the standard library; inserted with the indentation of the line before
PY_CONSTRUCTS = ["h = int(x.size(-1))", "pad = max(0, 16 - x.size(2))", "k = min(x.shape[2], x.shape[3])",
                 "if x.size(3) < 13:\n    pass", "n = 64\nwhile n > 1:\n    n //= 2", "assert x.dim() == 4",
                 "names = [str(i) for i in range(3)]; names.reverse()", "s = set([1, 2, 2]) | {3}",
                 "import functools; p = functools.partial(max, 0); q = type(p) == functools.partial",
                 "import collections; P = collections.namedtuple('P', 'a b'); f = P._fields",
                 "import numpy as np; w = int(np.prod([2, 3])) + len(np.linspace(0, 1, 4))",
                 "import re; parts = re.split(r'(\\d.*)', 'k3')", "d = {'a': 1}; v = list(d.keys())[0]",
                 "t = round(x.size(2) / 2)", "c = abs(x.size(1) - 3) if x.size(1) != 3 else 0",
                 "del x", "x = x if isinstance(x, (list, tuple)) else x", "raise ValueError('no')",
                 "try:\n    y = {}[1]\nexcept KeyError as e:\n    y = str(e)"]


def py_core_construct(draw, lines):
    """A line of Python's core inserted after a random line, at its indentation."""
    i = _line(draw, lines)
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())] if lines[i].strip() else ""
    if lines[i].rstrip().endswith(":"):
        indent += "    "
    text = draw(st.sampled_from(PY_CONSTRUCTS))
    return lines[:i + 1] + [indent + part for part in text.split("\n")] + lines[i + 1:]


PY_MUTATIONS = [delete_line, duplicate_line, swap_lines, reindent, py_number, py_rename_class, py_deep_expression,
                py_comment_input, delete_token, unbalance, py_core_construct]


@FUZZ
@given(text=mutated(MODELS, PY_MUTATIONS))
def test_mutated_python_models(tmp_path, text):
    """The ast frontend on broken and odd model files: skipped with a note, never a traceback."""
    check_python(tmp_path, text)


# ---------------------------------------------------------------- (d) notebooks


MAGICS = ["%matplotlib inline", "!pip install torch", "model?", "%%time", "%%bash", "files = !ls", "%time x = 1"]


@st.composite
def notebook_of(draw, texts):
    """A mutated model cut into cells at drawn lines, with magics and markdown between, sometimes
    with its JSON broken too."""
    from notebooks import notebook

    lines = draw(mutated(texts, PY_MUTATIONS)).splitlines()
    cuts = sorted(draw(st.lists(st.integers(0, len(lines)), max_size=4)))
    cells, start = [], 0
    for cut in cuts + [len(lines)]:
        chunk = lines[start:cut]
        if draw(st.booleans()):
            chunk.insert(draw(st.integers(0, len(chunk))), draw(st.sampled_from(MAGICS)))
        cells.append(("code", "\n".join(chunk)))
        if draw(st.integers(0, 3)) == 0:
            cells.append(("markdown", "# notes"))
        start = cut
    text = notebook(cells, split=draw(st.booleans()))
    if draw(st.integers(0, 4)) == 0:  # the JSON itself: a character dropped or added
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(["", "{", "]", '"', ",", "null"])) + text[at + 1:]
    return text


@FUZZ
@given(text=notebook_of(MODELS))
def test_mutated_notebooks(tmp_path, text):
    """Notebooks: the models of the Python corpus in cells, broken; the same property, positions in cells."""
    path = write(tmp_path, "fuzzed.ipynb", text)
    for command in ("lint", "shapes", "params"):
        run([command], path)
    check_drawn(tmp_path, path)


# ---------------------------------------------------------------- (e) the output writers, hostile names

# pieces of a file name or a line that a terminal, a CI log or a parser acts on (tests/support/hostile_output.py)
NAME_PIECES = st.sampled_from(["::", "##[", "##vso[", "\n", "\r", "\x1b]0;t\x07", "\x1b[2J", "\x9b", "\u2028",
                               "\u202e", "\ufffe", " ", ":", "%0A", "%", "#", "?", "\t", "error", "add-mask", "=",
                               ",", "é", "\x7f", "\x85"])
RAW_BYTES = st.binary(min_size=1, max_size=3).map(os.fsdecode)  # names that are not UTF-8: surrogate escapes
NAMES = st.lists(NAME_PIECES | RAW_BYTES | st.text(st.characters(codec="utf-8"), max_size=4), min_size=1,
                 max_size=8).map("".join).map(lambda s: s.replace("/", "_").replace("\x00", "_")).filter(
    lambda s: 0 < len(os.fsencode(s)) < 180)


def check_writers(tmp_path: Path, name: str, text: str, suffix: str) -> None:
    """lint in every format, a table, JSON and a picture of a file named ``name``: each output as
    hostile_output.check_text (no control character, surrogate or CI-log command), JSON and SVG parse."""
    import json

    from hostile_output import check_svg, check_text

    import tempfile

    directory = Path(tempfile.mkdtemp(dir=tmp_path))  # a fresh directory per example (tmp_path is the test's)
    path = os.path.join(str(directory), name + suffix)
    with open(os.fsencode(path), "wb") as fh:
        fh.write(text.encode("utf-8", "surrogatepass"))
    runs = [(["lint", "--format", fmt, "-v"], directory, fmt) for fmt in ("text", "github", "json", "sarif", "gitlab")]
    runs += [(["shapes"], path, "text"), (["shapes", "--format", "json"], path, "json")]
    picture = os.path.join(str(directory), name + ".svg")
    runs.append((["draw", "-o", picture], path, "text"))
    for args, target, fmt in runs:
        result, _ = invoke([*args, str(target)], SECONDS)
        where = f"convcalc {' '.join(args[:3])} {name!r}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            tb = "".join(traceback.format_exception(*result.exc_info))
            raise AssertionError(f"{where}: uncaught exception\n{tb}")
        assert result.exit_code in (0, 1, 2), f"{where}: exit {result.exit_code}"
        check_text(result.stdout, f"{where} stdout", github=fmt == "github")
        check_text(result.stderr, f"{where} stderr")
        if fmt in ("json", "sarif", "gitlab") and result.stdout.strip():
            json.loads(result.stdout)
    if os.path.exists(os.fsencode(picture)):
        with open(os.fsencode(picture), "rb") as fh:
            check_svg(fh.read(), f"draw {name!r}")


@FUZZ
@given(name=NAMES, line=NAMES, example=st.sampled_from(sorted(EXAMPLES)))
def test_output_writers_with_hostile_names(tmp_path, name, line, example):
    """Every writer (lint's five formats, a table, JSON, SVG) with a hostile file name and a hostile
    comment inside a layer's call (it reaches the tables and the picture's labels)."""
    text = EXAMPLES[example].replace("(", "(  # " + line.replace("\n", " ").replace("\r", " ") + "\n", 1)
    check_writers(tmp_path, name, text, ".net")


@FUZZ
@given(name=NAMES, line=NAMES)
def test_output_writers_with_hostile_names_python(tmp_path, name, line):
    """The same for a Python model file: its notices name the file, its notes quote the source."""
    text = (MODELS[sorted(MODELS)[0]] if MODELS else "") + "\n# " + line.replace("\n", " ").replace("\r", " ") + \
        "\nx = (\n"
    check_writers(tmp_path, name, text, ".py")


# ---------------------------------------------------------------- corpus

CORPUS_FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []


@pytest.mark.parametrize("source", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file(tmp_path, source):
    """Inputs that once broke something (or came close) keep the property."""
    data = source.read_bytes()
    if source.suffix == ".py":
        check_python(tmp_path, data.decode("utf-8"))
        return
    path = write(tmp_path, source.name, data)
    for command in ("shapes", "params", "lint", "verify"):
        run([command] + (["--max-macs", "200000"] if command == "verify" else []), path)
    if symbolic(data.decode("utf-8", "replace")):
        run(["inputs"], path)


def test_the_property_can_fail(tmp_path, monkeypatch):
    """The check is not vacuous: an exception inside the analysis is caught by it."""
    import convcalc.engine.shapes

    def boom(*args, **kwargs):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(convcalc.engine.shapes, "analyse", boom)
    path = write(tmp_path, "ok.net", EXAMPLES["course_cnn.net"])
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        run(["shapes"], path)
