"""Tests of the continuous-time claims of momentum_dln: each check gets its verdict on the paper's formula or
instance, and REFUTED on a perturbed one. Trajectories are shared through the module's cache."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from strategies import sparse_regressions

from checks.papers.momentum_dln import balancedness as B
from checks.papers.momentum_dln import crossing_terms as CT
from checks.papers.momentum_dln import crossings as CR
from checks.papers.momentum_dln import entropy as EN
from checks.papers.momentum_dln import gradient_flow as GF
from checks.papers.momentum_dln import instances as INS
from checks.papers.momentum_dln import mgf_bias as MB
from checks.papers.momentum_dln import mgf_experiments as EX
from checks.papers.momentum_dln import mgf_identities as ID
from checks.papers.momentum_dln import mirror_flow as MI
from checks.papers.momentum_dln import small_lambda as SL
from checks.verdict import Verdict
from derivations import hyperbolic_entropy as HD
from derivations import momentum_flow as MD
from numerics import hyperbolic_entropy as HE
from numerics import mgf_integrals as IN
from numerics import momentum_flow as MF
from numerics.flow import FlowStatus

V = Verdict


@pytest.fixture(scope="module")
def qctx():
    from checks.context import Context
    return Context(seed=0, tier="quick", dps=50)


@pytest.fixture(scope="module")
def pos(qctx):
    return INS.positive_run(qctx)


@pytest.fixture(scope="module")
def cross(qctx):
    return INS.crossing_run(qctx)


@pytest.fixture(scope="module")
def data(qctx):
    return INS.mgf_data(qctx.seed, INS.MGF_QUICK)


# --- numerics ------------------------------------------------------------------------------------------
def test_psi_interface_and_validation():
    th, dl = np.array([0.3, -0.2]), np.array([0.1, 2.0])
    assert HE.psi(np.zeros(2), dl) == 0.0
    assert np.allclose(HE.grad_psi(th, dl), 0.5 * np.arcsinh(2 * th / dl))
    assert HE.bregman(th, th, dl) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="delta"):
        HE.psi(th, np.array([0.1, -1.0]))
    with pytest.raises(ValueError, match="theta_ref"):
        HE.argmin_bregman(np.eye(2), np.ones(2), 1.0, np.zeros(3))


@settings(max_examples=10, deadline=None)
@given(sparse_regressions(n=4, d=7, s=2))
def test_argmin_bregman_is_feasible_and_satisfies_kkt(reg):
    rng = np.random.default_rng(0)
    dl, ref = rng.uniform(1e-4, 1.0, 7), rng.uniform(-0.1, 0.1, 7)
    th, info = HE.argmin_bregman(reg.X, reg.y, dl, ref)
    assert info["converged"]
    kkt = HE.grad_psi(th, dl) - HE.grad_psi(ref, dl)  # must lie in the row space of X
    coef, *_ = np.linalg.lstsq(reg.X.T, kkt, rcond=None)
    assert np.max(np.abs(reg.X.T @ coef - kkt)) < 1e-9


def test_argmin_bregman_agrees_with_gradient_flow(data):
    dl = np.full(data.X.shape[1], 1e-3)
    th, _ = HE.argmin_bregman(data.X, data.y, dl, np.zeros_like(dl))
    assert np.max(np.abs(th - HE.gradient_flow_limit(data.X, data.y, dl, np.zeros_like(dl)))) < 1e-9


def test_mgf_runs_converge_and_report_crossings(pos, cross):
    assert pos.flow.success and not pos.crossings
    assert cross.flow.success and cross.crossings
    with pytest.raises(ValueError, match="lam"):
        MF.solve_dln_mgf(np.eye(2), np.ones(2), np.ones(2), np.zeros(2), -1.0)


def test_mgf_budget_ends_the_solve_as_a_failure():
    data = INS.mgf_data(0, INS.MGF_PAPER)
    u0, v0 = MF.paper_initialisation(INS.MGF_PAPER.d, INS.MGF_PAPER.alpha)
    run = MF.solve_dln_mgf(data.X, data.y, u0, v0, 0.1, max_seconds=0.2)
    assert run.flow.status is FlowStatus.TIMED_OUT and not run.flow.success and "budget" in MF.failure(run)
    with pytest.raises(ValueError, match="max_seconds"):
        MF.solve_dln_mgf(data.X, data.y, u0, v0, 0.1, max_seconds=0.0)


def test_mgf_tight_bdf_solve_converges_where_event_location_raised():
    """With solve_ivp's terminal energy event this solve raised ValueError('f(a) and f(b) must have different signs'):
    near the energy's round-off floor the step's interpolant and the step disagree about its sign. Stepped by hand, it
    stops at the first step whose energy is <= loss_tol, with dense output to there, and agrees with LSODA."""
    st = INS.MGFSetting(4, 6, 2, 0.01)
    data = INS.mgf_data(0, st)
    u0, v0 = MF.paper_initialisation(st.d, st.alpha)
    kw = dict(rtol=1e-13, atol=1e-17, loss_tol=1e-28, looser=None)
    run = MF.solve_dln_mgf(data.X, data.y, u0, v0, 0.01, method="BDF", **kw)
    assert run.flow.status is FlowStatus.STOPPED and run.flow.success and not run.crossings

    def energy(s):
        """The energy as the solver's stopping rule evaluates it (the same operations): at 1e-28 it is at its
        round-off floor (the residual's rounding alone is ~1e-28 here), so only the rule's own arithmetic can
        say on which side of loss_tol a state lies."""
        p, m, vp, vm = run.get("p", s), run.get("m", s), run.get("vp", s), run.get("vm", s)
        r = run.X @ ((p * p - m * m) / 4) - run.y
        return 0.5 * r @ r / run.X.shape[0] + 0.5 * run.lam * 0.5 * (vp @ vp + vm @ vm)

    assert energy(run.state) <= 1e-28 * (1 + 1e-9) < energy(run.states(np.array([run.sol.ts[-2]]))[0])
    assert np.max(np.abs(run.states(np.array([run.t_end]))[0] - run.state)) < 1e-12
    ref = MF.solve_dln_mgf(data.X, data.y, u0, v0, 0.01, **kw)
    assert ref.flow.success and np.max(np.abs(run.theta() - ref.theta())) < 1e-9
    with pytest.raises(ValueError, match="method"):
        MF.solve_dln_mgf(data.X, data.y, u0, v0, 0.01, method="Euler")


# --- hyperbolic entropy limits --------------------------------------------------------------------------
def test_lemma4_refuted_and_corrected():
    assert EN.check_ratio_limit("Lemma 4", HD.lemma4_paper, True).verdict is V.REFUTED
    assert EN.check_ratio_limit("corrected", HD.lemma4_corrected, True).verdict is V.PROVED
    def perturbed(th, dl):
        return sp.Rational(1, 3) * sp.log(1 / dl) * sp.Abs(th)
    assert EN.check_ratio_limit("perturbed", perturbed, True).verdict is V.REFUTED


def test_poster_limits():
    assert EN.check_ratio_limit("small", HD.poster_small_scale, True).verdict is V.PROVED
    assert EN.check_ratio_limit("large", HD.poster_large_scale, False).verdict is V.PROVED
    assert EN.check_ratio_limit("large", lambda th, dl: th ** 2 / dl, False).verdict is V.REFUTED


def test_entropy_interpolates(data):
    assert EN.check_entropy_interpolates(data, (1.0, 1e-4, 1e-16)).verdict is V.CONFIRMED
    assert EN.check_entropy_interpolates(data, (1e-16, 1e-4, 1.0)).verdict is V.REFUTED


# --- symbolic -------------------------------------------------------------------------------------------
def test_symbolic_identities_vanish():
    assert all(r == 0 for r in MD.reparametrisation_residuals().values())
    assert ID.check_eq12_13().verdict is Verdict.PROVED
    for wrong in ({"+": 1, "-": 1}, {"+": -1, "-": -1}):  # each branch's stated sign is tested
        res = ID.check_eq12_13(wrong)
        assert res.verdict is Verdict.REFUTED
        bad = {k for k, r in MD.reparametrisation_residuals(wrong).items() if r != 0}
        assert bad == {f"eq. ({e}), w{'-' if wrong['-'] == 1 else '+'}" for e in (12, 13)}
    assert MD.energy_residual() == 0 and MD.gf_balancedness_derivative() == 0 and MD.gf_mirror_flow_residual() == 0
    assert MD.log_ode_residual(1) == 0 and MD.log_ode_residual(-1) == 0 and MD.eq30_residual() == 0
    assert MD.bregman_cosine_residual() == 0 and MD.bregman_linear_objective_residual() == 0


def test_xi_closed_form_perturbed_is_refuted():
    from checks.symbolic import residuals_vanish
    ok = residuals_vanish("xi", MD.xi_residuals())
    bad = residuals_vanish("xi", MD.xi_residuals(
        lambda tt: -sp.Integral(MD.G(MD.s) * (1 - sp.exp(-(tt - MD.s) / (2 * MD.lam))), (MD.s, 0, tt))))
    assert ok.verdict is V.PROVED and bad.verdict is not V.PROVED


def test_parity_limit():
    assert CR.check_parity_limit(1 / MD.lam).verdict is V.REFUTED
    assert CR.check_parity_limit(sp.Integer(1)).verdict is V.PROVED


def test_c5_ratio():
    assert SL.check_c5_ratio(MD.Lval).verdict is V.REFUTED
    assert SL.check_c5_ratio(MD.gL).verdict is V.PROVED


def test_jump_relations(cross, qctx):
    assert CR.check_jump_relations(cross, qctx).verdict is V.CONFIRMED


# --- least squares, GF ----------------------------------------------------------------------------------
def test_prop2_and_perturbed(data):
    rng = np.random.default_rng(3)
    good = GF.check_prop2(data.X, data.y, rng, lambda th, v, lam: GF.projection_onto_S(data.X, data.y, th + lam * v))
    bad = GF.check_prop2(data.X, data.y, rng, lambda th, v, lam: GF.projection_onto_S(data.X, data.y, th))
    assert good.verdict is V.CONFIRMED and bad.verdict is V.REFUTED


def test_interpolator_set(data):
    rng = np.random.default_rng(0)
    assert GF.check_interpolator_set(data.X, data.y, data.theta_star, rng).verdict is V.CONFIRMED
    assert GF.check_interpolator_set(data.X, data.y, data.theta_star + 0.1, rng).verdict is V.REFUTED


def test_eq5_and_perturbed(data):
    d = data.X.shape[1]
    dl, th0 = np.full(d, 0.02), np.full(d, 0.005)
    assert GF.check_eq5(data, dl, th0).verdict is V.CONFIRMED
    th_dual, _ = HE.argmin_bregman(data.X, data.y, dl, th0)
    gf = HE.gradient_flow(data.X, data.y, 2 * dl, th0)  # the flow from another balancedness: a different limit
    assert np.max(np.abs(gf.theta - th_dual)) > 1e-4


def test_small_scale_equivalence(data):
    d = data.X.shape[1]
    ok = GF.check_small_scale_equivalence(data.theta_star, np.ones(d), 0.3 * np.ones(d), GF.SMALL_ALPHAS, "eq7",
                                          GF.bregman_over_psi)
    bad = GF.check_small_scale_equivalence(data.theta_star, np.ones(d), 0.3 * np.ones(d), GF.SMALL_ALPHAS, "bad",
                                           lambda ts, dl, ref: (2 * HE.psi(ts, dl), HE.psi(ts, dl)))
    assert ok.verdict is V.CONFIRMED and bad.verdict is V.REFUTED


def test_gf_reference_poster_refuted(pos, data):
    dl = MF.limits(pos)["delta"]
    assert GF.check_gf_reference(data, dl, np.sqrt, "paper").verdict is V.CONFIRMED
    assert GF.check_gf_reference(data, dl, lambda x: x, "poster").verdict is V.REFUTED


# --- trajectories ---------------------------------------------------------------------------------------
def test_theorem1_both_regimes(pos, cross, qctx):
    assert MB.check_theorem1(pos, qctx).verdict is V.CONFIRMED
    assert MB.check_theorem1(cross, qctx).verdict is V.CONFIRMED


def test_corollary2_and_perturbed_alpha(pos, cross, qctx):
    assert B.check_corollary2(pos, qctx, INS.MGF_QUICK.alpha).verdict is V.CONFIRMED
    too_small = float(np.sqrt(np.max(np.abs(MF.limits(pos)["theta_tilde0"])))) / 2  # α² below max|θ̃₀|
    assert B.check_corollary2(pos, qctx, too_small).verdict is V.REFUTED
    assert B.check_corollary2(cross, qctx, INS.MGF_QUICK.alpha).verdict is V.INCONCLUSIVE


def test_poster_I_sign(pos, qctx):
    assert B.check_poster_I(pos, qctx, sign=-1.0).verdict is V.REFUTED
    assert B.check_poster_I(pos, qctx, sign=1.0).verdict is V.CONFIRMED


def test_grad_potential_sign(cross, qctx):
    assert MI.check_grad_potential_along(cross, qctx, 1.0).verdict is V.CONFIRMED
    assert MI.check_grad_potential_along(cross, qctx, -1.0).verdict is V.REFUTED


def test_prop3_and_a_crossing_run_under_a_false_bound(pos, cross, qctx, data):
    bound = INS.prop3_lambda_bound(data, pos.balancedness(pos.state0))
    assert B.check_prop3(pos, qctx, bound).verdict is V.CONFIRMED
    assert B.check_prop3(cross, qctx, 10.0).verdict is V.REFUTED


def test_identities_along_runs(pos, cross, qctx, data):
    bound = INS.prop3_lambda_bound(data, pos.balancedness(pos.state0))
    for res in (B.check_eqs21_23(pos, qctx), B.check_eq30(pos, qctx, bound), ID.check_energy(cross, qctx),
                B.check_energy_bound(cross, qctx), MI.check_integrated_mirror_flow(cross, qctx),
                MI.check_lemma3(cross, qctx), MB.check_convergence(cross, qctx), MB.check_finite_crossings(cross, qctx),
                MI.check_perturbed_init(cross, qctx), MI.check_bregman_cosine(cross, qctx, np.random.default_rng(1)),
                MI.check_xi_in_span(cross, qctx)):
        assert res.verdict.holds, res.summary


def test_bregman_cosine_refutes_a_slightly_wrong_theta_tilde0(cross, qctx):
    """θ̃₀ off by one part in 10⁶ breaks the Pythagoras identity far beyond its derived tolerance (quick run)."""
    def off(run, state):
        lim = MF.limits(run, state)
        return {**lim, "theta_tilde0": lim["theta_tilde0"] * (1 + 1e-6)}

    assert MI.check_bregman_cosine(cross, qctx, np.random.default_rng(1), limit_of=off).verdict is V.REFUTED


def test_lemma6_and_footnote2(qctx, data):
    assert ID.check_lemma6(0.5, [lambda t: np.cos(2 * t) * np.exp(-0.5 * t)]).verdict is V.CONFIRMED
    u0, v0 = INS.footnote2_initialisation(np.random.default_rng(2), data.X.shape[1])
    assert GF.check_footnote2(data, 0.1, u0, v0).verdict is V.CONFIRMED
    v0[0] *= 1 + 1e-9  # u₀,₀ = v₀,₀ no longer holds: w₋,₀ leaves zero
    assert GF.check_footnote2(data, 0.1, u0, v0).verdict is V.REFUTED


# --- experiment deciders on synthetic sweeps -------------------------------------------------------------
def _pt(lam, delta, test, cross=0, dist=0.001):
    return INS.SweepPoint(lam, delta, test, 1.0, cross, dist, 1e-4, 1.0, 1e-4, 1e-12)


def test_experiment_deciders():
    pts = (_pt(0, 1.0, 1.0), _pt(0.01, 0.8, 0.8), _pt(0.1, 0.5, 0.5, 2), _pt(0.5, 0.9, 1.2, 3), _pt(1.0, 1.1, 1.5, 3))
    assert EX.check_normalised_distance(pts, "d").verdict is V.CONFIRMED
    assert EX.check_normalised_distance(pts[:-1] + (_pt(1.0, 1.1, 1.5, 3, dist=0.05),), "d").verdict is V.REFUTED
    assert EX.check_correlation([p.delta_norm for p in pts], [p.test_loss for p in pts], "c").verdict is V.CONFIRMED
    assert EX.check_correlation([p.delta_norm for p in pts], [-p.test_loss for p in pts], "c").verdict is V.REFUTED
    assert EX.check_figure3_interval(pts, 1e-4).verdict is V.CONFIRMED
    assert EX.check_figure3_interval(pts, 1.0).verdict is V.REFUTED
    assert SL.check_monotone_decreasing([1, 2], [np.ones(2), 0.5 * np.ones(2)]).verdict is V.CONFIRMED
    assert SL.check_monotone_decreasing([1, 2], [np.ones(2), 2 * np.ones(2)]).verdict is V.REFUTED


@pytest.mark.slow
def test_small_lambda_claims(qctx):
    runs = INS.small_lambda_runs(qctx.seed)
    assert SL.check_small_lambda(runs, SL.grad_squared_exponent, True, "§3.3").verdict is V.REFUTED
    assert SL.check_small_lambda(runs, SL.grad_squared_exponent, False, "App. C.5").verdict is V.CONFIRMED
    assert SL.check_small_lambda(runs, SL.grad_exponent, True, "poster").verdict is V.REFUTED


def test_induction_gdot(cross, qctx):
    assert CR.check_induction_gdot(cross, qctx).verdict is V.CONFIRMED
    assert CR.check_induction_gdot(cross, qctx, parity_factor=0.0).verdict is V.REFUTED


# --- App. C.3.2: m.p.v. double integrals, eqs. (18)-(20), Lemma 1 -------------------------------------------
@pytest.fixture(scope="module")
def multi(qctx):
    return CT.multi_terms(qctx)


@pytest.fixture(scope="module")
def pos_terms(qctx):
    return CT.positive_terms(qctx)


def test_crossing_integrals_validation_and_extrapolation(cross):
    with pytest.raises(ValueError, match="deltas"):
        IN.crossing_integrals(cross, [cross.t_end], [1e-2, 5e-3, 2.5e-3])
    with pytest.raises(ValueError, match="taus"):
        IN.crossing_integrals(cross, [2 * cross.t_end], [4e-2, 2e-2, 1e-2, 5e-3])
    deltas = 0.1 * 2.0 ** -np.arange(5)
    exact = 1.0 + 0.3 * deltas - 2.0 * deltas ** 2  # c₁δ + c₂δ²: two Richardson levels remove both
    lim, err = IN.CrossingIntegrals.extrapolate(exact)
    assert abs(lim - 1.0) < 1e-13 and err < 1e-3


@pytest.mark.parametrize("kappa", [1e-3, 1.0, 50.0, 1e5, 0.999 * IN.KAPPA_LARGE, IN.KAPPA_LARGE, 3e9, 1e13])
def test_exp_weights_match_mpmath_on_both_sides_of_the_large_kappa_branch(kappa):
    """W[q] = ∫₀¹ ℓ_q(x)e^{−κ(1−x)}dx against mpmath quadrature at 40 digits, on the Bessel branch, at the switch and
    beyond scipy's ive range (κ/2 > 1.07e9 gave NaN: a solver step of 10⁹λ in the full tier's λ = 1.7e-5 run)."""
    import mpmath as mp

    x, _, _ = IN.gl_basis(IN.GL_NODES)
    W = IN.exp_weights(np.array([kappa]), IN.GL_NODES)[0]
    with mp.workdps(40):
        xs, k = [mp.mpf(v) for v in x], mp.mpf(kappa)

        def ell(q, t):
            return mp.fprod((t - xj) / (xs[q] - xj) for j, xj in enumerate(xs) if j != q)

        # breakpoints at 1 − 10^{−e} resolve the boundary layer of width 1/κ at x = 1
        pts = sorted({mp.mpf(0), mp.mpf(1)} | {1 - mp.mpf(10) ** -e for e in range(1, 16) if 10.0 ** -e > 1e-3 / kappa})
        ref = np.array([float(mp.quad(lambda t: ell(q, t) * mp.exp(-k * (1 - t)), pts)) for q in range(IN.GL_NODES)])
    assert np.all(np.isfinite(W))
    # rounding of the moment-to-Lagrange map: a few hundred ulps of the largest weight
    assert np.max(np.abs(W - ref)) <= 200 * np.finfo(float).eps * np.max(np.abs(ref))


def test_mpv_of_a_crossing_free_run_is_the_plain_integral(pos):
    """Without zeros, ∫₀^τ∫₀^t (ẇ/w)² e^{−(t−s)/λ} ds dt = λ∫₀^τ (ẇ/w)²(1 − e^{−(τ−s)/λ}) ds = λ(K − M) from the
    state."""
    ci = IN.crossing_integrals(pos, [pos.t_end], 1e-2 * 2.0 ** -np.arange(4))
    state_form = pos.lam * np.concatenate([pos.get("Kp") - pos.get("Mp"), pos.get("Km") - pos.get("Mm")])
    assert np.max(np.abs(ci.outer_w[-1, :, 0] - state_form)) < 1e-7 * max(1.0, float(np.max(np.abs(state_form))))


def test_eq18_and_perturbed_sums(multi, pos_terms, qctx):
    assert max(len(x) for x in multi.crossings) >= 2  # Q± is not an empty sum on this run
    assert CR.check_eq18(multi, qctx).verdict is V.CONFIRMED
    assert CR.check_eq18(pos_terms, qctx).verdict is V.CONFIRMED
    assert CR.check_eq18(multi, qctx, Q=lambda ts, lam: -CR.pair_sum_Q(ts, lam)).verdict is V.REFUTED
    assert CR.check_eq18(multi, qctx, P=lambda ts, lam: 0.0).verdict is V.REFUTED


def test_eq19_and_perturbed_lambda(multi, qctx):
    assert CR.check_eq19(multi, qctx).verdict is V.CONFIRMED
    def flipped(T):
        return T.signs * 2 / T.run.lam * T.c_neg + CR.lambda_19(T) + T.signs * 2 / T.run.lam * T.c_neg
    assert CR.check_eq19(multi, qctx, flipped).verdict is V.REFUTED


def test_eq20_refuted_with_crossings_and_corrected(multi, pos_terms, qctx):
    assert CR.check_eq20(multi, qctx).verdict is V.REFUTED
    assert CR.check_eq20(pos_terms, qctx).verdict is V.CONFIRMED  # the extra factor is 1 without crossings
    assert CR.check_eq20(multi, qctx, CR.eq20_corrected).verdict is V.CONFIRMED


def test_lemma1_and_induction_identities(multi, pos_terms, qctx):
    assert CR.check_lemma1(multi, qctx).verdict is V.CONFIRMED
    assert CR.check_lemma1(pos_terms, qctx).verdict is V.INCONCLUSIVE
    assert CR.check_induction_g(multi, qctx).verdict is V.CONFIRMED
    def no_pairs(ts, tau, lam):
        return CR.g_tau_paper(ts, tau, lam) - 2 * sum(
            (-1) ** (j - i) * (1 - np.exp(-(ts[j] - ts[i]) / lam))
            for i in range(len(ts)) for j in range(i + 1, len(ts)) if ts[j] < tau)
    assert CR.check_induction_g(multi, qctx, g_terms=no_pairs).verdict is V.REFUTED
    assert CR.check_induction_g(multi, qctx, gdot_terms=lambda ts, tau, lam: 0.0).verdict is V.REFUTED


def test_theta_tilde0_decider_uses_its_own_error():
    small = INS.SweepPoint(0.1, 1.0, 1.0, 1.0, 0, 0.001, 1e-4, 1.0, 1e-4, 1e-12, 1e-10)
    big = INS.SweepPoint(1.0, 1.0, 1.0, 1.0, 50, 0.001, 0.0157, 1.0, 1e-4, 1e-12, 2.6e-9)
    unsure = INS.SweepPoint(1.0, 1.0, 1.0, 1.0, 50, 0.001, 0.0101, 1.0, 1e-4, 1e-12, 1e-4)
    assert EX.check_theta_tilde0([small]).verdict is V.CONFIRMED
    assert EX.check_theta_tilde0([small, big]).verdict is V.REFUTED
    assert EX.check_theta_tilde0([small, unsure]).verdict is V.INCONCLUSIVE


# --- the generated right-hand side and Jacobian (issue 3, performance) ---------------------------------------
def _hand_jacobian(X, y, lam, ratios, s):
    """Session 1's hand-written Jacobian, kept here as a regression reference for the generated one."""
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n
    sl = MF.layout(d, ratios)
    size = sl["Ekin"].stop
    eye = np.eye(d)
    p, m, vp, vm = s[sl["p"]], s[sl["m"]], s[sl["vp"]], s[sl["vm"]]
    g = H @ ((p * p - m * m) / 4) - b
    gp, gm = H * (p / 2), -H * (m / 2)
    Jm = np.zeros((size, size))
    Jm[sl["p"], sl["vp"]] = eye
    Jm[sl["m"], sl["vm"]] = eye
    Jm[sl["vp"], sl["p"]] = -(np.diag(g) + p[:, None] * gp) / lam
    Jm[sl["vp"], sl["m"]] = -(p[:, None] * gm) / lam
    Jm[sl["vp"], sl["vp"]] = -eye / lam
    Jm[sl["vm"], sl["p"]] = (m[:, None] * gp) / lam
    Jm[sl["vm"], sl["m"]] = (np.diag(g) + m[:, None] * gm) / lam
    Jm[sl["vm"], sl["vm"]] = -eye / lam
    Jm[sl["J"], sl["p"]], Jm[sl["J"], sl["m"]] = gp, gm
    Jm[sl["eta"], sl["p"]], Jm[sl["eta"], sl["m"]] = -gp / lam, -gm / lam
    Jm[sl["eta"], sl["eta"]] = -eye / lam
    Jm[sl["G"], sl["p"]], Jm[sl["G"], sl["m"]] = 2 * g[:, None] * gp, 2 * g[:, None] * gm
    Jm[sl["P"], sl["vp"]], Jm[sl["P"], sl["vm"]] = np.diag(vm), np.diag(vp)
    Jm[sl["Q"], sl["vp"]], Jm[sl["Q"], sl["vm"]] = np.diag(vm), np.diag(vp)
    Jm[sl["Q"], sl["Q"]] = -eye / lam
    sg = np.sign(vp * vm)
    Jm[sl["A"], sl["vp"]], Jm[sl["A"], sl["vm"]] = np.diag(sg * vm), np.diag(sg * vp)
    if ratios:
        for k, M, w, v in (("Kp", "Mp", p, vp), ("Km", "Mm", m, vm)):
            dw, dv = np.diag(-2 * v * v / w ** 3), np.diag(2 * v / w ** 2)
            src_w, src_v = ("p", "vp") if k == "Kp" else ("m", "vm")
            for blk in (k, M):
                Jm[sl[blk], sl[src_w]], Jm[sl[blk], sl[src_v]] = dw, dv
            Jm[sl[M], sl[M]] = -eye / lam
    Jm[sl["Ekin"], sl["vp"]], Jm[sl["Ekin"], sl["vm"]] = vp, vm
    return Jm


@pytest.mark.parametrize("ratios", [False, True])
def test_generated_jacobian_matches_hand_written_and_finite_differences(data, ratios):
    assert MF.BLOCKS + MF.RATIO_BLOCKS == MD.STATE_BLOCKS and MF.LOCAL_VARS == MD.LOCAL_VARS
    lam = 0.3
    rhs, jac, sl = MF.rhs_jac(data.X, data.y, lam, ratios)
    rng = np.random.default_rng(5)
    s = rng.uniform(0.2, 1.0, sl["Ekin"].stop) * rng.choice([-1, 1], sl["Ekin"].stop)
    Jg = jac(0.0, s)
    assert np.max(np.abs(Jg - _hand_jacobian(data.X, data.y, lam, ratios, s))) < 1e-13 * max(1.0, np.max(np.abs(Jg)))
    h = 1e-6
    fd = np.column_stack([(rhs(0.0, s + h * e) - rhs(0.0, s - h * e)) / (2 * h) for e in np.eye(s.size)])
    assert np.max(np.abs(fd - Jg)) < 1e-6 * max(1.0, np.max(np.abs(Jg)))
    perturbed = Jg.copy()
    perturbed[sl["vp"], sl["p"]] *= 1.01  # a wrong entry is seen by the finite differences
    assert np.max(np.abs(fd - perturbed)) > 1e-4


def test_integrated_mirror_flow_refutes_wrong_statements(cross, qctx):
    """Its tolerances are derived round-off bounds (not a Hessian-scaled spread): "= +∫∇L", or a span of one data
    point fewer, is REFUTED."""
    assert MI.check_integrated_mirror_flow(cross, qctx).verdict is V.CONFIRMED
    assert MI.check_integrated_mirror_flow(cross, qctx, integral_sign=-1.0).verdict is V.REFUTED
    assert MI.check_integrated_mirror_flow(cross, qctx, span_rows=cross.X.shape[0] - 1).verdict is V.REFUTED
