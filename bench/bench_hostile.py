"""Benchmark: the hostile inputs of issues 15 and 25, each a separate `convcalc` process under
`ulimit -v 4000000` (4 GB of address space), with the CPU time of each (target: under 3 s, a
third of the 10 s limit the hostile rounds run with), its wall time, exit code, peak memory and
first line of output.

    python bench/bench_hostile.py            # every input, on the machine as it is
    python bench/bench_hostile.py --load 2   # while 2 busy processes (python -c 'while True: pass') run
    python bench/bench_hostile.py --only glob # the inputs whose name holds "glob"

The inputs are generated into a temporary directory (nothing is stored): the round-3 inputs that
lie outside the Python interpreter (links out of the tree, long globs, a FIFO as a picture, a
picture of a million cells, a sparse 1.5 GB pyproject.toml, 50,000 files, large and many-imported
Python files, deep directories and TOML), each bound at its largest accepted value, and the slow
cases of the second round (concat doubling, 5,000 classes, a 12,000-class chain, 9,000 fork-joins,
100,000 Sequential entries under `inputs`, a symbolic input in the configuration). Each run's
output is checked as the tests check it: exit 0, 1 or 2 and no traceback. The figure that matters
is the worst CPU time; wall time shows what the load adds.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SCRIPT = shutil.which("convcalc") or os.path.join(os.path.dirname(sys.executable), "convcalc")
LIMIT_KB = 4_000_000
TIMEOUT = 60.0
TARGET = 3.0

MODEL = ("\n\n# convcalc: input 3x8x8\nclass Net{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
         "        self.c = nn.Conv2d(3, 8, 3)\n\n    def forward(self, x):\n        return self.c(x)\n")


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as fh:
        fh.write(text)
    return path


def tree(root, name, files):
    base = os.path.join(root, name)
    for rel, text in files.items():
        write(os.path.join(base, rel), text)
    return base


def deep_dirs(root):
    fd = os.open(root, os.O_RDONLY)
    for _ in range(25):
        os.mkdir("d" * 200, dir_fd=fd)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def inputs(root):
    """(name, argv, cwd) of every hostile input; generated on first use."""
    ok_net = "input 3x8x8\nConv2d(3, 8, 3)\nReLU()\n"
    cases = []

    # ---- round 3: outside the interpreter
    leak = tree(root, "leak", {"ok.net": ok_net})
    for i, target in enumerate(["/etc/passwd", "/proc/self/environ"]):
        if os.path.exists(target):
            os.symlink(target, os.path.join(leak, f"leak{i}.net"))
    cases.append(("links out of the tree", ["lint", "."], leak))

    names = tree(root, "names", {f"a\n::error file=x,line=1::INJECTED{i}\n.net": ok_net + "# convcalc: ignore[CC9]\n"
                                 for i in range(200)})
    cases.append(("200 injecting file names, github format", ["lint", ".", "--format", "github"], names))

    globs = tree(root, "globs", {f"src/d{i % 20}/f{i}.net": ok_net for i in range(200)})
    write(os.path.join(globs, "pyproject.toml"), "[tool.convcalc]\nexclude = [" +
          ", ".join(f'"{i}{"?" * 3999}"' for i in range(1000)) + "]\n")
    cases.append(("1,000 excludes of 4,000 characters", ["lint", "."], globs))
    at_bound = tree(root, "globs_bound", {f"src/d{i % 40}/e{i % 7}/f{i}.net": ok_net for i in range(2000)})
    write(os.path.join(at_bound, "pyproject.toml"), "[tool.convcalc]\nexclude = [" +
          ", ".join(f'"*a*{i:03d}{"*[a-z]" * 41}"' for i in range(32)) + "]\n[tool.convcalc.per-file-input]\n" +
          "".join(f'"*b*{i:03d}{"?*" * 124}" = "3x8x8"\n' for i in range(32)))
    cases.append(("2,000 files against 8,192 characters of globs (the bounds)", ["lint", "."], at_bound))

    if hasattr(os, "mkfifo"):
        os.mkfifo(os.path.join(root, "pipe.svg"))
        cases.append(("a picture into a FIFO", ["size", "5", "-k", "3", "--animate", "pipe.svg"], root))
    cases.append(("size 1000x1000 -k 1 -s 1000 --animate", ["size", "1000x1000", "-k", "1", "-s", "1000",
                                                             "--animate", "big.svg"], root))
    cases.append(("size 58x58 -k 7 -s 2 -p 3 --animate (46,987 cells)", ["size", "58x58", "-k", "7", "-s", "2", "-p",
                                                                         "3", "--animate", "most.svg"], root))
    cases.append(("size 64x64 -k 33 -s 1 --animate (1.1 million cells)", ["size", "64x64", "-k", "33", "-s", "1",
                                                                          "--animate", "many.svg"], root))
    cases.append(("size 32x32 -k 3 --animate --values (1,024 frames)", ["size", "32x32", "-k", "3", "-p", "1",
                                                                        "--animate", "values.svg", "--values"], root))

    sparse = tree(root, "sparse", {"a.net": ok_net})
    with open(os.path.join(sparse, "pyproject.toml"), "wb") as fh:
        fh.write(b"[tool.convcalc]\n")
        fh.truncate(1_500_000_000)
    cases.append(("a sparse 1.5 GB pyproject.toml", ["lint", "."], sparse))
    nested = tree(root, "toml", {"a.net": ok_net})
    write(os.path.join(nested, "pyproject.toml"), "[tool.convcalc]\nexclude = " + "[" * 100_000 + "]" * 100_000)
    cases.append(("TOML nested 100,000 deep", ["lint", "."], nested))

    many = os.path.join(root, "many")
    os.makedirs(many)
    for i in range(50_000):
        with open(os.path.join(many, f"f{i}.net"), "w") as fh:
            fh.write(ok_net)
    cases.append(("50,000 files", ["lint", "."], many))
    tiny = tree(root, "tiny", {f"m{i}.py": "import torch.nn as nn\n" + MODEL.format(i=0) for i in range(2000)})
    cases.append(("2,000 small model files (the bound)", ["lint", "."], tiny))

    big = write(os.path.join(root, "big", "big.py"), "import torch.nn as nn\n" + "x = 1\n" * 815_000 + MODEL.format(i=0))
    cases.append(("a 4.9 MB Python file of 815,000 statements", ["lint", big], root))
    edge = write(os.path.join(root, "edge", "edge.py"), "import torch.nn as nn\n" + "x = 1\n" * 99_000 +
                 MODEL.format(i=0))
    cases.append(("297,000 tokens of statements (the bound)", ["lint", edge], root))
    listed = write(os.path.join(root, "edge", "list.py"), "import torch.nn as nn\nx = [" + "1," * 149_000 + "]\n" +
                   MODEL.format(i=0))
    cases.append(("a list literal of 149,000 items (the bound)", ["lint", listed], root))
    imported = os.path.join(root, "imports")
    for i in range(32):
        write(os.path.join(imported, f"part{i}.py"), f"W{i} = 3\n" + "y = 1\n" * 200_000)  # 1.2 MB each
    write(os.path.join(imported, "net.py"), "import torch.nn as nn\n" +
          "".join(f"from part{i} import W{i}\n" for i in range(32)) + MODEL.format(i=0))
    cases.append(("32 imported files of 1.2 MB", ["lint", "net.py"], imported))
    budget = os.path.join(root, "imports_bound")
    for i in range(32):
        write(os.path.join(budget, f"part{i}.py"), f"W{i} = 3\n" + "y = 1\n" * 6_240)  # 18,723 tokens each
    write(os.path.join(budget, "net.py"), "import torch.nn as nn\n" +
          "".join(f"from part{i} import W{i}\n" for i in range(32)) + MODEL.format(i=0))
    cases.append(("32 imported files, 600,000 tokens in all (the bound)", ["lint", "net.py"], budget))
    # the bounds per file, many files: each file reads the same imports again (open: the run's work is
    # bounded per file for statements and imports, not in all; the searches' run bound is the model)
    shared = os.path.join(root, "imports_shared")
    for i in range(8):
        write(os.path.join(shared, f"part{i}.py"), f"W{i} = 3\n" + "y = 1\n" * 6_240)
    for j in range(50):
        write(os.path.join(shared, f"net{j}.py"), "import torch.nn as nn\n" +
              "".join(f"from part{i} import W{i}\n" for i in range(8)) + MODEL.format(i=j))
    cases.append(("50 files, each importing the same 150,000 tokens", ["lint", "."], shared))

    deep = os.path.join(root, "deep")
    os.makedirs(deep)
    deep_dirs(deep)
    write(os.path.join(deep, "ok.net"), ok_net)
    cases.append(("a directory deeper than the path limit", ["lint", "."], deep))
    cases.append(("rf --draw of a broken network", ["rf", "-e", "input 3x8x8; Conv2d(4, 8, 3)", "--draw", "f.svg"],
                  root))

    # ---- round 2's slow cases
    cases.append(("15,000 doubling concats", ["shapes", write(os.path.join(root, "r2", "concat.net"),
                                                              "input 3x8x8\n" + "save s\nconcat s\n" * 15_000)], root))
    forks = "input 3xHxW\n" + "save a\nConv2d(3, 3, 3, padding=1)\nadd a\n" * 9_000
    cases.append(("9,000 fork-joins, lint", ["lint", write(os.path.join(root, "r2", "forks.net"), forks)], root))
    cases.append(("9,000 fork-joins, inputs", ["inputs", os.path.join(root, "r2", "forks.net")], root))
    flat = "input 3xHxW\n" + "Conv2d(3, 3, 3, padding=1)\n" * 49_000
    cases.append(("49,000 layers, inputs", ["inputs", write(os.path.join(root, "r2", "flat.net"), flat)], root))
    classes = "import torch.nn as nn\n" + "".join(MODEL.format(i=i) for i in range(5_000))
    cases.append(("5,000 classes", ["lint", write(os.path.join(root, "r2", "classes.py"), classes)], root))
    chain = "import torch.nn as nn\n\n\nclass C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n" \
        "        self.c = nn.Conv2d(3, 3, 3, padding=1)\n\n    def forward(self, x):\n        return self.c(x)\n" + \
        "".join(f"\n\nclass C{i}(C{i - 1}):\n    pass\n" for i in range(1, 12_000))
    cases.append(("a 12,000-class chain", ["lint", write(os.path.join(root, "r2", "chain.py"), chain)], root))
    sequential = "import torch.nn as nn\n\nmodel = nn.Sequential(" + "nn.ReLU(), " * 100_000 + ")\n"
    cases.append(("100,000 Sequential entries, inputs --input 3xHxW",
                  ["inputs", write(os.path.join(root, "r2", "seq.py"), sequential), "--input", "3xHxW"], root))
    symbolic = tree(root, "symbolic", {"models.py": "import torch.nn as nn\n" + "".join(
        MODEL.format(i=i).replace("# convcalc: input 3x8x8", "") for i in range(30))})
    write(os.path.join(symbolic, "pyproject.toml"), '[tool.convcalc]\ninput = "3xHxW"\n')
    cases.append(("30 models, a symbolic input in the configuration", ["lint", "."], symbolic))
    symbolic_net = tree(root, "symbolic_net", {f"n{i}.net": "input 3xHxW\n" + "save a\nMaxPool2d(2)\n"
                                               "Upsample(scale_factor=2)\nconcat a\n" * 200 for i in range(30)})
    cases.append(("30 U-Net-like files of 200 levels, symbolic", ["lint", "."], symbolic_net))
    return cases


def run_one(argv, cwd):
    """(cpu seconds, wall seconds, exit code, peak KB, first line) of one process under the limit."""
    command = f"ulimit -v {LIMIT_KB}; exec {SCRIPT} " + " ".join(f"'{a}'" for a in argv)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, timeout=TIMEOUT)
        code, out = done.returncode, (done.stderr + done.stdout).decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        code, out = "timeout", ""
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "Traceback" in out:
        code = f"{code} (traceback)"
    first = next((line for line in out.splitlines() if line.strip()), "")
    return cpu, wall, code, after.ru_maxrss, first


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, default=0, help="busy processes to run beside (e.g. 2)")
    parser.add_argument("--only", default="", help="only the inputs whose name holds this")
    args = parser.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    try:
        with tempfile.TemporaryDirectory() as root:
            print(f"generating the inputs in {root} ...", flush=True)
            cases = [c for c in inputs(root) if args.only in c[0]]
            print(f"{len(cases)} inputs, each one process under ulimit -v {LIMIT_KB:,} KB, {args.load} busy "
                  f"processes beside\n")
            print(f"{'input':<62} {'cpu s':>6} {'wall s':>7} {'exit':>5}  first line")
            worst = (0.0, "")
            for name, argv, cwd in cases:
                cpu, wall, code, _, first = run_one(argv, cwd)
                flag = "  OVER" if cpu > TARGET or code not in (0, 1, 2) else ""
                print(f"{name[:62]:<62} {cpu:6.2f} {wall:7.2f} {str(code):>5}  {first[:90]}{flag}", flush=True)
                worst = max(worst, (cpu, name))
            print(f"\nworst CPU time: {worst[0]:.2f} s ({worst[1]}); target under {TARGET:.0f} s each")
    finally:
        for process in busy:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
