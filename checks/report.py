"""Reports of a run: a terminal table, JSON for other tools, and Markdown with an errata sheet."""
from __future__ import annotations

import json
import platform
from collections import Counter
from typing import Any, Sequence

from checks.context import Context
from checks.registry import Claim
from checks.runner import Row
from checks.verdict import Verdict

COLOURS = {Verdict.PROVED: "bold green", Verdict.CONFIRMED: "green", Verdict.REFUTED: "bold red",
           Verdict.INCONCLUSIVE: "yellow"}
FORMATS = ("table", "json", "markdown")


def run_metadata(ctx: Context) -> dict[str, Any]:
    """What a reader needs to reproduce the run: seed, tier, precision and library versions."""
    import mpmath
    import numpy
    import scipy
    import sympy

    return {"seed": ctx.seed, "tier": ctx.tier, "dps": ctx.dps, "python": platform.python_version(),
            "versions": {"numpy": numpy.__version__, "scipy": scipy.__version__,
                         "sympy": sympy.__version__, "mpmath": mpmath.__version__}}


def tally(rows: Sequence[Row]) -> dict[str, int]:
    """Number of rows per verdict, in the verdicts' order."""
    counts = Counter(r.result.verdict for r in rows)
    return {v.value: counts.get(v, 0) for v in Verdict}


def to_json(rows: Sequence[Row], ctx: Context) -> str:
    """The JSON report: run metadata, tally, and every entry with its keys, verdict and evidence."""
    doc = {"run": run_metadata(ctx), "tally": tally(rows),
           "claims": [{**r.claim.to_dict(), **r.result.to_dict()} for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False)


def listing_json(claims: Sequence[Claim]) -> str:
    """``--list --format json``: the entries without running them."""
    return json.dumps([c.to_dict() for c in claims], indent=2, ensure_ascii=False)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: Sequence[Row], ctx: Context) -> str:
    """Markdown report: an errata sheet of refuted claims first, then every verdict."""
    meta = run_metadata(ctx)
    out = ["# Check report", "",
           f"Seed {meta['seed']}, tier {meta['tier']}, {meta['dps']} digits; Python {meta['python']}, "
           + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".", "",
           "Tally: " + ", ".join(f"{k} {v}" for k, v in tally(rows).items()), ""]
    refuted = [r for r in rows if r.result.verdict is Verdict.REFUTED]
    out += ["## Errata: refuted claims", ""]
    if not refuted:
        out += ["No claim was refuted in this run.", ""]
    for r in refuted:
        c, res = r.claim, r.result
        out += [f"### {c.id} ({c.source} §{c.section}" + (f", eq. {', '.join(c.equations)}" if c.equations else "")
                + ")", "", f"**Statement.** {c.statement}", "", f"**Finding.** {res.summary}", ""]
        if res.counterexample:
            out += ["**Counterexample.**", "", "```json",
                    json.dumps(res.to_dict()["counterexample"], indent=2, ensure_ascii=False), "```", ""]
        for fixed_by in c.corrected_by:
            fix = next((x for x in rows if x.claim.id == fixed_by), None)
            status = f" ({fix.result.verdict.value}: {fix.result.summary})" if fix else ""
            out += [f"**Corrected form.** See `{fixed_by}`{status}.", ""]
    out += ["## All verdicts", "", "| id | section | statement | verdict | evidence | s |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        c, res = r.claim, r.result
        out.append(f"| `{c.id}` | {c.source} §{c.section} | {_md_escape(c.statement)} | **{res.verdict.value}** "
                   f"| {_md_escape(res.summary)} | {res.seconds:.2f} |")
    return "\n".join(out) + "\n"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_table(rows: Sequence[Row], console: Any) -> None:
    """Print the terminal table (id, statement, verdict, key evidence, time) with ``rich``."""
    from rich.table import Table

    table = Table(show_lines=False, expand=True)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("statement", ratio=3)
    table.add_column("verdict", no_wrap=True)
    table.add_column("evidence", ratio=4)
    table.add_column("s", justify="right", no_wrap=True)
    for r in rows:
        v = r.result.verdict
        table.add_row(r.claim.id, _short(r.claim.statement, 110), f"[{COLOURS[v]}]{v.value}[/]", _short(r.result.summary, 220),
                      f"{r.result.seconds:.2f}")
    console.print(table)
    console.print("  ".join(f"{k}: {n}" for k, n in tally(rows).items()))


def print_listing(claims: Sequence[Claim], console: Any) -> None:
    """Print the registry entries without running them."""
    from rich.table import Table

    table = Table(expand=True)
    for col in ("id", "section", "kind", "tier", "keys", "statement"):
        table.add_column(col, no_wrap=col in ("id", "tier"))
    for c in claims:
        table.add_row(c.id, f"{c.source} §{c.section}", c.kind, c.tier, str(len(c.keys)), _short(c.statement, 140))
    console.print(table)
