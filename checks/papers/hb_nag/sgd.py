"""§3.2's cited SGF result (Pesme et al., eq. 10): SGD from u(0) = v(0) selects argmin Q_ξ̃ with an effective
scale ξ̃ smaller than ξ."""
from __future__ import annotations

import numpy as np
from scipy.optimize import OptimizeResult, minimize_scalar

from checks.context import Context
from checks.papers.hb_nag.comparisons import compare
from checks.papers.hb_nag.instances import EXPERIMENTS, ExperimentData, K, run_data, sgd_step, trained
from checks.papers.hb_nag.settings_robust import robust_experiment
from checks.registry import claim
from checks.sensitivity import Setting
from checks.verdict import Result, combine, inconclusive
from numerics import hb_nag as N
from numerics.hb_nag import TrainResult

#: This claim shares the experiments' data (and nothing with the flow claims).
GROUP = "experiments"
#: ‖ξ‖₁ and step of the SGD run.
SGD_LEVEL, SGD_ETA = (0.05,), 3e-2
#: Tolerance of the bounded search in log s: the fitted log s is within it of the best (a unimodal mismatch), so s
#: is within s·(e^XATOL − 1) of the best factor; the s < 1 test uses that uncertainty instead of a fixed 1e-6.
XATOL = 1e-6


def fit_scale(X: np.ndarray, y: np.ndarray, xi: np.ndarray, theta: np.ndarray) -> OptimizeResult:
    """The factor s (log-uniform search on [1e-4, 10]) for which argmin Q_{sξ} s.t. Xθ = y is closest to ``theta``
    in max norm: scipy's bounded scalar minimisation over log s."""
    return minimize_scalar(lambda ls: float(np.max(np.abs(N.entropy_argmin(X, y, float(np.exp(ls)) * xi).theta
                                                          - theta))),
                           bounds=(np.log(1e-4), np.log(10.0)), method="bounded", options={"xatol": XATOL})


def check_sgd_effective_scale(data: ExperimentData, level: float, sgd: TrainResult, gd: TrainResult, step: float
                              ) -> Result:
    """A uniform effective scale ξ̃ = sξ fitted to SGD's limit from ‖ξ‖₁ = ``level``: s < 1, and the fit explains the
    limit better than s = 1; GD's fitted factor at the same ``step`` as evidence (a control)."""
    if not sgd.converged:
        return inconclusive("SGD not converged")
    X, y = data.X, data.y
    xi = np.full(X.shape[1], level / X.shape[1])
    th = sgd.theta[0]

    def miss(s: float) -> float:
        return float(np.max(np.abs(N.entropy_argmin(X, y, s * xi).theta - th)))

    fit = fit_scale(X, y, xi, th)
    s_best = float(np.exp(fit.x))
    fit_gd = fit_scale(X, y, xi, gd.theta[0])
    ev = {"best_scale_factor": s_best, "gd_same_step_scale_factor": float(np.exp(fit_gd.x)),
          "mismatch_at_best": float(fit.fun), "mismatch_at_xi": miss(1.0), "seed": data.seed, "sgd_step": step}
    # the mismatch is a max-norm distance to SGD's final θ, whose remaining change is bounded as in
    # TrainResult.distance_to (10× the last chunk's change, per coordinate, over √d coordinates); 1e-9 is the
    # argmin's own accuracy (numerics.hb_nag.entropy_argmin solves its KKT system to ~1e-12 relative)
    unc = np.array([10 * float(sgd.drift[0]) * np.sqrt(len(th)) + 1e-9])
    return combine("eq. (10), SGD's effective scale", {
        "s < 1": compare("fitted scale factor s < 1", np.array([s_best]), np.array([1.0]),
                         np.array([s_best * np.expm1(XATOL)]), **ev),
        "fit better than xi": compare("mismatch at sξ below that at ξ", np.array([float(fit.fun)]),
                                      np.array([miss(1.0)]), unc, **ev)})


#: The settings varied in the full tier: SGD's step only (each cell trains SGD and GD at the paper's size, about
#: 13 s on a loaded 2-core machine; the initial scale ‖ξ‖₁ = 0.05, Fig. 1's middle scale, is held fixed to keep the
#: hb_nag full tier near its budget).
SGD_SETTINGS = (
    Setting("eta", SGD_ETA, (SGD_ETA, 1e-2), "SGD's step is not given: Fig. 1's η (capped for stability) and 10⁻²"),
)


def eq10_at(ctx: Context, point: dict) -> Result:
    """The effective-scale check at a settings point (‖ξ‖₁, step) on the seed of ``ctx``."""
    data, profile = run_data(ctx), EXPERIMENTS.of(ctx)
    level, eta = SGD_LEVEL, point["eta"]
    step = sgd_step(data, eta)
    sgd = trained(ctx.seed, profile, "unbiased", level, "sgd", eta, 0.0)
    gd = trained(ctx.seed, profile, "unbiased", level, "gd", step, 0.0)
    return check_sgd_effective_scale(data, level[0], sgd, gd, step)


@claim("hb_nag.eq10.sgf", section="3.2", equations=("10",), keys=(K + "eq-10-cited-sgf-result",), tier="quick",
       statement="(Cited, Pesme et al.) SGD from u(0) = v(0) selects argmin Q_{ξ̃}(θ) with an effective scale ξ̃ "
                 "strictly smaller than ξ; checked with a uniform effective scale ξ̃ = sξ fitted to the SGD limit "
                 "(s < 1, and the fit explains the limit better than s = 1); GD at the same step is fitted too, as a "
                 "control (evidence). SGD's batch, step and scale are not given: two steps, 5 seeds in the full "
                 "tier (‖ξ‖₁ = 0.05).",
       latex=r"\theta^{SGF}(\infty)=\arg\min_{X\theta=y}Q_{\tilde\xi(\infty)}(\theta),\ \tilde\xi<\xi",
       kind="implicit_bias", basis="settings",
       depends_on="the data (seed), SGD's batch (one sample per step), its step and the initial scale ‖ξ‖₁")
def _eq10(ctx: Context) -> Result:
    return robust_experiment("eq. (10), SGD's effective scale", ctx, eq10_at, SGD_SETTINGS)
