"""App. D.2: Proposition 5, φ_j(∞) in closed form, and its proof (eqs. 53–58), on the leading-order flow."""
from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.hb_nag.hypotheses import (
    ORTHOGONAL,
    UNBIASED_LEADING_ORDER,
    draw_instance,
    orthogonal_draw_instance,
)
from checks.papers.hb_nag.instances import MU, Instance, K, flow_instance, orthogonal_instance
from checks.registry import claim
from checks.sampling import check_class
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors
from derivations import hb_nag as D
from numerics import hb_nag as N
from numerics.generated import hb_nag as G

#: φ(∞)'s formula as a function of (diag XᵀX, n, μ, Q_ξ(θ(∞))).
PhiFormula = Callable[[np.ndarray, int, float, np.ndarray], np.ndarray]
#: The horizon T at which φ(T) stands for φ(∞).
PHI_HORIZON = 200.0


def phi_limit(inst: Instance, T: float, mu: float = MU) -> tuple[np.ndarray, np.ndarray, float]:
    """φ(∞) and θ(∞) of the leading-order flow (α = 0, momentum ``mu``), with an error budget (solve difference and
    tail)."""
    p = N.flow(inst.net, inst.u0, inst.v0, 0.0, mu, np.array([0.0, T / 2, T]))
    budget = p.error_of(lambda q: q.phi[-1]) + float(np.max(np.abs(p.phi[-1] - p.phi[-2])))
    return p.phi[-1], p.theta[-1], budget


def check_prop5(inst: Instance, formula: PhiFormula, T: float = PHI_HORIZON, mu: float = MU) -> Result:
    """φ_j(∞) of the flow against formula(diag XᵀX, n, μ, Q_{ξ_j}(θ_j(∞))) (unbiased init, C = 0)."""
    phi, th, budget = phi_limit(inst, T, mu)
    X = inst.X
    pred = formula(np.sum(X * X, axis=0), X.shape[0], mu, G.hyperbolic_entropy(th, inst.xi))
    err = float(np.max(np.abs(pred - phi)))
    return from_errors("φ(∞) vs its closed form", [err], 10 * budget + 1e-10,
                       instances=[{"seed": inst.seed, "X": X, "y": inst.y, "u0": inst.u0, "phi_flow": phi,
                                   "phi_formula": pred}])


def eq58_formula(X: np.ndarray) -> PhiFormula:
    """Eq. (58) on the data X: αφ_j(∞) = 16α(Σ_i x_ij)²/(n(1−μ))·Q (so φ_j(∞) = 16(Σ_i x_ij)²/(n(1−μ))·Q)."""
    return lambda sx2, n_, mu_, q_: 16 * np.sum(X, axis=0) ** 2 / (n_ * (1 - mu_)) * q_


def check_phi_rate(stated: sp.Expr, name: str) -> Result:
    """The coefficient c of φ̇_j = −c ∂_jL θ̇_j/√(θ_j² + 4ξ_j²) (from eq. 31 and eq. 47) against ``stated``."""
    return residuals_vanish("φ̇ coefficient", {name: D.phi_rate_coefficient() - stated})


@claim("hb_nag.prop5", section="App. D.2", equations=("Prop. 5",), keys=(K + "proposition-5",), tier="quick",
       statement="At interpolation φ_j(∞) = 16[diag XᵀX]_j/(n(1−μ))·Q^M_{ξ,j}(θ_j(∞), 0) + C, C = 0 for θ(0) = 0 "
                 "(checked at leading order, on the flow with α → 0, generic X, unbiased init).",
       latex=r"\phi_j(\infty)=\frac{16[\mathrm{diag}(X^TX)]_j}{n(1-\mu)}Q^M_{\xi,j}(\theta_j(\infty),0)+C",
       kind="closed_form", basis="printed", hypothesis_class=UNBIASED_LEADING_ORDER)
def _prop5(ctx: Context) -> Result:
    return combine("Prop. 5", {
        "generic X": check_class("Prop. 5, generic X", UNBIASED_LEADING_ORDER,
                                 lambda d: check_prop5(draw_instance(d), G.phi_prop5, mu=d.mu), ctx),
        "orthogonal design": on_orthogonal(G.phi_prop5, ctx)})


def on_orthogonal(formula: PhiFormula, ctx: Context) -> Result:
    """check_prop5 with ``formula`` on each draw of the orthogonal designs' class."""
    return check_class("φ(∞), orthogonal design", ORTHOGONAL,
                       lambda d: check_prop5(orthogonal_draw_instance(d), formula, mu=d.mu), ctx)


@claim("hb_nag.prop5.corrected", section="App. D.2", equations=("Prop. 5", "53"), keys=(K + "proposition-5",),
       corrects=("hb_nag.prop5", "hb_nag.eq53to58"),
       statement="φ̇_j = −(2/(1−μ))∂_jL θ̇_j/√(θ_j²+4ξ_j²) (coefficient 2, not 4); when Σ_iε_ij is constant in time "
                 "(e.g. orthogonal columns of X) this integrates to φ_j(∞) = 8[diag XᵀX]_j/(n(1−μ))·Q_{ξ_j}(θ_j(∞)) "
                 "for θ(0) = 0; for generic X no such closed form holds (ε_ij varies).",
       latex=r"\phi_j(\infty)=\frac{8[\mathrm{diag}(X^TX)]_j}{n(1-\mu)}Q_{\xi_j}(\theta_j(\infty))", kind="closed_form",
       basis="printed", hypothesis_class=ORTHOGONAL)
def _prop5_corrected(ctx: Context) -> Result:
    return combine("Prop. 5 corrected", {
        "rate coefficient 2/(1-mu)": check_phi_rate(2 / (1 - D.mu), "c - 2/(1-mu)"),
        "orthogonal design": on_orthogonal(G.phi_prop5_corrected, ctx)})


@claim("hb_nag.eq53to58", section="App. D.2", equations=("53", "54", "55", "56", "57", "58"),
       keys=(K + "eqs-53-58-proof-of-proposition-5",),
       statement="αφ_j(t) = −(4α/(1−μ))∫∂_jL/√(θ_j²+4ξ_j²) dθ_j (53), evaluated with ε_ij(t) treated as constant "
                 "(54–56), and with ε_ij(∞) = −θ_j(∞)x_ij² (57), αφ_j(∞) = 16α(Σ_i x_ij)²/(n(1−μ))·Q^M_{ξ,j}(θ(∞), 0) "
                 "+ C' (58).",
       latex=r"\alpha\phi_j(\infty)=\frac{16\alpha(\sum_ix_{ij})^2}{n(1-\mu)}Q^M_{\xi,j}+C'", kind="identity",
       basis="printed")
def _eqs53_58(ctx: Context) -> Result:
    inst, orth = flow_instance(ctx, False), orthogonal_instance(ctx.seed)
    return combine("eqs. (53)–(58)", {
        "antiderivatives (54)-(55)": residuals_vanish("∫θ/S dθ, ∫dθ/S",
                                                      {"antiderivatives": D.eq53_antiderivative_residual()}),
        "eq. (53) coefficient 4/(1-mu)": check_phi_rate(4 / (1 - D.mu), "c - 4/(1-mu)"),
        "eq. (58) orthogonal design": check_prop5(orth, eq58_formula(orth.X)),
        "eq. (58) generic X": check_prop5(inst, eq58_formula(inst.X))})
