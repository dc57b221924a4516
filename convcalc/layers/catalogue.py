"""The whole catalogue: importing this module registers every family's layers, and the rest of
convcalc looks layers up here."""
from __future__ import annotations

from typing import Optional

from convcalc.errors import close_matches
from convcalc.layers import activation, conv, dense, fold, norm, pool, resample  # noqa: F401  (they register)
from convcalc.layers.registry import REGISTRY, LayerSpec


def lookup(name: str) -> Optional[LayerSpec]:
    return REGISTRY.get(name)


def close_names(name: str, extra=()) -> list[str]:
    return close_matches(name, list(REGISTRY) + list(extra))
