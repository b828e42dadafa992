"""Node-to-node contact on a conforming interface of the broken vector space.

Every node of a contact interface has a ⁺ copy and a ⁻ copy of its displacement
(:func:`~fe_interface.discretisation.space.broken_lagrange_space` with shape (gdim,)).
With the nodal data of :mod:`fe_interface.model.contacts`

    A_i = ∫_Γ φ_i w dA (m², axisymmetric: m² per radian),   n_i = N_i/|N_i|,
    N_i = ∫_Γ φ_i n⁺ dA,   h_i = (∫_Γ φ_i dA)^(1/(d−1)),   ε_i = γ₀ E*/h_i,

the contact term of the residual (N) and its exact (semismooth) Jacobian (N/m) are

    r⁺_i = A_i P_i n_i,   r⁻_i = −A_i P_i n_i,   P_i = max(λ_i − ε_i g_i, 0),
    J_i  = A_i ε_i H_i [[ n_i n_iᵀ, −n_i n_iᵀ], [−n_i n_iᵀ, n_i n_iᵀ]],

g_i = g₀(x_i) + (u⁻_i − u⁺_i)·n_i, H_i = 1 where λ_i − ε_i g_i ≥ 0 (active), else 0.

Parallel: A_i, N_i are summed over the ranks' owned facets (reverse then forward
scatter), so every rank that holds node i has the same A_i, n_i, ε_i, λ_i and computes
the same P_i; each rank adds to the residual and the matrix only its *own facets'
share* of A_i (the lumped weights of its facets), so that the sums over ranks are
A_i P_i and A_i ε_i H_i once.  P1/Q1 only: lumped weights of higher-degree Lagrange
facets can vanish or be negative.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import basix.ufl
import numpy as np
from dolfinx import la

from fe_interface.discretisation.coupling import facet_sides
from fe_interface.discretisation.facets import FacetQuadrature
from fe_interface.discretisation.space import BrokenSpace
from fe_interface.errors import InputError, collective
from fe_interface.model.contacts import gap_values
from fe_interface.model.mechanical_model import ResolvedContact

__all__ = ["ActiveConstraints", "ContactNodes", "ContactState", "ContactSummary", "NodalContact"]

#: gaps below this fraction of the local mesh size count as touching (active set only)
_TOUCH = 1.0e-10


class ContactState(NamedTuple):
    """Nodal values of one contact at the current displacement (local nodes).

    Attributes:
        gap_m: g_i = g₀ + (u⁻ − u⁺)·n, m (negative: penetration).
        pressure_Pa: P_i = max(λ_i − ε_i g_i, 0), Pa.
        active: λ_i − ε_i g_i ≥ 0.
    """

    gap_m: np.ndarray
    pressure_Pa: np.ndarray
    active: np.ndarray


class ActiveConstraints(NamedTuple):
    """The constraints g_i(u) = 0 of the active nodes of one contact (local nodes).

    g_i(u) = g₀,i + c_i·u[rows_i] with c_i = (−n_i, n_i) on the ⁺ then ⁻ copies of node i.

    Attributes:
        rows: local unrolled dofs, (m, 2 bs): the ⁺ components, then the ⁻ ones.
        coef: c_i, (m, 2 bs), dimensionless.
        gap0_m: g₀,i, m.
        weight: this rank's share of node i (its facets' part of A_i over A_i: the
            weights of a node sum to 1 over the ranks that hold it).
        area_m2: A_i, m² (axisymmetric: per radian).
        node: the nodes' positions in the contact's node arrays.
    """

    rows: np.ndarray
    coef: np.ndarray
    gap0_m: np.ndarray
    weight: np.ndarray
    area_m2: np.ndarray
    node: np.ndarray


class ContactNodes(NamedTuple):
    """Every node of a contact interface, from all ranks, sorted by x, then y, then z.

    The same order in serial and parallel.

    Attributes:
        x: coordinates, m, (n, 3).
        pressure_Pa: P_i, Pa.
        gap_m: g_i, m.
        area_m2: lumped area A_i (axisymmetric: per radian, i.e. ∫ φ_i r dr), m².
        normal: n_i, (n, gdim).
    """

    x: np.ndarray
    pressure_Pa: np.ndarray
    gap_m: np.ndarray
    area_m2: np.ndarray
    normal: np.ndarray


class ContactSummary(NamedTuple):
    """Statistics of one contact interface (the same on every rank).

    Attributes:
        name: contact label.
        plus, minus: region names.
        area_m2: nominal interface area, m² (full 2π revolution when axisymmetric).
        contact_area_m2: lumped area of the nodes in contact (P > 0), m².
        area_fraction: contact_area / area (dimensionless).
        force_N: total normal contact force ∫ P dA, N.
        mean_pressure_Pa: force / contact area, Pa (0 without contact).
        nominal_pressure_Pa: force / area, Pa.
        max_pressure_Pa: maximum nodal pressure, Pa.
        max_gap_m: largest nodal gap, m.
        max_penetration_m: largest nodal penetration max(−g, 0), m.
        nodes: interface nodes.
        active_nodes: nodes with P > 0.
    """

    name: str
    plus: str
    minus: str
    area_m2: float
    contact_area_m2: float
    area_fraction: float
    force_N: float
    mean_pressure_Pa: float
    nominal_pressure_Pa: float
    max_pressure_Pa: float
    max_gap_m: float
    max_penetration_m: float
    nodes: int
    active_nodes: int


def _scalar_element(broken: BrokenSpace) -> Any:
    """The scalar Lagrange element of the vector space (for facet tabulation)."""
    mesh = broken.mesh
    el = broken.space.ufl_element()
    return basix.ufl.element(
        "Lagrange", mesh.topology.cell_type.name, el.embedded_superdegree,
        dtype=mesh.geometry.x.dtype,
    )  # fmt: skip


class NodalContact:
    """The node-to-node contact operator of one contact interface (collective).

    An :class:`~fe_interface.discretisation.external.ExternalTerm` (like the facet-wise
    interface coupling of the heat problem): the solvers assemble it through
    ``insert_sparsity``, ``apply``, ``linearise`` and ``add_to_matrix``.

    Args:
        broken: the broken vector space (degree 1).
        contact: the resolved contact.
        axisymmetric: weight w = r = x[0].
    """

    #: the constraints g_i = 0 of different nodes touch disjoint dofs (node i's copies):
    #: the contact solver's exact step applies (mortar gaps share master nodes: not there)
    disjoint_constraints = True

    def __init__(self, broken: BrokenSpace, contact: ResolvedContact, axisymmetric: bool) -> None:
        V = broken.space
        if V.ufl_element().embedded_superdegree != 1:
            raise InputError(f"contact {contact.label!r}: contact needs degree 1 (P1/Q1) elements")
        mesh = V.mesh
        self._setup(broken, contact, axisymmetric)
        imap = self.imap
        self.num_owned = imap.size_local
        nloc = imap.size_local + imap.num_ghosts
        gd = self.gdim
        acc = np.zeros((nloc, 2 + gd))  # A (weighted), A0 (unweighted), N (gdim)
        minus_of = np.full(nloc, -1, dtype=np.int64)
        e = contact.entities
        tensor = mesh.topology.cell_type.name in ("quadrilateral", "hexahedron")
        quad = FacetQuadrature(
            mesh, _scalar_element(broken), V.dofmap.dof_layout, e[:, 0], e[:, 1],
            2 + int(axisymmetric) + int(tensor), axisymmetric,
        )  # fmt: skip
        for g in quad.groups:
            plus, minus = facet_sides(broken, e, g)
            p = g.phi[:, g.closure]
            np.add.at(acc[:, 0], plus, np.einsum("fq,qi->fi", g.weight, p))
            np.add.at(acc[:, 1], plus, np.einsum("fq,qi->fi", g.dA, p))
            N = np.einsum("fq,fqg,qi->fig", g.dA, g.normal, p)
            for c in range(gd):
                np.add.at(acc[:, 2 + c], plus, N[:, :, c])
            minus_of[plus] = minus
        share = acc[:, 0].copy()  # this rank's facets' part of A_i
        vec = la.vector(imap, bs=2 + gd, dtype=np.float64)
        vec.array[:] = acc.ravel()
        vec.scatter_reverse(la.InsertMode.add)
        vec.scatter_forward()
        tot = vec.array.reshape(nloc, 2 + gd)
        self.nodes = np.flatnonzero(acc[:, 1] > 0).astype(np.int32)  # + copies of my facets
        self.mnodes = minus_of[self.nodes].astype(np.int32)
        self.share = share[self.nodes]
        self.area = tot[self.nodes, 0]
        area0 = tot[self.nodes, 1]
        N = tot[self.nodes, 2:]
        self.normal = N / np.linalg.norm(N, axis=1, keepdims=True)
        self._nodal(V, area0)
        with collective(self.comm):  # a bad or failing g0(x) on one rank: raised on all
            self.gap0 = gap_values(contact.spec, self.x.T)

    def _setup(self, broken: BrokenSpace, contact: Any, axisymmetric: bool) -> None:
        """The attributes every contact operator has, before its nodes are known."""
        V = broken.space
        self.contact = contact
        self.comm: MPI.Comm = V.mesh.comm
        self.bs = V.dofmap.bs
        self.gdim = V.mesh.geometry.dim
        self.axisymmetric = axisymmetric
        self.imap = V.dofmap.index_map

    def _nodal(self, V: Any, area0: np.ndarray) -> None:
        """Per node of ``self.nodes``: mesh size h_i, penalty ε_i, coordinates, initial state.

        ``area0``: the unweighted lumped areas ∫ φ_i dA (m²); h_i in m, ε_i in Pa/m.
        """
        tdim = V.mesh.topology.dim
        self.h = area0 ** (1.0 / (tdim - 1)) if tdim > 1 else np.ones_like(area0)
        self.eps = self.contact.spec.penalty * self.contact.E_star / self.h
        self.x = V.tabulate_dof_coordinates()[self.nodes]
        self.lam = np.zeros(self.nodes.size)
        self._state: ContactState | None = None
        self._added: np.ndarray | None = None  # the active set of the assembled Jacobian
        self._pending: np.ndarray | None = None  # the active set of the last linearise()

    # ------------------------------------------------------------------ evaluation
    def _gap(self, u: np.ndarray) -> np.ndarray:
        """Nodal gaps g_i at the local displacement array ``u``, m."""
        U = u.reshape(-1, self.bs)
        return self.gap0 + np.einsum("ig,ig->i", U[self.mnodes] - U[self.nodes], self.normal)

    def state(self, u: np.ndarray) -> ContactState:
        """Gap, pressure and active set at the local displacement array ``u``."""
        g = self._gap(u)
        trial = self.lam - self.eps * g
        # touching (g within round-off of 0, λ = 0) counts as active: a body pressed
        # onto a point contact then has the stiffness of that point at the first step
        touching = self.eps * self.h * _TOUCH
        self._state = ContactState(g, np.maximum(trial, 0.0), trial >= -touching)
        return self._state

    def current_state(self) -> ContactState:
        """The last state, or zero pressure and the initial gap before any solve."""
        if self._state is None:
            z = np.zeros(self.nodes.size)
            return ContactState(self.gap0.copy(), z, z.astype(bool))
        return self._state

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Add this rank's share of the contact forces at ``u`` to ``out`` (N); returns it.

        Local arrays, ghosts included: sum with a reverse scatter afterwards (``out``
        None: a new array).
        """
        if out is None:
            out = np.zeros_like(u)
        s = self.state(u)
        f = (self.share * s.pressure_Pa)[:, None] * self.normal
        B = out.reshape(-1, self.bs)
        B[self.nodes] += f
        B[self.mnodes] -= f
        return out

    def linearise(self, u: np.ndarray) -> bool:
        """The active set at ``u``; True if it differs from the one last added (collective)."""
        s = self.state(u)
        changed = self.active_changed(self._added)
        if changed:
            self._pending = s.active.copy()
        return changed

    def add_to_matrix(self, A: PETSc.Mat, index: np.ndarray, scale: float = 1.0) -> None:
        """A += scale × the contact stiffness of the active set of the last :meth:`linearise`.

        ``scale = 0`` inserts the (explicit zero) blocks of every node.
        """
        active = self._pending if self._pending is not None else self.current_state().active
        if scale == 0.0:
            active = np.zeros(self.nodes.size, dtype=bool)
        else:
            self._added = active.copy()
        self.add_jacobian(A, index, active, scale)

    def rows(self, marker: np.ndarray) -> np.ndarray:
        """Local unrolled rows of every node, −1 on Dirichlet dofs.

        The ⁺ components, then the ⁻ components; shape (nodes, 2 bs).
        """
        c = np.arange(self.bs)
        r = np.concatenate(
            [self.nodes[:, None] * self.bs + c, self.mnodes[:, None] * self.bs + c], axis=1
        )
        return np.where(marker[r] < 0, -1, r).astype(PETSc.IntType)

    def add_jacobian(
        self, A: PETSc.Mat, marker: np.ndarray, active: np.ndarray, scale: float = 1.0
    ) -> None:
        """A += the contact stiffness of the ``active`` nodes (ADD_VALUES, local rows).

        Every node's block is added, zero for inactive nodes: PETSc drops preallocated
        entries that the first assembly leaves unset, so a node that becomes active
        later would need a new allocation.

        Args:
            A: matrix with the space's local-to-global map (not final-assembled).
            marker: local unrolled dof -> itself, −1 on Dirichlet dofs.
            active: nodes whose stiffness is added.
            scale: factor of the stiffness.
        """
        if not self.nodes.size:
            return
        k = scale * self.share * self.eps * active
        nn = np.einsum("i,ig,ih->igh", k, self.normal, self.normal)
        K = np.block([[nn, -nn], [-nn, nn]])
        R = np.ascontiguousarray(self.rows(marker))
        vals = np.ascontiguousarray(K.reshape(self.nodes.size, -1))
        A.setValuesLocalRCV(R, R, vals, addv=PETSc.InsertMode.ADD)

    def insert_sparsity(self, pattern: Any) -> None:
        """Couple the ⁺ and ⁻ copies of every node in a (not finalised) sparsity pattern."""
        for p, m in zip(self.nodes, self.mnodes, strict=True):
            d = np.array([p, m], dtype=np.int32)
            pattern.insert(d, d)

    def active_constraints(self) -> ActiveConstraints:
        """The constraints g_i(u) = 0 of the active nodes of the last state."""
        act = np.flatnonzero(self.current_state().active)
        c = np.arange(self.bs)
        rows = np.concatenate(
            [self.nodes[act, None] * self.bs + c, self.mnodes[act, None] * self.bs + c], axis=1
        )
        coef = np.concatenate([-self.normal[act], self.normal[act]], axis=1)
        area = self.area[act]
        return ActiveConstraints(rows, coef, self.gap0[act], self.share[act] / area, area, act)

    def set_multipliers(self, index: np.ndarray, pressure: np.ndarray) -> None:
        """λ = ``pressure`` (Pa) at the nodes ``index``, 0 elsewhere."""
        self.lam = np.zeros(self.nodes.size)
        self.lam[index] = pressure

    def update_multipliers(self) -> float:
        """λ ← P of the last state (Uzawa); returns max |Δλ| over all ranks, Pa."""
        assert self._state is not None
        new = self._state.pressure_Pa
        change = float(np.max(np.abs(new - self.lam), initial=0.0))
        self.lam = new.copy()
        return self.comm.allreduce(change, op=MPI.MAX)

    def max_pressure(self) -> float:
        """Largest nodal pressure of the last state over all ranks, Pa."""
        p = self._state.pressure_Pa if self._state is not None else np.zeros(0)
        return self.comm.allreduce(float(np.max(p, initial=0.0)), op=MPI.MAX)

    def settled(self) -> bool:
        """Whether the active set of the last state is the assembled Jacobian's (collective)."""
        return not self.active_changed(self._added)

    def active_changed(self, previous: np.ndarray | None) -> bool:
        """Whether the active set of the last state differs from ``previous``.

        The same answer on every rank; ``previous``: a local boolean array, or None.
        """
        s = self._state
        moved = previous is None or s is None or not np.array_equal(previous, s.active)
        return bool(self.comm.allreduce(moved, op=MPI.LOR))

    # ------------------------------------------------------------------ output
    def nodal_table(self) -> ContactNodes:
        """The nodes of all ranks with their current values.

        Collective; every rank gets the whole table.
        """
        s = self.current_state()
        imap = self.imap
        glob = imap.local_to_global(self.nodes.astype(np.int32))
        parts = self.comm.allgather((glob, self.x, s.pressure_Pa, s.gap_m, self.area, self.normal))
        g = np.concatenate([q[0] for q in parts])
        _, first = np.unique(g, return_index=True)
        cat = [np.concatenate([q[i] for q in parts])[first] for i in range(1, 6)]
        x = cat[0]
        order = np.lexsort(tuple(np.round(x[:, d], 12) for d in reversed(range(x.shape[1]))))
        return ContactNodes(*(c[order] for c in cat))

    def summary(self, region_names: dict[int, str]) -> ContactSummary:
        """Statistics of the last state (collective)."""
        s = self._state
        two_pi = 2 * np.pi if self.axisymmetric else 1.0
        P = s.pressure_Pa if s is not None else np.zeros(self.nodes.size)
        g = s.gap_m if s is not None else np.zeros(self.nodes.size)
        w = self.share  # this rank's part of each A_i: the sums over ranks are exact
        on = P > 0
        local = np.array(
            [
                w.sum(),
                w[on].sum(),
                np.sum(w * P),
                np.sum(w / self.area),
                np.sum((w / self.area)[on]),
            ]
        )
        area, carea, force, nodes, active = self.comm.allreduce(local, op=MPI.SUM)
        area, carea, force = two_pi * area, two_pi * carea, two_pi * force
        pmax = self.comm.allreduce(float(P.max(initial=0.0)), op=MPI.MAX)
        gmax = self.comm.allreduce(float(g.max(initial=-np.inf)), op=MPI.MAX)
        pen = self.comm.allreduce(float(np.max(-g, initial=0.0)), op=MPI.MAX)
        c = self.contact
        return ContactSummary(
            c.label, region_names[c.plus], region_names[c.minus], float(area), float(carea),
            float(carea / area) if area > 0 else 0.0, float(force),
            float(force / carea) if carea > 0 else 0.0, float(force / area) if area > 0 else 0.0,
            pmax, max(gmax, 0.0), max(pen, 0.0), round(float(nodes)), round(float(active)),
        )  # fmt: skip
