"""§1 and §3: the single-layer model's implicit bias, gradient flow's bias on θ = u⊙u − v⊙v (Woodworth et al.),
Proposition 2 (biased initialisation) and the limits of Q^GF."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from checks.context import Context
from checks.papers.hb_nag.hypotheses import BIASED_GF, UNBIASED_GF, check_on_gradient_flows
from checks.papers.hb_nag.instances import (
    FLOWS,
    Instance,
    K,
    LinearProblem,
    gradient_flow,
    instance,
)
from checks.registry import claim
from checks.sampling import HypothesisClass, check_class
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors, inconclusive, proved, refuted
from derivations import hb_nag as D
from numerics import hb_nag as N
from numerics.generated import hb_nag as G
from numerics.hb_nag import FlowPath

#: A linear term R(θ(0), ξ) of the entropy program.
LinearTerm = Callable[[np.ndarray, np.ndarray], np.ndarray]


def momentum_limit(X: np.ndarray, y: np.ndarray, b0: np.ndarray, method: str, eta: float, mu: float,
                   max_steps: int = 50_000, chunk: int = 500) -> np.ndarray:
    """HB / NAG on the single-layer least squares from β0 (zero momentum), in chunks until the residual is at
    round-off (max_i |x_iᵀβ − y_i| ≤ 1e-13·max(1, ‖y‖_∞)) or ``max_steps``."""
    n = X.shape[0]
    b, p = b0.copy(), np.zeros_like(b0)
    for _ in range(max_steps // chunk):
        for _ in range(chunk):
            look = b + mu * p if method == "nag" else b
            p = mu * p - eta * X.T @ (X @ look - y) / n
            b = b + p
        if float(np.max(np.abs(X @ b - y))) <= 1e-13 * max(1.0, float(np.max(np.abs(y)))):
            break
    return b


def check_single_layer(problem: LinearProblem, predict: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                       step: float = 0.5, mu: float = 0.9, methods: tuple[str, ...] = N.METHODS) -> Result:
    """HB / NAG (η = step/λ_max(XᵀX/n), momentum ``mu``) on f(x; β) = βᵀx converge to predict(X, y, β0) (paper: the
    interpolator closest to β0). The tolerance: the distance the final residual r leaves to the interpolators,
    ‖X⁺‖·r, times 10 (the limit is approached linearly, so the remaining change is a few times the distance to
    the set), plus 1e-9 for the pseudo-inverse's round-off; INCONCLUSIVE if a run ends above 1e-8."""
    X, y, b0 = problem.X, problem.y, problem.beta0
    n, d = X.shape
    lmax = np.linalg.eigvalsh(X.T @ X / n).max()
    errs, inst, tols = [], [], []
    for method in methods:
        eta = step / lmax
        b = momentum_limit(X, y, b0, method, eta, mu)
        res = float(np.max(np.abs(X @ b - y)))
        if res > 1e-8 * max(1.0, float(np.max(np.abs(y)))):
            return inconclusive(f"{method.upper()} did not reach an interpolator (residual {res:.1e})")
        target = predict(X, y, b0)
        errs.append(float(np.max(np.abs(b - target))))
        tols.append(1e-9 + 10 * res * np.linalg.norm(np.linalg.pinv(X), 2))
        inst.append({"method": method, "eta": eta, "mu": mu, "seed": problem.seed, "final_residual": res})
    return from_errors("single-layer HB/NAG limit vs the Euclidean projection of β0", errs, max(tols), instances=inst)


@dataclass(frozen=True)
class LinearDraw:
    """A single-layer problem of §1: data seed and sizes, data and initial scales, step (× 1/λ_max), μ, method."""

    seed: int
    n: int
    d: int
    xscale: float
    b0scale: float
    step: float
    mu: float
    method: str

    def problem(self) -> LinearProblem:
        rng = np.random.default_rng([self.seed, 1])
        X = self.xscale * rng.standard_normal((self.n, self.d))
        return LinearProblem(X, rng.standard_normal(self.n), self.b0scale * rng.standard_normal(self.d),
                             [self.seed, 1])


@st.composite
def linear_draws(draw: Callable) -> LinearDraw:
    n = draw(st.integers(2, 20))
    return LinearDraw(draw(st.integers(0, 2 ** 16)), n, draw(st.integers(n + 5, 60)), draw(st.floats(0.3, 3.0)),
                      draw(st.floats(0.0, 3.0)), draw(st.floats(0.1, 0.9)), draw(st.floats(0.05, 0.95)),
                      draw(st.sampled_from(N.METHODS)))


LINEAR_PROBLEMS = HypothesisClass(
    "X with N(0, σ²) entries, σ ∈ [0.3, 3] (n ∈ [2, 20], d ∈ [n+5, 60]), y ~ N(0, I), β0 ~ N(0, s²I), s ∈ [0, 3]; "
    "HB or NAG with η = c/λ_max(XᵀX/n), c ∈ [0.1, 0.9] (stable), μ ∈ [0.05, 0.95]",
    linear_draws(), describe=lambda d_: {k: getattr(d_, k) for k in d_.__dataclass_fields__})


def projection_onto_interpolators(X: np.ndarray, y: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """argmin ‖β − β0‖ s.t. Xβ = y."""
    return b0 + np.linalg.pinv(X) @ (y - X @ b0)


@claim("hb_nag.sec1.single_layer", section="1 / App. A", equations=("5",),
       keys=(K + "sec-1-claim-single-layer-linear-regression",),
       statement="For f(x; β) = βᵀx and the square loss, HB and NAG converge to the interpolator closest to the "
                 "initialisation in Euclidean distance, as GD does.",
       latex=r"\beta(\infty)=\arg\min_{X\beta=y}\|\beta-\beta_0\|_2", kind="implicit_bias",
       basis="printed", hypothesis_class=LINEAR_PROBLEMS)
def _single_layer(ctx: Context) -> Result:
    return check_class("§1 single layer", LINEAR_PROBLEMS,
                       lambda d_: check_single_layer(d_.problem(), projection_onto_interpolators, d_.step, d_.mu,
                                                     (d_.method,)), ctx)


def check_gf_bias(inst: Instance, path: FlowPath, r_of: LinearTerm) -> Result:
    """θ^GF(∞) (``path`` at its last time) against argmin Q^GF_ξ(θ) + θᵀR s.t. Xθ = y with R = r_of(θ(0), ξ)."""
    if not path.result.success:
        return inconclusive(f"GF solve failed: {path.result.message}")
    th = path.theta[-1]
    am = N.entropy_argmin(inst.X, inst.y, inst.xi, r_of(inst.theta0, inst.xi))
    if not am.success:
        return inconclusive("the entropy program did not converge", residual=am.residual)
    # error budget: the solver's estimate, how far θ(T) is from the limit (change over the last half) and
    # from interpolation (converted to θ through ‖X⁺‖), and the program's residual
    drift = float(np.max(np.abs(path.theta[-1] - path.theta[-2])))
    infeas = float(np.max(np.abs(inst.X @ th - inst.y)))
    tol = path.result.error_estimate + drift + (infeas + am.residual) * np.linalg.norm(np.linalg.pinv(inst.X), 2)
    err = float(np.max(np.abs(am.theta - th)))
    return from_errors("GF limit vs the stated entropy program", [err], tol,
                       instances=[{**inst.describe(), "theta_gf": th, "theta_program": am.theta}])


def no_linear_term(theta0: np.ndarray, xi: np.ndarray) -> np.ndarray:
    """R = 0 (unbiased initialisation)."""
    return np.zeros_like(xi)


def gf_run(ctx: Context, biased: bool) -> tuple[Instance, FlowPath]:
    """The run's instance and its gradient flow."""
    profile = FLOWS.of(ctx)
    return instance(ctx.seed, profile, biased), gradient_flow(ctx.seed, profile, biased)


@claim("hb_nag.sec3.gf_unbiased", section="3", equations=("Q^GF",),
       keys=(K + "sec-3-cited-gf-result-woodworth-et-al",),
       statement="Gradient flow on θ = u⊙u − v⊙v from u(0) = v(0) converges to argmin Q^GF_ξ(θ) s.t. Xθ = y, "
                 "Q^GF_ξ = Σ_j ¼[θ_j arcsinh(θ_j/(2ξ_j)) − √(4ξ_j²+θ_j²) + 2ξ_j].",
       latex=r"\theta^{GF}(\infty)=\arg\min_{X\theta=y}Q^{GF}_\xi(\theta)", kind="implicit_bias",
       reconstruction="the text prints 'arcsin'; the hyperbolic entropy (and eqs. 9, 10) use arcsinh, checked here",
       basis="reconstructed", hypothesis_class=UNBIASED_GF)
def _sec3_gf(ctx: Context) -> Result:
    return check_on_gradient_flows("GF from u(0) = v(0)", "unbiased",
                                   lambda inst, path: check_gf_bias(inst, path, no_linear_term), ctx,
                                   FLOWS.of(ctx).gf_horizon)


@claim("hb_nag.prop2", section="3 / App. D.6", equations=("7", "66", "67"), keys=(K + "proposition-2",),
       statement="Gradient flow from a biased initialisation converges to argmin Q^GF_ξ(θ) + θᵀR^GF s.t. Xθ = y "
                 "with ξ_j = |u_j(0)v_j(0)| and R^GF_j = +arcsinh(θ_j(0)/(2ξ_j))/4.",
       latex=r"\mathcal R^{GF}_j=\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)}{2\xi_j}", kind="implicit_bias",
       basis="printed", hypothesis_class=BIASED_GF)
def _prop2(ctx: Context) -> Result:
    return check_on_gradient_flows("Prop. 2 (printed R^GF)", "biased",
                                   lambda inst, path: check_gf_bias(inst, path, G.r_gf_paper), ctx,
                                   FLOWS.of(ctx).gf_horizon)


@claim("hb_nag.prop2.corrected", section="3 / App. D.6", equations=("7", "67"), keys=(K + "proposition-2",),
       corrects="hb_nag.prop2",
       statement="Under GF u_jv_j is constant and ¼arcsinh(θ/(2ξ)) = ∇Q^GF_ξ follows the mirror flow d/dt∇Q = −∇L, "
                 "so the limit minimises the Bregman divergence: R^GF_j = −arcsinh(θ_j(0)/(2ξ_j))/4.",
       latex=r"\mathcal R^{GF}_j=-\tfrac14\operatorname{arcsinh}\frac{\theta_j(0)}{2\xi_j}", kind="implicit_bias",
       basis="printed", hypothesis_class=BIASED_GF)
def _prop2_corrected(ctx: Context) -> Result:
    return combine("Prop. 2 with R^GF = −¼arcsinh(θ(0)/(2ξ))", {
        "mirror flow identity": residuals_vanish("GF mirror flow", {"d/dt grad Q + g": D.gf_mirror_residual()}),
        "GF limit": check_on_gradient_flows("Prop. 2 (corrected R^GF)", "biased",
                                            lambda inst, path: check_gf_bias(inst, path, G.r_gf_corrected), ctx,
                                            FLOWS.of(ctx).gf_horizon)})


def check_q_limits(large: sp.Expr, small: sp.Expr) -> Result:
    """The computed limits must be a positive multiple of θ² (large ξ) and of |θ| (small ξ, θ > 0)."""
    ratio_l, ratio_s = sp.simplify(large / D.theta ** 2), sp.simplify(small / D.theta)
    ok = ratio_l.is_positive and ratio_l.free_symbols == set() and ratio_s.is_positive and not ratio_s.free_symbols
    if ok:
        return proved(f"ξQ_ξ → {large}, Q_ξ/ln(1/ξ) → {small}",
                      zero=f"{large} - {ratio_l}*theta**2; {small} - {ratio_s}*theta")
    return refuted("a limit is not of the stated form",
                   counterexample={"large": sp.sstr(large), "small": sp.sstr(small)})


@claim("hb_nag.sec3.q_gf_limits", section="3", equations=("Q^GF",), keys=(K + "sec-3-q-gf-regime-limits",),
       statement="As ξ → ∞, Q^GF_ξ(θ) ∝ ‖θ‖₂² (ξQ_ξ → θ²/16); as ξ → 0, Q^GF_ξ → ‖θ‖₁ up to normalisation "
                 "(Q_ξ/ln(1/ξ) → |θ|/4).",
       latex=r"\xi Q_\xi\to\tfrac{\theta^2}{16},\ Q_\xi/\ln(1/\xi)\to\tfrac{|\theta|}{4}", kind="asymptotic",
       basis="printed")
def _q_limits(ctx: Context) -> Result:
    return check_q_limits(D.q_large_scale_limit(), D.q_small_scale_limit())
