"""Statements: one handler per kind of ast node (the :data:`STATEMENTS` table), each given the
frame it runs in. Loops, ``try``, ``with``, ``global`` and the rest follow Python's semantics;
every round ticks the machine's step budget."""
from __future__ import annotations

import ast

from convcalc.frontends.python import pycore
from convcalc.frontends.python.evaluate import evaluate, get_attr, lookup, set_attr
from convcalc.frontends.python.pyobjects import Args, Function, Unknown, call
from convcalc.frontends.python.reasons import Break, Continue, Raised, Return, Unfollowable, Why


def execute(frame, stmt) -> None:
    frame.tick(stmt)
    handler = STATEMENTS.get(type(stmt))
    if handler is None:
        raise Unfollowable(STATEMENT_WORDS.get(type(stmt).__name__, "this statement"), stmt)
    handler(frame, stmt)


STATEMENT_WORDS = {"AsyncFunctionDef": "an async function", "AsyncFor": "an async for loop",
                   "AsyncWith": "an async with block", "Match": "a match statement", "TryStar": "a try/except* block"}


def execute_block(frame, stmts, tolerant: bool = False) -> None:
    """Run statements; ``tolerant`` while modules are built (no trace): a statement convcalc cannot
    follow makes what it may have written unknown (recovery.py) and the block goes on."""
    for stmt in stmts:
        if tolerant and frame.trace is None:
            try:
                execute(frame, stmt)
            except Unfollowable as exc:
                from convcalc.frontends.python.recovery import recover

                recover(frame, stmt, exc)
        else:
            execute(frame, stmt)


# ---------------------------------------------------------------- assignment


def assign(frame, target, value) -> None:
    if isinstance(target, ast.Name):
        from convcalc.frontends.python.forward import name_tensor

        name_tensor(value, target.id)
        frame.scope.target(target.id).vars[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        unpack(frame, target, value)
    elif isinstance(target, ast.Attribute):
        set_attr(frame, evaluate(frame, target.value), target.attr, value, target)
    elif isinstance(target, ast.Subscript):
        obj = evaluate(frame, target.value)
        pycore.set_item(frame, obj, evaluate(frame, target.slice), value, target)
    elif isinstance(target, ast.Starred):
        assign(frame, target.value, value)
    else:
        raise Unfollowable("an assignment to this target", target)


def unpack(frame, target, value) -> None:
    items = pycore.iterate(frame, value, target)
    starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
    if starred:
        i = starred[0]
        after = len(target.elts) - i - 1
        if len(items) < len(target.elts) - 1:
            raise pycore.value_error(frame, f"not enough values to unpack (expected at least {len(target.elts) - 1}, "
                                            f"got {len(items)})", target)
        parts = items[:i] + [items[i:len(items) - after]] + items[len(items) - after:]
        for t, v in zip(target.elts, parts):
            assign(frame, t.value if isinstance(t, ast.Starred) else t, v)
        return
    if len(items) != len(target.elts):
        message = f"too many values to unpack (expected {len(target.elts)})" if len(items) > len(target.elts) else \
            f"not enough values to unpack (expected {len(target.elts)}, got {len(items)})"
        raise pycore.value_error(frame, message, target)
    for t, v in zip(target.elts, items):
        assign(frame, t, v)


def stmt_assign(frame, stmt):
    value = evaluate(frame, stmt.value)
    for target in stmt.targets:
        assign(frame, target, value)


def stmt_annassign(frame, stmt):
    if stmt.value is not None:
        assign(frame, stmt.target, evaluate(frame, stmt.value))
    elif isinstance(stmt.target, ast.Name) and frame.scope.kind == "class":
        frame.scope.vars.setdefault("__annotations__", {})[stmt.target.id] = None


def stmt_augassign(frame, stmt):
    target = stmt.target
    op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
          ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|",
          ast.BitXor: "^"}[type(stmt.op)]
    if isinstance(target, ast.Name):
        current = lookup(frame, target.id, target)
        obj = key = None
    elif isinstance(target, ast.Attribute):
        obj = evaluate(frame, target.value)
        current, key = get_attr(frame, obj, target.attr, target), None
    elif isinstance(target, ast.Subscript):
        obj, key = evaluate(frame, target.value), evaluate(frame, target.slice)
        current = pycore.subscript(frame, obj, key, target)
    else:
        raise Unfollowable("an augmented assignment to this target", stmt)
    value = evaluate(frame, stmt.value)
    if isinstance(current, list) and op == "+":
        items = pycore.iterate(frame, value, stmt.value)  # list += iterable extends in place
        if len(current) + len(items) > pycore.MAX_ITEMS:
            raise Unfollowable("a very long list", stmt)
        current.extend(items)
        result = current
    elif isinstance(current, (dict, set)) and op == "|":
        current.update(value)
        result = current
    elif in_place_tensor(current):
        from convcalc.frontends.python.brains.known_tensors import in_place

        result = in_place(frame, op, current, value, stmt)  # t += 1 changes t itself, and every view of it
        if result is None:  # t += a tensor whose values are not known: t's own are no longer known either
            result = pycore.binop(frame, op, current, value, stmt)
            forget_values(current, stmt)
            if getattr(result, "shape", None) == current.shape:
                result = current
    else:
        result = pycore.binop(frame, op, current, value, stmt)
    if isinstance(target, ast.Name):
        frame.scope.target(target.id).vars[target.id] = result
    elif isinstance(target, ast.Attribute):
        set_attr(frame, obj, target.attr, result, target)
    else:
        pycore.set_item(frame, obj, key, result, target)


def in_place_tensor(value) -> bool:
    from convcalc.frontends.python.torchobjects import Constant

    return isinstance(value, Constant) and value.known


def forget_values(tensor, node) -> None:
    """A tensor changed in place by values convcalc does not know: its shape stays, its values go
    (a view's base would change too, which is not followed)."""
    if tensor.base is not None:
        raise Unfollowable("an in-place change of a view of known values by values that are not known", node)
    tensor.values = None


def stmt_delete(frame, stmt):
    for target in stmt.targets:
        if isinstance(target, ast.Name):
            scope = frame.scope.target(target.id)
            if target.id not in scope.vars:
                raise pycore.raise_error(frame, "NameError", (f"name '{target.id}' is not defined",), target)
            scope.unbind(target.id)
        elif isinstance(target, ast.Subscript):
            pycore.del_item(frame, evaluate(frame, target.value), evaluate(frame, target.slice), target)
        elif isinstance(target, ast.Attribute):
            obj = evaluate(frame, target.value)
            attrs = getattr(obj, "attrs", None)
            if not isinstance(attrs, dict) or target.attr not in attrs:
                raise Unfollowable(f"del {frame.segment(target)}", target)
            del attrs[target.attr]
        else:
            raise Unfollowable(f"del {frame.segment(target)}", target)


# ---------------------------------------------------------------- simple statements


def stmt_expr(frame, stmt):
    if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
        return  # a docstring
    if isinstance(stmt.value, (ast.Yield, ast.YieldFrom)):
        from convcalc.frontends.python.flow import collect_yield

        collect_yield(frame, stmt.value)
        return
    evaluate(frame, stmt.value)


def stmt_pass(frame, stmt):
    pass


def stmt_return(frame, stmt):
    raise Return(None if stmt.value is None else evaluate(frame, stmt.value))


def stmt_break(frame, stmt):
    raise Break()


def stmt_continue(frame, stmt):
    raise Continue()


def stmt_global(frame, stmt):
    frame.scope.globals_.update(stmt.names)


def stmt_nonlocal(frame, stmt):
    frame.scope.nonlocals.update(stmt.names)


def stmt_assert(frame, stmt):
    """An assert that fails raises AssertionError, as in Python; one convcalc cannot decide (a
    check on a tensor's values) changes no shape and is passed."""
    try:
        holds = pycore.truth(frame, evaluate(frame, stmt.test), stmt.test)
    except Unfollowable as exc:
        if exc.kind == Why.BUDGET:
            raise
        return
    if not holds:
        message = (evaluate(frame, stmt.msg),) if stmt.msg is not None else ()
        raise pycore.raise_error(frame, "AssertionError", message, stmt)


# ---------------------------------------------------------------- definitions


def defaults(frame, args: ast.arguments) -> dict:
    out = {}
    positional = list(getattr(args, "posonlyargs", [])) + list(args.args)
    for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        out[arg.arg] = try_eval(frame, default)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if default is not None:
            out[arg.arg] = try_eval(frame, default)
    return out


def try_eval(frame, node):
    try:
        return evaluate(frame, node)
    except Unfollowable as exc:
        return Unknown(exc.reason)


def stmt_functiondef(frame, stmt):
    function = Function(stmt, frame.scope, defaults(frame, stmt.args), src=frame.src)
    frame.scope.vars[stmt.name] = decorate(frame, stmt, function)


def decorate(frame, stmt, function):
    """Decorators, innermost last: staticmethod, classmethod and property mark the method; a
    decorator of the file or a library runs; one convcalc does not follow (``@register_model()``,
    ``@torch.jit.unused``) is taken as passing the function through, with a note."""
    value = function
    for decorator in reversed(stmt.decorator_list):
        if isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod", "property") and \
                frame.scope.find(decorator.id) is None:
            if isinstance(value, Function):
                value.kind = decorator.id
            continue
        if isinstance(decorator, ast.Attribute) and decorator.attr in ("setter", "getter", "deleter"):
            frame.machine.notes.append(frame.note(f"@{frame.segment(decorator)} on {stmt.name}: the property's "
                                                  "setter is not run", decorator))
            return lookup(frame, stmt.name, stmt) if frame.scope.find(stmt.name) else value
        try:
            made = evaluate(frame, decorator)
            from convcalc.frontends.python.brains import passes_through

            if passes_through(made):
                raise Unfollowable("a decorator convcalc does not follow", decorator)
            value = call(frame, made, Args([(value, stmt)]), decorator)
        except (Unfollowable, Raised):
            frame.machine.notes.append(frame.note(f"@{frame.segment(decorator)} on {stmt.name} is taken as passing "
                                                  "the function through", decorator))
    return value


def stmt_classdef(frame, stmt):
    from convcalc.frontends.python.classdefs import define_class

    define_class(frame, stmt)


def stmt_import(frame, stmt):
    from convcalc.frontends.python.imports import import_statement

    import_statement(frame, stmt)


def stmt_importfrom(frame, stmt):
    from convcalc.frontends.python.imports import import_from

    import_from(frame, stmt)


STATEMENTS = {
    ast.Expr: stmt_expr, ast.Pass: stmt_pass, ast.Assign: stmt_assign, ast.AnnAssign: stmt_annassign,
    ast.AugAssign: stmt_augassign, ast.Delete: stmt_delete, ast.Return: stmt_return, ast.Break: stmt_break,
    ast.Continue: stmt_continue, ast.Global: stmt_global, ast.Nonlocal: stmt_nonlocal, ast.Assert: stmt_assert,
    ast.FunctionDef: stmt_functiondef, ast.ClassDef: stmt_classdef, ast.Import: stmt_import,
    ast.ImportFrom: stmt_importfrom,
}


from convcalc.frontends.python import flow  # noqa: E402,F401  (if, for, while, try, raise, with: their handlers)
