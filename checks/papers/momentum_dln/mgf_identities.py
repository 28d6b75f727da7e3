"""Identities of MGF on the diagonal network (App. B, C.1, C.2, E): the (w₊, w₋) reparametrisation, energy
dissipation (14), the log-ODE (17) and the scalar Lemmas 5 and 6 on λḟ + f + g = 0."""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from checks.context import Context
from checks.papers.momentum_dln.hypotheses_flow import GENERAL, LEMMA6, Lemma6Instance, check_pool, per_run
from checks.papers.momentum_dln.instances import K, describe_run, unconverged
from checks.registry import claim
from checks.sampling import check_class
from checks.symbolic import residuals_vanish
from checks.verdict import Result, combine, from_errors
from derivations import momentum_flow as MD
from numerics import momentum_flow as MF
from numerics.flow import solve_flow

GROUP = "continuous"
#: Lemma 5's residuals (symbolic, computed once per process; eqs. 21-23 use its Fubini step).
lemma5_residuals = functools.lru_cache(maxsize=None)(MD.lemma5_residuals)
#: horizon of Lemma 6's solves
LEMMA6_HORIZON = 60.0
#: equispaced times at which ‖g‖∞ is taken (g is a closed form: cheap)
SUP_POINTS = 1_000_001


def check_eq12_13(stated_sign: dict[str, int] | None = None) -> Result:
    """(12)/(13) for w₊ and w₋ with the ∇L terms' signs as stated (default: as printed, + for w₊, − for w₋)."""
    return residuals_vanish("App. B reparametrisation", MD.reparametrisation_residuals(stated_sign))


@claim("momentum_dln.eq12to13", section="App. B", equations=("12", "13"), keys=(K + "eqs-12-13-reparametrisation",),
       statement="With w± = u ± v, MGF (4) becomes λẅ± + ẇ± ± ∇L⊙w± = 0 and MGD becomes "
                 "w±,k+1 = w±,k ∓ γ∇L w±,k + β(w±,k − w±,k−1); θ = (w₊² − w₋²)/4 and u² − v² = w₊w₋ (so Δ = |w₊w₋|).",
       kind="identity", basis="printed")
def _eq12_13(ctx: Context) -> Result:
    return check_eq12_13()


def check_energy(run: MF.MGFRun, ctx: Context) -> Result:
    """Numerically: E_t + ∫₀ᵗ‖ẇ‖² = E₀ at the end of the run (∫‖ẇ‖² carried in the state)."""
    bad = unconverged(run, "energy identity")
    if bad:
        return bad

    def gap(state: np.ndarray) -> float:
        kin = 0.5 * (run.get("vp", state) @ run.get("vp", state) + run.get("vm", state) @ run.get("vm", state))
        return float(run.train_loss(state) + run.lam / 2 * kin + run.get("Ekin", state)[0])

    e0 = float(run.train_loss(run.state0))
    err = abs(gap(run.state) - e0)
    tol = run.flow.error_of(lambda r: gap(r.y_end)) + 1e-13 * e0
    return from_errors("E_t + ∫‖ẇ‖² − E₀ at the end of the run", [err], tol, instances=[describe_run(run, ctx)])


@claim("momentum_dln.eq14", section="App. C.1", equations=("14",), keys=(K + "eq-14-energy-dissipation",),
       statement="For MGF, E_t = F(w_t) + (λ/2)‖ẇ_t‖² has Ė_t = −‖ẇ_t‖² ≤ 0.", kind="identity",
       latex=r"\dot E_t = -\|\dot w_t\|_2^2", basis="printed", hypothesis_class=GENERAL)
def _eq14(ctx: Context) -> Result:
    return combine("eq. (14)", {"symbolic (generic F, 2 coordinates)":
                                residuals_vanish("Ė + ‖ẇ‖²", {"dE/dt + |w'|^2": MD.energy_residual()}),
                                "along a trajectory": check_pool(
                                    "energy identity", GENERAL, per_run(ctx, False, lambda run: check_energy(run, ctx)),
                                    ctx)})


@claim("momentum_dln.eq17", section="App. C.2 / C.3.2", equations=("17",), keys=(K + "eq-17-log-ode",),
       statement="Where w± ≠ 0, g± = ln|w±| solves λg̈ + ġ ± ∇L + λ(ẇ±/w±)² = 0.", kind="identity",
       basis="printed")
def _eq17(ctx: Context) -> Result:
    return residuals_vanish("eq. (17)", {"w+": MD.log_ode_residual(1), "w-": MD.log_ode_residual(-1)})


@claim("momentum_dln.lemma5", section="App. E", equations=("Lemma 5",), keys=(K + "lemma-5",),
       statement="If λḟ + f + g = 0 then f(t) = f(0)e^{−t/λ} − (1/λ)∫₀ᵗ g(s)e^{−(t−s)/λ}ds and "
                 "∫₀ᵀ f = λf(0)(1 − e^{−T/λ}) − ∫₀ᵀ g(t)(1 − e^{−(T−t)/λ})dt.", kind="closed_form",
       basis="printed")
def _lemma5(ctx: Context) -> Result:
    return residuals_vanish("Lemma 5", {**lemma5_residuals(),
                                        "dsolve comparison (g = sin t + t)": MD.lemma5_dsolve_residual()})


def check_lemma6(lam: float, forcings: list[Callable[[np.ndarray], np.ndarray]],
                 horizon: float = LEMMA6_HORIZON, tail: float | None = None, integral_factor: float = 1.0,
                 sup_error: float = 0.0) -> Result:
    """Lemma 6 on given forcings g (bounded and integrable): solve λḟ + f + g = 0, f(0) = 0 with the integrals
    ∫|f|, ∫|g|, ∫f, ∫g in the state; check ‖f‖∞ ≤ ‖g‖∞, ∫|f| ≤ ∫|g| (at every sample time), f(T) → 0, ∫f = −∫g.
    DOP853 at rtol 1e-12, atol 1e-14, and again at rtol 1e-9 with the same atol for the error estimate. ``tail``
    bounds (1 + λ)|f(T)| = |∫₀ᵀf + ∫₀ᵀg| + |f(T)| of the exact solution (default: e^{−T/(4λ)}, for forcings that
    have decayed by T). ``integral_factor`` states the last identity as ∫f = −factor·∫g (tests: a wrong constant)."""
    viol, eq_errs, tol_parts = [], [], []
    ts = np.linspace(0, horizon, 2001)
    for g in forcings:
        def rhs(t: float, z: np.ndarray, g: Callable = g) -> np.ndarray:
            gv = float(g(np.array([t]))[0])
            return np.array([-(z[0] + gv) / lam, abs(z[0]), abs(gv), z[0], gv])

        res = solve_flow(rhs, np.zeros(5), ts, method="DOP853", rtol=1e-12, atol=1e-14, loose_atol=1e-14)
        f, af, ag, If, Ig = res.y.T
        est = float(np.max(res.error))
        gmax = float(np.max(np.abs(g(np.linspace(0, horizon, SUP_POINTS)))))
        viol.append(max(float(np.max(np.abs(f))) - gmax, float(np.max(af - ag)), 0.0))
        eq_errs.append(abs(If[-1] + integral_factor * Ig[-1]) + abs(f[-1]))
        tol_parts.append(est + 1e-12 + sup_error)
    tol = max(tol_parts)
    return combine("Lemma 6", {
        "bounds hold": from_errors("violation of ‖f‖∞ ≤ ‖g‖∞ and ∫|f| ≤ ∫|g|", viol, tol),
        "f -> 0 and int f = -int g": from_errors("|∫f + ∫g| + |f(T)| at T = horizon", eq_errs,
                                                 tol + (max(float(np.exp(-horizon / (4 * lam))), 1e-12)
                                                        if tail is None else tail),
                                                 horizon=horizon)})


def lemma6_forcing(a: float, w: float, c: float) -> Callable[[np.ndarray], np.ndarray]:
    """g(t) = a·cos(ωt)·e^{−ct}."""
    return lambda t: a * np.cos(w * t) * np.exp(-c * t)


def check_lemma6_instance(inst: Lemma6Instance, integral_factor: float = 1.0) -> Result:
    """:func:`check_lemma6` on a drawn instance, with the horizon T = 60·max(λ, 1/c_min) and the tail bound derived
    from |g(t)| ≤ A e^{−c_min t} (A = Σ|a|): f(T) = −(1/λ)∫₀ᵀg(s)e^{−(T−s)/λ}ds, so |f(T)| ≤ (‖g‖₁/λ)e^{−T/(2λ)} +
    A e^{−c_min T/2}, and |∫₀ᵀf + ∫₀ᵀg| = λ|f(T)| (Lemma 5 with f(0) = 0)."""
    lam = inst.lam
    c_min = min(c for _, _, c in inst.forcings)
    amp = sum(abs(a) for a, _, _ in inst.forcings)
    horizon = 60.0 * max(lam, 1.0 / c_min)
    g1 = sum(abs(a) / c for a, _, c in inst.forcings)
    tail = (1 + lam) * (g1 / lam * np.exp(-horizon / (2 * lam)) + amp * np.exp(-c_min * horizon / 2))
    # the sampled max of a smooth |g| is below its sup by at most h²/8·max|g''|, |g''| <= Σ|a|(ω + c)²
    h = horizon / (SUP_POINTS - 1)
    sup_error = h * h / 8 * sum(abs(a) * (w + c) ** 2 for a, w, c in inst.forcings)
    return check_lemma6(lam, [lemma6_forcing(*f) for f in inst.forcings], horizon, float(tail), integral_factor,
                        sup_error)


@claim("momentum_dln.lemma6", section="App. E", equations=("Lemma 6",), keys=(K + "lemma-6",),
       statement="If λḟ + f + g = 0, f(0) = 0 (λ > 0): g ∈ L∞ ⇒ ‖f‖∞ ≤ ‖g‖∞; g ∈ L¹ ⇒ ∫₀ᵗ|f| ≤ ∫₀ᵗ|g|, f(t) → 0 "
                 "and ∫₀^∞ f = −∫₀^∞ g.", kind="inequality", basis="printed", hypothesis_class=LEMMA6)
def _lemma6(ctx: Context) -> Result:
    return check_class("Lemma 6", LEMMA6, check_lemma6_instance, ctx)
