"""§3.3.1 and App. A: the smoothed sign flow (12)-(13) in its three stages. The weights keep their signs and
split into a growing (dominating) and a shrinking one (Prop. 3.4), their product falls below α², the block
residuals shrink (Lemma A.1), a warm-up ends by 2α (Prop. 3.5), then a sign-descent stage and a convergence stage
(Lemma A.2, Prop. 3.7) lead to an interpolating limit (Lemma A.3), with late-time dynamics along the gradient."""
from __future__ import annotations

from typing import Callable

import numpy as np

from checks.context import Context
from checks.papers.sign_descent import hypotheses as H
from checks.papers.sign_descent.criteria import assumption_33_or_none, criterion, solve_failed
from checks.papers.sign_descent.instances import SIZES, Instance, trajectory
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors, from_order_fit
from derivations import sign_descent as S
from numerics import sign_descent as N
from numerics.generated.sign_descent import ssd_dual_rate, ssd_weight_rates

SETTING = ("Setting rebuilt from §3.2: 'β = w₊⊙w₊ − w₋⊙w₋' is implied by 'this parameterization ... can also be viewed "
           "as a 2-layer diagonal linear neural network' (Woodworth et al. §4) and by Prop. 3.4 (both weights "
           "non-negative, one grows, one shrinks); loss (1/2n)‖Xβ − y‖² ('standard quadratic loss'; the factor 1/n "
           "is a guess and only rescales ε); update −∇_w L/(|∇_w L| + ε) 'element-wise' with 'coordinate-wise adaptive "
           "learning rate' 1/(|∇_w L| + ε). Sure of the structure, unsure of constant factors.")


def check_eq12_13(stated: S.RateFormula = S.paper_eq13) -> Result:
    return residuals_vanish("(12) ⇒ (13); w = 0 stationary", {
        "(13) by the chain rule": S.eq13_residual(stated), "w = 0 is stationary": S.stationary_at_zero()})


@claim("sign_descent.eq12to13", section="3.2 / 3.3", equations=("12", "13"),
       keys=("sign_descent:eqs-12-13-smoothed-sign-descent-dynamics",),
       statement="Smoothed sign descent ẇ± = −∇_{w±}L/(|∇_{w±}L| + ε) induces β̇ = −4g⊙[w₊²/(2w₊|g| + ε) + "
                 "w₋²/(2w₋|g| + ε)] (13), and w = 0 is a stationary point of (12).",
       latex=r"\dot\beta=-4g\odot\Big[\frac{w_+^2}{2w_+|g|+\varepsilon}+\frac{w_-^2}{2w_-|g|+\varepsilon}\Big]",
       kind="identity", reconstruction=SETTING + " (13) is our chain-rule result; the prose says only 'This yields the "
                                                 "dynamics of the regression parameter as follows'.",
       basis="reconstructed")
def _eq12_13(ctx: Context) -> Result:
    return check_eq12_13()


def dominating_by_paper(traj: N.WeightPath) -> np.ndarray:
    """Prop. 3.4's rule: w₊ dominates where g_i(0) < 0, w₋ where g_i(0) > 0 (returns +1 / −1)."""
    return -np.sign(traj.data.grad_beta(np.zeros(traj.data.d)))


def check_prop3_4(inst: Instance, rule: Callable[[N.WeightPath], np.ndarray] = dominating_by_paper) -> Result:
    """w± ≥ 0 always; the weight ``rule`` calls dominating is non-decreasing and the other non-increasing."""
    traj = trajectory(inst)
    if (bad := solve_failed(traj)) is not None:
        return bad
    s = rule(traj)
    wd = np.where(s > 0, traj.wp, traj.wm)
    wn = np.where(s > 0, traj.wm, traj.wp)
    errs = [max(0.0, -float(np.min(traj.wp))), max(0.0, -float(np.min(traj.wm))),
            max(0.0, -float(np.min(np.diff(wd, axis=0)))), max(0.0, float(np.max(np.diff(wn, axis=0))))]
    tol = 2 * traj.error_of(lambda tr: np.concatenate([tr.wp, tr.wm]))
    return from_errors("Prop. 3.4 (w± ≥ 0; w_d ↑, w_n ↓)", [max(errs)], tol,
                       instances=[{**inst.describe(), "violations": errs}])


@claim("sign_descent.prop3-4", section="3.3.1 / App. A.1", equations=("12", "17"),
       keys=("sign_descent:proposition-3-4",),
       statement="For every coordinate, w₊_i(t), w₋_i(t) ≥ 0; if g_i(0) < 0 then w₊_i is non-decreasing and w₋_i "
                 "non-increasing for all t, and if g_i(0) > 0 the reverse.",
       latex=r"g_i(0)<0\Rightarrow \dot w_{+,i}\ge0\ge\dot w_{-,i};\quad g_i(0)>0\Rightarrow \dot w_{-,i}\ge0\ge\dot "
             r"w_{+,i}",
       kind="inequality", reconstruction="The three bullets lost their formulas; the proof keeps 'never changes sign "
                                         "and is always non-negative' and 'if [g_i(0) < 0] then ...'. The sign "
                                         "convention (g(0) < 0 ⇒ w₊ grows) is forced by ẇ₊ = −2w₊g/(...). Sure.",
       basis="reconstructed", hypothesis_class=H.data(2, 6))
def _prop3_4(ctx: Context) -> Result:
    return H.draw("prop3_4", H.data(*SIZES.of(ctx).sign_flow), lambda d: check_prop3_4(d.instance()), ctx)


def check_product(inst: Instance, rates: N.WeightRates = ssd_weight_rates) -> Result:
    """§3.3.1: w₊w₋ < α² for t > 0 (not conserved): symbolic rate, and along a solve with the given ``rates``."""
    closed = residuals_vanish("d(w₊w₋)/dt closed form", {
        "rate": S.product_rate(S.ssd_weight_rates()) - S.ssd_product_rate_closed_form()})
    traj = trajectory(inst, rates=rates)
    if (bad := solve_failed(traj)) is not None:
        return bad
    prod = traj.wp * traj.wm
    tol = traj.error_of(lambda tr: tr.wp * tr.wm)
    excess = max(0.0, float(np.max(prod[1:] - inst.alpha ** 2)))
    gap = float(np.min(inst.alpha ** 2 - prod[-1]))  # how far below α² the product ends (must be clearly > 0)
    below = from_errors("w₊w₋ ≤ α² along the trajectory", [excess], tol, instances=[inst.describe()])
    not_conserved = criterion("not conserved: min_i (α² − w₊w₋)(T)", gap, 0.0, tol, below=False,
                              alpha_squared=inst.alpha ** 2)
    return combine("§3.3.1 product w₊w₋ < α²", {"closed-form rate": closed, "bounded by α²": below,
                                                 "strictly below at the end": not_conserved})


@claim("sign_descent.sec3-3-1.product", section="3.3.1", equations=("12",),
       keys=("sign_descent:sec-3-3-1-claim-product-not-conserved",),
       statement="Unlike GD (w₊w₋ = α²), under smoothed sign descent d(w₊w₋)/dt = 4w₊w₋g|g|(w₊ − "
                 "w₋)/((2w₊|g|+ε)(2w₋|g|+ε)) ≤ 0, so w₊⊙w₋ < α² for t > 0: the product is not conserved.",
       latex=r"w_{+,i}(t)\,w_{-,i}(t)<\alpha^2\ (t>0)", kind="inequality",
       reconstruction="'this quantity is not conserved ... In fact, we can show that [w₊w₋ < α²] for [t > 0]'. The "
                      "inequality direction is our reading (the rate formula is our derivation). Fairly sure.",
       basis="reconstructed", hypothesis_class=H.data(2, 6))
def _product(ctx: Context) -> Result:
    return H.draw("product", H.data(*SIZES.of(ctx).sign_flow), lambda d: check_product(d.instance()), ctx)


def check_lemma_a1(inst: Instance, rates: N.WeightRates = ssd_weight_rates) -> Result:
    """Lemma A.1: each block residual r_k keeps the sign of r_k(0) = −y_k and |r_k| is non-increasing."""
    traj = trajectory(inst, rates=rates)
    if (bad := solve_failed(traj)) is not None:
        return bad
    r = traj.residual
    flips = max(0.0, float(np.max(-r * np.sign(r[0]))))
    increase = max(0.0, float(np.max(np.diff(np.abs(r), axis=0))))
    return from_errors("Lemma A.1 (sign of r_k kept, |r_k| non-increasing)", [max(flips, increase)],
                       2 * traj.error_of(lambda tr: tr.residual),
                       instances=[{**inst.describe(), "flip": flips, "increase": increase}])


@claim("sign_descent.lemmaA-1", section="App. A.1", equations=("17",), keys=("sign_descent:lemma-a-1",),
       statement="For each block k, the residual r_k(t) = x_kᵀβ_k(t) − y_k never changes sign and |r_k(t)| is "
                 "non-increasing.", latex=r"\operatorname{sign}r_k(t)=\operatorname{sign}r_k(0),\ "
                                          r"\tfrac{d}{dt}|r_k|\le0",
       kind="inequality", reconstruction="Statement survives in words. Sure.",
       basis="printed", hypothesis_class=H.data(3, 9))
def _lemma_a1(ctx: Context) -> Result:
    return H.draw("lemma_a1", H.data(*SIZES.of(ctx).stages), lambda d: check_lemma_a1(d.instance()), ctx)


def check_prop3_5(inst: Instance, bound: Callable[[N.BlockData, float], np.ndarray] = N.warmup_bound,
                  length: Callable[[float], float] = lambda a: 2 * a) -> Result:
    """Prop. 3.5: t₀ = max_i τ_i ≤ length(α) (τ_i: 2w_{n,i}|g_i| first reaches ε) and w_{n,i}(t) ≤ bound_i for
    t ≥ t₀."""
    if (bad := assumption_33_or_none(inst)) is not None:
        return bad
    limit = length(inst.alpha)
    traj = trajectory(inst, points=4001, extra_times=(limit,))
    if (bad := solve_failed(traj)) is not None:
        return bad
    tau, _ = N.stage_times(traj)
    t0 = float(np.max(tau))
    after = traj.t >= t0
    excess = float(np.max(traj.w_non[after] - bound(inst.data, inst.eps)[None, :]))
    at = int(np.flatnonzero(traj.t == limit)[0])
    # t₀ ≤ limit ⟺ every 2w_{n,i}|g_i| has reached ε by the time ``limit`` (it is non-increasing before τ_i).
    late = float(np.max(traj.h_non[at] - inst.eps))
    tol = 2 * max(traj.error_of(lambda tr: tr.w_non), traj.error_of(lambda tr: tr.h_non))
    bounds = from_errors("Prop. 3.5 (warm-up ends by 2α; w_n ≤ εn/(|x_i||y_k|) after t₀)",
                         [max(0.0, late), max(0.0, excess)], tol,
                         instances=[{**inst.describe(), "t0": t0, "2alpha": 2 * inst.alpha}] * 2,
                         t0=t0, warmup_limit=limit, max_w_non_after_t0=float(np.max(traj.w_non[after])))
    return combine("Prop. 3.5", {"bounds": bounds, "t0 of order alpha": warmup_scaling(inst)})


def warmup_scaling(inst: Instance, fractions: tuple[float, ...] = (1.0, 0.5, 0.25, 0.125)) -> Result:
    """'this warm-up stage lasts no longer than [2α]': t₀ scales like α¹ (ε kept at the same fraction of ε̄ ∝ α);
    order fit of t₀ against α on four scales."""
    alphas, t0s = [], []
    for f in fractions:
        a = f * inst.alpha
        sub = inst.with_alpha(a)
        T = 4 * a  # the warm-up ends by 2α
        tr = N.solve_ssd(sub.data, a, sub.eps, np.linspace(0.0, T, 801))
        if (bad := solve_failed(tr)) is not None:
            return bad
        alphas.append(a)
        t0s.append(float(np.max(N.stage_times(tr)[0])))
    return from_order_fit("t₀ against α", alphas, t0s, 1.0, t0=t0s)


@claim("sign_descent.prop3-5", section="3.3.1 / App. A.2", equations=("22", "23"),
       keys=("sign_descent:proposition-3-5-warm-up-stage",),
       statement="Under Assumption 3.3 there is t₀ ≤ 2α (the last time a non-dominating weight's gradient "
                 "2w_{n,i}|g_i| reaches ε) such that w_{n,i}(t) ≤ εn/(|x_i||y_k|) for all t ≥ t₀ and all i; t₀ is of "
                 "the order of α (fitted exponent of t₀ against α, ε a fixed fraction of ε̄ ∝ α).",
       latex=r"\exists t_0\le2\alpha:\ w_{n,i}(t)\le\frac{\varepsilon n}{|x_i||y_k|}\ \forall t\ge t_0",
       kind="inequality",
       reconstruction="Lost: the threshold, t₀'s bound and Assumption 3.3. From A.2: 'the absolute value of the "
                      "derivative is always greater than [½]' (⇔ 2w_n|g| > ε), 'the rapid decreasing stage lasts no "
                      "longer than [2α]', 'For all t, [|ẇ_d| ≤ 1]' so w_d ≤ α + t, and (23) a lower bound on |r| "
                      "which we take as |y_k|/2 (needs 9α²‖x_k‖₁ ≤ |y_k|/2). The threshold εn/(|x_i||y_k|) follows "
                      "(order ε, 'a value on the order'). Medium confidence in the constants, high in the structure.",
       basis="reconstructed", hypothesis_class=H.data(3, 9))
def _prop3_5(ctx: Context) -> Result:
    return H.draw("prop3_5", H.data(*SIZES.of(ctx).stages), lambda d: check_prop3_5(d.instance()), ctx)


def stage_quantity(traj: N.WeightPath) -> np.ndarray:
    """h_i = |∂L/∂w_{d,i}| = 2w_{d,i}|g_i|, the quantity compared with ε in Prop. 3.7 and Lemma A.2."""
    return traj.h_dom


def check_lemma_a2(inst: Instance, quantity: Callable[[N.WeightPath], np.ndarray] = stage_quantity,
                   level: Callable[[Instance], float] = lambda inst: inst.eps) -> Result:
    """Lemma A.2: once h_i ≤ ε it stays ≤ ε."""
    traj = trajectory(inst, points=4001)
    if (bad := solve_failed(traj)) is not None:
        return bad
    q, lev = quantity(traj), level(inst)
    t_cross = N.crossing_times(traj, quantity, lev)
    excess = max((float(np.max(q[traj.t >= t_cross[i], i] - lev)) for i in range(inst.data.d)
                  if np.isfinite(t_cross[i])), default=0.0)
    return from_errors("Lemma A.2 (h_i ≤ ε persists)", [max(0.0, excess)], 2 * traj.error_of(quantity),
                       instances=[inst.describe()], crossing_times=t_cross)


@claim("sign_descent.lemmaA-2", section="App. A.3", equations=("24",), keys=("sign_descent:lemma-a-2",),
       statement="For every i, if 2w_{d,i}(t')|g_i(t')| ≤ ε then 2w_{d,i}(t)|g_i(t)| ≤ ε for all t ≥ t'.",
       latex=r"2w_{d,i}(t')|g_i(t')|\le\varepsilon\Rightarrow 2w_{d,i}(t)|g_i(t)|\le\varepsilon\ \forall t\ge t'",
       kind="inequality",
       reconstruction="Inequality lost. |g_i| alone is trivially monotone (|g_i| = |x_i||r_k|/n and Lemma A.1), so "
                      "the lemma must concern the weight gradient 2w_d|g| that sets the adaptive rate; the proof's "
                      "'Mean Value Theorem' step fits this. Medium confidence.",
       basis="reconstructed", hypothesis_class=H.data(3, 9))
def _lemma_a2(ctx: Context) -> Result:
    return H.draw("lemma_a2", H.data(*SIZES.of(ctx).stages), lambda d: check_lemma_a2(d.instance()), ctx)


def check_prop3_7(inst: Instance, quantity: Callable[[N.WeightPath], np.ndarray] = stage_quantity) -> Result:
    """Prop. 3.7: t₁_i > t₀; h_i > ε on [t₀, t₁_i) with dual rates |θ̇_i| ∈ (½, 1]; h_i ≤ ε and non-increasing after."""
    if (bad := assumption_33_or_none(inst)) is not None:
        return bad
    traj = trajectory(inst, points=4001)
    if (bad := solve_failed(traj)) is not None:
        return bad
    tau, _ = N.stage_times(traj)
    t0 = float(np.max(tau))
    q = quantity(traj)
    t1 = N.crossing_times(traj, quantity, inst.eps)
    rate_of = lambda tr: np.abs(ssd_dual_rate(tr.w_dom, tr.g, inst.eps))  # noqa: E731
    tol = 2 * max(traj.error_of(quantity), traj.error_of(rate_of))
    rate = rate_of(traj)
    order_err, sign_err, conv_err, mono_err, rate_err = 0.0, 0.0, 0.0, 0.0, 0.0
    for i in range(inst.data.d):
        order_err = max(order_err, t0 - t1[i])
        sign_stage = (traj.t >= t0) & (traj.t < t1[i])
        conv = traj.t >= t1[i]
        if sign_stage.any():
            sign_err = max(sign_err, float(np.max(inst.eps - q[sign_stage, i])))
            rate_err = max(rate_err, float(np.max(0.5 - rate[sign_stage, i])), float(np.max(rate[sign_stage, i] - 1)))
        if conv.sum() > 1:
            conv_err = max(conv_err, float(np.max(q[conv, i] - inst.eps)))
            mono_err = max(mono_err, float(np.max(np.diff(q[conv, i]))))
    errs = [max(0.0, e) for e in (order_err, sign_err, conv_err, mono_err, rate_err)]
    return from_errors("Prop. 3.7 (sign-descent stage then convergence stage)", errs, tol,
                       instances=[{**inst.describe(), "part": p} for p in
                                  ("t1 > t0", "h > eps on [t0,t1)", "h <= eps after t1", "h non-increasing after t1",
                                   "dual rate in (1/2, 1]")], t0=t0, t1=t1)


@claim("sign_descent.prop3-7", section="3.3.1 / App. A.4", equations=("25", "26", "27-41"),
       keys=("sign_descent:proposition-3-7-two-stages",),
       statement="For each i there is t₁_i > t₀ with: sign-descent stage t₀ ≤ t < t₁_i: 2w_{d,i}|g_i| > ε, so the dual "
                 "rate |θ̇_i| ∈ (½, 1] (θ grows about linearly at similar rates); convergence stage t ≥ t₁_i: "
                 "2w_{d,i}|g_i| ≤ ε and non-increasing.",
       latex=r"t_0\le t<t_{1,i}:\ 2w_{d,i}|g_i|>\varepsilon;\quad t\ge t_{1,i}:\ 2w_{d,i}|g_i|\le\varepsilon,\ "
             r"\downarrow",
       kind="inequality",
       reconstruction="Both bullets lost. Rests on 'once a gradient value reaches [ε], it remains small', "
                      "'diminishing magnitude of gradients', A.4's 'We need to show that the derivative of [h] is "
                      "always non-positive for [t ≥ t₁]' and 'Therefore, we must have [t₁ > t₀]'; the quantity is the "
                      "one of Lemma A.2. Medium confidence.", basis="reconstructed", hypothesis_class=H.data(3, 9))
def _prop3_7(ctx: Context) -> Result:
    return H.draw("prop3_7", H.data(*SIZES.of(ctx).stages), lambda d: check_prop3_7(d.instance()), ctx)


def check_lemma_a3(inst: Instance, rates: N.WeightRates = ssd_weight_rates) -> Result:
    """Lemma A.3: r_k → 0 (|r(T)| at numerical zero), w_d non-decreasing and bounded, w_n non-increasing ≥ 0."""
    traj = trajectory(inst, rates=rates)
    if (bad := solve_failed(traj)) is not None:
        return bad
    tol = 2 * traj.error_of(lambda tr: np.concatenate([tr.residual, tr.wp, tr.wm], axis=1))
    res = float(np.max(np.abs(traj.residual[-1])))
    settle = float(np.max(np.abs(traj.wp[-1] - traj.wp[-2]) + np.abs(traj.wm[-1] - traj.wm[-2])))
    mono = max(0.0, -float(np.min(np.diff(traj.w_dom, axis=0))), float(np.max(np.diff(traj.w_non, axis=0))),
               -float(np.min(traj.w_non)))
    return from_errors("Lemma A.3 (interpolating limit, monotone weights)", [res, settle, mono], tol,
                       instances=[{**inst.describe(), "part": p} for p in ("|r(T)|", "weights settled", "monotone")],
                       horizon=float(traj.t[-1]), beta_limit=traj.beta[-1])


@claim("sign_descent.lemmaA-3", section="App. A.4", equations=("19", "22"), keys=("sign_descent:lemma-a-3-convergenc"
                                                                                  "e",),
       statement="As t → ∞ every block residual r_k → 0; the dominating weights increase to finite limits and the "
                 "non-dominating ones decrease to limits ≥ 0, so β(∞) exists and interpolates (Xβ(∞) = y).",
       latex=r"r_k(t)\to0,\ w_d\uparrow w_d(\infty)<\infty,\ w_n\downarrow\xi(\infty)\ge0", kind="convergence",
       reconstruction="Display lost; the proof says 'we must have [lim r_k = 0]', 'exists with [w_d(∞) < ∞]'. Sure.",
       basis="reconstructed", hypothesis_class=H.data(3, 9))
def _lemma_a3(ctx: Context) -> Result:
    return H.draw("lemma_a3", H.data(*SIZES.of(ctx).stages), lambda d: check_lemma_a3(d.instance()), ctx)


def check_late_time(inst: Instance, approx: Callable[[np.ndarray, float], np.ndarray] = lambda G, e: G / e) -> Result:
    """Late stage: |θ̇_i| = G/(G + ε) with G = 2w_d|g| → 0; relative gap to ``approx``(G, ε) (the rescaled gradient
    G/ε) shrinks like G¹ (order fit on points of the convergence stage)."""
    targets = inst.eps * np.array([0.3, 0.1, 0.03, 0.01, 0.003])
    extra: tuple[float, ...] = ()
    for _ in range(3):  # refine the grid where G falls through the targets between two grid points (small ε)
        traj = trajectory(inst, extra_times=extra)
        if (bad := solve_failed(traj)) is not None:
            return bad
        G = traj.h_dom[:, 0]
        idx = [int(np.flatnonzero(G <= x)[0]) for x in targets]
        if len(set(idx)) == len(idx):
            break
        t = traj.t
        extra = extra + tuple(np.linspace(t[max(idx[0] - 1, 0)], t[idx[-1]], 2001))
    Gs = G[idx]
    rates = np.abs(ssd_dual_rate(traj.w_dom[idx, 0], traj.g[idx, 0], inst.eps))
    gaps = np.abs(rates - approx(Gs, inst.eps)) / approx(Gs, inst.eps)
    fit = from_order_fit("relative gap of the update to the rescaled gradient vs G", list(Gs), list(gaps), 1.0,
                         instance=inst.describe())
    series = S.late_time_series(2)
    sym = residuals_vanish("−G/(G+ε) = −G/ε + O(G²)", {"series": series + S.G / S.eps})
    return combine("late-time gradient direction", {"series": sym, "trajectory": fit})


@claim("sign_descent.sec3-3-1.late_time", section="3.3.1", equations=("14",),
       keys=("sign_descent:sec-3-3-1-claim-late-time-gradient-direction",),
       statement="When the gradient components are small compared with ε, −G/(|G| + ε) = −G/ε + O(G²): the dynamics "
                 "approach the (rescaled) gradient direction as all gradients go to zero.",
       latex=r"-\frac{G}{|G|+\varepsilon}=-\frac{G}{\varepsilon}+O(G^2)", kind="asymptotic",
       reconstruction="'the dynamics approximate the direction of [−∇L] as all gradient components approach zero'. "
                      "Sure.", basis="reconstructed", hypothesis_class=H.data(1, 4))
def _late_time(ctx: Context) -> Result:
    return H.draw("late_time", H.data(1, SIZES.of(ctx).late_time_d), lambda d: check_late_time(d.instance()), ctx)
