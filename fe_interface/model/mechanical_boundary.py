"""Mechanical boundary conditions and loads (SI units).

* :class:`Displacement` — prescribed displacement components (m) on a facet group;
  components given as None are free.
* :class:`Traction` — a surface traction vector t (Pa) on a facet group.
* :class:`Pressure` — a normal pressure p (Pa) on a facet group, t = −p n (positive
  pushes on the surface).
* :class:`Symmetry` — u·n = 0 on a facet group that lies in a plane normal to a
  coordinate axis (a symmetry plane, or a roller support).
* :class:`BodyForce` — a force per volume b (N/m³) in a region (gravity: ρ g).
* :class:`RigidRegion` — every node of a region moves by the same displacement (m): a
  rigid punch, indenter or clamp jaw instead of a stiff stand-in material; its contacts
  and bonded neighbours carry the load, and the solve reports the force (N) that holds
  it (:mod:`~fe_interface.postprocessing.rigid`).

Outer facets without a condition are traction-free.  In axisymmetric models
(x[0] = r, x[1] = z) vectors are (r, z) components and u_r = 0 on the axis is imposed
automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fe_interface.errors import InputError
from fe_interface.model.validation import check_real

__all__ = [
    "BodyForce",
    "Displacement",
    "MechanicalBoundary",
    "Pressure",
    "RigidRegion",
    "Symmetry",
    "Traction",
]


def _vector(value: Any, name: str, unit: str, owner: str, free: bool = False) -> tuple:
    """A tuple of finite numbers (``free``: None allowed for a free component)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InputError(
            f"{owner}: {name} ({unit}) must be a list of 2 or 3 numbers, got {value!r}"
        )
    if len(value) not in (2, 3):
        raise InputError(
            f"{owner}: {name} ({unit}) must have 2 or 3 components (one per coordinate), "
            f"got {len(value)}"
        )
    out: list[float | None] = []
    for i, v in enumerate(value):
        if v is None and free:
            out.append(None)
        else:
            out.append(check_real(v, f"{name}[{i}]", unit, owner))
    if free and all(v is None for v in out):
        raise InputError(f"{owner}: {name}: every component is free (None); give at least one")
    return tuple(out)


@dataclass(frozen=True)
class Displacement:
    """Prescribed displacement on ``facets``.

    Attributes:
        facets: facet group (physical name or tag) on the outer boundary.
        value: one entry per coordinate, m; None leaves that component free.
            ``(0, 0, 0)`` clamps the facets.  Or a function ``x -> u`` of the
            coordinates (NumPy, x of shape (3, n)) returning all components, shape
            (gdim, n), m (e.g. a rigid motion).
    """

    facets: str | int
    value: Sequence[float | None] | Callable

    def __post_init__(self) -> None:
        if callable(self.value):
            return
        owner = f"displacement on {self.facets!r}"
        object.__setattr__(self, "value", _vector(self.value, "value", "m", owner, free=True))


@dataclass(frozen=True)
class Traction:
    """Surface traction t (Pa) applied on ``facets``.

    Attributes:
        facets: facet group on the outer boundary.
        value: traction vector (one entry per coordinate), Pa, or a function
            ``x -> UFL vector`` of the spatial coordinate (m).
    """

    facets: str | int
    value: Sequence[float] | Callable

    def __post_init__(self) -> None:
        if not callable(self.value):
            owner = f"traction on {self.facets!r}"
            object.__setattr__(self, "value", _vector(self.value, "value", "Pa", owner))


@dataclass(frozen=True)
class Pressure:
    """Normal pressure p (Pa) on ``facets``: traction t = −p n (p > 0 pushes)."""

    facets: str | int
    value: float | Callable

    def __post_init__(self) -> None:
        if not callable(self.value):
            owner = f"pressure on {self.facets!r}"
            object.__setattr__(self, "value", check_real(self.value, "value", "Pa", owner))


@dataclass(frozen=True)
class Symmetry:
    """u·n = 0 on ``facets`` (a plane normal to a coordinate axis: x, y or z = const)."""

    facets: str | int


@dataclass(frozen=True)
class BodyForce:
    """Force per unit volume b (N/m³) in ``region`` (e.g. ρ g for gravity)."""

    region: str | int
    value: Sequence[float]

    def __post_init__(self) -> None:
        owner = f"body force in {self.region!r}"
        object.__setattr__(self, "value", _vector(self.value, "value", "N/m^3", owner))


MechanicalBoundary = Displacement | Traction | Pressure | Symmetry


def check_dimension(item: Any, gdim: int) -> None:
    """A vector value of ``item`` has ``gdim`` components.

    Raises:
        InputError: naming the item.
    """
    value = getattr(item, "value", None)
    if isinstance(value, tuple) and len(value) != gdim:
        where = getattr(item, "facets", getattr(item, "region", "?"))
        raise InputError(
            f"{type(item).__name__} on {where!r}: {len(value)} components for a {gdim}D mesh"
        )


@dataclass(frozen=True)
class RigidRegion:
    """Every node of ``region`` moves by ``displacement`` (m): a rigid translation.

    Attributes:
        region: cell group (physical name or tag).
        displacement: one component per coordinate, m.
        name: label in tables (default: the region).
    """

    region: str | int
    displacement: Sequence[float]
    name: str | None = None

    def __post_init__(self) -> None:
        owner = f"rigid region {self.region!r}"
        d = self.displacement
        if isinstance(d, (str, bytes)) or not isinstance(d, Sequence) or len(d) not in (2, 3):
            raise InputError(f"{owner}: displacement (m) must be 2 or 3 numbers, got {d!r}")
        vals = tuple(check_real(v, f"displacement[{i}]", "m", owner) for i, v in enumerate(d))
        object.__setattr__(self, "displacement", vals)

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name or str(self.region)
