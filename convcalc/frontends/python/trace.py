"""Following forward: a tensor stands for the value flowing through the network; each layer
called, functional op, view, add, concat or other tensor operation on it becomes a node of the
program the shape engine walks (:class:`Trace`; the tracing methods are a mixin of the
interpreter).

The trace knows every tensor's shape as it goes: each node is applied, as it is emitted, by
the engine's own rules (a ShapeBackend), so that ``x.size(2)``, broadcasting and a view to
computed sizes can be followed. When the model's input size is not given, the input's rank
and channels come from the first layer it meets (its sizes are then the symbols H, W, ...).
A shape error ends the trace at the node that causes it: the engine's walk reports it there.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Optional

from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.derive import derive_input
from convcalc.engine.evaluate import Evaluator
from convcalc.engine.shapes import ShapeBackend
from convcalc.engine.walk import Block
from convcalc.errors import ConvcalcError, Span
from convcalc.frontends.python.reasons import Signal, Unfollowable, Why
from convcalc.frontends.python.tensors import Tensor
from convcalc.layers.catalogue import lookup
from convcalc.layers.operations import OneSample, lookup_operation


class ShapeError(Signal):
    """A node the shape engine refuses: the trace ends there (the walk reports the error)."""

    def __init__(self, error: ConvcalcError):
        self.error = error


class Trace:
    """The nodes a forward produces, in order; Save nodes are inserted where a tensor is needed
    later. ``shapes`` applies each node as it comes."""

    def __init__(self, given: Optional[n.Input], path: str = "", source: str = ""):
        self.body: list = []
        self.current: Optional[Tensor] = None
        self.saves: list = []  # (position, Save node)
        self.names: set = set()
        self.counters: dict = {}  # label -> the last number a save of it was given (save_name)
        self.sites: dict = {}  # id(emitted Call) -> (Span in forward, ("layer", id) or ("op", where), origin)
        self.layers_used: dict = {}  # id(layer) -> uses
        self.unregistered: dict = {}  # uid -> a layer run that is outside the module tree
        self.nonleaf: set = set()  # uids of layers run by a module with submodules of its own (nodes.Program)
        self.given = given  # the input, or None: derived from the first layer
        self.derived: Optional[n.Input] = None
        self.shapes = ShapeBackend(Analysis(path, source))
        self.root: Optional[Tensor] = None
        # the submodules whose forward is running, outermost first (as walk Blocks: tables fold by
        # them, as torchinfo's depth does); scopes: id(emitted node) -> that stack when it came
        self.scope: list = []
        self.spelling = ""  # the torch function or tensor method being called (forward.spelled)
        self.scopes: dict = {}
        self.uids = 0

    def start(self, span: Span, shape: Optional[tuple], label: str = "x", name: Optional[str] = None) -> Tensor:
        tensor = Tensor(0, label, span, shape)
        if name is not None:  # a further input: saved under its own name from the start
            tensor.saved, tensor.named = name, True
            self.names.add(name)
        else:
            self.current = self.root = tensor
        return tensor

    def fresh_name(self, base: str) -> str:
        name, i = base, self.counters.get(base, 1)
        while name in self.names:  # from the last number given: 9,000 saves of x must not rescan from 1
            i += 1
            name = f"{base}#{i}"
        self.counters[base] = i
        self.names.add(name)
        return name

    def save_name(self, tensor: Tensor) -> str:
        if tensor.saved is None:
            tensor.saved = self.fresh_name(tensor.label or "tensor")
            self.saves.append((tensor.pos, n.Save(tensor.saved, tensor.span)))
        return tensor.saved

    def use(self, tensor: Tensor, span: Span) -> None:
        """Make ``tensor`` the value flowing, restoring it if something else flowed since."""
        if self.current is not tensor:
            self.body.append(n.Restore(self.save_name(tensor), span))
            self.current = tensor

    def emit(self, node, label: str, span: Span, operands: list, site: Optional[Span] = None) -> Tensor:
        """Append ``node``, applied to ``operands`` (the tensor flowing first); ``site`` is where
        the forward that wrote it was called (for messages)."""
        if site is not None and id(node) not in self.sites:
            self.sites[id(node)] = (site, ("op", span.line, span.col), ())
        self.body.append(node)
        if self.scope:
            self.scopes[id(node)] = tuple(self.scope)
        try:
            shape = self.apply(node, operands)
        except ShapeError as exc:
            if isinstance(exc.error, OneSample):  # torch runs it; convcalc follows one sample: not followed
                self.body.pop()
                self.scopes.pop(id(node), None)
                raise Unfollowable(exc.error.message, None, exc.error.span) from None
            raise
        if isinstance(shape, list):  # several outputs, saved by the node itself under its names
            pieces = []
            for name, piece in zip(node.outputs, shape):
                tensor = Tensor(len(self.body), label, span, piece)
                tensor.saved, tensor.named = name, True
                pieces.append(tensor)
            self.current = pieces[0]
            return tuple(pieces)
        tensor = Tensor(len(self.body), label, span, shape)
        self.current = tensor
        return tensor

    # ------------------------------------------------------------- shapes
    def apply(self, node, operands: list) -> tuple:
        """The node's output shape(s) on ``operands`` (None: an optional operand left out)."""
        if any(t is not None and t.shape is None for t in operands):
            self.derive(node)
        shapes = [t.shape if t is not None else None for t in operands]
        backend = self.shapes
        try:
            if isinstance(node, n.Call):
                spec = lookup(node.name)
                evaluate = Evaluator({})
                bound = spec.bind(tuple(evaluate(a) for a in node.args), {k: evaluate(v) for k, v, _ in node.kwargs})
                bound = spec.bind_call(bound, {k: evaluate(v) for k, v, _ in node.call_kwargs})
                return backend.layer(spec, bound, shapes, node, ())
            if isinstance(node, n.AddSaved):
                return backend.add(shapes[0], shapes[1], node, "add")
            if isinstance(node, n.ConcatSaved):
                return backend.concat([(shapes[0], node), (shapes[1], node)], node, "concat", node.dim)
            if isinstance(node, n.Reshape):
                evaluate = Evaluator({})
                return backend.reshape(shapes[0], tuple(evaluate(d) for d in node.dims), node, ())
            evaluate = Evaluator({})
            spec = lookup_operation(node.op)
            args = spec.bind(tuple(evaluate(a) for a in node.args), {k: evaluate(v) for k, v in node.kwargs})
            return backend.op(node.op, shapes, args, node, ())
        except ConvcalcError as exc:
            raise ShapeError(exc) from None
        except OverflowError as exc:  # a symbolic size past the bounds of dims: the walk says so there
            raise ShapeError(ConvcalcError("CC002", str(exc), node.span)) from None

    def derive(self, node) -> None:
        """The model's input, from the first operation it meets (its size was not given)."""
        derived = None
        if isinstance(node, n.Call):
            spec = lookup(node.name)
            evaluate = Evaluator({})
            try:
                bound = spec.bind(tuple(evaluate(a) for a in node.args), {k: evaluate(v) for k, v, _ in node.kwargs})
            except ConvcalcError as exc:
                raise ShapeError(exc) from None
            derived = derive_input(spec, bound, node.span)
        if derived is None:
            raise Unfollowable(f"the input's size is not given, and {describe_node(node)} does not tell its rank and "
                               "channels; add `# convcalc: input 3x32x32` above the model", None, kind=Why.NO_INPUT)
        symbols = tuple(d.id if isinstance(d, n.Name) else None for d in derived.dims)
        self.derived = n.Input(derived.dims, derived.span, None, derived.derived, symbols)
        self.root.shape = tuple(d.value if isinstance(d, n.Num) else derived_symbol(d) for d in derived.dims)

    @contextmanager
    def inside(self, path: str, label: str, span):
        """A submodule's forward runs (a container's items run inside it); nothing for the model
        itself and for a module already entered (a Sequential subclass runs as its container)."""
        if not path or (self.scope and self.scope[-1].path == path):
            yield
            return
        self.uids += 1
        self.scope.append(Block(self.uids, label, span.line if span else 0, label, path,
                                file=span.path if span else None))
        try:
            yield
        finally:
            self.scope.pop()

    def finish(self) -> list:
        out: list = []
        saves = sorted(self.saves, key=lambda s: s[0])
        i = 0
        for pos in range(len(self.body) + 1):
            while i < len(saves) and saves[i][0] == pos:
                out.append(saves[i][1])
                i += 1
            if pos < len(self.body):
                out.append(self.body[pos])
        return out


MAX_OUTPUTS = 256  # tensors a forward returns (a detector's dozens of feature maps fit well within)


def returned_tensors(out, node) -> list:
    """The tensors of what forward returns, in order, at any nesting of tuples, lists and dicts
    (a dict's in its order): torch's outputs. None, booleans and numbers beside them are no
    tensors; anything else is not followed (never a part of the output dropped unsaid)."""
    found: list = []
    stack = [out]
    while stack:
        value = stack.pop()
        if isinstance(value, Tensor):
            found.append(value)
            if len(found) > MAX_OUTPUTS:
                raise Unfollowable(f"forward returns more than {MAX_OUTPUTS} tensors", node)
        elif isinstance(value, (tuple, list)):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif value is not None and not isinstance(value, (bool, int, float)):
            from convcalc.frontends.python.pyobjects import describe

            raise Unfollowable(f"forward returns {describe(value)} beside its tensors", node)
        if len(stack) > 100_000:
            raise Unfollowable("forward returns a structure too large to follow", node)
    return found


def derived_symbol(name: n.Name):
    from convcalc.symbolic.dims import sym

    return sym(name.id)


def describe_node(node) -> str:
    return " ".join(getattr(node, "text", "").split()) or "its first operation"
