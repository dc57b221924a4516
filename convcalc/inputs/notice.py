"""A Python model without an input size, analysed on the symbolic input its first layer tells
(channels and rank; the sizes are the symbols H, W, ...): the problems no size escapes are
findings, and otherwise a notice names the sizes it accepts and the comment that gives one
(``1x28x28 or 1x29x29`` for the MNIST example's net)."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError
from convcalc.limits import OverBudget, SearchBudget

SHOWN = 3  # example sizes named in the notice


def needs_input(program: n.Program, given: n.Input, notes: Optional[list] = None) -> tuple:
    """(problems that hold for every size, the CC303 notice or None)."""
    name = program.name or program.path
    channels = "x".join(str(d.value) for d in given.dims if isinstance(d, n.Num))
    symbols = [d.id for d in given.dims if isinstance(d, n.Name)]
    try:
        with SearchBudget("deciding which input sizes are valid"):
            accepted = quick_sizes(program, given, symbols)
            if accepted is None:  # none by the rules, or they do not apply: the full decision tells why
                return full_decision(program, given, name, channels, symbols)
    except OverBudget as exc:
        return [], notice(given, f"model {name}: no input size given, and which sizes it accepts was not decided "
                                 f"({exc}); add `# convcalc: input ...` above the model")
    return [], accepted_notice(given, name, channels, symbols, accepted)


def quick_sizes(program: n.Program, given: n.Input, symbols: list):
    """The square sizes the model accepts by its layers' rules, read off one symbolic walk
    (decide.accepted_by_rules), the size the notice recommends checked by an integer walk; None
    when there is none or the reading does not apply."""
    from convcalc.inputs.decide import NotProven, accepted_by_rules, agree, plan
    from convcalc.inputs.relaxed import trace
    from convcalc.symbolic import dims

    if not symbols:
        return None
    first = symbols[0]
    square = trace(program, given, {s: dims.sym(first) for s in symbols}, False)
    if not square.ok:
        return None
    try:
        found = plan(square, first)
        accepted = accepted_by_rules(square, first, found)
        if accepted.is_empty:
            return None
        size = accepted.smallest()  # the size the notice recommends: the integer engine agrees
        concrete = trace(program, given, {s: size for s in symbols}, True)
        if not concrete.ok:
            return None
        agree(square, concrete, first, size, found.qps)
    except NotProven:
        return None
    return accepted


def full_decision(program, given, name: str, channels: str, symbols: list) -> tuple:
    """Every symbol decided with the integer engine (as `convcalc inputs` does): the problems
    no size escapes, or the notice."""
    from convcalc.inputs.analysis import analyse_inputs
    from convcalc.inputs.diagnostics import symbolic_diagnostics

    report = analyse_inputs(program, given, brute_force=False)
    problems = symbolic_diagnostics(program, given, report)
    if problems:
        return problems, None
    accepted = report.accepted
    if accepted is None or not report.proven:
        return [], notice(given, f"model {name}: no input size given; the sizes it accepts were not decided "
                                 f"({report.reason or 'not proven'}); add `# convcalc: input ...` above the model")
    return [], accepted_notice(given, name, channels, symbols, accepted)


def accepted_notice(given: n.Input, name: str, channels: str, symbols: list, accepted) -> ConvcalcError:
    examples = accepted.first(SHOWN)
    if not examples:
        return notice(given, f"model {name}: no input size given; add `# convcalc: input ...` above the model")
    sizes = " or ".join(shape_text(channels, len(symbols), s) for s in examples)
    more = "" if accepted.is_finite and len(accepted.first(SHOWN + 1)) <= SHOWN else ", ..."
    square = f"square inputs {' = '.join(symbols)}, " if len(symbols) > 1 else ""
    suggested = shape_text(channels, len(symbols), conventional(accepted, len(symbols)) or examples[0])
    made = notice(given, f"model {name}: no input size given; it accepts {sizes}{more} "
                         f"({square}{accepted.describe(symbols[0])}); add "
                         f"`# convcalc: input {suggested}` above the model")
    made.suggested = suggested  # for an editor's action that adds the comment
    return made


# the picture sides people use (MNIST, CIFAR, STL, ImageNet crops, Inception, segmentation tiles)
CONVENTIONAL = (28, 32, 64, 96, 128, 224, 227, 256, 299, 320, 384, 512)


def conventional(accepted, rank: int):
    """The smallest side a person would use that the model accepts (not 3x1x1 because it is the
    smallest accepted), for pictures; None for other inputs or when none is accepted."""
    if rank != 2:
        return None
    return next((size for size in CONVENTIONAL if size in accepted), None)


def shape_text(channels: str, rank: int, size: int) -> str:
    return "x".join(([channels] if channels else []) + [str(size)] * rank)


def notice(given: n.Input, message: str) -> ConvcalcError:
    return ConvcalcError(codes.NEEDS_INPUT, message, given.span)
