"""Compile the numba kernels of numerics/ once, into numba's on-disk cache (numerics/__pycache__).

A fresh checkout has no compiled kernels: the first process that runs a batched iteration would spend ~15 s of CPU
compiling them. ``make`` runs this after installing, so that the check suite and the tests start from the cache.

    .venv/bin/python -m numerics.warmup
"""
from __future__ import annotations

import time

import numpy as np


def compile_all() -> float:
    """Run every kernel entry point once on a tiny instance, in each of the modes the claims use; returns seconds."""
    from numerics.data import sparse_regression
    from numerics.hb_nag import SquareNet, momentum_iterates
    from numerics.momentum_discrete import smgd

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    data = sparse_regression(rng, 4, 6, 2)
    w0 = np.full(6, 0.1)
    net = data.network()
    for sampling, kw in (("full", {"record": (5,), "snapshot_loss": 1e-10, "stop_loss": 1e-16}),
                         ("with_replacement", {"batch_size": 2, "rng": np.random.default_rng(1)}),
                         ("without_replacement", {"batch_size": 2, "rng": np.random.default_rng(2)})):
        for track in (True, False):
            smgd(net, w0, w0, np.array([0.05, 0.1]), np.array([0.0, 0.5]), 20, sampling=sampling, track_sums=track,
                 **kw)
    sq = SquareNet(data.X, data.y)
    for method in ("hb", "nag"):
        momentum_iterates(sq, w0, w0, 0.01, 0.5, 20, method=method)
        grid = np.stack([w0, w0])
        momentum_iterates(sq, grid, grid, np.array([[0.01], [0.02]]), np.array([[0.5], [0.9]]), 20, method=method)
        momentum_iterates(sq, w0, w0, 0.01, 0.5, 20, method=method, batch_rng=np.random.default_rng(3))
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"numba kernels compiled or loaded from the cache in {compile_all():.1f} s")
