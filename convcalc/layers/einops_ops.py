"""einops' operations on a tensor of a forward: ``rearrange``, ``reduce`` and ``repeat`` (the
functions, and the ``Rearrange`` / ``Reduce`` layers of ``einops.layers.torch``), declared as
operations of the catalogue (operations.py). Their shape language is einpattern.py's; here the
batch is the input's first axis, and it must stay the output's first axis, alone (convcalc
follows one sample). ``axes_lengths`` are (name, size) pairs, as the call's keywords give them;
an axis given the batch's size (``b=x.shape[0]``) stands as -1.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.einpattern import BATCH, REDUCTIONS, BatchMoved, EinopsProblem, transform
from convcalc.layers.opspec import fail, one_sample, operation, text
from convcalc.layers.placement import BATCH_NAME, N, placed, placement
from convcalc.symbolic import dims


def einops_shape(kind: str, shape: tuple, pattern, axes_lengths, node) -> tuple:
    """The output shape of einops' ``kind``: on a per-sample ``shape``, the batch first (BATCH, kept
    first and alone); or on a tensor's full sizes (a Placed shape without a batch: the engine runs
    einops so, OpSpec.whole), the batch, if any, the size N among them, which may be composed with
    other axes (``'b (h d) n -> (b h) n d'``: the batch folded by h) and taken back apart. einops'
    refusals are findings in its words; a pattern that splits, reduces or repeats the batch is not
    followed."""
    if not isinstance(axes_lengths, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in axes_lengths):
        raise fail(codes.ARGUMENT, f"{text(node)}: axes_lengths must be (name, size) pairs", node)
    given = tuple((name, BATCH if size == -1 else size) for name, size in axes_lengths)
    for name, size in given:
        if size is not BATCH and (isinstance(size, bool) or not (type(size) is int or dims.is_symbolic(size))):
            raise fail(codes.ARGUMENT, f"{text(node)}: the size {size!r} of axis {name} is not an integer", node)
    if placement(shape)[0] is None:
        return whole_shape(kind, tuple(shape), pattern, given, node)
    try:
        out = transform(kind, pattern, given, (BATCH, *shape))
    except EinopsProblem as exc:
        raise refusal(kind, pattern, exc, ["B"] + [dims.render(d) for d in shape], node) from None
    except BatchMoved:
        raise one_sample(f"{text(node)}: the pattern {pattern!r} joins, splits, moves or reduces the batch "
                         "(the input's first axis)", node) from None
    if not out or out[0] is not BATCH:
        raise one_sample(f"{text(node)}: the pattern {pattern!r} does not keep the batch (the input's first axis) "
                         "first", node)
    if any(d is BATCH for d in out[1:]):
        raise one_sample(f"{text(node)}: the pattern {pattern!r} repeats the batch", node)
    return tuple(out[1:])


def whole_shape(kind: str, shape: tuple, pattern, given, node):
    """einops on a tensor's full sizes: a plain shape where the batch (N) comes out in one axis, times
    a whole factor (the engine places it there), a Placed one without a batch for a tensor that has none."""
    held = [d for d in shape if BATCH_NAME in dims.symbols(d)]
    if any(size is BATCH for _, size in given) and not held:
        raise one_sample(f"{text(node)}: an axis the batch's size on a tensor without a batch", node)
    given = tuple((name, N if size is BATCH else size) for name, size in given)
    shown = [dims.render(d).replace(BATCH_NAME, "B") for d in shape]
    try:
        out = tuple(transform(kind, pattern, given, shape))
    except EinopsProblem as exc:
        if held and BATCH_NAME in exc.message:  # the batch's own size decides: it splits the batch
            raise one_sample(f"{text(node)}: the pattern {pattern!r} splits the batch", node) from None
        raise refusal(kind, pattern, exc, shown, node) from None
    if not held:
        return placed(out, None)
    hits = [d for d in out if BATCH_NAME in dims.symbols(d)]
    factor = dims.exact_quotient(hits[0], N) if len(hits) == 1 else None
    if type(factor) is not int or factor < 1:
        raise one_sample(f"{text(node)}: the pattern {pattern!r} reduces, repeats or splits the batch", node)
    return out


def refusal(kind: str, pattern, exc: EinopsProblem, sizes: list, node):
    message = exc.message.replace("\n", "; ")
    return fail(codes.CONFIG, f"{text(node)}: {message} (einops: error while processing {kind}-reduction pattern "
                              f"{pattern!r}, input shape ({', '.join(sizes)}))", node, exc.undecided)


@operation("rearrange", "pattern", spellings="einops.rearrange einops.layers.torch.Rearrange", whole=True,
           axes_lengths=())
def rearrange(shapes, args, node, warn):
    """einops' axes reordered, composed and decomposed by a pattern ('b c (h p) w -> b (h w) (p c)')"""
    return einops_shape("rearrange", shapes[0], args["pattern"], args["axes_lengths"], node)


@operation("einops_reduce", "pattern reduction", spellings="einops.reduce einops.layers.torch.Reduce",
           whole=True, axes_lengths=())
def einops_reduce(shapes, args, node, warn):
    """einops' rearrange with the axes missing on the right reduced (min, max, sum, mean, prod, any, all)"""
    reduction = args["reduction"]
    if not isinstance(reduction, str):
        raise fail(codes.ARGUMENT, f"{text(node)}: a reduction given as {type(reduction).__name__}: convcalc "
                                   f"follows the named ones, {', '.join(REDUCTIONS)}", node)
    return einops_shape(reduction, shapes[0], args["pattern"], args["axes_lengths"], node)


@operation("einops_repeat", "pattern", spellings="einops.repeat", whole=True, axes_lengths=())
def einops_repeat(shapes, args, node, warn):
    """einops' rearrange with new axes (their sizes given) the input is repeated along"""
    return einops_shape("repeat", shapes[0], args["pattern"], args["axes_lengths"], node)
