"""Hypothesis classes: the set a claim quantifies over, drawn by Hypothesis, checked instance by instance.

A :class:`HypothesisClass` is a Hypothesis strategy of instances (data, initialisations, parameters: exactly
what the statement quantifies over, within the paper's assumptions and nothing narrower) with the set in
words. :func:`check_class` draws instances from it reproducibly (seeded by the run's seed and the claim id, no
example database), checks each with a function returning a per-instance :class:`checks.verdict.Result`, and
combines them:

- REFUTED as soon as one instance is refuted; Hypothesis then shrinks it to a minimal counterexample (within a
  budget of calls counted, never timed, so the verdict does not depend on the machine) and the result gives
  both the instance first found and the minimal one;
- INCONCLUSIVE when an instance could not be decided (the others are reported);
- CONFIRMED when every instance holds, with the count and the worst instance's evidence.

An instance outside the statement's assumptions that only shows after computing (a zero crossing, say) is
reported by the per-instance check as :func:`inapplicable`: Hypothesis discards it and draws another; too few
applicable instances make the claim INCONCLUSIVE.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from hypothesis import HealthCheck, Phase, assume, example, given, seed, settings
from hypothesis.errors import Unsatisfiable, UnsatisfiedAssumption
from hypothesis.strategies import SearchStrategy

from checks.context import Context, stream_seed
from checks.verdict import Result, Verdict, inconclusive, jsonable, refuted

T = TypeVar("T")

#: Instances drawn per claim, by tier (at least; the paper's default instance, when given, comes on top).
EXAMPLES = {"quick": 5, "full": 20}
#: Calls Hypothesis may spend shrinking a refuted instance (a count, so the minimal counterexample is the same
#: on every machine); further shrink candidates count as not refuting.
SHRINK_CALLS = {"quick": 25, "full": 60}
#: Flag in a per-instance result's evidence marking an instance outside the statement's assumptions.
INAPPLICABLE = "inapplicable"


@dataclass(frozen=True)
class HypothesisClass(Generic[T]):
    """The set a claim quantifies over: ``strategy`` draws its instances, ``words`` says what the set is.

    ``describe`` turns an instance into plain data for the report (its seed, sizes, parameters); ``default``
    is the paper's own experiment instance, checked first when given (it is one point of the class, not the
    class).
    """

    words: str
    strategy: SearchStrategy[T] = field(repr=False)
    describe: Callable[[T], dict[str, Any]] = field(default=lambda inst: {"instance": repr(inst)}, repr=False)
    default: T | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.words.strip():
            raise ValueError("a hypothesis class must say in words what set it draws from")
        if not isinstance(self.strategy, SearchStrategy):
            raise ValueError(f"strategy must be a Hypothesis strategy, got {type(self.strategy).__name__}")


def inapplicable(why: str, **evidence: Any) -> Result:
    """The per-instance verdict for an instance that breaks the statement's assumptions: not counted."""
    return inconclusive(f"instance outside the statement's assumptions: {why}", **{INAPPLICABLE: True, **evidence})


def is_inapplicable(res: Result) -> bool:
    """True for a result made by :func:`inapplicable`."""
    return res.verdict is Verdict.INCONCLUSIVE and bool(res.evidence.get(INAPPLICABLE))


class _Refutation(Exception):
    """Raised inside the Hypothesis test when an instance is refuted, so that Hypothesis shrinks it."""


@dataclass
class _Record:
    """What the draws found: every decided instance in order, the refuted ones by key, the shrink budget."""

    shrink_calls: int
    checked: list[tuple[Any, Result]] = field(default_factory=list)
    refuted: dict[bytes, tuple[Any, Result]] = field(default_factory=dict)
    first_refuted: tuple[Any, Result] | None = None
    skipped: int = 0
    calls_after_refutation: int = 0


def _key(instance: Any) -> bytes:
    try:
        return pickle.dumps(instance)
    except Exception:  # an unpicklable instance: its repr is the best key there is
        return repr(instance).encode()


def _check_safely(check_one: Callable[[T], Result], instance: T) -> Result:
    try:
        res = check_one(instance)
    except (UnsatisfiedAssumption, _Refutation):
        raise
    except Exception as exc:  # a crash is never a verdict on the claim
        return inconclusive(f"the check raised {type(exc).__name__}: {exc}", error=repr(exc))
    if not isinstance(res, Result):
        raise TypeError(f"a per-instance check must return a Result, got {type(res).__name__}")
    return res


def _probe(record: _Record, check_one: Callable[[T], Result]) -> Callable[[T], None]:
    """The Hypothesis test body: check one instance, record it, raise on a refutation."""

    def probe(instance: T) -> None:
        key = _key(instance)
        if key not in record.refuted and not budget_spent():
            res = _check_safely(check_one, instance)
            if is_inapplicable(res):
                record.skipped += 1
                assume(False)
            if res.verdict is Verdict.REFUTED:
                record.refuted[key] = (instance, res)
                record.first_refuted = record.first_refuted or (instance, res)
            elif record.first_refuted is None:
                record.checked.append((instance, res))
        if key in record.refuted:  # one raise site: Hypothesis tells failures apart by where they are raised
            raise _Refutation(key)

    def budget_spent() -> bool:
        """Once an instance is refuted, count shrink calls; past the budget a new candidate does not refute (a
        replay of a refuted one, as Hypothesis's final run of the minimal example, costs nothing)."""
        if record.first_refuted is None:
            return False
        record.calls_after_refutation += 1
        return record.calls_after_refutation > record.shrink_calls

    return probe


def _run(cls: HypothesisClass[T], check_one: Callable[[T], Result], ctx: Context, examples: int,
         shrink_calls: int) -> tuple[_Record, bytes | None]:
    record = _Record(shrink_calls)
    probe = _probe(record, check_one)
    test = given(cls.strategy)(probe)
    if cls.default is not None:
        test = example(cls.default)(test)
    test = settings(max_examples=examples, database=None, deadline=None, derandomize=False,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink), report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck), print_blob=False)(test)
    run_seed, name = stream_seed(ctx.seed, ctx.claim or "unnamed", "hypothesis")
    test = seed(run_seed * 2 ** 32 + name)(test)
    try:
        test()
    except _Refutation as exc:
        return record, exc.args[0]
    except Unsatisfiable:  # every drawn instance was inapplicable: reported by the caller
        pass
    return record, None


def _instance_row(cls: HypothesisClass[T], instance: T, res: Result) -> dict[str, Any]:
    row = {**jsonable(cls.describe(instance)), "verdict": res.verdict.value}
    for key in ("max_error", "tolerance", "values", "threshold", "fitted_order", "digits"):
        if key in res.evidence:
            row[key] = jsonable(res.evidence[key])
    return row


def _margin(res: Result) -> float:
    """How close an instance came to failing (error over tolerance), for picking the worst one."""
    ev = res.evidence
    if "max_error" in ev and ev.get("tolerance"):
        return float(ev["max_error"]) / float(ev["tolerance"])
    return 0.0


def check_class(what: str, cls: HypothesisClass[T], check_one: Callable[[T], Result], ctx: Context, *,
                examples: int | None = None, shrink_calls: int | None = None) -> Result:
    """Check ``check_one`` on instances drawn from ``cls`` (``EXAMPLES[ctx.tier]`` of them unless ``examples``
    says otherwise, with its reason in the caller) and combine their verdicts as the module docstring says."""
    n = EXAMPLES[ctx.tier] if examples is None else int(examples)
    if n < 1:
        raise ValueError(f"examples must be >= 1, got {examples!r}")
    budget = SHRINK_CALLS[ctx.tier] if shrink_calls is None else int(shrink_calls)
    record, failing = _run(cls, check_one, ctx, n, budget)
    common = {"hypothesis_class": cls.words, "instances_drawn": len(record.checked) + len(record.refuted),
              "instances_inapplicable": record.skipped}
    if failing is not None:
        minimal, res = record.refuted[failing]
        first, first_res = record.first_refuted or (minimal, res)
        counter = {**jsonable(cls.describe(minimal)), **jsonable(res.counterexample or {})}
        return refuted(f"{what}: {res.summary} (minimal counterexample after shrinking; "
                       f"{len(record.checked)} instance(s) held before it)", counterexample=counter,
                       instances=len(record.checked) + 1, first_found=jsonable(cls.describe(first)),
                       first_found_summary=first_res.summary, minimal_evidence=jsonable(res.evidence),
                       held=[_instance_row(cls, i, r) for i, r in record.checked], **common)
    decided = record.checked
    if not decided:
        return inconclusive(f"{what}: no drawn instance met the statement's assumptions "
                            f"({record.skipped} discarded)", instances=0, **common)
    rows = [_instance_row(cls, i, r) for i, r in decided]
    open_ = [(i, r) for i, r in decided if r.verdict is Verdict.INCONCLUSIVE]
    if open_:
        inst, res = open_[0]
        return inconclusive(f"{what}: {len(open_)} of {len(decided)} instance(s) undecided, e.g. {res.summary}",
                            instances=len(decided), undecided=jsonable(cls.describe(inst)),
                            undecided_evidence=jsonable(res.evidence), per_instance=rows, **common)
    worst_inst, worst = max(decided, key=lambda ir: _margin(ir[1]))
    verdict = Verdict.PROVED if all(r.verdict is Verdict.PROVED for _, r in decided) else Verdict.CONFIRMED
    return Result(verdict, f"{what}: holds on all {len(decided)} drawn instance(s); worst: {worst.summary}",
                  {"instances": len(decided), **common, "worst_instance": jsonable(cls.describe(worst_inst)),
                   "worst_evidence": jsonable(worst.evidence), "per_instance": rows})
