"""What every report shares: numbers, shapes and byte sizes as text and JSON, tables, diagnostics."""
from __future__ import annotations

import re
from typing import Optional

from convcalc.symbolic.dims import is_symbolic, render
from convcalc.errors import UsageError

# formats for machines: every row, nothing around the table (no totals lines, no folding)
DATA_FORMATS = ("json", "csv")
ALIASES = {"markdown": "github", "md": "github"}  # what people type for tabulate's GitHub-flavoured Markdown
TABLE_ROWS = 100  # a table longer than this folds by itself (shapes without --depth): report/metrics.default_depth
GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+")


def num(value) -> str:
    """Thousands separators for numbers, formulas for symbolic sizes."""
    if is_symbolic(value):
        return render(value)
    return f"{value:,}"


UNITS = {"K": 10**3, "M": 10**6, "G": 10**9}


def counted(value, units: Optional[str] = None) -> str:
    """A count (parameters, mult-adds) as --units asks: exact with separators (None), in K, M or G
    with two decimals, or each in the largest unit it reaches (auto), as torchinfo's summary units."""
    if units is None or is_symbolic(value) or value is None:
        return num(value) if value is not None else ""
    unit = units if units != "auto" else next((u for u in ("G", "M", "K") if abs(value) >= UNITS[u]), "")
    return f"{value / UNITS[unit]:,.2f} {unit}" if unit else f"{value:,}"


def shape_text(shape) -> str:
    from convcalc.layers.common import fmt_shape

    return fmt_shape(shape)


def json_dim(value):
    return render(value) if is_symbolic(value) else value


def json_shape(shape) -> list:
    return [json_dim(d) for d in shape]


def one_line(text: str) -> str:
    """A call as written, on one line, with nothing a terminal would act on (a comment inside its
    brackets may carry escape sequences)."""
    from convcalc.errors import printable

    return " ".join(printable(text).split())


def module_name(row, program) -> str:
    """A row's name in a Python model's module tree (``layer1.0.conv1``), as torchinfo names it;
    for a tensor operation, the submodule whose forward runs it; "" in a network file."""
    from convcalc.errors import printable

    path = getattr(row.node, "path", "")
    if path:
        return printable(path)  # a ModuleDict key may be any string
    scopes = getattr(program, "scopes", None)
    scope = scopes.get(id(row.node)) if scopes else None
    return printable(scope[-1].path) if scope else ""


JOINS = ("add", "concat")  # the walk's rows that join tensors: labelled by where their operands came from


def join_label(row, analysis, ends: dict) -> str:
    """An add or concat of the walk (a residual, `out += shortcut`, a saved tensor) named by its
    operands' sources, as a reader follows the graph: ``add (layer1.0.bn2, x)``, ``concat (up3.up,
    x2)``, ``add (line 12, line 7)``; "" for any other row (a written call keeps its own text).
    ``ends``: :func:`module_ends` of the analysis."""
    if row.name not in JOINS or row.op is not None or len(row.sources) < 2:
        return ""
    own = module_name(row, analysis.program)
    return f"{row.name} ({', '.join(source_name(s, own, analysis, ends) for s in row.sources)})"


def source_name(source: tuple, own: str, analysis, ends: dict) -> str:
    """The submodule whose output it is, by its outermost name (``down3``, not the ReLU that ends
    it); else the variable the code saved it under; else the line that made it, or the input."""
    origin, name = source
    if origin is not None and origin >= 0:
        module = module_name(analysis.rows[origin], analysis.program)
        parts = module.split(".") if module else []
        for size in range(1, len(parts) + 1):
            prefix = ".".join(parts[:size])
            if own == prefix or own.startswith(prefix + "."):
                continue  # a module still running (the join is inside it): its output is not this
            if size == len(parts) or ends.get(prefix) == origin:
                return prefix
    if name:
        return name.split("#")[0]  # a second save of x is still x to the reader
    if origin is not None and origin >= 0:
        return f"line {analysis.rows[origin].where}"
    return "input"


def module_ends(analysis) -> dict:
    """Each submodule's (and each of its prefixes') last row: its output, where nothing follows it
    in the module. One pass, so that labelling every join stays linear in the rows."""
    ends: dict = {}
    for index, row in enumerate(analysis.rows):
        parts = module_name(row, analysis.program).split(".")
        for size in range(1, len(parts) + 1):
            ends[".".join(parts[:size])] = index
    return ends


def with_module_column(rows: list, headers: list, align: tuple, names: list) -> tuple:
    """(rows, headers, align) with a "module" column after the line, when any row has a name
    (a Python model); ``names`` run beside ``rows`` from the first, rows past them get none."""
    if not any(names):
        return rows, headers, align
    names = list(names) + [""] * (len(rows) - len(names))
    return ([[row[0], name] + row[1:] for row, name in zip(rows, names)], headers[:1] + ["module"] + headers[1:],
            align[:1] + ("left",) + align[1:])


def check_format(fmt: str) -> None:
    if fmt == "simple" or fmt in DATA_FORMATS:
        return  # known without importing tabulate (start-up: see simple_table)
    import tabulate

    if fmt not in DATA_FORMATS and ALIASES.get(fmt, fmt) not in tabulate.tabulate_formats:
        raise UsageError(f"unknown format {fmt!r}; choose json, csv or a table format: "
                         f"{', '.join(tabulate.tabulate_formats)}")


def framed(body: str, lines: list, fmt: str) -> str:
    """A table and the lines under it (totals, notes); CSV is the rows alone, for a spreadsheet."""
    return body if fmt == "csv" else body + "\n\n" + "\n".join(lines)


def plain_number(cell) -> str:
    """A CSV cell: 9,408 as 9408, for a spreadsheet to read as a number."""
    text = "" if cell is None else str(cell)
    return text.replace(",", "") if GROUPED.fullmatch(text) else text


def simple_table(rows, headers, colalign) -> str:
    """tabulate's "simple" format for cells of plain ASCII text, without importing tabulate and
    what it imports (7 ms of a 60 ms start): column width the widest cell or the header plus two,
    two spaces between columns, cells stripped, lines without trailing spaces. tests/unit/report/test_tables.py
    checks it against tabulate itself on generated tables."""
    cells = [["" if cell is None else str(cell).strip() for cell in row] for row in rows]
    widths = [max([len(header) + 2] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)]

    def line(values) -> str:
        out = []
        for value, width, align in zip(values, widths, colalign):
            if align == "right":
                out.append(value.rjust(width))
            elif align == "center":
                left = (width - len(value)) // 2
                out.append(" " * left + value + " " * (width - len(value) - left))
            else:
                out.append(value.ljust(width))
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(row) for row in cells])


def plain_text(rows, headers) -> bool:
    """Every cell and header is ASCII text of one line (the cells simple_table renders as tabulate does)."""
    return all(isinstance(cell, (str, int)) and not isinstance(cell, bool) and str(cell).isascii() and
               "\n" not in str(cell) for row in [headers, *rows] for cell in row)


def table(rows, headers, fmt: str, colalign=None) -> str:
    check_format(fmt)
    if fmt == "simple" and rows and colalign is not None and len(colalign) == len(headers) and \
            all(len(row) == len(headers) for row in rows) and plain_text(rows, headers):
        return simple_table(rows, headers, colalign)
    import tabulate

    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([[plain_number(cell) for cell in row] for row in rows])
        return out.getvalue().rstrip("\n")
    fmt = ALIASES.get(fmt, fmt)
    # tabulate 0.9 fails on colalign without rows
    return tabulate.tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True,
                             colalign=colalign if rows else None)


def dump(data) -> str:
    from convcalc.shown import json_text

    return json_text(data)


def approximately(count: int) -> str:
    """A huge integer as 1.2e+400, in integer arithmetic (str() stops at 4,300 digits; sizes stay far below)."""
    digits = str(count)
    return f"{digits[0]}.{digits[1:3] or '0'}e+{len(digits) - 1}"


def byte_size(count) -> str:
    """Powers of 1000, as torchinfo."""
    if is_symbolic(count):
        return f"{render(count)} B"
    if count >= 10**15:  # past a float's exactness (and, far above, its range): in integers
        return f"{approximately(count // 10**9)} GB"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}"
    return f"{count} B"


# ---------------------------------------------------------------- diagnostics


def diagnostics_text(diagnostics) -> str:
    return "\n".join(d.render() for d in diagnostics)


