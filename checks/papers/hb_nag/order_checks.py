"""O(η²) claims: symbolically, by the α⁰ and α¹ coefficients of a residual, and along the HB/NAG flows, by the
order in η fitted to the residual's supremum over time."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy as sp

from checks.papers.hb_nag.instances import FlowCase
from checks.papers.hb_nag.residuals import Residual
from checks.symbolic import residuals_vanish
from checks.verdict import ORDER_REFUTE_FACTOR, Result, Verdict, combine, fit_order, from_order_fit, inconclusive
from derivations import hb_nag as D
from numerics.hb_nag import FlowPath

#: Trajectory residuals are measured on [T_SKIP, T]: outside the initial layer of width O(α) (≤ 0.03 here),
#: where the flow started at −∇L/(1−μ) relaxes to its slow manifold. The fit on [0, T] is kept as evidence.
T_SKIP = 1.0


def budget_slope_error(hs: Sequence[float], errs: Sequence[float], budget: float) -> float:
    """How far an error budget b (solver error, unconverged tail) can move a local slope of log err against log h:
    each error is known within ±b, so a slope between h₁ and h₂ moves by at most
    [ln((e₁+b)/(e₁−b)) + ln((e₂+b)/(e₂−b))]/ln(h₁/h₂); inf when an error is not above its budget."""
    e, h = np.asarray(errs, float), np.asarray(hs, float)
    if budget <= 0:
        return 0.0
    if np.any(e <= budget):
        return float("inf")
    shift = np.log((e + budget) / (e - budget))
    return float(np.max((shift[:-1] + shift[1:]) / np.abs(np.log(h[:-1] / h[1:]))))


def order_fit_with_budget(what: str, hs: Sequence[float], errs: Sequence[float], claimed: float, budget: float,
                          **evidence: object) -> Result:
    """:func:`checks.verdict.from_order_fit` for an O(h^claimed) bound whose errors are known only within
    ``budget``: the fit's uncertainty widened by :func:`budget_slope_error` (a verdict the budget could overturn is
    INCONCLUSIVE; one the fit's own margins left open is CONFIRMED when the claimed order is within the widened
    uncertainty, since the budget alone can explain the gap)."""
    res = from_order_fit(what, hs, errs, claimed, bound=True, **evidence)
    slope_err = budget_slope_error(hs, errs, budget)
    ev = res.evidence
    est, u = float(ev["asymptotic_order"]), float(ev["uncertainty"])
    widened = u + slope_err
    res = res.with_evidence(budget_slope_error=slope_err, widened_uncertainty=widened)
    if res.verdict is Verdict.INCONCLUSIVE and u < 0.5 and widened < 0.5 and abs(est - claimed) <= widened:
        return Result(Verdict.CONFIRMED, f"{res.summary}; within the uncertainty ±{widened:.4f} once the error "
                      f"budget's effect on the slopes (±{slope_err:.4f}) is added", res.evidence)
    if res.verdict is Verdict.REFUTED and abs(est - claimed) <= ORDER_REFUTE_FACTOR * widened:
        return inconclusive(f"{res.summary}; but the error budget could move the slopes by ±{slope_err:.3g}",
                            **res.evidence)
    return res


def symbolic_order2(what: str, residuals: dict[str, sp.Expr]) -> Result:
    """PROVED if the α⁰ and α¹ coefficients of every residual vanish (the residual is O(α²) = O(η²))."""
    coeffs = {f"{name} [alpha^{k}]": c for name, r in residuals.items()
              for k, c in enumerate(D.alpha_coefficients(r))}
    return residuals_vanish(what + " (coefficients of α⁰, α¹)", coeffs)


def flow_failure(paths: Sequence[FlowPath]) -> str | None:
    """The message of the first failed solve among ``paths`` (None if every one succeeded)."""
    bad = [p.result.message for p in paths if not p.result.success]
    return bad[0] if bad else None


def trajectory_order(what: str, cases: Sequence[FlowCase], residual: Residual, claimed: float = 2.0,
                     t_skip: float = T_SKIP) -> Result:
    """sup_{t ∈ [t_skip, T]} |residual| along each case's flows, one per η: fitted order vs ``claimed``."""
    parts = {}
    for case in cases:
        inst, paths = case.instance, case.paths
        if (msg := flow_failure(paths)) is not None:
            return inconclusive(f"{what}: flow solve failed ({msg})")
        errs = [float(np.max(np.abs(residual(p, inst)[p.t >= t_skip]))) for p in paths]
        full = [float(np.max(np.abs(residual(p, inst)))) for p in paths]
        # the residual on the 1000x looser solve minus that on the returned solve bounds the looser one's
        # error, so the returned residuals are resolved when they exceed this difference
        noise = max(p.error_of(lambda q: residual(q, inst)) for p in paths)
        if min(errs) <= noise:
            parts[case.label] = inconclusive(
                f"{what}: residual {min(errs):.1e} is not resolved by the solves (difference {noise:.1e})")
            continue
        parts[case.label] = order_fit_with_budget(
            what, case.etas, errs, claimed, noise, t_range=[t_skip, float(paths[0].t[-1])],
            fitted_order_on_0_T=fit_order(case.etas, full).order, errors_on_0_T=full, mu=paths[0].mu,
            solver_error=noise, instance=inst.describe())
    return combine(what, parts)
