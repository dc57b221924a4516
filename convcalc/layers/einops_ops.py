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
from convcalc.layers.placement import placed, placement
from convcalc.symbolic import dims


def einops_shape(kind: str, shape: tuple, pattern, axes_lengths, node) -> tuple:
    """The per-sample output shape of einops' ``kind`` on a per-sample ``shape``: einops' refusals
    are findings in its words, a pattern that moves the batch is not followed."""
    if not isinstance(axes_lengths, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in axes_lengths):
        raise fail(codes.ARGUMENT, f"{text(node)}: axes_lengths must be (name, size) pairs", node)
    given = tuple((name, BATCH if size == -1 else size) for name, size in axes_lengths)
    for name, size in given:
        if size is not BATCH and (isinstance(size, bool) or not (type(size) is int or dims.is_symbolic(size))):
            raise fail(codes.ARGUMENT, f"{text(node)}: the size {size!r} of axis {name} is not an integer", node)
    at, fold = placement(shape)
    if at is None:  # a tensor without a batch (a buffer's table run through an embedding): every axis its own
        if any(size is BATCH for _, size in given):
            raise one_sample(f"{text(node)}: an axis the batch's size on a tensor without a batch", node)
    elif (at, fold) != (0, 1):
        raise one_sample(f"{text(node)}: the batch is not the input's first axis, whole", node)
    try:
        out = transform(kind, pattern, given, tuple(shape) if at is None else (BATCH, *shape))
    except EinopsProblem as exc:
        message = exc.message.replace("\n", "; ")
        full = ", ".join(([] if at is None else ["B"]) + [dims.render(d) for d in shape])
        raise fail(codes.CONFIG, f"{text(node)}: {message} (einops: error while processing {kind}-reduction "
                                 f"pattern {pattern!r}, input shape ({full}))", node, exc.undecided) from None
    except BatchMoved:
        raise one_sample(f"{text(node)}: the pattern {pattern!r} joins, splits, moves or reduces the batch "
                         "(the input's first axis)", node) from None
    if at is None:
        return placed(tuple(out), None)
    if not out or out[0] is not BATCH:
        raise one_sample(f"{text(node)}: the pattern {pattern!r} does not keep the batch (the input's first axis) "
                         "first", node)
    if any(d is BATCH for d in out[1:]):
        raise one_sample(f"{text(node)}: the pattern {pattern!r} repeats the batch", node)
    return tuple(out[1:])


@operation("rearrange", "pattern", spellings="einops.rearrange einops.layers.torch.Rearrange", axes_lengths=())
def rearrange(shapes, args, node, warn):
    """einops' axes reordered, composed and decomposed by a pattern ('b c (h p) w -> b (h w) (p c)')"""
    return einops_shape("rearrange", shapes[0], args["pattern"], args["axes_lengths"], node)


@operation("einops_reduce", "pattern reduction", spellings="einops.reduce einops.layers.torch.Reduce",
           axes_lengths=())
def einops_reduce(shapes, args, node, warn):
    """einops' rearrange with the axes missing on the right reduced (min, max, sum, mean, prod, any, all)"""
    reduction = args["reduction"]
    if not isinstance(reduction, str):
        raise fail(codes.ARGUMENT, f"{text(node)}: a reduction given as {type(reduction).__name__}: convcalc "
                                   f"follows the named ones, {', '.join(REDUCTIONS)}", node)
    return einops_shape(reduction, shapes[0], args["pattern"], args["axes_lengths"], node)


@operation("einops_repeat", "pattern", spellings="einops.repeat", axes_lengths=())
def einops_repeat(shapes, args, node, warn):
    """einops' rearrange with new axes (their sizes given) the input is repeated along"""
    return einops_shape("repeat", shapes[0], args["pattern"], args["axes_lengths"], node)
