"""A progress bar on stderr for long work, drawn only on a terminal and only once the work has
taken a second (a pipe or a CI log gets nothing)."""
from __future__ import annotations

import sys
import time

PROGRESS_DELAY = 1.0  # seconds before the bar appears


class Progress:
    """A bar on stderr, drawn only on a terminal and only once a run has taken a second."""

    def __init__(self, total: int, stream=None, delay: float = PROGRESS_DELAY, clock=time.monotonic, width: int = 30,
                 force: bool = False, what: str = "verify"):
        self.total = max(total, 1)
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.clock = clock
        self.width = width
        self.start = clock()
        self.drawn = False
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = force or bool(isatty and isatty())

    def update(self, done: int, label: str = "") -> None:
        if not self.enabled or self.clock() - self.start < self.delay:
            return
        fraction = min(max(done / self.total, 0.0), 1.0)
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.what} [{bar}] {fraction:4.0%} {label}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
