"""CC211: a layer an ``__init__`` assigns to ``self`` that no method of the class (nor any code of
the file) ever reads. Read from the Python frontend's interpreter after a model was followed."""
from __future__ import annotations

import ast

from convcalc.frontends.python.values import ClassInfo, Function, Instance, Layer, ModuleDict, ModuleList, Ref, Sequential


DYNAMIC = {"getattr", "setattr", "vars", "__dict__", "_modules", "modules", "children", "named_children",
           "named_modules", "apply", "state_dict", "__getattr__"}


def unused_layers(interp, src, instances: list) -> list:
    """Layers an __init__ assigns to self that no method of the class (or code of the file) ever reads."""
    out = []
    done = set()
    if interp.external_reads is None:
        interp.external_reads = external_attribute_reads(interp.tree)
    external = interp.external_reads
    followed_bases = ("torch.nn.Module", "torch.nn.Sequential", "builtins.object")
    for obj in instances:
        cls = obj.cls
        if not obj.traced or cls in done or not isinstance(cls.lookup("forward"), Function):
            continue
        done.add(cls)
        family = cls.mro() + subclasses_of(interp).get(cls, [])
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


def subclasses_of(interp) -> dict:
    """class -> the module's classes that derive from it: built once for all the models of a
    file (asked per model, it was quadratic in the number of classes)."""
    if interp.subclasses is None:
        interp.subclasses = {}
        for c in (v for v in interp.globals.vars.values() if isinstance(v, ClassInfo)):
            for base in c.mro()[1:]:
                interp.subclasses.setdefault(base, []).append(c)
    return interp.subclasses


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


def external_attribute_reads(tree: ast.Module) -> set:
    """NAME of every OBJ.NAME read in the file where OBJ is not self."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                out.add(node.attr)
    return out
