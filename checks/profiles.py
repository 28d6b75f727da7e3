"""Tier profiles: the sizes of a paper's instances per tier, declared once as an immutable record.

As Hypothesis registers named settings profiles and loads one, a paper's ``instances`` module declares one
:class:`TierProfiles` of a frozen dataclass of sizes, and a check reads the sizes of its run's tier::

    SIZES = TierProfiles(quick=Sizes(n=4, d=8), full=Sizes(n=10, d=20))
    n, d = SIZES.of(ctx).n, SIZES.of(ctx).d
"""
from __future__ import annotations

import dataclasses
from typing import Any, Generic, TypeVar

from checks.context import TIERS

T = TypeVar("T")


class TierProfiles(Generic[T]):
    """One record of sizes per tier (``quick`` and ``full``), of the same frozen dataclass."""

    __slots__ = ("_by_tier",)

    def __init__(self, **by_tier: T) -> None:
        if set(by_tier) != set(TIERS):
            raise ValueError(f"tier profiles need exactly the tiers {TIERS}, got {sorted(by_tier)}")
        kinds = {type(p) for p in by_tier.values()}
        if len(kinds) != 1:
            raise ValueError(f"every tier's profile must be of one type, got {sorted(k.__name__ for k in kinds)}")
        for tier, profile in by_tier.items():
            params = getattr(type(profile), "__dataclass_params__", None)
            if not dataclasses.is_dataclass(profile) or params is None or not params.frozen:
                raise ValueError(f"the {tier} profile must be a frozen dataclass, got {type(profile).__name__}")
        object.__setattr__(self, "_by_tier", dict(by_tier))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("tier profiles are immutable")

    def __getitem__(self, tier: str) -> T:
        if tier not in self._by_tier:
            raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
        return self._by_tier[tier]

    def of(self, ctx: Any) -> T:
        """The profile of the run's tier (``ctx.tier``)."""
        return self[ctx.tier]

    def __repr__(self) -> str:
        return f"TierProfiles({', '.join(f'{t}={p!r}' for t, p in self._by_tier.items())})"
