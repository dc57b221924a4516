"""The process the language server's analyses run in, so that a keystroke can stop one: a
change to a document whose analysis is running kills the process (the walk stops wherever it
is, whatever it is doing), and the next analysis starts a fresh one. An analysis that runs past
its time (convcalc's budgets bound every loop, but a file can be large) is stopped the same way
and said as a note on the document, never a hang.

The processes come from a fork server (multiprocessing's "forkserver" where there is one): a
clean process with convcalc already imported, so that a new worker starts in milliseconds, and
no worker is forked from the server's threads.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Optional

# seconds an analysis may take before it is stopped (CONVCALC_SERVER_TIME_LIMIT sets another)
TIME_LIMIT = 10.0


def time_limit_of_environment() -> float:
    try:
        return max(float(os.environ.get("CONVCALC_SERVER_TIME_LIMIT", TIME_LIMIT)), 0.1)
    except ValueError:
        return TIME_LIMIT


class Stopped(Exception):
    """The analysis was stopped: by a newer change (``cancelled``) or its time limit."""

    def __init__(self, cancelled: bool):
        super().__init__("cancelled" if cancelled else "over time")
        self.cancelled = cancelled


def serve(connection) -> None:
    """The worker's loop: (path, text) in, the document's data (or an error's text) out."""
    from convcalc.server.analysis import analyse_document

    while True:
        try:
            path, text = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", analyse_document(path, text)))
        except Exception as exc:  # a bug of convcalc's: said on the document, the server goes on
            connection.send(("error", f"{type(exc).__name__}: {str(exc)[:300]}"))


def context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        made = multiprocessing.get_context("forkserver")
        made.set_forkserver_preload(["convcalc.server.analysis", "convcalc.lint.runner", "convcalc.lint.onefile",
                                     "convcalc.frontends.python.models", "convcalc.metrics.measure"])
        return made
    return multiprocessing.get_context("spawn")


class Worker:
    """One analysis at a time in a process of its own; ``cancel`` kills the one running."""

    def __init__(self, time_limit: Optional[float] = None):
        self.time_limit = time_limit if time_limit is not None else time_limit_of_environment()
        self.context = context()
        self.lock = threading.Lock()  # one analysis at a time
        self.process = None
        self.connection = None
        self.running: Optional[str] = None  # the document being analysed
        self.cancelled = False

    def start(self) -> None:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        self.process, self.connection = process, mine

    def run(self, path: str, text: str) -> dict:
        """The document's data; Stopped when cancelled or over time; RuntimeError on a worker's bug."""
        with self.lock:
            self.running, self.cancelled = path, False  # from here on, a change to ``path`` stops this run
            try:
                if self.process is None or not self.process.is_alive():
                    self.start()
                if self.cancelled:  # while the process was starting
                    self.kill()
                    raise Stopped(True)
                self.connection.send((path, text))
                if not self.connection.poll(self.time_limit):
                    self.kill()
                    raise Stopped(self.cancelled)
                status, data = self.connection.recv()
            except (EOFError, OSError, ValueError):  # killed by cancel() meanwhile (a closed pipe)
                self.kill()
                raise Stopped(True) from None
            finally:
                self.running = None
        if status != "ok":
            raise RuntimeError(data)
        return data

    def cancel(self, path: str) -> bool:
        """Stop the analysis of ``path`` if it is the one running."""
        if self.running != path:
            return False
        self.cancelled = True
        self.kill()
        return True

    def kill(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.is_alive():
            process.kill()
            process.join(1)
        if self.connection is not None:
            try:
                self.connection.close()
            except OSError:
                pass

    def close(self) -> None:
        self.kill()
