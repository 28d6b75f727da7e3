"""checks.agreement: the quick/full verdict comparison and its errors."""
import json

import pytest

from checks import agreement


def _report(tier: str, verdicts: dict[str, str], seed: int = 0) -> dict:
    return {"run": {"tier": tier, "seed": seed, "dps": 50, "versions": {}},
            "claims": [{"id": k, "verdict": v, "summary": f"{k} is {v}"} for k, v in verdicts.items()]}


def test_differences_are_found_and_unexplained_ones_fail(tmp_path, monkeypatch, capsys):
    q = _report("quick", {"a.x": "CONFIRMED", "a.y": "PROVED", "a.only_quick": "REFUTED"})
    f = _report("full", {"a.x": "INCONCLUSIVE", "a.y": "PROVED", "a.only_full": "CONFIRMED"})
    diffs, compared = agreement.compare(q, f)
    assert compared == 2 and [d.claim for d in diffs] == ["a.x"]
    (tmp_path / "q.json").write_text(json.dumps(q))
    (tmp_path / "f.json").write_text(json.dumps(f))
    assert agreement.main([str(tmp_path / "q.json"), str(tmp_path / "f.json")]) == 1
    assert "not yet explained" in capsys.readouterr().out
    monkeypatch.setitem(agreement.EXPLAINED, "a.x", "the full-size solve does not converge")
    out = tmp_path / "TIERS.md"
    assert agreement.main([str(tmp_path / "q.json"), str(tmp_path / "f.json"), "--output", str(out)]) == 0
    assert "1 of 2 claims get the same verdict" in out.read_text() and "does not converge" in out.read_text()


def test_a_settings_claim_on_reduced_quick_instances_is_explained_by_the_rule_only_when_it_applies():
    q = _report("quick", {"a.fig": "INCONCLUSIVE", "a.thm": "INCONCLUSIVE", "a.refuted": "REFUTED"})
    f = _report("full", {"a.fig": "REFUTED", "a.thm": "CONFIRMED", "a.refuted": "CONFIRMED"})
    reduced = {"basis": "settings", "evidence": {"at_paper_size": False}}
    q["claims"][0].update(reduced)
    q["claims"][2].update(reduced)  # a quick refutation of a settings claim is never the rule's case
    q["claims"][1].update({"basis": "printed", "evidence": {"at_paper_size": False}})
    f["claims"][0]["evidence"] = {"seeds": [0, 1, 2, 3, 4]}
    diffs = {d.claim: d for d in agreement.compare(q, f)[0]}
    assert "5 seed(s)" in diffs["a.fig"].explanation
    assert diffs["a.thm"].explanation is None and diffs["a.refuted"].explanation is None


@pytest.mark.parametrize("q, f, message", [
    (_report("full", {}), _report("full", {}), "expected 'quick'"),
    (_report("quick", {}), _report("quick", {}), "expected 'full'"),
    (_report("quick", {}, seed=0), _report("full", {}, seed=1), "different seeds"),
])
def test_mismatched_reports_are_rejected(q, f, message):
    with pytest.raises(ValueError, match=message):
        agreement.compare(q, f)


def test_unreadable_report_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert agreement.main([str(bad), str(bad)]) == 2
    assert "not a readable JSON report" in capsys.readouterr().err


def test_two_runs_of_one_tier_compare_through_former_ids(tmp_path, capsys):
    before = _report("quick", {"momentum_dln.figure1_speed": "REFUTED", "hb_nag.eq23": "CONFIRMED"})
    after = _report("quick", {"momentum_dln.fig1.speed": "REFUTED", "hb_nag.eq23": "INCONCLUSIVE"})
    diffs, compared = agreement.compare(before, after, same_tier=True)
    assert compared == 2 and [d.claim for d in diffs] == ["hb_nag.eq23"]
    (tmp_path / "b.json").write_text(json.dumps(before))
    (tmp_path / "a.json").write_text(json.dumps(after))
    assert agreement.main([str(tmp_path / "b.json"), str(tmp_path / "a.json"), "--same-tier"]) == 1
    assert "1 of 2 claims get the same verdict in both runs" in capsys.readouterr().out
    with pytest.raises(ValueError, match="one tier"):
        agreement.compare(before, _report("full", {}), same_tier=True)
