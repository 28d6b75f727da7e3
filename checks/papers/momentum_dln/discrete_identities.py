"""App. D.1 and Lemma 2's r: the symbolic statements of the discrete-time analysis, and its exact finite-N identities
(eqs. (27)–(29), the residue sums) along SMGD iterates computed in mpmath (instances.identity_trajectories)."""
from __future__ import annotations

from typing import Callable

import mpmath
import sympy as sp

from checks.context import Context
from checks.papers.momentum_dln.hypotheses_discrete import (
    IDENTITY_CLASS,
    IDENTITY_DRAW_STEPS,
    IDENTITY_EXAMPLES,
    IDENTITY_SHRINK_CALLS,
    SMGDDraw,
    draw_trajectory,
    identity_family,
)
from checks.papers.momentum_dln.instances import Trajectory
from checks.registry import claim
from checks.sampling import HypothesisClass, check_class
from checks.symbolic import residuals_vanish
from checks.verdict import Result, Verdict, combine, from_errors, inconclusive, proved
from derivations import momentum_discrete as D
from numerics.generated import momentum_discrete as G
from numerics.momentum_discrete import mp_roundoff

GROUP = "discrete"
K = "momentum_dln:"


# --- symbolic statements ------------------------------------------------------------------------------
def check_r_nonnegative(r_fn: Callable[[sp.Expr], sp.Expr] = D.r) -> Result:
    """r(z) ≥ 0 on z > 0, zero only at z = 1: r(1) = 0, r'(1) = 0, r'' > 0 on z > 0 (so z = 1 is the
    unique minimiser of a strictly convex function) and min_{z>0} r = 0."""
    z = D.p
    rz = r_fn(z)
    second = sp.simplify(sp.diff(rz, z, 2))
    parts = {"r(1)": sp.simplify(rz.subs(z, 1)), "r'(1)": sp.simplify(sp.diff(rz, z).subs(z, 1)),
             "min over z>0": sp.minimum(rz, z, sp.Interval.open(0, sp.oo))}
    res = residuals_vanish("r(z) >= 0 on z > 0", parts)
    if res.verdict is Verdict.PROVED and second.is_positive:
        return proved("r(z) = (z−1) − ln|z|: r(1) = r'(1) = 0 and r''(z) = " + sp.sstr(second)
                      + " > 0 on z > 0, so r > 0 except r(1) = 0",
                      zero="; ".join(f"{k}: {v}" for k, v in parts.items()), second_derivative=sp.sstr(second))
    if res.verdict is Verdict.PROVED:
        return inconclusive(f"r'' = {second} could not be shown positive", second_derivative=sp.sstr(second))
    return res


@claim("momentum_dln.lemma2.r_nonnegative", section="4 / App. D.1", equations=("Lemma 2",),
       keys=(K + "r-z-nonnegative-for-z-0",),
       statement="r(z) = (z − 1) − ln|z| is ≥ 0 for z > 0 with equality only at z = 1 (the main text's "
                 "'positive' holds in this non-strict sense; r(1) = 0).",
       latex=r"r(z) = (z-1) - \ln|z| \ge 0\ (z>0),\quad r(z)=0 \iff z=1", kind="inequality", basis="printed")
def _r_nonneg(ctx: Context) -> Result:
    return check_r_nonnegative()


def check_log_recurrence(q_fn: Callable[[sp.Expr], sp.Expr] = D.q,
                         coef: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr] | None = None) -> Result:
    """App. D.1: the exponential and the linear (residue) forms of the recurrence are one equation, q ≥ 0
    on ℝ, and swapping the double sum gives the weights (1 − β^{N+1−m})/(1 − β)."""
    parts = {"recurrence w+": D.recurrence_residual(1, q_fn), "recurrence w-": D.recurrence_residual(-1, q_fn),
             "min of q over R": sp.minimum(q_fn(D.x), D.x, sp.S.Reals),
             "swap coefficient (symbolic N, m)": D.swap_coefficient_residual(coef)}
    parts.update({f"swap N={i + 1}": r for i, r in enumerate(D.swap_finite_residuals(5, coef))})
    parts.update({f"(u,v) -> w form, {k}": v for k, v in D.w_form_residuals().items()})
    return residuals_vanish("App. D.1 log-recurrence and unrolled form", parts)


@claim("momentum_dln.appD-1.log_recurrence", section="App. D.1", equations=("26", "27"),
       keys=(K + "discrete-log-recurrence-and-unrolled-form",),
       statement="With δ_k = g_k − g_{k−1} and q(z) = eᶻ − (1+z) ≥ 0 on ℝ: e^{δ_{k+1}} = 1 ∓ γ∇L(θ_k) + "
                 "β(1 − e^{−δ_k}) iff δ_{k+1} = βδ_k ∓ γ∇L(θ_k) − Q_k with Q_k = q(δ_{k+1}) + βq(−δ_k); "
                 "unrolling from δ₁ = 0 and swapping sums gives Σ_m Σ_{k≤m} β^{m−k} a_k = "
                 "(1/(1−β)) Σ_m (1 − β^{N+1−m}) a_m. Also (9) in (u, v) is (26) in w± = u ± v.",
       latex=r"\delta_{k+1} = \beta\delta_k \mp \gamma\nabla L(\theta_k) - Q_k,\ "
             r"\sum_{m\le N}\sum_{k\le m}\beta^{m-k}a_k = \tfrac{1}{1-\beta}\sum_{m\le N}(1-\beta^{N+1-m})a_m",
       kind="identity", basis="printed")
def _log_recurrence(ctx: Context) -> Result:
    return check_log_recurrence()


def check_beta0_reduction() -> Result:
    """β = 0: Q_k = q(δ_{k+1}), the recurrence is δ_{k+1} = ∓γ∇L − q(δ_{k+1}) and S± = Σ r(w_{k+1}/w_k):
    the (SGD) analysis of Even et al. (2023)."""
    qn = D.q(D.d_next) + D.beta * D.q(-D.d_prev)
    zk = sp.Symbol("z_k", positive=True)
    s_term = (D.r(zk) + D.beta * D.r(1 / zk)) / (1 - D.beta)
    parts = {"Q at beta=0 minus q(delta')": qn.subs(D.beta, 0) - D.q(D.d_next),
             "S term at beta=0 minus r(z)": s_term.subs(D.beta, 0) - D.r(zk),
             "recurrence w+ at beta=0": D.recurrence_residual(1).subs(D.beta, 0),
             "recurrence w- at beta=0": D.recurrence_residual(-1).subs(D.beta, 0)}
    return residuals_vanish("beta = 0 reduction", parts)


# --- exact finite-N identities along iterates (mpmath) ------------------------------------------------------
def trajectories_roundoff(trajs: list[Trajectory]) -> float:
    """What the mpmath trajectories' arithmetic can explain (:func:`numerics.momentum_discrete.mp_roundoff` at their
    precision and longest run)."""
    return mp_roundoff(trajs[0][0].dps, max(i["steps"] for _, _, i in trajs))


def check_eq27(trajs: list[Trajectory], sign_in_alpha: Callable[[int], int] = lambda s: -1,
               weighted: bool = True, refuted_note: str = "") -> Result:
    """Eq. (27): w±,N+1 = α±,N+1 exp(∓γ ΣΣβ^{m−k}∇L(θ_k)) along the iterates, α by the weighted form
    (``weighted``) or as exp(sign·ΣΣβ^{m−k}Q_k) with sign = ``sign_in_alpha(s)`` (the paper's first form has ±).
    A refutation's summary ends with ``refuted_note`` (in brackets) when one is given."""
    errs, inst = [], []
    for tr, T, info in trajs:
        with mpmath.workdps(tr.dps):
            b = tr.beta
            worst, worst_imag = mpmath.mpf(0), mpmath.mpf(0)
            for s, tag, W in ((1, "p", tr.wp), (-1, "m", tr.wm)):
                Q = T[f"Q_{tag}"]
                d = len(W[0])
                e, acc, dqs = [mpmath.mpf(0)] * d, [mpmath.mpf(0)] * d, [None]
                for N in range(1, len(tr.wp) - 1):  # ΣΣ_{m≤N, k≤m} β^{m−k} Q_k by e_m = βe_{m−1} + Q_m
                    e = [b * e[j] + Q[N][j] for j in range(d)]
                    acc = [acc[j] + e[j] for j in range(d)]
                    dqs.append(list(acc))
                for N in range(1, len(tr.wp) - 1):
                    for j in range(d):
                        if weighted:
                            alpha = T[f"alpha_{tag}"][N][j]
                        else:
                            alpha = W[0][j] * mpmath.exp(sign_in_alpha(s) * dqs[N][j])
                        pred = alpha * mpmath.exp(-s * tr.gamma * T["dsum"][N][j])
                        worst = max(worst, abs(W[N + 1][j] - pred) / abs(W[N + 1][j]))
                        worst_imag = max(worst_imag, abs(mpmath.im(alpha)) / abs(alpha))
        errs.append(float(max(worst, worst_imag)))
        inst.append({**info, "relative_residual": float(worst), "imag_part_of_alpha": float(worst_imag)})
    res = from_errors("eq. (27) along iterates", errs, trajectories_roundoff(trajs), instances=inst)
    if refuted_note and res.verdict is Verdict.REFUTED:
        return Result(res.verdict, f"{res.summary} ({refuted_note})", res.evidence, res.counterexample)
    return res


def check_eq28(trajs: list[Trajectory], grad_potential: Callable = G.grad_potential_corrected_mp) -> Result:
    """Eq. (28): θ_{N+1} = ½Δ_{N+1} sinh(−2γΣΣ + arcsinh((α₊² − α₋²)/(2Δ_{N+1}))) and
    ∇Φ_{N+1}(θ_{N+1}) = −γ ΣΣ_{m≤N,k≤m} β^{m−k}∇L(θ_k), with ∇Φ from ``grad_potential(θ, Δ, ϕ)``."""
    errs_sinh, errs_grad, inst = [], [], []
    for tr, T, info in trajs:
        with mpmath.workdps(tr.dps):
            ws, wg = mpmath.mpf(0), mpmath.mpf(0)
            for N in range(1, len(tr.wp) - 1):
                for j in range(len(tr.wp[0])):
                    ap, am = mpmath.re(T["alpha_p"][N][j]), mpmath.re(T["alpha_m"][N][j])
                    wp, wm = tr.wp[N + 1][j], tr.wm[N + 1][j]
                    theta, delta = (wp ** 2 - wm ** 2) / 4, abs(wp * wm)
                    x = tr.gamma * T["dsum"][N][j]
                    sinh_form = delta / 2 * mpmath.sinh(-2 * x + mpmath.asinh((ap ** 2 - am ** 2) / (2 * delta)))
                    ws = max(ws, abs(theta - sinh_form) / max(abs(theta), delta))
                    phi = G.phi_of_mp(ap, am, delta)
                    wg = max(wg, abs(grad_potential(theta, delta, phi) + x) / (1 + abs(x)))
        errs_sinh.append(float(ws))
        errs_grad.append(float(wg))
        inst.append({**info, "sinh_form_error": float(ws), "gradient_identity_error": float(wg)})
    tol = trajectories_roundoff(trajs)
    return combine("eq. (28)", {
        "sinh form of theta_{N+1} (symbolic)": residuals_vanish("sinh form", {"theta": D.theta_sinh_residual()}),
        "sinh form along iterates": from_errors("sinh form of theta_{N+1}", errs_sinh, tol, instances=inst),
        "grad Phi_{N+1}(theta_{N+1}) = -gamma sum sum": from_errors(
            "grad Phi_{N+1}(theta_{N+1}) + gamma sum sum beta^{m-k} grad L", errs_grad, tol, instances=inst)})


def check_eq29(trajs: list[Trajectory], grad_potential: Callable = G.grad_potential_corrected_mp) -> Result:
    """Eq. (29): ∇Φ_{N+1}(θ_{N+1}) = ∇Φ_N(θ_N) − γ∇L(θ_N) + β(∇Φ_N(θ_N) − ∇Φ_{N−1}(θ_{N−1})), N ≥ 1,
    with α±,0 = α±,1 = w±,0 and ∇Φ from ``grad_potential(θ, Δ, ϕ)``."""
    errs, inst = [], []
    for tr, T, info in trajs:
        with mpmath.workdps(tr.dps):
            d = len(tr.wp[0])

            def grad_phi(N: int, j: int) -> mpmath.mpf:
                ap = tr.wp[0][j] if N == 0 else mpmath.re(T["alpha_p"][N - 1][j])
                am = tr.wm[0][j] if N == 0 else mpmath.re(T["alpha_m"][N - 1][j])
                wp, wm = tr.wp[N][j], tr.wm[N][j]
                theta, delta = (wp ** 2 - wm ** 2) / 4, abs(wp * wm)
                return grad_potential(theta, delta, G.phi_of_mp(ap, am, delta))

            worst = mpmath.mpf(0)
            for N in range(1, len(tr.wp) - 1):
                for j in range(d):
                    lhs = grad_phi(N + 1, j)
                    rhs = (grad_phi(N, j) - tr.gamma * tr.grads[N - 1][j]
                           + tr.beta * (grad_phi(N, j) - grad_phi(N - 1, j)))
                    worst = max(worst, abs(lhs - rhs) / (1 + abs(lhs)))
        errs.append(float(worst))
        inst.append({**info, "residual": float(worst)})
    return from_errors("eq. (29) momentum mirror descent along iterates", errs, trajectories_roundoff(trajs),
                       instances=inst)


def check_residue_sums(trajs: list[Trajectory], q_fn: Callable[[sp.Expr], sp.Expr] = D.q) -> Result:
    """App. D.1: q(ln z) = (z−1) − ln z (z > 0), q(ln|z| ± iπ) = (z−1) − (ln|z| ± iπ) (z < 0) symbolically;
    along iterates (50 digits), (1/(1−β))Σ_{m≤N}Q_m = S_N − iπΣ_{m≤N}ξ_m sgn(w_m) − βq(−δ_{N+1})/(1−β),
    the finite-N form whose last term vanishes as N → ∞ (the paper's statement is the limit)."""
    sym = {"q(ln z), z>0": sp.simplify(q_fn(sp.log(D.p)) - ((D.p - 1) - sp.log(D.p)))}
    for name, s in (("q(ln|z| + i pi), z<0", 1), ("q(ln|z| - i pi), z<0", -1)):
        arg = sp.log(D.p) + s * sp.I * sp.pi
        sym[name] = sp.simplify(q_fn(arg) - ((-D.p - 1) - arg))
    errs, inst = [], []
    for tr, T, info in trajs:
        with mpmath.workdps(tr.dps):
            b, worst = tr.beta, mpmath.mpf(0)
            for tag in ("p", "m"):
                Q, dl, S, xi = T[f"Q_{tag}"], T[f"delta_{tag}"], T[f"S_{tag}"], T[f"xi_{tag}"]
                for N in range(1, len(tr.wp) - 1):
                    for j in range(len(tr.wp[0])):
                        lhs = mpmath.fsum(Q[m][j] for m in range(1, N + 1)) / (1 - b)
                        qm = mpmath.exp(-dl[N + 1][j]) - 1 + dl[N + 1][j]
                        rhs = S[N][j] - mpmath.mpc(0, mpmath.pi) * xi[N][j] - b * qm / (1 - b)
                        worst = max(worst, abs(lhs - rhs) / (1 + abs(lhs)))
        errs.append(float(worst))
        inst.append({**info, "residual": float(worst)})
    return combine("residue sums", {
        "q at logarithms (symbolic)": residuals_vanish("q(ln z), q(ln|z| ± i pi)", sym),
        "residue sums along iterates": from_errors("(1/(1-beta)) sum Q = S - i pi sum xi sgn (finite N)", errs,
                                                   trajectories_roundoff(trajs), instances=inst)})


def check_identity_class(what: str, check: Callable[[list[Trajectory]], Result], cls: HypothesisClass[SMGDDraw],
                         ctx: Context) -> Result:
    """``check`` on the mpmath trajectory (IDENTITY_DRAW_STEPS steps at ctx.dps digits) of each instance drawn from
    ``cls``, IDENTITY_EXAMPLES of them (the identity claims share their draws, :func:`identity_family`)."""
    steps = IDENTITY_DRAW_STEPS[ctx.tier]
    return check_class(what, cls, lambda dr: check([draw_trajectory(dr, steps, ctx.dps)]), identity_family(ctx),
                       examples=IDENTITY_EXAMPLES[ctx.tier], shrink_calls=IDENTITY_SHRINK_CALLS)


@claim("momentum_dln.eq27", section="App. D.1", equations=("27",),
       keys=(K + "discrete-log-recurrence-and-unrolled-form",),
       statement="Along the iterates, w±,N+1 = α±,N+1 exp(∓γ Σ_{m≤N} Σ_{k≤m} β^{m−k}∇L(θ_k)) with "
                 "α±,N+1 = w±,0 exp(−(1/(1−β)) Σ_{m≤N}(1 − β^{N+1−m}) Q±,m) (complex logarithms when w changes "
                 "sign; α is then real). Checked at ctx.dps digits on an instance with and one without sign changes.",
       latex=r"w_{\pm,N+1} = \alpha_{\pm,N+1}\exp\big(\mp\gamma\sum_{m\le N}\sum_{k\le m}\beta^{m-k}"
             r"\nabla L(\theta_k)\big)",
       corrects="momentum_dln.eq27.first_form", kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq27(ctx: Context) -> Result:
    return check_identity_class("eq. (27)", check_eq27, IDENTITY_CLASS, ctx)


#: what a refutation of eq. (27)'s first form shows
EQ27_FIRST_FORM_NOTE = "for w₊ the sign must be −, as in eq. (27)'s second, weighted form"


@claim("momentum_dln.eq27.first_form", section="App. D.1", equations=("27",),
       keys=(K + "discrete-log-recurrence-and-unrolled-form",),
       statement="Eq. (27)'s first expression α±,N+1 = w±,0 exp(± Σ_{m≤N} Σ_{k≤m} β^{m−k} Q±,k) (the same ± as "
                 "in w±) gives w±,N+1 = α±,N+1 exp(∓γ ΣΣ β^{m−k}∇L(θ_k)).",
       latex=r"\alpha_{\pm,N+1} = w_{\pm,0}\exp\big(\pm\sum_{m\le N}\sum_{k\le m}\beta^{m-k}Q_{\pm,k}\big)",
       kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq27_first(ctx: Context) -> Result:
    return check_identity_class("eq. (27), first form", lambda t: check_eq27(
        t, sign_in_alpha=lambda s: s, weighted=False, refuted_note=EQ27_FIRST_FORM_NOTE), IDENTITY_CLASS, ctx)


@claim("momentum_dln.eq28", section="App. D.1", equations=("28",), keys=(K + "eq-28",),
       statement="θ_{N+1} = ½Δ_{N+1} sinh(−2γΣΣβ^{m−k}∇L(θ_k) + arcsinh((α₊² − α₋²)/(2Δ_{N+1}))), i.e. "
                 "∇Φ_{N+1}(θ_{N+1}) = −γ Σ_{m≤N}Σ_{k≤m} β^{m−k}∇L(θ_k), with the potential exactly as App. D "
                 "defines it: Φ_N = ψ_{Δ_N} + ⟨ϕ_N, ·⟩, ϕ_N = ½ arcsinh((α₊,N² − α₋,N²)/(2Δ_N)).",
       latex=r"\nabla\Phi_{N+1}(\theta_{N+1}) = -\gamma\sum_{m=1}^N\sum_{k=1}^m\beta^{m-k}\nabla L(\theta_k),\ "
             r"\Phi_N = \psi_{\Delta_N} + \langle\phi_N,\cdot\rangle", kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq28(ctx: Context) -> Result:
    return check_identity_class("eq. (28)", lambda t: check_eq28(t, G.grad_potential_stated_mp), IDENTITY_CLASS, ctx)


@claim("momentum_dln.eq28.corrected", section="App. D.1", equations=("28",), keys=(K + "eq-28",),
       corrects="momentum_dln.eq28",
       statement="Eq. (28) with the potential Φ_N = ψ_{Δ_N} − ⟨ϕ_N, ·⟩ (so ∇Φ_N(θ) = ½arcsinh(2θ/Δ_N) − ϕ_N, the "
                 "left-hand side the derivation actually arrives at).",
       latex=r"\Phi_N = \psi_{\Delta_N} - \langle\phi_N,\cdot\rangle", kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq28c(ctx: Context) -> Result:
    return check_identity_class("eq. (28), corrected", lambda t: check_eq28(t, G.grad_potential_corrected_mp),
                                IDENTITY_CLASS, ctx)


@claim("momentum_dln.eq29", section="App. D.1", equations=("29",),
       keys=(K + "eq-29-time-varying-momentum-mirror-descent",),
       statement="For N ≥ 1, ∇Φ_{N+1}(θ_{N+1}) = ∇Φ_N(θ_N) − γ∇L(θ_N) + β(∇Φ_N(θ_N) − ∇Φ_{N−1}(θ_{N−1})), with "
                 "Φ_N = ψ_{Δ_N} + ⟨ϕ_N, ·⟩ as App. D defines it.",
       latex=r"\nabla\Phi_{N+1}(\theta_{N+1}) = \nabla\Phi_N(\theta_N) - \gamma\nabla L(\theta_N) + "
             r"\beta(\nabla\Phi_N(\theta_N) - \nabla\Phi_{N-1}(\theta_{N-1}))", kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq29(ctx: Context) -> Result:
    return check_identity_class("eq. (29)", lambda t: check_eq29(t, G.grad_potential_stated_mp), IDENTITY_CLASS, ctx)


@claim("momentum_dln.eq29.corrected", section="App. D.1", equations=("29",),
       keys=(K + "eq-29-time-varying-momentum-mirror-descent",), corrects="momentum_dln.eq29",
       statement="Eq. (29) with Φ_N = ψ_{Δ_N} − ⟨ϕ_N, ·⟩ (α±,0 = α±,1 = w±,0).",
       latex=r"\Phi_N = \psi_{\Delta_N} - \langle\phi_N,\cdot\rangle", kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _eq29c(ctx: Context) -> Result:
    return check_identity_class("eq. (29), corrected", lambda t: check_eq29(t, G.grad_potential_corrected_mp),
                                IDENTITY_CLASS, ctx)


@claim("momentum_dln.appD-1.residue_sums", section="App. D.1", equations=("Lemma 2",),
       keys=(K + "residue-sums-equal-s-complex-log",),
       statement="q(ln z) = (z−1) − ln z for z > 0 and q(ln|z| ± iπ) = (z−1) − (ln|z| ± iπ) for z < 0; hence "
                 "(1/(1−β)) Σ_m Q±,m = S± − Σ_m ξ_m sgn(w_m) iπ (checked in its exact finite-N form along "
                 "iterates with sign changes); α±,∞² = w±,0² e^{−2S±} and Δ∞ = Δ₀ e^{−(S₊+S₋)} are checked "
                 "in momentum_dln.theorem2.",
       latex=r"\tfrac{1}{1-\beta}\sum_m Q_{\pm,m} = S_\pm - i\pi\sum_m \xi_{\pm,m}\,\mathrm{sgn}(w_{\pm,m})",
       kind="identity", basis="printed",
       hypothesis_class=IDENTITY_CLASS)
def _residues(ctx: Context) -> Result:
    return check_identity_class("residue sums", check_residue_sums, IDENTITY_CLASS, ctx)
