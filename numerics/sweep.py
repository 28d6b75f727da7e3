"""One runner for parameter sweeps: local processes by default, a Dask distributed cluster when given one.

:func:`run_sweep` maps a picklable function over parameter points and returns the results in the order of the
points, whatever runs them:

- ``executor=None`` (default): a local :class:`concurrent.futures.ProcessPoolExecutor` with ``workers`` processes;
- ``executor="serial"``: in this process, one point after the other (for debugging and timing baselines);
- a :class:`concurrent.futures.Executor` (process or thread pool) the caller owns;
- a ``dask.distributed.Client``, or the address of a Dask scheduler (``"tcp://host:8786"``), to which the
  points are submitted as tasks (a client made from an address is closed at the end).

The sweep's code (``fn`` and ``points``) does not change between these. ``chunksize`` points go to a worker as
one task, which amortises the per-task cost when points are cheap. A point whose evaluation raises stops the
sweep with :class:`SweepError` naming the point.

>>> run_sweep(abs, [-2, 3, -1], executor="serial")
[2, 3, 1]
"""
from __future__ import annotations

import os
import pickle
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Sequence, TypeVar

P = TypeVar("P")
R = TypeVar("R")

#: The accepted kinds of ``executor``, for error messages.
EXECUTORS = ("None (local processes)", "'serial'", "a concurrent.futures.Executor",
             "a dask.distributed.Client", "a Dask scheduler address 'tcp://host:port'")


class SweepError(RuntimeError):
    """The evaluation of one point raised; ``index`` and ``point`` say which (the cause is chained)."""

    def __init__(self, index: int, point: Any, cause: BaseException) -> None:
        super().__init__(f"sweep point {index} ({point!r}) raised {type(cause).__name__}: {cause}")
        self.index, self.point = index, point


def _apply_chunk(fn: Callable[[P], R], chunk: Sequence[P], start: int) -> list[tuple[bool, Any]]:
    """Evaluate ``fn`` on a chunk; each entry is (True, result) or (False, (index, exception))."""
    out: list[tuple[bool, Any]] = []
    for i, p in enumerate(chunk):
        try:
            out.append((True, fn(p)))
        except Exception as exc:  # reported with its point by the caller, never swallowed
            out.append((False, (start + i, exc)))
    return out


def _chunks(points: list[Any], size: int) -> list[tuple[list[Any], int]]:
    return [(points[i:i + size], i) for i in range(0, len(points), size)]


def _is_dask_client(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "distributed" and hasattr(obj, "map") and hasattr(obj, "gather")


def _validate(fn: Any, points: Any, workers: int | None, chunksize: int) -> list[Any]:
    if not callable(fn):
        raise ValueError(f"fn must be a callable taking one point, got {type(fn).__name__}")
    if isinstance(points, (str, bytes)) or not isinstance(points, Iterable):
        raise ValueError(f"points must be an iterable of parameter points (list, tuple, array), "
                         f"got {type(points).__name__}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1 or None (= number of cores), got {workers!r}")
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be an integer >= 1, got {chunksize!r}")
    return list(points)


def _require_picklable(fn: Any) -> None:
    try:
        pickle.dumps(fn)
    except Exception as exc:
        raise ValueError(f"fn must be picklable to run in other processes (a module-level function or a "
                         f"functools.partial of one), got {fn!r}: {exc}") from None


def _collect(parts: Iterable[list[tuple[bool, Any]]], points: list[Any]) -> list[Any]:
    results: list[Any] = []
    for part in parts:
        for ok, value in part:
            if not ok:
                index, exc = value
                raise SweepError(index, points[index], exc) from exc
            results.append(value)
    return results


def run_sweep(fn: Callable[[P], R], points: Iterable[P], *, executor: Any = None, workers: int | None = None,
              chunksize: int = 1) -> list[R]:
    """``[fn(p) for p in points]``, evaluated by ``executor`` (see the module docstring), in the points' order.

    ``workers`` sets the number of local processes when ``executor`` is None (default: the machine's cores).
    Raises ValueError for bad arguments (an unpicklable ``fn`` for another process included) and
    :class:`SweepError` when a point's evaluation raises.
    """
    pts = _validate(fn, points, workers, chunksize)
    if not pts:
        return []
    chunks = _chunks(pts, chunksize)
    if isinstance(executor, str) and executor == "serial":
        if workers is not None:
            raise ValueError("workers applies to the default local process pool only, not to executor='serial'")
        return _collect((_apply_chunk(fn, c, s) for c, s in chunks), pts)
    if executor is None:
        _require_picklable(fn)
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            return _run_executor(pool, fn, chunks, pts)
    if workers is not None:
        raise ValueError("workers applies to the default local process pool only; size the given executor instead")
    if isinstance(executor, Executor):
        if isinstance(executor, ProcessPoolExecutor):
            _require_picklable(fn)
        return _run_executor(executor, fn, chunks, pts)
    if isinstance(executor, str) and executor.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        _require_picklable(fn)
        from distributed import Client

        with Client(executor) as client:
            return _run_dask(client, fn, chunks, pts)
    if _is_dask_client(executor):
        return _run_dask(executor, fn, chunks, pts)
    raise ValueError(f"executor must be one of: {', '.join(EXECUTORS)}; got {executor!r}")


def _run_executor(pool: Executor, fn: Callable, chunks: list[tuple[list[Any], int]], pts: list[Any]) -> list[Any]:
    futures = [pool.submit(_apply_chunk, fn, c, s) for c, s in chunks]
    return _collect((f.result() for f in futures), pts)


def _run_dask(client: Any, fn: Callable, chunks: list[tuple[list[Any], int]], pts: list[Any]) -> list[Any]:
    futures = client.map(_apply_chunk, [fn] * len(chunks), [c for c, _ in chunks], [s for _, s in chunks],
                         pure=False)
    return _collect(client.gather(futures), pts)
