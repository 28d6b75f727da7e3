"""checks.shared: shared runs are computed once per process, their time is booked apart, and the runner does not
charge it to the claim that asks first (neither in its seconds nor against its time budget)."""
from __future__ import annotations

import time

import pytest

from checks import shared
from checks.context import Context
from checks.registry import Claim
from checks.report.document import record
from checks.runner import run_claim
from checks.verdict import Result, Verdict

SLEEP = 0.3


def claim_of(fn, cid: str = "momentum_dln.fake") -> Claim:
    return Claim(id=cid, paper="momentum_dln", section="0", keys=(), statement="s", kind="identity", tier="quick",
                 check=fn)


def test_a_shared_run_is_computed_once_and_booked_once():
    calls = []

    @shared.shared_run()
    def inner(x: int) -> int:
        calls.append(("inner", x))
        time.sleep(0.05)
        return x

    @shared.shared_run(maxsize=4)
    def outer(x: int) -> int:
        calls.append(("outer", x))
        return inner(x) + 1

    before = shared.shared_seconds()
    assert outer(3) == 4 and outer(3) == 4 and inner(3) == 3
    assert calls == [("outer", 3), ("inner", 3)]
    booked = shared.shared_seconds() - before
    assert 0.05 <= booked < 0.5  # the nested miss is inside the outer one: booked once, not twice
    assert outer.cache_info().hits == 1 and inner.cache_info().hits == 1


def test_bad_maxsize_is_refused():
    with pytest.raises(ValueError, match="maxsize"):
        shared.shared_run(maxsize=-1)


def test_the_first_claim_is_not_charged_for_a_shared_run():
    @shared.shared_run()
    def trajectory(seed: int) -> float:
        time.sleep(SLEEP)
        return float(seed)

    def check(ctx: Context) -> Result:
        return Result(Verdict.CONFIRMED, f"value {trajectory(ctx.seed)}")

    ctx = Context(seed=0, tier="quick", time_budget=SLEEP / 2)
    first = run_claim(claim_of(check, "momentum_dln.fake_a"), ctx)
    second = run_claim(claim_of(check, "momentum_dln.fake_b"), ctx)
    # the shared run took longer than the budget; it is booked apart, so the first claim keeps its verdict
    assert first.result.verdict is Verdict.CONFIRMED and second.result.verdict is Verdict.CONFIRMED
    assert first.shared_seconds >= SLEEP and second.shared_seconds == 0.0
    assert first.result.seconds < SLEEP / 2 and second.result.seconds < SLEEP / 2
    assert record(first)["shared_seconds"] >= SLEEP and "shared_seconds" not in record(second)


def test_a_claims_own_time_still_counts_against_its_budget():
    def slow(ctx: Context) -> Result:
        time.sleep(SLEEP)
        return Result(Verdict.CONFIRMED, "slow")

    row = run_claim(claim_of(slow), Context(seed=0, tier="quick", time_budget=SLEEP / 2))
    assert row.result.verdict is Verdict.INCONCLUSIVE and "time budget" in row.result.summary


def test_charged_books_a_block():
    before = shared.shared_seconds()
    with shared.charged("test.block"):
        time.sleep(0.05)
    assert shared.shared_seconds() - before >= 0.05 and shared.LEDGER["test.block"] >= 0.05
