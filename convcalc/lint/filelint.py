"""What linting one file found (FileLint): made by the file's lint (onefile.py), kept in the cache
(cache.py), reported by the runner."""
from __future__ import annotations


class FileLint:
    """What linting one file found: findings, notes (shown with -v), notices (shown, never a
    finding), the models checked, those followed partly, those not followed at all."""

    def __init__(self):
        self.findings: list = []
        self.notes: list = []
        self.notices: list = []
        self.checked = 0
        self.partly: list = []  # (model name, its CC301 error)
        self.unfollowed: list = []  # (model or class name, its CC301 / CC302 error)
        self.used: set = set()  # (real path, class name) of every class the file's models built
        self.module_stop = None  # CC301: where module-level code stopped being followed
        self.sources: dict = {}  # path -> text of the other files its models were read from
        self.book = None  # a notebook (frontends/notebook.Notebook): its messages are placed in their cells
        self.text = None  # what was linted, when it is not the file's text (a notebook's module)
        # the file's layer constructions: how many, (line, col, why) of those no followed model reached,
        # and (real path, line, col) of the constructions of other files its models reached
        self.constructions = 0
        self.unreached: list = []
        self.reached_elsewhere: set = set()

    def __iter__(self):  # findings, notes, models checked: unpacks as the triple it once was
        return iter((self.findings, self.notes, self.checked))
