"""TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder and
Transformer, as torch builds them, so that their parameters are model.parameters()'s.

An encoder layer is self-attention (MultiheadAttention(d_model, nhead, bias=bias)), then
linear1 (d_model -> dim_feedforward) and linear2 back, and two LayerNorms (of d_model, with a
bias when ``bias``); a decoder layer adds cross-attention over ``memory`` and a third norm.
TransformerEncoder/Decoder repeat a layer object num_layers times (deep copies: num_layers
times its parameters) with an optional final ``norm``; Transformer builds both stacks with
final LayerNorms. Shapes: the output is the source's (or the target's); the batch stands
where ``batch_first`` says, as for MultiheadAttention.

Mult-adds: torchinfo 1.8.0 counts the leaves that run, linear1, linear2 and the norms, each
as its parameters times its output's first dim: the batch with ``batch_first``, else the
sequence length L, whatever the batch (then the count does not grow with it). fvcore's
convention counts the attention (convcalc/layers/attention.py) and the two linear layers'
weights per position.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import mismatch
from convcalc.layers.attention import ANY, attention_fmas, check_masks, heads_check
from convcalc.layers.common import LayerError, Result, fmt_shape, is_int
from convcalc.layers.registry import Built, TorchFunction, Traits, register
from convcalc.symbolic.dims import render

LAYER_ARGS = dict(dim_feedforward=2048, dropout=0.1, activation=TorchFunction("relu"), layer_norm_eps=1e-5, batch_first=False,
                  norm_first=False, bias=True, device=None, dtype=None)


def sequences(count: int):
    """Where a layer of ``count`` sequences (src; tgt and memory) takes their batch: as batch_first
    says (the repeated layer's, for a stack); its masks are checked by the rule."""
    def batch(values: dict, shapes: tuple) -> tuple:
        layer = values.get("encoder_layer") or values.get("decoder_layer")
        batch_first = layer.args.values.get("batch_first") if isinstance(layer, Built) else values.get("batch_first")
        source = shapes[0]
        axis = None if source is not None and len(source) == 1 else (0 if batch_first is True else 1)
        return tuple(axis if i < count else ANY for i in range(len(shapes)))
    return batch


def probe(count: int):
    """``count`` sequences of one position of d_model features (a stack's: its layer's d_model)."""
    def shapes(values: dict) -> tuple:
        layer = values.get("encoder_layer") or values.get("decoder_layer")
        d = layer.args.values.get("d_model") if isinstance(layer, Built) else values.get("d_model")
        return ((1, d),) * count
    return shapes


ENCODER = Traits(features="d_model", field="unknown", batch=sequences(1), mixes=True,
                 equals=(("d_model", -1, "linear"),), probe=probe(1))
DECODER = ENCODER._replace(batch=sequences(2), probe=probe(2))
STACK = Traits(field="unknown", batch=sequences(1), mixes=True, probe=probe(1))
TWO_STACKS = STACK._replace(batch=sequences(2), features="d_model", equals=(("d_model", -1, "linear"),),
                            probe=probe(2))


class Numbers:
    """What one layer adds up to: parameters, the parameters of torchinfo's leaves, fvcore's count, and
    the output elements per sample of torchinfo's leaves (its memory figures, Result.leaves)."""

    def __init__(self, params=0, leaves=0, fmas=0, outputs=0):
        self.params, self.leaves, self.fmas, self.outputs = params, leaves, fmas, outputs

    def __add__(self, other):
        return Numbers(self.params + other.params, self.leaves + other.leaves, self.fmas + other.fmas,
                       self.outputs + other.outputs)

    def __mul__(self, count):
        return Numbers(self.params * count, self.leaves * count, self.fmas * count, self.outputs * count)


def settings(values: dict, layer: str) -> tuple:
    """(d_model, nhead, dim_feedforward, bias) of an encoder or decoder layer, checked as torch does."""
    d, heads, ff = values["d_model"], values["nhead"], values["dim_feedforward"]
    heads_check(layer, d, heads)
    if not is_int(ff) or ff < 1:
        raise LayerError(codes.ARGUMENT, f"{layer} argument dim_feedforward={ff!r} must be at least 1",
                         arg="dim_feedforward")
    activation = values["activation"]
    if activation not in ("relu", "gelu"):
        raise LayerError(codes.ARGUMENT, f"{layer} argument activation={activation!r} must be 'relu' or 'gelu' "
                                         f"(PyTorch: activation should be relu/gelu, not {activation})",
                         arg="activation")
    bias = values["bias"]
    if not isinstance(bias, bool):
        raise LayerError(codes.ARGUMENT, f"{layer} argument bias={bias!r} must be True or False", arg="bias")
    return d, heads, ff, bias


def norm(d, bias: bool) -> int:
    return 2 * d if bias else d


def attention(d, heads, bias: bool, length, keys) -> Numbers:
    """A MultiheadAttention(d, heads, bias=bias) of L queries over S keys: torchinfo counts none of it."""
    params = 4 * d * d + (4 * d if bias else 0)
    fmas = 2 * length * d * d + 2 * keys * d * d + attention_fmas(heads, length, keys, d // heads, d // heads)
    return Numbers(params, 0, fmas)


def feedforward(d, ff, bias: bool, length) -> Numbers:
    params = 2 * d * ff + ((ff + d) if bias else 0)
    return Numbers(params, params, 2 * length * d * ff, length * (ff + d))  # linear1's output, linear2's


def norms_of(count: int, d, bias: bool, length) -> Numbers:
    """``count`` LayerNorms over d_model: torchinfo's leaves, each its output of length x d."""
    params = count * norm(d, bias)
    return Numbers(params, params, 0, count * length * d)


def encoder_layer(values: dict, layer: str, length) -> Numbers:
    d, heads, ff, bias = settings(values, layer)
    return attention(d, heads, bias, length, length) + feedforward(d, ff, bias, length) + norms_of(2, d, bias, length)


def decoder_layer(values: dict, layer: str, length, keys) -> Numbers:
    d, heads, ff, bias = settings(values, layer)
    return (attention(d, heads, bias, length, length) + attention(d, heads, bias, length, keys)
            + feedforward(d, ff, bias, length) + norms_of(3, d, bias, length))


def expect_sequence(layer: str, which: str, shape, d) -> None:
    if len(shape) != 2:
        raise LayerError(codes.CONFIG, mismatch(layer, f"a 3-d {which} (sequence x features per sample, with the "
                                                       "batch)", f"{fmt_shape(shape)} per sample ({len(shape) + 1}-d "
                                                                 "with the batch)"))
    got = shape[-1]
    if is_int(got) and got != d:
        raise LayerError(codes.FEATURES, mismatch(layer, f"{which} of {d} features (d_model={d})",
                                                  f"{render(got)} ({which} {fmt_shape(shape)})")
                         + (f" (PyTorch: was expecting embedding dimension of {d}, but got {render(got)})"
                            if which in ("src", "tgt") else ""), arg="d_model")


def finish(shape, numbers: Numbers, batch_first: bool, formula: str) -> Result:
    """A Result of ``shape`` with torchinfo's count as its layout makes it (see the module's docstring)."""
    result = Result(shape, numbers.params, 0, formula)
    result.leaves = (numbers.outputs, numbers.leaves)
    if batch_first:
        result.macs = numbers.leaves
    else:
        result.macs, result.macs_fixed = 0, shape[0] * numbers.leaves
    result.fmas = numbers.fmas
    return result


def layer_formula(d, heads, ff, bias: bool, norms: int, attentions: int) -> str:
    attn = f"4*{d}*{d}" + (f" + 4*{d}" if bias else "")
    feed = f"2*{d}*{ff}" + (f" + {ff} + {d}" if bias else "")
    return (f"{attentions}*({attn})" if attentions > 1 else attn) + f" + {feed} + {norms}*{2 if bias else 1}*{d}"


@register("TransformerEncoderLayer", "d_model nhead", traits=ENCODER, operands="src src_mask? src_key_padding_mask?",
          call_params=(("is_causal", False),), **LAYER_ARGS)
def transformer_encoder_layer(args, src, src_mask=None, src_key_padding_mask=None) -> Result:
    values = args.values
    d, heads, ff, bias = settings(values, args.layer)
    expect_sequence(args.layer, "src", src, d)
    numbers = encoder_layer(values, args.layer, src[0])
    check_masks(args.layer, heads, src[0], src[0], src_key_padding_mask, src_mask)
    return finish(tuple(src), numbers, values["batch_first"] is True, layer_formula(d, heads, ff, bias, 2, 1))


@register("TransformerDecoderLayer", "d_model nhead", traits=DECODER,
          operands="tgt memory tgt_mask? memory_mask? tgt_key_padding_mask? memory_key_padding_mask?",
          call_params=(("tgt_is_causal", False), ("memory_is_causal", False)), **LAYER_ARGS)
def transformer_decoder_layer(args, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                              memory_key_padding_mask=None) -> Result:
    values = args.values
    d, heads, ff, bias = settings(values, args.layer)
    expect_sequence(args.layer, "tgt", tgt, d)
    expect_sequence(args.layer, "memory", memory, d)
    numbers = decoder_layer(values, args.layer, tgt[0], memory[0])
    check_masks(args.layer, heads, tgt[0], tgt[0], tgt_key_padding_mask, tgt_mask)
    check_masks(args.layer, heads, tgt[0], memory[0], memory_key_padding_mask, memory_mask)
    return finish(tuple(tgt), numbers, values["batch_first"] is True, layer_formula(d, heads, ff, bias, 3, 2))


def inner(args, name: str, kind: str) -> Built:
    """The layer object a stack repeats: a TransformerEncoderLayer (or DecoderLayer) built by the caller."""
    built = args[name]
    if not isinstance(built, Built) or built.name != kind:
        raise LayerError(codes.ARGUMENT, f"{args.layer} argument {name} must be a {kind}(...), not "
                                         f"{getattr(built, 'name', repr(built))}", arg=name)
    return built


def final_norm(args, d, length) -> Numbers:
    """The stack's optional ``norm``: a LayerNorm over d_model (its parameters, torchinfo's leaf)."""
    built = args["norm"]
    if built is None:
        return Numbers()
    if not isinstance(built, Built) or built.name != "LayerNorm":
        raise LayerError(codes.ARGUMENT, f"{args.layer} argument norm must be a LayerNorm(...) or None", arg="norm")
    result = built.result((d,))
    return Numbers(result.params, result.params, 0, length * d)


def repeats(args) -> int:
    count = args["num_layers"]
    if not is_int(count) or count < 0:
        raise args.bad("num_layers", "a non-negative integer")
    return count


@register("TransformerEncoder", "encoder_layer num_layers", traits=STACK,
          operands="src mask? src_key_padding_mask?", call_params=(("is_causal", None),), norm=None,
          enable_nested_tensor=True, mask_check=True)
def transformer_encoder(args, src, mask=None, src_key_padding_mask=None) -> Result:
    built = inner(args, "encoder_layer", "TransformerEncoderLayer")
    values = built.args.values
    d, heads, ff, bias = settings(values, built.name)
    expect_sequence(args.layer, "src", src, d)
    check_masks(args.layer, heads, src[0], src[0], src_key_padding_mask, mask)
    count = repeats(args)
    numbers = encoder_layer(values, built.name, src[0]) * count + final_norm(args, d, src[0])
    formula = f"{count}*({layer_formula(d, heads, ff, bias, 2, 1)})" + (" + norm" if args["norm"] is not None else "")
    return finish(tuple(src), numbers, values["batch_first"] is True, formula)


@register("TransformerDecoder", "decoder_layer num_layers", traits=STACK._replace(batch=sequences(2), probe=probe(2)),
          operands="tgt memory tgt_mask? memory_mask? tgt_key_padding_mask? memory_key_padding_mask?",
          call_params=(("tgt_is_causal", None), ("memory_is_causal", False)), norm=None)
def transformer_decoder(args, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                        memory_key_padding_mask=None) -> Result:
    built = inner(args, "decoder_layer", "TransformerDecoderLayer")
    values = built.args.values
    d, heads, ff, bias = settings(values, built.name)
    expect_sequence(args.layer, "tgt", tgt, d)
    expect_sequence(args.layer, "memory", memory, d)
    check_masks(args.layer, heads, tgt[0], tgt[0], tgt_key_padding_mask, tgt_mask)
    check_masks(args.layer, heads, tgt[0], memory[0], memory_key_padding_mask, memory_mask)
    count = repeats(args)
    numbers = decoder_layer(values, built.name, tgt[0], memory[0]) * count + final_norm(args, d, tgt[0])
    formula = f"{count}*({layer_formula(d, heads, ff, bias, 3, 2)})" + (" + norm" if args["norm"] is not None else "")
    return finish(tuple(tgt), numbers, values["batch_first"] is True, formula)


@register("Transformer", traits=TWO_STACKS,
          operands="src tgt src_mask? tgt_mask? memory_mask? src_key_padding_mask? tgt_key_padding_mask? "
                   "memory_key_padding_mask?",
          call_params=(("src_is_causal", None), ("tgt_is_causal", None), ("memory_is_causal", False)),
          d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, dropout=0.1,
          activation=TorchFunction("relu"), custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5, batch_first=False,
          norm_first=False, bias=True, device=None, dtype=None)
def transformer(args, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None) -> Result:
    """The encoder over src (its output, the memory, keeps src's shape), the decoder over tgt: tgt's shape out."""
    layer, values = args.layer, args.values
    if values["custom_encoder"] is not None or values["custom_decoder"] is not None:
        raise LayerError(codes.ARGUMENT, "Transformer: a custom_encoder or custom_decoder is not followed; build "
                                         "the stacks as TransformerEncoder and TransformerDecoder", arg="custom_encoder")
    d, heads, ff, bias = settings(values, layer)
    for which, shape in (("src", src), ("tgt", tgt)):
        if len(shape) != 2:
            expect_sequence(layer, which, shape, d)
    if src[-1] != tgt[-1] or (is_int(src[-1]) and src[-1] != d):
        raise LayerError(codes.FEATURES, mismatch(layer, f"src and tgt of {d} features (d_model={d})",
                                                  f"{render(src[-1])} and {render(tgt[-1])}")
                         + " (PyTorch: the feature number of src and tgt must be equal to d_model)", arg="d_model")
    check_masks(layer, heads, src[0], src[0], src_key_padding_mask, src_mask)
    check_masks(layer, heads, tgt[0], tgt[0], tgt_key_padding_mask, tgt_mask)
    check_masks(layer, heads, tgt[0], src[0], memory_key_padding_mask, memory_mask)
    encoders, decoders = repeats_of(args, "num_encoder_layers"), repeats_of(args, "num_decoder_layers")
    numbers_src = encoder_layer(values, layer, src[0]) * encoders + norms_of(1, d, bias, src[0])
    numbers_tgt = decoder_layer(values, layer, tgt[0], src[0]) * decoders + norms_of(1, d, bias, tgt[0])
    numbers = numbers_src + numbers_tgt
    formula = (f"{encoders}*({layer_formula(d, heads, ff, bias, 2, 1)}) + {decoders}*("
               f"{layer_formula(d, heads, ff, bias, 3, 2)}) + 2*{2 if bias else 1}*{d}")
    result = Result(tuple(tgt), numbers.params, 0, formula)
    result.leaves = (numbers.outputs, numbers.leaves)
    if values["batch_first"] is True:
        result.macs = numbers.leaves
    else:  # each stack's leaves by its own sequence's length
        result.macs, result.macs_fixed = 0, src[0] * numbers_src.leaves + tgt[0] * numbers_tgt.leaves
    result.fmas = numbers.fmas
    return result


def repeats_of(args, name: str) -> int:
    count = args[name]
    if not is_int(count) or count < 0:
        raise args.bad(name, "a non-negative integer")
    return count
