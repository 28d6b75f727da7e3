"""The check suite's wall time, serial against ``--jobs 2``, per claim, and a claims' sweep through numerics.sweep.

Issue 9 targets: quick tier under 60 s, full tier under 15 min with both cores used. Each variant runs as its own
``python -m checks --tier T --jobs N --format json`` process (fresh module caches, exactly what a user runs), one
after the other in one run; per-claim seconds come from the JSON report. Parallel efficiency = Σ per-claim seconds /
(jobs × wall). Per-claim times charge a cached trajectory (lru_cache per module) to the first claim that needs it.

The sweep part maps the hb_nag claims' flow grid (biased/unbiased × HB/NAG × the four η of ``ETAS_FLOW``, the
solves behind the η-scaling claims) through :func:`numerics.sweep.run_sweep` serially, on 2 local processes and on a
2-worker local Dask cluster, and checks the three give identical end points. Each run's JSON report is kept in
reports/suite/ (e.g. for ``python -m checks.agreement reports/suite/quick-jobs1.json reports/suite/full-jobs1.json``),
and the serial run's per-claim seconds go to checks/timings.json, which ``--jobs`` uses to start long modules first.

    .venv/bin/python -m benchmarks suite [--full]
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Check suite: quick (and full) tier, serial vs --jobs 2; a claims' sweep on processes and Dask"
TARGETS = {"quick": 60.0, "full": 900.0}
#: where each run's JSON report is kept (reports/ is not tracked)
KEEP = ROOT / "reports" / "suite"


def cpu_seconds() -> float:
    """CPU time of this process and of its finished descendants (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_tier(tier: str, jobs: int) -> dict[str, Any]:
    """One ``python -m checks`` run: wall seconds, per-claim seconds and the verdict tally."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        cmd = [sys.executable, "-m", "checks", "--tier", tier, "--jobs", str(jobs), "--format", "json",
               "--output", str(out)]
        start, cpu0 = time.perf_counter(), cpu_seconds()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
        doc = json.loads(out.read_text(encoding="utf-8"))
        KEEP.mkdir(parents=True, exist_ok=True)  # the reports, for python -m checks.agreement (TIERS.md)
        (KEEP / f"{tier}-jobs{jobs}.json").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    # a claim's own seconds and what its first reads of shared runs cost (checks.shared): the whole cost the
    # runner's ordering (checks/timings.json) has to reckon with for its process group
    seconds = {c["id"]: float(c["seconds"]) + float(c.get("shared_seconds", 0.0)) for c in doc["claims"]}
    verdicts = {c["id"]: c["verdict"] for c in doc["claims"]}
    return {"tier": tier, "jobs": jobs, "wall": wall, "cpu": cpu, "seconds": seconds, "verdicts": verdicts,
            "tally": doc["tally"], "sum": sum(seconds.values())}


def _flow_end(point: tuple[bool, str, float]) -> np.ndarray:
    """θ at the end of one hb_nag flow of the claims (quick tier, seed 0, bypassing the cache); picklable."""
    from checks.papers.hb_nag.instances import FLOWS, converged_flow

    biased, method, eta = point
    return converged_flow.__wrapped__(0, FLOWS["quick"], biased, method, eta).theta[-1]  # uncached: a fair timing


def sweep_demo(workers: int = 2) -> dict[str, Any]:
    """The hb_nag flow grid through run_sweep: serial, local processes, local Dask cluster (same results?)."""
    from checks.papers.hb_nag.instances import ETAS_FLOW
    from numerics.sweep import run_sweep

    grid = [(b, m, e) for b in (False, True) for m in ("hb", "nag") for e in ETAS_FLOW]
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t, c = time.perf_counter(), cpu_seconds()
    ref = run_sweep(_flow_end, grid, executor="serial")
    times["serial"], cpu["serial"] = time.perf_counter() - t, cpu_seconds() - c
    t, c = time.perf_counter(), cpu_seconds()
    local = run_sweep(_flow_end, grid, workers=workers)
    key = f"{workers} local processes"
    times[key], cpu[key] = time.perf_counter() - t, cpu_seconds() - c
    out: dict[str, Any] = {"points": len(grid), "times": times, "cpu": cpu,
                           "agree": {"local processes": all(np.array_equal(a, b) for a, b in zip(local, ref))}}
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        out["dask"] = "dask[distributed] not installed"
        return out
    t, c = time.perf_counter(), cpu_seconds()
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, host="127.0.0.1") as cl, \
            Client(cl) as client:
        started = time.perf_counter()
        dask = run_sweep(_flow_end, grid, executor=client)
        times[f"Dask, {workers} workers (sweep only)"] = time.perf_counter() - started
    key = f"Dask, {workers} workers (with cluster start/stop)"
    times[key], cpu[key] = time.perf_counter() - t, cpu_seconds() - c
    out["agree"]["Dask"] = all(np.array_equal(a, b) for a, b in zip(dask, ref))
    return out


def record_timings(tier: str, seconds: dict[str, float], path: Path | None = None) -> None:
    """Keep a tier's per-claim seconds (of the serial run) in checks/timings.json, which ``--jobs`` uses to
    start the longest checks modules first."""
    from checks.runner import TIMINGS

    path = path or TIMINGS
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = {}
    table[tier] = {k: round(v, 2) for k, v in sorted(seconds.items())}
    path.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def main(full: bool = False, jobs: int = 2) -> dict[str, Any]:
    """Quick tier serial and with ``jobs`` processes (full tier too with ``full``), then the sweep demo."""
    runs = []
    for tier in ("quick", "full") if full else ("quick",):
        for j in (1, jobs):
            print(f"  suite: {tier} tier, --jobs {j} ...", flush=True)
            runs.append(run_tier(tier, j))
        record_timings(tier, runs[-2 if jobs > 1 else -1]["seconds"])
    print("  suite: sweep demo ...", flush=True)
    return {"runs": runs, "sweep": sweep_demo(jobs), "cores": os.cpu_count()}


def markdown(rows: dict[str, Any]) -> str:
    runs = rows["runs"]
    out = ["Each row is one `python -m checks --tier T --jobs N --format json` process, run one after the other "
           f"on this {rows['cores']}-core machine (shared with other jobs). Efficiency = Σ per-claim seconds / "
           "(jobs × wall): how busy the workers were. CPU s = CPU time of the run's processes; CPU / wall = the "
           "cores the run actually obtained (2.0 would be both cores to itself), which bounds any speed-up from "
           "--jobs on a loaded machine.", "",
           "| tier | jobs | claims | wall s | CPU s | CPU / wall | Σ per-claim s | efficiency | speed-up vs serial "
           "| target | met |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    serial = {r["tier"]: r["wall"] for r in runs if r["jobs"] == 1}
    for r in runs:
        target = TARGETS[r["tier"]]
        out.append(f"| {r['tier']} | {r['jobs']} | {len(r['seconds'])} | {r['wall']:.1f} | {r['cpu']:.1f} | "
                   f"{r['cpu'] / r['wall']:.2f} | {r['sum']:.1f} | "
                   f"{r['sum'] / (r['jobs'] * r['wall']):.2f} | {serial[r['tier']] / r['wall']:.2f} | "
                   f"< {target:g} s | {'yes' if r['wall'] < target else 'no'} |")
    for tier in dict.fromkeys(r["tier"] for r in runs):
        pair = [r for r in runs if r["tier"] == tier]
        same = all(p["verdicts"] == pair[0]["verdicts"] for p in pair)
        out += ["", f"Verdicts of the {tier} tier identical between serial and parallel: {'yes' if same else 'NO'} "
                f"(tally {pair[0]['tally']})."]
    base = runs[0]
    top = sorted(base["seconds"].items(), key=lambda kv: -kv[1])[:15]
    share = sum(s for _, s in top) / base["sum"]
    out += ["", f"Slowest 15 claims of the {base['tier']} tier (serial run; {100 * share:.0f}% of Σ per-claim time; "
            "a claim that first fills a module's trajectory cache is charged for it):", "",
            "| claim | s |", "|---|---|"]
    out += [f"| {cid} | {s:.1f} |" for cid, s in top]
    sw = rows["sweep"]
    out += ["", f"Sweep runner (`numerics.sweep.run_sweep`) on the hb_nag claims' flow grid ({sw['points']} converged "
            "HB/NAG flows, quick tier, seed 0), same code for every executor:", "",
            "| executor | wall s | CPU s (with workers) | ratio vs serial (wall) |", "|---|---|---|---|"]
    t0 = sw["times"]["serial"]
    for k, v in sw["times"].items():
        cpu = f"{sw['cpu'][k]:.2f}" if k in sw["cpu"] else "–"
        out.append(f"| {k} | {v:.2f} | {cpu} | {t0 / v:.2f} |")
    agree = ", ".join(f"{k}: {'identical' if v else 'DIFFERENT'}" for k, v in sw["agree"].items())
    out += ["", f"End points against the serial sweep: {agree}." + (f" {sw['dask']}." if "dask" in sw else "")]
    return "\n".join(out)
