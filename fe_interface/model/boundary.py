"""Boundary conditions on tagged outer facets (SI units).

* :class:`FixedTemperature` — T = T_b (K) on the facets (Dirichlet).
* :class:`HeatFlux` — a heat flux q (W/m²) *into* the body (positive heats it).
* :class:`Convection` — q = h_c (T∞ − T) into the body, h_c in W/(m² K), T∞ in K.
* :class:`Radiation` — grey radiation to surroundings at T_amb,
  q = ε σ (T_amb⁴ − T⁴) into the body, optionally with convection h_c (T∞ − T) on the
  same facets (vacuum packages and cryostats lose heat by radiation only; a finned
  sink in air by both).  Temperature-dependent: the problem is solved by Newton.

Values may be numbers, :class:`~fe_interface.model.time.TimeFunction` objects, or
functions of position: ``x -> UFL expression`` for fluxes and convection,
``x -> NumPy array`` (x of shape (3, n), m) for fixed temperatures.  Outer facets
without a condition are insulated (zero flux).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fe_interface.model.validation import (
    check_nonnegative,
    check_positive,
    check_real,
    check_unit_interval,
)

__all__ = [
    "STEFAN_BOLTZMANN",
    "BoundaryCondition",
    "Convection",
    "FixedTemperature",
    "HeatFlux",
    "Radiation",
    "celsius_suspect",
    "checked_value",
    "condition_name",
]

#: Stefan–Boltzmann constant, W/(m² K⁴) (CODATA 2018, exact)
STEFAN_BOLTZMANN = 5.670374419e-8


def checked_value(value: Any, name: str, unit: str, owner: str, minimum: str = "") -> Any:
    """A number checked and turned into a float; callables pass unchanged.

    ``minimum``: "" any finite, "nonneg" >= 0, "pos" > 0; callables are functions of x or
    TimeFunction.
    """
    if callable(value):
        return value
    check = {"": check_real, "nonneg": check_nonnegative, "pos": check_positive}[minimum]
    return check(value, name, unit, owner)


#: 0 °C in kelvin
ZERO_CELSIUS = 273.15


def celsius_suspect(temps: dict[str, Any], owner: str, check: bool = True) -> str | None:
    """A warning when one of two temperatures of one boundary looks like °C beside kelvin.

    ``T_amb = 20`` beside ``T_inf = 293.15``: the lower value plus 273.15 K lies within
    5 % of the higher one while the lower is below half of it (a cryostat's 4 K window
    beside a 300 K gas is not flagged: 277 K is 8 % off).  Numbers only; ``check`` False
    skips it (a value that is not used, e.g. T_inf without convection).
    """
    vals = {k: float(v) for k, v in temps.items() if not callable(v)}
    if not check or len(vals) != 2:
        return None
    (lo_key, lo), (hi_key, hi) = sorted(vals.items(), key=lambda kv: kv[1])
    if lo < 0.5 * hi and abs(lo + ZERO_CELSIUS - hi) <= 0.05 * hi:
        return (
            f"{owner}: {lo_key} = {lo:g} K beside {hi_key} = {hi:g} K: {lo:g} °C would be "
            f"{lo + ZERO_CELSIUS:g} K -- temperatures are in kelvin; is {lo_key} in °C?"
        )
    return None


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


@dataclass(frozen=True)
class Radiation:
    """Grey radiation to surroundings, q = ε σ (T_amb⁴ − T⁴) W/m² into the body.

    Plus optional convection h (T_inf − T) on the same facets.

    Attributes:
        facets: facet group (physical name or tag).
        emissivity: ε in (0, 1] (a number), the surface's total hemispherical emissivity
            (the surroundings are large and black: view factor 1).
        T_amb: temperature of the surroundings, K, > 0 (a number or a TimeFunction).
        h: convection coefficient, W/(m² K), ≥ 0 (default 0: radiation only).
        T_inf: fluid temperature of the convection, K (default: ``T_amb``).
    """

    facets: str | int
    emissivity: float
    T_amb: float | Callable
    h: float | Callable = 0.0
    T_inf: float | Callable | None = None

    def __post_init__(self) -> None:
        owner = f"radiation on {self.facets!r}"
        object.__setattr__(
            self, "emissivity", check_unit_interval(self.emissivity, "emissivity", owner)
        )
        object.__setattr__(self, "T_amb", checked_value(self.T_amb, "T_amb", "K", owner, "pos"))
        object.__setattr__(self, "h", checked_value(self.h, "h", "W/(m^2 K)", owner, "nonneg"))
        if self.T_inf is not None:
            object.__setattr__(self, "T_inf", checked_value(self.T_inf, "T_inf", "K", owner, "pos"))
            msg = celsius_suspect(
                {"T_amb": self.T_amb, "T_inf": self.T_inf}, owner, callable(self.h) or self.h > 0
            )
            if msg:
                warnings.warn(msg, stacklevel=3)

    @property
    def fluid_temperature(self) -> float | Callable:
        """T_inf of the convection part (``T_amb`` when not given), K."""
        return self.T_amb if self.T_inf is None else self.T_inf

    @property
    def has_convection(self) -> bool:
        """True when h is a function or > 0."""
        return callable(self.h) or self.h > 0


BoundaryCondition = FixedTemperature | HeatFlux | Convection | Radiation


_KIND_NAMES = {
    FixedTemperature: "fixed temperature",
    HeatFlux: "heat flux",
    Convection: "convection",
    Radiation: "radiation",
}


def condition_name(bc: Any) -> str:
    """How messages name a condition: ``"heat flux on 'top'"``."""
    return f"{_KIND_NAMES.get(type(bc), type(bc).__name__)} on {bc.facets!r}"
