"""Conduction across an unmeshed gap between the two surfaces of a non-matching pair.

A gap filled with a conductor of conductivity k (W/(m K); a gas, a grease, a vacuum
with k = 0) between a point x of one surface and its image y on the other
(:class:`~fe_interface.model.pairs.InterfacePair`): the local gap is part of the pair's
geometry, no gap function is given.

Geometries (h in W/(m² K) at the integration point x, r its distance from the axis or
centre, r₁ < r₂ the distances of x and y):

* ``"planar"``: h = k / (δ + M), δ = |y − x| the local gap (m) and M the
  ``jump_distance`` (m; the temperature-jump distances of a rarefied gas).  Exact for
  parallel plates; on curved gaps it is the planar approximation: between coaxial
  cylinders of radii 1 and 2 it gives −31 % (inner surface) and +39 % (outer surface) of
  the exact heat flow, between concentric spheres −50 % and +100 %;
* ``"cylinder"``: h = k / (r ln(r₂/r₁) + M), the conducting shell between coaxial
  cylinders (axis through ``center`` along ``axis``): exact on both surfaces, the same
  heat crosses each (MOOSE's cylindrical gap geometry);
* ``"sphere"``: h = k / (r² (1/r₁ − 1/r₂) + M), concentric spheres about ``center``.

In 2D planar models a cylinder axis is perpendicular to the plane (the default
``axis = (0, 0, 1)``); in axisymmetric (r, z) models give ``axis = (0, 1, 0)`` (the
z axis) for a cylinder, and the centre on the axis for a sphere.  ``conductivity`` may
be a function of the gap's mean temperature (T⁺ + T⁻)/2 (K), e.g.
``GasProperties.conductivity``: the law is then temperature dependent (Newton).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import LawDeclaration, LawParameter, check_declared

__all__ = ["GAP_GEOMETRIES", "GapConduction"]

#: geometry -> what it assumes
GAP_GEOMETRIES = {
    "planar": "parallel surfaces: h = k / (gap + M)",
    "cylinder": "coaxial cylinders: h = k / (r ln(r2/r1) + M)",
    "sphere": "concentric spheres: h = k / (r^2 (1/r1 - 1/r2) + M)",
}


def _vector(v: Any, n: int, what: str) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError(f"GapConduction: {what} must be {n} numbers, got {v!r}") from None
    if a.size not in (2, 3) or not np.all(np.isfinite(a)):
        raise InputError(f"GapConduction: {what} must be 2 or 3 finite numbers (m), got {v!r}")
    return np.pad(a, (0, 3 - a.size))


@dataclass(frozen=True)
class GapConduction:
    """Conduction through the material filling an unmeshed gap (see the module docstring).

    Attributes:
        conductivity: k ≥ 0, W/(m K), or a function k(T) of the mean temperature (K).
        geometry: "planar", "cylinder" or "sphere".
        center: a point of the cylinder axis, or the sphere centre, m.
        axis: direction of the cylinder axis (normalised here).
        jump_distance: M ≥ 0, m, added to the gap's resistance length.
    """

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "gap_conduction",
        (
            LawParameter("conductivity", "nonneg", True, "W/(m K)", "of the gas in the gap"),
            LawParameter("geometry", "str", choices=("planar", "cylinder", "sphere")),
            LawParameter("center", "point"),
            LawParameter("axis", "point"),
            LawParameter("jump_distance", "nonneg", unit="m"),
        ),
        "interface pairs only (below): conduction across an unmeshed gap, k/gap (planar), "
        "curvature-corrected for cylinder and sphere gaps",
    )

    conductivity: float | Callable[[Any], Any]
    geometry: str = "planar"
    center: tuple[float, ...] = (0.0, 0.0, 0.0)
    axis: tuple[float, ...] = (0.0, 0.0, 1.0)
    jump_distance: float = 0.0
    supports_ufl: ClassVar[bool] = False

    def __post_init__(self) -> None:
        numbers = (
            ("jump_distance",) if callable(self.conductivity) else ("conductivity", "jump_distance")
        )
        check_declared(self, ("geometry", *numbers), "GapConduction")
        c = _vector(self.center, 3, "center")
        a = _vector(self.axis, 3, "axis")
        if np.linalg.norm(a) == 0:
            raise InputError("GapConduction: axis must not be zero")
        object.__setattr__(self, "center", tuple(float(v) for v in c))
        object.__setattr__(self, "axis", tuple(float(v) for v in a / np.linalg.norm(a)))

    @property
    def temperature_dependent(self) -> bool:
        """True when the conductivity is a function of temperature."""
        return callable(self.conductivity)

    @property
    def kind(self) -> str:
        """Kind "temperature" with k(T) (Newton), else "position" (h = k/L(x) follows the gap)."""
        return "temperature" if callable(self.conductivity) else "position"

    def _k(self, T_plus: Any, T_minus: Any) -> Any:
        if callable(self.conductivity):
            Tm = 0.5 * (np.asarray(T_plus, float) + np.asarray(T_minus, float))
            return np.asarray(self.conductivity(Tm), dtype=float)
        return float(self.conductivity)

    def _radius(self, p: np.ndarray) -> np.ndarray:
        q = np.zeros((len(p), 3))
        q[:, : p.shape[1]] = p
        d = q - np.asarray(self.center)
        if self.geometry == "cylinder":
            d = d - np.outer(d @ np.asarray(self.axis), self.axis)
        return np.linalg.norm(d, axis=1)

    def resistance_length(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The length L (m) with h = k / L at points x (n, gdim) whose images are y."""
        M = self.jump_distance
        if self.geometry == "planar":
            return np.linalg.norm(y - x, axis=1) + M
        r, ry = self._radius(x), self._radius(y)
        r1, r2 = np.minimum(r, ry), np.maximum(r, ry)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.geometry == "cylinder":
                L = r * np.log(r2 / r1)
            else:
                L = r * r * (1.0 / r1 - 1.0 / r2)
        return np.where(r2 > r1, L, 0.0) + M

    def pair_conductance(
        self, x: np.ndarray, y: np.ndarray, T_plus: Any, T_minus: Any
    ) -> np.ndarray:
        """The conductance (W/(m² K)) at x (n, gdim) with images y; inf where the gap closes."""
        L = self.resistance_length(x, y)
        k = self._k(T_plus, T_minus)
        with np.errstate(divide="ignore"):
            return np.broadcast_to(np.where(L > 0, k / np.where(L > 0, L, 1.0), np.inf), L.shape)
