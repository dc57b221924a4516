"""BatchNorm, InstanceNorm, LayerNorm, GroupNorm and LocalResponseNorm."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, expect_channels, expect_rank, fmt_shape, fmt_value, is_int, product
from convcalc.errors import mismatch
from convcalc.layers.registry import Traits, register

NORM = dict(eps=1e-5, momentum=0.1)
SPATIAL = (1, 2, 3)


def instance_equalities(values: dict, shape: tuple) -> list:
    """InstanceNorm reads num_features only with affine weights or running statistics."""
    if values.get("affine") is True or values.get("track_running_stats") is True:
        return Traits(equals=(("num_features", 0, "channels"),)).equalities(values, shape)
    return []


def layer_norm_equalities(values: dict, shape: tuple) -> list:
    """normalized_shape must equal the last dims, one equation per dim."""
    normalized = values.get("normalized_shape")
    normalized = (normalized,) if is_int(normalized) else normalized
    if not (isinstance(normalized, tuple) and 0 < len(normalized) <= len(shape) and all(is_int(v) for v in normalized)):
        return []
    return [(len(shape) - len(normalized) + i, v, "layernorm") for i, v in enumerate(normalized)]


BATCH_NORM = Traits(channels="num_features", equals=(("num_features", 0, "channels"),), cancels_bias=True,
                    int_buffers=1)
INSTANCE_NORM = Traits(exact_rank=True, channels="num_features", equals=instance_equalities, cancels_bias=True,
                       int_buffers=1)
# per-sample ranks each family accepts: BatchNorm1d takes (C) or (C, L)
RANKS = {"BatchNorm1d": (1, 2), "BatchNorm2d": (3,), "BatchNorm3d": (4,),
         "InstanceNorm1d": (2,), "InstanceNorm2d": (3,), "InstanceNorm3d": (4,)}


# bias (torch 2.13): with affine, bias=False keeps the weight alone
@register("BatchNorm1d", "num_features", traits=BATCH_NORM, ranks=(1,), **NORM, affine=True,
          track_running_stats=True, device=None, dtype=None, bias=True)
@register("BatchNorm2d BatchNorm3d", "num_features", traits=BATCH_NORM._replace(exact_rank=True), ranks=(2, 3),
          **NORM, affine=True, track_running_stats=True, device=None, dtype=None, bias=True)
@register("InstanceNorm1d InstanceNorm2d InstanceNorm3d", "num_features", traits=INSTANCE_NORM, ranks=SPATIAL, **NORM,
          affine=False, track_running_stats=False, device=None, dtype=None, bias=True)
def batch_norm(args, shape) -> Result:
    layer = args.layer
    ranks = RANKS[layer]
    nd = args.traits.rank
    expect_rank(layer, shape, ranks, f"a {ranks[-1]}-d input (channels x {nd}-d image)" if nd > 1 or
                layer.startswith("Instance") else "a 1-d or 2-d input (features, or channels x length)")
    channels = args.size("num_features")
    affine = args.bool("affine")
    tracked = args.bool("track_running_stats")
    args.number("eps", 0)
    # without affine weights or running stats, batch statistics are used and num_features is never read
    if affine or tracked:
        expect_channels(layer, "num_features", channels, shape)
    if not tracked and product(shape[1:]) == 1:
        # statistics of the input itself need two values; BatchNorm pools the batch, InstanceNorm does not
        where = ("1 spatial element per channel" if layer.startswith("Instance")
                 else "1 value per channel at batch 1")
        raise LayerError(codes.CONFIG, f"{layer} without running statistics normalises over {where}; PyTorch "
                                  f"refuses (Expected more than 1 {'spatial element' if 'spatial' in where else 'value per channel'})")
    copies = (1 + args.bool("bias")) if affine else 0
    buffers = 2 * channels + 1 if tracked else 0
    return Result(shape, copies * channels, buffers, f"{copies}*{fmt_value(channels)}" if affine else "")


@register("LayerNorm", "normalized_shape", traits=Traits(equals=layer_norm_equalities, rows=True), eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None)
def layer_norm(args, shape) -> Result:
    value = args["normalized_shape"]
    normalized = (value,) if is_int(value) else value
    if not isinstance(normalized, tuple) or not normalized or not all(is_int(v) and v > 0 for v in normalized):
        raise args.bad("normalized_shape", "a positive integer or a tuple of them")
    tail = shape[len(shape) - len(normalized):] if len(normalized) <= len(shape) else None
    if tail is None or any(is_int(t) and t != v for t, v in zip(tail, normalized)):
        raise LayerError(codes.CHANNELS, f"LayerNorm normalizes over the last dims {fmt_value(normalized)}, but the input "
                                  f"{fmt_shape(shape)} ends in {fmt_shape(tail or shape)}", arg="normalized_shape")
    size = product(normalized)
    copies = (1 + args.bool("bias")) if args.bool("elementwise_affine") else 0
    formula = f"{copies}*{fmt_shape(normalized).replace('x', '*')}" if copies else ""
    return Result(shape, copies * size, 0, formula)


@register("GroupNorm", "num_groups num_channels", traits=Traits(channels="num_channels",
                                                              equals=(("num_channels", 0, "channels"),)), eps=1e-5, affine=True, device=None, dtype=None, bias=True)
def group_norm(args, shape) -> Result:
    groups = args.int("num_groups", minimum=1)
    channels = args.size("num_channels")
    if not shape:
        raise LayerError(codes.CONFIG, "GroupNorm needs a channel dimension")
    if is_int(channels) and channels % groups:
        raise LayerError(codes.CONFIG, f"GroupNorm: num_channels={channels} must be divisible by "
                                  f"num_groups={groups}", arg="num_groups")
    if is_int(shape[0]) and shape[0] % groups == 0 and (shape[0] // groups) * product(shape[1:]) == 1:
        raise LayerError(codes.CONFIG, f"GroupNorm: each of the {groups} groups holds 1 value per sample; at batch 1 "
                                  "PyTorch refuses (Expected more than 1 value per channel)", arg="num_groups")
    affine = args.bool("affine")
    if affine:  # without affine weights PyTorch never reads num_channels
        expect_channels("GroupNorm", "num_channels", channels, shape)
    elif is_int(shape[0]) and shape[0] % groups:
        raise LayerError(codes.CONFIG, f"GroupNorm: the input's {shape[0]} channels must be divisible by "
                                  f"num_groups={groups}", arg="num_groups")
    copies = (1 + args.bool("bias")) if affine else 0
    return Result(shape, copies * channels, 0, f"{copies}*{fmt_value(channels)}" if affine else "")


@register("LocalResponseNorm", "size", traits=Traits(channel_window=True), alpha=1e-4, beta=0.75, k=1.0)
def local_response_norm(args, shape) -> Result:
    args.int("size", minimum=1)
    if len(shape) < 2:
        raise LayerError(codes.CONFIG, mismatch("LocalResponseNorm", "channels and at least one spatial dimension per "
                                                                     "sample", fmt_shape(shape)))
    return Result(shape)
