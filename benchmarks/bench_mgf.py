"""MGF(λ) to convergence at the paper's setting: the project's integrator against scipy.integrate.odeint at its defaults.

Issue 3, Performance: (n, d, s) = (20, 30, 5), α = 0.01, seed 0, λ ∈ {1e-5, …, 1}. For each λ: a reference solve
(rtol 1e-12, atol 1e-16: the tightest the project's integrator completes in reasonable time), the project's solve at its
defaults (one solve, no error-estimate solve), and odeint at its defaults on the same right-hand side and the same
horizon (the reference's end time, 400 log-spaced output times so that odeint's default mxstep per interval can suffice).
Reported: wall time, max error of θ∞ and of Δ∞ = |w₊w₋| against the reference, digits gained, time ratio.
Not part of the test suite: run ``.venv/bin/python -m benchmarks.bench_mgf``.
"""
from __future__ import annotations

import sys
import time

import numpy as np
from scipy.integrate import odeint

from checks.papers import momentum_dln_continuous as C
from numerics import momentum_flow as MF

LAMBDAS = (1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)


def _theta_delta(state: np.ndarray, sl: dict[str, slice]) -> tuple[np.ndarray, np.ndarray]:
    p, m = state[sl["p"]], state[sl["m"]]
    return (p * p - m * m) / 4, np.abs(p * m)


def bench_one(lam: float, budget: float = 300.0) -> dict[str, object]:
    """One λ: reference, project and odeint; errors are max-abs over coordinates of θ∞ and Δ∞."""
    data = C.instance(0, C.PAPER)
    u0, v0 = MF.paper_initialisation(C.PAPER.d, C.PAPER.alpha)
    ref = MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, rtol=1e-12, atol=1e-16, second_solve=False, max_seconds=budget)
    t0 = time.perf_counter()
    run = MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, second_solve=False, max_seconds=budget)
    t_proj = time.perf_counter() - t0
    th_ref, dl_ref = _theta_delta(ref.state, ref.slices)
    th, dl = _theta_delta(run.state, run.slices)
    rhs, _, sl = MF._rhs_jac(data.X, data.y, lam, False)
    grid = np.concatenate([[0.0], np.geomspace(min(1e-3, lam), ref.t_end, 400)])
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        ys, info = odeint(lambda s, t: rhs(t, s), run.state0, grid, full_output=True)
    t_ode = time.perf_counter() - t0
    th_o, dl_o = _theta_delta(ys[-1], sl)
    e_proj = max(float(np.max(np.abs(th - th_ref))), float(np.max(np.abs(dl - dl_ref))))
    e_ode = max(float(np.max(np.abs(th_o - th_ref))), float(np.max(np.abs(dl_o - dl_ref))))
    return {"lambda": lam, "ref_ok": ref.success, "t_end": ref.t_end, "proj_ok": run.success, "proj_s": t_proj,
            "proj_err": e_proj, "odeint_msg": info["message"], "odeint_s": t_ode, "odeint_err": e_ode,
            "digits_gained": float(np.log10(max(e_ode, 1e-300) / max(e_proj, 1e-300))),
            "time_ratio": t_proj / t_ode}


def main(lambdas: tuple[float, ...] = LAMBDAS) -> list[dict[str, object]]:
    rows = []
    print("| λ | t_end | project s | project err | odeint s | odeint err | digits gained | time ratio (project/odeint) |")
    print("|---|---|---|---|---|---|---|---|")
    for lam in lambdas:
        r = bench_one(lam)
        rows.append(r)
        note = "" if r["ref_ok"] and r["proj_ok"] else " (reference or project solve failed)"
        print(f"| {lam:g} | {r['t_end']:.3g} | {r['proj_s']:.2f} | {r['proj_err']:.1e} | {r['odeint_s']:.2f} | "
              f"{r['odeint_err']:.1e} | {r['digits_gained']:.1f} | {r['time_ratio']:.2f} |{note} odeint: {r['odeint_msg']}",
              flush=True)
    return rows


if __name__ == "__main__":
    main(tuple(float(a) for a in sys.argv[1:]) or LAMBDAS)
