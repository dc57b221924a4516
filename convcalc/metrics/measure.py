"""The measuring walk: the shape engine's rows, plus one :class:`RowInfo` per row with the
receptive field, fvcore's mult-adds, the window's settings and the blocks around the row."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import ShapeBackend, finish
from convcalc.engine.walk import Walker
from convcalc.errors import ConvcalcError
from convcalc.metrics.fields import Field, start_field, union
from convcalc.metrics.rules import fmas_of, layer_field, op_field, window_settings
from convcalc.symbolic import dims


@dataclass
class RowInfo:
    field: Optional[Field] = None
    fmas: dims.Dim = 0  # fused multiply-adds per sample, fvcore's convention
    kernel: Optional[tuple] = None
    stride: Optional[tuple] = None
    padding: Optional[tuple] = None  # per dim (left, right)
    dilation: Optional[tuple] = None
    path: tuple = ()  # of the walk's Block records, outermost first
    # the tensors the row reads: (index of the row that made it, or -1 for an input; the name it was saved
    # under, or None): the edges of `convcalc draw` (a residual's skip, a saved tensor's concat)
    sources: tuple = ()


class Measured(Analysis):
    """An Analysis with one RowInfo per row (``info``) and the input's receptive field."""

    def __init__(self, *args, info: Optional[list] = None, input_field: Optional[Field] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.info = [] if info is None else info
        self.input_field = input_field


class Value:
    """What flows through the measuring walk: a shape, its receptive field, and where it comes
    from (the index of the row that made it; -1: an input, ``name`` its name if not the first)."""

    __slots__ = ("shape", "field", "source", "name")

    def __init__(self, shape, fld, source: int = -1, name=None):
        self.shape = shape
        self.field = fld
        self.source, self.name = source, name


class MeasureBackend:
    """ShapeBackend's rows, plus a RowInfo for each."""

    def __init__(self, analysis: Measured):
        self.analysis = analysis
        self.shapes = ShapeBackend(analysis)
        self.walker: Optional[Walker] = None

    def path(self, node=None, blocks=None) -> tuple:
        """The blocks around a statement: the submodules of a Python model whose forward emitted it,
        then the walk's (adds and concats get no blocks argument: the walk's now)."""
        if blocks is None:
            blocks = tuple(self.walker.blocks) if self.walker else ()
        scopes = self.walker.program.scopes if self.walker else None
        return (scopes.get(id(node), ()) if scopes and node is not None else ()) + tuple(blocks)

    def start(self, shape, node):
        shape = self.shapes.start(shape, node)
        fld = start_field(shape)
        self.analysis.input_field = fld
        return Value(shape, fld, -1, getattr(node, "name", None))

    def made(self, shape, info: RowInfo, values, names=()) -> Value:
        """The value the row just added made; ``names``: the names its operands were saved under."""
        names = tuple(names) + (None,) * (len(values) - len(names))
        info.sources = tuple((v.source, name or v.name) for v, name in zip(values, names))
        return Value(shape, info.field, len(self.analysis.rows) - 1)

    def layer(self, spec, args, value, call, blocks):
        shape = self.shapes.layer(spec, args, value.shape, call, blocks)
        row = self.analysis.rows[-1]
        info = RowInfo(path=self.path(call, blocks))
        self.analysis.info.append(info)  # now: one RowInfo per row, even if what follows fails
        try:
            info.fmas = fmas_of(spec, args, value.shape, row)
            settings = window_settings(spec, args, value.shape, row)
            for key, setting in settings.items():
                setattr(info, key, setting)
            info.field = layer_field(spec, args, value.shape, shape, settings, value.field)
        except (ConvcalcError, KeyError, TypeError, ValueError, IndexError):
            info.field = None  # an argument the rules did not need; never fail the table
        return self.made(shape, info, [value])

    def add(self, a, b, node, label):
        shape = self.shapes.add(a.shape, b.shape, node, label)
        info = RowInfo(field=union([a.field, b.field]), path=self.path(node))
        self.analysis.info.append(info)
        return self.made(shape, info, [a, b], (None, getattr(node, "name", None)))  # add NAME: the saved one

    def reshape(self, value, target, node, blocks):
        """x.view(...) in a Python model: a view to one dim flattens; any other loses the layout."""
        shape = self.shapes.reshape(value.shape, target, node, blocks)
        fld = value.field
        if fld is not None:
            last = len(shape) - 1
            fld = fld.map(lambda a: a if not a.known else replace(a, dim=last, flat=True) if len(shape) == 1
                          else replace(a, unknown=True))
        info = RowInfo(field=fld, path=self.path(node, blocks))
        self.analysis.info.append(info)
        return self.made(shape, info, [value])

    def op(self, name, values, args, node, blocks):
        shape = self.shapes.op(name, [v.shape for v in values], args, node, blocks)
        try:
            fld = op_field(name, args, [v.shape for v in values], shape, [v.field for v in values])
        except (ConvcalcError, TypeError, ValueError, IndexError):
            fld = None  # never fail the table for a field
        info = RowInfo(field=fld, path=self.path(node, blocks))
        self.analysis.info.append(info)
        return self.made(shape, info, values, node.operands)

    def concat(self, outputs, node, label, dim: int = 1):
        shape = self.shapes.concat([(v.shape, where) for v, where in outputs], node, label, dim)
        fields = [v.field for v, _ in outputs]
        axis = dim % (len(shape) + 1) - 1  # per sample (the engine checked it)
        if axis >= 1:  # along a spatial axis the inputs' units are laid end to end: the field is unknown there
            fields = [f if f is None else f.on_dim(axis, lambda a: replace(a, unknown=True)) for f in fields]
        info = RowInfo(field=union(fields), path=self.path(node))
        self.analysis.info.append(info)
        # concat NAME: the second operand's statement is the save (or the input) that named it
        return self.made(shape, info, [v for v, _ in outputs], [None] + [getattr(where, "name", None) if
                                                                       isinstance(where, (n.Save, n.Input)) else None
                                                                       for _, where in outputs[1:]])


def measure(program, input_override=None) -> Measured:
    """The shape engine's analyse, plus a RowInfo per row; stops at the first error as analyse does."""
    analysis = Measured(program.path, program.source)
    backend = MeasureBackend(analysis)
    walker = Walker(program, backend, input_override)
    backend.walker = walker
    try:
        analysis.output = walker.run().shape
        analysis.outputs = [v.shape for v in walker.outputs] if walker.outputs else None
    except ConvcalcError as exc:
        analysis.error = exc
    return finish(analysis, program, input_override)
