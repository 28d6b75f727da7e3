"""Integrators of momentum gradient flow MGF(λ): λẅ + ẇ + ∇F(w) = 0 (λ = 0 is gradient flow).

:func:`solve_mgf` mirrors ``scipy.integrate.solve_ivp``: one call, a result that says whether it
succeeded and why, and an independent error estimate (the same problem solved a second time at a
tolerance 1000 times looser; their difference bounds the error of the looser one, and so of the
tighter one, which is returned).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

from numerics import validation as V

Grad = Callable[[np.ndarray], np.ndarray]

#: Below this λ the auto method switches to a stiff-capable solver.
STIFF_LAMBDA = 0.05


@dataclass
class FlowSolution:
    """Positions ``w`` and velocities ``v`` at times ``t`` (rows), and how the solve went."""

    t: np.ndarray
    w: np.ndarray
    v: np.ndarray
    success: bool
    message: str
    error_estimate: float
    nfev: int


def mgf_rhs(grad: Grad, lam: float, d: int) -> Callable[[float, np.ndarray], np.ndarray]:
    """First-order form of MGF(λ) on y = (w, v): ẇ = v, v̇ = −(v + ∇F(w))/λ; for λ = 0, ẇ = −∇F(w)."""
    if lam == 0:
        return lambda _t, y: -grad(y)

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        w, v = y[:d], y[d:]
        return np.concatenate([v, -(v + grad(w)) / lam])

    return f


def _solve(grad: Grad, w0: np.ndarray, v0: np.ndarray, lam: float, t_eval: np.ndarray, rtol: float,
           atol: float, method: str):
    d = w0.size
    y0 = w0 if lam == 0 else np.concatenate([w0, v0])
    return solve_ivp(mgf_rhs(grad, lam, d), (0.0, float(t_eval[-1])), y0, method=method, t_eval=t_eval,
                     rtol=rtol, atol=atol)


def solve_mgf(grad: Grad, w0: np.ndarray, v0: np.ndarray | None, lam: float, t_eval: np.ndarray, *,
              rtol: float = 1e-12, atol: float = 1e-14, method: str = "auto") -> FlowSolution:
    """Solve MGF(λ) from w(0) = w0, ẇ(0) = v0 and report values at ``t_eval`` (increasing, from >= 0).

    ``method`` is a ``solve_ivp`` method name, or ``auto``: DOP853, except LSODA (stiffness switching) when
    0 < λ < STIFF_LAMBDA, where the fast time scale λ makes explicit steps tiny.
    """
    w0 = V.finite_array("w0", w0, ndim=1)
    lam = V.non_negative("lam", lam)
    v0 = np.zeros_like(w0) if v0 is None else V.finite_array("v0", v0, ndim=1)
    V.same_shape(("w0", "v0"), w0, v0)
    t_eval = V.finite_array("t_eval", t_eval, ndim=1)
    if t_eval.size == 0 or t_eval[0] < 0 or np.any(np.diff(t_eval) < 0):
        raise ValueError("t_eval must be a non-empty, non-decreasing array of times >= 0")
    V.positive("rtol", rtol)
    V.positive("atol", atol)
    if method == "auto":
        method = "LSODA" if 0 < lam < STIFF_LAMBDA else "DOP853"
    d = w0.size
    fine = _solve(grad, w0, v0, lam, t_eval, rtol, atol, method)
    coarse = _solve(grad, w0, v0, lam, t_eval, rtol * 1e3, atol * 1e3, method)
    ok = bool(fine.success and coarse.success)
    if not ok:
        msg = fine.message if not fine.success else coarse.message
        return FlowSolution(t_eval, np.full((t_eval.size, d), np.nan), np.full((t_eval.size, d), np.nan),
                            False, str(msg), float("inf"), int(fine.nfev + coarse.nfev))
    yf, yc = fine.y.T, coarse.y.T
    w = yf[:, :d]
    if lam == 0:
        v = -np.array([grad(x) for x in w])
    else:
        v = yf[:, d:]
    err = float(np.max(np.abs(yf - yc)))
    return FlowSolution(t_eval, w, v, True, str(fine.message), err, int(fine.nfev + coarse.nfev))
