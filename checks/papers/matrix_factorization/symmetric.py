"""§2 of the paper: the linear model (4) and the symmetric factorisation X = UUᵀ, its Riccati flow (5), the closed
form of Prop. 1, Cor. 1 (spectral initialisation) and Prop. 2 (any PSD initialisation) with their rates."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization.instances import SYMMETRIC, spectral_y
from checks.papers.matrix_factorization.rates import rate_fit
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors, from_order_fit, inconclusive, proved, refuted
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G
from numerics.matrix_factorization import EPS


def check_eq4(solution: Callable = D.linear_model_solution) -> Result:
    return residuals_vanish("eq. (4)", D.linear_model_residuals(solution))


@claim("matrix_factorization.eq4", section="2", equations=("4",), keys=(KEY + "eq-4",),
       statement="Gradient flow on ½‖Y − X‖² is X' + X = Y, solved by X(t) = Y + (X0 − Y)e^{−t}, so "
                 "‖X(t) − Y‖ = e^{−t}‖X0 − Y‖ whatever the data.",
       latex=r"X(t) = Y + (X_0 - Y)e^{-t}", kind="closed_form")
def _eq4(ctx: Context) -> Result:
    return check_eq4()


def check_psd_linear(rng: np.random.Generator, m: int, solution: Callable = G.linear_solution,
                     n_inst: int = 5) -> Result:
    """X(t) of (4) stays PSD for PSD X0, Y: weights of the convex combination ≥ 0, and min eigenvalue ≥ −tol."""
    w0, w1 = D.linear_model_psd_weights()
    signed = w0.is_nonnegative and w1.subs(D.t, sp.log(sp.Symbol("q", positive=True) + 1)).simplify().is_nonnegative
    sym = (proved("weights e^{-t} and 1 - e^{-t} of X0 and Y are >= 0 for t >= 0", zero="e^{-t} >= 0, 1-e^{-t} >= 0")
           if signed else inconclusive("SymPy could not sign the weights"))
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
       keys=(KEY + "sec-2-psd-preservation-linear-model",),
       statement="If X0 ⪰ 0 and Y ⪰ 0, X(t) = Y + (X0 − Y)e^{−t} ⪰ 0 for all t > 0 (a convex combination), so "
                 "the PSD-constrained linear model has the same dynamics.", kind="inequality")
def _psd_linear(ctx: Context) -> Result:
    return check_psd_linear(ctx.rng(), SYMMETRIC.of(ctx).psd_linear)


def check_eq5(rhs: Callable = D.paper_riccati_rhs, sizes: Sequence[tuple[int, int]] = ((2, 3), (3, 2))) -> Result:
    res = {f"m={m},k={k}": D.riccati_residual(m, k, rhs) for m, k in sizes}
    res["middle form"] = D.riccati_middle_form_residual()
    return residuals_vanish("eq. (5)", res)


@claim("matrix_factorization.eq5", section="2", equations=("3", "5"), keys=(KEY + "eq-5",),
       statement="Along U' = 2(Y − UUᵀ)U, X = UUᵀ satisfies X' = 2(Y − X)X + 2X(Y − X) = 2YX + 2XY − 4X² "
                 "(symmetric Y; checked on explicit symbolic 2×3 and 3×2 U).",
       latex=r"\dot X = 2YX + 2XY - 4X^2", kind="identity")
def _eq5(ctx: Context) -> Result:
    return check_eq5()


def check_rank_preservation(rng: np.random.Generator, m: int, k: int, rank0: int, claimed_rank: int) -> Result:
    """U(t) = F(t)U0 (symbolic) and, numerically, σ_{r+1}(X(t)) stays at the level of the solver error."""
    sym = residuals_vanish("U(t) = F(t) U0", {"factor": D.rank_flow_factor_residual()})
    Y, _ = spectral_y(rng, m)
    U0 = rng.standard_normal((m, rank0)) @ rng.standard_normal((rank0, k)) / math.sqrt(k)
    ts = np.linspace(0, 8, 17)
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), ts)
    if not sol.success:
        return inconclusive(f"flow solve failed: {sol.message}")
    Xs = [w.reshape(m, k) @ w.reshape(m, k).T for w in sol["w"]]
    tail = [float(np.linalg.svd(X, compute_uv=False)[claimed_rank:].max(initial=0.0)) for X in Xs]
    scale = float(np.abs(sol["w"]).max())
    tol = N.propagated_error(sol.error_estimate, scale, k)
    num = from_errors(f"singular values beyond rank {claimed_rank} of X(t)", [max(tail)], tol,
                      instances=[{"m": m, "k": k, "rank(X0)": rank0, "t_max": float(ts[-1])}])
    return combine("rank preservation of (5)", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.sec2.rank_preservation", section="2", equations=("5",),
       keys=(KEY + "sec-2-rank-preservation",),
       statement="(5) preserves rank: U(t) = F(t)U0 with F invertible, so rank X(t) = rank X0 = r and any limit "
                 "has rank ≤ r.", kind="inequality")
def _rank(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).rank_preservation
    return check_rank_preservation(ctx.rng(), size.m, size.k, rank0=2, claimed_rank=2)


def _flow_vs_closed_form(rng: np.random.Generator, m: int, k: int, times: np.ndarray, dps: int,
                         closed: Callable = N.riccati_closed_form) -> tuple[tuple[float, float] | None, dict]:
    """The largest entry of |(6) − UUᵀ| along the flow (5) from a random U0, and its tolerance; None on failure."""
    Y, _ = spectral_y(rng, m)
    U0 = rng.standard_normal((m, k)) / math.sqrt(k)
    X0 = U0 @ U0.T
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), times)
    if not sol.success:
        return None, {"message": sol.message}
    Xc = closed(Y, X0, times, form="prop1", dps=dps)
    err = max(float(np.abs(N.mp_to_array(C_) - w.reshape(m, k) @ w.reshape(m, k).T).max())
              for C_, w in zip(Xc, sol["w"]))
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return (err, tol), {"m": m, "k": k, "t_max": float(times[-1])}


def check_prop1(rng: np.random.Generator, m: int, k: int, dps: int,
                closed: Callable = N.riccati_closed_form, symbolic: bool = True) -> Result:
    """(6) (reconstructed inverse) against the flow of U, plus the symbolic proof for diagonal Y."""
    parts = {}
    if symbolic:
        parts["symbolic, Y diagonal"] = residuals_vanish("(6) solves (5)", {"residual": D.prop1_diagonal_residual()})
        parts["Lemma 6 words"] = residuals_vanish("P = X2 X1^-1", {"words": D.lemma6_residual()})
    out, inst = _flow_vs_closed_form(rng, m, k, np.linspace(0, 3, 13), dps, closed=closed)
    if out is None:
        parts["numeric"] = inconclusive("flow solve failed", **inst)
    else:
        parts["numeric"] = from_errors("(6) vs flow", [out[0]], out[1], instances=[inst])
    return combine("Proposition 1", parts)


@claim("matrix_factorization.prop1", section="2 / App. A", equations=("6", "32"), keys=(KEY + "proposition-1",),
       statement="The solution of (5) is X(t) = e^{2tY}X0(I + Y⁻¹(e^{4tY} − I)X0)⁻¹e^{2tY} when Y and the bracket "
                 "are invertible.",
       latex=r"X(t) = e^{2tY}X_0\big(I + Y^{-1}(e^{4tY}-I)X_0\big)^{-1}e^{2tY}", kind="closed_form",
       reconstruction="The OCR prints the inverse of the bracket as a superscript T; read as ⁻¹ (as in (25), (32)).")
def _prop1(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).prop1
    return check_prop1(ctx.rng(), size.m, size.k, ctx.dps)


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
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return combine("Corollary 1 closed form", {"symbolic": sym, "numeric": from_errors(
        "(7) vs flow with spectral init", [err], tol, instances=[{"sigma": sig, "sigma0": s0}])})


@claim("matrix_factorization.cor1.closed_form", section="2 / App. B", equations=("7",),
       keys=(KEY + "corollary-1-closed-form",),
       statement="For Y = ΦΣΦᵀ invertible and X0 = ΦΣ0Φᵀ, X(t) = ΦΣ(t)Φᵀ with "
                 "σ_i(t) = σ0σe^{4tσ}/(σ + σ0(e^{4tσ} − 1)) = σ − σ(σ − σ0)/(σ + σ0(e^{4tσ} − 1)).",
       kind="closed_form")
def _cor1(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).cor1_closed_form
    return check_cor1_closed_form(ctx.rng(), size.m, size.k)


def _cor1_errors(sig: np.ndarray, s0: np.ndarray, times: Sequence[float], dps: int) -> list[float]:
    """‖Σ(t) − max(Σ, 0)‖ by (7) at ``dps`` digits, at each time."""
    target = np.maximum(sig, 0)
    with mpmath.workdps(dps):
        return [float(mpmath.sqrt(mpmath.fsum(
            (G.cor1_sigma_mp(mpmath.mpf(t), mpmath.mpf(s), mpmath.mpf(z)) - mpmath.mpf(y)) ** 2
            for s, z, y in zip(sig, s0, target)))) for t in times]


def check_cor1_convergence(rng: np.random.Generator, m: int, dps: int,
                           claimed_rate: Callable = lambda s: 4 * np.abs(s).min()) -> Result:
    """‖X(t) − Ŷ‖ from (7) decays at the claimed rate (fit); symbolic limits of e^{4t|σ|}·(σ_i(t) − target)."""
    lims = D.cor1_rate_limits()
    nz = all(v != 0 and v.is_finite for v in lims.values())
    sym = (proved("e^{4t|σ|}(σ_i(t) − max(σ,0)) has a finite nonzero limit for σ > 0 and σ < 0",
                  zero="limits: " + str(lims)) if nz else refuted("a limit is 0 or infinite", counterexample=lims))
    sig = rng.uniform(0.3, 1.5, m) * np.where(rng.random(m) < 0.5, -1, 1)
    s0 = rng.uniform(0.05, 1.0, m)
    rate = float(claimed_rate(sig))
    ts = [x / (4 * np.abs(sig).min()) for x in (12, 18, 24, 30, 36)]
    fit = rate_fit("Cor. 1 rate", ts, _cor1_errors(sig, s0, ts, dps), rate, sigma=sig, sigma0=s0)
    return combine("Corollary 1 convergence", {"limits": sym, "rate fit": fit})


@claim("matrix_factorization.cor1.convergence", section="2 / App. B", equations=("7",),
       keys=(KEY + "corollary-1-convergence",),
       statement="With spectral PSD X0 of full rank on the positive part, X(t) → Ŷ = Σ max(σ_i, 0)φ_iφ_iᵀ at rate "
                 "e^{−4tσ_min(Y)}, σ_min = min|σ_i|; component-wise e^{−4tσ_i} (σ_i > 0) and e^{4tσ_i} (σ_i < 0).",
       kind="rate")
def _cor1_conv(ctx: Context) -> Result:
    return check_cor1_convergence(ctx.rng(), SYMMETRIC.of(ctx).cor1_convergence, ctx.dps)


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
       keys=(KEY + "sec-2-acceleration-criterion-symmetric",),
       statement="The i-th eigencomponent converges at e^{−4t|σ_i|} against e^{−t} for the linear model: faster iff "
                 "4|σ_i| > 1, slower iff 4|σ_i| < 1 (fitted exponent of each component against e^{−t}).", kind="rate")
def _acc_sym(ctx: Context) -> Result:
    return check_acceleration_symmetric(ctx.rng(), ctx.dps)


def check_prop2(rng: np.random.Generator, m: int, dps: int, claimed_rate: Callable = lambda s: 4 * np.abs(s).min(),
                n_inst: int = 2) -> Result:
    """Non-spectral PSD X0: ‖X(t) − Ŷ‖ from (6) at dps digits decays at the claimed rate (fit on ≥ 5 times)."""
    parts = {}
    for j in range(n_inst):
        Y, Phi = spectral_y(rng, m)
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
            sig_mp, Phi_mp = N.eig_mp(Y)
            Yh_mp = Phi_mp * mpmath.diag([max(s, 0) for s in sig_mp]) * Phi_mp.T
            errs = [float(N.mp_fro(X - Yh_mp)) for X in N.riccati_closed_form(Y, X0, ts, dps=dps)]
        parts[f"instance {j}"] = rate_fit("Prop. 2 rate", ts, errs, rate, eigenvalues=sig,
                                          min_singular_value_of_condition=float(cond))
    return combine("Proposition 2", parts)


@claim("matrix_factorization.prop2", section="2 / App. C", equations=("8",), keys=(KEY + "proposition-2",),
       statement="For any PSD X0 with Y and I + Ȳ⁻¹(X0 − Ŷ) nonsingular, ‖X(t) − Ŷ‖_F ≤ Ce^{−4tσ_min(Y)} "
                 "(Ŷ = PSD part, Ȳ = |Y|); the fitted decay rate of the exact solution equals 4σ_min.",
       kind="rate", reconstruction="OCR drops the hat/bar accents on Ŷ (PSD part) and Ȳ (absolute value); restored.")
def _prop2(ctx: Context) -> Result:
    return check_prop2(ctx.rng(), SYMMETRIC.of(ctx).prop2, ctx.dps)


def check_prop2_remark(condition: Callable = D.remark_prop2_condition) -> Result:
    """Spectral X0: the eigenvalue 1 + |σ|⁻¹(σ0 − max(σ,0)) is σ0/σ for σ > 0 (zero iff σ0 = 0, i.e. iff the
    rank condition fails) and 1 + σ0/|σ| ≥ 1 for σ < 0."""
    s0 = sp.Symbol("s0", nonnegative=True)
    return residuals_vanish("remark after Prop. 2", {
        "sigma>0": condition(D.sigma_pos, s0) - s0 / D.sigma_pos,
        "sigma<0": condition(-D.sigma_pos, s0) - (1 + s0 / D.sigma_pos)})


@claim("matrix_factorization.prop2.remark", section="2", equations=("8",),
       keys=(KEY + "sec-2-remark-after-proposition-2",),
       statement="For spectral X0, I + Ȳ⁻¹(X0 − Ŷ) is invertible iff rank(Σ0Σ̂) = rank(Σ̂) (Prop. 2 extends "
                 "Cor. 1's condition); its eigenvalues are σ0,i/σ_i (σ_i > 0) and 1 + σ0,i/|σ_i| (σ_i < 0).",
       kind="other")
def _prop2_remark(ctx: Context) -> Result:
    return check_prop2_remark()


