"""The numba kernels of numerics.architecture_kernels (Figures 2 and 6 of momentum_dln) against the numpy
reference (numerics.momentum_discrete.relu_loss_grad / dln_loss_grad and the generated MGD step).

The kernels sum in another order than numpy (BLAS, einsum, pairwise means; the deep linear kernel also
associates the layer products differently), so they cannot agree bitwise. The bound is derived: both compute
the same sums of products, and any evaluation of a sum of products whose every term passes at most N roundings
is within γ_N = Nu/(1 − Nu) times the same evaluation on absolute values (Higham, Accuracy and Stability of
Numerical Algorithms, §3.1–3.5); two such evaluations differ by at most 2γ_N of it. One MGD step
w' = βw − βw₋ − γg + w adds at most γ_4 relative rounding on each side. Every step of a real trajectory is
checked against that bound from the reference's own state (so errors are not propagated); a 1e-9 change of γ
in the kernel's step is seen far beyond it.
"""
from __future__ import annotations

import numpy as np
import pytest

from numerics import architecture_kernels as AK
from numerics.generated.momentum_discretisation import mgd_update
from numerics.momentum_discrete import deep_linear_network, dln_loss_grad, relu_loss_grad, relu_teacher_student

U = np.finfo(float).eps / 2


def gamma_n(n: int) -> float:
    """γ_N = Nu/(1 − Nu)."""
    return n * U / (1 - n * U)


def step_bound(w, wp, g_abs, n_grad, gamma, beta):
    """Bound on |kernel − reference| of one MGD step from the same (w, w₋): γ·2γ_N|g|_abs from the gradients, and
    each side's rounding of the update (γ_4 of its terms' absolute values, with |g| bounded by |g|_abs)."""
    dg = 2 * gamma_n(n_grad) * g_abs
    upd = np.abs(beta * w) + np.abs(beta * wp) + gamma * (g_abs + dg) + np.abs(w)
    return gamma * dg * (1 + U) + 2 * gamma_n(4) * upd


def relu_abs_gradient(W, a, X, y):
    """The ReLU loss gradient evaluated on absolute values (every unit counted active): [|∂W|, |∂a|] bounds."""
    n = X.shape[0]
    h = np.einsum("nd,gkd->gnk", np.abs(X), np.abs(W))
    r = np.einsum("gnk,gk->gn", h, np.abs(a)) + np.abs(y)
    return [np.einsum("gnk,nd->gkd", r[:, :, None] * np.abs(a)[:, None, :], np.abs(X)) / n,
            np.einsum("gnk,gn->gk", h, r) / n]


def relu_instance(seed: int, G: int = 4, n: int = 6, k: int = 5, dim: int = 2):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, dim)), rng.standard_normal(n)
    W = np.broadcast_to(rng.standard_normal((k, dim)), (G, k, dim)).copy()
    a = np.broadcast_to(rng.standard_normal(k) / np.sqrt(k), (G, k)).copy()
    gamma, beta = np.geomspace(0.02, 0.2, G), np.linspace(0.0, 0.9, G)
    return X, y, W, a, gamma, beta


def relu_reference_step(W, a, Wp, ap, X, y, gamma, beta):
    _, (gW, ga) = relu_loss_grad([W, a], X, y)
    return (mgd_update(W, Wp, gW, gamma[:, None, None], beta[:, None, None]),
            mgd_update(a, ap, ga, gamma[:, None], beta[:, None]))


def relu_kernel_step(W, a, Wp, ap, X, y, gamma, beta, gamma_factor=1.0):
    W, a, Wp, ap = W.copy(), a.copy(), Wp.copy(), ap.copy()
    loss, steps = np.empty(W.shape[0]), np.empty(W.shape[0], np.int64)
    AK.relu_grid(W, a, Wp, ap, X, y, gamma * gamma_factor, beta, 1, 0.0, False, loss, steps)
    return W, a


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_steps_within_rounding_bound(seed):
    X, y, W, a, gamma, beta = relu_instance(seed)
    n_grad = X.shape[1] + W.shape[1] + X.shape[0] + 8
    Wp, ap = W.copy(), a.copy()
    worst = 0.0
    for _ in range(60):
        pre = np.einsum("nd,gkd->gnk", X, W)
        gW_abs, ga_abs = relu_abs_gradient(W, a, X, y)
        # the ReLU masks agree when no pre-activation is within its rounding bound of 0
        assert np.min(np.abs(pre)) > 2 * gamma_n(X.shape[1] + 2) * np.max(np.abs(X) @ np.abs(W[0]).T)
        ref = relu_reference_step(W, a, Wp, ap, X, y, gamma, beta)
        ker = relu_kernel_step(W, a, Wp, ap, X, y, gamma, beta)
        bounds = (step_bound(W, Wp, gW_abs, n_grad, gamma[:, None, None], beta[:, None, None]),
                  step_bound(a, ap, ga_abs, n_grad, gamma[:, None], beta[:, None]))
        for r, k, b in zip(ref, ker, bounds):
            assert np.all(np.abs(r - k) <= b)
            worst = max(worst, float(np.max(np.abs(r - k) / b)))
        Wp, ap, W, a = W, a, ref[0], ref[1]
    perturbed = relu_kernel_step(W, a, Wp, ap, X, y, gamma, beta, gamma_factor=1 + 1e-9)
    ref = relu_reference_step(W, a, Wp, ap, X, y, gamma, beta)
    gW_abs, _ = relu_abs_gradient(W, a, X, y)
    assert np.any(np.abs(perturbed[0] - ref[0]) > step_bound(W, Wp, gW_abs, n_grad, gamma[:, None, None],
                                                            beta[:, None, None]))
    assert worst < 1


def test_relu_training_matches_numpy_loop():
    """The whole run (stop per point, final and test losses): kernel and numpy loop on a small grid. The steps to
    the stop agree exactly; losses to 1e-9 relative (the per-step bound above, amplified over the run)."""
    g, b = np.meshgrid(np.geomspace(0.05, 0.2, 3), np.linspace(0.0, 0.9, 3), indexing="ij")
    kw = dict(n=8, student=6, max_steps=4000, stop_loss=1e-3, n_test=50)
    ker = relu_teacher_student(np.random.default_rng(3), g, b, kernel=True, **kw)
    ref = relu_teacher_student(np.random.default_rng(3), g, b, kernel=False, **kw)
    assert np.any(ref.steps < 4000) and np.any(ref.steps == 4000)
    np.testing.assert_array_equal(ker.steps, ref.steps)
    np.testing.assert_allclose(ker.train_loss, ref.train_loss, rtol=1e-9)
    np.testing.assert_allclose(ker.test_loss, ref.test_loss, rtol=1e-9)


def dln_instance(seed: int, widths=(6, 7, 9, 5, 1), G: int = 4, n: int = 8):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, widths[0])) + 1, rng.standard_normal(n)
    params = [np.broadcast_to(0.4 * rng.standard_normal((o, i)), (G, o, i)).copy()
              for i, o in zip(widths[:-1], widths[1:])]
    return X, y, params, np.geomspace(0.001, 0.01, G), np.linspace(0.0, 0.9, G)


def dln_abs_gradient(params, X, y):
    """The deep linear network's gradient evaluated on absolute values: layer j's |p_j||q_j|ᵀ."""
    n = X.shape[0]
    A = [np.abs(W) for W in params]
    p = [np.ones((A[0].shape[0], 1, 1))]
    for W in A[:0:-1]:
        p.insert(0, W.transpose(0, 2, 1) @ p[0])
    theta = (A[0].transpose(0, 2, 1) @ p[0])[..., 0]
    r = theta @ np.abs(X).T + np.abs(y)
    q = [(r @ np.abs(X) / n)[..., None]]
    for W in A[:-1]:
        q.append(W @ q[-1])
    return [pj @ qj.transpose(0, 2, 1) for pj, qj in zip(p, q)]


def flat(params):
    return np.concatenate([p.reshape(p.shape[0], -1) for p in params], axis=1)


@pytest.mark.parametrize("seed,widths", [(0, (6, 7, 9, 5, 1)), (1, (3, 4, 1)), (2, (10, 1))])
def test_dln_steps_within_rounding_bound(seed, widths):
    X, y, params, gamma, beta = dln_instance(seed, widths)
    n_grad = 2 * (sum(widths) + len(widths) + X.shape[0] + widths[0]) + 8
    prev = [p.copy() for p in params]
    wd = np.asarray(widths, np.int64)
    G = gamma.size
    gam, bet = gamma[:, None, None], beta[:, None, None]
    for _ in range(40):
        _, grads = dln_loss_grad(params, X, y)
        ref = [mgd_update(p, q, g, gam, bet) for p, q, g in zip(params, prev, grads)]
        w, wp = flat(params), flat(prev)
        AK.dln_grid(w, wp, wd, X, y, gamma, beta, 1, np.empty(G), np.empty((G, widths[0])))
        bound = flat([step_bound(p, q, ga, n_grad, gam, bet)
                      for p, q, ga in zip(params, prev, dln_abs_gradient(params, X, y))])
        assert np.all(np.abs(w - flat(ref)) <= bound)
        np.testing.assert_array_equal(wp, flat(params))
        w_pert = flat(params)
        AK.dln_grid(w_pert, flat(prev), wd, X, y, gamma * (1 + 1e-9), beta, 1, np.empty(G),
                    np.empty((G, widths[0])))
        assert np.any(np.abs(w_pert - flat(ref)) > bound)
        prev, params = params, ref


def test_dln_training_matches_numpy_loop():
    """The whole run (final train loss, θ's test loss) of kernel and numpy loop on a small grid, to 1e-9
    relative (the per-step bound above, amplified over the epochs)."""
    g, b = np.meshgrid(np.geomspace(0.002, 0.02, 3), np.linspace(0.0, 0.9, 3), indexing="ij")
    kw = dict(widths=(8, 10, 6, 1), n=6, s=2, epochs=300)
    ker = deep_linear_network(np.random.default_rng(4), g, b, kernel=True, **kw)
    ref = deep_linear_network(np.random.default_rng(4), g, b, kernel=False, **kw)
    assert np.ptp(np.log10(ref.train_loss)) > 0.5  # the grid points end apart (a non-trivial comparison)
    # the residuals' rounding is absolute (relative to the data): compare the RMS residual √(2L)
    rms_k, rms_r = np.sqrt(2 * ker.train_loss), np.sqrt(2 * ref.train_loss)
    np.testing.assert_allclose(rms_k, rms_r, rtol=1e-9, atol=1e-9 * rms_r.max())
    np.testing.assert_allclose(ker.test_loss, ref.test_loss, rtol=1e-9)
