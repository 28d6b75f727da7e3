"""Instances of the momentum_dln claims: tier profiles, data, initialisations and cached runs."""
from __future__ import annotations

# --- continuous time (MGF) -------------------------------------------------------------------------------
import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from checks.context import Context, stream_rng, stream_seed
from checks.profiles import TierProfiles
from checks.verdict import Result, inconclusive
from numerics import hyperbolic_entropy as HE
from numerics import momentum_flow as MF
from numerics.data import SparseRegression, sparse_regression
from numerics.flow import LOOSER

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


@functools.lru_cache(maxsize=None)
def mgf_run(seed: int, st: MGFSetting, lam: float, ratios: bool, looser: float | None = LOOSER) -> MF.MGFRun:
    """MGF(λ) from the paper's initialisation on the setting's data, to convergence (solved twice unless
    ``looser`` is None)."""
    data = mgf_data(seed, st)
    u0, v0 = MF.paper_initialisation(st.d, st.alpha)
    return MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, ratios=ratios, looser=looser, max_seconds=MGF_SECONDS)


@functools.lru_cache(maxsize=None)
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
    """A run's instance for the evidence: seed and stream of the data, the tier's setting, λ, horizon, crossings."""
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
    SWEPT.update(zip(todo, ctx.map(sweep_point, todo)))
    return {mu: tuple(SWEPT[ctx.seed, st, lam] for lam in lams) for mu, st in sts.items()}


def sweep_for(ctx: Context, mu: float | None = None) -> tuple[SweepPoint, ...]:
    """The λ sweep for one data mean (see :func:`sweeps_for`)."""
    return sweeps_for(ctx, (mu,))[mu]


# --- discrete time (MGD / SMGD) and the discretisation ---------------------------------------------------
