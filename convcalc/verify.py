"""`convcalc verify`: run the reference executor and compare it with the shape engine.

The engine (convcalc.engine.shapes.analyse) computes every layer's shape and parameter count from
formulas; the executor (convcalc.executor.run) runs the network on a seeded random input,
its ops finding output sizes by sliding their windows over real data, and counts the
parameters of the weight tensors it made. Both walk the same program, so their rows pair up
one to one. The engine is used here for two other things only, neither of which can make
a wrong shape pass: choosing an input size for a symbolic input, and the work budget.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import List, Optional

from convcalc import codes
from convcalc import nodes as n
from convcalc.errors import ConvcalcError
from convcalc.executor.run import ExecutionFailure, ExecutorBackend, Step
from convcalc.engine.analysis import Analysis
from convcalc.engine.shapes import analyse
from convcalc.engine.walk import Walker
from convcalc.limits import OverBudget, SearchBudget, refusal
from convcalc.report.common import approximately

DEFAULT_MAX_MACS = 100_000_000
SEARCH_LINEAR = 256  # symbolic inputs: every size 1..SEARCH_LINEAR is tried,
SEARCH_LIMIT = 1 << 17  # then doubling sizes up to this, and bisection below the first that works
RATE = 20_000_000  # multiply-adds a second the executor manages, roughly, for the time estimates


# ---------------------------------------------------------------- choosing the input


def input_text(dims) -> str:
    return "x".join(str(d) for d in dims)


def override_for(dims) -> n.Input:
    from convcalc.load import parse_input_option

    return parse_input_option(input_text(dims))


@dataclass
class Choice:
    """The input verify runs on, and how it came to be chosen."""

    override: Optional[n.Input]  # None: the file's input line
    note: str


def given_input(program: n.Program, override: Optional[n.Input]) -> Optional[n.Input]:
    return override or program.input


def choose_input(program: n.Program, override: Optional[n.Input], option_text: Optional[str]) -> Choice:
    """The file's (or --input's) sizes; for a symbolic input the smallest square size that
    every layer accepts, found by running the integer engine (see smallest_valid)."""
    given = given_input(program, override)
    if override is not None:
        source = f"--input {option_text}"
    else:
        source = program.frontend.input_source
    if given is None:
        return Choice(override, "")  # the walk reports the missing input line
    symbols = [d.id for d in given.dims if isinstance(d, n.Name)]
    sizes = [d.value if isinstance(d, n.Num) else None for d in given.dims]
    if not symbols:
        return Choice(override, f"{input_text(sizes)} from {source}")
    written = input_text(d.id if isinstance(d, n.Name) else d.value for d in given.dims)
    names = " = ".join(dict.fromkeys(symbols))

    def valid(size: int) -> bool:
        return analyse(program, override_for([size if s is None else s for s in sizes])).ok

    try:
        with SearchBudget("finding a size every layer accepts"):
            found = smallest_valid(valid)
    except OverBudget as exc:
        raise refusal(f"{exc}; give one size with --input", program) from None
    if found is None and not analyse(program, override).ok:
        return Choice(override, "")  # broken for every size: the walk reports where, with its position
    if found is None:
        raise refusal(f"{written} ({source}) is symbolic and no size {names} = 1..{SEARCH_LINEAR} (nor a power "
                      f"of two up to {SEARCH_LIMIT:,}) makes every layer valid; give one with --input "
                      "(convcalc inputs tells which sizes work)", program, codes.ARGUMENT)
    size, exact = found
    dims = [size if s is None else s for s in sizes]
    how = ("the smallest size every layer accepts" if exact else
           f"a size every layer accepts, and {size - 1} is not (found by doubling and bisection; "
           "convcalc inputs finds the smallest)")
    return Choice(override_for(dims), f"{input_text(dims)}: {written} ({source}) is symbolic; {names} = {size} is "
                                      f"{how} (--input chooses another)")


def smallest_valid(valid) -> Optional[tuple]:
    """(size, exact): every size up to SEARCH_LINEAR in turn (exact: nothing smaller works);
    beyond, the first power of two that works, then bisection below it for a size that
    works with size - 1 failing (exact only where validity only grows with the size)."""
    for size in range(1, SEARCH_LINEAR + 1):
        if valid(size):
            return size, True
    low, high = SEARCH_LINEAR, SEARCH_LINEAR * 2
    while not valid(high):
        low, high = high, high * 2
        if high > SEARCH_LIMIT:
            return None
    while high - low > 1:  # low fails, high works
        middle = (low + high) // 2
        if valid(middle):
            high = middle
        else:
            low = middle
    return high, False


# ---------------------------------------------------------------- the work budget


def size_of(shape) -> int:
    return math.prod(shape) if all(type(d) is int for d in shape) else 0


BYTES_PER_ELEMENT = 32  # a float in a Python list: the object and the reference to it
MAX_TENSOR = 8_000_000  # elements of one tensor the executor may hold: 256 MB in pure Python


def window_of(row) -> int:
    """How many input elements each output element of a row reads, where that is not one: a
    pool's window (MaxPool2d(1000, stride=1) reads a million per output), an adaptive pool's
    (8000x8000 out of 1x1), LocalResponseNorm's channels."""
    if row.geometry:
        return math.prod(max(int(kernel), 1) for kernel, _, _ in row.geometry if type(kernel) is int) or 1
    traits = row.spec.traits if row.spec is not None else None
    if traits is not None and traits.field == "adaptive" and len(row.input) == len(row.shape):
        reads = 1
        for a, b in zip(row.input[1:], row.shape[1:]):
            if type(a) is int and type(b) is int and b >= 1:
                reads *= -(-a // b) + 1
        return reads
    if traits is not None and traits.channel_window and row.input and type(row.input[0]) is int:
        return row.input[0]
    return 1


def row_work(row, batch: int) -> int:
    """Multiply-adds of one row: conv and linear weights times the positions they are applied
    at; for every other layer its output elements times what each reads (window_of)."""
    params = row.params if type(row.params) is int else 0
    if row.kind == "conv":
        per_sample = params * size_of(row.shape[1:])
    elif row.kind == "linear":
        per_sample = params * size_of(row.shape[:-1])
    elif row.op is not None and row.op.work is not None:  # a product visits more than its output (einsum)
        per_sample = row.op.work(list(row.inputs), row.args, row.shape)
    else:
        per_sample = size_of(row.shape) * window_of(row)
    return per_sample * batch


def largest_tensor(analysis: Analysis, batch: int) -> int:
    """The elements of the largest tensor a run makes (the input drawn, each row's output)."""
    sizes = [size_of(analysis.input)] if analysis.input else []
    sizes += [size_of(row.shape) for row in analysis.rows]
    return max(sizes, default=0) * batch


def estimate_work(analysis: Analysis, batch: int) -> int:
    """The multiply-adds of a run, from the engine's rows: a budget, not a check. Drawing the
    random input counts too: a network that fails at its first layer still makes one."""
    drawn = size_of(analysis.input) * batch if analysis.input else 0
    return drawn + sum(row_work(row, batch) for row in analysis.rows)


def duration(work: int) -> str:
    """In integers: a work of 10**400 multiply-adds is no float (an estimate of 6 dims of 78 digits)."""
    seconds = work // RATE
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"about {seconds} s"
    if seconds < 7200:
        return f"about {(seconds + 30) // 60} min"
    hours = (seconds + 1800) // 3600
    return f"about {hours:,} h" if hours < 10**15 else f"about {approximately(hours)} h"


def smaller_input(program: n.Program, dims, work: int, budget: int, batch: int):
    """A smaller input (channels kept, spatial sizes scaled alike) that every layer accepts:
    (dims, work, smallest) of the largest one within the budget near the scaled guess, else
    of the smallest valid one above it (smallest: no size below it is valid); None when no
    smaller size is valid."""
    channels, spatial = dims[0], list(dims[1:])
    if not spatial or budget <= 0:
        return None
    largest = max(spatial)

    def candidate(target):
        dims = (channels, *[max(1, round(s * target / largest)) for s in spatial])
        analysis = analyse(program, override_for(dims))
        return dims, (estimate_work(analysis, batch) if analysis.ok else None)

    guess = max(1, min(largest - 1, math.ceil(largest * (budget / work) ** (1 / len(spatial)) * 1.1)))
    try:
        with SearchBudget("finding a smaller input"):
            return search_smaller(candidate, guess, largest, budget)
    except OverBudget:
        return None  # no suggestion: the message says what to pass instead


def search_smaller(candidate, guess: int, largest: int, budget: int):
    lowest = None  # the smallest valid size tried, when none fits the budget
    for target in range(guess, max(0, guess - 200), -1):
        dims, cost = candidate(target)
        if cost is not None and cost <= budget:
            return dims, cost, False
        if cost is not None:
            lowest = dims, cost
    if lowest is not None:
        return (*lowest, guess <= 200)
    for target in range(guess + 1, min(largest, guess + 400)):
        dims, cost = candidate(target)
        if cost is not None:
            return dims, cost, guess <= 200
    return None


def over_budget_message(label: str, dims, batch: int, work: int, budget: int, smaller) -> str:
    head = (f"{label}verifying at {input_text(dims)}, batch {batch}, would take about {work:,} multiply-adds "
            f"({duration(work)} in pure Python), over the budget of {budget:,} (--max-macs)")
    ways = [f"--max-macs {work} to run it anyway"]
    if smaller is not None:
        small, cost, smallest = smaller
        which = "the smallest size (spatial sizes scaled alike)" if smallest else "a smaller size"
        if cost <= budget:
            ways.append(f"--input {input_text(small)}, {which} every layer accepts (about {cost:,} multiply-adds)")
        else:
            ways.append(f"--input {input_text(small)} --max-macs {cost}, {which} every layer accepts "
                        f"({duration(cost)})")
    return head + ". To go on: " + ", or ".join(ways)


# ---------------------------------------------------------------- the comparison


@dataclass
class Verification:
    analysis: Analysis
    steps: List[Step] = field(default_factory=list)
    output: Optional[tuple] = None  # the executor's output shape per sample
    failure: Optional[str] = None  # why the executor stopped early
    failure_line: Optional[int] = None
    note: str = ""
    seed: int = 0
    batch: int = 1
    work: int = 0
    seconds: float = 0.0
    override: Optional[n.Input] = None  # the input it runs on (a smaller one than the file's: see plan)

    def pairs(self):
        return list(zip_longest(self.analysis.rows, self.steps))

    @staticmethod
    def agree(row, step) -> bool:
        return (row is not None and step is not None and row.name == step.name and tuple(row.shape) == step.shape
                and row.params == step.params and row.buffers == step.buffers)

    @property
    def disagreements(self) -> list:
        return [(row, step) for row, step in self.pairs() if not self.agree(row, step)]

    @property
    def verified(self) -> bool:
        return (self.analysis.ok and self.analysis.complete and self.failure is None and not self.disagreements
                and tuple(self.analysis.output) == self.output)

    def distinct_steps(self) -> list:
        """The steps of distinct layer objects: a layer applied again owns no further weights."""
        seen, out = set(), []
        for step in self.steps:
            instance = getattr(step.node, "instance", None)
            if instance is None or instance not in seen:
                seen.add(instance)
                out.append(step)
        return out

    @property
    def executed_params(self) -> int:
        return sum(s.params for s in self.distinct_steps())

    @property
    def executed_buffers(self) -> int:
        return sum(s.buffers for s in self.distinct_steps())


def plan(program: n.Program, choice: Choice, seed: int = 0, batch: int = 1,
         max_macs: int = DEFAULT_MAX_MACS) -> Verification:
    """Analyse and check the budget (over it raises UsageError); nothing runs yet."""
    analysis = analyse(program, choice.override)
    work = estimate_work(analysis, batch)
    largest = largest_tensor(analysis, batch)
    if largest > MAX_TENSOR:  # memory, not time: no --max-macs lifts it (a ZeroPad2d(3000) held 1.1 GB)
        raise refusal(f"verifying at {input_text(tuple(analysis.input))}, batch {batch}, would hold a tensor of "
                      f"{largest:,} elements (about {largest * BYTES_PER_ELEMENT // 10**6:,} MB in pure Python), over "
                      f"the executor's {MAX_TENSOR:,}; verify at a smaller input (--input) or batch", program)
    if max_macs and work > max_macs:
        dims = tuple(analysis.input)
        smaller = smaller_input(program, dims, work, max_macs, batch) if analysis.ok else None
        if choice.override is None and smaller is not None and smaller[1] <= max_macs:
            # the size came from the file, not from the user: verify at one within the budget, and say so
            small, cost, _ = smaller
            note = (f"{input_text(small)} instead of the file's {input_text(dims)}, which would take about {work:,} "
                    f"multiply-adds, over the budget of {max_macs:,} (--max-macs; --input chooses)")
            return plan(program, Choice(override_for(small), note), seed, batch, max_macs)
        label = f"model {program.name}: " if getattr(program, "name", "") else ""  # the path heads the message
        raise refusal(over_budget_message(label, dims, batch, work, max_macs, smaller), program)
    return Verification(analysis, note=choice.note, seed=seed, batch=batch, work=work, override=choice.override)


class Silent:
    """No progress shown: what a run gets unless its caller passes a bar (report/progress.py)."""

    def __init__(self, total: int):
        pass

    def update(self, done: int, label: str = "") -> None:
        pass

    def close(self) -> None:
        pass


def run(program: n.Program, choice: Choice, seed: int = 0, batch: int = 1, max_macs: int = DEFAULT_MAX_MACS,
        progress=Silent) -> Verification:
    """Analyse, check the budget, execute, pair the rows. Over budget raises UsageError."""
    return execute_plan(program, choice, plan(program, choice, seed, batch, max_macs), progress)


def execute_plan(program: n.Program, choice: Choice, result: Verification, progress=Silent) -> Verification:
    """Run the executor for a planned verification and fill in its steps; ``progress(total work)``
    makes what is told of the work done (``update(done, label)``, ``close()``)."""
    analysis, batch, seed, work = result.analysis, result.batch, result.seed, result.work
    # progress: the engine's work estimate of the rows done so far
    done = [0]
    for row in analysis.rows:
        done.append(done[-1] + row_work(row, batch))
    bar = progress(work)
    # where the engine stopped, the work estimate ends: the executor runs as far (the layer that
    # failed included, to show whether it fails there too) and no further
    last = len(analysis.rows) + 1 if analysis.error is not None else None

    def on_step(index: int) -> None:
        step = backend.steps[-1]
        bar.update(done[min(index, len(done) - 1)], f"line {step.line} {step.name}")
        if last is not None and index >= last:
            raise ExecutionFailure(step.node, "not run further: the engine stops here, and the work past it was "
                                              "not estimated")

    backend = ExecutorBackend(batch, seed, on_step=on_step)
    if analysis.error is not None and analysis.error.code == codes.ARGUMENT:
        backend.refused = len(analysis.rows) + 1  # a bound or an argument: the executor's work there is unknown
    start = time.perf_counter()
    try:
        output = Walker(program, backend, result.override).run()
        result.output = tuple(output.shape[1:])
    except ExecutionFailure as exc:
        result.failure, result.failure_line = exc.message, exc.node.span.line
    except ConvcalcError as exc:  # the same problem the engine reports (an argument, a name)
        result.failure = f"{exc.code} {exc.message}"
        result.failure_line = exc.span.line if exc.span else None
    finally:
        bar.close()
    result.seconds = time.perf_counter() - start
    result.steps = backend.steps
    return result


# ---------------------------------------------------------------- the command


def run_all(programs, override, input_dims, seed: int, batch: int, max_macs: int, progress=Silent) -> list:
    """The body of `convcalc verify`: one result per model."""
    # every model's budget is checked before any of them runs
    choices = [choose_input(program, override, input_dims) for program in programs]
    plans = [plan(program, choice, seed, batch, max_macs) for program, choice in zip(programs, choices)]
    return [execute_plan(program, choice, planned, progress)
            for program, choice, planned in zip(programs, choices, plans)]

