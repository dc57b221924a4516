"""Every executor op in one namespace (torch functional semantics, inference mode).

Inputs carry the batch dimension: spatial ops take (N, C, *spatial) with 1 to 3
spatial dims. Ops never modify their inputs.
"""
from .activation import (elu, gelu, hardsigmoid, hardswish, leaky_relu, log_softmax, mish, prelu,
                         relu, relu6, selu, sigmoid, silu, softmax, softplus, tanh)
from .conv import conv, conv_transpose
from .dense import add, cat, dropout, flatten, identity, linear, unflatten
from .norm import batch_norm, group_norm, instance_norm, layer_norm, local_response_norm
from .pool import adaptive_avg_pool, adaptive_max_pool, avg_pool, max_pool
from .resample import pad, pixel_shuffle, pixel_unshuffle, upsample

__all__ = [
    "conv", "conv_transpose",
    "max_pool", "avg_pool", "adaptive_avg_pool", "adaptive_max_pool",
    "linear", "identity", "dropout", "flatten", "unflatten", "add", "cat",
    "batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
    "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "sigmoid",
    "tanh", "hardswish", "hardsigmoid", "softplus", "softmax", "log_softmax",
    "upsample", "pixel_shuffle", "pixel_unshuffle", "pad",
]
