"""SMGD(γ, β) on the 2-layer diagonal linear network in the (w₊, w₋) form of eq. (26), batched and exact.

- :func:`smgd`: float64 iterations batched over a grid of (γ, β) (one array step advances every run),
  full batch or mini-batches sampled with or without replacement, accumulating along the way the sums
  the paper's statements need (S± of Lemma 2, the residue sums of App. D.1, sign changes, exact zeros),
  stopping when every run has stagnated at machine precision, with the convergence measured.
- :func:`smgd_trajectory_mp`: the same recursion in mpmath (``dps`` digits), every iterate kept, and
  :func:`appendix_d_terms_mp`: the quantities of App. D.1 along it (δ, Q, α of eq. (27), the double
  sums ΣΣβ^{m−k}∇L(θ_k), Δ_N, θ_N) for the exact finite-N identities.
- :func:`mgf_with_integrals`: MGF(λ) in (w₊, w₋) with ∫(ẇ±/w±)² in the ODE state (App. D.2).
- :func:`gradient_flow_interpolator`: θ^GF_Δ, the limit of gradient flow from u₀ = √Δ, v₀ = 0 (App. F.2).

The update comes from ``numerics.generated.momentum_discrete.smgd_w_step`` (eq. (26), derived from
eq. (9)); r(z) from ``r_fn`` / ``r_increment``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import mpmath
import numpy as np
from scipy.integrate import solve_ivp

from numerics import validation as V
from numerics.generated.momentum_discrete import (r_fn, r_fn_mp, r_increment, smgd_w_step, smgd_w_step_mp)
from numerics.integrate import solve_mgf
from numerics.losses import DiagonalNetwork

Sampling = Literal["full", "with_replacement", "without_replacement"]
EPS = np.finfo(float).eps


@dataclass
class SMGDRun:
    """Final state of a batch of SMGD runs (leading axis: run) and the sums accumulated on the way.

    ``S_plus``/``S_minus``: partial sums of Lemma 2 up to the last step; ``residue_plus``/``_minus``:
    (1/(1−β)) Σ_m Q±,m (complex); ``sign_changes_*``: count of k with sgn w_{k+1} ≠ sgn w_k per
    coordinate; ``exact_zeros``: iterates exactly 0; ``converged_at``: first step at which the run
    stagnated (−1 if never); ``last_change``: max |w_k − w_{k−1}| at the end; ``s_tail``: largest S term
    of the last recorded window (how much the sums still move).
    """

    gamma: np.ndarray
    beta: np.ndarray
    wp0: np.ndarray
    wm0: np.ndarray
    wp: np.ndarray
    wm: np.ndarray
    S_plus: np.ndarray
    S_minus: np.ndarray
    residue_plus: np.ndarray
    residue_minus: np.ndarray
    sign_changes_plus: np.ndarray
    sign_changes_minus: np.ndarray
    exact_zeros: int
    steps: int
    converged_at: np.ndarray
    last_change: np.ndarray
    s_tail: np.ndarray
    train_loss: np.ndarray
    history: dict[str, list] = field(default_factory=dict)

    @property
    def theta(self) -> np.ndarray:
        """θ = (w₊² − w₋²)/4 = u ⊙ v."""
        return (self.wp ** 2 - self.wm ** 2) / 4

    @property
    def delta(self) -> np.ndarray:
        """Balancedness Δ = |u² − v²| = |w₊ w₋| at the last iterate."""
        return np.abs(self.wp * self.wm)

    @property
    def delta0(self) -> np.ndarray:
        return np.abs(self.wp0 * self.wm0)

    @property
    def converged(self) -> np.ndarray:
        return self.converged_at >= 0

    @property
    def sign_changed(self) -> np.ndarray:
        """Per run: did any coordinate of w₊ or w₋ change sign."""
        return (self.sign_changes_plus.sum(-1) + self.sign_changes_minus.sum(-1)) > 0


def _batches(n: int, batch_size: int, sampling: Sampling, rng: np.random.Generator | None, steps: int):
    """Index arrays of the batches B_1, B_2, ... (one per step)."""
    if sampling == "full":
        idx = np.arange(n)
        while True:
            yield idx
    if rng is None:
        raise ValueError("rng is required for mini-batch sampling")
    if sampling == "with_replacement":
        while True:
            yield rng.choice(n, size=batch_size, replace=False)
    per_epoch = n // batch_size
    while True:
        perm = rng.permutation(n)
        for j in range(per_epoch):
            yield perm[j * batch_size:(j + 1) * batch_size]


def _ratio_r(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """r(num/den), through r(1 + h) with h = (num − den)/den when the ratio is positive."""
    same = np.sign(num) == np.sign(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = (num - den) / den
        out = np.where(same, r_increment(np.where(same, h, 0.0)), r_fn(np.where(same, 1.0, num / den)))
    return out


def smgd(net: DiagonalNetwork, wp0: np.ndarray, wm0: np.ndarray, gamma: float | np.ndarray,
         beta: float | np.ndarray, max_steps: int, *, sampling: Sampling = "full", batch_size: int | None = None,
         rng: np.random.Generator | None = None, check_every: int = 200, record: tuple[int, ...] = ()) -> SMGDRun:
    """Run SMGD(γ, β) from w±,1 = w±,0 for a batch of (γ, β) pairs until every run stagnates or ``max_steps``.

    ``gamma``/``beta`` broadcast to shape (G,); ``wp0``/``wm0`` have shape (d,) or (G, d). A run has
    converged once max |w_{k+1} − w_k| ≤ 4 eps max|w| over a whole check window (machine-precision
    stagnation). ``record``: steps at which (S₊, S₋, θ) are stored in ``history``.
    """
    gamma_a = np.atleast_1d(np.asarray(gamma, dtype=float))
    beta_a = np.atleast_1d(np.asarray(beta, dtype=float))
    gamma_a, beta_a = np.broadcast_arrays(gamma_a, beta_a)
    gamma_a, beta_a = gamma_a.astype(float).copy(), beta_a.astype(float).copy()
    if not (np.all(np.isfinite(gamma_a)) and np.all(gamma_a > 0)):
        raise ValueError("gamma (step size) must be finite and > 0")
    if not (np.all(np.isfinite(beta_a)) and np.all((beta_a >= 0) & (beta_a < 1))):
        raise ValueError("beta (momentum) must lie in [0, 1)")
    V.count("max_steps", max_steps)
    V.count("check_every", check_every)
    G, d = gamma_a.size, net.d
    wp0 = np.broadcast_to(V.finite_array("wp0", wp0), (G, d)).copy()
    wm0 = np.broadcast_to(V.finite_array("wm0", wm0), (G, d)).copy()
    if np.any(wp0 * wm0 == 0):
        raise ValueError("wp0 and wm0 must have non-zero coordinates (Delta_0 = |w+ w-| > 0)")
    if sampling not in ("full", "with_replacement", "without_replacement"):
        raise ValueError(f"sampling must be 'full', 'with_replacement' or 'without_replacement', got {sampling!r}")
    bsz = net.n if sampling == "full" else V.count("batch_size", batch_size)
    if bsz > net.n:
        raise ValueError(f"batch_size must be <= n = {net.n}, got {bsz}")
    g_col, b_col = gamma_a[:, None], beta_a[:, None]
    wp_prev, wp = wp0.copy(), wp0.copy()
    wm_prev, wm = wm0.copy(), wm0.copy()
    Sp, Sm = np.zeros((G, d)), np.zeros((G, d))
    Rp, Rm = np.zeros((G, d), complex), np.zeros((G, d), complex)
    qprev_p, qprev_m = np.zeros((G, d), complex), np.zeros((G, d), complex)  # q(−δ_k)
    chg_p, chg_m = np.zeros((G, d), int), np.zeros((G, d), int)
    zeros = 0
    converged_at = np.full(G, -1)
    window_max = np.zeros(G)
    tail = np.zeros(G)
    last = np.zeros(G)
    history: dict[str, list] = {"step": [], "S_plus": [], "S_minus": [], "theta": []}
    rec = set(record)
    batches = _batches(net.n, bsz, sampling, rng, max_steps)
    X, y = net.X, net.y
    k = 0
    for k in range(1, max_steps + 1):
        B = next(batches)
        Xb = X[B]
        theta = (wp ** 2 - wm ** 2) / 4
        grad = ((theta @ Xb.T - y[B]) @ Xb) / Xb.shape[0]
        wp_next = smgd_w_step(wp, wp_prev, grad, g_col, b_col, 1.0)
        wm_next = smgd_w_step(wm, wm_prev, grad, g_col, b_col, -1.0)
        zeros += int(np.count_nonzero(wp_next == 0) + np.count_nonzero(wm_next == 0))
        termp = _ratio_r(wp_next, wp) + b_col * _ratio_r(wp, wp_next)
        termm = _ratio_r(wm_next, wm) + b_col * _ratio_r(wm, wm_next)
        Sp += termp / (1 - b_col)
        Sm += termm / (1 - b_col)
        for w_new, w_old, R, qprev, chg in ((wp_next, wp, Rp, qprev_p, chg_p), (wm_next, wm, Rm, qprev_m, chg_m)):
            flip = np.sign(w_new) != np.sign(w_old)
            chg += flip
            # δ_{k+1} = ln|w_{k+1}/w_k| + iπ sgn(w_k) when the sign flips; q(z) = expm1(z) − z.
            delta_next = np.log(np.abs(w_new / w_old)) + 1j * np.pi * np.sign(w_old) * flip
            q_next = np.where(flip, (w_new / w_old - 1) - delta_next, _ratio_r(w_new, w_old) + 0j)
            R += (q_next + b_col * qprev) / (1 - b_col)
            q_minus = np.where(flip, (w_old / w_new - 1) + delta_next, _ratio_r(w_old, w_new) + 0j)
            qprev[...] = q_minus
        change = np.maximum(np.abs(wp_next - wp).max(-1), np.abs(wm_next - wm).max(-1))
        scale = np.maximum(np.abs(wp_next).max(-1), np.abs(wm_next).max(-1))
        window_max = np.maximum(window_max, change / scale)
        tail = np.maximum(tail, np.maximum(np.abs(termp).max(-1), np.abs(termm).max(-1)) / (1 - beta_a))
        last = change
        wp_prev, wp, wm_prev, wm = wp, wp_next, wm, wm_next
        if k in rec:
            history["step"].append(k)
            history["S_plus"].append(Sp.copy())
            history["S_minus"].append(Sm.copy())
            history["theta"].append(((wp ** 2 - wm ** 2) / 4).copy())
        if k % check_every == 0:
            newly = (converged_at < 0) & (window_max <= 4 * EPS)
            converged_at[newly] = k
            if not np.isfinite(wp).all() or not np.isfinite(wm).all():
                break
            if np.all(converged_at >= 0) and not (rec and k < max(rec)):
                break
            window_max[:] = 0
            tail[:] = 0
    theta = (wp ** 2 - wm ** 2) / 4
    return SMGDRun(gamma_a, beta_a, wp0, wm0, wp, wm, Sp, Sm, Rp, Rm, chg_p, chg_m, zeros, k, converged_at,
                   last, tail, net.loss_theta(theta), history)


# --- exact finite-N quantities in mpmath -----------------------------------------------------------
@dataclass
class TrajectoryMP:
    """Iterates w±,k (k = 0..steps), θ_k and ∇L_{B_k}(θ_k) (k = 1..steps−1) at ``dps`` digits."""

    gamma: mpmath.mpf
    beta: mpmath.mpf
    wp: list[list[mpmath.mpf]]
    wm: list[list[mpmath.mpf]]
    grads: list[list[mpmath.mpf]]
    dps: int


def smgd_trajectory_mp(X: np.ndarray, y: np.ndarray, wp0: np.ndarray, wm0: np.ndarray, gamma: float, beta: float,
                       steps: int, *, dps: int = 50, batches: list[np.ndarray] | None = None) -> TrajectoryMP:
    """Eq. (26) in mpmath from w±,1 = w±,0: iterates up to w±,steps (``batches[k−1]`` is B_k; default full)."""
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    V.positive("gamma", gamma)
    V.momentum("beta", beta)
    V.count("steps", steps, minimum=2)
    V.count("dps", dps, minimum=20)
    n, d = X.shape
    with mpmath.workdps(dps):
        Xm = [[mpmath.mpf(float(v)) for v in row] for row in X]
        ym = [mpmath.mpf(float(v)) for v in y]
        g, b = mpmath.mpf(gamma), mpmath.mpf(beta)
        wp = [[mpmath.mpf(float(v)) for v in wp0]] * 2
        wm = [[mpmath.mpf(float(v)) for v in wm0]] * 2
        grads: list[list[mpmath.mpf]] = []
        for k in range(1, steps):
            B = range(n) if batches is None else [int(i) for i in batches[k - 1]]
            th = [(a * a - c * c) / 4 for a, c in zip(wp[k], wm[k])]
            res = {i: mpmath.fsum(Xm[i][j] * th[j] for j in range(d)) - ym[i] for i in B}
            gr = [mpmath.fsum(res[i] * Xm[i][j] for i in B) / len(res) for j in range(d)]
            grads.append(gr)
            wp.append([smgd_w_step_mp(wp[k][j], wp[k - 1][j], gr[j], g, b, 1) for j in range(d)])
            wm.append([smgd_w_step_mp(wm[k][j], wm[k - 1][j], gr[j], g, b, -1) for j in range(d)])
    return TrajectoryMP(g, b, wp, wm, grads, dps)


def _log_w(x: mpmath.mpf) -> mpmath.mpc:
    """App. D.1's g = ln w for w > 0 and ln|w| + iπ for w < 0."""
    return mpmath.log(abs(x)) + (mpmath.mpc(0, mpmath.pi) if x < 0 else 0)


def appendix_d_terms_mp(tr: TrajectoryMP) -> dict[str, list]:
    """App. D.1 quantities along an mpmath trajectory, for N = 0..steps−1 (index N), coordinate lists.

    Keys: ``delta_p``/``delta_m`` (δ±,k, k ≥ 1, δ₁ = 0), ``Q_p``/``Q_m`` (Q±,m, m ≥ 1),
    ``alpha_p``/``alpha_m`` (α±,N+1 by eq. (27)'s weighted form, complex; index N), ``dsum``
    (ΣΣ_{m≤N, k≤m} β^{m−k}∇L(θ_k); index N), ``S_p``/``S_m`` (Lemma 2's partial sums up to k = N),
    ``xi_p``/``xi_m`` (Σ_{m≤N} ξ_m sgn(w_m)).
    """
    b, steps = tr.beta, len(tr.wp) - 1
    d = len(tr.wp[0])
    q = lambda zz: mpmath.exp(zz) - 1 - zz  # noqa: E731 (App. D.1's q, complex argument)
    out: dict[str, list] = {}
    with mpmath.workdps(tr.dps):
        for tag, W in (("p", tr.wp), ("m", tr.wm)):
            gl = [[_log_w(W[k][j]) for j in range(d)] for k in range(steps + 1)]
            delta = [None] + [[gl[k][j] - gl[k - 1][j] for j in range(d)] for k in range(1, steps + 1)]
            Q = [None] + [[q(delta[mm + 1][j]) + b * q(-delta[mm][j]) for j in range(d)] for mm in range(1, steps)]
            alpha = []
            S, xi = [], []
            for NN in range(steps):
                alpha.append([W[0][j] * mpmath.exp(-mpmath.fsum((1 - b ** (NN + 1 - mm)) * Q[mm][j]
                                                                for mm in range(1, NN + 1)) / (1 - b))
                              for j in range(d)])
                S.append([mpmath.fsum(r_fn_mp(W[kk + 1][j] / W[kk][j]) + b * r_fn_mp(W[kk][j] / W[kk + 1][j])
                                      for kk in range(1, NN + 1)) / (1 - b) for j in range(d)])
                xi.append([mpmath.fsum((mpmath.sign(W[mm][j]) if W[mm + 1][j] * W[mm][j] < 0 else 0)
                                       for mm in range(1, NN + 1)) for j in range(d)])
            out[f"delta_{tag}"], out[f"Q_{tag}"], out[f"alpha_{tag}"] = delta, Q, alpha
            out[f"S_{tag}"], out[f"xi_{tag}"] = S, xi
        e = [mpmath.mpf(0)] * d  # e_m = Σ_{k≤m} β^{m−k} ∇L(θ_k)
        acc = [mpmath.mpf(0)] * d
        dsum = [list(acc)]
        for NN in range(1, steps):
            e = [b * e[j] + tr.grads[NN - 1][j] for j in range(d)]
            acc = [acc[j] + e[j] for j in range(d)]
            dsum.append(list(acc))
        out["dsum"] = dsum
    return out


# --- continuous-time references ------------------------------------------------------------------
@dataclass
class FlowIntegrals:
    """MGF(λ) in (w₊, w₋) at time T with I± = ∫₀ᵀ (ẇ±/w±)² dt carried in the state."""

    wp: np.ndarray
    wm: np.ndarray
    I_plus: np.ndarray
    I_minus: np.ndarray
    t_end: float
    error_estimate: float
    success: bool
    message: str


def mgf_with_integrals(net: DiagonalNetwork, wp0: np.ndarray, wm0: np.ndarray, lam: float, t_end: float, *,
                       rtol: float = 1e-11, atol: float = 1e-13) -> FlowIntegrals:
    """λẅ± + ẇ± ± ∇L(θ) ⊙ w± = 0, w±(0) = w±,0, ẇ±(0) = 0, with the integrals I± in the state.

    Solved twice (``rtol`` and 1000·``rtol``); the difference of the two is the error estimate.
    """
    lam = V.positive("lam", lam)
    t_end = V.positive("t_end", t_end)
    wp0 = V.finite_array("wp0", wp0, ndim=1)
    wm0 = V.finite_array("wm0", wm0, ndim=1)
    d = net.d

    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        wp, wm, vp, vm = s[:d], s[d:2 * d], s[2 * d:3 * d], s[3 * d:4 * d]
        gr = net.grad_theta((wp ** 2 - wm ** 2) / 4)
        return np.concatenate([vp, vm, -(vp + gr * wp) / lam, -(vm - gr * wm) / lam, (vp / wp) ** 2, (vm / wm) ** 2])

    s0 = np.concatenate([wp0, wm0, np.zeros(4 * d)])
    sols = [solve_ivp(rhs, (0.0, t_end), s0, method="DOP853", rtol=tol, atol=atol * tol / rtol)
            for tol in (rtol, rtol * 1e3)]
    ok = all(s.success for s in sols)
    f, c = sols[0].y[:, -1], sols[1].y[:, -1]
    return FlowIntegrals(f[:d], f[d:2 * d], f[4 * d:5 * d], f[5 * d:], t_end, float(np.max(np.abs(f - c))), ok,
                         str(sols[0].message))


def gradient_flow_interpolator(net: DiagonalNetwork, delta: np.ndarray, t_end: float) -> tuple[np.ndarray, float, float]:
    """θ^GF_Δ: gradient flow on the network from u₀ = √Δ, v₀ = 0 (θ₀ = 0, balancedness Δ) up to ``t_end``.

    Returns (θ(t_end), the solver's error estimate on θ, the training loss at t_end).
    """
    delta = V.finite_array("delta", delta, ndim=1)
    if np.any(delta <= 0):
        raise ValueError("delta (balancedness) must have positive coordinates")
    w0 = np.concatenate([np.sqrt(delta), np.zeros_like(delta)])
    sol = solve_mgf(net.grad, w0, None, 0.0, np.array([0.0, V.positive("t_end", t_end)]))
    if not sol.success:
        return np.full_like(delta, np.nan), float("inf"), float("nan")
    th = net.theta(sol.w[-1])
    return th, float(sol.error_estimate) * 2 * float(np.max(np.abs(sol.w[-1]))), float(net.loss_theta(th))
