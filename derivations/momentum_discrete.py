"""§4 and appendices D, E (Lemma 7) of Papazov et al. (momentum_dln): SMGD on diagonal linear networks.

Symbolic side of the discrete-time analysis: the (w₊, w₋) form of SMGD (eq. 13/26), the logarithmic
reparametrisation and its recurrence δ_{k+1} = βδ_k ∓ γ∇L(θ_k) − Q_k with q(z) = eᶻ − (1 + z), the
change of summation order, the residue identities q(ln z) and q(ln|z| ± iπ), r(z) ≥ 0, the sinh
form of θ_{N+1}, and the time-varying potential Φ_N exactly as appendix D writes it. Functions return
residuals (which must simplify to zero) so the checks decide; candidate formulas are arguments so a
test can pass a perturbed one.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp
from sympy.codegen.cfunctions import log1p

from derivations.codegen import Formula

gamma = sp.Symbol("gamma", positive=True)
beta = sp.Symbol("beta", real=True)
g = sp.Symbol("g", real=True)  # a coordinate of ∇L(θ_k)
z = sp.Symbol("z", real=True)
p = sp.Symbol("p", positive=True)  # |z| for z < 0 or z > 0
d_next, d_prev = sp.symbols("delta_next delta", complex=True)
x = sp.Symbol("x", real=True)
w, w_prev = sp.symbols("w w_prev", real=True)
u, v, u_prev, v_prev = sp.symbols("u v u_prev v_prev", real=True)
sgn = sp.Symbol("s", real=True)  # +1 for w₊, −1 for w₋
theta = sp.Symbol("theta", real=True)
Delta = sp.Symbol("Delta", positive=True)
phi = sp.Symbol("phi", real=True)
a_p, a_m = sp.symbols("alpha_p alpha_m", positive=True)
w_p0, w_m0, S_p, S_m = sp.symbols("w_p0 w_m0 S_p S_m", real=True)
N, m, k = sp.symbols("N m k", integer=True, positive=True)

Fn = Callable[[sp.Expr], sp.Expr]


# --- the paper's functions ----------------------------------------------------------------------
def q(arg: sp.Expr) -> sp.Expr:
    """App. D.1: q(z) = eᶻ − (1 + z)."""
    return sp.exp(arg) - (1 + arg)


def r(arg: sp.Expr) -> sp.Expr:
    """Lemma 2: r(z) = (z − 1) − ln|z| for z ≠ 0."""
    return (arg - 1) - sp.log(sp.Abs(arg))


def hyperbolic_entropy(th: sp.Expr, delta: sp.Expr) -> sp.Expr:
    """Eq. (6), one coordinate: ψ_Δ(θ) = ¼(2θ arcsinh(2θ/Δ) − √(4θ² + Δ²) + Δ)."""
    return (2 * th * sp.asinh(2 * th / delta) - sp.sqrt(4 * th ** 2 + delta ** 2) + delta) / 4


def potential_appendix_d(th: sp.Expr, delta: sp.Expr, phi_: sp.Expr) -> sp.Expr:
    """App. D.1 as written: Φ_N(θ) = ψ_{Δ_N}(θ) + ⟨ϕ_N, θ⟩ (one coordinate)."""
    return hyperbolic_entropy(th, delta) + phi_ * th


def potential_corrected(th: sp.Expr, delta: sp.Expr, phi_: sp.Expr) -> sp.Expr:
    """The potential the derivation of eq. (28) actually uses: Φ_N(θ) = ψ_{Δ_N}(θ) − ⟨ϕ_N, θ⟩."""
    return hyperbolic_entropy(th, delta) - phi_ * th


def phi_of_alpha(ap: sp.Expr, am: sp.Expr, delta: sp.Expr) -> sp.Expr:
    """App. D.1: ϕ_N = ½ arcsinh((α₊,N² − α₋,N²)/(2Δ_N))."""
    return sp.asinh((ap ** 2 - am ** 2) / (2 * delta)) / 2


def theta_tilde(wp0: sp.Expr, wm0: sp.Expr, sp_: sp.Expr, sm_: sp.Expr) -> sp.Expr:
    """Theorem 2: θ̃₀ = ¼(w₊,₀² e^{−2S₊} − w₋,₀² e^{−2S₋})."""
    return (wp0 ** 2 * sp.exp(-2 * sp_) - wm0 ** 2 * sp.exp(-2 * sm_)) / 4


def delta_infinity(delta0: sp.Expr, sp_: sp.Expr, sm_: sp.Expr) -> sp.Expr:
    """Theorem 2: Δ∞ = Δ₀ exp(−(S₊ + S₋))."""
    return delta0 * sp.exp(-(sp_ + sm_))


# --- derivations ----------------------------------------------------------------------------------
def smgd_w_form() -> tuple[sp.Expr, sp.Expr]:
    """Eq. (9) in (u, v) rewritten for w± = u ± v; returns (u' + v', u' − v') in terms of w±, w±_prev."""
    un = u - gamma * g * v + beta * (u - u_prev)
    vn = v - gamma * g * u + beta * (v - v_prev)
    wp, wm, wp_prev, wm_prev = sp.symbols("w_p w_m w_p_prev w_m_prev", real=True)
    back = {u: (wp + wm) / 2, v: (wp - wm) / 2, u_prev: (wp_prev + wm_prev) / 2, v_prev: (wp_prev - wm_prev) / 2}
    return sp.expand((un + vn).subs(back)), sp.expand((un - vn).subs(back))


def smgd_w_update(gamma_: sp.Expr = gamma, beta_: sp.Expr = beta) -> sp.Expr:
    """Eq. (26): w±,k+1 = w±,k ∓ γ∇L(θ_k) w±,k + β(w±,k − w±,k−1), with s = ±1, read off :func:`smgd_w_form`."""
    plus, _ = smgd_w_form()
    wp, wp_prev = sp.symbols("w_p w_p_prev", real=True)
    # The w₊ update with the sign of the gradient term made explicit through s.
    e = plus.subs({sp.Symbol("w_m", real=True): 0, sp.Symbol("w_m_prev", real=True): 0})
    e = e.subs({wp: w, wp_prev: w_prev})
    e = e.subs({gamma: gamma_, beta: beta_})
    return sp.expand(e.subs(g, sgn * g))


def smgd_w_gain() -> tuple[sp.Expr, sp.Expr]:
    """Eq. (26) as w±,k+1 = a·w±,k + c·w±,k−1: the coefficients (a, c) = (1 + β ∓ γ∇L, −β), read off
    :func:`smgd_w_update` (the batched iteration multiplies in place by a and subtracts β·w±,k−1)."""
    e = sp.expand(smgd_w_update())
    return e.coeff(w), e.coeff(w_prev)


def smgd_gain_coefficients() -> tuple[sp.Expr, sp.Expr]:
    """The gain a of :func:`smgd_w_gain` is affine in ∇L: a = a₀ + a₁·∇L with (a₀, a₁) = (1 + β, −sγ), so a
    batched step needs one product and one sum per iterate once a₀, a₁ are tabulated for the grid."""
    a = sp.Poly(smgd_w_gain()[0], g)
    if a.degree() != 1:
        raise ValueError(f"the gain of eq. (26) is not affine in the gradient: {a.as_expr()}")
    return a.coeff_monomial(1), a.coeff_monomial(g)


def w_gain_residual() -> sp.Expr:
    """Eq. (26)'s right-hand side minus (a₀ + a₁∇L)·w + c·w_prev with the coefficients of
    :func:`smgd_gain_coefficients` and :func:`smgd_w_gain` (must vanish)."""
    a0, a1 = smgd_gain_coefficients()
    c = smgd_w_gain()[1]
    return sp.simplify(smgd_w_update() - ((a0 + a1 * g) * w + c * w_prev))


def w_form_residuals() -> dict[str, sp.Expr]:
    """(u'+v', u'−v') minus eq. (26)'s right-hand sides for w₊ and w₋ (both must vanish)."""
    plus, minus = smgd_w_form()
    wp, wm, wp_prev, wm_prev = sp.symbols("w_p w_m w_p_prev w_m_prev", real=True)
    upd = smgd_w_update()
    return {"w_plus": sp.simplify(plus - upd.subs({w: wp, w_prev: wp_prev, sgn: 1})),
            "w_minus": sp.simplify(minus - upd.subs({w: wm, w_prev: wm_prev, sgn: -1}))}


def recurrence_residual(s: int, q_fn: Fn = q) -> sp.Expr:
    """App. D.1: e^{δ'} = 1 ∓ γg + β(1 − e^{−δ}) ⟺ δ' = βδ ∓ γg − Q with Q = q(δ') + βq(−δ).

    Returns (e^{δ'} − 1 ± γg − β(1 − e^{−δ})) − (δ' − βδ ± γg + Q): zero iff the two forms are the
    same equation for every complex δ, δ' (s = +1 for w₊, −1 for w₋).
    """
    exp_form = sp.exp(d_next) - 1 + s * gamma * g - beta * (1 - sp.exp(-d_prev))
    Q = q_fn(d_next) + beta * q_fn(-d_prev)
    lin_form = d_next - beta * d_prev + s * gamma * g + Q
    return sp.simplify(sp.expand(exp_form - lin_form))


def swap_coefficient_residual(coef: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr] | None = None) -> sp.Expr:
    """Σ_{m=1}^N Σ_{k=1}^m β^{m−k} a_k = Σ_m c(N, m, β) a_m with c = (1 − β^{N+1−m})/(1 − β) (paper).

    The coefficient of a_m on the left is Σ_{j=m}^N β^{j−m}; returns that minus ``coef`` (β ≠ 1).
    """
    coef = coef or (lambda n_, m_, b_: (1 - b_ ** (n_ + 1 - m_)) / (1 - b_))
    j = sp.Symbol("j", integer=True)
    b = sp.Symbol("b", positive=True)
    lhs = sp.piecewise_fold(sp.summation(b ** (j - m), (j, m, N)))
    if isinstance(lhs, sp.Piecewise):  # keep the branch b ≠ 1 (its condition is True)
        lhs = next(e for e, cond in lhs.args if cond == sp.true)
    return sp.simplify(sp.powsimp(lhs - coef(N, m, b), force=True))


def swap_finite_residuals(n_max: int = 6,
                          coef: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr] | None = None) -> list[sp.Expr]:
    """The same swap with explicit symbols a_1..a_N for N = 1..n_max (each must vanish)."""
    coef = coef or (lambda n_, m_, b_: (1 - b_ ** (n_ + 1 - m_)) / (1 - b_))
    a = sp.symbols(f"a1:{n_max + 1}")
    out = []
    for n_ in range(1, n_max + 1):
        lhs = sum(beta ** (mm - kk) * a[kk - 1] for mm in range(1, n_ + 1) for kk in range(1, mm + 1))
        rhs = sum(coef(n_, mm, beta) * a[mm - 1] for mm in range(1, n_ + 1))
        out.append(sp.simplify(sp.together(lhs - rhs)))
    return out


def residue_log_residuals() -> dict[str, sp.Expr]:
    """q(ln z) − ((z−1) − ln z) for z > 0 and q(ln|z| ± iπ) − ((z−1) − (ln|z| ± iπ)) for z = −p < 0."""
    out = {"z>0": sp.simplify(q(sp.log(p)) - ((p - 1) - sp.log(p)))}
    for name, s in (("z<0, +i pi", 1), ("z<0, -i pi", -1)):
        arg = sp.log(p) + s * sp.I * sp.pi
        out[name] = sp.simplify(q(arg) - ((-p - 1) - arg))
    return out


def residue_real_parts() -> dict[str, sp.Expr]:
    """Re q(δ) − r(z) and Re q(−δ) − r(1/z) for δ = ln|z| (+ iπ when z < 0): both must vanish."""
    out = {}
    for name, zz, dl in (("same sign", p, sp.log(p)), ("sign change", -p, sp.log(p) + sp.I * sp.pi)):
        out[f"q(delta), {name}"] = sp.simplify(sp.re(sp.expand_complex(q(dl))) - r(zz))
        out[f"q(-delta), {name}"] = sp.simplify(sp.re(sp.expand_complex(q(-dl))) - r(1 / zz))
    return out


def r_nonnegative() -> dict[str, sp.Expr]:
    """r(z) ≥ 0 on z > 0 with equality only at z = 1: r(1), r'(1), the sign of r'' and the minimum."""
    rz = (p - 1) - sp.log(p)
    return {"r(1)": rz.subs(p, 1), "r'(1)": sp.diff(rz, p).subs(p, 1),
            "r''(z) > 0": sp.diff(rz, p, 2), "min over z>0": sp.minimum(rz, p, sp.Interval.open(0, sp.oo))}


def q_nonnegative() -> sp.Expr:
    """min_{x ∈ ℝ} q(x) (App. D.1 says q ≥ 0 on ℝ)."""
    return sp.minimum(q(x), x, sp.S.Reals)


def theta_sinh_residual() -> sp.Expr:
    """¼(a²e^{−2x} − b²e^{2x}) − ½Δ sinh(−2x + arcsinh((a² − b²)/(2Δ))) with Δ = ab (a, b > 0)."""
    dl = a_p * a_m
    lhs = (a_p ** 2 * sp.exp(-2 * x) - a_m ** 2 * sp.exp(2 * x)) / 4
    rhs = dl / 2 * sp.sinh(-2 * x + sp.asinh((a_p ** 2 - a_m ** 2) / (2 * dl)))
    e = (lhs - rhs.rewrite(sp.log)).rewrite(sp.exp)
    e = e.replace(lambda t: t.is_Pow and t.exp == sp.S.Half, lambda t: sp.sqrt(sp.factor(t.base)))
    return sp.simplify(e)


def grad_potential(potential: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr] = potential_appendix_d) -> sp.Expr:
    """∂Φ_N/∂θ for a potential Φ(θ, Δ, ϕ) (one coordinate)."""
    return sp.simplify(sp.diff(potential(theta, Delta, phi), theta))


def grad_potential_mismatch(
        potential: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr] = potential_appendix_d) -> sp.Expr:
    """∇Φ_N(θ) minus ½arcsinh(2θ/Δ_N) − ϕ_N, the left-hand side eq. (28) is derived for (must vanish)."""
    return sp.simplify(grad_potential(potential) - (sp.asinh(2 * theta / Delta) / 2 - phi))


def polynomial_iterates(steps: int = 5, wp0: tuple[sp.Rational, sp.Rational] = (sp.Rational(1, 2), sp.Rational(3, 4)),
                        wm0: tuple[sp.Rational, sp.Rational] = (sp.Rational(1, 4), sp.Rational(-1, 3))
                        ) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """§4 remark: iterates of (26) on a one-sample, two-coordinate rational instance, symbolic in (γ, β).

    Returns (w₊ iterates, w₋ iterates) of the first coordinate, k = 0..steps, expanded.
    """
    X = sp.Matrix([[sp.Rational(3, 2), sp.Rational(-1, 2)]])
    yv = sp.Matrix([sp.Rational(1, 3)])
    wp = [sp.Matrix(list(wp0))] * 2
    wm = [sp.Matrix(list(wm0))] * 2
    upd = smgd_w_update()
    for _ in range(steps - 1):
        th = (wp[-1].applyfunc(lambda e: e ** 2) - wm[-1].applyfunc(lambda e: e ** 2)) / 4
        grad = X.T * (X * th - yv) / X.shape[0]
        nxt_p = sp.Matrix([sp.expand(upd.subs({w: wp[-1][i], w_prev: wp[-2][i], g: grad[i], sgn: 1}))
                           for i in range(2)])
        nxt_m = sp.Matrix([sp.expand(upd.subs({w: wm[-1][i], w_prev: wm[-2][i], g: grad[i], sgn: -1}))
                           for i in range(2)])
        wp, wm = wp + [nxt_p], wm + [nxt_m]
    return [e[0] for e in wp], [e[0] for e in wm]


def r_of_increment() -> sp.Expr:
    """r(1 + h) for 1 + h > 0 with ln(1 + h) written as log1p(h), so small steps lose no digits."""
    h = sp.Symbol("h", real=True)
    e = r(1 + h).subs(sp.Abs(1 + h), 1 + h)
    return sp.expand(e).replace(sp.log(1 + h), log1p(h))


def r_series(order: int = 4) -> tuple[sp.Expr, sp.Expr]:
    """App. D.2: series of r(1 + h) and r(1/(1 + h)) at h = 0 (both claimed ~ h²/2)."""
    h = sp.Symbol("h", real=True)
    rr = lambda e: (e - 1) - sp.log(e)  # noqa: E731 (r on z > 0, where |z| = z)
    return (sp.series(rr(1 + h), h, 0, order).removeO(), sp.series(rr(1 / (1 + h)), h, 0, order).removeO())


def formulas() -> list[Formula]:
    """Formulas the numerics use, each derived or stated above."""
    return [
        Formula("smgd_w_step", (w, w_prev, g, gamma, beta, sgn), smgd_w_update(),
                "Eq. (26): w±,k+1 from w±,k, w±,k−1, ∇L_B(θ_k), γ, β; s = +1 for w₊ and −1 for w₋."),
        Formula("smgd_step_coefficients", (gamma, beta, sgn), smgd_gain_coefficients() + (smgd_w_gain()[1],),
                "Eq. (26) as w±,k+1 = (a₀ + a₁∇L_B(θ_k))·w±,k + c·w±,k−1: (a₀, a₁, c) = (1 + β, −sγ, −β) (s = ±1)."),
        Formula("r_fn", (z,), r(z), "Lemma 2: r(z) = (z − 1) − ln|z|."),
        Formula("r_increment", (sp.Symbol("h", real=True),), r_of_increment(),
                "r(1 + h) for 1 + h > 0, through log1p (accurate when the ratio z = 1 + h is close to 1)."),
        Formula("theta_tilde_of", (w_p0, w_m0, S_p, S_m), theta_tilde(w_p0, w_m0, S_p, S_m),
                "Theorem 2: θ̃₀ = ¼(w₊,₀² e^{−2S₊} − w₋,₀² e^{−2S₋})."),
        Formula("delta_inf_of", (Delta, S_p, S_m), delta_infinity(Delta, S_p, S_m),
                "Theorem 2: Δ∞ = Δ₀ exp(−(S₊ + S₋))."),
        Formula("phi_of", (a_p, a_m, Delta), phi_of_alpha(a_p, a_m, Delta),
                "App. D.1: ϕ_N = ½ arcsinh((α₊² − α₋²)/(2Δ_N))."),
        Formula("grad_potential_stated", (theta, Delta, phi), grad_potential(potential_appendix_d),
                "∇Φ_N(θ) for Φ_N = ψ_{Δ_N} + ⟨ϕ_N, θ⟩ as App. D.1 defines it."),
        Formula("grad_potential_corrected", (theta, Delta, phi), grad_potential(potential_corrected),
                "∇Φ_N(θ) for Φ_N = ψ_{Δ_N} − ⟨ϕ_N, θ⟩ (the sign eq. (28)'s derivation uses)."),
        Formula("grad_hyperbolic_entropy", (theta, Delta),
                sp.simplify(sp.diff(hyperbolic_entropy(theta, Delta), theta)),
                "∇ψ_Δ(θ) = ½ arcsinh(2θ/Δ), differentiated from eq. (6)."),
    ]
