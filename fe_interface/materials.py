"""Materials (bulk thermal properties) and volumetric heat sources.

A :class:`Material` holds bulk properties; the problem maps each material *region* (a
cell group of the mesh, by physical name or tag) to a material.  Two regions may share
one material (two aluminium blocks pressed together are two regions, one material).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Material", "HeatSource", "InputError"]


class InputError(ValueError):
    """A problem definition is invalid; the message names the offending item."""


def _check_positive(owner: str, name: str, value: float | None, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"{owner}: {name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True)
class Material:
    """Bulk material.

    Attributes:
        name: label used in tables and error messages.
        conductivity: thermal conductivity k, W/(m K), > 0.
        density: ρ, kg/m³ (transient runs only).
        specific_heat: c_p, J/(kg K) (transient runs only).
    """

    name: str
    conductivity: float
    density: float | None = None
    specific_heat: float | None = None

    def __post_init__(self) -> None:
        _check_positive(f"material {self.name!r}", "conductivity (W/(m K))", self.conductivity)
        _check_positive(f"material {self.name!r}", "density (kg/m^3)", self.density, True)
        _check_positive(
            f"material {self.name!r}", "specific_heat (J/(kg K))", self.specific_heat, True
        )


@dataclass(frozen=True)
class HeatSource:
    """Volumetric heat source in one region.

    Attributes:
        region: cell group (physical name or tag).
        value: W/m³; a number or a function ``x -> UFL expression`` of the spatial
            coordinate ``x`` (m), e.g. for manufactured solutions.
    """

    region: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        if not callable(self.value) and not (
            isinstance(self.value, (int, float)) and math.isfinite(self.value)
        ):
            raise InputError(
                f"heat source in {self.region!r}: value must be finite, got {self.value!r}"
            )
