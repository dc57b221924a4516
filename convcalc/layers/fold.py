"""Fold and Unfold: sliding blocks of a 2-d image into columns (im2col) and back."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, fmt_shape, is_int, product
from convcalc.layers.registry import Traits, register
from convcalc.layers.window import sliding
from convcalc.symbolic.dims import floor_div

SETTINGS = dict(dilation=1, padding=0, stride=1)
FOLDS = Traits(geometry=("kernel_size", "dilation", "padding", "stride"), field="unknown", divides=True)


def blocks(layer: str, args, sizes: tuple, what: str) -> tuple:
    """(kernel, the number of blocks along each of the 2 dims) for spatial ``sizes``."""
    kernel = args.ints("kernel_size", 2, minimum=1)
    dilation = args.ints("dilation", 2, minimum=1)
    padding = args.ints("padding", 2)
    stride = args.ints("stride", 2, minimum=1)
    counts = []
    for i, size in enumerate(sizes):
        eff = dilation[i] * (kernel[i] - 1) + 1
        if is_int(size) and size + 2 * padding[i] < eff:
            raise LayerError(codes.EMPTY, f"{layer}: {what} {fmt_shape(sizes)} with padding {padding} is smaller "
                                          f"than the dilated kernel {eff} along dim {i}")
        counts.append(sliding(layer, "HW"[i], size, eff, stride[i], padding[i], padding[i]))
    return kernel, tuple(counts)


@register("Unfold", "kernel_size", traits=FOLDS, **SETTINGS)
def unfold(args, shape) -> Result:
    if len(shape) != 3:
        raise LayerError(codes.CONFIG, f"Unfold expects a 4-d input (batch, channels, height, width), got "
                                       f"{len(shape) + 1}-d")
    kernel, counts = blocks("Unfold", args, shape[1:], "the input")
    return Result((shape[0] * product(kernel), product(counts)))


@register("Fold", "output_size kernel_size", traits=FOLDS, **SETTINGS)
def fold(args, shape) -> Result:
    if len(shape) != 2:
        raise LayerError(codes.CONFIG, f"Fold expects a 3-d input (batch, channels x kernel, blocks), got "
                                       f"{len(shape) + 1}-d")
    output = args.ints("output_size", 2, minimum=1)
    kernel, counts = blocks("Fold", args, output, "output_size")
    columns, length = shape
    area = product(kernel)
    if is_int(columns) and columns % area:
        raise LayerError(codes.CONFIG, f"Fold: the input's {columns} rows must be divisible by the kernel's "
                                       f"{'*'.join(map(str, kernel))} = {area}", arg="kernel_size")
    if is_int(length) and length != product(counts):
        raise LayerError(codes.CONFIG, f"Fold: output_size {fmt_shape(output)} with these settings has "
                                       f"{'*'.join(map(str, counts))} = {product(counts)} blocks, but the input "
                                       f"has {length}", arg="output_size")
    return Result((floor_div(columns, area) if not is_int(columns) else columns // area, *output))
