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

    def layer(self, spec, args, xs, call, blocks):
        built = {name: args.values[name] for name, _ in spec.params if name in args.values}
        given = {name: args.values[name] for name, _ in spec.call_params if name in args.values}
        module = getattr(nn, spec.name)(**built)
        module.eval()
        with torch.no_grad():
            y = module(*xs, **given)
        params = sum(p.numel() for p in module.parameters())
        buffers = sum(b.numel() for b in module.buffers())
        first = y[0] if isinstance(y, tuple) else y
        self.rows.append((call.span.line, spec.name, tuple(first.shape[1:]), params, buffers))
        return list(y) if isinstance(y, tuple) else y

    def add(self, a, b, node, label):
        y = a + b
        self.rows.append((node.span.line, "add", tuple(y.shape[1:]), 0, 0))
        return y

    def op(self, name, tensors, args, node, blocks):
        y = torch_op(name, tensors, args)
        first = y[0] if isinstance(y, list) else y
        self.rows.append((node.span.line, name, tuple(first.shape[1:]), 0, 0))
        return y

    def concat(self, outputs, node, label, dim=1):
        y = torch.cat([t for t, _ in outputs], dim=dim)
        self.rows.append((node.span.line, "concat", tuple(y.shape[1:]), 0, 0))
        return y

    def reshape(self, x, target, node, blocks):
        y = x.reshape(-1 if getattr(node, "infer_batch", False) else x.shape[0], *target)
        self.rows.append((node.span.line, "view", tuple(y.shape[1:]), 0, 0))
        return y


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
        "matmul": lambda: torch.matmul(x, tensors[1]), "bmm": lambda: torch.bmm(x, tensors[1]),
        "einsum": lambda: torch.einsum(a["equation"], *tensors),
    }
    return ops[name]()


def run_in_torch(program, input_override=None, batch=1):
    backend = TorchBackend(batch)
    output = Walker(program, backend, input_override).run()
    return backend.rows, tuple(output.shape[1:])
