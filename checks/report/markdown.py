"""The Markdown report: the errata (refuted as printed), the disagreements (refuted under our reading or settings),
then every verdict in one table."""
from __future__ import annotations

import json

from checks.report.document import Document, Record, by_id, header_line, is_disagreement, is_erratum, rests_on


def escape_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, one line)."""
    return text.replace("|", "\\|").replace("\n", " ")


def where(rec: dict) -> str:
    """"paper §3.1, eq. 7, 8": where the claim is in its source."""
    eqs = rec.get("equations") or []
    return f"{rec.get('source', 'paper')} §{rec.get('section', '?')}" + (f", eq. {', '.join(eqs)}" if eqs else "")


def refuted_entry(c: Record, records: dict[str, Record]) -> list[str]:
    """One refuted claim: statement, finding, counterexample and corrected forms."""
    out = [f"### {c['id']} ({where(c)})", "", f"**Statement.** {c.get('statement', '')}", "",
           f"**Finding.** {c['summary']}", ""]
    if is_disagreement(c):
        out += [f"**Rests on** {rests_on(c)}", ""]
    if c.get("counterexample"):
        out += ["**Counterexample.**", "", "```json", json.dumps(c["counterexample"], indent=2, ensure_ascii=False),
                "```", ""]
    for fixed_by in c.get("corrected_by", []):
        fix = records.get(fixed_by)
        status = f" ({fix['verdict']}: {fix['summary']})" if fix else ""
        out += [f"**Corrected form.** See `{fixed_by}`{status}.", ""]
    return out


def to_markdown(doc: Document) -> str:
    """Markdown report: the errata of the printed mathematics first, then the disagreements that rest on our
    reading or settings, then every verdict."""
    claims = doc["claims"]
    records = by_id(doc)
    out = ["# Check report", "", header_line(doc["run"]), "",
           "Tally: " + ", ".join(f"{k} {v}" for k, v in doc["tally"].items()), ""]
    errata = [c for c in claims if is_erratum(c)]
    out += ["## Errata: refuted claims as printed", ""]
    out += [] if errata else ["No printed claim was refuted in this run.", ""]
    for c in errata:
        out += refuted_entry(c, records)
    disagreements = [c for c in claims if is_disagreement(c)]
    out += ["## Disagreements under our reading or settings", "",
            "Refuted under a reading of text lost in extraction, or under values the paper does not give: not errata "
            "of the paper's mathematics until the reading or the settings are confirmed.", ""]
    out += [] if disagreements else ["None in this run.", ""]
    for c in disagreements:
        out += refuted_entry(c, records)
    out += ["## All verdicts", "", "| id | section | statement | verdict | basis | instances | evidence | s |",
            "|---|---|---|---|---|---|---|---|"]
    for c in claims:
        instances = "" if c.get("instances") is None else str(c["instances"])
        out.append(f"| `{c['id']}` | {c.get('source', 'paper')} §{c.get('section', '?')} "
                   f"| {escape_cell(c.get('statement', ''))} | **{c['verdict']}** | {c.get('basis', '')} "
                   f"| {instances} | {escape_cell(c['summary'])} | {float(c.get('seconds', 0)):.2f} |")
    return "\n".join(out) + "\n"
