"""The walk lint runs: the shape backend that also remembers which layer produced the tensor each
layer consumes, so that "directly before" means directly before in the data flow (not in the
text). Its :class:`Outcome` holds the analysis and the recorded steps the checks read.
"""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import ShapeBackend
from convcalc.engine.walk import Walker
from convcalc.errors import ConvcalcError, Span
from convcalc.layers.common import fmt_shape


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


class StopFollowing(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


class FlowBackend(ShapeBackend):
    def __init__(self, analysis: Analysis, python: bool = False):
        super().__init__(analysis)
        self.steps: list = []
        self.python = python
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
        if self.python and a.shape != b.shape and broadcastable(a.shape, b.shape):
            raise StopFollowing(f"{fmt_shape(a.shape)} + {fmt_shape(b.shape)} broadcasts; convcalc stops following "
                                "there", node.span)
        return Flow(super().add(a.shape, b.shape, node, label))

    def concat(self, outputs, node, label, dim: int = 1):
        self.last_call = node
        return Flow(super().concat([(v.shape, where) for v, where in outputs], node, label, dim))

    def reshape(self, value, target, node, blocks):
        self.last_call = node
        return Flow(super().reshape(value.shape, target, node, blocks))


def broadcastable(a: tuple, b: tuple) -> bool:
    """PyTorch broadcasting with the batch in front: right-aligned, each pair equal or one of them 1."""
    for x, y in zip(reversed(a), reversed(b)):
        if not (x == y or x == 1 or y == 1):
            return False
    return True


class Outcome:
    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.steps: list = []
        self.last_call: Optional[n.Call] = None
        self.last_input: tuple = ()  # the shape the failing layer received
        self.stopped: Optional[StopFollowing] = None


def run(program: n.Program, override: Optional[n.Input] = None) -> Outcome:
    analysis = Analysis(program.path, program.source)
    backend = FlowBackend(analysis, python=program.frontend is n.PYTHON)
    outcome = Outcome(analysis)
    try:
        result = Walker(program, backend, override).run()
        analysis.output = result.shape
    except StopFollowing as stop:
        outcome.stopped = stop
    except ConvcalcError as exc:
        analysis.error = exc
    except RecursionError:
        analysis.error = ConvcalcError(codes.ARGUMENT, "the description is nested too deeply to analyse",
                                       program.body[0].span if program.body else Span(1, 1, 1, 2))
    outcome.steps = backend.steps
    outcome.last_call = backend.last_call if analysis.error is not None else None
    outcome.last_input = backend.last_input if analysis.error is not None else ()
    return outcome
