"""Tests of the hb_nag hypothesis classes (issue 16): the flow claims draw their instances from the class the
statement quantifies over, a 10–20 % perturbation of a formula is REFUTED on drawn instances with a shrunk
counterexample, and the experiments' verdicts survive their settings (a reduced instance never refutes; a
disagreement in some cells is INCONCLUSIVE; one in every cell at the paper's size over 5 seeds is REFUTED)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from checks.context import Context
from checks.papers.hb_nag import theorem3 as T3
from checks.papers.hb_nag.hypotheses import (
    BIASES,
    FlowDraw,
    check_on_flows,
    draw_etas,
    draw_instance,
    flow_strategy,
)
from checks.papers.hb_nag.momentum_gap import ETA_SETTINGS, fig3a_at
from checks.papers.hb_nag.order_checks import trajectory_order
from checks.papers.hb_nag.residuals import res_eq20, res_prop4
from checks.papers.hb_nag.settings_robust import SKIPPED, robust_experiment
from checks.runner import run_claim
from checks.sensitivity import Setting
from checks.verdict import Result, Verdict, refuted
from numerics import hb_nag as N

CONFIRMED, REFUTED, INCONCLUSIVE = Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE
#: find() settings: the same draws every run
FIND = settings(database=None, derandomize=True, max_examples=1000)


@pytest.fixture
def qctx() -> Context:
    return Context(seed=0, tier="quick", claim="hb_nag.prop4")


# --- the classes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", BIASES)
def test_draws_stay_in_their_class(bias):
    for draw in (find(flow_strategy(bias), lambda d: d.mu > 0.8, settings=FIND),
                 find(flow_strategy(bias), lambda d: d.n >= 4, settings=FIND)):
        inst = draw_instance(draw)
        assert 0 < draw.mu < 1 and draw.n < draw.d and inst.X.shape == (draw.n, draw.d)
        assert np.all(inst.xi > 0)
        if bias == "unbiased":
            assert np.array_equal(inst.u0, inst.v0)
        if bias == "biased":
            assert not np.array_equal(np.abs(inst.u0), np.abs(inst.v0))


def test_draws_go_beyond_the_experiment_defaults():
    seen = find(st.lists(flow_strategy("any"), min_size=30, max_size=30),
                lambda ds: any(d.method == "nag" for d in ds) and any(d.mu > 0.7 for d in ds)
                and any(np.any(draw_instance(d).u0 < 0) for d in ds), settings=FIND)
    assert len(seen) == 30


def test_etas_keep_alpha_in_the_asymptotic_range():
    draw = FlowDraw(seed=1, n=3, d=5, mu=0.9, scale=0.3, bias=0.0, method="hb")
    alphas = [N.flow_alpha("hb", e, 0.9) for e in draw_etas(draw)]
    assert np.allclose(alphas, [N.flow_alpha("hb", e, 0.5) for e in (0.01, 0.005, 0.0025, 0.00125)])


def test_bad_bias_is_named():
    with pytest.raises(ValueError, match="bias must be one of"):
        flow_strategy("slightly")


# --- the flow claims on drawn instances ----------------------------------------------------------------------
def test_prop4_holds_on_its_class_and_a_perturbed_coefficient_is_refuted(qctx):
    res = check_on_flows("Prop. 4", "unbiased", T3.check_prop4, qctx)
    assert res.verdict is CONFIRMED and res.evidence["instances"] >= 5

    def perturbed(p, inst, xibar_scale=True):  # −∂L/(1−μ) with a coefficient 15 % too large
        return res_prop4(p, inst, xibar_scale) + 0.15 * p.grad_integral / (1 - p.mu)

    bad = check_on_flows("Prop. 4 perturbed", "unbiased", lambda cases: T3.check_prop4(cases, perturbed), qctx)
    assert bad.verdict is REFUTED
    assert {"seed", "n", "d", "mu", "method"} <= set(bad.counterexample)
    assert "minimal counterexample" in bad.summary


def test_eq20_velocity_off_by_12_percent_is_refuted(qctx):
    def perturbed(p, inst):
        gu, gv = p.forces
        return np.concatenate([p.alpha * (p.ud + 1.12 * gu / (1 - p.mu)), p.alpha * (p.vd + 1.12 * gv / (1 - p.mu))],
                              axis=1)

    ok = check_on_flows("eq. (20)", "any", lambda cases: trajectory_order("eq. (20)", cases, res_eq20), qctx)
    bad = check_on_flows("eq. (20) perturbed", "any", lambda cases: trajectory_order("eq. (20)", cases, perturbed),
                         qctx)
    assert ok.verdict is CONFIRMED and bad.verdict is REFUTED and bad.counterexample


def test_theorem3_corrected_linear_term_scaled_by_15_percent_is_refuted(qctx):
    def scaled(inst, alpha, mu):
        return 1.15 * T3.r_corrected(inst, alpha, mu)

    bad = check_on_flows("Theorem 3, R scaled", "biased", lambda cases: T3.check_limit("T3", cases, scaled), qctx,
                         needs_limit=True)
    assert bad.verdict is REFUTED and bad.counterexample


def test_prop4_record_carries_basis_class_and_instances(registry):
    rec = run_claim(registry["hb_nag.prop4"], Context(seed=0, tier="quick"))
    assert rec.result.verdict is CONFIRMED and rec.result.evidence["instances"] >= 5
    c = registry["hb_nag.prop4"]
    assert c.basis == "reconstructed" and "u(0) = v(0)" in c.hypothesis_class.words


def test_every_hb_nag_entry_has_a_basis(registry):
    ours = [c for c in registry.values() if c.paper == "hb_nag"]
    assert len(ours) >= 60 and all(c.basis for c in ours)
    assert "for all t ≥ 0" not in registry["hb_nag.property4"].statement


# --- settings-robust experiment verdicts --------------------------------------------------------------------
def fake(refuting_seeds: set[int]):
    def evaluate(ctx: Context, point: dict) -> Result:
        if ctx.seed in refuting_seeds:
            return refuted("gap grows", counterexample={"seed": ctx.seed})
        return Result(Verdict.CONFIRMED, "gap shrinks", {})
    return evaluate


SETTINGS = (Setting("grid", (1, 2, 3), ((1, 2, 3), (1, 2)), "test"),)


def test_a_disagreement_in_some_cells_is_inconclusive():
    res = robust_experiment("fake", Context(seed=0, tier="full"), fake({1, 3}), SETTINGS)
    assert res.verdict is INCONCLUSIVE and "sensitivity" in res.evidence
    cells = [c for row in res.evidence["sensitivity"] for c in row["cells"]]
    assert len(res.evidence["seeds"]) == 5 and len(cells) == 10


def test_a_disagreement_in_every_cell_at_paper_size_over_five_seeds_is_refuted():
    res = robust_experiment("fake", Context(seed=0, tier="full"), fake(set(range(5))), SETTINGS)
    assert res.verdict is REFUTED and len(res.evidence["seeds"]) >= 5 and res.evidence["at_paper_size"]


def test_a_reduced_quick_instance_never_refutes():
    res = robust_experiment("fake", Context(seed=0, tier="quick"), fake({0}), SETTINGS)
    assert res.verdict is INCONCLUSIVE and "smaller than the paper's" in res.summary


def test_cells_after_a_disagreement_are_not_computed():
    calls = []

    def evaluate(ctx: Context, point: dict) -> Result:
        calls.append(ctx.seed)
        return fake({0})(ctx, point)

    res = robust_experiment("fake", Context(seed=0, tier="full"), evaluate, SETTINGS)
    assert res.verdict is INCONCLUSIVE and calls == [0, 1]
    skipped = [c for row in res.evidence["sensitivity"] for c in row["cells"] if c["verdict"] == "INCONCLUSIVE"]
    assert len(skipped) == 8 and SKIPPED


def test_fig3a_refuted_on_the_quick_instance_is_inconclusive(ctx):
    res = robust_experiment("Fig. 3(a)", ctx, fig3a_at, ETA_SETTINGS)
    assert res.evidence["default_cell"]["verdict"] == "REFUTED" and res.verdict is INCONCLUSIVE


# --- gradient flow and Prop. 5 on drawn instances -----------------------------------------------------------------
def test_prop2_corrected_linear_term_off_by_15_percent_is_refuted(qctx):
    from checks.papers.hb_nag.gradient_flow import check_gf_bias
    from checks.papers.hb_nag.hypotheses import check_on_gradient_flows
    from numerics.generated import hb_nag as G

    def run(r_of):
        return check_on_gradient_flows("Prop. 2", "biased", lambda inst, path: check_gf_bias(inst, path, r_of), qctx,
                                       400.0)

    assert run(G.r_gf_corrected).verdict is CONFIRMED
    bad = run(lambda th0, xi: 1.15 * G.r_gf_corrected(th0, xi))
    assert bad.verdict is REFUTED and bad.counterexample


def test_prop5_corrected_coefficient_off_by_15_percent_is_refuted(qctx):
    from checks.papers.hb_nag.proposition5 import on_orthogonal
    from numerics.generated import hb_nag as G

    assert on_orthogonal(G.phi_prop5_corrected, qctx).verdict is CONFIRMED
    bad = on_orthogonal(lambda sx2, n, mu, q: 1.15 * G.phi_prop5_corrected(sx2, n, mu, q), qctx)
    assert bad.verdict is REFUTED and {"seed", "n", "d", "mu"} <= set(bad.counterexample)


def test_sec33_gradient_term_off_by_15_percent_is_refuted_on_drawn_points():
    from checks.papers.hb_nag.remarks import R_POINTS, check_sec33
    from checks.sampling import check_class
    from numerics.generated import hb_nag as G

    ctx = Context(seed=0, tier="quick", claim="hb_nag.sec3-3.biased")

    def r_shifted(th0, xi, a, g0, mu):  # R^GF plus 1.15× the O(α) term: still O(α), so (i) holds; R^GF off by 15 %
        return 1.15 * G.r_gf_corrected(th0, xi) + (G.r_corrected(th0, xi, a, g0, mu) - G.r_gf_corrected(th0, xi))

    ok = check_class("§3.3", R_POINTS, lambda p: check_sec33(G.r_corrected, G.r_gf_corrected, p), ctx)
    bad = check_class("§3.3", R_POINTS, lambda p: check_sec33(r_shifted, G.r_gf_corrected, p), ctx)
    assert ok.verdict is CONFIRMED and ok.evidence["instances"] >= 5
    assert bad.verdict is REFUTED and {"theta0", "xi", "grad0", "mu"} <= set(bad.counterexample)


def test_order_fit_with_budget_widens_by_what_the_budget_can_explain_only():
    from checks.papers.hb_nag.order_checks import budget_slope_error, order_fit_with_budget

    hs = [0.01, 0.005, 0.0025, 0.00125]
    near = [1e-4 * h ** 2 / 0.01 ** 2 * (1 + 0.02 * np.log(h / 0.01)) for h in hs]  # slopes a little below 2
    assert budget_slope_error(hs, near, 0.0) == 0.0 and budget_slope_error(hs, near, 1e-3) == float("inf")
    assert order_fit_with_budget("t", hs, near, 2.0, 1e-8).verdict is CONFIRMED
    first = [1e-4 * h / 0.01 for h in hs]
    assert order_fit_with_budget("t", hs, first, 2.0, 1e-12).verdict is REFUTED
    assert order_fit_with_budget("t", hs, first, 2.0, 0.9 * min(first)).verdict is INCONCLUSIVE


def test_single_layer_projection_of_a_12_percent_shrunk_start_is_refuted():
    from checks.papers.hb_nag import gradient_flow as GF
    from checks.sampling import check_class

    ctx = Context(seed=0, tier="quick", claim="hb_nag.sec1.single_layer")

    def run(predict):
        return check_class("§1", GF.LINEAR_PROBLEMS, lambda d_: GF.check_single_layer(
            d_.problem(), predict, d_.step, d_.mu, (d_.method,)), ctx)

    assert run(GF.projection_onto_interpolators).verdict is CONFIRMED
    bad = run(lambda X, y, b0: GF.projection_onto_interpolators(X, y, 0.88 * b0))
    assert bad.verdict is REFUTED and {"n", "d", "b0scale", "method"} <= set(bad.counterexample)
