"""Lint checks over the steps of one walk (convcalc/lint/flow.py), registered with ``@check``.

A check receives the recorded steps and only calls ``report(MessageClass, span, *args)``; it asks
a layer's traits, never its name, where a trait says what it needs.
"""
from __future__ import annotations

from convcalc import nodes as n
from convcalc.errors import Span
from convcalc.layers.common import fmt_shape
from convcalc.lint import messages as m


# ---------------------------------------------------------------- the checks

CHECKS: list = []


def check(function):
    """Register a check: it receives the steps of one walk and ``report(MessageClass, span, *args)``."""
    CHECKS.append(function)
    return function


@check
def bias_before_norm(steps, report) -> None:
    """CC202: conv(bias=True) -> BatchNorm/InstanceNorm: the norm subtracts the per-channel mean."""
    for step in steps:
        source = step.source
        if not step.spec.traits.cancels_bias or source is None:
            continue
        flat_linear = source.row.kind == "linear" and len(source.row.input) == 1 and step.spec.traits.rank == 1
        if source.row.kind != "conv" and not flat_linear:  # a flat Linear output: one bias per feature
            continue
        if source.args.values.get("bias") is True:
            report(m.BiasBeforeNorm, bias_span(source.call), " ".join(source.call.text.split()), step.row.name,
                   step.call.span)


def bias_span(call: n.Call) -> Span:
    for key, value, key_span in call.kwargs:
        if key == "bias":
            return Span(key_span.line, key_span.col, value.span.end_line, value.span.end_col)
    return call.span


@check
def softmax_dim(steps, report) -> None:
    """CC210: nn.Softmax() / F.softmax(x) without dim."""
    for step in steps:
        if step.row.name in ("Softmax", "LogSoftmax") and step.args.values.get("dim") is None:
            rank = len(step.row.input)
            extra = ""
            if rank in (0, 2):
                extra = (f"; on this {fmt_shape(step.row.input)} input ({rank + 1}-d with the batch) it picks "
                         "dim 0, the batch")
            report(m.SoftmaxWithoutDim, step.call.span, step.row.name, extra)


@check
def dropout_rank(steps, report) -> None:
    """CC212: Dropout2d after Flatten/Linear (or on C x L) does not drop channels."""
    for step in steps:
        traits = step.spec.traits
        if not traits.drops_channels or len(step.row.input) == traits.rank + 1:
            continue
        shape = step.row.input
        if traits.rank == 1 and len(shape) == 1:
            effect = "PyTorch takes the 2-d batch as one unbatched C x L sample and zeroes whole samples"
        elif len(shape) == 1:
            effect = "PyTorch warns and drops single elements (use Dropout)"
        else:
            effect = f"PyTorch warns and treats it as a {len(shape) + 1}-d input (use Dropout{len(shape) - 1}d)" \
                if 2 <= len(shape) <= 4 else "PyTorch rejects or misreads it"
        spatial = {1: "length", 2: "height x width", 3: "depth x height x width"}[traits.rank]
        report(m.ChannelDropoutRank, step.call.span, step.row.name, spatial, f"{fmt_shape(shape)} ({len(shape)}-d)",
               effect)


def run_checks(steps: list, report) -> None:
    for each in CHECKS:
        each(steps, report)
