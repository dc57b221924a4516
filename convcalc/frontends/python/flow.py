"""Control flow: ``if``, ``for`` and ``while`` (with ``break``, ``continue`` and ``else``), ``try``
(``except`` by the exception's class, ``else``, ``finally``), ``raise``, ``with``, and generators
(run to their end when first iterated, their values kept: bounded by the step budget)."""
from __future__ import annotations

import ast

from convcalc.frontends.python import pycore
from convcalc.frontends.python.evaluate import EXPRESSIONS, evaluate
from convcalc.frontends.python.execute import STATEMENTS, assign, execute_block
from convcalc.frontends.python.machine import MAX_ITEMS
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance, type_of
from convcalc.frontends.python.pyobjects import Args, BoundMethod, Function, Generator, Ref, Value, call
from convcalc.frontends.python.reasons import Abort, Break, Continue, Raised, Return, Unfollowable, Why

YIELDS = "<yields>"  # a generator's scope holds the values it yielded under this name (no program name has it)


def stmt_if(frame, stmt):
    if pycore.truth(frame, evaluate(frame, stmt.test), stmt.test):
        execute_block(frame, stmt.body, tolerant=True)
    else:
        execute_block(frame, stmt.orelse, tolerant=True)


def stmt_for(frame, stmt):
    items = pycore.iterate(frame, evaluate(frame, stmt.iter), stmt.iter)
    for item in items:
        frame.tick(stmt)
        assign(frame, stmt.target, item)
        try:
            execute_block(frame, stmt.body, tolerant=True)
        except Break:
            return
        except Continue:
            continue
    execute_block(frame, stmt.orelse, tolerant=True)


def stmt_while(frame, stmt):
    """A while loop: its condition decided each round (on a symbolic size, it is the concrete
    walk's to decide); the step budget bounds it."""
    while pycore.truth(frame, evaluate(frame, stmt.test), stmt.test):
        frame.tick(stmt)
        try:
            execute_block(frame, stmt.body, tolerant=True)
        except Break:
            return
        except Continue:
            continue
    execute_block(frame, stmt.orelse, tolerant=True)


# ---------------------------------------------------------------- exceptions


def exception_value(frame, value, node):
    """What ``raise value`` raises: an instance (a class is called with no arguments)."""
    if isinstance(value, BuiltinType) and value.exception:
        return value.make(frame, Args(), node)
    if isinstance(value, ClassInfo) and value.is_exception():
        return call(frame, value, Args(), node)
    if isinstance(value, (pycore.PyException,)) or (isinstance(value, Instance) and value.cls.is_exception()):
        return value
    if isinstance(value, Ref):
        raise Abort(f"raise {value.qname}", node)
    raise pycore.type_error(frame, "exceptions must derive from BaseException", node)


def stmt_raise(frame, stmt):
    if stmt.exc is None:
        current = frame.scope.vars.get("<handling>")
        if current is None:
            raise pycore.raise_error(frame, "RuntimeError", ("No active exception to reraise",), stmt)
        raise Raised(current, stmt)
    try:
        value = exception_value(frame, evaluate(frame, stmt.exc), stmt)
    except Unfollowable as exc:
        if exc.kind == Why.BUDGET:
            raise
        raise Abort(f"raise {frame.segment(stmt.exc)}", stmt) from None
    if stmt.cause is not None:
        evaluate(frame, stmt.cause)
    raise Raised(value, stmt)


def matches(frame, value, kinds, node) -> bool:
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    for kind in kinds:
        if isinstance(kind, (BuiltinType, ClassInfo)):
            if pycore.isinstance_of(frame, value, kind, node):
                return True
        elif isinstance(kind, Ref):
            continue  # a library's exception class: never what the program raises here
        else:
            raise pycore.type_error(frame, "catching classes that do not inherit from BaseException is not allowed",
                                    node)
    return False


def stmt_try(frame, stmt):
    try:
        try:
            execute_block(frame, stmt.body)
        except Raised as raised:
            for handler in stmt.handlers:
                kinds = evaluate(frame, handler.type) if handler.type is not None else None
                if kinds is None or matches(frame, raised.value, kinds, handler):
                    if handler.name:
                        assign(frame, ast.Name(handler.name, ast.Store()), raised.value)
                    previous = frame.scope.vars.get("<handling>")
                    frame.scope.vars["<handling>"] = raised.value
                    try:
                        execute_block(frame, handler.body, tolerant=True)
                    finally:
                        frame.scope.vars["<handling>"] = previous
                        if handler.name:
                            frame.scope.unbind(handler.name)
                    break
            else:
                raise
        else:
            execute_block(frame, stmt.orelse, tolerant=True)
    finally:
        if stmt.finalbody:
            execute_block(frame, stmt.finalbody, tolerant=True)


# ---------------------------------------------------------------- with


def stmt_with(frame, stmt):
    """``with`` a context manager of the file (its __enter__ and __exit__ run) or of a library
    (torch.no_grad(), a warnings or autocast context: nothing they do changes a shape)."""
    exits = []
    for item in stmt.items:
        manager = evaluate(frame, item.context_expr)
        entered = manager
        if isinstance(manager, Instance) and isinstance(manager.cls.lookup("__enter__"), Function):
            entered = call(frame, BoundMethod(manager.cls.lookup("__enter__"), manager), Args(), item)
            exits.append(manager)
        elif not isinstance(manager, (Ref, Value)):
            raise pycore.type_error(frame, f"'{pycore.type_name(manager)}' object does not support the context "
                                           "manager protocol", item)
        if item.optional_vars is not None:
            assign(frame, item.optional_vars, entered)
    try:
        execute_block(frame, stmt.body, tolerant=True)
    except Raised as raised:
        for manager in reversed(exits):
            result = call(frame, BoundMethod(manager.cls.lookup("__exit__"), manager),
                          Args.of(type_of(raised.value), raised.value, None), stmt)
            if pycore.truth(frame, result, stmt):
                return
        raise
    for manager in reversed(exits):
        call(frame, BoundMethod(manager.cls.lookup("__exit__"), manager), Args.of(None, None, None), stmt)


# ---------------------------------------------------------------- generators


def run_generator(frame, func: Function, node) -> Generator:
    """A generator function called: its body run to its end now, its yielded values kept."""
    frame.scope.vars[YIELDS] = []
    try:
        execute_block(frame, func.node.body)
    except Return:
        pass
    except (Break, Continue):
        raise Unfollowable("break/continue outside a loop", node) from None
    return Generator(frame.scope.vars.pop(YIELDS))


def collect_yield(frame, node):
    scope = frame.scope
    while scope is not None and YIELDS not in scope.vars:
        scope = scope.parent if scope.kind == "comprehension" else None
    if scope is None:
        raise Unfollowable("a yield outside a generator", node)
    values = scope.vars[YIELDS]
    if isinstance(node, ast.YieldFrom):
        values.extend(pycore.iterate(frame, evaluate(frame, node.value), node))
    else:
        values.append(None if node.value is None else evaluate(frame, node.value))
    if len(values) > MAX_ITEMS:
        raise Unfollowable("a generator of very many values", node)
    frame.charge(1, node)
    return None


STATEMENTS.update({ast.If: stmt_if, ast.For: stmt_for, ast.While: stmt_while, ast.Try: stmt_try,
                   ast.Raise: stmt_raise, ast.With: stmt_with})
EXPRESSIONS.update({ast.Yield: collect_yield, ast.YieldFrom: collect_yield})
