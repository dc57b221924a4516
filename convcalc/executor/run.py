"""Run a described network in the reference executor: a backend for ``convcalc.engine.walk.Walker``.

Every catalogue layer maps, through the ``LAYERS`` table, to a small function that makes
the layer's weights in the shapes PyTorch creates (seeded, deterministic) and calls the
ops. Output sizes come from the ops, which slide their windows over real data; nothing
here calls the shape engine's arithmetic (convcalc.layers, convcalc.symbolic.dims), so the
executor stays an independent witness for it.
"""
from __future__ import annotations

import math
import random
from typing import Callable, Dict, List, Optional, Tuple

from . import extra, interp, ops, sequence, tensorops
from . import pool as pool_ops
from .tensor import Tensor, prod

# ---------------------------------------------------------------- weights


# A tensor larger than this repeats a pool of this many seeded values (a prime, so rows
# and filters of any usual length start at different places in it): drawing every value
# of a large Linear would cost more time and memory than running it.
POOL = 65521


def uniform_values(rng: random.Random, count: int, low: float, high: float) -> List[float]:
    draw, width = rng.random, high - low
    values = [low + width * draw() for _ in range(min(count, POOL))]
    if count > POOL:
        pool = values
        values = pool * (count // POOL)
        values.extend(pool[:count % POOL])
    return values


def tensor(shape, values: List[float]) -> Tensor:
    """A Tensor around a fresh list, without the copy the constructor makes."""
    t = Tensor.__new__(Tensor)
    t.shape, t.data = tuple(shape), values
    return t


class Weights:
    """The tensors one layer owns, by PyTorch's attribute names, drawn from a seeded rng."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.params: Dict[str, Tensor] = {}
        self.buffers: Dict[str, Tensor] = {}

    def uniform(self, shape, low: float, high: float) -> Tensor:
        return tensor(shape, uniform_values(self.rng, prod(shape), low, high))

    def param(self, name: str, shape, low: float, high: float) -> Tensor:
        self.params[name] = tensor = self.uniform(shape, low, high)
        return tensor

    def fan_in(self, name: str, shape, fan_in: int) -> Tensor:
        """PyTorch's default init range for weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        return self.param(name, shape, -bound, bound)

    def buffer(self, name: str, shape, low: float, high: float) -> Tensor:
        self.buffers[name] = tensor = self.uniform(shape, low, high)
        return tensor

    def counter(self, name: str) -> Tensor:
        """num_batches_tracked: a 0-d tensor (one element)."""
        self.buffers[name] = tensor = Tensor((), [0.0])
        return tensor


# ---------------------------------------------------------------- argument helpers


def spatial_rank(layer: str) -> int:
    """Conv2d -> 2, MaxPool3d -> 3 (the digit before the trailing 'd')."""
    return int(layer[-2])


def ints(value, n: int, name: str) -> Tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != n or not all(type(v) is int for v in value):
            raise ValueError(f"{name}={tuple(value)} needs {n} integers")
        return tuple(value)
    if type(value) is not int:
        raise ValueError(f"{name}={value!r} must be an integer")
    return (value,) * n


def conv_padding(a: dict, nd: int, kernel, dilation, stride):
    """(left, right) per dim; 'same' puts the odd element on the right, as PyTorch."""
    padding = a["padding"]
    if padding == "valid":
        return ((0, 0),) * nd
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        pairs = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)
    if isinstance(padding, str):
        raise ValueError(f"Invalid padding string {padding!r}, should be one of ('valid', 'same')")
    return tuple((p, p) for p in ints(padding, nd, "padding"))


def with_channel(x: Tensor, nd: int, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """Pools and resamplers take (N, C, *spatial); a per-sample input without channels,
    (N, *spatial), runs as one channel and comes back without it."""
    if x.ndim == nd + 2:
        return fn(x)
    if x.ndim != nd + 1:
        raise ValueError(f"expected a {nd + 1}-d or {nd + 2}-d input (batch included), got {x.shape}")
    y = fn(x.reshape((x.shape[0], 1) + x.shape[1:]))
    return y.reshape((y.shape[0],) + y.shape[2:])


# ---------------------------------------------------------------- the layers
# Each function: (layer name, bound arguments in PyTorch's names, input, Weights) -> output.


def conv_channels(layer, a, x) -> tuple:
    """(nd, cin, cout, groups, kernel), checked alike for convolutions and transposed ones."""
    nd = spatial_rank(layer)
    if x.ndim != nd + 2:
        raise ValueError(f"{layer} expects a {nd + 2}-d input (batch included), got {x.shape}")
    cin = x.shape[1] if layer.startswith("Lazy") else a["in_channels"]
    cout, groups = a["out_channels"], a["groups"]
    if groups < 1 or cin % groups or cout % groups:
        raise ValueError(f"groups={groups} must divide in_channels={cin} and out_channels={cout}")
    return nd, cin, cout, groups, ints(a["kernel_size"], nd, "kernel_size")


def conv(layer, a, x, w):
    nd, cin, cout, groups, kernel = conv_channels(layer, a, x)
    stride = ints(a["stride"], nd, "stride")
    dilation = ints(a["dilation"], nd, "dilation")
    padding = conv_padding(a, nd, kernel, dilation, stride)
    fan_in = cin // groups * prod(kernel)
    weight = w.fan_in("weight", (cout, cin // groups) + kernel, fan_in)
    bias = w.fan_in("bias", (cout,), fan_in) if a["bias"] else None
    return ops.conv(x, weight, bias, stride, padding, dilation, groups, a["padding_mode"])


def conv_transpose(layer, a, x, w):
    nd, cin, cout, groups, kernel = conv_channels(layer, a, x)
    if a["padding_mode"] != "zeros":
        raise ValueError("Only 'zeros' padding mode is supported for ConvTranspose")
    if isinstance(a["padding"], str):
        raise ValueError(f"ConvTranspose does not take padding={a['padding']!r}")
    fan_in = cout // groups * prod(kernel)  # PyTorch's fan_in for the (in, out/groups, *k) weight
    weight = w.fan_in("weight", (cin, cout // groups) + kernel, fan_in)
    bias = w.fan_in("bias", (cout,), fan_in) if a["bias"] else None
    return ops.conv_transpose(x, weight, bias, a["stride"], a["padding"], a["output_padding"], groups,
                              a["dilation"])


def with_channel_pair(x: Tensor, nd: int, fn) -> list:
    """with_channel for an op that gives (values, indices)."""
    if x.ndim == nd + 2:
        return list(fn(x))
    if x.ndim != nd + 1:
        raise ValueError(f"expected a {nd + 1}-d or {nd + 2}-d input (batch included), got {x.shape}")
    pair = fn(x.reshape((x.shape[0], 1) + x.shape[1:]))
    return [y.reshape((y.shape[0],) + y.shape[2:]) for y in pair]


def max_pool(layer, a, x, w):
    nd = spatial_rank(layer)
    if a["return_indices"]:  # (values, indices): the indices are the unpool's operand
        return with_channel_pair(x, nd, lambda t: pool_ops.max_pool_with_indices(
            t, a["kernel_size"], a["stride"], a["padding"], a["dilation"], a["ceil_mode"]))
    return with_channel(x, nd, lambda t: ops.max_pool(t, a["kernel_size"], a["stride"], a["padding"],
                                                      a["dilation"], a["ceil_mode"]))


def avg_pool(layer, a, x, w):
    nd = spatial_rank(layer)
    return with_channel(x, nd, lambda t: ops.avg_pool(t, a["kernel_size"], a["stride"], a["padding"], a["ceil_mode"],
                                                      a["count_include_pad"], a.get("divisor_override")))


def adaptive_avg_pool(layer, a, x, w):
    return with_channel(x, spatial_rank(layer), lambda t: ops.adaptive_avg_pool(t, a["output_size"]))


def adaptive_max_pool(layer, a, x, w):
    if a["return_indices"]:
        return with_channel_pair(x, spatial_rank(layer),
                                 lambda t: pool_ops.adaptive_max_pool_with_indices(t, a["output_size"]))
    return with_channel(x, spatial_rank(layer), lambda t: ops.adaptive_max_pool(t, a["output_size"]))


def linear(layer, a, x, w):
    if not x.shape[1:]:
        raise ValueError(f"{layer} needs at least one dimension per sample")
    fin = x.shape[-1] if layer == "LazyLinear" else a["in_features"]
    fout = a["out_features"]
    weight = w.fan_in("weight", (fout, fin), fin)
    bias = w.fan_in("bias", (fout,), fin) if a["bias"] else None
    return ops.linear(x, weight, bias)


def identity(layer, a, x, w):
    return x


def bilinear(layer, a, xs, w):
    """y_o = sum_ij x1_i W_oij x2_j + b_o over the last dims; torch's init bound is 1/sqrt(in1_features)."""
    x1, x2 = xs
    fin1, fin2, fout = a["in1_features"], a["in2_features"], a["out_features"]
    if x1.shape[-1] != fin1 or x2.shape[-1] != fin2 or x1.shape[:-1] != x2.shape[:-1]:
        raise ValueError(f"input1 {x1.shape} and input2 {x2.shape} do not fit ({fin1}, {fin2})")
    weight = w.fan_in("weight", (fout, fin1, fin2), fin1)
    bias = w.fan_in("bias", (fout,), fin1) if a["bias"] else None
    out = []
    for r in range(len(x1.data) // fin1):
        u, v = x1.data[r * fin1:(r + 1) * fin1], x2.data[r * fin2:(r + 1) * fin2]
        for o in range(fout):
            block = weight.data[o * fin1 * fin2:(o + 1) * fin1 * fin2]
            total = sum(u[i] * sum(block[i * fin2 + j] * v[j] for j in range(fin2)) for i in range(fin1))
            out.append(total + (bias.data[o] if bias is not None else 0.0))
    return Tensor(x1.shape[:-1] + (fout,), out)


def flatten(layer, a, x, w):
    return ops.flatten(x, a["start_dim"], a["end_dim"])


def unflatten(layer, a, x, w):
    return ops.unflatten(x, a["dim"], a["unflattened_size"])


def norm_affine(w: Weights, channels: int, bias: bool = True):
    """Affine weights near 1 and biases near 0 (none with bias=False), varied so that a mix-up of
    channels shows."""
    return w.param("weight", (channels,), 0.5, 1.5), w.param("bias", (channels,), -0.5, 0.5) if bias else None


def running_stats(w: Weights, channels: int):
    mean = w.buffer("running_mean", (channels,), -0.5, 0.5)
    var = w.buffer("running_var", (channels,), 0.5, 1.5)
    w.counter("num_batches_tracked")
    return mean, var


def batch_statistics(x: Tensor, weight, bias, eps: float) -> Tensor:
    """Batch norm with the batch's own statistics (no running stats, as PyTorch in eval mode)."""
    N, C = x.shape[:2]
    S = prod(x.shape[2:])
    if N * S <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.shape}")
    # (N, C, S) -> (1, C, N*S), instance norm over each channel, and back
    planes = [[] for _ in range(C)]
    for n in range(N):
        for c in range(C):
            planes[c].extend(x.data[(n * C + c) * S:(n * C + c + 1) * S])
    merged = ops.instance_norm(Tensor((1, C, N * S), [v for plane in planes for v in plane]), weight, bias, eps)
    out = [0.0] * len(x.data)
    for c in range(C):
        plane = merged.data[c * N * S:(c + 1) * N * S]
        for n in range(N):
            out[(n * C + c) * S:(n * C + c + 1) * S] = plane[n * S:(n + 1) * S]
    return Tensor(x.shape, out)


def batch_norm(layer, a, x, w):
    """BatchNorm and InstanceNorm in evaluation mode: running statistics when tracked,
    else the batch's (BatchNorm) or each sample's (InstanceNorm) own statistics."""
    if x.ndim < 2:
        raise ValueError(f"{layer} needs (N, C, ...) input, got {x.shape}")
    channels = a["num_features"]
    weight, bias = norm_affine(w, channels, a["bias"]) if a["affine"] else (None, None)
    eps = a["eps"]
    if a["track_running_stats"]:
        mean, var = running_stats(w, channels)
        if x.shape[1] != channels:
            raise ValueError(f"running_mean should contain {x.shape[1]} elements not {channels}")
        return ops.batch_norm(x, mean, var, weight, bias, eps)
    if layer.startswith("Instance"):
        return ops.instance_norm(x, weight, bias, eps)
    return batch_statistics(x, weight, bias, eps)


def layer_norm(layer, a, x, w):
    shape = a["normalized_shape"]
    shape = (shape,) if type(shape) is int else tuple(shape)
    weight = bias = None
    if a["elementwise_affine"]:
        weight = w.param("weight", shape, 0.5, 1.5)
        if a["bias"]:
            bias = w.param("bias", shape, -0.5, 0.5)
    return ops.layer_norm(x, shape, weight, bias, a["eps"])


def group_norm(layer, a, x, w):
    weight, bias = norm_affine(w, a["num_channels"], a["bias"]) if a["affine"] else (None, None)
    if x.ndim < 2 or (a["affine"] and x.shape[1] != a["num_channels"]):
        raise ValueError(f"GroupNorm of {a['num_channels']} channels got input {x.shape}")
    return ops.group_norm(x, a["num_groups"], weight, bias, a["eps"])


def local_response_norm(layer, a, x, w):
    return ops.local_response_norm(x, a["size"], a["alpha"], a["beta"], a["k"])


def prelu(layer, a, x, w):
    count = a["num_parameters"]
    # seeded slopes around PyTorch's init value, distinct per channel
    init = float(a["init"])
    slopes = w.param("weight", (count,), init - 0.2, init + 0.2)
    return ops.prelu(x, slopes)


def upsample(layer, a, x, w):
    size, scale, mode = a["size"], a["scale_factor"], a["mode"]
    if a.get("recompute_scale_factor") and scale is not None:
        # PyTorch then works from the output size alone: floor(L * scale_factor)
        scales = scale if isinstance(scale, tuple) else (scale,) * (x.ndim - 2)
        size, scale = tuple(int(math.floor(L * float(s))) for L, s in zip(x.shape[2:], scales)), None
    align = a["align_corners"]
    if mode == "nearest-exact":
        return interp.nearest_exact(x, size, scale)
    if mode == "area":
        return interp.area(x, size, scale)
    if mode == "bicubic":
        return interp.bicubic(x, size, scale, align)
    return ops.upsample(x, size, scale, mode, align)


def upsampling_nearest(layer, a, x, w):
    return ops.upsample(x, a["size"], a["scale_factor"], "nearest")


def upsampling_bilinear(layer, a, x, w):
    return ops.upsample(x, a["size"], a["scale_factor"], "bilinear", align_corners=True)


def pixel_shuffle(layer, a, x, w):
    return ops.pixel_shuffle(x, a["upscale_factor"])


def pixel_unshuffle(layer, a, x, w):
    return ops.pixel_unshuffle(x, a["downscale_factor"])


PAD_MODES = {"Zero": "constant", "Constant": "constant", "Reflection": "reflect", "Replication": "replicate",
             "Circular": "circular"}


def pad(layer, a, x, w):
    nd = spatial_rank(layer)
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{layer} expects a {nd + 1}-d or {nd + 2}-d input (batch included), got {x.shape}")
    pads = ints(a["padding"], 2 * nd, "padding")
    mode = PAD_MODES[layer[:-len("PadNd")]]
    return ops.pad(x, pads, mode, float(a.get("value", 0.0)))


def embedding(layer, a, x, w):
    weight = w.param("weight", (a["num_embeddings"], a["embedding_dim"]), -1.0, 1.0)
    return extra.embedding(x, weight)


def max_unpool(layer, a, xs, w):
    """unpool(input, indices, output_size=None): each value back at its index; a lone input (a
    description's MaxUnpool without indices) at the first position of its window."""
    nd = spatial_rank(layer)
    kernel = ints(a["kernel_size"], nd, "kernel_size")
    stride = kernel if a["stride"] is None else ints(a["stride"], nd, "stride")
    padding = ints(a["padding"], nd, "padding")
    x, indices = (xs[0], xs[1]) if isinstance(xs, list) else (xs, None)
    if indices is None:
        return with_channel(x, nd, lambda t: extra.max_unpool(t, kernel, stride, padding))
    sizes = tuple((s - 1) * st - 2 * p + k for s, st, p, k in zip(x.shape[-nd:], stride, padding, kernel))
    if a.get("output_size") is not None:
        sizes = tuple(a["output_size"])[-nd:]
    return pool_ops.max_unpool(x, indices, sizes)


def fold_settings(a) -> tuple:
    return tuple(ints(a[name], 2, name) for name in ("kernel_size", "dilation", "padding", "stride"))


def unfold(layer, a, x, w):
    return extra.unfold(x, *fold_settings(a))


def fold(layer, a, x, w):
    return extra.fold(x, ints(a["output_size"], 2, "output_size"), *fold_settings(a))


def activation(fn: Callable, *names: str):
    """An element-wise layer: the op with the named arguments (inplace is irrelevant here)."""
    def run(layer, a, x, w):
        return fn(x, *(a[name] for name in names))
    return run


LAYERS: Dict[str, Callable] = {
    "Identity": identity, "Flatten": flatten, "Unflatten": unflatten,
    "Linear": linear, "LazyLinear": linear, "Bilinear": bilinear,
    "LocalResponseNorm": local_response_norm, "LayerNorm": layer_norm, "GroupNorm": group_norm,
    "PReLU": prelu,
    "ReLU": activation(ops.relu), "ReLU6": activation(ops.relu6), "SELU": activation(ops.selu),
    "SiLU": activation(ops.silu), "Mish": activation(ops.mish), "Hardswish": activation(ops.hardswish),
    "Hardsigmoid": activation(ops.hardsigmoid), "Sigmoid": activation(ops.sigmoid), "Tanh": activation(ops.tanh),
    "LeakyReLU": activation(ops.leaky_relu, "negative_slope"), "ELU": activation(ops.elu, "alpha"),
    "Softplus": activation(ops.softplus, "beta", "threshold"), "GELU": activation(ops.gelu, "approximate"),
    "Softmax": activation(ops.softmax, "dim"), "LogSoftmax": activation(ops.log_softmax, "dim"),
    # evaluation mode: dropout passes its input through
    "Dropout": identity, "Dropout1d": identity, "Dropout2d": identity, "Dropout3d": identity,
    "AlphaDropout": identity,
    "Upsample": upsample, "UpsamplingNearest2d": upsampling_nearest, "UpsamplingBilinear2d": upsampling_bilinear,
    "PixelShuffle": pixel_shuffle, "PixelUnshuffle": pixel_unshuffle,
    "Hardtanh": activation(extra.hardtanh, "min_val", "max_val"), "GLU": activation(extra.glu, "dim"),
    "Softmax2d": activation(lambda x: ops.softmax(x, -3)), "ChannelShuffle": activation(extra.channel_shuffle, "groups"),
    "Embedding": embedding, "Fold": fold, "Unfold": unfold,
}
for _nd in (1, 2, 3):
    LAYERS.update({
        f"Conv{_nd}d": conv, f"LazyConv{_nd}d": conv,
        f"ConvTranspose{_nd}d": conv_transpose, f"LazyConvTranspose{_nd}d": conv_transpose,
        f"MaxPool{_nd}d": max_pool, f"AvgPool{_nd}d": avg_pool,
        f"AdaptiveAvgPool{_nd}d": adaptive_avg_pool, f"AdaptiveMaxPool{_nd}d": adaptive_max_pool,
        f"BatchNorm{_nd}d": batch_norm, f"InstanceNorm{_nd}d": batch_norm, f"MaxUnpool{_nd}d": max_unpool,
    })
    LAYERS.update({f"{kind}Pad{_nd}d": pad for kind in PAD_MODES})
LAYERS.update(sequence.LAYERS)  # recurrent, attention and transformer layers


# ---------------------------------------------------------------- the backend


class ExecutionFailure(Exception):
    """An op refused its input (no window fits, mismatched sizes): PyTorch would raise here too."""

    def __init__(self, node, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


class Step:
    """One executed layer, add, concat or view: what verify compares, and what the oracle
    tests copy into torch."""

    __slots__ = ("node", "name", "shape", "params", "buffers", "weights", "output", "full")

    def __init__(self, node, name, shape, weights: Optional[Weights] = None, keep: bool = False,
                 output: Optional[Tensor] = None):
        self.node = node
        self.name = name
        self.shape = shape  # per sample (the batch dimension left out)
        self.full = output.shape if output is not None else None  # the whole tensor's (the batch may not be first)
        # counted from the tensors made, then let go unless kept (a large network's weights
        # would otherwise all stay in memory)
        self.params = sum(t.numel() for t in weights.params.values()) if weights else 0
        self.buffers = sum(t.numel() for t in weights.buffers.values()) if weights else 0
        self.weights = weights if keep else None
        self.output = output if keep else None

    @property
    def line(self) -> int:
        return self.node.span.line


def seeded(seed: int, what) -> random.Random:
    """Independent, reproducible streams: the input and each layer's weights."""
    return random.Random(f"convcalc:{seed}:{what}")


class ExecutorBackend:
    """Runs every layer in the pure-Python ops on a seeded random input.

    ``keep`` keeps each step's weights and output tensor (the oracle tests copy and compare them);
    ``on_step(index)`` is called after each step (verify's progress bar).
    """

    def __init__(self, batch: int = 1, seed: int = 0, keep: bool = False,
                 on_step: Optional[Callable[[int], None]] = None):
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.batch = batch
        self.seed = seed
        self.keep = keep
        self.on_step = on_step
        self.steps: List[Step] = []
        self.input: Optional[Tensor] = None
        self.inputs: Dict[Optional[str], Tensor] = {}  # every input drawn, by its name (None: the first)
        # verify: the step the engine refused for a bound (its work cannot be estimated), not run
        self.refused: Optional[int] = None

    def starting(self, node) -> None:
        if self.refused is not None and len(self.steps) + 1 >= self.refused:
            raise ExecutionFailure(node, "not run: the engine refuses this layer's sizes (see its message), so its "
                                         "work cannot be estimated")

    def record(self, node, name: str, y: Tensor, weights: Optional[Weights] = None) -> Tensor:
        self.steps.append(Step(node, name, y.shape[1:], weights, self.keep, y))
        if self.on_step is not None:
            self.on_step(len(self.steps))
        return y

    def start(self, shape, node) -> Tensor:
        if not all(type(d) is int and d >= 1 for d in shape):
            raise ExecutionFailure(node, "the executor needs concrete input sizes, not "
                                         + " x ".join(str(d) for d in shape))
        name = getattr(node, "name", None)  # a model's further inputs get streams of their own
        drawn = Tensor.rand((self.batch,) + tuple(shape), seeded(self.seed, "input" if name is None else f"input {name}"))
        if name is None:
            self.input = drawn
        self.inputs[name] = drawn
        return drawn

    def layer(self, spec, args, xs: list, call, blocks):
        """``xs``: one tensor per operand of the layer's forward (None for an optional one left out)."""
        self.starting(call)
        x = xs[0]
        run = LAYERS.get(spec.name)
        if run is None:
            raise ExecutionFailure(call, f"the executor has no implementation of {spec.name}")
        if spec.traits.indices and x is self.input:  # an embedding first: the network's input is indices
            rng = seeded(self.seed, "input indices")
            x = self.input = Tensor(x.shape, [float(rng.randrange(args.values["num_embeddings"]))
                                              for _ in range(len(x.data))])
        # a layer object applied again (a shared layer) has the same weights each time, as in torch
        instance = getattr(call, "instance", None)
        weights = Weights(seeded(self.seed, len(self.steps) if instance is None else f"layer object {instance}"))
        try:
            y = run(spec.name, args.values, x if len(xs) == 1 else [x, *xs[1:]], weights)
        except (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError) as exc:
            raise ExecutionFailure(call, f"{spec.name}: {exc}") from None
        if isinstance(y, list):  # several outputs: one step, its first output's shape recorded
            self.record(call, spec.name, y[0], weights)
            return y
        return self.record(call, spec.name, y, weights)

    def add(self, a: Tensor, b: Tensor, node, label) -> Tensor:
        if a.shape != b.shape:  # a residual needs equal shapes; torch would broadcast a 1, the engine would not
            raise ExecutionFailure(node, f"{label}: the tensors have shapes {a.shape[1:]} and {b.shape[1:]}")
        return self.record(node, "add", ops.add(a, b))

    def concat(self, outputs, node, label, dim: int = 1) -> Tensor:
        try:
            y = ops.cat([t for t, _ in outputs], dim)
        except ValueError as exc:
            raise ExecutionFailure(node, f"{label}: {exc}") from None
        return self.record(node, "concat", y)

    def op(self, name, tensors, args, node, blocks) -> Tensor:
        """A tensor operation of a Python forward (convcalc/executor/tensorops.py)."""
        self.starting(node)
        try:
            y = tensorops.run(name, tensors, args)
        except (ValueError, TypeError, IndexError, ZeroDivisionError) as exc:
            raise ExecutionFailure(node, f"{node.text}: {exc}") from None
        if isinstance(y, list):  # several outputs (chunk, split): one step, its first output's shape recorded
            self.record(node, name, y[0])
            return y
        return self.record(node, name, y)

    def reshape(self, x: Tensor, target, node, blocks) -> Tensor:
        """x.view(x.size(0), ...) keeps the batch; x.view(-1, ...) lets it be inferred."""
        lead = -1 if getattr(node, "infer_batch", False) else x.shape[0]
        try:
            # a tensor without a batch (fold 0): the target is every size
            y = x.reshape(tuple(target) if getattr(node, "fold", None) == 0 else (lead,) + tuple(target))
        except ValueError as exc:
            raise ExecutionFailure(node, f"{node.text}: {exc}") from None
        return self.record(node, "view", y)


def execute(program, input_override=None, batch: int = 1, seed: int = 0, keep: bool = False,
            on_step=None) -> Tuple[ExecutorBackend, Optional[Tensor]]:
    """Walk the program through the executor; ExecutionFailure or ConvcalcError propagate."""
    from convcalc.engine.walk import Walker

    backend = ExecutorBackend(batch, seed, keep, on_step)
    output = Walker(program, backend, input_override).run()
    return backend, output
