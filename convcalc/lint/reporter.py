"""The lint formats: text (with the source line and a caret), json, github annotations, SARIF and
GitLab Code Quality.

A finding in a notebook (``finding.cell``) is placed by its cell in every format: text and json
give the cell and the line and column in it (`notebook.ipynb:cell 3:4:5`, ``"cell": 3``). The
CI formats point into the file a CI tool shows, the .ipynb's JSON, which has no cells: their
line is the line of the JSON that holds the cell's line (``raw_lines``), no column (a column of
the cell is not one of the JSON line), and the message starts with `cell 3:4:5:` (SARIF also
carries the cell's position in the result's properties)."""
from __future__ import annotations

import re

from convcalc.codes import CODES, ERROR, INFO, WARNING
from convcalc.errors import Diagnostic, NotFollowed, line_of, source_line as line_at
from convcalc.shown import json_text, path_uri, printable, shown_path

FORMATS = ("text", "json", "github", "sarif", "gitlab")


def source_line(result, finding) -> str:
    if finding.shown_line is not None:  # a notebook's: the line of its cell
        return finding.shown_line
    return line_at(result.sources.get(finding.path, ""), finding.path, finding.span.line)


def diagnostic(result, finding) -> Diagnostic:
    return Diagnostic(finding.path, finding.span, finding.code, finding.message, source_line(result, finding),
                      finding.cell)


def as_json(finding) -> dict:
    return Diagnostic(finding.path, finding.span, finding.code, finding.message, cell=finding.cell).to_json()


def ci_place(finding) -> tuple:
    """(first line, last line, column or None, end column or None, message) as a CI tool that shows the
    file itself takes them: in a notebook, the lines of its JSON and the cell's position in the message."""
    span = finding.span
    if finding.cell is None:
        return span.line, span.end_line, span.col, span.end_col, finding.message
    first, last = finding.raw_lines or (1, 1)
    return first, last, None, None, f"cell {finding.cell}:{span.line}:{span.col}: {finding.message}"


def text_report(result, verbose: bool = False) -> str:
    out = [diagnostic(result, f).render() for f in result.findings]
    out += [line(f) for f in result.notices]
    if verbose:
        out += [line(f) for f in result.notes]
    out.append(summary(result))
    return "\n".join(out)


def line(finding) -> str:
    return as_diagnostic(finding).render(with_source=False)


def as_diagnostic(finding) -> Diagnostic:
    return Diagnostic(finding.path, finding.span, finding.code, finding.message, cell=finding.cell)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def models_text(result) -> str:
    """What was really checked: "3 models checked, 1 partly (...), 2 classes not followed", and
    how many of the layers written in the files they reached, when not all."""
    text = checked_text(result)
    unreached = getattr(result, "unreached", 0)
    if unreached:
        total = result.constructions
        text += f", {total - unreached} of {plural(total, 'layer construction')} checked (CC304 names the others)"
    return text


def checked_text(result) -> str:
    if not result.partly and not result.unfollowed:
        return plural(result.models, "model")
    parts = [f"{plural(result.models, 'model')} checked"]
    if result.partly:
        _, name, error = result.partly[0]
        why = error.reason if isinstance(error, NotFollowed) else error.message
        first = f"{name}: {why}" if isinstance(error, NotFollowed) and error.tree else \
            f"{name}: forward not followed from {line_of(result.partly[0][0], error.span)}: {why}"
        parts.append(f"{len(result.partly)} partly ({first}" + (", ..." if len(result.partly) > 1 else "") + ")")
    if result.unfollowed:
        kind = "class" if all(e.code == "CC302" for _, _, e in result.unfollowed) else "model"
        parts.append(f"{plural(len(result.unfollowed), kind).replace('classs', 'classes')} not followed "
                     "(run with -v for why)")
    return ", ".join(parts)


def summary(result) -> str:
    files = plural(result.files, "file")
    models = models_text(result)
    unread = len(result.failures)
    # never "All checks passed" over a file that was not read, nor over a model that was not followed
    tail = f" {unread} file{'s' if unread != 1 else ''} not read (see above)." if unread else ""
    dirs, outside = len(getattr(result, "unread_dirs", ())), len(getattr(result, "outside", ()))
    if dirs:
        tail += f" {plural(dirs, 'directory').replace('directorys', 'directories')} not read (see above)."
    if outside:
        tail += f" {plural(outside, 'link')} out of the tree not read (see above)."
    unread += dirs + outside
    stops = len(getattr(result, "module_stops", ()))
    if stops:
        tail += f" Module-level code of {plural(stops, 'file')} not followed to its end (see above)."
    if not result.findings:
        if unread:
            head = "No problems in the files read"
        elif result.partly or result.unfollowed or stops or getattr(result, "unreached", 0):
            head = "No problems in what was followed"
        else:
            head = "All checks passed"
        return f"{head} ({files}, {models}).{tail}"
    errors = sum(1 for f in result.findings if f.severity == ERROR)
    warnings = sum(1 for f in result.findings if f.severity == WARNING)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    count = len(result.findings)
    followed = f" ({models})" if result.partly or result.unfollowed or getattr(result, "unreached", 0) else ""
    return f"Found {count} problem{'s' if count != 1 else ''} ({', '.join(parts)}) in {files}{followed}.{tail}"


def json_report(result, verbose: bool = False) -> str:
    items = [as_json(f) for f in result.findings] + [as_json(f) for f in result.notices] + \
        ([as_json(f) for f in result.notes] if verbose else [])
    return json_text(items)


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF %-encoded (a newline would end the command and
    start another), and then nothing a terminal acts on."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(result, verbose: bool = False) -> str:
    """GitHub Actions workflow commands: ::error for errors, ::warning for warnings, ::notice for notes."""
    out = []
    items = list(result.findings) + list(result.notices) + (list(result.notes) if verbose else [])
    for f in items:
        level = {ERROR: "error", WARNING: "warning"}.get(f.severity, "notice")
        first, last, col, end_col, message = ci_place(f)
        columns = f"col={col},endLine={last},endColumn={end_col}," if col is not None else f"endLine={last},"
        props = (f"file={escape_property(shown_path(f.path))},line={first},{columns}"
                 f"title={escape_property('convcalc ' + f.code)}")
        out.append(f"::{level} {props}::{escape_data(message)}")
    return "\n".join(out)


LEVELS = {ERROR: "error", WARNING: "warning", INFO: "note"}  # SARIF's levels


def sarif_report(result, verbose: bool = False) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one run, the codes as rules, a result per finding;
    each file a URI reference (its bytes percent-encoded: shown.path_uri)."""
    items = list(result.findings) + list(result.notices) + (list(result.notes) if verbose else [])
    used = sorted({str(f.code) for f in items})
    rules = [{"id": code, "name": code, "shortDescription": {"text": CODES[code].description},
              "defaultConfiguration": {"level": LEVELS.get(CODES[code].severity, "note")}}
             for code in used if code in CODES]
    results = [sarif_result(f) for f in items]
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "convcalc", "informationUri": "https://pypi.org/project/convcalc/",
                                         "rules": rules}}, "results": results}]}
    return json_text(log)


def sarif_result(f) -> dict:
    first, last, col, end_col, message = ci_place(f)
    region = {"startLine": first, "endLine": last}
    if col is not None:
        region = {"startLine": first, "startColumn": col, "endLine": last, "endColumn": end_col}
    result = {"ruleId": str(f.code), "level": LEVELS.get(f.severity, "note"), "message": {"text": message},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": path_uri(f.path)},
                                                  "region": region}}]}
    if f.cell is not None:  # where in the notebook, for a tool that knows cells
        result["properties"] = {"cell": f.cell, "cellStartLine": f.span.line, "cellStartColumn": f.span.col,
                                "cellEndLine": f.span.end_line, "cellEndColumn": f.span.end_col}
    return result


def gitlab_report(result, verbose: bool = False) -> str:
    """GitLab Code Quality (Code Climate JSON): a list of issues, each with a stable fingerprint."""
    import hashlib

    severity = {ERROR: "major", WARNING: "minor", INFO: "info"}
    items = list(result.findings) + list(result.notices) + (list(result.notes) if verbose else [])
    issues = []
    for f in items:
        first, last, _, _, message = ci_place(f)
        key = f"{f.path}:{f.cell}:{f.span.line}:{f.span.col}:{f.code}:{f.message}".encode("utf-8", "surrogateescape")
        issues.append({"type": "issue", "check_name": str(f.code), "description": f"{f.code} {message}",
                       "categories": ["Bug Risk"], "severity": severity.get(f.severity, "info"),
                       "fingerprint": hashlib.sha256(key).hexdigest(),
                       "location": {"path": shown_path(f.path), "lines": {"begin": first, "end": last}}})
    return json_text(issues)


def statistics(result) -> str:
    """Findings counted per code, most first, as ruff's --statistics prints them."""
    counts: dict = {}
    for f in result.findings:
        counts[str(f.code)] = counts.get(str(f.code), 0) + 1
    width = max((len(str(n)) for n in counts.values()), default=1)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "\n".join(f"{n:>{width}}  {code}  {CODES[code].description if code in CODES else ''}" for code, n in rows)


# ANSI colours of the text format on a terminal: the place bold, the code by its severity, the caret
BOLD, RESET = "\033[1m", "\033[0m"
TINTS = {ERROR: "\033[31m", WARNING: "\033[33m", INFO: "\033[36m"}
PLACE = re.compile(r"^(\S+?(?::cell \d+)?:\d+:\d+:) (CC\d+) ", re.M)


def colour(text: str) -> str:
    def tint(match):
        tone = TINTS.get(CODES[match.group(2)].severity if match.group(2) in CODES else ERROR, "")
        return f"{BOLD}{match.group(1)}{RESET} {tone}{BOLD}{match.group(2)}{RESET} "
    text = PLACE.sub(tint, text)
    return re.sub(r"^(\s+)(\^~*)$", lambda m: f"{m.group(1)}{TINTS[ERROR]}{m.group(2)}{RESET}", text, flags=re.M)


def report(result, fmt: str, verbose: bool = False, quiet: bool = False, stats: bool = False,
           coloured: bool = False) -> str:
    """The run in ``fmt``; text with ``quiet`` is the findings alone, with ``stats`` their counts per code,
    ``coloured`` with ANSI colours (a terminal's): the text is cleaned (shown.printable) before they are added."""
    if fmt == "text":
        if quiet or stats:
            body = statistics(result) if stats else "\n".join(diagnostic(result, f).render() for f in result.findings)
            text = body if quiet else "\n".join(part for part in (body, summary(result)) if part)
        else:
            text = text_report(result, verbose)
        text = printable(text, lines=True)
        return colour(text) if coloured else text
    return printable({"text": text_report, "json": json_report, "github": github_report, "sarif": sarif_report,
                      "gitlab": gitlab_report}[fmt](result, verbose), lines=True)


def codes_table(fmt: str = "text") -> str:
    rows = [CODES[name] for name in sorted(CODES)]
    if fmt == "json":
        import json

        return json.dumps([{"code": c, "severity": c.severity, "description": c.description} for c in rows],
                          indent=2)
    width = max(len(c.severity) for c in rows)
    return "\n".join(f"{c}  {c.severity:<{width}}  {c.description}" for c in rows)
