"""§5 of the paper, the experiments: Figure 1's setting and its two claims (sequential learning from a near-balanced
start; imbalance accelerates), Figure 2 (the regularised flow (19) with Λ = λ0I tracks (13)) and a reduced Figure 3
(imbalance accelerates a sigmoid-output model)."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization.instances import EXPERIMENTS, FIG1_BALANCED_SD, FIG1_ETA, FIG1_REPORTED_Q0
from checks.registry import claim
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
                       m: int = 5, n: int = 10, k: int = 50) -> Result:
    """Each reported ‖Q0‖ (± half a unit of its last printed digit) meets the central 99% interval of its sampling
    distribution (the paper reports one draw)."""
    vals, errs, inst = [], [], []
    for sd, rep in reported.items():
        d = q0_norms(rng, m, n, k, sd, samples)
        lo, hi = np.quantile(d, [0.005, 0.995])
        half = 0.005  # the paper rounds to two decimals: the true value lies within ±0.005 of the printed one
        vals.append(max(lo - (rep + half), (rep - half) - hi))
        errs.append(float(hi - lo) / math.sqrt(samples))  # Monte-Carlo uncertainty of the quantiles
        inst.append({"sd": sd, "reported": rep, "q0.5%": lo, "median": float(np.median(d)), "q99.5%": hi})
    return from_threshold("distance of the reported ||Q0|| outside the central 99% sampling interval", vals, 0.0, errs,
                          instances=inst, samples=samples)


@claim("matrix_factorization.fig1.setting", section="5", equations=(), keys=(KEY + "figure-1-setting-q0-values",),
       statement="With m = 5, n = 10, k = 50 and U0, V0 ~ N(0, σ²): σ = 10⁻² gives ‖Q0‖_F ≈ 0.02 and σ = 10⁻¹ gives "
                 "≈ 1.83 (σ = 1 much larger): reported values inside the central 99% sampling interval.",
       kind="experiment")
def _fig1s(ctx: Context) -> Result:
    return check_fig1_setting(ctx.rng(), FIG1_REPORTED_Q0,
                              EXPERIMENTS.of(ctx).fig1_setting_samples)


def half_learning_times(Y: np.ndarray, run: N.GDRun) -> np.ndarray:
    """First time each singular value of X(t) reaches half the corresponding singular value of Y."""
    sv = N.singular_values(run.X)
    target = np.linalg.svd(Y, compute_uv=False)
    return np.array([N.first_crossing(run.t, sv[:, i], target[i] / 2) for i in range(target.size)])


def check_fig1a(rng: np.random.Generator, m: int, n: int, k: int, sd: float, eta: float, steps: int,
                claimed_order: str = "largest first") -> Result:
    """Balanced init: half-learning times ordered by singular value (largest first) — the paper's 'sequential'."""
    Y = rng.standard_normal((m, n))
    U0, V0 = sd * rng.standard_normal((m, k)), sd * rng.standard_normal((n, k))
    run = N.gd_two_layer(Y, U0, V0, eta, steps, record_every=10)
    th = half_learning_times(Y, run)
    if not np.all(np.isfinite(th)):
        return inconclusive("some singular value was not learned within the horizon", times=th, horizon=steps * eta)
    seq = th if claimed_order == "largest first" else th[::-1]
    gaps = np.diff(seq)
    res = 10 * eta  # time resolution of the record
    return from_threshold(f"minus the smallest gap between successive half-learning times ({claimed_order})",
                          [float(-gaps.min())], 0.0, [res],
                          instances=[{"half_learning_times": th, "singular_values": np.linalg.svd(Y, compute_uv=False),
                                      "norm_Q0": float(np.linalg.norm(run.Q0))}])


@claim("matrix_factorization.fig1a", section="5", equations=(), keys=(KEY + "figure-1-a-claim-balanced-init",),
       statement="GD (η = 10⁻³) from a near-balanced init (σ = 10⁻², ‖Q0‖ ≈ 0.02) learns the singular values "
                 "sequentially, largest first: the times at which σ_i(X) reaches σ_i(Y)/2 increase with i (our reading "
                 "of 'sequential').",
       kind="experiment")
def _fig1a(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    return check_fig1a(ctx.rng(), sizes.fig1.m, sizes.fig1.n, sizes.fig1.k, FIG1_BALANCED_SD,
                       FIG1_ETA, sizes.fig1_steps)


def time_to_error(Y: np.ndarray, run: N.GDRun, level: float) -> float:
    """First recorded time at which the relative reconstruction error reaches ``level``; inf if never."""
    return N.first_crossing(run.t, N.reconstruction_error(Y, run.X), level, above=False)


def check_fig1bc(rng: np.random.Generator, m: int, n: int, k: int, eta: float, steps: int,
                 sds: Sequence[float] = (1e-2, 1e-1, 1.0), level: float = 1e-2) -> Result:
    """Larger ‖Q0‖ ⇒ every singular value learned earlier; at σ = 1 the two-layer model reaches the reconstruction
    error ``level`` before the one-layer model started at the same X0."""
    Y = rng.standard_normal((m, n))
    base_U, base_V = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    th, norms = [], []
    for sd in sds:
        run = N.gd_two_layer(Y, sd * base_U, sd * base_V, eta, steps, record_every=10)
        th.append(half_learning_times(Y, run))
        norms.append(float(np.linalg.norm(run.Q0)))
    th = np.array(th)
    res = 10 * eta
    # positive where a larger imbalance learns a component later
    later = float(np.max(th[1:] - th[:-1]))
    run2 = N.gd_two_layer(Y, sds[-1] * base_U, sds[-1] * base_V, eta, steps, record_every=10)
    run1 = N.gd_one_layer(Y, run2.X[0], eta, steps, record_every=10)
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
                 "X0 (threshold ours: the paper gives none).", kind="experiment")
def _fig1bc(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    return check_fig1bc(ctx.rng(), sizes.fig1.m, sizes.fig1.n, sizes.fig1.k, FIG1_ETA,
                        sizes.fig1_steps)


#: rtol of Figure 2's flows, and of the second solve (1000× looser) whose change estimates their error
FIG2_RTOL = 1e-9
#: Points of the grid of λ0 on which Figure 2's fit starts
FIG2_LAMBDA_GRID = 41
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


def check_fig2(rng: np.random.Generator, m: int, n: int, k: int, T: float, threshold: float = 0.02) -> Result:
    """(19) with Λ = λ0I against (13) from the same N(0,1) init, λ0 fitted to the criterion judged: the larger curve
    gap (reconstruction error; singular values, as fractions of their plotted ranges) is minimised over
    λ0 ∈ [0, 4‖Q0‖₂] (a grid of FIG2_LAMBDA_GRID points, then a bounded search between the best point's neighbours).
    The gaps at the fitted λ0 must be within ``threshold`` (2% of the range, our reading of 'nearly
    indistinguishable'); their error is their change when both flows are solved 1000× more loosely."""
    from scipy.optimize import minimize_scalar

    Y = rng.standard_normal((m, n))
    U0, V0 = rng.standard_normal((m, k)), rng.standard_normal((n, k))
    ts = np.linspace(0, T, 41)
    X13, X13_loose = fig2_products(Y, U0, V0, None, ts)

    def worst_gap(l0: float) -> float:
        return max(fig2_gaps(Y, X13, fig2_products(Y, U0, V0, l0, ts)[0]))

    top = 4 * float(np.abs(np.linalg.eigvalsh(N.gram_difference(U0, V0))).max())
    grid = np.linspace(0.0, top, FIG2_LAMBDA_GRID)
    on_grid = [worst_gap(float(l0)) for l0 in grid]
    i = int(np.argmin(on_grid))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(worst_gap, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6 * top})
    lam0 = float(best.x) if best.fun <= on_grid[i] else float(grid[i])
    X19, X19_loose = fig2_products(Y, U0, V0, lam0, ts)
    gaps, loose = fig2_gaps(Y, X13, X19), fig2_gaps(Y, X13_loose, X19_loose)
    errs = [abs(a - b) + 1e-14 for a, b in zip(gaps, loose)]
    paper = FIG2_PAPER_LAMBDA0.get(k)
    at_paper = None if paper is None else fig2_gaps(Y, X13, fig2_products(Y, U0, V0, paper, ts)[0])
    return from_threshold("curve differences as fractions of the plotted range (reconstruction error; singular values)",
                          list(gaps), threshold, errs, instances=[{"lambda0": lam0, "k": k, "T": T}] * 2,
                          fitted_lambda0=lam0, lambda0_grid=[float(grid[0]), float(grid[-1]), FIG2_LAMBDA_GRID],
                          worst_gap_on_grid=on_grid, paper_lambda0=paper, gaps_at_paper_lambda0=at_paper)


@claim("matrix_factorization.fig2", section="5", equations=("13", "19"), keys=(KEY + "figure-2-claim",),
       statement="From U0, V0 ~ N(0,1), (19) with Λ = λ0I_k and a fitted λ0 tracks (13): reconstruction-error and "
                 "singular-value curves differ by at most 2% of their plotted range (threshold ours; paper: 'nearly "
                 "indistinguishable'; reported λ0 = 111.32, 203.66, 460.99 for k = 50, 100, 200; λ0 fitted here by "
                 "minimising the larger gap). Checked only at the paper's sizes (m, n) = (5, 10), k = 50, 100, 200, "
                 "so the full tier alone.", kind="experiment", tier="full")
def _fig2(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    return combine("Figure 2", {f"k={k}": check_fig2(ctx.rng(f"k{k}"), sizes.fig2.m, sizes.fig2.n, k,
                                                     sizes.fig2_horizon) for k in sizes.fig2_widths})


def fig3_times(Xd: np.ndarray, Yd: np.ndarray, U0: np.ndarray, V0: np.ndarray, T: float,
               level: float) -> tuple[float, float, float]:
    """Gradient flow on the mean losses l1(W) from W0 = U0V0ᵀ and l2(U, V) from (U0, V0) (sigmoid output): the times
    at which each reaches ``level``·its initial loss (inf if never within T), and the time resolution."""
    d, k = Xd.shape[1], U0.shape[1]
    sh = N.Shapes(((d, k), (d, k)))
    ts = np.linspace(0, T, 3001)
    s1 = N.flow(N.grad_sigmoid_one_layer(Xd, Yd), (U0 @ V0.T).ravel(), ts, rtol=1e-8)
    s2 = N.flow(N.grad_sigmoid_two_layer(Xd, Yd, k), N.Shapes.pack(U0, V0), ts, rtol=1e-8)
    l1 = np.array([0.5 * np.sum((Yd - N.sigmoid(Xd @ w.reshape(d, d))) ** 2) for w in s1["w"]])
    l2 = np.array([0.5 * np.sum((Yd - N.sigmoid(Xd @ sh.unpack(w)[0] @ sh.unpack(w)[1].T)) ** 2) for w in s2["w"]])
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


def check_fig3(rng: np.random.Generator, n_s: int, d: int, k: int, T: float, q_norm: float = 4.6,
               level: float = 0.1, reference_q_norm: float = 0.0) -> Result:
    """Reduced Figure 3: from the same product W0 = BBᵀ (so the one-layer model is the same run), the two-layer model
    with ‖Q0‖₂ = 4.6 reaches ``level`` × its initial loss before the balanced one (U0 = V0 = B, Q0 = 0; a test may
    pass another ``reference_q_norm``)."""
    Xd = rng.standard_normal((n_s, d))
    Ws = rng.standard_normal((d, d))
    Yd = N.sigmoid(Xd @ Ws) + 1e-3 * rng.standard_normal((n_s, d))
    B = math.sqrt(0.1) * rng.standard_normal((d, k))
    z = rng.standard_normal(k)
    U1, V1 = imbalanced_same_product(B, z, q_norm)
    Ub, Vb = (B, B) if reference_q_norm == 0 else imbalanced_same_product(B, z, reference_q_norm)
    t1, t2b, dt = fig3_times(Xd, Yd, Ub, Vb, T, level)
    _, t2i, _ = fig3_times(Xd, Yd, U1, V1, T, level)
    inst = {"t_one_layer": t1, "t_two_layer_balanced": t2b, "t_two_layer_imbalanced": t2i,
            "norm_Q0_imbalanced": float(np.linalg.norm(N.gram_difference(U1, V1), 2)), "level": level, "T": T}
    if not (np.isfinite(t2b) and np.isfinite(t2i)):
        return inconclusive("a two-layer run did not reach the loss level within the horizon", **inst)
    return from_threshold("time to the loss level: imbalanced minus balanced two-layer model", [t2i - t2b], 0.0,
                          [dt], instances=[inst])


@claim("matrix_factorization.fig3", section="5", equations=(), keys=(KEY + "figure-3-claim",),
       statement="Sigmoid output, reduced sizes, gradient flow on the mean loss, both factorisations of the same W0 "
                 "(so the one-layer run is common): imbalance (‖Q0‖₂ = 4.6 vs Q0 = 0) makes the two-layer model reach "
                 "10% of its initial loss sooner (level ours; the paper gives none).",
       kind="experiment")
def _fig3(ctx: Context) -> Result:
    sizes = EXPERIMENTS.of(ctx)
    return check_fig3(ctx.rng(), sizes.fig3_samples, sizes.fig3_dim, sizes.fig3_width,
                      sizes.fig3_horizon)


