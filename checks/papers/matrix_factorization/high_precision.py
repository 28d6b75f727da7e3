"""The matrix-factorisation flows' exact identities at ``--dps`` digits (twins of the float64 entries;
checks/high_precision.py): the conservation law (11), the Riccati equation (5) and its closed forms (6) and (41), the
scalar solution (63) and the spectral reduction (47)-(50).

Instances are drawn by Hypothesis: sizes m, n ≤ 3, k ≤ m, the data from a seed. Initial factors are dyadic
(multiples of 2^−10 with at most 11 significant bits), so that X₀ = U₀U₀ᵀ is exact in floats and the closed forms,
which take X₀, start from the very point the Taylor solve starts from. Horizon T = 1 with |σ_i(Y)| ∈ [0.3, 1.5]:
e^{4Tσ} reaches e^6, and X moves by O(1) (``moved`` in the evidence). The gradient flows are not stiff at these sizes:
about 10 steps of order ≈ 59 per solve at 50 digits.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import numpy as np
from hypothesis import strategies as st

from checks.context import Context
from checks.high_precision import Run, check_along, decide, integral, max_abs, solve_pair, twin_reading
from checks.papers.matrix_factorization.instances import spectral_y
from checks.registry import claim
from checks.sampling import HypothesisClass
from checks.verdict import Result
from numerics import matrix_factorization as N
from numerics.taylor.systems import mf_system, mp_array

GROUP = "high_precision"  # its own process group under --jobs: the module caches its solves
K = "matrix_factorization:"
HORIZON = 1.0
GRID = tuple(float(t) for t in np.linspace(0.0, HORIZON, 5))
#: denominator of the dyadic initial factors
DYADIC = 2 ** 10
#: random stream of the symmetric flow's draws (its entries share instances and cached solves)
SYMMETRIC_STREAM = "matrix_factorization.high_precision.symmetric"

ClosedForm = Callable[[np.ndarray, np.ndarray, list, int], list]


def dyadic(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to multiples of 2^−10 (nonzero: at least 2^−10 in magnitude)."""
    out = np.round(np.asarray(values) * DYADIC) / DYADIC
    return np.where(out == 0, 1.0 / DYADIC, out)


@dataclass(frozen=True)
class MFInstance:
    """A drawn instance: seed and sizes (Y m×n, factors with k columns), and the scale of the initial factors."""

    seed: int
    m: int
    n: int
    k: int
    scale: float

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "m": self.m, "n": self.n, "k": self.k, "init_scale": self.scale,
                "horizon": HORIZON}

    def rng(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.m, self.n, self.k])

    def symmetric(self) -> tuple[np.ndarray, np.ndarray]:
        """(Y m×m exactly symmetric with |eigenvalues| in [0.3, 1.5] (to round-off) and random signs, dyadic U₀)."""
        rng = self.rng()
        Y, _ = spectral_y(rng, self.m)
        Y = (Y + Y.T) / 2  # exactly symmetric (Φ diag(σ) Φᵀ in floats is symmetric to round-off only)
        return Y, dyadic(self.scale * rng.standard_normal((self.m, self.k)))

    def asymmetric(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Y m×n Gaussian, dyadic U₀ m×k and V₀ n×k)."""
        rng = self.rng()
        Y = rng.standard_normal((self.m, self.n))
        return (Y, dyadic(self.scale * rng.standard_normal((self.m, self.k))),
                dyadic(self.scale * rng.standard_normal((self.n, self.k))))


def instances(square: bool) -> Any:
    sizes = st.integers(1, 3)
    return st.builds(lambda seed, m, n, k, scale: MFInstance(seed, m, m if square else n, min(k, m), scale),
                     st.integers(0, 2 ** 16), sizes, sizes, sizes, st.floats(0.3, 1.0))


SYMMETRIC_CLASS = HypothesisClass(
    words="U' = 2(Y − UUᵀ)U with Y symmetric m×m (m ≤ 3, |eigenvalues| ∈ [0.3, 1.5], random signs: invertible), "
          "U₀ m×k (k ≤ m) Gaussian of scale [0.3, 1] rounded to multiples of 2^−10, on [0, 1]",
    strategy=instances(True), describe=MFInstance.describe)
ASYMMETRIC_CLASS = HypothesisClass(
    words="(10) with Y m×n Gaussian (m, n ≤ 3), U₀ m×k, V₀ n×k (k ≤ m) Gaussian of scale [0.3, 1] rounded to "
          "multiples of 2^−10, on [0, 1]",
    strategy=instances(False), describe=MFInstance.describe)


def matrices(run: Run, res: Any, name: str) -> list[Any]:
    """Block ``name`` of every row as mpmath matrices of the block's shape."""
    shape = dict(zip(run.system.program.blocks, run.system.shapes))[name]
    return [mpmath.matrix(r.reshape(shape).tolist()) for r in run.blocks(res, name)]


def entries(M: Any) -> list[Any]:
    return [M[i, j] for i in range(M.rows) for j in range(M.cols)]


def stacked(mats: list[Any]) -> np.ndarray:
    return np.array([entries(M) for M in mats], dtype=object)


def moved_x(run: Run, name: str = "U") -> float:
    Us = matrices(run, run.first, name)
    return float(max_abs(entries(Us[-1] * Us[-1].T - Us[0] * Us[0].T)))


def fro_scale(run: Run, res: Any) -> Any:
    """max(1, the largest entry of UUᵀ (and VVᵀ) along the run)."""
    out = mpmath.mpf(1)
    for name in run.system.program.blocks:
        for M in matrices(run, res, name):
            out = max(out, max_abs(entries(M * M.T)))
    return out


# --- eq. (11) ---------------------------------------------------------------------------------------------------------
def conservation_residual(weight: float = 1.0):
    """UᵀU − weight·VᵀV at t minus its value at 0 (``weight`` = 1 is (11))."""
    def residual(run: Run, res: Any) -> np.ndarray:
        Q = [U.T * U - weight * V.T * V for U, V in zip(matrices(run, res, "U"), matrices(run, res, "V"))]
        return stacked([q - Q[0] for q in Q])
    return residual


def check_eq11_hp(inst: MFInstance, dps: int, weight: float = 1.0) -> Result:
    Y, U0, V0 = inst.asymmetric()
    run = solve_pair(mf_system(Y, inst.k, False), list(U0.ravel()) + list(V0.ravel()), GRID, dps)
    res = decide("Q_t − Q₀, Q = UᵀU − VᵀV", run, conservation_residual(weight), fro_scale, dps, inst.describe())
    return res.with_evidence(moved=moved_x(run)) if run.success else res


@claim("matrix_factorization.eq11.high_precision", section="3", equations=("10", "11"),
       keys=(K + "eq-11-conservation-law",), tier="full", basis="printed", hypothesis_class=ASYMMETRIC_CLASS,
       statement="Along (10) at --dps digits, Q = UᵀU − VᵀV is constant: Q(t) = Q(0) on [0, 1].", kind="identity")
def _eq11_hp(ctx: Context) -> Result:
    return check_along("eq. (11) at high precision", ASYMMETRIC_CLASS, lambda i: check_eq11_hp(i, ctx.dps), ctx)


# --- the Riccati closed forms (6) and (41) ---------------------------------------------------------------------------
def closed_form(form: str, time_factor: float = 1.0) -> ClosedForm:
    """X(t) by numerics.matrix_factorization.riccati_closed_form (``form`` 'prop1' is (6), 'stable' is (41)), at
    times scaled by ``time_factor`` (1 as printed; otherwise every exponent's constant is off by that factor)."""
    def formula(Y: np.ndarray, X0: np.ndarray, times: list, dps: int) -> list:
        return N.riccati_closed_form(Y, X0, [time_factor * t for t in times], form=form, dps=dps)
    return formula


def riccati_residual(Y: np.ndarray, X0: np.ndarray, formula: ClosedForm):
    """UUᵀ(t) − the closed form's X(t) at every grid time."""
    def residual(run: Run, res: Any) -> np.ndarray:
        Xs = formula(Y, X0, list(GRID), int(mpmath.mp.dps))
        return stacked([U * U.T - Xc for U, Xc in zip(matrices(run, res, "U"), Xs)])
    return residual


@functools.lru_cache(maxsize=4)
def symmetric_run(inst: MFInstance, dps: int) -> Run:
    """The pair of solves of U' = 2(Y − UUᵀ)U for ``inst`` (cached: the entries on this flow draw the same instances
    from SYMMETRIC_STREAM)."""
    Y, U0 = inst.symmetric()
    return solve_pair(mf_system(Y, inst.k, True), list(U0.ravel()), GRID, dps)


def check_riccati_hp(inst: MFInstance, dps: int, formula: ClosedForm, what: str) -> Result:
    Y, U0 = inst.symmetric()
    X0 = U0 @ U0.T  # exact: dyadic entries with few bits
    run = symmetric_run(inst, dps)
    res = decide(what, run, riccati_residual(Y, X0, formula), fro_scale, dps, inst.describe())
    return res.with_evidence(moved=moved_x(run)) if run.success else res


@claim("matrix_factorization.prop1.high_precision", section="2 / App. A", equations=("6", "32"),
       keys=(K + "proposition-1",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("matrix_factorization.prop1"), hypothesis_class=SYMMETRIC_CLASS,
       statement="At --dps digits, X = UUᵀ along U' = 2(Y − UUᵀ)U equals (6): "
                 "X(t) = e^{2tY}X0(I + Y⁻¹(e^{4tY} − I)X0)⁻¹e^{2tY} on [0, 1].", kind="closed_form")
def _prop1_hp(ctx: Context) -> Result:
    return check_along("Prop. 1 at high precision", SYMMETRIC_CLASS,
                       lambda i: check_riccati_hp(i, ctx.dps, closed_form("prop1"), "UUᵀ − (6)"), ctx,
                       stream=SYMMETRIC_STREAM)


@claim("matrix_factorization.eq40to42.high_precision", section="App. C", equations=("40", "41", "42"),
       keys=(K + "app-c-eqs-40-42",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("matrix_factorization.eq40to42"), hypothesis_class=SYMMETRIC_CLASS,
       statement="At --dps digits, X = UUᵀ along U' = 2(Y − UUᵀ)U equals (41): X(t) = Ŷ + "
                 "e^{−2tȲ}(X0 − Ŷ)[I + Ȳ⁻¹(I − e^{−4tȲ})(X0 − Ŷ)]⁻¹e^{−2tȲ} on [0, 1].", kind="closed_form")
def _eq40_hp(ctx: Context) -> Result:
    return check_along("eqs. (40)-(42) at high precision", SYMMETRIC_CLASS,
                       lambda i: check_riccati_hp(i, ctx.dps, closed_form("stable"), "UUᵀ − (41)"), ctx,
                       stream=SYMMETRIC_STREAM)


# --- eq. (5), integrated ----------------------------------------------------------------------------------------------
def riccati_ode_residual(Y: np.ndarray, m: int, k: int, quadratic: float = 4.0):
    """X_t − X₀ − ∫₀ᵗ(2YX + 2XY − ``quadratic``·X²) for X = UUᵀ (``quadratic`` = 4 is (5))."""
    def residual(run: Run, res: Any) -> np.ndarray:
        Ym = mpmath.matrix(mp_array(Y).tolist())

        def rate(s: Any, state: dict[str, np.ndarray]) -> np.ndarray:
            U = mpmath.matrix(state["U"].reshape(m, k).tolist())
            X = U * U.T
            return np.array(entries(2 * Ym * X + 2 * X * Ym - quadratic * X * X), dtype=object)

        ints = integral(run, res, rate, GRID, ("U",))
        Xs = [U * U.T for U in matrices(run, res, "U")]
        return np.array([np.array(entries(X - Xs[0]), dtype=object) - v for X, v in zip(Xs, ints)], dtype=object)
    return residual


def check_eq5_hp(inst: MFInstance, dps: int, quadratic: float = 4.0) -> Result:
    Y, _ = inst.symmetric()
    run = symmetric_run(inst, dps)
    res = decide("X_t − X₀ − ∫(2YX + 2XY − 4X²)", run, riccati_ode_residual(Y, inst.m, inst.k, quadratic), fro_scale,
                 dps, inst.describe())
    return res.with_evidence(moved=moved_x(run)) if run.success else res


@claim("matrix_factorization.eq5.high_precision", section="2", equations=("3", "5"), keys=(K + "eq-5",), tier="full",
       basis="printed", hypothesis_class=SYMMETRIC_CLASS,
       statement="At --dps digits along U' = 2(Y − UUᵀ)U, X = UUᵀ satisfies (5) integrated: "
                 "X(t) − X(0) = ∫₀ᵗ(2YX + 2XY − 4X²) on [0, 1].", kind="identity")
def _eq5_hp(ctx: Context) -> Result:
    return check_along("eq. (5) at high precision", SYMMETRIC_CLASS, lambda i: check_eq5_hp(i, ctx.dps), ctx,
                       stream=SYMMETRIC_STREAM)


# --- eq. (63): the scalar case ----------------------------------------------------------------------------------------
SCALAR_CLASS = HypothesisClass(
    words="U' = 2(σ − U²)U with σ ∈ ±[0.3, 1.5] and U₀ ∈ [0.1, 1.5] (rounded to multiples of 2^−10), on [0, 1]",
    strategy=st.builds(lambda s, sign, u: (sign * s, float(dyadic(np.array([u]))[0])), st.floats(0.3, 1.5),
                       st.sampled_from((-1.0, 1.0)), st.floats(0.1, 1.5)),
    describe=lambda inst: {"sigma": inst[0], "u0": inst[1], "horizon": HORIZON})


def scalar_residual(sigma: float, rate_factor: float = 1.0):
    """U² − σ/(1 + ce^{−4σt}), c = σ/U₀² − 1 (``rate_factor`` multiplies the 4)."""
    def residual(run: Run, res: Any) -> np.ndarray:
        s = mpmath.mpf(sigma)
        U = run.blocks(res, "U")[:, 0]
        c = s / U[0] ** 2 - 1
        return np.array([U[i] ** 2 - s / (1 + c * mpmath.exp(-4 * rate_factor * s * mpmath.mpf(t)))
                         for i, t in enumerate(GRID)], dtype=object)
    return residual


def check_eq63_hp(inst: tuple[float, float], dps: int, rate_factor: float = 1.0) -> Result:
    sigma, u0 = inst
    run = solve_pair(mf_system(np.array([[sigma]]), 1, True), [u0], GRID, dps)
    return decide("U² − σ/(1 + ce^{−4σt})", run, scalar_residual(sigma, rate_factor), fro_scale, dps,
                  {"sigma": sigma, "u0": u0})


@claim("matrix_factorization.eq63.high_precision", section="App. G", equations=("61", "62", "63"),
       keys=(K + "app-g-eq-63",), tier="full", basis="reconstructed",
       reconstruction=twin_reading("matrix_factorization.eq63"), hypothesis_class=SCALAR_CLASS,
       statement="At --dps digits, for scalar Y = σ, X = U² along U' = 2(σ − U²)U equals σ/(1 + ce^{−4σt}) "
                 "(c = σ/X₀ − 1) on [0, 1].", kind="closed_form")
def _eq63_hp(ctx: Context) -> Result:
    return check_along("eq. (63) at high precision", SCALAR_CLASS, lambda i: check_eq63_hp(i, ctx.dps), ctx)
