"""Boundary conditions on tagged outer facets (SI units).

* :class:`FixedTemperature` — T = T_b (K) on the facets (Dirichlet).
* :class:`HeatFlux` — a heat flux q (W/m²) *into* the body (positive heats it).
* :class:`Convection` — q = h_c (T∞ − T) into the body, h_c in W/(m² K), T∞ in K.

Values may be numbers, :class:`~fe_interface.model.time.TimeFunction` objects, or
functions of position: ``x -> UFL expression`` for fluxes and convection,
``x -> NumPy array`` (x of shape (3, n), m) for fixed temperatures.  Outer facets
without a condition are insulated (zero flux).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fe_interface.model.validation import check_nonnegative, check_positive, check_real

__all__ = ["FixedTemperature", "HeatFlux", "Convection", "BoundaryCondition", "checked_value"]


def checked_value(value: Any, name: str, unit: str, owner: str, minimum: str = "") -> Any:
    """A number checked (``minimum``: "" any finite, "nonneg" >= 0, "pos" > 0) and turned
    into a float; callables (functions of x, TimeFunction) pass unchanged."""
    if callable(value):
        return value
    check = {"": check_real, "nonneg": check_nonnegative, "pos": check_positive}[minimum]
    return check(value, name, unit, owner)


@dataclass(frozen=True)
class FixedTemperature:
    """T = ``value`` (K) on the facet group ``facets``."""

    facets: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        v = checked_value(self.value, "value", "K", f"fixed temperature on {self.facets!r}", "pos")
        object.__setattr__(self, "value", v)


@dataclass(frozen=True)
class HeatFlux:
    """Heat flux ``value`` (W/m²) into the body through ``facets`` (positive heats)."""

    facets: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        v = checked_value(self.value, "value", "W/m^2", f"heat flux on {self.facets!r}")
        object.__setattr__(self, "value", v)


@dataclass(frozen=True)
class Convection:
    """Convective cooling q = h (T∞ − T) into the body; h in W/(m² K) ≥ 0, T∞ in K."""

    facets: str | int
    h: float | Callable
    T_inf: float | Callable

    def __post_init__(self) -> None:
        owner = f"convection on {self.facets!r}"
        object.__setattr__(self, "h", checked_value(self.h, "h", "W/(m^2 K)", owner, "nonneg"))
        object.__setattr__(self, "T_inf", checked_value(self.T_inf, "T_inf", "K", owner, "pos"))


BoundaryCondition = FixedTemperature | HeatFlux | Convection
