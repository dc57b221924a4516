"""The files of one lint run, linted: each from the cache when its entry holds (lint/cache.py),
the others in worker processes, one per core while cores are free (or here, for a few files or
on a busy machine), in the order given
whatever order they finish in; a progress line on a terminal once the run has taken a second.

Every file is linted alone, with its own search budget (limits.SEARCH_STEPS): its result
depends on nothing but itself, the files it imports and the settings, which is what lets a
cache keep it and a worker compute it.
"""
from __future__ import annotations

import os
from typing import Optional

PARALLEL_FROM = 6  # files to lint (not in the cache) before workers are worth their start-up
MAX_JOBS = 64


class Task:
    """One file to lint: its name as shown, its text, the input sizes given, as text, and the real
    path of its tree (the files its imports may read; None: the file's own)."""

    __slots__ = ("shown", "text", "given", "fallback", "tree")

    def __init__(self, shown: str, text: str, given: Optional[str], fallback: Optional[str],
                 tree: Optional[str] = None):
        self.shown, self.text, self.given, self.fallback, self.tree = shown, text, given, fallback, tree

    def __getstate__(self):
        return (self.shown, self.text, self.given, self.fallback, self.tree)

    def __setstate__(self, state):
        self.shown, self.text, self.given, self.fallback, self.tree = state


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def spare_cores() -> int:
    """The workers worth starting: one per core while the machine has cores to spare (its load
    average below its cores, as `make -l` decides), else one. Workers cost CPU of their own (each
    fills its own caches); on a machine whose cores are all busy they only add it."""
    cores = available_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores
    return cores if load < cores - 0.5 else 1


def lint_task(task: Task, encoded: bool = False):
    """(FileLint, or its JSON with ``encoded``; the paths its imports looked at; whether a search
    stopped at a budget the run's bound had cut: then it is not cached). The file's own search
    budget, within what is left of the run's; the imports it looked for recorded for the cache."""
    from convcalc import limits
    from convcalc.lint.onefile import lint_text
    from convcalc.load import is_notebook, is_python, parse_input_option

    # each file its own budget, so that its result depends on no other file (the cache); lint's is the
    # smaller one: CI runs lint on other people's files; the run's searches in all are bounded too
    own = limits.LINT_SEARCH_STEPS if limits.run_left is None else max(0, min(limits.LINT_SEARCH_STEPS,
                                                                               limits.run_left))
    limits.command_budget(own)
    limits.command_left = limits.command_total
    limits.run_cut = False
    given = parse_input_option(task.given) if task.given else None
    fallback = parse_input_option(task.fallback) if task.fallback else None
    imports = None
    if is_python(task.shown) or is_notebook(task.shown):
        from convcalc.frontends.python import imports

        imports.LOOKED_AT = set()
    try:
        linted = lint_text(task.shown, task.text, given, fallback, task.tree)
    finally:
        looked = sorted(imports.LOOKED_AT) if imports is not None else []
        if imports is not None:
            imports.LOOKED_AT = None
        if limits.run_left is not None:
            limits.run_left -= own - max(limits.command_left, 0)
    cut = limits.run_cut  # its result depends on the files before it: never cached
    if encoded:
        from convcalc.lint.cache import encode

        return encode(linted, linted.sources), looked, cut
    return linted, looked, cut


def worker_start(share: Optional[int] = None) -> None:
    from convcalc import limits

    limits.configure_interpreter()
    limits.run_left = share  # this worker's share of the run's searches


def encoded_task(task: Task):
    return lint_task(task, encoded=True)


def lint_tasks(tasks: list, cache=None, jobs: Optional[int] = None, progress=None) -> list:
    """The FileLint of each task, in order. ``cache``: a lint/cache.Cache or None; ``jobs``: worker
    processes (None: one per core when there are enough files; 1: none); ``progress``: a
    report/progress.Progress or None."""
    from convcalc.errors import PLACES

    results: list = [None] * len(tasks)
    keys: list = [None] * len(tasks)
    if cache is not None:
        for i, task in enumerate(tasks):
            keys[i] = cache.key(task.shown, task.text, task.given, task.fallback, task.tree)
            results[i] = cache.load(keys[i])
    todo = [i for i, found in enumerate(results) if found is None]
    done = len(tasks) - len(todo)
    workers = min(jobs if jobs is not None else spare_cores(), len(todo), MAX_JOBS)
    if jobs is None and len(todo) < PARALLEL_FROM:
        workers = 1
    for i, (linted, looked, cut) in zip(todo, run(tasks, todo, workers)):
        if isinstance(linted, dict):  # from a worker: its JSON
            from convcalc.lint.cache import decode

            data, linted = linted, decode(linted)
        elif cache is not None:
            from convcalc.lint.cache import encode

            data = encode(linted, linted.sources)
        if cache is not None and not cut:
            cache.store(keys[i], data, looked)
        results[i] = linted
        done += 1
        if progress is not None:
            progress.update(done, tasks[i].shown)
    if cache is not None:
        cache.flush()
    for i, linted in enumerate(results):
        if linted.book is not None:  # a notebook, however it came: its positions map through it
            PLACES[tasks[i].shown] = linted.book
    return results


def run(tasks: list, todo: list, workers: int):
    """(FileLint here, its JSON from a worker; the paths looked at; whether the run's bound cut its
    search) of the tasks ``todo``, in order."""
    from convcalc import limits

    if workers <= 1:
        limits.run_left = limits.LINT_RUN_STEPS
        try:
            for i in todo:
                yield lint_task(tasks[i])
        finally:
            limits.run_left = None
        return
    import multiprocessing

    from convcalc.load import is_notebook, is_python

    if any(is_python(tasks[i].shown) or is_notebook(tasks[i].shown) for i in todo):
        import convcalc.frontends.python.models  # noqa: F401  (once here, not once per forked worker)
        import convcalc.lint.model  # noqa: F401
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(workers, initializer=worker_start, initargs=(limits.LINT_RUN_STEPS // workers,)) as pool:
        # tasks in chunks of up to 16 (a few per worker's share at least): one message a task cost 2,000
        # small files 0.4 s of CPU in pipes and pickling
        chunk = max(1, min(16, len(todo) // (workers * 8)))
        yield from pool.imap(encoded_task, [tasks[i] for i in todo], chunksize=chunk)
