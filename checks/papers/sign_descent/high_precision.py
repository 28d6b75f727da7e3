"""The sign-descent paper's exact identities along its flows at ``--dps`` digits (twins of float64 entries;
checks/high_precision.py): gradient flow's conservation law and dual dynamics (8)-(10) and their span structure, and
smoothed sign descent's weight dynamics (13), its product rate (§3.3.1) and its dual dynamics (Prop. 3.6).

Instances are drawn by Hypothesis: X ∈ ℝ^(n×d) Gaussian with n ≤ 2 < d = 3 (so span{x_i} is a proper subspace),
y Gaussian, w₊ = w₋ = α1 at t = 0 (the paper's initialisation) with α ∈ [0.2, 0.6], ε ∈ [0.05, 0.2]. Horizons: GD on
[0, 2] (β̇ = −4√(β² + 4α⁴)g moves β by O(1) from the saddle at β = 0 for these α), smoothed sign descent on [0, 0.5]
(its rates are ≤ 1 in size and near 1 while 2w|g| ≫ ε: β moves by O(1)). The smoothed sign flow has kinks where a
gradient coordinate changes sign; the Taylor integrator ends its steps there (numerics/taylor/integrator.py), so
integrals over each step are of smooth functions. Smoothed sign descent costs tens of seconds per pair of solves
here (the |g| kinks and the fast transitions where 2w|g| ~ ε shorten the steps).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.high_precision import Run, check_along, decide, integral, max_abs, solve_pair, twin_reading
from checks.registry import claim
from checks.sampling import HypothesisClass, inapplicable
from checks.verdict import Result
from numerics.taylor.systems import dominant_sign, gd_system, least_squares_data, mp_array, ssd_system

GROUP = "high_precision"  # its own process group under --jobs: the module caches its solves
K = "sign_descent:"
GD_GRID = tuple(float(t) for t in np.linspace(0.0, 2.0, 5))
SSD_GRID = tuple(float(t) for t in np.linspace(0.0, 0.5, 5))
#: random streams of the draws: the entries on one flow draw the same instances and share their (cached) solves
GD_STREAM, SSD_STREAM = "sign_descent.high_precision.gd", "sign_descent.high_precision.ssd"


@dataclass(frozen=True)
class SignInstance:
    """A drawn instance: data seed and sizes, α (w₊ = w₋ = α1 at t = 0) and ε."""

    seed: int
    n: int
    d: int
    alpha: float
    eps: float

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, self.n, self.d])
        return rng.standard_normal((self.n, self.d)), rng.standard_normal(self.n)

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "n": self.n, "d": self.d, "alpha": self.alpha, "eps": self.eps}

    def start(self) -> list[float]:
        return [self.alpha] * (2 * self.d) + [0.0] * self.d


SIGN_CLASS = HypothesisClass(
    words="X ∈ ℝ^(n×d) Gaussian with n ≤ 2 < d = 3, y Gaussian, w₊ = w₋ = α1 at t = 0 with α ∈ [0.2, 0.6], "
          "ε ∈ [0.05, 0.2] (GD ignores ε)",
    strategy=st.builds(SignInstance, seed=st.integers(0, 2 ** 16), n=st.integers(1, 2), d=st.just(3),
                       alpha=st.floats(0.2, 0.6), eps=st.floats(0.05, 0.2)),
    describe=SignInstance.describe)


def beta_of(run: Run, res: Any) -> np.ndarray:
    return run.blocks(res, "wp") ** 2 - run.blocks(res, "wm") ** 2


def grad_beta(X: np.ndarray, y: np.ndarray):
    """g(β) = ∇_β L = Hβ − b in mpmath (H, b formed at the current precision)."""
    def g(beta: np.ndarray) -> np.ndarray:
        H, b = least_squares_data(X, y)
        return H.dot(beta) - b
    return g


def kernel_projector(X: np.ndarray) -> Any:
    """I − Xᵀ(XXᵀ)⁻¹X in mpmath: the projector onto ker X (X of full row rank)."""
    Xm = mpmath.matrix(mp_array(X).tolist())
    return mpmath.eye(X.shape[1]) - Xm.T * mpmath.inverse(Xm * Xm.T) * Xm


def moved(run: Run) -> float:
    b = beta_of(run, run.first)
    return float(max_abs(b[-1] - b[0]))


def finish(res: Result, run: Run) -> Result:
    return res.with_evidence(beta_moved=moved(run)) if run.success else res


def unit_scale(run: Run, res: Any) -> Any:
    return max([mpmath.mpf(1)] + [max_abs(run.blocks(res, b)) for b in run.system.program.blocks])


# --- gradient flow: eqs. (8)-(10) -------------------------------------------------------------------------------------
def gd_residual(alpha: float, rate: float = 4.0):
    """(w₊w₋ − α², arcsinh(β_t/(2α²)) − arcsinh(β₀/(2α²)) − ∫₀ᵗ(−``rate``·g)) at every grid time; the state's
    integral is ∫−4g, so ``rate`` = 4 is (10)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        a2 = mpmath.mpf(alpha) ** 2
        asinh = np.vectorize(mpmath.asinh, otypes=[object])
        grad_q = asinh(beta_of(run, res) / (2 * a2))
        dual = grad_q - grad_q[0] - rate / 4 * run.blocks(res, "integral")
        return np.concatenate([run.blocks(res, "wp") * run.blocks(res, "wm") - a2, dual], axis=1)
    return residual


@functools.lru_cache(maxsize=4)
def gd_run(inst: SignInstance, dps: int) -> tuple[Run, np.ndarray, np.ndarray]:
    X, y = inst.data()
    return solve_pair(gd_system(X, y), inst.start(), GD_GRID, dps), X, y


def check_eq10_hp(inst: SignInstance, dps: int, rate: float = 4.0) -> Result:
    run, _, _ = gd_run(inst, dps)
    return finish(decide("w₊w₋ − α², ∇Q_α(β_t) − ∇Q_α(β₀) + 4∫g", run, gd_residual(inst.alpha, rate), unit_scale,
                         dps, inst.describe()), run)


@claim("sign_descent.eq10.high_precision", section="3.2 / App. C", equations=("8", "9", "10", "71", "72"),
       keys=(K + "eqs-8-10-and-app-c-eqs-71-74-gd-dual-dynamics",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("sign_descent.eq10"),
       hypothesis_class=SIGN_CLASS,
       statement="At --dps digits along gradient flow on (w₊, w₋) from α1: w₊⊙w₋ = α² and, integrating (10), "
                 "∇Q_α(β_t) − ∇Q_α(β₀) = −4∫₀ᵗ∇_βL with ∇Q_α(β) = arcsinh(β/(2α²)), on [0, 2].", kind="identity")
def _eq10_hp(ctx: Context) -> Result:
    return check_along("eqs. (8)-(10) at high precision", SIGN_CLASS, lambda i: check_eq10_hp(i, ctx.dps), ctx,
                       stream=GD_STREAM)


def low_dim_residual(X: np.ndarray, alpha: float, scale: float = 1.0):
    """The ker-X part of ∇Q_α(β_t) − ∇Q_α(β₀), ∇Q_α(β) = arcsinh(β/(2·``scale``·α²)) (``scale`` = 1: (9))."""
    def residual(run: Run, res: Any) -> np.ndarray:
        P = kernel_projector(X)
        a2 = mpmath.mpf(alpha) ** 2 * scale
        asinh = np.vectorize(mpmath.asinh, otypes=[object])
        grad_q = asinh(beta_of(run, res) / (2 * a2))
        return np.array([list(P * mpmath.matrix(list(r - grad_q[0]))) for r in grad_q], dtype=object)
    return residual


def check_low_dim_hp(inst: SignInstance, dps: int, scale: float = 1.0) -> Result:
    run, X, _ = gd_run(inst, dps)
    return finish(decide("ker-X part of ∇Q_α(β_t) − ∇Q_α(β₀)", run, low_dim_residual(X, inst.alpha, scale),
                         unit_scale, dps, inst.describe()), run)


@claim("sign_descent.sec3-2.high_precision", section="3.2", equations=("10",),
       keys=(K + "sec-3-2-low-dimensional-structure-of-10",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("sign_descent.sec3-2.low_dim"),
       hypothesis_class=SIGN_CLASS,
       statement="§3.2's low-dimensional structure (twin of sign_descent.sec3-2.low_dim) at --dps digits along "
                 "gradient flow from α1: ∇Q_α(β(t)) − ∇Q_α(β(0)) lies in span{x_i} (its "
                 "component in ker X vanishes), n < d, on [0, 2].", kind="identity")
def _low_dim_hp(ctx: Context) -> Result:
    return check_along("§3.2 low-dimensional structure at high precision", SIGN_CLASS,
                       lambda i: check_low_dim_hp(i, ctx.dps), ctx,
                       stream=GD_STREAM)


# --- smoothed sign descent: (13), the product, Prop. 3.6 --------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def ssd_run(inst: SignInstance, dps: int) -> tuple[Run, np.ndarray, np.ndarray]:
    X, y = inst.data()
    return solve_pair(ssd_system(X, y, inst.eps), inst.start(), SSD_GRID, dps), X, y


def eq13_residual(X: np.ndarray, y: np.ndarray, eps: float, rate: float = 4.0):
    """β_t − β₀ − ∫₀ᵗ(13), (13): β̇ = −``rate``·g⊙[w₊²/(2w₊|g| + ε) + w₋²/(2w₋|g| + ε)]."""
    def residual(run: Run, res: Any) -> np.ndarray:
        e = mpmath.mpf(eps)
        g_of = grad_beta(X, y)

        def rate13(s: Any, st_: dict[str, np.ndarray]) -> np.ndarray:
            wp, wm = st_["wp"], st_["wm"]
            g = g_of(wp ** 2 - wm ** 2)
            ag = np.abs(g)
            return -rate * g * (wp ** 2 / (2 * wp * ag + e) + wm ** 2 / (2 * wm * ag + e))

        ints = integral(run, res, rate13, SSD_GRID, ("wp", "wm"))
        beta = beta_of(run, res)
        return np.array([beta[i] - beta[0] - ints[i] for i in range(len(SSD_GRID))], dtype=object)
    return residual


def check_eq13_hp(inst: SignInstance, dps: int, rate: float = 4.0) -> Result:
    run, X, y = ssd_run(inst, dps)
    return finish(decide("β_t − β₀ − ∫(13)", run, eq13_residual(X, y, inst.eps, rate), unit_scale, dps,
                         inst.describe()), run)


@claim("sign_descent.eq12to13.high_precision", section="3.2 / 3.3", equations=("12", "13"),
       keys=(K + "eqs-12-13-smoothed-sign-descent-dynamics",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("sign_descent.eq12to13"),
       hypothesis_class=SIGN_CLASS,
       statement="At --dps digits along smoothed sign descent (12) from α1: β_t − β₀ = ∫₀ᵗ(13) with (13) "
                 "β̇ = −4g⊙[w₊²/(2w₊|g| + ε) + w₋²/(2w₋|g| + ε)], on [0, 0.5].", kind="identity")
def _eq13_hp(ctx: Context) -> Result:
    return check_along("eqs. (12)-(13) at high precision", SIGN_CLASS, lambda i: check_eq13_hp(i, ctx.dps), ctx,
                       stream=SSD_STREAM)


def product_residual(X: np.ndarray, y: np.ndarray, eps: float, alpha: float, coefficient: float = 4.0):
    """w₊w₋ − α² − ∫₀ᵗ ``coefficient``·w₊w₋g|g|(w₊ − w₋)/((2w₊|g| + ε)(2w₋|g| + ε)) (4: §3.3.1 as printed)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        e = mpmath.mpf(eps)
        g_of = grad_beta(X, y)

        def rate(s: Any, st_: dict[str, np.ndarray]) -> np.ndarray:
            wp, wm = st_["wp"], st_["wm"]
            g = g_of(wp ** 2 - wm ** 2)
            ag = np.abs(g)
            return coefficient * wp * wm * g * ag * (wp - wm) / ((2 * wp * ag + e) * (2 * wm * ag + e))

        ints = integral(run, res, rate, SSD_GRID, ("wp", "wm"))
        prod = run.blocks(res, "wp") * run.blocks(res, "wm") - mpmath.mpf(alpha) ** 2
        return np.array([prod[i] - ints[i] for i in range(len(SSD_GRID))], dtype=object)
    return residual


def check_product_hp(inst: SignInstance, dps: int, coefficient: float = 4.0) -> Result:
    run, X, y = ssd_run(inst, dps)
    return finish(decide("w₊w₋ − α² − ∫ d(w₊w₋)/dt", run, product_residual(X, y, inst.eps, inst.alpha, coefficient),
                         unit_scale, dps, inst.describe()), run)


@claim("sign_descent.sec3-3-1.high_precision", section="3.3.1", equations=("12",),
       keys=(K + "sec-3-3-1-claim-product-not-conserved",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("sign_descent.sec3-3-1.product"),
       hypothesis_class=SIGN_CLASS,
       statement="§3.3.1 (twin of sign_descent.sec3-3-1.product) at --dps digits along smoothed sign descent from α1, "
                 "the product's rate as printed, integrated: "
                 "w₊w₋ − α² = ∫₀ᵗ 4w₊w₋g|g|(w₊ − w₋)/((2w₊|g| + ε)(2w₋|g| + ε)) on [0, 0.5] (the sign of the rate, "
                 "≤ 0, is the float64 entry's).", kind="identity")
def _product_hp(ctx: Context) -> Result:
    return check_along("§3.3.1 product rate at high precision", SIGN_CLASS,
                       lambda i: check_product_hp(i, ctx.dps), ctx,
                       stream=SSD_STREAM)


def dual_residual(X: np.ndarray, y: np.ndarray, power: float = 0.5):
    """Prop. 3.6 for t > 0: (sign(β)(|β| + ξ²)^``power`` − s⊙w_d, s⊙w_d(t) − s⊙w_d(0) − ∫₀ᵗ(14)), ξ = w_n, s the
    dominant sign; ``power`` = ½ is ∇Φ_ξ(β) of Prop. 3.6."""
    s = dominant_sign(X, y)

    def residual(run: Run, res: Any) -> np.ndarray:
        wp, wm = run.blocks(res, "wp"), run.blocks(res, "wm")
        wd = np.where(s > 0, wp, wm)
        xi = np.where(s > 0, wm, wp)
        beta = wp ** 2 - wm ** 2
        sign = np.vectorize(mpmath.sign, otypes=[object])
        root = np.vectorize(lambda v: mpmath.power(v, power), otypes=[object])
        theta = s * wd
        grad = sign(beta[1:]) * root(np.abs(beta[1:]) + xi[1:] ** 2) - theta[1:]
        dyn = theta - theta[0] - run.blocks(res, "integral")
        return np.concatenate([grad, dyn[1:]], axis=1)
    return residual


def check_prop36_hp(inst: SignInstance, dps: int, power: float = 0.5) -> Result:
    X, y = inst.data()
    if np.any(dominant_sign(X, y) == 0):
        return inapplicable("a coordinate of Xᵀy vanishes: no dominant weight", **inst.describe())
    run, X, y = ssd_run(inst, dps)
    return finish(decide("∇Φ_ξ(β) − s⊙w_d, θ_t − θ₀ − ∫(14)", run, dual_residual(X, y, power), unit_scale, dps,
                         inst.describe()), run)


@claim("sign_descent.prop3-6.high_precision", section="3.3.1 / App. A.3", equations=("13", "14"),
       keys=(K + "proposition-3-6-dual-dynamics",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("sign_descent.prop3-6"), hypothesis_class=SIGN_CLASS,
       statement="At --dps digits along smoothed sign descent from α1, for t ∈ (0, 0.5]: θ = ∇Φ_ξ(β) = "
                 "sign(β)√(|β| + ξ²) with ξ = w_n equals s⊙w_d, and θ_t − θ₀ = ∫₀ᵗ(14), (14): "
                 "θ̇ = −2w_d⊙g/(2w_d|g| + ε).", kind="identity")
def _prop36_hp(ctx: Context) -> Result:
    return check_along("Prop. 3.6 at high precision", SIGN_CLASS, lambda i: check_prop36_hp(i, ctx.dps), ctx,
                       stream=SSD_STREAM)
