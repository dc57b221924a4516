"""Start-up and scaling of the core (issue 2). Ratios are measured in one run, since these
machines are noisy.

    python bench/bench_core.py            # prints the figures
    python bench/bench_core.py --quick    # fewer repetitions

1. whole-process time of `convcalc shapes examples/course_cnn.net` against
   `python -c "import torch"` (target: at least 20x faster);
2. parse + analyse of generated descriptions of 1,000 .. 9,999 layers, a walk's bound
   (engine/walk.MAX_STEPS, 10,000 steps with the input line; target: 9,999 layers under 1 s, cost
   per layer flat as the network grows).
"""
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "course_cnn.net"


def convcalc_command():
    script = Path(sys.executable).with_name("convcalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "convcalc"]


def wall(command, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generated(layers: int) -> str:
    lines = ["input 8x16x16"]
    body = ["Conv2d(8, 8, 3, padding=1, bias=False)", "BatchNorm2d(8)", "ReLU()", "Dropout(0.1)"]
    lines += [body[i % len(body)] for i in range(layers)]
    return "\n".join(lines) + "\n"


def analyse_time(layers: int, repeat: int) -> float:
    from convcalc.engine.shapes import analyse
    from convcalc.frontends.syntax import parse

    src = generated(layers)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        analysis = analyse(parse(src, "gen.net"))
        times.append(time.perf_counter() - start)
        assert analysis.ok and len(analysis.rows) == layers
    return min(times)


def main():
    quick = "--quick" in sys.argv
    repeat = 5 if quick else 15
    ours = wall(convcalc_command() + ["shapes", str(EXAMPLE)], repeat)
    print(f"convcalc shapes course_cnn.net: {ours * 1000:.0f} ms (median of {repeat} runs)")
    if importlib.util.find_spec("torch") is not None:
        torch_time = wall([sys.executable, "-c", "import torch"], max(3, repeat // 3))
        print(f'python -c "import torch":       {torch_time * 1000:.0f} ms')
        print(f"ratio: convcalc is {torch_time / ours:.1f}x faster than importing torch (target >= 20x)")
    else:
        print("torch is not installed: no start-up ratio")
    print()
    print(f"{'layers':>8} {'parse+analyse':>14} {'per layer':>10}")
    per_layer = {}
    for layers in (1_000, 2_000, 5_000, 9_999):
        seconds = analyse_time(layers, 2 if quick else 3)
        per_layer[layers] = seconds / layers
        print(f"{layers:>8,} {seconds * 1000:>11.0f} ms {seconds / layers * 1e6:>7.1f} us")
    growth = per_layer[9_999] / per_layer[1_000]
    print(f"9,999 layers: {per_layer[9_999] * 9_999:.2f} s (target < 1 s); per-layer cost at 9,999 / at 1,000: "
          f"{growth:.2f} (1.0 = linear)")
    big = ROOT / "bench" / ".gen10k.net"
    big.write_text(generated(9_999))
    try:
        whole = wall(convcalc_command() + ["shapes", str(big)], 3)
        print(f"whole process, convcalc shapes on 9,999 layers: {whole:.2f} s")
    finally:
        os.remove(big)


if __name__ == "__main__":
    main()
