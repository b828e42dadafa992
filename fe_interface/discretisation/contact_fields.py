"""Contact fields on the mesh and their values at points of a contact interface.

The nodal contact pressure P_i (Pa) and gap g_i (m) of every contact are stored in
scalar functions on the broken P1 space of the mechanics (both copies of a node hold
the same value), so that P(x) = Σ φ_i(x) P_i and g(x) are ordinary finite-element fields:
written to ParaView with the displacement, and evaluated at any point of an interface
(the thermal problem's facet quadrature points) by :class:`InterfaceProbe`.
:class:`ContactConductanceMap` turns them into the conductance h(x) = h(P(x), g(x), T⁺,
T⁻) of a :class:`~fe_interface.model.laws.local_contact.LocalContactLaw`, a function of
position for the heat problem's :class:`~fe_interface.model.interfaces.Conductance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mpi4py import MPI

import dolfinx.geometry
import numpy as np
from dolfinx import fem, la

from fe_interface.discretisation.nodal_contact import NodalContact
from fe_interface.discretisation.space import BrokenSpace, broken_lagrange_space
from fe_interface.errors import InputError
from fe_interface.model.laws.local_contact import LocalContactLaw

__all__ = [
    "ContactConductanceMap",
    "ContactFields",
    "InterfaceProbe",
    "PointLocator",
    "evaluate",
    "global_max",
]

#: point sets a :class:`PointLocator` remembers (the newest; a coupled run meets a few)
CACHED_POINT_SETS = 8


class ContactFields:
    """P (Pa) and g (m) of all contacts as functions on the broken scalar P1 space.

    Args:
        broken: the broken vector space of the mechanics (degree 1).
        contacts: its nodal contact operators.
    """

    def __init__(self, broken: BrokenSpace, contacts: Sequence[NodalContact]) -> None:
        mesh = broken.mesh
        scalar = broken_lagrange_space(mesh, broken.cell_colour, broken.num_colours, 1)
        if not np.array_equal(scalar.space.dofmap.list, broken.space.dofmap.list):
            raise RuntimeError("the scalar and vector broken spaces number their nodes differently")
        self.space = scalar.space
        self.contacts = list(contacts)
        self.pressure = fem.Function(self.space, name="contact_pressure_Pa")
        self.gap = fem.Function(self.space, name="gap_m")
        self.on_interface = fem.Function(self.space, name="on_contact")

    def update(self) -> None:
        """Copy the contacts' current nodal P and g into the fields (collective)."""
        states = [c.current_state() for c in self.contacts]
        self.nodal_values([s.pressure_Pa for s in states], self.pressure)
        self.nodal_values([s.gap_m for s in states], self.gap)
        self.nodal_values([np.ones(c.nodes.size) for c in self.contacts], self.on_interface)

    def nodal_values(self, values: Sequence[np.ndarray], out: fem.Function) -> None:
        """Write per-contact nodal values into both copies of every node of ``out``.

        The values are aligned with each contact's ``nodes``; 0 elsewhere; collective
        (:meth:`area_average` of every contact).
        """
        self.area_average(list(zip(self.contacts, values, strict=True)), out)

    def area_average(self, items: Sequence[tuple[Any, np.ndarray]], out: fem.Function) -> None:
        """Write (contact, nodal values) ``items`` into both copies of their nodes of ``out``.

        0 at the other nodes; collective.  Every rank adds its facets' share of each node's
        area times the value; the owner divides by the summed shares (the values agree on
        all ranks, so this is the value), then the ghosts are updated.
        """
        imap = self.space.dofmap.index_map
        vec = la.vector(imap, bs=2, dtype=np.float64)
        acc = vec.array.reshape(-1, 2)
        acc[:] = 0.0
        for c, v in items:
            for nodes in (c.nodes, c.mnodes):
                np.add.at(acc[:, 0], nodes, c.share * v)
                np.add.at(acc[:, 1], nodes, c.share)
        vec.scatter_reverse(la.InsertMode.add)
        vec.scatter_forward()
        acc = vec.array.reshape(-1, 2)
        on = acc[:, 1] > 0
        out.x.array[:] = np.where(on, acc[:, 0] / np.where(on, acc[:, 1], 1.0), 0.0)


class PointLocator:
    """Finds the cells (of a set of cells of a mesh) that contain points; remembers them.

    A coupled iteration evaluates its fields at the same points again and again (the
    heat problem's quadrature points on an interface, at every update and every Newton
    step): :meth:`locate_cached` searches a point set once.  A point set is recognised by
    its values (compared exactly, not by a hash); the remembered cells are dropped when
    the nodes of the searched cells have moved (the search tree is built again then).

    Args:
        mesh: the mesh.
        cells: the local cells searched.
    """

    def __init__(self, mesh: Any, cells: np.ndarray) -> None:
        self.mesh = mesh
        self.cells = np.unique(cells).astype(np.int32)
        self._build()

    def _nodes(self) -> np.ndarray:
        g = self.mesh.geometry
        return g.x[g.dofmaps[0][self.cells]]

    def _build(self) -> None:
        nodes = self._nodes()
        # boxes padded by 1e-9 of the cells' extent: a point on a facet computed to
        # round-off lies ~1e-18 m outside its cell's box (2D surface contact, cells of
        # 70 µm: "not on surface A"); the cells themselves are tested with a tolerance
        size = float(np.ptp(nodes.reshape(-1, 3), axis=0).max()) if nodes.size else 0.0
        self.tree = dolfinx.geometry.bb_tree(
            self.mesh, self.mesh.topology.dim, entities=self.cells, padding=1e-9 * size
        )
        self._geometry = nodes.copy()
        self._found: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]] = []

    def locate_cached(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`locate`, remembered for point sets met before (see the class docstring)."""
        if not np.array_equal(self._nodes(), self._geometry):  # the mesh moved
            self._build()
        for pts, found in self._found:
            if pts.shape == x.shape and np.array_equal(pts, x):
                return found
        found = self.locate(x)
        self._found = [*self._found[1 - CACHED_POINT_SETS :], (np.array(x, copy=True), found)]
        return found

    def locate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells (of the ⁺ and the ⁻ side) containing the points x (n, 3), m."""
        raise NotImplementedError

    def colliding(self, x: np.ndarray) -> Any:
        """The cells whose geometry contains each point x (n, 3): a DOLFINx adjacency list."""
        cand = dolfinx.geometry.compute_collisions_points(self.tree, x)
        return dolfinx.geometry.compute_colliding_cells(self.mesh, cand, x)


class InterfaceProbe(PointLocator):
    """Finds, for points on a contact interface, a cell of each side (collective build).

    Args:
        mesh: the mesh.
        cell_region: region tag of every local cell.
        entities: the interface's owned facets (cell⁺, lf⁺, cell⁻, lf⁻).
        plus, minus: region tags of the two sides.
    """

    def __init__(
        self, mesh, cell_region: np.ndarray, entities: np.ndarray, plus: int, minus: int
    ) -> None:
        self.cell_region = cell_region
        self.plus, self.minus = plus, minus
        super().__init__(mesh, np.concatenate([entities[:, 0], entities[:, 2]]))

    def locate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cells of the ⁺ and ⁻ side containing the points x (n, 3), m.

        Raises:
            InputError: a point is not on the interface (on this rank's facets).
        """
        coll = self.colliding(x)
        n = x.shape[0]
        cp = np.full(n, -1, dtype=np.int32)
        cm = np.full(n, -1, dtype=np.int32)
        for i in range(n):
            links = coll.links(i)
            reg = self.cell_region[links]
            a, b = links[reg == self.plus], links[reg == self.minus]
            if a.size:
                cp[i] = a[0]
            if b.size:
                cm[i] = b[0]
        bad = np.flatnonzero((cp < 0) | (cm < 0))
        if bad.size:
            raise InputError(
                f"contact fields: point {x[bad[0]].tolist()} is not on the contact interface "
                f"({bad.size} of {n} points)"
            )
        return cp, cm


def evaluate(f: fem.Function, x: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Values of a scalar function at points x (n, 3) in the given cells."""
    if x.shape[0] == 0:
        return np.zeros(0)
    return np.asarray(f.eval(x, cells), dtype=float).reshape(-1)


def global_max(comm: MPI.Comm, a: np.ndarray) -> float:
    """Max |a| over all ranks (0 for empty arrays)."""
    return comm.allreduce(float(np.max(np.abs(a), initial=0.0)), op=MPI.MAX)


class ContactConductanceMap:
    """The conductance h(x) (W/(m² K)) of one contact for the heat problem.

    A function of NumPy points (shape (3, n), m) on the interface, given as
    ``Conductance(h=this)``; the heat problem evaluates it at its facet quadrature points
    when it is built and at every ``update(interfaces=...)`` (the points are located once).

    Args:
        law: the local contact law.
        fields: the contact fields (P, g) of the mechanics.
        probe: locates points on the interface.
        temperature: the previous temperature (K) for T⁺, T⁻, or None.
        guess: uniform temperature (K) used when ``temperature`` is None.
    """

    def __init__(
        self,
        law: LocalContactLaw,
        fields: ContactFields,
        probe: InterfaceProbe,
        temperature: fem.Function | None,
        guess: float,
    ) -> None:
        self.law, self.fields, self.probe = law, fields, probe
        self.temperature, self.guess = temperature, guess
        self._error: Exception | None = None

    def values(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """P (Pa), g (m), T⁺, T⁻ (K) and the law's breakdown (W/(m² K)).

        At points x (n, 3) of this rank's interface facets.
        """
        cp, cm = self.probe.locate_cached(x)
        P = np.maximum(evaluate(self.fields.pressure, x, cp), 0.0)
        g = np.maximum(evaluate(self.fields.gap, x, cp), 0.0)
        if self.temperature is None:
            Tp = Tm = np.full(x.shape[0], self.guess)
        else:
            Tp, Tm = evaluate(self.temperature, x, cp), evaluate(self.temperature, x, cm)
        parts = self.law.breakdown(P, g, Tp, Tm)
        return {"P": P, "g": g, "T_plus": Tp, "T_minus": Tm, **parts}

    def __call__(self, x: Any) -> np.ndarray:
        """The conductance h at points x (3, n).

        NumPy input only (the heat core retries with UFL on an error: the first error is
        raised again then).
        """
        if not isinstance(x, np.ndarray):
            if self._error is not None:
                raise self._error
            raise InputError(f"contact law {self.law.name!r}: h(x) needs NumPy points")
        try:
            return self.values(np.ascontiguousarray(x.T))["total"]
        except Exception as e:
            self._error = e
            raise
