"""Turn SymPy residuals into verdicts.

:func:`residuals_vanish` decides a claim "each residual is identically zero". Each residual (a matrix
counts as its entries) is first evaluated at a seeded sample point: a value clearly away from zero
REFUTES the claim at once with that point as the instance (cheap, and the common case for a perturbed
formula). Otherwise SymPy simplifies: PROVED when every residual becomes 0; if one does not, more
sample points are tried, and if none shows a difference the result is INCONCLUSIVE.

Sample points respect the symbols' assumptions: integers for integer symbols, rationals in (0, 1)
otherwise, negated at random unless the symbol is positive or non-negative. Unknown functions and their
derivatives (w(t), w''(bt), G(w)) are replaced by fresh symbols first: a residual that must vanish for
every w and G must vanish for every value these take.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from checks.verdict import Result, inconclusive, proved, refuted


def _opaque_to_symbols(expr: sp.Expr) -> sp.Expr:
    from sympy.core.function import AppliedUndef

    for kind in (sp.Subs, sp.Derivative, AppliedUndef):
        atoms = sorted(expr.atoms(kind), key=sp.default_sort_key)
        expr = expr.xreplace({atom: sp.Symbol(f"_opaque{i}_{kind.__name__}") for i, atom in enumerate(atoms)})
    return expr


def _sample_point(expr: sp.Expr, rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
    point = {}
    for s in sorted(expr.free_symbols, key=str):
        if s.is_integer:
            value = sp.Integer(int(rng.integers(0 if s.is_nonnegative else 1, 10)))
        else:
            value = sp.Rational(int(rng.integers(1, 97)), 97)
        if not (s.is_positive or s.is_nonnegative) and rng.random() < 0.5:
            value = -value
        point[s] = value
    return point


def _flatten(residuals: dict[str, object]) -> dict[str, sp.Expr]:
    flat: dict[str, sp.Expr] = {}
    for name, r in residuals.items():
        if isinstance(r, sp.MatrixBase):
            flat.update({f"{name}[{i},{j}]": r[i, j] for i in range(r.rows) for j in range(r.cols)})
        else:
            flat[name] = sp.sympify(r)
    return flat


def _nonzero_at_sample(name: str, r: sp.Expr, rng: np.random.Generator, dps: int, seed: int) -> dict | None:
    """The counterexample data if ``r`` is clearly non-zero at a sample point, else None."""
    r = _opaque_to_symbols(r)
    if not r.is_commutative:
        return None
    point = _sample_point(r, rng)
    try:
        value = sp.N(r.subs(point), dps)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not value.is_number:
        return None
    if abs(value) > sp.Float(10) ** (-(dps // 2)):  # far above the rounding of a dps-digit evaluation
        return {"residual": name, "expression": sp.sstr(r)[:2000], "point": {str(k): str(v) for k, v in point.items()},
                "value": str(sp.N(value, 15)), "sample_seed": seed}
    return None


def residuals_vanish(what: str, residuals: dict[str, object], *, seed: int = 0, dps: int = 50,
                     tries: int = 8, **evidence: object) -> Result:
    """PROVED if every residual simplifies to 0; REFUTED with a point where one is clearly non-zero.

    Residuals whose name starts with ``_`` are informational: simplified and reported in the evidence,
    but not required to vanish.
    """
    informational = {n[1:]: sp.sstr(sp.simplify(r)) for n, r in _flatten(residuals).items() if n.startswith("_")}
    if informational:
        evidence = {**evidence, "informational": informational}
    flat = {n: r for n, r in _flatten(residuals).items() if not n.startswith("_")}
    rng = np.random.default_rng(seed)
    for name, r in flat.items():
        counter = _nonzero_at_sample(name, r, rng, dps, seed)
        if counter is not None:
            return refuted(f"{what}: residual '{name}' is {counter['value'][:12]} at a sample point, not 0",
                           counterexample=counter, **evidence)
    simplified = {name: sp.simplify(r) for name, r in flat.items()}
    if all(r == 0 for r in simplified.values()):
        return proved(f"{what}: every residual simplifies to 0 ({', '.join(flat)[:300]})",
                      zero="; ".join(f"{n}: {sp.sstr(flat[n])[:500]}" for n in flat), **evidence)
    for name, r in simplified.items():
        if r == 0:
            continue
        for _ in range(tries):
            counter = _nonzero_at_sample(name, r, rng, dps, seed)
            if counter is not None:
                return refuted(f"{what}: residual '{name}' is {counter['value'][:12]} at a sample point, not 0",
                               counterexample=counter, **evidence)
    left = {n: sp.sstr(r) for n, r in simplified.items() if r != 0}
    return inconclusive(f"{what}: SymPy did not reduce {sorted(left)} to 0, but no sample point showed a difference",
                        unsimplified=left, **evidence)
