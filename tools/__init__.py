"""Development tools of this repository; not installed (pyproject installs derivations, numerics and checks only).

Run them from the repository root, e.g. ``python -m tools.mutation``.
"""
