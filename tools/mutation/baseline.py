"""The unmutated run every mutant is compared with, traced, and the snapshot of the sources it belongs to.

A baseline holds, per quick-tier claim, its verdict, the seconds it would take alone, its paper and module,
the counterexample of a REFUTED one (its fingerprint), and which traced functions each claim reached. It is
taken in one forked child of an instrumented copy of a snapshot (``reports/mutation/snapshot-<hash>``), so
edits to the checkout during a run of hours do not leak in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import math
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from tools.mutation.forkserver import fresh_project, make_workcopy, run_forked
from tools.mutation.mutants import PROJECT_PACKAGES, ROOT, default_targets, mutants_of, relative_path
from tools.mutation.trace import FORMULAS, IMPORT, Tracer, disable_tracing, instrument

#: Snapshots, baselines, stored outcomes and run states (not committed).
CACHE_DIR = ROOT / "reports" / "mutation"
#: Relative change of a counterexample's number that counts as a changed refutation (the runs are seeded and
#: deterministic, so an unmutated rerun reproduces every number to the last bit).
FINGERPRINT_RTOL = 1e-6
#: How long the baseline's children may take (s).
BASELINE_TIMEOUT = 6 * 3600.0


@dataclass
class Baseline:
    """Unmutated quick-tier run: per claim its verdict, seconds, paper and module, and who calls what."""

    verdicts: dict[str, str]
    seconds: dict[str, float]
    modules: dict[str, str]
    papers: dict[str, str]
    callers: dict[str, list[str]]  # "path:function" -> claims that reached it
    special: dict[str, list[str]] = field(default_factory=dict)  # IMPORT / FORMULAS -> functions reached
    fingerprints: dict[str, list[float | str]] = field(default_factory=dict)  # REFUTED claim -> its counterexample

    def affected(self, traced_name: str) -> set[str]:
        """The claims that reached the function ``traced_name`` (``path:function``)."""
        return set(self.callers.get(traced_name, ()))

    def topic_claims(self, stem: str) -> set[str]:
        """Claims that reach any function of the topic's derivation or generated file."""
        prefixes = (f"derivations/{stem}.py:", f"numerics/generated/{stem}.py:")
        return {c for k, cs in self.callers.items() if k.startswith(prefixes) for c in cs}


def fingerprint(counterexample: object) -> list[float | str]:
    """The numbers and texts (e.g. a symbolic residual) of a REFUTED result's counterexample, in a fixed order
    (dict keys sorted)."""
    out: list[float | str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for k in sorted(x, key=str):
                walk(x[k])
        elif isinstance(x, (list, tuple)) or type(x).__name__ == "ndarray":
            for v in list(x):  # type: ignore[call-overload]
                walk(v)
        elif isinstance(x, str):
            out.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool) or type(x).__module__ == "numpy" \
                and hasattr(x, "real"):
            try:
                out.append(float(x))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                pass

    walk(counterexample)
    return out


def same_fingerprint(a: list[float | str], b: list[float | str]) -> bool:
    """Whether two counterexamples carry the same texts and numbers (to :data:`FINGERPRINT_RTOL`; NaNs equal)."""
    def same(x: float | str, y: float | str) -> bool:
        if isinstance(x, str) or isinstance(y, str):
            return x == y
        return x == y or (math.isnan(x) and math.isnan(y)) or abs(x - y) <= FINGERPRINT_RTOL * max(abs(x), abs(y))

    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


def source_hash(root: Path) -> str:
    """A digest of every source file of the project's packages (names a snapshot)."""
    h = hashlib.sha256()
    for pkg in PROJECT_PACKAGES:
        for p in sorted((root / pkg).rglob("*.py")):
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_json(path: Path) -> dict | None:
    """The JSON object stored at ``path``, or None when there is none."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _load_registry(claim_modules: list[str] | None) -> dict:
    from checks.discovery import load_all
    from checks.registry import REGISTRY

    if claim_modules is None:
        return load_all()
    for name in claim_modules:
        importlib.import_module(name)
    return REGISTRY


def trace_claims(work: Path, rels: list[str], claim_ids: list[str] | None, claim_modules: list[str] | None) -> Baseline:
    """In a child: import the instrumented project from ``work``, build the formulas of the derivations among
    ``rels`` and run the claims one after another (so that caches are shared), tracing what each reaches."""
    tracer = Tracer()
    tracer.install()
    fresh_project(work)
    from checks.context import Context
    from checks.runner import run_claim
    from derivations.codegen import render

    registry = _load_registry(claim_modules)
    tracer.current = FORMULAS
    for rel in rels:
        if rel.startswith("derivations/"):
            stem = Path(rel).stem
            render(stem, importlib.import_module(f"derivations.{stem}").formulas())
    ids = [c for c in claim_ids if c in registry] if claim_ids else \
        [c.id for c in registry.values() if c.tier == "quick"]
    verdicts, seconds, prints = {}, {}, {}
    for i, cid in enumerate(ids):
        tracer.current = cid
        res = run_claim(registry[cid], Context(seed=0)).result
        verdicts[cid] = res.verdict.value
        if res.verdict.value == "REFUTED":
            prints[cid] = fingerprint(res.counterexample)
        seconds[cid] = res.seconds + tracer.extra.get(cid, 0.0)
        print(f"baseline {i + 1}/{len(ids)} {cid}: {verdicts[cid]} {res.seconds:.1f} s "
              f"(alone {seconds[cid]:.1f} s)", flush=True)
    callers: dict[str, list[str]] = {}
    for cid in ids:
        for name in tracer.used.get(cid, ()):
            callers.setdefault(name, []).append(cid)
    return Baseline(verdicts=verdicts, seconds=seconds, modules={c: registry[c].check.__module__ for c in ids},
                    papers={c: registry[c].paper for c in ids}, callers={k: sorted(v) for k, v in callers.items()},
                    special={k: sorted(tracer.used.get(k, ())) for k in (IMPORT, FORMULAS)}, fingerprints=prints)


def rerun_counterexamples(work: Path, base: Baseline) -> dict[str, list[float | str]]:
    """In a fresh child: the fingerprints of the baseline's REFUTED claims, run again without tracing."""
    disable_tracing()
    fresh_project(work)
    from checks.context import Context
    from checks.registry import REGISTRY
    from checks.runner import run_claim

    out = {}
    for cid in sorted(base.fingerprints, key=lambda c: base.seconds[c]):
        importlib.import_module(base.modules[cid])
        out[cid] = fingerprint(run_claim(REGISTRY[cid], Context(seed=0)).result.counterexample)
    return out


def compute_baseline(targets: list[Path], workers: int = 1, claim_ids: list[str] | None = None,
                     root: Path = ROOT, log: Callable[[str], None] = print,
                     claim_modules: list[str] | None = None) -> Baseline:
    """Trace every quick-tier claim (or ``claim_ids``, registered by ``claim_modules`` if given, else by any
    module) in one child process of an instrumented copy of ``root``: verdicts, seconds each claim would take
    alone, the functions of ``targets`` each reaches, and the counterexamples of the REFUTED ones (kept when
    a fresh process reproduces them). (``workers`` is accepted for symmetry; the claims run one after
    another so that caches are shared.)"""
    tmp = Path(tempfile.mkdtemp(prefix="mutation-baseline-"))
    work = make_workcopy(tmp / "repo", root)
    rels = [relative_path(t, root) for t in targets]
    for rel in rels:
        p = work / rel
        p.write_text(instrument(p.read_text(encoding="utf-8"), rel), encoding="utf-8")
    out_path = tmp / "baseline.json"

    def server(_task: object, _slot: int) -> dict:
        out_path.write_text(json.dumps(asdict(trace_claims(work, rels, claim_ids, claim_modules))), encoding="utf-8")
        return {"status": "ok"}

    outcome: dict = {}
    run_forked([None], server, lambda _t, _s, o: outcome.update(o), timeout=lambda _: BASELINE_TIMEOUT, scratch=tmp)
    if outcome.get("status") != "ok":
        raise RuntimeError(f"baseline failed: {outcome} (log: {tmp / 'slot-0.log'})")
    base = Baseline(**json.loads(out_path.read_text(encoding="utf-8")))
    again: dict = {}
    run_forked([None], lambda _t, _s: {"status": "ok", "fingerprints": rerun_counterexamples(work, base)},
               lambda _t, _s, o: again.update(o), timeout=lambda _: BASELINE_TIMEOUT, scratch=tmp)
    for cid in list(base.fingerprints):
        if not same_fingerprint(again.get("fingerprints", {}).get(cid, []), base.fingerprints[cid]):
            log(f"the counterexample of {cid} does not reproduce in a fresh process; not used to detect mutants")
            del base.fingerprints[cid]
    shutil.rmtree(tmp, ignore_errors=True)
    return base


def snapshot_baseline(workers: int, reuse: bool, log: Callable[[str], None] = print) -> tuple[Path, Baseline]:
    """A frozen copy of the sources (``reports/mutation/snapshot-<hash>``) and its traced baseline.

    Other people may edit the checkout during a run of hours, so mutants, work copies and the baseline all
    come from one copy. With ``reuse`` the latest snapshot and its baseline are used as they are; otherwise
    a snapshot of the current sources is taken (reused when one of the same sources exists).
    """
    latest = CACHE_DIR / "latest"
    if reuse:
        if not latest.exists():
            raise FileNotFoundError(f"no stored snapshot ({latest}); run without --reuse-baseline first")
        digest = latest.read_text(encoding="utf-8").strip()
    else:
        digest = source_hash(ROOT)
    snap = CACHE_DIR / f"snapshot-{digest}"
    stored = snap / "baseline.json"
    if stored.exists():
        data = json.loads(stored.read_text(encoding="utf-8"))
        log(f"using the snapshot of {data['taken']} ({digest}) and its baseline")
        return snap, Baseline(**data["baseline"])
    if reuse:
        raise FileNotFoundError(f"the latest snapshot {snap} has no baseline; run without --reuse-baseline")
    shutil.rmtree(snap, ignore_errors=True)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    make_workcopy(snap)
    taken = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    base = compute_baseline(default_targets(snap), workers=workers, root=snap, log=log)
    log(f"baseline: {len(base.verdicts)} quick claims in {time.perf_counter() - t0:.0f} s")
    stored.write_text(json.dumps({"hash": digest, "taken": taken, "baseline": asdict(base)}), encoding="utf-8")
    latest.write_text(digest, encoding="utf-8")
    return snap, base


def _claims_to_verify(wanted: list[tuple[str, int]]) -> set[str]:
    """The claims that the latest full baseline says the mutants ``wanted`` (of its snapshot) reach, and the
    cheap claims of the same modules (a sharpened check may reach the mutated function now)."""
    latest = CACHE_DIR / "latest"
    if not latest.exists():
        raise FileNotFoundError("--mutants needs a full baseline first (run without --mutants)")
    old_snap = CACHE_DIR / f"snapshot-{latest.read_text(encoding='utf-8').strip()}"
    old = Baseline(**json.loads((old_snap / "baseline.json").read_text(encoding="utf-8"))["baseline"])
    ran = (load_json(old_snap / "outcomes.json") or {}).get("outcomes", {})
    claims: set[str] = set()
    for path, index in wanted:
        muts = mutants_of(old_snap / path, root=old_snap)
        if index >= len(muts):
            raise ValueError(f"{path} has mutants 0..{len(muts) - 1}, not {index}")
        if ran.get(f"{path}:{index}", {}).get("affected"):  # the claims the mutant reached in the sampled run
            claims |= set(ran[f"{path}:{index}"]["affected"])
            continue
        claims |= old.affected(muts[index].traced_name)
        if path.startswith("derivations/"):
            claims |= old.topic_claims(Path(path).stem)
    modules = {old.modules[c] for c in claims}
    return claims | {c for c in old.verdicts if old.modules[c] in modules and old.seconds[c] < 1.0}


def verification_baseline(wanted: list[tuple[str, int]], log: Callable[[str], None] = print) -> tuple[Path, Baseline]:
    """For re-running a few mutants on the current sources: a snapshot (``reports/mutation/verify-<hash>``) and a
    baseline of only the claims that the latest full baseline says those mutants reach."""
    claims = _claims_to_verify(wanted)
    snap = CACHE_DIR / f"verify-{source_hash(ROOT)}"
    stored = snap / "baseline.json"
    if stored.exists() and set(json.loads(stored.read_text(encoding="utf-8"))["claims"]) >= claims:
        return snap, Baseline(**json.loads(stored.read_text(encoding="utf-8"))["baseline"])
    shutil.rmtree(snap, ignore_errors=True)
    make_workcopy(snap)
    base = compute_baseline(default_targets(snap), claim_ids=sorted(claims), root=snap, log=log)
    stored.write_text(json.dumps({"claims": sorted(claims), "baseline": asdict(base)}), encoding="utf-8")
    return snap, base
