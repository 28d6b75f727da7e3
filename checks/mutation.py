"""Mutation testing of the formulas the checks rely on: ``python -m checks.mutation`` (or ``make mutate``).

Each mutant plants one small error in a derivation module (``derivations/<topic>.py``, after which the
formulas are regenerated) or in a generated file (``numerics/generated/<topic>.py``): a number changed,
an operator swapped (+/−, ×/÷), an exponent raised, a sign dropped, a term dropped. For every mutant the
quick tier of the claims that depend on the module is run in a scratch copy of the repository; the
mutant is *detected* when any verdict differs from the unmutated run (or regeneration fails, or the run
times out). The report lists the score per module and overall and every surviving mutant.

Why not mutmut: it judges mutants by a pytest run only, cannot regenerate numerics/generated/ from a
mutated derivation, and mutates strings and arguments that carry no mathematics; this module does only
what it cannot: mutate formulas, regenerate, and compare verdicts.
"""
from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    """One planted error: which file, which function and line, and what was changed."""

    path: str
    index: int
    line: int
    function: str
    description: str


class _Mutator(ast.NodeTransformer):
    """Enumerates mutation sites inside function bodies; with ``target`` set, applies that one."""

    def __init__(self, target: int | None = None, only: set[str] | None = None) -> None:
        self.target = target
        self.only = only
        self.sites: list[tuple[int, str, str]] = []
        self.in_function = 0
        self.function = ""

    def _site(self, node: ast.AST, description: str) -> bool:
        self.sites.append((getattr(node, "lineno", 0), self.function, description))
        return self.target == len(self.sites) - 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if self.only is not None and node.name not in self.only:
            return node
        self.in_function += 1
        outer, self.function = self.function, self.function or node.name
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) else 0
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


def used_functions(path: Path) -> set[str] | None:
    """For a generated file, the functions that some numerics or checks module names (the others carry no
    claim and are not mutated); None (every function) for a derivation module."""
    if path.parent.name != "generated":
        return None
    users = [p for p in (ROOT / "numerics").glob("*.py")] + [p for p in (ROOT / "checks").rglob("*.py")]
    text = "\n".join(p.read_text(encoding="utf-8") for p in users)
    names = {n.name for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.FunctionDef)}
    return {n for n in names if re.search(rf"\b{n}\b", text)}


def mutants_of(path: Path) -> list[Mutant]:
    """Every mutation site of a source file (of its used functions, for a generated file)."""
    m = _Mutator(only=used_functions(path))
    m.visit(ast.parse(path.read_text(encoding="utf-8")))
    rel = str(path.relative_to(ROOT))
    return [Mutant(rel, i, line, fn, d) for i, (line, fn, d) in enumerate(m.sites)]


def apply(path: Path, index: int) -> str:
    """Source text of ``path`` with mutation ``index`` applied."""
    tree = _Mutator(index, only=used_functions(path)).visit(ast.parse(path.read_text(encoding="utf-8")))
    return ast.unparse(ast.fix_missing_locations(tree))


_DRIVER = """
import functools, importlib, inspect, json, sys
from checks.registry import Context, load_all
from checks.runner import run_claim
stem, wanted = sys.argv[1], sys.argv[2]
used, current = {}, [None]

def wrap(f, key):
    @functools.wraps(f)
    def recorder(*a, **k):
        used.setdefault(current[0], set()).add(key)
        return f(*a, **k)
    return recorder

for modname in ('derivations.' + stem, 'numerics.generated.' + stem):
    try:
        mod = importlib.import_module(modname)
    except ModuleNotFoundError:
        continue
    for name, fn in list(vars(mod).items()):
        if inspect.isfunction(fn) and fn.__module__ == modname:
            setattr(mod, name, wrap(fn, modname.split('.')[0] + ':' + name))
reg = load_all()
if wanted.startswith('modules:'):
    mods = set(wanted[len('modules:'):].split(','))
    ids = [c.id for c in reg.values() if c.tier == 'quick' and c.check.__module__ in mods]
else:
    ids = wanted.split(',')
verdicts = {}
for cid in ids:
    current[0] = cid
    verdicts[cid] = run_claim(reg[cid], Context(seed=0)).result.verdict.value
print(json.dumps({'verdicts': verdicts, 'used': {k: sorted(v) for k, v in used.items() if k}}))
"""


def dependent_modules(stem: str, root: Path = ROOT) -> list[str]:
    """Claims modules that name the topic ``stem`` directly or through one numerics module."""
    word = re.compile(rf"\b{re.escape(stem)}\b")
    users = {p.stem for p in (root / "numerics").glob("*.py") if word.search(p.read_text(encoding="utf-8"))}
    out = []
    for p in sorted((root / "checks" / "papers").glob("*.py")):
        text = p.read_text(encoding="utf-8")
        if word.search(text) or any(re.search(rf"numerics\.{u}\b", text) for u in users):
            out.append(f"checks.papers.{p.stem}")
    return out


def _drive(workdir: Path, stem: str, ids: list[str] | None, timeout: float) -> dict | str:
    """Run quick-tier claims (``ids``, or those of the modules depending on ``stem``) in ``workdir``; their
    verdicts and the functions of the topic (derivation and generated) that each one called."""
    env = {"PYTHONPATH": str(workdir), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"}
    try:
        wanted = "modules:" + ",".join(dependent_modules(stem, workdir)) if ids is None else ",".join(ids)
        out = subprocess.run([sys.executable, "-c", _DRIVER, stem, wanted], cwd=workdir,
                             capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout"
    if out.returncode != 0:
        return "crash: " + (out.stderr.strip().splitlines() or ["?"])[-1][:120]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _function_sources(path: Path) -> dict[str, str]:
    return {n.name: ast.unparse(n) for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.FunctionDef)}


def run(targets: list[Path], limit: int | None, log=print, checkpoint=None) -> dict:
    """Run every mutant of the target files; return the results by file.

    Derivation mutants: the formulas are regenerated, and the quick-tier claims that called the mutated
    function, or a generated function whose code the mutant changed, are run again (the baseline run
    records which claim calls which function). Generated-file mutants: the same claims are run, and the
    regeneration check (a test) is noted, which flags any hand edit of a generated file.
    """
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "reports"))
        env = {"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin"}
        for target in targets:
            rel = target.relative_to(ROOT)
            stem, is_derivation = target.stem, rel.parts[0] == "derivations"
            t0 = time.perf_counter()
            base = _drive(work, stem, None, timeout=3600)
            base_time = time.perf_counter() - t0
            if not isinstance(base, dict):
                log(f"{rel}: no baseline ({base}); skipped")
                continue
            callers: dict[str, set[str]] = {}
            for cid, keys in base["used"].items():
                for key in keys:
                    callers.setdefault(key, set()).add(cid)
            muts = mutants_of(target)[:limit] if limit else mutants_of(target)
            entry = {"claims": len(base["verdicts"]), "baseline_seconds": round(base_time, 1), "mutants": len(muts),
                     "in_scope": 0, "detected": 0, "survivors": [], "not_exercised": [], "crashes": 0, "timeouts": 0}
            original = (work / rel).read_text(encoding="utf-8")
            gen_path = work / "numerics" / "generated" / f"{stem}.py"
            gen_original = gen_path.read_text(encoding="utf-8") if gen_path.exists() else None
            gen_functions = _function_sources(gen_path) if gen_path.exists() else {}
            for i, m in enumerate(muts):
                (work / rel).write_text(apply(target, m.index), encoding="utf-8")
                kind = "derivations" if is_derivation else "numerics"
                affected = set(callers.get(f"{kind}:{m.function}", set()))
                outcome: dict | str | None = None
                if is_derivation:
                    regen = subprocess.run([sys.executable, "-m", "derivations", "regenerate", stem], cwd=work,
                                           capture_output=True, text=True, env=env)
                    if regen.returncode != 0:
                        outcome = "regeneration failed"
                    elif gen_path.exists():
                        now = _function_sources(gen_path)
                        for name, src in now.items():
                            if gen_functions.get(name) != src:
                                affected |= callers.get(f"numerics:{name}", set())
                if outcome is None and affected:
                    outcome = _drive(work, stem, sorted(affected), 5 * base_time + 60)
                (work / rel).write_text(original, encoding="utf-8")
                if gen_original is not None:
                    gen_path.write_text(gen_original, encoding="utf-8")
                where = f"line {m.line} ({m.function}): {m.description}"
                if outcome is None:
                    entry["not_exercised"].append(where)
                    entry["run"] = i + 1
                    log(f"[{rel} {i + 1}/{len(muts)}] not exercised by a quick-tier claim: {where}")
                    continue
                entry["in_scope"] += 1
                if isinstance(outcome, dict):
                    changed = sorted(k for k, v in outcome["verdicts"].items() if base["verdicts"].get(k) != v)
                    detected = bool(changed)
                else:
                    changed, detected = [outcome], True
                    entry["timeouts" if outcome == "timeout" else "crashes"] += 1
                entry["detected"] += detected
                if not detected:
                    entry["survivors"].append(where + f" (claims run: {', '.join(sorted(affected))})")
                log(f"[{rel} {i + 1}/{len(muts)}] {'detected' if detected else 'SURVIVED'}: {where}"
                    + (f" -> {changed[:3]}" if detected else ""))
                entry["run"] = i + 1
                if checkpoint is not None:
                    checkpoint({**results, str(rel): entry})
            results[str(rel)] = entry
    return results


def to_markdown(results: dict, date: str) -> str:
    """MUTATION.md: date, score per file and overall, every surviving mutant, and the mutants no quick claim reaches."""
    total = sum(e["in_scope"] for e in results.values())
    found = sum(e["detected"] for e in results.values())
    lines = ["# Mutation testing report", "", f"Date: {date}. Command: `make mutate` (`python -m checks.mutation [FILE ...]`).", "",
             "A mutant plants one error in a formula (a number changed, an operator swapped, an exponent raised, a sign",
             "or a term dropped). For a derivation the formulas are then regenerated. The quick-tier claims that call the",
             "mutated function (or a generated function the mutant changed) run again; the mutant is detected when a",
             "verdict changes, or regeneration fails, or the run crashes or times out. Mutants in functions that no",
             "quick-tier claim calls are listed apart and left out of the score. Any hand edit of a generated file is",
             "also caught by `python -m derivations regenerate --check`, which the tests run.", "",
             f"**Overall: {found}/{total} detected ({100 * found / max(total, 1):.1f}%).**", ""]
    unfinished = [f"`{p}` ({e.get('run', 0)} of {e['mutants']} mutants run)" for p, e in results.items()
                  if e.get("run", e["mutants"]) < e["mutants"]]
    if unfinished:
        lines += ["**Incomplete run:** " + ", ".join(unfinished) + "; the score covers the mutants run so far.", ""]
    lines += [
             "| file | quick claims | mutants | in scope | detected | score | crash/timeout | not exercised |",
             "|---|---|---|---|---|---|---|---|"]
    for path, e in results.items():
        lines.append(f"| `{path}` | {e['claims']} | {e['mutants']} | {e['in_scope']} | {e['detected']} "
                     f"| {100 * e['detected'] / max(e['in_scope'], 1):.1f}% | {e['crashes']}/{e['timeouts']} "
                     f"| {len(e['not_exercised'])} |")
    lines += ["", "## Surviving mutants", ""]
    survivors = [(p, s) for p, e in results.items() for s in e["survivors"]]
    lines += [f"- `{p}` {s}" for p, s in survivors] or ["None."]
    lines += ["", "## Mutants in functions no quick-tier claim calls", ""]
    idle = [(p, s) for p, e in results.items() for s in e["not_exercised"]]
    lines += [f"- `{p}` {s}" for p, s in idle] or ["None."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.mutation")
    parser.add_argument("files", nargs="*", type=Path,
                        help="files to mutate (default: every derivation module and generated file)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many mutants per file")
    parser.add_argument("--output", type=Path, default=ROOT / "MUTATION.md")
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or sorted(
        [p for p in (ROOT / "derivations").glob("*.py") if p.stem not in ("__init__", "__main__", "codegen")]
        + [p for p in (ROOT / "numerics" / "generated").glob("*.py") if p.stem != "__init__"])
    for f in files:
        if not f.is_file() or ROOT not in f.parents:
            print(f"checks.mutation: error: {f} is not a file of this repository", file=sys.stderr)
            return 2
    today = dt.date.today().isoformat()

    def checkpoint(partial: dict) -> None:
        args.output.write_text(to_markdown(partial, today), encoding="utf-8")

    results = run(files, args.limit, log=lambda s: print(s, flush=True), checkpoint=checkpoint)
    checkpoint(results)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
