"""Benchmark: `convcalc lint` over the model corpus (tests/fixtures/corpus/, issue 12), against
`python -c "import click"` in the same run, on this machine at this moment:

1. the whole corpus in one command (target: at most 1 s for ~50 files once they are followed);
2. each file in a command of its own (start-up included), the slowest named;
3. cost linear in the files: the corpus linted 1x, 2x and 4x over (copies in a temporary
   directory), seconds per file at each size.

    python bench/bench_corpus.py [--repeat 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


def convcalc_command():
    script = Path(sys.executable).with_name("convcalc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "convcalc"]


def wall(command, repeat: int, cwd=None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def corpus_files() -> list:
    return sorted(str(p) for p in CORPUS.rglob("*.py"))


def copies(times: int, into: str) -> str:
    """The corpus ``times`` over under ``into`` (each copy its own tree, so that imports stay within it)."""
    target = os.path.join(into, f"x{times}")
    for i in range(times):
        shutil.copytree(CORPUS, os.path.join(target, f"copy{i}"), ignore=shutil.ignore_patterns("*.md"))
    return target


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = corpus_files()
    convcalc = convcalc_command()

    baseline = wall([sys.executable, "-c", "import click"], args.repeat)
    whole = wall(convcalc + ["lint", str(CORPUS)], args.repeat)
    print(f"python -c 'import click'          {baseline:7.3f} s")
    print(f"convcalc lint tests/fixtures/corpus ({len(files)} files) {whole:7.3f} s   "
          f"({whole / baseline:.1f}x import click; target 1 s)")

    per_file = [(wall(convcalc + ["lint", f], 1), f) for f in files]
    total = sum(t for t, _ in per_file)
    print(f"one command per file: {total:.2f} s in all, median {statistics.median(t for t, _ in per_file):.3f} s "
          f"({statistics.median(t for t, _ in per_file) / baseline:.1f}x import click)")
    for t, f in sorted(per_file, reverse=True)[:5]:
        print(f"  {t:6.3f} s  {os.path.relpath(f, ROOT)}")

    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for times in (1, 2, 4):
            tree = copies(times, tmp)
            seconds = wall(convcalc + ["lint", tree], 1)
            rows.append((times * len(files), seconds))
        print("linear in the files:")
        for count, seconds in rows:
            print(f"  {count:4d} files  {seconds:7.3f} s  {seconds / count * 1000:6.1f} ms per file")


if __name__ == "__main__":
    main()
