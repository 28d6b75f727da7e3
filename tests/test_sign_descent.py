"""Tests of the sign_descent claims: each check gets its verdict on the paper's (reconstructed) version and REFUTED
on a perturbed formula or instance; plus the data generators, validation and formula regeneration."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.context import Context
from checks.papers.sign_descent import assumptions as A
from checks.papers.sign_descent import experiments as E
from checks.papers.sign_descent import gradient_descent as G
from checks.papers.sign_descent import implicit_bias as B
from checks.papers.sign_descent import instances as I
from checks.papers.sign_descent import mirror_map as M
from checks.papers.sign_descent import sign_flow as F
from checks.runner import run_claim
from checks.verdict import Verdict
from derivations import codegen
from derivations import sign_descent as S
from numerics import sign_descent as N
from numerics.generated.sign_descent import gd_weight_rates, ssd_dual_rate, ssd_weight_rates, woodworth_dual_map

HOLDS = (Verdict.PROVED, Verdict.CONFIRMED)


def holds(result) -> bool:
    return result.verdict in HOLDS


def is_refuted(result) -> bool:
    return result.verdict is Verdict.REFUTED


#: The quick tier's sizes.
Q = I.SIZES["quick"]


def own(claim: str) -> Context:
    """The quick-tier context of ``sign_descent.<claim>`` at seed 0: its own random streams, as the runner sets it."""
    return Context(seed=0, tier="quick", claim=f"sign_descent.{claim}")


def instance(claim: str, sizes: tuple[int, int], *parts: object, **kw) -> I.Instance:
    """A claim's own instance at seed 0, as its registered wrapper draws it."""
    return I.make_instance(own(claim).stream_seed(*parts), *sizes, **kw)


def pair(claim: str) -> I.Instance:
    """A claim's own block of two at seed 0, as its registered wrapper draws it."""
    return I.pair_instance(own(claim).stream_seed())


# --- generated formulas and data generators --------------------------------------------------------
def test_generated_file_is_current():
    path = Path(codegen.GENERATED_DIR) / "sign_descent.py"
    assert path.read_text(encoding="utf-8") == codegen.render("sign_descent", S.formulas())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 4), extra=st.integers(0, 6))
def test_assumption_32_generator(seed, n, extra):
    data = N.assumption_32_data(np.random.default_rng(seed), n, 2 * n + extra)
    assert N.has_disjoint_row_supports(data.X)
    assert N.gram_is_rank_one_block_diagonal(data.X, n)
    assert sorted(np.concatenate(data.blocks).tolist()) == list(range(data.d))
    assert np.all(data.y != 0) and all(np.all(data.X[k, c] != 0) for k, c in enumerate(data.blocks))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 4))
def test_assumption_38_generator(seed, n):
    data = N.assumption_38_data(np.random.default_rng(seed), n)
    assert data.d == 2 * n and all(len(c) == 2 for c in data.blocks)
    for k, c in enumerate(data.blocks):
        assert abs(data.X[k, c[0]]) >= abs(data.X[k, c[1]])


def test_assumption_33_range_is_consistent():
    data = N.assumption_38_data(np.random.default_rng(3), 2)
    a = 0.5 * N.alpha_max(data)
    assert min(N.assumption_33_margins(data, a, 0.5 * N.eps_max(data, a)).values()) > 0
    assert N.assumption_33_margins(data, a, 1.5 * N.eps_max(data, a))["eps_small"] < 0
    assert N.assumption_33_margins(data, 2 * N.alpha_max(data), 1e-6)["alpha_small"] < 0


@pytest.mark.parametrize("call", [
    lambda d: N.assumption_32_data(np.random.default_rng(0), 0, 4),
    lambda d: N.assumption_32_data(np.random.default_rng(0), 3, 4),
    lambda d: N.solve_ssd(d, -1.0, 0.1, np.linspace(0, 1, 3)),
    lambda d: N.solve_ssd(d, 0.1, 0.0, np.linspace(0, 1, 3)),
    lambda d: N.solve_ssd(d, 0.1, 0.1, np.array([1.0, 0.5])),
    lambda d: N.eps_max(d, float("nan")),
])
def test_validation(call):
    data = N.assumption_32_data(np.random.default_rng(0), 1, 4)
    with pytest.raises(ValueError):
        call(data)


def test_eq12_13():
    assert F.check_eq12_13().verdict is Verdict.PROVED
    assert is_refuted(F.check_eq12_13(lambda wp, wm, g, e: S.paper_eq13(wp, wm, g, 2 * e)))


def test_lp_norm():
    b = I.positive_points(own("sec3-3-1.lp_norm").rng())
    assert holds(M.check_lp_norm(b))
    assert is_refuted(M.check_lp_norm(b, p=sp.Integer(2)))


def test_higher_order():
    assert M.check_higher_order().verdict is Verdict.PROVED
    stated = lambda wd, g, e, order: S.paper_eq14(wd, g, 2 * e, order)  # noqa: E731
    assert is_refuted(M.check_higher_order(depths=(1, 2), stated=stated))


# --- gradient descent (appendix C) -----------------------------------------------------------------
def test_gd_dual():
    inst = instance("eq10", Q.gradient_flow)
    assert holds(G.check_gd_dual(inst))
    assert is_refuted(G.check_gd_dual(inst, factor=2))


def test_low_dim():
    inst = instance("sec3-2.low_dim", Q.gradient_flow)
    assert holds(G.check_low_dimensional(inst))
    assert is_refuted(G.check_low_dimensional(inst, data_transform=lambda X: X[:, ::-1]))
    # −∇Q_α (or 0) stays in the subspace too: the map itself is checked first (mutation-run gap)
    flipped = lambda b, a: -woodworth_dual_map(b, a)  # noqa: E731
    assert G.check_low_dimensional(inst, dual_map=flipped).verdict is Verdict.INCONCLUSIVE


def test_eq11():
    inst = instance("eq11", Q.gradient_flow)
    assert holds(G.check_eq11(inst))
    assert is_refuted(G.check_eq11(inst, minimiser=lambda d, a: N.woodworth_minimiser(d, 2 * a)))


# --- Assumption 3.2 --------------------------------------------------------------------------------
def test_assumption32_literal_is_refuted():
    mats = I.assumption32_matrices(own("assumption3-2").rng)
    assert is_refuted(A.check_assumption32_literal(mats))
    assert holds(A.check_assumption32_literal(mats, extra=()))


@pytest.mark.parametrize("rotate, verdict", [(A.rotate_to_disjoint, Verdict.CONFIRMED),
                                             (lambda X: X, Verdict.REFUTED)])
def test_assumption32_corrected(rotate, verdict):
    rng = own("assumption3-2.corrected").rng()
    assert A.check_assumption32_corrected(I.rotated_assumption32_matrices(rng), rng, rotate=rotate).verdict is verdict


# --- smoothed sign descent: Appendix A -------------------------------------------------------------
def test_prop3_4():
    inst = instance("prop3-4", Q.sign_flow)
    assert holds(F.check_prop3_4(inst))
    assert is_refuted(F.check_prop3_4(inst, rule=lambda tr: -F.dominating_by_paper(tr)))


def growing_rates(wp, wm, g, eps):
    rp, rm = ssd_weight_rates(wp, wm, g, eps)
    return np.abs(rp), np.abs(rm)


def test_product():
    inst = instance("sec3-3-1.product", Q.sign_flow)
    assert holds(F.check_product(inst))
    assert is_refuted(F.check_product(inst, rates=growing_rates))


def ascent_rates(wp, wm, g, eps):
    rp, rm = ssd_weight_rates(wp, wm, g, eps)
    return -rp, -rm


def decay_rates(wp, wm, g, eps):
    rp, rm = ssd_weight_rates(wp, wm, g, eps)
    return rp - 0.5 * wp, rm - 0.5 * wm


def test_lemma_a1():
    inst = instance("lemmaA-1", Q.stages)
    assert holds(F.check_lemma_a1(inst))
    assert is_refuted(F.check_lemma_a1(inst, rates=ascent_rates))


def test_prop3_5():
    inst = instance("prop3-5", Q.stages)
    assert holds(F.check_prop3_5(inst))
    assert is_refuted(F.check_prop3_5(inst, length=lambda a: 0.2 * a))


def prop3_6_instances() -> tuple[I.Instance, I.Instance]:
    return instance("prop3-6", Q.dual_dynamics), instance("prop3-6", (1, 2), "mp", pairs=True)


def test_prop3_6():
    inst, mp_inst = prop3_6_instances()
    assert holds(M.check_prop3_6(inst, mp_inst, Q.mp_times, 50))
    assert is_refuted(M.check_prop3_6(inst, mp_inst, Q.mp_times, 50,
                                      stated=lambda wd, g, e, order=2: S.paper_eq14(wd, g, 2 * e, order)))


@pytest.mark.slow
def test_prop3_6_numerical_part_refutes():
    inst, mp_inst = prop3_6_instances()
    assert is_refuted(M.check_prop3_6(inst, mp_inst, Q.mp_times, 50,
                                      dual_rate=lambda w, g, e: ssd_dual_rate(w, g, 2 * e)))


def test_lemma_a2():
    inst = instance("lemmaA-2", Q.stages)
    assert holds(F.check_lemma_a2(inst))
    assert is_refuted(F.check_lemma_a2(inst, quantity=lambda tr: tr.w_dom, level=lambda inst: 1.5 * inst.alpha))


def test_prop3_7():
    inst = instance("prop3-7", Q.stages)
    assert holds(F.check_prop3_7(inst))
    assert is_refuted(F.check_prop3_7(inst, quantity=lambda tr: 3 * tr.h_dom))


def test_lemma_a3():
    inst = instance("lemmaA-3", Q.stages)
    assert holds(F.check_lemma_a3(inst))
    assert is_refuted(F.check_lemma_a3(inst, rates=decay_rates))


def test_late_time():
    inst = instance("sec3-3-1.late_time", (1, Q.late_time_d))
    assert holds(F.check_late_time(inst))
    assert is_refuted(F.check_late_time(inst, approx=lambda G, e: np.ones_like(G)))


# --- figures and appendix B ------------------------------------------------------------------------
def test_figure1_stages():
    inst = I.figure1_instance(0, Q.figure1_d)
    assert holds(E.check_figure1_stages(inst))
    assert is_refuted(E.check_figure1_stages(inst, rtol=1e-4))


def test_figure1_eps():
    inst = I.figure1_instance(0, Q.figure1_d)
    assert holds(E.check_figure1_eps(inst))
    assert is_refuted(E.check_figure1_eps(inst, eps_fracs=(0.9, 0.6, 0.3, 0.1, 0.02)))


def test_lemma_b1():
    inst = pair("lemmaB-1")
    assert holds(B.check_lemma_b1(inst))
    assert is_refuted(B.check_lemma_b1(inst, larger=1))


def test_lemma_b2():
    base = pair("lemmaB-2")
    assert holds(B.check_lemma_b2(base))
    assert is_refuted(B.check_lemma_b2(base, bound=lambda inst: 0.9 * B.b2_bound(inst)))
    # a mis-evaluated bound that still satisfies the inequality decides nothing
    assert B.check_lemma_b2(base, bound=lambda inst: 1.02 * B.b2_bound(inst)).verdict is Verdict.INCONCLUSIVE


def test_lemma_b3():
    base = pair("lemmaB-3")
    assert holds(B.check_lemma_b3(base))
    assert is_refuted(B.check_lemma_b3(base, bound=lambda inst: 1.05 * B.b2_bound(inst)))
    # a mis-evaluated bound that still satisfies the inequality (e.g. a wrong coefficient of the cubic) decides nothing
    assert B.check_lemma_b3(base, bound=lambda inst: 0.98 * B.b3_bound(inst)).verdict is Verdict.INCONCLUSIVE


def test_theorem3_9():
    inst = pair("theorem3-9")
    assert holds(B.check_theorem3_9(inst))
    assert is_refuted(B.check_theorem3_9(inst, start=lambda lim: 1.1 * lim.theta0))


REVERSED = tuple(reversed(I.FRACS))


def test_cor3_10():
    lims = I.pair_sweep(0)
    assert holds(B.check_cor3_10(lims, I.FRACS))
    assert is_refuted(B.check_cor3_10(lims[::-1], REVERSED))


def test_figure2_and_3():
    lims = I.pair_sweep(0)
    assert holds(E.check_figure2(lims, I.FRACS)) and holds(E.check_figure3(lims, I.FRACS))
    assert is_refuted(E.check_figure2(lims[::-1], REVERSED)) and is_refuted(E.check_figure3(lims[::-1], REVERSED))


def test_cor3_11():
    inst = I.pair_instance(own("cor3-11").stream_seed(), n=Q.blocks)
    assert holds(B.check_cor3_11(inst))
    assert is_refuted(B.check_cor3_11(inst, aggregate=lambda v: float(np.sum(v))))


def test_cor3_12():
    lims = I.eps_sweep(tuple(own("cor3-12.measured").stream_seed()), I.FRACS, n=2)
    assert holds(B.check_cor3_12(lims, I.FRACS))
    assert is_refuted(B.check_cor3_12(lims[::-1], REVERSED))


def test_gd_rates_conserve_product():
    """Sanity of the generated formulas: GD conserves w₊w₋, smoothed sign descent lowers it."""
    wp, wm, g = np.array([1.3]), np.array([0.4]), np.array([-0.7])
    rp, rm = gd_weight_rates(wp, wm, g)
    assert abs(wm * rp + wp * rm)[0] < 1e-15
    sp_, sm_ = ssd_weight_rates(wp, wm, g, 0.1)
    assert (wm * sp_ + wp * sm_)[0] < 0


@pytest.mark.slow
def test_prop3_6_mpmath(registry):
    row = run_claim(registry["sign_descent.prop3-6"], Context(seed=0, tier="full", dps=40))
    assert holds(row.result) and any(k.startswith("mpmath") for k in row.result.evidence)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_quick(registry, seed):
    other = Context(seed=seed, tier="quick", dps=50)
    for cid in ("sign_descent.prop3-7", "sign_descent.lemmaB-1", "sign_descent.cor3-10.measured",
                "sign_descent.fig1.stages"):
        assert holds(run_claim(registry[cid], other).result), cid


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 3), extra=st.integers(0, 3),
       alpha_frac=st.floats(0.2, 0.9), eps_frac=st.floats(0.05, 0.95))
def test_flow_properties_on_random_instances(seed, n, extra, alpha_frac, eps_frac):
    """Prop. 3.4, Lemma A.1 and Lemma A.3 as properties of the solver output on random admissible instances."""
    data = N.assumption_32_data(np.random.default_rng(seed), n, 2 * n + extra)
    alpha = alpha_frac * N.alpha_max(data)
    eps = eps_frac * N.eps_max(data, alpha)
    inst = I.Instance(data, alpha, eps, [seed])
    traj = I.trajectory(inst, points=801)
    assert traj.flow.success
    tol = 2 * traj.error_of(lambda tr: np.concatenate([tr.wp, tr.wm, tr.residual], axis=1))
    assert min(traj.wp.min(), traj.wm.min()) >= -tol
    assert np.diff(traj.w_dom, axis=0).min() >= -tol and np.diff(traj.w_non, axis=0).max() <= tol
    assert np.diff(np.abs(traj.residual), axis=0).max() <= tol
    assert np.abs(traj.residual[-1]).max() <= tol


def test_every_entry_states_its_reconstruction(registry):
    entries = [c for c in registry.values() if c.paper == "sign_descent"]
    assert all(c.reconstruction for c in entries if not c.corrects)


# --- the sign flow's integrator (issue 9: benchmarks/bench_integrators.py chose it) ------------------
def test_solve_ssd_default_is_the_benchmarks_choice():
    """LSODA at rtol 1e-11, atol 1e-13: with the analytic Jacobian it reaches 1e-12 on Figure 1's limit level with
    DOP853, and the sign_descent claims take 1.5–2.2× as long with DOP853 (benchmarks/bench_integrators.py, section
    integrators, measures both)."""
    kw = N.solve_ssd.__kwdefaults__
    assert (kw["method"], kw["rtol"], kw["atol"]) == ("LSODA", 1e-11, 1e-13)


def test_solve_ssd_error_estimate_bounds_the_error():
    """Quick-tier Figure 1 instance: the default solve's estimate of β(T) (second solve at 1000× looser
    tolerances) bounds its error against a tight independent reference (DOP853 at rtol 1e-13)."""
    inst = I.figure1_instance(0, Q.figure1_d)
    T = N.ssd_horizon(inst.data, inst.alpha, inst.eps)
    t = np.linspace(0.0, T, 201)
    traj = N.solve_ssd(inst.data, inst.alpha, inst.eps, t)
    ref = N.solve_ssd(inst.data, inst.alpha, inst.eps, t, method="DOP853", rtol=1e-13, atol=1e-15)
    assert traj.flow.success and ref.flow.success
    err = np.max(np.abs(traj.beta[-1] - ref.beta[-1]))
    assert err <= traj.error_of(lambda tr: tr.beta[-1])
    assert np.max(np.abs(traj.beta - ref.beta)) <= traj.flow.error_estimate


# --- the sign flow's analytic Jacobian (numerics.sign_descent.ssd_jac) -------------------------------
def _random_state(seed: int) -> tuple[N.BlockData, float, np.ndarray]:
    """Assumption 3.2 data (α, ε as the claims take them) and a state with weights in [α/2, 1], any integral."""
    rng = np.random.default_rng(seed)
    n = 1 + seed % 3
    data = N.assumption_32_data(rng, n, 2 * n + 1 + seed % 4)
    alpha = 0.5 * N.alpha_max(data)
    eps = 0.3 * N.eps_max(data, alpha)
    return data, eps, np.concatenate([rng.uniform(alpha / 2, 1.0, 2 * data.d), rng.normal(size=data.d)])


def _central_difference(data: N.BlockData, eps: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central difference of the RHS at y (step ∛u·max(|y_j|, 1e-3), the truncation/rounding optimum) and the bound
    on its error: truncation, |D(2h) − D(h)| (3× D(h)'s h² term, which Richardson's expansion gives), plus rounding,
    2δf/(2h) with δf the first-order forward error of one RHS evaluation: the two products of g = Xᵀ(Xβ − y)/n
    (γ_{n+d+2}·|X|ᵀ(|X||β| + |y|)/n) times |∂rate/∂g| ≤ 2w/ε, plus a few ulps of the rate itself."""
    u = np.finfo(float).eps
    f = N.ssd_rhs(data, eps, ssd_weight_rates)
    d = data.d
    h = np.cbrt(u) * np.maximum(np.abs(y), 1e-3)

    def diff(mult: float) -> np.ndarray:
        cols = []
        for j in range(3 * d):
            yp, ym = y.copy(), y.copy()
            yp[j] += mult * h[j]
            ym[j] -= mult * h[j]
            cols.append((f(0.0, yp) - f(0.0, ym)) / (yp[j] - ym[j]))  # the step actually taken
        return np.column_stack(cols)

    d1, d2 = diff(1.0), diff(2.0)
    wp, wm = y[:d], y[d:2 * d]
    s = -np.sign(data.grad_beta(np.zeros(d)))
    dg = ((data.n + d + 2) * u * (np.abs(wp ** 2 - wm ** 2) @ np.abs(data.X.T) + np.abs(data.y)) @ np.abs(data.X)
          / data.n)
    w_rows = np.concatenate([wp, wm, np.where(s > 0, wp, wm)])
    delta_f = 2 * w_rows / eps * np.tile(dg, 3) + 8 * u * np.abs(f(0.0, y))
    return d1, np.abs(d2 - d1) + delta_f[:, None] / h[None, :]


@pytest.mark.parametrize("seed", range(6))
def test_ssd_jacobian_matches_central_difference(seed):
    data, eps, y = _random_state(seed)
    fd, tol = _central_difference(data, eps, y)
    jac = N.ssd_jac(data, eps)(0.0, y)
    assert jac.shape == (3 * data.d, 3 * data.d)
    assert np.all(np.abs(jac - fd) <= tol)
    assert np.all(jac[:, 2 * data.d:] == 0)  # the rates do not depend on the integral


@pytest.mark.parametrize("name, perturb", [
    ("ssd_weight_rate_partials", lambda out: out[:2] + (out[2] * (1 + 1e-3),) + out[3:]),  # ∂ẇ₊/∂g
    ("ssd_weight_rate_partials", lambda out: out[:4] + (out[4] * (1 + 1e-3),) + out[5:]),  # ∂ẇ₋/∂w₋
    ("ssd_dual_rate_partials", lambda out: (out[0] * (1 + 1e-3), out[1])),  # ∂(14)/∂w_d
    ("beta_partials", lambda out: (out[0], -out[1])),  # a sign slip in the chain rule of g
])
def test_perturbed_ssd_jacobian_is_detected(monkeypatch, name, perturb):
    data, eps, y = _random_state(1)
    fd, tol = _central_difference(data, eps, y)
    original = getattr(N, name)
    monkeypatch.setattr(N, name, lambda *a: perturb(tuple(np.broadcast_to(v, np.shape(a[0])) for v in original(*a))))
    assert np.any(np.abs(N.ssd_jac(data, eps)(0.0, y) - fd) > tol)


def test_solve_ssd_uses_the_jacobian_only_for_the_generated_rates(monkeypatch):
    inst = I.figure1_instance(0, Q.figure1_d)
    calls = []
    real = N.ssd_jac
    monkeypatch.setattr(N, "ssd_jac", lambda data, eps: calls.append(1) or real(data, eps))
    t = np.linspace(0.0, 1e-3, 3)
    N.solve_ssd(inst.data, inst.alpha, inst.eps, t)
    assert calls == [1]
    N.solve_ssd(inst.data, inst.alpha, inst.eps, t, rates=lambda wp, wm, g, e: ssd_weight_rates(wp, wm, g, 1.01 * e))
    assert calls == [1]
