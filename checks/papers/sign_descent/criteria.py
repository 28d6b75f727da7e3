"""Decisions shared by the sign_descent checks: a failed solve or an unmet assumption (INCONCLUSIVE), an
experimental criterion against a threshold, a sequence decreasing along ε, and the linearity of a curve."""
from __future__ import annotations

from typing import Any

import numpy as np

from checks.papers.sign_descent.instances import Instance
from checks.sampling import inapplicable
from checks.verdict import Result, from_threshold, inconclusive
from numerics import sign_descent as N

#: Our threshold for the figures' qualitative words ("linear", "approximately uniform rate"): the paper gives
#: none, so a relative deviation of 10% is used and named in every such result.
SHAPE_RTOL = 0.10


def assumption_33_or_none(inst: Instance) -> Result | None:
    """INCONCLUSIVE when the (reconstructed) Assumption 3.3 fails on the instance."""
    margins = N.assumption_33_margins(inst.data, inst.alpha, inst.eps)
    if min(margins.values()) <= 0:
        return inapplicable("Assumption 3.3 (reconstructed) is not met on the instance", margins=margins,
                            instance=inst.describe())
    return None


def solve_failed(path: N.WeightPath) -> Result | None:
    """INCONCLUSIVE when either solve of the path failed, saying which and why."""
    flow = path.flow
    if flow.success:
        return None
    failed = flow if flow.loose is None or flow.status < 0 else flow.loose
    return inconclusive(f"ODE solve failed: {failed.message}")


def criterion(what: str, value: float, threshold: float, num_err: float, *, below: bool = True,
              **evidence: Any) -> Result:
    """An experimental criterion 'value ≤ threshold' (or '≥' with below=False) decided by
    :func:`checks.verdict.from_threshold` against the value's numerical error estimate."""
    if below:
        return from_threshold(what, [value], threshold, [num_err], **evidence)
    return from_threshold(what + " (negated: −value ≤ −threshold)", [-value], -threshold, [num_err], **evidence)


def check_decreasing(what: str, values: list[float], tol: float, fracs: tuple[float, ...], **evidence: Any) -> Result:
    """Values strictly decreasing along ε (each step down by more than the numerical error)."""
    steps = np.diff(values)
    return criterion(what + ": largest step along increasing ε", float(np.max(steps)), 0.0, tol,
                     eps_fractions=list(fracs), sequence=list(values), **evidence)


def chord_deviation(t: np.ndarray, v: np.ndarray) -> float:
    """max |v − chord| / max(|v(end) − v(start)|) on a grid: 0 for an exactly linear function."""
    chord = v[0] + (v[-1] - v[0]) * (t - t[0]) / (t[-1] - t[0])
    span = abs(v[-1] - v[0])
    return float(np.max(np.abs(v - chord)) / span) if span > 0 else 0.0
