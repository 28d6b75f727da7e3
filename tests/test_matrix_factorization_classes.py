"""The matrix_factorization claims' hypothesis classes and settings verdicts: formulas perturbed by 10–20 % are
refuted on drawn instances (with a shrunk counterexample), the printed Prop. 3 fails at a balanced component
started at σ0 < 0, and the experiments' settings verdicts refute only when every cell does at the paper's size."""
from __future__ import annotations

import numpy as np
import pytest

from checks.context import Context
from checks.papers.matrix_factorization import conservation, experiments, regularised, symmetric
from checks.papers.matrix_factorization import hypotheses as H
from checks.sampling import check_class
from checks.sensitivity import MIN_SEEDS, Setting, settings_verdict
from checks.verdict import Verdict, instances_of
from numerics.generated import matrix_factorization as G

OK, R, INC = Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE


def ctx(claim: str) -> Context:
    return Context(seed=0, claim=claim)


def test_classes_draw_within_the_papers_assumptions():
    from hypothesis import given, settings

    @settings(max_examples=40, database=None, deadline=None)
    @given(H.asymmetric(3, 5, 8).strategy)
    def sizes(d: H.Draw) -> None:
        assert 1 <= d.m <= d.n <= d.k <= 8 and 0.1 <= d.scale <= 2.0 and 0.1 <= d.ratio <= 10.0

    sizes()
    s, u0, v0 = H.spectral_components(H.Draw(seed=3, m=3, n=3, k=3, mode="balanced_opposite"))
    assert np.all(s > 0) and np.allclose(u0 ** 2 - v0 ** 2, 0.0) and np.all(u0 * v0 < 0)


def test_conservation_law_perturbed_by_15_percent_is_refuted_on_drawn_instances():
    cls = H.asymmetric(2, 3, 4)
    ok = check_class("Q", cls, H.on_asymmetric(conservation.check_eq11, symbolic=False, high_precision=False),
                     ctx("matrix_factorization.eq11"))
    assert ok.verdict is OK and instances_of(ok) >= 5
    bad = check_class("Q", cls, H.on_asymmetric(conservation.check_eq11, symbolic=False, high_precision=False,
                                                quantity=lambda U, V: U.T @ U - 0.85 * V.T @ V),
                      ctx("matrix_factorization.eq11"))
    assert bad.verdict is R and "seed" in bad.counterexample and "minimal counterexample" in bad.summary


def test_prop3_rate_10_percent_too_fast_is_refuted_and_the_general_statement_fails_at_a_balanced_component():
    cls = H.spectral_asymmetric(2, 3, 3, conservation.PROP3_RATE_RESTRICTED)
    assert check_class("rate", cls, conservation.check_prop3_rate, ctx("matrix_factorization.prop3.rate")).verdict \
        is OK
    faster = check_class("rate", cls, lambda d: conservation.check_prop3_rate(
        d, claimed_rate=lambda s, l0: 1.1 * G.prop3_rate(s, l0)), ctx("matrix_factorization.prop3.rate"))
    assert faster.verdict is R
    # v0 = −u0: λ0 = 0 and σ0 = −u0² < 0, so x = uv decays to 0 and never reaches σ
    one = conservation.check_prop3_rate(H.Draw(seed=0, m=1, n=1, k=1, mode="balanced_opposite"))
    assert one.verdict is R
    general = check_class("rate", H.spectral_asymmetric(2, 3, 3), conservation.check_prop3_rate,
                          ctx("matrix_factorization.prop3.rate_general"), examples=15)
    assert general.verdict is R and general.counterexample["mode"] == "balanced_opposite"


def test_prop3_closed_form_constant_off_by_15_percent_is_refuted():
    cls = H.spectral_asymmetric(2, 3, 4, ("free",))
    bad = check_class("(15)", cls, lambda d: conservation.check_prop3_closed_form(
        d, constant=lambda s, l0, x0: 1.15 * G.prop3_constant(s, l0, x0), symbolic=False),
        ctx("matrix_factorization.prop3.closed_form"))
    assert bad.verdict is R


def test_rate_bounds_claimed_15_percent_faster_are_refuted():
    c1 = check_class("Cor. 1", H.symmetric(4, 1), lambda d: symmetric.check_cor1_convergence(
        d.rng(), d.m, 50, claimed_rate=lambda s: 4.6 * np.abs(s).min(), scale=d.scale, yscale=d.yscale,
        symbolic=False), ctx("matrix_factorization.cor1.convergence"))
    assert c1.verdict is R

    def triple(s, l0, square):
        return 1.15 * (float(G.prop3_rate(s.min(), l0)) if square else abs(l0))
    p5 = check_class("Prop. 5", H.asymmetric(2, 3, 6), H.on_asymmetric(regularised.check_prop5_rate, dps=50,
                                                                      claimed=triple),
                     ctx("matrix_factorization.prop5.rate"))
    assert p5.verdict is R


def test_sbar_spectrum_with_a_10_percent_larger_eigenvalue_is_refuted():
    bad = check_class("S̄", H.asymmetric(2, 3, 3), lambda d: regularised.check_sbar_spectrum(
        d.rng(), d.m, d.n, half=0.55, yscale=d.yscale, ratio=d.ratio, symbolic=False),
        ctx("matrix_factorization.appE.spectrum"))
    assert bad.verdict is R


# --- settings verdicts --------------------------------------------------------------------------------------
def test_fig2_disagreeing_in_some_cells_only_is_inconclusive():
    # at paper size on enough seeds, a strict threshold refutes and a loose one confirms: the verdict rests on it
    inst = experiments.fig2_instance(np.random.default_rng(0), 3, 5, 20, 0.1)
    res = settings_verdict("Fig. 2", lambda p, seed: experiments.check_fig2(inst, p["threshold"]),
                           [Setting("threshold", 0.5, (1e-4, 0.5))], list(range(MIN_SEEDS)), at_paper_size=True,
                           measure=lambda r: max(r.evidence["values"]) - r.evidence["threshold"])
    verdicts = {c["verdict"] for row in res.evidence["sensitivity"] for c in row["cells"]}
    assert res.verdict is INC and verdicts == {"REFUTED", "CONFIRMED"} and "depends on the settings" in res.summary


@pytest.mark.parametrize("paper_size, seeds, expected", [(True, MIN_SEEDS, R), (False, MIN_SEEDS, INC),
                                                         (True, 2, INC)])
def test_fig1a_wrong_order_refutes_only_at_paper_size_on_enough_seeds(paper_size, seeds, expected):
    def cell(p, seed):
        return experiments.check_fig1a(np.random.default_rng(seed), 3, 5, 20, 1e-2, 1e-3, 20000,
                                       claimed_order="smallest first", level=p["level"])
    # seeds 0-3 and 5: the reversed order is refuted beyond 100× the time resolution in each (seed 4's smallest gap
    # at level ¼ is 97× it, undecided)
    res = settings_verdict("Fig. 1a", cell, [experiments.LEARNED_LEVEL], [0, 1, 2, 3, 5][:seeds],
                           at_paper_size=paper_size, measure=lambda r: max(r.evidence["values"]))
    assert res.verdict is expected and res.evidence["sensitivity"]


def test_fig2_flip_point_is_the_largest_gap():
    inst = experiments.fig2_instance(np.random.default_rng(0), 3, 5, 20, 0.1)
    gaps = experiments.check_fig2(inst, threshold=1.0).evidence["values"]
    res = settings_verdict("Fig. 2", lambda p, seed: experiments.check_fig2(inst, p["threshold"], p["aggregate"]),
                           experiments.FIG2_SETTINGS, [0], at_paper_size=False,
                           measure=lambda r: max(r.evidence["values"]) - r.evidence["threshold"])
    flips = experiments.fig2_flip_points(res)
    assert flips["max"] == pytest.approx(max(gaps), rel=1e-9)
    assert experiments.check_fig2(inst, threshold=flips["max"] * 1.01).verdict is OK



def test_lemma6_with_a_15_percent_smaller_x2_term_is_refuted_on_drawn_instances():
    from checks.papers.matrix_factorization import riccati

    bad = check_class("(27)", H.symmetric(3, 1), lambda d: riccati.check_lemma6(
        d.rng(), d.m, 50, x2_sign=0.85, scale=d.scale, symbolic=False, times=(0.7,)),
        ctx("matrix_factorization.lemma6"))
    assert bad.verdict is R
