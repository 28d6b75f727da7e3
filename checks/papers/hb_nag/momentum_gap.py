"""§3.5 and App. B.3 (Figures 3 and 7): momentum's effect on the selected solution vanishes as η or μ decrease,
measured by the gap |D(HB/NAG) − D(GD)| from ‖ξ‖₁ = 0.1240, u(0) = c·1, v(0) = c·1 + ρ."""
from __future__ import annotations

import numpy as np

from checks.context import Context
from checks.papers.hb_nag.comparisons import compare, shrinking
from checks.papers.hb_nag.experiments import UNSTATED
from checks.papers.hb_nag.instances import ETA_SWEEP, MU_SWEEP, K, gap_runs, run_data
from checks.papers.hb_nag.settings_robust import robust_experiment
from checks.registry import claim
from checks.sensitivity import Setting
from checks.verdict import Result, combine, inconclusive
from numerics.hb_nag import TrainResult

#: These claims share the experiments' cached training runs (and nothing with the flow claims).
GROUP = "experiments"

Settings = list[tuple[float, float]]
Gaps = dict[str, tuple[np.ndarray, np.ndarray]]


def momentum_gaps(what: str, gd: TrainResult, runs: dict[str, list[TrainResult]], settings: Settings,
                  theta_star: np.ndarray) -> tuple[Gaps | None, Result | None]:
    """|D(M) − D(GD)| and its uncertainty for each method's run at each (η, μ) of ``settings``, or INCONCLUSIVE
    when a run did not converge."""
    if not gd.converged:
        return None, inconclusive(f"{what}: GD not converged")
    Dg, ug = gd.distance_to(theta_star)
    gaps = {}
    for m, rs in runs.items():
        g, u = [], []
        for (eta, mu), r in zip(settings, rs):
            if not r.converged:
                return None, inconclusive(f"{what}: {m} (η={eta}, μ={mu}) not converged")
            D_, u_ = r.distance_to(theta_star)
            g.append(float(abs(D_[0] - Dg[0])))
            u.append(float(u_[0] + ug[0]))
        gaps[m] = (np.array(g), np.array(u))
    return gaps, None


def check_gap_shrinks(what: str, varied: str, gd: TrainResult, runs: dict[str, list[TrainResult]],
                      settings: Settings, grid: tuple[float, ...], theta_star: np.ndarray) -> Result:
    """The gap at each later setting of ``settings`` (``varied`` decreasing along ``grid``) below the previous one."""
    gaps, bad = momentum_gaps(what, gd, runs, settings, theta_star)
    return bad if bad is not None else shrinking(f"{what}: gap shrinks with {varied}", gaps, grid)


ETA_SETTINGS = (Setting("eta_grid", ETA_SWEEP, (ETA_SWEEP, ETA_SWEEP[:3]),
                        "the η values are printed only in the figure's legend, lost in extraction: two grids"),)
MU_SETTINGS = (Setting("mu_grid", MU_SWEEP, (MU_SWEEP, MU_SWEEP[:3]),
                       "the μ values are printed only in the figure's legend, lost in extraction: two grids"),)
DEPENDS = "θ*, ρ and the data (seed), the η and μ grids (the legend's values), the loss at which training stops"


def fig3a_at(ctx: Context, point: dict) -> Result:
    """Fig. 3(a) at an η grid (μ = 0.9) on the seed of ``ctx``."""
    settings = [(e, 0.9) for e in point["eta_grid"]]
    return check_gap_shrinks("Fig. 3(a)", "η", *gap_runs(ctx, settings), settings, point["eta_grid"],
                             run_data(ctx).theta_star)


@claim("hb_nag.fig3a", section="3.5 / App. B.3", equations=("Fig. 3(a)",), keys=(K + "figure-3-a-claim",),
       tier="quick",
       statement="‖ξ‖₁ = 0.1240, u(0) = c·1, v(0) = c·1 + ρ; GD with η = 10⁻² against HB/NAG with μ = 0.9: the gap in "
                 "D between HB/NAG and GD shrinks as η decreases (η ∈ {0.02, 0.01, 0.005, 0.0025} or its first three; "
                 "5 seeds in the full tier)." + UNSTATED,
       latex=r"|D^M-D^{GD}|\downarrow\text{ as }\eta\downarrow", kind="experiment",
       basis="settings", depends_on=DEPENDS)
def _fig3a(ctx: Context) -> Result:
    return robust_experiment("Fig. 3(a)", ctx, fig3a_at, ETA_SETTINGS)


def fig3b_at(ctx: Context, point: dict) -> Result:
    """Fig. 3(b) at a μ grid (η = 10⁻²) on the seed of ``ctx``."""
    settings = [(1e-2, m) for m in point["mu_grid"]]
    return check_gap_shrinks("Fig. 3(b)", "μ", *gap_runs(ctx, settings), settings, point["mu_grid"],
                             run_data(ctx).theta_star)


@claim("hb_nag.fig3b", section="3.5 / App. B.3", equations=("Fig. 3(b)",), keys=(K + "figure-3-b-claim",),
       tier="quick",
       statement="Same setting, HB/NAG with η = 10⁻²: the gap in D between HB/NAG and GD shrinks as μ decreases "
                 "(μ ∈ {0.9, 0.7, 0.5, 0.3} or its first three; 5 seeds in the full tier)." + UNSTATED,
       latex=r"|D^M-D^{GD}|\downarrow\text{ as }\mu\downarrow", kind="experiment", basis="settings", depends_on=DEPENDS)
def _fig3b(ctx: Context) -> Result:
    return robust_experiment("Fig. 3(b)", ctx, fig3b_at, MU_SETTINGS)


def check_fig7(sweeps: dict[str, tuple[Settings, tuple[float, ...], TrainResult, dict[str, list[TrainResult]]]],
               theta_star: np.ndarray) -> Result:
    """For each sweep (name → settings, grid, the GD run, the HB/NAG runs): the gap at the smallest value below the
    gap at the largest."""
    parts = {}
    for name, (settings, grid, gd, runs) in sweeps.items():
        gaps, bad = momentum_gaps(f"Fig. 7 ({name})", gd, runs, settings, theta_star)
        if bad is not None:
            return bad
        for m, (g, u) in gaps.items():
            parts[f"{name}: {m}"] = compare(f"gap at smallest {name} < gap at largest", g[-1:], g[:1], u[-1:] + u[:1],
                                            grid=grid, gaps=g)
    return combine("Fig. 7", parts)


def fig7_at(ctx: Context, point: dict) -> Result:
    """Fig. 7 at an η grid and a μ grid on the seed of ``ctx``."""
    sweeps = {name: (settings, grid, *gap_runs(ctx, settings))
              for name, settings, grid in (("eta", [(e, 0.9) for e in point["eta_grid"]], point["eta_grid"]),
                                           ("mu", [(1e-2, m) for m in point["mu_grid"]], point["mu_grid"]))}
    return check_fig7(sweeps, run_data(ctx).theta_star)


@claim("hb_nag.fig7", section="App. B.3", equations=("Fig. 7",), keys=(K + "figure-7-claim",), tier="quick",
       statement="Final D(θ(∞), θ*) against η (μ = 0.9) and against μ (η = 10⁻²): momentum's effect on the selected "
                 "solution vanishes as η or μ decrease — |D(M) − D(GD)| at the smallest η (μ) is below its value at "
                 "the largest (two grids each, 5 seeds in the full tier)." + UNSTATED,
       latex=r"|D^M-D^{GD}|\to0", kind="experiment", basis="settings", depends_on=DEPENDS)
def _fig7(ctx: Context) -> Result:
    return robust_experiment("Fig. 7", ctx, fig7_at, ETA_SETTINGS + MU_SETTINGS)
