"""The fused numba kernels of numerics.smgd_kernels against a pure-numpy reference step.

The reference below is the former numpy step of ``smgd`` (eq. (26) from the generated coefficients, the
same floating-point operations in the same order), so the tolerance is 0: the kernel must agree bitwise,
on grids whose runs change sign, hit machine precision or diverge. A perturbed reference shows the
comparison would see a one-ulp change. The elementary functions of r(z) (log, log1p) are evaluated by the
same scalar library in both: numpy's vectorised log/log1p differ from it by an ulp on some inputs on AVX-512
machines, which is a property of the platform, not of the kernel's order of operations.
"""
from __future__ import annotations

import numpy as np
import pytest

from numerics import smgd_kernels as K
from numerics.data import sparse_regression
from numerics.generated.momentum_discrete import smgd_step_coefficients
from numerics.momentum_discrete import Batches, smgd

FIELDS = ("W", "Wp", "S", "xi", "chg", "mom", "dsum", "window_max", "tail", "last")


# the generated r(z) and r(1 + h), compiled as the kernel compiles them, applied element by element
_r_fn = np.vectorize(lambda z: float(K.compiled_r_fn(z)), otypes=[float])
_r_increment = np.vectorize(lambda h: float(K.compiled_r_increment(h)), otypes=[float])


def _ratio_r(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    h = (num - den) / den
    flip = h <= -1
    return np.where(flip, _r_fn(np.where(flip, 1 + h, 1.0)), _r_increment(np.where(flip, 0.0, h)))


def reference(X, y, W0, gamma, beta, steps, batches=None, track=True, perturb=0.0) -> dict:
    """``steps`` steps of eq. (26) in numpy from w±,1 = w±,0 (no early stop); ``batches[k−1]`` = B_k."""
    n, d = X.shape
    G = gamma.size
    a0, a1, c = (np.broadcast_to(x, (2, G, 1)) for x in smgd_step_coefficients(
        gamma[None, :, None], beta[None, :, None], np.array([1.0, -1.0]).reshape(2, 1, 1)))
    c = c * (1 + perturb)
    bet, inv = beta[:, None], 1 / (1 - beta[:, None])
    H = np.vstack([X.T @ X / (4 * n), -(X.T @ y) / n])
    st = {"W": W0.copy(), "Wp": W0.copy(), "S": np.zeros((2, G, d)), "xi": np.zeros((2, G, d)),
          "chg": np.zeros((2, G, d), np.int64), "mom": np.zeros((G, d)), "dsum": np.zeros((G, d)),
          "window_max": np.zeros(G), "tail": np.zeros(G), "last": np.zeros(G), "zeros": 0}
    term = np.zeros((2, G, d))
    th = np.ones((G, d + 1))
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            W, Wp = st["W"], st["Wp"]
            th[:, :d] = W[0] * W[0] - W[1] * W[1]
            if batches is None:
                grad = th @ H
            else:
                B = batches[k - 1]
                grad = (((th[:, :d] @ X[B].T) / 4 - y[B]) / len(B)) @ X[B]
            new = (a1 * grad + a0) * W + Wp * c
            flip = np.signbit(new) != np.signbit(W)
            st["chg"] += flip
            st["xi"] += flip * np.where(np.signbit(W), -1.0, 1.0)
            st["zeros"] += int(np.sum(new == 0))
            if track:
                st["mom"] = bet * st["mom"] + grad
                st["dsum"] = st["dsum"] + st["mom"]
                term = (_ratio_r(new, W) + bet * _ratio_r(W, new)) * inv
                st["S"] = st["S"] + term
            st["W"], st["Wp"] = new, W
            if k % 10 == 0 or k == steps:
                change = np.abs(new - W).max(axis=(0, 2)) / np.abs(new).max(axis=(0, 2))
                st["window_max"] = np.maximum(st["window_max"], change)
                st["last"] = change
                if track:
                    st["tail"] = np.maximum(st["tail"], term.max(axis=(0, 2)))
    return st


def kernel(X, y, W0, gamma, beta, steps, batches=None, track=True, split=(0,)) -> dict:
    """The same through ``smgd_steps``, in calls that stop at the steps in ``split``."""
    G, d = W0.shape[1:]
    a0, a1, c = (np.ascontiguousarray(np.broadcast_to(x, (2, G)), dtype=float) for x in smgd_step_coefficients(
        gamma[None], beta[None], np.array([1.0, -1.0]).reshape(2, 1)))
    n = X.shape[0]
    H = np.vstack([X.T @ X / (4 * n), -(X.T @ y) / n])
    st = {"W": W0.copy(), "Wp": W0.copy(), "S": np.zeros((2, G, d)), "xi": np.zeros((2, G, d)),
          "chg": np.zeros((2, G, d), np.int64), "mom": np.zeros((G, d)), "dsum": np.zeros((G, d)),
          "window_max": np.zeros(G), "tail": np.zeros(G), "last": np.zeros(G), "zeros": 0}
    th, grad, term = np.ones((G, d + 1)), np.empty((G, d)), np.zeros((2, G, d))
    th[:, :d] = W0[0] * W0[0] - W0[1] * W0[1]
    bounds = sorted(set(split) | {0, steps})
    for k0, k1 in zip(bounds[:-1], bounds[1:]):
        b = np.zeros((0, 0), np.int64) if batches is None else np.ascontiguousarray(batches[k0:k1], dtype=np.int64)
        z, swapped = K.smgd_steps(st["W"], st["Wp"], k0, k1, steps, a0, a1, c, beta, 1 / (1 - beta), H, th, grad,
                                  X, y, b, st["S"], st["xi"], st["chg"], st["mom"], st["dsum"], term,
                                  st["window_max"], st["tail"], st["last"], track)
        st["zeros"] += z
        if swapped:
            st["W"], st["Wp"] = st["Wp"], st["W"]
    return st


def problem(seed: int, n: int, d: int, G: int, gamma_scale: float):
    """Sparse regression and a (γ, β) grid; ``gamma_scale`` in units of 1/h_max (> 2: some runs diverge)."""
    rng = np.random.default_rng(seed)
    data = sparse_regression(rng, n, d, 2)
    h = float(np.linalg.eigvalsh(data.X.T @ data.X / n).max())
    gamma = rng.uniform(0.05, 1.0, G) * gamma_scale / h
    beta = rng.uniform(0.0, 0.9, G)
    u = rng.uniform(0.3, 0.8, d)
    v = u * rng.uniform(-0.9, 0.9, d)
    W0 = np.ascontiguousarray(np.broadcast_to(np.stack([u + v, u - v])[:, None], (2, G, d)))
    return data, gamma, beta, W0, rng


def assert_same(a: dict, b: dict) -> None:
    for f in FIELDS + ("zeros",):
        assert np.array_equal(np.asarray(a[f]), np.asarray(b[f]), equal_nan=True), f


CASES = [  # seed, n, d, G, γ scale, steps, sampling
    (0, 4, 6, 6, 0.5, 600, "full"),
    (1, 20, 30, 9, 1.5, 400, "full"),
    (2, 5, 8, 1, 0.5, 500, "full"),
    (3, 8, 6, 8, 40.0, 300, "full"),            # most runs diverge
    (4, 6, 5, 7, 0.8, 500, "with_replacement"),
    (5, 6, 5, 7, 40.0, 300, "without_replacement"),
]


@pytest.mark.parametrize("seed,n,d,G,scale,steps,sampling", CASES)
@pytest.mark.parametrize("track", [True, False])
def test_kernel_bitwise_equal_to_numpy_reference(seed, n, d, G, scale, steps, sampling, track):
    data, gamma, beta, W0, rng = problem(seed, n, d, G, scale)
    batches = None
    if sampling != "full":
        bt = Batches(n, n // 2, sampling, rng)
        batches = bt.take(steps)
    ref = reference(data.X, data.y, W0, gamma, beta, steps, batches, track)
    got = kernel(data.X, data.y, W0, gamma, beta, steps, batches, track, split=(7, steps // 2, steps // 2 + 1))
    assert_same(ref, got)
    assert np.all(got["chg"] >= 0)


def test_cases_cover_sign_changes_and_divergence():
    """The grids above do exercise the branches: sign changes, diverging runs and convergent ones."""
    flips = diverged = finite = 0
    for seed, n, d, G, scale, steps, sampling in CASES:
        data, gamma, beta, W0, rng = problem(seed, n, d, G, scale)
        batches = None if sampling == "full" else Batches(n, n // 2, sampling, rng).take(steps)
        st = kernel(data.X, data.y, W0, gamma, beta, steps, batches)
        flips += int(st["chg"].sum())
        bad = ~np.isfinite(st["W"]).all(axis=(0, 2))
        diverged += int(bad.sum())
        finite += int((~bad).sum())
    assert flips > 0 and diverged > 0 and finite > 0


def test_perturbed_reference_is_seen():
    """A one-ulp-scale change of the momentum coefficient c = −β changes the iterates: the comparison has power."""
    data, gamma, beta, W0, _ = problem(0, 4, 6, 6, 0.5)
    ref = reference(data.X, data.y, W0, gamma, beta, 200, perturb=4 * np.finfo(float).eps)
    got = kernel(data.X, data.y, W0, gamma, beta, 200)
    assert not np.array_equal(ref["W"], got["W"])


def _old_batches(n, batch_size, sampling, rng, chunk=2048):
    """The generator the numpy version drew its mini-batches with (one index array per step)."""
    per_epoch = n // batch_size
    while True:
        if sampling == "with_replacement":
            block = np.argsort(rng.random((chunk, n)), axis=1)[:, :batch_size]
        else:
            perms = np.argsort(rng.random((chunk // per_epoch + 1, n)), axis=1)[:, :per_epoch * batch_size]
            block = perms.reshape(-1, batch_size)
        yield from block


@pytest.mark.parametrize("sampling", ["with_replacement", "without_replacement"])
def test_batches_are_the_former_draws(sampling):
    """Seeded runs are reproducible across the change: the same batches, in chunks or step by step, and the
    generator's state afterwards is the same."""
    n, b, steps = 7, 3, 5000
    ours = Batches(n, b, sampling, np.random.default_rng(11))
    got = np.concatenate([ours.take(m) for m in (1, 499, 2000, 2500)])
    rng = np.random.default_rng(11)
    gen = _old_batches(n, b, sampling, rng)
    want = np.stack([next(gen) for _ in range(steps)])
    assert np.array_equal(got, want)
    assert ours.rng.random() == rng.random()


def test_smgd_end_to_end_matches_reference():
    """smgd (checks every 50 steps, no early stop reached) ends where the reference ends, sums included."""
    data, gamma, beta, W0, _ = problem(6, 6, 5, 5, 0.8)
    steps = 700
    run = smgd(data.network(), W0[0, 0], W0[1, 0], gamma, beta, steps, check_every=50, stop_change=1e-300,
               sampling="with_replacement", batch_size=3, rng=np.random.default_rng(3), record=(100, 350))
    batches = Batches(6, 3, "with_replacement", np.random.default_rng(3)).take(steps)
    ref = reference(data.X, data.y, W0, gamma, beta, steps, batches)
    assert np.array_equal(run.wp, ref["W"][0]) and np.array_equal(run.wm, ref["W"][1])
    assert np.array_equal(run.S_plus, ref["S"][0]) and np.array_equal(run.S_minus, ref["S"][1])
    assert np.array_equal(run.grad_dsum, ref["dsum"])
    assert np.array_equal(run.sign_changes_plus, ref["chg"][0])
    assert np.array_equal(run.residue_imag_minus, -np.pi * ref["xi"][1])
    assert run.history["step"] == [100, 350]


def test_stale_formula_cache_is_flushed(tmp_path):
    """A changed generated formula (another digest) empties the kernels' disk cache and records the new digest."""
    flushed = []
    kernels = (type("D", (), {"_cache": type("C", (), {"flush": lambda self: flushed.append(1)})()})(),)
    stamp = tmp_path / "stamp"
    K.flush_if_stale(stamp, kernels)
    assert flushed == [1] and stamp.read_text() == K.formula_digest()
    K.flush_if_stale(stamp, kernels)
    assert flushed == [1]
    stamp.write_text("another")
    K.flush_if_stale(stamp, kernels)
    assert flushed == [1, 1]


def test_bad_batches_input():
    with pytest.raises(ValueError, match="rng is required"):
        Batches(4, 2, "with_replacement", None)


# --- HB / NAG / GD / SGD (numerics.hb_nag.momentum_iterates) ---------------------------------------------
def hb_reference(net, u0, v0, eta, mu, steps, method, record_every=1, batch_rng=None, perturb=0.0):
    """The former numpy loop of momentum_iterates (eq. 2 / eq. 3 of the hb_nag paper, p₀ = 0)."""
    u, v = u0.copy(), v0.copy()
    eta, mu = np.asarray(eta, float), np.asarray(mu, float) * (1 + perturb)
    pu, pv = np.zeros_like(u), np.zeros_like(v)
    XT = np.ascontiguousarray(net.X.T)
    out_u = np.empty((steps // record_every + 1,) + u.shape)
    out_v = np.empty_like(out_u)
    out_u[0], out_v[0] = u, v
    for k in range(1, steps + 1):
        a, b = (u, v) if method == "hb" else (u + mu * pu, v + mu * pv)
        th = a * a - b * b
        if batch_rng is None:
            gth = ((th @ XT - net.y) / net.n) @ net.X
        else:
            i = int(batch_rng.integers(net.n))
            gth = (th @ net.X[i] - net.y[i])[..., None] * net.X[i]
        pu = mu * pu - eta * (2 * a * gth)
        pv = mu * pv - eta * (-2 * b * gth)
        u, v = u + pu, v + pv
        if k % record_every == 0:
            out_u[k // record_every], out_v[k // record_every] = u, v
    return out_u, out_v


HB_CASES = [  # seed, batch shape, method, SGD, record_every, η scale (large: some runs diverge)
    (0, (), "hb", False, 1, 1.0),
    (1, (), "nag", True, 3, 1.0),
    (2, (5,), "hb", True, 1, 1.0),
    (3, (3, 4), "nag", False, 7, 1.0),
    (4, (6,), "hb", False, 1, 300.0),
    (5, (4,), "nag", False, 2, 300.0),
]


@pytest.mark.parametrize("seed,shape,method,sgd,r,scale", HB_CASES)
def test_momentum_iterates_bitwise_equal_to_numpy_reference(seed, shape, method, sgd, r, scale):
    from numerics.hb_nag import SquareNet, momentum_iterates, sparse_instance

    rng = np.random.default_rng(seed)
    n, d, steps = 6, 5, 240
    X, y, _ = sparse_instance(rng, n, d, 2)
    net = SquareNet(X, y)
    u0 = rng.uniform(0.1, 0.5, shape + (d,))
    v0 = u0 + 0.2 * rng.standard_normal(shape + (d,))
    eta = rng.uniform(0.001, 0.05, shape + (1,)) * scale
    mu = rng.uniform(0.0, 0.9, shape + (1,))
    with np.errstate(all="ignore"):
        want = hb_reference(net, u0, v0, eta, mu, steps, method, r, np.random.default_rng(9) if sgd else None)
        got = momentum_iterates(net, u0, v0, eta, mu, steps, method=method, record_every=r,
                                batch_rng=np.random.default_rng(9) if sgd else None)
        for w, g in zip(want, got):
            assert np.array_equal(w, g, equal_nan=True)
        if scale > 1:
            assert not np.isfinite(got[0][-1]).all()
        bumped = hb_reference(net, u0, v0, eta, mu, steps, method, r, np.random.default_rng(9) if sgd else None,
                              perturb=4 * np.finfo(float).eps)
    assert not np.array_equal(bumped[0], got[0], equal_nan=True)


def test_momentum_iterates_bad_broadcast():
    from numerics.hb_nag import SquareNet, momentum_iterates

    net = SquareNet(np.eye(3), np.ones(3))
    with pytest.raises(ValueError, match="eta and mu must broadcast"):
        momentum_iterates(net, np.ones(3), np.ones(3), np.full((2, 1), 0.1), 0.5, 5)
