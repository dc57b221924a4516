"""RNN, LSTM, GRU (stacked, bidirectional, LSTM projections) and their cells, MultiheadAttention,
scaled dot-product attention and the transformer layers, in pure Python, inference mode (dropout
passes through), as torch computes them. The layer functions here (name, bound arguments,
operands, Weights) make the weights under torch's parameter names (``layers.0.self_attn.
in_proj_weight``) and give a list of tensors when the layer gives several, flat in the order of
its declaration's outputs (convcalc/layers/registry.py). Masks are additive floats (the executor
holds no booleans): torch's float masks.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional

from .activation import _sigmoid
from .tensor import Tensor, prod, transpose


def _matvec(weight: Tensor, x: List[float], bias: Optional[Tensor] = None) -> List[float]:
    rows, cols = weight.shape
    data = weight.data
    out = [sum(w * v for w, v in zip(data[r * cols:(r + 1) * cols], x)) for r in range(rows)]
    if bias is not None:
        out = [o + b for o, b in zip(out, bias.data)]
    return out


def _rows(x: Tensor) -> List[List[float]]:
    width = x.shape[-1]
    return [x.data[i:i + width] for i in range(0, len(x.data), width)] if width else []


def _moved(x: Tensor, a: int, b: int) -> Tensor:
    """Dims a and b of a 3-d tensor swapped."""
    return transpose(x, a, b)


class Prefixed:
    """A layer's Weights seen from one of its sub-modules: names get ``prefix``."""

    def __init__(self, weights, prefix: str):
        self.weights, self.prefix = weights, prefix

    def param(self, name: str, shape, low: float, high: float) -> Tensor:
        return self.weights.param(self.prefix + name, shape, low, high)

    def fan_in(self, name: str, shape, fan_in: int) -> Tensor:
        return self.weights.fan_in(self.prefix + name, shape, fan_in)


# ---------------------------------------------------------------- recurrences


def _step(mode: str, x: List[float], h: List[float], c: Optional[List[float]], w: dict, hidden: int,
          relu: bool):
    """One step of one layer and direction: (h', c')."""
    gi = _matvec(w["ih"], x, w.get("b_ih"))
    gh = _matvec(w["hh"], h, w.get("b_hh"))
    if mode == "RNN":
        total = [a + b for a, b in zip(gi, gh)]
        return [max(v, 0.0) if relu else math.tanh(v) for v in total], None
    if mode == "GRU":
        r = [_sigmoid(a + b) for a, b in zip(gi[:hidden], gh[:hidden])]
        z = [_sigmoid(a + b) for a, b in zip(gi[hidden:2 * hidden], gh[hidden:2 * hidden])]
        n = [math.tanh(a + ri * b) for a, ri, b in zip(gi[2 * hidden:], r, gh[2 * hidden:])]
        return [(1 - zi) * ni + zi * hi for zi, ni, hi in zip(z, n, h)], None
    g = [a + b for a, b in zip(gi, gh)]
    i = [_sigmoid(v) for v in g[:hidden]]
    f = [_sigmoid(v) for v in g[hidden:2 * hidden]]
    cand = [math.tanh(v) for v in g[2 * hidden:3 * hidden]]
    o = [_sigmoid(v) for v in g[3 * hidden:]]
    c2 = [fi * ci + ii * gi_ for fi, ci, ii, gi_ in zip(f, c, i, cand)]
    h2 = [oi * math.tanh(ci) for oi, ci in zip(o, c2)]
    if "hr" in w:
        h2 = _matvec(w["hr"], h2)
    return h2, c2


GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def recurrent(layer, a, xs, w):
    """nn.RNN / LSTM / GRU: (output, h_n[, c_n]) flat."""
    xs = xs if isinstance(xs, list) else [xs]
    x, states = xs[0], xs[1:]
    mode = layer
    fin, hidden, layers = a["input_size"], a["hidden_size"], a["num_layers"]
    proj = a.get("proj_size", 0) or 0
    out_size = proj or hidden
    directions = 2 if a["bidirectional"] else 1
    gates = GATES[mode]
    unbatched = x.ndim == 2
    if x.ndim not in (2, 3):
        raise ValueError(f"{layer}: Expected input to be 2D or 3D, got {x.ndim}D instead")
    if unbatched:
        x = x.reshape((x.shape[0], 1, x.shape[1]))
        states = [s.reshape((s.shape[0], 1, s.shape[1])) if s is not None else None for s in states]
    elif a["batch_first"]:
        x = _moved(x, 0, 1)
    length, batch, width = x.shape
    if width != fin:
        raise ValueError(f"input.size(-1) must be equal to input_size. Expected {fin}, got {width}")
    bound = 1.0 / math.sqrt(hidden)
    weights = []
    for index in range(layers):
        for direction in range(directions):
            suffix = f"_l{index}" + ("_reverse" if direction else "")
            width_in = fin if index == 0 else directions * out_size
            own = {"ih": w.param("weight_ih" + suffix, (gates * hidden, width_in), -bound, bound),
                   "hh": w.param("weight_hh" + suffix, (gates * hidden, out_size), -bound, bound)}
            if a["bias"]:
                own["b_ih"] = w.param("bias_ih" + suffix, (gates * hidden,), -bound, bound)
                own["b_hh"] = w.param("bias_hh" + suffix, (gates * hidden,), -bound, bound)
            if proj:
                own["hr"] = w.param("weight_hr" + suffix, (proj, hidden), -bound, bound)
            weights.append(own)
    stacked = layers * directions

    def initial(which: int, size: int) -> List[List[List[float]]]:
        given = states[which] if which < len(states) else None
        if given is None:
            return [[[0.0] * size for _ in range(batch)] for _ in range(stacked)]
        if given.shape != (stacked, batch, size):
            raise ValueError(f"Expected hidden size {(stacked, batch, size)}, got {list(given.shape)}")
        rows = _rows(given)
        return [rows[k * batch:(k + 1) * batch] for k in range(stacked)]

    h0 = initial(0, out_size)
    c0 = initial(1, hidden) if mode == "LSTM" else None
    sequence = [[row for row in _rows(x)[t * batch:(t + 1) * batch]] for t in range(length)]  # [t][b] -> features
    h_n, c_n = [], []
    relu = a.get("nonlinearity") == "relu"
    for index in range(layers):
        outputs = [[[] for _ in range(batch)] for _ in range(length)]
        for direction in range(directions):
            k = index * directions + direction
            own = weights[k]
            order = range(length - 1, -1, -1) if direction else range(length)
            hs, cs = [list(h) for h in h0[k]], ([list(c) for c in c0[k]] if c0 is not None else [None] * batch)
            for t in order:
                for b in range(batch):
                    hs[b], cs[b] = _step(mode, sequence[t][b], hs[b], cs[b], own, hidden, relu)
                    outputs[t][b] = outputs[t][b] + hs[b] if direction else hs[b] + outputs[t][b]
            h_n.append(hs)
            if c0 is not None:
                c_n.append(cs)
        sequence = outputs
    out = Tensor((length, batch, directions * out_size), [v for t in sequence for row in t for v in row])
    results = [out, Tensor((stacked, batch, out_size), [v for k in h_n for row in k for v in row])]
    if mode == "LSTM":
        results.append(Tensor((stacked, batch, hidden), [v for k in c_n for row in k for v in row]))
    if unbatched:
        return [r.reshape((r.shape[0], r.shape[2])) for r in results]
    if a["batch_first"]:
        results[0] = _moved(results[0], 0, 1)
    return results


def cell(layer, a, xs, w):
    """nn.RNNCell / LSTMCell / GRUCell: h_1 (an LSTMCell's: h_1, c_1)."""
    xs = xs if isinstance(xs, list) else [xs]
    x, states = xs[0], xs[1:]
    mode = layer[:-4]
    fin, hidden = a["input_size"], a["hidden_size"]
    if x.ndim not in (1, 2) or x.shape[-1] != fin:
        raise ValueError(f"{layer}: input of {x.shape} for input_size={fin}")
    unbatched = x.ndim == 1
    rows = [x.data] if unbatched else _rows(x)
    gates = GATES[mode]
    bound = 1.0 / math.sqrt(hidden)
    own = {"ih": w.param("weight_ih", (gates * hidden, fin), -bound, bound),
           "hh": w.param("weight_hh", (gates * hidden, hidden), -bound, bound)}
    if a["bias"]:
        own["b_ih"] = w.param("bias_ih", (gates * hidden,), -bound, bound)
        own["b_hh"] = w.param("bias_hh", (gates * hidden,), -bound, bound)

    def state(which: int) -> List[List[float]]:
        given = states[which] if which < len(states) else None
        if given is None:
            return [[0.0] * hidden for _ in rows]
        return [given.data] if unbatched else _rows(given)

    hs, cs = state(0), (state(1) if mode == "LSTM" else [None] * len(rows))
    made = [_step(mode, row, h, c, own, hidden, a.get("nonlinearity") == "relu") for row, h, c in zip(rows, hs, cs)]
    shape = (hidden,) if unbatched else (len(rows), hidden)
    h1 = Tensor(shape, [v for h, _ in made for v in h])
    if mode == "LSTM":
        return [h1, Tensor(shape, [v for _, c in made for v in c])]
    return h1


# ---------------------------------------------------------------- attention


def _softmax(values: List[float]) -> List[float]:
    top = max(values)
    if top == -math.inf:
        return [math.nan] * len(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def attend(q: List[List[float]], k: List[List[float]], v: List[List[float]], mask: Optional[List[List[float]]],
           scale: float) -> tuple:
    """softmax(q k^T * scale + mask) v for one head: (output rows, weight rows)."""
    weights = []
    for i, qi in enumerate(q):
        scores = [sum(a * b for a, b in zip(qi, kj)) * scale for kj in k]
        if mask is not None:
            scores = [s + m for s, m in zip(scores, mask[i])]
        weights.append(_softmax(scores))
    width = len(v[0]) if v else 0
    out = [[sum(wj * vj[d] for wj, vj in zip(wi, v)) for d in range(width)] for wi in weights]
    return out, weights


def _mask_rows(mask: Optional[Tensor], index: int, length: int, keys: int) -> Optional[List[List[float]]]:
    """The (length x keys) additive mask of one batch-and-head index of a 2-d or 3-d mask."""
    if mask is None:
        return None
    data = mask.data if mask.ndim == 2 else mask.data[index * length * keys:(index + 1) * length * keys]
    return [list(data[i * keys:(i + 1) * keys]) for i in range(length)]


def multihead(a, xs, w, embed: int, heads: int, batch_first: bool, need_weights: bool = True,
              average: bool = True):
    """MultiheadAttention's forward with its weights made under ``w``: [output] or [output, weights]."""
    query, key, value = xs[0], xs[1], xs[2]
    key_padding_mask = xs[3] if len(xs) > 3 else None
    attn_mask = xs[4] if len(xs) > 4 else None
    kdim = a.get("kdim") or embed
    vdim = a.get("vdim") or embed
    bias = a.get("bias", True)
    if embed % heads:
        raise ValueError("embed_dim must be divisible by num_heads")
    head = embed // heads
    bound = 1.0 / math.sqrt(embed)
    if kdim == embed and vdim == embed:
        packed = w.param("in_proj_weight", (3 * embed, embed), -bound, bound)
        wq, wk, wv = (Tensor((embed, embed), packed.data[i * embed * embed:(i + 1) * embed * embed])
                      for i in range(3))
    else:
        wq = w.param("q_proj_weight", (embed, embed), -bound, bound)
        wk = w.param("k_proj_weight", (embed, kdim), -bound, bound)
        wv = w.param("v_proj_weight", (embed, vdim), -bound, bound)
    bq = bk = bv = None
    if bias:
        packed_bias = w.param("in_proj_bias", (3 * embed,), -bound, bound)
        bq, bk, bv = (Tensor((embed,), packed_bias.data[i * embed:(i + 1) * embed]) for i in range(3))
    bias_k = w.param("bias_k", (1, 1, embed), -bound, bound) if a.get("add_bias_kv") else None
    bias_v = w.param("bias_v", (1, 1, embed), -bound, bound) if a.get("add_bias_kv") else None
    out_w = w.param("out_proj.weight", (embed, embed), -bound, bound)
    out_b = w.param("out_proj.bias", (embed,), -bound, bound) if bias else None
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = (t.reshape((1,) + t.shape) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.reshape((1,) + key_padding_mask.shape)
    elif not batch_first:
        query, key, value = (_moved(t, 0, 1) for t in (query, key, value))
    batch, length, width = query.shape
    keys = key.shape[1]
    if width != embed or key.shape[2] != kdim or value.shape[2] != vdim or value.shape[:2] != (batch, keys):
        raise ValueError(f"query {query.shape}, key {key.shape}, value {value.shape} do not fit embed_dim={embed}")
    outputs, all_weights = [], []
    zero = a.get("add_zero_attn")
    for b in range(batch):
        qs = [_matvec(wq, r, bq) for r in _rows(query)[b * length:(b + 1) * length]]
        ks = [_matvec(wk, r, bk) for r in _rows(key)[b * keys:(b + 1) * keys]]
        vs = [_matvec(wv, r, bv) for r in _rows(value)[b * keys:(b + 1) * keys]]
        extra = 0
        if bias_k is not None:
            ks.append(list(bias_k.data))
            vs.append(list(bias_v.data))
            extra += 1
        if zero:
            ks.append([0.0] * embed)
            vs.append([0.0] * embed)
            extra += 1
        seen = keys + extra
        merged = [[0.0] * seen for _ in range(length)]
        per_head = []
        concat = [[] for _ in range(length)]
        for h in range(heads):
            part = slice(h * head, (h + 1) * head)
            mask = _mask_rows(attn_mask, b * heads + h, length, keys)
            if key_padding_mask is not None:
                row = key_padding_mask.data[b * keys:(b + 1) * keys]
                mask = [[m + p for m, p in zip(mrow, row)] for mrow in mask] if mask is not None else \
                    [list(row) for _ in range(length)]
            if mask is not None and extra:
                mask = [r + [0.0] * extra for r in mask]
            out, weights = attend([q[part] for q in qs], [k[part] for k in ks], [v[part] for v in vs], mask,
                                  1.0 / math.sqrt(head))
            for i in range(length):
                concat[i].extend(out[i])
                merged[i] = [m + x / heads for m, x in zip(merged[i], weights[i])]
            per_head.append(weights)
        outputs.extend(_matvec(out_w, r, out_b) for r in concat)
        all_weights.append(merged if average else per_head)
    out = Tensor((batch, length, embed), [v for r in outputs for v in r])
    if unbatched:
        out = out.reshape((length, embed))
    elif not batch_first:
        out = _moved(out, 0, 1)
    if not need_weights:
        return [out]
    if average:
        shape = (batch, length, keys + (bias_k is not None) + bool(zero))
        data = [v for m in all_weights for r in m for v in r]
    else:
        shape = (batch, heads, length, keys + (bias_k is not None) + bool(zero))
        data = [v for m in all_weights for hw in m for r in hw for v in r]
    made = Tensor(shape, data)
    return [out, made.reshape(shape[1:]) if unbatched else made]


def multihead_attention(layer, a, xs, w):
    made = multihead(a, xs, w, a["embed_dim"], a["num_heads"], a["batch_first"], a.get("need_weights", True),
                     a.get("average_attn_weights", True))
    return made if len(made) > 1 else made[0]


def scaled_dot_product_attention(tensors, args) -> Tensor:
    """F.scaled_dot_product_attention(query, key, value): softmax(q k^T * scale) v over the last two
    dims, the leading ones broadcast; is_causal masks the upper triangle; enable_gqa repeats the
    key and value heads (dim -3)."""
    query, key, value = tensors[:3]
    scale = args.get("scale")
    length, width = query.shape[-2:]
    keys = key.shape[-2]
    if key.shape[-1] != width or value.shape[-2] != keys:
        raise ValueError(f"query {query.shape}, key {key.shape}, value {value.shape} do not fit")
    scale = 1.0 / math.sqrt(width) if scale is None else scale
    if args.get("enable_gqa") and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]
        key, value = (_repeat_heads(t, groups) for t in (key, value))
    lead_q, lead_k = query.shape[:-2], key.shape[:-2]
    if lead_q != lead_k or value.shape[:-2] != lead_k:
        raise ValueError(f"query {query.shape}, key {key.shape}, value {value.shape}: leading dims differ")
    mask = None
    if args.get("is_causal"):
        mask = [[0.0 if j <= i else -math.inf for j in range(keys)] for i in range(length)]
    count = prod(lead_q)
    vwidth = value.shape[-1]
    out: List[float] = []
    for index in range(count):
        q = _rows(Tensor((length, width), query.data[index * length * width:(index + 1) * length * width]))
        k = _rows(Tensor((keys, width), key.data[index * keys * width:(index + 1) * keys * width]))
        v = _rows(Tensor((keys, vwidth), value.data[index * keys * vwidth:(index + 1) * keys * vwidth]))
        rows, _ = attend(q, k, v, mask, scale)
        out.extend(x for r in rows for x in r)
    return Tensor(lead_q + (length, vwidth), out)


def _repeat_heads(t: Tensor, groups: int) -> Tensor:
    """repeat_interleave(groups, dim=-3)."""
    heads = t.shape[-3]
    block = prod(t.shape[-2:])
    out: List[float] = []
    for start in range(0, len(t.data), block * heads):
        for h in range(heads):
            piece = t.data[start + h * block:start + (h + 1) * block]
            for _ in range(groups):
                out.extend(piece)
    return Tensor(t.shape[:-3] + (heads * groups,) + t.shape[-2:], out)


# ---------------------------------------------------------------- transformer layers


def _linear(w, name: str, x: Tensor, fin: int, fout: int, bias: bool) -> Tensor:
    from .dense import linear

    weight = w.fan_in(name + ".weight", (fout, fin), fin)
    b = w.fan_in(name + ".bias", (fout,), fin) if bias else None
    return linear(x, weight, b)


def _norm(w, name: str, x: Tensor, d: int, eps: float, bias: bool) -> Tensor:
    from .norm import layer_norm

    weight = w.param(name + ".weight", (d,), 0.5, 1.5)
    b = w.param(name + ".bias", (d,), -0.5, 0.5) if bias else None
    return layer_norm(x, (d,), weight, b, eps)


def _plus(x: Tensor, y: Tensor) -> Tensor:
    return Tensor(x.shape, [a + b for a, b in zip(x.data, y.data)])


def _feedforward(w, v: dict, x: Tensor) -> Tensor:
    from .activation import gelu, relu

    d, ff, bias = v["d_model"], v["dim_feedforward"], v["bias"]
    hidden = _linear(w, "linear1", x, d, ff, bias)
    hidden = gelu(hidden) if v["activation"] == "gelu" else relu(hidden)
    return _linear(w, "linear2", hidden, ff, d, bias)


def _attention_block(w, name: str, v: dict, x: Tensor, memory: Tensor, mask, padding) -> Tensor:
    args = {"bias": v["bias"]}
    return multihead(args, [x, memory, memory, padding, mask], Prefixed(w, name + "."), v["d_model"], v["nhead"],
                     v["batch_first"], need_weights=False)[0]


def encoder_layer(v: dict, w, src: Tensor, mask=None, padding=None) -> Tensor:
    d, eps, bias = v["d_model"], v["layer_norm_eps"], v["bias"]
    x = src
    if v["norm_first"]:
        y = _norm(w, "norm1", x, d, eps, bias)
        x = _plus(x, _attention_block(w, "self_attn", v, y, y, mask, padding))
        x = _plus(x, _feedforward(w, v, _norm(w, "norm2", x, d, eps, bias)))
        return x
    x = _norm(w, "norm1", _plus(x, _attention_block(w, "self_attn", v, x, x, mask, padding)), d, eps, bias)
    return _norm(w, "norm2", _plus(x, _feedforward(w, v, x)), d, eps, bias)


def decoder_layer(v: dict, w, tgt: Tensor, memory: Tensor, masks=(None,) * 4) -> Tensor:
    tgt_mask, memory_mask, tgt_padding, memory_padding = masks
    d, eps, bias = v["d_model"], v["layer_norm_eps"], v["bias"]
    x = tgt
    if v["norm_first"]:
        y = _norm(w, "norm1", x, d, eps, bias)
        x = _plus(x, _attention_block(w, "self_attn", v, y, y, tgt_mask, tgt_padding))
        y = _norm(w, "norm2", x, d, eps, bias)
        x = _plus(x, _attention_block(w, "multihead_attn", v, y, memory, memory_mask, memory_padding))
        return _plus(x, _feedforward(w, v, _norm(w, "norm3", x, d, eps, bias)))
    x = _norm(w, "norm1", _plus(x, _attention_block(w, "self_attn", v, x, x, tgt_mask, tgt_padding)), d, eps, bias)
    x = _norm(w, "norm2", _plus(x, _attention_block(w, "multihead_attn", v, x, memory, memory_mask,
                                                     memory_padding)), d, eps, bias)
    return _norm(w, "norm3", _plus(x, _feedforward(w, v, x)), d, eps, bias)


def _check(v: dict, x: Tensor) -> None:
    if x.ndim not in (2, 3) or x.shape[-1] != v["d_model"]:
        raise ValueError(f"was expecting embedding dimension of {v['d_model']}, but got {x.shape[-1]}")
    if v["activation"] not in ("relu", "gelu"):
        raise ValueError(f"activation should be relu/gelu, not {v['activation']}")


def transformer_encoder_layer(layer, a, xs, w):
    xs = xs if isinstance(xs, list) else [xs]
    _check(a, xs[0])
    return encoder_layer(a, w, xs[0], *(xs[1:3]))


def transformer_decoder_layer(layer, a, xs, w):
    _check(a, xs[0])
    return decoder_layer(a, w, xs[0], xs[1], tuple(xs[2:6]) + (None,) * (6 - len(xs)))


def _final(w, name: str, built, x: Tensor) -> Tensor:
    if built is None:
        return x
    v = built.args.values
    shape = v["normalized_shape"]
    d = shape if type(shape) is int else shape[-1]
    return _norm(w, name, x, d, v["eps"], v["bias"])


def transformer_encoder(layer, a, xs, w):
    xs = xs if isinstance(xs, list) else [xs]
    v = a["encoder_layer"].args.values
    _check(v, xs[0])
    x = xs[0]
    for index in range(a["num_layers"]):
        x = encoder_layer(v, Prefixed(w, f"layers.{index}."), x, *(xs[1:3]))
    return _final(w, "norm", a["norm"], x)


def transformer_decoder(layer, a, xs, w):
    v = a["decoder_layer"].args.values
    _check(v, xs[0])
    x = xs[0]
    for index in range(a["num_layers"]):
        x = decoder_layer(v, Prefixed(w, f"layers.{index}."), x, xs[1], tuple(xs[2:6]) + (None,) * (6 - len(xs)))
    return _final(w, "norm", a["norm"], x)


def transformer(layer, a, xs, w):
    src, tgt = xs[0], xs[1]
    masks = tuple(xs[2:8]) + (None,) * (8 - len(xs))
    src_mask, tgt_mask, memory_mask, src_padding, tgt_padding, memory_padding = masks
    _check(a, src)
    _check(a, tgt)
    d, eps, bias = a["d_model"], a["layer_norm_eps"], a["bias"]
    memory = src
    for index in range(a["num_encoder_layers"]):
        memory = encoder_layer(a, Prefixed(w, f"encoder.layers.{index}."), memory, src_mask, src_padding)
    memory = _norm(w, "encoder.norm", memory, d, eps, bias)
    x = tgt
    for index in range(a["num_decoder_layers"]):
        x = decoder_layer(a, Prefixed(w, f"decoder.layers.{index}."), x, memory,
                          (tgt_mask, memory_mask, tgt_padding, memory_padding))
    return _norm(w, "decoder.norm", x, d, eps, bias)


LAYERS: Dict[str, object] = {
    "RNN": recurrent, "LSTM": recurrent, "GRU": recurrent,
    "RNNCell": cell, "LSTMCell": cell, "GRUCell": cell,
    "MultiheadAttention": multihead_attention,
    "TransformerEncoderLayer": transformer_encoder_layer, "TransformerDecoderLayer": transformer_decoder_layer,
    "TransformerEncoder": transformer_encoder, "TransformerDecoder": transformer_decoder,
    "Transformer": transformer,
}
