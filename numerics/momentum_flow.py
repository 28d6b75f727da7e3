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
dense output) and reported. The solve stops when the energy F + λ/2‖ẇ‖² falls below ``loss_tol`` (it
decreases monotonically by eq. 14): the solver is stepped by hand, the energy checked after every step and the
converging step cut at the crossing on its interpolant (solve_ivp's event location raised on tight solves, where
the interpolant and the step disagree near the energy's round-off floor; see :func:`_step_to_energy`). Every run
is done twice, at ``rtol`` and at 1000·``rtol``; the difference of the two end states is the reported error estimate. ``atol`` is the absolute
tolerance of (w₊, w₋); the other blocks get AUX_ATOL_FACTOR·atol (an atol below the round-off of their computed
derivatives made the error test fail on noise: the paper's setting took > 10 min per solve, now seconds).
An optional wall-clock budget (``max_seconds``) ends a solve with success=False instead of hanging.

The right-hand side and its Jacobian are generated from derivations/momentum_flow.py (``_rhs_jac`` only assembles
the generated local partials with the chain rule through g = Hθ − b). :func:`crossing_integrals` evaluates the
modified-principal-value double integrals of App. A / C.3.2 on a run's dense output (limits of excised integrals).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import time

import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, OdeSolution, Radau
from scipy.optimize import brentq

from numerics import validation as V
from numerics.generated.momentum_flow import (kinetic_rate, kinetic_rate_partials, mgf_jac_coord, mgf_rhs_coord,
                                               mgf_rhs_ratio_coord, theta_partials)

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


#: Local variables of the generated per-coordinate right-hand side and Jacobian (derivations.momentum_flow.LOCAL_VARS).
LOCAL_VARS = ("p", "m", "vp", "vm", "eta", "Q", "Mp", "Mm", "g")


def _rhs_jac(X: np.ndarray, y: np.ndarray, lam: float, ratios: bool):
    """Right-hand side and Jacobian of the state ODE, both from the formulas derived in derivations/momentum_flow.py
    (``mgf_rhs_coord``, ``mgf_rhs_ratio_coord``, ``mgf_jac_coord``, ``theta_partials``, ``kinetic_rate*``): the
    generated local partials are assembled here, with the coupling through g = Hθ − b by the chain rule
    ∂g/∂w± = H diag(∂θ/∂w±)."""
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n
    sl = layout(d, ratios)
    size = sl["Ekin"].stop
    blocks = BLOCKS + (RATIO_BLOCKS if ratios else ())
    nv = len(LOCAL_VARS)
    zero = np.zeros(d)
    base_stop = sl[BLOCKS[-1]].stop
    ar = np.arange(d)
    # where each generated partial goes: a diagonal block (rows, cols) or, for ∂/∂g, the rows of block a
    diag_at = {(ia, ib): (sl[a].start + ar, sl[v].start + ar) for ia, a in enumerate(blocks)
               for ib, v in enumerate(LOCAL_VARS) if v != "g" and v in sl}

    def local(s: np.ndarray) -> tuple[np.ndarray, ...]:
        p, m = s[sl["p"]], s[sl["m"]]
        mp_, mm_ = (s[sl["Mp"]], s[sl["Mm"]]) if ratios else (zero, zero)
        g = H @ ((p * p - m * m) / 4) - b
        return p, m, s[sl["vp"]], s[sl["vm"]], s[sl["eta"]], s[sl["Q"]], mp_, mm_, g

    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        p, m, vp, vm, eta, Q, mp_, mm_, g = local(s)
        out = np.empty(size)
        out[:base_stop] = np.concatenate(np.broadcast_arrays(*mgf_rhs_coord(p, m, vp, vm, eta, Q, g, lam)))
        if ratios:
            out[base_stop:sl["Ekin"].start] = np.concatenate(mgf_rhs_ratio_coord(p, m, vp, vm, mp_, mm_, lam))
        out[sl["Ekin"]] = np.sum(kinetic_rate(vp, vm))
        return out

    def jac(_t: float, s: np.ndarray) -> np.ndarray:
        loc = local(s)
        with np.errstate(divide="ignore", invalid="ignore"):
            entries = mgf_jac_coord(*loc, lam)
        dth_p, dth_m = theta_partials(loc[0], loc[1])
        Jm = np.zeros((size, size))
        dg_p, dg_m = H * dth_p[None, :], H * dth_m[None, :]
        for ia, a in enumerate(blocks):
            for ib, var in enumerate(LOCAL_VARS):
                e = entries[ia * nv + ib]
                if np.isscalar(e) and e == 0:
                    continue
                if var == "g":
                    e = np.broadcast_to(e, (d,))[:, None]
                    Jm[sl[a], sl["p"]] += e * dg_p
                    Jm[sl[a], sl["m"]] += e * dg_m
                elif (ia, ib) in diag_at:
                    Jm[diag_at[ia, ib]] += e
        kp, km = kinetic_rate_partials(loc[2], loc[3])
        Jm[sl["Ekin"], sl["vp"]], Jm[sl["Ekin"], sl["vm"]] = kp, km
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


#: scipy's step-by-step integrators by name (the ``method`` of :func:`solve_dln_mgf`); the implicit ones get the Jacobian.
SOLVERS = {"LSODA": LSODA, "BDF": BDF, "Radau": Radau, "RK45": RK45, "RK23": RK23, "DOP853": DOP853}
IMPLICIT = ("LSODA", "BDF", "Radau")


@dataclass
class _Steps:
    """The steps of one solve: times, states (columns), dense output (or None), how it ended."""

    t: np.ndarray
    y: np.ndarray
    sol: Any
    converged: bool
    timed_out: bool
    message: str
    nfev: int


def _first_below(f, lo: float, hi: float) -> float:
    """Bisect f(lo) > 0 >= f(hi) down to adjacent floats, keeping that invariant, and return hi: a time at which f
    is <= 0 as evaluated (near the energy's round-off floor f is noisy, and a root finder's estimate of the zero
    can land where f is still slightly positive)."""
    while True:
        mid = lo + (hi - lo) / 2
        if not lo < mid < hi:
            return hi
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid


def _step_to_energy(rhs, jac, s0: np.ndarray, t_max: float, method: str, rtol: float, atol: np.ndarray,
                    dense: bool, energy, deadline: float) -> _Steps:
    """Step the solver by hand until ``energy`` (log of the energy over loss_tol) is <= 0 after a step, t_max, a
    failure or the wall-clock ``deadline``. The step that converges is cut at the zero of ``energy`` on its
    interpolant (as solve_ivp's terminal event does) when the interpolant brackets one; when it does not (its end
    values disagree with the step's near the round-off floor of the energy, where solve_ivp's event location raised
    "f(a) and f(b) must have different signs"), the solve ends at the step's end, whose energy is below loss_tol.
    Either way the returned state's energy, as evaluated, is <= loss_tol (:func:`_first_below`)."""
    kw = {"jac": jac} if method in IMPLICIT else {}
    solver = SOLVERS[method](rhs, 0.0, s0, t_max, rtol=rtol, atol=atol, **kw)
    ts, ys, interpolants = [0.0], [s0.copy()], []
    converged = timed_out = False
    message = "The solver successfully reached the end of the integration interval."
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while solver.status == "running":
            step_message = solver.step()
            if solver.status == "failed":
                message = str(step_message)
                break
            t, st = solver.t, solver.y.copy()
            piece = solver.dense_output() if dense else None
            if energy(t, st) <= 0:
                converged, message = True, "converged: energy below loss_tol"
                piece = piece if piece is not None else solver.dense_output()
                t_old = solver.t_old
                f = lambda tau: energy(tau, piece(tau))
                if f(t_old) > 0 >= f(t):
                    t = _first_below(f, t_old, t)
                    st = piece(t)
                if not dense:
                    piece = None
            elif time.monotonic() > deadline:
                timed_out = True
            if t > ts[-1]:  # (a cut exactly at the previous step's end adds no point)
                ts.append(float(t))
                ys.append(st)
                if piece is not None:
                    interpolants.append(piece)
            if converged or timed_out:
                break
    sol = OdeSolution(ts, interpolants, alt_segment=method in ("BDF", "LSODA")) if dense and interpolants else None
    return _Steps(np.asarray(ts), np.column_stack(ys), sol, converged, timed_out, message, int(solver.nfev))


def solve_dln_mgf(X: Any, y: Any, u0: Any, v0: Any, lam: float, *, ratios: bool = False,
                  loss_tol: float = 1e-26, t_max: float = 1e8, rtol: float = 1e-11,
                  atol: float = 1e-15, method: str = "LSODA", second_solve: bool = True,
                  max_seconds: float | None = None) -> MGFRun:
    """Solve MGF(λ) (λ > 0) on F(u, v) = L(u⊙v) from (u₀, v₀) at zero speed until the energy <= loss_tol.

    ``ratios`` adds ∫(ẇ±/w±)² and its e^{−(t−s)/λ}-kernel version to the state (only for trajectories
    without zero crossings: a crossing makes them infinite and the solve is reported as failed).
    ``max_seconds`` is a wall-clock budget for both solves together (None: unlimited); a solve that runs out
    of it stops (checked after every step) and the run is returned with success=False and a message saying so.
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
    if method not in SOLVERS:
        raise ValueError(f"method must be one of {', '.join(SOLVERS)}, got {method!r}")
    rhs, jac, sl = _rhs_jac(X, y, lam, ratios)
    s0 = np.zeros(sl["Ekin"].stop)
    s0[sl["p"]], s0[sl["m"]] = u0 + v0, u0 - v0
    n = X.shape[0]

    def energy(_t: float, s: np.ndarray) -> float:
        p, m = s[sl["p"]], s[sl["m"]]
        r = X @ ((p * p - m * m) / 4) - y
        kin = 0.5 * lam * 0.5 * (s[sl["vp"]] @ s[sl["vp"]] + s[sl["vm"]] @ s[sl["vm"]])
        return float(np.log(0.5 * r @ r / n + kin + 1e-300) - np.log(loss_tol))

    deadline = np.inf if max_seconds is None else time.monotonic() + max_seconds

    # atol applies to (w₊, w₋); the velocities, kernel states and path integrals get AUX_ATOL_FACTOR·atol: their
    # computed derivatives carry round-off of ~1e-15 relative to the O(1) terms they are built from, and an atol
    # below that floor makes the error test fail on noise (steps of O(λ) over horizons of 10⁶).
    atol_vec = np.full(s0.size, atol * AUX_ATOL_FACTOR)
    atol_vec[sl["p"]], atol_vec[sl["m"]] = atol, atol

    def run(rt: float, at: np.ndarray, dense: bool) -> _Steps:
        return _step_to_energy(rhs, jac, s0, t_max, method, rt, at, dense, energy, deadline)

    fine = run(rtol, atol_vec, True)
    timed_out = fine.timed_out
    ok = fine.converged and np.all(np.isfinite(fine.y[:, -1]))
    crossings = _find_crossings(fine.sol, fine.t, sl, lam, X, y) if fine.sol is not None else []
    msg = fine.message
    if second_solve and ok:
        coarse = run(rtol * 1e3, atol_vec * 1e3, False)
        timed_out = coarse.timed_out
        ok = ok and coarse.converged
        err = fine.y[:, -1] - coarse.y[:, -1]
        if timed_out:
            msg = (f"wall-clock budget of {max_seconds:g} s ran out in the error-estimate solve (1000x looser "
                   f"tolerances) at t = {coarse.t[-1]:.4g}; the fine solve had converged at t = {fine.t[-1]:.4g}")
    else:
        err = np.full(s0.size, np.nan)
    if fine.timed_out:
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


# --------------------------------------------------------------------------------------------------
# App. A / C.3.2: modified principal values of the kernel integrals over trajectories that cross zero
# --------------------------------------------------------------------------------------------------
#: Gauss–Legendre nodes per cell of the product quadrature in :func:`crossing_integrals`.
GL_NODES = 10


@functools.lru_cache(maxsize=None)
def _gl_basis(nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes x and weights on [0, 1], and the Legendre coefficients C[q, k] of the Lagrange basis
    polynomial ℓ_q in P_k(2x − 1) (ℓ_q = Σ_k C[q, k] P_k(2x − 1), exact because the rule is exact to degree 2·nodes − 1)."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    P = np.polynomial.legendre.legvander(x, nodes - 1)  # P[q, k] = P_k(x_q)
    C = (w[:, None] * P) * (2 * np.arange(nodes) + 1)[None, :] / 2
    return (x + 1) / 2, w / 2, C


#: above this κ the moments of :func:`_exp_weights` come from the finite sum (e^{−κ} is below float64's range long
#: before; scipy's ``ive`` returns NaN once κ/2 passes about 1.07e9, i.e. a solver step of ~10⁹λ).
KAPPA_LARGE = 1e6


def _exp_weights(kappa: np.ndarray, nodes: int) -> np.ndarray:
    """W[c, q] = ∫₀¹ ℓ_q(x) e^{−κ_c(1−x)} dx, exactly for the degree-(nodes−1) interpolant. The Legendre moments
    m_k = ∫₀¹ P_k(2x−1) e^{−κ(1−x)} dx are √(π/κ)·I_{k+½}(κ/2)e^{−κ/2} (modified Bessel, ``ive``) for κ below
    KAPPA_LARGE; above it, with u = 1 − x and P_k(1−2u) = Σ_j (−1)^j C(k,j)C(k+j,j) u^j, they are
    Σ_j (−1)^j C(k,j)C(k+j,j) j!/κ^{j+1} up to terms of order e^{−κ} (below the smallest float)."""
    from scipy.special import ive

    _, _, C = _gl_basis(nodes)
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


def _coordinate_crossings(run: MGFRun) -> list[list[float]]:
    d = run.d
    out: list[list[float]] = [[] for _ in range(2 * d)]
    for c in run.crossings:
        out[(0 if c.sign > 0 else d) + c.index].append(c.t)
    return [sorted(ts) for ts in out]


def _cells(points: np.ndarray, tau_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Cells between the sorted distinct ``points`` in [0, tau_max] (cells shorter than 1e-14·tau_max merged away)."""
    br = np.unique(points[(points >= 0) & (points <= tau_max)])
    a_, b_ = br[:-1], br[1:]
    keep = b_ - a_ > 1e-14 * max(1.0, tau_max)
    return a_[keep], b_[keep]


def _cell_terms(run: MGFRun, a_: np.ndarray, b_: np.ndarray) -> dict[str, np.ndarray]:
    """Per cell [a, b]: plain integrals A = ∫F and kernel integrals B = ∫F e^{−(b−s)/λ} of F = (ẇ/w)²sgn(w) (rows of
    w₊ then w₋), ∇L sgn(w) and ∇L, by the product rule of ``_exp_weights``; sgn(w) at the cell's midpoint."""
    d, lam, sl = run.d, run.lam, run.slices
    n = run.X.shape[0]
    H, b = run.X.T @ run.X / n, run.X.T @ run.y / n
    x_gl, w_gl, _ = _gl_basis(GL_NODES)
    h = b_ - a_
    W_exp = _exp_weights(h / lam, GL_NODES) * h[:, None]
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
    """Evaluate the integrals of :class:`CrossingIntegrals` on ``run``'s dense output, for each excision δ in ``deltas``.

    The m.p.v. (eq. 11) is taken as the limit of excised integrals, in the form the induction of App. C.3.2 uses
    (A_ε + B_ε + C_ε there): for a coordinate crossing zero at T, the strip (T − δ, T + δ) is left out of both the
    inner (s) and the outer (t) integral, and the inner part from before T enters after T with weight e^{2δ/λ} (its
    decay over the strip is not applied). Divergent 1/δ parts cancel between the two sides; what is left converges
    to the m.p.v. as δ → 0 (at rate O(δ)), which the caller shows on several δ (``CrossingIntegrals.extrapolate``).

    Quadrature: cells are the integrator's steps, refined geometrically towards every T ± δ, with breakpoints at each
    T and each τ; on a cell the integrand is replaced by its degree-(GL_NODES−1) interpolant at Gauss nodes and
    multiplied by the kernel exactly (``_exp_weights``), so long steps (t ≫ λ) cost no more than short ones. The
    inner integrals are propagated from cell to cell by K(b) = e^{−(b−a)/λ}K(a) + ∫_a^b F k, the outer ones by the
    exact ∫_a^b sgn(w_t)K(t)dt on the cell. ``taus`` must lie in (0, t_end]; a coordinate's values at a τ within
    δ of one of its own crossings are not meaningful (the caller picks, per coordinate, times away from them).
    """
    if run.sol is None:
        raise ValueError("run has no dense output (solve_dln_mgf keeps it for the fine solve)")
    taus = V.finite_array("taus", taus, ndim=1)
    deltas = V.finite_array("deltas", deltas, ndim=1)
    if deltas.size < 4 or np.any(deltas <= 0) or np.any(np.diff(deltas) >= 0):
        raise ValueError("deltas must be at least 4 positive, strictly decreasing excision half-widths")
    if taus.size == 0 or np.any(taus <= 0) or np.any(taus > run.t_end * (1 + 1e-12)) or np.any(np.diff(taus) <= 0):
        raise ValueError(f"taus must be increasing times in (0, t_end = {run.t_end:g}]")
    taus = np.minimum(taus, run.t_end)
    d, lam = run.d, run.lam
    rows = _coordinate_crossings(run)
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
