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

import ast
from contextlib import contextmanager
from typing import Optional

from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.derive import derive_input
from convcalc.engine.evaluate import Evaluator
from convcalc.engine.shapes import ShapeBackend
from convcalc.engine.walk import Block
from convcalc.errors import ConvcalcError, Span
from convcalc.frontends.python.torch_api import CONCAT, FUNCTIONAL, SKIPPED_ARGS, WEIGHT_ARGS
from convcalc.frontends.python.values import (BATCH, OPS, Constant, Function, Instance, Layer, Opaque, Parameter, Sequential,
                                              Tensor, Unfollowable, _Signal, as_container, const_node, describe, is_number)
from convcalc.symbolic import dims
from convcalc.layers.catalogue import lookup
from convcalc.layers.operations import lookup_operation


class ShapeError(_Signal):
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
        self.given = given  # the input, or None: derived from the first layer
        self.derived: Optional[n.Input] = None
        self.shapes = ShapeBackend(Analysis(path, source))
        self.root: Optional[Tensor] = None
        # the submodules whose forward is running, outermost first (as walk Blocks: tables fold by
        # them, as torchinfo's depth does); scopes: id(emitted node) -> that stack when it came
        self.scope: list = []
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
        shape = self.apply(node, operands)
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
                               "channels; add `# convcalc: input 3x32x32` above the model", None)
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


def derived_symbol(name: n.Name):
    from convcalc.symbolic.dims import sym

    return sym(name.id)


def describe_node(node) -> str:
    return " ".join(getattr(node, "text", "").split()) or "its first operation"


class Tracing:
    """Modules called on tensors, and arithmetic between tensors."""

    def caller_span(self, span: Span) -> Span:
        """Where the forward running now was called from (self.up1(x5, x4)), or ``span`` itself."""
        for _, call_span, _ in reversed(self.frames):
            if call_span is not None and call_span.line != span.line:
                return call_span
        return span

    def need_trace(self, node) -> Trace:
        if self.trace is None:
            raise Unfollowable("a tensor operation outside forward", node)
        return self.trace

    def tensor_arg(self, value, node) -> Tensor:
        if not isinstance(value, Tensor):
            raise Unfollowable(f"{describe(value)} where a tensor flowing through forward was expected", node)
        return value

    def call_module(self, module, args: list, kwargs: dict, node):
        if self.trace is None:
            from convcalc.frontends.python.discovery import probe

            return probe(self, module, args)
        trace = self.trace
        if isinstance(module, Instance):
            if module.poisoned:
                raise Unfollowable(f"the {module.cls.name} object is not known ({module.poisoned})", node)
            forward = module.cls.lookup("forward")
            if isinstance(forward, Function) or (module.base is None and module.cls.container == "sequential"):
                with trace.inside(self.module_paths.get(id(module), ""), module.cls.name,
                                  self.src.span(node) if node is not None else None):
                    module.traced = True
                    if isinstance(forward, Function):
                        return self.invoke(forward, [module] + args, kwargs, node)
                    return self.call_module(as_container(module), args, kwargs, node)  # nn.Sequential's forward
            if module.base is not None:  # a subclass of a layer without a forward of its own: the layer
                return self.call_module(module.base, args, kwargs, node)
            raise Unfollowable(f"{module.cls.name} has no forward", node)
        if isinstance(module, Layer):
            return self.apply_layer(module, args, kwargs, node)
        if isinstance(module, Opaque):
            raise Unfollowable(f"{module.qname.replace('torch.nn.', 'nn.')} is not supported: it is not in "
                               "convcalc's catalogue", node)
        if len(args) != 1 or kwargs:
            raise Unfollowable(f"{describe(module)} called with {len(args)} arguments", node)
        x = self.tensor_arg(args[0], node)
        if isinstance(module, Sequential):
            with trace.inside(self.module_paths.get(id(module), ""), "Sequential",
                              self.src.span(node) if node is not None else None):
                for item in module.items:
                    x = self.call_module(item, [x], {}, node)
            return x
        raise Unfollowable(f"calling {describe(module)}", node)

    def apply_layer(self, module: Layer, args: list, kwargs: dict, node):
        """A layer object called: its forward's tensors (the first flows in, the others by their saved
        names), its other arguments, and its outputs (a tuple when it gives several), as its
        declaration names them (convcalc/layers/registry.py)."""
        trace = self.trace
        spec = lookup(module.name)
        tensors, given = self.bind_forward(spec, module, args, kwargs, node)
        site = self.src.span(node) if node is not None else module.call.span
        names = tuple(trace.save_name(t) if t is not None else None for t in tensors[1:])
        trace.use(tensors[0], site)
        constructed = self.layer_args(module, node)
        try:
            outputs = spec.output_names(spec.bind_call(constructed, given))
        except ConvcalcError:
            outputs = ("output",)  # the walk reports the arguments' error at the layer
        saved = tuple(trace.fresh_name(f"{module.name}.{o}") for o in outputs) if len(outputs) > 1 else ()
        # x.size() given to a forward (unpool's output_size) holds the batch: it stands there as -1
        call_kwargs = tuple((key, const_node(without_batch(value), site, node, module.name), site)
                            for key, value in given.items())
        emitted = module.call_for(self.module_paths.get(id(module), ""), names, call_kwargs, saved)
        trace.sites[id(emitted)] = (site, ("layer", id(module)), module.origin)
        trace.layers_used[id(module)] = trace.layers_used.get(id(module), 0) + 1
        return trace.emit(emitted, "", site, tensors)

    def bind_forward(self, spec, module: Layer, args: list, kwargs: dict, node) -> tuple:
        """([the tensors of the layer's forward, None for an optional one left out], {its other
        arguments}), bound by position and name as Python binds them."""
        from convcalc.binding import MISSING, BindError, bind

        operands = [o.rstrip("?") for o in spec.operands]
        optional = {o.rstrip("?") for o in spec.operands if o.endswith("?")}
        defaults = dict(spec.call_params)
        try:
            bound, _, _ = bind(f"{module.name}.forward", operands + list(defaults), list(args), dict(kwargs),
                               lambda name, _: None if name in optional else defaults.get(name, MISSING))
        except BindError as exc:
            raise Unfollowable(exc.message, node) from None
        tensors = []
        for name in operands:
            value = bound[name]
            if value is None and name in optional:
                tensors.append(None)
            else:
                tensors.append(self.tensor_arg(value, node))
        given = {name: bound[name] for name in defaults if bound[name] is not defaults[name]}
        return tensors, given

    def layer_args(self, module: Layer, node):
        """The layer object's constructor arguments, bound (their errors are the walk's to report)."""
        spec = lookup(module.name)
        evaluate = Evaluator({})
        try:
            return spec.bind(tuple(evaluate(a) for a in module.call.args),
                             {k: evaluate(v) for k, v, _ in module.call.kwargs})
        except ConvcalcError:
            from convcalc.layers.registry import Args

            return Args(module.name, {}, spec.traits)

    def functional_layer(self, layer: str, params: tuple, forced: dict, tensor: Tensor, args, kwargs, node) -> Tensor:
        trace = self.need_trace(node)
        exprs, kw = [], []
        for i, (value, value_node) in enumerate(args):
            if i >= len(params):
                raise Unfollowable(f"too many arguments for {layer}", node)
            if params[i] in SKIPPED_ARGS:
                continue
            kw.append((params[i], const_node(value, self.src.span(value_node), value_node, layer),
                       self.src.span(value_node)))
        given = {k for k, _, _ in kw}
        for key, value, value_node, kw_node in kwargs:
            if key in SKIPPED_ARGS:
                continue
            if key not in params:
                raise Unfollowable(f"the argument {key} of {layer}", node)
            given.add(key)
            kw.append((key, const_node(value, self.src.span(value_node), value_node, layer), self.src.span(kw_node)))
        for key, value in forced.items():
            if key not in given:
                kw.append((key, const_node(value, self.src.span(node), node, layer), self.src.span(node)))
        span = self.src.span(node)
        layer = global_pool(layer, kw, tensor)
        call = n.Call(layer, tuple(exprs), tuple(kw), self.src.segment(node), span, self.src.span(node.func))
        trace.use(tensor, span)
        trace.sites[id(call)] = (span, ("op", id(call)), ())
        return trace.emit(call, "", span, [tensor])

    def functional(self, qname: str, node, scope):
        trace = self.need_trace(node)
        span = self.src.span(node)
        if qname in CONCAT or qname == "torch.add":
            args, kwargs = self.call_args(node, scope)
            if qname == "torch.add":
                if len(args) != 2 or kwargs:
                    raise Unfollowable("torch.add with other arguments", node)
                return self.tensor_binop("Add", args[0][0], args[1][0], node)
            dim = dict((k, v) for k, v, _, _ in kwargs).get("dim", args[1][0] if len(args) > 1 else 0)
            tensors = list(self.iterate(args[0][0], node)) if args else []
            if type(dim) is not int:
                raise Unfollowable(f"torch.cat along dim={describe(dim)}", node)
            if len(tensors) < 1 or not all(isinstance(t, Tensor) for t in tensors):
                raise Unfollowable("torch.cat of something not tensors flowing through forward", node)
            if len(tensors) == 1:
                return tensors[0]
            names = [trace.save_name(t) for t in tensors[1:]]
            trace.use(tensors[0], span)
            result = tensors[0]
            for name, other in zip(names, tensors[1:]):
                # the engine resolves a negative dim against the tensor's rank (dim=-3 is channels on 4-d only)
                result = trace.emit(n.ConcatSaved(name, span, dim), "", span, [result, other],
                                    self.caller_span(span))
            return result
        layer, params, forced = FUNCTIONAL[qname]
        if not node.args:
            raise Unfollowable(f"{qname} without its input", node)
        tensor = self.tensor_arg(self.eval(node.args[0], scope), node.args[0])
        rest = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords)
        skip = {p for p in params if p in SKIPPED_ARGS or p in WEIGHT_ARGS}
        arg_nodes = []
        for i, arg in enumerate(rest.args):
            if isinstance(arg, ast.Starred):
                raise Unfollowable(f"*args in {qname}", node)
            arg_nodes.append(None if i < len(params) and params[i] in skip else arg)
        args = [(self.eval(a, scope), a) for a in arg_nodes if a is not None]
        positions = [params[i] for i, a in enumerate(arg_nodes) if a is not None and i < len(params)]
        if len(arg_nodes) > len(params):
            raise Unfollowable(f"too many arguments for {qname}", node)
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                raise Unfollowable(f"** in {qname}", node)
            if kw.arg in SKIPPED_ARGS or kw.arg in skip:
                continue
            kwargs.append((kw.arg, self.eval(kw.value, scope), kw.value, kw))
        # positional values become keywords so that functional orders (F.max_pool2d) need not match nn's
        kwargs = [(p, v, nd, nd) for p, (v, nd) in zip(positions, args)] + kwargs
        return self.functional_layer(layer, params, forced, tensor, [], kwargs, node)

    def emit_op(self, op: str, operands: list, args: tuple, node, text: Optional[str] = None, outputs: int = 0):
        """A tensor operation of convcalc/layers/operations.py on ``operands`` (the first flows in),
        its arguments in the declaration's order; ``outputs``: how many it makes, when several."""
        from convcalc.frontends.python.values import const_node

        trace = self.need_trace(node)
        span = self.src.span(node)
        names = tuple([None] + [trace.save_name(t) for t in operands[1:]])
        trace.use(operands[0], span)
        exprs = tuple(const_node(a, span, node, op) for a in args)
        saved = tuple(trace.fresh_name(op) for _ in range(outputs)) if outputs else ()
        return trace.emit(n.Op(op, names, exprs, text or self.src.segment(node), span, (), saved), "", span,
                          operands, self.caller_span(span))

    def tensor_binop(self, op: str, left, right, node):
        trace = self.need_trace(node)
        if isinstance(left, Tensor) and isinstance(right, Tensor):
            span = self.src.span(node)
            if op == "Add" and left.shape == right.shape and left.shape is not None:
                name = trace.save_name(right)
                trace.use(left, span)
                return trace.emit(n.AddSaved(name, span), "", span, [left, right], self.caller_span(span))
            name = BROADCAST.get(op)
            if name is None:
                raise Unfollowable(f"tensor {OPS.get(op, op)} tensor", node)
            return self.emit_op(name, [left, right], (), node)
        tensor, other = (left, right) if isinstance(left, Tensor) else (right, left)
        if is_number(other) and op in ("Add", "Sub", "Mult", "Div", "FloorDiv", "Pow", "Mod"):
            return tensor  # an element-wise operation with a number keeps the shape
        if isinstance(other, (Constant, Parameter)) and op in BROADCAST and fits_into(other.shape, tensor.shape):
            return tensor  # convnext's layer_scale * x: a constant that broadcasts into the tensor keeps its shape
        raise Unfollowable(f"tensor {OPS.get(op, op)} {describe(other)}", node)


BROADCAST = {"Add": "add", "Sub": "sub", "Mult": "mul", "Div": "div"}


def without_batch(value):
    """A size given to a layer's forward with the batch in it (``x.size()``): the batch as -1."""
    if isinstance(value, (tuple, list)):
        return type(value)(without_batch(v) for v in value)
    return -1 if value is BATCH else value


def fits_into(constant: tuple, sample) -> bool:
    """A constant tensor of shape ``constant`` broadcasts against a batch of ``sample`` tensors
    without growing them: each of its sizes is 1 or the tensor's (its first may be the batch's 1)."""
    if sample is None:
        return False
    sample = tuple(sample)
    if len(constant) == len(sample) + 1 and constant[0] == 1:
        constant = constant[1:]
    if len(constant) > len(sample):
        return False
    tail = sample[len(sample) - len(constant):]
    return all(c == 1 or (type(d) is int and c == d) for c, d in zip(constant, tail))


def global_pool(layer: str, kwargs: list, tensor: Tensor) -> str:
    """F.avg_pool2d(x, x.size()[2:]) on a symbolic input: a window as large as the input,
    stride and padding left as they default, is a global average (max) pool, whatever H and W
    are; convcalc follows it as AdaptiveAvgPool2d(1), which the rules can take symbolically.
    The kernel is changed into output_size=1 in place."""
    if not layer.startswith(("AvgPool", "MaxPool")) or tensor.shape is None:
        return layer
    given = {key: expr for key, expr, _ in kwargs}
    kernel = given.get("kernel_size")
    nd = lookup(layer).traits.rank
    if not isinstance(kernel, (n.TupleExpr, n.Value)) or set(given) - {"kernel_size"}:
        return layer
    values = [e.value for e in kernel.items] if isinstance(kernel, n.TupleExpr) else [kernel.value] * nd
    spatial = tensor.shape[len(tensor.shape) - nd:]
    if not any(dims.is_symbolic(v) for v in values) or tuple(values) != tuple(spatial):
        return layer
    at = next(i for i, (key, _, _) in enumerate(kwargs) if key == "kernel_size")
    _, expr, key_span = kwargs[at]
    kwargs[at] = ("output_size", n.Num(1, expr.span), key_span)
    return f"Adaptive{layer}"
