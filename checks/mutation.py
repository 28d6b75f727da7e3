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
    """One planted error: which file, which site (line), and what was changed."""

    path: str
    index: int
    line: int
    description: str


class _Mutator(ast.NodeTransformer):
    """Enumerates mutation sites inside function bodies; with ``target`` set, applies that one."""

    def __init__(self, target: int | None = None, only: set[str] | None = None) -> None:
        self.target = target
        self.only = only
        self.sites: list[tuple[int, str]] = []
        self.in_function = 0

    def _site(self, node: ast.AST, description: str) -> bool:
        self.sites.append((getattr(node, "lineno", 0), description))
        return self.target == len(self.sites) - 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if self.only is not None and node.name not in self.only:
            return node
        self.in_function += 1
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) else 0
        node.body = body[:start] + [self.visit(stmt) for stmt in body[start:]]
        self.in_function -= 1
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
    return [Mutant(rel, i, line, d) for i, (line, d) in enumerate(m.sites)]


def apply(path: Path, index: int) -> str:
    """Source text of ``path`` with mutation ``index`` applied."""
    tree = _Mutator(index, only=used_functions(path)).visit(ast.parse(path.read_text(encoding="utf-8")))
    return ast.unparse(ast.fix_missing_locations(tree))


def dependent_modules(stem: str, root: Path = ROOT) -> list[str]:
    """Claims modules that use the topic ``stem`` directly or through one numerics module."""
    word = re.compile(rf"\b{re.escape(stem)}\b")
    users = {p.stem for p in (root / "numerics").glob("*.py") if word.search(p.read_text(encoding="utf-8"))}
    out = []
    for p in sorted((root / "checks" / "papers").glob("*.py")):
        text = p.read_text(encoding="utf-8")
        if word.search(text) or any(re.search(rf"numerics\.{u}\b", text) for u in users):
            out.append(f"checks.papers.{p.stem}")
    return out


_DRIVER = """
import json, sys
from checks.registry import Context, load_all
from checks.runner import run_claim
mods = set(sys.argv[1].split(','))
reg = load_all()
print(json.dumps({c.id: run_claim(c, Context(seed=0)).result.verdict.value
                  for c in reg.values() if c.tier == 'quick' and c.check.__module__ in mods}))
"""


def _verdicts(workdir: Path, modules: list[str], timeout: float) -> dict[str, str] | str:
    try:
        out = subprocess.run([sys.executable, "-c", _DRIVER, ",".join(modules)], cwd=workdir, capture_output=True,
                             text=True, timeout=timeout, env={"PYTHONPATH": str(workdir), "OPENBLAS_NUM_THREADS": "1",
                                                              "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})
    except subprocess.TimeoutExpired:
        return "timeout"
    if out.returncode != 0:
        return "crash: " + (out.stderr.strip().splitlines() or ["?"])[-1][:120]
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(targets: list[Path], limit: int | None, log=print) -> dict:
    """Run every mutant of the target files; return the results by file."""
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "reports"))
        for target in targets:
            stem = target.stem
            modules = dependent_modules(stem, work)
            t0 = time.perf_counter()
            base = _verdicts(work, modules, timeout=3600)
            base_time = time.perf_counter() - t0
            if not isinstance(base, dict) or not base:
                log(f"{target}: no baseline ({base!r}); skipped")
                continue
            muts = mutants_of(target)[:limit] if limit else mutants_of(target)
            entry = {"modules": modules, "claims": len(base), "baseline_seconds": round(base_time, 1),
                     "mutants": len(muts), "detected": 0, "survivors": [], "timeouts": 0, "crashes": 0}
            rel = target.relative_to(ROOT)
            original = (work / rel).read_text(encoding="utf-8")
            generated = work / "numerics" / "generated" / f"{stem}.py"
            original_generated = generated.read_text(encoding="utf-8") if generated.exists() else None
            for i, m in enumerate(muts):
                (work / rel).write_text(apply(target, m.index), encoding="utf-8")
                outcome: dict[str, str] | str
                if rel.parts[0] == "derivations":
                    regen = subprocess.run([sys.executable, "-m", "derivations", "regenerate"], cwd=work,
                                           capture_output=True, text=True, env={"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin"})
                    outcome = _verdicts(work, modules, 5 * base_time + 60) if regen.returncode == 0 else "regeneration failed"
                else:
                    outcome = _verdicts(work, modules, 5 * base_time + 60)
                (work / rel).write_text(original, encoding="utf-8")
                if original_generated is not None:
                    generated.write_text(original_generated, encoding="utf-8")
                if isinstance(outcome, dict):
                    changed = {k: (base[k], v) for k, v in outcome.items() if base.get(k) != v}
                    detected = bool(changed)
                else:
                    changed, detected = {}, True
                    entry["timeouts" if outcome == "timeout" else "crashes"] += 1
                entry["detected"] += detected
                if not detected:
                    entry["survivors"].append({"line": m.line, "mutation": m.description})
                log(f"[{rel} {i + 1}/{len(muts)}] {'detected' if detected else 'SURVIVED'}: line {m.line}, "
                    f"{m.description}" + (f" -> {outcome if isinstance(outcome, str) else list(changed)[:3]}" if detected else ""))
            results[str(rel)] = entry
    return results


def to_markdown(results: dict, date: str) -> str:
    """MUTATION.md: date, score per file and overall, and every surviving mutant."""
    total = sum(e["mutants"] for e in results.values())
    found = sum(e["detected"] for e in results.values())
    lines = ["# Mutation testing report", "", f"Date: {date}. Command: `make mutate` (`python -m checks.mutation`).", "",
             "A mutant plants one error in a formula (a number changed, an operator swapped, an exponent raised, a sign or a",
             "term dropped); it is detected when the quick tier of the claims that depend on the file gives any different",
             "verdict, or when regeneration fails or the run crashes or times out.", "",
             f"**Overall: {found}/{total} detected ({100 * found / max(total, 1):.1f}%).**", "",
             "| file | claims modules run | mutants | detected | score | crash/timeout |", "|---|---|---|---|---|---|"]
    for path, e in results.items():
        lines.append(f"| `{path}` | {', '.join(m.split('.')[-1] for m in e['modules'])} | {e['mutants']} | {e['detected']} "
                     f"| {100 * e['detected'] / max(e['mutants'], 1):.1f}% | {e['crashes']}/{e['timeouts']} |")
    lines += ["", "## Surviving mutants", ""]
    for path, e in results.items():
        for s in e["survivors"]:
            lines.append(f"- `{path}` line {s['line']}: {s['mutation']}")
    if not any(e["survivors"] for e in results.values()):
        lines.append("None.")
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
    results = run(files, args.limit, log=lambda s: print(s, flush=True))
    args.output.write_text(to_markdown(results, dt.date.today().isoformat()), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
