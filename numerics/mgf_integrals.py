"""Integrals over an MGF run's dense output (:class:`numerics.momentum_flow.MGFRun`).

- :func:`mpv_kernel_integral`: App. C.3.2's m.p.v.∫₀^τ [(ẇ/w)² ± ∇L/λ] e^{−(τ−t)/λ} sgn(w_τ w_t) dt of one coordinate,
  by adaptive quadrature with the analytic local value at each zero;
- :func:`crossing_integrals` (:class:`CrossingIntegrals`): the modified-principal-value double integrals of App. A /
  C.3.2 for every coordinate, as limits of excised integrals, by a product Gauss–Legendre rule whose kernel weights
  (:func:`exp_weights`, on :func:`gl_basis`) are exact;
- :func:`gradient_integral`: ∫₀ᵗ ∇L(θ_s) ds by the same quadrature, an independent value of the state's J.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from numerics import validation as V
from numerics.momentum_flow import MGFRun, coordinate_crossings


def mpv_kernel_integral(run: MGFRun, sign: int, index: int, tau: float,
                        sigma_mins: tuple[float, ...] = (4e-3, 2e-3, 1e-3)) -> tuple[float, float]:
    """App. C.3.2's m.p.v.∫₀^τ [(ẇ/w)² ± ∇L/λ] e^{−(τ−t)/λ} sgn(w_τ w_t) dt for coordinate ``index`` of w₊
    (``sign`` = +1) or w₋ (−1), with the modified principal value (11) at each zero crossing before τ.

    Near a zero T (σ = t − T) the integrand is s·e^{−(τ−T)/λ} sgn(σ)/σ² + bounded (the 1/σ terms cancel because
    ẅ_T/ẇ_T = −1/λ), s = sgn(w_τ ẇ_T); the m.p.v. of sgn(σ)/σ² with the weights e^{±δ/λ} of (11) is −2/λ, and its
    plain integral over |σ| > σ_min is 0. So the value is the plain integral with |t − T| < σ_min left out, minus
    (2/λ)Σ s e^{−(τ−T)/λ}, up to O(σ_min): computed at several σ_min and extrapolated linearly to 0.
    Returns (value, error estimate = spread of the two extrapolations)."""
    from scipy.integrate import quad

    blk, vblk = ("p", "vp") if sign > 0 else ("m", "vm")
    zeros = sorted(c.t for c in run.crossings if c.sign == sign and c.index == index and c.t < tau)
    vel = {c.t: c.velocity for c in run.crossings if c.sign == sign and c.index == index}
    n = run.X.shape[0]
    w_tau = float(run.sol(tau)[run.slices[blk]][index])

    def integrand(t: float) -> float:
        st = run.sol(t)
        w, wd = st[run.slices[blk]][index], st[run.slices[vblk]][index]
        p, m = st[run.slices["p"]], st[run.slices["m"]]
        g = float(run.X[:, index] @ (run.X @ ((p * p - m * m) / 4) - run.y)) / n
        return ((wd / w) ** 2 + sign * g / run.lam) * np.exp(-(tau - t) / run.lam) * np.sign(w_tau * w)

    corr = sum(np.sign(w_tau * vel[T]) * np.exp(-(tau - T) / run.lam) for T in zeros)
    vals = []
    for smin in sigma_mins:
        edges = [0.0] + [x for T in zeros for x in (T - smin, T + smin)] + [tau]
        total = sum(quad(integrand, a, b, limit=400, epsabs=1e-12, epsrel=1e-12)[0]
                    for a, b in zip(edges[0::2], edges[1::2]))
        vals.append(total - 2.0 / run.lam * corr)
    h = np.asarray(sigma_mins)
    ex = [vals[i + 1] - (vals[i] - vals[i + 1]) * h[i + 1] / (h[i] - h[i + 1]) for i in range(len(vals) - 1)]
    return float(ex[-1]), float(abs(ex[-1] - ex[0]) + abs(vals[-1] - ex[-1]) * 1e-3)


# --------------------------------------------------------------------------------------------------
# App. A / C.3.2: modified principal values of the kernel integrals over trajectories that cross zero
# --------------------------------------------------------------------------------------------------
#: Gauss–Legendre nodes per cell of the product quadrature in :func:`crossing_integrals`.
GL_NODES = 10


@functools.lru_cache(maxsize=None)
def gl_basis(nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes x and weights on [0, 1], and the Legendre coefficients C[q, k] of the Lagrange basis
    polynomial ℓ_q in P_k(2x − 1) (ℓ_q = Σ_k C[q, k] P_k(2x − 1), exact because the rule is exact to degree
    2·nodes − 1)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    P = np.polynomial.legendre.legvander(x, nodes - 1)  # P[q, k] = P_k(x_q)
    C = (w[:, None] * P) * (2 * np.arange(nodes) + 1)[None, :] / 2
    return (x + 1) / 2, w / 2, C


#: above this κ the moments of :func:`exp_weights` come from the finite sum (e^{−κ} is below float64's range long
#: before; scipy's ``ive`` returns NaN once κ/2 passes about 1.07e9, i.e. a solver step of ~10⁹λ).
KAPPA_LARGE = 1e6


def exp_weights(kappa: np.ndarray, nodes: int) -> np.ndarray:
    """W[c, q] = ∫₀¹ ℓ_q(x) e^{−κ_c(1−x)} dx, exactly for the degree-(nodes−1) interpolant. The Legendre moments
    m_k = ∫₀¹ P_k(2x−1) e^{−κ(1−x)} dx are √(π/κ)·I_{k+½}(κ/2)e^{−κ/2} (modified Bessel, ``ive``) for κ below
    KAPPA_LARGE; above it, with u = 1 − x and P_k(1−2u) = Σ_j (−1)^j C(k,j)C(k+j,j) u^j, they are
    Σ_j (−1)^j C(k,j)C(k+j,j) j!/κ^{j+1} up to terms of order e^{−κ} (below the smallest float)."""
    from scipy.special import ive

    _, _, C = gl_basis(nodes)
    k = np.arange(nodes)
    kappa = np.asarray(kappa, dtype=float)
    mom = np.empty((kappa.size, nodes))
    small, large = kappa < 1e-6, kappa >= KAPPA_LARGE
    mid = ~(small | large)
    kap = kappa[mid][:, None]
    mom[mid] = np.sqrt(np.pi / kap) * ive(k[None, :] + 0.5, kap / 2)
    # series limit: ∫P_k e^{−κ(1−x)} → δ_k0 (1 − κ/2) + δ_k1 κ/6 for κ → 0
    mom[small] = 0.0
    mom[small, 0] = 1 - kappa[small] / 2
    if nodes > 1:
        mom[small, 1] = kappa[small] / 6
    if np.any(large):
        inv = 1.0 / kappa[large]
        for kk in range(nodes):
            coef = [(-1) ** j * math.comb(kk, j) * math.comb(kk + j, j) * math.factorial(j) for j in range(kk + 1)]
            mom[large, kk] = sum(c * inv ** (j + 1) for j, c in enumerate(coef))
    return mom @ C.T


@dataclass
class CrossingIntegrals:
    """The kernel integrals of App. C.3.2 for every coordinate of (w₊, w₋) at the times ``taus``.

    Rows are the 2d coordinates (w₊[0..d−1], then w₋[0..d−1]); ``*_w`` arrays have a leading axis over the
    excisions ``deltas``. With F = (ẇ/w)² and k = e^{−(t−s)/λ}:

    - inner_w[j, c, k] = m.p.v.∫₀^τ F_s k(τ, s) sgn(w_τ w_s) ds, outer_w = ∫₀^τ m.p.v.∫₀^t F_s k sgn(w_t w_s) ds dt,
      both with excision δ_j (see :func:`crossing_integrals`);
    - inner_g, outer_g: the same with ∇L(θ_s) in place of F (regular, no m.p.v. needed);
    - outer_1 = ∫₀^τ∫₀^t ∇L(θ_s) k ds dt (no sign factor), so ∫∫∇L k 1{w_t w_s < 0} = (outer_1 − outer_g)/2.
    """

    lam: float
    taus: np.ndarray
    deltas: np.ndarray
    crossings: list[list[float]]
    inner_w: np.ndarray
    outer_w: np.ndarray
    inner_g: np.ndarray
    outer_g: np.ndarray
    outer_1: np.ndarray
    cells: int

    @staticmethod
    def extrapolate(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Limit δ → 0 of values[j] (δ halving with j, error c₁δ + c₂δ² + …; needs ≥ 4 excisions): two Richardson
        levels; the error estimate is the change of the second level between its last two entries plus the gap
        between the last first- and second-level values (a bound on the first level's error, so conservative)."""
        v = np.asarray(values, dtype=float)
        if v.shape[0] < 4:
            raise ValueError(f"extrapolation needs values on at least 4 excisions, got {v.shape[0]}")
        r1 = 2 * v[1:] - v[:-1]
        r2 = (4 * r1[1:] - r1[:-1]) / 3
        return r2[-1], np.abs(r2[-1] - r2[-2]) + np.abs(r2[-1] - r1[-1])


def _cells(points: np.ndarray, tau_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Cells between the sorted distinct ``points`` in [0, tau_max] (cells shorter than 1e-14·tau_max merged away)."""
    br = np.unique(points[(points >= 0) & (points <= tau_max)])
    a_, b_ = br[:-1], br[1:]
    keep = b_ - a_ > 1e-14 * max(1.0, tau_max)
    return a_[keep], b_[keep]


def _cell_terms(run: MGFRun, a_: np.ndarray, b_: np.ndarray) -> dict[str, np.ndarray]:
    """Per cell [a, b]: plain integrals A = ∫F and kernel integrals B = ∫F e^{−(b−s)/λ} of F = (ẇ/w)²sgn(w) (rows of
    w₊ then w₋), ∇L sgn(w) and ∇L, by the product rule of ``exp_weights``; sgn(w) at the cell's midpoint."""
    d, lam, sl = run.d, run.lam, run.slices
    n = run.X.shape[0]
    H, b = run.X.T @ run.X / n, run.X.T @ run.y / n
    x_gl, w_gl, _ = gl_basis(GL_NODES)
    h = b_ - a_
    W_exp = exp_weights(h / lam, GL_NODES) * h[:, None]
    W_pl = w_gl[None, :] * h[:, None]
    out = {k: np.empty((rows, a_.size)) for k, rows in (("Aw", 2 * d), ("Bw", 2 * d), ("Ag", 2 * d), ("Bg", 2 * d),
                                                          ("A1", d), ("B1", d), ("sign", 2 * d))}
    chunk = max(1, 20000 // GL_NODES)
    for i0 in range(0, a_.size, chunk):
        i1 = min(a_.size, i0 + chunk)
        k = i1 - i0
        t_nodes = (a_[i0:i1, None] + h[i0:i1, None] * x_gl[None, :]).ravel()
        st = np.asarray(run.sol(np.concatenate([t_nodes, (a_[i0:i1] + b_[i0:i1]) / 2])))  # (state, nodes + mids)
        p, m, vp, vm = st[sl["p"]], st[sl["m"]], st[sl["vp"]], st[sl["vm"]]
        g = H @ ((p * p - m * m) / 4) - b[:, None]
        w, wd = np.vstack([p, m]), np.vstack([vp, vm])
        sg = np.sign(w[:, :-k])
        out["sign"][:, i0:i1] = np.sign(w[:, -k:])
        for key, F in (("w", (wd[:, :-k] / w[:, :-k]) ** 2 * sg), ("g", np.vstack([g[:, :-k]] * 2) * sg),
                       ("1", g[:, :-k])):
            F = F.reshape(F.shape[0], k, GL_NODES)
            out["A" + key][:, i0:i1] = np.einsum("ckq,kq->ck", F, W_pl[i0:i1])
            out["B" + key][:, i0:i1] = np.einsum("ckq,kq->ck", F, W_exp[i0:i1])
    out["a"], out["b"] = a_, b_
    return out


def _propagate(cells: dict[str, np.ndarray], rows: list[list[float]], delta: float, lam: float,
               taus: np.ndarray) -> dict[str, np.ndarray]:
    """Inner integrals K(b) = e^{−h/λ}K(a) + B and outer ones D(b) = D(a) + sgn·(λ(1 − e^{−h/λ})K(a) + λ(A − B)),
    cell by cell; for coordinate c the (ẇ/w)² part skips the strips (T − δ, T + δ) of its zeros (K carried, D held)."""
    a_, b_ = cells["a"], cells["b"]
    d2 = cells["Aw"].shape[0]
    mid = (a_ + b_) / 2
    gap = np.zeros((d2, a_.size), dtype=bool)
    for c, ts in enumerate(rows):
        for T in ts:
            gap[c] |= (mid > T - delta) & (mid < T + delta)
    E = np.exp(-(b_ - a_) / lam)
    # one state vector per cell: [K_w (2d), K_g (2d), K_1 (d)]
    Eall = np.vstack([np.where(gap, 1.0, E[None, :]), np.broadcast_to(E, (d2 + d2 // 2, E.size))])
    Ball = np.vstack([np.where(gap, 0.0, cells["Bw"]), cells["Bg"], cells["B1"]])
    Aall = np.vstack([np.where(gap, 0.0, cells["Aw"]), cells["Ag"], cells["A1"]])
    S = np.vstack([np.where(gap, 0.0, cells["sign"]), cells["sign"], np.ones((d2 // 2, E.size))])
    Kstart = np.empty_like(Ball)
    K = np.zeros(Ball.shape[0])
    EallT, BallT, KT = np.ascontiguousarray(Eall.T), np.ascontiguousarray(Ball.T), Kstart.T
    for k in range(a_.size):
        KT[k] = K
        K = EallT[k] * K + BallT[k]
    Kend = Eall * Kstart + Ball
    D = np.cumsum(S * (lam * (1 - E)[None, :] * Kstart + lam * (Aall - Ball)), axis=1)
    idx = np.searchsorted(b_, taus - 1e-14 * max(1.0, float(taus[-1])))
    sgn_end = cells["sign"][:, idx]
    return {"inner_w": sgn_end * Kend[:d2, idx], "inner_g": sgn_end * Kend[d2:2 * d2, idx],
            "outer_w": D[:d2, idx], "outer_g": D[d2:2 * d2, idx], "outer_1": D[2 * d2:, idx]}


def crossing_integrals(run: MGFRun, taus: Any, deltas: Any, max_cells: int = 400_000) -> CrossingIntegrals:
    """Evaluate the integrals of :class:`CrossingIntegrals` on ``run``'s dense output, for each excision δ in
    ``deltas``.

    The m.p.v. (eq. 11) is taken as the limit of excised integrals, in the form the induction of App. C.3.2 uses
    (A_ε + B_ε + C_ε there): for a coordinate crossing zero at T, the strip (T − δ, T + δ) is left out of both the
    inner (s) and the outer (t) integral, and the inner part from before T enters after T with weight e^{2δ/λ} (its
    decay over the strip is not applied). Divergent 1/δ parts cancel between the two sides; what is left converges
    to the m.p.v. as δ → 0 (at rate O(δ)), which the caller shows on several δ (``CrossingIntegrals.extrapolate``).

    Quadrature: cells are the integrator's steps, refined geometrically towards every T ± δ, with breakpoints at each
    T and each τ; on a cell the integrand is replaced by its degree-(GL_NODES−1) interpolant at Gauss nodes and
    multiplied by the kernel exactly (``exp_weights``), so long steps (t ≫ λ) cost no more than short ones. The
    inner integrals are propagated from cell to cell by K(b) = e^{−(b−a)/λ}K(a) + ∫_a^b F k, the outer ones by the
    exact ∫_a^b sgn(w_t)K(t)dt on the cell. ``taus`` must lie in (0, t_end]; a coordinate's values at a τ within
    δ of one of its own crossings are not meaningful (the caller picks, per coordinate, times away from them).
    """
    if run.sol is None:
        raise ValueError("run has no dense output (solve_dln_mgf keeps it for the tight solve)")
    taus = V.finite_array("taus", taus, ndim=1)
    deltas = V.finite_array("deltas", deltas, ndim=1)
    if deltas.size < 4 or np.any(deltas <= 0) or np.any(np.diff(deltas) >= 0):
        raise ValueError("deltas must be at least 4 positive, strictly decreasing excision half-widths")
    if taus.size == 0 or np.any(taus <= 0) or np.any(taus > run.t_end * (1 + 1e-12)) or np.any(np.diff(taus) <= 0):
        raise ValueError(f"taus must be increasing times in (0, t_end = {run.t_end:g}]")
    taus = np.minimum(taus, run.t_end)
    lam = run.lam
    rows = coordinate_crossings(run)
    all_T = np.array(sorted(t for ts in rows for t in ts))
    if all_T.size:
        same = [np.diff(ts) for ts in rows if len(ts) > 1]
        if same and min(float(x.min()) for x in same) <= 2 * deltas[0]:
            raise ValueError("deltas[0] must be below half the distance between two crossings of one coordinate")
    steps = np.asarray(run.sol.ts, dtype=float)
    tau_max = float(taus[-1])
    steps = steps[steps <= tau_max]
    # cells away from every crossing are the same for every δ: computed once; near a crossing T (|t − T| < zone) the
    # cells are graded geometrically towards T ± δ and recomputed for each δ
    zone = max(4 * float(deltas[0]), 0.25 * lam)
    base = _cells(np.concatenate([steps, taus, all_T, [0.0, tau_max]] + [[T - zone, T + zone] for T in all_T]), tau_max)
    mid = (base[0] + base[1]) / 2
    near = np.zeros(mid.size, dtype=bool)
    for T in all_T:
        near |= np.abs(mid - T) < zone
    far = _cell_terms(run, base[0][~near], base[1][~near])
    res = {k: [] for k in ("inner_w", "outer_w", "inner_g", "outer_g", "outer_1")}
    n_cells = 0
    for delta in deltas:
        grade = delta * 2.0 ** np.arange(0, 60)
        grade = grade[grade < zone]
        pts = [base[0][near], base[1][near]] + [np.concatenate([T - grade, T + grade]) for T in all_T]
        a_, b_ = _cells(np.concatenate(pts), tau_max)
        zmid = (a_ + b_) / 2
        inzone = np.zeros(zmid.size, dtype=bool)
        for T in all_T:
            inzone |= np.abs(zmid - T) < zone
        close = _cell_terms(run, a_[inzone], b_[inzone])
        cells = {k: np.concatenate([far[k], close[k]], axis=-1) for k in far}
        order = np.argsort(cells["a"], kind="stable")
        cells = {k: v[..., order] for k, v in cells.items()}
        n_cells = cells["a"].size
        if n_cells > max_cells:
            raise ValueError(f"{n_cells} quadrature cells exceed max_cells = {max_cells}")
        out = _propagate(cells, rows, delta, lam, taus)
        for k in res:
            res[k].append(out[k])
    return CrossingIntegrals(lam, taus, deltas, rows, np.array(res["inner_w"]), np.array(res["outer_w"]),
                             res["inner_g"][-1], res["outer_g"][-1], np.vstack([res["outer_1"][-1]] * 2), n_cells)


def gradient_integral(run: MGFRun, t_end: float | None = None) -> np.ndarray:
    """∫₀ᵗ ∇L(θ_s) ds by Gauss–Legendre quadrature on the solver's steps (dense output): an independent value of
    the state's J (whose integration accumulates the stiff solver's rounding over thousands of steps)."""
    if run.sol is None:
        raise ValueError("run has no dense output")
    t_end = run.t_end if t_end is None else float(t_end)
    pts = np.asarray(run.sol.ts, dtype=float)
    a_, b_ = _cells(np.concatenate([pts[pts <= t_end], [0.0, t_end]]), t_end)
    return np.sum(_cell_terms(run, a_, b_)["A1"], axis=1)
