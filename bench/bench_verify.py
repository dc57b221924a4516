"""Time `convcalc verify`: the course CNN at 3x32x32 end to end, and the executor's
throughput on a few example networks.

Plain script: ``python bench/bench_verify.py``. The first figure is the wall time of the
command as a user runs it (a fresh process: interpreter start-up, imports, the engine, the
executor), best of a few runs; the target is under a second. Then, in this process, the
run alone for a few examples, in multiply-adds per second (the budget's measure). Exits
non-zero if a run is not verified.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

from convcalc import verify  # noqa: E402
from convcalc.load import parse_input_option  # noqa: E402
from convcalc.frontends.syntax import parse  # noqa: E402

REPEATS = 5
TARGET = 1.0
NETWORKS = [("course_cnn", None), ("lenet5", None), ("conv1d_audio", None), ("inception_block", "192x12x12"),
            ("unet_small", "1x32x32"), ("resnet18", "3x32x32"), ("mobilenetv2", "3x32x32")]


def command_wall():
    best, ok = float("inf"), True
    for _ in range(REPEATS):
        start = time.perf_counter()
        command = [sys.executable, "-m", "convcalc", "verify", os.path.join(ROOT, "examples", "course_cnn.net")]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
        ok = ok and done.returncode == 0 and "verified: all 8 layers" in done.stdout
    return best, ok


def main():
    wall, ok = command_wall()
    print(f"convcalc verify examples/course_cnn.net (3x32x32): {wall:.3f} s wall, best of {REPEATS} "
          f"(target < {TARGET:.0f} s: {'met' if wall < TARGET else 'MISSED'})")
    print(f"{'network':<16} {'input':<11} {'work':>13} {'run':>8} {'MMAC/s':>7}  verified")
    for name, size in NETWORKS:
        program = parse(open(os.path.join(ROOT, "examples", f"{name}.net")).read(), f"examples/{name}.net")
        override = parse_input_option(size) if size else None
        choice = verify.choose_input(program, override, size)
        result = verify.run(program, choice, max_macs=0)
        shown = size or "x".join(map(str, result.analysis.input))
        print(f"{name:<16} {shown:<11} {result.work:>13,} {result.seconds:>7.2f}s "
              f"{result.work / result.seconds / 1e6:>7.1f}  {result.verified}")
        ok = ok and result.verified
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
