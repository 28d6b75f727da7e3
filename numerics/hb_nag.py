"""Numerics for Lyu et al. (hb_nag): the u⊙u − v⊙v network, discrete HB / NAG / GD / SGD, their flows,
and the hyperbolic-entropy programs whose minimisers the paper predicts.

- :class:`SquareNet`: L(θ) = ‖Xθ − y‖²/(2n) with θ = u⊙u − v⊙v; gradients in θ and in (u, v).
- :func:`flow`: α ẅ + ẇ + ∇L(w)/(1−μ) = 0 on w = (u, v) (α = 0: first-order flow), with the path integrals
  φ_j(t) = 8/(1−μ)² ∫(∂_jL)² and ∫∂_jL in the state, solved by :func:`numerics.flow.solve_flow`; the result is
  read through the view :class:`FlowPath` (u, v, u̇, v̇, ü, v̈, φ, ∫∂L, θ, θ̇, θ̈).
- :func:`momentum_iterates`: HB (eq. 2), NAG (eq. 3), GD (μ = 0) and SGD, batched over leading axes.
- :func:`entropy_argmin`: argmin Σ_j Q_{ξ_j}(θ_j) + θᵀr s.t. Xθ = y by Newton's method on the dual.
- :func:`train`: the experiments' runs to a loss target, with D(θ, θ*) and its uncertainty
  (:meth:`TrainResult.distance_to`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

import numpy as np

from numerics import validation as V
from numerics.flow import LOOSER, FlowResult, Jac, Rhs, solve_flow
from numerics.generated.hb_nag import alpha_hb, alpha_nag
from numerics.losses import LeastSquares

METHODS = ("hb", "nag")


def flow_alpha(method: str, eta: float, mu: float) -> float:
    """α of the HB or NAG flow (Proposition 1, derived in derivations/hb_nag.py)."""
    V.positive("eta", eta)
    V.momentum("mu", mu)
    if method == "hb":
        return float(alpha_hb(eta, mu))
    if method == "nag":
        return float(alpha_nag(eta, mu))
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


@dataclass(frozen=True)
class SquareNet(LeastSquares):
    """L(θ) = ‖Xθ − y‖²/(2n) (eq. 5) with θ = u⊙u − v⊙v (eq. 6); ∂_θL (eq. 19) is ``grad_theta``."""

    def loss(self, theta: np.ndarray) -> np.ndarray:
        return self.loss_theta(theta)

    def grad_uv(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(∂_uL, ∂_vL) = (2u ∂_θL, −2v ∂_θL) (eq. 18)."""
        g = self.grad_theta(u * u - v * v)
        return 2 * u * g, -2 * v * g


def flow_blocks(d: int, alpha: float) -> dict[str, slice]:
    """The named blocks of the flow's state (:func:`flow_rhs`): u, v, (u̇, v̇ when α > 0), φ and ∫∂L."""
    names = ("u", "v", "phi", "grad_integral") if alpha == 0 else ("u", "v", "ud", "vd", "phi", "grad_integral")
    return {name: slice(k * d, (k + 1) * d) for k, name in enumerate(names)}


@dataclass(frozen=True)
class FlowPath:
    """A solved HB/NAG flow read as the paper's quantities: a thin view of the :class:`numerics.flow.FlowResult`
    ``result`` (times, states, how the solve went, the looser solve) giving u, v, their velocities and
    accelerations, φ, ∫∂L and θ = u⊙u − v⊙v with its derivatives at the times ``t`` (rows).

    Whether the solve succeeded and its error estimate are the result's (``path.result.success``,
    ``path.result.error_estimate``); :attr:`loose` is the same view of the looser solve.
    """

    result: FlowResult
    net: SquareNet
    alpha: float
    mu: float

    @property
    def t(self) -> np.ndarray:
        return self.result.t

    @property
    def u(self) -> np.ndarray:
        return self.result["u"]

    @property
    def v(self) -> np.ndarray:
        return self.result["v"]

    @property
    def phi(self) -> np.ndarray:
        """φ_j(t) = 8/(1−μ)² ∫₀ᵗ (∂_jL)²."""
        return self.result["phi"]

    @property
    def grad_integral(self) -> np.ndarray:
        """∫₀ᵗ ∂_jL."""
        return self.result["grad_integral"]

    @cached_property
    def forces(self) -> tuple[np.ndarray, np.ndarray]:
        """(∂_uL, ∂_vL) = (2u ∂_θL, −2v ∂_θL) at every time."""
        u, v = self.u, self.v
        g = self.net.grad_theta(u * u - v * v)
        return 2 * u * g, -2 * v * g

    @cached_property
    def ud(self) -> np.ndarray:
        """u̇ (the state's, or −∂_uL/(1−μ) on the first-order flow α = 0)."""
        return -self.forces[0] / (1 - self.mu) if self.alpha == 0 else self.result["ud"]

    @cached_property
    def vd(self) -> np.ndarray:
        """v̇ (as :attr:`ud`)."""
        return -self.forces[1] / (1 - self.mu) if self.alpha == 0 else self.result["vd"]

    @cached_property
    def udd(self) -> np.ndarray:
        """ü = −(u̇ + ∂_uL/(1−μ))/α (zero on the first-order flow)."""
        if self.alpha == 0:
            return np.zeros_like(self.u)
        return -(self.ud + self.forces[0] / (1 - self.mu)) / self.alpha

    @cached_property
    def vdd(self) -> np.ndarray:
        """v̈ (as :attr:`udd`)."""
        if self.alpha == 0:
            return np.zeros_like(self.v)
        return -(self.vd + self.forces[1] / (1 - self.mu)) / self.alpha

    @cached_property
    def theta(self) -> np.ndarray:
        return self.u ** 2 - self.v ** 2

    @cached_property
    def theta_dot(self) -> np.ndarray:
        return 2 * self.u * self.ud - 2 * self.v * self.vd

    @cached_property
    def theta_ddot(self) -> np.ndarray:
        return 2 * (self.ud ** 2 + self.u * self.udd - self.vd ** 2 - self.v * self.vdd)

    @cached_property
    def loose(self) -> FlowPath | None:
        """The same view of the looser solve (None when there is none)."""
        return None if self.result.loose is None else FlowPath(self.result.loose, self.net, self.alpha, self.mu)

    def error_of(self, quantity: Callable[[FlowPath], Any]) -> float:
        """Error estimate of a quantity of the path: max |quantity(path) − quantity(loose)| (inf without a looser
        solve), as :meth:`numerics.flow.FlowResult.error_of`."""
        return self.result.error_of(lambda r: quantity(FlowPath(r, self.net, self.alpha, self.mu)))


def flow_rhs(net: SquareNet, alpha: float, mu: float) -> Rhs:
    """Right-hand side of the flow α ẅ + ẇ + ∇L(w)/(1−μ) = 0 on the state of :func:`flow_blocks`: (u, v, u̇, v̇)
    (α > 0) or (u, v) (α = 0), then the path integrals φ and ∫∂L."""
    d = net.d

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        u, v = y[:d], y[d:2 * d]
        g = net.grad_theta(u * u - v * v)
        gu, gv = 2 * u * g, -2 * v * g
        quad = 8 * g * g / (1 - mu) ** 2
        if alpha == 0:
            return np.concatenate([-gu / (1 - mu), -gv / (1 - mu), quad, g])
        ud, vd = y[2 * d:3 * d], y[3 * d:4 * d]
        return np.concatenate([ud, vd, -(ud + gu / (1 - mu)) / alpha, -(vd + gv / (1 - mu)) / alpha, quad, g])

    return f


def flow_jac(net: SquareNet, alpha: float, mu: float) -> Jac:
    """Jacobian of :func:`flow_rhs` by the chain rule: ∂g/∂u = H diag(2u), ∂g/∂v = −H diag(2v) (H = XᵀX/n), and
    ∂(2u⊙g)/∂u = diag(2g) + diag(2u) ∂g/∂u etc. The path integrals do not feed back (their columns are zero)."""
    d, c = net.d, 1.0 / (1 - mu)
    H = net.X.T @ net.X / net.n
    size = (4 if alpha else 2) * d + 2 * d

    def J(_t: float, y: np.ndarray) -> np.ndarray:
        u, v = y[:d], y[d:2 * d]
        g = net.grad_theta(u * u - v * v)
        dgu, dgv = H * (2 * u), H * (-2 * v)
        # rows: the (u, v) forces −∇L/(1−μ) = −(2u⊙g, −2v⊙g)/(1−μ), differentiated in (u, v)
        force = -c * np.block([[2 * u[:, None] * dgu + np.diag(2 * g), 2 * u[:, None] * dgv],
                               [-2 * v[:, None] * dgu, -2 * v[:, None] * dgv - np.diag(2 * g)]])
        out = np.zeros((size, size))
        if alpha == 0:
            out[:2 * d, :2 * d] = force
            o = 2 * d
        else:
            out[:2 * d, 2 * d:4 * d] = np.eye(2 * d)
            out[2 * d:4 * d, :2 * d] = force / alpha
            out[2 * d:4 * d, 2 * d:4 * d] = -np.eye(2 * d) / alpha
            o = 4 * d
        q = 16 * g * c * c
        out[o:o + d, :d], out[o:o + d, d:2 * d] = q[:, None] * dgu, q[:, None] * dgv
        out[o + d:, :d], out[o + d:, d:2 * d] = dgu, dgv
        return out

    return J


def first_order_velocity(net: SquareNet, u: np.ndarray, v: np.ndarray, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """(u̇, v̇) = −∇L/(1−μ): the initial velocity App. D uses (eq. 20 at t = 0)."""
    gu, gv = net.grad_uv(u, v)
    return -gu / (1 - mu), -gv / (1 - mu)


def flow(net: SquareNet, u0: np.ndarray, v0: np.ndarray, alpha: float, mu: float, t_eval: np.ndarray, *,
         ud0: np.ndarray | None = None, vd0: np.ndarray | None = None, rtol: float = 1e-12,
         atol: float = 1e-14, method: str = "odeint") -> FlowPath:
    """Solve α ẅ + ẇ + ∇L(w)/(1−μ) = 0 (eq. 17) from (u0, v0) with velocity (ud0, vd0) (default −∇L/(1−μ)), with
    the path integrals φ and ∫∂L, through :func:`numerics.flow.solve_flow` (which solves it a second time at
    1000× looser tolerances: ``path.loose``, ``path.error_of``, ``path.result.error_estimate``).

    ``method`` is one of :data:`numerics.flow.METHODS`; the default, ODEPACK's LSODA through ``odeint`` with the
    analytic Jacobian (:func:`flow_jac`; copes with the stiffness 1/α of small learning rates), is the fastest to
    1e-12 on the HB and NAG flows or within 1.25× of solve_ivp's LSODA with the same Jacobian, by machine and run
    (benchmarks/bench_integrators.py); the others take 2× and more.
    """
    u0 = V.finite_array("u0", u0, ndim=1)
    v0 = V.finite_array("v0", v0, ndim=1)
    V.same_shape(("u0", "v0"), u0, v0)
    if u0.size != net.d:
        raise ValueError(f"u0 must have length d = {net.d}, got {u0.size}")
    alpha = V.non_negative("alpha", alpha)
    mu = V.momentum("mu", mu)
    fu, fv = first_order_velocity(net, u0, v0, mu)
    ud0 = fu if ud0 is None else V.finite_array("ud0", ud0, ndim=1)
    vd0 = fv if vd0 is None else V.finite_array("vd0", vd0, ndim=1)
    zeros = np.zeros(2 * net.d)
    y0 = np.concatenate([u0, v0, zeros] if alpha == 0 else [u0, v0, ud0, vd0, zeros])
    result = solve_flow(flow_rhs(net, alpha, mu), y0, t_eval, jac=flow_jac(net, alpha, mu), method=method,
                        rtol=rtol, atol=atol, looser=LOOSER, blocks=flow_blocks(net.d, alpha))
    return FlowPath(result, net, alpha, mu)


def momentum_iterates(net: SquareNet, u0: np.ndarray, v0: np.ndarray, eta: float | np.ndarray,
                      mu: float | np.ndarray, steps: int, *, method: str = "hb", record_every: int = 1,
                      batch_rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Iterates (u_k, v_k), k = 0, r, 2r, … of HB (eq. 2) or NAG (eq. 3) with p_0 = 0.

    ``u0``, ``v0`` may carry leading batch axes; ``eta``, ``mu`` broadcast against them (shape ``batch + (1,)``).
    μ = 0 is GD. With ``batch_rng`` each step uses one sample drawn uniformly (SGD-type), its gradient
    being that of ℓ_i/2 = (x_iᵀθ − y_i)²/2.
    Returns arrays of shape ``(steps // r + 1,) + u0.shape``. The steps run in the fused numba kernel
    :func:`numerics.hb_nag_kernels.momentum_steps` (bitwise equal to the numpy reference step of
    tests/test_batched_kernels.py).
    """
    u = V.finite_array("u0", u0).copy()
    v = V.finite_array("v0", v0).copy()
    V.same_shape(("u0", "v0"), u, v)
    V.count("steps", steps)
    V.count("record_every", record_every)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    eta_a, mu_a = np.asarray(eta, dtype=float), np.asarray(mu, dtype=float)
    if not (np.all(np.isfinite(eta_a)) and np.all(eta_a > 0)):
        raise ValueError("eta (learning rate) must be finite and > 0")
    if not (np.all(np.isfinite(mu_a)) and np.all((mu_a >= 0) & (mu_a < 1))):
        raise ValueError("mu (momentum factor) must lie in [0, 1)")
    from numerics.hb_nag_kernels import momentum_steps

    try:
        eta_a, mu_a = (np.ascontiguousarray(np.broadcast_to(a, u.shape)) for a in (eta_a, mu_a))
    except ValueError:
        raise ValueError(f"eta and mu must broadcast to the shape of u0 {u.shape}, got {eta_a.shape} and "
                         f"{mu_a.shape}") from None
    out_u = np.empty((steps // record_every + 1,) + u.shape)
    out_v = np.empty_like(out_u)
    out_u[0], out_v[0] = u, v
    # one SGD sample per step, drawn as before (one integers() call per step); none for full batch
    samples = (np.zeros(0, dtype=np.int64) if batch_rng is None else
               np.array([int(batch_rng.integers(net.n)) for _ in range(steps)], dtype=np.int64))
    d = u.shape[-1]
    rows = lambda a: a.reshape(-1, d)  # noqa: E731 (batch axes flattened: views of the arrays written)
    momentum_steps(rows(u), rows(v), np.zeros((u.size // d, d)), np.zeros((u.size // d, d)), rows(eta_a),
                   rows(mu_a), np.ascontiguousarray(net.X, dtype=float), np.ascontiguousarray(net.y, dtype=float),
                   samples, steps, record_every, out_u.reshape(out_u.shape[0], -1, d),
                   out_v.reshape(out_v.shape[0], -1, d), method == "nag", u.ndim == 1)
    return out_u, out_v


@dataclass
class ArgminResult:
    """Minimiser θ, dual variable λ, and the final constraint residual ‖Xθ − y‖_∞."""

    theta: np.ndarray
    lam: np.ndarray
    residual: float
    iterations: int
    success: bool


def entropy_argmin(X: np.ndarray, y: np.ndarray, xi: np.ndarray, r: np.ndarray | None = None, *,
                   tol: float = 1e-13, max_iter: int = 200) -> ArgminResult:
    """argmin_θ Σ_j Q_{ξ_j}(θ_j) + θᵀr s.t. Xθ = y, Q the hyperbolic entropy (eq. 9).

    Stationarity gives ¼arcsinh(θ/(2ξ)) + r = Xᵀλ, i.e. θ(λ) = 2ξ sinh(4(Xᵀλ − r)); λ minimises the convex
    dual ψ(λ) = Σ_j (ξ_j/2) cosh(4 z_j) − λᵀy (z = Xᵀλ − r), found by damped Newton steps.
    """
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    xi = V.finite_array("xi", xi, ndim=1)
    if np.any(xi <= 0):
        raise ValueError("xi (initialisation scale) must be > 0 in every coordinate")
    r = np.zeros(X.shape[1]) if r is None else V.finite_array("r", r, ndim=1)
    lam = np.zeros(X.shape[0])

    def dual(lam_: np.ndarray) -> float:
        z = X.T @ lam_ - r
        with np.errstate(over="ignore"):
            return float(np.sum(xi / 2 * np.cosh(4 * z)) - lam_ @ y)

    scale = max(1.0, float(np.max(np.abs(y))))
    it = 0
    for it in range(1, max_iter + 1):
        z = X.T @ lam - r
        th = 2 * xi * np.sinh(4 * z)
        grad = X @ th - y
        if np.max(np.abs(grad)) <= tol * scale:
            return ArgminResult(th, lam, float(np.max(np.abs(grad))), it, True)
        hess = (X * (8 * xi * np.cosh(4 * z))) @ X.T
        step = np.linalg.solve(hess, grad)
        f0, g0, s = dual(lam), float(grad @ grad), 1.0

        def accepted(lam_: np.ndarray) -> bool:
            """Armijo on the dual, or (near the optimum, where the dual's decrease drowns in its round-off) a
            decrease of ‖∇ψ‖² = ‖Xθ − y‖², for which the Newton direction is a descent direction too."""
            if dual(lam_) <= f0 - 0.25 * s * (grad @ step):
                return True
            with np.errstate(over="ignore", invalid="ignore"):
                g_new = X @ (2 * xi * np.sinh(4 * (X.T @ lam_ - r))) - y
            return bool(g_new @ g_new <= (1 - 1e-4 * s) * g0)

        while s > 1e-12 and not accepted(lam - s * step):
            s /= 2
        lam = lam - s * step
    z = X.T @ lam - r
    th = 2 * xi * np.sinh(4 * z)
    res = float(np.max(np.abs(X @ th - y)))
    return ArgminResult(th, lam, res, it, res <= 1e-8 * scale)


def sparse_instance(rng: np.random.Generator, n: int, d: int, s: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """§3.2's data: x_i ~ N(0, I_d), θ* with s non-zero N(0,1) entries, y = Xθ* (returns X, y, θ*)."""
    V.count("n", n)
    V.count("d", d)
    V.count("s", s)
    if s > d:
        raise ValueError(f"s (sparsity) must be <= d, got s={s}, d={d}")
    X = rng.standard_normal((n, d))
    th = np.zeros(d)
    th[rng.choice(d, size=s, replace=False)] = rng.standard_normal(s)
    return X, X @ th, th


@dataclass
class TrainResult:
    """Final θ of each batch member, its training loss, its change over the last chunk and the steps taken;
    ``converged``: every loss reached the target (the first stop); ``theta_first``: θ there (None if never);
    ``second``: every loss also reached target/TIGHTER at least one chunk later, where ``theta`` was taken."""

    theta: np.ndarray
    loss: np.ndarray
    drift: np.ndarray
    steps: int
    converged: bool
    theta_first: np.ndarray | None = None
    second: bool = False

    def distance_to(self, theta_star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """D(θ, θ*) = ‖θ − θ*‖² of each member at the end of the run and a bound on its remaining change: the larger
        of 10× the last chunk's effect and, when the run reached its second stop (loss 100× below the first: θ's
        error ∝ √loss is 10× smaller there), the change of D between the first stop and the end, which
        overestimates the remaining change about 9-fold under the linear convergence of these runs."""
        diff = self.theta - theta_star
        D_ = np.sum(diff ** 2, axis=-1)
        unc = 10 * (2 * np.sqrt(D_) * np.sqrt(diff.shape[-1]) * self.drift + diff.shape[-1] * self.drift ** 2) + 1e-12
        if self.second:
            unc = np.maximum(unc, np.abs(np.sum((self.theta_first - theta_star) ** 2, axis=-1) - D_))
        return D_, unc


#: :func:`train`'s second stop lowers the loss target by this factor (θ's error, ∝ √loss near the limit, by 10).
TIGHTER = 100.0


def train(net: SquareNet, u0: np.ndarray, v0: np.ndarray, algo: str, eta: float, mu: float = 0.0, *,
          loss_tol: float = 1e-14, max_steps: int = 200_000, chunk: int = 2000,
          rng: np.random.Generator | None = None) -> TrainResult:
    """Run ``algo`` ∈ {gd, sgd, hb, nag} from (u0, v0) (leading batch axes allowed) in chunks of ``chunk`` steps
    until every member's loss is <= target = ``loss_tol``·max(1, L(θ(0))) (the first stop, θ kept as
    ``theta_first``), then on, at least one more chunk, until every loss is <= target/TIGHTER (the second stop,
    ``theta``) or ``max_steps``, then one more chunk, whose change in θ is ``drift``. The steps run in the fused
    kernel of :func:`momentum_iterates` (momenta carried across chunks); SGD samples one example per step from
    ``rng``."""
    if algo not in ("gd", "sgd", "hb", "nag"):
        raise ValueError(f"algo must be one of gd, sgd, hb, nag; got {algo!r}")
    V.positive("eta", eta)
    V.momentum("mu", mu)
    V.positive("loss_tol", loss_tol)
    V.count("max_steps", max_steps)
    V.count("chunk", chunk)
    if algo == "sgd" and rng is None:
        raise ValueError("algo 'sgd' needs rng (a numpy Generator)")
    u = np.ascontiguousarray(V.finite_array("u0", u0), dtype=float).copy()
    v = np.ascontiguousarray(V.finite_array("v0", v0), dtype=float).copy()
    V.same_shape(("u0", "v0"), u, v)
    from numerics.hb_nag_kernels import momentum_steps

    d = u.shape[-1]
    uu, vv = u.reshape(-1, d), v.reshape(-1, d)  # views: the kernel advances u and v in place
    pu, pv = np.zeros_like(uu), np.zeros_like(vv)
    eta_a = np.full_like(uu, eta)
    mu_a = np.full_like(uu, mu if algo in ("hb", "nag") else 0.0)
    X, y = np.ascontiguousarray(net.X, dtype=float), np.ascontiguousarray(net.y, dtype=float)
    out_u, out_v = np.empty((2,) + uu.shape), np.empty((2,) + uu.shape)
    none = np.zeros(0, dtype=np.int64)

    def advance() -> np.ndarray:
        """One chunk of steps; returns θ before it."""
        before = u * u - v * v
        samples = (np.array([int(rng.integers(net.n)) for _ in range(chunk)], dtype=np.int64) if algo == "sgd"
                   else none)
        momentum_steps(uu, vv, pu, pv, eta_a, mu_a, X, y, samples, chunk, chunk, out_u, out_v, algo == "nag",
                       u.ndim == 1)
        return before

    target = loss_tol * np.maximum(1.0, net.loss(u * u - v * v))
    steps, theta_first, second = 0, None, False
    prev = u * u - v * v
    with np.errstate(over="ignore", invalid="ignore"):
        while steps < max_steps:
            prev = advance()
            steps += chunk
            loss = net.loss(u * u - v * v)
            if not np.all(np.isfinite(loss)):
                break
            if theta_first is None:
                if np.all(loss <= target):
                    theta_first = u * u - v * v
            elif np.all(loss <= target / TIGHTER):
                second = True
                break
        if theta_first is not None and np.all(np.isfinite(net.loss(u * u - v * v))):
            prev = advance()  # one more chunk measures the drift after the last stop
            steps += chunk
    th = u * u - v * v
    loss = net.loss(th)
    drift = np.max(np.abs(th - prev), axis=-1)
    ok = bool(theta_first is not None and np.all(np.isfinite(loss)) and np.all(loss <= target))
    return TrainResult(th, loss, drift, steps, ok, theta_first, second and ok)


def relu_net_train(X: np.ndarray, y: np.ndarray, init_scale: float, algo: str, eta: float, mu: float, steps: int,
                   rng: np.random.Generator, width: int = 100, depth: int = 4) -> tuple[list[np.ndarray], float]:
    """App. B.2's non-linear network f(x; W) = W_4 relu(W_3 relu(W_2 relu(W_1 x))) (bias-free), trained on
    L = Σ_i (f(x_i) − y_i)²/(2n) by GD / HB / NAG; the Gaussian initial weights are rescaled so that
    Σ_k ‖W_k‖_F² = ``init_scale``. Returns the weights and the final training loss."""
    X = V.finite_array("X", X, ndim=2)
    y = V.finite_array("y", y, ndim=1)
    V.positive("init_scale", init_scale)
    V.count("steps", steps)
    if algo not in ("gd", "hb", "nag"):
        raise ValueError(f"algo must be gd, hb or nag; got {algo!r}")
    dims = [X.shape[1]] + [width] * (depth - 1) + [1]
    W = [rng.standard_normal((dims[k + 1], dims[k])) for k in range(depth)]
    total = sum(float(np.sum(w * w)) for w in W)
    W = [w * np.sqrt(init_scale / total) for w in W]
    m = 0.0 if algo == "gd" else mu
    P = [np.zeros_like(w) for w in W]
    n = X.shape[0]

    def grads(Ws: list[np.ndarray]) -> tuple[list[np.ndarray], float]:
        acts, pre = [X.T], []
        for k, w in enumerate(Ws):
            z = w @ acts[-1]
            pre.append(z)
            acts.append(np.maximum(z, 0.0) if k < depth - 1 else z)
        r = acts[-1][0] - y
        delta = r[None, :] / n
        out = [np.zeros_like(w) for w in Ws]
        for k in range(depth - 1, -1, -1):
            out[k] = delta @ acts[k].T
            if k > 0:
                delta = (Ws[k].T @ delta) * (pre[k - 1] > 0)
        return out, 0.5 * float(r @ r) / n

    loss = float("nan")
    for _ in range(steps):
        at = [w + m * p for w, p in zip(W, P)] if algo == "nag" else W
        g, loss = grads(at)
        P = [m * p - eta * gk for p, gk in zip(P, g)]
        W = [w + p for w, p in zip(W, P)]
    return W, grads(W)[1]


def relu_net_predict(W: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """f(x; W) for the rows of X."""
    a = np.asarray(X, dtype=float).T
    for k, w in enumerate(W):
        a = w @ a
        if k < len(W) - 1:
            a = np.maximum(a, 0.0)
    return a[0]
