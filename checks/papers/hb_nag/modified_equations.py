"""Proposition 1 and App. C: the modified equations αβ̈ + β̇ + ∇L/(1−μ) = 0 of HB and NAG, their α, App. C.2's
expansions, and how closely the flows follow the iterates (Definition 1)."""
from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.hb_nag.hypotheses import ANY_FLOWS, FlowDraw, draw_instance
from checks.papers.hb_nag.instances import FLOWS, MU, Instance, K, flow_instance
from checks.registry import claim
from checks.sampling import check_class
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, fit_order, from_order_fit, inconclusive, proved, refuted
from derivations import hb_nag as D
from numerics import hb_nag as N
from numerics.generated import hb_nag as G

#: Momenta at which the flows' α is compared with the derived one: the flow checks run at MU = 1/2, where NAG's
#: factor 2μ² − μ + 1 equals 1 and so cannot tell η(2μ² − μ + 1) from η/(2μ² − μ + 1).
GENERIC_MU = (0.3, 0.7, 0.9)
#: The learning rates of Prop. 1's order fit.
PROP1_ETAS = (0.005, 0.0025, 0.00125, 0.000625)

#: α of a flow as a function of (method, η, μ).
AlphaOf = Callable[[str, float, float], float]


def check_alpha(method: str, stated: D.AlphaFormula, used: AlphaOf = N.flow_alpha) -> Result:
    """α read off the Taylor expansion (eq. 14 / eqs. 15–16) minus the stated α(η, μ). The α the flows use
    (``used``: generated code) must be the derived α at generic momenta, to float64 rounding (a rational
    expression of a few operations: 16 ulp); otherwise the flow checks would test another flow (INCONCLUSIVE)."""
    derived = D.derived_alpha(method)
    res = residuals_vanish(f"α of the {method.upper()} flow", {"alpha": derived - stated(D.eta, D.mu)},
                           derived=sp.sstr(derived))
    pts = [(0.1, m) for m in GENERIC_MU]
    exact = [float(derived.subs({D.eta: sp.Rational(1, 10), D.mu: sp.Rational(m).limit_denominator(100)}))
             for _, m in pts]
    gaps = [abs(used(method, e, m) - a) for (e, m), a in zip(pts, exact)]
    if max(gaps) > 16 * np.finfo(float).eps * max(map(abs, exact)) and res.verdict.value != "REFUTED":
        return inconclusive(f"the α the {method.upper()} flows use differs from the derived α by {max(gaps):.1e} at "
                            f"μ ∈ {GENERIC_MU}", gaps=gaps, derived=sp.sstr(derived))
    return res.with_evidence(**{"flows' alpha vs derived (eta=0.1, mu=0.3/0.7/0.9)": gaps})


def check_alpha_restored(printed: D.AlphaFormula) -> Result:
    """App. C.2's last step, η(1+μ)/2·β̈ + (1−μ)β̇ = −∇L + ημ(1−μ)β̈ divided by (1−μ), and the derived α, against
    the printed α times η."""
    last_step = (D.eta * (1 + D.mu) / 2 - D.eta * D.mu * (1 - D.mu)) / (1 - D.mu)
    restored = D.eta * printed(D.eta, D.mu)
    return residuals_vanish("App. C.2 α with η restored", {
        "last step": last_step - restored, "derived": D.derived_alpha("nag") - restored})


@claim("hb_nag.prop1.hb", section="2 / App. C.1", equations=("2", "4", "13", "14"),
       keys=(K + "proposition-1-hb-coefficient",),
       statement="Taylor-expanding HB's two-step recursion β_{k+1} = β_k + μ(β_k − β_{k−1}) − η∇L(β_k) at t = kη "
                 "to O(η) gives αβ̈ + β̇ + ∇L/(1−μ) = 0 with α = η(1+μ)/(2(1−μ)).",
       latex=r"\alpha_{HB}=\frac{\eta(1+\mu)}{2(1-\mu)}", kind="closed_form", basis="printed")
def _prop1_hb(ctx: Context) -> Result:
    return check_alpha("hb", D.paper_alpha_hb)


@claim("hb_nag.prop1.nag", section="2 / App. C.2", equations=("3", "4", "15", "16"),
       keys=(K + "proposition-1-nag-coefficient",),
       statement="For NAG (gradient at ρ_k = β_k + μp_k), the expansion plus ημ∇²Lβ̇ ≈ −η(1−μ)β̈ gives "
                 "αβ̈ + β̇ + ∇L/(1−μ) = 0 with α = η(1−μ+2μ²)/(2(1−μ)) (the value of §2 and App. D).",
       latex=r"\alpha_{NAG}=\frac{\eta(1-\mu+2\mu^2)}{2(1-\mu)}", kind="closed_form", basis="printed")
def _prop1_nag(ctx: Context) -> Result:
    return check_alpha("nag", D.paper_alpha_nag)


@claim("hb_nag.appC-2.alpha", section="App. C.2", equations=("C.2 final display",),
       keys=(K + "proposition-1-nag-coefficient",),
       statement="App. C.2 ends with α = (2μ² − μ + 1)/(2(1−μ)) for NAG.",
       latex=r"\alpha=\frac{2\mu^2-\mu+1}{2(1-\mu)}", kind="closed_form", basis="printed")
def _appc2_printed(ctx: Context) -> Result:
    return check_alpha("nag", D.paper_alpha_nag_c2)


@claim("hb_nag.appC-2.alpha_corrected", section="App. C.2", equations=("16", "C.2 final display"),
       keys=(K + "proposition-1-nag-coefficient",), corrects="hb_nag.appC-2.alpha",
       statement="App. C.2's last step, η(1+μ)/2·β̈ + (1−μ)β̇ = −∇L + ημ(1−μ)β̈, divided by (1−μ), gives "
                 "α = η(2μ² − μ + 1)/(2(1−μ)): the printed value with the factor η restored.",
       latex=r"\alpha=\frac{\eta(2\mu^2-\mu+1)}{2(1-\mu)}", kind="closed_form", basis="printed")
def _appc2_corrected(ctx: Context) -> Result:
    return check_alpha_restored(D.paper_alpha_nag_c2)


def check_rho_expansion(remainder_order: int) -> Result:
    """ρ(t) − β − ημβ̇ = O(η^remainder_order) (App. C.2 states 3)."""
    rem = D.rho_remainder()
    actual = D.leading_order(rem)
    ev = {"remainder": sp.sstr(rem), "actual_leading_order": actual, "stated_order": remainder_order}
    if actual >= remainder_order:
        return proved(f"ρ(t) − β − ημβ̇ starts at η^{actual} (≥ η^{remainder_order})", zero=f"coefficients of "
                      f"η^0..η^{remainder_order - 1} of {sp.sstr(rem)}", **ev)
    return refuted(f"ρ(t) − β − ημβ̇ = {sp.sstr(rem)} starts at η^{actual}, not O(η^{remainder_order})",
                   counterexample={"beta(t)": "t^2 (b2 = 2)", "mu": 0.5, "remainder_leading_term": "-mu*eta^2*b2/2"},
                   **ev)


def check_leading_order(expr: sp.Expr, order: int, what: str) -> Result:
    """PROVED if the expansion of ``expr`` in η starts at η^order or later."""
    actual = D.leading_order(expr)
    if actual >= order:
        return proved(f"{what} starts at η^{actual}", zero=f"coefficients below η^{order} of {sp.sstr(expr)}")
    return refuted(f"{what} starts at η^{actual} < η^{order}", counterexample={"expression": sp.sstr(expr)})


@claim("hb_nag.appC-2.rho", section="App. C.2", equations=("ρ(t) expansion",),
       keys=(K + "app-c-2-expansion-of-rho-t",),
       statement="ρ(t) = β(t) + μ(β(t) − β(t−η)) = β(t) + ημβ̇(t) + O(η³).",
       latex=r"\rho(t)=\beta(t)+\eta\mu\dot\beta(t)+\mathcal O(\eta^3)", kind="order", basis="printed")
def _appc2_rho(ctx: Context) -> Result:
    return check_rho_expansion(3)


@claim("hb_nag.appC-2.rho_corrected", section="App. C.2", equations=("ρ(t) expansion",),
       keys=(K + "app-c-2-expansion-of-rho-t",), corrects="hb_nag.appC-2.rho",
       statement="ρ(t) = β + ημβ̇ − μη²β̈/2 + O(η³), so ρ = β + ημβ̇ + O(η²); the consequence used, "
                 "η∇L(ρ) = η∇L(β) + η²μ∇²L β̇ + O(η³), holds.",
       latex=r"\eta\nabla L(\rho)=\eta\nabla L(\beta)+\eta^2\mu\nabla^2L\dot\beta+\mathcal O(\eta^3)", kind="order",
       basis="printed")
def _appc2_rho_corrected(ctx: Context) -> Result:
    return combine("ρ(t) expansion, corrected", {
        "rho to O(eta^2)": check_rho_expansion(2),
        "eta*grad L(rho) to O(eta^3)": check_leading_order(D.nag_gradient_remainder(), 3, "η∇L(ρ) remainder")})


def prop1_errors(inst: Instance, method: str, alpha_of: Callable[[float, float], float], velocity: str,
                 etas: tuple[float, ...], T: float, mu: float = MU) -> list[float]:
    """sup_{kη ≤ T} |β(kη) − β̄_k| between discrete ``method`` and the flow with α = alpha_of(η, μ), started at
    velocity "zero", "matched" (the iterates' first step) or "appD" (−∇L/(1−μ))."""
    net = inst.net
    out = []
    for eta in etas:
        steps = int(round(T / eta))
        U, V_ = N.momentum_iterates(net, inst.u0, inst.v0, eta, mu, steps, method=method)
        a = alpha_of(eta, mu)
        gu, gv = net.grad_uv(inst.u0, inst.v0)
        if velocity == "zero":
            ud0, vd0 = np.zeros_like(gu), np.zeros_like(gv)
        elif velocity == "matched":
            ud0, vd0 = G.matched_velocity(eta, mu, a, gu), G.matched_velocity(eta, mu, a, gv)
        else:
            ud0 = vd0 = None
        path = N.flow(net, inst.u0, inst.v0, a, mu, eta * np.arange(steps + 1), ud0=ud0, vd0=vd0)
        out.append(max(float(np.max(np.abs(path.u - U))), float(np.max(np.abs(path.v - V_)))))
    return out


def check_prop1_order(inst: Instance, method: str, alpha_of: Callable[[float, float], float], T: float,
                      etas: tuple[float, ...] = PROP1_ETAS, claimed: float = 1.0, mu: float = MU) -> Result:
    """Definition 1 with γ = claimed: global error on [0, T] of the flow (App. D's velocity) vs the iterates."""
    errs = prop1_errors(inst, method, alpha_of, "appD", etas, T, mu)
    return from_order_fit(f"{method.upper()} flow vs iterates on [0, {T:g}]", etas, errs, claimed, mu=mu,
                          initial_velocity="-grad L/(1-mu) (App. D)", instance=inst.describe(), bound=True)


def alternative_orders(inst: Instance, alpha: AlphaOf, T: float, etas: tuple[float, ...] = PROP1_ETAS) -> dict:
    """Which α and which initial velocity matter: the errors and fitted orders of α = 0, the other method's α, and
    the paper's α started at rest or at the iterates' first step."""
    alts = {}
    for m in N.METHODS:
        other = "nag" if m == "hb" else "hb"
        for name, a_of, vel in (("alpha=0", lambda e, mu: 0.0, "appD"),
                                ("other method's alpha", lambda e, mu, o=other: alpha(o, e, mu), "appD"),
                                ("paper alpha, v0=0", lambda e, mu, m=m: alpha(m, e, mu), "zero"),
                                ("paper alpha, matched v0", lambda e, mu, m=m: alpha(m, e, mu), "matched")):
            errs = prop1_errors(inst, m, a_of, vel, etas, T)
            alts[f"{m}: {name}"] = {"errors": errs, "fitted_order": fit_order(etas, errs).order}
    return alts


def check_prop1(inst: Instance, alpha: AlphaOf, T: float, alternatives: bool) -> Result:
    """:func:`check_prop1_order` for HB and NAG with α = alpha(method, η, μ); with ``alternatives``, the fitted
    orders of :func:`alternative_orders` as evidence."""
    parts = {m: check_prop1_order(inst, m, lambda e, mu, m=m: alpha(m, e, mu), T) for m in N.METHODS}
    res = combine("Definition 1 / Prop. 1 order", parts)
    if alternatives:
        res = res.with_evidence(alternatives=alternative_orders(inst, alpha, T))
    return res


@claim("hb_nag.prop1.order", section="2", equations=("Definition 1", "4"),
       keys=(K + "proposition-1-order-of-approximation",), tier="quick",
       statement="Sampled at t = kη, the flow (4) with the paper's α stays within Cη of the HB / NAG iterates on "
                 "any fixed horizon [0, T] (flow started at β̇(0) = −∇L/(1−μ), App. D's choice); checked on the "
                 "default instance only (biased, μ = 1/2); the general statement is hb_nag.prop1.order_general.",
       latex=r"\sup_{0\le k\eta\le T}|\beta(k\eta)-\bar\beta_k|\le C\eta", kind="convergence", basis="printed")
def _prop1_order(ctx: Context) -> Result:
    profile = FLOWS.of(ctx)
    return check_prop1(flow_instance(ctx, True), N.flow_alpha, profile.order_horizon, profile.order_alternatives)


#: Drawn instances of the general entry in the full tier: each costs 4 iterate runs and 4 flows on [0, T], so 10
#: (not 20) keep the hb_nag full tier within its 100 s budget.
PROP1_GENERAL_EXAMPLES = 10


@claim("hb_nag.prop1.order_general", section="2", equations=("Definition 1", "4"),
       keys=(K + "proposition-1-order-of-approximation",), tier="full",
       statement="Sampled at t = kη, the flow (4) with the paper's α stays within Cη of the HB / NAG iterates on "
                 "any fixed horizon [0, T], for any data, initialisation and μ ∈ (0, 1) (flow started at "
                 "β̇(0) = −∇L/(1−μ), App. D's choice); drawn from the class (10 instances in the full tier).",
       latex=r"\sup_{0\le k\eta\le T}|\beta(k\eta)-\bar\beta_k|\le C\eta", kind="convergence", basis="printed",
       hypothesis_class=ANY_FLOWS)
def _prop1_order_general(ctx: Context) -> Result:
    T = FLOWS.of(ctx).order_horizon

    def one(draw: FlowDraw) -> Result:
        return check_prop1_order(draw_instance(draw), draw.method,
                                 lambda e, mu: N.flow_alpha(draw.method, e, mu), T, mu=draw.mu)

    return check_class("Definition 1 / Prop. 1 order", ANY_FLOWS, one, ctx, examples=PROP1_GENERAL_EXAMPLES)
