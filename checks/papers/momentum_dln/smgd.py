"""§4.1, App. D.1, Lemma 7 and the poster's SMGD panel: Theorem 2 (the implicit bias of SMGD), Lemmas 2 and 7,
Corollary 3 and the zero-hitting remark, on converged float runs over a (γ, β) grid (instances.theorem2_runs)."""
from __future__ import annotations

import math
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.momentum_dln.discrete_identities import check_beta0_reduction, trajectories_roundoff
from checks.papers.momentum_dln.hypotheses_discrete import (
    IDENTITY_CLASS,
    IDENTITY_DRAW_STEPS,
    IDENTITY_EXAMPLES,
    IDENTITY_SHRINK_CALLS,
    SGD_CLASS,
    SMGD_CLASS,
    SMGD_DRAW_STEPS,
    SMGD_MOMENTUM_CLASS,
    SMGDDraw,
    draw_run,
    draw_trajectory,
    identity_family,
)
from checks.papers.momentum_dln.instances import (
    SAMPLINGS,
    SMGD_SIZES,
    SMGDInstance,
    Trajectory,
    runs_of_every_sampling,
    theorem2_runs,
)
from checks.registry import claim
from checks.sampling import HypothesisClass, check_class, inapplicable
from checks.symbolic import residuals_vanish
from checks.verdict import Result, Verdict, combine, from_errors, inconclusive, refuted
from derivations import momentum_discrete as D
from numerics import hyperbolic_entropy as HE
from numerics.generated import momentum_discrete as G
from numerics.momentum_discrete import EPS, SMGDRun

GROUP = "discrete"
K = "momentum_dln:"


def assumptions_broken(run: SMGDRun, i: int) -> str | None:
    """Why run i breaks Assumption 3 (convergence) or 4 (Δ∞ > 0), or None."""
    if run.converged_at[i] < 0:
        return f"not converged after {run.steps} steps (last relative change {run.last_change[i]:.1e})"
    if np.any(run.delta[i] <= 1e3 * EPS * np.abs(run.wp0[i] * run.wm0[i])):
        return "asymptotic balancedness has a (numerically) zero coordinate"
    return None


def run_row(inst: SMGDInstance, run: SMGDRun, i: int) -> dict:
    """Report row of run i: the instance, (γ, β, λ), the steps and the sign changes."""
    return {**inst.describe(), "gamma": float(run.gamma[i]), "beta": float(run.beta[i]),
            "lambda": float(run.gamma[i] / (1 - run.beta[i]) ** 2), "steps": int(run.converged_at[i]),
            "sign_changes": int(run.sign_changes_plus[i].sum() + run.sign_changes_minus[i].sum())}


def _worst_by_ratio(what: str, errs: list[float], tols: list[float], rows: list[dict], **evidence: object) -> Result:
    """from_errors on errors of different tolerances: each error rescaled to the tolerance of the worst ratio."""
    ratios = [e / t for e, t in zip(errs, tols)]
    worst = int(np.argmax(ratios))
    return from_errors(what, [r * tols[worst] for r in ratios], tols[worst], instances=rows, **evidence)


def _theorem2_errors(inst: SMGDInstance, run: SMGDRun, i: int, theta_tilde: Callable,
                     delta_inf: Callable) -> tuple[dict[str, float], dict[str, float], dict]:
    """Run i's errors and tolerances for the four parts of :func:`check_theorem2`, and its report row."""
    X, y = inst.data.X, inst.data.y
    P = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X  # projector onto span(x_i)^⊥
    tol = run.roundoff(i)
    theta = run.theta[i]
    d_inf = np.asarray(delta_inf(run.delta0[i], run.S_plus[i], run.S_minus[i]), dtype=float)
    t0 = np.asarray(theta_tilde(run.wp0[i], run.wm0[i], run.S_plus[i], run.S_minus[i]), dtype=float)
    kkt = P @ (G.grad_hyperbolic_entropy(theta, d_inf) - G.grad_hyperbolic_entropy(t0, d_inf))
    proj, info = HE.argmin_bregman(X, y, d_inf, t0, tol=1e-14)
    hinv = np.sqrt(4 * theta ** 2 + d_inf ** 2)  # (∇²ψ_Δ∞)⁻¹ (diagonal)
    amp = float(hinv.max() / np.abs(theta).max())  # KKT residual -> relative error of θ
    # Sensitivity of the projection to a violated constraint: dθ/dy = H⁻¹Xᵀ(XH⁻¹Xᵀ)⁻¹.
    sens = np.linalg.norm((hinv[:, None] * X.T) @ np.linalg.inv((X * hinv) @ X.T), 2)
    solver_err = float(sens * np.linalg.norm(X @ proj - y) / np.abs(theta).max())
    errs = {"interpolation": float(np.abs(X @ theta - y).max() / max(1.0, np.abs(y).max())),
            "Delta_inf formula": float(np.abs(np.log(run.delta[i]) - np.log(d_inf)).max()),
            "optimality condition": float(np.abs(kkt).max()),
            "Bregman projection": float(np.abs(theta - proj).max() / np.abs(theta).max())}
    tols = {"interpolation": tol, "Delta_inf formula": tol, "optimality condition": tol,
            "Bregman projection": amp * tol + solver_err + 1e3 * EPS}
    row = {**run_row(inst, run, i), "theta_tilde_inf_norm": float(np.abs(t0).max()),
           "delta_inf_l2": float(np.linalg.norm(d_inf))}
    return errs, tols, row


def check_theorem2(inst: SMGDInstance, run: SMGDRun, *, rows: list[int] | None = None,
                   theta_tilde: Callable = G.theta_tilde_of, delta_inf: Callable = G.delta_inf_of) -> Result:
    """Theorem 2 on each converged run: θ interpolates; Δ_N = Δ₀ e^{−(S₊+S₋)} (``delta_inf``); and θ is the
    argmin over S of D_ψΔ∞(·, θ̃₀) with θ̃₀ = ``theta_tilde``(w₊,₀, w₋,₀, S₊, S₋), checked twice: by the
    optimality condition ∇ψ_Δ∞(θ) − ∇ψ_Δ∞(θ̃₀) ∈ span(x_i) (necessary and sufficient, D being strictly
    convex) and against the Bregman projection of numerics.hyperbolic_entropy (dual Newton)."""
    rows = list(range(run.gamma.size)) if rows is None else rows
    names = ("interpolation", "Delta_inf formula", "optimality condition", "Bregman projection")
    errs: dict[str, list[float]] = {k: [] for k in names}
    tols: dict[str, list[float]] = {k: [] for k in names}
    inst_rows, skipped = [], []
    for i in rows:
        why = assumptions_broken(run, i)
        if why:
            skipped.append({**run_row(inst, run, i), "reason": why})
            continue
        e, t, row = _theorem2_errors(inst, run, i, theta_tilde, delta_inf)
        for name in names:
            errs[name].append(e[name])
            tols[name].append(t[name])
        inst_rows.append(row)
    if not inst_rows:
        return inconclusive("Theorem 2: no run meets Assumptions 3-4", skipped=skipped)
    parts = {name: _worst_by_ratio(f"Theorem 2, {name}", errs[name], tols[name], inst_rows, raw_errors=errs[name],
                                   tolerances=tols[name]) for name in names}
    return combine("Theorem 2", parts).with_evidence(skipped_runs=skipped)


def check_theorem2_class(cls: HypothesisClass[SMGDDraw], ctx: Context, sampling: str = "full", *,
                         theta_tilde: Callable = G.theta_tilde_of, delta_inf: Callable = G.delta_inf_of) -> Result:
    """:func:`check_theorem2` on one SMGD run per instance drawn from ``cls`` (batches as ``sampling`` says);
    a draw breaking Assumption 3 or 4 is outside the statement."""
    steps = SMGD_DRAW_STEPS[ctx.tier]

    def one(dr: SMGDDraw) -> Result:
        inst, run = draw_run(dr, sampling, steps)
        why = assumptions_broken(run, 0)
        if why:
            return inapplicable(why)
        return check_theorem2(inst, run, theta_tilde=theta_tilde, delta_inf=delta_inf)

    return check_class(f"Theorem 2 ({sampling})", cls, one, ctx)


def theorem2_on_grid_and_class(ctx: Context, sampling: str) -> Result:
    """Theorem 2 on the checker's (γ, β) grid instance and on instances drawn from :data:`SMGD_CLASS`."""
    return combine("Theorem 2", {
        "(γ, β) grid on one data set": check_theorem2(*theorem2_runs(ctx.seed, SMGD_SIZES.of(ctx), sampling)),
        "drawn instances": check_theorem2_class(SMGD_CLASS, ctx, sampling)})


_T2_STATEMENT = ("Under Assumptions 3-4, θ^SMGD interpolates and equals argmin_{θ*∈S} D_ψΔ∞(θ*, θ̃₀) with "
                 "Δ∞ = Δ₀ e^{−(S₊+S₋)} and θ̃₀ = ¼(w₊,₀² e^{−2S₊} − w₋,₀² e^{−2S₋}); lim ∇L_{B_k}(θ_k) = 0 and the "
                 "limit satisfies the KKT condition ∇Φ∞(θ) ∈ span(x_i). Checked on runs over a (γ, β) grid ")
_T2_KEYS = (K + "theorem-2", K + "smgd-convergence-to-interpolator-and-kkt")
_T2_LATEX = (r"\theta^{SMGD} = \arg\min_{\theta^\star\in S} D_{\psi_{\Delta_\infty}}(\theta^\star,\tilde\theta_0),\ "
             r"\Delta_\infty = \Delta_0 e^{-(S_++S_-)}")


@claim("momentum_dln.theorem2", section="4.1 / App. D.1", equations=("Theorem 2", "9", "26"), keys=_T2_KEYS,
       statement=_T2_STATEMENT + "with full-batch MGD, and on instances drawn from its hypothesis class.",
       latex=_T2_LATEX, kind="implicit_bias", basis="printed", hypothesis_class=SMGD_CLASS)
def _t2_full(ctx: Context) -> Result:
    return theorem2_on_grid_and_class(ctx, "full")


@claim("momentum_dln.theorem2.smgd_with_replacement", section="4.1 / App. D.1", equations=("Theorem 2", "9"),
       keys=_T2_KEYS, statement=_T2_STATEMENT + "with batches drawn independently at every step (size n/2 on the "
       "grid, any B ∈ [n] on the drawn instances).", latex=_T2_LATEX, kind="implicit_bias", basis="printed",
       hypothesis_class=SMGD_CLASS)
def _t2_with(ctx: Context) -> Result:
    return theorem2_on_grid_and_class(ctx, "with_replacement")


@claim("momentum_dln.theorem2.smgd_without_replacement", section="4.1 / App. D.1", equations=("Theorem 2", "9"),
       keys=_T2_KEYS, statement=_T2_STATEMENT + "with batches from a fresh random permutation each epoch (size n/2 "
       "on the grid, any B ∈ [n] on the drawn instances).", latex=_T2_LATEX, kind="implicit_bias", basis="printed",
       hypothesis_class=SMGD_CLASS)
def _t2_without(ctx: Context) -> Result:
    return theorem2_on_grid_and_class(ctx, "without_replacement")


def check_generalises_even(inst: SMGDInstance, run: SMGDRun) -> Result:
    """β = 0 (Even et al. 2023): the symbolic reduction of App. D.1 and Theorem 2 on the runs with β = 0."""
    rows = [i for i in range(run.gamma.size) if run.beta[i] == 0]
    return combine("beta = 0 (Even et al. 2023)", {"symbolic reduction": check_beta0_reduction(),
                                                   "Theorem 2 on SGD runs": check_theorem2(inst, run, rows=rows)})


def check_generalises_even_class(cls: HypothesisClass[SMGDDraw], ctx: Context) -> Result:
    """:func:`check_generalises_even`'s Theorem 2 part on SGD instances drawn from ``cls`` (β = 0)."""
    return check_theorem2_class(cls, ctx, "full")


@claim("momentum_dln.theorem2.generalises_even", section="4.1 / App. D.1", equations=("Theorem 2",),
       keys=(K + "theorem-2-generalises-even-et-al-2023-thm-1",),
       statement="At β = 0 the residue is Q_k = q(δ_{k+1}), the recurrence is δ_{k+1} = ∓γ∇L(θ_k) − q(δ_{k+1}) and "
                 "S± = Σ_k r(w±,k+1/w±,k): the SGD analysis of Even et al. (2023); Theorem 2 holds for SGD (β = 0) "
                 "runs (the β = 0 rows of momentum_dln.theorem2).",
       latex=r"\beta=0:\ \delta_{k+1} = \mp\gamma\nabla L(\theta_k) - q(\delta_{k+1}),\ "
             r"S_\pm = \sum_k r(w_{\pm,k+1}/w_{\pm,k})",
       kind="other", basis="printed", hypothesis_class=SGD_CLASS)
def _even(ctx: Context) -> Result:
    return combine("β = 0 (Even et al. 2023)", {"symbolic reduction": check_beta0_reduction(),
                                                "Theorem 2 on drawn SGD instances": check_generalises_even_class(
                                                    SGD_CLASS, ctx)})


def check_lemma2(inst: SMGDInstance, run: SMGDRun, history: dict | None = None) -> Result:
    """Lemma 2: the partial sums S±,N converge. On each run, S± is recorded at doubling steps N_j; the
    change over the last window [N_{J−1}, N_J] bounds what is left to add once the terms decay (they do
    once the iterates converge); it must be within the rounding the float sums can explain. The
    geometric decay rate of the window increments is reported."""
    hist = run.history if history is None else history
    steps = hist["step"]
    if len(steps) < 4:
        return inconclusive("Lemma 2: fewer than 4 recorded partial sums", steps=steps)
    errs, tols, rows = [], [], []
    d = inst.data.X.shape[1]
    for i in range(run.gamma.size):
        S = np.array([np.concatenate([a[i], b[i]]) for a, b in zip(hist["S_plus"], hist["S_minus"])])
        inc = np.abs(np.diff(S, axis=0)).max(-1)
        pos = inc[inc > 0]
        rate = float(np.exp(np.polyfit(np.arange(pos.size), np.log(pos), 1)[0])) if pos.size >= 4 else float("nan")
        errs.append(float(inc[-1]))
        tols.append(run.roundoff(i))
        rows.append({**run_row(inst, run, i), "window_increments": inc.tolist(), "window_steps": list(steps),
                     "increment_ratio_per_window": rate, "S_plus_sum": float(S[-1, :d].sum()),
                     "S_minus_sum": float(S[-1, d:].sum())})
    return _worst_by_ratio("Lemma 2: change of S± over the last doubling window", errs, tols, rows)


def check_lemma2_class(cls: HypothesisClass[SMGDDraw], ctx: Context) -> Result:
    """:func:`check_lemma2` on the full-batch run of each instance drawn from ``cls`` (converged runs: Lemma 2
    is stated under Assumption 3)."""
    steps = SMGD_DRAW_STEPS[ctx.tier]

    def one(dr: SMGDDraw) -> Result:
        inst, run = draw_run(dr, "full", steps)
        why = assumptions_broken(run, 0)
        return inapplicable(why) if why else check_lemma2(inst, run)

    return check_class("Lemma 2", cls, one, ctx)


@claim("momentum_dln.lemma2", section="4 / App. D.1", equations=("Lemma 2",), keys=(K + "lemma-2",),
       statement="S± = (1/(1−β)) Σ_{k≥1} [r(w±,k+1/w±,k) + β r(w±,k/w±,k+1)] converge to finite vectors "
                 "(measured: partial sums at doubling steps on converged MGD runs over a (γ, β) grid).",
       latex=r"S_\pm = \tfrac{1}{1-\beta}\sum_{k\ge1}\big[r(\tfrac{w_{\pm,k+1}}{w_{\pm,k}}) + "
             r"\beta r(\tfrac{w_{\pm,k}}{w_{\pm,k+1}})\big] < \infty",
       kind="existence", basis="printed", hypothesis_class=SMGD_CLASS)
def _lemma2(ctx: Context) -> Result:
    return combine("Lemma 2", {"grid": check_lemma2(*theorem2_runs(ctx.seed, SMGD_SIZES.of(ctx), "full")),
                               "drawn instances": check_lemma2_class(SMGD_CLASS, ctx)})


def q_after_last_sign_change(trajs: list[Trajectory]) -> tuple[float, float]:
    """(largest negative part, largest imaginary part) of Q±,m after the last sign change of each coordinate,
    along the mpmath trajectories."""
    q_neg, q_imag = 0.0, 0.0
    for tr, T, _info in trajs:
        with mpmath.workdps(tr.dps):
            for tag, W in (("p", tr.wp), ("m", tr.wm)):
                for j in range(len(W[0])):
                    flips = [k for k in range(len(W) - 1) if W[k + 1][j] * W[k][j] < 0]
                    start = (flips[-1] + 2) if flips else 1
                    for m in range(start, len(W) - 1):
                        qv = T[f"Q_{tag}"][m][j]
                        q_imag = max(q_imag, float(abs(mpmath.im(qv))))
                        q_neg = max(q_neg, float(max(0, -mpmath.re(qv))))
    return q_neg, q_imag


def check_lemma7(inst: SMGDInstance, run: SMGDRun, trajs: list[Trajectory]) -> Result:
    """Lemma 7: α±,N (eq. (27)) converge to vectors with non-zero coordinates, α±,∞² = w±,0² e^{−2S±}; and
    Q±,m is real and ≥ 0 after the last sign change (exact, along the mpmath trajectories)."""
    hist = run.history
    errs_conv, errs_lim, tols, rows = [], [], [], []
    nonzero = True
    for i in range(run.gamma.size):
        if assumptions_broken(run, i):
            continue
        A = np.array([np.concatenate([a[i], b[i]]) for a, b in zip(hist["alpha_plus"], hist["alpha_minus"])])
        inc = np.abs(np.diff(np.log(np.abs(A)), axis=0)).max(-1)
        a_inf = np.concatenate([run.alpha_plus[i], run.alpha_minus[i]])
        pred = np.concatenate([run.wp0[i] ** 2 * np.exp(-2 * run.S_plus[i]),
                               run.wm0[i] ** 2 * np.exp(-2 * run.S_minus[i])])
        nonzero &= bool(np.all(np.abs(a_inf) > 0))
        errs_conv.append(float(inc[-1]))
        errs_lim.append(float(np.abs(np.log(a_inf ** 2) - np.log(pred)).max()))
        tols.append(run.roundoff(i))
        rows.append({**run_row(inst, run, i), "min_abs_alpha_inf": float(np.abs(a_inf).min()),
                     "log_alpha_window_increments": inc.tolist()})
    if not rows:
        return inconclusive("Lemma 7: no run meets Assumptions 3-4")
    w = int(np.argmax([e / t for e, t in zip(errs_conv, tols)]))
    res = combine("Lemma 7", {
        "alpha_N converges": from_errors("Lemma 7: change of ln|alpha_N| over the last doubling window", errs_conv,
                                         max(tols), instances=rows),
        "alpha_inf^2 = w_0^2 exp(-2 S)": from_errors("alpha_inf^2 vs w_0^2 e^{-2S}", errs_lim, max(tols),
                                                     instances=rows),
        "Q >= 0 and real after the last sign change": from_errors(
            "Q_m after the last sign change (negative part, imaginary part)", list(q_after_last_sign_change(trajs)),
            trajectories_roundoff(trajs)),
    })
    if not nonzero:
        return refuted("Lemma 7: a limit alpha_inf has a zero coordinate", counterexample=rows[w], **res.evidence)
    return res


def check_lemma7_class(cls: HypothesisClass[SMGDDraw], ctx: Context, steps: int) -> Result:
    """:func:`check_lemma7` per instance drawn from ``cls``: its full-batch float run and its mpmath trajectory of
    ``steps`` steps (draws shared with the App. D.1 identities)."""
    max_steps = SMGD_DRAW_STEPS[ctx.tier]

    def one(dr: SMGDDraw) -> Result:
        inst, run = draw_run(dr, "full", max_steps)
        why = assumptions_broken(run, 0)
        return inapplicable(why) if why else check_lemma7(inst, run, [draw_trajectory(dr, steps, ctx.dps)])

    return check_class("Lemma 7", cls, one, identity_family(ctx), examples=IDENTITY_EXAMPLES[ctx.tier],
                       shrink_calls=IDENTITY_SHRINK_CALLS)


@claim("momentum_dln.lemma7", section="App. E", equations=("27", "Lemma 7"), keys=(K + "lemma-7",),
       statement="α±,N+1 = w±,0 exp(−(1/(1−β)) Σ_{m≤N}(1 − β^{N+1−m}) Q±,m) converge as N → ∞ to vectors with "
                 "non-zero coordinates, with α±,∞² = w±,0² e^{−2S±}; Q±,m ≥ 0 (and real) after the last sign change.",
       latex=r"\alpha_{\pm,N}\to\alpha_{\pm,\infty},\ \alpha_{\pm,\infty}\ne0", kind="convergence",
       basis="printed", hypothesis_class=IDENTITY_CLASS)
def _lemma7(ctx: Context) -> Result:
    return check_lemma7_class(IDENTITY_CLASS, ctx, IDENTITY_DRAW_STEPS[ctx.tier])


def check_corollary3(inst: SMGDInstance, runs: list[SMGDRun], theta_tilde: Callable = G.theta_tilde_of,
                     delta_inf: Callable = G.delta_inf_of) -> Result:
    """Corollary 3 on every run with γ, β > 0 whose w± never changed sign: S± > 0, Δ∞ < Δ₀ and
    |θ̃₀| < max(w₊,₀², w₋,₀²)/4 ≤ α². Each violation amount is an error; the float rounding of S is the tolerance."""
    errs, tols, rows, excluded = [], [], [], 0
    min_margin = math.inf
    for run in runs:
        for i in range(run.gamma.size):
            if run.beta[i] <= 0 or assumptions_broken(run, i):
                continue
            if run.sign_changed[i]:
                excluded += 1
                continue
            S = np.concatenate([run.S_plus[i], run.S_minus[i]])
            d_inf = np.asarray(delta_inf(run.delta0[i], run.S_plus[i], run.S_minus[i]), dtype=float)
            t0 = np.asarray(theta_tilde(run.wp0[i], run.wm0[i], run.S_plus[i], run.S_minus[i]), dtype=float)
            bound = np.maximum(run.wp0[i] ** 2, run.wm0[i] ** 2) / 4
            viol = [max(0.0, -float(S.min())), max(0.0, float(((d_inf - run.delta0[i]) / run.delta0[i]).max())),
                    max(0.0, float(((np.abs(t0) - bound) / bound).max())),
                    max(0.0, float((bound.max() - inst.alpha ** 2) / inst.alpha ** 2))]
            min_margin = min(min_margin, float(S.min()))
            errs.append(max(viol))
            tols.append(run.roundoff(i))
            rows.append({**run_row(inst, run, i), "min_S": float(S.min()),
                         "max_Delta_inf_over_Delta_0": float((d_inf / run.delta0[i]).max()),
                         "max_theta_tilde_over_bound": float((np.abs(t0) / bound).max()),
                         "alpha_sq": inst.alpha ** 2})
    if not rows:
        return inconclusive("Corollary 3: every run with gamma, beta > 0 changed sign (hypothesis not met)",
                            excluded=excluded)
    res = from_errors("Corollary 3 (violation of S>0, Delta_inf<Delta_0, |theta~0|<alpha^2)", errs, max(tols),
                      instances=rows, runs_with_sign_change_excluded=excluded, smallest_S=min_margin)
    if res.verdict is Verdict.CONFIRMED and not min_margin > max(tols):
        return inconclusive("Corollary 3: the smallest S is within rounding of 0, strictness undecided",
                            **res.evidence)
    return res


def check_corollary3_class(cls: HypothesisClass[SMGDDraw], ctx: Context, *, theta_tilde: Callable = G.theta_tilde_of,
                           delta_inf: Callable = G.delta_inf_of) -> Result:
    """:func:`check_corollary3` on the runs of every sampling of each instance drawn from ``cls``; a draw whose
    runs all change sign (or break Assumptions 3-4) is outside the hypothesis."""
    steps = SMGD_DRAW_STEPS[ctx.tier]

    def one(dr: SMGDDraw) -> Result:
        pairs = [draw_run(dr, s, steps) for s in SAMPLINGS]
        usable = [r for _, r in pairs if not assumptions_broken(r, 0) and not r.sign_changed[0]]
        if dr.beta <= 0 or not usable:
            return inapplicable("β = 0, or every run changes sign or breaks Assumptions 3-4")
        return check_corollary3(pairs[0][0], usable, theta_tilde=theta_tilde, delta_inf=delta_inf)

    return check_class("Corollary 3", cls, one, ctx)


@claim("momentum_dln.cor3", section="4.1 / App. D.1", equations=("Corollary 3",), keys=(K + "corollary-3",),
       statement="For γ, β > 0, if w±,k = u_k ± v_k never change sign, then S± > 0, Δ∞ < Δ₀ and "
                 "|θ̃₀| < max(w₊,₀², w₋,₀²)/4 ≤ α² (runs that change sign are excluded, as the hypothesis requires).",
       latex=r"S_\pm>0,\ \Delta_\infty<\Delta_0,\ |\tilde\theta_0| < \max(w_{+,0}^2,w_{-,0}^2)/4 \le \alpha^2",
       kind="inequality", basis="printed", hypothesis_class=SMGD_MOMENTUM_CLASS)
def _cor3(ctx: Context) -> Result:
    sizes = SMGD_SIZES.of(ctx)
    return combine("Corollary 3", {
        "grid": check_corollary3(theorem2_runs(ctx.seed, sizes, "full")[0], runs_of_every_sampling(ctx.seed, sizes)),
        "drawn instances": check_corollary3_class(SMGD_MOMENTUM_CLASS, ctx)})


def check_zero_hitting(runs: list[SMGDRun] | None, steps: int = 4, init: dict | None = None) -> Result:
    """§4 remark: w±,k(γ, β) is a polynomial in (γ, β) equal to w±,0 at γ = 0 (so a non-zero polynomial
    whose zero set is Lebesgue-negligible when w±,0 ≠ 0), on a rational instance (``init``: wp0, wm0);
    and no float iterate of the runs is exactly 0 (an exact zero would only make this INCONCLUSIVE). With
    ``runs`` None, the symbolic part alone."""
    wp, wm = D.polynomial_iterates(steps, **(init or {}))
    wp0, wm0 = wp[0], wm[0]
    resid = {}
    for tag, seq, w0 in (("w+", wp, wp0), ("w-", wm, wm0)):
        for k, e in enumerate(seq):
            if not e.is_polynomial(D.gamma, D.beta):
                return refuted(f"{tag}_{k} is not a polynomial in (gamma, beta)",
                               counterexample={"iterate": sp.sstr(e)})
            resid[f"{tag}_{k} at gamma=0 minus {tag}_0"] = sp.expand(e.subs(D.gamma, 0) - w0)
    if wp0 == 0 or wm0 == 0:
        return refuted("w_0 has a zero coordinate: every iterate of it is the zero polynomial (Delta_0 = 0)",
                       counterexample={"w_plus_0": str(wp0), "w_minus_0": str(wm0)})
    sym = residuals_vanish("iterates are polynomials equal to w_0 at gamma = 0", resid,
                           degrees=[sp.Poly(e, D.gamma, D.beta).total_degree() for e in wp])
    if runs is None:
        return sym
    zeros = sum(r.exact_zeros for r in runs)
    total = sum(r.steps * r.gamma.size * 2 * r.wp.shape[1] for r in runs)
    num = (from_errors("exact zeros among float iterates", [float(zeros)], 0.5, iterates_checked=total) if total
           else inconclusive("no float iterates"))
    return combine("iterates never hit zero", {"symbolic": sym, "float runs": num})


def check_no_exact_zero_class(cls: HypothesisClass[SMGDDraw], ctx: Context) -> Result:
    """No float iterate exactly 0 on the runs of every sampling of each instance drawn from ``cls`` (the float
    side of :func:`check_zero_hitting`)."""
    steps = SMGD_DRAW_STEPS[ctx.tier]

    def one(dr: SMGDDraw) -> Result:
        runs = [draw_run(dr, s, steps)[1] for s in SAMPLINGS]
        total = sum(r.steps * 2 * r.wp.shape[1] for r in runs)
        return from_errors("exact zeros among float iterates", [float(sum(r.exact_zeros for r in runs))], 0.5,
                           iterates_checked=total)

    return check_class("no exact zero", cls, one, ctx)


@claim("momentum_dln.sec4.zero_hitting", section="4", equations=("26",),
       keys=(K + "negligible-zero-hitting-set-discrete",),
       statement="Since ∇L is linear, each w±,k(γ, β) is a polynomial in (γ, β); it equals w±,0 ≠ 0 at γ = 0, so "
                 "the set of (γ, β) where some iterate is exactly 0 is Lebesgue-negligible: iterates jump over 0.",
       latex=r"w_{\pm,k}\in\mathbb{R}[\gamma,\beta],\ \lambda^2(\{(\gamma,\beta): \exists k,\ w_{\pm,k}=0\}) = 0",
       kind="other", basis="printed", hypothesis_class=SMGD_CLASS)
def _zero(ctx: Context) -> Result:
    return combine("zero hitting", {"symbolic": check_zero_hitting(None),
                                    "float runs of drawn instances": check_no_exact_zero_class(SMGD_CLASS, ctx)})


def check_poster_smgd(inst: SMGDInstance, runs: list[SMGDRun]) -> Result:
    """The poster's SMGD panel: Theorem 2 on the full-batch run and the run with replacement (``runs[0]``,
    ``runs[1]``), and Corollary 3 on every run."""
    return combine("poster SMGD", {
        "implicit bias (full batch)": check_theorem2(inst, runs[0]),
        "implicit bias (mini-batch, with replacement)": check_theorem2(inst, runs[1]),
        "no sign change => S>0, Delta_inf<Delta_0, |theta~0|<alpha^2": check_corollary3(inst, runs)})


@claim("momentum_dln.poster6.smgd", section="poster: 6", equations=("Theorem 2", "Corollary 3"),
       keys=(K + "poster-smgd-assumptions-and-conclusion",), source="poster",
       statement="Poster version of Theorem 2 / Corollary 3: under bounded trajectories and Δ∞ > 0, θ^SMGD = "
                 "argmin_S D_ψΔ∞(θ*, θ̃₀); if w±,k do not change sign then S± > 0, Δ∞ < Δ₀ and Δ∞, θ̃₀ = O(α²) "
                 "(checked: the implicit bias on full and mini-batch runs; Δ∞/α² and |θ̃₀|/α² bounded for "
                 "non-crossing runs).",
       latex=r"\Delta_\infty,\ \tilde\theta_0 = O(\alpha^2)", kind="implicit_bias", basis="printed",
       hypothesis_class=SMGD_CLASS)
def _poster(ctx: Context) -> Result:
    sizes = SMGD_SIZES.of(ctx)
    return combine("poster SMGD", {
        "grid": check_poster_smgd(theorem2_runs(ctx.seed, sizes, "full")[0], runs_of_every_sampling(ctx.seed, sizes)),
        "drawn instances (mini-batch)": check_theorem2_class(SMGD_CLASS, ctx, "with_replacement"),
        "drawn instances (Corollary 3)": check_corollary3_class(SMGD_MOMENTUM_CLASS, ctx)})
