"""MGF(λ) on the 2-layer diagonal network in the (w₊, w₋) coordinates of App. B, with path integrals.

λẅ± + ẇ± ± ∇L(θ) ⊙ w± = 0, θ = (w₊² − w₋²)/4, Δ = |w₊ w₋|, w± = u ± v (eq. 12). The state carries, next to
(w₊, w₋, ẇ₊, ẇ₋), the path integrals the paper's statements need (DESIGN: integrals in the ODE state):

====== =========================================== ===========================================
name   ODE                                          meaning
====== =========================================== ===========================================
J      J̇ = ∇L(θ)                                   ∫₀ᵗ ∇L (Lemma 3, eqs. 21–23)
eta    λη̇ + η + ∇L = 0                              ξ̇_t; ξ_t = −J − λη (Lemma 5, App. C.2)
G      Ġ = ∇L²                                      ∫₀ᵗ ∇L² (§3.3, App. C.5)
P      Ṗ = ẇ₊ẇ₋ = u̇² − v̇²                           eq. (30)
Q      λQ̇ + Q = λ ẇ₊ẇ₋ ... (Q̇ = ẇ₊ẇ₋ − Q/λ)         ∫₀ᵗ (u̇² − v̇²) e^{−(t−s)/λ} ds (eq. 30)
A      Ȧ = |ẇ₊ẇ₋|                                   ∫₀ᵗ |u̇² − v̇²| (Prop. 3's proof)
Ekin   Ė = ‖(u̇, v̇)‖² = (‖ẇ₊‖² + ‖ẇ₋‖²)/2            ∫₀ᵗ ‖ẇ‖² (eq. 14)
Kp, Km K̇± = (ẇ±/w±)²                               ∫₀ᵗ (ẇ±/w±)² (Cor. 2, eqs. 21–25)
Mp, Mm Ṁ± = (ẇ±/w±)² − M±/λ                         ∫₀ᵗ (ẇ±/w±)² e^{−(t−s)/λ} ds (eqs. 21–22)
====== =========================================== ===========================================

K and M blow up where a weight crosses zero, so they are carried only with ``ratios=True`` (for
trajectories whose balancedness stays positive). Zero crossings of w± are located (root-refined on the
dense output) and reported. The solve stops when the energy F + λ/2‖ẇ‖² falls below ``loss_tol``
(a terminal event; it decreases monotonically by eq. 14). Every run is done twice, at ``rtol`` and at
1000·``rtol``; the difference of the two end states is the reported error estimate. ``atol`` is the absolute
tolerance of (w₊, w₋); the other blocks get AUX_ATOL_FACTOR·atol (an atol below the round-off of their computed
derivatives made the error test fail on noise: the paper's setting took > 10 min per solve, now seconds).
An optional wall-clock budget (``max_seconds``) ends a solve with success=False instead of hanging.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from numerics import validation as V

BLOCKS = ("p", "m", "vp", "vm", "J", "eta", "G", "P", "Q", "A")
RATIO_BLOCKS = ("Kp", "Km", "Mp", "Mm")
#: absolute tolerance of every block but (w₊, w₋), relative to the ``atol`` of (w₊, w₋) (see solve_dln_mgf)
AUX_ATOL_FACTOR = 1e3


def layout(d: int, ratios: bool) -> dict[str, slice]:
    """Slices of the state vector: d entries per block, then one for Ekin."""
    names = BLOCKS + (RATIO_BLOCKS if ratios else ())
    out = {name: slice(i * d, (i + 1) * d) for i, name in enumerate(names)}
    out["Ekin"] = slice(len(names) * d, len(names) * d + 1)
    return out


@dataclass
class Crossing:
    """A zero of coordinate ``index`` of w₊ (``sign`` = +1) or w₋ (−1) at time ``t``, with ẇ there."""

    sign: int
    index: int
    t: float
    velocity: float
    second_derivative: float


@dataclass
class MGFRun:
    """One MGF(λ) solve to convergence on the diagonal network."""

    lam: float
    X: np.ndarray
    y: np.ndarray
    state0: np.ndarray
    state: np.ndarray
    t_end: float
    slices: dict[str, slice]
    sol: Any
    crossings: list[Crossing]
    error_estimate: np.ndarray  # fine end state minus coarse end state
    success: bool
    message: str
    max_abs_w: float
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, state: np.ndarray | None = None) -> np.ndarray:
        """Block ``name`` of the end state (or of ``state``)."""
        s = self.state if state is None else state
        return s[..., self.slices[name]]

    def err(self, name: str) -> np.ndarray:
        """Error estimate of block ``name`` of the end state (fine minus coarse solve)."""
        return np.abs(self.error_estimate[self.slices[name]])

    @property
    def coarse_state(self) -> np.ndarray:
        """End state of the second solve (tolerances 1000 times looser)."""
        return self.state - self.error_estimate

    def spread(self, f, scale: float = 1.0) -> float:
        """Error estimate of a derived quantity f(state): |f(fine) − f(coarse)| plus the change of f over
        the last tenth of the horizon (a bound on the remaining distance to the limit), plus round-off."""
        val = np.asarray(f(self.state), dtype=float)
        tail = np.asarray(f(self.states(np.array([0.9 * self.t_end]))[0]), dtype=float)
        coarse = np.asarray(f(self.coarse_state), dtype=float)
        return float(np.max(np.abs(val - coarse)) + np.max(np.abs(val - tail))
                     + 1e-13 * max(scale, float(np.max(np.abs(val)))))

    @property
    def d(self) -> int:
        return self.X.shape[1]

    def theta(self, state: np.ndarray | None = None) -> np.ndarray:
        p, m = self.get("p", state), self.get("m", state)
        return (p * p - m * m) / 4

    def balancedness(self, state: np.ndarray | None = None) -> np.ndarray:
        return np.abs(self.get("p", state) * self.get("m", state))

    def grad_loss(self, state: np.ndarray | None = None) -> np.ndarray:
        n = self.X.shape[0]
        return (self.theta(state) @ self.X.T - self.y) @ self.X / n

    def train_loss(self, state: np.ndarray | None = None) -> np.ndarray:
        r = self.theta(state) @ self.X.T - self.y
        return 0.5 * np.sum(r * r, axis=-1) / self.X.shape[0]

    def xi(self, state: np.ndarray | None = None) -> np.ndarray:
        """ξ_t = −∫₀ᵗ ∇L (1 − e^{−(t−s)/λ}) ds = −J − λη (App. C.2)."""
        return -self.get("J", state) - self.lam * self.get("eta", state)

    def states(self, t: np.ndarray) -> np.ndarray:
        """States at times ``t`` (rows), from the dense output of the fine solve."""
        return np.asarray(self.sol(np.asarray(t, dtype=float))).T

    @property
    def crossed(self) -> bool:
        return bool(self.crossings)


def _rhs_jac(X: np.ndarray, y: np.ndarray, lam: float, ratios: bool):
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n
    sl = layout(d, ratios)
    size = sl["Ekin"].stop
    I = np.eye(d)

    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        p, m, vp, vm = s[sl["p"]], s[sl["m"]], s[sl["vp"]], s[sl["vm"]]
        g = H @ ((p * p - m * m) / 4) - b
        out = np.empty(size)
        out[sl["p"]], out[sl["m"]] = vp, vm
        out[sl["vp"]] = -(vp + g * p) / lam
        out[sl["vm"]] = -(vm - g * m) / lam
        out[sl["J"]] = g
        out[sl["eta"]] = -(s[sl["eta"]] + g) / lam
        out[sl["G"]] = g * g
        out[sl["P"]] = vp * vm
        out[sl["Q"]] = vp * vm - s[sl["Q"]] / lam
        out[sl["A"]] = np.abs(vp * vm)
        if ratios:
            rp, rm = (vp / p) ** 2, (vm / m) ** 2
            out[sl["Kp"]], out[sl["Km"]] = rp, rm
            out[sl["Mp"]], out[sl["Mm"]] = rp - s[sl["Mp"]] / lam, rm - s[sl["Mm"]] / lam
        out[sl["Ekin"]] = 0.5 * (vp @ vp + vm @ vm)
        return out

    def jac(_t: float, s: np.ndarray) -> np.ndarray:
        p, m, vp, vm = s[sl["p"]], s[sl["m"]], s[sl["vp"]], s[sl["vm"]]
        g = H @ ((p * p - m * m) / 4) - b
        gp, gm = H * (p / 2), -H * (m / 2)  # ∂g/∂p, ∂g/∂m
        Jm = np.zeros((size, size))
        Jm[sl["p"], sl["vp"]] = I
        Jm[sl["m"], sl["vm"]] = I
        Jm[sl["vp"], sl["p"]] = -(np.diag(g) + p[:, None] * gp) / lam
        Jm[sl["vp"], sl["m"]] = -(p[:, None] * gm) / lam
        Jm[sl["vp"], sl["vp"]] = -I / lam
        Jm[sl["vm"], sl["p"]] = (m[:, None] * gp) / lam
        Jm[sl["vm"], sl["m"]] = (np.diag(g) + m[:, None] * gm) / lam
        Jm[sl["vm"], sl["vm"]] = -I / lam
        Jm[sl["J"], sl["p"]], Jm[sl["J"], sl["m"]] = gp, gm
        Jm[sl["eta"], sl["p"]], Jm[sl["eta"], sl["m"]] = -gp / lam, -gm / lam
        Jm[sl["eta"], sl["eta"]] = -I / lam
        Jm[sl["G"], sl["p"]], Jm[sl["G"], sl["m"]] = 2 * g[:, None] * gp, 2 * g[:, None] * gm
        Jm[sl["P"], sl["vp"]], Jm[sl["P"], sl["vm"]] = np.diag(vm), np.diag(vp)
        Jm[sl["Q"], sl["vp"]], Jm[sl["Q"], sl["vm"]] = np.diag(vm), np.diag(vp)
        Jm[sl["Q"], sl["Q"]] = -I / lam
        sg = np.sign(vp * vm)
        Jm[sl["A"], sl["vp"]], Jm[sl["A"], sl["vm"]] = np.diag(sg * vm), np.diag(sg * vp)
        if ratios:
            for k, M, w, v in (("Kp", "Mp", p, vp), ("Km", "Mm", m, vm)):
                dw, dv = np.diag(-2 * v * v / w ** 3), np.diag(2 * v / w ** 2)
                src_w, src_v = ("p", "vp") if k == "Kp" else ("m", "vm")
                for blk in (k, M):
                    Jm[sl[blk], sl[src_w]], Jm[sl[blk], sl[src_v]] = dw, dv
                Jm[sl[M], sl[M]] = -I / lam
        Jm[sl["Ekin"], sl["vp"]], Jm[sl["Ekin"], sl["vm"]] = vp, vm
        return Jm

    return rhs, jac, sl


def _find_crossings(sol: Any, t: np.ndarray, sl: dict[str, slice], lam: float, X: np.ndarray,
                    y: np.ndarray, per_step: int = 3) -> list[Crossing]:
    """Zeros of w± located on the dense output (sampled ``per_step`` times per step, then brentq)."""
    d = X.shape[1]
    n = X.shape[0]
    grid = np.unique(np.concatenate([t] + [np.linspace(t[i], t[i + 1], per_step + 1)[1:-1]
                                           for i in range(t.size - 1)]))
    out = []
    states = np.asarray(sol(grid))
    for sign, blk, vblk in ((1, "p", "vp"), (-1, "m", "vm")):
        w = states[sl[blk]]
        for i in range(d):
            idx = np.nonzero(np.sign(w[i, :-1]) * np.sign(w[i, 1:]) < 0)[0]
            for k in idx:
                tc = brentq(lambda s: float(sol(s)[sl[blk]][i]), grid[k], grid[k + 1], xtol=1e-14, rtol=1e-15)
                st = sol(tc)
                p, m = st[sl["p"]], st[sl["m"]]
                g = X.T @ (X @ ((p * p - m * m) / 4) - y) / n
                v = float(st[sl[vblk]][i])
                wv = float(st[sl[blk]][i])
                acc = -(v + sign * g[i] * wv) / lam
                out.append(Crossing(sign, i, float(tc), v, float(acc)))
    return sorted(out, key=lambda c: c.t)


def solve_dln_mgf(X: Any, y: Any, u0: Any, v0: Any, lam: float, *, ratios: bool = False,
                  loss_tol: float = 1e-26, t_max: float = 1e8, rtol: float = 1e-11,
                  atol: float = 1e-15, method: str = "LSODA", second_solve: bool = True,
                  max_seconds: float | None = None) -> MGFRun:
    """Solve MGF(λ) (λ > 0) on F(u, v) = L(u⊙v) from (u₀, v₀) at zero speed until the energy <= loss_tol.

    ``ratios`` adds ∫(ẇ±/w±)² and its e^{−(t−s)/λ}-kernel version to the state (only for trajectories
    without zero crossings: a crossing makes them infinite and the solve is reported as failed).
    ``max_seconds`` is a wall-clock budget for both solves together (None: unlimited); a solve that runs out
    of it stops (a terminal event) and the run is returned with success=False and a message saying so.
    """
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} entries; they must match")
    d = X.shape[1]
    u0 = V.finite_array("u0", u0, ndim=1)
    v0 = V.finite_array("v0", v0, ndim=1)
    V.same_shape(("u0", "v0"), u0, v0)
    if u0.size != d:
        raise ValueError(f"u0 must have length {d} (columns of X), got {u0.size}")
    lam = V.positive("lam", lam)
    V.positive("loss_tol", loss_tol)
    V.positive("t_max", t_max)
    V.positive("rtol", rtol)
    V.positive("atol", atol)
    if max_seconds is not None:
        V.positive("max_seconds", max_seconds)
    rhs, jac, sl = _rhs_jac(X, y, lam, ratios)
    s0 = np.zeros(sl["Ekin"].stop)
    s0[sl["p"]], s0[sl["m"]] = u0 + v0, u0 - v0
    n = X.shape[0]

    def energy(_t: float, s: np.ndarray) -> float:
        p, m = s[sl["p"]], s[sl["m"]]
        r = X @ ((p * p - m * m) / 4) - y
        kin = 0.5 * lam * 0.5 * (s[sl["vp"]] @ s[sl["vp"]] + s[sl["vm"]] @ s[sl["vm"]])
        return float(np.log(0.5 * r @ r / n + kin + 1e-300) - np.log(loss_tol))

    energy.terminal = True
    deadline = np.inf if max_seconds is None else time.monotonic() + max_seconds

    # atol applies to (w₊, w₋); the velocities, kernel states and path integrals get AUX_ATOL_FACTOR·atol: their
    # computed derivatives carry round-off of ~1e-15 relative to the O(1) terms they are built from, and an atol
    # below that floor makes the error test fail on noise (steps of O(λ) over horizons of 10⁶).
    atol_vec = np.full(s0.size, atol * AUX_ATOL_FACTOR)
    atol_vec[sl["p"]], atol_vec[sl["m"]] = atol, atol

    def run(rt: float, at: np.ndarray, dense: bool):
        stop = [np.inf]  # the first time t seen after the deadline; the event is a step down there

        def budget(t: float, _s: np.ndarray) -> float:
            if stop[0] == np.inf and time.monotonic() > deadline:
                stop[0] = t
            return 1.0 if t < stop[0] else -1.0

        budget.terminal = True
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            res = solve_ivp(rhs, (0.0, t_max), s0, method=method, jac=jac, rtol=rt, atol=at,
                            events=[energy, budget], dense_output=dense)
        timed_out = res.status == 1 and res.t_events[1].size > 0 and res.t_events[0].size == 0
        return res, timed_out

    fine, timed_out = run(rtol, atol_vec, True)
    ok = fine.status == 1 and not timed_out and np.all(np.isfinite(fine.y[:, -1]))
    crossings = _find_crossings(fine.sol, fine.t, sl, lam, X, y) if fine.sol is not None else []
    msg = str(fine.message) if fine.status != 1 else "converged: energy below loss_tol"
    if second_solve and ok:
        coarse, timed_out = run(rtol * 1e3, atol_vec * 1e3, False)
        ok = ok and coarse.status == 1 and not timed_out
        err = fine.y[:, -1] - coarse.y[:, -1]
        if timed_out:
            msg = (f"wall-clock budget of {max_seconds:g} s ran out in the error-estimate solve (1000x looser "
                   f"tolerances) at t = {coarse.t[-1]:.4g}; the fine solve had converged at t = {fine.t[-1]:.4g}")
    else:
        err = np.full(s0.size, np.nan)
    if timed_out and fine.t_events[0].size == 0:
        msg = (f"wall-clock budget of {max_seconds:g} s ran out at t = {fine.t[-1]:.4g} "
               f"({fine.t.size} steps) before the energy fell below loss_tol")
    if ratios and crossings:
        ok, msg = False, "a weight crossed zero, so the ratio integrals (ratios=True) are infinite"
    pm = fine.y[sl["p"].start:sl["m"].stop]
    return MGFRun(lam, X, y, s0, fine.y[:, -1].copy(), float(fine.t[-1]), sl, fine.sol, crossings, err,
                  bool(ok), msg, float(np.max(np.abs(pm))), {"nfev": int(fine.nfev), "steps": int(fine.t.size)})


def paper_initialisation(d: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's u₀ = α1, v₀ = 0 (so Δ₀ = α², θ₀ = 0)."""
    V.count("d", d)
    alpha = V.positive("alpha", alpha)
    return np.full(d, alpha), np.zeros(d)


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
