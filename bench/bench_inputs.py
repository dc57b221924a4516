"""`convcalc inputs` (issue 13, item 9): the integer walks with their suffixes shared
(convcalc/inputs/suffix.py) against every walk run whole, in the same run.

    python bench/bench_inputs.py            # every bundled example with a search
    python bench/bench_inputs.py --quick    # conv1d_audio only, one run each

Each example is analysed as `convcalc inputs` analyses it (the input symbolised), best of a few
runs; "ratio" is whole / shared (above 1: sharing is faster). The reports are compared too: a
faster wrong answer is no answer.
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from convcalc.inputs import suffix  # noqa: E402  (after the path)
from convcalc.inputs.analysis import analyse_inputs  # noqa: E402
from convcalc.limits import configure_interpreter  # noqa: E402
from convcalc.load import load_programs, read_source  # noqa: E402
from convcalc.report.inputs import inputs_text  # noqa: E402

configure_interpreter()


def timed(program, sharing: bool, runs: int):
    suffix.SHARING = sharing
    best, text = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        report = analyse_inputs(program)
        best = min(best, time.perf_counter() - start)
        text = inputs_text(report)
    return best, text


def main():
    quick = "--quick" in sys.argv
    names = ["conv1d_audio"] if quick else ["conv1d_audio", "course_cnn", "lenet5", "symbolic_cnn", "unet_small",
                                             "resnet18", "mobilenetv2"]
    runs = 1 if quick else 3
    print(f"{'example':<14} {'whole s':>8} {'shared s':>9} {'ratio':>6}")
    for name in names:
        path, text = read_source(os.path.join(ROOT, "examples", f"{name}.net"), None)
        program = load_programs(path, text, None, None, False)[0]
        whole, expected = timed(program, False, runs)
        shared, got = timed(program, True, runs)
        assert got == expected, f"{name}: the reports differ with the suffixes shared"
        print(f"{name:<14} {whole:>8.2f} {shared:>9.2f} {whole / shared:>6.2f}")
    suffix.SHARING = True


if __name__ == "__main__":
    main()
