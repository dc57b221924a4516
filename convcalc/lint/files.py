"""The files `convcalc lint` reads: the paths given, and below a directory every ``*.net``,
``*.py`` and ``*.ipynb`` (a ``.txt`` network file is linted when named explicitly: directories hold too many
other text files). Hidden directories, ``__pycache__``, virtual environments,
``node_modules``, ``build`` and ``dist`` are skipped."""
from __future__ import annotations

import os

from convcalc.errors import UsageError
from convcalc.load import NETWORK_SUFFIXES, NOTEBOOK_SUFFIX, PYTHON_SUFFIX

SEARCHED = NETWORK_SUFFIXES + (PYTHON_SUFFIX, NOTEBOOK_SUFFIX)  # what a directory is searched for
SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "venv", "env", "site-packages"}


def iter_files(paths, excluded) -> list:
    out = []
    for path in paths:
        if path == "-":  # standard input (lint --stdin-filename NAME names it)
            out.append(path)
            continue
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        if not os.path.exists(path):  # a link to nothing, or a loop of links: reading it says which
            out.append(path)
            continue
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                                 and not excluded(os.path.join(root, d)))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.endswith(SEARCHED) and not excluded(full):
                        out.append(os.path.normpath(full) if root != "." else name)
        elif not excluded(path):
            out.append(path)
    seen, unique = set(), []
    for path in out:
        key = path if path == "-" else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
