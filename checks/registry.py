"""The claim registry: one :class:`Claim` per checkable statement, registered with :func:`claim`.

An entry's id mirrors the paper's numbering (``momentum_dln.prop1``); it names the seed file, the
section and equations, the inventory keys of ``shared/claims.json`` it covers, the statement in our
own words (and LaTeX), its kind and tier, and the function that checks it. A check function takes a
:class:`Context` and returns a :class:`checks.verdict.Result`.

Convention that keeps every check falsifiable: the registered function is a thin wrapper that calls a
module-level ``check_*`` function with the paper's formula or instance as arguments, so that tests can
call the same ``check_*`` with a perturbed formula or instance and see REFUTED.
"""
from __future__ import annotations

import importlib
import pkgutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from checks.verdict import Result

KINDS = ("identity", "limit", "asymptotic", "inequality", "order", "implicit_bias", "closed_form",
         "convergence", "rate", "existence", "experiment", "other")
TIERS = ("quick", "full")
SWEEP_KINDS = ("serial", "local")
DASK_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://")

#: Seed files of the papers (``shared/seeds/``), by paper key.
SEEDS = {
    "momentum_dln": "002_03c766dc287737cf.txt",
    "momentum_dln_poster": "000_4ab02faa33ee21db.txt",
    "hb_nag": "001_180e1eca2c42a78d.txt",
    "matrix_factorization": "004_e9d3a09f4d8a6f6e.txt",
    "sign_descent": "003_9b28ceafa14aa053.txt",
}
PAPERS = ("momentum_dln", "hb_nag", "matrix_factorization", "sign_descent")


@dataclass(frozen=True)
class Context:
    """What a check may use: the run's seed, tier, working precision (decimal digits) and time budget."""

    seed: int = 0
    tier: Literal["quick", "full"] = "quick"
    dps: int = 50
    time_budget: float = 600.0
    #: who evaluates a check's parameter sweeps (:meth:`map`): "serial" (in the check's process), "local" (local
    #: processes, ``sweep_workers`` of them) or the address of a Dask scheduler ("tcp://host:8786"); the results
    #: do not depend on it
    sweep: str = "serial"
    sweep_workers: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if not isinstance(self.dps, int) or self.dps < 20:
            raise ValueError(f"dps (decimal digits of working precision) must be an integer >= 20, got {self.dps!r}")
        if not self.time_budget > 0:
            raise ValueError(f"time_budget must be positive seconds, got {self.time_budget!r}")
        if not (self.sweep in SWEEP_KINDS or self.sweep.startswith(DASK_SCHEMES)):
            raise ValueError(f"sweep must be {', '.join(repr(k) for k in SWEEP_KINDS)} or a Dask scheduler address "
                             f"({', '.join(s + '...' for s in DASK_SCHEMES)}), got {self.sweep!r}")
        if isinstance(self.sweep_workers, bool) or not isinstance(self.sweep_workers, int) or self.sweep_workers < 1:
            raise ValueError(f"sweep_workers must be an integer >= 1, got {self.sweep_workers!r}")

    def map(self, fn: Callable, points: list) -> list:
        """``[fn(p) for p in points]`` through the sweep runner (numerics.sweep.run_sweep) on this run's executor:
        the same results whoever evaluates them. ``fn`` must be picklable (a module-level function) unless serial."""
        from numerics.sweep import run_sweep

        if self.sweep == "serial" or (self.sweep == "local" and (self.sweep_workers == 1 or len(points) < 2)):
            return run_sweep(fn, points, executor="serial")
        if self.sweep == "local":
            return run_sweep(fn, points, workers=min(self.sweep_workers, len(points)))
        return run_sweep(fn, points, executor=self.sweep)

    def rng(self, stream: str) -> np.random.Generator:
        """A generator seeded by the run's seed and a stream name, reproducible across runs."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    def stream_seed(self, stream: str) -> list[int]:
        """The seed sequence behind :meth:`rng`, for report rows that let anyone rerun an instance."""
        return [self.seed, zlib.crc32(stream.encode())]


CheckFn = Callable[[Context], Result]


@dataclass(frozen=True)
class Claim:
    """One registry entry."""

    id: str
    paper: str
    section: str
    keys: tuple[str, ...]
    statement: str
    kind: str
    tier: Literal["quick", "full"]
    check: CheckFn = field(compare=False)
    equations: tuple[str, ...] = ()
    latex: str = ""
    source: str = "paper"
    corrects: str | None = None
    reconstruction: str | None = None

    @property
    def seed_file(self) -> str:
        """The seed file (in ``shared/seeds/``) the statement comes from."""
        return SEEDS["momentum_dln_poster" if self.source == "poster" else self.paper]

    def to_dict(self) -> dict[str, object]:
        """Plain-data description of the entry (for ``--list --format json``)."""
        out: dict[str, object] = {
            "id": self.id, "paper": self.paper, "seed_file": self.seed_file, "section": self.section,
            "equations": list(self.equations), "keys": list(self.keys), "statement": self.statement,
            "latex": self.latex, "kind": self.kind, "tier": self.tier, "source": self.source,
        }
        if self.corrects:
            out["corrects"] = self.corrects
        if self.reconstruction:
            out["reconstruction"] = self.reconstruction
        return out


REGISTRY: dict[str, Claim] = {}


def claim(id: str, *, section: str, keys: tuple[str, ...] | list[str], statement: str, kind: str,
          tier: Literal["quick", "full"] = "quick", equations: tuple[str, ...] | list[str] = (),
          latex: str = "", source: str = "paper", corrects: str | None = None,
          reconstruction: str | None = None) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check of claim ``id`` (``paper.name``).

    ``source`` is ``paper`` or ``poster``; ``corrects`` names the claim whose corrected form this entry
    checks; ``reconstruction`` says what was reconstructed from garbled text and how sure it is.
    """
    paper, _, name = id.partition(".")
    if paper not in PAPERS or not name:
        raise ValueError(f"claim id must be '<paper>.<name>' with paper in {PAPERS}, got {id!r}")
    if kind not in KINDS:
        raise ValueError(f"kind of {id} must be one of {KINDS}, got {kind!r}")
    if tier not in TIERS:
        raise ValueError(f"tier of {id} must be one of {TIERS}, got {tier!r}")
    if source not in ("paper", "poster"):
        raise ValueError(f"source of {id} must be 'paper' or 'poster', got {source!r}")

    def register(fn: CheckFn) -> CheckFn:
        if id in REGISTRY:
            raise ValueError(f"claim {id} is registered twice")
        REGISTRY[id] = Claim(id=id, paper=paper, section=section, keys=tuple(keys), statement=statement,
                             kind=kind, tier=tier, check=fn, equations=tuple(equations), latex=latex,
                             source=source, corrects=corrects, reconstruction=reconstruction)
        return fn

    return register


def load_all() -> dict[str, Claim]:
    """Import every module of :mod:`checks.papers` (registering their claims) and return the registry."""
    import checks.papers as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
    for c in REGISTRY.values():
        if c.corrects and c.corrects not in REGISTRY:
            raise ValueError(f"{c.id} corrects unknown claim {c.corrects}")
    return REGISTRY


def inventory_path() -> Path | None:
    """The inventory ``shared/claims.json`` beside the checkout, if present."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "shared" / "claims.json", here / "shared" / "claims.json"):
        if candidate.is_file():
            return candidate
    return None
