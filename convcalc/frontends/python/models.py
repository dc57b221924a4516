"""The models of a Python file: the candidates (nn.Module subclasses, module-level modules,
factory functions), each built and its forward traced into a Program."""
from __future__ import annotations

import ast

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, Span
from convcalc.frontends.python.forward import Trace
from convcalc.frontends.python.interp import Interp
from convcalc.frontends.python.source import Source, input_comment
from convcalc.frontends.python.values import (ClassInfo, Function, Instance, Layer, Module, ModuleDict, ModuleList,
                                              NOTE, Opaque, Sequential, Tensor, Unfollowable, _Signal,
                                              describe)


class PythonModel:
    """One model of a Python file: the program, and what the lint checks need besides it."""

    def __init__(self, program: n.Program, sites: dict, complete: bool, has_input: bool, interp: Interp,
                 instances: list):
        self.program = program
        self.sites = sites  # id(emitted node) -> (Span in forward, layer id, origin)
        self.complete = complete  # forward was followed to its end
        self.has_input = has_input
        self.interp = interp  # the file's interpreter, and the instances this model built (for CC211)
        self.instances = instances


class FileModels:
    def __init__(self):
        self.models: list = []
        self.notes: list = []  # ConvcalcError(CC900) about the file itself
        self.problems: list = []  # ConvcalcError: malformed input comments

    @property
    def programs(self) -> list:
        return [m.program for m in self.models]


def models_from_source(text: str, path: str) -> list:
    """Every model of a Python file that convcalc can follow, as a Program named after it."""
    result = read_models(text, path)
    if result.problems:
        raise result.problems[0]
    if not result.programs:  # say why there is nothing to show (lint, which reads whole trees, only notes it)
        if result.notes:
            raise ConvcalcError(codes.SYNTAX, result.notes[0].message, result.notes[0].span)
        raise ConvcalcError(codes.SYNTAX, "no model found: convcalc reads nn.Module subclasses with a forward, and "
                                     "nn.Sequential(...) assigned to a name", Span(1, 1, 1, 2))
    return result.programs


def note(message: str, span: Span) -> ConvcalcError:
    return ConvcalcError(NOTE, message, span)


def read_models(text: str, path: str) -> FileModels:
    result = FileModels()
    src = Source(text, path)
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        line = getattr(exc, "lineno", None) or 1
        result.notes.append(note(f"not read: Python cannot parse this file ({getattr(exc, 'msg', exc)})",
                                 Span(line, 1, line, 2)))
        return result
    interp = Interp(src, tree)
    try:
        interp.run_module()
    except (Unfollowable, _Signal, RecursionError):
        pass
    interp.fresh_budget()
    candidates = find_candidates(interp, tree, src, result)
    nested = set()
    built = []
    for name, make, where, comment_nodes, kind in candidates:
        interp.fresh_budget()
        interp.building = []
        first_instance = len(interp.instances)
        try:
            value = make()
        except (Unfollowable, RecursionError) as exc:
            reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
            at = exc.node if isinstance(exc, Unfollowable) and getattr(exc, "node", None) is not None else where
            result.notes.append(note(f"model {name}: not followed ({reason})", src.span(at)))
            continue
        except _Signal:
            continue
        if value is None:
            continue
        nested.update(cls for cls, depth in interp.building if depth > 0)
        built.append((name, value, where, comment_nodes, interp.instances[first_instance:], kind))
    classes = {value.cls for _, value, _, _, _, kind in built if kind == "class"}
    for name, value, where, comment_nodes, instances, kind in built:
        if kind == "class" and value.cls in nested and not input_comment(src, comment_nodes)[0]:
            continue  # a building block of another model of the file, checked there
        if kind == "factory" and isinstance(value, Instance) and value.cls in classes \
                and not input_comment(src, comment_nodes)[0]:
            continue  # def alexnet(**kwargs): return AlexNet(**kwargs): the class is checked
        model = trace_model(interp, src, name, value, where, comment_nodes, result, instances)
        if model is not None:
            result.models.append(model)
    return result


def find_candidates(interp: Interp, tree: ast.Module, src: Source, result: FileModels) -> list:
    """(name, make, node, comment nodes): classes, module-level modules, factory functions."""
    out = []
    seen_values = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            cls = interp.globals.vars.get(stmt.name)
            if not isinstance(cls, ClassInfo) or not cls.module:
                continue
            init = cls.lookup("__init__")
            if isinstance(init, Function) and required_params(init, skip=1):
                if input_comment(src, [stmt])[0]:
                    result.notes.append(note(f"model {stmt.name}: __init__ needs arguments "
                                             f"({', '.join(required_params(init, skip=1))}); checked where it is used",
                                             src.span(stmt)))
                continue
            if cls.foreign:
                result.notes.append(note(f"model {stmt.name}: derives from {cls.foreign}, which convcalc does not "
                                         "follow", src.span(stmt)))
                continue
            out.append((stmt.name, lambda c=cls, s=stmt: interp.instantiate(c, [], {}, s), stmt, [stmt], "class"))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                value = interp.globals.vars.get(target.id)
                if not isinstance(value, Module) or id(value) in seen_values:
                    continue
                seen_values.add(id(value))
                if isinstance(value, Instance) and isinstance(stmt.value, ast.Call) and not stmt.value.args \
                        and not stmt.value.keywords and isinstance(stmt.value.func, ast.Name) \
                        and stmt.value.func.id == value.cls.name:
                    continue  # model = Net(): the class itself is checked
                if isinstance(value, (Layer, Opaque, ModuleList, ModuleDict)):
                    continue
                comment = [stmt] + ([value.cls.node] if isinstance(value, Instance) else [])
                out.append((target.id, lambda v=value: v, stmt, comment, "value"))
        elif isinstance(stmt, ast.FunctionDef):
            func = interp.globals.vars.get(stmt.name)
            if not isinstance(func, Function) or required_params(func) or stmt.name.startswith("_"):
                continue

            def make(f=func, s=stmt):
                value = interp.invoke(f, [], {}, s)
                return value if isinstance(value, (Sequential, Instance)) else None

            out.append((stmt.name, make, stmt, [stmt], "factory"))
    return out


def required_params(func: Function, skip: int = 0) -> list:
    spec = func.node.args
    positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)][skip:]
    names = positional + [a.arg for a in spec.kwonlyargs]
    return [p for p in names if p not in func.defaults]


def trace_model(interp: Interp, src: Source, name: str, value, where, comment_nodes, result: FileModels,
                instances: list):
    given, problem = input_comment(src, comment_nodes + ([value.cls.node] if isinstance(value, Instance) else []))
    if problem is not None:
        result.problems.append(problem)
    interp.fresh_budget()
    trace = Trace()
    interp.trace = trace
    notes = []
    complete = True
    forward = value.cls.lookup("forward") if isinstance(value, Instance) else None
    start_node = forward.node if isinstance(forward, Function) else where
    x = trace.start(src.span(start_node))
    try:
        out = interp.call_module(value, [x], {}, None)
        if isinstance(out, Tensor):
            trace.use(out, src.span(start_node))
        elif trace.body:
            notes.append(note(f"model {name}: forward returns {describe(out)}; the shapes shown are those of the "
                              "last tensor computed", src.span(start_node)))
    except (Unfollowable, RecursionError) as exc:
        complete = False
        reason = exc.reason if isinstance(exc, Unfollowable) else "nested too deeply"
        at = exc.node if isinstance(exc, Unfollowable) and exc.node is not None else start_node
        notes.append(note(f"model {name}: stopped following forward here ({reason}); the layers before are "
                          "checked", src.span(at)))
    except _Signal:
        complete = False
    finally:
        interp.trace = None
    body = trace.finish()
    if not any(isinstance(s, (n.Call, n.Reshape)) for s in body):
        for item in notes:
            result.notes.append(item)
        if not notes:
            result.notes.append(note(f"model {name}: no layer to check", src.span(where)))
        return None
    program = n.Program(tuple(([given] if given is not None else []) + body), src.text, src.path, name,
                        tuple(notes), n.PYTHON)
    return PythonModel(program, trace.sites, complete, given is not None, interp, instances)
