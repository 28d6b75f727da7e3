"""The balancedness Δ_t of MGF (§3.3, App. C.4, App. E, Poster 4): Corollary 2 and eqs. (21)-(25) without zero
crossings, the poster's I± formula, eq. (30) and Prop. 3 with the energy bound of its proof."""
from __future__ import annotations

import numpy as np

from checks.context import Context
from checks.papers.momentum_dln.hypotheses_flow import GENERAL, POSITIVE, PROP3, THETA0_ZERO, check_pool, per_run
from checks.papers.momentum_dln.instances import K, describe_run, unconverged
from checks.papers.momentum_dln.mgf_identities import lemma5_residuals
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors, from_threshold, inconclusive, refuted
from derivations import momentum_flow as MD
from numerics import momentum_flow as MF

GROUP = "continuous"


def check_corollary2(run: MF.MGFRun, ctx: Context, alpha: float) -> Result:
    """On a run without crossings: Λ± = 0 and Ω± = λ∫(ẇ±/w±)² > 0 equal I± = −ln|α±,∞/w±,₀| (eq. 19/24);
    Δ∞ = Δ₀ exp(−λ∫[(ẇ₊/w₊)² + (ẇ₋/w₋)²]) (eq. 24) and Δ∞ < Δ₀; θ̃₀ by eq. (25) and |θ̃₀| < α²."""
    bad = unconverged(run, "Corollary 2")
    if bad:
        return bad
    if run.crossings:
        return inconclusive("Corollary 2 needs Δ_t > 0 throughout; this run has zero crossings",
                            **describe_run(run, ctx))
    lim = MF.limits(run)
    lam, Kp, Km = run.lam, run.get("Kp"), run.get("Km")
    d0 = run.balancedness(run.state0)
    p0, m0 = run.get("p", run.state0), run.get("m", run.state0)
    delta24 = d0 * np.exp(-lam * (Kp + Km))
    t25 = (p0 ** 2 * np.exp(-2 * lam * Kp) - m0 ** 2 * np.exp(-2 * lam * Km)) / 4
    spread_d = run.spread(lambda s: run.balancedness(s) - run.balancedness(run.state0) * np.exp(
        -lam * (run.get("Kp", s) + run.get("Km", s))), float(np.max(d0)))
    spread_t = run.spread(lambda s: MF.limits(run, s)["theta_tilde0"] - (
        p0 ** 2 * np.exp(-2 * lam * run.get("Kp", s)) - m0 ** 2 * np.exp(-2 * lam * run.get("Km", s))) / 4,
        float(np.max(np.abs(t25))))
    spread_i = run.spread(lambda s: np.concatenate([MF.limits(run, s)["I_p"] - lam * run.get("Kp", s),
                                                    MF.limits(run, s)["I_m"] - lam * run.get("Km", s)]), 1.0)
    inst = describe_run(run, ctx)
    i_gap = np.concatenate([lim["I_p"] - lam * Kp, lim["I_m"] - lam * Km])
    return combine("Corollary 2", {
        "I = Omega = lambda int (w'/w)^2 (Lambda = 0)": from_errors(
            "I± − λ∫(ẇ±/w±)²", [float(np.max(np.abs(i_gap)))], spread_i, instances=[inst]),
        "Omega > 0": from_threshold("−λ∫(ẇ±/w±)² (must be < 0)", [float(-lam * min(Kp.min(), Km.min()))], 0.0,
                                    [spread_i], instances=[inst]),
        "eq. (24)": from_errors("Δ∞ − Δ₀exp(−λ∫[(ẇ₊/w₊)² + (ẇ₋/w₋)²])", [float(np.max(np.abs(lim["delta"] - delta24)))],
                                spread_d, instances=[inst]),
        "Delta_inf < Delta_0": from_threshold("max_i (Δ∞ − Δ₀)_i (must be < 0)", [float(np.max(lim["delta"] - d0))],
                                              0.0, [spread_d], instances=[inst]),
        "eq. (25)": from_errors("θ̃₀ − eq. (25)", [float(np.max(np.abs(lim["theta_tilde0"] - t25)))], spread_t,
                                instances=[inst]),
        "|theta~_0| < alpha^2": from_threshold("max|θ̃₀| − α² (must be < 0)",
                                               [float(np.max(np.abs(lim["theta_tilde0"])) - alpha ** 2)], 0.0,
                                               [spread_t], instances=[inst])})


@claim("momentum_dln.cor2", section="3.3 / App. C.4", equations=("Cor. 2", "24", "25"),
       keys=(K + "corollary-2-eq-24", K + "eq-25", K + "lambda-vanish-omega-0-when-balancedness-positive"),
       statement="If Δ_t > 0 for all t: Λ± = 0, Ω± = λ∫(ẇ±/w±)² > 0, Δ∞ = Δ₀exp(−λ∫[(ẇ₊/w₊)² + (ẇ₋/w₋)²]) < Δ₀, and "
                 "θ̃₀ = ¼[w₊,₀²e^{−2λ∫(ẇ₊/w₊)²} − w₋,₀²e^{−2λ∫(ẇ₋/w₋)²}] with |θ̃₀| < α².",
       corrects="momentum_dln.poster4.i_formula", kind="inequality", basis="printed", hypothesis_class=POSITIVE)
def _corollary2(ctx: Context) -> Result:
    return check_pool("Corollary 2", POSITIVE, per_run(
        ctx, True, lambda run: check_corollary2(run, ctx, describe_run(run, ctx)["alpha"])), ctx)


def check_poster_I(run: MF.MGFRun, ctx: Context, sign: float = -1.0) -> Result:
    """Poster: I± = sign·λ∫(ẇ±/w±)² (poster: sign = −1) and I± > 0; compared with I± = −ln|α±,∞/w±,₀|."""
    bad = unconverged(run, "poster I formula")
    if bad:
        return bad
    lim = MF.limits(run)
    formula = np.concatenate([sign * run.lam * run.get("Kp"), sign * run.lam * run.get("Km")])
    actual = np.concatenate([lim["I_p"], lim["I_m"]])
    spread = run.spread(lambda s: np.concatenate([MF.limits(run, s)["I_p"], MF.limits(run, s)["I_m"]]), 1.0)
    return combine("poster I± formula", {
        "I = formula": from_errors("I± − (poster formula)", [float(np.max(np.abs(actual - formula)))], spread,
                                   instances=[describe_run(run, ctx)]),
        "formula > 0": from_threshold("−min(poster formula) (must be < 0)", [float(-formula.min())], 0.0, [spread],
                                      instances=[describe_run(run, ctx)])})


@claim("momentum_dln.poster4.i_formula", section="poster: Poster 4", source="poster",
       keys=(K + "poster-i-formula-under-positive-balancedness",),
       statement="If Δ_t > 0 for all t, then I± = −λ∫₀^∞(ẇ±/w±)² dt > 0 (as printed: the minus sign makes it "
                 "negative).",
       kind="inequality", basis="printed", hypothesis_class=POSITIVE)
def _poster_I(ctx: Context) -> Result:
    return check_pool("poster I± formula", POSITIVE, per_run(ctx, True, lambda run: check_poster_I(run, ctx)), ctx)


def eqs21_22_errors(run: MF.MGFRun, s: np.ndarray) -> float:
    """max |w±,τ − eq. (21)| and |Δ_τ − eq. (22)| at the state s (kernels K − M and J + λη from the state)."""
    p0, m0 = run.get("p", run.state0), run.get("m", run.state0)
    kp, km = run.get("Kp", s) - run.get("Mp", s), run.get("Km", s) - run.get("Mm", s)
    gl = run.get("J", s) + run.lam * run.get("eta", s)
    wp = p0 * np.exp(-run.lam * kp) * np.exp(-gl)
    wm = m0 * np.exp(-run.lam * km) * np.exp(gl)
    dl = np.abs(p0 * m0) * np.exp(-run.lam * (kp + km))
    return max(float(np.max(np.abs(wp - run.get("p", s)))), float(np.max(np.abs(wm - run.get("m", s)))),
               float(np.max(np.abs(dl - run.balancedness(s)))))


def check_eqs21_23(run: MF.MGFRun, ctx: Context, n_times: int = 12) -> Result:
    """Along a run without crossings: w±,τ = w±,₀exp(−λ∫(ẇ/w)²(1−e^{−(τ−t)/λ}))exp(∓∫∇L(1−e^{−(τ−t)/λ})) (eq. 21),
    Δ_τ by eq. (22) (kernels K − M and J + λη from the state), and the τ → ∞ form (23)."""
    bad = unconverged(run, "eqs. (21)-(23)")
    if bad:
        return bad
    if run.crossings:
        return inconclusive("eqs. (21)-(23) need Δ_t > 0 throughout; this run has zero crossings")
    p0, m0 = run.get("p", run.state0), run.get("m", run.state0)
    errs = [eqs21_22_errors(run, s) for s in run.states(np.linspace(0, run.t_end, n_times + 1)[1:])]
    s = run.state
    w23p = p0 * np.exp(-run.lam * run.get("Kp", s)) * np.exp(-run.get("J", s))
    w23m = m0 * np.exp(-run.lam * run.get("Km", s)) * np.exp(run.get("J", s))
    errs.append(max(float(np.max(np.abs(w23p - run.get("p")))), float(np.max(np.abs(w23m - run.get("m"))))))
    tol = run.spread(lambda st: np.concatenate([
        run.get("p", st) - p0 * np.exp(-run.lam * run.get("Kp", st) - run.get("J", st)),
        run.get("m", st) - m0 * np.exp(-run.lam * run.get("Km", st) + run.get("J", st))]), float(np.max(np.abs(p0))))
    return combine("eqs. (21)-(23)", {
        "Fubini step (Lemma 5)": residuals_vanish("Fubini", {"d/dT": lemma5_residuals()["d/dT Fubini"]}),
        "along the run": from_errors("|w±,τ − eq. (21)|, |Δ_τ − eq. (22)|, |w±,∞ − eq. (23)|", errs, tol,
                                     instances=[describe_run(run, ctx)] * len(errs))})


@claim("momentum_dln.eq21to23", section="App. C.4", equations=("21", "22", "23"), keys=(K + "eqs-21-23",),
       statement="Without crossings: w±,τ = w±,₀e^{−λ∫₀^τ(ẇ±/w±)²(1−e^{−(τ−t)/λ})}e^{∓∫₀^τ∇L(1−e^{−(τ−t)/λ})}, "
                 "Δ_τ = Δ₀e^{−λ∫₀^τ[(ẇ₊/w₊)²+(ẇ₋/w₋)²](1−e^{−(τ−t)/λ})}, and w±,∞ = w±,₀e^{−λ∫(ẇ±/w±)²}e^{∓∫∇L}.",
       kind="identity", basis="printed", hypothesis_class=POSITIVE)
def _eqs21_23(ctx: Context) -> Result:
    return check_pool("eqs. (21)-(23)", POSITIVE, per_run(ctx, True, lambda run: check_eqs21_23(run, ctx)), ctx)


def check_eq30(run: MF.MGFRun, ctx: Context, lam_bound: float, n_times: int = 12) -> Result:
    """Eq. (30) along the run (P, Q, A carried in the state) and Δ_t ≥ Δ₀ − 2λ∫|u̇² − v̇²| > Δ₀ − λ‖y‖²/n ≥ 0."""
    bad = unconverged(run, "eq. (30)")
    if bad:
        return bad
    d0 = run.balancedness(run.state0)
    errs, lower_viol = [], []
    n = run.X.shape[0]
    yy = float(run.y @ run.y)
    for s in run.states(np.linspace(0, run.t_end, n_times + 1)[1:]):
        p, m, vp, vm = run.get("p", s), run.get("m", s), run.get("vp", s), run.get("vm", s)
        uu_vv = (vp * m + vm * p) / 2  # u̇u − v̇v
        signed0 = run.get("p", run.state0) * run.get("m", run.state0)  # u₀² − v₀²
        closed = signed0 + 2 * run.lam * (run.get("P", s) - run.get("Q", s))
        errs.append(max(float(np.max(np.abs(uu_vv - run.get("Q", s)))), float(np.max(np.abs(p * m - closed)))))
        lower = d0 - 2 * run.lam * run.get("A", s)
        lower_viol.append(float(np.max(lower - run.balancedness(s))))
    tol = run.spread(lambda st: np.concatenate([run.get("Q", st), run.get("P", st)]), float(np.max(d0)))
    inst = describe_run(run, ctx)
    parts = {
        "symbolic ODE for u'u - v'v": residuals_vanish("eq. (30) ODE", {"residual": MD.eq30_residual()}),
        "closed forms along the run": from_errors("|u̇u − v̇v − ∫(u̇²−v̇²)e^{..}| and |u²−v² − Δ₀ − 2λ∫(..)(1−e^{..})|",
                                                  errs, tol, instances=[inst] * len(errs)),
        # a non-strict inequality that is nearly attained (coordinates with u̇² ≤ v̇²): no violation beyond the error
        "Delta_t >= Delta_0 - 2 lambda int|u'^2 - v'^2|": from_errors(
            "violation max(0, max_t (Δ₀ − 2λ∫|u̇²−v̇²| − Δ_t))", [max(max(lower_viol), 0.0)], tol,
            instances=[inst], max_lower_minus_delta=max(lower_viol)),
        "2 int|u'^2 - v'^2| < |y|^2/n": from_threshold("max_i 2∫|u̇ᵢ²−v̇ᵢ²| − ‖y‖²/n at the end (must be < 0)",
                                                       [2 * float(np.max(run.get("A"))) - yy / n], 0.0, [tol],
                                                       instances=[inst])}
    if run.lam <= lam_bound * (1 + 1e-12):
        parts["Delta_0 - lambda |y|^2/n >= 0"] = from_errors("max(0, λ‖y‖²/n − min Δ₀) (non-strict; λ is the bound)",
                                                             [max(run.lam * yy / n - float(d0.min()), 0.0)],
                                                             1e-14 * float(d0.min()), instances=[inst])
    return combine("eq. (30)", parts)


@claim("momentum_dln.eq30", section="App. E", equations=("30",), keys=(K + "eq-30-and-balancedness-lower-bound",),
       statement="λ d/dt(u̇u − v̇v) + (u̇u − v̇v) − λ(u̇² − v̇²) = 0, so u̇u − v̇v = ∫(u̇²−v̇²)e^{−(t−s)/λ} and "
                 "u² − v² = Δ₀ + 2λ∫(u̇²−v̇²)(1 − e^{−(t−s)/λ}); hence Δ_t ≥ Δ₀ − 2λ∫|u̇²−v̇²| > Δ₀ − λ‖y‖²/n ≥ 0 "
                 "under Prop. 3's condition; for θ₀ = 0 (the experiments' initialisations, v₀ = 0; the last step where "
                 "the drawn λ is within Prop. 3's bound). Any initialisation: eq30.general.", kind="inequality",
       basis="printed", hypothesis_class=THETA0_ZERO)
def _eq30(ctx: Context) -> Result:
    return check_pool("eq. (30) (θ₀ = 0)", THETA0_ZERO,
                      per_run(ctx, False, lambda run: check_eq30(run, ctx, run_bound(run))), ctx)


@claim("momentum_dln.eq30.general", section="App. E", equations=("30",),
       keys=(K + "eq-30-and-balancedness-lower-bound",),
       statement="Eq. (30) and Prop. 3's chain as printed, for any initialisation with Δ₀ > 0 (§3 imposes no other "
                 "constraint) and λ ≤ n·min Δ₀/‖y‖²: u̇u − v̇v = ∫(u̇²−v̇²)e^{−(t−s)/λ}, u² − v² = (u₀² − v₀²) + "
                 "2λ∫(u̇²−v̇²)(1 − e^{−(t−s)/λ}), Δ_t ≥ Δ₀ − 2λ∫|u̇²−v̇²| > Δ₀ − λ‖y‖²/n ≥ 0.", kind="inequality",
       basis="printed", hypothesis_class=PROP3)
def _eq30_general(ctx: Context) -> Result:
    return check_pool("eq. (30) (any initialisation)", PROP3,
                      per_run(ctx, False, lambda run: check_eq30(run, ctx, run_bound(run))), ctx)


def run_bound(run: MF.MGFRun) -> float:
    """Prop. 3's bound n·min Δ₀/‖y‖² on a run's data and initialisation."""
    return run.X.shape[0] * float(np.min(run.balancedness(run.state0))) / float(run.y @ run.y)


def check_energy_bound(run: MF.MGFRun, ctx: Context) -> Result:
    """Prop. 3's proof: L(θ_t) = ‖y‖²/(2n) − (λ/2)‖ẇ_t‖² − ∫‖ẇ‖² (θ₀ = 0), so ∫‖ẇ‖² ≤ ‖y‖²/(2n) and
    ∫|u̇² − v̇²| ≤ ‖y‖²/(2n) coordinatewise."""
    bad = unconverged(run, "energy bound")
    if bad:
        return bad
    n = run.X.shape[0]
    half = float(run.y @ run.y) / (2 * n)
    inst = describe_run(run, ctx)
    kin = 0.5 * (run.get("vp") @ run.get("vp") + run.get("vm") @ run.get("vm"))
    ident = abs(float(run.train_loss()) - (half - run.lam / 2 * kin - float(run.get("Ekin")[0])))
    tol = run.spread(lambda st: np.array([run.get("Ekin", st)[0]]), half)
    ts = np.asarray(run.sol.ts)[1:]  # the solver's steps resolve the dynamics (a uniform grid on [0, 10⁵] misses it)
    sts = [st for st in run.states(ts) if run.train_loss(st) > 1e3 * tol]  # where the inequality is strict enough
    if not sts:                                                            # to be resolved numerically
        return inconclusive("energy bound: the loss is never above the numerical error")
    viol_w = [float(run.get("Ekin", st)[0]) - half for st in sts]
    viol_a = [float(np.max(run.get("A", st))) - half for st in sts]
    return combine("energy bound", {
        "L(theta_t) identity": from_errors("L(θ_t) − (‖y‖²/2n − λ/2‖ẇ‖² − ∫‖ẇ‖²) at the end", [ident], tol,
                                           instances=[inst]),
        "int_0^t |w'|^2 <= |y|^2/2n": from_threshold("max over t with L(θ_t) > 1e3·error of ∫₀ᵗ‖ẇ‖² − ‖y‖²/2n "
                                                     "(as t → ∞ the identity makes it an equality)", [max(viol_w)], 0.0,
                                                     [tol], instances=[inst]),
        "int_0^t |u'^2 - v'^2| <= |y|^2/2n": from_threshold("max over t of max_i ∫₀ᵗ|u̇ᵢ² − v̇ᵢ²| − ‖y‖²/2n",
                                                            [max(viol_a + [float(np.max(run.get("A"))) - half])], 0.0,
                                                            [tol], instances=[inst])})


@claim("momentum_dln.prop3.energy_bound", section="App. E", equations=("14",), keys=(K + "prop-3-proof-energy-bound",),
       statement="With θ₀ = 0 (the experiments' initialisations, v₀ = 0): L(θ_t) = ‖y‖²/(2n) − (λ/2)‖ẇ_t‖² − ∫₀ᵗ‖ẇ‖², "
                 "hence ∫₀^∞‖ẇ‖² ≤ ‖y‖²/(2n) and ∫₀^∞|u̇² − v̇²| ≤ ‖y‖²/(2n) coordinatewise (the general statement, "
                 "any initialisation as §3 allows: prop3.energy_bound_general).", kind="inequality", basis="printed",
       hypothesis_class=THETA0_ZERO)
def _prop3_energy(ctx: Context) -> Result:
    return check_pool("energy bound (θ₀ = 0)", THETA0_ZERO,
                      per_run(ctx, False, lambda run: check_energy_bound(run, ctx)), ctx)


@claim("momentum_dln.prop3.energy_bound_general", section="App. E", equations=("14",),
       keys=(K + "prop-3-proof-energy-bound",),
       statement="Prop. 3's proof as printed, for any initialisation (§3: no constraint on (u₀, v₀) beyond Δ₀ > 0): "
                 "L(θ_t) = ‖y‖²/(2n) − (λ/2)‖ẇ_t‖² − ∫₀ᵗ‖ẇ‖², hence ∫₀^∞‖ẇ‖² ≤ ‖y‖²/(2n) and ∫₀^∞|u̇² − v̇²| ≤ "
                 "‖y‖²/(2n) coordinatewise.", kind="inequality", basis="printed", hypothesis_class=GENERAL)
def _prop3_energy_general(ctx: Context) -> Result:
    return check_pool("energy bound (any initialisation)", GENERAL,
                      per_run(ctx, False, lambda run: check_energy_bound(run, ctx)), ctx)


def check_prop3(run: MF.MGFRun, ctx: Context, lam_bound: float) -> Result:
    """λ ≤ n min Δ₀/‖y‖² ⇒ Δ_t never vanishes: no zero crossing of w± and min over the run of Δ_t > 0."""
    bad = unconverged(run, "Prop. 3")
    if bad:
        return bad
    if run.lam > lam_bound * (1 + 1e-12):
        return inconclusive("Prop. 3: λ exceeds the bound on this instance", lam=run.lam, bound=lam_bound)
    ts = np.linspace(0, run.t_end, 4001)
    mins = float(np.min(run.balancedness(run.states(ts))))
    inst = {**describe_run(run, ctx), "lambda_bound": lam_bound, "min_delta_t": mins}
    if run.crossings:
        c = run.crossings[0]
        return refuted("Prop. 3: a weight crosses zero although λ ≤ bound",
                       counterexample={**inst, "t": c.t, "index": c.index})
    return from_threshold("−min_t min_i Δ_t,i (must be < 0)", [-mins], 0.0, [float(np.max(run.end_error("p"))) * 4],
                          instances=[inst])


@claim("momentum_dln.prop3", section="3.3", equations=("Prop. 3",), keys=(K + "proposition-3",),
       statement="If λ ≤ (n/‖y‖²)·min_i Δ₀,ᵢ then Δ_t ≠ 0 for all t ∈ [0, ∞] (any initialisation with Δ₀ > 0, λ "
                 "drawn up to the bound).", kind="inequality", basis="printed", hypothesis_class=PROP3)
def _prop3(ctx: Context) -> Result:
    return check_pool("Prop. 3", PROP3, per_run(ctx, False, lambda run: check_prop3(run, ctx, run_bound(run))), ctx)
