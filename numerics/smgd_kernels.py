"""Fused numba kernels for :func:`numerics.momentum_discrete.smgd`: many steps of eq. (26) per call.

One call advances every active run from step ``k0`` to ``k1`` in compiled code: per step the gradient
product (BLAS ``dot`` on the (G, d+1) rows [w₊² − w₋², 1], or the two mini-batch products), then one pass
over (run, coordinate) that forms w±,k+1 for both signs, counts sign changes and exact zeros branch-free,
adds the S± / momentum sums (when tracked) and writes the next θ-row. The floating-point operations are
those of the numpy reference step in tests/test_batched_kernels.py, in the same order (no fastmath, so no FMA
contraction), so results agree bitwise. The step coefficients (a₀, a₁, c) come from the generated
``smgd_step_coefficients`` (tabulated by the caller) and r(z), r(1 + h) are the generated ``r_fn`` /
``r_increment`` compiled by numba, never retyped. Compiled code is cached on disk (``cache=True``); the cache
is flushed whenever the generated source these kernels compile changes (see :func:`flush_if_stale`).
"""
from __future__ import annotations

import builtins
import hashlib
import inspect
import math
from pathlib import Path

import numba
import numba.extending
import numpy as np

from numerics.generated import momentum_discrete as _gen
from numerics.kernel_cache import flush_if_changed

_FORMULAS = (_gen.r_fn, _gen.r_increment)


def _tracing() -> bool:
    """Whether the mutation harness's tracing (tools/mutation) is on: it puts a call of the builtin
    ``__mutation_trace__`` at the top of every generated function (and sets the builtin), which numba cannot
    type."""
    return hasattr(builtins, "__mutation_trace__") and any(
        "__mutation_trace__" in f.__code__.co_names for f in _FORMULAS)


if _tracing():  # compile the trace call as a no-op; :func:`trace_formulas` records the use from Python
    @numba.extending.overload(builtins.__mutation_trace__)
    def _no_trace(key):  # pragma: no cover - only under the mutation tool
        return lambda key: None


def trace_formulas() -> None:
    """Under the mutation tool's tracing, record that the caller reached the generated formulas the kernels
    compile (their calls inside compiled code are not seen); otherwise nothing."""
    if _tracing():
        _gen.r_fn(2.0)
        _gen.r_increment(0.5)


#: the generated r(z) and r(1 + h), compiled as the kernels call them (a reference step can call them too)
compiled_r_fn = numba.njit(_gen.r_fn)
compiled_r_increment = numba.njit(_gen.r_increment)


@numba.njit(cache=True)
def _signbit(x: float) -> bool:
    return math.copysign(1.0, x) < 0.0


@numba.njit(cache=True)
def _ratio_r(num: float, den: float) -> float:
    """r(num/den) through r(1 + h), h = (num − den)/den (log1p), or r(1 + h) through ln|z| when h <= −1."""
    h = (num - den) / den
    if h <= -1.0:
        return compiled_r_fn(1.0 + h)
    return compiled_r_increment(h)


@numba.njit(cache=True)
def _nanmax(a: float, b: float) -> float:
    """np.maximum semantics: NaN if either is NaN."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


@numba.njit(cache=True)
def batch_residuals(r, y, q):
    """r[g, i] = (r[g, i]/4 − y[i])/q in place: the mini-batch residuals (⟨x_i, w₊² − w₋²⟩/4 − y_i)/|B| (×0.25 is
    the exact /4; one pass, so that LLVM vectorises it)."""
    for g in range(r.shape[0]):
        for i in range(r.shape[1]):
            r[g, i] = (r[g, i] * 0.25 - y[i]) / q


@numba.njit(cache=True)
def _update(cur, prev, grad, th, a0, a1, c, flips):
    """Eq. (26) for every run, both signs: w±,k+1 = (a₀ + a₁∇L)·w±,k + c·w±,k−1 written over ``prev``
    (w±,k−1), the next θ-rows w₊² − w₋² into ``th``, each run's count of sign changes into ``flips``
    (branch-free); returns how many new iterates are exactly 0. A function of its own so that LLVM
    vectorises the inner loop."""
    nz = 0
    for g in range(cur.shape[1]):
        a0p, a1p, cp = a0[0, g], a1[0, g], c[0, g]
        a0m, a1m, cm = a0[1, g], a1[1, g], c[1, g]
        nflip = 0
        for j in range(cur.shape[2]):
            x, u, v = grad[g, j], cur[0, g, j], cur[1, g, j]
            n0 = (a1p * x + a0p) * u + prev[0, g, j] * cp
            n1 = (a1m * x + a0m) * v + prev[1, g, j] * cm
            prev[0, g, j] = n0
            prev[1, g, j] = n1
            th[g, j] = n0 * n0 - n1 * n1
            nflip += (_signbit(n0) != _signbit(u)) + (_signbit(n1) != _signbit(v))
            nz += (n0 == 0.0) + (n1 == 0.0)
        flips[g] = nflip
    return nz


@numba.njit(cache=True)
def smgd_steps(W, Wp, k0, k1, max_steps, a0, a1, c, bet, inv, H_aug, th, grad, X, y, batches, S, xi, chg,
               mom, dsum, term, window_max, tail, last, track):
    """Steps k0+1..k1 of eq. (26) for every run (in place). ``W``/``Wp``: (2, G, d) w±,k and w±,k−1;
    ``a0``/``a1``/``c``: (2, G) step coefficients; ``bet``/``inv``: (G,) β and 1/(1−β); ``th``: (G, d+1)
    rows [w₊² − w₋², 1] of the current iterate, ``grad``: (G, d) buffer; full batch when ``batches`` has no
    rows (∇L = th·H_aug), else ``batches[k − k0 − 1]`` holds B_k (∇L_B = ((θXᵀ_B)/4 − y_B)X_B/|B|).
    Samples the relative change at k ≡ 0 (mod 10) and at ``max_steps``. Returns (exact zeros, swapped):
    after an odd number of steps the arrays' roles are swapped (w±,k1 is in ``Wp``)."""
    G, d = W.shape[1], W.shape[2]
    full = batches.shape[0] == 0
    zeros = 0
    cur, prev = W, Wp
    swapped = False
    flips = np.zeros(G, dtype=np.int64)
    if not full:  # mini-batch: θ-rows kept in a contiguous (G, d) buffer for the products
        bsz = batches.shape[1]
        Xb = np.empty((bsz, d))
        XbT = np.empty((d, bsz))  # contiguous: numba copies a transposed operand of np.dot on every call
        yb = np.empty(bsz)
        res = np.empty((G, bsz))
        thd = np.ascontiguousarray(th[:, :d])
    else:
        thd = th
    for k in range(k0 + 1, k1 + 1):
        if full:
            np.dot(th, H_aug, grad)
        else:
            B = batches[k - k0 - 1]
            for i in range(bsz):
                yb[i] = y[B[i]]
                for j in range(d):
                    Xb[i, j] = X[B[i], j]
                    XbT[j, i] = X[B[i], j]
            np.dot(thd, XbT, res)
            batch_residuals(res, yb, float(bsz))
            np.dot(res, Xb, grad)
        zeros += _update(cur, prev, grad, thd, a0, a1, c, flips)
        for g in range(G):
            if flips[g]:
                for s in range(2):
                    for j in range(d):
                        if _signbit(prev[s, g, j]) != _signbit(cur[s, g, j]):
                            chg[s, g, j] += 1
                            xi[s, g, j] += -1.0 if _signbit(cur[s, g, j]) else 1.0
            if track:
                b, iv = bet[g], inv[g]
                for j in range(d):
                    m = b * mom[g, j] + grad[g, j]
                    mom[g, j] = m
                    dsum[g, j] = dsum[g, j] + m
                for s in range(2):
                    for j in range(d):
                        new, old = prev[s, g, j], cur[s, g, j]
                        tt = (_ratio_r(new, old) + b * _ratio_r(old, new)) * iv
                        term[s, g, j] = tt
                        S[s, g, j] = S[s, g, j] + tt
        cur, prev = prev, cur
        swapped = not swapped
        if k % 10 == 0 or k == max_steps:
            for g in range(G):
                num = 0.0
                den = 0.0
                tmax = -math.inf
                for s in range(2):
                    for j in range(d):
                        num = _nanmax(num, abs(cur[s, g, j] - prev[s, g, j]))
                        den = _nanmax(den, abs(cur[s, g, j]))
                        if track:
                            tmax = _nanmax(tmax, term[s, g, j])
                ch = num / den
                window_max[g] = _nanmax(window_max[g], ch)
                last[g] = ch
                if track:
                    tail[g] = _nanmax(tail[g], tmax)
    if not full:
        th[:, :d] = thd
    return zeros, swapped


#: the kernels cached on disk (what :func:`flush_if_stale` flushes)
KERNELS = (_signbit, _ratio_r, _nanmax, batch_residuals, _update, smgd_steps)

#: where the digest of the compiled formulas is kept, beside numba's cache
FORMULA_STAMP = Path(__file__).parent / "__pycache__" / f"{Path(__file__).stem}.formulas.sha256"


def formula_digest() -> str:
    """Hash of the generated formulas the kernels compile."""
    return hashlib.sha256("".join(inspect.getsource(f) for f in _FORMULAS).encode()).hexdigest()


def flush_if_stale(stamp: Path = FORMULA_STAMP, kernels: tuple = KERNELS) -> None:
    """numba keys its disk cache on this file only; the kernels also compile generated formulas, so a
    regeneration that changes them must drop the cache of ``kernels``. The formulas' digest is kept beside it
    (``stamp``)."""
    flush_if_changed(formula_digest(), stamp, kernels)


flush_if_stale()
