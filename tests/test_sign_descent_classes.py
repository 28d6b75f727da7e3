"""The sign_descent claims' hypothesis class: draws stay inside the (reconstructed) assumptions, formulas perturbed
by 10–20 % are refuted on drawn instances with a shrunk counterexample, and the figures' settings verdicts cannot
refute (their sizes are lost)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from checks.context import Context
from checks.papers.sign_descent import experiments as E
from checks.papers.sign_descent import gradient_descent as G
from checks.papers.sign_descent import hypotheses as H
from checks.papers.sign_descent import implicit_bias as B
from checks.papers.sign_descent import sign_flow as F
from checks.sampling import check_class
from checks.sensitivity import MIN_SEEDS, Setting, settings_verdict
from checks.verdict import Verdict, instances_of
from numerics import sign_descent as N

OK, R, INC = Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE


def ctx(claim: str) -> Context:
    return Context(seed=0, claim=claim)


@settings(max_examples=30, database=None, deadline=None)
@given(H.data(3, 9).strategy)
def test_draws_meet_assumptions_3_2_and_3_3(d):
    inst = d.instance()
    assert 1 <= d.n <= 3 and 2 * d.n <= d.d <= 9 and N.has_disjoint_row_supports(inst.data.X)
    assert min(N.assumption_33_margins(inst.data, inst.alpha, inst.eps).values()) > 0


def test_eq11_with_a_15_percent_larger_alpha_is_refuted_on_drawn_instances():
    cls = H.data(2, 6)
    ok = check_class("eq11", cls, lambda d: G.check_eq11(d.instance()), ctx("sign_descent.eq11"))
    assert ok.verdict is OK and instances_of(ok) >= 5
    bad = check_class("eq11", cls, lambda d: G.check_eq11(
        d.instance(), minimiser=lambda data, a: N.woodworth_minimiser(data, 1.15 * a)), ctx("sign_descent.eq11"))
    assert bad.verdict is R and "seed" in bad.counterexample and "minimal counterexample" in bad.summary


def test_lemma_b2_bound_15_percent_low_is_refuted_on_drawn_blocks():
    bad = check_class("lemma_b2", H.data(1, 2, pairs=True), lambda d: B.check_lemma_b2(
        d.instance(), bound=lambda inst: 0.85 * B.b2_bound(inst)), ctx("sign_descent.lemmaB-2"))
    assert bad.verdict is R


def test_theorem3_9_start_off_by_15_percent_is_refuted_on_drawn_blocks():
    bad = check_class("theorem3_9", H.data(1, 2, pairs=True), lambda d: B.check_theorem3_9(
        d.instance(), start=lambda lim: 1.15 * lim.theta0), ctx("sign_descent.theorem3-9"))
    assert bad.verdict is R


def test_prop3_5_warmup_bound_halved_is_refuted_somewhere_in_the_class():
    # t₀ ≤ 2α is an upper bound with slack (1.7α still holds on the drawn instances); α fails on one of them
    bad = check_class("prop3_5", H.data(3, 9), lambda d: F.check_prop3_5(d.instance(), length=lambda a: 1.0 * a),
                      ctx("sign_descent.prop3-5"))
    assert bad.verdict is R


def test_figures_never_refute_at_lost_sizes_even_when_every_cell_disagrees():
    inst = H.Draw(seed=1, n=1, d=6).instance()
    res = settings_verdict("Fig. 1", lambda p, seed: E.check_figure1_eps(inst, eps_fracs=(0.9, 0.6, 0.3, 0.1, 0.02)),
                           [Setting("alpha_frac", 0.5, (0.5,))], list(range(MIN_SEEDS)), at_paper_size=False)
    assert res.verdict is INC and all(c["verdict"] == "REFUTED" for row in res.evidence["sensitivity"]
                                      for c in row["cells"])


def test_figure_seeds_by_tier():
    assert len(E.experiment_seeds(Context(tier="full"))) == MIN_SEEDS
    assert len(E.experiment_seeds(Context(tier="quick"))) == 2
    assert E.alpha_setting(Context(tier="quick"), full_only=True).plausible == (0.5,)
    assert np.allclose(E.alpha_setting(Context(tier="full"), full_only=True).plausible, (0.25, 0.5, 0.75))
