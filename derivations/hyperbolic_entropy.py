"""The hyperbolic entropy ψ_Δ of Papazov et al. eq. (6), coordinate by coordinate (momentum_dln §3.1, App. E).

ψ_Δ(θ) = ¼ Σᵢ (2θᵢ arcsinh(2θᵢ/Δᵢ) − √(4θᵢ² + Δᵢ²) + Δᵢ) is separable, so everything here is written
for one coordinate (θ, Δ) and the numerics sum over coordinates. The functions return SymPy
expressions (derivatives, Bregman divergences, limits of ratios); the checks decide.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula

theta, theta_ref, z = sp.symbols("theta theta_ref z", real=True)
delta, x, c = sp.symbols("delta x c", positive=True)

ScalarPotential = Callable[[sp.Expr, sp.Expr], sp.Expr]


def psi(th: sp.Expr = theta, dl: sp.Expr = delta) -> sp.Expr:
    """Eq. (6), one coordinate: ¼(2θ arcsinh(2θ/Δ) − √(4θ² + Δ²) + Δ)."""
    return sp.Rational(1, 4) * (2 * th * sp.asinh(2 * th / dl) - sp.sqrt(4 * th ** 2 + dl ** 2) + dl)


def grad_psi(th: sp.Expr = theta, dl: sp.Expr = delta, potential: ScalarPotential = psi) -> sp.Expr:
    """∂ψ_Δ/∂θ, simplified (the paper states ½ arcsinh(2θ/Δ))."""
    return sp.simplify(sp.diff(potential(theta, delta), theta)).subs({theta: th, delta: dl})


def hess_psi(th: sp.Expr = theta, dl: sp.Expr = delta, potential: ScalarPotential = psi) -> sp.Expr:
    """∂²ψ_Δ/∂θ² (the paper states 1/√(4θ² + Δ²))."""
    return sp.simplify(sp.diff(potential(theta, delta), theta, 2)).subs({theta: th, delta: dl})


def grad_psi_inverse(zz: sp.Expr = z, dl: sp.Expr = delta) -> sp.Expr:
    """The mirror map's inverse: the θ solving ∇ψ_Δ(θ) = z (solved by SymPy from the derived gradient)."""
    sol = sp.solve(sp.Eq(grad_psi(theta, delta), z), theta)
    return sp.simplify(sol[0]).subs({z: zz, delta: dl})


def conjugate_psi(zz: sp.Expr = z, dl: sp.Expr = delta) -> sp.Expr:
    """Convex conjugate ψ*_Δ(z) = ∫₀ᶻ (∇ψ_Δ)⁻¹ (ψ*(0) = −min ψ_Δ = 0); used by the dual argmin solver."""
    s = sp.Symbol("s", real=True)
    return sp.simplify(sp.integrate(grad_psi_inverse(s, delta), (s, 0, z))).subs({z: zz, delta: dl})


def bregman(th: sp.Expr = theta, ref: sp.Expr = theta_ref, dl: sp.Expr = delta,
            potential: ScalarPotential = psi) -> sp.Expr:
    """D_ψ(θ, θ_ref) = ψ(θ) − ψ(θ_ref) − ψ'(θ_ref)(θ − θ_ref), one coordinate."""
    g = sp.simplify(sp.diff(potential(theta, delta), theta))
    return (potential(th, dl) - potential(ref, dl) - g.subs({theta: ref, delta: dl}) * (th - ref))


def gradient_residual() -> sp.Expr:
    """Derived ∇ψ_Δ minus the paper's ½ arcsinh(2θ/Δ) (C.2, C.3.3)."""
    return sp.simplify(grad_psi() - sp.asinh(2 * theta / delta) / 2)


def hessian_residual() -> sp.Expr:
    """Derived ∇²ψ_Δ minus the paper's 1/√(4θ² + Δ²) (C.2)."""
    return sp.simplify(hess_psi() - 1 / sp.sqrt(4 * theta ** 2 + delta ** 2))


def conjugate_residual() -> sp.Expr:
    """Fenchel equality ψ*(∇ψ(θ)) + ψ(θ) − θ∇ψ(θ) (zero iff ψ* is the conjugate of ψ_Δ)."""
    g = grad_psi()
    return sp.simplify(conjugate_psi(g, delta) + psi() - theta * g)


def small_scale_ratio_limit(claimed: Callable[[sp.Expr, sp.Expr], sp.Expr]) -> sp.Expr:
    """lim_{Δ→0⁺} ψ_Δ(θ)/claimed(θ, Δ) for θ > 0 (ψ_Δ is even in θ, so θ > 0 suffices)."""
    th = sp.Symbol("theta_pos", positive=True)
    return sp.limit(psi(th, delta) / claimed(th, delta), delta, 0, "+")


def large_scale_ratio_limit(claimed: Callable[[sp.Expr, sp.Expr], sp.Expr]) -> sp.Expr:
    """lim_{Δ→∞} ψ_Δ(θ)/claimed(θ, Δ) for θ > 0."""
    th = sp.Symbol("theta_pos", positive=True)
    return sp.limit(psi(th, delta) / claimed(th, delta), delta, sp.oo)


def lemma4_paper(th: sp.Expr, dl: sp.Expr) -> sp.Expr:
    """Lemma 4 (App. E) as stated: ψ_Δ(θ) ~ ¼ ln(1/Δ)|θ| per coordinate."""
    return sp.Rational(1, 4) * sp.log(1 / dl) * sp.Abs(th)


def lemma4_corrected(th: sp.Expr, dl: sp.Expr) -> sp.Expr:
    """Corrected Lemma 4: ψ_Δ(θ) ~ ½ ln(1/Δ)|θ| per coordinate."""
    return sp.Rational(1, 2) * sp.log(1 / dl) * sp.Abs(th)


def poster_small_scale(th: sp.Expr, dl: sp.Expr) -> sp.Expr:
    """Poster: ψ_Δ ~ (log(4/Δ)/2)‖·‖₁ as Δ → 0."""
    return sp.log(4 / dl) / 2 * sp.Abs(th)


def poster_large_scale(th: sp.Expr, dl: sp.Expr) -> sp.Expr:
    """Poster: ψ_Δ ~ ‖·‖₂²/(2Δ) as Δ → ∞."""
    return th ** 2 / (2 * dl)


def arcsinh_log_limit() -> sp.Expr:
    """Lemma 4's proof step: lim_{x→∞} arcsinh(x)/ln(x) (claimed 1)."""
    return sp.limit(sp.asinh(x) / sp.log(x), x, sp.oo)


def formulas() -> list[Formula]:
    """Per-coordinate formulas for numerics/hyperbolic_entropy.py, all derived above."""
    return [
        Formula("psi_coord", (theta, delta), psi(), "ψ_Δ of eq. (6), one coordinate (sum over coordinates)."),
        Formula("grad_psi_coord", (theta, delta), grad_psi(), "∂ψ_Δ/∂θ, one coordinate."),
        Formula("grad_psi_inverse_coord", (z, delta), grad_psi_inverse(),
                "θ with ∇ψ_Δ(θ) = z (inverse mirror map), one coordinate."),
        Formula("conjugate_psi_coord", (z, delta), conjugate_psi(), "Convex conjugate ψ*_Δ(z), one coordinate."),
        Formula("bregman_coord", (theta, theta_ref, delta), bregman(),
                "D_ψΔ(θ, θ_ref), one coordinate (sum over coordinates)."),
    ]
