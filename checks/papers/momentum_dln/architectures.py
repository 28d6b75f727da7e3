"""§2 and App. F.1 on general architectures (Figures 2 and 6): λ = γ/(1−β)² alone fixes the outcome of MGD,
measured on (γ, β) grids of a ReLU teacher-student network and of a deep linear network."""
from __future__ import annotations

from typing import Callable

import numpy as np

from checks.context import Context
from checks.papers.momentum_dln.hypotheses_discrete import R2_SETTING
from checks.papers.momentum_dln.instances import (
    ARCHITECTURE_SIZES,
    FIGURE6_GAMMA_RANGE,
    architecture_grid_description,
    figure2_training,
    figure6_replications,
)
from checks.registry import claim
from checks.sensitivity import settings_verdict
from checks.verdict import Result, Verdict, inconclusive, refuted
from numerics.momentum_discrete import GridTraining

GROUP = "architectures"  # shares no cached run with the other claims: a process group of its own
#: what the level-lines verdicts rest on
LEVEL_LINES_DEPENDS = ("the figures' (γ, β) grids are not in the text (ours: γ geometric in [0.01, 0.2], β in "
                       "[0, 0.9]); 'level lines follow constant λ' read as R² of log test loss against a cubic in "
                       "log λ at least a threshold in {0.7, 0.8, 0.9} and above the same fits in log γ and "
                       "log(1 − β); one data set")
K = "momentum_dln:"
#: Figure 2's test loss is read once the train loss reaches this (the stop of numerics' relu_teacher_student)
FIGURE2_TRAIN_LOSS = 1e-5


def r2_cubic(x: np.ndarray, y: np.ndarray) -> float:
    """Share of the variance of y explained by a cubic polynomial in x."""
    if np.unique(x).size < 4:
        return float(1 - np.var(y - np.array([y[x == v].mean() for v in x])) / np.var(y))
    res = y - np.polyval(np.polyfit(x, y, 3), x)
    return float(1 - np.var(res) / np.var(y))


def check_lambda_level_lines(tr: GridTraining, min_r2: float = 0.9, what: str = "test loss",
                             **evidence: object) -> Result:
    """Level lines of log test loss over (γ, β) follow curves of constant λ: log test loss is (almost) a function
    of log λ. Measured as the R² of a cubic fit in log λ, against the same fit in log γ and in log(1 − β)
    (our thresholds: R²_λ >= ``min_r2`` and above both confirms; R²_λ not above both refutes). ``evidence`` is
    added to the result's evidence."""
    ok = np.isfinite(tr.test_loss) & (tr.test_loss > 0)
    if ok.sum() < 6:
        return inconclusive("fewer than 6 finite grid points", **evidence)
    lam = tr.gamma / (1 - tr.beta) ** 2
    y = np.log10(tr.test_loss[ok])
    r2 = {"lambda": r2_cubic(np.log(lam[ok]), y), "gamma": r2_cubic(np.log(tr.gamma[ok]), y),
          "1-beta": r2_cubic(np.log(1 - tr.beta[ok]), y)}
    ev = {"r2": r2, "threshold": min_r2, "gamma": tr.gamma.tolist(), "beta": tr.beta.tolist(),
          "log10_test_loss": np.log10(tr.test_loss).tolist(), "train_loss": tr.train_loss.tolist(),
          "steps": tr.steps.tolist()}
    text = (f"{what}: R² in log lambda {r2['lambda']:.3f}, in log gamma {r2['gamma']:.3f}, "
            f"in log(1-beta) {r2['1-beta']:.3f}")
    if r2["lambda"] <= max(r2["gamma"], r2["1-beta"]):
        return refuted(text + ": lambda is not the better single parameter", counterexample=ev, **ev, **evidence)
    if r2["lambda"] >= min_r2:
        return Result(Verdict.CONFIRMED, text, {**ev, **evidence})
    return inconclusive(text + f" (below {min_r2})", **ev, **evidence)


def check_figure2(tr: GridTraining, grid: dict, seed_stream: list[int], min_r2: float = 0.9) -> Result:
    """Figure 2: :func:`check_lambda_level_lines` on the ReLU teacher-student grid, with how many of its points
    reached the train loss the figure reads the test loss at."""
    return check_lambda_level_lines(tr, min_r2, what="Figure 2 (ReLU teacher-student)", grid=grid,
                                    seed_stream=seed_stream,
                                    reached_train_loss=int(np.sum(tr.train_loss <= FIGURE2_TRAIN_LOSS)))


def r2_shortfall(res: Result) -> float:
    """How far log λ falls behind the better of log γ and log(1 − β) as the single parameter (> 0 refutes)."""
    r2 = res.evidence["r2"]
    return max(r2["gamma"], r2["1-beta"]) - r2["lambda"]


def check_level_lines_settings(what: str, cell: Callable[[float], Result], at_paper_size: bool) -> Result:
    """A level-lines claim over the plausible thresholds of R² (``cell(min_r2)`` on the one trained grid: each
    training costs tens of seconds at the paper's size, so one data set and initialisation, and the verdict is at
    worst INCONCLUSIVE)."""
    return settings_verdict(what, lambda point, seed: cell(float(point["min_r2"])), (R2_SETTING,), (0,),
                            at_paper_size=at_paper_size, measure=r2_shortfall)


@claim("momentum_dln.fig2", section="2 / App. F.1", equations=("Figure 2",), keys=(K + "figure-2-claim",),
       statement="Teacher (ReLU, 5 neurons) / student (ReLU, 20 neurons), 15 inputs in R² ~ N(0, I), square loss, "
                 "same data and init on every grid point: the level lines of the test loss after the train loss "
                 "reaches 1e-5 follow the curves of constant λ = γ/(1−β)² (log test loss is a function of log λ).",
       latex=r"L_{test}(\gamma,\beta) \approx f(\gamma/(1-\beta)^2)", kind="experiment", tier="full",
       basis="settings", depends_on=LEVEL_LINES_DEPENDS)
def _figure2(ctx: Context) -> Result:
    sizes = ARCHITECTURE_SIZES.of(ctx)
    tr = figure2_training(ctx.rng(), sizes)
    return check_level_lines_settings("Figure 2", lambda r2: check_figure2(
        tr, architecture_grid_description(sizes), ctx.stream_seed(), min_r2=r2), ctx.tier == "full")


def check_figure6(reps: list[GridTraining], grid: dict, seed_stream: list[int], min_r2: float = 0.9) -> Result:
    """Figure 6: :func:`check_lambda_level_lines` on the deep linear network's grid, train and test losses averaged
    over the replications ``reps``."""
    first = reps[0]
    tr = GridTraining(first.gamma, first.beta, np.mean([r.train_loss for r in reps], 0),
                      np.mean([r.test_loss for r in reps], 0), first.steps)
    return check_lambda_level_lines(tr, min_r2, what="Figure 6 (deep linear network)", grid=grid,
                                    seed_stream=seed_stream,
                                    replications=len(reps))


@claim("momentum_dln.fig6", section="App. F.1", equations=("Figure 6",), keys=(K + "figure-6-claim",),
       statement="A 5-layer linear network (widths 30, 60, 120, 60, 1; init N(0, 0.1²)), 1000 epochs of MGD(γ, β) on "
                 "sparse regression (n, d, s) = (20, 30, 5), μ = σ = 1, averaged over 5 replications: the test "
                 "loss is strongly correlated with λ = γ/(1−β)² (log test loss is a function of log λ).",
       latex=r"L_{test}(\gamma,\beta) \approx f(\gamma/(1-\beta)^2)", kind="experiment", tier="full",
       basis="settings", depends_on=LEVEL_LINES_DEPENDS + "; the replications' data and initialisations")
def _figure6(ctx: Context) -> Result:
    sizes = ARCHITECTURE_SIZES.of(ctx)
    reps = figure6_replications(ctx.rng, sizes)
    return check_level_lines_settings("Figure 6", lambda r2: check_figure6(
        reps, architecture_grid_description(sizes, FIGURE6_GAMMA_RANGE), ctx.stream_seed(0), min_r2=r2),
        ctx.tier == "full")
