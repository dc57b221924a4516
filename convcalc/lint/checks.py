"""Lint checks over the rows of one walk (convcalc/lint/flow.py), registered with ``@check``.

A check receives the walk's :class:`~convcalc.lint.flow.Outcome` (its layer rows, each row's source
in the data flow) and only calls ``report(MessageClass, span, *args)``; it asks a layer's traits,
never its name, where a trait says what it needs.
"""
from __future__ import annotations

from convcalc import nodes as n
from convcalc.errors import Span
from convcalc.layers.common import fmt_shape, product
from convcalc.layers.placement import placement
from convcalc.lint import messages as m


# ---------------------------------------------------------------- the checks

CHECKS: list = []


def check(function):
    """Register a check: it receives the outcome of one walk and ``report(MessageClass, span, *args)``."""
    CHECKS.append(function)
    return function


@check
def bias_before_norm(outcome, report) -> None:
    """CC202: conv(bias=True) -> BatchNorm/InstanceNorm: the norm subtracts the per-channel mean."""
    for row in outcome.layers:
        source = outcome.source(row)
        if not row.spec.traits.cancels_bias or source is None:
            continue
        flat_linear = source.kind == "linear" and len(source.input) == 1 and row.spec.traits.rank == 1
        if source.kind != "conv" and not flat_linear:  # a flat Linear output: one bias per feature
            continue
        if len(outcome.consumers(source)) > 1:
            continue  # the conv's output also goes elsewhere (a shortcut): there the bias is not cancelled
        if source.args.values.get("bias") is True:
            report(m.BiasBeforeNorm, bias_span(source.node), " ".join(source.node.text.split()), row.name,
                   row.node.span)


def bias_span(call: n.Call) -> Span:
    for key, value, key_span in call.kwargs:
        if key == "bias":
            return Span(key_span.line, key_span.col, value.span.end_line, value.span.end_col)
    return call.span


@check
def softmax_dim(outcome, report) -> None:
    """CC210: nn.Softmax() / F.softmax(x) without dim."""
    for row in outcome.layers:
        if row.spec.traits.implicit_dim and row.args.values.get("dim") is None:
            rank = len(row.input)
            extra = ""
            if rank in (0, 2):
                extra = (f"; on this {fmt_shape(row.input)} input ({rank + 1}-d with the batch) it picks "
                         "dim 0, the batch")
            report(m.SoftmaxWithoutDim, row.node.span, row.name, extra)


@check
def dropout_rank(outcome, report) -> None:
    """CC212: Dropout2d after Flatten/Linear (or on C x L) does not drop channels."""
    for row in outcome.layers:
        traits = row.spec.traits
        if not traits.drops_channels or len(row.input) == traits.rank + 1:
            continue
        shape = row.input
        if traits.rank == 1 and len(shape) == 1:
            effect = "PyTorch takes the 2-d batch as one unbatched C x L sample and zeroes whole samples"
        elif len(shape) == 1:
            effect = "PyTorch warns and drops single elements (use Dropout)"
        else:
            effect = f"PyTorch warns and treats it as a {len(shape) + 1}-d input (use Dropout{len(shape) - 1}d)" \
                if 2 <= len(shape) <= 4 else "PyTorch rejects or misreads it"
        spatial = {1: "length", 2: "height x width", 3: "depth x height x width"}[traits.rank]
        report(m.ChannelDropoutRank, row.node.span, row.name, spatial, f"{fmt_shape(shape)} ({len(shape)}-d)",
               effect)


@check
def missing_flatten(outcome, report) -> None:
    """CC213: a Linear on channels x height x width straight from a convolution or a pool (through
    layers that keep the shape: activations, norms, dropout), with no flatten, view or reshape between."""
    for row in outcome.layers:
        if not row.spec.traits.features or len(row.input) < 3:
            continue
        source = outcome.source(row)
        while source is not None and not source.spec.traits.geometry and tuple(source.shape) == tuple(source.input):
            source = outcome.source(source)
        if source is not None and source.spec.traits.geometry and (source.spec.traits.rank or 0) >= 2:
            report(m.MissingFlatten, row.node.span, row.name, f"{fmt_shape(row.input)} ({len(row.input)}-d)",
                   source.name, source.node.span)


@check
def folded_output(outcome, report) -> None:
    """CC214: ``x.view(-1, 400)`` of 16x10x10: torch folds 4 rows of each sample into the batch (the
    engine follows it, shapes.reshape_shape); where the model's output still has them
    (Analysis.folded_rows), the output has 4 rows per sample (a flatten to another input's size)."""
    if outcome.analysis.error is not None or outcome.analysis.folded_rows is None:
        return
    view, fold = outcome.analysis.folded_rows
    out = next(outcome.analysis.rows[o].shape for o in outcome.analysis.output_sources
               if placement(outcome.analysis.rows[o].shape)[1] == fold)
    total = product(view.input)
    report(m.FoldedOutput, view.node.span, " ".join(view.node.text.split()), fold, fmt_shape(view.input), total,
           fold, fmt_shape(tuple(view.shape)), fmt_shape(out), fold, total)


def run_checks(outcome, report) -> None:
    for each in CHECKS:
        each(outcome, report)
