"""isinstance against the abstract types of collections.abc, typing and numbers (monai's
look_up_option asks ``isinstance(supported, Collection)``), answered as Python answers it: for
Python's own values by the real abstract class; for an object of a file class as the abstract
class's ``__subclasshook__`` does (the methods its class defines: ``__iter__`` makes it
Iterable) or by its bases; for a tensor and a module by what torch's classes define. What is
not known here is not followed, never guessed False."""
from __future__ import annotations

import collections.abc
import numbers
from typing import Optional

from convcalc.frontends.python.pyclasses import ClassInfo, Instance
from convcalc.frontends.python.pyobjects import Generator, Ref
from convcalc.frontends.python.reasons import Unfollowable

# typing's aliases of a concrete type
CONCRETE = {"typing.List": list, "typing.Tuple": tuple, "typing.Dict": dict, "typing.Set": set,
            "typing.FrozenSet": frozenset, "typing.Type": type, "collections.OrderedDict": dict}
# the abstract classes whose __subclasshook__ reads the methods a class defines (one trick each)
METHODS = {"Hashable": ("__hash__",), "Iterable": ("__iter__",), "Sized": ("__len__",),
           "Container": ("__contains__",), "Callable": ("__call__",), "Reversible": ("__reversed__", "__iter__"),
           "Collection": ("__len__", "__iter__", "__contains__"), "Iterator": ("__next__", "__iter__"),
           "Awaitable": ("__await__",)}
# torch.Tensor defines __hash__, __iter__, __len__, __contains__ and __reversed__; it is no Sequence
TENSOR = {"Hashable": True, "Iterable": True, "Sized": True, "Container": True, "Collection": True,
          "Reversible": True, "Callable": False, "Iterator": False, "Sequence": False, "MutableSequence": False,
          "Mapping": False, "MutableMapping": False, "Set": False, "MutableSet": False, "Awaitable": False}


def abstract(qname: str):
    """The class of the standard library ``qname`` names (collections.abc.Sequence, typing.Sequence,
    numbers.Integral, typing.List), or None."""
    if qname in CONCRETE:
        return CONCRETE[qname]
    module, _, name = qname.rpartition(".")
    if module in ("collections.abc", "typing") and isinstance(getattr(collections.abc, name, None), type):
        return getattr(collections.abc, name)
    if module == "numbers" and isinstance(getattr(numbers, name, None), type):
        return getattr(numbers, name)
    return None


def isinstance_abstract(value, qname: str, node) -> Optional[bool]:
    """isinstance(value, the abstract class qname names); None when qname names none."""
    from convcalc.frontends.python.tensors import Tensor
    from convcalc.frontends.python.torchobjects import Constant, Module, Parameter
    from convcalc.symbolic import dims

    kind = abstract(qname)
    if kind is None:
        return None
    name = qname.rpartition(".")[2]
    if value is None or type(value) in (bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset, range):
        return isinstance(value, kind)  # a tuple of interpreter values: isinstance never looks inside
    if dims.is_symbolic(value):  # a size of the input: an int
        return isinstance(0, kind)
    if isinstance(value, Instance):
        if value.native is not None:
            return isinstance(value.native, kind)
        return class_is(value.cls, kind, name)
    if isinstance(value, (Tensor, Constant, Parameter)) and name in TENSOR:
        return TENSOR[name]
    if isinstance(value, Generator) and name in ("Iterable", "Iterator", "Hashable", "Generator"):
        return name != "Generator" or type(value) is Generator
    if isinstance(value, Module) and name in ("Hashable", "Callable"):
        return True
    if isinstance(value, ClassInfo) and name in ("Hashable", "Callable"):
        return True
    raise Unfollowable(f"isinstance of {type(value).__name__} against {qname}", node)


def class_is(cls: ClassInfo, kind, name: str) -> bool:
    """An object of a file class against an abstract class: by a base of the library (class
    Cfg(Mapping)), else by the methods its classes define, as the one-trick hooks read them."""
    for c in cls.mro():
        if isinstance(c, ClassInfo) and any(isinstance(b, Ref) and abstract(b.qname) is not None and
                                            issubclass(abstract(b.qname), kind) for b in c.bases):
            return True
    if name not in METHODS:
        return False
    if name == "Hashable":  # a class that defines __eq__ and no __hash__ has __hash__ = None
        return not (cls.lookup("__eq__") is not None and cls.lookup("__hash__") is None)
    return all(cls.lookup(method) is not None for method in METHODS[name])
