"""Start-up (issue 7): each command against `python -c "import click"`, in the same run.

    python bench/bench_startup.py            # 30 rounds
    python bench/bench_startup.py --quick    # 10 rounds

Commands run round-robin (one of each per round, so that a noisy moment hits them all) and
the median wall time of each is compared with the median of `python -c "import click"`,
the least any click program can take. Target: `convcalc size 32 -k 3`, `convcalc shapes` and
`convcalc lint` on the course CNN within 1.5x (the simple table format is drawn without
importing tabulate, report/common.simple_table). Run it from a regular install (`pip install .`): an editable
install adds its import hook (about 20 ms here) to every start.

The files are copied to a temporary directory first, so that lint does not find (and
parse) this repository's pyproject.toml. Then it lists, from `python -X importtime`, what
`convcalc shapes` imports beyond click, and the time of each.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 1.5


def convcalc_command() -> list:
    script = os.path.join(os.path.dirname(sys.executable), "convcalc")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "convcalc"]


def medians(commands: dict, rounds: int, cwd: str) -> dict:
    times: dict = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def imports(command: list, cwd: str) -> dict:
    """module -> (self, cumulative) microseconds, from -X importtime."""
    proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False,
                          env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    out = {}
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            own, cumulative, name = line[len("import time:"):].split("|")
            out[name.strip()] = (int(own), int(cumulative))
    return out


def main():
    rounds = 10 if "--quick" in sys.argv else 30
    convcalc = convcalc_command()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("examples/course_cnn.net", "tests/fixtures/corpus/lint_models/mnist_example.py"):
            shutil.copy(os.path.join(ROOT, name), tmp)
        commands = {
            'python -c "import click"': [sys.executable, "-c", "import click"],
            "convcalc size 32 -k 3": convcalc + ["size", "32", "-k", "3"],
            "convcalc shapes course_cnn.net": convcalc + ["shapes", "course_cnn.net"],
            "convcalc params course_cnn.net": convcalc + ["params", "course_cnn.net"],
            "convcalc lint course_cnn.net": convcalc + ["lint", "course_cnn.net"],
            "convcalc lint mnist_example.py": convcalc + ["lint", "mnist_example.py"],
            'python -c "pass"': [sys.executable, "-c", "pass"],
        }
        result = medians(commands, rounds, tmp)
        base = result['python -c "import click"']
        print(f"median of {rounds} rounds; ratio to python -c \"import click\" (target: size, shapes and lint "
              f"of a network file within {TARGET}x; lint of a .py file is reported, its frontend is real work)")
        for name, seconds in result.items():
            print(f"  {name:34} {seconds * 1000:6.1f} ms  {seconds / base:5.2f}x")
        for name in ("convcalc size 32 -k 3", "convcalc shapes course_cnn.net", "convcalc lint course_cnn.net"):
            verdict = "ok" if result[name] / base <= TARGET else "OVER"
            print(f"{name}: {result[name] / base:.2f}x ({verdict})")

        click_modules = imports([sys.executable, "-c", "import click"], tmp)
        ours = imports(commands["convcalc shapes course_cnn.net"], tmp)
        extra = {name: times for name, times in ours.items() if name not in click_modules}
        print(f"\nconvcalc shapes imports {len(extra)} modules beyond click's, "
              f"{sum(own for own, _ in extra.values()) / 1000:.1f} ms in all; the largest (self time):")
        for name, (own, _) in sorted(extra.items(), key=lambda item: -item[1][0])[:8]:
            print(f"  {name:28} {own / 1000:5.2f} ms")


if __name__ == "__main__":
    main()
