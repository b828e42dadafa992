"""Heat sources: a power density (W/m³) or a total power (W) per region.

A total power P (W) is spread uniformly over the region: q = P / V with the region's
volume V computed by the code (the mesh's cells of that region):

* 3D: V in m³, P in W;
* 2D planar models are per metre of depth: without ``depth`` P is in W per metre of
  depth (V is the region's area, m²); with ``depth`` = d (m) P is the total power over
  that depth, q = P / (A d), and the energy balance -- like every total of a 2D model --
  reports W per metre of depth, i.e. P / d;
* axisymmetric (r–z) models: P is the total over the full revolution, V = 2π ∫ r dA
  (``depth`` is an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fe_interface.errors import InputError
from fe_interface.model.boundary import checked_value
from fe_interface.model.validation import check_positive

__all__ = ["HeatSource"]


@dataclass(frozen=True)
class HeatSource:
    """Heat source in one region: a power density or a total power (exactly one).

    Attributes:
        region: cell group (physical name or tag).
        value: W/m³; a number, a :class:`~fe_interface.model.time.TimeFunction`, or a
            function ``x -> UFL expression`` of the spatial coordinate ``x`` (m), e.g.
            for manufactured solutions.
        power: total power, W (a number or a TimeFunction), spread uniformly over the
            region (see the module docstring for 2D and axisymmetric models).
        depth: 2D planar models only: the depth (m) the total ``power`` is given for.
    """

    region: str | int
    value: float | Callable | None = None
    power: float | Callable | None = None
    depth: float | None = None

    def __post_init__(self) -> None:
        owner = f"heat source in {self.region!r}"
        if (self.value is None) == (self.power is None):
            raise InputError(f"{owner}: give exactly one of value (W/m^3) and power (W)")
        if self.value is not None:
            object.__setattr__(self, "value", checked_value(self.value, "value", "W/m^3", owner))
        else:
            if callable(self.power) and not hasattr(self.power, "set_time"):
                raise InputError(
                    f"{owner}: power (W) must be a number or a TimeFunction (a function of x "
                    "needs value = a power density in W/m^3)"
                )
            object.__setattr__(self, "power", checked_value(self.power, "power", "W", owner))
        if self.depth is not None:
            if self.power is None:
                raise InputError(f"{owner}: depth (m) goes with power (W), not with value")
            object.__setattr__(self, "depth", check_positive(self.depth, "depth", "m", owner))
