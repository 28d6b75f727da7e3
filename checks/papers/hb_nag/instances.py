"""Instances of the hb_nag claims: the tier profiles, the regression instances of §1, §3 and App. D with their
cached HB/NAG flows, and the data and cached training runs of the experiments (§3.2, §3.3, §3.5, App. B).

Every random instance comes from a named stream of the run's seed: data that several claims share from
``hb_nag.<what>.<params>`` (:func:`checks.context.stream_rng`), cached on (seed, profile, …); a claim's own data
from its stream ``<claim id>[.part]`` (:meth:`checks.context.Context.rng`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from checks.context import Context, stream_rng, stream_seed
from checks.profiles import TierProfiles
from numerics import hb_nag as N

#: Prefix of the paper's inventory keys (``shared/claims.json``).
K = "hb_nag:"
#: Momentum of the η-scaling checks (α = 1.5η for HB, η for NAG).
MU = 0.5
#: The learning rates of the flows whose residuals and limits are fitted in η.
ETAS_FLOW = (0.01, 0.005, 0.0025, 0.00125)


# --- the flow claims (§1, §3, App. C, App. D) -------------------------------------------------------------
@dataclass(frozen=True)
class FlowProfile:
    """Sizes and horizons of the flow claims' instances in one tier."""

    #: names the instances' random streams (``hb_nag.instance.<tier>.<biased>``)
    tier: str
    #: samples and dimension of the regression instance
    n: int
    d: int
    #: T of the converged HB/NAG flows (and of their α = 0 limits)
    horizon: float
    #: T of the gradient flows of §3 and Prop. 2
    gf_horizon: float
    #: the horizon [0, T] of Prop. 1's order check
    order_horizon: float
    #: whether Prop. 1's check also fits the orders of alternative α and initial velocities (evidence)
    order_alternatives: bool
    #: (n, d) of §1's single-layer regression
    single_layer: tuple[int, int]


FLOWS = TierProfiles(
    quick=FlowProfile("quick", n=4, d=8, horizon=40.0, gf_horizon=400.0, order_horizon=0.5,
                      order_alternatives=False, single_layer=(5, 12)),
    full=FlowProfile("full", n=10, d=20, horizon=200.0, gf_horizon=1000.0, order_horizon=2.0,
                     order_alternatives=True, single_layer=(40, 100)))


@dataclass(frozen=True)
class Instance:
    """A seeded regression instance with an initialisation (u0, v0)."""

    X: np.ndarray
    y: np.ndarray
    u0: np.ndarray
    v0: np.ndarray
    seed: list[int]

    @property
    def net(self) -> N.SquareNet:
        return N.SquareNet(self.X, self.y)

    @property
    def xi(self) -> np.ndarray:
        return np.abs(self.u0 * self.v0)

    @property
    def theta0(self) -> np.ndarray:
        return self.u0 ** 2 - self.v0 ** 2

    def describe(self) -> dict:
        return {"seed": self.seed, "n": int(self.X.shape[0]), "d": int(self.X.shape[1]),
                "u0": self.u0, "v0": self.v0}


@lru_cache(maxsize=16)
def instance(seed: int, profile: FlowProfile, biased: bool) -> Instance:
    """Data with 2 non-zeros of size n × d; u0 = 0.3·1 and v0 = u0 (unbiased) or u0 + 0.2·N(0, I)."""
    stream = ("hb_nag.instance", profile.tier, biased)
    rng = stream_rng(seed, *stream)
    X, y, _ = N.sparse_instance(rng, profile.n, profile.d, 2)
    u0 = np.full(profile.d, 0.3)
    v0 = u0 + 0.2 * rng.standard_normal(profile.d) if biased else u0.copy()
    return Instance(X, y, u0, v0, stream_seed(seed, *stream))


@lru_cache(maxsize=64)
def converged_flow(seed: int, profile: FlowProfile, biased: bool, method: str, eta: float, mu: float = MU,
                   dense: int = 200) -> N.FlowPath:
    """HB/NAG flow (eq. 17, App. D's initial velocity −∇L/(1−μ)) run to convergence, on a grid of ``dense`` times
    (log-spaced after t = 1) so the trajectory claims and the limit claims share one solve. α = 0 if eta = 0."""
    inst = instance(seed, profile, biased)
    alpha = 0.0 if eta == 0 else N.flow_alpha(method, eta, mu)
    T = profile.horizon
    t = np.unique(np.concatenate([np.linspace(0, 1, dense // 2), np.geomspace(1, T, dense // 2)]))
    return N.flow(inst.net, inst.u0, inst.v0, alpha, mu, t)


@dataclass(frozen=True)
class FlowCase:
    """One instance with its HB or NAG flows at the learning rates ``etas`` (μ = MU)."""

    method: str
    biased: bool
    instance: Instance
    etas: tuple[float, ...]
    paths: tuple[N.FlowPath, ...]

    @property
    def label(self) -> str:
        return f"{self.method}, {'biased' if self.biased else 'unbiased'}"


def flow_case(ctx: Context, biased: bool, method: str) -> FlowCase:
    """The run's instance (biased or not) and its converged ``method`` flows at every η of ETAS_FLOW."""
    profile = FLOWS.of(ctx)
    paths = tuple(converged_flow(ctx.seed, profile, biased, method, eta) for eta in ETAS_FLOW)
    return FlowCase(method, biased, instance(ctx.seed, profile, biased), ETAS_FLOW, paths)


def flow_cases(ctx: Context, biased_cases: tuple[bool, ...] = (False, True)) -> tuple[FlowCase, ...]:
    """:func:`flow_case` for each initialisation of ``biased_cases`` and each method (HB, then NAG)."""
    return tuple(flow_case(ctx, biased, method) for biased in biased_cases for method in N.METHODS)


def flow_instance(ctx: Context, biased: bool) -> Instance:
    """The run's regression instance, biased or not."""
    return instance(ctx.seed, FLOWS.of(ctx), biased)


@lru_cache(maxsize=4)
def gradient_flow(seed: int, profile: FlowProfile, biased: bool) -> N.FlowPath:
    """Gradient flow u̇ = −∇_uL, v̇ = −∇_vL (α = 0, μ = 0) on the instance, at t = 0, T/2 and T."""
    inst = instance(seed, profile, biased)
    T = profile.gf_horizon
    return N.flow(inst.net, inst.u0, inst.v0, 0.0, 0.0, np.array([0.0, T / 2, T]))


def rescaled_gradient_flows(ctx: Context) -> dict[bool, N.FlowPath]:
    """The α = 0 limit of the HB/NAG flows (μ = MU), unbiased and biased, on the converged flows' grid."""
    profile = FLOWS.of(ctx)
    return {biased: converged_flow(ctx.seed, profile, biased, "hb", 0.0) for biased in (False, True)}


@lru_cache(maxsize=4)
def orthogonal_instance(seed: int) -> Instance:
    """X (n = 8, d = 4) with orthogonal columns, y = Xθ*, u0 = v0 = 0.3·1: Σ_i ε_ij is then constant along the
    flow."""
    stream = "hb_nag.orthogonal"
    rng = stream_rng(seed, stream)
    q, _ = np.linalg.qr(rng.standard_normal((8, 4)))
    X = q * rng.uniform(1.0, 3.0, size=4)
    u0 = np.full(4, 0.3)
    return Instance(X, X @ rng.standard_normal(4), u0, u0.copy(), stream_seed(seed, stream))


@dataclass(frozen=True)
class LinearProblem:
    """§1's single-layer regression f(x; β) = βᵀx: data (X, y), an initialisation β0, and their seed sequence."""

    X: np.ndarray
    y: np.ndarray
    beta0: np.ndarray
    seed: list[int]


def single_layer_problem(ctx: Context) -> LinearProblem:
    """Gaussian X, y and β0 of the tier's size, from the claim's own stream."""
    n, d = FLOWS.of(ctx).single_layer
    rng = ctx.rng()
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    return LinearProblem(X, y, rng.standard_normal(d), ctx.stream_seed())


def symmetric_initialisation(rng: np.random.Generator, d: int) -> tuple[np.ndarray, np.ndarray]:
    """u0 ~ U(0.1, 0.5)^d and v0 = ±u0 (random signs): |u(0)| = |v(0)| (App. D.4)."""
    u0 = rng.uniform(0.1, 0.5, d)
    return u0, u0 * rng.choice([-1.0, 1.0], d)


# --- the experiments (§3.2, §3.3, §3.5, App. B) -------------------------------------------------------------
@dataclass(frozen=True)
class ExperimentProfile:
    """Sizes of the experiments in one tier: quick n = 10, d = 30, 3-sparse θ*; full the paper's n = 40,
    d = 100, 5-sparse θ*."""

    #: names the data's random stream (``hb_nag.experiment.<tier>``)
    tier: str
    n: int
    d: int
    #: non-zeros of θ*
    s: int
    #: steps allowed per training run
    train_budget: int


EXPERIMENTS = TierProfiles(quick=ExperimentProfile("quick", n=10, d=30, s=3, train_budget=60_000),
                           full=ExperimentProfile("full", n=40, d=100, s=5, train_budget=1_000_000))

#: ‖ξ‖₁ grid of Figs. 1 and 5 (increasing); the paper prints no tick values
XI_GRID = (0.002, 0.01, 0.05, 0.25)
#: Fig. 2(a)'s grid, around the scales of Figs. 2(b) and 4 (0.0022, 0.0046, 0.01): at ‖ξ‖₁ = 0.25 with φ = 0.03,
#: v(0) = c/φ is so large that every method diverges at η = 0.1 (full tier)
XI_GRID_BIASED = (0.0022, 0.0046, 0.01, 0.02)
#: φ grid of Figs. 2(b) and 4
PHI_GRID = (0.03, 0.1, 0.3, 1.0)
#: η and μ of Figs. 3 and 7 (decreasing)
ETA_SWEEP = (0.02, 0.01, 0.005, 0.0025)
MU_SWEEP = (0.9, 0.7, 0.5, 0.3)
#: ‖ξ‖₁ of Figs. 3 and 7
GAP_LEVEL = (0.124,)
#: training stops (first stop of numerics.hb_nag.train) when the loss is below this times max(1, L(θ(0)))
LOSS_TOL = 1e-8
#: the algorithms of the experiments
ALGOS = ("gd", "sgd", "hb", "nag")


@dataclass(frozen=True)
class ExperimentData:
    """§3.2's data (X, y = Xθ*), the fixed Gaussian ρ of App. B.1/B.3, the seed sequence and the sizes (n, d, s)."""

    X: np.ndarray
    y: np.ndarray
    theta_star: np.ndarray
    rho: np.ndarray
    seed: list[int]
    sizes: tuple[int, int, int]


@lru_cache(maxsize=4)
def experiment_data(seed: int, profile: ExperimentProfile) -> ExperimentData:
    """x_i ~ N(0, I_d), θ* with s non-zero N(0,1) entries, y = Xθ*, then ρ ~ N(0, I_d)."""
    stream = ("hb_nag.experiment", profile.tier)
    rng = stream_rng(seed, *stream)
    X, y, th = N.sparse_instance(rng, profile.n, profile.d, profile.s)
    return ExperimentData(X, y, th, rng.standard_normal(profile.d), stream_seed(seed, *stream),
                          (profile.n, profile.d, profile.s))


def run_data(ctx: Context) -> ExperimentData:
    """The experiments' data of the run (seed and tier)."""
    return experiment_data(ctx.seed, EXPERIMENTS.of(ctx))


def initialisations(rho: np.ndarray, init: str, level: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """A batch of initialisations: 'unbiased' (u = v = c, level = ‖ξ‖₁ values), 'phi' (u = φc, v = c/φ;
    level = (‖ξ‖₁, φ…)), 'rho' (u = c, v = c + ρ; level = ‖ξ‖₁ values)."""
    d = rho.size
    if init == "phi":
        c = np.sqrt(level[0] / d)
        phis = np.array(level[1:])[:, None]
        return phis * c * np.ones(d), c / phis * np.ones(d)
    if init == "rho":  # ‖ξ‖₁ = c Σ_j |c + ρ_j| fixes c
        c = np.array([brentq(lambda cc, s=s: cc * np.sum(np.abs(cc + rho)) - s, 0.0, 10.0) for s in level])[:, None]
        return c * np.ones(d), c + rho
    c = np.sqrt(np.array(level) / d)[:, None]
    u0 = c * np.ones(d)
    return u0, u0.copy()


def sgd_step_cap(net: N.SquareNet) -> float:
    """0.3/max_i‖x_i‖²: single-sample steps above this diverge on these instances (u⊙u − v⊙v of size ~1)."""
    return 0.3 / float(np.max(np.sum(net.X ** 2, axis=1)))


def sgd_step(data: ExperimentData, eta: float) -> float:
    """The step SGD takes on the data (ε = 1) when ``eta`` is asked for: ``eta`` capped by :func:`sgd_step_cap`."""
    return min(eta, sgd_step_cap(N.SquareNet(data.X, data.y)))


@lru_cache(maxsize=128)
def trained(seed: int, profile: ExperimentProfile, init: str, level: tuple[float, ...], algo: str, eta: float,
            mu: float, eps: float = 1.0, loss_tol: float = LOSS_TOL, budget: int | None = None) -> N.TrainResult:
    """Train ``algo`` on D_ε = (εX, εy) from the batch of :func:`initialisations` (the paper gives neither SGD's
    batch nor its step: one sample per step, the step capped for stability)."""
    data = experiment_data(seed, profile)
    u0, v0 = initialisations(data.rho, init, level)
    net = N.SquareNet(eps * data.X, eps * data.y)
    if algo == "sgd":
        eta = min(eta, sgd_step_cap(net))
    rng = stream_rng(seed, "hb_nag.sgd", init, level, eta)
    return N.train(net, u0, v0, algo, eta, mu, loss_tol=loss_tol, max_steps=budget or profile.train_budget,
                   chunk=2000, rng=rng if algo == "sgd" else None)


def training_runs(ctx: Context, init: str, level: tuple[float, ...], eta: float, mu: float,
                  algos: tuple[str, ...] = ALGOS, eps: float = 1.0) -> dict[str, N.TrainResult]:
    """One (cached) run of each algorithm of ``algos`` with step ``eta`` and momentum ``mu`` (:func:`trained`)."""
    return {a: trained(ctx.seed, EXPERIMENTS.of(ctx), init, level, a, eta, mu, eps) for a in algos}


def gap_runs(ctx: Context, settings: list[tuple[float, float]]
             ) -> tuple[N.TrainResult, dict[str, list[N.TrainResult]]]:
    """Figs. 3 and 7: GD with η = 10⁻² and HB/NAG at each (η, μ) of ``settings``, from ‖ξ‖₁ = 0.1240,
    u = c, v = c + ρ."""
    profile = EXPERIMENTS.of(ctx)
    gd = trained(ctx.seed, profile, "rho", GAP_LEVEL, "gd", 1e-2, 0.0)
    return gd, {m: [trained(ctx.seed, profile, "rho", GAP_LEVEL, m, eta, mu) for eta, mu in settings]
                for m in N.METHODS}


@dataclass(frozen=True)
class ReluProblem:
    """App. B.2: training data of the sparse model, 40 fresh test samples, the seed sequence of the data and that of
    the networks' initial weights (every network starts from the same weights, up to scale)."""

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    seed: list[int]
    init_seed: list[int]


def relu_problem(ctx: Context) -> ReluProblem:
    """The sparse model at the experiments' sizes of the tier, with 40 test samples, from the claim's own streams
    (the data's, and ``init`` for the weights)."""
    profile = EXPERIMENTS.of(ctx)
    rng = ctx.rng()
    X, y, th = N.sparse_instance(rng, profile.n, profile.d, profile.s)
    X_test = rng.standard_normal((40, profile.d))
    return ReluProblem(X, y, X_test, X_test @ th, ctx.stream_seed(), ctx.stream_seed("init"))
