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
dense output) and reported. :func:`solve_dln_mgf` solves through :func:`numerics.flow.solve_flow`'s stop-condition
mode: it stops when the energy F + λ/2‖ẇ‖² falls below ``loss_tol`` (it decreases monotonically by eq. 14; the
solver is stepped by hand, the energy checked after every step and the converging step cut at the crossing on its
interpolant), and solves a second time at ``looser``·(rtol, atol) (1000 by default) for an error estimate.
``atol`` is the absolute tolerance of (w₊, w₋); the other blocks get AUX_ATOL_FACTOR·atol (an atol below the
round-off of their computed derivatives made the error test fail on noise: the paper's setting took > 10 min per
solve, now seconds). An optional wall-clock budget (``max_seconds``) ends a solve as TIMED_OUT instead of hanging.
The result is an :class:`MGFRun`, a view of the :class:`~numerics.flow.FlowResult` with the quantities derived from
the state (θ, Δ, ξ, the limits of Theorem 1) and the error budgets of round-off that no second solve reveals.

The right-hand side and its Jacobian are generated from derivations/momentum_flow.py (:func:`rhs_jac` only assembles
the generated local partials with the chain rule through g = Hθ − b). The integrals over a run's dense output
(m.p.v. kernel integrals of App. A / C.3.2, ∫∇L by quadrature) are in :mod:`numerics.mgf_integrals`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import numpy as np
from scipy.optimize import brentq

from numerics import hyperbolic_entropy as HE
from numerics import validation as V
from numerics.flow import LOOSER, SOLVERS, FlowResult, FlowStatus, solve_flow
from numerics.generated.momentum_flow import (
    kinetic_rate,
    kinetic_rate_partials,
    mgf_jac_coord,
    mgf_rhs_coord,
    mgf_rhs_ratio_coord,
    theta_partials,
)

BLOCKS = ("p", "m", "vp", "vm", "J", "eta", "G", "P", "Q", "A")
RATIO_BLOCKS = ("Kp", "Km", "Mp", "Mm")
#: absolute tolerance of every block but (w₊, w₋), relative to the ``atol`` of (w₊, w₋) (see solve_dln_mgf)
AUX_ATOL_FACTOR = 1e3
#: float64's machine epsilon (the unit of the round-off bounds below)
EPS = float(np.finfo(float).eps)


def layout(d: int, ratios: bool) -> dict[str, slice]:
    """Slices of the state vector: d entries per block, then one for Ekin."""
    names = BLOCKS + (RATIO_BLOCKS if ratios else ())
    out = {name: slice(i * d, (i + 1) * d) for i, name in enumerate(names)}
    out["Ekin"] = slice(len(names) * d, len(names) * d + 1)
    return out


@dataclass(frozen=True)
class Crossing:
    """A zero of coordinate ``index`` of w₊ (``sign`` = +1) or w₋ (−1) at time ``t``, with ẇ there."""

    sign: int
    index: int
    t: float
    velocity: float
    second_derivative: float


@dataclass(frozen=True, eq=False)
class MGFRun:
    """A view of one MGF(λ) solve on the diagonal network: its :class:`~numerics.flow.FlowResult` ``flow`` (how
    the solve went, the looser solve, the dense output) with the data, λ and the zero crossings of w±, and the
    quantities derived from the state. ``state`` arguments default to the end state."""

    flow: FlowResult
    X: np.ndarray
    y: np.ndarray
    lam: float
    crossings: tuple[Crossing, ...]

    @property
    def slices(self) -> Mapping[str, slice]:
        """The state's blocks (see :func:`layout`)."""
        return self.flow.blocks

    @property
    def state0(self) -> np.ndarray:
        return self.flow.y[0]

    @property
    def state(self) -> np.ndarray:
        """The end state (energy below loss_tol when the solve converged)."""
        return self.flow.y_end

    @property
    def loose_state(self) -> np.ndarray:
        """The end state of the looser solve."""
        if self.flow.loose is None:
            raise ValueError("this run has no looser solve (looser=None)")
        return self.flow.loose.y_end

    @property
    def t_end(self) -> float:
        return self.flow.t_end

    @property
    def sol(self) -> Any:
        """Dense output of the solve (``sol(t)``: state × times)."""
        return self.flow.sol

    @property
    def d(self) -> int:
        return self.X.shape[1]

    @property
    def crossed(self) -> bool:
        return bool(self.crossings)

    @functools.cached_property
    def max_abs_w(self) -> float:
        """max |w±| over the solver's steps."""
        sl = self.flow.blocks
        return float(np.max(np.abs(self.flow.y[:, sl["p"].start:sl["m"].stop])))

    def get(self, name: str, state: np.ndarray | None = None) -> np.ndarray:
        """Block ``name`` of the end state (or of ``state``)."""
        s = self.state if state is None else state
        return s[..., self.flow.blocks[name]]

    def end_error(self, name: str) -> np.ndarray:
        """|tight − loose| of block ``name`` of the end states (FlowResult.end_error)."""
        return self.flow.end_error[self.flow.blocks[name]]

    def spread(self, f: Callable[[np.ndarray], Any], scale: float = 1.0) -> float:
        """Error estimate of a derived quantity f(state): |f(tight) − f(loose)| of the end states
        (FlowResult.error_of) plus the change of f over the last tenth of the horizon (a bound on the remaining
        distance to the limit), plus round-off."""
        val = np.asarray(f(self.state), dtype=float)
        tail = np.asarray(f(self.states(np.array([0.9 * self.t_end]))[0]), dtype=float)
        solves = self.flow.error_of(lambda r: f(r.y_end))
        return float(solves + np.max(np.abs(val - tail)) + 1e-13 * max(scale, float(np.max(np.abs(val)))))

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
        """States at times ``t`` (rows), from the dense output of the solve."""
        return np.asarray(self.sol(np.asarray(t, dtype=float))).T


def failure(run: MGFRun) -> str:
    """Why the run did not converge (``run.flow.success`` is False): the message of the solve that failed, "" if none
    did."""
    for res in (run.flow, run.flow.loose):
        if res is not None and not res.success:
            return res.message
    return ""


def coordinate_crossings(run: MGFRun) -> list[list[float]]:
    """The sorted crossing times of each coordinate: rows w₊[0..d−1], then w₋[0..d−1]."""
    d = run.d
    out: list[list[float]] = [[] for _ in range(2 * d)]
    for c in run.crossings:
        out[(0 if c.sign > 0 else d) + c.index].append(c.t)
    return [sorted(ts) for ts in out]


#: Local variables of the generated per-coordinate right-hand side and Jacobian (derivations.momentum_flow.LOCAL_VARS).
LOCAL_VARS = ("p", "m", "vp", "vm", "eta", "Q", "Mp", "Mm", "g")


def rhs_jac(X: np.ndarray, y: np.ndarray, lam: float, ratios: bool):
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


def find_crossings(sol: Any, t: np.ndarray, sl: dict[str, slice], lam: float, X: np.ndarray,
                    y: np.ndarray, per_step: int = 3) -> tuple[Crossing, ...]:
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
    return tuple(sorted(out, key=lambda c: c.t))


def _energy_stop(X: np.ndarray, y: np.ndarray, lam: float, loss_tol: float,
                 sl: dict[str, slice]) -> Callable[[float, np.ndarray], float]:
    """The stop rule: log(F + λ/2‖ẇ‖²) − log(loss_tol), <= 0 once the energy is below loss_tol."""
    n = X.shape[0]

    def energy(_t: float, s: np.ndarray) -> float:
        p, m = s[sl["p"]], s[sl["m"]]
        r = X @ ((p * p - m * m) / 4) - y
        kin = 0.5 * lam * 0.5 * (s[sl["vp"]] @ s[sl["vp"]] + s[sl["vm"]] @ s[sl["vm"]])
        return float(np.log(0.5 * r @ r / n + kin + 1e-300) - np.log(loss_tol))

    return energy


def _as_converged(res: FlowResult | None) -> FlowResult | None:
    """A solve that reached t_max before the energy fell below loss_tol has failed (it did not converge)."""
    if res is None or res.status is not FlowStatus.FINISHED:
        return res
    return replace(res, status=FlowStatus.FAILED, loose=None,
                   message=f"t_max = {res.t_end:.4g} reached before the energy fell below loss_tol")


def solve_dln_mgf(X: Any, y: Any, u0: Any, v0: Any, lam: float, *, ratios: bool = False,
                  loss_tol: float = 1e-26, t_max: float = 1e8, rtol: float = 1e-11,
                  atol: float = 1e-15, method: str = "LSODA", looser: float | None = LOOSER,
                  max_seconds: float | None = None) -> MGFRun:
    """Solve MGF(λ) (λ > 0) on F(u, v) = L(u⊙v) from (u₀, v₀) at zero speed until the energy <= loss_tol, and again
    at ``looser`` times the tolerances (None: no second solve).

    ``ratios`` adds ∫(ẇ±/w±)² and its e^{−(t−s)/λ}-kernel version to the state (only for trajectories
    without zero crossings: a crossing makes them infinite and the solve is reported as failed).
    ``max_seconds`` is a wall-clock budget for both solves together (None: unlimited); a solve that runs out
    of it stops (checked after every step) with status TIMED_OUT.
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
    if method not in SOLVERS:
        raise ValueError(f"method must be one of {', '.join(SOLVERS)}, got {method!r}")
    rhs, jac, sl = rhs_jac(X, y, lam, ratios)
    s0 = np.zeros(sl["Ekin"].stop)
    s0[sl["p"]], s0[sl["m"]] = u0 + v0, u0 - v0
    # atol applies to (w₊, w₋); the velocities, kernel states and path integrals get AUX_ATOL_FACTOR·atol: their
    # computed derivatives carry round-off of ~1e-15 relative to the O(1) terms they are built from, and an atol
    # below that floor makes the error test fail on noise (steps of O(λ) over horizons of 10⁶).
    atol_vec = np.full(s0.size, V.positive("atol", atol) * AUX_ATOL_FACTOR)
    atol_vec[sl["p"]], atol_vec[sl["m"]] = atol, atol
    flow = solve_flow(rhs, s0, jac=jac, method=method, rtol=rtol, atol=atol_vec, looser=looser, dense=True,
                      stop=_energy_stop(X, y, lam, loss_tol, sl), t_max=t_max, max_seconds=max_seconds, blocks=sl)
    crossings = find_crossings(flow.sol, flow.t, sl, lam, X, y) if flow.sol is not None else ()
    flow = _as_converged(replace(flow, loose=_as_converged(flow.loose)))
    if ratios and crossings:
        flow = replace(flow, status=FlowStatus.FAILED, loose=None,
                       message="a weight crossed zero, so the ratio integrals (ratios=True) are infinite")
    return MGFRun(flow, X, y, lam, crossings)


def paper_initialisation(d: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """The paper's u₀ = α1, v₀ = 0 (so Δ₀ = α², θ₀ = 0)."""
    V.count("d", d)
    alpha = V.positive("alpha", alpha)
    return np.full(d, alpha), np.zeros(d)


# --------------------------------------------------------------------------------------------------
# Theorem 1's limits from an end state, and the round-off budgets of quantities built on ∫∇L
# --------------------------------------------------------------------------------------------------
def limits(run: MGFRun, state: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Δ∞, α±,∞ = w±,∞ e^{±∫∇L}, θ̃₀ = (α₊² − α₋²)/4 and I± = −ln(|α±,∞|/|w±,₀|) from an end state."""
    p, m, J = run.get("p", state), run.get("m", state), run.get("J", state)
    ap, am = p * np.exp(J), m * np.exp(-J)
    p0, m0 = run.get("p", run.state0), run.get("m", run.state0)
    return {"theta": run.theta(state), "delta": np.abs(p * m), "alpha_p": ap, "alpha_m": am,
            "theta_tilde0": (ap ** 2 - am ** 2) / 4, "I_p": -np.log(np.abs(ap) / np.abs(p0)),
            "I_m": -np.log(np.abs(am) / np.abs(m0))}


def integral_roundoff(run: MGFRun) -> float:
    """Bound on the ker-X part of the computed ∫₀^∞∇L (exactly 0: ∇L = Hθ − b lies in span(x_i) and the solver only
    forms linear combinations of its values): each evaluation leaves the span by at most d·EPS·(|H||θ| + |b|), with
    |θ| <= max|w|²/4 along the run, over the horizon t_end, plus EPS·|∫∇L| for each of the solver's steps."""
    X, y, d = run.X, run.y, run.d
    H, b = X.T @ X / X.shape[0], X.T @ y / X.shape[0]
    g_round = d * EPS * float(np.max(np.abs(H).sum(axis=1) * run.max_abs_w ** 2 / 4 + np.abs(b)))
    return run.t_end * g_round + run.flow.t.size * EPS * float(np.max(np.abs(run.get("J"))))


def kkt_roundoff(run: MGFRun, lim: dict[str, np.ndarray]) -> float:
    """Bound on each ker-X coordinate of the computed ∇ψ_Δ∞(θ∞) − ∇ψ_Δ∞(θ̃₀) from round-off: ∇ψ_Δ∞(θ̃₀) =
    ∫∇L + ½ln|w₊,∞/w₋,∞| coordinate-wise, so it carries :func:`integral_roundoff`, plus the rounding of evaluating ∇ψ
    twice (EPS relative, √d for a ker-X coordinate). ``lim`` are the run's :func:`limits`."""
    psi_scale = float(max(np.max(np.abs(HE.grad_psi(lim["theta"], lim["delta"]))),
                          np.max(np.abs(HE.grad_psi(lim["theta_tilde0"], lim["delta"])))))
    return integral_roundoff(run) + 2 * math.sqrt(run.d) * EPS * psi_scale
