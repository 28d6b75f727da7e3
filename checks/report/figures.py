"""What to draw for a claim: plot panels read from the evidence its check already computed (nothing is rerun).

The evidence shapes come from :mod:`checks.verdict`'s constructors, found at any depth (``combine`` keeps each
part's evidence under its name, and each part gets its own panel):

- ``from_order_fit``: ``h``, ``errors``, ``fitted_order``, ``expected_order`` -> log-log error against the step
  (named by the evidence's ``variable`` when given) with the fitted and the claimed slope;
- ``from_errors``: ``errors`` (one per instance), ``tolerance`` -> each instance's error against the tolerance and
  the refutation level ``REFUTE_FACTOR`` x tolerance (the flip points); older reports without ``errors``: the worst;
- ``from_threshold``: ``values``, ``threshold``, ``error_estimates`` -> the measured values with their error bars
  against the threshold and each value's refutation level; against a parameter when exactly one varies
  over the instances (a sweep: several seeds at one parameter show their spread);
- ``from_counts``: ``pairs`` -> found and claimed counts per instance;
- ``curves``: a list of :func:`checks.verdict.curve` records -> one panel per kind and axes.

``proved`` results have no plot: PROVED claims are not numeric.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

#: Panels drawn for one claim at most (the rest are counted, not drawn).
MAX_PANELS = 6
PANEL_KINDS = ("order", "errors", "threshold", "counts", "curves")
#: Parameters that name instances, not a sweep's abscissa.
NOT_ABSCISSA = {"seed", "index", "stream"}


@dataclass(frozen=True)
class Panel:
    """One plot: its kind (:data:`PANEL_KINDS`), a title (the part's name), the evidence it is drawn from and
    the verdict of that part when the evidence says it."""

    kind: str
    title: str
    data: Mapping[str, Any] = field(repr=False)
    verdict: str = ""


def numbers(values: Any) -> list[float] | None:
    """``values`` as a list of finite floats, or None when it is not a non-empty list of finite numbers."""
    if not isinstance(values, list) or not values:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return None
        try:
            out.append(float(v))
        except ValueError:
            return None
    return out if all(math.isfinite(v) for v in out) else None


def is_number(value: Any) -> bool:
    """A JSON number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def own_kind(ev: Mapping[str, Any]) -> str | None:
    """The panel kind this evidence node can be drawn as by itself, or None."""
    if "fitted_order" in ev and is_number(ev.get("expected_order")):
        hs, errs = numbers(ev.get("h")), numbers(ev.get("errors"))
        if hs and errs and len(hs) == len(errs) and min(hs) > 0 and min(errs) > 0:
            return "order"
    if is_number(ev.get("tolerance")) and (numbers(ev.get("errors")) or is_number(ev.get("max_error"))):
        return "errors"
    if is_number(ev.get("threshold")):
        vals, errs = numbers(ev.get("values")), numbers(ev.get("error_estimates"))
        if vals and errs and len(vals) == len(errs):
            return "threshold"
    pairs = ev.get("pairs")
    if isinstance(pairs, list) and pairs and all(isinstance(p, list) and len(p) == 2 and all(map(is_number, p))
                                                 for p in pairs):
        return "counts"
    if curves_of(ev):
        return "curves"
    return None


def curves_of(ev: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The well-formed curves of the evidence's ``curves`` list (see :func:`checks.verdict.curve`)."""
    raw = ev.get("curves")
    if not isinstance(raw, list):
        return []
    good = []
    for c in raw:
        if isinstance(c, dict):
            xs, ys = numbers(c.get("x")), numbers(c.get("y"))
            if xs and ys and len(xs) == len(ys):
                good.append(c)
    return good


def curve_groups(ev: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """The evidence's curves grouped into plots: one per (kind, x label, y label), in order of appearance."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for c in curves_of(ev):
        key = (str(c.get("kind", "")), str(c.get("xlabel", "")), str(c.get("ylabel", "")))
        groups.setdefault(key, []).append(c)
    return list(groups.values())


def panels_of(evidence: Mapping[str, Any], title: str = "", verdict: str = "", depth: int = 0) -> list[Panel]:
    """Every panel the evidence (and its parts, to a depth of three) can be drawn as, in order."""
    out: list[Panel] = []
    here = evidence["verdict"] if isinstance(evidence.get("verdict"), str) else verdict
    kind = own_kind(evidence)
    if kind and kind != "curves":
        out.append(Panel(kind, title, evidence, here))
    out += [Panel("curves", title, {"curves": group}, here) for group in curve_groups(evidence)]
    if depth < 3:
        for name, value in evidence.items():
            if isinstance(value, Mapping) and name not in ("instance", "counterexample"):
                out += panels_of(value, f"{title} / {name}" if title else str(name), here, depth + 1)
    return out


def claim_panels(rec: Mapping[str, Any]) -> list[Panel]:
    """The panels of one claim's record (none for PROVED claims)."""
    if rec.get("verdict") == "PROVED" or not isinstance(rec.get("evidence"), Mapping):
        return []
    return panels_of(rec["evidence"], "", str(rec.get("verdict", "")))


def abscissa(instances: Any, n: int) -> tuple[str, list[float]] | None:
    """(name, values) of the one numeric parameter that varies over ``n`` instances, if there is exactly one."""
    if not isinstance(instances, list) or len(instances) != n or n < 2 or not all(isinstance(i, dict)
                                                                                    for i in instances):
        return None
    varying = []
    for key in instances[0]:
        if key in NOT_ABSCISSA:
            continue
        vals = [i.get(key) for i in instances]
        if all(is_number(v) and math.isfinite(v) for v in vals) and len(set(vals)) > 1:
            varying.append((key, [float(v) for v in vals]))
    return varying[0] if len(varying) == 1 else None


def variable_of(ev: Mapping[str, Any]) -> str:
    """The name of an order fit's step: the evidence's ``variable``, or a sweep it names, or "h"."""
    if isinstance(ev.get("variable"), str):
        return ev["variable"]
    for key, name in (("lambdas", "λ"), ("alphas", "α"), ("etas", "η"), ("eps", "ε"), ("epsilons", "ε")):
        if numbers(ev.get(key)) == numbers(ev.get("h")):
            return name
    return "h"


def telling(panel: Panel) -> int:
    """How much a panel tells at a glance: a fit or curves over a few points beat one value against a level."""
    if panel.kind in ("order", "curves"):
        return 3
    size = len(numbers(panel.data.get("values") or panel.data.get("errors")) or [])
    return 2 if size > 1 else 1


def best_panel(panels: list[Panel]) -> Panel | None:
    """The first of the most telling panels (a notebook card shows one)."""
    return max(panels, key=telling) if panels else None
