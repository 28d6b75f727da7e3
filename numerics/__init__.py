"""Numerical layer: discrete iterations, ODE integrators, data generators and strategies.

Formulas come from ``numerics.generated`` (written by ``python -m derivations regenerate``); this
package never imports SymPy at run time.
"""
