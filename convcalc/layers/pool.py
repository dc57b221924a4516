"""MaxPool, AvgPool and the adaptive pools, 1-d to 3-d."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, batch_of_one, expect_rank, is_int, is_size
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


def with_indices(args) -> tuple:
    """A max pool's outputs: the values, and with return_indices=True the indices too (the unpool's operand)."""
    return ("output", "indices") if args.values.get("return_indices") is True else ("output",)


def indexed(args, result: Result) -> Result:
    if args.bool("return_indices"):
        result.shapes = (result.shape, result.shape)  # the indices have the output's shape
    return result


@register("MaxPool1d MaxPool2d MaxPool3d", "kernel_size", traits=WINDOW, ranks=RANKS, outputs=with_indices,
          stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)
def max_pool(args, shape) -> Result:
    nd = pool_input(args, shape)
    return indexed(args, window_pool(args, shape, args.ints("dilation", nd, minimum=1)))


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
          outputs=with_indices, return_indices=False)
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
    result = Result((*lead, *out), global_pool=all(v == 1 for v in out))
    return indexed(args, result) if "return_indices" in args.values else result


@register("MaxUnpool1d MaxUnpool2d MaxUnpool3d", "kernel_size", traits=Traits(field="unknown"), ranks=RANKS,
          operands="input indices?", call_params=(("output_size", None),), stride=None, padding=0)
def max_unpool(args, shape, indices=None) -> Result:
    """The inverse of a max pool (each value back at the index the pool gave it, zeros elsewhere):
    (I - 1)*S - 2P + K along each spatial dim (torch's default output_size), or the output_size
    the forward is given, which torch takes strictly within a stride of that. Its indices are
    optional here: a description has no way to pass them (the executor then puts each value at
    its window's first place)."""
    layer = args.layer
    nd = pool_input(args, shape)
    if indices is not None and tuple(indices) != tuple(shape):
        raise LayerError(codes.CONFIG, f"{layer}: the indices {'x'.join(map(str, indices))} and the input "
                                       f"{'x'.join(map(str, shape))} differ (PyTorch: Expected shape of indices to "
                                       f"be same as that of the input tensor ({batch_of_one(shape)}) but got indices "
                                       f"tensor with shape: {batch_of_one(indices)})")
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
    wanted = args.values.get("output_size")
    if wanted is not None:
        sizes = tuple(wanted)[-nd:] if isinstance(wanted, tuple) and len(wanted) in (nd, nd + 1, nd + 2) else None
        if sizes is None or not all(is_size(v) for v in sizes):
            raise LayerError(codes.ARGUMENT, f"{layer}: output_size={wanted} must be {nd} sizes (or with the batch "
                                             "and channels)", arg="output_size")
        for i, (want, default) in enumerate(zip(sizes, out)):
            if is_int(want) and is_int(default) and not default - stride[i] < want < default + stride[i]:
                raise LayerError(codes.CONFIG, f"{layer}: output_size {want} along {axis_name(nd, i)} must be "
                                               f"between {default - stride[i]} and {default + stride[i]} (exclusive) "
                                               f"(PyTorch: invalid output_size \"{tuple(sizes)}\" (dim {i} must be "
                                               f"between {default - stride[i]} and {default + stride[i]}))",
                                 arg="output_size")
        out = list(sizes)
    return Result((*lead, *out))
