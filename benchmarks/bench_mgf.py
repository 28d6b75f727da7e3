"""MGF(λ) to convergence at the paper's setting: the project's integrator against scipy.integrate.odeint at its defaults.

Issue 3, Performance: (n, d, s) = (20, 30, 5), α = 0.01, seed 0, λ ∈ {1e-5, …, 1}. Everything runs side by side in one
process, on the same right-hand side (generated from derivations/momentum_flow.py, with its generated Jacobian):

- reference: the tightest LSODA solve the project completes (rtol 1e-13, atol 1e-17 on (w₊, w₋)), cross-checked by an
  independent implementation, scipy's BDF at rtol 1e-12 (the "floor" column: their difference, the level below which
  no error can be measured in float64 here; Radau at such tolerances did not finish in minutes on the 301-state system);
- the project's solve at its defaults (LSODA, rtol 1e-11, stop on an energy event; one solve, no error-estimate solve);
- the same with BDF at the project's tolerances (method comparison, budget METHOD_BUDGET s);
- odeint at its defaults (rtol = atol = 1.49e-8) on the reference's horizon (400 log-spaced output times, so that its
  default mxstep per interval suffices), the paper's tool.

Errors are max-abs over coordinates of θ∞ and Δ∞ = |w₊w₋| against the reference (θ = O(1), so absolute ≈ relative).
Not part of the test suite: ``.venv/bin/python -m benchmarks.bench_mgf [λ ...]`` prints the table (Markdown).
"""
from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from scipy.integrate import odeint

from checks.papers import momentum_dln_continuous as C
from numerics import momentum_flow as MF

LAMBDAS = (1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0)
BUDGET = 300.0
METHOD_BUDGET = 60.0


def _theta_delta(state: np.ndarray, sl: dict[str, slice]) -> tuple[np.ndarray, np.ndarray]:
    p, m = state[sl["p"]], state[sl["m"]]
    return (p * p - m * m) / 4, np.abs(p * m)


def _err(a: np.ndarray, b: np.ndarray, sl: dict[str, slice]) -> float:
    (ta, da), (tb, db) = _theta_delta(a, sl), _theta_delta(b, sl)
    return max(float(np.max(np.abs(ta - tb))), float(np.max(np.abs(da - db))))


def _timed_solve(data: Any, lam: float, budget: float = BUDGET, **kw: Any) -> tuple[MF.MGFRun | None, float]:
    u0, v0 = MF.paper_initialisation(C.PAPER.d, C.PAPER.alpha)
    t0 = time.perf_counter()
    try:
        run = MF.solve_dln_mgf(data.X, data.y, u0, v0, lam, second_solve=False, max_seconds=budget, **kw)
    except ValueError:  # scipy's event location (brentq) can fail when dense output and step disagree
        run = None
    return run, time.perf_counter() - t0


def bench_one(lam: float) -> dict[str, Any]:
    """One λ: reference (and its BDF cross-check), the project at its defaults, BDF at its tolerances, odeint."""
    data = C.instance(0, C.PAPER)
    ref, _ = _timed_solve(data, lam, rtol=1e-13, atol=1e-17)
    if ref is None:  # the tightest solve hit scipy's event-location failure: fall back to rtol 1e-12
        ref, _ = _timed_solve(data, lam, rtol=1e-12, atol=1e-16)
    if ref is None:
        raise RuntimeError(f"no reference solve completed at λ = {lam}")
    check, _ = _timed_solve(data, lam, rtol=1e-12, atol=1e-16, method="BDF", budget=METHOD_BUDGET)
    sl = ref.slices
    row: dict[str, Any] = {"lambda": lam, "t_end": ref.t_end, "ref_ok": ref.success,
                           "check_ok": check is not None and check.success,
                           "floor": _err(ref.state, check.state, sl) if check is not None else float("nan")}
    for name, kw in (("project", {}), ("bdf", {"method": "BDF", "budget": METHOD_BUDGET})):
        run, secs = _timed_solve(data, lam, **kw)
        row[f"{name}_s"], row[f"{name}_ok"] = secs, run is not None and run.success
        row[f"{name}_err"] = _err(run.state, ref.state, sl) if run is not None else float("nan")
    rhs, jac, _ = MF._rhs_jac(data.X, data.y, lam, False)
    grid = np.concatenate([[0.0], np.geomspace(min(1e-3, lam), ref.t_end, 400)])
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        ys, info = odeint(lambda s, t: rhs(t, s), ref.state0, grid, full_output=True)
    row["odeint_s"], row["odeint_msg"] = time.perf_counter() - t0, str(info["message"])
    row["odeint_err"] = _err(ys[-1], ref.state, sl)
    row["digits_gained"] = float(np.log10(max(row["odeint_err"], 1e-300) / max(row["project_err"], 1e-300)))
    row["digits_possible"] = float(np.log10(max(row["odeint_err"], 1e-300) / max(row["floor"], 1e-300)))
    row["time_ratio"] = row["project_s"] / row["odeint_s"]
    return row


def markdown(rows: list[dict[str, Any]]) -> str:
    """The BENCHMARKS.md section for these rows."""
    head = ("| λ | t_end | floor (LSODA 1e-13 vs BDF 1e-12) | odeint s | odeint err | project s | project err | "
            "digits gained | digits measurable | time ratio project/odeint | BDF (project tol) s / err |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        flag = "" if r["ref_ok"] and r["project_ok"] else " (a solve failed or ran out of budget)"
        flag += "" if r["check_ok"] else " (floor: BDF check ran out of budget; its difference is an upper bound)"
        lines.append(f"| {r['lambda']:g} | {r['t_end']:.3g} | {r['floor']:.1e} | {r['odeint_s']:.2f} | "
                     f"{r['odeint_err']:.1e} | {r['project_s']:.2f} | {r['project_err']:.1e} | {r['digits_gained']:.1f} | "
                     f"{r['digits_possible']:.1f} | {r['time_ratio']:.2f} | {r['bdf_s']:.2f} / {r['bdf_err']:.1e}"
                     f"{'' if r['bdf_ok'] else ' (budget)'} |{flag}")
    return ("## MGF to convergence: project vs odeint (paper setting, seed 0)\n\n" + head + "\n".join(lines) + "\n\n"
            "'digits gained' = log10(odeint err / project err); 'digits measurable' = log10(odeint err / floor): no solver "
            "can be shown more accurate than the floor, the disagreement of two independent tight float64 solves.\n")


def main(lambdas: tuple[float, ...] = LAMBDAS) -> list[dict[str, Any]]:
    """Run every λ (printing each row as it completes) and return the rows."""
    rows = []
    for lam in lambdas:
        try:
            rows.append(bench_one(lam))
        except RuntimeError as exc:
            print(f"| {lam:g} | {exc} |", flush=True)
            continue
        print(markdown(rows[-1:]).splitlines()[-3], flush=True)
    print(markdown(rows))
    return rows


if __name__ == "__main__":
    main(tuple(float(a) for a in sys.argv[1:]) or LAMBDAS)
