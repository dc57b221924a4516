"""The examples of docs/language.md: each fenced block parses; a block with an input line
runs through `convcalc shapes` without an error."""
from paths import ROOT
import os
import re

import pytest

from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse

ROOT = str(ROOT)
TEXT = open(os.path.join(ROOT, "docs", "language.md")).read()
BLOCKS = [b for b in re.findall(r"```\n(.*?)```", TEXT, re.S)]


def test_the_reference_has_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.splitlines()[0][:40])
def test_every_example_parses_and_a_whole_network_runs(block):
    program = parse(block, "docs/language.md")
    if program.input is not None:
        analysis = analyse(program)
        assert analysis.ok, analysis.error.message
