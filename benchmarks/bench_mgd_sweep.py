"""Benchmark: the Figure 4 sweep of Papazov et al., batched against point by point.

A 20 × 20 grid of (γ, β), (n, d, s) = (20, 30, 5), init u₀ = α1, v₀ = 0 (α = 0.01). Both variants run
``numerics.momentum_discrete.smgd`` for ``--steps`` steps (no early stop, no sums: the sweep only needs the
end point); the batched one advances all 400 runs in one array step, the loop one runs ``--loop-points``
grid points one at a time. Times are extrapolated to 10⁶ epochs (linear in steps) and, for the loop, to
the whole grid. The floating-point rate of the batched run is printed beside a measured matrix-multiply
peak of this machine (float64, one 1000 × 1000 product).

    .venv/bin/python benchmarks/bench_mgd_sweep.py [--steps 2000] [--loop-points 4]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numerics.data import sparse_regression
from numerics.momentum_discrete import smgd

EPOCHS = 1_000_000


def matmul_peak(size: int = 1000, reps: int = 3) -> float:
    """Best observed float64 matrix-multiply rate (flop/s)."""
    a = np.random.default_rng(0).standard_normal((size, size))
    best = np.inf
    for _ in range(reps):
        t = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t)
    return 2 * size ** 3 / best


def flops_per_step(runs: int, n: int, d: int) -> float:
    """Arithmetic of one SMGD step (full batch): θ (3d), Xθ − y (2nd), Xᵀr (2nd), two updates (2 × 6d)."""
    return runs * (4 * n * d + 15 * d)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--loop-points", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    data = sparse_regression(rng, 20, 30, 5)
    net = data.network()
    g, b = np.meshgrid(np.geomspace(1e-3, 1e-1, 20), np.linspace(0.0, 0.95, 20), indexing="ij")
    g, b = g.ravel(), b.ravel()
    w0 = np.full(30, 0.01)
    kw = {"check_every": args.steps, "stop_change": 1e-300, "track_sums": False}

    t = time.perf_counter()
    smgd(net, w0, w0, g, b, args.steps, **kw)
    batched = time.perf_counter() - t

    idx = np.linspace(0, g.size - 1, args.loop_points).astype(int)
    t = time.perf_counter()
    for i in idx:
        smgd(net, w0, w0, g[i], b[i], args.steps, **kw)
    loop = time.perf_counter() - t

    scale = EPOCHS / args.steps
    batched_full = batched * scale
    loop_full = loop * scale * g.size / idx.size
    rate = flops_per_step(g.size, 20, 30) * args.steps / batched
    peak = matmul_peak()
    print(f"grid {g.size} runs, measured {args.steps} steps; extrapolated to {EPOCHS:.0e} epochs")
    print(f"  batched       : {batched:8.2f} s measured -> {batched_full / 60:8.1f} min for the sweep "
          f"(target < 5 min: {'met' if batched_full < 300 else 'NOT met'})")
    print(f"  point by point: {loop:8.2f} s for {idx.size} points -> {loop_full / 3600:8.1f} h for the sweep")
    print(f"  speed-up      : {loop_full / batched_full:8.1f}x (target >= 30x: "
          f"{'met' if loop_full / batched_full >= 30 else 'NOT met'})")
    print(f"  batched rate  : {rate / 1e9:8.3f} Gflop/s vs matmul peak {peak / 1e9:.2f} Gflop/s "
          f"({100 * rate / peak:.1f}% of peak)")


if __name__ == "__main__":
    main()
