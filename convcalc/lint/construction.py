"""Checks torch makes when a layer is constructed (issue 22, item 6): ``Conv2d(90, 360, 1,
groups=8)``, ``GroupNorm(8, 1)``, ``padding='same'`` with a stride, ``output_padding`` not below
the stride. torch refuses these in the constructor, so they are bugs even where no forward uses the
layer (a block built with other arguments, a branch not taken). The catalogue's own rule decides:
it is applied to inputs the layer's traits say it accepts (engine/probe.py); a layer that refuses
every one of them with CC106 is refused at its construction.
"""
from __future__ import annotations

from convcalc import codes
from convcalc.engine.evaluate import Evaluator
from convcalc.engine.probe import candidates
from convcalc.errors import ConvcalcError
from convcalc.layers.catalogue import lookup
from convcalc.layers.common import is_int


def refused(call) -> ConvcalcError | None:
    """The CC106 error torch's constructor would raise for the layer built by ``call``, or None."""
    spec = lookup(call.name)
    if spec is None or spec.traits.lazy or len(spec.operands) != 1:
        return None  # a layer of several tensors (Bilinear): its operands decide, where it runs
    try:
        evaluate = Evaluator({})
        bound = spec.bind(tuple(evaluate(a) for a in call.args), {k: evaluate(v) for k, v, _ in call.kwargs})
    except ConvcalcError:
        return None  # an argument problem: the walk reports it where the layer runs
    lead = [bound.values.get(name) for name in (spec.traits.channels, spec.traits.features) if name is not None]
    if not any(is_int(value) for value in lead):
        return None  # without its channels, the input tried would not be one the layer accepts
    first = None
    for shape in candidates(spec, bound):
        try:
            spec.rule(bound, shape)
        except ConvcalcError as exc:
            if exc.code != codes.CONFIG or exc.undecided:
                return None
            first = first or exc
            continue
        return None
    if first is None:
        return None
    return ConvcalcError(codes.CONFIG, f"{first.message} (PyTorch refuses it when the layer is built)", call.span)


def construction_findings(calls) -> list:
    """CC106 per construction torch refuses (with some of the arguments it is built with), each once."""
    out, seen = [], set()
    for call in calls:
        key = (call.span.line, call.span.col, call.span.path)
        if key in seen:
            continue
        error = refused(call)
        if error is not None:
            seen.add(key)
            out.append(error)
    return out
