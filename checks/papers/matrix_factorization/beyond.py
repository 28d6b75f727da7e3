"""App. G of the paper (gradient descent's rate against the flow's) and beyond it: where the conservation law (11)
breaks (gradient descent, the heavy-ball flow) and how many conservation laws there are (the Lie-algebra count)."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import sympy as sp

from checks.context import Context
from checks.papers.matrix_factorization import KEY
from checks.papers.matrix_factorization import hypotheses as H
from checks.papers.matrix_factorization.instances import BEYOND, asymmetric_instance
from checks.registry import claim
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_counts, from_errors, from_order_fit, inconclusive, refuted
from derivations import conservation_laws as CL
from derivations import matrix_factorization as D
from numerics import matrix_factorization as N
from numerics.generated import matrix_factorization as G


def check_app_g_63(rate: sp.Expr = 4) -> Result:
    """(61)–(63) for the scalar flow with X' = ``rate``·σX − ``rate``·X², and the logistic solution's asymptotics."""
    r = D.app_g_residuals(rate)
    return residuals_vanish("(63)", {"(63) ode": r["(63) ode"], "(62) => X'": r["(62) => X'=4sX-4X^2"],
                                              "logistic - sigma ~ -c sigma e^{-4 sigma t}": sp.limit(
                                         (D.sigma_pos / (1 + D.c * sp.exp(-4 * D.sigma_pos * D.t)) - D.sigma_pos)
                                         * sp.exp(4 * D.sigma_pos * D.t), D.t, sp.oo) + D.c * D.sigma_pos})


@claim("matrix_factorization.eq63", section="App. G", equations=("61", "62", "63"), keys=(KEY + "app-g-eq-63",),
       statement="For scalar Y = σ, X = U² under U' = 2(σ − U²)U solves X' = 4σX − 4X², X(t) = σ/(1 + ce^{−4σt}) "
                 "≈ σ − cσe^{−4σt}.",
       kind="closed_form", reconstruction="(63) is garbled ('r-⅛σt'); read as the logistic σ/(1 + ce^{−4σt}).",
       basis="reconstructed")
def _g63(ctx: Context) -> Result:
    return check_app_g_63()


def app_g_64_symbolic() -> Result:
    """(64) symbolically."""
    r = D.app_g_residuals()
    return residuals_vanish("(64)", {"(64)": r["(64)"], "O(eta) part": r["O(eta) part of (64)"],
                                     "bound": r["bound gap"]})


def check_app_g_64(rng: np.random.Generator, etas: Sequence[float] = (0.04, 0.02, 0.01, 0.005),
                   continuous_rate: Callable[[float], float] = lambda s: 4 * s, *, yscale: float = 1.0,
                   scale: float = 1.0, symbolic: bool = True) -> Result:
    """(64) symbolically; numerically the GD tail rate per unit time r(η) → continuous rate with
    |r(η) − rate| = O(η) (σ = yscale·uniform(0.5, 1.5), X0 = 0.3·scale·σ, steps η/σ in the same units)."""
    s = float(rng.uniform(0.5, 1.5)) * yscale
    x0 = 0.3 * scale * s
    etas = [e / yscale for e in etas]  # the same steps per unit of σ at every scale (4ησ < 1 for stability)
    gaps, gaps_lin = [], []
    for eta in etas:
        steps = int(30 / (4 * s * eta))
        X = N.scalar_gd_factorised(s, x0, eta, steps)
        rate = N.tail_rate(X - s, eta, steps // 2, steps)
        gaps.append(abs(rate - continuous_rate(s)))
        gaps_lin.append(abs(float(G.gd_rate_linear(eta)) - 1.0))
    fit = from_order_fit("|discrete rate - continuous rate| vs eta (factorised)", list(etas), gaps, 1.0, sigma=s)
    fit_lin = from_order_fit("|discrete rate - 1| vs eta (linear, (59))", list(etas), gaps_lin, 1.0)
    parts = {"symbolic": app_g_64_symbolic()} if symbolic else {}
    return combine("App. G discrete rate", {**parts, "factorised": fit, "linear": fit_lin})


@claim("matrix_factorization.eq64", section="App. G", equations=("59", "60", "64"),
       keys=(KEY + "app-g-eq-64-and-discrete-rate",),
       statement="GD (60) gives X_{k+1} = X_k + 4η(σ − X_k)X_k + 4η²(σ − X_k)²X_k; dropping O(η²), "
                 "X̃_{k+1} ≤ (1 − 4ησ)X̃_k; the discrete rate per unit time matches 4σ (and (59)'s matches 1) up to O(η) "
                 "(fitted order; drawn σ > 0 and starting points X0 ∈ (0, σ)).", kind="rate", basis="printed",
       hypothesis_class=H.symmetric(1, 1))
def _g64(ctx: Context) -> Result:
    drawn = H.draw("discrete rate", H.symmetric(1, 1), lambda d: check_app_g_64(
        d.rng(), yscale=d.yscale, scale=min(d.scale, 3.0), symbolic=False), ctx)
    return H.with_drawn("App. G discrete rate", {"symbolic": app_g_64_symbolic()}, drawn)


# =========================================================================================================
# Beyond the paper: where the conservation law holds and where it breaks
# =========================================================================================================
def q_drift_gd(Y: np.ndarray, U0: np.ndarray, V0: np.ndarray, eta: float, T: float) -> float:
    """‖Q_N − Q_0‖_F after N = T/η steps of gradient descent on ½‖Y − UVᵀ‖²."""
    run = N.gd_two_layer(Y, U0, V0, eta, int(round(T / eta)), record_every=int(round(T / eta)))
    return float(np.linalg.norm(run.Q - run.Q0))


def check_gd_drift(rng: np.random.Generator, m: int, n: int, k: int, T: float = 1.0,
                   steps_per_curvature: Sequence[float] = (0.02, 0.01, 0.005, 0.0025), expected: float = 1.0, *,
                   scale: float = 0.5, ratio: float = 1.0, yscale: float = 1.0, symbolic: bool = True) -> Result:
    """Per step Q changes by exactly η²(G_UᵀG_U − G_VᵀG_V) (symbolic); over a fixed horizon the drift is O(η) (fit).

    Step sizes are η = c/L with L = ‖U0‖₂² + ‖V0‖₂² + ‖Y‖₂ (the curvature scale of the loss at the start), so that
    the sequence probes the η → 0 regime in the same dimensionless units at every size."""
    Y, U0, V0 = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
    L = float(np.linalg.norm(U0, 2) ** 2 + np.linalg.norm(V0, 2) ** 2 + np.linalg.norm(Y, 2))
    etas = [c_ / L for c_ in steps_per_curvature]
    T = min(T, 10.0 / L)  # a horizon of at most 10 curvature times: at most 10/c steps at every scale
    drifts = [q_drift_gd(Y, U0, V0, eta, T) for eta in etas]
    fit = from_order_fit("||Q_N - Q_0|| at t = N eta = T", list(etas), drifts, expected, T=T)
    if not symbolic:
        return fit
    return combine("GD drift of Q", {"symbolic": residuals_vanish("one GD step", {"Q step": D.gd_step_q_change()}),
                                     "fit": fit})


@claim("matrix_factorization.eq3.beyond_gd_drift", section="beyond (3)", equations=("11",), keys=(),
       statement="Gradient descent does not conserve Q = UᵀU − VᵀV: each step adds η²(G_UᵀG_U − G_VᵀG_V), so over a "
                 "fixed time horizon the drift is of order η (fitted exponent; drawn data and initialisations).",
       kind="order", basis="printed", hypothesis_class=H.asymmetric(2, 3, 4))
def _gd_drift(ctx: Context) -> Result:
    size = BEYOND.of(ctx).gd_drift
    drawn = H.draw("O(η) drift of Q", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_gd_drift, symbolic=False), ctx)
    sym = residuals_vanish("one GD step", {"Q step": D.gd_step_q_change()})
    return H.with_drawn("GD drift of Q", {"symbolic": sym}, drawn)


def check_heavy_ball(rng: np.random.Generator, m: int, n: int, k: int,
                     lams: Sequence[float] = (0.08, 0.04, 0.02, 0.01), T: float = 2.0,
                     expected_order: float = 1.0, *, scale: float = 0.5, ratio: float = 1.0, yscale: float = 1.0,
                     symbolic: bool = True) -> Result:
    """λQ'' + Q' = 2λ(U'ᵀU' − V'ᵀV') along the heavy-ball flow (words); numerically Q drifts far beyond the solver
    error, and the drift over [0, T] is of order λ (fit)."""
    Y, U0, V0 = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
    sh = N.Shapes(((m, k), (n, k)))
    # λ and T in units of the loss's curvature scale L at the start (as the GD drift's steps), so that every drawn
    # scale is probed in the same λ → 0 regime: λ·L ∈ lams, T·L ≤ 2
    L = max(1.0, float(np.linalg.norm(U0, 2) ** 2 + np.linalg.norm(V0, 2) ** 2 + np.linalg.norm(Y, 2)))
    lams, T = [lm / L for lm in lams], T / L
    drifts, breaks = [], []
    for lm in lams:
        sol = N.flow(N.grad_asymmetric(Y, k), N.Shapes.pack(U0, V0), np.array([0.0, T]), lam=lm)
        if not sol.success:
            return inconclusive(f"heavy-ball solve failed at lambda={lm}")
        dq = float(np.linalg.norm(N.gram_difference(*sh.unpack(sol["w"][-1])) - N.gram_difference(U0, V0)))
        drifts.append(dq)
        breaks.append((dq, N.propagated_error(sol.error_estimate, float(np.abs(sol["w"]).max()), m + n) * k))
    worst = min(breaks, key=lambda p: p[0] / p[1])
    # "far beyond": 100× the propagated solver error, so that rounding-level drift can never pass for a broken law
    if worst[0] > 100 * worst[1]:
        broken = from_errors("drift far beyond the solver error (conservation fails)", [0.0], 1.0,
                             drift_over_error=worst[0] / worst[1])
    else:
        broken = refuted("heavy ball conserves Q within the solver error",
                         counterexample={"drift": worst[0], "error": worst[1]})
    sym = {"symbolic": residuals_vanish("heavy-ball Q identity", {"words": D.heavy_ball_q_residual()})} if symbolic \
        else {}
    return combine("heavy ball breaks the law", {
        **sym, "drift >> error": broken,
        "order in lambda": from_order_fit("||Q(T) - Q(0)|| vs lambda", list(lams), drifts, expected_order)})


@claim("matrix_factorization.eq3.beyond_heavy_ball", section="beyond (3)", equations=("11",), keys=(),
       statement="The heavy-ball flow λW'' + W' = −∇ℓ does not conserve Q: λQ'' + Q' = 2λ(U'ᵀU' − V'ᵀV'), and from "
                 "rest the drift over a fixed horizon is of order λ (drawn data and initialisations).", kind="order",
       basis="printed", hypothesis_class=H.asymmetric(2, 3, 4))
def _hb(ctx: Context) -> Result:
    size = BEYOND.of(ctx).heavy_ball
    drawn = H.draw("heavy ball drifts at order λ", H.asymmetric(size.m, size.n, size.k),
                        H.on_asymmetric(check_heavy_ball, symbolic=False), ctx)
    sym = residuals_vanish("heavy-ball Q identity", {"words": D.heavy_ball_q_residual()})
    return H.with_drawn("heavy ball breaks the law", {"symbolic": sym}, drawn)


def check_conservation_counts(models: Sequence, rng: np.random.Generator,
                              known: Callable[[str, object], int] | None = None) -> Result:
    """D − dim Lie(∇φ)(θ) (numerical Lie algebra, two rank methods) against the known count and the exact number of
    independent known laws (symbolic Jacobian rank); the known laws are proved conserved symbolically. ``models`` as
    :data:`~checks.papers.matrix_factorization.instances.MODELS_QUICK`."""
    if known is None:
        known = lambda kind, size: size if kind in ("uv", "sq") else N.gram_law_count(*size)  # noqa: E731
    pairs, inst, sym = [], [], {}
    for kind, size in models:
        if kind == "uv":
            model, gens = CL.hadamard_uv(size), N.hadamard_generators(size)
        elif kind == "sq":
            model, gens = CL.squares_difference(size), N.hadamard_generators(size, squares=True)
        else:
            model, gens = CL.matrix_product(*size), N.uv_generators(*size)
        theta = rng.integers(-7, 8, len(model.params))
        lie = N.lie_algebra(gens, theta)
        exact = CL.independent_law_count(model)
        if len(model.params) <= 20:
            sym[model.name] = CL.conservation_residuals(model)
        k_ = known(kind, size)
        if lie.trace_rank_svd != lie.trace_rank_modp:
            return inconclusive(f"{model.name}: SVD rank {lie.trace_rank_svd} and mod-p rank {lie.trace_rank_modp} "
                                "differ")
        pairs.append((lie.laws, k_))
        pairs.append((lie.laws, exact))
        row = {"model": model.name, "D": lie.n_params, "lie_dim": lie.algebra_dim, "trace_rank": lie.trace_rank_svd,
               "laws_from_lie": lie.laws, "known": k_, "independent_known_laws": exact}
        inst += [row, row]
    return combine("conservation-law counts", {
        "known laws conserved": residuals_vanish("<grad h, grad phi_j> = 0", sym),
        "counts": from_counts("Lie-algebra count vs known count and vs independent known laws", pairs, inst)})


@claim("matrix_factorization.eq3.beyond_counts", section="beyond (3)", equations=("11", "14"), keys=(),
       statement="The number of independent conservation laws of gradient flow, D − dim Lie(∇φ)(θ), is d for u⊙v and "
                 "for u⊙u − v⊙v, and for UVᵀ (U m×k, V n×k) the number of independent entries of UᵀU − VᵀV: k(k+1)/2 "
                 "when k ≤ m + n, minus (k−m−n)(k−m−n+1)/2 beyond (the rank bound (22) at work); no other laws exist.",
       kind="other", basis="printed")
def _counts(ctx: Context) -> Result:
    return check_conservation_counts(BEYOND.of(ctx).counted_models, ctx.rng())
