"""Verdicts that survive their settings: an experiment or threshold claim whose check rests on values the paper
does not give (hyper-parameters, seeds, sizes, the threshold that reads "≈") is decided over the plausible
range of every such value and over several seeds, and reports the sensitivity table either way.

:func:`settings_verdict` evaluates the claim at the checker's default settings and at each plausible value of
each setting in turn (one at a time, the others at their defaults), on every seed. It gives

- CONFIRMED when every cell holds;
- REFUTED only when every cell is refuted, at the paper's size, on at least :data:`MIN_SEEDS` seeds, and the
  measured disagreement stays on the refuting side for every seed (beyond the spread between instances);
- INCONCLUSIVE otherwise, saying on how many cells the claim failed and carrying the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from checks.verdict import Result, Verdict, inconclusive, jsonable, refuted

#: Seeds a settings-based refutation needs at least.
MIN_SEEDS = 5


@dataclass(frozen=True)
class Setting:
    """A value the paper does not give and the checker filled in: its name, the checker's default, the values
    that span its plausible range (the default among them or not) and why that range."""

    name: str
    default: Any
    plausible: tuple[Any, ...]
    why: str = ""

    def __post_init__(self) -> None:
        if not self.plausible:
            raise ValueError(f"setting {self.name!r} needs at least one plausible value")


def setting_points(settings: Sequence[Setting]) -> list[dict[str, Any]]:
    """The default point, then each setting over its plausible values with the others at their defaults."""
    base = {s.name: s.default for s in settings}
    points = [dict(base)]
    for s in settings:
        for value in s.plausible:
            if value != s.default:
                points.append({**base, s.name: value})
    return points


def _cell(res: Result, measure: Callable[[Result], float] | None) -> dict[str, Any]:
    cell: dict[str, Any] = {"verdict": res.verdict.value}
    if measure is not None:
        try:
            cell["measure"] = float(measure(res))
        except (KeyError, TypeError, ValueError):
            cell["measure"] = None
    return cell


def _rows(points: list[dict[str, Any]], seeds: Sequence[int], cells: dict[tuple[int, int], Result],
          measure: Callable[[Result], float] | None) -> list[dict[str, Any]]:
    rows = []
    for i, point in enumerate(points):
        row = {"settings": jsonable(point), "cells": [_cell(cells[i, j], measure) for j in range(len(seeds))]}
        values = [c["measure"] for c in row["cells"] if c.get("measure") is not None]
        if values:
            row["mean"] = sum(values) / len(values)
            row["spread"] = max(values) - min(values)
        rows.append(row)
    return rows


def settings_verdict(what: str, evaluate: Callable[[dict[str, Any], int], Result], settings: Sequence[Setting],
                     seeds: Sequence[int], *, at_paper_size: bool,
                     measure: Callable[[Result], float] | None = None, refuting_side: float = 0.0) -> Result:
    """Decide ``what`` from ``evaluate(settings_point, seed)`` over :func:`setting_points` × ``seeds``.

    ``measure`` reads the disagreement from a cell's result (e.g. value − threshold); a refutation needs every
    cell's measure above ``refuting_side`` as well as every cell REFUTED. The evidence holds the table of
    cells (settings, each seed's verdict and measure, the mean and the spread over seeds).
    """
    if not seeds:
        raise ValueError("settings_verdict needs at least one seed")
    points = setting_points(settings)
    cells = {(i, j): evaluate(point, s) for i, point in enumerate(points) for j, s in enumerate(seeds)}
    table = _rows(points, seeds, cells, measure)
    declared = [{"name": s.name, "default": jsonable(s.default), "plausible": jsonable(list(s.plausible)),
                 "why": s.why} for s in settings]
    ev = {"sensitivity": table, "settings": declared, "seeds": list(seeds), "at_paper_size": at_paper_size,
          "instances": len(cells)}
    verdicts = [r.verdict for r in cells.values()]
    if all(v.holds for v in verdicts):
        return Result(Verdict.CONFIRMED, f"{what}: holds in all {len(cells)} cells ({len(points)} settings × "
                      f"{len(seeds)} seeds)", ev)
    refuted_cells = sum(v is Verdict.REFUTED for v in verdicts)
    measures = [c.get("measure") for row in table for c in row["cells"]]
    beyond_spread = measure is None or all(m is not None and m > refuting_side for m in measures)
    if refuted_cells == len(cells) and at_paper_size and len(seeds) >= MIN_SEEDS and beyond_spread:
        first = cells[0, 0]
        return refuted(f"{what}: refuted in all {len(cells)} cells ({len(points)} settings across their "
                       f"plausible range × {len(seeds)} seeds) — {first.summary}",
                       counterexample={"settings": jsonable(points[0]), "seed": seeds[0],
                                       **jsonable(first.counterexample or {})}, **ev)
    reasons = []
    if not at_paper_size:
        reasons.append("the instances are smaller than the paper's")
    if len(seeds) < MIN_SEEDS:
        reasons.append(f"only {len(seeds)} seed(s) (a refutation needs {MIN_SEEDS})")
    undecided = sum(v is Verdict.INCONCLUSIVE for v in verdicts)
    if refuted_cells and refuted_cells < len(cells):
        reasons.append(f"the claim fails in {refuted_cells} of {len(cells)} cells, so the verdict depends on the "
                       "settings or the seed")
    if undecided:
        reasons.append(f"{undecided} of {len(cells)} cells are undecided")
    if refuted_cells == len(cells) and not beyond_spread:
        reasons.append("the disagreement is not beyond the spread between instances")
    return inconclusive(f"{what}: {'; '.join(reasons)}", **ev)
