"""The Python frontend's interpreter: a bounded subset of Python run over a module's syntax tree,
never importing or executing it. Its parts are mixins, each in a module of one job:
statements, expressions, calls, objects, torch calls, forward tracing and recovery."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc.frontends.python.calls import Calls
from convcalc.frontends.python.expressions import Expressions
from convcalc.frontends.python.forward import Trace, Tracing
from convcalc.frontends.python.objects import Objects
from convcalc.frontends.python.recovery import Recovery
from convcalc.frontends.python.source import Source
from convcalc.frontends.python.statements import Statements
from convcalc.frontends.python.torch_api import TorchCalls
from convcalc.frontends.python.values import MAX_STEPS, Scope, Unfollowable


class Interp(Statements, Expressions, Calls, Objects, TorchCalls, Tracing, Recovery):
    """The state of one file's interpretation: its scopes, the step budget, the trace of the
    forward being followed and the instances built."""


    def __init__(self, src: Source, tree: ast.Module):
        self.src = src
        self.tree = tree
        self.globals = Scope(None, "module")
        self.steps = 0
        self.depth = 0
        self.trace: Optional[Trace] = None
        self.frames: list = []  # (function, call span) of the functions being run
        self.instances: list = []  # every Instance built, for the unused-layer check
        self.building: list = []  # classes instantiated, with the depth at which they were
        self.external_reads: Optional[set] = None  # OBJ.NAME reads of the file, computed once for all models
        self.subclasses: Optional[dict] = None  # see subclasses_of

    def tick(self, node) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Unfollowable(f"the code runs more than {MAX_STEPS:,} steps; convcalc stops there", node)

    def fresh_budget(self) -> None:
        self.steps = 0
