"""The whole quick tier runs through the command line as `make check` runs it: no check crashes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_tier_runs_without_crashes(tmp_path, registry):
    report = tmp_path / "quick.json"
    out = subprocess.run([sys.executable, "-m", "checks", "--tier", "quick", "--jobs", "2", "--format", "json",
                          "--output", str(report)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    doc = json.loads(report.read_text())
    quick = {c.id for c in registry.values() if c.tier == "quick"}
    assert {c["id"] for c in doc["claims"]} == quick
    crashed = [(c["id"], c["summary"]) for c in doc["claims"] if "the check raised" in c["summary"]
               or "worker running the check failed" in c["summary"]]
    assert not crashed, crashed
    assert sum(doc["tally"].values()) == len(quick)
