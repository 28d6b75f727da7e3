"""Δ∞ for small λ (§3.3, App. C.5, Poster 4): Δ∞ ≈ Δ₀ exp(−2λ∫∇L²) as λ → 0 in its three printed forms, the
expansion of (ẇ/w)² behind it, and Δ∞ decreasing in λ."""
from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.momentum_dln.instances import SMALL_LAMBDAS, K, small_lambda_runs
from checks.registry import claim
from checks.sensitivity import Setting, settings_verdict
from checks.symbolic import residuals_vanish
from checks.verdict import Result, from_order_fit, from_threshold
from derivations import momentum_flow as MD
from numerics import momentum_flow as MF

GROUP = "continuous"


def check_c5_ratio(cross_factor: sp.Expr) -> Result:
    """App. C.5's expansion of (ẇ±/w±)² with the given factor in the cross term."""
    return residuals_vanish("App. C.5 expansion of (ẇ/w)²", MD.c5_ratio_residuals(cross_factor))


@claim("momentum_dln.appC-5.ratio", section="App. C.5", keys=(K + "app-c-5-ratio-identity",),
       statement="ẇ±/w± = ∓∇L − λẅ±/w± and, as printed, (ẇ±/w±)² = ∇L² + λ²(ẅ±/w±)² ± 2λL(θ)(ẅ±/w±) (L, not ∇L, "
                 "in the cross term: a typo rather than an extraction loss, since the same display keeps the ∇ of "
                 "∇L(θ)²).", kind="identity", basis="printed")
def _c5_ratio(ctx: Context) -> Result:
    return check_c5_ratio(MD.Lval)


@claim("momentum_dln.appC-5.ratio_corrected", section="App. C.5", keys=(K + "app-c-5-ratio-identity",),
       statement="(ẇ±/w±)² = ∇L² + λ²(ẅ±/w±)² ± 2λ∇L(ẅ±/w±).", kind="identity", corrects="momentum_dln.appC-5.ratio",
       basis="printed")
def _c5_ratio_corrected(ctx: Context) -> Result:
    return check_c5_ratio(MD.gL)


def grad_squared_exponent(run: MF.MGFRun) -> np.ndarray:
    """−2λ∫₀^∞∇L² (the exponent of §3.3 and App. C.5)."""
    return -2 * run.lam * run.get("G")


def grad_exponent(run: MF.MGFRun) -> np.ndarray:
    """−2λ∫₀^∞∇L (the poster's exponent, ∇L not squared)."""
    return -2 * run.lam * run.get("J")


def check_small_lambda(runs: tuple[MF.MGFRun, ...], exponent: Callable[[MF.MGFRun], np.ndarray], squared: bool,
                       what: str) -> Result:
    """"Δ∞^k ≈ Δ₀^k exp(exponent)" as λ → 0 (k = 2 if ``squared``), on runs at decreasing λ: both sides → Δ₀^k
    trivially, so the content is the first-order term; we fit the error of the logarithm (max over coordinates),
    claimed o(λ) (order 2 for a smooth expansion; order 1 = wrong slope)."""
    k = 2 if squared else 1
    hs = [run.lam for run in runs]
    errs = [float(np.max(np.abs(k * np.log(run.balancedness() / run.balancedness(run.state0)) - exponent(run))))
            for run in runs]
    return from_order_fit(what, hs, errs, 2.0, lambdas=list(hs))


@claim("momentum_dln.sec3-3.small_lambda", section="3.3",
       keys=(K + "small-lambda-approximation-of-delta-inf-sec-3-3-display",),
       statement="As λ → 0, Δ∞² ≈ Δ₀² exp(−2λ∫₀^∞∇L(θ_s)²ds) (§3.3 display; '≈' read to first order in λ, the "
                 "only non-trivial reading: both sides tend to Δ₀²). Checked on one data set and u₀ = α1, v₀ = 0 "
                 "(MGF_QUICK): a limit in λ, four stiff solves per instance.", kind="asymptotic", tier="full",
       basis="printed")
def _small_lambda_main(ctx: Context) -> Result:
    return check_small_lambda(small_lambda_runs(ctx.seed), grad_squared_exponent, True, "§3.3: ln(Δ∞²/Δ₀²) + 2λ∫∇L²")


@claim("momentum_dln.appC-5.small_lambda", section="App. C.5", keys=(K + "app-c-5-small-lambda-behaviour",),
       statement="As λ → 0, Δ∞ ≈ Δ₀ exp(−2λ∫₀^∞∇L(θ_s^{(λ)})²ds) (App. C.5; equivalently Δ∞² ≈ Δ₀²e^{−4λ∫∇L²}). "
                 "Checked on one instance (MGF_QUICK, u₀ = α1, v₀ = 0, data seed 0), like the §3.3 form.",
       kind="asymptotic", tier="full", corrects="momentum_dln.sec3-3.small_lambda", basis="printed")
def _small_lambda_c5(ctx: Context) -> Result:
    return check_small_lambda(small_lambda_runs(ctx.seed), grad_squared_exponent, False,
                              "App. C.5: ln(Δ∞/Δ₀) + 2λ∫∇L²")


@claim("momentum_dln.poster4.small_lambda", section="poster: Poster 4", source="poster",
       keys=(K + "poster-small-lambda-approximation",),
       statement="As λ → 0, Δ∞² ≈ Δ₀² exp(−2λ∫₀^∞∇L(θ_t)dt) (poster; ∇L not squared: the poster's extraction keeps "
                 "its other superscripts, Δ² and ‖y‖²). Checked on one instance (MGF_QUICK, u₀ = α1, v₀ = 0).",
       kind="asymptotic", tier="full", basis="printed")
def _poster_small_lambda(ctx: Context) -> Result:
    return check_small_lambda(small_lambda_runs(ctx.seed), grad_exponent, True, "poster: ln(Δ∞²/Δ₀²) + 2λ∫∇L")


def check_monotone_decreasing(lams: list[float], deltas: list[np.ndarray]) -> Result:
    """Δ∞(λ) decreases coordinatewise along increasing ``lams``."""
    steps = [float(np.max(b - a)) for a, b in zip(deltas, deltas[1:])]
    scale = float(np.max(np.abs(deltas[0])))
    return from_threshold("max_i (Δ∞(λ_{k+1}) − Δ∞(λ_k))_i for increasing λ (must be < 0)", [max(steps)], 0.0,
                          [1e-9 * scale], lambdas=lams, steps=steps)


def check_delta_inf_monotone(runs: tuple[MF.MGFRun, ...]) -> Result:
    """:func:`check_monotone_decreasing` on the runs' Δ∞, by increasing λ."""
    ordered = sorted(runs, key=lambda run: run.lam)
    return check_monotone_decreasing([run.lam for run in ordered], [run.balancedness() for run in ordered])


@claim("momentum_dln.sec3-3.delta_inf_monotone_small_lambda", section="3.3", equations=("Figure 3",),
       keys=(K + "delta-inf-monotone-in-small-lambda-figure-3",),
       statement="For small λ, Δ∞ decreases monotonically as λ grows (checked coordinatewise on the small-λ runs).",
       kind="experiment", tier="full", basis="settings",
       depends_on="the λ grid (0.01, 0.005, 0.0025, 0.00125) standing for 'small λ', the instance MGF_QUICK "
                  "((n, d, s) = (5, 8, 2), α = 0.2, u₀ = α1, v₀ = 0) and data seed 0")
def _delta_monotone(ctx: Context) -> Result:
    # one seed (each seed costs four stiff solves at tiny λ): a disagreement can then only read INCONCLUSIVE
    return check_monotone_settings(lambda seed: {run.lam: run.balancedness() for run in small_lambda_runs(seed)},
                                   (ctx.seed,), at_paper_size=False)


#: the λ grids standing for "small λ": the checker's four halvings and its first or last three
SMALL_LAMBDA_GRIDS = (SMALL_LAMBDAS, SMALL_LAMBDAS[1:], SMALL_LAMBDAS[:3])


def check_monotone_settings(deltas_of: Callable[[int], dict[float, np.ndarray]], seeds: tuple[int, ...], *,
                            at_paper_size: bool, grids: tuple[tuple[float, ...], ...] = SMALL_LAMBDA_GRIDS) -> Result:
    """Δ∞ decreasing along each λ grid of ``grids`` (a setting: "small λ" is not quantified), on each seed
    (``deltas_of(seed)`` maps λ to Δ∞), decided by :func:`checks.sensitivity.settings_verdict`."""
    def evaluate(point: dict, seed: int) -> Result:
        deltas = deltas_of(seed)
        lams = sorted(point["lambda_grid"])
        return check_monotone_decreasing(lams, [deltas[lam] for lam in lams])

    return settings_verdict("Δ∞ decreasing in small λ", evaluate,
                            [Setting("lambda_grid", grids[0], grids, "'small λ' is not quantified: successive halvings "
                                     "below 0.01")], seeds, at_paper_size=at_paper_size)
