"""One front door for every flow the checks integrate: :func:`solve_flow` and its :class:`FlowResult`.

Modelled on ``scipy.integrate.solve_ivp`` (one call over many methods, a result with a status and a message)
and diffrax's immutable ``Solution``. Every solve is done twice: at the requested tolerances and at tolerances
``looser`` times looser (default 1000). The looser solve is kept as ``result.loose``; the difference of the two
bounds the looser solve's error and so, with room to spare, the returned tight one's. Derived quantities get
their error the same way, through :meth:`FlowResult.error_of`.

Two ways to say where a solve ends:

- ``t_eval``: the states at these times (increasing, from t >= 0) are returned;
- ``stop``: a function g(t, y) > 0 while the flow should go on; the solver is stepped by hand until g <= 0 after a
  step (or ``t_max``, or the wall-clock ``max_seconds``), and the last step is cut where g crosses zero on its
  interpolant, bisected to adjacent floats so that g(t_end, y_end) <= 0 as evaluated. The returned rows are the
  solver's own steps.

Methods: ``odeint`` (ODEPACK's LSODA in one Fortran call, with the Jacobian; ``t_eval`` only) and the
``solve_ivp`` methods in :data:`METHODS`; the implicit ones (:data:`IMPLICIT`) get ``jac`` when one is given.

High precision: ``method="taylor"`` with ``dps=`` digits takes a :class:`numerics.taylor.integrator.TaylorSystem` (a
generated Taylor-coefficient program) as ``rhs`` and returns the same FlowResult with ``y`` (and ``t``) as object
arrays of mpf at ``dps`` digits; its second solve is more accurate (``dps`` + 10 digits, a higher order) and is
attached as ``refined`` instead of ``loose``. The error properties use whichever second solve there is
(:mod:`numerics.taylor.integrator` says how order and step follow from the digits).
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, Callable, Mapping

import numpy as np
from scipy.integrate import BDF, DOP853, LSODA, RK23, RK45, ODEintWarning, OdeSolution, Radau, odeint, solve_ivp

from numerics import validation as V

Rhs = Callable[[float, np.ndarray], np.ndarray]
Jac = Callable[[float, np.ndarray], np.ndarray]

#: scipy's step-by-step solvers by name.
SOLVERS = {"LSODA": LSODA, "BDF": BDF, "Radau": Radau, "RK45": RK45, "RK23": RK23, "DOP853": DOP853}
#: Every method :func:`solve_flow` accepts.
METHODS = ("odeint",) + tuple(SOLVERS)
#: Methods that use the Jacobian.
IMPLICIT = ("odeint", "LSODA", "BDF", "Radau")
#: Default factor between the tolerances of the second solve and the first.
LOOSER = 1e3
#: High-precision methods (a TaylorSystem as ``rhs``, ``dps`` digits).
HIGH_PRECISION = ("taylor",)


class FlowStatus(IntEnum):
    """How a solve ended (as ``solve_ivp``'s status: negative is a failure)."""

    FAILED = -1
    #: reached the last requested time (``t_eval``) or ``t_max`` (``stop``)
    FINISHED = 0
    #: the stop condition g(t, y) <= 0 was met
    STOPPED = 1
    #: the wall-clock budget ran out before the end
    TIMED_OUT = 2


@dataclass(frozen=True)
class FlowResult:
    """A solved flow: the states ``y`` (one row per time of ``t``), how the solve went, and the looser solve.

    ``sol`` is the tight solve's dense output when asked for (``sol(t)`` has scipy's shape: state × times).
    ``loose`` is the same problem solved at ``looser`` times the tolerances (itself without a ``loose``), or None
    when no second solve was asked for or the first one failed. ``blocks`` names slices of the state:
    ``result["w"]`` is block ``w`` of every row. A high-precision solve (method ``taylor``) has ``dps`` (its working
    digits; ``t`` and ``y`` hold mpf) and, in place of ``loose``, ``refined``: the same problem solved at more digits
    and a higher order, whose difference estimates this solve's own error.
    """

    t: np.ndarray
    y: np.ndarray
    status: FlowStatus
    message: str
    method: str
    rtol: float
    nfev: int
    sol: Callable[[Any], np.ndarray] | None = field(default=None, repr=False)
    loose: FlowResult | None = field(default=None, repr=False)
    blocks: Mapping[str, slice] = field(default_factory=dict, repr=False)
    dps: int | None = None
    refined: FlowResult | None = field(default=None, repr=False)

    @property
    def second(self) -> FlowResult | None:
        """The second solve the error estimates use: ``loose`` (float methods) or ``refined`` (high precision)."""
        return self.loose if self.loose is not None else self.refined

    def __getitem__(self, block: str) -> np.ndarray:
        """Block ``block`` of the state at every time (rows)."""
        if block not in self.blocks:
            raise KeyError(f"no state block {block!r}; the blocks are {sorted(self.blocks)}")
        return self.y[:, self.blocks[block]]

    @property
    def success(self) -> bool:
        """True when the solve (and its looser twin, if any) ran to the end asked for."""
        ok = self.status in (FlowStatus.FINISHED, FlowStatus.STOPPED)
        other = self.second
        return ok and (other is None or other.status in (FlowStatus.FINISHED, FlowStatus.STOPPED))

    @property
    def t_end(self) -> float:
        """The last time reached."""
        return float(self.t[-1])

    @property
    def y_end(self) -> np.ndarray:
        """The last state."""
        return self.y[-1]

    @property
    def end_error(self) -> np.ndarray:
        """|tight − loose| (or |y − refined|) of the end states, per component (NaN without a second solve)."""
        if self.second is None:
            return np.full(self.y.shape[1], np.nan)
        return np.abs(self.y_end - self.second.y_end)

    @property
    def error(self) -> np.ndarray:
        """|tight − loose| per row and component, on the shared times of a ``t_eval`` solve (a ``stop`` solve's
        rows are the solver's own steps, which differ between the two: use :attr:`end_error`)."""
        other = self.second
        if other is None:
            return np.full(self.y.shape, np.nan)
        if other.t.shape != self.t.shape or not np.array_equal(other.t, self.t):
            raise ValueError("the two solves have different rows (a stop-condition solve): use end_error")
        return np.abs(self.y - other.y)

    @property
    def error_estimate(self) -> float:
        """The largest entry of :attr:`error` (of :attr:`end_error` for a ``stop`` solve); inf on failure."""
        if not self.success:
            return float("inf")
        same_rows = self.second is not None and np.array_equal(self.second.t, self.t)
        err = self.error if same_rows else self.end_error
        return float(np.max(err)) if err.size else 0.0

    def error_of(self, quantity: Callable[[FlowResult], Any]) -> float:
        """Error estimate of a derived quantity: max |quantity(tight) − quantity(loose)| (inf without a second
        solve); for a high-precision solve, both are evaluated and subtracted at the refined solve's digits."""
        if self.second is None:
            return float("inf")
        if self.dps is not None:
            import mpmath

            with mpmath.workdps(max(self.dps, self.second.dps or self.dps)):
                a = np.asarray(quantity(self), dtype=object)
                diff = np.abs(a - np.asarray(quantity(self.second), dtype=object))
                return float(np.max(diff)) if a.size else 0.0
        a = np.asarray(quantity(self), dtype=float)
        b = np.asarray(quantity(self.loose), dtype=float)
        return float(np.max(np.abs(a - b))) if a.size else 0.0


def _check_times(t_eval: Any) -> np.ndarray:
    t_eval = V.finite_array("t_eval", t_eval, ndim=1)
    if t_eval.size == 0 or t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError("t_eval must be a non-empty, increasing array of times >= 0")
    return t_eval


def _failed(t: np.ndarray, n: int, method: str, rtol: float, message: str, nfev: int) -> FlowResult:
    return FlowResult(t, np.full((t.size, n), np.nan), FlowStatus.FAILED, message, method, rtol, nfev)


def _on_grid(rhs: Rhs, jac: Jac | None, y0: np.ndarray, t_eval: np.ndarray, method: str, rtol: float,
             atol: Any, dense: bool) -> FlowResult:
    """One solve reporting the states at ``t_eval``."""
    n = y0.size
    if method == "odeint":
        start = t_eval[0] > 0
        times = np.concatenate([[0.0], t_eval]) if start else t_eval
        if times.size == 1:  # odeint needs an interval: the state at t = 0 is y0
            return FlowResult(t_eval, y0[None, :].copy(), FlowStatus.FINISHED, "t_eval = [0]", method, rtol, 0)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", ODEintWarning)  # the failure is reported in the result
            ys, info = odeint(rhs, y0, times, Dfun=jac, tfirst=True, full_output=True, rtol=rtol, atol=atol,
                              mxstep=10 ** 6)
        nfev = int(info["nfe"][-1])
        if info["message"] != "Integration successful." or not np.all(np.isfinite(ys)):
            return _failed(t_eval, n, method, rtol, str(info["message"]), nfev)
        return FlowResult(t_eval, ys[1:] if start else ys, FlowStatus.FINISHED, str(info["message"]), method, rtol,
                          nfev)
    kw = {"jac": jac} if jac is not None and method in IMPLICIT else {}
    with np.errstate(all="ignore"):
        out = solve_ivp(rhs, (0.0, float(t_eval[-1])), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol,
                        dense_output=dense, **kw)
    if not out.success or not np.all(np.isfinite(out.y)):
        return _failed(t_eval, n, method, rtol, str(out.message), int(out.nfev))
    return FlowResult(t_eval, out.y.T.copy(), FlowStatus.FINISHED, str(out.message), method, rtol, int(out.nfev),
                      sol=out.sol if dense else None)


def first_nonpositive(g: Callable[[float], float], lo: float, hi: float) -> float:
    """Bisect g(lo) > 0 >= g(hi) down to adjacent floats, keeping that invariant, and return hi: a time at which
    g <= 0 as evaluated (near a quantity's round-off floor g is noisy, and a root finder's estimate of its zero can
    land where g is still slightly positive)."""
    while True:
        mid = lo + (hi - lo) / 2
        if not lo < mid < hi:
            return hi
        if g(mid) > 0:
            lo = mid
        else:
            hi = mid


def _to_stop(rhs: Rhs, jac: Jac | None, y0: np.ndarray, t_max: float, method: str, rtol: float, atol: Any,
             dense: bool, stop: Callable[[float, np.ndarray], float], deadline: float) -> FlowResult:
    """One solve stepped by hand until ``stop`` <= 0 after a step, ``t_max``, a failure or the ``deadline``."""
    kw = {"jac": jac} if jac is not None and method in IMPLICIT else {}
    solver = SOLVERS[method](rhs, 0.0, y0, t_max, rtol=rtol, atol=atol, **kw)
    ts, ys, pieces = [0.0], [y0.copy()], []
    status, message = FlowStatus.FINISHED, "the solver reached t_max"
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while solver.status == "running":
            step_message = solver.step()
            if solver.status == "failed":
                status, message = FlowStatus.FAILED, str(step_message)
                break
            t, state = solver.t, solver.y.copy()
            piece = solver.dense_output() if dense else None
            if stop(t, state) <= 0:
                status, message = FlowStatus.STOPPED, "the stop condition was met"
                piece = piece if piece is not None else solver.dense_output()
                g = lambda tau: stop(tau, piece(tau))  # noqa: E731 (closes over this step's interpolant)
                if g(solver.t_old) > 0 >= g(t):
                    t = first_nonpositive(g, solver.t_old, t)
                    state = piece(t)
                piece = piece if dense else None
            elif time.monotonic() > deadline:
                status, message = FlowStatus.TIMED_OUT, f"the wall-clock budget ran out at t = {t:.4g}"
            if t > ts[-1]:  # a cut exactly at the previous step's end adds no point
                ts.append(float(t))
                ys.append(state)
                if piece is not None:
                    pieces.append(piece)
            if status is not FlowStatus.FINISHED:
                break
    if status is FlowStatus.FINISHED and not solver.status == "finished":
        status = FlowStatus.FAILED
    y = np.vstack(ys)
    if status is not FlowStatus.FAILED and not np.all(np.isfinite(y[-1])):
        status, message = FlowStatus.FAILED, "the state is no longer finite"
    sol = OdeSolution(ts, pieces, alt_segment=method in ("BDF", "LSODA")) if dense and pieces else None
    return FlowResult(np.asarray(ts), y, status, message, method, rtol, int(solver.nfev), sol=sol)


def solve_flow(rhs: Rhs, y0: Any, t_eval: Any = None, *, jac: Jac | None = None, method: str = "LSODA",
               rtol: float = 1e-12, atol: Any = 1e-14, looser: float | None = LOOSER, dense: bool = False,
               stop: Callable[[float, np.ndarray], float] | None = None, t_max: float | None = None,
               max_seconds: float | None = None, blocks: Mapping[str, slice] | None = None,
               loose_atol: Any = None, dps: int | None = None) -> FlowResult:
    """Solve y' = rhs(t, y), y(0) = y0, twice (``rtol``/``atol``, then ``looser`` times both; ``looser=None`` skips
    the second solve) and return the tight solve with the loose one attached.

    Give either ``t_eval`` (the times to report) or ``stop`` and ``t_max`` (step until stop(t, y) <= 0).
    ``blocks`` names slices of the state (``result["w"]``). ``atol`` is a number or one per component;
    ``loose_atol`` (default ``looser``·atol) is the second solve's, for a solve whose second run loosens rtol only.
    ``max_seconds`` is a wall-clock budget for both solves of a stop-condition solve together; running out of it
    gives status TIMED_OUT, never a different state.

    ``method="taylor"`` (with ``dps`` digits, default 50) takes a TaylorSystem as ``rhs``; ``jac``, ``rtol``, ``atol``
    and ``blocks`` do not apply (the system's blocks name the state), ``looser=None`` skips its refined solve.
    """
    if method in HIGH_PRECISION:
        from numerics.taylor.integrator import REFINE_DIGITS, solve_taylor

        return solve_taylor(rhs, y0, t_eval, dps=50 if dps is None else dps, stop=stop, t_max=t_max, dense=dense,
                            max_seconds=max_seconds, refine_digits=None if looser is None else REFINE_DIGITS)
    if dps is not None:
        raise ValueError(f"dps applies to the high-precision methods ({', '.join(HIGH_PRECISION)}), not {method!r}")
    y0 = V.finite_array("y0", y0, ndim=1)
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS + HIGH_PRECISION)}, got {method!r}")
    V.positive("rtol", rtol)
    atol_arr = np.asarray(atol, dtype=float)
    if atol_arr.ndim > 1 or (atol_arr.ndim == 1 and atol_arr.size != y0.size) or not np.all(atol_arr > 0):
        raise ValueError(f"atol must be a positive number or one per component ({y0.size}), got {atol!r}")
    if looser is not None and not looser > 1:
        raise ValueError(f"looser must be a factor > 1 (or None for no second solve), got {looser!r}")
    if max_seconds is not None:
        V.positive("max_seconds", max_seconds)
    deadline = np.inf if max_seconds is None else time.monotonic() + max_seconds
    if stop is None:
        if t_eval is None or t_max is not None:
            raise ValueError("give t_eval (times to report), or stop and t_max (a stop condition), not both")
        grid = _check_times(t_eval)

        def once(rt: float, at: Any, want_dense: bool) -> FlowResult:
            return _on_grid(rhs, jac, y0, grid, method, rt, at, want_dense)
    else:
        if t_eval is not None or t_max is None:
            raise ValueError("a stop-condition solve takes t_max and no t_eval")
        V.positive("t_max", t_max)
        if method == "odeint":
            raise ValueError("a stop-condition solve steps the solver by hand: use one of " + ", ".join(SOLVERS))

        def once(rt: float, at: Any, want_dense: bool) -> FlowResult:
            return _to_stop(rhs, jac, y0, float(t_max), method, rt, at, want_dense, stop, deadline)

    names = dict(blocks or {})
    tight = replace(once(rtol, atol_arr, dense), blocks=names)
    if looser is None or tight.status in (FlowStatus.FAILED, FlowStatus.TIMED_OUT):
        return tight
    loose_at = atol_arr * looser if loose_atol is None else np.asarray(loose_atol, dtype=float)
    loose = replace(once(rtol * looser, loose_at, False), blocks=names)
    if loose.status in (FlowStatus.FAILED, FlowStatus.TIMED_OUT):  # the result's message says why it failed
        return replace(tight, loose=loose, message=f"the looser second solve failed: {loose.message}")
    return replace(tight, loose=loose)
