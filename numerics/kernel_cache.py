"""numba's disk cache of kernels that compile generated formulas: flushed when those formulas change.

numba keys its cache on the kernel's own source file only; a kernel module that compiles functions from
``numerics/generated`` keeps a digest of their source beside the cache and calls :func:`flush_if_changed` at import.
"""
from __future__ import annotations

from pathlib import Path


def flush_if_changed(digest: str, stamp: Path, kernels: tuple) -> None:
    """Drop the disk cache of ``kernels`` unless ``stamp`` holds ``digest``, then record ``digest`` in ``stamp``."""
    try:
        if stamp.exists() and stamp.read_text() == digest:
            return
        for k in kernels:
            k._cache.flush()
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # read-only checkout: numba then caches elsewhere or not at all
        pass
