"""Frictionless unilateral contact on an interface facet group (conforming meshes).

The two sides of a contact interface have their own displacement copies (the broken
vector space, :mod:`fe_interface.discretisation.space`).  With n the unit normal of the
⁺ side (pointing from ⁺ into ⁻), the gap and the contact pressure (Pa, positive in
compression) obey the Signorini conditions

    g = g₀ + (u⁻ − u⁺)·n ≥ 0,   P ≥ 0,   P g = 0,

g₀ (m) the initial gap: a clearance, or the profile of curved bodies modelled on a flat
conforming mesh (Hertz: g₀ = r²/(2R)), as in the small-slope theory of contact.

Discretisation (:class:`~fe_interface.discretisation.nodal_contact.NodalContact`): node-to-node on
the conforming interface, each node i with its lumped area A_i = ∫ φ_i w dA, its normal
n_i (the area-weighted mean of the facet normals) and a multiplier λ_i; the pressure is
the augmented-Lagrangian (Alart–Curnier) function

    P_i = max(λ_i − ε_i g_i, 0),   ε_i = γ₀ E* / h_i   (Pa/m),

E* the contact modulus of the two materials and h_i the local facet size.
``method="penalty"`` keeps λ = 0 (P = ε⟨−g⟩₊: the penetration is P/ε);
``method="augmented"`` updates λ ← P after each Newton solve (Uzawa) until the
multipliers stop changing: the discrete Signorini conditions then hold exactly at the
nodes (no penetration), whatever γ₀.

Between separately meshed bodies (non-matching surfaces) a :class:`SurfaceContact` names
the two outer facet groups, A (slave: the finer mesh, carrying the nodal pressures) and
B (master); the gap is measured between the meshes (no initial gap is given) and the
same pressure function applies at the nodes of A.  Its discretisation (segment-to-segment
mortar on the pair search): :mod:`~fe_interface.discretisation.surface_contact`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fe_interface.errors import InputError, user_function
from fe_interface.model.laws.local_contact import LocalContactLaw
from fe_interface.model.validation import check_choice, check_nonnegative, check_positive

__all__ = ["METHODS", "Contact", "SurfaceContact", "gap_values"]

METHODS = ("augmented", "penalty")


@dataclass(frozen=True)
class Contact:
    """Frictionless unilateral contact on an interface facet group.

    Attributes:
        facets: facet group (physical name or tag) between two regions.
        plus: region (name or tag) on the ⁺ side (its outward normal is n); default:
            the region with the lower cell tag.
        initial_gap: g₀ ≥ 0 in m: a number, or a function of the coordinates
            ``x -> g0`` with x a NumPy array of shape (3, n).
        penalty: γ₀ > 0 (dimensionless): ε = γ₀ E*/h.  Larger is closer to the exact
            contact for ``method="penalty"``, and converges in fewer augmentations,
            but conditions the matrix worse.
        method: "augmented" (exact contact, default) or "penalty".
        thermal: the local conductance law h(P, g, T⁺, T⁻) of coupled runs, or None.
        name: label in tables; default: the facet group.
    """

    facets: str | int
    plus: str | int | None = None
    initial_gap: float | Callable = 0.0
    penalty: float = 20.0
    method: str = "augmented"
    thermal: LocalContactLaw | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        owner = f"contact {self.label!r}"
        if not callable(self.initial_gap):
            g0 = check_nonnegative(self.initial_gap, "initial_gap", "m", owner)
            object.__setattr__(self, "initial_gap", g0)
        object.__setattr__(self, "penalty", check_positive(self.penalty, "penalty", "", owner))
        if self.method not in METHODS:
            raise InputError(f"{owner}: method must be one of {list(METHODS)}, got {self.method!r}")
        if self.thermal is not None and not isinstance(self.thermal, LocalContactLaw):
            raise InputError(f"{owner}: thermal must be a LocalContactLaw, got {self.thermal!r}")

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.name if self.name is not None else str(self.facets)


def gap_values(spec: Contact, x: Any) -> Any:
    """g₀ (m) at points x (NumPy, shape (3, n)), checked finite and ≥ 0.

    Raises:
        InputError: naming the contact and the first bad point.
    """
    n = x.shape[1]
    if not callable(spec.initial_gap):
        return np.full(n, float(spec.initial_gap))
    with user_function(f"contact {spec.label!r}: initial_gap(x)"):
        g = np.asarray(spec.initial_gap(x), dtype=float)
    g = np.broadcast_to(g, (n,)).copy()
    # node coordinates carry round-off (1e-19 m at x = 0): a function like x²/2R or a
    # linear wedge may then be a round-off below zero there
    tiny = 1e-12 * max(float(np.max(np.abs(g), initial=0.0)), 1e-300)
    g[(g < 0) & (g > -tiny)] = 0.0
    bad = ~np.isfinite(g) | (g < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"contact {spec.label!r}: initial_gap = {float(g[i])!r} m at x = "
            f"{x[:, i].tolist()} (must be finite and >= 0)"
        )
    return g


@dataclass(frozen=True)
class SurfaceContact:
    """Frictionless contact between two outer facet groups of separate bodies.

    Attributes:
        surfaces: (A, B) facet groups (names or tags): A the slave side (finer mesh,
            integrates, carries the nodal pressures), B the master side.
        name: label in tables (default ``"A:B"``).
        penalty: γ₀ > 0: ε = γ₀ E*/h (see :class:`~fe_interface.model.contacts.Contact`).
        method: "augmented" (exact contact, default) or "penalty".
        search_distance: largest gap (m) at which a point of A is coupled to B; default
            half the largest facet diameter of the two surfaces.
        thermal: the local conductance law h(P, g, T⁺, T⁻) of coupled runs
            (:mod:`~fe_interface.discretisation.surface_coupling`), or None.
    """

    surfaces: tuple[str | int, str | int]
    name: str | None = None
    penalty: float = 20.0
    method: str = "augmented"
    search_distance: float | None = None
    thermal: LocalContactLaw | None = None

    def __post_init__(self) -> None:
        s = self.surfaces
        owner = f"contact {self.label!r}"
        if (
            isinstance(s, (str, int))
            or len(s) != 2
            or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in s)
        ):
            raise InputError(
                f"{owner}: surfaces must be two facet groups (names or tags), got {s!r}"
            )
        if s[0] == s[1]:
            raise InputError(f"{owner}: the two surfaces are the same facet group {s[0]!r}")
        object.__setattr__(self, "surfaces", (s[0], s[1]))
        object.__setattr__(self, "penalty", check_positive(self.penalty, "penalty", "", owner))
        check_choice(self.method, "method", METHODS, owner)
        if self.thermal is not None and not isinstance(self.thermal, LocalContactLaw):
            raise InputError(f"{owner}: thermal must be a LocalContactLaw, got {self.thermal!r}")
        d = self.search_distance
        if d is not None:
            object.__setattr__(
                self, "search_distance", check_positive(d, "search_distance", "m", owner)
            )

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        if self.name is not None:
            return self.name
        return f"{self.surfaces[0]}:{self.surfaces[1]}"

    @property
    def projection(self) -> str:
        """Points of A are projected along A's normal (the pair search's "normal")."""
        return "normal"
