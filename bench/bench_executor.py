"""Time the executor's convolution against a naive 7-loop convolution.

Plain script: ``python bench/bench_executor.py``. Both run on the same seeded input
(1x16x32x32, 32 filters 3x3, padding 1); the best of a few repetitions is reported as
multiply-adds per second, with the ratio. Exits non-zero if the outputs disagree.
"""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from convcalc.executor import Tensor, ops  # noqa: E402

N, C_IN, H, W = 1, 16, 32, 32
C_OUT, K, PAD = 32, 3, 1
REPEATS = 3


def naive_conv(x, w, b, pad):
    """The textbook 7 loops, bounds checks standing in for zero padding."""
    n_, c_, h_, w_ = x.shape
    o_, _, kh_, kw_ = w.shape
    oh_, ow_ = h_ + 2 * pad - kh_ + 1, w_ + 2 * pad - kw_ + 1
    xd, wd = x.data, w.data
    out = [0.0] * (n_ * o_ * oh_ * ow_)
    for n in range(n_):
        for o in range(o_):
            for i in range(oh_):
                for j in range(ow_):
                    acc = b.data[o]
                    for c in range(c_):
                        for u in range(kh_):
                            r = i + u - pad
                            if r < 0 or r >= h_:
                                continue
                            for v in range(kw_):
                                s = j + v - pad
                                if 0 <= s < w_:
                                    acc += xd[((n * c_ + c) * h_ + r) * w_ + s] * wd[((o * c_ + c) * kh_ + u) * kw_ + v]
                    out[((n * o_ + o) * oh_ + i) * ow_ + j] = acc
    return Tensor((n_, o_, oh_, ow_), out)


def best_time(fn, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    rng = random.Random(0)
    x = Tensor.rand((N, C_IN, H, W), rng)
    w = Tensor.rand((C_OUT, C_IN, K, K), rng)
    b = Tensor.rand((C_OUT,), rng)
    # MACs counted as the kernel taps of every output (padding taps included), both sides alike
    macs = N * C_OUT * H * W * C_IN * K * K

    t_naive, y_naive = best_time(lambda: naive_conv(x, w, b, PAD), REPEATS)
    t_fast, y_fast = best_time(lambda: ops.conv(x, w, b, padding=PAD), REPEATS)

    worst = max(abs(p - q) for p, q in zip(y_naive.data, y_fast.data))
    agree = y_naive.shape == y_fast.shape and worst <= 1e-9 * max(1.0, max(map(abs, y_naive.data)))
    print(f"input {N}x{C_IN}x{H}x{W}, {C_OUT} filters {K}x{K}, padding {PAD}: {macs:,} MACs, best of {REPEATS}")
    print(f"naive 7-loop : {t_naive:8.3f} s  {macs / t_naive / 1e6:8.2f} MMAC/s")
    print(f"executor conv: {t_fast:8.3f} s  {macs / t_fast / 1e6:8.2f} MMAC/s")
    print(f"speed-up     : {t_naive / t_fast:8.2f}x   outputs agree: {agree} (max |diff| {worst:.2e})")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
