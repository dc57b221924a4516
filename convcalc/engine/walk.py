"""The walk: lets, defs, repeats, conditions and blocks of a program, every layer fed to a backend.

The walk is generic over what flows through the network (the :class:`Backend` protocol): shapes
(engine/shapes.py, and inputs/relaxed.py's equations), real tensors in the reference executor,
torch tensors in the oracle tests. ``blocks`` are the :class:`Block` records around the
statement, outermost first: the one block tracker every analysis reads. The walk also records
the data flow (``provenance``): what each backend call read. Every loop the input controls is
bounded.
"""
from __future__ import annotations

from collections import ChainMap
from typing import Optional, Protocol

from convcalc import codes, limits
from convcalc import nodes as n
from convcalc.binding import MISSING, BindError, bind
from convcalc.engine.constant import constants_of
from convcalc.engine.evaluate import Evaluator, fail, show, truth
from convcalc.errors import ConvcalcError, Span
from convcalc.layers.catalogue import close_names, lookup
from convcalc.layers.operations import lookup_operation
from convcalc.layers.common import LayerError, fmt_shape
from convcalc.limits import deep_stack
from convcalc.symbolic import dims

MAX_REPEAT = 100_000  # rounds of one repeat
MAX_STEPS = 10_000  # layers and statements executed in one walk: a symbolic walk costs up to 60 us a step, and
# lint and inputs walk 5 to 6 times (10,000 steps: about 3 s of CPU on the 2-core machine at the worst; 50,000 took 15)
MAX_CALL_DEPTH = 50  # nested def calls


class Backend(Protocol):
    """What flows through a walk, and what each statement does to it. A value is whatever the
    backend makes of a tensor (a shape, a tensor of the executor, a torch tensor); a call that
    gives several outputs returns a list of them."""

    def start(self, shape: tuple, node):
        """The value of an input of this per-sample ``shape``."""

    def layer(self, spec, args, values: list, call, blocks: tuple):
        """A catalogue layer applied to ``values``, one per operand of its forward (None for an
        optional one left out), ``args`` its bound constructor and forward arguments."""

    def op(self, name: str, values: list, args: dict, node, blocks: tuple):
        """A tensor operation of convcalc/layers/operations.py, ``args`` bound by name."""

    def add(self, a, b, node, label: str):
        """A residual add (or ``add NAME``) of two values of equal shapes."""

    def concat(self, outputs: list, node, label: str, dim: int = 1):
        """The values of ``outputs`` ((value, node) pairs) joined along ``dim`` (torch's numbering)."""

    def reshape(self, value, target: tuple, node, blocks: tuple):
        """A view to the per-sample ``target`` sizes (at most one -1)."""


class Block:
    """One enclosing def call, repeat, residual or concat, with an identity of its own (``uid``):
    two calls of one def are two blocks. ``text`` is the call as written, with the values it was
    called with (worked out when a report asks: a search walks a network thousands of times);
    for the other blocks it is None and reports show the block's source line. A Python model's
    submodule is a block too (the frontend's scopes), with its ``path`` in the module tree
    (``layer1.0``). ``file``: the file ``line`` is in when it is not the model's own (a
    submodule called from a forward written in an imported file), else None."""

    __slots__ = ("uid", "label", "line", "path", "_text", "_call", "file")

    def __init__(self, uid: int, label: str, line: int, text: Optional[str] = None, path: str = "", call=None,
                 file: Optional[str] = None):
        self.uid, self.label, self.line, self.path, self.file = uid, label, line, path, file
        self._text, self._call = text, call  # call: (statement, args, kwargs) of a def call

    @property
    def text(self) -> Optional[str]:
        if self._call is not None:
            from convcalc.engine.resolved import resolved_def_call  # for reports only: not at start-up

            self._text, self._call = resolved_def_call(*self._call), None
        return self._text

    @property
    def named(self) -> bool:
        """A def call or a submodule: a level of --depth."""
        return self._call is not None or self._text is not None

    def __repr__(self):
        return f"Block({self.uid}, {self.label!r}, line {self.line})"


class Frame:
    """What a def call or the top level sees: the scope, and the enclosing residual's shortcut slot."""

    __slots__ = ("scope", "residual")

    def __init__(self, scope: ChainMap, residual: Optional[list] = None):
        self.scope = scope
        self.residual = residual


def no_input(program: n.Program) -> ConvcalcError:
    """The error of a network with no input line (or input comment), at its first layer."""
    first_layer = next((s for s in program.body if not isinstance(s, (n.Input, n.Let, n.Def))), None)
    span = first_layer.span if first_layer else Span(1, 1, 1, 2)
    return ConvcalcError(codes.SYNTAX, program.frontend.no_input, span)


class Walker:
    def __init__(self, program: n.Program, backend: Backend, input_override: Optional[n.Input] = None):
        self.program = program
        self.backend = backend
        self.input_override = input_override
        self.steps = 0
        self.calls: list[str] = []
        self.saved: dict = {}
        self.defs: dict[str, n.Def] = {s.name: s for s in program.body if isinstance(s, n.Def)}
        self.constants = constants_of(program)  # the constant calls' arguments, kept with the program
        self.shared: dict = {}  # layer NAME = Layer(...): name -> (the Shared statement, its identity)
        self.globals: dict = {}
        self.value = None
        self.blocks: list[Block] = []  # the blocks and defs around the current statement, outermost first
        self.uids = 0
        self.start_shape: tuple = ()  # the input's shape, and whether a layer has run on it yet (input_hint)
        self.first = True
        # the data flow, one record per backend call (a row of the shape engine): the (origin, name) of each
        # tensor it read, origin being the index of the call that made it (-1: an input), name the name it
        # was saved under (None: it flowed), and the blocks around the call; ``origin`` is the current
        # tensor's, ``origins`` the saved ones
        self.provenance: list = []
        self.origin = -1
        self.origin_input = None  # while an input flows (origin -1): its name, None for the first
        self.origins: dict = {}
        self.output_origins: Optional[list] = None
        self.failed_at = None  # the innermost statement a ConvcalcError came out of

    @deep_stack
    def run(self):
        body = self.program.body
        first_layer = next((s for s in body if not isinstance(s, (n.Input, n.Let, n.Def))), None)
        inputs = [s for s in body if isinstance(s, n.Input) and s.name is None]
        further = [s for s in body if isinstance(s, n.Input) and s.name is not None]
        if len(inputs) > 1:
            raise fail(codes.SYNTAX, f"a second input line (the first is on line {inputs[0].span.line})", inputs[1])
        overrides = self.input_override if isinstance(self.input_override, tuple) else \
            ((self.input_override,) if self.input_override is not None else ())
        given = overrides[0] if overrides else (inputs[0] if inputs else None)
        if given is None and first_layer is None and self.program.stopped is not None:
            self.outputs = None
            return ()  # a model's module tree alone (nothing of forward followed): its parameters need no input
        if given is None:
            raise no_input(self.program)
        if inputs and first_layer and inputs[0].span.line > first_layer.span.line \
                and not self.program.frontend.input_after_layers:
            raise fail(codes.SYNTAX, f"the input line must come before the first layer (line {first_layer.span.line})",
                       inputs[0])
        self.start_shape = self.bind(self.input_shape(given), inputs[0] if inputs else None)
        self.value = self.backend.start(self.start_shape, given)
        for i, node in enumerate(further):  # forward(self, x, y): the others wait under their names
            chosen = overrides[i + 1] if i + 1 < len(overrides) else node
            shape = self.bind(self.input_shape(chosen), node)
            self.saved[node.name] = (self.backend.start(shape, node), node)  # node: the input's name
            self.origins[node.name] = -1
        self.outputs = None
        frame = Frame(ChainMap(self.globals))
        self.walk(body, frame)
        return self.value

    def bind(self, shape: tuple, own: Optional[n.Input]) -> tuple:
        """The symbols a Python forward was followed with, bound to this walk's sizes (the sizes it
        computed from them, ``n.Value`` nodes, are then this walk's)."""
        if own is not None and own.symbols is None:
            fixed = tuple(d.value if isinstance(d, n.Num) else dims.sym(d.id) for d in own.dims)
            if shape != fixed:
                raise fail(codes.NOT_FOLLOWED, f"the model was followed for the input {'x'.join(map(dims.render, fixed))}"
                                               " only (its forward decides on a size there), not for "
                                               f"{'x'.join(map(dims.render, shape))}", own)
        elif own is not None and own.symbols:
            if len(own.symbols) != len(shape):
                raise fail(codes.CONFIG, f"the model was followed for a {len(own.symbols)}-d input, not "
                                         f"{len(shape)}-d", own)
            for name, size in zip(own.symbols, shape):
                if name is not None:
                    self.globals[name] = size
        return shape

    def input_shape(self, given: n.Input) -> tuple:
        shape = []
        for dim in given.dims:
            if isinstance(dim, n.Name):
                value = dims.sym(dim.id)
                self.globals[dim.id] = value
            elif dim.value < 1:
                raise fail(codes.ARGUMENT, f"input dimensions must be at least 1, not {dim.value}", dim)
            else:
                value = dim.value
            shape.append(value)
        if not shape:
            raise fail(codes.SYNTAX, "input needs at least one dimension", given)
        return tuple(shape)

    def step(self, node) -> None:
        self.steps += 1
        if limits.searching is not None:
            limits.searching.spend()
        if self.steps > MAX_STEPS:
            raise fail(codes.ARGUMENT, f"the network unrolls into more than {MAX_STEPS:,} layers and statements; "
                                "convcalc stops there", node)

    def walk(self, body, frame: Frame) -> None:
        for stmt in body:
            self.step(stmt)
            try:
                getattr(self, "do_" + type(stmt).__name__)(stmt, frame)
            except OverflowError as exc:  # a symbolic size grew past the bounds of dims
                self.failed_at = self.failed_at or stmt
                raise fail(codes.ARGUMENT, str(exc), stmt) from None
            except ConvcalcError:
                self.failed_at = self.failed_at or stmt
                raise

    def made(self, value, sources: tuple):
        """The backend call that just returned ``value`` read the tensors of ``sources`` ((origin, name)
        each): recorded, and ``value`` flows on, made by this call."""
        self.provenance.append((sources, tuple(self.blocks)))
        self.origin, self.origin_input = len(self.provenance) - 1, None
        self.value = value
        return value

    def flowing(self) -> tuple:
        return (self.origin, self.origin_input if self.origin < 0 else None)

    # ------------------------------------------------------------- statements
    def do_Input(self, stmt, frame):
        if frame.scope.maps[0] is not self.globals:
            raise fail(codes.SYNTAX, "input belongs at the top level, not inside a block", stmt)

    def do_Def(self, stmt, frame):
        if frame.scope.maps[0] is not self.globals:
            self.defs[stmt.name] = stmt  # a def inside a def: known from here on

    def do_Let(self, stmt, frame):
        frame.scope[stmt.name] = Evaluator(frame.scope)(stmt.value)

    def do_If(self, stmt, frame):
        cond = Evaluator(frame.scope)(stmt.cond)
        self.walk(stmt.body if truth(cond, stmt.cond) else stmt.orelse, frame)

    def do_Repeat(self, stmt, frame):
        count = Evaluator(frame.scope)(stmt.count)
        if type(count) is not int or count < 0:
            raise fail(codes.ARGUMENT, f"repeat needs a non-negative integer count, not {show(count)}", stmt.count)
        if count > MAX_REPEAT:
            raise fail(codes.ARGUMENT, f"repeat {count:,} is over the limit of {MAX_REPEAT:,} rounds", stmt.count)
        self.enter("repeat", stmt)
        for i in range(count):
            if stmt.var:
                frame.scope[stmt.var] = i
            self.walk(stmt.body, frame)
        self.blocks.pop()

    def do_Residual(self, stmt, frame):
        x, x_origin, x_input = self.value, self.origin, self.origin_input
        shortcut: list = []
        inner = Frame(frame.scope, shortcut)
        self.enter("residual", stmt)
        self.walk(stmt.body, inner)
        body_out, body = self.value, self.flowing()
        if shortcut:
            self.value, self.origin, self.origin_input = x, x_origin, x_input
            self.walk(shortcut[0].body, Frame(frame.scope))
            x, x_origin, x_input = self.value, self.origin, self.origin_input
        self.blocks.pop()
        self.made(self.backend.add(body_out, x, stmt, "residual add"),
                  (body, (x_origin, x_input if x_origin < 0 else None)))

    def do_Shortcut(self, stmt, frame):
        if frame.residual is None:
            raise fail(codes.SYNTAX, "shortcut: belongs inside a residual: block", stmt)
        if frame.residual:
            raise fail(codes.SYNTAX, f"a residual has at most one shortcut: (the first is on line "
                                f"{frame.residual[0].span.line})", stmt)
        frame.residual.append(stmt)

    def do_Concat(self, stmt, frame):
        x, x_origin, x_input = self.value, self.origin, self.origin_input
        outputs, sources = [], []
        self.enter("concat", stmt)
        for branch in stmt.branches:
            self.value, self.origin, self.origin_input = x, x_origin, x_input
            self.walk(branch.body, Frame(frame.scope))
            outputs.append((self.value, branch))
            sources.append(self.flowing())
        self.blocks.pop()
        self.made(self.backend.concat(outputs, stmt, "concat"), tuple(sources))

    def do_Branch(self, stmt, frame):
        raise fail(codes.SYNTAX, "branch: belongs inside a concat: block", stmt)

    def do_Save(self, stmt, frame):
        self.saved[stmt.name] = (self.value, stmt)
        self.origins[stmt.name] = self.origin

    def saved_tensor(self, stmt, name=None):
        name = stmt.name if name is None else name
        if name not in self.saved:
            known = ", ".join(sorted(self.saved)) or "none yet"
            raise fail(codes.ARGUMENT, f"no tensor was saved as {name!r} (saved: {known})", stmt)
        return self.saved[name]

    def do_ConcatSaved(self, stmt, frame):
        saved, where = self.saved_tensor(stmt)
        self.made(self.backend.concat([(self.value, stmt), (saved, where)], stmt, f"concat {stmt.name}", stmt.dim),
                  (self.flowing(), (self.origins.get(stmt.name, -1), stmt.name)))

    def do_AddSaved(self, stmt, frame):
        saved, _ = self.saved_tensor(stmt)
        self.made(self.backend.add(self.value, saved, stmt, f"add {stmt.name}"),
                  (self.flowing(), (self.origins.get(stmt.name, -1), stmt.name)))

    def do_Restore(self, stmt, frame):
        self.value, where = self.saved_tensor(stmt)
        self.origin = self.origins.get(stmt.name, -1)
        self.origin_input = where.name if self.origin < 0 and isinstance(where, n.Input) else None

    def do_Op(self, stmt, frame):
        spec = lookup_operation(stmt.op)
        if spec is None:
            raise fail(codes.ARGUMENT, f"{stmt.text}: unknown operation {stmt.op!r}", stmt)
        values = [self.value if name is None else self.saved_tensor(stmt, name)[0] for name in stmt.operands]
        sources = tuple(self.flowing() if name is None else (self.origins.get(name, -1), name)
                        for name in stmt.operands)
        evaluate = Evaluator(frame.scope)
        try:
            args = spec.bind(tuple(evaluate(a) for a in stmt.args), {k: evaluate(v) for k, v in stmt.kwargs})
        except ConvcalcError as exc:
            raise fail(exc.code, f"{' '.join(stmt.text.split())}: {exc.message}", stmt) from None
        out = self.backend.op(stmt.op, values, args, stmt, tuple(self.blocks))
        if stmt.outputs:  # several outputs: each saved under its name, made by this one call; the first flows
            self.made(out[0], sources)
            for name, value in zip(stmt.outputs, out):
                self.saved[name] = (value, stmt)
                self.origins[name] = self.origin
        else:
            self.made(out, sources)

    def do_Outputs(self, stmt, frame):
        self.outputs = [self.saved_tensor(stmt, name)[0] for name in stmt.names]
        self.output_origins = [self.origins.get(name, -1) for name in stmt.names]
        self.value, self.origin = self.outputs[0], self.output_origins[0]

    def do_Reshape(self, stmt, frame):
        target = tuple(Evaluator(frame.scope)(d) for d in stmt.dims)
        self.made(self.backend.reshape(self.value, target, stmt, tuple(self.blocks)), (self.flowing(),))

    def do_Shared(self, stmt, frame):
        """``layer fc = Linear(10, 10)``: the object is made here; ``fc()`` applies it."""
        name = stmt.name
        if name in self.defs or lookup(name) is not None:
            raise fail(codes.ARGUMENT, f"layer {name} = ...: {name} is already "
                                       f"{'a def' if name in self.defs else 'a layer of the catalogue'}", stmt)
        if lookup(stmt.call.name) is None:
            raise ConvcalcError(codes.ARGUMENT, f"unknown layer {stmt.call.name!r}", stmt.call.name_span or stmt.span)
        self.shared[name] = (stmt, len(self.shared) + 1)

    def shared_call(self, stmt: n.Call) -> n.Call:
        """One application of a shared layer: the object's arguments, at this line, its identity kept."""
        if stmt.args or stmt.kwargs:
            raise fail(codes.ARGUMENT, f"{stmt.name} is a shared layer (its `layer` line gives its arguments): "
                                       f"apply it as {stmt.name}()", stmt)
        shared, uid = self.shared[stmt.name]
        made = shared.call
        return n.Call(made.name, made.args, made.kwargs, f"{shared.name}: {made.text}", stmt.span, stmt.name_span,
                      -uid, shared.name)

    def do_Call(self, stmt, frame):
        fixed = None
        evaluate = Evaluator(frame.scope)
        if stmt.name in self.shared and stmt.name not in self.defs:
            stmt = self.shared_call(stmt)  # a node made for this call: not kept
        else:
            fixed = self.constants.of(stmt, evaluate)
        if fixed is not None:  # constant arguments: evaluated once per program (engine/constant.py)
            args, kwargs = list(fixed.args), fixed.kwargs
        else:
            args = [evaluate(a) for a in stmt.args]
            kwargs = {key: evaluate(value) for key, value, _ in stmt.kwargs}
        if stmt.name in self.defs:
            return self.call_def(self.defs[stmt.name], stmt, args, kwargs)
        spec = lookup(stmt.name)
        if spec is None:
            close = close_names(stmt.name, self.defs)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ConvcalcError(codes.ARGUMENT, f"unknown layer {stmt.name!r}{hint}", stmt.name_span or stmt.span)
        values, sources = self.operands(stmt, spec)
        bound = None
        try:
            if fixed is None:
                bound = spec.bind_call(spec.bind(tuple(args), kwargs),
                                       {key: evaluate(value) for key, value, _ in stmt.call_kwargs})
            else:
                if fixed.bound is None:
                    fixed.bound = own = spec.bind(tuple(args), kwargs)  # this walk's; the later ones bind copies
                else:
                    own = fixed.bound.fresh()
                if fixed.call_kwargs is None:  # evaluated where they always were: after the checks above
                    fixed.call_kwargs = {key: evaluate(value) for key, value, _ in stmt.call_kwargs}
                bound = spec.bind_call(own, fixed.call_kwargs)
            out = self.backend.layer(spec, bound, values, stmt, tuple(self.blocks))
        except LayerError as exc:
            # argument errors point at the argument; shape problems at the layer, as PyTorch names the layer
            exc.span = exc.span or argument_span(stmt, spec, exc.arg if exc.code == codes.ARGUMENT else None)
            if self.first and bound is not None:
                exc.message += input_hint(self.start_shape, spec, bound, exc.code)
            raise
        if stmt.outputs:  # several outputs: each saved under its name; the first flows on
            self.made(out[0], sources)
            for name, value in zip(stmt.outputs, out):
                self.saved[name] = (value, stmt)
                self.origins[name] = self.origin
        elif isinstance(out, list):  # several outputs in a description: the first flows on, or the one picked
            self.made(out[self.picked(stmt, spec, bound, len(out))], sources)
        else:
            self.made(out, sources)
        self.first = False

    @staticmethod
    def picked(stmt: n.Call, spec, bound, count: int) -> int:
        """The index of the output that flows on: ``-> NAME`` names one of the layer's outputs."""
        names = spec.output_names(bound)
        if stmt.pick is None:
            return 0
        if stmt.pick not in names[:count]:
            raise fail(codes.ARGUMENT, f"{spec.name} gives {', '.join(names[:count])}, not {stmt.pick!r}", stmt)
        return names.index(stmt.pick)

    def operands(self, stmt: n.Call, spec) -> tuple:
        """(the values, their sources) a layer is applied to: the tensor flowing, then the ones saved
        under ``stmt.operands`` (None: an optional operand left out), as many as its forward takes."""
        wanted = spec.operands
        if len(stmt.operands) + 1 > len(wanted):
            raise fail(codes.ARGUMENT, f"{spec.name} takes {len(wanted)} tensor{'s' if len(wanted) != 1 else ''} "
                                       f"({', '.join(w.rstrip('?') for w in wanted)}), not {len(stmt.operands) + 1}",
                       stmt)
        missing = [w for w in wanted[len(stmt.operands) + 1:] if not w.endswith("?")]
        if missing:
            raise fail(codes.ARGUMENT, f"{spec.name} is missing its tensor {missing[0]!r}", stmt)
        values, sources = [self.value], [self.flowing()]
        for name in stmt.operands:
            if name is None:
                values.append(None)  # an optional operand left out: no tensor, no source
            else:
                values.append(self.saved_tensor(stmt, name)[0])
                sources.append((self.origins.get(name, -1), name))
        return values, tuple(sources)

    def call_def(self, definition: n.Def, stmt: n.Call, args, kwargs):
        if definition.name in self.calls:
            chain = " -> ".join(self.calls + [definition.name])
            raise fail(codes.ARGUMENT, f"recursion: {chain}", stmt)
        if len(self.calls) >= MAX_CALL_DEPTH:
            raise fail(codes.ARGUMENT, f"def calls nested more than {MAX_CALL_DEPTH} deep", stmt)
        defaults = dict(definition.params)

        def default(name, bound):  # a default may read the parameters before it, as in Python
            expr = defaults[name]
            return MISSING if expr is None else Evaluator(ChainMap(bound, self.globals))(expr)

        try:
            local, _, _ = bind(definition.name, list(defaults), args, kwargs, default)
        except BindError as exc:
            raise fail(codes.ARGUMENT, exc.message, stmt) from None
        self.calls.append(definition.name)
        self.enter(definition.name, stmt, call=(stmt, args, kwargs))
        self.walk(definition.body, Frame(ChainMap(local, self.globals)))
        self.blocks.pop()
        self.calls.pop()

    def enter(self, label: str, stmt, text: Optional[str] = None, call=None) -> None:
        self.uids += 1
        self.blocks.append(Block(self.uids, label, stmt.span.line, text, call=call))


def input_hint(shape: tuple, spec, bound, code: str) -> str:
    """What the first layer's error says of an input written in another convention: channels
    last, as Keras writes 32x32x3, or with the batch, as PyTorch prints 1x3x32x32."""
    rank, channels = spec.traits.rank, spec.traits.channels
    wanted = bound.values.get(channels) if channels else None
    if rank is None or not all(type(d) is int for d in shape):
        return ""
    order = (lambda s: (s[-1],) + tuple(s[:-1])) if wanted is not None and shape[-1] == wanted else None
    if code == codes.CHANNELS and len(shape) == rank + 1 and order:
        return (f"; the input {fmt_shape(shape)} has its channels last, as Keras and TensorFlow write it: PyTorch "
                f"puts them first (input {fmt_shape(order(shape))})")
    if code == codes.CONFIG and len(shape) == rank + 2:
        sample = order(shape[1:]) if order and shape[1] != wanted else shape[1:]
        return (f"; the input line is one sample, without the batch: input {fmt_shape(sample)} (--batch gives the "
                f"batch for mult-adds)")
    return ""


def argument_span(call: n.Call, spec, arg: Optional[str]) -> Span:
    """The span of the argument a layer error names, or the whole call."""
    if arg is None:
        return call.span
    for key, value, key_span in call.kwargs:
        if key == arg:
            return Span(key_span.line, key_span.col, value.span.end_line, value.span.end_col)
    names = [p for p, _ in spec.params]
    if arg in names and names.index(arg) < len(call.args):
        return call.args[names.index(arg)].span
    return call.span


