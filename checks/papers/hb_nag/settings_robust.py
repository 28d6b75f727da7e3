"""Experiment verdicts that survive their settings (§3.2, §3.3, §3.5, App. B): the experiments of the hb_nag
paper rest on values it does not print (θ* and ρ, hence the seed; the ‖ξ‖₁ and φ grids; the data scales ε; SGD's
batch and step), so each is decided by :func:`checks.sensitivity.settings_verdict` over the plausible range of
every such value and over :data:`checks.sensitivity.MIN_SEEDS` seeds.

Quick tier: one seed at the default settings on the reduced instance (n = 10, d = 30), so the verdict is at worst
INCONCLUSIVE (a reduced instance never refutes an experiment claim). Full tier: the paper's sizes, 5 seeds and each
setting over its plausible values. Cells are evaluated in order; once two cells disagree (or one is undecided) the
verdict can only be INCONCLUSIVE, and the remaining cells are not computed (they are marked so in the table), which
keeps the full tier within its time budget.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Sequence

from checks.context import Context
from checks.sensitivity import MIN_SEEDS, Setting, settings_verdict
from checks.verdict import Result, Verdict, inconclusive

#: Evaluates an experiment at a settings point, for the seed in the context.
Evaluate = Callable[[Context, dict[str, Any]], Result]
#: Marks a cell not computed because the verdict was already INCONCLUSIVE.
SKIPPED = "not_computed"


def seeds_of(ctx: Context) -> list[int]:
    """The seeds of a tier: the run's seed alone in quick, MIN_SEEDS consecutive seeds from it in full."""
    return [ctx.seed + k for k in range(MIN_SEEDS)] if ctx.tier == "full" else [ctx.seed]


def settings_of(ctx: Context, settings: Sequence[Setting]) -> list[Setting]:
    """The settings as declared in full; in quick each at its default only (the reduced instance cannot refute)."""
    if ctx.tier == "full":
        return list(settings)
    return [Setting(s.name, s.default, (s.default,), s.why) for s in settings]


def robust_experiment(what: str, ctx: Context, evaluate: Evaluate, settings: Sequence[Setting]) -> Result:
    """``evaluate`` over the settings points × seeds of the tier (see the module), through settings_verdict."""
    seen = {"holds": False, "refuted": False, "open": False}
    found: list[Result] = []

    def cell(point: dict[str, Any], seed: int) -> Result:
        if seen["open"] or (seen["holds"] and seen["refuted"]):
            return inconclusive("not computed: earlier cells already make the verdict INCONCLUSIVE", **{SKIPPED: True})
        res = evaluate(replace(ctx, seed=seed), point)
        found.append(res)
        seen["holds"] |= res.verdict.holds
        seen["refuted"] |= res.verdict is Verdict.REFUTED
        seen["open"] |= res.verdict is Verdict.INCONCLUSIVE
        return res

    res = settings_verdict(what, cell, settings_of(ctx, settings), seeds_of(ctx), at_paper_size=ctx.tier == "full")
    first = found[0]
    if res.verdict is Verdict.INCONCLUSIVE:
        res = Result(res.verdict, f"{res.summary}. At the default settings and seed {ctx.seed}: {first.summary}",
                     res.evidence, counterexample=res.counterexample)
    return res.with_evidence(default_cell={"verdict": first.verdict.value, "summary": first.summary,
                                           **first.evidence})
