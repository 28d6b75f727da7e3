"""SymPy derivations of the papers' identities.

Each topic module builds SymPy expressions, proves what can be proved symbolically, and names the
formulas the numerics need in a module-level ``FORMULAS`` list (see :mod:`derivations.codegen`).
This package imports nothing but SymPy and the standard library.
"""
