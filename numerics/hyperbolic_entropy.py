"""The hyperbolic entropy ψ_Δ (Papazov et al. eq. 6), its Bregman divergence and Bregman projections.

Formulas come from ``numerics.generated.hyperbolic_entropy`` (derived in ``derivations/hyperbolic_entropy.py``).

- :func:`psi`, :func:`grad_psi`, :func:`bregman`: the potential, its gradient ½ arcsinh(2θ/Δ) and D_ψΔ.
- :func:`argmin_bregman`: argmin over {Xθ = y} of D_ψΔ(θ, θ_ref), by Newton's method on the dual
  min_ν Σ ψ*_Δ(∇ψ_Δ(θ_ref) + Xᵀν) − ⟨ν, y⟩ (the primal is θ = (∇ψ_Δ)⁻¹(∇ψ_Δ(θ_ref) + Xᵀν)).
- :func:`gradient_flow_limit`: θ_GF(Δ), the limit of gradient flow on the diagonal network started with
  balancedness Δ and predictor θ̃₀ (the paper's θ^GF_Δ∞ is the case θ̃₀ = 0, i.e. u₀ = √Δ, v₀ = 0). It is
  computed by integrating the flow (an independent route to eq. (5), not through the dual).

>>> import numpy as np
>>> round(float(psi(np.array([0.0]), np.array([1.0]))), 12)
0.0
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import LSODA

from numerics import validation as V
from numerics.generated.hyperbolic_entropy import (
    bregman_coord,
    conjugate_psi_coord,
    grad_psi_coord,
    grad_psi_inverse_coord,
    psi_coord,
)

#: Largest change of the dual variable z = ∇ψ(θ_ref) + Xᵀν allowed in one Newton iteration.
MAX_DZ = 4.0


def _delta(delta: Any, d: int) -> np.ndarray:
    dl = V.finite_array("delta", delta)
    dl = np.broadcast_to(dl, (d,)).astype(float) if dl.ndim == 0 else dl
    if dl.shape != (d,):
        raise ValueError(f"delta must be a scalar or a vector of length {d}, got shape {dl.shape}")
    if np.any(dl <= 0):
        raise ValueError("delta must be positive in every coordinate (ψ_Δ needs Δ > 0)")
    return dl


def psi(theta: Any, delta: Any) -> float:
    """ψ_Δ(θ) of eq. (6); Δ is a positive vector (or a positive scalar for every coordinate)."""
    th = V.finite_array("theta", theta, ndim=1)
    return float(np.sum(psi_coord(th, _delta(delta, th.size))))


def grad_psi(theta: Any, delta: Any) -> np.ndarray:
    """∇ψ_Δ(θ) = ½ arcsinh(2θ/Δ)."""
    th = V.finite_array("theta", theta, ndim=1)
    return grad_psi_coord(th, _delta(delta, th.size))


def grad_psi_inverse(zv: Any, delta: Any) -> np.ndarray:
    """The θ with ∇ψ_Δ(θ) = z: (Δ/2) sinh(2z)."""
    zz = V.finite_array("z", zv, ndim=1)
    return grad_psi_inverse_coord(zz, _delta(delta, zz.size))


def bregman(theta: Any, theta_ref: Any, delta: Any) -> float:
    """D_ψΔ(θ, θ_ref) = ψ_Δ(θ) − ψ_Δ(θ_ref) − ⟨∇ψ_Δ(θ_ref), θ − θ_ref⟩."""
    th = V.finite_array("theta", theta, ndim=1)
    ref = V.finite_array("theta_ref", theta_ref, ndim=1)
    V.same_shape(("theta", "theta_ref"), th, ref)
    return float(np.sum(bregman_coord(th, ref, _delta(delta, th.size))))


def _problem(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} entries; they must match")
    return X, y


def _newton_step(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Solve H·step = −g for the symmetric positive semi-definite dual Hessian H, safeguarded: the system is first
    equilibrated by its diagonal (the curvatures Δcosh(2z) span many orders of magnitude when Δ is tiny), then
    solved by Cholesky, falling back to least squares where it is numerically singular."""
    dg = np.sqrt(np.maximum(np.diag(H), np.finfo(float).tiny))
    Hs = H / dg[:, None] / dg[None, :]
    rhs = -g / dg
    try:
        c = np.linalg.cholesky(Hs)
        sol = np.linalg.solve(c.T, np.linalg.solve(c, rhs))
    except np.linalg.LinAlgError:
        sol = np.linalg.lstsq(Hs, rhs, rcond=None)[0]
    if not np.all(np.isfinite(sol)):
        sol = np.linalg.lstsq(Hs, rhs, rcond=None)[0]
    return sol / dg


def argmin_bregman(X: Any, y: Any, delta: Any, theta_ref: Any, tol: float = 1e-12,
                   max_iter: int = 200) -> tuple[np.ndarray, dict[str, Any]]:
    """argmin over {θ : Xθ = y} of D_ψΔ(θ, θ_ref), through the dual (X must have full row rank).

    Newton's method on the dual f(ν) = Σ ψ*_Δ(∇ψ_Δ(θ_ref) + Xᵀν) − ⟨ν, y⟩, whose gradient is the primal residual
    Xθ(ν) − y and whose Hessian is X diag(Δcosh 2z) Xᵀ. Each Newton step is solved by ``_newton_step`` (equilibrated,
    with a least-squares fallback), capped so that z moves by at most MAX_DZ, and backtracked until it decreases
    the dual (Armijo) or, once the dual's decrease is below its rounding, the residual norm. Returns (θ, info) with
    info = {converged, iterations, dual_residual = ‖Xθ − y‖/max(1, ‖y‖), newton_decrement}; converged means
    dual_residual <= tol.
    """
    X, y = _problem(X, y)
    ref = V.finite_array("theta_ref", theta_ref, ndim=1)
    if ref.size != X.shape[1]:
        raise ValueError(f"theta_ref must have length {X.shape[1]} (columns of X), got {ref.size}")
    dl = _delta(delta, ref.size)
    V.positive("tol", tol)
    V.count("max_iter", max_iter)
    z_ref = grad_psi_coord(ref, dl)
    scale = max(1.0, float(np.linalg.norm(y)))
    nu = np.zeros(X.shape[0])

    def evaluate(nu_: np.ndarray) -> tuple[float, np.ndarray]:
        """Dual value and gradient (= primal residual); non-finite when a trial step overflows."""
        with np.errstate(over="ignore", invalid="ignore"):
            zz = z_ref + X.T @ nu_
            return (float(np.sum(conjugate_psi_coord(zz, dl)) - nu_ @ y), X @ grad_psi_inverse_coord(zz, dl) - y)

    f, g = evaluate(nu)
    res, dec, it = float(np.linalg.norm(g)) / scale, np.inf, 0
    for it in range(1, max_iter + 1):
        if res <= tol:
            break
        zv = z_ref + X.T @ nu
        H = (X * (dl * np.cosh(2 * zv))) @ X.T
        step = _newton_step(H, g)
        dec = float(-g @ step)
        dz = float(np.max(np.abs(X.T @ step)))
        if dz > MAX_DZ:  # z enters through sinh/cosh: cap its change per iteration (tiny Δ, far from the optimum)
            step, dec = step * (MAX_DZ / dz), dec * (MAX_DZ / dz)
        gnorm, t = float(np.linalg.norm(g)), 1.0
        while True:
            f_new, g_new = evaluate(nu + t * step)
            if np.isfinite(f_new) and np.all(np.isfinite(g_new)) and (
                    f_new <= f - 0.25 * t * dec or float(np.linalg.norm(g_new)) <= (1 - 0.25 * t) * gnorm):
                break
            t *= 0.5
            if t < 1e-12:
                break
        if t < 1e-12:  # no acceptable step: the residual is at the level the rounding of X, y allows
            break
        nu, f, g = nu + t * step, f_new, g_new
        res = float(np.linalg.norm(g)) / scale
    th = grad_psi_inverse_coord(z_ref + X.T @ nu, dl)
    res = float(np.linalg.norm(X @ th - y)) / scale
    return th, {"converged": res <= tol, "iterations": it, "dual_residual": res, "newton_decrement": dec}


@dataclass
class GradientFlowResult:
    """The end point of gradient flow on the diagonal network, with how the solve went."""

    theta: np.ndarray
    t_end: float
    train_loss: float
    success: bool
    message: str


def gradient_flow(X: Any, y: Any, delta: Any, theta0: Any, *, loss_tol: float = 1e-26, t_max: float = 1e9,
                  rtol: float = 1e-12, atol: float = 1e-16, max_seconds: float | None = None) -> GradientFlowResult:
    """Gradient flow on F(u, v) = L(u⊙v) from an initialisation with balancedness Δ and predictor θ₀.

    In (w₊, w₋) coordinates GF is w± = w±,₀ exp(∓J_t) with J̇ = ∇L(θ_t), so only J (d numbers) is
    integrated (LSODA with its exact Jacobian), until L(θ) <= loss_tol (checked after every step) or t_max.
    With a tiny Δ the last phase is slow (the loss decays at a rate ~ Δ‖x‖² once coordinates off the support are
    needed to interpolate);
    ``max_seconds`` (None: unlimited) ends such a solve with success=False and a message saying so.
    """
    X, y = _problem(X, y)
    th0 = V.finite_array("theta0", theta0, ndim=1)
    dl = _delta(delta, th0.size)
    V.positive("loss_tol", loss_tol)
    n = X.shape[0]
    H, b = X.T @ X / n, X.T @ y / n
    wp2 = 2 * th0 + np.sqrt(4 * th0 ** 2 + dl ** 2)  # w₊,₀², with w₊,₀ w₋,₀ = Δ and (w₊² − w₋²)/4 = θ₀
    wm2 = dl ** 2 / wp2

    def theta(J: np.ndarray) -> np.ndarray:
        return (wp2 * np.exp(-2 * J) - wm2 * np.exp(2 * J)) / 4

    def rhs(_t: float, J: np.ndarray) -> np.ndarray:
        return H @ theta(J) - b

    def jac(_t: float, J: np.ndarray) -> np.ndarray:
        return H * (-(wp2 * np.exp(-2 * J) + wm2 * np.exp(2 * J)) / 2)

    def loss_of(J: np.ndarray) -> float:
        r = X @ theta(J) - y
        return float(0.5 * r @ r / n)

    if max_seconds is not None:
        V.positive("max_seconds", max_seconds)
    deadline = np.inf if max_seconds is None else time.monotonic() + max_seconds
    # stepped by hand and stopped at the first step whose loss is <= loss_tol: an event located on the dense output
    # fails (brentq without a sign change) when the interpolant and the step disagree about a loss near 1e-26
    solver = LSODA(rhs, 0.0, np.zeros(th0.size), t_max, rtol=rtol, atol=atol, jac=jac)
    ok, msg = False, "t_max reached before the train loss fell below loss_tol"
    while solver.status == "running":
        solver.step()
        if solver.status == "failed":
            msg = f"the solver failed at t = {solver.t:.4g}"
            break
        if loss_of(solver.y) <= loss_tol:
            ok, msg = True, "converged: train loss below loss_tol"
            break
        if time.monotonic() > deadline:
            msg = (f"wall-clock budget of {max_seconds:g} s ran out at t = {solver.t:.4g} "
                   f"(train loss {loss_of(solver.y):.2e})")
            break
    th = theta(solver.y)
    return GradientFlowResult(th, float(solver.t), loss_of(solver.y), ok, msg)


def gradient_flow_limit(X: Any, y: Any, delta: Any, theta_tilde0: Any) -> np.ndarray:
    """θ_GF(Δ): the limit of gradient flow started with balancedness Δ and predictor θ̃₀ (eq. 5 says it
    equals argmin_S D_ψΔ(·, θ̃₀)); θ̃₀ = 0 gives the paper's θ^GF_Δ (u₀ = √Δ, v₀ = 0) = argmin_S ψ_Δ.
    Raises RuntimeError if the flow does not reach train loss 1e-26."""
    res = gradient_flow(X, y, delta, theta_tilde0)
    if not res.success:
        raise RuntimeError(f"gradient flow did not converge: {res.message} (train loss {res.train_loss:.2e})")
    return res.theta
