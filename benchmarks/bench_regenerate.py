"""Time of regenerating every formula (``python -m derivations regenerate``); issue 9's target: under 30 s.

Two measurements, each in a fresh interpreter so that no module is imported beforehand:

- end to end: ``python -m derivations regenerate --check`` (the same derivations and rendering as ``regenerate``;
  it compares instead of writing, so a benchmark never rewrites ``numerics/generated``);
- per module: after importing SymPy, for each derivation module the time to import it, to build its
  ``formulas()`` and to render the generated source (the work ``regenerate`` does for it), written to a
  temporary folder.

    .venv/bin/python -m benchmarks regenerate
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Regeneration of all formulas"
TARGET = 30.0


def profile_modules() -> list[dict[str, Any]]:
    """Per derivation module: seconds to import, to build formulas() and to render (run in a fresh process)."""
    import importlib
    import pkgutil
    import tempfile

    t = time.perf_counter()
    import sympy  # noqa: F401  (shared by every module; timed on its own row)

    import derivations
    from derivations.codegen import render

    rows = [{"module": "(import sympy + codegen)", "import": time.perf_counter() - t, "formulas": 0.0,
             "render": 0.0, "count": 0}]
    names = sorted(m.name for m in pkgutil.iter_modules(derivations.__path__)
                   if not m.name.startswith("_") and m.name != "codegen")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:  # the order and the selection of derivation_modules(), each import timed on its own
            t = time.perf_counter()
            mod = importlib.import_module(f"derivations.{name}")
            t_imp = time.perf_counter() - t
            if not hasattr(mod, "formulas"):
                continue
            t = time.perf_counter()
            forms = mod.formulas()
            t_form = time.perf_counter() - t
            t = time.perf_counter()
            (Path(tmp) / f"{name}.py").write_text(render(name, forms), encoding="utf-8")
            t_rend = time.perf_counter() - t
            rows.append({"module": name, "import": t_imp, "formulas": t_form, "render": t_rend,
                         "count": len(forms)})
    return rows


def main() -> dict[str, Any]:
    """End-to-end wall time of the command and the per-module profile, each in a fresh interpreter."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "derivations", "regenerate", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    prof = subprocess.run([sys.executable, "-m", "benchmarks.bench_regenerate"], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return {"wall": wall, "exit": proc.returncode, "message": (proc.stdout + proc.stderr).strip(),
            "modules": json.loads(prof.stdout)}


def markdown(rows: dict[str, Any]) -> str:
    mods = rows["modules"]
    total = sum(m["import"] + m["formulas"] + m["render"] for m in mods)
    out = [f"`python -m derivations regenerate --check` (all {len(mods) - 1} derivation modules, end to end in a fresh "
           f"interpreter): **{rows['wall']:.1f} s** against the target of < {TARGET:g} s: "
           f"**{'met' if rows['wall'] < TARGET else 'not met'}** (exit {rows['exit']}: {rows['message']}).", "",
           "Per module (a second fresh interpreter, modules in alphabetical order; import = importing the derivation "
           "module, which may derive at import time and includes the derivation modules it imports first):", "",
           "| module | formulas | import s | formulas() s | render s | total s | share |",
           "|---|---|---|---|---|---|---|"]
    for m in mods:
        tot = m["import"] + m["formulas"] + m["render"]
        out.append(f"| {m['module']} | {m['count'] or ''} | {m['import']:.2f} | {m['formulas']:.2f} | "
                   f"{m['render']:.2f} | {tot:.2f} | {100 * tot / max(total, 1e-9):.0f}% |")
    return "\n".join(out)


if __name__ == "__main__":
    json.dump(profile_modules(), sys.stdout)
