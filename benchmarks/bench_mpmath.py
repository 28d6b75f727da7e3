"""Cost of the project's high-precision (mpmath) references against the working precision.

Two trajectories the claims compute in mpmath, each at several digit counts, one after the other in one run:

- ``mgd``: the momentum_dln App. D identities' trajectory (``numerics.momentum_discrete.smgd_trajectory_mp``,
  eq. (26)): the two full-tier instances of ``identity_instances`` (n = 3, d = 4), 150 steps each, at 20, 30,
  50 and 100 digits (the function refuses fewer than 20 digits, so 20 stands in for 15; best of 3);
- ``ssd``: the sign_descent Prop. 3.6 Taylor-series ODE solve (``numerics.sign_descent.ssd_mp_primal_and_dual``,
  primal (12) and dual (14) systems, n = 1, d = 2, up to t = 0.2, as in the full tier) at 15, 30 and 50 digits,
  and 100 with ``--long`` (estimated at ≥ 10 min from the growth), beside the float64 solve (LSODA at the
  project's tolerances, with its error-estimate solve) of the same problem.

Each row gives the CPU time of this process (``time.process_time``: the machines are shared, and a
single-threaded solve's CPU time does not grow with the other jobs' load as its wall time does), the ratio to the
lowest precision, and the agreement with the most precise run (how many digits the cheaper run actually delivers).

    .venv/bin/python -m benchmarks mpmath [--long]
"""
from __future__ import annotations

import time
from typing import Any

import mpmath
import numpy as np

TITLE = "High-precision reference (mpmath) against digits"
MGD_DPS = (20, 30, 50, 100)
SSD_DPS = (15, 30, 50)
SSD_LONG = SSD_DPS + (100,)
SSD_TIMES = (0.05, 0.2)
REPEATS = 3


def _max_diff(a: list[list[Any]], b: list[list[Any]]) -> float:
    with mpmath.workdps(120):
        return float(max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb)))


def mgd_rows() -> list[dict[str, Any]]:
    from checks.papers.momentum_dln.instances import IDENTITY_SIZES, identity_instances
    from numerics.momentum_discrete import smgd_trajectory_mp

    insts = identity_instances(0)
    steps = IDENTITY_SIZES["full"].steps
    data, wp0, wm0, g, b = insts[0]
    smgd_trajectory_mp(data.X, data.y, wp0, wm0, g, b, steps, dps=MGD_DPS[0])  # warm-up (imports, caches), not timed
    runs = []
    for dps in MGD_DPS:
        best = np.inf
        for _ in range(REPEATS):  # a fraction of a second each: best of a few
            t = time.process_time()
            trs = [smgd_trajectory_mp(data.X, data.y, wp0, wm0, g, b, steps, dps=dps)
                   for data, wp0, wm0, g, b in insts]
            best = min(best, time.process_time() - t)
        runs.append({"dps": dps, "seconds": best, "end": [tr.wp[-1] + tr.wm[-1] for tr in trs]})
        print(f"    mpmath: MGD at {dps} digits: {runs[-1]['seconds']:.2f} s", flush=True)
    _agreement(runs)
    return runs


def ssd_rows(long: bool) -> tuple[list[dict[str, Any]], float]:
    from checks.context import Context
    from checks.papers.sign_descent.instances import make_instance
    from numerics import sign_descent as N

    prop3_6 = Context(seed=0, tier="full", claim="sign_descent.prop3-6")
    small = make_instance(prop3_6.stream_seed("mp"), 1, 2, pairs=True)  # Prop. 3.6's mpmath instance
    t = time.process_time()
    N.solve_ssd(small.data, small.alpha, small.eps, np.array((0.0,) + SSD_TIMES))
    float64 = time.process_time() - t
    runs = []
    for dps in SSD_LONG if long else SSD_DPS:
        t = time.process_time()
        bp, bd = N.ssd_mp_primal_and_dual(small.data, small.alpha, small.eps, list(SSD_TIMES), dps)
        runs.append({"dps": dps, "seconds": time.process_time() - t, "end": bp})
        print(f"    mpmath: sign flow at {dps} digits: {runs[-1]['seconds']:.2f} s", flush=True)
    _agreement(runs)
    return runs, float64


def _agreement(runs: list[dict[str, Any]]) -> None:
    """Replace each run's end values by their largest difference to the most precise run's (None for that one)."""
    best = runs[-1]["end"]
    for r in runs:
        end = r.pop("end")
        r["agreement"] = None if r is runs[-1] else _max_diff(end, best)


def growth(runs: list[dict[str, Any]]) -> float:
    """Least-squares exponent p of time ∝ digits^p."""
    return float(np.polyfit(np.log([r["dps"] for r in runs]), np.log([r["seconds"] for r in runs]), 1)[0])


def main(long: bool = False) -> dict[str, Any]:
    mgd = mgd_rows()
    ssd, float64 = ssd_rows(long)
    return {"mgd": mgd, "ssd": ssd, "ssd_float64": float64}


def _table(runs: list[dict[str, Any]]) -> list[str]:
    base = runs[0]["seconds"]
    out = ["| digits | CPU s | ratio to " + f"{runs[0]['dps']} digits | agreement with {runs[-1]['dps']} digits |",
           "|---|---|---|---|"]
    for r in runs:
        agree = "(reference)" if r["agreement"] is None else f"{r['agreement']:.1e}"
        out.append(f"| {r['dps']} | {r['seconds']:.2f} | {r['seconds'] / base:.2f} | {agree} |")
    return out


def markdown(res: dict[str, Any]) -> str:
    mgd, ssd = res["mgd"], res["ssd"]
    out = ["**MGD iterates** (momentum_dln App. D identities, full tier: two instances n = 3, d = 4, 150 steps of "
           "eq. (26); 20 digits is the lowest the function accepts):", ""]
    out += _table(mgd)
    out += ["", f"Time grows as digits^{growth(mgd):.2f}: mpmath's per-operation overhead dominates, so 100 digits "
            f"cost {mgd[-1]['seconds'] / mgd[0]['seconds']:.1f}× 20 digits.", "",
            "**Sign-flow Taylor ODE** (sign_descent Prop. 3.6, full tier: primal and dual systems, n = 1, d = 2, "
            f"t ≤ {SSD_TIMES[-1]}; mpmath.odefun):", ""]
    out += _table(ssd)
    g = growth(ssd)
    est = ssd[-1]["seconds"] * (100 / ssd[-1]["dps"]) ** g
    out += ["", f"float64 solve of the same problem (`solve_ssd` at its defaults, with its error-estimate solve): "
            f"{res['ssd_float64']:.3f} s, i.e. the 15-digit Taylor solve costs "
            f"{ssd[0]['seconds'] / res['ssd_float64']:.0f}× it. Time grows as digits^{g:.2f} (the Taylor degree and "
            "the number of steps both grow with the digits)"
            + ("." if ssd[-1]["dps"] >= 100 else f"; 100 digits would take about {est / 60:.0f} min "
               "(not run; `--long` runs it).")]
    return "\n".join(out)
