"""The Markdown report: an errata sheet of refuted claims first, then every verdict in one table."""
from __future__ import annotations

import json

from checks.report.document import Document, by_id, header_line


def escape_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no pipes, one line)."""
    return text.replace("|", "\\|").replace("\n", " ")


def where(rec: dict) -> str:
    """"paper §3.1, eq. 7, 8": where the claim is in its source."""
    eqs = rec.get("equations") or []
    return f"{rec.get('source', 'paper')} §{rec.get('section', '?')}" + (f", eq. {', '.join(eqs)}" if eqs else "")


def to_markdown(doc: Document) -> str:
    """Markdown report: an errata sheet of refuted claims first, then every verdict."""
    claims = doc["claims"]
    out = ["# Check report", "", header_line(doc["run"]), "",
           "Tally: " + ", ".join(f"{k} {v}" for k, v in doc["tally"].items()), ""]
    refuted = [c for c in claims if c["verdict"] == "REFUTED"]
    out += ["## Errata: refuted claims", ""]
    if not refuted:
        out += ["No claim was refuted in this run.", ""]
    records = by_id(doc)
    for c in refuted:
        out += [f"### {c['id']} ({where(c)})", "", f"**Statement.** {c.get('statement', '')}", "",
                f"**Finding.** {c['summary']}", ""]
        if c.get("counterexample"):
            out += ["**Counterexample.**", "", "```json",
                    json.dumps(c["counterexample"], indent=2, ensure_ascii=False), "```", ""]
        for fixed_by in c.get("corrected_by", []):
            fix = records.get(fixed_by)
            status = f" ({fix['verdict']}: {fix['summary']})" if fix else ""
            out += [f"**Corrected form.** See `{fixed_by}`{status}.", ""]
    out += ["## All verdicts", "", "| id | section | statement | verdict | evidence | s |",
            "|---|---|---|---|---|---|"]
    for c in claims:
        out.append(f"| `{c['id']}` | {c.get('source', 'paper')} §{c.get('section', '?')} "
                   f"| {escape_cell(c.get('statement', ''))} | **{c['verdict']}** "
                   f"| {escape_cell(c['summary'])} | {float(c.get('seconds', 0)):.2f} |")
    return "\n".join(out) + "\n"
