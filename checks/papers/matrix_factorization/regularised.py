"""§4 and App. E–F of the paper: general initialisation. The flow (18) in R = [Ũ; Ṽ], Prop. 4 (the regularised
flow (19) and the invariance of Q = Λ, with App. F's second derivative (58) corrected), the remark on the weight
1/8, Prop. 5 (the reduction to R' = S̄R − ½RRᵀR, its closed form and rate), S̄'s determinant (55, sign corrected)
and spectrum, and the rank bound (22)."""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization import hypotheses as H
from checks.papers.matrix_factorization.instances import (
    REGULARISED,
    RegularisedPoint,
    asymmetric_instance,
    regularised_point,
)
from checks.papers.matrix_factorization.rates import rate_fit
from checks.registry import claim
from checks.sampling import inapplicable
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_counts, from_errors, inconclusive, proved, refuted
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G
from numerics.matrix_factorization import EPS


def check_eq18(coef: sp.Expr = sp.Rational(1, 2)) -> Result:
    """(18) against (13) with R0ᵀJR0 = Λ_{Q0} (``coef``: the coefficient of RRᵀR and JRΛ)."""
    return residuals_vanish("(18)", {"(18) vs (13), R0'JR0": D.eq18_residual(coef=coef)})


@claim("matrix_factorization.eq18", section="4", equations=("17", "18"), keys=(KEY + "eq-18",),
       statement="With R = [Ũ; Ṽ], S = [[0, Σ], [Σᵀ, 0]], J = diag(I_m, −I_n): R' = SR − ½RRᵀR + ½JRΛ_{Q0} with "
                 "R0ᵀJR0 = Λ_{Q0}.", kind="identity",
       reconstruction="OCR shows '+ SRΛ' and '2RᵀSR0 = Λ'; the identity holds with ½JRΛ and RᵀJR (J = diag(I, −I)).",
       basis="reconstructed")
def _eq18(ctx: Context) -> Result:
    return check_eq18()


def check_prop4_equivalence(weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    """(18) with a free Λ equals −∇ of (20) with the regulariser's ``weight``."""
    return residuals_vanish("Prop. 4", D.prop4_residuals(weight))


@claim("matrix_factorization.prop4.equivalence", section="4 / App. F", equations=("18", "19", "20"),
       keys=(KEY + "proposition-4-equivalence-explicit-regularization",),
       statement="(18) with a free symmetric Λ equals (19), which is gradient flow on ½‖Σ − UVᵀ‖² + ⅛‖UᵀU − VᵀV − Λ‖².",
       kind="identity", basis="printed")
def _prop4(ctx: Context) -> Result:
    return check_prop4_equivalence()


def check_prop4_invariance(rng: np.random.Generator, m: int, n: int, k: int, perturb: float = 0.0, *,
                           scale: float = 0.5, ratio: float = 1.0, yscale: float = 1.0,
                           symbolic: bool = True) -> Result:
    """(57) symbolically; numerically (19) from Q(0) = Λ (+ perturb) keeps Q = Λ and equals (13)."""
    Y, U0, V0 = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
    Lam = N.gram_difference(U0, V0) + perturb * np.eye(k)
    ts = np.linspace(0, 3, 7)
    s19 = N.flow(N.grad_regularised(Y, Lam), N.Shapes.pack(U0, V0), ts)
    s13 = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), ts)
    if not (s19.success and s13.success):
        return inconclusive("flow failed")
    sh = N.Shapes(((m, k), (n, k)))
    dev = max(float(np.abs(N.gram_difference(*sh.unpack(w)) - Lam).max()) for w in s19["w"])
    scale = float(max(np.abs(s19["w"]).max(), np.abs(s13["w"]).max()))
    tol_q = N.propagated_error(s19.error_estimate, scale, m + n) + 1e3 * EPS * float(np.abs(Lam).max())
    same = float(np.abs(s19["w"] - s13["w"]).max())
    tol_s = s19.error_estimate + s13.error_estimate + 1e3 * EPS * scale
    sym = {"symbolic": residuals_vanish("(57)", {"(57)": _q_derivatives()["(57)"]})} if symbolic else {}
    return combine("Prop. 4 invariance", {**sym,
                                          "Q stays Lambda": from_errors("max |Q(t) - Lambda|", [dev], tol_q),
                                          "(19) = (13)": from_errors("max |w19 - w13|", [same], tol_s)})


@claim("matrix_factorization.prop4.invariance", section="4 / App. F", equations=("19", "56", "57"),
       keys=(KEY + "proposition-4-invariance-and-eqs-57-58",),
       statement="Along (19), Q' = −½(Q − Λ)P − ½P(Q − Λ) (P = UᵀU + VᵀV), so Q(t0) = Λ implies Q ≡ Λ afterwards, "
                 "and from Q(0) = Λ the flows (19) and (13) coincide.", kind="identity", basis="printed",
       hypothesis_class=H.asymmetric(2, 3, 4))
def _prop4_inv(ctx: Context) -> Result:
    size = REGULARISED.of(ctx).prop4_invariance
    drawn = H.draw("Q ≡ Λ and (19) = (13)", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_prop4_invariance, symbolic=False), ctx)
    sym = residuals_vanish("(57)", {"(57)": _q_derivatives()["(57)"]})
    return H.with_drawn("Prop. 4 invariance", {"symbolic": sym}, drawn)


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


def check_eq58(formula: Callable, point: RegularisedPoint, symbolic_key: str | None = None) -> Result:
    """Compare a formula for Q'' (as a function of D = Q − Λ, P, P') with Q'' of the flow (19) at ``point``; with
    ``symbolic_key``, also the symbolic residual of that name."""
    Y, U, V_, Lam = point.Y, point.U, point.V, point.Lam
    (m, k), n = U.shape, V_.shape[0]
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
    """The symbolic residuals of (57) and (58) (printed and corrected), computed once per process."""
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
       keys=(KEY + "proposition-4-invariance-and-eqs-57-58",),
       statement="App. F's second derivative as printed: Q'' = −¼(Q−Λ)(P² + 2P') − ¼(P² + 2P')(Q−Λ) − ½P(Q−Λ)P.",
       kind="identity",
       reconstruction="Read from the OCR line '-4(Q- λQo)(p2 + 2P) - 4(P2 + 2P)(Q - λQo) - 1 P(Q- λQo)p' "
                      "(coefficients ¼, ¼, ½; P' for the dotted P).", basis="reconstructed",
       hypothesis_class=H.asymmetric(2, 3, 4))
def _eq58p(ctx: Context) -> Result:
    return eq58_claim(PRINTED_58, "(58) printed", ctx)


def eq58_claim(formula: Callable, symbolic_key: str, ctx: Context) -> Result:
    """A formula for Q'' at drawn points (Y, U, V, Λ) of (19), with its symbolic residual once. Printed and corrected
    (58) draw the same points (their draws are seeded by the printed entry's id)."""
    size = REGULARISED.of(ctx).eq58
    shared = dataclasses.replace(ctx, claim="matrix_factorization.eq58")
    drawn = H.draw("Q'' along (19)", H.asymmetric(size.m, size.n, size.k), lambda d: check_eq58(
        formula, regularised_point(d.rng(), d.m, d.n, d.k, d.scale, d.ratio, d.yscale)), shared)
    return H.with_drawn("second derivative of Q (58)",
                        {"symbolic": _symbolic_matrix(symbolic_key, _q_derivatives()[symbolic_key])}, drawn)


@claim("matrix_factorization.eq58.corrected", section="App. F", equations=("58",),
       keys=(KEY + "proposition-4-invariance-and-eqs-57-58",), corrects="matrix_factorization.eq58",
       statement="Corrected: Q'' = ¼(Q−Λ)P² + ¼P²(Q−Λ) + ½P(Q−Λ)P − ½(Q−Λ)P' − ½P'(Q−Λ): still linear in Q − Λ, "
                 "so the Taylor argument (56)-(58) for invariance stands.", kind="identity", basis="reconstructed",
       reconstruction="Corrects the reading of (58) in matrix_factorization.eq58 (the OCR line it is read from).",
       hypothesis_class=H.asymmetric(2, 3, 4))
def _eq58c(ctx: Context) -> Result:
    return eq58_claim(CORRECTED_58, "(58) corrected", ctx)


def check_weight_remark(claimed_weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    """Only α = 1/8 makes −∇(20 with α) equal (19)/(18); and (13)'s solutions solve (19) since Q ≡ Λ there."""
    sols = D.prop4_weight_solutions()
    if isinstance(sols, dict):
        vals = list(sols.values())
    else:
        vals = [v if not isinstance(v, tuple) else v[0] for v in sols]
    if vals == [claimed_weight]:
        return proved("−∇ of (20) with weight α equals (19) iff α = 1/8 (unique solution of the coefficient equations)",
                      zero=f"solutions for alpha: {vals}")
    return refuted(f"weights giving (19): {vals}, not only {claimed_weight}",
                   counterexample={"solutions": [str(v) for v in vals]})


@claim("matrix_factorization.sec4.weight_remark", section="4", equations=("19", "20"),
       keys=(KEY + "sec-4-remark-weight-1-8-is-special",),
       statement="A solution of (13) solves (19) (the extra terms vanish when Q = Λ); replacing the weight 1/8 in (20) "
                 "by any other α > 0 gives a gradient flow that is not (18): 1/8 is the unique weight.", kind="other",
       basis="printed")
def _weight(ctx: Context) -> Result:
    return check_weight_remark()


def prop5_symbolic() -> Result:
    """The reduction (18) → (21) and (52) symbolically."""
    red = D.prop5_reduction_residuals()
    return residuals_vanish("Prop. 5 reduction", {"(18) with lambda0 I": red["(18) with lambda0 I"],
                                                  "(52)": red["(52)"], **D.prop5_mapping_residuals()})


def check_prop5_reduction(rng: np.random.Generator, m: int, n: int, k: int, dps: int,
                          closed: Callable = N.rflow_closed_form, *, scale: float = 0.5, ratio: float = 1.0,
                          yscale: float = 1.0, symbolic: bool = True) -> Result:
    """The reduction (18) → (21) and (52) symbolically; numerically the closed form ``closed`` ((21)/(53)) against a
    solve of the R flow (λ0 of either sign, |λ0| = ratio·uniform(0.5, 1.5))."""
    Y = yscale * rng.standard_normal((m, n))
    lam0 = float(rng.uniform(0.5, 1.5)) * ratio * float(rng.choice((-1.0, 1.0)))
    Sb = N.block_s(Y, lam0)
    R0 = rng.standard_normal((m + n, k)) * scale
    ts = np.linspace(0, 2, 9)
    sol = N.flow(N.grad_rflow(Sb, k), R0.ravel(), ts)
    if not sol.success:
        return inconclusive("flow failed")
    Pc = closed(Sb, R0 @ R0.T, ts, dps=dps)
    err = max(float(np.abs(N.mp_to_array(P_) - w.reshape(m + n, k) @ w.reshape(m + n, k).T).max())
              for P_, w in zip(Pc, sol["w"]))
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), k)
    num = from_errors("(21)/(53) vs the R flow", [err], tol, instances=[{"m": m, "n": n, "k": k, "lambda0": lam0}])
    return combine("Prop. 5 reduction and closed form", {"symbolic": prop5_symbolic(), "numeric": num}) if symbolic \
        else num


@claim("matrix_factorization.prop5.reduction", section="4 / App. E", equations=("21", "52", "53"),
       keys=(KEY + "proposition-5-reduction-and-closed-form",),
       statement="If Λ_{Q0} = λ0I, (18) is R' = S̄R − ½RRᵀR with S̄ = S + λ0J/2; P = RRᵀ solves "
                 "P' = S̄P + PS̄ − P² and RRᵀ(t) = e^{tS̄}R0R0ᵀ(I + ½S̄⁻¹(e^{2tS̄} − I)R0R0ᵀ)⁻¹e^{tS̄}.", kind="closed_form",
       reconstruction="(21)/(53) garbled (the inverse prints as '1' or '-2', the ½ as '2'); reconstructed from (6) by "
                      "P = 4X, Y = S̄/2 (mapping proved).", basis="reconstructed",
       hypothesis_class=H.asymmetric(2, 3, 6))
def _prop5(ctx: Context) -> Result:
    size = REGULARISED.of(ctx).prop5
    drawn = H.draw("(21)/(53) along the R flow", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_prop5_reduction, dps=ctx.dps, symbolic=False), ctx)
    return H.with_drawn("Prop. 5 reduction and closed form", {"symbolic": prop5_symbolic()}, drawn)


def check_eq21_gradient(weight: sp.Expr = sp.Rational(1, 8)) -> Result:
    """(21) is −∇ of ``weight``·‖2S̄ − RRᵀ‖²."""
    return residuals_vanish("(21) as gradient flow",
                            {"grad": D.prop5_reduction_residuals(weight=weight)["gradient of (1/8)||2Sbar-RR^T||^2"]})


@claim("matrix_factorization.eq21.gradient", section="4", equations=("21",),
       keys=(KEY + "sec-4-remark-eq-21-as-symmetric-factorization",),
       statement="R' = S̄R − ½RRᵀR is the gradient flow of min_R ⅛‖2S̄ − RRᵀ‖².", kind="identity", basis="printed")
def _eq21g(ctx: Context) -> Result:
    return check_eq21_gradient()


def check_eq55(sign_exponent: Callable[[int, int], int],
               sizes: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 2), (2, 3))) -> Result:
    """(55) with the sign (−1)^{sign_exponent(m, n)}, for m×n Σ of the given sizes."""
    return residuals_vanish("(55)", {f"m={m},n={n}": D.sbar_determinant_residual(m, n, sign_exponent)
                                     for m, n in sizes})


@claim("matrix_factorization.eq55", section="App. E", equations=("54", "55"),
       keys=(KEY + "app-e-eq-55-and-spectrum-of-sbar",),
       statement="det(S̄ − λI) = (−1)^{m+n}(λ0/2 + λ)^{n−m}∏(σ_i² + λ0²/4 − λ²) (as printed), for m×n Σ.",
       kind="closed_form", basis="printed")
def _eq55(ctx: Context) -> Result:
    return check_eq55(lambda m, n: m + n)


@claim("matrix_factorization.eq55.corrected", section="App. E", equations=("55",),
       keys=(KEY + "app-e-eq-55-and-spectrum-of-sbar",), corrects="matrix_factorization.eq55",
       statement="Corrected sign: det(S̄ − λI) = (−1)^n(λ0/2 + λ)^{n−m}∏(σ_i² + λ0²/4 − λ²) (Schur complement on the "
                 "−(λ0/2 + λ)I_n block); the eigenvalues are unaffected.", kind="closed_form", basis="printed")
def _eq55c(ctx: Context) -> Result:
    return check_eq55(lambda m, n: n)


def sbar_facts() -> Result:
    """S̄'s eigenvalue facts, symbolically."""
    facts = D.sbar_eigen_facts()
    return (proved("roots ±½√(4σ² + λ0²); ½√(4σ²+λ0²) ≥ |λ0|/2", zero=str(facts))
            if facts["roots mismatch"] == 0 and facts["s_i^2 - (lambda0/2)^2"].is_nonnegative
            else refuted("eigenvalue facts fail", counterexample={k_: str(v) for k_, v in facts.items()}))


def check_sbar_spectrum(rng: np.random.Generator, m: int, n: int, half: float = 0.5, *, yscale: float = 1.0,
                        ratio: float = 1.0, symbolic: bool = True) -> Result:
    """S̄'s eigenvalues are ±``half``·√(4σ_i² + λ0²) and −λ0/2 (n − m times): symbolic facts and numeric spectra
    (Y with N(0, yscale²) entries, λ0 uniform in ratio·[−2, 2])."""
    errs, scales = [], []
    for mm, nn in ((m, n), (m, m)):
        Y = yscale * rng.standard_normal((mm, nn))
        lam0 = float(rng.uniform(-2, 2)) * ratio
        scales.append(float(np.abs(N.block_s(Y, lam0)).max()))
        s = np.linalg.svd(Y, compute_uv=False)
        pred = np.sort(np.concatenate([half * G.prop3_rate(s, lam0), -half * G.prop3_rate(s, lam0),
                                       [-lam0 / 2] * (nn - mm)]))
        errs.append(float(np.abs(np.sort(np.linalg.eigvalsh(N.block_s(Y, lam0))) - pred).max()))
    # a backward-stable symmetric eigensolver: each eigenvalue within a small multiple of (m+n)·EPS·‖S̄‖ (Weyl); the
    # prediction's square root adds a few EPS; 1e4 covers both with the margin of the checker's former 1e4·(m+n)·EPS
    num = from_errors("eigenvalues of Sbar vs (55)", errs, 1e4 * EPS * (m + n) * max(1.0, max(scales)))
    return combine("spectrum of Sbar", {"symbolic": sbar_facts(), "numeric": num}) if symbolic else num


@claim("matrix_factorization.appE.spectrum", section="App. E", equations=("55",),
       keys=(KEY + "app-e-eq-55-and-spectrum-of-sbar",),
       statement="S̄ has eigenvalues ±½√(4σ_i² + λ0²) and −λ0/2 with multiplicity n − m; the smallest in magnitude is "
                 "|λ0|/2 unless Y is square, when only ±½√(4σ_i² + λ0²) occur.", kind="closed_form", basis="printed",
       hypothesis_class=H.asymmetric(2, 3, 3))
def _spec(ctx: Context) -> Result:
    size = REGULARISED.of(ctx).sbar_spectrum
    drawn = H.draw("spectrum of S̄", H.asymmetric(size.m, size.n, size.n), lambda d: check_sbar_spectrum(
        d.rng(), d.m, d.n, yscale=d.yscale, ratio=d.ratio, symbolic=False), ctx)
    return H.with_drawn("spectrum of Sbar", {"symbolic": sbar_facts()}, drawn)


def check_prop5_rate(rng: np.random.Generator, m: int, n: int, k: int, dps: int,
                     claimed: Callable[[np.ndarray, float, bool], float] | None = None, *, scale: float = 1.0,
                     ratio: float = 1.0, yscale: float = 1.0) -> Result:
    """RRᵀ → (2S̄)₊ at the claimed rate O(·): √(4σ_min² + λ0²) for square Y, |λ0| otherwise (fit on the closed
    form; a faster decay also confirms the O(·)). λ0 of either sign, |λ0| = ratio·uniform(0.5, 1.5); an R0 for
    which I + ½S̄⁻¹(R0R0ᵀ − R*R*ᵀ) is singular is outside the proposition."""
    if claimed is None:
        claimed = lambda s, l0, square: float(G.prop3_rate(s.min(), l0)) if square else abs(l0)  # noqa: E731
    parts = {}
    for label, nn in (("square", m), ("non-square", n)):
        if label == "non-square" and nn == m:
            continue
        Y = yscale * rng.standard_normal((m, nn))
        lam0 = float(rng.uniform(0.5, 1.5)) * ratio * float(rng.choice((-1.0, 1.0)))
        Sb = N.block_s(Y, lam0)
        R0 = scale * rng.standard_normal((m + nn, k))
        s = np.linalg.svd(Y, compute_uv=False)
        ev_, ph_ = np.linalg.eigh(Sb)
        cond = np.linalg.svd(np.eye(m + nn) + 0.5 * np.linalg.solve(Sb, R0 @ R0.T - (ph_ * 2 * np.maximum(ev_, 0))
                                                                     @ ph_.T), compute_uv=False).min()
        if cond < 1e-8:
            return inapplicable("I + ½S̄⁻¹(R0R0ᵀ − R*R*ᵀ) is singular", min_singular_value=float(cond))
        rate = claimed(s, lam0, nn == m)
        true_rate = 2 * np.abs(np.linalg.eigvalsh(Sb)).min()
        ts = [x / true_rate for x in (12, 18, 24, 30, 36)]
        with mpmath.workdps(dps):
            ev, Phi = N.eig_mp(Sb)
            target = Phi * mpmath.diag([2 * max(e, 0) for e in ev]) * Phi.T
            errs = [float(N.mp_fro(P_ - target)) for P_ in N.rflow_closed_form(Sb, R0 @ R0.T, ts, dps)]
        parts[label] = rate_fit(f"Prop. 5 rate ({label})", ts, errs, rate, bound=True, lambda0=lam0,
                                singular_values=s)
    return combine("Proposition 5 rate", parts)


@claim("matrix_factorization.prop5.rate", section="4 / App. E", equations=("21", "53", "55"),
       keys=(KEY + "proposition-5-convergence-rate",),
       statement="R(t)R(t)ᵀ → R*R*ᵀ = projection of 2S̄ on the PSD cone, at rate e^{−t√(4σ_min² + λ0²)} for "
                 "square Y and e^{−|λ0|t} otherwise, as O(·) bounds (fitted on the exact solution at high precision; "
                 "drawn Y, λ0 of either sign, R0 of any scale; S̄ and I + ½S̄⁻¹(R0R0ᵀ − R*R*ᵀ) invertible).",
       kind="rate", basis="printed", hypothesis_class=H.asymmetric(2, 3, 6))
def _prop5_rate(ctx: Context) -> Result:
    size = REGULARISED.of(ctx).prop5_rate
    return H.draw("rate of RRᵀ", H.asymmetric(size.m, size.n, size.k),
                       H.on_asymmetric(check_prop5_rate, dps=ctx.dps), ctx)


def check_eq22(rng: np.random.Generator, m: int, n: int, k: int,
               claimed_bound: Callable[[int, int], int] = lambda m, n: m + n, *, scale: float = 1.0, ratio: float = 1.0,
               yscale: float = 1.0, symbolic: bool = True) -> Result:
    """Q0 = R0ᵀJR0 symbolically; numerically rank(Q0) of a random start is within ``claimed_bound(m, n)``."""
    U0, V0 = scale * rng.standard_normal((m, k)), ratio * scale * rng.standard_normal((n, k))
    s = np.linalg.svd(N.gram_difference(U0, V0), compute_uv=False)
    rank = int(np.sum(s > s[0] * k * EPS * 10))
    bound = claimed_bound(m, n)
    num = from_counts("rank(Q0) within the bound", [(min(rank, bound), rank)],
                      [{"m": m, "n": n, "k": k, "rank": rank, "bound": bound, "singular_values": s}])
    if not symbolic:
        return num
    sym = residuals_vanish("Q0 = R0'JR0", {"factorisation": D.q0_factorisation_residual()})
    return combine("rank bound (22)", {"symbolic": sym, "numeric": num})


@claim("matrix_factorization.eq22", section="4", equations=("22",), keys=(KEY + "eq-22-rank-bound",),
       statement="rank(U0ᵀU0 − V0ᵀV0) ≤ m + n (Q0 = R0ᵀJR0), so Λ = λ0I_k (rank k) cannot arise from (13) when "
                 "k > m + n, though (19) can impose it (drawn sizes k ≥ n ≥ m, scales, imbalance).",
       kind="inequality", basis="printed", hypothesis_class=H.asymmetric(2, 3, 8))
def _eq22(ctx: Context) -> Result:
    size = REGULARISED.of(ctx).eq22
    drawn = H.draw("rank Q0 ≤ m + n", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_eq22, symbolic=False), ctx)
    sym = residuals_vanish("Q0 = R0'JR0", {"factorisation": D.q0_factorisation_residual()})
    return H.with_drawn("rank bound (22)", {"symbolic": sym}, drawn)


