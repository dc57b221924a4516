"""Which models a Python file holds: the candidates to build and follow, and the classes that
look like models (an ``nn.Module`` with a ``forward``) but cannot be built as they stand.

A candidate is, in the file's order: a model class whose ``__init__`` needs no argument; a
class with a ``# convcalc: model VGG('VGG16')`` comment above it (the call builds it); a
module-level module (``net = nn.Sequential(...)``); a factory function without required
arguments that returns a model (``def resnet18(*, weights=None, progress=True, **kwargs)``);
and, for a class that needs arguments and is built nowhere else, the call of it that script
code makes on a tensor (``net = VGG('VGG11'); y = net(torch.randn(2, 3, 32, 32))`` in a
``test()`` function or under ``if __name__ == "__main__":``), which also gives its input.
``--model "VGG('VGG16')"`` makes that call the only candidate.
"""
from __future__ import annotations

import ast
import re
from typing import Optional

from convcalc.frontends.python.pyclasses import ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Args, Function, Unknown
from convcalc.frontends.python.reasons import Signal, Unfollowable
from convcalc.frontends.python.source import Source, comment_above
from convcalc.frontends.python.torchobjects import Constant, Layer, ModuleDict, ModuleList, Opaque, Sequential, \
    is_module

MODEL_COMMENT = re.compile(r"#\s*convcalc:\s*model\b[ \t]*([^#\r\n]*)")
MAX_MODEL_CALL = 500  # characters of a --model call or a model comment


class Candidate:
    """``make()`` builds the model (or returns None); ``given`` is an input a script call gave it."""

    def __init__(self, name: str, make, where, comment_nodes: list, kind: str, given=None):
        self.name, self.make, self.where, self.comment_nodes, self.kind = name, make, where, comment_nodes, kind
        self.given = given


class Found(Signal):
    """Script code called a model on a tensor it made: the instance, and the tensors' shapes."""

    def __init__(self, module, shapes: list):
        self.module, self.shapes = module, shapes


def required_params(func: Function, skip: int = 0) -> list:
    spec = func.node.args
    positional = [a.arg for a in list(getattr(spec, "posonlyargs", [])) + list(spec.args)][skip:]
    names = positional + [a.arg for a in spec.kwonlyargs]
    return [p for p in names if p not in func.defaults]


def returns_a_value(function: ast.FunctionDef) -> bool:
    """Whether a function's own body returns something (a factory does; a script's main() does not)."""
    from convcalc.frontends.python.scoping import own_nodes

    return any(isinstance(node, ast.Return) and node.value is not None for node in own_nodes(function))


def looks_like_model(cls: ClassInfo) -> bool:
    return cls.module and (isinstance(cls.lookup("forward"), Function) or cls.container == "sequential")


NOT_MODULES = ("torch.autograd.", "torch.jit.", "builtins.")  # bases whose forward is not a module's


def foreign_model(cls: ClassInfo) -> bool:
    """A class of unknown descent that would be a model if its base were one: a base from a
    module convcalc does not read, and a forward."""
    return cls.foreign is not None and not cls.foreign.startswith(NOT_MODULES) and \
        isinstance(cls.lookup("forward"), Function)


def model_call(machine, text: str, where):
    """A call expression (``VGG('VGG16')``) evaluated with the file's names, or Unfollowable."""
    text = text.strip()
    if not text or len(text) > MAX_MODEL_CALL:
        raise Unfollowable(f"a model call of {len(text)} characters (give at most {MAX_MODEL_CALL})", where)
    try:
        expr = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise Unfollowable(f"{text!r} is not a Python call ({exc.msg})", where) from None
    if not isinstance(expr, ast.Call):
        raise Unfollowable(f"{text!r} is not a call such as VGG('VGG16')", where)
    for node in ast.walk(expr):  # positions of the call's own text mean nothing in the file
        node.lineno = getattr(where, "lineno", 1)
        node.end_lineno = getattr(where, "end_lineno", node.lineno)
        node.col_offset, node.end_col_offset = 0, 0
    return machine.frame().eval(expr)


def candidates(machine, tree: ast.Module, src: Source, pending: dict, chosen: Optional[str] = None) -> list:
    """The file's candidates, in order. ``pending`` receives, per model class that cannot be built
    as it stands, (the ClassDef, why)."""
    if chosen is not None:
        return [Candidate(" ".join(chosen.split()), lambda: model_call(machine, chosen, tree.body[0] if tree.body
                                                                         else None), tree, [], "call")]
    out = []
    seen_values = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            out.extend(class_candidates(machine, stmt, src, pending))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            out.extend(value_candidates(machine, stmt, seen_values))
        elif isinstance(stmt, ast.FunctionDef):
            func = machine.globals.vars.get(stmt.name)
            if not isinstance(func, Function) or required_params(func) or stmt.name.startswith("_") or \
                    not returns_a_value(stmt):
                continue  # a function that returns nothing (a script's main()) makes no model

            def make(f=func, s=stmt):
                value = f.call(machine.frame(), Args(), s)
                return value if isinstance(value, (Sequential, Instance)) else None

            out.append(Candidate(stmt.name, make, stmt, [stmt], "factory"))
    return out


def may_be_module(machine, stmt: ast.ClassDef) -> bool:
    """A class whose statement failed may be a model: it has a forward, or a base that is a module
    class of the file, another class that failed, or a library's (nn.Module, a torchvision block)."""
    if any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "forward" for item in stmt.body):
        return True
    for base in stmt.bases:
        value = machine.globals.vars.get(base.id) if isinstance(base, ast.Name) else None
        if isinstance(value, Unknown) or (isinstance(value, ClassInfo) and value.module) or \
                isinstance(base, ast.Attribute):
            return True
    return False


def class_candidates(machine, stmt: ast.ClassDef, src: Source, pending: dict) -> list:
    cls = machine.globals.vars.get(stmt.name)
    if isinstance(cls, Unknown) and may_be_module(machine, stmt):  # its class statement failed: said, never skipped
        pending[stmt.name] = (stmt, f"its class statement was not followed ({cls.reason})")
    if not isinstance(cls, ClassInfo):
        return []
    if not cls.module:
        if foreign_model(cls):  # class Net(simpleNN) with a forward: said, not skipped in silence
            pending[cls.name] = (stmt, f"it derives from {cls.foreign}, which convcalc does not read, so it is not "
                                       "known to be an nn.Module")
        return []
    line = comment_above(src, [stmt], MODEL_COMMENT)
    if line is not None:  # # convcalc: model VGG('VGG16')
        text = line[0].group(1)
        return [Candidate(" ".join(text.split()), lambda: model_call(machine, text, stmt), stmt, [stmt], "call")]
    if cls.foreign:
        if looks_like_model(cls):
            pending[cls.name] = (stmt, f"it derives from {cls.foreign}, which convcalc does not follow")
        return []
    init = cls.lookup("__init__")
    needed = required_params(init, skip=1) if isinstance(init, Function) else []
    if needed:
        if looks_like_model(cls):
            pending[cls.name] = (stmt, f"its __init__ needs arguments ({', '.join(needed)}); give them with "
                                       f"--model \"{cls.name}(...)\" or a `# convcalc: model {cls.name}(...)` "
                                       "comment above the class")
        return []
    return [Candidate(stmt.name, lambda c=cls, s=stmt: c.call(machine.frame(), Args(), s), stmt, [stmt], "class")]


def value_candidates(machine, stmt, seen_values: set) -> list:
    out = []
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        value = machine.globals.vars.get(target.id)
        if not is_module(value) or id(value) in seen_values:
            continue
        seen_values.add(id(value))
        if isinstance(value, (Layer, Opaque, ModuleList, ModuleDict)) or not isinstance(value, (Sequential, Instance)):
            continue
        if isinstance(value, Instance) and not isinstance(stmt.value, ast.Call):
            continue  # other = model: the same object, checked where it was made
        if isinstance(value, Instance) and is_plain_instantiation(stmt.value, value):
            continue  # model = Net() (or Net().to(device)): the class itself is checked
        comment = [stmt] + ([value.cls.node] if isinstance(value, Instance) else [])
        out.append(Candidate(target.id, lambda v=value: v, stmt, comment, "value"))
    return out


def is_plain_instantiation(call, value: Instance) -> bool:
    """``Net()``, ``Net().to(device)``, ``Net().cuda()``: the class built with no arguments."""
    while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
            call.func.attr in ("to", "cuda", "cpu", "eval", "train", "float", "half", "double"):
        call = call.func.value
    return isinstance(call, ast.Call) and not call.args and not call.keywords and \
        isinstance(call.func, ast.Name) and call.func.id == value.cls.name


def script_calls(machine, tree: ast.Module, wanted: set) -> list:
    """(instance, input shapes, call node) of the models of ``wanted`` classes that script code
    (a function without arguments, the ``__main__`` block) calls on a tensor it made itself."""
    found = []
    blocks = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            func = machine.globals.vars.get(stmt.name)
            if isinstance(func, Function) and not required_params(func):
                blocks.append(lambda f=func, s=stmt: f.call(machine.frame(), Args(), s))
        elif isinstance(stmt, ast.If) and is_main_guard(stmt.test):
            blocks.append(lambda s=stmt: machine.frame().exec(s.body))
    for run in blocks:
        machine.fresh_budget()
        machine.probing = True
        try:
            run()
        except Found as hit:
            if isinstance(hit.module, Instance) and hit.module.cls.name in wanted:
                found.append((hit.module, hit.shapes))
                wanted.discard(hit.module.cls.name)
        except (Unfollowable, Signal, RecursionError):
            pass
        finally:
            machine.probing = False
    return found


def is_main_guard(test) -> bool:
    """``if __name__ == "__main__":``"""
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def probe(frame, module, args: list):
    """A model called outside forward: on tensors the script made, that is a model and its input."""
    if frame.machine.probing and args and all(isinstance(a, Constant) for a in args):
        raise Found(module, [a.shape for a in args])
    raise Unfollowable("a model called outside forward", None)
