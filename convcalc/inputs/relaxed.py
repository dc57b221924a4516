"""Step 1 of `convcalc inputs`: the relaxed walk. Checks that compare a size with something that
must be equal to it (an add or concat, a Linear's in_features, a norm's num_features, a
view's element count: the layers' ``equals`` trait) are recorded as equations instead of
failing, and the walk goes on with what the check wanted."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.analysis import Analysis, Row
from convcalc.engine.shapes import ShapeBackend, concat_axis
from convcalc.engine.walk import Walker
from convcalc.errors import ConvcalcError, Record
from convcalc.layers.common import is_int
from convcalc.layers.placement import placed, placement
from convcalc.symbolic import dims


class Constraint(Record):
    """An equation the network imposes: ``lhs`` (what arrives) must equal ``rhs``. ``kind``:
    add, concat, linear, channels, layernorm or view; ``shape`` the incoming shape, for
    messages; ``factors``, for a Linear after Flatten, the flattened dims whose product lhs is."""

    __slots__ = ("kind", "node", "label", "lhs", "rhs", "axis", "shape", "factors")

    def __init__(self, kind: str, node, label: str, lhs: dims.Dim, rhs: dims.Dim, axis: int, shape: tuple = (),
                 factors: tuple = ()):
        self.kind, self.node, self.label, self.lhs, self.rhs = kind, node, label, lhs, rhs
        self.axis, self.shape, self.factors = axis, shape, factors

    @property
    def line(self) -> int:
        return self.node.span.line

    @property
    def difference(self) -> dims.Dim:
        return self.lhs - self.rhs

    @property
    def symbols(self) -> frozenset:
        return dims.symbols(self.difference)

    def equation(self) -> str:
        """``64*floor(H/4)*floor(W/4) = 4096``; after a Flatten, as the product of the flattened dims."""
        if self.factors:
            lhs = "*".join(factor_text(f) for f in self.factors if f != 1)
        else:
            lhs = dims.render(self.lhs)
        return f"{lhs} = {dims.render(self.rhs)}"


def factor_text(value) -> str:
    text = dims.render(value)
    return f"({text})" if " " in text else text


def relax(spec, args, shape, concrete: bool):
    """The shape with every dimension an equality check reads (the layer's ``equals`` trait) set to what the check wants,
    and the (axis, have, want, kind) that differed. A difference between two ints is only
    relaxed in a concrete walk (in a symbolic one it fails for every size: a real error)."""
    patched = None
    found = []
    for axis, value, kind in spec.traits.equalities(args.values, shape):
        have = shape[axis]
        if have == value:
            continue
        if not concrete and is_int(have) and is_int(value):
            continue
        found.append((axis, have, value, kind))
        if patched is None:
            patched = list(shape)
        patched[axis] = value
    if patched is None and type(shape) is tuple:
        return shape, found  # nothing to relax, and the batch first and whole: the shape as it came
    return placed(shape if patched is None else patched, *placement(shape)), found  # the batch stays where it stands


class RelaxedBackend(ShapeBackend):
    """ShapeBackend that records equations instead of failing them (see the module docstring)."""

    def __init__(self, analysis: Analysis, concrete: bool):
        super().__init__(analysis)
        self.concrete = concrete
        self.constraints: list[Constraint] = []
        self.layers: list = []  # (row index, spec, bound args)

    def layer(self, spec, args, shapes, call, blocks):
        shape = shapes[0]
        patched, found = relax(spec, args, shape, self.concrete)
        for axis, have, want, kind in found:
            self.constraints.append(Constraint(kind, call, " ".join(call.text.split()), have, want, axis, shape,
                                               self.flattened(shape, axis)))
        out = super().layer(spec, args, [patched, *shapes[1:]], call, blocks)
        self.analysis.rows[-1].input = shape
        self.layers.append((len(self.analysis.rows) - 1, spec, args))
        return out

    def reshape(self, shape, target, node, blocks):
        """A view to fixed sizes needs the element count to match: an equation, as for a Linear."""
        from convcalc.layers.common import product

        if getattr(node, "fold", None) is not None:  # the batch folded or unfolded: the shape rule's own check
            return super().reshape(shape, target, node, blocks)
        fixed = target and -1 not in target and all(type(t) is int and t >= 1 for t in target)
        total = product(shape)
        if target and -1 not in target and not fixed and all(type(t) is int or dims.is_symbolic(t) for t in target):
            # sizes worked out from the input's (x.reshape(B, C, H // P, P, W // P, P)): they match the elements
            # only for some inputs (H a multiple of P), an equation as a fixed view's is
            difference = total - product(target)
            if dims.is_symbolic(difference):
                self.constraints.append(Constraint("view", node, " ".join(node.text.split()), total,
                                                   product(target), 0, shape, ()))
            return super().reshape(shape, target, node, blocks)
        if not fixed or total == product(target) or (not self.concrete and is_int(total)):
            return super().reshape(shape, target, node, blocks)
        known = product(target)
        self.constraints.append(Constraint("view", node, " ".join(node.text.split()), total, known, 0, shape,
                                           tuple(shape) if len(shape) > 1 else ()))
        out = super().reshape((known,), target, node, blocks)
        self.analysis.rows[-1].input = shape
        return out

    def flattened(self, shape, axis) -> tuple:
        """The dims a Flatten just before multiplied into ``shape[axis]``, if that is what happened."""
        rows = self.analysis.rows
        flattened = rows and rows[-1].spec is not None and rows[-1].spec.traits.field == "flatten"
        if not flattened or rows[-1].shape != shape or axis != len(shape) - 1:
            return ()
        before = rows[-1].input
        for start in range(len(before)):
            product = 1
            for d in before[start:]:
                product = product * d
            if product == shape[axis] and len(before) - start > 1:
                return tuple(before[start:])
        return ()

    def _record(self, a, b, node, label, kind, skip: int | None) -> bool:
        """Record the differing dims of a and b (but ``skip``); False if they can never match (a real error)."""
        if len(a) != len(b):
            return False
        pairs = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y and i != skip]
        if not self.concrete and any(is_int(x) and is_int(y) for _, x, y in pairs):
            return False
        for i, x, y in pairs:
            self.constraints.append(Constraint(kind, node, label, x, y, i, a))
        return True

    def add(self, a, b, node, label):
        if a == b or not self._record(a, b, node, label, "add", None):
            return super().add(a, b, node, label)
        self.analysis.add_row(Row(node, label, "add", a, a))
        return a

    def concat(self, outputs, node, label, dim: int = 1):
        first, _ = outputs[0]
        if all(shape == first for shape, _ in outputs[1:]):
            return super().concat(outputs, node, label, dim)
        axis = concat_axis(first, dim, label, node)
        for shape, _ in outputs[1:]:
            rest, first_rest = shape[:axis] + shape[axis + 1:], first[:axis] + first[axis + 1:]
            if rest != first_rest and not self._record(first, shape, node, label, "concat", axis):
                return super().concat(outputs, node, label, dim)
        shape = (*first[:axis], sum((s[axis] for s, _ in outputs), 0), *first[axis + 1:])
        self.analysis.add_row(Row(node, label, "concat", first, shape))
        return shape


class ValueWalker(Walker):
    """A Walker whose input symbols take the given values (ints, or Exprs in other symbols);
    ``recorder``: the suffix memo of the integer walks (convcalc/inputs/suffix.py), or None
    (set by trace, since the recorder reads the walker)."""

    def __init__(self, program, backend, input_override, values: dict):
        super().__init__(program, backend, input_override)
        self.values = values
        self.recorder = None

    def walk(self, body, frame):
        if self.recorder is None or body is not self.program.body:
            return super().walk(body, frame)
        for index, stmt in enumerate(body):
            if self.recorder.enter(index):
                return
            super().walk((stmt,), frame)

    def input_shape(self, given):
        shape = list(super().input_shape(given))
        for i, dim in enumerate(given.dims):
            if isinstance(dim, n.Name) and dim.id in self.values:
                shape[i] = self.globals[dim.id] = self.values[dim.id]
        return tuple(shape)


class Trace:
    __slots__ = ("analysis", "constraints", "layers")

    def __init__(self, analysis: Analysis, constraints: list, layers: list):
        self.analysis, self.constraints, self.layers = analysis, constraints, layers

    @property
    def ok(self) -> bool:
        return self.analysis.error is None

    def cc201(self) -> list:
        return [w for w in self.analysis.warnings if w.code == codes.INEXACT]


def trace(program, given: Optional[n.Input], values: dict, concrete: bool, memo=None) -> Trace:
    """One relaxed walk; ``memo``: a SuffixMemo (convcalc/inputs/suffix.py) the walks of one
    search share, used when it is sound for this program."""
    analysis = Analysis(program.path, program.source)
    if concrete:
        analysis.rows_only()  # an integer walk's totals are never read
    backend = RelaxedBackend(analysis, concrete)
    walker = ValueWalker(program, backend, given, values)
    if memo is not None and memo.usable:
        from convcalc.inputs.suffix import Recorder

        walker.recorder = Recorder(memo, walker, backend, analysis)
    try:
        analysis.output = walker.run()
    except ConvcalcError as exc:
        analysis.error = exc
    except RecursionError:
        analysis.error = ConvcalcError(codes.ARGUMENT, "the description is nested too deeply to analyse")
    if walker.recorder is not None:
        walker.recorder.finish(analysis.error)
        walker.recorder = None  # no cycle left: thousands of walks must not wait for the collector
    return Trace(analysis, backend.constraints, backend.layers)
