"""What a check may use: :class:`Context` (seed, tier, precision, time budget, sweep executor, the claim being
checked) and the named random streams every instance is drawn from.

A stream's name is its parts joined by dots, ``<claim id>[.part...]`` for a claim's own data
(:meth:`Context.rng`) and ``<paper>.<what>[.part...]`` for data that several claims share (:func:`stream_rng`);
seeded by the run's seed and the name, the same name gives the same numbers in any process.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np

TIERS = ("quick", "full")
SWEEP_KINDS = ("serial", "local")
DASK_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://")


def stream_name(*parts: object) -> str:
    """The name of a random stream: its parts joined by dots (``stream_name("hb_nag.instance", "quick", True)``)."""
    if not parts:
        raise ValueError("a random stream needs a name: give at least one part")
    return ".".join(str(p) for p in parts)


def stream_seed(seed: int, *parts: object) -> list[int]:
    """The seed sequence of the stream named by ``parts`` under the run's ``seed`` (report rows quote it)."""
    return [int(seed), zlib.crc32(stream_name(*parts).encode())]


def stream_rng(seed: int, *parts: object) -> np.random.Generator:
    """A generator for the stream named by ``parts`` under the run's ``seed``: reproducible in any process."""
    return np.random.default_rng(stream_seed(seed, *parts))


@dataclass(frozen=True)
class Context:
    """What a check may use: the run's seed, tier, working precision (decimal digits), time budget, who evaluates
    its sweeps, and the id of the claim being checked (set by the runner)."""

    seed: int = 0
    tier: Literal["quick", "full"] = "quick"
    dps: int = 50
    time_budget: float = 600.0
    #: who evaluates a check's parameter sweeps (:meth:`map`): "serial" (in the check's process), "local" (local
    #: processes, ``sweep_workers`` of them) or the address of a Dask scheduler ("tcp://host:8786"); the results
    #: do not depend on it
    sweep: str = "serial"
    sweep_workers: int = 1
    #: the claim being checked: names its random streams (:meth:`rng`)
    claim: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if isinstance(self.dps, bool) or not isinstance(self.dps, int) or self.dps < 20:
            raise ValueError(f"dps (decimal digits of working precision) must be an integer >= 20, got {self.dps!r}")
        if not self.time_budget > 0:
            raise ValueError(f"time_budget must be positive seconds, got {self.time_budget!r}")
        if not (self.sweep in SWEEP_KINDS or self.sweep.startswith(DASK_SCHEMES)):
            raise ValueError(f"sweep must be {', '.join(repr(k) for k in SWEEP_KINDS)} or a Dask scheduler address "
                             f"({', '.join(s + '...' for s in DASK_SCHEMES)}), got {self.sweep!r}")
        if isinstance(self.sweep_workers, bool) or not isinstance(self.sweep_workers, int) or self.sweep_workers < 1:
            raise ValueError(f"sweep_workers must be an integer >= 1, got {self.sweep_workers!r}")
        if not isinstance(self.claim, str):
            raise ValueError(f"claim must be a claim id (a string), got {self.claim!r}")

    def map(self, fn: Callable, points: list) -> list:
        """``[fn(p) for p in points]`` through the sweep runner (numerics.sweep.run_sweep) on this run's executor:
        the same results whoever evaluates them. ``fn`` must be picklable (a module-level function) unless serial."""
        from numerics.sweep import run_sweep

        if self.sweep == "serial" or (self.sweep == "local" and (self.sweep_workers == 1 or len(points) < 2)):
            return run_sweep(fn, points, executor="serial")
        if self.sweep == "local":
            return run_sweep(fn, points, workers=min(self.sweep_workers, len(points)))
        return run_sweep(fn, points, executor=self.sweep)

    def _own(self, parts: tuple[object, ...]) -> tuple[object, ...]:
        if not self.claim:
            raise ValueError("this Context names no claim: the runner sets it; outside a run, give "
                             "Context(claim='<paper>.<name>') or use checks.context.stream_rng")
        return (self.claim, *parts)

    def rng(self, *parts: object) -> np.random.Generator:
        """The claim's random stream ``<claim id>[.part...]``, seeded by the run's seed."""
        return stream_rng(self.seed, *self._own(parts))

    def stream_seed(self, *parts: object) -> list[int]:
        """The seed sequence behind :meth:`rng` with the same parts, for report rows that let anyone rerun it."""
        return stream_seed(self.seed, *self._own(parts))
