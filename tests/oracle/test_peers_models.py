"""The models of the counting tools' own tests (tests/fixtures/peers/, written in our words) read
by convcalc and run by torch, torchinfo, torch.utils.flop_counter and the tool each comes from:

* parameters (``model.parameters()``) and every output's shape, as torch gives them;
* mult-adds as torchinfo 1.8.0 totals them (convcalc's default convention);
* ``torch.utils.flop_counter``'s count / 2 (convention ``fvcore``);
* the tool's own figure: thop, ptflops, torch-scan, torchstat under their conventions; fvcore's own
  FlopCountAnalysis against the fvcore convention; torchsummary's and pytorch-model-summary's
  parameter totals; torchview's output shapes.

A figure convcalc does not give exactly fails the test, unless KNOWN says why it differs (and a
figure in KNOWN that has come to agree fails too, so that the list stays true). ``python
tests/oracle/test_peers_models.py`` prints, per tool, how many models are ported and how many
are exact on every figure.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from paths import FIXTURES

PEERS_DIR = FIXTURES / "peers"
pytestmark = pytest.mark.oracle


@dataclass(frozen=True)
class Case:
    peer: str  # the tool whose tests the model comes from
    file: str
    call: str
    inputs: tuple  # one shape per input, without the batch

    @property
    def id(self) -> str:
        return f"{self.peer}:{self.call}@{','.join('x'.join(map(str, s)) for s in self.inputs)}"


def cases(peer, file, *items):
    return [Case(peer, file, call, shapes if isinstance(shapes[0], tuple) else (shapes,)) for call, shapes in items]


CASES = (
    cases("thop", "thop_models.py",
          ("ConvCase(3, 5, 3)", (3, 16, 16)),
          ("ConvCase(3, 5, 3, bias=False)", (3, 16, 16)),
          ("ConvCase(4, 6, (3, 5), stride=2, padding=1)", (4, 15, 17)),
          ("ConvCase(4, 8, 3, groups=2, dilation=2, padding=2)", (4, 9, 9)),
          ("ConvCase(8, 8, 1)", (8, 7, 7)),
          ("LinearCase(20, 30)", (20,)),
          ("LinearCase(20, 30)", (5, 20)),
          ("LinearCase(20, 30, bias=False)", (20,)),
          ("ReluCase()", (4, 8, 8)),
          ("LeNet()", (1, 28, 28)),
          ("SmallVGG()", (3, 32, 32)),
          ("TinyResNet()", (3, 64, 64)))
    + cases("ptflops", "ptflops_models.py",
            ("Simple()", (3, 16, 16)),
            ("FunctionalRelu()", (3, 8, 8)),
            ("Resize(size=(12, 12))", (3, 6, 6)),
            ("Resize(scale=2.0)", (3, 6, 6)),
            ("Resize(scale=2.0, mode='bilinear')", (3, 6, 6)),
            ("FunctionalPool()", (3, 10, 10)),
            ("MatmulHead()", (3, 6, 6)),
            ("TensorMatmul()", (3, 5, 5)),
            ("Bmm()", (3, 4, 4)),
            ("AddBranches()", (3, 8, 8)))
    + cases("fvcore", "fvcore_models.py",
            ("ConvThenTwoLinear(10, 10, 10)", (10, 10, 10)),
            ("LinearOnly(10, 10)", (10,)),
            ("ConvOfRank(1, False, 3, 6, 3)", (3, 20)),
            ("ConvOfRank(2, False, 3, 6, 3, stride=2, padding=1)", (3, 16, 16)),
            ("ConvOfRank(3, False, 2, 4, 3)", (2, 6, 6, 6)),
            ("ConvOfRank(1, True, 3, 6, 3, stride=2)", (3, 10)),
            ("ConvOfRank(2, True, 4, 2, 3, stride=2, padding=1)", (4, 8, 8)),
            ("ConvOfRank(3, True, 2, 2, 2, stride=2)", (2, 4, 4, 4)),
            ("ConvOfRank(2, False, 4, 8, 3, groups=4)", (4, 9, 9)),
            ("NormOfRank(1, 6)", (6,)),
            ("NormOfRank(1, 6)", (6, 10)),
            ("NormOfRank(2, 6)", (6, 5, 5)),
            ("NormOfRank(3, 6)", (6, 3, 3, 3)),
            ("Outer()", (2, 5)),
            ("CalledTwice()", (4, 8, 8)),
            ("Matmul()", (3, 4, 4)),
            ("BatchedMatmul()", (3, 4, 4)),
            ("Einsum()", (3, 4, 4)),
            ("PooledHead()", (3, 15, 15)))
    + cases("torchsummary", "torchsummary_models.py",
            ("MnistNet()", (1, 28, 28)),
            ("TwoInputs()", ((300,), (300,))),
            ("ConvBn()", (3, 16, 16)))
    + cases("torch-scan", "torchscan_models.py",
            ("One('Conv2d', 3, 8, 3)", (3, 12, 12)),
            ("One('ConvTranspose2d', 3, 8, 3, stride=2)", (3, 6, 6)),
            ("One('BatchNorm2d', 4)", (4, 6, 6)),
            ("One('MaxPool2d', 3)", (4, 9, 9)),
            ("One('MaxPool2d', (2, 2))", (4, 8, 8)),
            ("One('AvgPool2d', 2)", (4, 8, 8)),
            ("One('AdaptiveAvgPool2d', 3)", (4, 9, 9)),
            ("One('AdaptiveMaxPool2d', (2, 2))", (4, 8, 8)),
            ("One('Linear', 8, 4)", (8,)),
            ("One('ReLU')", (4, 4, 4)),
            ("One('ELU')", (4, 4, 4)),
            ("One('LeakyReLU')", (4, 4, 4)),
            ("One('ReLU6')", (4, 4, 4)),
            ("One('Tanh')", (4, 4, 4)),
            ("One('Sigmoid')", (4, 4, 4)),
            ("One('Flatten')", (2, 3, 3)),
            ("One('Dropout')", (8,)),
            ("Crawled()", (3, 16, 16)))
    + cases("torchview", "torchview_models.py",
            ("Recursive()", (8, 8, 8)),
            ("Siamese()", ((1, 28, 28), (1, 28, 28))),
            ("Functional()", (1, 28, 28)),
            ("Containers()", (3, 8, 8)),
            ("TwoImages()", ((3, 8, 8), (1, 8, 8))))
    + cases("torchstat", "torchstat_models.py",
            ("StatNet()", (3, 32, 32)),
            ("AlexLike()", (3, 128, 128)))
    + cases("thop", "torchvision_like.py",
            ("BottleneckNet()", (3, 32, 32)),
            ("InceptionNet()", (3, 32, 32)))
    + cases("ptflops", "torchvision_like.py",
            ("DenseNetLike()", (3, 16, 16)),
            ("MobileV3Block()", (16, 16, 16)))
    + cases("torch-scan", "torchvision_like.py",
            ("SqueezeLike()", (3, 33, 33)),
            ("VGGWithClassifier()", (3, 56, 56)))
    + cases("torchview", "torchvision_like.py",
            ("ShuffleUnit()", (16, 8, 8)),
            ("VGGWithClassifier()", (3, 64, 64)))
    + cases("pytorch-model-summary", "model_summary_models.py",
            ("Hierarchy()", (3, 16, 16)),
            ("InvertedResidual()", (16, 8, 8)),
            ("ConvNeXtBlock()", (3, 32, 32)))
)

# (case id, figure) -> why convcalc's figure is not the tool's: each a choice, said in docs/conventions.md
FVCORE_POOL = ("fvcore's own handles count adaptive average pooling (one per input element); the fvcore convention "
               "is torch.utils.flop_counter's, which counts none")
FVCORE_NORM = ("fvcore's own handles count batch norm (in eval mode, one per element and one more for the affine "
               "transform); the fvcore convention is torch.utils.flop_counter's, which counts none")
KNOWN: dict = {
    ("fvcore:ConvThenTwoLinear(10, 10, 10)@10x10x10", "fvcore's own"): FVCORE_POOL,
    ("fvcore:PooledHead()@3x15x15", "fvcore's own"): FVCORE_POOL,
    ("fvcore:NormOfRank(1, 6)@6", "fvcore's own"): FVCORE_NORM,
    ("fvcore:NormOfRank(1, 6)@6x10", "fvcore's own"): FVCORE_NORM,
    ("fvcore:NormOfRank(2, 6)@6x5x5", "fvcore's own"): FVCORE_NORM,
    ("fvcore:NormOfRank(3, 6)@6x3x3x3", "fvcore's own"): FVCORE_NORM,
}

BASE = ("params", "output", "torchinfo", "fvcore")
OWN = {"thop": "thop", "ptflops": "ptflops", "torch-scan": "torch-scan", "torchstat": "torchstat",
       "fvcore": "fvcore's own", "torchsummary": "torchsummary params", "torchview": "torchview output",
       "pytorch-model-summary": "pytorch-model-summary params"}


COUNTING = ("thop", "ptflops", "torch-scan", "torchstat")  # each counting tool runs on every model too


def figures_of(case: Case) -> tuple:
    """The figures compared on a case: torch's, torchinfo's, the flop counter's, the tool's own,
    and every counting tool's (ptflops, torch-scan and torchstat take one input only)."""
    single = len(case.inputs) == 1
    own = OWN[case.peer]
    if not single and own in COUNTING[1:]:
        own = None
    cross = tuple(p for p in COUNTING if p != own and (single or p == "thop"))
    return BASE + ((own,) if own else ()) + cross


# ---------------------------------------------------------------- convcalc's figures


@lru_cache(maxsize=None)
def convcalc_figures(case: Case) -> dict:
    from convcalc.load import load_programs, parse_input_option
    from convcalc.metrics import memory
    from convcalc.metrics.measure import measure

    path = PEERS_DIR / case.file
    override = parse_input_option(", ".join("x".join(map(str, s)) for s in case.inputs))
    programs = load_programs(str(path), path.read_text(), case.call, override)
    analysis = measure(programs[0], override)
    whole = analysis.ok and analysis.complete
    out = {"params": analysis.total_params if analysis.params_exact else None,
           "output": [tuple(s) for s in (analysis.outputs or [analysis.output])] if whole else None}
    for convention in ("torchinfo", "fvcore", "thop", "ptflops", "torchstat"):
        out[convention] = memory.total_macs(analysis, convention, 1) if whole else None
    counts, _, unknown = memory.counted(analysis, "torch-scan", 1)  # what it knows, and whether it knows all
    out["torch-scan"] = (sum(counts), not unknown) if whole else None
    out["fvcore's own"] = out["fvcore"]
    out["torchsummary params"] = out["pytorch-model-summary params"] = out["params"]
    out["torchview output"] = out["output"]
    return out


# ---------------------------------------------------------------- the tools' figures


def build(case: Case):
    """A fresh model from the fixture file, imported (each tool gets its own: thop and torchstat
    leave marks on the modules they count)."""
    spec = importlib.util.spec_from_file_location(f"peers_{Path(case.file).stem}", PEERS_DIR / case.file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return eval(case.call, vars(module)).eval()  # noqa: S307  (our own fixture's call, in a test)


def zeros(case: Case, batch: int = 1) -> tuple:
    import torch

    return tuple(torch.zeros(batch, *shape) for shape in case.inputs)


def peer_figure(case: Case, figure: str):
    import peers

    shape = case.inputs[0]
    if figure == "params":
        return peers.torch_figures_inputs(build(case), zeros(case))[0]
    if figure == "output":
        return peers.torch_figures_inputs(build(case), zeros(case))[1]
    if figure == "torchinfo":
        from torchinfo import summary

        return summary(build(case), input_data=list(zeros(case)), verbose=0, mode="eval").total_mult_adds
    if figure == "fvcore":
        return peers.flop_counter_fmas_inputs(build(case), zeros(case))
    peer = {"fvcore's own": "fvcore", "torchsummary params": "torchsummary", "torchview output": "torchview",
            "pytorch-model-summary params": "pytorch-model-summary"}.get(figure, figure)
    peers.need(peer)
    if figure == "thop":
        return peers.thop_macs_inputs(build(case), zeros(case))
    if figure == "ptflops":
        return peers.ptflops_macs(build(case), shape)
    if figure == "torch-scan":
        return peers.torchscan_macs(build(case), shape)
    if figure == "torchstat":
        try:
            return peers.torchstat_madd(build(case), shape)
        except AssertionError:  # torchstat's own asserts: it gives no figure
            return None
    if figure == "fvcore's own":
        return peers.fvcore_flops_inputs(build(case), zeros(case))
    if figure == "torchsummary params":
        return peers.torchsummary_params(build(case), list(case.inputs))
    if figure == "pytorch-model-summary params":
        return peers.model_summary_params_inputs(build(case), zeros(case))
    if figure == "torchview output":
        return peers.torchview_outputs(build(case), [(1, *s) for s in case.inputs])
    raise AssertionError(figure)


def compared(case: Case, figure: str) -> tuple:
    ours = convcalc_figures(case)[figure]
    theirs = peer_figure(case, figure)
    if isinstance(theirs, list):
        theirs = [tuple(s) for s in theirs]
    return ours, theirs


# ---------------------------------------------------------------- the tests

CHECKS = [pytest.param(case, figure, id=f"{case.id}-{figure}") for case in CASES for figure in figures_of(case)]


@pytest.mark.parametrize("case, figure", CHECKS)
def test_peer_model(torch, case, figure):
    ours, theirs = compared(case, figure)
    why = KNOWN.get((case.id, figure))
    if why is None:
        assert ours == theirs, f"{case.id}: convcalc {ours} against {theirs} ({figure})"
    else:  # a difference we explain: it must still be there, or KNOWN is out of date
        assert ours != theirs, f"{case.id}: {figure} now agrees ({ours}); remove it from KNOWN ({why})"


def test_every_fixture_model_is_a_case():
    """Each model class of the fixture files is run by some case (a model written and never
    checked proves nothing)."""
    import ast

    for path in PEERS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        calls = " ".join(c.call for c in CASES if c.file == path.name)
        helpers = {base.id for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for base in node.bases
                   if isinstance(base, ast.Name)}
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name not in helpers and f"{node.name}(" not in calls:
                used = any(f"{node.name}(" in ast.unparse(other) for other in tree.body if other is not node)
                assert used, f"{path.name}: {node.name} is not run by any case"


def summary() -> str:
    """Per tool: models ported, and how many are exact on every figure (torch, torchinfo, the flop
    counter, the tool's own, every counting tool's)."""
    lines = [f"{'tool':24} {'ported':>6} {'exact':>6}  differences"]
    for peer in OWN:
        mine = [c for c in CASES if c.peer == peer]
        exact, differ = 0, []
        for case in mine:
            bad = []
            for figure in figures_of(case):
                ours, theirs = compared(case, figure)
                if ours != theirs:
                    known = " (explained)" if (case.id, figure) in KNOWN else ""
                    bad.append(f"{figure}: {ours} vs {theirs}{known}")
            exact += not bad
            differ += [f"{case.call}: {b}" for b in bad]
        lines.append(f"{peer:24} {len(mine):>6} {exact:>6}  " + "; ".join(differ))
    return "\n".join(lines)


if __name__ == "__main__":  # python tests/oracle/test_peers_models.py (with tests/support on PYTHONPATH)
    print(summary())
