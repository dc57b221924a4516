"""What a walk of the shape engine produces: one :class:`Row` per layer, add, concat or view,
and the :class:`Analysis` that holds them with their totals and problems."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import PLACES, ConvcalcError
from convcalc import nodes as n
from convcalc.layers.common import product
from convcalc.layers.placement import placement
from convcalc.symbolic import dims
from convcalc.shown import shown_path


MAX_SIZE_BITS = 256  # a dimension's size, as numbers in the languages (convcalc/engine/evaluate.py)
DTYPES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8}  # bytes of an element


class Row:
    """One line of the table: a layer (``layer`` as written, ``name`` Conv2d), or an add,
    concat, view or other tensor operation of a block. ``shared``: a later call of a layer
    object already counted (its parameters are shown, not added again; its mult-adds are)."""

    __slots__ = ("node", "_layer", "name", "input", "shape", "params", "buffers", "formula", "kind", "geometry",
                 "global_pool", "path", "trainable", "shared", "one_line", "placed", "_resolve", "spec", "args",
                 "inputs", "sources", "op", "outputs", "declared")

    def __init__(self, node, layer: str, name: str, input: tuple, shape: tuple, params: dims.Dim = 0,
                 buffers: dims.Dim = 0, formula: str = "", kind: str = "other", geometry: Optional[tuple] = None,
                 global_pool: bool = False, blocks: tuple = (), trainable: bool = True, shared: bool = False):
        self.node, self._layer, self.name, self.input, self.shape = node, layer, name, input, shape
        self._resolve = None  # (parameter names, bound values): the layer text resolved when a report asks
        self.params, self.buffers, self.formula, self.kind = params, buffers, formula, kind
        # path: the walk's Block records around the row, outermost first
        self.geometry, self.global_pool, self.path, self.trainable = geometry, global_pool, blocks, trainable
        self.shared = shared
        self.one_line = False  # in a one-line description (-e): where shows line:column (Analysis.add_row)
        self.placed = None  # in a notebook: what maps the line to its cell (errors.PLACES; Analysis.add_row)
        # what the measuring pass and the checks read: the layer's spec and bound arguments (a tensor
        # operation's evaluated arguments), every operand's shape, and where each operand came from,
        # (index of the row that made it or -1 for an input, the name it was saved under or None),
        # set from the walk's data flow (Walker.provenance) once the walk is done
        self.spec, self.args, self.inputs, self.sources = None, None, (input,), ()
        # a tensor operation's declaration (convcalc/layers/operations.py), and its outputs' shapes when it
        # makes several (chunk, split: ``shape`` is the first's)
        self.op, self.outputs = None, None
        # a layer's own mult-adds, where its kind does not tell them (layers/common.py's Result): torchinfo's per
        # sample, torchinfo's that does not grow with the batch, fvcore's; None each when not declared; and
        # torchinfo's memory figures of a layer made of modules (Result.leaves), None when they are its own
        self.declared = (None, 0, None, None)

    def __repr__(self):
        return f"Row(line {self.line}, {self.layer!r} -> {self.shape})"

    @property
    def layer(self) -> str:
        """The call as tables show it: with its arguments resolved (convcalc/engine/resolved.py)."""
        if self._resolve is not None:
            from convcalc.engine.resolved import resolved_call

            self._layer, self._resolve = resolved_call(self.node, *self._resolve), None
        return self._layer

    @property
    def line(self) -> int:
        return self.node.span.line

    @property
    def where(self):
        """The line, or file:line for a layer written in another file of the tree (tables show it);
        line:column in a one-line description, where every statement is on line 1."""
        span = self.node.span
        if span.path:
            return f"{shown_path(span.path)}:{span.line}"
        if self.placed is not None:
            return self.placed.where(span)
        return f"{span.line}:{span.col}" if self.one_line else span.line

    @property
    def position(self) -> dict:
        """The line for JSON: ``{"line": 12}``, or ``{"cell": 3, "line": 5}`` in a notebook."""
        if self.placed is not None and not self.node.span.path:
            cell, span = self.placed.local(self.node.span)
            return {"cell": cell, "line": span.line}
        return {"line": self.line}

    @property
    def blocks(self) -> tuple:
        """The labels of the blocks around the row: ("repeat", "Bottleneck")."""
        return tuple(block.label for block in self.path)

    @property
    def fold(self) -> dims.Dim:
        """The factor the batch is multiplied by at this row's output (``x.view(-1, 16, C)``): 1 mostly."""
        return getattr(self.shape, "fold", 1)

    @property
    def macs(self) -> dims.Dim:
        """Per sample, torchinfo's convention: conv = params x output positions; every other
        layer = params, Linear included whatever its input's rank (torchinfo 1.8.0 multiplies
        by the output's first dim, the batch; see convcalc/metrics/memory.py); a layer that
        declares its own count (an LSTM: params x L) gives it. A folded batch (N*k) counts k
        times; an output whose first dim is not the batch counts in :attr:`macs_fixed`."""
        own = self.declared[0]
        if own is not None:
            return own * self.fold
        if self.kind == "conv":
            return self.params * product(self.shape[1:]) * self.fold
        return self.params * self.fold if getattr(self.shape, "batch", 0) == 0 else 0

    @property
    def macs_fixed(self) -> dims.Dim:
        """torchinfo's mult-adds that do not grow with the batch: a layer whose output's first dim is
        not the batch (a Linear on L x N x H counts L x its parameters, whatever N)."""
        if self.declared[0] is not None:
            return self.declared[1]
        if self.kind == "conv" or getattr(self.shape, "batch", 0) == 0 or not self.shape:
            return 0
        return self.shape[0] * self.params

    @property
    def elements(self) -> dims.Dim:
        """Output elements per sample that take memory: a view shares its input's storage."""
        if self.name == "view" or (self.op is not None and self.op.view):
            return 0
        if self.outputs is None:
            return product(self.shape) * self.fold
        return sum((product(s) * getattr(s, "fold", 1) for s in self.outputs), 0)


class Registered:
    """A layer of a Python model's module tree that forward does not run (or that convcalc did
    not reach): its parameters count, as ``model.parameters()`` counts them."""

    __slots__ = ("path", "call", "params", "buffers", "known", "trainable", "calls", "macs")

    def __init__(self, path: str, call, params, buffers, known: bool = True, trainable: bool = True):
        self.path, self.call, self.params, self.buffers, self.known = path, call, params, buffers, known
        self.trainable = trainable  # call is None for an nn.Parameter attribute
        # a layer subclass whose own forward ran (engine/ownforward.py): how often, and torchinfo's
        # mult-adds for it per sample (in the total; no row holds them)
        self.calls, self.macs = 0, 0


class Analysis:
    """The rows of a walk, up to its first error; warnings are ConvcalcErrors with code CC2xx.

    Rows come only through add_row, which keeps the totals as they come."""

    def __init__(self, path: str, source: str):
        self.path, self.source = path, source
        self.one_line = bool(source) and "\n" not in source.strip("\n")  # -e 'input 3x8x8; Conv2d(3, 4, 3)'
        self.placed = PLACES.get(path)  # a notebook's module: rows say their cell
        self.input: tuple = ()
        self.extra_inputs: list = []  # a model's further inputs (forward(self, x, y)): (name, shape)
        self.output: tuple = ()
        self.outputs: Optional[list] = None  # a model that returns several tensors: each output's shape
        self.error: Optional[ConvcalcError] = None
        self.stopped: Optional[ConvcalcError] = None  # where the Python frontend stopped following (CC301)
        self.tree = True  # the module tree was read whole: the parameter total is exact
        self.rows: list = []
        self.warnings: list = []
        self.registered: list = []  # Registered layers of the module tree, counted apart from the rows
        self.instances: set = set()  # the layer objects counted so far
        self.program = None  # the program walked (set when the walk is done)
        self.output_sources: tuple = ()  # the rows the output (or each output) came from, -1 for an input
        self.stopped_at = None  # (the statement the walk stopped at, the value flowing into it), on an error
        self._info: Optional[list] = None  # the measuring pass's RowInfo per row, kept by metrics/measure.info_of
        self.derived: Optional[str] = None  # the input came from the first layer (nodes.Input.derived)
        # params, trainable params, buffers, mult-adds and output elements of the rows so far
        self._totals = tuple(dims.Total() for _ in range(5))
        self._fixed = dims.Total()  # torchinfo's mult-adds that do not grow with the batch (Row.macs_fixed)

    def add_row(self, row: Row) -> None:
        """Append a row and add its numbers to the totals: a symbolic total that outgrows the
        bounds of dims fails here, inside the walk, at the layer that did it (not in a report).
        A layer object called again counts its mult-adds, not its parameters. A size past
        2**256 fails here too (an OverflowError the walk places at the statement): sizes that grow
        without bound (a concat doubling the channels 15,000 times) would reach numbers Python
        cannot even print."""
        for d in row.shape:
            if type(d) is int and d.bit_length() > MAX_SIZE_BITS:
                raise OverflowError(f"{row.name}: an output size of {d.bit_length():,} bits, over 2**{MAX_SIZE_BITS} "
                                    "(convcalc's bound on sizes)")
        row.one_line, row.placed = self.one_line, self.placed
        self.rows.append(row)
        if self._totals is None:  # rows_only: an integer walk of a search
            return
        params, buffers = (0, 0) if row.shared else (row.params, row.buffers)
        numbers = (params, params if row.trainable else 0, buffers, row.macs, row.elements)
        for total, value in zip(self._totals, numbers):
            total.add(value)
        fixed = row.macs_fixed
        if dims.is_symbolic(fixed) or fixed:  # a symbolic count (a sequence of W/4 columns) has no truth value
            self._fixed.add(fixed)

    def trace_flow(self, walker) -> None:
        """The walk's data flow onto the rows: each row's sources, the output's (after the walk, even
        one that stopped: the rows up to the error have theirs)."""
        for row, (sources, blocks) in zip(self.rows, walker.provenance):
            row.sources, row.path = sources, blocks
        if self.error is not None and walker.failed_at is not None:
            self.stopped_at = (walker.failed_at, walker.value if isinstance(walker.value, tuple) else ())
        if walker.output_origins is not None:
            self.output_sources = tuple(walker.output_origins)
        elif self.error is None:
            self.output_sources = (walker.origin,)

    def path_of(self, row) -> tuple:
        """The blocks around a row, outermost first: the submodules of a Python model whose forward
        emitted it (its program's scopes), then the walk's own."""
        scopes = getattr(self.program, "scopes", None)
        return (scopes.get(id(row.node), ()) if scopes else ()) + tuple(row.path)

    @property
    def counting(self) -> bool:
        """Whether the totals are kept (see rows_only)."""
        return self._totals is not None

    def rows_only(self) -> None:
        """Keep the rows, not the totals: an integer walk of a size search reads shapes and errors, never
        the totals, and integer totals cannot outgrow a bound (the products were a fifth of a search's
        time). Reading a total afterwards fails loudly instead of giving 0."""
        self._totals, self._fixed = None, None

    def add_registered(self, entry: Registered) -> None:
        self.registered.append(entry)
        if not entry.known:
            self.tree = False  # its parameters are not known, nor then the model's total
        if not self.counting:
            return
        trainable = entry.params if entry.trainable else 0
        for total, value in zip(self._totals, (entry.params, trainable, entry.buffers)):
            total.add(value)

    def add_macs(self, macs) -> None:
        """Mult-adds no row holds (a layer subclass run by its own forward: engine/ownforward.py)."""
        if self.counting:
            self._totals[3].add(macs)

    @property
    def totals(self) -> tuple:
        """(params, trainable params, buffers, mult-adds, output elements)."""
        return tuple(total.value for total in self._totals)

    @property
    def complete(self) -> bool:
        """The whole model was followed (a network file always is)."""
        return self.stopped is None

    @property
    def followed(self) -> bool:
        """forward was followed to its end (the model may still hold a part convcalc could not build)."""
        from convcalc.errors import NotFollowed

        return self.stopped is None or (isinstance(self.stopped, NotFollowed) and self.stopped.tree)

    @property
    def params_exact(self) -> bool:
        """The parameter total is the model's: followed to the end, or the module tree read whole."""
        return self.complete or self.tree

    def __repr__(self):
        return f"Analysis({self.path!r}, {len(self.rows)} rows, error={self.error!r})"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def folded_rows(self):
        """(the row of the view, its factor) where a view to -1 rows (``x.view(-1, 400)`` of 16x10x10)
        folded rows of each sample into the batch and an output still has them: torch runs it, but
        the output has that many rows per sample (lint's CC214; ``inputs`` does not count such a
        size as accepted, as its equations do not). None otherwise."""
        rows = self.rows
        for origin in getattr(self, "output_sources", None) or ():
            if not 0 <= origin < len(rows):
                continue
            at, fold = placement(rows[origin].shape)
            if at != 0 or type(fold) is not int or fold == 1:
                continue
            start = rows[origin]  # back to the view that folded it
            while start.sources and 0 <= start.sources[0][0] < len(rows) and \
                    placement(rows[start.sources[0][0]].shape)[1] == fold:
                start = rows[start.sources[0][0]]
            if isinstance(start.node, n.Reshape) and getattr(start.node, "fold", None) is None and \
                    placement(start.input)[1] == 1:
                return start, fold
        return None

    @property
    def total_params(self) -> dims.Dim:
        return self._totals[0].value

    @property
    def trainable_params(self) -> dims.Dim:
        return self._totals[1].value

    @property
    def total_buffers(self) -> dims.Dim:
        return self._totals[2].value

    @property
    def total_macs(self) -> dims.Dim:
        return self._totals[3].value

    @property
    def total_macs_fixed(self) -> dims.Dim:
        """torchinfo's mult-adds that do not grow with the batch (see Row.macs_fixed)."""
        return self._fixed.value

    def macs_at(self, batch: int) -> dims.Dim:
        """torchinfo's total at this batch size."""
        return self.total_macs * batch + self.total_macs_fixed

    @property
    def symbolic(self) -> bool:
        return any(dims.is_symbolic(d) for d in self.input)

    def diagnostics(self):
        problems = list(self.warnings) + ([self.error] if self.error else []) + ([self.stopped] if self.stopped else [])
        sources = getattr(self.program, "sources", ())
        return [p.diagnostic(self.path, self.source, sources) for p in problems]


