"""Claims of "Implicit Acceleration of Gradient Flow in Overparameterized Linear Models" (seed 004, OCR).

Every registered function is a thin wrapper around a ``check_*`` function that takes the paper's formula
(a SymPy builder, a closed form, a claimed rate or count) or instance as arguments, so the tests can hand
in a perturbed one and see REFUTED. Sizes depend on the tier: quick = small matrices; full = the paper's.

Tolerances. Flow solutions come from :func:`numerics.integrate.solve_mgf`, whose error estimate ``est`` is
the largest entrywise difference between two solves 1000× apart in tolerance. A quantity built from the
parameters by products of ``terms`` pairs of entries of size ≤ ``scale`` inherits at most
``2·terms·scale·est`` (first-order propagation) plus float rounding ``64·eps·terms·scale²``
(:func:`_propagated`). Closed forms are evaluated in mpmath at ``ctx.dps`` digits, so their own error is
negligible against the flow's.
"""
from __future__ import annotations

import functools
import math
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from checks.context import Context, stream_rng, stream_seed
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import (Result, Verdict, combine, from_counts, from_errors, from_order_fit, from_threshold,
                            inconclusive, proved, refuted)
from derivations import conservation_laws as CL
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G

K = "matrix_factorization:"
EPS = float(np.finfo(float).eps)


# --- helpers ----------------------------------------------------------------------------------------------
def _propagated(est: float, scale: float, terms: int) -> float:
    """Error of a sum of ``terms`` products of flow entries (size ≤ scale, error ≤ est each)."""
    return 2 * terms * scale * est + 64 * EPS * terms * max(scale, 1.0) ** 2


def _sizes(ctx: Context, quick: tuple, full: tuple) -> tuple:
    return quick if ctx.tier == "quick" else full


def _spectral_y(rng: np.random.Generator, m: int, lo: float = 0.3, hi: float = 1.5, signs: bool = True):
    """A symmetric Y with |eigenvalues| uniform in [lo, hi] and random signs (the first one positive)."""
    mags = rng.uniform(lo, hi, m)
    sg = np.where(rng.random(m) < 0.5, -1.0, 1.0) if signs else np.ones(m)
    sg[0] = 1.0
    return N.symmetric_with_spectrum(rng, mags * sg)


def _rate_fit(what: str, times: Sequence[float], errs: Sequence[float], rate: float, **ev) -> Result:
    """Fit err ≈ C e^{−rate·t}: with h = e^{−rate·t} the fitted exponent is true rate / claimed rate (expect 1)."""
    hs = [math.exp(-rate * t) for t in times]
    return from_order_fit(what, hs, [float(e) for e in errs], 1.0, claimed_rate=rate, times=list(times), **ev)


# =========================================================================================================
# §2 linear model and symmetric factorisation
# =========================================================================================================
def check_eq4(solution: Callable = D.linear_model_solution) -> Result:
    return residuals_vanish("eq. (4)", D.linear_model_residuals(solution))


@claim("matrix_factorization.eq4", section="2", equations=("4",), keys=(K + "eq-4",),
       statement="Gradient flow on ½‖Y − X‖² is X' + X = Y, solved by X(t) = Y + (X0 − Y)e^{−t}, so "
                 "‖X(t) − Y‖ = e^{−t}‖X0 − Y‖ whatever the data.",
       latex=r"X(t) = Y + (X_0 - Y)e^{-t}", kind="closed_form")
def _eq4(ctx: Context) -> Result:
    return check_eq4()


def check_psd_linear(rng: np.random.Generator, m: int, solution: Callable = G.linear_solution,
                     n_inst: int = 5) -> Result:
    """X(t) of (4) stays PSD for PSD X0, Y: weights of the convex combination ≥ 0, and min eigenvalue ≥ −tol."""
    w0, w1 = D.linear_model_psd_weights()
    sym = (proved("weights e^{-t} and 1 - e^{-t} of X0 and Y are >= 0 for t >= 0", zero="e^{-t} >= 0, 1-e^{-t} >= 0")
           if (w0.is_nonnegative and w1.subs(D.t, sp.log(sp.Symbol("q", positive=True) + 1)).simplify().is_nonnegative)
           else inconclusive("SymPy could not sign the weights"))
    errs, inst, norms = [], [], []
    for i in range(n_inst):
        A, B = rng.standard_normal((m, m)), rng.standard_normal((m, m))
        Y, X0 = A @ A.T / m, B[:, : m // 2] @ B[:, : m // 2].T / m  # X0 of rank m/2: PSD, singular
        ts = np.linspace(0, 5, 26)
        Xs = [solution(t, Y, X0) for t in ts]
        mins = [np.linalg.eigvalsh(X).min() for X in Xs]
        errs.append(max(0.0, -min(mins)))
        norms.append(max(np.linalg.norm(X, 2) for X in Xs))
        inst.append({"instance": i, "min_eigenvalue": min(mins)})
    # rounding: forming X(t) costs a few roundings per entry (‖E‖₂ ≤ 3m·EPS·max|X_ij|) and the backward-stable
    # symmetric eigensolver adds at most about m·EPS·‖X‖₂ (Weyl): 4m·EPS·‖X‖₂
    tol = 4 * m * EPS * max(norms)
    return combine("PSD preservation of (4)", {"symbolic": sym, "numeric": from_errors(
        "negative part of the spectrum of X(t)", errs, tol, instances=inst)})


@claim("matrix_factorization.sec2.psd_linear", section="2", equations=("4",),
       keys=(K + "sec-2-psd-preservation-linear-model",),
       statement="If X0 ⪰ 0 and Y ⪰ 0, X(t) = Y + (X0 − Y)e^{−t} ⪰ 0 for all t > 0 (a convex combination), so "
                 "the PSD-constrained linear model has the same dynamics.", kind="inequality")
def _psd_linear(ctx: Context) -> Result:
    return check_psd_linear(stream_rng(ctx.seed, "psd_linear"), _sizes(ctx, (4,), (10,))[0])


def check_eq5(rhs: Callable = D.paper_riccati_rhs, sizes: Sequence[tuple[int, int]] = ((2, 3), (3, 2))) -> Result:
    res = {f"m={m},k={k}": D.riccati_residual(m, k, rhs) for m, k in sizes}
    res["middle form"] = D.riccati_middle_form_residual()
    return residuals_vanish("eq. (5)", res)


@claim("matrix_factorization.eq5", section="2", equations=("3", "5"), keys=(K + "eq-5",),
       statement="Along U' = 2(Y − UUᵀ)U, X = UUᵀ satisfies X' = 2(Y − X)X + 2X(Y − X) = 2YX + 2XY − 4X² "
                 "(symmetric Y; checked on explicit symbolic 2×3 and 3×2 U).",
       latex=r"\dot X = 2YX + 2XY - 4X^2", kind="identity")
def _eq5(ctx: Context) -> Result:
    return check_eq5()


def check_rank_preservation(rng: np.random.Generator, m: int, k: int, rank0: int, claimed_rank: int) -> Result:
    """U(t) = F(t)U0 (symbolic) and, numerically, σ_{r+1}(X(t)) stays at the level of the solver error."""
    sym = residuals_vanish("U(t) = F(t) U0", {"factor": D.rank_flow_factor_residual()})
    Y, _ = _spectral_y(rng, m)
    U0 = rng.standard_normal((m, rank0)) @ rng.standard_normal((rank0, k)) / math.sqrt(k)
    ts = np.linspace(0, 8, 17)
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), ts)
    if not sol.success:
        return inconclusive(f"flow solve failed: {sol.message}")
    Xs = [w.reshape(m, k) @ w.reshape(m, k).T for w in sol["w"]]
    tail = [float(np.linalg.svd(X, compute_uv=False)[claimed_rank:].max(initial=0.0)) for X in Xs]
    scale = float(np.abs(sol["w"]).max())
    tol = _propagated(sol.error_estimate, scale, k)
    num = from_errors(f"singular values beyond rank {claimed_rank} of X(t)", [max(tail)], tol,
                      instances=[{"m": m, "k": k, "rank(X0)": rank0, "t_max": float(ts[-1])}])
    return combine("rank preservation of (5)", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.sec2.rank_preservation", section="2", equations=("5",),
       keys=(K + "sec-2-rank-preservation",),
       statement="(5) preserves rank: U(t) = F(t)U0 with F invertible, so rank X(t) = rank X0 = r and any limit "
                 "has rank ≤ r.", kind="inequality")
def _rank(ctx: Context) -> Result:
    m, k = _sizes(ctx, (4, 6), (10, 20))
    return check_rank_preservation(stream_rng(ctx.seed, "rank"), m, k, rank0=2, claimed_rank=2)


def _sym_flow_vs_closed(rng, m, k, times, dps, form="prop1", closed=N.riccati_closed_form):
    Y, _ = _spectral_y(rng, m)
    U0 = rng.standard_normal((m, k)) / math.sqrt(k)
    X0 = U0 @ U0.T
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), times)
    if not sol.success:
        return None, {"message": sol.message}
    Xc = closed(Y, X0, times, form=form, dps=dps)
    err = max(float(np.abs(N.mp_to_array(C_) - w.reshape(m, k) @ w.reshape(m, k).T).max()) for C_, w in zip(Xc, sol["w"]))
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return (err, tol), {"m": m, "k": k, "t_max": float(times[-1])}


def check_prop1(rng: np.random.Generator, m: int, k: int, dps: int,
                closed: Callable = N.riccati_closed_form, symbolic: bool = True) -> Result:
    """(6) (reconstructed inverse) against the flow of U, plus the symbolic proof for diagonal Y."""
    parts = {}
    if symbolic:
        parts["symbolic, Y diagonal"] = residuals_vanish("(6) solves (5)", {"residual": D.prop1_diagonal_residual()})
        parts["Lemma 6 words"] = residuals_vanish("P = X2 X1^-1", {"words": D.lemma6_residual()})
    out, inst = _sym_flow_vs_closed(rng, m, k, np.linspace(0, 3, 13), dps, closed=closed)
    if out is None:
        parts["numeric"] = inconclusive("flow solve failed", **inst)
    else:
        parts["numeric"] = from_errors("(6) vs flow", [out[0]], out[1], instances=[inst])
    return combine("Proposition 1", parts)


@claim("matrix_factorization.prop1", section="2 / App. A", equations=("6", "32"), keys=(K + "proposition-1",),
       statement="The solution of (5) is X(t) = e^{2tY}X0(I + Y⁻¹(e^{4tY} − I)X0)⁻¹e^{2tY} when Y and the bracket "
                 "are invertible.",
       latex=r"X(t) = e^{2tY}X_0\big(I + Y^{-1}(e^{4tY}-I)X_0\big)^{-1}e^{2tY}", kind="closed_form",
       reconstruction="The OCR prints the inverse of the bracket as a superscript T; read as ⁻¹ (as in (25), (32)).")
def _prop1(ctx: Context) -> Result:
    m, k = _sizes(ctx, (3, 4), (6, 10))
    return check_prop1(stream_rng(ctx.seed, "prop1"), m, k, ctx.dps)


def check_cor1_closed_form(rng: np.random.Generator, m: int, k: int, first: Callable = D.paper_cor1_sigma,
                           second: Callable = D.paper_cor1_sigma_second) -> Result:
    sym = residuals_vanish("(7)", D.cor1_residuals(first, second))
    # numeric: spectral init U0 = Φ diag(√σ0) [I 0] evolves with X(t) = Φ diag(σ_i(t)) Φᵀ
    sig = rng.uniform(0.3, 1.5, m) * np.where(rng.random(m) < 0.5, -1, 1)
    Y, Phi = N.symmetric_with_spectrum(rng, sig)
    s0 = rng.uniform(0.05, 1.0, m)
    U0 = Phi @ np.hstack([np.diag(np.sqrt(s0)), np.zeros((m, k - m))])
    ts = np.linspace(0, 3, 13)
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), ts)
    if not sol.success:
        return inconclusive(f"flow failed: {sol.message}")
    f = sp.lambdify((D.t, D.sigma, D.sigma0), first(D.t, D.sigma, D.sigma0), "numpy")
    err = max(float(np.abs((Phi * f(t, sig, s0)) @ Phi.T - w.reshape(m, k) @ w.reshape(m, k).T).max())
              for t, w in zip(ts, sol["w"]))
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return combine("Corollary 1 closed form", {"symbolic": sym, "numeric": from_errors(
        "(7) vs flow with spectral init", [err], tol, instances=[{"sigma": sig, "sigma0": s0}])})


@claim("matrix_factorization.cor1.closed_form", section="2 / App. B", equations=("7",),
       keys=(K + "corollary-1-closed-form",),
       statement="For Y = ΦΣΦᵀ invertible and X0 = ΦΣ0Φᵀ, X(t) = ΦΣ(t)Φᵀ with σ_i(t) = σ0σe^{4tσ}/(σ + σ0(e^{4tσ} − 1)) "
                 "= σ − σ(σ − σ0)/(σ + σ0(e^{4tσ} − 1)).", kind="closed_form")
def _cor1(ctx: Context) -> Result:
    m, k = _sizes(ctx, (3, 4), (8, 12))
    return check_cor1_closed_form(stream_rng(ctx.seed, "cor1"), m, k)


def _cor1_errors(sig: np.ndarray, s0: np.ndarray, times: Sequence[float], dps: int) -> list[float]:
    target = np.maximum(sig, 0)
    with mpmath.workdps(dps):
        return [float(mpmath.sqrt(mpmath.fsum((G.cor1_sigma_mp(mpmath.mpf(t), mpmath.mpf(s), mpmath.mpf(z)) - mpmath.mpf(y)) ** 2
                                              for s, z, y in zip(sig, s0, target)))) for t in times]


def check_cor1_convergence(rng: np.random.Generator, m: int, dps: int, claimed_rate: Callable = lambda s: 4 * np.abs(s).min()) -> Result:
    """‖X(t) − Ŷ‖ from (7) decays at the claimed rate (fit); symbolic limits of e^{4t|σ|}·(σ_i(t) − target)."""
    lims = D.cor1_rate_limits()
    nz = all(v != 0 and v.is_finite for v in lims.values())
    sym = (proved("e^{4t|σ|}(σ_i(t) − max(σ,0)) has a finite nonzero limit for σ > 0 and σ < 0",
                  zero="limits: " + str(lims)) if nz else refuted("a limit is 0 or infinite", counterexample=lims))
    sig = rng.uniform(0.3, 1.5, m) * np.where(rng.random(m) < 0.5, -1, 1)
    s0 = rng.uniform(0.05, 1.0, m)
    rate = float(claimed_rate(sig))
    ts = [x / (4 * np.abs(sig).min()) for x in (12, 18, 24, 30, 36)]
    fit = _rate_fit("Cor. 1 rate", ts, _cor1_errors(sig, s0, ts, dps), rate, sigma=sig, sigma0=s0)
    return combine("Corollary 1 convergence", {"limits": sym, "rate fit": fit})


@claim("matrix_factorization.cor1.convergence", section="2 / App. B", equations=("7",),
       keys=(K + "corollary-1-convergence",),
       statement="With spectral PSD X0 of full rank on the positive part, X(t) → Ŷ = Σ max(σ_i, 0)φ_iφ_iᵀ at rate "
                 "e^{−4tσ_min(Y)}, σ_min = min|σ_i|; component-wise e^{−4tσ_i} (σ_i > 0) and e^{4tσ_i} (σ_i < 0).",
       kind="rate")
def _cor1_conv(ctx: Context) -> Result:
    return check_cor1_convergence(stream_rng(ctx.seed, "cor1_conv"), _sizes(ctx, (4,), (10,))[0], ctx.dps)


def check_acceleration_symmetric(rng: np.random.Generator, dps: int, factor: float = 4.0) -> Result:
    """Each eigencomponent's fitted rate relative to the linear model's e^{−t} equals factor·|σ_i|, so
    components with 4|σ_i| > 1 are faster and those with 4|σ_i| < 1 slower."""
    sig = np.array([0.1, -0.15, 0.6, -0.9]) * rng.uniform(0.9, 1.1, 4)
    s0 = rng.uniform(0.05, 1.0, 4)
    parts = {}
    for i, (s, z) in enumerate(zip(sig, s0)):
        ts = [x / (4 * abs(s)) for x in (12, 18, 24, 30, 36)]
        errs = _cor1_errors(np.array([s]), np.array([z]), ts, dps)
        hs = [math.exp(-t) for t in ts]  # against the linear model's e^{-t}
        parts[f"sigma={s:.3f} ({'faster' if 4 * abs(s) > 1 else 'slower'} than e^-t)"] = from_order_fit(
            f"component {i} rate / linear rate", hs, errs, factor * abs(s))
    return combine("acceleration criterion (symmetric)", parts)


@claim("matrix_factorization.sec2.acceleration_criterion", section="2", equations=("7",),
       keys=(K + "sec-2-acceleration-criterion-symmetric",),
       statement="The i-th eigencomponent converges at e^{−4t|σ_i|} against e^{−t} for the linear model: faster iff "
                 "4|σ_i| > 1, slower iff 4|σ_i| < 1 (fitted exponent of each component against e^{−t}).", kind="rate")
def _acc_sym(ctx: Context) -> Result:
    return check_acceleration_symmetric(stream_rng(ctx.seed, "acc_sym"), ctx.dps)


def check_prop2(rng: np.random.Generator, m: int, dps: int, claimed_rate: Callable = lambda s: 4 * np.abs(s).min(),
                n_inst: int = 2) -> Result:
    """Non-spectral PSD X0: ‖X(t) − Ŷ‖ from (6) at dps digits decays at the claimed rate (fit on ≥ 5 times)."""
    parts = {}
    for j in range(n_inst):
        Y, Phi = _spectral_y(rng, m)
        sig = np.linalg.eigvalsh(Y)
        U0 = rng.standard_normal((m, m + 1)) / math.sqrt(m)
        X0 = U0 @ U0.T
        ab = np.abs(sig)
        s_, ph = np.linalg.eigh(Y)
        Ybar_inv = (ph / np.abs(s_)) @ ph.T
        cond = np.linalg.svd(np.eye(m) + Ybar_inv @ (X0 - N.psd_part(Y)), compute_uv=False).min()
        if cond < 1e-8 or ab.min() < 1e-8:
            parts[f"instance {j}"] = inconclusive("assumption not met: Y or I + Ybar^-1(X0 - Yhat) singular")
            continue
        rate = float(claimed_rate(sig))
        ts = [x / (4 * ab.min()) for x in (12, 18, 24, 30, 36)]
        with mpmath.workdps(dps):
            # Ŷ in mp from the same eigendecomposition the closed form uses, so its rounding does not floor errors
            sig_mp, Phi_mp = N._eig_mp(Y)
            Yh_mp = Phi_mp * mpmath.diag([max(s, 0) for s in sig_mp]) * Phi_mp.T
            errs = [float(N.mp_fro(X - Yh_mp)) for X in N.riccati_closed_form(Y, X0, ts, dps=dps)]
        parts[f"instance {j}"] = _rate_fit("Prop. 2 rate", ts, errs, rate, eigenvalues=sig,
                                           min_singular_value_of_condition=float(cond))
    return combine("Proposition 2", parts)


@claim("matrix_factorization.prop2", section="2 / App. C", equations=("8",), keys=(K + "proposition-2",),
       statement="For any PSD X0 with Y and I + Ȳ⁻¹(X0 − Ŷ) nonsingular, ‖X(t) − Ŷ‖_F ≤ Ce^{−4tσ_min(Y)} "
                 "(Ŷ = PSD part, Ȳ = |Y|); the fitted decay rate of the exact solution equals 4σ_min.",
       kind="rate", reconstruction="OCR drops the hat/bar accents on Ŷ (PSD part) and Ȳ (absolute value); restored.")
def _prop2(ctx: Context) -> Result:
    return check_prop2(stream_rng(ctx.seed, "prop2"), _sizes(ctx, (3,), (8,))[0], ctx.dps)


def check_prop2_remark(condition: Callable = D.remark_prop2_condition) -> Result:
    """Spectral X0: the eigenvalue 1 + |σ|⁻¹(σ0 − max(σ,0)) is σ0/σ for σ > 0 (zero iff σ0 = 0, i.e. iff the
    rank condition fails) and 1 + σ0/|σ| ≥ 1 for σ < 0."""
    s0 = sp.Symbol("s0", nonnegative=True)
    return residuals_vanish("remark after Prop. 2", {
        "sigma>0": condition(D.sigma_pos, s0) - s0 / D.sigma_pos,
        "sigma<0": condition(-D.sigma_pos, s0) - (1 + s0 / D.sigma_pos)})


@claim("matrix_factorization.prop2.remark", section="2", equations=("8",),
       keys=(K + "sec-2-remark-after-proposition-2",),
       statement="For spectral X0, I + Ȳ⁻¹(X0 − Ŷ) is invertible iff rank(Σ0Σ̂) = rank(Σ̂) (Prop. 2 extends "
                 "Cor. 1's condition); its eigenvalues are σ0,i/σ_i (σ_i > 0) and 1 + σ0,i/|σ_i| (σ_i < 0).",
       kind="other")
def _prop2_remark(ctx: Context) -> Result:
    return check_prop2_remark()


# --- App. A ---------------------------------------------------------------------------------------------
def check_lemma6(rng: np.random.Generator, n: int, dps: int, x2_sign: float = 1.0) -> Result:
    """Lemma 6: P = X2X1⁻¹ (words), the finite-escape example, and (27) against expm of the linear system."""
    from scipy.integrate import quad_vec
    from scipy.linalg import expm, solve_continuous_are

    words = residuals_vanish("Lemma 6, P = X2 X1^-1", {"words": D.lemma6_residual()})
    x1, esc = D.lemma6_scalar_escape()
    escape = residuals_vanish("finite escape P' = -P^2", {"ode": esc, "X1 = 1 + p0 t": x1 - (1 + sp.Symbol("p0", real=True) * D.t)})
    A = rng.standard_normal((n, n)) / math.sqrt(n)
    Bm = rng.standard_normal((n, n))
    R = Bm @ Bm.T / n + np.eye(n) * 0.1
    Cm = rng.standard_normal((n, n))
    Q = Cm @ Cm.T / n
    P0 = np.eye(n) * 0.5
    # ARE A P + P Aᵀ − P R P + Q = 0 ⇔ scipy's aᵀX + Xa − X b r⁻¹ bᵀ X + q = 0 with a = Aᵀ, b = I, r = R⁻¹
    Pbar = solve_continuous_are(A.T, np.eye(n), Q, np.linalg.inv(R))
    Abar, Ahat = A - Pbar @ R, A.T - R @ Pbar
    def expm_err(M: np.ndarray) -> tuple[np.ndarray, float]:
        """expm(M) and an estimate of its error: its difference to expm(M/2)² (a second evaluation by squaring)
        plus the rounding of that product."""
        E, half = expm(M), expm(M / 2)
        return E, float(np.abs(E - half @ half).max() + M.shape[0] * EPS * np.abs(half).max() ** 2)

    H = np.block([[-A.T, R], [Q, A]])
    D0 = P0 - Pbar
    d0 = float(np.abs(D0).max())
    errs, bounds = [], []
    for t in (0.3, 0.7, 1.2):
        EH, eH = expm_err(t * H)
        Z = EH @ np.vstack([np.eye(n), P0])
        integral, q_err = quad_vec(lambda s: expm(-(t - s) * Ahat) @ R @ expm(s * Abar), 0, t, epsabs=1e-14,
                                   epsrel=1e-13)
        EA, eA = expm_err(-t * Ahat)
        EB, eB = expm_err(t * Abar)
        X1 = EA + integral @ D0
        X2 = Pbar @ X1 + x2_sign * EB @ D0
        errs.append(float(max(np.abs(X1 - Z[:n]).max(), np.abs(X2 - Z[n:]).max()) / max(1.0, np.abs(Z).max())))
        # first-order error bound of each side (max-abs entries): expm's by re-evaluation, the integral's by
        # quad_vec's own estimate (its 2-norm bounds every entry), n·EPS for each matrix product's rounding
        e_x1 = eA + n * (float(q_err) + EPS * float(np.abs(integral).max())) * d0
        e_x2 = n * float(np.abs(Pbar).max()) * e_x1 + n * (eB + EPS * float(np.abs(EB).max())) * d0 + EPS * float(np.abs(X2).max())
        e_z = n * (eH + EPS * float(np.abs(EH).max())) * max(1.0, float(np.abs(P0).max()))
        bounds.append((max(e_x1, e_x2) + e_z) / max(1.0, float(np.abs(Z).max())))
    tol = max(bounds)
    num = from_errors("(27) vs the linear system", errs, tol, instances=[{"n": n}])
    return combine("Lemma 6", {"words": words, "escape": escape, "(27)": num})


@claim("matrix_factorization.lemma6", section="App. A", equations=("23", "24", "25", "26", "27"),
       keys=(K + "lemma-6-sasagawa",),
       statement="P = X2X1⁻¹ solves the Riccati equation (23) while X1 of (24) is invertible (finite escape when it is "
                 "not); given an ARE solution P̄, X1 = e^{−tÂ} + ∫₀ᵗe^{−(t−s)Â}Re^{sĀ}ds(P0 − P̄), X2 = P̄X1 + e^{tĀ}(P0 − P̄) "
                 "with Ā = A − P̄R, Â = Aᵀ − RP̄.", kind="existence",
       reconstruction="(27) is garbled (accents and signs); rebuilt by solving (24) in the variables X1, X2 − P̄X1.")
def _lemma6(ctx: Context) -> Result:
    return check_lemma6(stream_rng(ctx.seed, "lemma6"), _sizes(ctx, (3,), (6,))[0], ctx.dps)


def check_app_a_29_32(coupling: sp.Expr = 4) -> Result:
    res = dict(D.app_a_linear_system_residuals(coupling=coupling))
    res["X = 0 solves XY + YX - 2X^2 = 0"] = sp.Integer(0)
    return residuals_vanish("(29)-(32)", res)


@claim("matrix_factorization.eq29to32", section="App. A", equations=("28", "29", "30", "31", "32"),
       keys=(K + "app-a-eqs-29-32",),
       statement="For (28) (A = 2Y, R = 4I, Q = 0), X2 = e^{2tY}X0 and X1 = e^{−2tY} + e^{−2tY}Y⁻¹(e^{4tY} − I)X0 "
                 "solve (29), and X2X1⁻¹ is (32) = (6); X = 0 solves the ARE (30). (Symbolic in Y's eigenbasis.)",
       kind="identity")
def _app_a(ctx: Context) -> Result:
    return check_app_a_29_32()


def check_well_posedness(rng: np.random.Generator, m: int, n_inst: int = 20, factors: Callable = G.prop1_factors) -> Result:
    tau = sp.Symbol("tau", real=True)
    sym_parts = {}
    for name, f in D.well_posedness_factor().items():
        s = D.sigma_pos if name == "sigma>0" else -D.sigma_pos
        # σ⁻¹(e^{4tσ} − 1) = ∫₀^{4t} e^{στ} dτ, an integral of a positive function
        sym_parts[name] = sp.simplify(sp.integrate(sp.exp(s * tau), (tau, 0, 4 * D.t)) - f)
    sym = residuals_vanish("factor = integral of a positive function", sym_parts)
    errs, mismatch = [], []
    for _ in range(n_inst):
        Y, Phi = _spectral_y(rng, m)
        sig = np.linalg.eigvalsh(Y)
        B = rng.standard_normal((m, m))
        X0 = B @ B.T
        t = rng.uniform(0, 2)
        s_, ph = np.linalg.eigh(Y)
        fac = factors(t, s_)[1]
        # the factor used must be the integral the symbolic part reasons about (a quadrature, independent of (6))
        for s1, f1 in zip(s_, fac):
            val, q_err = integrate.quad(lambda tau: math.exp(s1 * tau), 0.0, 4 * t, epsabs=0.0, epsrel=1e-13)
            bound = q_err + 10 * EPS * (math.exp(4 * t * s1) + 1) / abs(s1)
            mismatch.append(abs(f1 - val) / bound)
        Mt = (ph * fac) @ ph.T
        ev = np.linalg.eigvals(np.eye(m) + Mt @ X0)
        errs.append(max(0.0, 1 - float(ev.real.min())) + float(np.abs(ev.imag).max()))
    num = from_errors("eigenvalues of I + Y^-1(e^{4tY}-I)X0 are real and >= 1", errs,
                      1e3 * EPS * m * max(1.0, float(np.abs(sig).max())) * 100)
    if max(mismatch) > 1 and num.verdict is not Verdict.REFUTED:
        return inconclusive("App. A well-posedness: the spectral factor used differs from ∫₀^{4t} e^{στ}dτ by "
                            f"{max(mismatch):.1e} × its error bound; the eigenvalue test is not about (32)",
                            symbolic=sym.verdict.value, numeric=num.verdict.value)
    return combine("App. A well-posedness", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.appA.well_posedness", section="App. A", equations=("32",),
       keys=(K + "app-a-well-posedness-claim",),
       statement="Y⁻¹(e^{4tY} − I) ⪰ 0 for t ≥ 0, so for X0 ⪰ 0 the bracket I + Y⁻¹(e^{4tY} − I)X0 (eigenvalues ≥ 1) "
                 "is invertible and the solution exists for all t ≥ 0.", kind="inequality")
def _wp(ctx: Context) -> Result:
    return check_well_posedness(stream_rng(ctx.seed, "wellposed"), _sizes(ctx, (4,), (10,))[0])


# --- App. C ---------------------------------------------------------------------------------------------
def check_app_c_33_34(projection: Callable | None = None) -> Result:
    res = dict(D.app_c_scalar_facts(projection))
    res["X(X-Y)=0 implies the ARE (words)"] = D.app_c_reduction_residual()
    return residuals_vanish("(33)-(34)", res)


@claim("matrix_factorization.eq33to34", section="App. C", equations=("30", "33", "34"),
       keys=(K + "app-c-eqs-33-34",),
       statement="Ŷ solves the ARE 2YX + 2XY − 4X² = 0: Ŷ(Ŷ − Y) = 0, and Ā = 2Y − 4Ŷ = −2Ȳ with Ȳ = Σ|σ_i|φ_iφ_iᵀ ≻ 0.",
       kind="identity")
def _c33(ctx: Context) -> Result:
    return check_app_c_33_34()


def ares_psd_solutions(Y: np.ndarray) -> list[np.ndarray]:
    """All PSD solutions of 2YX + 2XY − 4X² = 0 for Y with distinct eigenvalues: Σ_{i∈S, σ_i>0} σ_iφ_iφ_iᵀ."""
    s, ph = np.linalg.eigh(Y)
    pos = [i for i in range(len(s)) if s[i] > 0]
    out = []
    for mask in range(1 << len(pos)):
        idx = [pos[j] for j in range(len(pos)) if mask >> j & 1]
        out.append((ph[:, idx] * s[idx]) @ ph[:, idx].T)
    return out


def check_app_c_uniqueness(rng: np.random.Generator, m: int, target: Callable = N.psd_part) -> Result:
    sym = residuals_vanish("(35)-(39)", {"(35)": D.app_c_delta_residual(), **D.app_c_lyapunov_residuals()})
    Y, _ = _spectral_y(rng, m)
    sols = ares_psd_solutions(Y)
    are = [float(np.abs(2 * Y @ X + 2 * X @ Y - 4 * X @ X).max()) for X in sols]
    stab = [X for X in sols if np.linalg.eigvals(2 * Y - 4 * X).real.max() < 0]
    Yh = target(Y)
    ok = len(stab) == 1 and np.abs(stab[0] - Yh).max() < 1e3 * EPS * m
    num = (from_errors("PSD ARE solutions: residuals", are, 1e3 * EPS * m * float(np.abs(Y).max()) ** 2)
           if ok else refuted("the stabilising PSD solution is not unique or not Ŷ",
                              counterexample={"Y": Y, "n_stabilising": len(stab)}))
    return combine("App. C uniqueness of the stabilising solution", {"symbolic": sym, "enumeration": num})


@claim("matrix_factorization.appC.uniqueness", section="App. C", equations=("35", "36", "37", "38", "39"),
       keys=(K + "app-c-uniqueness-of-the-stabilizing-solution-eqs-35-39",),
       statement="Ŷ is the only PSD ARE solution with 2Y − 4X Hurwitz: Δ = Ŷ − X2 solves ĀΔ + ΔĀ + 4Δ² = 0, the "
                 "Lyapunov form TW4 + W4T + 4I = 0 (T = D⁻¹) gives T = −2W4⁻¹ and a non-Hurwitz A2; numerically, of all "
                 "2^p PSD ARE solutions exactly one (Ŷ) is stabilising.", kind="identity")
def _cuniq(ctx: Context) -> Result:
    return check_app_c_uniqueness(stream_rng(ctx.seed, "c_uniq"), _sizes(ctx, (4,), (8,))[0])


def check_app_c_40_42(rng: np.random.Generator, m: int, dps: int, times=(0.0, 0.4, 1.0, 2.5),
                      second: Callable = N.riccati_closed_form) -> Result:
    sym = residuals_vanish("(40)-(41) symbolic", {**D.stable_form_residuals(), **{f"(40) {k_}": v for k_, v in D.app_c_40_residuals().items()}})
    Y, _ = _spectral_y(rng, m)
    B = rng.standard_normal((m, m))
    X0 = B @ B.T / m
    with mpmath.workdps(dps):
        a = N.riccati_closed_form(Y, X0, times, "prop1", dps)
        b = second(Y, X0, times, "stable", dps)
        err = max(float(N.mp_fro(p - q)) for p, q in zip(a, b))
    with mpmath.workdps(dps + 10):  # each side again at 10 more digits: the change estimates its rounding error
        a2 = N.riccati_closed_form(Y, X0, times, "prop1", dps + 10)
        b2 = second(Y, X0, times, "stable", dps + 10)
        rounding = max(float(N.mp_fro(p - q)) for p, q in zip(a, a2)) + max(float(N.mp_fro(p - q)) for p, q in zip(b, b2))
        scale = max(float(N.mp_fro(p)) for p in a)
    tol = rounding + 10.0 ** (-dps) * (1 + scale)
    return combine("App. C (40)-(42)", {"symbolic": sym, "numeric": from_errors("(41) vs (6) at dps digits", [err], tol)})


@claim("matrix_factorization.eq40to42", section="App. C", equations=("40", "41", "42"),
       keys=(K + "app-c-eqs-40-42",),
       statement="With P̄ = Ŷ, X(t) = Ŷ + e^{−2tȲ}(X0 − Ŷ)[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)]⁻¹e^{−2tȲ} = Ŷ + e^{−2tȲ}H(t)e^{−2tȲ}.",
       kind="closed_form",
       reconstruction="(40) as printed has e^{−2tȲ} on X1 and e^{2tȲ} on X2's last term, which does not give (41); the "
                      "checked reconstruction is X1 = e^{2tȲ}[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)], X2 = ŶX1 + e^{−2tȲ}(X0 − Ŷ).")
def _c40(ctx: Context) -> Result:
    return check_app_c_40_42(stream_rng(ctx.seed, "c40"), _sizes(ctx, (4,), (8,))[0], ctx.dps)


def h_of_t(Y: np.ndarray, X0: np.ndarray, t: float, dps: int) -> mpmath.matrix:
    """H(t) = (X0 − Ŷ)[I + Ȳ⁻¹(I − e^{−4Ȳt})(X0 − Ŷ)]⁻¹ in mpmath (eigenbasis of Y)."""
    with mpmath.workdps(dps):
        sig, Phi = N._eig_mp(Y)
        fac = [G.stable_factors_mp(mpmath.mpf(t), s) for s in sig]
        Dm = Phi.T * mpmath.matrix(X0.tolist()) * Phi - mpmath.diag([f[0] for f in fac])
        H = Dm * mpmath.inverse(mpmath.eye(len(sig)) + mpmath.diag([f[2] for f in fac]) * Dm)
        return Phi * H * Phi.T, Phi, sig


def check_app_c_43_46(rng: np.random.Generator, m: int, dps: int, coefficient: float = -4.0) -> Result:
    sym = residuals_vanish("(43) words", {"H'": D.app_c_h_derivative_residual(), "M'": D.stable_m_derivative()})
    Y, _ = _spectral_y(rng, m)
    B = rng.standard_normal((m, m + 1))
    X0 = B @ B.T / m
    errs_d, loew = [], []
    with mpmath.workdps(dps):
        H0 = h_of_t(Y, X0, 0.0, dps)[0]
        Hinf = h_of_t(Y, X0, 60.0 / min(abs(np.linalg.eigvalsh(Y))), dps)[0]
        for t in (0.2, 0.8, 2.0):
            Ht, Phi, sig = h_of_t(Y, X0, t, dps)
            F = Phi * mpmath.diag([mpmath.exp(-4 * abs(s) * t) for s in sig]) * Phi.T
            step = mpmath.mpf(10) ** (-(dps // 4))  # central difference: truncation 10^{-dps/2}, rounding 10^{-3dps/4}
            dH = (h_of_t(Y, X0, t + step, dps)[0] - h_of_t(Y, X0, t - step, dps)[0]) / (2 * step)
            errs_d.append(float(N.mp_fro(dH - coefficient * Ht * F * Ht)))
            for lower, upper in ((Hinf, Ht), (Ht, H0)):
                diff = N.mp_to_array(upper - lower)
                loew.append(max(0.0, -float(np.linalg.eigvalsh((diff + diff.T) / 2).min())))
    tol = 10.0 ** (-(dps // 3))  # the central difference keeps about dps/2 digits
    return combine("App. C (43)-(46)", {
        "symbolic": sym, "dH/dt = -4 H e^{-4 Ybar t} H": from_errors("(43)", errs_d, tol),
        "Hbar <= H(t) <= H(0)": from_errors("Loewner order (45)", loew, 1e3 * EPS * m * float(np.abs(X0).max() + 2))})


@claim("matrix_factorization.eq43to46", section="App. C", equations=("43", "44", "45", "46"),
       keys=(K + "app-c-eqs-43-46",),
       statement="H(t) satisfies H' = −4He^{−4Ȳt}H ⪯ 0, H(t) → H̄ = (X0 − Ŷ)[I + Ȳ⁻¹(X0 − Ŷ)]⁻¹ and H̄ ⪯ H(t) ⪯ H(0), "
                 "which gives (46).", kind="inequality")
def _c43(ctx: Context) -> Result:
    return check_app_c_43_46(stream_rng(ctx.seed, "c43"), _sizes(ctx, (3,), (6,))[0], ctx.dps)


# =========================================================================================================
# §3 asymmetric factorisation
# =========================================================================================================
def _asym_instance(rng, m, n, k, scale=0.5):
    Y = rng.standard_normal((m, n))
    U0, V0 = scale * rng.standard_normal((m, k)), scale * rng.standard_normal((n, k))
    return Y, U0, V0


def check_eq11(rng: np.random.Generator, m: int, n: int, k: int, quantity: Callable = N.gram_difference,
               dps: int = 30) -> Result:
    sym = residuals_vanish("(11)", {"words": D.conservation_word_residual(), "entries 2x3x4": D.conservation_entries_residual(2, 3, 4)})
    Y, U0, V0 = _asym_instance(rng, m, n, k)
    ts = np.linspace(0, 4, 9)
    sol = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), ts)
    if not sol.success:
        return inconclusive(f"flow failed: {sol.message}")
    sh = N.Shapes(((m, k), (n, k)))
    q0 = quantity(U0, V0)
    drift = max(float(np.abs(quantity(*sh.unpack(w)) - q0).max()) for w in sol["w"])
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n)
    # high precision: mpmath's Taylor integrator at dps digits on a 1×2 / 2×2 instance (Q0 computed in mpmath too)
    Ys, Us, Vs = _asym_instance(rng, 1, 2, 2)
    with mpmath.workdps(dps):
        UT, VT = N.mp_flow_asymmetric(Ys, Us, Vs, 0.5, dps)
        U0m, V0m = mpmath.matrix(Us.tolist()), mpmath.matrix(Vs.tolist())
        hp = float(N.mp_fro((UT.T * UT - VT.T * VT) - (U0m.T * U0m - V0m.T * V0m)))
    return combine("conservation law (11)", {"symbolic": sym, "along the flow": from_errors(
        "max |Q(t) - Q(0)|", [drift], tol, instances=[{"m": m, "n": n, "k": k}]),
        f"mpmath ODE at {dps} digits": from_errors("||Q(0.5) - Q(0)||", [hp], 10.0 ** (-(dps - 5)), instances=[{"dps": dps}])})


@claim("matrix_factorization.eq11", section="3", equations=("10", "11"), keys=(K + "eq-11-conservation-law",),
       statement="Along (10), Q = UᵀU − VᵀV has Q' = 0 (any sizes; words in U, V, E = Y − UVᵀ), so Q(t) = Q(0) and "
                 "‖U‖² − ‖V‖² is conserved (numerically: along a float solve and, on a small instance, along mpmath's "
                 "Taylor integrator at the run's digits).", kind="identity")
def _eq11(ctx: Context) -> Result:
    return check_eq11(stream_rng(ctx.seed, "eq11"), *_sizes(ctx, (2, 3, 4), (5, 10, 50)), dps=ctx.dps)


def check_gauge(rng: np.random.Generator, m: int, n: int, k: int,
                gauge: Callable[[np.ndarray], np.ndarray] = lambda Q: np.linalg.eigh(Q)[1]) -> Result:
    sym = residuals_vanish("(12)-(14)", D.gauge_residuals())
    Y, U0, V0 = _asym_instance(rng, m, n, k)
    Phi, s, PsiT = np.linalg.svd(Y)
    Sig = np.zeros((m, n))
    Sig[:m, :m] = np.diag(s)
    Gm = gauge(N.gram_difference(U0, V0))
    Ut0, Vt0 = Phi.T @ U0 @ Gm, PsiT @ V0 @ Gm
    ts = np.linspace(0, 3, 7)
    sol = N.flow(N.grad_asymmetric(Sig, k), N.Shapes.pack(Ut0, Vt0), ts)
    if not sol.success:
        return inconclusive(f"flow failed: {sol.message}")
    sh = N.Shapes(((m, k), (n, k)))
    Lam = np.diag(np.diag(N.gram_difference(Ut0, Vt0)))
    dev = max(float(np.abs(N.gram_difference(*sh.unpack(w)) - Lam).max()) for w in sol["w"])
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n) + 1e3 * EPS * float(np.abs(Lam).max())
    return combine("gauge (12)-(14)", {"symbolic": sym, "Lambda_Q0 diagonal and constant": from_errors(
        "max |Ut'Ut - Vt'Vt - Lambda_Q0|", [dev], tol)})


@claim("matrix_factorization.eq12to14", section="3", equations=("12", "13", "14"),
       keys=(K + "eqs-12-14-rotational-symmetry",),
       statement="With Y = ΦΣΨᵀ and U = ΦŨGᵀ, V = ΨṼGᵀ (G ∈ O(k)), Ũ, Ṽ solve (13), of the same form as (10); with G "
                 "diagonalising Q, ŨᵀŨ − ṼᵀṼ = GᵀQG = Λ_{Q0} is diagonal and constant.", kind="identity")
def _gauge(ctx: Context) -> Result:
    return check_gauge(stream_rng(ctx.seed, "gauge"), *_sizes(ctx, (2, 3, 4), (5, 10, 50)))


def _prop3_flow(rng, m, n, k, ts, closed=G.prop3_sigma, constant=G.prop3_constant):
    """Spectral init of (13) (diagonal Ũ0, Ṽ0) against (15) with (51), per component."""
    s = np.sort(rng.uniform(0.3, 1.5, m))[::-1]
    Sig = np.zeros((m, n))
    Sig[:m, :m] = np.diag(s)
    u0, v0 = rng.uniform(-1.2, 1.2, m), rng.uniform(-1.2, 1.2, m)
    U0, V0 = np.zeros((m, k)), np.zeros((n, k))
    U0[np.arange(m), np.arange(m)], V0[np.arange(m), np.arange(m)] = u0, v0
    lam0, x0_ = u0 ** 2 - v0 ** 2, u0 * v0
    sol = N.flow(N.grad_asymmetric(Sig, k), N.Shapes.pack(U0, V0), ts)
    sh = N.Shapes(((m, k), (n, k)))
    flow_sig = np.array([np.diag(sh.unpack(w)[0] @ sh.unpack(w)[1].T)[:m] for w in sol["w"]])
    C_ = constant(s, lam0, x0_)
    closed_sig = np.array([closed(t, s, lam0, C_) for t in ts])
    return sol, flow_sig, closed_sig, {"sigma": s, "lambda0": lam0, "x0": x0_, "C": C_}


def check_prop3_closed_form(rng: np.random.Generator, m: int, n: int, k: int,
                            closed: Callable = G.prop3_sigma, constant: Callable = G.prop3_constant,
                            symbolic: bool = True) -> Result:
    parts = {}
    if symbolic:
        parts["symbolic"] = residuals_vanish("(15) with (51)", D.prop3_residuals())
    ts = np.linspace(0, 4, 17)
    sol, fs, cs, inst = _prop3_flow(rng, m, n, k, ts, closed, constant)
    if not sol.success:
        return inconclusive("flow failed")
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), 1) + 1e3 * EPS * 10
    parts["numeric"] = from_errors("(15) vs the flow (13) from a spectral init", [float(np.abs(fs - cs).max())], tol,
                                   instances=[inst])
    return combine("Proposition 3 closed form", parts)


RECON_15 = ("(15) and (51) are garbled in the OCR; reconstructed as σ(t) = (σE² − 2Cλ0²E − 4σλ0²C²)/(E² + 8σCE − 4λ0²C²), "
            "E = e^{t√(4σ²+λ0²)}, and C = (√(4σ²λ0² + 16σ²x0² + λ0⁴ + 4x0²λ0²) − 4σx0 − λ0²)/(4λ0²(σ − x0)), x0 = σ0,i; "
            "SymPy shows σ(0) = x0 and σ'² = 4(σ−σ(t))²(σ(t)² + λ0²/4), the square of (50).")


@claim("matrix_factorization.prop3.closed_form", section="3 / App. D", equations=("15", "51"),
       keys=(K + "proposition-3-closed-form",),
       statement="With spectral init, X(t) = ΦΣ(t)Ψᵀ stays spectral and σ_i(t) is given by (15) with "
                 "λ0 = diag(U0ᵀU0 − V0ᵀV0) and the constant C_i of (51).", kind="closed_form", reconstruction=RECON_15)
def _prop3(ctx: Context) -> Result:
    return check_prop3_closed_form(stream_rng(ctx.seed, "prop3"), *_sizes(ctx, (2, 3, 4), (5, 10, 50)))


def check_prop3_constant_positive(instances: Sequence[tuple[float, float, float]], constant: Callable = G.prop3_constant_mp,
                                  dps: int = 50, reference: Callable = G.prop3_constant) -> Result:
    """The paper: C_i > 0. Evaluates (51) at (σ, λ0, x0) at ``dps`` digits; C ≤ 0 refutes. The error estimate of
    each value is its distance to an independent float64 evaluation of (51) (``reference``), at least the
    rounding at ``dps // 2`` digits."""
    vals, errs, inst = [], [], []
    with mpmath.workdps(dps):
        for s, l0, z in instances:
            c_ = constant(mpmath.mpf(s), mpmath.mpf(l0), mpmath.mpf(z))
            vals.append(float(-c_))
            errs.append(max(abs(float(c_) - float(reference(s, l0, z))), float(abs(c_)) * 10.0 ** (-(dps // 2))))
            inst.append({"sigma": s, "lambda0": l0, "x0": z, "C": float(c_)})
    return from_threshold("-C (the paper says C > 0)", vals, 0.0, errs, instances=inst)


@claim("matrix_factorization.prop3.constant_positive", section="3 / App. D", equations=("15", "16", "51"),
       keys=(K + "proposition-3-closed-form",),
       statement="The constant C_i = C(λ0,i, σ0,i) of (51) is positive (as stated after (15) and used in (16)); tested at "
                 "seeded random (σ, λ0, x0) with x0 on both sides of σ.", kind="inequality", reconstruction=RECON_15)
def _prop3_c(ctx: Context) -> Result:
    rng = stream_rng(ctx.seed, "prop3_c")
    inst = [(float(s), float(l0), float(s * f)) for s, l0, f in
            zip(rng.uniform(0.3, 2, 6), rng.uniform(0.2, 2, 6), [0.2, 0.5, 0.9, 1.3, 2.0, 3.0])]
    return check_prop3_constant_positive(inst, dps=ctx.dps)


def check_prop3_constant_sign(constant: Callable = D.paper_prop3_constant) -> Result:
    """Corrected: sign C = sign(σ − x0), since numerator² gap s²(λ0² + 4x0²) − (λ0² + 4σx0)² = 4λ0²(x0 − σ)² ≥ 0;
    and (16) in the signed form σ(t) − σ ≃ −2C s² e^{−ts}, which holds for either sign of C."""
    s_, z = D.sigma_pos, D.x0
    gap = sp.expand((4 * s_ ** 2 + D.lam ** 2) * (D.lam ** 2 + 4 * z ** 2) - (D.lam ** 2 + 4 * s_ * z) ** 2 - 4 * D.lam ** 2 * (z - s_) ** 2)
    # C·4λ0²(σ − x0) = √(s²(λ0²+4x0²)) − (λ0² + 4σx0) ≥ 0: check the radicand factorisation used
    rad = sp.expand(4 * s_ ** 2 * D.lam ** 2 + 16 * s_ ** 2 * z ** 2 + D.lam ** 4 + 4 * z ** 2 * D.lam ** 2
                    - (4 * s_ ** 2 + D.lam ** 2) * (D.lam ** 2 + 4 * z ** 2))
    radicand = 4 * s_ ** 2 * D.lam ** 2 + 16 * s_ ** 2 * z ** 2 + D.lam ** 4 + 4 * z ** 2 * D.lam ** 2
    num = sp.simplify(constant(s_, D.lam, z) * 4 * D.lam ** 2 * (s_ - z) - (sp.sqrt(radicand) - D.lam ** 2 - 4 * s_ * z))
    lim = D.prop3_asymptotic_limit()
    return residuals_vanish("sign of C and signed (16)", {"radicand = s^2(lambda0^2+4x0^2)": rad, "numerator gap": gap,
                                                 "C*4 lambda0^2 (sigma - x0) = sqrt(.) - (.)": num,
                                                 "lim (sigma(t)-sigma) e^{ts}/(-2C s^2) - 1": lim - 1})


@claim("matrix_factorization.prop3.constant_sign", section="3 / App. D", equations=("16", "51"),
       keys=(K + "proposition-3-rate-and-eq-16",), corrects="matrix_factorization.prop3.constant_positive",
       statement="Corrected: C_i has the sign of σ_i − σ0,i (C > 0 only when the start is below the target), and the "
                 "asymptotics read σ_i(t) − σ_i ≃ −2C_i(4σ_i² + λ0,i²)e^{−t√(4σ_i²+λ0,i²)} (|·| needs |C_i|).",
       kind="identity", reconstruction=RECON_15)
def _prop3_sign(ctx: Context) -> Result:
    return check_prop3_constant_sign()


def check_prop3_rate(rng: np.random.Generator, m: int, n: int, k: int, claimed_rate: Callable = G.prop3_rate) -> Result:
    """Fit each component's decay |σ_i(t) − σ_i| along the flow (13) against e^{−t·claimed_rate(σ, λ0)}; and (16)'s limit."""
    lim = D.prop3_asymptotic_limit()
    sym = (proved("lim (σ(t) − σ)e^{ts}/(−2Cs²) = 1", zero=f"{lim} - 1") if lim == 1
           else refuted("(16) limit is not 1", counterexample={"limit": str(lim)}))
    s = np.sort(rng.uniform(0.3, 1.0, m))[::-1]
    Sig = np.zeros((m, n))
    Sig[:m, :m] = np.diag(s)
    u0, v0 = rng.uniform(0.1, 0.6, m), rng.uniform(0.6, 1.2, m)
    lam0 = u0 ** 2 - v0 ** 2
    rates = np.array([float(claimed_rate(a, b)) for a, b in zip(s, lam0)])
    parts = {"(16) limit": sym}
    true_rates = G.prop3_rate(s, lam0)
    T = 16.0 / true_rates.min()
    ts = np.linspace(0, T, 41)
    U0, V0 = np.zeros((m, k)), np.zeros((n, k))
    U0[np.arange(m), np.arange(m)], V0[np.arange(m), np.arange(m)] = u0, v0
    sol = N.flow(N.grad_asymmetric(Sig, k), N.Shapes.pack(U0, V0), ts, rtol=1e-13)
    if not sol.success:
        return inconclusive("flow failed")
    sh = N.Shapes(((m, k), (n, k)))
    comp = np.array([np.diag(sh.unpack(w)[0] @ sh.unpack(w)[1].T)[:m] for w in sol["w"]])
    for i in range(m):
        sel = [j for j, t in enumerate(ts) if 6 <= t * true_rates[i] <= 16]
        errs = np.abs(comp[sel, i] - s[i])
        parts[f"component {i}"] = _rate_fit(f"component {i}", ts[sel], errs, rates[i], sigma=s[i], lambda0=lam0[i])
    return combine("Proposition 3 rate", parts)


@claim("matrix_factorization.prop3.rate", section="3", equations=("15", "16"), keys=(K + "proposition-3-rate-and-eq-16",),
       statement="Component i converges at rate e^{−t√(4σ_i² + λ0,i²)} (fitted along the flow (13) from a spectral init), "
                 "with σ_i(t) − σ_i ~ −2C_i(4σ_i² + λ0,i²)e^{−t√(4σ_i²+λ0,i²)} (limit proved).", kind="rate")
def _prop3_rate(ctx: Context) -> Result:
    return check_prop3_rate(stream_rng(ctx.seed, "prop3_rate"), *_sizes(ctx, (2, 3, 3), (5, 10, 50)))


def check_table2(rate: Callable = G.prop3_rate) -> Result:
    """Table 2: (σ, λ0) regimes vs the linear rate 1, plus s² − 1 > 0 whenever |λ0| > 1 and ∂s/∂|λ0| > 0."""
    facts = D.table2_facts()
    p = sp.Symbol("p", positive=True)
    sym_ok = facts["s^2-1 at |lambda0|=1+p"].is_positive and facts["ds/dlambda0"].subs(D.lam, p).is_positive
    sym = (proved("|λ0| > 1 ⇒ s > 1 for every σ, and s increases with |λ0|", zero=str(facts)) if sym_ok
           else refuted("a Table 2 fact fails", counterexample={k_: str(v) for k_, v in facts.items()}))
    regimes = {"balanced, small sigma": (0.2, 0.0, False), "balanced, large sigma": (1.0, 0.0, True),
               "imbalanced, small sigma": (0.2, 2.0, True), "imbalanced, large sigma": (1.0, 2.0, True)}
    pairs, inst = [], []
    for name, (s, l0, accel) in regimes.items():
        r = float(rate(s, l0))
        pairs.append((int(r > 1), int(accel)))
        inst.append({"regime": name, "rate": r, "table says accelerated": accel})
    num = from_counts("Table 2 regimes (accelerated = rate > 1)", pairs, inst)
    return combine("Table 2", {"symbolic": sym, "regimes": num})


@claim("matrix_factorization.table2", section="3", equations=("16",), keys=(K + "sec-3-acceleration-criterion-and-table-2",),
       statement="Acceleration over e^{−t} iff 4σ² + λ0² > 1; always when |λ0| > 1; faster with more imbalance; Table 2: "
                 "balanced & small σ: no; balanced & large σ: yes; imbalanced: yes (σ = 0.2/1, λ0 = 0/2 as instances).",
       kind="rate")
def _table2(ctx: Context) -> Result:
    return check_table2()


def check_app_d(v_sign: int = 1) -> Result:
    return residuals_vanish("(47)-(50)", {"(47) off-diagonal and extra rows": D.diagonal_flow_residual(),
                                 **D.scalar_reduction_residuals(v_sign)})


@claim("matrix_factorization.eq47to50", section="App. D", equations=("47", "48", "49", "50"),
       keys=(K + "app-d-eqs-47-50",),
       statement="With spectral init, Ũ, Ṽ stay diagonal; each component obeys u' = (σ − uv)v, v' = (σ − uv)u, conserves "
                 "u² − v² = λ0, and x = uv solves x' = (σ − x)(u² + v²) = 2(σ − x)√(x² + λ0²/4).", kind="identity")
def _appd(ctx: Context) -> Result:
    return check_app_d()


# =========================================================================================================
# §4 general initialisation
# =========================================================================================================
def check_eq18(coef: sp.Expr = sp.Rational(1, 2)) -> Result:
    return residuals_vanish("(18)", {"(18) vs (13), R0'JR0": D.eq18_residual(coef=coef)})


@claim("matrix_factorization.eq18", section="4", equations=("17", "18"), keys=(K + "eq-18",),
       statement="With R = [Ũ; Ṽ], S = [[0, Σ], [Σᵀ, 0]], J = diag(I_m, −I_n): R' = SR − ½RRᵀR + ½JRΛ_{Q0} with "
                 "R0ᵀJR0 = Λ_{Q0}.", kind="identity",
       reconstruction="OCR shows '+ SRΛ' and '2RᵀSR0 = Λ'; the identity holds with ½JRΛ and RᵀJR (J = diag(I, −I)).")
def _eq18(ctx: Context) -> Result:
    return check_eq18()


def check_prop4_equivalence(weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    return residuals_vanish("Prop. 4", D.prop4_residuals(weight))


@claim("matrix_factorization.prop4.equivalence", section="4 / App. F", equations=("18", "19", "20"),
       keys=(K + "proposition-4-equivalence-explicit-regularization",),
       statement="(18) with a free symmetric Λ equals (19), which is gradient flow on ½‖Σ − UVᵀ‖² + ⅛‖UᵀU − VᵀV − Λ‖².",
       kind="identity")
def _prop4(ctx: Context) -> Result:
    return check_prop4_equivalence()


def check_prop4_invariance(rng: np.random.Generator, m: int, n: int, k: int, perturb: float = 0.0) -> Result:
    """(57) symbolically; numerically (19) from Q(0) = Λ (+ perturb) keeps Q = Λ and equals (13)."""
    sym = residuals_vanish("(57)", {"(57)": _q_derivatives()["(57)"]})
    Y, U0, V0 = _asym_instance(rng, m, n, k)
    Lam = N.gram_difference(U0, V0) + perturb * np.eye(k)
    ts = np.linspace(0, 3, 7)
    s19 = N.flow(N.grad_regularised(Y, Lam), N.Shapes.pack(U0, V0), ts)
    s13 = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), ts)
    if not (s19.success and s13.success):
        return inconclusive("flow failed")
    sh = N.Shapes(((m, k), (n, k)))
    dev = max(float(np.abs(N.gram_difference(*sh.unpack(w)) - Lam).max()) for w in s19["w"])
    scale = float(max(np.abs(s19["w"]).max(), np.abs(s13["w"]).max()))
    tol_q = _propagated(s19.error_estimate, scale, m + n) + 1e3 * EPS * float(np.abs(Lam).max())
    same = float(np.abs(s19["w"] - s13["w"]).max())
    tol_s = s19.error_estimate + s13.error_estimate + 1e3 * EPS * scale
    return combine("Prop. 4 invariance", {"symbolic": sym, "Q stays Lambda": from_errors("max |Q(t) - Lambda|", [dev], tol_q),
                                          "(19) = (13)": from_errors("max |w19 - w13|", [same], tol_s)})


@claim("matrix_factorization.prop4.invariance", section="4 / App. F", equations=("19", "56", "57"),
       keys=(K + "proposition-4-invariance-and-eqs-57-58",),
       statement="Along (19), Q' = −½(Q − Λ)P − ½P(Q − Λ) (P = UᵀU + VᵀV), so Q(t0) = Λ implies Q ≡ Λ afterwards, and "
                 "from Q(0) = Λ the flows (19) and (13) coincide.", kind="identity")
def _prop4_inv(ctx: Context) -> Result:
    return check_prop4_invariance(stream_rng(ctx.seed, "prop4_inv"), *_sizes(ctx, (2, 3, 4), (5, 10, 50)))


def q_second_derivative_fd(Y: np.ndarray, Lam: np.ndarray, U: np.ndarray, V_: np.ndarray, h: float) -> np.ndarray:
    """Q'' along (19) at (U, V) by central differences of Q along the flow (w ± h·f(w) to second order)."""
    g = N.grad_regularised(Y, Lam)
    sh = N.Shapes((U.shape, V_.shape))
    w = N.Shapes.pack(U, V_)
    # exact second-order Taylor step w(±h) ≈ w ± h f + h²/2 Jf·f, Jf·f by a central difference of f
    f = -g(w)
    Jf = (-g(w + 1e-6 * f) + g(w - 1e-6 * f)) / 2e-6
    q = lambda z: N.gram_difference(*sh.unpack(z))  # noqa: E731
    wp, wm = w + h * f + h * h / 2 * Jf, w - h * f + h * h / 2 * Jf
    return (q(wp) - 2 * q(w) + q(wm)) / h ** 2


def check_eq58(formula: Callable, rng: np.random.Generator, m: int, n: int, k: int, symbolic_key: str | None = None) -> Result:
    """Compare a formula for Q'' (as a function of D = Q − Λ, P, P') with Q'' of the flow (19)."""
    Y, U, V_ = _asym_instance(rng, m, n, k, scale=0.7)
    Lam = N.gram_difference(U, V_) + 0.5 * np.diag(rng.uniform(-1, 1, k))
    g = N.grad_regularised(Y, Lam)
    sh = N.Shapes(((m, k), (n, k)))
    Ud, Vd = sh.unpack(-g(N.Shapes.pack(U, V_)))
    P = U.T @ U + V_.T @ V_
    Pd = Ud.T @ U + U.T @ Ud + Vd.T @ V_ + V_.T @ Vd
    Dm = N.gram_difference(U, V_) - Lam
    q1, q2 = q_second_derivative_fd(Y, Lam, U, V_, 1e-3), q_second_derivative_fd(Y, Lam, U, V_, 5e-4)
    est = float(np.abs(q1 - q2).max()) * 4 / 3 + 1e-6 * float(np.abs(q2).max())
    err = float(np.abs(formula(Dm, P, Pd) - q2).max())
    parts = {"numeric": from_errors("Q'' formula vs finite differences along (19)", [err], est,
                                    instances=[{"m": m, "n": n, "k": k, "Q''_fd[0,0]": float(q2[0, 0]),
                                                "formula[0,0]": float(formula(Dm, P, Pd)[0, 0])}])}
    if symbolic_key:
        parts["symbolic"] = _symbolic_matrix(symbolic_key, _q_derivatives()[symbolic_key])
    return combine("second derivative of Q (58)", parts)


PRINTED_58, CORRECTED_58 = D.q58_printed_and_corrected()


@functools.lru_cache(maxsize=1)
def _q_derivatives() -> dict[str, sp.Matrix]:
    return D.q_derivatives_residuals()


def _symbolic_matrix(what: str, M: sp.Matrix) -> Result:
    """A residual matrix: first evaluated exactly at a rational point (a nonzero entry refutes at once, without
    simplifying a large expression), otherwise simplified entry by entry."""
    syms = sorted(set().union(*(e.free_symbols for e in M)), key=str)
    point = {x: sp.Rational(j % 7 + 1, j % 5 + 2) for j, x in enumerate(syms)}
    vals = M.subs(point)
    bad = [(i, v) for i, v in enumerate(vals) if v != 0]
    if bad:
        return refuted(f"{what}: residual entry {bad[0][0]} is {bad[0][1]} at a rational point (exact), not 0",
                       counterexample={"point": {str(k_): str(v) for k_, v in point.items()}, "entry": bad[0][0],
                                       "value": str(bad[0][1])})
    return residuals_vanish(what, {what: M})


@claim("matrix_factorization.eq58", section="App. F", equations=("58",),
       keys=(K + "proposition-4-invariance-and-eqs-57-58",),
       statement="App. F's second derivative as printed: Q'' = −¼(Q−Λ)(P² + 2P') − ¼(P² + 2P')(Q−Λ) − ½P(Q−Λ)P.",
       kind="identity", reconstruction="Read from the OCR line '-4(Q- λQo)(p2 + 2P) - 4(P2 + 2P)(Q - λQo) - 1 P(Q- λQo)p' "
                                       "(coefficients ¼, ¼, ½; P' for the dotted P).")
def _eq58p(ctx: Context) -> Result:
    return check_eq58(PRINTED_58, stream_rng(ctx.seed, "eq58"), *_sizes(ctx, (2, 3, 4), (5, 10, 20)), symbolic_key="(58) printed")


@claim("matrix_factorization.eq58.corrected", section="App. F", equations=("58",),
       keys=(K + "proposition-4-invariance-and-eqs-57-58",), corrects="matrix_factorization.eq58",
       statement="Corrected: Q'' = ¼(Q−Λ)P² + ¼P²(Q−Λ) + ½P(Q−Λ)P − ½(Q−Λ)P' − ½P'(Q−Λ): still linear in Q − Λ, so the "
                 "Taylor argument (56)-(58) for invariance stands.", kind="identity")
def _eq58c(ctx: Context) -> Result:
    return check_eq58(CORRECTED_58, stream_rng(ctx.seed, "eq58"), *_sizes(ctx, (2, 3, 4), (5, 10, 20)), symbolic_key="(58) corrected")


def check_weight_remark(claimed_weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    """Only α = 1/8 makes −∇(20 with α) equal (19)/(18); and (13)'s solutions solve (19) since Q ≡ Λ there."""
    sols = D.prop4_weight_solutions()
    ok = list(sols) == [claimed_weight] or sols == {sp.Symbol("alpha", positive=True): claimed_weight} or \
        (isinstance(sols, dict) and list(sols.values()) == [claimed_weight])
    if isinstance(sols, dict):
        vals = list(sols.values())
    else:
        vals = [v if not isinstance(v, tuple) else v[0] for v in sols]
    ok = vals == [claimed_weight]
    if ok:
        return proved("−∇ of (20) with weight α equals (19) iff α = 1/8 (unique solution of the coefficient equations)",
                      zero=f"solutions for alpha: {vals}")
    return refuted(f"weights giving (19): {vals}, not only {claimed_weight}", counterexample={"solutions": [str(v) for v in vals]})


@claim("matrix_factorization.sec4.weight_remark", section="4", equations=("19", "20"),
       keys=(K + "sec-4-remark-weight-1-8-is-special",),
       statement="A solution of (13) solves (19) (the extra terms vanish when Q = Λ); replacing the weight 1/8 in (20) by "
                 "any other α > 0 gives a gradient flow that is not (18): 1/8 is the unique weight.", kind="other")
def _weight(ctx: Context) -> Result:
    return check_weight_remark()


def check_prop5_reduction(rng: np.random.Generator, m: int, n: int, k: int, dps: int,
                          closed: Callable = N.rflow_closed_form) -> Result:
    red = D.prop5_reduction_residuals()
    sym = residuals_vanish("Prop. 5 reduction", {"(18) with lambda0 I": red["(18) with lambda0 I"], "(52)": red["(52)"],
                                        **D.prop5_mapping_residuals()})
    Y = rng.standard_normal((m, n))
    lam0 = float(rng.uniform(0.5, 1.5))
    Sb = N.block_s(Y, lam0)
    R0 = rng.standard_normal((m + n, k)) * 0.5
    ts = np.linspace(0, 2, 9)
    sol = N.flow(N.grad_rflow(Sb, k), R0.ravel(), ts)
    if not sol.success:
        return inconclusive("flow failed")
    Pc = closed(Sb, R0 @ R0.T, ts, dps=dps)
    err = max(float(np.abs(N.mp_to_array(P_) - w.reshape(m + n, k) @ w.reshape(m + n, k).T).max()) for P_, w in zip(Pc, sol["w"]))
    tol = _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return combine("Prop. 5 reduction and closed form", {"symbolic": sym, "numeric": from_errors(
        "(21)/(53) vs the R flow", [err], tol, instances=[{"m": m, "n": n, "k": k, "lambda0": lam0}])})


@claim("matrix_factorization.prop5.reduction", section="4 / App. E", equations=("21", "52", "53"),
       keys=(K + "proposition-5-reduction-and-closed-form",),
       statement="If Λ_{Q0} = λ0I, (18) is R' = S̄R − ½RRᵀR with S̄ = S + λ0J/2; P = RRᵀ solves P' = S̄P + PS̄ − P² and "
                 "RRᵀ(t) = e^{tS̄}R0R0ᵀ(I + ½S̄⁻¹(e^{2tS̄} − I)R0R0ᵀ)⁻¹e^{tS̄}.", kind="closed_form",
       reconstruction="(21)/(53) garbled (the inverse prints as '1' or '-2', the ½ as '2'); reconstructed from (6) by P = 4X, "
                      "Y = S̄/2 (mapping proved).")
def _prop5(ctx: Context) -> Result:
    return check_prop5_reduction(stream_rng(ctx.seed, "prop5"), *_sizes(ctx, (2, 3, 6), (5, 10, 50)), ctx.dps)


def check_eq21_gradient(weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    return residuals_vanish("(21) as gradient flow",
                   {"grad": D.prop5_reduction_residuals(weight=weight)["gradient of (1/8)||2Sbar-RR^T||^2"]})


@claim("matrix_factorization.eq21.gradient", section="4", equations=("21",),
       keys=(K + "sec-4-remark-eq-21-as-symmetric-factorization",),
       statement="R' = S̄R − ½RRᵀR is the gradient flow of min_R ⅛‖2S̄ − RRᵀ‖².", kind="identity")
def _eq21g(ctx: Context) -> Result:
    return check_eq21_gradient()


def check_eq55(sign_exponent: Callable[[int, int], int], sizes=((1, 1), (1, 2), (2, 2), (2, 3))) -> Result:
    return residuals_vanish("(55)", {f"m={m},n={n}": D.sbar_determinant_residual(m, n, sign_exponent) for m, n in sizes})


@claim("matrix_factorization.eq55", section="App. E", equations=("54", "55"),
       keys=(K + "app-e-eq-55-and-spectrum-of-sbar",),
       statement="det(S̄ − λI) = (−1)^{m+n}(λ0/2 + λ)^{n−m}∏(σ_i² + λ0²/4 − λ²) (as printed), for m×n Σ.", kind="closed_form")
def _eq55(ctx: Context) -> Result:
    return check_eq55(lambda m, n: m + n)


@claim("matrix_factorization.eq55.corrected", section="App. E", equations=("55",),
       keys=(K + "app-e-eq-55-and-spectrum-of-sbar",), corrects="matrix_factorization.eq55",
       statement="Corrected sign: det(S̄ − λI) = (−1)^n(λ0/2 + λ)^{n−m}∏(σ_i² + λ0²/4 − λ²) (Schur complement on the "
                 "−(λ0/2 + λ)I_n block); the eigenvalues are unaffected.", kind="closed_form")
def _eq55c(ctx: Context) -> Result:
    return check_eq55(lambda m, n: n)


def check_sbar_spectrum(rng: np.random.Generator, m: int, n: int, half: float = 0.5) -> Result:
    facts = D.sbar_eigen_facts()
    sym = (proved("roots ±½√(4σ² + λ0²); ½√(4σ²+λ0²) ≥ |λ0|/2", zero=str(facts))
           if facts["roots mismatch"] == 0 and facts["s_i^2 - (lambda0/2)^2"].is_nonnegative
           else refuted("eigenvalue facts fail", counterexample={k_: str(v) for k_, v in facts.items()}))
    errs = []
    for mm, nn in ((m, n), (m, m)):
        Y = rng.standard_normal((mm, nn))
        lam0 = float(rng.uniform(-2, 2))
        s = np.linalg.svd(Y, compute_uv=False)
        pred = np.sort(np.concatenate([half * G.prop3_rate(s, lam0), -half * G.prop3_rate(s, lam0), [-lam0 / 2] * (nn - mm)]))
        errs.append(float(np.abs(np.sort(np.linalg.eigvalsh(N.block_s(Y, lam0))) - pred).max()))
    num = from_errors("eigenvalues of Sbar vs (55)", errs, 1e3 * EPS * (m + n) * 10)
    return combine("spectrum of Sbar", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.appE.spectrum", section="App. E", equations=("55",),
       keys=(K + "app-e-eq-55-and-spectrum-of-sbar",),
       statement="S̄ has eigenvalues ±½√(4σ_i² + λ0²) and −λ0/2 with multiplicity n − m; the smallest in magnitude is "
                 "|λ0|/2 unless Y is square, when only ±½√(4σ_i² + λ0²) occur.", kind="closed_form")
def _spec(ctx: Context) -> Result:
    return check_sbar_spectrum(stream_rng(ctx.seed, "sbar"), *_sizes(ctx, (2, 3), (5, 10)))


def check_prop5_rate(rng: np.random.Generator, m: int, n: int, k: int, dps: int,
                     claimed: Callable[[np.ndarray, float, bool], float] | None = None) -> Result:
    """RRᵀ → (2S̄)₊ at the claimed rate: √(4σ_min² + λ0²) for square Y, |λ0| otherwise (fit on the closed form)."""
    if claimed is None:
        claimed = lambda s, l0, square: float(G.prop3_rate(s.min(), l0)) if square else abs(l0)  # noqa: E731
    parts = {}
    for label, nn in (("square", m), ("non-square", n)):
        Y = rng.standard_normal((m, nn))
        lam0 = float(rng.uniform(0.5, 1.5))
        Sb = N.block_s(Y, lam0)
        R0 = rng.standard_normal((m + nn, k))
        s = np.linalg.svd(Y, compute_uv=False)
        rate = claimed(s, lam0, nn == m)
        true_rate = 2 * np.abs(np.linalg.eigvalsh(Sb)).min()
        ts = [x / true_rate for x in (12, 18, 24, 30, 36)]
        with mpmath.workdps(dps):
            ev, Phi = N._eig_mp(Sb)
            target = Phi * mpmath.diag([2 * max(e, 0) for e in ev]) * Phi.T
            errs = [float(N.mp_fro(P_ - target)) for P_ in N.rflow_closed_form(Sb, R0 @ R0.T, ts, dps)]
        parts[label] = _rate_fit(f"Prop. 5 rate ({label})", ts, errs, rate, lambda0=lam0, singular_values=s)
    return combine("Proposition 5 rate", parts)


@claim("matrix_factorization.prop5.rate", section="4 / App. E", equations=("21", "53", "55"),
       keys=(K + "proposition-5-convergence-rate",),
       statement="R(t)R(t)ᵀ → R*R*ᵀ = projection of 2S̄ on the PSD cone, at rate e^{−t√(4σ_min² + λ0²)} for square Y "
                 "and e^{−|λ0|t} otherwise (fitted on the exact solution at high precision).", kind="rate")
def _prop5_rate(ctx: Context) -> Result:
    return check_prop5_rate(stream_rng(ctx.seed, "prop5_rate"), *_sizes(ctx, (2, 3, 6), (5, 10, 50)), ctx.dps)


def check_eq22(rng: np.random.Generator, m: int, n: int, k: int, claimed_bound: Callable[[int, int], int] = lambda m, n: m + n) -> Result:
    sym = residuals_vanish("Q0 = R0'JR0", {"factorisation": D.q0_factorisation_residual()})
    U0, V0 = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    s = np.linalg.svd(N.gram_difference(U0, V0), compute_uv=False)
    rank = int(np.sum(s > s[0] * k * EPS * 10))
    bound = claimed_bound(m, n)
    num = from_counts("rank(Q0) within the bound", [(min(rank, bound), rank)],
                        [{"m": m, "n": n, "k": k, "rank": rank, "bound": bound, "singular_values": s}])
    return combine("rank bound (22)", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.eq22", section="4", equations=("22",), keys=(K + "eq-22-rank-bound",),
       statement="rank(U0ᵀU0 − V0ᵀV0) ≤ m + n (Q0 = R0ᵀJR0), so Λ = λ0I_k (rank k) cannot arise from (13) when k > m + n, "
                 "though (19) can impose it.", kind="inequality")
def _eq22(ctx: Context) -> Result:
    return check_eq22(stream_rng(ctx.seed, "eq22"), *_sizes(ctx, (2, 3, 8), (5, 10, 50)))


# =========================================================================================================
# §5 experiments
# =========================================================================================================
def q0_norms(rng: np.random.Generator, m: int, n: int, k: int, sd: float, samples: int) -> np.ndarray:
    """‖U0ᵀU0 − V0ᵀV0‖_F for U0, V0 with N(0, sd²) entries."""
    return np.array([np.linalg.norm(N.gram_difference(sd * rng.standard_normal((m, k)), sd * rng.standard_normal((n, k))))
                     for _ in range(samples)])


def check_fig1_setting(rng: np.random.Generator, reported: dict[float, float], samples: int,
                       m: int = 5, n: int = 10, k: int = 50) -> Result:
    """Each reported ‖Q0‖ (± half a unit of its last printed digit) meets the central 99% interval of its sampling
    distribution (the paper reports one draw)."""
    vals, errs, inst = [], [], []
    for sd, rep in reported.items():
        d = q0_norms(rng, m, n, k, sd, samples)
        lo, hi = np.quantile(d, [0.005, 0.995])
        half = 0.005  # the paper rounds to two decimals: the true value lies within ±0.005 of the printed one
        vals.append(max(lo - (rep + half), (rep - half) - hi))
        errs.append(float(hi - lo) / math.sqrt(samples))  # Monte-Carlo uncertainty of the quantiles
        inst.append({"sd": sd, "reported": rep, "q0.5%": lo, "median": float(np.median(d)), "q99.5%": hi})
    return from_threshold("distance of the reported ||Q0|| outside the central 99% sampling interval", vals, 0.0, errs,
                          instances=inst, samples=samples)


@claim("matrix_factorization.fig1.setting", section="5", equations=(), keys=(K + "figure-1-setting-q0-values",),
       statement="With m = 5, n = 10, k = 50 and U0, V0 ~ N(0, σ²): σ = 10⁻² gives ‖Q0‖_F ≈ 0.02 and σ = 10⁻¹ gives "
                 "≈ 1.83 (σ = 1 much larger): reported values inside the central 99% sampling interval.", kind="experiment")
def _fig1s(ctx: Context) -> Result:
    return check_fig1_setting(stream_rng(ctx.seed, "fig1s"), {1e-2: 0.02, 1e-1: 1.83}, 200 if ctx.tier == "quick" else 2000)


def half_learning_times(Y: np.ndarray, run: N.GDRun) -> np.ndarray:
    """First time each singular value of X(t) reaches half the corresponding singular value of Y."""
    sv = N.singular_values(run.X)
    target = np.linalg.svd(Y, compute_uv=False)
    return np.array([N.first_crossing(run.t, sv[:, i], target[i] / 2) for i in range(target.size)])


def check_fig1a(rng: np.random.Generator, m: int, n: int, k: int, sd: float, eta: float, steps: int,
                claimed_order: str = "largest first") -> Result:
    """Balanced init: half-learning times ordered by singular value (largest first) — the paper's 'sequential'."""
    Y = rng.standard_normal((m, n))
    U0, V0 = sd * rng.standard_normal((m, k)), sd * rng.standard_normal((n, k))
    run = N.gd_two_layer(Y, U0, V0, eta, steps, record_every=10)
    th = half_learning_times(Y, run)
    if not np.all(np.isfinite(th)):
        return inconclusive("some singular value was not learned within the horizon", times=th, horizon=steps * eta)
    seq = th if claimed_order == "largest first" else th[::-1]
    gaps = np.diff(seq)
    res = 10 * eta  # time resolution of the record
    return from_threshold(f"minus the smallest gap between successive half-learning times ({claimed_order})", [float(-gaps.min())],
                          0.0, [res], instances=[{"half_learning_times": th, "singular_values": np.linalg.svd(Y, compute_uv=False),
                                                  "norm_Q0": float(np.linalg.norm(run.Q0))}])


@claim("matrix_factorization.fig1a", section="5", equations=(), keys=(K + "figure-1-a-claim-balanced-init",),
       statement="GD (η = 10⁻³) from a near-balanced init (σ = 10⁻², ‖Q0‖ ≈ 0.02) learns the singular values sequentially, "
                 "largest first: the times at which σ_i(X) reaches σ_i(Y)/2 increase with i (our reading of 'sequential').",
       kind="experiment")
def _fig1a(ctx: Context) -> Result:
    m, n, k = _sizes(ctx, (3, 5, 20), (5, 10, 50))
    return check_fig1a(stream_rng(ctx.seed, "fig1a"), m, n, k, 1e-2, 1e-3, 20000 if ctx.tier == "quick" else 30000)


def time_to_error(Y: np.ndarray, run: N.GDRun, level: float) -> float:
    return N.first_crossing(run.t, N.reconstruction_error(Y, run.X), level, above=False)


def check_fig1bc(rng: np.random.Generator, m: int, n: int, k: int, eta: float, steps: int,
                 sds: Sequence[float] = (1e-2, 1e-1, 1.0), level: float = 1e-2) -> Result:
    """Larger ‖Q0‖ ⇒ every singular value learned earlier; at σ = 1 the two-layer model reaches the reconstruction
    error ``level`` before the one-layer model started at the same X0."""
    Y = rng.standard_normal((m, n))
    base_U, base_V = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    th, norms = [], []
    for sd in sds:
        run = N.gd_two_layer(Y, sd * base_U, sd * base_V, eta, steps, record_every=10)
        th.append(half_learning_times(Y, run))
        norms.append(float(np.linalg.norm(run.Q0)))
    th = np.array(th)
    res = 10 * eta
    # positive where a larger imbalance learns a component later
    later = float(np.max(th[1:] - th[:-1]))
    run2 = N.gd_two_layer(Y, sds[-1] * base_U, sds[-1] * base_V, eta, steps, record_every=10)
    run1 = N.gd_one_layer(Y, run2.X[0], eta, steps, record_every=10)
    t2, t1 = time_to_error(Y, run2, level), time_to_error(Y, run1, level)
    slower = float(t2 - t1) if np.isfinite(t2) else float("inf")
    inst = [{"sds": list(sds), "norm_Q0": norms, "half_learning_times": th, "t_two_layer": t2, "t_one_layer": t1,
             "level": level}]
    if not np.isfinite(th).all() or not np.isfinite(t1):
        return inconclusive("a run did not reach its target within the horizon", **inst[0])
    return from_threshold("delay (larger imbalance later; two-layer after one-layer at sd=1)", [later, slower], 0.0,
                          [res, res], instances=inst * 2)


@claim("matrix_factorization.fig1bc", section="5", equations=(), keys=(K + "figure-1-b-c-claim-imbalance-accelerates",),
       statement="As ‖Q0‖ grows (σ = 10⁻² → 10⁻¹ → 1, same directions) every singular value is learned earlier, and at "
                 "σ = 1 the two-layer model reaches reconstruction error 10⁻² before the one-layer model from the same X0 "
                 "(threshold ours: the paper gives none).", kind="experiment")
def _fig1bc(ctx: Context) -> Result:
    m, n, k = _sizes(ctx, (3, 5, 20), (5, 10, 50))
    return check_fig1bc(stream_rng(ctx.seed, "fig1bc"), m, n, k, 1e-3, 20000 if ctx.tier == "quick" else 30000)


#: rtol of Figure 2's flows, and of the second solve (1000× looser) whose change estimates their error
FIG2_RTOL = 1e-9
FIG2_LAMBDA_GRID = 41


def fig2_products(Y: np.ndarray, U0: np.ndarray, V0: np.ndarray, lam0: float | None, ts: np.ndarray,
                  rtol: float = FIG2_RTOL) -> np.ndarray:
    """X(t) = U(t)V(t)ᵀ at ``ts`` of (13) (``lam0`` None) or of (19) with Λ = λ0·I_k, from (U0, V0)."""
    k = U0.shape[1]
    grad = N.grad_asymmetric(Y, k) if lam0 is None else N.grad_regularised(Y, lam0 * np.eye(k))
    sol = N.flow(grad, N.Shapes.pack(U0, V0), ts, rtol=rtol)
    sh = N.Shapes((U0.shape, V0.shape))
    return np.array([sh.unpack(w)[0] @ sh.unpack(w)[1].T for w in sol["w"]])


def fig2_gaps(Y: np.ndarray, X13: np.ndarray, X19: np.ndarray) -> tuple[float, float]:
    """Largest differences of the reconstruction-error and singular-value curves, as fractions of their plotted
    ranges (the larger curve maximum)."""
    e13, e19 = N.reconstruction_error(Y, X13), N.reconstruction_error(Y, X19)
    sv13, sv19 = N.singular_values(X13), N.singular_values(X19)
    return (float(np.abs(e13 - e19).max() / max(e13.max(), e19.max())),
            float(np.abs(sv13 - sv19).max() / max(sv13.max(), sv19.max())))


def check_fig2(rng: np.random.Generator, m: int, n: int, k: int, T: float, threshold: float = 0.02) -> Result:
    """(19) with Λ = λ0I against (13) from the same N(0,1) init, λ0 fitted to the criterion judged: the larger curve
    gap (reconstruction error; singular values, as fractions of their plotted ranges) is minimised over λ0 ∈ [0, 4‖Q0‖₂]
    (a grid of FIG2_LAMBDA_GRID points, then a bounded search between the best point's neighbours). The gaps at
    the fitted λ0 must be within ``threshold`` (2% of the range, our reading of 'nearly indistinguishable'); their
    error is their change when both flows are solved 1000× more loosely."""
    from scipy.optimize import minimize_scalar

    Y = rng.standard_normal((m, n))
    U0, V0 = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    ts = np.linspace(0, T, 41)
    X13 = fig2_products(Y, U0, V0, None, ts)

    def worst_gap(l0: float) -> float:
        return max(fig2_gaps(Y, X13, fig2_products(Y, U0, V0, l0, ts)))

    top = 4 * float(np.abs(np.linalg.eigvalsh(N.gram_difference(U0, V0))).max())
    grid = np.linspace(0.0, top, FIG2_LAMBDA_GRID)
    on_grid = [worst_gap(float(l0)) for l0 in grid]
    i = int(np.argmin(on_grid))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(worst_gap, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6 * top})
    lam0 = float(best.x) if best.fun <= on_grid[i] else float(grid[i])
    gaps = fig2_gaps(Y, X13, fig2_products(Y, U0, V0, lam0, ts))
    loose = fig2_gaps(Y, fig2_products(Y, U0, V0, None, ts, 1e3 * FIG2_RTOL),
                      fig2_products(Y, U0, V0, lam0, ts, 1e3 * FIG2_RTOL))
    errs = [abs(a - b) + 1e-14 for a, b in zip(gaps, loose)]
    paper = {50: 111.32, 100: 203.66, 200: 460.99}.get(k)
    at_paper = None if paper is None else fig2_gaps(Y, X13, fig2_products(Y, U0, V0, paper, ts))
    return from_threshold("curve differences as fractions of the plotted range (reconstruction error; singular values)",
                          list(gaps), threshold, errs, instances=[{"lambda0": lam0, "k": k, "T": T}] * 2,
                          fitted_lambda0=lam0, lambda0_grid=[float(grid[0]), float(grid[-1]), FIG2_LAMBDA_GRID],
                          worst_gap_on_grid=on_grid, paper_lambda0=paper, gaps_at_paper_lambda0=at_paper)


@claim("matrix_factorization.fig2", section="5", equations=("13", "19"), keys=(K + "figure-2-claim",),
       statement="From U0, V0 ~ N(0,1), (19) with Λ = λ0I_k and a fitted λ0 tracks (13): reconstruction-error and "
                 "singular-value curves differ by at most 2% of their plotted range (threshold ours; paper: 'nearly "
                 "indistinguishable'; reported λ0 = 111.32, 203.66, 460.99 for k = 50, 100, 200; λ0 fitted here by "
                 "minimising the larger gap). Checked only at the "
                 "paper's sizes (m, n) = (5, 10), k = 50, 100, 200, so the full tier alone.", kind="experiment", tier="full")
def _fig2(ctx: Context) -> Result:
    return combine("Figure 2", {f"k={k}": check_fig2(stream_rng(ctx.seed, f"fig2_{k}"), 5, 10, k, 0.04) for k in (50, 100, 200)})


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def fig3_times(Xd, Yd, U0, V0, T, level):
    """Gradient flow on the mean losses l1(W) and l2(U, V) (sigmoid output); times to reach ``level``·initial loss."""
    n_s, d = Xd.shape
    k = U0.shape[1]

    def g1(w):
        W = w.reshape(d, d)
        Z = _sigmoid(Xd @ W)
        return (Xd.T @ ((Z - Yd) * Z * (1 - Z)) / n_s).ravel()

    sh = N.Shapes(((d, k), (d, k)))

    def g2(w):
        U, V_ = sh.unpack(w)
        Z = _sigmoid(Xd @ U @ V_.T)
        Gm = Xd.T @ ((Z - Yd) * Z * (1 - Z)) / n_s
        return N.Shapes.pack(Gm @ V_, Gm.T @ U)

    ts = np.linspace(0, T, 3001)
    s1 = N.flow(g1, (U0 @ V0.T).ravel(), ts, rtol=1e-8)
    s2 = N.flow(g2, N.Shapes.pack(U0, V0), ts, rtol=1e-8)
    l1 = np.array([0.5 * np.sum((Yd - _sigmoid(Xd @ w.reshape(d, d))) ** 2) for w in s1["w"]])
    l2 = np.array([0.5 * np.sum((Yd - _sigmoid(Xd @ sh.unpack(w)[0] @ sh.unpack(w)[1].T)) ** 2) for w in s2["w"]])
    return (N.first_crossing(ts, l1, level * l1[0], above=False), N.first_crossing(ts, l2, level * l2[0], above=False),
            ts[1] - ts[0])


def imbalanced_same_product(B: np.ndarray, z: np.ndarray, q_norm: float) -> tuple[np.ndarray, np.ndarray]:
    """U0 = B·diag(e^{cz}), V0 = B·diag(e^{−cz}): the same product BBᵀ as the balanced U0 = V0 = B, with c ≥ 0 chosen
    by bisection so that ‖U0ᵀU0 − V0ᵀV0‖₂ = q_norm."""
    def qn(c: float) -> float:
        return float(np.linalg.norm(N.gram_difference(B * np.exp(c * z), B * np.exp(-c * z)), 2))

    lo, hi = 0.0, 1.0
    while qn(hi) < q_norm:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if qn(mid) < q_norm else (lo, mid)
    c_ = (lo + hi) / 2
    return B * np.exp(c_ * z), B * np.exp(-c_ * z)


def check_fig3(rng: np.random.Generator, n_s: int, d: int, k: int, T: float, q_norm: float = 4.6,
               level: float = 0.1, reference_q_norm: float = 0.0) -> Result:
    """Reduced Figure 3: from the same product W0 = BBᵀ (so the one-layer model is the same run), the two-layer model
    with ‖Q0‖₂ = 4.6 reaches ``level`` × its initial loss before the balanced one (U0 = V0 = B, Q0 = 0; a test may
    pass another ``reference_q_norm``)."""
    Xd = rng.standard_normal((n_s, d))
    Ws = rng.standard_normal((d, d))
    Yd = _sigmoid(Xd @ Ws) + 1e-3 * rng.standard_normal((n_s, d))
    B = math.sqrt(0.1) * rng.standard_normal((d, k))
    z = rng.standard_normal(k)
    U1, V1 = imbalanced_same_product(B, z, q_norm)
    Ub, Vb = (B, B) if reference_q_norm == 0 else imbalanced_same_product(B, z, reference_q_norm)
    t1, t2b, dt = fig3_times(Xd, Yd, Ub, Vb, T, level)
    _, t2i, _ = fig3_times(Xd, Yd, U1, V1, T, level)
    inst = {"t_one_layer": t1, "t_two_layer_balanced": t2b, "t_two_layer_imbalanced": t2i,
            "norm_Q0_imbalanced": float(np.linalg.norm(N.gram_difference(U1, V1), 2)), "level": level, "T": T}
    if not (np.isfinite(t2b) and np.isfinite(t2i)):
        return inconclusive("a two-layer run did not reach the loss level within the horizon", **inst)
    return from_threshold("time to the loss level: imbalanced minus balanced two-layer model", [t2i - t2b], 0.0, [dt],
                          instances=[inst])


@claim("matrix_factorization.fig3", section="5", equations=(), keys=(K + "figure-3-claim",),
       statement="Sigmoid output, reduced sizes, gradient flow on the mean loss, both factorisations of the same W0 (so the "
                 "one-layer run is common): imbalance (‖Q0‖₂ = 4.6 vs Q0 = 0) makes the two-layer model reach 10% of its "
                 "initial loss sooner (level ours; the paper gives none).",
       kind="experiment")
def _fig3(ctx: Context) -> Result:
    n_s, d, k, T = _sizes(ctx, (100, 5, 30, 300.0), (1000, 10, 100, 300.0))
    return check_fig3(stream_rng(ctx.seed, "fig3"), n_s, d, k, T)


# =========================================================================================================
# App. G
# =========================================================================================================
def check_app_g_63(rate: sp.Expr = 4) -> Result:
    r = D.app_g_residuals(rate)
    return residuals_vanish("(63)", {"(63) ode": r["(63) ode"], "(62) => X'": r["(62) => X'=4sX-4X^2"],
                            "logistic - sigma ~ -c sigma e^{-4 sigma t}": sp.limit(
                                (D.sigma_pos / (1 + D.c * sp.exp(-4 * D.sigma_pos * D.t)) - D.sigma_pos)
                                * sp.exp(4 * D.sigma_pos * D.t), D.t, sp.oo) + D.c * D.sigma_pos})


@claim("matrix_factorization.eq63", section="App. G", equations=("61", "62", "63"), keys=(K + "app-g-eq-63",),
       statement="For scalar Y = σ, X = U² under U' = 2(σ − U²)U solves X' = 4σX − 4X², X(t) = σ/(1 + ce^{−4σt}) ≈ σ − cσe^{−4σt}.",
       kind="closed_form", reconstruction="(63) is garbled ('r-⅛σt'); read as the logistic σ/(1 + ce^{−4σt}).")
def _g63(ctx: Context) -> Result:
    return check_app_g_63()


def check_app_g_64(rng: np.random.Generator, etas: Sequence[float] = (0.04, 0.02, 0.01, 0.005),
                   continuous_rate: Callable[[float], float] = lambda s: 4 * s) -> Result:
    """(64) symbolically; numerically the GD tail rate per unit time r(η) → continuous rate with |r(η) − rate| = O(η)."""
    r = D.app_g_residuals()
    sym = residuals_vanish("(64)", {"(64)": r["(64)"], "O(eta) part": r["O(eta) part of (64)"], "bound": r["bound gap"]})
    s = float(rng.uniform(0.5, 1.5))
    gaps, gaps_lin = [], []
    for eta in etas:
        steps = int(30 / (4 * s * eta))
        X = N.scalar_gd_factorised(s, 0.3, eta, steps)
        rate = N.tail_rate(X - s, eta, steps // 2, steps)
        gaps.append(abs(rate - continuous_rate(s)))
        gaps_lin.append(abs(float(G.gd_rate_linear(eta)) - 1.0))
    fit = from_order_fit("|discrete rate - continuous rate| vs eta (factorised)", list(etas), gaps, 1.0, sigma=s)
    fit_lin = from_order_fit("|discrete rate - 1| vs eta (linear, (59))", list(etas), gaps_lin, 1.0)
    return combine("App. G discrete rate", {"symbolic": sym, "factorised": fit, "linear": fit_lin})


@claim("matrix_factorization.eq64", section="App. G", equations=("59", "60", "64"),
       keys=(K + "app-g-eq-64-and-discrete-rate",),
       statement="GD (60) gives X_{k+1} = X_k + 4η(σ − X_k)X_k + 4η²(σ − X_k)²X_k; dropping O(η²), X̃_{k+1} ≤ (1 − 4ησ)X̃_k; "
                 "the discrete rate per unit time matches 4σ (and (59)'s matches 1) up to O(η) (fitted order).", kind="rate")
def _g64(ctx: Context) -> Result:
    return check_app_g_64(stream_rng(ctx.seed, "appg"))


# =========================================================================================================
# Beyond the paper: where the conservation law holds and where it breaks
# =========================================================================================================
def q_drift_gd(Y, U0, V0, eta, T):
    run = N.gd_two_layer(Y, U0, V0, eta, int(round(T / eta)), record_every=int(round(T / eta)))
    return float(np.linalg.norm(run.Q - run.Q0))


def check_gd_drift(rng: np.random.Generator, m: int, n: int, k: int, T: float = 1.0,
                   steps_per_curvature: Sequence[float] = (0.02, 0.01, 0.005, 0.0025), expected: float = 1.0) -> Result:
    """Per step Q changes by exactly η²(G_UᵀG_U − G_VᵀG_V) (symbolic); over a fixed horizon the drift is O(η) (fit).

    Step sizes are η = c/L with L = ‖U0‖₂² + ‖V0‖₂² + ‖Y‖₂ (the curvature scale of the loss at the start), so that
    the sequence probes the η → 0 regime in the same dimensionless units at every size."""
    sym = residuals_vanish("one GD step", {"Q step": D.gd_step_q_change()})
    Y, U0, V0 = _asym_instance(rng, m, n, k)
    L = float(np.linalg.norm(U0, 2) ** 2 + np.linalg.norm(V0, 2) ** 2 + np.linalg.norm(Y, 2))
    etas = [c_ / L for c_ in steps_per_curvature]
    drifts = [q_drift_gd(Y, U0, V0, eta, T) for eta in etas]
    return combine("GD drift of Q", {"symbolic": sym, "fit": from_order_fit("||Q_N - Q_0|| at t = N eta = T", list(etas),
                                                                            drifts, expected, T=T)})


@claim("matrix_factorization.eq3.beyond_gd_drift", section="beyond (3)", equations=("11",), keys=(),
       statement="Gradient descent does not conserve Q = UᵀU − VᵀV: each step adds η²(G_UᵀG_U − G_VᵀG_V), so over a fixed "
                 "time horizon the drift is of order η (fitted exponent).", kind="order")
def _gd_drift(ctx: Context) -> Result:
    return check_gd_drift(stream_rng(ctx.seed, "gd_drift"), *_sizes(ctx, (2, 3, 4), (5, 10, 50)))


def check_heavy_ball(rng: np.random.Generator, m: int, n: int, k: int, lams: Sequence[float] = (0.08, 0.04, 0.02, 0.01),
                     T: float = 2.0, expected_order: float = 1.0) -> Result:
    """λQ'' + Q' = 2λ(U'ᵀU' − V'ᵀV') along the heavy-ball flow (words); numerically Q drifts far beyond the solver
    error, and the drift over [0, T] is of order λ (fit)."""
    sym = residuals_vanish("heavy-ball Q identity", {"words": D.heavy_ball_q_residual()})
    Y, U0, V0 = _asym_instance(rng, m, n, k)
    sh = N.Shapes(((m, k), (n, k)))
    drifts, breaks = [], []
    for lm in lams:
        sol = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), np.array([0.0, T]), lam=lm)
        if not sol.success:
            return inconclusive(f"heavy-ball solve failed at lambda={lm}")
        dq = float(np.linalg.norm(N.gram_difference(*sh.unpack(sol["w"][-1])) - N.gram_difference(U0, V0)))
        drifts.append(dq)
        breaks.append((dq, _propagated(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n) * k))
    worst = min(breaks, key=lambda p: p[0] / p[1])
    if worst[0] > 100 * worst[1]:
        broken = from_errors("drift far beyond the solver error (conservation fails)", [0.0], 1.0,
                             drift_over_error=worst[0] / worst[1])
    else:
        broken = refuted("heavy ball conserves Q within the solver error", counterexample={"drift": worst[0], "error": worst[1]})
    return combine("heavy ball breaks the law", {"symbolic": sym, "drift >> error": broken,
                                                 "order in lambda": from_order_fit("||Q(T) - Q(0)|| vs lambda", list(lams), drifts,
                                                                                   expected_order)})


@claim("matrix_factorization.eq3.beyond_heavy_ball", section="beyond (3)", equations=("11",), keys=(),
       statement="The heavy-ball flow λW'' + W' = −∇ℓ does not conserve Q: λQ'' + Q' = 2λ(U'ᵀU' − V'ᵀV'), and from rest "
                 "the drift over a fixed horizon is of order λ.", kind="order")
def _hb(ctx: Context) -> Result:
    return check_heavy_ball(stream_rng(ctx.seed, "hb"), *_sizes(ctx, (2, 3, 4), (5, 10, 20)))


MODELS_QUICK = (("uv", 2), ("uv", 3), ("sq", 2), ("sq", 3), ("UV", (1, 1, 2)), ("UV", (2, 2, 2)), ("UV", (2, 3, 3)),
                ("UV", (1, 1, 4)), ("UV", (2, 2, 5)))
MODELS_FULL = MODELS_QUICK + (("uv", 6), ("sq", 6), ("UV", (3, 3, 3)), ("UV", (2, 3, 6)))


def check_conservation_counts(models: Sequence, rng: np.random.Generator,
                              known: Callable[[str, object], int] | None = None) -> Result:
    """D − dim Lie(∇φ)(θ) (numerical Lie algebra, two rank methods) against the known count and the exact number of
    independent known laws (symbolic Jacobian rank); the known laws are proved conserved symbolically."""
    if known is None:
        known = lambda kind, size: size if kind in ("uv", "sq") else N.gram_law_count(*size)  # noqa: E731
    pairs, inst, sym = [], [], {}
    for kind, size in models:
        if kind == "uv":
            model, gens = CL.hadamard_uv(size), N.hadamard_generators(size)
        elif kind == "sq":
            model, gens = CL.squares_difference(size), N.hadamard_generators(size, squares=True)
        else:
            model, gens = CL.matrix_product(*size), N.uv_generators(*size)
        theta = rng.integers(-7, 8, len(model.params))
        lie = N.lie_algebra(gens, theta)
        exact = CL.independent_law_count(model)
        if len(model.params) <= 20:
            sym[model.name] = CL.conservation_residuals(model)
        k_ = known(kind, size)
        if lie.trace_rank_svd != lie.trace_rank_modp:
            return inconclusive(f"{model.name}: SVD rank {lie.trace_rank_svd} and mod-p rank {lie.trace_rank_modp} differ")
        pairs.append((lie.laws, k_))
        pairs.append((lie.laws, exact))
        row = {"model": model.name, "D": lie.n_params, "lie_dim": lie.algebra_dim, "trace_rank": lie.trace_rank_svd,
               "laws_from_lie": lie.laws, "known": k_, "independent_known_laws": exact}
        inst += [row, row]
    return combine("conservation-law counts", {
        "known laws conserved": residuals_vanish("<grad h, grad phi_j> = 0", sym),
        "counts": from_counts("Lie-algebra count vs known count and vs independent known laws", pairs, inst)})


@claim("matrix_factorization.eq3.beyond_counts", section="beyond (3)", equations=("11", "14"), keys=(),
       statement="The number of independent conservation laws of gradient flow, D − dim Lie(∇φ)(θ), is d for u⊙v and for "
                 "u⊙u − v⊙v, and for UVᵀ (U m×k, V n×k) the number of independent entries of UᵀU − VᵀV: k(k+1)/2 when "
                 "k ≤ m + n, minus (k−m−n)(k−m−n+1)/2 beyond (the rank bound (22) at work); no other laws exist.",
       kind="other")
def _counts(ctx: Context) -> Result:
    return check_conservation_counts(MODELS_QUICK if ctx.tier == "quick" else MODELS_FULL, stream_rng(ctx.seed, "counts"))
