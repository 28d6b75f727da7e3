"""Tests of the hb_nag claims (Lyu et al.): each check gets its verdict on the paper's formula or instance and
REFUTED on a perturbed one; plus the numerics and the generated formulas."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import momenta, seeds

from checks.context import Context
from checks.papers.hb_nag import gradient_flow as GF
from checks.papers.hb_nag import modified_equations as ME
from checks.papers.hb_nag import proposition5 as P5
from checks.papers.hb_nag import remarks as RM
from checks.papers.hb_nag import theorem3 as T3
from checks.papers.hb_nag.comparisons import compare
from checks.papers.hb_nag.instances import (
    EXPERIMENTS,
    FLOWS,
    MU,
    XI_GRID,
    experiment_data,
    flow_cases,
    flow_instance,
    instance,
    orthogonal_instance,
    relu_problem,
    rescaled_gradient_flows,
    single_layer_problem,
    trained,
)
from checks.papers.hb_nag.order_checks import T_SKIP, symbolic_order2, trajectory_order
from checks.papers.hb_nag.properties import check_property4
from checks.papers.hb_nag.relu_network import check_fig6
from checks.papers.hb_nag.residuals import res_eq30
from checks.papers.hb_nag.theta_dynamics import check_eq28_31, eq28_residual
from checks.runner import run_claim
from checks.verdict import Verdict
from derivations import hb_nag as D
from derivations.codegen import GENERATED_DIR, render
from numerics import hb_nag as N
from numerics.generated import hb_nag as G

PROVED, CONFIRMED, REFUTED, INCONCLUSIVE = Verdict.PROVED, Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE

#: Quick-tier verdicts at seed 0 (the report's table). Theorem 3's corrected form is INCONCLUSIVE since it draws from
#: its class (issue 16): on one of the five drawn instances (NAG, μ = 0.7) the mismatch's local slopes, 2.44, 2.28,
#: 2.16, are still falling towards 2 at these η, and the extrapolated order (1.8 ± 0.5) cannot be told from 1 or 2.
EXPECTED = {
    "prop1.hb": PROVED, "prop1.nag": PROVED, "appC-2.alpha": REFUTED, "appC-2.alpha_corrected": PROVED,
    "appC-2.rho": REFUTED, "appC-2.rho_corrected": PROVED, "prop1.order": CONFIRMED, "sec1.single_layer": CONFIRMED,
    "sec3.gf_unbiased": CONFIRMED, "prop2": REFUTED, "prop2.corrected": CONFIRMED, "sec3.q_gf_limits": PROVED,
    "property1": PROVED, "property2": CONFIRMED, "property3": CONFIRMED, "property4": REFUTED,
    "property4.corrected": CONFIRMED, "eq23": CONFIRMED, "eq24to26": PROVED, "eq28to31": CONFIRMED,
    "eq33to34": CONFIRMED, "eq35": CONFIRMED, "eq37to43": PROVED, "eq44": PROVED, "eq45to47": CONFIRMED,
    "eq48": PROVED, "eq50": REFUTED, "eq50.corrected": CONFIRMED, "theorem3": REFUTED,
    "theorem3.corrected": INCONCLUSIVE,
    "theorem3.unbiased": CONFIRMED, "sec3-2.rm": REFUTED, "eq52": REFUTED, "eq52.corrected": PROVED,
    "eq51to52.biased": REFUTED, "prop4": CONFIRMED, "sec3-4.second_order": PROVED, "eq59to63": CONFIRMED,
    "prop5": REFUTED, "prop5.corrected": CONFIRMED, "eq53to58": REFUTED, "theorem3.remark": CONFIRMED,
    "sec3-1.smaller_init": CONFIRMED, "sec3-3.biased": CONFIRMED, "sec3-5.small_lr": CONFIRMED,
    "appD-4.uv_equivalence": CONFIRMED, "appD-5.small_init": PROVED, "appD-5.large_init": PROVED,
    # experiments (basis settings): one seed on the reduced quick instance cannot refute (issue 16)
    "fig1": INCONCLUSIVE, "sec3-2.when_momentum_helps": INCONCLUSIVE, "fig2a": INCONCLUSIVE, "fig2b": INCONCLUSIVE,
    "fig4": INCONCLUSIVE, "fig5": INCONCLUSIVE, "fig3a": INCONCLUSIVE, "fig3b": INCONCLUSIVE, "fig7": CONFIRMED,
    "eq10.sgf": CONFIRMED,
}


# --- registry ---------------------------------------------------------------------------------------
def test_every_quick_claim_gets_its_verdict(registry, ctx):
    ours = {cid: c for cid, c in registry.items() if c.paper == "hb_nag" and c.tier == "quick"}
    assert set(ours) == {f"hb_nag.{k}" for k in EXPECTED}
    got = {cid.split(".", 1)[1]: run_claim(c, ctx).result.verdict for cid, c in sorted(ours.items())}
    # Theorem 3's corrected form flips between CONFIRMED and INCONCLUSIVE with rounding-level differences on one drawn
    # NAG instance (mu = 0.9), whose order uncertainty sits at the rule's 0.5 edge: either is accepted, REFUTED never
    # (tests/test_quick_tier_runs.py, ROUNDING_SENSITIVE).
    if got.get("theorem3.corrected") in (CONFIRMED, INCONCLUSIVE):
        got["theorem3.corrected"] = EXPECTED["theorem3.corrected"]
    assert got == EXPECTED


def test_refuted_entries_name_a_correction(registry, ctx):
    for cid, c in registry.items():
        if c.paper == "hb_nag":
            assert all(registry[t].paper == "hb_nag" for t in c.corrects)
    for name in ("prop2", "theorem3", "eq50", "prop5", "property4", "appC-2.rho"):
        c = registry[f"hb_nag.{name}"]
        assert run_claim(c, ctx).result.verdict == REFUTED and c.corrected_by and set(c.corrected_by) <= set(registry)


def test_inventory_keys_are_ours(registry):
    keys = {k for c in registry.values() if c.paper == "hb_nag" for k in c.keys}
    assert all(k.startswith("hb_nag:") for k in keys) and len(keys) == 48


# --- symbolic checks: paper's formula vs a perturbed one ---------------------------------------------
def test_alpha_perturbed_refuted():
    assert ME.check_alpha("hb", lambda e, m: e * (1 + m) / (2 * (1 - m)) * (1 + e)).verdict == REFUTED
    assert ME.check_alpha("nag", D.paper_alpha_hb).verdict == REFUTED


def test_alpha_restored_perturbed():
    assert ME.check_alpha_restored(D.paper_alpha_nag_c2).verdict == PROVED
    assert ME.check_alpha_restored(lambda e, m: (1 + m) / (2 * (1 - m))).verdict == REFUTED


def test_flows_alpha_checked_at_generic_momentum():
    # η/(2μ² − μ + 1) in place of η(2μ² − μ + 1) agrees at μ = 1/2, where every flow check runs (mutation-run gap)
    swapped = lambda m, e, mu: e / (2 * mu ** 2 - mu + 1) / (2 * (1 - mu))  # noqa: E731
    assert swapped("nag", 0.1, 0.5) == pytest.approx(N.flow_alpha("nag", 0.1, 0.5))
    assert ME.check_alpha("nag", D.paper_alpha_nag, used=swapped).verdict == INCONCLUSIVE
    assert ME.check_alpha("nag", D.paper_alpha_nag).verdict == PROVED


def test_rho_expansion_orders():
    assert ME.check_rho_expansion(2).verdict == PROVED
    assert ME.check_rho_expansion(3).verdict == REFUTED


def test_symbolic_order2_detects_first_order_term():
    assert symbolic_order2("x", {"ok": D.alpha ** 2 * D.u}).verdict == PROVED
    assert symbolic_order2("x", {"bad": D.alpha * D.u}).verdict == REFUTED


def test_eq50_sign():
    assert T3.check_eq50(D.corrected_delta).verdict == PROVED
    assert T3.check_eq50(D.paper_delta_eq50).verdict == REFUTED


def test_r_normalisation():
    assert T3.check_r_normalisation(T3.r_unbiased_corrected).verdict == PROVED
    assert T3.check_r_normalisation(T3.theorem3_r_unbiased).verdict == PROVED
    assert T3.check_r_normalisation(D.paper_r_d5).verdict == REFUTED
    assert T3.check_r_normalisation(D.paper_r_sec32).verdict == REFUTED


def test_q_limits_perturbed():
    assert GF.check_q_limits(D.q_large_scale_limit(), D.q_small_scale_limit()).verdict == PROVED
    assert GF.check_q_limits(D.theta ** 3, D.q_small_scale_limit()).verdict == REFUTED


def test_derived_quantities():
    assert sp.simplify(D.matched_initial_velocity(D.paper_alpha_hb(D.eta, D.mu)) + D.g / (1 + D.mu)) == 0
    assert sp.simplify(D.phi_rate_coefficient() - 2 / (1 - D.mu)) == 0
    assert D.property4_exact_residual() == 0


def test_phi_rate_coefficient():
    assert P5.check_phi_rate(2 / (1 - D.mu), "c - 2/(1-mu)").verdict == PROVED
    assert P5.check_phi_rate(4 / (1 - D.mu), "c - 4/(1-mu)").verdict == REFUTED


# --- numerical checks: paper's instance vs a perturbed one -------------------------------------------
def test_single_layer_perturbed(ctx):
    problem = single_layer_problem(Context(seed=ctx.seed, tier=ctx.tier, claim="hb_nag.sec1.single_layer"))
    assert GF.check_single_layer(problem, GF.projection_onto_interpolators).verdict == CONFIRMED
    wrong = lambda X, y, b0: np.linalg.pinv(X) @ y  # noqa: E731  (min-norm, ignores β0)
    assert GF.check_single_layer(problem, wrong).verdict == REFUTED


def test_gf_bias_sign(ctx):
    assert GF.check_gf_bias(*GF.gf_run(ctx, True), G.r_gf_corrected).verdict == CONFIRMED
    assert GF.check_gf_bias(*GF.gf_run(ctx, True), G.r_gf_paper).verdict == REFUTED


def test_theorem3_needs_xibar(ctx):
    cases = flow_cases(ctx, (True,))
    assert T3.check_limit("T3", cases, T3.r_corrected).verdict == CONFIRMED
    assert T3.check_limit("T3", cases, T3.r_corrected, use_xibar=False).verdict == REFUTED


def test_trajectory_residual_perturbed(ctx):
    assert trajectory_order("eq30", flow_cases(ctx), res_eq30, t_skip=0.0).verdict == CONFIRMED

    def wrong(p, inst):  # uv = u0 v0 e^{−2αφ}: off by O(η)
        return p.u * p.v - inst.u0 * inst.v0 * np.exp(-2 * p.alpha * p.phi)

    assert trajectory_order("eq30 perturbed", flow_cases(ctx), wrong, t_skip=0.0).verdict == REFUTED


def test_eq28_31_perturbed(ctx):
    assert check_eq28_31(flow_cases(ctx), eq28_residual(), res_eq30).verdict == CONFIRMED
    assert check_eq28_31(flow_cases(ctx), eq28_residual() + D.alpha * D.u * D.v, res_eq30).verdict == REFUTED


def test_property4_initial_layer(ctx):
    assert check_property4(flow_cases(ctx), 0.0).verdict == REFUTED
    assert check_property4(flow_cases(ctx), T_SKIP).verdict == CONFIRMED


def test_prop5_forms(ctx):
    orth = orthogonal_instance(ctx.seed)
    assert P5.check_prop5(orth, G.phi_prop5_corrected, 200.0).verdict == CONFIRMED
    assert P5.check_prop5(orth, G.phi_prop5, 200.0).verdict == REFUTED


def test_xibar_perturbed(ctx):
    assert RM.check_xibar_below_xi(flow_cases(ctx), lambda xi, a, phi: xi * np.exp(-a * phi)).verdict == CONFIRMED
    assert RM.check_xibar_below_xi(flow_cases(ctx), lambda xi, a, phi: xi * np.exp(a * phi)).verdict == REFUTED


def test_small_lr_perturbed(ctx):
    gf = rescaled_gradient_flows(ctx)
    assert RM.check_small_lr(flow_cases(ctx), gf).verdict == CONFIRMED
    swapped = {False: gf[True], True: gf[False]}  # the other initialisation's limit: the gap does not shrink
    assert RM.check_small_lr(flow_cases(ctx), swapped).verdict == REFUTED


def test_saddle_escape_order(ctx):
    inst = flow_instance(ctx, False)
    assert RM.check_saddle_escape(inst, RM.SADDLE_SCALES).verdict == CONFIRMED
    assert RM.check_saddle_escape(inst, RM.SADDLE_SCALES[::-1]).verdict == REFUTED


def test_sec33_perturbed():
    assert RM.check_sec33(G.r_corrected, G.r_gf_corrected).verdict == CONFIRMED
    shifted = lambda th0, xi, a, g0, mu: G.r_corrected(th0, xi, a, g0, mu) + 0.1  # noqa: E731
    assert RM.check_sec33(shifted, G.r_gf_corrected).verdict == REFUTED


def test_uv_symmetry_perturbed(ctx):
    inst = flow_instance(ctx, False)
    u0 = np.full(inst.X.shape[1], 0.3)
    assert RM.check_uv_symmetry(inst, u0, u0.copy()).verdict == CONFIRMED
    assert RM.check_uv_symmetry(inst, u0, 0.5 * u0).verdict == REFUTED


def test_compare_refutes_reversed_order():
    assert compare("a < b", np.array([1.0]), np.array([2.0]), np.array([1e-6])).verdict == CONFIRMED
    assert compare("a < b", np.array([2.0]), np.array([1.0]), np.array([1e-6])).verdict == REFUTED


# --- numerics -------------------------------------------------------------------------------------------
def test_generated_file_is_current():
    assert (GENERATED_DIR / "hb_nag.py").read_text(encoding="utf-8") == render("hb_nag", D.formulas())


@settings(max_examples=25, deadline=None)
@given(mu=momenta.filter(lambda m: 0 < m < 0.999), eta=st.floats(1e-4, 0.5))
def test_alphas(mu, eta):
    a_hb, a_nag = N.flow_alpha("hb", eta, mu), N.flow_alpha("nag", eta, mu)
    assert a_hb > 0 and a_nag > 0 and a_nag <= a_hb * (1 + 1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_entropy_argmin_kkt(seed):
    rng = np.random.default_rng(seed)
    X, y, _ = N.sparse_instance(rng, 3, 6, 2)
    xi = rng.uniform(0.01, 1.0, 6)
    r = 0.1 * rng.standard_normal(6)
    res = N.entropy_argmin(X, y, xi, r)
    assert res.success
    assert np.max(np.abs(X @ res.theta - y)) < 1e-9
    stationarity = G.hyperbolic_entropy_grad(res.theta, xi) + r - X.T @ res.lam
    assert np.max(np.abs(stationarity)) < 1e-9


def test_hb_with_zero_momentum_is_gd():
    rng = np.random.default_rng(0)
    X, y, _ = N.sparse_instance(rng, 4, 6, 2)
    net = N.SquareNet(X, y)
    u0, v0 = rng.uniform(0.1, 0.5, 6), rng.uniform(0.1, 0.5, 6)
    U, V_ = N.momentum_iterates(net, u0, v0, 0.01, 0.0, 5)
    u, v = u0.copy(), v0.copy()
    for _ in range(5):
        gu, gv = net.grad_uv(u, v)
        u, v = u - 0.01 * gu, v - 0.01 * gv
    assert np.allclose(U[-1], u) and np.allclose(V_[-1], v)


def test_validation_messages():
    net = N.SquareNet(np.eye(2), np.ones(2))
    with pytest.raises(ValueError, match="mu"):
        N.flow_alpha("hb", 0.1, 1.5)
    with pytest.raises(ValueError, match="method"):
        N.flow_alpha("adam", 0.1, 0.5)
    with pytest.raises(ValueError, match="u0"):
        N.flow(net, np.ones(3), np.ones(3), 0.1, 0.5, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="xi"):
        N.entropy_argmin(np.eye(2), np.ones(2), np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="rng"):
        N.train(net, np.ones(2), np.ones(2), "sgd", 0.1)


@pytest.mark.slow
def test_fig6_runs(ctx):
    res = check_fig6(relu_problem(Context(seed=0, tier="quick", claim="hb_nag.fig6")), steps=200, scales=(1.0, 3.0))
    assert res.verdict in (CONFIRMED, REFUTED, INCONCLUSIVE)


# --- the flow's integrator (issue 9: benchmarks/bench_integrators.py chose it) ----------------------
def test_flow_default_is_the_benchmarks_choice():
    """ODEPACK's LSODA through odeint with the analytic Jacobian, rtol 1e-12, atol 1e-14: the fastest to 1e-12 on
    the HB and NAG flows, or within 1.25× of solve_ivp's LSODA with the same Jacobian, in
    benchmarks/bench_integrators.py (BENCHMARKS.md, section integrators)."""
    assert N.flow.__kwdefaults__["method"] == "odeint"
    assert (N.flow.__kwdefaults__["rtol"], N.flow.__kwdefaults__["atol"]) == (1e-12, 1e-14)
    with pytest.raises(ValueError, match="method"):
        N.flow(N.SquareNet(np.eye(2), np.ones(2)), np.ones(2), np.ones(2), 0.1, 0.5, np.array([0.0, 1.0]),
               method="Euler")


@pytest.mark.parametrize("alpha", [0.0, 0.02])
def test_flow_jacobian_matches_differences(alpha):
    rng = np.random.default_rng(3)
    X, y, _ = N.sparse_instance(rng, 4, 6, 2)
    net = N.SquareNet(X, y)
    f, J = N.flow_rhs(net, alpha, 0.5), N.flow_jac(net, alpha, 0.5)
    state = rng.standard_normal((6 if alpha else 4) * 6)
    h = 1e-6
    fd = np.column_stack([(f(0, state + h * e) - f(0, state - h * e)) / (2 * h) for e in np.eye(state.size)])
    assert np.max(np.abs(J(0, state) - fd)) <= 1e-7 * np.max(np.abs(fd))
    wrong = N.flow_jac(net, alpha, 0.6)(0, state)  # a perturbed μ gives a Jacobian the differences reject
    assert np.max(np.abs(wrong - fd)) > 1e-3 * np.max(np.abs(fd))


@pytest.mark.parametrize("method", ["hb", "nag"])
def test_flow_error_estimate_bounds_the_error(method):
    """On a small instance, the default solve's estimate (a solve at 1000× looser tolerances) bounds its error
    against a tight independent reference (DOP853 at rtol 1e-13), for θ(t) on the whole grid and for the state."""
    inst = instance(0, FLOWS["quick"], True)
    alpha = N.flow_alpha(method, 0.02, MU)
    t = np.linspace(0.25, 5.0, 20)  # a first output time > 0 exercises odeint's prepended t = 0
    path = N.flow(inst.net, inst.u0, inst.v0, alpha, MU, t)
    ref = N.flow(inst.net, inst.u0, inst.v0, alpha, MU, t, method="DOP853", rtol=1e-13, atol=1e-15)
    assert path.result.success and ref.result.success
    err_theta = np.max(np.abs(path.theta - ref.theta))
    assert err_theta <= path.error_of(lambda p: p.theta) == np.max(np.abs(path.theta - path.loose.theta))
    err_state = max(np.max(np.abs(a - b)) for a, b in ((path.u, ref.u), (path.ud, ref.ud), (path.phi, ref.phi)))
    assert err_state <= path.result.error_estimate
    assert err_theta <= 1e-11  # and the default is accurate (the benchmark's target is 1e-12 on the limit)


def test_entropy_argmin_converges_where_the_dual_drowns_in_round_off():
    """Seed found by hypothesis: Armijo on the dual alone stalled at 2.5e-9 after 200 iterations."""
    rng = np.random.default_rng(163321897)
    X, y, _ = N.sparse_instance(rng, 3, 6, 2)
    xi, r = rng.uniform(0.01, 1.0, 6), 0.1 * rng.standard_normal(6)
    res = N.entropy_argmin(X, y, xi, r)
    assert res.success and res.iterations < 200 and np.max(np.abs(X @ res.theta - y)) < 1e-9


@pytest.mark.parametrize("algo", ["gd", "hb", "nag", "sgd"])
def test_train_in_chunks_is_the_uninterrupted_iteration(algo):
    """train() advances the kernel chunk by chunk, carrying the momenta: after max_steps it is where one call of
    momentum_iterates for the same steps is (bitwise; SGD with the same sample stream)."""
    X, y, _ = N.sparse_instance(np.random.default_rng(5), 6, 9, 2)
    net = N.SquareNet(X, y)
    u0 = np.full((2, 9), 0.3)
    v0 = u0 + 0.1 * np.random.default_rng(6).standard_normal((2, 9))
    mu = 0.0 if algo in ("gd", "sgd") else 0.8
    res = N.train(net, u0, v0, algo, 0.01, mu, loss_tol=1e-300, max_steps=30, chunk=7,
                  rng=np.random.default_rng(1) if algo == "sgd" else None)
    assert res.steps == 35 and not res.converged and res.theta_first is None
    U, V_ = N.momentum_iterates(net, u0, v0, 0.01, mu, 35, method="nag" if algo == "nag" else "hb",
                                record_every=35, batch_rng=np.random.default_rng(1) if algo == "sgd" else None)
    assert np.array_equal(res.theta, U[-1] ** 2 - V_[-1] ** 2)


def test_distance_uncertainty_bounds_the_change_to_a_far_tighter_run():
    """Fig. 1's ε = 0.5 runs (quick tier): the uncertainty of D (two stops, loss 100× apart) bounds the change of D
    to runs converged 10⁵× tighter in loss; the second stop comes at least one chunk after the first."""
    profile = EXPERIMENTS["quick"]
    theta_star = experiment_data(0, profile).theta_star
    for algo in ("gd", "hb", "nag"):
        r = trained(0, profile, "unbiased", XI_GRID, algo, 3e-2, 0.9, 0.5)
        assert r.converged and r.second and not np.array_equal(r.theta_first, r.theta)
        D_, unc = r.distance_to(theta_star)
        tight = trained(0, profile, "unbiased", XI_GRID, algo, 3e-2, 0.9, 0.5, 1e-13, 20 * profile.train_budget)
        assert tight.converged
        assert np.all(np.abs(tight.distance_to(theta_star)[0] - D_) <= unc)
