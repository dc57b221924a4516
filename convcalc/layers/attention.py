"""nn.MultiheadAttention, and the attention these layers and F.scaled_dot_product_attention share.

MultiheadAttention(query, key, value) takes (L, N, E), (S, N, kdim), (S, N, vdim), or batch first
with ``batch_first=True``: per sample (L, E), (S, kdim), (S, vdim), the engine checking where
the batch stands (convcalc/engine/batch.py). It gives ``attn_output`` (L, E) and, with
``need_weights``, the weights (L, S) averaged over the heads, or (num_heads, L, S): those are
N x ... whatever ``batch_first`` says. ``add_bias_kv`` and ``add_zero_attn`` each add one key.
The masks are checked as torch checks them: ``key_padding_mask`` N x S, ``attn_mask`` L x S
(no batch) or N*num_heads x L x S.

Parameters: in_proj_weight 3E x E (or q/k/v_proj_weight when kdim or vdim differ from E),
in_proj_bias 3E, out_proj E x E + E, bias_k and bias_v 1 x 1 x E. Mult-adds: torchinfo 1.8.0
counts none (the module is not a leaf, and its out_proj is never called); fvcore's convention
counts the projections' weights per position and the two products of attention, Q K^T and
A V (what torch.utils.flop_counter counts on its reference path; CPU's fused attention kernel
has no flop formula there).
"""
from __future__ import annotations

from convcalc import codes
from convcalc.errors import mismatch
from convcalc.layers.common import LayerError, Result, fmt_shape, is_int
from convcalc.layers.placement import placement
from convcalc.layers.registry import Traits, register
from convcalc.symbolic.dims import render

ANY = ...  # an operand whose batch the rule checks itself (a mask: no batch, or the batch folded with the heads)


def attention_batch(values: dict, shapes: tuple) -> tuple:
    """query, key and value at dim 0 with batch_first, else at dim 1; unbatched (2-d) query: none."""
    query = shapes[0]
    axis = None if query is not None and len(query) == 1 else (0 if values.get("batch_first") is True else 1)
    sequences = tuple(axis for _ in shapes[:3])
    return sequences + (ANY,) * (len(shapes) - 3)


def attention_probe(values: dict) -> tuple:
    """query, key and value of one position each, as the layer takes them."""
    embed = values["embed_dim"]
    return tuple((1, embed if values[name] is None else values[name]) for name in ("embed_dim", "kdim", "vdim"))


ATTENTION = Traits(features="embed_dim", field="unknown", batch=attention_batch, mixes=True,
                   equals=(("embed_dim", -1, "linear"),), probe=attention_probe)


def heads_check(layer: str, embed, heads) -> None:
    """torch's construction checks: both positive, the heads dividing the embedding."""
    if not is_int(embed) or not is_int(heads) or embed <= 0 or heads <= 0:
        raise LayerError(codes.ARGUMENT, f"{layer}: embed_dim={embed!r} and num_heads={heads!r} must be positive "
                                         f"integers (PyTorch: embed_dim and num_heads must be greater than 0, got embed_dim={embed} and "
                                         f"num_heads={heads} instead)",
                         arg="embed_dim" if not is_int(embed) or embed <= 0 else "num_heads")
    if embed % heads:
        raise LayerError(codes.CONFIG, f"{layer}: num_heads={heads} does not divide embed_dim={embed} ({embed} / "
                                       f"{heads} = {embed / heads:g}) (PyTorch: embed_dim must be divisible by "
                                       "num_heads)", arg="num_heads")


def attention_outputs(args) -> tuple:
    """attn_output, attn_output_weights (None with need_weights=False)."""
    return ("attn_output", "attn_output_weights") if args.values.get("need_weights", True) is not False \
        else ("attn_output", None)


def last(layer: str, which: str, name: str, wanted, shape) -> None:
    got = shape[-1]
    if is_int(wanted) and is_int(got) and wanted != got:
        raise LayerError(codes.FEATURES, mismatch(layer, f"{which} of {wanted} features ({name}={wanted})",
                                                  f"{render(got)} ({which} {fmt_shape(shape)})")
                         + (f" (PyTorch: was expecting embedding dimension of {wanted}, but got {render(got)})"
                            if which == "query" else ""), arg=name)


def sequence_size(shape) -> str:
    """A sequence x features tensor as torch's attention shows it in a message, sequence first,
    then a batch of one: torch.Size([5, 1, 8])."""
    return f"torch.Size([{render(shape[0])}, 1, {', '.join(map(render, shape[1:]))}])"


def full(shape, batch_axis) -> str:
    """The tensor's full sizes, N for the batch: (3, N, 8)."""
    sizes = [render(d) for d in shape]
    if batch_axis is not None:
        sizes.insert(batch_axis, "N")
    return "(" + ", ".join(sizes) + ")"


def check_masks(layer: str, heads, length, keys, key_padding_mask, attn_mask) -> None:
    """key_padding_mask: N x S (per sample S); attn_mask: L x S, or N*num_heads x L x S."""
    if key_padding_mask is not None:
        at, factor = placement(key_padding_mask)
        if at != 0 or factor != 1 or len(key_padding_mask) != 1 or key_padding_mask[0] != keys:
            raise LayerError(codes.CONFIG, mismatch(layer, f"a key_padding_mask of N x {render(keys)}",
                                                    full(key_padding_mask, at))
                             + (f" (PyTorch: Expected key_padded_mask.shape[1] to be {render(keys)}, but got "
                                f"{render(key_padding_mask[0])})" if (at, len(key_padding_mask)) == (0, 1) else ""))
    if attn_mask is not None:
        at, factor = placement(attn_mask)
        two = at is None and tuple(attn_mask) == (length, keys)
        three = at == 0 and factor == heads and tuple(attn_mask) == (length, keys)
        if not (two or three):
            raise LayerError(codes.CONFIG, mismatch(layer, f"an attn_mask of {render(length)} x {render(keys)} or "
                                                           f"N*{heads} x {render(length)} x {render(keys)}",
                                                    full(attn_mask, at) if factor == 1 else
                                                    f"(N*{render(factor)}, {', '.join(map(render, attn_mask))})")
                             + (f" (PyTorch: The shape of the 2D attn_mask is torch.Size([{', '.join(map(render, attn_mask))}"
                                f"]), but should be ({render(length)}, {render(keys)}).)"
                                if at is None and len(attn_mask) == 2 else ""))


@register("MultiheadAttention", "embed_dim num_heads", traits=ATTENTION,
          operands="query key value key_padding_mask? attn_mask?", outputs=attention_outputs,
          call_params=(("need_weights", True), ("average_attn_weights", True), ("is_causal", False)),
          signature="query key value key_padding_mask need_weights attn_mask average_attn_weights is_causal",
          dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None, batch_first=False,
          device=None, dtype=None)
def multihead_attention(args, query, key, value, key_padding_mask=None, attn_mask=None) -> Result:
    layer = args.layer
    embed, heads = args["embed_dim"], args["num_heads"]
    heads_check(layer, embed, heads)
    bias = args.bool("bias")
    extra = args.bool("add_bias_kv") + args.bool("add_zero_attn")
    args.bool("batch_first")
    kdim = embed if args["kdim"] is None else args.size("kdim")
    vdim = embed if args["vdim"] is None else args.size("vdim")
    for name, shape in (("query", query), ("key", key), ("value", value)):
        if len(shape) != 2:
            full_rank = len(shape) + 1
            raise LayerError(codes.CONFIG, mismatch(layer, f"a 3-d {name} (sequence x features per sample, with the "
                                                           "batch)", f"{fmt_shape(shape)} per sample ({full_rank}-d "
                                                                     "with the batch)"))
    last(layer, "query", "embed_dim", embed, query)
    if key[:-1] != value[:-1]:
        raise LayerError(codes.CONFIG, f"{layer}: key {fmt_shape(key)} and value {fmt_shape(value)} differ in length "
                                       f"(PyTorch: key shape {sequence_size(key)} does not match value shape "
                                       f"{sequence_size(value)})")
    last(layer, "key", "kdim", kdim, key)
    last(layer, "value", "vdim", vdim, value)
    length, keys = query[0], key[0]
    check_masks(layer, heads, length, keys, key_padding_mask, attn_mask)
    same = kdim == embed and vdim == embed
    weights = embed * embed + embed * kdim + embed * vdim + embed * embed
    params = weights + (4 * embed if bias else 0) + (2 * embed if args["add_bias_kv"] else 0)
    projection = f"3*{embed}*{embed}" if same else f"{embed}*({embed} + {render(kdim)} + {render(vdim)})"
    formula = projection + f" + {embed}*{embed}" + (f" + 4*{embed}" if bias else "") + \
        (f" + 2*{embed}" if args["add_bias_kv"] else "")
    outputs = [(length, embed)]
    axis = 0 if args["batch_first"] else 1
    batch = [axis]
    if args.values.get("need_weights", True) is not False:
        keys_seen = keys + extra
        outputs.append((length, keys_seen) if args.values.get("average_attn_weights", True) is not False
                       else (heads, length, keys_seen))
        batch.append(0)
    result = Result(outputs[0], params, 0, formula)
    if len(outputs) > 1:  # with need_weights=False, one tensor (the forward's second result is None)
        result.shapes, result.batch = tuple(outputs), tuple(batch)
    result.macs = 0  # torchinfo counts no layer here (see the module's docstring)
    result.leaves = (0, 0)  # nor its bytes: a module with a child (out_proj) that its forward never calls
    result.fmas = length * embed * embed * 2 + keys * embed * (kdim + vdim) + attention_fmas(
        heads, length, keys + extra, embed // heads, embed // heads)
    return result


def attention_fmas(heads, length, keys, qk_dim, v_dim):
    """Q K^T and A V per sample: heads x L x S x (E_qk + E_v)/heads, flop_counter's sdpa count / 2."""
    return heads * length * keys * (qk_dim + v_dim)
