"""isinstance and issubclass against the classes of torch and other libraries: torch.Tensor, an nn
class (by the layer a module is, or its file class's bases), the abstract types of typing and
collections.abc, functools.partial, the types module's function types."""
from __future__ import annotations

from convcalc.frontends.python.pyclasses import ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Args, Partial, Ref
from convcalc.frontends.python.reasons import Unfollowable
from convcalc.frontends.python.tensors import Tensor
from convcalc.frontends.python.torchobjects import (Constant, Layer, Module, ModuleDict, ModuleList, Parameter,
                                                     Sequential, is_module)

ENUMS = ("enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag")


def isinstance_library(frame, value, kind, node) -> bool:
    """isinstance against a class of a library: torch.Tensor, an nn class, an abstract type."""
    if not isinstance(kind, Ref):
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, "isinstance() arg 2 must be a type, a tuple of types, or a union", node)
    qname = kind.qname
    if qname in ("torch.Tensor", "torch.nn.Parameter", "torch.nn.parameter.Parameter"):
        if qname == "torch.Tensor":
            return isinstance(value, (Tensor, Constant, Parameter))
        return isinstance(value, Parameter)
    if qname in ("collections.abc.Callable", "typing.Callable"):
        from convcalc.frontends.python.builtins import BUILTINS

        return BUILTINS["callable"].call(frame, Args.of(value), node)
    from convcalc.frontends.python.brains.abc_types import isinstance_abstract

    found = isinstance_abstract(value, qname, node)  # collections.abc, typing, numbers
    if found is not None:
        return found
    if isinstance(value, (Module, Instance)) and qname.startswith("torch.nn"):
        return module_is(value, qname)
    if qname == "functools.partial":
        return isinstance(value, Partial)
    if qname in ("enum.EnumMeta", "enum.EnumType"):  # an enum class itself (monai's look_up_option)
        return isinstance(value, ClassInfo) and value.enum is not None
    if qname in ENUMS:
        return isinstance(value, Instance) and value.cls.enum is not None and (qname == "enum.Enum" or any(
            isinstance(b, Ref) and b.qname == qname for c in value.cls.mro() if isinstance(c, ClassInfo) for b in c.bases))
    from convcalc.frontends.python.brains.inspect_brain import TYPES_MODULE, types_isinstance

    if qname in TYPES_MODULE:
        return types_isinstance(value, qname, node)
    if qname.startswith("torch."):
        return False
    from convcalc.symbolic import dims

    if value is None or type(value) in (bool, int, float, str, bytes, list, tuple, dict, set, frozenset) or \
            dims.is_symbolic(value):
        return False  # Python's own value is an instance of no library's class (np.ndarray)
    if isinstance(value, (Layer, Tensor, Constant, Parameter, Sequential, ModuleList, ModuleDict)):
        return False  # torch's objects derive from no other library's class (inplace_abn.InPlaceABN)
    if isinstance(value, Instance) and not value.cls.library_based():
        return False  # a file class whose bases are all the file's own or Python's
    raise Unfollowable(f"isinstance against {qname}", node)


def module_is(value, qname: str) -> bool:
    """isinstance of a module against an nn class: by the layer it is (the catalogue answers), or
    its file class's bases."""
    from convcalc.layers.catalogue import instance_of

    short = qname.rsplit(".", 1)[-1]
    if short == "Module":
        return is_module(value)
    if isinstance(value, Layer):
        return instance_of(value.name, short)
    if isinstance(value, Instance):
        if value.base is not None and instance_of(value.base.name, short):
            return True
        return any(isinstance(b, Ref) and b.qname == qname for c in value.cls.mro() if isinstance(c, ClassInfo)
                   for b in c.bases) or (short == "Sequential" and value.cls.container == "sequential")
    return {"Sequential": Sequential, "ModuleList": ModuleList, "ModuleDict": ModuleDict}.get(short) is type(value)


def issubclass_library(frame, cls, kind, node) -> bool:
    if isinstance(kind, Ref) and isinstance(cls, ClassInfo):
        return any(isinstance(b, Ref) and b.qname == kind.qname for c in cls.mro() if isinstance(c, ClassInfo)
                   for b in c.bases) or (kind.qname in ("torch.nn.Module",) and cls.module)
    return False
