"""decide.agree compares a whole integer walk with the symbolic one at once (decide.Sizes): the
reports must be the ones the size-by-size loop alone gives, on the bundled examples and on drawn
networks, the fast comparison must really answer (not fall back every time), and a walk that
differs must still be refused with the loop's words."""
from paths import ROOT

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.frontends.syntax import parse
from convcalc.inputs import decide
from convcalc.inputs.analysis import analyse_inputs, symbolise
from convcalc.inputs.relaxed import trace
from convcalc.report.inputs import inputs_json, inputs_text

EXAMPLES = sorted((ROOT / "examples").glob("*.net"))


def report(text: str, fast: bool, monkeypatch=None):
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(decide.Sizes, "match", lambda self, rows, s: False)
        result = analyse_inputs(parse(text, "net.net"))
        return inputs_text(result), inputs_json(result)


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.stem != "conv1d_audio"], ids=lambda p: p.stem)
def test_every_example_reports_the_same_with_the_walks_compared_at_once(path):
    text = path.read_text()
    assert report(text, True) == report(text, False)


LAYER = st.sampled_from(["Conv2d({c}, {c}, 3)", "Conv2d({c}, {c}, 3, stride=2)", "MaxPool2d(2)",
                         "MaxPool2d(3, stride=2, ceil_mode=True)", "AvgPool2d(2, padding=1)", "ReLU()",
                         "Upsample(scale_factor=2)", "save a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a",
                         "residual:\n    Conv2d({c}, {c}, 3, stride=2, padding=1)"])


@settings(max_examples=25, deadline=None)
@given(st.lists(LAYER, min_size=1, max_size=6), st.booleans())
def test_drawn_networks_report_the_same_with_the_walks_compared_at_once(layers, linear):
    lines = ["input 4xHxW"] + [layer.format(c=4) for layer in layers]
    if linear:
        lines += ["Flatten()", "Linear(64, 10)"]
    text = "\n".join(lines) + "\n"
    assert report(text, True) == report(text, False)


def test_the_comparison_at_once_answers_for_a_deep_network(monkeypatch):
    answers = []
    match = decide.Sizes.match
    monkeypatch.setattr(decide.Sizes, "match", lambda self, rows, s: answers.append(match(self, rows, s)) or answers[-1])
    analyse_inputs(parse("input 3xHxW\n" + "save a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a\n" * 20, "u.net"))
    assert answers and all(answers)


def test_a_walk_that_differs_is_refused_in_the_loops_words():
    program = parse("input 3xHxW\nMaxPool2d(2)\nConv2d(3, 4, 3)\n", "n.net")
    symbolic = trace(program, program.input, {}, False)
    found = decide.plan(symbolic, "H")
    concrete = trace(program, program.input, {"H": 9}, True)
    concrete.analysis.rows[1].shape = (4, 3, concrete.analysis.rows[1].shape[2])  # a size the symbolic walk does not give
    sizes = decide.Sizes(symbolic, "H", found.qps)
    assert not sizes.match(concrete.analysis.rows, 9)
    with pytest.raises(decide.NotProven) as fast:
        decide.agree(symbolic, concrete, "H", 9, found.qps, sizes)
    with pytest.raises(decide.NotProven) as slow:
        decide.agree(symbolic, concrete, "H", 9, found.qps)
    assert str(fast.value) == str(slow.value) and "line 3: with H = 9 the size is 3, but floor(H/2) - 2 gives 2" in str(fast.value)


def plan_of(text: str, plain: bool) -> list:
    program = parse(text, "net.net")
    given, _ = symbolise(program.input)  # as `convcalc inputs` makes a concrete input symbolic
    symbolic = trace(program, given, {}, False)
    with pytest.MonkeyPatch.context() as patch:
        if plain:
            patch.setattr(decide, "arguments_text", lambda args, texts: repr(sorted(args.values.items(), key=str)))
        out = []
        for name in [d.id for d in given.dims if hasattr(d, "id")]:
            try:
                found = decide.plan(symbolic, name)
            except decide.NotProven as exc:
                out.append(str(exc))
                continue
            out.append((found.qps, found.period, found.top, found.checks, [(s.name, shape, positions) for s, _, shape,
                                                                           positions in found.layers]))
        return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_examples_plan_is_the_same_with_the_arguments_texts_kept(path):
    text = path.read_text()
    kept = plan_of(text, False)
    assert kept and kept == plan_of(text, True)


def test_arguments_that_are_equal_but_print_apart_get_their_own_text():
    from convcalc.layers.catalogue import lookup

    spec = lookup("Dropout")
    texts: dict = {}
    for p in (0.0, -0.0, 0.0, 1, True):
        args = spec.bind((p,), {})
        args.values_key = (tuple(args.values.items()), tuple(type(v) for v in args.values.values()))
        assert decide.arguments_text(args, texts) == repr(sorted(args.values.items(), key=str))
    kept = decide.arguments_text(spec.bind((1,), {}), texts)
    assert kept == repr(sorted(spec.bind((1,), {}).values.items(), key=str))
