"""What the interpreter does with a statement it cannot follow while building modules: what the
statement may have written becomes unknown, never guessed; weight initialisation is recognised
as changing no shape."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc.frontends.python.astnodes import all_nodes  # a statement recovered again and again is walked once
from convcalc.frontends.python.machine import Scope
from convcalc.frontends.python.pyclasses import ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Function, Ref, Unknown, Value
from convcalc.frontends.python.reasons import Abort, Unfollowable
from convcalc.frontends.python.torchobjects import Module

# weight initialisation that never changes a shape
INIT_NAMES = {"modules", "named_modules", "children", "named_children", "parameters", "named_parameters",
              "apply", "isinstance", "hasattr", "getattr", "len", "range", "enumerate", "zip", "math", "sqrt"}
INIT_TARGET_ATTRS = {"data", "weight", "bias"}  # requires_grad is not initialisation: it decides what trains


def recover(frame, stmt, exc: Unfollowable) -> None:
    Recovery(frame).recover(stmt, frame.scope, exc)


class Recovery:
    """Recovery from a statement that could not be followed, in the frame it ran in."""

    def __init__(self, frame):
        self.frame = frame
        self.src = frame.src
        self.notes = frame.machine.notes

    def note(self, message, node):
        return self.frame.note(message, node)

    def recover(self, stmt, scope: Scope, exc: Unfollowable) -> None:
        """A statement that could not be followed: what it may have written becomes unknown."""
        if isinstance(exc, Abort):
            raise exc
        if returns(stmt):
            # the function's result is not known (an `if` that may have returned: never fall
            # through to the end and return None as if it had not)
            abort = Abort(exc.reason, exc.node)
            # still what stopped it: a decision on a size (the model is followed again on concrete ones),
            # or a value not followed (an imported module's code goes on past it; a raise would end it)
            abort.kind = exc.kind
            raise abort from None
        if self.is_weight_init(stmt, scope, 0):
            return
        if any(isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr == "requires_grad"
               for node in all_nodes(stmt)):  # which parameters train is not known now: never guessed
            owner = self.self_value(scope)
            if isinstance(owner, Instance):
                owner.poisoned = f"{self.line_text(stmt.lineno)}: requires_grad set where convcalc could not follow ({exc.reason})"
                return
        line = getattr(exc.node, "lineno", None) or stmt.lineno
        # a line of another file of the tree; of a library description, the place it was entered
        where = f"{self.src.own}:{line}" if self.src.own and self.frame.site is None else self.line_text(line)
        reason = f"{where}: {exc.reason}"
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.poison_name(stmt.name, scope, reason)  # a def (its decorator failed) binds its name alone;
            return  # the names its body assigns are its own, not this scope's
        if self.leaves_tree(stmt, scope):
            self.notes.append(self.note(f"{self.line_text(stmt.lineno)} is taken as weight initialisation ({exc.reason}): it "
                                        "cannot change the module tree already built", stmt))
            for node in all_nodes(stmt):  # only the names it assigns are unknown now
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    self.poison_name(node.id, scope, reason)
            return
        for node in all_nodes(stmt):
            if isinstance(node, (ast.Name,)) and isinstance(node.ctx, ast.Store):
                self.poison_name(node.id, scope, reason)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.poison_name(node.name, scope, reason)
            elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                self.poison_root(node, scope, reason, getattr(node, "attr", None))
            elif isinstance(node, ast.Call) and call_name(node) not in PURE:
                func = node.func
                if isinstance(func, ast.Attribute):
                    self.poison_root(func.value, scope, reason, None)
                for arg in list(node.args) + [k.value for k in node.keywords]:
                    if isinstance(arg, (ast.Name, ast.Attribute, ast.Starred)):
                        self.poison_root(arg, scope, reason, None)

    def line_text(self, line: int) -> str:
        """`line 12`, or `line 4 of cell 3` in a notebook (errors.line_of)."""
        from convcalc.errors import Span, line_of

        site = self.frame.site
        if site is not None:  # code of a library description: the place in the tree it runs for
            return f"{line_of(self.frame.machine.src.path, site)} (inside {site.within})"
        return line_of(self.src.path, Span(line, 1, line, 2))

    def leaves_tree(self, stmt, scope: Scope) -> bool:
        """A statement that cannot change the module tree: it assigns no attribute of the model nor
        registers a module, and it is a loop over the model's modules or parameters
        (``for m in self.modules():``) or a call that passes the model on (``init_weights(self)``,
        ``_log_api_usage_once(self)``, ``self.apply(fn)``)."""
        if not isinstance(self.self_value(scope), Instance):
            return False
        for node in all_nodes(stmt):
            if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store) \
                    and root_name(node) == "self":
                return False
            if isinstance(node, ast.Call) and call_name(node) in REGISTERS:
                return False
            if isinstance(node, (ast.Return, ast.FunctionDef, ast.ClassDef)):
                return False
        if isinstance(stmt, ast.For) and isinstance(stmt.iter, ast.Call) and call_name(stmt.iter) in WALKS:
            return root_name(stmt.iter.func) == "self"
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            passed = [a for a in list(call.args) + [k.value for k in call.keywords]
                      if isinstance(a, ast.Name) and a.id == "self"]
            return bool(passed) or (call_name(call) == "apply" and root_name(call.func) == "self")
        return False

    def self_value(self, scope: Scope):
        owner = scope.find("self")
        return owner.vars.get("self") if owner else None

    def poison_name(self, name: str, scope: Scope, reason: str) -> None:
        owner = scope.find(name) or scope
        owner.vars[name] = Unknown(reason)

    def poison_root(self, node, scope: Scope, reason: str, attr: Optional[str]) -> None:
        """x.a.b = ... or x.append(...): x (or, for self.attr = ..., only that attribute) becomes unknown."""
        chain = []
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            chain.append(node)
            node = node.value
        if not isinstance(node, ast.Name):
            return
        owner = scope.find(node.id)
        if owner is None:
            return
        value = owner.vars[node.id]
        if isinstance(value, Instance):
            if attr is not None and len(chain) == 1 and isinstance(chain[0], ast.Attribute):
                value.attrs[attr] = Unknown(reason)
            elif chain and isinstance(chain[-1], ast.Attribute):
                value.attrs[chain[-1].attr] = Unknown(reason)  # self.layers.append(...): that attribute
            else:
                value.poisoned = reason
        elif isinstance(value, Value) and value.forget(
                chain[-1].attr if attr is not None and chain and isinstance(chain[-1], ast.Attribute) else None, reason):
            return  # opt.extra = ...: that attribute of the namespace; load(opt.size): nothing
        elif isinstance(value, (list, dict, set, Module, Instance)) or chain:
            if not isinstance(value, (Ref, ClassInfo, Function, int, float, str, bool, type(None))):
                owner.vars[node.id] = Unknown(reason)

    def is_weight_init(self, stmt, scope: Scope, depth: int) -> bool:
        """Weight initialisation (nn.init.*, m.weight.data.normal_(), loops over self.modules()) changes no shape."""
        if depth > 3:
            return False
        saw_init = False
        for node in all_nodes(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                qualified = self.src.segment(func)
                if "init." in qualified or (name.endswith("_") and not name.startswith("_")):
                    saw_init = True
                    continue
                if name in INIT_NAMES:
                    continue
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                    method = self.method_of_self(scope, name)
                    if method is not None and all(self.is_weight_init(s, scope, depth + 1)
                                                  for s in method.node.body):
                        saw_init = True
                        continue
                return False
            if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
                if not (isinstance(node, ast.Attribute) and node.attr in INIT_TARGET_ATTRS):
                    return False
            if isinstance(node, (ast.Return, ast.FunctionDef, ast.ClassDef, ast.Delete, ast.Global, ast.Nonlocal)):
                return False
        if isinstance(stmt, (ast.Expr, ast.For, ast.If)):
            return saw_init
        return False

    def method_of_self(self, scope: Scope, name: str) -> Optional[Function]:
        owner = scope.find("self")
        value = owner.vars.get("self") if owner else None
        if isinstance(value, Instance):
            method = value.cls.lookup(name)
            if isinstance(method, Function):
                return method
        return None


# builtins that read their arguments and never change them: a failing call of one leaves them known
PURE = {"isinstance", "issubclass", "hasattr", "getattr", "len", "print", "type", "str", "repr", "id", "callable",
        "format", "int", "float", "bool",
        # methods of a module that read it, or set its mode or device: optim.SGD(model.parameters())
        "parameters", "named_parameters", "state_dict", "modules", "named_modules", "children", "named_children",
        "buffers", "named_buffers", "eval", "train", "to", "cuda", "cpu", "zero_grad", "size", "dim", "numel"}
# what changes a module tree, and what only walks it
REGISTERS = {"add_module", "register_module", "register_parameter", "register_buffer", "setattr", "__setattr__"}
WALKS = {"modules", "named_modules", "children", "named_children", "parameters", "named_parameters", "buffers"}


def returns(stmt) -> bool:
    """``stmt`` may return from the function it is in: it is, or holds, a return or a yield
    outside the functions and classes it defines."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    stack = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, scopes):
            stack.extend(ast.iter_child_nodes(node))
    return False


def root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def call_name(call: ast.Call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
