"""``python -m checks show ID``: everything about one claim, as plain text.

The statement and the paper's own lines around it (:mod:`checks.report.seed_text`); the verdict, its basis and the
whole evidence; the counterexample and the entries that correct it (or that it corrects); the derivations and
generated formulas its run called (:mod:`checks.report.trace`); and the one command that reruns it.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any, Sequence

from checks.registry import Claim
from checks.report.document import Record, basis_of, compact_json, rerun_command
from checks.report.markdown import where
from checks.report.seed_text import locate
from checks.report.trace import Called


def block(title: str, body: str, width: int) -> list[str]:
    """A titled block: the title, then the body wrapped at ``width`` and indented by two spaces."""
    lines = [title]
    for para in body.splitlines() or [""]:
        lines += textwrap.wrap(para, max(20, width - 2), initial_indent="  ", subsequent_indent="  ") or [""]
    return lines + [""]


def paper_text(claim: Claim, width: int, context: int) -> list[str]:
    """The seed file's lines around the claim, numbered, and how they were found."""
    passage = locate(claim, context)
    if passage is None:
        return [f"Paper text: the seed file {claim.seed_file} was not found (no shared/seeds beside this checkout "
                "or above it)", ""]
    how = {"anchor": "the id's anchor", "equation": "the entry's equations", "section": "the entry's section",
           "statement": "no anchor, equation or section was found: the lines sharing most words with the statement"}
    return ([f"Paper text: shared/seeds/{passage.seed_file}, lines {passage.first}–{passage.last} "
             f"(found by {how[passage.how]}: {passage.found})"]
            + [passage.quoted(width)] + [""])


def called_lines(called: Sequence[Called], width: int) -> list[str]:
    """The derivations and generated formulas the run entered."""
    derivs = [c for c in called if not c.generated]
    gens = [c for c in called if c.generated]
    out = ["Derivations called (traced from this run):"]
    out += [f"  {c.module}.{c.name}  ({c.file}:{c.line})" + (f"\n      {c.doc}" if c.doc else "")
            for c in derivs] or ["  none"]
    out += ["", "Generated formulas called (numerics/generated, traced from this run):"]
    for c in gens:
        out.append(f"  {c.module}.{c.name}  ({c.file}:{c.line}; from {c.source})")
        if c.doc:
            out.append(f"      {c.doc}")
        if c.formula:
            out += textwrap.wrap("= " + c.formula, max(20, width - 6), initial_indent="      ",
                                 subsequent_indent="        ")
    if not gens:
        out.append("  none")
    return out + [""]


def related(claim: Claim, records: dict[str, Record], registry: dict[str, Claim]) -> list[str]:
    """The entries that correct this claim, and the claims it corrects, with their verdicts when known."""
    out = []
    for label, ids in (("Corrected form", claim.corrected_by), ("Corrects", claim.corrects)):
        for other in ids:
            rec = records.get(other)
            statement = registry[other].statement if other in registry else ""
            status = f"{rec['verdict']}: {rec['summary']}" if rec else f"run: python -m checks show {other}"
            out.append(f"{label}: {other}\n{statement}\n({status})")
    return out


def explain(claim: Claim, rec: Record, run: dict[str, Any], called: Sequence[Called] | None,
            registry: dict[str, Claim], records: dict[str, Record], width: int = 100, context: int = 8) -> str:
    """The whole text of ``show`` for one claim and its record (``called`` None: not traced)."""
    basis = basis_of(rec) or str(getattr(claim, "basis", "") or "")
    head = (f"{claim.id} — {where(rec)} · kind {claim.kind} · tier {claim.tier}"
            + (f" · basis {basis}" if basis else ""))
    out = [head, "=" * min(len(head), width), ""]
    out += block("Statement:", claim.statement, width)
    if claim.latex:
        out += block("LaTeX:", claim.latex, width)
    if claim.reconstruction:
        out += block("Reconstruction:", claim.reconstruction, width)
    out += paper_text(claim, width, context)
    out += block(f"Verdict: {rec['verdict']}  (seed {run.get('seed')}, tier {run.get('tier')}, {run.get('dps')} "
                 f"digits, {float(rec.get('seconds', 0)):.2f} s)", rec["summary"], width)
    if rec.get("instances") is not None:
        out += block("Instances:", json.dumps(rec["instances"], ensure_ascii=False), width)
    out += ["Evidence:", textwrap.indent(compact_json(rec.get("evidence", {})), "  "), ""]
    if rec.get("counterexample"):
        out += ["Counterexample:", textwrap.indent(compact_json(rec["counterexample"]),
                                                   "  "), ""]
    for text in related(claim, records, registry):
        title, _, body = text.partition("\n")
        out += block(title, body, width)
    if called is None:
        out += ["Derivations and generated formulas: not traced (the verdict comes from a saved report; "
                "run without --from-json to trace them)", ""]
    else:
        out += called_lines(called, width)
    out += ["Rerun (same seed):", "  " + rerun_command(claim.id, run), ""]
    return "\n".join(out)
