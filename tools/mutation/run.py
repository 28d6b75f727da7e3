"""Which mutants to run and running them: a forked child per mutant writes it into its work copy, regenerates
the topic when a derivation was mutated, and runs the claims it reaches, cheapest first, until a verdict (or a
REFUTED claim's counterexample) changes."""
from __future__ import annotations

import importlib
import random
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from tools.mutation.baseline import Baseline, fingerprint, same_fingerprint
from tools.mutation.forkserver import extend_deadline, fresh_project, make_workcopy, run_forked
from tools.mutation.mutants import ROOT, Mutant, apply_source, function_sources
from tools.mutation.trace import FORMULAS, IMPORT

#: fixed allowance (s) on top of the claims' time: fresh imports, regeneration of one topic and compiling the numba
#: kernels of numerics/ (a work copy has no compiled cache: about 12–16 s of CPU)
ALLOWANCE = 65.0
#: The outcomes that count as detecting a mutant.
DETECTED = ("detected", "regeneration failed", "crash", "timeout")


def exercised(m: Mutant, base: Baseline) -> bool:
    """Whether some quick-tier claim can see mutant ``m``: a claim reaches its function, or (derivations)
    the function is reached while importing or while building the formulas of a topic a claim uses."""
    if base.affected(m.traced_name):
        return True
    reached = set(base.special.get(FORMULAS, ())) | set(base.special.get(IMPORT, ()))
    if m.path.startswith("derivations/") and m.traced_name in reached:
        generated = f"numerics/generated/{Path(m.path).stem}.py:"
        return any(k.startswith(generated) for k in base.callers)
    return False


def sample_mutants(mutants: list[Mutant], base: Baseline, k: int | None, seed: int) -> tuple[list[Mutant], int]:
    """The mutants to run of one file (``k`` drawn at random from the exercised ones, or all of them, in a
    random order) and the number of exercised mutants they were drawn from."""
    pool = [m for m in mutants if exercised(m, base)]
    if pool:
        random.Random(f"{seed}:{pool[0].path}").shuffle(pool)  # nested: the sample of k is a prefix of k' > k
    return pool[:k] if k is not None else pool, len(pool)


def timeout_for(affected: set[str], base: Baseline, factor: float) -> float:
    """Seconds a mutant may take: ``factor`` × the affected claims' baseline seconds + :data:`ALLOWANCE`."""
    return factor * sum(base.seconds.get(c, 0.0) for c in affected) + ALLOWANCE


def reachable_claims(m: Mutant, base: Baseline) -> set[str]:
    """The claims a mutant may reach: those of its function and, for a derivation, every claim of its topic
    (the regeneration may change any generated function)."""
    affected = base.affected(m.traced_name)
    if m.path.startswith("derivations/"):
        affected |= base.topic_claims(Path(m.path).stem)
    return affected


def expected_timeout(m: Mutant, base: Baseline, factor: float) -> float:
    """Timeout of a mutant before its child knows which claims regeneration affects."""
    return timeout_for(reachable_claims(m, base), base, factor)


def expected_cost(m: Mutant, base: Baseline) -> float:
    """Upper estimate of a mutant's seconds (a survivor runs every affected claim): claims + imports."""
    return sum(base.seconds.get(c, 0.0) for c in reachable_claims(m, base)) + 3.0


def regenerate(m: Mutant, work: Path, base: Baseline) -> tuple[set[str], list[str]] | dict:
    """In the child of a derivation mutant: regenerate its topic in ``work``; the claims the changed generated
    functions (or values computed at import) reach and the names of those functions, or the final outcome
    when regeneration fails or changes nothing a claim sees."""
    stem = Path(m.path).stem
    gen = work / "numerics" / "generated" / f"{stem}.py"
    try:
        from derivations.codegen import render

        text = render(stem, importlib.import_module(f"derivations.{stem}").formulas())
    except Exception as exc:  # noqa: BLE001 - a mutant that breaks the derivation is detected
        return {"status": "regeneration failed", "error": f"{type(exc).__name__}: {exc}"[:160]}
    affected, changed = base.affected(m.traced_name), []
    if gen.exists():
        before, after = function_sources(gen.read_text(encoding="utf-8")), function_sources(text)
        changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
        gen.write_text(text, encoding="utf-8")
        for name in changed:
            affected |= base.affected(f"numerics/generated/{stem}.py:{name}")
    if m.traced_name in base.special.get(IMPORT, ()):  # a value computed at import may reach any claim of the topic
        affected |= base.topic_claims(stem)
    if not affected:
        return {"status": "not exercised" if changed else "equivalent", "regenerated": changed}
    return affected, changed


def run_mutant(m: Mutant, work: Path, base: Baseline, factor: float = 5.0) -> dict:
    """In a fresh child: write mutant ``m`` into ``work``, regenerate (derivation), import the project from
    ``work`` and run the affected claims cheapest first until a verdict changes."""
    source = (work / m.path).read_text(encoding="utf-8")
    fresh_project(work)
    (work / m.path).write_text(apply_source(source, m.index), encoding="utf-8")
    affected, regen_changed = base.affected(m.traced_name), []
    if m.path.startswith("derivations/"):
        regenerated = regenerate(m, work, base)
        if isinstance(regenerated, dict):
            return regenerated
        affected, regen_changed = regenerated
    if not affected:
        return {"status": "not exercised"}
    extend_deadline(timeout_for(affected, base, factor))
    from checks.context import Context
    from checks.registry import REGISTRY
    from checks.runner import run_claim

    order = sorted(affected, key=lambda c: (base.seconds.get(c, 0.0), c))
    for cid in order:
        importlib.import_module(base.modules[cid])
        result = run_claim(REGISTRY[cid], Context(seed=0)).result
        verdict = result.verdict.value
        if verdict != base.verdicts[cid]:
            return {"status": "detected", "claim": cid, "verdict": verdict, "was": base.verdicts[cid],
                    "affected": order, "regenerated": regen_changed}
        changed = cid in base.fingerprints and \
            not same_fingerprint(fingerprint(result.counterexample), base.fingerprints[cid])
        if changed:
            return {"status": "detected", "claim": cid, "verdict": "REFUTED with another counterexample",
                    "was": "REFUTED", "by": "counterexample", "affected": order, "regenerated": regen_changed}
    return {"status": "survived", "affected": order, "regenerated": regen_changed}


def run_mutants(mutants: list[Mutant], base: Baseline, workers: int = 1, factor: float = 5.0,
                root: Path = ROOT, on_result: Callable[[Mutant, dict], None] | None = None) -> dict[Mutant, dict]:
    """Run ``mutants`` with ``workers`` forked children, each in its own work copy; outcome per mutant."""
    tmp = Path(tempfile.mkdtemp(prefix="mutation-run-"))
    works = [make_workcopy(tmp / f"work-{i}", root) for i in range(workers)]
    results: dict[Mutant, dict] = {}

    def child(task: object, slot: int) -> dict:
        return run_mutant(task, works[slot], base, factor)  # type: ignore[arg-type]

    def done(task: object, slot: int, outcome: dict) -> None:
        m: Mutant = task  # type: ignore[assignment]
        for rel in {m.path, f"numerics/generated/{Path(m.path).stem}.py"}:
            original = root / rel
            if original.exists():
                shutil.copyfile(original, works[slot] / rel)
        results[m] = outcome
        if on_result is not None:
            on_result(m, outcome)

    try:
        run_forked(mutants, child, done, workers=workers, timeout=lambda t: expected_timeout(t, base, factor),
                   scratch=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results
