"""What Python decides about a function before it runs: the names its body assigns (local to
each call, so that reading one before it is assigned is an UnboundLocalError, not the global of
that name) and whether it is a generator (a ``yield`` in its own body)."""
from __future__ import annotations

import ast

NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def own_nodes(function):
    """The nodes of a function's own body: not those of functions, lambdas, classes or
    comprehensions nested in it (their names are their own)."""
    stack = list(function.body) if not isinstance(function, ast.Lambda) else [function.body]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, NESTED):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    yield child  # its name is assigned here; its decorators and defaults run here
                    stack.extend(child.decorator_list)
                    if not isinstance(child, ast.ClassDef):
                        stack.extend(d for d in child.args.defaults + child.args.kw_defaults if d is not None)
                    else:
                        stack.extend(child.bases + [k.value for k in child.keywords])
                continue
            if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                stack.append(child.generators[0].iter)  # the first iterable is evaluated here
                continue
            stack.append(child)


def assigned_names(function) -> frozenset:
    """The names a function's body binds (assignments, for targets, imports, defs, classes,
    ``with ... as``, ``except ... as``, walrus), minus those declared global or nonlocal."""
    names, declared = set(), set()
    for node in own_nodes(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    if not isinstance(function, ast.Lambda):
        args = function.args
        names.update(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return frozenset(names - declared)


def declarations(function) -> tuple:
    """(the names declared global, those declared nonlocal) in a function's own body."""
    globals_, nonlocals = set(), set()
    for node in own_nodes(function):
        if isinstance(node, ast.Global):
            globals_.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            nonlocals.update(node.names)
    return globals_, nonlocals


def yields(function) -> bool:
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(function))
