"""Hypothesis classes of the matrix_factorization claims: the sets the paper's statements quantify over, drawn by
Hypothesis (:func:`checks.sampling.check_class`).

An instance is a :class:`Draw`: the seed of its random data (Y, U0, V0 from :meth:`Draw.rng`) and the sizes,
scales, imbalance and sign pattern the statement leaves free. Sizes respect the paper's assumptions (k ≥ n ≥ m for
the asymmetric model, §3) and stay within the tier's sizes; scales span two decades on both sides of the paper's
experiments, so that imbalance (‖U0‖ ≠ ‖V0‖), small and large initialisations and data are all drawn.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from checks.sampling import HypothesisClass
from checks.verdict import Result, combine, instances_of

#: Spectral sign patterns of Prop. 3's initial components (u0,i, v0,i): free, or balanced u0,i = ±v0,i (λ0,i = 0).
SPECTRAL_MODES = ("free", "balanced", "balanced_opposite")


@dataclass(frozen=True)
class Draw:
    """One drawn instance: ``seed`` of its random data, the sizes (Y m×n, factors with k columns; the symmetric
    model uses m and k), ``scale`` of the initialisation, ``ratio`` of V0's scale to U0's (imbalance), ``yscale`` of
    the data's spectrum and, for spectral initialisations, the sign ``mode`` of the components."""

    seed: int
    m: int
    n: int = 0
    k: int = 0
    scale: float = 1.0
    ratio: float = 1.0
    yscale: float = 1.0
    mode: str = "free"

    def rng(self) -> np.random.Generator:
        """The instance's own random stream (its data)."""
        return np.random.default_rng(self.seed)


def describe(d: Draw) -> dict[str, Any]:
    """The instance as plain data for the report."""
    return dataclasses.asdict(d)


SEEDS = st.integers(0, 2 ** 32 - 1)


def log_uniform(lo_exp: float, hi_exp: float) -> st.SearchStrategy[float]:
    """10^e for e uniform in [lo_exp, hi_exp] (shrinks towards 1 when the range holds 0)."""
    return st.floats(lo_exp, hi_exp, allow_nan=False).map(lambda e: float(10.0 ** round(e, 3)))


@functools.lru_cache(maxsize=None)
def symmetric(max_m: int, max_k: int, default: Draw | None = None) -> HypothesisClass[Draw]:
    """Symmetric Y (eigenvalues of both signs, |σ| ∈ yscale·[0.3, 1.5]) and U0 (m×k, N(0, scale²/k)), any k ≥ 1."""
    strat = st.integers(min(2, max_m), max_m).flatmap(lambda m: st.builds(
        Draw, seed=SEEDS, m=st.just(m), k=st.integers(1, max_k), scale=log_uniform(-1, 0.5),
        yscale=log_uniform(-0.5, 0.5)))
    return HypothesisClass(
        f"symmetric Y (m ≤ {max_m}) with eigenvalues of both signs, |σ_i| ∈ yscale·[0.3, 1.5], yscale ∈ [10^-0.5, "
        f"10^0.5]; any U0 ∈ R^(m×k), k ≤ {max_k}, N(0, scale²/k) entries, scale ∈ [0.1, 10^0.5]", strat,
        describe, default)


@functools.lru_cache(maxsize=None)
def asymmetric(max_m: int, max_n: int, max_k: int, default: Draw | None = None) -> HypothesisClass[Draw]:
    """Y (m×n, N(0, yscale²)), U0 (m×k, N(0, scale²)) and V0 (n×k, N(0, (ratio·scale)²)) with k ≥ n ≥ m (§3)."""
    sizes = st.integers(1, max_m).flatmap(lambda m: st.tuples(st.just(m), st.integers(m, max_n))).flatmap(
        lambda mn: st.tuples(st.just(mn[0]), st.just(mn[1]), st.integers(mn[1], max(mn[1], max_k))))
    strat = sizes.flatmap(lambda s: st.builds(
        Draw, seed=SEEDS, m=st.just(s[0]), n=st.just(s[1]), k=st.just(s[2]), scale=log_uniform(-1, 0.3),
        ratio=log_uniform(-1, 1), yscale=log_uniform(-0.5, 0.5)))
    return HypothesisClass(
        f"Y ∈ R^(m×n) with N(0, yscale²) entries and any (U0, V0) with k ≥ n ≥ m (m ≤ {max_m}, n ≤ {max_n}, "
        f"k ≤ {max_k}): N(0, scale²) and N(0, (ratio·scale)²) entries, scale ∈ [0.1, 2], imbalance ratio ∈ [0.1, 10], "
        "yscale ∈ [10^-0.5, 10^0.5]", strat, describe, default)


@functools.lru_cache(maxsize=None)
def spectral_asymmetric(max_m: int, max_n: int, max_k: int, modes: tuple[str, ...] = SPECTRAL_MODES,
                        default: Draw | None = None) -> HypothesisClass[Draw]:
    """Spectral initialisations of (13): Σ with σ_i ∈ yscale·[0.3, 1.5], diagonal Ũ0, Ṽ0 with entries of both
    signs (u0,i ∈ ±scale·[0.1, 1.2], v0,i = ratio·(same law)) or balanced v0,i = ±u0,i (``modes``)."""
    base = asymmetric(max_m, max_n, max_k).strategy
    strat = st.tuples(base, st.sampled_from(modes)).map(lambda dm: dataclasses.replace(dm[0], mode=dm[1]))
    words = ("spectral initialisations (Definition 3) of (13): Σ with σ_i ∈ yscale·[0.3, 1.5], diagonal Ũ0, Ṽ0 "
             "with k ≥ n ≥ m, entries u0,i, v0,i of either sign and any imbalance (scale ∈ [0.1, 2], ratio ∈ "
             f"[0.1, 10]); sign patterns {', '.join(modes)} (balanced: v0,i = ±u0,i, so λ0,i = 0)")
    return HypothesisClass(words, strat, describe, default)


def spectral_components(d: Draw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ's diagonal σ (decreasing) and the diagonals u0, v0 of a spectral initialisation drawn by ``d``."""
    rng = d.rng()
    s = np.sort(d.yscale * rng.uniform(0.3, 1.5, d.m))[::-1]
    u0 = d.scale * rng.uniform(0.1, 1.2, d.m) * rng.choice((-1.0, 1.0), d.m)
    if d.mode == "free":
        v0 = d.ratio * d.scale * rng.uniform(0.1, 1.2, d.m) * rng.choice((-1.0, 1.0), d.m)
    else:
        v0 = u0 * (1.0 if d.mode == "balanced" else -1.0)
    return s, u0, v0


def on_asymmetric(check: Callable[..., Result], **fixed: Any) -> Callable[[Draw], Result]:
    """The per-instance check ``check(d.rng(), d.m, d.n, d.k, scale=…, ratio=…, yscale=…, **fixed)`` of a draw."""
    return lambda d: check(d.rng(), d.m, d.n, d.k, scale=d.scale, ratio=d.ratio, yscale=d.yscale, **fixed)


def on_symmetric(check: Callable[..., Result], **fixed: Any) -> Callable[[Draw], Result]:
    """The per-instance check ``check(d.rng(), d.m, d.k, scale=…, yscale=…, **fixed)`` of a draw."""
    return lambda d: check(d.rng(), d.m, d.k, scale=d.scale, yscale=d.yscale, **fixed)


def with_drawn(what: str, fixed: dict[str, Result], drawn: Result) -> Result:
    """A claim's fixed parts (a symbolic proof, a high-precision solve on one instance) combined with the check on
    drawn instances; the claim's instance count is the drawn one."""
    res = combine(what, {**fixed, "drawn instances": drawn})
    count = instances_of(drawn)
    return res if count is None else Result(res.verdict, res.summary, {**res.evidence, "instances": count},
                                            counterexample=res.counterexample)


def prop3_points(default: tuple[float, float, float] | None = None) -> HypothesisClass[tuple[float, float, float]]:
    """Points (σ, λ0, x0) of Prop. 3's constant (51): σ > 0, λ0 ≠ 0 of either sign, x0 = σ0,i ≠ σ of either sign."""
    strat = st.tuples(log_uniform(-1.3, 0.7), log_uniform(-1.3, 0.7), st.sampled_from((-1.0, 1.0)),
                      st.floats(-3.0, 3.0, allow_nan=False)).filter(lambda p: abs(p[3] - 1.0) > 1e-3).map(
        lambda p: (p[0], p[2] * p[1], p[0] * p[3]))
    return HypothesisClass("points (σ, λ0, x0) with σ ∈ [0.05, 5], |λ0| ∈ [0.05, 5] of either sign and x0 = σ·f, "
                           "f ∈ [−3, 3] \\ {1} (starts below and above the target, of either sign)", strat,
                           lambda p: {"sigma": p[0], "lambda0": p[1], "x0": p[2]}, default)


#: Instances drawn per claim in the full tier: fewer than checks.sampling's 20, because the full tier of this paper
#: has a time budget of 60 s on the 2-core machine (its flows at the paper's sizes, k up to 50); the quick tier
#: keeps its 5.
FULL_TIER_EXAMPLES = 8
BUDGET_NOTE = (f"full tier: {FULL_TIER_EXAMPLES} drawn instances instead of 20, for the paper's 60 s full-tier time "
               "budget")


def draw(what: str, cls: HypothesisClass, check_one: Callable[[Any], Result], ctx: Any, *,
         per_tier: int = 1) -> Result:
    """:func:`checks.sampling.check_class` with this paper's instance counts: the quick tier's 5, and
    FULL_TIER_EXAMPLES in the full tier (said in the evidence); ``per_tier`` multiplies both."""
    from checks.sampling import EXAMPLES, check_class

    full = ctx.tier == "full"
    res = check_class(what, cls, check_one, ctx,
                      examples=per_tier * (FULL_TIER_EXAMPLES if full else EXAMPLES[ctx.tier]))
    if full:
        res = Result(res.verdict, res.summary, {**res.evidence, "examples_budget": BUDGET_NOTE},
                     counterexample=res.counterexample)
    return res
