"""RNN, LSTM and GRU (stacked, bidirectional, LSTM's projections) and their cells.

A sequence layer takes (L, N, H_in), or (N, L, H_in) with ``batch_first=True``; its per-sample
shape is (L, H_in) either way, and the engine checks that the batch stands where the layer
takes it (convcalc/engine/batch.py). It gives ``output`` (L, D*H_out), ``h_n`` (D*num_layers,
H_out) and, for an LSTM, ``c_n`` (D*num_layers, H): the states are num_layers x N x H whatever
``batch_first`` says, so their batch is at dim 1. Initial states are optional operands (an
LSTM's ``hx`` is the pair (h_0, c_0)). Packed sequences are not followed.

Parameters are torch's: per layer and direction, weight_ih (G*H x in), weight_hh (G*H x H_out),
two biases of G*H, and an LSTM's weight_hr (P x H) with ``proj_size`` P, G being 1 (RNN), 4
(LSTM) or 3 (GRU). Mult-adds: torchinfo 1.8.0 multiplies these parameters by the first two dims
of the output, N*L (a cell's: N*H); fvcore's convention (torch.utils.flop_counter on its
reference path, CPU's fused oneDNN LSTM aside) counts one multiply-add per weight per step.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import mismatch
from convcalc.layers.common import LayerError, Result, fmt_shape, is_int
from convcalc.layers.registry import Traits, register
from convcalc.symbolic.dims import render

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3, "RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}
RNN_ARGS = dict(num_layers=1, nonlinearity="tanh", bias=True, batch_first=False, dropout=0.0, bidirectional=False,
                device=None, dtype=None)
LSTM_ARGS = dict(num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None)
GRU_ARGS = {k: v for k, v in LSTM_ARGS.items() if k != "proj_size"}  # GRU(proj_size=0) is a ValueError in torch


def sequence_batch(values: dict, shapes: tuple) -> tuple:
    """The input's batch at dim 0 with batch_first, else at dim 1; an initial state's at dim 1.
    A 2-d input (a sample of one dim) is one unbatched sequence to torch: no batch."""
    first = shapes[0] is not None and len(shapes[0]) == 1
    axis = None if first else (0 if values.get("batch_first") is True else 1)
    return (axis,) + (None if first else 1,) * (len(shapes) - 1)


def cell_batch(values: dict, shapes: tuple) -> tuple:
    """A cell takes (N, H_in) and states (N, H): the batch first; a 1-d input is unbatched."""
    first = shapes[0] is not None and len(shapes[0]) == 0
    return (None if first else 0,) * len(shapes)


SEQUENCE = Traits(features="input_size", field="unknown", batch=sequence_batch, mixes=True,
                  equals=(("input_size", -1, "linear"),), probe=lambda values: ((1, values["input_size"]),))
CELL = Traits(features="input_size", field="unknown", batch=cell_batch, mixes=True,
              equals=(("input_size", -1, "linear"),), probe=lambda values: ((values["input_size"],),))


def sequence_outputs(args) -> tuple:
    """output, h_n; an LSTM's output, (h_n, c_n)."""
    return ("output", ("h_n", "c_n")) if args.layer == "LSTM" else ("output", "h_n")


def cell_outputs(args) -> tuple:
    """h_1; an LSTMCell's h_1, c_1."""
    return ("h_1", "c_1") if args.layer == "LSTMCell" else ("h_1",)


def sizes(args) -> tuple:
    """(input_size, hidden_size) as torch checks them."""
    layer = args.layer
    for name in ("input_size", "hidden_size"):
        value = args[name]
        if not is_int(value):
            raise LayerError(codes.ARGUMENT, f"{layer} argument {name}={value!r} must be an integer (PyTorch: "
                                             f"{name} should be of type int, got: {type(value).__name__})", arg=name)
        if value <= 0:
            raise LayerError(codes.ARGUMENT, f"{layer} argument {name}={value} must be at least 1 (PyTorch: {name} "
                                             "must be greater than zero)", arg=name)
    return args["input_size"], args["hidden_size"]


def settings(args) -> tuple:
    """(input_size, hidden_size, num_layers, directions, proj_size, bias), checked in torch's order."""
    layer = args.layer
    dropout = args["dropout"]
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
        raise LayerError(codes.ARGUMENT, f"{layer} argument dropout={dropout!r} must be a number between 0 and 1 "
                                         "(PyTorch: dropout should be a number in range [0, 1] representing the "
                                         "probability of an element being zeroed)", arg="dropout")
    bias = args.bool("bias")
    args.bool("batch_first")
    if layer == "RNN":
        args.choice("nonlinearity", ("tanh", "relu"))
    fin, hidden = sizes(args)
    layers = args["num_layers"]
    if not is_int(layers) or layers <= 0:
        raise LayerError(codes.ARGUMENT, f"{layer} argument num_layers={layers!r} must be at least 1 (PyTorch: "
                                         "num_layers must be greater than zero)", arg="num_layers")
    directions = 2 if args.bool("bidirectional") else 1
    proj = args.values.get("proj_size", 0)
    if not is_int(proj) or proj < 0:
        raise LayerError(codes.ARGUMENT, f"{layer} argument proj_size={proj!r} must be a non-negative integer "
                                         "(PyTorch: proj_size should be a positive integer or zero to disable "
                                         "projections)", arg="proj_size")
    if proj >= hidden:
        raise LayerError(codes.ARGUMENT, f"{layer} argument proj_size={proj} must be smaller than hidden_size="
                                         f"{hidden} (PyTorch: proj_size has to be smaller than hidden_size)",
                         arg="proj_size")
    return fin, hidden, layers, directions, proj, bias


def expect_input(layer: str, shape: tuple, fin: int, ranks: tuple, what: str) -> None:
    if len(shape) not in ranks:
        full = len(shape) + 1
        raise LayerError(codes.CONFIG, mismatch(layer, what, f"{fmt_shape(shape)} per sample ({full}-d with the "
                                                             "batch)")
                         + f" (PyTorch: {layer}: Expected input to be {ranks[0]}D or {ranks[0] + 1}D, got {full}D "
                           "instead)")
    got = shape[-1]
    if is_int(got) and got != fin:
        raise LayerError(codes.FEATURES, mismatch(layer, f"{fin} input features (input_size={fin})",
                                                  f"{render(got)} (input {fmt_shape(shape)})")
                         + f" (PyTorch: input.size(-1) must be equal to input_size. Expected {fin}, got "
                           f"{render(got)})", arg="input_size")


def expect_state(layer: str, which: str, shape, wanted: tuple) -> None:
    """An initial state: num_layers*D x N x H, checked per sample (the batch at dim 1). torch's
    words are quoted for a batch of one, and name an LSTM's h_0 and c_0 as hidden[0] and hidden[1]."""
    if shape is None:
        return
    if tuple(shape) != wanted and all(is_int(d) for d in shape):
        shown = ", ".join(map(str, (wanted[0], 1, *wanted[1:])))
        got = ", ".join(map(render, (*shape[:1], 1, *shape[1:])))
        named = {"h_0": "hidden[0]", "c_0": "hidden[1]"}[which] if layer == "LSTM" else "hidden"
        raise LayerError(codes.CONFIG, mismatch(layer, f"{which} of {fmt_shape(wanted)} per sample ({wanted[0]} x N x "
                                                       f"{wanted[1]})", fmt_shape(shape))
                         + f" (PyTorch: Expected {named} size ({shown}), got [{got}])")


@register("RNN", "input_size hidden_size", traits=SEQUENCE, operands="input hx?", outputs=sequence_outputs,
          init_names="*args **kwargs", **RNN_ARGS)
@register("GRU", "input_size hidden_size", traits=SEQUENCE, operands="input hx?", outputs=sequence_outputs,
          init_names="*args **kwargs", **GRU_ARGS)
@register("LSTM", "input_size hidden_size", traits=SEQUENCE, operands="input h_0? c_0?", outputs=sequence_outputs,
          packs=(("hx", ("h_0", "c_0")),), init_names="*args **kwargs", **LSTM_ARGS)
def recurrent(args, shape, *states) -> Result:
    layer = args.layer
    fin, hidden, layers, directions, proj, bias = settings(args)
    gates = GATES[layer]
    out = proj or hidden
    expect_input(layer, shape, fin, (2,), "a 3-d input (sequence x features per sample, with the batch)")
    stacked = layers * directions
    expect_state(layer, "h_0", states[0] if states else None, (stacked, out))
    if layer == "LSTM":
        expect_state(layer, "c_0", states[1] if len(states) > 1 else None, (stacked, hidden))
    length = shape[0]
    per_step, weights = 0, 0
    for index in range(layers):
        width = fin if index == 0 else directions * out
        weight = gates * hidden * (width + out) + (proj * hidden if proj else 0)
        weights += directions * weight
        per_step += directions * (weight + (2 * gates * hidden if bias else 0))
    formula = _formula(directions, gates, hidden, fin, out, layers, proj, bias)
    states_out = [(stacked, out)] + ([(stacked, hidden)] if layer == "LSTM" else [])
    result = Result((length, directions * out), per_step, 0, formula)
    result.shapes = ((length, directions * out), *states_out)
    axis = 0 if args["batch_first"] else 1
    result.batch = (axis,) + (1,) * len(states_out)
    result.macs = length * per_step  # torchinfo: prod(output.shape[:2]) * params, N*L
    result.fmas = length * weights
    return result


def _formula(directions, gates, hidden, fin, out, layers, proj, bias) -> str:
    """4*6*(5 + 6 + 2): per layer and direction, the gates' weights over the input and the state, and the two biases."""
    tail = " + 2" if bias else ""

    def term(count: int, width) -> str:
        factors = [str(f) for f in (count, gates) if f != 1] + [str(hidden)]
        return "*".join(factors) + f"*({width} + {out}{tail})"
    parts = [term(directions, fin)]
    if layers > 1:
        parts.append(term((layers - 1) * directions, directions * out))
    if proj:
        parts.append(f"{layers * directions}*{proj}*{hidden}" if layers * directions > 1 else f"{proj}*{hidden}")
    return " + ".join(parts)


@register("RNNCell", "input_size hidden_size", traits=CELL, operands="input hx?", outputs=cell_outputs, bias=True,
          nonlinearity="tanh", device=None, dtype=None)
@register("GRUCell", "input_size hidden_size", traits=CELL, operands="input hx?", outputs=cell_outputs, bias=True,
          device=None, dtype=None)
@register("LSTMCell", "input_size hidden_size", traits=CELL, operands="input h_0? c_0?", outputs=cell_outputs,
          packs=(("hx", ("h_0", "c_0")),), bias=True, device=None, dtype=None)
def cell(args, shape, *states) -> Result:
    """One step: (N, H_in) -> (N, H); an LSTMCell gives (h_1, c_1)."""
    layer = args.layer
    fin, hidden = sizes(args)
    bias = args.bool("bias")
    if layer == "RNNCell":
        args.choice("nonlinearity", ("tanh", "relu"))
    if len(shape) != 1:
        full = len(shape) + 1
        raise LayerError(codes.CONFIG, mismatch(layer, "a 2-d input (features per sample, with the batch)",
                                                f"{fmt_shape(shape)} per sample ({full}-d with the batch)")
                         + f" (PyTorch: {layer}: Expected input to be 1D or 2D, got {full}D instead)")
    if is_int(shape[0]) and shape[0] != fin:
        raise LayerError(codes.FEATURES, mismatch(layer, f"{fin} input features (input_size={fin})", render(shape[0]))
                         + f" (PyTorch: input has inconsistent input_size: got {render(shape[0])} expected {fin})",
                         arg="input_size")
    for index, state in enumerate(states):
        if state is not None and tuple(state) != (hidden,) and all(is_int(d) for d in state):
            raise LayerError(codes.CONFIG, mismatch(layer, f"a hidden state of {hidden} features", fmt_shape(state))
                             + f" (PyTorch: hidden{index} has inconsistent hidden_size: got {fmt_shape(state)}, "
                               f"expected {hidden})")
    gates = GATES[layer]
    weights = gates * hidden * (fin + hidden)
    params = weights + (2 * gates * hidden if bias else 0)
    lead = f"{gates}*" if gates > 1 else ""
    result = Result((hidden,), params, 0, f"{lead}{hidden}*({fin} + {hidden}{' + 2' if bias else ''})")
    if layer == "LSTMCell":
        result.shapes = ((hidden,), (hidden,))
    result.macs = hidden * params  # torchinfo: prod(h_1.shape[:2]) * params, N*H
    result.fmas = weights
    return result
