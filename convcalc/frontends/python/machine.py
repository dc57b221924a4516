"""The state of one file's interpretation, and the frame a piece of code runs in.

:class:`Machine` holds what belongs to the whole file: the budgets, the notes, the instances
built, the files imported. :class:`Frame` is what one piece of code runs with: its file (for
positions), its scope, the trace of the forward being followed (None while modules are built),
the function it belongs to. A call makes a new frame; nothing is swapped on a shared object.
Evaluation dispatches on the node's type through the tables of evaluate.py and execute.py.
"""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc.errors import ConvcalcError
from convcalc.frontends.python.reasons import OverSteps, Unfollowable

MAX_STEPS = 200_000  # statements and expressions interpreted for one model (or the module itself)
MAX_DEPTH = 60  # nested function calls
MAX_ITEMS = 100_000  # elements of one list, range or string the code builds
MAX_BUILT = 2_000_000  # elements and characters all the code of one model (or the module) builds: memory
MAX_INT_BITS = 256


class Scope:
    """Names and their values. ``parent``: the enclosing scope a function or comprehension sees
    (closures see the live scope, as Python's cells do); ``kind``: module, class, function or
    comprehension; ``globals_``/``nonlocals``: the names a ``global``/``nonlocal`` statement sent
    elsewhere; ``local_names``: the names a function assigns (read before assignment: an
    UnboundLocalError, not the global of that name)."""

    __slots__ = ("vars", "parent", "kind", "globals_", "nonlocals", "local_names", "src", "qualname", "deleted")

    def __init__(self, parent: Optional["Scope"] = None, kind: str = "function"):
        self.vars: dict = {}
        self.parent = parent
        self.kind = kind
        self.globals_: set = set()
        self.nonlocals: set = set()
        self.local_names: frozenset = frozenset()
        self.src = None  # a module scope's Source (the file its functions are written in)
        self.qualname = ""  # a class's or function's __qualname__ (what the names defined in it start with)
        self.deleted: Optional[set] = None  # names `del` (or the end of an except clause) unbound here

    def unbind(self, name: str) -> None:
        """``del name``: read again before it is bound, it is a NameError (not a name the file may
        take from what convcalc does not read)."""
        self.vars.pop(name, None)
        if self.deleted is None:
            self.deleted = set()
        self.deleted.add(name)

    def was_deleted(self, name: str) -> bool:
        scope = self
        while scope is not None:
            if scope.deleted is not None and name in scope.deleted:
                return True
            scope = scope.parent
        return False

    def prefix(self) -> str:
        """What the ``__qualname__`` of a class or function defined here starts with: ``Outer.``,
        ``make.<locals>.``, nothing at module level."""
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        if scope.kind == "class":
            return scope.qualname + "."
        if scope.kind == "function":
            return scope.qualname + ".<locals>."
        return ""

    def find(self, name: str) -> Optional["Scope"]:
        """The scope that binds ``name`` as Python resolves a read: this scope, then the enclosing
        function scopes (class scopes are skipped from inside), then the module."""
        scope, first = self, True
        while scope is not None:
            if name in scope.vars and (first or scope.kind != "class"):
                return scope
            first = False
            scope = scope.parent
        return None

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def target(self, name: str) -> "Scope":
        """Where an assignment to ``name`` lands: here, the module (``global``) or the enclosing
        function that binds it (``nonlocal``)."""
        if name in self.globals_:
            return self.module()
        if name in self.nonlocals:
            scope = self.parent
            while scope is not None and (scope.kind == "class" or name not in scope.vars):
                scope = scope.parent
            return scope if scope is not None else self
        return self


class Machine:
    """What one file's interpretation shares: budgets, notes, the instances built, the imports."""

    def __init__(self, src, tree):
        self.src = src  # the file's own Source
        self.tree = tree
        self.globals = Scope(None, "module")
        self.globals.src = src
        self.globals.vars["__name__"] = "model_file"  # not "__main__": script code under the guard does not run
        self.steps = 0
        self.built = 0  # elements and characters built (charge)
        self.depth = 0
        self.instances: list = []  # every Instance built, for the unused-layer check
        self.constructing: list = []  # the classes whose __init__ runs now, innermost last
        self.nested: set = set()  # classes built inside other models: blocks, checked where they are used
        self.module_paths: dict = {}  # id(module) -> its path in the tree of the model being followed
        self.training = False  # self.training: forward is followed in eval mode, as torchinfo does
        self.module_stop = None  # (statement, why): where module-level code ran out of steps
        self.module_stop_note = None  # its CC900 note, one object for every model (lint shows it once)
        self.probing = False  # script code runs to find a model called on a tensor it made (discovery.py)
        self.feeds: list = []  # discovery.Feed: a model script code gave tensors to (a call, a summary, a loader)
        self.notes: list = []  # ConvcalcError(CC900): weight initialisation, decorators passed
        self.modules: dict = {}  # the files of the tree this file imports: real path -> module Scope
        self.importing: list = []  # the files being read now (a cycle reads no further)
        self.import_tree: Optional[str] = None  # the real path of the tree imports may read (imports.TREE)
        self.built_as: dict = {}  # a module-level name bound to Net() of a class of the file -> the class's name
        self.import_tokens = 0  # tokens of the imported files, against limits.MAX_IMPORT_TOKENS
        self.sources: dict = {}  # the texts of the other files read, by the path their spans carry
        self.preset: dict = {}  # id(call node) -> its arguments, evaluated already (a functools.partial's call)

    def frame(self) -> "Frame":
        """The frame of module-level code."""
        return Frame(self, self.src, self.globals)

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


class Frame:
    """One piece of code running: its machine, file, scope, trace and function. ``site``: while
    the code is convcalc's description of a library block (library/), the place in the tree where
    the block was entered, which every span of that code becomes (Span.within names the block):
    a problem inside torchvision's Conv2dNormActivation is the user's call's, placed and silenced
    there, never at a line of a file the user does not have."""

    __slots__ = ("machine", "src", "scope", "trace", "function", "call_span", "parent", "site")

    def __init__(self, machine: Machine, src, scope: Scope, trace=None, function=None, call_span=None,
                 parent: Optional["Frame"] = None, site=None):
        self.machine, self.src, self.scope, self.trace = machine, src, scope, trace
        self.function, self.call_span, self.parent, self.site = function, call_span, parent, site

    def child(self, scope: Scope) -> "Frame":
        """The same code's frame with a scope of its own (a comprehension, a class body)."""
        return Frame(self.machine, self.src, scope, self.trace, self.function, self.call_span, self.parent, self.site)

    def call_frame(self, function, scope: Scope, node) -> "Frame":
        """The frame a call of ``function`` runs in: its own file, the caller's trace."""
        if self.machine.depth >= MAX_DEPTH:
            raise Unfollowable(f"calls nested more than {MAX_DEPTH} deep", node)
        src = function.src or self.src
        call_span = self.span(node) if node is not None and hasattr(node, "lineno") else None
        return Frame(self.machine, src, scope, self.trace, function, call_span, self,
                     self.entered(src, call_span, block_name(function)))

    def entered(self, src, call_span, block: str):
        """The site of code of ``src`` run from this frame at ``call_span``: None for a file of the
        tree (its own places), the caller's site inside a library, else the call itself."""
        if getattr(src, "library", None) is None:
            return None
        if self.site is not None:
            return self.site
        if call_span is None:
            return None
        return call_span.inside(f"{src.library}.{block}" if block else src.library)

    def tracing(self, trace) -> "Frame":
        return Frame(self.machine, self.src, self.scope, trace, self.function, self.call_span, self.parent, self.site)

    # what code asks of its frame
    def eval(self, node):
        from convcalc.frontends.python.evaluate import evaluate

        return evaluate(self, node)

    def exec(self, stmts, tolerant: bool = False) -> None:
        from convcalc.frontends.python.execute import execute_block

        execute_block(self, stmts, tolerant)

    def span(self, node):
        """Where ``node`` is, for a message: its place in its file, or the site of the library
        block it belongs to."""
        return self.site if self.site is not None else self.src.span(node)

    def segment(self, node) -> str:
        return self.src.segment(node)

    def tick(self, node) -> None:
        self.machine.tick(node)

    def charge(self, count: int, node) -> None:
        self.machine.charge(count, node)

    def note(self, message: str, node) -> ConvcalcError:
        return ConvcalcError(codes.NOTE, message, self.span(node))

    def frames(self):
        """This frame and its callers, innermost first."""
        frame = self
        while frame is not None:
            yield frame
            frame = frame.parent


def block_name(function) -> str:
    """What a message calls the code of ``function``: its class for a method (the block), else its name."""
    owner = getattr(function, "owner", None)
    return owner.name if owner is not None else function.name
