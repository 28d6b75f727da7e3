"""Argument checks shared by every public numerical function: clear ``ValueError``s naming the parameter."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_array(name: str, value: Any, ndim: int | None = None) -> np.ndarray:
    """``value`` as a float array; raises if it is not finite or (with ``ndim``) has the wrong rank."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {type(value).__name__}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def positive(name: str, value: Any) -> float:
    """A finite real number > 0."""
    x = _real(name, value)
    if not x > 0:
        raise ValueError(f"{name} must be > 0, got {x!r}")
    return x


def non_negative(name: str, value: Any) -> float:
    """A finite real number >= 0."""
    x = _real(name, value)
    if not x >= 0:
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return x


def momentum(name: str, value: Any) -> float:
    """A momentum parameter β in [0, 1)."""
    x = _real(name, value)
    if not 0 <= x < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {x!r}")
    return x


def count(name: str, value: Any, minimum: int = 1) -> int:
    """An integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def same_shape(names: tuple[str, str], a: np.ndarray, b: np.ndarray) -> None:
    """Raise unless the two arrays have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {a.shape} and {b.shape}")


def _real(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return x
