"""Fixed temperatures that are not on outer facets: a whole region, or a point.

* :class:`RegionTemperature` — T = value (K) at every dof of a region: an isothermal body
  (a thermostat block, a chip held at its junction temperature, the "all nodes fixed"
  of a peer's deck), without a stiff stand-in material.
* :class:`PointTemperature` — T = value (K) at a mesh vertex (a thermocouple held at a
  set point), optionally on one side of an interface (``region``).

Both are Dirichlet conditions of the discrete problem; the heat they inject is reported
in the energy balance and the boundary table under their label like the heat of a fixed
temperature on facets.  Values are numbers or
:class:`~fe_interface.model.time.TimeFunction` /
:class:`~fe_interface.model.values.ExpressionValue` of t (not of T).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fe_interface.errors import InputError
from fe_interface.model.boundary import checked_value

__all__ = ["PointTemperature", "RegionTemperature"]


@dataclass(frozen=True)
class RegionTemperature:
    """T = ``value`` (K) on every dof of ``region`` (an isothermal body).

    Attributes:
        region: cell group (physical name or tag).
        value: K, > 0 (a number, or a function of t).
        name: label in tables (default ``region:<region>``).
    """

    region: str | int
    value: float | Callable
    name: str | None = None

    def __post_init__(self) -> None:
        v = checked_value(
            self.value, "value", "K", f"fixed temperature of region {self.region!r}", "pos"
        )
        object.__setattr__(self, "value", v)

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name or f"region:{self.region}"


@dataclass(frozen=True)
class PointTemperature:
    """T = ``value`` (K) at the mesh vertex at ``point`` (m).

    Attributes:
        point: (x, y) or (x, y, z), m: must be a vertex of the mesh (within 10⁻⁸ of the
            mesh size).
        value: K, > 0 (a number, or a function of t).
        region: only the copy of the vertex in this region (a point on an interface has
            one copy per side); default: every copy.
        name: label in tables (default ``point:<x,y,z>``).
    """

    point: Sequence[float]
    value: float | Callable
    region: str | int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        try:
            pt = tuple(float(v) for v in self.point)
        except (TypeError, ValueError):
            raise InputError(
                f"fixed point temperature: point must be 2 or 3 numbers (m), got {self.point!r}"
            ) from None
        if len(pt) not in (2, 3) or not all(math.isfinite(v) for v in pt):
            raise InputError(
                f"fixed point temperature: point must be 2 or 3 finite numbers (m), got {self.point!r}"
            )
        object.__setattr__(self, "point", pt + (0.0,) * (3 - len(pt)))
        v = checked_value(self.value, "value", "K", f"fixed temperature at {list(pt)}", "pos")
        object.__setattr__(self, "value", v)

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name or "point:" + ",".join(f"{v:g}" for v in self.point)
