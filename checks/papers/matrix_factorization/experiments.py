"""§5 of the paper, the experiments: Figure 1's setting and its two claims (sequential learning from a near-balanced
start; imbalance accelerates), Figure 2 (the regularised flow (19) with Λ = λ0I tracks (13)) and a reduced Figure 3
(imbalance accelerates a sigmoid-output model)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization.instances import EXPERIMENTS, FIG1_BALANCED_SD, FIG1_ETA, FIG1_REPORTED_Q0
from checks.registry import claim
from checks.sensitivity import MIN_SEEDS, Setting, settings_verdict
from checks.verdict import Result, combine, from_threshold, inconclusive
from numerics import matrix_factorization as N

#: The figures' claims share nothing with the rest of the paper and take most of its time: their own process.
GROUP = "experiments"


def q0_norms(rng: np.random.Generator, m: int, n: int, k: int, sd: float, samples: int) -> np.ndarray:
    """‖U0ᵀU0 − V0ᵀV0‖_F for U0, V0 with N(0, sd²) entries."""
    return np.array([np.linalg.norm(N.gram_difference(sd * rng.standard_normal((m, k)),
                                                      sd * rng.standard_normal((n, k))))
                     for _ in range(samples)])


def check_fig1_setting(rng: np.random.Generator, reported: dict[float, float], samples: int,
                       m: int = 5, n: int = 10, k: int = 50, coverage: float = 0.99) -> Result:
    """Each reported ‖Q0‖ (± half a unit of its last printed digit) meets the central ``coverage`` interval of its
    sampling distribution (the paper reports one draw)."""
    vals, errs, inst = [], [], []
    tail = (1 - coverage) / 2
    for sd, rep in reported.items():
        d = q0_norms(rng, m, n, k, sd, samples)
        lo, hi = np.quantile(d, [tail, 1 - tail])
        half = 0.005  # the paper rounds to two decimals: the true value lies within ±0.005 of the printed one
        vals.append(max(lo - (rep + half), (rep - half) - hi))
        errs.append(float(hi - lo) / math.sqrt(samples))  # Monte-Carlo uncertainty of the quantiles
        inst.append({"sd": sd, "reported": rep, "q_low": lo, "median": float(np.median(d)), "q_high": hi})
    return from_threshold(f"distance of the reported ||Q0|| outside the central {coverage:.1%} sampling interval", vals,
                          0.0, errs, instances=inst, samples=samples, coverage=coverage)


#: Seeds of the experiments' settings verdicts: the quick tier's reduced instances can never refute (two seeds show
#: the spread); the full tier uses the MIN_SEEDS a refutation needs.
def experiment_seeds(ctx: Context) -> list[int]:
    """The seeds of an experiment claim's settings verdict in this tier."""
    return list(range(2 if ctx.tier == "quick" else MIN_SEEDS))


def per_seed(ctx: Context, run: Callable[[np.random.Generator], Any]) -> Callable[[int], Any]:
    """``run`` on the claim's stream for each seed, computed once per seed (settings that only re-read a run do not
    redo it)."""
    cache: dict[int, Any] = {}

    def get(seed: int) -> Any:
        if seed not in cache:
            cache[seed] = run(ctx.rng("seed", seed))
        return cache[seed]
    return get


FIG1_COVERAGE = Setting("coverage", 0.99, (0.95, 0.99, 0.999),
                        "our reading of '≈' for a single reported draw: inside the central interval of this coverage")


@claim("matrix_factorization.fig1.setting", section="5", equations=(), keys=(KEY + "figure-1-setting-q0-values",),
       statement="With m = 5, n = 10, k = 50 and U0, V0 ~ N(0, σ²): σ = 10⁻² gives ‖Q0‖_F ≈ 0.02 and σ = 10⁻¹ gives "
                 "≈ 1.83 (σ = 1 much larger): reported values inside the central 99% sampling interval (95–99.9 % "
                 "over the settings).",
       kind="experiment", basis="settings", depends_on="the reading of '≈' for one reported draw (the coverage of "
       "the sampling interval, 95–99.9 %) and the Monte-Carlo seeds")
def _fig1s(ctx: Context) -> Result:
    samples = EXPERIMENTS.of(ctx).fig1_setting_samples
    return settings_verdict("Figure 1's ‖Q0‖ values", lambda p, seed: check_fig1_setting(
        ctx.rng("seed", seed), FIG1_REPORTED_Q0, samples, coverage=p["coverage"]), [FIG1_COVERAGE],
        experiment_seeds(ctx), at_paper_size=True, measure=lambda r: max(r.evidence["values"]))


def half_learning_times(Y: np.ndarray, run: N.GDRun, level: float = 0.5) -> np.ndarray:
    """First time each singular value of X(t) reaches ``level`` times the corresponding singular value of Y."""
    sv = N.singular_values(run.X)
    target = np.linalg.svd(Y, compute_uv=False)
    return np.array([N.first_crossing(run.t, sv[:, i], target[i] * level) for i in range(target.size)])


def fig1a_run(rng: np.random.Generator, m: int, n: int, k: int, sd: float, eta: float,
              steps: int) -> tuple[np.ndarray, N.GDRun]:
    """Figure 1a's run: Y ~ N(0, 1), U0, V0 ~ N(0, sd²), GD with step eta."""
    Y = rng.standard_normal((m, n))
    U0, V0 = sd * rng.standard_normal((m, k)), sd * rng.standard_normal((n, k))
    return Y, N.gd_two_layer(Y, U0, V0, eta, steps, record_every=10)


def check_fig1a(rng: np.random.Generator | None, m: int, n: int, k: int, sd: float, eta: float, steps: int,
                claimed_order: str = "largest first", level: float = 0.5,
                run: tuple[np.ndarray, N.GDRun] | None = None) -> Result:
    """Balanced init: the times at which σ_i(X) reaches ``level``·σ_i(Y) are ordered by singular value (largest
    first) — the paper's 'sequential' (``run``: a :func:`fig1a_run` already made)."""
    Y, run_ = run if run is not None else fig1a_run(rng, m, n, k, sd, eta, steps)
    th = half_learning_times(Y, run_, level)
    if not np.all(np.isfinite(th)):
        return inconclusive("some singular value was not learned within the horizon", times=th, horizon=steps * eta)
    seq = th if claimed_order == "largest first" else th[::-1]
    gaps = np.diff(seq)
    res = 10 * eta  # time resolution of the record
    return from_threshold(f"minus the smallest gap between successive half-learning times ({claimed_order})",
                          [float(-gaps.min())], 0.0, [res],
                          instances=[{"learning_times": th, "level": level,
                                      "singular_values": np.linalg.svd(Y, compute_uv=False),
                                      "norm_Q0": float(np.linalg.norm(run_.Q0))}])


LEARNED_LEVEL = Setting("level", 0.5, (0.25, 0.5, 0.75),
                        "our reading of 'learned': the fraction of σ_i(Y) that σ_i(X) has reached")


@claim("matrix_factorization.fig1a", section="5", equations=(), keys=(KEY + "figure-1-a-claim-balanced-init",),
       statement="GD (η = 10⁻³) from a near-balanced init (σ = 10⁻², ‖Q0‖ ≈ 0.02) learns the singular values "
                 "sequentially, largest first: the times at which σ_i(X) reaches σ_i(Y)/2 (¼ to ¾ over the settings) "
                 "increase with i (our reading of 'sequential').",
       kind="experiment", basis="settings", depends_on="the reading of 'learned' (σ_i(X) reaching ¼, ½ or ¾ of "
       "σ_i(Y)), the seeds and, in the quick tier, reduced sizes")
def _fig1a(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    shape = (sizes.fig1.m, sizes.fig1.n, sizes.fig1.k)
    runs = per_seed(ctx, lambda rng: fig1a_run(rng, *shape, FIG1_BALANCED_SD, FIG1_ETA, sizes.fig1_steps))
    return settings_verdict("Figure 1a", lambda p, seed: check_fig1a(
        None, *shape, FIG1_BALANCED_SD, FIG1_ETA, sizes.fig1_steps, level=p["level"], run=runs(seed)),
        [LEARNED_LEVEL], experiment_seeds(ctx), at_paper_size=ctx.tier == "full",
        measure=lambda r: max(r.evidence.get("values", [float("nan")])))


def time_to_error(Y: np.ndarray, run: N.GDRun, level: float) -> float:
    """First recorded time at which the relative reconstruction error reaches ``level``; inf if never."""
    return N.first_crossing(run.t, N.reconstruction_error(Y, run.X), level, above=False)


def fig1bc_runs(rng: np.random.Generator, m: int, n: int, k: int, eta: float, steps: int,
                sds: Sequence[float] = (1e-2, 1e-1, 1.0)) -> tuple[np.ndarray, list[N.GDRun], N.GDRun]:
    """Figure 1b–c's runs: Y, the two-layer GD runs from sd·(U, V) for each sd, the one-layer run from the last X0."""
    Y = rng.standard_normal((m, n))
    base_U, base_V = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    runs = [N.gd_two_layer(Y, sd * base_U, sd * base_V, eta, steps, record_every=10) for sd in sds]
    return Y, runs, N.gd_one_layer(Y, runs[-1].X[0], eta, steps, record_every=10)


def check_fig1bc(rng: np.random.Generator | None, m: int, n: int, k: int, eta: float, steps: int,
                 sds: Sequence[float] = (1e-2, 1e-1, 1.0), level: float = 1e-2, learned: float = 0.5,
                 runs: tuple[np.ndarray, list[N.GDRun], N.GDRun] | None = None) -> Result:
    """Larger ‖Q0‖ ⇒ every singular value learned (to ``learned``·σ_i(Y)) earlier; at σ = 1 the two-layer model
    reaches the reconstruction error ``level`` before the one-layer model started at the same X0 (``runs``: a
    :func:`fig1bc_runs` already made)."""
    Y, two, run1 = runs if runs is not None else fig1bc_runs(rng, m, n, k, eta, steps, sds)
    th = np.array([half_learning_times(Y, run, learned) for run in two])
    norms = [float(np.linalg.norm(run.Q0)) for run in two]
    res = 10 * eta
    # positive where a larger imbalance learns a component later
    later = float(np.max(th[1:] - th[:-1]))
    run2 = two[-1]
    t2, t1 = time_to_error(Y, run2, level), time_to_error(Y, run1, level)
    slower = float(t2 - t1) if np.isfinite(t2) else float("inf")
    inst = [{"sds": list(sds), "norm_Q0": norms, "half_learning_times": th, "t_two_layer": t2, "t_one_layer": t1,
             "level": level}]
    if not np.isfinite(th).all() or not np.isfinite(t1):
        return inconclusive("a run did not reach its target within the horizon", **inst[0])
    return from_threshold("delay (larger imbalance later; two-layer after one-layer at sd=1)", [later, slower], 0.0,
                          [res, res], instances=inst * 2)


@claim("matrix_factorization.fig1bc", section="5", equations=(),
       keys=(KEY + "figure-1-b-c-claim-imbalance-accelerates",),
       statement="As ‖Q0‖ grows (σ = 10⁻² → 10⁻¹ → 1, same directions) every singular value is learned earlier, and at "
                 "σ = 1 the two-layer model reaches reconstruction error 10⁻² before the one-layer model from the same "
                 "X0 (threshold ours: the paper gives none; 10⁻³ to 5·10⁻² and learned at ¼ to ¾ over the settings).",
       kind="experiment", basis="settings", depends_on="the error level at which the models are compared (10⁻³, "
       "10⁻², 5·10⁻²), the reading of 'learned' (¼, ½, ¾ of σ_i(Y)), the seeds and, in the quick tier, reduced sizes")
def _fig1bc(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    shape = (sizes.fig1.m, sizes.fig1.n, sizes.fig1.k)
    runs = per_seed(ctx, lambda rng: fig1bc_runs(rng, *shape, FIG1_ETA, sizes.fig1_steps))
    level = Setting("error_level", 1e-2, (1e-3, 1e-2, 5e-2), "the paper gives no level for 'converges faster'")
    return settings_verdict("Figure 1b-c", lambda p, seed: check_fig1bc(
        None, *shape, FIG1_ETA, sizes.fig1_steps, level=p["error_level"], learned=p["level"], runs=runs(seed)),
        [level, LEARNED_LEVEL], experiment_seeds(ctx), at_paper_size=ctx.tier == "full",
        measure=lambda r: max(r.evidence.get("values", [float("nan")])))


#: rtol of Figure 2's flows, and of the second solve (1000× looser) whose change estimates their error
FIG2_RTOL = 1e-9
#: Points of the grid of λ0 on which Figure 2's fit starts (‖X_I − X‖ is smooth and unimodal in λ0 on the draws
#: seen; a bounded search between the best point's neighbours refines it)
FIG2_LAMBDA_GRID = 11
#: rtol of the solves of (19) inside the λ0 search (the fitted λ0 only needs locating)
FIG2_SEARCH_RTOL = 1e-8
#: λ0 the paper reports for Figure 2, by width k
FIG2_PAPER_LAMBDA0 = {50: 111.32, 100: 203.66, 200: 460.99}


def fig2_products(Y: np.ndarray, U0: np.ndarray, V0: np.ndarray, lam0: float | None,
                  ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X(t) = U(t)V(t)ᵀ at ``ts`` of (13) (``lam0`` None) or of (19) with Λ = λ0·I_k, from (U0, V0): from the solve at
    FIG2_RTOL and from its twin 1000× looser (NaN when the first solve failed)."""
    k = U0.shape[1]
    grad = N.grad_asymmetric(Y, k) if lam0 is None else N.grad_regularised(Y, lam0 * np.eye(k))
    sol = N.flow(grad, N.Shapes.pack(U0, V0), ts, rtol=FIG2_RTOL)
    sh = N.Shapes((U0.shape, V0.shape))
    tight = np.array([sh.unpack(w)[0] @ sh.unpack(w)[1].T for w in sol["w"]])
    if sol.loose is None:
        return tight, np.full_like(tight, np.nan)
    return tight, np.array([sh.unpack(w)[0] @ sh.unpack(w)[1].T for w in sol.loose["w"]])


def fig2_gaps(Y: np.ndarray, X13: np.ndarray, X19: np.ndarray) -> tuple[float, float]:
    """Largest differences of the reconstruction-error and singular-value curves, as fractions of their plotted
    ranges (the larger curve maximum)."""
    e13, e19 = N.reconstruction_error(Y, X13), N.reconstruction_error(Y, X19)
    sv13, sv19 = N.singular_values(X13), N.singular_values(X19)
    return (float(np.abs(e13 - e19).max() / max(e13.max(), e19.max())),
            float(np.abs(sv13 - sv19).max() / max(sv13.max(), sv19.max())))


@dataclass
class Fig2Instance:
    """One Figure 2 draw: Y ~ N(0, 1), U0, V0 ~ N(0, 1) (σ = 1, as the paper sets), the flow (13) at ``ts`` (and its
    loose twin) and the λ0 fits by aggregate, computed once; the solves of (19) on the λ0 grid are shared by the
    aggregates."""

    Y: np.ndarray
    U0: np.ndarray
    V0: np.ndarray
    ts: np.ndarray
    X13: np.ndarray
    X13_loose: np.ndarray
    fits: dict = field(default_factory=dict)
    solved: dict = field(default_factory=dict)

    def solve(self, lam0: float) -> np.ndarray:
        """X_I(t) of (19) with Λ = λ0·I at ``ts`` for the λ0 search (cached): one DOP853 solve at FIG2_SEARCH_RTOL,
        enough to locate the minimiser (the gaps at the fitted λ0 are then measured with the twin solves of
        :func:`fig2_products`)."""
        from scipy.integrate import solve_ivp

        if lam0 not in self.solved:
            k = self.U0.shape[1]
            grad = N.grad_regularised(self.Y, lam0 * np.eye(k))
            sol = solve_ivp(lambda t, w: -grad(w), (0.0, float(self.ts[-1])), N.Shapes.pack(self.U0, self.V0),
                            t_eval=self.ts, method="DOP853", rtol=FIG2_SEARCH_RTOL, atol=FIG2_SEARCH_RTOL * 1e-2)
            sh = N.Shapes((self.U0.shape, self.V0.shape))
            self.solved[lam0] = np.array([sh.unpack(w)[0] @ sh.unpack(w)[1].T for w in sol.y.T])
        return self.solved[lam0]


def fig2_instance(rng: np.random.Generator, m: int, n: int, k: int, T: float) -> Fig2Instance:
    """Draw Figure 2's data and solve (13) on [0, T] (41 plotted times)."""
    Y = rng.standard_normal((m, n))
    U0, V0 = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    ts = np.linspace(0, T, 41)
    X13, X13_loose = fig2_products(Y, U0, V0, None, ts)
    return Fig2Instance(Y, U0, V0, ts, X13, X13_loose)


#: How ‖X_I(t) − X(t)‖_F is aggregated over the plotted times when λ0 is fitted (the paper minimises "the error
#: ‖X_I(t) − X(t)‖_F" without saying over which times or how)
FIG2_AGGREGATES = {"max": np.max, "mean": np.mean}


def fig2_fit(inst: Fig2Instance, aggregate: str) -> float:
    """The paper's rule: λ0 minimising ‖X_I(t) − X(t)‖_F aggregated over the plotted times (``aggregate``), on a grid
    of FIG2_LAMBDA_GRID points over [0, 4‖Q0‖₂] and then a bounded search between the best point's neighbours."""
    from scipy.optimize import minimize_scalar

    if aggregate in inst.fits:
        return inst.fits[aggregate]
    agg = FIG2_AGGREGATES[aggregate]

    def err(l0: float) -> float:
        return float(agg(np.linalg.norm(inst.solve(float(l0)) - inst.X13, axis=(1, 2))))

    top = 4 * float(np.abs(np.linalg.eigvalsh(N.gram_difference(inst.U0, inst.V0))).max())
    grid = np.linspace(0.0, top, FIG2_LAMBDA_GRID)
    on_grid = [err(float(l0)) for l0 in grid]
    i = int(np.argmin(on_grid))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(err, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4 * top})
    inst.fits[aggregate] = float(best.x) if best.fun <= on_grid[i] else float(grid[i])
    return inst.fits[aggregate]


def check_fig2(inst: Fig2Instance, threshold: float = 0.05, aggregate: str = "max") -> Result:
    """(19) with Λ = λ0I against (13) from the same N(0,1) init, λ0 fitted by the paper's rule (:func:`fig2_fit`):
    the curve gaps (reconstruction error; singular values, as fractions of their plotted ranges) at the fitted λ0
    must be within ``threshold`` (our reading of 'nearly indistinguishable'); their error is their change when
    both flows are solved 1000× more loosely."""
    lam0 = fig2_fit(inst, aggregate)
    k = inst.U0.shape[1]
    X19, X19_loose = fig2_products(inst.Y, inst.U0, inst.V0, lam0, inst.ts)
    gaps, loose = fig2_gaps(inst.Y, inst.X13, X19), fig2_gaps(inst.Y, inst.X13_loose, X19_loose)
    errs = [abs(a - b) + 1e-14 for a, b in zip(gaps, loose)]
    paper = FIG2_PAPER_LAMBDA0.get(k)
    at_paper = None if paper is None else fig2_gaps(inst.Y, inst.X13, inst.solve(paper))  # evidence only
    return from_threshold("curve differences as fractions of the plotted range (reconstruction error; singular values)",
                          list(gaps), threshold, errs, instances=[{"lambda0": lam0, "k": k}] * 2,
                          fitted_lambda0=lam0, aggregate=aggregate, paper_lambda0=paper, gaps_at_paper_lambda0=at_paper)


FIG2_SETTINGS = (Setting("threshold", 0.05, (0.02, 0.05, 0.1),
                         "our reading of 'nearly indistinguishable': the largest curve gap as a fraction of the plot"),
                 Setting("aggregate", "max", tuple(FIG2_AGGREGATES),
                         "the paper minimises ‖X_I(t) − X(t)‖_F without saying how over t: its maximum or its mean"))


def fig2_flip_points(res: Result) -> dict[str, float]:
    """By aggregate, the smallest threshold at which every width and seed holds (the largest gap seen)."""
    out: dict[str, float] = {}
    for row in res.evidence.get("sensitivity", []):
        agg = row["settings"]["aggregate"]
        gaps = [c["measure"] + row["settings"]["threshold"] for c in row["cells"] if c.get("measure") is not None]
        if gaps:
            out[agg] = max(out.get(agg, 0.0), max(gaps))
    return out


@claim("matrix_factorization.fig2", section="5", equations=("13", "19"), keys=(KEY + "figure-2-claim",),
       statement="From U0, V0 ~ N(0,1), (19) with Λ = λ0I_k and λ0 fitted by the paper's rule (minimising "
                 "‖X_I(t) − X(t)‖_F over the plotted times) tracks (13): reconstruction-error and singular-value "
                 "curves differ by at most 5% of their plotted range (threshold ours, 2–10 % over the settings; paper: "
                 "'nearly indistinguishable'; reported λ0 = 111.32, 203.66, 460.99 for k = 50, 100, 200). Checked only "
                 "at the paper's sizes (m, n) = (5, 10), k = 50, 100, 200, so the full tier alone.", kind="experiment",
       tier="full", basis="settings",
       depends_on="the threshold reading 'nearly indistinguishable' (2 %, 5 %, 10 % of the plotted range), how "
                  "‖X_I(t) − X(t)‖_F is aggregated over t when λ0 is fitted (maximum or mean), and the seeds")
def _fig2(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    draws = {k: per_seed(ctx, lambda rng, k=k: fig2_instance(rng, sizes.fig2.m, sizes.fig2.n, k, sizes.fig2_horizon))
             for k in sizes.fig2_widths}

    def cell(p: dict, seed: int) -> Result:
        return combine("Figure 2", {f"k={k}": check_fig2(draws[k](seed), p["threshold"], p["aggregate"])
                                    for k in sizes.fig2_widths})

    def worst_excess(r: Result) -> float:
        return max(max(part["values"]) - part["threshold"] for part in r.evidence.values())

    res = settings_verdict("Figure 2", cell, FIG2_SETTINGS, experiment_seeds(ctx), at_paper_size=True,
                           measure=worst_excess)
    flips = fig2_flip_points(res)
    text = "; ".join(f"with the {a} aggregate it holds for any threshold ≥ {v:.2%}" for a, v in flips.items())
    return Result(res.verdict, f"{res.summary} ({text})", {**res.evidence, "flip_points": flips},
                  counterexample=res.counterexample)


def fig3_curves(Xd: np.ndarray, Yd: np.ndarray, U0: np.ndarray, V0: np.ndarray,
                T: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient flow on the mean losses l1(W) from W0 = U0V0ᵀ and l2(U, V) from (U0, V0) (sigmoid output): the times
    and both loss curves."""
    d, k = Xd.shape[1], U0.shape[1]
    sh = N.Shapes(((d, k), (d, k)))
    ts = np.linspace(0, T, 3001)
    s1 = N.flow(N.grad_sigmoid_one_layer(Xd, Yd), (U0 @ V0.T).ravel(), ts, rtol=1e-8)
    s2 = N.flow(N.grad_sigmoid_two_layer(Xd, Yd, k), N.Shapes.pack(U0, V0), ts, rtol=1e-8)
    l1 = np.array([0.5 * np.sum((Yd - N.sigmoid(Xd @ w.reshape(d, d))) ** 2) for w in s1["w"]])
    l2 = np.array([0.5 * np.sum((Yd - N.sigmoid(Xd @ sh.unpack(w)[0] @ sh.unpack(w)[1].T)) ** 2) for w in s2["w"]])
    return ts, l1, l2


def fig3_times(curves: tuple[np.ndarray, np.ndarray, np.ndarray], level: float) -> tuple[float, float, float]:
    """The times at which each loss of :func:`fig3_curves` reaches ``level``·its initial loss (inf if never within
    T), and the time resolution."""
    ts, l1, l2 = curves
    return (N.first_crossing(ts, l1, level * l1[0], above=False), N.first_crossing(ts, l2, level * l2[0], above=False),
            ts[1] - ts[0])


def imbalanced_same_product(B: np.ndarray, z: np.ndarray, q_norm: float) -> tuple[np.ndarray, np.ndarray]:
    """U0 = B·diag(e^{cz}), V0 = B·diag(e^{−cz}): the same product BBᵀ as the balanced U0 = V0 = B, with c ≥ 0 chosen
    by bisection so that ‖U0ᵀU0 − V0ᵀV0‖₂ = q_norm."""

    def qn(c: float) -> float:
        return float(np.linalg.norm(N.gram_difference(B * np.exp(c * z), B * np.exp(-c * z)), 2))

    lo, hi = 0.0, 1.0
    while qn(hi) < q_norm:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if qn(mid) < q_norm else (lo, mid)
    c_ = (lo + hi) / 2
    return B * np.exp(c_ * z), B * np.exp(-c_ * z)


def fig3_runs(rng: np.random.Generator, n_s: int, d: int, k: int, T: float, q_norm: float = 4.6,
              reference_q_norm: float = 0.0) -> tuple[tuple, tuple, float]:
    """Reduced Figure 3's runs from one product W0 = BBᵀ: the balanced (or ``reference_q_norm``) and the imbalanced
    (‖Q0‖₂ = ``q_norm``) two-layer curves with the common one-layer one, and the imbalanced ‖Q0‖₂."""
    Xd = rng.standard_normal((n_s, d))
    Ws = rng.standard_normal((d, d))
    Yd = N.sigmoid(Xd @ Ws) + 1e-3 * rng.standard_normal((n_s, d))
    B = math.sqrt(0.1) * rng.standard_normal((d, k))
    z = rng.standard_normal(k)
    U1, V1 = imbalanced_same_product(B, z, q_norm)
    Ub, Vb = (B, B) if reference_q_norm == 0 else imbalanced_same_product(B, z, reference_q_norm)
    return (fig3_curves(Xd, Yd, Ub, Vb, T), fig3_curves(Xd, Yd, U1, V1, T),
            float(np.linalg.norm(N.gram_difference(U1, V1), 2)))


def check_fig3(rng: np.random.Generator | None, n_s: int, d: int, k: int, T: float, q_norm: float = 4.6,
               level: float = 0.1, reference_q_norm: float = 0.0, runs: tuple | None = None) -> Result:
    """Reduced Figure 3: from the same product W0 = BBᵀ (so the one-layer model is the same run), the two-layer model
    with ‖Q0‖₂ = 4.6 reaches ``level`` × its initial loss before the balanced one (U0 = V0 = B, Q0 = 0; a test may
    pass another ``reference_q_norm``; ``runs``: a :func:`fig3_runs` already made)."""
    balanced, imbalanced, qn = runs if runs is not None else fig3_runs(rng, n_s, d, k, T, q_norm, reference_q_norm)
    t1, t2b, dt = fig3_times(balanced, level)
    _, t2i, _ = fig3_times(imbalanced, level)
    inst = {"t_one_layer": t1, "t_two_layer_balanced": t2b, "t_two_layer_imbalanced": t2i,
            "norm_Q0_imbalanced": qn, "level": level, "T": T}
    if not (np.isfinite(t2b) and np.isfinite(t2i)):
        return inconclusive("a two-layer run did not reach the loss level within the horizon", **inst)
    return from_threshold("time to the loss level: imbalanced minus balanced two-layer model", [t2i - t2b], 0.0,
                          [dt], instances=[inst])


@claim("matrix_factorization.fig3", section="5", equations=(), keys=(KEY + "figure-3-claim",),
       statement="Sigmoid output, reduced sizes, gradient flow on the mean loss, both factorisations of the same W0 "
                 "(so the one-layer run is common): imbalance (‖Q0‖₂ = 4.6 vs Q0 = 0) makes the two-layer model reach "
                 "10% of its initial loss sooner (level ours, 5–20 % over the settings; the paper gives none). Reduced "
                 "sizes in both tiers, so never refuted here.",
       kind="experiment", basis="settings", depends_on="the loss level at which 'sooner' is read (5 %, 10 %, 20 % of "
       "the initial loss), the reduced sizes (samples, dimension, width), the horizon and the seeds")
def _fig3(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    shape = (sizes.fig3_samples, sizes.fig3_dim, sizes.fig3_width, sizes.fig3_horizon)
    runs = per_seed(ctx, lambda rng: fig3_runs(rng, *shape))
    level = Setting("level", 0.1, (0.05, 0.1, 0.2), "the paper gives no loss level for 'converges faster'")
    # reduced sizes in both tiers, so never refuted: two seeds show the spread (more would buy no refutation)
    return settings_verdict("Figure 3 (reduced)", lambda p, seed: check_fig3(None, *shape, level=p["level"],
                                                                            runs=runs(seed)),
                            [level], [0, 1], at_paper_size=False,
                            measure=lambda r: max(r.evidence.get("values", [float("nan")])))
