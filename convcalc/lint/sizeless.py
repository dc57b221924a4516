"""A Python model without an input size: the symbolic input its first layer tells, and which
findings made on it hold for every input size (the codes' ``needs_size`` and ``needs_rank``)."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.codes import CODES
from convcalc.errors import ConvcalcError
from convcalc.layers.common import AXES


def derived_input(program: n.Program) -> Optional[tuple]:
    """(Input, rank known) from the first layer, with symbolic spatial sizes; None if it tells nothing.

    A layer whose input is exactly channels + its rank (convolutions, BatchNorm2d/3d,
    InstanceNorm) gives channels and rank exactly; a Linear gives the features of a flat input
    (its rank is assumed, so fewer checks are trusted).
    """
    from convcalc.engine.evaluate import Evaluator
    from convcalc.layers.catalogue import lookup

    first = next((s for s in program.body if isinstance(s, (n.Call, n.Reshape))), None)
    if not isinstance(first, n.Call):
        return None
    spec = lookup(first.name)
    if spec is None:
        return None
    try:
        evaluate = Evaluator({})
        bound = spec.bind(tuple(evaluate(a) for a in first.args), {k: evaluate(v) for k, v, _ in first.kwargs})
    except (ConvcalcError, RecursionError):
        return None
    traits, span = spec.traits, first.span
    if traits.features is not None:
        features = bound.values.get(traits.features)
        if type(features) is not int or features < 1:
            return None
        return n.Input((n.Num(features, span),), span), False
    if traits.channels is None or not traits.exact_rank:
        return None
    channels = bound.values.get(traits.channels)
    if type(channels) is not int or channels < 1:
        return None
    dims_ = (n.Num(channels, span),) + tuple(n.Name(s, span) for s in AXES[traits.rank])
    return n.Input(dims_, span), True


def certain_without_size(code, message: str, rank_known: bool, layers: list) -> bool:
    """Whether a finding made with symbolic sizes (and maybe an assumed rank) holds for every input.

    Anything that needs a size is dropped (``needs_size`` in convcalc/codes.py: adds and concats,
    CC203's conditions, CC103, CC201); channel, feature and configuration findings
    (``needs_rank``) are kept when the rank is known (the first layer is a convolution or a
    2-d/3-d norm); with an assumed rank (a Linear first) only what needs neither, and
    Linear-to-Linear feature mismatches, are kept.
    """
    code = CODES[code]
    if not code.needs_size and not code.needs_rank:
        return True
    if "symbolic" in message:
        return False
    if code == codes.FEATURES and all(row.spec.traits.keeps_rank for row in layers):
        return True  # Linear to Linear through shape-keeping layers: the last dimension is exact
    return rank_known and not code.needs_size
