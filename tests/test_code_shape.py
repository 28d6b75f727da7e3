"""The shape the layout promises: no module of checks/, numerics/ or derivations/ (generated files aside) over
800 lines, no function over 80 lines, and every claim module inside a paper package."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80


def modules() -> list[Path]:
    return [p for folder in ("checks", "numerics", "derivations") for p in sorted((ROOT / folder).rglob("*.py"))
            if "generated" not in p.parts]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_are_small(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_claims_live_in_paper_packages(registry):
    for claim in registry.values():
        assert claim.check.__module__.startswith(f"checks.papers.{claim.paper}."), claim.id
