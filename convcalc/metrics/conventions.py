"""Mult-adds as each counting tool counts them: one table per convention, keyed by what the tool's
own table keys on (the layer's ``counted`` trait: Conv, BatchNorm, MaxPool, ...; a tensor
operation's name), each rule written from the tool's source (docs/conventions.md says, per tool,
what it counts for every kind of layer and why).

A rule takes a :class:`Site` (one row of the walk: the shapes coming in and going out per sample,
the batch, the bound arguments, whether torch would see a module call) and returns the count for
the whole batch, as the tool would print it for an input of that batch; :class:`NotCounted` where
the tool itself fails or gives no number (thop's Softmax without a dim, torchstat's Linear on a
3-d input), or where the tool's arithmetic (floats, remainders) needs sizes a symbolic input does
not give.

* ``torchinfo`` and ``fvcore`` are the walk's own figures (``Row.macs``; the measuring pass's
  ``RowInfo.fmas``, which is ``torch.utils.flop_counter``'s count / 2): see convcalc/metrics/memory.py.
* ``thop`` (0.1.1), ``ptflops`` (0.7.5, its default pytorch backend), ``torch-scan`` (0.2.0) and
  ``torchstat`` (0.0.7): hook-based tools. They see module calls only (a ``F.relu`` in a forward is
  no module), each call of a module again (torchstat keeps one figure per module); ptflops also
  patches some functions of ``torch.nn.functional`` and ``torch`` and counts them wherever they
  run, a module's own forward included (so an nn.ReLU counts twice there).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Optional

from convcalc.layers.common import product
from convcalc.symbolic import dims


class NotCounted(Exception):
    """The convention has no figure for this row: the tool fails on it, or its arithmetic needs
    sizes the input leaves open."""


class Uncounted(Exception):
    """A module call the tool has no rule for: it counts 0 (as the tool does), and the report names
    the layer types so counted (torch-scan prints its total as "known" then)."""


def uncounted(site: "Site"):
    raise Uncounted()


class Convention:
    """``layers``: counted trait -> rule for a module call of that layer; ``functions``: counted
    trait -> rule for a layer called as a function (``F.relu(x)``), with the spellings the tool
    patches (None: any spelling); ``operations``: operation name -> rule, with its spellings;
    ``each_call``: a layer object called again counts again (False: its last call only, torchstat,
    which overwrites a module's figure at every call);
    ``text``: the footer's words."""

    def __init__(self, name: str, text: str, layers: dict, functions: Optional[dict] = None,
                 operations: Optional[dict] = None, each_call: bool = True, per_sample: bool = False,
                 input_rank: Optional[int] = None):
        self.name, self.text, self.layers = name, text, layers
        self.functions, self.operations = functions or {}, operations or {}
        self.each_call, self.per_sample = each_call, per_sample
        self.input_rank = input_rank  # the tool takes only inputs of this rank per sample (torchstat: C x H x W)


class Site:
    """What a rule reads of one row: per-sample shapes, the batch, the arguments, the traits."""

    __slots__ = ("row", "batch", "inp", "out", "values", "traits", "module", "spelling")

    def __init__(self, row, batch: int, module: bool):
        self.row, self.batch, self.module = row, batch, module
        self.inp = tuple(row.inputs[0]) if row.inputs and row.inputs[0] is not None else tuple(row.input)
        self.out = tuple(row.shape)
        args = row.args
        self.values = args.values if hasattr(args, "values") and not isinstance(args, dict) else (args or {})
        self.traits = row.spec.traits if row.spec is not None else None
        self.spelling = getattr(row.node, "spelling", "")

    def get(self, name: str, default=None):
        return self.values.get(name, default)

    @property
    def n_in(self) -> dims.Dim:
        """Elements of the input, the whole batch."""
        return self.batch * product(self.inp)

    @property
    def n_out(self) -> dims.Dim:
        return self.batch * product(self.out)

    def concrete(self, why: str) -> None:
        """The rule's arithmetic needs whole numbers: refuse a symbolic size."""
        if any(dims.is_symbolic(d) for d in self.inp + self.out):
            raise NotCounted(f"{why} needs a concrete input size (give one with --input)")

    def kernel(self) -> tuple:
        """kernel_size per spatial dim, as ints."""
        k = self.get("kernel_size")
        rank = self.traits.rank or 1
        return tuple(k) if isinstance(k, tuple) else (k,) * rank

    def groups(self) -> int:
        return self.get("groups", 1) or 1

    def affine(self) -> bool:
        return bool(self.get("affine", False)) or bool(self.get("elementwise_affine", False))


def zero(site: Site) -> int:
    return 0


# ---------------------------------------------------------------- thop 0.1.1 (vision/basic_hooks.py)


def thop_conv(site: Site):
    """prod(output, the batch included) x in_channels/groups x prod(kernel): no bias; a transposed
    convolution by the same formula (its output's positions)."""
    return site.n_out * (site.inp[0] // site.groups()) * product(site.kernel())


def thop_norm(site: Site):
    """2 per input element, twice that with an affine transform (BatchNorm, InstanceNorm, LayerNorm)."""
    return site.n_in * (4 if site.affine() else 2)


def thop_softmax(site: Site):
    """Per softmax of nf features: nf exps, nf - 1 adds, nf divisions."""
    dim = site.get("dim")
    if dim is None:
        raise NotCounted("thop fails on Softmax without a dim (x.size()[None])")
    full = (site.batch,) + site.inp
    features = full[dim]
    return site.n_in // features * (3 * features - 1)


def thop_adaptive_avg(site: Site):
    """(prod(input size / output size per spatial dim, in floats) + 1) x output elements, truncated."""
    site.concrete("thop's adaptive average pooling (a float kernel)")
    kernel = 1.0
    for i, o in zip(site.inp[1:], site.out[1:]):
        kernel *= float(i) / float(o)
    return int((kernel + 1) * float(site.n_out))


UPSAMPLE_THOP = {"nearest": 1, "linear": 5, "bilinear": 11, "bicubic": 259}  # per output element


def thop_upsample(site: Site):
    """Per output element, by mode; the modes thop does not know (trilinear, area, ...) count 0."""
    return site.n_out * UPSAMPLE_THOP.get(upsample_mode(site), 0)


def upsample_mode(site: Site) -> str:
    return site.get("mode") or site.traits.mode or "nearest"


def rank_only(rank, rule: Callable = zero) -> Callable:
    """A rule for the layer of one rank (the tool's table names nn.ZeroPad2d, not ZeroPad1d)."""
    return lambda site: rule(site) if site.traits.rank == rank else uncounted(site)


THOP = Convention("thop", "thop's convention: modules only, conv and linear without bias, 2-4 per norm element", {
    "ZeroPad": rank_only(2), "ReLU": zero, "ReLU6": zero, "LeakyReLU": zero, "MaxPool": zero,
    "AdaptiveMaxPool": zero, "Dropout": rank_only(None), "PixelShuffle": zero,
    "Conv": thop_conv, "ConvTranspose": thop_conv,
    "BatchNorm": thop_norm, "InstanceNorm": thop_norm, "LayerNorm": thop_norm,
    "PReLU": lambda s: s.n_in,  # in eval mode (thop puts the model in it)
    "Softmax": thop_softmax,
    "AvgPool": lambda s: s.n_out, "AdaptiveAvgPool": thop_adaptive_avg,
    "Linear": lambda s: s.get("in_features", s.inp[-1]) * s.n_out,
    "Upsample": thop_upsample, "UpsamplingBilinear": thop_upsample, "UpsamplingNearest": thop_upsample,
})


# ---------------------------------------------------------------- ptflops 0.7.5 (pytorch_ops.py)


def ptflops_conv(site: Site):
    """prod(kernel) x in_channels x out_channels/groups per position (the output's; a transposed
    convolution's input positions), plus one per output element for the bias."""
    out_channels = site.out[0]
    per_position = product(site.kernel()) * site.inp[0] * (out_channels // site.groups())
    positions = site.inp[1:] if site.traits.transposed else site.out[1:]
    bias = site.n_out if site.get("bias", True) else 0
    return per_position * site.batch * product(positions) + bias


def ptflops_linear(site: Site):
    """(in x out + out for the bias) for every position of the input but its last dim."""
    out_features = site.out[-1]
    bias = out_features if site.get("bias", True) else 0
    return (site.inp[-1] * out_features + bias) * site.batch * product(site.inp[:-1])


def ptflops_norm(site: Site):
    """One per input element, two with ``affine`` (LayerNorm's is elementwise_affine: one)."""
    return site.n_in * (2 if site.get("affine", False) else 1)


def numel_in(site: Site):
    return site.n_in


def numel_out(site: Site):
    return site.n_out


def twice_in(site: Site):
    """The module's hook and the patched function its forward calls (F.max_pool2d, F.relu, ...)."""
    return 2 * site.n_in


def interpolate(site: Site):
    """F.interpolate as ptflops' hook counts it: with a size, prod(size) x batch x channels; with
    a scale factor, input elements x scale^(spatial dims) (a tuple: their product, as ints)."""
    size = site.get("size")
    spatial = len(site.inp) - 1
    base = site.batch * site.inp[0]
    if size is not None:
        return base * (product(size) if isinstance(size, tuple) else size ** spatial)
    scale = site.get("scale_factor")
    if isinstance(scale, tuple) and len(scale) == spatial:
        return int(site.n_in * math.prod(float(s) for s in scale))
    factor = Fraction(scale).limit_denominator(10**6) ** spatial if not isinstance(scale, tuple) else None
    if factor is None:
        raise NotCounted("ptflops fails on a scale_factor tuple of another length")
    site.concrete("ptflops' interpolate (a float scale)")
    return int(site.n_in * factor)


def ptflops_upsample(site: Site):
    """nn.Upsample: the module's hook (output elements) and F.interpolate, which its forward calls."""
    return site.n_out + interpolate(site)


def matmul_ptflops(site: Site):
    """prod(first operand's shape, the batch included) x the second's last dim."""
    other = site.row.inputs[1] if len(site.row.inputs) > 1 else site.inp
    return site.n_in * other[-1]


def elementwise_ptflops(site: Site):
    """torch.add / torch.mul: the broadcast shape's elements."""
    return site.n_out


F = "torch.nn.functional."
PATCHED = {F + name for name in ("relu", "prelu", "elu", "relu6", "gelu", "silu", "softmax", "interpolate",
                                 "upsample")} | \
    {F + f"{kind}_pool{d}d" for kind in ("avg", "max", "adaptive_avg", "adaptive_max") for d in "123"}
MATMULS = {"torch.matmul", "Tensor.matmul", "torch.mm", "Tensor.mm", "torch.bmm", "Tensor.bmm"}
ELEMENTWISE = {"torch.add", "Tensor.add", "torch.mul", "Tensor.mul"}

PTFLOPS = Convention("ptflops", "ptflops' convention: per sample, conv and linear with bias, activations, pools "
                                "and norms per element, some counted twice", {
    "Conv": ptflops_conv, "ConvTranspose": ptflops_conv, "Linear": ptflops_linear,
    # the module's hook, plus F.relu / F.prelu / F.elu / F.gelu that its forward calls (patched)
    "ReLU": twice_in, "PReLU": twice_in, "ELU": twice_in, "GELU": twice_in,
    "LeakyReLU": numel_out, "ReLU6": numel_out,  # their forward calls F.leaky_relu / F.hardtanh (not patched)
    "SiLU": numel_in, "Softmax": numel_in, "Softmax2d": numel_in,  # no hook: only the patched F.silu / F.softmax
    "MaxPool": twice_in, "AvgPool": twice_in, "AdaptiveMaxPool": twice_in, "AdaptiveAvgPool": twice_in,
    "BatchNorm": ptflops_norm, "InstanceNorm": ptflops_norm, "GroupNorm": ptflops_norm, "LayerNorm": ptflops_norm,
    "Upsample": ptflops_upsample, "UpsamplingNearest": interpolate, "UpsamplingBilinear": interpolate,
}, functions={
    "ReLU": numel_in, "PReLU": numel_in, "ELU": numel_in, "ReLU6": numel_in, "GELU": numel_in, "SiLU": numel_in,
    "Softmax": numel_in, "MaxPool": numel_in, "AvgPool": numel_in, "AdaptiveMaxPool": numel_in,
    "AdaptiveAvgPool": numel_in, "Upsample": interpolate,
}, operations={"matmul": matmul_ptflops, "bmm": matmul_ptflops, "add": elementwise_ptflops,
               "mul": elementwise_ptflops}, per_sample=True)


# ---------------------------------------------------------------- torch-scan 0.2.0 (modules/macs.py)


def scan_conv(site: Site):
    """Output elements x in_channels/groups x prod(kernel); a transposed convolution adds 4 per
    spatial dim, once per call (its padding arithmetic)."""
    count = site.n_out * (site.inp[0] // site.groups()) * product(site.kernel())
    return count + (4 * len(site.kernel()) if site.traits.transposed else 0)


def scan_window(site: Site) -> int:
    """kernel_size as torch-scan reads it: the product of a tuple, an int as it is (MaxPool2d(3): 3)."""
    k = site.get("kernel_size")
    return math.prod(k) if isinstance(k, tuple) else k


def adaptive_kernel(site: Site) -> tuple:
    site.concrete("torch-scan's adaptive pooling (a remainder)")
    return tuple(i // o if i % o == 0 else i % o + 1 for i, o in zip(site.inp[1:], site.out[1:]))


TORCH_SCAN = Convention("torch-scan", "torch-scan's convention: modules only, bias in the accumulation, pools per "
                                      "window element", {
    "Identity": zero, "ReLU": zero, "ELU": zero, "LeakyReLU": zero, "ReLU6": zero, "Tanh": zero, "Sigmoid": zero,
    "Flatten": zero, "Dropout": rank_only(None),
    "Linear": lambda s: s.get("in_features", s.inp[-1]) * s.n_out,
    "Conv": scan_conv, "ConvTranspose": scan_conv,
    "BatchNorm": lambda s: s.n_in * (2 if s.get("affine", True) else 1),  # eval mode: no running-stat updates
    "MaxPool": lambda s: s.n_out * (scan_window(s) - 1),
    "AvgPool": lambda s: s.n_out * (scan_window(s) - 1 + len(s.inp) - 1),
    "AdaptiveMaxPool": lambda s: s.n_out * (math.prod(adaptive_kernel(s)) - 1),
    "AdaptiveAvgPool": lambda s: s.n_out * (math.prod(adaptive_kernel(s)) - 1 + len(s.inp) - 1),
})


# ---------------------------------------------------------------- torchstat 0.0.7 (compute_madd.py)


def stat_2d(rule: Callable) -> Callable:
    """torchstat counts the 2-d layers only (Conv2d, BatchNorm2d, MaxPool2d, ...)."""
    def counted(site: Site):
        return rule(site) * site.batch if site.traits.rank == 2 else 0
    return counted


def stat_conv(site: Site):
    """Multiplies and adds apart: per output (a transposed convolution: per input) position and
    output channel, k x k x in/groups products and one add fewer, plus one for the bias."""
    c_in = site.inp[0]
    muls = product(site.kernel()) * (c_in // site.groups())
    adds = muls - 1 + (1 if site.get("bias", True) else 0)
    positions = site.inp[1:] if site.traits.transposed else site.out[1:]
    return (muls + adds) * product(positions) * site.out[0]


def stat_window(site: Site) -> int:
    k = site.get("kernel_size")
    return math.prod(k) if isinstance(k, tuple) else k * k


def stat_linear(site: Site):
    if len(site.inp) != 1:
        raise NotCounted("torchstat fails on a Linear whose input is not 2-d (batch, features)")
    return site.out[0] * (2 * site.inp[0] - 1) * site.batch


def stat_softmax(site: Site):
    count = product(site.inp)
    return (3 * count - 1) * site.batch


TORCHSTAT = Convention("torchstat", "torchstat's convention (MAdd): multiplies and adds counted apart, 2-d layers "
                                    "only, a module's last call only", {
    "Conv": stat_2d(stat_conv), "ConvTranspose": stat_2d(stat_conv),
    "BatchNorm": stat_2d(lambda s: 4 * product(s.inp)),
    "MaxPool": stat_2d(lambda s: (stat_window(s) - 1) * product(s.out)),
    "AvgPool": stat_2d(lambda s: stat_window(s) * product(s.out)),
    "ReLU": lambda s: product(s.inp) * s.batch, "ReLU6": lambda s: product(s.inp) * s.batch,
    "Softmax": stat_softmax, "Linear": stat_linear,
}, each_call=False, input_rank=3)


PEERS = {c.name: c for c in (THOP, PTFLOPS, TORCH_SCAN, TORCHSTAT)}
CONVENTIONS = ("torchinfo", "fvcore") + tuple(PEERS)


def is_module_call(row, program) -> bool:
    """torch would see a module call: every layer of a network file; in a Python model, a layer of
    the module tree (a functional spelling, or a layer made inside forward, is no hooked module)."""
    from convcalc import nodes

    frontend = getattr(program, "frontend", nodes.NETWORK)
    return frontend is nodes.NETWORK or bool(getattr(row.node, "path", ""))


def called_again(rows: list) -> set:
    """The indices of the rows of a layer object that it is called again after (all its calls but
    the last)."""
    last: dict = {}
    for index, row in enumerate(rows):
        instance = getattr(row.node, "instance", None)
        if instance is not None:
            last[instance] = index
    return {index for index, row in enumerate(rows)
            if getattr(row.node, "instance", None) is not None and last[row.node.instance] != index}


def peer_count(convention: Convention, row, program, batch: int, earlier: bool = False):
    """One row's count in a tool's convention (the whole batch); ``earlier``: the layer object is
    called again later (a tool that keeps one figure per module keeps the last call's)."""
    if row.spec is not None:
        module = is_module_call(row, program)
        if module and not convention.each_call and earlier:
            return 0
        site = Site(row, 1 if convention.per_sample else batch, module)
        if module:
            rule = convention.layers.get(row.spec.traits.counted)
        else:
            rule = convention.functions.get(row.spec.traits.counted)
            if rule is not None and site.spelling and site.spelling not in PATCHED:
                rule = None  # torch.relu(x), x.relu(): a spelling the tool does not patch
        if rule is None and module:
            raise Uncounted()
        count = rule(site) if rule is not None else 0
    elif row.op is not None:
        site = Site(row, 1 if convention.per_sample else batch, False)
        rule = convention.operations.get(row.op.name)
        spellings = MATMULS if row.op.name in ("matmul", "bmm") else ELEMENTWISE
        count = rule(site) if rule is not None and site.spelling in spellings else 0
    else:
        return 0
    return count * batch if convention.per_sample else count
