"""Find the claims: import every paper package under :mod:`checks.papers` (their modules register entries with
:func:`checks.registry.claim`) and complete the registry (derived ``corrected_by``)."""
from __future__ import annotations

import importlib
import pkgutil

from checks.registry import REGISTRY, Claim, derive_corrections


def load_all() -> dict[str, Claim]:
    """Import every module of every package in :mod:`checks.papers` and return the completed registry."""
    import checks.papers as pkg

    for info in sorted(pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."), key=lambda m: m.name):
        importlib.import_module(info.name)
    return derive_corrections(REGISTRY)
