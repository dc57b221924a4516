"""An Analysis that keeps rows only (the integer walks of a size search) says so when a total is
asked of it, instead of giving 0."""
import pytest

from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse as parse_program
from convcalc.inputs.relaxed import trace

NET = "input 3xHxW\nConv2d(3, 8, 3, padding=1)\nMaxPool2d(2)\nFlatten()\nLinear(8*16*16, 10)\n"


def test_an_integer_walk_of_the_search_keeps_the_rows_and_refuses_totals():
    program = parse_program(NET, "net.net")
    walked = trace(program, program.input, {"H": 32, "W": 32}, True)
    whole = analyse(parse_program(NET.replace("3xHxW", "3x32x32"), "net.net"))
    assert [row.shape for row in walked.analysis.rows] == [row.shape for row in whole.rows]
    with pytest.raises(TypeError):
        walked.analysis.total_params


def test_a_symbolic_walk_of_the_search_keeps_its_totals():
    program = parse_program(NET, "net.net")
    walked = trace(program, program.input, {}, False)
    assert walked.analysis.total_params == analyse(program).total_params


def test_a_new_analysis_counts():
    assert Analysis("x.net", "").counting
