"""Element-wise layers: activations and dropout keep the shape."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, is_int
from convcalc.layers.registry import Traits, register
from convcalc.symbolic.dims import floor_div

INPLACE = dict(inplace=False)
ELEMENTWISE = Traits(keeps_rank=True)  # any rank in, the same shape out


@register("ReLU ReLU6 SELU SiLU Mish Hardswish Hardsigmoid", traits=ELEMENTWISE, **INPLACE)
@register("Sigmoid Tanh", traits=ELEMENTWISE, init_names="*args **kwargs")
@register("LeakyReLU", traits=ELEMENTWISE, negative_slope=0.01, **INPLACE)
@register("ELU", traits=ELEMENTWISE, alpha=1.0, **INPLACE)
@register("Softplus", traits=ELEMENTWISE, beta=1.0, threshold=20.0)
@register("Hardtanh", traits=ELEMENTWISE, min_val=-1.0, max_val=1.0, **INPLACE,
          init_names="min_val max_val inplace min_value max_value")  # torch's deprecated aliases, not followed
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


@register("Softmax LogSoftmax", traits=Traits(implicit_dim=True, rows=True, axes=(("dim", "dim"),)), dim=None)
def softmax(args, shape) -> Result:
    dim = args["dim"]
    full = len(shape) + 1  # the batch counts; softmax over it keeps the shape
    if dim is not None and not (is_int(dim) and -full <= dim < full):
        raise LayerError(codes.CONFIG, f"{args.layer}: dim={dim} is out of range for a {full}-d input "
                                  f"(batch included), [-{full}, {full - 1}]", arg="dim")
    return Result(shape)


@register("Softmax2d", traits=Traits(counted="Softmax2d"), init_names="*args **kwargs")  # not a Softmax to torch (a Module of its own)
def softmax2d(args, shape) -> Result:
    if len(shape) not in (2, 3):  # torch takes (C, H, W) or (N, C, H, W): with the batch, 3-d or 4-d
        raise LayerError(codes.CONFIG, f"Softmax2d expects a 3-d or 4-d input (batch included), got "
                                       f"{len(shape) + 1}-d")
    return Result(shape)


@register("GLU", traits=Traits(field="glu", divides=True, rows=True, axes=(("dim", "dim"),)), dim=-1)
def glu(args, shape) -> Result:
    """The input split in halves along ``dim``: the first times the sigmoid of the second."""
    dim = args.int("dim")
    full = len(shape) + 1
    if not -full <= dim < full:
        raise LayerError(codes.CONFIG, f"GLU: dim={dim} is out of range for a {full}-d input (batch included), "
                                       f"[-{full}, {full - 1}]", arg="dim")
    index = dim % full
    size = 1 if index == 0 else shape[index - 1]  # the batch is 1 here
    if is_int(size) and size % 2:
        where = "the batch dimension (1)" if index == 0 else f"dim {dim} (size {size})"
        raise LayerError(codes.CONFIG, f"GLU halves {where}, which must be even", arg="dim")
    if index == 0:
        return Result(shape)
    out = list(shape)
    out[index - 1] = size // 2 if is_int(size) else floor_div(size, 2)
    return Result(tuple(out))


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
