"""App. A–C of the paper: the Riccati equation behind Prop. 1–2. Lemma 6 (Sasagawa's linearisation), the linear
system (28)–(32) and the well-posedness of (6) (App. A); the ARE, its unique stabilising solution Ŷ, the stable
form (40)–(42) and the monotone H(t) of (43)–(46) (App. C)."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy import integrate

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization import hypotheses as H
from checks.papers.matrix_factorization.instances import SYMMETRIC, spectral_y
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, Verdict, combine, from_errors, inconclusive, refuted
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G
from numerics.matrix_factorization import EPS


def gauss_legendre(f: Callable[[float], np.ndarray], t: float, nodes: int = 24) -> tuple[np.ndarray, float]:
    """∫₀ᵗ f by Gauss–Legendre with ``nodes`` and 2·``nodes`` points; the larger is returned, and their difference
    (an over-estimate of its error for an analytic integrand) as its error estimate."""
    out = []
    for k in (nodes, 2 * nodes):
        x, w = np.polynomial.legendre.leggauss(k)
        out.append(sum(wi * f(t * (xi + 1) / 2) for xi, wi in zip(x, w)) * (t / 2))
    return out[1], float(np.abs(out[1] - out[0]).max())


def lemma6_symbolic() -> dict[str, Result]:
    """Lemma 6's symbolic parts: P = X2X1⁻¹ (words) and the finite-escape example."""
    words = residuals_vanish("Lemma 6, P = X2 X1^-1", {"words": D.lemma6_residual()})
    x1, esc = D.lemma6_scalar_escape()
    escape = residuals_vanish("finite escape P' = -P^2",
                              {"ode": esc, "X1 = 1 + p0 t": x1 - (1 + sp.Symbol("p0", real=True) * D.t)})
    return {"words": words, "escape": escape}


def check_lemma6(rng: np.random.Generator, n: int, dps: int, x2_sign: float = 1.0, *, scale: float = 1.0,
                 symbolic: bool = True, times: Sequence[float] = (0.3, 0.7, 1.2)) -> Result:
    """Lemma 6: P = X2X1⁻¹ (words), the finite-escape example, and (27) against expm of the linear system (A with
    N(0, scale²/n) entries, R ≻ 0, Q ⪰ 0 drawn)."""
    from scipy.linalg import expm, solve_continuous_are

    A = scale * rng.standard_normal((n, n)) / math.sqrt(n)
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
    for t in times:
        EH, eH = expm_err(t * H)
        Z = EH @ np.vstack([np.eye(n), P0])
        integral, q_err = gauss_legendre(lambda s: expm(-(t - s) * Ahat) @ R @ expm(s * Abar), t)
        EA, eA = expm_err(-t * Ahat)
        EB, eB = expm_err(t * Abar)
        X1 = EA + integral @ D0
        X2 = Pbar @ X1 + x2_sign * EB @ D0
        errs.append(float(max(np.abs(X1 - Z[:n]).max(), np.abs(X2 - Z[n:]).max()) / max(1.0, np.abs(Z).max())))
        # first-order error bound of each side (max-abs entries): expm's by re-evaluation, the integral's by
        # the quadrature's estimate (bounds every entry), n·EPS for each matrix product's rounding
        e_x1 = eA + n * (float(q_err) + EPS * float(np.abs(integral).max())) * d0
        e_x2 = (n * float(np.abs(Pbar).max()) * e_x1 + n * (eB + EPS * float(np.abs(EB).max())) * d0
                + EPS * float(np.abs(X2).max()))
        e_z = n * (eH + EPS * float(np.abs(EH).max())) * max(1.0, float(np.abs(P0).max()))
        bounds.append((max(e_x1, e_x2) + e_z) / max(1.0, float(np.abs(Z).max())))
    tol = max(bounds)
    num = from_errors("(27) vs the linear system", errs, tol, instances=[{"n": n, "scale": scale}])
    return combine("Lemma 6", {**lemma6_symbolic(), "(27)": num}) if symbolic else num


@claim("matrix_factorization.lemma6", section="App. A", equations=("23", "24", "25", "26", "27"),
       keys=(KEY + "lemma-6-sasagawa",),
       statement="P = X2X1⁻¹ solves the Riccati equation (23) while X1 of (24) is invertible (finite escape when it is "
                 "not); given an ARE solution P̄, X1 = e^{−tÂ} + ∫₀ᵗe^{−(t−s)Â}Re^{sĀ}ds(P0 − P̄), "
                 "X2 = P̄X1 + e^{tĀ}(P0 − P̄) with Ā = A − P̄R, Â = Aᵀ − RP̄.", kind="existence",
       reconstruction="(27) is garbled (accents and signs); rebuilt by solving (24) in the variables X1, X2 − P̄X1.",
       basis="reconstructed", hypothesis_class=H.symmetric(3, 1))
def _lemma6(ctx: Context) -> Result:
    drawn = H.draw("(27) against the linear system", H.symmetric(SYMMETRIC.of(ctx).lemma6, 1),
                        lambda d: check_lemma6(d.rng(), d.m, ctx.dps, scale=d.scale, symbolic=False,
                                               times=(0.3 + 0.1 * (d.seed % 10),)), ctx)  # one time in [0.3, 1.2]
    return H.with_drawn("Lemma 6", lemma6_symbolic(), drawn)


def check_app_a_29_32(coupling: sp.Expr = 4) -> Result:
    """(29)–(32) in Y's eigenbasis for the Riccati coefficients of (28) (``coupling``: R = coupling·I)."""
    res = dict(D.app_a_linear_system_residuals(coupling=coupling))
    res["X = 0 solves XY + YX - 2X^2 = 0"] = sp.Integer(0)
    return residuals_vanish("(29)-(32)", res)


@claim("matrix_factorization.eq29to32", section="App. A", equations=("28", "29", "30", "31", "32"),
       keys=(KEY + "app-a-eqs-29-32",),
       statement="For (28) (A = 2Y, R = 4I, Q = 0), X2 = e^{2tY}X0 and X1 = e^{−2tY} + e^{−2tY}Y⁻¹(e^{4tY} − I)X0 "
                 "solve (29), and X2X1⁻¹ is (32) = (6); X = 0 solves the ARE (30). (Symbolic in Y's eigenbasis.)",
       kind="identity", basis="printed")
def _app_a(ctx: Context) -> Result:
    return check_app_a_29_32()


def check_well_posedness(rng: np.random.Generator, m: int, n_inst: int = 20,
                         factors: Callable = G.prop1_factors, *, scale: float = 1.0, yscale: float = 1.0,
                         rank0: int | None = None) -> Result:
    """Y⁻¹(e^{4tY} − I) is an integral of a positive function (symbolic); numerically the eigenvalues of
    I + Y⁻¹(e^{4tY} − I)X0 are real and ≥ 1, with the spectral factor checked against a quadrature."""
    tau = sp.Symbol("tau", real=True)
    sym_parts = {}
    for name, f in D.well_posedness_factor().items():
        s = D.sigma_pos if name == "sigma>0" else -D.sigma_pos
        # σ⁻¹(e^{4tσ} − 1) = ∫₀^{4t} e^{στ} dτ, an integral of a positive function
        sym_parts[name] = sp.simplify(sp.integrate(sp.exp(s * tau), (tau, 0, 4 * D.t)) - f)
    sym = residuals_vanish("factor = integral of a positive function", sym_parts)
    errs, mismatch = [], []
    for _ in range(n_inst):
        Y, Phi = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
        sig = np.linalg.eigvalsh(Y)
        B = scale * rng.standard_normal((m, m if rank0 is None else rank0))
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
       keys=(KEY + "app-a-well-posedness-claim",),
       statement="Y⁻¹(e^{4tY} − I) ⪰ 0 for t ≥ 0, so for X0 ⪰ 0 the bracket I + Y⁻¹(e^{4tY} − I)X0 (eigenvalues ≥ 1) "
                 "is invertible and the solution exists for all t ≥ 0 (drawn Y, X0 ⪰ 0 of every rank and scale, four "
                 "times t ∈ [0, 2] each).", kind="inequality", basis="printed", hypothesis_class=H.symmetric(4, 4))
def _wp(ctx: Context) -> Result:
    m = SYMMETRIC.of(ctx).well_posedness
    return H.draw("eigenvalues of the bracket ≥ 1", H.symmetric(m, m), lambda d: check_well_posedness(
        d.rng(), d.m, 4, scale=d.scale, yscale=d.yscale, rank0=min(d.k, d.m)), ctx)


# --- App. C ---------------------------------------------------------------------------------------------
def check_app_c_33_34(projection: Callable | None = None) -> Result:
    """(33)–(34) per eigenvalue (``projection``: the scalar map σ ↦ Ŷ's eigenvalue) and the reduction to the ARE."""
    res = dict(D.app_c_scalar_facts(projection))
    res["X(X-Y)=0 implies the ARE (words)"] = D.app_c_reduction_residual()
    return residuals_vanish("(33)-(34)", res)


@claim("matrix_factorization.eq33to34", section="App. C", equations=("30", "33", "34"),
       keys=(KEY + "app-c-eqs-33-34",),
       statement="Ŷ solves the ARE 2YX + 2XY − 4X² = 0: Ŷ(Ŷ − Y) = 0, and Ā = 2Y − 4Ŷ = −2Ȳ with "
                 "Ȳ = Σ|σ_i|φ_iφ_iᵀ ≻ 0.",
       kind="identity", basis="printed")
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


def app_c_uniqueness_symbolic() -> Result:
    """(35)–(39) symbolically."""
    return residuals_vanish("(35)-(39)", {"(35)": D.app_c_delta_residual(), **D.app_c_lyapunov_residuals()})


def check_app_c_uniqueness(rng: np.random.Generator, m: int, target: Callable = N.psd_part, *, yscale: float = 1.0,
                           symbolic: bool = True) -> Result:
    """(35)–(39) symbolically; numerically, of all PSD ARE solutions exactly one is stabilising, ``target(Y)``."""
    Y, _ = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
    sols = ares_psd_solutions(Y)
    are = [float(np.abs(2 * Y @ X + 2 * X @ Y - 4 * X @ X).max()) for X in sols]
    stab = [X for X in sols if np.linalg.eigvals(2 * Y - 4 * X).real.max() < 0]
    Yh = target(Y)
    ok = len(stab) == 1 and np.abs(stab[0] - Yh).max() < 1e3 * EPS * m * float(np.abs(Y).max())
    num = (from_errors("PSD ARE solutions: residuals", are, 1e3 * EPS * m * float(np.abs(Y).max()) ** 2)
           if ok else refuted("the stabilising PSD solution is not unique or not Ŷ",
                              counterexample={"Y": Y, "n_stabilising": len(stab)}))
    if not symbolic:
        return num
    return combine("App. C uniqueness of the stabilising solution", {"symbolic": app_c_uniqueness_symbolic(),
                                                                      "enumeration": num})


@claim("matrix_factorization.appC.uniqueness", section="App. C", equations=("35", "36", "37", "38", "39"),
       keys=(KEY + "app-c-uniqueness-of-the-stabilizing-solution-eqs-35-39",),
       statement="Ŷ is the only PSD ARE solution with 2Y − 4X Hurwitz: Δ = Ŷ − X2 solves ĀΔ + ΔĀ + 4Δ² = 0, the "
                 "Lyapunov form TW4 + W4T + 4I = 0 (T = D⁻¹) gives T = −2W4⁻¹ and a non-Hurwitz A2; numerically, "
                 "of all 2^p PSD ARE solutions exactly one (Ŷ) is stabilising (drawn Y).", kind="identity",
       basis="printed", hypothesis_class=H.symmetric(4, 1))
def _cuniq(ctx: Context) -> Result:
    drawn = H.draw("one stabilising PSD ARE solution, Ŷ", H.symmetric(SYMMETRIC.of(ctx).app_c_uniqueness, 1),
                        lambda d: check_app_c_uniqueness(d.rng(), d.m, yscale=d.yscale, symbolic=False), ctx)
    return H.with_drawn("App. C uniqueness of the stabilising solution", {"symbolic": app_c_uniqueness_symbolic()},
                        drawn)


def app_c_40_symbolic() -> Result:
    """(40)–(41) symbolically."""
    return residuals_vanish("(40)-(41) symbolic", {**D.stable_form_residuals(),
                                                   **{f"(40) {k_}": v for k_, v in D.app_c_40_residuals().items()}})


def check_app_c_40_42(rng: np.random.Generator, m: int, dps: int, times: Sequence[float] = (0.0, 0.4, 1.0, 2.5),
                      second: Callable = N.riccati_closed_form, *, scale: float = 1.0, yscale: float = 1.0,
                      rank0: int | None = None, symbolic: bool = True) -> Result:
    """(40)–(41) symbolically; numerically the stable form (``second``, form 'stable') equals (6) at ``dps``
    digits, within the change of both when evaluated at 10 more digits."""
    Y, _ = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
    B = scale * rng.standard_normal((m, m if rank0 is None else rank0))
    X0 = B @ B.T / m
    with mpmath.workdps(dps):
        a = N.riccati_closed_form(Y, X0, times, "prop1", dps)
        b = second(Y, X0, times, "stable", dps)
        err = max(float(N.mp_fro(p - q)) for p, q in zip(a, b))
    with mpmath.workdps(dps + 10):  # each side again at 10 more digits: the change estimates its rounding error
        a2 = N.riccati_closed_form(Y, X0, times, "prop1", dps + 10)
        b2 = second(Y, X0, times, "stable", dps + 10)
        rounding = (max(float(N.mp_fro(p - q)) for p, q in zip(a, a2))
                    + max(float(N.mp_fro(p - q)) for p, q in zip(b, b2)))
        scale = max(float(N.mp_fro(p)) for p in a)
    tol = rounding + 10.0 ** (-dps) * (1 + scale)
    num = from_errors("(41) vs (6) at dps digits", [err], tol)
    return combine("App. C (40)-(42)", {"symbolic": app_c_40_symbolic(), "numeric": num}) if symbolic else num


@claim("matrix_factorization.eq40to42", section="App. C", equations=("40", "41", "42"),
       keys=(KEY + "app-c-eqs-40-42",),
       statement="With P̄ = Ŷ, X(t) = Ŷ + e^{−2tȲ}(X0 − Ŷ)[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)]⁻¹e^{−2tȲ} "
                 "= Ŷ + e^{−2tȲ}H(t)e^{−2tȲ}.",
       kind="closed_form",
       reconstruction="(40) as printed has e^{−2tȲ} on X1 and e^{2tȲ} on X2's last term, which does not give (41); "
                      "the checked reconstruction is X1 = e^{2tȲ}[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)], "
                      "X2 = ŶX1 + e^{−2tȲ}(X0 − Ŷ).", basis="reconstructed", hypothesis_class=H.symmetric(4, 4))
def _c40(ctx: Context) -> Result:
    m = SYMMETRIC.of(ctx).app_c_40_42
    drawn = H.draw("(41) = (6)", H.symmetric(m, m), lambda d: check_app_c_40_42(
        d.rng(), d.m, ctx.dps, scale=d.scale, yscale=d.yscale, rank0=min(d.k, d.m), symbolic=False), ctx)
    return H.with_drawn("App. C (40)-(42)", {"symbolic": app_c_40_symbolic()}, drawn)


def h_of_t(Y: np.ndarray, X0: np.ndarray, t: float, dps: int) -> tuple[mpmath.matrix, mpmath.matrix, list]:
    """H(t) = (X0 − Ŷ)[I + Ȳ⁻¹(I − e^{−4Ȳt})(X0 − Ŷ)]⁻¹ in mpmath, with Y's eigenvectors Φ and eigenvalues."""
    with mpmath.workdps(dps):
        sig, Phi = N.eig_mp(Y)
        fac = [G.stable_factors_mp(mpmath.mpf(t), s) for s in sig]
        Dm = Phi.T * mpmath.matrix(X0.tolist()) * Phi - mpmath.diag([f[0] for f in fac])
        H = Dm * mpmath.inverse(mpmath.eye(len(sig)) + mpmath.diag([f[2] for f in fac]) * Dm)
        return Phi * H * Phi.T, Phi, sig


def app_c_43_symbolic() -> Result:
    """(43) symbolically."""
    return residuals_vanish("(43) words", {"H'": D.app_c_h_derivative_residual(), "M'": D.stable_m_derivative()})


def check_app_c_43_46(rng: np.random.Generator, m: int, dps: int, coefficient: float = -4.0, *, scale: float = 1.0,
                      yscale: float = 1.0, symbolic: bool = True) -> Result:
    """(43) symbolically; numerically H' = coefficient·He^{−4Ȳt}H by central differences at ``dps`` digits, and the
    Loewner order H̄ ⪯ H(t) ⪯ H(0)."""
    Y, _ = spectral_y(rng, m, yscale * 0.3, yscale * 1.5)
    B = scale * rng.standard_normal((m, m + 1))
    X0 = B @ B.T / m
    errs_d, loew = [], []
    with mpmath.workdps(dps):
        H0 = h_of_t(Y, X0, 0.0, dps)[0]
        Hinf = h_of_t(Y, X0, 60.0 / min(abs(np.linalg.eigvalsh(Y))), dps)[0]
        for t in (0.2, 0.8, 2.0):
            Ht, Phi, sig = h_of_t(Y, X0, t, dps)
            F = Phi * mpmath.diag([mpmath.exp(-4 * abs(s) * t) for s in sig]) * Phi.T
            # central difference: truncation 10^{-dps/2}, rounding 10^{-3dps/4}
            step = mpmath.mpf(10) ** (-(dps // 4))
            dH = (h_of_t(Y, X0, t + step, dps)[0] - h_of_t(Y, X0, t - step, dps)[0]) / (2 * step)
            errs_d.append(float(N.mp_fro(dH - coefficient * Ht * F * Ht)))
            for lower, upper in ((Hinf, Ht), (Ht, H0)):
                diff = N.mp_to_array(upper - lower)
                loew.append(max(0.0, -float(np.linalg.eigvalsh((diff + diff.T) / 2).min())))
    tol = 10.0 ** (-(dps // 3))  # the central difference keeps about dps/2 digits
    parts = {"symbolic": app_c_43_symbolic()} if symbolic else {}
    return combine("App. C (43)-(46)", {
        **parts, "dH/dt = -4 H e^{-4 Ybar t} H": from_errors("(43)", errs_d, tol),
        "Hbar <= H(t) <= H(0)": from_errors("Loewner order (45)", loew,
                                            1e3 * EPS * m * float(np.abs(X0).max() + 2))})


@claim("matrix_factorization.eq43to46", section="App. C", equations=("43", "44", "45", "46"),
       keys=(KEY + "app-c-eqs-43-46",),
       statement="H(t) satisfies H' = −4He^{−4Ȳt}H ⪯ 0, H(t) → H̄ = (X0 − Ŷ)[I + Ȳ⁻¹(X0 − Ŷ)]⁻¹ and H̄ ⪯ H(t) ⪯ H(0), "
                 "which gives (46) (drawn Y and X0 ⪰ 0 of any scale).", kind="inequality", basis="printed",
       hypothesis_class=H.symmetric(3, 1))
def _c43(ctx: Context) -> Result:
    drawn = H.draw("(43)-(45)", H.symmetric(SYMMETRIC.of(ctx).app_c_43_46, 1), lambda d: check_app_c_43_46(
        d.rng(), d.m, ctx.dps, scale=d.scale, yscale=d.yscale, symbolic=False), ctx)
    return H.with_drawn("App. C (43)-(46)", {"symbolic": app_c_43_symbolic()}, drawn)


