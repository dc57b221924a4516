"""Upsampling, pixel shuffles and the padding layers."""
from __future__ import annotations

import math

from convcalc import codes
from convcalc.layers.common import LayerError, Result, expect_rank, fmt_shape, is_int, is_size
from convcalc.layers.registry import Traits, register
from convcalc.symbolic.dims import floor_div, scale_floor

# interpolation modes and the per-sample rank each needs (None: any of 2..4)
MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 2, "bilinear": 3, "bicubic": 3,
         "trilinear": 4}


def scaled(size, factor: float):
    if is_int(size):
        return math.floor(size * factor)  # PyTorch computes floor(L * scale) in double
    from fractions import Fraction  # only for symbolic sizes

    ratio = Fraction(factor).limit_denominator(10**6)
    return scale_floor(size, ratio.numerator, ratio.denominator)


def resize(layer: str, args, shape: tuple, size, factor) -> Result:
    nd = len(shape) - 1
    if (size is None) == (factor is None):
        raise LayerError(codes.CONFIG, f"{layer}: give exactly one of size and scale_factor", arg="size")
    if size is not None:
        sizes = (size,) * nd if is_size(size) else size
        if not isinstance(sizes, tuple) or len(sizes) != nd or not all(is_size(v) for v in sizes):
            raise args.bad("size", f"an integer or a tuple of {nd} integers")
        out = sizes
    else:
        factors = (factor,) * nd if not isinstance(factor, tuple) else factor
        if len(factors) != nd or not all(isinstance(f, (int, float)) and not isinstance(f, bool) and f > 0
                                         for f in factors):
            raise args.bad("scale_factor", f"a positive number or a tuple of {nd} of them")
        out = tuple(scaled(L, f) for L, f in zip(shape[1:], factors))
    if any(is_int(v) and v < 1 for v in out):
        raise LayerError(codes.EMPTY, f"{layer}: the output {fmt_shape((shape[0], *out))} has a dimension smaller than 1")
    return Result((shape[0], *out))


RESAMPLE = Traits(geometry=("scale_factor",), field="resample", mode="nearest")


@register("Upsample", traits=RESAMPLE, size=None, scale_factor=None, mode="nearest", align_corners=None,
          recompute_scale_factor=None)
def upsample(args, shape) -> Result:
    mode = args.choice("mode", tuple(MODES))
    rank = MODES[mode]
    expect_rank("Upsample", shape, (rank,) if rank else (2, 3, 4),
                f"a {rank}-d input for mode={mode!r}" if rank else "a 2-d to 4-d input (channels x 1-d to 3-d image)")
    if args["align_corners"] is not None:
        args.bool("align_corners")
        if rank is None:
            raise LayerError(codes.CONFIG, f"Upsample: align_corners can only be set with the interpolating modes "
                                      f"linear, bilinear, bicubic or trilinear, not mode={mode!r}", arg="align_corners")
    return resize("Upsample", args, shape, args["size"], args["scale_factor"])


@register("UpsamplingNearest2d", traits=RESAMPLE._replace(rank=2, mode="nearest"), size=None, scale_factor=None)
@register("UpsamplingBilinear2d", traits=RESAMPLE._replace(rank=2, mode="bilinear"), size=None, scale_factor=None)
def upsampling_2d(args, shape) -> Result:
    expect_rank(args.layer, shape, (3,), "a 3-d input (channels x height x width)")
    return resize(args.layer, args, shape, args["size"], args["scale_factor"])


@register("PixelShuffle", "upscale_factor", traits=Traits(rank=2, geometry=("upscale_factor",), field="shuffle",
                                                         divides=True))
def pixel_shuffle(args, shape) -> Result:
    r = args.int("upscale_factor", minimum=1)
    expect_rank("PixelShuffle", shape, (3,), "a 3-d input (channels x height x width)")
    channels, height, width = shape
    if is_int(channels) and channels % (r * r):
        raise LayerError(codes.CONFIG, f"PixelShuffle({r}): channels {channels} must be divisible by "
                                  f"{r}*{r} = {r * r}", arg="upscale_factor")
    return Result((floor_div(channels, r * r), height * r, width * r))


@register("PixelUnshuffle", "downscale_factor", traits=Traits(rank=2, geometry=("downscale_factor",),
                                                             field="unshuffle", divides=True))
def pixel_unshuffle(args, shape) -> Result:
    r = args.int("downscale_factor", minimum=1)
    expect_rank("PixelUnshuffle", shape, (3,), "a 3-d input (channels x height x width)")
    channels, height, width = shape
    for axis, size in (("height", height), ("width", width)):
        if is_int(size) and size % r:
            raise LayerError(codes.CONFIG, f"PixelUnshuffle({r}): {axis} {size} must be divisible by {r}",
                             arg="downscale_factor")
    return Result((channels * r * r, floor_div(height, r), floor_div(width, r)))


@register("ChannelShuffle", "groups", traits=Traits(divides=True))
def channel_shuffle(args, shape) -> Result:
    groups = args.int("groups", minimum=1)
    if len(shape) < 2:
        raise LayerError(codes.CONFIG, f"ChannelShuffle expects an input of more than 2 dims (batch included), "
                                       f"got {len(shape) + 1}-d")
    if is_int(shape[0]) and shape[0] % groups:
        raise LayerError(codes.CONFIG, f"ChannelShuffle({groups}): channels {shape[0]} must be divisible by "
                                       f"the {groups} groups", arg="groups")
    return Result(shape)


PAD = Traits(geometry=("padding",), field="pad")


@register("ZeroPad1d ZeroPad2d ZeroPad3d", "padding", traits=PAD, ranks=(1, 2, 3))
@register("ReflectionPad1d ReflectionPad2d ReflectionPad3d", "padding", traits=PAD, ranks=(1, 2, 3))
@register("ReplicationPad1d ReplicationPad2d ReplicationPad3d", "padding", traits=PAD, ranks=(1, 2, 3))
@register("CircularPad1d CircularPad2d CircularPad3d", "padding", traits=PAD, ranks=(1, 2, 3))
@register("ConstantPad1d ConstantPad2d ConstantPad3d", "padding value", traits=PAD, ranks=(1, 2, 3))
def pad(args, shape) -> Result:
    layer = args.layer
    nd = args.traits.rank
    expect_rank(layer, shape, (nd, nd + 1), f"a {nd + 1}-d input (channels x {nd}-d image)")
    if "value" in args.values:
        args.number("value")
    pads = args.ints("padding", 2 * nd, minimum=-(10**9))
    out = list(shape)
    tail = [0] * len(shape)
    for i in range(nd):  # pads run (left, right) from the last dimension backwards
        axis = len(shape) - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        size = shape[axis]
        limit = {"Reflection": size - 1, "Circular": size}.get(layer[:-5]) if is_int(size) else None
        if limit is not None and max(left, right) > limit:
            wanted = "smaller than" if layer.startswith("Reflection") else "at most"
            raise LayerError(codes.CONFIG, f"{layer}: padding ({left}, {right}) must be {wanted} the input "
                                      f"size {size} along that dimension", arg="padding")
        out[axis] = size + left + right
        tail[axis] = max(right, 0)
        # PyTorch crops a negative left pad first, then a negative right pad, from what is left
        cropped = size + min(left, 0)
        if is_int(size) and (cropped < 0 or cropped + min(right, 0) < 0):
            raise LayerError(codes.EMPTY, f"{layer}: padding ({left}, {right}) crops more than the {size} "
                                      "elements there are", arg="padding")
        if is_int(out[axis]) and out[axis] < 1:
            raise LayerError(codes.EMPTY, f"{layer}: padding ({left}, {right}) on a size of {size} leaves "
                                      f"{out[axis]}", arg="padding")
    result = Result(tuple(out))
    result.tail = tuple(tail)  # a window right after it may leave these rows uncovered: they are padding
    return result
