"""How the experiments decide: the distance D(θ(∞), θ*) of each run with its uncertainty, and claims of the form
"this D is smaller than that one" decided against the two uncertainties."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from checks.verdict import Result, combine, from_errors, inconclusive
from numerics.hb_nag import TrainResult

#: D and its uncertainty, per member of the batch, for each algorithm.
Distances = dict[str, tuple[np.ndarray, np.ndarray]]


def compare(what: str, smaller: np.ndarray, larger: np.ndarray, unc: np.ndarray, **evidence: Any) -> Result:
    """The claim smaller < larger (entrywise), decided with from_errors on the violations and the uncertainty."""
    viol = np.maximum(0.0, smaller - larger)
    return from_errors(what, list(viol), float(np.max(unc)), smaller=smaller, larger=larger, **evidence)


def not_converged(runs: dict[str, TrainResult]) -> str | None:
    """The runs that did not reach the loss target, with their loss and steps (None if every one did)."""
    bad = [f"{k} (loss {float(np.max(r.loss)):.1e} after {r.steps} steps)" for k, r in runs.items() if not r.converged]
    return ", ".join(bad) if bad else None


def distances(what: str, runs: dict[str, TrainResult], theta_star: np.ndarray
              ) -> tuple[Distances | None, Result | None]:
    """D(θ(∞), θ*) with its uncertainty for each algorithm's runs, or INCONCLUSIVE if a run did not converge."""
    if (msg := not_converged(runs)) is not None:
        return None, inconclusive(f"{what}: not converged: {msg}")
    return {a: r.distance_to(theta_star) for a, r in runs.items()}, None


def beats_gd(what: str, Ds: Distances, algos: Sequence[str] = ("hb", "nag"), **ev: Any) -> dict[str, Result]:
    """D(algo) < D(GD) for each algorithm of ``algos``."""
    gd, ugd = Ds["gd"]
    return {f"{a} < gd": compare(f"{what}: D({a}) < D(GD)", Ds[a][0], gd, Ds[a][1] + ugd, **ev) for a in algos}


def decreasing_with_scale(what: str, Ds: Distances, algos: Sequence[str]) -> dict[str, Result]:
    """D grows with the scale grid (given increasing): violations D[i] − D[i+1]."""
    out = {}
    for a in algos:
        D_, u = Ds[a]
        out[f"{a} monotone"] = compare(f"{what}: D({a}) smaller at smaller ‖ξ‖₁", D_[:-1], D_[1:], u[:-1] + u[1:])
    return out


def shrinking(what: str, gaps: dict[str, tuple[np.ndarray, np.ndarray]], grid: Sequence[float]) -> Result:
    """Gap at each later (smaller) setting below the previous one."""
    return combine(what, {m: compare(f"{what} ({m})", g[1:], g[:-1], u[1:] + u[:-1], grid=grid, gaps=g)
                          for m, (g, u) in gaps.items()})
