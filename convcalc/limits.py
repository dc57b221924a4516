"""The limits that span modules: the largest file read (a command's own, or one a Python model
imports), the Python stack nested blocks need, and the budget of a search that walks one
network many times.

Blocks are parsed and walked recursively, about five frames a level, so the 1,000 levels the
language allows (syntax.MAX_BLOCK_DEPTH) need more than Python's default limit of 1,000
frames. The entry points that recurse over blocks raise the limit while they run; the
bounds on nesting keep the real depth far below it.

Each walk stops at engine/walk.MAX_STEPS, but `convcalc inputs`, verify's choice of a size and
lint's exact analysis walk a network once per size they try: SearchBudget bounds those walks
all together. The other bounds sit beside the code they bound (frontends/syntax, engine, symbolic/dims, load).
"""
from __future__ import annotations

import functools

MAX_FILE = 5_000_000  # bytes of one file read: the command's, or one a Python model imports
MAX_DIGITS = 78  # of a number: 2**256, the largest integer the evaluator takes, has 78 (both frontends)
MAX_RANK = 32  # dimensions of an input (per sample): every layer's work is per dimension
import re
import sys
from convcalc import codes

# A Python file is parsed whole by ast before anything is followed, in time and memory that grow with
# its tokens (a 4.9 MB file of 815,000 statements took 13 s and 2.1 GB; a 1 MB list literal 2.7 s and
# 500 MB), so its tokens are counted first by a regular expression: every word and every punctuation
# mark, a comment or a plain string literal as one (ast reads a docstring of 50 lines as one token: real
# packages are half docstring), an f-string's fields and words each (ast parses the fields). An upper
# bound on what ast sees. A file past the bound is not read. 300,000 tokens parse in about 1 s here (a
# 7,500-line file of 150 models; real model files hold under 100,000).
MAX_PYTHON_TOKENS = 300_000
# the files a Python model imports share a budget of their own: a real package's network reads a
# couple of hundred files (monai 1.6's UNet: 203 files, 396,000 tokens so counted, as Python imports
# them); 32 imported files at this bound take about 1.6 s of CPU (bench/bench_hostile.py)
MAX_IMPORT_TOKENS = 600_000
PYTHON_TOKEN = re.compile(r"\w+|[^\w\s]")
PYTHON_LEXEME = re.compile(r"""#[^\n]*|([rRbBuUfF]{0,2})("{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"(?:\\.|[^"\\\n])*"|"""
                           r"""'(?:\\.|[^'\\\n])*')|\w+|[^\w\s]""")


def python_overflow(text: str, budget: int = MAX_PYTHON_TOKENS):
    """(tokens counted, the offset of the first token past ``budget`` or None); stops at the bound."""
    count = 0
    for match in PYTHON_LEXEME.finditer(text):
        prefix = match.group(1)
        count += len(PYTHON_TOKEN.findall(match.group(0))) if prefix and "f" in prefix.lower() else 1
        if count > budget:
            return count, match.start()
    return count, None

STACK_FRAMES = 20_000
# the cyclic collector runs every 50,000 allocations instead of every 700: a large file builds
# hundreds of thousands of nodes, and the default made lint of 25,000 lines a third slower than
# linear (mypy tunes it the same way)
GC_THRESHOLD = (50_000, 20, 20)


def configure_interpreter() -> None:
    """What the command line sets once, before any work: the stack and the collector."""
    import gc

    global command_left, command_total
    sys.setrecursionlimit(max(sys.getrecursionlimit(), STACK_FRAMES))
    gc.set_threshold(*GC_THRESHOLD)
    command_left = command_total = SEARCH_STEPS  # one budget for all the searches of the command, whatever its models


def deep_stack(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        limit = sys.getrecursionlimit()
        if limit >= STACK_FRAMES:
            return function(*args, **kwargs)
        sys.setrecursionlimit(STACK_FRAMES)
        try:
            return function(*args, **kwargs)
        finally:
            sys.setrecursionlimit(limit)
    return wrapper


# layer-steps of all the walks of the searches of one command. An integer walk's step costs 12 to 30 us
# here, a symbolic walk's up to 60: 500,000 took 14 s of CPU on a network built to defeat the shared
# suffixes. `inputs` of the M5 audio example is charged 192,000 (its 332,000 steps, the replayed ones at a
# quarter: inputs/suffix.py), so 250,000 for the commands a user runs on a network they chose (inputs,
# verify: about 7 s at the worst) and 40,000 for each file lint reads, which CI runs on other people's
# files (a charged step of lint's exact analysis costs up to 35 us: about 1.4 s a file; each file its
# own budget, so that its result depends on no other file and can be cached); past it, inputs and
# verify stop with CC401, lint notes it (CC900) and checks the rest. The 44 corpus files lint as they
# did with 500,000 (at 30,000 their last CC303 notices lose the sizes), and each example alone fits
# (the largest, MobileNetV2 on 3xHxW, is charged 26,000).
SEARCH_STEPS = 250_000
LINT_SEARCH_STEPS = 40_000
# and lint's searches of one run in all: a file's bound times the files of a run is no bound (30 files of
# 800 layers charged 169,000 steps, 3.8 s of CPU); the project's corpus of 55 files charges 39,000. Past
# it, a file's search gets what is left (the workers of a run each a share), its CC900 note says so, and
# its result is not cached (it depends on the files linted before it)
LINT_RUN_STEPS = 100_000
run_left = None  # what is left of the lint run's searches in this process (None: no lint run)
run_cut = False  # a search of the file being linted stopped at a budget the run had cut


class OverBudget(Exception):
    """A search that walks one network many times (convcalc inputs, verify's choice of a
    size) would take longer than its budget. Not a ConvcalcError: the walks' own handlers
    must let it through, so that the search stops rather than taking it for an invalid size."""


searching = None  # the SearchBudget of the search running now, which Walker.step charges
# what is left of the command's budget: 30 models of a file, each searched, share one
command_left = SEARCH_STEPS
command_total = SEARCH_STEPS  # the command's budget in all (lint's is smaller: command_budget)


def command_budget(steps: int) -> None:
    """The command's searches share ``steps`` in all (lint: LINT_SEARCH_STEPS)."""
    global command_left, command_total
    command_total = min(steps, SEARCH_STEPS)
    command_left = min(command_left, command_total)


class SearchBudget:
    """``with SearchBudget("convcalc inputs"):`` bounds the walks made inside it, all together,
    and together with the searches before it in the same command (``command_left``)."""

    def __init__(self, what: str, steps: int | None = None):
        steps = command_total if steps is None else steps
        self.what, self.steps = what, steps
        self.shared = command_left < steps  # an earlier search of the command spent part of it
        self.left = min(steps, command_left)
        self.start = self.left
        self.outer = None

    def __enter__(self):
        global searching
        self.outer, searching = searching, self
        return self

    def __exit__(self, *exc_info):
        global searching, command_left
        searching = self.outer
        command_left = max(0, command_left - (self.start - max(self.left, 0)))

    def spend(self, work: int = 1) -> None:
        self.left -= work
        if self.left < 0:
            global run_cut
            shared = " (with the searches before it in this command)" if self.shared else ""
            if run_left is not None and command_total < LINT_SEARCH_STEPS:
                run_cut = True
                shared = (" (what was left of this lint run's searches, which its files share: lint fewer files at "
                          "a time to search each in full)")
            raise OverBudget(f"{self.what} needs more than {self.steps:,} layer-steps in all{shared} (each size "
                             "tried is a walk of the whole network); convcalc stops there")


def charge(work: int) -> None:
    """Charge work other than a walk's steps, counted in steps' worth, to the search running now."""
    if searching is not None:
        searching.spend(work)


def refusal(message: str, program, code=codes.BUDGET):
    """The UsageError (exit 2) of work over its budget (or of an input no size of which can be
    run, with code=ARGUMENT), shown at the network's input line: the input's size is what decides."""
    from convcalc.errors import ConvcalcError, UsageError

    given = program.input
    problem = ConvcalcError(code, message, given.span if given else None)
    return UsageError(message, problem.diagnostic(program.path, program.source))
