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
import bisect
import re
from typing import Optional

from convcalc.frontends.python.astnodes import all_nodes
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


def candidates(machine, tree: ast.Module, src: Source, pending: dict, chosen: Optional[str] = None,
               assigned: Optional[dict] = None) -> list:
    """The file's candidates, in order. ``pending`` receives, per model class that cannot be built
    as it stands, (the ClassDef, why); ``assigned``: the values each module-level assignment bound."""
    if chosen is not None:
        return [Candidate(" ".join(chosen.split()), lambda: model_call(machine, chosen, tree.body[0] if tree.body
                                                                         else None), tree, [], "call")]
    out = []
    seen_values = set()
    in_classes = names_in_classes(tree)
    own = {id(stmt) for stmt in tree.body if isinstance(stmt, ast.ClassDef)}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            out.extend(class_candidates(machine, stmt, src, pending))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            out.extend(value_candidates(machine, stmt, seen_values, (assigned or {}).get(id(stmt)), in_classes, own))
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


def names_in_classes(tree: ast.Module) -> set:
    """The names read inside the module-level classes of the file, their decorators included (a
    module-level layer a model's forward uses): the names of the file's one list of nodes that lie
    within a class statement's lines and columns (a walk of each class cost as much as the file's)."""
    spans = sorted((min([(d.lineno, d.col_offset) for d in stmt.decorator_list] + [(stmt.lineno, stmt.col_offset)]),
                    (stmt.end_lineno, stmt.end_col_offset)) for stmt in tree.body if isinstance(stmt, ast.ClassDef))
    if not spans:
        return set()
    starts = [start for start, _ in spans]
    out = set()
    for node in all_nodes(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            at = (node.lineno, node.col_offset)
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0 and at < spans[i][1]:
                out.add(node.id)
    return out


def value_candidates(machine, stmt, seen_values: set, bound: Optional[dict] = None, in_classes=frozenset(),
                     own=frozenset()) -> list:
    """The models a module-level assignment makes: an nn.Sequential, an instance built with
    arguments or of a class of another file (``from models import Net`` then ``model = Net()``;
    ``own``: the ids of this file's class statements), and a bare layer (``conv = nn.Conv2d(1, 1,
    3)``, unless a class of the file uses it), each as the statement bound it (``model =
    nn.DataParallel(model)`` later is the same model)."""
    out = []
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        value = bound.get(target.id) if bound and target.id in bound else machine.globals.vars.get(target.id)
        if not is_module(value) or id(value) in seen_values:
            continue
        seen_values.add(id(value))
        if isinstance(value, Layer) and target.id in in_classes:
            continue  # a layer the file's models share: theirs
        if isinstance(value, (Opaque, ModuleList, ModuleDict)) or not isinstance(value, (Sequential, Instance, Layer)):
            continue
        if isinstance(value, Instance) and not isinstance(stmt.value, ast.Call):
            continue  # other = model: the same object, checked where it was made
        if isinstance(value, Instance) and is_plain_instantiation(stmt.value, value) and id(value.cls.node) in own:
            machine.built_as[target.id] = value.cls.name  # --model model names the class's model
            continue  # model = Net() (or Net().to(device)) of a class of this file: the class itself is checked
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


def script_blocks(machine, tree: ast.Module, skip: set) -> list:
    """The script code of the file, to run: each function without required arguments that is not a
    factory already built (``main()``, ``test()``), and each ``if __name__ == "__main__":`` block."""
    blocks = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name not in skip:
            func = machine.globals.vars.get(stmt.name)
            if isinstance(func, Function) and not required_params(func):
                blocks.append((stmt, lambda f=func, s=stmt: f.call(machine.frame(), Args(), s)))
        elif isinstance(stmt, ast.If) and is_main_guard(stmt.test):
            blocks.append((stmt, lambda s=stmt: machine.frame().exec(s.body, tolerant=True)))
    return blocks


SCRIPT_FIRST = ("main", "train", "test", "run", "demo")  # the functions a script's own entry most likely is


def run_scripts(machine, tree: ast.Module, skip: set) -> list:
    """Run the file's script code (script_blocks), the ``__main__`` block and ``main()`` first, all
    on one budget (a library file's ``_test()`` that builds fifty models costs no more than one
    model): the models it builds and what it gives them (machine.feeds) are recorded. The
    instances built, in order."""
    first = len(machine.instances)
    blocks = script_blocks(machine, tree, skip)
    blocks.sort(key=lambda block: (not isinstance(block[0], ast.If), getattr(block[0], "name", "").lstrip("_")
                                   not in SCRIPT_FIRST))
    machine.fresh_budget()
    for _, run in blocks:
        machine.probing = True
        try:
            run()
        except (Unfollowable, Signal, RecursionError):  # the block ends there; what it recorded stays
            pass
        finally:
            machine.probing = False
    return machine.instances[first:]


def is_main_guard(test) -> bool:
    """``if __name__ == "__main__":``"""
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


class Feed:
    """Tensors script code gave a model: ``module`` (the object called), ``shapes`` (each with its
    batch), ``origin`` (where they came from: ``datasets.MNIST``, a summary call; None: a tensor the
    script made), ``where`` (path or None for the file itself, line) and ``kind``: "data" (a data
    set, a summary, an example input the model declares) or "tensor" (made by the script);
    ``called``: how the script names the model there (``net``), ``block``: the function (or module) whose
    code gave them, ``src``: its file."""

    def __init__(self, module, shapes: list, origin, where: tuple, kind: str, called: str, block, src):
        self.module, self.shapes, self.origin, self.where, self.kind = module, shapes, origin, where, kind
        self.called, self.block, self.src = called, block, src

    def key(self) -> tuple:
        return id(self.module), tuple(tuple(s[1:]) for s in self.shapes)


def record_feed(frame, module, shapes: list, origin, node, kind: str, data_origin=None, unknown=()) -> None:
    """Script code gave ``module`` tensors of ``shapes``: recorded once per model and shapes. Inside an
    ``__init__`` (a pass that measures a size) it is no input of the model."""
    from convcalc.frontends.python.torchobjects import is_module

    machine = frame.machine
    if machine.constructing or not is_module(module) or not shapes or not all(s for s in shapes):
        return
    called = ""
    # the model: called itself (net(x)), or the first argument of a summary or a tracer (jit.trace(net, x))
    target = getattr(node, "func", None) if kind == "tensor" else (node.args[0] if getattr(node, "args", None)
                                                                   else None)
    if target is not None:
        called = frame.segment(target)
    line = frame.span(node).line if node is not None and hasattr(node, "lineno") else 1
    feed = Feed(module, [tuple(s) for s in shapes], data_origin or origin, (frame.src.own, line),
                "data" if data_origin or kind == "summary" else "tensor", called,
                frame.function.node if frame.function is not None else machine.tree, frame.src)
    feed.unknown = unknown
    if all(other.key() != feed.key() for other in machine.feeds):
        machine.feeds.append(feed)


def probe(frame, module, args: list, node=None):
    """A model called outside forward, by script code: on tensors the script made or loaded, that is
    the model and its input (recorded, machine.feeds), and the script goes on with an output not
    known; on anything else it is not followed."""
    from convcalc.frontends.python.pyobjects import Unknown

    if args and all(isinstance(a, Constant) for a in args) and not frame.machine.constructing:
        origin = next((a.origin for a in args if getattr(a, "origin", None)), None)
        record_feed(frame, module, [a.shape for a in args], None, node, "tensor", origin,
                    getattr(args[0], "unknown", ()))
        return Unknown("the output of a model called by script code")
    if len(args) == 1 and isinstance(args[0], Constant) and len(args[0].shape) >= 2 and frame.machine.constructing:
        return trial_pass(frame, module, args[0], node)
    raise Unfollowable("a model called outside forward", node)


def trial_pass(frame, module, tensor, node):
    """A block run inside ``__init__`` on a tensor made there (``self.convs(torch.zeros(1, 3, 64, 64))``,
    to size the Linear after it): followed as forward would be, on that tensor's sizes, and its
    output a tensor of the sizes it comes out with (values not known)."""
    from convcalc import nodes as n
    from convcalc.frontends.python.forward import call_module
    from convcalc.frontends.python.pyobjects import Args
    from convcalc.frontends.python.trace import ShapeError, Trace
    from convcalc.layers.placement import placement

    span = frame.span(node) if node is not None and hasattr(node, "lineno") else None
    sample = tuple(tensor.shape[1:])
    if span is None or not all(type(d) is int and d > 0 for d in tensor.shape):
        raise Unfollowable("a block run in __init__ on a tensor of sizes not known", node)
    trace = Trace(n.Input(tuple(n.Num(d, span) for d in sample), span, None, None, None), frame.src.path,
                  frame.src.text)
    inner = frame.tracing(trace)
    try:
        out = call_module(inner, module, Args([(trace.start(span, sample), node)]), node)
    except ShapeError as exc:
        raise Unfollowable(f"a block run in __init__ that torch would refuse ({exc.error.message})", node) from None
    shape = getattr(out, "shape", None)
    if shape is None or placement(shape) != (0, 1):
        raise Unfollowable("a block run in __init__ whose output is not one tensor of known sizes", node)
    return Constant((tensor.shape[0],) + tuple(shape))
