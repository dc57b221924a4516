"""`convcalc inputs`: which sizes a network with a symbolic input (``input 3xHxW``) accepts.

For each symbol the answer is stated as bounds and congruences (``H ≥ 4 and H ≡ 0 (mod 4)``)
and it is *decided*, not sampled. The method, symbol by symbol (the others stay symbolic):

1. **Relaxed symbolic walk.** The network is walked once with symbolic sizes. Checks that
   compare a size with something that must be *equal* to it (a residual add or a concat of
   two branches, a Linear's in_features, a norm's num_features) are not failed but
   recorded as equations, and the walk continues with the first operand (a Python model's
   ``x.view(-1, 400)`` likewise: its element count is an equation). Every other check
   in the catalogue compares one dimension with constants (the kernel must fit: monotone
   in the size) or looks at it modulo a stride (exact division: CC201; PixelUnshuffle,
   Unflatten divisibility).
2. **Quasi-polynomials.** Every size that depends on the symbol ``s`` only is a
   quasi-polynomial (convcalc/quasi.py): with ``P`` the lcm of their periods, on each
   residue class ``s = i + k*P`` every size is a polynomial in ``k``. So every modular check
   is the same for all ``k`` (a bounded polynomial is constant), and every monotone check
   is decided for good once each size has passed the smallest input at which that layer,
   run on its own, is accepted (found by running the layer's rule on 1, 2, ... up to a
   bound computed from its geometric arguments, past which every size check passes). This
   gives a ``K`` beyond which the outcome of the whole network, for each residue class,
   no longer changes.
3. **Integer engine.** The same walk is run with integer sizes for ``s = 1 .. (K+1)*P``
   (the relaxed equations excepted, everything as ``analyse`` does), and at every ``s`` the
   integer shapes are compared with the symbolic ones evaluated there. The valid and the
   exact sets are then known for every ``s``: the values below ``K*P``, and one full period
   beyond, which repeats.
4. **Equations.** The recorded equations are solved exactly: an equation in one symbol is
   a quasi-polynomial whose zeros are whole residue classes plus finitely many integer
   roots. An equation in several symbols (a Linear after Flatten) is solved for square
   inputs (all symbols equal) the same way, and for pairs ``(H, W)`` up to a bound, each
   ``H`` solved exactly in ``W``.

If a premise fails (a size that is not a quasi-polynomial, a symbolic walk the engine
refuses, a disagreement between symbolic and integer shapes) the report says so and falls
back to running the integer engine for ``s = 1 .. limit`` with all symbols equal, labelled
"checked, not proven".

What the proof rests on, besides convcalc/quasi.py: that every check of the layer
catalogue is of the three kinds of step 1 (reviewed for conv, pool, resample, dense and
norm layers: kernel fit, reflect/circular padding limits, transposed-convolution and pad
output sizes, Upsample output, ceil_mode's last window, PixelUnshuffle / Unflatten
divisibility); and, for Upsample with a float scale_factor, that PyTorch's double
``floor(L * f)`` equals the rational formula (checked at every size the engine runs,
not beyond). Per-symbol sets leave out checks of sizes that mix several symbols (a
Flatten's product): those are decided with all symbols equal (square inputs), and the
(H, W) pairs listed for an equation are its exact solutions within the per-symbol sets.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from convcalc import limits
from convcalc.symbolic import quasi
from convcalc.symbolic import dims
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, UsageError
from convcalc.infer import Analysis, Row, ShapeBackend, Walker, no_input
from convcalc.symbolic.conditions import complement, zero_set
from convcalc.symbolic.intsets import IntSet
from convcalc.layers import fmt_shape, is_int

DEFAULT_LIMIT = 256  # pairs (H, W) up to this; fallback brute force up to this
MAX_SCAN = 20_000  # integer walks in one decision; beyond, the answer is not proven
AUTO_NAMES = {2: ("L",), 3: ("H", "W"), 4: ("D", "H", "W")}

# arguments that never bound a spatial size (the threshold of step 2 ignores them)
NOT_GEOMETRY = {"in_channels", "out_channels", "in_features", "out_features", "num_features", "num_channels",
                "num_groups", "groups", "normalized_shape", "unflattened_size", "dim", "start_dim", "end_dim",
                "num_parameters", "divisor_override", "size", "output_size", "eps", "momentum", "p", "value",
                "negative_slope", "alpha", "beta", "k", "lambd", "threshold", "min_val", "max_val"}


class NotProven(Exception):
    """A premise of the decision procedure does not hold; the reason is the message."""


# ---------------------------------------------------------------- the relaxed walk


@dataclass
class Constraint:
    """An equation the network imposes: ``lhs`` (what arrives) must equal ``rhs``."""

    kind: str  # add, concat, linear, channels, layernorm, view
    node: object
    label: str
    lhs: dims.Dim
    rhs: dims.Dim
    axis: int
    shape: tuple = ()  # the incoming shape, for messages
    factors: tuple = ()  # for a Linear after Flatten: the flattened dims, whose product lhs is

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


def equality_checks(spec, args, shape) -> list:
    """(axis, required size, kind) for the checks of one layer that need a dimension equal to an argument."""
    name = spec.name
    values = args.values
    out = []

    def want(arg, axis, kind):
        value = values.get(arg)
        if (is_int(value) or dims.is_symbolic(value)) and shape and -len(shape) <= axis < len(shape):
            out.append((axis % len(shape), value, kind))

    if name == "Linear":
        want("in_features", -1, "linear")
    elif (name.startswith("Conv") or name.startswith("ConvTranspose")) and "in_channels" in values:
        want("in_channels", 0, "channels")
    elif name.startswith("BatchNorm") or (name.startswith("InstanceNorm") and (
            values.get("affine") is True or values.get("track_running_stats") is True)):
        want("num_features", 0, "channels")
    elif name == "GroupNorm":
        want("num_channels", 0, "channels")
    elif name == "LayerNorm":
        normalized = values.get("normalized_shape")
        normalized = (normalized,) if is_int(normalized) else normalized
        if isinstance(normalized, tuple) and 0 < len(normalized) <= len(shape) and all(is_int(v) for v in normalized):
            for i, v in enumerate(normalized):
                out.append((len(shape) - len(normalized) + i, v, "layernorm"))
    return out


def relax(spec, args, shape, concrete: bool):
    """The shape with every dimension an equality check reads set to what the check wants,
    and the (axis, have, want, kind) that differed. A difference between two ints is only
    relaxed in a concrete walk (in a symbolic one it fails for every size: a real error)."""
    patched = list(shape)
    found = []
    for axis, value, kind in equality_checks(spec, args, shape):
        have = shape[axis]
        if have == value:
            continue
        if not concrete and is_int(have) and is_int(value):
            continue
        found.append((axis, have, value, kind))
        patched[axis] = value
    return tuple(patched), found


class RelaxedBackend(ShapeBackend):
    """ShapeBackend that records equations instead of failing them (see the module docstring)."""

    def __init__(self, analysis: Analysis, concrete: bool):
        super().__init__(analysis)
        self.concrete = concrete
        self.constraints: list[Constraint] = []
        self.layers: list = []  # (row index, spec, bound args)

    def layer(self, spec, args, shape, call, blocks):
        patched, found = relax(spec, args, shape, self.concrete)
        for axis, have, want, kind in found:
            self.constraints.append(Constraint(kind, call, " ".join(call.text.split()), have, want, axis, shape,
                                               self.flattened(shape, axis)))
        out = super().layer(spec, args, patched, call, blocks)
        self.analysis.rows[-1].input = shape
        self.layers.append((len(self.analysis.rows) - 1, spec, args))
        return out

    def reshape(self, shape, target, node, blocks):
        """A view to fixed sizes needs the element count to match: an equation, as for a Linear."""
        from convcalc.layers import product

        fixed = target and -1 not in target and all(type(t) is int and t >= 1 for t in target)
        total = product(shape)
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
        if not rows or rows[-1].name != "Flatten" or rows[-1].shape != shape or axis != len(shape) - 1:
            return ()
        before = rows[-1].input
        for start in range(len(before)):
            product = 1
            for d in before[start:]:
                product = product * d
            if product == shape[axis] and len(before) - start > 1:
                return tuple(before[start:])
        return ()

    def _record(self, a, b, node, label, kind, skip_channels: bool) -> bool:
        """Record the differing dims of a and b; False if they can never match (a real error)."""
        if len(a) != len(b):
            return False
        pairs = [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y and not (skip_channels and i == 0)]
        if not self.concrete and any(is_int(x) and is_int(y) for _, x, y in pairs):
            return False
        for i, x, y in pairs:
            self.constraints.append(Constraint(kind, node, label, x, y, i, a))
        return True

    def add(self, a, b, node, label):
        if a == b or not self._record(a, b, node, label, "add", False):
            return super().add(a, b, node, label)
        self.analysis.add_row(Row(node, label, "add", a, a))
        return a

    def concat(self, outputs, node, label):
        first, _ = outputs[0]
        if all(shape == first for shape, _ in outputs[1:]):
            return super().concat(outputs, node, label)
        for shape, _ in outputs[1:]:
            if shape[1:] != first[1:] and not self._record(first, shape, node, label, "concat", True):
                return super().concat(outputs, node, label)
        shape = (sum((s[0] for s, _ in outputs), 0), *first[1:])
        self.analysis.add_row(Row(node, label, "concat", first, shape))
        return shape


class ValueWalker(Walker):
    """A Walker whose input symbols take the given values (ints, or Exprs in other symbols)."""

    def __init__(self, program, backend, input_override, values: dict):
        super().__init__(program, backend, input_override)
        self.values = values

    def input_shape(self, given):
        shape = list(super().input_shape(given))
        for i, dim in enumerate(given.dims):
            if isinstance(dim, n.Name) and dim.id in self.values:
                shape[i] = self.globals[dim.id] = self.values[dim.id]
        return tuple(shape)


@dataclass
class Trace:
    analysis: Analysis
    constraints: list
    layers: list

    @property
    def ok(self) -> bool:
        return self.analysis.error is None

    def cc201(self) -> list:
        return [w for w in self.analysis.warnings if w.code == "CC201"]


def trace(program, given: Optional[n.Input], values: dict, concrete: bool) -> Trace:
    analysis = Analysis(program.path, program.source)
    backend = RelaxedBackend(analysis, concrete)
    try:
        analysis.output = ValueWalker(program, backend, given, values).run()
    except ConvcalcError as exc:
        analysis.error = exc
    except RecursionError:
        analysis.error = ConvcalcError("CC002", "the description is nested too deeply to analyse")
    return Trace(analysis, backend.constraints, backend.layers)


# ---------------------------------------------------------------- deciding one symbol


@dataclass
class Condition:
    constraint: Constraint
    holds: IntSet  # the values of the symbol for which the equation holds (all s >= 1)


@dataclass
class SymbolResult:
    name: str
    valid: IntSet  # every layer accepts it (equations aside)
    exact: IntSet  # valid, and no window drops or adds rows (no CC201)
    conditions: list = field(default_factory=list)  # Condition, equations in this symbol only
    accepted: IntSet = None  # valid and every condition holds
    accepted_exact: IntSet = None
    period: int = 1
    checked: int = 0  # the integer engine ran for 1..checked
    proven: bool = True
    inexact: dict = field(default_factory=dict)  # span -> (layer text, IntSet of valid s where it has CC201)
    failures: dict = field(default_factory=dict)  # s -> the error of the integer walk (the last period only)

    def finish(self):
        accepted, exact = self.valid, self.exact
        for condition in self.conditions:
            accepted = accepted & condition.holds
            exact = exact & condition.holds
        self.accepted, self.accepted_exact = accepted, exact
        return self


def geometry_bound(args) -> int:
    """A size at least this large passes every size check of the layer (see NOT_GEOMETRY):
    with C the largest geometric argument, kernels, dilated kernels, paddings, crops and
    transposed-convolution shrinkage are all below 2*C*C + 2*C + 2."""
    c = 1
    for name, value in args.values.items():
        if name in NOT_GEOMETRY:
            continue
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, bool) or v is None or isinstance(v, str):
                continue
            if isinstance(v, int):
                c = max(c, abs(v))
            elif isinstance(v, float) and v > 0 and math.isfinite(v):
                c = max(c, math.ceil(v), math.ceil(1 / v))
    return 2 * c * c + 2 * c + 2


def smallest_accepted(spec, args, shape, positions, bound: int) -> int:
    """The first x in 1..bound at which the layer alone accepts ``shape`` with ``x`` at every
    position in ``positions`` (or bound): every size check of the layer passes from there on.
    Not proven when that size is past MAX_SCAN (a kernel of 10**40 would take forever to reach)."""
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


def decide(program, given, base: dict, name: str, symbolic: Trace) -> SymbolResult:
    """The valid and exact sets of the symbol ``name`` (see the module docstring)."""
    only = frozenset({name})
    sizes = set()
    for row in symbolic.analysis.rows:
        for d in (*row.input, *row.shape):
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
    for index, spec, args in symbolic.layers:
        row = symbolic.analysis.rows[index]
        positions = {i for i, d in enumerate(row.input) if d in qps}
        if not positions:
            continue
        first = smallest_accepted(spec, args, row.input, positions, geometry_bound(args))
        for i in positions:
            d = row.input[i]
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

    valid, exact = set(), set()
    inexact: dict = {}
    fires = defaultdict(set)
    failures = {}
    for s in range(1, top + 1):
        values = {name: s}
        values.update((key, dims.substitute(v, {name: s})) for key, v in base.items())
        concrete = trace(program, given, values, True)
        agree(symbolic, concrete, name, s, qps)
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

    def window(members) -> IntSet:
        start = top - period + 1
        return IntSet.make(start, period, {s % period for s in members if s >= start},
                           {s for s in members if s < start})

    result = SymbolResult(name, window(valid), window(exact), period=period, checked=top, failures=failures)
    result.inexact = {span: (inexact[span], window(members)) for span, members in fires.items()}
    for constraint in symbolic.constraints:
        if constraint.symbols == only or (not constraint.symbols and is_int(constraint.difference)):
            try:
                result.conditions.append(Condition(constraint, zero_set(constraint.difference, name)))
            except quasi.NotQuasi as exc:
                raise NotProven(f"cannot solve {constraint.equation()}: {exc}") from None
    return result.finish()


def agree(symbolic: Trace, concrete: Trace, name: str, s: int, qps: dict) -> None:
    """The integer shapes are the symbolic ones evaluated at s (a premise of the proof)."""
    rows = concrete.analysis.rows
    if concrete.ok and len(rows) != len(symbolic.analysis.rows):
        raise NotProven(f"with {name} = {s} the network has {len(rows)} rows, symbolically "
                        f"{len(symbolic.analysis.rows)}")
    cache: dict = {}
    for mine, theirs in zip(symbolic.analysis.rows, rows):
        for a, b in zip((*mine.input, *mine.shape), (*theirs.input, *theirs.shape)):
            value = cache.get(a)
            if value is None:
                value = cache[a] = qps[a](s) if a in qps else dims.substitute(a, {name: s})
            if is_int(value) != is_int(b) or (is_int(value) and value != b):
                raise NotProven(f"line {mine.line}: with {name} = {s} the size is {dims.render(b)}, but "
                                f"{dims.render(a)} gives {dims.render(value)}")


# ---------------------------------------------------------------- the whole report


@dataclass
class Pairs:
    """Solutions (H, W) of a two-symbol equation with H up to the limit, each H solved exactly in W."""

    names: tuple
    limit: int
    groups: list  # (h values, IntSet of w)
    exact_groups: list


@dataclass
class Joint:
    """An equation in several symbols (a Linear after Flatten)."""

    constraint: Constraint
    square: Optional[IntSet] = None  # values s with every symbol = s that solve it (and are valid)
    square_exact: Optional[IntSet] = None
    pairs: Optional[Pairs] = None


@dataclass
class InputsReport:
    path: str
    input: tuple = ()
    names: tuple = ()
    auto: bool = False  # the symbols were introduced by convcalc (the file's input was concrete)
    original: tuple = ()  # the file's concrete input, when auto
    symbols: list = field(default_factory=list)  # SymbolResult per name
    joint: list = field(default_factory=list)
    square: Optional[SymbolResult] = None  # all symbols equal (only when there are several)
    proven: bool = True
    reason: str = ""  # why not proven
    error: Optional[ConvcalcError] = None  # the symbolic walk failed
    limit: int = DEFAULT_LIMIT
    checked: Optional[IntSet] = None  # the fallback: values s (all symbols = s) the engine accepts
    checked_exact: Optional[IntSet] = None

    @property
    def overall(self) -> Optional[SymbolResult]:
        """The result for all symbols equal: the square one, or the only symbol's."""
        if self.square is not None:
            return self.square
        return self.symbols[0] if len(self.symbols) == 1 else None

    @property
    def accepted(self) -> Optional[IntSet]:
        return self.restricted("accepted", self.checked)

    @property
    def accepted_exact(self) -> Optional[IntSet]:
        return self.restricted("accepted_exact", self.checked_exact)

    def restricted(self, name: str, unproven: Optional[IntSet]) -> Optional[IntSet]:
        """The overall result's set ``name``, cut by the joint (square) conditions; what the
        integer engine found (``unproven``) where the argument does not apply."""
        if not self.proven:
            return unproven
        result = self.overall
        if result is None:
            return None
        values = getattr(result, name)
        if self.square is not None:
            for joint in self.joint:
                values = values & joint.square
        return values

    def original_status(self) -> Optional[str]:
        if not self.auto or len(set(self.original[1:])) != 1:
            return None
        s = self.original[1]
        accepted = self.accepted
        if accepted is None:
            return None
        if s not in accepted:
            return "not accepted"
        return "accepted, exact" if s in self.accepted_exact else "accepted, not exact"


def input_line(program, override: Optional[n.Input]):
    return override if override is not None else program.input


def symbolise(given: n.Input):
    """(input with symbols, auto?) -- a concrete C x ... input gets H, W (or L; D, H, W)."""
    if any(isinstance(d, n.Name) for d in given.dims):
        return given, False
    names = AUTO_NAMES.get(len(given.dims))
    if names is None:
        raise UsageError(f"the input {'x'.join(str(d.value) for d in given.dims)} has no symbolic size; "
                         "pass one with --input, e.g. --input 3xHxW")
    dims_ = (given.dims[0],) + tuple(n.Name(id=name, span=d.span) for name, d in zip(names, given.dims[1:]))
    return n.Input(dims=dims_, span=given.span), True


def analyse_inputs(program, input_override: Optional[n.Input] = None, limit: int = DEFAULT_LIMIT,
                   brute_force: bool = True) -> InputsReport:
    """The report of `convcalc inputs`; with brute_force=False an unprovable network is only
    marked not proven (no fallback run of the integer engine: lint uses that)."""
    report = InputsReport(program.path, limit=limit)
    given = input_line(program, input_override)
    if given is None:  # the walk's own error, where it would stop (exit 1, as for shapes)
        raise no_input(program)
    original = given
    try:
        given, report.auto = symbolise(given)
    except UsageError as exc:
        raise limits.refusal(str(exc), program) from None
    if report.auto:
        report.original = tuple(d.value for d in original.dims)
    names = []
    for d in given.dims:
        if isinstance(d, n.Name) and d.id not in names:
            names.append(d.id)
    report.names = tuple(names)
    symbolic = trace(program, given, {}, False)
    report.input = symbolic.analysis.input
    if not symbolic.ok:
        report.error = symbolic.analysis.error
        return fallback(report, program, given, f"the symbolic walk stops: {report.error.message}", brute_force)
    try:
        for name in names:
            report.symbols.append(decide(program, given, {}, name, symbolic))
        if len(names) > 1:
            first = dims.sym(names[0])
            base = {name: first for name in names}
            square = trace(program, given, base, False)
            if not square.ok:
                raise NotProven(f"with {' = '.join(names)} the symbolic walk stops: {square.analysis.error.message}")
            report.square = decide(program, given, base, names[0], square)
            report.joint = joint_equations(symbolic, square, report)
    except NotProven as exc:
        return fallback(report, program, given, str(exc), brute_force)
    return report


def occurrences(constraints):
    seen: dict = defaultdict(int)
    out = {}
    for c in constraints:
        key = (id(c.node), c.axis, c.kind)
        out[key + (seen[key],)] = c
        seen[key] += 1
    return out


def joint_equations(symbolic: Trace, square: Trace, report: InputsReport) -> list:
    by_key = occurrences(square.constraints)
    square_result = report.square
    out = []
    for key, constraint in occurrences(symbolic.constraints).items():
        if len(constraint.symbols) < 2:
            continue
        joint = Joint(constraint)
        twin = by_key.get(key)
        if twin is None:  # with all symbols equal, the equation always holds
            holds = IntSet.everything()
        else:
            try:
                holds = zero_set(twin.difference, report.names[0])
            except quasi.NotQuasi as exc:
                raise NotProven(f"cannot solve {twin.equation()}: {exc}") from None
        joint.square = square_result.accepted & holds
        joint.square_exact = square_result.accepted_exact & holds
        if len(constraint.symbols) == 2:
            joint.pairs = solve_pairs(constraint, report)
        out.append(joint)
    return out


def solve_pairs(constraint: Constraint, report: InputsReport) -> Pairs:
    first, second = [name for name in report.names if name in constraint.symbols]
    results = {r.name: r for r in report.symbols}
    a, b = results[first], results[second]
    groups, exact_groups = [], []
    for h in range(1, report.limit + 1):
        if h not in a.accepted:
            continue
        rest = dims.substitute(constraint.difference, {first: h})
        try:
            ws = zero_set(rest, second)
        except quasi.NotQuasi as exc:
            raise NotProven(f"cannot solve {constraint.equation()} for {first} = {h}: {exc}") from None
        for target, allowed, want in ((groups, b.accepted, True), (exact_groups, b.accepted_exact,
                                                                    h in a.accepted_exact)):
            if not want:
                continue
            found = ws & allowed
            if found.is_empty:
                continue
            if target and target[-1][1] == found and target[-1][0][-1] == h - 1:
                target[-1][0].append(h)
            else:
                target.append(([h], found))
    return Pairs((first, second), report.limit, groups, exact_groups)


def fallback(report: InputsReport, program, given, reason: str, brute_force: bool = True) -> InputsReport:
    """Not provable: run the integer engine (no relaxation) for every symbol = s, s = 1..limit."""
    report.proven = False
    report.reason = reason
    report.symbols, report.square, report.joint = [], None, []
    if not brute_force:
        return report
    valid, exact = [], []
    for s in range(1, report.limit + 1):
        analysis = Analysis(program.path, program.source)
        try:
            ValueWalker(program, ShapeBackend(analysis), given, dict.fromkeys(report.names, s)).run()
        except (ConvcalcError, RecursionError) as exc:
            analysis.error = exc
        if analysis.ok:
            valid.append(s)
            if not any(w.code == "CC201" for w in analysis.warnings):
                exact.append(s)
    report.checked, report.checked_exact = IntSet.of(valid), IntSet.of(exact)
    return report


# ---------------------------------------------------------------- for lint and the engine


def symbolic_diagnostics(program, input_override: Optional[n.Input] = None,
                         report: Optional[InputsReport] = None) -> list:
    """What a symbolic input's network can be told beyond ``analyse``: [ConvcalcError, ...].

    * CC104 / CC105: an add or concat whose shapes match for no size every layer accepts;
    * CC102: a Linear whose in_features no input size gives (square inputs, and pairs up to
      the limit for two symbols);
    * CC103: no size at all passes every layer;
    * CC201: a layer that drops or adds rows for every accepted size (elsewhere the floors
      are conditions, not warnings: ``convcalc inputs`` states them).
    It never repeats what ``analyse`` reports (CC203, the conditions of adds and concats,
    comes from the engine itself). Empty for a concrete input or an unprovable network.
    """
    given = input_line(program, input_override)
    if given is None or not any(isinstance(d, n.Name) for d in given.dims):
        return []
    if report is None:
        try:
            report = analyse_inputs(program, input_override, brute_force=False)
        except UsageError:
            return []
    if not report.proven or report.error is not None:
        return []
    out: list[ConvcalcError] = []
    seen = set()

    def emit(code, message, node_or_span):
        span = getattr(node_or_span, "span", node_or_span)
        if (code, span) not in seen:
            seen.add((code, span))
            out.append(ConvcalcError(code, message, span))

    for result in report.symbols:
        name = result.name
        if result.valid.is_empty:
            s, error = next(iter(sorted(result.failures.items())), (None, None))
            if error is None:
                emit("CC103", f"no value of {name} passes every layer", given)
            else:
                emit(error.code, f"no value of {name} passes every layer; e.g. {name} = {s}: {error.message}",
                     error.span or given)
            continue
        for condition in result.conditions:
            c = condition.constraint
            if condition.holds & result.valid == IntSet.empty():
                if c.kind in ("add", "concat"):
                    code = "CC104" if c.kind == "add" else "CC105"
                    emit(code, f"{c.label}: {c.equation()} holds for no {name} every layer accepts "
                               f"({result.valid.describe(name)})", c.node)
                elif c.kind == "linear":
                    receives = f"{fmt_shape(c.factors)} = " if c.factors else ""
                    emit("CC102", f"Linear expects {dims.render(c.rhs)} input features, but receives "
                                  f"{receives}{dims.render(c.lhs)}, which equals it for no {name} every layer "
                                  f"accepts ({result.valid.describe(name)})", c.node)
        accepted = result.accepted
        if accepted.is_empty:
            continue
        for span, (warning, fires) in result.inexact.items():
            if (accepted & complement(fires)).is_empty:
                emit("CC201", f"for every {name} the network accepts ({accepted.describe(name)}): "
                              f"{warning.message}", span)
    for joint in report.joint:
        c = joint.constraint
        pairs = joint.pairs
        none_square = joint.square is not None and joint.square.is_empty
        if c.kind == "linear" and none_square and (pairs is None or not pairs.groups):
            where = f"with {' = '.join(report.names)}"
            if pairs is not None:
                where += f", nor with {pairs.names[0]} ≤ {pairs.limit} and any {pairs.names[1]}"
            receives = f"{fmt_shape(c.factors)} = " if c.factors else ""
            emit("CC102", f"Linear expects {dims.render(c.rhs)} input features, but receives "
                          f"{receives}{dims.render(c.lhs)}: no input size gives {dims.render(c.rhs)} ({where})",
                 c.node)
    return out


