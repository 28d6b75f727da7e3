"""Instances of the momentum_dln claims: tier profiles, data, initialisations and cached runs."""
from __future__ import annotations

# --- continuous time (MGF) -------------------------------------------------------------------------------


















# --- discrete time (MGD / SMGD) and the discretisation ---------------------------------------------------
