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
from checks.papers.matrix_factorization import hypotheses as H
from checks.papers.matrix_factorization.instances import SYMMETRIC, spectral_y
from checks.papers.matrix_factorization.rates import rate_fit
from checks.registry import claim
from checks.sampling import inapplicable
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
       latex=r"X(t) = Y + (X_0 - Y)e^{-t}", kind="closed_form", basis="printed")
def _eq4(ctx: Context) -> Result:
    return check_eq4()


def psd_weights_signed() -> Result:
    """The weights e^{−t} and 1 − e^{−t} of X0 and Y in (4) are ≥ 0 for t ≥ 0 (SymPy)."""
    w0, w1 = D.linear_model_psd_weights()
    signed = w0.is_nonnegative and w1.subs(D.t, sp.log(sp.Symbol("q", positive=True) + 1)).simplify().is_nonnegative
    return (proved("weights e^{-t} and 1 - e^{-t} of X0 and Y are >= 0 for t >= 0", zero="e^{-t} >= 0, 1-e^{-t} >= 0")
            if signed else inconclusive("SymPy could not sign the weights"))


def check_psd_linear(rng: np.random.Generator, m: int, solution: Callable = G.linear_solution,
                     n_inst: int = 5, *, rank0: int | None = None, scale: float = 1.0, yscale: float = 1.0,
                     symbolic: bool = True) -> Result:
    """X(t) of (4) stays PSD for PSD X0 (rank ``rank0``, default m/2), Y: weights of the convex combination ≥ 0, and
    min eigenvalue ≥ −tol."""
    r0 = m // 2 if rank0 is None else rank0
    errs, inst, norms = [], [], []
    for i in range(n_inst):
        A, B = rng.standard_normal((m, m)), rng.standard_normal((m, m))
        Y, X0 = yscale * A @ A.T / m, scale ** 2 * B[:, :r0] @ B[:, :r0].T / m  # X0 PSD of rank r0 (singular)
        ts = np.linspace(0, 5, 26)
        Xs = [solution(t, Y, X0) for t in ts]
        mins = [np.linalg.eigvalsh(X).min() for X in Xs]
        errs.append(max(0.0, -min(mins)))
        norms.append(max(np.linalg.norm(X, 2) for X in Xs))
        inst.append({"instance": i, "min_eigenvalue": min(mins)})
    # rounding: forming X(t) costs a few roundings per entry (‖E‖₂ ≤ 3m·EPS·max|X_ij|) and the backward-stable
    # symmetric eigensolver adds at most about m·EPS·‖X‖₂ (Weyl): 4m·EPS·‖X‖₂
    tol = 4 * m * EPS * max(norms)
    num = from_errors("negative part of the spectrum of X(t)", errs, tol, instances=inst)
    return combine("PSD preservation of (4)", {"symbolic": psd_weights_signed(), "numeric": num}) if symbolic else num


@claim("matrix_factorization.sec2.psd_linear", section="2", equations=("4",),
       keys=(KEY + "sec-2-psd-preservation-linear-model",),
       statement="If X0 ⪰ 0 and Y ⪰ 0, X(t) = Y + (X0 − Y)e^{−t} ⪰ 0 for all t > 0 (a convex combination), so "
                 "the PSD-constrained linear model has the same dynamics.", kind="inequality", basis="printed",
       hypothesis_class=H.symmetric(4, 4))
def _psd_linear(ctx: Context) -> Result:
    m = SYMMETRIC.of(ctx).psd_linear
    drawn = H.draw("X(t) ⪰ 0", H.symmetric(m, m), lambda d: check_psd_linear(
        d.rng(), d.m, n_inst=1, rank0=min(d.k, d.m), scale=d.scale, yscale=d.yscale, symbolic=False), ctx)
    return H.with_drawn("PSD preservation of (4)", {"symbolic": psd_weights_signed()}, drawn)


def check_eq5(rhs: Callable = D.paper_riccati_rhs, sizes: Sequence[tuple[int, int]] = ((2, 3), (3, 2))) -> Result:
    res = {f"m={m},k={k}": D.riccati_residual(m, k, rhs) for m, k in sizes}
    res["middle form"] = D.riccati_middle_form_residual()
    return residuals_vanish("eq. (5)", res)


@claim("matrix_factorization.eq5", section="2", equations=("3", "5"), keys=(KEY + "eq-5",),
       statement="Along U' = 2(Y − UUᵀ)U, X = UUᵀ satisfies X' = 2(Y − X)X + 2X(Y − X) = 2YX + 2XY − 4X² "
                 "(symmetric Y; checked on explicit symbolic 2×3 and 3×2 U).",
       latex=r"\dot X = 2YX + 2XY - 4X^2", kind="identity", basis="printed")
def _eq5(ctx: Context) -> Result:
    return check_eq5()


def check_rank_preservation(rng: np.random.Generator, m: int, k: int, rank0: int, claimed_rank: int, *,
                            scale: float = 1.0, yscale: float = 1.0, symbolic: bool = True) -> Result:
    """U(t) = F(t)U0 (symbolic) and, numerically, σ_{r+1}(X(t)) stays at the level of the solver error."""
    Y, _ = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
    U0 = scale * rng.standard_normal((m, rank0)) @ rng.standard_normal((rank0, k)) / math.sqrt(k)
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
    if not symbolic:
        return num
    sym = residuals_vanish("U(t) = F(t) U0", {"factor": D.rank_flow_factor_residual()})
    return combine("rank preservation of (5)", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.sec2.rank_preservation", section="2", equations=("5",),
       keys=(KEY + "sec-2-rank-preservation",),
       statement="(5) preserves rank: U(t) = F(t)U0 with F invertible, so rank X(t) = rank X0 = r and any limit "
                 "has rank ≤ r (drawn Y, U0 of every rank r ≤ min(m, k), any scale).", kind="inequality",
       basis="printed", hypothesis_class=H.symmetric(4, 6))
def _rank(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).rank_preservation

    def one(d: H.Draw) -> Result:
        r = 1 + d.seed % min(d.m, d.k)  # the rank of X0, from 1 to min(m, k)
        return check_rank_preservation(d.rng(), d.m, d.k, r, r, scale=d.scale, yscale=d.yscale, symbolic=False)
    drawn = H.draw("rank X(t) = rank X0", H.symmetric(size.m, size.k), one, ctx)
    sym = residuals_vanish("U(t) = F(t) U0", {"factor": D.rank_flow_factor_residual()})
    return H.with_drawn("rank preservation of (5)", {"symbolic": sym}, drawn)


def _flow_vs_closed_form(rng: np.random.Generator, m: int, k: int, times: np.ndarray, dps: int,
                         closed: Callable = N.riccati_closed_form, scale: float = 1.0,
                         yscale: float = 1.0) -> tuple[tuple[float, float] | None, dict]:
    """The largest entry of |(6) − UUᵀ| along the flow (5) from a random U0, and its tolerance; None on failure."""
    Y, _ = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
    U0 = scale * rng.standard_normal((m, k)) / math.sqrt(k)
    X0 = U0 @ U0.T
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), times)
    if not sol.success:
        return None, {"message": sol.message}
    Xc = closed(Y, X0, times, form="prop1", dps=dps)
    err = max(float(np.abs(N.mp_to_array(C_) - w.reshape(m, k) @ w.reshape(m, k).T).max())
              for C_, w in zip(Xc, sol["w"]))
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    return (err, tol), {"m": m, "k": k, "t_max": float(times[-1]), "scale": scale, "yscale": yscale}


def check_prop1(rng: np.random.Generator, m: int, k: int, dps: int,
                closed: Callable = N.riccati_closed_form, symbolic: bool = True, *, scale: float = 1.0,
                yscale: float = 1.0) -> Result:
    """(6) (reconstructed inverse) against the flow of U, plus the symbolic proof for diagonal Y."""
    parts = {}
    if symbolic:
        parts["symbolic, Y diagonal"] = residuals_vanish("(6) solves (5)", {"residual": D.prop1_diagonal_residual()})
        parts["Lemma 6 words"] = residuals_vanish("P = X2 X1^-1", {"words": D.lemma6_residual()})
    out, inst = _flow_vs_closed_form(rng, m, k, np.linspace(0, 3, 13) / yscale, dps, closed, scale, yscale)
    if out is None:
        parts["numeric"] = inconclusive("flow solve failed", **inst)
    else:
        parts["numeric"] = from_errors("(6) vs flow", [out[0]], out[1], instances=[inst])
    return combine("Proposition 1", parts)


@claim("matrix_factorization.prop1", section="2 / App. A", equations=("6", "32"), keys=(KEY + "proposition-1",),
       statement="The solution of (5) is X(t) = e^{2tY}X0(I + Y⁻¹(e^{4tY} − I)X0)⁻¹e^{2tY} when Y and the bracket "
                 "are invertible.",
       latex=r"X(t) = e^{2tY}X_0\big(I + Y^{-1}(e^{4tY}-I)X_0\big)^{-1}e^{2tY}", kind="closed_form",
       reconstruction="The OCR prints the inverse of the bracket as a superscript T; read as ⁻¹ (as in (25), (32)).",
       basis="reconstructed", hypothesis_class=H.symmetric(3, 4))
def _prop1(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).prop1
    drawn = H.draw("(6) along the flow (5)", H.symmetric(size.m, size.k),
                        H.on_symmetric(check_prop1, dps=ctx.dps, symbolic=False), ctx)
    sym = check_prop1(ctx.rng(), 2, 1, ctx.dps)  # the symbolic proofs (and one more instance), once
    return H.with_drawn("Proposition 1", {"symbolic": sym}, drawn)


def check_cor1_closed_form(rng: np.random.Generator, m: int, k: int, first: Callable = D.paper_cor1_sigma,
                           second: Callable = D.paper_cor1_sigma_second, *, scale: float = 1.0, yscale: float = 1.0,
                           symbolic: bool = True) -> Result:
    """(7) symbolically, and against the flow (5) from a spectral init U0 = Φ[diag(√σ0) 0] (k ≥ m; σ0,i ≥ 0 drawn
    in scale·[0, 1], some of them 0, so X0 may be singular)."""
    # numeric: spectral init U0 = Φ diag(√σ0) [I 0] evolves with X(t) = Φ diag(σ_i(t)) Φᵀ
    sig = yscale * rng.uniform(0.3, 1.5, m) * np.where(rng.random(m) < 0.5, -1, 1)
    Y, Phi = N.symmetric_with_spectrum(rng, sig)
    s0 = scale * rng.uniform(0.0, 1.0, m) * (rng.random(m) < 0.8)
    U0 = Phi @ np.hstack([np.diag(np.sqrt(s0)), np.zeros((m, k - m))])
    ts = np.linspace(0, 3, 13) / yscale
    sol = N.flow(N.grad_symmetric(Y, k), U0.ravel(), ts)
    if not sol.success:
        return inconclusive(f"flow failed: {sol.message}")
    f = sp.lambdify((D.t, D.sigma, D.sigma0), first(D.t, D.sigma, D.sigma0), "numpy")
    err = max(float(np.abs((Phi * f(t, sig, s0)) @ Phi.T - w.reshape(m, k) @ w.reshape(m, k).T).max())
              for t, w in zip(ts, sol["w"]))
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    num = from_errors("(7) vs flow with spectral init", [err], tol, instances=[{"sigma": sig, "sigma0": s0}])
    if not symbolic:
        return num
    return combine("Corollary 1 closed form", {"symbolic": residuals_vanish("(7)", D.cor1_residuals(first, second)),
                                               "numeric": num})


@claim("matrix_factorization.cor1.closed_form", section="2 / App. B", equations=("7",),
       keys=(KEY + "corollary-1-closed-form",),
       statement="For Y = ΦΣΦᵀ invertible and X0 = ΦΣ0Φᵀ, X(t) = ΦΣ(t)Φᵀ with "
                 "σ_i(t) = σ0σe^{4tσ}/(σ + σ0(e^{4tσ} − 1)) = σ − σ(σ − σ0)/(σ + σ0(e^{4tσ} − 1)).",
       kind="closed_form", basis="printed", hypothesis_class=H.symmetric(3, 4))
def _cor1(ctx: Context) -> Result:
    size = SYMMETRIC.of(ctx).cor1_closed_form
    drawn = H.draw("(7) along the flow (5)", H.symmetric(size.m, size.k), lambda d: check_cor1_closed_form(
        d.rng(), d.m, max(d.k, d.m), scale=d.scale, yscale=d.yscale, symbolic=False), ctx)
    return H.with_drawn("Corollary 1 closed form", {"symbolic": residuals_vanish("(7)", D.cor1_residuals(
        D.paper_cor1_sigma, D.paper_cor1_sigma_second))}, drawn)


def _cor1_errors(sig: np.ndarray, s0: np.ndarray, times: Sequence[float], dps: int) -> list[float]:
    """‖Σ(t) − max(Σ, 0)‖ by (7) at ``dps`` digits, at each time."""
    target = np.maximum(sig, 0)
    with mpmath.workdps(dps):
        return [float(mpmath.sqrt(mpmath.fsum(
            (G.cor1_sigma_mp(mpmath.mpf(t), mpmath.mpf(s), mpmath.mpf(z)) - mpmath.mpf(y)) ** 2
            for s, z, y in zip(sig, s0, target)))) for t in times]


def cor1_limits() -> Result:
    """Symbolic limits of e^{4t|σ|}·(σ_i(t) − max(σ, 0)): finite and nonzero for σ > 0 and σ < 0."""
    lims = D.cor1_rate_limits()
    nz = all(v != 0 and v.is_finite for v in lims.values())
    return (proved("e^{4t|σ|}(σ_i(t) − max(σ,0)) has a finite nonzero limit for σ > 0 and σ < 0",
                   zero="limits: " + str(lims)) if nz else refuted("a limit is 0 or infinite", counterexample=lims))


def check_cor1_convergence(rng: np.random.Generator, m: int, dps: int,
                           claimed_rate: Callable = lambda s: 4 * np.abs(s).min(), *, scale: float = 1.0,
                           yscale: float = 1.0, symbolic: bool = True) -> Result:
    """‖X(t) − Ŷ‖ from (7) decays at the claimed rate (fit); symbolic limits of e^{4t|σ|}·(σ_i(t) − target).
    σ0,i > 0 where σ_i > 0 (the corollary's rank condition), σ0,i ≥ 0 (possibly 0) where σ_i < 0."""
    sig = yscale * rng.uniform(0.3, 1.5, m) * np.where(rng.random(m) < 0.5, -1, 1)
    s0 = scale * rng.uniform(0.05, 1.0, m) * np.where(sig > 0, 1.0, rng.random(m) < 0.7)
    rate = float(claimed_rate(sig))
    ts = [x / (4 * np.abs(sig).min()) for x in (12, 18, 24, 30, 36)]
    # the global rate is an O(·) bound: a component started at its target (σ0,i = 0 for σ_i < 0) decays faster
    fit = rate_fit("Cor. 1 rate", ts, _cor1_errors(sig, s0, ts, dps), rate, bound=True, sigma=sig, sigma0=s0)
    return combine("Corollary 1 convergence", {"limits": cor1_limits(), "rate fit": fit}) if symbolic else fit


@claim("matrix_factorization.cor1.convergence", section="2 / App. B", equations=("7",),
       keys=(KEY + "corollary-1-convergence",),
       statement="With spectral PSD X0 of full rank on the positive part, X(t) → Ŷ = Σ max(σ_i, 0)φ_iφ_iᵀ at rate "
                 "O(e^{−4tσ_min(Y)}) (a bound: fitted rate ≥ 4σ_min), σ_min = min|σ_i|; component-wise e^{−4tσ_i} "
                 "(σ_i > 0) and e^{4tσ_i} (σ_i < 0).",
       kind="rate", basis="printed", hypothesis_class=H.symmetric(4, 1))
def _cor1_conv(ctx: Context) -> Result:
    m = SYMMETRIC.of(ctx).cor1_convergence
    drawn = H.draw("rate of (7)", H.symmetric(m, 1), lambda d: check_cor1_convergence(
        d.rng(), d.m, ctx.dps, scale=d.scale, yscale=d.yscale, symbolic=False), ctx)
    return H.with_drawn("Corollary 1 convergence", {"limits": cor1_limits()}, drawn)


def check_acceleration_symmetric(rng: np.random.Generator, dps: int, factor: float = 4.0, *, yscale: float = 1.0,
                                 scale: float = 1.0) -> Result:
    """Each eigencomponent's fitted rate relative to the linear model's e^{−t} equals factor·|σ_i|, so
    components with 4|σ_i| > 1 are faster and those with 4|σ_i| < 1 slower (two components below 1/4 and two above
    at yscale 1; yscale moves them)."""
    sig = yscale * np.array([0.1, -0.15, 0.6, -0.9]) * rng.uniform(0.9, 1.1, 4)
    s0 = scale * rng.uniform(0.05, 1.0, 4)
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
                 "4|σ_i| > 1, slower iff 4|σ_i| < 1 (fitted exponent of each component against e^{−t}).", kind="rate",
       basis="printed", hypothesis_class=H.symmetric(2, 1))
def _acc_sym(ctx: Context) -> Result:
    return H.draw("component rates against e^{-t}", H.symmetric(2, 1), lambda d: check_acceleration_symmetric(
        d.rng(), ctx.dps, yscale=d.yscale, scale=d.scale), ctx)


def check_prop2(rng: np.random.Generator, m: int, dps: int, claimed_rate: Callable = lambda s: 4 * np.abs(s).min(),
                n_inst: int = 2, *, k: int | None = None, scale: float = 1.0, yscale: float = 1.0) -> Result:
    """Non-spectral PSD X0 = U0U0ᵀ (U0 m×k, k = m + 1 unless given): ‖X(t) − Ŷ‖ from (6) at dps digits decays at
    the claimed rate (fit on ≥ 5 times). An X0 breaking the assumption (a singular bracket) is inapplicable."""
    parts = {}
    for j in range(n_inst):
        Y, Phi = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
        sig = np.linalg.eigvalsh(Y)
        U0 = scale * rng.standard_normal((m, m + 1 if k is None else k)) / math.sqrt(m)
        X0 = U0 @ U0.T
        ab = np.abs(sig)
        s_, ph = np.linalg.eigh(Y)
        Ybar_inv = (ph / np.abs(s_)) @ ph.T
        cond = np.linalg.svd(np.eye(m) + Ybar_inv @ (X0 - N.psd_part(Y)), compute_uv=False).min()
        if cond < 1e-8 or ab.min() < 1e-8:
            parts[f"instance {j}"] = inapplicable("Y or I + Ybar^-1(X0 - Yhat) singular",
                                                  min_singular_value_of_condition=float(cond))
            continue
        rate = float(claimed_rate(sig))
        ts = [x / (4 * ab.min()) for x in (12, 18, 24, 30, 36)]
        with mpmath.workdps(dps):
            # Ŷ in mp from the same eigendecomposition the closed form uses, so its rounding does not floor errors
            sig_mp, Phi_mp = N.eig_mp(Y)
            Yh_mp = Phi_mp * mpmath.diag([max(s, 0) for s in sig_mp]) * Phi_mp.T
            errs = [float(N.mp_fro(X - Yh_mp)) for X in N.riccati_closed_form(Y, X0, ts, dps=dps)]
        parts[f"instance {j}"] = rate_fit("Prop. 2 rate", ts, errs, rate, bound=True, eigenvalues=sig,
                                          min_singular_value_of_condition=float(cond))
    return next(iter(parts.values())) if len(parts) == 1 else combine("Proposition 2", parts)


@claim("matrix_factorization.prop2", section="2 / App. C", equations=("8",), keys=(KEY + "proposition-2",),
       statement="For any PSD X0 (drawn of every rank and scale) with Y and I + Ȳ⁻¹(X0 − Ŷ) nonsingular, "
                 "‖X(t) − Ŷ‖_F ≤ Ce^{−4tσ_min(Y)} (Ŷ = PSD part, Ȳ = |Y|): the fitted decay rate of the exact "
                 "solution is at least 4σ_min (95 % CI of the fit).",
       kind="rate", reconstruction="OCR drops the hat/bar accents on Ŷ (PSD part) and Ȳ (absolute value); restored.",
       basis="reconstructed", hypothesis_class=H.symmetric(3, 4))
def _prop2(ctx: Context) -> Result:
    m = SYMMETRIC.of(ctx).prop2
    return H.draw("rate of (6)", H.symmetric(m, m + 1), lambda d: check_prop2(
        d.rng(), d.m, ctx.dps, n_inst=1, k=d.k, scale=d.scale, yscale=d.yscale), ctx)


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
       kind="other", basis="printed")
def _prop2_remark(ctx: Context) -> Result:
    return check_prop2_remark()


