"""The walk lint runs: the shape backend that also remembers which layer produced the tensor each
layer consumes, so that "directly before" means directly before in the data flow (not in the
text). Its :class:`Outcome` holds the analysis and the recorded steps the checks read.
"""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import ShapeBackend, finish
from convcalc.engine.walk import Walker
from convcalc.errors import ConvcalcError, Span


class Step:
    """One layer applied: its row, bound arguments, and the step whose output it consumed."""

    __slots__ = ("row", "spec", "args", "call", "source")

    def __init__(self, row, spec, args, call: n.Call, source: Optional["Step"]):
        self.row, self.spec, self.args, self.call, self.source = row, spec, args, call, source


class Flow:
    """A shape and the step that made it (None for the input and merges)."""

    __slots__ = ("shape", "step")

    def __init__(self, shape: tuple, step: Optional[Step] = None):
        self.shape, self.step = shape, step


class FlowBackend(ShapeBackend):
    def __init__(self, analysis: Analysis):
        super().__init__(analysis)
        self.steps: list = []
        self.last_call: Optional[n.Call] = None
        self.last_input: tuple = ()

    def start(self, shape, node):
        return Flow(super().start(shape, node))

    def layer(self, spec, args, value, call, blocks):
        self.last_call = call
        self.last_input = value.shape
        shape = super().layer(spec, args, value.shape, call, blocks)
        step = Step(self.analysis.rows[-1], spec, args, call, value.step)
        self.steps.append(step)
        return Flow(shape, step)

    def add(self, a, b, node, label):
        self.last_call = node
        return Flow(super().add(a.shape, b.shape, node, label))

    def concat(self, outputs, node, label, dim: int = 1):
        self.last_call = node
        return Flow(super().concat([(v.shape, where) for v, where in outputs], node, label, dim))

    def op(self, name, values, args, node, blocks):
        self.last_call = node
        return Flow(super().op(name, [v.shape for v in values], args, node, blocks))

    def reshape(self, value, target, node, blocks):
        self.last_call = node
        return Flow(super().reshape(value.shape, target, node, blocks))


class Outcome:
    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.steps: list = []
        self.last_call: Optional[n.Call] = None
        self.last_input: tuple = ()  # the shape the failing layer received


def run(program: n.Program, override: Optional[n.Input] = None) -> Outcome:
    analysis = Analysis(program.path, program.source)
    backend = FlowBackend(analysis)
    outcome = Outcome(analysis)
    try:
        result = Walker(program, backend, override).run()
        analysis.output = result.shape
    except ConvcalcError as exc:
        analysis.error = exc
    except RecursionError:
        analysis.error = ConvcalcError(codes.ARGUMENT, "the description is nested too deeply to analyse",
                                       program.body[0].span if program.body else Span(1, 1, 1, 2))
    finish(analysis, program, override)
    outcome.steps = backend.steps
    outcome.last_call = backend.last_call if analysis.error is not None else None
    outcome.last_input = backend.last_input if analysis.error is not None else ()
    return outcome
