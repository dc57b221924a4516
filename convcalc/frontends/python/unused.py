"""CC211: a layer an ``__init__`` assigns to ``self`` that no method of the class (nor any code of
the file) ever reads. Found by the frontend once a model was followed, and handed to lint as data
with the model (PythonModel.unused)."""
from __future__ import annotations

import ast
from functools import lru_cache

from convcalc.frontends.python.astnodes import all_nodes
from convcalc.frontends.python.pyclasses import ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Function, Ref
from convcalc.frontends.python.torchobjects import (
    Layer,
    ModuleDict,
    ModuleList,
    Sequential,
)

DYNAMIC = {"getattr", "setattr", "vars", "__dict__", "_modules", "modules", "children", "named_children",
           "named_modules", "apply", "state_dict", "__getattr__"}


def unused_layers(machine, src, instances: list) -> list:
    """(span, attribute, class) of the layers an __init__ assigns to self that no method of the class
    (or code of the file) ever reads."""
    out = []
    done = set()
    external = external_attribute_reads(machine.tree)
    followed_bases = ("torch.nn.Module", "torch.nn.Sequential", "builtins.object")
    for obj in instances:
        cls = obj.cls
        if not obj.traced or cls in done or not isinstance(cls.lookup("forward"), Function):
            continue
        done.add(cls)
        family = [c for c in cls.mro() + subclasses_of(machine).get(cls, []) if isinstance(c, ClassInfo)]
        if any(isinstance(b, Ref) and b.qname not in followed_bases for c in family for b in c.bases):
            continue
        reads, dynamic = self_reads(family)
        if dynamic:
            continue
        init = cls.namespace.get("__init__")
        if not isinstance(init, Function):
            continue
        for stmt in ast.walk(init.node):
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self"):
                    continue
                attr = target.attr
                value = obj.attrs.get(attr)
                if not isinstance(value, (Layer, Sequential, ModuleList, ModuleDict, Instance)):
                    continue
                if attr in reads or attr in external:
                    continue
                out.append((src.span(stmt), attr, cls.name))
    return out


@lru_cache(maxsize=4)  # once per file: unused_layers runs for each of its models (5,000 classes were quadratic)
def subclasses_of(machine) -> dict:
    """class -> the module's classes that derive from it."""
    out: dict = {}
    for c in (v for v in machine.globals.vars.values() if isinstance(v, ClassInfo)):
        for base in c.mro()[1:]:
            out.setdefault(base, []).append(c)
    return out


def self_reads(classes) -> tuple:
    """Attributes read as self.NAME anywhere in these classes; True if some method reads them dynamically."""
    reads = set()
    dynamic = False
    for cls in classes:
        for item in cls.node.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            nodes = list(ast.walk(item))
            owned = {id(node.value) for node in nodes if isinstance(node, ast.Attribute)}  # NAME.attr's NAMEs
            for node in nodes:
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                    if isinstance(node.ctx, ast.Load):
                        reads.add(node.attr)
                        if node.attr in DYNAMIC and item.name != "__init__":
                            dynamic = True
                elif isinstance(node, ast.Name) and node.id in DYNAMIC and item.name != "__init__":
                    dynamic = True
                elif isinstance(node, ast.Name) and node.id == "self" and item.name != "__init__":
                    if id(node) not in owned:
                        dynamic = True  # self passed somewhere: anything may read it
    return reads, dynamic


@lru_cache(maxsize=4)  # once per file, as subclasses_of
def external_attribute_reads(tree: ast.Module) -> frozenset:
    """NAME of every OBJ.NAME read in the file where OBJ is not self."""
    out = set()
    for node in all_nodes(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                out.add(node.attr)
    return frozenset(out)
