"""App. C.3.2's quantities on one MGF run (:class:`C32Terms`): the m.p.v. double integrals Ω±, their ∇L parts and
the zero crossings, with error estimates; computed once per (seed, setting, λ) and shared by the claims of
:mod:`checks.papers.momentum_dln.crossings`."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from checks.context import Context
from checks.papers.momentum_dln.hypotheses_flow import FlowInstance, drawn_error_run, drawn_run
from checks.papers.momentum_dln.instances import (
    LAMBDA_CROSSING,
    LAMBDA_MULTI,
    MGF_SIZES,
    MGFSetting,
    mgf_data,
    mgf_error_run,
    mgf_run,
    prop3_lambda_bound,
)
from numerics import momentum_flow as MF
from numerics.mgf_integrals import crossing_integrals

GROUP = "continuous"
#: excisions δ_j = δ₀ 2^{−j} of the m.p.v. limit (δ₀ = MPV_DELTA0_FRACTION · min(λ, half the shortest gap
#: between two crossings of one coordinate)); at least 4 are needed for the order fit and the extrapolation.
MPV_EXCISIONS = 5
MPV_DELTA0_FRACTION = 0.02


@dataclass(frozen=True, eq=False)
class C32Terms:
    """App. C.3.2's quantities on one run, per coordinate c of (w₊, w₋) (rows w₊[0..d−1], then w₋[0..d−1]).

    ``omega_hat[c]`` = ∫₀^∞ m.p.v.∫₀^t [(ẇ/w)² ± ∇L/λ]e^{−(t−s)/λ}sgn(w_t w_s) ds dt (the exponent of eq. 18),
    ``omega[c]`` the same without the ∇L term (Lemma 1's Ω±), ``c_neg[c]`` = ∫∫∇L e^{−(t−s)/λ}1{w_t w_s < 0} (eq. 19);
    ``times[c]`` are the τ at which the finite-τ identities are checked for c (one before its first crossing, one
    after each), with ``omega_hat_tau``/``inner_hat_tau`` the outer and inner m.p.v. integrals there. ``err_*`` are
    error estimates: δ-extrapolation + (tight − loose solve) + the change over the last tenth of the run (tail)."""

    run: MF.MGFRun
    crossings: list[list[float]]
    signs: np.ndarray
    w0: np.ndarray
    w_end: np.ndarray
    log_w_err: np.ndarray
    omega_hat: np.ndarray
    omega: np.ndarray
    c_neg: np.ndarray
    err_omega_hat: np.ndarray
    err_omega: np.ndarray
    err_c_neg: np.ndarray
    times: list[list[float]]
    omega_hat_tau: list[list[float]]
    inner_hat_tau: list[list[float]]
    err_tau: list[list[float]]
    deltas: np.ndarray
    omega_by_delta: np.ndarray  # (excision, coordinate): Ω± at t_end for each δ (Lemma 1's limit)


def identity_times(run: MF.MGFRun) -> tuple[list[list[float]], float]:
    """Per coordinate, the τ of the finite-τ identities (half-way to its first zero, then after each zero half-way to
    the next or λ after it), and the first excision δ₀."""
    rows = MF.coordinate_crossings(run)
    times, gaps = [], [run.lam]
    for ts in rows:
        if not ts:
            times.append([])
            continue
        mine = [ts[0] / 2]
        for m, T in enumerate(ts):
            nxt = ts[m + 1] if m + 1 < len(ts) else math.inf
            mine.append(T + min((nxt - T) / 2, run.lam))
            if nxt < math.inf:
                gaps.append((nxt - T) / 2)
        gaps.append(ts[0] / 2)
        times.append(mine)
    return times, MPV_DELTA0_FRACTION * min(gaps)


def excision_integrals(run: MF.MGFRun, taus: np.ndarray, deltas: np.ndarray) -> dict[str, np.ndarray]:
    """Ω± (extrapolated in δ), the exponent of eq. (18), the inner m.p.v. integrals and c_neg at the times ``taus``."""
    ci = crossing_integrals(run, taus, deltas)
    sgn = np.concatenate([np.ones(run.d), -np.ones(run.d)])
    om, om_err = ci.extrapolate(ci.outer_w)
    inner, inner_err = ci.extrapolate(ci.inner_w)
    return {"omega": om, "omega_err": om_err, "omega_hat": om + sgn[:, None] * ci.outer_g / run.lam,
            "inner_hat": inner + sgn[:, None] * ci.inner_g / run.lam, "inner_err": inner_err,
            "c_neg": (ci.outer_1 - ci.outer_g) / 2, "by_delta": ci.outer_w[:, :, -1]}


def signed_weights(run: MF.MGFRun, state: np.ndarray) -> np.ndarray:
    """(w₊, w₋) of a state as one vector of the 2d coordinates."""
    return np.concatenate([run.get("p", state), run.get("m", state)])


@functools.lru_cache(maxsize=None)
def c32_terms(seed: int, st: MGFSetting, lam: float, ratios: bool) -> C32Terms:
    """Compute C32Terms on the cached run and on its solve at 1000× looser tolerances (for the error)."""
    return terms_of(mgf_run(seed, st, lam, ratios), mgf_error_run(seed, st, lam, ratios))


@functools.lru_cache(maxsize=64)
def drawn_terms(seed: int, inst: FlowInstance) -> C32Terms:
    """C32Terms of a drawn instance's run (hypotheses_flow.drawn_run) and its looser solve."""
    return terms_of(drawn_run(seed, inst, False), drawn_error_run(seed, inst, False))


def terms_of(run: MF.MGFRun, coarse: MF.MGFRun) -> C32Terms:
    """C32Terms of ``run``, with the error estimates from ``coarse`` (the same instance at looser tolerances)."""
    if not run.flow.success:
        raise RuntimeError(f"MGF({run.lam}) did not converge: {MF.failure(run)}")
    rows = MF.coordinate_crossings(run)
    if not coarse.flow.success or [len(r) for r in MF.coordinate_crossings(coarse)] != [len(r) for r in rows]:
        raise RuntimeError("the error-estimate solve (1000x looser tolerances) failed or crossed zero differently")
    times, delta0 = identity_times(run)
    tail_t = 0.9 * run.t_end
    taus = np.unique(np.array([t for ts in times for t in ts] + [tail_t, run.t_end]))
    deltas = delta0 * 2.0 ** -np.arange(MPV_EXCISIONS)
    # each solve is read at its own end (both stop where the energy falls below loss_tol, at times that differ at
    # the level of the solves' error): the looser one may end before the tight one's t_end
    crs_taus = np.append(taus[:-1], coarse.t_end)
    i_tail = int(np.searchsorted(taus, tail_t))
    if i_tail > 0 and crs_taus[i_tail] >= coarse.t_end > crs_taus[i_tail - 1]:
        # the tail time is read on the tight solve only: on a looser solve that stopped earlier, any time between
        # its last identity time and its end stands in (the value there is never used)
        crs_taus[i_tail] = 0.5 * (crs_taus[i_tail - 1] + coarse.t_end)
    if np.any(np.diff(crs_taus) <= 0):
        raise RuntimeError(f"the error-estimate solve ends at t = {coarse.t_end:.6g}, before the times the "
                           f"identities are read at (up to {taus[-2]:.6g})")
    fine, crs = excision_integrals(run, taus, deltas), excision_integrals(coarse, crs_taus, deltas)
    i_end = taus.size - 1
    log_w = np.log(np.abs(signed_weights(run, run.state)))
    log_w_tail = np.log(np.abs(signed_weights(run, run.states(np.array([tail_t]))[0])))
    log_w_err = np.abs(log_w - np.log(np.abs(signed_weights(coarse, coarse.state)))) + np.abs(log_w - log_w_tail)

    def err(key: str, extra: str | None = None) -> np.ndarray:
        e = np.abs(fine[key][:, i_end] - crs[key][:, i_end]) + np.abs(fine[key][:, i_end] - fine[key][:, i_tail])
        return e + (fine[extra][:, i_end] if extra else 0.0) + 1e-13 * np.maximum(1.0, np.abs(fine[key][:, i_end]))

    idx = {float(t): j for j, t in enumerate(taus)}
    tau_err = (np.abs(fine["omega_hat"] - crs["omega_hat"]) + fine["omega_err"]
               + np.abs(fine["inner_hat"] - crs["inner_hat"]) + fine["inner_err"])
    return C32Terms(
        run, rows, np.concatenate([np.ones(run.d), -np.ones(run.d)]), signed_weights(run, run.state0),
        signed_weights(run, run.state), log_w_err,
        fine["omega_hat"][:, i_end], fine["omega"][:, i_end], fine["c_neg"][:, i_end],
        err("omega_hat", "omega_err"), err("omega", "omega_err"), err("c_neg"), times,
        [[float(fine["omega_hat"][c, idx[t]]) for t in ts] for c, ts in enumerate(times)],
        [[float(fine["inner_hat"][c, idx[t]]) for t in ts] for c, ts in enumerate(times)],
        [[float(tau_err[c, idx[t]]) for t in ts] for c, ts in enumerate(times)], deltas, fine["by_delta"])


def multi_terms(ctx: Context) -> C32Terms:
    """C32Terms of the run whose coordinates cross zero twice (the tier's multi-crossing setting at LAMBDA_MULTI)."""
    return c32_terms(ctx.seed, MGF_SIZES.of(ctx).multi_setting, LAMBDA_MULTI, False)


def positive_terms(ctx: Context) -> C32Terms:
    """C32Terms of the run at Prop. 3's bound (no crossings; the m.p.v. integrals are plain integrals)."""
    st = MGF_SIZES.of(ctx).setting
    return c32_terms(ctx.seed, st, prop3_lambda_bound(mgf_data(ctx.seed, st), np.full(st.d, st.alpha ** 2)), True)


def crossing_terms(ctx: Context) -> C32Terms:
    """C32Terms of the run at LAMBDA_CROSSING (weights cross zero once)."""
    return c32_terms(ctx.seed, MGF_SIZES.of(ctx).setting, LAMBDA_CROSSING, False)
