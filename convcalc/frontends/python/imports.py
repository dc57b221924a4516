"""Imports of the model's own files (``from .unet_parts import *``, ``from models.blocks import
Block``): the other file is read with ``ast`` and interpreted like the first, never imported;
what it defines is bound by name. A module that is not a file of the tree is read from
convcalc's own description of it when there is one (library/: torchvision's building blocks and
helpers), and otherwise stays a reference by its qualified name (torch, a library).

Bounded: MAX_FILES files in all, MAX_DEPTH imports deep, each at most limits.MAX_FILE bytes, and
limits.MAX_PYTHON_TOKENS tokens in all (counted before each is parsed); an import cycle binds what
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

from convcalc.frontends.python.source import Source
from convcalc.frontends.python.values import Ref, Scope, Unfollowable, Unknown, _Signal

MAX_FILES = 32  # other files read for one file
MAX_DEPTH = 8  # imports nested
MAX_UP = 4  # directories above the file searched for an absolute import (models/blocks.py)
TREE: Optional[str] = None  # the real path of the tree lint is reading now (lint/runner.py sets it per file)

# modules outside the tree that convcalc describes itself (library/): what model files import from
# torchvision, by qualified name; a relative import that is not a file of the tree matches by its
# end (``from ..ops.misc import`` in a copy of torchvision/models/mobilenetv2.py)
LIBRARY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "library")
LIBRARY = {**dict.fromkeys(("torchvision.ops", "torchvision.ops.misc", "torchvision.ops.stochastic_depth"),
                           "torchvision_ops.py"),
           **dict.fromkeys(("torchvision.models._utils", "torchvision.models._api", "torchvision.models._meta",
                            "torchvision.utils"), "torchvision_models.py")}


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
            if parts and os.path.isfile(candidate):
                return candidate
    return None


class Imports:
    """Reading the files a Python file imports (a mixin of the interpreter)."""

    def import_file(self, path: str, node) -> Optional[Scope]:
        """The module scope of a file of the tree, read and run once; None (with a note) when it
        cannot be read."""
        from convcalc.load import inside, tree_of
        from convcalc.shown import shown_path

        key = os.path.realpath(path)
        if key in self.modules:
            return self.modules[key]
        if not self.importing:  # the file given: its tree holds every file it may import
            self.import_tree = TREE or tree_of(self.src.path)
        tree = getattr(self, "import_tree", None) or tree_of(self.src.path)
        if not inside(key, os.path.realpath(LIBRARY_DIR)) and not inside(key, tree):
            self.notes.append(self.note(f"{shown_path(path)} is not read: it is outside the tree ({shown_path(tree)}"
                                        f"{', through a link' if key != os.path.abspath(path) else ''}); the names "
                                        "imported from it are not known", node))
            return None
        if len(self.modules) >= MAX_FILES or len(self.importing) >= MAX_DEPTH:
            self.notes.append(self.note(f"{shown_path(path)} is not read: more than {MAX_FILES} files or {MAX_DEPTH} "
                                        "imports deep", node))
            return None
        from convcalc.errors import SOURCES
        from convcalc.limits import MAX_FILE, MAX_PYTHON_TOKENS, python_overflow

        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE + 1)
            if len(data) > MAX_FILE:
                raise ValueError(f"over {MAX_FILE:,} bytes")
            text = data.decode("utf-8-sig")
            spent = getattr(self, "import_tokens", 0)
            tokens, over = python_overflow(text, MAX_PYTHON_TOKENS - spent)
            self.import_tokens = spent + tokens
            if over is not None:  # checked before ast parses it whole
                raise ValueError(f"the files it imports hold more than {MAX_PYTHON_TOKENS:,} tokens in all")
            tree = ast.parse(text, filename=path)
        except (OSError, ValueError, SyntaxError, MemoryError, RecursionError) as exc:
            self.notes.append(self.note(f"{shown_path(path)} is not read ({getattr(exc, 'msg', None) or exc}): the "
                                        "names imported from it are not known", node))
            return None
        relative = os.path.relpath(path)
        shown = relative if not relative.startswith("..") else path  # as the files of the command are shown
        scope = Scope(None, "module")
        scope.vars["__name__"] = "imported_file"
        scope.src = Source(text, shown, imported=True)
        SOURCES[shown] = text
        self.modules[key] = scope
        self.importing.append(key)
        outer = self.src
        self.src = scope.src
        try:
            self.exec_block(tree.body, scope, tolerant=True)
        except (Unfollowable, _Signal, RecursionError):
            pass  # what the file defined before stays
        finally:
            self.src = outer
            self.importing.pop()
        return scope

    def bind_from(self, scope: Scope, names, target: Scope, node, otherwise: Optional[str] = None) -> None:
        """``from module import a, b as c`` (or ``*``: its public names) into ``target``. With
        ``otherwise`` (a library module's name), a name it does not describe stays a reference."""
        for alias in names:
            if alias.name == "*":
                public = scope.vars.get("__all__")
                chosen = public if isinstance(public, (list, tuple)) else \
                    [k for k in scope.vars if not k.startswith("_")]
                for name in chosen:
                    if isinstance(name, str) and name in scope.vars:
                        target.vars[name] = scope.vars[name]
                continue
            missing = Ref(f"{otherwise}.{alias.name}") if otherwise is not None else \
                Unknown(f"{alias.name} is not defined in the imported file")
            target.vars[alias.asname or alias.name] = scope.vars.get(alias.name, missing)
