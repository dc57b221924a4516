"""Which model each input the file gives reaches, and the models script code builds.

The candidates of discovery.py are built by convcalc itself (a class without arguments, a
factory, a module-level value). Script code builds models too, often with arguments
(``model = se_resnet18(num_classes=2)`` in ``main()``), and gives them tensors
(discovery.Feed: a batch of a data set, a tensor it made, a summary call). Here each feed finds
its model: the candidate it is (the same object, or a class built without arguments), else the
model the script built, which becomes a model of its own, named by the call that built it. A
LightningModule's ``example_input_array`` is an input of its own model.
"""
from __future__ import annotations

import ast
import functools
import os
from typing import Optional

from convcalc import nodes as n
from convcalc.frontends.python.astnodes import all_nodes
from convcalc.frontends.python.discovery import Candidate, Feed
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Function
from convcalc.frontends.python.scoping import own_nodes
from convcalc.frontends.python.torchobjects import Constant, tree_of

WRAPPERS = ("to", "cuda", "cpu", "eval", "train", "float", "double", "half", "requires_grad_", "DataParallel",
            "DistributedDataParallel")


class Entry:
    """A model to follow: its candidate, the object, the instances built with it, the feeds that
    reach it, and the nodes an input comment may sit above."""

    def __init__(self, candidate: Candidate, value, instances: list):
        self.candidate, self.value, self.instances = candidate, value, instances
        self.feeds: list = []
        self.comment_nodes = list(candidate.comment_nodes)

    @property
    def data_fed(self) -> bool:
        return any(f.kind == "data" for f in self.feeds)

    def inputs(self, src) -> list:
        """(Input or tuple of Inputs, where it came from) per distinct input that reaches the model."""
        out, seen = [], set()
        for feed in self.feeds:
            key = tuple(tuple(s[1:]) for s in feed.shapes)
            if key in seen or any(len(s) < 2 for s in feed.shapes):
                continue
            seen.add(key)
            given = tuple(input_of(s, feed) for s in feed.shapes)
            out.append((given[0] if len(given) == 1 else given, feed))
        return out


def input_of(shape: tuple, feed: Feed) -> n.Input:
    """A fed shape without its batch; a size the data does not fix (an image folder's) is a symbol."""
    from convcalc.errors import Span
    from convcalc.layers.common import AXES

    span = Span(feed.where[1], 1, feed.where[1], 2)
    unknown = set(getattr(feed, "unknown", ()))
    axes = iter(AXES.get(len(shape) - 2, ()))
    dims = []
    for i, size in enumerate(shape[1:], 1):
        if i == 1 and i in unknown:  # pictures of a data set convcalc does not know: their channels a symbol
            dims.append(n.Name("C", span))
        else:
            dims.append(n.Name(next(axes, f"S{i}"), span) if i in unknown and i > 1 else n.Num(size, span))
    return n.Input(tuple(dims), span)


def origin_text(feed: Feed, shown: str) -> str:
    """``datasets.MNIST at train.py:40``, ``the tensor given to net at model.py:72``."""
    path, line = feed.where
    where = f"{path or shown}:{line}"
    if feed.origin:  # where the data was made (the data set's line), not where the script gives it
        what, _, at = feed.origin.rpartition(" at ")
        if not what:
            return f"{feed.origin} at {where}"
        return f"{what} at {shown}:{at[5:]}" if at.startswith("line ") else f"{what} at {at}"
    return f"the tensor given to {feed.called or 'the model'} at {where}"


def plain(module) -> bool:
    """An instance built by its class without arguments (``Net()``)."""
    node = module.node if isinstance(module, Instance) else None
    return isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, ast.Name)


def unwrap(expr):
    """``Net().to(device)``, ``nn.DataParallel(Net())``: the call that built the model."""
    while isinstance(expr, ast.Call):
        func = expr.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in WRAPPERS and isinstance(func, ast.Attribute) and name not in ("DataParallel",
                                                                                   "DistributedDataParallel"):
            expr = func.value
        elif name in ("DataParallel", "DistributedDataParallel") and expr.args:
            expr = expr.args[0]
        else:
            return expr
    return expr


def builder(feed: Feed) -> Optional[ast.AST]:
    """The call that built the model the feed reached, where the script names it (``model =
    se_resnet18(num_classes=2)`` before ``model(x)``), or None."""
    called = feed.called.strip()
    if not called:
        return None
    try:
        expr = ast.parse(called, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(expr, ast.Call):
        return expr  # summary(Net(), ...): built right there
    if not isinstance(expr, ast.Name):
        return None
    found = None
    for node in own_nodes(feed.block) if hasattr(feed.block, "body") else ():
        if isinstance(node, ast.Assign) and node.lineno <= feed.where[1] and \
                any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
            call = unwrap(node.value)
            if isinstance(call, ast.Call) and (found is None or node.lineno > found[0]):
                found = (node.lineno, call, node)
    return found[1:] if found else None


def entries(machine, src, built: list, script_built: list) -> list:
    """An Entry per model: the candidates built, with the feeds that reach each, and the models
    script code built itself that were fed or that no candidate is."""
    out = [Entry(candidate, value, instances) for candidate, value, instances in built]
    by_value = {id(e.value): e for e in out}
    by_class = {e.value.cls: e for e in out if e.candidate.kind == "class" and isinstance(e.value, Instance)}
    by_call = {e.candidate.name: e for e in out if e.candidate.kind in ("class", "factory")}

    def entry_for(module, feed: Optional[Feed] = None):
        if id(module) in by_value:
            return by_value[id(module)]
        made = builder(feed) if feed is not None else None
        call, stmt = made if isinstance(made, tuple) else (made, None)
        if isinstance(call, ast.Call) and not call.args and not call.keywords and isinstance(call.func, ast.Name) \
                and call.func.id in by_call:
            entry = by_call[call.func.id]  # resnet18(), Net(): the candidate built the same way
        elif isinstance(module, Instance) and plain(module) and module.cls in by_class:
            entry = by_class[module.cls]
        else:
            text = feed.src.segment(call) if call is not None and feed is not None else ""
            if not text and isinstance(module, Instance) and module.node is not None:
                text = machine.src.segment(module.node) if hasattr(module.node, "lineno") else ""
            name = " ".join((text or (feed.called if feed is not None else "") or "model").split())
            if name in by_call and by_call[name].candidate.kind == "script":  # main() run alone and from __main__
                by_value[id(module)] = by_call[name]
                return by_call[name]
            where = stmt or call or getattr(module, "node", None) or machine.tree
            comment = [node for node in (stmt, getattr(module, "node", None)) if node is not None]
            if isinstance(module, Instance):
                comment.append(module.cls.node)
            entry = Entry(Candidate(name, lambda m=module: m, where, comment, "script"), module,
                          [m for _, m in tree_of(module) if isinstance(m, Instance)])
            out.append(entry)
            by_call[name] = entry
        by_value[id(module)] = entry
        return entry

    for feed in machine.feeds:
        entry = entry_for(feed.module, feed)
        if all(other is not feed for other in entry.feeds):
            entry.feeds.append(feed)
    inside = {id(m) for obj in script_built for _, m in tree_of(obj)[1:]}
    for obj in script_built:  # a model script code built with arguments, and fed nothing here: itself
        if isinstance(obj, Instance) and id(obj) not in inside and id(obj) not in by_value and \
                obj.cls not in machine.nested and isinstance(obj.cls.lookup("forward"), Function) and \
                not obj.poisoned and obj.cls.path == machine.src.path:
            entry_for(obj)
    for entry in out:
        example = entry.value.attrs.get("example_input_array") if isinstance(entry.value, Instance) else None
        if isinstance(example, Constant) and len(example.shape) >= 2:
            node = entry.value.cls.node
            entry.feeds.append(Feed(entry.value, [tuple(example.shape)], f"{entry.value.cls.name}.example_input_array",
                                    (None, node.lineno), "data", entry.candidate.name, machine.tree, machine.src))
    plain_calls(machine.tree, out)
    return out


def plain_calls(tree: ast.Module, out: list) -> None:
    """An input comment may sit above the statement that builds a class (``net = Net()``), in script
    code too: those statements join the class's comment nodes."""
    classes = {e.value.cls.name: e for e in out if e.candidate.kind == "class" and isinstance(e.value, Instance)}
    if not classes:
        return
    for node in all_nodes(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            call = unwrap(node.value)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in classes and \
                    not call.args and not call.keywords:
                classes[call.func.id].comment_nodes.append(node)


def takes_file_input(entry: Entry, data_in_file: bool) -> bool:
    """Whether ``--input`` (and the configuration's input) is this model's: they stand for the data,
    so where the file feeds some model data they are the input of the models fed data; otherwise
    of every model."""
    return entry.data_fed if data_in_file else True


# ---------------------------------------------------------------- the other files of the tree

MAX_SIBLINGS = 8  # files of the same directory read for the input they give the file's models


def sibling_feeds(scripts: list) -> list:
    """What the scripts beside a file (``sibling_scripts``) feed its classes (``train.py`` loads
    MNIST and builds ``Net()`` from ``model.py``): pre-commit lints ``model.py`` alone when only it
    changed. (class name, Feed) pairs."""
    return [item for feeds, _ in scripts for item in feeds]


def sibling_builds(scripts: list) -> list:
    """The calls with which the scripts beside a file (``sibling_scripts``) build its classes
    (``net = Net(10, 64)`` in train.py, ``Net(args.num_classes)`` with argparse's default): (class
    name, the call with its argument values, ``train.py:12``), each distinct call once. A class
    built only inside another model (a block) is not among them: it is checked in its model."""
    out, seen = [], set()
    for _, builds in scripts:
        for name, call, where in builds:
            if call not in seen:
                seen.add(call)
                out.append((name, call, where))
    return out


def sibling_scripts(path: str) -> list:
    """(feeds, builds) of each script beside ``path`` that imports it by name: the files of its
    directory, at most MAX_SIBLINGS, inside the tree, each read as lint reads a file (its script
    code run, never imported)."""
    import re

    from convcalc.frontends.python import imports
    from convcalc.where import inside, tree_of

    real = os.path.realpath(path)
    if not os.path.isfile(real):
        return []
    directory, stem = os.path.dirname(real), os.path.splitext(os.path.basename(real))[0]
    tree = imports.TREE or tree_of(path)
    if not stem.isidentifier() or not inside(directory, tree):
        return []
    names = re.compile(rf"^\s*(from\s+\.?{stem}\s+import|import\s+{stem}\b|from\s+\.\s+import\s+.*\b{stem}\b)", re.M)
    try:
        listed = sorted(f for f in os.listdir(directory) if f.endswith(".py") and f != os.path.basename(real))
    except OSError:
        return []
    out = []
    for name in listed[:64]:
        other = os.path.join(directory, name)
        if len(out) >= MAX_SIBLINGS or not inside(os.path.realpath(other), tree):
            continue
        try:
            status = os.stat(other)
            text = sibling_text(other, status.st_mtime_ns, status.st_size)
        except (OSError, UnicodeDecodeError):
            continue
        if imports.LOOKED_AT is not None:
            imports.LOOKED_AT.add(os.path.abspath(other))
        if not names.search(text):
            continue
        out.append(script_results(other, text, real))
    return out


@functools.lru_cache(maxsize=256)  # a directory's files are each other's siblings: read once per run
def sibling_text(path: str, mtime_ns: int, size: int) -> str:
    """A sibling's text ("" past the size bound), keyed by its modification time and size."""
    from convcalc.limits import MAX_FILE

    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE + 1)
    return data.decode("utf-8-sig") if len(data) <= MAX_FILE else ""


def script_results(path: str, text: str, target: str) -> tuple:
    """([(class name, Feed)], [(class name, call, where)]) of the models of ``target``'s classes
    that the script ``path`` feeds (built without arguments) and builds with arguments."""
    from convcalc.frontends.python.discovery import run_scripts
    from convcalc.frontends.python.machine import Machine
    from convcalc.frontends.python.modulecode import run_module
    from convcalc.frontends.python.reasons import Signal, Unfollowable
    from convcalc.frontends.python.source import Source
    from convcalc.shown import shown_path

    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return [], []
    relative = os.path.relpath(path)
    shown = relative if not relative.startswith("..") else shown_path(path)
    machine = Machine(Source(text, shown, imported=True), tree)
    try:
        run_module(machine)
        run_scripts(machine, tree, set())
    except (Unfollowable, Signal, RecursionError):
        pass
    feeds = [(feed.module.cls.name, feed) for feed in machine.feeds if isinstance(feed.module, Instance) and
             plain(feed.module) and os.path.realpath(feed.module.cls.path or "") == target]
    ours = [obj for obj in machine.instances if isinstance(obj, Instance) and obj.cls.module and
            os.path.realpath(obj.cls.path or "") == target]
    # blocks of a model (of this file or of the script's own): checked in it, never alone
    inside = {id(m) for obj in machine.instances if isinstance(obj, Instance) for _, m in tree_of(obj)[1:]}
    builds = []
    for obj in ours:
        call = call_text(obj)
        if call is not None and id(obj) not in inside and not obj.poisoned:
            builds.append((obj.cls.name, call, f"{shown}:{getattr(obj.node, 'lineno', 1)}"))
    return feeds, builds


CONSTANTS = (bool, int, float, str, type(None))


def call_text(obj: Instance) -> Optional[str]:
    """``Net(10, width=64)``: the call that built ``obj`` with its argument values, when each is a
    constant (a number, a string, a tuple of them) that the model's own file can be given; None
    for a class built without arguments (its plain build is checked already) or with others."""
    args = obj.built_with
    if args is None or not len(args):
        return None

    def shown(value):
        if isinstance(value, (tuple, list)) and all(isinstance(v, CONSTANTS) for v in value):
            return repr(value)
        return repr(value) if isinstance(value, CONSTANTS) and not isinstance(value, float) or \
            isinstance(value, float) and value == value and abs(value) != float("inf") else None

    parts = [shown(v) for v in args.values] + [f"{k}={shown(v)}" if shown(v) is not None else None
                                                for k, v in args.named.items()]
    if any(p is None for p in parts):
        return None
    return f"{obj.cls.name}({', '.join(parts)})"


def built_by_siblings(machine, path: str, pending: dict, found: list) -> Optional[list]:
    """The classes of the file whose __init__ needs arguments, built as the scripts beside it build
    them (``train.py``: ``net = Net(10, 64)``): a candidate per distinct call, named by it, and the
    class is no longer pending; a CC900 note says where the arguments came from. The scripts read
    (for their feeds too), or None when no class needs them."""
    from convcalc.frontends.python.discovery import model_call, required_params
    from convcalc.frontends.python.pyclasses import ClassInfo

    def needs_arguments(name: str) -> bool:
        cls = machine.globals.vars.get(name)
        init = cls.lookup("__init__") if isinstance(cls, ClassInfo) else None
        return isinstance(init, Function) and bool(required_params(init, skip=1))

    needing = {name for name in pending if needs_arguments(name)}
    if not needing:
        return None
    scripts = sibling_scripts(path)
    for name, call, where in sibling_builds(scripts):
        if name not in needing:
            continue
        stmt = pending[name][0]
        found.append(Candidate(call, lambda text=call, at=stmt: model_call(machine, text, at), stmt, [stmt], "call"))
        machine.notes.append(machine.frame().note(f"model {call}: built with the arguments {where} gives it", stmt))
    for name in {name for name, _, _ in sibling_builds(scripts)} & needing:
        pending.pop(name)
    return scripts


def add_sibling_feeds(models: list, found: list) -> None:
    """The feeds of the sibling scripts, each to the class of this file it builds (as built without
    arguments: the model convcalc builds itself)."""
    classes = {e.value.cls.name: e for e in models if e.candidate.kind == "class" and isinstance(e.value, Instance)}
    for name, feed in found:
        entry = classes.get(name)
        if entry is not None and all(other.key()[1:] != feed.key()[1:] for other in entry.feeds):
            entry.feeds.append(Feed(entry.value, feed.shapes, feed.origin, feed.where, feed.kind, feed.called,
                                    feed.block, feed.src))
