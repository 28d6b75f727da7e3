"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``, driven by Playwright) opens the page
written by ``python -m checks --format html``, filters it to REFUTED and checks the counts, opens a claim's plot and
takes a screenshot, and sees no request leave the page.

``make test`` installs Chromium when it is missing (as root, as on CI). The test fails when the browser cannot be
started, except on a machine where we are not root and Chromium is not installed: there it skips and says why.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Claims that run in seconds and give REFUTED and PROVED rows, plots of an order fit, a threshold and counts.
CLAIMS = ("hb_nag.appC-2.*", "matrix_factorization.prop3.*", "matrix_factorization.sec2.acceleration_criterion",
          "matrix_factorization.table2", "sign_descent.assumption3-2", "sign_descent.prop3-4")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """The system Chromium (``CHROMIUM`` overrides), or None."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def must_run() -> bool:
    """On CI, or as root (where ``make test`` installs Chromium), a missing browser is a failure, not a skip."""
    return bool(os.environ.get("CI")) or os.geteuid() == 0


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with a fresh profile and no network, driven by Playwright."""
    exe = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        exe = None
    if exe is None:
        reason = ("Chromium or Playwright missing: `make test` installs them (apt-get install chromium; "
                  "pip install .[test])")
        if must_run():
            pytest.fail(reason)
        pytest.skip(reason + "; not root here, so the browser test is skipped")
    with sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")), executable_path=exe, headless=True,
                args=CHROMIUM_FLAGS, viewport={"width": 1280, "height": 900}, timeout=60_000)
        except Exception as exc:  # a browser that does not start must fail the test, never skip it
            pytest.fail(f"Chromium at {exe} did not start: {exc}")
        yield context
        context.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    """The page written by the command line for a few fast claims, and the same run as JSON."""
    folder = tmp_path_factory.mktemp("report")
    page, data = folder / "report.html", folder / "report.json"
    for fmt, out in (("html", page), ("json", data)):
        done = subprocess.run([sys.executable, "-m", "checks", *CLAIMS, "--format", fmt, "--output", str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
    return page, json.loads(data.read_text())


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_filter_to_refuted_and_open_a_plot(browser, report, tmp_path):
    path, doc = report
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    total = len(doc["claims"])
    assert page.inner_text("#shown") == f"{total} of {total} claims shown"
    errata = [c for c in doc["claims"] if c["verdict"] == "REFUTED" and c.get("basis", "printed") == "printed"]
    assert page.locator("#errata article.erratum").count() == len(errata)
    assert page.locator("#errata article.erratum").count() + page.locator(
        "#disagreements article.erratum").count() == doc["tally"]["REFUTED"]

    page.select_option("#f-verdict", "REFUTED")
    refuted = [c["id"] for c in doc["claims"] if c["verdict"] == "REFUTED"]
    assert page.inner_text("#shown") == f"{len(refuted)} of {total} claims shown"
    visible = page.locator("tr.claim:visible")
    assert visible.count() == len(refuted)
    assert sorted(visible.evaluate_all("rows => rows.map(r => r.dataset.detail.slice(7))")) == sorted(refuted)
    assert page.inner_text('[data-count="REFUTED"]') == str(len(refuted))
    assert page.inner_text('[data-count="CONFIRMED"]') == "0"

    page.select_option("#f-plot", "yes")
    row = page.locator("tr.claim:visible").first
    claim_id = row.evaluate("r => r.dataset.detail.slice(7)")
    row.locator("button.toggle").click()
    detail = page.locator(f"[id='detail-{claim_id}']")
    assert detail.is_visible()
    plot = detail.locator("figure.plot svg").first
    assert plot.is_visible() and plot.bounding_box()["width"] > 200
    shot = tmp_path / "plot.png"
    plot.screenshot(path=str(shot))
    width, height = png_size(shot)
    assert width > 200 and height > 100 and shot.stat().st_size > 5_000
    page.screenshot(path=str(tmp_path / "page.png"))
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests


def test_other_filters_search_and_links(browser, report):
    path, doc = report
    page = browser.new_page()
    page.goto(path.as_uri())
    page.select_option("#f-paper", "hb_nag")
    page.select_option("#f-kind", "closed_form")
    expected = [c for c in doc["claims"] if c["paper"] == "hb_nag" and c["kind"] == "closed_form"]
    assert page.locator("tr.claim:visible").count() == len(expected) > 0
    page.select_option("#f-paper", "")
    page.select_option("#f-kind", "")
    page.fill("#f-text", "table2")
    assert page.locator("tr.claim:visible").count() == 1
    page.fill("#f-text", "")
    page.locator("#errata a").first.click()
    page.wait_for_selector("tr.detail:visible", timeout=30_000)  # the link opens its row on 'hashchange' (async)
    opened = page.locator("tr.detail:visible")
    assert opened.count() == 1 and "Rerun." in opened.inner_text()
