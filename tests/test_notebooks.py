"""Every notebook executes without error (outputs are not saved by the test)."""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path) -> None:
    import sys

    sys.path.insert(0, str(path.parent))
    from execute import execute

    execute(path, save=False)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "the notebooks folder holds no notebook"
