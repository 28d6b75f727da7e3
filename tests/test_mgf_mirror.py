"""numerics.mgf_mirror: Proposition 4 of momentum_dln integrated twice (∇Φ_t(θ_t) = ξ_t with α±,t from the ratio
integrals) holds along MGF in float64 and at high precision, and fails for a wrong λ or a state off the flow."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from numerics import momentum_flow as MF
from numerics.flow import solve_flow
from numerics.mgf_mirror import mirror_flow_residual
from numerics.taylor.systems import initial_mgf, mgf_system


def instance() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 3)) + 1.0
    return X, X @ np.array([1.0, -0.5, 0.0]), np.full(3, 0.3), np.zeros(3), 0.05


def worst(res: tuple) -> float:
    return float(np.max(np.abs(np.concatenate(res))))


def test_the_identity_holds_along_a_float64_run_and_fails_for_a_wrong_lambda():
    X, y, u0, v0, lam = instance()
    run = MF.solve_dln_mgf(X, y, u0, v0, lam, ratios=True)
    assert not run.crossings  # the identity is stated before the first crossing
    states = run.states(np.linspace(0, min(run.t_end, 5.0), 21)[1:])
    assert max(worst(mirror_flow_residual(s, run.state0, lam)) for s in states) < 1e-9
    assert max(worst(mirror_flow_residual(s, run.state0, lam * 1.1)) for s in states) > 1e-4


def test_the_identity_holds_to_the_working_precision_along_a_taylor_solve():
    X, y, u0, v0, lam = instance()
    res = solve_flow(mgf_system(X, y, lam, ratios=True), initial_mgf(u0, v0, ratios=True), [0, 0.2, 0.4],
                     method="taylor", dps=30, looser=None)
    assert res.success, res.message
    with mpmath.workdps(30):
        for state in res.y[1:]:
            assert max(abs(v) for v in np.concatenate(mirror_flow_residual(state, res.y[0], mpmath.mpf(lam)))) < 1e-26
        moved = res.y[-1].copy()
        moved[0] *= 1 + mpmath.mpf(10) ** -12  # w₊ off the flow by a relative 1e-12
        assert max(abs(v) for v in np.concatenate(mirror_flow_residual(moved, res.y[0], mpmath.mpf(lam)))) > 1e-14


def test_a_state_without_ratio_blocks_is_rejected():
    with pytest.raises(ValueError, match="ratio blocks"):
        mirror_flow_residual(np.zeros(10 * 3 + 1), np.zeros(10 * 3 + 1), 0.1)
