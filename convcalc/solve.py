"""`convcalc size --solve`: the integer settings that turn an input size into a wanted output size.

The search is bounded and says so: kernels 1..max_kernel (11 unless --max-kernel), dilation
1 unless fixed, paddings below the (dilated) kernel (for pooling, ``--ceil``, at most half
the kernel, as PyTorch requires); the stride is solved for, not searched, so every stride
that works is found. Any of kernel, stride, padding and dilation given is kept fixed.
Solutions are listed smallest kernel first, then dilation, stride and padding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from convcalc.errors import UsageError
from convcalc.size import Lookup

MAX_KERNEL = 11
MAX_LINES = 40
MAX_CHECKS = 5_000_000  # settings tried in one search (a few seconds); past it, narrow the search


class Checks:
    """Counts the settings a search tries; I and O up to 10**9 could otherwise mean billions."""

    def __init__(self):
        self.count = 0

    def tick(self, n: int = 1) -> None:
        self.count += n
        if self.count > MAX_CHECKS:
            raise UsageError(f"the search tries more than {MAX_CHECKS:,} settings; fix -k, -s or -p (or lower "
                             "--max-kernel) to narrow it")


@dataclass(frozen=True)
class Setting:
    k: int
    s: int
    p: int
    d: int
    op: int = 0
    stride_or_more: bool = False  # s is the smallest of all strides that work (output 1)
    note: str = ""

    def text(self, transposed: bool) -> str:
        stride = f"s ≥ {self.s}" if self.stride_or_more else f"s={self.s}"
        parts = [stride, f"p={self.p}"]
        if self.d != 1:
            parts.append(f"d={self.d}")
        if transposed and self.op:
            parts.append(f"output_padding={self.op}")
        return f"k={self.k}: " + ", ".join(parts)


def sliding_output(I: int, K: int, s: int, p: int, ceil: bool) -> Optional[int]:
    span = I + 2 * p - K
    if span < 0 and not ceil:
        return None
    if not ceil:
        return span // s + 1
    out = -(-span // s) + 1  # ceil_mode: a window that starts inside the input may hang past it
    if (out - 1) * s >= I + p:  # in PyTorch the last window starts inside the input or the left padding
        out -= 1
    return out if out >= 1 else None


def first_stride(I: int, K: int, p: int, ceil: bool) -> int:
    """The smallest stride whose output is 1: the output never grows with the stride, so a
    bisection finds it (at max(span, I + p) + 1 every output is 1)."""
    low, high = 1, max(I + 2 * p - K, I + p) + 1
    while low < high:
        middle = (low + high) // 2
        if sliding_output(I, K, middle, p, ceil) <= 1:
            high = middle
        else:
            low = middle + 1
    return low


def strides_for(I: int, O: int, K: int, p: int, ceil: bool, checks: Checks):
    """Every stride s >= 1 with the wanted output; (s, True) stands for 'this and every larger one'."""
    span = I + 2 * p - K
    if span < 0:  # the kernel hangs past the padded input: ceil_mode's single window, once s > -span
        return [(-span + 1, True)] if ceil and O == 1 else []
    if O == 1:
        # floor: 1 once the stride exceeds the span; ceil_mode: once it also reaches I + p (the second
        # window would start past the input); from there on every larger stride gives 1 as well
        return [(first_stride(I, K, p, ceil), True)]
    # floor: s in (span/O, span/(O-1)]; ceil mode moves it by at most one output, so look a little wider
    low = max(1, span // (O + 1))
    if not ceil:
        high = span // (O - 1)
    else:  # ceil(span/s) is O - 1 (or O, with the last window dropped); for O = 2 any s up to I + p
        high = span // (O - 2) + 1 if O > 2 else max(span, I + p) + 1
    checks.tick(high - low + 1)
    return [(s, False) for s in range(low, high + 1) if sliding_output(I, K, s, p, ceil) == O]


def solve_sliding(I: int, O: int, k: Optional[int] = None, s: Optional[int] = None, p: Optional[int] = None,
                  d: Optional[int] = None, ceil: bool = False, max_kernel: int = MAX_KERNEL) -> Lookup:
    out = Lookup()
    rounding = "ceil" if ceil else "floor"
    out.lines.append(f"{I} -> {O}: O = {rounding}((I + 2P - K)/S) + 1 with K = D*(k - 1) + 1")
    out.lines.append("searched: " + search_text(k, s, p, d, max_kernel, "half the kernel" if ceil else
                                                "below the dilated kernel K"))
    found = []
    checks = Checks()
    for kernel in [k] if k else range(1, max_kernel + 1):
        for dilation in [d] if d else [1]:
            K = dilation * (kernel - 1) + 1
            pads = [p] if p is not None else range(0, (kernel // 2 if ceil else K - 1) + 1)
            for pad in pads:
                if ceil and pad > kernel // 2:
                    continue
                checks.tick()
                for stride, more in ([(s, False)] if s else strides_for(I, O, K, pad, ceil, checks)):
                    if sliding_output(I, K, stride, pad, ceil) != O:
                        continue
                    found.append(Setting(kernel, stride, pad, dilation, 0, more, exactness(I, K, stride, pad, ceil)))
    return listing(out, I, O, found, False)


def exactness(I: int, K: int, s: int, p: int, ceil: bool) -> str:
    """A note where the engine would warn CC201 (the same rule: convcalc/layers/window.py)."""
    from convcalc.layers.window import sliding

    warnings: list = []
    sliding("", "H", I, K, s, p, p, ceil, warnings)
    if not warnings:
        return ""
    span = I + 2 * p - K
    if not ceil:
        lost = span % s - p
        return f"(not exact: {span}/{s}; floor leaves the last {lost} input row{'s' if lost > 1 else ''} uncovered)"
    out = sliding_output(I, K, s, p, True)
    hang = (out - 1) * s + K - (I + 2 * p)
    return f"(not exact: {span}/{s}; ceil_mode adds a window hanging {hang} past the padded input)"


def solve_transposed(I: int, O: int, k: Optional[int] = None, s: Optional[int] = None, p: Optional[int] = None,
                     d: Optional[int] = None, max_kernel: int = MAX_KERNEL) -> Lookup:
    out = Lookup()
    out.lines.append(f"{I} -> {O}: O = (I - 1)*S - 2P + D*(k - 1) + OP + 1")
    out.lines.append("searched: " + search_text(k, s, p, d, max_kernel, "up to D*(k - 1)")
                     + ", output_padding below the stride or the dilation")
    found = []
    checks = Checks()
    for kernel in [k] if k else range(1, max_kernel + 1):
        for dilation in [d] if d else [1]:
            reach = dilation * (kernel - 1)
            for pad in [p] if p is not None else range(0, reach + 1):
                total = O - 1 + 2 * pad - reach  # = (I - 1)*s + op
                if total < 0:
                    continue
                # with one input the whole total is output_padding; else op < stride = (total - op)/(I - 1)
                # means op*I < total (or op < dilation), and only ops with (I - 1) | (total - op) give a stride
                searched = max(dilation, s or 0, O)  # output_padding is searched up to here
                if I == 1:
                    ops = [total] if total <= searched else []
                else:
                    ops = range(total % (I - 1), min(searched, max((total - 1) // I, dilation - 1, (s or 1) - 1)) + 1,
                                I - 1)
                checks.tick(len(ops))
                for op in ops:
                    rest = O - 1 + 2 * pad - reach - op  # = (I - 1)*s
                    if I == 1:
                        if rest != 0:
                            continue
                        stride = s or op + 1  # any stride over output_padding works
                        if op >= stride and op >= dilation:
                            continue
                        found.append(Setting(kernel, stride, pad, dilation, op, s is None))
                        continue
                    if rest <= 0 or rest % (I - 1):
                        continue
                    stride = rest // (I - 1)
                    if (s and stride != s) or (op >= stride and op >= dilation):
                        continue
                    found.append(Setting(kernel, stride, pad, dilation, op))
    return listing(out, I, O, found, True)


def search_text(k, s, p, d, max_kernel, padding_rule) -> str:
    parts = [f"k={k}" if k else f"kernel 1..{max_kernel}", f"d={d}" if d else "dilation 1",
             f"s={s}" if s else "every stride", f"p={p}" if p is not None else f"padding {padding_rule}"]
    return ", ".join(parts) + " (fix any with -k, -s, -p, -d; --max-kernel N)"


def listing(out: Lookup, I: int, O: int, found: list, transposed: bool) -> Lookup:
    found.sort(key=lambda t: (t.k, t.d, t.s, t.p, t.op))
    if not found:
        out.lines.append(f"no setting in the searched range gives {I} -> {O}")
        out.ok = False
        return out
    for setting in found[:MAX_LINES]:
        line = f"{I} -> {O} with {setting.text(transposed)}"
        out.lines.append(f"{line}   {setting.note}" if setting.note else line)
    if len(found) > MAX_LINES:
        out.lines.append(f"... and {len(found) - MAX_LINES} more (fix -k, -s or -p to narrow the search)")
    out.output = O
    return out
