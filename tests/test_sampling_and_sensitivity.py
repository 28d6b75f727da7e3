"""Hypothesis classes (checks.sampling) and settings-robust verdicts (checks.sensitivity)."""
from __future__ import annotations

import pytest
from hypothesis import strategies as st

from checks.context import Context
from checks.sampling import EXAMPLES, HypothesisClass, check_class, inapplicable
from checks.sensitivity import MIN_SEEDS, Setting, setting_points, settings_verdict
from checks.verdict import Verdict, from_errors, from_threshold, instances_of

SIZES = HypothesisClass("n ∈ [1, 50] and any seed", st.tuples(st.integers(1, 50), st.integers(0, 2**32 - 1)),
                        describe=lambda i: {"n": i[0], "seed": i[1]}, default=(7, 99))
CTX = Context(seed=0, claim="hb_nag.eq1")


def error_growing_past(limit):
    return lambda inst: from_errors("e", [1e-12 * inst[0] if inst[0] <= limit else 1.0], 1e-9)


def test_a_holding_claim_is_confirmed_on_every_drawn_instance():
    res = check_class("c", SIZES, error_growing_past(99), CTX)
    assert res.verdict is Verdict.CONFIRMED
    assert instances_of(res) == EXAMPLES["quick"] + 1  # the paper's default comes on top
    assert res.evidence["per_instance"][0]["n"] == 7 and res.evidence["hypothesis_class"] == SIZES.words
    assert instances_of(check_class("c", SIZES, error_growing_past(99), Context(tier="full", claim="hb_nag.eq1"))) \
        == EXAMPLES["full"] + 1


def test_a_refutation_is_shrunk_to_a_minimal_counterexample():
    res = check_class("c", SIZES, error_growing_past(20), CTX)
    assert res.verdict is Verdict.REFUTED
    assert res.counterexample["n"] == 21 and res.counterexample["seed"] == 0  # minimal
    assert res.evidence["first_found"]["n"] > 20


def test_draws_are_reproducible_from_the_seed_and_the_claim():
    runs = [check_class("c", SIZES, error_growing_past(99), c).evidence["per_instance"]
            for c in (CTX, CTX, Context(seed=1, claim="hb_nag.eq1"), Context(seed=0, claim="hb_nag.eq2"))]
    assert runs[0] == runs[1] and runs[0] != runs[2] and runs[0] != runs[3]


def test_inapplicable_instances_are_discarded_and_crashes_are_undecided():
    res = check_class("c", SIZES, lambda i: inapplicable("odd n") if i[0] % 2 else error_growing_past(99)(i), CTX)
    assert res.verdict is Verdict.CONFIRMED and all(row["n"] % 2 == 0 for row in res.evidence["per_instance"])
    assert res.evidence["instances_inapplicable"] > 0
    crash = check_class("c", SIZES, lambda i: 1 / 0, CTX)
    assert crash.verdict is Verdict.INCONCLUSIVE and "ZeroDivisionError" in crash.summary
    none = check_class("c", SIZES, lambda i: inapplicable("never"), CTX)
    assert none.verdict is Verdict.INCONCLUSIVE and instances_of(none) == 0


def test_a_hypothesis_class_says_what_it_draws():
    with pytest.raises(ValueError, match="words"):
        HypothesisClass(" ", st.integers())
    with pytest.raises(ValueError, match="strategy"):
        HypothesisClass("ints", [1, 2])  # type: ignore[arg-type]


# --- settings ---------------------------------------------------------------------------------------------
SETTINGS = (Setting("threshold", 0.01, (0.005, 0.01, 0.02), "our reading of 'negligible'"),
            Setting("horizon", 10, (5, 20)))


def gap(value_of):
    return lambda point, seed: from_threshold("gap", [value_of(point, seed)], point["threshold"], [1e-9])


def test_setting_points_vary_one_at_a_time():
    pts = setting_points(SETTINGS)
    assert pts[0] == {"threshold": 0.01, "horizon": 10} and len(pts) == 1 + 2 + 2


def test_a_disagreement_everywhere_at_paper_size_on_enough_seeds_refutes():
    seeds = list(range(MIN_SEEDS))
    res = settings_verdict("g", gap(lambda p, s: 0.05 + 0.001 * s), SETTINGS, seeds, at_paper_size=True,
                           measure=lambda r: r.evidence["values"][0] - r.evidence["threshold"])
    assert res.verdict is Verdict.REFUTED and len(res.evidence["sensitivity"]) == 5
    assert res.evidence["sensitivity"][0]["spread"] == pytest.approx(0.004)


@pytest.mark.parametrize("value, seeds, paper_size, word", [
    (lambda p, s: 0.015, range(MIN_SEEDS), True, "depends on the settings"),  # fails only at small thresholds
    (lambda p, s: 0.05, range(MIN_SEEDS - 1), True, "seed"),
    (lambda p, s: 0.05, range(MIN_SEEDS), False, "smaller than the paper's"),
])
def test_otherwise_it_is_inconclusive_with_the_table(value, seeds, paper_size, word):
    res = settings_verdict("g", gap(value), SETTINGS, list(seeds), at_paper_size=paper_size)
    assert res.verdict is Verdict.INCONCLUSIVE and word in res.summary and res.evidence["sensitivity"]


def test_holding_everywhere_confirms():
    res = settings_verdict("g", gap(lambda p, s: 0.001), SETTINGS, [0, 1], at_paper_size=False)
    assert res.verdict is Verdict.CONFIRMED and instances_of(res) == 10
