"""Which constructions of catalogue layers in a file the followed models reached (issue 22, item 4).

Every ``nn.Conv2d(...)`` written in a file is found from the syntax tree alone (the file's
imports say what ``nn``, ``torch`` or ``Conv2d`` is), so that a layer no followed model built is
named with its line, and lint never says "All checks passed" over it. A construction is reached
when a layer it built is in the module tree of a model followed to its end; a construction run
several times (a block built four times) is one construction.
"""
from __future__ import annotations

import ast
import os
from typing import Optional

from convcalc.frontends.python.astnodes import all_nodes
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Function, nn_class
from convcalc.frontends.python.torchobjects import Layer, tree_of

NN = "torch.nn"


def aliases(tree: ast.Module) -> tuple:
    """(name -> qualified name of what the file's imports bind, wherever they are; whether a
    ``from torch.nn import *`` makes every layer a bare name)."""
    names, star = {}, False
    for node in all_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".", 1)[0]] = alias.name.split(".", 1)[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*":
                    star = star or node.module in (NN, f"{NN}.modules")
                else:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names, star


def qualified(func, names: dict, star: bool) -> Optional[str]:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    base = names.get(func.id)
    if base is None:
        return f"{NN}.{func.id}" if star and not parts else None
    return ".".join([base] + parts[::-1])


def sites(tree: ast.Module) -> list:
    """The calls of the file that construct a catalogue layer (``nn.Conv2d(3, 8, 3)``), in order."""
    from convcalc.layers.catalogue import REGISTRY

    names, star = aliases(tree)
    if not names and not star:
        return []
    out = []
    for node in all_nodes(tree):
        if isinstance(node, ast.Call):
            qname = qualified(node.func, names, star)
            if qname and nn_class(qname) in REGISTRY:
                out.append(node)
    return sorted(out, key=lambda c: (c.lineno, c.col_offset))


class Coverage:
    """``total``: the file's constructions; ``reached``: (line, col) of those a followed model
    built; ``elsewhere``: (real path, line, col) of constructions in other files of the tree its
    models built; ``unreached``: (line, col, why) of the others."""

    def __init__(self):
        self.total = 0
        self.reached: set = set()
        self.elsewhere: set = set()
        self.unreached: list = []
        self.built: set = set()  # the names of the classes the followed models built
        self.called: set = set()  # the names of the functions that built their layers (make_layers)
        self.layers: dict = {}  # uid -> the n.Call that built each layer reached (a block built 4 times: 4)

    def reach(self, value) -> None:
        """A model followed to its end: every layer of its module tree is reached."""
        for _, module in tree_of(value):
            if isinstance(module, Instance):
                self.built.add(module.cls.name)
            if isinstance(module, Layer):
                span = module.construct.span
                self.layers.setdefault(module.uid, module.construct)
                self.called.update(name for name, _ in module.origin)
                if span.within is not None:
                    continue  # built inside a library block: its place is the block's call, no construction
                if span.path is None:
                    self.reached.add((span.line, span.col))
                else:
                    self.elsewhere.add((os.path.realpath(span.path), span.line, span.col))

    def finish(self, machine, tree: ast.Module, src, partly: dict) -> None:
        """The constructions no followed model reached, each with why: the class it is in needs
        arguments, its model was followed partly, or no model of the file builds it."""
        found = sites(tree)
        self.total = len(found)
        owners = enclosing(tree, found)
        for call in found:
            span = src.span(call)
            if (span.line, span.col) in self.reached:
                continue
            self.unreached.append((span.line, span.col, why_unreached(machine, owners.get(id(call)), partly,
                                                                      self.built, self.called)))


def enclosing(tree: ast.Module, calls: list) -> dict:
    """id(call) -> (the innermost class around it, the innermost function around it), each or None,
    for the ``calls`` of the file, by position: a class or function statement spans its body,
    its bases and its parameters' defaults (not its decorators, which stand before it). One sweep
    over the definitions and the calls in the order they start (walking every node of a file of
    5,000 classes to find them took a second)."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    defs = [node for node in all_nodes(tree) if isinstance(node, (ast.ClassDef, *functions))]
    start = lambda node: (node.lineno, node.col_offset)  # noqa: E731
    events = sorted([(start(d), 0, i, d) for i, d in enumerate(defs)] +
                    [(start(c), 1, i, c) for i, c in enumerate(calls)], key=lambda e: e[:3])
    out, open_ = {}, []
    for position, kind, _, node in events:
        while open_ and (open_[-1].end_lineno, open_[-1].end_col_offset) <= position:
            open_.pop()
        if kind == 0:
            open_.append(node)
            continue
        cls = next((d for d in reversed(open_) if isinstance(d, ast.ClassDef)), None)
        func = next((d for d in reversed(open_) if isinstance(d, functions)), None)
        out[id(node)] = (cls, func)
    return out


def why_unreached(machine, owner: Optional[tuple], partly: dict, built: set, called: set) -> str:
    from convcalc.frontends.python.discovery import required_params

    cls_node, func = owner or (None, None)
    if cls_node is not None:
        name = cls_node.name
        if name in partly:
            return f"model {partly[name]} was not followed to its end"
        if name in built:
            return f"a branch of class {name} that its builds do not take"
        cls = machine.globals.vars.get(name)
        init = cls.lookup("__init__") if hasattr(cls, "lookup") else None
        needed = required_params(init, skip=1) if isinstance(init, Function) else []
        if needed:
            return f"class {name} needs arguments: {', '.join(needed)}"
        return f"no followed model builds class {name}"
    if func is not None:
        if func.name in called:
            return f"a branch of {func.name}() that its calls do not take"
        return f"no followed model calls {func.name}()"
    return "no followed model uses it"
