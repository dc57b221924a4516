"""Binding a call's arguments to parameters, as Python does: one mechanism for a layer's
PyTorch signature, a ``def`` of the description language and a function the Python frontend
interprets, so that all three word their refusals alike.
"""
from __future__ import annotations

from convcalc.errors import did_you_mean

MISSING = object()  # what ``default(name, bound)`` answers for a parameter without a default


class BindError(Exception):
    """A call that does not fit its signature; ``key`` is the keyword at fault, if one is."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.key = key


def bind(function: str, names, args, kwargs, default, *, varargs: bool = False, varkw: bool = False,
         keyword_only=()) -> tuple:
    """(bound, extra positional, extra keywords): ``args`` by position into ``names``, ``kwargs``
    by name (into ``names`` and ``keyword_only``), then ``default(name, bound)`` for the rest,
    in order (a default may read the parameters bound before it). ``varargs`` and ``varkw``
    collect what is left, as ``*args`` and ``**kwargs`` do; without them it is an error."""
    names = list(names)
    if len(args) > len(names) and not varargs:
        raise BindError(f"{function} takes at most {len(names)} positional argument{'s' if len(names) != 1 else ''}"
                        f" ({', '.join(names) or 'none'}) but {len(args)} were given")
    bound = dict(zip(names, args))
    accepted = names + list(keyword_only)
    known = set(accepted)  # a set: a def of 20,000 parameters must not bind in quadratic time
    extra = {}
    for key, value in kwargs.items():
        if key in bound:
            raise BindError(f"{function} got {key!r} both by position and by keyword", key)
        if key in known:
            bound[key] = value
        elif varkw:
            extra[key] = value
        else:
            hint = did_you_mean(key, accepted, f"; it takes {', '.join(accepted)}" if accepted else "", cutoff=0.5)
            raise BindError(f"{function} has no argument {key!r}{hint}", key)
    for name in accepted:
        if name not in bound:
            value = default(name, bound)
            if value is MISSING:
                raise BindError(f"{function} is missing its argument {name!r}")
            bound[name] = value
    return bound, tuple(args[len(names):]), extra
