"""Steps 2 and 3 of `convcalc inputs` for one symbol: the period and threshold from the sizes'
quasi-polynomials, then the integer engine over one range (see convcalc/inputs/__init__.py)."""
from __future__ import annotations

from collections import defaultdict
from itertools import chain
from operator import attrgetter

from convcalc import limits
from convcalc.errors import ConvcalcError, Record
from convcalc.inputs.relaxed import Constraint, Trace, relax, trace
from convcalc.inputs.suffix import SuffixMemo
from convcalc.layers.common import geometry_bound, is_int
from convcalc.symbolic import dims, quasi
from convcalc.symbolic.conditions import zero_set
from convcalc.symbolic.intsets import IntSet

MAX_SCAN = 20_000  # integer walks in one decision; beyond, the answer is not proven
INPUT_SHAPE = attrgetter("input", "shape")


class NotProven(Exception):
    """A premise of the decision procedure does not hold; the reason is the message."""


class Condition(Record):
    """``holds``: the values of the symbol for which the equation holds (all s >= 1)."""

    __slots__ = ("constraint", "holds")

    def __init__(self, constraint: Constraint, holds: IntSet):
        self.constraint, self.holds = constraint, holds


class SymbolResult(Record):
    """``valid``: every layer accepts it (equations aside); ``exact``: valid, and no window
    drops or adds rows (no CC201); ``conditions``: Condition, equations in this symbol only;
    ``accepted``: valid and every condition holds; ``checked``: the integer engine ran for
    1..checked; ``inexact``: span -> (layer text, IntSet of valid s where it has CC201);
    ``failures``: s -> the error of the integer walk (the last period only)."""

    __slots__ = ("name", "valid", "exact", "conditions", "accepted", "accepted_exact", "period", "checked", "proven",
                 "inexact", "failures")

    def __init__(self, name: str, valid: IntSet, exact: IntSet, conditions=None, accepted=None, accepted_exact=None,
                 period: int = 1, checked: int = 0, proven: bool = True, inexact=None, failures=None):
        self.name, self.valid, self.exact = name, valid, exact
        self.conditions = [] if conditions is None else conditions
        self.accepted, self.accepted_exact, self.period, self.checked = accepted, accepted_exact, period, checked
        self.proven = proven
        self.inexact = {} if inexact is None else inexact
        self.failures = {} if failures is None else failures

    __hash__ = None  # mutable, as the dataclass it was

    def finish(self):
        accepted, exact = self.valid, self.exact
        for condition in self.conditions:
            accepted = accepted & condition.holds
            exact = exact & condition.holds
        self.accepted, self.accepted_exact = accepted, exact
        return self


def smallest_accepted(spec, args, shape, positions, bound: int) -> int:
    """The first x in 1..bound at which the layer alone accepts ``shape`` with ``x`` at every
    position in ``positions`` (or bound): every size check of the layer passes from there on.
    Not proven when that size is past MAX_SCAN (a kernel of 10**40 would take forever to reach),
    nor for a layer of several tensors (MultiheadAttention's query, key and value), whose rule
    needs them all: the shape of one alone decides nothing."""
    if sum(1 for name in spec.operands if not name.endswith("?")) > 1:
        raise NotProven(f"{spec.name} takes several tensors; its checks on the sizes are not decided one tensor at "
                        "a time")
    for x in range(1, bound + 1):
        if x > MAX_SCAN:
            raise NotProven(f"{spec.name} accepts no size up to {MAX_SCAN:,}")
        limits.charge(1)  # each trial applies the layer's rule: a step's worth
        trial = tuple(x if i in positions else d for i, d in enumerate(shape))
        patched, _ = relax(spec, args, trial, True)
        try:
            spec.rule(args, patched)
        except ConvcalcError:
            continue
        return x
    return bound


class Plan:
    """What the symbolic walk tells of one symbol before any integer walk: each size's
    quasi-polynomial, their common period, ``top`` (past it every size check is decided for
    good) and the distinct layer checks on symbolic sizes: ``checks``, (size, smallest
    accepted) of the layers whose size checks are thresholds; ``layers``, (spec, args, input
    shape, positions of the symbolic sizes) of the others (the ``divides`` trait)."""

    __slots__ = ("qps", "period", "top", "checks", "layers")

    def __init__(self, qps: dict, period: int, top: int, checks: list, layers: list):
        self.qps, self.period, self.top, self.checks, self.layers = qps, period, top, checks, layers


PRINTED_ALIKE = frozenset({int, bool, str, type(None), dims.Expr})  # kinds whose equal values print alike


def arguments_text(args, texts: dict) -> str:
    """The bound arguments as text, sorted (plan's key of a layer), kept in ``texts`` by their key in
    the rule cache (Args.values_key): a deep network binds the same few arguments hundreds of times,
    and the text was a fifth of plan. Kept only for values of kinds whose equal values print alike
    (0.0 and -0.0 are equal floats, printed apart)."""
    key = args.values_key
    try:
        text = texts.get(key) if key is not None else None
    except TypeError:  # a value that cannot be a key
        key = text = None
    if text is None:
        text = repr(sorted(args.values.items(), key=str))
        if key is not None and all(kind in PRINTED_ALIKE for kind in key[1]):
            texts[key] = text
    return text


def plan(symbolic: Trace, name: str) -> Plan:
    only = frozenset({name})
    sizes = set()
    looked: set = set()  # the sizes already looked at: a deep network repeats a few over thousands of rows
    for row in symbolic.analysis.rows:
        for d in (*row.input, *row.shape):
            if d not in looked:
                looked.add(d)
                if dims.is_symbolic(d) and dims.symbols(d) == only:
                    sizes.add(d)
    qps = {}
    for d in sizes:
        try:
            q = quasi.of(d, name)
        except quasi.NotQuasi as exc:
            raise NotProven(f"the size {dims.render(d)} is not periodic in {name}: {exc}") from None
        if not q.slopes_nonnegative():
            raise NotProven(f"the size {dims.render(d)} shrinks as {name} grows")
        qps[d] = q
    try:
        period = quasi.common_period(qps.values())
    except quasi.NotQuasi as exc:
        raise NotProven(str(exc)) from None

    # K: past K periods every size check is decided for good
    settle = 0
    lifted: dict = {}
    settled: dict = {}  # (size, first accepted) -> K: a deep network repeats the same few sizes
    distinct: dict = {}  # (layer, its arguments, input) -> the check: a deep network repeats its blocks
    thresholds: dict = {}  # size -> the smallest value of it every layer it enters accepts
    smallest: dict = {}  # (layer, arguments, input) -> (its smallest accepted, per position)
    texts: dict = {}  # the arguments' texts (arguments_text)
    for index, spec, args in symbolic.layers:
        row = symbolic.analysis.rows[index]
        positions = {i for i, d in enumerate(row.input) if d in qps}
        if not positions:
            continue
        key = (spec.name, arguments_text(args, texts), row.input)
        if spec.traits.divides:  # PixelUnshuffle's factor: applied itself at each size
            distinct.setdefault(key, (spec, args, row.input, positions))
        if key not in smallest:  # the same layer on the same sizes: its thresholds are known
            bound = geometry_bound(args)
            first = smallest_accepted(spec, args, row.input, positions, bound)
            # each size's own threshold, the others large: a layer checks each axis on its own
            alone = {i: first if len(positions) == 1 else smallest_accepted(
                spec, args, tuple(bound if j in positions else v for j, v in enumerate(row.input)), {i}, bound)
                for i in positions}
            smallest[key] = first, alone
        first, alone = smallest[key]
        for i in positions:
            d = row.input[i]
            thresholds[d] = max(thresholds.get(d, 0), alone[i])
            if (d, first) in settled:
                continue
            limits.charge(period)  # lifting to the common period is work in proportion to it
            try:
                if d not in lifted:
                    lifted[d] = qps[d].lift(period)
                settled[d, first] = quasi.settle(lifted[d], first)
            except quasi.NotQuasi as exc:
                raise NotProven(str(exc)) from None
            settle = max(settle, settled[d, first])
    top = (settle + 1) * period
    if top > MAX_SCAN:
        raise NotProven(f"deciding {name} would take {top:,} integer walks (limit {MAX_SCAN:,})")
    return Plan(qps, period, top, list(thresholds.items()), list(distinct.values()))


def window(members, top: int, period: int) -> IntSet:
    """The set of s >= 1 whose members up to ``top`` are given, periodic past its last period."""
    start = top - period + 1
    return IntSet.make(start, period, {s % period for s in members if s >= start},
                       {s for s in members if s < start})


def accepted_by_rules(symbolic: Trace, name: str, found: Plan) -> IntSet:
    """The sizes s of ``name`` that every layer and every equation in ``name`` accepts, read off
    the symbolic walk: each size is its quasi-polynomial at s, compared with the smallest its
    layer accepts, or (a layer whose checks are not thresholds, its ``divides`` trait) given to
    the layer's rule alone, equality checks relaxed as the walk relaxed them. No whole integer
    walk runs (lint's CC303 notice; `convcalc inputs` proves its answer with the integer
    engine). The equations are solved as decide's are."""
    only = frozenset({name})
    seen: dict = {}

    def accepts(spec, args, shape) -> bool:
        key = (id(args), shape)
        if key not in seen:
            patched, _ = relax(spec, args, shape, True)
            try:
                spec.rule(args, patched)
                seen[key] = True
            except ConvcalcError:
                seen[key] = False
        return seen[key]

    members = set()
    for s in range(1, found.top + 1):
        limits.charge(len(found.layers) + 1)
        if all(found.qps[d](s) >= first for d, first in found.checks) and \
                all(accepts(spec, args, tuple(found.qps[d](s) if i in positions else d for i, d in enumerate(shape)))
                    for spec, args, shape, positions in found.layers):
            members.add(s)
    accepted = window(members, found.top, found.period)
    for constraint in symbolic.constraints:
        if constraint.symbols == only or (not constraint.symbols and is_int(constraint.difference)):
            try:
                accepted = accepted & zero_set(constraint.difference, name)
            except quasi.NotQuasi as exc:
                raise NotProven(f"cannot solve {constraint.equation()}: {exc}") from None
    return accepted


def decide(program, given, base: dict, name: str, symbolic: Trace, progress=None) -> SymbolResult:
    """The valid and exact sets of the symbol ``name`` (see the module docstring); ``progress``,
    a factory of bars (report/progress.py), is told how far the integer walks are."""
    found = plan(symbolic, name)
    bar = progress(found.top) if progress is not None else None
    try:
        return walked(program, given, base, name, symbolic, found, bar)
    finally:
        if bar is not None:
            bar.close()


def walked(program, given, base: dict, name: str, symbolic: Trace, found: Plan, bar) -> SymbolResult:
    """decide's integer walks, name = 1..top, and the sets they give."""
    only = frozenset({name})
    period, top = found.period, found.top

    valid, exact = set(), set()
    inexact: dict = {}
    fires = defaultdict(set)
    failures = {}
    memo = SuffixMemo(program, {name, *base})  # walks that meet in a state share the rest (inputs/suffix.py)
    sizes = Sizes(symbolic, name, found.qps)
    with memo.kept():
        for s in range(1, top + 1):
            if bar is not None and s % 64 == 0:
                bar.update(s, f"{name} = {s:,} of {top:,}")
            values = {name: s}
            values.update((key, dims.substitute(v, {name: s})) for key, v in base.items())
            memo.recording = s < top
            concrete = trace(program, given, values, True, memo)
            agree(symbolic, concrete, name, s, found.qps, sizes)
            if not concrete.ok:
                if s > top - period:
                    failures[s] = concrete.analysis.error
                continue
            valid.add(s)
            warnings = concrete.cc201()
            if not warnings:
                exact.add(s)
            for w in warnings:
                fires[w.span].add(s)
                inexact.setdefault(w.span, w)
    result = SymbolResult(name, window(valid, top, period), window(exact, top, period), period=period, checked=top,
                          failures=failures)
    result.inexact = {span: (inexact[span], window(members, top, period)) for span, members in fires.items()}
    for constraint in symbolic.constraints:
        if constraint.symbols == only or (not constraint.symbols and is_int(constraint.difference)):
            try:
                result.conditions.append(Condition(constraint, zero_set(constraint.difference, name)))
            except quasi.NotQuasi as exc:
                raise NotProven(f"cannot solve {constraint.equation()}: {exc}") from None
    return result.finish()


class Sizes:
    """The symbolic walk's sizes, flattened, as indices into its distinct sizes, for agree: a size
    without the symbol is compared as it is, the others are evaluated once per s, and a whole
    integer walk is compared in a few list comparisons (a deep network repeats a few sizes over
    thousands of rows; size by size, agree was a tenth of lint's search). ``lengths``: of each
    row's input and shape; ``seen[k]``: how many distinct sizes the first k rows hold."""

    __slots__ = ("name", "qps", "distinct", "fixed", "varying", "flat", "lengths", "seen")

    def __init__(self, symbolic: Trace, name: str, qps: dict):
        self.name, self.qps = name, qps
        index: dict = {}
        self.flat, self.lengths, self.seen = [], [], [0]
        for row in symbolic.analysis.rows:
            for part in (row.input, row.shape):
                self.flat.extend(index.setdefault(d, len(index)) for d in part)
                self.lengths.append(len(part))
            self.seen.append(len(index))
        self.distinct = list(index)
        # a size without the symbol stands for itself: an int is its value, and an integer walk's size
        # equal to it, of its type, is one agree's loop lets pass (it compares ints only)
        self.fixed = list(self.distinct)
        self.varying = [i for i, d in enumerate(self.distinct) if d in qps or name in dims.symbols(d)]

    def match(self, rows: list, s: int) -> bool:
        """True when the integer walk's ``rows`` are the symbolic ones at s, row for row, type for
        type (then agree has nothing to say); False sends agree through its size-by-size loop, which
        finds and words the difference (or finds that sizes still symbolic differ, which it allows)."""
        count = min(len(rows), len(self.seen) - 1)
        known = self.seen[count]
        values = list(self.fixed[:known])
        try:
            for i in self.varying:
                if i < known:
                    d = self.distinct[i]
                    values[i] = self.qps[d](s) if d in self.qps else dims.substitute(d, {self.name: s})
        except Exception:  # noqa: BLE001  (the loop evaluates the same sizes, and raises as it always did)
            return False
        parts = list(chain.from_iterable(map(INPUT_SHAPE, rows[:count])))
        if list(map(len, parts)) != self.lengths[:2 * count]:
            return False
        got = list(chain.from_iterable(parts))
        want = list(map(values.__getitem__, self.flat[:len(got)]))
        return got == want and list(map(type, got)) == list(map(type, want))


def agree(symbolic: Trace, concrete: Trace, name: str, s: int, qps: dict, sizes: Sizes | None = None) -> None:
    """The integer shapes are the symbolic ones evaluated at s (a premise of the proof); ``sizes``,
    the symbolic walk's (Sizes), checks the common case, all equal, at once."""
    rows = concrete.analysis.rows
    if concrete.ok and len(rows) != len(symbolic.analysis.rows):
        raise NotProven(f"with {name} = {s} the network has {len(rows)} rows, symbolically "
                        f"{len(symbolic.analysis.rows)}")
    if sizes is not None and sizes.match(rows, s):
        return
    cache: dict = {}
    for mine, theirs in zip(symbolic.analysis.rows, rows):
        for a, b in zip((*mine.input, *mine.shape), (*theirs.input, *theirs.shape)):
            value = cache.get(a)
            if value is None:
                value = cache[a] = qps[a](s) if a in qps else dims.substitute(a, {name: s})
            if is_int(value) != is_int(b) or (is_int(value) and value != b):
                raise NotProven(f"line {mine.line}: with {name} = {s} the size is {dims.render(b)}, but "
                                f"{dims.render(a)} gives {dims.render(value)}")
