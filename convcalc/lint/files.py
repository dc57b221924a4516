"""The files `convcalc lint` reads: the paths given, and below a directory every ``*.net``,
``*.py`` and ``*.ipynb`` (a ``.txt`` network file is linted when named explicitly: directories hold too many
other text files). Hidden directories, ``__pycache__``, virtual environments,
``node_modules``, ``build`` and ``dist`` are skipped.

Only what is inside the tree is read, as ruff and pyflakes lint what is in the tree, and
stricter: lint runs in CI on other people's pull requests, and a link committed there
(``leak.net -> /etc/passwd``, ``-> /proc/self/environ``) would otherwise print the lines of a
file outside the checkout in a message. The tree of a directory given is that directory (its
real path); of a file given, the current directory when the file is below it (pre-commit runs
there), else the file's own directory. A link whose target lies outside its tree is named and
skipped, never opened; a link to a directory is not followed (what it points to inside the
tree is walked where it is). A directory that cannot be read (no permission, a path over the
system's length limit) is named and counted as not read: the run never passes over it in
silence. At most MAX_RUN_FILES files are linted in one run.
"""
from __future__ import annotations

import os

from convcalc.errors import UsageError
from convcalc.load import NETWORK_SUFFIXES, NOTEBOOK_SUFFIX, PYTHON_SUFFIX, inside, tree_of
from convcalc.shown import shown_path

SEARCHED = NETWORK_SUFFIXES + (PYTHON_SUFFIX, NOTEBOOK_SUFFIX)  # what a directory is searched for
SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "venv", "env", "site-packages"}
# files linted in one run: a tiny model file costs about 1 ms, so 2,000 of them stay near 2 s of CPU
# (50,000 took over 10 s); the walk stops at the first file past it
MAX_RUN_FILES = 2_000


class Walk:
    """What the walk found: the files to read, the links it skipped (out of the tree) and the
    directories it could not read, each as a line for stderr."""

    def __init__(self):
        self.files: list = []
        self.trees: dict = {}  # file -> the real path of its tree (the Python import reader stays inside it)
        self.outside: list = []
        self.unread: list = []


def out_of_tree(path: str, tree: str, what: str = "file") -> str:
    return (f"{shown_path(path)}: a link to a {what} outside the tree ({shown_path(tree)}): not read (convcalc lints "
            "only what is inside the tree it is given)")


def iter_files(paths, excluded) -> Walk:
    walk = Walk()

    def add(path: str, tree: str = "") -> None:
        if len(walk.files) >= MAX_RUN_FILES:
            raise UsageError(f"more than {MAX_RUN_FILES:,} files to lint in one run: convcalc lints at most "
                             f"{MAX_RUN_FILES:,} (lint a directory at a time, or --exclude what holds no model)")
        walk.files.append(path)
        walk.trees.setdefault(path, tree)

    def unreadable(error: OSError) -> None:
        where = error.filename if error.filename is not None else "?"
        walk.unread.append(f"{shown_path(where)}: directory not read: {error.strerror or error}")

    for path in paths:
        if path == "-":  # standard input (lint --stdin-filename NAME names it)
            add(path)
            continue
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        tree = tree_of(path)
        if not os.path.isdir(path):
            if os.path.exists(path) and not inside(os.path.realpath(path), tree):
                walk.outside.append(out_of_tree(path, tree))
            elif not excluded(path):
                add(path, tree)  # a link to nothing, or a loop of links: reading it says which
            continue
        for root, dirs, files in os.walk(path, onerror=unreadable):
            kept = []
            for d in sorted(dirs):
                full = os.path.join(root, d)
                if d.startswith(".") or d in SKIP_DIRS or excluded(full):
                    continue
                if os.path.islink(full):  # not followed: os.walk does not descend into it
                    if not inside(os.path.realpath(full), tree):
                        walk.outside.append(out_of_tree(full, tree, "directory"))
                    continue
                kept.append(d)
            dirs[:] = kept
            for name in sorted(files):
                full = os.path.join(root, name)
                if not name.endswith(SEARCHED) or excluded(full):
                    continue
                shown = os.path.normpath(full) if root != "." else name
                if os.path.islink(full) and not inside(os.path.realpath(full), tree):
                    walk.outside.append(out_of_tree(shown, tree))
                    continue
                add(shown, tree)
    seen, unique = set(), []
    for path in walk.files:
        key = path if path == "-" else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    walk.files = unique
    return walk
