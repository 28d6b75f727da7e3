"""Shared runs: the trajectories, grids and sweeps that several claims read, computed once per process and not
charged to the claim that happens to ask first.

A paper's ``instances.py`` decorates such a run function with :func:`shared_run` (in place of
``functools.lru_cache``): its results are cached per process, and the seconds spent computing them (cache misses;
a shared run computed inside another is counted once, by the outer one) go to a per-process ledger. The runner
(checks.runner.run_claim) subtracts from a claim's seconds what shared runs cost while it ran, so that a claim's
time, and the time budget that may make it INCONCLUSIVE, do not depend on which claims ran before it; the rows
carry the shared seconds separately.
"""
from __future__ import annotations

import contextlib
import functools
import threading
import time
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)

_STATE = threading.local()
_LOCK = threading.Lock()
#: seconds spent computing each shared run in this process (its cache misses, outermost only), by name
LEDGER: dict[str, float] = {}


def _depth() -> int:
    return getattr(_STATE, "depth", 0)


def shared_run(maxsize: int | None = None) -> Callable[[F], F]:
    """Decorator: cache the run function per process (``functools.lru_cache(maxsize)``) and book the time of its
    cache misses in :data:`LEDGER` under its qualified name. The wrapper keeps ``cache_info`` and
    ``cache_clear``."""
    if maxsize is not None and (not isinstance(maxsize, int) or maxsize < 0):
        raise ValueError(f"maxsize must be None or an int >= 0, got {maxsize!r}")

    def decorate(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            misses = cached.cache_info().misses
            _STATE.depth = _depth() + 1
            start = time.perf_counter()
            try:
                return cached(*args, **kwargs)
            finally:
                _STATE.depth -= 1
                if _STATE.depth == 0 and cached.cache_info().misses > misses:
                    with _LOCK:
                        LEDGER[name] = LEDGER.get(name, 0.0) + time.perf_counter() - start

        wrapper.cache_info = cached.cache_info  # type: ignore[attr-defined]
        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


@contextlib.contextmanager
def charged(name: str) -> Iterator[None]:
    """Book the time of the ``with`` block in :data:`LEDGER` under ``name`` (for shared results kept in a
    paper's own table rather than by :func:`shared_run`; outermost only, like :func:`shared_run`)."""
    _STATE.depth = _depth() + 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _STATE.depth -= 1
        if _STATE.depth == 0:
            with _LOCK:
                LEDGER[name] = LEDGER.get(name, 0.0) + time.perf_counter() - start


def shared_seconds() -> float:
    """Seconds spent computing shared runs in this process so far."""
    with _LOCK:
        return float(sum(LEDGER.values()))
