"""Discrete optimisers, batched over leading axes: MGD(γ, β) and GD(γ).

The update rule comes from ``numerics.generated.momentum_discretisation.mgd_update`` (derived from
scheme (2) of Papazov et al.); ``gamma`` and ``beta`` may be arrays that broadcast against the batch
axes of ``w0`` (shape ``batch + (1,)``), so one call runs a whole parameter grid. :func:`iteration_roundoff` is
the rounding such a run can accumulate.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from numerics import validation as V
from numerics.generated.momentum_discretisation import mgd_update

Grad = Callable[[np.ndarray], np.ndarray]


def _check_params(gamma: np.ndarray, beta: np.ndarray) -> None:
    if not (np.all(np.isfinite(gamma)) and np.all(gamma > 0)):
        raise ValueError("gamma (step size) must be finite and > 0")
    if not (np.all(np.isfinite(beta)) and np.all((beta >= 0) & (beta < 1))):
        raise ValueError("beta (momentum) must lie in [0, 1)")


def mgd(grad: Grad, w0: np.ndarray, w1: np.ndarray, gamma: float | np.ndarray, beta: float | np.ndarray,
        steps: int, *, record_every: int = 1) -> np.ndarray:
    """Iterates w_0, w_r, w_2r, ... (r = ``record_every``) of MGD(γ, β) started at (w_0, w_1), up to w_steps.

    Returns an array of shape ``(steps // r + 1,) + w0.shape``.
    """
    w0 = V.finite_array("w0", w0)
    w1 = V.finite_array("w1", w1)
    V.same_shape(("w0", "w1"), w0, w1)
    V.count("steps", steps)
    V.count("record_every", record_every)
    gamma, beta = np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)
    _check_params(gamma, beta)
    out = np.empty((steps // record_every + 1,) + w0.shape)
    out[0] = w0
    w_prev, w = w0, w1
    if record_every == 1:
        out[1] = w1
    for k in range(1, steps):
        w_prev, w = w, mgd_update(w, w_prev, grad(w), gamma, beta)
        if (k + 1) % record_every == 0:
            out[(k + 1) // record_every] = w
    return out


def gd(grad: Grad, w0: np.ndarray, gamma: float | np.ndarray, steps: int, *, record_every: int = 1) -> np.ndarray:
    """Iterates of GD(γ) (MGD with β = 0 from w_1 = w_0 − γ∇F(w_0)), recorded every ``record_every`` steps."""
    w0 = V.finite_array("w0", w0)
    gamma_arr = np.asarray(gamma, dtype=float)
    _check_params(gamma_arr, np.zeros(1))
    w1 = w0 - gamma_arr * grad(w0)
    return mgd(grad, w0, w1, gamma_arr, 0.0, steps, record_every=record_every)


def iteration_roundoff(steps: int, scale: float) -> float:
    """Bound on the rounding accumulated by ``steps`` contracting double-precision updates of size ``scale``."""
    return steps * float(np.finfo(float).eps) * max(scale, 1.0)
