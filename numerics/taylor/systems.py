"""The project's flows as :class:`~numerics.taylor.integrator.TaylorSystem` s, from the generated recurrences.

Data enter exactly: float arrays are converted entry by entry (a float is a binary fraction, so mpf(x) is x), and
H = XᵀX/n, b = Xᵀy/n are formed in mpmath at the working precision of each solve. The state layouts are those of
the float64 solvers (numerics/momentum_flow.py, hb_nag.py, sign_descent.py, matrix_factorization.py), so their
initial states and results convert one to one (``initial_*`` build them in mpmath).
"""
from __future__ import annotations

from typing import Any

import mpmath
import numpy as np

from numerics import validation as V
from numerics.generated import hb_nag_taylor, matrix_factorization_taylor, momentum_flow_taylor, sign_descent_taylor
from numerics.taylor.integrator import TaylorSystem


def mp_array(values: Any) -> np.ndarray:
    """An object array of mpf with the entries of ``values`` (exact for floats), at the working precision."""
    arr = np.asarray(values, dtype=object)
    return np.array([mpmath.mpf(v) for v in arr.reshape(-1)], dtype=object).reshape(arr.shape)


def least_squares_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(H, b) = (XᵀX/n, Xᵀy/n) in mpmath at the working precision, from the exact entries of X and y."""
    Xm, ym = mp_array(X), mp_array(y)
    n = Xm.shape[0]
    H = np.array([[mpmath.fdot(Xm[:, i], Xm[:, j]) / n for j in range(Xm.shape[1])] for i in range(Xm.shape[1])],
                 dtype=object)
    b = np.array([mpmath.fdot(Xm[:, i], ym) / n for i in range(Xm.shape[1])], dtype=object)
    return H, b


def checked_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} entries; they must match")
    return X, y


# --- momentum_dln -----------------------------------------------------------------------------------------------
def mgf_system(X: Any, y: Any, lam: float, ratios: bool = False) -> TaylorSystem:
    """MGF(λ) on the diagonal network with numerics/momentum_flow.py's state (its ``layout(d, ratios)``)."""
    X, y = checked_data(X, y)
    lam = V.positive("lam", lam)
    d = X.shape[1]
    prog = momentum_flow_taylor.mgf_ratios if ratios else momentum_flow_taylor.mgf
    shapes = tuple((d,) for _ in prog.blocks[:-1]) + ((1,),)

    def parameters() -> tuple:
        return (mpmath.mpf(lam),) + least_squares_data(X, y)

    return TaylorSystem(prog, shapes, parameters)


def initial_mgf(u0: Any, v0: Any, ratios: bool = False) -> list:
    """The MGF state at rest from (u₀, v₀): w₊ = u₀ + v₀, w₋ = u₀ − v₀ (exact sums), every other block 0."""
    u0 = V.finite_array("u0", u0, ndim=1)
    v0 = V.finite_array("v0", v0, ndim=1)
    V.same_shape(("u0", "v0"), u0, v0)
    n_blocks = len(momentum_flow_taylor.mgf_ratios.blocks if ratios else momentum_flow_taylor.mgf.blocks) - 1
    with mpmath.workprec(2100):  # sums of two doubles are exact at this precision
        p = [mpmath.mpf(a) + mpmath.mpf(b) for a, b in zip(u0, v0)]
        m = [mpmath.mpf(a) - mpmath.mpf(b) for a, b in zip(u0, v0)]
    return p + m + [mpmath.mpf(0)] * ((n_blocks - 2) * u0.size + 1)


# --- hb_nag ---------------------------------------------------------------------------------------------------
def hb_nag_system(X: Any, y: Any, alpha: float, mu: float) -> TaylorSystem:
    """The HB/NAG flow (17) (α > 0) or the first-order flow (α = 0) with numerics/hb_nag.py's state."""
    X, y = checked_data(X, y)
    alpha, mu = V.non_negative("alpha", alpha), V.momentum("mu", mu)
    d = X.shape[1]
    prog = hb_nag_taylor.hb_nag_flow if alpha > 0 else hb_nag_taylor.hb_nag_first_order
    shapes = tuple((d,) for _ in prog.blocks)

    def parameters() -> tuple:
        lead = (mpmath.mpf(alpha),) if alpha > 0 else ()
        return lead + (mpmath.mpf(mu),) + least_squares_data(X, y)

    return TaylorSystem(prog, shapes, parameters)


# --- sign_descent ---------------------------------------------------------------------------------------------
def dominant_sign(X: Any, y: Any) -> np.ndarray:
    """s = −sign ∇_β L(0) = sign(Xᵀy): +1 where w₊ dominates (numerics/sign_descent.py's ``Trajectory.sign``)."""
    X, y = checked_data(X, y)
    return np.sign(X.T @ y)


def ssd_system(X: Any, y: Any, eps: float, dual: bool = False) -> TaylorSystem:
    """Smoothed sign descent (12) with ∫(14) (numerics/sign_descent.py's solve_ssd state), or with ``dual`` its
    dual system (θ, ξ) of Prop. 3.6 (solve_ssd_dual's state)."""
    X, y = checked_data(X, y)
    eps = V.positive("eps", eps)
    s = dominant_sign(X, y)
    prog = sign_descent_taylor.ssd_dual if dual else sign_descent_taylor.ssd
    shapes = tuple((X.shape[1],) for _ in prog.blocks)

    def parameters() -> tuple:
        return (mpmath.mpf(eps),) + least_squares_data(X, y) + (mp_array(s),)

    return TaylorSystem(prog, shapes, parameters)


def gd_system(X: Any, y: Any) -> TaylorSystem:
    """Gradient flow (71)–(72) with ∫ −4g (numerics/sign_descent.py's solve_gd state)."""
    X, y = checked_data(X, y)
    prog = sign_descent_taylor.gd
    return TaylorSystem(prog, tuple((X.shape[1],) for _ in prog.blocks), lambda: least_squares_data(X, y))


# --- matrix_factorization -------------------------------------------------------------------------------------
def mf_system(Y: Any, k: int, symmetric: bool) -> TaylorSystem:
    """The gradient flow of ½‖Y − UUᵀ‖² on U (m×k, ``symmetric``) or of ½‖Y − UVᵀ‖² on (U, V) (m×k, n×k); the flat
    state is U (then V) row by row, as numerics/matrix_factorization.py's ``Shapes.pack``."""
    Y = V.finite_array("Y", Y, ndim=2)
    k = V.count("k", k)
    m, n = Y.shape
    if symmetric and m != n:
        raise ValueError(f"the symmetric flow needs a square Y, got shape {Y.shape}")
    if symmetric:
        return TaylorSystem(matrix_factorization_taylor.mf_symmetric, ((m, k),), lambda: (mp_array(Y),))
    return TaylorSystem(matrix_factorization_taylor.mf_asymmetric, ((m, k), (n, k)), lambda: (mp_array(Y),))
