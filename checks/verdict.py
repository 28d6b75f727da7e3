"""The verdict model: PROVED, CONFIRMED, REFUTED, INCONCLUSIVE, each with structured evidence.

A check returns a :class:`Result`. Build results with the constructors below rather than by hand,
so that every verdict carries the evidence DESIGN.md asks of it:

- :func:`proved`: a symbolic identity, limit or series (the expression that simplified to zero).
- :func:`from_errors`: numerical agreement, decided against a tolerance that the caller derives from
  the working precision and an independent error estimate.
- :func:`from_order_fit`: an order or exponent claim, decided by a least-squares fit on at least four
  points.
- :func:`refuted` / :func:`inconclusive`: a concrete counterexample, or why the check could not decide.
- :func:`curve`: a curve of evidence (an identity's residual against t, a sweep over seeds) that the reports
  plot; a check passes a list of them as ``curves=`` evidence.

Decision rule for numbers (used everywhere, one place): with ``tol`` the error the computation can
explain, ``max_err <= tol`` is CONFIRMED, ``max_err > REFUTE_FACTOR * tol`` is REFUTED ("far beyond the
numerical error") and anything between is INCONCLUSIVE.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

#: How far beyond the explainable error a discrepancy must be before it refutes a claim.
REFUTE_FACTOR = 100.0

#: Unit roundoff of float64.
EPS = 2.0 ** -52
#: An order fit refutes when the claimed order is further than this many times the fit's uncertainty.
ORDER_REFUTE_FACTOR = 3.0


class Verdict(str, Enum):
    """The four verdicts of the checker."""

    PROVED = "PROVED"
    CONFIRMED = "CONFIRMED"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"

    @property
    def holds(self) -> bool:
        """True for PROVED and CONFIRMED."""
        return self in (Verdict.PROVED, Verdict.CONFIRMED)


class ReadOnlyDict(dict):
    """A dict that refuses changes (a result's evidence and counterexample): build a new result instead."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a result's evidence is read-only: build a new Result (Result.with_evidence)")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReadOnlyDict, (dict(self),))


@dataclass(frozen=True)
class Result:
    """A verdict with its evidence; immutable once built (derive a new one with :meth:`with_evidence`).

    ``summary`` is one line for the table; ``evidence`` holds JSON-serialisable details (errors, digits,
    tolerance, fitted orders, instances and seeds); ``counterexample`` is set on REFUTED results. Which entry
    holds a refuted claim's corrected form is the registry's to say (``Claim.corrected_by``), not the result's.
    """

    verdict: Verdict
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    counterexample: Mapping[str, Any] | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", ReadOnlyDict(self.evidence))
        if self.counterexample is not None:
            object.__setattr__(self, "counterexample", ReadOnlyDict(self.counterexample))

    def with_evidence(self, **more: Any) -> Result:
        """The same verdict with more evidence (a new result)."""
        return replace(self, evidence={**self.evidence, **more})

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for the JSON report."""
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "summary": self.summary,
            "evidence": jsonable(self.evidence),
            "seconds": round(self.seconds, 3),
        }
        if self.counterexample is not None:
            out["counterexample"] = jsonable(self.counterexample)
        out["instances"] = instances_of(self)
        return out


def jsonable(value: Any) -> Any:
    """Convert numbers of numpy, mpmath or SymPy (and containers of them) to plain JSON data."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value)
    return as_float if math.isfinite(as_float) else str(value)


def proved(summary: str, *, zero: str, **evidence: Any) -> Result:
    """A symbolic proof; ``zero`` is the expression (as text) that SymPy reduced to zero."""
    return Result(Verdict.PROVED, summary, {"simplified_to_zero": zero, **evidence})


def inconclusive(summary: str, **evidence: Any) -> Result:
    """The check could not decide; ``summary`` says why."""
    return Result(Verdict.INCONCLUSIVE, summary, evidence)


def refuted(summary: str, *, counterexample: Mapping[str, Any], **evidence: Any) -> Result:
    """A discrepancy far beyond numerical error on a concrete, reproducible instance."""
    return Result(Verdict.REFUTED, summary, evidence, counterexample=counterexample)


def digits(err: float, scale: float = 1.0) -> float:
    """Correct significant digits of a value of size ``scale`` known to absolute error ``err``."""
    if err <= 0:
        return math.inf
    return max(0.0, -math.log10(err / max(scale, 1e-300)))


def from_errors(what: str, errors: Sequence[float], tol: float, *, instances: Iterable[dict[str, Any]] = (),
                **evidence: Any) -> Result:
    """Decide a numerical agreement claim from measured errors, one per instance.

    ``tol`` must come from the computation (precision, solver error estimate, second method); the evidence
    keeps every instance's error (``errors``), so a report can draw them against the tolerance. The
    worst instance decides: CONFIRMED if its error is at most ``tol``, REFUTED (with that instance as
    the counterexample) if it exceeds ``REFUTE_FACTOR * tol``, INCONCLUSIVE otherwise.
    """
    if not errors:
        return inconclusive(f"{what}: no instance was evaluated", **evidence)
    if not (tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    inst = list(instances)
    errs = [float(e) for e in errors]
    if any(not math.isfinite(e) for e in errs):
        bad = next(i for i, e in enumerate(errs) if not math.isfinite(e))
        return inconclusive(f"{what}: non-finite error on instance {bad}",
                            instance=inst[bad] if bad < len(inst) else bad, **evidence)
    worst = max(range(len(errs)), key=errs.__getitem__)
    ev = {"max_error": errs[worst], "tolerance": tol, "digits": digits(errs[worst]),
          "instances_tried": len(errs), "errors": errs, **evidence}
    worst_instance = inst[worst] if worst < len(inst) else {"index": worst}
    if errs[worst] <= tol:
        return Result(Verdict.CONFIRMED, f"{what}: max error {errs[worst]:.2e} <= tol {tol:.1e} "
                      f"on {len(errs)} instance(s)", ev)
    ratio = errs[worst] / tol
    if ratio > REFUTE_FACTOR:
        return refuted(f"{what}: error {errs[worst]:.3e} is {ratio:.1e} x the tolerance {tol:.1e}",
                       counterexample={**worst_instance, "error": errs[worst], "ratio_to_tolerance": ratio}, **ev)
    return inconclusive(f"{what}: error {errs[worst]:.2e} exceeds tol {tol:.1e} by {ratio:.1f}x, "
                        f"not far enough to refute", **ev)


def from_threshold(what: str, values: Sequence[float], threshold: float, errors: Sequence[float], *,
                   instances: Iterable[dict[str, Any]] = (), **evidence: Any) -> Result:
    """Decide a claim "value <= threshold" on every instance, where ``errors`` are the numerical error
    estimates of the measured values (the claim's own threshold is not a numerical tolerance).

    CONFIRMED when every value plus its error is at most the threshold; REFUTED (worst instance as the
    counterexample) when a value exceeds the threshold by more than ``REFUTE_FACTOR`` times its error
    estimate; INCONCLUSIVE otherwise (the numerics cannot tell on which side the value lies). The evidence
    gives the slack (threshold minus the largest value plus its error; negative when violated) and the flip
    point: the claim holds for any threshold at or above ``holds_for_thresholds_from``.
    """
    if len(values) != len(errors) or not values:
        raise ValueError("values and errors must be non-empty and of the same length")
    if any(not (e >= 0 and math.isfinite(e)) for e in errors):
        raise ValueError("errors must be finite and >= 0")
    inst = list(instances)
    vals = [float(v) for v in values]
    if any(not math.isfinite(v) for v in vals):
        return inconclusive(f"{what}: a measured value is not finite", values=vals, **evidence)
    worst = max(range(len(vals)), key=lambda i: vals[i] - threshold)
    v, e = vals[worst], float(errors[worst])
    flip = max(x + float(err) for x, err in zip(vals, errors))
    ev = {"values": vals, "threshold": threshold, "error_estimates": [float(x) for x in errors],
          "instances": inst, "slack": threshold - flip, "holds_for_thresholds_from": flip, **evidence}
    if all(x + float(err) <= threshold for x, err in zip(vals, errors)):
        return Result(Verdict.CONFIRMED, f"{what}: max {v:.3e} <= {threshold:g} on {len(vals)} instance(s) "
                      f"(numerical error <= {max(errors):.1e})", ev)
    if v - threshold > REFUTE_FACTOR * e:
        return refuted(f"{what}: {v:.3e} > {threshold:g} (numerical error {e:.1e})",
                       counterexample={**(inst[worst] if worst < len(inst) else {"index": worst}),
                                       "value": v, "threshold": threshold, "error_estimate": e}, **ev)
    if v <= threshold:
        return inconclusive(f"{what}: {v:.3e} vs threshold {threshold:g} is within the numerical error {e:.1e}", **ev)
    return inconclusive(f"{what}: {v:.3e} vs threshold {threshold:g}: the excess is {(v - threshold) / e:.3g}x the "
                        f"numerical error {e:.1e}, short of the {REFUTE_FACTOR:g}x needed to refute", **ev)


def from_counts(what: str, pairs: Sequence[tuple[int, int]], instances: Sequence[dict[str, Any]] = (),
                **evidence: Any) -> Result:
    """Decide integer claims (ranks, counts) from (found, claimed) pairs computed exactly: CONFIRMED when every
    pair is equal, REFUTED with the first unequal instance (integers carry no rounding to allow for)."""
    if not pairs:
        return inconclusive(f"{what}: no instance was evaluated", **evidence)
    inst = list(instances)
    for i, (found, claimed) in enumerate(pairs):
        if found != claimed:
            return refuted(f"{what}: found {found}, claimed {claimed}",
                           counterexample={**(inst[i] if i < len(inst) else {"index": i}), "found": found,
                                           "claimed": claimed}, pairs=[list(p) for p in pairs], **evidence)
    return Result(Verdict.CONFIRMED, f"{what}: all {len(pairs)} count(s) equal the claim",
                  {"pairs": [list(p) for p in pairs], "instances": inst, **evidence})


@dataclass(frozen=True)
class OrderFit:
    """A least-squares fit of log(err) = p log(h) + c, with the local slopes between neighbours (ordered from
    the largest h to the smallest, so the last local slope is the one nearest the limit h → 0)."""

    order: float
    stderr: float
    local_slopes: tuple[float, ...]
    #: the rounding of a local slope computed from the logs in float64 (the uncertainty never goes below it)
    rounding: float = 0.0

    @property
    def spread(self) -> float:
        """Max minus min of the local slopes: how far the points are from one straight line."""
        return max(self.local_slopes) - min(self.local_slopes)

    @property
    def points(self) -> int:
        return len(self.local_slopes) + 1

    @property
    def ci_halfwidth(self) -> float:
        """Half-width of the fitted exponent's 95 % confidence interval (Student's t, n − 2 degrees of freedom)."""
        from scipy.stats import t as student

        return float(student.ppf(0.975, self.points - 2)) * self.stderr

    def _tail(self) -> tuple[float, float]:
        """(estimated order as h → 0, its drift allowance), read off the local slopes: when they move one way and
        their last two changes shrink by a ratio ρ < 1, they approach their limit geometrically and the rest of the
        way is d·ρ/(1 − ρ) beyond the last slope (Aitken's Δ²); when they move one way without visibly settling,
        the last slope, with its last change still to come; when they go back and forth, there is no trend to
        follow: the fitted order stands, with half the slopes' spread for how far the data are from one power law
        (a deterministic sequence's bias, which the confidence interval of a straight fit does not cover)."""
        s = self.local_slopes
        changes = [b - a for a, b in zip(s, s[1:])]
        if not changes or all(c == 0 for c in changes):
            return self.order, 0.0
        if any(a * b < 0 for a, b in zip(changes, changes[1:])):
            return self.order, self.spread / 2
        if len(changes) >= 2 and abs(changes[-1]) < abs(changes[-2]):
            ratio = changes[-1] / changes[-2]
            rest = changes[-1] * ratio / (1 - ratio)
            return s[-1] + rest, abs(rest)
        return s[-1], abs(changes[-1])

    @property
    def asymptotic_order(self) -> float:
        """The fit's estimate of the order as h → 0, from the trend of the local slopes (:meth:`_tail`)."""
        return self._tail()[0]

    @property
    def uncertainty(self) -> float:
        """Uncertainty of :attr:`asymptotic_order`: the confidence half-width of the fit (the scatter of the
        points) plus the remaining drift of the local slopes, never below the rounding of a slope."""
        return max(self.ci_halfwidth + self._tail()[1], self.rounding)


def fit_order(hs: Sequence[float], errs: Sequence[float]) -> OrderFit:
    """Fit the exponent p of err ~ C h^p on at least four points (in any order of h)."""
    if len(hs) != len(errs):
        raise ValueError(f"hs and errs must have the same length, got {len(hs)} and {len(errs)}")
    if len(hs) < 4:
        raise ValueError(f"an order fit needs at least 4 points, got {len(hs)}")
    if any(not (h > 0) for h in hs) or any(not (e > 0) for e in errs):
        raise ValueError("an order fit needs positive step sizes and positive errors")
    pairs = sorted(((math.log(float(h)), math.log(float(e))) for h, e in zip(hs, errs)), reverse=True)
    if len({x for x, _ in pairs}) < len(pairs):
        raise ValueError("an order fit needs distinct step sizes")
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    p = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    c = my - p * mx
    resid = sum((y - (p * x + c)) ** 2 for x, y in zip(xs, ys))
    stderr = math.sqrt(resid / (n - 2) / sxx)
    local = tuple((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(n - 1))
    gaps = [abs(xs[i + 1] - xs[i]) for i in range(n - 1)]
    rounding = 8 * EPS * (max(map(abs, ys)) + max(map(abs, xs))) / min(gaps)
    return OrderFit(p, stderr, local, rounding)


def from_order_fit(what: str, hs: Sequence[float], errs: Sequence[float], expected: float, *,
                   bound: bool = False, **evidence: Any) -> Result:
    """Decide a claim "err = O(h^expected)" (h → 0) from a fit on at least four points.

    The order as h → 0 is estimated from the local slopes (:attr:`OrderFit.asymptotic_order`), with the uncertainty u of
    :attr:`OrderFit.uncertainty` (the fit's 95 % confidence half-width plus the slopes' remaining drift). By default
    the order is read as sharp: CONFIRMED when the claimed order is within u of the estimate and u < 1/2 (the
    fit can tell it from the next integer order); REFUTED when both the estimate and the overall fitted order
    miss the claim by more than ``ORDER_REFUTE_FACTOR`` × u (the series itself is the counterexample);
    INCONCLUSIVE otherwise. With ``bound=True`` the claim is an upper bound on the error, so an estimate above
    ``expected + u`` (faster decay) also CONFIRMS it. Evidence ``variable="η"`` names the step
    in the reports' plots.
    """
    reserved = {"fitted_order", "stderr", "local_slopes", "spread", "expected_order", "h", "errors",
                "ci95", "asymptotic_order", "uncertainty"}
    if reserved & evidence.keys():
        raise ValueError(f"evidence keys {sorted(reserved & evidence.keys())} are reserved by from_order_fit")
    fit = fit_order(hs, errs)
    u = fit.uncertainty
    est = fit.asymptotic_order
    ev = {"fitted_order": fit.order, "stderr": fit.stderr, "ci95": [fit.order - fit.ci_halfwidth,
                                                                     fit.order + fit.ci_halfwidth],
          "local_slopes": list(fit.local_slopes),
          "spread": fit.spread, "asymptotic_order": est, "uncertainty": u, "expected_order": expected,
          "h": list(hs), "errors": list(errs), **evidence}
    text = (f"{what}: order {est:.3f} ± {u:.3f} as h → 0 (fit {fit.order:.3f}, 95% CI ±{fit.ci_halfwidth:.3f}) "
            f"vs claimed {expected:g}")
    if bound and est - u > expected:
        return Result(Verdict.CONFIRMED, text + f" (decays faster than the claimed O(h^{expected:g}))",
                      {**ev, "bound": True})
    if abs(est - expected) <= u and u < 0.5:
        return Result(Verdict.CONFIRMED, text, ev)
    far = ORDER_REFUTE_FACTOR * u
    if abs(est - expected) > far and abs(fit.order - expected) > far and (not bound or est < expected):
        return refuted(text, counterexample={"h": list(hs), "errors": list(errs)}, **ev)
    why = ("the fit cannot tell neighbouring integer orders apart" if u >= 0.5
           else "between the confirm and refute margins")
    return inconclusive(f"{text} ({why})", **ev)


def combine(what: str, parts: dict[str, Result]) -> Result:
    """Combine sub-checks of one claim: any REFUTED refutes, else any INCONCLUSIVE, else CONFIRMED
    (or PROVED when every part is PROVED). The parts' evidence is kept under their names."""
    if not parts:
        raise ValueError("combine needs at least one part")
    order = [Verdict.REFUTED, Verdict.INCONCLUSIVE, Verdict.CONFIRMED, Verdict.PROVED]
    verdict = min((r.verdict for r in parts.values()), key=order.index)
    lines = "; ".join(f"{name}: {r.verdict.value}" for name, r in parts.items())
    worst = next(r for r in parts.values() if r.verdict == verdict)
    counter = next((r.counterexample for r in parts.values() if r.counterexample is not None), None)
    evidence = {name: {"verdict": r.verdict.value, "summary": r.summary, **r.evidence}
                for name, r in parts.items()}
    summary = f"{what}: {lines}" if verdict.holds else f"{what}: {worst.summary}"
    return Result(verdict, summary, evidence, counterexample=counter)


def instances_of(res: Result) -> int | None:
    """How many instances a result checked: its ``instances`` evidence when a check states it (check_class does),
    else what its constructor's evidence implies (None when it does not say)."""
    ev = res.evidence
    if isinstance(ev.get("instances"), int):
        return int(ev["instances"])
    if "instances_tried" in ev:
        return int(ev["instances_tried"])
    if isinstance(ev.get("values"), Sequence) and "threshold" in ev:
        return len(ev["values"])
    if isinstance(ev.get("pairs"), Sequence):
        return len(ev["pairs"])
    if "simplified_to_zero" in ev:
        return 0
    if "fitted_order" in ev and "h" in ev:
        return 1
    parts = [v for v in ev.values() if isinstance(v, dict) and "verdict" in v]
    counts = [c for c in (instances_of(Result(Verdict(p["verdict"]), p.get("summary", ""), p)) for p in parts)
              if c]
    return min(counts) if counts else None


#: Kinds of evidence curve a report draws (:func:`curve`): an identity's residual along time, a measured quantity
#: over a parameter sweep (with its spread over seeds), a loss or distance along iterations, a state along time.
CURVE_KINDS = ("residual_vs_t", "sweep", "convergence", "trajectory")
LOG_AXES = ("", "x", "y", "xy")


def curve(kind: str, x: Sequence[float], y: Sequence[float], *, label: str, xlabel: str, ylabel: str,
           low: Sequence[float] | None = None, high: Sequence[float] | None = None, log: str = "",
           reference: Mapping[str, float] | None = None) -> dict[str, Any]:
    """One curve of evidence for the reports' plots: ``y`` against ``x``.

    Pass a list of them as a check's ``curves=`` evidence (``from_errors(..., curves=[curve(...), ...])``).
    ``low``/``high`` bound a band around the curve (a sweep's spread over its seeds); ``log`` names the log axes
    ("x", "y" or "xy"); ``reference`` holds levels drawn as horizontal lines, by label (``{"tolerance": 1e-12}``).
    Curves of one kind with the same axis labels share a plot (float64 and high precision, say).
    """
    if kind not in CURVE_KINDS:
        raise ValueError(f"curve kind must be one of {CURVE_KINDS}, got {kind!r}")
    if log not in LOG_AXES:
        raise ValueError(f"log must be one of {LOG_AXES}, got {log!r}")
    xs, ys = [float(v) for v in x], [float(v) for v in y]
    if len(xs) != len(ys) or not xs:
        raise ValueError(f"x and y must be non-empty and of one length, got {len(xs)} and {len(ys)}")
    out: dict[str, Any] = {"kind": kind, "label": label, "x": xs, "y": ys, "xlabel": xlabel, "ylabel": ylabel}
    for name, band in (("low", low), ("high", high)):
        if band is not None:
            if len(band) != len(xs):
                raise ValueError(f"{name} must have one value per x, got {len(band)} for {len(xs)}")
            out[name] = [float(v) for v in band]
    if log:
        out["log"] = log
    if reference:
        out["reference"] = {str(k): float(v) for k, v in reference.items()}
    return out
