"""The claim registry, the verdict model, the runner, the reports and the command line.

In a notebook, ``checks.run("momentum_dln.theorem1")`` checks one claim and returns a
:class:`checks.report.card.ClaimResult`, which Jupyter shows as a card with its verdict and evidence plot.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.report.card import ClaimResult

__all__ = ["ClaimResult", "run"]


def run(claim_id: str, *, seed: int = 0, tier: str | None = None, dps: int = 50) -> ClaimResult:
    """Check one claim (an id or a former id) with ``seed`` at ``tier`` (default: the claim's own) and ``dps``
    digits, and return its result, which shows itself in Jupyter (``_repr_html_``, ``_repr_markdown_``)."""
    from checks.report.card import run_one

    return run_one(claim_id, seed=seed, tier=tier, dps=dps)


def __getattr__(name: str) -> Any:
    if name == "ClaimResult":  # imported on first use: `import checks` stays light
        from checks.report.card import ClaimResult

        return ClaimResult
    raise AttributeError(f"module 'checks' has no attribute {name!r}")
