"""Run a parsed description in torch itself: the oracle for whole networks.

The Walker evaluates lets, defs, repeats and blocks; every layer is then built with
``getattr(torch.nn, name)(**bound_args)`` and run on a real tensor, so the shapes and
parameter counts come from torch, not from convcalc's arithmetic.
"""
import torch
from torch import nn

from convcalc.engine.walk import Walker


class TorchBackend:
    def __init__(self, batch=1):
        self.batch = batch
        self.rows = []  # (line, name, output shape per sample, params)

    def start(self, shape, node):
        return torch.randn(self.batch, *shape)

    def layer(self, spec, args, x, call, blocks):
        module = getattr(nn, spec.name)(**args.values)
        module.eval()
        with torch.no_grad():
            y = module(x)
        params = sum(p.numel() for p in module.parameters())
        buffers = sum(b.numel() for b in module.buffers())
        self.rows.append((call.span.line, spec.name, tuple(y.shape[1:]), params, buffers))
        return y

    def add(self, a, b, node, label):
        y = a + b
        self.rows.append((node.span.line, "add", tuple(y.shape[1:]), 0, 0))
        return y

    def op(self, name, tensors, args, node, blocks):
        y = torch_op(name, tensors, args)
        self.rows.append((node.span.line, name, tuple(y.shape[1:]), 0, 0))
        return y

    def concat(self, outputs, node, label, dim=1):
        y = torch.cat([t for t, _ in outputs], dim=dim)
        self.rows.append((node.span.line, "concat", tuple(y.shape[1:]), 0, 0))
        return y


def torch_op(name, tensors, args):
    """convcalc/engine/ops.py's operations, done by torch."""
    x = tensors[0]
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum,
              "minimum": torch.minimum}
    if name in binary:
        y = tensors[0]
        for other in tensors[1:]:
            y = binary[name](y, other)
        return y
    if name in ("mean", "sum", "amax", "amin"):
        return getattr(torch, name)(x, dim=args[0], keepdim=args[1])
    if name == "slice":
        dim, start, stop, step = args
        index = [slice(None)] * x.dim()
        index[dim] = slice(start, stop, step)
        return x[tuple(index)]
    if name == "select":
        return x.select(*args)
    if name == "chunk":
        chunks, dim, index = args
        return torch.chunk(x, chunks, dim)[index]
    if name == "split":
        sizes, dim, index = args
        return torch.split(x, list(sizes) if isinstance(sizes, tuple) else sizes, dim)[index]
    if name == "stack":
        return torch.stack(tensors, args[0])
    if name == "pad":
        return torch.nn.functional.pad(x, list(args[0]), mode=args[1])
    if name == "expand":
        return x.expand_as(tensors[1]) if len(tensors) > 1 else x.expand(*args[0])
    if name == "permute":
        return x.permute(*args[0])
    return getattr(torch, name)(x, *args)  # transpose, squeeze, unsqueeze


def run_in_torch(program, input_override=None, batch=1):
    backend = TorchBackend(batch)
    output = Walker(program, backend, input_override).run()
    return backend.rows, tuple(output.shape[1:])
