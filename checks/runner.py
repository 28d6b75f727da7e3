"""Run registry entries and collect their results (timed; a check that raises becomes INCONCLUSIVE)."""
from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

from checks.context import Context
from checks.registry import Claim
from checks.shared import shared_seconds
from checks.verdict import Result, Verdict, inconclusive


@dataclass(frozen=True)
class Row:
    """One line of a report: the entry and its result."""

    claim: Claim
    result: Result
    #: seconds the claim's first reads of shared runs (checks.shared) cost, not counted in ``result.seconds``
    shared_seconds: float = 0.0


def run_claim(claim: Claim, ctx: Context) -> Row:
    """Run one check; an exception inside it is reported as INCONCLUSIVE with its message. Its seconds leave out
    the computing of shared runs (checks.shared) during it, so that neither the time reported nor the time budget
    depends on which claims ran before it in the process."""
    shared_before = shared_seconds()
    start = time.perf_counter()
    try:
        result = claim.check(replace(ctx, claim=claim.id))
        if not isinstance(result, Result):
            raise TypeError(f"check of {claim.id} returned {type(result).__name__}, not Result")
    except Exception as exc:  # a crash must never read as a verdict on the claim
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result = inconclusive(f"the check raised {last}", error=last)
    shared = shared_seconds() - shared_before
    seconds = time.perf_counter() - start - shared
    if result.verdict is not Verdict.INCONCLUSIVE and seconds > ctx.time_budget:
        result = inconclusive(f"time budget of {ctx.time_budget:g} s exceeded ({seconds:.1f} s); "
                              f"the check would have said {result.verdict.value}",
                              would_have_been=result.verdict.value, **result.evidence)
    return Row(claim, replace(result, seconds=seconds), shared)


def _run_group(claim_ids: list[str], ctx: Context) -> list[tuple[Result, float]]:
    from checks.discovery import load_all

    registry = load_all()
    return [(row.result, row.shared_seconds) for row in (run_claim(registry[cid], ctx) for cid in claim_ids)]


#: Per-claim seconds of the last suite benchmark (``python -m benchmarks suite``), by tier; used only to order the
#: work handed to processes (longest first), never to decide a verdict.
TIMINGS = Path(__file__).with_name("timings.json")


def expected_seconds(tier: str, path: Path = TIMINGS) -> dict[str, float]:
    """Claim id -> seconds measured for ``tier`` by the last suite benchmark ({} if none is recorded)."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in table.get(tier, {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def group_of(claim: Claim) -> tuple[str, str]:
    """The process group of a claim under ``--jobs``: its paper and the ``GROUP`` its check's module declares
    (default ""). Claims that share cached runs (a paper's ``instances``) must share a group, so that the runs
    are computed once."""
    module = sys.modules.get(claim.check.__module__)
    return claim.paper, str(getattr(module, "GROUP", ""))


def process_groups(claims: list[Claim], tier: str = "quick",
                   known: dict[str, float] | None = None) -> list[list[Claim]]:
    """The claims of one group (:func:`group_of`) together, the longest first by the recorded timings (a claim
    without one counts as the median), so that the longest group does not start last; ties by size."""
    by_group: dict[tuple[str, str], list[Claim]] = {}
    for c in claims:
        by_group.setdefault(group_of(c), []).append(c)
    known = expected_seconds(tier) if known is None else known
    fill = float(sorted(known.values())[len(known) // 2]) if known else 1.0

    def cost(group: list[Claim]) -> tuple[float, int]:
        return sum(known.get(c.id, fill) for c in group), len(group)

    return sorted(by_group.values(), key=cost, reverse=True)


def run_claims(claims: Iterable[Claim], ctx: Context, progress: Callable[[int, Claim], None] | None = None,
               jobs: int = 1) -> list[Row]:
    """Run claims and return rows in the given order; ``progress(i, claim)`` reports the i-th completion.

    With ``jobs > 1`` the claims are spread over that many processes, a group's claims (:func:`group_of`) together
    so that the trajectories they share are computed once; every check draws its randomness from ``ctx`` and its
    own id, so the verdicts and evidence do not depend on ``jobs``.
    """
    claims = list(claims)
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if jobs == 1 or len(claims) < 2:
        rows = []
        for i, c in enumerate(claims):
            if progress is not None:
                progress(i, c)
            rows.append(run_claim(c, ctx))
        return rows
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: dict[str, tuple[Result, float]] = {}
    done = 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_run_group, [c.id for c in group], ctx): group
                   for group in process_groups(claims, ctx.tier)}
        for fut in as_completed(futures):
            group = futures[fut]
            try:
                group_results = fut.result()
            except Exception as exc:  # the worker died: never a verdict on the claims
                group_results = [(inconclusive(f"the worker running the check failed: {exc!r}"), 0.0)] * len(group)
            for c, r in zip(group, group_results):
                if progress is not None:
                    progress(done, c)
                done += 1
                results[c.id] = r
    return [Row(c, *results[c.id]) for c in claims]
