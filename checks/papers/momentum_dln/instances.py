"""Instances of the momentum_dln claims: tier profiles, data, initialisations and cached runs.

The first part serves the continuous-time claims (MGF runs, sweeps over λ); the second the discrete-time claims
and the discretisation (SMGD runs, the Figure 4 grid, the ε sweep, the architectures of Figures 2 and 6).
"""
from __future__ import annotations

import functools
import weakref
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from checks.context import Context, stream_rng, stream_seed
from checks.profiles import TierProfiles
from checks.shared import charged, shared_run
from checks.verdict import Result, inconclusive
from numerics import hyperbolic_entropy as HE
from numerics import momentum_flow as MF
from numerics.data import SparseRegression, random_quadratic, sparse_regression
from numerics.flow import LOOSER
from numerics.losses import DiagonalNetwork, Quadratic
from numerics.momentum_discrete import (
    EPS,
    GridTraining,
    SMGDRun,
    TrajectoryMP,
    appendix_d_terms_mp,
    deep_linear_network,
    distance_error_from_two_stops,
    relu_teacher_student,
    smgd,
    smgd_trajectory_mp,
)
from numerics.momentum_flow import MGFRun, solve_dln_mgf

# --- continuous time (MGF) -------------------------------------------------------------------------------
#: Prefix of the paper's inventory keys.
K = "momentum_dln:"
#: The paper's own threshold for "≈" / "≪" between predictors (§3.2.1 and App. F.2.1: normalised distance < 0.01).
PAPER_CLOSENESS = 0.01


@dataclass(frozen=True)
class MGFSetting:
    """Data model and initialisation scale of the continuous-time claims: x_i ~ N(μ1, I), s-sparse θ*, u₀ = α1,
    v₀ = 0 (App. F)."""

    n: int
    d: int
    s: int
    alpha: float
    mu: float = 1.0


#: the quick instance and the paper's (App. F)
MGF_QUICK = MGFSetting(5, 8, 2, 0.2)
MGF_PAPER = MGFSetting(20, 30, 5, 0.01)
#: a quick instance whose run at LAMBDA_MULTI has coordinates crossing zero twice (so the pair sums Q± of eq. 18 are
#: not empty); the full tier uses the paper's setting at that λ (48-58 crossings)
MGF_MULTI_QUICK = MGFSetting(5, 8, 2, 0.01)


@dataclass(frozen=True)
class MGFSizes:
    """The continuous-time instances of one tier."""

    #: the instance of the trajectory claims (and of the sweeps' data, at their means)
    setting: MGFSetting
    #: the instance whose coordinates cross zero twice at LAMBDA_MULTI (App. C.3.2)
    multi_setting: MGFSetting
    #: the λ of the experiments' sweeps (each sweep also has λ = 0, gradient flow)
    sweep_lambdas: tuple[float, ...]


MGF_SIZES = TierProfiles(quick=MGFSizes(MGF_QUICK, MGF_MULTI_QUICK, (0.02, 0.1, 0.5, 1.0)),
                         full=MGFSizes(MGF_PAPER, MGF_PAPER, (1e-3, 1e-2, 0.05, 0.1, 0.3, 1.0)))
#: λ giving trajectories whose weights cross zero (checked on the run; a run without crossings is reported).
LAMBDA_CROSSING = 0.5
#: λ at which the multi-crossing instance's coordinates cross zero twice.
LAMBDA_MULTI = 1.0
#: the λ → 0 sequence of §3.3 / App. C.5, on MGF_QUICK in both tiers (a limit in λ; the paper's α = 0.01 makes each
#: stiff solve minutes long)
SMALL_LAMBDAS = (0.01, 0.005, 0.0025, 0.00125)
#: data means of Figure 9 (App. F.2.1)
DATA_MEANS = (0.0, 0.5, 1.0, 1.5)
#: wall-clock budget (s) of one MGF solve (both solves); a run out of budget reads INCONCLUSIVE
MGF_SECONDS = 120.0
#: the random stream of the continuous-time data sets (one for every setting: the sweeps over μ share its draws). It
#: keeps its name from before the paper-rooted stream names: renamed "momentum_dln.mgf_data" (new draws), eight
#: full-tier verdicts changed (App. C.5 small λ, eqs. 18-20, Figures 8-9, θ^MGF vs θ^GF_Δ∞), so the data stay as
#: they were
MGF_DATA_STREAM = "momentum_dln_continuous/0"


@functools.lru_cache(maxsize=None)
def mgf_data(seed: int, st: MGFSetting) -> SparseRegression:
    """The seeded data set of a setting."""
    return sparse_regression(stream_rng(seed, MGF_DATA_STREAM), st.n, st.d, st.s, mu=st.mu)


def prop3_lambda_bound(data: SparseRegression, delta0: np.ndarray) -> float:
    """Prop. 3's bound λ ≤ n min_i Δ₀,ᵢ / ‖y‖²."""
    return data.X.shape[0] * float(np.min(delta0)) / float(data.y @ data.y)


@shared_run(maxsize=None)
def mgf_run(seed: int, st: MGFSetting, lam: float, ratios: bool, looser: float | None = LOOSER) -> MF.MGFRun:
    """MGF(λ) from the paper's initialisation on the setting's data, to convergence (solved twice unless
    ``looser`` is None)."""
    data = mgf_data(seed, st)
    u0, v0 = MF.paper_initialisation(st.d, st.alpha)
    return MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, ratios=ratios, looser=looser, max_seconds=MGF_SECONDS)


@shared_run(maxsize=None)
def mgf_error_run(seed: int, st: MGFSetting, lam: float, ratios: bool) -> MF.MGFRun:
    """:func:`mgf_run` at 1000× looser tolerances, solved once and with its dense output (for error estimates of
    integrals over the trajectory)."""
    data = mgf_data(seed, st)
    u0, v0 = MF.paper_initialisation(st.d, st.alpha)
    return MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, ratios=ratios, rtol=1e-8, atol=1e-12, looser=None,
                            max_seconds=MGF_SECONDS)


def positive_run(ctx: Context) -> MF.MGFRun:
    """MGF at λ = Prop. 3's bound (balancedness provably positive), with the ratio integrals."""
    st = MGF_SIZES.of(ctx).setting
    return mgf_run(ctx.seed, st, prop3_lambda_bound(mgf_data(ctx.seed, st), np.full(st.d, st.alpha ** 2)), True)


def crossing_run(ctx: Context) -> MF.MGFRun:
    """MGF at λ = LAMBDA_CROSSING (weights cross zero on the default instances)."""
    return mgf_run(ctx.seed, MGF_SIZES.of(ctx).setting, LAMBDA_CROSSING, False)


def small_lambda_runs(seed: int) -> tuple[MF.MGFRun, ...]:
    """MGF(λ) for λ in SMALL_LAMBDAS on MGF_QUICK, solved once each."""
    return tuple(mgf_run(seed, MGF_QUICK, lam, False, None) for lam in SMALL_LAMBDAS)


def describe_run(run: MF.MGFRun, ctx: Context) -> dict:
    """A run's instance for the evidence: seed and stream of the data, the tier's setting (or the drawn instance, for
    a run of :data:`DRAWN_RUNS`), λ, horizon, crossings."""
    if run in DRAWN_RUNS:
        return {**DRAWN_RUNS[run], "lambda": run.lam, "t_end": run.t_end, "crossings": len(run.crossings)}
    st = MGF_SIZES.of(ctx).setting
    return {"seed": ctx.seed, "stream": stream_seed(ctx.seed, MGF_DATA_STREAM), "n": st.n, "d": st.d,
            "s": st.s, "alpha": st.alpha, "mu": st.mu, "lambda": run.lam, "t_end": run.t_end,
            "crossings": len(run.crossings)}


def unconverged(run: MF.MGFRun, what: str) -> Result | None:
    """INCONCLUSIVE (saying why) if the run did not converge, else None."""
    if not run.flow.success:
        return inconclusive(f"{what}: the MGF solve failed ({MF.failure(run)})", lam=run.lam)
    return None


# initialisations and small instances of single claims
def mixed_initialisation(rng: np.random.Generator, st: MGFSetting) -> tuple[np.ndarray, np.ndarray]:
    """(Δ₀, θ₀) of u₀ = α·U(0.5, 1.5), v₀ = u₀·U(−0.9, 0.9) (a generic initialisation at the setting's scale)."""
    u0 = st.alpha * rng.uniform(0.5, 1.5, st.d)
    v0 = u0 * rng.uniform(-0.9, 0.9, st.d)
    return np.abs(u0 ** 2 - v0 ** 2), u0 * v0


def unit_initialisation(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(Δ, θ) in units of α² for u = U(0.5, 1.5), v = U(−0.4, 0.4): |u² − v²| and uv."""
    u, v = rng.uniform(0.5, 1.5, d), rng.uniform(-0.4, 0.4, d)
    return np.abs(u ** 2 - v ** 2), u * v


def footnote2_initialisation(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(u₀, v₀) with u₀,₀ = v₀,₀ and u₀,₁ = −v₀,₁ (footnote 2's invariant coordinates), generic elsewhere."""
    u0 = rng.uniform(0.1, 0.5, d)
    v0 = u0 * rng.uniform(-0.9, 0.9, d)
    v0[0], v0[1] = u0[0], -u0[1]
    return u0, v0


def lemma6_instance(rng: np.random.Generator) -> tuple[float, list[Callable[[np.ndarray], np.ndarray]]]:
    """λ and three bounded, integrable forcings g(t) = a cos(ωt) e^{−ct}."""
    forcings = []
    for _ in range(3):
        a, w, c = rng.uniform(-2, 2), rng.uniform(0.5, 5), rng.uniform(0.2, 1.0)
        forcings.append(lambda t, a=a, w=w, c=c: a * np.cos(w * t) * np.exp(-c * t))
    return float(rng.uniform(0.2, 2.0)), forcings


# λ sweeps of §3.2.1, §3.3 and App. F.2.1 (what the paper plots for each λ; shared by the experiments' claims)
@dataclass(frozen=True)
class SweepPoint:
    """What the paper plots for one λ (λ = 0 is gradient flow)."""

    lam: float
    delta_norm: float
    test_loss: float
    l1: float
    crossings: int
    normalised_distance: float  # ‖θ^MGF − θ^GF_Δ∞‖/‖θ^GF_Δ∞‖
    theta_tilde0_ratio: float  # ‖θ̃₀‖/min_{θ*∈S}‖θ*‖
    max_abs_w: float
    min_delta_inf: float
    error: float  # error estimate of θ^MGF
    theta_tilde0_error: float = 0.0  # error estimate of theta_tilde0_ratio (θ̃₀ amplifies errors of ∫∇L by e^{±2∫∇L})


def population_loss(theta: np.ndarray, theta_star: np.ndarray, mu: float) -> float:
    """Test (population) loss ½E[(⟨x, θ − θ*⟩)²] for x ~ N(μ1, I): ½(‖e‖² + μ²(Σe)²)."""
    e = theta - theta_star
    return 0.5 * float(e @ e + mu ** 2 * np.sum(e) ** 2)


def sweep_point(point: tuple[int, MGFSetting, float]) -> SweepPoint:
    """MGF(λ) to convergence (GF for λ = 0) on the seeded instance of a setting: what the paper plots for that λ.
    A module-level function of its point, so that the sweep runner may evaluate it in another process."""
    seed, st, lam = point
    data = mgf_data(seed, st)
    d = st.d
    if lam == 0:
        th = HE.gradient_flow_limit(data.X, data.y, np.full(d, st.alpha ** 2), np.zeros(d))
        return SweepPoint(0.0, float(np.linalg.norm(np.full(d, st.alpha ** 2))),
                          population_loss(th, data.theta_star, st.mu), float(np.sum(np.abs(th))), 0, 0.0, 0.0,
                          st.alpha, st.alpha ** 2, 0.0)
    min_norm = float(np.linalg.norm(np.linalg.pinv(data.X) @ data.y))
    run = mgf_run(seed, st, lam, False)
    if not run.flow.success:
        raise RuntimeError(f"MGF({lam}) did not converge: {MF.failure(run)}")
    lim = MF.limits(run)
    ref = HE.gradient_flow_limit(data.X, data.y, lim["delta"], np.zeros(d))
    return SweepPoint(lam, float(np.linalg.norm(lim["delta"])), population_loss(lim["theta"], data.theta_star, st.mu),
                      float(np.sum(np.abs(lim["theta"]))), len(run.crossings),
                      float(np.linalg.norm(lim["theta"] - ref) / np.linalg.norm(ref)),
                      float(np.linalg.norm(lim["theta_tilde0"])) / min_norm, run.max_abs_w,
                      float(lim["delta"].min()), run.spread(run.theta, 1.0),
                      run.spread(lambda s: np.linalg.norm(MF.limits(run, s)["theta_tilde0"]), 1.0) / min_norm)


#: SweepPoints computed so far, by (seed, setting, λ) (a sweep's points are shared by the claims that plot them)
SWEPT: dict[tuple[int, MGFSetting, float], SweepPoint] = {}


def sweeps_for(ctx: Context, mus: tuple[float | None, ...]) -> dict[float | None, tuple[SweepPoint, ...]]:
    """The λ sweep (GF and MGF(λ) for the tier's λs) on the tier's setting with data mean μ (None: the setting's
    own), for each μ of ``mus``; the points not yet computed go to the sweep runner together (``ctx.map``)."""
    sizes = MGF_SIZES.of(ctx)
    base = sizes.setting
    lams = (0.0,) + sizes.sweep_lambdas
    sts = {mu: base if mu is None else MGFSetting(base.n, base.d, base.s, base.alpha, mu) for mu in mus}
    todo = list(dict.fromkeys((ctx.seed, st, lam) for st in sts.values() for lam in lams
                              if (ctx.seed, st, lam) not in SWEPT))
    if todo:
        with charged("momentum_dln.instances.sweeps_for"):
            SWEPT.update(zip(todo, ctx.map(sweep_point, todo)))
    return {mu: tuple(SWEPT[ctx.seed, st, lam] for lam in lams) for mu, st in sts.items()}


def sweep_for(ctx: Context, mu: float | None = None) -> tuple[SweepPoint, ...]:
    """The λ sweep for one data mean (see :func:`sweeps_for`)."""
    return sweeps_for(ctx, (mu,))[mu]


# --- discrete time (MGD / SMGD) and the discretisation ---------------------------------------------------
CLOSENESS_SOURCE = "App. F.2: a normalised distance below 0.01 is the paper's '≈'"


def shared_data_stream(seed: int, what: str, *params: object) -> tuple[np.random.Generator, list[int]]:
    """The random stream ``momentum_dln.<what>[.params]`` of data several claims share, and its seed sequence."""
    return stream_rng(seed, f"momentum_dln.{what}", *params), stream_seed(seed, f"momentum_dln.{what}", *params)


#: Wall-clock budget of one MGF(λ) solve of the discrete-time experiments (both of its solves); a solve that runs
#: out is reported as failed, and it bounds the solver's dense output (paper-size solves take seconds).
DISCRETE_MGF_SECONDS = 300.0


# Theorem 2 family (Theorem 2, Lemmas 2 and 7, Corollary 3, the zero-hitting remark, the poster) ------------
@dataclass(frozen=True)
class SMGDSizes:
    """Data (n, d, s), the step sizes γ = c/h_max for c in ``step_grid``, the step limit, and the steps at which
    the full-batch runs record S±, θ and α± (doubling windows, for Lemmas 2 and 7)."""

    n: int
    d: int
    s: int
    step_grid: tuple[float, ...]
    max_steps: int
    record_steps: tuple[int, ...]


#: quick is tiny, full is the paper's (n, d, s) = (20, 30, 5)
SMGD_SIZES = TierProfiles(
    quick=SMGDSizes(4, 6, 2, (0.2, 0.4), 60_000, tuple(125 * 2 ** j for j in range(8))),
    full=SMGDSizes(20, 30, 5, (0.05, 0.1, 0.2, 0.4), 1_000_000, tuple(125 * 2 ** j for j in range(13))))
#: the momenta of the Theorem 2 grid
SMGD_BETAS = (0.0, 0.5, 0.8)
SAMPLINGS = ("full", "with_replacement", "without_replacement")


@dataclass(frozen=True)
class SMGDInstance:
    """Data, initialisation (w±,0 = u₀ ± v₀) and a grid of (γ, β), with the seed stream that drew them; (μ, σ) of
    the data model give the population risk (:func:`test_loss`)."""

    data: SparseRegression
    wp0: np.ndarray
    wm0: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    stream: list[int]
    mu: float = 1.0
    sigma: float = 1.0

    @property
    def alpha(self) -> float:
        """α = max(‖u₀‖∞, ‖v₀‖∞)."""
        return float(max(np.abs(self.wp0 + self.wm0).max(), np.abs(self.wp0 - self.wm0).max()) / 2)

    def describe(self) -> dict:
        """(n, d), the seed stream and α, for report rows."""
        n, d = self.data.X.shape
        return {"n": n, "d": d, "seed_stream": self.stream, "alpha": self.alpha}


def test_loss(theta: np.ndarray, inst: SMGDInstance) -> np.ndarray:
    """Population risk ½E[(⟨x, θ − θ*⟩)²] for x ~ N(μ1, σ²I): ½(σ²‖e‖² + μ²(1ᵀe)²), e = θ − θ*."""
    e = np.asarray(theta) - inst.data.theta_star
    return 0.5 * (inst.sigma ** 2 * np.sum(e * e, axis=-1) + inst.mu ** 2 * np.sum(e, axis=-1) ** 2)


def smgd_instance(seed: int, sizes: SMGDSizes) -> SMGDInstance:
    """Uncentred sparse regression and a random init with |v₀| < |u₀| (so θ̃₀ ≠ 0), on the (γ, β) grid."""
    rng, seed_stream = shared_data_stream(seed, "smgd_instance")
    data = sparse_regression(rng, sizes.n, sizes.d, sizes.s)
    u = rng.uniform(0.3, 0.8, sizes.d)
    v = u * rng.uniform(-0.8, 0.8, sizes.d)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / sizes.n).max())
    cc, bb = np.meshgrid(np.array(sizes.step_grid), np.array(SMGD_BETAS), indexing="ij")
    return SMGDInstance(data, u + v, u - v, (cc / h).ravel(), bb.ravel(), seed_stream)


@shared_run(maxsize=8)
def theorem2_runs(seed: int, sizes: SMGDSizes, sampling: str) -> tuple[SMGDInstance, SMGDRun]:
    """SMGD on the grid of :func:`smgd_instance`: full batch (recording at ``sizes.record_steps``) or batches of
    size n/2 drawn with or without replacement."""
    inst = smgd_instance(seed, sizes)
    kw: dict = ({"record": sizes.record_steps} if sampling == "full" else
                {"batch_size": max(1, sizes.n // 2), "rng": shared_data_stream(seed, "smgd_batches", sampling)[0]})
    run = smgd(inst.data.network(), inst.wp0, inst.wm0, inst.gamma, inst.beta, sizes.max_steps, sampling=sampling,
               **kw)
    return inst, run


def runs_of_every_sampling(seed: int, sizes: SMGDSizes) -> list[SMGDRun]:
    """The runs of :func:`theorem2_runs` in the order of :data:`SAMPLINGS` (full batch first)."""
    return [theorem2_runs(seed, sizes, s)[1] for s in SAMPLINGS]


# Exact identities along iterates (App. D.1, Lemma 7) -----------------------------------------------------
@dataclass(frozen=True)
class IdentitySizes:
    """Steps of the mpmath trajectories."""

    steps: int


IDENTITY_SIZES = TierProfiles(quick=IdentitySizes(40), full=IdentitySizes(150))
#: one (data, w₊,₀, w₋,₀, γ, β) of an mpmath trajectory
IdentityInstance = tuple[SparseRegression, np.ndarray, np.ndarray, float, float]
#: one mpmath trajectory, its App. D.1 terms (numerics.momentum_discrete.appendix_d_terms_mp) and a report row
Trajectory = tuple[TrajectoryMP, dict, dict]


def identity_instances(seed: int) -> list[IdentityInstance]:
    """Two small SMGD instances for full-precision runs: one without and one with sign changes of w±."""
    rng, _ = shared_data_stream(seed, "identity_instances")
    data = sparse_regression(rng, 3, 4, 2)
    u = rng.uniform(0.3, 0.8, 4)
    v = u * rng.uniform(-0.8, 0.8, 4)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / 3).max())
    return [(data, u + v, u - v, 0.1 / h, 0.5), (data, u + v, u - v, 0.4 / h, 0.8)]


@shared_run(maxsize=4)
def identity_trajectories(seed: int, sizes: IdentitySizes, dps: int) -> list[Trajectory]:
    """The mpmath trajectories of :func:`identity_instances` at ``dps`` digits, with their App. D.1 terms."""
    steps = sizes.steps
    seed_stream = shared_data_stream(seed, "identity_instances")[1]
    out = []
    for data, wp0, wm0, g, b in identity_instances(seed):
        tr = smgd_trajectory_mp(data.X, data.y, wp0, wm0, g, b, steps, dps=dps)
        info = {"gamma": g, "beta": b, "steps": steps, "dps": dps, "seed_stream": seed_stream,
                "sign_changes": sum(1 for W in (tr.wp, tr.wm) for k in range(steps) for j in range(4)
                                    if W[k + 1][j] * W[k][j] < 0)}
        out.append((tr, appendix_d_terms_mp(tr), info))
    return out


# Figure 4 (and Figures 7, App. F.2.2, eq. (10)): MGD on a (λ, β) grid ------------------------------------
@dataclass(frozen=True)
class Figure4Sizes:
    """Data (n, d, s), the init scale α, λ in units of 1/h_max (h_max the top eigenvalue of XᵀX/n), the momenta, the
    step limit and the two stops: a run counts as converged once its training loss is below ``snapshot_loss``
    (the paper reports < 1e-8 at the end of its runs); it goes on to ``stop_loss`` (or the step limit), and the
    change of θ and Δ between the two stops is the error estimate of the end point."""

    n: int
    d: int
    s: int
    alpha: float
    lam_h: tuple[float, ...]
    betas: tuple[float, ...]
    max_steps: int
    snapshot_loss: float
    stop_loss: float


#: quick: a small instance and a 4 × 3 (λ, β) grid; full: (n, d, s) = (20, 30, 5), α = 0.01, a 6 × 5 grid,
#: up to 10⁶ epochs
FIGURE4_SIZES = TierProfiles(
    quick=Figure4Sizes(4, 6, 2, 0.02, (1.0, 3.0, 10.0, 30.0), (0.0, 0.5, 0.75), 40_000, 1e-10, 1e-16),
    full=Figure4Sizes(20, 30, 5, 0.01, (0.3, 1.0, 3.0, 10.0, 30.0, 100.0), (0.0, 0.5, 0.75, 0.875, 0.9375),
                      1_000_000, 1e-10, 1e-16))
#: dual residual of the Bregman projections θ^GF_Δ; their error is measured against a solve 1000× looser
PROJECTION_TOL = 1e-13


@dataclass(frozen=True)
class Figure4Grid:
    """MGD runs on a (λ, β) grid (γ = λ(1−β)²) from the paper's init u₀ = α1, v₀ = 0, with what Figure 4
    plots: test loss, ‖Δ∞‖₂, ‖θ‖₁; and θ^GF_Δ∞ = argmin_S ψ_Δ∞ with the normalised distance to it."""

    inst: SMGDInstance
    lam: np.ndarray
    run: SMGDRun
    ok: np.ndarray
    test: np.ndarray
    l1: np.ndarray
    dnorm: np.ndarray
    rel_err: np.ndarray
    dist: np.ndarray
    dist_err: np.ndarray
    theta_gf0: np.ndarray
    settings: dict


def end_point_error(run: SMGDRun, ok: np.ndarray) -> np.ndarray:
    """Error estimate of a converged run's end point: how much θ (relative to ‖θ‖∞) and Δ (relative, per
    coordinate) moved between the snapshot at loss <= snapshot_loss and the end (loss <= stop_loss or the step
    limit). The iterates contract geometrically, so the end point is at least this close to the limit."""
    with np.errstate(invalid="ignore", divide="ignore"):
        snap_theta = (run.snapshot_wp ** 2 - run.snapshot_wm ** 2) / 4
        d_theta = np.abs(run.theta - snap_theta).max(-1) / np.abs(run.theta).max(-1)
        d_delta = (np.abs(run.delta - np.abs(run.snapshot_wp * run.snapshot_wm)) / run.delta).max(-1)
    return np.where(ok, np.maximum(d_theta, d_delta), np.nan)


def distances_to_gf(data: SparseRegression, run: SMGDRun, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per converged run, ‖θ − θ^GF_Δ∞‖₂/‖θ^GF_Δ∞‖₂ (θ^GF_Δ = argmin_S ψ_Δ, a Bregman projection) and its error:
    the run's distance to its limit (:func:`distance_error_from_two_stops`), the projection's error (vs the
    looser solve) and the rounding of the two norms (d terms each)."""
    d = data.X.shape[1]
    net = data.network()
    snap_theta = (run.snapshot_wp ** 2 - run.snapshot_wm ** 2) / 4
    dist, dist_err = np.full(run.gamma.size, np.nan), np.full(run.gamma.size, np.nan)
    for i in np.flatnonzero(ok):
        ref, info = HE.argmin_bregman(data.X, data.y, run.delta[i], np.zeros(d), tol=PROJECTION_TOL)
        loose, info_l = HE.argmin_bregman(data.X, data.y, run.delta[i], np.zeros(d), tol=1e3 * PROJECTION_TOL)
        snap_delta = np.abs(run.snapshot_wp[i] * run.snapshot_wm[i])
        ref_s, info_s = HE.argmin_bregman(data.X, data.y, snap_delta, np.zeros(d), tol=PROJECTION_TOL)
        if info["converged"] and info_s["converged"] and info_l["converged"]:
            dist[i] = np.linalg.norm(run.theta[i] - ref) / np.linalg.norm(ref)
            dist_err[i] = (distance_error_from_two_stops(
                dist[i], np.linalg.norm(snap_theta[i] - ref_s) / np.linalg.norm(ref_s),
                float(net.loss_theta(run.theta[i])), float(net.loss_theta(snap_theta[i])))
                + abs(np.linalg.norm(run.theta[i] - loose) / np.linalg.norm(loose) - dist[i])
                + 4 * d * EPS * (1 + dist[i]))
    return dist, dist_err


@shared_run(maxsize=8)
def figure4_grid(seed: int, sizes: Figure4Sizes, mu: float = 1.0) -> Figure4Grid:
    """The Figure 4 grid at the tier's sizes (data with mean ``mu``), its runs and what the checks measure."""
    # The grid keeps its former stream name: on the stream momentum_dln.figure4.<mu>, the quick tier's
    # momentum_dln.fig4.balancedness_sparsity turns from INCONCLUSIVE (Spearman 0.87, 0.93) to REFUTED (0.63, -0.98).
    stream = f"figure4-mu{mu}"
    rng, seed_stream = stream_rng(seed, stream), stream_seed(seed, stream)
    data = sparse_regression(rng, sizes.n, sizes.d, sizes.s, mu=mu)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / sizes.n).max())
    L, B = np.meshgrid(np.array(sizes.lam_h) / h, np.array(sizes.betas), indexing="ij")
    lam, bet = L.ravel(), B.ravel()
    w0 = np.full(sizes.d, sizes.alpha)
    inst = SMGDInstance(data, w0, w0, lam * (1 - bet) ** 2, bet, seed_stream, mu=mu)
    run = smgd(data.network(), w0, w0, inst.gamma, bet, sizes.max_steps, stop_loss=sizes.stop_loss,
               track_sums=False, snapshot_loss=sizes.snapshot_loss)
    ok = (run.snapshot_step >= 0) & np.all(np.isfinite(run.wp), -1) & np.all(run.delta > 0, -1)
    theta = np.where(ok[:, None], run.theta, np.nan)
    dist, dist_err = distances_to_gf(data, run, ok)
    gf0, _ = HE.argmin_bregman(data.X, data.y, np.full(sizes.d, sizes.alpha ** 2), np.zeros(sizes.d),
                               tol=PROJECTION_TOL)
    return Figure4Grid(inst, lam, run, ok, test_loss(theta, inst), np.abs(theta).sum(-1),
                       np.linalg.norm(np.where(ok[:, None], run.delta, np.nan), axis=-1), end_point_error(run, ok),
                       dist, dist_err, gf0, {**asdict(sizes), "h_max": h, "seed_stream": inst.stream})


@shared_run(maxsize=4)
def mgf_for_grid(seed: int, sizes: Figure4Sizes) -> dict[float, MGFRun]:
    """MGF(λ) from the Figure 4 init, one solve per λ of the grid (Figure 7)."""
    gr = figure4_grid(seed, sizes)
    u0 = np.full(sizes.d, sizes.alpha)
    return {float(lam): solve_dln_mgf(gr.inst.data.X, gr.inst.data.y, u0, np.zeros(sizes.d), float(lam),
                                      loss_tol=1e-22, max_seconds=DISCRETE_MGF_SECONDS)
            for lam in np.unique(gr.lam)}


# ε sweep at fixed λ (Figure 4's corrected form, App. D.2) --------------------------------------------------
@dataclass(frozen=True)
class EpsSweepSizes:
    """Data (n, d, s), the init scale α and the step limit of the MGD runs."""

    n: int
    d: int
    s: int
    alpha: float
    max_steps: int


#: Both tiers: five values of ε (four halvings, so the order fits have four points). At paper size the steps to
#: converge double with each halving (1.5e5 at ε = λ to 2.5e6 at λ/16); λ/32 and λ/64 (in the full tier before
#: 2026-11-23) need about 5e6 and 1e7 steps and did not converge within its 4e6-step limit.
EPS_SWEEP_SIZES = TierProfiles(quick=EpsSweepSizes(5, 8, 2, 0.3, 400_000),
                               full=EpsSweepSizes(20, 30, 5, 0.1, 4_000_000))


@dataclass(frozen=True)
class EpsSweep:
    """MGD runs at fixed λ = 1/h_max with ε = λ(1−β) halved from β = 0, and the MGF(λ) solve with ∫(ẇ±/w±)²."""

    data: SparseRegression
    lam: float
    beta: np.ndarray
    eps: np.ndarray
    run: SMGDRun
    flow: MGFRun
    w0: np.ndarray
    seed_stream: list[int]
    alpha: float


@shared_run(maxsize=4)
def eps_sweep(seed: int, sizes: EpsSweepSizes) -> EpsSweep:
    """The ε sweep (no sign change at this λ). Runs stop at training loss 1e-16 (or stagnation): the S± terms left
    to add are then of the order of the loss, far below the gaps the order fits measure (>= 1e-4 at paper size)."""
    rng, seed_stream = shared_data_stream(seed, "eps_sweep")
    data = sparse_regression(rng, sizes.n, sizes.d, sizes.s)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / sizes.n).max())
    lam = 1.0 / h
    bet = 1 - 0.5 ** np.arange(0, 5)
    w0 = np.full(sizes.d, sizes.alpha)
    run = smgd(data.network(), w0, w0, lam * (1 - bet) ** 2, bet, sizes.max_steps, stop_loss=1e-16)
    flow = solve_dln_mgf(data.X, data.y, w0, np.zeros(sizes.d), lam, ratios=True, loss_tol=1e-24,
                         max_seconds=DISCRETE_MGF_SECONDS)
    return EpsSweep(data, lam, bet, lam * (1 - bet), run, flow, w0, seed_stream, sizes.alpha)


# General architectures (Figures 2 and 6) -------------------------------------------------------------------
@dataclass(frozen=True)
class ArchitectureSizes:
    """Grid points per axis of the (γ, β) grid; Figure 2's step limit; Figure 6's network (layer widths, input
    first), data (n, s), epochs and replications."""

    grid_points: int
    relu_max_steps: int
    widths: tuple[int, ...]
    n: int
    s: int
    epochs: int
    replications: int


#: full: Figure 6 as the paper runs it (widths 30, 60, 120, 60, 1; (n, s) = (20, 5); 1000 epochs; 5 replications)
ARCHITECTURE_SIZES = TierProfiles(quick=ArchitectureSizes(4, 5_000, (10, 12, 12, 1), 8, 2, 300, 2),
                                  full=ArchitectureSizes(8, 100_000, (30, 60, 120, 60, 1), 20, 5, 1000, 5))
#: a deep network at N(0, 0.1²) init is stable only for small steps: Figure 6's γ are Figure 2's times this,
#: from 0.0005 to 0.01
FIGURE6_STEP_SCALE = 0.05
FIGURE6_GAMMA_RANGE = (0.0005, 0.01)


def architecture_grid(sizes: ArchitectureSizes, step_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(γ, β) grid of Figures 2 and 6, flattened: γ geometric from 0.01 to 0.2 (times ``step_scale``), β from 0
    to 0.9."""
    k = sizes.grid_points
    g, b = np.meshgrid(np.geomspace(0.01, 0.2, k), np.linspace(0.0, 0.9, k), indexing="ij")
    return g.ravel() * step_scale, b.ravel()


def architecture_grid_description(sizes: ArchitectureSizes, gamma_range: tuple[float, float] = (0.01, 0.2)) -> dict:
    """The grid of :func:`architecture_grid` for a report: the ranges of γ and β and the number of points."""
    return {"gamma_range": list(gamma_range), "beta_range": [0.0, 0.9], "points": sizes.grid_points ** 2}


def figure2_training(rng: np.random.Generator, sizes: ArchitectureSizes) -> GridTraining:
    """Figure 2: the ReLU teacher-student network trained by MGD on every grid point."""
    g, b = architecture_grid(sizes)
    return relu_teacher_student(rng, g, b, max_steps=sizes.relu_max_steps)


def figure6_replications(rng_of: Callable[[int], np.random.Generator], sizes: ArchitectureSizes) -> list[GridTraining]:
    """Figure 6: the deep linear network trained by MGD on every grid point, once per replication r (data and init
    from ``rng_of(r)``)."""
    g, b = architecture_grid(sizes, FIGURE6_STEP_SCALE)
    return [deep_linear_network(rng_of(r), g, b, widths=sizes.widths, n=sizes.n, s=sizes.s, epochs=sizes.epochs)
            for r in range(sizes.replications)]


# §2 and App. A: MGD against MGF ------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A loss (its gradient) with an initial point and a description for the report; ``quad`` when it is a
    quadratic (then MGF has a closed form)."""

    grad: Callable[[np.ndarray], np.ndarray]
    w0: np.ndarray
    label: str
    quad: Quadratic | None = None


@dataclass(frozen=True)
class DiscretisationSizes:
    """The diagonal network's data (n, d, s) and init scale α; γ = 2^−j for j in ``gd_step_exponents`` (the GD
    side of the acceleration rule) and λ = 2^−j for j in ``small_gamma_exponents`` (the γ → 0 regime)."""

    n: int
    d: int
    s: int
    alpha: float
    gd_step_exponents: tuple[int, int]
    small_gamma_exponents: tuple[int, int]


#: At the paper's size the local slopes between successive halvings only settle from 2⁻⁸ on (see the checks).
DISCRETISATION_SIZES = TierProfiles(quick=DiscretisationSizes(6, 8, 2, 0.5, (5, 11), (5, 10)),
                                    full=DiscretisationSizes(20, 30, 5, 0.5, (8, 14), (8, 14)))


def dln_problem(rng: np.random.Generator, seed_stream: list[int], sizes: DiscretisationSizes) -> Problem:
    """The paper's data model at the tier's size, u0 = α1 and v0 = 0 perturbed off the saddle."""
    n, d, s, alpha = sizes.n, sizes.d, sizes.s, sizes.alpha
    data = sparse_regression(rng, n, d, s)
    net = DiagonalNetwork(data.X, data.y)
    w0 = np.concatenate([np.full(d, alpha), 0.1 * alpha * rng.standard_normal(d)])
    return Problem(net.grad, w0, f"diagonal network (n, d, s) = ({n}, {d}, {s}), α = {alpha}, seed {seed_stream}")


def quadratic_problem(rng: np.random.Generator, seed_stream: list[int], d: int = 2) -> Problem:
    """A random quadratic with spectrum in [0.1, 1] and a random start."""
    q = random_quadratic(rng, d, 0.1, 1.0)
    return Problem(q.grad, q.w_star + rng.standard_normal(d), f"quadratic d = {d}, seed {seed_stream}", q)


#: Figure 1's (γ, β) are not given in the text: we take λ = 1 with β ∈ {0.9, 0.95, 0.99} (γ = (1−β)²).
FIGURE1_PARAMS = ((0.01, 0.9), (0.0025, 0.95), (1e-4, 0.99))
FIGURE1_NOTE = ("the figure's (γ, β) are not in the text; λ = 1 with β = 0.9, 0.95, 0.99 on a random 2D quadratic "
                "is our choice")
FIGURE1_HORIZON = 60.0


def figure1_setting(seed: int) -> tuple[Problem, tuple[tuple[float, float], ...], float]:
    """Figure 1's kind of problem: a random 2D quadratic (spectrum [0.1, 1]), our (γ, β) pairs, horizon t = 60."""
    return (quadratic_problem(*shared_data_stream(seed, "figure1"), d=2), FIGURE1_PARAMS,
            FIGURE1_HORIZON)


def appA_problem(rng: np.random.Generator, seed_stream: list[int]) -> tuple[Problem, DiagonalNetwork]:
    """App. A's comparison at the paper's size: (n, d, s) = (20, 30, 5), α = 0.1, u0 = α1, v0 = 0."""
    n, d, s, alpha = (20, 30, 5, 0.1)
    data = sparse_regression(rng, n, d, s)
    net = DiagonalNetwork(data.X, data.y)
    w0 = np.concatenate([np.full(d, alpha), np.zeros(d)])
    return Problem(net.grad, w0, f"(n, d, s) = ({n}, {d}, {s}), α = {alpha}, u0 = α1, v0 = 0, seed {seed_stream}"), net


# --- drawn instances (checks.papers.momentum_dln.hypotheses_flow) ------------------------------------------
#: the description of each run solved on a drawn instance, read by describe_run
DRAWN_RUNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
