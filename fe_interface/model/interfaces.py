"""Internal interfaces and the conductance laws that act on them.

On an interface Γ between regions ⁺ and ⁻ the temperature may jump and the normal
heat flux (from ⁺ to ⁻) is

    q = h (T⁺ − T⁻)    [W/m²],   h in W/(m² K),  R = 1/h in m² K/W.

A *law* is any object with

* ``temperature_dependent: bool`` and
* ``conductance(T_plus, T_minus) -> h`` in W/(m² K), which accepts numbers, NumPy arrays
  and, for temperature-dependent laws, UFL expressions (the solver differentiates
  them for Newton's method).

:class:`Conductance` (constant or a function of position), :class:`FacetConductance`,
:class:`Resistance` and :class:`PerfectContact` are the basic laws; the physical laws
(contact, gas gap, radiation, Kapitza) live in :mod:`fe_interface.model.laws` and follow
the same protocol.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, cast, get_args, runtime_checkable

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import (
    LawDeclaration,
    LawParameter,
    check_declared,
    check_nonnegative,
    is_real,
)

__all__ = [
    "T_REF",
    "Conductance",
    "FacetConductance",
    "Interface",
    "InterfaceLaw",
    "LawKind",
    "PerfectContact",
    "Resistance",
    "constant_conductance",
    "constant_like",
    "law_kind",
]

LawKind = Literal["perfect", "constant", "facet", "position", "temperature"]


@runtime_checkable
class InterfaceLaw(Protocol):
    """Protocol of an interface conductance law (h in W/(m² K), T in K).

    ``conductance(T_plus, T_minus)`` returns h such that q = h (T⁺ − T⁻) W/m². Laws with
    ``supports_ufl = True`` (assumed when absent) accept UFL expressions, which the
    solver needs for temperature-dependent laws (Newton's Jacobian).
    """

    temperature_dependent: bool

    def conductance(self, T_plus: Any, T_minus: Any) -> Any:
        """Conductance h (W/(m² K)) at the temperatures T⁺, T⁻ (K)."""
        ...


def constant_like(value: float, T_plus: Any, T_minus: Any) -> Any:
    """The number ``value`` broadcast to the shape of NumPy temperature inputs.

    A float for numbers and for symbolic UFL inputs.
    """
    numeric = (int, float, np.ndarray, np.generic, list, tuple)
    if isinstance(T_plus, numeric) and isinstance(T_minus, numeric):
        shape = np.broadcast(np.asarray(T_plus), np.asarray(T_minus)).shape
        return float(value) if shape == () else np.full(shape, float(value))
    return float(value)


@dataclass(frozen=True)
class Conductance:
    """Interface conductance h, W/(m² K).

    Attributes:
        h: a number ≥ 0, or a function ``x -> h`` of the position ``x`` (m) for spatially
            varying conductance (rough-contact maps).  The function receives NumPy
            coordinates (shape (3, n)) where possible and the UFL spatial coordinate
            otherwise, so write it with arithmetic (``x[0] * 1e4``) or ``ufl`` functions.
    """

    h: float | Callable
    temperature_dependent: ClassVar[bool] = False
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not callable(self.h):
            object.__setattr__(self, "h", check_nonnegative(self.h, "conductance h", "W/(m^2 K)"))

    @property
    def position_dependent(self) -> bool:
        """True when h is a function of position."""
        return callable(self.h)

    @property
    def kind(self) -> str:
        """The kind of this law: "position" for h(x), else "constant" (:func:`law_kind`)."""
        return "position" if callable(self.h) else "constant"

    @property
    def resistance(self) -> float:
        """1/h, m² K/W (inf for h = 0; constant laws only)."""
        h = self.conductance()
        return math.inf if h == 0.0 else 1.0 / h

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """Conductance h in W/(m² K), broadcast to NumPy temperatures.

        Constant laws only; position-dependent laws use :meth:`at`.
        """
        if callable(self.h):
            raise InputError("position-dependent conductance: evaluate it with .at(x)")
        return constant_like(float(self.h), T_plus, T_minus)

    def at(self, x: Any) -> Any:
        """Conductance h (W/(m² K)) at position x (UFL spatial coordinate or NumPy (3, n))."""
        return self.h(x) if callable(self.h) else self.h


@dataclass(frozen=True)
class Resistance:
    """Interface resistance R in m² K/W (> 0): the conductance h = 1/R."""

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "resistance",
        (LawParameter("R", "pos", True, "m^2 K/W", label="resistance R"),),
        "R = 1/h",
    )

    R: float
    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "constant"
    supports_ufl: ClassVar[bool] = True

    def __post_init__(self) -> None:
        check_declared(self, ("R",))

    @property
    def h(self) -> float:
        """Conductance 1/R, W/(m² K)."""
        return 1.0 / self.R

    def conductance(self, T_plus: Any = None, T_minus: Any = None) -> Any:
        """1/R in W/(m² K), broadcast to NumPy temperatures."""
        return constant_like(self.h, T_plus, T_minus)


@dataclass(frozen=True)
class FacetConductance:
    """Interface conductance given facet by facet.

    A map h(x), W/(m² K), constant on each facet, from a NumPy function evaluated once at the
    facet midpoints.

    Use it for measured or generated conductance maps (e.g. the local gas-gap conductance
    from a rough surface's gap field, :func:`fe_interface.geometry.rough_contact_3d`):
    it costs the same as a constant conductance, where :class:`Conductance` with a
    function is evaluated at every quadrature point.

    Attributes:
        h: function ``x -> h`` with ``x`` of shape (3, n) (facet midpoints, m) returning
            n values ≥ 0 (W/(m² K)).
    """

    h: Callable[[Any], Any]
    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "facet"

    def __post_init__(self) -> None:
        if not callable(self.h):
            raise InputError(
                f"FacetConductance needs a function x -> h(x) (W/(m^2 K)), got {self.h!r}; "
                "use Conductance(h) for a constant"
            )

    def at(self, x: Any) -> np.ndarray:
        """Conductance h (W/(m² K)) at midpoints ``x`` (NumPy (3, n)), checked finite and ≥ 0."""
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


@dataclass(frozen=True)
class PerfectContact:
    """Continuous temperature across the interface (no resistance)."""

    case: ClassVar[LawDeclaration] = LawDeclaration(
        "perfect", (), "continuous temperature (no resistance)"
    )

    temperature_dependent: ClassVar[bool] = False
    kind: ClassVar[str] = "perfect"


def law_kind(law: Any) -> LawKind:
    """How the solver treats a law.

    "perfect" (no jump), "constant" (one h), "facet" (h per facet), "position" (h(x) at
    quadrature points) or "temperature" (h(T⁺, T⁻): Newton).
    The law's declared ``kind`` (the laws of this package declare it); a law of the
    protocol that does not declare one is "temperature" or "constant" by its
    ``temperature_dependent``.
    """
    declared = getattr(law, "kind", None)
    if declared in get_args(LawKind):
        return cast(LawKind, declared)
    return "temperature" if law.temperature_dependent else "constant"


#: the temperature (K) at which a constant law of the protocol without a number ``h`` is
#: evaluated (any temperature gives the same h)
T_REF = 293.15


def constant_conductance(law: Any) -> float:
    """H (W/(m² K)) of a law of kind "constant": its declared number ``h``.

    A law of the protocol without one (a combination of constant laws, a gas gap at a
    fixed gas temperature, a user's law) gives its conductance, the same at any
    temperature (at :data:`T_REF`).
    """
    h: Any = getattr(law, "h", None)
    return float(h) if is_real(h) else float(law.conductance(T_REF, T_REF))


@dataclass(frozen=True)
class Interface:
    """A law applied on a facet group that separates two regions.

    Attributes:
        facets: facet group (physical name or tag).
        law: :class:`Conductance`, :class:`Resistance`, :class:`PerfectContact`, ... or
            any :class:`InterfaceLaw`.
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
        known = (Conductance, FacetConductance, PerfectContact, Resistance)
        if not isinstance(law, known) and not isinstance(law, InterfaceLaw):
            raise InputError(
                f"interface {self.facets!r}: {law!r} is not an interface law "
                "(needs .conductance(T_plus, T_minus) and .temperature_dependent)"
            )

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name if self.name is not None else str(self.facets)
