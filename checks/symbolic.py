"""Turn SymPy residuals into verdicts.

:func:`residuals_vanish` decides a claim "each residual is identically zero": PROVED when SymPy
simplifies every residual to 0; otherwise it looks for a concrete counterexample by substituting
seeded random values (rationals in (0, 1), of either sign unless the symbol is declared positive or
non-negative) and
evaluating at high precision: a residual whose value is far from zero at such a point REFUTES the
claim with that point as the instance; if no point shows a difference the result is INCONCLUSIVE
(SymPy could not simplify, yet no counterexample was found).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from checks.verdict import Result, inconclusive, proved, refuted


def _opaque_to_symbols(expr: sp.Expr) -> sp.Expr:
    """Replace unknown functions and their derivatives (w(t), w''(bt), G(w)) by fresh symbols: a residual
    that must vanish for every w and G must vanish for every value these take."""
    from sympy.core.function import AppliedUndef

    for kind in (sp.Subs, sp.Derivative, AppliedUndef):
        atoms = sorted(expr.atoms(kind), key=sp.default_sort_key)
        expr = expr.xreplace({atom: sp.Symbol(f"_opaque{i}_{kind.__name__}") for i, atom in enumerate(atoms)})
    return expr


def _sample_point(expr: sp.Expr, rng: np.random.Generator) -> dict[sp.Symbol, sp.Rational]:
    """Rationals in (0, 1), negated at random for symbols not declared positive or non-negative."""
    point = {}
    for s in sorted(expr.free_symbols, key=str):
        value = sp.Rational(int(rng.integers(1, 97)), 97)
        if not (s.is_positive or s.is_nonnegative) and rng.random() < 0.5:
            value = -value
        point[s] = value
    return point


def residuals_vanish(what: str, residuals: dict[str, sp.Expr], *, seed: int = 0, dps: int = 50,
                     tries: int = 8, corrected_by: str | None = None, **evidence: object) -> Result:
    """PROVED if every residual simplifies to 0; REFUTED with a point where one is clearly non-zero.

    Residuals whose name starts with ``_`` are informational: simplified and reported in the evidence,
    but not required to vanish.
    """
    informational = {n[1:]: sp.sstr(sp.simplify(r)) for n, r in residuals.items() if n.startswith("_")}
    if informational:
        evidence = {**evidence, "informational": informational}
    residuals = {n: r for n, r in residuals.items() if not n.startswith("_")}
    simplified = {name: sp.simplify(r) for name, r in residuals.items()}
    if all(r == 0 for r in simplified.values()):
        return proved(f"{what}: every residual simplifies to 0 ({', '.join(residuals)})",
                      zero="; ".join(f"{n}: {sp.sstr(residuals[n])}" for n in residuals), **evidence)
    rng = np.random.default_rng(seed)
    tol = sp.Float(10) ** (-(dps // 2))  # far above the rounding of a dps-digit evaluation
    for name, r in simplified.items():
        if r == 0:
            continue
        r = _opaque_to_symbols(r)
        for _ in range(tries):
            point = _sample_point(r, rng)
            value = sp.N(r.subs(point), dps)
            if value.is_real is False or (value.is_number and abs(value) > tol):
                return refuted(f"{what}: residual '{name}' is {sp.N(value, 6)} at a sample point, not 0",
                               counterexample={"residual": name, "expression": sp.sstr(r),
                                               "point": {str(k): str(v) for k, v in point.items()},
                                               "value": str(sp.N(value, 15)), "sample_seed": seed},
                               corrected_by=corrected_by, **evidence)
    left = {n: sp.sstr(r) for n, r in simplified.items() if r != 0}
    return inconclusive(f"{what}: SymPy did not reduce {sorted(left)} to 0, but no sample point showed a difference",
                        unsimplified=left, **evidence)
