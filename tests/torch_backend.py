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

    def concat(self, outputs, node, label, dim=1):
        y = torch.cat([t for t, _ in outputs], dim=dim)
        self.rows.append((node.span.line, "concat", tuple(y.shape[1:]), 0, 0))
        return y


def run_in_torch(program, input_override=None, batch=1):
    backend = TorchBackend(batch)
    output = Walker(program, backend, input_override).run()
    return backend.rows, tuple(output.shape[1:])
