"""Symbolic input sizes: `convcalc inputs`, the symbolic lint diagnostics, the CC203 condition.

The integer engine (``analyse`` at concrete sizes) is the oracle throughout: symbolic
shapes evaluated at a size must equal the integer shapes, and every set ``inputs``
reports must equal, over a range, the sizes at which the integer engine finds no error.
"""
from __future__ import annotations
from report_json import one_model
from paths import ROOT

import functools
import json

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convcalc import nodes as n
from convcalc.symbolic import dims
from convcalc.cli import cli
from convcalc.codes import CODES
from convcalc.engine.shapes import analyse
from convcalc.inputs.analysis import analyse_inputs
from convcalc.inputs.diagnostics import symbolic_diagnostics
from convcalc.symbolic.conditions import match_condition
from convcalc.symbolic.intsets import IntSet
from convcalc.load import parse_input_option
from convcalc.frontends.syntax import parse

EXAMPLES = ROOT / "examples"


def program_of(text: str):
    return parse(text, "<test>")


@functools.lru_cache(maxsize=None)
def example(name: str):
    path = EXAMPLES / f"{name}.net"
    return parse(path.read_text(), str(path))


@functools.lru_cache(maxsize=None)
def report_of(name: str):
    return analyse_inputs(example(name))


def concrete_input(program, value: int) -> n.Input:
    """The program's input with every symbolic (or, for a concrete file, spatial) size set to value."""
    given = program.input
    dims_ = list(given.dims)
    symbolic = any(isinstance(d, n.Name) for d in dims_)
    for i, d in enumerate(dims_):
        if isinstance(d, n.Name) or (not symbolic and i > 0):
            dims_[i] = n.Num(value=value, span=d.span)
    return n.Input(dims=tuple(dims_), span=given.span)


def brute_force(program, values):
    """(accepted, exact) by the integer engine, every symbol = s: a size whose output keeps rows of each
    sample folded into the batch is not accepted (Analysis.folded_rows)."""
    accepted, exact = set(), set()
    for s in values:
        analysis = analyse(program, concrete_input(program, s))
        if analysis.ok and analysis.folded_rows is None:
            accepted.add(s)
            if not any(w.code == "CC201" for w in analysis.warnings):
                exact.add(s)
    return accepted, exact


def members(intset: IntSet, values) -> set:
    return {s for s in values if s in intset}


# -- 1. symbolic shapes of random chains = the integer engine, layer by layer ----------------------

def pool(kind):
    @st.composite
    def build(draw):
        k = draw(st.integers(1, 5))
        s = draw(st.integers(1, 4))
        p = draw(st.integers(0, k // 2))
        ceil = kind == "MaxPool2d" and p + s <= k and draw(st.booleans())
        return f"{kind}({k}, stride={s}, padding={p}, ceil_mode={ceil})"
    return build()


LAYER_2D = st.one_of(
    st.builds("LazyConv2d(1, {}, stride={}, padding={}, dilation={})".format,
              st.integers(1, 5), st.integers(1, 3), st.integers(0, 3), st.integers(1, 2)),
    pool("MaxPool2d"), pool("AvgPool2d"),
    st.integers(1, 3).flatmap(lambda s: st.builds(
        "LazyConvTranspose2d(1, {}, stride={}, padding={}, output_padding={})".format,
        st.integers(1, 4), st.just(s), st.integers(0, 1), st.integers(0, s - 1))),
    st.builds("Upsample(scale_factor={})".format, st.sampled_from(["2", "3", "1.5"])),
    st.builds("ZeroPad2d(({}, {}, {}, {}))".format, *[st.integers(-1, 2)] * 4),
    st.just("PixelUnshuffle(2); LazyConv2d(1, 1)"),
    st.just("LazyConv2d(1, 4, padding='same')"),
    st.just("LazyConv2d(1, 3, padding=1, padding_mode='reflect')"),
    st.just("AdaptiveAvgPool2d((3, None))"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LAYER_2D, min_size=1, max_size=6), st.lists(st.tuples(st.integers(1, 70), st.integers(1, 70)),
                                                             min_size=3, max_size=3))
def test_symbolic_chain_equals_the_integer_engine(layers, points):
    program = program_of("input 1xHxW; " + "; ".join(layers))
    symbolic = analyse(program)
    assume(symbolic.ok)  # a constant size the next kernel does not fit (after AdaptiveAvgPool2d)
    for h, w in points:
        concrete = analyse(program, parse_input_option(f"1x{h}x{w}"))
        assert len(concrete.rows) <= len(symbolic.rows)
        for mine, theirs in zip(symbolic.rows, concrete.rows):
            assert tuple(dims.evaluate(d, {"H": h, "W": w}) for d in mine.shape) == theirs.shape, mine.layer


# -- 2. `inputs` = brute force on random networks with skips and a Linear ----------------------------

LAYER_1D = st.one_of(
    st.builds("LazyConv1d(1, {}, stride={}, padding={}, dilation={})".format,
              st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)),
    st.builds("MaxPool1d({}, stride={})".format, st.integers(1, 3), st.integers(1, 3)),
    st.just("MaxPool1d(3, stride=2, padding=1, ceil_mode=True)"),
    st.just("AvgPool1d(2)"),
    st.builds("LazyConvTranspose1d(1, {}, stride=2, padding={})".format, st.integers(1, 4), st.integers(0, 1)),
    st.just("Upsample(scale_factor=2)"),
    st.builds("ZeroPad1d(({}, {}))".format, st.integers(-1, 2), st.integers(-1, 2)),
    st.builds("ReflectionPad1d(({}, {}))".format, st.integers(0, 3), st.integers(0, 3)),
    st.just("LazyConv1d(1, 3, padding=2, padding_mode='circular')"),
)
NETWORK_1D = st.tuples(st.lists(LAYER_1D, max_size=3), st.lists(LAYER_1D, max_size=3),
                       st.sampled_from(["", "concat a", "add a"]), st.lists(LAYER_1D, max_size=2),
                       st.one_of(st.none(), st.integers(1, 12)))


def network_text(parts) -> str:
    before, middle, join, after, features = parts
    lines = ["input 1xL", *before, "save a", *middle]
    if join:
        lines += [join, "LazyConv1d(1, 1)"]
    lines += after
    if features:
        lines += ["Flatten()", f"Linear({features}, 2)"]
    return "; ".join(lines)


@settings(max_examples=120, deadline=None)
@given(NETWORK_1D)
def test_inputs_equals_brute_force_on_random_networks(parts):
    program = program_of(network_text(parts))
    assume(analyse(program).ok)
    report = analyse_inputs(program)
    assert report.proven, report.reason
    (result,) = report.symbols
    top = max(120, result.checked + 3 * result.period)
    values = range(1, top + 1)
    accepted, exact = brute_force(program, values)
    assert members(report.accepted, values) == accepted
    assert members(report.accepted_exact, values) == exact


@settings(max_examples=120, deadline=None)
@given(NETWORK_1D)
def test_the_notice_reading_of_the_rules_equals_brute_force(parts):
    # lint's CC303 notice reads the accepted sizes off the symbolic walk (no integer walks): the
    # same set as the integer engine finds, on the networks `inputs` is tested on
    from convcalc.inputs.notice import quick_sizes

    program = program_of(network_text(parts))
    assume(analyse(program).ok)
    report = analyse_inputs(program)
    assume(report.proven)
    quick = quick_sizes(program, program.input, ["L"])
    top = max(120, report.symbols[0].checked + 3 * report.symbols[0].period)
    values = range(1, top + 1)
    accepted, _ = brute_force(program, values)
    assert quick is None or members(quick, values) == accepted  # None: the notice runs the full decision


@settings(max_examples=80, deadline=None)
@given(st.lists(LAYER_2D, min_size=1, max_size=5), st.one_of(st.none(), st.integers(1, 40)))
def test_the_notice_reading_of_square_inputs_equals_brute_force(layers, features):
    from convcalc.inputs.notice import quick_sizes

    tail = f"; Flatten(); Linear({features}, 2)" if features else ""
    program = program_of("input 1xHxW; " + "; ".join(layers) + tail)
    assume(analyse(program).ok)
    quick = quick_sizes(program, program.input, ["H", "W"])
    assume(quick is not None)  # none by the rules, or a check they do not capture: the full decision runs
    values = range(1, 150)
    accepted, _ = brute_force(program, values)
    assert members(quick, values) == accepted


def test_inputs_symbols_are_decided_separately():
    # H and W need different things: H a multiple of 4 for exactness, W at least 7
    program = program_of("input 1xHxW; MaxPool2d((2, 1)); MaxPool2d((2, 7))")
    report = analyse_inputs(program)
    h, w = report.symbols
    assert h.valid.describe("H") == "H ≥ 4" and h.exact.describe("H") == "H ≥ 4 and H ≡ 0 (mod 4)"
    assert w.valid.describe("W") == "W ≥ 7" and w.exact.describe("W") == "W ≥ 7 and W ≡ 0 (mod 7)"
    for hv in range(1, 20):
        for wv in range(1, 20):
            analysis = analyse(program, parse_input_option(f"1x{hv}x{wv}"))
            assert analysis.ok == (hv in h.valid and wv in w.valid)
            exact = analysis.ok and not analysis.warnings
            assert exact == (hv in h.exact and wv in w.exact)


# -- 3. the examples ----------------------------------------------------------------------------------

def test_course_cnn():
    report = report_of("symbolic_cnn")
    assert report.proven and report.names == ("H", "W")
    for result, name in zip(report.symbols, "HW"):
        assert result.valid.describe(name) == f"{name} ≥ 4"
        assert result.exact.describe(name) == f"{name} ≥ 4 and {name} ≡ 0 (mod 4)"
        assert result.valid.smallest() == 4 and result.exact.smallest() == 4
        assert not result.conditions
    (joint,) = report.joint
    assert joint.constraint.equation() == "64*floor(H/4)*floor(W/4) = 4096"
    assert joint.square.describe("H") == "H in 32..35"
    assert joint.square_exact.describe("H") == "H = 32"
    assert report.accepted == IntSet.of(range(32, 36)) and report.accepted_exact == IntSet.of([32])
    groups = [(hs[0], hs[-1], ws.describe("W")) for hs, ws in joint.pairs.groups]
    assert (32, 35, "W in 32..35") in groups and (4, 7, "W in 256..259") in groups
    exact_pairs = [(hs[0], min(ws.extra)) for hs, ws in joint.pairs.exact_groups]
    assert exact_pairs == [(4, 256), (8, 128), (16, 64), (32, 32), (64, 16), (128, 8), (256, 4)]
    # every pair listed is accepted by the integer engine, and its neighbours outside are not
    program = example("symbolic_cnn")
    for h, w, ok in ((4, 256, True), (7, 259, True), (8, 131, True), (3, 256, False), (4, 260, False)):
        assert analyse(program, parse_input_option(f"3x{h}x{w}")).ok == ok


def test_lenet_fits_32x32():
    report = report_of("lenet5")
    assert report.auto and report.names == ("H", "W")
    h = report.symbols[0]
    assert h.valid.describe("H") == "H ≥ 16" and h.exact.describe("H") == "H ≥ 16 and H ≡ 0 (mod 4)"
    (joint,) = report.joint
    assert joint.constraint.equation() == "16*(floor(H/4) - 3)*(floor(W/4) - 3) = 400"
    assert report.accepted.describe("H") == "H in 32..35"
    assert report.accepted_exact.describe("H") == "H = 32"
    assert report.original_status() == "accepted, exact"


def test_unet_needs_multiples_of_8():
    report = report_of("unet_small")
    for result, name in zip(report.symbols, "HW"):
        assert result.valid.describe(name) == f"{name} ≥ 8"
        assert [c.holds.describe(name, bound=False) for c in result.conditions] == [
            f"{name} ≡ 0, 1, 2 or 3 (mod 8)", f"{name} ≡ 0 or 1 (mod 8)", f"{name} ≡ 0 (mod 8)"]
        assert [c.constraint.equation() for c in result.conditions] == [
            f"2*floor({name}/8) = floor({name}/4)", f"4*floor({name}/8) = floor({name}/2)", f"8*floor({name}/8) = {name}"]
        assert result.accepted.describe(name) == f"{name} ≥ 8 and {name} ≡ 0 (mod 8)"
    assert report.accepted == IntSet.make(1, 8, {0}) == report.accepted_exact


def test_resnet50_confirmed_by_brute_force_to_512():
    report = report_of("resnet50")
    assert report.proven
    values = range(1, 513)
    accepted, exact = brute_force(example("resnet50"), values)
    assert members(report.accepted, values) == accepted
    assert members(report.accepted_exact, values) == exact
    assert report.accepted.describe("H") == "every H ≥ 1" and report.accepted_exact.describe("H") == "every H ≥ 1"


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.net")))
def test_every_example_agrees_with_brute_force(name):
    report = report_of(name)
    assert report.proven, report.reason
    values = range(1, 257)
    accepted, exact = brute_force(example(name), values)
    assert members(report.accepted, values) == accepted
    assert members(report.accepted_exact, values) == exact


# -- 4. lint with symbols ---------------------------------------------------------------------------

def codes(text: str):
    return [(e.code, e.span.line) for e in symbolic_diagnostics(program_of(text))]


def test_symbolic_diagnostics():
    assert "CC203" in CODES
    # the examples: conditions, not alarms
    assert symbolic_diagnostics(example("symbolic_cnn")) == []
    assert symbolic_diagnostics(example("unet_small"), parse_input_option("1xHxW")) == []
    assert symbolic_diagnostics(example("lenet5")) == []  # a concrete input: nothing symbolic to say
    # a Linear no size can satisfy: 64*floor(H/4)^2 is never 1000
    assert codes("input 3xHxH\nLazyConv2d(64, 3, padding=1)\nMaxPool2d(4)\nFlatten()\nLinear(1000, 10)") == [
        ("CC102", 5)]
    # two symbols: neither square nor any pair gives 7 (a prime above 64)
    assert codes("input 3xHxW\nLazyConv2d(64, 3)\nFlatten()\nLinear(71, 10)") == [("CC102", 4)]
    # floor always drops a row: the padded size is always odd
    assert codes("input 1xHxH\nZeroPad2d((0, 0, 0, 0))\nLazyConv2d(1, 1)\nUpsample(scale_factor=2)\n"
                 "ZeroPad2d((1, 0, 1, 0))\nMaxPool2d(2)") == [("CC201", 6)]
    # a concat that matches only for sizes no layer accepts: 2*H - 4 = H at H = 4, but the reflection needs H > 5
    assert codes("input 1xH\nsave a\nReflectionPad1d((5, 5))\nLazyConv1d(1, 11)\nUpsample(scale_factor=2)\n"
                 "LazyConv1d(1, 5)\nconcat a") == [("CC105", 7)]
    # no size passes every layer: PixelUnshuffle(2) always receives an odd size
    assert codes("input 1xHxH\nZeroPad2d((0, 1, 0, 1))\nUpsample(scale_factor=2)\nZeroPad2d((0, 1, 0, 1))\n"
                 "PixelUnshuffle(2)") == [("CC106", 5)]


def test_concat_condition_is_a_warning_in_shapes():
    analysis = analyse(example("unet_small"), parse_input_option("1xHxW"))
    assert analysis.ok
    warnings = [(w.code, w.span.line) for w in analysis.warnings]
    assert warnings == [("CC203", 32), ("CC203", 35), ("CC203", 38)]
    assert "H ≡ 0 (mod 8) (8*floor(H/8) = H)" in analysis.warnings[2].message
    # shapes that can never match are still errors
    assert analyse(program_of("input 1xH; save a; LazyConv1d(1, 2); add a")).error.code == "CC104"
    assert match_condition((1, dims.sym("H")), (1, dims.sym("H") + 1)) is None


# -- 5. the command line --------------------------------------------------------------------------

def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


COURSE_TEXT = """\
{path}: input 3 x H x W
H and W are independent: each is decided on its own, then all equal (square inputs)

H
  valid           H ≥ 4                           smallest 4; e.g. 4, 5, 6, 7, 8
  exact           H ≥ 4 and H ≡ 0 (mod 4)         smallest 4; e.g. 4, 8, 12, 16, 20

W
  valid           W ≥ 4                           smallest 4; e.g. 4, 5, 6, 7, 8
  exact           W ≥ 4 and W ≡ 0 (mod 4)         smallest 4; e.g. 4, 8, 12, 16, 20

line 14 Linear(64 * 8 * 8, 10): in_features must match the incoming size
  64*floor(H/4)*floor(W/4) = 4096
  square inputs (H = W): H in 32..35; exact: H = 32
  all pairs with H ≤ 256 (each H solved for every W):
    H in 4..7       W in 256..259
    H in 8..11      W in 128..131
    H in 16..19     W in 64..67
    H in 32..35     W in 32..35
    H in 64..67     W in 16..19
    H in 128..131   W in 8..11
    H = 256         W in 4..7
  exact pairs (H, W): (4, 256), (8, 128), (16, 64), (32, 32), (64, 16), (128, 8), (256, 4)

accepted, square inputs (H = W): H in 32..35 (smallest 32); exact: H = 32

decided exactly, not sampled: the integer engine ran for H = 1..8 (period 4), W = 1..8 (period 4), H = W = 1..8 (period 4); beyond, every outcome repeats with its period (the argument: convcalc/inputs/__init__.py)
"""


def test_inputs_command_text():
    path = str(EXAMPLES / "symbolic_cnn.net")
    result = invoke("inputs", path)
    assert result.exit_code == 0
    assert result.stdout == COURSE_TEXT.format(path=path)


UNET_TEXT = """\
{path}: input 1 x H x W (the file's 1x128x128 with its sizes as symbols; --input chooses others)
H and W are independent: each is decided on its own, then all equal (square inputs)

H
  valid           H ≥ 16                          smallest 16; e.g. 16, 17, 18, 19, 20
  exact           H ≥ 16 and H ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80
  conditions:
    line 36 concat skip4: 2*floor(H/16) = floor(H/8)  holds for H ≡ 0, 1, 2, 3, 4, 5, 6 or 7 (mod 16)
    line 39 concat skip3: 4*floor(H/16) = floor(H/4)  holds for H ≡ 0, 1, 2 or 3 (mod 16)
    line 42 concat skip2: 8*floor(H/16) = floor(H/2)  holds for H ≡ 0 or 1 (mod 16)
    line 45 concat skip1: 16*floor(H/16) = H          holds for H ≡ 0 (mod 16)
  accepted        H ≥ 16 and H ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80
  accepted, exact H ≥ 16 and H ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80

W
  valid           W ≥ 16                          smallest 16; e.g. 16, 17, 18, 19, 20
  exact           W ≥ 16 and W ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80
  conditions:
    line 36 concat skip4: 2*floor(W/16) = floor(W/8)  holds for W ≡ 0, 1, 2, 3, 4, 5, 6 or 7 (mod 16)
    line 39 concat skip3: 4*floor(W/16) = floor(W/4)  holds for W ≡ 0, 1, 2 or 3 (mod 16)
    line 42 concat skip2: 8*floor(W/16) = floor(W/2)  holds for W ≡ 0 or 1 (mod 16)
    line 45 concat skip1: 16*floor(W/16) = W          holds for W ≡ 0 (mod 16)
  accepted        W ≥ 16 and W ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80
  accepted, exact W ≥ 16 and W ≡ 0 (mod 16)       smallest 16; e.g. 16, 32, 48, 64, 80

accepted, square inputs (H = W): H ≥ 16 and H ≡ 0 (mod 16) (smallest 16); exact: the same
the file's 128x128: accepted, exact

decided exactly, not sampled: the integer engine ran for H = 1..32 (period 16), W = 1..32 (period 16), H = W = 1..32 (period 16); beyond, every outcome repeats with its period (the argument: convcalc/inputs/__init__.py)
"""


def test_inputs_command_text_of_the_four_level_unet():
    # four poolings: every layer accepts H ≥ 16, and the four concats together need
    # H ≡ 0 (mod 16), the textbook condition (unet_small, three poolings, needs mod 8)
    path = str(EXAMPLES / "unet.net")
    result = invoke("inputs", path)
    assert result.exit_code == 0
    assert result.stdout == UNET_TEXT.format(path=path)


def test_inputs_command_json_and_input_option():
    result = invoke("inputs", str(EXAMPLES / "course_cnn.net"), "--input", "3xHxH", "--format", "json")
    assert result.exit_code == 0
    data = one_model(result.stdout)
    assert data["symbols"] == ["H"] and data["proven"] is True
    h = data["per_symbol"]["H"]
    assert h["valid"]["text"] == "H ≥ 4" and h["valid"]["smallest"] == 4
    assert h["exact"] == {"text": "H ≥ 4 and H ≡ 0 (mod 4)", "smallest": 4, "finite": False,
                          "examples": [4, 8, 12, 16, 20, 24], "from": 4, "modulus": 4, "residues": [0], "also": []}
    (linear,) = h["conditions"]
    assert linear["equation"] == "64*floor(H/4)*floor(H/4) = 4096" or linear["equation"].startswith("64*")
    assert data["accepted"]["values"] == [32, 33, 34, 35] and data["accepted_exact"]["values"] == [32]


def test_inputs_command_exit_codes():
    # nothing accepted: exit 1
    result = invoke("inputs", "-e", "input 3xHxH; LazyConv2d(8, 3); Flatten(); Linear(7, 2)")
    assert result.exit_code == 1 and "no value" in result.stdout
    # a one-dimensional input cannot be made symbolic automatically
    assert invoke("inputs", "-e", "input 784; Linear(784, 10)").exit_code == 2
    assert "Example: convcalc inputs" in invoke("inputs", "--help").stdout


def test_size_solve():
    result = invoke("size", "32", "--solve", "16", "-k", "3")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "32 -> 16 with k=3: s=2, p=1"
    lines = invoke("size", "32", "--solve", "16").stdout.splitlines()
    solutions = [line for line in lines if line.startswith("32 -> 16 with ")]
    assert solutions[:3] == ["32 -> 16 with k=1: s=2, p=0", "32 -> 16 with k=2: s=2, p=0",
                             "32 -> 16 with k=3: s=2, p=1"]
    assert "kernel 1..11" in lines[1]
    out = invoke("size", "16", "--solve", "32", "--transposed", "-k", "4").stdout
    assert out.splitlines()[-1] == "16 -> 32 with k=4: s=2, p=1"
    assert invoke("size", "5", "--solve", "100", "-k", "3", "-s", "1").exit_code == 1
    assert invoke("size", "32").exit_code == 2  # neither -k nor --solve


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.integers(1, 40), st.booleans())
def test_every_solution_is_right_and_none_is_missed(size, wanted, ceil):
    from convcalc import size as lookup
    from convcalc import solve

    old, solve.MAX_LINES = solve.MAX_LINES, 10**6
    try:
        result = solve.solve_sliding(size, wanted, ceil=ceil, max_kernel=5)
    finally:
        solve.MAX_LINES = old
    head = f"{size} -> {wanted} with "
    listed = {line[len(head):] for line in result.lines if line.startswith(head)}
    for text in listed:  # every listed setting is right
        k, rest = text.split(": ", 1)
        fields = dict(part.split("=") for part in rest.split("   ")[0].replace("s ≥ ", "s=").split(", "))
        out = lookup.sliding(size, int(k[2:]), int(fields["s"]), int(fields["p"]), 1, ceil)
        assert out.ok and out.output == wanted, text
    for k in range(1, 6):
        for p in range(0, (k // 2 if ceil else k - 1) + 1):
            for s in range(1, size + 2 * p + 2):
                out = lookup.sliding(size, k, s, p, 1, ceil)
                if out.ok and out.output == wanted:
                    assert any(text.startswith(f"k={k}: s") and (f"s={s}, p={p}" in text or (
                        "s ≥" in text and f"p={p}" in text)) for text in listed), (k, s, p)


def test_lint_states_conditions_not_false_alarms(tmp_path):
    unet = tmp_path / "unet.net"
    unet.write_text((EXAMPLES / "unet_small.net").read_text().replace("input 1x64x64", "input 1xHxW"))
    result = invoke("lint", str(unet), "--format", "json")
    found = [(d["code"], d["line"], d["severity"]) for d in json.loads(result.stdout)]
    assert found == [("CC203", 32, "warning"), ("CC203", 35, "warning"), ("CC203", 38, "warning")]
    assert invoke("lint", str(EXAMPLES / "symbolic_cnn.net")).exit_code == 0
    wrong = tmp_path / "wrong.net"
    wrong.write_text("input 3xHxW\nConv2d(3, 32, 3, padding=1)\nMaxPool2d(2)\nConv2d(32, 64, 3, padding=1)\n"
                     "MaxPool2d(2)\nFlatten()\nLinear(64 * 7 * 7 + 1, 10)\n")
    result = invoke("lint", str(wrong))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{wrong}:7:1: CC102 Linear expects 3137 input features, but receives 64 x floor(H/4) x floor(W/4) = "
        "64*floor(H/4)*floor(W/4): no input size gives 3137 (with H = W, nor with H ≤ 256 and any W)")


def test_unprovable_networks_fall_back_to_a_labelled_check():
    # ceil_mode with a stride over the kernel has no symbolic formula; the engine decides per size
    report = analyse_inputs(program_of("input 1xHxH; MaxPool2d(1, stride=2, ceil_mode=True); MaxPool2d(2)"),
                            limit=40)
    assert not report.proven and "ceil_mode" in report.reason
    assert report.accepted == IntSet.of(range(3, 41)) and report.accepted_exact == IntSet.of(
        s for s in range(3, 41) if s % 4 in (0, 3))
    # a condition on a symbol: the symbolic walk refuses it, the integer walks take it
    report = analyse_inputs(program_of("input 1xH\nif H > 3:\n    MaxPool1d(3)\n"), limit=10)
    assert not report.proven and report.accepted == IntSet.of(range(1, 11))
    text = invoke("inputs", "-e", "input 1xHxH; MaxPool2d(1, stride=2, ceil_mode=True)", "--limit", "5").stdout
    assert "not proven: the symbolic walk stops" in text and "H = 1..5 only" in text


def test_inputs_of_a_python_model_and_of_a_channel_symbol(tmp_path):
    model = tmp_path / "m.py"
    model.write_text("import torch.nn as nn\n\n# convcalc: input 3xHxW\nnet = nn.Sequential(nn.Conv2d(3, 16, 3, "
                     "padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 16 * 16, 10))\n")
    data = one_model(invoke("inputs", str(model), "--format", "json").stdout)
    assert data["accepted"]["values"] == [32, 33] and data["accepted_exact"]["values"] == [32]
    (equation,) = data["equations"]
    assert equation["equation"] == "16*floor(H/2)*floor(W/2) = 4096"
    report = analyse_inputs(program_of("input CxHxW; Conv2d(3, 8, 3)"))
    c = report.symbols[0]
    assert [cond.constraint.equation() for cond in c.conditions] == ["C = 3"]
    assert c.accepted == IntSet.of([3])


def test_a_view_to_fixed_sizes_is_an_equation(tmp_path):
    from convcalc.load import load_programs

    source = ("import torch.nn as nn\nimport torch.nn.functional as F\n\n# convcalc: input 1xHxH\n"
              "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.conv = nn.Conv2d(1, 6, 5)\n        self.fc = nn.Linear(6 * 12 * 12, 10)\n\n"
              "    def forward(self, x):\n        x = F.max_pool2d(F.relu(self.conv(x)), 2)\n"
              "        x = x.view(-1, 6 * 12 * 12)\n        return self.fc(x)\n")
    (program,) = load_programs("net.py", source)
    report = analyse_inputs(program)
    assert report.proven
    assert [c.constraint.kind for c in report.symbols[0].conditions] == ["view"]
    assert report.accepted == IntSet.of([28, 29]) and report.accepted_exact == IntSet.of([28])
    values = range(1, 80)
    accepted, exact = brute_force(program, values)
    assert accepted == {28, 29} and exact == {28}


def test_the_integer_walks_show_progress_on_a_terminal():
    """inputs of a long period walks thousands of sizes: a bar (on a terminal only), cleared at the end."""
    import io

    from convcalc.inputs.analysis import analyse_inputs
    from convcalc.report.progress import Progress

    stream = io.StringIO()
    bars = []

    def factory(total):
        bars.append(Progress(total, stream, delay=0.0, force=True, what="inputs"))
        return bars[-1]

    report = analyse_inputs(parse("input 1xL\nConv1d(1, 1, 3, stride=64)\nMaxPool1d(4)\n", "t.net"), progress=factory)
    assert report.symbols and len(bars) == 1
    drawn = stream.getvalue()
    assert "\rinputs [" in drawn and f"L = 64 of {bars[0].total:,}" in drawn
    assert drawn.endswith("\r\x1b[K")  # cleared: the report is printed on a clean line
    piped = io.StringIO()  # not a terminal: nothing
    analyse_inputs(parse("input 1xL\nConv1d(1, 1, 3, stride=64)\n", "t.net"),
                   progress=lambda total: Progress(total, piped, delay=0.0, what="inputs"))
    assert piped.getvalue() == ""
