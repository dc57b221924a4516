"""A layer call's arguments, worked out once per program when they are constants.

A search walks one network many times (lint and `convcalc inputs`: once per size tried, and
several symbolic walks), and a deep network's calls are mostly constants (``MaxPool2d(2)``,
``Conv2d(64, 128, 3, padding=1)``): evaluating and binding their arguments again at every walk
was a tenth of an integer walk. A call whose arguments read no name (nothing the scope or the
walk's sizes decide) gives the same values at every walk, so its evaluated arguments and the
layer's bound arguments are kept with the program, the first time they succeed (an error is
raised again at each walk, as before). Each program has its own: nothing passes from one file
to another. A kept entry holds its statement, so an id is never reused while it is kept.
"""
from __future__ import annotations

from convcalc import nodes as n

MAX_PROGRAMS = 16  # programs whose constants are kept (a lint run's files: one at a time per process)
LEAVES = (n.Num, n.Float, n.Str, n.Const)


def is_constant(node) -> bool:
    """Whether an argument's value is the same in every scope: numbers, strings, constants, and
    tuples, signs and arithmetic of those (an explicit stack: an argument may be nested deep)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, LEAVES):
            continue
        if isinstance(item, n.TupleExpr):
            stack.extend(item.items)
        elif isinstance(item, n.Unary):
            stack.append(item.operand)
        elif isinstance(item, n.BinOp):
            stack.extend((item.left, item.right))
        else:  # a name, a size of a Python forward, a layer object: read from the walk
            return False
    return True


class Fixed:
    """A constant call's evaluated arguments (``args`` a tuple, ``kwargs`` a dict, never changed),
    and once the walk got there, a layer's forward arguments (``call_kwargs``, evaluated after the
    layer's checks, as they always were) and its bound arguments (the first walk's Args: the later
    walks bind copies of it, layers/registry.Args.fresh)."""

    __slots__ = ("stmt", "args", "kwargs", "call_kwargs", "bound")

    def __init__(self, stmt, args: tuple, kwargs: dict):
        self.stmt, self.args, self.kwargs = stmt, args, kwargs
        self.call_kwargs, self.bound = None, None


class Constants:
    """The constant calls of one program: id(statement) -> Fixed, or False (not constant)."""

    def __init__(self):
        self.calls: dict = {}

    def of(self, stmt: n.Call, evaluate):
        """The Fixed of ``stmt`` (its arguments evaluated by ``evaluate`` the first time), or None
        when they are not constants. An evaluation that fails raises, and is tried again next walk."""
        found = self.calls.get(id(stmt))
        if found is not None and (found is False or found.stmt is stmt):
            return found or None
        if not all(is_constant(a) for a in stmt.args) or \
                not all(is_constant(v) for _, v, _ in stmt.kwargs) or \
                not all(is_constant(v) for _, v, _ in stmt.call_kwargs):
            self.calls[id(stmt)] = False
            return None
        fixed = Fixed(stmt, tuple(evaluate(a) for a in stmt.args), {k: evaluate(v) for k, v, _ in stmt.kwargs})
        self.calls[id(stmt)] = fixed
        return fixed


_KEPT: dict = {}  # id(program) -> (program, its Constants)


def constants_of(program) -> Constants:
    """The Constants of ``program``, shared by its walks (the program is kept with them)."""
    kept = _KEPT.get(id(program))
    if kept is not None and kept[0] is program:
        return kept[1]
    if len(_KEPT) >= MAX_PROGRAMS:
        _KEPT.clear()
    made = Constants()
    _KEPT[id(program)] = (program, made)
    return made
