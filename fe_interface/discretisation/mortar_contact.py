"""The mortar contact operator of a surface contact (non-matching meshes).

With the weighted-gap rows of :mod:`~fe_interface.discretisation.surface_contact` (node i of
the slave surface A owned here: G_i(u) = G₀_i + Σ_j w_ij n_i · u_j, columns j on A's and
B's copies), the lumped area A_i = ∫ φ_i w dA and normal n_i (assembled over A), the
nodal gap is g_i = G_i / A_i and, as in :mod:`~fe_interface.discretisation.nodal_contact`,

    P_i = max(λ_i − ε_i g_i, 0),   ε_i = γ₀ E*/h_i,
    r   = −Σ_i P_i ∂G_i/∂u,         J = Σ_i (ε_i H_i / A_i) (∂G_i/∂u)(∂G_i/∂u)ᵀ,

H_i = 1 on the active nodes.  On a conforming interface (the same nodes on both sides)
w_ij is −A_i on node i of A and +A_i on its twin on B: the node-to-node contact.

The class has the interface the contact solver and the support checks use
(:class:`~fe_interface.solvers.contact.ContactSolver`,
:mod:`~fe_interface.problems.supports`): ``nodes``, ``mnodes`` (the master copy with the
largest weight: for the rigid-motion checks), ``normal``, ``contact`` (with ``plus``,
``minus``, ``label``, ``spec``), ``state``, ``apply``, ``add_jacobian``,
``insert_sparsity``, ``update_multipliers``, ``max_pressure``, ``active_changed``,
``nodal_table`` and ``summary``.  Only the owner of a node holds it (no shares).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh

from fe_interface.discretisation.nodal_contact import ContactNodes, NodalContact
from fe_interface.discretisation.space import BrokenSpace
from fe_interface.discretisation.surface_contact import (
    ContactRows,
    MortarSearch,
    ResolvedSurfaceContact,
)
from fe_interface.errors import InputError

__all__ = ["MortarContact", "surface_contacts"]

#: a slave node counts as coupled when this fraction of its area found the other surface
_COVERED = 1.0 - 1.0e-8


def _nodal_areas(broken: BrokenSpace, facet_tags: Any, tag: int, axisymmetric: bool) -> np.ndarray:
    """Per local node: [∫ φ w dA, ∫ φ dA, ∫ φ n w dA (gdim)] over facet group ``tag``."""
    V = broken.space
    mesh = V.mesh
    gdim = mesh.geometry.dim
    idx = facet_tags.indices[facet_tags.values == tag].astype(np.int32)
    one = dmesh.meshtags(mesh, mesh.topology.dim - 1, idx, np.ones(len(idx), np.int32))
    v = ufl.TestFunction(V)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=one)
    x = ufl.SpatialCoordinate(mesh)
    w = x[0] if axisymmetric else 1.0
    n = ufl.FacetNormal(mesh)
    out = []
    for L in (v[0] * w * ds(1) + v[1] * ds(1), ufl.inner(v, n) * w * ds(1)):
        b = fem.assemble_vector(fem.form(L))
        b.scatter_reverse(la.InsertMode.add)
        b.scatter_forward()
        out.append(b.array.reshape(-1, gdim))
    return np.concatenate([out[0][:, :2], out[1]], axis=1)


def _padded_rows(
    broken: BrokenSpace, rows: ContactRows, sel: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The CSR rows ``sel`` as (local columns, weights) padded to one width (−1, 0: none).

    Round-off weights (|w_ij| ≤ 1e-12 max_j |w_ij|: nodes of the cells off the facets)
    are dropped.
    """
    counts = np.diff(rows.indptr)[sel]
    width = int(counts.max(initial=1))
    k = np.repeat(np.arange(sel.size), counts)  # the kept row of every entry
    pos = np.arange(k.size) - np.repeat(np.cumsum(counts) - counts, counts)
    src = np.repeat(rows.indptr[sel], counts) + pos
    cols = np.full((sel.size, width), -1, dtype=np.int64)
    w = np.zeros((sel.size, width))
    cols[k, pos] = broken.local_index(rows.cols[src])
    w[k, pos] = rows.weight[src]
    # the cell nodes off the facets (φ_j = 0 there) carry round-off weights: no column
    off = np.abs(w) <= 1.0e-12 * np.abs(w).max(axis=1, initial=0.0)[:, None]
    cols[off], w[off] = -1, 0.0
    return cols, w


class MortarContact(NodalContact):
    """The mortar contact operator of one surface contact on this process (collective).

    A :class:`~fe_interface.discretisation.nodal_contact.NodalContact` whose gaps are the mortar
    weighted gaps: the multiplier updates, the active-set test and the initial state are
    the node-to-node contact's, and so are the tables (every node is owned by one
    process: its share is its whole area); the rows, residual and Jacobian are its own.

    Args:
        broken: the broken vector space with the contacts' ghosts.
        contact: the resolved surface contact (``contact`` is then not a
            :class:`~fe_interface.model.mechanical_model.ResolvedContact`).
        rows: its weighted-gap rows (:class:`ContactRows`, global numbers).
        facet_tags: the mesh's facet tags.
        axisymmetric: weight w = r = x[0].
    """

    contact: Any  # a ResolvedSurfaceContact (plus, minus, label, spec as the nodal's)
    #: a weighted gap couples a slave node with several master nodes
    disjoint_constraints = False

    def __init__(  # the base's __init__ is not called: the rows replace its nodes
        self,
        broken: BrokenSpace,
        contact: ResolvedSurfaceContact,
        rows: ContactRows,
        facet_tags: Any,
        axisymmetric: bool,
    ) -> None:
        self._setup(broken, contact, axisymmetric)
        acc = _nodal_areas(broken, facet_tags, contact.tag_A, axisymmetric)
        local = broken.local_index(rows.node)
        if np.any((local < 0) | (local >= self.imap.size_local)):
            raise RuntimeError(f"contact {contact.label!r}: a slave node is not owned here")
        area = acc[local, 0]
        sel = np.flatnonzero(rows.covered >= _COVERED * area)
        on_A = np.flatnonzero(acc[: self.imap.size_local, 1] > 0)
        #: owned nodes of A that are not contact nodes (beyond the search distance)
        self.uncovered_nodes = np.setdiff1d(on_A, local[sel]).astype(np.int32)
        self.nodes = local[sel].astype(np.int32)
        self.area = area[sel]
        self.share = self.area  # only the owner holds a node: its share is all of A_i
        N = acc[self.nodes, 2:]
        self.normal = N / np.linalg.norm(N, axis=1, keepdims=True)
        self._nodal(broken.space, acc[self.nodes, 1])
        self._space = broken.space
        self._on_A = acc[:, 1] > 0  # local copies on A (round-off weights there: not B's)
        cols, w = _padded_rows(broken, rows, sel)
        if np.any((cols < 0) & (w != 0)):
            raise RuntimeError(f"contact {contact.label!r}: a coupled column is not a ghost")
        self.cols, self.w = np.where(cols < 0, 0, cols).astype(np.int32), w
        self.gap0 = np.einsum("ig,ig->i", rows.gap_vector[sel], self.normal) / self.area
        # the master copy with the largest weight, preferring copies of the mesh's own
        # cells here (their coordinates are known: the support checks use them)
        known = broken.original[self.cols] >= 0
        master = np.where(w > 0, w + known * np.abs(w).max(initial=0.0), -np.inf)
        self.mnodes = self.cols[np.arange(sel.size), np.argmax(master, axis=1)]
        if not self.comm.allreduce(sel.size, op=MPI.SUM):
            raise InputError(
                f"contact {contact.label!r}: no node of surface A is wholly within the search "
                "distance of surface B (give search_distance, m)"
            )

    # ------------------------------------------------------------------ evaluation
    def _gap(self, u: np.ndarray) -> np.ndarray:
        U = u.reshape(-1, self.bs)[:, : self.gdim]
        un = np.einsum("ikg,ig->ik", U[self.cols], self.normal)
        return self.gap0 + np.einsum("ik,ik->i", self.w, un) / self.area

    def apply(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Add −Σ P_i ∂G_i/∂u to the local array ``out`` (ghosts: reverse scatter after)."""
        if out is None:
            out = np.zeros_like(u)
        s = self.state(u)
        f = -(s.pressure_Pa[:, None] * self.w)[:, :, None] * self.normal[:, None, :]
        B = out.reshape(-1, self.bs)
        np.add.at(B[:, : self.gdim], self.cols.ravel(), f.reshape(-1, self.gdim))
        return out

    def _unrolled(self, marker: np.ndarray) -> np.ndarray:
        c = np.arange(self.gdim)
        r = (self.cols[:, :, None] * self.bs + c).reshape(self.nodes.size, -1)
        pad = np.repeat(self.w == 0, self.gdim, axis=1)
        return np.where(pad | (marker[r] < 0), -1, r).astype(PETSc.IntType)

    def add_jacobian(
        self, A: PETSc.Mat, marker: np.ndarray, active: np.ndarray, scale: float = 1.0
    ) -> None:
        """A += scale × the stiffness of the ``active`` nodes (every node's block is added)."""
        if not self.nodes.size:
            return
        d = (self.w[:, :, None] * self.normal[:, None, :]).reshape(self.nodes.size, -1)
        k = scale * self.eps * active / self.area
        K = k[:, None, None] * d[:, :, None] * d[:, None, :]
        R = np.ascontiguousarray(self._unrolled(marker))
        A.setValuesLocalRCV(R, R, np.ascontiguousarray(K.reshape(self.nodes.size, -1)),
                            addv=PETSc.InsertMode.ADD)  # fmt: skip

    def master_table(self) -> ContactNodes:
        """The pressures carried over to surface B's nodes, every rank's (collective).

        The mortar's action on B: node j of B takes the force F_j = Σ_i w_ij P_i
        (N; axisymmetric: per radian) over the area A_j = Σ_i w_ij = ∫ φ_j dA of the
        coupled part of B (m²), so P_j = F_j/A_j (Pa) is a weighted mean of the slave
        pressures over B's node patch: on a coarse B, free of the oscillation the nodal
        pressures of a fine A show with B's mesh period.  ``gap_m`` and ``normal`` hold
        zeros and A's normal (B's are not assembled).  Sorted as :meth:`nodal_table`.
        """
        s = self.current_state()
        nloc = self.imap.size_local + self.imap.num_ghosts
        acc = np.zeros((nloc, 2 + self.gdim))
        on = (self.w != 0) & ~self._on_A[self.cols]
        rows = np.broadcast_to(np.arange(self.nodes.size)[:, None], self.w.shape)[on]
        wp = self.w[on]
        np.add.at(acc[:, 0], self.cols[on], wp * s.pressure_Pa[rows])
        np.add.at(acc[:, 1], self.cols[on], wp)
        for c in range(self.gdim):
            np.add.at(acc[:, 2 + c], self.cols[on], wp * self.normal[rows, c])
        vec = la.vector(self.imap, bs=acc.shape[1], dtype=np.float64)
        vec.array[:] = acc.ravel()
        vec.scatter_reverse(la.InsertMode.add)
        tot = vec.array.reshape(nloc, -1)[: self.imap.size_local]
        mine = np.flatnonzero(tot[:, 1] > 0)
        x = self._space.tabulate_dof_coordinates()[mine]
        N = tot[mine, 2:]
        parts = self.comm.allgather(
            (x, tot[mine, 0] / tot[mine, 1], tot[mine, 1], N / np.linalg.norm(N, axis=1)[:, None])
        )
        x, P, A, n = (np.concatenate([q[i] for q in parts]) for i in range(4))
        order = np.lexsort(tuple(np.round(x[:, d], 12) for d in reversed(range(x.shape[1]))))
        return ContactNodes(x[order], P[order], np.zeros(P.size), A[order], n[order])

    def insert_sparsity(self, pattern: Any) -> None:
        """Couple every column of each node's row in a (not finalised) sparsity pattern."""
        for cols, w in zip(self.cols, self.w, strict=True):
            d = cols[w != 0].astype(np.int32)
            pattern.insert(d, d)


def surface_contacts(
    broken: BrokenSpace, model: Any, specs: list[Any], axisymmetric: bool
) -> tuple[BrokenSpace, Any]:
    """The space with the surface contacts' ghosts, and a builder of their operators.

    Returns ``(space, build)``; ``build(space)`` gives the
    :class:`~fe_interface.discretisation.mortar_contact.MortarContact` of every contact (an empty
    list without surface contacts).  Collective.
    """
    if not specs:
        return broken, lambda space: []
    search = MortarSearch(broken, model, specs, axisymmetric)
    extended = broken.with_ghosts(*search.ghosts())
    ft = model.tagged.facet_tags

    def build(space: BrokenSpace) -> list[Any]:
        return [
            MortarContact(space, c, r, ft, axisymmetric)
            for c, r in zip(search.resolved, search.rows, strict=True)
        ]

    return extended, build
