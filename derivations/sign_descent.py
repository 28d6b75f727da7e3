"""Wang & Klabjan, "A Mirror Descent Perspective of Smoothed Sign Descent" (sign_descent), reconstructed.

Every formula of the paper was lost in extraction; what follows is our reconstruction from its prose
(see ``checks/papers/sign_descent.py`` and ``notebooks/sign_descent.ipynb`` for the sentences each rests on):

* loss (7): L(w₊, w₋) = (1/2n)‖Xβ − y‖², β = w₊⊙w₊ − w₋⊙w₋, g := ∇_β L = Xᵀ(Xβ − y)/n;
* smoothed sign descent (12): ẇ = −∇_w L / (|∇_w L| + ε) element-wise, w₊(0) = w₋(0) = α1;
* dual variable of Prop. 3.6: θ = ∇Φ_ξ(β) = sign(β)·√(|β| + ξ²), ξ = the non-dominating weight, so that
  θ = s·w_d exactly and θ̇ = −∇_{w_d}L/(|∇_{w_d}L| + ε) (14);
* potential Φ_ξ(β) = Σ (2/3)[(|β_i| + ξ_i²)^{3/2} − ξ_i³] → (2/3)‖β‖_{3/2}^{3/2} as ξ → 0;
* GD (appendix C): w₊w₋ = α², Woodworth's potential Q_α(β) = Σ [β arcsinh(β/2α²) − √(β² + 4α⁴) + 2α²],
  d∇Q_α(β)/dt = −4∇_β L.

SymPy only. Functions return residuals that must vanish (the checks decide); candidate formulas are
arguments so that a test can pass a perturbed one.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula

# Symbols: weights are non-negative (Prop. 3.4), the β-gradient g is real, ε and α are positive.
wp, wm, wd, wn, xi = sp.symbols("w_p w_m w_d w_n xi", positive=True)
g, b, theta, u = sp.symbols("g b theta u", real=True)
eps, alpha, t = sp.symbols("epsilon alpha t", positive=True)
G = sp.Symbol("G", positive=True)  # a gradient magnitude
ax1, ax2, ay = sp.symbols("a_1 a_2 a_y", positive=True)  # |x_1|, |x_2|, |y| of a 2 × 2 block (n = 1)
m_bar = sp.Symbol("m_bar", nonnegative=True)
depth = sp.Symbol("D", positive=True, integer=True)

RateFormula = Callable[[sp.Expr, sp.Expr, sp.Expr, sp.Expr], sp.Expr]


# --- §3.1: mirror descent with the Euclidean potential --------------------------------------------
def bregman(phi: Callable[[list[sp.Expr]], sp.Expr], x: list[sp.Expr], x0: list[sp.Expr]) -> sp.Expr:
    """Definition 3.1: D_Φ(x, x0) = Φ(x) − Φ(x0) − ⟨∇Φ(x0), x − x0⟩."""
    grad0 = [sp.diff(phi(x0), v) for v in x0]
    return phi(x) - phi(x0) - sum(gi * (xi_ - x0i) for gi, xi_, x0i in zip(grad0, x, x0))


def euclidean_md_residuals(dim: int = 3, factor: sp.Expr = sp.Rational(1, 2)) -> dict[str, sp.Expr]:
    """§3.1: with Φ = ½‖w‖², D_Φ = factor·‖w − w'‖² (factor ½), ∇Φ = id, and MD step (5) / flow (6) are GD."""
    w = list(sp.symbols(f"v0:{dim}", real=True))
    w0 = list(sp.symbols(f"u0:{dim}", real=True))
    gr = list(sp.symbols(f"q0:{dim}", real=True))
    eta = sp.Symbol("eta", positive=True)
    phi = lambda v: sum(c ** 2 for c in v) / 2  # noqa: E731
    mirror = [sp.diff(phi(w), c) for c in w]
    hess = sp.hessian(phi(w), w)
    # (5) ∇Φ(w_{k+1}) = ∇Φ(w_k) − η∇L(w_k): solved for w_{k+1} with the identity mirror map.
    w_next = [mi - eta * q for mi, q in zip(mirror, gr)]
    return {
        "Bregman = half squared distance": sp.expand(bregman(phi, w, w0)
                                                     - factor * sum((a - c) ** 2 for a, c in zip(w, w0))),
        "mirror map is the identity": sum(sp.Abs(mi - c) for mi, c in zip(mirror, w)),
        "Hessian is the identity (dual flow (6) is gradient flow)": sum(sp.Abs(e) for e in (hess - sp.eye(dim))),
        "MD step (5) is the GD step (1)": sum(sp.Abs(a - (c - eta * q)) for a, c, q in zip(w_next, w, gr)),
    }


# --- §3.2: parameterisation and the two flows ------------------------------------------------------
def _factor_roots(expr: sp.Expr) -> sp.Expr:
    """Factor the radicands of square roots (so √((α⁴ + w⁴)²) becomes α⁴ + w⁴ for positive symbols)."""
    return expr.replace(lambda e: e.is_Pow and e.exp == sp.S.Half, lambda e: sp.sqrt(sp.factor(e.base)))


def beta_of(wplus: sp.Expr, wminus: sp.Expr, order: sp.Expr = 2) -> sp.Expr:
    """β = w₊^D − w₋^D per coordinate (D = 2 for the paper's main model)."""
    order = sp.sympify(order)
    return wplus ** order - wminus ** order


def weight_gradients(order: sp.Expr = 2) -> tuple[sp.Expr, sp.Expr]:
    """(∂L/∂w₊, ∂L/∂w₋) of one coordinate by the chain rule: (∂β/∂w₊)·g, (∂β/∂w₋)·g."""
    bet = beta_of(wp, wm, order)
    return sp.diff(bet, wp) * g, sp.diff(bet, wm) * g


def smoothed_sign(grad: sp.Expr, eps_: sp.Expr = eps) -> sp.Expr:
    """The smoothed sign update direction −grad/(|grad| + ε) of (12)."""
    return -grad / (sp.Abs(grad) + eps_)


def ssd_weight_rates(order: sp.Expr = 2) -> tuple[sp.Expr, sp.Expr]:
    """(12): (ẇ₊, ẇ₋) of one coordinate under continuous-time smoothed sign descent."""
    gp, gm = weight_gradients(order)
    return smoothed_sign(gp), smoothed_sign(gm)


def ssd_weight_rate_partials(order: sp.Expr = 2) -> tuple[sp.Expr, ...]:
    """Partials of (12)'s rates for the solver's Jacobian: (∂ẇ₊, ∂ẇ₋) each by (w₊, w₋, g), row-major, simplified
    (continuous at g = 0: ∂ẇ±/∂g = ∓2εw±/(2w±|g| + ε)²)."""
    return tuple(sp.simplify(sp.diff(r, v)) for r in ssd_weight_rates(order) for v in (wp, wm, g))


def beta_partials(order: sp.Expr = 2) -> tuple[sp.Expr, sp.Expr]:
    """(∂β/∂w₊, ∂β/∂w₋) per coordinate: ∂g/∂w± = H·diag(∂β/∂w±) with H = XᵀX/n (chain rule of g = ∇_β L)."""
    bet = beta_of(wp, wm, order)
    return sp.diff(bet, wp), sp.diff(bet, wm)


def gd_weight_rates() -> tuple[sp.Expr, sp.Expr]:
    """(71)-(72): (ẇ₊, ẇ₋) = −∇_w L under gradient flow."""
    gp, gm = weight_gradients()
    return -gp, -gm


def beta_rate_chain(rates: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
    """β̇ = ∂β/∂w₊·ẇ₊ + ∂β/∂w₋·ẇ₋ (chain rule)."""
    bet = beta_of(wp, wm)
    return sp.diff(bet, wp) * rates[0] + sp.diff(bet, wm) * rates[1]


def paper_eq13(wplus: sp.Expr = wp, wminus: sp.Expr = wm, grad: sp.Expr = g, eps_: sp.Expr = eps) -> sp.Expr:
    """(13) as reconstructed: β̇ = −4g[w₊²/(2w₊|g| + ε) + w₋²/(2w₋|g| + ε)]."""
    return -4 * grad * (wplus ** 2 / (2 * wplus * sp.Abs(grad) + eps_)
                        + wminus ** 2 / (2 * wminus * sp.Abs(grad) + eps_))


def eq13_residual(stated: RateFormula = paper_eq13) -> sp.Expr:
    """Chain rule applied to (12) minus the stated (13); zero iff (13) holds for all w ≥ 0, g, ε."""
    return sp.simplify(beta_rate_chain(ssd_weight_rates()) - stated(wp, wm, g, eps))


def stationary_at_zero() -> sp.Expr:
    """|ẇ₊| + |ẇ₋| at w₊ = w₋ = 0: zero iff w = 0 is a stationary point of (12)."""
    r_p, r_m = ssd_weight_rates()
    w0, w1 = sp.symbols("z0 z1", real=True)
    r_p, r_m = r_p.subs({wp: w0, wm: w1}), r_m.subs({wp: w0, wm: w1})
    return sp.simplify(sp.Abs(r_p.subs({w0: 0, w1: 0})) + sp.Abs(r_m.subs({w0: 0, w1: 0})))


def product_rate(rates: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
    """d(w₊w₋)/dt under the given weight rates."""
    return sp.simplify(wm * rates[0] + wp * rates[1])


def ssd_product_rate_closed_form() -> sp.Expr:
    """§3.3.1 (our derivation): d(w₊w₋)/dt = 4w₊w₋ g|g|(w₊ − w₋)/((2w₊|g|+ε)(2w₋|g|+ε)) under (12).

    With g(0) < 0 (w₊ dominating, so w₊ > w₋ for t > 0) it is negative, hence w₊w₋ < α² for t > 0.
    """
    return 4 * wp * wm * g * sp.Abs(g) * (wp - wm) / ((2 * wp * sp.Abs(g) + eps) * (2 * wm * sp.Abs(g) + eps))


# --- Appendix C: gradient descent and Woodworth's potential -----------------------------------------
def woodworth_potential(bet: sp.Expr = b, alpha_: sp.Expr = alpha) -> sp.Expr:
    """(9) at scale α (one coordinate): Q_α(β) = β·arcsinh(β/2α²) − √(β² + 4α⁴) + 2α²."""
    return bet * sp.asinh(bet / (2 * alpha_ ** 2)) - sp.sqrt(bet ** 2 + 4 * alpha_ ** 4) + 2 * alpha_ ** 2


def gd_dual_residuals(potential: Callable[[sp.Expr, sp.Expr], sp.Expr] = woodworth_potential,
                      factor: sp.Expr = 4) -> dict[str, sp.Expr]:
    """App. C (71)-(74) and (10): under gradient flow w₊w₋ = α² is conserved, and on that manifold
    d∇Q_α(β)/dt = ∇²Q_α(β)·β̇ equals −factor·g. Also ∇Q_α(0) = 0 and Q_α is convex (Q'' > 0)."""
    rates = gd_weight_rates()
    # On w₊w₋ = α², w₋ = α²/w₊.
    on_manifold = {wm: alpha ** 2 / wp}
    bet = beta_of(wp, wm).subs(on_manifold)
    hess = sp.diff(potential(b, alpha), b, 2).subs(b, bet)
    dual_rate = hess * beta_rate_chain(rates).subs(on_manifold)
    return {
        "d(w+ w-)/dt = 0 under GD": product_rate(rates),
        "(10): Hess Q(beta) * beta_dot + 4 g": sp.simplify(_factor_roots(sp.factor(dual_rate + factor * g))),
        "grad Q(0) = 0": sp.simplify(sp.diff(potential(b, alpha), b).subs(b, 0)),
        "Q(0) = 0": sp.simplify(potential(sp.Integer(0), alpha)),
        "Q'' = 1/sqrt(beta^2 + 4 alpha^4)": sp.simplify(sp.diff(potential(b, alpha), b, 2)
                                                         - 1 / sp.sqrt(b ** 2 + 4 * alpha ** 4)),
    }


def gd_beta_rate_closed_form() -> sp.Expr:
    """(8) (our reconstruction): β̇ = −4√(β² + 4α⁴)·g on the manifold w₊w₋ = α²."""
    return -4 * sp.sqrt(b ** 2 + 4 * alpha ** 4) * g


def gd_eq8_residual() -> sp.Expr:
    """Chain rule under GD on w₊w₋ = α² minus (8); zero iff (8) holds."""
    on_manifold = {wm: alpha ** 2 / wp}
    lhs = beta_rate_chain(gd_weight_rates()).subs(on_manifold)
    rhs = gd_beta_rate_closed_form().subs(b, beta_of(wp, wm).subs(on_manifold))
    return sp.simplify(_factor_roots(sp.factor(lhs - rhs)))


# --- Prop. 3.6: the time-varying potential and the dual dynamics (14) -------------------------------
def ssd_potential(bet: sp.Expr = b, xi_: sp.Expr = xi, order: sp.Expr = 2) -> sp.Expr:
    """Φ_ξ(β) for one coordinate: (D/(D+1))·[(|β| + ξ^D)^{(D+1)/D} − ξ^{D+1}] (D = 2: (2/3)[(|β|+ξ²)^{3/2} − ξ³])."""
    order = sp.sympify(order)
    p = (order + 1) / order
    return order / (order + 1) * ((sp.Abs(bet) + xi_ ** order) ** p - xi_ ** (order + 1))


def ssd_dual_map(bet: sp.Expr = b, xi_: sp.Expr = xi, order: sp.Expr = 2) -> sp.Expr:
    """∇Φ_ξ(β) = sign(β)(|β| + ξ^D)^{1/D}: the dual variable θ of Prop. 3.6."""
    order = sp.sympify(order)
    return sp.sign(bet) * (sp.Abs(bet) + xi_ ** order) ** (sp.Integer(1) / order)


def paper_eq14(wd_: sp.Expr = wd, grad: sp.Expr = g, eps_: sp.Expr = eps, order: sp.Expr = 2) -> sp.Expr:
    """(14) as reconstructed: θ̇ = −∇_{w_d}L/(|∇_{w_d}L| + ε), with ∇_{w_d}L = s·D w_d^{D−1} g and s = −sign(g),
    i.e. θ̇ = −D w_d^{D−1} g/(D w_d^{D−1}|g| + ε): a smoothed sign of g."""
    order = sp.sympify(order)
    return -order * wd_ ** (order - 1) * grad / (order * wd_ ** (order - 1) * sp.Abs(grad) + eps_)


def ssd_dual_rate_partials(order: sp.Expr = 2) -> tuple[sp.Expr, sp.Expr]:
    """(∂/∂w_d, ∂/∂g) of (14)'s rate, simplified: the integral block's row of the solver's Jacobian."""
    rate = paper_eq14(wd, g, eps, order)
    return sp.simplify(sp.diff(rate, wd)), sp.simplify(sp.diff(rate, g))


def dual_dynamics_residuals(stated: Callable[..., sp.Expr] = paper_eq14, order: sp.Expr = 2) -> dict[str, sp.Expr]:
    """Prop. 3.6 for a coordinate with g < 0 (w₊ = w_d dominating, w₋ = w_n = ξ; the case g > 0 is the mirror
    image β → −β): along (12), θ = ∇Φ_ξ(β) equals w_d, and its total time derivative (the potential's parameter
    ξ = w_n(t) moves too) equals the stated (14)."""
    order = sp.sympify(order)
    gneg = -G  # g < 0
    rates = [r.subs(g, gneg) for r in ssd_weight_rates(order)]
    rate_d, rate_n = rates[0].subs({wp: wd, wm: wn}), rates[1].subs({wp: wd, wm: wn})
    bet = beta_of(wd, wn, order)
    # θ(β(t), ξ(t)) on the branch β > 0: (β + ξ^D)^{1/D}; d/dt by the chain rule in (β, ξ).
    theta_expr = (b + xi ** order) ** (sp.Integer(1) / order)
    dtheta = (sp.diff(theta_expr, b) * (sp.diff(bet, wd) * rate_d + sp.diff(bet, wn) * rate_n)
              + sp.diff(theta_expr, xi) * rate_n).subs({b: bet, xi: wn})
    hessian_only = (sp.diff(theta_expr, b) * (sp.diff(bet, wd) * rate_d + sp.diff(bet, wn) * rate_n)).subs(
        {b: bet, xi: wn})
    return {
        "theta = w_d": sp.simplify(theta_expr.subs({b: bet, xi: wn}) - wd),
        "potential gradient is the dual map": sp.simplify(
            sp.diff(ssd_potential(b, xi, order), b).subs(b, bet) - ssd_dual_map(b, xi, order).subs(b, bet)),
        "(14): d theta/dt - stated": sp.simplify(dtheta - stated(wd, gneg, eps, order)),
        # What the Hessian term alone misses: the drift of the time-varying parameter ξ (reported, not a claim).
        "_parameter_drift": sp.simplify(dtheta - hessian_only),
    }


def potential_lp_limit(order: sp.Expr = 2) -> dict[str, sp.Expr]:
    """§3.3.1 / higher-order extension: Φ_ξ(β) → (D/(D+1))|β|^{1+1/D} (the ℓ_p norm to the p, p = 1 + 1/D, up to
    the factor 1/p) as ξ → 0, with Φ_ξ − limit = ξ^D·|β|^{1/D} + O(ξ^{2D}) (first-order term)."""
    order = sp.sympify(order)
    p = 1 + sp.Integer(1) / order
    bpos = sp.Symbol("bp", positive=True)
    phi = ssd_potential(bpos, xi, order)
    limit = sp.limit(phi, xi, 0)
    target = bpos ** p / p
    z = sp.Symbol("z", positive=True)  # z = ξ^D
    dphi_dz = sp.diff(phi.subs(xi, z ** (1 / order)), z)
    return {"limit - |beta|^p/p": sp.simplify(limit - target),
            "d Phi / d(xi^D) at 0 - |beta|^(1/D)": sp.simplify(sp.limit(dphi_dz, z, 0) - bpos ** (1 / order))}


def late_time_series(n_terms: int = 3) -> sp.Expr:
    """−G/(G + ε) as a series in G at 0: −G/ε + G²/ε² − …: the update approaches the rescaled gradient −G/ε."""
    return sp.series(-G / (G + eps), G, 0, n_terms).removeO()


# --- Appendix B (n = 1, d = 2): cubics bounding the key quantity w_{d,2}(t₁) (our reconstruction) ---
def b2_cubic(u_: sp.Expr = u) -> sp.Expr:
    """Lemma B.2 (reconstructed): f(u) = 2a₂u(a_y + m̄ − (a₁ + a₂)u²) − ε, with a_i = |x_i|, a_y = |y| and
    m̄ ≥ Σ a_i w_{n,i}(t₁)². At t₁, f(w_{d,2}(t₁)) ≥ 0, hence w_{d,2}(t₁) ≤ the largest root of f."""
    return 2 * ax2 * u_ * (ay + m_bar - (ax1 + ax2) * u_ ** 2) - eps


def b3_cubic(u_: sp.Expr = u) -> sp.Expr:
    """Lemma B.3 (reconstructed): h(u) = 2a₂u(a_y − a₁(2u − α)² − a₂u²) − ε. In the sign stage ẇ_{d,i} ∈ (½, 1],
    so w_{d,1} ≤ 2w_{d,2} − α and h(w_{d,2}(t₁)) ≤ 0: w_{d,2}(t₁) ≥ the root of h above α where h turns negative."""
    return 2 * ax2 * u_ * (ay - ax1 * (2 * u_ - alpha) ** 2 - ax2 * u_ ** 2) - eps


def b2_root_expansion() -> tuple[sp.Expr, sp.Expr]:
    """Lemma B.2's "expansion of the cubic root in ε" (m̄ = 0): the largest root u₊(ε) = u₀ + u₁ε + O(ε²);
    returns (u₀, u₁) found by perturbation, u₀ = √(a_y/(a₁+a₂))."""
    u0 = sp.sqrt(ay / (ax1 + ax2))
    u1 = sp.Symbol("u1")
    f = b2_cubic(u0 + u1 * eps).subs(m_bar, 0)
    first = sp.diff(f, eps).subs(eps, 0)
    return u0, sp.solve(first, u1)[0]


def cubic_coefficients(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """Coefficients (highest degree first) of a cubic in u."""
    return tuple(sp.Poly(sp.expand(expr), u).all_coeffs())


# --- formulas for the numerics ----------------------------------------------------------------------
def formulas() -> list[Formula]:
    """Formulas the numerics use, each derived above."""
    rp, rm = ssd_weight_rates()
    gp_, gm_ = gd_weight_rates()
    return [
        Formula("ssd_weight_rates", (wp, wm, g, eps), (rp, rm),
                "(12): (dw+/dt, dw-/dt) = -grad_w L/(|grad_w L| + eps) with grad_w± L = ±2 w± g (g = grad_beta L)."),
        Formula("ssd_weight_rate_partials", (wp, wm, g, eps), ssd_weight_rate_partials(),
                "Partials of ssd_weight_rates: (dr+/dw+, dr+/dw-, dr+/dg, dr-/dw+, dr-/dw-, dr-/dg)."),
        Formula("beta_partials", (wp, wm), beta_partials(), "(dbeta/dw+, dbeta/dw-) for beta = w+^2 - w-^2."),
        Formula("gd_weight_rates", (wp, wm, g), (gp_, gm_), "(71)-(72): gradient flow on (w+, w-)."),
        Formula("ssd_dual_map", (b, xi), ssd_dual_map(), "Prop. 3.6: theta = sign(beta) sqrt(|beta| + xi^2)."),
        Formula("ssd_potential", (b, xi), ssd_potential(), "Prop. 3.6: (2/3)[(|beta| + xi^2)^(3/2) - xi^3]."),
        Formula("ssd_dual_rate", (wd, g, eps), paper_eq14(),
                "(14): d(theta)/dt = -2 w_d g/(2 w_d |g| + eps) (smoothed sign of g)."),
        Formula("ssd_dual_rate_partials", (wd, g, eps), ssd_dual_rate_partials(),
                "Partials of ssd_dual_rate: (d/dw_d, d/dg)."),
        Formula("woodworth_dual_map", (b, alpha), sp.diff(woodworth_potential(), b),
                "(9)-(10): grad Q_alpha(beta) = arcsinh(beta/(2 alpha^2))."),
        Formula("b2_cubic_coeffs", (ax1, ax2, ay, m_bar, eps), cubic_coefficients(b2_cubic()),
                "Lemma B.2 (reconstructed) cubic f(u), coefficients highest degree first."),
        Formula("b3_cubic_coeffs", (ax1, ax2, ay, alpha, eps), cubic_coefficients(b3_cubic()),
                "Lemma B.3 (reconstructed) cubic h(u), coefficients highest degree first."),
    ]
