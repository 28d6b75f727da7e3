"""The HTML report: one self-contained page (styles and script inline, plots as inline SVG, no network).

Errata first (the refuted claims with their counterexamples and corrected forms), then a table of every claim that
can be filtered by paper, verdict, basis, kind and plot, and searched; a claim's row opens its details: the
statement, the whole evidence, the counterexample, the corrected form, its plots (drawn from the evidence already
computed, :mod:`checks.report.figures`) or why it has none, and the command that reruns it.
"""
from __future__ import annotations

import json
from html import escape
from typing import Any, Iterable

from checks.report.document import (
    Document,
    Record,
    basis_of,
    by_id,
    compact_json,
    header_line,
    is_disagreement,
    is_erratum,
    is_numeric,
    rerun_command,
    rests_on,
)
from checks.report.figures import MAX_PANELS, Panel, claim_panels
from checks.report.markdown import where
from checks.report.svg import panel_svg
from checks.verdict import Verdict

FILTERS = ("paper", "verdict", "basis", "kind", "plot")

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 1em;
color:#222}
h1{font-size:1.6em;margin:.6em 0 .2em}h2{font-size:1.25em;margin:1.2em 0 .4em;border-bottom:1px solid #ddd}
code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}pre{background:#f6f6f6;padding:.5em;overflow:auto;
max-height:24em;white-space:pre-wrap;word-break:break-word}
.verdict{font-weight:600;padding:0 .35em;border-radius:3px;white-space:nowrap}.PROVED{color:#0a5c2a;background:#d9f2e1}
.CONFIRMED{color:#1d6b2f;background:#e8f6ea}.REFUTED{color:#fff;background:#c0392b}
.INCONCLUSIVE{color:#6b4d00;background:#fbefc5}
.tally span{margin-right:.8em}
article.erratum{border-left:4px solid #c0392b;padding:.2em .8em;margin:.8em 0;background:#fdf6f5}
article.erratum h3{font-size:1.05em;margin:.3em 0}
form#filters{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:center;position:sticky;top:0;background:#fff;
padding:.5em 0;border-bottom:1px solid #ddd;z-index:1}
form#filters label{font-size:.9em}select,input{font:inherit}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3em .4em;
border-bottom:1px solid #eee}th{font-size:.85em;color:#555}
td.summary{max-width:40em}td.summary div{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;
overflow:hidden}
button.toggle{font:12px ui-monospace,Menlo,Consolas,monospace;background:none;border:0;color:#1f5fa8;cursor:pointer;
padding:0;text-align:left}button.toggle::before{content:"▸ "}button.toggle[aria-expanded=true]::before{content:"▾ "}
tr.detail>td{background:#fafafa;padding:.6em 1em 1em}
.plots{display:flex;flex-wrap:wrap;gap:.5em}figure.plot{margin:0;border:1px solid #e4e4e4;background:#fff}
figure.plot svg{display:block;max-width:100%;height:auto}
.noplot{color:#666;font-style:italic}.muted{color:#666}
"""

SCRIPT = """
const rows=[...document.querySelectorAll('tr.claim')];
const keys=%s;
function applyFilters(){
  const want=Object.fromEntries(keys.map(k=>[k,document.getElementById('f-'+k).value]));
  const text=document.getElementById('f-text').value.trim().toLowerCase();
  const counts={};let shown=0;
  for(const r of rows){
    const ok=keys.every(k=>!want[k]||r.dataset[k]===want[k])&&(!text||r.textContent.toLowerCase().includes(text));
    r.hidden=!ok;const d=document.getElementById(r.dataset.detail);
    d.hidden=!ok||r.querySelector('button.toggle').getAttribute('aria-expanded')!=='true';
    if(ok){shown++;counts[r.dataset.verdict]=(counts[r.dataset.verdict]||0)+1;}
  }
  document.getElementById('shown').textContent=shown+' of '+rows.length+' claims shown';
  for(const el of document.querySelectorAll('[data-count]'))el.textContent=counts[el.dataset.count]||0;
}
function openClaim(btn,open){
  const d=document.getElementById(btn.closest('tr').dataset.detail);
  btn.setAttribute('aria-expanded',open?'true':'false');d.hidden=!open;
}
for(const b of document.querySelectorAll('button.toggle'))
  b.addEventListener('click',()=>openClaim(b,b.getAttribute('aria-expanded')!=='true'));
for(const el of document.querySelectorAll('#filters select,#filters input'))el.addEventListener('input',applyFilters);
function openHash(){
  const r=document.getElementById('row-'+decodeURIComponent(location.hash.slice(1)));
  if(r){r.hidden=false;openClaim(r.querySelector('button.toggle'),true);r.scrollIntoView();}
}
window.addEventListener('hashchange',openHash);applyFilters();openHash();
"""


def verdict_badge(verdict: str) -> str:
    """A coloured verdict label."""
    return f'<span class="verdict {escape(verdict)}">{escape(verdict)}</span>'


def claim_link(claim_id: str) -> str:
    """A link to a claim's row (which opens it)."""
    return f'<a href="#{escape(claim_id)}"><code>{escape(claim_id)}</code></a>'


def pretty(value: Any) -> str:
    """JSON text of a value, escaped for HTML."""
    return escape(compact_json(value))


def refuted_article(c: Record, records: dict[str, Record]) -> str:
    """One refuted claim: statement, finding, what it rests on, counterexample and corrected forms."""
    out = [f'<article class="erratum"><h3>{claim_link(c["id"])} <span class="muted">({escape(where(c))})'
           f'</span></h3><p><b>Statement.</b> {escape(c.get("statement", ""))}</p>'
           f'<p><b>Finding.</b> {escape(c["summary"])}</p>']
    if is_disagreement(c):
        out.append(f"<p><b>Rests on</b> {escape(rests_on(c))}</p>")
    if c.get("counterexample"):
        out.append(f'<details><summary>Counterexample</summary><pre>{pretty(c["counterexample"])}</pre></details>')
    out += [f"<p><b>Corrected form.</b> {claim_link(fix)}" + (
        f" {verdict_badge(records[fix]['verdict'])} {escape(records[fix]['summary'])}" if fix in records else "")
        + "</p>" for fix in c.get("corrected_by", [])]
    out.append("</article>")
    return "".join(out)


def errata(doc: Document) -> str:
    """The errata (refuted as printed), then the disagreements under our reading or settings."""
    records = by_id(doc)
    printed = [c for c in doc["claims"] if is_erratum(c)]
    other = [c for c in doc["claims"] if is_disagreement(c)]
    out = [f'<section id="errata"><h2>Errata: refuted claims as printed ({len(printed)})</h2>']
    out.append("" if printed else "<p>No printed claim was refuted in this run.</p>")
    out += [refuted_article(c, records) for c in printed]
    out.append(f'</section><section id="disagreements"><h2>Disagreements under our reading or settings '
               f'({len(other)})</h2><p class="muted">Refuted under a reading of text lost in extraction, or under '
               "values the paper does not give: not errata of the paper's mathematics until the reading or the "
               "settings are confirmed.</p>")
    out.append("" if other else "<p>None in this run.</p>")
    out += [refuted_article(c, records) for c in other]
    return "".join(out) + "</section>"


def options(name: str, values: Iterable[str]) -> str:
    """A filter's ``<select>``: "any" and the values present (disabled when there are none)."""
    vals = sorted(set(v for v in values if v))
    opts = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in vals)
    disabled = "" if vals else " disabled title=\"this report has no such field\""
    return (f'<label>{escape(name)} <select id="f-{escape(name)}"{disabled}><option value="">any</option>{opts}'
            f"</select></label>")


def filter_value(rec: Record, key: str) -> str:
    """The value of filter ``key`` for a claim (basis "" when the report has none; plot "yes"/"no")."""
    if key == "basis":
        return basis_of(rec)
    if key == "plot":
        return "yes" if claim_panels(rec) else "no"
    return str(rec.get(key, ""))


def plots_html(rec: Record, rendered: list[str], more: int) -> str:
    """A claim's plots, or why it has none."""
    if rendered:
        extra = f'<p class="muted">{more} more part(s) with a plot not drawn here.</p>' if more else ""
        figures = "".join(f'<figure class="plot">{svg}</figure>' for svg in rendered)
        return f'<div class="plots">{figures}</div>{extra}'
    if not is_numeric(rec):
        return '<p class="noplot">No plot: a symbolic proof.</p>'
    if not rec.get("evidence"):
        return '<p class="noplot">No plot: the check records no numbers (the finding is symbolic or a message).</p>'
    return ('<p class="noplot">No plot: the evidence has no order fit, per-instance errors, threshold values or '
            "curves to draw.</p>")


def detail_html(rec: Record, run: dict[str, Any], plots: str) -> str:
    """The opened row: statement, LaTeX, summary, plots, counterexample, corrected forms, evidence, rerun."""
    parts = [f'<p><b>Statement.</b> {escape(rec.get("statement", ""))}</p>']
    if rec.get("latex"):
        parts.append(f'<p class="muted">LaTeX: <code>{escape(rec["latex"])}</code></p>')
    parts.append(f'<p><b>{escape(rec["verdict"].title())}.</b> {escape(rec["summary"])}</p>{plots}')
    if rec.get("counterexample"):
        parts.append(f'<p><b>Counterexample.</b></p><pre>{pretty(rec["counterexample"])}</pre>')
    for label, key in (("Corrected form", "corrected_by"), ("Corrects", "corrects")):
        if rec.get(key):
            parts.append(f"<p><b>{label}.</b> " + ", ".join(claim_link(i) for i in rec[key]) + "</p>")
    if rec.get("instances") is not None:  # the instance count and class, when the report records them
        parts.append(f'<p><b>Instances.</b> {escape(json.dumps(rec["instances"], ensure_ascii=False))}</p>')
    if rec.get("reconstruction"):
        parts.append(f'<p><b>Reconstruction.</b> {escape(rec["reconstruction"])}</p>')
    parts.append(f'<details><summary>Evidence (JSON)</summary><pre>{pretty(rec.get("evidence", {}))}</pre></details>')
    parts.append(f'<p><b>Rerun.</b> <code>{escape(rerun_command(rec["id"], run))}</code> '
                 f'<span class="muted">(seed file {escape(str(rec.get("seed_file", "")))}, '
                 f'{float(rec.get("seconds", 0)):.2f} s)</span></p>')
    return "".join(parts)


def safe_svg(panel: Panel, salt: str) -> str:
    """The panel's SVG, or a line saying why it could not be drawn (one odd evidence never stops the page)."""
    try:
        return panel_svg(panel, salt)
    except Exception as exc:  # noqa: BLE001 - reported on the page instead
        return f'<p class="noplot">This plot could not be drawn: {escape(type(exc).__name__)}: {escape(str(exc))}</p>'


def claim_rows(rec: Record, run: dict[str, Any]) -> str:
    """The row of one claim and its (hidden) detail row."""
    panels = claim_panels(rec)
    rendered = [safe_svg(p, f"{rec['id']}.{i}") for i, p in enumerate(panels[:MAX_PANELS])]
    cid = escape(rec["id"])
    data = {key: filter_value(rec, key) for key in FILTERS}
    attrs = " ".join(f'data-{k}="{escape(str(v))}"' for k, v in data.items())
    return (f'<tr class="claim" id="row-{cid}" {attrs} data-detail="detail-{cid}">'
            f'<td><button class="toggle" type="button" aria-expanded="false" aria-controls="detail-{cid}">{cid}'
            f'</button></td><td>{escape(where(rec))}</td><td>{escape(data["kind"])}</td>'
            f'<td>{escape(data["basis"] or "—")}</td><td>{verdict_badge(rec["verdict"])}</td>'
            f'<td class="summary"><div>{escape(rec["summary"])}</div></td><td>{"📈" if rendered else ""}</td></tr>'
            f'<tr class="detail" id="detail-{cid}" hidden><td colspan="7">'
            f"{detail_html(rec, run, plots_html(rec, rendered, max(0, len(panels) - MAX_PANELS)))}</td></tr>")


def to_html(doc: Document) -> str:
    """The whole page."""
    claims, run = doc["claims"], doc["run"]
    tally = "".join(f'<span>{verdict_badge(k)} {n}</span>' for k, n in doc["tally"].items())
    counts = " · ".join(f'{escape(v.value)} <b data-count="{escape(v.value)}">0</b>' for v in Verdict)
    selects = "".join(options(key, (filter_value(c, key) for c in claims)) for key in FILTERS)
    head = ("<tr><th>id</th><th>where</th><th>kind</th><th>basis</th><th>verdict</th><th>evidence</th>"
            "<th>plot</th></tr>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Check report ({escape(str(run.get('tier')))} tier, seed {escape(str(run.get('seed')))})</title>"
            f"<style>{STYLE}</style></head><body><header><h1>Check report</h1>"
            f'<p class="muted">{escape(header_line(run))}</p><p class="tally">{tally}</p></header>'
            f"{errata(doc)}<section id=\"all\"><h2>All claims</h2><form id=\"filters\" onsubmit=\"return false\">"
            f"{selects}<label>search <input id=\"f-text\" type=\"search\" placeholder=\"id, words…\"></label>"
            f'<output id="shown"></output><span class="muted">{counts}</span></form>'
            f'<table id="claims"><thead>{head}</thead><tbody>'
            + "".join(claim_rows(c, run) for c in claims)
            + "</tbody></table></section><script>"
            + SCRIPT % json.dumps(list(FILTERS)) + "</script></body></html>\n")
