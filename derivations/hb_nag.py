"""Lyu, Wang, Wang, Zhu (hb_nag): heavy-ball / Nesterov flows on θ = u⊙u − v⊙v, symbolically.

Everything here is SymPy. Functions return residuals (which must vanish), series coefficients and
closed forms; the checks decide. Formulas the paper states are separate functions (``paper_*``) so a
test can pass a perturbed one. Notation: learning rate η, momentum μ, α the flow coefficient,
β(t) and its derivatives ``b0, b1, b2, b3`` at t, ``g0, g1, g2`` the gradient and its derivatives at β(t).
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula

eta, mu, alpha, xi, xib, n = sp.symbols("eta mu alpha xi xibar n", positive=True)
theta, x, delta, g, t, T = sp.symbols("theta x delta g t T", real=True)
b0, b1, b2, b3, g0, g1, g2 = sp.symbols("b0 b1 b2 b3 g0 g1 g2", real=True)
u, v, ud, vd, U1, V1 = sp.symbols("u v ud vd U1 V1", real=True)
phi, v0 = sp.symbols("phi v0", real=True)
sumx2, xty, q = sp.symbols("sumx2 xty q", real=True)

AlphaFormula = Callable[[sp.Expr, sp.Expr], sp.Expr]


# --- the paper's formulas, as printed ------------------------------------------------------------
def paper_alpha_hb(eta_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Prop. 1 / App. C.1: α = η(1+μ)/(2(1−μ)) for HB."""
    return eta_ * (1 + mu_) / (2 * (1 - mu_))


def paper_alpha_nag(eta_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Prop. 1 (§2) and App. D: α = η(1−μ+2μ²)/(2(1−μ)) for NAG."""
    return eta_ * (1 - mu_ + 2 * mu_ ** 2) / (2 * (1 - mu_))


def paper_alpha_nag_c2(eta_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """End of App. C.2, as printed: α = (2μ² − μ + 1)/(2(1−μ)) (no η)."""
    return (2 * mu_ ** 2 - mu_ + 1) / (2 * (1 - mu_))


def hyperbolic_entropy(th: sp.Expr, scale: sp.Expr) -> sp.Expr:
    """Q_ξ(θ) = ¼[θ arcsinh(θ/(2ξ)) − √(4ξ²+θ²) + 2ξ] for one coordinate (Q^GF, Q^M, Q^SGF)."""
    return (th * sp.asinh(th / (2 * scale)) - sp.sqrt(4 * scale ** 2 + th ** 2) + 2 * scale) / 4


def paper_delta_eq50(delta_: sp.Expr, alpha_: sp.Expr, grad0: sp.Expr, mu_: sp.Expr, xi_: sp.Expr) -> sp.Expr:
    """Eq. (50): θ(0) + αθ̇(0) = δ + 4α∂L(θ(0))/(1−μ) · √(δ² + 4ξ²)."""
    return delta_ + 4 * alpha_ * grad0 / (1 - mu_) * sp.sqrt(delta_ ** 2 + 4 * xi_ ** 2)


def paper_r_theorem3(theta0: sp.Expr, xi_: sp.Expr, alpha_: sp.Expr, grad0: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Theorem 3: R^M_j = ¼ arcsinh(θ_j(0)/(2ξ_j) + 4α∂_jL(θ(0))/(1−μ) · √(1 + θ_j(0)²/(4ξ_j²)))."""
    return sp.asinh(theta0 / (2 * xi_) + 4 * alpha_ * grad0 / (1 - mu_) * sp.sqrt(1 + theta0 ** 2 / (4 * xi_ ** 2))) / 4


def paper_r_sec32(alpha_: sp.Expr, xty_: sp.Expr, n_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """§3.2 (unbiased initialisation): R^M_j = arcsinh(4α(Xᵀy)_j/(n(1−μ)))."""
    return sp.asinh(4 * alpha_ * xty_ / (n_ * (1 - mu_)))


def paper_r_d5(alpha_: sp.Expr, xty_: sp.Expr, n_: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """Eq. (52) / App. D.5 (unbiased initialisation): R_j = ¼ arcsinh(4α(Xᵀy)_j/(n(1−μ)))."""
    return sp.asinh(4 * alpha_ * xty_ / (n_ * (1 - mu_))) / 4


def paper_r_gf(theta0: sp.Expr, xi_: sp.Expr) -> sp.Expr:
    """Proposition 2: R^GF_j = arcsinh(θ_j(0)/(2ξ_j))/4."""
    return sp.asinh(theta0 / (2 * xi_)) / 4


def paper_phi_prop5(sumx2_: sp.Expr, n_: sp.Expr, mu_: sp.Expr, q_: sp.Expr) -> sp.Expr:
    """Proposition 5 (unbiased, C = 0): φ_j(∞) = 16 [diag XᵀX]_j/(n(1−μ)) · Q^M_{ξ,j}(θ_j(∞), 0)."""
    return 16 * sumx2_ / (n_ * (1 - mu_)) * q_


# --- derived forms ---------------------------------------------------------------------------------
def _taylor(shift: sp.Expr, order: int = 3) -> sp.Expr:
    """β(t + shift) from β and its derivatives b0..b3 at t (enough for an O(η³) remainder)."""
    bs = (b0, b1, b2, b3)
    return sum(bs[k] * shift ** k / sp.factorial(k) for k in range(order + 1))


def _gradient_at(point: sp.Expr) -> sp.Expr:
    """g(point) expanded around β(t) = b0 to second order (g0, g1, g2 are g, g', g'' at b0)."""
    dx = point - b0
    return g0 + g1 * dx + g2 * dx ** 2 / 2


def hb_expansion() -> sp.Expr:
    """Eq. (14): [β(t+η) − β(t) − μ(β(t) − β(t−η)) + η g(β)]/(η(1−μ)), truncated at O(η)."""
    lhs = _taylor(eta) - b0 - mu * (b0 - _taylor(-eta)) + eta * g0
    return sp.expand(sp.series(lhs, eta, 0, 3).removeO() / (eta * (1 - mu)))


def nag_rho_expansion() -> sp.Expr:
    """ρ(t) = β(t) + μ(β(t) − β(t−η)), as a series in η (to O(η⁴))."""
    return sp.expand(b0 + mu * (b0 - _taylor(-eta)))


def nag_expansion() -> sp.Expr:
    """Eqs. (15)–(16) plus App. C.2's substitution ημ∇²L β̇ ≈ −η(1−μ)β̈, divided by η(1−μ), to O(η).

    The leading-order flow β̇ = −g/(1−μ) gives β̈ = −g'β̇/(1−μ), i.e. g' b1 = −(1−μ) b2.
    """
    lhs = _taylor(eta) - b0 - mu * (b0 - _taylor(-eta)) + eta * _gradient_at(nag_rho_expansion())
    trunc = sp.series(lhs, eta, 0, 3).removeO()
    trunc = sp.expand(trunc.subs(g1, -(1 - mu) * b2 / b1))
    return sp.expand(trunc / (eta * (1 - mu)))


def alpha_from_expansion(expansion: sp.Expr) -> sp.Expr:
    """Read α off an expansion b1 + α b2 + g0/(1−μ) (checks the b1 and g0 coefficients too)."""
    e = sp.expand(expansion)
    if sp.simplify(e.coeff(b1, 1) - 1) != 0 or sp.simplify(e.coeff(g0, 1) - 1 / (1 - mu)) != 0:
        raise ValueError(f"expansion is not of the form b1 + α b2 + g0/(1−μ): {e}")
    return sp.factor(sp.simplify(e.coeff(b2, 1)))


def derived_alpha(method: str) -> sp.Expr:
    """α of the O(η) flow of ``hb`` or ``nag``, derived by Taylor expansion."""
    if method == "hb":
        return alpha_from_expansion(hb_expansion())
    if method == "nag":
        return alpha_from_expansion(nag_expansion())
    raise ValueError(f"method must be 'hb' or 'nag', got {method!r}")


def rho_remainder() -> sp.Expr:
    """ρ(t) − β(t) − ημβ̇(t): App. C.2 claims it is O(η³)."""
    return sp.expand(nag_rho_expansion() - b0 - eta * mu * b1)


def nag_gradient_remainder() -> sp.Expr:
    """η g(ρ(t)) − η g(β) − η²μ g'(β) β̇: App. C.2 claims it is of higher order (O(η³))."""
    return sp.expand(eta * _gradient_at(nag_rho_expansion()) - eta * g0 - eta ** 2 * mu * g1 * b1)


def leading_order(expr: sp.Expr, var: sp.Symbol = eta, upto: int = 6) -> int:
    """Lowest power of ``var`` with a non-zero coefficient in the polynomial ``expr`` (``upto`` if none)."""
    p = sp.Poly(sp.expand(expr), var)
    for k in range(upto):
        if sp.simplify(p.coeff_monomial(var ** k)) != 0:
            return k
    return upto


def matched_initial_velocity(alpha_: sp.Expr) -> sp.Expr:
    """β̇(0) for which the flow α β̈ + β̇ + g/(1−μ) = 0 (constant gradient g) ends with the same offset as
    discrete HB from p_0 = 0: the discrete iterates β_K = β_0 − ηg Σ_{k≤K}(1−μ^k)/(1−μ) lag the line
    β_0 − gKη/(1−μ) by μηg/(1−μ)², the flow by α(β̇(0) + g/(1−μ))."""
    k, K = sp.symbols("k K", integer=True, positive=True)
    c = sp.Symbol("c", positive=True)  # c = 1 − μ
    discrete = -eta * g * sp.summation((1 - (1 - c) ** k) / c, (k, 1, K))
    offset = sp.simplify(discrete + g * K * eta / c)  # μηg(1 − μ^K)/(1−μ)²
    closed = mu * eta * g / (1 - mu) ** 2
    if sp.simplify(offset - closed.subs(mu, 1 - c) * (1 - (1 - c) ** K)) != 0:
        raise ArithmeticError("discrete offset is not μηg(1 − μ^K)/(1−μ)²")
    s = sp.Symbol("s", nonnegative=True)
    flow = -g * s / (1 - mu) + alpha_ * (v0 + g / (1 - mu)) * (1 - sp.exp(-s / alpha_))
    ode = sp.simplify(alpha_ * flow.diff(s, 2) + flow.diff(s) + g / (1 - mu))
    ics = (flow.subs(s, 0), sp.simplify(flow.diff(s).subs(s, 0) - v0))
    if ode != 0 or ics != (0, 0):
        raise ArithmeticError("flow closed form does not solve the ODE")
    lag_flow = alpha_ * (v0 + g / (1 - mu))  # flow + gs/(1−μ) as s → ∞ (e^{−s/α} → 0)
    return sp.simplify(sp.solve(sp.Eq(lag_flow, closed), v0)[0])


# --- θ dynamics (App. D) ---------------------------------------------------------------------------
def property1_residuals(n_: int = 2, d_: int = 2) -> dict[str, sp.Expr]:
    """Property 1, eqs. (18)–(19), on a symbolic instance with n_ samples and d_ features."""
    us = sp.symbols(f"u0:{d_}", real=True)
    vs = sp.symbols(f"v0:{d_}", real=True)
    X = sp.Matrix(n_, d_, lambda i, j: sp.Symbol(f"x{i}_{j}", real=True))
    y = sp.Matrix(n_, 1, lambda i, _j: sp.Symbol(f"y{i}", real=True))
    th = sp.Matrix([us[j] ** 2 - vs[j] ** 2 for j in range(d_)])
    r = X * th - y
    L = (r.T * r)[0] / (2 * n_)
    out = {}
    for j in range(d_):
        dth = sum(r[i] * X[i, j] for i in range(n_)) / n_
        out[f"d_u{j} L - 2u dθL"] = sp.diff(L, us[j]) - 2 * us[j] * dth
        out[f"d_v{j} L + 2v dθL"] = sp.diff(L, vs[j]) + 2 * vs[j] * dth
        out[f"v d_u{j} L + u d_v{j} L"] = vs[j] * sp.diff(L, us[j]) + us[j] * sp.diff(L, vs[j])
    return out


def slow_velocities() -> tuple[sp.Expr, sp.Expr]:
    """Eq. (20): u̇ = −∂_uL/(1−μ) + αU₁, v̇ = −∂_vL/(1−μ) + αV₁ with ∂_uL = 2u g, ∂_vL = −2v g (g = ∂_θL)."""
    return -2 * u * g / (1 - mu) + alpha * U1, 2 * v * g / (1 - mu) + alpha * V1


def alpha_coefficients(expr: sp.Expr, upto: int = 2) -> list[sp.Expr]:
    """Coefficients of α⁰ … α^{upto−1} of ``expr``: an O(η²) claim needs all of them zero."""
    s = sp.expand(sp.series(expr, alpha, 0, upto).removeO())
    return [sp.simplify(s.coeff(alpha, k)) for k in range(upto)]


def properties_2_3_residuals() -> dict[str, sp.Expr]:
    """Properties 2 and 3 with the velocities of eq. (20): residuals whose α⁰, α¹ coefficients must vanish."""
    us_, vs_ = slow_velocities()
    p2 = alpha * (v * us_ + vs_ * u)
    p3 = (u + alpha * us_) * (v + alpha * vs_) - u * v
    return {"Property 2": p2, "Property 3": p3}


def property4_exact_residual() -> sp.Expr:
    """Eq. (22) before dropping O(η²): d(uv)/dt − [−α d/dt(u̇v + v̇u) + 2αu̇v̇], with ü, v̈ from eq. (17)
    (∂_uL = 2ug, ∂_vL = −2vg). Must vanish identically (Property 1 does the work)."""
    s = sp.Symbol("s", real=True)
    uf, vf, gf = sp.Function("u")(s), sp.Function("v")(s), sp.Function("g")(s)
    udd = (-uf.diff(s) - 2 * uf * gf / (1 - mu)) / alpha
    vdd = (-vf.diff(s) + 2 * vf * gf / (1 - mu)) / alpha
    lhs = (uf * vf).diff(s)
    inner = (uf.diff(s) * vf + vf.diff(s) * uf).diff(s)
    rhs = -alpha * inner + 2 * alpha * uf.diff(s) * vf.diff(s)
    res = (lhs - rhs).subs({uf.diff(s, 2): udd, vf.diff(s, 2): vdd})
    return sp.simplify(res)


def theta_dynamics_residuals() -> dict[str, sp.Expr]:
    """Eq. (23) and G_j = 4H_j∂_jL: with ü, v̈ from (17), θ̇ + αθ̈ + G/(1−μ) with the velocities of eq. (20)
    (must be O(α²)), and G − 4Hg (exact)."""
    us_dd = (-ud - 2 * u * g / (1 - mu)) / alpha
    vs_dd = (-vd + 2 * v * g / (1 - mu)) / alpha
    th_d = 2 * u * ud - 2 * v * vd
    th_dd = 2 * ud ** 2 + 2 * u * us_dd - 2 * vd ** 2 - 2 * v * vs_dd
    G = 2 * ((u + alpha * ud) * (2 * u * g) - (v + alpha * vd) * (-2 * v * g))
    H = u * (u + alpha * ud) + v * (v + alpha * vd)
    us_, vs_ = slow_velocities()
    eq23 = sp.expand(alpha * th_dd + th_d + G / (1 - mu)).subs({ud: us_, vd: vs_})
    return {"eq. (23)": eq23, "G = 4 H dθL": sp.expand(G - 4 * H * g)}


def eqs_24_26_residuals() -> dict[str, sp.Expr]:
    """Eqs. (24)–(26), (33) with the velocities of eq. (20); each must be O(α²)."""
    us_, vs_ = slow_velocities()
    H = u * (u + alpha * us_) + v * (v + alpha * vs_)
    thb = u ** 2 - v ** 2 + alpha * (2 * u * us_ - 2 * v * vs_)
    th = u ** 2 - v ** 2
    th_d = 2 * u * us_ - 2 * v * vs_
    diamond = 2 * alpha * (u ** 3 * us_ + v ** 3 * vs_)
    return {
        "eq. (24)": H ** 2 - (u ** 4 + v ** 4 + 2 * u ** 2 * v ** 2 + diamond),
        "eq. (25)": thb ** 2 - (u ** 4 + v ** 4 - 2 * u ** 2 * v ** 2 + 2 * diamond),
        "eq. (26)": H ** 2 - thb ** 2 - (4 * u ** 2 * v ** 2 - diamond),
        "eq. (33)": diamond - alpha * th * th_d,
    }


def inverse_h_expansion_residual() -> sp.Expr:
    """1/H_j with H² = A − αθθ̇ (A = (θ+αθ̇)² + 4ξ²e^{−2αφ}) minus the paper's two-term expansion; O(α²)."""
    thd = sp.Symbol("thd", real=True)
    A = (theta + alpha * thd) ** 2 + 4 * xi ** 2 * sp.exp(-2 * alpha * phi)
    exact = 1 / sp.sqrt(A - alpha * theta * thd)
    stated = 1 / sp.sqrt(A) + alpha / 2 * theta * thd / (theta ** 2 + 4 * xi ** 2) ** sp.Rational(3, 2)
    return exact - stated


def potential_residuals() -> dict[str, sp.Expr]:
    """Eqs. (39), (43), the D_{ξ,Δ} identity and (44) (x real, ξ̄ = ξe^{−αφ}). Identities between logs and
    arcsinh are proved as "same derivative in x (or Δ) and same value at 0"."""
    S = sp.sqrt(x ** 2 + 4 * xib ** 2)
    Dl = sp.Symbol("Delta", real=True)
    xb = xi * sp.exp(-alpha * phi)
    eq43 = (sp.log((sp.sqrt(x ** 2 + 4 * xb ** 2) + x) / (2 * xi)) / 4
            - (sp.asinh(x / (2 * xb)) / 4 - alpha * phi / 4))
    d_id = sp.log(sp.sqrt(1 + Dl ** 2 / (4 * xi ** 2)) + Dl / (2 * xi)) / 4 - sp.asinh(Dl / (2 * xi)) / 4
    eq44 = 2 * xib / 4 * (x / (2 * xib) * sp.asinh(x / (2 * xib)) - sp.sqrt(1 + x ** 2 / (4 * xib ** 2)) + 1)
    return {
        "eq. (39) derivative": sp.diff(sp.log(S + x) / 4, x) - 1 / (4 * S),
        "eq. (43) d/dx": sp.diff(eq43, x),
        "eq. (43) at x=0": sp.expand_log(eq43.subs(x, 0), force=True),
        "D identity d/dDelta": sp.diff(d_id, Dl),
        "D identity at 0": d_id.subs(Dl, 0),
        "eq. (44) derivative": sp.diff(eq44, x) - sp.asinh(x / (2 * xib)) / 4,
        "eq. (44) at 0": eq44.subs(x, 0),
        "eq. (44) = hyperbolic entropy": eq44 - hyperbolic_entropy(x, xib),
    }


def eq45_residual() -> sp.Expr:
    """Eq. (45): ∂_t of ¼ln(√(x²+4ξ̄²)+x) with ξ̄ = ξe^{−αφ(t)}, φ̇ = 8g²/(1−μ)², at α⁰ and α¹ (x = θ + O(α))."""
    ph = sp.Function("phi")(t)
    S = sp.sqrt(x ** 2 + 4 * (xi * sp.exp(-alpha * ph)) ** 2)
    d = sp.diff(sp.log(S + x) / 4, t).subs(sp.Derivative(ph, t), 8 * g ** 2 / (1 - mu) ** 2).subs(ph, phi)
    S0 = sp.sqrt(x ** 2 + 4 * xi ** 2)
    stated = -alpha * xi ** 2 * 8 * g ** 2 / (1 - mu) ** 2 / (S0 * (S0 + x))
    return d - stated


def eq48_identity() -> sp.Expr:
    """The identity behind eq. (48): 4ξ²/(√(θ²+4ξ²)+θ) + θ − √(θ²+4ξ²)."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    return 4 * xi ** 2 / (S + theta) + theta - S


def eq46_integrand_residual() -> sp.Expr:
    """ḣ from eq. (38) with (45) and αθ̇ = −4αS g/(1−μ) (eq. 47), minus eq. (46)'s integrand; O(α²)."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    thd = -4 * S * g / (1 - mu)
    dq_dt = -alpha * xi ** 2 * 8 * g ** 2 / (1 - mu) ** 2 / (S * (S + theta))
    h_dot = alpha / 8 * theta * thd * thd / S ** 3 - dq_dt
    stated = 2 * alpha / (1 - mu) ** 2 * g ** 2 / S * (4 * xi ** 2 / (S + theta) + theta)
    return h_dot - stated


def eq48_residual() -> sp.Expr:
    """Eq. (48) integrands: −αθφ̇/4 + θ ḣ with ḣ from eq. (46) (θ(s) = θ: the integrands are compared pointwise)."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    h_dot = 2 * alpha / (1 - mu) ** 2 * g ** 2 / S * (4 * xi ** 2 / (S + theta) + theta)
    return -alpha * 8 * g ** 2 / (1 - mu) ** 2 / 4 + h_dot


def corrected_delta(delta_: sp.Expr, alpha_: sp.Expr, grad0: sp.Expr, mu_: sp.Expr, xi_: sp.Expr) -> sp.Expr:
    """θ(0) + αθ̇(0) from u̇(0) = −∂_uL/(1−μ), v̇(0) = −∂_vL/(1−μ), derived (see :func:`eq50_residual`)."""
    return delta_ - 4 * alpha_ * grad0 / (1 - mu_) * sp.sqrt(delta_ ** 2 + 4 * xi_ ** 2)


def eq50_residual(stated: Callable[..., sp.Expr] = paper_delta_eq50) -> sp.Expr:
    """θ(0) + αθ̇(0) computed from u(0) = a, v(0) = b (ξ = ab > 0) and the first-order velocities, minus ``stated``."""
    a, b = sp.symbols("a b", positive=True)
    uds, vds = -2 * a * g / (1 - mu), 2 * b * g / (1 - mu)
    direct = a ** 2 - b ** 2 + alpha * (2 * a * uds - 2 * b * vds)
    res = direct - stated(a ** 2 - b ** 2, alpha, g, mu, a * b)
    return res.replace(lambda e: e.is_Pow and e.exp == sp.S.Half, lambda e: sp.sqrt(sp.factor(e.base)))


def linear_term_from_potential(delta_of: Callable[..., sp.Expr]) -> sp.Expr:
    """R_j implied by the construction: ∇Q^M(θ̄(0), 0) = 0 (eq. 40) gives Q^M = Q_{ξ̄} − θ̄ D_{ξ,Δ},
    so the objective's linear coefficient is −¼arcsinh(Δ/(2ξ)) with Δ = θ̄(0) from ``delta_of``."""
    return -sp.asinh(delta_of(delta, alpha, g, mu, xi) / (2 * xi)) / 4


def corrected_r(theta0: sp.Expr, xi_: sp.Expr, alpha_: sp.Expr, grad0: sp.Expr, mu_: sp.Expr) -> sp.Expr:
    """R^M_j = −¼ arcsinh(Δ_j/(2ξ_j)) with the derived Δ_j (corrected Theorem 3 / eqs. 51–52)."""
    return -sp.asinh(corrected_delta(theta0, alpha_, grad0, mu_, xi_) / (2 * xi_)) / 4


def corrected_r_gf(theta0: sp.Expr, xi_: sp.Expr) -> sp.Expr:
    """R^GF_j = −¼ arcsinh(θ_j(0)/(2ξ_j)): the Bregman linear term of the GF mirror flow (corrected Prop. 2)."""
    return -sp.asinh(theta0 / (2 * xi_)) / 4


def gf_mirror_residual() -> sp.Expr:
    """Under GF, uv is constant and θ̇ = −4√(θ²+4ξ²) g; then d/dt ∇Q^GF_ξ(θ) + g must vanish."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    return sp.diff(sp.asinh(theta / (2 * xi)) / 4, theta) * (-4 * S * g) + g


def phi_rate_coefficient() -> sp.Expr:
    """c in φ̇_j = −c ∂_jL θ̇_j / √(θ_j²+4ξ_j²), from φ̇ = 8(∂L)²/(1−μ)² and θ̇ = −4√(θ²+4ξ²)∂L/(1−μ)
    (eq. 53 says 4/(1−μ))."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    thd = -4 * S * g / (1 - mu)
    return sp.simplify(-(8 * g ** 2 / (1 - mu) ** 2) * S / (g * thd))


def prop5_corrected(sumx2_: sp.Expr, n_: sp.Expr, mu_: sp.Expr, q_: sp.Expr) -> sp.Expr:
    """φ_j(∞) = 8[diag XᵀX]_j Q_{ξ_j}(θ_j(∞))/(n(1−μ)) for unbiased init, valid when Σ_i ε_ij is constant
    in time (e.g. orthogonal columns of X); obtained with the coefficient of :func:`phi_rate_coefficient`."""
    return 4 * phi_rate_coefficient().subs(mu, mu_) * sumx2_ / n_ * q_


def eq53_antiderivative_residual() -> sp.Expr:
    """∫θ/√(θ²+4ξ²)dθ = √(θ²+4ξ²) and ∫dθ/√(θ²+4ξ²) = arcsinh(θ/(2ξ)): the two integrals of eqs. (54)–(55)."""
    S = sp.sqrt(theta ** 2 + 4 * xi ** 2)
    return sp.simplify(sp.diff(S, theta) - theta / S) + sp.simplify(sp.diff(sp.asinh(theta / (2 * xi)), theta) - 1 / S)


# --- limits (§3, App. D.5) --------------------------------------------------------------------------
def q_large_scale_limit() -> sp.Expr:
    """lim_{ξ→∞} ξ Q_ξ(θ) (= θ²/16: Q_ξ ∝ ‖θ‖₂²)."""
    return sp.limit(xi * hyperbolic_entropy(theta, xi), xi, sp.oo)


def q_small_scale_limit() -> sp.Expr:
    """lim_{ξ→0} Q_ξ(θ)/ln(1/ξ) for θ > 0 (= θ/4 = |θ|/4: Q_ξ ∝ ‖θ‖₁)."""
    tp = sp.Symbol("tp", positive=True)
    return sp.limit(hyperbolic_entropy(tp, xi) / sp.log(1 / xi), xi, 0, dir="+").subs(tp, theta)


def d5_term_limits() -> dict[str, sp.Expr]:
    """App. D.5's term limits (θ > 0 stands for |θ|): small ξ̄ and large ξ̄."""
    tp = sp.Symbol("tp", positive=True)
    return {
        "-sqrt(4xi^2+theta^2)+2xi, xi->0": sp.limit(-sp.sqrt(4 * xib ** 2 + tp ** 2) + 2 * xib, xib, 0, dir="+") + tp,
        "theta*asinh(theta/(2xi))/ln(1/xi), xi->0": sp.limit(tp * sp.asinh(tp / (2 * xib)) / sp.log(1 / xib), xib, 0,
                                                              dir="+") - tp,
        "-sqrt(4xi^2+theta^2)+2xi, xi->oo": sp.limit(-sp.sqrt(4 * xib ** 2 + tp ** 2) + 2 * xib, xib, sp.oo),
        "theta*asinh(theta/(2xi)) / (theta^2/(2xi)), xi->oo":
            sp.limit(tp * sp.asinh(tp / (2 * xib)) / (tp ** 2 / (2 * xib)), xib, sp.oo) - 1,
        "xi*(-sqrt(4xi^2+theta^2)+2xi), xi->oo (same order as the kept term)":
            sp.limit(xib * (-sp.sqrt(4 * xib ** 2 + tp ** 2) + 2 * xib), xib, sp.oo) + tp ** 2 / 4,
    }


def second_order_form_residual() -> sp.Expr:
    """§3.4 (i): d/dt ∇Q(θ̄, t) = ∇²Q(θ̄,t)(αθ̈ + θ̇) + ∂_t∇Q(θ̄,t) by the chain rule, with ∇Q = ¼arcsinh(x/(2ξ̄(t)))."""
    thf, xbf = sp.Function("theta")(t), sp.Function("xibar")(t)
    grad_q = lambda xx, sc: sp.asinh(xx / (2 * sc)) / 4  # noqa: E731
    thb = thf + alpha * thf.diff(t)
    total = sp.diff(grad_q(thb, xbf), t)
    hess = sp.diff(grad_q(x, xbf), x).subs(x, thb)
    partial_t = sp.diff(grad_q(x, xbf), t).subs(x, thb)
    return sp.simplify(total - (hess * (alpha * thf.diff(t, 2) + thf.diff(t)) + partial_t))


# --- formulas for the numerics -----------------------------------------------------------------------
def formulas() -> list[Formula]:
    """Formulas the numerics use; α and the initial velocity are derived, the paper's variants are as printed."""
    th0, gr0 = sp.symbols("theta0 grad0", real=True)
    a_hb, a_nag = derived_alpha("hb"), derived_alpha("nag")
    return [
        Formula("alpha_hb", (eta, mu), a_hb, "α of the HB flow, derived by Taylor expansion (App. C.1)."),
        Formula("alpha_nag", (eta, mu), a_nag, "α of the NAG flow, derived by Taylor expansion (App. C.2)."),
        Formula("alpha_nag_c2_printed", (eta, mu), paper_alpha_nag_c2(eta, mu), "α as printed at the end of App. C.2."),
        Formula("matched_velocity", (eta, mu, alpha, g), matched_initial_velocity(alpha),
                "β̇(0) giving the flow the same asymptotic offset as discrete HB from p_0 = 0 (g = ∇L(β_0))."),
        Formula("hyperbolic_entropy", (theta, xi), hyperbolic_entropy(theta, xi),
                "Q_ξ(θ) = ¼[θ arcsinh(θ/(2ξ)) − √(4ξ²+θ²) + 2ξ], per coordinate."),
        Formula("hyperbolic_entropy_grad", (theta, xi), sp.diff(hyperbolic_entropy(theta, xi), theta),
                "∇Q_ξ(θ) = ¼ arcsinh(θ/(2ξ)), per coordinate."),
        Formula("r_theorem3", (th0, xi, alpha, gr0, mu), paper_r_theorem3(th0, xi, alpha, gr0, mu),
                "R^M_j of Theorem 3."),
        Formula("r_sec32", (alpha, xty, n, mu), paper_r_sec32(alpha, xty, n, mu), "R^M_j of §3.2 (unbiased init)."),
        Formula("r_d5", (alpha, xty, n, mu), paper_r_d5(alpha, xty, n, mu),
                "R_j of eq. (52) / App. D.5 (unbiased init)."),
        Formula("r_corrected", (th0, xi, alpha, gr0, mu), corrected_r(th0, xi, alpha, gr0, mu),
                "R^M_j = −¼ arcsinh(Δ_j/(2ξ_j)), Δ_j derived from the first-order velocities."),
        Formula("r_gf_paper", (th0, xi), paper_r_gf(th0, xi), "R^GF_j of Proposition 2."),
        Formula("r_gf_corrected", (th0, xi), corrected_r_gf(th0, xi), "R^GF_j = −¼ arcsinh(θ_j(0)/(2ξ_j))."),
        Formula("delta_eq50", (delta, alpha, gr0, mu, xi), paper_delta_eq50(delta, alpha, gr0, mu, xi),
                "θ(0) + αθ̇(0) as printed in eq. (50)."),
        Formula("delta_corrected", (delta, alpha, gr0, mu, xi), corrected_delta(delta, alpha, gr0, mu, xi),
                "θ(0) + αθ̇(0) from the first-order velocities."),
        Formula("phi_prop5", (sumx2, n, mu, q), paper_phi_prop5(sumx2, n, mu, q), "φ_j(∞) of Proposition 5 (C = 0)."),
        Formula("phi_prop5_corrected", (sumx2, n, mu, q), prop5_corrected(sumx2, n, mu, q),
                "φ_j(∞) = 8[diag XᵀX]_j Q_ξ(θ_j(∞))/(n(1−μ)) (unbiased init, Σ_i ε_ij constant)."),
    ]
