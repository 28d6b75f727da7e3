"""§3 and appendices B, C, E of Papazov et al. (momentum_dln): MGF on the diagonal linear network.

Symbolic identities along solutions, one coordinate at a time where the paper works coordinatewise:
generic functions of time stand for the trajectory, and second derivatives are eliminated through the
ODE. Each function returns a residual (zero iff the identity holds) or a limit/series; candidate formulas
are arguments so a test can pass a perturbed one.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula
from derivations.hyperbolic_entropy import grad_psi

t, s, tau = sp.symbols("t s tau", real=True)
lam, eps, a_pos, b_pos, Dl = sp.symbols("lambda epsilon a b Delta", positive=True)
xi_s, gL, Lval, f0 = sp.symbols("xi g L f0", real=True)
u, v = sp.Function("u")(t), sp.Function("v")(t)
G = sp.Function("G")  # a generic ∇L(θ_t) coordinate, as a function of time


def _mgf_uv_second_derivatives(g: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    """ü, v̈ from eq. (4): λü + u̇ + g v = 0, λv̈ + v̇ + g u = 0."""
    return {u.diff(t, 2): -(u.diff(t) + g * v) / lam, v.diff(t, 2): -(v.diff(t) + g * u) / lam}


def reparametrisation_residuals(stated_sign: dict[str, int] | None = None) -> dict[str, sp.Expr]:
    """App. B: with w± = u ± v, eq. (4) becomes (12); MGD becomes (13); θ = (w₊² − w₋²)/4, u² − v² = w₊w₋.

    ``stated_sign[name]`` is the sign of the ∇L term that (12)/(13) state for w₊ ("+") and w₋ ("-"), +1 and −1 as
    printed; it is kept apart from the sign that builds w = u ± v so that a wrong stated sign shows in either branch."""
    stated_sign = {"+": 1, "-": -1} if stated_sign is None else stated_sign
    g = G(t)
    eq_u = lam * u.diff(t, 2) + u.diff(t) + g * v
    eq_v = lam * v.diff(t, 2) + v.diff(t) + g * u
    out = {}
    for sign, name in ((1, "+"), (-1, "-")):
        w = u + sign * v
        eq12 = lam * w.diff(t, 2) + w.diff(t) + stated_sign[name] * g * w
        out[f"eq. (12), w{name}"] = sp.simplify(eq12 - (eq_u + sign * eq_v))
    uk, uk1, vk, vk1, gk, gam, bet = sp.symbols("u_k u_km1 v_k v_km1 g_k gamma beta", real=True)
    u_next = uk - gam * gk * vk + bet * (uk - uk1)
    v_next = vk - gam * gk * uk + bet * (vk - vk1)
    for sign, name in ((1, "+"), (-1, "-")):
        wk, wk1 = uk + sign * vk, uk1 + sign * vk1
        stated = wk - stated_sign[name] * gam * gk * wk + bet * (wk - wk1)
        out[f"eq. (13), w{name}"] = sp.expand(u_next + sign * v_next - stated)
    wp, wm = u + v, u - v
    out["theta = (w+^2 - w-^2)/4"] = sp.expand(u * v - (wp ** 2 - wm ** 2) / 4)
    out["u^2 - v^2 = w+ w-"] = sp.expand(u ** 2 - v ** 2 - wp * wm)
    return out


def energy_residual(n_coords: int = 2) -> sp.Expr:
    """Eq. (14): dE/dt + ‖ẇ‖² on solutions of λẅ + ẇ + ∇F(w) = 0, for a generic F of ``n_coords`` variables."""
    ws = [sp.Function(f"w{i}")(t) for i in range(n_coords)]
    F = sp.Function("F")(*ws)
    E = F + lam / 2 * sum(w.diff(t) ** 2 for w in ws)
    dE = E.diff(t)
    sub = {w.diff(t, 2): -(w.diff(t) + sp.diff(F, w)) / lam for w in ws}
    return sp.simplify(dE.subs(sub) + sum(w.diff(t) ** 2 for w in ws))


def gf_balancedness_derivative() -> sp.Expr:
    """d/dt (u² − v²) under gradient flow u̇ = −g v, v̇ = −g u (claimed 0)."""
    g = G(t)
    d = (u ** 2 - v ** 2).diff(t)
    return sp.simplify(d.subs({u.diff(t): -g * v, v.diff(t): -g * u}))


def gf_mirror_flow_residual() -> sp.Expr:
    """§3.4: d/dt ∇ψ_Δ₀(θ_t) + ∇L(θ_t) under GF, with θ = uv and Δ₀ = u² − v² (> 0, conserved)."""
    g = G(t)
    vv, D0 = sp.Symbol("v", real=True), sp.Symbol("Delta0", positive=True)
    uu = sp.sqrt(vv ** 2 + D0)  # values at time t on the branch u² − v² = Δ₀ > 0 (u < 0 is symmetric)
    theta_t = u * v
    dtheta = theta_t.diff(t).subs({u.diff(t): -g * v, v.diff(t): -g * u})
    d_grad = sp.diff(grad_psi(sp.Symbol("th"), Dl), sp.Symbol("th"))  # ∂/∂θ of ½ arcsinh(2θ/Δ)
    expr = d_grad.subs({sp.Symbol("th"): theta_t, Dl: u ** 2 - v ** 2}) * dtheta + g
    return sp.simplify(sp.factor(expr.subs({u: uu, v: vv}), deep=True))


def log_ode_residual(sign: int = 1) -> sp.Expr:
    """Eq. (17): λg̈ + ġ ± ∇L + λ(ẇ/w)² with g = ln|w| and λẅ + ẇ ± ∇L w = 0 (w ≠ 0)."""
    w = sp.Function("w")(t)
    gfun = sp.log(w)  # on an interval where w > 0; w < 0 gives ln(−w), whose derivatives are the same
    lhs = lam * gfun.diff(t, 2) + gfun.diff(t) + sign * G(t) + lam * (w.diff(t) / w) ** 2
    return sp.simplify(lhs.subs(w.diff(t, 2), -(w.diff(t) + sign * G(t) * w) / lam))


def xi_closed_form(tt: sp.Expr = t) -> sp.Expr:
    """App. C.2: ξ_t = −∫₀ᵗ ∇L(θ_s)(1 − e^{−(t−s)/λ}) ds."""
    return -sp.Integral(G(s) * (1 - sp.exp(-(tt - s) / lam)), (s, 0, tt))


def xi_residuals(candidate: Callable[[sp.Expr], sp.Expr] = xi_closed_form) -> dict[str, sp.Expr]:
    """λξ̈ + ξ̇ + ∇L = 0 with ξ₀ = ξ̇₀ = 0 for the candidate closed form."""
    xi = candidate(t)
    ode = sp.simplify((lam * xi.diff(t, 2) + xi.diff(t) + G(t)).doit())
    return {"ODE": ode, "xi_0": sp.simplify(xi.subs(t, 0).doit()),
            "xi'_0": sp.simplify(xi.diff(t).doit().subs(t, 0))}


def sinh_representation_residuals() -> dict[str, sp.Expr]:
    """App. C.2 with |α₊| = a, |α₋| = b, Δ = ab, w₊² = a² e^{2ξ}, w₋² = b² e^{−2ξ}:
    θ = ½Δ sinh(2ξ + ln(a/b)); φ = ½ ln(a/b) has sinh(2φ) = (a² − b²)/(2Δ) (so φ = ½ arcsinh(...));
    and 2θ/Δ = sinh(2(ξ + φ)), i.e. ∇Φ_t(θ_t) = ½ arcsinh(2θ_t/Δ_t) − φ_t = ξ_t (arcsinh is injective)."""
    a, b, xi = a_pos, b_pos, xi_s
    theta_w = (a ** 2 * sp.exp(2 * xi) - b ** 2 * sp.exp(-2 * xi)) / 4
    Delta = a * b
    phi = sp.log(a / b) / 2
    def rw(e: sp.Expr) -> sp.Expr:
        return sp.simplify(sp.expand(e.rewrite(sp.exp)))
    return {
        "theta = Delta/2 sinh(2 xi + ln(a/b))": rw(theta_w - Delta / 2 * sp.sinh(2 * xi + sp.log(a / b))),
        "sinh(2 phi) = (a^2 - b^2)/(2 Delta)": rw(sp.sinh(2 * phi) - (a ** 2 - b ** 2) / (2 * Delta)),
        "2 theta/Delta = sinh(2(xi + phi))": rw(2 * theta_w / Delta - sp.sinh(2 * (xi + phi))),
    }


def potential_gradient_residuals() -> dict[str, sp.Expr]:
    """Eq. (15): ∇Φ_t = ½ arcsinh(2θ/Δ_t) − φ_t and ∇²Φ_t = 1/√(4θ² + Δ_t²) for Φ_t = ψ_Δt − φ_t θ."""
    th = sp.Symbol("theta", real=True)
    phi = sp.Symbol("phi", real=True)
    from derivations.hyperbolic_entropy import psi
    Phi = psi(th, Dl) - phi * th
    return {"gradient": sp.simplify(Phi.diff(th) - (sp.asinh(2 * th / Dl) / 2 - phi)),
            "hessian": sp.simplify(Phi.diff(th, 2) - 1 / sp.sqrt(4 * th ** 2 + Dl ** 2))}


def perturbed_initialisation() -> tuple[sp.Expr, sp.Expr]:
    """C.3.1: solve ∇Φ∞(θ̃₀) = 0 with Δ∞ = ab, φ∞ = ½ ln(a/b); returns (solution, minus (a² − b²)/4)."""
    th = sp.Symbol("theta", real=True)
    sol = sp.solve(sp.Eq(sp.asinh(2 * th / (a_pos * b_pos)) / 2, sp.log(a_pos / b_pos) / 2), th)
    val = sp.simplify(sol[0].rewrite(sp.exp))
    return val, sp.simplify(val - (a_pos ** 2 - b_pos ** 2) / 4)


def bregman_cosine_residual() -> sp.Expr:
    """D(a,c) − D(a,b) − D(b,c) − ⟨a − b, Φ'(b) − Φ'(c)⟩ for a generic Φ (one coordinate; sums add)."""
    Phi = sp.Function("Phi")
    x1, x2, x3 = sp.symbols("x1 x2 x3", real=True)
    def dP(p: sp.Expr) -> sp.Expr:
        return sp.Subs(sp.Derivative(Phi(s), s), s, p)

    def D(p: sp.Expr, q: sp.Expr) -> sp.Expr:
        return Phi(p) - Phi(q) - dP(q) * (p - q)
    return sp.simplify(D(x1, x3) - D(x1, x2) - D(x2, x3) - (x1 - x2) * (dP(x2) - dP(x3)))


def bregman_linear_objective_residual() -> sp.Expr:
    """∂/∂θ of D_ψΔ(θ, θ̃) − [ψ_Δ(θ) − ∇ψ_Δ(θ̃)θ] (zero: the two objectives differ by a constant)."""
    from derivations.hyperbolic_entropy import bregman, psi
    th, ref = sp.symbols("theta theta_ref", real=True)
    diff = bregman(th, ref, Dl) - (psi(th, Dl) - grad_psi(ref, Dl) * th)
    return sp.simplify(sp.diff(diff, th))


def lemma5_residuals() -> dict[str, sp.Expr]:
    """Lemma 5: f = f₀e^{−t/λ} − (1/λ)∫₀ᵗ g e^{−(t−s)/λ} solves λḟ + f + g = 0, f(0) = f₀; and
    d/dT[∫₀ᵀ f − λf₀(1 − e^{−T/λ}) + ∫₀ᵀ g(t)(1 − e^{−(T−t)/λ})dt] = 0 with value 0 at T = 0 (Fubini)."""
    g = G
    f = f0 * sp.exp(-t / lam) - sp.Integral(g(s) * sp.exp(-(t - s) / lam), (s, 0, t)) / lam
    ode = sp.simplify((lam * f.diff(t) + f + g(t)).doit())
    T = sp.Symbol("T", positive=True)
    r = sp.Symbol("r", real=True)
    lhs = sp.Integral(f.subs(t, r), (r, 0, T))
    rhs = lam * f0 * (1 - sp.exp(-T / lam)) - sp.Integral(g(s) * (1 - sp.exp(-(T - s) / lam)), (s, 0, T))
    d = sp.simplify((lhs - rhs).diff(T).doit())
    return {"ODE": ode, "f(0)": sp.simplify(f.subs(t, 0).doit() - f0), "d/dT Fubini": d,
            "Fubini at T=0": sp.simplify((lhs - rhs).subs(T, 0).doit())}


def lemma5_dsolve_residual() -> sp.Expr:
    """Lemma 5's closed form against ``dsolve`` on a concrete forcing g(t) = sin t + t."""
    f = sp.Function("f")
    g = sp.sin(t) + t
    sol = sp.dsolve(lam * f(t).diff(t) + f(t) + g, f(t), ics={f(0): f0}).rhs
    closed = f0 * sp.exp(-t / lam) - sp.integrate(g.subs(t, s) * sp.exp(-(t - s) / lam), (s, 0, t)) / lam
    return sp.simplify(sol - closed)


def eq30_residual() -> sp.Expr:
    """Eq. (30): λ d/dt(u̇u − v̇v) + (u̇u − v̇v) − λ(u̇² − v̇²) on solutions of eq. (4) (claimed 0)."""
    q = u.diff(t) * u - v.diff(t) * v
    expr = lam * q.diff(t) + q - lam * (u.diff(t) ** 2 - v.diff(t) ** 2)
    return sp.simplify(expr.subs(_mgf_uv_second_derivatives(G(t))))


def crossing_sum_limit(N: int, prefactor: sp.Expr) -> sp.Expr:
    """lim_{τ→∞} prefactor · Σ_{k=1}^N (−1)^{N−k}(1 − e^{−(τ−T_k)/λ}) for symbolic crossing times T_k."""
    Ts = sp.symbols(f"T1:{N + 1}", positive=True)
    expr = prefactor * sum((-1) ** (N - k) * (1 - sp.exp(-(tau - Ts[k - 1]) / lam)) for k in range(1, N + 1))
    return sp.simplify(sp.limit(expr, tau, sp.oo))


def jump_relation_series(order: int = 3) -> dict[str, sp.Expr]:
    """App. C.3.2 at a zero T of w: with w = a σ + b σ² + c σ³ + e σ⁴ (σ = t − T) solving λẅ + ẇ ± ∇L w = 0,
    λẅ_T + ẇ_T = 0 forces b = −a/(2λ), i.e. ẅ_T/ẇ_T = −1/λ. Returns the series in ε of
    g(T+ε) − g(T−ε) and ġ(T+ε) + ġ(T−ε) + 1/λ (g = ln|w|); both are claimed O(ε)."""
    a, c, e = sp.symbols("a c e", nonzero=True, real=True)
    sg = sp.Symbol("sigma", real=True)
    b = -a / (2 * lam)
    w = a * sg + b * sg ** 2 + c * sg ** 3 + e * sg ** 4
    ratio = sp.diff(w, sg) / w  # ġ = ẇ/w on either side
    g_jump = sp.log((w.subs(sg, eps) / (-w.subs(sg, -eps))))  # ln|w(T+ε)| − ln|w(T−ε)| (opposite signs)
    dg_sum = ratio.subs(sg, eps) + ratio.subs(sg, -eps) + 1 / lam
    return {"g jump": sp.series(g_jump, eps, 0, order).removeO(),
            "g' sum + 1/lambda": sp.series(dg_sum, eps, 0, order).removeO(),
            "w''/w' at T": sp.simplify(sp.diff(w, sg, 2).subs(sg, 0) / sp.diff(w, sg).subs(sg, 0) + 1 / lam)}


def c5_ratio_residuals(cross_factor: sp.Expr = gL) -> dict[str, sp.Expr]:
    """App. C.5: ẇ/w = ∓∇L − λẅ/w, and (ẇ/w)² − [∇L² + λ²(ẅ/w)² ± 2λ·cross_factor·(ẅ/w)] (paper prints L)."""
    r2 = sp.Symbol("r2", real=True)  # ẅ/w
    out = {}
    for sign, name in ((1, "+"), (-1, "-")):
        ratio = -sign * gL - lam * r2  # from λẅ + ẇ ± ∇L w = 0 divided by w
        out[f"ratio {name}"] = sp.simplify(ratio - (-(lam * r2 * 1 + sign * gL)))
        out[f"square {name}"] = sp.expand(ratio ** 2 - (gL ** 2 + lam ** 2 * r2 ** 2
                                                         + sign * 2 * lam * cross_factor * r2))
    return out


#: The per-coordinate blocks of the MGF state in numerics/momentum_flow.py (same order), and the local variables
#: their right-hand sides depend on: a coordinate's own entries and g = ∇L(θ)ᵢ (which couples coordinates).
STATE_BLOCKS = ("p", "m", "vp", "vm", "J", "eta", "G", "P", "Q", "A", "Kp", "Km", "Mp", "Mm")
LOCAL_VARS = ("p", "m", "vp", "vm", "eta", "Q", "Mp", "Mm", "g")
_sv = {name: sp.Symbol(name, real=True) for name in LOCAL_VARS}


def mgf_state_rhs() -> tuple[sp.Expr, ...]:
    """Right-hand side of each state block, one coordinate (eq. 12 in (w₊, w₋) = (p, m) with velocities (vp, vm),
    and the path integrals of numerics/momentum_flow.py's table); the order is STATE_BLOCKS."""
    p, m, vp, vm, eta, Q, Mp, Mm, g = (_sv[k] for k in LOCAL_VARS)
    rp, rm = (vp / p) ** 2, (vm / m) ** 2
    return (vp, vm, -(vp + g * p) / lam, -(vm - g * m) / lam, g, -(eta + g) / lam, g ** 2, vp * vm,
            vp * vm - Q / lam, sp.Abs(vp * vm), rp, rm, rp - Mp / lam, rm - Mm / lam)


def mgf_state_jacobian() -> tuple[sp.Expr, ...]:
    """∂(rhs of block a)/∂(local variable b) for a in STATE_BLOCKS, b in LOCAL_VARS (row-major), by differentiation."""
    return tuple(sp.diff(f, _sv[v]) for f in mgf_state_rhs() for v in LOCAL_VARS)


def theta_partials() -> tuple[sp.Expr, sp.Expr]:
    """∂θ/∂w₊ and ∂θ/∂w₋ for θ = (w₊² − w₋²)/4 (App. B): the chain rule of g = H θ − b."""
    p, m = _sv["p"], _sv["m"]
    th = (p ** 2 - m ** 2) / 4
    return sp.diff(th, p), sp.diff(th, m)


def kinetic_rate() -> sp.Expr:
    """u̇² + v̇² in (w₊, w₋) velocities: ((ẇ₊ + ẇ₋)² + (ẇ₊ − ẇ₋)²)/4, simplified."""
    vp, vm = _sv["vp"], _sv["vm"]
    return sp.expand(((vp + vm) ** 2 + (vp - vm) ** 2) / 4)


def formulas() -> list[Formula]:
    """Formulas for numerics/momentum_flow.py: the MGF right-hand side and its Jacobian (local part and the
    partials of θ), the sinh representation and φ_t (App. C.2)."""
    a, b, xi = sp.symbols("a b xi", real=True)
    Delta = sp.Abs(a * b)
    local = tuple(_sv[k] for k in LOCAL_VARS) + (lam,)
    rhs = mgf_state_rhs()
    n_base = STATE_BLOCKS.index("Kp")
    base_args = tuple(_sv[k] for k in ("p", "m", "vp", "vm", "eta", "Q", "g")) + (lam,)
    ratio_args = tuple(_sv[k] for k in ("p", "m", "vp", "vm", "Mp", "Mm")) + (lam,)
    return [
        Formula("mgf_rhs_coord", base_args, rhs[:n_base],
                "Right-hand sides of the state blocks " + ", ".join(STATE_BLOCKS[:n_base]) + " for one coordinate."),
        Formula("mgf_rhs_ratio_coord", ratio_args, rhs[n_base:],
                "Right-hand sides of the ratio blocks " + ", ".join(STATE_BLOCKS[n_base:]) + " for one coordinate."),
        Formula("mgf_jac_coord", local, mgf_state_jacobian(),
                "Row-major ∂(block rhs)/∂(local variable): blocks " + ", ".join(STATE_BLOCKS) + "; variables "
                + ", ".join(LOCAL_VARS) + "."),
        Formula("theta_partials", (_sv["p"], _sv["m"]), theta_partials(), "(∂θ/∂w₊, ∂θ/∂w₋) for θ = (w₊² − w₋²)/4."),
        Formula("kinetic_rate", (_sv["vp"], _sv["vm"]), kinetic_rate(),
                "One coordinate's ‖(u̇, v̇)‖² = (ẇ₊² + ẇ₋²)/2 (the Ekin state's rate, summed over coordinates)."),
        Formula("kinetic_rate_partials", (_sv["vp"], _sv["vm"]),
                tuple(sp.diff(kinetic_rate(), _sv[v]) for v in ("vp", "vm")), "∂/∂(ẇ₊, ẇ₋) of kinetic_rate."),
        Formula("phi_of_alpha", (a, b), sp.asinh((a ** 2 - b ** 2) / (2 * Delta)) / 2,
                "φ_t = ½ arcsinh((α₊² − α₋²)/(2Δ_t)), Δ_t = |α₊α₋| (App. C.2)."),
        Formula("grad_potential", (sp.Symbol("theta", real=True), Dl, sp.Symbol("phi", real=True)),
                sp.asinh(2 * sp.Symbol("theta", real=True) / Dl) / 2 - sp.Symbol("phi", real=True),
                "∇Φ_t(θ) = ½ arcsinh(2θ/Δ_t) − φ_t (eq. 15)."),
    ]
