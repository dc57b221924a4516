"""The text and JSON of `convcalc inputs` (convcalc/inputs/ computes)."""
from __future__ import annotations

from convcalc.layers.common import fmt_shape
from convcalc.report.common import json_shape, one_line
from convcalc.shown import shown_path


PAIR_GROUPS = 8  # (H, W) solution groups shown before "... more"


def set_line(label: str, values, name: str, width: int = 30) -> str:
    text = values.describe(name)
    if values.is_empty or (values.is_finite and len(values.extra) == 1):
        return f"  {label:<16}{text}"
    examples = ", ".join(str(v) for v in values.first(5))
    return f"  {label:<16}{text:<{width}}  smallest {values.smallest()}; e.g. {examples}"


def with_smallest(values, name: str) -> str:
    text = values.describe(name)
    if values.is_empty or (values.is_finite and len(values.extra) == 1):
        return text
    return f"{text} (smallest {values.smallest()})"


def inputs_text(report) -> str:
    """The `convcalc inputs` answer: per symbol, valid and exact sets, conditions, equations."""
    names = report.names
    lines = [f"{shown_path(report.path)}: input {fmt_shape(report.input) if report.input else '?'}"]
    if report.auto:
        lines[0] += (f" (the file's {'x'.join(map(str, report.original))} with its sizes as symbols; "
                     "--input chooses others)")
    if len(names) > 1:
        lines.append(f"{', '.join(names[:-1])} and {names[-1]} are independent: each is decided on its own, "
                     "then all equal (square inputs)")
    if not report.proven:
        lines.append(f"not proven: {report.reason}")
        lines.append(f"checked with the integer engine for {' = '.join(names)} = 1..{report.limit} only:")
        lines.append(set_line("accepted", report.checked, names[0] if len(names) == 1 else " = ".join(names)))
        lines.append(set_line("exact", report.checked_exact, names[0] if len(names) == 1 else " = ".join(names)))
        return "\n".join(lines)
    for result in report.symbols:
        lines.append("")
        lines += symbol_lines(result, result.name)
    for joint in report.joint:
        c = joint.constraint
        lines.append("")
        lines.append(f"line {c.line} {one_line(c.label)}: {equation_kind(c)}")
        lines.append(f"  {c.equation()}")
        square = " = ".join(names)
        lines.append(f"  square inputs ({square}): {joint.square.describe(names[0])}"
                     f"; exact: {joint.square_exact.describe(names[0])}")
        if joint.pairs is not None:
            lines += pairs_lines(joint.pairs)
    overall = report.accepted
    if overall is not None:
        lines.append("")
        who = names[0] if len(names) == 1 else f"{' = '.join(names)}"
        label = "accepted" if len(names) == 1 else "accepted, square inputs"
        exact = report.accepted_exact
        lines.append(f"{label} ({who}): {with_smallest(overall, names[0])}; "
                     f"exact: {'the same' if exact == overall else with_smallest(exact, names[0])}")
    status = report.original_status()
    if status:
        lines.append(f"the file's {'x'.join(map(str, report.original[1:]))}: {status}")
    lines.append("")
    runs = ", ".join(proof_text(r, r.name if r is not report.square else " = ".join(names))
                     for r in all_results(report))
    lines.append(f"decided exactly, not sampled: the integer engine ran for {runs}; beyond, every outcome "
                 "repeats with its period (the argument: convcalc/inputs/__init__.py)")
    return "\n".join(lines)


def all_results(report) -> list:
    return list(report.symbols) + ([report.square] if report.square is not None else [])


def proof_text(result, who: str) -> str:
    return f"{who} = 1..{result.checked} (period {result.period})"


def equation_kind(c) -> str:
    return {"linear": "in_features must match the incoming size",
            "channels": "the channel count must match the incoming size",
            "layernorm": "normalized_shape must match the incoming size",
            "view": "the view's sizes must hold every element"}.get(c.kind, "the shapes must match")


def symbol_lines(result, name: str) -> list:
    lines = [name]
    lines.append(set_line("valid", result.valid, name))
    lines.append(set_line("exact", result.exact, name))
    if result.conditions:
        lines.append("  conditions:")
        width = max(len(f"line {c.constraint.line} {one_line(c.constraint.label)}: {c.constraint.equation()}")
                    for c in result.conditions)
        for condition in result.conditions:
            c = condition.constraint
            head = f"line {c.line} {one_line(c.label)}: {c.equation()}"
            lines.append(f"    {head:<{width}}  holds for {condition.holds.describe(name, bound=False)}")
        lines.append(set_line("accepted", result.accepted, name))
        lines.append(set_line("accepted, exact", result.accepted_exact, name))
    return lines


def pair_group_text(names, hs, ws) -> str:
    lo, hi = hs[0], hs[-1]
    first = f"{names[0]} = {lo}" if lo == hi else f"{names[0]} in {lo}..{hi}"
    return f"{first:<16}{ws.describe(names[1])}"


def pairs_lines(pairs) -> list:
    h, w = pairs.names
    lines = [f"  all pairs with {h} ≤ {pairs.limit} (each {h} solved for every {w}):"]
    if not pairs.groups:
        lines[-1] += " none"
    for hs, ws in pairs.groups[:PAIR_GROUPS]:
        lines.append(f"    {pair_group_text(pairs.names, hs, ws)}")
    if len(pairs.groups) > PAIR_GROUPS:
        lines.append(f"    ... {len(pairs.groups) - PAIR_GROUPS} more (--format json lists them all)")
    points = all(len(hs) == 1 and ws.is_finite and len(ws.extra) == 1 for hs, ws in pairs.exact_groups)
    if points and pairs.exact_groups:
        limit = 3 * PAIR_GROUPS
        shown = ", ".join(f"({hs[0]}, {min(ws.extra)})" for hs, ws in pairs.exact_groups[:limit])
        more = f", ... {len(pairs.exact_groups) - limit} more" if len(pairs.exact_groups) > limit else ""
        lines.append(f"  exact pairs ({h}, {w}): {shown}{more}")
    else:
        lines.append("  exact pairs:" + ("" if pairs.exact_groups else " none"))
        lines += [f"    {pair_group_text(pairs.names, hs, ws)}" for hs, ws in pairs.exact_groups[:PAIR_GROUPS]]
    return lines


def inputs_json(report) -> dict:
    names = report.names
    data = {
        "path": shown_path(report.path),
        "input": json_shape(report.input),
        "symbols": list(names),
        "proven": report.proven,
    }
    if report.auto:
        data["original_input"] = list(report.original)
        data["original_status"] = report.original_status()
    if not report.proven:
        data["reason"] = report.reason
        data["checked_up_to"] = report.limit
        data["accepted"] = report.checked.to_json(" = ".join(names))
        data["accepted_exact"] = report.checked_exact.to_json(" = ".join(names))
        return data

    def result_json(result, name):
        return {
            "valid": result.valid.to_json(name),
            "exact": result.exact.to_json(name),
            "conditions": [{"line": c.constraint.line, "layer": one_line(c.constraint.label),
                            "kind": c.constraint.kind, "equation": c.constraint.equation(),
                            "holds": c.holds.to_json(name)} for c in result.conditions],
            "accepted": result.accepted.to_json(name),
            "accepted_exact": result.accepted_exact.to_json(name),
            "period": result.period,
            "checked_up_to": result.checked,
        }

    data["per_symbol"] = {r.name: result_json(r, r.name) for r in report.symbols}
    if report.square is not None:
        data["square"] = result_json(report.square, names[0])
    data["equations"] = []
    for joint in report.joint:
        c = joint.constraint
        entry = {"line": c.line, "layer": one_line(c.label), "kind": c.kind, "equation": c.equation(),
                 "square": joint.square.to_json(names[0]), "square_exact": joint.square_exact.to_json(names[0])}
        if joint.pairs is not None:
            p = joint.pairs
            entry["pairs"] = {
                "limit": p.limit,
                "solutions": [{p.names[0]: [hs[0], hs[-1]], p.names[1]: ws.to_json(p.names[1])} for hs, ws in p.groups],
                "exact": [{p.names[0]: [hs[0], hs[-1]], p.names[1]: ws.to_json(p.names[1])}
                          for hs, ws in p.exact_groups],
            }
        data["equations"].append(entry)
    accepted, exact = report.accepted, report.accepted_exact
    data["accepted"] = accepted.to_json(names[0]) if accepted is not None else None
    data["accepted_exact"] = exact.to_json(names[0]) if exact is not None else None
    return data
