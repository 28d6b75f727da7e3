"""momentum_dln, discrete time: the hypothesis classes of the numeric claims and the settings-robust verdicts of the
experiments (checks/papers/momentum_dln/hypotheses_discrete.py and the checks that use them)."""
from __future__ import annotations

import numpy as np
import pytest

from checks.context import Context
from checks.papers.momentum_dln import discrete_identities as DI
from checks.papers.momentum_dln import smgd as S
from checks.papers.momentum_dln.hypotheses_discrete import (
    IDENTITY_CLASS,
    SMGD_CLASS,
    SMGD_MOMENTUM_CLASS,
    SMGDDraw,
    draw_data,
)
from checks.verdict import Verdict, instances_of
from numerics.generated import momentum_discrete as G

QUICK = Context(seed=0, tier="quick", claim="momentum_dln.theorem2")


def test_draws_respect_the_stated_set():
    data, wp0, wm0, h = draw_data(SMGDDraw(3, 2, 5, 2, -1.0, 0.5, 0.3, 0.9, True, True, 0.5, 0.5, 1))
    assert data.X.shape == (2, 5) and np.allclose(data.X @ data.theta_star, data.y)
    assert h > 0 and np.all(np.abs(wp0 * wm0) > 0)  # Δ₀ > 0 in every coordinate
    assert np.any(wp0 * wm0 < 0)  # swapped u, v: |v₀| > |u₀| somewhere, θ₀ of any sign


def test_theorem2_class_confirms_and_a_perturbed_balancedness_is_refuted_and_shrunk():
    res = S.check_theorem2_class(SMGD_CLASS, QUICK)
    assert res.verdict is Verdict.CONFIRMED and instances_of(res) >= 5
    wrong = S.check_theorem2_class(SMGD_CLASS, QUICK, delta_inf=lambda d0, sp, sm: d0 * np.exp(-0.85 * (sp + sm)))
    assert wrong.verdict is Verdict.REFUTED
    assert {"n", "d", "c", "beta", "seed"} <= set(wrong.counterexample) and "first_found" in wrong.evidence


def test_theorem2_class_refutes_a_perturbed_perturbation_term():
    def theta_tilde(wp0, wm0, sp, sm):
        return 1.15 * G.theta_tilde_of(wp0, wm0, sp, sm)

    assert S.check_theorem2_class(SMGD_CLASS, QUICK, "with_replacement",
                                  theta_tilde=theta_tilde).verdict is Verdict.REFUTED


def test_corollary3_class_and_a_growing_balancedness():
    ctx = Context(seed=0, tier="quick", claim="momentum_dln.cor3")
    assert S.check_corollary3_class(SMGD_MOMENTUM_CLASS, ctx).verdict is Verdict.CONFIRMED
    grown = S.check_corollary3_class(SMGD_MOMENTUM_CLASS, ctx,
                                     delta_inf=lambda d0, sp, sm: d0 * np.exp(0.15 * (sp + sm)))
    assert grown.verdict is Verdict.REFUTED


@pytest.mark.parametrize("scale", [0.85, 1.15])
def test_identity_class_refutes_a_perturbed_potential(scale):
    ctx = Context(seed=0, tier="quick", claim="momentum_dln.eq29.corrected")

    def grad(theta, delta, phi):
        return scale * G.grad_potential_corrected_mp(theta, delta, phi)

    ok = DI.check_identity_class("eq29", lambda t: DI.check_eq29(t, G.grad_potential_corrected_mp),
                                 IDENTITY_CLASS, ctx)
    assert ok.verdict is Verdict.CONFIRMED and instances_of(ok) >= 5
    bad = DI.check_identity_class("eq29", lambda t: DI.check_eq29(t, grad), IDENTITY_CLASS, ctx)
    assert bad.verdict is Verdict.REFUTED and "beta" in bad.counterexample


def test_identity_claims_share_their_draws():
    a = DI.check_identity_class("a", DI.check_eq27, IDENTITY_CLASS, Context(claim="momentum_dln.eq27"))
    b = DI.check_identity_class("b", DI.check_residue_sums, IDENTITY_CLASS,
                                Context(claim="momentum_dln.appD-1.residue_sums"))
    keys = ("seed", "n", "d", "c", "beta")
    assert [[r[k] for k in keys] for r in a.evidence["per_instance"]] == \
        [[r[k] for k in keys] for r in b.evidence["per_instance"]]


# --- settings-robust experiment verdicts ----------------------------------------------------------------------
def test_figure1_speed_fails_in_some_cells_only_and_gives_its_flip_point():
    from checks.papers.momentum_dln import discretisation_experiments as X

    res = X.check_figure1_settings("fig1", X.check_figure1_speed, range(5), at_paper_size=True)
    assert res.verdict is Verdict.INCONCLUSIVE and "fails in" in res.summary
    assert 0.01 < res.evidence["holds_for_thresholds_from"] < 0.05 and len(res.evidence["seeds"]) == 5


@pytest.mark.parametrize("speedup", [3])
def test_figure1_a_wrong_speed_up_fails_in_every_cell_and_is_refuted_only_at_paper_size(speedup):
    from checks.papers.momentum_dln import discretisation_experiments as X

    def wrong(*a, **k):
        return X.check_figure1_speed(*a, beta_hat=X.exact_beta_hat, mgd_speedup=speedup, **k)

    assert X.check_figure1_settings("fig1", wrong, range(5), at_paper_size=True).verdict is Verdict.REFUTED
    assert X.check_figure1_settings("fig1", wrong, range(5), at_paper_size=False).verdict is Verdict.INCONCLUSIVE
    assert X.check_figure1_settings("fig1", wrong, range(3), at_paper_size=True).verdict is Verdict.INCONCLUSIVE


def test_discretisation_classes_confirm_and_a_15_percent_wrong_order_is_refuted():
    from checks.papers.momentum_dln import discretisation_experiments as X
    from checks.papers.momentum_dln.hypotheses_discrete import CURVATURE_CLASS, QUADRATIC_CLASS

    ctx = Context(seed=0, tier="quick", claim="momentum_dln.prop1.convergence")
    ok = X.check_prop1_class(QUADRATIC_CLASS, ctx)
    assert ok.verdict is Verdict.CONFIRMED and instances_of(ok) >= 5
    bad = X.check_prop1_class(QUADRATIC_CLASS, ctx, claimed_order=1.15)
    assert bad.verdict is Verdict.REFUTED and "lam" in bad.counterexample
    beta_ctx = Context(seed=0, tier="quick", claim="momentum_dln.sec2.regime_beta_large")
    assert X.check_regime_beta_large_class(CURVATURE_CLASS, beta_ctx).verdict is Verdict.CONFIRMED
    assert X.check_regime_beta_large_class(CURVATURE_CLASS, beta_ctx,
                                           claimed_exponent=-1.15).verdict is Verdict.REFUTED


def test_figure4_settings_refute_only_when_every_cell_fails_at_paper_size_on_five_seeds():
    from checks.papers.momentum_dln import discrete_experiments as E
    from checks.papers.momentum_dln.hypotheses_discrete import CLOSENESS_SETTING
    from checks.papers.momentum_dln.instances import FIGURE4_SIZES, figure4_grid

    def grids(seed):
        return figure4_grid(seed, FIGURE4_SIZES["quick"])

    def lam_only(gr, pt):
        return E.check_lambda_only(gr, pt["threshold"])

    # the reduced grids' spread at equal λ is far above every plausible threshold, on every seed
    args = ("λ only", lam_only, grids)
    res = E.check_grid_settings(*args, range(5), True, (CLOSENESS_SETTING,), E.threshold_excess)
    assert res.verdict is Verdict.REFUTED and len(res.evidence["sensitivity"]) == 3
    assert res.evidence["holds_for_thresholds_from"] > 0.05
    assert E.check_grid_settings(*args, range(5), False, (CLOSENESS_SETTING,),
                                 E.threshold_excess).verdict is Verdict.INCONCLUSIVE
    assert E.check_grid_settings(*args, range(4), True, (CLOSENESS_SETTING,),
                                 E.threshold_excess).verdict is Verdict.INCONCLUSIVE
    # a threshold above the flip point holds in every cell
    wide = E.check_grid_settings("λ only", lambda gr, pt: E.check_lambda_only(gr, 10.0), grids, range(5), True)
    assert wide.verdict is Verdict.CONFIRMED
    # the non-crossing claim fails on one data set of five only: undecided, with the table
    some = E.check_grid_settings("non-crossing", lambda gr, pt: E.check_noncrossing(gr), grids, range(5), True)
    assert some.verdict is Verdict.INCONCLUSIVE and "fails in 1 of 5" in some.summary


def _sweep(dist):
    from checks.papers.momentum_dln.instances import SweepPoint

    return tuple(SweepPoint(lam, 1.0 - lam / 2, 1.0 - lam / 3, 1.0, 0, dist, 1e-4, 1.0, 1e-4, 1e-12)
                 for lam in (0.0, 0.01, 0.1, 0.5, 1.0))


@pytest.mark.parametrize("bad_seeds, verdict", [(range(5), Verdict.REFUTED), ((2,), Verdict.INCONCLUSIVE),
                                                ((), Verdict.CONFIRMED)])
def test_sweep_claims_refute_only_on_five_failing_paper_size_data_sets(monkeypatch, bad_seeds, verdict):
    from checks.papers.momentum_dln import mgf_experiments as EX

    monkeypatch.setattr(EX, "sweep_for", lambda c: _sweep(0.05 if c.seed in bad_seeds else 0.001))
    full = Context(seed=0, tier="full", claim="momentum_dln.sec3-2-1.theta_mgf_vs_gf_delta_inf")
    cell = lambda pts, pt, seed: EX.check_normalised_distance(pts, "d")  # noqa: E731
    res = EX.sweep_verdict(full, "d", cell, measure=EX.threshold_excess)
    assert res.verdict is verdict and len(res.evidence["seeds"]) == 5
    quick = EX.sweep_verdict(Context(seed=0, tier="quick", claim="momentum_dln.fig8"), "d", cell,
                             measure=EX.threshold_excess)
    assert quick.verdict is not Verdict.REFUTED


def test_level_lines_settings_never_refute_on_one_trained_grid():
    from checks.papers.momentum_dln import architectures as A
    from checks.papers.momentum_dln.instances import ARCHITECTURE_SIZES, architecture_grid
    from numerics.momentum_discrete import GridTraining

    g, b = architecture_grid(ARCHITECTURE_SIZES["quick"])
    lam_only = GridTraining(g, b, np.zeros_like(g), np.exp(-g / (1 - b) ** 2), np.zeros(g.size, int))
    gamma_only = GridTraining(g, b, np.zeros_like(g), np.exp(-10 * g), np.zeros(g.size, int))
    ok = A.check_level_lines_settings("f", lambda r2: A.check_lambda_level_lines(lam_only, r2), True)
    assert ok.verdict is Verdict.CONFIRMED and len(ok.evidence["sensitivity"]) == 3
    bad = A.check_level_lines_settings("f", lambda r2: A.check_lambda_level_lines(gamma_only, r2), True)
    assert bad.verdict is Verdict.INCONCLUSIVE and "only 1 seed" in bad.summary


SCOPE = ("discretisation", "discretisation_experiments", "discrete_identities", "discrete_experiments", "smgd",
         "mgf_experiments", "architectures")
#: numeric quick entries checked on one instance, whose general statement is a full-tier entry of its own
ONE_INSTANCE = {"momentum_dln.sec2.acceleration_speedup": "momentum_dln.sec2.acceleration_speedup_general",
                "momentum_dln.sec2.regime_gamma_small": "momentum_dln.sec2.regime_gamma_small_general"}


def test_every_entry_has_its_basis_and_numeric_ones_their_class(registry):
    entries = [c for c in registry.values() if c.check.__module__.rsplit(".", 1)[-1] in SCOPE]
    assert len(entries) == 56
    for c in entries:
        assert c.basis in ("printed", "reconstructed", "settings"), c.id
        if c.basis == "settings":
            assert c.depends_on and c.kind in ("experiment", "asymptotic", "inequality"), c.id
    drawn = {c.id for c in entries if c.hypothesis_class is not None}
    assert {"momentum_dln.theorem2", "momentum_dln.eq29.corrected", "momentum_dln.prop1.convergence",
            "momentum_dln.cor3", "momentum_dln.lemma7"} <= drawn
    for one, general in ONE_INSTANCE.items():
        assert one not in drawn and general in drawn and "one drawn" in registry[one].statement


def test_a_run_converging_after_the_last_record_is_recorded_past_its_convergence():
    """A drawn run (found by the full tier) converging at step 70000, after DRAW_RECORD's last step 32000: its
    records are extended so that Lemma 2's last window shows the tail of the sums."""
    from checks.papers.momentum_dln.hypotheses_discrete import DRAW_RECORD, draw_run

    dr = SMGDDraw(seed=403, n=2, d=4, s=1, mu=0.0, sigma=0.5237715791273034, alpha=0.05, ratio=0.911679335076306,
                  swap=False, signs=False, c=0.48697335371176037, beta=0.0, batch=2)
    inst, run = draw_run(dr, "full", 400_000)
    assert run.converged_at[0] > DRAW_RECORD[-1] and run.history["step"][-1] > run.converged_at[0]
    assert S.check_lemma2(inst, run).verdict is Verdict.CONFIRMED


SWEEP_CLAIMS = ("sec3-2-1.theta_mgf_vs_gf_delta_inf", "sec3-2-1.theta_tilde0_negligible", "sec3-2.assumptions_hold",
                "fig3", "fig3.interval", "fig8", "fig9", "appF-2-1.optimal_lambda_vs_mean")


def test_sweep_claim_wrappers_on_synthetic_sweeps(monkeypatch, registry):
    """Each λ-sweep entry's wrapper runs its cells over the seeds and settings (synthetic sweeps: no MGF solve)."""
    from checks.papers.momentum_dln import mgf_experiments as EX

    monkeypatch.setattr(EX, "sweep_for", lambda c: _sweep(0.001))
    monkeypatch.setattr(EX, "sweeps_for", lambda c, mus: {mu: _sweep(0.001) for mu in mus})
    full = Context(seed=0, tier="full", claim="momentum_dln.fig8")
    check = {name: registry[f"momentum_dln.{name}"].check for name in SWEEP_CLAIMS}
    for name, fn in check.items():
        res = fn(full)
        assert res.verdict is not Verdict.REFUTED or len(res.evidence["seeds"]) >= 5, name
        assert "sensitivity" in res.evidence, name
    assert len(check["fig9"](full).evidence["seeds"]) == 1 and len(check["fig8"](full).evidence["seeds"]) == 5
