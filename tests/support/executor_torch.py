"""Run a description in the reference executor and in torch with the same weights.

The executor (convcalc.executor.run) draws its own seeded weights; ``run_both`` then walks
the same program in torch, builds every layer with ``getattr(torch.nn, name)(**bound_args)``
in float64, checks that the module has exactly the parameters and buffers the executor
made (names and shapes), copies the executor's values into them, feeds the executor's
input, and compares every layer's output with the executor's.

torch is imported at the top: only oracle tests import this module.
"""
import math
import warnings
from array import array

import torch
from torch import nn

from convcalc.executor.run import ExecutionFailure, execute
from convcalc.engine.walk import Walker
from torch_backend import build, flat, forward


def as_torch(t):
    return torch.frombuffer(array("d", t.data), dtype=torch.float64).reshape(t.shape).clone()


def close(ours, theirs, where: str) -> None:
    """Shapes equal, values within a relative 1e-4 (near zero: of the tensor's scale)."""
    assert ours.shape == tuple(theirs.shape), f"{where}: executor {ours.shape}, torch {tuple(theirs.shape)}"
    values = theirs.reshape(-1).tolist()
    scale = max((abs(v) for v in values), default=0.0)
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(ours.data, values))
           if not math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-9 + 1e-6 * scale)]
    assert not bad, f"{where}: {len(bad)} of {len(values)} values differ; first (index, executor, torch): {bad[:3]}"


class CopyingTorchBackend:
    def __init__(self, executor_backend):
        self.source = executor_backend
        self.steps = iter(executor_backend.steps)
        self.count = 0

    def next_step(self, name):
        step = next(self.steps)
        self.count += 1
        assert step.name == name, f"step {self.count}: executor ran {step.name}, torch {name}"
        return step

    def start(self, shape, node):
        name = getattr(node, "name", None)
        return as_torch(self.source.input if name is None else self.source.inputs[name])

    def layer(self, spec, args, xs, call, blocks):
        step = self.next_step(spec.name)
        where = f"line {call.span.line} {call.text}"
        given = {name: args.values[name] for name, _ in spec.call_params if name in args.values}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = build(spec, args.values)
            module.eval()
            with torch.no_grad():
                if any(isinstance(p, nn.parameter.UninitializedParameter) for p in module.parameters()):
                    module(*[x.float() if x is not None else None for x in xs], **given)  # a Lazy module's weights
                module.double()
                self.copy(module, step, where)
                y = forward(module, spec, xs, given)
        outputs = flat(y)
        close(step.output, outputs[0], where)
        return outputs if len(outputs) > 1 else outputs[0]

    @staticmethod
    def copy(module, step, where):
        # a layer built of modules (MultiheadAttention's out_proj, a transformer's layers): every
        # tensor by its dotted name, as the executor names them
        params = dict(module.named_parameters())
        buffers = {name: b for name, b in module.named_buffers() if b is not None}
        ours_p, ours_b = step.weights.params, step.weights.buffers
        assert sorted(params) == sorted(ours_p), f"{where}: torch has parameters {sorted(params)}, " \
                                                 f"the executor {sorted(ours_p)}"
        assert sorted(buffers) == sorted(ours_b), f"{where}: torch has buffers {sorted(buffers)}, " \
                                                  f"the executor {sorted(ours_b)}"
        for name, tensor in [*params.items(), *buffers.items()]:
            ours = ours_p.get(name) or ours_b.get(name)
            assert tuple(tensor.shape) == ours.shape, \
                f"{where}: {name} is {tuple(tensor.shape)} in torch, {ours.shape} in the executor"
            values = torch.frombuffer(array("d", ours.data), dtype=torch.float64)
            tensor.copy_(values.reshape(tensor.shape).to(tensor.dtype))

    def add(self, a, b, node, label):
        y = a + b
        close(self.next_step("add").output, y, f"line {node.span.line} {label}")
        return y

    def concat(self, outputs, node, label, dim=1):
        y = torch.cat([t for t, _ in outputs], dim=dim)
        close(self.next_step("concat").output, y, f"line {node.span.line} {label}")
        return y

    def op(self, name, tensors, args, node, blocks):
        from torch_backend import torch_op

        y = torch_op(name, tensors, args)
        close(self.next_step(name).output, y[0] if isinstance(y, list) else y, f"line {node.span.line} {node.text}")
        return y

    def reshape(self, x, target, node, blocks):
        lead = -1 if getattr(node, "infer_batch", False) else x.shape[0]
        y = x.reshape(lead, *target)
        close(self.next_step("view").output, y, f"line {node.span.line} {node.text}")
        return y


def run_both(program, input_override=None, batch=1, seed=0):
    """Executor, then torch with its weights; returns the executor's backend. Raises
    ExecutionFailure where the executor refuses the network."""
    backend, output = execute(program, input_override, batch, seed, keep=True)
    replay = CopyingTorchBackend(backend)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # these layers are small; threads only contend with parallel test runs
    try:
        y = Walker(program, replay, input_override).run()
    finally:
        torch.set_num_threads(threads)
    assert replay.count == len(backend.steps)
    close(output, y, "output")
    return backend


__all__ = ["run_both", "close", "as_torch", "ExecutionFailure"]
