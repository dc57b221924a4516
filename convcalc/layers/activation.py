"""Element-wise layers: activations and dropout keep the shape."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, is_int
from convcalc.layers.registry import Traits, register

INPLACE = dict(inplace=False)
ELEMENTWISE = Traits(keeps_rank=True)  # any rank in, the same shape out


@register("ReLU ReLU6 SELU SiLU Mish Hardswish Hardsigmoid", traits=ELEMENTWISE, **INPLACE)
@register("Sigmoid Tanh", traits=ELEMENTWISE)
@register("LeakyReLU", traits=ELEMENTWISE, negative_slope=0.01, **INPLACE)
@register("ELU", traits=ELEMENTWISE, alpha=1.0, **INPLACE)
@register("Softplus", traits=ELEMENTWISE, beta=1.0, threshold=20.0)
def elementwise(args, shape) -> Result:
    for name, value in args.values.items():
        if name == "inplace":
            args.bool(name)
        else:
            args.number(name)
    return Result(shape)


@register("GELU", traits=ELEMENTWISE, approximate="none")
def gelu(args, shape) -> Result:
    args.choice("approximate", ("none", "tanh"))
    return Result(shape)


@register("Softmax LogSoftmax", dim=None)
def softmax(args, shape) -> Result:
    dim = args["dim"]
    full = len(shape) + 1  # the batch counts; softmax over it keeps the shape
    if dim is not None and not (is_int(dim) and -full <= dim < full):
        raise LayerError(codes.CONFIG, f"{args.layer}: dim={dim} is out of range for a {full}-d input "
                                  f"(batch included), [-{full}, {full - 1}]", arg="dim")
    return Result(shape)


@register("PReLU", num_parameters=1, init=0.25, device=None, dtype=None)
def prelu(args, shape) -> Result:
    count = args.int("num_parameters", minimum=1)
    args.number("init")
    if count != 1 and (not shape or shape[0] != count):
        channels = shape[0] if shape else "no"
        raise LayerError(codes.CHANNELS, f"PReLU has num_parameters={count} (one per channel) but the input has "
                                  f"{channels} channels", arg="num_parameters")
    return Result(shape, count, 0, str(count))


@register("Dropout AlphaDropout", traits=ELEMENTWISE, p=0.5, **INPLACE)
@register("Dropout1d Dropout2d Dropout3d", traits=Traits(drops_channels=True), ranks=(1, 2, 3), p=0.5, **INPLACE)
def dropout(args, shape) -> Result:
    args.number("p", 0, 1)
    args.bool("inplace")
    return Result(shape)
