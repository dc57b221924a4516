"""The second hostile round (issue 15): each cause, with inputs of our own (several per class,
some generated). Every run must end with exit 0, 1 or 2, a positioned or plainly worded
message and no traceback; the clock is only a generous watchdog, the bounds are asserted on
the messages the budgets give."""
from paths import EXAMPLES
import os
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_watchdog import invoke

WATCHDOG = 60.0  # seconds: a hang fails the test; the assertions are on what convcalc says
POSITIONED = re.compile(r"^(\S+?):(\d+):(\d+): (CC\d{3}) (.*)$", re.M)
SCRIPT = os.path.join(os.path.dirname(sys.executable), "convcalc")  # the console script: main() catches the rest


def run(args, input=None):
    result, _ = invoke(args, WATCHDOG, input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, result.output


def first(output):
    match = POSITIONED.search(output)
    assert match, f"no positioned message in:\n{output[:1500]}"
    return int(match.group(2)), int(match.group(3)), match.group(4), match.group(5)


# ---------------------------------------------------------------- 1. integers Python cannot print


def doubling_concats(count):
    return "input 3x8x8\n" + "save s\nconcat s\n" * count


@pytest.mark.parametrize("text, line, fragment", [
    (doubling_concats(15_000), 511, "concat: an output size of 257 bits, over 2**256"),
    ("input 3x2x2\n" + "ConvTranspose2d(3, 3, kernel_size=2**100, stride=2**100)\n" * 150, 4,
     "ConvTranspose2d: an output size of"),
    ("input 3xHxW\nlet a = H\n" + "let a = a * 2**128\n" * 1000 + "Linear(a, 3)\n", 10,
     "a coefficient over 2**1024"),
    ("input 3x8x8\nUpsample(scale_factor=1e300)\n", 2, "Upsample: an output size of 1,000 bits"),
])
@pytest.mark.parametrize("command", ["shapes", "params", "rf", "verify", "lint"])
def test_sizes_are_bounded_where_they_are_made(text, line, fragment, command):
    status, output = run([command, "-"], input=text)
    if command == "verify" and status == 2:  # the rows before the bound already cost more than the budgets
        assert first(output)[2] == "CC401" and ("multiply-adds" in output or "would hold a tensor of" in output)
        return
    assert status == 1, output
    assert first(output)[0] == line and first(output)[2] == "CC002" and fragment in output


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["save s\nconcat s", "Upsample(scale_factor=1e30)",
                                 "ConvTranspose2d(3, 3, kernel_size=2**60, stride=2**60)",
                                 "Conv2d(3, 3, 1)"]), min_size=1, max_size=40))
def test_generated_growing_networks_end_with_a_message(lines):
    text = "input 3x2x2\n" + "\n".join(lines) + "\n"
    for args in (["shapes", "-"], ["verify", "-", "--max-macs", "100000"]):
        status, output = run(args, input=text)
        assert status in (0, 1, 2), output
        if status:
            first(output)


# ---------------------------------------------------------------- 2. floats that overflow


def test_huge_work_and_byte_sizes_are_written_in_integers(tmp_path):
    big = 2 ** 255
    path = tmp_path / "c.net"
    path.write_text(f"input {big}x{big}x{big}x{big}\nConv3d({big}, {big}, ({big}, {big}, {big}))\n")
    status, output = run(["params", str(path)])
    assert status == 0 and "size (float32): params 2.60e+375 GB" in output
    status, output = run(["shapes", str(path), "--columns", "memory,macs"])
    assert status == 0 and "activations 2.31e+68 GB" in output
    status, output = run(["verify", str(path)])
    assert status == 2 and first(output)[2] == "CC401" and "would hold a tensor of" in output
    from convcalc.verify import duration

    assert duration(10 ** 400) == "about 1.38e+389 h" and duration(7_200 * 20_000_000) == "about 2 h"


# ---------------------------------------------------------------- 4, 5. the console script's own failures


def test_a_full_output_device_and_a_closed_stdin():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    example = str(EXAMPLES / "lenet5.net")
    with open("/dev/full", "w") as full:
        done = subprocess.run([SCRIPT, "shapes", example], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=WATCHDOG)
    assert done.returncode == 2 and done.stderr == "convcalc: error: cannot write the output: No space left on " \
                                                   "device\n"
    closed = subprocess.run([SCRIPT, "shapes", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=WATCHDOG, close_fds=True)
    assert closed.returncode in (0, 1, 2) and "Traceback" not in closed.stderr
    shut = subprocess.run(f"'{SCRIPT}' shapes - <&-", shell=True, capture_output=True, text=True, timeout=WATCHDOG)
    assert shut.returncode == 2 and shut.stderr == "convcalc: error: cannot read standard input: it is closed\n"


def test_memory_and_internal_errors_are_messages(monkeypatch, capsys):
    import convcalc.cli as cli_module

    for error, expected in ((MemoryError(), "convcalc: error: out of memory"),
                            (KeyError("x"), "convcalc: internal error: KeyError: 'x'")):
        def boom(*args, **kwargs):
            raise error
        monkeypatch.setattr(cli_module, "cli", boom)
        monkeypatch.setattr(sys, "argv", ["convcalc", "shapes", "x.net"])
        monkeypatch.delenv("CONVCALC_DEBUG", raising=False)
        with pytest.raises(SystemExit) as exit_info:
            cli_module.main()
        assert exit_info.value.code == 2 and capsys.readouterr().err.startswith(expected)


# ---------------------------------------------------------------- 7. quadratic checks


@pytest.mark.parametrize("count", [5_000, 20_000])  # 6 tokens a parameter: within syntax.MAX_TOKENS
def test_many_parameters_and_keywords_bind_in_linear_time(count):
    names = ", ".join(f"p{i}" for i in range(count))
    values = ", ".join(f"p{i}={i}" for i in range(count))
    status, output = run(["shapes", "-"], input=f"input 3x8x8\ndef F({names}):\n    ReLU()\nF({values})\n")
    assert status == 0, output
    dup = run(["shapes", "-"], input=f"input 3x8x8\ndef F({names}, p7):\n    ReLU()\n")
    assert dup[0] == 1 and "parameter 'p7' repeated" in dup[1]


@pytest.mark.parametrize("line", ["ReLU()  " + "#" * 40_000, "ReLU()  #" + " convcalc:" * 5_000,
                                  "ReLU()  " + "# convcalc: ignore[" * 3_000])
def test_a_long_comment_line_is_linear(tmp_path, line):
    path = tmp_path / "c.net"
    path.write_text("input 3x8x8\n" + line + "\n")
    status, output = run(["lint", str(path)])
    assert status == 0, output


def test_ignore_comments_still_work():
    from convcalc.lint.selection import ignore_comment

    assert ignore_comment("x  # convcalc: ignore[CC201]") == (True, "CC201")
    assert ignore_comment("x  # see: convcalc: ignore") == (True, None)
    assert ignore_comment("x  # CONVCALC: IGNORE[cc2]") == (True, "cc2")
    assert ignore_comment("convcalc: ignore  # no") == (False, None)
    assert ignore_comment("x  # convcalc: input 3x8x8") == (False, None)


# ---------------------------------------------------------------- 8. the input's rank


@pytest.mark.parametrize("rank", [33, 1_000, 100_000])
def test_the_input_rank_is_bounded(tmp_path, rank):
    dims = "x".join(["2"] * rank)
    status, output = run(["shapes", "-"], input=f"input {dims}\nReLU()\n")
    assert status == 1 and first(output)[2] == "CC001" and "more than 32 dimensions" in output
    model = tmp_path / "m.py"
    model.write_text(f"import torch.nn as nn\n# convcalc: input {dims}\nclass Net(nn.Module):\n"
                     "    def __init__(self):\n        super().__init__()\n        self.r = nn.ReLU()\n\n"
                     "    def forward(self, x):\n        return self.r(x)\n")
    status, output = run(["lint", str(model)])
    assert status == 1 and first(output)[:1] == (2,) and "more than 32 dimensions" in output
    status, output = run(["shapes", "-e", "input 3x8x8; ReLU()", "--input", dims])
    assert status == 2 and "more than 32 dimensions" in output


# ---------------------------------------------------------------- 14, 19. paths that are not regular files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("command", ["shapes", "verify", "params", "inputs", "lint"])
def test_a_named_pipe_is_refused_without_blocking(tmp_path, command):
    fifo = tmp_path / "pipe.net"
    os.mkfifo(fifo)
    status, output = run([command, str(fifo)])
    assert status == 2 and "it is a named pipe (FIFO), not a regular file" in output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_directory_holding_a_named_pipe(tmp_path):
    os.mkfifo(tmp_path / "pipe.net")
    (tmp_path / "ok.net").write_text("input 3x8x8\nReLU()\n")
    status, output = run(["lint", str(tmp_path)])
    assert status == 2 and "pipe.net: it is a named pipe" in output and "1 file not read" in output


def test_a_loop_of_links_and_a_device(tmp_path):
    (tmp_path / "a.net").symlink_to(tmp_path / "b.net")
    (tmp_path / "b.net").symlink_to(tmp_path / "a.net")
    for command in ("lint", "shapes"):
        status, output = run([command, str(tmp_path / "a.net")])
        assert status == 2 and "Too many levels of symbolic links" in output, output
    if os.path.exists("/dev/zero"):
        status, output = run(["shapes", "/dev/zero"])
        assert status == 2 and "it is a character device, not a regular file" in output


# ---------------------------------------------------------------- 16. module-level code that runs too long

MODEL = textwrap.dedent("""\
    # convcalc: input 10
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(12, 3)

        def forward(self, x):
            return self.fc(x)
""")


@pytest.mark.parametrize("heavy", [
    "for i in range(100000):\n    pass\n",
    "x = 0\nwhile x < 10**9:\n    x += 1\n",
    "def f(n):\n    return f(n + 1)\nf(0)\n",
    "table = [i * i for i in range(300000)]\n",
    "grid = [[0] * 100000 for i in range(100000)]\n",  # 7.8 GB before the bound on what code builds
])
def test_module_code_over_its_budget_never_hides_the_models_after_it(tmp_path, heavy):
    path = tmp_path / "m.py"
    path.write_text("import torch.nn as nn\n\n" + heavy + "\n\n" + MODEL)
    status, output = run(["lint", str(path)])
    assert "All checks passed" not in output
    assert status == 1 and "CC102 Linear expects 12 input features but receives 10" in output, output
    if "range(100000)" in heavy:  # the step budget spent (a while loop stops at its own bound of rounds)
        assert "CC301 module-level code not followed from here" in output
        assert "Module-level code of 1 file not followed to its end" in output


def test_a_file_python_cannot_parse_is_a_finding(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("import torch.nn as nn\nx = " + "[" * 19_000 + "]" * 19_000 + "\n\n" + MODEL)
    status, output = run(["lint", str(path)])
    assert status == 1 and first(output)[2] == "CC001" and "Python cannot parse this file" in output
    assert "All checks passed" not in output
    status, output = run(["shapes", str(path)])
    assert status == 1 and "Python cannot parse this file" in output


def test_shapes_names_where_module_code_stopped(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import torch.nn as nn\nfor i in range(100000):\n    pass\n")
    status, output = run(["shapes", str(path)])
    assert status == 1 and first(output)[:3] == (2, 1, "CC001")
    assert "no model found; module-level code not followed from here" in output


# ---------------------------------------------------------------- 17. the hook treats its file names as paths


def test_hook_arguments_put_the_file_names_after_a_double_dash(tmp_path, monkeypatch):
    from convcalc.cli import hook_arguments

    monkeypatch.chdir(tmp_path)
    (tmp_path / "--exclude=*.net").write_text("input 3x8x8\nConv2d(4, 8, 3)\n")
    (tmp_path / "ok.net").write_text("input 3x8x8\nReLU()\n")
    assert hook_arguments(["lint", "--hook", "--select", "CC1", "--exclude=*.net", "ok.net"]) == \
        ["lint", "--hook", "--select", "CC1", "--", "--exclude=*.net", "ok.net"]
    assert hook_arguments(["lint", "ok.net"]) == ["lint", "ok.net"]  # not the hook: as given
    done = subprocess.run([SCRIPT, "lint", "--hook", "--exclude=*.net", "ok.net"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=WATCHDOG)
    assert done.returncode == 1 and "--exclude=*.net:2:1: CC101" in done.stdout, done.stdout + done.stderr


# ---------------------------------------------------------------- 18. inputs with no size accepted


@pytest.mark.parametrize("text, where, code", [
    ("input 3xHxW; Flatten(); Linear(5, 10)", (1, 25), "CC102"),
    ("input 2xHxW; Flatten(); Linear(7, 10)", (1, 25), "CC102"),
    ("input 3xH; Flatten(); Linear(4, 2)", (1, 23), "CC102"),
])
def test_inputs_that_accept_no_size_say_where(text, where, code):
    status, output = run(["inputs", "-e", text])
    assert status == 1 and first(output)[:3] == (*where, code) and "no input size is accepted" in output


def test_inputs_refuses_an_unknown_format_before_it_searches():
    status, output = run(["inputs", "-e", "input 3xHxW; ReLU()", "--format", "nope"])
    assert status == 2 and "--format text (the default) or json, not 'nope'" in output


# ---------------------------------------------------------------- 11. verify runs nothing the engine refused


def test_verify_does_not_run_a_layer_the_engine_refuses():
    status, output = run(["verify", "-e", "input 3x8x8; ReLU(); Upsample(scale_factor=1e300)"])
    assert status == 1 and "not run: the engine refuses this layer's sizes" in output


# ---------------------------------------------------------------- 20. terminal escapes from the input

TITLE = "\x1b]0;pwned\x07"  # sets a terminal's title
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: writes the clipboard
CSI = "\x9b31m"  # C1's CSI, one character


def no_controls(output: str) -> bool:
    return not any(ord(c) < 32 and c not in "\n" or 0x7f <= ord(c) < 0xa0 for c in output)


@pytest.mark.parametrize("escape", [TITLE, CLIPBOARD, CSI])
@pytest.mark.parametrize("command", [["shapes"], ["params"], ["rf"], ["verify"], ["inputs"], ["lint"],
                                     ["lint", "--format", "github"], ["shapes", "--depth", "0"]])
def test_input_text_is_cleaned_wherever_it_is_printed(tmp_path, escape, command):
    path = tmp_path / "n.net"
    path.write_text(f"input 3x8x8\nConv2d(3, 8, 3,  # {escape}\n       stride=2)  # {escape}\nLinear(5, 2)\n")
    status, output = run([*command[:1], str(path), *command[1:]])
    assert status in ((0, 1) if command[0] == "inputs" else (1, 2)), output
    assert no_controls(output), repr(output[:400])
    assert "\ufffd" in output or command[0] in ("inputs",) or "github" in command


@pytest.mark.parametrize("escape", [TITLE, CLIPBOARD])
def test_a_python_model_with_escapes_in_its_names(tmp_path, escape):
    path = tmp_path / "m.py"
    path.write_text("import torch.nn as nn\n\n# convcalc: input 10\nclass Net(nn.Module):\n"
                    "    def __init__(self):\n        super().__init__()\n"
                    f"        self.parts = nn.ModuleDict({{'{escape}': nn.Linear(12, 3)}})\n\n"
                    f"    def forward(self, x):  # {escape}\n        return self.parts['{escape}'](x)\n")
    for command in (["lint"], ["lint", "--format", "github"], ["shapes"], ["shapes", "--format", "json"]):
        status, output = run([command[0], str(path), *command[1:]])
        assert status in (0, 1), output
        assert no_controls(output), (command, repr(output[:600]))


@pytest.mark.parametrize("text, fragment", [
    ("input 1x1x1; AdaptiveAvgPool2d((8000, 8000))", "would hold a tensor of 64,000,000 elements"),
    ("input 1x4x4; ZeroPad2d(3000)", "would hold a tensor of 36,048,016 elements"),
    ("input 1x1500x1500; MaxPool2d(1000, stride=1)", "would take about 251,003,250,000 multiply-adds"),
    ("input 2000x40x40; LocalResponseNorm(2000)", "would take about 6,403,200,000 multiply-adds"),
])
def test_verify_estimates_each_ops_own_work_and_memory(text, fragment):
    """Given with --input (the file's own size would be replaced by a smaller one that fits)."""
    given = text.split(";")[0].split()[1]
    status, output = run(["verify", "--input", given, "-e", text])
    assert status == 2 and first(output)[2] == "CC401" and fragment in output, output
    if "multiply-adds" in fragment:  # the time budget --max-macs lifts; the memory bound nothing does
        assert "--max-macs" in output
    else:
        assert "--max-macs" not in output


def test_the_window_a_pool_reads_is_counted():
    from convcalc.engine.shapes import analyse
    from convcalc.frontends.syntax import parse
    from convcalc.verify import row_work

    rows = analyse(parse("input 1x100x100\nMaxPool2d(10, stride=1)\nReLU()\nAdaptiveAvgPool2d(5)\n", "t.net")).rows
    assert [row_work(r, 1) for r in rows] == [91 * 91 * 100, 91 * 91, 5 * 5 * (19 + 1) ** 2]  # ceil(91/5) + 1
