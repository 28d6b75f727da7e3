"""Theorem 3 and its proof (App. D.1, D.3): θ̄(0) = θ(0) + αθ̇(0) (eq. 50), the linear term R^M (eqs. 40, 51, 52,
§3.2), the limit of the flows against the entropy program, Proposition 4 and eqs. (59)–(63)."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.hb_nag.hypotheses import ANY_FLOWS, BIASED_FLOWS, UNBIASED_FLOWS, check_on_flows
from checks.papers.hb_nag.instances import FlowCase, Instance, K
from checks.papers.hb_nag.order_checks import order_fit_with_budget, trajectory_order
from checks.papers.hb_nag.residuals import res_prop4
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, fit_order, from_errors, from_order_fit, inconclusive
from derivations import hb_nag as D
from numerics import hb_nag as N
from numerics.generated import hb_nag as G

#: The linear term R(instance, α, μ) of Theorem 3's program.
RFormula = Callable[[Instance, float, float], np.ndarray]


def check_eq50(stated: Callable[..., sp.Expr]) -> Result:
    """θ(0) + αθ̇(0) with u̇(0) = −∂_uL/(1−μ), v̇(0) = −∂_vL/(1−μ), against ``stated``(δ, α, ∂L, μ, ξ)."""
    return residuals_vanish("θ(0) + αθ̇(0)", {"eq. (50)": D.eq50_residual(stated)})


def check_eq40_numeric(cases: Sequence[FlowCase], delta_of: Callable[..., np.ndarray]) -> Result:
    """|¼arcsinh(θ̄(0)/(2ξ)) − ¼arcsinh(Δ/(2ξ))| over the η grid, θ̄(0) = θ(0) + αθ̇(0) of the flow: O(η²) claimed."""
    parts = {}
    for case in cases:
        inst, m = case.instance, case.method
        g0 = inst.net.grad_theta(inst.theta0)
        errs = []
        for p in case.paths:
            thb0 = p.theta[0] + p.alpha * p.theta_dot[0]
            Dl = delta_of(inst.theta0, p.alpha, g0, p.mu, inst.xi)
            errs.append(float(np.max(np.abs(np.arcsinh(thb0 / (2 * inst.xi)) - np.arcsinh(Dl / (2 * inst.xi))) / 4)))
        if min(errs) < 1e-13:
            parts[m] = from_errors(f"∇Q^M(θ̄(0), 0) ({m.upper()})", [max(errs)], 1e-12)
        else:
            parts[m] = from_order_fit(f"∇Q^M(θ̄(0), 0) ({m.upper()})", case.etas, errs, 2.0, bound=True)
    return combine("eq. (40) with eq. (51)", parts)


@claim("hb_nag.eq50", section="App. D.1", equations=("50",), keys=(K + "eq-50",),
       statement="With u̇(0), v̇(0) from the first-order approximation, θ_j(0) + αθ̇_j(0) = δ_j + "
                 "(4α∂_jL(θ(0))/(1−μ))√(δ_j² + 4ξ_j²), δ_j = u_j(0)² − v_j(0)².",
       latex=r"\theta_j(0)+\alpha\dot\theta_j(0)=\delta_j+\frac{4\alpha\partial_jL(\theta(0))}{1-\mu}"
             r"\sqrt{\delta_j^2+4\xi_j^2}",
       kind="identity", basis="printed")
def _eq50(ctx: Context) -> Result:
    return check_eq50(D.paper_delta_eq50)


@claim("hb_nag.eq50.corrected", section="App. D.1", equations=("50",), keys=(K + "eq-50",),
       corrects=("hb_nag.eq50", "hb_nag.eq51to52.biased"),
       statement="θ̇ = 2uu̇ − 2vv̇ = −4(u²+v²)∂_θL/(1−μ) with the first-order velocities, so "
                 "θ_j(0) + αθ̇_j(0) = δ_j − (4α∂_jL(θ(0))/(1−μ))√(δ_j² + 4ξ_j²) (minus sign).",
       latex=r"\theta_j(0)+\alpha\dot\theta_j(0)=\delta_j-\frac{4\alpha\partial_jL(\theta(0))}{1-\mu}"
             r"\sqrt{\delta_j^2+4\xi_j^2}",
       kind="identity", basis="printed", hypothesis_class=BIASED_FLOWS)
def _eq50_corrected(ctx: Context) -> Result:
    along = check_on_flows("eq. (40) along flows", "biased",
                           lambda cases: check_eq40_numeric(cases, G.delta_corrected), ctx)
    return combine("corrected eq. (50)", {"symbolic": check_eq50(D.corrected_delta), "eq. (40) along flows": along})


def r_paper_theorem3(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    """Theorem 3's R^M as printed."""
    return G.r_theorem3(inst.theta0, inst.xi, alpha, inst.net.grad_theta(inst.theta0), mu)


def r_corrected(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    """R^M = −¼arcsinh(Δ/(2ξ)) with the corrected eq. (50)."""
    return G.r_corrected(inst.theta0, inst.xi, alpha, inst.net.grad_theta(inst.theta0), mu)


def r_gf_only(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    """R^GF (corrected sign): R^M without its gradient term."""
    return G.r_gf_corrected(inst.theta0, inst.xi)


def r_none(inst: Instance, alpha: float, mu: float) -> np.ndarray:
    """No linear term (R ignored)."""
    return np.zeros(inst.X.shape[1])


def limit_mismatch(case: FlowCase, r_of: RFormula, use_xibar: bool = True) -> tuple[list[float], float, list[dict]]:
    """max_j |θ_j(∞) − θ̂_j| for each η, θ̂ = argmin Q^M_{ξ̄(∞)} + θᵀR s.t. Xθ = y; and the largest error the
    computation can explain (tight vs looser solve, change over the last stretch, program residual)."""
    inst = case.instance
    errs, noise, rows = [], 0.0, []
    pinv = np.linalg.norm(np.linalg.pinv(inst.X), 2)
    for eta, p in zip(case.etas, case.paths):
        scale = inst.xi * np.exp(-p.alpha * p.phi[-1]) if use_xibar else inst.xi
        am = N.entropy_argmin(inst.X, inst.y, scale, r_of(inst, p.alpha, p.mu))
        th = p.theta[-1]
        errs.append(float(np.max(np.abs(am.theta - th))))
        noise = max(noise, p.error_of(lambda q: q.theta[-1]) + float(np.max(np.abs(th - p.theta[-2])))
                    + (am.residual + float(np.max(np.abs(inst.X @ th - inst.y)))) * pinv)
        rows.append({"eta": eta, "alpha": p.alpha, "phi_inf": p.phi[-1], "theta_flow": th, "theta_program": am.theta})
    return errs, noise, rows


def check_limit(what: str, cases: Sequence[FlowCase], r_of: RFormula, claimed: float = 2.0,
                use_xibar: bool = True) -> Result:
    """Theorem 3's prediction vs the flows' limits, per method: fitted order of the mismatch in η."""
    parts = {}
    for case in cases:
        m = case.method
        errs, noise, rows = limit_mismatch(case, r_of, use_xibar)
        if min(errs) <= noise:
            parts[m] = inconclusive(f"{what}: mismatch {min(errs):.1e} not resolved (error budget {noise:.1e})")
            continue
        parts[m] = order_fit_with_budget(f"{what} ({m.upper()})", case.etas, errs, claimed, noise,
                                         error_budget=noise, instance=case.instance.describe(), per_eta=rows)
    return combine(what, parts)


def check_limit_and_scale(what: str, cases: Sequence[FlowCase], r_of: RFormula) -> Result:
    """:func:`check_limit`, with the mismatches and fitted orders of the program at scale ξ instead of ξ̄(∞) as
    evidence."""
    res = check_limit(what, cases, r_of)
    without = {c.method: (c.etas, limit_mismatch(c, r_of, use_xibar=False)[0]) for c in cases}
    return res.with_evidence(**{"with xi instead of xibar(inf)": {
        m: {"errors": e, "fitted_order": fit_order(etas, e).order} for m, (etas, e) in without.items()}})


@claim("hb_nag.theorem3", section="3.1 / App. D.3", equations=("8", "9"), keys=(K + "theorem-3",),
       statement="If HB/NAG flow converges to an interpolator, then up to O(η²) θ(∞) = argmin Q^M_{ξ̄(∞)}(θ) + θᵀR^M "
                 "s.t. Xθ = y with ξ̄(∞) = ξ⊙exp(−αφ(∞)) and R^M_j = ¼arcsinh(θ_j(0)/(2ξ_j) + "
                 "4α∂_jL(θ(0))/(1−μ)·√(1 + θ_j(0)²/(4ξ_j²))); checked from a biased initialisation.",
       latex=r"\theta(\infty)=\arg\min_{X\theta=y}Q^M_{\bar\xi(\infty)}(\theta)+\theta^T\mathcal R^M",
       kind="implicit_bias", basis="printed", hypothesis_class=BIASED_FLOWS)
def _theorem3(ctx: Context) -> Result:
    return check_on_flows("Theorem 3 (paper's R^M), biased init", "biased",
                          lambda cases: check_limit("Theorem 3 (paper's R^M)", cases, r_paper_theorem3), ctx,
                          needs_limit=True)


@claim("hb_nag.theorem3.corrected", section="3.1 / App. D.3", equations=("8", "9", "40", "50", "51"),
       keys=(K + "theorem-3",), corrects="hb_nag.theorem3",
       statement="Theorem 3 with R^M_j = ¼arcsinh(−θ_j(0)/(2ξ_j) + 4α∂_jL(θ(0))/(1−μ)·√(1 + θ_j(0)²/(4ξ_j²))) "
                 "(= −¼arcsinh(Δ_j/(2ξ_j)), Δ_j the corrected eq. 50): the flow's limit matches the program up to "
                 "O(η²).",
       latex=r"\mathcal R^M_j=-\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)+\alpha\dot\theta_j(0)}{2\xi_j}",
       kind="implicit_bias", basis="printed", hypothesis_class=BIASED_FLOWS)
def _theorem3_corrected(ctx: Context) -> Result:
    return check_on_flows("Theorem 3 (corrected R^M), biased init", "biased",
                          lambda cases: check_limit("Theorem 3 (corrected R^M)", cases, r_corrected), ctx,
                          needs_limit=True)


@claim("hb_nag.theorem3.unbiased", section="3.1 / 3.2", equations=("8", "9"), keys=(K + "theorem-3",),
       statement="Theorem 3 from u(0) = v(0) (θ(0) = 0, where its R^M reduces to ¼arcsinh(4α∂_jL(0)/(1−μ))): the "
                 "flow's limit matches argmin Q^M_{ξ̄(∞)} + θᵀR^M up to O(η²); with ξ in place of ξ̄(∞) only up to O(η).",
       latex=r"\theta(\infty)=\arg\min_{X\theta=y}Q^M_{\bar\xi(\infty)}(\theta)+\theta^T\mathcal R^M",
       kind="implicit_bias", basis="printed", hypothesis_class=UNBIASED_FLOWS)
def _theorem3_unbiased(ctx: Context) -> Result:
    return check_on_flows("Theorem 3, unbiased init", "unbiased",
                          lambda cases: check_limit_and_scale("Theorem 3", cases, r_paper_theorem3), ctx,
                          needs_limit=True)


def check_r_normalisation(stated: Callable[..., sp.Expr]) -> Result:
    """Unbiased init: the linear coefficient fixed by ∇Q^M(θ̄(0), 0) = 0 (eq. 40), −¼arcsinh(Δ/(2ξ)) with
    Δ = θ̄(0) = 8αξ(Xᵀy)_j/(n(1−μ)), minus the stated R_j(α, (Xᵀy)_j, n, μ)."""
    required = -sp.asinh(D.corrected_delta(0, D.alpha, -D.xty / D.n, D.mu, D.xi) / (2 * D.xi)) / 4
    return residuals_vanish("R_j for unbiased init vs eq. (40)",
                            {"R - required": stated(D.alpha, D.xty, D.n, D.mu) - required},
                            required=sp.sstr(sp.simplify(required)))


def theorem3_r_unbiased(alpha_: sp.Expr, xty_: sp.Expr, n_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Theorem 3's R^M at θ(0) = 0, as a function of (α, (Xᵀy)_j, n, μ)."""
    return D.paper_r_theorem3(0, D.xi, alpha_, -xty_ / n_, mu_)


def r_unbiased_corrected(alpha_: sp.Expr, xty_: sp.Expr, n_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Eq. (52)'s R_j with the sign of the corrected eq. (50)."""
    return -D.paper_r_d5(alpha_, xty_, n_, mu_)


@claim("hb_nag.sec3-2.rm", section="3.2", equations=("R^M, §3.2",),
       keys=(K + "sec-3-2-r-m-for-unbiased-initialization",),
       statement="For u(0) = v(0), R^M_j = arcsinh(4α(Xᵀy)_j/(n(1−μ))) (§3.2), and R^GF = 0.",
       latex=r"\mathcal R^M_j=\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity", basis="printed")
def _sec32_rm(ctx: Context) -> Result:
    return check_r_normalisation(D.paper_r_sec32)


@claim("hb_nag.eq52", section="App. D.1 / D.5", equations=("51", "52", "D.5"),
       keys=(K + "sec-3-2-r-m-for-unbiased-initialization", K + "eqs-51-52"),
       statement="For u(0) = v(0) the linear term of the potential (eq. 52, App. D.5) is "
                 "R_j = +¼arcsinh(4α(Xᵀy)_j/(n(1−μ))).",
       latex=r"\mathcal R_j=\tfrac14\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity",
       basis="printed")
def _eq52(ctx: Context) -> Result:
    return check_r_normalisation(D.paper_r_d5)


@claim("hb_nag.eq52.corrected", section="App. D.1 / D.5", equations=("40", "50", "51", "52"),
       keys=(K + "sec-3-2-r-m-for-unbiased-initialization", K + "eqs-51-52"),
       corrects=("hb_nag.eq52", "hb_nag.sec3-2.rm"),
       statement="With the corrected eq. (50), eq. (51)'s linear term −¼θ̄ arcsinh(Δ_j/(2ξ_j)) gives for u(0) = v(0) "
                 "R_j = −¼arcsinh(4α(Xᵀy)_j/(n(1−μ))) = ¼arcsinh(4α∂_jL(0)/(1−μ)), which is Theorem 3's R^M at "
                 "θ(0) = 0.",
       latex=r"\mathcal R_j=-\tfrac14\operatorname{arcsinh}\frac{4\alpha(X^Ty)_j}{n(1-\mu)}", kind="identity",
       basis="printed")
def _eq52_corrected(ctx: Context) -> Result:
    return combine("R_j for unbiased init", {"corrected (52)": check_r_normalisation(r_unbiased_corrected),
                                             "Theorem 3 at theta(0)=0": check_r_normalisation(theorem3_r_unbiased)})


@claim("hb_nag.eq51to52.biased", section="App. D.1", equations=("49", "50", "51"), keys=(K + "eqs-51-52",),
       statement="Eq. (51): Q^M_{ξ,j}(θ̄, t) = ¼[θ̄ arcsinh(θ̄/(2ξ̄_j)) − √(4ξ̄_j²+θ̄²) + 2ξ̄_j] − ¼θ̄ arcsinh(Δ_j/(2ξ_j)) "
                 "with Δ_j from eq. (50): its gradient vanishes at (θ̄(0), 0) as eq. (40) requires (checked with the "
                 "flow's own θ̄(0), biased init).",
       latex=r"\nabla Q^M_{\xi,j}(\bar\theta(0),0)=0", kind="closed_form",
       basis="printed", hypothesis_class=BIASED_FLOWS)
def _eqs51_52_biased(ctx: Context) -> Result:
    return check_on_flows("eq. (40) with eq. (51)", "biased", lambda cases: check_eq40_numeric(cases, G.delta_eq50),
                          ctx)


def check_prop4(cases: Sequence[FlowCase], residual: Callable[..., np.ndarray] = res_prop4) -> Result:
    """Integrated eq. (11) along the flows: O(η²) at every t; the errors with scale ξ in place of ξ̄(t)
    (``residual(..., xibar_scale=False)``) and their fitted orders as evidence."""
    res = trajectory_order("integrated eq. (11)", cases, residual, t_skip=0.0)
    alt = {c.method: (c.etas, [float(np.max(np.abs(residual(p, c.instance, xibar_scale=False)))) for p in c.paths])
           for c in cases}
    return res.with_evidence(**{"with xi instead of xibar(t)": {
        m: {"errors": e, "fitted_order": fit_order(etas, e).order} for m, (etas, e) in alt.items()}})


@claim("hb_nag.prop4", section="3.4 / App. D.1", equations=("11", "12"), keys=(K + "proposition-4",),
       statement="For HB and NAG flow (any μ ∈ (0, 1), any data) from u(0) = v(0), u(0)⊙u(0) = ξ, θ̄ = θ + αθ̇ "
                 "follows d/dt ∇[Q^M_{ξ,j}(θ̄, t) + θ̄_jR^M_j] = −∂_jL(θ)/(1−μ) up to "
                 "O(η²), Q^M the hyperbolic entropy of scale ξ̄_j(t) = ξ_je^{−αφ_j(t)}; checked integrated from 0 "
                 "(sup over t of ∇Q^M(θ̄(t), t) − ∇Q^M(θ̄(0), 0) + ∫∂_jL/(1−μ)).",
       latex=r"\frac{d}{dt}\nabla\big[Q^M_{\xi,j}(\bar\theta_\alpha,t)+\bar\theta_{\alpha;j}\mathcal R^M_j\big]"
             r"=-\frac{\partial_{\theta_j}L}{1-\mu}",
       kind="identity", reconstruction="eq. (12)'s potential prints √(4ξ̄² + θ̄) without the square; θ̄² (as in eq. "
                                       "51) is used", basis="reconstructed", hypothesis_class=UNBIASED_FLOWS)
def _prop4(ctx: Context) -> Result:
    return check_on_flows("Proposition 4", "unbiased", check_prop4, ctx)


@claim("hb_nag.sec3-4.second_order", section="3.4", equations=("11",),
       keys=(K + "sec-3-4-second-order-form-of-eq-11",),
       statement="By the chain rule eq. (11) reads α∇²Q^M θ̈_j + ∇²Q^M θ̇_j + ∂_t∇Q^M = −∂_jL/(1−μ): a second-order "
                 "ODE in θ.",
       latex=r"\alpha\nabla^2Q^M\ddot\theta_j+\nabla^2Q^M\dot\theta_j+\partial_t\nabla Q^M=-\frac{\partial_jL}{1-\mu}",
       kind="identity", reconstruction="the printed form ends with '+ ∂(∂_jL)/∂t = 0', a garbled right-hand side; the "
                                       "chain-rule form with right-hand side −∂_jL/(1−μ) (eq. 11) is checked",
       basis="reconstructed")
def _sec34(ctx: Context) -> Result:
    return residuals_vanish("chain rule for d/dt ∇Q(θ + αθ̇, t)", {"chain rule": D.second_order_form_residual()})


def check_eq59_63(cases: Sequence[FlowCase], residual: Callable[..., np.ndarray] = res_prop4) -> Result:
    """On every flow: |αθ̇(T)| (θ̄(∞) = θ(∞)) and ∫∇L in the row space of X, against the solves' error; on the
    unbiased flows: the integrated eq. (11) at t = T, O(η²)."""
    parts = {}
    for case in cases:
        inst = case.instance
        P_row = np.linalg.pinv(inst.X) @ inst.X
        errs_v, errs_span, noise = [], [], 0.0
        for p in case.paths:
            errs_v.append(float(np.max(np.abs(p.alpha * p.theta_dot[-1]))))
            gi = p.grad_integral[-1]
            errs_span.append(float(np.max(np.abs(gi - P_row @ gi))))
            noise = max(noise, p.result.error_estimate)
        tag = case.label
        parts[f"theta_bar(inf) = theta(inf), {tag}"] = from_errors("|αθ̇(T)|", errs_v, 10 * noise + 1e-12)
        parts[f"integral in span(x_i), {tag}"] = from_errors("∫∇L ∈ row space of X", errs_span, 10 * noise + 1e-12)
    for case in (c for c in cases if not c.biased):
        errs = [float(np.max(np.abs(residual(p, case.instance)[-1]))) for p in case.paths]
        parts[f"eq. (61) at T, {case.method}"] = from_order_fit("integrated eq. (11) at t = T", case.etas, errs, 2.0,
                                                                bound=True)
    return combine("eqs. (59)–(63)", parts)


@claim("hb_nag.eq59to63", section="App. D.3", equations=("59", "60", "61", "62", "63"),
       keys=(K + "eqs-59-63-proof-of-theorem-3",),
       statement="Integrating Prop. 4: ∇Q^M(θ̄(∞), ∞) − ∇Q^M(θ̄(0), 0) = −Σ_i x_i∫r_i/(n(1−μ)) ∈ span{x_i}; θ̄(∞) = "
                 "θ(∞) since θ̇(∞) = 0; with ∇Q^M(θ̄(0), 0) = 0 this is the KKT condition of Theorem 3's program.",
       latex=r"\nabla Q^M_{\bar\xi(\infty)}(\theta(\infty),\infty)=\sum_i x_i\lambda_i", kind="identity",
       basis="printed", hypothesis_class=ANY_FLOWS)
def _eqs59_63(ctx: Context) -> Result:
    return check_on_flows("eqs. (59)–(63)", "any", check_eq59_63, ctx, needs_limit=True)
