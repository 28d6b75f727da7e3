"""§2 and appendices A, D.2 of Papazov et al. (momentum_dln): from MGD(γ, β) to MGF(λ).

Everything here is symbolic. The functions return SymPy expressions (residuals that must vanish,
series, closed forms); the checks decide. Candidate formulas are passed in as arguments so that a
test can hand in a perturbed formula and see the residual stop vanishing.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula

# Symbols. ``c`` stands for 1 - β > 0 where positivity is needed to simplify square roots.
gamma, lam, eps, rho, h, c = sp.symbols("gamma lambda epsilon rho h c", positive=True)
beta = sp.Symbol("beta", real=True)
t, x0, v0 = sp.symbols("t x0 v0", real=True)
a, b = sp.symbols("a b", positive=True)
w_next, w, w_prev, g = sp.symbols("w_next w w_prev g", real=True)
m, k = sp.symbols("m k", integer=True, nonnegative=True)

ParamFormula = Callable[[sp.Expr, sp.Expr], sp.Expr]


# --- the paper's formulas, as stated -------------------------------------------------------------
def paper_lambda(gamma_: sp.Expr, beta_: sp.Expr) -> sp.Expr:
    """Prop. 1: λ = γ/(1−β)²."""
    return gamma_ / (1 - beta_) ** 2


def paper_eps(gamma_: sp.Expr, beta_: sp.Expr) -> sp.Expr:
    """Prop. 1: ε = √(λγ) (stated equal to γ/(1−β))."""
    return sp.sqrt(paper_lambda(gamma_, beta_) * gamma_)


def paper_lambda_central(gamma_: sp.Expr, beta_: sp.Expr) -> sp.Expr:
    """App. A: λ = (1+β)γ / (2(1−β)²) for the central first difference."""
    return (1 + beta_) * gamma_ / (2 * (1 - beta_) ** 2)


def paper_accelerated(rho_: sp.Expr, gamma_: sp.Expr, beta_: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Cor. 1: (γ̂, β̂) = (ρ²γ, 1 − ρ(1−β))."""
    return rho_ ** 2 * gamma_, 1 - rho_ * (1 - beta_)


# --- derivations -----------------------------------------------------------------------------------
def time_rescaling_residual(leading: sp.Expr = a / b ** 2) -> sp.Expr:
    """§2: if a ẅ + b ẇ + ∇F(w) = 0 then w̃_t = w_{bt} solves (a/b²) w̃'' + w̃' + ∇F(w̃) = 0.

    Returns leading·w̃'' + w̃' + G(w̃) minus the original equation evaluated at time bt (``leading`` is the
    claimed coefficient a/b²); zero iff the claim holds for every w and every gradient field G. The
    velocity w̃'(0) = b ẇ(0) is returned by :func:`time_rescaling_velocity`.
    """
    wf, G = sp.Function("w"), sp.Function("G")
    s = sp.Symbol("s")
    rescaled = leading * sp.diff(wf(b * t), t, 2) + sp.diff(wf(b * t), t) + G(wf(b * t))
    original = (a * sp.diff(wf(s), s, 2) + b * sp.diff(wf(s), s) + G(wf(s))).subs(s, b * t)
    return sp.simplify((rescaled - original).doit())


def time_rescaling_velocity() -> sp.Expr:
    """d/dt w(bt) at t = 0, expressed through ẇ(0) (named ``v0``)."""
    wf = sp.Function("w")
    d = sp.diff(wf(b * t), t).subs(t, 0).doit()
    return d.subs(sp.Subs(sp.Derivative(wf(t), t), t, 0).doit(), v0).replace(
        lambda e: isinstance(e, sp.Subs), lambda e: v0)


def rescaled_damping(scale: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Regime 'β large': w̃_t = w_{s t} with λẅ + ẇ + ∇F = 0 gives A w̃'' + B w̃' + ∇F = 0; returns (A, B).

    With s = √λ the paper states A = 1 and B = λ^{-1/2}.
    """
    # w̃'' = s² ẅ(st) and w̃' = s ẇ(st): match A w̃'' + B w̃' + G(w̃) with λ ẅ + ẇ + G(w) at time st.
    wf = sp.Function("w")
    A, B, D1, D2 = sp.symbols("A B D1 D2")
    expr = (A * sp.diff(wf(scale * t), t, 2) + B * sp.diff(wf(scale * t), t)).doit()
    subs = {e: (D2 if e.expr.is_Derivative and e.expr.derivative_count == 2 else D1)
            for e in expr.atoms(sp.Subs)}
    poly = sp.expand(expr.subs(subs) - (lam * D2 + D1))
    sol = sp.solve([poly.coeff(D2), poly.coeff(D1)], [A, B], dict=True)[0]
    return sp.simplify(sol[A]), sp.simplify(sol[B])


def backward_scheme_update() -> sp.Expr:
    """Solve eq. (2), λ(w₊ − 2w + w₋)/ε² + (w − w₋)/ε + g = 0, for w₊ = w_{k+1}."""
    scheme = lam * (w_next - 2 * w + w_prev) / eps ** 2 + (w - w_prev) / eps + g
    return sp.solve(scheme, w_next)[0]


def central_scheme_update() -> sp.Expr:
    """Solve App. A's scheme, λ(w₊ − 2w + w₋)/ε² + (w₊ − w₋)/(2ε) + g = 0, for w₊."""
    scheme = lam * (w_next - 2 * w + w_prev) / eps ** 2 + (w_next - w_prev) / (2 * eps) + g
    return sp.solve(scheme, w_next)[0]


def mgd_step(gamma_: sp.Expr, beta_: sp.Expr) -> sp.Expr:
    """The MGD(γ, β) recursion as the paper defines it: w − γ g + β(w − w₋)."""
    return w - gamma_ * g + beta_ * (w - w_prev)


def momentum_parameters(update: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Read (γ, β) off an update of the form w − γ g + β(w − w₋) (linear in g and w₋)."""
    e = sp.expand(update)
    gam = sp.simplify(-e.coeff(g))
    bet = sp.simplify(-e.coeff(w_prev))
    rest = sp.simplify(e + gam * g + bet * w_prev - (1 + bet) * w)
    if rest != 0:
        raise ValueError(f"update is not of momentum form; remainder {rest}")
    return gam, bet


def rewriting_residual() -> sp.Expr:
    """Eq. (2) rewriting: solved update minus w − (ε²/λ) g + (1 − ε/λ)(w − w₋)."""
    stated = w - eps ** 2 / lam * g + (1 - eps / lam) * (w - w_prev)
    return sp.simplify(backward_scheme_update() - stated)


def prop1_residuals(lam_of: ParamFormula = paper_lambda, eps_of: ParamFormula = paper_eps) -> dict[str, sp.Expr]:
    """Prop. 1: with λ = lam_of(γ, β), ε = eps_of(γ, β), scheme (2) is MGD(γ, β) from (w₀, w₁).

    Residuals (all must simplify to zero, with β = 1 − c, c > 0): the scheme's step minus γ, its
    momentum minus β, ε minus γ/(1−β), and w₀ + ε ẇ₀ − w₁ for ẇ₀ = (w₁ − w₀)/√(λγ).
    """
    bet = 1 - c
    lam_v, eps_v = lam_of(gamma, bet), eps_of(gamma, bet)
    step, mom = momentum_parameters(backward_scheme_update())
    w0, w1 = sp.symbols("w0 w1", real=True)
    velocity = (w1 - w0) / sp.sqrt(lam_v * gamma)
    return {
        "step size": sp.simplify(step.subs({lam: lam_v, eps: eps_v}) - gamma),
        "momentum": sp.simplify(mom.subs({lam: lam_v, eps: eps_v}) - bet),
        "eps = gamma/(1-beta)": sp.simplify(eps_v - gamma / c),
        "initial velocity": sp.simplify(w0 + eps_v * velocity - w1),
    }


def poster_velocity_residual(eps_of: ParamFormula = paper_eps) -> sp.Expr:
    """Poster: ẇ₀ = (w₁ − w₀)/ε equals the paper's (w₁ − w₀)/√(λγ) when ε = γ/(1−β)."""
    bet = 1 - c
    w0, w1 = sp.symbols("w0 w1", real=True)
    return sp.simplify((w1 - w0) / eps_of(gamma, bet) - (w1 - w0) / sp.sqrt(paper_lambda(gamma, bet) * gamma))


def central_parameters() -> tuple[sp.Expr, sp.Expr]:
    """App. A: (γ, β) of the central scheme in terms of (ε, λ)."""
    return momentum_parameters(central_scheme_update())


def central_inversion() -> tuple[sp.Expr, sp.Expr]:
    """Solve App. A's (γ, β) = (γ_c(ε, λ), β_c(ε, λ)) for (λ, ε) in terms of (γ, β), β = 1 − c."""
    gam_c, bet_c = central_parameters()
    sols = sp.solve([sp.Eq(gam_c, gamma), sp.Eq(bet_c, 1 - c)], [lam, eps], dict=True)
    positive = [s for s in sols if all(v.subs({gamma: 1, c: sp.Rational(1, 3)}).is_positive for v in s.values())]
    return sp.simplify(positive[0][lam]), sp.simplify(positive[0][eps])


def acceleration_residuals(accel: Callable[[sp.Expr, sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]
                           = paper_accelerated) -> dict[str, sp.Expr]:
    """Cor. 1: γ̂/(1−β̂)² = λ and the step γ̂/(1−β̂) = ρ ε (both must vanish)."""
    bet = 1 - c
    gh, bh = accel(rho, gamma, bet)
    return {"lambda preserved": sp.simplify(gh / (1 - bh) ** 2 - paper_lambda(gamma, bet)),
            "step scaled by rho": sp.simplify(gh / (1 - bh) - rho * gamma / c)}


def footnote1_series(order: int = 4) -> sp.Expr:
    """Footnote 1: series of 1 − ρ(1−β) − β^ρ in c = 1 − β (claimed O(c²))."""
    return sp.series(1 - rho * c - (1 - c) ** rho, c, 0, order).removeO()


def safe_check_exponent(lam_of: ParamFormula = paper_lambda, eps_of: ParamFormula = paper_eps) -> sp.Expr:
    """App. D.2: −(t − s)/λ at t = mε, s = kε, minus (m − k)(β − 1); zero iff exp(−(t−s)/λ) = e^{(β−1)(m−k)}."""
    bet = 1 - c
    return sp.simplify(-(m - k) * eps_of(gamma, bet) / lam_of(gamma, bet) - (m - k) * (bet - 1))


def safe_check_ratio(n: sp.Expr) -> sp.Expr:
    """[exp(β−1)]^n / β^n in c = 1 − β, for an exponent n (a symbol, a number or an expression in c)."""
    return (sp.exp(-c) / (1 - c)) ** n


def safe_check_ratio_limit(n: sp.Expr) -> sp.Expr:
    """lim_{β→1} [exp(β−1)]^n / β^n (see :func:`safe_check_ratio`)."""
    return sp.limit(safe_check_ratio(n), c, 0, dir="+")


def quadratic_mode_solution() -> tuple[sp.Expr, sp.Expr]:
    """Closed form of λẍ + ẋ + h x = 0, x(0) = x0, ẋ(0) = v0 (one eigen-direction of a quadratic), and ẋ."""
    xf = sp.Function("x")
    ode = lam * xf(t).diff(t, 2) + xf(t).diff(t) + h * xf(t)
    sol = sp.dsolve(ode, xf(t), ics={xf(0): x0, xf(t).diff(t).subs(t, 0): v0}).rhs
    return sol, sp.diff(sol, t)


def quadratic_mode_residual() -> sp.Expr:
    """The closed form put back into the ODE and the initial conditions (three residuals summed in squares)."""
    x, xd = quadratic_mode_solution()
    r_ode = sp.simplify(lam * sp.diff(x, t, 2) + sp.diff(x, t) + h * x)
    return sp.simplify(r_ode ** 2 + (x.subs(t, 0) - x0) ** 2 + (xd.subs(t, 0) - v0) ** 2)


def formulas() -> list[Formula]:
    """Formulas the numerics use, each derived above (never copied by hand)."""
    bet = 1 - c
    cb = {c: 1 - beta}
    step, mom = momentum_parameters(backward_scheme_update())
    lam_c, eps_c = central_inversion()
    x, xd = quadratic_mode_solution()
    gh, bh = paper_accelerated(rho, gamma, beta)
    # MGD update obtained by substituting Prop. 1's (λ, ε) into the solved scheme (2).
    derived_update = sp.simplify(backward_scheme_update().subs(
        {lam: paper_lambda(gamma, bet), eps: paper_eps(gamma, bet)}).subs(cb))
    return [
        Formula("lambda_of", (gamma, beta), sp.simplify(paper_lambda(gamma, bet).subs(cb)),
                "λ = γ/(1−β)² (Prop. 1)."),
        Formula("eps_of", (gamma, beta), sp.simplify(paper_eps(gamma, bet)).subs(cb),
                "Discretisation step ε = √(λγ) = γ/(1−β) (Prop. 1)."),
        Formula("lambda_central_of", (gamma, beta), lam_c.subs(cb), "λ of the central scheme (App. A)."),
        Formula("mgd_params_of", (lam, eps), (step, mom), "(γ, β) = (ε²/λ, 1 − ε/λ) of scheme (2)."),
        Formula("mgd_update", (w, w_prev, g, gamma, beta), derived_update,
                "One MGD(γ, β) step, derived from scheme (2) with Prop. 1's λ and ε."),
        Formula("accelerated_params", (rho, gamma, beta), (gh, bh), "Cor. 1: (ρ²γ, 1 − ρ(1−β))."),
        Formula("mgf_quadratic_mode", (t, x0, v0, lam, h), (x, xd),
                "Closed-form MGF(λ) on one eigen-direction h of a quadratic: (x(t), ẋ(t)); needs 4λh ≠ 1 "
                "(pass complex inputs when 4λh > 1 and take the real part)."),
    ]
