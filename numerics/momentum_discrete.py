"""SMGD(γ, β) on the 2-layer diagonal linear network in the (w₊, w₋) form of eq. (26), batched and exact.

- :func:`smgd`: float64 iterations batched over a grid of (γ, β) (one array step advances every run),
  full batch or mini-batches sampled with or without replacement, accumulating along the way the sums
  the paper's statements need (S± of Lemma 2, the residue sums of App. D.1, sign changes, exact zeros),
  stopping each run once it has stagnated at machine precision (or reached a loss), with the convergence
  measured; converged runs leave the batch (early stopping), the others go on in one array step.
- :func:`smgd_trajectory_mp`: the same recursion in mpmath (``dps`` digits), every iterate kept, and
  :func:`appendix_d_terms_mp`: the quantities of App. D.1 along it (δ, Q, α of eq. (27), the double
  sums ΣΣβ^{m−k}∇L(θ_k), Δ_N, θ_N) for the exact finite-N identities.
- The error budgets of these objects: :meth:`SMGDRun.roundoff` (float64 runs), :func:`mp_roundoff` (mpmath
  trajectories) and :func:`distance_error_from_two_stops` (a converging run's end point).

The update comes from ``numerics.generated.momentum_discrete.smgd_step_coefficients`` (eq. (26) as
(a₀ + a₁∇L)·w + c·w_prev, derived from eq. (9)); r(z) from ``r_fn`` / ``r_increment``; the float64 steps run in
the fused numba kernels of :mod:`numerics.smgd_kernels`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import mpmath
import numpy as np

from numerics import validation as V
from numerics.generated.momentum_discrete import r_fn_mp, smgd_step_coefficients, smgd_w_step_mp
from numerics.losses import DiagonalNetwork
from numerics.smgd_kernels import smgd_steps, trace_formulas

Sampling = Literal["full", "with_replacement", "without_replacement"]
EPS = np.finfo(float).eps


@dataclass
class SMGDRun:
    """Final state of a batch of SMGD runs (leading axis: run) and the sums accumulated on the way.

    ``S_plus``/``S_minus``: partial sums of Lemma 2 up to the last step; ``residue_imag_plus``/``_minus``:
    the imaginary part −π Σ_m ξ_m sgn(w_m) of (1/(1−β)) Σ_m Q±,m; ``sign_changes_*``: count of k with
    sgn w_{k+1} ≠ sgn w_k per coordinate; ``exact_zeros``: iterates exactly 0; ``converged_at``: first step at
    which the run stagnated (−1 if never); ``last_change``: max |w_k − w_{k−1}|/max|w| at the end; ``s_tail``:
    largest S term sampled in the last window (how much the sums still move); ``snapshot_*``: the iterate at the
    first check with training loss <= ``snapshot_loss`` (None unless asked), for an error estimate of the end point.
    """

    gamma: np.ndarray
    beta: np.ndarray
    wp0: np.ndarray
    wm0: np.ndarray
    wp: np.ndarray
    wm: np.ndarray
    S_plus: np.ndarray
    S_minus: np.ndarray
    residue_imag_plus: np.ndarray
    residue_imag_minus: np.ndarray
    sign_changes_plus: np.ndarray
    sign_changes_minus: np.ndarray
    exact_zeros: int
    steps: int
    converged_at: np.ndarray
    last_change: np.ndarray
    s_tail: np.ndarray
    train_loss: np.ndarray
    grad_dsum: np.ndarray
    history: dict[str, list] = field(default_factory=dict)
    snapshot_wp: np.ndarray | None = None
    snapshot_wm: np.ndarray | None = None
    snapshot_step: np.ndarray | None = None

    @property
    def alpha_plus(self) -> np.ndarray:
        """α₊,N = w₊,N exp(+γ ΣΣβ^{m−k}∇L(θ_k)) (eq. (27) solved for α)."""
        return self.wp * np.exp(self.gamma[:, None] * self.grad_dsum)

    @property
    def alpha_minus(self) -> np.ndarray:
        """α₋,N = w₋,N exp(−γ ΣΣβ^{m−k}∇L(θ_k))."""
        return self.wm * np.exp(-self.gamma[:, None] * self.grad_dsum)

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

    def roundoff(self, i: int) -> float:
        """Rounding error that run ``i``'s float64 steps can explain in S± and in log Δ: each step adds O(eps)
        relative error to the iterates and to the running sums; the worst case grows linearly."""
        scale = 1.0 + float(max(np.abs(self.S_plus[i]).max(), np.abs(self.S_minus[i]).max()))
        return 10.0 * self.steps * EPS * scale


def distance_error_from_two_stops(dist_end: float, dist_snap: float, loss_end: float, loss_snap: float) -> float:
    """Error estimate of a run's normalised distance to a limit point at its end, from its value at an earlier
    stop (the snapshot): the steps move θ by amounts ∝ the residual, so near the limit the remaining movement
    scales as √loss, and with s = √(loss_end/loss_snap) the distance left to go after the end is
    |dist_end − dist_snap|·s/(1 − s); the estimate is the larger of that and the change itself (infinite when the
    loss did not fall between the stops)."""
    s = math.sqrt(loss_end / loss_snap) if loss_snap > 0 else math.inf
    if not s < 1:
        return math.inf
    return abs(dist_end - dist_snap) * max(1.0, s / (1 - s))


class Batches:
    """Index arrays of the batches B_1, B_2, ... (one row per step), drawn from ``rng`` in chunks as needed.

    ``with_replacement``: every batch is an independent uniform draw of ``batch_size`` distinct samples;
    ``without_replacement``: each epoch is a fresh random permutation cut into n // batch_size batches.
    ``full`` draws nothing (the kernel then uses the full-batch product).
    """

    def __init__(self, n: int, batch_size: int, sampling: Sampling, rng: np.random.Generator | None,
                 chunk: int = 2048) -> None:
        if sampling != "full" and rng is None:
            raise ValueError("rng is required for mini-batch sampling")
        self.n, self.bsz, self.sampling, self.rng, self.chunk = n, batch_size, sampling, rng, chunk
        self.block = np.empty((0, batch_size if sampling != "full" else 0), dtype=np.int64)
        self.pos = 0

    def _draw(self) -> np.ndarray:
        if self.sampling == "with_replacement":
            return np.argsort(self.rng.random((self.chunk, self.n)), axis=1)[:, :self.bsz]
        per_epoch = self.n // self.bsz
        perms = np.argsort(self.rng.random((self.chunk // per_epoch + 1, self.n)), axis=1)[:, :per_epoch * self.bsz]
        return perms.reshape(-1, self.bsz)

    def take(self, m: int) -> np.ndarray:
        """The next ``m`` batches as an (m, batch_size) int64 array ((0, 0) for full batch)."""
        if self.sampling == "full":
            return self.block
        parts, need = [], m
        while need:
            if self.pos == len(self.block):
                self.block, self.pos = np.ascontiguousarray(self._draw(), dtype=np.int64), 0
            got = min(need, len(self.block) - self.pos)
            parts.append(self.block[self.pos:self.pos + got])
            self.pos += got
            need -= got
        return np.ascontiguousarray(np.concatenate(parts) if len(parts) > 1 else parts[0])


def _grid(gamma: float | np.ndarray, beta: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """γ and β broadcast to one flat (G,) grid, checked (γ > 0 finite, β in [0, 1))."""
    gamma_a = np.atleast_1d(np.asarray(gamma, dtype=float))
    beta_a = np.atleast_1d(np.asarray(beta, dtype=float))
    gamma_a, beta_a = (a.astype(float).ravel().copy() for a in np.broadcast_arrays(gamma_a, beta_a))
    if not (np.all(np.isfinite(gamma_a)) and np.all(gamma_a > 0)):
        raise ValueError("gamma (step size) must be finite and > 0")
    if not (np.all(np.isfinite(beta_a)) and np.all((beta_a >= 0) & (beta_a < 1))):
        raise ValueError("beta (momentum) must lie in [0, 1)")
    return gamma_a, beta_a


def _initial_state(net: DiagonalNetwork, wp0: np.ndarray, wm0: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray]:
    """w±,0 broadcast to (G, d), checked (finite, Δ₀ = |w₊ w₋| > 0 in every coordinate)."""
    wp0 = np.broadcast_to(V.finite_array("wp0", wp0), (G, net.d)).copy()
    wm0 = np.broadcast_to(V.finite_array("wm0", wm0), (G, net.d)).copy()
    if np.any(wp0 * wm0 == 0):
        raise ValueError("wp0 and wm0 must have non-zero coordinates (Delta_0 = |w+ w-| > 0)")
    return wp0, wm0


def _batch_size(net: DiagonalNetwork, sampling: Sampling, batch_size: int | None) -> int:
    """|B|: n for full batch, else ``batch_size`` (checked against n)."""
    if sampling not in ("full", "with_replacement", "without_replacement"):
        raise ValueError(f"sampling must be 'full', 'with_replacement' or 'without_replacement', got {sampling!r}")
    bsz = net.n if sampling == "full" else V.count("batch_size", batch_size)
    if bsz > net.n:
        raise ValueError(f"batch_size must be <= n = {net.n}, got {bsz}")
    return bsz


class _Outcome:
    """The final state of every run of the grid, filled in as runs leave the batch, and what is known of each
    run on the way: when it converged and its snapshot (the iterate at the first check with a low loss)."""

    def __init__(self, wp0: np.ndarray, wm0: np.ndarray) -> None:
        G, d = wp0.shape
        self.w = np.stack([wp0, wm0]).astype(float)
        self.S, self.xi = np.zeros((2, G, d)), np.zeros((2, G, d))
        self.chg = np.zeros((2, G, d), dtype=np.int64)
        self.dsum = np.zeros((G, d))
        self.converged_at = np.full(G, -1)
        self.last, self.tail = np.zeros(G), np.zeros(G)
        self.snap_w, self.snap_step = np.full((2, G, d), np.nan), np.full(G, -1)
        self.history: dict[str, list] = {"step": [], "S_plus": [], "S_minus": [], "theta": [], "alpha_plus": [],
                                         "alpha_minus": []}

    def store(self, rows: np.ndarray, st: _SMGDState, mask: np.ndarray | slice) -> None:
        """Keep the state of the active runs ``mask`` (grid rows ``rows``) as their final state."""
        self.w[:, rows], self.S[:, rows], self.xi[:, rows] = st.W[:, mask], st.S[:, mask], st.xi[:, mask]
        self.chg[:, rows], self.dsum[rows] = st.chg[:, mask], st.dsum[mask]
        self.last[rows], self.tail[rows] = st.last[mask], st.tail[mask]

    def record(self, k: int, st: _SMGDState) -> None:
        """Append every run's (S₊, S₋, θ, α₊, α₋) at step ``k`` to the history."""
        self.history["step"].append(k)
        self.history["S_plus"].append(st.S[0].copy())
        self.history["S_minus"].append(st.S[1].copy())
        self.history["theta"].append((st.W[0] ** 2 - st.W[1] ** 2) / 4)
        self.history["alpha_plus"].append(st.W[0] * np.exp(st.gam * st.dsum))
        self.history["alpha_minus"].append(st.W[1] * np.exp(-st.gam * st.dsum))

    def check(self, k: int, idx: np.ndarray, st: _SMGDState, net: DiagonalNetwork, stop_change: float,
              stop_loss: float | None, snapshot_loss: float | None) -> np.ndarray:
        """At a check of step ``k``: take snapshots, note first convergence; returns which active runs leave
        (converged or diverged)."""
        done = st.window_max <= stop_change
        if stop_loss is not None or snapshot_loss is not None:
            loss = net.loss_theta((st.W[0] ** 2 - st.W[1] ** 2) / 4)
            if stop_loss is not None:
                done |= loss <= stop_loss
            if snapshot_loss is not None:
                snap = (loss <= snapshot_loss) & (self.snap_step[idx] < 0)
                self.snap_w[:, idx[snap]], self.snap_step[idx[snap]] = st.W[:, snap], k
        diverged = ~np.isfinite(st.W).all(axis=(0, 2))
        first = done & (self.converged_at[idx] < 0)
        self.converged_at[idx[first]] = k
        return done | diverged

    def run(self, gamma: np.ndarray, beta: np.ndarray, wp0: np.ndarray, wm0: np.ndarray, zeros: int, steps: int,
            net: DiagonalNetwork, snapshots: bool) -> SMGDRun:
        """The :class:`SMGDRun` of the grid after ``steps`` steps."""
        theta = (self.w[0] ** 2 - self.w[1] ** 2) / 4
        snap = (self.snap_w[0], self.snap_w[1], self.snap_step) if snapshots else (None, None, None)
        return SMGDRun(gamma, beta, wp0, wm0, self.w[0], self.w[1], self.S[0], self.S[1], -np.pi * self.xi[0],
                       -np.pi * self.xi[1], self.chg[0], self.chg[1], zeros, steps, self.converged_at, self.last,
                       self.tail, net.loss_theta(theta), self.dsum, self.history, *snap)


def smgd(net: DiagonalNetwork, wp0: np.ndarray, wm0: np.ndarray, gamma: float | np.ndarray,
         beta: float | np.ndarray, max_steps: int, *, sampling: Sampling = "full", batch_size: int | None = None,
         rng: np.random.Generator | None = None, check_every: int = 500, stop_change: float = 4 * EPS,
         stop_loss: float | None = None, record: tuple[int, ...] = (), track_sums: bool = True,
         snapshot_loss: float | None = None) -> SMGDRun:
    """Run SMGD(γ, β) from w±,1 = w±,0 for a batch of (γ, β) pairs until every run stagnates or ``max_steps``.

    ``gamma``/``beta`` broadcast to shape (G,); ``wp0``/``wm0`` have shape (d,) or (G, d). A run has
    converged once max_k |w_{k+1} − w_k| / max|w| ≤ ``stop_change`` over a whole window of
    ``check_every`` steps (sampled every 10 steps; default: stagnation at machine precision), or, with
    ``stop_loss``, once the full training loss is at most ``stop_loss`` at a check. A converged run is
    frozen at that step and leaves the batch (early stopping; its ``converged_at`` and ``last_change``
    say when and how still it was); runs that diverge (inf/nan) leave it too, keeping their non-finite
    values. While ``record`` steps remain no run leaves, so ``history`` holds every run at the steps in
    ``record``: (S₊, S₋, θ, α₊, α₋). Exact sign changes are counted per coordinate and the imaginary parts
    of the residue sums, −π Σ_m ξ_m sgn(w_m), are kept. ``track_sums=False`` skips S± and the momentum
    sums (left at 0) for runs that only need the end point. With ``snapshot_loss``, each run's iterate at the
    first check where its training loss is at most ``snapshot_loss`` is kept (``snapshot_wp``/``_wm``, step in
    ``snapshot_step``, −1 if never): an earlier stop to compare the end point with (an error estimate).

    The steps between two checks (or record steps) run in one call of the fused numba kernel
    :func:`numerics.smgd_kernels.smgd_steps` (w₊ and w₋ stacked as (2, G, d); per step one product θ·H for
    the full batch, then one pass for the update, the sign changes, the sums and the next θ).
    """
    gamma_a, beta_a = _grid(gamma, beta)
    V.count("max_steps", max_steps)
    V.count("check_every", check_every)
    V.positive("stop_change", stop_change)
    wp0, wm0 = _initial_state(net, wp0, wm0, gamma_a.size)
    batches = Batches(net.n, _batch_size(net, sampling, batch_size), sampling, rng)
    rec = sorted(set(int(r) for r in record))
    last_rec = rec[-1] if rec else 0
    out = _Outcome(wp0, wm0)
    st = _SMGDState(out.w.copy(), gamma_a, beta_a, track_sums)  # the active runs: rows ``idx`` of the grid
    idx = np.arange(gamma_a.size)
    zeros = 0
    X, y = np.ascontiguousarray(net.X, dtype=float), np.ascontiguousarray(net.y, dtype=float)
    # full batch: ∇L(θ) = [w₊² − w₋², 1]·[H/4; −Xᵀy/n], one product (``th`` carries a column of ones)
    H_aug = np.ascontiguousarray(np.vstack([X.T @ X / (4 * net.n), -(X.T @ y) / net.n]))
    stops = sorted(set(rec) | {max_steps})
    trace_formulas()
    k = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # diverging runs become inf/nan
        while k < max_steps:
            nxt = min((k // check_every + 1) * check_every, next(s for s in stops if s > k))
            zeros += st.advance(k, nxt, max_steps, H_aug, X, y, batches.take(nxt - k))
            k = nxt
            if k in rec:
                out.record(k, st)
            if k % check_every == 0 or k == max_steps:
                leave = out.check(k, idx, st, net, stop_change, stop_loss, snapshot_loss)
                if k >= last_rec and leave.any():
                    out.store(idx[leave], st, leave)
                    idx, st = idx[~leave], st.keep(~leave)
                    if idx.size == 0:
                        break
                st.window_max[:] = 0
                st.tail[:] = 0
    if idx.size:
        out.store(idx, st, slice(None))
    return out.run(gamma_a, beta_a, wp0, wm0, zeros, k, net, snapshot_loss is not None)


_SIGNS = np.array([1.0, -1.0]).reshape(2, 1)  # s = +1 for w₊, −1 for w₋


class _SMGDState:
    """Iterates and running sums of the active runs: ``W``/``Wp`` hold w±,k and w±,k−1 stacked as (2, G, d);
    :meth:`advance` runs eq. (26) for every run in place through the fused kernel."""

    def __init__(self, W: np.ndarray, gamma: np.ndarray, beta: np.ndarray, track_sums: bool,
                 Wp: np.ndarray | None = None) -> None:
        G, d = W.shape[1:]
        self.W = np.ascontiguousarray(W)
        self.Wp = self.W.copy() if Wp is None else np.ascontiguousarray(Wp)
        self.gamma, self.beta, self.track = gamma, beta, track_sums
        self.gam = np.ascontiguousarray(np.broadcast_to(gamma[:, None], (G, d)))
        # eq. (26): w±,k+1 = (a₀ + a₁∇L)·w±,k + c·w±,k−1, coefficients tabulated once per (sign, run)
        self.a0, self.a1, self.c = (np.ascontiguousarray(np.broadcast_to(x, (2, G)), dtype=float) for x in
                                    smgd_step_coefficients(gamma[None], beta[None], _SIGNS))
        self.inv = 1 / (1 - beta)
        self.th, self.grad = np.ones((G, d + 1)), np.empty((G, d))  # th: [w₊² − w₋², 1] of the current W
        self.th[:, :d] = self.W[0] * self.W[0] - self.W[1] * self.W[1]
        self.S, self.xi = np.zeros((2, G, d)), np.zeros((2, G, d))
        self.chg = np.zeros((2, G, d), dtype=np.int64)
        self.mom, self.dsum = np.zeros((G, d)), np.zeros((G, d))
        self.window_max, self.tail, self.last = np.zeros(G), np.zeros(G), np.zeros(G)
        self.term = np.zeros((2, G, d))

    def advance(self, k0: int, k1: int, max_steps: int, H_aug: np.ndarray, X: np.ndarray, y: np.ndarray,
                batches: np.ndarray) -> int:
        """Steps k0+1..k1 (``batches``: their index rows, or (0, 0) for full batch); returns how many new
        iterates were exactly 0. Counts sign changes, adds the S± terms when tracking sums and samples the
        relative change at every tenth step and at ``max_steps`` (:func:`smgd_steps`)."""
        zeros, swapped = smgd_steps(self.W, self.Wp, k0, k1, max_steps, self.a0, self.a1, self.c, self.beta,
                                    self.inv, H_aug, self.th, self.grad, X, y, batches, self.S, self.xi, self.chg,
                                    self.mom, self.dsum, self.term, self.window_max, self.tail, self.last,
                                    self.track)
        if swapped:
            self.W, self.Wp = self.Wp, self.W
        return int(zeros)

    def keep(self, rows: np.ndarray) -> "_SMGDState":
        """The state restricted to the runs ``rows`` (boolean mask)."""
        new = _SMGDState(self.W[:, rows].copy(), self.gamma[rows], self.beta[rows], self.track, self.Wp[:, rows].copy())
        for name in ("S", "xi", "chg", "term"):
            setattr(new, name, np.ascontiguousarray(getattr(self, name)[:, rows]))
        for name in ("mom", "dsum", "window_max", "tail", "last"):
            setattr(new, name, np.ascontiguousarray(getattr(self, name)[rows]))
        return new


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


def mp_roundoff(dps: int, steps: int) -> float:
    """What ``steps`` operations at ``dps`` digits can explain, with a condition factor of 10⁶ for the
    exponentials and logarithms in between (still some 40 digits below any real discrepancy at 50 digits)."""
    return steps * 10.0 ** (6 - dps)


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


# --- general architectures (Figures 2 and 6): MGD batched over a (γ, β) grid, hand-written backprop -------
@dataclass
class GridTraining:
    """End state of MGD(γ, β) training over a grid: train and test loss per grid point, steps used."""

    gamma: np.ndarray
    beta: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    steps: np.ndarray


def _mgd_grid(params: list[np.ndarray], loss_grad, test_loss, gamma: np.ndarray, beta: np.ndarray, max_steps: int,
              stop_loss: float | None) -> GridTraining:
    """MGD(γ, β) on every grid point at once; ``params`` have a leading grid axis; stops per point (frozen)
    once its train loss <= ``stop_loss`` (if given). Update: numerics.generated.momentum_discretisation."""
    from numerics.generated.momentum_discretisation import mgd_update

    G = gamma.size
    shape = lambda p: (G,) + (1,) * (p.ndim - 1)  # noqa: E731
    prev = [p.copy() for p in params]
    cur = [p.copy() for p in params]
    steps = np.full(G, max_steps)
    active = np.ones(G, bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(max_steps):
            loss, grads = loss_grad(cur)
            if stop_loss is not None:
                done = active & (loss <= stop_loss)
                steps[done] = k
                active &= ~done
                if not active.any():
                    break
            nxt = []
            for p, q, g in zip(cur, prev, grads):
                a = active.reshape(shape(p))
                nxt.append(np.where(a, mgd_update(p, q, g, gamma.reshape(shape(p)), beta.reshape(shape(p))), p))
            prev, cur = [np.where(active.reshape(shape(p)), p, q) for p, q in zip(cur, prev)], nxt
        loss, _ = loss_grad(cur)
    return GridTraining(gamma, beta, loss, test_loss(cur), steps)


def relu_loss_grad(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Train loss ½mean(r²) per grid point of the ReLU students ``params`` = [W (G, k, dim), a (G, k)] on (X, y),
    and its gradient [∂W, ∂a] (the numpy reference of numerics.architecture_kernels.relu_loss_grad)."""
    W, a = params
    n = X.shape[0]
    pre = np.einsum("nd,gkd->gnk", X, W)
    h = np.maximum(pre, 0)
    r = np.einsum("gnk,gk->gn", h, a) - y
    ga = np.einsum("gnk,gn->gk", h, r) / n
    gW = np.einsum("gnk,nd->gkd", (r[:, :, None] * a[:, None, :]) * (pre > 0), X) / n
    return 0.5 * np.mean(r * r, axis=1), [gW, ga]


def relu_teacher_student(rng: np.random.Generator, gamma: np.ndarray, beta: np.ndarray, *, n: int = 15,
                         teacher: int = 5, student: int = 20, dim: int = 2, max_steps: int = 100_000,
                         stop_loss: float = 1e-5, n_test: int = 2000, kernel: bool = True) -> GridTraining:
    """Figure 2: one-hidden-layer ReLU teacher (``teacher`` neurons) and student (``student`` neurons), inputs
    x_i ~ N(0, I_dim), square loss ½mean(f(x) − y)², the same data and student init on every grid point;
    test loss on ``n_test`` fresh inputs after the train loss reaches ``stop_loss``. ``kernel``: the numba kernel
    numerics.architecture_kernels.relu_grid (else the numpy loop over steps, its test oracle)."""
    gamma, beta = np.asarray(gamma, float).ravel(), np.asarray(beta, float).ravel()
    Xtr, Xte = rng.standard_normal((n, dim)), rng.standard_normal((n_test, dim))
    Wt, at = rng.standard_normal((teacher, dim)), rng.standard_normal(teacher)
    f_teacher = lambda X: np.maximum(X @ Wt.T, 0) @ at  # noqa: E731
    ytr, yte = f_teacher(Xtr), f_teacher(Xte)
    W0 = rng.standard_normal((student, dim)) / np.sqrt(dim)
    a0 = rng.standard_normal(student) / np.sqrt(student)
    G = gamma.size
    params = [np.broadcast_to(W0, (G,) + W0.shape).copy(), np.broadcast_to(a0, (G, student)).copy()]

    def test(p):
        W, a = p
        out = np.einsum("gnk,gk->gn", np.maximum(np.einsum("nd,gkd->gnk", Xte, W), 0), a)
        return 0.5 * np.mean((out - yte) ** 2, axis=1)

    if kernel:
        from numerics import architecture_kernels as AK

        AK.trace_formulas()
        loss, steps = np.empty(G), np.empty(G, np.int64)
        with np.errstate(over="ignore", invalid="ignore"):
            AK.relu_grid(params[0], params[1], params[0].copy(), params[1].copy(), Xtr, ytr, gamma, beta, max_steps,
                         0.0 if stop_loss is None else float(stop_loss), stop_loss is not None, loss, steps)
            return GridTraining(gamma, beta, loss, test(params), steps)
    return _mgd_grid(params, lambda p: relu_loss_grad(p, Xtr, ytr), test, gamma, beta, max_steps, stop_loss)


def dln_loss_grad(params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Train loss ½mean(r²) per grid point of the deep linear networks ``params`` (layer j of shape (G, o, i)) on
    (X, y), and its gradient by back-propagation (the numpy reference of numerics.architecture_kernels)."""
    G, n = params[0].shape[0], X.shape[0]
    acts = [np.broadcast_to(X, (G,) + X.shape)]
    for W in params:
        acts.append(acts[-1] @ np.swapaxes(W, 1, 2))
    r = acts[-1][..., 0] - y
    back = r[..., None] / n  # dL/d(output), (G, n, 1)
    grads = [None] * len(params)
    for j in range(len(params) - 1, -1, -1):
        grads[j] = np.swapaxes(back, 1, 2) @ acts[j]
        back = back @ params[j]
    return 0.5 * np.mean(r * r, axis=1), grads


def deep_linear_network(rng: np.random.Generator, gamma: np.ndarray, beta: np.ndarray, *,
                        widths: tuple[int, ...] = (30, 60, 120, 60, 1), n: int = 20, s: int = 5, epochs: int = 1000,
                        init_std: float = 0.1, mu: float = 1.0, sigma: float = 1.0,
                        kernel: bool = True) -> GridTraining:
    """Figure 6: fully connected linear network x ↦ W_L···W_1 x with layer widths ``widths`` (input first),
    weights N(0, init_std²) shared by every grid point, trained by full-batch MGD for ``epochs`` on sparse
    regression (n, d = widths[0], s); test loss is the population risk ½E⟨x, θ − θ*⟩² for x ~ N(μ1, σ²I).
    ``kernel``: the numba kernel numerics.architecture_kernels.dln_grid (else the numpy loop over epochs, its
    test oracle); the kernel needs one output (widths[-1] = 1)."""
    from numerics.data import sparse_regression

    gamma, beta = np.asarray(gamma, float).ravel(), np.asarray(beta, float).ravel()
    data = sparse_regression(rng, n, widths[0], s, mu=mu, sigma=sigma)
    X, y = data.X, data.y
    G = gamma.size
    params = [np.broadcast_to(init_std * rng.standard_normal((o, i)), (G, o, i)).copy()
              for i, o in zip(widths[:-1], widths[1:])]

    def test_of_theta(theta):
        e = theta - data.theta_star
        return 0.5 * (sigma ** 2 * np.sum(e * e, -1) + mu ** 2 * np.sum(e, -1) ** 2)

    if kernel and widths[-1] == 1:
        from numerics import architecture_kernels as AK

        AK.trace_formulas()
        w = np.concatenate([p.reshape(G, -1) for p in params], axis=1)
        loss, theta = np.empty(G), np.empty((G, widths[0]))
        with np.errstate(over="ignore", invalid="ignore"):
            AK.dln_grid(w, w.copy(), np.asarray(widths, np.int64), X, y, gamma, beta, epochs, loss, theta)
            return GridTraining(gamma, beta, loss, test_of_theta(theta), np.full(G, epochs))

    def end_to_end(p):
        M_ = p[0]
        for W in p[1:]:
            M_ = W @ M_
        return M_[:, 0, :]  # (G, d): θ = W_L···W_1

    return _mgd_grid(params, lambda p: dln_loss_grad(p, X, y), lambda p: test_of_theta(end_to_end(p)), gamma, beta,
                     epochs, None)
