"""Hypothesis classes and settings of the discrete-time claims of momentum_dln (§2, §4.1, App. A, D, F).

- :data:`SMGD_CLASS`: what Theorem 2, Lemmas 2 and 7, Corollary 3 and the zero-hitting remark quantify over —
  any data set (here: Gaussian inputs of any mean and scale, an s-sparse interpolable target, n < d), any
  initialisation (u₀, v₀) (signs, scales and imbalance drawn, θ₀ ≠ 0), any γ > 0 and β ∈ [0, 1), any batch
  size B ∈ [n]; Assumptions 3-4 (convergence, Δ∞ > 0) are checked on the run and a draw breaking them is
  discarded as outside the statement.
- :data:`IDENTITY_CLASS`: the same set at sizes an mpmath trajectory affords, for the exact finite-N identities
  of App. D.1 (eqs. (27)-(29), the residue sums), which hold for every SMGD trajectory.
- :data:`QUADRATIC_CLASS` / :data:`DLN_CLASS`: the losses of §2's discretisation claims (random quadratics of any
  spectrum in (0, 1] and start; the diagonal network on drawn data and initialisation).
- Settings of the experiments (what the paper does not give), each with its plausible range, for
  :func:`checks.sensitivity.settings_verdict`.
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, replace

import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.papers.momentum_dln.instances import Problem, SMGDInstance, Trajectory
from checks.sampling import HypothesisClass
from checks.sensitivity import Setting
from numerics.data import SparseRegression, random_quadratic, sparse_regression
from numerics.losses import DiagonalNetwork
from numerics.momentum_discrete import SMGDRun, appendix_d_terms_mp, smgd, smgd_trajectory_mp


# --- SMGD runs (Theorem 2 family) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SMGDDraw:
    """One drawn SMGD instance: data (seed, n, d, s, μ, σ), initialisation (scale α, imbalance |v₀|/|u₀| ≤ ratio,
    u₀ and v₀ swapped or not, random signs or not), step γ = c/h_max (h_max the top eigenvalue of XᵀX/n), momentum
    β and batch size (for the stochastic variants)."""

    seed: int
    n: int
    d: int
    s: int
    mu: float
    sigma: float
    alpha: float
    ratio: float
    swap: bool
    signs: bool
    c: float
    beta: float
    batch: int

    def describe(self) -> dict:
        """The draw as plain data (enough to rebuild it)."""
        return asdict(self)


@st.composite
def smgd_draws(draw: st.DrawFn, max_n: int = 6, max_d: int = 8, max_c: float = 0.8, min_beta: float = 0.0,
               max_beta: float = 0.95) -> SMGDDraw:
    """Strategy of :class:`SMGDDraw` (n < d so that S has more than one point)."""
    d = draw(st.integers(2, max_d))
    n = draw(st.integers(1, min(max_n, d - 1)))
    return SMGDDraw(seed=draw(st.integers(0, 2 ** 31 - 1)), n=n, d=d, s=draw(st.integers(1, d)),
                    mu=draw(st.floats(-1.5, 1.5)), sigma=draw(st.floats(0.3, 2.0)),
                    alpha=draw(st.floats(0.05, 1.0)), ratio=draw(st.floats(0.0, 0.95)), swap=draw(st.booleans()),
                    signs=draw(st.booleans()), c=draw(st.floats(0.02, max_c)), beta=draw(st.floats(min_beta, max_beta)),
                    batch=draw(st.integers(1, n)))


def draw_data(dr: SMGDDraw) -> tuple[SparseRegression, np.ndarray, np.ndarray, float]:
    """(data, w₊,₀, w₋,₀, h_max) of a draw, from its seed."""
    rng = np.random.default_rng(dr.seed)
    data = sparse_regression(rng, dr.n, dr.d, dr.s, mu=dr.mu, sigma=dr.sigma)
    u = dr.alpha * rng.uniform(0.3, 1.0, dr.d)
    v = u * rng.uniform(-dr.ratio, dr.ratio, dr.d)
    if dr.swap:
        u, v = v, u
    if dr.signs:
        u = u * rng.choice([-1.0, 1.0], dr.d)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / dr.n).max())
    return data, u + v, u - v, h


#: step limits of a drawn run, by tier
SMGD_DRAW_STEPS = {"quick": 60_000, "full": 400_000}
#: partial sums recorded at doubling steps (Lemmas 2 and 7)
DRAW_RECORD = tuple(125 * 2 ** j for j in range(9))


@functools.lru_cache(maxsize=64)
def draw_run(dr: SMGDDraw, sampling: str, max_steps: int) -> tuple[SMGDInstance, SMGDRun]:
    """SMGD(γ, β) on a draw (full batch with the partial sums recorded at doubling steps, or batches of the draw's
    size). A full-batch run converging after the last of DRAW_RECORD is run again with the doubling records
    extended past its convergence, so that the last window shows the tail of the sums."""
    data, wp0, wm0, h = draw_data(dr)
    inst = SMGDInstance(data, wp0, wm0, np.array([dr.c / h]), np.array([dr.beta]), [dr.seed], mu=dr.mu,
                        sigma=dr.sigma)
    net = data.network()
    if sampling != "full":
        return inst, smgd(net, wp0, wm0, inst.gamma, inst.beta, max_steps, sampling=sampling, batch_size=dr.batch,
                          rng=np.random.default_rng([dr.seed, 1]))
    run = smgd(net, wp0, wm0, inst.gamma, inst.beta, max_steps, record=DRAW_RECORD)
    if run.converged_at[0] > DRAW_RECORD[-1]:
        record = tuple(125 * 2 ** j for j in range(40)
                       if 125 * 2 ** (j - 1) <= run.converged_at[0] and 125 * 2 ** j <= max_steps)
        run = smgd(net, wp0, wm0, inst.gamma, inst.beta, max_steps, record=record)
    return inst, run


SMGD_CLASS = HypothesisClass(
    "SMGD (9) on any data set and any initialisation: x_i ~ N(μ1, σ²I) with μ ∈ [−1.5, 1.5], σ ∈ [0.3, 2], "
    "y = Xθ* with θ* s-sparse, 1 ≤ n < d ≤ 8; u₀ = α·U(0.3, 1)·(random signs or not), v₀ = u₀·U(−r, r), "
    "r ∈ [0, 0.95] (u₀, v₀ swapped or not), α ∈ [0.05, 1]; γ = c/h_max, c ∈ [0.02, 0.8]; β ∈ [0, 0.95]; batch "
    "size B ∈ [n]. Draws breaking Assumption 3 (not converged within the step limit) or 4 (Δ∞ = 0) are discarded",
    smgd_draws(), describe=SMGDDraw.describe)


SMGD_MOMENTUM_CLASS = HypothesisClass(
    "as the SMGD class, with β ∈ [0.01, 0.95] (Corollary 3 assumes γ, β > 0); the draws whose iterates change "
    "sign in every sampling are outside its hypothesis and discarded", smgd_draws(min_beta=0.01),
    describe=SMGDDraw.describe)
SGD_CLASS = HypothesisClass("as the SMGD class with β = 0 (SGD, Even et al. 2023)", smgd_draws(max_beta=0.0),
                            describe=SMGDDraw.describe)


# --- mpmath trajectories (App. D.1 identities) ----------------------------------------------------------------
IDENTITY_CLASS = HypothesisClass(
    "SMGD (9) trajectories at full precision on any data set and initialisation: as the SMGD class with "
    "1 ≤ n < d ≤ 4 and c ∈ [0.02, 1.2] (large steps make w± change sign), full batch",
    smgd_draws(max_n=3, max_d=4, max_c=1.2), describe=SMGDDraw.describe)


@functools.lru_cache(maxsize=64)
def draw_trajectory(dr: SMGDDraw, steps: int, dps: int) -> Trajectory:
    """The mpmath trajectory of a draw (``steps`` steps at ``dps`` digits) with its App. D.1 terms and a row."""
    data, wp0, wm0, h = draw_data(dr)
    tr = smgd_trajectory_mp(data.X, data.y, wp0, wm0, dr.c / h, dr.beta, steps, dps=dps)
    info = {**dr.describe(), "gamma": dr.c / h, "steps": steps, "dps": dps,
            "sign_changes": sum(1 for W in (tr.wp, tr.wm) for k in range(steps) for j in range(dr.d)
                                if W[k + 1][j] * W[k][j] < 0)}
    return tr, appendix_d_terms_mp(tr), info


# --- §2: losses of the discretisation claims --------------------------------------------------------------------
@dataclass(frozen=True)
class ProblemDraw:
    """A loss F and a start w₀: a random quadratic (dimension d, spectrum in [h_min, 1], start at distance
    ``scale`` from w*) or the diagonal network's loss on drawn data (n < d, mean μ) from u₀ = α·U(0.5, 1.5) with
    random signs, v₀ = ``imbalance``·u₀·N(0, 1); and the λ of the flow."""

    kind: str
    seed: int
    d: int
    h_min: float
    scale: float
    mu: float
    lam: float

    def describe(self) -> dict:
        """The draw as plain data."""
        return asdict(self)

    def problem(self) -> Problem:
        """The :class:`checks.papers.momentum_dln.instances.Problem` of the draw."""
        rng = np.random.default_rng(self.seed)
        if self.kind == "quadratic":
            q = random_quadratic(rng, self.d, self.h_min, 1.0)
            w0 = q.w_star + self.scale * rng.standard_normal(self.d) / np.sqrt(self.d)
            return Problem(q.grad, w0, f"quadratic {self.describe()}", q)
        n = max(1, self.d // 2)
        data = sparse_regression(rng, n, self.d, max(1, self.d // 3), mu=self.mu)
        net = DiagonalNetwork(data.X, data.y)
        u0 = self.scale * rng.uniform(0.5, 1.5, self.d) * rng.choice([-1.0, 1.0], self.d)
        v0 = self.h_min * u0 * rng.standard_normal(self.d)
        return Problem(net.grad, np.concatenate([u0, v0]), f"diagonal network {self.describe()}")


def problem_draws(kinds: tuple[str, ...] = ("quadratic", "diagonal network"),
                  lams: tuple[float, float] = (0.25, 4.0)) -> st.SearchStrategy[ProblemDraw]:
    """Strategy of :class:`ProblemDraw` (for the network, h_min is the imbalance |v₀|/|u₀| scale in [0.01, 1]
    and ``scale`` the init scale α in [0.1, 1])."""
    return st.builds(ProblemDraw, st.sampled_from(kinds), st.integers(0, 2 ** 31 - 1), st.integers(2, 6),
                     st.floats(0.01, 1.0), st.floats(0.1, 1.0), st.floats(-1.5, 1.5), st.floats(*lams))


PROBLEM_CLASS = HypothesisClass(
    "F a random quadratic (d ∈ [2, 6], spectrum log-uniform in [h_min, 1], h_min ∈ [0.01, 1], any start) or the "
    "diagonal network's square loss on drawn data (x ~ N(μ1, I), μ ∈ [−1.5, 1.5], s-sparse target, n = d/2) from "
    "u₀ of scale α ∈ [0.1, 1] with random signs and v₀ ≠ 0; λ ∈ [0.25, 4]", problem_draws(),
    describe=ProblemDraw.describe)
QUADRATIC_CLASS = HypothesisClass(
    "F a random quadratic (d ∈ [2, 6], spectrum log-uniform in [h_min, 1], h_min ∈ [0.01, 1], any start); "
    "λ ∈ [0.25, 4]", problem_draws(("quadratic",)), describe=ProblemDraw.describe)


MOMENTUM_PROBLEM_CLASS = HypothesisClass(
    "as the loss class (quadratics and the diagonal network, any start), with a momentum β ∈ [0, 0.95]",
    st.tuples(problem_draws(), st.floats(0.0, 0.95)), describe=lambda pb: {**pb[0].describe(), "beta": pb[1]})
#: instances of the full tier's general entries of §2 whose every instance costs seconds (their time budget)
GENERAL_EXAMPLES = 5

CURVATURE_CLASS = HypothesisClass(
    "F(w) = h w²/2 (the local model of any smooth loss near a minimum) with step γ and curvature h such that "
    "γh ∈ [0.05, 2] (MGD is stable for every β near 1 only when γh < 4)",
    st.tuples(st.floats(0.05, 2.0), st.floats(0.1, 10.0)).map(lambda gh: (gh[0] / gh[1], gh[1])),
    describe=lambda gh: {"gamma": gh[0], "curvature": gh[1], "gamma_h": gh[0] * gh[1]})


# --- settings of the experiments ------------------------------------------------------------------------------
#: seeds of a settings verdict (a refutation needs checks.sensitivity.MIN_SEEDS of them)
def seeds_from(seed: int, count: int) -> tuple[int, ...]:
    """``count`` consecutive seeds from the run's seed (the run's own first)."""
    return tuple(seed + k for k in range(count))


CLOSENESS_SETTING = Setting(
    "threshold", 0.01, (0.01, 0.02, 0.05),
    "the paper's only number for '≈' is App. F.2's normalised distance < 0.01 (its strictest reading); up to five "
    "times it spans what 'closely follow' or 'same' can mean for a reader")


#: the stream the identity claims draw their trajectories from: they quantify over the same set and share its
#: draws (so each trajectory is computed once per run)
IDENTITY_FAMILY = "momentum_dln.appD-1.iterates"
#: steps and instances of the drawn mpmath trajectories, by tier: App. D.1's terms along a trajectory cost time
#: quadratic in its length (about 0.3 s at 40 steps, 8 s at 150 on a quiet machine), so the full tier draws 10
#: instances of the quick tier's length (its time budget) rather than 20 of the former 150 steps
IDENTITY_DRAW_STEPS = {"quick": 40, "full": 40}
IDENTITY_EXAMPLES = {"quick": 5, "full": 10}
#: shrink calls of a refuted identity (each is an mpmath trajectory of about 0.3 s): a count, so the minimal
#: counterexample is the same on every machine
IDENTITY_SHRINK_CALLS = 8


def identity_family(ctx: Context) -> Context:
    """``ctx`` naming the identity claims' shared stream of draws."""
    return replace(ctx, claim=IDENTITY_FAMILY)

FIGURE1_SETTINGS = (
    Setting("beta", 0.9, (0.9, 0.95, 0.99), "Figure 1 gives no (γ, β): β near 1, where MGD is a discretisation of "
            "MGF, spans what it can show"),
    Setting("lambda", 1.0, (0.5, 1.0, 2.0), "λ = γ/(1−β)² of the figure is not given; the quadratic's spectrum is "
            "in [0.1, 1], so λ of order 1 is the regime with visible momentum"),
    CLOSENESS_SETTING)
#: seeds (random 2D quadratics) of the Figure 1 verdicts: MIN_SEEDS in the full tier (the quick tier never refutes
#: an experiment, and three seeds already show which cells fail)
FIGURE1_SEEDS = {"quick": 3, "full": 5}

#: seeds (data sets) of the Figure 4 verdicts: MIN_SEEDS in both tiers (the quick tier's reduced grid never refutes an
#: experiment)
FIGURE4_SEEDS = {"quick": 5, "full": 5}
FIGURE4_DEPENDS = ("Figure 4's data draw, grid of (λ, β) and α are not in the text: the grid λ·h_max ∈ {0.3, …, 100}, "
                   "β ∈ {0, …, 0.9375} (quick: a 4 × 3 grid on (n, d, s) = (4, 6, 2), α = 0.02), α = 0.01 at "
                   "(n, d, s) = (20, 30, 5), data seeds {seed, …, seed + 4}")
SPEARMAN_SETTING = Setting(
    "min_rho", 0.9, (0.7, 0.8, 0.9),
    "the figure states a monotone relation without a number; a Spearman correlation of 0.7 to 0.9 is what a reader "
    "of a colour map would call 'the smaller …, the smaller …' (a correlation <= 0 refutes at every threshold)")
R2_SETTING = Setting(
    "min_r2", 0.9, (0.7, 0.8, 0.9),
    "Figures 2 and 6 show level lines without a number: an R² of 0.7 to 0.9 for log test loss as a function of "
    "log λ spans 'aligns well' / 'strongly correlated'")

#: seeds (data sets) of the λ-sweep experiments at μ = 1 (§3.2.1, §3.3, App. F.2.1): MIN_SEEDS, one paper-size
#: sweep each; the sweeps over four data means (Figure 9, λ* vs μ) cost four sweeps per seed: one seed, so those
#: verdicts are at worst INCONCLUSIVE
MGF_SWEEP_SEEDS = 5
MGF_MEANS_SEEDS = 1
MGF_SWEEP_DEPENDS = ("the data draw (App. F's model at (n, d, s) = (20, 30, 5), α = 0.01), the λ grid {10⁻³, 10⁻², "
                     "0.05, 0.1, 0.3, 1} and the solver's stopping rule are ours; data seeds {seed, …, seed + 4}")
SIGNIFICANCE_SETTING = Setting(
    "significance", 0.05, (0.01, 0.05, 0.1),
    "'correlates' is read as a positive Spearman correlation significant at this one-sided level")
MGF_MEANS_DEPENDS = ("as the μ = 1 sweeps (data draw, λ grid, α = 0.01 at (20, 30, 5)) at the means μ ∈ {0, 0.5, 1, "
                     "1.5}, on one data seed (four paper-size sweeps per seed: the verdict is at worst INCONCLUSIVE)")
