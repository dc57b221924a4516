"""Why the interpreter stops, as data: what convcalc cannot follow (:class:`Unfollowable`, with a
kind and a place), what the interpreted program itself raises (:class:`Raised`), and the
signals of control flow. No behaviour reads a reason's words: callers test its ``kind``."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import Span


class Why:
    """The kinds of "not followed"."""

    UNSUPPORTED = "unsupported"  # a construct or a call convcalc does not follow
    SIZE = "size"  # a decision on a symbolic size: followed again on concrete sizes when there are some
    UNKNOWN = "unknown"  # a name or value a statement convcalc could not follow may have written
    BUDGET = "budget"  # a step, memory or depth budget ran out
    RAISED = "raised"  # the program raises (a raise statement, or a Python error such as a KeyError)
    CATALOGUE = "catalogue"  # a torch.nn module outside convcalc's catalogue
    NO_INPUT = "no input"  # a size of the input, which was not given


class Unfollowable(Exception):
    """Something convcalc does not follow; ``node`` is the ast node it happened at, ``span`` the
    place when there is no ast node for it (a node of another file: its span is set where the
    call into that file returns)."""

    def __init__(self, reason: str, node=None, span: Optional[Span] = None, kind: str = Why.UNSUPPORTED):
        super().__init__(reason)
        self.reason = reason
        self.node = node
        self.span = span
        self.kind = kind


class OverSteps(Unfollowable):
    """The interpreter's step budget ran out (a loop of 100,000 rounds at module level, say)."""

    def __init__(self, reason: str, node=None, span: Optional[Span] = None):
        super().__init__(reason, node, span, Why.BUDGET)


class Abort(Unfollowable):
    """The program raised and nothing caught it: the function stops, nothing after it is followed."""

    def __init__(self, reason: str, node=None, span: Optional[Span] = None):
        super().__init__(reason, node, span, Why.RAISED)


def size_dependent(reason: str, node=None) -> Unfollowable:
    """A decision on a symbolic size (``if x.size(3) < 13:``): followed again on the given sizes."""
    return Unfollowable(reason, node, kind=Why.SIZE)


class Signal(Exception):
    """Control flow: return, break, continue, and an exception raised by the interpreted program."""


class Return(Signal):
    def __init__(self, value):
        super().__init__()
        self.value = value


class Break(Signal):
    pass


class Continue(Signal):
    pass


class Raised(Signal):
    """An exception the interpreted program raises (``raise ValueError(...)``, or a Python error the
    interpreter met, as CPython would raise it: a KeyError, a ZeroDivisionError): ``value`` is the
    exception object (an instance of a builtin or a user exception class); ``except`` clauses
    catch it. Uncaught, it ends what is followed (Abort). ``span``: its place, set where it leaves
    the file ``node`` is in (as Unfollowable's)."""

    def __init__(self, value, node=None):
        super().__init__()
        self.value = value
        self.node = node
        self.span: Optional[Span] = None
