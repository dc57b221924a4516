"""What a layer does to a receptive field and to fvcore's count, by its traits.

:data:`FIELD_RULES` maps a layer's ``field`` trait (convcalc/layers/registry.py) to the rule
that carries the field through it; a layer without one keeps the field (element-wise layers,
norms, dropout, Identity).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from convcalc.layers.common import product
from convcalc.metrics.fields import Field, adaptive, remap, resampled, spatial_dims, transposed
from convcalc.symbolic import dims


def _window(fld, spec, args, in_shape, out_shape, settings):
    """Conv, MaxPool, AvgPool: output v reads units v*s - p + d*m."""
    return _per_axis(fld, in_shape, settings, lambda a, k, s, p, d: a.window(k, s, p, d))


def _transposed(fld, spec, args, in_shape, out_shape, settings):
    return _per_axis(fld, in_shape, settings, transposed)


def _per_axis(fld, in_shape, settings, rule):
    nd = len(settings["kernel"])
    for i, dim in enumerate(spatial_dims(in_shape, nd)):
        k, s, (p, _), d = (settings["kernel"][i], settings["stride"][i], settings["padding"][i],
                           settings["dilation"][i])
        fld = fld.on_dim(dim, lambda a, k=k, s=s, p=p, d=d: rule(a, k, s, p, d))
    return fld


def _adaptive(fld, spec, args, in_shape, out_shape, settings):
    for dim in spatial_dims(in_shape, spec.traits.rank):
        fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
    return fld


def _resampled(fld, in_shape, out_shape, spatial, mode, scale, corners):
    scales = scale if isinstance(scale, tuple) else (scale,) * len(in_shape)
    for i, dim in enumerate(spatial):
        if mode == "area":
            fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim]: adaptive(a, L, O))
        else:
            fld = fld.on_dim(dim, lambda a, L=in_shape[dim], O=out_shape[dim], f=scales[i]:
                             resampled(a, L, O, mode, f, corners))
    return fld


def _upsample(fld, spec, args, in_shape, out_shape, settings):
    """Upsample, UpsamplingNearest2d (mode nearest), UpsamplingBilinear2d (bilinear, align_corners)."""
    mode = args.values.get("mode", spec.traits.mode)
    corners = spec.traits.mode == "bilinear" or bool(args.values.get("align_corners"))
    scale = None if args.values.get("recompute_scale_factor") else args["scale_factor"]
    return _resampled(fld, in_shape, out_shape, range(1, len(in_shape)), mode, scale, corners)


def _pixel_shuffle(fld, spec, args, in_shape, out_shape, settings):
    return _resampled(fld, in_shape, out_shape, (1, 2), "nearest", args["upscale_factor"], False)


def _pixel_unshuffle(fld, spec, args, in_shape, out_shape, settings):
    r = args["downscale_factor"]
    for dim in (1, 2):
        fld = fld.on_dim(dim, lambda a: a.window(r, r, 0))
    return fld


def _pad(fld, spec, args, in_shape, out_shape, settings):
    """A pad shifts the units by its left padding."""
    nd = spec.traits.rank
    pads = args.ints("padding", 2 * nd, minimum=-(10**9))
    for i in range(nd):
        dim, left = len(in_shape) - 1 - i, pads[2 * i]
        fld = fld.on_dim(dim, lambda a, left=left: remap(a, a.period, a.jump, lambda v: [v - left]))
    return fld


def _linear(fld, spec, args, in_shape, out_shape, settings):
    """A Linear mixes its last axis: every unit sees all of it."""
    return fld.on_dim(len(in_shape) - 1, lambda a: replace(a, whole=True))


def _flatten(fld, spec, args, in_shape, out_shape, settings):
    from convcalc.layers.dense import batch_dim

    first = batch_dim("Flatten", "start_dim", args["start_dim"], len(in_shape))
    last = batch_dim("Flatten", "end_dim", args["end_dim"], len(in_shape))
    if first == last:
        return fld
    return fld.map(lambda a: replace(a, dim=first, flat=True) if first <= a.dim <= last
                   else replace(a, dim=a.dim - (last - first)) if a.dim > last else a)


def _unflatten(fld, spec, args, in_shape, out_shape, settings):
    from convcalc.layers.dense import batch_dim

    at = batch_dim("Unflatten", "dim", args["dim"], len(in_shape))
    grow = len(out_shape) - len(in_shape)
    return fld.map(lambda a: replace(a, unknown=a.known or a.unknown) if a.dim == at
                   else replace(a, dim=a.dim + grow) if a.dim > at else a)


def _unknown(fld, spec, args, in_shape, out_shape, settings):
    """Embedding, Fold, Unfold, MaxUnpool: the layout of the input is gone, and so is the field."""
    return None


def _glu(fld, spec, args, in_shape, out_shape, settings):
    """GLU halves one dim: along the channels the field stays; along a spatial dim it is not followed."""
    dim = args.values.get("dim", -1)
    full = len(in_shape) + 1
    return fld if isinstance(dim, int) and dim % full == 1 else None


FIELD_RULES = {"unknown": _unknown, "glu": _glu, "window": _window, "transposed": _transposed, "adaptive": _adaptive, "resample": _upsample,
               "shuffle": _pixel_shuffle, "unshuffle": _pixel_unshuffle, "pad": _pad, "linear": _linear,
               "flatten": _flatten, "unflatten": _unflatten}


def layer_field(spec, args, in_shape: tuple, out_shape: tuple, settings: dict, fld: Optional[Field]):
    """The field after one layer; ``settings`` are the window's kernel, stride, padding, dilation."""
    rule = FIELD_RULES.get(spec.traits.field)
    if fld is None or rule is None:
        return fld  # element-wise layers, normalisation, dropout, Identity keep it
    if rule is _window and not settings:
        return fld
    return rule(fld, spec, args, in_shape, out_shape, settings)


def fmas_of(spec, args, in_shape: tuple, row) -> dims.Dim:
    """fvcore's count for one layer, per sample (see convcalc/metrics/memory.py); a layer that
    declares its own (an LSTM, attention) gives it; a folded batch (N*k) counts k times."""
    return _fmas(spec, args, in_shape, row) * row.fold


def _fmas(spec, args, in_shape: tuple, row) -> dims.Dim:
    if row.declared[2] is not None:
        return row.declared[2]
    if row.kind == "conv":
        bias = row.shape[0] if args["bias"] else 0
        weight = row.params - bias
        positions = in_shape[1:] if spec.traits.transposed else row.shape[1:]
        return weight * product(positions)
    if row.kind == "linear":
        bias = row.shape[-1] if args["bias"] else 0
        return (row.params - bias) * product(row.shape[:-1])
    return 0


def window_settings(spec, args, in_shape: tuple, row) -> dict:
    """kernel, stride, padding (left, right) and dilation of a conv or pooling layer."""
    from convcalc.layers.conv import resolve_padding

    traits = spec.traits
    if row.geometry is None and not traits.transposed:
        return {}
    nd = traits.rank
    kernel = args.ints("kernel_size", nd)
    stride = kernel if args.values.get("stride", 1) is None else args.ints("stride", nd)
    dilation = args.ints("dilation", nd) if "dilation" in args.values else (1,) * nd
    if row.kind == "conv" and not traits.transposed:  # convolutions take 'same' and 'valid'
        padding = resolve_padding(spec.name, args, nd, kernel, dilation, stride)
    else:
        padding = tuple((p, p) for p in args.ints("padding", nd))
    return dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation)


def _op_axis(dim, rank: int):
    """The per-sample index of torch's dim (the engine checked it)."""
    return dim % (rank + 1) - 1


def op_field(name: str, args: dict, shapes: list, out_shape: tuple, fields: list) -> Optional[Field]:
    """The field after a tensor operation of a Python forward, by its declaration's ``field``
    (convcalc/layers/operations.py)."""
    from convcalc.layers.operations import lookup_operation
    from convcalc.metrics.fields import union

    first, rank = fields[0], len(shapes[0])
    kind = lookup_operation(name).field
    if first is None:
        return None
    if kind == "elementwise":  # unit by unit, what each operand's unit sees (a 1 broadcast sees its whole axis)
        return union([f for f, shape in zip(fields, shapes) if len(shape) == len(out_shape)]) \
            if all(len(s) == len(out_shape) for s in shapes) else None
    if kind == "reduce":
        chosen, keepdim = args["dim"], args["keepdim"]
        axes = {_op_axis(d, rank) for d in (chosen if isinstance(chosen, tuple) else (chosen,))}
        if not keepdim:
            return None if axes - {0} else first.map(lambda a: replace(a, dim=a.dim - 1))
        return first.map(lambda a: replace(a, whole=True) if a.dim in axes else a)
    if kind == "axis":  # a part along one axis: the channels keep the field, a spatial axis loses its layout
        at = _op_axis(args["dim"], rank)
        return first if at == 0 else first.on_dim(at, lambda a: replace(a, unknown=True))
    if kind == "pad":
        pads = tuple(args["pad"])
        for i in range(len(pads) // 2):
            dim, left = rank - 1 - i, pads[2 * i]
            first = first.on_dim(dim, lambda a, left=left: remap(a, a.period, a.jump, lambda v: [v - left]))
        return first
    return first.map(lambda a: replace(a, unknown=a.known or a.unknown))  # the layout moved: unknown


def op_fmas(name: str, args: dict, shapes: list, out_shape: tuple) -> dims.Dim:
    """fvcore's count for a tensor operation, per sample: its declaration's (matmul, einsum), else 0."""
    from convcalc.layers.operations import lookup_operation

    count = lookup_operation(name).fmas
    return count(shapes, args, out_shape) if count is not None else 0
