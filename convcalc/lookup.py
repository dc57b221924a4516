"""`convcalc size` over 1, 2 or 3 spatial sizes (``224x224 -k 7 -s 2 -p 3``, ``-k 3x5``), with
``-p same`` / ``-p valid`` as PyTorch's string paddings and ``--pool``, where the stride defaults
to the kernel as it does for MaxPool2d. Each axis is one lookup of convcalc/size.py; axes with
the same settings are worked out once."""
from __future__ import annotations

from dataclasses import dataclass, field

from convcalc import size as arithmetic
from convcalc.errors import UsageError

AXES = {1: ("",), 2: ("H", "W"), 3: ("D", "H", "W")}
MAX_SIZE, MAX_SETTING = 10**9, 10**6


def sizes(text: str, what: str, rank=None, low: int = 1, high: int = MAX_SETTING) -> tuple:
    """``224``, ``224x224`` or ``16x112x112``: each between low and high; one value serves every axis."""
    parts = text.lower().replace("×", "x").split("x")
    if not 1 <= len(parts) <= 3 or not all(part.strip().isdigit() for part in parts):
        raise UsageError(f"{what} {text!r}: give a number or one per axis, e.g. 3 or 3x5")
    values = tuple(int(part) for part in parts)
    for value in values:
        if not low <= value <= high:
            raise UsageError(f"{what} {text!r}: {value:,} is outside {low}..{high:,}")
    if rank is not None and len(values) == 1:
        return values * rank
    if rank is not None and len(values) != rank:
        raise UsageError(f"{what} {text!r} has {len(values)} values for an input of {rank} axes "
                         f"({'x'.join(AXES[rank])}): give one, or {rank}")
    return values


@dataclass
class Axis:
    names: list  # the axes with these settings (H, W), worked out once
    lookup: arithmetic.Lookup


@dataclass
class Sized:
    """Every axis's lookup; ``padding`` is the text given (``same``, ``valid`` or numbers)."""

    input: tuple
    settings: dict
    axes: list = field(default_factory=list)

    @property
    def output(self) -> tuple:
        by_name = {name: axis.lookup.output for axis in self.axes for name in axis.names}
        return tuple(by_name[name] for name in AXES[len(self.input)])

    @property
    def ok(self) -> bool:
        return all(axis.lookup.ok for axis in self.axes)

    def lines(self) -> list:
        if len(self.input) == 1:
            return list(self.axes[0].lookup.lines)
        out = []
        for axis in self.axes:
            out.append(" = ".join(axis.names) + ":" if len(axis.names) > 1 else f"{axis.names[0]}:")
            out += ["  " + line for line in axis.lookup.lines]
        if self.ok:
            out.append(f"output: {'x'.join(str(v) for v in self.output)}")
        return out

    def json(self) -> dict:
        return {"input": list(self.input), **{k: (list(v) if isinstance(v, tuple) else v)
                                             for k, v in self.settings.items()},
                "output": list(self.output) if self.ok else None, "ok": self.ok,
                "axes": [{"axes": axis.names if len(self.input) > 1 else [], "output": axis.lookup.output
                          if axis.lookup.ok else None, "ok": axis.lookup.ok, "lines": axis.lookup.lines}
                         for axis in self.axes]}


UNITS = {("",): ("row", " (or column)"), ("H",): ("row", ""), ("W",): ("column", ""), ("D",): ("frame", "")}


def lookup(input_text: str, kernel: str, stride, padding, dilation, ceil: bool, transposed: bool,
           output_padding, pool: bool, cells: bool = False) -> Sized:
    """``cells``: a lone axis is a row of cells (a 1-d picture), not an image's rows or columns."""
    given = sizes(input_text, "the input size", high=MAX_SIZE)
    rank = len(given)
    k = sizes(kernel, "-k/--kernel", rank)
    s = sizes(stride, "-s/--stride", rank) if stride is not None else (k if pool else (1,) * rank)
    d = sizes(dilation, "-d/--dilation", rank) if dilation is not None else (1,) * rank
    op = sizes(output_padding, "--output-padding", rank, low=0) if output_padding is not None else (0,) * rank
    mode = padding if padding in ("same", "valid") else None
    p = (0,) * rank if mode or padding is None else sizes(padding, "-p/--padding", rank, low=0)
    if transposed and (mode or pool or ceil):
        raise UsageError(f"--transposed does not take {'-p ' + mode if mode else '--pool' if pool else '--ceil'}")
    if any(op) and not transposed:
        raise UsageError("--output-padding goes with --transposed")
    if mode == "same" and pool:
        raise UsageError("-p same is a convolution's padding: PyTorch's pooling layers do not take it")
    settings = {"kernel": k, "stride": s, "padding": mode or p, "dilation": d, "ceil_mode": ceil,
                "transposed": transposed, "pool": pool}
    if transposed:
        settings["output_padding"] = op
    result = Sized(given, settings)
    groups: dict = {}  # axes with the same settings are worked out once
    for i, name in enumerate(AXES[rank]):
        groups.setdefault((given[i], k[i], s[i], p[i], d[i], op[i]), []).append((i, name))
    for members in groups.values():
        i, names = members[0][0], [name for _, name in members]
        unit, aside = ("cell", "") if cells and rank == 1 else UNITS.get(tuple(names), ("row", " (or column)"))
        if transposed:
            one = arithmetic.transposed(given[i], k[i], s[i], p[i], d[i], op[i])
        elif mode == "same":
            one = arithmetic.same(given[i], k[i], s[i], d[i], unit)
        else:
            one = arithmetic.sliding(given[i], k[i], s[i], p[i], d[i], ceil, unit, aside)
            if pool:
                arithmetic.pool_padding(one, k[i], p[i])
        result.axes.append(Axis(names, one))
    return result
