"""A model's input when none was given, from the first layer it meets: a layer whose input is
exactly channels + its rank (convolutions, BatchNorm2d/3d, InstanceNorm) tells the channels and
the rank, and the spatial sizes become the symbols L; H, W; D, H, W. A Linear tells the
features of a flat input (the rank is then assumed)."""
from __future__ import annotations

from typing import Optional

from convcalc import nodes as n
from convcalc.layers.common import AXES


def derive_input(spec, bound, span) -> Optional[n.Input]:
    """The derived Input (``derived=True``; ``rank_assumed`` on a Linear's), or None when the layer
    tells nothing."""
    traits = spec.traits
    if traits.features is not None:
        features = bound.values.get(traits.features)
        if type(features) is not int or features < 1:
            return None
        return n.Input((n.Num(features, span),), span, None, ASSUMED)
    if traits.channels is None or not traits.exact_rank:
        return None
    channels = bound.values.get(traits.channels)
    if type(channels) is not int or channels < 1:
        return None
    return n.Input((n.Num(channels, span),) + tuple(n.Name(s, span) for s in AXES[traits.rank]), span, None, EXACT)


EXACT, ASSUMED = "rank", "assumed"  # Input.derived: the rank is the first layer's, or assumed (a Linear first)


def network_input(program: n.Program) -> Optional[n.Input]:
    """The input a network file without an ``input`` line would need, from its first layer
    (``convcalc params`` counts parameters without one, as they do not depend on the sizes)."""
    from convcalc.engine.evaluate import Evaluator
    from convcalc.errors import ConvcalcError
    from convcalc.layers.catalogue import lookup

    scope: dict = {}
    for stmt in program.body:
        if isinstance(stmt, n.Let):
            try:
                scope[stmt.name] = Evaluator(scope)(stmt.value)
            except ConvcalcError:
                return None
        elif isinstance(stmt, n.Call):
            spec = lookup(stmt.name)
            if spec is None:
                return None
            try:
                evaluate = Evaluator(scope)
                bound = spec.bind(tuple(evaluate(a) for a in stmt.args), {k: evaluate(v) for k, v, _ in stmt.kwargs})
            except ConvcalcError:
                return None
            return derive_input(spec, bound, stmt.span)
        elif not isinstance(stmt, (n.Def, n.Input)):
            return None  # a block first: its first layer is not found here
    return None
