"""The measuring pass: one :class:`RowInfo` per row of a walk, with the receptive field, fvcore's
mult-adds, the window's settings and the blocks around the row.

It is a pass over the rows the shape engine made, not a walk of its own: each row knows its
layer's spec and bound arguments (or its operation's evaluated arguments), its operands' shapes
and where each operand came from (the walk's data flow), which is all a field needs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from convcalc.errors import ConvcalcError
from convcalc.metrics.fields import Field, start_field, union
from convcalc.metrics.rules import fmas_of, layer_field, op_field, op_fmas, window_settings
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


def input_fields(analysis) -> dict:
    """The receptive field of each input, by its name (None: the first input)."""
    fields = {None: start_field(analysis.input) if analysis.input else None}
    for name, shape in analysis.extra_inputs:
        fields[name] = start_field(shape)
    return fields


def measure_rows(analysis) -> list:
    """A RowInfo for every row of ``analysis``, in order (a row's operands come before it)."""
    starts = input_fields(analysis)
    out: list = []

    def field_of(origin: int, name):
        if origin < 0:
            return starts.get(name, starts[None])
        return out[origin].field if origin < len(out) else None

    for row in analysis.rows:
        fields = [field_of(origin, name) for origin, name in row.sources] or [starts[None]]
        info = RowInfo(path=analysis.path_of(row), sources=row.sources)
        try:
            info.field = row_field(row, info, fields)
        except (ConvcalcError, KeyError, TypeError, ValueError, IndexError):
            info.field = None  # an argument the rules did not need; never fail the table
        out.append(info)
    return out


def row_field(row, info: RowInfo, fields: list) -> Optional[Field]:
    """The row's receptive field (and, for a layer, its fvcore count and window settings in ``info``)."""
    if row.spec is not None:  # a layer of the catalogue
        info.fmas = fmas_of(row.spec, row.args, row.input, row)
        settings = window_settings(row.spec, row.args, row.input, row)
        for key, setting in settings.items():
            setattr(info, key, setting)
        return layer_field(row.spec, row.args, row.input, row.shape, settings, fields[0])
    if row.name == "add":
        return union(fields)
    if row.name == "concat":
        dim = row.args[0] if row.args else 1
        axis = dim % (len(row.shape) + 1) - 1  # per sample (the engine checked it)
        if axis >= 1:  # along a spatial axis the inputs' units are laid end to end: the field is unknown there
            fields = [f if f is None else f.on_dim(axis, lambda a: replace(a, unknown=True)) for f in fields]
        return union(fields)
    if row.name == "view":  # a view to one dim flattens; any other loses the layout
        fld, last = fields[0], len(row.shape) - 1
        if fld is None:
            return None
        return fld.map(lambda a: a if not a.known else replace(a, dim=last, flat=True) if len(row.shape) == 1
                       else replace(a, unknown=True))
    info.fmas = op_fmas(row.name, row.args, list(row.inputs), row.shape) * row.fold
    return op_field(row.name, row.args, list(row.inputs), row.shape, fields)


def info_of(analysis) -> list:
    """Receptive field, fvcore's mult-adds, window settings and blocks of every row of an analysis:
    the measuring pass over its rows, made when first asked and kept with it. (The engine knows
    nothing of this pass: the data flows from the engine to the analyses, never back.)"""
    if analysis._info is None:
        analysis._info = measure_rows(analysis)
    return analysis._info


def input_field_of(analysis):
    """The receptive field of the input: each unit sees itself (None without spatial axes)."""
    return input_fields(analysis)[None]


def measure(program, input_override=None):
    """The shape engine's analysis with its measuring pass made (info_of, input_field_of)."""
    from convcalc.engine.shapes import analyse

    analysis = analyse(program, input_override)
    info_of(analysis)  # made now: the reports read it row by row
    return analysis
