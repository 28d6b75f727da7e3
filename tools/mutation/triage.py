"""The hand classifications of surviving mutants, kept in ``triage.json`` beside this module.

The file maps reasons to a classification and the keys (:func:`tools.mutation.mutants.mutant_key`) of the
mutants it explains. A classification starts with its kind, one of :data:`KINDS`, then says why: an
"equivalent" mutant cannot change what the claims compute; a "gap, closed" was a weakness of a check that a
change since fixed (and says what now detects it); a "gap, open" is one still there; "refuted either way"
mutates a formula the paper gets wrong into another wrong one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tools.mutation.mutants import Mutant

TRIAGE_FILE = Path(__file__).with_name("triage.json")
#: The kinds a classification starts with.
KINDS = ("equivalent", "gap, closed", "gap, open", "refuted either way")


@dataclass(frozen=True)
class Reason:
    """One classification and the keys of the mutants it explains."""

    name: str
    classification: str
    mutants: tuple[str, ...]


def kind_of(classification: str) -> str:
    """The kind a classification starts with (one of :data:`KINDS` when well formed), "" for none."""
    return classification.split(":")[0].split(" (")[0]


def load_reasons(path: Path = TRIAGE_FILE) -> list[Reason]:
    """The reasons of a triage file, in its order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Reason(name, r["classification"], tuple(r["mutants"])) for name, r in data["reasons"].items()]


def classifications(reasons: list[Reason]) -> dict[str, str]:
    """Mutant key -> classification; a key listed under two reasons is an error."""
    out: dict[str, str] = {}
    for reason in reasons:
        for key in reason.mutants:
            if key in out:
                raise ValueError(f"mutant {key!r} is classified twice (second time under {reason.name!r})")
            out[key] = reason.classification
    return out


TRIAGE = classifications(load_reasons())


def classification(m: Mutant, triage: dict[str, str] = TRIAGE) -> str:
    """The hand classification of a surviving mutant ("" when it has none)."""
    return triage.get(m.key, "")
