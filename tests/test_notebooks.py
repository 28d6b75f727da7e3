"""The notebooks: each executes, saves at least one figure with its committed outputs, shows a verdict card
(``checks.run``), is lint-clean, and shows the key numbers the derivations and the checks give.

Each notebook ends with a cell tagged ``key-numbers`` that prints a JSON record of what it shows; the tests execute
the notebook once (outputs are not saved) and compare that record with values recomputed here from the derivations,
with the bounds the working precision implies, and with the numbers the notebook's text quotes.
"""
from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]
KEY_TAG = "key-numbers"


@functools.lru_cache(maxsize=None)
def executed(name: str) -> Any:
    """The notebook ``name`` executed in a fresh kernel (once per test session; outputs are not saved)."""
    sys.path.insert(0, str(FOLDER))
    from execute import execute

    return execute(FOLDER / f"{name}.ipynb", save=False)


def committed(name: str) -> Any:
    import nbformat

    return nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)


def outputs(nb: Any) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def figures(nb: Any) -> int:
    """Matplotlib figures among the outputs (an image whose text is matplotlib's "<Figure size ...>")."""
    return sum(1 for o in outputs(nb) if o.get("output_type") == "display_data"
               and {"image/png", "image/svg+xml"} & set(o.get("data", {}))
               and str(o["data"].get("text/plain", "")).startswith("<Figure"))


def cards(nb: Any) -> list[str]:
    """The HTML of the verdict cards (``checks.run`` results) among the outputs."""
    return [o["data"]["text/html"] for o in outputs(nb) if "text/html" in o.get("data", {})
            and "Rerun:" in o["data"]["text/html"]]


def key_numbers(nb: Any) -> dict[str, Any]:
    """The JSON record printed by the cell tagged ``key-numbers``."""
    cells = [c for c in nb.cells if KEY_TAG in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {KEY_TAG!r}, found {len(cells)}"
    text = "".join(o.get("text", "") for o in cells[0].get("outputs", []) if o.get("output_type") == "stream")
    return json.loads(text.strip().splitlines()[-1])


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "the notebooks folder holds no notebook"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_keeps_its_figures_and_key_numbers(name: str) -> None:
    nb = committed(name)
    assert figures(nb) >= 1, f"{name}: no figure saved with the committed outputs (run notebooks/execute.py)"
    assert cards(nb), f"{name}: no verdict card (checks.run) in the committed outputs"
    assert key_numbers(nb)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_with_figures_and_a_verdict_card(name: str) -> None:
    nb = executed(name)
    assert figures(nb) >= 1
    found = cards(nb)
    assert found
    card = key_numbers(nb)["card"]
    assert any(card["id"] in html and card["verdict"] in html for html in found)


def test_notebooks_are_lint_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and not shutil.which("ruff"):
        pytest.skip("ruff is not installed")
    done = subprocess.run([ruff, "check", str(FOLDER)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_momentum_dln_continuous_key_numbers() -> None:
    from derivations import hyperbolic_entropy as HD

    kn = key_numbers(executed("momentum_dln_continuous"))
    limits = (HD.small_scale_ratio_limit(HD.lemma4_paper), HD.small_scale_ratio_limit(HD.lemma4_corrected),
              HD.small_scale_ratio_limit(HD.poster_small_scale), HD.large_scale_ratio_limit(HD.poster_large_scale))
    assert kn["lemma4_limits"] == [str(v) for v in limits] == ["2", "1", "1", "1"]  # Lemma 4's constant is off by 2
    prop4 = kn["prop4"]
    assert kn["crossings"]["positive"] == 0 < kn["crossings"]["crossing"]  # the identity needs no crossing
    assert prop4["digits"] >= 40 and prop4["dps"] >= prop4["digits"] - 1  # issue 17: 40 digits or more
    # float64: far from 40 digits, but at its own floor (a few hundred ulps of the O(1) quantities, rtol 1e-11)
    assert 1e-16 < prop4["float64_max"] < 1e-9
    assert prop4["train_loss"] == pytest.approx([1.27, 0.22], abs=0.005)  # as the text says: the flow moves by O(1)
    for gap in kn["theorem1_gap"].values():  # Theorem 1's prediction against the float64 limit
        assert gap < 1e-10
    assert kn["verdicts"]["momentum_dln.theorem1"] == kn["card"]["verdict"] == "CONFIRMED"
    assert kn["verdicts"]["momentum_dln.poster4.i_formula"] == "REFUTED"  # I± = −λ∫(ẇ/w)² cannot be positive


def test_momentum_dln_discrete_key_numbers() -> None:
    from derivations import momentum_discrete as D

    kn = key_numbers(executed("momentum_dln_discrete"))
    assert kn["mismatch"] == str(D.grad_potential_mismatch(D.potential_appendix_d)) == "2*phi"
    assert kn["eq27_worst"] < 1e-40  # eq. (27) along 50-digit iterates
    v = kn["identity_verdicts"]
    assert v["eq. (28), stated potential"] == v["eq. (29), stated potential"] == "REFUTED"
    assert v["eq. (28), corrected potential"] == v["eq. (29), corrected potential"] == v["eq. (27)"] == "CONFIRMED"
    assert kn["card"] == {"id": "momentum_dln.eq28", "verdict": v["eq. (28), stated potential"]}
    assert set(kn["theorem2_verdicts"].values()) == {"CONFIRMED"}


def test_momentum_dln_discretisation_key_numbers() -> None:
    import sympy as sp

    from derivations import momentum_discretisation as D

    kn = key_numbers(executed("momentum_dln_discretisation"))
    for order in kn["convergence"]["orders"].values():  # Prop. 1: MGD follows MGF at first order in ε
        assert abs(order - 1) < 0.1
    assert abs(kn["regime_beta_large"]["order"] + 1) < 0.15  # iterations grow like (1 − β)^−1
    assert kn["footnote1"] == str(sp.factor(D.footnote1_series(4)))
    assert kn["safe_check"] == ["0", "1", "exp(1/2)"]
    # the numbers the text quotes: 1.9 %, 0.94 %, 0.19 % with β², 0.4 % with the exact β̂ (β = 0.9)
    speed = kn["figure1"]["momentum_dln.fig1.speed"]["values"]
    exact = kn["figure1"]["momentum_dln.fig1.speed_exact_beta"]["values"]
    for got, quoted in zip(speed[:3] + exact[:1], (0.019, 0.0094, 0.0019, 0.004)):
        assert got == pytest.approx(quoted, rel=0.1)
    # β² at β = 0.9 is beyond the paper's 1 % threshold on the notebook's quadratic: over the plausible settings the
    # printed claim holds only from a threshold above 1 %, so it is not CONFIRMED
    fig1 = kn["figure1"]["momentum_dln.fig1.speed"]
    assert fig1["holds_for_thresholds_from"] >= speed[0] > 0.01 > exact[0] and fig1["verdict"] != "CONFIRMED"


def test_hb_nag_key_numbers() -> None:
    import sympy as sp

    from derivations import hb_nag as D

    kn = key_numbers(executed("hb_nag"))
    a_hb, a_nag = D.derived_alpha("hb"), D.derived_alpha("nag")
    assert kn["alpha_differences"] == {"hb": str(sp.simplify(D.paper_alpha_hb(D.eta, D.mu) - a_hb)),
                                       "nag": str(sp.simplify(D.paper_alpha_nag(D.eta, D.mu) - a_nag)),
                                       "nag_c2": str(sp.simplify(D.paper_alpha_nag_c2(D.eta, D.mu) - a_nag))}
    assert kn["alpha_differences"]["hb"] == kn["alpha_differences"]["nag"] == "0" != kn["alpha_differences"]["nag_c2"]
    for slope in kn["prop1_slopes"].values():  # every α gives order ≈ 1 (the initial transient dominates)
        assert 0.8 < slope < 1.2
    s = kn["theorem3_slopes"]
    assert s["paper R^M"] < 0.5 and 1.7 < s["corrected R^M"] < 2.3 and 0.7 < s["corrected R^M, ξ instead of ξ̄"] < 1.3
    full, late = kn["residual_orders"]["Property 4"]  # O(η) at t = 0 (initial layer), O(η²) after it
    assert abs(full - 1) < 0.2 and abs(late - 2) < 0.3
    # Theorem 3 as printed is refuted; its corrected form is not (its drawn NAG instances may leave it INCONCLUSIVE
    # in the quick tier while their fitted orders converge), and the notebook's own fit gives its η² order above
    printed, corrected = kn["failing"]["hb_nag.theorem3"]
    assert printed == kn["card"]["verdict"] == "REFUTED"
    assert corrected in {"CONFIRMED", "INCONCLUSIVE"}


def test_matrix_factorization_key_numbers() -> None:
    kn = key_numbers(executed("matrix_factorization"))
    cf = kn["closed_form"]  # closed form (6) at 40 digits against the float64 flow: within the flow's own error
    assert cf["max_error"] <= 10 * cf["solver_error"] + 1e-12
    for fitted, predicted in zip(kn["prop3_rates"]["fitted"], kn["prop3_rates"]["predicted"]):
        assert fitted == pytest.approx(predicted, rel=0.02)  # the rate √(4σ² + λ0²)
    assert kn["signs_of_c"]["x0=2"] < 0 < kn["signs_of_c"]["x0=0.5"]  # C has the sign of σ − x0
    assert kn["eq55"]["printed"] != "0" and set(kn["eq55"]["corrected"]) == {"0"}
    for row in kn["lie"]:  # laws = D − rank of the Lie algebra at θ, and they match the known independent laws
        assert row["laws"] == row["known"] == row["D"] - row["trace_rank"]
    assert kn["card"] == {"id": "matrix_factorization.prop3.constant_positive",
                          "verdict": kn["verdicts"]["matrix_factorization.prop3.constant_positive"]}
    assert kn["verdicts"]["matrix_factorization.prop3.constant_sign"] == "PROVED"


def test_sign_descent_key_numbers() -> None:
    kn = key_numbers(executed("sign_descent"))
    assert kn["dispersion"]["0.05"] < kn["dispersion"]["0.9"]  # small ε: |θ(∞)| gather at ±c
    for eps, lower, q, upper in kn["appendix_b"]:  # w_{d,2}(t1) between the cubic bounds of B.3 and B.2
        assert lower <= q <= upper
    kkt = kn["pair_sweep"]["kkt"]  # Corollaries 3.10/3.12, measured: δ(ε) decreases along increasing ε
    assert all(b < a for a, b in zip(kkt, kkt[1:]))
    assert kn["assumption32"] == {"gram_rank_one_blocks": True, "disjoint_rows": False}
    assert kn["card"] == {"id": "sign_descent.assumption3-2", "verdict": "REFUTED"}
    assert kn["verdicts"]["sign_descent.assumption3-2"] == "REFUTED"
    assert kn["verdicts"]["sign_descent.assumption3-2.corrected"] == "CONFIRMED"
