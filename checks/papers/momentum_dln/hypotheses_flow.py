"""Hypothesis classes of the continuous-time momentum_dln claims (§3, App. B-E): what their statements quantify over.

The paper's continuous-time results hold for any data with interpolators (n < d, S ≠ ∅), any initialisation
(u₀, v₀) with nonzero balancedness Δ₀ = |u₀² − v₀²| (ψ_Δ needs Δ ∈ ℝ^d_{>0}) and any λ > 0, under Assumptions 1-2
(bounded trajectory, Δ∞ > 0), which can only be seen after solving. The experiments use one point of that set
(x ~ N(1, I), s-sparse θ*, u₀ = α1, v₀ = 0); the classes here draw beyond it: centred and uncentred data of
either sign of mean, small and large scales α, imbalanced initialisations with mixed signs and θ₀ ≠ 0, λ from
the near-gradient-flow regime to heavy oscillation.

Runs drawn for one claim are cached by instance (:func:`drawn_run`), and every claim of a class draws from the
class's shared stream (:func:`check_pool`), so the claims of Theorem 1, Prop. 4, Lemma 3, … are checked on the
same drawn trajectories and each trajectory is solved once per process.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from checks.context import Context, stream_rng
from checks.papers.momentum_dln.instances import DRAWN_RUNS, MGF_QUICK, MGF_SECONDS
from checks.sampling import HypothesisClass, check_class, inapplicable
from checks.verdict import Result, Verdict, combine
from numerics import momentum_flow as MF
from numerics.data import SparseRegression, sparse_regression

#: the random stream the drawn data sets come from (seeded by the run's seed and the drawn data seed)
DRAWN_DATA_STREAM = "momentum_dln.flow_class_data"
#: ranges of the draws: sizes (n < d: S is an affine set of dimension >= d − n), data mean μ, scale α, the
#: per-coordinate magnitudes |u₀|/α and ratios v₀/u₀ (|ratio| < 1 keeps Δ₀ > 0), λ
N_RANGE = (2, 6)
EXTRA_D = (1, 5)
MU_RANGE = (-1.5, 1.5)
ALPHA_RANGE = (0.05, 1.0)
MAGNITUDE_RANGE = (0.3, 2.0)
RATIO_BOUND = 0.95
LAMBDA_RANGE = (0.02, 2.0)
#: λ as a multiple of Prop. 3's bound n·min Δ₀/‖y‖²: up to 1 for Prop. 3, beyond it for the claims that only
#: assume Δ_t > 0 (a drawn run that crosses zero is outside their assumption)
PROP3_FRACTION = (0.05, 1.0)
POSITIVE_FRACTION = (0.05, 20.0)


@dataclass(frozen=True)
class FlowInstance:
    """One drawn instance: data (n, d, s, μ and the seed of its draw), initialisation u₀ = α·magnitude·sign,
    v₀ = ratio·u₀, and λ (absolute, or as a multiple of Prop. 3's bound when ``lam_is_fraction``)."""

    data_seed: int
    n: int
    d: int
    s: int
    mu: float
    alpha: float
    magnitudes: tuple[float, ...]
    signs: tuple[int, ...]
    ratios: tuple[float, ...]
    swaps: tuple[bool, ...]
    lam: float
    lam_is_fraction: bool = False
    theta0_zero: bool = False

    def u0v0(self) -> tuple[np.ndarray, np.ndarray]:
        """(u₀, v₀) of the instance: a = α·magnitude·sign and b = ratio·a, swapped where ``swaps`` says (so
        |v₀| > |u₀| there); v₀ = 0 when ``theta0_zero``."""
        a = self.alpha * np.array(self.magnitudes) * np.array(self.signs, dtype=float)
        if self.theta0_zero:
            return a, np.zeros(self.d)
        b = a * np.array(self.ratios)
        sw = np.array(self.swaps, dtype=bool)
        return np.where(sw, b, a), np.where(sw, a, b)

    def init_scale(self) -> float:
        """The paper's initialisation scale α := max(‖u₀‖∞, ‖v₀‖∞) (§3)."""
        u0, v0 = self.u0v0()
        return float(max(np.max(np.abs(u0)), np.max(np.abs(v0))))

    def describe(self) -> dict:
        """Plain data for the report."""
        u0, v0 = self.u0v0()
        return {"data_seed": self.data_seed, "data_stream": DRAWN_DATA_STREAM, "n": self.n, "d": self.d,
                "s": self.s, "mu": self.mu, "alpha": self.init_scale(), "u0": u0.tolist(), "v0": v0.tolist(),
                ("lambda_over_prop3_bound" if self.lam_is_fraction else "lambda"): self.lam}


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _log_floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return _floats(np.log(lo), np.log(hi)).map(lambda x: float(np.exp(x)))


@st.composite
def flow_instances(draw: Callable, lam: st.SearchStrategy[float], lam_is_fraction: bool = False,
                   theta0_zero: bool = False) -> FlowInstance:
    """A :class:`FlowInstance`: sizes n < d, data of mean μ, the initialisation's scale, magnitudes, signs and
    imbalance, and λ from ``lam``."""
    n = draw(st.integers(*N_RANGE))
    d = n + draw(st.integers(*EXTRA_D))
    s = draw(st.integers(1, min(3, d)))
    vec = functools.partial(st.lists, min_size=d, max_size=d)
    return FlowInstance(
        data_seed=draw(st.integers(0, 2 ** 16)), n=n, d=d, s=s, mu=draw(_floats(*MU_RANGE)),
        alpha=draw(_log_floats(*ALPHA_RANGE)), magnitudes=tuple(draw(vec(_floats(*MAGNITUDE_RANGE)))),
        signs=tuple(draw(vec(st.sampled_from((1, -1))))), ratios=tuple(draw(vec(_floats(-RATIO_BOUND, RATIO_BOUND)))),
        swaps=tuple(draw(vec(st.booleans()))), lam=draw(lam), lam_is_fraction=lam_is_fraction, theta0_zero=theta0_zero)


@functools.lru_cache(maxsize=None)
def drawn_data(seed: int, inst: FlowInstance) -> SparseRegression:
    """The instance's data: x ~ N(μ1, I), an s-sparse θ* with entries 1/√s, y = Xθ* (App. F's model at the drawn
    sizes and mean), from the stream DRAWN_DATA_STREAM.<data_seed> under the run's seed."""
    return sparse_regression(stream_rng(seed, DRAWN_DATA_STREAM, inst.data_seed), inst.n, inst.d, inst.s, mu=inst.mu)


def lambda_of(seed: int, inst: FlowInstance) -> float:
    """The instance's λ (converting a multiple of Prop. 3's bound n·min Δ₀/‖y‖²)."""
    if not inst.lam_is_fraction:
        return inst.lam
    data = drawn_data(seed, inst)
    u0, v0 = inst.u0v0()
    return inst.lam * inst.n * float(np.min(np.abs(u0 ** 2 - v0 ** 2))) / float(data.y @ data.y)


@functools.lru_cache(maxsize=64)
def drawn_run(seed: int, inst: FlowInstance, ratios: bool) -> MF.MGFRun:
    """MGF(λ) on the instance, to convergence, solved twice (the second at looser tolerances for the error)."""
    data = drawn_data(seed, inst)
    u0, v0 = inst.u0v0()
    return MF.solve_dln_mgf(data.X, data.y, u0, v0, lambda_of(seed, inst), ratios=ratios, max_seconds=MGF_SECONDS)


@functools.lru_cache(maxsize=64)
def drawn_error_run(seed: int, inst: FlowInstance, ratios: bool) -> MF.MGFRun:
    """:func:`drawn_run` at 1000× looser tolerances, solved once with its dense output (integral error estimates)."""
    data = drawn_data(seed, inst)
    u0, v0 = inst.u0v0()
    return MF.solve_dln_mgf(data.X, data.y, u0, v0, lambda_of(seed, inst), ratios=ratios, rtol=1e-8, atol=1e-12,
                            looser=None, max_seconds=MGF_SECONDS)


# --- the classes ---------------------------------------------------------------------------------------------
_SPACE = (f"data x ~ N(μ1, I) with μ in {list(MU_RANGE)}, n in {list(N_RANGE)}, d = n + {list(EXTRA_D)}, "
          f"s in [1, 3] (so n < d and S ≠ ∅); u₀ = α·m⊙σ, m in {list(MAGNITUDE_RANGE)}, signs σ = ±1, "
          f"α log-uniform in {list(ALPHA_RANGE)}")
_INIT = (f", v₀ = r⊙u₀ with r in (−{RATIO_BOUND}, {RATIO_BOUND}), u₀ and v₀ swapped on random coordinates "
         "(|u₀| < |v₀| there): any initialisation with Δ₀ > 0, θ₀ ≠ 0, imbalanced")
#: MGF(λ) from any initialisation with Δ₀ > 0, any λ > 0 (Theorem 1, Prop. 4, App. C.1-C.3); zero crossings allowed
GENERAL = HypothesisClass(
    _SPACE + _INIT + f", λ log-uniform in {list(LAMBDA_RANGE)} (weights may cross zero)",
    flow_instances(_log_floats(*LAMBDA_RANGE)), describe=FlowInstance.describe)
#: the same, θ₀ = 0 (v₀ = 0, u₀ of any magnitudes and signs): Prop. 3 and its proof assume it
THETA0_ZERO = HypothesisClass(
    _SPACE + f", v₀ = 0 (θ₀ = 0), λ log-uniform in {list(LAMBDA_RANGE)} (weights may cross zero)",
    flow_instances(_log_floats(*LAMBDA_RANGE), theta0_zero=True), describe=FlowInstance.describe)
#: λ up to Prop. 3's bound n·min Δ₀/‖y‖², any initialisation (§3 imposes no constraint on (u₀, v₀) but Δ₀ > 0)
PROP3 = HypothesisClass(
    _SPACE + _INIT + f", λ = f·n·min Δ₀/‖y‖² with f log-uniform in {list(PROP3_FRACTION)}",
    flow_instances(_log_floats(*PROP3_FRACTION), lam_is_fraction=True),
    describe=FlowInstance.describe)
#: runs whose balancedness stays positive (Corollary 2, eqs. 21-25): λ up to 20× Prop. 3's bound, a run that
#: crosses zero is outside the assumption
POSITIVE = HypothesisClass(
    _SPACE + _INIT + f", λ = f·n·min Δ₀/‖y‖² with f log-uniform in {list(POSITIVE_FRACTION)}; instances whose "
    "weights cross zero are outside the assumption Δ_t > 0 and discarded",
    flow_instances(_log_floats(*POSITIVE_FRACTION), lam_is_fraction=True), describe=FlowInstance.describe)
#: runs whose weights cross zero (App. C.3.2, Lemma 1, eqs. 18-20): λ drawn where crossings are common; a drawn run
#: without a crossing is outside the statements' subject and discarded
CROSSING_LAMBDA = (0.3, 3.0)
CROSSING = HypothesisClass(
    _SPACE + _INIT + f", λ log-uniform in {list(CROSSING_LAMBDA)}; instances whose weights never cross zero are "
    "discarded (the statements are about the zero crossings)",
    flow_instances(_log_floats(*CROSSING_LAMBDA)), describe=FlowInstance.describe)
#: calls Hypothesis may spend shrinking a refuted drawn trajectory (each is an MGF solve of seconds)
RUN_SHRINK_CALLS = {"quick": 3, "full": 6}
#: instances drawn per class by tier: the full tier's 20 would take 20 MGF solves per class (plus the m.p.v.
#: quadratures of App. C.3.2), beyond the continuous-time claims' full-tier budget of 150 s, so it checks the
#: quick tier's 5 and 5 more (10 in all)
POOL_EXAMPLES = {"quick": 5, "full": 5}
#: the shared stream of each class (claims of one class draw the same instances)
POOLS = {id(GENERAL): "momentum_dln.flow_general", id(THETA0_ZERO): "momentum_dln.flow_theta0_zero",
         id(PROP3): "momentum_dln.flow_prop3", id(POSITIVE): "momentum_dln.flow_positive",
         id(CROSSING): "momentum_dln.flow_crossing"}


def check_pool(what: str, cls: HypothesisClass, check_one: Callable[[FlowInstance], Result], ctx: Context,
               **kw: object) -> Result:
    """:func:`checks.sampling.check_class` on the class's shared stream (not the claim's): the claims of one class
    draw the same instances under one --seed, so their drawn trajectories are solved once. Shrinking a refuted
    instance costs one MGF solve per call, so the shrink budget is RUN_SHRINK_CALLS (a count: the minimal
    counterexample is still the same on every machine) unless ``shrink_calls`` says otherwise.

    The full tier checks the quick tier's draws first (so a counterexample the quick tier finds is found in the
    full tier too), then POOL_EXAMPLES["full"] further instances from the stream ``<class stream>.full``."""
    pool = POOLS.get(id(cls), ctx.claim or "unnamed")
    quick = check_class(what, cls, check_one, replace(ctx, tier="quick", claim=pool),
                        **{"shrink_calls": RUN_SHRINK_CALLS[ctx.tier], "examples": POOL_EXAMPLES["quick"], **kw})
    if ctx.tier == "quick" or quick.verdict is Verdict.REFUTED:
        return quick
    more = check_class(what, cls, check_one, replace(ctx, claim=pool + ".full"),
                       **{"shrink_calls": RUN_SHRINK_CALLS[ctx.tier], "examples": POOL_EXAMPLES["full"], **kw})
    if more.verdict is Verdict.REFUTED:
        return more
    res = combine(what, {"the quick tier's draws": quick, "further draws": more})
    n = int(quick.evidence.get("instances", 0)) + int(more.evidence.get("instances", 0))
    return Result(res.verdict, res.summary + f" ({n} drawn instances in all)", {**res.evidence, "instances": n,
                                                                                 "hypothesis_class": cls.words})


def run_or_inapplicable(seed: int, inst: FlowInstance, ratios: bool) -> MF.MGFRun | Result:
    """The drawn run (with the ratio integrals ∫(ẇ±/w±)² when ``ratios``), or :func:`inapplicable` when ``ratios``
    is asked and a weight crosses zero (the statement assumes Δ_t > 0 throughout). The crossings are found on a
    solve without the ratio integrals first: near a zero those integrals blow up and stall the solver."""
    if ratios:
        probe = drawn_run(seed, inst, False)
        if probe.crossings:
            return inapplicable("a weight crosses zero (the statement assumes Δ_t > 0 throughout)",
                                crossings=len(probe.crossings), **inst.describe())
    return drawn_run(seed, inst, ratios)


def per_run(ctx: Context, ratios: bool, check: Callable[[MF.MGFRun], Result]) -> Callable[[FlowInstance], Result]:
    """The per-instance check of a claim about one MGF trajectory: solve the drawn instance (cached), record its
    description for the evidence (:data:`DRAWN_RUNS`), and run ``check`` on it."""

    def one(inst: FlowInstance) -> Result:
        run = run_or_inapplicable(ctx.seed, inst, ratios)
        if isinstance(run, Result):
            return run
        DRAWN_RUNS[run] = inst.describe()
        return check(run)

    return one


def per_instance_run(ctx: Context, ratios: bool,
                     check: Callable[[MF.MGFRun, FlowInstance], Result]) -> Callable[[FlowInstance], Result]:
    """:func:`per_run` for checks that also need the drawn instance (its data's θ*, its scale α)."""

    def one(inst: FlowInstance) -> Result:
        return per_run(ctx, ratios, lambda run: check(run, inst))(inst)

    return one


def default_instance(lam: float = 0.5, lam_is_fraction: bool = False, theta0_zero: bool = True) -> FlowInstance:
    """The paper's kind of instance (u₀ = α1, v₀ = 0, x ~ N(1, I)) at the quick sizes, as a class member."""
    q = MGF_QUICK
    return FlowInstance(0, q.n, q.d, q.s, q.mu, q.alpha, (1.0,) * q.d, (1,) * q.d, (0.0,) * q.d, (False,) * q.d,
                        lam, lam_is_fraction, theta0_zero)


# --- data-only classes (least squares, gradient flow, ψ_Δ) and the scalar Lemma 6 ---------------------------
@dataclass(frozen=True)
class DataInstance:
    """Data (n, d, s, μ and the seed of its draw) with two vectors ``a``, ``b`` of length d and a λ, whose meaning
    the class says (an initial point and speed, or scales)."""

    data_seed: int
    n: int
    d: int
    s: int
    mu: float
    a: tuple[float, ...]
    b: tuple[float, ...]
    lam: float

    def data(self, seed: int) -> SparseRegression:
        """The instance's data (stream DRAWN_DATA_STREAM.<data_seed> under the run's seed)."""
        return sparse_regression(stream_rng(seed, DRAWN_DATA_STREAM, self.data_seed), self.n, self.d, self.s,
                                 mu=self.mu)

    def describe(self) -> dict:
        """Plain data for the report."""
        return {"data_seed": self.data_seed, "data_stream": DRAWN_DATA_STREAM, "n": self.n, "d": self.d,
                "s": self.s, "mu": self.mu, "a": list(self.a), "b": list(self.b), "lambda": self.lam}


@st.composite
def data_instances(draw: Callable, a: st.SearchStrategy[float], b: st.SearchStrategy[float],
                   lam: st.SearchStrategy[float]) -> DataInstance:
    """A :class:`DataInstance`: sizes n < d, data of mean μ, vectors with entries from ``a`` and ``b``, λ."""
    n = draw(st.integers(*N_RANGE))
    d = n + draw(st.integers(*EXTRA_D))
    vec = functools.partial(st.lists, min_size=d, max_size=d)
    return DataInstance(draw(st.integers(0, 2 ** 16)), n, d, draw(st.integers(1, min(3, d))),
                        draw(_floats(*MU_RANGE)), tuple(draw(vec(a))), tuple(draw(vec(b))), draw(lam))


_DATA = f"data x ~ N(μ1, I) with μ in {list(MU_RANGE)}, n in {list(N_RANGE)}, d = n + {list(EXTRA_D)}, s in [1, 3]"
#: least squares on interpolable data from any (θ₀, θ̇₀), λ > 0 (§3, Prop. 2)
LEAST_SQUARES = HypothesisClass(
    _DATA + ", θ₀ and θ̇₀ with entries in [−3, 3], λ log-uniform in [0.01, 10]",
    data_instances(_floats(-3, 3), _floats(-3, 3), _log_floats(0.01, 10.0)), describe=DataInstance.describe)
#: the small-scale equivalences (eq. 7): Δ = α²·a, θ_ref = α²·b for any positive a and any b
SCALE_UNITS = HypothesisClass(
    _DATA + "; θ* the data's s-sparse interpolator; Δ = α²·a with a in [0.05, 5]^d, θ_ref = α²·b with b in [−2, 2]^d",
    data_instances(_log_floats(0.05, 5.0), _floats(-2, 2), st.just(0.0)), describe=DataInstance.describe)


@dataclass(frozen=True)
class Lemma6Instance:
    """λ and forcings g(t) = Σ a·cos(ωt)e^{−ct} (continuous, bounded and integrable), one per triple."""

    lam: float
    forcings: tuple[tuple[float, float, float], ...]

    def describe(self) -> dict:
        """Plain data for the report."""
        return {"lambda": self.lam, "forcings_a_omega_c": [list(f) for f in self.forcings]}


#: Lemma 6: any λ > 0 and any continuous g in L∞ ∩ L¹ (here damped oscillations and exponentials)
LEMMA6 = HypothesisClass(
    "λ log-uniform in [0.02, 5]; 1-3 forcings g(t) = a·cos(ωt)·e^{−ct}, |a| in [0.1, 3] of either sign, ω in [0, 6], "
    "c in [0.2, 2] "
    "(continuous, bounded, integrable; ω = 0 gives a signed exponential)",
    st.builds(Lemma6Instance, _log_floats(0.02, 5.0),
              st.lists(st.tuples(st.tuples(_floats(0.1, 3), st.sampled_from((1, -1))).map(lambda p: p[0] * p[1]),
                                 _floats(0, 6), _floats(0.2, 2)), min_size=1, max_size=3).map(tuple)),
    describe=Lemma6Instance.describe)


@dataclass(frozen=True)
class TieInstance:
    """A drawn MGF instance whose coordinates in ``plus`` start with u₀ = v₀ and in ``minus`` with u₀ = −v₀."""

    base: FlowInstance
    plus: tuple[int, ...]
    minus: tuple[int, ...]

    def u0v0(self) -> tuple[np.ndarray, np.ndarray]:
        """(u₀, v₀): the base instance's, with v₀ = ±u₀ on the tied coordinates."""
        u0, v0 = self.base.u0v0()
        v0 = v0.copy()
        v0[list(self.plus)] = u0[list(self.plus)]
        v0[list(self.minus)] = -u0[list(self.minus)]
        return u0, v0

    def describe(self) -> dict:
        """Plain data for the report."""
        u0, v0 = self.u0v0()
        return {**self.base.describe(), "u0": u0.tolist(), "v0": v0.tolist(), "u0_eq_v0": list(self.plus),
                "u0_eq_minus_v0": list(self.minus)}


@st.composite
def tie_instances(draw: Callable) -> TieInstance:
    """A GENERAL instance with at least one coordinate tied u₀ = v₀ or u₀ = −v₀."""
    base = draw(GENERAL.strategy)
    ties = draw(st.lists(st.sampled_from((0, 1, -1)), min_size=base.d, max_size=base.d)
                .filter(lambda t: any(t)))
    return TieInstance(base, tuple(i for i, t in enumerate(ties) if t == 1),
                       tuple(i for i, t in enumerate(ties) if t == -1))


#: footnote 2: any instance of GENERAL with some coordinates tied u₀,ᵢ = ±v₀,ᵢ (zero initial speed)
TIES = HypothesisClass("the GENERAL class (" + GENERAL.words + ") with at least one coordinate set to u₀,ᵢ = v₀,ᵢ or "
                       "u₀,ᵢ = −v₀,ᵢ", tie_instances(), describe=TieInstance.describe)
