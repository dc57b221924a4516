"""What the Python frontend knows of torch's API: functional calls and tensor methods that are
layers of the catalogue, calls that never change a shape, and the calls of torch.nn objects
(``call_ref``, dispatched by qualified name)."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc import nodes as n
from convcalc.frontends.python.builtins import math_call
from convcalc.frontends.python.values import (Builtin, ClassInfo, Constant, Function, Instance, Layer, Module,
                                              ModuleDict, ModuleList, Opaque, Parameter, Partial, Ref, Sequential,
                                              Unfollowable, const_node, describe, is_constant, is_hashable)


F = "torch.nn.functional."
_F = F  # the prefix of torch.nn.functional's qualified names

# functional calls that are layers of the catalogue:
# qualified name -> (layer, parameters after the input in order, defaults to pass explicitly)
_ACT = {"relu": "ReLU", "relu6": "ReLU6", "elu": "ELU", "selu": "SELU", "silu": "SiLU", "mish": "Mish",
        "gelu": "GELU", "leaky_relu": "LeakyReLU", "hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid",
        "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus"}
_ACT_PARAMS = {"ReLU": ("inplace",), "ReLU6": ("inplace",), "ELU": ("alpha", "inplace"), "SELU": ("inplace",),
               "SiLU": ("inplace",), "Mish": ("inplace",), "GELU": ("approximate",),
               "LeakyReLU": ("negative_slope", "inplace"), "Hardswish": ("inplace",), "Hardsigmoid": ("inplace",),
               "Sigmoid": (), "Tanh": (), "Softplus": ("beta", "threshold")}
FUNCTIONAL: dict = {F + name: (layer, _ACT_PARAMS[layer], {}) for name, layer in _ACT.items()}
FUNCTIONAL.update({"torch." + name: (_ACT[name], (), {}) for name in ("relu", "sigmoid", "tanh", "selu")})
for _d in "123":
    FUNCTIONAL[F + f"max_pool{_d}d"] = (f"MaxPool{_d}d", ("kernel_size", "stride", "padding", "dilation",
                                                          "ceil_mode", "return_indices"), {})
    FUNCTIONAL[F + f"avg_pool{_d}d"] = (f"AvgPool{_d}d", ("kernel_size", "stride", "padding", "ceil_mode",
                                                          "count_include_pad") + (("divisor_override",)
                                                                                  if _d != "1" else ()), {})
    FUNCTIONAL[F + f"adaptive_avg_pool{_d}d"] = (f"AdaptiveAvgPool{_d}d", ("output_size",), {})
    FUNCTIONAL[F + f"adaptive_max_pool{_d}d"] = (f"AdaptiveMaxPool{_d}d", ("output_size", "return_indices"), {})
    FUNCTIONAL["torch." + f"max_pool{_d}d"] = FUNCTIONAL[F + f"max_pool{_d}d"]
    FUNCTIONAL[F + f"dropout{_d}d"] = (f"Dropout{_d}d", ("p", "training", "inplace"), {})
FUNCTIONAL.update({
    F + "dropout": ("Dropout", ("p", "training", "inplace"), {}),
    F + "alpha_dropout": ("AlphaDropout", ("p", "training", "inplace"), {}),
    F + "softmax": ("Softmax", ("dim", "_stacklevel", "dtype"), {}),
    F + "log_softmax": ("LogSoftmax", ("dim", "_stacklevel", "dtype"), {}),
    "torch.softmax": ("Softmax", ("dim", "dtype"), {}),
    "torch.log_softmax": ("LogSoftmax", ("dim", "dtype"), {}),
    F + "interpolate": ("Upsample", ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor",
                                     "antialias"), {}),
    F + "upsample": ("Upsample", ("size", "scale_factor", "mode", "align_corners"), {}),
    F + "pixel_shuffle": ("PixelShuffle", ("upscale_factor",), {}),
    F + "pixel_unshuffle": ("PixelUnshuffle", ("downscale_factor",), {}),
    "torch.pixel_shuffle": ("PixelShuffle", ("upscale_factor",), {}),
    "torch.flatten": ("Flatten", ("start_dim", "end_dim"), {"start_dim": 0}),
    F + "hardtanh": ("Hardtanh", ("min_val", "max_val", "inplace"), {}),
    F + "glu": ("GLU", ("dim",), {}),
    F + "local_response_norm": ("LocalResponseNorm", ("size", "alpha", "beta", "k"), {}),
    F + "channel_shuffle": ("ChannelShuffle", ("groups",), {}),
    "torch.channel_shuffle": ("ChannelShuffle", ("groups",), {}),
    # the weights are a module's of the tree (convnext's LayerNorm2d passes its own): none here
    F + "layer_norm": ("LayerNorm", ("normalized_shape", "weight", "bias", "eps"), {"elementwise_affine": False}),
})
# arguments that do not change shapes and may not be constants (self.training, a device, a dtype)
SKIPPED_ARGS = {"training", "_stacklevel", "dtype", "device", "antialias", "recompute_scale_factor"}
# a functional call's weights: tensors of the module tree, counted there (F.layer_norm(x, s, self.weight))
WEIGHT_ARGS = {"weight", "bias"}

TENSOR_METHODS = {"relu": ("ReLU", ()), "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()),
                  "softmax": ("Softmax", ("dim",)), "log_softmax": ("LogSoftmax", ("dim",)),
                  "flatten": ("Flatten", ("start_dim", "end_dim"))}
SAME_TENSOR_METHODS = {"contiguous", "clone", "detach", "float", "double", "half", "cpu", "cuda", "to",
                       "requires_grad_", "type", "bfloat16"}
# functions whose result has the shape of their first argument
SAME_FUNCTIONS = {F + "normalize", "torch.clamp", "torch.exp", "torch.abs", "torch.sqrt", "torch.log",
                  "torch.zeros_like", "torch.ones_like", "torch.rand_like", "torch.randn_like", "torch.empty_like",
                  "torch.nn.functional.hardtanh_", "torch.clone"}
CONCAT = {"torch.cat", "torch.concat", "torch.concatenate"}
# torch.* and F.* functions that are tensor operations: handled as the method of their first argument
TORCH_FUNCTIONS = {f"torch.{name}" for name in ("stack", "split", "chunk", "mean", "sum", "amax", "amin", "max",
                                                  "permute", "transpose", "squeeze", "unsqueeze", "reshape",
                                                  "narrow", "mul", "sub", "div")} | {F + "pad"}
# objects of the training script (an optimizer, a scheduler, a data loader, a loss): made from
# the model's parameters, never changing its tree; what they are is not needed
SCRIPT_OBJECTS = ("torch.optim", "torch.utils.data", "torch.save", "torch.load", "torch.nn.utils.clip_grad")
# calls that never change a shape nor the module tree
NO_OP = {"torch.nn.init", "torch.manual_seed", "print", "warnings.warn", "torch._assert", "logging",
         "torch._C._log_api_usage_once"}

# weight initialisation that never changes a shape
INIT_NAMES = {"modules", "named_modules", "children", "named_children", "parameters", "named_parameters",
              "apply", "isinstance", "hasattr", "getattr", "len", "range", "enumerate", "zip", "math", "sqrt"}
INIT_TARGET_ATTRS = {"data", "weight", "bias"}  # requires_grad is not initialisation: it decides what trains

# qualified name -> the method that handles the call (handler_for adds the rules by prefix)
CALLS = {"torch.nn.Sequential": "call_sequential", "torch.nn.ModuleList": "call_module_list",
         "torch.nn.ModuleDict": "call_module_dict", "collections.OrderedDict": "call_ordered_dict",
         "typing.OrderedDict": "call_ordered_dict", "typing.cast": "call_cast", "torch.add": "functional",
         **dict.fromkeys(FUNCTIONAL, "functional"), **dict.fromkeys(CONCAT, "functional"),
         **dict.fromkeys(TORCH_FUNCTIONS, "torch_function"), **dict.fromkeys(SAME_FUNCTIONS, "same_function"),
         **{f"torch.{name}": "call_constant" for name in ("zeros", "ones", "randn", "rand", "empty", "full",
                                                          "Tensor", "FloatTensor")},
         **{f"torch.{name}": "call_numeric" for name in ("tensor", "arange", "round", "pow", "divide", "diff",
                                                         "floor", "ceil")},
         "torch.nn.Parameter": "call_parameter", "torch.nn.parameter.Parameter": "call_parameter",
         "torch.jit.is_scripting": "call_false", "torch.jit.is_tracing": "call_false",
         "torch.jit.annotate": "call_annotate", "collections.namedtuple": "call_namedtuple",
         "typing.NamedTuple": "call_namedtuple", "functools.partial": "call_functools_partial",
         "copy.copy": "call_copy", "copy.deepcopy": "call_copy",
         # where the script runs: no accelerator, the CPU (nothing here changes a shape)
         **dict.fromkeys(("torch.cuda.is_available", "torch.backends.mps.is_available",
                          "torch.accelerator.is_available", "torch.backends.cudnn.is_available"), "call_false"),
         **dict.fromkeys(("torch.device", "torch.accelerator.current_accelerator"), "call_device"),
         "torch.cuda.device_count": "call_zero"}


def copy_value(value, deep: bool, node, memo: Optional[dict] = None):
    """The copy of a value the interpreter holds (constants are their own copy)."""
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    inner = (lambda v: copy_value(v, True, node, memo)) if deep else (lambda v: v)
    if isinstance(value, list):
        out = memo[id(value)] = [inner(v) for v in value]
    elif isinstance(value, tuple):
        out = tuple(inner(v) for v in value)
    elif isinstance(value, dict):
        out = memo[id(value)] = {k: inner(v) for k, v in value.items()}
    elif isinstance(value, Instance):
        out = memo[id(value)] = Instance(value.cls, value.node)
        out.attrs = {k: inner(v) for k, v in value.attrs.items()}
        out.seq = None if value.seq is None else [inner(v) for v in value.seq]
        out.poisoned = value.poisoned
    elif isinstance(value, Layer):
        out = value
        if deep:
            out = memo[id(value)] = Layer(value.name, value.call, value.origin)
            out.extra = dict(value.extra)
    elif isinstance(value, (Sequential, ModuleList, ModuleDict)):
        items = value.items
        out = memo[id(value)] = type(value)({k: inner(v) for k, v in items.items()} if isinstance(items, dict)
                                            else [inner(v) for v in items])
    elif is_constant(value) or value is None or isinstance(value, (Ref, Function, ClassInfo)):
        out = value
    else:
        raise Unfollowable(f"a copy of {describe(value)}", node)
    return out


# helpers of torchvision's model files, known by name wherever they are imported from: they
# register or log, and one sets a factory's keyword (what torchvision's does)
HELPERS = {"_log_api_usage_once": "call_no_op", "_ovewrite_named_param": "call_overwrite"}


def handler_for(qname: str):
    """The method that follows a call of ``qname``, or None when convcalc does not follow it."""
    from convcalc.layers.catalogue import REGISTRY

    if qname in CALLS:
        return CALLS[qname]
    short = qname.rsplit(".", 1)[-1]
    if short in HELPERS:
        return HELPERS[short]
    if any(qname == p or qname.startswith(p + ".") for p in NO_OP):
        return "call_no_op"
    if any(qname == p or qname.startswith(p + ".") for p in SCRIPT_OBJECTS):
        return "call_script_object"
    if qname.startswith("math."):
        return "call_math"
    if qname.startswith("torch.nn.") and qname.count(".") == 2:
        if short in REGISTRY:
            return "call_layer"
        if short[:1].isupper():
            return "call_opaque"  # nn.LSTM, a loss: a module convcalc does not follow into
    return None


class TorchCalls:
    """Calls of imported names (torch.nn layers and containers, torch.* and F.* functions)."""

    def call_ref(self, ref: Ref, node, scope):
        handler = handler_for(ref.qname)
        if handler is None:
            raise Unfollowable(f"{ref.qname} is not followed", node)
        return getattr(self, handler)(ref.qname, node, scope)

    def call_functools_partial(self, qname: str, node, scope):
        args, kwargs = self.call_args(node, scope)
        if not args:
            raise Unfollowable("functools.partial without a function", node)
        return Partial(args[0][0], args[1:], kwargs)

    def call_layer(self, qname: str, node, scope):
        args, kwargs = self.call_args(node, scope, skip=SKIPPED_ARGS)
        return self.make_layer(qname.rsplit(".", 1)[-1], args, kwargs, node)

    def call_opaque(self, qname: str, node, scope):
        self.call_args(node, scope, skip=SKIPPED_ARGS)
        return Opaque(qname)

    def call_sequential(self, qname: str, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs:
            raise Unfollowable("nn.Sequential with keywords", node)
        return Sequential(self.sequential_items([v for v, _ in args], node))

    def call_module_list(self, qname: str, node, scope):
        args, _ = self.call_args(node, scope)
        items = list(self.iterate(args[0][0], node)) if args else []
        if not all(isinstance(i, Module) for i in items):
            raise Unfollowable("nn.ModuleList of something not a module", node)
        return ModuleList(items)

    def call_module_dict(self, qname: str, node, scope):
        args, _ = self.call_args(node, scope)
        if args and not isinstance(args[0][0], dict):
            raise Unfollowable("nn.ModuleDict of something not a dict", node)
        return ModuleDict(dict(args[0][0]) if args else {})

    def call_no_op(self, qname: str, node, scope):
        return None

    def call_false(self, qname: str, node, scope):
        """torch.jit.is_scripting(): convcalc follows forward as eager PyTorch runs it (and on the
        CPU: torch.cuda.is_available())."""
        return False

    def call_script_object(self, qname: str, node, scope):
        if self.trace is not None:
            raise Unfollowable(f"{qname} in forward", node)
        self.call_args(node, scope)  # what it is given must be known (model.parameters())
        return Ref(f"{qname}()")

    def call_device(self, qname: str, node, scope):
        return Ref("torch.device")

    def call_zero(self, qname: str, node, scope):
        return 0

    def call_annotate(self, qname: str, node, scope):
        """torch.jit.annotate(T, value) is value."""
        args, _ = self.call_args(node, scope)
        return args[1][0] if len(args) == 2 else None

    def call_namedtuple(self, qname: str, node, scope):
        """namedtuple("Outputs", [...]): a tuple of what it is called with."""
        return Builtin("namedtuple", lambda args, kwargs, call: tuple(args) + tuple(kwargs.values()))

    def call_overwrite(self, qname: str, node, scope):
        """_ovewrite_named_param(kwargs, name, value): kwargs[name] = value (torchvision's rule: a
        different value already there is an error)."""
        args, _ = self.call_args(node, scope)
        if len(args) != 3 or not isinstance(args[0][0], dict) or not isinstance(args[1][0], str):
            raise Unfollowable(f"{qname} with other arguments", node)
        kwargs, name, value = (v for v, _ in args)
        if name in kwargs and kwargs[name] != value:
            raise Unfollowable(f"{qname}: {name}={describe(kwargs[name])} was given, {describe(value)} expected", node)
        kwargs[name] = value

    def call_ordered_dict(self, qname: str, node, scope):
        args, kwargs = self.call_args(node, scope)
        out = dict(self.iterate_pairs(args[0][0], node)) if args else {}
        out.update({k: v for k, v, _, _ in kwargs})
        return out

    def call_copy(self, qname: str, node, scope):
        """copy.copy(config) and copy.deepcopy(block): a copy; a deep copy of a module holds new
        layer objects, whose parameters count again, as torch's copy has its own."""
        args, kwargs = self.call_args(node, scope)
        if len(args) != 1 or kwargs:
            raise Unfollowable(f"{qname} with other arguments", node)
        return copy_value(args[0][0], deep=qname == "copy.deepcopy", node=node)

    def call_cast(self, qname: str, node, scope):
        args, _ = self.call_args(node, scope)
        return args[-1][0]

    def call_constant(self, qname: str, node, scope):
        """torch.zeros(1, 16, 8), torch.randn(2, 3, 32, 32): a tensor of constant sizes (script code's
        input to a model, an nn.Parameter's value)."""
        args, kwargs = self.call_args(node, scope, skip=SKIPPED_ARGS | {"requires_grad", "generator", "out"})
        sizes = [v for v, _ in args]
        if qname in ("torch.full", "torch.tensor"):
            sizes = sizes[:1]
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = list(sizes[0])
        if qname == "torch.tensor" or not all(type(s) is int and s >= 0 for s in sizes):
            raise Unfollowable(f"{qname} of {', '.join(describe(s) for s in sizes) or 'no sizes'}", node)
        if self.trace is not None:
            raise Unfollowable(f"{qname}(...): a new tensor made in forward", node)
        return Constant(tuple(sizes))

    def call_numeric(self, qname: str, node, scope):
        """torch.arange(depth) * w_a, torch.round(...), torch.diff(...): known values (numeric.py)."""
        from convcalc.frontends.python import numeric

        args, kwargs = self.call_args(node, scope, skip=SKIPPED_ARGS | {"requires_grad"})
        values = [v for v, _ in args]
        name = qname.rsplit(".", 1)[-1]
        if kwargs or not (numeric.involves(values) or name in ("arange", "tensor")):
            raise Unfollowable(f"{qname} is not followed", node)
        if self.trace is not None:
            raise Unfollowable(f"{qname}(...): a new tensor made in forward", node)
        return numeric.call(name, values, node)

    def call_parameter(self, qname: str, node, scope):
        args, kwargs = self.call_args(node, scope)
        data = args[0][0] if args else None
        if not isinstance(data, Constant):
            raise Unfollowable(f"nn.Parameter of {describe(data)}", node)
        trainable = dict((k, v) for k, v, _, _ in kwargs).get("requires_grad", True) is not False
        return Parameter(data.shape, trainable)

    def call_math(self, qname: str, node, scope):
        args, _ = self.call_args(node, scope)
        return math_call(qname.rsplit(".", 1)[-1], [v for v, _ in args], node)

    def iterate_pairs(self, value, node):
        pairs = self.iterate(value, node) if not isinstance(value, dict) else list(value.items())
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2 or not is_hashable(pair[0]):
                raise Unfollowable("a dict of something not pairs", node)
        return pairs

    def make_layer(self, name: str, args, kwargs, node) -> Layer:
        exprs = tuple(const_node(v, self.src.span(nd), nd, name) for v, nd in args)
        kw = []
        for key, value, value_node, kw_node in kwargs:
            if key in SKIPPED_ARGS:
                continue
            kw.append((key, const_node(value, self.src.span(value_node), value_node, name),
                       self.src.span(kw_node) if kw_node is not None and hasattr(kw_node, "lineno")
                       else self.src.span(value_node)))
        name_span = self.src.span(node.func if isinstance(node, ast.Call) else node)
        call = n.Call(name, exprs, tuple(kw), self.src.segment(node), self.src.span(node), name_span)
        # (what was called, where): a class's name for its __init__ (OutConv(32, n_classes) built it)
        origin = tuple((f[2].owner.name if f[0] == "__init__" and f[2] is not None and f[2].owner else f[0], f[1])
                       for f in self.frames if f[1] is not None)
        return Layer(name, call, origin)
