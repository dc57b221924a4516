"""The functional spellings of the catalogue's layers: ``F.relu(x)``, ``torch.flatten(x, 1)``,
``x.softmax(dim)`` are the layers ReLU, Flatten and Softmax applied to x. Each spelling is
declared once here with the order of its parameters after the input (they may differ from the
layer's constructor: F.max_pool2d has no nn-only arguments), and the defaults it passes where
the layer's differ (torch.flatten starts at dim 0, nn.Flatten at 1). The Python frontend
answers every spelling from this table; the layers themselves are in their families' modules.
"""
from __future__ import annotations

F = "torch.nn.functional."

# spelling -> (layer, its parameters after the input, in order; defaults to pass explicitly)
FUNCTIONAL: dict = {}

_ACT = {"relu": "ReLU", "relu6": "ReLU6", "elu": "ELU", "selu": "SELU", "silu": "SiLU", "mish": "Mish",
        "gelu": "GELU", "leaky_relu": "LeakyReLU", "hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid",
        "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus"}
_ACT_PARAMS = {"ReLU": ("inplace",), "ReLU6": ("inplace",), "ELU": ("alpha", "inplace"), "SELU": ("inplace",),
               "SiLU": ("inplace",), "Mish": ("inplace",), "GELU": ("approximate",),
               "LeakyReLU": ("negative_slope", "inplace"), "Hardswish": ("inplace",), "Hardsigmoid": ("inplace",),
               "Sigmoid": (), "Tanh": (), "Softplus": ("beta", "threshold")}
FUNCTIONAL.update({F + name: (layer, _ACT_PARAMS[layer], {}) for name, layer in _ACT.items()})
FUNCTIONAL.update({F + name + "_": (layer, _ACT_PARAMS[layer], {}) for name, layer in _ACT.items()
                   if "inplace" in _ACT_PARAMS[layer]})
FUNCTIONAL.update({"torch." + name: (_ACT[name], (), {}) for name in ("relu", "sigmoid", "tanh", "selu")})
FUNCTIONAL.update({"torch." + name + "_": (_ACT[name], (), {}) for name in ("relu", "sigmoid", "tanh")})
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
FUNCTIONAL["torch.avg_pool1d"] = FUNCTIONAL[F + "avg_pool1d"]
FUNCTIONAL.update({
    F + "dropout": ("Dropout", ("p", "training", "inplace"), {}),
    "torch.dropout": ("Dropout", ("p", "train"), {}),
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

# the methods of a tensor that are these layers: Tensor.<name> -> (layer, parameters, defaults)
TENSOR_METHODS = {"relu": ("ReLU", (), {}), "sigmoid": ("Sigmoid", (), {}), "tanh": ("Tanh", (), {}),
                  "softmax": ("Softmax", ("dim",), {}), "log_softmax": ("LogSoftmax", ("dim",), {}),
                  "flatten": ("Flatten", ("start_dim", "end_dim"), {"start_dim": 0}),
                  "unflatten": ("Unflatten", ("dim", "unflattened_size"), {}),
                  "relu_": ("ReLU", (), {}), "sigmoid_": ("Sigmoid", (), {}), "tanh_": ("Tanh", (), {})}

# arguments that do not change shapes and may not be constants (self.training, a device, a dtype)
SKIPPED_ARGS = {"training", "_stacklevel", "dtype", "device", "antialias", "recompute_scale_factor", "train"}
# a functional call's weights: tensors of the module tree, counted there (F.layer_norm(x, s, self.weight))
WEIGHT_ARGS = {"weight", "bias"}
