"""Hypothesis classes of the hb_nag flow claims: the regression data, initialisations, momenta and methods that
App. D's statements quantify over, drawn by Hypothesis (:func:`checks.sampling.check_class`).

The paper's statements about HB/NAG flow (Properties 2–4, eqs. (23)–(63), Proposition 4, Theorem 3) hold for any
data (X, y), any momentum μ ∈ (0, 1), HB and NAG alike, from any initialisation with ξ = |u(0)⊙v(0)| > 0
(Proposition 4 and the unbiased parts: u(0) = v(0); Theorem 3's biased part: u(0) ≠ v(0)). A :class:`FlowDraw`
is one such point: a data seed, sizes n < d (so that interpolators exist), a data scale σ, μ, an initial scale
with per-coordinate magnitudes and signs, a bias and the method. μ is drawn in [0.05, 0.9], scales in [0.2, 0.45]
(ξ_j from 0.01 to 0.46) and σ in [0.5, 0.9], so that the O(η²) residuals stay above the solver's resolution; the
horizon is stretched by the draw's slower time scale (:func:`draw_horizon`), and a draw whose flow still does not
reach an interpolator (where the limit claims assume it does) is :func:`checks.sampling.inapplicable`.

Cost: a draw needs four flow solves (the learning rates of :func:`draw_etas`). The claims that share a class draw the
same instances (one Hypothesis stream per class, :data:`SHARED_STREAM`), so the flows are solved once per run;
a refutation shrinks within :data:`FLOW_SHRINK_CALLS` calls (four solves each).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.papers.hb_nag.instances import ETAS_FLOW, FLOWS, MU, FlowCase, Instance
from checks.sampling import HypothesisClass, check_class, inapplicable
from checks.verdict import Result
from numerics import hb_nag as N

#: Biases of the classes: u(0) = v(0), u(0) ≠ v(0), either.
BIASES = ("unbiased", "biased", "any")
#: Hypothesis stream each class draws from (shared by its claims, so that they check the same instances).
SHARED_STREAM = "hb_nag.flows.{bias}"
#: Draws per flow class: quick as checks.sampling.EXAMPLES; full 8 instead of 20, because a draw costs four flow
#: solves to a stretched horizon (about 4 s per draw on a loaded 2-core machine at the full tier's horizon), and
#: three classes × 20 draws would take the hb_nag full tier to about four times its 100 s budget.
FLOW_EXAMPLES = {"quick": 5, "full": 8}
#: Shrink calls after a refutation (each costs four flow solves; the minimal counterexample is reported).
FLOW_SHRINK_CALLS = {"quick": 4, "full": 12}
#: A flow "reaches an interpolator" when max_i |x_iᵀθ(T) − y_i| is below this times max(1, ‖y‖_∞) on every η. Not a
#: verdict tolerance: a gate on which draws a limit claim applies to (those below are checked, with their own error
#: budgets; those above are discarded as inapplicable, never refuted). It sits 10⁴ above the flows' RTOL, so a
#: converged flow passes whatever its solve error, and far below the O(1) residual of a flow still moving.
INTERPOLATION_TOL = 1e-9
#: Relative tolerance of the drawn flows: 10× tighter than the default instance's, since draws with small ξ amplify
#: the solve error in arcsinh(θ̄/(2ξ̄)) (the looser solve that bounds the error runs 1000× looser still)
RTOL = 1e-13


@dataclass(frozen=True)
class FlowDraw:
    """One point of a flow class: data seed and sizes, momentum, initial scale and bias, method."""

    seed: int
    n: int
    d: int
    mu: float
    scale: float
    bias: float
    method: str
    #: x_i ~ N(0, xscale² I_d)
    xscale: float = 1.0

    def describe(self) -> dict:
        return {"seed": self.seed, "n": self.n, "d": self.d, "mu": self.mu, "scale": self.scale, "bias": self.bias,
                "method": self.method, "xscale": self.xscale}


def flow_strategy(bias: str) -> st.SearchStrategy[FlowDraw]:
    """Draws of the class ``bias`` (one of :data:`BIASES`): bias 0 means u(0) = v(0)."""
    if bias not in BIASES:
        raise ValueError(f"bias must be one of {BIASES}, got {bias!r}")
    biased = st.floats(0.1, 1.0)
    bias_st = {"unbiased": st.just(0.0), "biased": biased, "any": st.one_of(st.just(0.0), biased)}[bias]

    @st.composite
    def draw(draw_: Callable) -> FlowDraw:
        n = draw_(st.integers(2, 5))
        d = draw_(st.integers(n + 1, 8))
        return FlowDraw(seed=draw_(st.integers(0, 2 ** 16)), n=n, d=d, mu=draw_(st.floats(0.05, 0.9)),
                        scale=draw_(st.floats(0.2, 0.45)), bias=draw_(bias_st),
                        method=draw_(st.sampled_from(N.METHODS)), xscale=draw_(st.floats(0.5, 0.9)))

    return draw()


WORDS = {
    "unbiased": "X with N(0, σ²) entries, σ ∈ [0.5, 0.9] (n ∈ [2, 5] samples, d ∈ [n+1, 8]), y = Xθ* with θ* "
                "2-sparse; u(0) = v(0) with |u_j(0)| ∈ scale·[0.5, 1.5], random signs, scale ∈ [0.2, 0.45]; "
                "μ ∈ [0.05, 0.9]; HB or NAG",
    "biased": "as the unbiased class, but v_j(0) = ±|u_j(0)|·e^{b z_j} (z_j ~ N(0, 1), random signs), bias b ∈ "
              "[0.1, 1] (u(0) ≠ v(0))",
    "any": "X with N(0, σ²) entries, σ ∈ [0.5, 0.9] (n ∈ [2, 5], d ∈ [n+1, 8]), y = Xθ* with θ* 2-sparse; u(0) "
           "random signs and magnitudes scale·[0.5, 1.5], scale ∈ [0.2, 0.45]; v(0) = u(0) or ±|u(0)|e^{b z}, "
           "b ∈ [0.1, 1]; μ ∈ [0.05, 0.9]; HB or NAG",
}


def flow_class(bias: str) -> HypothesisClass[FlowDraw]:
    """The class of flow instances of the given bias, in words and as a strategy."""
    return HypothesisClass(WORDS[bias], flow_strategy(bias), describe=FlowDraw.describe)


@lru_cache(maxsize=64)
def draw_instance(draw: FlowDraw) -> Instance:
    """The regression instance and initialisation of a draw (reproducible from the draw alone)."""
    rng = np.random.default_rng([draw.seed, 16])
    X, y, _ = N.sparse_instance(rng, draw.n, draw.d, min(2, draw.d))
    X, y = draw.xscale * X, draw.xscale * y
    mags = draw.scale * rng.uniform(0.5, 1.5, draw.d)
    u0 = rng.choice([-1.0, 1.0], draw.d) * mags
    if draw.bias == 0:
        v0 = u0.copy()
    else:
        v0 = rng.choice([-1.0, 1.0], draw.d) * mags * np.exp(draw.bias * rng.standard_normal(draw.d))
    return Instance(X, y, u0, v0, [draw.seed, 16])


@lru_cache(maxsize=256)
def draw_flow(draw: FlowDraw, horizon: float, eta: float, dense: int = 200) -> N.FlowPath:
    """The draw's flow at learning rate ``eta`` (α = 0 if eta = 0) to ``horizon``, on the converged flows' grid."""
    inst = draw_instance(draw)
    alpha = 0.0 if eta == 0 else N.flow_alpha(draw.method, eta, draw.mu)
    t = np.unique(np.concatenate([np.linspace(0, 1, dense // 2), np.geomspace(1, horizon, dense // 2)]))
    return N.flow(inst.net, inst.u0, inst.v0, alpha, draw.mu, t, rtol=RTOL)


def draw_etas(draw: FlowDraw) -> tuple[float, ...]:
    """The learning rates of a draw: those of ETAS_FLOW rescaled so that α(η, μ) spans the same values as at the
    default momentum MU (α ∝ η at fixed μ, so the fitted order in η is that in α; at μ near 1 the unscaled grid
    would put α ∝ η/(1−μ) outside the asymptotic range the fits need)."""
    ratio = N.flow_alpha(draw.method, 1.0, MU) / N.flow_alpha(draw.method, 1.0, draw.mu)
    return tuple(float(eta * ratio) for eta in ETAS_FLOW)


def draw_horizon(draw: FlowDraw, base: float) -> float:
    """The draw's horizon: ``base`` (the default instance's, σ = 1, μ = MU) stretched by the draw's slower time
    scales: the flow runs at speed ∝ σ²/(1−μ) (the gradient scales as σ², the rescaled flow as 1/(1−μ))."""
    return base * max(1.0, (1 - draw.mu) / (1 - MU)) / draw.xscale ** 2


def draw_case(draw: FlowDraw, base: float) -> FlowCase:
    """The draw's flows at every η of :func:`draw_etas` to :func:`draw_horizon`, as a :class:`FlowCase`."""
    horizon = draw_horizon(draw, base)
    etas = draw_etas(draw)
    paths = tuple(draw_flow(draw, horizon, eta) for eta in etas)
    return FlowCase(draw.method, draw.bias != 0, draw_instance(draw), etas, paths)


def interpolates(case: FlowCase) -> bool:
    """Every flow of the case ends at an interpolator (max residual below INTERPOLATION_TOL·max(1, ‖y‖_∞))."""
    inst = case.instance
    tol = INTERPOLATION_TOL * max(1.0, float(np.max(np.abs(inst.y))))
    return all(float(np.max(np.abs(inst.X @ p.theta[-1] - inst.y))) <= tol for p in case.paths)


def check_on_flows(what: str, bias: str, check: Callable[[Sequence[FlowCase]], Result], ctx: Context, *,
                   needs_limit: bool = False) -> Result:
    """``check([case])`` on each draw of the flow class ``bias`` (the class's shared draws; see the module)."""
    base = FLOWS.of(ctx).horizon

    def one(draw: FlowDraw) -> Result:
        case = draw_case(draw, base)
        if needs_limit and not interpolates(case):
            return inapplicable(f"the flow does not reach an interpolator by T = {draw_horizon(draw, base):.4g} (the "
                                "statement assumes convergence to one)")
        return check([case])

    shared = replace(ctx, claim=SHARED_STREAM.format(bias=bias))
    res = check_class(what, flow_class(bias), one, shared, examples=FLOW_EXAMPLES[ctx.tier],
                      shrink_calls=FLOW_SHRINK_CALLS[ctx.tier])
    return res.with_evidence(instances_planned=FLOW_EXAMPLES[ctx.tier],
                             instances_why="full tier: 8 draws per flow class (not 20) to stay near the 100 s budget")


#: The classes as the claims declare them.
ANY_FLOWS = flow_class("any")
UNBIASED_FLOWS = flow_class("unbiased")
BIASED_FLOWS = flow_class("biased")


def rescaled_gradient_flow(case: FlowCase) -> N.FlowPath:
    """The α = 0 limit of a case's flows (rescaled gradient flow, same μ, instance and time grid)."""
    p, inst = case.paths[0], case.instance
    return N.flow(inst.net, inst.u0, inst.v0, 0.0, p.mu, p.t, rtol=RTOL)


# --- gradient flow (§3, Prop. 2) and the α → 0 flow of Prop. 5 -------------------------------------------------
def gf_class(bias: str) -> HypothesisClass[FlowDraw]:
    """The gradient-flow claims' class: the flow class's data and initialisations, with μ = 0 and no method (GF
    u̇ = −∇_uL, v̇ = −∇_vL)."""
    strategy = flow_strategy(bias).map(lambda d: replace(d, mu=0.0, method="gf"))
    words = WORDS[bias] + "; under gradient flow (μ = 0, no method: those two are not drawn)"
    return HypothesisClass(words, strategy, describe=FlowDraw.describe)


@lru_cache(maxsize=64)
def draw_gradient_flow(draw: FlowDraw, horizon: float) -> N.FlowPath:
    """Gradient flow (α = 0, μ = draw.mu) on the draw's instance at t = 0, T/2 and T."""
    inst = draw_instance(draw)
    return N.flow(inst.net, inst.u0, inst.v0, 0.0, draw.mu, np.array([0.0, horizon / 2, horizon]), rtol=RTOL)


def check_on_gradient_flows(what: str, bias: str, check: Callable[[Instance, N.FlowPath], Result], ctx: Context,
                            horizon: float) -> Result:
    """``check(instance, path)`` on each draw of :func:`gf_class` whose gradient flow reaches an interpolator by
    ``horizon``/σ² (the statements assume convergence to one; the others are inapplicable)."""

    def one(draw: FlowDraw) -> Result:
        inst, path = draw_instance(draw), draw_gradient_flow(draw, horizon / draw.xscale ** 2)
        tol = INTERPOLATION_TOL * max(1.0, float(np.max(np.abs(inst.y))))
        if float(np.max(np.abs(inst.X @ path.theta[-1] - inst.y))) > tol:
            return inapplicable(f"the flow does not reach an interpolator by T = {horizon:g}")
        return check(inst, path)

    shared = replace(ctx, claim=SHARED_STREAM.format(bias=f"gf.{bias}"))
    return check_class(what, gf_class(bias), one, shared, shrink_calls=FLOW_SHRINK_CALLS[ctx.tier])


UNBIASED_GF = gf_class("unbiased")
BIASED_GF = gf_class("biased")


def prop5_class() -> HypothesisClass[FlowDraw]:
    """Prop. 5's class as checked at leading order (α → 0): unbiased draws with their μ; the method is unused."""
    return HypothesisClass(WORDS["unbiased"].replace("; HB or NAG", " (the α → 0 flow: HB and NAG coincide)"),
                           flow_strategy("unbiased").map(lambda d: replace(d, method="hb")),
                           describe=FlowDraw.describe)


UNBIASED_LEADING_ORDER = prop5_class()


@dataclass(frozen=True)
class OrthogonalDraw:
    """A design with orthogonal columns (n ≥ d), y = Xθ*, u(0) = v(0), and μ: where Σ_i ε_ij is constant in time."""

    seed: int
    d: int
    extra: int
    mu: float
    scale: float

    def describe(self) -> dict:
        return {"seed": self.seed, "n": self.d + self.extra, "d": self.d, "mu": self.mu, "scale": self.scale}


ORTHOGONAL = HypothesisClass(
    "X with orthogonal columns of norms in [1, 3] (d ∈ [2, 5], n ∈ [d, d+4]), y = Xθ*, θ* ~ N(0, I); u(0) = v(0) "
    "with random signs and magnitudes scale·[0.5, 1.5], scale ∈ [0.2, 0.45]; μ ∈ [0.05, 0.9]; the α → 0 flow",
    st.builds(OrthogonalDraw, seed=st.integers(0, 2 ** 16), d=st.integers(2, 5), extra=st.integers(0, 4),
              mu=st.floats(0.05, 0.9), scale=st.floats(0.2, 0.45)),
    describe=OrthogonalDraw.describe)


@lru_cache(maxsize=32)
def orthogonal_draw_instance(draw: OrthogonalDraw) -> Instance:
    """The orthogonal design and initialisation of a draw."""
    rng = np.random.default_rng([draw.seed, 17])
    q, _ = np.linalg.qr(rng.standard_normal((draw.d + draw.extra, draw.d)))
    X = q * rng.uniform(1.0, 3.0, size=draw.d)
    u0 = rng.choice([-1.0, 1.0], draw.d) * draw.scale * rng.uniform(0.5, 1.5, draw.d)
    return Instance(X, X @ rng.standard_normal(draw.d), u0, u0.copy(), [draw.seed, 17])
