"""Batched numba kernels for the general architectures of momentum_dln Figures 2 and 6: MGD(γ, β) on every point
of a (γ, β) grid at once, each grid point one independent run (``prange`` over the points, so the result does
not depend on the thread count).

- :func:`relu_grid`: the ReLU teacher-student of :func:`numerics.momentum_discrete.relu_teacher_student` (one
  hidden layer, square loss), per point until its train loss reaches the stop or the step limit.
- :func:`dln_grid`: the deep linear network x ↦ W_L···W_1 x with a scalar output of
  :func:`numerics.momentum_discrete.deep_linear_network`. With one output the gradient of layer j is the outer
  product p_j q_jᵀ of p_j = (W_L···W_{j+1})ᵀ and q_j = W_{j−1}···W_1 ∇_θL, so a step is matrix-vector products
  (about 8 flops per weight) instead of the reference's matrix products over the n samples (about 6n per
  weight).

The update is the generated ``mgd_update`` (numerics.generated.momentum_discretisation) compiled by numba, never
retyped. The sums run in another order than numpy's (BLAS, einsum, pairwise means), so the kernels agree with the
numpy reference to a rounding bound, not bitwise (tests/test_architecture_kernels.py derives the bound).
"""
from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

import numba
import numpy as np

import numerics.smgd_kernels  # noqa: F401  (registers the mutation tool's trace call as a no-op for numba)
from numerics.generated import momentum_discretisation as _gen
from numerics.kernel_cache import flush_if_changed

#: the generated MGD step, compiled as the kernels call it
compiled_mgd_update = numba.njit(_gen.mgd_update)


def trace_formulas() -> None:
    """Record the use of the generated step under the mutation tool's tracing (its calls inside compiled code are
    not seen); a plain call otherwise."""
    _gen.mgd_update(1.0, 1.0, 0.0, 0.1, 0.5)


@numba.njit(cache=True)
def relu_loss_grad(WT, a, X, y, h, r, gWT, ga, c) -> float:
    """Train loss ½mean(r²) of the student with first layer ``WT`` (transposed: (dim, k)) and output weights ``a``,
    r = relu(X W)a − y, and its gradient into ``gWT`` (transposed) and ``ga``; ``h`` (n, k) receives relu(X W),
    ``r`` (n,) the residuals, ``c`` (k,) is work space. The loops over the k units are contiguous (LLVM vectorises
    them); NaN propagates as in numpy."""
    n, dim = X.shape
    k = a.size
    acc = 0.0
    for i in range(n):
        hi = h[i]
        hi[:] = 0.0
        for t in range(dim):
            xt, wt = X[i, t], WT[t]
            for j in range(k):
                hi[j] += xt * wt[j]
        out = 0.0
        for j in range(k):
            v = hi[j]
            v = v if (v > 0.0 or v != v) else 0.0  # np.maximum(v, 0): NaN stays NaN
            hi[j] = v
            out += v * a[j]
        r[i] = out - y[i]
        acc += r[i] * r[i]
    ga[:] = 0.0
    gWT[:] = 0.0
    for i in range(n):
        hi, ri = h[i], r[i]
        for j in range(k):
            ga[j] += hi[j] * ri
            c[j] = (ri * a[j]) * (1.0 if hi[j] > 0.0 else 0.0)  # (r a)·[pre > 0], as numpy multiplies the mask
        for t in range(dim):
            xt, gt = X[i, t], gWT[t]
            for j in range(k):
                gt[j] += c[j] * xt
    for j in range(k):
        ga[j] = ga[j] / n
    for t in range(dim):
        for j in range(k):
            gWT[t, j] = gWT[t, j] / n
    return 0.5 * (acc / n)


@numba.njit(cache=True)
def mgd_rows(w, wp, grad, gamma, beta):
    """One MGD step of the flat rows w (previous iterate wp) with gradient ``grad``, in place."""
    for i in range(w.size):
        cur = w[i]
        w[i] = compiled_mgd_update(cur, wp[i], grad[i], gamma, beta)
        wp[i] = cur


@numba.njit(cache=True, parallel=True)
def relu_grid(W, a, Wp, ap, X, y, gamma, beta, max_steps, stop_loss, has_stop, loss, steps):
    """MGD(γ_g, β_g) on the student (W[g], a[g]) of every grid point g, the previous iterate in (Wp[g], ap[g]),
    both in place (w₋₁ = w₀ at the start of a run); a point stops (frozen) at the first step k whose train loss
    <= ``stop_loss`` (``steps[g]`` = k) when ``has_stop``, else runs ``max_steps`` (``steps[g]`` = max_steps).
    ``loss[g]`` is the train loss at the end. The first layer is worked on transposed, (dim, k)."""
    G, k, dim = W.shape
    n = X.shape[0]
    for g in numba.prange(G):
        h, r, c = np.empty((n, k)), np.empty(n), np.empty(k)
        gWT, ga = np.empty((dim, k)), np.empty(k)
        WT, WTp = np.ascontiguousarray(W[g].T), np.ascontiguousarray(Wp[g].T)
        ag, apg = a[g], ap[g]
        steps[g] = max_steps
        for s in range(max_steps):
            cur = relu_loss_grad(WT, ag, X, y, h, r, gWT, ga, c)
            if has_stop and cur <= stop_loss:
                steps[g] = s
                break
            mgd_rows(WT.reshape(-1), WTp.reshape(-1), gWT.reshape(-1), gamma[g], beta[g])
            mgd_rows(ag, apg, ga, gamma[g], beta[g])
        loss[g] = relu_loss_grad(WT, ag, X, y, h, r, gWT, ga, c)
        W[g] = WT.T
        Wp[g] = WTp.T


@numba.njit(cache=True)
def dot8(a, b) -> float:
    """Σ a_i b_i in eight interleaved partial sums (a fixed order, so the same on every machine; independent
    chains, so not bound by the latency of one addition)."""
    n = a.size
    m = n - n % 8
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for i in range(0, m, 8):
        s0 += a[i] * b[i]
        s1 += a[i + 1] * b[i + 1]
        s2 += a[i + 2] * b[i + 2]
        s3 += a[i + 3] * b[i + 3]
        s4 += a[i + 4] * b[i + 4]
        s5 += a[i + 5] * b[i + 5]
        s6 += a[i + 6] * b[i + 6]
        s7 += a[i + 7] * b[i + 7]
    for i in range(m, n):
        s0 += a[i] * b[i]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@numba.njit(cache=True)
def offsets(widths):
    """Start of layer j in the flat weights (row-major (widths[j+1], widths[j]) blocks) and start of width j in
    the vectors p and q, each with its total appended."""
    L = widths.size - 1
    offs, voffs = np.zeros(L + 1, np.int64), np.zeros(L + 2, np.int64)
    for j in range(L):
        offs[j + 1] = offs[j] + widths[j] * widths[j + 1]
    for j in range(L + 1):
        voffs[j + 1] = voffs[j] + widths[j]
    return offs, voffs


@numba.njit(cache=True)
def dln_vectors(w, widths, X, y, p, q, r) -> float:
    """Train loss ½mean(r²) of the deep linear network with flat weights ``w`` (layer j row-major, shape
    (widths[j+1], widths[j])), r = Xθ − y; fills p (θ at [0, d), p_j = (W_L···W_{j+1})ᵀ at the offset of width
    j + 1) and q (q_0 = ∇_θL = Xᵀr/n, q_{j+1} = W_j q_j at the offset of width j + 1). Row slices keep the inner
    loops simple enough for LLVM to vectorise."""
    L = widths.size - 1
    n, d = X.shape
    offs, voffs = offsets(widths)
    p[voffs[L]] = 1.0
    for j in range(L - 1, -1, -1):
        ni = widths[j]
        pin = p[voffs[j]:voffs[j] + ni]
        pin[:] = 0.0
        for o in range(widths[j + 1]):
            c = p[voffs[j + 1] + o]
            row = w[offs[j] + o * ni:offs[j] + (o + 1) * ni]
            for i in range(ni):
                pin[i] += c * row[i]
    acc = 0.0
    for i in range(n):
        s = 0.0
        for t in range(d):
            s += X[i, t] * p[t]
        r[i] = s - y[i]
        acc += r[i] * r[i]
    q0 = q[0:d]
    q0[:] = 0.0
    for i in range(n):
        xi, ri = X[i], r[i]
        for t in range(d):
            q0[t] += xi[t] * ri
    for t in range(d):
        q0[t] = q0[t] / n
    for j in range(L - 1):
        ni = widths[j]
        qj = q[voffs[j]:voffs[j] + ni]
        for o in range(widths[j + 1]):
            q[voffs[j + 1] + o] = dot8(w[offs[j] + o * ni:offs[j] + (o + 1) * ni], qj)
    return 0.5 * (acc / n)


@numba.njit(cache=True)
def dln_update(w, wp, widths, p, q, gamma, beta):
    """One MGD step of every layer from the vectors of :func:`dln_vectors`: ∂W_j = p_j q_jᵀ, in place (w_prev
    receives w)."""
    offs, voffs = offsets(widths)
    for j in range(widths.size - 1):
        ni = widths[j]
        qj = q[voffs[j]:voffs[j] + ni]
        for o in range(widths[j + 1]):
            c = p[voffs[j + 1] + o]
            row = w[offs[j] + o * ni:offs[j] + (o + 1) * ni]
            prow = wp[offs[j] + o * ni:offs[j] + (o + 1) * ni]
            for i in range(ni):
                cur = row[i]
                row[i] = compiled_mgd_update(cur, prow[i], c * qj[i], gamma, beta)
                prow[i] = cur


@numba.njit(cache=True, parallel=True)
def dln_grid(w, w_prev, widths, X, y, gamma, beta, epochs, loss, theta):
    """``epochs`` steps of MGD(γ_g, β_g) on the flat weights w[g] of every grid point g, the previous iterate in
    w_prev[g], both in place (w₋₁ = w₀ at the start of a run); ``loss[g]`` and ``theta[g]`` (= W_L···W_1) at the
    end."""
    G = w.shape[0]
    n, d = X.shape
    V = widths.sum()
    for g in numba.prange(G):
        wg, wp = w[g], w_prev[g]
        p, q, r = np.empty(V), np.empty(V), np.empty(n)
        for _ in range(epochs):
            dln_vectors(wg, widths, X, y, p, q, r)
            dln_update(wg, wp, widths, p, q, gamma[g], beta[g])
        loss[g] = dln_vectors(wg, widths, X, y, p, q, r)
        for t in range(d):
            theta[g, t] = p[t]


#: the kernels cached on disk (what :func:`flush_if_stale` flushes)
KERNELS = (relu_loss_grad, mgd_rows, relu_grid, dot8, offsets, dln_vectors, dln_update, dln_grid)
#: where the digest of the compiled generated step is kept, beside numba's cache
FORMULA_STAMP = Path(__file__).parent / "__pycache__" / f"{Path(__file__).stem}.formulas.sha256"


def flush_if_stale(stamp: Path = FORMULA_STAMP, kernels: tuple = KERNELS) -> None:
    """numba keys its disk cache on this file only: drop the cache of ``kernels`` when the generated step they
    compile has changed (its digest is kept in ``stamp``)."""
    flush_if_changed(hashlib.sha256(inspect.getsource(_gen.mgd_update).encode()).hexdigest(), stamp, kernels)


flush_if_stale()
