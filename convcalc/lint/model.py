"""Linting one model, as a straight pipeline: the input it is checked on, the walk, the engine's
own problems, the checks, what a symbolic input allows, the layers never used; then only what
holds for every input size when the size was not given."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.engine.derive import ASSUMED, EXACT
from convcalc.errors import Span, line_of
from convcalc.lint import messages as m
from convcalc.symbolic import dims
from convcalc.shown import shown_path


def lint_model(program: n.Program, override: Optional[n.Input], model, notes: list, notices: list,
               partly: Optional[list] = None) -> list:
    """Findings of one program; ``model`` is the Python frontend's PythonModel, or None.
    ``notices`` receives what is shown but is not a finding (CC303: the input a model needs);
    ``partly``, (name, CC301 error) of a model whose walk stopped where a size decides (no input
    size given): checked up to there, never "all checks passed"."""
    from convcalc.lint import flow

    given = override or program.input
    derived = getattr(given, "derived", None)
    outcome = flow.run(program, override)
    error = outcome.analysis.error
    if error is not None and error.code == codes.SYNTAX and program.frontend is n.PYTHON and given is None:
        # a Python model whose input neither a comment nor its first layer tells: not followed, no syntax error
        outcome.analysis.error = None
        if partly is not None and program.stopped is None:
            partly.append((program.name, no_input_stop(program, error)))
    found = engine_findings(program.path, outcome, model)
    found += check_findings(program.path, outcome)
    followed = outcome.analysis.error is None and program.complete
    if derived == EXACT:  # the rank and channels from the first layer, the sizes symbols
        # the notice states the sizes instead; what holds only while a size is symbolic is no finding
        found = [f for f in found if f.code != codes.CONDITIONAL and not f.undecided]
        error = outcome.analysis.error
        if error is not None and error.undecided and partly is not None:
            partly.append((program.name, undecided_stop(program, error)))
        if followed:
            found += sized_findings(program, given, notes, notices)
    elif derived == ASSUMED:
        notices.append(m.NeedsInput(program.path, on_its_own(given.span), f"model {program.name}: no input size given; checked "
                                                             f"as a flat input of {given.dims[0].value} features "
                                                             "(add `# convcalc: input ...` above the model for more)"))
        found = certain_findings(found, False, outcome)
    elif followed:
        found += symbolic_findings(program, given, notes)
    found = once_per_line(found, outcome.analysis.rows)
    found += unused_findings(program.path, model)
    return found


def on_its_own(span: Span) -> Span:
    """The place of a notice about a whole model (its input): a model whose first layer is built
    inside a library block is placed at the block's call, without naming the block."""
    return Span(span.line, span.col, span.end_line, span.end_col, span.path) if span.within else span


def undecided_stop(program: n.Program, error):
    """The stop of a model without an input size where the walk needs one (a pool as large as the
    input, a condition on a size): what comes before is checked, the rest only with a size."""
    from convcalc.errors import NotFollowed

    return NotFollowed(codes.NOT_FOLLOWED, f"model {program.name}: checked up to here, where the input's size decides "
                                           f"({error.message}); add `# convcalc: input ...` above the model to check "
                                           "the rest", error.span, error.message, "size")


def no_input_stop(program: n.Program, error):
    from convcalc.errors import NotFollowed

    return NotFollowed(codes.NOT_FOLLOWED, f"model {program.name}: not checked: its input's size is not given and its "
                                           "first step does not tell its rank and channels; add `# convcalc: input "
                                           "...` above the model", error.span, error.message, "size")


def once_per_line(found: list, rows: list) -> list:
    """A finding inside a def is made once per call: the same words at the same place are shown
    once, naming the def and its call sites ("in ConvBlock, called at lines 20, 21, 22")."""
    calls: dict = {}  # (line, col) of a layer -> {(def, line of its call)}
    for row in rows:
        defs = [block for block in row.path if block.text is not None]
        if defs:
            calls.setdefault((row.node.span.line, row.node.span.col), set()).add((defs[-1].label, defs[-1].line))
    groups: dict = {}
    for finding in found:
        groups.setdefault((finding.span.line, finding.span.col, finding.code, finding.message), []).append(finding)
    out = []
    for (line, col, _, _), same in groups.items():
        first = same[0]
        sites = calls.get((line, col), set())
        differing = len({f.message for f in found if (f.span.line, f.span.col, f.code) == (line, col, first.code)})
        if sites and differing == 1 and len({label for label, _ in sites}) == 1:
            label = next(iter(sites))[0]
            lines = sorted(at for _, at in sites)
            first.message += f" (in {label}, called at line{'s' if len(lines) > 1 else ''} " \
                             f"{', '.join(map(str, lines))})"
        out.append(first)
    return out


def sized_findings(program: n.Program, given: n.Input, notes: list, notices: list) -> list:
    """A model without an input size: what no size satisfies is a finding; else a notice of the
    sizes it accepts and the comment that gives one."""
    from convcalc.inputs.notice import needs_input

    found, notice = needs_input(program, given, notes)
    if notice is not None:
        made = m.NeedsInput(program.path, on_its_own(notice.span), notice.message, model=program.name)
        made.suggested = getattr(notice, "suggested", None)
        notices.append(made)
    return [m.from_error(program.path, problem) for problem in found]


def engine_findings(path: str, outcome, model) -> list:
    """The walk's warnings and its error, the error saying where a layer built elsewhere was called."""
    analysis = outcome.analysis
    found = [m.from_error(path, warning) for warning in analysis.warnings]
    if analysis.error is not None:
        error = m.from_error(path, analysis.error)
        if model is not None and outcome.last_call is not None:
            error.message += call_context(model, outcome.last_call, error.span)
        found.append(error)
    return found


def check_findings(path: str, outcome) -> list:
    from convcalc.lint import checks

    found: list = []
    checks.run_checks(outcome, lambda cls, span, *args: found.append(cls(path, span, *args)))
    return found


def symbolic_findings(program: n.Program, given: Optional[n.Input], notes: list) -> list:
    """What no input size satisfies, for a symbolic input (convcalc/inputs/), within the search budget."""
    if not symbolic(program, given):
        return []
    from convcalc.inputs.diagnostics import symbolic_diagnostics  # imported only when needed
    from convcalc.limits import OverBudget, SearchBudget

    try:
        with SearchBudget("deciding which input sizes are valid"):
            return [m.from_error(program.path, problem) for problem in symbolic_diagnostics(program, given)]
    except OverBudget as exc:
        where = program.input.span if program.input else Span(1, 1, 1, 2)
        model_name = f"model {program.name}: " if program.name else ""
        notes.append(m.Note(program.path, where, f"{model_name}not checked for every input size: {exc}"))
        return []


def unused_findings(path: str, model) -> list:
    """CC211, for a Python model followed to the end."""
    if model is None or not model.complete:
        return []
    return [m.UnusedLayer(path, span, attr, cls_name) for span, attr, cls_name in model.unused]


def certain_findings(found: list, rank_known: bool, outcome) -> list:
    """Without an input size, only the findings that hold for every size (convcalc/lint/sizeless.py)."""
    from convcalc.lint import sizeless

    found = [f for f in found if sizeless.certain_without_size(f.code, f.undecided, rank_known, outcome.layers)]
    if outcome.last_input and dims.is_symbolic(outcome.last_input[-1]):
        # a Linear on symbolic features: whether some size fits is not decided here
        found = [f for f in found if f.code != codes.FEATURES]
    return found


def symbolic(program, override) -> bool:
    """Whether the input (the override, else the file's input line) has a named size."""
    given = override or program.input
    return given is not None and any(isinstance(d, n.Name) for d in given.dims)


def call_context(model, call, span: Span) -> str:
    """Where a layer built elsewhere was called, when that is not obvious from its line."""
    site = model.sites.get(id(call))
    if site is None:
        return ""
    where, layer, origin = site
    parts = []
    uses = sum(1 for s in model.sites.values() if s[1] == layer)
    if (uses > 1 or layer[0] == "op") and where.line != span.line:
        parts.append(f"called at {line_of(model.program.path, where)}")
    # the innermost call that built it, below the model's own construction (origin[0])
    built = origin[-1] if len(origin) > 1 else (origin[0] if origin and origin[0][0][:1].islower() else None)
    if built is not None and built[1] is not None and (built[1].line, built[1].path) != (span.line, span.path):
        # a span of the model's own file carries no path; of another file of the tree, that file's
        at = f"{shown_path(built[1].path or model.program.path)}:{built[1].line}" if built[1].path != span.path else \
            line_of(model.program.path, built[1])
        parts.append(f"built by {built[0]}() at {at}")
    return f" ({'; '.join(parts)})" if parts else ""
