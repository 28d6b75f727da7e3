"""The reports: evidence curves, plots drawn from evidence, the HTML page, the terminal table, ``show``, the
paper-text locator, the derivation trace, ``--from-json`` and the notebook card."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

import checks
from checks.context import Context
from checks.report.document import compact_json, is_numeric, load_document
from checks.report.figures import best_panel, claim_panels
from checks.report.html import to_html
from checks.report.markdown import to_markdown
from checks.report.seed_text import locate, seeds_dir
from checks.report.svg import panel_svg
from checks.report.table import print_table, shorten, split_id
from checks.report.trace import traced_run
from checks.verdict import (
    CURVE_KINDS,
    combine,
    curve,
    from_counts,
    from_errors,
    from_order_fit,
    from_threshold,
    proved,
    refuted,
)

ROOT = Path(__file__).resolve().parent.parent


def record(cid: str, result, **fields) -> dict:
    """A report record of a made-up claim."""
    base = {"id": cid, "paper": cid.split(".")[0], "section": "1", "equations": [], "statement": f"statement of {cid}",
            "kind": "identity", "tier": "quick", "source": "paper", "seed_file": "x.txt"}
    return {**base, **fields, **result.to_dict()}


def sample_document(basis: bool = False) -> dict:
    """A document with one claim of every evidence shape."""
    hs = [0.1, 0.05, 0.025, 0.0125]
    results = {
        "hb_nag.eq1": from_order_fit("fit", hs, [h ** 2 for h in hs], 2.0, variable="η"),
        "hb_nag.eq2": from_errors("agree", [1e-14, 0.0, 3e-13], 1e-12),
        "hb_nag.eq3": from_threshold("below", [0.5, 0.7], 1.0, [1e-3, 1e-3],
                                     instances=[{"lambda": 0.1, "seed": 0}, {"lambda": 0.2, "seed": 0}]),
        "matrix_factorization.eq4": from_counts("ranks", [(2, 2), (3, 3)]),
        "matrix_factorization.eq5": combine("two parts", {"a": proved("p", zero="0"),
                                                          "b": from_errors("e", [5.0], 1e-3)}),
        "sign_descent.eq6": from_errors("with curves", [1e-15], 1e-12, curves=[
            curve("residual_vs_t", [0, 1, 2], [1e-16, 2e-16, 4e-16], label="float64", xlabel="t", ylabel="residual",
                  log="y", reference={"tolerance": 1e-12}),
            curve("residual_vs_t", [0, 1, 2], [1e-40, 1e-40, 2e-40], label="50 digits", xlabel="t",
                  ylabel="residual", log="y")]),
        "sign_descent.eq7": proved("symbolic", zero="0"),
        "sign_descent.eq8": refuted("printed sign is wrong", counterexample={"x": 1}),
    }
    claims = [record(cid, res, **({"basis": "printed"} if basis else {})) for cid, res in results.items()]
    claims[4]["corrected_by"] = ["sign_descent.eq6"]
    tally = {v: sum(c["verdict"] == v for c in claims) for v in ("PROVED", "CONFIRMED", "REFUTED", "INCONCLUSIVE")}
    return {"run": {"seed": 0, "tier": "quick", "dps": 50, "python": "3", "versions": {}}, "tally": tally,
            "claims": claims}


def test_from_errors_keeps_every_instances_error():
    res = from_errors("x", [1e-14, 2e-13], 1e-12)
    assert res.evidence["errors"] == [1e-14, 2e-13] and res.evidence["max_error"] == 2e-13


def test_curve_schema_validates():
    c = curve("sweep", [1, 2], [3, 4], label="l", xlabel="λ", ylabel="gap", low=[2, 3], high=[4, 5])
    assert c == {"kind": "sweep", "label": "l", "x": [1.0, 2.0], "y": [3.0, 4.0], "xlabel": "λ", "ylabel": "gap",
                 "low": [2.0, 3.0], "high": [4.0, 5.0]}
    assert "residual_vs_t" in CURVE_KINDS
    for bad in ({"kind": "pie"}, {"x": [1]}, {"log": "z"}, {"low": [1]}):
        args = {"kind": "sweep", "x": [1, 2], "y": [3, 4], **bad}
        with pytest.raises(ValueError):
            curve(args.pop("kind"), args.pop("x"), args.pop("y"), label="l", xlabel="x", ylabel="y", **args)


def test_panels_follow_the_evidence_shapes():
    kinds = {c["id"]: [p.kind for p in claim_panels(c)] for c in sample_document()["claims"]}
    assert kinds == {"hb_nag.eq1": ["order"], "hb_nag.eq2": ["errors"], "hb_nag.eq3": ["threshold"],
                     "matrix_factorization.eq4": ["counts"], "matrix_factorization.eq5": ["errors"],
                     "sign_descent.eq6": ["errors", "curves"], "sign_descent.eq7": [], "sign_descent.eq8": []}
    six = claim_panels(sample_document()["claims"][5])
    assert len(six[1].data["curves"]) == 2 and best_panel(six).kind == "curves"


def test_svg_is_self_contained_deterministic_and_salted():
    panels = [p for c in sample_document()["claims"] for p in claim_panels(c)]
    for p in panels:
        svg = panel_svg(p, "salt")
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert svg == panel_svg(p, "salt")
        assert not re.search(r'(?:href|src)="(?!#)', svg), "an SVG must not refer outside itself"
    a, b = panel_svg(panels[0], "one"), panel_svg(panels[0], "two")
    assert set(re.findall(r'id="([^"]+)"', a)).isdisjoint(re.findall(r'id="([^"]+)"', b))
    assert "fitted slope 2" in panel_svg(panels[0], "s") and "claimed slope 2" in panel_svg(panels[0], "s")
    assert ">η<" in panel_svg(panels[0], "s")


def test_html_page_errata_first_filters_and_no_network():
    page = to_html(sample_document())
    assert page.startswith("<!DOCTYPE html>")
    assert page.index('id="errata"') < page.index('id="claims"')
    for name in ("paper", "verdict", "basis", "kind", "plot"):
        assert f'id="f-{name}"' in page
    assert re.search(r'id="f-basis" disabled', page), "no basis in the report: its filter is disabled"
    assert 'data-basis="printed"' in to_html(sample_document(basis=True))
    assert page.count('<tr class="claim"') == 8 and page.count("<svg") == 7
    assert "No plot: a symbolic proof." in page and "No plot: the check records no numbers" in page
    assert not re.search(r'<(?:script|img|link|iframe)[^>]+(?:src|href)=', page)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def test_markdown_keeps_its_layout():
    text = to_markdown(sample_document())
    assert text.startswith("# Check report\n\nSeed 0, tier quick, 50 digits; Python 3.")
    assert "## Errata: refuted claims as printed" in text
    assert "**Corrected form.** See `sign_descent.eq6` (CONFIRMED" in text
    assert "| `hb_nag.eq1` | paper §1 | statement of hb_nag.eq1 | **CONFIRMED** |" in text


def test_errata_hold_only_printed_refutations():
    doc = sample_document(basis=True)
    refuted = [c for c in doc["claims"] if c["verdict"] == "REFUTED"]
    assert refuted
    refuted[0]["basis"], refuted[0]["depends_on"] = "settings", "a 2 % reading of 'nearly indistinguishable'"
    text = to_markdown(doc)
    errata, rest = text.split("## Disagreements under our reading or settings")
    assert f"### {refuted[0]['id']}" not in errata and f"### {refuted[0]['id']}" in rest.split("## All verdicts")[0]
    assert "**Rests on** settings the paper does not give: a 2 % reading" in rest
    page = to_html(doc)
    assert page.index(refuted[0]["id"], page.index('id="disagreements"')) < page.index('id="claims"')


def test_table_fits_100_columns_and_verbose_cuts_nothing():
    doc = sample_document()
    long = "a long finding " * 40
    doc["claims"][0]["summary"] = long
    doc["claims"][0]["id"] = "momentum_dln.sec3-2-1.theta_mgf_vs_gf_delta_inf"
    for verbose in (False, True):
        console = Console(width=100, record=True, color_system=None)
        print_table(doc["claims"], doc["tally"], console, verbose)
        text = console.export_text()
        assert max(cell_len(line) for line in text.splitlines()) <= 100
        words = " ".join(text.split())
        assert ("…" in words) is not verbose
        assert (words.count("a long finding") == 40) is verbose
    assert shorten("one two three four five six", 9, 2).endswith("…")
    assert split_id("momentum_dln.sec3-2-1.theta_mgf_vs_gf_delta_inf", 25).split("\n")[0] == "momentum_dln.sec3-2-1."


def test_compact_json_keeps_plain_lists_on_one_line():
    assert compact_json({"a": [1, 2], "b": {"c": [{"d": 1}]}}) == (
        '{\n  "a": [1, 2],\n  "b": {\n    "c": [\n      {\n        "d": 1\n      }\n    ]\n  }\n}')


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checks", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_from_json_rebuilds_every_format(tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(sample_document()))
    for fmt, marker in (("html", "<!DOCTYPE html>"), ("markdown", "# Check report"), ("json", '"claims"')):
        out = tmp_path / f"r.{fmt}"
        res = run_cli("--from-json", str(saved), "--format", fmt, "--output", str(out))
        assert res.returncode == 0, res.stderr
        assert marker in out.read_text()
    assert load_document(tmp_path / "r.json")["tally"]["REFUTED"] == 2
    table = run_cli("--from-json", str(saved), "--strict", "--verbose")
    assert table.returncode == 1 and "printed sign is wrong" in table.stdout


@pytest.mark.parametrize("args, message", [
    (["--from-json", "/no/such.json"], "cannot read"),
    (["--from-json", "README.md"], "is not JSON"),
    (["--from-json", "pyproject.toml", "hb_nag"], "no selectors"),
    (["show"], "required"),
    (["show", "hb_nag.theorm3"], "close matches: hb_nag.theorem3"),
    (["show", "momentum_dln.appF-2-1.optimal_lambda_vs_mean", "--tier", "quick"], "full tier only"),
    (["show", "hb_nag.eq50", "--seed", "-1"], "--seed"),
])
def test_usage_errors_exit_2_with_one_line(args, message, tmp_path):
    out = run_cli(*args)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_show_prints_the_seed_text_and_the_rerun_command():
    if seeds_dir() is None:
        pytest.skip("no shared/seeds beside this checkout")
    out = run_cli("show", "momentum_dln.theorem1")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert re.search(r"Paper text: shared/seeds/002_03c766dc287737cf.txt, lines \d+–\d+", text)
    assert re.search(r"^\s+\d+ \| Theorem 1\. The solution", text, re.M)
    assert "Verdict: CONFIRMED" in text and '"errors": [' in text
    assert "numerics.generated.momentum_flow.mgf_rhs_coord" in text
    assert "python -m checks show momentum_dln.theorem1 --tier quick --seed 0 --dps 50" in text


def test_show_accepts_a_former_id_and_a_saved_report(tmp_path):
    saved = tmp_path / "r.json"
    rec = record("hb_nag.appC-2.alpha", refuted("alpha is wrong", counterexample={"mu": 0.5}))
    saved.write_text(json.dumps({"run": {"seed": 3, "tier": "quick", "dps": 50}, "claims": [rec]}))
    out = run_cli("show", "hb_nag.appC2_alpha_printed", "--from-json", str(saved))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("hb_nag.appC-2.alpha — ") and '"mu": 0.5' in out.stdout
    assert "Corrected form: hb_nag.appC-2.alpha_corrected" in out.stdout and "not traced" in out.stdout
    assert "--seed 3" in out.stdout


def test_every_claim_finds_the_papers_lines(registry):
    if seeds_dir() is None:
        pytest.skip("no shared/seeds beside this checkout")
    found = {cid: locate(c) for cid, c in registry.items()}
    assert all(p is not None and p.lines for p in found.values())
    by_words = sorted(cid for cid, p in found.items() if p.how == "statement")
    assert by_words == [], f"found only by the statement's words: {by_words}"


@pytest.mark.parametrize("cid, text", [
    ("momentum_dln.theorem1", "Theorem 1. The solution"), ("momentum_dln.eq27", "(27)"),
    ("momentum_dln.fig4.nonmonotone", "Figure 4"), ("momentum_dln.appC-3-1.bregman_cosine", "C.3.1"),
    ("sign_descent.lemmaA-1", "Lemma A.1."), ("hb_nag.theorem3", "Theorem 3"), ("hb_nag.property2", "Property 2:"),
    ("momentum_dln.footnote1", "1The approximation"), ("matrix_factorization.eq21.gradient", "(21)"),
])
def test_locator_finds_the_statement_line(registry, cid, text):
    if seeds_dir() is None:
        pytest.skip("no shared/seeds beside this checkout")
    passage = locate(registry[cid])
    assert passage.how == "anchor" and any(text in line for line in passage.lines), passage.quoted()


def test_trace_finds_the_derivation_and_the_generated_formula(registry):
    row, called = traced_run(registry["hb_nag.appC-2.alpha"], Context())
    assert row.result.verdict.value == "REFUTED"
    names = {f"{c.module}.{c.name}" for c in called}
    assert {"derivations.hb_nag.derived_alpha", "numerics.generated.hb_nag.alpha_nag"} <= names
    gen = next(c for c in called if c.name == "alpha_nag")
    assert gen.generated and "mu" in gen.formula and gen.source == "derivations/hb_nag.py formulas(): alpha_nag"


def test_checks_run_shows_itself_in_a_notebook():
    res = checks.run("matrix_factorization.sec2.acceleration_criterion")
    assert res.verdict.holds and res.id == "matrix_factorization.sec2.acceleration_criterion"
    html = res.html()
    assert "<svg" in html and "CONFIRMED" in html and "python -m checks show" in html
    assert "data:image/svg+xml;base64," in res.markdown()
    from IPython.core.formatters import DisplayFormatter  # what Jupyter shows: the same card

    shown, _ = DisplayFormatter().format(res)
    assert shown["text/html"] == html and shown["text/markdown"] == res.markdown()
    assert repr(res).startswith("ClaimResult(matrix_factorization.sec2.acceleration_criterion: CONFIRMED")
    assert checks.run("hb_nag.appC2_rho").id == "hb_nag.appC-2.rho"
    with pytest.raises(KeyError, match="close matches"):
        checks.run("hb_nag.theorm3")


def test_plots_cover_most_numeric_claims_of_a_report():
    doc = sample_document()
    numeric = [c for c in doc["claims"] if is_numeric(c)]
    assert sum(bool(claim_panels(c)) for c in numeric) / len(numeric) >= 0.6
