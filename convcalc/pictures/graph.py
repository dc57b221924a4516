"""What `convcalc draw` draws, before any geometry: one box per table entry of `convcalc shapes`
(the inputs first; the place the network breaks or stops last), the text on each box, and the
edges between boxes. The edges come from the measuring walk's own data flow (RowInfo.sources:
the row that made each tensor a row reads), never from the order of the rows, so a branch never
seems to feed the next branch. Each edge carries its tensor's name (a saved tensor, a Python
variable) or, unnamed, its shape."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from convcalc.errors import source_lines
from convcalc.metrics.measure import info_of
from convcalc.pictures.text import clean, short
from convcalc.report.common import num, one_line, shape_text

LABEL = 28  # characters of a box's text line at most (the tooltip holds it whole)
MESSAGE_CHARS = 44  # a line of the error box's message


@dataclass
class Box:
    """One drawn box: an input, a table entry, or the place the network breaks or stops."""

    kind: str  # input, conv, window, linear, join, other, folded, error, stopped
    shape: tuple = ()
    title: str = ""  # the full text, shown on hover
    lines: list = field(default_factory=list)  # the text under the shape: the layer, its settings, its params
    line: object = ""  # its line in the model's own file ("" for an input)
    written: str = ""  # where its layer is written, when that is another file (file:line)
    entry: Optional[int] = None  # its row of the table (the page's hover); None for an input
    rows: str = ""  # the analysis rows it stands for, first-last
    sources: list = field(default_factory=list)  # (box index, saved name or None)
    message: list = field(default_factory=list)  # an error box's lines
    folded: int = 1  # the rows a folded box stands for


@dataclass
class Edge:
    source: int
    target: int
    name: Optional[str]  # the name the tensor was saved under, or None
    label: str  # what the edge says: its name, or its tensor's shape


def kind_of(row, info) -> str:
    """The colour of a row's box, from the engine's traits and the data flow (no layer names)."""
    if row.kind == "conv":
        return "conv"
    if len(info.sources) > 1:  # an add, a concat, any operation of two tensors
        return "join"
    if row.geometry is not None or row.global_pool:
        return "window"
    if len(row.shape) == 1 and row.params:
        return "linear"
    return "other"


def split_call(text: str) -> tuple:
    """("Conv2d", "3, 64, kernel_size=7"): a call's name and its arguments."""
    name, paren, rest = text.partition("(")
    if not paren:
        return text, ""
    return name, rest[:-1] if rest.endswith(")") else rest


def plain(value) -> str:
    """A channel count as a layer's call writes it: 1024, not 1,024 (a formula as written)."""
    return str(value) if type(value) is int else num(value)


def axes_text(values) -> str:
    """(3, 3) -> "3", (3, 1) -> "3x1"."""
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else "x".join(str(v) for v in values)


def settings_text(info) -> str:
    """A window's settings in full: "3x3, stride 2, pad 1" (kernel, stride, padding; dilation when
    it is not 1)."""
    if info.kernel is None:
        return ""
    kernel = "x".join(str(k) for k in info.kernel)
    padding = info.padding or ()
    if all(left == right for left, right in padding):
        pad = axes_text(left for left, _ in padding) if padding else "0"
    else:
        pad = "x".join(f"({left},{right})" for left, right in padding)
    text = f"{kernel}, stride {axes_text(info.stride or (1,))}, pad {pad}"
    if info.dilation and any(d != 1 for d in info.dilation):
        text += f", dilation {axes_text(info.dilation)}"
    return text


def layer_lines(text: str, row, info, folded: int) -> list:
    """The box's text under its shape: the layer (a convolution with its channels in and out) and
    its settings, or the call as written, cut to LABEL characters on at most two lines."""
    name, args = split_call(text)
    settings = settings_text(info) if folded == 1 else ""
    if settings:
        if row.kind == "conv" and len(row.input) >= 2 and len(row.shape) >= 2:
            name = f"{name} {plain(row.input[0])}→{plain(row.shape[0])}"
        return [short(name, LABEL), short(settings, LABEL)]
    if len(text) <= LABEL or not args:
        return [short(text, LABEL)]
    return [short(name, LABEL), short(args, LABEL)]


def own_line(analysis, entry, folded: bool) -> tuple:
    """(the entry's line in the model's own file, where it is written when that is another file):
    a layer or block written in an imported file is placed at the call in the model's forward
    that runs it (its outermost block written in the model's file)."""
    path = info_of(analysis)[entry.rows[0]].path
    if folded:
        if not entry.info.path:  # the whole network folded
            return "", ""
        block = entry.info.path[-1]
        if not block.file:
            return entry.line, ""
        written, start = f"{block.file}:{block.line}", next(i for i, b in enumerate(path) if b is block)
    else:
        span = analysis.rows[entry.rows[0]].node.span
        if not span.path:
            return entry.line, ""
        written, start = f"{span.path}:{span.line}", len(path)
    for block in reversed(path[:start]):
        if not block.file:
            return block.line, written
    return "", written


def boxes_of(analysis, entries: list) -> list:
    """The boxes, inputs first, then one per entry; then the error or the stop, if any."""
    # no input box when the walk never reached one (no input line: the error box says so)
    boxes = [Box("input", analysis.input, f"input {shape_text(analysis.input)}", ["input"])] if analysis.input else []
    inputs = {None: 0} if analysis.input else {}
    for name, shape in analysis.extra_inputs:
        inputs[name] = len(boxes)
        boxes.append(Box("input", shape, f"input {clean(name)} {shape_text(shape)}", [short(clean(name), LABEL)]))
    owner = {}
    for index, entry in enumerate(entries):
        rows = [analysis.rows[i] for i in entry.rows]
        text = clean(one_line(entry.layer))
        folded = entry.folded > 1 or bool(entry.block)
        line, written = own_line(analysis, entry, folded)
        where = f"line {line}" if line != "" else "the whole network"
        if written:
            where += f" (written at {clean(written)})"
        if entry.module:
            where += f" ({clean(entry.module)})"
        shared = not folded and rows[0].shared
        params = f"{num(entry.params)} params" + (" (shared)" if shared else "") + \
            (f", {entry.folded} rows" if folded else "")
        # a box names a join as the walk does (concat skip3: its arc shows where skip3 comes from);
        # the table's longer label, with both operands' sources, goes into the tooltip
        lines = layer_lines(text if folded else clean(one_line(rows[0].layer)), rows[0], entry.info,
                            2 if folded else 1)
        if folded and entry.module:  # a submodule of a Python model: named by its place (down1), not its class alone
            lines = [short(clean(entry.module), LABEL), short(text, LABEL)]
        box = Box("folded" if folded else kind_of(rows[0], info_of(analysis)[entry.rows[0]]), entry.shape,
                  f"{where}: {text} -> {shape_text(entry.shape)}, {num(entry.params)} params"
                  + (f" ({entry.folded} rows folded)" if folded else "")
                  + (f"; {settings_text(entry.info)}" if not folded and entry.info.kernel else ""),
                  lines + [params], line=line,
                  written=clean(written), entry=index, rows=f"{entry.rows[0]}-{entry.rows[-1]}",
                  folded=entry.folded if folded else 1)
        me = len(boxes)
        for i in entry.rows:
            owner[i] = me
        for i in entry.rows:
            for source, saved in info_of(analysis)[i].sources:
                origin = owner.get(source) if source >= 0 else inputs.get(saved if saved in inputs else None)
                if origin is not None and origin != me and all(origin != s for s, _ in box.sources):
                    box.sources.append((origin, clean(saved) if saved is not None and source >= 0 else None))
        boxes.append(box)
    problem = analysis.error if analysis.error is not None else \
        analysis.stopped if analysis.stopped is not None and not analysis.followed else None
    if problem is not None:
        boxes.append(problem_box(analysis, problem, len(boxes) - 1))
    return boxes


def problem_box(analysis, problem, last: int) -> Box:
    """The red box where the network breaks (orange: where a Python model was not followed), fed
    by the last box drawn (-1: nothing before it)."""
    failed = problem is analysis.error
    span = problem.span
    line = span.line if span is not None else 0
    # the file's own line, as its frontend counts lines (a span into another file of the tree shows none)
    lines = source_lines(analysis.source, analysis.path) if span is not None and not span.path else ()
    written = wrapped(f"line {line}: {clean(' '.join(lines[line - 1].split()))}", MESSAGE_CHARS)[:2] \
        if 0 < line <= len(lines) else []
    box = Box("error" if failed else "stopped", (), f"line {line}: {problem.code} {clean(problem.message)}",
              [f"{problem.code} {'breaks' if failed else 'not followed'}"], line=line or "",
              sources=[(last, None)] if last >= 0 else [])
    box.message = written + wrapped(clean(problem.message), MESSAGE_CHARS)[:6]
    return box


def wrapped(text: str, width: int) -> list:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = ""
        line = f"{line} {word}" if line else short(word, width)
    return out + ([line] if line else [])


def edges_of(boxes: list) -> list:
    """Every edge, named by its tensor's saved name, or labelled with its shape."""
    return [Edge(s, t, name, name if name else short(shape_text(boxes[s].shape), LABEL))
            for t, box in enumerate(boxes) for s, name in box.sources]
