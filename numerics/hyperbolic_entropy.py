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

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from numerics import validation as V
from numerics.generated.hyperbolic_entropy import (bregman_coord, conjugate_psi_coord, grad_psi_coord,
                                                    grad_psi_inverse_coord, hess_psi_coord, psi_coord)


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


def hess_psi_diag(theta: Any, delta: Any) -> np.ndarray:
    """Diagonal of ∇²ψ_Δ(θ) = 1/√(4θ² + Δ²)."""
    th = V.finite_array("theta", theta, ndim=1)
    return hess_psi_coord(th, _delta(delta, th.size))


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


def argmin_bregman(X: Any, y: Any, delta: Any, theta_ref: Any, tol: float = 1e-12,
                   max_iter: int = 200) -> tuple[np.ndarray, dict[str, Any]]:
    """argmin over {θ : Xθ = y} of D_ψΔ(θ, θ_ref), through the dual (X must have full row rank).

    Returns (θ, info) with info = {converged, iterations, dual_residual = ‖Xθ − y‖/max(1, ‖y‖),
    newton_decrement}. Converged means dual_residual <= tol.
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

    def dual(nu_: np.ndarray) -> float:
        with np.errstate(over="ignore"):  # an overflowing trial step is rejected by the line search
            return float(np.sum(conjugate_psi_coord(z_ref + X.T @ nu_, dl)) - nu_ @ y)

    res, dec, it = np.inf, np.inf, 0
    for it in range(1, max_iter + 1):
        zv = z_ref + X.T @ nu
        th = grad_psi_inverse_coord(zv, dl)
        g = X @ th - y
        res = float(np.linalg.norm(g)) / scale
        if res <= tol:
            break
        H = (X * (dl * np.cosh(2 * zv))) @ X.T
        step = np.linalg.solve(H, -g)
        dec = float(-g @ step)
        dz = float(np.max(np.abs(X.T @ step)))
        if dz > MAX_DZ:  # z enters through sinh/cosh: cap its change per iteration (tiny Δ, far from the optimum)
            step, dec = step * (MAX_DZ / dz), dec * (MAX_DZ / dz)
        t = 1.0
        if dec > 1e-10:  # Armijo backtracking; near the optimum the full Newton step is taken (the
            f0 = dual(nu)  # decrease is then below the rounding of the dual value)
            while t > 1e-12 and not dual(nu + t * step) <= f0 - 0.25 * t * dec:
                t *= 0.5
        nu = nu + t * step
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
                  rtol: float = 1e-12, atol: float = 1e-16) -> GradientFlowResult:
    """Gradient flow on F(u, v) = L(u⊙v) from an initialisation with balancedness Δ and predictor θ₀.

    In (w₊, w₋) coordinates GF is w± = w±,₀ exp(∓J_t) with J̇ = ∇L(θ_t), so only J (d numbers) is
    integrated (LSODA with its exact Jacobian), until L(θ) <= loss_tol (an event) or t_max.
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

    def converged(_t: float, J: np.ndarray) -> float:
        r = X @ theta(J) - y
        return float(np.log(0.5 * r @ r / n + 1e-300) - np.log(loss_tol))

    converged.terminal = True
    sol = solve_ivp(rhs, (0.0, t_max), np.zeros(th0.size), method="LSODA", jac=jac, rtol=rtol, atol=atol,
                    events=converged)
    th = theta(sol.y[:, -1])
    r = X @ th - y
    loss = float(0.5 * r @ r / n)
    ok = bool(sol.status == 1)  # the convergence event fired
    return GradientFlowResult(th, float(sol.t[-1]), loss, ok, str(sol.message))


def gradient_flow_limit(X: Any, y: Any, delta: Any, theta_tilde0: Any) -> np.ndarray:
    """θ_GF(Δ): the limit of gradient flow started with balancedness Δ and predictor θ̃₀ (eq. 5 says it
    equals argmin_S D_ψΔ(·, θ̃₀)); θ̃₀ = 0 gives the paper's θ^GF_Δ (u₀ = √Δ, v₀ = 0) = argmin_S ψ_Δ.
    Raises RuntimeError if the flow does not reach train loss 1e-26."""
    res = gradient_flow(X, y, delta, theta_tilde0)
    if not res.success:
        raise RuntimeError(f"gradient flow did not converge: {res.message} (train loss {res.train_loss:.2e})")
    return res.theta
