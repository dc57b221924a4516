"""Linting one model, as a straight pipeline: the input it is checked on, the walk, the engine's
own problems, the checks, what a symbolic input allows, the layers never used; then only what
holds for every input size when the size was not given."""
from __future__ import annotations

from typing import Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import Span
from convcalc.lint import messages as m
from convcalc.symbolic import dims


def lint_model(program: n.Program, override: Optional[n.Input], model, notes: list) -> list:
    """Findings of one program; ``model`` is the Python frontend's PythonModel, or None."""
    from convcalc.lint import flow

    checked = checked_input(program, override, model, notes)
    if checked is None:
        return []
    given, sizeless = checked
    outcome = flow.run(program, given)
    found = engine_findings(program.path, outcome, model)
    found += check_findings(program.path, outcome)
    if outcome.analysis.error is None and outcome.stopped is None and sizeless is None:
        found += symbolic_findings(program, given, notes)
    if outcome.stopped is not None:
        notes.append(m.Note(program.path, outcome.stopped.span,
                            f"model {program.name or program.path}: {outcome.stopped.message}"))
    found += unused_findings(program.path, model)
    return found if sizeless is None else certain_findings(found, sizeless, outcome)


def checked_input(program: n.Program, override: Optional[n.Input], model, notes: list):
    """(the input to walk with, None or whether the rank is known when no size was given); None
    when a Python model without an input size has a first layer that tells nothing."""
    from convcalc.lint import sizeless

    if program.input is not None or override is not None or model is None:
        return override, None
    path = program.path
    derived = sizeless.derived_input(program)
    first = next((s for s in program.body if isinstance(s, (n.Call, n.Reshape))), None)
    if derived is None:
        if first is not None:
            notes.append(m.Note(path, first.span, f"model {program.name}: no input shape, and its first layer does "
                                                  "not tell one; add `# convcalc: input 3x32x32` above it"))
        return None
    notes.append(m.Note(path, first.span, f"model {program.name}: no input shape; checked channels, features and "
                                          "layer settings only (add `# convcalc: input ...` above the model for "
                                          "sizes)"))
    return derived


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
    checks.run_checks(outcome.steps, lambda cls, span, *args: found.append(cls(path, span, *args)))
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
    from convcalc.lint.unused import unused_layers

    return [m.UnusedLayer(path, span, attr, cls_name)
            for span, attr, cls_name in unused_layers(model.interp, model.interp.src, model.instances)]


def certain_findings(found: list, rank_known: bool, outcome) -> list:
    """Without an input size, only the findings that hold for every size (convcalc/lint/sizeless.py)."""
    from convcalc.lint import sizeless

    found = [f for f in found if sizeless.certain_without_size(f.code, f.message, rank_known, outcome.steps)]
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
        parts.append(f"called at line {where.line}")
    if origin and origin[-1][0] != "__init__" and origin[-1][1] is not None and origin[-1][1].line != span.line:
        parts.append(f"built by {origin[-1][0]}() at line {origin[-1][1].line}")
    return f" ({'; '.join(parts)})" if parts else ""
