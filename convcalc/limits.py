"""The Python stack that nested blocks need.

Blocks are parsed and walked recursively, about five frames a level, so the 1,000 levels the
language allows (syntax.MAX_BLOCK_DEPTH) need more than Python's default limit of 1,000
frames. The entry points that recurse over blocks raise the limit while they run; the
bounds on nesting keep the real depth far below it.
"""
from __future__ import annotations

import functools
import sys

STACK_FRAMES = 20_000


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
