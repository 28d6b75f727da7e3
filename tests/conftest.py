"""Shared fixtures: a quick-tier context and the loaded registry."""
from __future__ import annotations

import pytest

from checks.registry import Context, load_all


@pytest.fixture(scope="session")
def registry():
    return load_all()


@pytest.fixture
def ctx() -> Context:
    return Context(seed=0, tier="quick", dps=50)
