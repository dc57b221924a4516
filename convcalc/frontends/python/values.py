"""The values the Python frontend's interpreter computes with, besides Python's own constants:
references to imported names, descriptions of torch.nn objects, classes, functions, tensors
flowing through forward, and the signals of control flow. Each value class describes itself
for messages (``describe(value)``)."""
from __future__ import annotations

import ast
import itertools
from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import Span
from convcalc.symbolic import dims


MAX_STEPS = 200_000  # statements and expressions interpreted for one model (or the module itself)
MAX_DEPTH = 60  # nested function calls
MAX_TUPLE = 64  # items of a layer's argument (convcalc/frontends/syntax.py has the same bound)
MAX_ITEMS = 100_000  # elements of one list, range or string the code builds
MAX_BUILT = 2_000_000  # elements and characters all the code of one model (or the module) builds: memory
MAX_INT_BITS = 256
NOTE = codes.NOTE


class Unfollowable(Exception):
    """Something convcalc does not follow; ``node`` is the ast node it happened at, ``span`` the
    place when there is no ast node for it."""

    def __init__(self, reason: str, node=None, span: Optional[Span] = None):
        super().__init__(reason)
        self.reason = reason
        self.node = node
        self.span = span


class OverSteps(Unfollowable):
    """The interpreter's step budget ran out (a loop of 100,000 rounds at module level, say)."""


class Abort(Unfollowable):
    """A raise statement: the function stops, and nothing after it is followed."""


class _Signal(Exception):
    pass


class _Return(_Signal):
    def __init__(self, value):
        self.value = value


class _Break(_Signal):
    pass


class _Continue(_Signal):
    pass


class Unknown:
    """A name or attribute a statement convcalc could not follow may have written."""

    def __init__(self, reason: str):
        self.reason = reason


class Ref:
    """Something imported, by its qualified name: torch.nn.Conv2d, torch.flatten, math.floor."""

    def __init__(self, qname: str):
        self.qname = qname

    def __repr__(self):
        return f"Ref({self.qname})"

    def describe(self) -> str:
        return self.qname


class Module:
    """Base of the torch.nn objects convcalc follows."""

    def describe(self) -> str:
        return type(self).__name__


class Layer(Module):
    """A layer of the catalogue with constant arguments; ``call`` is the node emitted per use,
    ``uid`` the object's identity (a layer applied twice counts its parameters once)."""

    uids = itertools.count(1)

    def __init__(self, name: str, call: n.Call, origin: tuple):
        self.name = name
        self.call = call
        self.origin = origin  # (function name, Span of its call) while the layer was built
        self.uid = next(Layer.uids)
        self.extra: dict = {}  # attributes a model file sets on it (self.fc.stddev = 0.001)
        self.frozen: set = set()  # its tensors set requires_grad = False: "all", "weight", "bias"

    def settings(self) -> set:
        """The attributes of the layer that torch reads: its constructor's arguments, its weights, its mode."""
        from convcalc.layers.catalogue import lookup

        return {name for name, _ in lookup(self.name).params} | {"weight", "bias", "training", "forward"}

    def call_for(self, path: str, operands: tuple = (), call_kwargs: tuple = (), outputs: tuple = ()) -> n.Call:
        """The node of one call of this object, at ``path`` in the module tree, with the forward's
        further tensors (their saved names), its other arguments and its outputs' names."""
        return n.Call(*self.call._values()[:6], self.uid, path, operands, call_kwargs, outputs)

    def describe(self) -> str:
        return f"nn.{self.name}"


class Constant:
    """A tensor made in ``__init__`` or at module level (``torch.zeros(1, 16, 8)``): its shape."""

    def __init__(self, shape: tuple):
        self.shape = shape

    def describe(self) -> str:
        return f"a constant tensor of shape {tuple(self.shape)}"


class Weight:
    """A layer's weight or bias, or all its parameters (``model.parameters()``), read by weight
    initialisation (``m.weight.data``, ``nn.init.zeros_(m.bias)``): every method is in place and
    changes nothing convcalc follows; ``requires_grad = False`` freezes ``part`` of ``owner``."""

    def __init__(self, owner=None, part: str = "all"):
        self.owner, self.part = owner, part

    def describe(self) -> str:
        return "a weight"


class Parameter(Module):
    """``nn.Parameter(torch.zeros(...))``: its elements are parameters of the model."""

    def __init__(self, shape: tuple, trainable: bool = True):
        self.shape = shape
        self.trainable = trainable

    @property
    def count(self) -> int:
        total = 1
        for size in self.shape:
            total *= size
        return total

    def describe(self) -> str:
        return f"nn.Parameter of shape {tuple(self.shape)}"


class Partial:
    """functools.partial(func, *args, **kwargs): the arguments as the call evaluated them, with
    their nodes ([(value, node)], [(key, value, value node, keyword node)])."""

    def __init__(self, func, args: list, kwargs: list):
        self.func, self.args, self.kwargs = func, args, kwargs

    def describe(self) -> str:
        return f"functools.partial of {describe(self.func)}"


class Opaque(Module):
    """An nn module outside convcalc's catalogue (nn.LSTM, nn.Embedding, a loss)."""

    def __init__(self, qname: str):
        self.qname = qname


class Sequential(Module):
    def __init__(self, items: list):
        self.items = items


class ModuleList(Module):
    def __init__(self, items: list):
        self.items = items


class ModuleDict(Module):
    def __init__(self, items: dict):
        self.items = items


class ClassInfo:
    def __init__(self, name: str, node: ast.ClassDef, bases: list, namespace: dict):
        self.name = name
        self.node = node
        self.bases = bases  # ClassInfo or Ref
        self.namespace = namespace
        self.module = False  # an nn.Module subclass
        self.container: Optional[str] = None  # "sequential", "list" or "dict": a subclass of that nn container
        self.foreign: Optional[str] = None  # a base convcalc does not follow
        self.fields: Optional[dict] = None  # a @dataclass's fields: name -> default (binding.MISSING: none)
        self.layer: Optional[str] = None  # a subclass of this layer of the catalogue (LayerNorm2d(nn.LayerNorm))
        self.path = ""  # the file it is written in
        self._mro: Optional[list] = None
        self.mro()  # now, while the bases' orders are known: no deep recursion later

    def mro(self) -> list:
        """The class, then its bases' orders, depth first, each class once. Worked out once per
        class, from its bases' own (a diamond 40 levels deep was exponential, a chain of 3,000
        classes quadratic)."""
        if self._mro is None:
            order, seen = [self], {id(self)}
            for base in self.bases:
                if isinstance(base, ClassInfo):
                    for cls in base.mro():
                        if id(cls) not in seen:
                            seen.add(id(cls))
                            order.append(cls)
            self._mro = order
        return self._mro

    def lookup(self, name: str):
        for cls in self.mro():
            if name in cls.namespace:
                return cls.namespace[name]
        return None

    def describe(self) -> str:
        return f"the class {self.name}"


class Instance(Module):
    def __init__(self, cls: ClassInfo, node):
        self.cls = cls
        self.attrs: dict = {}
        self.seq: Optional[list] = None  # the items of an nn.Sequential subclass
        self.base: Optional[Layer] = None  # the layer a subclass of a catalogue layer is (its weights, its settings)
        self.node = node
        self.poisoned: Optional[str] = None
        self.traced = False

    def describe(self) -> str:
        return f"a {self.cls.name}"


# the bases that make a class an nn.Module: torch's, and Lightning's LightningModule (an nn.Module
# subclass, whose forward is a module's; its training hooks are never run)
MODULE_BASES = ("torch.nn.Module", "nn.Module", "pytorch_lightning.LightningModule",
                "pytorch_lightning.core.LightningModule", "lightning.pytorch.LightningModule",
                "lightning.LightningModule", "lightning.pytorch.core.LightningModule")
# the nn containers a model class may derive from, and the kind of each
CONTAINERS = {"torch.nn.Sequential": "sequential", "torch.nn.ModuleList": "list", "torch.nn.ModuleDict": "dict"}


def as_container(value):
    """An instance of an nn.Sequential, ModuleList or ModuleDict subclass seen as that container (its
    modules in registration order), anything else as it is. A list's view shares the instance's list,
    so ``self.append(block)`` lands on it; a dict's modules live in the instance's attributes, as
    ``add_module`` and ``self.name = ...`` put them there."""
    if not isinstance(value, Instance) or value.cls.container is None:
        return value
    if value.seq is None:
        value.seq = []
    named = [(k, m) for k, m in value.attrs.items() if isinstance(m, Module)]
    kind = value.cls.container
    if kind == "dict":
        return ModuleDict(dict(named))
    items = value.seq if not named else value.seq + [m for _, m in named]
    return Sequential(items) if kind == "sequential" else ModuleList(items)


class Function:
    def __init__(self, node: ast.AST, scope: "Scope", defaults: dict, kind: str = "function", src=None):
        self.node = node  # FunctionDef or Lambda
        self.scope = scope  # where it was defined
        self.defaults = defaults  # parameter name -> value (or Unknown)
        self.owner: Optional[ClassInfo] = None
        self.kind = kind  # function, staticmethod, classmethod, property
        self.src = src  # the Source of the file it is written in (a model's blocks may come from another)

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")

    def describe(self) -> str:
        return f"the function {self.name}"


class BoundMethod:
    def __init__(self, func: Function, obj):
        self.func = func
        self.obj = obj


class Builtin:
    def __init__(self, name: str, fn):
        self.name = name
        self.fn = fn


class SuperProxy:
    def __init__(self, cls: ClassInfo, obj):
        self.cls = cls
        self.obj = obj


class Tensor:
    """A tensor flowing through forward: where it was produced, its shape per sample (None for
    an input whose size is not known yet), and its saved name once needed."""

    def __init__(self, pos: int, label: str, span: Span, shape: Optional[tuple] = None):
        self.pos = pos
        self.label = label
        self.span = span
        self.shape = shape
        self.saved: Optional[str] = None
        self.named = False

    def describe(self) -> str:
        return "a tensor"


class TensorMethod:
    def __init__(self, tensor: Tensor, name: str):
        self.tensor = tensor
        self.name = name


class _Batch:
    def __repr__(self):
        return "x.size(0)"

    def describe(self) -> str:
        return "the batch size"


BATCH = _Batch()


class Scope:
    def __init__(self, parent: Optional["Scope"] = None, kind: str = "function"):
        self.vars: dict = {}
        self.parent = parent
        self.kind = kind

    def find(self, name: str) -> Optional["Scope"]:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope
            scope = scope.parent
        return None


OPS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Mod": "%", "Pow": "**",
       "MatMult": "@", "LShift": "<<", "RShift": ">>", "BitAnd": "&", "BitOr": "|", "BitXor": "^"}


COMPARISONS = {"Eq": "==", "NotEq": "!=", "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">="}


def is_number(value) -> bool:
    """An int, a float, or a size computed from a symbolic input's (an Expr in H, W)."""
    return isinstance(value, (int, float)) or dims.is_symbolic(value)


def is_constant(value) -> bool:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return True
    if isinstance(value, (tuple, list)):
        return all(is_constant(v) for v in value)
    return False


def is_hashable(value) -> bool:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return True
    return isinstance(value, tuple) and all(is_hashable(v) for v in value)


def describe(value) -> str:
    """How a message names a value: the value's own ``describe()``, or a constant's repr."""
    own = getattr(value, "describe", None)
    if own is not None and not isinstance(value, type):
        return own()
    if is_constant(value):
        text = repr(value)
        return text if len(text) < 40 else text[:37] + "..."
    return type(value).__name__


def const_node(value, span: Span, node, layer: str):
    if isinstance(value, bool) or value is None:
        return n.Const(value, span)
    if isinstance(value, int):
        return n.Num(value, span)
    if isinstance(value, float):
        return n.Float(value, span)
    if isinstance(value, str):
        return n.Str(value, span)
    if isinstance(value, (tuple, list)):
        if len(value) > MAX_TUPLE:  # as in the description language: one item per dimension
            raise Unfollowable(f"an argument of {layer} that is a sequence of {len(value):,} items", node)
        return n.TupleExpr(tuple(const_node(v, span, node, layer) for v in value), span)
    if dims.is_symbolic(value):
        return n.Value(value, span)  # a size computed from the input's: a walk with other values substitutes
    if value is BATCH:
        raise Unfollowable(f"the batch size as an argument of {layer}", node)
    raise Unfollowable(f"an argument of {layer} that is {describe(value)}, not a constant", node)
