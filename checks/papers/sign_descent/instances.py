"""Instances of the sign_descent claims: the tier profile, the data with its α and ε, and the cached runs.

An :class:`Instance` is Assumption 3.2 data (or 3.8's blocks of two) with α a fraction of the largest α and ε a
fraction of the supremum ε̄ of the reconstructed Assumption 3.3, drawn from a random stream whose seed sequence it
keeps. A run of smoothed sign descent on it is a :class:`numerics.sign_descent.WeightPath` (:func:`trajectory`);
a converged run is summarised as a :class:`Limit`, and ε-sweeps of limits are cached (:func:`eps_sweep`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from checks.context import stream_seed
from checks.profiles import TierProfiles
from numerics import sign_descent as N
from numerics.generated.sign_descent import ssd_weight_rates


@dataclass(frozen=True)
class Sizes:
    """What one tier runs: the instances' sizes (n, d) = (examples, coordinates), and Prop. 3.6's mpmath times."""

    #: the gradient-flow instances of §3.2 (eqs. 10 and 11, the low-dimensional structure)
    gradient_flow: tuple[int, int]
    #: Prop. 3.4 and the product w₊w₋ of §3.3.1
    sign_flow: tuple[int, int]
    #: the stage lemmas and propositions of App. A (Lemmas A.1-A.3, Props. 3.5 and 3.7)
    stages: tuple[int, int]
    #: Prop. 3.6's primal-against-dual solve in float64
    dual_dynamics: tuple[int, int]
    #: Prop. 3.6's mpmath part: the times at which β is compared (none: the part is skipped)
    mp_times: tuple[float, ...]
    #: d of the late-time instance (n = 1)
    late_time_d: int
    #: d of Figure 1's instance (n = 1)
    figure1_d: int
    #: Cor. 3.11's number of blocks of two
    blocks: int


SIZES = TierProfiles(
    quick=Sizes(gradient_flow=(2, 6), sign_flow=(2, 6), stages=(3, 9), dual_dynamics=(2, 6), mp_times=(),
                late_time_d=4, figure1_d=10, blocks=3),
    full=Sizes(gradient_flow=(5, 30), sign_flow=(5, 30), stages=(5, 30), dual_dynamics=(3, 12), mp_times=(0.05, 0.2),
               late_time_d=10, figure1_d=50, blocks=8),
)

#: The ε-fractions of ε̄ the sweeps run (Cors. 3.10 and 3.12, Figures 2 and 3).
FRACS = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Instance:
    """A data set with its scale α and stability constant ε, and the seed sequence that reproduces it."""

    data: N.BlockData
    alpha: float
    eps: float
    seed: list[int]

    def describe(self) -> dict:
        return {"seed": self.seed, "X": self.data.X, "y": self.data.y, "alpha": self.alpha, "eps": self.eps}

    def with_eps_fraction(self, frac: float) -> Instance:
        """The same data and α with ε = frac·ε̄ (Assumption 3.3's supremum at this α)."""
        return Instance(self.data, self.alpha, frac * N.eps_max(self.data, self.alpha), self.seed)

    def with_alpha(self, alpha: float) -> Instance:
        """The same data at scale ``alpha``, ε kept at the same fraction of ε̄ (which is proportional to α)."""
        frac = self.eps / N.eps_max(self.data, self.alpha)
        return Instance(self.data, alpha, frac * N.eps_max(self.data, alpha), self.seed)


def make_instance(seed: Sequence[int], n: int, d: int, *, pairs: bool = False, alpha_frac: float = 0.5,
                  eps_frac: float = 0.3, data_scale: float = 1.0) -> Instance:
    """Assumption 3.2 (or 3.8 with ``pairs``) data drawn from the stream with seed sequence ``seed`` (entries and
    labels of magnitude data_scale·[0.5, 1.5)), with α = alpha_frac·α_max and ε = eps_frac·ε̄ (Assumption 3.3)."""
    rng = np.random.default_rng(list(seed))
    lo, hi = 0.5 * data_scale, 1.5 * data_scale
    data = N.assumption_38_data(rng, n, lo, hi) if pairs else N.assumption_32_data(rng, n, d, low=lo, high=hi)
    alpha = alpha_frac * N.alpha_max(data)
    return Instance(data, alpha, eps_frac * N.eps_max(data, alpha), list(seed))


def pair_instance(seed: Sequence[int], eps_frac: float = 0.3, n: int = 1, alpha_frac: float = 0.5) -> Instance:
    """Assumption 3.8: n blocks of two columns (n = 1, d = 2: the setting of Theorem 3.9 and App. B)."""
    return make_instance(seed, n, 2 * n, pairs=True, eps_frac=eps_frac, alpha_frac=alpha_frac)


def figure1_instance(seed: int, d: int, eps_frac: float = 0.1, alpha_frac: float = 0.5) -> Instance:
    """Figure 1's setting (sizes and α lost): n = 1 (so the dual values can gather at two points), d coordinates,
    α = α_max/2, ε = eps_frac·ε̄; one data set for both Figure 1 claims (run ``seed``)."""
    return make_instance(stream_seed(seed, "sign_descent.figure1"), 1, d, eps_frac=eps_frac, alpha_frac=alpha_frac)


def assumption32_matrices(rng_of: Callable[[int], np.random.Generator]) -> list[np.ndarray]:
    """Three random Assumption-3.2 matrices, (n, d) = (2, 5), (3, 9), (4, 12), the i-th from ``rng_of(i)``."""
    return [N.assumption_32_data(rng_of(i), n, d).X for i, (n, d) in enumerate([(2, 5), (3, 9), (4, 12)])]


def rotated_assumption32_matrices(rng: np.random.Generator) -> list[np.ndarray]:
    """QX for three random Assumption-3.2 matrices X and random orthogonal Q (XᵀX keeps its rank-one blocks while
    the rows of QX overlap)."""
    out = []
    for n, d in [(2, 5), (3, 9), (4, 12)]:
        Xd = N.assumption_32_data(rng, n, d).X
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        out.append(Q @ Xd)
    return out


def positive_points(rng: np.random.Generator, size: int = 5) -> np.ndarray:
    """``size`` values |z| + 0.1 with z standard normal: points β > 0 at which a potential is evaluated."""
    return np.abs(rng.standard_normal(size)) + 0.1


# --- runs ------------------------------------------------------------------------------------------
def trajectory(inst: Instance, points: int = 2001, rates: N.WeightRates = ssd_weight_rates,
               extra_times: tuple[float, ...] = ()) -> N.WeightPath:
    """Smoothed sign descent on the instance up to its convergence horizon (grid plus ``extra_times``)."""
    T = N.ssd_horizon(inst.data, inst.alpha, inst.eps)
    grid = np.union1d(np.linspace(0.0, T, points), [x for x in extra_times if 0 <= x <= T])
    return N.solve_ssd(inst.data, inst.alpha, inst.eps, grid, rates=rates)


@dataclass(frozen=True)
class Limit:
    """The limit of one run: β(∞), θ(0) = s·α, θ(∞), ξ(∞) = w_n(∞), ∫(14), r(∞); ``loose`` is the same from the
    looser solve, so that any value computed from a limit has an error estimate (:func:`limit_error`)."""

    inst: Instance
    beta: np.ndarray
    theta0: np.ndarray
    theta: np.ndarray
    xi: np.ndarray
    integral: np.ndarray
    residual: np.ndarray
    loose: Limit | None = None


def _limit_of(inst: Instance, path: N.WeightPath, loose: Limit | None) -> Limit:
    return Limit(inst, path.beta[-1], path.sign * inst.alpha, path.theta[-1], path.w_non[-1], path.integral[-1],
                 path.residual[-1], loose)


def run_limit(inst: Instance) -> Limit:
    """The limit of smoothed sign descent on ``inst`` (raises RuntimeError when the solve fails)."""
    path = trajectory(inst, points=801)
    if not path.flow.success:
        raise RuntimeError(f"ODE solve failed: {path.flow.message}")
    return _limit_of(inst, path, _limit_of(inst, path.loose, None))


def limit_error(lim: Limit, value: Callable[[Limit], np.ndarray | float]) -> float:
    """|value(tight) − value(loose)|, floored at 64 ulps of max(1, |value|) (quantities here are of order one)."""
    v = np.asarray(value(lim), float)
    floor = 64 * np.finfo(float).eps * max(float(np.max(np.abs(v))), 1.0)
    return max(float(np.max(np.abs(v - np.asarray(value(lim.loose), float)))), floor)


@functools.lru_cache(maxsize=8)
def eps_sweep(seed: tuple[int, ...], fracs: tuple[float, ...], n: int = 1, alpha_frac: float = 0.5) -> list[Limit]:
    """Limits on one Assumption-3.8 instance (n blocks of two, from the stream with seed sequence ``seed``) for
    ε = f·ε̄, f in ``fracs`` (cached: several claims share a sweep)."""
    base = pair_instance(seed, n=n, alpha_frac=alpha_frac)
    return [run_limit(base.with_eps_fraction(f)) for f in fracs]


def pair_sweep(seed: int, fracs: tuple[float, ...] = FRACS, alpha_frac: float = 0.5) -> list[Limit]:
    """The ε-sweep on one block of two shared by Cor. 3.10 and Figures 2 and 3 (run ``seed``)."""
    return eps_sweep(tuple(stream_seed(seed, "sign_descent.pair_sweep")), fracs, alpha_frac=alpha_frac)
