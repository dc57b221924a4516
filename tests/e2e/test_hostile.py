"""Hostile input (issue 7): each case ends quickly, with the right exit code and a positioned
message, never a traceback; nothing in an input is run, imported or evaluated by Python.

The bounds named here are listed in docs/development.md ("Bounds")."""
import re
import sys
import time

import pytest
from cli_watchdog import invoke

# watchdogs, not measurements: a run still going past them is a hang; what bounds the work is
# asserted on the budgets' own messages (the layer-steps, rounds and sizes they name)
QUICK = 30.0  # seconds; most cases take milliseconds
SEARCH = 90.0  # a search stops at limits.SEARCH_STEPS, about 10 s of work here
POSITIONED = re.compile(r"^(\S+):(\d+):(\d+): (CC\d{3}) (.*)$", re.MULTILINE)


def run(args, input=None, bound=QUICK):
    """(exit code, stdout + stderr, seconds); an exception other than SystemExit fails the test,
    and so does a run still going at the bound (a watchdog stops it)."""
    result, seconds = invoke(args, bound, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    assert seconds < bound, f"{args[:2]} took {seconds:.1f} s"
    return result.exit_code, result.output, seconds


def first_message(output: str):
    match = POSITIONED.search(output)
    assert match, f"no positioned message in:\n{output[:2000]}"
    path, line, col, code, message = match.groups()
    return int(line), int(col), code, message


def check(text, code, fragment, where=None, exit_code=1, command="shapes"):
    status, output, _ = run([command, "-e", text])
    assert status == exit_code, output
    line, col, found, message = first_message(output)
    assert found == code and fragment in message, output
    if where is not None:
        assert (line, col) == where, output
    return output


# ---------------------------------------------------------------- Python, refused


@pytest.mark.parametrize("argument, fragment", [
    ("__import__('os')", "__import__(...): only layers are called"),
    ("os.system", "os.system: attribute access is not part of the description language"),
    ("lambda x: x", "lambda is not part of the description language"),
    ("f'{x}'", "f'...' strings are not part of the description language"),
    ("eval('3')", "eval(...): only layers are called"),
    ("open('/etc/passwd')", "open(...): only layers are called"),
    ("[i for i in range(3)]", "expected ',' or ']'"),
    ("{'a': 1}", "unexpected character '{'"),
])
def test_python_in_an_argument_is_a_syntax_error(argument, fragment):
    output = check(f"input 3x8x8; Conv2d(3, 4, {argument})", "CC001", fragment)
    assert first_message(output)[:2] in ((1, 27), (1, 28), (1, 30))  # at the argument, or where it goes wrong


@pytest.mark.parametrize("statement, code, fragment", [
    ("import os", "CC001", "Python's import is not part of the description language"),
    ("from os import system", "CC001", "Python's from is not part of the description language"),
    ("exec('print(1)')", "CC002", "unknown layer 'exec'"),
    ("print(3)", "CC002", "unknown layer 'print'"),
    ("x = Conv2d(3, 4, 3)", "CC001", "a name is given a value with 'let x = ...'"),
    ("os.system('true')", "CC001", "a layer is written Name(...), nn.Name(...) or torch.nn.Name(...)"),
    ("Conv2d(3, 4, 3).cuda()", "CC001", "expected end of statement"),
])
def test_python_statements_are_refused(statement, code, fragment):
    check(f"input 3x8x8\n{statement}", code, fragment, where=(2, 1) if code == "CC002" or "=" in statement
          or statement.startswith(("import", "from")) else None)


# ---------------------------------------------------------------- loops and arithmetic an input controls


def test_huge_repeat():
    check("input 3x8x8\nrepeat 10**12:\n    ReLU()", "CC002",
          "repeat 1,000,000,000,000 is over the limit of 100,000 rounds", where=(2, 8))


def test_tower_of_powers():
    check("input 3x8x8\nlet a = 2**2**2**2**2\nReLU()", "CC002", "2 ** 65536 is too large (over 2**256)",
          where=(2, 9))


def test_a_product_of_huge_numbers():
    check("input 3x8x8\nlet a = 10**70 * 10**70\nReLU()", "CC002", "too large (over 2**256)")


@pytest.mark.parametrize("text, fragment", [
    ("def f(n):\n    f(n)\nf(1)", "recursion: f -> f"),
    ("def f(n):\n    g(n)\ndef g(n):\n    f(n)\nf(1)", "recursion: f -> g -> f"),
])
def test_recursive_defs(text, fragment):
    check("input 3x8x8\n" + text, "CC002", fragment)


def test_def_calls_nested_too_deep():
    defs = "".join(f"def f{i}():\n    f{i + 1}()\n" for i in range(60)) + "def f60():\n    ReLU()\n"
    check("input 3x8x8\n" + defs + "f0()", "CC002", "def calls nested more than 50 deep")


def test_nested_repeats_that_unroll_too_far():
    check("input 3x8x8\nrepeat 1000:\n    repeat 1000:\n        ReLU()", "CC002",
          "unrolls into more than 10,000 layers and statements")


def test_10000_levels_of_brackets():
    check("input 3x8x8\nlet x = " + "(" * 10_000 + "1" + ")" * 10_000, "CC001", "brackets nested more than 64 deep",
          where=(2, 73))


def test_long_expressions():
    check("input 3x8x8\nlet x = " + " + ".join(["1"] * 50_000), "CC001", "more than 500 operators")
    check("input 3x8x8\nlet x = " + " + ".join(["1"] * 100_000), "CC001", "more than 150,000 tokens")


def test_1001_levels_of_indentation():
    text = "input 3x8x8\n" + "".join(" " * i + "repeat 1:\n" for i in range(1001)) + " " * 1001 + "ReLU()\n"
    check(text, "CC001", "blocks nested more than 1,000 deep", where=(1003, 1002))  # ReLU(), the 1,001st level


def test_10000_levels_of_indentation(tmp_path):
    """10,000 levels take 50 MB of spaces: the file is refused at the size bound before any parsing."""
    path = tmp_path / "deep.net"
    with open(path, "w") as fh:
        fh.write("input 3x8x8\n")
        for i in range(10_000):
            fh.write(" " * i + "repeat 1:\n")
    status, output, _ = run(["shapes", str(path)])
    assert status == 2
    line, col, code, message = first_message(output)
    assert code == "CC001" and "larger than 5,000,000 bytes" in message


# ---------------------------------------------------------------- files that are not descriptions


def test_a_100_mb_file(tmp_path):
    path = tmp_path / "huge.net"
    with open(path, "wb") as fh:
        fh.write(b"input 3x8x8\n")
        block = b"ReLU()\n" * 150_000
        while fh.tell() < 100_000_000:
            fh.write(block)
    for command in ("shapes", "lint"):
        status, output, _ = run([command, str(path)])
        assert status == 2
        line, col, code, message = first_message(output)
        assert "huge.net" in output and code == "CC001" and "larger than 5,000,000 bytes" in message
        assert line == 714_286 and col == 1  # byte 5,000,000: 12 + 7 * 714,284 + 4 -> line 714,286


def test_a_100_mb_stream_on_standard_input():
    status, output, _ = run(["shapes", "-"], input=b"input 3x8x8\n" + b"ReLU()\n" * 15_000_000)
    assert status == 2 and "<stdin>:" in output and "larger than 5,000,000 bytes" in output


@pytest.mark.parametrize("data, where", [
    (b"input 3x8x8\nRe\xffLU()\n", (2, 3)),
    (b"\xff\xfe input", (1, 1)),
    ("input 3x8x8 # caf\u00e9\n".encode("utf-8") + b"\x80\n", (2, 1)),
    (b"input 3x8x8\n# \xc3\xa9t\xc3\n", (2, 5)),  # a cut multi-byte sequence: columns count characters
])
def test_a_file_that_is_not_utf8(tmp_path, data, where):
    path = tmp_path / "latin.net"
    path.write_bytes(data)
    for command in ("shapes", "lint"):
        status, output, _ = run([command, str(path)])
        assert status == 2
        assert first_message(output)[:3] == (*where, "CC001") and "not UTF-8 text" in output
    status, output, _ = run(["shapes", "-"], input=data)
    assert status == 2 and first_message(output)[:2] == where


def test_a_very_long_line_is_shown_around_the_column():
    text = "input 3x8x8\n" + "ReLU(); " * 2000 + "Foo(1)" + "; ReLU()" * 2000
    output = check(text, "CC002", "unknown layer 'Foo'", where=(2, 16_001))
    shown = output.splitlines()[1:3]
    assert all(len(line) < 120 for line in shown), shown
    assert shown[0][shown[1].index("^"):].startswith("Foo(1)")


# ---------------------------------------------------------------- symbolic sizes that explode


def test_repeated_squaring_of_a_symbol():
    text = "input 3xHxW\nlet a = (H + 1) * (W + 2)\n" + "".join(
        f"let {b} = {a} * {a}\n" for a, b in zip("abcdef", "bcdefg")) + "Linear(g, 3)"
    check(text, "CC002", "symbolic size expression too large", where=(5, 9))


def test_a_power_of_a_symbol():
    check("input 3xHxW\nlet a = (H + W + 1) ** 200\nLinear(a, 3)", "CC002",
          "** of a symbolic size, (H + W + 1) ** 200, is not supported")


def test_floors_inside_floors():
    text = "input 3xHxW\nrepeat 200:\n    Conv2d(3, 3, 3, stride=2, padding=1)\n    Upsample(scale_factor=1.5)\n"
    for command in ("shapes", "params", "rf"):
        check(text, "CC002", "symbolic size expression too large", where=(3, 5), command=command)


def test_an_input_with_too_many_symbols():
    check("input 1xAxBxCxDxExFxGxHxIxJxKxLxMxNxOxP\nReLU()", "CC002", "the input: symbolic size expression "
          "too large: degree 9", where=(1, 1))


def test_a_long_symbolic_total_is_shown_not_refused():
    """70 different floors: the total of mult-adds has 70 terms; a sum costs linear time."""
    status, output, _ = run(["shapes", "-e", "input 3xHxW\nrepeat 70:\n    Conv2d(3, 3, 3, stride=2, padding=1)"])
    assert status == 0 and "mult-adds: " in output


# ---------------------------------------------------------------- work of the executor


def test_verify_refuses_work_over_its_budget():
    status, output, _ = run(["verify", "--input", "3x2048x2048", "-e", "input 3x2048x2048; Conv2d(3, 512, 11); Conv2d(512, 512, 11)"])
    assert status == 2 and ("over the budget" in output or "would hold a tensor of" in output)
    assert first_message(output)[:3] == (1, 1, "CC401")  # at the input line: its size decides the work


# ---------------------------------------------------------------- the Python frontend runs nothing

EVIL = '''import os
import subprocess
open({marker!r}, "w").write("imported")
os.system("touch " + {marker!r})
__import__("shutil").copy(__file__, {marker!r})
exec("open({marker!r}, 'w')")
import torch.nn as nn


class Evil(nn.Module):
    open({marker!r}, "w").write("class body")

    def __init__(self):
        super().__init__()
        open({marker!r}, "w").write("init")
        self.fc = nn.Linear(3, 4)

    def forward(self, x):
        eval("open({marker!r}, 'w')")
        return self.fc(x)


if __name__ == "__main__":
    open({marker!r}, "w").write("main")
'''


def test_the_python_frontend_never_imports_or_runs_the_file(tmp_path):
    marker = tmp_path / "MARKER"
    path = tmp_path / "evil_module_convcalc.py"
    path.write_text(EVIL.format(marker=str(marker)))
    for args in (["lint", str(path)], ["shapes", str(path), "--input", "3"], ["params", str(path), "--input", "3"],
                 ["verify", str(path), "--input", "3"], ["inputs", str(path), "--input", "H"]):
        status, output, _ = run(args)
        assert status in (0, 1), output
    assert not marker.exists()
    assert "evil_module_convcalc" not in sys.modules


# ---------------------------------------------------------------- searches: many walks of one network

DEEP_SYMBOLIC = "input 3xHxW\nrepeat 100000:\n    ReLU()\n"


@pytest.mark.parametrize("command", ["inputs", "verify"])
def test_a_search_over_sizes_is_bounded_in_all(command):
    """Each walk stops at 10,000 steps; a search would walk once per size tried: bounded together."""
    status, output, _ = run([command, "-e", DEEP_SYMBOLIC], bound=SEARCH)
    assert status == 2, output
    assert first_message(output)[:3] == (1, 1, "CC401")
    assert "needs more than 250,000 layer-steps in all" in output and "give one size with --input" in output


def test_the_exact_analysis_charges_its_own_work():
    """Lifting each size to a common period is work too (here 1,000 layers x period 4,096)."""
    from convcalc.inputs.analysis import analyse_inputs
    from convcalc.limits import OverBudget, SearchBudget
    from convcalc.frontends.syntax import parse

    text = "input 3xHxW\nrepeat 1000:\n    ReLU()\nrepeat 12:\n    Conv2d(3, 3, 3, stride=2, padding=1)\n"
    start = time.perf_counter()
    with pytest.raises(OverBudget, match="more than 100,000 layer-steps"):
        with SearchBudget("deciding", steps=100_000):
            analyse_inputs(parse(text, "t.net"))
    assert time.perf_counter() - start < QUICK


def test_lint_notes_a_search_over_its_budget(tmp_path, monkeypatch):
    """lint runs the exact analysis for a symbolic input; over the budget it checks the rest and notes it."""
    monkeypatch.setattr("convcalc.limits.SEARCH_STEPS", 20_000)  # the file below needs about 4 million
    path = tmp_path / "deep.net"
    path.write_text("input 3xHxW\nrepeat 1000:\n    ReLU()\nrepeat 12:\n    Conv2d(3, 3, 3, stride=2, padding=1)\n")
    status, output, _ = run(["lint", "--verbose", str(path)])
    assert status == 0, output
    assert "deep.net:1:1: CC900 not checked for every input size: deciding which input sizes " \
           "are valid needs more than 20,000 layer-steps in all" in output


def test_a_number_of_4301_digits():
    """Python refuses to convert more than 4,300 digits (a ValueError); convcalc stops at 78."""
    check("input 3x8x8\nConv2d(3, 8, " + "9" * 4301 + ")", "CC001", "a number of 4,301 digits", where=(2, 14))
    check("input 3x" + "9" * 4301 + "x8\nReLU()", "CC001", "a number of 4,301 digits", where=(1, 9))


@pytest.mark.parametrize("source, where, fragment", [
    ("import torch\nx = (\n", (2, 1), "not read: Python cannot parse this file ('(' was never closed)"),
    ("import torch\nx = 1\n", (1, 1), "no model found"),
])
def test_shapes_of_a_python_file_without_a_model_says_why(tmp_path, source, where, fragment):
    """Never an empty table and exit 0: lint only notes such a file, shapes has nothing to show."""
    path = tmp_path / "nomodel.py"
    path.write_text(source)
    for command in ("shapes", "params", "verify", "inputs"):
        status, output, _ = run([command, str(path)])
        assert status == 1, output
        assert first_message(output)[:3] == (*where, "CC001") and fragment in output


def test_verify_of_a_symbolic_network_no_size_fits():
    status, output, _ = run(["verify", "-e", "input 3xHxW; Conv2d(3, 8, 3); Flatten(); Linear(5, 3)"])
    assert status == 2 and first_message(output)[:3] == (1, 1, "CC002")
    assert "is symbolic and no size H = W = 1..256" in output


@pytest.mark.parametrize("text, where, code, fragment", [
    ("repeat 2:\n    input 3xHxW\nConv2d(3, 8, 3)", (1, 1), "CC001", "no input line"),  # found by fuzzing
    ("input 784; Linear(784, 10)", (1, 1), "CC002", "the input 784 has no symbolic size"),
])
def test_inputs_without_a_size_to_solve_for(text, where, code, fragment):
    status, output, _ = run(["inputs", "-e", text])
    assert status == (1 if code == "CC001" else 2), output
    assert first_message(output)[:3] == (*where, code) and fragment in output


def test_verify_counts_the_input_it_draws():
    """Found by fuzzing: a 10**30-channel input failed at its first layer, so the engine's rows
    counted no work, and the executor then tried to draw the input (memory, minutes)."""
    status, output, _ = run(["verify", "--max-macs", "200000", "-e",
                             "input 999999999999999999999999999999x224x224; Conv2d(3, 64, 11)"])
    assert status == 2 and first_message(output)[:3] == (1, 1, "CC401")
    assert "over the budget" in output or "would hold a tensor of" in output  # time or memory: both bound


def test_control_characters_are_not_echoed_to_the_terminal():
    """A shown source line never carries an escape sequence or NUL to the terminal: each control
    character is shown as U+FFFD, one for one, so that the caret stays under its column."""
    status, output, _ = run(["shapes", "-e", "input 3x8x8\nRe\x1b[31mLU(\x00)"])
    assert status == 1 and "\x1b" not in output and "\x00" not in output
    shown, caret = output.splitlines()[1:3]
    assert shown == "    Re\ufffd[31mLU(\ufffd)" and caret == "      ^"


def test_a_huge_kernel_on_a_symbolic_input(tmp_path):
    """Found by fuzzing: lint's exact analysis looked for the first size a 10**40 kernel accepts,
    one size at a time."""
    path = tmp_path / "kernel.net"
    path.write_text("input 3xHxW\nConv2d(3, 32, kernel_size=10**40, padding=1)\nReLU()\nFlatten()\nLinear(64, 10)\n")
    for command in ("lint", "inputs"):
        status, output, seconds = run([command, str(path)], bound=SEARCH)
        assert status in (0, 1) and seconds < QUICK, output


@pytest.mark.parametrize("text, expected", [
    # an adaptive cell of 10**8 units, and a window of 10**39: read in 2 * period steps, not one by one
    ("input 3x1000000000x1000000000; AdaptiveAvgPool2d(7)", "receptive field of the output: <=142857144x142857144"),
    ("input 3x10000000000000000000000000000000000000000000x9; Conv2d(3, 3, (1000000000000000000000000000000000000000, 3))",
     "receptive field of the output: 1000000000000000000000000000000000000000x3 (jump 1x1, "
     "start 499999999999999999999999999999999999999.5x1)"),
    # 10**11 taps of a transposed convolution: not followed, the field is unknown
    ("input 3x100x100; ConvTranspose2d(3, 3, 100000000000)", "receptive field of the output: ?x?"),
])
def test_receptive_fields_of_huge_windows(text, expected):
    status, output, _ = run(["rf", "-e", text])
    assert status == 0 and expected in output, output


@pytest.mark.parametrize("args, status", [
    # these searched strides or output paddings one by one, up to 10**9 (found by reading the loops)
    (["1000000000", "--solve", "1"], 0),
    (["1", "--solve", "1000000000", "--transposed"], 0),
    (["1000", "--solve", "1000000000", "--transposed"], 0),
    # 5 x 10**8 strides all give 2: a search that large is refused, and says how to narrow it
    (["1000000000", "--solve", "2"], 2),
    (["2", "--solve", "1000000000", "--transposed"], 2),
])
def test_size_solve_with_huge_sizes(args, status):
    code, output, _ = run(["size", *args])
    assert code == status, output
    if status == 2:
        assert "the search tries more than 5,000,000 settings; fix -k, -s or -p" in output


def test_the_smallest_stride_for_one_output_is_the_one_a_scan_finds():
    from hypothesis import given, settings, strategies as st

    from convcalc.solve import first_stride, sliding_output

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(I=st.integers(1, 200), K=st.integers(1, 12), p=st.integers(0, 6), ceil=st.booleans())
    def check(I, K, p, ceil):
        if I + 2 * p < K:
            return
        scan = next(s for s in range(1, I + 2 * p + 2) if sliding_output(I, K, s, p, ceil) <= 1)
        assert first_stride(I, K, p, ceil) == scan

    check()
