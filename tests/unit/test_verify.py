"""`convcalc verify`: exact output, JSON, exit codes, symbolic inputs, the work budget, the
progress bar, and the proof that the executor does not lean on the engine's arithmetic
(patching the engine's formula must make verify fail)."""
from report_json import one_model
from paths import ROOT, LINT_MODELS
import io
import os
import re

import pytest
from click.testing import CliRunner

from convcalc.report.progress import Progress
from convcalc.cli import cli
from convcalc.executor.run import LAYERS, execute
from convcalc.layers.catalogue import REGISTRY
from convcalc.layers.registry import LayerSpec
from convcalc.frontends.syntax import parse

EXAMPLES = ROOT / "examples"
COURSE = str(EXAMPLES / "course_cnn.net")
SLOW = os.environ.get("CONVCALC_SLOW") == "1"


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


COURSE_VERIFY = """\
  line  layer                                        computed    executed          params    executed params
------  -------------------------------------------  ----------  ----------  --  --------  -----------------
        input                                        3x32x32     3x32x32
     5  Conv2d(3, 32, kernel_size=3, padding=1)      32x32x32    32x32x32    ✓        896                896
     6  ReLU()                                       32x32x32    32x32x32    ✓          0                  0
     7  MaxPool2d(2)                                 32x16x16    32x16x16    ✓          0                  0
     8  nn.Conv2d(32, 64, kernel_size=3, padding=1)  64x16x16    64x16x16    ✓     18,496             18,496
     9  nn.ReLU()                                    64x16x16    64x16x16    ✓          0                  0
    10  nn.MaxPool2d(2)                              64x8x8      64x8x8      ✓          0                  0
    11  Flatten()                                    4096        4096        ✓          0                  0
    12  Linear(64 * 8 * 8, 10)                       10          10          ✓     40,970             40,970

input 3x32x32 from the file's input line
batch 1, seed 0: ran in TIME s, work about 5,798,922 (the measure --max-macs bounds)
verified: all 8 layers agree with the reference executor (output 10, 60,362 parameters)
"""


def without_time(text: str) -> str:
    return re.sub(r"in \d+\.\d\d s", "in TIME s", text)


def test_course_cnn_exact():
    result = invoke("verify", COURSE)
    assert result.exit_code == 0, result.output
    assert without_time(result.stdout) == COURSE_VERIFY
    assert result.stderr == ""


def test_json_has_the_verdict_and_the_executed_shapes():
    result = invoke("verify", COURSE, "--format", "json", "--batch", "2", "--seed", "7")
    assert result.exit_code == 0, result.output
    data = one_model(result.stdout)
    assert data["verified"] is True and data["seed"] == 7 and data["batch"] == 2
    assert data["input"] == [3, 32, 32] and data["output"] == data["executed_output"] == [10]
    assert data["total_params"] == data["executed_total_params"] == 60362
    first = data["layers"][0]
    assert first["line"] == 5 and first["output"] == first["executed"] == [32, 32, 32]
    assert first["params"] == first["executed_params"] == 896 and first["agree"] is True
    assert all(entry["executed"] == entry["output"] for entry in data["layers"])
    assert data["failure"] is None


def test_every_layer_of_the_catalogue_has_an_executor():
    assert sorted(REGISTRY) == sorted(LAYERS)


# ---------------------------------------------------------------- independence


def test_a_wrong_engine_formula_makes_verify_fail(monkeypatch):
    """The executor finds sizes by sliding windows: an engine formula off by one is caught."""
    from convcalc.layers import conv, pool, window

    original = window.sliding

    def one_more(*args, **kwargs):
        return original(*args, **kwargs) + 1

    for module in (window, conv, pool):
        monkeypatch.setattr(module, "sliding", one_more)
    from convcalc.engine import shapes

    monkeypatch.setattr(shapes, "_RULES", {})  # the rules' results an earlier test cached were the right ones
    result = invoke("verify", "-e", "input 3x16x16; Conv2d(3, 4, 3); ReLU(); MaxPool2d(2); Conv2d(4, 4, 1)")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "✗" in lines[3] and "4x15x15" in lines[3] and "4x14x14" in lines[3]
    assert "NOT verified: 4 of 4 layers disagree" in result.stdout
    assert "line 1:16 Conv2d(3, 4, 3): computed 4x15x15, executed 4x14x14" in result.stdout  # -e: line:column


def test_a_wrong_parameter_rule_makes_verify_fail(monkeypatch):
    """Parameters are counted from the tensors the executor made, not from the engine."""
    spec = REGISTRY["BatchNorm2d"]

    def plus_one(args, shape):
        result = spec.rule(args, shape)
        result.params += 1
        return result

    monkeypatch.setitem(REGISTRY, "BatchNorm2d", LayerSpec(spec.name, spec.params, plus_one, spec.family,
                                                           spec.var_args, spec.traits))
    result = invoke("verify", "-e", "input 3x8x8; Conv2d(3, 4, 3); BatchNorm2d(4)", "--format", "json")
    assert result.exit_code == 1
    data = one_model(result.stdout)
    assert data["verified"] is False
    bn = data["layers"][1]
    assert (bn["params"], bn["executed_params"], bn["buffers"], bn["executed_buffers"]) == (9, 8, 9, 9)


def test_the_executor_stops_where_the_engine_stopped(monkeypatch):
    """The work estimate ends where the engine stopped: the executor runs the failing layer, to
    show whether it fails too, and nothing past it (whose work nobody estimated)."""
    from convcalc.layers.common import LayerError

    spec = REGISTRY["ReLU"]

    def refuse(args, shape):
        raise LayerError("CC106", "refused by the test")

    monkeypatch.setitem(REGISTRY, "ReLU", LayerSpec(spec.name, spec.params, refuse, spec.family, spec.var_args,
                                                    spec.traits))
    result = invoke("verify", "-e", "input 3x8x8; Conv2d(3, 4, 3); ReLU(); Conv2d(4, 4, 3); Conv2d(4, 4, 3)",
                    "--format", "json")
    assert result.exit_code == 1
    data = one_model(result.stdout)
    assert [layer["executed"] for layer in data["layers"]] == [[4, 6, 6], [4, 6, 6]]
    assert data["failure"] == {"line": 1, "message": "not run further: the engine stops here, and the work past it "
                                                     "was not estimated"}


def test_the_executor_is_independent_of_the_engine_modules():
    """No executor module imports the engine's arithmetic (convcalc.layers, convcalc.symbolic.dims)."""
    for path in (ROOT / "convcalc" / "executor").glob("*.py"):
        imports = re.findall(r"^\s*(?:from|import) (\S+)", path.read_text(), re.M)
        engine = [name for name in imports if name.startswith(("convcalc", ".."))]
        assert engine in ([], ["convcalc.engine.walk"]), (path, engine)  # run.py: the Walker, for execute()


# ---------------------------------------------------------------- failures


def test_an_invalid_network_fails_in_both(tmp_path):
    net = tmp_path / "small.net"
    net.write_text("input 1x4x4\nConv2d(1, 2, 3)\nConv2d(2, 2, 3)\n")
    result = invoke("verify", str(net))
    assert result.exit_code == 1
    assert "CC103" in result.stderr
    assert "the engine stops at line 3: CC103" in result.stdout
    assert ("the executor stops at line 3: Conv2d: padded input (2, 2) is smaller than the effective kernel"
            in result.stdout)
    assert "line 3 Conv2d(2, 2, 3): " not in result.stdout  # nothing to compare past the error: both stop


def test_an_executor_failure_is_reported(monkeypatch):
    def broken(layer, a, x, w):
        raise ValueError("simulated")

    monkeypatch.setitem(LAYERS, "ReLU", broken)
    result = invoke("verify", "-e", "input 2x4x4; Conv2d(2, 2, 1); ReLU(); Flatten()")
    assert result.exit_code == 1
    assert "line 1:31 ReLU(): computed 2x4x4; not executed (the executor stopped)" in result.stdout
    assert "the executor stops at line 1: ReLU: simulated" in result.stdout


def test_unknown_format_is_a_usage_error_before_running():
    result = invoke("verify", COURSE, "--format", "nope")
    assert result.exit_code == 2 and "unknown format 'nope'" in result.stderr


# ---------------------------------------------------------------- inputs


def test_symbolic_input_runs_at_the_smallest_valid_size():
    result = invoke("verify", str(EXAMPLES / "symbolic_cnn.net"))
    assert result.exit_code == 0, result.output
    assert ("input 3x32x32: 3xHxW (the file's input line) is symbolic; H = W = 32 is the smallest size every "
            "layer accepts (--input chooses another)") in result.stdout


def test_symbolic_input_option_and_a_given_size():
    result = invoke("verify", COURSE, "--input", "3xSxS")
    assert result.exit_code == 0 and "S = 32 is the smallest size" in result.stdout
    result = invoke("verify", str(EXAMPLES / "symbolic_cnn.net"), "--input", "3x35x34")
    assert result.exit_code == 0 and "input 3x35x34 from --input 3x35x34" in result.stdout


def test_a_symbolic_input_beyond_the_linear_search_is_found_by_bisection():
    result = invoke("verify", str(EXAMPLES / "conv1d_audio.net"), "--input", "1xL")
    assert result.exit_code == 0, result.output
    assert "L = 6848 is a size every layer accepts, and 6847 is not" in result.stdout


def test_a_symbolic_input_no_size_fits():
    result = invoke("verify", "-e", "input 3xH; Flatten(); Linear(7, 2)")
    assert result.exit_code == 2
    assert "no size H = 1..256" in result.stderr and "give one with --input" in result.stderr


def test_a_python_model_with_a_view():
    result = invoke("verify", str(LINT_MODELS / "cifar10_blitz.py"))
    assert result.exit_code == 0, result.output
    assert re.search(r"x\.view\(-1, 16 \* 5 \* 5\)\s+400\s+400\s+✓", result.stdout)
    assert "from the input comment" in result.stdout


# ---------------------------------------------------------------- the budget


def test_an_oversized_run_stops_before_it_starts():
    result = invoke("verify", str(EXAMPLES / "vgg16.net"), "--input", "3x224x224")
    assert result.exit_code == 2
    assert "CC401" in result.stderr
    message = result.stderr
    work = int(re.search(r"about ([\d,]+) multiply-adds", message).group(1).replace(",", ""))
    assert work > 15_000_000_000
    assert "over the budget of 100,000,000 (--max-macs)" in message
    assert f"--max-macs {work} to run it anyway" in message
    # five 2x2 pools: 32 is the smallest size VGG-16 accepts
    assert "--input 3x32x32 --max-macs 437662184, the smallest size" in message
    assert result.stdout == ""


def test_the_suggested_smaller_input_passes():
    budget = "20000000"
    over = invoke("verify", str(EXAMPLES / "resnet18.net"), "--max-macs", budget, "--input", "3x224x224")
    assert over.exit_code == 2
    smaller = re.search(r"--input (\S+), a smaller size every layer accepts \(about ([\d,]+)", over.stderr)
    assert smaller, over.stderr
    assert int(smaller.group(2).replace(",", "")) <= int(budget)
    result = invoke("verify", str(EXAMPLES / "resnet18.net"), "--max-macs", budget, "--input", smaller.group(1))
    assert result.exit_code == 0, result.output
    assert "verified: all" in result.stdout


def test_max_macs_zero_lifts_the_limit():
    assert invoke("verify", COURSE, "--max-macs", "1").exit_code == 2
    assert invoke("verify", COURSE, "--max-macs", "0").exit_code == 0


# every example: verified within the default budget; one whose own input is over it is verified at
# a smaller input every layer accepts, which verify picks itself and names (small enough for a test)
SMALL = {"inception_block", "densenet_block", "unet_small", "unet", "mobilenetv2", "resnet18", "resnet50",
         "alexnet", "vgg16", "conv3d_video"}
SLOW_EXAMPLES = {"alexnet", "vgg16", "conv3d_video"}  # seconds to minutes at any valid size


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.net")))
def test_every_example_verifies_at_its_size_or_a_smaller_one(name):
    if name in SLOW_EXAMPLES and not SLOW:
        pytest.skip("CONVCALC_SLOW=1 runs the examples that take seconds at any valid size")
    result = invoke("verify", str(EXAMPLES / f"{name}.net"))
    assert result.exit_code == 0, result.output
    assert "verified: all" in result.stdout
    smaller = re.search(r"input (\S+) instead of the file's (\S+), which would take about ([\d,]+) "
                        r"multiply-adds, over the budget of 100,000,000", result.stdout)
    assert bool(smaller) == (name in SMALL), result.stdout
    if smaller:
        assert int(smaller.group(3).replace(",", "")) > 100_000_000
        assert smaller.group(1) != smaller.group(2)


def test_the_automatic_smaller_input_is_the_one_the_refusal_suggests():
    """Without --input, verify runs at the size a refusal would have suggested, and says so."""
    refused = invoke("verify", str(EXAMPLES / "resnet18.net"), "--input", "3x224x224")
    assert refused.exit_code == 2 and "CC401" in refused.stderr
    suggested = re.search(r"--input (\S+), a smaller size every layer accepts", refused.stderr).group(1)
    chosen = invoke("verify", str(EXAMPLES / "resnet18.net"))
    assert f"\ninput {suggested} instead of the file's 3x224x224, which would take" in chosen.stdout
    assert re.search(r"\n\s+input\s+" + re.escape(suggested) + r"\s+" + re.escape(suggested), chosen.stdout)


def test_a_size_given_by_the_user_is_never_replaced():
    result = invoke("verify", COURSE, "--max-macs", "1", "--input", "1x28x28")
    assert result.exit_code == 2 and "CC401" in result.stderr and "instead of" not in result.output


# ---------------------------------------------------------------- the executor's weights


def shapes_of(src, **kwargs):
    backend, _ = execute(parse(src, "t.net"), keep=True, **kwargs)
    return [({k: v.shape for k, v in s.weights.params.items()}, {k: v.shape for k, v in s.weights.buffers.items()})
            for s in backend.steps]


def test_weights_have_pytorchs_shapes():
    src = ("input 16x6x6\nConv2d(16, 8, (3, 2), groups=4)\nConvTranspose2d(8, 6, 3, groups=2, bias=False)\n"
           "BatchNorm2d(6)\nGroupNorm(3, 6)\nInstanceNorm2d(6)\nLayerNorm((6, 7), bias=False)\nPReLU(6)\n"
           "Flatten()\nLinear(252, 5)\n")
    assert shapes_of(src) == [
        ({"weight": (8, 4, 3, 2), "bias": (8,)}, {}),
        ({"weight": (8, 3, 3, 3)}, {}),
        ({"weight": (6,), "bias": (6,)}, {"running_mean": (6,), "running_var": (6,), "num_batches_tracked": ()}),
        ({"weight": (6,), "bias": (6,)}, {}),
        ({}, {}),
        ({"weight": (6, 7)}, {}),
        ({"weight": (6,)}, {}),
        ({}, {}),
        ({"weight": (5, 252), "bias": (5,)}, {}),
    ]


def test_runs_are_seeded():
    program = parse("input 2x5x5\nConv2d(2, 3, 3)\nReLU()\n", "t.net")
    first = execute(program, seed=3)[1].data
    assert execute(program, seed=3)[1].data == first
    assert execute(program, seed=4)[1].data != first


def test_large_tensors_repeat_a_seeded_pool():
    from convcalc.executor.run import POOL, uniform_values
    import random

    values = uniform_values(random.Random(1), 2 * POOL + 5, -1.0, 1.0)
    assert len(values) == 2 * POOL + 5 and values[:POOL] == values[POOL:2 * POOL]
    assert len(set(values[:POOL])) == POOL and all(-1.0 <= v < 1.0 for v in values)


# ---------------------------------------------------------------- progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_bar_waits_a_second_then_draws_and_clears():
    stream, clock = io.StringIO(), Clock()
    bar = Progress(200, stream, clock=clock, width=10, force=True)
    bar.update(50, "line 3 Conv2d")
    assert stream.getvalue() == ""
    clock.now = 1.5
    bar.update(100, "line 4 ReLU")
    assert stream.getvalue() == "\rverify [#####-----]  50% line 4 ReLU\x1b[K"
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_bar_stays_off_when_not_a_terminal():
    stream, clock = io.StringIO(), Clock()
    bar = Progress(10, stream, clock=clock)
    clock.now = 5
    bar.update(5)
    bar.close()
    assert stream.getvalue() == ""


def test_an_embedding_first_is_given_indices_to_look_up():
    from click.testing import CliRunner

    from convcalc.cli import cli

    result = CliRunner().invoke(cli, ["verify", "-e", "input 5; Embedding(10, 4); Flatten(); Linear(20, 2)"])
    assert result.exit_code == 0 and "verified: all 3 layers agree" in result.output


def test_verify_states_no_mult_add_figure_of_its_own():
    """`verify` said "about 5,798,922 multiply-adds" where `shapes` says 5,693,450: the executor's
    work is not the model's mult-adds, and only `shapes`' figure is called that."""
    for net in (COURSE, str(EXAMPLES / "resnet18.net")):
        said = invoke("verify", net, "--input", "3x32x32").output
        macs = set(re.findall(r"([\d,]+) (?:multiply|mult)-adds", said))
        shapes = invoke("shapes", net, "--input", "3x32x32").output
        assert macs <= set(re.findall(r"mult-adds: ([\d,]+)", shapes)), (net, said)
