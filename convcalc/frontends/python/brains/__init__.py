"""What the interpreter knows of the libraries model files import, one module per library (as
astroid has a "brain" per library): torch (torch_nn: nn modules; torch_tensors: torch's
functions and tensors), the standard library (stdlib), numpy and einops.

A library's names are :class:`~convcalc.frontends.python.pyobjects.Ref` values by their
qualified names; calling one comes here (:func:`call_ref`), and so do the operators on a value
only a library defines (a tensor, a constant tensor). A name no brain knows is "not followed",
with its name."""
from __future__ import annotations

from convcalc.frontends.python.pyobjects import Value
from convcalc.frontends.python.reasons import Unfollowable

# qualified name -> handler(frame, qname, args, node), filled by each brain's register()
CALLS: dict = {}
# a prefix of qualified names -> handler, for whole modules (math.*, torch.nn.init.*)
PREFIXES: list = []
# qualified name -> its value when read (math.pi, torch.float32 stays a Ref)
CONSTANTS: dict = {}
# the names `from X import *` binds, per module
STARS: dict = {}


def register(names, handler) -> None:
    for name in names.split() if isinstance(names, str) else names:
        CALLS[name] = handler


def register_prefix(prefix: str, handler) -> None:
    PREFIXES.append((prefix, handler))


_loaded = False


def load() -> None:
    """Import every brain once (each registers its names)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from convcalc.frontends.python.brains import numpy_brain, stdlib, torch_nn, torch_tensors  # noqa: F401
    from convcalc.frontends.python.brains import einops_brain  # noqa: F401  (after torch's: its spellings win)
    from convcalc.frontends.python.brains import inspect_brain  # noqa: F401
    from convcalc.frontends.python.brains import torch_weights  # noqa: F401  (F.conv2d of a layer's own weight)
    from convcalc.frontends.python.brains import data_inputs  # noqa: F401  (the data a script feeds its model)
    from convcalc.frontends.python.brains import torchvision_brain  # noqa: F401  (torchvision.models.resnet18())


def handler_for(qname: str):
    load()
    found = CALLS.get(qname)
    if found is not None:
        return found
    short = qname.rsplit(".", 1)[-1]
    from convcalc.frontends.python.brains.torch_nn import HELPERS

    if short in HELPERS:
        return HELPERS[short]
    for prefix, handler in PREFIXES:
        if qname == prefix or qname.startswith(prefix + "."):
            return handler
    from convcalc.frontends.python.brains.torch_nn import module_class_handler

    return module_class_handler(qname)


FALLBACKS: list = []  # handlers tried for a call no brain knows; each returns a value or None


def register_fallback(handler) -> None:
    FALLBACKS.append(handler)


def call_ref(frame, qname: str, args, node):
    handler = handler_for(qname)
    if handler is None:
        for fallback in FALLBACKS:  # a data set of an unknown library made with the file's transform
            made = fallback(frame, qname, args, node)
            if made is not None:
                return made
        raise Unfollowable(f"{qname} is not followed", node)
    return handler(frame, qname, args, node)


def constant_of(qname: str):
    load()
    return CONSTANTS.get(qname)


def ref_type(qname: str):
    """What ``type()`` of a library's name is, when a brain knows it is a class; None otherwise."""
    from convcalc.frontends.python.brains.torch_nn import is_torch_class

    if is_torch_class(qname):
        from convcalc.frontends.python.pyclasses import TYPE

        return TYPE
    return None


def star_names(base: str):
    load()
    maker = STARS.get(base)
    return maker() if maker is not None else None


def passes_through(value) -> bool:
    """A decorator convcalc does not follow (a library's, registering or annotating the function)."""
    if not isinstance(value, Value):
        return False
    from convcalc.frontends.python.pyobjects import Ref

    return isinstance(value, Ref) and handler_for(value.qname) is None


def library_isinstance(frame, value, kind, node) -> bool:
    from convcalc.frontends.python.brains.torch_isinstance import isinstance_library

    return isinstance_library(frame, value, kind, node)


def library_issubclass(frame, cls, kind, node) -> bool:
    from convcalc.frontends.python.brains.torch_isinstance import issubclass_library

    return issubclass_library(frame, cls, kind, node)


def value_binop(frame, op: str, a, b, node):
    from convcalc.frontends.python.brains.torch_tensors import binop

    return binop(frame, op, a, b, node)


def value_unary(frame, op: str, value, node):
    from convcalc.frontends.python.brains.torch_tensors import unary

    return unary(frame, op, value, node)


def value_compare(frame, op: str, a, b, node):
    """A comparison a library's value answers (tensors: not followed); None: Python's rules."""
    from convcalc.frontends.python.brains.torch_tensors import compare

    return compare(frame, op, a, b, node)


def value_to_number(frame, value, kind, node):
    from convcalc.frontends.python.brains.torch_tensors import to_number

    return to_number(frame, value, kind, node)
