"""Run a parsed description in torch itself: the oracle for whole networks.

The Walker evaluates lets, defs, repeats and blocks; every layer is then built with
``getattr(torch.nn, name)(**bound_args)`` and run on a real tensor, so the shapes and
parameter counts come from torch, not from convcalc's arithmetic.
"""
import math

import torch
from torch import nn

from convcalc.engine.walk import Walker


class TorchBackend:
    def __init__(self, batch=1, whole=False):
        self.batch = batch
        self.whole = whole
        self.rows = []  # (line, name, output shape per sample, params)

    def start(self, shape, node):
        return torch.randn(self.batch, *shape)

    def layer(self, spec, args, xs, call, blocks):
        given = {name: args.values[name] for name, _ in spec.call_params if name in args.values}
        module = build(spec, args.values)
        module.eval()
        with torch.no_grad():
            y = forward(module, spec, xs, given)
        params = sum(p.numel() for p in module.parameters())
        buffers = sum(b.numel() for b in module.buffers())
        outputs = flat(y)
        self.rows.append((call.span.line, spec.name, self.shape(outputs[0]), params, buffers))
        return outputs if len(outputs) > 1 else outputs[0]

    def shape(self, y) -> tuple:
        """What a row records: per sample (the batch first), or whole (``whole=True``: the batch anywhere)."""
        return tuple(y.shape) if self.whole else tuple(y.shape[1:])

    def add(self, a, b, node, label):
        y = a + b
        self.rows.append((node.span.line, "add", self.shape(y), 0, 0))
        return y

    def op(self, name, tensors, args, node, blocks):
        y = torch_op(name, tensors, args)
        first = y[0] if isinstance(y, list) else y
        self.rows.append((node.span.line, name, self.shape(first), 0, 0))
        return y

    def concat(self, outputs, node, label, dim=1):
        y = torch.cat([t for t, _ in outputs], dim=dim)
        self.rows.append((node.span.line, "concat", self.shape(y), 0, 0))
        return y

    def reshape(self, x, target, node, blocks):
        y = x.reshape(-1 if getattr(node, "infer_batch", False) else x.shape[0], *target)
        self.rows.append((node.span.line, "view", self.shape(y), 0, 0))
        return y


def build(spec, values):
    """The torch module of a layer; a layer object given as an argument (a TransformerEncoder's
    layer, its norm) built first."""
    from convcalc.layers.catalogue import lookup
    from convcalc.layers.registry import Built

    def made(value):
        return build(lookup(value.name), value.args.values) if isinstance(value, Built) else value
    return getattr(nn, spec.name)(**{name: made(values[name]) for name, _ in spec.params if name in values})


def forward(module, spec, xs, given):
    """The module's forward on the operands by their names (an LSTM's h_0 and c_0 as its hx)."""
    names = [o.rstrip("?") for o in spec.operands]
    kwargs = dict(given)
    packed = {name for _, pack in spec.packs for name in pack}
    for pack, members in spec.packs:
        values = [xs[names.index(m)] if names.index(m) < len(xs) else None for m in members]
        if any(v is not None for v in values):
            kwargs[pack] = tuple(values)
    for name, x in zip(names[1:], xs[1:]):
        if name not in packed and x is not None:
            kwargs[name] = x
    return module(xs[0], **kwargs)


def flat(y) -> list:
    """A forward's result as the walk passes it on: its tensors in order (None left out)."""
    if isinstance(y, (tuple, list)):
        return [t for item in y for t in flat(item)]
    return [] if y is None else [y]


def torch_op(name, tensors, a):
    """The operations of convcalc/layers/operations.py, done by torch, by name with the bound arguments."""
    x = tensors[0]
    ops = {
        "add": lambda: torch.add(x, tensors[1], alpha=a["alpha"]), "sub": lambda: torch.sub(x, tensors[1], alpha=a["alpha"]),
        "mul": lambda: torch.mul(x, tensors[1]), "div": lambda: torch.div(x, tensors[1], rounding_mode=a["rounding_mode"]),
        "maximum": lambda: torch.maximum(x, tensors[1]), "minimum": lambda: torch.minimum(x, tensors[1]),
        "mean": lambda: torch.mean(x, dim=a["dim"], keepdim=a["keepdim"]),
        "sum": lambda: torch.sum(x, dim=a["dim"], keepdim=a["keepdim"]),
        "amax": lambda: torch.amax(x, dim=a["dim"], keepdim=a["keepdim"]),
        "amin": lambda: torch.amin(x, dim=a["dim"], keepdim=a["keepdim"]),
        **{name: (lambda fn, pair: lambda: (list if pair else (lambda t: t))(fn(
            x, dim=a["dim"], keepdim=a["keepdim"], correction=a["correction"] if a["correction"] is not None else
            int(a["unbiased"]))))(getattr(torch, name), name.endswith("_mean"))
           for name in ("var", "std", "var_mean", "std_mean")},
        "permute": lambda: x.permute(*a["dims"]), "transpose": lambda: x.transpose(a["dim0"], a["dim1"]),
        "squeeze": lambda: x.squeeze() if a["dim"] is None else x.squeeze(a["dim"]),
        "unsqueeze": lambda: x.unsqueeze(a["dim"]),
        "slice": lambda: x[tuple([slice(None)] * a["dim"] + [slice(a["start"], a["stop"], a["step"])])],
        "select": lambda: x.select(a["dim"], a["index"]),
        "chunk": lambda: list(torch.chunk(x, a["chunks"], a["dim"])),
        "split": lambda: list(torch.split(x, list(a["split_size_or_sections"])
                                          if isinstance(a["split_size_or_sections"], tuple)
                                          else a["split_size_or_sections"], a["dim"])),
        "stack": lambda: torch.stack(tensors, a["dim"]),
        "pad": lambda: torch.nn.functional.pad(x, list(a["pad"]), mode=a["mode"], value=a["value"]),
        "expand": lambda: x.expand(*a["size"]), "expand_as": lambda: x.expand_as(tensors[1]),
        "repeat": lambda: x.repeat(*a["repeats"]),
        "matmul": lambda: torch.matmul(x, tensors[1]), "bmm": lambda: torch.bmm(x, tensors[1]),
        "rearrange": lambda: einops_op("rearrange", x, a["pattern"], a["axes_lengths"]),
        "einops_repeat": lambda: einops_op("repeat", x, a["pattern"], a["axes_lengths"]),
        "einops_reduce": lambda: einops_op("reduce", x, a["pattern"], a["axes_lengths"], a["reduction"]),
        "new_full": lambda: x.new_full((x.shape[0], *a["size"][1:]),
                                       0.0 if a["fill_value"] is None else a["fill_value"]),
        "einsum": lambda: torch.einsum(a["equation"], *tensors),
        "gather": lambda: torch.gather(x, a["dim"], torch.remainder(tensors[1].long(), x.shape[a["dim"]])),
        "take": lambda: torch.index_select(x, a["dim"], torch.arange(math.prod(a["index_shape"]))
                                           % x.shape[a["dim"]]).reshape(
            x.shape[:a["dim"] % x.dim()] + tuple(a["index_shape"]) + x.shape[a["dim"] % x.dim() + 1:]),
        "linear": lambda: torch.nn.functional.linear(x, *stand_ins(x, a["in_features"], a["out_features"], a["bias"])),
        "new_zeros": lambda: x.new_zeros(tuple(x.shape[0] if d == -1 else d for d in a["size"])),
        "scaled_dot_product_attention": lambda: torch.nn.functional.scaled_dot_product_attention(
            *tensors[:3], dropout_p=0.0, is_causal=a["is_causal"], scale=a["scale"], enable_gqa=a["enable_gqa"]),
    }
    return ops[name]()


def stand_ins(x, inner, outer, bias):
    """The weight and bias convcalc's executor runs an F.linear with (executor/tensorops.stand_in_weight)."""
    import torch

    from convcalc.executor.tensorops import stand_in_bias, stand_in_weight

    weight = torch.tensor(stand_in_weight(outer, inner), dtype=x.dtype).reshape(outer, inner)
    return weight, torch.tensor(stand_in_bias(outer), dtype=x.dtype) if bias else None


def einops_op(kind, x, pattern, axes_lengths, *reduction):
    """einops itself (an -1 size is the batch's), its refusal a ValueError as the others' are."""
    import einops

    sizes = {name: x.shape[0] if size == -1 else size for name, size in axes_lengths}
    try:
        out = getattr(einops, kind)(x, pattern, *reduction, **sizes)
    except einops.EinopsError as exc:
        raise ValueError(str(exc)) from None
    return out.to(x.dtype) if out.dtype == torch.bool else out


def run_in_torch(program, input_override=None, batch=1, whole=False):
    """(rows, output shape): per sample, or whole with ``whole`` (for a network that moves its batch)."""
    backend = TorchBackend(batch, whole)
    output = Walker(program, backend, input_override).run()
    return backend.rows, backend.shape(output)
