"""Fused numba kernel for :func:`numerics.hb_nag.momentum_iterates`: many HB/NAG/GD/SGD steps per call.

Per step, for every run (row) at once: the look-ahead point (NAG), θ = a² − b², the residuals
(Xθ − y)/n and ∂_θL = ((Xθ − y)/n)X by BLAS ``dot`` (full batch, with a contiguous Xᵀ: BLAS's transposed
path is slower at these sizes) or the one-sample gradient (SGD), then one flat pass for ∂_u = 2a∂_θL,
∂_v = −2b∂_θL, p = μp − η∂ and w + p. The floating-point operations are those of the numpy reference step in
tests/test_batched_kernels.py in the same order (no fastmath, no FMA contraction), so the iterates agree
bitwise.
"""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def residuals(r, y, q):
    """r[g, i] = (r[g, i] − y[i])/q in place (a function of its own so that LLVM vectorises it)."""
    for g in range(r.shape[0]):
        for i in range(r.shape[1]):
            r[g, i] = (r[g, i] - y[i]) / q


@numba.njit(cache=True)
def _theta(u, v, pu, pv, mu, th, nag):
    """θ = a² − b² at the gradient point (a, b) = (u, v) (HB) or (u + μp_u, v + μp_v) (NAG), into ``th``. The
    (G, d) arrays are C-contiguous and walked flat: LLVM vectorises the flat loop, not the nested one."""
    u, v, pu, pv, mu, th = u.reshape(-1), v.reshape(-1), pu.reshape(-1), pv.reshape(-1), mu.reshape(-1), th.reshape(-1)
    for i in range(u.size):
        a, b = u[i], v[i]
        if nag:
            a = a + mu[i] * pu[i]
            b = b + mu[i] * pv[i]
        th[i] = a * a - b * b


@numba.njit(cache=True)
def _point_update(u, v, pu, pv, gth, eta, mu, nag):
    """Gradient of each run's (u, v) from ∂_θL = ``gth``, p = μp − η∂ and w ← w + p, in place (flat, as in
    :func:`_theta`)."""
    u, v, pu, pv = u.reshape(-1), v.reshape(-1), pu.reshape(-1), pv.reshape(-1)
    gth, eta, mu = gth.reshape(-1), eta.reshape(-1), mu.reshape(-1)
    for i in range(u.size):
        m, e = mu[i], eta[i]
        a, b = u[i], v[i]
        if nag:
            a = a + m * pu[i]
            b = b + m * pv[i]
        t = gth[i]
        gu = 2 * a * t
        gv = -2 * b * t
        qu = m * pu[i] - e * gu
        qv = m * pv[i] - e * gv
        pu[i] = qu
        pv[i] = qv
        u[i] = u[i] + qu
        v[i] = v[i] + qv


@numba.njit(cache=True)
def momentum_steps(u, v, pu, pv, eta, mu, X, y, samples, steps, record_every, out_u, out_v, nag, vector):
    """``steps`` steps of HB (eq. 2) or NAG (eq. 3, ``nag``) for the rows of ``u``/``v`` (G, d) in place, with
    momenta ``pu``/``pv`` and per-element ``eta``/``mu``; full-batch ∂_θL = ((θXᵀ − y)/n)X, or, when ``samples``
    has ``steps`` entries, the sample i = samples[k−1] at step k: ∂_θL = (θ·x_i − y_i)x_i. Writes the
    iterates at k = r, 2r, … into ``out_u``/``out_v`` rows k // r. ``vector``: one unbatched run, whose SGD
    product θ·x_i is a dot product (as numpy forms it for 1-d θ) rather than a matrix-vector product."""
    G, d = u.shape
    n = X.shape[0]
    full = samples.shape[0] == 0
    th = np.empty((G, d))
    gth = np.empty((G, d))
    r = np.empty((G, n))
    XT = np.ascontiguousarray(X.T)  # a contiguous operand: the transposed one takes BLAS's slower path
    for k in range(1, steps + 1):
        _theta(u, v, pu, pv, mu, th, nag)
        if full:
            np.dot(th, XT, r)
            residuals(r, y, float(n))
            np.dot(r, X, gth)
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
        _point_update(u, v, pu, pv, gth, eta, mu, nag)
        if k % record_every == 0:
            out_u[k // record_every] = u
            out_v[k // record_every] = v
