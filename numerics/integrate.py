"""Momentum gradient flow MGF(λ) on any gradient: λẅ + ẇ + ∇F(w) = 0 (λ = 0 is gradient flow).

:func:`solve_mgf` writes the flow in first-order form and hands it to the one front door for flows,
:func:`numerics.flow.solve_flow`, which solves it twice (the second time at tolerances 1000 times looser) and
returns a :class:`numerics.flow.FlowResult` with the state blocks ``w`` (and ``v`` = ẇ when λ > 0).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from numerics import validation as V
from numerics.flow import FlowResult, solve_flow

Grad = Callable[[np.ndarray], np.ndarray]

#: Below this λ the auto method switches to a stiff-capable solver.
STIFF_LAMBDA = 0.05


def mgf_rhs(grad: Grad, lam: float, d: int) -> Callable[[float, np.ndarray], np.ndarray]:
    """First-order form of MGF(λ) on y = (w, v): ẇ = v, v̇ = −(v + ∇F(w))/λ; for λ = 0, ẇ = −∇F(w)."""
    if lam == 0:
        return lambda _t, y: -grad(y)

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        w, v = y[:d], y[d:]
        return np.concatenate([v, -(v + grad(w)) / lam])

    return f


def solve_mgf(grad: Grad, w0: np.ndarray, v0: np.ndarray | None, lam: float, t_eval: np.ndarray, *,
              rtol: float = 1e-12, atol: float = 1e-14, method: str = "auto") -> FlowResult:
    """Solve MGF(λ) from w(0) = w0, ẇ(0) = v0 (default 0) and report the state at ``t_eval`` (increasing, >= 0).

    The result's blocks are ``w`` and, for λ > 0, ``v``. ``method`` is a method of
    :func:`numerics.flow.solve_flow`, or ``auto``: DOP853, except LSODA (stiffness switching) when
    0 < λ < STIFF_LAMBDA, where the fast time scale λ makes explicit steps tiny.
    """
    w0 = V.finite_array("w0", w0, ndim=1)
    lam = V.non_negative("lam", lam)
    v0 = np.zeros_like(w0) if v0 is None else V.finite_array("v0", v0, ndim=1)
    V.same_shape(("w0", "v0"), w0, v0)
    V.positive("rtol", rtol)
    V.positive("atol", atol)
    if method == "auto":
        method = "LSODA" if 0 < lam < STIFF_LAMBDA else "DOP853"
    d = w0.size
    y0 = w0 if lam == 0 else np.concatenate([w0, v0])
    blocks = {"w": slice(0, d)} if lam == 0 else {"w": slice(0, d), "v": slice(d, 2 * d)}
    return solve_flow(mgf_rhs(grad, lam, d), y0, t_eval, method=method, rtol=rtol, atol=atol, blocks=blocks)
