"""``inspect``'s questions about a value that model files ask to choose what to build
(pytorchcv's ``create_normalization_layer``: ``isfunction(normalization)`` tells a lambda that
makes a layer from a layer). Answered only where the value's kind is known; a library's name
(a Ref) may be a function or a class of C code: not guessed."""
from __future__ import annotations

from convcalc.frontends.python.brains import register
from convcalc.frontends.python.pyclasses import BuiltinType, ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Args, BoundMethod, Builtin, Function, Partial, describe
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.tensors import Tensor
from convcalc.frontends.python.torchobjects import Constant, Module

# values whose kind is known: neither a function, nor a class, nor a method
PLAIN = (Instance, Module, Tensor, Constant, Partial, Builtin, int, float, complex, str, bytes, bool, type(None), list, tuple,
         dict, set, frozenset)
# inspect's question -> the kinds of value it answers True for
QUESTIONS = {"isfunction": (Function,), "isclass": (ClassInfo, BuiltinType), "ismethod": (BoundMethod,)}
KNOWN = (Function, ClassInfo, BuiltinType, BoundMethod) + PLAIN


def ask(frame, qname: str, args: Args, node):
    name = qname.rsplit(".", 1)[-1]
    if len(args.values) != 1 or args.keywords:
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"{name}() takes 1 positional argument but {len(args)} were given", node)
    value = args.values[0]
    if not isinstance(value, KNOWN):
        raise Unfollowable(f"inspect.{name} of {describe(value)}", node)
    return isinstance(value, QUESTIONS[name])


register([f"inspect.{name}" for name in QUESTIONS], ask)
