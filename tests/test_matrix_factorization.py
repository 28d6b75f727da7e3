"""Tests of the matrix-factorisation paper's checks: each paper version gets its verdict, and a perturbed
formula or instance gets REFUTED (the REFUTED claims are also shown to confirm on an instance where they hold)."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.papers.matrix_factorization import (
    beyond,
    conservation,
    experiments,
    instances,
    regularised,
    riccati,
    symmetric,
)
from checks.papers.matrix_factorization.hypotheses import Draw
from checks.papers.matrix_factorization.instances import regularised_point
from checks.runner import run_claim
from checks.verdict import Verdict
from derivations import conservation_laws as CL
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G

P, OK, R, INC = Verdict.PROVED, Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- registry --------------------------------------------------------------------------------------------
def test_refuted_claims_name_their_corrections(registry):
    for cid, corr in [("matrix_factorization.prop3.constant_positive", "matrix_factorization.prop3.constant_sign"),
                      ("matrix_factorization.eq58", "matrix_factorization.eq58.corrected"),
                      ("matrix_factorization.eq55", "matrix_factorization.eq55.corrected")]:
        assert registry[corr].corrects == (cid,) and registry[cid].corrected_by == (corr,)


# --- §2 --------------------------------------------------------------------------------------------------
def test_eq4():
    assert symmetric.check_eq4().verdict is P
    assert symmetric.check_eq4(lambda y, z: y + (z - y) * sp.exp(-2 * D.t)).verdict is R


def test_psd_linear():
    assert symmetric.check_psd_linear(rng(), 4).verdict is OK
    assert symmetric.check_psd_linear(rng(), 4, solution=lambda t, y, z: z - t * y).verdict is R


def test_eq5():
    assert symmetric.check_eq5().verdict is P
    assert symmetric.check_eq5(rhs=lambda Y, X: 2 * Y * X + 2 * X * Y - 2 * X * X, sizes=((2, 2),)).verdict is R


def test_rank_preservation():
    assert symmetric.check_rank_preservation(rng(), 4, 6, 2, 2).verdict is OK
    assert symmetric.check_rank_preservation(rng(), 4, 6, 2, 1).verdict is R


def test_prop1():
    assert symmetric.check_prop1(rng(), 3, 4, 30, symbolic=False).verdict is OK
    bad = lambda Y, X0, ts, form="prop1", dps=30: N.riccati_closed_form(Y, X0, [2 * t for t in ts], form, dps)  # noqa: E731
    assert symmetric.check_prop1(rng(), 3, 4, 30, closed=bad, symbolic=False).verdict is R


@pytest.mark.slow
def test_prop1_symbolic():
    assert symmetric.check_prop1(rng(), 3, 4, 30).verdict is OK


def test_cor1_closed_form():
    assert symmetric.check_cor1_closed_form(rng(), 3, 4).verdict is OK
    bad = lambda t, s, s0: s0 * s * sp.exp(2 * t * s) / (s + s0 * (sp.exp(2 * t * s) - 1))  # noqa: E731
    assert symmetric.check_cor1_closed_form(rng(), 3, 4, first=bad).verdict is R


def test_cor1_convergence_and_acceleration():
    assert symmetric.check_cor1_convergence(rng(), 4, 50).verdict is OK
    # a bound: a slower claimed rate holds, a 15 % faster one is refuted
    assert symmetric.check_cor1_convergence(rng(), 4, 50, claimed_rate=lambda s: 2 * np.abs(s).min()).verdict is OK
    assert symmetric.check_cor1_convergence(rng(), 4, 50, claimed_rate=lambda s: 4.6 * np.abs(s).min()).verdict is R
    assert symmetric.check_acceleration_symmetric(rng(), 50).verdict is OK
    assert symmetric.check_acceleration_symmetric(rng(), 50, factor=2.0).verdict is R


def test_prop2_and_remark():
    assert symmetric.check_prop2(rng(), 3, 50).verdict is OK
    assert symmetric.check_prop2(rng(), 3, 50, claimed_rate=lambda s: 4.6 * np.abs(s).min()).verdict is R
    assert symmetric.check_prop2_remark().verdict is P
    assert symmetric.check_prop2_remark(lambda s, s0: 1 + s0 / sp.Abs(s)).verdict is R


def test_app_a():
    assert riccati.check_lemma6(rng(), 3, 50).verdict is OK
    assert riccati.check_lemma6(rng(), 3, 50, x2_sign=-1.0).verdict is R
    assert riccati.check_app_a_29_32().verdict is P
    assert riccati.check_app_a_29_32(coupling=2).verdict is R
    assert riccati.check_well_posedness(rng(), 4).verdict is OK
    bad = lambda t, s: (np.exp(2 * t * s), -(np.exp(4 * t * s) - 1) / s)  # noqa: E731
    assert riccati.check_well_posedness(rng(), 4, factors=bad).verdict is R
    # a wrong factor that keeps the inequality (e^{4t/s} for e^{4ts}) is caught by the quadrature cross-check
    weak = lambda t, s: (np.exp(2 * t * s), (np.exp(4 * t / s) - 1) / s)  # noqa: E731
    assert riccati.check_well_posedness(rng(), 4, factors=weak).verdict is INC


def test_app_c():
    assert riccati.check_app_c_33_34().verdict is P
    assert riccati.check_app_c_33_34(projection=lambda s: s).verdict is R
    assert riccati.check_app_c_uniqueness(rng(), 4).verdict is OK
    assert riccati.check_app_c_uniqueness(rng(), 4, target=lambda Y: np.zeros_like(Y)).verdict is R
    assert riccati.check_app_c_40_42(rng(), 4, 50).verdict is OK
    bad = lambda Y, X0, ts, form, dps: N.riccati_closed_form(Y, X0, [1.1 * t for t in ts], form, dps)  # noqa: E731
    assert riccati.check_app_c_40_42(rng(), 4, 50, second=bad).verdict is R
    assert riccati.check_app_c_43_46(rng(), 3, 50).verdict is OK
    assert riccati.check_app_c_43_46(rng(), 3, 50, coefficient=-2.0).verdict is R


# --- §3 --------------------------------------------------------------------------------------------------
def test_eq11_and_gauge():
    assert conservation.check_eq11(rng(), 2, 3, 4).verdict is OK
    assert conservation.check_eq11(rng(), 2, 3, 4, quantity=lambda U, V: U.T @ U + V.T @ V).verdict is R
    assert conservation.check_gauge(rng(), 2, 3, 4).verdict is OK
    other_gauge = lambda Q: N.random_orthogonal(rng(9), Q.shape[0])  # noqa: E731
    assert conservation.check_gauge(rng(), 2, 3, 4, gauge=other_gauge).verdict is R


def test_prop3():
    d = Draw(seed=0, m=2, n=3, k=4)
    assert conservation.check_prop3_closed_form(d, symbolic=False).verdict is OK
    bad = lambda s, l0, x0: 2 * G.prop3_constant(s, l0, x0)  # noqa: E731
    assert conservation.check_prop3_closed_form(d, constant=bad, symbolic=False).verdict is R
    d = Draw(seed=0, m=2, n=3, k=3)
    assert conservation.check_prop3_rate(d).verdict is OK
    assert conservation.check_prop3_rate(d, claimed_rate=lambda s, l0: 2 * s).verdict is R


def test_prop3_constant_sign_finding():
    # the paper's "C > 0" fails as soon as the start is above the target (x0 > σ) ...
    assert conservation.check_prop3_constant_positive([(1.0, 1.0, 2.0)]).verdict is R
    # ... and holds below it
    assert conservation.check_prop3_constant_positive([(1.0, 1.0, 0.5), (0.7, 0.3, -0.4)]).verdict is OK
    # an evaluation of (51) that disagrees with the independent float64 one decides nothing (mutation-run gap)
    def radicand_mutated(s, l0, z):  # (51) with 4λ0²σ² -> 4λ0³σ² in the radicand
        return (-l0 ** 2 - 4 * s * z + mpmath.sqrt(l0 ** 4 + 4 * l0 ** 3 * s ** 2 + 4 * l0 ** 2 * z ** 2
                                                   + 16 * s ** 2 * z ** 2)) / (4 * l0 ** 2 * (s - z))
    assert conservation.check_prop3_constant_positive([(1.0, 0.5, 2.0)], constant=radicand_mutated).verdict is INC
    assert conservation.check_prop3_constant_sign().verdict is P
    bad = lambda s, l0, z: D.paper_prop3_constant(s, l0, z) * 2  # noqa: E731
    assert conservation.check_prop3_constant_sign(bad).verdict is R


@settings(max_examples=25, deadline=None)
@given(s=st.floats(0.1, 3), l0=st.floats(0.05, 3), f=st.floats(-2, 4).filter(lambda f: abs(f - 1) > 1e-3))
def test_constant_sign_matches_correction(s, l0, f):
    """C has the sign of σ − x0 (the corrected statement), on random instances."""
    c_ = G.prop3_constant(s, l0, f * s)
    assert np.sign(c_) == np.sign(s - f * s) or abs(c_) < 1e-12


def test_table2_and_app_d():
    assert conservation.check_table2().verdict is OK
    assert conservation.check_table2(rate=lambda s, l0: 2 * s).verdict is R
    assert conservation.check_app_d().verdict is P
    assert conservation.check_app_d(v_sign=-1).verdict is R


# --- §4 --------------------------------------------------------------------------------------------------
def test_eq18_prop4():
    assert regularised.check_eq18().verdict is P
    assert regularised.check_eq18(coef=1).verdict is R
    assert regularised.check_prop4_equivalence().verdict is P
    assert regularised.check_prop4_equivalence(sp.Rational(1, 4)).verdict is R
    assert regularised.check_prop4_invariance(rng(), 2, 3, 4).verdict is OK
    assert regularised.check_prop4_invariance(rng(), 2, 3, 4, perturb=0.5).verdict is R


def test_eq58_finding():
    point = regularised_point(rng(), 2, 3, 4)
    assert regularised.check_eq58(regularised.PRINTED_58, point).verdict is R
    assert regularised.check_eq58(regularised.CORRECTED_58, point).verdict is OK


def test_eq58_entries_share_their_point(registry, ctx):
    """Printed and corrected (58) draw the same points: the first one the printed form fails at is the first one the
    corrected form holds at."""
    printed, corrected = (run_claim(registry[cid], ctx).result.evidence["drawn instances"]
                          for cid in ("matrix_factorization.eq58", "matrix_factorization.eq58.corrected"))
    first = {k: v for k, v in corrected["per_instance"][0].items() if k in printed["first_found"]}
    assert first == printed["first_found"]


@pytest.mark.slow
def test_eq58_symbolic():
    point = regularised_point(rng(), 2, 3, 4)
    assert regularised.check_eq58(regularised.CORRECTED_58, point, symbolic_key="(58) corrected").verdict is OK
    assert regularised.check_eq58(regularised.PRINTED_58, point, symbolic_key="(58) printed").verdict is R


def test_weight_remark():
    assert regularised.check_weight_remark().verdict is P
    assert regularised.check_weight_remark(sp.Rational(1, 4)).verdict is R


def test_prop5():
    assert regularised.check_prop5_reduction(rng(), 2, 3, 6, 30).verdict is OK
    bad = lambda Sb, P0, ts, dps=30: N.rflow_closed_form(2 * Sb, P0, ts, dps)  # noqa: E731
    assert regularised.check_prop5_reduction(rng(), 2, 3, 6, 30, closed=bad).verdict is R
    assert regularised.check_eq21_gradient().verdict is P
    assert regularised.check_eq21_gradient(sp.Rational(1, 4)).verdict is R
    assert regularised.check_prop5_rate(rng(), 2, 3, 6, 50).verdict is OK
    triple = lambda s, l0, sq: 3 * (float(G.prop3_rate(s.min(), l0)) if sq else abs(l0))  # noqa: E731
    assert regularised.check_prop5_rate(rng(), 2, 3, 6, 50, claimed=triple).verdict is R


def test_eq55_finding_and_spectrum():
    assert regularised.check_eq55(lambda m, n: m + n).verdict is R
    assert regularised.check_eq55(lambda m, n: n).verdict is P
    assert regularised.check_sbar_spectrum(rng(), 2, 3).verdict is OK
    assert regularised.check_sbar_spectrum(rng(), 2, 3, half=1.0).verdict is R


def test_eq22():
    assert regularised.check_eq22(rng(), 2, 3, 8).verdict is OK
    assert regularised.check_eq22(rng(), 2, 3, 8, claimed_bound=lambda m, n: m).verdict is R


# --- §5 experiments ----------------------------------------------------------------------------------------
def test_fig1_setting():
    assert experiments.check_fig1_setting(rng(), {1e-2: 0.02, 1e-1: 1.83}, 200).verdict is OK
    assert experiments.check_fig1_setting(rng(), {1e-1: 50.0}, 200).verdict is R


def test_fig1():
    assert experiments.check_fig1a(rng(), 3, 5, 20, 1e-2, 1e-3, 20000).verdict is OK
    assert experiments.check_fig1a(rng(), 3, 5, 20, 1e-2, 1e-3, 20000, claimed_order="smallest first").verdict is R
    assert experiments.check_fig1bc(rng(), 3, 5, 20, 1e-3, 20000).verdict is OK
    assert experiments.check_fig1bc(rng(), 3, 5, 20, 1e-3, 20000, sds=(1.0, 1e-1, 1e-2)).verdict is R


def test_fig2_reading():
    # under the 2%-of-range reading the curves differ visibly on the small instance (not confirmed); a loose reading
    # confirms and a strict one refutes
    inst = experiments.fig2_instance(rng(), 3, 5, 20, 0.1)
    assert experiments.check_fig2(inst, threshold=0.02).verdict in (R, INC)
    assert experiments.check_fig2(inst, threshold=0.5).verdict is OK
    assert experiments.check_fig2(inst, threshold=1e-4).verdict is R
    assert experiments.check_fig2(inst, threshold=0.5, aggregate="mean").verdict is OK


def test_fig3():
    assert experiments.check_fig3(rng(), 100, 5, 30, 300.0).verdict is OK
    # against a more imbalanced reference the 4.6 run is the slower one
    assert experiments.check_fig3(rng(), 100, 5, 30, 300.0, reference_q_norm=40.0).verdict is R


def test_same_product_factorisation():
    B = rng(1).standard_normal((3, 6))
    U, V = experiments.imbalanced_same_product(B, rng(2).standard_normal(6), 4.6)
    assert np.allclose(U @ V.T, B @ B.T) and abs(np.linalg.norm(N.gram_difference(U, V), 2) - 4.6) < 1e-9


# --- App. G and beyond ------------------------------------------------------------------------------------
def test_app_g():
    assert beyond.check_app_g_63().verdict is P
    assert beyond.check_app_g_63(rate=2).verdict is R
    assert beyond.check_app_g_64(rng()).verdict is OK
    assert beyond.check_app_g_64(rng(), continuous_rate=lambda s: 2 * s).verdict is R


def test_gd_drift_and_heavy_ball():
    assert beyond.check_gd_drift(rng(), 2, 3, 4).verdict is OK
    assert beyond.check_gd_drift(rng(), 2, 3, 4, expected=2.0).verdict is R
    assert beyond.check_heavy_ball(rng(), 2, 3, 4).verdict is OK
    assert beyond.check_heavy_ball(rng(), 2, 3, 4, expected_order=2.0).verdict is R


def test_conservation_counts():
    assert beyond.check_conservation_counts(instances.MODELS_QUICK, rng()).verdict is OK
    naive = lambda kind, size: size if kind in ("uv", "sq") else size[2] * (size[2] + 1) // 2  # noqa: E731
    assert beyond.check_conservation_counts(instances.MODELS_QUICK, rng(), known=naive).verdict is R


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (1, 2, 3), (2, 2, 3), (1, 1, 3)])
def test_lie_count_matches_symbolic_count(m, n, k):
    model = CL.matrix_product(m, n, k)
    lie = N.lie_algebra(N.uv_generators(m, n, k), rng(m + n + k).integers(-5, 6, (m + n) * k))
    assert lie.laws == CL.independent_law_count(model) == N.gram_law_count(m, n, k)
    assert all(e == 0 for e in CL.conservation_residuals(model))


# --- numerics validation -------------------------------------------------------------------------------------
def test_validation_errors():
    with pytest.raises(ValueError, match="eta"):
        N.gd_two_layer(np.eye(2), np.eye(2), np.eye(2), -1.0, 10)
    with pytest.raises(ValueError, match="form"):
        N.riccati_closed_form(np.eye(2), np.eye(2), [0.0], form="other")
    with pytest.raises(ValueError, match="spectrum"):
        N.symmetric_with_spectrum(rng(), [1.0, float("nan")])


def test_closed_forms_agree_with_each_other():
    Y, _ = N.symmetric_with_spectrum(rng(), [1.0, -0.5, 0.3])
    X0 = np.diag([0.2, 0.5, 0.1])
    import mpmath

    a = N.riccati_closed_form(Y, X0, [0.7], "prop1", 40)[0]
    b = N.riccati_closed_form(Y, X0, [0.7], "stable", 40)[0]
    with mpmath.workdps(40):
        assert float(N.mp_fro(a - b)) < 1e-30
