"""Zero crossings of the weights (App. C.3.2, Lemma 1): the jump relations at a zero, the parity limit, the induction
over crossings with modified principal values, Lemma 1 and eqs. (18)-(20)."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.momentum_dln.crossing_terms import C32Terms, drawn_terms
from checks.papers.momentum_dln.hypotheses_flow import CROSSING, FlowInstance, check_pool, drawn_run
from checks.papers.momentum_dln.instances import DRAWN_RUNS, K, describe_run, unconverged
from checks.registry import claim
from checks.sampling import inapplicable
from checks.symbolic import residuals_vanish
from checks.verdict import Result, Verdict, combine, from_errors, from_order_fit, inconclusive, proved, refuted
from derivations import momentum_flow as MD
from numerics import momentum_flow as MF
from numerics.mgf_integrals import mpv_kernel_integral

GROUP = "continuous"


def per_crossing_run(ctx: Context, check: Callable[[MF.MGFRun], Result]) -> Callable[[FlowInstance], Result]:
    """The per-instance check of a claim about zero crossings: a drawn run without any is outside its subject."""

    def one(inst: FlowInstance) -> Result:
        run = drawn_run(ctx.seed, inst, False)
        if run.flow.success and not run.crossings:
            return inapplicable("no weight crosses zero on this run", **inst.describe())
        DRAWN_RUNS[run] = inst.describe()
        return check(run)

    return one


def per_crossing_terms(ctx: Context, check: Callable[[C32Terms], Result]) -> Callable[[FlowInstance], Result]:
    """:func:`per_crossing_run` on the run's App. C.3.2 terms (m.p.v. integrals with their error estimates)."""
    return lambda inst: per_crossing_run(ctx, lambda run: check(drawn_terms(ctx.seed, inst)))(inst)


def check_parity_limit(prefactor: sp.Expr) -> Result:
    """lim_{τ→∞} prefactor·Σ_{k≤N}(−1)^{N−k}(1 − e^{−(τ−T_k)/λ}) = 1{N odd} for N = 1..4."""
    res = {f"N={N}": MD.crossing_sum_limit(N, prefactor) - (N % 2) for N in range(1, 5)}
    if all(sp.simplify(r) == 0 for r in res.values()):
        return proved("crossing-sum limit equals the parity 1{N odd} for N = 1..4",
                      zero="; ".join(f"{k}: limit - parity" for k in res))
    bad = next(k for k, r in res.items() if sp.simplify(r) != 0)
    val = (MD.crossing_sum_limit(int(bad[2:]), prefactor)).subs(MD.lam, sp.Rational(1, 2))
    return refuted(f"crossing-sum limit differs from 1{{N odd}} at {bad}: limit = "
                   f"{sp.sstr(MD.crossing_sum_limit(int(bad[2:]), prefactor))}",
                   counterexample={"N": int(bad[2:]), "lambda": 0.5, "limit": str(val), "parity": int(bad[2:]) % 2})


@claim("momentum_dln.appC-3-2.parity_limit", section="App. C.3.2", keys=(K + "parity-limit-of-crossing-sum",),
       statement="As displayed: (1/λ)Σ_{k=1}^N (−1)^{N−k}(1 − e^{−(τ−T_k)/λ}) → 1{N odd} as τ → ∞.", kind="asymptotic",
       basis="printed")
def _parity(ctx: Context) -> Result:
    return check_parity_limit(1 / MD.lam)


@claim("momentum_dln.appC-3-2.parity_limit_corrected", section="App. C.3.2", keys=(K + "parity-limit-of-crossing-sum",),
       statement="Without the stray 1/λ: Σ_{k=1}^N (−1)^{N−k}(1 − e^{−(τ−T_k)/λ}) → 1{N odd} (the parity P± of eq. 18, "
                 "consistent with the induction's g_τ formula, which has no 1/λ).", kind="asymptotic",
       corrects="momentum_dln.appC-3-2.parity_limit", basis="printed")
def _parity_corrected(ctx: Context) -> Result:
    return check_parity_limit(sp.Integer(1))


def check_jump_relations(run: MF.MGFRun, ctx: Context) -> Result:
    """Series (symbolic, generic Taylor coefficients) and, on the run, |ẇ_T| bounded away from 0 at each crossing."""
    ser = MD.jump_relation_series()
    orders = {k: (sp.Poly(v, MD.eps).monoms()[-1][0] if v != 0 else math.inf) for k, v in ser.items()
              if k != "w''/w' at T"}
    parts = {"w''/w' = -1/lambda": residuals_vanish("ẅ/ẇ at a zero", {"w''/w' + 1/lambda": ser["w''/w' at T"]})}
    if all(o >= 1 for o in orders.values()):
        parts["O(eps) series"] = proved("both series start at order ≥ 1 in ε", zero="; ".join(
            f"{k}: {sp.sstr(v)}" for k, v in ser.items()), lowest_orders={k: float(o) for k, o in orders.items()})
    else:
        parts["O(eps) series"] = refuted("a series has an ε⁰ term", counterexample={k: str(v) for k, v in ser.items()})
    if run.crossings:
        vel = min(abs(c.velocity) for c in run.crossings)
        scale = float(np.max(np.abs(run.get("vp", run.state0)))) + run.max_abs_w / max(run.lam, 1e-300)
        parts["w' != 0 at crossings"] = (Result(Verdict.CONFIRMED, f"min |ẇ_T| = {vel:.3e} over {len(run.crossings)} "
                                                 "crossings", {"min_velocity": vel, **describe_run(run, ctx)})
                                         if vel > 1e-8 * scale else
                                         inconclusive("a crossing with |ẇ_T| ≈ 0", min_velocity=vel))
    return combine("jump relations", parts)


@claim("momentum_dln.appC-3-2.jump_relations", section="App. C.3.2", keys=(K + "jump-relations-at-a-zero-crossing",),
       statement="At a zero T of w±: ẇ_T ≠ 0, ẅ_T/ẇ_T = −1/λ, and g_{T+ε} − g_{T−ε} = O(ε), ġ_{T+ε} + ġ_{T−ε} + 1/λ = "
                 "O(ε).",
       kind="asymptotic", basis="printed", hypothesis_class=CROSSING)
def _jump(ctx: Context) -> Result:
    return check_pool("jump relations", CROSSING, per_crossing_run(ctx, lambda run: check_jump_relations(run, ctx)),
                      ctx)


def check_induction_gdot(run: MF.MGFRun, ctx: Context, parity_factor: float = 1.0) -> Result:
    """First bullet of the induction: for τ ∈ (T_m, T_{m+1}),
    ġ_τ = −m.p.v.∫₀^τ[(ẇ/w)² ± ∇L/λ]e^{−(τ−t)/λ}sgn(w_τw_t)dt − (parity_factor/λ)Σ_{k≤m}(−1)^{m−k}e^{−(τ−T_k)/λ}
    (the paper: parity_factor = 1), with ġ = ẇ/w from the run and the m.p.v. from ``mpv_kernel_integral``; one τ per
    crossing, half-way to the next crossing of that coordinate (or λ after it)."""
    bad = unconverged(run, "induction over crossings")
    if bad:
        return bad
    if not run.crossings:
        return inconclusive("no zero crossing on this run", **describe_run(run, ctx))
    errs, tols, rows = [], [], []
    for c in run.crossings:
        zs = sorted(x.t for x in run.crossings if x.sign == c.sign and x.index == c.index)
        m = zs.index(c.t) + 1
        nxt = zs[m] if m < len(zs) else math.inf
        tau = c.t + min((nxt - c.t) / 2, run.lam)
        H, err = mpv_kernel_integral(run, c.sign, c.index, tau)
        blk, vblk = ("p", "vp") if c.sign > 0 else ("m", "vm")
        st = run.sol(tau)
        gdot = float(st[run.slices[vblk]][c.index] / st[run.slices[blk]][c.index])
        parity = sum((-1) ** (m - k) * math.exp(-(tau - zs[k - 1]) / run.lam) for k in range(1, m + 1)) / run.lam
        errs.append(abs(gdot - (-H - parity_factor * parity)))
        tols.append(err + 1e-9 * max(1.0, abs(gdot)))
        rows.append({"w": "w+" if c.sign > 0 else "w-", "index": c.index, "m": m, "tau": tau, "gdot": gdot,
                     "mpv": H, "mpv_error": err})
    return from_errors("|ġ_τ − (−m.p.v.∫… − (1/λ)Σ(−1)^{m−k}e^{−(τ−T_k)/λ})| after each crossing", errs, max(tols),
                       instances=rows, lam=run.lam)


def parity_P(ts: list[float], lam: float) -> float:
    """P± of eq. (18): the number of zeros of the coordinate, mod 2."""
    return float(len(ts) % 2)


def pair_sum_Q(ts: list[float], lam: float) -> float:
    """Q± of eq. (18): −2 Σ_{i<j} (−1)^{j−i}(1 − e^{−(T_j − T_i)/λ})."""
    return -2.0 * sum((-1) ** (j - i) * (1 - math.exp(-(ts[j] - ts[i]) / lam))
                      for i in range(len(ts)) for j in range(i + 1, len(ts)))


def describe_terms(T: C32Terms, ctx: Context) -> dict:
    """The evidence's instance of App. C.3.2's terms: the run's, with the crossings per coordinate and excisions."""
    counts = [len(x) for x in T.crossings]
    return {**describe_run(T.run, ctx), "crossings_per_coordinate": counts,
            "max_crossings_of_a_coordinate": max(counts), "excisions": list(T.deltas)}


def check_eq18(T: C32Terms, ctx: Context, P: Callable = parity_P, Q: Callable = pair_sum_Q) -> Result:
    """Eq. (18) per coordinate, in logarithms: ln|w±,∞| = ln|w±,₀| − (P± + Q±) − ∫₀^∞ m.p.v.∫₀^t[...] (as written)."""
    lam = T.run.lam
    pq = np.array([P(ts, lam) + Q(ts, lam) for ts in T.crossings])
    resid = np.log(np.abs(T.w_end)) - (np.log(np.abs(T.w0)) - pq - T.omega_hat)
    tol = float(np.max(T.err_omega_hat + T.log_w_err))
    worst = int(np.argmax(np.abs(resid)))
    return from_errors("|ln|w±,∞| − [ln|w±,₀| − (P±+Q±) − ∫m.p.v.∫…]| over the 2d coordinates",
                       [float(np.max(np.abs(resid)))], tol,
                       instances=[{**describe_terms(T, ctx), "worst_coordinate": worst,
                                   "crossing_times": T.crossings[worst], "P_plus_Q": float(pq[worst]),
                                   "mpv_double_integral": float(T.omega_hat[worst])}],
                       residuals=resid)


def lambda_19(T: C32Terms) -> np.ndarray:
    """Λ± of eq. (19): ∓(2/λ)∫∫∇L e^{−(t−s)/λ}1{w_t w_s < 0} + P± + Q±."""
    lam = T.run.lam
    return -T.signs * 2 / lam * T.c_neg + np.array([parity_P(ts, lam) + pair_sum_Q(ts, lam) for ts in T.crossings])


def check_eq19(T: C32Terms, ctx: Context, Lam: Callable[[C32Terms], np.ndarray] = lambda_19) -> Result:
    """Eq. (19): |α±,∞| = |w±,₀|e^{−I±}, I± = Ω± + Λ±, with α±,∞ = w±,∞e^{±∫∇L} (∫∇L from the run's state)."""
    run = T.run
    J = run.get("J")
    Jc = np.concatenate([J, J])
    log_alpha = np.log(np.abs(T.w_end)) + T.signs * Jc
    resid = log_alpha - (np.log(np.abs(T.w0)) - (T.omega + Lam(T)))
    j_err = np.concatenate([run.end_error("J"), run.end_error("J")]) + np.abs(Jc - np.concatenate(
        [run.get("J", run.states(np.array([0.9 * run.t_end]))[0])] * 2))
    tol = float(np.max(T.err_omega + 2 / run.lam * T.err_c_neg + T.log_w_err + j_err))
    return from_errors("|ln|α±,∞| − ln|w±,₀| + Ω± + Λ±| over the 2d coordinates", [float(np.max(np.abs(resid)))], tol,
                       instances=[describe_terms(T, ctx)], residuals=resid)


def eq20_paper(T: C32Terms) -> np.ndarray:
    """ln Δ∞ by eq. (20) as printed: the ∇L/λ terms inside both m.p.v. exponents and the 1{w_t w_s < 0} factor."""
    d, lam = T.run.d, T.run.lam
    pq = np.array([parity_P(ts, lam) + pair_sum_Q(ts, lam) for ts in T.crossings])
    return (np.log(np.abs(T.w0[:d] * T.w0[d:])) - (pq[:d] + pq[d:]) - T.omega_hat[:d] - T.omega_hat[d:]
            + 2 / lam * (T.c_neg[:d] - T.c_neg[d:]))


def eq20_corrected(T: C32Terms) -> np.ndarray:
    """ln Δ∞ = ln Δ₀ − (I₊ + I₋) with I± = Ω± + Λ± (Theorem 1; equals the product of the two eqs. (18))."""
    d = T.run.d
    I = T.omega + lambda_19(T)  # noqa: E741 (the paper's I±)
    return np.log(np.abs(T.w0[:d] * T.w0[d:])) - (I[:d] + I[d:])


def check_eq20(T: C32Terms, ctx: Context, formula: Callable[[C32Terms], np.ndarray] = eq20_paper) -> Result:
    """ln Δ∞ (from the end state) against ``formula`` coordinatewise."""
    d, lam = T.run.d, T.run.lam
    resid = np.log(np.abs(T.w_end[:d] * T.w_end[d:])) - formula(T)
    tol = float(np.max(T.err_omega_hat[:d] + T.err_omega_hat[d:] + T.err_omega[:d] + T.err_omega[d:]
                       + 2 / lam * (T.err_c_neg[:d] + T.err_c_neg[d:]) + T.log_w_err[:d] + T.log_w_err[d:]))
    worst = int(np.argmax(np.abs(resid)))
    factor = 2 / lam * (T.c_neg[:d] - T.c_neg[d:])
    return from_errors("|ln Δ∞ − formula| over the d coordinates", [float(np.max(np.abs(resid)))], tol,
                       instances=[{**describe_terms(T, ctx), "worst_coordinate": worst,
                                   "log_delta_inf": float(np.log(abs(T.w_end[worst] * T.w_end[d + worst]))),
                                   "formula": float(formula(T)[worst]),
                                   "indicator_term_2/lambda_intint_gradL(1+ - 1-)": float(factor[worst])}],
                       residuals=resid)


def check_lemma1(T: C32Terms, ctx: Context, expected_order: float = 1.0) -> Result:
    """Lemma 1: Ω± exists and is finite. The inner m.p.v. is the limit of excised integrals: the successive differences
    of Ω±(δ_j) over the halving excisions must decay (order fit on ≥ 4 differences; the construction's rate is O(δ));
    the outer integral to ∞ converges: its change over the last tenth of the run is within its error estimate."""
    crossed = [c for c, ts in enumerate(T.crossings) if ts]
    if not crossed:
        return inconclusive("Lemma 1: no coordinate crosses zero on this run, so no m.p.v. is needed",
                            **describe_terms(T, ctx))
    steps = np.max(np.abs(np.diff(T.omega_by_delta[:, crossed], axis=0)), axis=1)
    parts = {"excision limit exists (inner m.p.v.)": from_order_fit(
        "max over crossing coordinates of |Ω±(δ_{j+1}) − Ω±(δ_j)| vs δ", list(T.deltas[1:]), list(steps),
        expected_order, bound=True)}
    finite = bool(np.all(np.isfinite(T.omega)))
    parts["finite"] = (Result(Verdict.CONFIRMED, f"Ω± finite on all {2 * T.run.d} coordinates (max |Ω±| = "
                              f"{float(np.max(np.abs(T.omega))):.3g}; error estimate ≤ "
                              f"{float(np.max(T.err_omega)):.1e})",
                              {"omega": T.omega, "error": T.err_omega, **describe_terms(T, ctx)})
                       if finite else inconclusive("Ω± not finite on some coordinate", omega=T.omega))
    return combine("Lemma 1", parts)


def g_tau_paper(ts: list[float], tau: float, lam: float) -> float:
    """The crossing terms of the induction's g_τ: −Σ_{k≤m}(−1)^{m−k}(1 − e^{−(τ−T_k)/λ})
    + 2Σ_{i<j≤m}(−1)^{j−i}(1 − e^{−(T_j−T_i)/λ})."""
    before = [T for T in ts if T < tau]
    m = len(before)
    return (-sum((-1) ** (m - k) * (1 - math.exp(-(tau - before[k - 1]) / lam)) for k in range(1, m + 1))
            + 2 * sum((-1) ** (j - i) * (1 - math.exp(-(before[j - 1] - before[i - 1]) / lam))
                      for i in range(1, m + 1) for j in range(i + 1, m + 1)))


def gdot_tau_paper(ts: list[float], tau: float, lam: float) -> float:
    """The crossing term of the induction's ġ_τ: −(1/λ)Σ_{k≤m}(−1)^{m−k}e^{−(τ−T_k)/λ}."""
    before = [T for T in ts if T < tau]
    m = len(before)
    return -sum((-1) ** (m - k) * math.exp(-(tau - before[k - 1]) / lam) for k in range(1, m + 1)) / lam


def check_induction_g(T: C32Terms, ctx: Context, g_terms: Callable = g_tau_paper,
                      gdot_terms: Callable = gdot_tau_paper) -> Result:
    """The induction's identities at τ ∈ (T_m, T_{m+1}) (one τ before the first zero and one after each), per
    coordinate: g_τ = g₀ − ∫₀^τ m.p.v.∫₀^t[...] + g_terms, and ġ_τ = −m.p.v.∫₀^τ[...] + gdot_terms, with both
    m.p.v. integrals from the excision limit (``crossing_integrals``) and g = ln|w|, ġ = ẇ/w from the run."""
    run, lam = T.run, T.run.lam
    d = run.d
    errs_g, errs_gd, tols, rows = [], [], [], []
    for c, ts in enumerate(T.crossings):
        if not ts:
            continue
        blk, vblk = ("p", "vp") if c < d else ("m", "vm")
        i = c % d
        for tau, om, inner, e in zip(T.times[c], T.omega_hat_tau[c], T.inner_hat_tau[c], T.err_tau[c]):
            st = run.sol(tau)
            w, wd = float(st[run.slices[blk]][i]), float(st[run.slices[vblk]][i])
            g_pred = math.log(abs(T.w0[c])) - om + g_terms(ts, tau, lam)
            gd_pred = -inner + gdot_terms(ts, tau, lam)
            errs_g.append(abs(math.log(abs(w)) - g_pred))
            errs_gd.append(abs(wd / w - gd_pred))
            tols.append(e + 1e-9 * max(1.0, abs(wd / w)) + float(np.max(T.log_w_err)))
            rows.append({"coordinate": c, "w": "w+" if c < d else "w-", "index": i, "tau": tau,
                         "m": sum(1 for x in ts if x < tau), "g": math.log(abs(w)), "g_pred": g_pred,
                         "gdot": wd / w, "gdot_pred": gd_pred})
    if not rows:
        return inconclusive("no zero crossing on this run", **describe_terms(T, ctx))
    tol = max(tols)
    inst = describe_terms(T, ctx)
    return combine("induction over zero crossings (App. C.3.2)", {
        "g_tau identity": from_errors("|g_τ − (g₀ − ∫m.p.v.∫… + crossing sums)| at each τ", errs_g, tol,
                                      instances=[{**inst, **r} for r in rows]),
        "g'_tau identity (m.p.v. by excision)": from_errors("|ġ_τ − (−m.p.v.∫… − (1/λ)Σ…)| at each τ", errs_gd, tol,
                                                           instances=[{**inst, **r} for r in rows])})


@claim("momentum_dln.appC-3-2.induction", section="App. C.3.2 / Lemma 1",
       keys=(K + "inductive-identities-for-g-and-g-across-zero-crossings", K + "lemma-1"),
       statement="For τ ∈ (T_m, T_{m+1}) the m.p.v. integrals exist and ġ_τ = −m.p.v.∫₀^τ[(ẇ/w)² ± ∇L/λ]e^{−(τ−t)/λ}"
                 "sgn(w_τw_t)dt − (1/λ)Σ_{k≤m}(−1)^{m−k}e^{−(τ−T_k)/λ}, g_τ = g₀ − ∫₀^τ "
                 "m.p.v.∫₀^t[…]e^{−(t−s)/λ}sgn(w_tw_s)ds dt "
                 "− Σ_{k≤m}(−1)^{m−k}(1 − e^{−(τ−T_k)/λ}) + 2Σ_{i<j≤m}(−1)^{j−i}(1 − e^{−(T_j−T_i)/λ}). Checked at one "
                 "τ before the first zero and one after each zero of every crossing coordinate, on drawn runs whose "
                 "weights cross zero (m.p.v. integrals as limits of excised integrals) and, for ġ, also with the m.p.v."
                 " evaluated by quadrature plus the analytic local value.",
       kind="identity", basis="printed", hypothesis_class=CROSSING)
def _induction(ctx: Context) -> Result:
    def both(T: C32Terms) -> Result:
        return combine("App. C.3.2 induction", {"g and g' (m.p.v. by excision)": check_induction_g(T, ctx),
                                                 "g' (quadrature m.p.v.)": check_induction_gdot(T.run, ctx)})

    return check_pool("App. C.3.2 induction", CROSSING, per_crossing_terms(ctx, both), ctx)


@claim("momentum_dln.lemma1", section="3.2.1 / App. C.3.2", equations=("Lemma 1",), keys=(K + "lemma-1",),
       statement="Ω± = ∫₀^∞ m.p.v.∫₀^t (ẇ±,s/w±,s)² e^{−(t−s)/λ} sgn(w±,t w±,s) ds dt are well-defined and finite: the "
                 "excised integrals converge as the excision shrinks (order fit on 5 halving excisions) and the outer "
                 "integral settles; checked on drawn runs whose weights cross zero.",
       kind="existence", basis="printed", hypothesis_class=CROSSING)
def _lemma1(ctx: Context) -> Result:
    return check_pool("Lemma 1", CROSSING, per_crossing_terms(ctx, lambda T: check_lemma1(T, ctx)), ctx)


@claim("momentum_dln.eq18", section="App. C.3.2", equations=("18",), keys=(K + "eq-18",),
       statement="|w±,∞| = |w±,₀|e^{−(P±+Q±)}exp(−∫₀^∞ m.p.v.∫₀^t[(ẇ±,s/w±,s)² ± ∇L(θ_s)/λ]e^{−(t−s)/λ}sgn(w±,tw±,s)ds "
                 "dt) "
                 "with P± the parity of the number of zeros and Q± = −2Σ_{i<j}(−1)^{j−i}(1 − e^{−(T_j−T_i)/λ}); "
                 "checked "
                 "coordinatewise (crossing and non-crossing coordinates) on drawn runs whose weights cross zero.",
       kind="identity", basis="printed", hypothesis_class=CROSSING)
def _eq18(ctx: Context) -> Result:
    return check_pool("eq. (18)", CROSSING, per_crossing_terms(ctx, lambda T: check_eq18(T, ctx)), ctx)


@claim("momentum_dln.eq19", section="App. C.3.2", equations=("19",),
       keys=(K + "eqs-19-20-trajectory-characterisation",),
       statement="With Λ± = ∓(2/λ)∫₀^∞∫₀^t∇L(θ_s)e^{−(t−s)/λ}1{w±,tw±,s<0}ds dt + P± + Q± (eq. 19) and I± = Ω± + Λ±: "
                 "|α±,∞| = |w±,₀|e^{−I±}, α±,∞ = w±,∞e^{±∫₀^∞∇L}; Λ± = 0 when Δ_t stays positive.", kind="identity",
       basis="printed", hypothesis_class=CROSSING)
def _eq19(ctx: Context) -> Result:
    return check_pool("eq. (19)", CROSSING, per_crossing_terms(ctx, lambda T: check_eq19(T, ctx)), ctx)


@claim("momentum_dln.eq20", section="App. C.3.2", equations=("20",),
       keys=(K + "eqs-19-20-trajectory-characterisation",),
       statement="Eq. (20) as printed: Δ∞ = Δ₀e^{−(P₊+P₋+Q₊+Q₋)}exp(−∫∫m.p.v.[(ẇ₊/w₊)² + ∇L/λ]…)exp(−∫∫m.p.v.[(ẇ₋/w₋)² "
                 "− "
                 "∇L/λ]…)exp((2/λ)∫∫∇L e^{−(t−s)/λ}[1{w₊,tw₊,s<0} − 1{w₋,tw₋,s<0}]). The ∇L terms are counted twice: "
                 "the "
                 "last factor already turns the sgn-weighted ∇L integrals into the unweighted ones, so (20) is off by "
                 "that "
                 "factor whenever a weight crosses zero (see eq20_corrected).",
       kind="identity", basis="printed", hypothesis_class=CROSSING,
       reconstruction="a printed typo, not an extraction loss: the second exponent's outer integral is printed ∫₀^τ; "
                      "read as ∫₀^∞ (τ is not defined there and the first exponent has ∫₀^∞). No other reading makes "
                      "(20) a formula for Δ∞, and the double-counted ∇L terms do not depend on it")
def _eq20(ctx: Context) -> Result:
    return check_pool("eq. (20)", CROSSING, per_crossing_terms(ctx, lambda T: check_eq20(T, ctx)), ctx)


@claim("momentum_dln.eq20.corrected", section="App. C.3.2", equations=("20",),
       keys=(K + "eqs-19-20-trajectory-characterisation",),
       statement="Corrected eq. (20): Δ∞ = Δ₀e^{−(I₊+I₋)} = Δ₀e^{−(P₊+P₋+Q₊+Q₋)}e^{−(Ω₊+Ω₋)}exp((2/λ)∫∫∇L e^{−(t−s)/λ}"
                 "[1{w₊,tw₊,s<0} − 1{w₋,tw₋,s<0}]) (the m.p.v. exponents without their ∇L/λ terms; equivalently the "
                 "product of the two eqs. (18) without the last factor).",
       kind="identity", corrects="momentum_dln.eq20", basis="printed", hypothesis_class=CROSSING)
def _eq20_corrected(ctx: Context) -> Result:
    return check_pool("corrected eq. (20)", CROSSING,
                      per_crossing_terms(ctx, lambda T: check_eq20(T, ctx, eq20_corrected)), ctx)
