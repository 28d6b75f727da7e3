"""App. D.1, eqs. (23)–(48): the second-order dynamics of θ, the conserved product u_jv_j e^{αφ_j}, the expansion
of 1/H_j, and the construction of the potential Q^M."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.hb_nag.hypotheses import ANY_FLOWS, check_on_flows
from checks.papers.hb_nag.instances import FlowCase, K
from checks.papers.hb_nag.order_checks import symbolic_order2, trajectory_order
from checks.papers.hb_nag.residuals import Residual, res_eq23, res_eq30, res_eq34, res_eq35, res_eq47
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors
from derivations import hb_nag as D


@claim("hb_nag.eq23", section="App. D.1", equations=("23",), keys=(K + "eq-23-and-g-j-4-h-j-d-jl",),
       statement="θ_j obeys αθ̈_j + θ̇_j + G_j/(1−μ) = 0 up to O(η²), G_j = 2[(u_j+αu̇_j)∂_{u_j}L − (v_j+αv̇_j)∂_{v_j}L] "
                 "= 4H_j∂_{θ_j}L exactly, H_j = u_j(u_j+αu̇_j) + v_j(v_j+αv̇_j).",
       latex=r"\alpha\ddot\theta_j+\dot\theta_j+\frac{4H_j\partial_{\theta_j}L}{1-\mu}=\mathcal O(\eta^2)",
       kind="identity", basis="printed", hypothesis_class=ANY_FLOWS)
def _eq23(ctx: Context) -> Result:
    r = D.theta_dynamics_residuals()
    return combine("eq. (23)", {
        "G = 4 H dθL": residuals_vanish("G_j = 4H_j∂_jL", {"G - 4 H g": r["G = 4 H dθL"]}),
        "eq. (23) symbolic": symbolic_order2("eq. (23)", {"eq. (23)": r["eq. (23)"]}),
        "eq. (23) along flows": check_on_flows(
            "eq. (23) along flows", "any", lambda cases: trajectory_order("αθ̈ + θ̇ + G/(1−μ)", cases, res_eq23), ctx)})


@claim("hb_nag.eq24to26", section="App. D.1", equations=("24", "25", "26"), keys=(K + "eqs-24-26",),
       statement="H_j² = u⁴+v⁴+2u²v² + 2α(u³u̇+v³v̇) + O(η²), (θ_j+αθ̇_j)² = u⁴+v⁴−2u²v² + 4α(u³u̇+v³v̇) + O(η²), "
                 "so H_j² − (θ_j+αθ̇_j)² = 4u_j²v_j² − 2α(u_j³u̇_j + v_j³v̇_j) + O(η²).",
       latex=r"H_j^2-(\theta_j+\alpha\dot\theta_j)^2=4u_j^2v_j^2-2\alpha(u_j^3\dot u_j+v_j^3\dot v_j)", kind="identity",
       basis="printed")
def _eqs24_26(ctx: Context) -> Result:
    r = D.eqs_24_26_residuals()
    return symbolic_order2("eqs. (24)–(26)", {k: r[k] for k in ("eq. (24)", "eq. (25)", "eq. (26)")})


def eq28_residual() -> sp.Expr:
    """Eq. (28) with the velocities of eq. (20): d(uv)/dt + 8α/(1−μ)² uv(∂L)², d(uv)/dt = 2αu̇v̇ (Property 4)."""
    us_, vs_ = D.slow_velocities()
    return 2 * D.alpha * us_ * vs_ + 8 * D.alpha / (1 - D.mu) ** 2 * D.u * D.v * D.g ** 2


def check_eq28_31(cases: Sequence[FlowCase], eq28: sp.Expr, eq30: Residual) -> Result:
    """Eq. (28) symbolically to O(η²), eq. (30) along the flows, and φ ≥ 0 non-decreasing (eq. 31) on every flow."""
    phis = [p.phi for case in cases for p in case.paths]
    mono = min(float(np.min(np.diff(ph, axis=0))) for ph in phis)
    nonneg = from_errors("φ_j(t) ≥ 0 and non-decreasing", [max(0.0, -mono)], 1e-12)
    return combine("eqs. (28)–(31)", {
        "eq. (28) symbolic (velocities of eq. 20)": symbolic_order2("eq. (28)", {"eq. (28)": eq28}),
        "eq. (30) along flows": trajectory_order("uv − u(0)v(0)e^{−αφ}", cases, eq30, t_skip=0.0),
        "eq. (31) phi >= 0": nonneg})


@claim("hb_nag.eq28to31", section="App. D.1", equations=("28", "29", "30", "31"), keys=(K + "eqs-28-31",),
       statement="Along HB/NAG flow d(u_jv_j)/dt = −8α/(1−μ)² u_jv_j(∂_{θ_j}L)² + O(η²), hence "
                 "u_j(t)v_j(t) = u_j(0)v_j(0)e^{−αφ_j(t)}, φ_j(t) = 8/(1−μ)²∫₀ᵗ(∂_{θ_j}L)² ≥ 0.",
       latex=r"u_jv_j=u_j(0)v_j(0)e^{-\alpha\phi_j(t)}", kind="closed_form",
       basis="printed", hypothesis_class=ANY_FLOWS)
def _eqs28_31(ctx: Context) -> Result:
    eq28 = eq28_residual()
    return check_on_flows("eqs. (28)–(31)", "any", lambda cases: check_eq28_31(cases, eq28, res_eq30), ctx)


@claim("hb_nag.eq33to34", section="App. D.1", equations=("33", "34"), keys=(K + "eqs-33-34",),
       statement="2α(u_j³u̇_j + v_j³v̇_j) = αθ_jθ̇_j + O(η²), hence "
                 "H_j = √((θ_j+αθ̇_j)² + 4ξ_j²e^{−2αφ_j(t)} − αθ_jθ̇_j) + O(η²).",
       latex=r"H_j=\sqrt{(\theta_j+\alpha\dot\theta_j)^2+4\xi_j^2e^{-2\alpha\phi_j}-\alpha\theta_j\dot\theta_j}",
       kind="closed_form", basis="printed", hypothesis_class=ANY_FLOWS)
def _eqs33_34(ctx: Context) -> Result:
    return combine("eqs. (33)–(34)", {
        "eq. (33) symbolic": symbolic_order2("eq. (33)", {"eq. (33)": D.eqs_24_26_residuals()["eq. (33)"]}),
        "eq. (34) along flows": check_on_flows(
            "eq. (34) along flows", "any", lambda cases: trajectory_order("H − √(...)", cases, res_eq34), ctx)})


@claim("hb_nag.eq35", section="App. D.1", equations=("35",), keys=(K + "eq-35-and-1-h-j-expansion",),
       statement="(αθ̈_j + θ̇_j)/(4H_j) = −∂_{θ_j}L/(1−μ), with 1/H_j = 1/√((θ_j+αθ̇_j)² + 4ξ_j²e^{−2αφ_j}) + "
                 "(α/2)θ_jθ̇_j/(θ_j²+4ξ_j²)^{3/2} + O(η²).",
       latex=r"\frac{\alpha\ddot\theta_j+\dot\theta_j}{4H_j}=-\frac{\partial_{\theta_j}L}{1-\mu}", kind="identity",
       basis="printed", hypothesis_class=ANY_FLOWS)
def _eq35(ctx: Context) -> Result:
    return combine("eq. (35)", {
        "1/H expansion symbolic": symbolic_order2("1/H_j expansion", {"1/H": D.inverse_h_expansion_residual()}),
        "eq. (35) with the expansion, along flows": check_on_flows(
            "eq. (35) along flows", "any", lambda cases: trajectory_order("(αθ̈+θ̇)/(4H) + ∂L/(1−μ)", cases, res_eq35),
            ctx)})


@claim("hb_nag.eq37to43", section="App. D.1", equations=("37", "39", "41", "42", "43"),
       keys=(K + "eqs-37-43-potential-construction",),
       statement="∫dx/(4√(x²+4ξ̄²)) = ¼ln(√(x²+4ξ̄²)+x) + C; with ξ̄ = ξe^{−αφ}, ¼ln((√(x²+4ξ̄²)+x)/(2ξ)) = "
                 "¼arcsinh(x/(2ξ̄)) − αφ/4; and ¼ln(√(1+Δ²/(4ξ²)) + Δ/(2ξ)) = ¼arcsinh(Δ/(2ξ)).",
       latex=r"\tfrac14\ln\frac{\sqrt{x^2+4\bar\xi^2}+x}{2\xi}=\tfrac14\operatorname{arcsinh}\frac{x}{2\bar\xi}"
             r"-\frac{\alpha\phi}{4}",
       kind="identity", reconstruction="eq. (43)'s last line prints 'arcsin'; arcsinh (as in the lines before) is "
                                       "checked", basis="reconstructed")
def _eqs37_43(ctx: Context) -> Result:
    r = D.potential_residuals()
    return residuals_vanish("eqs. (37)–(43)", {k: v for k, v in r.items() if not k.startswith("eq. (44)")})


@claim("hb_nag.eq44", section="App. D.1", equations=("44",), keys=(K + "eq-44",),
       statement="(2ξ̄/4)[(x/(2ξ̄))arcsinh(x/(2ξ̄)) − √(1 + x²/(4ξ̄²)) + 1] is the antiderivative of ¼arcsinh(x/(2ξ̄)) "
                 "vanishing at 0 and equals ¼[x arcsinh(x/(2ξ̄)) − √(4ξ̄²+x²) + 2ξ̄].",
       latex=r"q(x)=\tfrac14\big[x\operatorname{arcsinh}\tfrac{x}{2\bar\xi}-\sqrt{4\bar\xi^2+x^2}+2\bar\xi\big]",
       kind="identity", reconstruction="the middle line of eq. (44) prints √(1 + x/(4ξ̄²)); the final line's x² is "
                                       "checked", basis="reconstructed")
def _eq44(ctx: Context) -> Result:
    r = D.potential_residuals()
    return residuals_vanish("eq. (44)", {k: v for k, v in r.items() if k.startswith("eq. (44)")})


@claim("hb_nag.eq45to47", section="App. D.1", equations=("45", "46", "47"), keys=(K + "eqs-45-47",),
       statement="∂_t∇q = −αξ²(8(∂L)²/(1−μ)²)/[√(θ²+4ξ²)(√(θ²+4ξ²)+θ)] + O(η²) (45); αθ̇_j = −4α√(θ_j²+4ξ_j²)∂_jL/(1−μ) "
                 "+ O(η²) (47); hence ḣ_j = 2α/(1−μ)²·(∂_jL)²/√(θ²+4ξ²)·[4ξ²/(√(θ²+4ξ²)+θ) + θ] (46).",
       latex=r"\alpha\dot\theta_j=-4\alpha\sqrt{\theta_j^2+4\xi_j^2}\,\frac{\partial_jL}{1-\mu}+\mathcal O(\eta^2)",
       kind="identity",
       reconstruction="eq. (45)'s last line lost the factor 1/(√(θ²+4ξ²)+θ) in extraction; it is restored from the "
                      "line before and from eq. (46), which uses it", basis="printed", hypothesis_class=ANY_FLOWS)
def _eqs45_47(ctx: Context) -> Result:
    return combine("eqs. (45)–(47)", {
        "eq. (45) symbolic": symbolic_order2("eq. (45)", {"eq. (45)": D.eq45_residual()}),
        "eq. (46) symbolic": symbolic_order2("eq. (46)", {"eq. (46)": D.eq46_integrand_residual()}),
        "eq. (47) along flows": check_on_flows(
            "eq. (47) along flows", "any",
            lambda cases: trajectory_order("αθ̇ + 4α√(θ²+4ξ²)∂L/(1−μ)", cases, res_eq47), ctx)})


@claim("hb_nag.eq48", section="App. D.1", equations=("48",), keys=(K + "eq-48",),
       statement="−αθ_jφ_j(t)/4 + (θ_j + αθ̇_j)(h_j(t) − h_j(0)) = 0 up to O(η²), because "
                 "4ξ²/(√(θ²+4ξ²)+θ) + θ = √(θ²+4ξ²).",
       latex=r"\frac{4\xi^2}{\sqrt{\theta^2+4\xi^2}+\theta}+\theta=\sqrt{\theta^2+4\xi^2}", kind="identity",
       basis="printed")
def _eq48(ctx: Context) -> Result:
    return residuals_vanish("eq. (48)", {"identity": D.eq48_identity(), "integrands -αθφ'/4 + θh'": D.eq48_residual()})
