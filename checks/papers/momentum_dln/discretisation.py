"""§2, App. A and App. D.2 in symbols: MGD(γ, β) is scheme (2) applied to MGF(λ) (Prop. 1, its poster version,
Corollary 1's acceleration rule and footnote 1), the time rescaling behind one parameter λ, the central-difference
variant of App. A and the safe-check of App. D.2."""
from __future__ import annotations

from typing import Callable

import mpmath
import sympy as sp

from checks.context import Context
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, Verdict, from_order_fit, inconclusive, proved, refuted
from derivations import momentum_discretisation as D

GROUP = "discrete"
K = "momentum_dln:"


def check_time_rescaling(leading: sp.Expr = D.a / D.b ** 2, velocity: sp.Expr = D.b * D.v0) -> Result:
    """w̃_t = w_{bt} solves leading·w̃'' + w̃' + ∇F(w̃) = 0 with w̃'(0) = velocity."""
    return residuals_vanish("time rescaling", {
        "ODE of w(bt)": D.time_rescaling_residual(leading),
        "initial velocity": D.time_rescaling_velocity() - velocity})


@claim("momentum_dln.sec2.time_rescaling", section="2", equations=("1", "MGF(λ)"),
       keys=(K + "time-rescaling-reduction-eq-before-mgf-lambda",),
       statement="If w solves aẅ + bẇ + ∇F(w) = 0, then t ↦ w(bt) solves (a/b²)ẅ + ẇ + ∇F = 0 from (w0, b·ẇ0), "
                 "so one parameter λ = a/b² suffices.",
       latex=r"\tilde w_t = w_{bt}:\ \tfrac{a}{b^2}\ddot{\tilde w} + \dot{\tilde w} + \nabla F(\tilde w) = 0",
       kind="identity", basis="printed")
def _time_rescaling(ctx: Context) -> Result:
    return check_time_rescaling()


def check_eq2_rewriting(stated: sp.Expr | None = None) -> Result:
    """Scheme (2) solved for w_{k+1} equals the stated update (default: the paper's)."""
    if stated is None:
        stated = D.w - D.eps ** 2 / D.lam * D.g + (1 - D.eps / D.lam) * (D.w - D.w_prev)
    return residuals_vanish("eq. (2) rewriting", {"update": D.backward_scheme_update() - stated})


@claim("momentum_dln.eq2", section="2", equations=("2",), keys=(K + "eq-2-rewriting",),
       statement="Scheme (2) (central second difference, backward first difference, step ε) is the update "
                 "w_{k+1} = w_k − (ε²/λ)∇F(w_k) + (1 − ε/λ)(w_k − w_{k−1}): MGD with γ = ε²/λ, β = 1 − ε/λ.",
       latex=r"w_{k+1} = w_k - \tfrac{\varepsilon^2}{\lambda}\nabla F(w_k) + "
             r"(1-\tfrac{\varepsilon}{\lambda})(w_k-w_{k-1})",
       kind="identity", basis="printed")
def _eq2(ctx: Context) -> Result:
    return check_eq2_rewriting()


def check_prop1(lam_of: D.ParamFormula = D.paper_lambda, eps_formula: D.ParamFormula = D.paper_eps) -> Result:
    """Prop. 1 with the given λ(γ, β) and ε(γ, β)."""
    return residuals_vanish("Prop. 1", D.prop1_residuals(lam_of, eps_formula))


@claim("momentum_dln.prop1", section="2", equations=("2", "MGD(γ,β)", "MGF(λ)"), keys=(K + "proposition-1",),
       statement="With λ = γ/(1−β)², step ε = √(λγ) = γ/(1−β) and ẇ(0) = (w1 − w0)/√(λγ), scheme (2) applied "
                 "to MGF(λ) is exactly MGD(γ, β) started at (w0, w1).",
       latex=r"\lambda = \frac{\gamma}{(1-\beta)^2},\ \varepsilon=\sqrt{\lambda\gamma}=\frac{\gamma}{1-\beta}",
       kind="identity", basis="printed")
def _prop1(ctx: Context) -> Result:
    return check_prop1()


def check_poster_velocity(eps_formula: D.ParamFormula = D.paper_eps) -> Result:
    """Poster: ẇ(0) = (w1 − w0)/ε with ε = γ/(1−β) is the paper's (w1 − w0)/√(λγ)."""
    parts = {"velocities agree": D.poster_velocity_residual(eps_formula),
             **D.prop1_residuals(D.paper_lambda, eps_formula)}
    return residuals_vanish("poster proposition", parts)


@claim("momentum_dln.poster1.prop", section="poster: Poster 1", source="poster",
       keys=(K + "poster-proposition-initial-velocity-via-eps",),
       statement="Poster version of Prop. 1: the initial velocity is written (w1 − w0)/ε with ε = γ/(1−β); it is the "
                 "paper's (w1 − w0)/√(λγ) and the discretisation again gives MGD(γ, β).",
       latex=r"\dot w_0 = (w_1-w_0)/\varepsilon,\ \varepsilon = \gamma/(1-\beta)", kind="identity", basis="printed")
def _poster_prop(ctx: Context) -> Result:
    return check_poster_velocity()


#: what Corollary 1 leaves unsaid (reported with its proof)
COROLLARY1_SIDE_CONDITION = ("β̂ = 1 − ρ(1−β) is a valid momentum (β̂ ∈ [0,1)) only for ρ ≤ 1/(1−β); "
                             "the identities hold for every ρ > 0, as stated")


def check_corollary1(accel: Callable = D.paper_accelerated) -> Result:
    """Cor. 1: (γ̂, β̂) keeps λ and scales the step by ρ; zero initial velocity (w0 = w1) is kept too."""
    res = residuals_vanish("Cor. 1", D.acceleration_residuals(accel))
    if res.verdict is Verdict.PROVED:
        return res.with_evidence(side_condition=COROLLARY1_SIDE_CONDITION)
    return res


@claim("momentum_dln.cor1", section="2", equations=("Cor. 1",), keys=(K + "corollary-1-acceleration-rule",),
       statement="Acceleration rule: γ̂ = ρ²γ, β̂ = 1 − ρ(1−β) keep γ̂/(1−β̂)² = λ, so MGD(γ̂, β̂) from w0 = w1 "
                 "discretises the same MGF(λ) with step ρε.",
       latex=r"\hat\gamma = \rho^2\gamma,\ \hat\beta = 1-\rho(1-\beta),\ \hat\varepsilon = \rho\varepsilon",
       kind="identity", basis="printed")
def _cor1(ctx: Context) -> Result:
    return check_corollary1()


def check_footnote1(approx: Callable[[sp.Expr, sp.Expr], sp.Expr] = lambda bet, r: bet ** r,
                    claimed_order: int = 2, rho_value: float = 2.5) -> Result:
    """1 − ρ(1−β) = approx(β, ρ) + O((1−β)^claimed_order): series in c = 1 − β, corroborated by a fit."""
    c, rho = D.c, D.rho
    diff = 1 - rho * c - approx(1 - c, rho)
    series = sp.series(diff, c, 0, claimed_order + 1).removeO()
    low = sp.simplify(sum(series.coeff(c, j) for j in range(claimed_order)) if claimed_order > 0 else 0)
    low_terms = [sp.simplify(series.coeff(c, j)) for j in range(claimed_order)]
    leading = sp.factor(series.coeff(c, claimed_order))
    cs = [2.0 ** -j for j in range(4, 10)]
    f = sp.lambdify(c, diff.subs(rho, rho_value), "mpmath")
    with mpmath.workdps(50):
        errs = [abs(float(f(mpmath.mpf(x)))) for x in cs]
    fit = from_order_fit("residual vs 1−β", cs, errs, claimed_order, rho=rho_value)
    if any(t != 0 for t in low_terms):
        return refuted(f"footnote 1: the series of 1 − ρ(1−β) − β^ρ has non-zero terms below order {claimed_order}: "
                       f"{[sp.sstr(t) for t in low_terms]}",
                       counterexample={"series": sp.sstr(series), "rho": rho_value}, fit=fit.to_dict())
    if fit.verdict is Verdict.REFUTED:
        return inconclusive("footnote 1: the series and the numerical fit disagree", series=sp.sstr(series),
                            fit=fit.to_dict())
    return proved(f"footnote 1: 1 − ρ(1−β) − β^ρ = {sp.sstr(leading)}·(1−β)^{claimed_order} + "
                  f"O((1−β)^{claimed_order + 1}); fitted order {fit.evidence['fitted_order']:.3f} at ρ = {rho_value}",
                  zero=f"terms of order < {claimed_order} of {sp.sstr(series)} (sum {sp.sstr(low)})",
                  leading_coefficient=sp.sstr(leading), fit=fit.to_dict())


@claim("momentum_dln.footnote1", section="2", equations=("footnote 1",),
       keys=(K + "footnote-1-taylor-approximation-of-beta",),
       statement="As β → 1, 1 − ρ(1−β) = β^ρ + O((1−β)²).", latex=r"1-\rho(1-\beta) = \beta^\rho + O((1-\beta)^2)",
       kind="asymptotic", basis="printed")
def _footnote1(ctx: Context) -> Result:
    return check_footnote1()


def check_central_difference(stated_gamma: sp.Expr | None = None, stated_beta: sp.Expr | None = None,
                             stated_lambda: D.ParamFormula = D.paper_lambda_central,
                             stated_eps: D.ParamFormula = lambda gam, bet: gam / (1 - bet)) -> Result:
    """App. A: the central scheme's (γ, β) in (ε, λ), their inversion, and λ_central/λ → 1 as β → 1."""
    lam, eps = D.lam, D.eps
    if stated_gamma is None:
        stated_gamma = eps ** 2 / (lam * (1 + eps / (2 * lam)))
    if stated_beta is None:
        stated_beta = (1 - eps / (2 * lam)) / (1 + eps / (2 * lam))
    gam_c, bet_c = D.central_parameters()
    lam_inv, eps_inv = D.central_inversion()
    bet = 1 - D.c
    ratio = sp.limit(stated_lambda(D.gamma, bet) / D.paper_lambda(D.gamma, bet), D.c, 0, dir="+")
    return residuals_vanish("App. A central difference", {
        "gamma of the scheme": gam_c - stated_gamma, "beta of the scheme": bet_c - stated_beta,
        "lambda from (gamma, beta)": lam_inv - stated_lambda(D.gamma, bet),
        "eps from (gamma, beta)": eps_inv - stated_eps(D.gamma, bet),
        "limit of lambda_central/lambda as beta -> 1, minus 1": ratio - 1})


@claim("momentum_dln.appA.central", section="App. A", equations=("App. A",),
       keys=(K + "central-difference-discretisation-app-a",),
       statement="With a central first difference, scheme (2) becomes MGD with γ = ε²/(λ(1 + ε/2λ)), "
                 "β = (1 − ε/2λ)/(1 + ε/2λ); inverting, λ = (1+β)γ/(2(1−β)²) and ε = γ/(1−β), and the two λ agree "
                 "as β → 1.",
       latex=r"\lambda = \frac{(1+\beta)\gamma}{2(1-\beta)^2},\ \varepsilon = \frac{\gamma}{1-\beta}", kind="identity",
       basis="printed")
def _appA_central(ctx: Context) -> Result:
    return check_central_difference()


def check_safe_check(lam_of: D.ParamFormula = D.paper_lambda, eps_formula: D.ParamFormula = D.paper_eps,
                     ratio: Callable[[sp.Expr], sp.Expr] = D.safe_check_ratio) -> Result:
    """App. D.2: exp(−(t−s)/λ) at t = mε, s = kε equals [exp(β−1)]^{m−k}, and ~ β^{m−k} for fixed m − k: the ratio
    [exp(β−1)/β]^n is 1 + n(1−β)²/2 + O((1−β)³) for every fixed n (so its limit is 1)."""
    n_ = sp.Symbol("n", positive=True)
    res = residuals_vanish("App. D.2 safe-check", {
        "exponent": D.safe_check_exponent(lam_of, eps_formula),
        "[exp(beta-1)/beta]^n - (1 + n(1-beta)^2/2) to second order":
            sp.series(ratio(n_), D.c, 0, 3).removeO() - (1 + n_ * D.c ** 2 / 2)})
    if res.verdict is Verdict.PROVED:
        return res.with_evidence(uniformity=(
            f"the equivalence holds for fixed m − k only: with m − k = (1−β)^(-2) the ratio "
            f"tends to {sp.sstr(D.safe_check_ratio_limit(1 / D.c ** 2))}, not 1"))
    return res


@claim("momentum_dln.appD-2.safe_check", section="App. D.2", equations=("D.2",),
       keys=(K + "safe-check-kernel-vs-beta-powers",),
       statement="At t = mε, s = kε (ε = γ/(1−β), λ = γ/(1−β)²), exp(−(t−s)/λ) = [exp(β−1)]^{m−k}, which behaves "
                 "like β^{m−k} as β → 1.", latex=r"e^{-(t-s)/\lambda} = [e^{\beta-1}]^{m-k} \sim \beta^{m-k}",
       kind="asymptotic", basis="printed")
def _appD2(ctx: Context) -> Result:
    return check_safe_check()


def check_rescaled_damping(scale: sp.Expr = sp.sqrt(D.lam), stated_damping: sp.Expr = 1 / sp.sqrt(D.lam)) -> Result:
    """w̃_t = w_{√λ t} solves w̃'' + λ^{-1/2} w̃' + ∇F(w̃) = 0."""
    A, B = D.rescaled_damping(scale)
    return residuals_vanish("rescaled MGF", {"leading coefficient": A - 1, "damping": B - stated_damping})
