"""Hypothesis classes of the continuous-time momentum_dln claims (issue 16): every entry has its basis, the numeric
ones draw >= 5 instances from their class, and formulas perturbed by 10-20 % are refuted on drawn instances with a
shrunk counterexample."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import checks.discovery as discovery
from checks.context import Context
from checks.papers.momentum_dln import balancedness as B
from checks.papers.momentum_dln import crossings as CR
from checks.papers.momentum_dln import gradient_flow as GF
from checks.papers.momentum_dln import hypotheses_flow as H
from checks.papers.momentum_dln import mgf_identities as ID
from checks.papers.momentum_dln import mirror_flow as MI
from checks.registry import REGISTRY
from checks.sampling import check_class, is_inapplicable
from checks.verdict import Result
from checks.verdict import Verdict as V
from numerics import hyperbolic_entropy as HE

SCOPE = ("gradient_flow", "mirror_flow", "mgf_bias", "mgf_identities", "small_lambda", "entropy", "balancedness",
         "crossings")


@pytest.fixture(scope="module")
def ctx():
    return Context(seed=0, tier="quick", claim="momentum_dln.test_classes")


def scope_claims():
    discovery.load_all()
    return [c for c in REGISTRY.values()
            if c.paper == "momentum_dln" and c.check.__module__.rsplit(".", 1)[-1] in SCOPE]


def test_every_entry_has_its_basis_and_numeric_ones_a_class():
    claims = scope_claims()
    assert len(claims) >= 56
    for c in claims:
        assert c.basis in ("printed", "reconstructed", "settings"), c.id
    symbolic_only = {"momentum_dln.eq12to13", "momentum_dln.eq17", "momentum_dln.lemma5", "momentum_dln.lemma4",
                     "momentum_dln.lemma4.corrected", "momentum_dln.poster3.entropy_small_scale",
                     "momentum_dln.poster3.entropy_large_scale", "momentum_dln.appC-3-2.parity_limit",
                     "momentum_dln.appC-3-2.parity_limit_corrected", "momentum_dln.sec3.gf_balancedness",
                     "momentum_dln.sec3-4.gf_mirror_flow", "momentum_dln.appC-5.ratio",
                     "momentum_dln.appC-5.ratio_corrected"}
    drawn = [c for c in claims if c.tier == "quick" and c.id not in symbolic_only]
    assert all(c.hypothesis_class is not None for c in drawn), [c.id for c in drawn if c.hypothesis_class is None]
    assert REGISTRY["momentum_dln.poster4.gf_reference"].basis == "reconstructed"
    assert "radical" in REGISTRY["momentum_dln.poster4.gf_reference"].reconstruction


@settings(max_examples=30, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(H.GENERAL.strategy)
def test_general_instances_are_inside_the_papers_assumptions(inst):
    u0, v0 = inst.u0v0()
    assert inst.n < inst.d and np.all(np.abs(u0 ** 2 - v0 ** 2) > 0)
    assert H.LAMBDA_RANGE[0] <= inst.lam <= H.LAMBDA_RANGE[1]


def test_classes_draw_beyond_the_experiment_defaults():
    """Negative and centred data means, mixed signs, |v₀| > |u₀| and θ₀ ≠ 0 all occur among the draws."""
    seen = []

    def record(inst):
        seen.append(inst)
        return Result(V.CONFIRMED, "ok", {})

    check_class("record", H.GENERAL, record, Context(tier="full", claim="momentum_dln.test_classes"), examples=40)
    assert any(i.mu < 0 for i in seen) and any(i.mu > 0.5 for i in seen)
    assert any(-1 in i.signs for i in seen) and any(any(i.swaps) for i in seen)
    assert any(np.any(np.abs(np.prod(i.u0v0(), axis=0)) > 0) for i in seen)
    assert len({i.d for i in seen}) > 2


def test_positive_class_discards_runs_that_cross_zero(ctx):
    inst = H.FlowInstance(0, 4, 6, 2, 1.0, 0.05, (1.0,) * 6, (1,) * 6, (0.0,) * 6, (False,) * 6, 2000.0,
                          lam_is_fraction=True)  # λ far above Prop. 3's bound: these weights cross zero
    res = H.run_or_inapplicable(ctx.seed, inst, True)
    assert not isinstance(res, type(H.drawn_run(ctx.seed, inst, False))) and is_inapplicable(res)


def _refuted_with_counterexample(res):
    assert res.verdict is V.REFUTED, res.summary
    assert res.counterexample and "data_seed" in res.counterexample and "first_found" in res.evidence
    return res


def test_perturbed_sign_of_xi_refuted_on_drawn_runs(ctx):
    """∇Φ_t(θ_t) = 0.85·ξ_t (15 % off App. C.2's identity) fails on the drawn runs."""
    _refuted_with_counterexample(H.check_pool("∇Φ_t(θ_t) = 0.85 ξ_t", H.GENERAL, H.per_run(
        ctx, False, lambda run: MI.check_grad_potential_along(run, ctx, sign=0.85)), ctx))


def test_poster_I_with_a_15_percent_factor_refuted(ctx):
    good = H.check_pool("I± = λ∫(ẇ/w)²", H.POSITIVE, H.per_run(ctx, True, lambda run: B.check_poster_I(run, ctx, 1.0)),
                        ctx)
    assert good.verdict is V.CONFIRMED and good.evidence["instances"] >= 5
    _refuted_with_counterexample(H.check_pool("I± = 1.15 λ∫(ẇ/w)²", H.POSITIVE, H.per_run(
        ctx, True, lambda run: B.check_poster_I(run, ctx, 1.15)), ctx))


def test_eq20_with_I_scaled_by_1_15_refuted(ctx):
    def scaled(T):  # ln Δ∞ = ln Δ₀ − 1.15 (I₊ + I₋)
        d = T.run.d
        i = T.omega + CR.lambda_19(T)
        return np.log(np.abs(T.w0[:d] * T.w0[d:])) - 1.15 * (i[:d] + i[d:])

    _refuted_with_counterexample(H.check_pool("eq. (20) with 1.15 I", H.CROSSING, CR.per_crossing_terms(
        ctx, lambda T: CR.check_eq20(T, ctx, scaled)), ctx))


def test_prop2_with_a_15_percent_shorter_effective_initialisation_refuted(ctx):
    def one(inst, factor):
        data = inst.data(ctx.seed)
        return GF.check_prop2_instance(data.X, data.y, np.array(inst.a), np.array(inst.b), inst.lam,
                                       lambda th, v, lam: GF.projection_onto_S(data.X, data.y, th + factor * lam * v))

    assert check_class("Prop. 2", H.LEAST_SQUARES, lambda i: one(i, 1.0), ctx).verdict is V.CONFIRMED
    res = check_class("Prop. 2 (0.85 λ)", H.LEAST_SQUARES, lambda i: one(i, 0.85), ctx)
    assert res.verdict is V.REFUTED and "data_seed" in res.counterexample


def test_eq7_with_a_15_percent_constant_refuted(ctx):
    def one(inst, factor):
        return GF.check_small_scale_equivalence(
            inst.data(ctx.seed).theta_star, np.array(inst.a), np.array(inst.b), GF.SMALL_ALPHAS, "eq7",
            lambda ts, dl, ref: (HE.bregman(ts, ref, dl), factor * HE.psi(ts, dl)))

    assert check_class("eq. (7)", H.SCALE_UNITS, lambda i: one(i, 1.0), ctx).verdict is V.CONFIRMED
    res = check_class("eq. (7) × 1.15", H.SCALE_UNITS, lambda i: one(i, 1.15), ctx)
    assert res.verdict is V.REFUTED and "data_seed" in res.counterexample


def test_lemma6_drawn_and_with_a_15_percent_integral_refuted(ctx):
    assert check_class("Lemma 6", H.LEMMA6, ID.check_lemma6_instance, ctx).verdict is V.CONFIRMED
    res = check_class("Lemma 6 (∫f = −0.85∫g)", H.LEMMA6,
                      lambda inst: ID.check_lemma6_instance(inst, integral_factor=0.85), ctx)
    assert res.verdict is V.REFUTED and "forcings_a_omega_c" in res.counterexample


def test_footnote2_on_drawn_ties_and_a_broken_tie(ctx):
    inst = H.TieInstance(H.default_instance(0.3, theta0_zero=False), (0,), (1,))
    u0, v0 = inst.u0v0()
    data = H.drawn_data(ctx.seed, inst.base)
    assert GF.check_footnote2(data, 0.3, u0, v0, inst.plus, inst.minus).verdict is V.CONFIRMED
    v0[0] *= 1 + 1e-9
    assert GF.check_footnote2(data, 0.3, u0, v0, inst.plus, inst.minus).verdict is V.REFUTED


def test_delta_inf_monotone_settings_verdict():
    """A failure on some λ grids only is INCONCLUSIVE; on every grid, every one of 5 seeds, at paper size REFUTED;
    with one seed at most INCONCLUSIVE."""
    from checks.papers.momentum_dln import small_lambda as SL
    lams = SL.SMALL_LAMBDAS
    good = {lam: np.full(3, 1.0 - lam) for lam in lams}
    partial = {**good, lams[0]: np.full(3, 2.0)}  # only grids containing the largest λ see an increase
    rising = {lam: np.full(3, 1.0 + lam) for lam in lams}
    assert SL.check_monotone_settings(lambda s: good, (0,), at_paper_size=False).verdict is V.CONFIRMED
    res = SL.check_monotone_settings(lambda s: partial, tuple(range(5)), at_paper_size=True)
    assert res.verdict is V.INCONCLUSIVE and "sensitivity" in res.evidence
    assert SL.check_monotone_settings(lambda s: rising, tuple(range(5)), at_paper_size=True).verdict is V.REFUTED
    assert SL.check_monotone_settings(lambda s: rising, (0,), at_paper_size=True).verdict is V.INCONCLUSIVE


def test_full_tier_checks_the_quick_draws_first(ctx):
    """A counterexample among the quick tier's draws refutes in the full tier too (its draws come first)."""
    full = Context(seed=0, tier="full", claim="momentum_dln.test_classes")
    res = H.check_pool("∇Φ_t(θ_t) = 0.85 ξ_t", H.GENERAL, H.per_run(
        full, False, lambda run: MI.check_grad_potential_along(run, full, sign=0.85)), full)
    quick = H.check_pool("∇Φ_t(θ_t) = 0.85 ξ_t", H.GENERAL, H.per_run(
        ctx, False, lambda run: MI.check_grad_potential_along(run, ctx, sign=0.85)), ctx)
    assert res.verdict is V.REFUTED and res.counterexample == quick.counterexample


def test_projections_approach_min_l1_and_a_reversed_order_is_refuted():
    from checks.papers.momentum_dln import entropy as EN
    inst = H.DataInstance(3, 4, 7, 2, 1.0, (0.0,) * 7, (0.0,) * 7, 1.0)
    assert EN.check_projections_approach_l1(inst.data(0), EN.ENTROPY_SCALES).verdict is V.CONFIRMED
    assert EN.check_projections_approach_l1(inst.data(0), EN.ENTROPY_SCALES[::-1][1:]).verdict is V.REFUTED
