"""The verdict model's decision rules."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.verdict import (
    REFUTE_FACTOR,
    Result,
    Verdict,
    combine,
    fit_order,
    from_errors,
    from_order_fit,
    from_threshold,
    inconclusive,
    jsonable,
    proved,
)


def test_from_errors_three_outcomes():
    assert from_errors("x", [1e-12, 5e-13], 1e-11).verdict is Verdict.CONFIRMED
    assert from_errors("x", [1e-12, 2e-11], 1e-11).verdict is Verdict.INCONCLUSIVE
    res = from_errors("x", [1e-12, 1e-8], 1e-11, instances=[{"seed": 1}, {"seed": 2}])
    assert res.verdict is Verdict.REFUTED and res.counterexample["seed"] == 2


def test_from_errors_rejects_bad_tolerance_and_handles_nan():
    with pytest.raises(ValueError, match="tol"):
        from_errors("x", [1.0], 0.0)
    assert from_errors("x", [float("nan")], 1.0).verdict is Verdict.INCONCLUSIVE
    assert from_errors("x", [], 1.0).verdict is Verdict.INCONCLUSIVE


def test_from_threshold_uses_numerical_error_not_the_threshold():
    assert from_threshold("d", [0.005], 0.01, [1e-9]).verdict is Verdict.CONFIRMED
    assert from_threshold("d", [0.02], 0.01, [1e-9]).verdict is Verdict.REFUTED
    assert from_threshold("d", [0.0101], 0.01, [1e-3]).verdict is Verdict.INCONCLUSIVE
    with pytest.raises(ValueError):
        from_threshold("d", [0.1], 0.01, [])


@given(st.floats(0.5, 4.0), st.floats(0.1, 10.0))
def test_fit_order_recovers_exact_power_laws(p, c):
    hs = [2.0 ** -j for j in range(2, 8)]
    fit = fit_order(hs, [c * h ** p for h in hs])
    assert math.isclose(fit.order, p, rel_tol=1e-9, abs_tol=1e-9)


def test_order_fit_decisions():
    hs = [2.0 ** -j for j in range(2, 8)]
    errs = [h ** 2 for h in hs]
    assert from_order_fit("o", hs, errs, 2).verdict is Verdict.CONFIRMED
    assert from_order_fit("o", hs[::-1], errs[::-1], 2).verdict is Verdict.CONFIRMED  # any order of h
    # exact data: a claimed order 10-20 % off, or off by one, is refuted
    for wrong in (1, 1.6, 1.8, 2.2, 2.3, 3):
        assert from_order_fit("o", hs, errs, wrong).verdict is Verdict.REFUTED, wrong
    with pytest.raises(ValueError, match="at least 4"):
        fit_order(hs[:3], errs[:3])
    with pytest.raises(ValueError, match="distinct"):
        fit_order([0.1, 0.1, 0.05, 0.01], [1.0, 1.0, 0.5, 0.1])


def test_order_fit_allows_for_the_pre_asymptotic_drift():
    hs = [2.0 ** -j for j in range(2, 6)]
    errs = [h ** 2 * (1 + 2 * h) for h in hs]  # local slopes 2.29, 2.17, 2.09 creep down to 2
    fit = fit_order(hs, errs)
    assert fit.order > 2.15 and fit.asymptotic_order - 2 < fit.uncertainty
    res = from_order_fit("o", hs, errs, 2)
    assert res.verdict is Verdict.CONFIRMED and res.evidence["ci95"][0] < res.evidence["fitted_order"]
    assert from_order_fit("o", hs, errs, 1).verdict is Verdict.REFUTED


def test_order_fit_too_loose_to_decide_is_inconclusive():
    rng = np.random.default_rng(1)
    hs = [2.0 ** -j for j in range(2, 7)]
    errs = [h ** 2 * math.exp(rng.normal(0, 0.8)) for h in hs]
    res = from_order_fit("o", hs, errs, 2)
    assert res.evidence["uncertainty"] >= 0.5 and res.verdict is Verdict.INCONCLUSIVE


def test_order_fit_as_an_upper_bound():
    hs = [2.0 ** -j for j in range(2, 8)]
    assert from_order_fit("o", hs, [h ** 3 for h in hs], 2, bound=True).verdict is Verdict.CONFIRMED
    assert from_order_fit("o", hs, [h ** 3 for h in hs], 2).verdict is Verdict.REFUTED
    assert from_order_fit("o", hs, [h for h in hs], 2, bound=True).verdict is Verdict.REFUTED


def test_threshold_reports_slack_and_flip_point():
    ok = from_threshold("d", [0.004, 0.007], 0.01, [1e-6, 1e-6])
    assert ok.verdict is Verdict.CONFIRMED
    assert math.isclose(ok.evidence["slack"], 0.01 - 0.007001) and math.isclose(
        ok.evidence["holds_for_thresholds_from"], 0.007001)
    bad = from_threshold("d", [0.029], 0.02, [1e-6])
    assert bad.verdict is Verdict.REFUTED and bad.evidence["slack"] < 0


def test_combine_and_json():
    p = proved("a", zero="0")
    c = Result(Verdict.CONFIRMED, "b")
    assert combine("ab", {"a": p, "b": p}).verdict is Verdict.PROVED
    assert combine("ab", {"a": p, "b": c}).verdict is Verdict.CONFIRMED
    assert combine("ab", {"a": c, "b": inconclusive("why")}).verdict is Verdict.INCONCLUSIVE
    r = from_errors("x", [1.0], 1e-6, instances=[{"seed": 3}])
    out = combine("all", {"x": r, "y": c})
    assert out.verdict is Verdict.REFUTED and out.counterexample["seed"] == 3
    json.dumps(out.to_dict())
    import numpy as np
    assert jsonable({"a": np.float64(1.5), "b": np.arange(2), "c": float("inf")}) == {"a": 1.5, "b": [0, 1], "c": "inf"}


def test_refute_factor_is_far_beyond_error():
    assert REFUTE_FACTOR >= 100


def test_order_bound_mode_accepts_faster_decay():
    hs = [2.0 ** -j for j in range(2, 8)]
    errs = [h ** 3 for h in hs]
    assert from_order_fit("o", hs, errs, 2).verdict is Verdict.REFUTED
    assert from_order_fit("o", hs, errs, 2, bound=True).verdict is Verdict.CONFIRMED
    assert from_order_fit("o", hs, [h for h in hs], 2, bound=True).verdict is Verdict.REFUTED
