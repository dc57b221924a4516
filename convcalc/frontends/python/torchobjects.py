"""The torch.nn objects convcalc follows: catalogue layers, containers, parameters, constant
tensors, weights, and what an nn.Module does (its methods, its registration of submodules,
its call into forward)."""
from __future__ import annotations

import itertools
import math
from typing import Optional

from convcalc import nodes as n
from convcalc.frontends.python.pyclasses import Instance
from convcalc.frontends.python.pyobjects import Args, Builtin, Value
from convcalc.frontends.python.reasons import Unfollowable, Why


class Module(Value):
    """Base of the torch.nn objects convcalc follows."""

    def describe(self) -> str:
        return type(self).__name__

    def call(self, frame, args, node):
        return call_module(frame, self, args, node)


class Layer(Module):
    """A layer of the catalogue with constant arguments; ``call`` is the node emitted per use,
    ``uid`` the object's identity (a layer applied twice counts its parameters once)."""

    uids = itertools.count(1)

    def __init__(self, name: str, call: n.Call, origin: tuple):
        self.name = name
        self.construct = call  # the node of its construction (nn.Conv2d(3, 32, 3) as written)
        self.origin = origin  # (function name, Span of its call) while the layer was built
        self.uid = next(Layer.uids)
        self.extra: dict = {}  # attributes a model file sets on it (self.fc.stddev = 0.001)
        self.frozen: set = set()  # its tensors set requires_grad = False: "all", "weight", "bias"
        self.poisoned: Optional[str] = None  # why a setting torch reads is not known (set where not followed)

    def set_setting(self, name: str, expr, span) -> None:
        """``conv.stride = (1, 1)`` on a built layer (a dilated encoder): its construction as if written with
        that keyword, the arguments after it that were positional given by their names."""
        from convcalc.layers.catalogue import lookup

        names = [p for p, _ in lookup(self.name).params]
        call = self.construct
        args, kwargs = list(call.args), [k for k in call.kwargs if k[0] != name]
        at = names.index(name)
        if at < len(args):
            kwargs = [(names[i], args[i], args[i].span) for i in range(at + 1, len(args))] + kwargs
            args = args[:at]
        kwargs.append((name, expr, span))
        self.construct = n.Call(call.name, tuple(args), tuple(kwargs), call.text, call.span, call.name_span)

    def forget(self, name: Optional[str], reason: str) -> bool:
        """``mod.stride = (1, 1)`` where convcalc could not follow it (smp's replace_strides_with_dilation):
        the layer itself is not known any more, wherever the model uses it; never its old setting."""
        if name is not None and name in self.settings():
            self.poisoned = f"its {name} was set where convcalc could not follow ({reason})"
            return True
        return False

    def settings(self) -> set:
        """The attributes of the layer that torch reads: its constructor's arguments, its weights, its mode."""
        from convcalc.layers.catalogue import lookup

        return {name for name, _ in lookup(self.name).params} | {"weight", "bias", "training", "forward"}

    def call_for(self, path: str, operands: tuple = (), call_kwargs: tuple = (), outputs: tuple = ()) -> n.Call:
        """The node of one call of this object, at ``path`` in the module tree, with the forward's
        further tensors (their saved names), its other arguments and its outputs' names."""
        return n.Call(*self.construct._values()[:6], self.uid, path, operands, call_kwargs, outputs)

    def describe(self) -> str:
        return f"nn.{self.name}"

    def pytype(self):
        from convcalc.frontends.python.pyobjects import Ref

        return Ref(f"torch.nn.{self.name}")

    def attr(self, frame, name, node):
        from convcalc.frontends.python.brains.torch_nn import layer_attr

        return layer_attr(frame, self, name, node)

    def set_attr(self, frame, name, value, node):
        from convcalc.frontends.python.brains.torch_nn import layer_set_attr

        layer_set_attr(frame, self, name, value, node)


class Opaque(Module):
    """An nn module outside convcalc's catalogue (nn.LSTM, a loss)."""

    def __init__(self, qname: str):
        self.qname = qname

    def describe(self) -> str:
        return self.qname.replace("torch.nn.", "nn.")

    def attr(self, frame, name, node):
        raise Unfollowable(f"the attribute {name} of {self.describe()}, which is not in convcalc's catalogue", node,
                           kind=Why.CATALOGUE)


class Container(Module):
    """nn.Sequential, nn.ModuleList, nn.ModuleDict: ``items`` a list (a dict for ModuleDict)."""

    kind = "sequential"

    def __init__(self, items):
        self.items = items

    def describe(self) -> str:
        return {"sequential": "nn.Sequential", "list": "nn.ModuleList", "dict": "nn.ModuleDict"}[self.kind]

    def attr(self, frame, name, node):
        from convcalc.frontends.python.brains.torch_nn import container_attr

        return container_attr(frame, self, name, node)

    def length(self, frame, node) -> int:
        return len(self.items)

    def iterate(self, frame, node) -> list:
        return list(self.items)

    def truth(self, frame, node) -> bool:
        return True  # a module is true whatever it holds

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.pycore import subscript

        if self.kind == "dict":
            if not isinstance(key, str) or key not in self.items:
                from convcalc.frontends.python.pycore import raise_error

                raise raise_error(frame, "KeyError", (key,), node)
            return self.items[key]
        if isinstance(key, slice):
            return type(self)(self.items[key])
        return subscript(frame, self.items, key, node)

    def setitem(self, frame, key, value, node):
        if self.kind == "dict" and isinstance(key, str):
            self.items[key] = value
        elif self.kind != "dict" and type(key) is int and -len(self.items) <= key < len(self.items):
            self.items[key] = value
        else:
            raise Unfollowable("an item assignment", node)


class Sequential(Container):
    kind = "sequential"


class ModuleList(Container):
    kind = "list"


class ModuleDict(Container):
    kind = "dict"

    def iterate(self, frame, node) -> list:
        return list(self.items)


class ModulesView(Value):
    """``module._modules``: its submodules by name, in registration order, read-only (a write into
    it is not followed: the tree convcalc holds would not see it)."""

    READS = {"values": lambda items: list(items.values()), "items": lambda items: list(items.items()),
             "keys": lambda items: list(items)}

    def __init__(self, items: dict):
        self.items = items

    def describe(self) -> str:
        return "a module's _modules"

    def attr(self, frame, name, node):
        if name in self.READS:
            return Builtin(f"_modules.{name}", lambda f, args, n: self.READS[name](self.items))
        if name == "get":
            return Builtin("_modules.get", lambda f, args, n: self.items.get(*args.values))
        raise Unfollowable(f"_modules.{name}: changing a module's _modules is not followed", node)

    def getitem(self, frame, key, node):
        if key not in self.items:
            from convcalc.frontends.python.pycore import raise_error

            raise raise_error(frame, "KeyError", (key,), node)
        return self.items[key]

    def setitem(self, frame, key, value, node):
        raise Unfollowable("an assignment into a module's _modules", node)

    def iterate(self, frame, node) -> list:
        return list(self.items)

    def length(self, frame, node) -> int:
        return len(self.items)

    def truth(self, frame, node) -> bool:
        return bool(self.items)


class Parameter(Module):
    """``nn.Parameter(torch.zeros(...))``: its elements are parameters of the model; a tensor
    without the batch of that shape when read in forward."""

    def __init__(self, shape: tuple, trainable: bool = True):
        self.shape = shape
        self.trainable = trainable

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    def describe(self) -> str:
        return f"nn.Parameter of shape {tuple(self.shape)}"

    def attr(self, frame, name, node):
        from convcalc.frontends.python.brains.torch_constants import constant_attr

        return constant_attr(frame, self, name, node)

    def set_attr(self, frame, name, value, node):
        if name == "requires_grad" and isinstance(value, bool):
            self.trainable = value
            return
        if name in ("data", "grad"):
            return
        super().set_attr(frame, name, value, node)

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.brains.torch_constants import constant_index

        return constant_index(frame, self, key, node)


class Constant(Value):
    """A tensor made in ``__init__`` or at module level (``torch.zeros(1, 16, 8)``): its shape,
    and its values where they are known and few (``values``, row-major)."""

    def __init__(self, shape: tuple, values: Optional[list] = None, floating: bool = True):
        self.shape = tuple(shape)
        self.own = values
        self.floating = floating
        self.boolean = False  # a comparison's result: what masked_fill takes
        # a view (x[:, 0], x.permute(...)) shares its base's values, as torch's views share storage:
        # ``base`` the tensor that owns them, ``index`` where each of this view's elements is there
        self.base: Optional[Constant] = None
        self.index: Optional[list] = None

    @property
    def known(self) -> bool:
        """Whether its values are known, without gathering a view's (a check per element read)."""
        return self.base is not None or self.own is not None

    @property
    def values(self) -> Optional[list]:
        if self.base is None:
            return self.own
        data = self.base.own
        return [data[i] for i in self.index]

    @values.setter
    def values(self, values) -> None:
        self.own, self.base, self.index = values, None, None

    def describe(self) -> str:
        return f"a constant tensor of shape {tuple(self.shape)}"

    def attr(self, frame, name, node):
        from convcalc.frontends.python.brains.torch_constants import constant_attr

        return constant_attr(frame, self, name, node)

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.brains.torch_constants import constant_index

        return constant_index(frame, self, key, node)

    def setitem(self, frame, key, value, node):
        from convcalc.frontends.python.brains.known_tensors import assign

        assign(frame, self, key, value, node)

    def length(self, frame, node) -> int:
        if not self.shape:
            from convcalc.frontends.python.pycore import type_error

            raise type_error(frame, "len() of a 0-d tensor", node)
        return self.shape[0]

    def iterate(self, frame, node) -> list:
        from convcalc.frontends.python.brains.torch_constants import constant_rows

        return constant_rows(frame, self, node)

    def truth(self, frame, node) -> bool:
        if self.values is not None and len(self.values) == 1:
            return bool(self.values[0])
        raise Unfollowable(f"the truth of {self.describe()}", node)


class Buffer(Constant):
    """A tensor ``register_buffer`` puts on a module: read as the constant it is, and counted as
    the module's buffers (model.buffers())."""

    @property
    def count(self) -> int:
        return math.prod(self.shape)


class Weight(Value):
    """A layer's weight or bias, or all its parameters (``model.parameters()``), read by weight
    initialisation (``m.weight.data``, ``nn.init.zeros_(m.bias)``): every method is in place and
    changes nothing convcalc follows; ``requires_grad = False`` freezes ``part`` of ``owner``."""

    def __init__(self, owner=None, part: str = "all"):
        self.owner, self.part = owner, part

    def describe(self) -> str:
        return "a weight"

    def attr(self, frame, name, node):
        """Anything of a weight is a weight, and its methods are in place (m.weight.data.normal_())."""
        if name in ("data", "grad", "T"):
            return self
        if name == "requires_grad":
            return not (isinstance(self.owner, Layer) and (self.part in self.owner.frozen or "all" in
                                                             self.owner.frozen))
        if name in ("shape", "size", "numel", "dim", "ndim"):
            from convcalc.frontends.python.brains.torch_weights import weight_size

            return weight_size(self, name, node)
        return Builtin(name, lambda f, args, n: self)

    def getitem(self, frame, key, node):
        """``bias[n:2 * n]``: a piece of the weight (its in-place methods change nothing followed)."""
        return Weight(self.owner, f"{self.part}[]")

    def set_attr(self, frame, name, value, node):
        if name == "requires_grad" and isinstance(value, bool):
            freeze(self, value)
            return
        if name in ("data", "grad"):
            return
        super().set_attr(frame, name, value, node)


def unfollowable(reason: str, node):
    raise Unfollowable(reason, node)


def freeze(obj, trainable: bool) -> None:
    """``requires_grad`` set on a parameter, a layer's weight or bias, or all of a layer's tensors."""
    owner, part = (obj, "all") if isinstance(obj, Parameter) else (obj.owner, obj.part)
    if isinstance(owner, Parameter):
        owner.trainable = trainable
    elif isinstance(owner, Layer):
        if trainable:
            owner.frozen.discard(part)
            owner.frozen.discard("all")
        else:
            owner.frozen.add(part)
    else:
        raise Unfollowable("requires_grad of a tensor convcalc does not know the owner of", None)


def as_container(value):
    """An instance of an nn.Sequential, ModuleList or ModuleDict subclass seen as that container (its
    modules in registration order), anything else as it is. A list's view shares the instance's list,
    so ``self.append(block)`` lands on it; a dict's modules live in the instance's attributes, as
    ``add_module`` and ``self.name = ...`` put them there."""
    if not isinstance(value, Instance) or value.cls.container is None:
        return value
    if value.seq is None:
        value.seq = []
    named = [(k, m) for k, m in value.attrs.items() if is_module(m)]
    kind = value.cls.container
    if kind == "dict":
        return ModuleDict(dict(named))
    items = value.seq if not named else value.seq + [m for _, m in named]
    return Sequential(items) if kind == "sequential" else ModuleList(items)


def is_module(value) -> bool:
    return isinstance(value, Module) or (isinstance(value, Instance) and value.cls.module)


def children_of(obj):
    if isinstance(obj, Instance):
        items = ([(str(i), m) for i, m in enumerate(obj.seq)] if obj.seq is not None else []) + list(obj.attrs.items())
    elif isinstance(obj, (Sequential, ModuleList)):
        items = [(str(i), m) for i, m in enumerate(obj.items)]
    elif isinstance(obj, ModuleDict):
        items = list(obj.items.items())
    else:
        items = []
    return [(name, m) for name, m in items if is_module(m)]


def tree_of(obj, path: str = ""):
    """(path, module) of every module below ``obj``, ``obj`` first, as model.named_modules() lists them."""
    out, seen, stack = [], set(), [(path, obj)]
    while stack:
        name, module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        out.append((name, module))
        stack.extend(reversed([(f"{name}.{key}" if name else key, m) for key, m in children_of(module)]))
    return out


def call_module(frame, module, args: Args, node):
    """A module called on tensors: its forward, followed by the trace (convcalc/frontends/python/forward.py)."""
    from convcalc.frontends.python.forward import call_module as follow

    return follow(frame, module, args, node)


def module_attr(frame, obj: Instance, name: str, node):
    from convcalc.frontends.python.brains.torch_nn import module_attr as answer

    return answer(frame, obj, name, node)


def module_set_attr(frame, obj: Instance, name: str, value, node):
    from convcalc.frontends.python.brains.torch_nn import module_set_attr as answer

    answer(frame, obj, name, value, node)


def init_layer(frame, obj, args, node):
    from convcalc.frontends.python.brains.torch_nn import init_layer as answer

    return answer(frame, obj, args, node)


def init_container(frame, obj, args, node):
    from convcalc.frontends.python.brains.torch_nn import init_container as answer

    return answer(frame, obj, args, node)


class Device(Value):
    """A torch.device: the CPU where a tensor's is asked (convcalc follows an eager run on the CPU,
    as torch.cuda.is_available() is False here), or the one ``torch.device(...)`` names."""

    def __init__(self, kind: str = "cpu", index=None):
        self.kind, self.index = kind, index

    def describe(self) -> str:
        return f"the device {self.text()}"

    def text(self) -> str:
        return self.kind if self.index is None else f"{self.kind}:{self.index}"

    def repr_text(self) -> str:
        return f"device(type='{self.kind}')" if self.index is None else f"device(type='{self.kind}', index={self.index})"

    def attr(self, frame, name, node):
        if name == "type":
            return self.kind
        if name == "index":
            return self.index
        return super().attr(frame, name, node)

    def __eq__(self, other):
        return isinstance(other, Device) and (other.kind, other.index) == (self.kind, self.index)

    def __hash__(self):
        return hash(("device", self.kind, self.index))
