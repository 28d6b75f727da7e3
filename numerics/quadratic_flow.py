"""Exact MGF(λ) on a quadratic F(w) = ½(w − w*)ᵀH(w − w*), through the generated closed form per eigen-direction."""
from __future__ import annotations

import numpy as np

from numerics import validation as V
from numerics.generated.momentum_discretisation import mgf_quadratic_mode
from numerics.losses import Quadratic


def mgf_quadratic(quad: Quadratic, w0: np.ndarray, v0: np.ndarray, lam: float, t: np.ndarray) -> np.ndarray:
    """Positions w(t) (one row per time) of λẅ + ẇ + H(w − w*) = 0 from w(0) = w0, ẇ(0) = v0.

    The closed form (``derivations.momentum_discretisation.quadratic_mode_solution``) is evaluated in
    complex arithmetic so under- and over-damped directions share one formula; it needs 4λh ≠ 1 for
    every eigenvalue h (the critically damped case is a removable singularity: move λ slightly).
    """
    w0 = V.finite_array("w0", w0, ndim=1)
    v0 = V.finite_array("v0", v0, ndim=1)
    V.same_shape(("w0", "v0"), w0, v0)
    lam = V.positive("lam", lam)
    t = V.finite_array("t", t, ndim=1)
    h, Q = quad.eig()
    if np.any(np.abs(4 * lam * h - 1) < 1e-8):
        raise ValueError("lam must keep 4*lam*h away from 1 for every eigenvalue h (critical damping)")
    x0 = Q.T @ (w0 - quad.w_star)
    y0 = Q.T @ v0
    modes, _ = mgf_quadratic_mode(t[:, None].astype(complex), x0.astype(complex), y0.astype(complex),
                                  complex(lam), h.astype(complex))
    return quad.w_star + np.real(modes) @ Q.T
