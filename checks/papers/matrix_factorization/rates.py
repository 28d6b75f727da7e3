"""The decay-rate fit the sections share: a claimed exponential rate decided by an order fit."""
from __future__ import annotations

import math
from typing import Any, Sequence

from checks.verdict import Result, from_order_fit


def rate_fit(what: str, times: Sequence[float], errs: Sequence[float], rate: float, *, bound: bool = False,
             **evidence: Any) -> Result:
    """Fit err ≈ C e^{−rate·t}: with h = e^{−rate·t} the fitted exponent is true rate / claimed rate (expect 1).
    ``bound``: the claim is err = O(e^{−rate·t}), so a faster decay confirms it too (judged by the fit's CI)."""
    hs = [math.exp(-rate * t) for t in times]
    return from_order_fit(what, hs, [float(e) for e in errs], 1.0, bound=bound, claimed_rate=rate, times=list(times),
                          **evidence)
