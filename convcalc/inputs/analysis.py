"""The whole `convcalc inputs` answer: every symbol decided, square inputs, the equations in
several symbols (a Linear after Flatten), and the integer engine's fallback where the
argument does not apply."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from convcalc import codes, limits
from convcalc import nodes as n
from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import ShapeBackend
from convcalc.engine.walk import no_input
from convcalc.errors import ConvcalcError, UsageError
from convcalc.inputs.decide import NotProven, SymbolResult, decide
from convcalc.inputs.relaxed import Constraint, Trace, ValueWalker, trace
from convcalc.layers.common import AXES
from convcalc.symbolic import dims, quasi
from convcalc.symbolic.conditions import zero_set
from convcalc.symbolic.intsets import IntSet

DEFAULT_LIMIT = 256  # pairs (H, W) up to this; fallback brute force up to this


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
    solves: Optional[IntSet] = None  # values s with every symbol = s that solve it, valid or not
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
    names = AXES.get(len(given.dims) - 1)
    if names is None:
        raise UsageError(f"the input {'x'.join(str(d.value) for d in given.dims)} has no symbolic size; "
                         "pass one with --input, e.g. --input 3xHxW")
    dims_ = (given.dims[0],) + tuple(n.Name(id=name, span=d.span) for name, d in zip(names, given.dims[1:]))
    return n.Input(dims=dims_, span=given.span), True


def analyse_inputs(program, input_override: Optional[n.Input] = None, limit: int = DEFAULT_LIMIT,
                   brute_force: bool = True, progress=None, square: bool = True) -> InputsReport:
    """The report of `convcalc inputs`; with brute_force=False an unprovable network is only
    marked not proven (no fallback run of the integer engine: lint uses that). ``progress``: a
    factory of progress bars for the integer walks (the command passes one drawn on a terminal).
    ``square=False``: the walks with every symbol equal only where an equation ties the symbols
    (the joint equations need them); lint's diagnostics read nothing else of them, and they were a
    third of its search."""
    report = InputsReport(program.path, limit=limit)
    given = input_line(program, input_override)
    if given is None:  # the walk's own error, where it would stop (exit 1, as for shapes)
        raise no_input(program)
    original = given
    try:
        given, report.auto = symbolise(given)
    except UsageError as exc:
        raise limits.refusal(str(exc), program, codes.ARGUMENT) from None
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
            report.symbols.append(decide(program, given, {}, name, symbolic, progress))
        tied = any(len(c.symbols) > 1 for c in symbolic.constraints)
        if len(names) > 1 and (square or tied):
            first = dims.sym(names[0])
            base = {name: first for name in names}
            square = trace(program, given, base, False)
            if not square.ok:
                raise NotProven(f"with {' = '.join(names)} the symbolic walk stops: {square.analysis.error.message}")
            report.square = decide(program, given, base, names[0], square, progress)
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
        joint.solves = holds
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
            if not any(w.code == codes.INEXACT for w in analysis.warnings):
                exact.append(s)
    report.checked, report.checked_exact = IntSet.of(valid), IntSet.of(exact)
    return report
