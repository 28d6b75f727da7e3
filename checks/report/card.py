"""A claim's result that shows itself in a notebook: ``checks.run("momentum_dln.theorem1")``.

Jupyter draws a :class:`ClaimResult` as a small card (``_repr_html_``: id, verdict, statement, summary, the first
evidence plot and the command that reruns it); ``_repr_markdown_`` gives the same as Markdown, with the plot as an
inline SVG image.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html import escape
from typing import Any, Mapping

from checks.context import TIERS, Context
from checks.registry import Claim
from checks.report.document import Record, record, rerun_command, run_metadata
from checks.report.figures import best_panel, claim_panels
from checks.report.svg import panel_svg
from checks.runner import Row, run_claim
from checks.verdict import Result, Verdict

BADGE = {Verdict.PROVED.value: ("#0a5c2a", "#d9f2e1"), Verdict.CONFIRMED.value: ("#1d6b2f", "#e8f6ea"),
         Verdict.REFUTED.value: ("#ffffff", "#c0392b"), Verdict.INCONCLUSIVE.value: ("#6b4d00", "#fbefc5")}


@dataclass(frozen=True)
class ClaimResult:
    """One claim checked: the registry entry, its result and the run (seed, tier, precision, versions)."""

    claim: Claim
    result: Result
    run: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The claim's id."""
        return self.claim.id

    @property
    def verdict(self) -> Verdict:
        """The verdict."""
        return self.result.verdict

    @property
    def summary(self) -> str:
        """The one-line finding."""
        return self.result.summary

    @property
    def evidence(self) -> Mapping[str, Any]:
        """The whole evidence (read-only)."""
        return self.result.evidence

    @property
    def counterexample(self) -> Mapping[str, Any] | None:
        """The counterexample of a REFUTED claim."""
        return self.result.counterexample

    def record(self) -> Record:
        """The claim's record as in the JSON report."""
        return record(Row(self.claim, self.result))

    def plot_svg(self) -> str:
        """The most telling evidence plot as SVG ("" when the evidence has none)."""
        panel = best_panel(claim_panels(self.record()))
        return panel_svg(panel, f"card.{self.id}") if panel else ""

    def rerun(self) -> str:
        """The command that reruns the claim with the same seed."""
        return rerun_command(self.id, dict(self.run))

    def __repr__(self) -> str:
        return f"ClaimResult({self.id}: {self.verdict.value} — {self.summary})"

    def _repr_html_(self) -> str:  # Jupyter's display protocol
        return self.html()

    def _repr_markdown_(self) -> str:  # Jupyter's display protocol
        return self.markdown()

    def html(self) -> str:
        """The card as HTML: id, verdict, statement, evidence summary, its most telling plot, the rerun command."""
        fg, bg = BADGE[self.verdict.value]
        plot = self.plot_svg()
        more = len(claim_panels(self.record())) - 1
        figure = (f'<div style="max-width:460px">{plot}</div>'
                  + (f'<div style="color:#666">{more} more plot(s): python -m checks --format html</div>'
                     if more > 0 else "")
                  if plot else '<div style="color:#666;font-style:italic">No plot for this claim\'s evidence.</div>')
        return (f'<div style="border:1px solid #ddd;border-radius:6px;padding:.6em .9em;max-width:720px;'
                f'font-family:system-ui,sans-serif;font-size:13px">'
                f'<div><code>{escape(self.id)}</code> <span style="font-weight:600;padding:0 .4em;border-radius:3px;'
                f'color:{fg};background:{bg}">{self.verdict.value}</span> '
                f'<span style="color:#666">{escape(self.claim.source)} §{escape(self.claim.section)}</span></div>'
                f'<p style="margin:.4em 0">{escape(self.claim.statement)}</p>'
                f'<p style="margin:.4em 0"><b>Evidence.</b> {escape(self.summary)}</p>{figure}'
                f'<div style="color:#666;margin-top:.4em">Rerun: <code>{escape(self.rerun())}</code></div></div>')

    def markdown(self) -> str:
        """The card as Markdown, the plot embedded as a data URI."""
        plot = self.plot_svg()
        image = (f"\n\n![evidence plot](data:image/svg+xml;base64,{base64.b64encode(plot.encode()).decode()})"
                 if plot else "\n\n*No plot for this claim's evidence.*")
        return (f"**`{self.id}`** — **{self.verdict.value}** ({self.claim.source} §{self.claim.section})\n\n"
                f"{self.claim.statement}\n\n**Evidence.** {self.summary}{image}\n\nRerun: `{self.rerun()}`\n")


def run_one(claim_id: str, *, seed: int = 0, tier: str | None = None, dps: int = 50) -> ClaimResult:
    """Check one claim (an id or a former id) at ``tier`` (default: its own) and return its :class:`ClaimResult`.

    Raises KeyError with close matches when no claim has that id.
    """
    import difflib

    from checks.discovery import load_all
    from checks.registry import aliases

    registry = load_all()
    cid = aliases().get(claim_id, claim_id)
    if cid not in registry:
        hint = difflib.get_close_matches(claim_id, list(registry), n=3, cutoff=0.5)
        raise KeyError(f"no claim {claim_id!r}" + (f"; close matches: {', '.join(hint)}" if hint else ""))
    claim = registry[cid]
    tier = tier or claim.tier
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
    if tier == "quick" and claim.tier == "full":
        raise ValueError(f"{cid} runs in the full tier only: give tier='full'")
    ctx = Context(seed=seed, tier=tier, dps=dps)  # type: ignore[arg-type]
    row = run_claim(claim, ctx)
    return ClaimResult(claim, row.result, run_metadata(ctx))
