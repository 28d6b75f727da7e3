"""HB/NAG's exact identities along its flows at ``--dps`` digits (twins of float64 entries; checks/high_precision.py).

The paper's statements along the second-order flow (17), αẅ + ẇ + ∇L(w)/(1−μ) = 0, hold up to O(η²); what holds
exactly is the statement with its remainder written out, and the twins check that at --dps digits:

- Property 4: d(u_jv_j)/dt = 2αu̇_jv̇_j − α d²(u_jv_j)/dt² (the dropped O(η²) term is −α d²(uv)/dt²), integrated;
- eq. (23): αθ̈_j + θ̇_j + G_j/(1−μ) = −α² d(u̇_j² − v̇_j²)/dt with G_j = 4H_j∂_{θ_j}L, integrated.

Along the first-order flow ẇ = −∇L/(1−μ) (α = 0, gradient flow rescaled by 1/(1−μ)) the statements are exact:

- Prop. 2 (corrected): u_jv_j is constant and ¼arcsinh(θ_j/(2ξ_j)) − ¼arcsinh(θ_j(0)/(2ξ_j)) = −∫∂_jL/(1−μ);
- Prop. 5 (corrected rate): φ̇_j = −(2/(1−μ))∂_jL θ̇_j/√(θ_j² + 4ξ_j²), integrated (φ_j = 8/(1−μ)²∫(∂_jL)²).

Instances are drawn by Hypothesis: X ∈ ℝ^(n×d) Gaussian, n ≤ 2 < d = 3, y Gaussian, u(0), v(0) positive of scale
[0.3, 1] (biased: u(0) ≠ v(0)), μ ∈ [0.3, 0.9], α ∈ [0.02, 0.2] for (17), from the first-order velocities (eq. 20
without α). Horizon T = 2: θ moves by O(1) (``theta_moved``). Stiffness: (17) has the fast mode e^{−t/α}; the explicit
Taylor steps are about 10–20α long, so T = 2 costs ≲ 100 steps at α = 0.02.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.high_precision import Run, check_along, decide, integral, max_abs, solve_pair
from checks.papers.hb_nag.instances import K
from checks.registry import claim
from checks.sampling import HypothesisClass
from checks.verdict import Result
from numerics.taylor.systems import hb_nag_system, least_squares_data

GROUP = "high_precision"  # its own process group under --jobs: the module caches its solves
GRID = tuple(float(t) for t in np.linspace(0.0, 2.0, 5))
#: random streams of the draws: the entries on one flow draw the same instances and share their (cached) solves
SECOND_STREAM, FIRST_STREAM = "hb_nag.high_precision.second_order", "hb_nag.high_precision.first_order"


@dataclass(frozen=True)
class HBInstance:
    """A drawn instance: data seed, n, initial scale, μ and α (α = 0: the first-order flow)."""

    seed: int
    n: int
    scale: float
    mu: float
    alpha: float

    d = 3

    def data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, self.n])
        X, y = rng.standard_normal((self.n, self.d)), rng.standard_normal(self.n)
        return X, y, self.scale * rng.uniform(0.5, 1.5, self.d), self.scale * rng.uniform(0.5, 1.5, self.d)

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "n": self.n, "d": self.d, "init_scale": self.scale, "mu": self.mu,
                "alpha": self.alpha, "horizon": GRID[-1]}

    def start(self) -> list[float]:
        """(u₀, v₀[, u̇₀, v̇₀], φ = 0, J = 0) with the first-order velocities u̇ = −2u∂L/(1−μ), v̇ = 2v∂L/(1−μ)."""
        X, y, u0, v0 = self.data()
        zeros = [0.0] * (2 * self.d)
        if self.alpha == 0:
            return list(u0) + list(v0) + zeros
        g0 = X.T @ (X @ (u0 * u0 - v0 * v0) - y) / self.n
        return list(u0) + list(v0) + list(-2 * u0 * g0 / (1 - self.mu)) + list(2 * v0 * g0 / (1 - self.mu)) + zeros


def hb_class(second_order: bool) -> HypothesisClass:
    alpha = st.floats(0.02, 0.2) if second_order else st.just(0.0)
    flow = "the HB/NAG flow (17) with α ∈ [0.02, 0.2]" if second_order else "the first-order flow ẇ = −∇L/(1−μ)"
    return HypothesisClass(
        words=f"{flow}, μ ∈ [0.3, 0.9], on θ = u⊙u − v⊙v with X ∈ ℝ^(n×3) Gaussian (n ≤ 2), y Gaussian, u(0), v(0) "
              "positive of scale [0.3, 1] (biased), on [0, 2]",
        strategy=st.builds(HBInstance, seed=st.integers(0, 2 ** 16), n=st.integers(1, 2), scale=st.floats(0.3, 1.0),
                           mu=st.floats(0.3, 0.9), alpha=alpha),
        describe=HBInstance.describe)


SECOND_ORDER_CLASS = hb_class(True)
FIRST_ORDER_CLASS = hb_class(False)


@functools.lru_cache(maxsize=8)  # three instances of each of the two flows
def hb_run(inst: HBInstance, dps: int) -> tuple[Run, np.ndarray, np.ndarray]:
    X, y, _, _ = inst.data()
    return solve_pair(hb_nag_system(X, y, inst.alpha, inst.mu), inst.start(), GRID, dps), X, y


def theta_of(run: Run, res: Any) -> np.ndarray:
    return run.blocks(res, "u") ** 2 - run.blocks(res, "v") ** 2


def grad_of(X: np.ndarray, y: np.ndarray):
    """∂_θL = Hθ − b in mpmath."""
    def g(theta: np.ndarray) -> np.ndarray:
        H, b = least_squares_data(X, y)
        return H.dot(theta) - b
    return g


def finish(res: Result, run: Run) -> Result:
    if not run.success:
        return res
    th = theta_of(run, run.first)
    return res.with_evidence(theta_moved=float(max_abs(th[-1] - th[0])))


def unit_scale(run: Run, res: Any) -> Any:
    return max([mpmath.mpf(1)] + [max_abs(run.blocks(res, b)) for b in run.system.program.blocks])


# --- Property 4, exact form -------------------------------------------------------------------------------------
def property4_residual(alpha: float, coefficient: float = 2.0):
    """u_jv_j|₀ᵗ + α d(u_jv_j)/dt|₀ᵗ − ``coefficient``·α∫₀ᵗu̇_jv̇_j (2: αp̈ + ṗ = 2αu̇v̇ for p = uv, integrated)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        a = mpmath.mpf(alpha)
        u, v, ud, vd = (run.blocks(res, b) for b in ("u", "v", "ud", "vd"))
        p, pd = u * v, ud * v + u * vd
        ints = integral(run, res, lambda s, st_: st_["ud"] * st_["vd"], GRID, ("ud", "vd"))
        return np.array([p[i] - p[0] + a * (pd[i] - pd[0]) - coefficient * a * ints[i] for i in range(len(GRID))],
                        dtype=object)
    return residual


def check_property4_hp(inst: HBInstance, dps: int, coefficient: float = 2.0) -> Result:
    run, _, _ = hb_run(inst, dps)
    return finish(decide("u_jv_j + α d(u_jv_j)/dt − 2α∫u̇_jv̇_j, from t = 0", run,
                         property4_residual(inst.alpha, coefficient), unit_scale, dps, inst.describe()), run)


@claim("hb_nag.property4.high_precision", section="App. D", equations=("22",), keys=(K + "property-4-eq-22",),
       tier="full", basis="printed", hypothesis_class=SECOND_ORDER_CLASS,
       statement="Property 4's identity with its O(η²) remainder written out, at --dps digits along (17): "
                 "d(u_jv_j)/dt = 2αu̇_jv̇_j − α d²(u_jv_j)/dt², checked integrated from 0 on [0, 2] (the remainder's "
                 "size is the float64 entries' subject).", kind="identity")
def _property4_hp(ctx: Context) -> Result:
    return check_along("Property 4 (exact form) at high precision", SECOND_ORDER_CLASS,
                       lambda i: check_property4_hp(i, ctx.dps), ctx, stream=SECOND_STREAM)


# --- eq. (23), exact form ---------------------------------------------------------------------------------------
def eq23_residual(X: np.ndarray, y: np.ndarray, alpha: float, mu: float, g_factor: float = 1.0):
    """α θ̇|₀ᵗ + θ|₀ᵗ + ∫₀ᵗG/(1−μ) + α²(u̇² − v̇²)|₀ᵗ with G = 2[(u+αu̇)∂_uL − (v+αv̇)∂_vL] (``g_factor`` multiplies
    its α), and G − 4H∂_θL, H = u(u+αu̇) + v(v+αv̇)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        a, one_mu = mpmath.mpf(alpha), 1 - mpmath.mpf(mu)
        g_of = grad_of(X, y)

        def big_g(u: np.ndarray, v: np.ndarray, ud: np.ndarray, vd: np.ndarray) -> np.ndarray:
            g = g_of(u * u - v * v)
            return 2 * ((u + g_factor * a * ud) * 2 * u * g - (v + g_factor * a * vd) * (-2 * v * g))

        ints = integral(run, res, lambda s, w: big_g(w["u"], w["v"], w["ud"], w["vd"]) / one_mu, GRID,
                        ("u", "v", "ud", "vd"))
        u, v, ud, vd = (run.blocks(res, b) for b in ("u", "v", "ud", "vd"))
        th, thd, kin = u * u - v * v, 2 * u * ud - 2 * v * vd, ud * ud - vd * vd
        eq = [a * (thd[i] - thd[0]) + th[i] - th[0] + ints[i] + a * a * (kin[i] - kin[0]) for i in range(len(GRID))]
        hj = u * (u + a * ud) + v * (v + a * vd)
        form = [big_g(u[i], v[i], ud[i], vd[i]) - 4 * hj[i] * g_of(th[i]) for i in range(len(GRID))]
        return np.concatenate([np.array(eq, dtype=object), np.array(form, dtype=object)], axis=1)
    return residual


def check_eq23_hp(inst: HBInstance, dps: int, g_factor: float = 1.0) -> Result:
    run, X, y = hb_run(inst, dps)
    return finish(decide("eq. (23) with remainder −α²d(u̇² − v̇²)/dt, integrated; G − 4H∂L", run,
                         eq23_residual(X, y, inst.alpha, inst.mu, g_factor), unit_scale, dps, inst.describe()), run)


@claim("hb_nag.eq23.high_precision", section="App. D.1", equations=("23",), keys=(K + "eq-23-and-g-j-4-h-j-d-jl",),
       tier="full", basis="printed", hypothesis_class=SECOND_ORDER_CLASS,
       statement="Eq. (23) with its O(η²) remainder written out, at --dps digits along (17): αθ̈_j + θ̇_j + "
                 "G_j/(1−μ) = −α² d(u̇_j² − v̇_j²)/dt (integrated from 0 on [0, 2]), and G_j = 4H_j∂_{θ_j}L exactly.",
       kind="identity")
def _eq23_hp(ctx: Context) -> Result:
    return check_along("eq. (23) (exact form) at high precision", SECOND_ORDER_CLASS,
                       lambda i: check_eq23_hp(i, ctx.dps), ctx, stream=SECOND_STREAM)


# --- first-order flow: Prop. 2 (corrected) and Prop. 5's rate (corrected) ---------------------------------------
def prop2_residual(mu: float, quarter: float = 0.25):
    """(u_jv_j − u_jv_j(0), ``quarter``·[arcsinh(θ_j/(2ξ_j))]₀ᵗ + ∫₀ᵗ∂_jL/(1−μ)), ξ_j = u_j(0)v_j(0) (¼: as stated)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        u, v = run.blocks(res, "u"), run.blocks(res, "v")
        xi = u[0] * v[0]
        asinh = np.vectorize(mpmath.asinh, otypes=[object])
        q = quarter * asinh(theta_of(run, res) / (2 * xi))
        return np.concatenate([u * v - xi, q - q[0] + run.blocks(res, "J") / (1 - mpmath.mpf(mu))], axis=1)
    return residual


def check_prop2_hp(inst: HBInstance, dps: int, quarter: float = 0.25) -> Result:
    run, _, _ = hb_run(inst, dps)
    return finish(decide("u_jv_j conserved, ∇Q^GF_ξ(θ_t) − ∇Q^GF_ξ(θ₀) + ∫∂L/(1−μ)", run,
                         prop2_residual(inst.mu, quarter), unit_scale, dps, inst.describe()), run)


@claim("hb_nag.prop2.high_precision", section="3 / App. D.6", equations=("7", "67"),
       keys=(K + "proposition-2",), tier="full", basis="printed", hypothesis_class=FIRST_ORDER_CLASS,
       statement="At --dps digits along the first-order flow ẇ = −∇L/(1−μ) (gradient flow in time t/(1−μ)): u_jv_j "
                 "is constant and ∇Q^GF_ξ(θ) = ¼arcsinh(θ/(2ξ)) follows the mirror flow: "
                 "∇Q^GF_ξ(θ_t) − ∇Q^GF_ξ(θ₀) = −∫₀ᵗ∇L/(1−μ) on [0, 2] (the flow identity of hb_nag.prop2.corrected).",
       kind="identity")
def _prop2_hp(ctx: Context) -> Result:
    return check_along("Prop. 2 (mirror flow) at high precision", FIRST_ORDER_CLASS,
                       lambda i: check_prop2_hp(i, ctx.dps), ctx, stream=FIRST_STREAM)


def phi_rate_residual(X: np.ndarray, y: np.ndarray, mu: float, coefficient: float = 2.0):
    """φ_j(t) − ∫₀ᵗ −(``coefficient``/(1−μ))∂_jL θ̇_j/√(θ_j² + 4ξ_j²) along the first-order flow (2: corrected)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        one_mu = 1 - mpmath.mpf(mu)
        g_of = grad_of(X, y)
        u0, v0 = run.blocks(res, "u")[0], run.blocks(res, "v")[0]
        xi = u0 * v0
        sqrt = np.vectorize(mpmath.sqrt, otypes=[object])

        def rate(s: Any, w: dict[str, np.ndarray]) -> np.ndarray:
            u, v = w["u"], w["v"]
            th = u * u - v * v
            g = g_of(th)
            thd = 2 * u * (-2 * u * g / one_mu) - 2 * v * (2 * v * g / one_mu)
            return -(coefficient / one_mu) * g * thd / sqrt(th * th + 4 * xi * xi)

        ints = integral(run, res, rate, GRID, ("u", "v"))
        phi = run.blocks(res, "phi")
        return np.array([phi[i] - ints[i] for i in range(len(GRID))], dtype=object)
    return residual


def check_phi_rate_hp(inst: HBInstance, dps: int, coefficient: float = 2.0) -> Result:
    run, X, y = hb_run(inst, dps)
    return finish(decide("φ_j − ∫(corrected φ̇_j)", run, phi_rate_residual(X, y, inst.mu, coefficient), unit_scale,
                         dps, inst.describe()), run)


@claim("hb_nag.prop5.high_precision", section="App. D.2", equations=("Prop. 5", "53"),
       keys=(K + "proposition-5",), tier="full", basis="printed", hypothesis_class=FIRST_ORDER_CLASS,
       statement="Prop. 5's corrected rate at --dps digits along the first-order flow ẇ = −∇L/(1−μ): "
                 "φ_j = 8/(1−μ)²∫(∂_jL)² has φ̇_j = −(2/(1−μ))∂_jL θ̇_j/√(θ_j² + 4ξ_j²) (integrated on [0, 2]; "
                 "the rate of hb_nag.prop5.corrected).",
       kind="identity")
def _phi_rate_hp(ctx: Context) -> Result:
    return check_along("Prop. 5 rate (corrected) at high precision", FIRST_ORDER_CLASS,
                       lambda i: check_phi_rate_hp(i, ctx.dps), ctx, stream=FIRST_STREAM)
