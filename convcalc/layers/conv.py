"""Conv1d/2d/3d, ConvTranspose1d/2d/3d and their Lazy variants."""
from __future__ import annotations

from convcalc import codes
from convcalc.layers.common import LayerError, Result, expect_channels, expect_rank, is_int, product
from convcalc.layers.registry import Traits, register
from convcalc.layers.window import axis_name, sliding
from convcalc.symbolic.dims import floor_div, render

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
CONV = dict(stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None)
TRANSPOSED = dict(stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1,
                  padding_mode="zeros", device=None, dtype=None)


RANKS = (1, 2, 3)
GEOMETRY = ("kernel_size", "stride", "padding", "dilation")
CONV_TRAITS = Traits(exact_rank=True, channels="in_channels", equals=(("in_channels", 0, "channels"),),
                     geometry=GEOMETRY, field="window")
LAZY_TRAITS = Traits(exact_rank=True, geometry=GEOMETRY, field="window", lazy=True)
TRANSPOSED_TRAITS = Traits(exact_rank=True, channels="in_channels", equals=(("in_channels", 0, "channels"),),
                           geometry=GEOMETRY + ("output_padding",), field="transposed", transposed=True)
LAZY_TRANSPOSED_TRAITS = Traits(exact_rank=True, geometry=GEOMETRY + ("output_padding",), field="transposed",
                                transposed=True, lazy=True)


def check_groups(layer: str, groups: int, cin, cout) -> None:
    for arg, channels in (("in_channels", cin), ("out_channels", cout)):
        if is_int(channels) and channels % groups:
            raise LayerError(codes.CONFIG, f"{layer}: groups={groups} must divide {arg}={channels}", arg="groups")


def weight_formula(lead, per_group, kernel, bias) -> str:
    """32*(3*3*3) + 32: the weight's leading dim times (channels per group * kernel), plus bias."""
    inner = "*".join(render(v) for v in (per_group, *kernel))
    text = f"{render(lead)}*({inner})"
    return text + f" + {render(bias)}" if bias else text


def resolve_padding(layer: str, args, nd: int, kernel, dilation, stride):
    """Per dimension (left, right): int, tuple, 'valid' or 'same' (extra element on the right)."""
    padding = args["padding"]
    if padding == "valid":
        return ((0, 0),) * nd
    if padding == "same":
        if any(s != 1 for s in stride):
            raise LayerError(codes.CONFIG, f"{layer}: padding='same' is not supported for strided convolutions "
                                      f"(stride={stride if nd > 1 else stride[0]})", arg="padding")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise LayerError(codes.ARGUMENT, f"{layer} argument padding={padding!r} must be an integer, a tuple, "
                                  "'same' or 'valid' (case-sensitive)", arg="padding")
    return tuple((p, p) for p in args.ints("padding", nd))


def common(args, shape) -> tuple:
    """What convolutions and transposed convolutions read alike: (nd, lazy, cin, cout, kernel,
    stride, dilation); Lazy variants take in_channels from the incoming tensor."""
    nd = args.traits.rank
    expect_rank(args.layer, shape, (nd + 1,), f"a {nd + 1}-d input (channels x {nd}-d image)")
    lazy = args.traits.lazy
    cin = shape[0] if lazy else args.size("in_channels")
    return (nd, lazy, cin, args.size("out_channels"), args.ints("kernel_size", nd, minimum=1),
            args.ints("stride", nd, minimum=1), args.ints("dilation", nd, minimum=1))


@register("Conv1d Conv2d Conv3d", "in_channels out_channels kernel_size", traits=CONV_TRAITS, ranks=RANKS, **CONV)
@register("LazyConv1d LazyConv2d LazyConv3d", "out_channels kernel_size", traits=LAZY_TRAITS, ranks=RANKS, **CONV)
def conv(args, shape) -> Result:
    layer = args.layer
    nd, lazy, cin, cout, kernel, stride, dilation = common(args, shape)
    groups = args.int("groups", minimum=1)
    bias = args.bool("bias")
    mode = args.choice("padding_mode", PADDING_MODES)
    padding = resolve_padding(layer, args, nd, kernel, dilation, stride)
    check_groups(layer, groups, cin, cout)
    if not lazy:
        expect_channels(layer, "in_channels", cin, shape)
    warnings: list = []
    out, geometry = [], []
    for i, size in enumerate(shape[1:]):
        eff = dilation[i] * (kernel[i] - 1) + 1
        left, right = padding[i]
        limit = {"reflect": size - 1, "circular": size}.get(mode) if is_int(size) else None
        if limit is not None and max(left, right) > limit:
            limit = "smaller than" if mode == "reflect" else "at most"
            raise LayerError(codes.CONFIG, f"{layer}: padding_mode={mode!r} needs padding {limit} the input "
                                      f"size, but pads {max(left, right)} on an input of {size}", arg="padding")
        out.append(sliding(layer, axis_name(nd, i), size, eff, stride[i], left, right, warnings=warnings,
                           padded=args.tail(shape, nd, i)))
        geometry.append((eff, stride[i], left))
    per_group = floor_div(cin, groups)
    params = cout * per_group * product(kernel) + (cout if bias else 0)
    return Result((cout, *out), params, 0, weight_formula(cout, per_group, kernel, cout if bias else 0), "conv",
                  tuple(geometry), warnings=[(c, m, None) for c, m in warnings])


@register("ConvTranspose1d ConvTranspose2d ConvTranspose3d", "in_channels out_channels kernel_size",
          traits=TRANSPOSED_TRAITS, ranks=RANKS, **TRANSPOSED)
@register("LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d", "out_channels kernel_size",
          traits=LAZY_TRANSPOSED_TRAITS, ranks=RANKS, **TRANSPOSED)
def conv_transpose(args, shape) -> Result:
    layer = args.layer
    nd, lazy, cin, cout, kernel, stride, dilation = common(args, shape)
    if isinstance(args["padding"], str):
        raise LayerError(codes.ARGUMENT, f"{layer} does not accept padding={args['padding']!r}; "
                                  "use an integer or a tuple", arg="padding")
    padding = args.ints("padding", nd)
    output_padding = args.ints("output_padding", nd)
    groups = args.int("groups", minimum=1)
    bias = args.bool("bias")
    if args["padding_mode"] != "zeros":
        raise LayerError(codes.CONFIG, f"{layer}: only padding_mode='zeros' is supported for transposed "
                                  f"convolutions, not {args['padding_mode']!r}", arg="padding_mode")
    check_groups(layer, groups, cin, cout)
    if not lazy:
        expect_channels(layer, "in_channels", cin, shape)
    out = []
    for i, size in enumerate(shape[1:]):
        if output_padding[i] >= stride[i] and output_padding[i] >= dilation[i]:
            raise LayerError(codes.CONFIG, f"{layer}: output_padding={output_padding[i]} must be smaller than "
                                      f"stride={stride[i]} or dilation={dilation[i]}", arg="output_padding")
        length = (size - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + output_padding[i] + 1
        if is_int(length) and length < 1:
            raise LayerError(codes.EMPTY, f"{layer}: output size along {axis_name(nd, i)} would be ({size} - 1)*"
                                      f"{stride[i]} - 2*{padding[i]} + {dilation[i]}*({kernel[i]} - 1) + "
                                      f"{output_padding[i]} + 1 = {length}, an empty output, which PyTorch refuses")
        out.append(length)
    per_group = floor_div(cout, groups)
    params = cin * per_group * product(kernel) + (cout if bias else 0)
    formula = weight_formula(cin, per_group, kernel, cout if bias else 0)
    return Result((cout, *out), params, 0, formula, "conv", None)
