"""einops' rearrange, reduce and repeat on real values: a reading of a pattern of its own (the
executor never uses the engine's, convcalc/layers/einpattern.py), for the patterns einops
accepts. The input is split into its elementary axes, these are reordered, the ones missing on
the right reduced, the new ones repeated along, and the output's groups composed."""
from __future__ import annotations

from .shaping import expand, reduce, unsqueeze
from .tensor import Tensor, permute, prod

REDUCTIONS = {"min": min, "max": max, "sum": sum, "mean": lambda v: sum(v) / len(v), "prod": prod,
              "any": lambda v: float(any(v)), "all": lambda v: float(all(v))}


def groups(side: str, lengths: dict) -> list:
    """The groups of one side: lists of axis names ("..." for the ellipsis; a number is an axis of
    its own of that size, 1 and () nothing), in order."""
    out, group = [], None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            group = []
        elif token == ")":
            out.append(group)
            group = None
        else:
            names = [] if token == "1" else [token]
            if token.isdecimal() and token != "1":
                names = [f"#{len(lengths)}"]
                lengths[names[0]] = int(token)
            if group is None:
                out.append(names)
            else:
                group.extend(names)
    return out


def expand_ellipsis(side: list, ellipsis: list) -> list:
    """``...`` alone: one group per axis it stands for; inside brackets: those axes composed."""
    out = []
    for group in side:
        if group == ["..."]:
            out.extend([axis] for axis in ellipsis)
        else:
            out.append([a for name in group for a in (ellipsis if name == "..." else [name])])
    return out


def einops(x: Tensor, kind: str, pattern: str, sizes: dict) -> Tensor:
    lengths = dict(sizes)
    left_text, right_text = pattern.split("->")
    left, right = groups(left_text, lengths), groups(right_text, lengths)
    ellipsis = [f"...{i}" for i in range(len(x.shape) - (len(left) - 1))] if ["..."] in left else []
    left, right = expand_ellipsis(left, ellipsis), expand_ellipsis(right, ellipsis)
    if len(left) != len(x.shape):
        raise ValueError(f"{len(left)} groups for a {len(x.shape)}-d tensor")
    for group, length in zip(left, x.shape):
        unknown = [a for a in group if a not in lengths]
        known = prod(lengths[a] for a in group if a in lengths)
        if unknown:
            lengths[unknown[0]] = length // known
        if prod(lengths[a] for a in group) != length:
            raise ValueError(f"the axes {group} do not compose to {length}")
    axes = [a for group in left for a in group]
    flat = [a for group in right for a in group]
    kept = [a for a in flat if a in axes]
    reduced = [a for a in axes if a not in flat]
    t = permute(x.reshape([lengths[a] for a in axes]), [axes.index(a) for a in kept + reduced])
    if reduced:
        t = reduce(t, tuple(range(len(kept), len(kept) + len(reduced))), False, REDUCTIONS[kind])
    for at, axis in enumerate(flat):
        if axis not in axes:  # a new axis of repeat: the values repeated along it
            t = unsqueeze(t, at)
            t = expand(t, t.shape[:at] + (lengths[axis],) + t.shape[at + 1:])
    return t.reshape([prod(lengths[a] for a in group) for group in right])
