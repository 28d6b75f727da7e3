"""Claims of Lyu, Wang, Wang, Zhu, "Effects of Momentum in Implicit Bias of Gradient Flow for Diagonal
Linear Networks" (hb_nag): HB / NAG flows on θ = u⊙u − v⊙v, main text and appendices B–D.

Each registered function wraps a ``check_*`` function taking the paper's formula or instance as arguments;
the tests hand those a perturbed formula or instance and expect REFUTED. Claims that hold "up to O(η²)"
are checked by how the residual scales with η (fit on four η values, claimed order 2).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from checks.context import Context, stream_rng, stream_seed
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import (Result, combine, fit_order, from_errors, from_order_fit, inconclusive,
                            proved, refuted)
from derivations import hb_nag as D
from numerics import hb_nag as N
from numerics.generated import hb_nag as G

P = "hb_nag"
K = "hb_nag:"
MU = 0.5  # momentum of the η-scaling checks (α = 1.5η for HB, η for NAG)
ETAS_FLOW = (0.01, 0.005, 0.0025, 0.00125)


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------
def symbolic_order2(what: str, residuals: dict[str, sp.Expr]) -> Result:
    """PROVED if the α⁰ and α¹ coefficients of every residual vanish (the residual is O(α²) = O(η²))."""
    coeffs = {f"{name} [alpha^{k}]": c for name, r in residuals.items()
              for k, c in enumerate(D.alpha_coefficients(r))}
    return residuals_vanish(what + " (coefficients of α⁰, α¹)", coeffs)


@dataclass(frozen=True)
class Instance:
    """A seeded regression instance with an initialisation (u0, v0)."""

    X: np.ndarray
    y: np.ndarray
    u0: np.ndarray
    v0: np.ndarray
    seed: list[int]

    @property
    def net(self) -> N.SquareNet:
        return N.SquareNet(self.X, self.y)

    @property
    def xi(self) -> np.ndarray:
        return np.abs(self.u0 * self.v0)

    @property
    def theta0(self) -> np.ndarray:
        return self.u0 ** 2 - self.v0 ** 2

    def describe(self) -> dict:
        return {"seed": self.seed, "n": int(self.X.shape[0]), "d": int(self.X.shape[1]),
                "u0": self.u0, "v0": self.v0}


@lru_cache(maxsize=16)
def instance(seed: int, tier: str, biased: bool) -> Instance:
    """n = 4, d = 8 (quick) or n = 10, d = 20 (full); u0 = 0.3·1 and v0 = u0 (unbiased) or u0 + 0.2·N(0, I)."""
    stream = f"hb_nag.instance.{tier}.{biased}"
    ctx = Context(seed=seed, tier=tier)  # type: ignore[arg-type]
    rng = stream_rng(ctx.seed, stream)
    n, d = (4, 8) if tier == "quick" else (10, 20)
    X, y, _ = N.sparse_instance(rng, n, d, 2)
    u0 = np.full(d, 0.3)
    v0 = u0 + 0.2 * rng.standard_normal(d) if biased else u0.copy()
    return Instance(X, y, u0, v0, stream_seed(ctx.seed, stream))


@lru_cache(maxsize=64)
def converged_flow(seed: int, tier: str, biased: bool, method: str, eta: float, mu: float = MU,
                   dense: int = 200) -> N.FlowPath:
    """HB/NAG flow (eq. 17, App. D's initial velocity −∇L/(1−μ)) run to convergence, on a grid of ``dense`` times
    (log-spaced after t = 1) so the trajectory claims and the limit claims share one solve. α = 0 if eta = 0."""
    inst = instance(seed, tier, biased)
    alpha = 0.0 if eta == 0 else N.flow_alpha(method, eta, mu)
    T = 40.0 if tier == "quick" else 200.0
    t = np.unique(np.concatenate([np.linspace(0, 1, dense // 2), np.geomspace(1, T, dense // 2)]))
    return N.flow(inst.net, inst.u0, inst.v0, alpha, mu, t)


def flows(ctx: Context, biased: bool, method: str, etas=ETAS_FLOW) -> list[N.FlowPath]:
    return [converged_flow(ctx.seed, ctx.tier, biased, method, eta) for eta in etas]


def _flow_failure(paths: list[N.FlowPath]) -> str | None:
    bad = [p.message for p in paths if not p.success]
    return bad[0] if bad else None


# --------------------------------------------------------------------------------------------------
# Proposition 1 and App. C: the modified equations
# --------------------------------------------------------------------------------------------------
#: Momenta at which the flows' α is compared with the derived one: the flow checks run at MU = 1/2, where NAG's
#: factor 2μ² − μ + 1 equals 1 and so cannot tell η(2μ² − μ + 1) from η/(2μ² − μ + 1).
GENERIC_MU = (0.3, 0.7, 0.9)


def check_alpha(method: str, stated: D.AlphaFormula,
                used: Callable[[str, float, float], float] = N.flow_alpha) -> Result:
    """α read off the Taylor expansion (eq. 14 / eqs. 15–16) minus the stated α(η, μ). The α the flows use
    (``used``: generated code) must be the derived α at generic momenta, to float64 rounding (a rational
    expression of a few operations: 16 ulp); otherwise the flow checks would test another flow (INCONCLUSIVE)."""
    derived = D.derived_alpha(method)
    res = residuals_vanish(f"α of the {method.upper()} flow", {"alpha": derived - stated(D.eta, D.mu)}, derived=sp.sstr(derived))
    pts = [(0.1, m) for m in GENERIC_MU]
    exact = [float(derived.subs({D.eta: sp.Rational(1, 10), D.mu: sp.Rational(m).limit_denominator(100)}))
             for _, m in pts]
    gaps = [abs(used(method, e, m) - a) for (e, m), a in zip(pts, exact)]
    if max(gaps) > 16 * np.finfo(float).eps * max(map(abs, exact)) and res.verdict.value != "REFUTED":
        return inconclusive(f"the α the {method.upper()} flows use differs from the derived α by {max(gaps):.1e} at "
                            f"μ ∈ {GENERIC_MU}", gaps=gaps, derived=sp.sstr(derived))
    res = res.with_evidence(**{"flows' alpha vs derived (eta=0.1, mu=0.3/0.7/0.9)": gaps})
    return res


@claim("hb_nag.prop1.hb", section="2 / App. C.1", equations=("2", "4", "13", "14"),
       keys=(K + "proposition-1-hb-coefficient",),
       statement="Taylor-expanding HB's two-step recursion β_{k+1} = β_k + μ(β_k − β_{k−1}) − η∇L(β_k) at t = kη "
                 "to O(η) gives αβ̈ + β̇ + ∇L/(1−μ) = 0 with α = η(1+μ)/(2(1−μ)).",
       latex=r"\alpha_{HB}=\frac{\eta(1+\mu)}{2(1-\mu)}", kind="closed_form")
def _prop1_hb(ctx: Context) -> Result:
    return check_alpha("hb", D.paper_alpha_hb)


@claim("hb_nag.prop1.nag", section="2 / App. C.2", equations=("3", "4", "15", "16"),
       keys=(K + "proposition-1-nag-coefficient",),
       statement="For NAG (gradient at ρ_k = β_k + μp_k), the expansion plus ημ∇²Lβ̇ ≈ −η(1−μ)β̈ gives "
                 "αβ̈ + β̇ + ∇L/(1−μ) = 0 with α = η(1−μ+2μ²)/(2(1−μ)) (the value of §2 and App. D).",
       latex=r"\alpha_{NAG}=\frac{\eta(1-\mu+2\mu^2)}{2(1-\mu)}", kind="closed_form")
def _prop1_nag(ctx: Context) -> Result:
    return check_alpha("nag", D.paper_alpha_nag)


@claim("hb_nag.appC-2.alpha", section="App. C.2", equations=("C.2 final display",),
       keys=(K + "proposition-1-nag-coefficient",),
       statement="App. C.2 ends with α = (2μ² − μ + 1)/(2(1−μ)) for NAG.",
       latex=r"\alpha=\frac{2\mu^2-\mu+1}{2(1-\mu)}", kind="closed_form")
def _appc2_printed(ctx: Context) -> Result:
    return check_alpha("nag", D.paper_alpha_nag_c2)


@claim("hb_nag.appC-2.alpha_corrected", section="App. C.2", equations=("16", "C.2 final display"),
       keys=(K + "proposition-1-nag-coefficient",), corrects="hb_nag.appC-2.alpha",
       statement="App. C.2's last step, η(1+μ)/2·β̈ + (1−μ)β̇ = −∇L + ημ(1−μ)β̈, divided by (1−μ), gives "
                 "α = η(2μ² − μ + 1)/(2(1−μ)): the printed value with the factor η restored.",
       latex=r"\alpha=\frac{\eta(2\mu^2-\mu+1)}{2(1-\mu)}", kind="closed_form")
def _appc2_corrected(ctx: Context) -> Result:
    last_step = (D.eta * (1 + D.mu) / 2 - D.eta * D.mu * (1 - D.mu)) / (1 - D.mu)
    restored = D.eta * D.paper_alpha_nag_c2(D.eta, D.mu)
    return residuals_vanish("App. C.2 α with η restored", {
        "last step": last_step - restored, "derived": D.derived_alpha("nag") - restored})


def check_rho_expansion(remainder_order: int) -> Result:
    """ρ(t) − β − ημβ̇ = O(η^remainder_order) (App. C.2 states 3)."""
    rem = D.rho_remainder()
    actual = D.leading_order(rem)
    ev = {"remainder": sp.sstr(rem), "actual_leading_order": actual, "stated_order": remainder_order}
    if actual >= remainder_order:
        return proved(f"ρ(t) − β − ημβ̇ starts at η^{actual} (≥ η^{remainder_order})", zero=f"coefficients of "
                      f"η^0..η^{remainder_order - 1} of {sp.sstr(rem)}", **ev)
    return refuted(f"ρ(t) − β − ημβ̇ = {sp.sstr(rem)} starts at η^{actual}, not O(η^{remainder_order})",
                   counterexample={"beta(t)": "t^2 (b2 = 2)", "mu": 0.5, "remainder_leading_term": "-mu*eta^2*b2/2"}, **ev)


@claim("hb_nag.appC-2.rho", section="App. C.2", equations=("ρ(t) expansion",),
       keys=(K + "app-c-2-expansion-of-rho-t",),
       statement="ρ(t) = β(t) + μ(β(t) − β(t−η)) = β(t) + ημβ̇(t) + O(η³).",
       latex=r"\rho(t)=\beta(t)+\eta\mu\dot\beta(t)+\mathcal O(\eta^3)", kind="order")
def _appc2_rho(ctx: Context) -> Result:
    return check_rho_expansion(3)


@claim("hb_nag.appC-2.rho_corrected", section="App. C.2", equations=("ρ(t) expansion",),
       keys=(K + "app-c-2-expansion-of-rho-t",), corrects="hb_nag.appC-2.rho",
       statement="ρ(t) = β + ημβ̇ − μη²β̈/2 + O(η³), so ρ = β + ημβ̇ + O(η²); the consequence used, "
                 "η∇L(ρ) = η∇L(β) + η²μ∇²L β̇ + O(η³), holds.",
       latex=r"\eta\nabla L(\rho)=\eta\nabla L(\beta)+\eta^2\mu\nabla^2L\dot\beta+\mathcal O(\eta^3)", kind="order")
def _appc2_rho_corrected(ctx: Context) -> Result:
    return combine("ρ(t) expansion, corrected", {
        "rho to O(eta^2)": check_rho_expansion(2),
        "eta*grad L(rho) to O(eta^3)": _leading_at_least(D.nag_gradient_remainder(), 3, "η∇L(ρ) remainder")})


def _leading_at_least(expr: sp.Expr, order: int, what: str) -> Result:
    actual = D.leading_order(expr)
    if actual >= order:
        return proved(f"{what} starts at η^{actual}", zero=f"coefficients below η^{order} of {sp.sstr(expr)}")
    return refuted(f"{what} starts at η^{actual} < η^{order}", counterexample={"expression": sp.sstr(expr)})


def prop1_errors(ctx: Context, method: str, alpha_of: Callable[[float, float], float], velocity: str,
                 etas, T: float) -> list[float]:
    """sup_{kη ≤ T} |β(kη) − β̄_k| between discrete ``method`` and the flow with α = alpha_of(η, μ)."""
    inst = instance(ctx.seed, ctx.tier, True)
    net = inst.net
    out = []
    for eta in etas:
        steps = int(round(T / eta))
        U, V_ = N.momentum_iterates(net, inst.u0, inst.v0, eta, MU, steps, method=method)
        a = alpha_of(eta, MU)
        gu, gv = net.grad_uv(inst.u0, inst.v0)
        if velocity == "zero":
            ud0, vd0 = np.zeros_like(gu), np.zeros_like(gv)
        elif velocity == "matched":
            ud0, vd0 = G.matched_velocity(eta, MU, a, gu), G.matched_velocity(eta, MU, a, gv)
        else:
            ud0 = vd0 = None
        path = N.flow(net, inst.u0, inst.v0, a, MU, eta * np.arange(steps + 1), ud0=ud0, vd0=vd0)
        out.append(max(float(np.max(np.abs(path.u - U))), float(np.max(np.abs(path.v - V_)))))
    return out


def check_prop1_order(ctx: Context, method: str, alpha_of: Callable[[float, float], float],
                      claimed: float = 1.0) -> Result:
    """Definition 1 with γ = claimed: global error on [0, T] of the flow (App. D's velocity) vs the iterates."""
    etas = (0.005, 0.0025, 0.00125, 0.000625)
    T = 0.5 if ctx.tier == "quick" else 2.0
    errs = prop1_errors(ctx, method, alpha_of, "appD", etas, T)
    return from_order_fit(f"{method.upper()} flow vs iterates on [0, {T:g}]", etas, errs, claimed, mu=MU,
                          initial_velocity="-grad L/(1-mu) (App. D)", instance=instance(ctx.seed, ctx.tier, True).describe(), bound=True)


@claim("hb_nag.prop1.order", section="2", equations=("Definition 1", "4"),
       keys=(K + "proposition-1-order-of-approximation",), tier="quick",
       statement="Sampled at t = kη, the flow (4) with the paper's α stays within Cη of the HB / NAG iterates on "
                 "any fixed horizon [0, T] (flow started at β̇(0) = −∇L/(1−μ), App. D's choice).",
       latex=r"\sup_{0\le k\eta\le T}|\beta(k\eta)-\bar\beta_k|\le C\eta", kind="convergence")
def _prop1_order(ctx: Context) -> Result:
    parts = {m: check_prop1_order(ctx, m, lambda e, mu, m=m: N.flow_alpha(m, e, mu)) for m in N.METHODS}
    res = combine("Definition 1 / Prop. 1 order", parts)
    if ctx.tier == "full":  # which α and which initial velocity matter: fitted orders of the alternatives
        etas, T = (0.005, 0.0025, 0.00125, 0.000625), 2.0
        alts = {}
        for m in N.METHODS:
            other = "nag" if m == "hb" else "hb"
            for name, a_of, vel in (("alpha=0", lambda e, mu: 0.0, "appD"),
                                    ("other method's alpha", lambda e, mu, o=other: N.flow_alpha(o, e, mu), "appD"),
                                    ("paper alpha, v0=0", lambda e, mu, m=m: N.flow_alpha(m, e, mu), "zero"),
                                    ("paper alpha, matched v0", lambda e, mu, m=m: N.flow_alpha(m, e, mu), "matched")):
                errs = prop1_errors(ctx, m, a_of, vel, etas, T)
                alts[f"{m}: {name}"] = {"errors": errs, "fitted_order": fit_order(etas, errs).order}
        res = res.with_evidence(**{"alternatives": alts})
    return res


# --------------------------------------------------------------------------------------------------
# Implicit bias: single layer, GF (Woodworth; Proposition 2)
# --------------------------------------------------------------------------------------------------
def check_single_layer(ctx: Context, predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Result:
    """HB / NAG on f(x; β) = βᵀx converge to predict(X, y, β0) (paper: the interpolator closest to β0)."""
    rng = stream_rng(ctx.seed, "hb_nag.single_layer")
    n, d = (5, 12) if ctx.tier == "quick" else (40, 100)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    b0 = rng.standard_normal(d)
    lmax = np.linalg.eigvalsh(X.T @ X / n).max()
    errs, inst, tols = [], [], []
    for method in N.METHODS:
        eta, mu = 0.5 / lmax, 0.9
        b, p = b0.copy(), np.zeros(d)
        for _ in range(20000):
            look = b + mu * p if method == "nag" else b
            p = mu * p - eta * X.T @ (X @ look - y) / n
            b = b + p
        res = float(np.max(np.abs(X @ b - y)))
        target = predict(X, y, b0)
        errs.append(float(np.max(np.abs(b - target))))
        tols.append(1e-9 + 10 * res * np.linalg.norm(np.linalg.pinv(X), 2))
        inst.append({"method": method, "eta": eta, "mu": mu, "seed": stream_seed(ctx.seed, "hb_nag.single_layer"),
                     "final_residual": res})
    return from_errors("single-layer HB/NAG limit vs the Euclidean projection of β0", errs, max(tols), instances=inst)


def projection_onto_interpolators(X: np.ndarray, y: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """argmin ‖β − β0‖ s.t. Xβ = y."""
    return b0 + np.linalg.pinv(X) @ (y - X @ b0)


@claim("hb_nag.sec1.single_layer", section="1 / App. A", equations=("5",),
       keys=(K + "sec-1-claim-single-layer-linear-regression",),
       statement="For f(x; β) = βᵀx and the square loss, HB and NAG converge to the interpolator closest to the "
                 "initialisation in Euclidean distance, as GD does.",
       latex=r"\beta(\infty)=\arg\min_{X\beta=y}\|\beta-\beta_0\|_2", kind="implicit_bias")
def _single_layer(ctx: Context) -> Result:
    return check_single_layer(ctx, projection_onto_interpolators)


def gf_limit(ctx: Context, biased: bool) -> tuple[Instance, N.FlowPath]:
    """Gradient flow u̇ = −∇_uL, v̇ = −∇_vL (α = 0, μ = 0) to convergence."""
    inst = instance(ctx.seed, ctx.tier, biased)
    T = 400.0 if ctx.tier == "quick" else 1000.0
    return inst, N.flow(inst.net, inst.u0, inst.v0, 0.0, 0.0, np.array([0.0, T / 2, T]))


def check_gf_bias(ctx: Context, biased: bool, r_of: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Result:
    """θ^GF(∞) against argmin Q^GF_ξ(θ) + θᵀR s.t. Xθ = y with R = r_of(θ(0), ξ)."""
    inst, path = gf_limit(ctx, biased)
    if not path.success:
        return inconclusive(f"GF solve failed: {path.message}")
    th = path.theta[-1]
    am = N.entropy_argmin(inst.X, inst.y, inst.xi, r_of(inst.theta0, inst.xi))
    if not am.success:
        return inconclusive("the entropy program did not converge", residual=am.residual)
    # error budget: the solver's estimate, how far θ(T) is from the limit (change over the last half) and
    # from interpolation (converted to θ through ‖X⁺‖), and the program's residual
    drift = float(np.max(np.abs(path.theta[-1] - path.theta[-2])))
    infeas = float(np.max(np.abs(inst.X @ th - inst.y)))
    tol = path.error_estimate + drift + (infeas + am.residual) * np.linalg.norm(np.linalg.pinv(inst.X), 2)
    err = float(np.max(np.abs(am.theta - th)))
    return from_errors("GF limit vs the stated entropy program", [err], tol,
                       instances=[{**inst.describe(), "theta_gf": th, "theta_program": am.theta}])


@claim("hb_nag.sec3.gf_unbiased", section="3", equations=("Q^GF",),
       keys=(K + "sec-3-cited-gf-result-woodworth-et-al",),
       statement="Gradient flow on θ = u⊙u − v⊙v from u(0) = v(0) converges to argmin Q^GF_ξ(θ) s.t. Xθ = y, "
                 "Q^GF_ξ = Σ_j ¼[θ_j arcsinh(θ_j/(2ξ_j)) − √(4ξ_j²+θ_j²) + 2ξ_j].",
       latex=r"\theta^{GF}(\infty)=\arg\min_{X\theta=y}Q^{GF}_\xi(\theta)", kind="implicit_bias",
       reconstruction="the text prints 'arcsin'; the hyperbolic entropy (and eqs. 9, 10) use arcsinh, checked here")
def _sec3_gf(ctx: Context) -> Result:
    return check_gf_bias(ctx, False, lambda th0, xi: np.zeros_like(xi))


@claim("hb_nag.prop2", section="3 / App. D.6", equations=("7", "66", "67"), keys=(K + "proposition-2",),
       statement="Gradient flow from a biased initialisation converges to argmin Q^GF_ξ(θ) + θᵀR^GF s.t. Xθ = y "
                 "with ξ_j = |u_j(0)v_j(0)| and R^GF_j = +arcsinh(θ_j(0)/(2ξ_j))/4.",
       latex=r"\mathcal R^{GF}_j=\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)}{2\xi_j}", kind="implicit_bias")
def _prop2(ctx: Context) -> Result:
    return check_gf_bias(ctx, True, G.r_gf_paper)


@claim("hb_nag.prop2.corrected", section="3 / App. D.6", equations=("7", "67"), keys=(K + "proposition-2",),
       corrects="hb_nag.prop2",
       statement="Under GF u_jv_j is constant and ¼arcsinh(θ/(2ξ)) = ∇Q^GF_ξ follows the mirror flow d/dt∇Q = −∇L, "
                 "so the limit minimises the Bregman divergence: R^GF_j = −arcsinh(θ_j(0)/(2ξ_j))/4.",
       latex=r"\mathcal R^{GF}_j=-\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)}{2\xi_j}", kind="implicit_bias")
def _prop2_corrected(ctx: Context) -> Result:
    return combine("Prop. 2 with R^GF = −¼arcsinh(θ(0)/(2ξ))", {
        "mirror flow identity": residuals_vanish("GF mirror flow", {"d/dt grad Q + g": D.gf_mirror_residual()}),
        "GF limit": check_gf_bias(ctx, True, G.r_gf_corrected)})


@claim("hb_nag.sec3.q_gf_limits", section="3", equations=("Q^GF",), keys=(K + "sec-3-q-gf-regime-limits",),
       statement="As ξ → ∞, Q^GF_ξ(θ) ∝ ‖θ‖₂² (ξQ_ξ → θ²/16); as ξ → 0, Q^GF_ξ → ‖θ‖₁ up to normalisation "
                 "(Q_ξ/ln(1/ξ) → |θ|/4).",
       latex=r"\xi Q_\xi\to\tfrac{\theta^2}{16},\ Q_\xi/\ln(1/\xi)\to\tfrac{|\theta|}{4}", kind="asymptotic")
def _q_limits(ctx: Context) -> Result:
    return check_q_limits(D.q_large_scale_limit(), D.q_small_scale_limit())


def check_q_limits(large: sp.Expr, small: sp.Expr) -> Result:
    """The computed limits must be a positive multiple of θ² (large ξ) and of |θ| (small ξ, θ > 0)."""
    ratio_l, ratio_s = sp.simplify(large / D.theta ** 2), sp.simplify(small / D.theta)
    ok = ratio_l.is_positive and ratio_l.free_symbols == set() and ratio_s.is_positive and not ratio_s.free_symbols
    if ok:
        return proved(f"ξQ_ξ → {large}, Q_ξ/ln(1/ξ) → {small}", zero=f"{large} - {ratio_l}*theta**2; {small} - {ratio_s}*theta")
    return refuted("a limit is not of the stated form", counterexample={"large": sp.sstr(large), "small": sp.sstr(small)})


# --------------------------------------------------------------------------------------------------
# App. D: Properties 1–4 and the θ dynamics, symbolically and along trajectories
# --------------------------------------------------------------------------------------------------
#: Trajectory residuals are measured on [T_SKIP, T]: outside the initial layer of width O(α) (≤ 0.03 here),
#: where the flow started at −∇L/(1−μ) relaxes to its slow manifold. The fit on [0, T] is kept as evidence.
T_SKIP = 1.0

Residual = Callable[[N.FlowPath, Instance], np.ndarray]


def _parts(p: N.FlowPath, inst: Instance):
    net = inst.net
    g = net.grad_theta(p.theta)
    return g, 2 * p.u * g, -2 * p.v * g


def res_property2(p: N.FlowPath, inst: Instance) -> np.ndarray:
    return p.alpha * (p.v * p.ud + p.u * p.vd)


def res_property3(p: N.FlowPath, inst: Instance) -> np.ndarray:
    a = p.alpha
    return (p.u + a * p.ud) * (p.v + a * p.vd) - p.u * p.v


def res_property4(p: N.FlowPath, inst: Instance) -> np.ndarray:
    return p.ud * p.v + p.u * p.vd - 2 * p.alpha * p.ud * p.vd


def res_eq20(p: N.FlowPath, inst: Instance) -> np.ndarray:
    _, gu, gv = _parts(p, inst)
    return np.concatenate([p.alpha * (p.ud + gu / (1 - p.mu)), p.alpha * (p.vd + gv / (1 - p.mu))], axis=1)


def res_eq23(p: N.FlowPath, inst: Instance) -> np.ndarray:
    a, mu = p.alpha, p.mu
    _, gu, gv = _parts(p, inst)
    Gj = 2 * ((p.u + a * p.ud) * gu - (p.v + a * p.vd) * gv)
    return a * p.theta_ddot + p.theta_dot + Gj / (1 - mu)


def res_eq30(p: N.FlowPath, inst: Instance) -> np.ndarray:
    return p.u * p.v - inst.u0 * inst.v0 * np.exp(-p.alpha * p.phi)


def _xibar(p: N.FlowPath, inst: Instance) -> np.ndarray:
    return inst.xi * np.exp(-p.alpha * p.phi)


def res_eq34(p: N.FlowPath, inst: Instance) -> np.ndarray:
    a = p.alpha
    H = p.u * (p.u + a * p.ud) + p.v * (p.v + a * p.vd)
    A = (p.theta + a * p.theta_dot) ** 2 + 4 * _xibar(p, inst) ** 2
    return H - np.sqrt(A - a * p.theta * p.theta_dot)


def res_eq35(p: N.FlowPath, inst: Instance) -> np.ndarray:
    a, th, thd = p.alpha, p.theta, p.theta_dot
    g, _, _ = _parts(p, inst)
    A = (th + a * thd) ** 2 + 4 * _xibar(p, inst) ** 2
    inv_h = 1 / np.sqrt(A) + a / 2 * th * thd / (th ** 2 + 4 * inst.xi ** 2) ** 1.5
    return (a * p.theta_ddot + thd) * inv_h / 4 + g / (1 - p.mu)


def res_eq47(p: N.FlowPath, inst: Instance) -> np.ndarray:
    g, _, _ = _parts(p, inst)
    return p.alpha * p.theta_dot + 4 * p.alpha * np.sqrt(p.theta ** 2 + 4 * inst.xi ** 2) * g / (1 - p.mu)


def res_prop4(p: N.FlowPath, inst: Instance, xibar: bool = True) -> np.ndarray:
    """Eq. (11) integrated from 0: ∇Q^M(θ̄(t), t) − ∇Q^M(θ̄(0), 0) + ∫₀ᵗ∂L/(1−μ) (the linear term R is constant)."""
    thb = p.theta + p.alpha * p.theta_dot
    scale = _xibar(p, inst) if xibar else inst.xi
    return (np.arcsinh(thb / (2 * scale)) - np.arcsinh(thb[0] / (2 * inst.xi))) / 4 + p.grad_integral / (1 - p.mu)


def trajectory_order(ctx: Context, what: str, residual: Residual, claimed: float = 2.0, t_skip: float = T_SKIP,
                     biased_cases=(False, True)) -> Result:
    """sup_{t ∈ [t_skip, T]} |residual| along HB and NAG flows for four η: fitted order vs ``claimed``."""
    parts = {}
    for biased in biased_cases:
        inst = instance(ctx.seed, ctx.tier, biased)
        for m in N.METHODS:
            paths = flows(ctx, biased, m)
            if (msg := _flow_failure(paths)) is not None:
                return inconclusive(f"{what}: flow solve failed ({msg})")
            errs = [float(np.max(np.abs(residual(p, inst)[p.t >= t_skip]))) for p in paths]
            full = [float(np.max(np.abs(residual(p, inst)))) for p in paths]
            # the residual on the 1000x looser solve minus that on the returned solve bounds the looser one's
            # error, so the returned residuals are resolved when they exceed this difference
            noise = max(float(np.max(np.abs(residual(p, inst) - residual(p.coarse, inst)))) for p in paths)
            if min(errs) <= noise:
                parts[f"{m}, {'biased' if biased else 'unbiased'}"] = inconclusive(
                    f"{what}: residual {min(errs):.1e} is not resolved by the solves (difference {noise:.1e})")
                continue
            parts[f"{m}, {'biased' if biased else 'unbiased'}"] = from_order_fit(
                what, ETAS_FLOW, errs, claimed, t_range=[t_skip, float(paths[0].t[-1])],
                fitted_order_on_0_T=fit_order(ETAS_FLOW, full).order, errors_on_0_T=full, mu=MU,
                solver_error=noise, instance=inst.describe(), bound=True)
    res = combine(what, parts)
    return res


@claim("hb_nag.property1", section="App. D", equations=("18", "19"), keys=(K + "property-1-eqs-18-19",),
       statement="For θ = u⊙u − v⊙v and L = ‖Xθ − y‖²/(2n): ∂_{u_j}L = 2u_j∂_{θ_j}L, ∂_{v_j}L = −2v_j∂_{θ_j}L with "
                 "∂_{θ_j}L = (1/n)Σ_i r_i x_ij, hence v_j∂_{u_j}L + u_j∂_{v_j}L = 0.",
       latex=r"v_j\partial_{u_j}L+u_j\partial_{v_j}L=0", kind="identity")
def _property1(ctx: Context) -> Result:
    return residuals_vanish("Property 1 (n = 2, d = 2, symbolic data)", D.property1_residuals())


@claim("hb_nag.property2", section="App. D", equations=("20", "21"), keys=(K + "property-2-eqs-20-21",),
       statement="Along HB/NAG flow αu̇_j = −α∂_{u_j}L/(1−μ) + O(η²) (same for v), hence α(v_ju̇_j + u_jv̇_j) = O(η²).",
       latex=r"\alpha(v_j\dot u_j+u_j\dot v_j)=\mathcal O(\eta^2)", kind="order")
def _property2(ctx: Context) -> Result:
    return combine("Property 2", {
        "symbolic (velocities of eq. 20)": symbolic_order2("Property 2", {"Property 2": D.properties_2_3_residuals()["Property 2"]}),
        "eq. (20) along flows": trajectory_order(ctx, "α(u̇ + ∂_uL/(1−μ))", res_eq20),
        "eq. (21) along flows": trajectory_order(ctx, "α(vu̇ + uv̇)", res_property2)})


@claim("hb_nag.property3", section="App. D", equations=("Property 3",), keys=(K + "property-3",),
       statement="Along HB/NAG flow (u_j + αu̇_j)(v_j + αv̇_j) = u_jv_j + O(η²).",
       latex=r"(u_j+\alpha\dot u_j)(v_j+\alpha\dot v_j)=u_jv_j+\mathcal O(\eta^2)", kind="order")
def _property3(ctx: Context) -> Result:
    return combine("Property 3", {
        "symbolic (velocities of eq. 20)": symbolic_order2("Property 3", {"Property 3": D.properties_2_3_residuals()["Property 3"]}),
        "along flows": trajectory_order(ctx, "(u+αu̇)(v+αv̇) − uv", res_property3)})


def check_property4(ctx: Context, t_skip: float) -> Result:
    exact = residuals_vanish("eq. (22) before dropping O(η²)", {"exact identity": D.property4_exact_residual()})
    along = trajectory_order(ctx, "d(uv)/dt − 2αu̇v̇", res_property4, t_skip=t_skip)
    return combine("Property 4", {"exact identity d(uv)/dt = −α d/dt(u̇v+v̇u) + 2αu̇v̇": exact, "along flows": along})


@claim("hb_nag.property4", section="App. D", equations=("22",), keys=(K + "property-4-eq-22",),
       statement="Along HB/NAG flow d(u_jv_j)/dt = 2αu̇_jv̇_j + O(η²) (for all t ≥ 0).",
       latex=r"\tfrac{d}{dt}u_jv_j=2\alpha\dot u_j\dot v_j+\mathcal O(\eta^2)", kind="order")
def _property4(ctx: Context) -> Result:
    return check_property4(ctx, 0.0)


@claim("hb_nag.property4.corrected", section="App. D", equations=("22", "30"), keys=(K + "property-4-eq-22",),
       corrects="hb_nag.property4",
       statement="d(u_jv_j)/dt = 2αu̇_jv̇_j + O(η²) holds for t ≥ t₀ > 0 fixed (outside the initial layer of width "
                 "O(α), where the dropped term α d/dt(u̇v + v̇u) is O(η)); at t = 0, d(uv)/dt = 0 while 2αu̇v̇ = O(η).",
       latex=r"\sup_{t\ge t_0}\big|\tfrac{d}{dt}u_jv_j-2\alpha\dot u_j\dot v_j\big|=\mathcal O(\eta^2)", kind="order")
def _property4_corrected(ctx: Context) -> Result:
    return check_property4(ctx, T_SKIP)


@claim("hb_nag.eq23", section="App. D.1", equations=("23",), keys=(K + "eq-23-and-g-j-4-h-j-d-jl",),
       statement="θ_j obeys αθ̈_j + θ̇_j + G_j/(1−μ) = 0 up to O(η²), G_j = 2[(u_j+αu̇_j)∂_{u_j}L − (v_j+αv̇_j)∂_{v_j}L] "
                 "= 4H_j∂_{θ_j}L exactly, H_j = u_j(u_j+αu̇_j) + v_j(v_j+αv̇_j).",
       latex=r"\alpha\ddot\theta_j+\dot\theta_j+\frac{4H_j\partial_{\theta_j}L}{1-\mu}=\mathcal O(\eta^2)", kind="identity")
def _eq23(ctx: Context) -> Result:
    r = D.theta_dynamics_residuals()
    return combine("eq. (23)", {
        "G = 4 H dθL": residuals_vanish("G_j = 4H_j∂_jL", {"G - 4 H g": r["G = 4 H dθL"]}),
        "eq. (23) symbolic": symbolic_order2("eq. (23)", {"eq. (23)": r["eq. (23)"]}),
        "eq. (23) along flows": trajectory_order(ctx, "αθ̈ + θ̇ + G/(1−μ)", res_eq23)})


@claim("hb_nag.eq24to26", section="App. D.1", equations=("24", "25", "26"), keys=(K + "eqs-24-26",),
       statement="H_j² = u⁴+v⁴+2u²v² + 2α(u³u̇+v³v̇) + O(η²), (θ_j+αθ̇_j)² = u⁴+v⁴−2u²v² + 4α(u³u̇+v³v̇) + O(η²), "
                 "so H_j² − (θ_j+αθ̇_j)² = 4u_j²v_j² − 2α(u_j³u̇_j + v_j³v̇_j) + O(η²).",
       latex=r"H_j^2-(\theta_j+\alpha\dot\theta_j)^2=4u_j^2v_j^2-2\alpha(u_j^3\dot u_j+v_j^3\dot v_j)", kind="identity")
def _eqs24_26(ctx: Context) -> Result:
    r = D.eqs_24_26_residuals()
    return symbolic_order2("eqs. (24)–(26)", {k: r[k] for k in ("eq. (24)", "eq. (25)", "eq. (26)")})


@claim("hb_nag.eq28to31", section="App. D.1", equations=("28", "29", "30", "31"), keys=(K + "eqs-28-31",),
       statement="Along HB/NAG flow d(u_jv_j)/dt = −8α/(1−μ)² u_jv_j(∂_{θ_j}L)² + O(η²), hence "
                 "u_j(t)v_j(t) = u_j(0)v_j(0)e^{−αφ_j(t)}, φ_j(t) = 8/(1−μ)²∫₀ᵗ(∂_{θ_j}L)² ≥ 0.",
       latex=r"u_jv_j=u_j(0)v_j(0)e^{-\alpha\phi_j(t)}", kind="closed_form")
def _eqs28_31(ctx: Context) -> Result:
    us_, vs_ = D.slow_velocities()
    eq28 = 2 * D.alpha * us_ * vs_ + 8 * D.alpha / (1 - D.mu) ** 2 * D.u * D.v * D.g ** 2
    phis = [p.phi for b in (False, True) for m in N.METHODS for p in flows(ctx, b, m)]
    mono = min(float(np.min(np.diff(ph, axis=0))) for ph in phis)
    nonneg = from_errors("φ_j(t) ≥ 0 and non-decreasing", [max(0.0, -mono)], 1e-12)
    return combine("eqs. (28)–(31)", {
        "eq. (28) symbolic (velocities of eq. 20)": symbolic_order2("eq. (28)", {"eq. (28)": eq28}),
        "eq. (30) along flows": trajectory_order(ctx, "uv − u(0)v(0)e^{−αφ}", res_eq30, t_skip=0.0),
        "eq. (31) phi >= 0": nonneg})


@claim("hb_nag.eq33to34", section="App. D.1", equations=("33", "34"), keys=(K + "eqs-33-34",),
       statement="2α(u_j³u̇_j + v_j³v̇_j) = αθ_jθ̇_j + O(η²), hence "
                 "H_j = √((θ_j+αθ̇_j)² + 4ξ_j²e^{−2αφ_j(t)} − αθ_jθ̇_j) + O(η²).",
       latex=r"H_j=\sqrt{(\theta_j+\alpha\dot\theta_j)^2+4\xi_j^2e^{-2\alpha\phi_j}-\alpha\theta_j\dot\theta_j}", kind="closed_form")
def _eqs33_34(ctx: Context) -> Result:
    return combine("eqs. (33)–(34)", {
        "eq. (33) symbolic": symbolic_order2("eq. (33)", {"eq. (33)": D.eqs_24_26_residuals()["eq. (33)"]}),
        "eq. (34) along flows": trajectory_order(ctx, "H − √(...)", res_eq34)})


@claim("hb_nag.eq35", section="App. D.1", equations=("35",), keys=(K + "eq-35-and-1-h-j-expansion",),
       statement="(αθ̈_j + θ̇_j)/(4H_j) = −∂_{θ_j}L/(1−μ), with 1/H_j = 1/√((θ_j+αθ̇_j)² + 4ξ_j²e^{−2αφ_j}) + "
                 "(α/2)θ_jθ̇_j/(θ_j²+4ξ_j²)^{3/2} + O(η²).",
       latex=r"\frac{\alpha\ddot\theta_j+\dot\theta_j}{4H_j}=-\frac{\partial_{\theta_j}L}{1-\mu}", kind="identity")
def _eq35(ctx: Context) -> Result:
    return combine("eq. (35)", {
        "1/H expansion symbolic": symbolic_order2("1/H_j expansion", {"1/H": D.inverse_h_expansion_residual()}),
        "eq. (35) with the expansion, along flows": trajectory_order(ctx, "(αθ̈+θ̇)/(4H) + ∂L/(1−μ)", res_eq35)})


@claim("hb_nag.eq37to43", section="App. D.1", equations=("37", "39", "41", "42", "43"),
       keys=(K + "eqs-37-43-potential-construction",),
       statement="∫dx/(4√(x²+4ξ̄²)) = ¼ln(√(x²+4ξ̄²)+x) + C; with ξ̄ = ξe^{−αφ}, ¼ln((√(x²+4ξ̄²)+x)/(2ξ)) = "
                 "¼arcsinh(x/(2ξ̄)) − αφ/4; and ¼ln(√(1+Δ²/(4ξ²)) + Δ/(2ξ)) = ¼arcsinh(Δ/(2ξ)).",
       latex=r"\tfrac14\ln\frac{\sqrt{x^2+4\bar\xi^2}+x}{2\xi}=\tfrac14\operatorname{arcsinh}\frac{x}{2\bar\xi}-\frac{\alpha\phi}{4}",
       kind="identity", reconstruction="eq. (43)'s last line prints 'arcsin'; arcsinh (as in the lines before) is checked")
def _eqs37_43(ctx: Context) -> Result:
    r = D.potential_residuals()
    return residuals_vanish("eqs. (37)–(43)", {k: v for k, v in r.items() if not k.startswith("eq. (44)")})


@claim("hb_nag.eq44", section="App. D.1", equations=("44",), keys=(K + "eq-44",),
       statement="(2ξ̄/4)[(x/(2ξ̄))arcsinh(x/(2ξ̄)) − √(1 + x²/(4ξ̄²)) + 1] is the antiderivative of ¼arcsinh(x/(2ξ̄)) "
                 "vanishing at 0 and equals ¼[x arcsinh(x/(2ξ̄)) − √(4ξ̄²+x²) + 2ξ̄].",
       latex=r"q(x)=\tfrac14\big[x\operatorname{arcsinh}\tfrac{x}{2\bar\xi}-\sqrt{4\bar\xi^2+x^2}+2\bar\xi\big]",
       kind="identity", reconstruction="the middle line of eq. (44) prints √(1 + x/(4ξ̄²)); the final line's x² is checked")
def _eq44(ctx: Context) -> Result:
    r = D.potential_residuals()
    return residuals_vanish("eq. (44)", {k: v for k, v in r.items() if k.startswith("eq. (44)")})


@claim("hb_nag.eq45to47", section="App. D.1", equations=("45", "46", "47"), keys=(K + "eqs-45-47",),
       statement="∂_t∇q = −αξ²(8(∂L)²/(1−μ)²)/[√(θ²+4ξ²)(√(θ²+4ξ²)+θ)] + O(η²) (45); αθ̇_j = −4α√(θ_j²+4ξ_j²)∂_jL/(1−μ) "
                 "+ O(η²) (47); hence ḣ_j = 2α/(1−μ)²·(∂_jL)²/√(θ²+4ξ²)·[4ξ²/(√(θ²+4ξ²)+θ) + θ] (46).",
       latex=r"\alpha\dot\theta_j=-4\alpha\sqrt{\theta_j^2+4\xi_j^2}\,\frac{\partial_jL}{1-\mu}+\mathcal O(\eta^2)", kind="identity",
       reconstruction="eq. (45)'s last line lost the factor 1/(√(θ²+4ξ²)+θ) in extraction; it is restored from the "
                      "line before and from eq. (46), which uses it")
def _eqs45_47(ctx: Context) -> Result:
    return combine("eqs. (45)–(47)", {
        "eq. (45) symbolic": symbolic_order2("eq. (45)", {"eq. (45)": D.eq45_residual()}),
        "eq. (46) symbolic": symbolic_order2("eq. (46)", {"eq. (46)": D.eq46_integrand_residual()}),
        "eq. (47) along flows": trajectory_order(ctx, "αθ̇ + 4α√(θ²+4ξ²)∂L/(1−μ)", res_eq47)})


@claim("hb_nag.eq48", section="App. D.1", equations=("48",), keys=(K + "eq-48",),
       statement="−αθ_jφ_j(t)/4 + (θ_j + αθ̇_j)(h_j(t) − h_j(0)) = 0 up to O(η²), because "
                 "4ξ²/(√(θ²+4ξ²)+θ) + θ = √(θ²+4ξ²).",
       latex=r"\frac{4\xi^2}{\sqrt{\theta^2+4\xi^2}+\theta}+\theta=\sqrt{\theta^2+4\xi^2}", kind="identity")
def _eq48(ctx: Context) -> Result:
    return residuals_vanish("eq. (48)", {"identity": D.eq48_identity(), "integrands -αθφ'/4 + θh'": D.eq48_residual()})


def check_eq50(stated: Callable[..., sp.Expr]) -> Result:
    """θ(0) + αθ̇(0) with u̇(0) = −∂_uL/(1−μ), v̇(0) = −∂_vL/(1−μ), against ``stated``(δ, α, ∂L, μ, ξ)."""
    return residuals_vanish("θ(0) + αθ̇(0)", {"eq. (50)": D.eq50_residual(stated)})


@claim("hb_nag.eq50", section="App. D.1", equations=("50",), keys=(K + "eq-50",),
       statement="With u̇(0), v̇(0) from the first-order approximation, θ_j(0) + αθ̇_j(0) = δ_j + "
                 "(4α∂_jL(θ(0))/(1−μ))√(δ_j² + 4ξ_j²), δ_j = u_j(0)² − v_j(0)².",
       latex=r"\theta_j(0)+\alpha\dot\theta_j(0)=\delta_j+\frac{4\alpha\partial_jL(\theta(0))}{1-\mu}\sqrt{\delta_j^2+4\xi_j^2}",
       kind="identity")
def _eq50(ctx: Context) -> Result:
    return check_eq50(D.paper_delta_eq50)


@claim("hb_nag.eq50.corrected", section="App. D.1", equations=("50",), keys=(K + "eq-50",), corrects=("hb_nag.eq50", "hb_nag.eq51to52.biased"),
       statement="θ̇ = 2uu̇ − 2vv̇ = −4(u²+v²)∂_θL/(1−μ) with the first-order velocities, so "
                 "θ_j(0) + αθ̇_j(0) = δ_j − (4α∂_jL(θ(0))/(1−μ))√(δ_j² + 4ξ_j²) (minus sign).",
       latex=r"\theta_j(0)+\alpha\dot\theta_j(0)=\delta_j-\frac{4\alpha\partial_jL(\theta(0))}{1-\mu}\sqrt{\delta_j^2+4\xi_j^2}",
       kind="identity")
def _eq50_corrected(ctx: Context) -> Result:
    return combine("corrected eq. (50)", {"symbolic": check_eq50(D.corrected_delta),
                                          "eq. (40) along flows": check_eq40_numeric(ctx, G.delta_corrected)})


# --------------------------------------------------------------------------------------------------
# Theorem 3, Proposition 4, Proposition 5 and their proofs (App. D.1–D.3)
# --------------------------------------------------------------------------------------------------
RFormula = Callable[[Instance, float, float], np.ndarray]


def r_paper_theorem3(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    return G.r_theorem3(inst.theta0, inst.xi, alpha, inst.net.grad_theta(inst.theta0), mu)


def r_corrected(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    return G.r_corrected(inst.theta0, inst.xi, alpha, inst.net.grad_theta(inst.theta0), mu)


def r_gf_only(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    """R^GF (corrected sign): R^M without its gradient term."""
    return G.r_gf_corrected(inst.theta0, inst.xi)


def limit_mismatch(ctx: Context, biased: bool, method: str, r_of: RFormula, use_xibar: bool = True
                   ) -> tuple[list[float], float, list[dict]]:
    """max_j |θ_j(∞) − θ̂_j| for each η, θ̂ = argmin Q^M_{ξ̄(∞)} + θᵀR s.t. Xθ = y; and the largest error the
    computation can explain (fine vs coarse solve, change over the last stretch, program residual)."""
    inst = instance(ctx.seed, ctx.tier, biased)
    errs, noise, rows = [], 0.0, []
    pinv = np.linalg.norm(np.linalg.pinv(inst.X), 2)
    for eta, p in zip(ETAS_FLOW, flows(ctx, biased, method)):
        scale = inst.xi * np.exp(-p.alpha * p.phi[-1]) if use_xibar else inst.xi
        am = N.entropy_argmin(inst.X, inst.y, scale, r_of(inst, p.alpha, MU))
        th = p.theta[-1]
        errs.append(float(np.max(np.abs(am.theta - th))))
        noise = max(noise, float(np.max(np.abs(th - p.coarse.theta[-1]))) + float(np.max(np.abs(th - p.theta[-2])))
                    + (am.residual + float(np.max(np.abs(inst.X @ th - inst.y)))) * pinv)
        rows.append({"eta": eta, "alpha": p.alpha, "phi_inf": p.phi[-1], "theta_flow": th, "theta_program": am.theta})
    return errs, noise, rows


def check_limit(ctx: Context, what: str, biased: bool, r_of: RFormula, claimed: float = 2.0, use_xibar: bool = True) -> Result:
    """Theorem 3's prediction vs the flow's limit, per method: fitted order of the mismatch in η."""
    parts = {}
    for m in N.METHODS:
        errs, noise, rows = limit_mismatch(ctx, biased, m, r_of, use_xibar)
        if min(errs) <= noise:
            parts[m] = inconclusive(f"{what}: mismatch {min(errs):.1e} not resolved (error budget {noise:.1e})")
            continue
        parts[m] = from_order_fit(f"{what} ({m.upper()})", ETAS_FLOW, errs, claimed, error_budget=noise,
                                  instance=instance(ctx.seed, ctx.tier, biased).describe(), per_eta=rows, bound=True)
    res = combine(what, parts)
    return res


@claim("hb_nag.theorem3", section="3.1 / App. D.3", equations=("8", "9"), keys=(K + "theorem-3",),
       statement="If HB/NAG flow converges to an interpolator, then up to O(η²) θ(∞) = argmin Q^M_{ξ̄(∞)}(θ) + θᵀR^M "
                 "s.t. Xθ = y with ξ̄(∞) = ξ⊙exp(−αφ(∞)) and R^M_j = ¼arcsinh(θ_j(0)/(2ξ_j) + "
                 "4α∂_jL(θ(0))/(1−μ)·√(1 + θ_j(0)²/(4ξ_j²))); checked from a biased initialisation.",
       latex=r"\theta(\infty)=\arg\min_{X\theta=y}Q^M_{\bar\xi(\infty)}(\theta)+\theta^T\mathcal R^M", kind="implicit_bias")
def _theorem3(ctx: Context) -> Result:
    return check_limit(ctx, "Theorem 3 (paper's R^M), biased init", True, r_paper_theorem3)


@claim("hb_nag.theorem3.corrected", section="3.1 / App. D.3", equations=("8", "9", "40", "50", "51"),
       keys=(K + "theorem-3",), corrects="hb_nag.theorem3",
       statement="Theorem 3 with R^M_j = ¼arcsinh(−θ_j(0)/(2ξ_j) + 4α∂_jL(θ(0))/(1−μ)·√(1 + θ_j(0)²/(4ξ_j²))) "
                 "(= −¼arcsinh(Δ_j/(2ξ_j)), Δ_j the corrected eq. 50): the flow's limit matches the program up to O(η²).",
       latex=r"\mathcal R^M_j=-\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)+\alpha\dot\theta_j(0)}{2\xi_j}", kind="implicit_bias")
def _theorem3_corrected(ctx: Context) -> Result:
    return check_limit(ctx, "Theorem 3 (corrected R^M), biased init", True, r_corrected)


@claim("hb_nag.theorem3.unbiased", section="3.1 / 3.2", equations=("8", "9"), keys=(K + "theorem-3",),
       statement="Theorem 3 from u(0) = v(0) (θ(0) = 0, where its R^M reduces to ¼arcsinh(4α∂_jL(0)/(1−μ))): the flow's "
                 "limit matches argmin Q^M_{ξ̄(∞)} + θᵀR^M up to O(η²); with ξ in place of ξ̄(∞) only up to O(η).",
       latex=r"\theta(\infty)=\arg\min_{X\theta=y}Q^M_{\bar\xi(\infty)}(\theta)+\theta^T\mathcal R^M", kind="implicit_bias")
def _theorem3_unbiased(ctx: Context) -> Result:
    res = check_limit(ctx, "Theorem 3, unbiased init", False, r_paper_theorem3)
    without = {m: limit_mismatch(ctx, False, m, r_paper_theorem3, use_xibar=False)[0] for m in N.METHODS}
    res = res.with_evidence(**{"with xi instead of xibar(inf)": {m: {"errors": e, "fitted_order": fit_order(ETAS_FLOW, e).order}
                                                     for m, e in without.items()}})
    return res


def check_r_normalisation(stated: Callable[..., sp.Expr]) -> Result:
    """Unbiased init: the linear coefficient fixed by ∇Q^M(θ̄(0), 0) = 0 (eq. 40), −¼arcsinh(Δ/(2ξ)) with
    Δ = θ̄(0) = 8αξ(Xᵀy)_j/(n(1−μ)), minus the stated R_j(α, (Xᵀy)_j, n, μ)."""
    required = -sp.asinh(D.corrected_delta(0, D.alpha, -D.xty / D.n, D.mu, D.xi) / (2 * D.xi)) / 4
    return residuals_vanish("R_j for unbiased init vs eq. (40)", {"R - required": stated(D.alpha, D.xty, D.n, D.mu) - required}, required=sp.sstr(sp.simplify(required)))


def _theorem3_r_unbiased(alpha_, xty_, n_, mu_):
    return D.paper_r_theorem3(0, D.xi, alpha_, -xty_ / n_, mu_)


def _r_unbiased_corrected(alpha_, xty_, n_, mu_):
    return -D.paper_r_d5(alpha_, xty_, n_, mu_)


@claim("hb_nag.sec3-2.rm", section="3.2", equations=("R^M, §3.2",), keys=(K + "sec-3-2-r-m-for-unbiased-initialization",),
       statement="For u(0) = v(0), R^M_j = arcsinh(4α(Xᵀy)_j/(n(1−μ))) (§3.2), and R^GF = 0.",
       latex=r"\mathcal R^M_j=\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity")
def _sec32_rm(ctx: Context) -> Result:
    return check_r_normalisation(D.paper_r_sec32)


@claim("hb_nag.eq52", section="App. D.1 / D.5", equations=("51", "52", "D.5"),
       keys=(K + "sec-3-2-r-m-for-unbiased-initialization", K + "eqs-51-52"),
       statement="For u(0) = v(0) the linear term of the potential (eq. 52, App. D.5) is R_j = +¼arcsinh(4α(Xᵀy)_j/(n(1−μ))).",
       latex=r"\mathcal R_j=\tfrac14\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity")
def _eq52(ctx: Context) -> Result:
    return check_r_normalisation(D.paper_r_d5)


@claim("hb_nag.eq52.corrected", section="App. D.1 / D.5", equations=("40", "50", "51", "52"),
       keys=(K + "sec-3-2-r-m-for-unbiased-initialization", K + "eqs-51-52"), corrects=("hb_nag.eq52", "hb_nag.sec3-2.rm"),
       statement="With the corrected eq. (50), eq. (51)'s linear term −¼θ̄ arcsinh(Δ_j/(2ξ_j)) gives for u(0) = v(0) "
                 "R_j = −¼arcsinh(4α(Xᵀy)_j/(n(1−μ))) = ¼arcsinh(4α∂_jL(0)/(1−μ)), which is Theorem 3's R^M at θ(0) = 0.",
       latex=r"\mathcal R_j=-\tfrac14\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity")
def _eq52_corrected(ctx: Context) -> Result:
    return combine("R_j for unbiased init", {"corrected (52)": check_r_normalisation(_r_unbiased_corrected),
                                             "Theorem 3 at theta(0)=0": check_r_normalisation(_theorem3_r_unbiased)})


@claim("hb_nag.eq51to52.biased", section="App. D.1", equations=("49", "50", "51"), keys=(K + "eqs-51-52",),
       statement="Eq. (51): Q^M_{ξ,j}(θ̄, t) = ¼[θ̄ arcsinh(θ̄/(2ξ̄_j)) − √(4ξ̄_j²+θ̄²) + 2ξ̄_j] − ¼θ̄ arcsinh(Δ_j/(2ξ_j)) "
                 "with Δ_j from eq. (50): its gradient vanishes at (θ̄(0), 0) as eq. (40) requires (checked with the "
                 "flow's own θ̄(0), biased init).",
       latex=r"\nabla Q^M_{\xi,j}(\bar\theta(0),0)=0", kind="closed_form")
def _eqs51_52_biased(ctx: Context) -> Result:
    return check_eq40_numeric(ctx, G.delta_eq50)


def check_eq40_numeric(ctx: Context, delta_of: Callable[..., np.ndarray]) -> Result:
    """|¼arcsinh(θ̄(0)/(2ξ)) − ¼arcsinh(Δ/(2ξ))| over the η grid, θ̄(0) = θ(0) + αθ̇(0) of the flow: O(η²) claimed."""
    inst = instance(ctx.seed, ctx.tier, True)
    g0 = inst.net.grad_theta(inst.theta0)
    parts = {}
    for m in N.METHODS:
        errs = []
        for p in flows(ctx, True, m):
            thb0 = p.theta[0] + p.alpha * p.theta_dot[0]
            Dl = delta_of(inst.theta0, p.alpha, g0, MU, inst.xi)
            errs.append(float(np.max(np.abs(np.arcsinh(thb0 / (2 * inst.xi)) - np.arcsinh(Dl / (2 * inst.xi))) / 4)))
        if min(errs) < 1e-13:
            parts[m] = from_errors(f"∇Q^M(θ̄(0), 0) ({m.upper()})", [max(errs)], 1e-12)
        else:
            parts[m] = from_order_fit(f"∇Q^M(θ̄(0), 0) ({m.upper()})", ETAS_FLOW, errs, 2.0, bound=True)
    res = combine("eq. (40) with eq. (51)", parts)
    return res


@claim("hb_nag.prop4", section="3.4 / App. D.1", equations=("11", "12"), keys=(K + "proposition-4",),
       statement="From u(0) = v(0), θ̄ = θ + αθ̇ follows d/dt ∇[Q^M_{ξ,j}(θ̄, t) + θ̄_jR^M_j] = −∂_jL(θ)/(1−μ) up to O(η²), "
                 "Q^M the hyperbolic entropy of scale ξ̄_j(t) = ξ_je^{−αφ_j(t)}; checked integrated from 0 "
                 "(sup over t of ∇Q^M(θ̄(t), t) − ∇Q^M(θ̄(0), 0) + ∫∂_jL/(1−μ)).",
       latex=r"\frac{d}{dt}\nabla\big[Q^M_{\xi,j}(\bar\theta_\alpha,t)+\bar\theta_{\alpha;j}\mathcal R^M_j\big]=-\frac{\partial_{\theta_j}L}{1-\mu}",
       kind="identity", reconstruction="eq. (12)'s potential prints √(4ξ̄² + θ̄) without the square; θ̄² (as in eq. 51) is used")
def _prop4(ctx: Context) -> Result:
    res = trajectory_order(ctx, "integrated eq. (11)", res_prop4, t_skip=0.0, biased_cases=(False,))
    inst = instance(ctx.seed, ctx.tier, False)
    alt = {m: [float(np.max(np.abs(res_prop4(p, inst, xibar=False)))) for p in flows(ctx, False, m)] for m in N.METHODS}
    res = res.with_evidence(**{"with xi instead of xibar(t)": {m: {"errors": e, "fitted_order": fit_order(ETAS_FLOW, e).order}
                                                   for m, e in alt.items()}})
    return res


@claim("hb_nag.sec3-4.second_order", section="3.4", equations=("11",), keys=(K + "sec-3-4-second-order-form-of-eq-11",),
       statement="By the chain rule eq. (11) reads α∇²Q^M θ̈_j + ∇²Q^M θ̇_j + ∂_t∇Q^M = −∂_jL/(1−μ): a second-order ODE in θ.",
       latex=r"\alpha\nabla^2Q^M\ddot\theta_j+\nabla^2Q^M\dot\theta_j+\partial_t\nabla Q^M=-\frac{\partial_jL}{1-\mu}",
       kind="identity", reconstruction="the printed form ends with '+ ∂(∂_jL)/∂t = 0', a garbled right-hand side; the "
                                       "chain-rule form with right-hand side −∂_jL/(1−μ) (eq. 11) is checked")
def _sec34(ctx: Context) -> Result:
    return residuals_vanish("chain rule for d/dt ∇Q(θ + αθ̇, t)", {"chain rule": D.second_order_form_residual()})


@claim("hb_nag.eq59to63", section="App. D.3", equations=("59", "60", "61", "62", "63"),
       keys=(K + "eqs-59-63-proof-of-theorem-3",),
       statement="Integrating Prop. 4: ∇Q^M(θ̄(∞), ∞) − ∇Q^M(θ̄(0), 0) = −Σ_i x_i∫r_i/(n(1−μ)) ∈ span{x_i}; θ̄(∞) = θ(∞) "
                 "since θ̇(∞) = 0; with ∇Q^M(θ̄(0), 0) = 0 this is the KKT condition of Theorem 3's program.",
       latex=r"\nabla Q^M_{\bar\xi(\infty)}(\theta(\infty),\infty)=\sum_i x_i\lambda_i", kind="identity")
def _eqs59_63(ctx: Context) -> Result:
    parts = {}
    for biased in (False, True):
        inst = instance(ctx.seed, ctx.tier, biased)
        P_row = np.linalg.pinv(inst.X) @ inst.X
        errs_v, errs_span, noise = [], [], 0.0
        for p in flows(ctx, biased, "hb"):
            errs_v.append(float(np.max(np.abs(p.alpha * p.theta_dot[-1]))))
            gi = p.grad_integral[-1]
            errs_span.append(float(np.max(np.abs(gi - P_row @ gi))))
            noise = max(noise, p.error_estimate)
        tag = "biased" if biased else "unbiased"
        parts[f"theta_bar(inf) = theta(inf), {tag}"] = from_errors("|αθ̇(T)|", errs_v, 10 * noise + 1e-12)
        parts[f"integral in span(x_i), {tag}"] = from_errors("∫∇L ∈ row space of X", errs_span, 10 * noise + 1e-12)
    inst = instance(ctx.seed, ctx.tier, False)
    for m in N.METHODS:
        errs = [float(np.max(np.abs(res_prop4(p, inst)[-1]))) for p in flows(ctx, False, m)]
        parts[f"eq. (61) at T, {m}"] = from_order_fit("integrated eq. (11) at t = T", ETAS_FLOW, errs, 2.0, bound=True)
    return combine("eqs. (59)–(63)", parts)


def phi_limit(inst_X: np.ndarray, inst_y: np.ndarray, u0: np.ndarray, v0: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray, float]:
    """φ(∞) and θ(∞) of the leading-order flow (α = 0, μ = MU), with an error budget (solve difference and tail)."""
    net = N.SquareNet(inst_X, inst_y)
    p = N.flow(net, u0, v0, 0.0, MU, np.array([0.0, T / 2, T]))
    budget = float(np.max(np.abs(p.phi[-1] - p.coarse.phi[-1])) + np.max(np.abs(p.phi[-1] - p.phi[-2])))
    return p.phi[-1], p.theta[-1], budget


def check_prop5(X: np.ndarray, y: np.ndarray, u0: np.ndarray, v0: np.ndarray, formula: Callable[..., np.ndarray],
                T: float, seed: list[int]) -> Result:
    """φ_j(∞) of the flow against formula(diag XᵀX, n, μ, Q_{ξ_j}(θ_j(∞))) (unbiased init, C = 0)."""
    phi, th, budget = phi_limit(X, y, u0, v0, T)
    xi = np.abs(u0 * v0)
    pred = formula(np.sum(X * X, axis=0), X.shape[0], MU, G.hyperbolic_entropy(th, xi))
    err = float(np.max(np.abs(pred - phi)))
    return from_errors("φ(∞) vs its closed form", [err], 10 * budget + 1e-10,
                       instances=[{"seed": seed, "X": X, "y": y, "u0": u0, "phi_flow": phi, "phi_formula": pred}])


def orthogonal_instance(ctx: Context) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """X (n = 8, d = 4) with orthogonal columns, y = Xθ*: Σ_i ε_ij is then constant along the flow."""
    stream = "hb_nag.orthogonal"
    rng = stream_rng(ctx.seed, stream)
    q, _ = np.linalg.qr(rng.standard_normal((8, 4)))
    X = q * rng.uniform(1.0, 3.0, size=4)
    return X, X @ rng.standard_normal(4), stream_seed(ctx.seed, stream)


@claim("hb_nag.prop5", section="App. D.2", equations=("Prop. 5",), keys=(K + "proposition-5",), tier="quick",
       statement="At interpolation φ_j(∞) = 16[diag XᵀX]_j/(n(1−μ))·Q^M_{ξ,j}(θ_j(∞), 0) + C, C = 0 for θ(0) = 0 "
                 "(checked at leading order, on the flow with α → 0, generic X, unbiased init).",
       latex=r"\phi_j(\infty)=\frac{16[\mathrm{diag}(X^TX)]_j}{n(1-\mu)}Q^M_{\xi,j}(\theta_j(\infty),0)+C", kind="closed_form")
def _prop5(ctx: Context) -> Result:
    inst = instance(ctx.seed, ctx.tier, False)
    X, y, seed = orthogonal_instance(ctx)
    u0 = np.full(4, 0.3)
    return combine("Prop. 5", {
        "generic X": check_prop5(inst.X, inst.y, inst.u0, inst.v0, G.phi_prop5, 200.0, inst.seed),
        "orthogonal design": check_prop5(X, y, u0, u0.copy(), G.phi_prop5, 200.0, seed)})


@claim("hb_nag.prop5.corrected", section="App. D.2", equations=("Prop. 5", "53"), keys=(K + "proposition-5",),
       corrects=("hb_nag.prop5", "hb_nag.eq53to58"),
       statement="φ̇_j = −(2/(1−μ))∂_jL θ̇_j/√(θ_j²+4ξ_j²) (coefficient 2, not 4); when Σ_iε_ij is constant in time (e.g. "
                 "orthogonal columns of X) this integrates to φ_j(∞) = 8[diag XᵀX]_j/(n(1−μ))·Q_{ξ_j}(θ_j(∞)) for θ(0) = 0; "
                 "for generic X no such closed form holds (ε_ij varies).",
       latex=r"\phi_j(\infty)=\frac{8[\mathrm{diag}(X^TX)]_j}{n(1-\mu)}Q_{\xi_j}(\theta_j(\infty))", kind="closed_form")
def _prop5_corrected(ctx: Context) -> Result:
    X, y, seed = orthogonal_instance(ctx)
    u0 = np.full(4, 0.3)
    coef = D.phi_rate_coefficient()
    return combine("Prop. 5 corrected", {
        "rate coefficient 2/(1-mu)": residuals_vanish("φ̇ coefficient", {"c - 2/(1-mu)": coef - 2 / (1 - D.mu)}),
        "orthogonal design": check_prop5(X, y, u0, u0.copy(), G.phi_prop5_corrected, 200.0, seed)})


@claim("hb_nag.eq53to58", section="App. D.2", equations=("53", "54", "55", "56", "57", "58"),
       keys=(K + "eqs-53-58-proof-of-proposition-5",),
       statement="αφ_j(t) = −(4α/(1−μ))∫∂_jL/√(θ_j²+4ξ_j²) dθ_j (53), evaluated with ε_ij(t) treated as constant "
                 "(54–56), and with ε_ij(∞) = −θ_j(∞)x_ij² (57), αφ_j(∞) = 16α(Σ_i x_ij)²/(n(1−μ))·Q^M_{ξ,j}(θ(∞), 0) + C' (58).",
       latex=r"\alpha\phi_j(\infty)=\frac{16\alpha(\sum_ix_{ij})^2}{n(1-\mu)}Q^M_{\xi,j}+C'", kind="identity")
def _eqs53_58(ctx: Context) -> Result:
    inst = instance(ctx.seed, ctx.tier, False)
    paper_58 = lambda sx2, n_, mu_, q_: 16 * np.sum(inst.X, axis=0) ** 2 / (n_ * (1 - mu_)) * q_  # noqa: E731
    X, y, seed = orthogonal_instance(ctx)
    u0 = np.full(4, 0.3)
    paper_58_orth = lambda sx2, n_, mu_, q_: 16 * np.sum(X, axis=0) ** 2 / (n_ * (1 - mu_)) * q_  # noqa: E731
    return combine("eqs. (53)–(58)", {
        "antiderivatives (54)-(55)": residuals_vanish("∫θ/S dθ, ∫dθ/S", {"antiderivatives": D.eq53_antiderivative_residual()}),
        "eq. (53) coefficient 4/(1-mu)": residuals_vanish("φ̇ coefficient", {"c - 4/(1-mu)": D.phi_rate_coefficient() - 4 / (1 - D.mu)}),
        "eq. (58) orthogonal design": check_prop5(X, y, u0, u0.copy(), paper_58_orth, 200.0, seed),
        "eq. (58) generic X": check_prop5(inst.X, inst.y, inst.u0, inst.v0, paper_58, 200.0, inst.seed)})


# --------------------------------------------------------------------------------------------------
# Remarks of §3.1, §3.3, §3.5 and App. D.4, D.5
# --------------------------------------------------------------------------------------------------
@claim("hb_nag.theorem3.remark", section="3.1 / 3.4", equations=("9", "12"),
       keys=(K + "remark-after-theorem-3-sec-3-4-initialization-mitigation",),
       statement="φ_j(t) ≥ 0 is non-decreasing, so ξ̄_j(t) = ξ_je^{−αφ_j(t)} ≤ ξ_j; φ(∞) is positive and finite, so "
                 "ξ̄(∞) < ξ strictly (and Q^M_{ξ̄(∞)} is the entropy of a smaller scale).",
       latex=r"\bar\xi_j(\infty)=\xi_je^{-\alpha\phi_j(\infty)}<\xi_j", kind="inequality")
def _remark_theorem3(ctx: Context) -> Result:
    return check_xibar_below_xi(ctx, lambda xi, a, phi: xi * np.exp(-a * phi))


def check_xibar_below_xi(ctx: Context, xibar_of: Callable[[np.ndarray, float, np.ndarray], np.ndarray]) -> Result:
    """Along every cached flow: max_j,t (ξ̄_j(t) − ξ_j)/ξ_j ≤ 0 and, at T, ξ_j − ξ̄_j(∞) resolved above the solve error."""
    over, gaps, noise, rows = [], [], 0.0, []
    for biased in (False, True):
        inst = instance(ctx.seed, ctx.tier, biased)
        for m in N.METHODS:
            for p in flows(ctx, biased, m):
                rel = xibar_of(inst.xi, p.alpha, p.phi) / inst.xi
                over.append(float(np.max(rel - 1)))
                gaps.append(float(np.min(1 - rel[-1])))
                noise = max(noise, p.alpha * float(np.max(np.abs(p.phi[-1] - p.coarse.phi[-1]) + np.abs(p.phi[-1] - p.phi[-2]))))
                rows.append({"method": m, "biased": biased, "alpha": p.alpha, "phi_inf_min": float(p.phi[-1].min()),
                             "phi_inf_max": float(p.phi[-1].max())})
    parts = {"xibar(t) <= xi": from_errors("max (ξ̄(t) − ξ)/ξ", [max(0.0, max(over))], 1e-14, per_flow=rows)}
    strict = min(gaps)
    # strictness: the smallest relative gap 1 − ξ̄_j(∞)/ξ_j must exceed the error of α φ_j(∞) (solve difference and
    # tail); the shortfall max(0, error − gap) is the "error" of the claim
    parts["xibar(inf) < xi strictly"] = from_errors("min_j (1 − ξ̄_j(∞)/ξ_j) exceeds its error", [max(0.0, noise - strict)],
                                                    max(noise, 1e-15), min_relative_gap=strict, gap_error=noise)
    return combine("ξ̄(∞) < ξ", parts)


@claim("hb_nag.sec3-1.smaller_init", section="3.1", equations=("8", "9"),
       keys=(K + "sec-3-1-remark-gd-with-smaller-initialization",),
       statement="Ignoring R^M, HB/NAG from scale ξ select the interpolator GF selects from the smaller scale ξ̄(∞) "
                 "(argmin Q_{ξ̄(∞)}, up to O(η²) from u(0) = v(0)); GF from very small scales is slow to leave the "
                 "saddle u = v = 0 (its time to fit grows as the scale shrinks).",
       latex=r"\theta^{HB}_\xi(\infty)\approx\theta^{GF}_{\bar\xi(\infty)}(\infty)", kind="implicit_bias")
def _sec31(ctx: Context) -> Result:
    bias = check_limit(ctx, "HB/NAG limit vs GF's bias at scale ξ̄(∞) (R ignored)", False,
                       lambda inst, a, mu: np.zeros(inst.X.shape[1]))
    inst = instance(ctx.seed, ctx.tier, False)
    scales = np.array([1e-1, 1e-2, 1e-3, 1e-4])
    times = []
    for s in scales:
        u0 = np.full(inst.X.shape[1], np.sqrt(s))
        t = np.geomspace(1e-2, 2e3, 400)
        p = N.flow(inst.net, u0, u0.copy(), 0.0, 0.0, t)
        L = inst.net.loss(p.theta)
        hit = np.nonzero(L <= 1e-3 * inst.net.loss(np.zeros_like(u0)))[0]
        times.append(float(t[hit[0]]) if hit.size else float("inf"))
    viol = [max(0.0, times[i] - times[i + 1]) for i in range(len(times) - 1)]
    escape = from_errors("time to fit (L ≤ 1e-3 L(0)) increases as the GF scale shrinks", viol, 1e-9,
                         scales=scales, times=times, grid_resolution="400 log-spaced times")
    return combine("§3.1 remark", {"implicit bias": bias, "saddle escape": escape})


@claim("hb_nag.sec3-3.biased", section="3.3", equations=("R^M", "R^GF"),
       keys=(K + "sec-3-3-claim-biased-initialization",),
       statement="R^M → R^GF as α∇L(θ(0)) → 0 (the difference is O(α)); as u(0) → v(0) (δ → 0) at fixed α the gradient "
                 "term dominates R^M − R^GF relative to R^GF.",
       latex=r"\mathcal R^M-\mathcal R^{GF}=\mathcal O(\alpha)", kind="asymptotic")
def _sec33(ctx: Context) -> Result:
    return check_sec33(G.r_corrected, G.r_gf_corrected)


def check_sec33(r_m: Callable[..., np.ndarray], r_gf: Callable[..., np.ndarray]) -> Result:
    """(i) max|R^M − R^GF| over α ∈ {1e-2, …, 1.25e-3}: fitted order 1; (ii) |R^M − R^GF|/|R^GF| grows as δ → 0."""
    th0, xi, g0, mu = 0.3, 0.2, -0.7, 0.9
    alphas = [1e-2, 5e-3, 2.5e-3, 1.25e-3]
    diffs = [abs(float(r_m(th0, xi, a, g0, mu) - r_gf(th0, xi))) for a in alphas]
    order = from_order_fit("R^M − R^GF in α", alphas, diffs, 1.0, theta0=th0, xi=xi, grad0=g0, mu=mu)
    deltas = [0.3, 0.1, 0.03, 0.01]
    rel = [abs(float(r_m(d_, xi, 1e-2, g0, mu) - r_gf(d_, xi))) / abs(float(r_gf(d_, xi))) for d_ in deltas]
    viol = [max(0.0, rel[i] - rel[i + 1]) for i in range(len(rel) - 1)]
    grows = from_errors("relative gradient term grows as θ(0) → 0", viol, 1e-12, deltas=deltas, relative=rel)
    return combine("§3.3", {"R^M -> R^GF": order, "small delta": grows})


@claim("hb_nag.sec3-5.small_lr", section="3.5", equations=("9",), keys=(K + "sec-3-5-small-learning-rate-limit",),
       statement="As η → 0 (α → 0), ξ̄(∞) → ξ and Q^M_{ξ̄(∞)} → Q^GF_ξ: the limit of HB/NAG flow tends to that of "
                 "(rescaled) gradient flow; the gaps shrink like α ∝ η.",
       latex=r"\eta\to0:\ \bar\xi(\infty)\to\xi,\ \theta^M(\infty)\to\theta^{GF}(\infty)", kind="asymptotic")
def _sec35(ctx: Context) -> Result:
    parts = {}
    for biased in (False, True):
        inst = instance(ctx.seed, ctx.tier, biased)
        gf = converged_flow(ctx.seed, ctx.tier, biased, "hb", 0.0)
        for m in N.METHODS:
            ps = flows(ctx, biased, m)
            xgap = [float(np.max(np.abs(inst.xi * np.exp(-p.alpha * p.phi[-1]) - inst.xi))) for p in ps]
            tgap = [float(np.max(np.abs(p.theta[-1] - gf.theta[-1]))) for p in ps]
            tag = f"{m}, {'biased' if biased else 'unbiased'}"
            parts[f"xibar gap, {tag}"] = from_order_fit("|ξ̄(∞) − ξ|", ETAS_FLOW, xgap, 1.0, bound=True)
            parts[f"limit gap, {tag}"] = from_order_fit("|θ^M(∞) − θ^GF(∞)|", ETAS_FLOW, tgap, 1.0, bound=True)
    return combine("§3.5 small-η limit", parts)


def check_uv_symmetry(ctx: Context, u0: np.ndarray, v0: np.ndarray) -> Result:
    """HB flow on f = (u⊙v)ᵀx from (u0, v0): max_t ||u(t)| − |v(t)|| against the solver's error estimate."""
    from numerics.integrate import solve_mgf
    from numerics.losses import DiagonalNetwork

    inst = instance(ctx.seed, ctx.tier, False)
    net = DiagonalNetwork(inst.X, inst.y)
    a = N.flow_alpha("hb", 0.01, MU)
    w0 = np.concatenate([u0, v0])
    sol = solve_mgf(lambda w: net.grad(w) / (1 - MU), w0, -net.grad(w0) / (1 - MU), a, np.linspace(0, 20, 201))
    if not sol.success:
        return inconclusive(f"flow solve failed: {sol.message}")
    d = inst.X.shape[1]
    err = float(np.max(np.abs(np.abs(sol["w"][:, :d]) - np.abs(sol["w"][:, d:]))))
    return from_errors("||u(t)| − |v(t)|| under HB flow on u⊙v", [err], 10 * sol.error_estimate + 1e-13,
                       instances=[{"seed": inst.seed, "u0": u0, "v0": v0}])


@claim("hb_nag.appD-4.uv_equivalence", section="App. D.4", equations=("64",),
       keys=(K + "app-d-4-equivalence-with-u-v-networks",),
       statement="For f = (u⊙v)ᵀx under HB/NAG flow the dynamics are symmetric in u and v, so |u(0)| = |v(0)| implies "
                 "|u(t)| = |v(t)| for all t ≥ 0 (the model is then θ = u⊙u).",
       latex=r"|u(0)|=|v(0)|\Rightarrow|u(t)|=|v(t)|", kind="identity")
def _appd4(ctx: Context) -> Result:
    rng = stream_rng(ctx.seed, "hb_nag.appD4")
    d = instance(ctx.seed, ctx.tier, False).X.shape[1]
    u0 = rng.uniform(0.1, 0.5, d)
    return check_uv_symmetry(ctx, u0, u0 * rng.choice([-1.0, 1.0], d))


@claim("hb_nag.appD-5.small_init", section="App. D.5", equations=("D.5",), keys=(K + "app-d-5-small-initialization-limit",),
       statement="As ξ → 0: −√(4ξ̄²+θ̄²) + 2ξ̄ → −|θ̄| and θ̄ arcsinh(θ̄/(2ξ̄)) ~ |θ̄| ln(1/ξ̄) diverges, so Q^M_{ξ̄(∞)} "
                 "behaves like ‖θ(∞)‖₁ times a diverging factor while θᵀR^M stays finite: rich regime.",
       latex=r"Q^M_{\bar\xi}\sim\tfrac14\|\theta\|_1\ln(1/\bar\xi)", kind="asymptotic")
def _appd5_small(ctx: Context) -> Result:
    lim = D.d5_term_limits()
    return combine("App. D.5, ξ → 0", {
        "term limits": residuals_vanish("small-ξ term limits", {k: v for k, v in lim.items() if "->0" in k}),
        "Q/ln(1/xi) -> |theta|/4": check_q_limits(D.q_large_scale_limit(), D.q_small_scale_limit())})


@claim("hb_nag.appD-5.large_init", section="App. D.5", equations=("65",),
       keys=(K + "app-d-5-large-initialization-limit-eq-65",),
       statement="As ξ → ∞: θ̄ arcsinh(θ̄/(2ξ̄)) ~ θ̄²/(2ξ̄) and −√(4ξ̄²+θ̄²) + 2ξ̄ → 0, so Q^M ∝ ‖θ(∞)‖₂² (eq. 65) and "
                 "Q^M + θᵀR^M is quadratic plus linear: kernel regime. (The dropped term is −θ̄²/(4ξ̄), of the same order as "
                 "the kept one: the constant is 1/(16ξ̄), not 1/(8ξ̄), but proportionality holds.)",
       latex=r"Q^M_{\bar\xi}\sim\frac{\|\theta\|_2^2}{16\bar\xi}", kind="asymptotic")
def _appd5_large(ctx: Context) -> Result:
    lim = D.d5_term_limits()
    return combine("App. D.5, ξ → ∞", {
        "term limits": residuals_vanish("large-ξ term limits", {k: v for k, v in lim.items() if "->oo" in k}),
        "xi*Q -> theta^2/16": check_q_limits(D.q_large_scale_limit(), D.q_small_scale_limit())})


# --------------------------------------------------------------------------------------------------
# Experiments of §3.2, §3.3, §3.5 and App. B (diagonal networks)
# --------------------------------------------------------------------------------------------------
#: Quick tier: n = 10, d = 30, 3-sparse θ*; full tier: the paper's n = 40, d = 100, 5-sparse θ*.
def exp_sizes(tier: str) -> tuple[int, int, int]:
    return (10, 30, 3) if tier == "quick" else (40, 100, 5)


@lru_cache(maxsize=4)
def exp_data(seed: int, tier: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """(X, y, θ*, ρ, seed): §3.2's data and the fixed Gaussian ρ of App. B.1/B.3."""
    stream = f"hb_nag.experiment.{tier}"
    ctx = Context(seed=seed, tier=tier)  # type: ignore[arg-type]
    rng = stream_rng(ctx.seed, stream)
    n, d, s = exp_sizes(tier)
    X, y, th = N.sparse_instance(rng, n, d, s)
    return X, y, th, rng.standard_normal(d), stream_seed(ctx.seed, stream)


#: training stops (first stop of numerics.hb_nag.train) when the loss is below this times max(1, L(θ(0)))
LOSS_TOL = 1e-8


def train_budget(tier: str) -> int:
    """Steps allowed per training run."""
    return 1_000_000 if tier == "full" else 60_000


@lru_cache(maxsize=128)
def _trained(seed: int, tier: str, init: str, level: tuple[float, ...], algo: str, eta: float, mu: float,
             eps: float = 1.0, loss_tol: float = LOSS_TOL, budget: int | None = None) -> N.TrainResult:
    """Train ``algo`` on D_ε from a batch of initialisations: init 'unbiased' (u = v = c, level = ‖ξ‖₁ values),
    'phi' (u = φc, v = c/φ; level = (‖ξ‖₁, φ…)), 'rho' (u = c, v = c + ρ; level = ‖ξ‖₁ values)."""
    X, y, _, rho, _ = exp_data(seed, tier)
    d = X.shape[1]
    if init == "phi":
        c = np.sqrt(level[0] / d)
        phis = np.array(level[1:])[:, None]
        u0, v0 = phis * c * np.ones(d), c / phis * np.ones(d)
    elif init == "rho":  # ‖ξ‖₁ = c Σ_j |c + ρ_j| fixes c
        c = np.array([brentq(lambda cc, s=s: cc * np.sum(np.abs(cc + rho)) - s, 0.0, 10.0) for s in level])[:, None]
        u0, v0 = c * np.ones(d), c + rho
    else:
        c = np.sqrt(np.array(level) / d)[:, None]
        u0 = c * np.ones(d)
        v0 = u0.copy()
    net = N.SquareNet(eps * X, eps * y)
    if algo == "sgd":  # the paper gives neither SGD's batch nor its step: one sample, step capped for stability
        eta = min(eta, sgd_step_cap(net))
    rng = stream_rng(seed, f"hb_nag.sgd.{init}.{level}.{eta}")
    return N.train(net, u0, v0, algo, eta, mu, loss_tol=loss_tol, max_steps=budget or train_budget(tier), chunk=2000,
                   rng=rng if algo == "sgd" else None)


def sgd_step_cap(net: N.SquareNet) -> float:
    """0.3/max_i‖x_i‖²: single-sample steps above this diverge on these instances (u⊙u − v⊙v of size ~1)."""
    return 0.3 / float(np.max(np.sum(net.X ** 2, axis=1)))


def distance(ctx: Context, res: N.TrainResult) -> tuple[np.ndarray, np.ndarray]:
    """D(θ(∞), θ*) = ‖θ − θ*‖² at the end of the run and a bound on its remaining change: the larger of 10× the
    last chunk's effect and, when the run reached its second stop (loss 100× below the first: θ's error ∝ √loss
    is 10× smaller there), the change of D between the first stop and the end, which overestimates the remaining
    change about 9-fold under the linear convergence of these runs."""
    th_star = exp_data(ctx.seed, ctx.tier)[2]
    diff = res.theta - th_star
    D_ = np.sum(diff ** 2, axis=-1)
    unc = 10 * (2 * np.sqrt(D_) * np.sqrt(diff.shape[-1]) * res.drift + diff.shape[-1] * res.drift ** 2) + 1e-12
    if res.second:
        unc = np.maximum(unc, np.abs(np.sum((res.theta_first - th_star) ** 2, axis=-1) - D_))
    return D_, unc


def compare(what: str, smaller: np.ndarray, larger: np.ndarray, unc: np.ndarray, **evidence) -> Result:
    """The claim smaller < larger (entrywise), decided with from_errors on the violations and the uncertainty."""
    viol = np.maximum(0.0, smaller - larger)
    return from_errors(what, list(viol), float(np.max(unc)), smaller=smaller, larger=larger, **evidence)


def _not_converged(runs: dict[str, N.TrainResult]) -> str | None:
    bad = [f"{k} (loss {float(np.max(r.loss)):.1e} after {r.steps} steps)" for k, r in runs.items() if not r.converged]
    return ", ".join(bad) if bad else None


def experiment(ctx: Context, what: str, init: str, level: tuple[float, ...], eta: float, mu: float,
               algos=("gd", "sgd", "hb", "nag"), eps: float = 1.0, gd_eta: float | None = None):
    runs = {a: _trained(ctx.seed, ctx.tier, init, level, a, gd_eta if (a in ("gd", "sgd") and gd_eta) else eta, mu, eps)
            for a in algos}
    if (msg := _not_converged(runs)) is not None:
        return None, inconclusive(f"{what}: not converged: {msg}")
    Ds = {a: distance(ctx, r) for a, r in runs.items()}
    return Ds, None


def beats_gd(ctx: Context, what: str, Ds: dict, algos=("hb", "nag"), **ev) -> dict[str, Result]:
    gd, ugd = Ds["gd"]
    return {f"{a} < gd": compare(f"{what}: D({a}) < D(GD)", Ds[a][0], gd, Ds[a][1] + ugd, **ev) for a in algos}


def decreasing_with_scale(what: str, Ds: dict, algos) -> dict[str, Result]:
    """D grows with the scale grid (given increasing): violations D[i] − D[i+1]."""
    out = {}
    for a in algos:
        D_, u = Ds[a]
        out[f"{a} monotone"] = compare(f"{what}: D({a}) smaller at smaller ‖ξ‖₁", D_[:-1], D_[1:], u[:-1] + u[1:])
    return out


XI_GRID = (0.002, 0.01, 0.05, 0.25)  # ‖ξ‖₁ grid (increasing); the paper prints no tick values
#: Fig. 2(a)'s grid, around the scales of Figs. 2(b) and 4 (0.0022, 0.0046, 0.01): at ‖ξ‖₁ = 0.25 with φ = 0.03,
#: v(0) = c/φ is so large that every method diverges at η = 0.1 (full tier)
XI_GRID_BIASED = (0.0022, 0.0046, 0.01, 0.02)


@claim("hb_nag.fig1", section="3.2", equations=("Fig. 1",), keys=(K + "figure-1-claim",), tier="quick",
       statement="Unbiased u(0) = v(0) = c·1, η = 3·10⁻², μ = 0.9, data scaled by ε: D(θ(∞), θ*) decreases as ‖ξ‖₁ "
                 "decreases, and HB/NAG's advantage over GD grows as ε decreases (HB/NAG beat GD at the smaller ε). "
                 "ε ∈ {1, 0.5} and ‖ξ‖₁ ∈ {0.002, …, 0.25} here: the paper prints neither its ε values nor its grid. Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"D(\theta(\infty),\theta^*)=\|\theta(\infty)-\theta^*\|_2^2", kind="experiment")
def _fig1(ctx: Context) -> Result:
    parts, adv = {}, {}
    for eps in (1.0, 0.5):
        Ds, bad = experiment(ctx, f"Fig. 1, ε = {eps}", "unbiased", XI_GRID, 3e-2, 0.9, ("gd", "hb", "nag"), eps)
        if bad is not None:
            return bad
        parts.update({f"eps={eps}: {k}": v for k, v in decreasing_with_scale("Fig. 1", Ds, ("gd", "hb", "nag")).items()})
        adv[eps] = {a: Ds["gd"][0] - Ds[a][0] for a in ("hb", "nag")}
        if eps == 0.5:
            parts.update({f"eps={eps}: {k}": v for k, v in beats_gd(ctx, "Fig. 1", Ds).items()})
    for a in ("hb", "nag"):
        parts[f"{a} advantage grows as eps decreases"] = compare("advantage(ε=1) < advantage(ε=0.5)", adv[1.0][a],
                                                                 adv[0.5][a], np.full(len(XI_GRID), 1e-9))
    res = combine("Fig. 1", parts)
    res = res.with_evidence(**{"setting": {"sizes": exp_sizes(ctx.tier), "xi_l1": XI_GRID, "eps": [1.0, 0.5],
                               "seed": exp_data(ctx.seed, ctx.tier)[4], "advantage_gd_minus": adv}})
    return res


@claim("hb_nag.sec3-2.when_momentum_helps", section="3.2", equations=("R^M",),
       keys=(K + "sec-3-2-claim-when-momentum-helps-unbiased-init",), tier="quick",
       statement="For u(0) = v(0), HB/NAG generalise better than GD when α(Xᵀy)_j ≪ n(1−μ) (R^M negligible), and may "
                 "generalise worse otherwise; checked on Fig. 1's runs at the ε with the smaller 4α‖Xᵀy‖_∞/(n(1−μ)).",
       latex=r"\alpha X^Ty\ll n(1-\mu)\Rightarrow D^{M}<D^{GD}", kind="other")
def _sec32_helps(ctx: Context) -> Result:
    X, y, *_ = exp_data(ctx.seed, ctx.tier)
    kappa = {eps: {m: float(np.max(np.abs(4 * N.flow_alpha(m, 3e-2, 0.9) * (eps * X).T @ (eps * y)))) / (X.shape[0] * 0.1)
                   for m in N.METHODS} for eps in (1.0, 0.5)}
    Ds, bad = experiment(ctx, "§3.2", "unbiased", XI_GRID, 3e-2, 0.9, ("gd", "hb", "nag"), 0.5)
    if bad is not None:
        return bad
    res = combine("§3.2 when momentum helps", beats_gd(ctx, "§3.2 (ε = 0.5)", Ds))
    res = res.with_evidence(**{"kappa = 4 alpha |X^T y|_inf / (n (1-mu))": kappa})
    res = res.with_evidence(**{"note": ("to first order in α, R^M's gradient term is −α∇L(θ(0))/(1−μ) ∈ span{x_i}, which does not "
                            "change argmin_{Xθ=y}; see hb_nag.theorem3 evidence")})
    return res


@claim("hb_nag.fig2a", section="3.3", equations=("Fig. 2(a)",), keys=(K + "figure-2-a-claim",), tier="quick",
       statement="Biased u(0) = φc·1, v(0) = c·1/φ with φ = 0.03, η = 0.1, μ = 0.9: HB, NAG and SGD reach lower "
                 "D(θ(∞), θ*) than GD across ‖ξ‖₁. Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"D^{HB},D^{NAG},D^{SGD}<D^{GD}", kind="experiment")
def _fig2a(ctx: Context) -> Result:
    res = []
    for s in XI_GRID_BIASED:
        Ds, bad = experiment(ctx, f"Fig. 2(a), ‖ξ‖₁ = {s}", "phi", (s, 0.03), 0.1, 0.9)
        if bad is not None:
            return bad
        res.append(Ds)
    parts = {}
    for a in ("hb", "nag", "sgd"):
        Dm = np.array([r[a][0][0] for r in res])
        Dg = np.array([r["gd"][0][0] for r in res])
        unc = np.array([r[a][1][0] + r["gd"][1][0] for r in res])
        parts[f"{a} < gd"] = compare(f"Fig. 2(a): D({a}) < D(GD)", Dm, Dg, unc, xi_l1=XI_GRID_BIASED)
    return combine("Fig. 2(a)", parts)


PHI_GRID = (0.03, 0.1, 0.3, 1.0)


def phi_sweep(ctx: Context, what: str, xi_l1: float) -> tuple[dict | None, Result | None]:
    return experiment(ctx, what, "phi", (xi_l1,) + PHI_GRID, 0.1, 0.9, ("gd", "hb", "nag"))


@claim("hb_nag.fig2b", section="3.3", equations=("Fig. 2(b)",), keys=(K + "figure-2-b-claim",), tier="quick",
       statement="‖ξ‖₁ = 0.0046, φ ∈ (0, 1]: as φ increases (less biased) HB/NAG's advantage over GD disappears: "
                 "D(GD) − D(HB/NAG) is positive at the smallest φ and decreases as φ grows. Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"D^{GD}-D^{M}\downarrow\text{ as }\varphi\uparrow", kind="experiment")
def _fig2b(ctx: Context) -> Result:
    Ds, bad = phi_sweep(ctx, "Fig. 2(b)", 0.0046)
    if bad is not None:
        return bad
    parts = {}
    for a in ("hb", "nag"):
        adv = Ds["gd"][0] - Ds[a][0]
        unc = Ds["gd"][1] + Ds[a][1]
        parts[f"{a} advantage at smallest phi"] = compare("D(M) < D(GD) at φ = 0.03", Ds[a][0][:1], Ds["gd"][0][:1], unc[:1])
        parts[f"{a} advantage decreasing in phi"] = compare("advantage decreases with φ", adv[1:], adv[:-1], unc[1:] + unc[:-1],
                                                            phi=PHI_GRID)
    return combine("Fig. 2(b)", parts)


@claim("hb_nag.fig4", section="App. B.1", equations=("Fig. 4",), keys=(K + "figure-4-claim",), tier="quick",
       statement="As Fig. 2(b) with ‖ξ‖₁ = 0.0022 and 0.01: for both scales HB/NAG generalise better than GD at small φ "
                 "(highly biased initialisation). Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"D^{M}<D^{GD}\text{ at small }\varphi", kind="experiment")
def _fig4(ctx: Context) -> Result:
    parts = {}
    for s in (0.0022, 0.01):
        Ds, bad = phi_sweep(ctx, f"Fig. 4, ‖ξ‖₁ = {s}", s)
        if bad is not None:
            return bad
        for a in ("hb", "nag"):
            parts[f"xi={s}: {a}"] = compare("D(M) < D(GD) at φ = 0.03", Ds[a][0][:1], Ds["gd"][0][:1],
                                            Ds[a][1][:1] + Ds["gd"][1][:1])
    return combine("Fig. 4", parts)


@claim("hb_nag.fig5", section="App. B.1", equations=("Fig. 5",), keys=(K + "figure-5-claim",), tier="quick",
       statement="Biased u(0) = c·1, v(0) = c·1 + ρ (fixed Gaussian ρ), μ = 0.9: HB/NAG's D decreases as ‖ξ‖₁ "
                 "decreases, and HB, NAG and SGD beat GD (η = 10⁻², App. B.3's step for this initialisation; "
                 "Fig. 2(a)'s η = 0.1 diverges from it). Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"D^{HB},D^{NAG},D^{SGD}<D^{GD}", kind="experiment")
def _fig5(ctx: Context) -> Result:
    Ds, bad = experiment(ctx, "Fig. 5", "rho", XI_GRID, 1e-2, 0.9)
    if bad is not None:
        return bad
    parts = decreasing_with_scale("Fig. 5", Ds, ("hb", "nag"))
    parts.update(beats_gd(ctx, "Fig. 5", Ds, ("hb", "nag", "sgd")))
    return combine("Fig. 5", parts)


ETA_SWEEP = (0.02, 0.01, 0.005, 0.0025)
MU_SWEEP = (0.9, 0.7, 0.5, 0.3)


def gap_sweep(ctx: Context, what: str, settings: list[tuple[float, float]]):
    """|D(M) − D(GD, η = 10⁻²)| at ‖ξ‖₁ = 0.1240, u = c, v = c + ρ, for each (η, μ) in ``settings``."""
    gd = _trained(ctx.seed, ctx.tier, "rho", (0.124,), "gd", 1e-2, 0.0)
    if not gd.converged:
        return None, inconclusive(f"{what}: GD not converged")
    Dg, ug = distance(ctx, gd)
    gaps = {}
    for m in N.METHODS:
        g, u = [], []
        for eta, mu in settings:
            r = _trained(ctx.seed, ctx.tier, "rho", (0.124,), m, eta, mu)
            if not r.converged:
                return None, inconclusive(f"{what}: {m} (η={eta}, μ={mu}) not converged")
            D_, u_ = distance(ctx, r)
            g.append(float(abs(D_[0] - Dg[0])))
            u.append(float(u_[0] + ug[0]))
        gaps[m] = (np.array(g), np.array(u))
    return gaps, None


def shrinking(what: str, gaps: dict, grid) -> Result:
    """Gap at each later (smaller) setting below the previous one."""
    return combine(what, {m: compare(f"{what} ({m})", g[1:], g[:-1], u[1:] + u[:-1], grid=grid, gaps=g)
                          for m, (g, u) in gaps.items()})


@claim("hb_nag.fig3a", section="3.5 / App. B.3", equations=("Fig. 3(a)",), keys=(K + "figure-3-a-claim",), tier="quick",
       statement="‖ξ‖₁ = 0.1240, u(0) = c·1, v(0) = c·1 + ρ; GD with η = 10⁻² against HB/NAG with μ = 0.9: the gap in "
                 "D between HB/NAG and GD shrinks as η decreases (η ∈ {0.02, 0.01, 0.005, 0.0025}). Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"|D^M-D^{GD}|\downarrow\text{ as }\eta\downarrow", kind="experiment")
def _fig3a(ctx: Context) -> Result:
    gaps, bad = gap_sweep(ctx, "Fig. 3(a)", [(e, 0.9) for e in ETA_SWEEP])
    return bad if bad is not None else shrinking("Fig. 3(a): gap shrinks with η", gaps, ETA_SWEEP)


@claim("hb_nag.fig3b", section="3.5 / App. B.3", equations=("Fig. 3(b)",), keys=(K + "figure-3-b-claim",), tier="quick",
       statement="Same setting, HB/NAG with η = 10⁻²: the gap in D between HB/NAG and GD shrinks as μ decreases "
                 "(μ ∈ {0.9, 0.7, 0.5, 0.3}). Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"|D^M-D^{GD}|\downarrow\text{ as }\mu\downarrow", kind="experiment")
def _fig3b(ctx: Context) -> Result:
    gaps, bad = gap_sweep(ctx, "Fig. 3(b)", [(1e-2, m) for m in MU_SWEEP])
    return bad if bad is not None else shrinking("Fig. 3(b): gap shrinks with μ", gaps, MU_SWEEP)


@claim("hb_nag.fig7", section="App. B.3", equations=("Fig. 7",), keys=(K + "figure-7-claim",), tier="quick",
       statement="Final D(θ(∞), θ*) against η (μ = 0.9) and against μ (η = 10⁻²): momentum's effect on the selected "
                 "solution vanishes as η or μ decrease — |D(M) − D(GD)| at the smallest η (μ) is below its value at the largest. Unstated details filled in: θ* has N(0,1) non-zeros, ρ ~ N(0, I_d), SGD uses one sample per step.",
       latex=r"|D^M-D^{GD}|\to0", kind="experiment")
def _fig7(ctx: Context) -> Result:
    parts = {}
    for name, settings, grid in (("eta", [(e, 0.9) for e in ETA_SWEEP], ETA_SWEEP),
                                 ("mu", [(1e-2, m) for m in MU_SWEEP], MU_SWEEP)):
        gaps, bad = gap_sweep(ctx, f"Fig. 7 ({name})", settings)
        if bad is not None:
            return bad
        for m, (g, u) in gaps.items():
            parts[f"{name}: {m}"] = compare(f"gap at smallest {name} < gap at largest", g[-1:], g[:1], u[-1:] + u[:1],
                                            grid=grid, gaps=g)
    return combine("Fig. 7", parts)


@claim("hb_nag.eq10.sgf", section="3.2", equations=("10",), keys=(K + "eq-10-cited-sgf-result",), tier="quick",
       statement="(Cited, Pesme et al.) SGD from u(0) = v(0) selects argmin Q_{ξ̃}(θ) with an effective scale ξ̃ strictly "
                 "smaller than ξ; checked with a uniform effective scale ξ̃ = sξ fitted to the SGD limit (s < 1, and the fit "
                 "explains the limit better than s = 1); GD at the same step is fitted too, as a control (evidence).",
       latex=r"\theta^{SGF}(\infty)=\arg\min_{X\theta=y}Q_{\tilde\xi(\infty)}(\theta),\ \tilde\xi<\xi", kind="implicit_bias")
def _eq10(ctx: Context) -> Result:
    X, y, *_ = exp_data(ctx.seed, ctx.tier)
    level = (0.05,)
    r = _trained(ctx.seed, ctx.tier, "unbiased", level, "sgd", 3e-2, 0.0)
    if not r.converged:
        return inconclusive("SGD not converged")
    xi = np.full(X.shape[1], level[0] / X.shape[1])
    th = r.theta[0]

    def miss(s: float) -> float:
        return float(np.max(np.abs(N.entropy_argmin(X, y, s * xi).theta - th)))

    from scipy.optimize import minimize_scalar

    fit = minimize_scalar(lambda ls: miss(float(np.exp(ls))), bounds=(np.log(1e-4), np.log(10.0)), method="bounded",
                          options={"xatol": 1e-6})
    s_best = float(np.exp(fit.x))
    gd = _trained(ctx.seed, ctx.tier, "unbiased", level, "gd", min(3e-2, sgd_step_cap(N.SquareNet(X, y))), 0.0)
    th_gd = gd.theta[0]
    fit_gd = minimize_scalar(lambda ls: float(np.max(np.abs(N.entropy_argmin(X, y, float(np.exp(ls)) * xi).theta - th_gd))),
                             bounds=(np.log(1e-4), np.log(10.0)), method="bounded", options={"xatol": 1e-6})
    ev = {"best_scale_factor": s_best, "gd_same_step_scale_factor": float(np.exp(fit_gd.x)), "mismatch_at_best": float(fit.fun), "mismatch_at_xi": miss(1.0),
          "seed": exp_data(ctx.seed, ctx.tier)[4], "sgd_step": min(3e-2, sgd_step_cap(N.SquareNet(X, y)))}
    unc = np.array([10 * float(r.drift[0]) * np.sqrt(len(th)) + 1e-9])
    return combine("eq. (10), SGD's effective scale", {
        "s < 1": compare("fitted scale factor s < 1", np.array([s_best]), np.array([1.0]), np.array([1e-6]), **ev),
        "fit better than xi": compare("mismatch at sξ below that at ξ", np.array([float(fit.fun)]),
                                      np.array([miss(1.0)]), unc, **ev)})


@claim("hb_nag.fig6", section="App. B.2", equations=("Fig. 6",), keys=(K + "figure-6-claim",), tier="full",
       statement="Four-layer bias-free ReLU network (100×100 layers), η = 10⁻², μ = 0.9, initial scale Σ_k‖W_k‖_F², test "
                 "error D on 40 fresh samples of the sparse model: HB/NAG reach lower test error than GD, and test error "
                 "decreases as the initial scale decreases (scales 50, 100, 200: the paper's values are lost; smaller "
                 "scales leave GD at the saddle within the step budget).",
       latex=r"D_{test}^{HB},D_{test}^{NAG}<D_{test}^{GD}", kind="experiment")
def _fig6(ctx: Context) -> Result:
    return check_fig6(ctx, steps=5000, scales=(50.0, 100.0, 200.0))


def check_fig6(ctx: Context, steps: int, scales: tuple[float, ...]) -> Result:
    """Train GD/HB/NAG from each scale (same weights up to scale), compare test errors D = Σ(f − y)²/(2n)."""
    stream = "hb_nag.fig6"
    rng = stream_rng(ctx.seed, stream)
    n, d, s = exp_sizes(ctx.tier)
    X, y, th = N.sparse_instance(rng, n, d, s)
    Xt = rng.standard_normal((40, d))
    yt = Xt @ th
    test, train = {}, {}
    for a in ("gd", "hb", "nag"):
        te, tr = [], []
        for sc in scales:
            W, loss = N.relu_net_train(X, y, sc, a, 1e-2, 0.9, steps, stream_rng(ctx.seed, f"{stream}.init"))
            te.append(0.5 * float(np.sum((N.relu_net_predict(W, Xt) - yt) ** 2)) / n)
            tr.append(loss)
        test[a], train[a] = np.array(te), np.array(tr)
    if not all(np.all(np.isfinite(t)) for t in train.values()) or max(float(t.max()) for t in train.values()) > 1e-3:
        return inconclusive("a network did not fit the training data (training loss > 1e-3)",
                            train_loss={k: v for k, v in train.items()})
    unc = np.full(len(scales), 1e-3 * max(float(np.max(t)) for t in test.values()))
    parts = {f"{a} < gd": compare(f"test error {a} < GD", test[a], test["gd"], unc) for a in ("hb", "nag")}
    parts.update({f"{a} smaller at smaller scale": compare("test error grows with the scale", test[a][:-1], test[a][1:], unc[1:])
                  for a in ("gd", "hb", "nag")})
    res = combine("Fig. 6", parts)
    res = res.with_evidence({"scales": scales, "test_error": test, "train_loss": train, "steps": steps,
                         "seed": stream_seed(ctx.seed, stream)})
    return res
