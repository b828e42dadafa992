"""P(x) and g(x) of surface contacts (non-matching meshes) for the heat problem.

A coupled run (:class:`~fe_interface.problems.thermomechanical.ThermoMechanicalProblem`) gives
each :class:`~fe_interface.discretisation.surface_contact.SurfaceContact` with a thermal law
an :class:`~fe_interface.model.pairs.InterfacePair` on the same two surfaces, one-sided
on surface A (the contact's slave side), whose conductance is the contact law

    h(x) = h(P(x), g(x), T⁺(x), T⁻(π(x)))       (W/(m² K))

at the pair's quadrature points x on A: P and g interpolate the mortar contact's nodal
pressures and gaps on A (P1 fields, :class:`SurfaceContactFields`), T⁺ and T⁻ are the
pair's own side temperatures (A at x, B at the projection π(x)).  Where a point of A
touches a node that the mechanical search did not couple (farther from B than the
search distance) the gap is the undeformed distance |π(x) − x| of the thermal search
(the gap field holds the search distance there, a lower bound, for outputs and means).

The summary's area means of h and the output field ``contact_conductance`` of a
surface contact evaluate the law at points of A with T⁻ = T⁺ there (B's temperature is
not at hand on A's cells); the heat flow, the jump and the solve use the pair's T⁻∘π.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from dolfinx import fem

from fe_interface.discretisation.contact_fields import ContactFields, PointLocator, evaluate
from fe_interface.discretisation.mortar_contact import MortarContact
from fe_interface.discretisation.space import BrokenSpace
from fe_interface.errors import InputError

__all__ = ["SurfaceConductance", "SurfaceContactFields", "SurfaceProbe", "contact_fields"]


class SurfaceContactFields(ContactFields):
    """:class:`ContactFields` that also hold the slave-side values of mortar contacts.

    A mortar contact's node i (owned here) gets its value on A's copy only (B's copies
    keep 0, as nodes away from contacts); its gap field on A's nodes that the search did
    not couple is the search distance (a lower bound).
    """

    def nodal_values(self, values: Sequence[np.ndarray], out: fem.Function) -> None:
        """Write per-contact nodal values (see :meth:`ContactFields.nodal_values`).

        Node-to-node contacts are area-averaged over their copies; a mortar contact's
        values go to A's copies of its nodes.
        """
        items = list(zip(self.contacts, values, strict=True))
        self.area_average([(c, v) for c, v in items if not isinstance(c, MortarContact)], out)
        for c, v in items:
            if isinstance(c, MortarContact):
                out.x.array[c.nodes] = v
        out.x.scatter_forward()

    def update(self) -> None:
        """Copy the contacts' current P and g into the fields (collective)."""
        super().update()
        for c in self.contacts:  # A's nodes beyond the search distance: at least that far
            if isinstance(c, MortarContact):
                self.gap.x.array[c.uncovered_nodes] = c.contact.distance
        self.gap.x.scatter_forward()


def contact_fields(broken: BrokenSpace, contacts: Sequence[Any]) -> ContactFields | None:
    """The contact fields of a problem's contacts (None without contacts)."""
    if not contacts:
        return None
    if any(isinstance(c, MortarContact) for c in contacts):
        return SurfaceContactFields(broken, contacts)
    return ContactFields(broken, contacts)


class SurfaceProbe(PointLocator):
    """Locates points of a surface contact's surface A in A's cells (this process).

    ``locate`` returns the cell for both sides (the ⁻ side's temperature is then taken
    at the same point; see the module docstring); :meth:`locate_cached` searches a point
    set once (:class:`~fe_interface.discretisation.contact_fields.PointLocator`).
    """

    def __init__(self, mesh: Any, cells: np.ndarray, label: str) -> None:
        self.label = label
        super().__init__(mesh, cells)

    def locate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A cell of surface A containing each point x (n, 3), m (twice: both sides)."""
        coll = self.colliding(x)
        counts = np.diff(coll.offsets)
        cells = np.full(x.shape[0], -1, dtype=np.int32)
        cells[counts > 0] = coll.array[coll.offsets[:-1][counts > 0]]
        if np.any(cells < 0):
            i = int(np.flatnonzero(cells < 0)[0])
            raise InputError(
                f"contact {self.label!r}: point {x[i].tolist()} is not on surface A (fields)"
            )
        return cells, cells


class SurfaceConductance:
    """The contact law of a surface contact as a law of its thermal pair.

    ``pair_conductance(x, y, T⁺, T⁻)`` (W/(m² K)) at points x (n, gdim) of A with
    images y on B; also the attributes ``law``, ``fields``, ``probe``, ``guess`` of
    :class:`~fe_interface.problems.thermomechanical.ContactConductanceMap` (the summary's means).

    Args:
        law: the contact's :class:`~fe_interface.model.laws.local_contact.LocalContactLaw`.
        fields: the contact fields (P, g).
        probe: the :class:`SurfaceProbe` of surface A.
        guess: uniform temperature (K) of the summary means before a thermal solve.
    """

    def __init__(self, law: Any, fields: ContactFields, probe: SurfaceProbe, guess: float):
        self.law, self.fields, self.probe, self.guess = law, fields, probe, guess

    @property
    def temperature_dependent(self) -> bool:
        """True when the law depends on the temperatures (gas, radiation)."""
        return bool(self.law.temperature_dependent)

    def pressure_gap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P (Pa) and g (m) at points x (n, gdim) of A; y: their images on B."""
        pts = np.zeros((len(x), 3))
        pts[:, : x.shape[1]] = x
        cells, _ = self.probe.locate_cached(pts)
        P = np.maximum(evaluate(self.fields.pressure, pts, cells), 0.0)
        g = evaluate(self.fields.gap, pts, cells)
        # a point next to a node of A the contact search did not couple: the distance
        far = evaluate(self.fields.on_interface, pts, cells) < 1.0 - 1e-9
        g[far] = np.linalg.norm(y - x, axis=1)[far]
        return P, np.maximum(g, 0.0)

    def pair_conductance(
        self, x: np.ndarray, y: np.ndarray, T_plus: np.ndarray, T_minus: np.ndarray
    ) -> np.ndarray:
        """H (W/(m² K)) at the points (see the class docstring)."""
        P, g = self.pressure_gap(x, y)
        return np.asarray(self.law.conductance(P, g, T_plus, T_minus), dtype=float)
