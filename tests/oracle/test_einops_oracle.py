"""einops' shape language (convcalc/layers/einpattern.py) against einops itself.

hypothesis writes patterns from einops' alphabet (names, numbers, brackets, ``...``, ``->``,
stray characters) over tensors of known shapes, with axis sizes right, wrong or unused: einops
answers with a shape or refuses; convcalc must give the same shape, or refuse with einops' own
words. Then the operations of the catalogue on a forward: the batch kept first is followed, a
pattern that takes the batch into another axis is not followed (never a finding).
"""
import os
import warnings
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.errors import ConvcalcError
from convcalc.layers.einpattern import EinopsProblem, recipe
from convcalc.layers.operations import OPERATIONS, OneSample, output_shapes

if os.environ.get("CONVCALC_REQUIRE_ORACLE") == "1":
    import einops  # in the oracle extra: CI must not skip these
else:
    einops = pytest.importorskip("einops")
pytestmark = pytest.mark.oracle
ORACLE = dict(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
NODE = SimpleNamespace(text="op(x)", span=None)

TOKENS = ["a", "b", "c", "h", "w", "p1", "(", ")", "...", "1", "2", "3", "()", "_x", "a_", "."]


@st.composite
def patterns(draw):
    """A pattern that is often valid and sometimes not: each side's tokens drawn from einops'
    alphabet, or the right side a shuffle of the left's names."""
    left = draw(st.lists(st.sampled_from(TOKENS), min_size=0, max_size=6))
    if draw(st.booleans()):
        names = [t for t in left if t not in ("(", ")", ".")]
        right = draw(st.permutations(names))
        if draw(st.booleans()) and len(right) > 1:
            cut = draw(st.integers(0, len(right) - 1))
            right = list(right[:cut]) + ["(" + " ".join(right[cut:cut + 2]) + ")"] + list(right[cut + 2:])
    else:
        right = draw(st.lists(st.sampled_from(TOKENS), min_size=0, max_size=6))
    arrow = draw(st.sampled_from(["->", "->", "->", "", "-> ->"]))
    return f"{' '.join(left)} {arrow} {' '.join(right)}"


@st.composite
def cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=0, max_size=4)))
    sizes = draw(st.dictionaries(st.sampled_from(["a", "b", "c", "h", "w", "p1", "z", "_q"]), st.integers(1, 4),
                                 max_size=3))
    kind = draw(st.sampled_from(["rearrange", "repeat", "sum", "mean", "max", "prod", "median"]))
    return draw(patterns()), kind, shape, sizes


def einops_answer(kind, pattern, shape, sizes):
    import torch

    x = torch.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if kind in ("rearrange", "repeat"):
                out = getattr(einops, kind)(x, pattern, **sizes)
            else:
                out = einops.reduce(x, pattern, kind, **sizes)
        except einops.EinopsError as exc:
            return "error", str(exc).rstrip().split("\n")[-1].strip()
        except ValueError as exc:  # the pattern's split into two sides
            return "error", f"ValueError: {exc}"
    return "shape", tuple(out.shape)


def unordered(message: str) -> str:
    """einops prints a set of axes in its hash order: the items sorted, to compare."""
    if "{" not in message:
        return message
    head, _, rest = message.partition("{")
    items, _, tail = rest.partition("}")
    return head + "{" + ", ".join(sorted(items.split(", "))) + "}" + tail


@settings(**ORACLE)
@given(case=cases())
def test_the_shape_language_agrees_with_einops(case):
    pattern, kind, shape, sizes = case
    expected, value = einops_answer(kind, pattern, shape, sizes)
    try:
        ours = recipe(kind, pattern, tuple(sizes.items()), shape).shape
    except EinopsProblem as exc:
        assert expected == "error", f"{pattern!r} {kind} on {shape} {sizes}: einops gives {value}, convcalc " \
                                    f"refuses: {exc.message}"
        assert unordered(exc.message.split("\n")[-1].strip()) == unordered(value)
        return
    assert expected == "shape", f"{pattern!r} {kind} on {shape} {sizes}: einops refuses ({value}), convcalc " \
                                f"gives {ours}"
    assert ours == value


@pytest.mark.parametrize("pattern, sizes, per_sample", [
    ("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", {"p1": 4, "p2": 2}, (3, 8, 6)),
    ("b n (h d) -> b h n d", {"h": 4}, (5, 32)),
    ("... (h d) -> ... h d", {"d": 8}, (2, 32)),
    ("b c h w -> b (c h w) 1", {}, (2, 3, 4)),
])
def test_a_pattern_that_keeps_the_batch_first_is_followed_per_sample(pattern, sizes, per_sample):
    import torch

    bound = OPERATIONS["rearrange"].bind((), {"pattern": pattern, "axes_lengths": tuple(sizes.items())})
    out = output_shapes("rearrange", [per_sample], bound, NODE, lambda *a: None)
    assert out == tuple(einops.rearrange(torch.zeros(3, *per_sample), pattern, **sizes).shape[1:])


@pytest.mark.parametrize("op, pattern, extra", [
    ("rearrange", "b n d -> (b n) d", {}),
    ("rearrange", "b n d -> n b d", {}),
    ("rearrange", "(b t) c d -> b t c d", {"axes_lengths": (("t", 2),)}),
    ("einops_reduce", "b n d -> n d", {"reduction": "mean"}),
    ("einops_repeat", "b n d -> (b r) n d", {"axes_lengths": (("r", 2),)}),
])
def test_a_pattern_that_takes_in_the_batch_is_not_followed(op, pattern, extra):
    args = {"pattern": pattern, **extra}
    bound = OPERATIONS[op].bind((), args)
    with pytest.raises(OneSample):
        output_shapes(op, [(4, 6)], bound, NODE, lambda *a: None)


def test_einops_refusal_is_a_finding_in_its_words():
    bound = OPERATIONS["rearrange"].bind((), {"pattern": "b n (h d) -> b h n d", "axes_lengths": (("h", 7),)})
    with pytest.raises(ConvcalcError) as caught:
        output_shapes("rearrange", [(4, 48)], bound, NODE, lambda *a: None)
    assert not isinstance(caught.value, OneSample)
    assert "can't divide axis of length 48 in chunks of 7" in caught.value.message


# ---------------------------------------------------------------- model files that use einops

VIT = """
import torch
from torch import nn
from einops import rearrange, repeat, reduce
from einops.layers.torch import Rearrange, Reduce


# convcalc: input 3x32x32
class ViT(nn.Module):
    def __init__(self, image=32, patch=8, dim=64, heads=4, classes=10):
        super().__init__()
        n = (image // patch) ** 2
        self.heads = heads
        self.to_patch = nn.Sequential(
            Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch, p2=patch),
            nn.Linear(patch * patch * 3, dim),
        )
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.qkv = nn.Linear(dim, dim * 3)
        self.pool = Reduce("b n d -> b d", "mean")
        self.head = nn.Linear(dim, classes)

    def forward(self, img):
        x = self.to_patch(img)
        b, n, _ = x.shape
        cls = repeat(self.cls_token, "() n d -> b n d", b=b)
        x = torch.cat((cls, x), dim=1)
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = rearrange(q, "b n (h d) -> b h n d", h=self.heads)
        m = reduce(q, "b h n d -> b n", "max")
        x = x * m[..., None]
        x = self.pool(x)
        return self.head(x)
"""

CONV_MIXER = """
import torch.nn as nn
from einops.layers.torch import Rearrange, Reduce


# convcalc: input 3x16x16
class Mixer(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 2, stride=2),
            Rearrange("b c h w -> b h w c"),
            nn.LayerNorm(8),
            Rearrange("b h w c -> b c h w"),
            Reduce("b c (h 2) (w 2) -> b c h w", "max"),
            Rearrange("b c h w -> b (c h w)"),
            nn.Linear(8 * 4 * 4, 5),
        )

    def forward(self, x):
        return self.body(x)
"""


@pytest.mark.parametrize("text, name, shape", [(VIT, "ViT", (3, 32, 32)), (CONV_MIXER, "Mixer", (3, 16, 16))])
def test_a_model_file_using_einops_matches_torch(torch, text, name, shape):
    from source_models import ours, theirs

    model, analysis = ours(text)
    params, out = theirs(text, name, shape)
    assert model.complete and analysis.error is None, analysis.error and analysis.error.message
    assert (analysis.total_params, tuple(analysis.output)) == (params, out)


BROKEN = """
import torch.nn as nn
from einops import rearrange


# convcalc: input 5x48
class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        x = rearrange(x, "b n (h d) -> b h n d", h={heads})
        return self.fc(x)
"""


def test_einops_refusal_in_a_model_is_a_positioned_finding_in_einops_words(torch):
    from source_models import ours

    text = BROKEN.format(heads=7)
    with pytest.raises(Exception) as caught:  # einops itself refuses
        import textwrap

        namespace: dict = {}
        exec(compile(textwrap.dedent(text), "model.py", "exec"), namespace)
        namespace["Heads"]()(torch.zeros(2, 5, 48))
    assert "can't divide axis of length 48 in chunks of 7" in str(caught.value)
    _, analysis = ours(text)
    assert analysis.error.code == "CC106" and analysis.error.span.line == 13
    assert "can't divide axis of length 48 in chunks of 7" in analysis.error.message
    _, fine = ours(BROKEN.format(heads=6))
    assert fine.error is None and tuple(fine.output) == (6, 5, 8)


def test_a_layer_whose_pattern_einops_refuses_is_not_built():
    from source_models import ours

    text = CONV_MIXER.replace('"b c h w -> b h w c"', '"b c h w -> b h w"')
    with pytest.raises(AssertionError, match="0 models read"):
        ours(text)
    from convcalc.frontends.python.models import read_models

    result = read_models(text, "model.py")
    [(name, error)] = result.unfollowed
    assert name == "Mixer" and error.span.line == 12  # the Rearrange
    assert "Identifiers only on one side of expression" in error.message


def test_a_pattern_that_joins_the_batch_folds_it_and_one_that_splits_it_is_not_followed():
    """'b n d -> (b n) d' runs in torch: followed with the batch folded by the 5 positions ([N*5]x8),
    as a view that folds them is; 'b n d -> n b d' moves it (second); '(b1 b2) n d' with b2 given
    splits it: not followed (CC301), never a finding against code torch runs."""
    from source_models import ours

    base = BROKEN.format(heads=6).replace("nn.Linear(8, 8)", "nn.Linear(48, 8)")

    def with_end(pattern, extra=""):
        return base.replace('x = rearrange(x, "b n (h d) -> b h n d", h=6)\n        return self.fc(x)',
                            f'x = self.fc(x)\n        return rearrange(x, "{pattern}"{extra})')

    model, analysis = ours(with_end("b n d -> (b n) d"))
    assert analysis.error is None and model.complete and tuple(analysis.output) == (8,)
    assert getattr(analysis.output, "fold", 1) == 5
    model, analysis = ours(with_end("b n d -> n b d"))
    assert analysis.error is None and model.complete and getattr(analysis.output, "batch", 0) == 1
    model, analysis = ours(with_end("(b1 b2) n d -> b1 b2 n d", ", b2=2"))
    assert analysis.error is None and model.program.stopped.code == "CC301" and not model.complete


PACKED = """
import torch
import torch.nn as nn
from einops import pack, unpack, repeat


# convcalc: input 3x10x6
class Packed(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls = nn.Parameter(torch.randn(6))
        self.regs = nn.Parameter(torch.randn(2, 6))
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        b = x.shape[0]
        cls = repeat(self.cls, "d -> b d", b=b)
        regs = repeat(self.regs, "n d -> b n d", b=b)
        x, ps = pack([cls, regs, x], "b * d")
        x = self.fc(x)
        cls, regs, x = unpack(x, ps, "b * d")
        return cls, x
"""


def test_pack_and_unpack_in_a_model_match_torch(torch):
    """einops.pack / unpack (vit-pytorch's ViT 1d and register tokens) against einops itself."""
    from source_models import ours, theirs

    model, analysis = ours(PACKED)
    params, out = theirs(PACKED, "Packed", (3, 10, 6))
    assert model.complete and analysis.error is None
    assert analysis.total_params == params and tuple(tuple(o) for o in analysis.outputs) == out == ((4,), (3, 10, 4))
