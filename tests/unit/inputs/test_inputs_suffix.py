"""The integer walks of `convcalc inputs` share their suffixes (convcalc/inputs/suffix.py): the
report must be the one every walk run whole gives, on the bundled examples and on networks
hypothesis draws; the sharing must really happen (hits), and be refused where it is unsound
(the symbol read by name after the input line)."""
from paths import ROOT

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc import nodes as n
from convcalc.frontends.syntax import parse
from convcalc.inputs import suffix
from convcalc.inputs.analysis import analyse_inputs
from convcalc.report.inputs import inputs_json, inputs_text

EXAMPLES = sorted((ROOT / "examples").glob("*.net"))


def report(text: str, sharing: bool):
    suffix.SHARING = sharing
    try:
        result = analyse_inputs(parse(text, "net.net"))
        return inputs_text(result), inputs_json(result)
    finally:
        suffix.SHARING = True


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.stem != "conv1d_audio"], ids=lambda p: p.stem)
def test_every_example_reports_the_same_with_the_walks_shared(path):
    text = path.read_text()
    assert report(text, True) == report(text, False)


def test_the_audio_network_shares_most_walks_and_says_the_same(monkeypatch):
    memos = []
    made = suffix.SuffixMemo.__init__

    def keep(self, *args):
        made(self, *args)
        memos.append(self)

    monkeypatch.setattr(suffix.SuffixMemo, "__init__", keep)
    text = (EXAMPLES[0].parent / "conv1d_audio.net").read_text()
    shared = report(text, True)
    (memo,) = [m for m in memos if m.walks]
    assert memo.usable and memo.walks == 12_288 and memo.hits > 12_000
    assert shared == report(text, False)


def test_a_network_that_reads_the_symbol_walks_whole():
    program = parse("input 3xHxW\nlet h = H\nConv2d(3, 4, 3)\nMaxPool2d(2)\n", "net.net")
    assert not suffix.SuffixMemo(program, {"H"}).usable
    assert suffix.SuffixMemo(parse("input 3xHxW\nConv2d(3, 4, 3)\n", "net.net"), {"H"}).usable


LAYER = st.sampled_from(["Conv2d({c}, {c}, 3)", "Conv2d({c}, {c}, 3, stride=2)", "Conv2d({c}, {c}, 5, padding=2, stride=3)",
                         "MaxPool2d(2)", "MaxPool2d(3, stride=2, ceil_mode=True)", "AvgPool2d(2, padding=1)",
                         "ReLU()", "residual:\n    Conv2d({c}, {c}, 3, padding=1)",
                         "residual:\n    Conv2d({c}, {c}, 3, stride=2, padding=1)"])


@settings(max_examples=25, deadline=None)
@given(st.lists(LAYER, min_size=1, max_size=6), st.booleans())
def test_drawn_networks_report_the_same_with_the_walks_shared(layers, linear):
    lines = ["input 4xHxW"] + [layer.format(c=4) for layer in layers]
    if linear:
        lines += ["Flatten()", "Linear(64, 10)"]
    text = "\n".join(lines) + "\n"
    assert report(text, True) == report(text, False)


def test_a_taken_suffix_spends_a_quarter_of_the_search_budget_its_walk_would(monkeypatch):
    """The budget bounds the steps of all the walks; a recorded suffix counts a quarter of its
    steps (a replay copies rows, it does not walk): more than nothing, less than a walk, and the M5
    example fits the budget of `inputs` (limits.SEARCH_STEPS)."""
    from convcalc import limits

    monkeypatch.setattr(limits, "command_left", 10**8)  # this test's own, whatever earlier ones spent
    text = (EXAMPLES[0].parent / "conv1d_audio.net").read_text()
    spent = {}
    for sharing in (True, False):
        suffix.SHARING = sharing
        try:
            with limits.SearchBudget("test", 10**7) as budget:
                analyse_inputs(parse(text, "net.net"))
            spent[sharing] = budget.start - budget.left
        finally:
            suffix.SHARING = True
    assert spent[False] > 300_000 and spent[False] // 4 < spent[True] < spent[False]
    assert spent[True] < 0.8 * limits.SEARCH_STEPS


def test_only_the_last_walk_of_a_search_records_nothing(monkeypatch):
    recorded = []
    finish = suffix.Recorder.finish

    def counted(self, error):
        recorded.append((self.memo.recording, len(self.pending)))
        finish(self, error)

    monkeypatch.setattr(suffix.Recorder, "finish", counted)
    text = "input 3xHxW\n" + "save a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a\n" * 3
    assert report(text, True) == report(text, False)
    assert recorded and all(count > 0 for recording, count in recorded if recording)
    assert [recording for recording, _ in recorded].count(False) == 3  # the last walk of H's, W's and H = W's
    assert all(count == 0 for recording, count in recorded if not recording)


def names_one_by_one(body) -> tuple:
    """walk_names as it was first written, every item through the stack (the reference): the names,
    and how many items it met."""
    found, stack, seen = set(), list(body), 0
    while stack:
        item = stack.pop()
        seen += 1
        if isinstance(item, n.Input):
            continue
        if isinstance(item, n.Name):
            found.add(item.id)
        if isinstance(item, n.Node):
            stack.extend(getattr(item, slot, None) for slot in type(item).__slots__ if slot != "span")
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found, seen


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_names_read_are_the_ones_found_item_by_item_up_to_the_bound(path, monkeypatch):
    body = parse(path.read_text(), "net.net").body
    found, items = names_one_by_one(body)
    assert suffix.walk_names(body) == found
    monkeypatch.setattr(suffix, "MAX_NODES", items)  # the bound, on either side of the network's count of items
    assert suffix.walk_names(body) == found
    monkeypatch.setattr(suffix, "MAX_NODES", items - 1)
    assert suffix.walk_names(body) == {None}
