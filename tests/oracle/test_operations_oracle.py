"""Every tensor operation of the catalogue (convcalc/layers/operations.py) against torch.

For each operation a hypothesis strategy draws operand shapes (per sample) and arguments; the
shape rule, the reference executor and torch itself (tests/support/torch_backend.py's
``torch_op``) run it. Where torch answers, convcalc's shapes equal torch's and the executor's
values agree to 1e-4; where torch refuses, the rule refuses too. A test also holds that every
operation has an executor op, a strategy here and a line in docs/operations.md: adding an
operation without them fails.
"""
import math
import random
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from paths import ROOT

from convcalc.errors import ConvcalcError
from convcalc.executor import Tensor
from convcalc.executor.tensorops import OPS
from convcalc.layers.operations import OPERATIONS, output_shapes

ORACLE = dict(deadline=None, max_examples=int(__import__("os").environ.get("CONVCALC_ORACLE_EXAMPLES", 60)), suppress_health_check=[HealthCheck.function_scoped_fixture])
NODE = SimpleNamespace(text="op(x)", span=None)


def sizes(n, low=1, high=4):
    return st.lists(st.integers(low, high), min_size=n, max_size=n).map(tuple)


@st.composite
def two_broadcastable(draw):
    """Two tensors of a forward, each with the batch; of different ranks now and then (convcalc
    refuses those: torch would line one's batch up with a dim of the other's samples)."""
    rank = draw(st.integers(1, 3))
    a = draw(sizes(rank))
    b = tuple(1 if draw(st.booleans()) else s for s in a)
    if draw(st.integers(0, 4)) == 0:
        b = b[1:] or (1, 1)
    if draw(st.booleans()):
        a, b = b, a
    return [a, b], {}


@st.composite
def one(draw, rank_low=1, rank_high=3):
    return draw(sizes(draw(st.integers(rank_low, rank_high))))


def dim_of(draw, rank, new=False):
    """A torch dim that counts the batch, never the batch itself, sometimes negative."""
    full = rank + (2 if new else 1)
    d = draw(st.integers(1, full - 1))
    return d - full if draw(st.booleans()) else d


@st.composite
def reduction(draw):
    shape = draw(one())
    dims = draw(st.lists(st.integers(1, len(shape)), min_size=1, max_size=len(shape), unique=True))
    return [shape], {"dim": tuple(dims) if len(dims) > 1 else dims[0], "keepdim": draw(st.booleans())}


@st.composite
def statistics(draw):
    """A reduction's dims, with torch's older unbiased= or its correction= (0, 1 or 2): a size left
    with no degrees of freedom gives nan in both, and nan is no value to compare: drawn past."""
    shapes, args = draw(reduction())
    shape, dims = shapes[0], args["dim"] if isinstance(args["dim"], tuple) else (args["dim"],)
    count = 1
    for d in dims:
        count *= shape[d - 1]
    kind = draw(st.sampled_from(["unbiased", "correction"]))
    args.update(unbiased=draw(st.booleans()) if kind == "unbiased" else True,
                correction=draw(st.integers(0, 2)) if kind == "correction" else None)
    used = args["correction"] if args["correction"] is not None else int(args["unbiased"])
    assume(count - used > 0)
    return shapes, args


@st.composite
def permutation(draw):
    shape = draw(one())
    order = draw(st.permutations(range(1, len(shape) + 1)))
    return [shape], {"dims": (0, *order)}


@st.composite
def transposition(draw):
    shape = draw(one(2))
    return [shape], {"dim0": dim_of(draw, len(shape)), "dim1": dim_of(draw, len(shape))}


@st.composite
def squeezing(draw):
    shape = tuple(1 if draw(st.booleans()) else s for s in draw(one()))
    return [shape], {"dim": None if draw(st.booleans()) else dim_of(draw, len(shape))}


@st.composite
def unsqueezing(draw):
    shape = draw(one())
    return [shape], {"dim": dim_of(draw, len(shape), new=True)}


@st.composite
def slicing(draw):
    shape = draw(one())
    dim = draw(st.integers(1, len(shape)))
    size = shape[dim - 1]
    start = draw(st.none() | st.integers(-size, size - 1))
    stop = draw(st.none() | st.integers(-size, size))
    return [shape], {"dim": dim, "start": start, "stop": stop, "step": draw(st.integers(1, 3))}


@st.composite
def selecting(draw):
    shape = draw(one())
    dim = draw(st.integers(1, len(shape)))
    return [shape], {"dim": dim, "index": draw(st.integers(-shape[dim - 1], shape[dim - 1] - 1))}


@st.composite
def chunking(draw):
    shape = draw(one())
    return [shape], {"chunks": draw(st.integers(1, 5)), "dim": draw(st.integers(1, len(shape)))}


@st.composite
def splitting(draw):
    shape = draw(one())
    dim = draw(st.integers(1, len(shape)))
    size = shape[dim - 1]
    if draw(st.booleans()):
        return [shape], {"split_size_or_sections": draw(st.integers(1, 5)), "dim": dim}
    cuts = sorted(draw(st.lists(st.integers(0, size), max_size=3)))
    sections = tuple(b - a for a, b in zip([0] + cuts, cuts + [size]))
    return [shape], {"split_size_or_sections": sections, "dim": dim}


@st.composite
def stacking(draw):
    shape = draw(one())
    count = draw(st.integers(1, 3))
    return [shape] * count, {"dim": dim_of(draw, len(shape), new=True)}


@st.composite
def padding(draw):
    shape = draw(one())
    pairs = draw(st.integers(1, len(shape) + 1))  # the last: the batch's pair, (0, 0) as monai writes it
    pads = tuple(draw(st.integers(-1, 2)) for _ in range(2 * min(pairs, len(shape))))
    if pairs > len(shape):
        pads += draw(st.sampled_from([(0, 0), (0, 0), (1, 0)]))
    return [shape], {"pad": pads, "mode": "constant", "value": None}


@st.composite
def expanding(draw):
    shape = draw(one())
    target = tuple(draw(st.integers(1, 3)) if s == 1 else (-1 if draw(st.booleans()) else s) for s in shape)
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))  # dims before the batch: refused
    return [shape], {"size": (*lead, -1, *target)}


@st.composite
def repeating(draw):
    shape = draw(one())
    repeats = tuple(draw(st.integers(0, 3)) for _ in shape)
    batch = (1,) if draw(st.integers(0, 4)) else (draw(st.integers(2, 3)),)  # now and then the batch tiled: refused
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))  # dims before the batch: refused
    fewer = draw(st.integers(0, 5)) == 0  # fewer repeats than dims: torch refuses
    return [shape], {"repeats": (*lead, *batch, *(repeats[1:] if fewer and repeats else repeats))}


@st.composite
def expanding_as(draw):
    target = draw(one())
    shape = tuple(1 if draw(st.booleans()) else s for s in target)
    return [shape, target], {}


@st.composite
def matrices(draw):
    """Two tensors of a forward, each with the batch: n x k @ k x m with leading dims that broadcast."""
    k, n, m = (draw(st.integers(1, 4)) for _ in range(3))
    lead = draw(sizes(draw(st.integers(0, 2))))
    other = tuple(1 if draw(st.booleans()) else s for s in lead)
    inner = k if draw(st.integers(0, 5)) else k + 1
    return [lead + (n, k), other + (inner, m)], {}


@st.composite
def linear_maps(draw):
    """F.linear of a 1-3-d tensor per sample by a weight of in x out (in now and then not the last size)."""
    shape = draw(sizes(draw(st.integers(1, 3))))
    inner = shape[-1] if draw(st.integers(0, 5)) else shape[-1] + 1
    return [shape], {"in_features": inner, "out_features": draw(st.integers(1, 4)), "bias": draw(st.booleans())}


@st.composite
def takings(draw):
    """x[index] along a dim of 1-3 (now and then the batch's, which convcalc refuses), by an index of
    0-2 dims."""
    shape = draw(sizes(draw(st.integers(1, 3))))
    dim = draw(st.integers(-len(shape), len(shape))) if draw(st.integers(0, 5)) else 0
    return [shape], {"dim": dim, "index_shape": tuple(draw(st.lists(st.integers(1, 3), max_size=2)))}


@st.composite
def gathering(draw):
    """torch.gather along a dim, by an index of the input's rank whose other sizes are at most the
    input's (now and then one larger, or another rank, which torch refuses)."""
    shape = draw(one())
    at = draw(st.integers(0, len(shape) - 1))
    index = tuple(draw(st.integers(1, 4)) if d == at else draw(st.integers(1, s + (1 if not draw(st.integers(0, 6))
                                                                                      else 0)))
                  for d, s in enumerate(shape))
    if not draw(st.integers(0, 8)):
        index = index + (1,)
    dim = at + 1 if draw(st.booleans()) else at - len(shape)
    return [shape, index], {"dim": dim}


@st.composite
def batched_matrices(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    return [(n, k), (k if draw(st.integers(0, 5)) else k + 1, m)], {}


AXES = "cdefghkmnpqrstuvwxyz"


@st.composite
def einops_case(draw, kind):
    """An einops pattern on a tensor of 1-3 dims per sample: its dims split into named axes (sizes
    given for all but one of a group, now and then for all, now and then a wrong one), reordered
    and grouped on the right (a 1 or () now and then), some reduced (reduce) or new ones added
    (repeat); the batch stays first, named b or held by a leading ``...``."""
    names = iter(AXES)
    groups = [[(next(names), draw(st.integers(1, 3))) for _ in range(draw(st.integers(1, 2)))]
              for _ in range(draw(st.integers(1, 3)))]
    shape = tuple(math.prod(size for _, size in group) for group in groups)
    given = {}
    for group in groups:
        if len(group) > 1:
            skip = draw(st.integers(0, len(group)))
            given.update((name, size) for i, (name, size) in enumerate(group) if i != skip)
    axes = [name for group in groups for name, _ in group]
    kept = [a for a in axes if kind != "reduce" or draw(st.booleans())]
    new = [next(names) for _ in range(draw(st.integers(0, 2)))] if kind == "repeat" else []
    given.update((name, draw(st.integers(1, 3))) for name in new)
    order = draw(st.permutations(kept + new))
    right, i = [], 0
    while i < len(order):
        width = draw(st.integers(1, 3))
        part = list(order[i:i + width])
        right.append(part[0] if len(part) == 1 and draw(st.booleans()) else "(" + " ".join(part) + ")")
        i += width
    if draw(st.integers(0, 4)) == 0:
        right.insert(draw(st.integers(0, len(right))), draw(st.sampled_from(["1", "()"])))
    if given and draw(st.integers(0, 9)) == 0:
        wrong = draw(st.sampled_from(sorted(given)))
        given[wrong] += 1  # einops refuses, and so must convcalc
    if draw(st.integers(0, 19)) == 0:
        given["z"] = 2  # an axis not in the pattern
    lead = "..." if draw(st.booleans()) else "b"
    left = " ".join(name if len(group) == 1 else "(" + " ".join(n for n, _ in group) + ")" for group in groups
                    for name in [group[0][0]])
    args = {"pattern": f"{lead} {left} -> {lead} {' '.join(right)}", "axes_lengths": tuple(given.items())}
    if kind == "reduce":
        args["reduction"] = draw(st.sampled_from(["min", "max", "sum", "mean", "prod", "any", "all"]))
    return [shape], args


@st.composite
def full_tensors(draw):
    shape = draw(one())
    size = tuple(draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 3))))
    return [shape], {"size": (-1, *size), "fill_value": draw(st.none() | st.floats(-2, 2))}


@st.composite
def einsums(draw):
    """Equations of one to three operands over letters i-l: contractions, outer products, diagonals,
    broadcasts from 1, an ellipsis, implicit outputs; now and then a size that does not fit, a
    letter the output does not find, a subscript count off by one, or a batch that is summed."""
    letters = "ijkl"
    size = {c: draw(st.integers(1, 3)) for c in letters}
    count = draw(st.integers(1, 3))
    subs, shapes = [], []
    for _ in range(count):
        sub = "".join(draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3)))
        shape = [1 if draw(st.integers(0, 6)) == 0 else size[c] for c in sub]
        if draw(st.integers(0, 8)) == 0 and shape:
            shape[-1] += 1  # does not fit (unless it broadcasts)
        if draw(st.integers(0, 5)) == 0:  # an ellipsis over a dim or two of their own
            extra = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))]
            sub, shape = "..." + sub, extra + shape
        subs.append("b" + sub)
        shapes.append(tuple(shape))
    if draw(st.integers(0, 12)) == 0:
        shapes[0] = shapes[0] + (2,)  # a subscript count off by one
    seen = sorted(set("".join(subs)) - set("b."))
    if draw(st.integers(0, 4)) == 0:
        equation = ",".join(subs)  # implicit output (the batch appears in each: summed when several)
    else:
        out = draw(st.permutations(seen)) if seen else []
        out = "".join(out[:draw(st.integers(0, len(out)))])
        if any("..." in s for s in subs) and draw(st.booleans()):
            out = "..." + out
        if draw(st.integers(0, 12)) == 0:
            out += "z"  # in no operand
        equation = ",".join(subs) + "->b" + out
    return shapes, {"equation": equation}


@st.composite
def attentions(draw):
    """query, key and value of F.scaled_dot_product_attention: heads x L x E, heads x S x E, heads x S x Ev;
    now and then features or lengths that do not fit, fewer key heads (enable_gqa), causal, a scale."""
    heads, length, keys, features, vfeatures = (draw(st.integers(1, 3)) for _ in range(5))
    lead = (heads,) if draw(st.booleans()) else ()
    kv_heads = heads
    gqa = bool(lead) and draw(st.booleans())
    if gqa:
        kv_heads = draw(st.sampled_from([d for d in range(1, heads + 1) if heads % d == 0] + [heads + 1]))
    klead = (kv_heads,) if lead else ()
    kfeatures = features if draw(st.integers(0, 6)) else features + 1
    vkeys = keys  # torch 2.13's CPU kernel accepts a value longer than the key without a word: not drawn
    args = {"is_causal": draw(st.booleans()), "scale": draw(st.sampled_from([None, 0.5])), "enable_gqa": gqa}
    return [lead + (length, features), klead + (keys, kfeatures), klead + (vkeys, vfeatures)], args


@st.composite
def new_tensors(draw):
    """x.new_zeros(size): the batch size (-1) first, elsewhere (the batch moved: not compared), or not given."""
    shape = draw(one())
    size = list(draw(sizes(draw(st.integers(0, 3)))))
    where = draw(st.integers(0, len(size)))
    if draw(st.integers(0, 4)):
        size.insert(where, -1)
    return [shape], {"size": tuple(size)}


ELEMENTWISE = {"add": {"alpha": 1}, "sub": {"alpha": 1}, "mul": {}, "div": {"rounding_mode": None},
               "maximum": {}, "minimum": {}}
STRATEGIES = {
    **{name: two_broadcastable().map(lambda case, extra=extra: (case[0], dict(extra))) for name, extra in
       ELEMENTWISE.items()},
    **{name: reduction() for name in ("mean", "sum", "amax", "amin")},
    **{name: statistics() for name in ("var", "std", "var_mean", "std_mean")},
    "permute": permutation(), "transpose": transposition(), "squeeze": squeezing(), "unsqueeze": unsqueezing(),
    "slice": slicing(), "select": selecting(), "chunk": chunking(), "split": splitting(), "stack": stacking(),
    "pad": padding(), "expand": expanding(), "repeat": repeating(), "expand_as": expanding_as(), "matmul": matrices(),
    "bmm": batched_matrices(), "einsum": einsums(), "scaled_dot_product_attention": attentions(),
    "new_zeros": new_tensors(), "rearrange": einops_case("rearrange"), "einops_reduce": einops_case("reduce"),
    "einops_repeat": einops_case("repeat"), "new_full": full_tensors(), "linear": linear_maps(),
    "take": takings(), "gather": gathering(),
}

BATCH = 2


def run_convcalc(name, shapes, args):
    bound = dict(OPERATIONS[name].bind((), args))
    return output_shapes(name, [tuple(s) for s in shapes], bound, NODE, lambda code, message: None), bound


def batch_moves(torch_op, name, shapes, bound) -> bool:
    """Whether the output's first dim is not the batch (a size that equals the batch by chance
    hides it): the operation run again on another batch size."""
    import torch

    try:
        again = as_list(torch_op(name, [torch.rand(BATCH + 3, *s, dtype=torch.float64) for s in shapes], bound))
    except (RuntimeError, IndexError, ValueError, TypeError):
        return True
    return any(e.dim() == 0 or e.shape[0] != BATCH + 3 for e in again)


def flop_counter_fmas(torch_op, name, tensors, bound) -> int:
    """torch.utils.flop_counter's count of the operation / 2: fused multiply-adds, the fvcore convention."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        torch_op(name, tensors, bound)
    return counter.get_total_flops() // 2


def as_list(out):
    return out if isinstance(out, list) else [out]


def test_every_operation_has_an_executor_op_a_strategy_here_and_a_doc_line():
    doc = (ROOT / "docs" / "operations.md").read_text()
    for name, spec in OPERATIONS.items():
        assert name in OPS, f"{name}: no executor op (convcalc/executor/tensorops.py)"
        assert name in STRATEGIES, f"{name}: no oracle strategy (tests/oracle/test_operations_oracle.py)"
        assert f"| `{name}` |" in doc, f"{name}: no line in docs/operations.md"
        for spelling in spec.spellings:
            assert f"`{spelling}`" in doc, f"{name}: the spelling {spelling} is not in docs/operations.md"


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_an_operation_agrees_with_torch(name, torch):
    from torch_backend import torch_op

    @settings(**ORACLE)
    @given(case=STRATEGIES[name], seed=st.integers(0, 2 ** 31))
    def check(case, seed):
        shapes, args = case
        rng = random.Random(seed)
        ours = [Tensor.rand((BATCH, *s), rng) for s in shapes]
        theirs = [torch.tensor(t.data, dtype=torch.float64).reshape(t.shape) for t in ours]
        bound = dict(OPERATIONS[name].bind((), args))
        try:
            expected = torch_op(name, theirs, bound)
        except (RuntimeError, IndexError, ValueError, TypeError):
            with pytest.raises(ConvcalcError):
                run_convcalc(name, shapes, args)
            return
        expected = as_list(expected)
        if any(0 in e.shape[1:] for e in expected) or not expected:  # an empty tensor: convcalc refuses it (CC103)
            with pytest.raises(ConvcalcError):
                run_convcalc(name, shapes, args)
            return
        if any(e.dim() == 0 or e.shape[0] != BATCH for e in expected) or batch_moves(torch_op, name, shapes, bound):
            assume(False)  # the batch itself moved: convcalc refuses these, and says so
        if len({len(s) for s in shapes}) > 1 and name not in ("stack", "einsum", "scaled_dot_product_attention"):
            with pytest.raises(ConvcalcError):  # the batch would line up with a dim of a sample
                run_convcalc(name, shapes, args)
            return
        if name == "expand" and len(args["size"]) != len(shapes[0]) + 1:
            with pytest.raises(ConvcalcError):  # dims before the batch
                run_convcalc(name, shapes, args)
            return
        shape, _ = run_convcalc(name, shapes, args)
        assert [tuple(s) for s in as_list(shape)] == [tuple(e.shape[1:]) for e in expected]
        fmas = OPERATIONS[name].fmas
        ours_fmas = fmas([tuple(s) for s in shapes], bound, shape) * BATCH if fmas is not None else 0
        counted = flop_counter_fmas(torch_op, name, theirs, bound)
        if not (name == "scaled_dot_product_attention" and counted == 0):  # a CPU kernel without a flop formula
            assert ours_fmas == counted, "mult-adds (fvcore) differ"
        from convcalc.executor.tensorops import run

        values = as_list(run(name, ours, bound))
        for got, want in zip(values, expected):
            assert got.shape == tuple(want.shape)
            flat = want.reshape(-1).tolist()
            assert all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(got.data, flat))

    check()
