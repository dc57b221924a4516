"""``torch.autograd.Function`` subclasses of a file (a memory-efficient Swish: ``forward(ctx, i)``
computes ``i * torch.sigmoid(i)`` and saves ``i`` for its own ``backward``): ``Cls.apply(x)`` runs
the class's static ``forward`` on a context whose saving calls keep nothing, as torch runs it
without gradients. ``backward`` never runs: nothing convcalc computes goes backwards."""
from __future__ import annotations

from convcalc.frontends.python.pyobjects import Args, Builtin, Function, Ref, Value, call
from convcalc.frontends.python.reasons import Unfollowable

FUNCTION_BASES = ("torch.autograd.Function", "torch.autograd.function.Function")
# the context's methods: each marks tensors for backward and returns None
CONTEXT_METHODS = ("save_for_backward", "mark_dirty", "mark_non_differentiable", "set_materialize_grads",
                   "save_for_forward")


class Context(Value):
    """``ctx`` of a Function's forward: its saving calls keep nothing; what forward sets on it is kept."""

    def __init__(self):
        self.attrs: dict = {}

    def describe(self) -> str:
        return "the context of an autograd Function"

    def attr(self, frame, name, node):
        if name in self.attrs:
            return self.attrs[name]
        if name in CONTEXT_METHODS:
            return Builtin(name, lambda f, args, n: None)
        raise Unfollowable(f"ctx.{name} of an autograd Function", node)

    def set_attr(self, frame, name, value, node):
        self.attrs[name] = value


def is_autograd_function(cls) -> bool:
    from convcalc.frontends.python.pyclasses import ClassInfo

    return any(isinstance(base, Ref) and base.qname in FUNCTION_BASES for c in cls.mro() if isinstance(c, ClassInfo)
               for base in c.bases)


def autograd_apply(cls):
    """``Cls.apply`` of a Function subclass whose forward is a static method of the file; else None."""
    if not is_autograd_function(cls):
        return None
    forward = cls.lookup("forward")
    if not isinstance(forward, Function) or forward.kind != "staticmethod":
        return None
    return Builtin("apply", lambda frame, args, node: call(frame, forward, Args([(Context(), node)] +
                                                                                list(args.positional),
                                                                                list(args.keywords)), node))
