"""convcalc's own reader of [tool.convcalc] (lint/minitoml.py, for Python 3.10 without tomli),
against tomllib on generated pyproject files: the convcalc table it reads must be tomllib's,
whatever the other tables hold (multi-line strings and arrays with brackets and headers in
them, inline tables, comments), and what it does not take must raise, never be guessed."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.lint.minitoml import Unsupported, read

try:
    import tomllib  # the oracle: Python 3.11's own reader
except ImportError:  # Python 3.10: its backport, where installed
    tomllib = pytest.importorskip("tomli")

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(['"', "'", "\\", "[", "]", "#",
                                                                                    "=", "\t"]), max_size=12)
CODES = st.lists(st.sampled_from(["CC101", "CC2", "CC211", "CC9"]), max_size=4)
GLOBS = st.sampled_from(["tests/*.py", "a b.py", "x.py", "dir/", "*.net", 'q"uote.py', "it's.py"])


def basic(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a TOML basic string (its escapes are TOML's)


def literal_or_basic(s: str, literal: bool) -> str:
    return f"'{s}'" if literal and "'" not in s and "\n" not in s and "\r" not in s else basic(s)


def array(items, layout: int) -> str:
    inner = [basic(i) for i in items]
    if layout == 0:
        return "[" + ", ".join(inner) + "]"
    if layout == 1:
        return "[" + ", ".join(inner) + (",]" if inner else "]")
    return "[\n" + "".join(f"    {i},  # [not a header]\n" for i in inner) + "]"


BEFORE = st.sampled_from([
    '[project]\nname = "x"\ndescription = """\n[tool.convcalc]\nselect = ["CC9"]\n"""\n',
    "[project]\ndependencies = [\n  \"click>=8\",  # [tool.convcalc]\n  'a[b]',\n]\n",
    "title = 'top level'\n",
    "",
])
AFTER = st.sampled_from([
    "[tool.black]\nline-length = 120\ntarget = {py = [3, 11], x = \"]\"}\nwhen = 1979-05-27T07:32:00Z\n",
    "[tool.ruff.lint]\nselect = ['E', \"F\"]\npi = 3.14\n[[tool.other.items]]\nname = '''x\n[y]'''\n",
    "# [tool.convcalc] in a comment\n[tool]\nblack.line-length = 100\n",
    "",
])


@st.composite
def convcalc_table(draw):
    lines = ["[tool.convcalc]"]
    for name in draw(st.lists(st.sampled_from(["select", "ignore", "exclude"]), unique=True, max_size=3)):
        lines.append(f"{name} = {array(draw(CODES), draw(st.integers(0, 2)))}  # {draw(TEXT).replace(chr(10), '')}")
    if draw(st.booleans()):
        lines.append(f"input = {literal_or_basic(draw(TEXT), draw(st.booleans()))}")
    if draw(st.booleans()):
        lines.append(f"strict = {draw(st.sampled_from(['true', 'false']))}")
    files = draw(st.dictionaries(GLOBS, CODES, max_size=3))
    if files and draw(st.booleans()):
        pairs = ", ".join(f"{basic(k)} = {array(v, 0)}" for k, v in files.items())
        lines.append(f"per-file-ignores = {{{pairs}}}")
        files = {}
    text = "\n".join(lines) + "\n"
    if files:
        text += "\n[tool.convcalc.per-file-ignores]\n" + "".join(
            f"{literal_or_basic(k, draw(st.booleans()))} = {array(v, draw(st.integers(0, 2)))}\n"
            for k, v in files.items())
    return text


@settings(max_examples=200, deadline=None)
@given(BEFORE, convcalc_table(), AFTER)
def test_the_table_read_is_tomllibs(before, ours, after):
    text = before + "\n" + ours + "\n" + after
    expected = tomllib.loads(text)["tool"]["convcalc"]
    assert read(text) == expected


@pytest.mark.parametrize("text", ["[project]\nname = 'x'\n", "", "[tool.black]\nx = 1\n"])
def test_a_file_without_the_table_gives_none(text):
    assert read(text) is None and "convcalc" not in tomllib.loads(text).get("tool", {})


@pytest.mark.parametrize("text, fragment", [
    ("[tool.convcalc]\nselect.x = ['CC1']\n", "line 2: a dotted key in a convcalc table"),
    ("[tool.convcalc]\ninput = '''3x32x32'''\n", "a multi-line string"),
    ("[tool.convcalc]\nwhen = 1979-05-27\n", "a value convcalc does not take"),
    ("[tool.convcalc]\nx = 1.5\n", "a value convcalc does not take"),
    ("[[tool.convcalc.rules]]\nx = 1\n", "the table [tool.convcalc.rules]"),
    ("[tool]\nconvcalc = {select = ['CC1']}\n", "tool.convcalc given as a dotted key or an inline table"),
    ("tool.convcalc.select = ['CC1']\n", "tool.convcalc given as a dotted key"),
    ("[tool.convcalc]\nselect = []\n[tool.convcalc]\n", "[tool.convcalc] twice"),
    ("[tool.convcalc]\nselect = []\nselect = []\n", "the key 'select' twice"),
    ("[tool.convcalc]\nselect = ['CC1'\n", "an array that does not end"),
    ("[tool.convcalc]\ninput = '3x3' x\n", "unexpected 'x' after a value"),
    ("[tool.convcalc]\nselect = " + "[" * 40 + "]" * 40 + "\n", "arrays nested over 32 deep"),
])
def test_what_it_does_not_take_raises_with_the_line(text, fragment):
    with pytest.raises(Unsupported) as caught:
        read(text)
    assert fragment in str(caught.value)


def test_escapes_are_tomls():
    text = '[tool.convcalc]\ninput = "3\\u00d7H \\U0001F600 \\t\\"q\\" \\\\"\nexclude = [\'C:\\\\raw\']\n'
    assert read(text) == tomllib.loads(text)["tool"]["convcalc"] == {"input": '3×H 😀 \t"q" \\',
                                                                     "exclude": ["C:\\\\raw"]}
    with pytest.raises(Unsupported, match="not a Unicode scalar value"):
        read('[tool.convcalc]\ninput = "\\ud800"\n')
