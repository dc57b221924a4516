"""A tensor flowing through forward: where it was made, its shape per sample (None for an input
whose size is not given yet), its saved name once needed. It answers its attributes (``shape``,
``size()``, ``dim()``, its methods: the catalogue's spellings ``Tensor.x``), indexing and
operators itself; what they emit into the trace is forward.py's."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import Span
from convcalc.frontends.python.pyobjects import Args, Builtin, Value
from convcalc.frontends.python.reasons import Unfollowable, Why


class _Batch(Value):
    """``x.size(0)``: the batch size, which convcalc leaves open."""

    def __repr__(self):
        return "x.size(0)"

    def describe(self) -> str:
        return "the batch size"

    def truth(self, frame, node) -> bool:
        return True


BATCH = _Batch()


class Folded(Value):
    """``x.size(0)`` of a tensor whose batch holds ``factor`` positions per sample (windows cut out
    of each image: ``x.view(B * windows, ...)``), and ``B * windows`` itself: the batch size
    times a known factor, which convcalc leaves open as it leaves the batch."""

    def __init__(self, factor: int):
        self.factor = factor

    def __repr__(self):
        return f"x.size(0) * {self.factor}"

    def describe(self) -> str:
        return f"the batch size times {self.factor}"

    def truth(self, frame, node) -> bool:
        return True

    def __eq__(self, other):
        return isinstance(other, Folded) and other.factor == self.factor

    def __hash__(self):
        return hash(("Folded", self.factor))


def batch_times(factor: int):
    """The batch size times ``factor``: BATCH itself for 1."""
    return BATCH if factor == 1 else Folded(factor)


def batch_factor(value):
    """The factor of a batch-size value (1 for BATCH), None for anything else."""
    if value is BATCH:
        return 1
    if isinstance(value, Folded):
        return value.factor
    return None


class Tensor(Value):
    def __init__(self, pos: int, label: str, span: Span, shape: Optional[tuple] = None):
        self.pos = pos
        self.label = label
        self.span = span
        self.shape = shape
        self.saved: Optional[str] = None
        self.named = False

    def describe(self) -> str:
        return "a tensor"

    def sizes(self, node) -> tuple:
        """(batch, *shape): what ``x.size()`` and ``x.shape`` are; a batch that holds several
        positions per sample (folded first) is the batch size times their count."""
        if self.shape is None:
            raise Unfollowable("the size of the input, which is not given (add `# convcalc: input 3x32x32` above "
                               "the model)", node, kind=Why.NO_INPUT)
        from convcalc.layers.placement import placement

        at, fold = placement(self.shape)
        if at == 0 and fold != 1:
            if type(fold) is not int:
                raise Unfollowable("the size of a batch folded by a factor of the input's size", node, kind=Why.SIZE)
            return (Folded(fold), *self.shape)
        return (BATCH, *self.shape)

    def attr(self, frame, name, node):
        if name == "shape":
            return self.sizes(node)
        if name == "ndim":
            return len(self.sizes(node))
        if name == "data":
            return self
        if name == "device":
            from convcalc.frontends.python.torchobjects import Device

            return Device()
        if name == "is_cuda":
            return False
        if name in ("dtype", "requires_grad", "layout"):
            from convcalc.frontends.python.pyobjects import Ref

            return Ref(f"tensor.{name}")
        return Builtin(f"Tensor.{name}", lambda f, args, n, m=name: tensor_method(f, self, m, args, n), self)

    def getitem(self, frame, key, node):
        from convcalc.frontends.python.forward import tensor_index

        return tensor_index(frame, self, key, node)

    def setitem(self, frame, key, value, node):
        raise Unfollowable("an assignment into a tensor's elements", node)

    def truth(self, frame, node) -> bool:
        raise Unfollowable("the truth of a tensor's values", node)

    def iterate(self, frame, node):
        raise Unfollowable("iterating over a tensor's batch", node)

    def length(self, frame, node) -> int:
        raise Unfollowable("len() of a tensor: its batch size", node)

    def pytype(self):
        from convcalc.frontends.python.pyobjects import Ref

        return Ref("torch.Tensor")


def tensor_method(frame, tensor: Tensor, name: str, args: Args, node):
    from convcalc.frontends.python.brains.torch_tensors import method

    return method(frame, tensor, name, args, node)
