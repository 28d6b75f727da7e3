"""Conservation laws of gradient flow for the factorised models of the five papers (beyond the paper).

A model is a polynomial map φ(θ); gradient flow of any loss ℓ(φ(θ)) moves along the span of the
fields ∇φ_j. A function h is conserved for every loss iff ∇h ⊥ ∇φ_j for all j; the number of
independent conserved functions is D − dim Lie(∇φ)(θ) (Marcotte, Gribonval, Peyré 2023). This module
gives the symbolic side: the models, their known laws, the proof that those laws are conserved and
the exact number of functionally independent ones (rank of their Jacobian at a rational point).
The Lie-algebra rank itself is computed numerically in :mod:`numerics.matrix_factorization`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp

from derivations.codegen import Formula


@dataclass(frozen=True)
class Model:
    """A factorised model: parameters θ (flat), outputs φ(θ), and its known conserved functions."""

    name: str
    params: tuple[sp.Symbol, ...]
    outputs: tuple[sp.Expr, ...]
    known_laws: tuple[sp.Expr, ...]


def hadamard_uv(d: int) -> Model:
    """w = u ⊙ v (diagonal linear networks of momentum_dln / hb_nag); laws u_i² − v_i²."""
    us, vs = sp.symbols(f"u0:{d}", real=True), sp.symbols(f"v0:{d}", real=True)
    return Model(f"u*v (d={d})", us + vs, tuple(a * b for a, b in zip(us, vs)),
                 tuple(a ** 2 - b ** 2 for a, b in zip(us, vs)))


def squares_difference(d: int) -> Model:
    """w = u ⊙ u − v ⊙ v (the other diagonal parametrisation); laws u_i v_i."""
    us, vs = sp.symbols(f"u0:{d}", real=True), sp.symbols(f"v0:{d}", real=True)
    return Model(f"u*u-v*v (d={d})", us + vs, tuple(a ** 2 - b ** 2 for a, b in zip(us, vs)),
                 tuple(a * b for a, b in zip(us, vs)))


def matrix_product(m: int, n: int, k: int) -> Model:
    """X = UVᵀ, U ∈ R^{m×k}, V ∈ R^{n×k} (this paper); laws: entries of UᵀU − VᵀV (upper triangle)."""
    U = sp.Matrix(m, k, lambda i, j: sp.Symbol(f"U_{i}_{j}", real=True))
    V = sp.Matrix(n, k, lambda i, j: sp.Symbol(f"V_{i}_{j}", real=True))
    Q = U.T * U - V.T * V
    return Model(f"UV^T (m={m}, n={n}, k={k})", tuple(U) + tuple(V), tuple(U * V.T),
                 tuple(Q[i, j] for i in range(k) for j in range(i, k)))


def conservation_residuals(model: Model) -> sp.Matrix:
    """⟨∇h_a, ∇φ_j⟩ for every known law h_a and output φ_j (all must expand to zero)."""
    grad = lambda f: sp.Matrix([sp.diff(f, p) for p in model.params])  # noqa: E731
    gphi = [grad(f) for f in model.outputs]
    return sp.Matrix(len(model.known_laws), len(gphi),
                     lambda a, j: sp.expand(grad(model.known_laws[a]).dot(gphi[j])))


def independent_law_count(model: Model, seed: int = 0) -> int:
    """Exact rank of the Jacobian of the known laws at a random rational point (independent laws)."""
    rng = random.Random(seed)
    point = {p: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for p in model.params}
    jac = sp.Matrix([[sp.diff(h, p) for p in model.params] for h in model.known_laws]).subs(point)
    return int(jac.rank())


def linear_field_matrices(model: Model) -> list[list[list[int]]]:
    """Each ∇φ_j as the integer matrix M_j with ∇φ_j(θ) = M_j θ (raises if a field is not linear)."""
    out = []
    for f in model.outputs:
        g = [sp.diff(f, p) for p in model.params]
        M = sp.Matrix([[sp.diff(gi, p) for p in model.params] for gi in g])
        if any(sp.diff(e, p) != 0 for e in M for p in model.params):
            raise ValueError(f"{model.name}: ∇{f} is not a linear vector field")
        out.append([[int(e) for e in row] for row in M.tolist()])
    return out


def known_count_formula(m: sp.Expr, n: sp.Expr, k: sp.Expr) -> sp.Expr:
    """Number of independent entries of UᵀU − VᵀV: k(k+1)/2, minus (k−m−n)(k−m−n+1)/2 when k > m + n
    (a symmetric k×k matrix of signature (≤m, ≤n) has that many degrees of freedom)."""
    excess = sp.Max(k - m - n, 0)
    return k * (k + 1) / 2 - excess * (excess + 1) / 2


def formulas() -> list[Formula]:
    """The count formula for the numerics (integers in, integer-valued out)."""
    k = sp.Symbol("k", positive=True, integer=True)
    excess = sp.Symbol("excess", nonnegative=True, integer=True)
    return [Formula("gram_law_count", (k, excess), k * (k + 1) / 2 - excess * (excess + 1) / 2,
                    "k(k+1)/2 − e(e+1)/2 with e = max(k − m − n, 0): independent entries of UᵀU − VᵀV.")]
