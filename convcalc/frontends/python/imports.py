"""Imports. A file of the model's own tree (``from .unet_parts import *``, ``from models.blocks
import Block``, ``import models.blocks as blocks``, ``from package import module``) is read with
``ast`` and interpreted like the first, never imported; what it defines is bound by name. A
module that is not a file of the tree is read from convcalc's own description of it when there
is one (library/: torchvision's building blocks and helpers), and otherwise stays a reference by
its qualified name (torch, a library: the brains answer for it).

Bounded: MAX_FILES files in all, MAX_DEPTH imports deep, each at most limits.MAX_FILE bytes, and
limits.MAX_IMPORT_TOKENS tokens in all (counted before each is parsed); an import cycle binds what
the file defined so far, as Python does. A file of the tree that cannot be read or parsed is a
note, and its names are unknown (never guessed).

Only files inside the tree are read: a module found through a link out of it, or above it, is a
note and never opened (its values would reach the messages). The tree is the one lint walks
(``TREE``, set per file by lint), else that of the file given: the current directory when the
file is below it, else the file's own directory (load.tree_of)."""
from __future__ import annotations

import ast
import os
from typing import Optional

from convcalc.frontends.python.machine import Scope
from convcalc.frontends.python.pyobjects import Ref, Unknown, Value
from convcalc.frontends.python.reasons import Signal, Unfollowable

# the paths an import looked for (read or not), while set (lint's cache: a file's result depends on them)
LOOKED_AT: Optional[set] = None
MAX_FILES = 512  # other files read for one file (kornia 0.9 reads over 256 as Python imports it)
MAX_DEPTH = 32  # imports nested (a package's __init__ chains run deep)
MAX_UP = 4  # directories above the file searched for an absolute import (models/blocks.py)
TREE: Optional[str] = None  # the real path of the tree lint is reading now (lint/runner.py sets it per file)

# modules outside the tree that convcalc describes itself (library/): what model files import from
# torchvision, by qualified name; a relative import that is not a file of the tree matches by its
# end (``from ..ops.misc import`` in a copy of torchvision/models/mobilenetv2.py)
LIBRARY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "library")
LIBRARY = {**dict.fromkeys(("torchvision.ops", "torchvision.ops.misc", "torchvision.ops.stochastic_depth"),
                           "torchvision_ops.py"),
           **dict.fromkeys(("torchvision.models._utils", "torchvision.models._api", "torchvision.models._meta",
                            "torchvision.utils"), "torchvision_models.py"),
           **dict.fromkeys(("torchvision.models.resnet", "torchvision.models.vgg"), "torchvision_classic.py")}
# what messages call each description: a problem inside one is "inside torchvision.ops.MLP"
LIBRARY_NAMES = {"torchvision_ops.py": "torchvision.ops", "torchvision_models.py": "torchvision.models",
                 "torchvision_classic.py": "torchvision.models"}


class ModuleValue(Value):
    """A file of the tree imported as a module (``import models.blocks as blocks``): its names."""

    def __init__(self, name: str, scope: Scope):
        self.name, self.scope = name, scope

    def describe(self) -> str:
        return f"the module {self.name}"

    def attr(self, frame, name, node):
        if name in self.scope.vars:
            value = self.scope.vars[name]
            if isinstance(value, Unknown):
                raise Unfollowable(f"{self.name}.{name} is not known ({value.reason})", node)
            return value
        if name == "__name__":
            return self.name
        raise Unfollowable(f"{self.name}.{name} is not defined in that file", node)


def library_file(module: str, level: int) -> Optional[str]:
    """convcalc's own description of a module outside the tree, or None."""
    if not module:
        return None
    if level == 0:
        name = LIBRARY.get(module)
    else:
        matches = {LIBRARY[k] for k in LIBRARY if k.endswith("." + module)}
        name = matches.pop() if len(matches) == 1 else None
    return os.path.join(LIBRARY_DIR, name) if name else None


def module_file(importer: str, module: str, level: int) -> Optional[str]:
    """The file of the tree that ``from <level dots><module> import`` names, or None."""
    found = locate(importer, module, level)
    return found[0] if found else None


def locate(importer: str, module: str, level: int):
    """(the file, the directory the dotted name starts from, the name's parts) of ``from <level
    dots><module> import``, or None: relative to the importer's package, or (absolute) from its
    directory or one of MAX_UP above it."""
    parts = module.split(".") if module else []
    base = os.path.dirname(os.path.abspath(importer))
    if level:
        for _ in range(level - 1):
            base = os.path.dirname(base)
        roots = [base]
    else:
        roots = [base]
        for _ in range(MAX_UP):
            parent = os.path.dirname(roots[-1])
            if parent == roots[-1]:
                break
            roots.append(parent)
    for root in roots:
        stem = os.path.join(root, *parts) if parts else root
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            if (parts or level) and LOOKED_AT is not None:
                LOOKED_AT.add(candidate)
            if (parts or level) and os.path.isfile(candidate):
                return candidate, root, parts
    return None


def import_module(frame, module: str, level: int, node):
    """A module of the tree imported in Python's order: each package around it first (its
    ``__init__.py`` runs before the module is found: monai's import cycles are written for that
    order), then the module; a module read for the first time becomes a name of its package, as
    Python's import system sets it. (the module's scope or None, the directory its name starts from,
    its file), or None when it is not a file of the tree."""
    found = locate(frame.src.path, module, level)
    if found is None:
        return None
    path, root, parts = found
    package = None
    for directory in ([root] if level else []) + [os.path.join(root, *parts[:i]) for i in range(1, len(parts))]:
        init = os.path.join(directory, "__init__.py")
        if LOOKED_AT is not None:
            LOOKED_AT.add(init)
        # a directory without one is a namespace package: nothing runs, and its modules bind nowhere
        package = load_child(frame, package, os.path.basename(directory), init, node) if os.path.isfile(init) \
            else None
    return load_child(frame, package, parts[-1] if parts else "", path, node), root, path


def load_child(frame, package: Optional[Scope], name: str, path: str, node) -> Optional[Scope]:
    fresh = os.path.realpath(path) not in frame.machine.modules
    scope = import_file(frame, path, node)
    if fresh and scope is not None and package is not None and name and package is not scope:
        package.vars[name] = ModuleValue(name, scope)
    return scope


def in_tree(frame) -> bool:
    return frame.src.path not in ("<stdin>", "<expr>")


def import_statement(frame, stmt: ast.Import) -> None:
    """``import a.b.c`` binds ``a``; ``import a.b as m`` binds the module a.b. A file of the tree is
    read; anything else is a reference by its qualified name."""
    for alias in stmt.names:
        found = import_module(frame, alias.name, 0, stmt) if in_tree(frame) and not alias.name.startswith(
            "torch") else None
        scope, root, _ = found if found else (None, None, None)
        if alias.asname:
            frame.scope.vars[alias.asname] = ModuleValue(alias.name, scope) if scope is not None else Ref(alias.name)
            continue
        top = alias.name.split(".")[0]
        top_scope = None
        if scope is not None:
            for candidate in (os.path.join(root, top + ".py"), os.path.join(root, top, "__init__.py")):
                top_scope = top_scope or frame.machine.modules.get(os.path.realpath(candidate))
        frame.scope.vars[top] = ModuleValue(top, top_scope) if top_scope is not None else Ref(top)


def import_from(frame, stmt: ast.ImportFrom) -> None:
    base = "." * (stmt.level or 0) + (stmt.module or "")
    if not base.startswith("torch") and in_tree(frame):
        found = import_module(frame, stmt.module or "", stmt.level or 0, stmt)
        if found is not None and found[0] is not None:  # a file of the model's own tree: read it
            module, _, path = found
            bind_from(frame, module, stmt.names, frame.scope, stmt, package=path)
            return
    described = library_file(stmt.module or "", stmt.level or 0)
    if described is not None:  # torchvision's blocks and helpers, as convcalc describes them
        module = import_file(frame, described, stmt)
        if module is not None:
            bind_from(frame, module, stmt.names, frame.scope, stmt, otherwise=base)
            return
    for alias in stmt.names:
        if alias.name == "*":
            from convcalc.frontends.python.brains import star_names

            names = star_names(base)
            if names is None:
                raise Unfollowable(f"from {base} import *", stmt)
            frame.scope.vars.update(names)
            continue
        from convcalc.frontends.python.brains import constant_of

        qname = f"{base}.{alias.name}"
        known = constant_of(qname)  # collections.OrderedDict is the type itself, math.pi its value
        frame.scope.vars[alias.asname or alias.name] = known if known is not None else Ref(qname)


def import_file(frame, path: str, node) -> Optional[Scope]:
    """The module scope of a file of the tree, read and run once; None (with a note) when it
    cannot be read."""
    from convcalc.where import inside, tree_of
    from convcalc.shown import shown_path

    machine = frame.machine
    key = os.path.realpath(path)
    if key in machine.modules:
        return machine.modules[key]
    if machine.import_tree is None:  # the file given: its tree holds every file it may import
        machine.import_tree = TREE or tree_of(machine.src.path)
    tree = machine.import_tree
    if not inside(key, os.path.realpath(LIBRARY_DIR)) and not inside(key, tree):
        machine.notes.append(frame.note(f"{shown_path(path)} is not read: it is outside the tree ({shown_path(tree)}"
                                        f"{', through a link' if key != os.path.abspath(path) else ''}); the names "
                                        "imported from it are not known", node))
        return None
    if len(machine.modules) >= MAX_FILES or len(machine.importing) >= MAX_DEPTH:
        bound = f"convcalc reads at most {MAX_FILES} files for one" if len(machine.modules) >= MAX_FILES else \
            f"convcalc follows imports at most {MAX_DEPTH} deep"
        machine.notes.append(frame.note(f"{shown_path(path)} is not read: {bound}; the names imported from it are "
                                        "not known", node))
        return None
    from convcalc.frontends.python.source import Source
    from convcalc.limits import MAX_FILE, MAX_IMPORT_TOKENS, python_overflow

    if LOOKED_AT is not None:
        LOOKED_AT.add(os.path.abspath(path))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise ValueError(f"over {MAX_FILE:,} bytes")
        text = data.decode("utf-8-sig")
        tokens, over = python_overflow(text, MAX_IMPORT_TOKENS - machine.import_tokens)
        machine.import_tokens += tokens
        if over is not None:  # checked before ast parses it whole
            raise ValueError(f"the files it imports hold more than {MAX_IMPORT_TOKENS:,} tokens in all")
        parsed = ast.parse(text, filename=path)
    except (OSError, ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        machine.notes.append(frame.note(f"{shown_path(path)} is not read ({getattr(exc, 'msg', None) or exc}): the "
                                        "names imported from it are not known", node))
        return None
    relative = os.path.relpath(path)
    shown = relative if not relative.startswith("..") else path  # as the files of the command are shown
    scope = Scope(None, "module")
    scope.vars["__name__"] = "imported_file"
    scope.src = Source(text, shown, imported=True)
    if inside(key, os.path.realpath(LIBRARY_DIR)):  # convcalc's own description: placed where it is used
        scope.src.library = LIBRARY_NAMES[os.path.basename(key)]
    machine.sources[shown] = text
    machine.modules[key] = scope
    machine.importing.append(key)
    from convcalc.frontends.python.machine import Frame

    where = frame.span(node) if node is not None and hasattr(node, "lineno") else None
    inner = Frame(machine, scope.src, scope, frame.trace, None, None, frame,
                  frame.entered(scope.src, where, ""))
    from convcalc.frontends.python.modulecode import run_statement

    try:
        for stmt in parsed.body:
            run_statement(inner, stmt, raises_stop=True)
    except (Unfollowable, Signal, RecursionError):
        pass  # raised, or out of steps: what the file defined before stays
    finally:
        machine.importing.pop()
    return scope


def bind_from(frame, scope: Scope, names, target: Scope, node, otherwise: Optional[str] = None,
              package: Optional[str] = None) -> None:
    """``from module import a, b as c`` (or ``*``: its public names) into ``target``. With
    ``otherwise`` (a library module's name), a name it does not describe stays a reference; a name
    that is a file of a package (``from models import resnet``) is that file."""
    for alias in names:
        if alias.name == "*":
            public = scope.vars.get("__all__")
            chosen = public if isinstance(public, (list, tuple)) else \
                [k for k in scope.vars if not k.startswith("_")]
            for name in chosen:
                if isinstance(name, str) and name in scope.vars:
                    target.vars[name] = scope.vars[name]
            continue
        value = scope.vars.get(alias.name)
        if value is None and package is not None and package.endswith("__init__.py"):
            sub = module_file(package, alias.name, 1)  # a module of the package, imported now
            sub_scope = load_child(frame, scope, alias.name, sub, node) if sub is not None else None
            if sub_scope is not None:
                value = ModuleValue(alias.name, sub_scope)
        if value is None:
            value = Ref(f"{otherwise}.{alias.name}") if otherwise is not None else \
                Unknown(f"{alias.name} is not defined in the imported file")
        target.vars[alias.asname or alias.name] = value
