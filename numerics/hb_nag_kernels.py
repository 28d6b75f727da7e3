"""Fused numba kernel for :func:`numerics.hb_nag.momentum_iterates`: many HB/NAG/GD/SGD steps per call.

Per step, for every run (row) at once: the look-ahead point (NAG), θ = a² − b², the residual product
Xθ − y and ∂_θL = (·)X/n by BLAS ``dot`` (full batch) or the one-sample gradient (SGD), then one pass
per run for ∂_u = 2a∂_θL, ∂_v = −2b∂_θL, p = μp − η∂ and w + p. The floating-point operations are the
former numpy ones in the same order (no fastmath, no FMA contraction), so the iterates agree bitwise
(tests/test_batched_kernels.py).
"""
from __future__ import annotations

import numba
import numpy as np

from numerics.smgd_kernels import subtract_rows


@numba.njit(cache=True)
def _theta(u, v, pu, pv, mu, th, nag):
    """θ = a² − b² at the gradient point (a, b) = (u, v) (HB) or (u + μp_u, v + μp_v) (NAG), into ``th``."""
    for g in range(u.shape[0]):
        for j in range(u.shape[1]):
            a, b = u[g, j], v[g, j]
            if nag:
                a = a + mu[g, j] * pu[g, j]
                b = b + mu[g, j] * pv[g, j]
            th[g, j] = a * a - b * b


@numba.njit(cache=True)
def _point_update(u, v, pu, pv, gth, q, eta, mu, nag):
    """Gradient of each run's (u, v) from ∂_θL = ``gth``/``q``, p = μp − η∂ and w ← w + p, in place."""
    for g in range(u.shape[0]):
        for j in range(u.shape[1]):
            m, e = mu[g, j], eta[g, j]
            a, b = u[g, j], v[g, j]
            if nag:
                a = a + m * pu[g, j]
                b = b + m * pv[g, j]
            t = gth[g, j] / q
            gu = 2 * a * t
            gv = -2 * b * t
            qu = m * pu[g, j] - e * gu
            qv = m * pv[g, j] - e * gv
            pu[g, j] = qu
            pv[g, j] = qv
            u[g, j] = u[g, j] + qu
            v[g, j] = v[g, j] + qv


@numba.njit(cache=True)
def momentum_steps(u, v, pu, pv, eta, mu, X, y, samples, steps, record_every, out_u, out_v, nag, vector):
    """``steps`` steps of HB (eq. 2) or NAG (eq. 3, ``nag``) for the rows of ``u``/``v`` (G, d) in place, with
    momenta ``pu``/``pv`` and per-element ``eta``/``mu``; full-batch ∂_θL = (θXᵀ − y)X/n, or, when ``samples``
    has ``steps`` entries, the sample i = samples[k−1] at step k: ∂_θL = (θ·x_i − y_i)x_i. Writes the
    iterates at k = r, 2r, … into ``out_u``/``out_v`` rows k // r. ``vector``: one unbatched run, whose SGD
    product θ·x_i is a dot product (as numpy forms it for 1-d θ) rather than a matrix-vector product."""
    G, d = u.shape
    n = X.shape[0]
    full = samples.shape[0] == 0
    th = np.empty((G, d))
    gth = np.empty((G, d))
    r = np.empty((G, n))
    for k in range(1, steps + 1):
        _theta(u, v, pu, pv, mu, th, nag)
        if full:
            np.dot(th, X.T, r)
            subtract_rows(r, y)
            np.dot(r, X, gth)
            q = float(n)
        else:
            i = samples[k - 1]
            xi = np.ascontiguousarray(X[i])
            if vector:
                s = np.full(1, np.dot(th[0], xi))
            else:
                s = np.dot(th, xi)
            for g in range(G):
                for j in range(d):
                    gth[g, j] = (s[g] - y[i]) * xi[j]
            q = 1.0
        _point_update(u, v, pu, pv, gth, q, eta, mu, nag)
        if k % record_every == 0:
            out_u[k // record_every] = u
            out_v[k // record_every] = v
