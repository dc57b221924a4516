"""`convcalc lint`: diagnostics for network files and PyTorch model definitions; the pre-commit hook.

``runner`` reads the files (``files``) with their configuration (``config``) and lints each
model (``model``: input, walk in ``flow``, the ``checks``, ``unused`` layers, what a size-less
model can be told, ``sizeless``), keeps what ``selection`` wants; ``messages`` holds one class
per code (from convcalc/codes.py), ``reporter`` the text / json / github / sarif / gitlab
formats. ``pool`` lints the files of a run, from the per-file ``cache`` or on every core;
``notebook`` lints a notebook as its module and places its messages in cells.
"""
from __future__ import annotations

import sys
import types


class _LintPackage(types.ModuleType):
    """``convcalc.lint`` is this package and the API's function at once: ``convcalc.lint(source)``
    calls convcalc.api.lint (docs/api.md), whichever of the two the name was bound to first."""

    def __call__(self, *args, **kwargs):
        from convcalc.api import lint

        return lint(*args, **kwargs)


sys.modules[__name__].__class__ = _LintPackage


def main(paths, select=None, ignore=None, exclude=(), input_dims=None, fmt="text", verbose=False,
         list_codes=False, strict=False, quiet=False, stats=False, exit_zero=False, stdin_filename=None,
         coloured=False, cache=True, jobs=None) -> tuple:
    """(stdout text, stderr lines, exit code) of one `convcalc lint` run; usage errors raise UsageError."""
    from convcalc.errors import UsageError, printable
    from convcalc.lint.reporter import FORMATS, codes_table, report
    from convcalc.lint.runner import Options, lint
    from convcalc.lint.selection import split_codes

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if list_codes:
        return codes_table(fmt), [], 0
    if not paths:
        raise UsageError("give at least one PATH (a file or a directory), or --list-codes")
    from convcalc.lint.config import MAX_PATTERNS

    if len(exclude) > MAX_PATTERNS:
        raise UsageError(f"--exclude given {len(exclude):,} times; at most {MAX_PATTERNS:,}")
    from convcalc.lint.globs import too_long

    problem = too_long(exclude, "--exclude")
    if problem:
        raise UsageError(problem)
    options = Options(split_codes(select), split_codes(ignore), tuple(exclude), input_dims, verbose, strict,
                      stdin_filename, cache, jobs)
    result = lint(paths, options)
    # a warning is one line whatever its path holds (a newline would start a workflow command in a CI log)
    errors = [printable(line) for line in result.warnings + result.outside + result.unread_dirs] + \
        list(result.failures)
    code = 0 if exit_zero and result.exit_code == 1 else result.exit_code  # --exit-zero: findings exit 0
    return report(result, fmt, verbose, quiet, stats, coloured), errors, code
