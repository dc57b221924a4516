"""What every report shares: numbers, shapes and byte sizes as text and JSON, tables, diagnostics."""
from __future__ import annotations

from convcalc.symbolic.dims import is_symbolic, render
from convcalc.errors import UsageError

FORMATS_HELP = "a tabulate format (simple, github, grid, psql, ...) or json"


def num(value) -> str:
    """Thousands separators for numbers, formulas for symbolic sizes."""
    if is_symbolic(value):
        return render(value)
    return f"{value:,}"


def shape_text(shape) -> str:
    from convcalc.layers.common import fmt_shape

    return fmt_shape(shape)


def json_dim(value):
    return render(value) if is_symbolic(value) else value


def json_shape(shape) -> list:
    return [json_dim(d) for d in shape]


def one_line(text: str) -> str:
    return " ".join(text.split())


def check_format(fmt: str) -> None:
    import tabulate

    if fmt != "json" and fmt not in tabulate.tabulate_formats:
        raise UsageError(f"unknown format {fmt!r}; choose json or one of: {', '.join(tabulate.tabulate_formats)}")


def table(rows, headers, fmt: str, colalign=None) -> str:
    import tabulate

    check_format(fmt)
    # tabulate 0.9 fails on colalign without rows
    return tabulate.tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True,
                             colalign=colalign if rows else None)


def dump(data) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


def byte_size(count) -> str:
    """Powers of 1000, as torchinfo."""
    if is_symbolic(count):
        return f"{render(count)} B"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}"
    return f"{count} B"


# ---------------------------------------------------------------- diagnostics


def diagnostics_text(diagnostics) -> str:
    return "\n".join(d.render() for d in diagnostics)


