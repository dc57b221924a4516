"""The Python frontend's interpreter: a bounded subset of Python run over a module's syntax tree,
never importing or executing it. Its parts are mixins, each in a module of one job:
statements, expressions, calls, objects, torch calls, forward tracing and recovery."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc import codes
from convcalc.errors import ConvcalcError
from convcalc.frontends.python.calls import Calls
from convcalc.frontends.python.expressions import Expressions
from convcalc.frontends.python.imports import Imports
from convcalc.frontends.python.forward import Trace, Tracing
from convcalc.frontends.python.objects import ModuleMethods, Objects
from convcalc.frontends.python.recovery import Recovery
from convcalc.frontends.python.source import Source
from convcalc.frontends.python.statements import Statements
from convcalc.frontends.python.tensor_api import TensorCalls
from convcalc.frontends.python.torch_api import TorchCalls
from convcalc.frontends.python.values import MAX_BUILT, MAX_STEPS, OverSteps, Scope


class Interp(Statements, Expressions, Calls, Objects, ModuleMethods, TorchCalls, Tracing, TensorCalls, Recovery,
             Imports):
    """The state of one file's interpretation: its scopes, the step budget, the trace of the
    forward being followed and the instances built."""

    def __init__(self, src: Source, tree: ast.Module):
        self.src = src
        self.tree = tree
        self.globals = Scope(None, "module")
        self.steps = 0
        self.built = 0  # elements and characters built (charge)
        self.depth = 0
        self.trace: Optional[Trace] = None
        self.frames: list = []  # (function, call span) of the functions being run
        self.instances: list = []  # every Instance built, for the unused-layer check
        self.constructing: list = []  # the classes whose __init__ runs now, innermost last
        self.external_reads: Optional[set] = None  # OBJ.NAME reads of the file, computed once for all models
        self.subclasses: Optional[dict] = None  # see subclasses_of
        self.module_paths: dict = {}  # id(layer) -> its path in the tree of the model being followed
        self.training = False  # self.training: forward is followed in eval mode, as torchinfo does
        self.nested: set = set()  # classes built inside other models: blocks, checked where they are used
        self.module_stop = None  # (statement, why): where module-level code ran out of steps (run_module)
        self.probing = False  # script code runs to find a model called on a tensor it made (discovery.py)
        self.notes: list = []  # ConvcalcError(CC900): what was taken as weight initialisation, decorators passed
        self.globals.vars["__name__"] = "model_file"  # not "__main__": script code under the guard does not run
        self.modules: dict = {}  # the files of the tree this file imports: real path -> module Scope
        self.importing: list = []  # the files being read now (a cycle reads no further)
        self.preset: dict = {}  # id(call node) -> its arguments, evaluated already (a functools.partial's call)

    def note(self, message: str, node) -> ConvcalcError:
        return ConvcalcError(codes.NOTE, message, self.src.span(node))

    def tick(self, node) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise OverSteps(f"the code runs more than {MAX_STEPS:,} steps; convcalc stops there", node)

    def fresh_budget(self) -> None:
        self.steps = 0
        self.built = 0

    def charge(self, count: int, node) -> None:
        """Elements or characters the code builds, against MAX_BUILT: each value is bounded by
        MAX_ITEMS, and this bounds them all (100,000 lists of 100,000 zeros were 7.8 GB)."""
        self.built += count
        if self.built > MAX_BUILT:
            raise OverSteps(f"the code builds more than {MAX_BUILT:,} elements and characters; convcalc stops there",
                            node)
