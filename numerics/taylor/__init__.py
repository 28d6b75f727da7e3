"""High-precision Taylor-series integration of the project's flows (``solve_flow(..., method="taylor", dps=...)``).

- :mod:`numerics.taylor.jets`: truncated Taylor series in mpmath, the k-th coefficient of each elementary operation
  by its recurrence, and the :class:`~numerics.taylor.jets.JetProgram` the generated modules define;
- ``numerics/generated/<topic>_taylor.py``: the flows' right-hand sides compiled into jet operations, one per node
  (written by ``python -m derivations regenerate`` from derivations/taylor_flows.py);
- :mod:`numerics.taylor.integrator`: the integrator (order and step from the digits, kinks, dense output, stop
  condition, defect check, error estimate from a second solve at more digits and a higher order);
- :mod:`numerics.taylor.systems`: the project's flows as :class:`~numerics.taylor.integrator.TaylorSystem` s.
"""
