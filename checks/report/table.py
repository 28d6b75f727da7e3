"""The terminal table, sized to the terminal: id, verdict, the statement and the evidence's summary, seconds.

The statement (dim) and the evidence share one column whose width is what the terminal leaves; each is cut at a
word to a few lines with "…" (``--verbose``: nothing is cut, and the whole evidence follows the summary). Long ids
break at their dots.
"""
from __future__ import annotations

import json
import textwrap
from typing import Any, Sequence

from checks.registry import Claim
from checks.report.document import Record
from checks.verdict import Verdict

COLOURS = {Verdict.PROVED.value: "bold green", Verdict.CONFIRMED.value: "green", Verdict.REFUTED.value: "bold red",
           Verdict.INCONCLUSIVE.value: "yellow"}
#: Lines of the statement and of the evidence a row shows (without ``--verbose``).
STATEMENT_LINES = 2
EVIDENCE_LINES = 3
VERDICT_WIDTH = len("INCONCLUSIVE")
SECONDS_WIDTH = 7


def shorten(text: str, width: int, lines: int) -> str:
    """``text`` wrapped at ``width`` and cut at a word after ``lines`` lines, with "…" when cut."""
    wrapped = textwrap.wrap(" ".join(text.split()), max(8, width), break_long_words=True, break_on_hyphens=False)
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    last = kept[-1]
    kept[-1] = (last if len(last) < width else last.rsplit(" ", 1)[0] if " " in last else last[:-1]) + " …"
    return "\n".join(kept)


def split_id(claim_id: str, width: int) -> str:
    """A claim id on lines of at most ``width`` characters, broken after its dots where it is too long."""
    if len(claim_id) <= width:
        return claim_id
    parts, lines = claim_id.split("."), [""]
    for i, part in enumerate(parts):
        piece = part + ("." if i < len(parts) - 1 else "")
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(textwrap.fill(line, width) for line in lines)


def column_widths(width: int, longest_id: int) -> tuple[int, int]:
    """(id, text) column widths for a console ``width`` wide; the rest is verdict, seconds and padding."""
    padding = 2 * 4 + 1
    id_width = min(longest_id, max(16, width // 4))
    text = width - id_width - VERDICT_WIDTH - SECONDS_WIDTH - padding
    return id_width, max(20, text)


def claim_text(rec: Record, width: int, verbose: bool) -> str:
    """The text cell: the statement (dim) above the evidence's summary, cut unless ``verbose``."""
    from rich.markup import escape

    statement, summary = rec.get("statement", ""), rec.get("summary", "")
    if verbose:
        evidence = json.dumps(rec.get("evidence", {}), ensure_ascii=False)
        extra = f"\nevidence: {escape(evidence)}" if rec.get("evidence") else ""
        return f"[dim]{escape(statement)}[/]\n{escape(summary)}" + extra
    return (f"[dim]{escape(shorten(statement, width, STATEMENT_LINES))}[/]\n"
            f"{escape(shorten(summary, width, EVIDENCE_LINES))}")


def print_table(records: Sequence[Record], tally: dict[str, int], console: Any, verbose: bool = False) -> None:
    """Print the terminal table of the records with ``rich`` at the console's width, then the tally."""
    from rich import box
    from rich.table import Table

    id_width, text_width = column_widths(console.width, max((len(r["id"]) for r in records), default=10))
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, expand=False)
    table.add_column("id", style="cyan", width=id_width, overflow="fold")
    table.add_column("verdict", width=VERDICT_WIDTH, no_wrap=True)
    table.add_column("statement / evidence", width=text_width, overflow="fold")
    table.add_column("s", justify="right", width=SECONDS_WIDTH, no_wrap=True)
    for rec in records:
        v = rec["verdict"]
        table.add_row(split_id(rec["id"], id_width), f"[{COLOURS.get(v, 'white')}]{v}[/]",
                      claim_text(rec, text_width, verbose), f"{float(rec.get('seconds', 0)):.2f}")
    console.print(table)
    console.print("  ".join(f"{k}: {n}" for k, n in tally.items()))


def print_listing(claims: Sequence[Claim], console: Any) -> None:
    """Print the registry entries without running them, sized like the report's table."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    id_width, text_width = column_widths(console.width, max((len(c.id) for c in claims), default=10))
    where_width = VERDICT_WIDTH + 8
    statement_width = max(20, text_width + SECONDS_WIDTH + 2 - 8)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("id", style="cyan", width=id_width, overflow="fold")
    table.add_column("where · kind · tier", width=where_width, overflow="fold")
    table.add_column("statement", width=statement_width, overflow="fold")
    for c in claims:
        where = ("poster " if c.source == "poster" else "") + f"§{c.section}"
        table.add_row(split_id(c.id, id_width), escape(f"{where}\n{c.kind} · {c.tier}"),
                      escape(shorten(c.statement, statement_width, STATEMENT_LINES)))
    console.print(table)
