"""Boundary conditions on tagged outer facets (SI units).

* :class:`FixedTemperature` — T = T_b (K) on the facets (Dirichlet).
* :class:`HeatFlux` — a heat flux q (W/m²) *into* the body (positive heats it).
* :class:`Convection` — q = h_c (T∞ − T) into the body, h_c in W/(m² K), T∞ in K.

Values may be numbers or functions of position: ``x -> UFL expression`` for fluxes,
``x -> NumPy array`` (x of shape (3, n), m) for fixed temperatures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from fe_interface.materials import InputError

__all__ = ["FixedTemperature", "HeatFlux", "Convection", "BoundaryCondition"]


def _finite(owner: str, what: str, v: float | Callable, minimum: float | None = None) -> None:
    if callable(v):
        return
    if not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"{owner}: {what} must be a finite number, got {v!r}")
    if minimum is not None and v < minimum:
        raise InputError(f"{owner}: {what} must be >= {minimum}, got {v!r}")


@dataclass(frozen=True)
class FixedTemperature:
    """T = ``value`` (K) on the facet group ``facets``."""

    facets: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        _finite(f"fixed temperature on {self.facets!r}", "value (K)", self.value, 0.0)


@dataclass(frozen=True)
class HeatFlux:
    """Heat flux ``value`` (W/m²) into the body through ``facets`` (positive heats)."""

    facets: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        _finite(f"heat flux on {self.facets!r}", "value (W/m^2)", self.value)


@dataclass(frozen=True)
class Convection:
    """Convective cooling q = h (T∞ − T) into the body; h in W/(m² K) ≥ 0, T∞ in K."""

    facets: str | int
    h: float | Callable
    T_inf: float | Callable

    def __post_init__(self) -> None:
        _finite(f"convection on {self.facets!r}", "h (W/(m^2 K))", self.h, 0.0)
        _finite(f"convection on {self.facets!r}", "T_inf (K)", self.T_inf, 0.0)


BoundaryCondition = FixedTemperature | HeatFlux | Convection
