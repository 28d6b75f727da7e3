"""MGF's exact identities along the flow at ``--dps`` digits (twins of the float64 entries; checks/high_precision.py).

Each instance is a small sparse regression (n ≤ 2 samples, d ≤ 3 coordinates, y = Xθ*), MGF(λ) from rest at
(u₀, v₀) with |v₀| < u₀ (so w±,₀ = u₀ ± v₀ > 0 and Δ₀ > 0), solved by the Taylor integrator with the path integrals
of numerics/momentum_flow.py in the state (blocks p = w₊, m = w₋, J = ∫∇L, η with λη̇ + η + ∇L = 0, K± = ∫(ẇ±/w±)²,
M± with λṀ± + M± = λ(ẇ±/w±)², Ekin = ∫‖ẇ‖²), on [0, T] with T = 4: the data have ‖θ*‖ of order 1 and θ moves by
O(1) over the run (``theta_moved`` in each instance's evidence).

Stiffness: the Taylor method is explicit, and MGF has the fast mode e^{−t/λ}; a run costs about T/(15λ) steps
(numerics/taylor/integrator.py), so λ is drawn from [0.1, 0.5] (T/λ ≤ 40: about 20 steps of order ≈ 59 at 50 digits,
5–20 s per pair of solves on this machine); smaller λ is covered by the float64 entries, at a cost growing like 1/λ
here. The identities of App. C.2/C.4 need w± ≠ 0: a drawn instance whose float64 run crosses zero is outside the
statements and is discarded. Near a crossing the ratio ẇ±/w± has a pole close to the real axis and the Taylor steps
shrink (a run with λ = 1 that came within a few per cent of zero took 1500 steps and ran out of time): instances
whose |w±,t| drops below NEAR_CROSSING·|w±,₀| are outside the covered set (said in the class's words).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.high_precision import Run, check_along, decide, max_abs, solve_pair
from checks.papers.momentum_dln.instances import K
from checks.registry import claim
from checks.sampling import HypothesisClass, inapplicable
from checks.verdict import Result
from numerics.flow import solve_flow
from numerics.taylor.systems import initial_mgf, mgf_system, mp_array

GROUP = "high_precision"  # its own process group under --jobs: the module caches its solves
#: horizon of every run
HORIZON = 4.0
#: times at which the identities are evaluated (besides t = 0)
GRID = tuple(float(t) for t in np.linspace(0.0, HORIZON, 5))
#: λ range covered (see the module docstring)
LAMBDAS = (0.1, 0.5)
#: covered set: min |w±,t|/|w±,₀| on [0, T] at least this (a float64 solve screens each drawn instance)
NEAR_CROSSING = 0.05
#: the random stream every entry here draws its instances from (one set of MGF solves serves them all)
STREAM = "momentum_dln.high_precision.mgf"


@dataclass(frozen=True)
class MGFInstance:
    """One drawn instance: data seed and sizes, λ, and the initial scale α (u₀ = α·U(0.5, 1.5), v₀ = u₀·U(−½, ½))."""

    seed: int
    n: int
    d: int
    lam: float
    alpha: float

    def data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(X, y, u₀, v₀) from the seed: X Gaussian, y = Xθ* with θ* Gaussian (θ* = 2·N(0, I))."""
        rng = np.random.default_rng([self.seed, self.n, self.d])
        X = rng.standard_normal((self.n, self.d))
        y = X @ (2 * rng.standard_normal(self.d))
        u0 = self.alpha * rng.uniform(0.5, 1.5, self.d)
        v0 = u0 * rng.uniform(-0.5, 0.5, self.d)
        return X, y, u0, v0

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "n": self.n, "d": self.d, "lambda": self.lam, "alpha": self.alpha,
                "horizon": HORIZON}


MGF_CLASS = HypothesisClass(
    words=f"MGF(λ) from rest on a diagonal network, data X ∈ ℝ^(n×d) Gaussian with n ≤ 2 < d ≤ 3, y = Xθ*, "
          f"λ ∈ [{LAMBDAS[0]}, {LAMBDAS[1]}], u₀ = α·U(0.5, 1.5)^d with α ∈ [0.5, 1], |v₀| < u₀/2 (Δ₀ > 0); the "
          f"statements' w± ≠ 0 (no zero crossing on [0, {HORIZON:g}]) is required of each drawn instance; covered: "
          f"instances with |w±,t| ≥ {NEAR_CROSSING:g}|w±,₀| throughout (a float64 solve screens them)",
    strategy=st.builds(MGFInstance, seed=st.integers(0, 2 ** 16), n=st.integers(1, 2), d=st.integers(2, 3),
                       lam=st.floats(*LAMBDAS), alpha=st.floats(0.5, 1.0)),
    describe=MGFInstance.describe)


def smallest_weight_ratio(inst: MGFInstance) -> float:
    """min over [0, T] and coordinates of |w±,t|/|w±,₀| on a float64 solve of MGF (DOP853, rtol 1e-10): how close the
    run comes to a zero crossing (negative after one)."""
    X, y, u0, v0 = inst.data()
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n

    def rhs(t: float, z: np.ndarray) -> np.ndarray:
        p, m, vp, vm = z[:d], z[d:2 * d], z[2 * d:3 * d], z[3 * d:]
        g = H @ ((p * p - m * m) / 4) - b
        return np.concatenate([vp, vm, -(vp + g * p) / inst.lam, -(vm - g * m) / inst.lam])

    w0 = np.concatenate([u0 + v0, u0 - v0])
    res = solve_flow(rhs, np.concatenate([w0, np.zeros(2 * d)]), np.linspace(0, HORIZON, 401), method="DOP853",
                     rtol=1e-10, atol=1e-12, looser=None)
    if not res.success:
        return -1.0
    return float(np.min(res.y[:, :2 * d] / w0))


@functools.lru_cache(maxsize=4)
def mgf_pair(inst: MGFInstance, dps: int) -> tuple[Run, np.ndarray, np.ndarray]:
    """The pair of Taylor solves of ``inst`` on GRID (ratio integrals in the state), with X and y (cached: the
    entries of this module draw the same instances, from the stream STREAM)."""
    X, y, u0, v0 = inst.data()
    system = mgf_system(X, y, inst.lam, ratios=True)
    return solve_pair(system, initial_mgf(u0, v0, ratios=True), GRID, dps), X, y


def block(run: Run, res: Any, name: str) -> np.ndarray:
    return run.blocks(res, name)


def theta_of(run: Run, res: Any) -> np.ndarray:
    """θ = (w₊² − w₋²)/4 at every row."""
    return (block(run, res, "p") ** 2 - block(run, res, "m") ** 2) / 4


def xi_of(run: Run, res: Any, lam: Any) -> np.ndarray:
    """ξ_t = −∫₀ᵗ∇L(1 − e^{−(t−s)/λ})ds = −(J + λη): the solution of λξ̈ + ξ̇ + ∇L = 0 from ξ₀ = ξ̇₀ = 0."""
    return -(block(run, res, "J") + lam * block(run, res, "eta"))


def alphas(run: Run, res: Any, lam: Any, factor: Any = 1) -> tuple[np.ndarray, np.ndarray]:
    """α±,t = w±,₀ exp(−factor·λ∫₀ᵗ(ẇ±/w±)²(1 − e^{−(t−s)/λ})ds) (the kernels K± − M± of the state)."""
    p0, m0 = block(run, res, "p")[0], block(run, res, "m")[0]
    kp = block(run, res, "Kp") - block(run, res, "Mp")
    km = block(run, res, "Km") - block(run, res, "Mm")
    exp = np.vectorize(mpmath.exp, otypes=[object])
    return p0 * exp(-factor * lam * kp), m0 * exp(-factor * lam * km)


def loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> Any:
    """L(θ) = ‖Xθ − y‖²/(2n) in mpmath."""
    Xm, ym = mp_array(X), mp_array(y)
    r = Xm.dot(theta) - ym
    return mpmath.fsum(v * v for v in r) / (2 * X.shape[0])


def moved(run: Run) -> float:
    th = theta_of(run, run.first)
    return float(max_abs(th[-1] - th[0]))


def with_motion(res: Result, run: Run) -> Result:
    return res.with_evidence(theta_moved=moved(run)) if run.success else res


# --- Prop. 4 -------------------------------------------------------------------------------------------------------
def prop4_residual(lam: float, factor: float = 1.0, phi_factor: float = 1.0):
    """∇Φ_t(θ_t) − ξ_t with Φ_t = ψ_Δt − ⟨φ_t, ·⟩: ∇Φ_t(θ) = ½arcsinh(2θ/Δ_t) − φ_t, Δ_t = |α₊α₋|,
    φ_t = ½arcsinh((α₊² − α₋²)/(2Δ_t)) (α± of :func:`alphas`). ``factor``/``phi_factor`` perturb the statement."""
    def residual(run: Run, res: Any) -> np.ndarray:
        lm = mpmath.mpf(lam)
        ap, am = alphas(run, res, lm, factor)
        delta = np.abs(ap * am)
        asinh = np.vectorize(mpmath.asinh, otypes=[object])
        phi = phi_factor * asinh((ap ** 2 - am ** 2) / (2 * delta)) / 2
        grad = asinh(2 * theta_of(run, res) / delta) / 2 - phi
        return grad - xi_of(run, res, lm)
    return residual


def scale_of(*names: str):
    """An identity's scale: max(1, the largest entry of the named blocks along the run)."""
    def scale(run: Run, res: Any) -> Any:
        return max([mpmath.mpf(1)] + [max_abs(block(run, res, n)) for n in names])
    return scale


def screened(inst: MGFInstance) -> Result | None:
    """The verdict for an instance outside the covered set (a zero crossing, or w± within NEAR_CROSSING of one)."""
    ratio = smallest_weight_ratio(inst)
    if ratio <= 0:
        return inapplicable("w± crosses zero on [0, T] (the statements need w± ≠ 0)", **inst.describe())
    if ratio < NEAR_CROSSING:
        return inapplicable(f"w± comes within {ratio:.2g}·|w±,₀| of zero: outside the covered set (the Taylor steps "
                            f"shrink near the pole of ẇ±/w±)", **inst.describe())
    return None


def check_prop4_hp(inst: MGFInstance, dps: int, factor: float = 1.0, phi_factor: float = 1.0) -> Result:
    """Prop. 4 on one instance: ∇Φ_t(θ_t) equals ξ_t, the solution of λξ̈ + ξ̇ + ∇L = 0, ξ₀ = ξ̇₀ = 0, on GRID."""
    bad = screened(inst)
    if bad:
        return bad
    run, _, _ = mgf_pair(inst, dps)
    return with_motion(decide("∇Φ_t(θ_t) − ξ_t", run, prop4_residual(inst.lam, factor, phi_factor),
                              scale_of("J", "eta"), dps, inst.describe()), run)


@claim("momentum_dln.prop4.high_precision", section="3.4 / App. C.2", equations=("Prop. 4", "15"),
       keys=(K + "proposition-4",), tier="full", basis="printed", hypothesis_class=MGF_CLASS,
       statement="Prop. 4 at --dps digits (Δ_t > 0 throughout, so T = 0): ∇Φ_t(θ_t) with Φ_t = ψ_Δt − ⟨φ_t, ·⟩ "
                 "(Δ_t, φ_t from α±,t = w±,₀e^{−λ∫(ẇ±/w±)²(1−e^{−(t−s)/λ})}) equals the solution ξ_t of "
                 "λξ̈ + ξ̇ + ∇L(θ_t) = 0, ξ₀ = ξ̇₀ = 0, along MGF; digits of agreement reported.", kind="identity")
def _prop4_hp(ctx: Context) -> Result:
    return check_along("Prop. 4 at high precision", MGF_CLASS, lambda i: check_prop4_hp(i, ctx.dps), ctx,
                       stream=STREAM)


# --- eqs. (21)-(22) --------------------------------------------------------------------------------------------------
def eq21_residual(lam: float, factor: float = 1.0):
    """w±,τ − eq. (21) and Δ_τ − eq. (22), stacked (``factor`` multiplies the ∇L kernel's exponent)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        lm = mpmath.mpf(lam)
        ap, am = alphas(run, res, lm)
        gl = block(run, res, "J") + lm * block(run, res, "eta")
        exp = np.vectorize(mpmath.exp, otypes=[object])
        wp, wm = ap * exp(-factor * gl), am * exp(factor * gl)
        d0 = np.abs(block(run, res, "p")[0] * block(run, res, "m")[0])
        kp = block(run, res, "Kp") - block(run, res, "Mp")
        km = block(run, res, "Km") - block(run, res, "Mm")
        d22 = d0 * exp(-lm * (kp + km))
        delta = np.abs(block(run, res, "p") * block(run, res, "m"))
        return np.concatenate([wp - block(run, res, "p"), wm - block(run, res, "m"), d22 - delta], axis=1)
    return residual


def check_eq21_hp(inst: MGFInstance, dps: int, factor: float = 1.0) -> Result:
    bad = screened(inst)
    if bad:
        return bad
    run, _, _ = mgf_pair(inst, dps)
    return with_motion(decide("w±,τ − eq. (21), Δ_τ − eq. (22)", run, eq21_residual(inst.lam, factor),
                              scale_of("p", "m"), dps, inst.describe()), run)


@claim("momentum_dln.eq21to23.high_precision", section="App. C.4", equations=("21", "22"), keys=(K + "eqs-21-23",),
       tier="full", basis="printed", hypothesis_class=MGF_CLASS,
       statement="Eqs. (21)-(22) at --dps digits along MGF without crossings, at every τ of the grid: "
                 "w±,τ = w±,₀e^{−λ∫₀^τ(ẇ±/w±)²(1−e^{−(τ−t)/λ})}e^{∓∫₀^τ∇L(1−e^{−(τ−t)/λ})} and "
                 "Δ_τ = Δ₀e^{−λ∫₀^τ[(ẇ₊/w₊)²+(ẇ₋/w₋)²](1−e^{−(τ−t)/λ})} (eq. (23) is their τ → ∞ limit: float64 "
                 "entry only).", kind="identity")
def _eq21_hp(ctx: Context) -> Result:
    return check_along("eqs. (21)-(22) at high precision", MGF_CLASS, lambda i: check_eq21_hp(i, ctx.dps), ctx,
                       stream=STREAM)


# --- eq. (14) --------------------------------------------------------------------------------------------------------
def energy_residual(X: np.ndarray, y: np.ndarray, lam: float, dissipation: float = 1.0):
    """E_t + ``dissipation``·∫₀ᵗ‖ẇ‖² − E₀, E = L(θ) + (λ/2)‖ẇ‖², ‖ẇ‖² = ‖u̇‖² + ‖v̇‖² = Σ(ẇ₊² + ẇ₋²)/2."""
    def residual(run: Run, res: Any) -> np.ndarray:
        lm = mpmath.mpf(lam)
        th = theta_of(run, res)
        kin = [mpmath.fsum(list(a * a) + list(b * b)) / 2 for a, b in zip(block(run, res, "vp"), block(run, res, "vm"))]
        energy = np.array([loss(X, y, th[i]) + lm / 2 * kin[i] for i in range(th.shape[0])], dtype=object)
        return energy + dissipation * block(run, res, "Ekin")[:, 0] - energy[0]
    return residual


def check_eq14_hp(inst: MGFInstance, dps: int, dissipation: float = 1.0) -> Result:
    bad = screened(inst)
    if bad:
        return bad
    run, X, y = mgf_pair(inst, dps)

    def scale(r: Run, res: Any) -> Any:
        return max(mpmath.mpf(10) ** -3, loss(X, y, theta_of(r, res)[0]))

    return with_motion(decide("E_t + ∫₀ᵗ‖ẇ‖² − E₀", run, energy_residual(X, y, inst.lam, dissipation), scale, dps,
                              inst.describe()), run)


@claim("momentum_dln.eq14.high_precision", section="App. C.1", equations=("14",),
       keys=(K + "eq-14-energy-dissipation",), tier="full", basis="printed", hypothesis_class=MGF_CLASS,
       statement="Eq. (14) integrated, at --dps digits along MGF: E_t + ∫₀ᵗ‖ẇ_s‖²ds = E₀ with "
                 "E_t = F(w_t) + (λ/2)‖ẇ_t‖² (relative to E₀).", kind="identity")
def _eq14_hp(ctx: Context) -> Result:
    return check_along("eq. (14) at high precision", MGF_CLASS, lambda i: check_eq14_hp(i, ctx.dps), ctx,
                       stream=STREAM)


# --- eq. (17) --------------------------------------------------------------------------------------------------------
def log_ode_residual(lam: float, ratio_factor: float = 1.0):
    """Eq. (17) integrated once from rest: λġ±,t + g±,t − g±,₀ ± ∫₀ᵗ∇L + λ∫₀ᵗ(ẇ±/w±)² = 0 with g± = ln|w±|,
    ġ± = ẇ±/w± (``ratio_factor`` multiplies the last term)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        lm = mpmath.mpf(lam)
        log = np.vectorize(lambda v: mpmath.log(abs(v)), otypes=[object])
        out = []
        for w, v, k, sign in (("p", "vp", "Kp", 1), ("m", "vm", "Km", -1)):
            W = block(run, res, w)
            out.append(lm * block(run, res, v) / W + log(W) - log(W[0]) + sign * block(run, res, "J")
                       + ratio_factor * lm * block(run, res, k))
        return np.concatenate(out, axis=1)
    return residual


def check_eq17_hp(inst: MGFInstance, dps: int, ratio_factor: float = 1.0) -> Result:
    bad = screened(inst)
    if bad:
        return bad
    run, _, _ = mgf_pair(inst, dps)
    return with_motion(decide("∫₀ᵗ of eq. (17)", run, log_ode_residual(inst.lam, ratio_factor),
                              scale_of("J", "Kp", "Km"), dps, inst.describe()), run)


@claim("momentum_dln.eq17.high_precision", section="App. C.2 / C.3.2", equations=("17",),
       keys=(K + "eq-17-log-ode",), tier="full", basis="printed", hypothesis_class=MGF_CLASS,
       statement="Eq. (17) at --dps digits along MGF (w± ≠ 0 throughout), integrated once from rest: "
                 "λġ±,t + g±,t − g±,₀ ± ∫₀ᵗ∇L + λ∫₀ᵗ(ẇ±/w±)² = 0 with g± = ln|w±|.", kind="identity")
def _eq17_hp(ctx: Context) -> Result:
    return check_along("eq. (17) at high precision", MGF_CLASS, lambda i: check_eq17_hp(i, ctx.dps), ctx,
                       stream=STREAM)


# --- App. C.2: ξ in span(x_i) and the sinh representation -------------------------------------------------------------
def row_space_projector(X: np.ndarray) -> Any:
    """Xᵀ(XXᵀ)⁻¹X in mpmath (X of full row rank): the orthogonal projector onto span(x_i)."""
    Xm = mpmath.matrix(mp_array(X).tolist())
    return Xm.T * mpmath.inverse(Xm * Xm.T) * Xm


def xi_sinh_residual(X: np.ndarray, lam: float, sinh_factor: float = 1.0):
    """(ker-X part of ξ_t, θ_t − ½Δ_t sinh(2ξ_t + ln|α₊/α₋|), φ_t − ½arcsinh((α₊² − α₋²)/(2Δ_t))) with
    α± = w± e^{∓ξ}, Δ_t = |α₊α₋|, φ_t = ½ln|α₊/α₋| (``sinh_factor`` multiplies the ξ in the sinh)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        lm = mpmath.mpf(lam)
        P = row_space_projector(X)
        xi = xi_of(run, res, lm)
        exp = np.vectorize(mpmath.exp, otypes=[object])
        ap, am = block(run, res, "p") * exp(-xi), block(run, res, "m") * exp(xi)
        delta = np.abs(ap * am)
        half_log = np.vectorize(lambda v: mpmath.log(abs(v)) / 2, otypes=[object])
        phi = half_log(ap / am)
        sinh = np.vectorize(mpmath.sinh, otypes=[object])
        asinh = np.vectorize(mpmath.asinh, otypes=[object])
        ker = np.array([list(mpmath.matrix(list(r)) - P * mpmath.matrix(list(r))) for r in xi], dtype=object)
        sinh_gap = theta_of(run, res) - delta * sinh(2 * sinh_factor * xi + 2 * phi) / 2
        phi_gap = phi - asinh((ap ** 2 - am ** 2) / (2 * delta)) / 2
        return np.concatenate([ker, sinh_gap, phi_gap], axis=1)
    return residual


def check_xi_sinh_hp(inst: MGFInstance, dps: int, sinh_factor: float = 1.0) -> Result:
    bad = screened(inst)
    if bad:
        return bad
    run, X, _ = mgf_pair(inst, dps)
    return with_motion(decide("ξ_t ∈ span(x_i), sinh representation", run, xi_sinh_residual(X, inst.lam, sinh_factor),
                              scale_of("J", "eta", "p", "m"), dps, inst.describe()), run)


@claim("momentum_dln.appC-2.high_precision", section="App. C.2",
       keys=(K + "xi-t-closed-form-and-sinh-representation",), tier="full", basis="printed",
       hypothesis_class=MGF_CLASS,
       statement="App. C.2 (twin of momentum_dln.appC-2.xi_sinh) at --dps digits along MGF: "
                 "ξ_t = −∫₀ᵗ∇L(1 − e^{−(t−s)/λ})ds lies in span(x_i); with α± = w± e^{∓ξ}: "
                 "θ = ½Δ sinh(2ξ + ln|α₊/α₋|) and ½ln|α₊/α₋| = ½arcsinh((α₊² − α₋²)/(2Δ)).",
       kind="identity")
def _xi_sinh_hp(ctx: Context) -> Result:
    return check_along("App. C.2 at high precision", MGF_CLASS, lambda i: check_xi_sinh_hp(i, ctx.dps), ctx,
                       stream=STREAM)
