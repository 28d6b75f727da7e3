"""Issue 18: the full tier without Python-bound claims. Side by side in one run:

- Figures 2 and 6 of momentum_dln: the numpy loop over steps (the former code path, ``kernel=False``) against the
  batched numba kernels of numerics.architecture_kernels on the same grid, with their results compared;
- the kernels' floating-point rate beside the numpy matmul rate measured in the same run (the peak the issue
  compares with): own flops per second, the peak-bound time (own flops / matmul rate) and the ratio to it;
- with ``long``: the full tier with ``--jobs 2`` (wall, each former top-8 claim's own and shared seconds, the peak
  resident set of the largest process), then the full tier with its sweeps on a local Dask cluster of 2 workers
  (``--sweep tcp://...``), with its verdicts against the first run's. At the paper's sizes the numpy loops of
  Figures 2 and 6 take minutes; ``long`` runs them whole, else a slice of their steps (the ratio per grid point
  and step).

    .venv/bin/python -m benchmarks full_tier [--long]
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: the eight slowest claims of the full tier when issue 18 was filed (its measurement, in this order)
TOP8 = ("momentum_dln.sec3-2.assumptions_hold", "momentum_dln.fig9", "momentum_dln.fig2", "momentum_dln.fig6",
        "momentum_dln.fig7", "momentum_dln.poster4.gf_reference", "momentum_dln.appC-1.convergence",
        "momentum_dln.appD-2.link")
#: the issue's seconds for them (fresh clone, full tier, 2-core machine under other load)
ISSUE_SECONDS = (275.0, 190.0, 159.0, 137.0, 77.0, 60.0, 52.0, 39.0)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall seconds of ``repeat`` calls of ``fn`` and its last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def matmul_gflops(n: int = 1500) -> float:
    """numpy's matmul rate (GFLOP/s, 2n³ flops; best of three) with the BLAS threads it has."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    a @ b
    t, _ = timed(lambda: a @ b, 3)
    return 2 * n ** 3 / t / 1e9


def dln_flops(widths: tuple[int, ...], n: int) -> tuple[float, float]:
    """Flops per grid point and step: the kernel's (p and q chains 2 per weight each, the update 7 per weight,
    Xθ and Xᵀr 2nd each) and the numpy reference's (forward 2n, back-propagation 4n per weight)."""
    w = sum(i * o for i, o in zip(widths[:-1], widths[1:]))
    first = widths[0] * widths[1]
    d = widths[0]
    return 2 * w + 2 * (w - widths[-2] * widths[-1]) + 7 * w + 4 * n * d, 2 * n * w + 4 * n * w - 2 * n * first


def relu_flops(n: int, k: int, dim: int) -> float:
    """The ReLU kernel's flops per grid point and step: pre-activations 2ndk, output 2nk, ∂a 2nk, ∂W n·k(1 + 2dim),
    the update 7 per weight."""
    return 2 * n * k * dim + 2 * n * k + 2 * n * k + n * k * (1 + 2 * dim) + 7 * (k * dim + k)


def figure_kernels(long: bool) -> dict[str, Any]:
    """Figures 2 and 6 at the full tier's grid: numpy loop vs kernel (steps: all with ``long``, else a slice)."""
    from checks.context import Context
    from checks.papers.momentum_dln.instances import ARCHITECTURE_SIZES, FIGURE6_STEP_SCALE, architecture_grid
    from numerics.momentum_discrete import deep_linear_network, relu_teacher_student

    sizes = ARCHITECTURE_SIZES.of(Context(seed=0, tier="full"))
    out = {}
    g, b = architecture_grid(sizes)
    steps = sizes.relu_max_steps if long else 2_000
    relu = {}
    for kernel in (False, True):
        call = lambda k=kernel: relu_teacher_student(np.random.default_rng(0), g, b, max_steps=steps,  # noqa: E731
                                                     stop_loss=1e-5 if long else None, kernel=k)
        if kernel:
            call()  # compile (or load numba's cache) outside the timing
        relu[kernel] = timed(call)
    point_steps = float(np.sum(relu[True][1].steps))
    out["fig2"] = {"steps": steps, "points": g.size, "point_steps": point_steps, "numpy": relu[False][0],
                   "kernel": relu[True][0], "flops": relu_flops(15, 20, 2) * point_steps,
                   "max_log10_test_diff": float(np.max(np.abs(np.log10(relu[True][1].test_loss)
                                                              - np.log10(relu[False][1].test_loss))))}
    g6, b6 = architecture_grid(sizes, FIGURE6_STEP_SCALE)
    epochs = sizes.epochs if long else 50
    dln = {}
    for kernel in (False, True):
        call = lambda k=kernel: deep_linear_network(np.random.default_rng(0), g6, b6, widths=sizes.widths,  # noqa
                                                    n=sizes.n, s=sizes.s, epochs=epochs, kernel=k)
        if kernel:
            call()
        dln[kernel] = timed(call)
    own, ref = dln_flops(sizes.widths, sizes.n)
    out["fig6"] = {"steps": epochs, "points": g6.size, "point_steps": float(g6.size * epochs), "numpy": dln[False][0],
                   "kernel": dln[True][0], "flops": own * g6.size * epochs, "reference_flops": ref * g6.size * epochs,
                   "max_log10_test_diff": float(np.max(np.abs(np.log10(dln[True][1].test_loss)
                                                              - np.log10(dln[False][1].test_loss))))}
    return out


def run_full_tier(extra: list[str]) -> dict[str, Any]:
    """``python -m checks --tier full --jobs 2`` (plus ``extra``) in a child that reports the peak resident set
    of its descendants (ru_maxrss of RUSAGE_CHILDREN: the largest single process, KiB on Linux)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "full.json"
        cmd = [sys.executable, "-m", "checks", "--tier", "full", "--jobs", "2", "--format", "json", "--output",
               str(out), *extra]
        wrapper = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)"
                   ".returncode; print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        rc, maxrss = (int(x) for x in proc.stdout.split()[-2:])
        if rc != 0 and not out.exists():
            raise RuntimeError(f"{' '.join(cmd)} exited {rc}: {proc.stderr[-500:]}")
        doc = json.loads(out.read_text(encoding="utf-8"))
    claims = {c["id"]: c for c in doc["claims"]}
    return {"wall": wall, "maxrss_mib": maxrss / 1024, "verdicts": {k: c["verdict"] for k, c in claims.items()},
            "seconds": {k: float(c["seconds"]) for k, c in claims.items()},
            "shared": {k: float(c.get("shared_seconds", 0.0)) for k, c in claims.items()}, "tally": doc["tally"]}


def dask_full_tier() -> dict[str, Any]:
    """The full tier with its sweeps on a local Dask cluster of 2 single-threaded workers."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, host="127.0.0.1") as cluster:
        return run_full_tier(["--sweep", cluster.scheduler_address])


def main(long: bool = False) -> dict[str, Any]:
    """The kernels against the numpy loops and the matmul rate; with ``long`` the two full-tier runs."""
    print("  full_tier: matmul rate ...", flush=True)
    rows: dict[str, Any] = {"matmul_gflops": matmul_gflops(), "long": long}
    print("  full_tier: Figures 2 and 6, numpy loop vs kernel ...", flush=True)
    rows["figures"] = figure_kernels(long)
    if long:
        print("  full_tier: full tier, --jobs 2 ...", flush=True)
        rows["full"] = run_full_tier([])
        print("  full_tier: full tier, --jobs 2, sweeps on a 2-worker Dask cluster ...", flush=True)
        rows["dask"] = dask_full_tier()
    return rows


def markdown(rows: dict[str, Any]) -> str:
    peak = rows["matmul_gflops"]
    out = [f"numpy matmul (1500², BLAS threads as configured) in this run: **{peak:.1f} GFLOP/s**, the peak the "
           "kernels are compared with. Kernels run with numba's threads (one grid point per thread at a time).", "",
           "| figure | grid points × steps | numpy loop s | kernel s | speed-up | kernel GFLOP/s | peak-bound s "
           "| kernel / peak-bound | max Δlog10 test loss |", "|---|---|---|---|---|---|---|---|---|"]
    for name, f in rows["figures"].items():
        rate = f["flops"] / f["kernel"] / 1e9
        bound = f["flops"] / (peak * 1e9)
        out.append(f"| {name} | {f['points']} × {f['steps']} ({f['point_steps']:.3g} point-steps) | {f['numpy']:.2f} "
                   f"| {f['kernel']:.3f} | {f['numpy'] / f['kernel']:.1f}× | {rate:.2f} | {bound:.3f} | "
                   f"{f['kernel'] / bound:.1f}× | {f['max_log10_test_diff']:.1e} |")
    f6 = rows["figures"]["fig6"]
    out += ["", f"Figure 6's kernel does {f6['flops'] / f6['reference_flops']:.3f} of the numpy reference's flops "
            "(rank-one layer gradients p_j q_jᵀ instead of back-propagation over the n samples); at the matmul rate "
            f"the reference's flops would take {f6['reference_flops'] / (peak * 1e9):.3f} s, against the kernel's "
            f"{f6['kernel']:.3f} s. The kernels' rates are of matrix-vector and elementwise work (memory- and "
            "latency-bound, without fastmath so that the order of operations is fixed); the matmul rate bounds "
            "them from above." + ("" if rows["long"] else " Without --long the steps are a slice of the full "
                                                          "tier's (the ratios per grid point and step).")]
    if "full" in rows:
        out += full_tier_markdown(rows["full"], rows.get("dask"))
    return "\n".join(out)


def full_tier_markdown(full: dict[str, Any], dask: dict[str, Any] | None) -> list[str]:
    """The full-tier part: top-8 claims, wall, peak RSS, the Dask run (if it ran)."""
    out = ["", f"Full tier, `--jobs 2`: **{full['wall']:.0f} s** wall; peak resident set of the largest process "
           f"{full['maxrss_mib']:.0f} MiB (two workers at once: at most {2 * full['maxrss_mib']:.0f} MiB); tally "
           f"{full['tally']}.", "",
           "| former top-8 claim | issue's s | own s now | shared-run s now (first reader) |", "|---|---|---|---|"]
    for cid, before in zip(TOP8, ISSUE_SECONDS):
        out.append(f"| {cid} | {before:.0f} | {full['seconds'].get(cid, float('nan')):.1f} | "
                   f"{full['shared'].get(cid, 0.0):.1f} |")
    slow = sorted(full["seconds"].items(), key=lambda kv: -kv[1])[:5]
    out += ["", "Slowest claims now (own seconds): " + ", ".join(f"{k} {v:.1f}" for k, v in slow) + "."]
    if dask is None:
        return out + ["", "The full tier with its sweeps on a Dask cluster did not run this time."]
    same = dask["verdicts"] == full["verdicts"]
    diff = sorted(k for k in full["verdicts"] if dask["verdicts"].get(k) != full["verdicts"][k])
    out += ["", f"Full tier, `--jobs 2 --sweep tcp://…` (a local Dask cluster, 2 single-threaded workers): "
            f"**{dask['wall']:.0f} s** wall ({dask['wall'] / full['wall']:.2f}× the local run); verdicts identical "
            f"to the local run: {'yes' if same else 'NO: ' + ', '.join(diff)}."]
    return out
