"""Proposition 4 of momentum_dln (MGF as a time-varying mirror flow) along a trajectory, in float64 or in mpmath.

Without zero crossings, ln|w±| solves λρ̈ + ρ̇ ± ∇L + λ(ẇ±/w±)² = 0 with ρ̇₀ = 0 (from rest), so
ln|w±,t| = ln|w±,0| ± ξ_t − λ∫₀ᵗ(ẇ±/w±)²(1 − e^{−(t−s)/λ})ds: the α±,t = w±,t e^{∓ξ_t} of App. C.2 are also
α±,t = w±,0 exp(−λ(K± − M±)) with the path integrals K± = ∫(ẇ±/w±)² and M± = ∫(ẇ±/w±)² e^{−(t−s)/λ} of the MGF state
(numerics/momentum_flow.py's ratio blocks; App. C.3's α±,∞ = w±,0 exp(−λ∫(ẇ±/w±)²) is the limit t → ∞).

Built from those α±,t, the potential Φ_t = ψ_Δt − ⟨φ_t, ·⟩ (Δ_t = |α₊α₋|, φ_t = ½arcsinh((α₊² − α₋²)/(2Δ_t)), eq. 15)
does not contain ξ_t, and Proposition 4 integrated twice from ξ₀ = ξ̇₀ = 0 reads ∇Φ_t(θ_t) = ξ_t = −J_t − λη_t: an
identity between the weights, the gradient integrals (J, η) and the ratio integrals (K±, M±) that holds only if the
state follows MGF. :func:`mirror_flow_residual` is its residual, and that of Δ_t = |w₊w₋|.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from numerics.generated.momentum_flow import grad_potential, grad_potential_mp, phi_of_alpha, phi_of_alpha_mp
from numerics.momentum_flow import layout


def blocks_of(state: Any) -> dict[str, np.ndarray]:
    """The blocks of one MGF state with the ratio integrals (numerics/momentum_flow.py's ``layout(d, True)``)."""
    state = np.asarray(state)
    if state.ndim != 1 or (state.size - 1) % 14:
        raise ValueError(f"state must be one MGF state with ratio blocks (14 d + 1 entries), got shape {state.shape}")
    return {name: state[sl] for name, sl in layout((state.size - 1) // 14, True).items()}


def mirror_flow_residual(state: Any, state0: Any, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """(∇Φ_t(θ_t) − ξ_t, Δ_t − |w₊w₋|) per coordinate at one MGF state (ratio blocks needed; no zero crossing of w±
    before it), with Φ_t and Δ_t built from α±,t = w±,0 exp(−λ(K± − M±)) (see the module). Floats give float64
    residuals; object arrays of mpf give mpf residuals at the working precision (evaluate inside it)."""
    s, s0 = blocks_of(state), blocks_of(state0)
    exact = s["p"].dtype == object
    if exact:
        import mpmath

        exp, absolute = np.frompyfunc(mpmath.exp, 1, 1), np.frompyfunc(abs, 1, 1)
        grad, phi_of = np.frompyfunc(grad_potential_mp, 3, 1), np.frompyfunc(phi_of_alpha_mp, 2, 1)
    else:
        exp, absolute, grad, phi_of = np.exp, np.abs, grad_potential, phi_of_alpha
    ap = s0["p"] * exp(-lam * (s["Kp"] - s["Mp"]))
    am = s0["m"] * exp(-lam * (s["Km"] - s["Mm"]))
    delta = absolute(ap * am)
    theta = (s["p"] * s["p"] - s["m"] * s["m"]) / 4
    xi = -s["J"] - lam * s["eta"]
    return grad(theta, delta, phi_of(ap, am)) - xi, delta - absolute(s["p"] * s["m"])
