"""The flows the Taylor integrator solves, as SymPy right-hand sides taken from the topic derivations.

Each function returns the :class:`derivations.taylor.FlowSpec` of one flow; :data:`TOPICS` groups them into the
generated modules ``numerics/generated/<topic>_taylor.py`` (``python -m derivations regenerate`` writes them).
A ``Symbol`` state block is a vector of coordinates (entrywise operations); the coordinates couple through the data:
``MatVec(H, θ) − b`` is the gradient ∇L(θ) = Hθ − b of L(θ) = ‖Xθ − y‖²/(2n), H = XᵀX/n, b = Xᵀy/n. The state
layouts are those of the float64 solvers in numerics/ (same blocks, same order), so a state converts one to one.
"""
from __future__ import annotations

import sympy as sp

from derivations import hb_nag as HB
from derivations import momentum_flow as MF
from derivations import sign_descent as SD
from derivations.taylor import CoordSum, FlowSpec, MatVec

H, b, s = sp.Symbol("H"), sp.Symbol("b", real=True), sp.Symbol("s", real=True)


def least_squares_gradient(theta: sp.Expr) -> sp.Expr:
    """∇L(θ) = Hθ − b (H and b are run-time data)."""
    return MatVec(H, theta) - b


# --- momentum_dln: MGF(λ) on the diagonal network (numerics/momentum_flow.py's state) ------------------------------
def mgf(ratios: bool = False) -> FlowSpec:
    """MGF(λ) in (w₊, w₋) = (p, m) with the path integrals of numerics/momentum_flow.py (blocks STATE_BLOCKS of
    derivations/momentum_flow.py, without the ratio blocks unless ``ratios``, then Ekin); θ = (w₊² − w₋²)/4 (App. B)."""
    sv = {name: sp.Symbol(name, real=True) for name in MF.LOCAL_VARS}
    theta = (sv["p"] ** 2 - sv["m"] ** 2) / 4
    g = least_squares_gradient(theta)
    names = MF.STATE_BLOCKS if ratios else MF.STATE_BLOCKS[:MF.STATE_BLOCKS.index("Kp")]
    rhs = [e.subs(sv["g"], g) for e in MF.mgf_state_rhs()[:len(names)]]
    blocks = [(n, sv.get(n, sp.Symbol(n, real=True))) for n in names] + [("Ekin", sp.Symbol("Ekin", real=True))]
    rhs.append(CoordSum(MF.kinetic_rate()))
    name = "mgf_ratios" if ratios else "mgf"
    return FlowSpec(name, tuple(blocks), tuple(rhs), (MF.lam, H, b),
                    "MGF(λ) on the diagonal network, eq. (12) with the path integrals of numerics/momentum_flow.py"
                    + (" and the ratio integrals (ẇ±/w±)²" if ratios else "") + ".")


# --- hb_nag: the second-order flow (17) and the first-order flow, with φ and ∫∂L ------------------------------------
def hb_nag_flow(second_order: bool = True) -> FlowSpec:
    """α ẅ + ẇ + ∇L(w)/(1−μ) = 0 on w = (u, v), θ = u⊙u − v⊙v (eq. 17; ∂_uL = 2u∂_θL, ∂_vL = −2v∂_θL by Property 1),
    with φ̇ = 8(∂_θL)²/(1−μ)² and J̇ = ∂_θL in the state; the first-order flow (α = 0) is ẇ = −∇L/(1−μ), the
    velocities of eq. (20) without their α term."""
    u, v, ud, vd = HB.u, HB.v, HB.ud, HB.vd
    phi, J = HB.phi, sp.Symbol("J", real=True)
    g = least_squares_gradient(u ** 2 - v ** 2)
    first_u, first_v = (e.subs({HB.U1: 0, HB.V1: 0}).subs(HB.g, g) for e in HB.slow_velocities())
    integrals = [8 * g ** 2 / (1 - HB.mu) ** 2, g]
    if second_order:
        state = (("u", u), ("v", v), ("ud", ud), ("vd", vd), ("phi", phi), ("J", J))
        rhs = (ud, vd, (first_u - ud) / HB.alpha, (first_v - vd) / HB.alpha, *integrals)
        return FlowSpec("hb_nag_flow", state, rhs, (HB.alpha, HB.mu, H, b),
                        "The HB/NAG flow (17) with φ = 8/(1−μ)² ∫(∂L)² and ∫∂L (numerics/hb_nag.py's state).")
    state = (("u", u), ("v", v), ("phi", phi), ("J", J))
    return FlowSpec("hb_nag_first_order", state, (first_u, first_v, *integrals), (HB.mu, H, b),
                    "The first-order flow ẇ = −∇L/(1−μ) with φ and ∫∂L (numerics/hb_nag.py's state for α = 0).")


# --- sign_descent: smoothed sign flow (12) with the dual integral (14), its dual system, and GD ---------------------
def ssd_flow() -> FlowSpec:
    """(12) on (w₊, w₋) with ∫₀ᵗ (14) in the state; (14) is evaluated at the dominating weight
    w_d = (1+s)/2 w₊ + (1−s)/2 w₋, s = −sign g(0) (a data vector of ±1), as numerics/sign_descent.py does."""
    g = least_squares_gradient(SD.beta_of(SD.wp, SD.wm))
    rp, rm = (e.subs(SD.g, g) for e in SD.ssd_weight_rates())
    w_dom = (1 + s) / 2 * SD.wp + (1 - s) / 2 * SD.wm
    dual = SD.paper_eq14(w_dom, g)
    state = (("wp", SD.wp), ("wm", SD.wm), ("integral", sp.Symbol("I", real=True)))
    return FlowSpec("ssd", state, (rp, rm, dual), (SD.eps, H, b, s),
                    "Smoothed sign descent (12) with ∫(14) at the dominating weight (numerics/sign_descent.py).")


def ssd_dual_flow() -> FlowSpec:
    """Prop. 3.6's dual system: θ̇ = (14) at w_d = |θ|, ξ̇ = the non-dominating weight's rate from (12), with
    β = s(θ² − ξ²) (numerics/sign_descent.py's solve_ssd_dual)."""
    theta, xi = SD.theta, SD.xi
    g = least_squares_gradient(s * (theta ** 2 - xi ** 2))
    rp, rm = (e.subs({SD.wp: xi, SD.wm: xi}).subs(SD.g, g) for e in SD.ssd_weight_rates())
    state = (("theta", theta), ("xi", xi))
    rhs = (SD.paper_eq14(sp.Abs(theta), g), (1 + s) / 2 * rm + (1 - s) / 2 * rp)
    return FlowSpec("ssd_dual", state, rhs, (SD.eps, H, b, s),
                    "The dual system (θ, ξ) of Prop. 3.6 (numerics/sign_descent.py's solve_ssd_dual).")


def gd_flow() -> FlowSpec:
    """Gradient flow (71)–(72) on (w₊, w₋) with ∫₀ᵗ −4g in the state (App. C, eq. 10's dual rate)."""
    g = least_squares_gradient(SD.beta_of(SD.wp, SD.wm))
    rp, rm = (e.subs(SD.g, g) for e in SD.gd_weight_rates())
    state = (("wp", SD.wp), ("wm", SD.wm), ("integral", sp.Symbol("I", real=True)))
    return FlowSpec("gd", state, (rp, rm, -4 * g), (H, b),
                    "Gradient flow (71)–(72) with ∫ −4g (numerics/sign_descent.py's solve_gd).")


# --- matrix_factorization: the gradient flows on U (symmetric) and on (U, V) ---------------------------------------
m_, n_, k_ = sp.symbols("m n k", integer=True, positive=True)


def mf_symmetric_flow() -> FlowSpec:
    """U' = 2(Y − UUᵀ)U (§2; its X = UUᵀ solves the Riccati equation (5)), U m×k, Y symmetric m×m."""
    U, Y = sp.MatrixSymbol("U", m_, k_), sp.MatrixSymbol("Y", m_, m_)
    return FlowSpec("mf_symmetric", (("U", U),), (2 * (Y - U * U.T) * U,), (Y,),
                    "Gradient flow of ½‖Y − UUᵀ‖² (§2, eq. 5 for X = UUᵀ).")


def mf_asymmetric_flow() -> FlowSpec:
    """U' = (Y − UVᵀ)V, V' = (Y − UVᵀ)ᵀU (eq. 10), U m×k, V n×k, Y m×n."""
    U, V, Y = sp.MatrixSymbol("U", m_, k_), sp.MatrixSymbol("V", n_, k_), sp.MatrixSymbol("Y", m_, n_)
    E = Y - U * V.T
    return FlowSpec("mf_asymmetric", (("U", U), ("V", V)), (E * V, sp.Transpose(E) * U), (Y,),
                    "Gradient flow of ½‖Y − UVᵀ‖² on (U, V) (§3, eq. 10).")


#: generated module (numerics/generated/<topic>_taylor.py) -> (its docstring, the flows it holds)
TOPICS = {
    "momentum_flow": ("Taylor-coefficient recurrences of MGF(λ) on the diagonal network (momentum_dln).",
                      lambda: [mgf(False), mgf(True)]),
    "hb_nag": ("Taylor-coefficient recurrences of the HB/NAG flows (hb_nag).",
               lambda: [hb_nag_flow(True), hb_nag_flow(False)]),
    "sign_descent": ("Taylor-coefficient recurrences of the smoothed sign flow, its dual system and GD (sign_descent).",
                     lambda: [ssd_flow(), ssd_dual_flow(), gd_flow()]),
    "matrix_factorization": ("Taylor-coefficient recurrences of the matrix-factorisation gradient flows.",
                             lambda: [mf_symmetric_flow(), mf_asymmetric_flow()]),
}
