"""Identities that hold exactly along a flow, checked at ``ctx.dps`` digits (the ``*.high_precision`` entries).

A twin entry solves its flow with the Taylor integrator (:mod:`numerics.taylor`) twice: at ``dps`` digits and at
``dps + REFINE_DIGITS`` digits (a higher order too), both with dense output, so that integrals along the run can
be taken on either solve. It evaluates the identity's residual (left side minus right side, an object array of mpf)
on each solve and decides with :func:`checks.verdict.from_errors`:

- the error is max |residual| over the checked times, relative to the identity's scale (the size of its terms);
- the tolerance is ``SAFETY`` times the error estimate (how much the residual moves between the two solves, which
  bounds the first solve's error on it when the refined solve is ~10 digits better) plus the round-off of evaluating
  the residual at the working precision (``ROUNDOFF_UNITS`` units of 10^−dps relative to the scale).

A true identity leaves a residual at the level of the first solve's error (≈ 10^−dps), which moves by as much
between the solves: CONFIRMED, with ``digits`` ≈ dps. A wrong constant leaves a residual that both solves agree on
to ~dps digits: its error is many orders beyond the tolerance, REFUTED. Integrals along the run
(:func:`integral`) are Gauss–Legendre sums on each step's Taylor polynomial: a step is chosen so that the polynomial
converges on a disc e² times the step (Jorba–Zou), so ``GAUSS_NODES`` nodes are exact to far below 10^−dps.

Instances come from each entry's :class:`~checks.sampling.HypothesisClass` through :func:`checks.sampling.check_class`;
a high-precision solve costs seconds, so the full tier draws :data:`EXAMPLES` of them (see its comment).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable, Sequence

import mpmath
import numpy as np

from checks.context import Context
from checks.sampling import HypothesisClass, check_class, inapplicable
from checks.verdict import Result, Verdict, from_errors, inconclusive
from numerics.flow import FlowResult, FlowStatus
from numerics.taylor.integrator import REFINE_DIGITS, TaylorSystem, solve_once

#: Instances per entry and tier. A pair of solves at 50 digits costs 1–30 s on the project's flows (more under load);
#: three instances per claim are three independent draws of data, initialisation and parameters, and the entries on
#: one flow draw the same three (``check_along(stream=...)``) and share the cached solves, which keeps the full
#: tier's high-precision entries within minutes. The identities are exact, so one instance that deviates refutes:
#: more draws add coverage, not resolution.
EXAMPLES = {"quick": 1, "full": 3}
#: Factor on the error estimate in the tolerance (the estimate is of the same size as the error, not a bound).
SAFETY = 10.0
#: Round-off of evaluating a residual at the working precision, in units of 10^−dps relative to its scale (the
#: residuals here take at most a few hundred operations, each rounding once relative to the terms' size).
ROUNDOFF_UNITS = 1000.0
#: Gauss–Legendre nodes per step for integrals along a run.
GAUSS_NODES = 24
#: Wall-clock bound on one pair of solves (running out makes the instance INCONCLUSIVE, never a different verdict).
SOLVE_SECONDS = 240.0


@dataclass(frozen=True)
class Run:
    """A pair of dense Taylor solves of one flow at ``dps`` and ``dps + REFINE_DIGITS`` digits on the grid
    ``times``: ``first`` (with ``refined`` attached) and the system they solve."""

    system: TaylorSystem
    first: FlowResult
    times: tuple[Any, ...]

    @property
    def solves(self) -> tuple[FlowResult, FlowResult]:
        assert self.first.refined is not None
        return self.first, self.first.refined

    @property
    def success(self) -> bool:
        return self.first.success

    def blocks(self, res: FlowResult, name: str) -> np.ndarray:
        """Block ``name`` of every row of ``res`` (rows × block entries, object array)."""
        return res.y[:, self.system.layout[name]]


def solve_pair(system: TaylorSystem, y0: Sequence[Any], times: Sequence[float], dps: int,
               seconds: float = SOLVE_SECONDS) -> Run:
    """Solve ``system`` from ``y0`` on ``times`` at ``dps`` and at ``dps + REFINE_DIGITS`` digits, both dense."""
    import time

    deadline = time.monotonic() + seconds
    kw = dict(times=list(times), stop=None, t_max=None, dense=True, deadline=deadline)
    first = solve_once(system, y0, dps, None, **kw)
    if first.status in (FlowStatus.FAILED, FlowStatus.TIMED_OUT):
        return Run(system, replace(first, refined=first), tuple(times))
    second = solve_once(system, y0, dps + REFINE_DIGITS, None, **kw)
    return Run(system, replace(first, refined=second), tuple(times))


@lru_cache(maxsize=8)
def gauss_legendre(nodes: int, dps: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Nodes on [0, 1] and weights of the ``nodes``-point Gauss–Legendre rule at ``dps`` digits (Newton on P_n)."""
    with mpmath.workdps(dps + 10):
        xs, ws = [], []
        for i in range(1, nodes + 1):
            x = mpmath.cos(mpmath.pi * (i - mpmath.mpf(1) / 4) / (nodes + mpmath.mpf(1) / 2))
            for _ in range(100):
                p0, p1 = mpmath.mpf(1), x
                for k in range(2, nodes + 1):
                    p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
                dp = nodes * (x * p1 - p0) / (x * x - 1)
                step = p1 / dp
                x -= step
                if abs(step) < mpmath.mpf(10) ** (-(dps + 8)):
                    break
            xs.append((1 - x) / 2)
            ws.append(1 / ((1 - x * x) * dp * dp))
        return tuple(xs), tuple(ws)


def integral(run: Run, res: FlowResult, integrand: Callable[[Any, dict[str, np.ndarray]], Any], upto: Sequence[Any],
             blocks: Sequence[str]) -> list[Any]:
    """∫₀ᵗ integrand(s, state blocks at s) ds for each t of ``upto`` (increasing), on the dense output of ``res`` (one
    of ``run``'s solves): Gauss–Legendre on every step's polynomial, cut at the requested times, at the precision of
    ``res``. Only the named ``blocks`` of the state are evaluated (a dict by name)."""
    dense = res.sol
    if dense is None:
        raise ValueError("integral needs a dense solve (solve_pair makes one)")
    dps = int(res.dps or mpmath.mp.dps)
    xs, ws = gauss_legendre(GAUSS_NODES, dps)
    out: list[Any] = []
    with mpmath.workdps(dps):
        targets = [mpmath.mpf(t) for t in upto]
        acc: Any = mpmath.mpf(0)
        idx = 0
        while idx < len(targets) and targets[idx] <= 0:
            out.append(acc)
            idx += 1

        layout = run.system.layout
        cols = np.concatenate([np.arange(layout[b].start, layout[b].stop) for b in blocks])
        cuts = np.cumsum([0] + [layout[b].stop - layout[b].start for b in blocks])

        def over(C: np.ndarray, t0: Any, lo: Any, hi: Any) -> Any:
            width = hi - lo
            total: Any = mpmath.mpf(0)
            for x, w in zip(xs, ws):
                s = lo + width * x
                vals = horner(C, s - t0)
                state = {b: vals[cuts[i]:cuts[i + 1]] for i, b in enumerate(blocks)}
                total = total + w * np.asarray(integrand(s, state), dtype=object)
            return total * width

        for t0, h, C_all in dense.pieces:
            C = C_all[:, cols]
            lo, end = t0, t0 + h
            while idx < len(targets) and targets[idx] <= end:
                acc = acc + over(C, t0, lo, targets[idx])
                out.append(acc)
                lo = targets[idx]
                idx += 1
            if lo < end:
                acc = acc + over(C, t0, lo, end)
    return out


def horner(C: np.ndarray, tau: Any) -> np.ndarray:
    """Σ_j C_j τ^j (orders × entries)."""
    acc = C[-1]
    for c in C[-2::-1]:
        acc = acc * tau + c
    return acc


def max_abs(values: Any) -> Any:
    """max |entry| of an array of mpf (0 for an empty one)."""
    arr = np.asarray(values, dtype=object).reshape(-1)
    return max((abs(v) for v in arr), default=mpmath.mpf(0))


Residual = Callable[[Run, FlowResult], Any]


def decide(what: str, run: Run, residual: Residual, scale: Callable[[Run, FlowResult], Any], dps: int,
           instance: dict[str, Any]) -> Result:
    """The verdict on one instance: max |residual| / scale on the first solve against the tolerance of the module
    docstring (the residual's change between the two solves, and round-off at ``dps`` digits)."""
    if run.first.status is FlowStatus.TIMED_OUT or (run.first.refined is not None
                                                     and run.first.refined.status is FlowStatus.TIMED_OUT):
        return inconclusive(f"{what}: the high-precision solve ran out of its wall-clock budget", **instance)
    if not run.success:
        return inapplicable(f"the high-precision solve failed ({run.first.message})", **instance)
    first, second = run.solves
    with mpmath.workdps(second.dps or dps):
        size = max(mpmath.mpf(scale(run, first)), mpmath.mpf(10) ** (-dps))
        r1 = np.asarray(residual(run, first), dtype=object)
        r2 = np.asarray(residual(run, second), dtype=object)
        err = max_abs(r1) / size
        estimate = max_abs(r1 - r2) / size
        state_error = max_abs(first.y - second.y) / max(mpmath.mpf(1), max_abs(second.y))
    tol = SAFETY * float(estimate) + ROUNDOFF_UNITS * 10.0 ** (-dps)
    res = from_errors(what, [float(err)], tol, instances=[instance], dps=dps, error_estimate=float(estimate),
                      state_error_estimate=float(state_error), scale=float(size), steps=first.nfev,
                      solver=first.message)
    return res


def check_along(what: str, cls: HypothesisClass, one: Callable[[Any], Result], ctx: Context,
                examples: int | None = None, stream: str | None = None) -> Result:
    """:func:`checks.sampling.check_class` with :data:`EXAMPLES` instances, with the worst instance's ``digits`` and
    ``error_estimate`` lifted to the top of the evidence (the JSON report's ``digits``). ``stream`` names the random
    stream of the draws instead of the claim's id: entries about one flow share it, so they draw the same instances
    and reuse the same (cached) solves; each still decides its own identity on them."""
    draws = ctx if stream is None else replace(ctx, claim=stream)
    res = check_class(what, cls, one, draws, examples=EXAMPLES[ctx.tier] if examples is None else examples)
    rows = res.evidence.get("per_instance") or res.evidence.get("held") or []
    found = [r["digits"] for r in rows if isinstance(r, dict) and isinstance(r.get("digits"), (int, float))]
    worst = res.evidence.get("worst_evidence") or res.evidence.get("minimal_evidence") or {}
    more: dict[str, Any] = {"dps": ctx.dps}
    if found:
        more["digits"] = min(found)
    elif isinstance(worst, dict) and "digits" in worst:
        more["digits"] = worst["digits"]
    if isinstance(worst, dict) and "error_estimate" in worst:
        more["error_estimate"] = worst["error_estimate"]
    if res.verdict is Verdict.REFUTED and "digits" in more and not math.isfinite(float(more["digits"])):
        more.pop("digits")
    return res.with_evidence(**more)


def twin_reading(float_entry: str) -> str:
    """The reconstruction of a twin: the reading of the float64 entry it twins (text lost or garbled in extraction)."""
    return (f"Checked under the reading of {float_entry}, whose text is lost or garbled in extraction; that entry "
            "states the reading, its alternatives and how sure it is.")
