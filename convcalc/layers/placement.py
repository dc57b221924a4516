"""Where the batch stands in a tensor whose shape convcalc keeps per sample.

convcalc's shapes are one sample's: the full tensor's sizes without the batch. Most tensors
carry the batch first, and their shape is a plain tuple. Sequence code moves it: an
``nn.LSTM`` without ``batch_first`` takes (L, N, H), a CRNN's ``permute(2, 0, 1)`` makes
(W, N, C), and a view may fold positions into the batch (``x.view(-1, 16, C)`` runs a network
per segment: a batch of N*k). Such a shape is a :class:`Placed` tuple: the same per-sample
sizes, with ``batch`` the full tensor's axis of the batch (None: a tensor without one, an
attention mask of L x S) and ``fold`` the factor the batch is multiplied by there.
"""
from __future__ import annotations

from convcalc.symbolic import dims

# the batch's size where an operation runs on a tensor's full sizes (engine/batch.py lifts shapes so)
BATCH_NAME = "\u2115"
N = dims.sym(BATCH_NAME)


class Placed(tuple):
    """A per-sample shape whose batch is not simply first: ``batch`` its full-tensor axis (or
    None), ``fold`` the known factor the batch is multiplied by (N*fold)."""

    batch = 0
    fold = 1

    def __new__(cls, items=(), batch=0, fold=1):
        made = super().__new__(cls, items)
        made.batch, made.fold = batch, fold
        return made

    def __reduce__(self):
        return (Placed, (tuple(self), self.batch, self.fold))

    def __repr__(self):
        return f"Placed({tuple(self)!r}, batch={self.batch!r}, fold={self.fold!r})"


def placement(shape) -> tuple:
    """(the batch's full-tensor axis or None, its fold factor) of a shape; a plain tuple: (0, 1)."""
    return getattr(shape, "batch", 0), getattr(shape, "fold", 1)


def placed(shape, batch=0, fold=1) -> tuple:
    """``shape`` with its batch at ``batch`` folded by ``fold``: a plain tuple when first and whole."""
    if batch == 0 and (fold == 1 or fold is None):
        return tuple(shape)
    return Placed(shape, batch, fold)


def full_axes(shape) -> int:
    """How many dims the full tensor has: the sample's, and the batch's when it has one."""
    return len(shape) + (0 if getattr(shape, "batch", 0) is None else 1)


def same_placement(a, b) -> bool:
    return placement(a) == placement(b)
