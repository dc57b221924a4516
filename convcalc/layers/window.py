"""Sliding-window arithmetic shared by convolutions and pools: O = floor((I - K + 2P)/S) + 1."""
from __future__ import annotations

from convcalc.symbolic.dims import ceil_div, floor_div, is_symbolic, render
from convcalc.layers.common import AXES, LayerError, is_int
from convcalc import codes

UNIT = {"L": "element", "D": "plane", "H": "row", "W": "column"}


def count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def axis_name(nd: int, i: int) -> str:
    return AXES[nd][i]


def sliding(layer: str, axis: str, size, eff: int, stride: int, pad_left: int, pad_right: int,
            ceil_mode: bool = False, warnings: list | None = None, padded: int = 0):
    """Output length of a window of effective size ``eff`` sliding over a padded input; ``padded``
    rows at the end of the input are padding already (a pad layer's), for the CC201 check."""
    span = size + pad_left + pad_right - eff
    # in ceil_mode a window may overhang an input shorter than the kernel (PyTorch allows it)
    if is_int(size) and (span < 0 if not ceil_mode else ceil_div(span, stride) < 0):
        padded = (f"the padded input along {axis} ({size} + {pad_left + pad_right} = {size + pad_left + pad_right})"
                  if pad_left + pad_right else f"the input along {axis} ({size})")
        raise LayerError(codes.EMPTY, f"{layer}: kernel {eff} is larger than {padded}; the output would be empty, "
                                  "which PyTorch refuses")
    if not ceil_mode:
        out = floor_div(span, stride) + 1
        # with stride > kernel the windows skip input by design; only a lost tail of a dense cover is news
        if warnings is not None and is_int(size) and span % stride and eff >= stride:
            dropped = span % stride - pad_right - padded  # the last rows no window reaches, minus padding
            if dropped > 0:
                warnings.append((codes.INEXACT, f"{layer}: along {axis}, ({size} + {pad_left + pad_right} - {eff})/{stride}"
                                          f" = {span}/{stride} is not an integer; floor leaves the last "
                                          f"{count(dropped, UNIT[axis])} of {size} never covered"))
        return out
    out = ceil_div(span, stride) + 1
    if is_symbolic(size):
        if pad_left + stride > eff:
            raise LayerError(codes.CONFIG, f"{layer}: ceil_mode with stride {stride} > kernel {eff} - padding "
                                      f"{pad_left} cannot be computed for the symbolic size {render(size)}",
                             undecided=True)
        return out
    # the last window must start inside the input or the left padding (PyTorch)
    if (out - 1) * stride >= size + pad_left:
        out -= 1
    if warnings is not None and span % stride:
        extra = (out - 1) * stride + eff - (size + pad_left + pad_right)
        if extra > 0:
            warnings.append((codes.INEXACT, f"{layer}: along {axis}, ({size} + {pad_left + pad_right} - {eff})/{stride}"
                                      f" = {span}/{stride} is not an integer; ceil_mode adds a last window "
                                      f"that hangs {count(extra, UNIT[axis])} past the input"))
    return out
