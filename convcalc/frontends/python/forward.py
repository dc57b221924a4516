"""Following forward: a tensor stands for the value flowing through the network; each layer
called, functional op, view, add or concat on it becomes a node of the program the shape
engine walks (:class:`Trace`; the tracing methods are a mixin of the interpreter)."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc import nodes as n
from convcalc.errors import Span
from convcalc.frontends.python.torch_api import CONCAT, FUNCTIONAL, SAME_TENSOR_METHODS, SKIPPED_ARGS, TENSOR_METHODS
from convcalc.frontends.python.values import (BATCH, OPS, Function, Instance, Layer, Opaque, Sequential, Tensor,
                                              TensorMethod, Unfollowable, const_node, describe, is_number)


class Trace:
    """The nodes a forward produces, in order; Save nodes are inserted where a tensor is needed later."""

    def __init__(self):
        self.body: list = []
        self.current: Optional[Tensor] = None
        self.saves: list = []  # (position, Save node)
        self.names: set = set()
        self.sites: dict = {}  # id(emitted Call) -> (Span in forward, ("layer", id) or ("op", where), origin)
        self.layers_used: dict = {}  # id(layer) -> uses

    def start(self, span: Span) -> Tensor:
        tensor = Tensor(0, "x", span)
        self.current = tensor
        return tensor

    def save_name(self, tensor: Tensor) -> str:
        if tensor.saved is None:
            base = tensor.label or "tensor"
            name, i = base, 1
            while name in self.names:
                i += 1
                name = f"{base}#{i}"
            self.names.add(name)
            tensor.saved = name
            self.saves.append((tensor.pos, n.Save(name, tensor.span)))
        return tensor.saved

    def use(self, tensor: Tensor, span: Span) -> None:
        """Make ``tensor`` the value flowing, restoring it if something else flowed since."""
        if self.current is not tensor:
            self.body.append(n.Restore(self.save_name(tensor), span))
            self.current = tensor

    def emit(self, node, label: str, span: Span, site: Optional[Span] = None) -> Tensor:
        """Append a node; ``site`` is where the forward that wrote it was called (for messages)."""
        if site is not None and id(node) not in self.sites:
            self.sites[id(node)] = (site, ("op", span.line, span.col), ())
        self.body.append(node)
        tensor = Tensor(len(self.body), label, span)
        self.current = tensor
        return tensor

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


class Tracing:
    """The tensor operations of forward."""

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
        trace = self.need_trace(node)
        if isinstance(module, Instance):
            if module.poisoned:
                raise Unfollowable(f"the {module.cls.name} object is not known ({module.poisoned})", node)
            forward = module.cls.lookup("forward")
            if isinstance(forward, Function):
                module.traced = True
                return self.invoke(forward, [module] + args, kwargs, node)
            if module.seq is not None:
                module.traced = True
                return self.call_module(Sequential(module.seq), args, kwargs, node)
            raise Unfollowable(f"{module.cls.name} has no forward", node)
        if len(args) != 1 or kwargs:
            raise Unfollowable(f"a module called with {len(args)} arguments", node)
        x = self.tensor_arg(args[0], node)
        if isinstance(module, Sequential):
            for item in module.items:
                x = self.call_module(item, [x], {}, node)
            return x
        if isinstance(module, Layer):
            trace.use(x, self.src.span(node) if node is not None else module.call.span)
            emitted = n.Call(*module.call._values())
            site = self.src.span(node) if node is not None else module.call.span
            trace.sites[id(emitted)] = (site, ("layer", id(module)), module.origin)
            trace.layers_used[id(module)] = trace.layers_used.get(id(module), 0) + 1
            return trace.emit(emitted, "", site)
        if isinstance(module, Opaque):
            raise Unfollowable(f"{module.qname.replace('torch.nn.', 'nn.')} is not in convcalc's catalogue", node)
        raise Unfollowable(f"calling {describe(module)}", node)

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
        call = n.Call(layer, tuple(exprs), tuple(kw), self.src.segment(node), span, self.src.span(node.func))
        trace.use(tensor, span)
        trace.sites[id(call)] = (span, ("op", id(call)), ())
        return trace.emit(call, "", span)

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
            result = None
            for name in names:
                # the engine resolves a negative dim against the tensor's rank (dim=-3 is channels on 4-d only)
                result = trace.emit(n.ConcatSaved(name, span, dim), "", span, self.caller_span(span))
            return result
        layer, params, forced = FUNCTIONAL[qname]
        if not node.args:
            raise Unfollowable(f"{qname} without its input", node)
        tensor = self.tensor_arg(self.eval(node.args[0], scope), node.args[0])
        rest = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords)
        skip = {p for p in params if p in SKIPPED_ARGS}
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
            if kw.arg in SKIPPED_ARGS:
                continue
            kwargs.append((kw.arg, self.eval(kw.value, scope), kw.value, kw))
        # positional values become keywords so that functional orders (F.max_pool2d) need not match nn's
        kwargs = [(p, v, nd, nd) for p, (v, nd) in zip(positions, args)] + kwargs
        return self.functional_layer(layer, params, forced, tensor, [], kwargs, node)

    def tensor_method(self, method: TensorMethod, node, scope):
        trace = self.need_trace(node)
        tensor, name = method.tensor, method.name
        span = self.src.span(node)
        if name in ("view", "reshape"):
            args, kwargs = self.call_args(node, scope)
            if kwargs:
                raise Unfollowable(f"{name} with keywords", node)
            values = [v for v, _ in args]
            if len(values) == 1 and isinstance(values[0], (tuple, list)):
                values = list(values[0])
            if len(values) < 2 or not (values[0] is BATCH or values[0] == -1):
                raise Unfollowable(f"x.{name}(...) that does not keep the batch first (x.size(0) or -1)", node)
            rest = values[1:]
            if not all(type(v) is int for v in rest):
                raise Unfollowable(f"x.{name}(...) with sizes convcalc cannot follow", node)
            if values[0] is BATCH and rest == [-1]:
                call = n.Call("Flatten", (), (), self.src.segment(node), span, self.src.span(node.func))
                trace.use(tensor, span)
                trace.sites[id(call)] = (span, ("op", id(call)), ())
                return trace.emit(call, "", span)
            node_dims = tuple(n.Num(v, span) for v in rest)
            trace.use(tensor, span)
            return trace.emit(n.Reshape(node_dims, values[0] == -1, self.src.segment(node), span), "", span,
                              self.caller_span(span))
        if name == "size":
            args, kwargs = self.call_args(node, scope)
            if len(args) == 1 and args[0][0] == 0 and not kwargs:
                return BATCH
            raise Unfollowable("a size of the tensor other than the batch (x.size(0))", node)
        if name in TENSOR_METHODS:
            layer, params = TENSOR_METHODS[name]
            forced = {"start_dim": 0} if name == "flatten" else {}
            args, kwargs = self.call_args(node, scope)
            if len(args) > len(params):
                raise Unfollowable(f"too many arguments for x.{name}", node)
            kw = [(p, v, nd, nd) for p, (v, nd) in zip(params, args)] + kwargs
            return self.functional_layer(layer, params, forced, tensor, [], kw, node)
        if name in SAME_TENSOR_METHODS:
            return tensor
        raise Unfollowable(f"x.{name}(...)", node)

    def tensor_binop(self, op: str, left, right, node):
        trace = self.need_trace(node)
        if isinstance(left, Tensor) and isinstance(right, Tensor):
            if op not in ("Add", "Sub"):
                raise Unfollowable(f"tensor {OPS.get(op, op)} tensor (broadcasting is not followed)", node)
            span = self.src.span(node)
            name = trace.save_name(right)
            trace.use(left, span)
            return trace.emit(n.AddSaved(name, span), "", span, self.caller_span(span))
        tensor, other = (left, right) if isinstance(left, Tensor) else (right, left)
        if is_number(other) and op in ("Add", "Sub", "Mult", "Div", "FloorDiv", "Pow", "Mod"):
            return tensor  # an element-wise operation with a number keeps the shape
        raise Unfollowable(f"tensor {OPS.get(op, op)} {describe(other)}", node)
