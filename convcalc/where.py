"""Where a file is: its kind by its suffix (the one dispatch: the Python frontend, a notebook, or a
network description) and the tree it is read in. The ground floor: errors.py places a message by
the file's kind, the Python import reader and lint stay inside the tree; neither may import
load.py, which imports the frontends."""
from __future__ import annotations

import os

PYTHON_SUFFIX = ".py"  # read by the Python frontend; anything else is a network description
NOTEBOOK_SUFFIX = ".ipynb"  # a Jupyter notebook: its code cells, as one module, by the Python frontend
NETWORK_SUFFIXES = (".net",)  # what lint looks for in a directory, besides Python files and notebooks


def is_python(path: str) -> bool:
    return path.endswith(PYTHON_SUFFIX)


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


def inside(real: str, tree: str) -> bool:
    """``real`` (a real path) is ``tree`` or below it."""
    return real == tree or real.startswith(tree.rstrip(os.sep) + os.sep)


def tree_of(path: str) -> str:
    """The real path of the tree a path given on the command line is read in: a directory's own;
    for a file, the current directory when the file is below it (pre-commit and CI run there), else
    the file's own directory. lint reads no file outside it (lint/files.py), nor does the Python
    import reader (frontends/python/imports.py)."""
    if os.path.isdir(path):
        return os.path.realpath(path)
    here = os.path.abspath(os.getcwd())
    given = os.path.abspath(path)
    return os.path.realpath(here if inside(given, here) else os.path.dirname(given))
