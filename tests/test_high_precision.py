"""The ``*.high_precision`` entries (checks/high_precision.py and checks/papers/<paper>/high_precision.py): each twin
gives REFUTED when a constant of its formula is off by 10–20 %, reports ≥ 30 digits on a cheap instance, and carries
the float64 entry's inventory keys. Twins of MGF, the HB flow (17) and smoothed sign descent take seconds to
minutes per instance and are marked slow."""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np
import pytest

from checks import discovery
from checks.context import Context
from checks.high_precision import gauss_legendre, integral, solve_pair
from checks.papers.hb_nag import high_precision as HB
from checks.papers.matrix_factorization import high_precision as MF
from checks.papers.momentum_dln import high_precision as MD
from checks.papers.sign_descent import high_precision as SD
from checks.verdict import Result, Verdict
from numerics.taylor.systems import mf_system

#: working digits of the tests that ask for ≥ 30 digits, and of the perturbation tests (any precision refutes them)
DPS, DPS_PERTURBED = 40, 20

MF_INST = MF.MFInstance(7, 2, 2, 2, 0.7)
MF_ASYM = MF.MFInstance(7, 2, 3, 2, 0.7)
GD_INST = SD.SignInstance(11, 2, 3, 0.4, 0.1)
SSD_INST = SD.SignInstance(11, 1, 3, 0.4, 0.1)
HB1_INST = HB.HBInstance(5, 2, 0.7, 0.6, 0.0)
HB2_INST = HB.HBInstance(5, 1, 0.7, 0.6, 0.1)
MGF_INST = MD.MGFInstance(0, 1, 2, 0.25, 0.5)  # no zero crossing (MD.screened)

Case = tuple[Callable[[int], Result], Callable[[int], Result]]

CHEAP: dict[str, Case] = {
    "matrix_factorization.eq11": (lambda d: MF.check_eq11_hp(MF_ASYM, d),
                                  lambda d: MF.check_eq11_hp(MF_ASYM, d, weight=1.15)),
    "matrix_factorization.prop1": (lambda d: MF.check_riccati_hp(MF_INST, d, MF.closed_form("prop1"), "(6)"),
                                   lambda d: MF.check_riccati_hp(MF_INST, d, MF.closed_form("prop1", 1.15), "(6)")),
    "matrix_factorization.eq40to42": (
        lambda d: MF.check_riccati_hp(MF_INST, d, MF.closed_form("stable"), "(41)"),
        lambda d: MF.check_riccati_hp(MF_INST, d, MF.closed_form("stable", 0.85), "(41)")),
    "matrix_factorization.eq5": (lambda d: MF.check_eq5_hp(MF_INST, d),
                                 lambda d: MF.check_eq5_hp(MF_INST, d, quadratic=4.6)),
    "matrix_factorization.eq63": (lambda d: MF.check_eq63_hp((0.8, 0.25), d),
                                  lambda d: MF.check_eq63_hp((0.8, 0.25), d, rate_factor=1.15)),
    "sign_descent.eq10": (lambda d: SD.check_eq10_hp(GD_INST, d), lambda d: SD.check_eq10_hp(GD_INST, d, rate=4.6)),
    "sign_descent.sec3-2": (lambda d: SD.check_low_dim_hp(GD_INST, d),
                            lambda d: SD.check_low_dim_hp(GD_INST, d, scale=1.15)),
    "hb_nag.prop2": (lambda d: HB.check_prop2_hp(HB1_INST, d), lambda d: HB.check_prop2_hp(HB1_INST, d, quarter=0.29)),
    "hb_nag.prop5": (lambda d: HB.check_phi_rate_hp(HB1_INST, d),
                     lambda d: HB.check_phi_rate_hp(HB1_INST, d, coefficient=2.3)),
}

EXPENSIVE: dict[str, Case] = {
    "momentum_dln.prop4": (lambda d: MD.check_prop4_hp(MGF_INST, d),
                           lambda d: MD.check_prop4_hp(MGF_INST, d, factor=1.15)),
    "momentum_dln.eq21to23": (lambda d: MD.check_eq21_hp(MGF_INST, d),
                              lambda d: MD.check_eq21_hp(MGF_INST, d, factor=0.85)),
    "momentum_dln.eq14": (lambda d: MD.check_eq14_hp(MGF_INST, d),
                          lambda d: MD.check_eq14_hp(MGF_INST, d, dissipation=1.15)),
    "momentum_dln.eq17": (lambda d: MD.check_eq17_hp(MGF_INST, d),
                          lambda d: MD.check_eq17_hp(MGF_INST, d, ratio_factor=1.15)),
    "momentum_dln.appC-2": (lambda d: MD.check_xi_sinh_hp(MGF_INST, d),
                            lambda d: MD.check_xi_sinh_hp(MGF_INST, d, sinh_factor=1.15)),
    "sign_descent.eq12to13": (lambda d: SD.check_eq13_hp(SSD_INST, d),
                              lambda d: SD.check_eq13_hp(SSD_INST, d, rate=4.6)),
    "sign_descent.sec3-3-1": (lambda d: SD.check_product_hp(SSD_INST, d),
                              lambda d: SD.check_product_hp(SSD_INST, d, coefficient=4.6)),
    "sign_descent.prop3-6": (lambda d: SD.check_prop36_hp(SSD_INST, d),
                             lambda d: SD.check_prop36_hp(SSD_INST, d, power=0.575)),
    "hb_nag.property4": (lambda d: HB.check_property4_hp(HB2_INST, d),
                         lambda d: HB.check_property4_hp(HB2_INST, d, coefficient=2.3)),
    "hb_nag.eq23": (lambda d: HB.check_eq23_hp(HB2_INST, d), lambda d: HB.check_eq23_hp(HB2_INST, d, g_factor=1.15)),
}


def assert_high_precision(res: Result) -> None:
    assert res.verdict is Verdict.CONFIRMED, res.summary
    assert res.evidence["digits"] >= 30, res.evidence
    assert res.evidence["error_estimate"] < 1e-30


@pytest.mark.parametrize("name", sorted(CHEAP))
def test_cheap_twin_holds_to_30_digits_and_refutes_a_perturbed_constant(name: str) -> None:
    good, bad = CHEAP[name]
    assert_high_precision(good(DPS))
    res = bad(DPS_PERTURBED)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.counterexample


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPENSIVE))
def test_expensive_twin_holds_to_30_digits_and_refutes_a_perturbed_constant(name: str) -> None:
    good, bad = EXPENSIVE[name]
    assert_high_precision(good(DPS))
    res = bad(DPS_PERTURBED)
    assert res.verdict is Verdict.REFUTED, res.summary


def test_every_twin_is_tested_full_tier_printed_and_keyed_like_its_float64_entry() -> None:
    registry = discovery.load_all()
    twins = {cid for cid in registry if cid.endswith(".high_precision")}
    assert {c.rsplit(".", 1)[0] for c in twins} == set(CHEAP) | set(EXPENSIVE)
    assert len(twins) >= 15
    float64 = {"hb_nag.prop2": "hb_nag.prop2.corrected", "hb_nag.prop5": "hb_nag.prop5.corrected",
               "momentum_dln.appC-2": "momentum_dln.appC-2.xi_sinh",
               "sign_descent.sec3-2": "sign_descent.sec3-2.low_dim",
               "sign_descent.sec3-3-1": "sign_descent.sec3-3-1.product"}
    for cid in twins:
        twin = registry[cid]
        base = cid.rsplit(".", 1)[0]
        # a twin rests on what its float64 entry rests on: the printed text, or the same reading of lost text
        # Property 4's twin checks the exact O(η²) remainder along (17), not the reading of its time range
        if cid != "hb_nag.property4.high_precision":
            assert twin.tier == "full" and twin.basis == registry[float64.get(base, base)].basis, cid
        assert twin.basis in ("printed", "reconstructed") and twin.hypothesis_class is not None, cid
        assert set(twin.keys) == set(registry[float64.get(base, base)].keys), cid


def test_registered_entry_reports_digits_at_the_top_of_its_evidence() -> None:
    claim = discovery.load_all()["matrix_factorization.eq63.high_precision"]
    res = claim.check(Context(tier="full", dps=40, claim=claim.id))
    assert res.verdict is Verdict.CONFIRMED, res.summary
    assert res.evidence["instances"] == 3 and res.evidence["digits"] >= 30 and res.evidence["dps"] == 40


def test_gauss_legendre_integrates_along_a_run_to_the_working_precision() -> None:
    xs, ws = gauss_legendre(24, 40)
    with mpmath.workdps(40):
        assert abs(mpmath.fsum(w * x ** 9 for x, w in zip(xs, ws)) - mpmath.mpf(1) / 10) < mpmath.mpf(10) ** -38
    # U' = 2(σ − U²)U, X = U²: ∫₀ᵗ 4X(σ − X) = X(t) − X(0) (X' = 4σX − 4X²)
    run = solve_pair(mf_system(np.array([[0.8]]), 1, True), [0.25], (0.0, 0.5, 1.0), 40)
    res = run.first
    vals = integral(run, res, lambda s, w: 4 * w["U"] ** 2 * (mpmath.mpf(0.8) - w["U"] ** 2), (0.0, 0.5, 1.0),
                    ("U",))
    with mpmath.workdps(40):
        X = run.blocks(res, "U")[:, 0] ** 2
        for i in range(3):
            value = np.asarray(vals[i], dtype=object).reshape(-1)[0]  # ∫₀⁰ is a plain 0
            assert abs(value - (X[i] - X[0])) < mpmath.mpf(10) ** -35


def test_an_unfinished_solve_is_not_a_verdict_on_the_claim() -> None:
    res = MF.check_eq11_hp(MF_ASYM, DPS_PERTURBED)
    assert res.verdict is Verdict.CONFIRMED
    from checks import high_precision as H

    run = solve_pair(mf_system(np.eye(2), 2, True), [0.5, 0.0, 0.0, 0.5], (0.0, 1.0), 20, seconds=1e-9)
    out = H.decide("x", run, lambda r, s: np.zeros(1, dtype=object), lambda r, s: 1, 20, {})
    assert out.verdict is Verdict.INCONCLUSIVE


def test_an_mgf_instance_through_a_zero_crossing_is_discarded_not_decided() -> None:
    from checks.sampling import is_inapplicable

    crossing = MD.MGFInstance(3, 1, 2, 0.3, 0.6)  # w± crosses zero on [0, 4] (float64 screen)
    assert MD.smallest_weight_ratio(crossing) <= 0
    assert is_inapplicable(MD.check_prop4_hp(crossing, DPS_PERTURBED))
