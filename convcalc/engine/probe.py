"""The parameters of a layer that no walk runs (a module registered in a Python model's tree
that forward does not call, as GoogLeNet's auxiliary heads in eval mode): its rule is applied
to an input it accepts, made from its traits, since a layer's parameter count does not depend
on the input's spatial size (a Lazy layer's does: that count is unknown)."""
from __future__ import annotations

from convcalc.engine.analysis import Registered
from convcalc.engine.evaluate import Evaluator
from convcalc.errors import ConvcalcError
from convcalc.layers.catalogue import lookup
from convcalc.layers.common import geometry_bound, is_int


def candidates(spec, args) -> list:
    """Input shapes per sample the layer may accept, most likely first."""
    traits, values = spec.traits, args.values
    if traits.probe is not None:
        return [traits.probe(values)]
    size = geometry_bound(args)
    lead = []
    for name in (traits.channels, traits.features):
        if name is not None and is_int(values.get(name)):
            lead.append(values[name])
    normalized = values.get("normalized_shape")
    if normalized is not None:  # LayerNorm: its own shape
        return [normalized if isinstance(normalized, tuple) else (normalized,)]
    count = values.get("num_parameters")
    if is_int(count):
        lead.append(count)
    if traits.features is not None:
        return [tuple(lead)]
    ranks = [traits.rank] if traits.rank else [2, 1, 3, 0]
    firsts = lead or [size]
    return [(first, *[size] * rank) for first in firsts for rank in ranks]


def layer_params(spec, args) -> tuple:
    """(params, buffers) of a layer with bound ``args``; (None, None) when they are not known."""
    if spec.traits.lazy:
        return None, None
    for shape in candidates(spec, args):
        try:
            result = spec.rule(args, *shape) if spec.traits.probe is not None else spec.rule(args, shape)
        except ConvcalcError:
            continue
        return result.params, result.buffers
    return None, None


def registered_entry(path: str, call) -> Registered:
    spec = lookup(call.name)
    params = buffers = None
    if spec is not None:
        try:
            evaluate = Evaluator({})
            bound = spec.bind(tuple(evaluate(a) for a in call.args), {k: evaluate(v) for k, v, _ in call.kwargs})
            params, buffers = layer_params(spec, bound)
        except ConvcalcError:
            pass
    if params is None:  # a Lazy layer that never ran: its count is not known, nor then the model's
        return Registered(path, call, 0, 0, known=False)
    return Registered(path, call, params, buffers)
