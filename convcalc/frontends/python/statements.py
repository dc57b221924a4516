"""The statements the interpreter runs (a mixin of :class:`~convcalc.frontends.python.interp.Interp`)."""
from __future__ import annotations

import ast

from convcalc.binding import MISSING
from convcalc.frontends.python.torch_api import _F, FUNCTIONAL
from convcalc.frontends.python.values import (CONTAINERS, MAX_BUILT, MAX_STEPS, MODULE_BASES, Abort, ClassInfo,
                                              Function, Instance, Layer, ModuleDict, ModuleList, OverSteps, Parameter,
                                              Ref, Scope, Sequential, Tensor, Unfollowable, Unknown, Weight, _Break,
                                              _Continue, _Return, as_container, describe, is_hashable)


def freeze(obj, trainable: bool) -> None:
    """``requires_grad`` set on a parameter, a layer's weight or bias, or all of a layer's tensors."""
    owner, part = (obj, "all") if isinstance(obj, Parameter) else (obj.owner, obj.part)
    if isinstance(owner, Parameter):
        owner.trainable = trainable
    elif isinstance(owner, Layer):
        if trainable:
            owner.frozen.discard(part)
            owner.frozen.discard("all")
        else:
            owner.frozen.add(part)
    else:
        raise Unfollowable("requires_grad of a tensor convcalc does not know the owner of", None)


def catalogue_layer(qname: str):
    """The layer of the catalogue that ``qname`` (torch.nn.LayerNorm) names, or None."""
    from convcalc.layers.catalogue import REGISTRY

    short = qname.rsplit(".", 1)[-1]
    return short if qname.startswith("torch.nn.") and qname.count(".") == 2 and short in REGISTRY else None


def decorator_name(node) -> str:
    """dataclass of ``@dataclass``, ``@dataclasses.dataclass`` and ``@dataclass(frozen=True)``."""
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


# what module-level code still runs once its budget is spent (run_module): the definitions models come from
DECLARATIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom)
DECLARATION_STEPS = 5_000


class Statements:
    """Module-level code, class bodies and function bodies, statement by statement."""

    def run_module(self) -> None:
        """The module's code, statement by statement. Once module-level code has run out of steps
        (``module_stop``: the first statement that did, and why), the declarations after it
        (classes, functions, imports) are still run, each on a small allowance from a pool of its
        own, so that the models they define are found; the other statements after it are not run
        (the lint summary and the "no model" message say so)."""
        pool = MAX_STEPS  # the declarations' steps, once the module's own budget is spent
        for stmt in self.tree.body:
            start, built = self.steps, self.built
            if self.module_stop is not None:
                if not isinstance(stmt, DECLARATIONS) or pool <= 0:
                    continue
                # the budget that ran out may be either: steps, or elements built (charged as a tenth of a step)
                start = self.steps = MAX_STEPS - min(DECLARATION_STEPS, pool)
                built = self.built = MAX_BUILT - min(10 * DECLARATION_STEPS, 10 * pool)
            try:
                self.exec_stmt(stmt, self.globals)
            except OverSteps as exc:
                if self.module_stop is None:
                    self.module_stop = (stmt, exc.reason)
                self.recover(stmt, self.globals, exc)
            except Abort as exc:  # at module level a failed call is one statement not followed, not the file's end
                self.recover(stmt, self.globals, Unfollowable(exc.reason, exc.node, exc.span))
            except Unfollowable as exc:
                self.recover(stmt, self.globals, exc)
            except RecursionError:
                if self.module_stop is None:
                    self.module_stop = (stmt, "nested too deeply")
            if self.module_stop is not None and stmt is not self.module_stop[0]:
                pool -= max(self.steps - start, (self.built - built) // 10, 1)

    def exec_block(self, stmts, scope: Scope, tolerant: bool = False) -> None:
        for stmt in stmts:
            if tolerant and self.trace is None:
                try:
                    self.exec_stmt(stmt, scope)
                except Unfollowable as exc:
                    self.recover(stmt, scope, exc)
            else:
                self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt, scope: Scope) -> None:
        self.tick(stmt)
        kind = type(stmt).__name__
        method = getattr(self, "stmt_" + kind, None)
        if method is None:
            raise Unfollowable(f"a {kind} statement", stmt)
        method(stmt, scope)

    def stmt_Expr(self, stmt, scope):
        if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            return  # a docstring
        self.eval(stmt.value, scope)

    def stmt_Pass(self, stmt, scope):
        pass

    def stmt_Delete(self, stmt, scope):
        """``del args1, args2``: the names are gone (deleting anything else is not followed)."""
        for target in stmt.targets:
            if not isinstance(target, ast.Name) or target.id not in scope.vars:
                raise Unfollowable(f"del {self.src.segment(target)}", target)
            del scope.vars[target.id]

    def stmt_Import(self, stmt, scope):
        for alias in stmt.names:
            if alias.asname:
                scope.vars[alias.asname] = Ref(alias.name)
            else:
                top = alias.name.split(".")[0]
                scope.vars[top] = Ref(top)

    def stmt_ImportFrom(self, stmt, scope):
        from convcalc.frontends.python.imports import library_file, module_file

        base = "." * (stmt.level or 0) + (stmt.module or "")
        if not base.startswith("torch") and self.src.path not in ("<stdin>", "<expr>"):
            local = module_file(self.src.path, stmt.module or "", stmt.level or 0)
            if local is not None:  # a file of the model's own tree: read it
                module = self.import_file(local, stmt)
                if module is not None:
                    self.bind_from(module, stmt.names, scope, stmt)
                    return
        described = library_file(stmt.module or "", stmt.level or 0)
        if described is not None:  # torchvision's blocks and helpers, as convcalc describes them
            module = self.import_file(described, stmt)
            if module is not None:
                self.bind_from(module, stmt.names, scope, stmt, otherwise=base)
                return
        for alias in stmt.names:
            if alias.name == "*":
                if base in ("torch.nn", "torch.nn.modules"):
                    from convcalc.layers.catalogue import REGISTRY

                    for name in list(REGISTRY) + ["Sequential", "ModuleList", "ModuleDict", "Module"]:
                        scope.vars[name] = Ref("torch.nn." + name)
                elif base == "torch.nn.functional":
                    for qname in FUNCTIONAL:
                        if qname.startswith(_F):
                            scope.vars[qname[len(_F):]] = Ref(qname)
                else:
                    raise Unfollowable(f"from {base} import *", stmt)
                continue
            scope.vars[alias.asname or alias.name] = Ref(f"{base}.{alias.name}")

    def stmt_Assign(self, stmt, scope):
        value = self.eval(stmt.value, scope)
        for target in stmt.targets:
            self.assign(target, value, scope)

    def stmt_AnnAssign(self, stmt, scope):
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, scope), scope)

    def stmt_AugAssign(self, stmt, scope):
        target = stmt.target
        if isinstance(target, ast.Name):
            current = self.lookup(target.id, scope, target)
        elif isinstance(target, ast.Attribute):
            current = self.get_attr(self.eval(target.value, scope), target.attr, target)
        elif isinstance(target, ast.Subscript):
            current = self.subscript(self.eval(target.value, scope), self.eval(target.slice, scope), target)
        else:
            raise Unfollowable("an augmented assignment", stmt)
        value = self.eval(stmt.value, scope)
        op = type(stmt.op).__name__
        if isinstance(current, list) and op == "Add":
            current.extend(self.iterate(value, stmt.value))  # list += iterable extends in place
            return
        result = self.binop(op, current, value, stmt)
        self.assign(target, result, scope)

    def stmt_If(self, stmt, scope):
        if self.truth(self.eval(stmt.test, scope), stmt.test):
            self.exec_block(stmt.body, scope, tolerant=True)
        else:
            self.exec_block(stmt.orelse, scope, tolerant=True)

    def stmt_For(self, stmt, scope):
        items = list(self.iterate(self.eval(stmt.iter, scope), stmt.iter))
        broke = False
        for item in items:
            self.tick(stmt)
            self.assign(stmt.target, item, scope)
            try:
                self.exec_block(stmt.body, scope, tolerant=True)
            except _Break:
                broke = True
                break
            except _Continue:
                continue
        if not broke:
            self.exec_block(stmt.orelse, scope, tolerant=True)

    def stmt_Break(self, stmt, scope):
        raise _Break()

    def stmt_Continue(self, stmt, scope):
        raise _Continue()

    def stmt_Return(self, stmt, scope):
        raise _Return(None if stmt.value is None else self.eval(stmt.value, scope))

    def stmt_Raise(self, stmt, scope):
        raise Abort(f"raise {self.src.segment(stmt.exc) if stmt.exc is not None else ''}".strip(), stmt)

    def stmt_Assert(self, stmt, scope):
        pass  # an assert never changes a shape; a failing one would stop the program, not convcalc

    def stmt_FunctionDef(self, stmt, scope):
        """A decorator other than staticmethod, classmethod and property is taken as passing the
        function through (``@register_model()``, ``@torch.jit.unused``, ``@handle_legacy_interface(...)``:
        they register or annotate it), with a note; it is not evaluated."""
        kind = "function"
        for decorator in stmt.decorator_list:
            name = decorator.id if isinstance(decorator, ast.Name) else None
            if name in ("staticmethod", "classmethod", "property"):
                kind = name
            else:
                self.notes.append(self.note(f"@{self.src.segment(decorator)} on {stmt.name} is taken as passing the "
                                            "function through", decorator))
        scope.vars[stmt.name] = Function(stmt, scope, self.defaults(stmt.args, scope), kind=kind, src=self.src)

    def stmt_ClassDef(self, stmt, scope):
        bases = []
        for base in stmt.bases:
            try:
                bases.append(self.eval(base, scope))
            except Unfollowable as exc:
                bases.append(Ref(f"<{exc.reason}>"))
        cls = ClassInfo(stmt.name, stmt, bases, {})
        cls.path = self.src.path
        for base in bases:
            if isinstance(base, ClassInfo):
                cls.module |= base.module
                cls.container = cls.container or base.container
                cls.foreign = cls.foreign or base.foreign
                cls.layer = cls.layer or base.layer
            elif isinstance(base, Ref) and base.qname in MODULE_BASES:
                cls.module = True
            elif isinstance(base, Ref) and base.qname in CONTAINERS:
                cls.module, cls.container = True, CONTAINERS[base.qname]
            elif isinstance(base, Ref) and catalogue_layer(base.qname):
                cls.module, cls.layer = True, catalogue_layer(base.qname)
            elif isinstance(base, Ref) and base.qname != "builtins.object":
                cls.foreign = base.qname
        body = Scope(scope, "class")
        self.exec_block(stmt.body, body, tolerant=True)
        for name, value in body.vars.items():
            if isinstance(value, Function):
                value.owner = cls
                value.scope = scope  # methods do not see the class body
            cls.namespace[name] = value
        if any(decorator_name(d) == "dataclass" for d in stmt.decorator_list):
            self.make_dataclass(cls, stmt, body, scope)
        scope.vars[stmt.name] = cls

    def make_dataclass(self, cls: ClassInfo, stmt: ast.ClassDef, body: Scope, scope: Scope) -> None:
        """@dataclass: the fields are the class's annotated names after its bases' ones, and
        ``__init__`` (unless the class writes its own) sets each from its argument."""
        fields = dict(next((c.fields for c in cls.mro()[1:] if c.fields is not None), {}))
        for item in stmt.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                    and "ClassVar" not in self.src.segment(item.annotation):
                fields[item.target.id] = body.vars.get(item.target.id, MISSING) if item.value is not None else MISSING
        cls.fields = fields
        if "__init__" in cls.namespace:
            return
        names = list(fields)
        init = ast.FunctionDef(
            name="__init__", args=ast.arguments(posonlyargs=[], args=[ast.arg("self")] + [ast.arg(f) for f in names],
                                                kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=[ast.Assign(targets=[ast.Attribute(ast.Name("self", ast.Load()), f, ast.Store())],
                             value=ast.Name(f, ast.Load())) for f in names] or [ast.Pass()],
            decorator_list=[], returns=None)
        for node in ast.walk(init):
            ast.copy_location(node, stmt)
        defaults = {f: v for f, v in fields.items() if v is not MISSING}
        method = Function(init, scope, defaults, src=self.src)
        method.owner = cls
        cls.namespace["__init__"] = method

    def defaults(self, args: ast.arguments, scope: Scope) -> dict:
        out = {}
        positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            out[arg.arg] = self.try_eval(default, scope)
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                out[arg.arg] = self.try_eval(default, scope)
        return out

    def try_eval(self, node, scope):
        try:
            return self.eval(node, scope)
        except Unfollowable as exc:
            return Unknown(exc.reason)

    def assign(self, target, value, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Tensor) and not value.named and value.saved is None:
                value.label, value.named = target.id, True
            scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(self.iterate(value, target))
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if starred:
                i = starred[0]
                after = len(target.elts) - i - 1
                if len(items) < len(target.elts) - 1:
                    raise Unfollowable("too few values to unpack", target)
                parts = items[:i] + [items[i:len(items) - after]] + items[len(items) - after:]
                for t, v in zip(target.elts, parts):
                    self.assign(t.value if isinstance(t, ast.Starred) else t, v, scope)
                return
            if len(items) != len(target.elts):
                raise Unfollowable(f"unpacking {len(items)} values into {len(target.elts)} names", target)
            for t, v in zip(target.elts, items):
                self.assign(t, v, scope)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, scope)
            if isinstance(obj, Instance):
                if isinstance(value, Tensor):
                    raise Unfollowable(f"a tensor stored in self.{target.attr}", target)
                obj.attrs[target.attr] = value
            elif isinstance(obj, ClassInfo):
                obj.namespace[target.attr] = value
            elif isinstance(obj, (Weight, Parameter)) and target.attr == "requires_grad" and isinstance(value, bool):
                freeze(obj, value)  # transfer learning's p.requires_grad = False
            elif isinstance(obj, Layer) and target.attr not in obj.settings():
                obj.extra[target.attr] = value  # a note of the model's own (inception's fc.stddev): no shape reads it
            else:
                raise Unfollowable(f"setting {target.attr} of {describe(obj)}", target)
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if isinstance(obj, Instance) and obj.cls.container == "dict" and isinstance(key, str):
                obj = obj.attrs  # self[name] = block in an nn.ModuleDict subclass: its modules are its attributes
            obj = as_container(obj)
            if isinstance(obj, list) and type(key) is int and -len(obj) <= key < len(obj):
                obj[key] = value
            elif isinstance(obj, dict) and is_hashable(key):
                obj[key] = value
            elif isinstance(obj, (ModuleList, Sequential)) and type(key) is int and -len(obj.items) <= key < len(obj.items):
                obj.items[key] = value
            elif isinstance(obj, ModuleDict) and isinstance(key, str):
                obj.items[key] = value
            else:
                raise Unfollowable("an item assignment", target)
        else:
            raise Unfollowable("an assignment target", target)
