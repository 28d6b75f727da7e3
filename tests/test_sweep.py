"""numerics.sweep: one sweep, the same results in this process, in local processes and on a local Dask cluster."""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from numerics.hb_nag import SquareNet, momentum_iterates, sparse_instance
from numerics.sweep import SweepError, run_sweep

GRID = [(eta, mu) for eta in (0.01, 0.02, 0.04) for mu in (0.0, 0.5, 0.9)]


def hb_end_point(point: tuple[float, float], steps: int = 200) -> np.ndarray:
    """End point θ of HB on a fixed small instance (a real, picklable sweep function)."""
    eta, mu = point
    X, y, _ = sparse_instance(np.random.default_rng(3), 4, 8, 2)
    u, v = momentum_iterates(SquareNet(X, y), np.full(8, 0.3), np.full(8, 0.3), eta, mu, steps,
                             record_every=steps)
    return u[-1] ** 2 - v[-1] ** 2


def fails_on_three(x: int) -> int:
    if x == 3:
        raise ArithmeticError("three")
    return x


@pytest.fixture(scope="module")
def serial() -> list[np.ndarray]:
    return run_sweep(hb_end_point, GRID, executor="serial")


def test_serial_is_the_plain_loop(serial: list[np.ndarray]) -> None:
    assert all(np.array_equal(a, hb_end_point(p)) for a, p in zip(serial, GRID))


@pytest.mark.parametrize("kwargs", [{"workers": 2}, {"workers": 2, "chunksize": 4}])
def test_local_processes_agree(serial: list[np.ndarray], kwargs: dict) -> None:
    out = run_sweep(hb_end_point, GRID, **kwargs)
    assert len(out) == len(GRID) and all(np.array_equal(a, b) for a, b in zip(out, serial))


def test_given_executor_and_partial(serial: list[np.ndarray]) -> None:
    with ThreadPoolExecutor(2) as pool:
        out = run_sweep(functools.partial(hb_end_point, steps=200), GRID, executor=pool, chunksize=2)
    assert all(np.array_equal(a, b) for a, b in zip(out, serial))


def test_local_dask_cluster_agrees(serial: list[np.ndarray]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        with distributed.Client(cluster) as client:
            by_client = run_sweep(hb_end_point, GRID, executor=client, chunksize=2)
        by_address = run_sweep(hb_end_point, GRID[::-1], executor=cluster.scheduler_address)
    assert all(np.array_equal(a, b) for a, b in zip(by_client, serial))
    assert all(np.array_equal(a, b) for a, b in zip(by_address, serial[::-1]))


@pytest.mark.parametrize("executor", ["serial", None])
def test_a_failing_point_is_named(executor) -> None:
    with pytest.raises(SweepError, match=r"point 3 \(3\) raised ArithmeticError: three") as info:
        run_sweep(fails_on_three, range(6), executor=executor, **({} if executor else {"workers": 2}))
    assert info.value.index == 3 and info.value.point == 3


def test_empty_sweep() -> None:
    assert run_sweep(abs, [], executor="serial") == [] and run_sweep(abs, ()) == []


@pytest.mark.parametrize("args, kwargs, match", [
    ((42, [1]), {}, "fn must be a callable"),
    ((abs, 5), {}, "points must be an iterable"),
    ((abs, "abc"), {}, "points must be an iterable"),
    ((abs, [1]), {"workers": 0}, "workers must be an integer >= 1"),
    ((abs, [1]), {"workers": 1.5}, "workers must be an integer >= 1"),
    ((abs, [1]), {"chunksize": 0}, "chunksize must be an integer >= 1"),
    ((abs, [1]), {"executor": "threads"}, "executor must be one of"),
    ((abs, [1]), {"executor": 3}, "executor must be one of"),
    ((abs, [1]), {"executor": "serial", "workers": 2}, "workers applies to the default"),
    ((lambda x: x, [1]), {"workers": 1}, "fn must be picklable"),
])
def test_bad_input(args, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        run_sweep(*args, **kwargs)


# --- the checks' sweeps go through the runner: the executor is the run's choice, the results are not -------------
def test_context_map_uses_the_runs_executor() -> None:
    from checks.context import Context

    pts = [-3, 1, -2]
    assert Context(sweep="serial").map(abs, pts) == Context(sweep="local", sweep_workers=2).map(abs, pts) == [3, 1, 2]
    for bad, word in (({"sweep": "cluster"}, "sweep must be"), ({"sweep_workers": 0}, "sweep_workers")):
        with pytest.raises(ValueError, match=word):
            Context(**bad)


def test_a_claims_sweep_is_the_same_serial_and_on_processes() -> None:
    """momentum_dln's λ sweep (Figures 3, 8, 9): serial and on two local processes, point for point equal."""
    from checks.context import Context
    from checks.papers.momentum_dln import instances as INS

    got = []
    for kind, workers in (("serial", 1), ("local", 2)):
        INS.SWEPT.clear()
        got.append(INS.sweeps_for(Context(tier="quick", sweep=kind, sweep_workers=workers), (None, 0.0)))
    assert got[0] == got[1] and len(got[0][None]) == 1 + len(INS.MGF_SIZES["quick"].sweep_lambdas)


def test_cli_rejects_a_bad_sweep_executor(capsys) -> None:
    from checks.cli import main

    assert main(["--sweep", "cluster", "momentum_dln.eq2"]) == 2
    assert "--sweep must be" in capsys.readouterr().err
