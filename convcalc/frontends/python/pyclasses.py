"""Classes: the file's own (:class:`ClassInfo`) with Python's method resolution order, their
instances, ``super()``, and Python's builtin types (``int``, ``dict``, ``ValueError``, ...) as
values a program compares, calls and derives from.

A class derived from ``nn.Module`` (or a container, a catalogue layer, Lightning's module) is a
module class: its instances are the models and blocks convcalc follows (torchobjects.py)."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc.frontends.python.pyobjects import Args, BoundMethod, Builtin, Function, Ref, Unknown, Value, call, \
    describe
from convcalc.frontends.python.reasons import Unfollowable

# the bases that make a class an nn.Module: torch's, and Lightning's LightningModule (an nn.Module
# subclass, whose forward is a module's; its training hooks are never run)
MODULE_BASES = ("torch.nn.Module", "nn.Module", "torch.nn.modules.module.Module", "pytorch_lightning.LightningModule",
                "pytorch_lightning.core.LightningModule", "lightning.pytorch.LightningModule",
                "lightning.LightningModule", "lightning.pytorch.core.LightningModule", "torch.jit.ScriptModule")
# the nn containers a model class may derive from, and the kind of each
CONTAINERS = {"torch.nn.Sequential": "sequential", "torch.nn.ModuleList": "list", "torch.nn.ModuleDict": "dict"}


MAX_MRO = 1_000  # classes in one method resolution order (CPython keeps each class's: n**2 memory)


class MroError(Unfollowable):
    """Bases C3 cannot order: Python's TypeError where the class statement runs (classdefs.py)."""


def c3(cls) -> list:
    """Python's C3 linearization of ``cls`` and its bases (builtin types and foreign bases at their
    places); a hierarchy C3 refuses is a TypeError in Python: not followed here. Linear in the
    orders merged: each sequence is read from a cursor, and how often each class sits in a tail
    is counted (a 1,000-class chain took 8 s by list scans)."""
    bases = [b for b in cls.bases if isinstance(b, (ClassInfo, BuiltinType))]
    if len(bases) == 1:  # single inheritance: the base's order after the class
        out = [cls] + bases[0].mro()
    else:
        out = [cls] + merge([list(b.mro()) for b in bases] + [list(bases)], cls)
    if len(out) > MAX_MRO:
        raise Unfollowable(f"{cls.name} derives from more than {MAX_MRO:,} classes; convcalc stops there", cls.node)
    return out


def merge(sequences: list, cls) -> list:
    """C3's merge: repeatedly the first head that is in no sequence's tail."""
    at = [0] * len(sequences)
    in_tails: dict = {}
    for seq in sequences:
        for item in seq[1:]:
            in_tails[id(item)] = in_tails.get(id(item), 0) + 1
    out = []
    while True:
        live = [i for i, seq in enumerate(sequences) if at[i] < len(seq)]
        if not live:
            return out
        head = next((sequences[i][at[i]] for i in live if not in_tails.get(id(sequences[i][at[i]]))), None)
        if head is None:
            raise MroError(f"the bases of {cls.name} have no consistent method resolution order", cls.node)
        out.append(head)
        for i in live:
            if sequences[i][at[i]] is head:
                at[i] += 1
                if at[i] < len(sequences[i]):  # the next one leaves this tail: it is the head now
                    in_tails[id(sequences[i][at[i]])] -= 1


class ClassInfo(Value):
    """A class of the file: ``bases`` are ClassInfo, BuiltinType or Ref (a class of a library);
    ``module``: an nn.Module subclass; ``container``: "sequential", "list" or "dict" for a subclass
    of that nn container; ``foreign``: a base convcalc does not follow; ``layer``: a subclass of
    this catalogue layer (LayerNorm2d(nn.LayerNorm)); ``fields``: a dataclass's fields."""

    def __init__(self, name: str, node, bases: list, namespace: dict):
        self.name = name
        self.node = node
        self.bases = bases
        self.namespace = namespace
        self.module = False
        self.container: Optional[str] = None
        self.foreign: Optional[str] = None
        # library classes after an nn.Module base (class Model(nn.Module, PyTorchModelHubMixin)): mixins
        # whose methods the model does not call in building or forward; a name only they may give stops
        self.mixins: tuple = ()
        self.dataset = False  # a torch.utils.data.Dataset of the file: its object is kept when __init__ stops
        self.fields: Optional[dict] = None  # a @dataclass's fields: name -> default (binding.MISSING: none)
        self.layer: Optional[str] = None
        self.path = ""  # the file it is written in
        self.qualname = name
        self.enum: Optional[dict] = None  # an Enum's members, by name
        self.enum_type = None  # the type an IntEnum's (StrEnum's) members are: int (str)
        self.namedtuple: Optional[tuple] = None  # a namedtuple's fields
        self.new_defaults: Optional[dict] = None  # what its __new__.__defaults__ was set to (field -> default)
        self._mro: Optional[list] = None
        self._hashing: Optional[str] = None
        self.mro()  # now, while the bases' orders are known: no deep recursion later

    def mro(self) -> list:
        if self._mro is None:
            self._mro = c3(self)
        return self._mro

    def lookup(self, name: str):
        for cls in self.mro():
            if isinstance(cls, ClassInfo) and name in cls.namespace:
                return cls.namespace[name]
        return None

    def defines(self, name: str) -> bool:
        """Whether the class or a base of the file sets ``name`` (to None, too: lookup cannot say)."""
        return any(isinstance(cls, ClassInfo) and name in cls.namespace for cls in self.mro())

    def hashing(self) -> str:
        """How Python hashes the instances: "identity", "own" (a __hash__ of the class), or "none"
        (a class that defines __eq__ without __hash__, or sets __hash__ = None, is unhashable)."""
        if self._hashing is None:
            order = [c for c in self.mro() if isinstance(c, ClassInfo)]
            eq = next((i for i, c in enumerate(order) if "__eq__" in c.namespace), None)
            own = next((i for i, c in enumerate(order) if "__hash__" in c.namespace), None)
            if self.module or (eq is None and own is None):
                self._hashing = "identity"
            elif own is not None and (eq is None or own <= eq):
                self._hashing = "own" if isinstance(order[own].namespace["__hash__"], Value) else "none"
            else:
                self._hashing = "none"
        return self._hashing

    def library_based(self) -> bool:
        """A base of the class, or of a base, is a library's class convcalc does not read."""
        return bool(self.foreign) or any(isinstance(b, Ref) for c in self.mro() if isinstance(c, ClassInfo)
                                         for b in c.bases)

    def is_exception(self) -> bool:
        return any(isinstance(c, BuiltinType) and c.exception for c in self.mro())

    def describe(self) -> str:
        return f"the class {self.name}"

    def pytype(self):
        return TYPE

    def attr(self, frame, name, node):
        if self.enum is not None and name in self.enum:
            return self.enum[name]
        value = self.lookup(name)
        if name == "verify" and self.foreign and self.foreign.endswith("WeightsEnum"):
            # torchvision's weights: verify(None) is None, the factories' default (no download)
            return Builtin("verify", lambda f, args, n: None if args.values == [None] else fail(
                f"{self.name}.verify of {describe(args.values[0]) if args.values else 'nothing'}", n))
        if value is None and not self.defines(name):
            special = self.special(name)
            if special is not None:
                return special
            for base in self.mro()[1:]:
                if isinstance(base, BuiltinType):
                    return base.attr(frame, name, node)
            if name == "apply":  # torch.autograd.Function's
                from convcalc.frontends.python.brains.torch_autograd import autograd_apply

                found = autograd_apply(self)
                if found is not None:
                    return found
            if self.foreign or any(isinstance(b, Ref) for b in self.bases):
                raise Unfollowable(f"{self.name}.{name} is not known", node)
            from convcalc.frontends.python.pycore import attribute_error

            raise attribute_error(frame, f"type object '{self.name}' has no attribute '{name}'", node)
        if isinstance(value, Unknown):
            raise Unfollowable(f"{self.name}.{name} is not known ({value.reason})", node)
        if isinstance(value, Function) and value.kind == "classmethod":
            return BoundMethod(value, self)
        return value

    def special(self, name: str):
        if name == "__name__":
            return self.name
        if name == "__qualname__":
            return self.qualname
        if name == "__mro__":
            return tuple(c for c in self.mro())
        if name == "__bases__":
            return tuple(self.bases)
        if name == "__doc__":
            return ast.get_docstring(self.node) if isinstance(self.node, ast.ClassDef) else None
        if name == "__dict__":
            return dict(self.namespace)
        if name == "__module__":
            return "model_file"
        if name == "_fields" and self.namedtuple is not None:
            return self.namedtuple
        if name == "_field_defaults" and self.namedtuple is not None:
            return {}
        if name == "__new__" and self.namedtuple is not None:
            from convcalc.frontends.python.brains.pycollections import NamedTupleNew

            return NamedTupleNew(self)
        return None

    def set_attr(self, frame, name, value, node):
        self.namespace[name] = value
        self._hashing = None

    def call(self, frame, args, node):
        from convcalc.frontends.python.instantiate import instantiate

        return instantiate(frame, self, args, node)

    def iterate(self, frame, node):
        if self.enum is not None:
            return list(self.enum.values())
        return super().iterate(frame, node)

    def length(self, frame, node) -> int:
        if self.enum is not None:
            return len(self.iterate(frame, node))
        return super().length(frame, node)

    def getitem(self, frame, key, node):
        if self.enum is not None and isinstance(key, str) and key in self.enum:
            return self.enum[key]
        return self  # Generic[T] and friends: a class subscripted for typing


def fail(reason, node):
    raise Unfollowable(reason, node)


class Instance(Value):
    """An instance of a class of the file. ``attrs``: its attributes (a module's submodules and
    parameters among them, in the order they were set, as torch registers them); ``seq``: the
    items of an nn.Sequential subclass; ``base``: the layer a subclass of a catalogue layer is;
    ``native``: the value a subclass of a builtin type holds (a dict of a Config(dict));
    ``poisoned``: why the object is not known."""

    def __init__(self, cls: ClassInfo, node):
        self.cls = cls
        self.attrs: dict = {}
        self.seq: Optional[list] = None
        self.base = None
        self.node = node
        self.poisoned: Optional[str] = None
        self.traced = False
        self.native = None
        self.built_with = None  # the Args its class was called with (a sibling script's Net(10, 64): fed.py)

    def describe(self) -> str:
        return f"a {self.cls.name}"

    def pytype(self):
        return self.cls

    # hashing and equality where Python itself compares instances (a set, a dict's keys, list.index):
    # identity, or the held value of a subclass of a builtin type; a class whose own __eq__ or
    # __hash__ decides is not followed there (convcalc's own comparisons call the methods: pycore)
    @property
    def hashable(self) -> bool:
        return self.cls.hashing() != "none"

    def __hash__(self):
        how = self.cls.hashing()
        if how == "none":
            raise TypeError(f"unhashable type: '{self.cls.name}'")
        if how == "own":
            raise Unfollowable(f"an object of {self.cls.name} as a set member or dict key (its class hashes it with "
                               "its own __hash__)", self.cls.node)
        return hash(self.native) if self.native is not None else id(self)

    def __eq__(self, other):
        if self is other:
            return True
        if self.cls.hashing() in ("own", "none") and not self.cls.module:
            raise Unfollowable(f"an object of {self.cls.name} compared where convcalc cannot call its __eq__",
                               self.cls.node)
        if self.native is not None:
            return self.native == (other.native if isinstance(other, Instance) else other)
        return False

    def attr(self, frame, name, node):
        from convcalc.frontends.python.instantiate import instance_attr

        return instance_attr(frame, self, name, node)

    def set_attr(self, frame, name, value, node):
        from convcalc.frontends.python.instantiate import instance_set_attr

        instance_set_attr(frame, self, name, value, node)

    def dunder(self, frame, name: str, args: Args, node, otherwise=None):
        """Call the instance's own ``name`` method (``__len__``, ``__getitem__``, ...), or ``otherwise()``."""
        method = self.cls.lookup(name)
        if isinstance(method, Function):
            return call(frame, BoundMethod(method, self), args, node)
        if otherwise is not None:
            return otherwise()
        raise Unfollowable(f"{self.cls.name} has no {name}", node)

    def call(self, frame, args, node):
        from convcalc.frontends.python.instantiate import call_instance

        return call_instance(frame, self, args, node)

    def truth(self, frame, node) -> bool:
        if isinstance(self.cls.lookup("__bool__"), Function):
            return bool(self.dunder(frame, "__bool__", Args(), node))
        if isinstance(self.cls.lookup("__len__"), Function):
            return self.length(frame, node) > 0
        if self.native is not None:
            from convcalc.frontends.python.pycore import truth

            return truth(frame, self.native, node)
        if self.cls.container:
            from convcalc.frontends.python.torchobjects import as_container

            return as_container(self).truth(frame, node)
        return True

    def length(self, frame, node) -> int:
        from convcalc.frontends.python.pycore import length

        if isinstance(self.cls.lookup("__len__"), Function):
            return self.dunder(frame, "__len__", Args(), node)
        if self.native is not None:
            return length(frame, self.native, node)
        if self.cls.container:
            from convcalc.frontends.python.torchobjects import as_container

            return as_container(self).length(frame, node)
        if not self.cls.module and not self.cls.library_based():
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, f"object of type '{self.cls.name}' has no len()", node)
        return super().length(frame, node)

    def iterate(self, frame, node):
        from convcalc.frontends.python.pycore import iterate

        if isinstance(self.cls.lookup("__iter__"), Function):
            return iterate(frame, self.dunder(frame, "__iter__", Args(), node), node)
        if self.native is not None:
            return iterate(frame, self.native, node)
        if self.cls.container:
            from convcalc.frontends.python.torchobjects import as_container

            return as_container(self).iterate(frame, node)
        if isinstance(self.cls.lookup("__getitem__"), Function):
            return super().iterate(frame, node)
        return super().iterate(frame, node)

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.pycore import subscript

        if isinstance(self.cls.lookup("__getitem__"), Function):
            return self.dunder(frame, "__getitem__", Args.of(key), node)
        if self.native is not None:
            return subscript(frame, self.native, key, node)
        if self.cls.container:
            from convcalc.frontends.python.torchobjects import as_container

            return as_container(self).getitem(frame, key, node)
        return super().getitem(frame, key, node)

    def setitem(self, frame, key, value, node):
        from convcalc.frontends.python.pycore import set_item

        if isinstance(self.cls.lookup("__setitem__"), Function):
            self.dunder(frame, "__setitem__", Args.of(key, value), node)
            return
        if self.native is not None:
            set_item(frame, self.native, key, value, node)
            return
        if self.cls.container == "dict" and isinstance(key, str):
            self.attrs[key] = value  # self[name] = block in an nn.ModuleDict subclass: its modules are its attributes
            return
        if self.cls.container:
            from convcalc.frontends.python.torchobjects import as_container

            as_container(self).setitem(frame, key, value, node)
            return
        super().setitem(frame, key, value, node)


class SuperProxy(Value):
    def __init__(self, cls: ClassInfo, obj):
        self.cls = cls
        self.obj = obj

    def describe(self) -> str:
        return f"super() of {self.cls.name}"

    def attr(self, frame, name, node):
        from convcalc.frontends.python.instantiate import super_attr

        return super_attr(frame, self, name, node)


class BuiltinType(Value):
    """One of Python's types: ``int``, ``str``, ``list``, ``dict``, ``object``, ``type``, the
    exceptions. ``py``: the Python type itself (None for the ones convcalc models apart);
    ``make(frame, args, node)`` builds an instance; ``parent``: the base it derives from."""

    def __init__(self, name: str, py=None, make=None, parent: Optional["BuiltinType"] = None,
                 exception: bool = False):
        self.name = name
        self.py = py
        self.make = make
        self.parent = parent
        self.exception = exception or (parent is not None and parent.exception)
        self.bases = [parent] if parent is not None else []
        self.namespace: dict = {}
        self.home = ""  # the module that defines it, where it is not builtins (collections)

    def mro(self) -> list:
        out, cls = [], self
        while cls is not None:
            out.append(cls)
            cls = cls.parent
        return out

    def describe(self) -> str:
        return f"the type {self.name}"

    def pytype(self):
        return TYPE

    def call(self, frame, args, node):
        if self.make is None:
            raise Unfollowable(f"{self.name}(...)", node)
        return self.make(frame, args, node)

    def attr(self, frame, name, node):
        from convcalc.frontends.python.pycore import type_attr

        return type_attr(frame, self, name, node)

    def getitem(self, frame, key, node):
        if self.name in GENERIC:  # list[int]: an alias of the type (types.GenericAlias), which calls it
            from convcalc.frontends.python.pyobjects import Builtin

            return Builtin(self.name, lambda f, args, n: self.call(f, args, n))
        from convcalc.frontends.python.pycore import type_error

        raise type_error(frame, f"type '{self.name}' is not subscriptable", node)

    def __repr__(self):
        return f"<class '{self.name}'>"


# the builtin types a type annotation subscripts (list[int]); int[3] is a TypeError
GENERIC = {"list", "dict", "tuple", "set", "frozenset", "type", "OrderedDict", "defaultdict", "Counter", "deque"}
TYPE = BuiltinType("type")
OBJECT = BuiltinType("object")


def mro_of(value) -> list:
    """The classes ``value`` is an instance of, most derived first (for isinstance and except)."""
    kind = type_of(value)
    if isinstance(kind, (ClassInfo, BuiltinType)):
        return kind.mro()
    return []


def type_of(value):
    """``type(value)``: a ClassInfo, a BuiltinType, or None where convcalc does not say."""
    if isinstance(value, Value):
        return value.pytype()
    from convcalc.frontends.python.pycore import native_type

    return native_type(value)
