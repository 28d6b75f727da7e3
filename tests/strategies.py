"""Hypothesis strategies for parameters, data and initialisations that the tests share.

Instances are drawn through seeds (``st.integers`` mapped through the seeded generators of
:mod:`numerics.data`), so any example Hypothesis finds is reproducible from the seed it prints.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from numerics import data

#: Step sizes and momenta in the ranges the papers use.
step_sizes = st.floats(min_value=1e-4, max_value=0.5, allow_nan=False, allow_infinity=False)
momenta = st.floats(min_value=0.0, max_value=0.999, allow_nan=False, allow_infinity=False, exclude_max=True)
rhos = st.floats(min_value=0.05, max_value=20.0, allow_nan=False, allow_infinity=False)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def momentum_params(draw: st.DrawFn) -> tuple[float, float]:
    """(γ, β) with γ > 0 and β ∈ [0, 1)."""
    return draw(step_sizes), draw(momenta)


def sparse_regressions(n: int = 8, d: int = 12, s: int = 3) -> st.SearchStrategy[data.SparseRegression]:
    """The paper's data model at the given sizes, one instance per seed."""
    return seeds.map(lambda seed: data.sparse_regression(np.random.default_rng(seed), n, d, s))


def quadratics(d: int = 2, h_min: float = 0.1, h_max: float = 1.0):
    """Random quadratics of dimension d with spectrum in [h_min, h_max]."""
    return seeds.map(lambda seed: data.random_quadratic(np.random.default_rng(seed), d, h_min, h_max))


@st.composite
def dln_initialisations(draw: st.DrawFn, d: int = 12) -> np.ndarray:
    """w = (u₀, v₀) with |u₀² − v₀²| > 0 in every coordinate (the papers' assumption)."""
    rng = np.random.default_rng(draw(seeds))
    u = rng.uniform(0.05, 1.0, size=d)
    v = u * rng.uniform(-0.9, 0.9, size=d)
    return np.concatenate([u, v])
