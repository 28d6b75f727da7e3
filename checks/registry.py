"""The claim registry: one :class:`Claim` per checkable statement, registered with :func:`claim`.

An entry's id mirrors the paper's numbering (:data:`ID_GRAMMAR`); it names the seed file, the section and
equations, the inventory keys of ``shared/claims.json`` it covers, the statement in our own words (and LaTeX),
its kind and tier, and the function that checks it. A check function takes a :class:`checks.context.Context`
and returns a :class:`checks.verdict.Result`.

An entry that checks the corrected form of others says so with ``corrects=``; the registry derives each
claim's ``corrected_by`` from those (:func:`derive_corrections`), so no check names another claim.

Convention that keeps every check falsifiable: the registered function is a thin wrapper that calls a
``check_*`` function with the paper's formula or instance as arguments, so that tests can call the same
``check_*`` with a perturbed formula or instance and see REFUTED.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal

from checks.context import TIERS, Context
from checks.sampling import HypothesisClass
from checks.verdict import Result

KINDS = ("identity", "limit", "asymptotic", "inequality", "order", "implicit_bias", "closed_form",
         "convergence", "rate", "existence", "experiment", "other")

#: Seed files of the papers (``shared/seeds/``), by paper key.
SEEDS = {
    "momentum_dln": "002_03c766dc287737cf.txt",
    "momentum_dln_poster": "000_4ab02faa33ee21db.txt",
    "hb_nag": "001_180e1eca2c42a78d.txt",
    "matrix_factorization": "004_e9d3a09f4d8a6f6e.txt",
    "sign_descent": "003_9b28ceafa14aa053.txt",
}
PAPERS = ("momentum_dln", "hb_nag", "matrix_factorization", "sign_descent")
#: What a verdict rests on: the statement as printed in the seed text; a reading of text lost or garbled in
#: extraction (``reconstruction=`` says which, and the alternatives); or values the paper does not give
#: (hyper-parameters, seeds, sizes, thresholds for words like "≈" — ``depends_on=`` says which).
BASES = ("printed", "reconstructed", "settings")
#: What a claim id's anchor may start with: the kind of numbered thing in the paper it points to.
ANCHORS = ("theorem", "prop", "lemma", "cor", "eq", "fig", "table", "sec", "app", "footnote", "remark",
           "property", "assumption", "poster")

ID_GRAMMAR = """<paper>.<anchor>[.<qualifier>]
  paper      one of {papers}
  anchor     a kind ({anchors}) and the paper's number:
             '-' stands for a dot of the numbering (sec3-3-1, appC-3-1, prop3-4, lemmaA-1),
             'to' for a range (eq24to26), a letter or two for a sub-figure (fig2a, fig1bc)
  qualifier  lower-case words joined by '_' (corrected, speed_exact_beta)""".format(
    papers=", ".join(PAPERS), anchors=", ".join(ANCHORS))

ID_PATTERN = re.compile(
    r"(?P<paper>" + "|".join(PAPERS) + r")\."
    r"(?P<anchor>(?:" + "|".join(ANCHORS) + r")(?:[A-Z]|[0-9]+)(?:-[0-9]+)*(?:to[0-9]+|[a-z]{1,2})?)"
    r"(?:\.(?P<qualifier>[a-z][a-z0-9]*(?:_[a-z0-9]+)*))?")

#: Former claim ids (before the grammar) and the ids they became; the command line accepts either.
ALIASES_FILE = Path(__file__).with_name("aliases.json")

CheckFn = Callable[[Context], Result]


@dataclass(frozen=True)
class Claim:
    """One registry entry. ``corrected_by`` is derived by the registry from the entries' ``corrects``."""

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
    corrects: tuple[str, ...] = ()
    reconstruction: str | None = None
    corrected_by: tuple[str, ...] = ()
    basis: str | None = None
    depends_on: str | None = None
    hypothesis_class: HypothesisClass | None = field(default=None, compare=False)

    @property
    def seed_file(self) -> str:
        """The seed file (in ``shared/seeds/``) the statement comes from."""
        return SEEDS["momentum_dln_poster" if self.source == "poster" else self.paper]

    def to_dict(self) -> dict[str, object]:
        """Plain-data description of the entry (for ``--list --format json`` and the reports)."""
        out: dict[str, object] = {
            "id": self.id, "paper": self.paper, "seed_file": self.seed_file, "section": self.section,
            "equations": list(self.equations), "keys": list(self.keys), "statement": self.statement,
            "latex": self.latex, "kind": self.kind, "tier": self.tier, "source": self.source,
        }
        if self.corrects:
            out["corrects"] = list(self.corrects)
        if self.corrected_by:
            out["corrected_by"] = list(self.corrected_by)
        if self.reconstruction:
            out["reconstruction"] = self.reconstruction
        if self.basis:
            out["basis"] = self.basis
        if self.depends_on:
            out["depends_on"] = self.depends_on
        if self.hypothesis_class is not None:
            out["hypothesis_class"] = self.hypothesis_class.words
        return out


REGISTRY: dict[str, Claim] = {}


def check_id(id: str) -> str:
    """``id`` if it follows :data:`ID_GRAMMAR`, else a ValueError that quotes the grammar."""
    if not isinstance(id, str) or ID_PATTERN.fullmatch(id) is None:
        raise ValueError(f"claim id {id!r} does not follow the grammar\n{ID_GRAMMAR}")
    return id


def claim(id: str, *, section: str, keys: tuple[str, ...] | list[str], statement: str, kind: str,
          tier: Literal["quick", "full"] = "quick", equations: tuple[str, ...] | list[str] = (),
          latex: str = "", source: str = "paper", corrects: str | tuple[str, ...] | list[str] = (),
          reconstruction: str | None = None, basis: str | None = None, depends_on: str | None = None,
          hypothesis_class: HypothesisClass | None = None) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check of claim ``id`` (see :data:`ID_GRAMMAR`).

    ``source`` is ``paper`` or ``poster``; ``corrects`` names the claim(s) whose corrected form this entry
    checks; ``reconstruction`` says what was reconstructed from garbled text and how sure it is. ``basis`` (one
    of :data:`BASES`) says what the verdict rests on: ``reconstructed`` needs ``reconstruction``, ``settings``
    needs ``depends_on`` (the values the checker filled in). ``hypothesis_class`` is the set the statement
    quantifies over, from which the check draws its instances.
    """
    paper = id.partition(".")[0] if isinstance(id, str) else ""
    if paper not in PAPERS:
        raise ValueError(f"claim id must start with a paper, one of {PAPERS}, got {id!r}")
    check_id(id)
    if kind not in KINDS:
        raise ValueError(f"kind of {id} must be one of {KINDS}, got {kind!r}")
    if tier not in TIERS:
        raise ValueError(f"tier of {id} must be one of {TIERS}, got {tier!r}")
    if source not in ("paper", "poster"):
        raise ValueError(f"source of {id} must be 'paper' or 'poster', got {source!r}")
    if basis is not None and basis not in BASES:
        raise ValueError(f"basis of {id} must be one of {BASES}, got {basis!r}")
    if basis == "reconstructed" and not reconstruction:
        raise ValueError(f"{id} has basis 'reconstructed': say which reading in reconstruction=")
    if basis == "settings" and not depends_on:
        raise ValueError(f"{id} has basis 'settings': say which values it depends on in depends_on=")
    fixes = (corrects,) if isinstance(corrects, str) else tuple(corrects)
    for target in fixes:
        check_id(target)

    def register(fn: CheckFn) -> CheckFn:
        if id in REGISTRY:
            raise ValueError(f"claim {id} is registered twice")
        REGISTRY[id] = Claim(id=id, paper=paper, section=section, keys=tuple(keys), statement=statement,
                             kind=kind, tier=tier, check=fn, equations=tuple(equations), latex=latex,
                             source=source, corrects=fixes, reconstruction=reconstruction, basis=basis,
                             depends_on=depends_on, hypothesis_class=hypothesis_class)
        return fn

    return register


def derive_corrections(registry: dict[str, Claim]) -> dict[str, Claim]:
    """Set every claim's ``corrected_by`` to the entries whose ``corrects`` name it (in place; returns it).
    Raises when an entry corrects a claim that is not registered."""
    fixes: dict[str, list[str]] = {}
    for c in registry.values():
        for target in c.corrects:
            if target not in registry:
                raise ValueError(f"{c.id} corrects unknown claim {target}")
            fixes.setdefault(target, []).append(c.id)
    for cid, c in list(registry.items()):
        registry[cid] = replace(c, corrected_by=tuple(sorted(fixes.get(cid, ()))))
    return registry


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Former id -> current id (``checks/aliases.json``)."""
    data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def resolve(id: str) -> str:
    """The current id of ``id`` (itself when it is not a former id)."""
    return aliases().get(id, id)
