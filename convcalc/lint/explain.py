"""`convcalc explain CODE`, as `ruff rule` explains a rule: what the code means, an example that
has the problem with what convcalc says of it (run now, not stored), and the fix."""
from __future__ import annotations

from convcalc.codes import BUDGET, CODES, PICTURE
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
    """The example's findings (notices, notes) of ``code``, rendered as lint shows them; for the
    work budget, what `convcalc verify --input` of the file's own size says."""
    from convcalc.lint.onefile import lint_text
    from convcalc.lint.runner import unreached_notice

    if code == BUDGET:
        return verify_refusal(path, text)
    if code == PICTURE:
        return picture_refusal(path, text)

    linted = lint_text(path, text, None, None)
    found = [(f.span, f.code, f.message) for f in list(linted.findings) + list(linted.notices) + list(linted.notes)]
    found += [(e.span, e.code, e.message) for _, e in list(linted.partly) + list(linted.unfollowed)]
    if linted.unreached:
        notice = unreached_notice(path, linted.constructions, linted.unreached)
        found.append((notice.span, notice.code, notice.message))
    found = [item for item in found if item[1] == code]
    if not found:
        return "(nothing: the example no longer shows the problem; please report it)"
    span, _, message = found[0]
    source = text.split("\n")
    line = source[span.line - 1] if 0 < span.line <= len(source) else None
    return Diagnostic(path, span, code, message, line).render()


def verify_refusal(path: str, text: str) -> str:
    """`convcalc verify --input` at the example's size, with a small budget: the refusal."""
    from convcalc import verify
    from convcalc.frontends.syntax import parse

    program = parse(text, path)
    given = program.input
    try:
        verify.plan(program, verify.Choice(given, ""), max_macs=1_000_000)
    except UsageError as exc:
        return exc.render() + "\n(with --max-macs 1000000 and --input " + \
            "x".join(str(d.value) for d in given.dims) + ")"
    return "(nothing: the example no longer shows the problem; please report it)"


def picture_refusal(path: str, text: str) -> str:
    """`convcalc rf --draw` of the example's last layer: the refusal."""
    from convcalc.frontends.syntax import parse
    from convcalc.metrics.measure import measure
    from convcalc.pictures.field import draw

    analysis = measure(parse(text, path))
    try:
        draw(analysis, analysis.rows[-1].line)
    except UsageError as exc:
        return exc.render() + f"\n(rf {path} --draw field.svg --layer {analysis.rows[-1].line})"
    return "(nothing: the example no longer shows the problem; please report it)"
