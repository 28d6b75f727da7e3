"""The shared pieces every paper package builds on: named random streams, tier profiles, frozen results and the
one front door for flows (numerics.flow)."""
from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, dataclass

import numpy as np
import pytest

from checks.context import Context, stream_name, stream_rng, stream_seed
from checks.profiles import TierProfiles
from checks.verdict import Result, Verdict, from_errors
from numerics.flow import FlowStatus, solve_flow


# --- random streams -------------------------------------------------------------------------------------
def test_streams_are_named_after_the_claim_and_reproducible():
    ctx = Context(seed=3, claim="hb_nag.fig1")
    a, b = ctx.rng().standard_normal(4), ctx.rng().standard_normal(4)
    assert np.array_equal(a, b)
    assert np.array_equal(a, stream_rng(3, "hb_nag.fig1").standard_normal(4))
    assert not np.array_equal(a, ctx.rng("other").standard_normal(4))
    assert ctx.stream_seed("x", 2) == stream_seed(3, "hb_nag.fig1.x.2")
    assert stream_name("hb_nag.instance", "quick", True) == "hb_nag.instance.quick.True"
    assert not np.array_equal(a, Context(seed=4, claim="hb_nag.fig1").rng().standard_normal(4))


def test_a_context_without_a_claim_has_no_stream_of_its_own():
    with pytest.raises(ValueError, match="names no claim"):
        Context().rng()
    with pytest.raises(ValueError, match="at least one part"):
        stream_name()


# --- tier profiles --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    n: int
    d: int


def test_tier_profiles_pick_the_run_s_tier_and_are_immutable():
    sizes = TierProfiles(quick=Sizes(4, 8), full=Sizes(10, 20))
    assert sizes.of(Context(tier="full")) == Sizes(10, 20) and sizes["quick"].d == 8
    with pytest.raises(AttributeError):
        sizes.quick = Sizes(1, 1)  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        sizes["quick"].n = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match="tier must be one of"):
        sizes["medium"]


@pytest.mark.parametrize("kwargs, word", [({"quick": Sizes(1, 1)}, "exactly the tiers"),
                                          ({"quick": Sizes(1, 1), "full": (1, 1)}, "one type"),
                                          ({"quick": {"n": 1}, "full": {"n": 2}}, "frozen dataclass")])
def test_tier_profiles_reject_bad_declarations(kwargs, word):
    with pytest.raises(ValueError, match=word):
        TierProfiles(**kwargs)


# --- results --------------------------------------------------------------------------------------------
def test_results_are_frozen_and_pickle():
    res = from_errors("x", [1e-12], 1e-10)
    with pytest.raises(FrozenInstanceError):
        res.verdict = Verdict.REFUTED  # type: ignore[misc]
    with pytest.raises(TypeError, match="read-only"):
        res.evidence["more"] = 1  # type: ignore[index]
    more = res.with_evidence(more=1)
    assert more.evidence["more"] == 1 and "more" not in res.evidence and more.verdict is res.verdict
    back = pickle.loads(pickle.dumps(more))
    assert back == more and isinstance(back, Result)


# --- flows ----------------------------------------------------------------------------------------------
def decay(_t, y):
    return -y


def decay_jac(_t, y):
    return -np.eye(y.size)


@pytest.mark.parametrize("method", ["odeint", "LSODA", "DOP853", "Radau"])
def test_solve_flow_matches_the_exact_solution_within_its_error_estimate(method):
    t = np.linspace(0.0, 3.0, 7)
    res = solve_flow(decay, [1.0, -2.0], t, jac=decay_jac, method=method, rtol=1e-10, atol=1e-12)
    exact = np.exp(-t)[:, None] * np.array([1.0, -2.0])
    assert res.status is FlowStatus.FINISHED and res.success and res.loose is not None
    assert res.y.shape == (7, 2) and np.array_equal(res.t, t)
    # the looser solve's difference bounds the tight solve's true error (with room: it bounds the loose one's)
    assert np.max(np.abs(res.y - exact)) <= res.error_estimate
    assert res.error_of(lambda f: f.y[:, 0] ** 2) <= 4 * res.error_estimate


def test_solve_flow_stops_where_the_condition_is_met():
    res = solve_flow(decay, [1.0], stop=lambda _t, y: y[0] - 0.25, t_max=100.0, method="LSODA", dense=True)
    assert res.status is FlowStatus.STOPPED and res.success
    assert res.y_end[0] <= 0.25 and res.t_end == pytest.approx(np.log(4.0), rel=1e-9)
    assert res.end_error.shape == (1,) and res.error_estimate < 1e-6
    assert res.sol is not None and res.sol(res.t_end)[0] == pytest.approx(res.y_end[0])
    with pytest.raises(ValueError, match="end_error"):
        _ = res.error


def test_a_failed_solve_says_so():
    blow_up = solve_flow(lambda _t, y: y ** 2, [1.0], [0.0, 2.0], method="DOP853")
    assert blow_up.status is FlowStatus.FAILED and not blow_up.success and blow_up.error_estimate == np.inf
    assert blow_up.message and np.all(np.isnan(blow_up.y))


@pytest.mark.parametrize("kwargs, word", [
    ({"t_eval": [1.0, 0.5]}, "increasing"), ({"t_eval": [0.0, 1.0], "method": "Euler"}, "method"),
    ({"t_eval": [0.0, 1.0], "atol": [1.0, 2.0]}, "atol"), ({"t_eval": [0.0, 1.0], "looser": 0.5}, "looser"),
    ({}, "give t_eval"), ({"t_eval": [0.0, 1.0], "stop": lambda t, y: 1.0, "t_max": 2.0}, "no t_eval"),
    ({"stop": lambda t, y: 1.0, "t_max": 2.0, "method": "odeint"}, "by hand")])
def test_solve_flow_rejects_bad_requests(kwargs, word):
    with pytest.raises(ValueError, match=word):
        solve_flow(decay, [1.0], **kwargs)


def test_a_failed_second_solve_says_so_in_the_message(monkeypatch):
    import numerics.flow as flow_module

    solves = []
    real = flow_module.solve_ivp

    def counting(fun, *args, **kwargs):  # the second (looser) solve meets a NaN
        solves.append(1)
        broken = len(solves) > 1
        return real(lambda t, y: np.full_like(y, np.nan) if broken and t > 1.0 else fun(t, y), *args, **kwargs)

    monkeypatch.setattr(flow_module, "solve_ivp", counting)
    res = solve_flow(decay, [1.0], np.linspace(0, 50, 5), method="DOP853", rtol=1e-12)
    assert len(solves) == 2 and res.loose is not None and not res.success
    assert "looser second solve failed" in res.message
