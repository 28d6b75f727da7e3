"""§3 and App. D of the paper: the conservation law (11) of the asymmetric flow (10), the gauge (12)–(14), the
closed form and rate of Prop. 3 from a spectral initialisation (with the sign of its constant C corrected),
Table 2's acceleration regimes and the scalar reduction (47)–(50)."""
from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization import hypotheses as H
from checks.papers.matrix_factorization.instances import CONSERVATION, asymmetric_instance
from checks.papers.matrix_factorization.rates import rate_fit
from checks.registry import claim
from checks.sampling import inapplicable
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_counts, from_errors, from_threshold, inconclusive, proved, refuted
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G
from numerics.matrix_factorization import EPS


def check_eq11(rng: np.random.Generator, m: int, n: int, k: int, quantity: Callable = N.gram_difference,
               dps: int = 30, *, scale: float = 0.5, ratio: float = 1.0, yscale: float = 1.0, symbolic: bool = True,
               high_precision: bool = True) -> Result:
    """(11) symbolically; numerically ``quantity`` stays constant along a float solve of (10) from the drawn
    (Y, U0, V0) and, on a 1×2 / 2×2 instance, along mpmath's Taylor integrator at ``dps`` digits."""
    parts = {}
    if symbolic:
        parts["symbolic"] = residuals_vanish("(11)", {"words": D.conservation_word_residual(),
                                                      "entries 2x3x4": D.conservation_entries_residual(2, 3, 4)})
    Y, U0, V0 = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
    ts = np.linspace(0, 4, 9)
    sol = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), ts)
    if not sol.success:
        return inconclusive(f"flow failed: {sol.message}")
    sh = N.Shapes(((m, k), (n, k)))
    q0 = quantity(U0, V0)
    drift = max(float(np.abs(quantity(*sh.unpack(w)) - q0).max()) for w in sol["w"])
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n)
    parts["along the flow"] = from_errors("max |Q(t) - Q(0)|", [drift], tol,
                                          instances=[{"m": m, "n": n, "k": k, "scale": scale, "ratio": ratio}])
    if high_precision:
        # mpmath's Taylor integrator at dps digits on a 1×2 / 2×2 instance (Q0 computed in mpmath too)
        Ys, Us, Vs = asymmetric_instance(rng, 1, 2, 2, scale, ratio, yscale)
        with mpmath.workdps(dps):
            UT, VT = N.mp_flow_asymmetric(Ys, Us, Vs, 0.5, dps)
            U0m, V0m = mpmath.matrix(Us.tolist()), mpmath.matrix(Vs.tolist())
            hp = float(N.mp_fro((UT.T * UT - VT.T * VT) - (U0m.T * U0m - V0m.T * V0m)))
        parts[f"mpmath ODE at {dps} digits"] = from_errors("||Q(0.5) - Q(0)||", [hp], 10.0 ** (-(dps - 5)),
                                                           instances=[{"dps": dps}])
    return combine("conservation law (11)", parts)


@claim("matrix_factorization.eq11", section="3", equations=("10", "11"), keys=(KEY + "eq-11-conservation-law",),
       statement="Along (10), Q = UᵀU − VᵀV has Q' = 0 (any sizes; words in U, V, E = Y − UVᵀ), so Q(t) = Q(0) and "
                 "‖U‖² − ‖V‖² is conserved (symbolically; numerically along float solves from drawn data and "
                 "initialisations of any scale and imbalance, and on one small instance along mpmath's Taylor "
                 "integrator at the run's digits).", kind="identity", basis="printed",
       hypothesis_class=H.asymmetric(2, 3, 4))
def _eq11(ctx: Context) -> Result:
    size = CONSERVATION.of(ctx).eq11
    sym_hp = check_eq11(ctx.rng(), 1, 1, 1, dps=ctx.dps)  # the symbolic proof and the high-precision solve, once
    drawn = H.draw("Q(t) = Q(0) along (10)", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_eq11, symbolic=False, high_precision=False), ctx)
    return H.with_drawn("conservation law (11)", {"symbolic and mpmath": sym_hp}, drawn)


def check_gauge(rng: np.random.Generator, m: int, n: int, k: int,
                gauge: Callable[[np.ndarray], np.ndarray] = lambda Q: np.linalg.eigh(Q)[1], *, scale: float = 0.5,
                ratio: float = 1.0, yscale: float = 1.0, symbolic: bool = True) -> Result:
    """(12)–(14) symbolically; numerically, in the gauge ``gauge(Q0)``, ŨᵀŨ − ṼᵀṼ stays the diagonal Λ_{Q0}."""
    parts = {"symbolic": residuals_vanish("(12)-(14)", D.gauge_residuals())} if symbolic else {}
    Y, U0, V0 = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
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
    # the gauge transform and eigh add a few hundred roundings of the largest entry of Q0 (1e3·EPS·max|Λ|)
    tol = (N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n)
           + 1e3 * EPS * float(np.abs(Lam).max()))
    parts["Lambda_Q0 diagonal and constant"] = from_errors("max |Ut'Ut - Vt'Vt - Lambda_Q0|", [dev], tol)
    return combine("gauge (12)-(14)", parts)


@claim("matrix_factorization.eq12to14", section="3", equations=("12", "13", "14"),
       keys=(KEY + "eqs-12-14-rotational-symmetry",),
       statement="With Y = ΦΣΨᵀ and U = ΦŨGᵀ, V = ΨṼGᵀ (G ∈ O(k)), Ũ, Ṽ solve (13), of the same form as (10); with G "
                 "diagonalising Q, ŨᵀŨ − ṼᵀṼ = GᵀQG = Λ_{Q0} is diagonal and constant.", kind="identity",
       basis="printed", hypothesis_class=H.asymmetric(2, 3, 4))
def _gauge(ctx: Context) -> Result:
    size = CONSERVATION.of(ctx).gauge
    drawn = H.draw("Λ_Q0 diagonal and constant in the gauge", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_gauge, symbolic=False), ctx)
    return H.with_drawn("gauge (12)-(14)", {"symbolic": residuals_vanish("(12)-(14)", D.gauge_residuals())}, drawn)


def _spectral_flow(d: H.Draw, ts: np.ndarray, rtol: float = 1e-12) -> tuple:
    """The flow (13) from the spectral initialisation drawn by ``d``: (solution, σ, u0, v0, components σ_i(t))."""
    s, u0, v0 = H.spectral_components(d)
    m, n, k = d.m, d.n, d.k
    Sig = np.zeros((m, n))
    Sig[:m, :m] = np.diag(s)
    U0, V0 = np.zeros((m, k)), np.zeros((n, k))
    U0[np.arange(m), np.arange(m)], V0[np.arange(m), np.arange(m)] = u0, v0
    sol = N.flow(N.grad_asymmetric(Sig, k), N.Shapes.pack(U0, V0), ts, rtol=rtol)
    sh = N.Shapes(((m, k), (n, k)))
    comp = np.array([np.diag(sh.unpack(w)[0] @ sh.unpack(w)[1].T)[:m] for w in sol["w"]])
    return sol, s, u0, v0, comp


def closed_form_rounding(closed: Callable, t: np.ndarray, s: np.ndarray, lam0: np.ndarray, C_: np.ndarray,
                         x0: np.ndarray) -> np.ndarray:
    """Rounding error of (15) with (51) in float64: the rational function's terms (num + σ(t)·den, over |den|),
    plus C's own rounding (its cancelling numerator over 4λ0²|σ − x0|) carried through by a difference in C."""
    E = np.exp(t * G.prop3_rate(s, lam0))
    num = np.abs(4 * C_ ** 2 * lam0 ** 2 * s) + np.abs(2 * C_ * lam0 ** 2 * E) + np.abs(s * E ** 2)
    den_terms = np.abs(4 * C_ ** 2 * lam0 ** 2) + np.abs(8 * C_ * s * E) + E ** 2
    den = -4 * C_ ** 2 * lam0 ** 2 + 8 * C_ * s * E + E ** 2
    val = closed(t, s, lam0, C_)
    root = np.sqrt((4 * s ** 2 + lam0 ** 2) * (lam0 ** 2 + 4 * x0 ** 2))
    c_err = 16 * EPS * (lam0 ** 2 + np.abs(4 * s * x0) + root) / np.abs(4 * lam0 ** 2 * (s - x0))
    return 16 * EPS * (num + np.abs(val) * den_terms) / np.abs(den) + np.abs(closed(t, s, lam0, C_ + c_err) - val)


def check_prop3_closed_form(d: H.Draw, closed: Callable = G.prop3_sigma, constant: Callable = G.prop3_constant,
                            symbolic: bool = True) -> Result:
    """(15) with (51) (``closed``, ``constant``) against the flow (13) from the spectral init drawn by ``d``, per
    component; (51) divides by λ0,i² and σ_i − σ0,i, so a draw with λ0,i = 0 or σ0,i = σ_i is outside it."""
    parts = {}
    if symbolic:
        parts["symbolic"] = residuals_vanish("(15) with (51)", D.prop3_residuals())
    ts = np.linspace(0, 4, 17)
    sol, s, u0, v0, fs = _spectral_flow(d, ts)
    lam0, x0_ = u0 ** 2 - v0 ** 2, u0 * v0
    if np.any(lam0 == 0) or np.any(x0_ == s):
        return inapplicable("(51) needs λ0,i ≠ 0 and σ0,i ≠ σ_i", lambda0=lam0, x0=x0_)
    if not sol.success:
        return inconclusive("flow failed")
    C_ = constant(s, lam0, x0_)
    cs = np.array([closed(t, s, lam0, C_) for t in ts])
    rounding = max(float(closed_form_rounding(closed, t, s, lam0, C_, x0_).max()) for t in ts)
    tol = N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), 1) + rounding
    parts["numeric"] = from_errors("(15) vs the flow (13) from a spectral init", [float(np.abs(fs - cs).max())], tol,
                                   instances=[{"sigma": s, "lambda0": lam0, "x0": x0_, "C": C_}])
    return combine("Proposition 3 closed form", parts)


RECON_15 = ("(15) and (51) are garbled in the OCR; reconstructed as "
            "σ(t) = (σE² − 2Cλ0²E − 4σλ0²C²)/(E² + 8σCE − 4λ0²C²), "
            "E = e^{t√(4σ²+λ0²)}, and C = (√(4σ²λ0² + 16σ²x0² + λ0⁴ + 4x0²λ0²) − 4σx0 − λ0²)/(4λ0²(σ − x0)), "
            "x0 = σ0,i; SymPy shows σ(0) = x0 and σ'² = 4(σ−σ(t))²(σ(t)² + λ0²/4), the square of (50).")


@claim("matrix_factorization.prop3.closed_form", section="3 / App. D", equations=("15", "51"),
       keys=(KEY + "proposition-3-closed-form",),
       statement="With spectral init, X(t) = ΦΣ(t)Ψᵀ stays spectral and σ_i(t) is given by (15) with "
                 "λ0 = diag(U0ᵀU0 − V0ᵀV0) and the constant C_i of (51).", kind="closed_form",
       reconstruction=RECON_15, basis="reconstructed",
       hypothesis_class=H.spectral_asymmetric(2, 3, 4, ("free",)))
def _prop3(ctx: Context) -> Result:
    size = CONSERVATION.of(ctx).prop3
    drawn = H.draw("(15) with (51) along the flow", H.spectral_asymmetric(size.m, size.n, size.k, ("free",)),
                        lambda d: check_prop3_closed_form(d, symbolic=False), ctx)
    return H.with_drawn("Proposition 3 closed form",
                        {"symbolic": residuals_vanish("(15) with (51)", D.prop3_residuals())}, drawn)


def check_prop3_constant_positive(instances: Sequence[tuple[float, float, float]],
                                  constant: Callable = G.prop3_constant_mp, dps: int = 50,
                                  reference: Callable = G.prop3_constant) -> Result:
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
       keys=(KEY + "proposition-3-closed-form",),
       statement="The constant C_i = C(λ0,i, σ0,i) of (51) is positive (as stated after (15) and used in (16)); "
                 "tested at drawn (σ, λ0, x0) with x0 on both sides of σ and of either sign.", kind="inequality",
       reconstruction=RECON_15, basis="reconstructed", hypothesis_class=H.prop3_points())
def _prop3_c(ctx: Context) -> Result:
    return H.draw("C > 0", H.prop3_points(), lambda p: check_prop3_constant_positive([p], dps=ctx.dps), ctx)


def check_prop3_constant_sign(constant: Callable = D.paper_prop3_constant) -> Result:
    """Corrected: sign C = sign(σ − x0), since numerator² gap s²(λ0² + 4x0²) − (λ0² + 4σx0)² = 4λ0²(x0 − σ)² ≥ 0;
    and (16) in the signed form σ(t) − σ ≃ −2C s² e^{−ts}, which holds for either sign of C."""
    s_, z = D.sigma_pos, D.x0
    gap = sp.expand((4 * s_ ** 2 + D.lam ** 2) * (D.lam ** 2 + 4 * z ** 2) - (D.lam ** 2 + 4 * s_ * z) ** 2
                    - 4 * D.lam ** 2 * (z - s_) ** 2)
    # C·4λ0²(σ − x0) = √(s²(λ0²+4x0²)) − (λ0² + 4σx0) ≥ 0: check the radicand factorisation used
    rad = sp.expand(4 * s_ ** 2 * D.lam ** 2 + 16 * s_ ** 2 * z ** 2 + D.lam ** 4 + 4 * z ** 2 * D.lam ** 2
                    - (4 * s_ ** 2 + D.lam ** 2) * (D.lam ** 2 + 4 * z ** 2))
    radicand = 4 * s_ ** 2 * D.lam ** 2 + 16 * s_ ** 2 * z ** 2 + D.lam ** 4 + 4 * z ** 2 * D.lam ** 2
    num = sp.simplify(constant(s_, D.lam, z) * 4 * D.lam ** 2 * (s_ - z)
                      - (sp.sqrt(radicand) - D.lam ** 2 - 4 * s_ * z))
    lim = D.prop3_asymptotic_limit()
    return residuals_vanish("sign of C and signed (16)", {"radicand = s^2(lambda0^2+4x0^2)": rad, "numerator gap": gap,
                                                          "C*4 lambda0^2 (sigma - x0) = sqrt(.) - (.)": num,
                                                          "lim (sigma(t)-sigma) e^{ts}/(-2C s^2) - 1": lim - 1})


@claim("matrix_factorization.prop3.constant_sign", section="3 / App. D", equations=("16", "51"),
       keys=(KEY + "proposition-3-rate-and-eq-16",), corrects="matrix_factorization.prop3.constant_positive",
       statement="Corrected: C_i has the sign of σ_i − σ0,i (C > 0 only when the start is below the target), and the "
                 "asymptotics read σ_i(t) − σ_i ≃ −2C_i(4σ_i² + λ0,i²)e^{−t√(4σ_i²+λ0,i²)} (|·| needs |C_i|).",
       kind="identity", reconstruction=RECON_15, basis="reconstructed")
def _prop3_sign(ctx: Context) -> Result:
    return check_prop3_constant_sign()


def _enter_times(s: np.ndarray, u0: np.ndarray, v0: np.ndarray, rates: np.ndarray, within: float = 1e-2) -> np.ndarray:
    """Per component, the first time the scalar flow (48) comes within ``within``·σ_i of σ_i (0 if it does not
    within 200 time constants): where its asymptotic regime can start."""
    from scipy.integrate import solve_ivp

    out = np.zeros_like(s)
    for i, (sg, a, b, r) in enumerate(zip(s, u0, v0, rates)):
        def near(t: float, y: np.ndarray, sg: float = sg) -> float:
            return abs(y[0] * y[1] - sg) - within * sg
        near.terminal = True  # type: ignore[attr-defined]
        sol = solve_ivp(lambda t, y, sg=sg: [(sg - y[0] * y[1]) * y[1], (sg - y[0] * y[1]) * y[0]], (0, 200 / r),
                        [a, b], rtol=1e-10, atol=1e-14, events=near)
        out[i] = sol.t_events[0][0] if sol.t_events[0].size else 0.0
    return out


def check_prop3_rate(d: H.Draw, claimed_rate: Callable = G.prop3_rate) -> Result:
    """Fit each component's decay |σ_i(t) − σ_i| along the flow (13) from the spectral init drawn by ``d`` against
    e^{−t·claimed_rate(σ, λ0)}, over 6 to 16 time constants after the component comes within 1 % of σ_i."""
    s, u0, v0 = H.spectral_components(d)
    lam0 = u0 ** 2 - v0 ** 2
    rates = np.array([float(claimed_rate(a, b)) for a, b in zip(s, lam0)])
    true_rates = G.prop3_rate(s, lam0)
    enter = _enter_times(s, u0, v0, true_rates)
    T = float(np.max(enter + 16.0 / true_rates))
    ts = np.unique(np.concatenate([np.linspace(e, e + 16.0 / r, 41) for e, r in zip(enter, true_rates)]))
    sol, _, _, _, comp = _spectral_flow(d, ts, rtol=1e-13)
    if not sol.success:
        return inconclusive("flow failed")
    parts = {}
    for i in range(d.m):
        sel = [j for j, t in enumerate(ts) if 6 <= (t - enter[i]) * true_rates[i] <= 16]
        errs = np.abs(comp[sel, i] - s[i])
        parts[f"component {i}"] = rate_fit(f"component {i}", ts[sel], errs, rates[i], sigma=s[i], lambda0=lam0[i],
                                           x0=u0[i] * v0[i], enters_at=enter[i], horizon=T)
    return combine("Proposition 3 rate", parts)


def prop3_limit() -> Result:
    """(16)'s limit, proved by SymPy: (σ(t) − σ)e^{ts}/(−2Cs²) → 1."""
    lim = D.prop3_asymptotic_limit()
    return (proved("lim (σ(t) − σ)e^{ts}/(−2Cs²) = 1", zero=f"{lim} - 1") if lim == 1
            else refuted("(16) limit is not 1", counterexample={"limit": str(lim)}))


PROP3_RATE_RESTRICTED = ("free", "balanced")


@claim("matrix_factorization.prop3.rate", section="3", equations=("15", "16"),
       keys=(KEY + "proposition-3-rate-and-eq-16",),
       statement="Component i converges at rate e^{−t√(4σ_i² + λ0,i²)} (fitted along the flow (13) from drawn spectral "
                 "inits with λ0,i ≠ 0 or σ0,i > 0: entries of both signs and any imbalance, and balanced "
                 "u0,i = v0,i), with σ_i(t) − σ_i ~ −2C_i(4σ_i² + λ0,i²)e^{−t√(4σ_i²+λ0,i²)} (limit proved). "
                 "Restricted class; the statement for every spectral init is prop3.rate_general.", kind="rate",
       basis="printed", hypothesis_class=H.spectral_asymmetric(2, 3, 3, PROP3_RATE_RESTRICTED),
       corrects="matrix_factorization.prop3.rate_general")
def _prop3_rate(ctx: Context) -> Result:
    size = CONSERVATION.of(ctx).prop3_rate
    drawn = H.draw("rate of each component", H.spectral_asymmetric(size.m, size.n, size.k, PROP3_RATE_RESTRICTED),
                        check_prop3_rate, ctx)
    return H.with_drawn("Proposition 3 rate", {"(16) limit": prop3_limit()}, drawn)


@claim("matrix_factorization.prop3.rate_general", section="3", equations=("15", "16"),
       keys=(KEY + "proposition-3-rate-and-eq-16",),
       statement="As printed, for every spectral initialisation (Definition 3: any rectangular diagonal Ũ0, Ṽ0), the "
                 "ith component σ_i(t) converges to σ_i at rate O(e^{−t√(4σ_i² + λ0,i²)}); drawn with entries of "
                 "both signs, any imbalance, and balanced components v0,i = ±u0,i (λ0,i = 0).", kind="rate",
       basis="printed", hypothesis_class=H.spectral_asymmetric(2, 3, 3))
def _prop3_rate_general(ctx: Context) -> Result:
    size = CONSERVATION.of(ctx).prop3_rate
    # three sign patterns: twice the tier's draws, so that each is drawn (the patterns are the point here)
    return H.draw("rate of each component, every spectral init", H.spectral_asymmetric(size.m, size.n, size.k),
                  check_prop3_rate, ctx, per_tier=2)


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


@claim("matrix_factorization.table2", section="3", equations=("16",),
       keys=(KEY + "sec-3-acceleration-criterion-and-table-2",),
       statement="Acceleration over e^{−t} iff 4σ² + λ0² > 1; always when |λ0| > 1; faster with more imbalance; "
                 "Table 2: balanced & small σ: no; balanced & large σ: yes; imbalanced: yes "
                 "(σ = 0.2/1, λ0 = 0/2 as instances).",
       kind="rate", basis="printed")
def _table2(ctx: Context) -> Result:
    return check_table2()


def check_app_d(v_sign: int = 1) -> Result:
    """(47)–(50): the diagonal flow and its scalar reduction (``v_sign``: the sign of v in x = uv)."""
    return residuals_vanish("(47)-(50)", {"(47) off-diagonal and extra rows": D.diagonal_flow_residual(),
                                          **D.scalar_reduction_residuals(v_sign)})


@claim("matrix_factorization.eq47to50", section="App. D", equations=("47", "48", "49", "50"),
       keys=(KEY + "app-d-eqs-47-50",),
       statement="With spectral init, Ũ, Ṽ stay diagonal; each component obeys u' = (σ − uv)v, v' = (σ − uv)u, "
                 "conserves u² − v² = λ0, and x = uv solves x' = (σ − x)(u² + v²) = 2(σ − x)√(x² + λ0²/4).",
       kind="identity", basis="printed")
def _appd(ctx: Context) -> Result:
    return check_app_d()


