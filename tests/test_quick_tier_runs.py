"""The whole quick tier runs through the command line as `make check` runs it: no check crashes, every record has
a basis and an instance count, and each claim gets the verdict and basis recorded in tests/data/quick_verdicts.json
(``python tests/quick_verdicts.py REPORT.json`` rewrites it after a reviewed change)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks.registry import BASES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from quick_verdicts import expected, verdicts_of  # noqa: E402


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory) -> dict:
    report = tmp_path_factory.mktemp("quick") / "quick.json"
    out = subprocess.run([sys.executable, "-m", "checks", "--tier", "quick", "--jobs", "2", "--seed", "0",
                          "--format", "json", "--output", str(report)], cwd=ROOT, capture_output=True, text=True,
                         timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(report.read_text())


def test_quick_tier_runs_without_crashes(quick_report, registry):
    doc = quick_report
    quick = {c.id for c in registry.values() if c.tier == "quick"}
    assert {c["id"] for c in doc["claims"]} == quick
    crashed = [(c["id"], c["summary"]) for c in doc["claims"] if "the check raised" in c["summary"]
               or "worker running the check failed" in c["summary"]]
    assert not crashed, crashed
    assert sum(doc["tally"].values()) == len(quick)


def test_every_record_has_a_basis_and_an_instance_count(quick_report):
    missing = [c["id"] for c in quick_report["claims"] if c.get("basis") not in BASES or "instances" not in c]
    assert not missing, f"records without a basis in {BASES} or without 'instances': {missing}"


#: Claims whose quick-tier verdict is known to flip between CONFIRMED and INCONCLUSIVE with rounding-level changes of
#: one drawn instance (memory alignment of numpy's SIMD loops differs with what the process imported): on the NAG
#: instance with mu = 0.9 (seed 541) the extrapolated order of Theorem 3's corrected form sits at the edge of its
#: confidence interval. Either verdict is accepted; REFUTED never is. A defect of the order rule, listed in the
#: closing note of the session that found it.
ROUNDING_SENSITIVE = {"hb_nag.theorem3.corrected": {"CONFIRMED", "INCONCLUSIVE"}}


def differs(cid: str, want: dict | None, got: dict | None) -> bool:
    """Whether a measured verdict and basis differ from the recorded ones (within ROUNDING_SENSITIVE's allowance)."""
    if want is None or got is None or want["basis"] != got["basis"]:
        return want != got
    allowed = ROUNDING_SENSITIVE.get(cid, {want["verdict"]})
    return got["verdict"] not in allowed


def test_each_quick_claim_gets_its_recorded_verdict_and_basis(quick_report):
    got, want = verdicts_of(quick_report), expected()
    changed = {cid: (want.get(cid), got.get(cid)) for cid in set(got) | set(want)
               if differs(cid, want.get(cid), got.get(cid))}
    assert not changed, ("verdicts or bases differ from tests/data/quick_verdicts.json (recorded, measured): "
                         f"{changed}")
