"""The layer catalogue: each layer's PyTorch signature, shape rule and parameter rule.

A family module registers its layers with ``@register(names, required, defaults)``; the
rule receives the bound arguments (``Args``) and the incoming shape of one sample
(channels first, no batch) and returns a ``Result`` or raises ``LayerError``.
"""
from __future__ import annotations

import math
from typing import Optional

from convcalc.symbolic.dims import Dim, is_symbolic, render
from convcalc.errors import ConvcalcError, Record

REQUIRED = object()


class LayerError(ConvcalcError):
    """A problem in one layer; ``arg`` names the argument to point at, if any."""

    def __init__(self, code: str, message: str, arg: Optional[str] = None):
        super().__init__(code, message)
        self.arg = arg


class Result:
    """What a layer rule returns."""

    __slots__ = ("shape", "params", "buffers", "formula", "kind", "geometry", "global_pool", "warnings",
                 "trainable")

    def __init__(self, shape: tuple, params: Dim = 0, buffers: Dim = 0, formula: str = "", kind: str = "other",
                 geometry: Optional[tuple] = None, global_pool: bool = False, warnings: Optional[list] = None,
                 trainable: bool = True):
        self.shape = shape
        self.params = params
        self.buffers = buffers
        self.formula = formula  # the parameter count with the numbers filled in: 32*(3*3*3) + 32
        self.kind = kind  # conv, linear or other: how mult-adds are counted
        self.geometry = geometry  # per spatial dim (effective kernel, stride, left padding)
        self.global_pool = global_pool  # the output sees the whole input (adaptive pool to 1)
        self.warnings = [] if warnings is None else warnings  # (code, message, arg or None)
        self.trainable = trainable


class LayerSpec(Record):
    """name; params: ((name, default or REQUIRED), ...) in PyTorch's order; rule; family;
    var_args: Identity(*args, **kwargs)."""

    __slots__ = ("name", "params", "rule", "family", "var_args")
    _defaults = {"var_args": False}

    def bind(self, args: tuple, kwargs: dict) -> "Args":
        """Bind like Python: positional, then keywords, then defaults."""
        names = [p for p, _ in self.params]
        if self.var_args:
            return Args(self.name, {})
        if len(args) > len(names):
            raise LayerError("CC002", f"{self.name} takes at most {len(names)} positional arguments "
                                      f"({', '.join(names)}) but {len(args)} were given")
        bound = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                import difflib  # only on an error: keeps start-up lean

                close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
                hint = f"; did you mean {' or '.join(close)}?" if close else f"; it takes {', '.join(names)}"
                raise LayerError("CC002", f"{self.name} has no argument {key!r}{hint}", arg=key)
            if key in bound:
                raise LayerError("CC002", f"{self.name} got {key!r} both by position and by keyword", arg=key)
            bound[key] = value
        for name, default in self.params:
            if name not in bound:
                if default is REQUIRED:
                    raise LayerError("CC002", f"{self.name} is missing its argument {name!r}")
                bound[name] = default
        return Args(self.name, bound)


REGISTRY: dict[str, LayerSpec] = {}


def register(names, required: str = "", family: str = "", var_args: bool = False, **defaults):
    """``required`` is a space-separated list; ``defaults`` keep PyTorch's order."""
    if isinstance(names, str):
        names = names.split()

    def wrap(rule):
        params = tuple((p, REQUIRED) for p in required.split()) + tuple(defaults.items())
        for name in names:
            REGISTRY[name] = LayerSpec(name, params, rule, family or rule.__module__.rsplit(".", 1)[-1], var_args)
        return rule

    return wrap


def lookup(name: str) -> Optional[LayerSpec]:
    load_catalogue()
    return REGISTRY.get(name)


def close_names(name: str, extra=()) -> list[str]:
    import difflib

    load_catalogue()
    pool = list(REGISTRY) + list(extra)
    close = difflib.get_close_matches(name, pool, n=3, cutoff=0.6)
    if not close:
        close = [c for c in pool if c.lower() == name.lower()]
    return close


_loaded = False


def load_catalogue() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from convcalc.layers import activation, conv, dense, norm, pool, resample  # noqa: F401


# ---------------------------------------------------------------- argument checks


def is_int(value) -> bool:
    return type(value) is int


def is_size(value) -> bool:
    return type(value) is int or is_symbolic(value)


def fmt_value(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str):
        return repr(value)
    return render(value) if is_symbolic(value) else str(value)


def fmt_shape(shape) -> str:
    """3x32x32; with formulas, 32 x floor(H/2) x floor(W/2) stays readable."""
    if not shape:
        return "()"
    return (" x " if any(is_symbolic(d) for d in shape) else "x").join(render(d) for d in shape)


class Args:
    """Bound arguments with typed accessors that raise CC002 naming the argument."""

    def __init__(self, layer: str, values: dict):
        self.layer = layer
        self.values = values

    def __getitem__(self, name):
        return self.values[name]

    def bad(self, name: str, wanted: str) -> LayerError:
        return LayerError("CC002", f"{self.layer} argument {name}={fmt_value(self.values[name])} "
                                   f"must be {wanted}", arg=name)

    def size(self, name: str, minimum: int = 1) -> Dim:
        value = self.values[name]
        if not is_size(value):
            raise self.bad(name, "an integer")
        if is_int(value) and value < minimum:
            raise self.bad(name, f"at least {minimum}")
        return value

    def int(self, name: str, minimum: Optional[int] = None) -> int:
        value = self.values[name]
        if not is_int(value):
            raise self.bad(name, "an integer")
        if minimum is not None and value < minimum:
            raise self.bad(name, f"at least {minimum}")
        return value

    def ints(self, name: str, n: int, minimum: int = 0) -> tuple:
        """An int or a tuple of n ints (kernel_size=3 or (3, 5))."""
        value = self.values[name]
        items = (value,) * n if is_int(value) else value
        if not isinstance(items, tuple) or len(items) != n or not all(is_int(v) for v in items):
            raise self.bad(name, f"an integer or a tuple of {n} integers")
        if any(v < minimum for v in items):
            raise self.bad(name, f"at least {minimum}")
        return items

    def bool(self, name: str) -> bool:
        value = self.values[name]
        if not isinstance(value, bool):
            raise self.bad(name, "True or False")
        return value

    def number(self, name: str, low: Optional[float] = None, high: Optional[float] = None) -> float:
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.bad(name, "a number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.bad(name, f"between {low} and {high}" if high is not None else f"at least {low}")
        return value

    def choice(self, name: str, options) -> str:
        value = self.values[name]
        if value not in options or not isinstance(value, (str, type(None))):
            raise self.bad(name, "one of " + ", ".join(repr(o) for o in options))
        return value


def expect_rank(layer: str, shape: tuple, ranks, what: str) -> None:
    """ranks: the allowed numbers of per-sample dimensions."""
    if len(shape) not in ranks:
        raise LayerError("CC106", f"{layer} expects {what} per sample but receives {fmt_shape(shape)} "
                                  f"({len(shape)}-d)")


def expect_channels(layer: str, arg: str, wanted: Dim, shape: tuple) -> None:
    got = shape[0]
    if is_int(wanted) and is_int(got) and wanted != got:
        raise LayerError("CC101", f"{layer} expects {wanted} input channels ({arg}={wanted}) but receives "
                                  f"{got} channel{'s' if got != 1 else ''} (input {fmt_shape(shape)})", arg=arg)


_products: dict = {}  # symbolic shape -> its product: a deep network multiplies the same few shapes again and again


def product(values) -> Dim:
    values = tuple(values)
    if all(type(v) is int for v in values):
        return math.prod(values)
    if values in _products:
        return _products[values]
    total: Dim = 1
    for v in values:
        total = total * v
    if len(_products) >= 4096:
        _products.clear()
    _products[values] = total
    return total
