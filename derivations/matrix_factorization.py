"""Implicit acceleration of gradient flow in overparameterised linear models (matrix_factorization).

Symbolic side of the paper (seed 004): every function returns SymPy residuals (zero iff the claim
holds), closed forms, limits or determinants; the checks decide. The paper's formulas are passed in
as arguments where a test may want to hand in a perturbed one.

Conventions. Matrix identities that hold for every size are proved with non-commutative symbols
(``ncs``) and the reduction rules of orthogonality / inverses (:func:`reduce_words`); identities that
need entries are proved on explicit symbolic matrices of small sizes (every entry a free symbol).
Closed forms that involve functions of a symmetric matrix are proved in its eigenbasis, where they
are scalar ("spectral factors"); the numerics assemble the matrices from those generated factors.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from derivations.codegen import Formula

t = sp.Symbol("t", nonnegative=True)
eta = sp.Symbol("eta", positive=True)
sigma = sp.Symbol("sigma", real=True)
sigma_pos = sp.Symbol("sigma", positive=True)
sigma0 = sp.Symbol("sigma0", nonnegative=True)
lam = sp.Symbol("lambda0", real=True)
x0, C, x, u, v, c = sp.symbols("x0 C x u v c", real=True)
a_abs = sp.Symbol("a", positive=True)   # |σ| in the stable form
E = sp.Symbol("E", positive=True)        # stands for e^{t s} in Prop. 3

ScalarClosedForm = Callable[..., sp.Expr]


# --- generic helpers ---------------------------------------------------------------------------------
def sym_matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of independent real symbols name_ij."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def sym_symmetric(name: str, n: int) -> sp.Matrix:
    """A symmetric matrix of independent real symbols (upper triangle)."""
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}_{min(i, j)}{max(i, j)}", real=True))


def grad_matrix(loss: sp.Expr, M: sp.Matrix) -> sp.Matrix:
    """∂loss/∂M entrywise."""
    return M.applyfunc(lambda e: sp.diff(loss, e))


def zero_matrix(M: sp.Matrix) -> sp.Matrix:
    """Entrywise expand-and-simplify (a residual matrix is zero iff every entry reduces to 0)."""
    return M.applyfunc(lambda e: sp.simplify(sp.expand(e)))


def ncs(names: str) -> tuple[sp.Symbol, ...]:
    """Non-commutative symbols (matrices of generic sizes)."""
    return sp.symbols(names, commutative=False)


def reduce_words(expr: sp.Expr, rules: dict[sp.Expr, sp.Expr], rounds: int = 6) -> sp.Expr:
    """Expand and apply word rules (e.g. Φᵀ·Φ → 1) until nothing changes."""
    out = sp.expand(expr)
    for _ in range(rounds):
        new = sp.expand(out.subs(rules))
        if new == out:
            break
        out = new
    return out


# --- §2 linear model (eq. 4) -------------------------------------------------------------------------
def linear_model_solution(y: sp.Expr, x0_: sp.Expr) -> sp.Expr:
    """Eq. (4), entrywise: X(t) = Y + (X0 − Y)e^{−t}."""
    return y + (x0_ - y) * sp.exp(-t)


def linear_model_residuals(
        solution: Callable[[sp.Expr, sp.Expr], sp.Expr] = linear_model_solution) -> dict[str, sp.Expr]:
    """X' + X − Y and X(0) − X0 for the candidate (entrywise, so for every matrix size)."""
    y, z = sp.symbols("y z", real=True)
    X = solution(y, z)
    return {"ode X'+X-Y": sp.simplify(sp.diff(X, t) + X - y), "initial value": sp.simplify(X.subs(t, 0) - z)}


def linear_model_psd_weights() -> tuple[sp.Expr, sp.Expr]:
    """X(t) = e^{−t}X0 + (1 − e^{−t})Y: the two weights of the convex combination."""
    y, z = sp.symbols("y z", real=True)
    X = sp.expand(linear_model_solution(y, z))
    return X.coeff(z), X.coeff(y)


# --- §2 symmetric factorisation: Riccati (5), Prop. 1, Cor. 1 ----------------------------------------
def paper_riccati_rhs(Y: sp.Matrix, X: sp.Matrix) -> sp.Matrix:
    """Eq. (5): X' = 2YX + 2XY − 4X²."""
    return 2 * Y * X + 2 * X * Y - 4 * X * X


def riccati_residual(m: int, k: int, rhs: Callable[[sp.Matrix, sp.Matrix], sp.Matrix] = paper_riccati_rhs) -> sp.Matrix:
    """d(UUᵀ)/dt along U' = 2(Y − UUᵀ)U minus rhs(Y, UUᵀ), for explicit m×k U and symmetric Y."""
    U, Y = sym_matrix("u", m, k), sym_symmetric("y", m)
    X = U * U.T
    Ud = 2 * (Y - X) * U
    return zero_matrix(Ud * U.T + U * Ud.T - rhs(Y, X))


def riccati_middle_form_residual(m: int = 2) -> sp.Matrix:
    """Eq. (5)'s middle form 2(Y − X)X + 2X(Y − X) minus its right-hand side."""
    X, Y = sym_symmetric("x", m), sym_symmetric("y", m)
    return zero_matrix(2 * (Y - X) * X + 2 * X * (Y - X) - paper_riccati_rhs(Y, X))


def rank_flow_factor_residual() -> sp.Expr:
    """Rank preservation: U(t) = F(t)U0 with F' = 2(Y − X(t))F, F(0) = I solves U' = 2(Y − X)U.

    Word identity (non-commutative): d/dt(F U0) − 2(Y − X)(F U0) with F' substituted.
    """
    F, U0, Y, X = ncs("F U0 Y X")
    Fdot = 2 * (Y - X) * F
    return sp.expand(Fdot * U0 - 2 * (Y - X) * (F * U0))


def lemma6_residual() -> sp.Expr:
    """Lemma 6: P = X2 X1⁻¹ with [X1; X2]' = [[−Aᵀ, R], [Q, A]][X1; X2] solves P' = AP + PAᵀ − PRP + Q.

    Non-commutative words (X1i = X1⁻¹, d(X1⁻¹) = −X1⁻¹ X1' X1⁻¹); zero for all sizes.
    """
    A, At, R, Q, X1, X2, X1i = ncs("A At R Q X1 X2 X1i")
    X1d = -At * X1 + R * X2
    X2d = Q * X1 + A * X2
    P = X2 * X1i
    Pdot = X2d * X1i - X2 * X1i * X1d * X1i
    res = Pdot - (A * P + P * At - P * R * P + Q)
    return reduce_words(res, {X1 * X1i: 1})


def lemma6_scalar_escape() -> tuple[sp.Expr, sp.Expr]:
    """Finite escape in Lemma 6: P' = −P², P(0) = p0 (A = Q = 0, R = 1) has X1 = 1 + p0 t and P = p0/(1 + p0 t)."""
    p0 = sp.Symbol("p0", real=True)
    X1 = 1 + p0 * t
    P = p0 / X1
    return X1, sp.simplify(sp.diff(P, t) + P ** 2)


def app_a_linear_system_residuals(m: int = 2, coupling: sp.Expr = 4) -> dict[str, sp.Matrix]:
    """(29) with (31): X2 = e^{2tY}X0, X1 = e^{−2tY} + e^{−2tY}Y⁻¹(e^{4tY} − I)X0 in Y's eigenbasis.

    Y = diag(σ_i) (the Riccati equation is equivariant under X ↦ ΦᵀXΦ), X0 generic symmetric.
    Returns X1' − (−2Y X1 + coupling·X2) (R = 4I in (29)), X2' − 2Y X2, and the initial values.
    """
    sig = [sp.Symbol(f"sigma_{i}", real=True, nonzero=True) for i in range(m)]
    Y = sp.diag(*sig)
    X0 = sym_symmetric("x0", m)
    e2 = sp.diag(*[sp.exp(2 * t * s) for s in sig])
    em2 = sp.diag(*[sp.exp(-2 * t * s) for s in sig])
    M = sp.diag(*[(sp.exp(4 * t * s) - 1) / s for s in sig])
    X1 = em2 + em2 * M * X0
    X2 = e2 * X0
    return {"X1'": zero_matrix(X1.diff(t) - (-2 * Y * X1 + coupling * X2)),
            "X2'": zero_matrix(X2.diff(t) - 2 * Y * X2),
            "X1(0)": zero_matrix(X1.subs(t, 0) - sp.eye(m)),
            "X2(0)": zero_matrix(X2.subs(t, 0) - X0),
            "X1 = e^{-2tY}(I + Y^-1(e^{4tY}-I)X0)": zero_matrix(X1 - em2 * (sp.eye(m) + M * X0))}


def prop1_factors(t_: sp.Expr, s: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Spectral factors of (6) on an eigenvalue s of Y: (e^{2ts}, s⁻¹(e^{4ts} − 1))."""
    return sp.exp(2 * t_ * s), (sp.exp(4 * t_ * s) - 1) / s


def prop1_scalar(t_: sp.Expr, s: sp.Expr, x0_: sp.Expr) -> sp.Expr:
    """(6) for 1×1 matrices: e^{2ts} x0 (1 + s⁻¹(e^{4ts} − 1)x0)⁻¹ e^{2ts}."""
    e, m = prop1_factors(t_, s)
    return e * x0_ / (1 + m * x0_) * e


def prop1_diagonal_residual(m: int = 2) -> sp.Matrix:
    """(6) put into (5) for Y = diag(σ1, σ2) and a generic symmetric X0: X' − rhs (must vanish)."""
    sig = [sp.Symbol(f"sigma_{i}", real=True, nonzero=True) for i in range(m)]
    Y = sp.diag(*sig)
    X0 = sym_symmetric("x0", m)
    fac = [prop1_factors(t, s) for s in sig]
    Em, Mm = sp.diag(*[f[0] for f in fac]), sp.diag(*[f[1] for f in fac])
    K = sp.eye(m) + Mm * X0
    X = Em * X0 * K.adjugate() * Em / K.det()
    res = X.diff(t) - paper_riccati_rhs(Y, X)
    return res.applyfunc(lambda e: sp.simplify(sp.factor(sp.together(e))))


def paper_cor1_sigma(t_: sp.Expr, s: sp.Expr, s0: sp.Expr) -> sp.Expr:
    """Eq. (7), first form: σ0 σ e^{4tσ} / (σ + σ0(e^{4tσ} − 1))."""
    e = sp.exp(4 * t_ * s)
    return s0 * s * e / (s + s0 * (e - 1))


def paper_cor1_sigma_second(t_: sp.Expr, s: sp.Expr, s0: sp.Expr) -> sp.Expr:
    """Eq. (7), second form: σ − σ(σ − σ0)/(σ + σ0(e^{4tσ} − 1))."""
    return s - s * (s - s0) / (s + s0 * (sp.exp(4 * t_ * s) - 1))


def cor1_residuals(first: ScalarClosedForm = paper_cor1_sigma,
                   second: ScalarClosedForm = paper_cor1_sigma_second) -> dict[str, sp.Expr]:
    """(7): both forms agree, solve σ' = 4σ_iσ − 4σ² (the eigen-component of (5)), start at σ0, and equal (6)."""
    f = first(t, sigma, sigma0)
    return {"forms agree": sp.simplify(f - second(t, sigma, sigma0)),
            "ode": sp.simplify(sp.diff(f, t) - (4 * sigma * f - 4 * f ** 2)),
            "initial value": sp.simplify(f.subs(t, 0) - sigma0),
            "equals (6)": sp.simplify(f - prop1_scalar(t, sigma, sigma0))}


def cor1_rate_limits(closed: ScalarClosedForm = paper_cor1_sigma) -> dict[str, sp.Expr]:
    """Rates of (7): lim e^{4tσ}(σ(t) − σ) for σ > 0 and lim e^{4t|σ|}σ(t) for σ < 0 (finite, nonzero)."""
    s0 = sp.Symbol("sigma0", positive=True)
    pos = sp.limit(sp.exp(4 * t * sigma_pos) * (closed(t, sigma_pos, s0) - sigma_pos), t, sp.oo)
    neg = sp.limit(sp.exp(4 * t * sigma_pos) * closed(t, -sigma_pos, s0), t, sp.oo)
    return {"sigma>0": sp.simplify(pos), "sigma<0": sp.simplify(neg)}


def psd_projection_scalar(s: sp.Expr) -> sp.Expr:
    """max(σ, 0) written as (σ + |σ|)/2 (prints with builtin abs)."""
    return (s + sp.Abs(s)) / 2


def remark_prop2_condition(s: sp.Expr, s0: sp.Expr) -> sp.Expr:
    """Spectral case of Prop. 2's condition: the eigenvalue 1 + |σ|⁻¹(σ0 − max(σ, 0)) of I + Ȳ⁻¹(X0 − Ŷ)."""
    return 1 + (s0 - psd_projection_scalar(s)) / sp.Abs(s)


def well_posedness_factor() -> dict[str, sp.Expr]:
    """App. A: the eigenvalues σ⁻¹(e^{4tσ} − 1) of Y⁻¹(e^{4tY} − I), for σ > 0 and σ < 0 (t ≥ 0)."""
    return {"sigma>0": prop1_factors(t, sigma_pos)[1], "sigma<0": prop1_factors(t, -sigma_pos)[1]}


# --- App. C: algebraic Riccati equation, stabilising solution, second closed form --------------------
def app_c_scalar_facts(projection: Callable[[sp.Expr], sp.Expr] | None = None) -> dict[str, sp.Expr]:
    """Per eigenvalue (cases σ > 0, σ < 0): Ŷ(Ŷ − Y) = 0 and Ā = 2Y − 4Ŷ = −2Ȳ (Ŷ = projection(σ))."""
    projection = projection or psd_projection_scalar
    out = {}
    for name, s in (("sigma>0", sigma_pos), ("sigma<0", -sigma_pos)):
        yh = projection(s)
        out[f"Yhat(Yhat-Y), {name}"] = sp.simplify(yh * (yh - s))
        out[f"ARE 2YX+2XY-4X^2 at Yhat, {name}"] = sp.simplify(4 * s * yh - 4 * yh ** 2)
        out[f"Abar + 2Ybar, {name}"] = sp.simplify(2 * s - 4 * yh + 2 * sp.Abs(s))
    return out


def app_c_reduction_residual() -> sp.Expr:
    """(33) ⇒ (30): for symmetric X, Y, XY + YX − 2X² = −K − Kᵀ with K = X(X − Y), so K = 0 gives the ARE (words)."""
    X, Y = ncs("X Y")
    K = X * X - X * Y            # K = X(X − Y); Kᵀ = X² − YX for symmetric X, Y
    Kt = X * X - Y * X
    return sp.expand((X * Y + Y * X - 2 * X * X) + K + Kt)


def app_c_delta_residual() -> sp.Expr:
    """(35): with ARE(Ŷ) = 0 and ARE(X2) = 0, Δ = Ŷ − X2 satisfies ĀΔ + ΔĀ + 4Δ² = 0 (Ā = 2Y − 4Ŷ).

    Returns ARE(Ŷ − Δ) − ARE(Ŷ) + (ĀΔ + ΔĀ + 4Δ²), which must expand to zero.
    """
    Y, Yh, D = ncs("Y Yh D")

    def are(Xm):
        return 2 * Y * Xm + 2 * Xm * Y - 4 * Xm * Xm

    Abar = 2 * Y - 4 * Yh
    return sp.expand(are(Yh - D) - are(Yh) + (Abar * D + D * Abar + 4 * D * D))


def app_c_lyapunov_residuals() -> dict[str, sp.Expr]:
    """(38)-(39): T = D⁻¹ turns DW4 + W4D + 4D² = 0 into TW4 + W4T + 4I = 0, solved by T = −2W4⁻¹;
    then the lower block of A2 = Ā + 4Δ is W4 + 4D = −W4."""
    D, T, W, Wi = ncs("D T W Wi")
    lyap = reduce_words(T * (D * W + W * D + 4 * D * D) * T - (T * W + W * T + 4), {T * D: 1, D * T: 1})
    sol = reduce_words((-2 * Wi) * W + W * (-2 * Wi) + 4, {Wi * W: 1, W * Wi: 1})
    block = sp.expand(W + 4 * (-W / 2) - (-W))  # D = T⁻¹ = −W4/2
    return {"Lyapunov form": lyap, "T = -2 W4^-1 solves it": sol, "A2 lower block = -W4": block}


def stable_factors(t_: sp.Expr, a: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Spectral factors of (41) on |σ| = a: (e^{−2ta}, a⁻¹(1 − e^{−4ta}))."""
    return sp.exp(-2 * t_ * a), (1 - sp.exp(-4 * t_ * a)) / a


def stable_scalar(t_: sp.Expr, s: sp.Expr, x0_: sp.Expr) -> sp.Expr:
    """(41) for 1×1: Ŷ + e^{−2t|σ|}(x0 − Ŷ)[1 + |σ|⁻¹(1 − e^{−4t|σ|})(x0 − Ŷ)]⁻¹e^{−2t|σ|}."""
    yh = psd_projection_scalar(s)
    e, m = stable_factors(t_, sp.Abs(s))
    return yh + e * (x0_ - yh) / (1 + m * (x0_ - yh)) * e


def stable_form_residuals() -> dict[str, sp.Expr]:
    """(41) equals (6) per eigenvalue (σ > 0 and σ < 0)."""
    z = sp.Symbol("z", nonnegative=True)
    return {name: sp.simplify(sp.together(stable_scalar(t, s, z) - prop1_scalar(t, s, z)))
            for name, s in (("sigma>0", sigma_pos), ("sigma<0", -sigma_pos))}


def app_c_40_residuals(m: int = 2) -> dict[str, sp.Matrix]:
    """Reconstructed (40): X1 = e^{2tȲ}[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)], X2 = ŶX1 + e^{−2tȲ}(X0 − Ŷ) solve (29).

    Y = diag(σ1 > 0, σ2 < 0) in its eigenbasis; X0 generic symmetric.
    """
    p = [sp.Symbol(f"a_{i}", positive=True) for i in range(m)]
    sig = [p[0]] + [-q for q in p[1:]]
    Y = sp.diag(*sig)
    Yh = sp.diag(*[psd_projection_scalar(s) for s in sig])
    X0 = sym_symmetric("x0", m)
    ep = sp.diag(*[sp.exp(2 * t * q) for q in p])
    em = sp.diag(*[sp.exp(-2 * t * q) for q in p])
    M = sp.diag(*[stable_factors(t, q)[1] for q in p])
    X1 = ep * (sp.eye(m) + M * (X0 - Yh))
    X2 = Yh * X1 + em * (X0 - Yh)
    return {"X1'": zero_matrix(X1.diff(t) - (-2 * Y * X1 + 4 * X2)),
            "X2'": zero_matrix(X2.diff(t) - 2 * Y * X2),
            "X1(0)": zero_matrix(X1.subs(t, 0) - sp.eye(m)),
            "X2(0)": zero_matrix(X2.subs(t, 0) - X0)}


def app_c_h_derivative_residual() -> sp.Expr:
    """(43): H = D K⁻¹, K = I + M(t)D with M' = 4F (F = e^{−4Ȳt}): H' = −4HFH (words; Ki = K⁻¹)."""
    D, Ki, F = ncs("D Ki F")
    Kdot = 4 * F * D
    Hdot = -D * Ki * Kdot * Ki
    return sp.expand(Hdot - (-4 * (D * Ki) * F * (D * Ki)))


def stable_m_derivative() -> sp.Expr:
    """d/dt of the factor a⁻¹(1 − e^{−4ta}) minus 4e^{−4ta} (M' = 4F in (43))."""
    return sp.simplify(sp.diff(stable_factors(t, a_abs)[1], t) - 4 * sp.exp(-4 * t * a_abs))


# --- §3 asymmetric factorisation: conservation law, gauge, Prop. 3 -----------------------------------
def conservation_word_residual() -> sp.Expr:
    """(11) for all sizes: Q' = U'ᵀU + UᵀU' − V'ᵀV − VᵀV' with U' = EV, V' = EᵀU (E = Y − UVᵀ)."""
    U, Ut, V, Vt, Em, Emt = ncs("U Ut V Vt E Et")
    Ud, Udt = Em * V, Vt * Emt
    Vd, Vdt = Emt * U, Ut * Em
    return sp.expand(Udt * U + Ut * Ud - Vdt * V - Vt * Vd)


def conservation_entries_residual(m: int, n: int, k: int) -> sp.Matrix:
    """(11) on explicit m×k U, n×k V, m×n Y: d/dt(UᵀU − VᵀV) along (10)."""
    U, V, Y = sym_matrix("u", m, k), sym_matrix("v", n, k), sym_matrix("y", m, n)
    Em = Y - U * V.T
    Ud, Vd = Em * V, Em.T * U
    return zero_matrix(Ud.T * U + U.T * Ud - Vd.T * V - V.T * Vd)


def gauge_residuals() -> dict[str, sp.Expr]:
    """(12)-(14) for all sizes: Ũ = ΦᵀUG, Ṽ = ΨᵀVG with Y = ΦΣΨᵀ, orthogonal Φ, Ψ, G.

    Ũ' = ΦᵀU'G must equal (Σ − ŨṼᵀ)Ṽ, Ṽ' = ΨᵀV'G must equal (Σ − ŨṼᵀ)ᵀŨ, and ŨᵀŨ − ṼᵀṼ = GᵀQG.
    Words in U = ΦŨGᵀ, V = ΨṼGᵀ (so the rules are ΦᵀΦ = ΨᵀΨ = GᵀG = I).
    """
    Ph, Pht, Ps, Pst, G, Gt, Uh, Uht, Vh, Vht, S, St = ncs("Ph Pht Ps Pst G Gt Uh Uht Vh Vht S St")
    rules = {Pht * Ph: 1, Pst * Ps: 1, Gt * G: 1}
    U, Ut = Ph * Uh * Gt, G * Uht * Pht
    V, Vt = Ps * Vh * Gt, G * Vht * Pst
    Y, Yt = Ph * S * Pst, Ps * St * Pht
    Ud = (Y - U * Vt) * V
    Vd = (Yt - V * Ut) * U
    return {"U-tilde'": reduce_words(Pht * Ud * G - (S - Uh * Vht) * Vh, rules),
            "V-tilde'": reduce_words(Pst * Vd * G - (St - Vh * Uht) * Uh, rules),
            "Gram difference": reduce_words(Uht * Uh - Vht * Vh - Gt * (Ut * U - Vt * V) * G, rules)}


def diagonal_flow_residual(m: int = 2, n: int = 3, k: int = 4) -> sp.Matrix:
    """(47): for diagonal (rectangular) Ũ, Ṽ and Σ, the right-hand sides of (13) are diagonal."""
    us = [sp.Symbol(f"u_{i}", real=True) for i in range(m)]
    vs = [sp.Symbol(f"v_{i}", real=True) for i in range(n)]
    ss = [sp.Symbol(f"s_{i}", positive=True) for i in range(m)]
    U = sp.Matrix(m, k, lambda i, j: us[i] if i == j else 0)
    V = sp.Matrix(n, k, lambda i, j: vs[i] if i == j else 0)
    S = sp.Matrix(m, n, lambda i, j: ss[i] if i == j else 0)
    Ud, Vd = (S - U * V.T) * V, (S - U * V.T).T * U
    off_u = sp.Matrix(m, k, lambda i, j: Ud[i, j] if i != j else 0)
    off_v = sp.Matrix(n, k, lambda i, j: Vd[i, j] if i != j else 0)
    diag_u = sp.Matrix([Ud[i, i] - (ss[i] - us[i] * vs[i]) * vs[i] for i in range(m)])
    extra_v = sp.Matrix([Vd[i, i] for i in range(m, n)])
    return zero_matrix(sp.Matrix.vstack(off_u.reshape(m * k, 1), off_v.reshape(n * k, 1), diag_u, extra_v))


def scalar_reduction_residuals(v_sign: int = 1) -> dict[str, sp.Expr]:
    """(48)-(50): conservation of u² − v², (u² + v²)² = λ0² + 4x², and x' = (σ − x)(u² + v²) (v' = v_sign·(σ − uv)u)."""
    ud, vd = (sigma - u * v) * v, v_sign * (sigma - u * v) * u
    lam0 = u ** 2 - v ** 2
    return {"d/dt(u^2-v^2)": sp.expand(2 * u * ud - 2 * v * vd),
            "(u^2+v^2)^2 - lambda0^2 - 4x^2": sp.expand((u ** 2 + v ** 2) ** 2 - lam0 ** 2 - 4 * (u * v) ** 2),
            "x' - (sigma-x)(u^2+v^2)": sp.expand(ud * v + u * vd - (sigma - u * v) * (u ** 2 + v ** 2))}


def prop3_rate(s: sp.Expr, lam0: sp.Expr) -> sp.Expr:
    """s = √(4σ² + λ0²)."""
    return sp.sqrt(4 * s ** 2 + lam0 ** 2)


def paper_prop3_sigma(t_: sp.Expr, s: sp.Expr, lam0: sp.Expr, c_: sp.Expr) -> sp.Expr:
    """Reconstructed (15): (σe^{2tr} − 2Cλ0²e^{tr} − 4σλ0²C²)/(e^{2tr} + 8σCe^{tr} − 4λ0²C²), r = √(4σ² + λ0²)."""
    e = sp.exp(t_ * prop3_rate(s, lam0))
    return ((s * e ** 2 - 2 * c_ * lam0 ** 2 * e - 4 * s * lam0 ** 2 * c_ ** 2)
            / (e ** 2 + 8 * s * c_ * e - 4 * lam0 ** 2 * c_ ** 2))


def paper_prop3_constant(s: sp.Expr, lam0: sp.Expr, x0_: sp.Expr) -> sp.Expr:
    """Reconstructed (51): C = (√(4σ²λ0² + 16σ²x0² + λ0⁴ + 4x0²λ0²) − 4σx0 − λ0²)/(4λ0²(σ − x0))."""
    root = sp.sqrt(4 * s ** 2 * lam0 ** 2 + 16 * s ** 2 * x0_ ** 2 + lam0 ** 4 + 4 * x0_ ** 2 * lam0 ** 2)
    return (root - 4 * s * x0_ - lam0 ** 2) / (4 * lam0 ** 2 * (s - x0_))


def prop3_residuals(closed: ScalarClosedForm = paper_prop3_sigma,
                    constant: ScalarClosedForm = paper_prop3_constant) -> dict[str, sp.Expr]:
    """(15) with (51): x(0) = x0, and x'² = 4(σ − x)²(x² + λ0²/4) (the square of (50)).

    The sign of x' against 2(σ − x)√(·) is not a polynomial identity; the numerical check of (15)
    against the flow decides it. Computed with e^{tr} = E (so x' = r E dx/dE).
    """
    s = sigma_pos
    r = prop3_rate(s, lam)
    xe = closed(t, s, lam, C).subs(sp.exp(t * r), E)
    xe = sp.simplify(xe)
    xdot = r * E * sp.diff(xe, E)
    ode = sp.factor(sp.together(xdot ** 2 - 4 * (s - xe) ** 2 * (xe ** 2 + lam ** 2 / 4)))
    c0 = constant(s, lam, x0)
    init = sp.simplify(sp.radsimp(sp.together(closed(sp.Integer(0), s, lam, c0) - x0)))
    return {"squared ode": ode, "x(0) - x0": init}


def prop3_asymptotic_limit(closed: ScalarClosedForm = paper_prop3_sigma) -> sp.Expr:
    """(16): lim_{t→∞} (σ(t) − σ) e^{tr} / (−2C r²) (equal to 1 when the asymptotics hold)."""
    s = sigma_pos
    r = prop3_rate(s, lam)
    xe = closed(t, s, lam, C).subs(sp.exp(t * r), E)
    return sp.simplify(sp.limit((xe - s) * E / (-2 * C * r ** 2), E, sp.oo))


def prop3_constant_balanced_limit(constant: ScalarClosedForm = paper_prop3_constant) -> sp.Expr:
    """lim_{λ0→0} C (the balanced case, where (51) reads 0/0)."""
    s, z = sigma_pos, sp.Symbol("z", positive=True)
    return sp.simplify(sp.limit(constant(s, lam, z), lam, 0))


def table2_facts() -> dict[str, sp.Expr]:
    """s² − 1 for |λ0| = 1 + p (p > 0): positive for every σ; ∂s/∂λ0 = λ0/s (> 0 for λ0 > 0)."""
    p = sp.Symbol("p", positive=True)
    return {"s^2-1 at |lambda0|=1+p": sp.expand(prop3_rate(sigma, 1 + p) ** 2 - 1),
            "ds/dlambda0": sp.simplify(sp.diff(prop3_rate(sigma_pos, lam), lam))}


# --- §4: eq. (18), Prop. 4 (19)-(20), (57)-(58), Prop. 5, (55), (22) -------------------------------
def _blocks(m: int, n: int, k: int):
    U, V = sym_matrix("u", m, k), sym_matrix("v", n, k)
    sv = [sp.Symbol(f"s_{i}", positive=True) for i in range(m)]
    Sig = sp.Matrix(m, n, lambda i, j: sv[i] if i == j else 0)
    S = sp.BlockMatrix([[sp.zeros(m, m), Sig], [Sig.T, sp.zeros(n, n)]]).as_explicit()
    J = sp.diag(*([1] * m + [-1] * n))
    return U, V, Sig, S, J


def eq18_residual(m: int = 1, n: int = 2, k: int = 2, coef: sp.Expr = sp.Rational(1, 2)) -> sp.Matrix:
    """(18): with Λ = ŨᵀŨ − ṼᵀṼ, SR − ½RRᵀR + ½JRΛ equals [Ũ'; Ṽ'] of (13); also R0ᵀJR0 = Λ."""
    U, V, Sig, S, J = _blocks(m, n, k)
    R = sp.Matrix.vstack(U, V)
    Lam = U.T * U - V.T * V
    rhs18 = S * R - R * R.T * R / 2 + coef * J * R * Lam
    flow13 = sp.Matrix.vstack((Sig - U * V.T) * V, (Sig - U * V.T).T * U)
    return zero_matrix(sp.Matrix.vstack(rhs18 - flow13, R.T * J * R - Lam))


def regularised_loss(U: sp.Matrix, V: sp.Matrix, Sig: sp.Matrix, Lam: sp.Matrix, weight: sp.Expr) -> sp.Expr:
    """(20): ½‖Σ − UVᵀ‖² + weight·‖UᵀU − VᵀV − Λ‖²."""
    A = Sig - U * V.T
    B = U.T * U - V.T * V - Lam
    return sp.Rational(1, 2) * sum(e ** 2 for e in A) + weight * sum(e ** 2 for e in B)


def prop4_residuals(weight: sp.Expr = sp.Rational(1, 8), m: int = 1, n: int = 2, k: int = 2) -> dict[str, sp.Matrix]:
    """Prop. 4: (18) with a free symmetric Λ equals (19), and −∇ of (20) with ``weight`` equals (19)."""
    U, V, Sig, S, J = _blocks(m, n, k)
    Lam = sym_symmetric("l", k)
    R = sp.Matrix.vstack(U, V)
    Q = U.T * U - V.T * V
    f19 = sp.Matrix.vstack((Sig - U * V.T) * V - U * (Q - Lam) / 2, (Sig - U * V.T).T * U + V * (Q - Lam) / 2)
    rhs18 = S * R - R * R.T * R / 2 + J * R * Lam / 2
    L = regularised_loss(U, V, Sig, Lam, weight)
    neg_grad = -sp.Matrix.vstack(grad_matrix(L, U), grad_matrix(L, V))
    return {"(18) = (19)": zero_matrix(rhs18 - f19), "(19) = -grad (20)": zero_matrix(neg_grad - f19)}


def prop4_weight_solutions(m: int = 1, n: int = 2, k: int = 2) -> list[sp.Expr]:
    """Every weight α for which −∇ of (20) with α equals (19) identically (the paper: only 1/8)."""
    alpha = sp.Symbol("alpha", positive=True)
    res = prop4_residuals(alpha, m, n, k)["(19) = -grad (20)"]
    eqs = set()
    for e in res:
        poly = sp.Poly(sp.expand(e), *sorted(e.free_symbols - {alpha}, key=str))
        eqs.update(poly.coeffs())
    eqs.discard(0)
    return sp.solve(list(eqs), alpha) if eqs else [alpha]


def q_derivatives_residuals(m: int = 1, n: int = 2, k: int = 2) -> dict[str, sp.Matrix]:
    """(57) and (58) along (19): Q' vs −½(DP + PD), Q'' vs the printed and the corrected second derivative.

    D = Q − Λ, P = UᵀU + VᵀV. Printed (58): −¼D(P² + 2P') − ¼(P² + 2P')D − ½PDP.
    Corrected: ¼DP² + ¼P²D + ½PDP − ½DP' − ½P'D.
    """
    U, V, Sig, _, _ = _blocks(m, n, k)
    Lam = sym_symmetric("l", k)
    Q = U.T * U - V.T * V
    Ud = (Sig - U * V.T) * V - U * (Q - Lam) / 2
    Vd = (Sig - U * V.T).T * U + V * (Q - Lam) / 2
    syms = list(U) + list(V)
    rates = list(Ud) + list(Vd)

    def ddt(Mx: sp.Matrix) -> sp.Matrix:
        return Mx.applyfunc(lambda e: sum(sp.diff(e, s_) * r for s_, r in zip(syms, rates)))

    D = Q - Lam
    P = U.T * U + V.T * V
    Qd, Pd = ddt(Q), ddt(P)
    Qdd = ddt(Qd)
    printed = -(D * (P * P + 2 * Pd)) / 4 - ((P * P + 2 * Pd) * D) / 4 - P * D * P / 2
    corrected = D * P * P / 4 + P * P * D / 4 + P * D * P / 2 - D * Pd / 2 - Pd * D / 2
    return {"(57)": zero_matrix(Qd - (-(D * P + P * D) / 2)),
            "(58) printed": (Qdd - printed).applyfunc(sp.expand),
            "(58) corrected": zero_matrix(Qdd - corrected)}


def q58_printed_and_corrected() -> tuple[Callable, Callable]:
    """The printed and the corrected second derivative of Q as functions of (D, P, P')."""
    def printed(D, P, Pd):
        return -(D @ (P @ P + 2 * Pd)) / 4 - ((P @ P + 2 * Pd) @ D) / 4 - P @ D @ P / 2

    def corrected(D, P, Pd):
        return D @ P @ P / 4 + P @ P @ D / 4 + P @ D @ P / 2 - D @ Pd / 2 - Pd @ D / 2

    return printed, corrected


def remark_weight_residual(alpha: sp.Expr) -> sp.Expr:
    """Sum of squares of the coefficients of −∇(20 with α) − (19): zero iff α gives (19)."""
    res = prop4_residuals(alpha)["(19) = -grad (20)"]
    return sp.simplify(sum(sp.expand(e) ** 2 for e in res))


def prop5_reduction_residuals(m: int = 1, n: int = 2, k: int = 2,
                              weight: sp.Expr = sp.Rational(1, 8)) -> dict[str, sp.Matrix]:
    """Prop. 5: Λ = λ0I turns (18) into R' = S̄R − ½RRᵀR (S̄ = S + λ0J/2), P = RRᵀ solves (52)
    P' = S̄P + PS̄ − P², and R' is −∇ of (1/8)‖2S̄ − RRᵀ‖² (remark after Prop. 5)."""
    U, V, Sig, S, J = _blocks(m, n, k)
    R = sp.Matrix.vstack(U, V)
    Sb = S + lam * J / 2
    rhs18 = S * R - R * R.T * R / 2 + J * R * (lam * sp.eye(k)) / 2
    rflow = Sb * R - R * R.T * R / 2
    P = R * R.T
    Pd = rflow * R.T + R * rflow.T
    L = weight * sum(e ** 2 for e in (2 * Sb - R * R.T))
    return {"(18) with lambda0 I": zero_matrix(rhs18 - rflow),
            "(52)": zero_matrix(Pd - (Sb * P + P * Sb - P * P)),
            "gradient of (1/8)||2Sbar-RR^T||^2": zero_matrix(-grad_matrix(L, R) - rflow)}


def prop5_factors(t_: sp.Expr, s: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Spectral factors of the reconstructed (21)/(53) on an eigenvalue s of S̄: (e^{ts}, ½s⁻¹(e^{2ts} − 1))."""
    return sp.exp(t_ * s), (sp.exp(2 * t_ * s) - 1) / (2 * s)


def prop5_mapping_residuals() -> dict[str, sp.Expr]:
    """(53) from (6): P = 4X and Y = S̄/2 map (5) to (52); the spectral factors then agree.

    Word part: 4·(2YX + 2XY − 4X²) with X = P/4, Y = S̄/2 minus (S̄P + PS̄ − P²).
    Factor part: factors of (6) at s/2 (times the 1/4 of X0 = P0/4) minus those of (53) at s.
    """
    P, Sb = ncs("P Sb")
    X, Y = P / 4, Sb / 2
    words = sp.expand(4 * (2 * Y * X + 2 * X * Y - 4 * X * X) - (Sb * P + P * Sb - P * P))
    s = sp.Symbol("s", real=True, nonzero=True)
    e6, m6 = prop1_factors(t, s / 2)
    e53, m53 = prop5_factors(t, s)
    return {"Riccati map": words, "exponential factor": sp.simplify(e6 - e53),
            "inverse factor": sp.simplify(m6 / 4 - m53)}


def sbar_determinant_residual(m: int, n: int,
                              sign_exponent: Callable[[int, int], int] = lambda m_, n_: m_ + n_) -> sp.Expr:
    """(55): det(S̄ − λI) − (−1)^{sign_exponent(m, n)}(λ0/2 + λ)^{n−m}∏(σ_i² + λ0²/4 − λ²)."""
    lmb = sp.Symbol("mu", real=True)
    _, _, Sig, S, J = _blocks(m, n, 1)
    Sb = S + lam * J / 2
    det = (Sb - lmb * sp.eye(m + n)).det(method="berkowitz")
    sv = [Sig[i, i] for i in range(m)]
    stated = ((-1) ** sign_exponent(m, n) * (lam / 2 + lmb) ** (n - m)
              * sp.prod([s_ ** 2 + lam ** 2 / 4 - lmb ** 2 for s_ in sv]))
    return sp.expand(det - stated)


def sbar_eigen_facts() -> dict[str, sp.Expr]:
    """Roots of σ² + λ0²/4 − μ² are ±½√(4σ² + λ0²); and ½√(4σ² + λ0²) − |λ0|/2 ≥ 0 (smallest is |λ0|/2)."""
    mu = sp.Symbol("mu", real=True)
    roots = sp.solve(sigma_pos ** 2 + lam ** 2 / 4 - mu ** 2, mu)
    target = {sp.sqrt(4 * sigma_pos ** 2 + lam ** 2) / 2, -sp.sqrt(4 * sigma_pos ** 2 + lam ** 2) / 2}
    gap_sq = sp.expand((sp.sqrt(4 * sigma_pos ** 2 + lam ** 2) / 2) ** 2 - (lam / 2) ** 2)
    return {"roots mismatch": sp.Integer(len(set(map(sp.simplify, roots)) ^ target)), "s_i^2 - (lambda0/2)^2": gap_sq}


def q0_factorisation_residual(m: int = 2, n: int = 2, k: int = 5) -> sp.Matrix:
    """(22): Q0 = U0ᵀU0 − V0ᵀV0 = R0ᵀJR0 with R0 of m + n rows (hence rank Q0 ≤ m + n)."""
    U, V, _, _, J = _blocks(m, n, k)
    R = sp.Matrix.vstack(U, V)
    return zero_matrix(U.T * U - V.T * V - R.T * J * R)


# --- App. G --------------------------------------------------------------------------------------------
def app_g_residuals(rate: sp.Expr = 4) -> dict[str, sp.Expr]:
    """(63): σ/(1 + c e^{−4σt}) solves X' = 4σX − 4X² (X = U² under (62)); (64): U² after one step of (60);
    and the linearised bound X̃ − 4ηX̃(σ + X̃) − (1 − 4ησ)X̃ = −4ηX̃² ≤ 0."""
    s = sigma_pos
    logistic = s / (1 + c * sp.exp(-rate * s * t))
    Xs = sp.Symbol("X", real=True)
    U_next = u + 2 * eta * (s - u ** 2) * u
    stated64 = Xs + 4 * eta * (s - Xs) * Xs + 4 * eta ** 2 * (s - Xs) ** 2 * Xs
    xt = sp.Symbol("xt", real=True)
    lin = sp.expand(stated64.subs(Xs, s + xt) - s)
    first_order = sp.expand(lin.coeff(eta, 0) + eta * lin.coeff(eta, 1))
    return {"(63) ode": sp.simplify(sp.diff(logistic, t) - (4 * s * logistic - 4 * logistic ** 2)),
            "(62) => X'=4sX-4X^2": sp.expand(2 * u * (2 * (s - u ** 2) * u) - (4 * s * u ** 2 - 4 * u ** 4)),
            "(64)": sp.expand(U_next ** 2 - stated64.subs(Xs, u ** 2)),
            "O(eta) part of (64)": sp.expand(first_order - (xt - 4 * eta * xt * (s + xt))),
            "bound gap": sp.expand(xt - 4 * eta * xt * (s + xt) - (1 - 4 * eta * s) * xt + 4 * eta * xt ** 2)}


def gd_asymptotic_rate(factorised: bool) -> sp.Expr:
    """Per-unit-time rate −log|f'(x*)|/η of GD at its fixed point: (59) f' = 1 − η; (60) f' = 1 − 4ησ."""
    s = sigma_pos
    if factorised:
        Us = sp.Symbol("U", positive=True)
        fprime = sp.diff(Us + 2 * eta * (s - Us ** 2) * Us, Us).subs(Us, sp.sqrt(s))
    else:
        fprime = sp.diff(x + eta * (s - x), x)
    return -sp.log(sp.simplify(fprime)) / eta


# --- beyond the paper: GD drift and heavy ball ----------------------------------------------------------
def gd_step_q_change(m: int = 1, n: int = 2, k: int = 2) -> sp.Matrix:
    """Q(after one GD step) − Q − η²(G_UᵀG_U − G_VᵀG_V) with G = ∇ℓ (zero: the drift per step is O(η²))."""
    U, V, Y = sym_matrix("u", m, k), sym_matrix("v", n, k), sym_matrix("y", m, n)
    Em = Y - U * V.T
    GU, GV = -Em * V, -Em.T * U
    U1, V1 = U - eta * GU, V - eta * GV
    Q = lambda A, B: A.T * A - B.T * B  # noqa: E731
    return zero_matrix(Q(U1, V1) - Q(U, V) - eta ** 2 * (GU.T * GU - GV.T * GV))


def heavy_ball_q_residual() -> sp.Expr:
    """Heavy-ball flow λW'' + W' = −∇ℓ: λQ'' + Q' − 2λ(U'ᵀU' − V'ᵀV') vanishes (words, all sizes).

    Q' = U'ᵀU + UᵀU' − (V), Q'' = 2U'ᵀU' + U''ᵀU + UᵀU'' − (V), λU'' = −U' + EV, λV'' = −V' + EᵀU.
    """
    U, Ut, V, Vt, Ud, Udt, Vd, Vdt, Em, Emt = ncs("U Ut V Vt Ud Udt Vd Vdt E Et")
    lm = sp.Symbol("lambda", positive=True)
    Udd, Uddt = (-Ud + Em * V) / lm, (-Udt + Vt * Emt) / lm
    Vdd, Vddt = (-Vd + Emt * U) / lm, (-Vdt + Ut * Em) / lm
    Qd = Udt * U + Ut * Ud - Vdt * V - Vt * Vd
    Qdd = 2 * Udt * Ud + Uddt * U + Ut * Udd - 2 * Vdt * Vd - Vddt * V - Vt * Vdd
    return sp.expand(lm * Qdd + Qd - 2 * lm * (Udt * Ud - Vdt * Vd))


# --- formulas for the numerics -------------------------------------------------------------------------
def formulas() -> list[Formula]:
    """Scalar closed forms and spectral factors the numerics assemble (each derived or stated above)."""
    s, s0 = sp.Symbol("s", real=True), sp.Symbol("s0", real=True)
    y, z = sp.symbols("y z", real=True)
    r = sp.Symbol("r", real=True)
    return [
        Formula("linear_solution", (t, y, z), linear_model_solution(y, z), "Eq. (4): Y + (X0 − Y)e^{−t} (entrywise)."),
        Formula("prop1_factors", (t, s), prop1_factors(t, s), "(e^{2ts}, s⁻¹(e^{4ts} − 1)): spectral factors of (6)."),
        Formula("stable_factors", (t, s), (psd_projection_scalar(s),) + stable_factors(t, sp.Abs(s)),
                "(max(s,0), e^{−2t|s|}, |s|⁻¹(1 − e^{−4t|s|})): spectral factors of (41)."),
        Formula("prop5_factors", (t, s), prop5_factors(t, s),
                "(e^{ts}, ½s⁻¹(e^{2ts} − 1)): spectral factors of (21)/(53)."),
        Formula("cor1_sigma", (t, s, s0), paper_cor1_sigma(t, s, s0), "Eq. (7): σ_i(t) of Corollary 1."),
        Formula("prop3_rate", (s, lam), prop3_rate(s, lam), "√(4σ² + λ0²)."),
        Formula("prop3_sigma", (t, s, lam, C), paper_prop3_sigma(t, s, lam, C), "Reconstructed (15): σ_i(t)."),
        Formula("prop3_constant", (s, lam, x0), paper_prop3_constant(s, lam, x0), "Reconstructed (51): C(λ0, x0)."),
        Formula("prop3_constant_balanced", (s, x0),
                prop3_constant_balanced_limit().subs({sigma_pos: s, sp.Symbol("z", positive=True): x0}),
                "lim_{λ0→0} of (51): C = (σ − x0)/(8σx0)."),
        Formula("gd_rate_factorised", (eta, r), gd_asymptotic_rate(True).subs(sigma_pos, r),
                "Per-unit-time asymptotic rate of GD (60): −log(1 − 4ησ)/η."),
        Formula("gd_rate_linear", (eta,), gd_asymptotic_rate(False), "Per-unit-time rate of GD (59): −log(1 − η)/η."),
    ]
