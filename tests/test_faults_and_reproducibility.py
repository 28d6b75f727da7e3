"""Faults never read as CONFIRMED, bad input is rejected clearly, and runs are reproducible."""
from __future__ import annotations

import json

import numpy as np
import pytest

import numerics.flow as flow
import numerics.integrate as integrate
from checks.context import Context, stream_rng, stream_seed
from checks.papers.momentum_dln import discretisation_experiments as M
from checks.papers.momentum_dln.instances import DISCRETISATION_SIZES, Problem, dln_problem
from checks.registry import Claim
from checks.report import to_json
from checks.runner import run_claim, run_claims
from checks.verdict import Result, Verdict
from numerics.data import random_quadratic, sparse_regression
from numerics.iterations import gd, mgd
from numerics.losses import DiagonalNetwork, Quadratic


def _claim(fn) -> Claim:
    return Claim(id="momentum_dln.fake", paper="momentum_dln", section="0", keys=(), statement="s",
                 kind="identity", tier="quick", check=fn)


def test_a_crashing_check_is_inconclusive(ctx):
    def boom(_ctx):
        raise RuntimeError("solver exploded")
    row = run_claim(_claim(boom), ctx)
    assert row.result.verdict is Verdict.INCONCLUSIVE and "solver exploded" in row.result.summary


def test_a_check_returning_garbage_is_inconclusive(ctx):
    row = run_claim(_claim(lambda _c: "CONFIRMED"), ctx)
    assert row.result.verdict is Verdict.INCONCLUSIVE


def test_a_check_over_its_time_budget_is_inconclusive():
    import time

    def slow(_ctx):
        time.sleep(0.05)
        return Result(Verdict.CONFIRMED, "fine")
    row = run_claim(_claim(slow), Context(time_budget=0.01))
    assert row.result.verdict is Verdict.INCONCLUSIVE and "time budget" in row.result.summary


def fault_problem(ctx: Context) -> Problem:
    """The diagonal network of the discretisation checks, from the test's own stream "fault"."""
    return dln_problem(stream_rng(ctx.seed, "fault"), stream_seed(ctx.seed, "fault"), DISCRETISATION_SIZES.of(ctx))


def test_a_failing_solver_makes_the_check_inconclusive(ctx, monkeypatch):
    class Failed:
        success, message, nfev = False, "Required step size is less than spacing between numbers.", 7
        y = np.zeros((1, 1))

    monkeypatch.setattr(flow, "solve_ivp", lambda *a, **k: Failed())
    p = fault_problem(ctx)
    sol = integrate.solve_mgf(p.grad, p.w0, None, 1.0, np.linspace(0, 1, 3))
    assert not sol.success and "step size" in sol.message and sol.error_estimate == float("inf")
    row = run_claim(_claim(lambda c: M.check_mgd_follows_mgf(fault_problem(c))), ctx)
    assert row.result.verdict is Verdict.INCONCLUSIVE and "reference solve failed" in row.result.summary


def test_an_inaccurate_reference_is_inconclusive(ctx, monkeypatch):
    """If the reference's own error estimate is comparable to what is measured, the check must not decide."""
    real = M.mgf_reference
    monkeypatch.setattr(M, "mgf_reference", lambda *a, **k: (real(*a, **k)[0], 1.0))
    assert M.check_mgd_follows_mgf(fault_problem(ctx)).verdict is Verdict.INCONCLUSIVE


@pytest.mark.parametrize("call, word", [
    (lambda: mgd(lambda w: w, [1.0], [1.0], 0.1, 1.0, 5), "beta"),
    (lambda: mgd(lambda w: w, [1.0], [1.0], 0.1, -0.1, 5), "beta"),
    (lambda: mgd(lambda w: w, [1.0], [1.0], 0.0, 0.5, 5), "gamma"),
    (lambda: mgd(lambda w: w, [1.0], [1.0], float("nan"), 0.5, 5), "gamma"),
    (lambda: mgd(lambda w: w, [1.0], [1.0, 2.0], 0.1, 0.5, 5), "same shape"),
    (lambda: mgd(lambda w: w, [np.inf], [1.0], 0.1, 0.5, 5), "finite"),
    (lambda: mgd(lambda w: w, [1.0], [1.0], 0.1, 0.5, 0), "steps"),
    (lambda: gd(lambda w: w, [1.0], -1.0, 5), "gamma"),
    (lambda: integrate.solve_mgf(lambda w: w, np.ones(2), None, -1.0, np.linspace(0, 1, 3)), "lam"),
    (lambda: integrate.solve_mgf(lambda w: w, np.ones(2), np.ones(3), 1.0, np.linspace(0, 1, 3)), "same shape"),
    (lambda: integrate.solve_mgf(lambda w: w, np.ones(2), None, 1.0, np.array([1.0, 0.0])), "t_eval"),
    (lambda: DiagonalNetwork(np.ones((3, 2)), np.ones(4)), "rows"),
    (lambda: Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros(2)), "symmetric"),
    (lambda: sparse_regression(np.random.default_rng(0), 5, 4, 6), "sparsity"),
    (lambda: random_quadratic(np.random.default_rng(0), 2, 1.0, 0.1), "h_min"),
])
def test_bad_input_is_rejected_with_a_clear_message(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def _strip_times(doc: dict) -> dict:
    for c in doc["claims"]:
        c.pop("seconds")
    return doc


def test_two_runs_with_one_seed_give_identical_reports(registry):
    ids = ["momentum_dln.prop1.convergence", "momentum_dln.sec2.acceleration_speedup", "momentum_dln.footnote1"]
    ctx = Context(seed=11)
    first = _strip_times(json.loads(to_json(run_claims([registry[i] for i in ids], ctx), ctx)))
    second = _strip_times(json.loads(to_json(run_claims([registry[i] for i in ids], ctx), ctx)))
    assert first == second
    assert first["run"]["seed"] == 11 and first["run"]["dps"] == 50 and first["run"]["python"]


def test_parallel_runs_match_serial_runs(registry):
    ids = ["momentum_dln.prop1.convergence", "momentum_dln.fig1.speed", "momentum_dln.eq2"]
    ctx = Context(seed=5)
    serial = _strip_times(json.loads(to_json(run_claims([registry[i] for i in ids], ctx), ctx)))
    parallel = _strip_times(json.loads(to_json(run_claims([registry[i] for i in ids], ctx, jobs=2), ctx)))
    assert serial == parallel


def test_jobs_start_the_longest_module_first(registry, tmp_path):
    """--jobs hands out process groups (a paper and its modules' GROUP) longest first by the recorded timings;
    without a record, by size; a missing or unreadable timings file is no record (scheduling only, verdicts do not
    depend on it)."""
    from checks.runner import expected_seconds, group_of, process_groups

    claims = list(registry.values())
    groups = {group_of(c) for c in claims}
    small = min(groups, key=lambda g: sum(group_of(c) == g for c in claims))
    slow = {c.id: 1000.0 if group_of(c) == small else 0.1 for c in claims}
    assert group_of(process_groups(claims, "full", slow)[0][0]) == small
    sizes = [len(g) for g in process_groups(claims, "full", {})]
    assert sizes == sorted(sizes, reverse=True)
    assert expected_seconds("full", tmp_path / "absent.json") == {}
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    assert expected_seconds("full", bad) == {}
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"full": {"a.b": 2.5}}), encoding="utf-8")
    assert expected_seconds("full", good) == {"a.b": 2.5} and expected_seconds("quick", good) == {}


MACHINE_SENSITIVE = ["momentum_dln.eq18", "momentum_dln.eq19", "momentum_dln.eq20*", "momentum_dln.lemma1",
                     "matrix_factorization.eq11", "hb_nag.theorem3"]


def test_verdicts_do_not_depend_on_the_blas_thread_count(tmp_path):
    """The same claims with one and with two BLAS threads (rounding-level differences in every matrix product)
    give the same verdicts; the run records the thread pools it had."""
    import os
    import subprocess
    import sys

    docs = []
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        out = tmp_path / f"t{threads}.json"
        proc = subprocess.run([sys.executable, "-m", "checks", *MACHINE_SENSITIVE, "--format", "json", "--output",
                               str(out)], capture_output=True, text=True, env=env, timeout=900)
        assert proc.returncode == 0, proc.stderr[-2000:]
        docs.append(json.loads(out.read_text()))
    verdicts = [{c["id"]: c["verdict"] for c in d["claims"]} for d in docs]
    assert verdicts[0] == verdicts[1] and len(verdicts[0]) >= 6
    pools = [p for p in docs[1]["run"]["machine"]["thread_pools"] if p["api"] == "blas"]
    assert pools and all(p["threads"] == 2 for p in pools)
    assert docs[0]["run"]["machine"]["cpu"]
