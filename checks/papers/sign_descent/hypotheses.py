"""Hypothesis classes of the sign_descent claims: the data, scales and stability constants the (reconstructed)
statements quantify over, drawn by Hypothesis (:func:`checks.sampling.check_class`).

An instance is a :class:`Draw`: Assumption 3.2 data (or Assumption 3.8's blocks of two) of n examples and d
coordinates within the tier's sizes, entries and labels of magnitude data_scale·[0.5, 1.5) with random signs, the
scale α = alpha_frac·α_max and ε = eps_frac·ε̄ anywhere inside the reconstructed Assumption 3.3 (α ≤ α_max,
0 < ε < ε̄), near its boundary included.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import strategies as st

from checks.papers.sign_descent.instances import Instance, make_instance
from checks.sampling import HypothesisClass
from checks.verdict import Result


@dataclass(frozen=True)
class Draw:
    """One drawn instance: the seed of its data, its sizes, α and ε as fractions of their Assumption 3.3 bounds,
    the data's magnitude scale, and whether it is Assumption 3.8's blocks of two."""

    seed: int
    n: int
    d: int
    alpha_frac: float = 0.5
    eps_frac: float = 0.3
    data_scale: float = 1.0
    pairs: bool = False

    def instance(self) -> Instance:
        """The :class:`~checks.papers.sign_descent.instances.Instance` this draw stands for."""
        return make_instance([self.seed], self.n, self.d, pairs=self.pairs, alpha_frac=self.alpha_frac,
                             eps_frac=self.eps_frac, data_scale=self.data_scale)


def describe(d: Draw) -> dict[str, Any]:
    """The draw as plain data for the report."""
    return dataclasses.asdict(d)


FRACTION = st.floats(0.02, 0.98, allow_nan=False).map(lambda f: round(f, 4))
SCALE = st.floats(-0.5, 0.5, allow_nan=False).map(lambda e: round(10.0 ** e, 4))


@functools.lru_cache(maxsize=None)
def data(max_n: int, max_d: int, pairs: bool = False, min_n: int = 1) -> HypothesisClass[Draw]:
    """Assumption 3.2 data (``pairs``: Assumption 3.8, d = 2n) with n ≤ max_n, 2n ≤ d ≤ max_d, α and ε anywhere
    inside the reconstructed Assumption 3.3 and any data scale."""
    def sized(n: int) -> st.SearchStrategy[Draw]:
        d = st.just(2 * n) if pairs else st.integers(2 * n, max(2 * n, max_d))
        alpha = st.floats(0.05, 0.98, allow_nan=False).map(lambda f: round(f, 4))
        return st.builds(Draw, seed=st.integers(0, 2 ** 32 - 1), n=st.just(n), d=d, alpha_frac=alpha,
                         eps_frac=FRACTION, data_scale=SCALE, pairs=st.just(pairs))
    kind = f"Assumption 3.8 data ({min_n} ≤ n ≤ {max_n} blocks of two)" if pairs else \
        f"Assumption 3.2 data ({min_n} ≤ n ≤ {max_n} examples, 2n ≤ d ≤ {max_d} coordinates in blocks of ≥ 2)"
    return HypothesisClass(f"{kind}, entries and labels of magnitude s·[0.5, 1.5) with random signs, s ∈ "
                           "[10^-0.5, 10^0.5]; α = a·α_max with a ∈ [0.05, 0.98] and ε = e·ε̄ with e ∈ [0.02, 0.98] "
                           "(inside the reconstructed Assumption 3.3)",
                           st.integers(min_n, max_n).flatmap(sized), describe)


#: Points β > 0 at which the potential's limit is checked: five values s·(|z| + 0.1), z standard normal (seed), any
#: scale s.
POSITIVE_POINTS = HypothesisClass("five points β = s·(|z| + 0.1) > 0, z standard normal, s ∈ [10^-1, 10]",
                                  st.tuples(st.integers(0, 2 ** 32 - 1), st.floats(-1, 1).map(lambda e: 10.0 ** e)),
                                  lambda sc: {"seed": sc[0], "scale": sc[1]})


#: Instances drawn per claim in the full tier: fewer than checks.sampling's 20, because the full tier of this paper
#: has a time budget of 30 s on the 2-core machine (each instance is an ODE solve at the full sizes); the quick tier
#: keeps its 5.
FULL_TIER_EXAMPLES = 6
BUDGET_NOTE = (f"full tier: {FULL_TIER_EXAMPLES} drawn instances instead of 20, for the paper's 30 s full-tier time "
               "budget")


def draw(what: str, cls: HypothesisClass, check_one: Callable[[Any], Result], ctx: Any) -> Result:
    """:func:`checks.sampling.check_class` with this paper's instance counts: the quick tier's 5, and
    FULL_TIER_EXAMPLES in the full tier (said in the evidence)."""
    from checks.sampling import EXAMPLES, check_class

    full = ctx.tier == "full"
    res = check_class(what, cls, check_one, ctx, examples=FULL_TIER_EXAMPLES if full else EXAMPLES[ctx.tier])
    if full:
        res = Result(res.verdict, res.summary, {**res.evidence, "examples_budget": BUDGET_NOTE},
                     counterexample=res.counterexample)
    return res
