"""Taylor-series integration at a requested number of digits (the ``taylor`` method of ``numerics.flow.solve_flow``).

At each step the generated recurrences (:class:`~numerics.taylor.jets.JetProgram`) give the Taylor polynomial of the
solution through the current state, of order p, at the working precision of ``dps`` digits. Order and step follow
Jorba & Zou (2005, *Experiment. Math.* 14): for a tolerance ε = 10^−dps,

    p = ⌈−½ ln ε⌉ + 1 ≈ 1.15·dps + 1,   h = e^−2 · min_{j ∈ {p−1, p}} (S/‖c_j‖∞)^{1/j},   S = max(1, ‖y‖∞),

so that the first neglected term is about S·ε·e^−2 when the coefficients decay geometrically. The step also ends

- at the next zero of the argument of a non-smooth node (|x|, sign x: the program's ``kinks``), located on the
  argument's polynomial by bisection, so that no polynomial straddles a kink (the next expansion takes the side its
  own series moves to);
- at the last requested time, or where the stop condition crosses zero (bisection on the step's polynomial).

Every step is checked: the derivative of the previous step's polynomial at its end must equal the right-hand side
evaluated at the new state (coefficient 1 of the new expansion, which uses only order-0 evaluations, not the
recurrences); the largest defect, relative to S/h, is reported, and a defect above 10^(−dps/2) fails the solve (a
wrong recurrence shows there). The error estimate is a second solve at ``dps + REFINE_DIGITS`` digits, hence of
order ≈ 1.15·REFINE_DIGITS higher (``FlowResult.refined``).

Stiffness (MGF and HB/NAG at small λ or α): the method is explicit. While a fast mode e^{−t/λ} is present its
coefficients set the step, about λ(p!)^{1/p}/e² ≈ λp/e³; once it has decayed, the step is bounded by stability: the
order-p polynomial of e^{−h/λ} stays below 1 in modulus only for h/λ up to a bound growing linearly with p, and a
longer step lets round-off in the fast mode grow until the step rule shortens the step again. Measured on MGF
(benchmarks/bench_taylor.py): a mean step of about 10–20 λ at 60 digits, so a horizon T costs about T/(15λ) steps.
"""
from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

import mpmath
import numpy as np

from numerics.flow import FlowResult, FlowStatus
from numerics.taylor.jets import JetProgram, Workspace

#: extra digits of the second solve whose difference is the error estimate
REFINE_DIGITS = 10
#: samples per step at which the argument of each kink is checked for a sign change
KINK_SAMPLES = 16


def order_for(digits: int) -> int:
    """Jorba–Zou's order for a tolerance 10^−digits: ⌈digits·ln(10)/2⌉ + 1."""
    return math.ceil(digits * math.log(10) / 2) + 1


@dataclass(frozen=True)
class TaylorSystem:
    """A flow for the ``taylor`` method: a generated :class:`JetProgram`, the shape of each of its state blocks (in
    the program's order; the flat state is their concatenation), and a function returning the program's parameters,
    called inside the working precision (so data enter at every precision exactly)."""

    program: JetProgram
    shapes: tuple[tuple[int, ...], ...]
    parameters: Callable[[], tuple]

    def __post_init__(self) -> None:
        if len(self.shapes) != len(self.program.blocks):
            raise ValueError(f"{self.program.name} has {len(self.program.blocks)} state blocks, got "
                             f"{len(self.shapes)} shapes")

    @property
    def layout(self) -> dict[str, slice]:
        """Slice of the flat state per block."""
        out, start = {}, 0
        for name, shape in zip(self.program.blocks, self.shapes):
            size = int(np.prod(shape))
            out[name] = slice(start, start + size)
            start += size
        return out

    @property
    def size(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes)

    def blocks_of(self, y: np.ndarray) -> list[np.ndarray]:
        """The flat state ``y`` cut into blocks of their shapes."""
        return [y[sl].reshape(shape) for sl, shape in zip(self.layout.values(), self.shapes)]


def horner(coefficients: np.ndarray, tau: Any) -> np.ndarray:
    """Σ_j c_j τ^j for coefficients (orders × entries), or orders only."""
    acc = coefficients[-1]
    for c in coefficients[-2::-1]:
        acc = acc * tau + c
    return acc


@dataclass
class Expansion:
    """One step's Taylor polynomial: coefficients (orders × flat state) and the workspace of its nodes."""

    coefficients: np.ndarray
    workspace: Workspace

    def at(self, tau: Any) -> np.ndarray:
        """The polynomial at τ."""
        return horner(self.coefficients, tau)

    def derivative_at(self, tau: Any) -> np.ndarray:
        """The polynomial's derivative at τ."""
        C = self.coefficients
        p = C.shape[0] - 1
        acc = p * C[p]
        for j in range(p - 1, 0, -1):
            acc = acc * tau + j * C[j]
        return acc


def expand(system: TaylorSystem, consts: tuple, y: np.ndarray, order: int, zero: Any) -> Expansion:
    """The Taylor polynomial of order ``order`` through the flat state ``y``."""
    prog = system.program
    w = Workspace(prog.nodes, order + 1, zero)
    for i, block in enumerate(system.blocks_of(y)):
        w[i, 0] = block
    for k in range(order):
        prog.coefficients(k, w, consts)
    coeffs = np.concatenate([w[i].reshape(order + 1, -1) for i in range(len(prog.blocks))], axis=1)
    return Expansion(coeffs, w)


def max_abs(values: Any) -> Any:
    """‖values‖∞ (an mpf)."""
    arr = np.asarray(values, dtype=object).reshape(-1)
    return max((abs(v) for v in arr), default=mpmath.mpf(0))


def step_size(coefficients: np.ndarray, scale: Any) -> Any:
    """Jorba–Zou's step: e^−2 · min over the last two orders j of (scale/‖c_j‖∞)^{1/j} (inf if both vanish)."""
    p = coefficients.shape[0] - 1
    radii = []
    for j in (p - 1, p):
        norm = max_abs(coefficients[j])
        if norm > 0:
            radii.append(mpmath.root(scale / norm, j))
    return min(radii) / mpmath.e ** 2 if radii else mpmath.inf


def first_sign(coefficients: np.ndarray, zero: Any) -> int:
    """The sign of a series just after its expansion point: that of its first coefficient above ``zero`` (0 if none)."""
    for c in coefficients:
        if abs(c) > zero:
            return 1 if c > 0 else -1
    return 0


def bracket(g: Callable[[Any], Any], lo: Any, hi: Any) -> tuple[Any, Any]:
    """Bisect g(lo) > 0 >= g(hi) down to adjacent numbers at the working precision (or a width 2^−prec of the first)."""
    width = (hi - lo) * mpmath.mpf(2) ** (-mpmath.mp.prec)
    while hi - lo > width:
        mid = (lo + hi) / 2
        if not lo < mid < hi:
            break
        if g(mid) > 0:
            lo = mid
        else:
            hi = mid
    return lo, hi


def kink_limit(system: TaylorSystem, expansion: Expansion, h: Any) -> Any:
    """The step shortened to the first zero in (0, h] of the argument of any kink (h if there is none)."""
    w = expansion.workspace
    for node in system.program.kinks:
        jet = w[node][:w.orders - 1].reshape(w.orders - 1, -1)  # nodes have coefficients 0..p−1
        for i in range(jet.shape[1]):
            col = jet[:, i]
            side = first_sign(col, w.zero)
            if side == 0 or abs(col[0]) > horner(np.abs(col[1:]), h) * h:
                continue  # no side to keep, or |q(0)| > Σ_{j≥1}|q_j|h^j: no zero in [0, h]

            def value(tau: Any, col: np.ndarray = col, side: int = side) -> Any:
                return side * horner(col, tau)

            prev = mpmath.mpf(0)
            for m in range(1, KINK_SAMPLES + 1):
                tau = h * m / KINK_SAMPLES
                if value(tau) < 0:
                    h = bracket(value, prev, tau)[0]  # the side the expansion took still holds at the step's end
                    break
                prev = tau
    return h


@dataclass
class Progress:
    """The state of a running solve: time, state, steps, largest defect, the previous step (for the defect check)."""

    t: Any
    y: np.ndarray
    steps: int = 0
    defect: Any = 0
    previous: tuple[Expansion, Any] | None = None
    pieces: list[tuple[Any, Any, np.ndarray]] | None = None

    def check(self, expansion: Expansion, scale: Any) -> None:
        """Record the defect |P'_prev(h_prev) − f(y)|·h_prev/scale of the previous step at the new state."""
        if self.previous is not None:
            prev, h = self.previous
            gap = max_abs(prev.derivative_at(h) - expansion.coefficients[1]) * h / scale
            self.defect = max(self.defect, gap)


def advance(system: TaylorSystem, consts: tuple, run: Progress, order: int, limit: Any) -> tuple[Expansion, Any]:
    """Expand at the current state and choose the step (at most ``limit``): (expansion, h)."""
    scale = max(mpmath.mpf(1), max_abs(run.y))
    zero = scale * mpmath.mpf(10) ** (-(3 * mpmath.mp.dps) // 4)
    ex = expand(system, consts, run.y, order, zero)
    run.check(ex, scale)
    h = min(step_size(ex.coefficients, scale), limit)
    if system.program.kinks:
        h = kink_limit(system, ex, h)
    if h <= 0:
        raise ArithmeticError(f"the step size vanished at t = {mpmath.nstr(run.t, 8)}")
    return ex, h


def finish(run: Progress, ex: Expansion, h: Any, t_next: Any) -> None:
    """Move ``run`` to the end of the step."""
    if run.pieces is not None:
        run.pieces.append((run.t, h, ex.coefficients))
    run.y, run.t = ex.at(h), t_next
    run.previous = (ex, h)
    run.steps += 1


def final_defect(system: TaylorSystem, consts: tuple, run: Progress) -> None:
    """The defect of the last step (an order-1 expansion at the end state gives f(y_end))."""
    scale = max(mpmath.mpf(1), max_abs(run.y))
    run.check(expand(system, consts, run.y, 1, scale * 0), scale)


def on_grid(system: TaylorSystem, consts: tuple, run: Progress, times: list, order: int,
            deadline: float) -> tuple[list[np.ndarray], FlowStatus, str]:
    """Step to times[-1], with the state at each of ``times`` from the polynomial of the step that holds it."""
    rows, idx = [], 0
    while idx < len(times) and times[idx] == run.t:
        rows.append(run.y.copy())
        idx += 1
    while idx < len(times):
        remaining = times[-1] - run.t
        ex, h = advance(system, consts, run, order, remaining)
        t_next = times[-1] if h == remaining else run.t + h
        while idx < len(times) and times[idx] <= t_next:
            rows.append(ex.at(times[idx] - run.t))
            idx += 1
        finish(run, ex, h, t_next)
        if idx < len(times) and time.monotonic() > deadline:
            return rows, FlowStatus.TIMED_OUT, f"the wall-clock budget ran out at t = {mpmath.nstr(run.t, 6)}"
    return rows, FlowStatus.FINISHED, f"reached t = {mpmath.nstr(run.t, 6)}"


def to_stop(system: TaylorSystem, consts: tuple, run: Progress, stop: Callable[[Any, np.ndarray], Any],
            t_max: Any, order: int, deadline: float) -> tuple[list, list, FlowStatus, str]:
    """Step until stop(t, y) <= 0 at a step's end (then cut the step where it crosses zero), or t_max."""
    ts, ys = [run.t], [run.y.copy()]
    while run.t < t_max:
        remaining = t_max - run.t
        ex, h = advance(system, consts, run, order, remaining)
        t0 = run.t
        t_next = t_max if h == remaining else t0 + h
        end = ex.at(h)
        stopped = stop(t_next, end) <= 0
        if stopped and stop(t0, run.y) > 0:
            def g(tau: Any) -> Any:
                return stop(t0 + tau, ex.at(tau))

            h = bracket(g, mpmath.mpf(0), h)[1]  # where the stop condition holds, within 2^-prec·h of the crossing
            t_next = t0 + h
        finish(run, ex, h, t_next)
        ts.append(run.t)
        ys.append(run.y.copy())
        if stopped:
            return ts, ys, FlowStatus.STOPPED, f"the stop condition was met at t = {mpmath.nstr(run.t, 8)}"
        if run.t < t_max and time.monotonic() > deadline:
            return ts, ys, FlowStatus.TIMED_OUT, f"the wall-clock budget ran out at t = {mpmath.nstr(run.t, 6)}"
    return ts, ys, FlowStatus.FINISHED, "the solver reached t_max"


class TaylorDense:
    """Dense output of a Taylor solve: the step polynomials. ``sol(t)`` has scipy's shape (state × times) for an
    array of times, or is the state for one time (object arrays of mpf)."""

    def __init__(self, pieces: list[tuple[Any, Any, np.ndarray]]) -> None:
        self.starts = [p[0] for p in pieces]
        self.pieces = pieces

    def __call__(self, t: Any) -> np.ndarray:
        if np.ndim(t) == 0:
            t = mpmath.mpf(t)
            i = max(0, min(bisect.bisect_right(self.starts, t) - 1, len(self.pieces) - 1))
            t0, _, C = self.pieces[i]
            return horner(C, t - t0)
        return np.stack([self(x) for x in np.asarray(t, dtype=object).reshape(-1)], axis=1)


def solve_once(system: TaylorSystem, y0: Sequence[Any], dps: int, order: int | None, *, times: Sequence[Any] | None,
               stop: Callable[[Any, np.ndarray], Any] | None, t_max: Any, dense: bool, deadline: float) -> FlowResult:
    """One solve at ``dps`` digits (order from :func:`order_for` unless given)."""
    p = order or order_for(dps)
    with mpmath.workdps(dps):
        y = np.array([mpmath.mpf(v) for v in y0], dtype=object)
        consts = system.program.constants(*system.parameters())
        run = Progress(mpmath.mpf(0), y, pieces=[] if dense else None)
        try:
            if stop is None:
                grid = [mpmath.mpf(t) for t in times]
                rows, status, message = on_grid(system, consts, run, grid, p, deadline)
                t_out = np.array(grid[:len(rows)], dtype=object)
            else:
                ts, rows, status, message = to_stop(system, consts, run, stop, mpmath.mpf(t_max), p, deadline)
                t_out = np.array(ts, dtype=object)
            final_defect(system, consts, run)
        except (ArithmeticError, ValueError) as exc:  # a zero divisor, a log of a negative number, a vanishing step
            status, message = FlowStatus.FAILED, f"{type(exc).__name__} at t = {mpmath.nstr(run.t, 8)}: {exc}"
            rows, t_out = [], np.array([run.t], dtype=object)
        if status is not FlowStatus.FAILED and run.defect > mpmath.mpf(10) ** (-dps / 2):
            status = FlowStatus.FAILED
            message = (f"the Taylor polynomials do not solve the flow: defect {mpmath.nstr(run.defect, 3)} "
                       f"> 10^-{dps / 2:g} (a wrong recurrence or a non-smooth right-hand side)")
        message += (f"; {run.steps} steps of order {p} at {dps} digits, largest defect "
                    f"{mpmath.nstr(run.defect, 3)}")
        y_rows = np.vstack(rows) if rows else np.full((t_out.size, system.size), mpmath.nan, dtype=object)
        sol = TaylorDense(run.pieces) if dense and run.pieces else None
    return FlowResult(t_out, y_rows, status, message, "taylor", 10.0 ** -dps, run.steps, sol=sol,
                      blocks=system.layout, dps=dps)


def solve_taylor(system: TaylorSystem, y0: Sequence[Any], t_eval: Any = None, *, dps: int = 50,
                 order: int | None = None, refine_digits: int | None = REFINE_DIGITS,
                 stop: Callable[[Any, np.ndarray], Any] | None = None, t_max: Any = None, dense: bool = False,
                 max_seconds: float | None = None) -> FlowResult:
    """Solve the system at ``dps`` digits and, unless ``refine_digits`` is None, again at ``dps + refine_digits``
    digits (attached as ``refined``: the difference estimates the first solve's error). ``t_eval`` (times, increasing
    from >= 0; floats or mpf) or ``stop`` and ``t_max`` as in :func:`numerics.flow.solve_flow`; ``max_seconds`` bounds
    both solves together. ``order`` overrides the order of the first solve (the second uses the rule)."""
    if len(y0) != system.size:
        raise ValueError(f"y0 has {len(y0)} entries, the system's state {system.size}")
    if dps < 5:
        raise ValueError(f"dps must be at least 5, got {dps}")
    if stop is None and t_eval is not None:
        times = list(t_eval)
        if not times or times[0] < 0 or any(b <= a for a, b in zip(times, times[1:])):
            raise ValueError("t_eval must be a non-empty, increasing sequence of times >= 0")
    else:
        times = None
    deadline = math.inf if max_seconds is None else time.monotonic() + max_seconds
    kw = dict(times=times, stop=stop, t_max=t_max, dense=dense, deadline=deadline)
    first = solve_once(system, y0, dps, order, **kw)
    if refine_digits is None or first.status in (FlowStatus.FAILED, FlowStatus.TIMED_OUT):
        return first
    return replace(first, refined=solve_once(system, y0, dps + refine_digits, None, **{**kw, "dense": False}))
