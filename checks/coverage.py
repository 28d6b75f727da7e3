"""Coverage of the inventory (``shared/claims.json``) by the registry's entries."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from checks.registry import Claim


def load_inventory(path: Path) -> list[dict[str, str]]:
    """Read the inventory: a JSON list of {key, paper, label, section, kind, statement, tier_hint, area}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(x, dict) and "key" in x for x in data):
        raise ValueError(f"{path} is not an inventory: expected a JSON list of objects with a 'key'")
    return data


def coverage(claims: Iterable[Claim], inventory: list[dict[str, str]]) -> dict[str, dict[str, list[str]]]:
    """Per paper, the inventory keys covered and uncovered, and registry keys unknown to the inventory."""
    covered = {k for c in claims for k in c.keys}
    known = {x["key"] for x in inventory}
    out: dict[str, dict[str, list[str]]] = {}
    for item in inventory:
        entry = out.setdefault(item["paper"], {"covered": [], "uncovered": []})
        entry["covered" if item["key"] in covered else "uncovered"].append(item["key"])
    unknown = sorted(covered - known)
    if unknown:
        out["(not in inventory)"] = {"covered": unknown, "uncovered": []}
    return out


def coverage_text(cov: dict[str, dict[str, list[str]]], inventory: list[dict[str, str]]) -> str:
    """Human-readable coverage listing: counts per paper and the uncovered keys with their area."""
    area = {x["key"]: x.get("area", "?") for x in inventory}
    lines = []
    total = sum(len(v["covered"]) + len(v["uncovered"]) for k, v in cov.items() if not k.startswith("("))
    done = sum(len(v["covered"]) for k, v in cov.items() if not k.startswith("("))
    lines.append(f"inventory coverage: {done}/{total} keys")
    for paper, v in cov.items():
        if paper.startswith("("):
            lines.append(f"{paper}: {', '.join(v['covered'])}")
            continue
        n = len(v["covered"]) + len(v["uncovered"])
        lines.append(f"{paper}: {len(v['covered'])}/{n} covered")
        for key in v["uncovered"]:
            lines.append(f"  uncovered [{area[key]}] {key}")
    return "\n".join(lines)


def inventory_path() -> Path | None:
    """The inventory ``shared/claims.json`` beside the checkout, if present."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "shared" / "claims.json", here / "shared" / "claims.json"):
        if candidate.is_file():
            return candidate
    return None
