"""Bulk materials: the thermal properties of a region.

A :class:`Material` holds bulk properties; a problem maps each *region* (a cell group of
the mesh, by physical name or tag) to a material.  Two regions may share one material
(two aluminium blocks pressed together are two regions, one material).
"""

from __future__ import annotations

from dataclasses import dataclass

from fe_interface.model.validation import check_positive

__all__ = ["Material"]


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
        owner = f"material {self.name!r}"
        object.__setattr__(
            self, "conductivity", check_positive(self.conductivity, "conductivity", "W/(m K)", owner)
        )
        for name, unit in (("density", "kg/m^3"), ("specific_heat", "J/(kg K)")):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_positive(value, name, unit, owner))

    @property
    def heat_capacity(self) -> float | None:
        """Volumetric heat capacity ρ c_p, J/(m³ K) (None unless both are given)."""
        if self.density is None or self.specific_heat is None:
            return None
        return self.density * self.specific_heat
