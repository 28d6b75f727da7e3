"""Tests of the discrete-time claims of momentum_dln (§4, App. D, Lemma 7, App. F): each check gets its
verdict on the paper's formula or instance and REFUTED on a perturbed one."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.papers.momentum_dln import architectures as A
from checks.papers.momentum_dln import discrete_experiments as E
from checks.papers.momentum_dln import discrete_identities as DI
from checks.papers.momentum_dln import smgd as S
from checks.papers.momentum_dln.instances import (
    ARCHITECTURE_SIZES,
    EPS_SWEEP_SIZES,
    FIGURE4_SIZES,
    IDENTITY_SIZES,
    SMGD_SIZES,
    architecture_grid,
    eps_sweep,
    figure4_grid,
    identity_trajectories,
    mgf_for_grid,
    theorem2_runs,
)
from checks.verdict import Verdict
from derivations import momentum_discrete as D
from numerics.data import sparse_regression
from numerics.generated import momentum_discrete as G
from numerics.iterations import mgd
from numerics.momentum_discrete import (
    GridTraining,
    deep_linear_network,
    distance_error_from_two_stops,
    relu_teacher_student,
    smgd,
    smgd_trajectory_mp,
)

DISCRETE_MODULES = (A, E, DI, S)


@pytest.fixture(scope="module")
def trajs():
    return identity_trajectories(0, IDENTITY_SIZES["quick"], 50)


@pytest.fixture(scope="module")
def full_run():
    return theorem2_runs(0, SMGD_SIZES["quick"], "full")


@pytest.fixture(scope="module")
def grid():
    return figure4_grid(0, FIGURE4_SIZES["quick"])


# --- numerics ---------------------------------------------------------------------------------------
def test_smgd_matches_uv_iterations():
    """The batched (w₊, w₋) iteration equals MGD on (u, v) from numerics.iterations (eq. (9) ⇔ (26))."""
    data = sparse_regression(np.random.default_rng(3), 4, 5, 2)
    net = data.network()
    u, v = np.full(5, 0.4), np.linspace(-0.2, 0.2, 5)
    gam, bet = np.array([0.02, 0.05]), np.array([0.3, 0.7])
    run = smgd(net, u + v, u - v, gam, bet, 50, check_every=1000)
    for i in range(2):
        w0 = np.concatenate([u, v])
        traj = mgd(net.grad, w0, w0, gam[i], bet[i], 51)
        uu, vv = traj[-1][:5], traj[-1][5:]
        assert np.allclose(run.wp[i], uu + vv, rtol=1e-12, atol=1e-14)
        assert np.allclose(run.wm[i], uu - vv, rtol=1e-12, atol=1e-14)


def test_step_coefficients_are_eq26():
    """The batched kernel's form (a₀ + a₁∇L)·w + c·w_prev is eq. (26) (SymPy residual), and the generated
    coefficients are (1 + β, −sγ, −β)."""
    assert D.w_gain_residual() == 0
    assert G.smgd_step_coefficients(0.3, 0.5, -1.0) == (1.5, 0.3, -0.5)


def test_smgd_batched_equals_point_by_point_with_sign_changes():
    """Each row of a batched run (sums, sign changes, end point) equals the same run alone, on a grid where
    iterates change sign."""
    rng = np.random.default_rng(1)
    data = sparse_regression(rng, 6, 8, 2)
    net = data.network()
    u = rng.uniform(0.3, 0.8, 8)
    v = u * rng.uniform(-0.8, 0.8, 8)
    h = np.linalg.eigvalsh(data.X.T @ data.X / 6).max()
    gam, bet = np.array([0.4, 0.8, 1.2]) / h, np.array([0.8, 0.85, 0.6])
    run = smgd(net, u + v, u - v, gam, bet, 3000, check_every=1000)
    assert run.sign_changes_minus.sum() > 0
    for i in range(3):
        one = smgd(net, u + v, u - v, gam[i], bet[i], 3000, check_every=1000)
        for f in ("wp", "wm", "S_plus", "S_minus", "grad_dsum"):
            assert np.allclose(getattr(run, f)[i], getattr(one, f)[0], rtol=1e-9, atol=1e-12), f
        assert np.array_equal(run.sign_changes_minus[i], one.sign_changes_minus[0])
        assert np.array_equal(run.residue_imag_plus[i], one.residue_imag_plus[0])


def test_smgd_early_stopping_freezes_converged_runs():
    """A run that meets ``stop_loss`` leaves the batch at that check: its end point is the iterate at
    ``converged_at`` (the same run for exactly that many steps), while slower runs go on."""
    data = sparse_regression(np.random.default_rng(2), 4, 6, 2)
    net = data.network()
    h = np.linalg.eigvalsh(data.X.T @ data.X / 4).max()
    w0 = np.full(6, 0.5)
    gam, bet = np.array([0.5, 0.05]) / h, np.array([0.5, 0.0])
    run = smgd(net, w0, w0, gam, bet, 20_000, stop_loss=1e-12, check_every=100, track_sums=False)
    assert run.converged_at[0] > 0 and run.converged_at[1] < 0 and run.steps == 20_000
    alone = smgd(net, w0, w0, gam[0], bet[0], int(run.converged_at[0]), check_every=10**6, track_sums=False)
    assert np.allclose(run.wp[0], alone.wp[0], rtol=1e-12) and np.allclose(run.wm[0], alone.wm[0], rtol=1e-12)
    assert run.train_loss[0] <= 1e-12 < run.train_loss[1]
    snap = smgd(net, w0, w0, gam, bet, 20_000, stop_loss=1e-12, check_every=100, track_sums=False, snapshot_loss=1e-6)
    assert 0 < snap.snapshot_step[0] < snap.converged_at[0]
    assert net.loss_theta((snap.snapshot_wp[0] ** 2 - snap.snapshot_wm[0] ** 2) / 4) <= 1e-6


def test_smgd_mp_agrees_with_float():
    data = sparse_regression(np.random.default_rng(4), 3, 4, 2)
    wp0, wm0 = np.full(4, 0.5), np.full(4, 0.3)
    tr = smgd_trajectory_mp(data.X, data.y, wp0, wm0, 0.05, 0.5, 20, dps=30)
    run = smgd(data.network(), wp0, wm0, 0.05, 0.5, 19, check_every=1000)
    assert np.allclose(run.wp[0], [float(x) for x in tr.wp[20]], rtol=1e-12)


@pytest.mark.parametrize("kwargs, word", [({"beta": 1.0}, "beta"), ({"gamma": -1.0}, "gamma"),
                                          ({"max_steps": 0}, "max_steps")])
def test_smgd_validates(kwargs, word):
    data = sparse_regression(np.random.default_rng(0), 3, 4, 2)
    args = {"gamma": 0.1, "beta": 0.5, "max_steps": 10, **kwargs}
    with pytest.raises(ValueError, match=word):
        smgd(data.network(), np.ones(4), np.ones(4), args["gamma"], args["beta"], args["max_steps"])


def test_smgd_rejects_zero_balancedness():
    data = sparse_regression(np.random.default_rng(0), 3, 4, 2)
    with pytest.raises(ValueError, match="wp0 and wm0"):
        smgd(data.network(), np.ones(4), np.zeros(4), 0.1, 0.5, 10)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.01, 100.0), st.floats(-1e-3, 1e-3).filter(lambda h: h != 0))
def test_r_increment_matches_r(z, h):
    """r(1 + h) via log1p equals r(z) evaluated at z = 1 + h, and r >= 0 on z > 0."""
    assert G.r_fn(z) >= -1e-15
    exact = float(D.r(1 + sp.Float(h, 40)))
    assert abs(G.r_increment(h) - exact) <= 4 * np.finfo(float).eps * abs(h)  # log1p keeps the small-h digits


# --- symbolic -----------------------------------------------------------------------------------------
def test_r_nonnegative_proved_and_perturbed():
    assert DI.check_r_nonnegative().verdict is Verdict.PROVED
    assert DI.check_r_nonnegative(lambda z: (z - 1) - 2 * sp.log(sp.Abs(z))).verdict is Verdict.REFUTED


def test_log_recurrence_proved_and_perturbed():
    assert DI.check_log_recurrence().verdict is Verdict.PROVED
    assert DI.check_log_recurrence(q_fn=lambda z: sp.exp(z) - 1 - 2 * z).verdict is Verdict.REFUTED
    wrong = lambda n, m, b: (1 - b ** (n - m)) / (1 - b)  # noqa: E731
    assert DI.check_log_recurrence(coef=wrong).verdict is Verdict.REFUTED


def test_beta0_reduction():
    assert DI.check_beta0_reduction().verdict is Verdict.PROVED


def test_swap_and_sinh_residuals():
    assert D.swap_coefficient_residual() == 0
    assert D.theta_sinh_residual() == 0
    assert D.grad_potential_mismatch(D.potential_corrected) == 0
    assert D.grad_potential_mismatch(D.potential_appendix_d) == 2 * D.phi


# --- exact identities along iterates ------------------------------------------------------------------
def test_identity_instances_include_sign_changes(trajs):
    assert [info["sign_changes"] > 0 for _, _, info in trajs] == [False, True]


def test_eq27(trajs):
    assert DI.check_eq27(trajs).verdict is Verdict.CONFIRMED
    assert DI.check_eq27(trajs, sign_in_alpha=lambda s: -1, weighted=False).verdict is Verdict.CONFIRMED
    first_form = DI.check_eq27(trajs, sign_in_alpha=lambda s: s, weighted=False, refuted_note="the sign")
    assert first_form.verdict is Verdict.REFUTED and first_form.summary.endswith("(the sign)")


def test_eq28_stated_refuted_corrected_confirmed(trajs):
    assert DI.check_eq28(trajs, G.grad_potential_stated_mp).verdict is Verdict.REFUTED
    assert DI.check_eq28(trajs, G.grad_potential_corrected_mp).verdict is Verdict.CONFIRMED


def test_eq29_stated_refuted_corrected_confirmed(trajs):
    assert DI.check_eq29(trajs, G.grad_potential_stated_mp).verdict is Verdict.REFUTED
    assert DI.check_eq29(trajs, G.grad_potential_corrected_mp).verdict is Verdict.CONFIRMED


def test_residue_sums(trajs):
    assert DI.check_residue_sums(trajs).verdict is Verdict.CONFIRMED
    assert DI.check_residue_sums(trajs, q_fn=lambda z: sp.exp(z) - 1).verdict is Verdict.REFUTED


# --- Theorem 2, Lemmas 2 and 7, Corollary 3 ------------------------------------------------------------
def test_theorem2(full_run):
    inst, run = full_run
    assert S.check_theorem2(inst, run).verdict is Verdict.CONFIRMED
    wrong_tilde = lambda a, b, c, d: G.theta_tilde_of(a, b, 2 * c, 2 * d)  # noqa: E731
    assert S.check_theorem2(inst, run, theta_tilde=wrong_tilde).verdict is Verdict.REFUTED
    wrong_delta = lambda d0, a, b: G.delta_inf_of(d0, a / 2, b / 2)  # noqa: E731
    assert S.check_theorem2(inst, run, delta_inf=wrong_delta).verdict is Verdict.REFUTED


def test_theorem2_minibatch():
    for sampling in ("with_replacement", "without_replacement"):
        inst, run = theorem2_runs(0, SMGD_SIZES["quick"], sampling)
        assert S.check_theorem2(inst, run).verdict is Verdict.CONFIRMED


def test_lemma2(full_run):
    inst, run = full_run
    assert S.check_lemma2(inst, run).verdict is Verdict.CONFIRMED
    steps = run.history["step"]
    growing = {"step": steps, "S_plus": [np.full_like(run.S_plus, 1e-3 * k) for k in steps],
               "S_minus": [np.full_like(run.S_minus, 1e-3 * k) for k in steps]}
    assert S.check_lemma2(inst, run, history=growing).verdict is Verdict.REFUTED


def test_lemma7(full_run, trajs):
    inst, run = full_run
    assert S.check_lemma7(inst, run, trajs).verdict is Verdict.CONFIRMED
    shifted = dataclasses.replace(run, S_plus=run.S_plus + 0.1)
    assert S.check_lemma7(inst, shifted, trajs).verdict is Verdict.REFUTED


def test_corollary3(full_run):
    inst, run = full_run
    assert S.check_corollary3(inst, [run]).verdict is Verdict.CONFIRMED
    wrong = lambda a, b, c, d: G.theta_tilde_of(a, b, -c, -d) * 4  # noqa: E731
    assert S.check_corollary3(inst, [run], theta_tilde=wrong).verdict is Verdict.REFUTED


def test_zero_hitting(full_run):
    _, run = full_run
    assert S.check_zero_hitting([run]).verdict is Verdict.CONFIRMED
    assert S.check_zero_hitting([dataclasses.replace(run, exact_zeros=3)]).verdict is Verdict.INCONCLUSIVE
    degenerate = {"wm0": (sp.Integer(0), sp.Rational(1, 3))}  # Δ₀ = 0 in the first coordinate
    assert S.check_zero_hitting([run], init=degenerate).verdict is Verdict.REFUTED


# --- experiments (quick-tier grid) ---------------------------------------------------------------------
def test_lambda_only(grid):
    assert E.check_lambda_only(grid).verdict is Verdict.REFUTED
    same = dataclasses.replace(grid, test=np.round(grid.lam, 12) * 0 + 1.0, dnorm=grid.lam * 0 + 1.0,
                               l1=grid.lam * 0 + 1.0)
    assert E.check_lambda_only(same).verdict is Verdict.CONFIRMED


def test_balancedness_sparsity_order(grid):
    assert E.check_balancedness_sparsity(grid).verdict is not Verdict.REFUTED
    reversed_l1 = dataclasses.replace(grid, l1=-grid.dnorm, test=grid.dnorm)
    assert E.check_balancedness_sparsity(reversed_l1).verdict is Verdict.REFUTED


def test_nonmonotone(grid):
    res = E.check_nonmonotone(grid)
    assert res.verdict in (Verdict.CONFIRMED, Verdict.INCONCLUSIVE, Verdict.REFUTED)
    lam = grid.lam
    v = (np.log(lam) - np.log(lam).mean()) ** 2 + 1.0  # a valley in λ with the best test loss at its bottom
    valley = dataclasses.replace(grid, dnorm=v, test=v, ok=np.ones_like(grid.ok), rel_err=grid.lam * 0)
    assert E.check_nonmonotone(valley).verdict is Verdict.CONFIRMED
    zigzag = dataclasses.replace(valley, test=-v)
    assert E.check_nonmonotone(zigzag).verdict is Verdict.REFUTED


def test_noncrossing(grid):
    assert E.check_noncrossing(grid).verdict is Verdict.CONFIRMED
    worse = dataclasses.replace(grid, test=grid.test * 0 + 10.0)
    assert E.check_noncrossing(worse).verdict is Verdict.REFUTED


def test_normalised_distance(grid):
    assert E.check_normalised_distance(grid).verdict is Verdict.REFUTED
    assert E.check_normalised_distance(grid, threshold=10.0).verdict is Verdict.CONFIRMED
    assert np.all(np.isfinite(grid.dist_err[grid.ok & np.isfinite(grid.dist)]))
    # a run without an error estimate cannot help confirm "every grid point", nor hide a refutation by the others
    usable = np.flatnonzero(grid.ok & np.isfinite(grid.dist))
    err = grid.dist_err.copy()
    err[usable[np.argmin(grid.dist[usable])]] = np.inf
    stuck = dataclasses.replace(grid, dist_err=err)
    assert E.check_normalised_distance(stuck, threshold=10.0).verdict is Verdict.INCONCLUSIVE
    assert E.check_normalised_distance(stuck).verdict is Verdict.REFUTED


def test_distance_error_bounds_what_is_left_of_a_geometric_approach():
    """A quantity approaching its limit as √loss (loss falling geometrically): from two stops, the estimate bounds
    the distance still to go at the later stop; a loss that did not fall gives no estimate."""
    limit, c = 0.0112, 3e-4
    for loss_snap, loss_end in ((1e-10, 1e-16), (1e-10, 1e-11), (1e-10, 2.5e-11), (1e-10, 9e-11)):
        at = lambda loss: limit + c * math.sqrt(loss)  # noqa: E731
        err = distance_error_from_two_stops(at(loss_end), at(loss_snap), loss_end, loss_snap)
        assert abs(at(loss_end) - limit) <= err
        # and not by much more than the change itself requires
        assert err <= max(1.0, math.sqrt(loss_end / loss_snap) / (1 - math.sqrt(loss_end / loss_snap))) * \
            abs(at(loss_end) - at(loss_snap))
    assert distance_error_from_two_stops(0.01, 0.01, 1e-10, 1e-10) == math.inf


@pytest.mark.slow
def test_eps_sweep_and_d2_link():
    sw = eps_sweep(0, EPS_SWEEP_SIZES["quick"])
    assert E.check_lambda_only_as_eps_to_0(sw).verdict is not Verdict.REFUTED
    assert E.check_lambda_only_as_eps_to_0(sw, expected=3.0).verdict is Verdict.REFUTED
    assert E.check_d2_link(sw, expected=3.0).verdict is Verdict.REFUTED


@pytest.mark.slow
def test_figure7(grid):
    flows = mgf_for_grid(0, FIGURE4_SIZES["quick"])
    res = E.check_figure7(grid, flows)
    assert res.verdict in (Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE)
    assert E.check_figure7(grid, flows, threshold=100.0).verdict is Verdict.CONFIRMED


def test_registry_entries(registry):
    ids = [c.id for c in registry.values() if c.check.__module__ in {m.__name__ for m in DISCRETE_MODULES}]
    assert len(ids) == 29
    # the modules that share cached runs share a process under --jobs; Figures 2 and 6 share none (their own group)
    assert {m.GROUP for m in DISCRETE_MODULES if m is not A} == {"discrete"} and A.GROUP == "architectures"
    for c in (registry[i] for i in ids):
        assert c.keys and all(k.startswith("momentum_dln:") for k in c.keys)


# --- general architectures ------------------------------------------------------------------------------
def _synthetic(fn):
    g, b = architecture_grid(ARCHITECTURE_SIZES["quick"])
    return GridTraining(g, b, np.zeros_like(g), fn(g, b), np.zeros(g.size, int))


def test_lambda_level_lines_on_synthetic_grids():
    assert A.check_lambda_level_lines(_synthetic(lambda g, b: np.exp(-g / (1 - b) ** 2))).verdict is Verdict.CONFIRMED
    assert A.check_lambda_level_lines(_synthetic(lambda g, b: np.exp(-10 * g))).verdict is Verdict.REFUTED


def test_deep_linear_network_gradients():
    """Hand-written backprop of the deep linear network: one MGD step with β = 0 lowers the loss like GD."""
    rng = np.random.default_rng(0)
    tr0 = deep_linear_network(rng, np.array([1e-9]), np.array([0.0]), widths=(6, 5, 1), n=4, s=2, epochs=1)
    tr1 = deep_linear_network(np.random.default_rng(0), np.array([0.05]), np.array([0.0]), widths=(6, 5, 1), n=4,
                              s=2, epochs=50)
    assert tr1.train_loss[0] < tr0.train_loss[0]


def test_relu_teacher_student_runs():
    tr = relu_teacher_student(np.random.default_rng(0), np.array([0.05, 0.1]), np.array([0.0, 0.5]), max_steps=200,
                              n_test=50)
    assert tr.test_loss.shape == (2,) and np.all(np.isfinite(tr.test_loss))
