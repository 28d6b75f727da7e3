"""The Taylor machinery: jet recurrences against mpmath, the compiler, the integrator on exact solutions, against
mpmath.odefun, and the defect check catching a wrong recurrence."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.taylor import FlowSpec, MatVec, compile_program
from numerics.flow import FlowStatus, solve_flow
from numerics.generated.momentum_flow import mgf_rhs_coord
from numerics.taylor import jets as J
from numerics.taylor.integrator import TaylorSystem, expand, order_for
from numerics.taylor.jets import Jet
from numerics.taylor.systems import initial_mgf, mf_system, mgf_system

DPS = 50
#: digits the exact-solution tests ask for at DPS = 50
DIGITS = 40

reals = st.floats(min_value=-0.9, max_value=0.9, allow_nan=False)
positive = st.floats(min_value=0.2, max_value=2.0)

FUNCTIONS = {
    "exp": (Jet.exp, mpmath.exp), "log": (Jet.log, mpmath.log), "sqrt": (Jet.sqrt, mpmath.sqrt),
    "sinh": (Jet.sinh, mpmath.sinh), "cosh": (Jet.cosh, mpmath.cosh), "sin": (Jet.sin, mpmath.sin),
    "cos": (Jet.cos, mpmath.cos), "tanh": (Jet.tanh, mpmath.tanh), "asinh": (Jet.asinh, mpmath.asinh),
    "power 1.7": (lambda j: j ** mpmath.mpf("1.7"), lambda x: x ** mpmath.mpf("1.7")),
    "reciprocal": (lambda j: 3 / j, lambda x: 3 / x), "abs": (abs, abs),
}


def series(f, x0, n):
    """Taylor coefficients of f at x0 by mpmath's numerical differentiation."""
    return mpmath.taylor(f, x0, n - 1)


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(sorted(FUNCTIONS)), a0=positive, a1=reals, a2=reals)
def test_elementary_jets_match_mpmath_taylor(name, a0, a1, a2):
    jet_of, f = FUNCTIONS[name]
    with mpmath.workdps(40):
        a = [mpmath.mpf(a0), mpmath.mpf(a1), mpmath.mpf(a2)]
        inner = Jet.constant(a[0], 7) + Jet.variable(0, 7) * a[1] + Jet.variable(0, 7) * Jet.variable(0, 7) * a[2]
        got = jet_of(inner).coefficients()
        ref = series(lambda t: f(a[0] + a[1] * t + a[2] * t * t), 0, 7)
        assert max(abs(g - r) for g, r in zip(got, ref)) < mpmath.mpf(10) ** -30


@settings(max_examples=10, deadline=None)
@given(st.lists(reals, min_size=6, max_size=6), st.lists(reals, min_size=6, max_size=6))
def test_products_and_quotients_match_polynomial_arithmetic(p, q):
    with mpmath.workdps(DPS):
        A, B = Jet(np.array(p, dtype=object) * mpmath.mpf(1)), Jet(np.array(q, dtype=object) * mpmath.mpf(1))
        exact = np.convolve(np.array(p, dtype=object) * mpmath.mpf(1), np.array(q, dtype=object) * mpmath.mpf(1))
        assert all(abs(x - y) < mpmath.mpf(10) ** -45 for x, y in zip((A * B).coefficients(), exact[:6]))
        assert all(abs(x - y) < mpmath.mpf(10) ** -45 for x, y in zip((A * A).coefficients(), (A * A.exp().log())
                                                                         .coefficients()))
        D = B + 2  # b_0 >= 1.1: the quotient's series exists
        assert all(abs(x - y) < mpmath.mpf(10) ** -45 for x, y in zip(((A / D) * D).coefficients(), A.coefficients()))


def test_matrix_jets_are_cauchy_products_of_matrices():
    rng = np.random.default_rng(1)
    with mpmath.workdps(30):
        a = np.array(rng.standard_normal((4, 2, 3)).tolist(), dtype=object) * mpmath.mpf(1)
        b = np.array(rng.standard_normal((4, 3, 2)).tolist(), dtype=object) * mpmath.mpf(1)
        for k in range(4):
            direct = sum(np.dot(a[j], b[k - j]) for j in range(k + 1))
            assert np.max(np.abs(J.matmul(a, b, k) - direct)) < mpmath.mpf(10) ** -28


def test_order_rule_follows_the_digits():
    assert order_for(50) == 59 and order_for(30) == 36 and order_for(80) == 94


# --- the integrator on exact solutions -----------------------------------------------------------------------
y_, r_ = sp.Symbol("y", real=True), sp.Symbol("r", positive=True)
a_, b_, w_, I_ = sp.symbols("a b omega I", real=True)


def logistic(rate: float = 2.0) -> TaylorSystem:
    prog = compile_program(FlowSpec("logistic", (("y", y_),), (r_ * y_ * (1 - y_),), (r_,), "logistic"))
    return TaylorSystem(prog, ((1,),), lambda: (mpmath.mpf(rate),))


def rotation(omega: float = 3.0) -> TaylorSystem:
    """(a, b)' = ω(−b, a) with I' = |a|: I(t) = ∫|cos ωs| ds crosses kinks where cos vanishes."""
    spec = FlowSpec("rotation", (("a", a_), ("b", b_), ("I", I_)), (-w_ * b_, w_ * a_, sp.Abs(a_)), (w_,), "rotation")
    return TaylorSystem(compile_program(spec), ((1,), (1,), (1,)), lambda: (mpmath.mpf(omega),))


def digits(a, b) -> float:
    return -float(mpmath.log10(max(abs(x - y) for x, y in zip(a, b)) + mpmath.mpf(10) ** -100))


def test_logistic_to_forty_digits_with_its_error_estimate():
    times = [0, 0.5, 1, 3]
    res = solve_flow(logistic(), ["0.1"], times, method="taylor", dps=DPS)
    assert res.success and res.dps == DPS and res.refined.dps == DPS + 10
    with mpmath.workdps(DPS + 30):
        y0 = mpmath.mpf("0.1")
        exact = [y0 * mpmath.exp(2 * mpmath.mpf(t)) / (1 - y0 + y0 * mpmath.exp(2 * mpmath.mpf(t))) for t in times]
    assert digits(res.y[:, 0], exact) >= DIGITS
    assert res.error_estimate < 1e-45
    assert res.error_of(lambda r: r.y[:, 0] ** 2) < 1e-44


def test_rotation_and_its_kinked_integral():
    times = [0, 1, 2.5]
    res = solve_flow(rotation(), [1, 0, 0], times, method="taylor", dps=DPS, dense=True)
    assert res.success, res.message
    with mpmath.workdps(DPS + 20):
        T = [mpmath.mpf(t) for t in times]
        cos, sin = [mpmath.cos(3 * t) for t in T], [mpmath.sin(3 * t) for t in T]
        # ∫₀ᵗ |cos 3s| ds: 3t = 7.5 passes π/2, 3π/2 (and 5π/2 = 7.85 not yet)
        kinked = [mpmath.quad(lambda s: abs(mpmath.cos(3 * s)), [0] + [k * mpmath.pi / 6 for k in (1, 3)
                                                                       if k * mpmath.pi / 6 < t] + [t]) for t in T]
        assert digits(res.y[:, 0], cos) >= DIGITS and digits(res.y[:, 1], sin) >= DIGITS
        assert digits(res.y[:, 2], kinked) >= DIGITS
        assert abs(res.sol(mpmath.mpf("1.7"))[0] - mpmath.cos(3 * mpmath.mpf("1.7"))) < mpmath.mpf(10) ** -DIGITS


def test_linear_system_against_the_matrix_exponential():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((3, 3)) - 2 * np.eye(3)
    x = sp.Symbol("x", real=True)
    prog = compile_program(FlowSpec("linear", (("x", x),), (MatVec(sp.Symbol("M"), x),), (sp.Symbol("M"),), "x' = Mx"))
    system = TaylorSystem(prog, ((3,),), lambda: (np.array(M.tolist(), dtype=object) * mpmath.mpf(1),))
    res = solve_flow(system, [1.0, -0.5, 0.25], [0, 2.0], method="taylor", dps=DPS)
    with mpmath.workdps(DPS + 20):
        exact = mpmath.expm(mpmath.matrix(M.tolist()) * 2) * mpmath.matrix([1.0, -0.5, 0.25])
        assert digits(res.y[-1], list(exact)) >= DIGITS


def test_stop_condition_lands_on_the_crossing():
    stop = lambda t, y: mpmath.mpf("0.5") - y[0]  # noqa: E731 (stop when y reaches 1/2)
    res = solve_flow(logistic(), ["0.1"], method="taylor", dps=DPS, stop=stop, t_max=10)
    assert res.status is FlowStatus.STOPPED
    with mpmath.workdps(DPS + 10):
        assert abs(res.t[-1] - mpmath.log(9) / 2) < mpmath.mpf(10) ** -DIGITS  # y = 1/2 at t = ln 9 / r
    assert res.refined.status is FlowStatus.STOPPED


# --- the generated flows ----------------------------------------------------------------------------------------
def test_generated_mgf_right_hand_side_matches_the_generated_formulas():
    rng = np.random.default_rng(4)
    X, yv = rng.standard_normal((4, 3)), rng.standard_normal(4)
    lam = 0.3
    system = mgf_system(X, yv, lam)
    state = rng.standard_normal(system.size)
    with mpmath.workdps(30):
        consts = system.program.constants(*system.parameters())
        y0 = np.array([mpmath.mpf(v) for v in state], dtype=object)
        f = [float(v) for v in expand(system, consts, y0, 1, 0).coefficients[1]]  # coefficient 1 = f(y0)
    d = 3
    p, m, vp, vm, eta, Q = (state[i * d:(i + 1) * d] for i in (0, 1, 2, 3, 5, 8))
    g = X.T @ (X @ ((p * p - m * m) / 4) - yv) / 4
    expected = np.concatenate(np.broadcast_arrays(*mgf_rhs_coord(p, m, vp, vm, eta, Q, g, lam)))
    np.testing.assert_allclose(f[:10 * d], expected, rtol=1e-12, atol=1e-14)
    assert f[-1] == pytest.approx(np.sum((vp ** 2 + vm ** 2) / 2), rel=1e-12)


def test_mgf_from_rest_keeps_its_kinked_integral_and_agrees_at_two_precisions():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4, 3))
    system = mgf_system(X, X @ np.array([1.0, -0.5, 0.0]), 0.5)
    res = solve_flow(system, initial_mgf(np.full(3, 0.5), np.zeros(3)), [0, 1.5], method="taylor", dps=30)
    assert res.success, res.message
    assert res.error_estimate < 1e-26
    with mpmath.workdps(30):  # arithmetic on the results needs their precision (outside, mpmath rounds to 15 digits)
        A, P = res["A"][-1], res["P"][-1]
        assert all(a >= abs(q) for a, q in zip(A, P))  # ∫|u̇² − v̇²| >= |∫(u̇² − v̇²)|


def test_matrix_flow_agrees_with_mpmath_odefun():
    Y = np.array([[1.0, 0.3], [0.2, 0.7]])
    U0, V0 = np.array([[0.3], [0.1]]), np.array([[0.2], [-0.1]])
    system = mf_system(Y, 1, symmetric=False)
    res = solve_flow(system, np.concatenate([U0.ravel(), V0.ravel()]), [0, 0.5], method="taylor", dps=20,
                     looser=None)
    with mpmath.workdps(20):
        def rhs(_t, z):
            U, V = mpmath.matrix(z[:2]), mpmath.matrix(z[2:])
            E = mpmath.matrix(Y.tolist()) - U * V.T
            return list(E * V) + list(E.T * U)
        ref = mpmath.odefun(rhs, 0, [mpmath.mpf(v) for v in np.concatenate([U0.ravel(), V0.ravel()])])(0.5)
        assert digits(res.y[-1], ref) >= 18


# --- a wrong recurrence is caught ----------------------------------------------------------------------------------
def test_a_perturbed_recurrence_fails_the_defect_check(monkeypatch):
    exact_mul = J.mul

    def perturbed(a, b, k):
        out = exact_mul(a, b, k)
        return out * (1 + mpmath.mpf(10) ** -20) if k == 3 else out

    monkeypatch.setattr(J, "mul", perturbed)
    res = solve_flow(logistic(), ["0.1"], [0, 1], method="taylor", dps=DPS, looser=None)
    assert res.status is FlowStatus.FAILED and "defect" in res.message


def test_dps_is_only_for_the_high_precision_method():
    with pytest.raises(ValueError, match="dps"):
        solve_flow(lambda t, y: -y, [1.0], [0, 1], method="DOP853", dps=30)
