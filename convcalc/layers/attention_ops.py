"""F.scaled_dot_product_attention as a tensor operation of the catalogue (its declaration is
read as the others in convcalc/layers/operations.py, which imports this module last; both take the
declaration's form from opspec.py).

query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev), the leading dims (heads,
the batch among them) equal, or with ``enable_gqa`` the key's and value's heads (dim -3) dividing
the query's. An ``attn_mask`` is a tensor: the Python frontend says it does not follow one (its
shape is not checked here). fvcore's convention, as torch.utils.flop_counter counts sdpa / 2:
the two products, L x S x (E + Ev) per leading index; torchinfo counts no function call.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import fmt_shape, product
from convcalc.layers.opspec import fail, operation, same_rank, text
from convcalc.symbolic import dims


def _fmas(shapes, args, out) -> dims.Dim:
    query, key, value = shapes[:3]
    return product(query[:-1]) * key[-2] * (query[-1] + value[-1])


@operation("scaled_dot_product_attention", operands="query key value",
           spellings="torch.nn.functional.scaled_dot_product_attention", field="layout", fmas=_fmas,
           attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False)
def scaled_dot_product_attention(shapes, args, node, warn):
    """softmax(Q K^T * scale) V over the last two dims, the leading ones equal (heads, batch)"""
    query, key, value = shapes[:3]
    shown = f"query {fmt_shape(query)}, key {fmt_shape(key)}, value {fmt_shape(value)}"
    if len(query) < 2:
        raise fail(codes.CONFIG, f"{text(node)}: {shown}: each needs a sequence and features per sample (with "
                                 "the batch first, 3 dims or more)", node)
    same_rank(shapes[:3], node)
    if key[-1] != query[-1] and not (dims.is_symbolic(key[-1]) or dims.is_symbolic(query[-1])):
        raise fail(codes.FEATURES, f"{text(node)}: {shown}: the query's and key's features "
                                   f"({dims.render(query[-1])} and {dims.render(key[-1])}) differ", node)
    if key[-2] != value[-2]:
        raise fail(codes.CONFIG, f"{text(node)}: {shown}: key and value differ in length", node)
    lead_q, lead_k, lead_v = query[:-2], key[:-2], value[:-2]
    if lead_k != lead_v:
        raise fail(codes.CONFIG, f"{text(node)}: {shown}: key and value differ in their leading dims", node)
    if args.get("enable_gqa") is True and lead_q and lead_k and lead_q[:-1] == lead_k[:-1]:
        heads, kv_heads = lead_q[-1], lead_k[-1]
        if type(heads) is int and type(kv_heads) is int and kv_heads and heads % kv_heads == 0:
            lead_k = lead_q
    if lead_q != lead_k:
        raise fail(codes.CONFIG, f"{text(node)}: {shown}: the leading dims differ (torch needs the query's, key's "
                                 "and value's batch and heads to match, or with enable_gqa the key's heads to "
                                 "divide the query's)", node)
    return (*lead_q, query[-2], value[-1])
