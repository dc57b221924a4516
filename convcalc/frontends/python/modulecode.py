"""A module's own code, run statement by statement within its budgets (the file being read, and
the scripts beside it that lint reads for what they feed or build), below both users: models.py
and fed.py."""
from __future__ import annotations

import ast
from typing import Optional

from convcalc.frontends.python.machine import Machine
from convcalc.frontends.python.reasons import Abort, Raised, Unfollowable, Why


# what module-level code still runs once its budget is spent (run_module): the definitions models come from
DECLARATIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom)
DECLARATION_STEPS = 5_000


def run_module(machine: Machine, assigned: Optional[dict] = None) -> None:
    """The module's code, statement by statement. Once module-level code has run out of steps
    (``module_stop``: the first statement that did, and why), the declarations after it
    (classes, functions, imports) are still run, each on a small allowance from a pool of its
    own, so that the models they define are found; the other statements after it are not run
    (the lint summary and the "no model" message say so). A statement that raises, or that
    convcalc cannot follow, stops only itself. ``assigned`` receives, per assignment statement, the
    values it bound (``model = Net()`` then ``model = nn.DataParallel(model)``: each its own)."""
    from convcalc.frontends.python.machine import MAX_BUILT, MAX_STEPS
    from convcalc.frontends.python.reasons import OverSteps
    from convcalc.frontends.python.recovery import recover

    frame = machine.frame()
    pool = MAX_STEPS  # the declarations' steps, once the module's own budget is spent
    for stmt in machine.tree.body:
        start, built = machine.steps, machine.built
        if machine.module_stop is not None:
            if not isinstance(stmt, DECLARATIONS) or pool <= 0:
                continue
            # the budget that ran out may be either: steps, or elements built (charged as a tenth of a step)
            start = machine.steps = MAX_STEPS - min(DECLARATION_STEPS, pool)
            built = machine.built = MAX_BUILT - min(10 * DECLARATION_STEPS, 10 * pool)
        try:
            run_statement(frame, stmt, raises_stop=False)
        except OverSteps as exc:
            if machine.module_stop is None:
                machine.module_stop = (stmt, exc.reason)
            recover(frame, stmt, exc)
        except RecursionError:
            if machine.module_stop is None:
                machine.module_stop = (stmt, "nested too deeply")
        if machine.module_stop is not None and stmt is not machine.module_stop[0]:
            pool -= max(machine.steps - start, (machine.built - built) // 10, 1)
        if assigned is not None and isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            assigned[id(stmt)] = {t.id: frame.scope.vars.get(t.id) for t in targets if isinstance(t, ast.Name)}


def run_statement(frame, stmt, raises_stop: bool) -> None:
    """One statement of a module's own code: one convcalc cannot follow stops only itself (what it
    may have written becomes unknown). One that raises does too in the file being read (what comes
    after is still shown), while in an imported module (``raises_stop``) it ends the module, as in
    Python: the Raised or Abort goes up. OverSteps and RecursionError go up to the caller."""
    from convcalc.frontends.python.execute import execute
    from convcalc.frontends.python.reasons import OverSteps
    from convcalc.frontends.python.recovery import recover

    try:
        execute(frame, stmt)
    except OverSteps:
        raise
    except Abort as exc:  # at module level a failed call is one statement not followed, not the file's end
        if raises_stop and exc.kind == Why.RAISED:
            raise
        recover(frame, stmt, Unfollowable(exc.reason, exc.node, exc.span))
    except Unfollowable as exc:
        recover(frame, stmt, exc)
    except Raised as exc:
        if raises_stop:
            raise
        recover(frame, stmt, Unfollowable(f"the code raises {describe_exception(exc.value)}", exc.node,
                                          exc.span, kind=Why.RAISED))


def describe_exception(value) -> str:
    """``ValueError('bad')`` as a message says it."""
    from convcalc.frontends.python.pycore import exception_text, type_name

    text = exception_text(value)
    return f"{type_name(value)}: {text}" if text else type_name(value)
