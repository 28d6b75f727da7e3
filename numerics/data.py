"""Seeded generators of the papers' data and of random test problems.

Every generator takes a ``numpy.random.Generator`` so that a report row can name the seed that
reproduces its instance; the tests wrap them as Hypothesis strategies (tests/strategies.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics import validation as V
from numerics.losses import DiagonalNetwork, Quadratic


@dataclass(frozen=True)
class SparseRegression:
    """Noiseless sparse regression: rows x_i ~ N(μ1, σ²I), θ* s-sparse with entries 1/√s, y = Xθ*."""

    X: np.ndarray
    y: np.ndarray
    theta_star: np.ndarray

    def network(self) -> DiagonalNetwork:
        return DiagonalNetwork(self.X, self.y)


def sparse_regression(rng: np.random.Generator, n: int, d: int, s: int, mu: float = 1.0,
                      sigma: float = 1.0) -> SparseRegression:
    """The data model of Papazov et al. (App. F): (n, d, s) = (20, 30, 5), (μ, σ) = (1, 1) in the paper."""
    V.count("n", n)
    V.count("d", d)
    V.count("s", s)
    if s > d:
        raise ValueError(f"s (sparsity) must be <= d, got s={s}, d={d}")
    V.finite_array("mu", mu)
    V.positive("sigma", sigma)
    X = mu + sigma * rng.standard_normal((n, d))
    theta = np.zeros(d)
    theta[rng.choice(d, size=s, replace=False)] = 1.0 / np.sqrt(s)
    return SparseRegression(X, X @ theta, theta)


def random_quadratic(rng: np.random.Generator, d: int, h_min: float, h_max: float) -> Quadratic:
    """A quadratic with eigenvalues log-uniform in [h_min, h_max], a random rotation and a random minimiser."""
    V.count("d", d)
    V.positive("h_min", h_min)
    V.positive("h_max", h_max)
    if h_min > h_max:
        raise ValueError(f"h_min must be <= h_max, got {h_min} > {h_max}")
    eig = np.exp(rng.uniform(np.log(h_min), np.log(h_max), size=d))
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    H = (q * eig) @ q.T
    return Quadratic(0.5 * (H + H.T), rng.standard_normal(d))
