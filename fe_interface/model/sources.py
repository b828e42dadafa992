"""Volumetric heat sources."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fe_interface.model.boundary import checked_value

__all__ = ["HeatSource"]


@dataclass(frozen=True)
class HeatSource:
    """Volumetric heat source in one region.

    Attributes:
        region: cell group (physical name or tag).
        value: W/m³; a number, a :class:`~fe_interface.model.time.TimeFunction`, or a
            function ``x -> UFL expression`` of the spatial coordinate ``x`` (m), e.g.
            for manufactured solutions.
    """

    region: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        v = checked_value(self.value, "value", "W/m^3", f"heat source in {self.region!r}")
        object.__setattr__(self, "value", v)
