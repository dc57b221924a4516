"""Shared test set-up.

Tests marked ``oracle`` compare convcalc with torch itself. Without torch they are
skipped, except with CONVCALC_REQUIRE_ORACLE=1 (CI), where a missing torch fails the run.
"""
import importlib.util
import os
import sys

import pytest

# the shared helpers (tests/support/) import by their plain names from any test directory
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))

HAVE_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_ORACLE = os.environ.get("CONVCALC_REQUIRE_ORACLE") == "1"


def pytest_collection_modifyitems(config, items):
    if HAVE_TORCH:
        return
    oracle_items = [item for item in items if "oracle" in item.keywords]
    if oracle_items and REQUIRE_ORACLE:
        raise pytest.UsageError(
            f"CONVCALC_REQUIRE_ORACLE=1 but torch is not installed ({len(oracle_items)} oracle tests cannot run); "
            "pip install -e '.[oracle]'"
        )
    for item in oracle_items:
        item.add_marker(pytest.mark.skip(reason="torch is not installed (pip install -e '.[oracle]')"))


@pytest.fixture
def torch():
    """The torch module, seeded; oracle tests take it as a fixture."""
    import torch as _torch

    _torch.manual_seed(0)
    return _torch
