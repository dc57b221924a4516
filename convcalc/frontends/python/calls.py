"""Calls: their arguments evaluated, then bound to a function of the file (a new frame) or
handed to a builtin, a class, a module or torch (a mixin of the interpreter)."""
from __future__ import annotations

import ast

from convcalc.binding import MISSING, BindError, bind
from convcalc.frontends.python.values import (MAX_DEPTH, BoundMethod, Builtin, ClassInfo, Function, Instance, Layer, Module,
                                              Partial, Ref, Scope, SuperProxy, Tensor, TensorMethod, Unfollowable, _Break, _Continue,
                                              _Return, describe)


class Calls:
    """Function calls and argument binding."""

    def expr_Call(self, node, scope):
        if isinstance(node.func, ast.Name) and scope.find(node.func.id) is None:
            special = {"super": self.call_super, "getattr": self.call_getattr, "setattr": self.call_setattr,
                       "hasattr": self.call_hasattr}.get(node.func.id)
            if special is not None:
                return special(node, scope)
        func = self.eval(node.func, scope)
        if isinstance(func, Ref):
            return self.call_ref(func, node, scope)
        if isinstance(func, TensorMethod):
            return self.tensor_method(func, node, scope)
        if isinstance(func, Partial):
            return self.call_partial(func, node, scope)
        args, kwargs = self.call_args(node, scope)
        return self.call(func, args, kwargs, node)

    def call_super(self, node, scope):
        if node.args:
            args, _ = self.call_args(node, scope)
            if len(args) != 2 or not isinstance(args[0][0], ClassInfo):
                raise Unfollowable("super(...) with other arguments", node)
            return SuperProxy(args[0][0], args[1][0])
        func = self.frames[-1][2] if self.frames else None
        if func is None or func.owner is None or not func.node.args.args:
            raise Unfollowable("super() outside a method", node)
        first = func.node.args.args[0].arg
        return SuperProxy(func.owner, self.lookup(first, scope, node))

    def call_getattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) not in (2, 3) or not isinstance(args[1][0], str):
            raise Unfollowable("getattr with a name that is not a constant", node)
        obj, name = args[0][0], args[1][0]
        if len(args) == 3 and isinstance(obj, Instance) and name not in obj.attrs and obj.cls.lookup(name) is None:
            return args[2][0]
        return self.get_attr(obj, name, node)

    def call_setattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) != 3 or not isinstance(args[0][0], Instance) or not isinstance(args[1][0], str):
            raise Unfollowable("setattr with a name that is not a constant", node)
        if isinstance(args[2][0], Tensor):
            raise Unfollowable("a tensor stored in an attribute", node)
        args[0][0].attrs[args[1][0]] = args[2][0]
        return None

    def call_hasattr(self, node, scope):
        args, kwargs = self.call_args(node, scope)
        if kwargs or len(args) != 2 or not isinstance(args[0][0], (Instance, Layer)) or not isinstance(args[1][0], str):
            raise Unfollowable("hasattr", node)
        obj, name = args[0][0], args[1][0]
        if isinstance(obj, Layer):  # inception's hasattr(m, "stddev"): what the file set, or torch's own settings
            return name in obj.extra or name in obj.settings()
        return name in obj.attrs or obj.cls.lookup(name) is not None

    def call_args(self, node, scope, skip=()):
        """[(value, ast node)], [(key, value, value node, keyword node)]."""
        if id(node) in self.preset:  # a partial's call: its arguments, then the call's, evaluated already
            args, kwargs = self.preset[id(node)]
            return args, [kw for kw in kwargs if kw[0] not in skip]
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                for item in self.iterate(self.eval(arg.value, scope), arg):
                    args.append((item, arg))
            else:
                args.append((self.eval(arg, scope), arg))
        kwargs = []
        for kw in node.keywords:
            if kw.arg is None:
                mapping = self.eval(kw.value, scope)
                if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
                    raise Unfollowable("** of something not a dict", kw)
                kwargs.extend((k, v, kw.value, kw) for k, v in mapping.items())
            elif kw.arg in skip:
                continue
            else:
                kwargs.append((kw.arg, self.eval(kw.value, scope), kw.value, kw))
        return args, kwargs

    def call(self, func, args, kwargs, node):
        """Call a value with evaluated ``args`` [(value, node)] and ``kwargs`` [(key, value, ...)]."""
        positional, keywords = [v for v, _ in args], {k: v for k, v, _, _ in kwargs}
        if isinstance(func, Function) and func.name in LOGGING:
            return None  # torchvision's own, read from its utils.py: it logs, and reads what no model file sets
        if isinstance(func, BoundMethod):
            return self.invoke(func.func, [func.obj] + positional, keywords, node)
        if isinstance(func, Builtin):
            out = func.fn(positional, keywords, node)
            if isinstance(out, (list, tuple, str, dict, set)):  # range(), list(), str methods: memory too
                self.charge(len(out), node)
            return out
        for kind in type(func).__mro__:
            handler = CALLABLE.get(kind)
            if handler is not None:
                return getattr(self, handler)(func, positional, keywords, node)
        raise Unfollowable(f"calling {describe(func)}", node)

    def call_partial(self, partial: Partial, node, scope):
        """partial(f, a, k=1)(b, k=2) is f(a, b, k=2)."""
        args, kwargs = self.call_args(node, scope)
        given = {kw[0] for kw in kwargs}
        args, kwargs = partial.args + args, [kw for kw in partial.kwargs if kw[0] not in given] + kwargs
        func = partial.func
        if isinstance(func, Ref):
            self.preset[id(node)] = (args, kwargs)
            try:
                return self.call_ref(func, node, scope)
            finally:
                del self.preset[id(node)]
        if isinstance(func, Partial):
            raise Unfollowable("a partial of a partial", node)
        return self.call(func, args, kwargs, node)

    def invoke(self, func: Function, args: list, kwargs: dict, node):
        if self.depth >= MAX_DEPTH:
            raise Unfollowable(f"calls nested more than {MAX_DEPTH} deep", node)
        scope = Scope(func.scope)
        self.bind(func, args, kwargs, scope, node)
        self.depth += 1
        self.frames.append((func.name, self.src.span(node) if node is not None else None, func))
        outer = self.src
        self.src = func.src or outer  # the function's own file: its nodes' positions are there
        try:
            if isinstance(func.node, ast.Lambda):
                return self.eval(func.node.body, scope)
            try:
                self.exec_block(func.node.body, scope, tolerant=True)
            except _Return as ret:
                return ret.value
            except (_Break, _Continue):
                raise Unfollowable("break/continue outside a loop", node) from None
            return None
        except Unfollowable as exc:
            if exc.span is None and exc.node is not None and self.src is not outer:
                exc.span = self.src.span(exc.node)  # a node of the function's own file: placed there
            raise
        finally:
            self.depth -= 1
            self.frames.pop()
            self.src = outer

    def bind(self, func: Function, args: list, kwargs: dict, scope: Scope, node) -> None:
        spec = func.node.args
        positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)]
        try:
            bound, rest, extra = bind(func.name, positional, args, kwargs,
                                      lambda name, _: func.defaults.get(name, MISSING),
                                      varargs=spec.vararg is not None, varkw=spec.kwarg is not None,
                                      keyword_only=[a.arg for a in spec.kwonlyargs])
        except BindError as exc:
            raise Unfollowable(exc.message, node) from None
        scope.vars.update(bound)
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = rest
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = extra


# what calling each kind of value means: the interpreter's method that does it
# functions that only log, known by name wherever a model reads them from
LOGGING = {"_log_api_usage_once"}
CALLABLE = {Function: "invoke", ClassInfo: "instantiate", Module: "call_module"}
