"""Recurrent layers, their cells, MultiheadAttention and the transformer layers against torch:
hypothesis draws a setting and a layout (batch first or sequence first, moved there by a
transpose in forward), and a small model file using the layer is read by convcalc and built by
torch. The full shape of every output (the batch where torch has it), the parameters, torchinfo
1.8.0's mult-adds at two batch sizes, and whether torch refuses, must all agree."""
import textwrap
import warnings

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convcalc import adapter
from convcalc.layers.placement import placement

pytestmark = pytest.mark.oracle
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BATCHES = (1, 3)

TEMPLATE = """
import torch
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = {layer}

    def forward(self, {inputs}):
{body}
"""


def source(layer: str, inputs: str, body: str) -> str:
    return textwrap.dedent(TEMPLATE).format(layer=layer, inputs=inputs, body=textwrap.indent(body, " " * 8))


def full(shape, batch: int) -> tuple:
    """A per-sample shape with the batch put back where convcalc says it stands."""
    at, fold = placement(shape)
    sizes = list(shape)
    if at is not None:
        sizes.insert(at, batch * fold)
    return tuple(sizes)


def convcalc_side(text: str, shapes: list, sizes: bool = False):
    """``sizes``: also torchinfo's forward/backward and parameter bytes."""
    from convcalc.metrics.memory import memory

    programs, override = adapter.programs("m.py", text, None, ", ".join("x".join(map(str, s)) for s in shapes))
    analysis = adapter.analyse(programs[0], override)
    if not analysis.ok or not analysis.complete:
        return analysis.error.code if analysis.error is not None else "incomplete"
    row = next(r for r in analysis.rows if r.spec is not None and r.spec.traits.mixes)
    outputs = row.outputs if row.outputs is not None else (row.shape,)
    return {batch: ([full(s, batch) for s in outputs], analysis.total_params, analysis.macs_at(batch))
            + ((memory(analysis, batch).forward_backward, memory(analysis, batch).torchinfo_params) if sizes else ())
            for batch in BATCHES}


def flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in flat(item)]
    return [] if value is None else [value]


def torch_side(torch, text: str, shapes: list, call: str, sizes: bool = False):
    """Each batch: the layer's outputs' shapes (run as the forward runs it), parameters, torchinfo's mult-adds."""
    import torchinfo

    space: dict = {}
    exec(compile(text, "m.py", "exec"), space)  # the test's own fixture, built in torch
    made = {}
    try:
        model = space["M"]().eval()
        for batch in BATCHES:
            inputs = [torch.randn(batch, *s) for s in shapes]
            seen = []
            hook = model.layer.register_forward_hook(lambda module, args, out: seen.append(out))
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model(*inputs)
                hook.remove()
                summary = torchinfo.summary(model, input_data=inputs, verbose=0)
            made[batch] = ([tuple(t.shape) for t in flat(seen[0])], sum(p.numel() for p in model.parameters()),
                           summary.total_mult_adds) + \
                ((summary.total_output_bytes, summary.total_param_bytes) if sizes else ())
    except (RuntimeError, ValueError, AssertionError, TypeError, IndexError):
        return None
    return made


def check(torch, text, shapes, mixed=False, sizes=False):
    """convcalc's numbers are torch's; where torch refuses, convcalc gives a finding. ``mixed``: the
    batch is where the layer reads a sequence: torch runs and mixes the samples, convcalc says CC108.
    ``sizes``: torchinfo's byte figures too."""
    expected = torch_side(torch, text, shapes, "", sizes)
    got = convcalc_side(text, shapes, sizes)
    if mixed:
        assert got == "CC108", text
    elif expected is None:
        assert isinstance(got, str), text
    else:
        assert got == expected, text


@st.composite
def recurrent_case(draw):
    kind = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
    fin, hidden = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    first = draw(st.booleans())
    settings_ = {"num_layers": draw(st.integers(1, 3)), "bidirectional": draw(st.booleans()),
                 "batch_first": first, "bias": draw(st.booleans())}
    if kind == "LSTM" and draw(st.booleans()):
        settings_["proj_size"] = draw(st.integers(0, 6))
    if kind == "RNN" and draw(st.booleans()):
        settings_["nonlinearity"] = "'relu'"
    given = fin if draw(st.integers(0, 5)) else draw(st.integers(1, 7))  # now and then the wrong input_size
    length = draw(st.integers(1, 5))
    # now and then the layout mixed up: a batch-first tensor into a sequence-first layer, or the other way
    moved = (not first) if draw(st.integers(0, 5)) else first
    args = ", ".join(f"{k}={v}" for k, v in settings_.items())
    body = ("x = x.transpose(0, 1)\n" if moved else "") + "out = self.layer(x)\nreturn out[0]"
    mixed = moved == first and given == fin and settings_.get("proj_size", 0) < hidden
    return source(f"nn.{kind}({fin}, {hidden}, {args})", "x", body), [(length, given)], mixed


@SETTINGS
@given(recurrent_case())
def test_recurrent_layers_match_torch(torch, case):
    check(torch, *case, sizes=True)


@st.composite
def cell_case(draw):
    kind = draw(st.sampled_from(["RNNCell", "LSTMCell", "GRUCell"]))
    fin, hidden = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    given = fin if draw(st.integers(0, 5)) else draw(st.integers(1, 9))
    bias = draw(st.booleans())
    body = "out = self.layer(x)\nreturn out[0] if isinstance(out, tuple) else out"
    return source(f"nn.{kind}({fin}, {hidden}, bias={bias})", "x", body), [(given,)]


@SETTINGS
@given(cell_case())
def test_recurrent_cells_match_torch(torch, case):
    check(torch, *case, sizes=True)


@st.composite
def attention_case(draw):
    heads = draw(st.integers(1, 4))
    embed = heads * draw(st.integers(1, 4)) + (0 if draw(st.integers(0, 6)) else 1)  # now and then not divisible
    kdim = embed if draw(st.booleans()) else draw(st.integers(1, 6))
    vdim = embed if draw(st.booleans()) else draw(st.integers(1, 6))
    first = draw(st.booleans())
    options = {"batch_first": first, "bias": draw(st.booleans()), "add_bias_kv": draw(st.booleans()),
               "add_zero_attn": draw(st.booleans()), "kdim": kdim, "vdim": vdim}
    query = embed if draw(st.integers(0, 6)) else embed + 1  # now and then the wrong embed_dim
    length, keys = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    need, average = draw(st.booleans()), draw(st.booleans())
    moves = "" if first else "q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)\n"
    body = moves + (f"a, w = self.layer(q, k, v, need_weights={need}, average_attn_weights={average})\n"
                    "return a")
    args = ", ".join(f"{k}={v}" for k, v in options.items())
    return (source(f"nn.MultiheadAttention({embed}, {heads}, {args})", "q, k, v", body),
            [(length, query), (keys, kdim), (keys, vdim)])


@SETTINGS
@given(attention_case())
def test_multihead_attention_matches_torch(torch, case):
    check(torch, *case, sizes=True)


@st.composite
def transformer_case(draw):
    kind = draw(st.sampled_from(["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder",
                                 "TransformerDecoder", "Transformer"]))
    heads = draw(st.integers(1, 3))
    d = heads * draw(st.integers(1, 3))
    first = draw(st.booleans())
    options = (f"dim_feedforward={draw(st.integers(1, 8))}, batch_first={first}, "
               f"norm_first={draw(st.booleans())}, bias={draw(st.booleans())}, "
               f"activation={draw(st.sampled_from(['relu', 'gelu']))!r}")
    length, keys = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    layers = draw(st.integers(1, 3))
    two = kind != "TransformerEncoderLayer" and kind != "TransformerEncoder"
    if kind == "Transformer":
        layer = (f"nn.Transformer({d}, {heads}, num_encoder_layers={layers}, num_decoder_layers="
                 f"{draw(st.integers(1, 2))}, {options})")
    elif kind.endswith("Layer"):
        layer = f"nn.{kind}({d}, {heads}, {options})"
    else:
        inner = kind + "Layer"
        norm = f", norm=nn.LayerNorm({d})" if draw(st.booleans()) else ""
        layer = f"nn.{kind}(nn.{inner}({d}, {heads}, {options}), {layers}{norm})"
    moves = "" if first else ("a, b = a.transpose(0, 1), b.transpose(0, 1)\n" if two else "a = a.transpose(0, 1)\n")
    body = moves + ("return self.layer(a, b)" if two else "return self.layer(a)")
    wrong = d if draw(st.integers(0, 6)) else d + 1
    shapes = [(length, wrong)] + ([(keys, d)] if two else [])
    return source(layer, "a, b" if two else "a", body), shapes


@SETTINGS
@given(transformer_case())
def test_transformer_layers_match_torch(torch, case):
    check(torch, *case, sizes=True)


# ---------------------------------------------------------------- the executor's values


def run_values(text: str, shapes: list, batch: int = 2):
    """The model in the reference executor, then in torch with the executor's weights: every layer's
    values within 1e-4 (tests/support/executor_torch.py)."""
    from executor_torch import ExecutionFailure, run_both

    programs, override = adapter.programs("m.py", text, None, ", ".join("x".join(map(str, s)) for s in shapes))
    analysis = adapter.analyse(programs[0], override)
    if not analysis.ok:
        return
    try:
        run_both(programs[0], override, batch=batch)
    except ExecutionFailure as exc:
        raise AssertionError(f"the executor refused a model convcalc accepts: {exc.message}") from None


VALUES = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@VALUES
@given(recurrent_case())
def test_the_executor_runs_recurrent_layers_as_torch(torch, case):
    run_values(*case[:2])


@VALUES
@given(cell_case())
def test_the_executor_runs_cells_as_torch(torch, case):
    run_values(*case[:2])


@VALUES
@given(attention_case())
def test_the_executor_runs_multihead_attention_as_torch(torch, case):
    run_values(*case[:2])


@VALUES
@given(transformer_case())
def test_the_executor_runs_transformer_layers_as_torch(torch, case):
    run_values(*case[:2])


INITIAL_STATES = """
import torch
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)

    def forward(self, x, h, c):
        h, c = h.transpose(0, 1), c.transpose(0, 1)
        out, (h_n, c_n) = self.layer(x, (h, c))
        return out
"""


def test_an_lstm_given_its_initial_states_runs_as_torch(torch):
    """h_0 and c_0 are num_layers*D x N x H whatever batch_first says: made batch-first as inputs,
    moved to dim 1."""
    run_values(INITIAL_STATES, [(5, 3), (4, 4), (4, 4)])
    got = convcalc_side(INITIAL_STATES, [(5, 3), (4, 4), (4, 4)])
    assert got[3][0] == [(3, 5, 8), (4, 3, 4), (4, 3, 4)]


# ---------------------------------------------------------------- fvcore's convention


def fvcore_total(text: str, shapes: list, batch: int):
    from convcalc.metrics.memory import total_macs

    programs, override = adapter.programs("m.py", text, None, ", ".join("x".join(map(str, s)) for s in shapes))
    analysis = adapter.analyse(programs[0], override, fields=True)
    return total_macs(analysis, "fvcore", batch) if analysis.ok else None


def flop_counter_total(torch, text: str, shapes: list, batch: int):
    """torch.utils.flop_counter's count / 2 of the model run on the meta device, where torch runs
    every layer through its reference kernels: on the CPU torch 2.13 runs an LSTM, the attention
    kernel without weights and the transformer layers' inference fast path as fused kernels of which
    the counter sees nothing (docs/conventions.md)."""
    from torch.utils.flop_counter import FlopCounterMode

    space: dict = {}
    exec(compile(text, "m.py", "exec"), space)
    try:
        with torch.device("meta"):
            model = space["M"]().eval()
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(*[torch.randn(batch, *s, device="meta") for s in shapes])
    except (RuntimeError, ValueError, AssertionError, TypeError, IndexError, NotImplementedError):
        return None
    return counter.get_total_flops() // 2


@SETTINGS
@given(st.one_of(recurrent_case(), cell_case(), attention_case(), transformer_case()))
def test_fvcore_mult_adds_are_flop_counters_halved(torch, case):
    """Every family, with and without attention weights: fvcore's convention is
    torch.utils.flop_counter's count / 2 (on the meta device: see flop_counter_total)."""
    text, shapes = case[:2]
    mixed = len(case) > 2 and case[2] is True
    expected = flop_counter_total(torch, text, shapes, 2)
    if expected is None or mixed:  # torch refuses, or runs with the batch mixed in (convcalc: CC108)
        return
    assert fvcore_total(text, shapes, 2) == expected, text


# ---------------------------------------------------------------- the batch through layout operations


@st.composite
def layout_chain(draw):
    """A description of 1 to 4 layout statements on a small input: permutes and transposes that
    move the batch, Flatten/Unflatten that fold it with positions or give them back, selects,
    squeezes, a Linear or LayerNorm over the last dim, an LSTM that takes it where it stands."""
    rank = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    lines, full = [], rank + 1
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["permute", "transpose", "Flatten", "Unflatten", "select", "unsqueeze",
                                     "Linear", "LayerNorm"]))
        if kind == "permute":
            lines.append(f"permute({', '.join(map(str, draw(st.permutations(range(full)))))})")
        elif kind == "transpose":
            lines.append(f"transpose({draw(st.integers(0, full - 1))}, {draw(st.integers(0, full - 1))})")
        elif kind == "Flatten" and full > 1:
            start = draw(st.integers(0, full - 2))
            lines.append(f"Flatten({start}, {draw(st.integers(start, full - 1))})")
            full = None
        elif kind == "Unflatten":
            lines.append(f"Unflatten({draw(st.integers(0, full - 1))}, (-1, {draw(st.sampled_from([1, 2, 3]))}))")
            full += 1
        elif kind == "select" and full > 2:
            lines.append(f"select({draw(st.integers(0, full - 1))}, 0)")
            full -= 1
        elif kind == "unsqueeze":
            lines.append(f"unsqueeze({draw(st.integers(0, full))})")
            full += 1
        elif kind in ("Linear", "LayerNorm"):
            lines.append("LAST")
        if full is None:
            break
    return "input " + "x".join(map(str, shape)), lines


def torch_whole(torch, lines, shape, batch):
    """Each statement done in torch on a batch: the whole output shape, or None where torch refuses."""
    from torch_backend import torch_op

    x = torch.randn(batch, *shape)
    for line in lines:
        name, rest = line.split("(", 1)
        values = eval("(" + rest[:-1] + ",)", {})  # the test's own statements
        try:
            if name == "Flatten":
                x = x.flatten(*values)
            elif name == "Unflatten":
                x = x.unflatten(*values)
            elif name == "Linear":
                x = torch.nn.Linear(*values)(x)
            elif name == "LayerNorm":
                x = torch.nn.LayerNorm(values[0])(x)
            else:
                args = {"permute": lambda v: {"dims": v}, "transpose": lambda v: {"dim0": v[0], "dim1": v[1]},
                        "select": lambda v: {"dim": v[0], "index": v[1]}, "unsqueeze": lambda v: {"dim": v[0]}}
                x = torch_op(name, [x], args[name](values))
        except (RuntimeError, IndexError, ValueError):
            return None
    return tuple(x.shape)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout_chain())
def test_the_batch_goes_where_torch_takes_it(torch, case):
    """Where convcalc follows the chain, the whole shape it gives (the batch put back where it says,
    times its fold) is torch's at two batch sizes; where it refuses, it says CC108 (the batch would
    be mixed or the layer reads it as something else) or torch refuses too."""
    head, lines = case
    shape = tuple(int(d) for d in head.split()[1].split("x"))
    analysis = walk_lines(head, lines, shape)
    if analysis is None:
        return
    text, result = analysis
    expected = {batch: torch_whole(torch, text, shape, batch) for batch in (2, 3)}
    event("followed" if result.ok else f"refused {result.error.code}")
    if not result.ok:
        assert result.error.code in ("CC108", "CC106", "CC102", "CC101", "CC002", "CC107") \
            or None in expected.values(), (text, result.error.message)
        if None in expected.values():
            return
        assert result.error.code == "CC108" or expected[2] is None, (text, result.error.message)
        return
    assert None not in expected.values(), (text, "convcalc follows what torch refuses")
    assert {batch: full(result.output, batch) for batch in (2, 3)} == expected, text


def walk_lines(head, lines, shape):
    """The chain as a description, a Linear/LayerNorm sized for the last dim convcalc finds there."""
    from convcalc.engine.shapes import analyse
    from convcalc.frontends.syntax import parse

    text = []
    for line in lines:
        if line == "LAST":
            partial = analyse(parse("\n".join([head] + text) + "\n", "t.net"))
            if not partial.ok or not partial.output:
                return None
            last = partial.output[-1]
            line = f"Linear({last}, 3)" if len(text) % 2 else f"LayerNorm({last})"
        text.append(line)
    return text, analyse(parse("\n".join([head] + text) + "\n", "t.net"))


ZERO_STATES = """
import torch
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.{kind}(5, 6, num_layers=2, batch_first=True)

    def forward(self, x):
        h0 = torch.zeros(2, x.size(0), 6)
{extra}        out = self.layer(x, {states})
        return out[0]
"""


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_hidden_states_made_from_the_batch_size_run_as_torch(torch, kind):
    """torch.zeros(num_layers, x.size(0), hidden): a new tensor with the batch at dim 1, as the states take it."""
    extra = "        c0 = torch.zeros(2, x.size(0), 6)\n" if kind == "LSTM" else ""
    text = textwrap.dedent(ZERO_STATES).format(kind=kind, extra=extra, states="(h0, c0)" if kind == "LSTM" else "h0")
    expected = torch_side(torch, text, [(4, 5)], "")
    assert convcalc_side(text, [(4, 5)]) == expected and expected is not None
    run_values(text, [(4, 5)])
