"""What lint reports of a network with a symbolic input beyond what the shape engine says:
adds, concats and Linears that no accepted size satisfies, and floors every size drops."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, UsageError, mismatch
from convcalc.inputs.analysis import InputsReport, analyse_inputs, input_line
from convcalc.layers.common import fmt_shape
from convcalc.symbolic import dims
from convcalc.symbolic.conditions import complement
from convcalc.symbolic.intsets import IntSet


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
            report = analyse_inputs(program, input_override, brute_force=False, square=False)
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
                emit(codes.EMPTY, f"no value of {name} passes every layer", given)
            else:
                emit(error.code, f"no value of {name} passes every layer; e.g. {name} = {s}: {error.message}",
                     error.span or given)
            continue
        for condition in result.conditions:
            c = condition.constraint
            if condition.holds & result.valid == IntSet.empty():
                if c.kind in ("add", "concat"):
                    code = codes.ADD_SHAPES if c.kind == "add" else codes.CONCAT_SHAPES
                    emit(code, f"{c.label}: {c.equation()} holds for no {name} every layer accepts "
                               f"({result.valid.describe(name)})", c.node)
                elif c.kind == "linear":
                    receives = f"{fmt_shape(c.factors)} = " if c.factors else ""
                    conflict = refused_where_solved(program, input_override, (name,), c.rhs, condition.holds,
                                                    result.valid)
                    emit(codes.FEATURES, mismatch("Linear", f"{dims.render(c.rhs)} input features,",
                                                  f"{receives}{dims.render(c.lhs)}")
                         + (conflict or f", which equals it for no {name} every layer accepts "
                                        f"({result.valid.describe(name)})"), c.node)
        accepted = result.accepted
        if accepted.is_empty:
            continue
        for span, (warning, fires) in result.inexact.items():
            if (accepted & complement(fires)).is_empty:
                emit(codes.INEXACT, f"for every {name} the network accepts ({accepted.describe(name)}): "
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
            conflict = refused_where_solved(program, input_override, report.names, c.rhs, joint.solves,
                                            report.square.valid if report.square is not None else None)
            emit(codes.FEATURES, mismatch("Linear", f"{dims.render(c.rhs)} input features,",
                                          f"{receives}{dims.render(c.lhs)}")
                 + (conflict or f": no input size gives {dims.render(c.rhs)} ({where})"), c.node)
    return out


def refused_where_solved(program, input_override, names, features, solves: Optional[IntSet],
                         valid: Optional[IntSet]):
    """The words of a Linear's conflict with another layer: the sizes (every symbol equal) that give
    its features, the layer that refuses them there with its own message at the smallest, and the
    sizes the layers accept; None when no size gives the features (then none does, whatever the
    other layers accept)."""
    if solves is None or solves.is_empty:
        return None
    from convcalc.engine.analysis import Analysis
    from convcalc.engine.shapes import ShapeBackend
    from convcalc.errors import line_of
    from convcalc.inputs.relaxed import ValueWalker

    label = " = ".join(names)
    first = solves.smallest()
    analysis = Analysis(program.path, program.source)
    try:
        ValueWalker(program, ShapeBackend(analysis), input_override, dict.fromkeys(names, first)).run()
    except (ConvcalcError, RecursionError) as exc:
        analysis.error = exc
    error = analysis.error
    if not isinstance(error, ConvcalcError) or error.span is None:
        return None
    accepted = f"; the layers accept {valid.describe(label)}" if valid is not None and not valid.is_empty else ""
    return (f": it is {dims.render(features)} only for {solves.describe(label)}, where the layer at "
            f"{line_of(program.path, error.span)} refuses its input (at {label} = {first}: {error.message}){accepted}")
