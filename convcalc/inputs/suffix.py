"""The integer walks of `convcalc inputs` share their suffixes.

`inputs` walks the network once per size s of a symbol, thousands of times (the M5 audio
network: 12,289 walks, a period of 4,096). Most of those walks differ only at the start: a
strided convolution and a pool map 64 consecutive lengths to one, and from there the walk is the
same. So at each top-level statement the walk's state is a key (the statement, the tensor
flowing, the saved tensors, the scope, what the shape backend remembers of the last row), and
the rest of a walk from that state is recorded once: its rows, warnings, equations, layers, its
error or its output. A later walk that reaches a recorded state takes the record instead of
walking on. The result is the same walk, rows and all (tests/unit/inputs/test_inputs_suffix.py compares
the reports with and without the memo; bench/bench_inputs.py times both).

The state leaves out the symbol's own value, so this is only sound when nothing after the input
line reads the symbol by name: ``SuffixMemo.usable`` checks the program's nodes for that, and
takes only network files (a Python model's sizes are bound by other means).
"""
from __future__ import annotations

import contextlib

from convcalc import limits
from convcalc import nodes as n

MAX_ENTRIES = 50_000  # recorded suffixes kept at most; past it the table starts again
MAX_NODES = 1_000_000  # nodes looked at for the symbols' names
EMPTY = frozenset()
SHARING = True  # False: every walk runs whole (the tests and bench/bench_inputs.py compare the two)


_NAMES: dict = {}  # id(body) -> (body, its names): the searches of one network (one per symbol) share it


def names_used(body) -> set:
    """Every Name the statements read (an input line aside), by an explicit walk over the nodes;
    worked out once per network (the body is kept with its answer, so an id is never reused)."""
    kept = _NAMES.get(id(body))
    if kept is not None and kept[0] is body:
        return kept[1]
    if len(_NAMES) >= 64:
        _NAMES.clear()
    found = walk_names(body)
    _NAMES[id(body)] = (body, found)
    return found


_SLOTS: dict = {}  # node class -> its slots but the span


def walk_names(body) -> set:
    """Every item met counts towards MAX_NODES, but only nodes, lists and tuples go through the
    stack: a leaf (a number, a text, a span) is counted where it is met (a third of the items)."""
    found, stack, seen = set(), list(body), 0
    containers = (n.Node, list, tuple)
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return {None}  # too large to look through: treated as reading everything
        if isinstance(item, n.Node):
            if isinstance(item, n.Input):
                continue
            if isinstance(item, n.Name):
                found.add(item.id)
            kind = type(item)
            slots = _SLOTS.get(kind)
            if slots is None:
                slots = _SLOTS[kind] = tuple(slot for slot in kind.__slots__ if slot != "span")
            parts = [getattr(item, slot, None) for slot in slots]
        elif isinstance(item, (list, tuple)):
            parts = item
        else:
            continue
        for part in parts:
            if isinstance(part, containers):
                stack.append(part)
            else:
                seen += 1
    return found if seen <= MAX_NODES else {None}


class Suffix:
    """Where the rest of a walk lies in the lists of the walk that recorded it: ``rows`` is (the
    walk's rows, warnings, constraints and layers; the first row), the others their first index."""

    __slots__ = ("rows", "warnings", "constraints", "layers", "error", "value", "outputs", "steps")

    def __init__(self, rows, warnings, constraints, layers, error, value, outputs, steps):
        self.rows, self.warnings, self.constraints, self.layers = rows, warnings, constraints, layers
        self.error, self.value, self.outputs, self.steps = error, value, outputs, steps


class SuffixMemo:
    def __init__(self, program, symbols):
        self.table: dict = {}
        self.hits = self.walks = 0
        self.usable = SHARING and program.frontend is n.NETWORK and \
            not (names_used(program.body) & (set(symbols) | {None}))
        self.skip = frozenset(symbols)
        # False for the search's last walk: what it would record no later walk reads (decide.walked says so)
        self.recording = True

    @contextlib.contextmanager
    def kept(self):
        """The records live while the search runs, and go with it."""
        try:
            yield
        finally:
            self.table.clear()


class Recorder:
    """One walk's use of the memo: the states it passed (to record when it ends), and replays."""

    def __init__(self, memo: SuffixMemo, walker, backend, analysis):
        self.memo, self.walker, self.backend, self.analysis = memo, walker, backend, analysis
        self.pending: list = []
        memo.walks += 1

    def key(self, index: int) -> tuple:
        """The walk's state at top-level statement ``index`` (may hold an unhashable value: see enter)."""
        w, b = self.walker, self.backend
        rows = b.analysis.rows
        padded = b.padded_tail if b.padded_row is not None and rows and b.padded_row is rows[-1] else ()
        saved, skip = w.saved, self.memo.skip
        # the input's shape only while no layer ran: the first layer's message hints at it
        return (index, w.value, w.first, w.start_shape if w.first else None,
                tuple(sorted([(k, v[0]) for k, v in saved.items()])) if saved else (),
                tuple(sorted([(k, v) for k, v in w.globals.items() if k not in skip])),
                tuple(w.outputs) if w.outputs else None, padded,
                frozenset(self.analysis.instances) if self.analysis.instances else EMPTY, w.steps)

    def enter(self, index: int) -> bool:
        """At top-level statement ``index``: True if a recorded suffix was taken (the walk is done)."""
        key = self.key(index)
        try:
            found = self.memo.table.get(key)
        except TypeError:  # a value that cannot be a key: walk on
            return False
        if found is None:
            if not self.memo.recording:
                return False
            b = self.backend
            self.pending.append((key, len(self.analysis.rows), len(self.analysis.warnings), len(b.constraints),
                                 len(b.layers), self.walker.steps))
            return False
        self.memo.hits += 1
        if limits.searching is not None:  # a replay copies the rows the walk would have made: a quarter of the work
            limits.searching.spend(max(1, found.steps // 4))
        start = len(self.analysis.rows)
        (rows, warnings, constraints, layers), first = found.rows
        for row in rows[first:]:
            self.analysis.add_row(row)
        self.analysis.warnings.extend(warnings[found.warnings:])
        self.backend.constraints.extend(constraints[found.constraints:])
        self.backend.layers.extend((start + i - first, spec, args) for i, spec, args in layers[found.layers:])
        self.walker.steps += found.steps
        self.walker.outputs = found.outputs
        self.walker.value = found.value
        if found.error is not None:
            # a fresh traceback each time: raised again and again, one error would keep every walk's frames alive
            raise found.error.with_traceback(None)
        return True

    def finish(self, error) -> None:
        """The walk ended (``error``, or its output): every state it passed gets its suffix."""
        table, a, b = self.memo.table, self.analysis, self.backend
        if error is not None:
            error.__traceback__ = None  # kept in the table: not with this walk's frames
        if len(table) + len(self.pending) > MAX_ENTRIES:
            table.clear()
        # each state keeps where its suffix starts in this walk's lists, not a copy of it: copying made
        # recording quadratic in the statements (4,000 layers: 8.4 s and 890 MB; a replay copies once)
        lists = (a.rows, a.warnings, b.constraints, b.layers)
        for key, rows, warnings, constraints, layers, steps in self.pending:
            table[key] = Suffix((lists, rows), warnings, constraints, layers, error,
                                self.walker.value, self.walker.outputs, self.walker.steps - steps)
