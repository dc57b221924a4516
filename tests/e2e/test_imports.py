"""Each command imports only what it needs (issue 7): start-up time is mostly imports.

Every case runs the real command in a fresh interpreter and lists the modules it loaded;
the timings themselves are measured in bench/bench_startup.py, never here."""
from paths import ROOT
import os
import shutil
import subprocess
import sys

import pytest

ROOT = str(ROOT)
COURSE = os.path.join(ROOT, "examples", "course_cnn.net")
SYMBOLIC = os.path.join(ROOT, "examples", "symbolic_cnn.net")
MODEL = os.path.join(ROOT, "tests", "fixtures", "corpus", "lint_models", "mnist_example.py")
NOTEBOOK = os.path.join(ROOT, "tests", "fixtures", "notebooks", "lenet.ipynb")

# the probe itself imports nothing beyond sys, so that what it lists is the command's
PROBE = """
import sys
sys.argv = ["convcalc"] + sys.argv[1:]
from convcalc.cli import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""

EXECUTOR = "convcalc.executor"
HEAVY = {"tabulate", "json", "convcalc.frontends.python.models", "convcalc.inputs", "convcalc.metrics", EXECUTOR,
         "convcalc.verify", "tomllib", "numpy", "torch"}


def loaded(cwd, *args) -> set:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    marker = proc.stderr.rindex("MODULES ")
    return set(proc.stderr[marker + len("MODULES "):].split())


def heavy(modules: set) -> set:
    return {h for h in HEAVY if h in modules or any(m.startswith(h + ".") for m in modules)}


@pytest.mark.parametrize("args, needed", [
    (["size", "32", "-k", "3"], set()),
    (["size", "32", "--solve", "16", "-k", "3"], set()),
    (["shapes", COURSE], set()),  # the simple table is drawn without tabulate (report/common.simple_table)
    (["params", COURSE], set()),
    (["shapes", COURSE, "--format", "grid"], {"tabulate"}),
    (["shapes", COURSE, "--format", "json"], {"json", "convcalc.metrics"}),  # the JSON has every column
    (["lint", COURSE], {"json"}),  # the cache's entries are JSON
    (["lint", COURSE, "--no-cache"], set()),
    (["lint", COURSE, "--format", "json"], {"json"}),
    (["lint", MODEL], {"convcalc.frontends.python.models", "json"}),
    (["lint", SYMBOLIC], {"convcalc.inputs", "json"}),
    (["shapes", MODEL], {"convcalc.frontends.python.models"}),
    (["lint", NOTEBOOK], {"convcalc.frontends.python.models", "json"}),  # json reads the notebook
    (["verify", COURSE], {"tabulate", EXECUTOR, "convcalc.verify"}),
    (["draw", COURSE, "-o", "x.svg"], {"convcalc.metrics"}),  # the measuring walk gives the edges
    (["draw", COURSE, "-o", "x.html"], {"convcalc.metrics"}),
    (["size", "5", "-k", "3", "--animate", "x.svg", "--values"], {EXECUTOR}),  # the sums are the executor's
])
def test_a_command_imports_only_what_it_needs(args, needed, tmp_path):
    # copies, away from this repository's pyproject.toml (which names convcalc: lint would read it)
    for source in (COURSE, SYMBOLIC, MODEL, NOTEBOOK):
        shutil.copy(source, tmp_path)
    modules = loaded(tmp_path, *[os.path.basename(a) if os.path.isabs(a) else a for a in args])
    assert heavy(modules) == needed
    if args[0] in ("shapes", "params") and args[-1] == COURSE:  # the table's rows are slots classes
        assert "dataclasses" not in modules
    if args[0] == "lint" and "--no-cache" not in args:  # warm: the same file is not linted again
        again = loaded(tmp_path, *[os.path.basename(a) if os.path.isabs(a) else a for a in args])
        assert heavy(again) <= {"json"} and "convcalc.engine.walk" not in again
        assert "hashlib" not in again
    if args[0] == "size":
        assert "convcalc.engine.walk" not in modules and "convcalc.frontends.syntax" not in modules
    # torch is neither imported nor needed, even where it is installed
    assert "torch" not in modules and "numpy" not in modules
