"""Mutation testing of the formulas the checks rely on: ``python -m checks.mutation`` (or ``make mutate``).

Each mutant plants one small error in a derivation module (``derivations/<topic>.py``, after which the
formulas are regenerated) or in a generated file (``numerics/generated/<topic>.py``): a number changed,
an operator swapped (+/−, ×/÷), an exponent raised, a sign dropped, a term dropped. The mutant is
*detected* when a quick-tier claim that depends on the mutated function gets a verdict other than its
unmutated (baseline) verdict (or, for a REFUTED claim, a counterexample with other numbers), or
regeneration fails, or the run crashes or times out. Mutants, work copies and the baseline come from one
snapshot of the sources (``reports/mutation/``), so edits made in the checkout during a run do not leak in.

How a mutant is made cheap:

* a fork server: this process imports the heavy libraries (SymPy, NumPy, SciPy, mpmath) once and forks a
  child per mutant; the child points ``sys.path`` at a scratch work copy, writes the mutant there,
  regenerates the topic in-process when a derivation was mutated, imports the project fresh and runs
  the affected claims;
* tracing: the baseline runs every quick-tier claim once in an instrumented copy of the project (each
  outermost function of the target files records its calls; each ``lru_cache`` result remembers what its
  computation reached and cost, and charges both to every claim that hits it), so a claim is charged the
  functions it reaches and the time it would take alone; a mutant reruns only the claims that reach the
  mutated function (for a derivation: or a generated function whose code the regeneration changed);
* early exit: the affected claims run cheapest first and the child stops at the first changed verdict;
* a timeout of ``--timeout-factor`` × the baseline seconds of the affected claims (+ a fixed allowance)
  counts as detected, reported apart;
* ``--workers N`` children at once, each in its own work copy;
* ``--sample K --seed S``: K mutants per file drawn at random from those in exercised functions (nested:
  a larger K reuses the stored outcomes of a smaller one); ``--mutants PATH:INDEX ...`` re-runs chosen
  mutants on the current sources (after a gap was closed); ``--show`` prints one mutant; ``--render``
  rewrites MUTATION.md with the survivors' classifications (:data:`EXPLAINED`).

Why not mutmut: it judges mutants by a pytest run only, cannot regenerate numerics/generated/ from a
mutated derivation, and mutates strings and arguments that carry no mathematics; this module does only
what it cannot: mutate formulas, regenerate, and compare verdicts.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import datetime as dt
import hashlib
import importlib
import json
import math
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("checks", "derivations", "numerics")
CACHE_DIR = ROOT / "reports" / "mutation"
IMPORT, FORMULAS = "<import>", "<formulas>"
HEAVY_LIBRARIES = ("mpmath", "numba", "numpy", "scipy.integrate", "scipy.linalg", "scipy.optimize", "sympy")
#: fixed allowance (s) on top of the claims' time: fresh imports, regeneration of one topic and compiling the numba
#: kernels of numerics/ (a work copy has no compiled cache: about 12–16 s of CPU)
ALLOWANCE = 65.0


@dataclass(frozen=True)
class Mutant:
    """One planted error: which file, which function and line, and what was changed."""

    path: str
    index: int
    line: int
    function: str
    description: str

    @property
    def key(self) -> str:
        """The traced name of the mutated function: ``path:function``."""
        return f"{self.path}:{self.function}"

    def where(self) -> str:
        return f"`{self.path}` #{self.index} line {self.line} ({self.function}): {self.description}"


# --------------------------------------------------------------------------------------------- mutants

class _Mutator(ast.NodeTransformer):
    """Enumerates mutation sites inside function bodies; with ``target`` set, applies that one."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.sites: list[tuple[int, str, str]] = []
        self.in_function = 0
        self.function = ""

    def _site(self, node: ast.AST, description: str) -> bool:
        self.sites.append((getattr(node, "lineno", 0), self.function, description))
        return self.target == len(self.sites) - 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.in_function += 1
        outer, self.function = self.function, self.function or node.name
        body = node.body
        start = 1 if _has_docstring(body) else 0
        node.body = body[:start] + [self.visit(stmt) for stmt in body[start:]]
        self.in_function -= 1
        self.function = outer
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if self.in_function and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if self._site(node, f"constant {node.value!r} -> {node.value + 1!r}"):
                return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if self.in_function and isinstance(node.op, ast.USub):
            if self._site(node, f"sign dropped: -{ast.unparse(node.operand)[:40]}"):
                return node.operand
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not self.in_function:
            return node
        swaps = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
        text = ast.unparse(node)[:50]
        if type(node.op) in swaps:
            new = swaps[type(node.op)]
            if self._site(node, f"operator {type(node.op).__name__} -> {new.__name__} in {text}"):
                return ast.copy_location(ast.BinOp(node.left, new(), node.right), node)
        if isinstance(node.op, ast.Pow):
            if self._site(node, f"exponent raised by 1 in {text}"):
                return ast.copy_location(ast.BinOp(node.left, ast.Pow(), ast.BinOp(node.right, ast.Add(), ast.Constant(1))), node)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            if self._site(node, f"term dropped: {text}"):
                return node.left
        return node


def _has_docstring(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


def _rel(path: Path, root: Path = ROOT) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def mutants_of(path: Path, root: Path = ROOT) -> list[Mutant]:
    """Every mutation site of a source file, in source order."""
    m = _Mutator()
    m.visit(ast.parse(path.read_text(encoding="utf-8")))
    rel = _rel(path, root)
    return [Mutant(rel, i, line, fn, d) for i, (line, fn, d) in enumerate(m.sites)]


def apply_source(source: str, index: int) -> str:
    """``source`` with mutation ``index`` applied."""
    tree = _Mutator(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def apply(path: Path, index: int) -> str:
    """Source text of ``path`` with mutation ``index`` applied."""
    return apply_source(path.read_text(encoding="utf-8"), index)


def show(path: Path, index: int, root: Path = ROOT, context: int = 60) -> str:
    """Mutant ``index`` of ``path``: where it is, and the changed text with ``context`` characters around it."""
    import difflib

    muts = mutants_of(path, root)
    if not 0 <= index < len(muts):
        raise ValueError(f"{path} has mutants 0..{len(muts) - 1}, not {index}")
    before = ast.unparse(ast.parse(path.read_text(encoding="utf-8"))).splitlines()
    after = apply(path, index).splitlines()
    out = [muts[index].where()]
    for old, new in zip(before, after):
        if old != new:
            sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
            for tag, i1, i2, j1, j2 in sm.get_opcodes():
                if tag != "equal":
                    out.append(f"  ...{old[max(0, i1 - context):i1]}[{old[i1:i2]} -> {new[j1:j2]}]{old[i2:i2 + context]}...")
    return "\n".join(out)


def instrument(source: str, rel: str) -> str:
    """``source`` with a call ``__mutation_trace__('rel:f')`` at the start of every outermost function ``f``
    (module functions and methods), the same naming as :attr:`Mutant.function`."""

    class Tracer(ast.NodeTransformer):
        depth = 0

        def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
            if self.depth == 0:
                call = ast.Expr(ast.Call(ast.Name("__mutation_trace__", ast.Load()), [ast.Constant(f"{rel}:{node.name}")], []))
                start = 1 if _has_docstring(node.body) else 0
                node.body = node.body[:start] + [call] + node.body[start:]
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1
            return node

    return ast.unparse(ast.fix_missing_locations(Tracer().visit(ast.parse(source))))


def _function_sources(text: str) -> dict[str, str]:
    return {n.name: ast.unparse(n) for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}


def default_targets(root: Path = ROOT) -> list[Path]:
    """Every derivation module with formulas and every generated file."""
    return sorted([p for p in (root / "derivations").glob("*.py") if p.stem not in ("__init__", "__main__", "codegen")]
                  + [p for p in (root / "numerics" / "generated").glob("*.py") if p.stem != "__init__"])


# ------------------------------------------------------------------------------------- fork machinery

def make_workcopy(dest: Path, root: Path = ROOT) -> Path:
    """A scratch copy of the repository's sources (no virtualenv, caches, reports or notebooks)."""
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "*.egg-info", "reports", "notebooks", ".hypothesis", ".pytest_cache"))
    return dest


def _fresh_project(work: Path) -> None:
    """Forget every imported project module and import them from ``work`` from now on."""
    for name in list(sys.modules):
        if name.split(".")[0] in PROJECT_PACKAGES:
            del sys.modules[name]
    sys.path[:] = [str(work)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT.resolve()]
    importlib.invalidate_caches()


_DEADLINE_FILE: list[Path] = []


def extend_deadline(seconds: float) -> None:
    """From inside a child of :func:`run_forked`: replace its timeout by ``seconds`` from now."""
    if _DEADLINE_FILE:
        _DEADLINE_FILE[0].write_text(repr(float(seconds)), encoding="utf-8")


@dataclass
class _Job:
    task: object
    slot: int
    start: float
    deadline: float
    result: Path


def run_forked(tasks: Iterable[object], child: Callable[[object, int], dict], done: Callable[[object, int, dict], None],
               workers: int = 1, timeout: Callable[[object], float] = lambda t: 3600.0,
               scratch: Path | None = None, poll: float = 0.05) -> None:
    """Run ``child(task, slot)`` in a forked process per task, at most ``workers`` at once; call
    ``done(task, slot, outcome)`` in this process with the dict the child returned, or
    ``{"status": "timeout"}`` (killed after ``timeout(task)`` seconds) or ``{"status": "crash", ...}``."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    scratch = Path(scratch or tempfile.mkdtemp(prefix="mutation-"))
    queue, free, running = list(tasks), list(range(workers)), {}
    sys.stdout.flush()
    sys.stderr.flush()
    while queue or running:
        while queue and free:
            task, slot = queue.pop(0), free.pop(0)
            result, deadline = scratch / f"result-{slot}.json", scratch / f"deadline-{slot}"
            result.unlink(missing_ok=True)
            deadline.unlink(missing_ok=True)
            pid = os.fork()
            if pid == 0:  # the child: never returns
                try:
                    os.setpgid(0, 0)
                    log = os.open(scratch / f"slot-{slot}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                    os.dup2(log, 1)
                    os.dup2(log, 2)
                    _DEADLINE_FILE[:] = [deadline]
                    out = child(task, slot)
                    result.write_text(json.dumps(out), encoding="utf-8")
                except BaseException as exc:  # noqa: BLE001 - any failure is reported, never raised
                    try:
                        result.write_text(json.dumps({"status": "crash", "error": f"{type(exc).__name__}: {exc}"[:200]}))
                    except BaseException:  # noqa: BLE001
                        pass
                finally:
                    sys.stdout.flush()
                    os._exit(0)
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass
            now = time.monotonic()
            running[pid] = _Job(task, slot, now, now + timeout(task), result)
        time.sleep(poll)
        for pid, job in list(running.items()):
            finished, _ = os.waitpid(pid, os.WNOHANG)
            new_deadline = scratch / f"deadline-{job.slot}"
            if new_deadline.exists():
                try:
                    job.deadline = new_deadline.stat().st_mtime - time.time() + time.monotonic() \
                        + float(new_deadline.read_text(encoding="utf-8"))
                    new_deadline.unlink()
                except (OSError, ValueError):
                    pass  # being written: read it at the next poll
            if not finished and time.monotonic() > job.deadline:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                outcome = {"status": "timeout", "seconds": round(time.monotonic() - job.start, 1)}
            elif not finished:
                continue
            elif job.result.exists():
                outcome = json.loads(job.result.read_text(encoding="utf-8"))
            else:
                outcome = {"status": "crash", "error": "the child died without a result"}
            outcome.setdefault("seconds", round(time.monotonic() - job.start, 1))
            del running[pid]
            free.append(job.slot)
            done(job.task, job.slot, outcome)


# ------------------------------------------------------------------------------------------- baseline

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

    def affected(self, key: str) -> set[str]:
        return set(self.callers.get(key, ()))

    def topic_claims(self, stem: str) -> set[str]:
        """Claims that reach any function of the topic's derivation or generated file."""
        prefixes = (f"derivations/{stem}.py:", f"numerics/generated/{stem}.py:")
        return {c for k, cs in self.callers.items() if k.startswith(prefixes) for c in cs}


#: Relative change of a counterexample's number that counts as a changed refutation (the runs are seeded and
#: deterministic, so an unmutated rerun reproduces every number to the last bit).
FINGERPRINT_RTOL = 1e-6


def fingerprint(counterexample: object) -> list[float | str]:
    """The numbers and texts (e.g. a symbolic residual) of a REFUTED result's counterexample, in a fixed order
    (dict keys sorted)."""
    out: list[float | str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for k in sorted(x, key=str):
                walk(x[k])
        elif isinstance(x, (list, tuple)) or type(x).__name__ == "ndarray":
            for v in list(x):  # type: ignore[arg-type]
                walk(v)
        elif isinstance(x, str):
            out.append(x)
        elif isinstance(x, (int, float)) and not isinstance(x, bool) or type(x).__module__ == "numpy" and hasattr(x, "real"):
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


def _source_hash(root: Path) -> str:
    h = hashlib.sha256()
    for pkg in PROJECT_PACKAGES:
        for p in sorted((root / pkg).rglob("*.py")):
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


class _Tracer:
    """Records, per claim, the traced functions it reaches, also through ``functools.lru_cache``: each cached
    result remembers the functions (and seconds) its computation took, and a cache hit charges both to
    the claim that hits it. So one sequential run gives what running each claim alone would."""

    def __init__(self) -> None:
        self.current = IMPORT
        self.used: dict[str, set[str]] = {}
        self.extra: dict[str, float] = {}
        self.seen: dict[str, set[tuple[int, object]]] = {}
        self.stack: list[set[str]] = []
        self.misses = 0

    def record(self, key: str) -> None:
        self.used.setdefault(self.current, set()).add(key)
        for frame in self.stack:
            frame.add(key)

    def lru_cache(self, real: Callable) -> Callable:
        tracer = self

        def traced_lru_cache(maxsize: object = 128, typed: bool = False) -> Callable:
            if callable(maxsize):  # used bare: @lru_cache
                return traced_lru_cache(128, typed)(maxsize)

            def decorate(fn: Callable) -> Callable:
                deps: dict[object, tuple[set[str], float]] = {}
                import functools

                def miss(*a: object, **k: object) -> object:
                    tracer.misses += 1
                    frame: set[str] = set()
                    tracer.stack.append(frame)
                    t0 = time.perf_counter()
                    try:
                        return fn(*a, **k)
                    finally:
                        tracer.stack.pop()
                        deps[functools._make_key(a, k, typed)] = (frame, time.perf_counter() - t0)

                cached = real(maxsize, typed)(miss)

                @functools.wraps(fn)
                def call(*a: object, **k: object) -> object:
                    before = tracer.misses
                    out = cached(*a, **k)
                    key = functools._make_key(a, k, typed)
                    keys, seconds = deps.get(key, (set(), 0.0))
                    for used in keys:
                        tracer.record(used)
                    seen = tracer.seen.setdefault(tracer.current, set())
                    if tracer.misses == before and (id(deps), key) not in seen:  # a hit: charge its cost once
                        tracer.extra[tracer.current] = tracer.extra.get(tracer.current, 0.0) + seconds
                    seen.add((id(deps), key))
                    return out

                call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
                call.cache_info = cached.cache_info  # type: ignore[attr-defined]
                return call

            return decorate

        return traced_lru_cache


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
    rels = [_rel(t, root) for t in targets]
    for rel in rels:
        p = work / rel
        p.write_text(instrument(p.read_text(encoding="utf-8"), rel), encoding="utf-8")
    out_path = tmp / "baseline.json"

    def server(_task: object, _slot: int) -> dict:
        import functools

        tracer = _Tracer()
        builtins.__mutation_trace__ = tracer.record  # type: ignore[attr-defined]
        traced = tracer.lru_cache(functools.lru_cache)
        functools.lru_cache = traced  # type: ignore[assignment]
        functools.cache = lambda fn: traced(None)(fn)  # type: ignore[assignment]
        _fresh_project(work)
        from checks.context import Context
        from checks.discovery import load_all
        from checks.registry import REGISTRY
        from checks.runner import run_claim
        from derivations.codegen import render

        if claim_modules is None:
            registry = load_all()
        else:
            for name in claim_modules:
                importlib.import_module(name)
            registry = REGISTRY
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
            for key in tracer.used.get(cid, ()):
                callers.setdefault(key, []).append(cid)
        base = Baseline(verdicts=verdicts, seconds=seconds,
                        modules={c: registry[c].check.__module__ for c in ids},
                        papers={c: registry[c].paper for c in ids},
                        callers={k: sorted(v) for k, v in callers.items()},
                        special={k: sorted(tracer.used.get(k, ())) for k in (IMPORT, FORMULAS)}, fingerprints=prints)
        out_path.write_text(json.dumps(asdict(base)), encoding="utf-8")
        return {"status": "ok"}

    outcome: dict = {}
    run_forked([None], server, lambda _t, _s, o: outcome.update(o), timeout=lambda _: 6 * 3600.0, scratch=tmp)
    if outcome.get("status") != "ok":
        raise RuntimeError(f"baseline failed: {outcome} (log: {tmp / 'slot-0.log'})")
    base = Baseline(**json.loads(out_path.read_text(encoding="utf-8")))

    def rerun_refuted(_task: object, _slot: int) -> dict:  # in a fresh process: do the counterexamples reproduce?
        builtins.__mutation_trace__ = lambda key: None  # type: ignore[attr-defined]
        _fresh_project(work)
        from checks.context import Context
        from checks.registry import REGISTRY
        from checks.runner import run_claim

        out = {}
        for cid in sorted(base.fingerprints, key=lambda c: base.seconds[c]):
            importlib.import_module(base.modules[cid])
            out[cid] = fingerprint(run_claim(REGISTRY[cid], Context(seed=0)).result.counterexample)
        return {"status": "ok", "fingerprints": out}

    again: dict = {}
    run_forked([None], rerun_refuted, lambda _t, _s, o: again.update(o), timeout=lambda _: 6 * 3600.0, scratch=tmp)
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
        digest = _source_hash(ROOT)
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


def verification_baseline(wanted: list[tuple[str, int]], log: Callable[[str], None] = print) -> tuple[Path, Baseline]:
    """For re-running a few mutants on the current sources: a snapshot (``reports/mutation/verify-<hash>``) and a
    baseline of only the claims that the latest full baseline says those mutants reach."""
    latest = CACHE_DIR / "latest"
    if not latest.exists():
        raise FileNotFoundError("--mutants needs a full baseline first (run without --mutants)")
    old_snap = CACHE_DIR / f"snapshot-{latest.read_text(encoding='utf-8').strip()}"
    old = Baseline(**json.loads((old_snap / "baseline.json").read_text(encoding="utf-8"))["baseline"])
    ran = (_load(old_snap / "outcomes.json") or {}).get("outcomes", {})
    claims: set[str] = set()
    for path, index in wanted:
        muts = mutants_of(old_snap / path, root=old_snap)
        if index >= len(muts):
            raise ValueError(f"{path} has mutants 0..{len(muts) - 1}, not {index}")
        if ran.get(f"{path}:{index}", {}).get("affected"):  # the claims the mutant reached in the sampled run
            claims |= set(ran[f"{path}:{index}"]["affected"])
            continue
        claims |= old.affected(muts[index].key)
        if path.startswith("derivations/"):
            claims |= old.topic_claims(Path(path).stem)
    # a sharpened check may now reach the mutated function: add the cheap claims of the same modules
    modules = {old.modules[c] for c in claims}
    claims |= {c for c in old.verdicts if old.modules[c] in modules and old.seconds[c] < 1.0}
    digest = _source_hash(ROOT)
    snap = CACHE_DIR / f"verify-{digest}"
    stored = snap / "baseline.json"
    if stored.exists() and set(json.loads(stored.read_text(encoding="utf-8"))["claims"]) >= claims:
        return snap, Baseline(**json.loads(stored.read_text(encoding="utf-8"))["baseline"])
    shutil.rmtree(snap, ignore_errors=True)
    make_workcopy(snap)
    base = compute_baseline(default_targets(snap), claim_ids=sorted(claims), root=snap, log=log)
    stored.write_text(json.dumps({"claims": sorted(claims), "baseline": asdict(base)}), encoding="utf-8")
    return snap, base


# ------------------------------------------------------------------------------------------ scope

def exercised(m: Mutant, base: Baseline) -> bool:
    """Whether some quick-tier claim can see mutant ``m``: a claim reaches its function, or (derivations)
    the function is reached while importing or while building the formulas of a topic a claim uses."""
    if base.affected(m.key):
        return True
    if m.path.startswith("derivations/") and m.key in set(base.special.get(FORMULAS, ())) | set(base.special.get(IMPORT, ())):
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
    return factor * sum(base.seconds.get(c, 0.0) for c in affected) + ALLOWANCE


# --------------------------------------------------------------------------------------- mutant child

def run_mutant(m: Mutant, work: Path, base: Baseline, factor: float = 5.0) -> dict:
    """In a fresh child: write mutant ``m`` into ``work``, regenerate (derivation), import the project from
    ``work`` and run the affected claims cheapest first until a verdict changes."""
    source = (work / m.path).read_text(encoding="utf-8")
    _fresh_project(work)
    (work / m.path).write_text(apply_source(source, m.index), encoding="utf-8")
    affected = base.affected(m.key)
    regen_changed: list[str] = []
    if m.path.startswith("derivations/"):
        stem = Path(m.path).stem
        gen = work / "numerics" / "generated" / f"{stem}.py"
        try:
            from derivations.codegen import render

            text = render(stem, importlib.import_module(f"derivations.{stem}").formulas())
        except Exception as exc:  # noqa: BLE001 - a mutant that breaks the derivation is detected
            return {"status": "regeneration failed", "error": f"{type(exc).__name__}: {exc}"[:160]}
        if gen.exists():
            before, after = _function_sources(gen.read_text(encoding="utf-8")), _function_sources(text)
            regen_changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
            gen.write_text(text, encoding="utf-8")
            for name in regen_changed:
                affected |= base.affected(f"numerics/generated/{stem}.py:{name}")
        if m.key in base.special.get(IMPORT, ()):  # a value computed at import may reach any claim of the topic
            affected |= base.topic_claims(stem)
        if not affected:
            return {"status": "not exercised" if regen_changed else "equivalent", "regenerated": regen_changed}
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
        if cid in base.fingerprints and not same_fingerprint(fingerprint(result.counterexample), base.fingerprints[cid]):
            return {"status": "detected", "claim": cid, "verdict": "REFUTED with another counterexample",
                    "was": "REFUTED", "by": "counterexample", "affected": order, "regenerated": regen_changed}
    return {"status": "survived", "affected": order, "regenerated": regen_changed}


def expected_timeout(m: Mutant, base: Baseline, factor: float) -> float:
    """Timeout of a mutant: for a derivation every claim of the topic may become affected by regeneration."""
    affected = base.affected(m.key)
    if m.path.startswith("derivations/"):
        affected |= base.topic_claims(Path(m.path).stem)
    return timeout_for(affected, base, factor)


def expected_cost(m: Mutant, base: Baseline) -> float:
    """Upper estimate of a mutant's seconds (a survivor runs every affected claim): claims + imports."""
    affected = base.affected(m.key)
    if m.path.startswith("derivations/"):
        affected |= base.topic_claims(Path(m.path).stem)
    return sum(base.seconds.get(c, 0.0) for c in affected) + 3.0


DETECTED = ("detected", "regeneration failed", "crash", "timeout")


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


# ------------------------------------------------------------------------------------------- report

def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95% by default) of a proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


_DEAD_VELOCITY = ("equivalent: the velocity ẋ(t), the second output of the closed form, is discarded by its only "
                  "caller (numerics.quadratic_flow.mgf_quadratic keeps the positions)")
_HESS = ("hess_psi_coord reached a claim only as a factor of integrated_mirror_flow's tolerance (θ spread × max ∇²ψ "
         "× 10), which the change did not cross; that tolerance is now derived from round-off bounds without ∇²ψ "
         "(test_integrated_mirror_flow_refutes_wrong_statements), and hess_psi_coord, used nowhere else, is no longer "
         "generated: these mutants cannot be re-run and count as survivors")
_AT_REST = ("equivalent (for its claims): the mutated term carries the initial velocity v0, and every claim starts "
            "MGF at rest (mgf_reference passes v0 = 0, as the paper's MGD/MGF pairs with w₁ = w₀ do); found by "
            "evaluating each mutant at v0 = 0")
_SAFE = ("gap, closed: App. D.2's check took the limit of [exp(β−1)/β]^n at a fixed n = 7, which is 1 for any ratio "
         "continuous and equal to 1 at β = 1, so β → 1 + c in place of 1 − c passed; the derivation now returns the "
         "ratio itself (safe_check_ratio) and the check pins its expansion 1 + n(1−β)²/2 + O((1−β)³) for a symbolic n "
         "(test_perturbed_symbolic_claims_are_refuted). The same mutants of the current sources (safe_check_ratio "
         "#228–#233) are all detected")
_FIXED = "gap, closed: "
_PROP3 = ("prop3_constant_positive only tested the sign of C, which these changes keep; its error estimate is now "
          "the distance to an independent float64 evaluation of (51), so a wrong mpmath (51) gives INCONCLUSIVE "
          "(test_prop3_constant_sign_finding)")
_INSTANCE = ("equivalent: the §4 remark (iterates are polynomials in (γ, β) equal to w₀ at γ = 0) holds for every "
             "rational instance and every polynomial gradient, since at γ = 0 the recursion from w₁ = w₀ stays at w₀; "
             "the mutant changes the instance's data or its gradient polynomial")
_ROOT = ("Lemmas B.2/B.3 compared w_{d,2}(t₁) with a root of the cubic computed from the generated coefficients, "
         "and a coefficient error that weakens the bound kept the inequality true; the checks now also require the "
         "bound to be a root of the derivation's cubic (Newton distance at 30 digits ≤ the comparison's resolution), "
         "else INCONCLUSIVE (test_lemma_b2, test_lemma_b3)")
_REFUTED_EITHER_WAY = ("refuted either way: the mutant changes the transcription of a formula the paper gets wrong, and "
                       "the mutated formula is wrong too, so REFUTED stays the right verdict and no verdict can catch "
                       "it; the counterexample of the REFUTED claim changes, which the harness now compares")
#: Survivors examined by hand: (path, index) -> (the mutant's description, its classification). A classification
#: starts with "equivalent" (with why), "gap, closed" (what now detects it) or "gap, open" (what would).
EXPLAINED: dict[tuple[str, int], tuple[str, str]] = {
    ("derivations/sign_descent.py", 249): (
        "exponent raised by 1 in z ** (1 / sp.Integer(order))",
        "equivalent: the value `first` is dead (only compared with None); the residual recomputes the derivative "
        "by a limit. Proposed to the owner: delete the line"),
    ("numerics/generated/matrix_factorization.py", 15): (
        "operator Mult -> Div in 2 * s",
        "equivalent: check_well_posedness uses only the second factor s⁻¹(e^{4ts} − 1) of the NumPy version; the "
        "first factor e^{2ts} reaches claims through prop1_factors_mp"),
    ("numerics/generated/hb_nag.py", 274): (
        "constant 1 -> 2",
        _REFUTED_EITHER_WAY + " (Theorem 3's R^M from a biased start). On theorem3_unbiased R^M is invisible at the "
        "order checked: to first order R^M ∝ Xᵀy and θᵀXᵀy = yᵀy on {Xθ = y}, so 2R^M and even R^M = 0 give "
        "the same fitted order 2.0 (checked by hand); R^M is pinned by theorem3_corrected (biased start)"),
    ("derivations/momentum_flow.py", 353): (
        "operator Sub -> Add in lhs - rhs",
        "equivalent: at T = 0 both sides of the Fubini identity are integrals over an empty range, so lhs + rhs "
        "vanishes as lhs − rhs does (the T-derivative residual pins the identity)"),
    ("derivations/momentum_flow.py", 28): (
        "sign dropped: -1",
        _FIXED + "the mutant checked the '+' reparametrisation twice and the '−' one not at all; both hold, so the "
        "verdict could not change. reparametrisation_residuals now takes the stated ∇L signs apart from the signs "
        "that build w = u ± v, and a wrong stated sign in either branch is REFUTED (test_symbolic_identities_vanish); "
        "the 'sign dropped' mutants of the current sources (#14, #31, #68) are all detected"),
    ("numerics/generated/hb_nag.py", 40): (
        "operator Mult -> Div in -1 / 2 * eta * (2 * mu ** 2 - mu + 1)",
        _FIXED + "every flow-based hb_nag check runs at μ = 1/2 (MU), where NAG's factor 2μ² − μ + 1 equals 1, so "
        "η·(2μ² − μ + 1) and η/(2μ² − μ + 1) coincide; Proposition 1's check (prop1_hb/prop1_nag) now also compares "
        "the α the flows use with the derived α at μ = 0.3, 0.7, 0.9, else INCONCLUSIVE "
        "(test_flows_alpha_checked_at_generic_momentum)"),
    ("numerics/generated/matrix_factorization.py", 18): (
        "operator Mult -> Div in 4 * s",
        _FIXED + "app_a_well_posedness only tested that I + Y⁻¹(e^{4tY} − I)X0 has eigenvalues ≥ 1, which any positive "
        "factor passes; the factor used is now checked against a quadrature of ∫₀^{4t} e^{στ}dτ, else "
        "INCONCLUSIVE (test_app_a)"),
    ("derivations/hyperbolic_entropy.py", 23): (
        "constant 0 -> 1",
        "equivalent: ψ* = ∫₀^z ∇ψ*(s)ds becomes ∫₁^z, a shift by a constant; ψ* only enters the dual objective of "
        "the Bregman projection, whose minimiser and gradient a constant does not change"),
    ("derivations/hyperbolic_entropy.py", 70): (
        "constant 4 -> 5",
        "equivalent (for its claim): poster_entropy_small_scale tests ψ_Δ(θ) ~ ½log(1/Δ)|θ| as Δ → 0, and "
        "log(5/Δ)/log(4/Δ) → 1"),
    ("derivations/momentum_flow.py", 436): (
        "operator Add -> Sub in a * sg + b * sg ** 2 + c * sg ** 3 + e * sg ** 4",
        "equivalent: e is an arbitrary real coefficient of the local series, so +eσ⁴ and −eσ⁴ span the same family"),
    ("numerics/generated/momentum_discrete.py", 26): (
        "operator Mult -> Div in -gamma * s",
        "equivalent: s is the sign ±1 of w₊/w₋ (numerics.momentum_discrete passes only ±1), and γ·s = γ/s there"),
    ("derivations/hb_nag.py", 95): (
        "operator Mult -> Div in 4 * xi_ ** 2",
        _REFUTED_EITHER_WAY + " (Theorem 3's R^M from a biased start); eq52_corrected and theorem3_unbiased use "
        "it at θ(0) = 0, where the mutated term θ(0)²/(4ξ²) vanishes"),
    ("derivations/momentum_discretisation.py", 179): (
        "constant 3 -> 4",
        "equivalent: the test point c = 1/3 only selects the positive branch of the solutions, and c = 1/4 selects "
        "the same branch"),
    ("derivations/hyperbolic_entropy.py", 66): (
        "constant 1 -> 2",
        "equivalent (for its claims): Lemma 4 (corrected) is the Δ → 0 equivalence ψ_Δ(θ) ~ ½log(1/Δ)|θ|, and "
        "log(2/Δ)/log(1/Δ) → 1"),
    ("derivations/hb_nag.py", 150): (
        "operator Div -> Mult in g2 * dx ** 2 / 2",
        "equivalent: ρ − β = O(η), so η·g''·(ρ − β)²/2 is O(η³), beyond the O(η²) truncation of the NAG "
        "expansion that App. C.2's α and ρ are read from"),
    ("derivations/hb_nag.py", 106): ("operator Mult -> Div in 4 * alpha_ * xty_",
                                     _REFUTED_EITHER_WAY + " (§3.2's R^M: sign and factor 4)"),
    ("derivations/momentum_discretisation.py", 230): (
        "operator Sub -> Add in 1 - c",
        _SAFE),

    ("numerics/generated/momentum_discrete.py", 173): (
        "constant 2 -> 3",
        "equivalent: Theorem 2's optimality condition P(∇ψ(θ) − ∇ψ(θ̃₀)) = 0 is invariant under scaling ∇ψ "
        "(c·ψ has the same Bregman projection), and it is the function's only use"),
    ("derivations/hyperbolic_entropy.py", 62): ("operator Mult -> Div in sp.Rational(1, 4) * sp.log(1 / dl)",
                                                _REFUTED_EITHER_WAY + " (Lemma 4: the limit ratio is 2; proposed to the "
                                                "momentum_dln_continuous owner: a test asserting ratio 2)"),
    ("derivations/hyperbolic_entropy.py", 63): (
        "operator Mult -> Div in sp.Rational(1, 4) * sp.log(1 / dl) * sp.Abs(th)",
        _REFUTED_EITHER_WAY + " (Lemma 4: as above)"),
    ("numerics/generated/hb_nag.py", 281): (
        "constant 4 -> 5",
        _REFUTED_EITHER_WAY + " (Theorem 3's R^M from a biased start); on theorem3_unbiased the mutated term "
        "θ(0)²/(4ξ²) is 0, so there it is equivalent"),
}


#: Classifications of whole groups of survivors: (path, function, line or None, first index, last index) -> why.
EXPLAINED_GROUPS: dict[tuple[str, str, int | None, int, int], str] = {
    ("numerics/generated/momentum_discretisation.py", "mgf_quadratic_mode", 71, 198, 325): _DEAD_VELOCITY,
    ("numerics/generated/momentum_discretisation.py", "mgf_quadratic_mode", 71, 102, 102): _AT_REST,
    ("numerics/generated/momentum_discretisation.py", "mgf_quadratic_mode", 71, 104, 111): _AT_REST,
    ("numerics/generated/momentum_discretisation.py", "mgf_quadratic_mode", 71, 151, 158): _AT_REST,
    ("derivations/sign_descent.py", "b3_cubic", None, 0, 10 ** 6):
        "gap, open (a weakened bound): the mutant changes the reconstructed cubic h of Lemma B.3 itself (generated "
        "coefficients and derivation alike), so its root is still consistent, and the lower bound it gives is weaker "
        "and still holds. An inequality check cannot see a weakened bound; the paper's own cubic is lost, so no "
        "sharper statement is available to check",
    ("numerics/generated/matrix_factorization.py", "prop3_constant_mp", None, 0, 10 ** 6): _FIXED + _PROP3,
    ("derivations/momentum_discrete.py", "polynomial_iterates", None, 0, 10 ** 6): _INSTANCE,
    ("derivations/conservation_laws.py", "independent_law_count", 64, 0, 10 ** 6):
        "equivalent: the range of the random rational point; the Jacobian's rank at a generic point does not depend on it",
    ("numerics/generated/hb_nag.py", "phi_prop5", None, 0, 10 ** 6): _REFUTED_EITHER_WAY + " (Prop. 5's φ(∞))",
    ("numerics/generated/hb_nag.py", "delta_eq50", None, 0, 10 ** 6):
        _REFUTED_EITHER_WAY + " (eq. (50)'s sign error, carried into (51)/(52))",
    ("numerics/generated/momentum_discrete.py", "grad_potential_stated_mp", None, 0, 10 ** 6):
        _REFUTED_EITHER_WAY + " (App. D's potential with the sign error of ⟨φ_N, θ⟩, eqs. (28)/(29))",
    ("numerics/generated/hyperbolic_entropy.py", "psi_coord", None, 0, 10 ** 6):
        "equivalent (for its claims): psi_coord reaches only eq7 and appC33_small_alpha, which test D_ψΔ/ψ_Δ → 1 as "
        "Δ → 0, where the mutated Δ-terms vanish too",
    ("numerics/generated/sign_descent.py", "woodworth_dual_map", None, 0, 10 ** 6):
        _FIXED + "the unsimplified ∇Q_α's first and third terms cancel, so these mutants give −∇Q_α or 0, which a "
        "subspace test (sec3_2_low_dim, the only claim using the map) cannot tell from ∇Q_α; the check now first "
        "compares the map with the derivation's ∇Q_α at 30 digits, else INCONCLUSIVE (test_low_dim)",
    ("numerics/generated/hyperbolic_entropy.py", "hess_psi_coord", None, 0, 10 ** 6): _FIXED + _HESS,
    ("numerics/generated/sign_descent.py", "b2_cubic_coeffs", None, 0, 10 ** 6): _FIXED + _ROOT,
    ("derivations/momentum_discretisation.py", "safe_check_ratio_limit", None, 0, 10 ** 6): _SAFE,
    ("numerics/generated/hb_nag.py", "alpha_nag", None, 0, 10 ** 6):
        _FIXED + "no flow-based hb_nag check noticed a wrong α of the NAG flow (they compare the flow with predictions "
        "built from the same α, or run at μ = 1/2); Proposition 1's check (prop1_hb/prop1_nag) now also compares the "
        "α the flows use with the derived α at μ = 0.3, 0.7, 0.9, else INCONCLUSIVE "
        "(test_flows_alpha_checked_at_generic_momentum)",
    ("numerics/generated/hb_nag.py", "alpha_hb", None, 0, 10 ** 6): _FIXED + "as for alpha_nag",
    ("numerics/generated/sign_descent.py", "b3_cubic_coeffs", None, 0, 10 ** 6): _FIXED + _ROOT,
}


def classification(m: Mutant) -> str:
    """The hand classification of a surviving mutant ("" when it has none)."""
    desc, why = EXPLAINED.get((m.path, m.index), ("", ""))
    if why and desc == m.description:
        return why
    for (path, function, line, first, last), why in EXPLAINED_GROUPS.items():
        if m.path == path and m.function == function and line in (None, m.line) and first <= m.index <= last:
            return why
    return ""


def _score(k: int, n: int) -> str:
    if n == 0:
        return "–"
    lo, hi = wilson(k, n)
    return f"{100 * k / n:.1f}% [{100 * lo:.0f}–{100 * hi:.0f}]"


def _rerun_note(outcome: dict | None) -> str:
    if outcome is None:
        return ""
    if outcome["status"] == "detected":
        return f" Re-run on the current sources: detected ({outcome['claim']}: {outcome['was']} → {outcome['verdict']})."
    return f" Re-run on the current sources: {outcome['status']}."


def to_markdown(state: dict, date: str, verified: dict | None = None) -> str:
    """MUTATION.md from a run's state (see :func:`main`): plan, scores with Wilson intervals per file,
    per paper and overall, every surviving mutant (with its outcome in the ``verified`` run of the current
    sources, if any), and the mutants no quick-tier claim reaches."""
    rerun = {(m["path"], m["index"], m["description"]): o for m, o in (verified or {}).get("outcomes", [])}
    files: dict[str, dict] = state["files"]
    outcomes: list[tuple[Mutant, dict]] = [(Mutant(**m), o) for m, o in state["outcomes"]]
    papers: dict[str, str] = state["papers"]
    lines = ["# Mutation testing report", "",
             f"Date: {date}. Command: `{state['command']}`. "
             + ("Run complete." if state.get("complete") else
                f"**Run in progress or stopped: {len(outcomes)} of {state['planned']} planned mutants run**; "
                "the scores cover the mutants run so far."), "",
             "A mutant plants one error in a formula (a number changed, an operator swapped, an exponent raised, a sign",
             "or a term dropped) in `derivations/` (then the topic is regenerated) or in `numerics/generated/`. The",
             "quick-tier claims that reach the mutated function (traced on an unmutated baseline; a cached result",
             "charges the functions and seconds of its computation to every claim that uses it), or a generated",
             "function whose code the",
             "regeneration changed, run again cheapest first; the mutant is **detected** at the first verdict that",
             "differs from the baseline, or when regeneration fails, the run crashes, or it exceeds",
             f"{state['factor']:g}× the affected claims' baseline seconds + {ALLOWANCE:g} s (a timeout, counted apart).",
             "A derivation mutant whose regenerated code is identical and whose function no claim calls is an",
             "*equivalent* mutant by construction and is left out of the score, as are mutants in functions that no",
             "quick-tier claim reaches (listed at the end). Fault detection by the test suite is not counted.",
             ("A REFUTED claim whose counterexample carries other numbers" if state.get("fingerprints") else
              "This run compared verdicts only. The re-runs of its survivors (on the current sources) also count a "
              "REFUTED claim whose counterexample carries other numbers")
             + f" (relative change above {FINGERPRINT_RTOL:g}; each counterexample is checked to reproduce in a fresh "
               "process) as detecting the mutant: a mis-transcribed wrong formula changes the errata sheet.", "",
             "## Sampling plan", ""]
    if state["sample"] is None:
        lines += ["Every exercised mutant of every target file (no sampling).", ""]
    else:
        lines += [f"Stratified by file: {state['sample']} mutants per file drawn uniformly without replacement "
                  f"(seed {state['seed']}) from the mutants in exercised functions (all of them when a file has "
                  "fewer). A function is exercised when the baseline saw a quick-tier claim reach it, or, in a "
                  "derivation, when building the formulas (or importing) reached it and a claim uses the topic's "
                  "generated code. Intervals are 95% Wilson intervals of the sampled proportion; the overall line "
                  "also gives the estimate weighted by each file's number of exercised mutants.", ""]
    if state.get("snapshot"):
        lines += [f"Sources: the snapshot `{state['snapshot']}` of the checkout (`reports/mutation/`), taken when "
                  "the run started.", ""]
    per_file: dict[str, dict[str, int]] = {}
    per_paper: dict[str, dict[str, int]] = {}
    survivors, idle_after = [], []
    for m, o in outcomes:
        f = per_file.setdefault(m.path, {"run": 0, "detected": 0, "timeouts": 0, "crashes": 0, "equivalent": 0, "idle": 0})
        f["run"] += 1
        status = o["status"]
        if status == "equivalent":
            f["equivalent"] += 1
            continue
        if status == "not exercised":
            f["idle"] += 1
            idle_after.append(m)
            continue
        detected = status in DETECTED
        f["detected"] += detected
        f["timeouts"] += status == "timeout"
        f["crashes"] += status in ("crash", "regeneration failed")
        for paper in sorted({papers.get(c, "?") for c in o.get("affected", [])} or set(files[m.path]["papers"])):
            p = per_paper.setdefault(paper, {"n": 0, "detected": 0, "equivalent": 0})
            p["n"] += 1
            p["detected"] += detected
            p["equivalent"] += not detected and classification(m).startswith("equivalent")
        if not detected:
            survivors.append((m, o))
            f["survived_equivalent"] = f.get("survived_equivalent", 0) + classification(m).startswith("equivalent")
    scored = lambda f: f["run"] - f["equivalent"] - f["idle"]  # noqa: E731
    n_all = sum(scored(f) for f in per_file.values())
    k_all = sum(f["detected"] for f in per_file.values())
    weighted_num = weighted_den = 0.0
    for path, f in per_file.items():
        if scored(f):
            weight = files[path]["exercised"]
            weighted_num += weight * f["detected"] / scored(f)
            weighted_den += weight
    lo, hi = wilson(k_all, n_all)
    kinds = [classification(m).split(":")[0].split(" (")[0] or "unclassified" for m, _ in survivors]
    n_eq = sum(k == "equivalent" for k in kinds)
    lo2, hi2 = wilson(k_all, n_all - n_eq)
    lines += [f"**Overall: {k_all}/{n_all} sampled mutants detected, {100 * k_all / max(n_all, 1):.1f}% "
              f"(95% Wilson interval {100 * lo:.1f}–{100 * hi:.1f}%)"
              + (f"; weighted by file: {100 * weighted_num / weighted_den:.1f}%" if weighted_den else "") + ".**", "",
              f"Survivors: {len(survivors)} — {n_eq} equivalent, {kinds.count('gap, closed')} gaps closed since the run "
              f"(re-checked below when a verification run exists), {kinds.count('gap, open')} gaps open, "
              f"{kinds.count('refuted either way')} mutants of a formula the paper gets wrong (refuted either way), "
              f"{kinds.count('unclassified')} not yet classified. Leaving the equivalent mutants out: "
              f"{k_all}/{n_all - n_eq} = {100 * k_all / max(n_all - n_eq, 1):.1f}% "
              f"(95% Wilson interval {100 * lo2:.1f}–{100 * hi2:.1f}%).", ""]
    reran = [rerun.get((m.path, m.index, m.description)) for m, _ in survivors
             if not classification(m).startswith("equivalent")]
    if rerun:
        k3 = k_all + sum(o is not None and o["status"] in DETECTED for o in reran)
        lo3, hi3 = wilson(k3, n_all - n_eq)
        lines += [f"**After the changes made since the run: {k3}/{n_all - n_eq} = {100 * k3 / max(n_all - n_eq, 1):.1f}% "
                  f"(95% Wilson interval {100 * lo3:.1f}–{100 * hi3:.1f}%), equivalent mutants left out.** The "
                  f"survivors that are not equivalent were re-run on the current sources (`--mutants`; "
                  f"{sum(o is not None for o in reran)} re-run, {k3 - k_all} of them now detected; each survivor's "
                  "line below gives its outcome); the gaps still open are not re-run and count as survivors.", ""]
    lines += [
              "### Per file", "",
              "Columns: *regen. equal* = derivation mutants whose regenerated code is identical (equivalent by "
              "construction); *not reached* = the regenerated change lands only in functions no claim uses; "
              "*surv. equiv.* = survivors classified equivalent by hand (below); the last column leaves those out.", "",
              "| file | papers | mutants | exercised | run | regen. equal | not reached | detected | timeout | crash "
              "| score [95% CI] | surv. equiv. | score without them |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for path, info in files.items():
        f = per_file.get(path, {"run": 0, "detected": 0, "timeouts": 0, "crashes": 0, "equivalent": 0, "idle": 0})
        eq = f.get("survived_equivalent", 0)
        lines.append(f"| `{path}` | {', '.join(info['papers']) or '–'} | {info['mutants']} | {info['exercised']} | {f['run']} "
                     f"| {f['equivalent']} | {f['idle']} | {f['detected']} | {f['timeouts']} | {f['crashes']} "
                     f"| {_score(f['detected'], scored(f))} | {eq} | {_score(f['detected'], scored(f) - eq)} |")
    lines += ["", "### Per paper", "",
              "A mutant counts for every paper whose claims it affects (detected by any of them).", "",
              "| paper | mutants | detected | score [95% CI] | surv. equiv. | score without them |",
              "|---|---|---|---|---|---|"]
    for paper, p in sorted(per_paper.items()):
        lines.append(f"| {paper} | {p['n']} | {p['detected']} | {_score(p['detected'], p['n'])} | {p['equivalent']} "
                     f"| {_score(p['detected'], p['n'] - p['equivalent'])} |")
    lines += ["", f"## Surviving mutants ({len(survivors)})", ""]
    for m, o in sorted(survivors, key=lambda mo: (mo[0].path, mo[0].index)):
        why = classification(m)
        lines.append(f"- {m.where()} — claims run: {', '.join(o.get('affected', [])) or '–'}. "
                     + (f"**{why}**" if why else "*Not yet classified.*")
                     + _rerun_note(rerun.get((m.path, m.index, m.description))))
    if not survivors:
        lines.append("None.")
    lines += ["", "## Mutants no quick-tier claim reaches", "",
              "Per file: the number of mutants outside the exercised functions, by function (these were not sampled).", ""]
    for path, info in files.items():
        idle = info["idle_functions"]
        if idle:
            lines.append(f"- `{path}`: {sum(idle.values())} — " + ", ".join(f"{fn} ({n})" for fn, n in idle.items()))
    if idle_after:
        lines += ["", "Sampled derivation mutants whose regenerated code changed only in functions no claim uses:", ""]
        lines += [f"- {m.where()}" for m in idle_after]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------- main

def _plan(files: list[Path], snap: Path, base: Baseline, sample: int | None, seed: int,
          say: Callable[[str], None]) -> tuple[list[Mutant], dict[str, dict], float]:
    """The mutants to run (files interleaved, so a stopped run still covers every file), per-file facts for
    the report, and an upper estimate of the seconds needed."""
    by_file: dict[str, list[Mutant]] = {}
    files_info: dict[str, dict] = {}
    estimate = 0.0
    for f in files:
        rel = _rel(f)
        muts = mutants_of(snap / rel, root=snap)
        chosen, pool = sample_mutants(muts, base, sample, seed)
        estimate += sum(expected_cost(m, base) for m in chosen)
        idle: dict[str, int] = {}
        for m in muts:
            if not exercised(m, base):
                idle[m.function] = idle.get(m.function, 0) + 1
        claims = set().union(*(base.affected(m.key) for m in muts)) if muts else set()
        if rel.startswith("derivations/"):
            claims |= base.topic_claims(f.stem)
        files_info[rel] = {"mutants": len(muts), "exercised": pool, "idle_functions": idle,
                           "papers": sorted({base.papers[c] for c in claims})}
        by_file[rel] = chosen
        say(f"{rel}: {len(muts)} mutants, {pool} exercised, {len(chosen)} to run")
    longest = max(map(len, by_file.values()), default=0)
    order = [m for group in zip(*[iter_pad(v, longest) for v in by_file.values()]) for m in group if m is not None]
    return order, files_info, estimate


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.mutation")
    parser.add_argument("files", nargs="*", type=Path,
                        help="files to mutate (default: every derivation module and generated file)")
    parser.add_argument("--sample", type=int, default=None, metavar="K",
                        help="K mutants per file drawn at random from the exercised ones (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--workers", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--timeout-factor", type=float, default=5.0,
                        help="timeout = factor × baseline seconds of the affected claims + allowance (default 5)")
    parser.add_argument("--output", type=Path, default=ROOT / "MUTATION.md")
    parser.add_argument("--baseline-only", action="store_true", help="take the snapshot, trace its baseline, stop")
    parser.add_argument("--reuse-baseline", action="store_true",
                        help="mutate the latest snapshot with its baseline (no new snapshot of the sources)")
    parser.add_argument("--mutants", nargs="+", metavar="PATH:INDEX",
                        help="verification: run only these mutants, on a snapshot of the current sources; the report "
                             "of the last sampled run then shows their outcome next to each survivor")
    parser.add_argument("--show", metavar="PATH:INDEX", help="print one mutant of the latest snapshot and stop")
    parser.add_argument("--render", action="store_true",
                        help="rewrite the report from the last run's stored state (e.g. after classifying survivors)")
    args = parser.parse_args(argv)
    latest = CACHE_DIR / "latest"
    snap_root = CACHE_DIR / f"snapshot-{latest.read_text(encoding='utf-8').strip()}" if latest.exists() else ROOT
    if args.show:
        path, _, index = args.show.rpartition(":")
        root = snap_root if (snap_root / path).is_file() else ROOT
        if not (root / path).is_file() or not index.isdigit():
            parser.error(f"--show needs PATH:INDEX with PATH a file of the repository, got {args.show!r}")
        print(show(root / path, int(index), root))
        return 0
    last, verify = CACHE_DIR / "last-run.json", CACHE_DIR / "verify-run.json"
    if args.render:
        state = _load(last)
        if state is None:
            parser.error(f"no stored run at {last}")
        args.output.write_text(to_markdown(state, state["date"], _load(verify)), encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    for name, value, low in (("--sample", args.sample, 1), ("--workers", args.workers, 1), ("--seed", args.seed, 0)):
        if value is not None and value < low:
            parser.error(f"{name} must be an integer >= {low}, got {value}")
    if not args.timeout_factor >= 1:
        parser.error(f"--timeout-factor must be >= 1, got {args.timeout_factor}")
    files = [f.resolve() for f in args.files] or default_targets()
    for f in files:
        if not f.is_file() or ROOT not in f.parents or f.suffix != ".py":
            parser.error(f"{f} is not a Python file of this repository")
    wanted: list[tuple[str, int]] = []
    for item in args.mutants or []:
        path, _, index = item.rpartition(":")
        if not (ROOT / path).is_file() or not index.isdigit():
            parser.error(f"--mutants needs PATH:INDEX with PATH a file of the repository, got {item!r}")
        wanted.append((path, int(index)))
    sys.dont_write_bytecode = True
    os.environ.setdefault("MPLBACKEND", "Agg")
    for heavy in HEAVY_LIBRARIES:  # imported once here and shared by every forked child
        importlib.import_module(heavy)

    say = lambda s: print(s, flush=True)  # noqa: E731
    try:
        snap, base = (verification_baseline(wanted, log=say) if wanted else
                      snapshot_baseline(args.workers, args.reuse_baseline, log=say))
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    if args.baseline_only:
        return 0
    digest = snap.name.split("-", 1)[1]
    if wanted:
        order = []
        for path, index in wanted:
            muts = mutants_of(snap / path, root=snap)
            if index >= len(muts):
                parser.error(f"{path} has mutants 0..{len(muts) - 1} in the snapshot, not {index}")
            order.append(muts[index])
        files_info: dict[str, dict] = {}
    else:
        order, files_info, estimate = _plan(files, snap, base, args.sample, args.seed, say)
        say(f"{len(order)} mutants to run; at most about {estimate / 60 / args.workers:.0f} min if none were detected early")
    command = "python -m checks.mutation " + " ".join(argv if argv is not None else sys.argv[1:])
    state = {"command": command.strip(), "date": dt.date.today().isoformat(), "snapshot": digest,
             "files": files_info, "outcomes": [], "papers": base.papers, "sample": args.sample, "seed": args.seed,
             "factor": args.timeout_factor, "planned": len(order), "complete": False,
             "fingerprints": bool(base.fingerprints)}
    state_path = verify if wanted else last
    if wanted and (earlier := _load(verify)):  # keep the re-runs of other mutants from an earlier verification
        redone = {(m.path, m.index) for m in order}
        state["outcomes"] = [(m, o) for m, o in earlier["outcomes"] if (m["path"], m["index"]) not in redone]
        state["command"] = earlier["command"] + "; " + state["command"]
    cache = snap / "outcomes.json"  # outcomes of this snapshot's mutants, reused by a larger sample
    known = _load(cache) or {}
    if known.get("factor") != args.timeout_factor:
        known = {"factor": args.timeout_factor, "outcomes": {}}

    def write() -> None:
        state_path.write_text(json.dumps(state), encoding="utf-8")
        main_state = state if not wanted else _load(last)
        if main_state is not None:
            args.output.write_text(to_markdown(main_state, main_state["date"], _load(verify)), encoding="utf-8")

    done_count = [0]

    def record(m: Mutant, outcome: dict, fresh: bool = True) -> None:
        if fresh:
            known["outcomes"][f"{m.path}:{m.index}"] = outcome
            cache.write_text(json.dumps(known), encoding="utf-8")
        state["outcomes"].append((asdict(m), outcome))
        done_count[0] += 1
        say(f"[{done_count[0]}/{len(order)}] {outcome['status']:<20} {outcome['seconds']:6.1f} s  {m.where()}"
            + (f" -> {outcome['claim']}: {outcome['was']} -> {outcome['verdict']}" if "claim" in outcome else ""))
        write()

    todo = []
    for m in order:
        if f"{m.path}:{m.index}" in known["outcomes"]:
            record(m, known["outcomes"][f"{m.path}:{m.index}"], fresh=False)
        else:
            todo.append(m)
    write()
    run_mutants(todo, base, workers=args.workers, factor=args.timeout_factor, root=snap, on_result=record)
    state["complete"] = True
    write()
    say(f"wrote {args.output}")
    return 0


def iter_pad(items: list, n: int) -> list:
    """``items`` padded with None to length ``n``."""
    return list(items) + [None] * (n - len(items))


if __name__ == "__main__":
    sys.exit(main())
