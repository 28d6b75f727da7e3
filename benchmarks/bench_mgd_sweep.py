"""Benchmark: the Figure 4 sweep of Papazov et al. (issue 4 "Performance", issue 9 "Batched iterations").

Setting: a 20 × 20 grid of (γ, β) (γ log-spaced in [1e-3, 1e-1], β in [0, 0.95]), (n, d, s) = (20, 30, 5),
uncentred data (μ = σ = 1), init u₀ = α1, v₀ = 0 (α = 0.01), up to 10⁶ epochs of full-batch MGD, run by
``numerics.momentum_discrete.smgd`` (the end point only: no S± sums).

Measured side by side in one run:

1. fixed work: the batched grid (all 400 runs in one array step) and the same iteration point by point in a
   Python loop on a sub-grid, both for ``steps`` steps without early stopping; per-step costs are
   extrapolated to the whole grid and 10⁶ epochs, and their ratio is the speed-up;
2. the whole sweep actually run, batched, up to 10⁶ epochs with early stopping (a run leaves the batch once
   its training loss is below ``STOP_LOSS`` = 1e-16, the end point of the Figure 4 checks, or its relative
   change has stayed at machine precision for a window of 500 steps), wall-clock and CPU time, with the
   convergence of every run reported;
3. GD (β = 0) and mini-batch SMGD (batches of n/2, with and without replacement) on the same grid, batched
   against point by point (fixed work, as in 1);
4. HB, NAG and GD of the hb_nag paper (``numerics.hb_nag.momentum_iterates``) on a 20 × 20 (η, μ) grid at that
   paper's full-tier size (n, d) = (10, 20), batched against point by point;
5. the former numpy step of ``smgd`` (kept here, as a reference, not in the library) beside the fused kernel.

Floating-point rates count the arithmetic each step actually does (:func:`flops_per_run_step`, products at
2 flop per multiply-add, every element-wise +, −, ×, ÷ one flop, comparisons and sign tests none) and are set
beside the machine's measured float64 matrix-multiply peak (best of a few 1000 × 1000 products, one thread);
"peak-bound time" is the flop count divided by that peak, and the target of issue 9 is a CPU time within 3× of it.

    .venv/bin/python -m benchmarks.bench_mgd_sweep [--steps 3000] [--loop-points 8] [--no-full]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from numerics.data import sparse_regression
from numerics.hb_nag import SquareNet, momentum_iterates, sparse_instance
from numerics.momentum_discrete import smgd

EPOCHS = 1_000_000
STOP_LOSS = 1e-16
N, D, S, ALPHA = 20, 30, 5, 0.01
HB_N, HB_D = 10, 20  # hb_nag paper, full tier
BEST_OF = 3


def matmul_peak(size: int = 1000, reps: int = 5) -> tuple[float, float]:
    """Best observed float64 matrix-multiply rate (flop/s) of one size × size product, by wall-clock and by
    CPU time (the second is what this process gets when it runs; the machine is shared)."""
    a = np.random.default_rng(0).standard_normal((size, size))
    best_wall, best_cpu = np.inf, np.inf
    for _ in range(reps):
        wall, cpu, _ = _timed(lambda: a @ a)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return 2 * size ** 3 / best_wall, 2 * size ** 3 / max(best_cpu, 1e-9)


def flops_per_run_step(n: int, d: int, batch: int | None = None, method: str = "smgd") -> int:
    """Arithmetic of one step of one run. SMGD (eq. (26)), full batch: the product [w₊² − w₋², 1]·[H/4; −Xᵀy/n]
    (2d(d+1)), the update (a₀ + a₁∇L)w + c·w_prev for both signs (10d) and the next θ-row w₊² − w₋² (3d); a
    mini-batch of b samples replaces the product by θX_Bᵀ and the residuals' product with X_B (4bd), the residuals
    (·/4 − y_B)/b (3b). HB/NAG (``momentum_iterates``, n samples): θ = u² − v² (3d), Xθ − y and Xᵀ(·)/n (4nd + n + d),
    ±2u∂L (4d), p = μp − η∇ (6d), w + p (2d); NAG adds the look-ahead w + μp (4d)."""
    if method in ("hb", "nag"):
        return 4 * n * d + n + 16 * d + (4 * d if method == "nag" else 0)
    if batch is None:
        return 2 * d * (d + 1) + 13 * d
    return 4 * batch * d + 3 * batch + 13 * d


def grid() -> tuple[np.ndarray, np.ndarray]:
    """The 20 × 20 (γ, β) grid, flattened."""
    g, b = np.meshgrid(np.geomspace(1e-3, 1e-1, 20), np.linspace(0.0, 0.95, 20), indexing="ij")
    return g.ravel(), b.ravel()


def _timed(fn) -> tuple[float, float, object]:
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def _fixed(batched, single, n_points: int, steps: int, loop_points: int, flops: int, peak_cpu: float) -> dict:
    """``batched()`` (every grid point at once) against ``single(i)`` for ``loop_points`` grid points in a loop,
    ``steps`` steps each; ``flops`` per run and step; rates and the peak bound by CPU time. The batched time is
    the best of ``BEST_OF`` runs, as the matmul peak is a best of several (the same footing on a shared machine)."""
    batched()  # warm-up (numba compile or cache load, first BLAS call)
    times = [_timed(batched)[:2] for _ in range(BEST_OF)]
    wall_b, cpu_b = min(t[0] for t in times), min(t[1] for t in times)
    idx = np.linspace(0, n_points - 1, loop_points).astype(int)
    wall_l, cpu_l, _ = _timed(lambda: [single(i) for i in idx])
    per_step_b, per_point_step_l = wall_b / steps, wall_l / (steps * idx.size)
    work = flops * n_points
    return {"steps_measured": steps, "loop_points": int(idx.size), "runs": n_points, "flops_per_step": work,
            "batched_s": wall_b, "batched_cpu_s": cpu_b, "batched_cpu_us_per_step": 1e6 * cpu_b / steps,
            "loop_s": wall_l, "loop_cpu_s": cpu_l,
            "batched_us_per_step": 1e6 * per_step_b, "loop_us_per_point_step": 1e6 * per_point_step_l,
            "batched_sweep_extrapolated_s": per_step_b * EPOCHS,
            "loop_sweep_extrapolated_s": per_point_step_l * n_points * EPOCHS,
            "speedup": per_point_step_l * n_points / per_step_b,
            "speedup_cpu": (cpu_l / (steps * idx.size)) * n_points / (cpu_b / steps),
            "flop_rate": work / per_step_b, "flop_rate_cpu": work * steps / cpu_b,
            "peak_bound_us": 1e6 * work / peak_cpu, "cpu_over_peak_bound": (cpu_b / steps) / (work / peak_cpu)}


def fixed_work(net, gamma: np.ndarray, beta: np.ndarray, steps: int, loop_points: int, peak_cpu: float,
               batch: int | None = None, **kw) -> dict:
    """smgd: batched grid vs point-by-point loop, ``steps`` steps each, no early stop."""
    w0 = np.full(net.d, ALPHA)
    opts = {"check_every": steps, "stop_change": 1e-300, "track_sums": False, **kw}
    if batch is not None:
        opts["batch_size"] = batch
    fresh = lambda: {**opts, "rng": np.random.default_rng(1)} if "sampling" in opts else opts  # noqa: E731
    return _fixed(lambda: smgd(net, w0, w0, gamma, beta, steps, **fresh()),
                  lambda i: smgd(net, w0, w0, gamma[i], beta[i], steps, **fresh()),
                  gamma.size, steps, loop_points, flops_per_run_step(net.n, net.d, batch), peak_cpu)


def hb_nag_work(seed: int, method: str, steps: int, loop_points: int, peak_cpu: float, gd: bool = False) -> dict:
    """momentum_iterates (HB/NAG, eq. 2/3 of the hb_nag paper; μ = 0: GD) on a 20 × 20 (η, μ) grid at that
    paper's full-tier size, batched over a leading grid axis against point by point (end point recorded only)."""
    X, y, _ = sparse_instance(np.random.default_rng(seed), HB_N, HB_D, 2)
    net = SquareNet(X, y)
    e, m = np.meshgrid(np.geomspace(1e-3, 1e-2, 20), np.linspace(0.0, 0.9, 20), indexing="ij")
    eta, mu = e.ravel(), (np.zeros(e.size) if gd else m.ravel())
    u0 = np.full((eta.size, HB_D), 0.3)
    v0 = u0 + 0.2 * np.random.default_rng(seed + 1).standard_normal(HB_D)
    return _fixed(lambda: momentum_iterates(net, u0, v0, eta[:, None], mu[:, None], steps, method=method,
                                            record_every=steps),
                  lambda i: momentum_iterates(net, u0[i], v0[i], eta[i], mu[i], steps, method=method,
                                              record_every=steps),
                  eta.size, steps, loop_points, flops_per_run_step(HB_N, HB_D, method=method), peak_cpu)


def numpy_reference_step(net, gamma: np.ndarray, beta: np.ndarray, steps: int) -> None:
    """The former numpy step of ``smgd`` (full batch, no sums): one product and a dozen element-wise passes
    over (2, G, d) buffers per step; the side-by-side reference of the fused kernel."""
    from numerics.generated.momentum_discrete import smgd_step_coefficients

    G, d = gamma.size, net.d
    W = np.full((2, G, d), ALPHA)
    Wp, T, A = W.copy(), np.empty_like(W), np.empty_like(W)
    a0, a1, c = (np.ascontiguousarray(np.broadcast_to(x, (2, G, d))) for x in smgd_step_coefficients(
        gamma[None, :, None], beta[None, :, None], np.array([1.0, -1.0]).reshape(2, 1, 1)))
    H = np.vstack([net.X.T @ net.X / (4 * net.n), -(net.X.T @ net.y) / net.n])
    th, grad = np.ones((G, d + 1)), np.empty((G, d))
    sb, sb_new, flip = np.signbit(W), np.empty(W.shape, bool), np.empty(W.shape, bool)
    for _ in range(steps):
        np.multiply(W, W, out=T)
        np.subtract(T[0], T[1], out=th[:, :d])
        np.matmul(th, H, out=grad)
        np.multiply(a1, grad, out=A)
        np.add(A, a0, out=A)
        np.multiply(A, W, out=A)
        np.multiply(Wp, c, out=Wp)
        np.add(A, Wp, out=Wp)
        np.signbit(Wp, out=sb_new)
        np.not_equal(sb_new, sb, out=flip)
        flip.any()
        Wp.all()
        sb, sb_new = sb_new, sb
        W, Wp = Wp, W


def step_comparison(net, gamma: np.ndarray, beta: np.ndarray, steps: int, peak_cpu: float) -> dict:
    """The former numpy step against the fused kernel, side by side (full batch, no sums, no early stop)."""
    w0 = np.full(net.d, ALPHA)
    smgd(net, w0, w0, gamma, beta, 10)
    _, cpu_np, _ = _timed(lambda: numpy_reference_step(net, gamma, beta, steps))
    _, cpu_k, _ = _timed(lambda: smgd(net, w0, w0, gamma, beta, steps, check_every=steps, stop_change=1e-300,
                                      track_sums=False))
    work = flops_per_run_step(N, D) * gamma.size
    return {"steps": steps, "numpy_cpu_us": 1e6 * cpu_np / steps, "kernel_cpu_us": 1e6 * cpu_k / steps,
            "ratio": cpu_np / cpu_k, "peak_bound_us": 1e6 * work / peak_cpu}


def full_sweep(net, gamma: np.ndarray, beta: np.ndarray, peak: float, peak_cpu: float) -> dict:
    """The whole sweep, batched, up to 10⁶ epochs with early stopping (loss <= STOP_LOSS or stagnation)."""
    w0 = np.full(net.d, ALPHA)
    wall, cpu, run = _timed(lambda: smgd(net, w0, w0, gamma, beta, EPOCHS, track_sums=False, stop_loss=STOP_LOSS))
    steps = np.where(run.converged_at >= 0, run.converged_at, run.steps)
    diverged = ~np.all(np.isfinite(run.wp) & np.isfinite(run.wm), axis=-1)
    flops = float(flops_per_run_step(N, D) * steps.sum())
    ok = (run.converged_at >= 0) & ~diverged
    return {"wall_s": wall, "cpu_s": cpu, "runs": int(gamma.size), "converged": int(ok.sum()),
            "diverged": int(diverged.sum()), "not_converged": int(np.sum((run.converged_at < 0) & ~diverged)),
            "steps_max": int(run.steps),
            "converged_at_median": float(np.median(run.converged_at[ok])) if ok.any() else None,
            "run_steps_total": int(steps.sum()), "run_steps_if_no_early_stop": int(gamma.size * EPOCHS),
            "last_relative_change_max": float(np.max(run.last_change[ok])) if ok.any() else None,
            "train_loss_max_converged": float(np.max(run.train_loss[ok])) if ok.any() else None,
            "flops": flops, "flop_rate": flops / wall, "flop_rate_cpu": flops / cpu, "peak_bound_s": flops / peak,
            "peak_bound_cpu_s": flops / peak_cpu,
            "sign_changing_runs": int(np.sum(run.sign_changed)),
            "train_loss_below_1e-8": int(np.sum(run.train_loss <= 1e-8)),
            "train_loss_max": (float(np.nanmax(np.where(diverged, np.nan, run.train_loss)))
                               if not diverged.all() else None)}


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and return its measurements (see :func:`markdown`)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=3000, help="steps of the fixed-work comparison")
    p.add_argument("--loop-points", type=int, default=8, help="grid points run point by point")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-full", action="store_true", help="skip the whole 10⁶-epoch sweep")
    p.add_argument("--no-variants", action="store_true", help="skip GD and mini-batch SMGD")
    args = p.parse_args(argv)
    data = sparse_regression(np.random.default_rng(args.seed), N, D, S)
    net = data.network()
    gamma, beta = grid()
    peak, peak_cpu = matmul_peak()
    out: dict = {"setting": {"grid": "20 x 20", "n": N, "d": D, "s": S, "alpha": ALPHA, "epochs": EPOCHS,
                             "gamma": [float(gamma.min()), float(gamma.max())],
                             "beta": [float(beta.min()), float(beta.max())], "seed": args.seed,
                             "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                             "load_average": os.getloadavg()},
                 "matmul_peak_flops": peak, "matmul_peak_flops_cpu": peak_cpu}
    out["mgd_fixed"] = fixed_work(net, gamma, beta, args.steps, args.loop_points, peak_cpu)
    if not args.no_variants:
        out["gd_fixed"] = fixed_work(net, gamma, np.zeros_like(beta), args.steps, args.loop_points, peak_cpu)
        for name in ("with_replacement", "without_replacement"):
            out[f"smgd_{name}_fixed"] = fixed_work(net, gamma, beta, args.steps, args.loop_points, peak_cpu,
                                                   batch=N // 2, sampling=name)
        for method in ("hb", "nag"):
            out[f"{method}_fixed"] = hb_nag_work(args.seed, method, args.steps, args.loop_points, peak_cpu)
        out["hb_gd_fixed"] = hb_nag_work(args.seed, "hb", args.steps, args.loop_points, peak_cpu, gd=True)
    out["step_comparison"] = step_comparison(net, gamma, beta, min(args.steps, 1000), peak_cpu)
    if not args.no_full:
        out["mgd_full_sweep"] = full_sweep(net, gamma, beta, peak, peak_cpu)
    out["load_average_end"] = os.getloadavg()
    return out


def markdown(result: dict) -> str:
    """A section for BENCHMARKS.md."""
    st, peak, peak_cpu = result["setting"], result["matmul_peak_flops"], result["matmul_peak_flops_cpu"]
    lines = [
        "## Batched iterations: MGD/SMGD/GD (Figure 4 grid) and HB/NAG/GD "
        "(`benchmarks/bench_mgd_sweep.py`, issues 4 and 9)",
        "",
        f"{st['grid']} grid of (γ, β), γ ∈ [{st['gamma'][0]:g}, {st['gamma'][1]:g}] (log), β ∈ [{st['beta'][0]:g}, "
        f"{st['beta'][1]:g}], (n, d, s) = ({st['n']}, {st['d']}, {st['s']}), α = {st['alpha']}, seed {st['seed']}; "
        f"float64, OPENBLAS_NUM_THREADS={st['OPENBLAS_NUM_THREADS']}. Load average at start "
        f"{', '.join(f'{x:.1f}' for x in st['load_average'])}, at end "
        f"{', '.join(f'{x:.1f}' for x in result['load_average_end'])}: the 2 cores are shared with other jobs, so wall "
        f"times are inflated; CPU times (what this process got) are given beside them, and each ratio comes from "
        f"one run, side by side. Matrix-multiply peak (one 1000 × 1000 product, best of 5): "
        f"{peak / 1e9:.1f} Gflop/s by wall clock, {peak_cpu / 1e9:.1f} Gflop/s by CPU time.",
        "",
        "Fixed work (no early stopping), each iteration on its paper-size grid: the momentum_dln iterations (smgd, "
        "fused numba kernel) on the 400-run Figure 4 grid, (n, d) = (20, 30); HB/NAG/GD of the hb_nag paper "
        "(momentum_iterates, fused numba kernel) on a 20 × 20 (η, μ) grid, η ∈ [1e-3, 1e-2] (log), μ ∈ [0, 0.9], "
        "(n, d) = (10, 20). "
        "Flops per run and step as counted in `flops_per_run_step` (products 2 flop per multiply-add, each "
        "element-wise arithmetic operation 1 flop); peak bound = flops / CPU matmul peak; target: CPU time ≤ 3× "
        "the peak bound.",
        "",
        "| iteration | flop/step (grid) | batched µs/step, wall (CPU) | peak-bound µs | CPU / peak-bound | within 3× | "
        "Gflop/s by CPU time | loop µs/step, 1 run | speed-up vs loop, wall (CPU) | "
        "sweep of 10⁶ steps, batched / loop (extrap.) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in (("mgd_fixed", "MGD (full batch)"), ("gd_fixed", "GD (β = 0)"),
                        ("smgd_with_replacement_fixed", "SMGD, batch n/2, with replacement"),
                        ("smgd_without_replacement_fixed", "SMGD, batch n/2, without replacement"),
                        ("hb_fixed", "HB (hb_nag)"), ("nag_fixed", "NAG (hb_nag)"),
                        ("hb_gd_fixed", "GD (hb_nag, μ = 0)")):
        if name not in result:
            continue
        r = result[name]
        ok = "yes" if r["cpu_over_peak_bound"] <= 3 else "no"
        lines.append(f"| {label} | {r['flops_per_step']:.3g} | {r['batched_us_per_step']:.0f} "
                     f"({r['batched_cpu_us_per_step']:.0f}) | {r['peak_bound_us']:.1f} | "
                     f"{r['cpu_over_peak_bound']:.1f}× | {ok} | {r['flop_rate_cpu'] / 1e9:.2f} | "
                     f"{r['loop_us_per_point_step']:.1f} | {r['speedup']:.0f}× ({r['speedup_cpu']:.0f}×) | "
                     f"{r['batched_sweep_extrapolated_s'] / 60:.1f} min / "
                     f"{r['loop_sweep_extrapolated_s'] / 3600:.1f} h |")
    mf = result["mgd_fixed"]
    lines += ["", f"({mf['steps_measured']} steps measured, batched: best of {BEST_OF} runs; the loop ran "
                  f"{mf['loop_points']} grid points.)"]
    if "step_comparison" in result:
        c = result["step_comparison"]
        lines += ["", "The former numpy step of smgd (one product and a dozen element-wise numpy passes per step; "
                      "kept in the benchmark as the reference) beside the fused kernel, MGD full batch on the "
                      "Figure 4 grid, "
                      f"{c['steps']} steps, side by side:", "",
                  "| numpy step µs (CPU) | fused kernel µs (CPU) | numpy / kernel | peak-bound µs |",
                  "|---|---|---|---|",
                  f"| {c['numpy_cpu_us']:.0f} | {c['kernel_cpu_us']:.0f} | {c['ratio']:.2f}× | "
                  f"{c['peak_bound_us']:.1f} |"]
    if "mgd_full_sweep" in result:
        f = result["mgd_full_sweep"]
        med = f["converged_at_median"]
        lines += [
            "",
            "The whole MGD sweep, batched, run to the end (10⁶ epochs at most; a run stops once its train loss is "
            "≤ 1e-16 or its iterates have stagnated at machine precision):",
            "",
            "| wall | CPU | runs converged / diverged / not converged | median stopping step | run-steps done / "
            "without early stop | Gflop/s by CPU time | peak-bound time (CPU peak) | CPU time / peak-bound |",
            "|---|---|---|---|---|---|---|---|",
            f"| {f['wall_s']:.0f} s | {f['cpu_s']:.0f} s | {f['converged']} / {f['diverged']} / {f['not_converged']} | "
            f"{'-' if med is None else f'{med:.0f}'} | {f['run_steps_total']:.2e} / "
            f"{f['run_steps_if_no_early_stop']:.1e} | {f['flop_rate_cpu'] / 1e9:.2f} | "
            f"{f['peak_bound_cpu_s']:.1f} s | {f['cpu_s'] / f['peak_bound_cpu_s']:.1f}× |",
        ]
        if f["last_relative_change_max"] is not None:
            lines += ["", f"Converged runs stopped with a last relative change ≤ "
                          f"{f['last_relative_change_max']:.1e} per step and train loss ≤ "
                          f"{f['train_loss_max_converged']:.1e}; {f['sign_changing_runs']} runs "
                          f"changed sign."]
        if f.get("train_loss_max") is not None:
            lines += ["", f"At the end, {f['train_loss_below_1e-8']} of {f['runs']} runs have train loss ≤ 1e-8 (the "
                          f"paper's criterion); the largest train loss is {f['train_loss_max']:.1e}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(main()))
