"""convcalc: shapes, parameter counts and shape errors of CNNs, without PyTorch.

The Python API (docs/api.md): ``convcalc.summary(source, model=None, input_size=None)`` returns a
``Summary``; ``convcalc.lint(source)`` the findings. They are loaded on first use, so that
``import convcalc`` (and every command) stays as cheap as it was."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Finding", "Row", "SourceError", "Summary", "lint", "summary", "__version__"]

_API = {"summary", "lint", "Summary", "Finding", "Row", "SourceError"}


def __getattr__(name: str):
    if name == "lint":  # the lint package, which calls convcalc.api.lint when called
        import importlib

        return importlib.import_module("convcalc.lint")
    if name in _API:
        from convcalc import api

        return getattr(api, name)
    raise AttributeError(f"module 'convcalc' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | _API)
