"""Internal interfaces and the conductance laws that act on them.

On an interface Γ between regions ⁺ and ⁻ the temperature may jump and the normal
heat flux (from ⁺ to ⁻) is

    q = h (T⁺ − T⁻)    [W/m²],   h in W/(m² K),  R = 1/h in m² K/W.

A *law* is any object with

* ``temperature_dependent: bool`` and
* ``conductance(T_plus, T_minus) -> h`` in W/(m² K), which accepts numbers, NumPy arrays
  and, for temperature-dependent laws, UFL expressions (the solver differentiates
  them for Newton's method).

:class:`Conductance` (constant or a function of position), :class:`Resistance` and
:class:`PerfectContact` are the basic laws; the physical laws (contact, gas gap,
radiation, Kapitza) live in :mod:`fe_interface.laws` and follow the same protocol.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from fe_interface.materials import InputError

__all__ = [
    "InterfaceLaw",
    "Conductance",
    "FacetConductance",
    "Resistance",
    "PerfectContact",
    "Interface",
]


@runtime_checkable
class InterfaceLaw(Protocol):
    """Protocol of an interface conductance law (h in W/(m² K), T in K).

    ``conductance(T_plus, T_minus)`` returns h such that q = h (T⁺ − T⁻) W/m². Laws with
    ``supports_ufl = True`` (assumed when absent) accept UFL expressions, which the
    solver needs for temperature-dependent laws (Newton's Jacobian).
    """

    temperature_dependent: bool

    def conductance(self, T_plus: Any, T_minus: Any) -> Any: ...


@dataclass(frozen=True)
class Conductance:
    """Interface conductance h, W/(m² K).

    Attributes:
        h: a number ≥ 0, or a function ``x -> UFL expression`` of the position ``x``
            (m) for spatially varying conductance (rough-contact maps).
    """

    h: float | Callable
    temperature_dependent = False

    def __post_init__(self) -> None:
        if not callable(self.h):
            if not isinstance(self.h, (int, float)) or not math.isfinite(self.h) or self.h < 0:
                raise InputError(
                    f"conductance h must be a finite number >= 0 W/(m^2 K), got {self.h!r}"
                )

    @property
    def position_dependent(self) -> bool:
        """True when h is a function of position."""
        return callable(self.h)

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> float:
        """h in W/(m² K) (constant laws only; position-dependent laws use :meth:`at`)."""
        if callable(self.h):
            raise TypeError("position-dependent conductance: evaluate with .at(x)")
        return float(self.h)

    def at(self, x: Any) -> Any:
        """h at position x (UFL spatial coordinate or NumPy array of shape (gdim, n))."""
        return self.h(x) if callable(self.h) else self.h


@dataclass(frozen=True)
class FacetConductance:
    """Interface conductance given facet by facet: a map h(x), W/(m² K), constant on each
    facet, from a NumPy function evaluated once at the facet midpoints.

    Use it for measured or generated conductance maps (e.g. the local gas-gap conductance
    from a rough surface's gap field, :func:`fe_interface.rough_mesh.rough_contact_3d`):
    it costs the same as a constant conductance (it shares the one DG0 field on the
    interface facets), where :class:`Conductance` with a UFL function is integrated at
    quadrature points.

    Attributes:
        h: function ``x -> h`` with ``x`` of shape (3, n) (facet midpoints, m) returning
            n values ≥ 0 (W/(m² K)).
    """

    h: Callable[[Any], Any]
    temperature_dependent = False

    def __post_init__(self) -> None:
        if not callable(self.h):
            raise InputError(
                f"FacetConductance needs a function x -> h(x) (W/(m^2 K)), got {self.h!r}; "
                "use Conductance(h) for a constant"
            )

    def at(self, x: Any) -> Any:
        """h (W/(m² K)) at midpoints ``x`` (NumPy, shape (3, n)), checked finite and ≥ 0."""
        import numpy as np

        x = np.asarray(x, dtype=float)
        h = np.asarray(self.h(x), dtype=float)
        if h.shape != (x.shape[1],):
            h = np.broadcast_to(h, (x.shape[1],)).copy()
        bad = ~np.isfinite(h) | (h < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"FacetConductance: h = {float(h[i])!r} W/(m^2 K) at x = {x[:, i].tolist()} "
                "(must be finite and >= 0)"
            )
        return h


def Resistance(R: float) -> Conductance:
    """Interface resistance R in m² K/W (> 0), as the conductance 1/R."""
    if not isinstance(R, (int, float)) or not math.isfinite(R) or R <= 0:
        raise InputError(f"resistance R must be a positive finite number (m^2 K/W), got {R!r}")
    return Conductance(1.0 / R)


@dataclass(frozen=True)
class PerfectContact:
    """Continuous temperature across the interface (no resistance)."""

    temperature_dependent = False


@dataclass(frozen=True)
class Interface:
    """A law applied on a facet group that separates two regions.

    Attributes:
        facets: facet group (physical name or tag).
        law: :class:`Conductance`, :class:`PerfectContact` or any :class:`InterfaceLaw`.
        plus: region (name or tag) on the ⁺ side; the jump is reported as
            T⁺ − T⁻ and the heat flow as positive from ⁺ to ⁻. Default: the region
            with the lower cell tag.
        name: label for tables; default: the facet group name.
    """

    facets: str | int
    law: Any
    plus: str | int | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        law = self.law
        if isinstance(law, (int, float)):
            raise InputError(
                f"interface {self.facets!r}: give the law as Conductance({law}) or Resistance({law})"
            )
        known = (Conductance, FacetConductance, PerfectContact)
        if not isinstance(law, known) and not isinstance(law, InterfaceLaw):
            raise InputError(
                f"interface {self.facets!r}: {law!r} is not an interface law "
                "(needs .conductance(T_plus, T_minus) and .temperature_dependent)"
            )

    @property
    def label(self) -> str:
        return self.name if self.name is not None else str(self.facets)
