"""Least squares, the interpolators and gradient flow (§3, §3.1, §3.4, App. C.3.3, Posters 3-4): the set S, GF and
MGF on least squares (Prop. 2, footnote 2), eqs. (5) and (7), the small-α equivalences and θ^GF_Δ∞."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.linalg import expm
from scipy.optimize import linprog

from checks.context import Context
from checks.papers.momentum_dln.instances import (
    MGF_SIZES,
    K,
    footnote2_initialisation,
    mgf_data,
    mixed_initialisation,
    positive_run,
    unit_initialisation,
)
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors, from_order_fit, inconclusive, refuted
from derivations import momentum_flow as MD
from numerics import hyperbolic_entropy as HE
from numerics import momentum_flow as MF
from numerics.data import SparseRegression

GROUP = "continuous"
#: the α → 0 sequence of the small-initialisation equivalences
SMALL_ALPHAS = (1e-2, 1e-4, 1e-8, 1e-16)
#: wall-clock budget (s) of one gradient-flow solve in check_gf_reference
GF_SECONDS = 60.0
#: λ of footnote 2's run
FOOTNOTE2_LAMBDA = 0.1
#: the two sides (θ*, Δ, θ_ref) ↦ (numerator, denominator) of a ratio that tends to 1 as α → 0
Compare = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float]]


def min_l1_interpolator(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """argmin ‖θ‖₁ s.t. Xθ = y (linear program θ = a − b, a, b ≥ 0)."""
    d = X.shape[1]
    res = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    return res.x[:d] - res.x[d:]


def projection_onto_S(X: np.ndarray, y: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Orthogonal projection of ``point`` onto S = {θ : Xθ = y}."""
    return point - np.linalg.pinv(X) @ (X @ point - y)


@claim("momentum_dln.sec3.gf_balancedness", section="3", keys=(K + "gf-balancedness-conservation",),
       statement="Under gradient flow (λ = 0) the balancedness u_t² − v_t² (hence Δ_t) is conserved.", kind="identity")
def _gf_balancedness(ctx: Context) -> Result:
    return residuals_vanish("GF balancedness", {"d/dt (u^2 - v^2)": MD.gf_balancedness_derivative()})


@claim("momentum_dln.sec3-4.gf_mirror_flow", section="3.4", keys=(K + "gf-mirror-flow",),
       statement="Under gradient flow on the diagonal network, d∇ψ_Δ₀(θ_t)/dt = −∇L(θ_t).", kind="identity")
def _gf_mirror_flow(ctx: Context) -> Result:
    return residuals_vanish("GF mirror flow", {"d/dt grad psi(theta) + grad L": MD.gf_mirror_flow_residual()})


def check_interpolator_set(X: np.ndarray, y: np.ndarray, theta_star: np.ndarray, rng: np.random.Generator) -> Result:
    """S = θ* + ker X with dim ker X ≥ d − n: random members of θ* + ker X interpolate, and the difference of two
    interpolators (the min-ℓ₂ and the min-ℓ₁ one) lies in ker X."""
    n, d = X.shape
    _, sv, Vt = np.linalg.svd(X)
    rank = int(np.sum(sv > 1e-12 * sv[0]))
    ker = Vt[rank:]
    members = theta_star + (ker.T @ rng.standard_normal((ker.shape[0], 5))).T
    errs = [float(np.max(np.abs(X @ m - y))) for m in members]
    a, b = np.linalg.pinv(X) @ y, min_l1_interpolator(X, y)
    diff = a - b
    errs.append(float(np.linalg.norm(diff - ker.T @ (ker @ diff))))
    scale = float(np.max(np.abs(X))) * max(1.0, float(np.max(np.abs(members))))
    res = from_errors("interpolation residual of θ* + ker X, and ker-X component of a difference of interpolators",
                      errs, 1e-9 * scale * d, dim_kernel=ker.shape[0], d_minus_n=d - n)
    if ker.shape[0] < d - n:
        return refuted("dim ker X < d − n", counterexample={"dim_kernel": ker.shape[0], "d_minus_n": d - n})
    return res


@claim("momentum_dln.sec3.interpolator_set", section="3", keys=(K + "interpolator-set-is-affine",),
       statement="S = {θ : ⟨θ, x_i⟩ = y_i} = θ* + span(x_1..x_n)^⊥ is affine of dimension ≥ d − n.", kind="other")
def _interpolator_set(ctx: Context) -> Result:
    data = mgf_data(ctx.seed, MGF_SIZES.of(ctx).setting)
    return check_interpolator_set(data.X, data.y, data.theta_star, ctx.rng())


def check_least_squares_limit(X: np.ndarray, y: np.ndarray, theta0: np.ndarray, vel0: np.ndarray, lam: float,
                              predicted: np.ndarray, what: str) -> Result:
    """MGF(λ) (λ = 0: GF) on L = ‖Xθ − y‖²/(2n) from (θ₀, θ̇₀): the affine flow's matrix exponential at a horizon
    where the slowest mode has decayed by e^{−32}, and at twice it (their difference is the error estimate);
    compare to ``predicted``."""
    n, d = X.shape
    H, b = X.T @ X / n, X.T @ y / n
    h = np.linalg.eigvalsh(H)
    h = h[h > 1e-10 * h.max()]
    rates = np.real((1 - np.sqrt((1 - 4 * lam * h).astype(complex))) / (2 * lam)) if lam > 0 else h
    horizon = 32.0 / float(rates.min())  # e^{-32} ≈ 1e-14 of the slowest mode: below the tolerances
    if lam == 0:
        A, c, z0 = -H, b, theta0
    else:
        A = np.block([[np.zeros((d, d)), np.eye(d)], [-H / lam, -np.eye(d) / lam]])
        c, z0 = np.concatenate([np.zeros(d), b / lam]), np.concatenate([theta0, vel0])
    aug = np.zeros((A.shape[0] + 1, A.shape[0] + 1))  # the affine flow ż = Az + c as a linear one on (z, 1)
    aug[:-1, :-1], aug[:-1, -1] = A, c
    ends = [(expm(aug * T) @ np.append(z0, 1.0))[:d] for T in (horizon, 2 * horizon)]
    err = float(np.max(np.abs(ends[0] - predicted)))
    tol = float(np.max(np.abs(ends[0] - ends[1]))) + 1e-12 * max(1.0, float(np.max(np.abs(predicted))))
    return from_errors(what, [err], tol,
                       instance={"lambda": lam, "theta0": theta0, "velocity0": vel0})


def check_gf_least_squares(X: np.ndarray, y: np.ndarray, theta0: np.ndarray,
                           predicted: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Result:
    """Gradient flow on least squares from θ₀ against the predicted limit predicted(X, y, θ₀)."""
    return check_least_squares_limit(X, y, theta0, np.zeros_like(theta0), 0.0, predicted(X, y, theta0),
                                     "GF limit − Proj_S(θ₀)")


@claim("momentum_dln.sec3.gf_least_squares", section="3", keys=(K + "gf-on-least-squares-lemaire-gunasekar",),
       statement="Gradient flow on (3) from θ₀ converges to the orthogonal projection of θ₀ onto S.",
       kind="implicit_bias")
def _gf_ls(ctx: Context) -> Result:
    data = mgf_data(ctx.seed, MGF_SIZES.of(ctx).setting)
    theta0 = ctx.rng().standard_normal(data.X.shape[1])
    return check_gf_least_squares(data.X, data.y, theta0, projection_onto_S)


def check_prop2(X: np.ndarray, y: np.ndarray, rng: np.random.Generator,
                predicted: Callable[[np.ndarray, np.ndarray, float], np.ndarray],
                lams: tuple[float, ...] = (0.05, 0.5, 2.0)) -> Result:
    """Prop. 2 with the given prediction (θ₀, θ̇₀, λ) ↦ θ∞ on random (θ₀, θ̇₀), and the θ̇₀ = 0 case (= GF's limit)."""
    d = X.shape[1]
    parts = {}
    for lam in lams:
        th0, v0 = rng.standard_normal(d), rng.standard_normal(d)
        parts[f"lambda={lam}"] = check_least_squares_limit(X, y, th0, v0, lam, predicted(th0, v0, lam),
                                                           "MGF limit − prediction")
    th0 = rng.standard_normal(d)
    parts["zero initial speed = GF"] = check_least_squares_limit(
        X, y, th0, np.zeros(d), lams[-1], predicted(th0, np.zeros(d), 0.0), "MGF limit − GF limit")
    return combine("Prop. 2", parts)


@claim("momentum_dln.prop2", section="3", equations=("Prop. 2",), keys=(K + "proposition-2-alvarez-2000",),
       statement="MGF(λ) on least squares from (θ₀, θ̇₀) converges to the projection of θ₀ + λθ̇₀ onto S; with θ̇₀ = 0 "
                 "momentum does not change the solution.", kind="implicit_bias")
def _prop2(ctx: Context) -> Result:
    data = mgf_data(ctx.seed, MGF_SIZES.of(ctx).setting)
    return check_prop2(data.X, data.y, ctx.rng(),
                       lambda th, v, lam: projection_onto_S(data.X, data.y, th + lam * v))


def check_footnote2(data: SparseRegression, lam: float, u0: np.ndarray, v0: np.ndarray) -> Result:
    """u₀,ᵢ = ±v₀,ᵢ on coordinates 0 (+) and 1 (−): the run keeps w₋,₀ = u − v and w₊,₁ = u + v identically zero
    (exactly, in floating point)."""
    run = MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, looser=None, loss_tol=1e-12, t_max=2e3)
    ts = np.linspace(0, run.t_end, 200)
    st = run.states(ts)
    dev = float(max(np.max(np.abs(st[:, run.slices["m"]][:, 0])), np.max(np.abs(st[:, run.slices["p"]][:, 1]))))
    return from_errors("max |u_t − v_t| (coordinate 0) and |u_t + v_t| (coordinate 1) along the run", [dev],
                       1e-300 + MF.EPS * 1e-20, instances=[{"lambda": lam, "u0": u0, "v0": v0}])


@claim("momentum_dln.footnote2", section="3", equations=("footnote 2",), keys=(K + "footnote-2-invariance-u-v",),
       statement="If u_{i,0} = ±v_{i,0} (zero initial speed) then u_{i,t} = ±v_{i,t} for all t under MGF.",
       kind="other")
def _footnote2(ctx: Context) -> Result:
    st = MGF_SIZES.of(ctx).setting
    u0, v0 = footnote2_initialisation(ctx.rng(), st.d)
    return check_footnote2(mgf_data(ctx.seed, st), FOOTNOTE2_LAMBDA, u0, v0)


def check_eq5(data: SparseRegression, delta0: np.ndarray, theta0: np.ndarray) -> Result:
    """Gradient flow (integrated) from balancedness Δ₀ and predictor θ₀ versus argmin_S D_ψΔ₀(·, θ₀) (dual Newton)."""
    th_dual, info = HE.argmin_bregman(data.X, data.y, delta0, theta0)
    gf = HE.gradient_flow(data.X, data.y, delta0, theta0)
    gf2 = HE.gradient_flow(data.X, data.y, delta0, theta0, rtol=1e-9, atol=1e-13)
    if not (info["converged"] and gf.success and gf2.success):
        return inconclusive("eq. (5): a solver did not converge", dual=info, gf=gf.message)
    err = float(np.max(np.abs(gf.theta - th_dual)))
    tol = float(np.max(np.abs(gf.theta - gf2.theta))) + 1e-11 * max(1.0, float(np.max(np.abs(th_dual))))
    return from_errors("θ^GF (flow) − argmin_S D_ψΔ₀(·, θ₀) (dual)", [err], tol, dual=info, gf_t_end=gf.t_end)


@claim("momentum_dln.eq5", section="3.1", equations=("5", "6"), keys=(K + "eq-5-woodworth-et-al-2020",),
       statement="Gradient flow on the diagonal network converges to θ^GF = argmin_S D_ψΔ₀(θ, θ₀).",
       kind="implicit_bias")
def _eq5(ctx: Context) -> Result:
    st = MGF_SIZES.of(ctx).setting
    delta0, theta0 = mixed_initialisation(ctx.rng(), st)
    return check_eq5(mgf_data(ctx.seed, st), delta0, theta0)


def check_small_scale_equivalence(theta_star: np.ndarray, delta_unit: np.ndarray, ref_unit: np.ndarray,
                                  alphas: tuple[float, ...], what: str,
                                  compare: Compare) -> Result:
    """A ratio that should tend to 1 as α → 0 with Δ = α²·delta_unit, θ_ref = α²·ref_unit: fit |ratio − 1| against
    h = 1/ln(1/α) (the rate these logarithmic equivalences have) and report the order (claimed ≥ 1: → 0)."""
    hs, errs = [], []
    for a in alphas:
        num, den = compare(theta_star, a ** 2 * delta_unit, a ** 2 * ref_unit)
        hs.append(1 / math.log(1 / a))
        errs.append(abs(num / den - 1))
    return from_order_fit(what + ": |ratio − 1| vs h = 1/ln(1/α)", hs, errs, 1.0, alphas=list(alphas))


def check_run_small_scale(theta_star: np.ndarray, run: MF.MGFRun, alpha: float, what: str, compare: Compare) -> Result:
    """:func:`check_small_scale_equivalence` with the run's Δ∞ and θ̃₀ in units of α² (both are O(α²))."""
    lim = MF.limits(run)
    a2 = alpha ** 2
    return check_small_scale_equivalence(theta_star, lim["delta"] / a2, lim["theta_tilde0"] / a2, SMALL_ALPHAS, what,
                                         compare)


def bregman_over_psi(ts: np.ndarray, dl: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """D_ψΔ(θ*, θ_ref) and ψ_Δ(θ*), the two sides of eq. (7)."""
    return HE.bregman(ts, ref, dl), HE.psi(ts, dl)


def bregman_over_l1(ts: np.ndarray, dl: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """D_ψΔ(θ*, θ_ref) and ½ ln(1/α²)‖θ*‖₁ (α² the common scale of Δ), the poster's proportionality."""
    alpha2 = float(np.exp(np.mean(np.log(dl))))  # the common α² scale of Δ
    return HE.bregman(ts, ref, dl), 0.5 * math.log(1 / alpha2) * float(np.sum(np.abs(ts)))


@claim("momentum_dln.eq7", section="3.1", equations=("7",), keys=(K + "eq-7-small-initialisation-approximation",),
       statement="For small α (θ₀, Δ₀ = O(α²)), D_ψΔ₀(θ*, θ₀) ~ ψ_Δ₀(θ*), so θ^GF ≈ argmin_S ψ_Δ₀.", kind="asymptotic")
def _eq7(ctx: Context) -> Result:
    st = MGF_SIZES.of(ctx).setting
    delta_unit, ref_unit = unit_initialisation(ctx.rng(), st.d)
    return check_small_scale_equivalence(mgf_data(ctx.seed, st).theta_star, delta_unit, ref_unit, SMALL_ALPHAS,
                                         "D_ψΔ₀(θ*, θ₀)/ψ_Δ₀(θ*)", bregman_over_psi)


@claim("momentum_dln.appC-3-3.small_alpha", section="App. C.3.3",
       keys=(K + "small-alpha-equivalence-of-bregman-objective",),
       statement="For fixed θ* ∈ S and Δ∞, θ̃₀ = O(α²): ψ_Δ∞(θ*) ~ D_ψΔ∞(θ*, θ̃₀) as α → 0, so θ^MGF ≈ argmin_S ψ_Δ∞.",
       kind="asymptotic")
def _appC33(ctx: Context) -> Result:
    st = MGF_SIZES.of(ctx).setting
    return check_run_small_scale(mgf_data(ctx.seed, st).theta_star, positive_run(ctx), st.alpha,
                                 "D_ψΔ∞(θ*, θ̃₀)/ψ_Δ∞(θ*)", bregman_over_psi)


def check_poster_l1(theta_star: np.ndarray, run: MF.MGFRun, alpha: float) -> Result:
    """The poster's ℓ₁ proportionality for (Δ₀, θ₀) = (α²1, 0) and for the run's (Δ∞, θ̃₀)."""
    return combine("poster ℓ₁ proportionality", {
        "Delta_0, theta_0": check_small_scale_equivalence(theta_star, np.ones(run.d), np.zeros(run.d), SMALL_ALPHAS,
                                                          "ψ_Δ₀/(ln(1/α)‖θ*‖₁)", bregman_over_l1),
        "Delta_inf, theta~_0": check_run_small_scale(theta_star, run, alpha, "D_ψΔ∞/(ln(1/α)‖θ*‖₁)", bregman_over_l1)})


@claim("momentum_dln.poster3.small_init_l1", section="poster: Poster 3 / 4", source="poster",
       keys=(K + "poster-small-initialisation-l1-proportionality",),
       statement="With Δ, θ_ref = O(α²) ≪ θ*, D_ψΔ(θ*, θ_ref) ~ ψ_Δ(θ*) ∝ ‖θ*‖₁ as α → 0 (for Δ₀, θ₀ and for Δ∞, θ̃₀); "
                 "checked as D_ψΔ(θ*, θ_ref) / (½ ln(1/α²)‖θ*‖₁) → 1.", kind="asymptotic")
def _poster_l1(ctx: Context) -> Result:
    st = MGF_SIZES.of(ctx).setting
    return check_poster_l1(mgf_data(ctx.seed, st).theta_star, positive_run(ctx), st.alpha)


def check_gf_reference(data: SparseRegression, delta: np.ndarray, u0_of: Callable[[np.ndarray], np.ndarray],
                       what: str) -> Result:
    """Gradient flow from u₀ = u0_of(Δ∞), v₀ = 0 (zero speed) versus argmin_S ψ_Δ∞ (dual Newton).

    The flow's limit is integrated (an independent route) when that finishes within GF_SECONDS; from a tiny
    balancedness u₀² the flow's last phase is too slow (its rate is ~u₀²‖x‖²), and then the limit is taken from
    eq. (5), θ^GF = argmin_S ψ_{u₀²} by the dual (eq. (5) is checked on its own); the evidence names the route."""
    u0 = u0_of(delta)
    target, info = HE.argmin_bregman(data.X, data.y, delta, np.zeros_like(delta))
    if not info["converged"]:
        return inconclusive(f"{what}: the dual solver did not converge", dual=info)
    gf = HE.gradient_flow(data.X, data.y, u0 ** 2, np.zeros_like(delta), max_seconds=GF_SECONDS)
    gf2 = HE.gradient_flow(data.X, data.y, u0 ** 2, np.zeros_like(delta), rtol=1e-9, atol=1e-13,
                           max_seconds=GF_SECONDS) if gf.success else gf
    scale = max(1.0, float(np.max(np.abs(target))))
    if gf.success and gf2.success:
        limit, route = gf.theta, "gradient flow integrated to train loss 1e-26"
        tol = float(np.max(np.abs(gf.theta - gf2.theta))) + 1e-11 * scale
    else:
        limit, info5 = HE.argmin_bregman(data.X, data.y, u0 ** 2, np.zeros_like(delta))
        if not info5["converged"]:
            return inconclusive(f"{what}: neither the flow ({gf.message}) nor the dual for eq. (5) converged")
        route = f"eq. (5): argmin_S ψ_(u0^2) by the dual (the flow: {gf.message})"
        # both sides are dual solutions to residual <= 1e-12: their error is at the rounding of the KKT system
        tol = 1e-11 * scale
    err = float(np.max(np.abs(limit - target)))
    return from_errors(what, [err], tol, route=route,
                       instances=[{"delta_inf": delta, "u0": u0, "gf_limit": limit, "argmin_psi": target}])


@claim("momentum_dln.poster4.gf_reference", section="poster: Poster 4", source="poster",
       keys=(K + "poster-gf-reference-solution-theta-gf-delta-inf",),
       statement="Gradient flow from u₀ = Δ∞, v₀ = 0 (zero speed) converges to θ^GF_Δ∞ = argmin_S ψ_Δ∞.",
       kind="implicit_bias")
def _poster_gf_ref(ctx: Context) -> Result:
    return check_gf_reference(mgf_data(ctx.seed, MGF_SIZES.of(ctx).setting), MF.limits(positive_run(ctx))["delta"],
                              lambda dl: dl, "GF limit from u₀ = Δ∞ − argmin_S ψ_Δ∞")


@claim("momentum_dln.sec3-2-1.gf_reference", section="3.2.1",
       keys=(K + "poster-gf-reference-solution-theta-gf-delta-inf",),
       statement="§3.2.1: gradient flow from u₀ = √Δ∞, v₀ = 0 converges to θ^GF_Δ∞ = argmin_S ψ_Δ∞ (its balancedness "
                 "is u₀² = Δ∞ and θ₀ = 0).", kind="implicit_bias", corrects="momentum_dln.poster4.gf_reference")
def _gf_ref(ctx: Context) -> Result:
    return check_gf_reference(mgf_data(ctx.seed, MGF_SIZES.of(ctx).setting), MF.limits(positive_run(ctx))["delta"],
                              np.sqrt, "GF limit from u₀ = √Δ∞ − argmin_S ψ_Δ∞")
