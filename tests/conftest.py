"""Shared fixtures: a quick-tier context and the loaded registry."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

from checks.context import Context
from checks.discovery import load_all

# On CI the property tests draw the same examples every run (a failure there is reproducible, never a flake);
# locally they explore new ones (and hypothesis's database replays any failure it found).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def registry():
    return load_all()


@pytest.fixture
def ctx() -> Context:
    return Context(seed=0, tier="quick", dps=50)
