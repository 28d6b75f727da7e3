"""Training losses F(w) with their gradients, batched over leading axes of ``w``.

- :class:`Quadratic`: F(w) = ½ (w − w*)ᵀ H (w − w*).
- :class:`DiagonalNetwork`: the 2-layer diagonal linear network of Papazov et al. (§3),
  F(u, v) = L(u ⊙ v) with L(θ) = 1/(2n) ‖Xθ − y‖², and w = concat(u, v).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numerics import validation as V


@dataclass(frozen=True)
class Quadratic:
    """F(w) = ½ (w − w*)ᵀ H (w − w*) with H symmetric positive semi-definite."""

    H: np.ndarray
    w_star: np.ndarray

    def __post_init__(self) -> None:
        H = V.finite_array("H", self.H, ndim=2)
        w_star = V.finite_array("w_star", self.w_star, ndim=1)
        if H.shape != (w_star.size, w_star.size):
            raise ValueError(f"H must be {w_star.size}x{w_star.size} to match w_star, got {H.shape}")
        if not np.allclose(H, H.T, rtol=0, atol=1e-12 * max(1.0, np.abs(H).max())):
            raise ValueError("H must be symmetric")
        object.__setattr__(self, "H", H)
        object.__setattr__(self, "w_star", w_star)

    @property
    def dim(self) -> int:
        return self.w_star.size

    def value(self, w: np.ndarray) -> np.ndarray:
        r = np.asarray(w) - self.w_star
        return 0.5 * np.einsum("...i,ij,...j->...", r, self.H, r)

    def grad(self, w: np.ndarray) -> np.ndarray:
        return (np.asarray(w) - self.w_star) @ self.H

    def eig(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and orthonormal eigenvectors (columns) of H."""
        return np.linalg.eigh(self.H)


@dataclass(frozen=True)
class LeastSquares:
    """L(θ) = 1/(2n) ‖Xθ − y‖² on the regression vector θ, shared by every reparametrised network."""

    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        X = V.finite_array("X", self.X, ndim=2)
        y = V.finite_array("y", self.y, ndim=1)
        if X.shape[0] != y.size:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} entries; they must match")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    def loss_theta(self, theta: np.ndarray) -> np.ndarray:
        """L(θ) = 1/(2n) ‖Xθ − y‖²."""
        r = np.asarray(theta) @ self.X.T - self.y
        return 0.5 * np.sum(r * r, axis=-1) / self.n

    def grad_theta(self, theta: np.ndarray) -> np.ndarray:
        """∇L(θ) = Xᵀ(Xθ − y)/n."""
        return (np.asarray(theta) @ self.X.T - self.y) @ self.X / self.n


@dataclass(frozen=True)
class DiagonalNetwork(LeastSquares):
    """F(u, v) = 1/(2n) ‖X(u ⊙ v) − y‖², parameters w = concat(u, v) of length 2d."""

    @property
    def dim(self) -> int:
        return 2 * self.d

    def theta(self, w: np.ndarray) -> np.ndarray:
        """θ = u ⊙ v."""
        w = np.asarray(w)
        return w[..., : self.d] * w[..., self.d:]

    def value(self, w: np.ndarray) -> np.ndarray:
        return self.loss_theta(self.theta(w))

    def grad(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w)
        u, v = w[..., : self.d], w[..., self.d:]
        g = self.grad_theta(u * v)
        return np.concatenate([g * v, g * u], axis=-1)
