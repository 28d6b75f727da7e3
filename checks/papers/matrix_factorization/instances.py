"""Instances of the matrix_factorization claims: the tier profiles (one record per family of sections) and the
random instances the checks draw (quick = small matrices; full = the paper's sizes where it gives them).

Random streams: a claim draws its own data from ``ctx.rng()`` (stream ``<claim id>``; Figure 2 one per width,
``ctx.rng("k50")``); the one instance two claims share, the point at which (58) is checked as printed and as
corrected, comes from :func:`shared_regularised_point`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from checks.context import stream_rng
from checks.profiles import TierProfiles
from numerics import matrix_factorization as N


@dataclass(frozen=True)
class Shape:
    """Y is m×n (n = m for the symmetric model) and the factors have k columns (k = 0: no factors)."""

    m: int
    n: int
    k: int = 0


# --- §2 and App. A–C: the symmetric factorisation --------------------------------------------------------
@dataclass(frozen=True)
class SymmetricSizes:
    """Sizes of the symmetric-factorisation claims (m: Y is m×m; Shape(m, m, k): U is m×k)."""

    psd_linear: int
    rank_preservation: Shape
    prop1: Shape
    cor1_closed_form: Shape
    cor1_convergence: int
    prop2: int
    lemma6: int
    well_posedness: int
    app_c_uniqueness: int
    app_c_40_42: int
    app_c_43_46: int


SYMMETRIC = TierProfiles(
    quick=SymmetricSizes(psd_linear=4, rank_preservation=Shape(4, 4, 6), prop1=Shape(3, 3, 4),
                         cor1_closed_form=Shape(3, 3, 4), cor1_convergence=4, prop2=3, lemma6=3, well_posedness=4,
                         app_c_uniqueness=4, app_c_40_42=4, app_c_43_46=3),
    full=SymmetricSizes(psd_linear=10, rank_preservation=Shape(10, 10, 20), prop1=Shape(6, 6, 10),
                        cor1_closed_form=Shape(8, 8, 12), cor1_convergence=10, prop2=8, lemma6=6, well_posedness=10,
                        app_c_uniqueness=8, app_c_40_42=8, app_c_43_46=6))


def spectral_y(rng: np.random.Generator, m: int, lo: float = 0.3, hi: float = 1.5,
               signs: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A symmetric Y with |eigenvalues| uniform in [lo, hi] and random signs (the first one positive); (Y, Φ)."""
    mags = rng.uniform(lo, hi, m)
    sg = np.where(rng.random(m) < 0.5, -1.0, 1.0) if signs else np.ones(m)
    sg[0] = 1.0
    return N.symmetric_with_spectrum(rng, mags * sg)


# --- §3 and App. D: the conservation law -------------------------------------------------------------------
@dataclass(frozen=True)
class ConservationSizes:
    """Sizes of the conservation-law claims (Y m×n, U m×k, V n×k)."""

    eq11: Shape
    gauge: Shape
    prop3: Shape
    prop3_rate: Shape


CONSERVATION = TierProfiles(
    quick=ConservationSizes(eq11=Shape(2, 3, 4), gauge=Shape(2, 3, 4), prop3=Shape(2, 3, 4), prop3_rate=Shape(2, 3, 3)),
    full=ConservationSizes(eq11=Shape(5, 10, 50), gauge=Shape(5, 10, 50), prop3=Shape(5, 10, 50),
                           prop3_rate=Shape(5, 10, 50)))


def asymmetric_instance(rng: np.random.Generator, m: int, n: int, k: int, scale: float = 0.5, ratio: float = 1.0,
                        yscale: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y (m×n) with N(0, yscale²) entries, U0 (m×k) with N(0, scale²) and V0 (n×k) with N(0, (ratio·scale)²)."""
    Y = yscale * rng.standard_normal((m, n))
    U0, V0 = scale * rng.standard_normal((m, k)), ratio * scale * rng.standard_normal((n, k))
    return Y, U0, V0


#: Starting points x0 of Prop. 3's constant C as multiples of σ: on both sides of the target σ.
PROP3_START_FACTORS = (0.2, 0.5, 0.9, 1.3, 2.0, 3.0)


def prop3_constant_points(rng: np.random.Generator,
                          factors: Sequence[float] = PROP3_START_FACTORS) -> list[tuple[float, float, float]]:
    """Points (σ, λ0, x0 = σ·factor) at which to evaluate Prop. 3's constant (51), one per factor."""
    n = len(factors)
    return [(float(s), float(l0), float(s * f)) for s, l0, f in zip(rng.uniform(0.3, 2, n), rng.uniform(0.2, 2, n),
                                                                      factors)]


# --- §4 and App. E–F: general initialisation -------------------------------------------------------------
@dataclass(frozen=True)
class RegularisedSizes:
    """Sizes of the general-initialisation claims (Y m×n, U m×k, V n×k, R (m+n)×k)."""

    prop4_invariance: Shape
    eq58: Shape
    prop5: Shape
    sbar_spectrum: Shape
    prop5_rate: Shape
    eq22: Shape


REGULARISED = TierProfiles(
    quick=RegularisedSizes(prop4_invariance=Shape(2, 3, 4), eq58=Shape(2, 3, 4), prop5=Shape(2, 3, 6),
                           sbar_spectrum=Shape(2, 3), prop5_rate=Shape(2, 3, 6), eq22=Shape(2, 3, 8)),
    full=RegularisedSizes(prop4_invariance=Shape(5, 10, 50), eq58=Shape(5, 10, 20), prop5=Shape(5, 10, 50),
                          sbar_spectrum=Shape(5, 10), prop5_rate=Shape(5, 10, 50), eq22=Shape(5, 10, 50)))


@dataclass(frozen=True)
class RegularisedPoint:
    """A point (U, V) of the regularised flow (19) for data Y and a target Λ ≠ Q(U, V)."""

    Y: np.ndarray
    U: np.ndarray
    V: np.ndarray
    Lam: np.ndarray


def regularised_point(rng: np.random.Generator, m: int, n: int, k: int, scale: float = 0.7, ratio: float = 1.0,
                      yscale: float = 1.0) -> RegularisedPoint:
    """Y, U, V as :func:`asymmetric_instance` (scale 0.7 unless given) and Λ = Q(U, V) + ½·diag(uniform(−1, 1))."""
    Y, U, V_ = asymmetric_instance(rng, m, n, k, scale, ratio, yscale)
    Lam = N.gram_difference(U, V_) + 0.5 * np.diag(rng.uniform(-1, 1, k))
    return RegularisedPoint(Y, U, V_, Lam)


def shared_regularised_point(seed: int, shape: Shape) -> RegularisedPoint:
    """The point at which (58) is checked as printed and as corrected (the same for both entries): drawn from the
    stream ``matrix_factorization.regularised_point.<m>.<n>.<k>``."""
    rng = stream_rng(seed, "matrix_factorization.regularised_point", shape.m, shape.n, shape.k)
    return regularised_point(rng, shape.m, shape.n, shape.k)


# --- §5: the experiments -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExperimentSizes:
    """Sizes of Figures 1–3: Y m×n, factors with k columns, GD steps, Monte-Carlo samples, flow horizons."""

    fig1_setting_samples: int
    fig1: Shape
    fig1_steps: int
    #: Figure 2 (full tier only): Y m×n, one run per width k, flows on [0, horizon]
    fig2: Shape
    fig2_widths: tuple[int, ...]
    fig2_horizon: float
    #: Figure 3: samples × d inputs and outputs, factors d×k, flows on [0, horizon]
    fig3_samples: int
    fig3_dim: int
    fig3_width: int
    fig3_horizon: float


EXPERIMENTS = TierProfiles(
    quick=ExperimentSizes(fig1_setting_samples=200, fig1=Shape(3, 5, 20), fig1_steps=20000, fig2=Shape(5, 10),
                          fig2_widths=(50, 100, 200), fig2_horizon=0.04, fig3_samples=100, fig3_dim=5, fig3_width=30,
                          fig3_horizon=300.0),
    full=ExperimentSizes(fig1_setting_samples=2000, fig1=Shape(5, 10, 50), fig1_steps=30000, fig2=Shape(5, 10),
                         fig2_widths=(50, 100, 200), fig2_horizon=0.04, fig3_samples=1000, fig3_dim=10, fig3_width=100,
                         fig3_horizon=300.0))

#: Figure 1's setting as the paper gives it: GD step, the near-balanced init's standard deviation, and the reported
#: ‖Q0‖_F by standard deviation.
FIG1_ETA = 1e-3
FIG1_BALANCED_SD = 1e-2
FIG1_REPORTED_Q0 = {1e-2: 0.02, 1e-1: 1.83}


# --- App. G and beyond the paper -------------------------------------------------------------------------
#: Models whose conservation laws are counted: ("uv", d) for u⊙v, ("sq", d) for u⊙u − v⊙v, ("UV", (m, n, k)) for UVᵀ.
MODELS_QUICK = (("uv", 2), ("uv", 3), ("sq", 2), ("sq", 3), ("UV", (1, 1, 2)), ("UV", (2, 2, 2)), ("UV", (2, 3, 3)),
                ("UV", (1, 1, 4)), ("UV", (2, 2, 5)))
MODELS_FULL = MODELS_QUICK + (("uv", 6), ("sq", 6), ("UV", (3, 3, 3)), ("UV", (2, 3, 6)))


@dataclass(frozen=True)
class BeyondSizes:
    """Sizes of the claims beyond the paper (Y m×n, U m×k, V n×k) and the models whose laws are counted."""

    gd_drift: Shape
    heavy_ball: Shape
    counted_models: tuple


BEYOND = TierProfiles(
    quick=BeyondSizes(gd_drift=Shape(2, 3, 4), heavy_ball=Shape(2, 3, 4), counted_models=MODELS_QUICK),
    full=BeyondSizes(gd_drift=Shape(5, 10, 50), heavy_ball=Shape(5, 10, 20), counted_models=MODELS_FULL))
