"""`convcalc size`: one output-size lookup with the arithmetic written out, for a class."""
from __future__ import annotations


class Lookup:
    """The arithmetic written out, the output size, and whether there is an output."""

    def __init__(self):
        self.lines: list = []
        self.output = 0
        self.ok = True


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def effective_kernel(k: int, d: int, out: Lookup) -> int:
    eff = d * (k - 1) + 1
    if d != 1:
        out.lines.append(f"K = D*(k - 1) + 1 = {d}*({k} - 1) + 1 = {eff}   (the dilated kernel)")
    return eff


def sliding(I: int, k: int, s: int = 1, p: int = 0, d: int = 1, ceil: bool = False, unit: str = "row",
            aside: str = " (or column)") -> Lookup:
    """``unit``: what one step along the axis is called ("row"; "cell" in a 1-d picture), ``aside``
    what else it may be (a lone axis of an image may be its rows or its columns)."""
    out = Lookup()
    K = effective_kernel(k, d, out)
    span = I + 2 * p - K
    rounding = "ceil" if ceil else "floor"
    out.lines.append(f"O = {rounding}((I + 2P - K)/S) + 1")
    out.lines.append(f"  = {rounding}(({I} + 2*{p} - {K})/{s}) + 1")
    quotient = -(-span // s) if ceil else span // s
    if span < 0 and (not ceil or quotient < 0):
        out.lines.append(f"  = {rounding}({span}/{s}) + 1")
        out.lines.append(f"the kernel ({K}) is larger than the padded input ({I} + 2*{p} = {I + 2 * p}): "
                         "there is no output, which PyTorch refuses")
        out.ok = False
        return out
    value = quotient + 1  # ceil_mode: a window may start inside the input and hang past its end
    out.lines.append(f"  = {rounding}({span}/{s}) + 1")
    out.lines.append(f"  = {quotient} + 1 = {value}")
    remainder = span % s
    if ceil and (value - 1) * s >= I + p:
        value -= 1
        out.lines.append(f"the last window would start at {value}*{s} = {value * s}, past the input and its left "
                         f"padding ({I} + {p}), so PyTorch drops it: O = {value}")
        if value < 1:
            out.lines.append("there is no output, which PyTorch refuses")
            out.ok = False
            return out
    out.output = value
    if remainder == 0:
        out.lines.append(f"{span}/{s} is exact: the windows cover the padded input exactly")
    elif ceil:
        hang = (value - 1) * s + K - (I + 2 * p)
        if hang > 0:
            out.lines.append(f"{span}/{s} is not an integer: ceil_mode adds a last window that hangs "
                             f"{plural(hang, unit)} past the padded input")
        else:
            out.lines.append(f"{span}/{s} is not an integer, but every window ends inside the padded input")
    else:
        lost = remainder - p
        where = (f"the last {plural(lost, 'input ' + unit)}{aside} of {I} never covered"
                 if lost > 0 else f"what is left over lies in the padding, so every input {unit} is covered")
        out.lines.append(f"{span}/{s} = {span / s:g} is not an integer: floor drops a remainder of {remainder}, {where}")
    return out


def transposed(I: int, k: int, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0) -> Lookup:
    out = Lookup()
    value = (I - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
    out.lines.append("O = (I - 1)*S - 2P + D*(K - 1) + OP + 1")
    out.lines.append(f"  = ({I} - 1)*{s} - 2*{p} + {d}*({k} - 1) + {output_padding} + 1")
    out.lines.append(f"  = {value}")
    if output_padding >= s and output_padding >= d:
        out.lines.append(f"output_padding {output_padding} must be smaller than the stride ({s}) or the dilation "
                         f"({d}): PyTorch rejects this")
        out.ok = False
    elif value < 1:
        out.lines.append("the output would be empty, which PyTorch refuses")
        out.ok = False
    out.output = value
    return out


def same(I: int, k: int, s: int = 1, d: int = 1, unit: str = "row") -> Lookup:
    """padding='same': PyTorch pads D*(k - 1) in all, the odd row after, for stride 1 only."""
    out = Lookup()
    if s != 1:
        out.lines.append(f"padding='same' with stride {s}: PyTorch accepts it for stride 1 only (padding='same' is "
                         "not supported for strided convolutions)")
        out.ok = False
        return out
    total = d * (k - 1)
    left = total // 2
    out.lines.append(f"padding='same': D*(k - 1) = {d}*({k} - 1) = {plural(total, unit)} of padding, {left} before and "
                     f"{total - left} after" + (" (PyTorch puts the odd one after)" if total % 2 else ""))
    out.lines.append(f"O = I = {I}")
    out.output = I
    return out


def pool_padding(out: Lookup, k: int, p: int) -> None:
    """PyTorch's max pooling takes a padding of at most half the kernel, k // 2 (the undilated
    kernel: the check on the dilated one is weaker)."""
    if out.ok and p > k // 2:
        out.lines.append(f"padding {p} is more than half the kernel ({k} // 2 = {k // 2}): PyTorch's pooling rejects "
                         "it (pad should be at most half of kernel size)")
        out.ok = False
