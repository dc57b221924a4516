"""What a walk of the shape engine produces: one :class:`Row` per layer, add, concat or view,
and the :class:`Analysis` that holds them with their totals and problems."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import ConvcalcError
from convcalc.layers.common import product
from convcalc.symbolic import dims


class Row:
    """One line of the table: a layer (``layer`` as written, ``name`` Conv2d), or an add,
    concat or view of a block."""

    __slots__ = ("node", "layer", "name", "input", "shape", "params", "buffers", "formula", "kind", "geometry",
                 "global_pool", "path", "trainable")

    def __init__(self, node, layer: str, name: str, input: tuple, shape: tuple, params: dims.Dim = 0,
                 buffers: dims.Dim = 0, formula: str = "", kind: str = "other", geometry: Optional[tuple] = None,
                 global_pool: bool = False, blocks: tuple = (), trainable: bool = True):
        self.node, self.layer, self.name, self.input, self.shape = node, layer, name, input, shape
        self.params, self.buffers, self.formula, self.kind = params, buffers, formula, kind
        # path: the walk's Block records around the row, outermost first
        self.geometry, self.global_pool, self.path, self.trainable = geometry, global_pool, blocks, trainable

    def __repr__(self):
        return f"Row(line {self.line}, {self.layer!r} -> {self.shape})"

    @property
    def line(self) -> int:
        return self.node.span.line

    @property
    def blocks(self) -> tuple:
        """The labels of the blocks around the row: ("repeat", "Bottleneck")."""
        return tuple(block.label for block in self.path)

    @property
    def macs(self) -> dims.Dim:
        """Per sample, torchinfo's convention: conv = params x output positions; every other
        layer = params, Linear included whatever its input's rank (torchinfo 1.8.0 multiplies
        by the batch only; see convcalc/metrics/memory.py)."""
        if self.kind == "conv":
            return self.params * product(self.shape[1:])
        return self.params

    @property
    def elements(self) -> dims.Dim:
        """Output elements per sample that take memory: a view shares its input's storage."""
        return 0 if self.name == "view" else product(self.shape)


class Analysis:
    """The rows of a walk, up to its first error; warnings are ConvcalcErrors with code CC2xx.

    Rows come only through add_row, which keeps the totals as they come."""

    def __init__(self, path: str, source: str):
        self.path, self.source = path, source
        self.input: tuple = ()
        self.output: tuple = ()
        self.error: Optional[ConvcalcError] = None
        self.rows: list = []
        self.warnings: list = []
        # params, trainable params, buffers, mult-adds and output elements of the rows so far
        self.totals: tuple = (0, 0, 0, 0, 0)

    def add_row(self, row: Row) -> None:
        """Append a row and add its numbers to the totals: a symbolic total that outgrows the
        bounds of dims fails here, inside the walk, at the layer that did it (not in a report)."""
        self.rows.append(row)
        numbers = (row.params, row.params if row.trainable else 0, row.buffers, row.macs, row.elements)
        self.totals = tuple(t + v for t, v in zip(self.totals, numbers))

    def __repr__(self):
        return f"Analysis({self.path!r}, {len(self.rows)} rows, error={self.error!r})"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def total_params(self) -> dims.Dim:
        return self.totals[0]

    @property
    def trainable_params(self) -> dims.Dim:
        return self.totals[1]

    @property
    def total_buffers(self) -> dims.Dim:
        return self.totals[2]

    @property
    def total_macs(self) -> dims.Dim:
        return self.totals[3]

    @property
    def symbolic(self) -> bool:
        return any(dims.is_symbolic(d) for d in self.input)

    def diagnostics(self):
        problems = list(self.warnings) + ([self.error] if self.error else [])
        return [p.diagnostic(self.path, self.source) for p in problems]


