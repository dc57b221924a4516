"""MaxPool, AvgPool and the adaptive pools, 1-d to 3-d."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, expect_rank, is_int
from convcalc.layers.registry import Traits, register
from convcalc.layers.window import axis_name, sliding

RANKS = (1, 2, 3)
WINDOW = Traits(geometry=("kernel_size", "stride", "padding", "dilation"), field="window")
ADAPTIVE = Traits(field="adaptive")


def pool_input(args, shape: tuple) -> int:
    """Pools act on the last nd dims; PyTorch takes (C, *spatial) or (*spatial) per sample."""
    layer, nd = args.layer, args.traits.rank
    expect_rank(layer, shape, (nd, nd + 1), f"a {nd + 1}-d input (channels x {nd}-d image)")
    return nd


def window_pool(args, shape, dilation) -> Result:
    layer = args.layer
    nd = pool_input(args, shape)
    kernel = args.ints("kernel_size", nd, minimum=1)
    stride = kernel if args["stride"] is None else args.ints("stride", nd, minimum=1)
    padding = args.ints("padding", nd)
    ceil_mode = args.bool("ceil_mode")
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise LayerError(codes.CONFIG, f"{layer}: padding={p} must be at most half the kernel size "
                                      f"{k} (at most {k // 2})", arg="padding")
    lead = shape[: len(shape) - nd]
    if layer == "AvgPool3d":  # PyTorch's avg_pool3d checks the unpadded input against the kernel
        for i, (size, k) in enumerate(zip(shape[len(lead):], kernel)):
            if is_int(size) and size < k:
                raise LayerError(codes.EMPTY, f"AvgPool3d: the input along {axis_name(nd, i)} ({size}) is smaller "
                                          f"than the kernel ({k}); PyTorch's avg_pool3d does not count padding here")
    warnings: list = []
    out, geometry = [], []
    for i, size in enumerate(shape[len(lead):]):
        eff = dilation[i] * (kernel[i] - 1) + 1
        out.append(sliding(layer, axis_name(nd, i), size, eff, stride[i], padding[i], padding[i],
                           ceil_mode, warnings, padded=args.tail(shape, nd, i)))
        geometry.append((eff, stride[i], padding[i]))
    return Result((*lead, *out), geometry=tuple(geometry), warnings=[(c, m, None) for c, m in warnings])


@register("MaxPool1d MaxPool2d MaxPool3d", "kernel_size", traits=WINDOW, ranks=RANKS, stride=None, padding=0,
          dilation=1, return_indices=False, ceil_mode=False)
def max_pool(args, shape) -> Result:
    nd = pool_input(args, shape)
    args.bool("return_indices")
    return window_pool(args, shape, args.ints("dilation", nd, minimum=1))


@register("AvgPool1d", "kernel_size", traits=WINDOW, ranks=(1,), stride=None, padding=0, ceil_mode=False,
          count_include_pad=True)
@register("AvgPool2d AvgPool3d", "kernel_size", traits=WINDOW, ranks=(2, 3), stride=None, padding=0, ceil_mode=False,
          count_include_pad=True, divisor_override=None)
def avg_pool(args, shape) -> Result:
    nd = pool_input(args, shape)
    args.bool("count_include_pad")
    if args.values.get("divisor_override") is not None:
        args.int("divisor_override", minimum=1)
    return window_pool(args, shape, (1,) * nd)


@register("AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d", "output_size", traits=ADAPTIVE, ranks=RANKS)
@register("AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d", "output_size", traits=ADAPTIVE, ranks=RANKS,
          return_indices=False)
def adaptive_pool(args, shape) -> Result:
    layer = args.layer
    nd = pool_input(args, shape)
    value = args["output_size"]
    sizes = (value,) * nd if is_int(value) or value is None else value
    ok = isinstance(sizes, tuple) and len(sizes) == nd and all(is_int(v) or (v is None and nd > 1) for v in sizes)
    if not ok:
        none = " (None keeps that size)" if nd > 1 else ""
        raise args.bad("output_size", f"an integer or a tuple of {nd} integers{none}")
    if any(v is not None and v < 1 for v in sizes):
        raise LayerError(codes.EMPTY, f"{layer}: output_size={value} makes a dimension smaller than 1",
                         arg="output_size")
    lead = shape[: len(shape) - nd]
    out = tuple(size if want is None else want for want, size in zip(sizes, shape[len(lead):]))
    return Result((*lead, *out), global_pool=all(v == 1 for v in out))


@register("MaxUnpool1d MaxUnpool2d MaxUnpool3d", "kernel_size", traits=Traits(field="unknown"), ranks=RANKS,
          stride=None, padding=0)
def max_unpool(args, shape) -> Result:
    """The inverse of a max pool (each value back at the index the pool gave it, zeros elsewhere):
    (I - 1)*S - 2P + K along each spatial dim (torch's default output_size)."""
    layer = args.layer
    nd = pool_input(args, shape)
    kernel = args.ints("kernel_size", nd, minimum=1)
    stride = kernel if args["stride"] is None else args.ints("stride", nd, minimum=1)
    padding = args.ints("padding", nd)
    lead = shape[: len(shape) - nd]
    out = []
    for i, size in enumerate(shape[len(lead):]):
        value = (size - 1) * stride[i] - 2 * padding[i] + kernel[i]
        if is_int(value) and value < 1:
            raise LayerError(codes.EMPTY, f"{layer}: along {axis_name(nd, i)}, ({size} - 1)*{stride[i]} - "
                                          f"2*{padding[i]} + {kernel[i]} = {value} leaves nothing")
        out.append(value)
    return Result((*lead, *out))
