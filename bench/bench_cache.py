"""Benchmark: `convcalc lint` at repository scale (issue 26): the per-file cache and the workers,
as ratios against a baseline measured in the same run, on this machine at this moment.

1. today: the corpus (tests/fixtures/corpus) linted as before, in one process without a cache
   (`--no-cache --jobs 1`);
2. cold: the same with an empty cache (workers on every core while the machine has cores to
   spare, else one process; each result written to the cache); target: not slower than today;
3. warm: again, every file unchanged; target: at most 0.3 s for the whole command, against
   `python -c "import click"`;
4. flat: the corpus copied 1, 2, 4 and 10 times over (50 to 500 files), cold and warm, time per
   file at each size; target: flat.

    python bench/bench_cache.py [--repeat 3]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_corpus import CORPUS, convcalc_command, copies, corpus_files, wall  # noqa: E402


def fresh_cache(tmp: str, name: str) -> dict:
    """An environment whose lint cache is an empty directory of its own."""
    directory = os.path.join(tmp, name)
    shutil.rmtree(directory, ignore_errors=True)
    return dict(os.environ, CONVCALC_CACHE_DIR=directory)


def timed(command, repeat: int, env=None, cwd=None) -> float:
    saved = os.environ.copy()
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    try:
        return wall(command, repeat, cwd=cwd)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def once(command, env=None) -> tuple:
    """(wall seconds, CPU seconds of the process and its children: user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    convcalc = convcalc_command()
    files = len(corpus_files())
    lint = convcalc + ["lint", str(CORPUS)]
    with tempfile.TemporaryDirectory() as tmp:
        baseline = wall([sys.executable, "-c", "import click"], args.repeat)
        # today and cold taken in turns, so that a busy moment of a shared machine hits both
        todays, colds, warms = [], [], []
        for round_ in range(args.repeat):
            todays.append(once(lint + ["--no-cache", "--jobs", "1"]))
            env = fresh_cache(tmp, f"cold{round_}")
            colds.append(once(lint, env))
            warms.append(once(lint, env))
        today, cold, warm = (statistics.median(w for w, _ in runs) for runs in (todays, colds, warms))
        today_cpu, cold_cpu = (statistics.median(c for _, c in runs) for runs in (todays, colds))
        print(f"python -c 'import click'                       {baseline:7.3f} s   (load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores)")
        print(f"lint of the corpus ({files} files), today            {today:7.3f} s   "
              f"(--no-cache --jobs 1: one process, no cache; CPU {today_cpu:.2f} s)")
        print(f"cold: empty cache, workers as cores are free {cold:7.3f} s   "
              f"{cold / today:.2f}x today (target: at most 1x); CPU {cold_cpu:.2f} s, {cold_cpu / today_cpu:.2f}x today's")
        print(f"warm: every file unchanged                     {warm:7.3f} s   "
              f"{warm / baseline:.1f}x import click, {warm / today:.3f}x today (target: at most 0.3 s)")

        print("per file, the corpus copied over (cold: an empty cache; warm: the same run again):")
        rows = []
        for times in (1, 2, 4, 10):
            tree = copies(times, tmp)
            env = fresh_cache(tmp, f"scale{times}")
            seconds_cold = timed(convcalc + ["lint", tree], 1, env)
            seconds_warm = timed(convcalc + ["lint", tree], 1, env)
            count = times * files
            rows.append((count, seconds_cold / count, seconds_warm / count))
            print(f"  {count:4d} files  cold {seconds_cold:7.3f} s  {seconds_cold / count * 1000:6.1f} ms per file   "
                  f"warm {seconds_warm:6.3f} s  {seconds_warm / count * 1000:5.2f} ms per file")
            shutil.rmtree(tree)
        first, last = rows[0], rows[-1]
        print(f"per-file cost at {last[0]} files / at {first[0]}: cold {last[1] / first[1]:.2f}, "
              f"warm {last[2] / first[2]:.2f} (target: flat)")


if __name__ == "__main__":
    main()
