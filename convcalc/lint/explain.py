"""`convcalc explain CODE`, as `ruff rule` explains a rule: what the code means, an example that
has the problem with what convcalc says of it (run now, not stored), and the fix."""
from __future__ import annotations

from convcalc.codes import CODES
from convcalc.errors import Diagnostic, UsageError


def explain(name: str) -> str:
    code = CODES.get(name.strip().upper())
    if code is None:
        raise UsageError(f"unknown code {name!r} (see convcalc lint --list-codes)")
    lines = [f"{code} ({code.severity}): {code.description}"]
    if code.example:
        path = "example.py" if code.example.startswith("import") else "example.net"
        lines += ["", f"Example ({path}):", *("    " + line for line in code.example.rstrip("\n").split("\n"))]
        said = what_convcalc_says(path, code.example, code)
        lines += ["", "convcalc says:", *("    " + line for line in said.split("\n"))]
    if code.fix:
        lines += ["", f"Fix: {code.fix}"]
    return "\n".join(lines)


def what_convcalc_says(path: str, text: str, code) -> str:
    """The example's findings (notices, notes) of ``code``, rendered as lint shows them."""
    from convcalc.lint.runner import lint_text

    linted = lint_text(path, text, None, None)
    found = [(f.span, f.code, f.message) for f in list(linted.findings) + list(linted.notices) + list(linted.notes)]
    found += [(e.span, e.code, e.message) for _, e in list(linted.partly) + list(linted.unfollowed)]
    found = [item for item in found if item[1] == code]
    if not found:
        return "(nothing: the example no longer shows the problem; please report it)"
    span, _, message = found[0]
    source = text.split("\n")
    line = source[span.line - 1] if 0 < span.line <= len(source) else None
    return Diagnostic(path, span, code, message, line).render()
