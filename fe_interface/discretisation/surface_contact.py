"""Frictionless contact between separately meshed bodies (non-matching surfaces).

A :class:`SurfaceContact` names two outer facet groups: surface A (the *slave* or
non-mortar side: mesh it finer, it carries the pressure) and surface B (the *master*
or mortar side), of bodies that share no nodes — parts meshed independently
(:func:`~fe_interface.mesh.parts.join_parts`, the builders of
:mod:`fe_interface.geometry.parts`).  Curved bodies are their real geometry: the gap is
measured between the meshes, no initial-gap function is given.

Discretisation (segment-to-segment mortar, :mod:`~fe_interface.discretisation.mortar_contact`): the
pair search of the thermal pairs (:mod:`~fe_interface.discretisation.pair_search`:
DOLFINx's global bounding-box tree, point-to-point messages, no gather) projects the
quadrature points of the mortar segments of A along A's continuous normal onto B.  Each
node i of A has the dual (biorthogonal) shape function ψ_i of its facets
(∫ ψ_i φ_j dA = δ_ij A_i facet by facet), its lumped area A_i = ∫ φ_i dA and its normal
n_i (the mean of the facet normals), and the weighted gap

    G_i(u) = ∫_A ψ_i (x_B(π(x)) + u_B(π(x)) − x − u_A(x)) · n_i dA    (m³ in 3D),

linear in the displacement (small sliding: π is fixed at the undeformed configuration,
as in Hertz's theory).  g_i = G_i / A_i is the nodal gap (m), and the contact pressure
is the augmented-Lagrangian function P_i = max(λ_i − ε_i g_i, 0), ε_i = γ₀ E*/h_i, of the
node-to-node contact (:mod:`~fe_interface.model.contacts`): the same Signorini
conditions, the same semismooth Newton and Uzawa updates
(:class:`~fe_interface.solvers.contact.ContactSolver`).  The contact force on A is
Σ A_i P_i: by construction the virtual work Σ P_i δG_i moves the same force out of one
body into the other (action = reaction to round-off).

Parallel: every process integrates its own facets of A; the rows of G_i (columns: the
displacement copies of A's and B's cells, global numbers) are sent to the owner of node
i, which then holds the whole row; the columns it lacks become ghosts of the space
(:meth:`~fe_interface.discretisation.space.BrokenSpace.with_ghosts`).

Only the points of A whose projection lies within ``search_distance`` of B are coupled;
a node of A whose support is not wholly coupled is not a contact node (it is at least
that far from B).  P1/Q1 elements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mpi4py import MPI

import basix
import numpy as np

from fe_interface.discretisation.pair_geometry import ReferenceCell
from fe_interface.discretisation.pair_search import (
    PENETRATION,
    CellData,
    Surface,
    search_direction,
    search_distance,
    surface,
)
from fe_interface.discretisation.space import BrokenSpace
from fe_interface.errors import InputError
from fe_interface.model.contacts import SurfaceContact
from fe_interface.model.elastic_materials import effective_modulus

__all__ = [
    "ContactRows",
    "MortarSearch",
    "ResolvedSurfaceContact",
    "SurfaceContact",
]


@dataclass
class ResolvedSurfaceContact:
    """A surface contact on the mesh.

    Attributes:
        spec: the user's :class:`SurfaceContact`.
        plus, minus: region tags of the bodies of A (⁺) and B (⁻).
        facets: this process's owned facets of A and of B.
        tag_A: facet tag of A.
        E_star: contact modulus of the two materials, Pa.
        distance: the search distance used, m (after the search).
        entities: A's owned facets as rows (cell, local facet, cell, local facet) (after
            the search; the layout of the conforming contacts' rows, for outputs).
    """

    spec: SurfaceContact
    plus: int
    minus: int
    facets: tuple[np.ndarray, np.ndarray]
    tag_A: int
    E_star: float
    distance: float = 0.0
    entities: np.ndarray = field(default_factory=lambda: np.empty((0, 4), np.int32))

    @property
    def label(self) -> str:
        """The name in tables and messages."""
        return self.spec.label


class ContactRows(NamedTuple):
    """The weighted-gap rows of the slave nodes owned by this process (global numbers).

    Attributes:
        node: global copy number of each slave node (k,), sorted.
        indptr: CSR offsets (k + 1,) into ``cols``/``weight``.
        cols: global copy numbers of the columns.
        owners: their owning ranks.
        weight: ∫ ψ_i φ_j dA (m² in 3D; axisymmetric: × r), negative on A's copies.
        gap_vector: ∫ ψ_i (x_B∘π − x) dA per node (k, gdim): G₀_i = n_i · gap_vector_i.
        covered: ∫ φ_i dA over the coupled points per node (k,).
    """

    node: np.ndarray
    indptr: np.ndarray
    cols: np.ndarray
    owners: np.ndarray
    weight: np.ndarray
    gap_vector: np.ndarray
    covered: np.ndarray


def dual_coefficients(
    ref: ReferenceCell, coords: np.ndarray, lf: np.ndarray, axisymmetric: bool
) -> np.ndarray:
    """C (facets, nodes, nodes): ψ_a = Σ_b C_ab φ_b on each facet (P1/Q1).

    C = D M⁻¹ on the facet's nodes, M the facet mass matrix ∫ φ_a φ_b w dA and D its
    row sums (the lumped areas ∫ φ_a w dA), so that ∫_F ψ_a φ_b w dA = δ_ab ∫_F φ_a w dA
    (w = r in axisymmetric models, else 1; exact for facets with a constant Jacobian,
    which cancels).  Zero on the cell's nodes off the facet.
    """
    xi, wq = basix.make_quadrature(ref.facet_type, 4)
    xi = np.asarray(xi)
    nq, m = len(wq), len(lf)
    nv = len(ref.vertex_coords)
    X = ref.facet_to_cell(np.repeat(lf, nq), np.tile(xi, (m, 1)))
    phi = ref.p1(X)[0].reshape(m, nq, nv)
    w = np.tile(wq, m).reshape(m, nq)
    if axisymmetric:
        w = w * ref.geometry(np.repeat(coords, nq, axis=0), X)[0][:, 0].reshape(m, nq)
    M = np.einsum("fq,fqa,fqb->fab", w, phi, phi)
    off = np.abs(np.einsum("fq,fqa->fa", np.tile(wq, m).reshape(m, nq), phi)) < 1e-12
    D = M.sum(axis=2) * ~off
    Minv = np.linalg.inv(M + np.einsum("fa,ab->fab", off.astype(float), np.eye(nv)))
    return D[:, :, None] * Minv


def resolve(model: Any, spec: SurfaceContact) -> ResolvedSurfaceContact:
    """The regions, owned facets and E* of a surface contact (collective).

    Raises:
        InputError: an unknown surface, a surface on more than one body or an inner
            facet group.
    """
    if not isinstance(spec, SurfaceContact):
        raise InputError(f"contacts: expected a Contact or a SurfaceContact, got {spec!r}")
    tagged = model.tagged
    mesh = tagged.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    nown = mesh.topology.index_map(tdim - 1).size_local
    ft = tagged.facet_tags
    out: list[Any] = []
    for side, key in zip("AB", spec.surfaces, strict=True):
        what = f"contact {spec.label!r}: surface {side} {key!r}"
        try:
            tag = tagged.facet_tag(key)
        except Exception as e:  # MeshError: the known names in the message
            raise InputError(f"{what}: {e}") from None
        facets = ft.indices[ft.values == tag]
        facets = facets[facets < nown].astype(np.int32)
        inner = np.diff(f2c.offsets)[facets] != 1
        regions = np.unique(model.cell_region[f2c.array[f2c.offsets[facets]]])
        bad = mesh.comm.allreduce(int(inner.sum()), op=MPI.SUM)
        if bad:
            raise InputError(
                f"{what}: {bad} facets lie inside the mesh (an outer surface is needed)"
            )
        allr = sorted({int(r) for rs in mesh.comm.allgather(regions.tolist()) for r in rs})
        if len(allr) != 1:
            names = [model.region_names.get(r, r) for r in allr]
            raise InputError(f"{what}: must bound one region, bounds {names or 'none'}")
        out.append((tag, facets, allr[0]))
    (tag_a, fa, ra), (_, fb, rb) = out
    if ra == rb:
        raise InputError(
            f"contact {spec.label!r}: both surfaces bound region {model.region_names[ra]!r}"
        )
    E = effective_modulus(model.region_material[ra], model.region_material[rb])
    return ResolvedSurfaceContact(spec, ra, rb, (fa, fb), tag_a, E)


class MortarSearch:
    """The search and weighted-gap rows of every surface contact (collective).

    Args:
        broken: the broken vector space (before the contacts' ghosts).
        model: the mechanical model (regions, materials, tagged mesh).
        specs: the surface contacts.
        axisymmetric: weights carry r = x[0].
    """

    def __init__(self, broken: BrokenSpace, model: Any, specs: list[Any], axisymmetric: bool):
        mesh = broken.mesh
        cmap = mesh.geometry.cmaps[0]
        if cmap.degree != 1:
            raise InputError("surface contact: straight-sided (degree-1 geometry) cells only")
        self.ref = ReferenceCell(
            mesh.topology.cell_type.name, cmap.degree, cmap.variant, mesh.geometry.dim
        )
        self.broken, self.model, self.axisymmetric = broken, model, axisymmetric
        self.resolved = [resolve(model, s) for s in specs]
        labels = [r.label for r in self.resolved]
        for lab in labels:
            if labels.count(lab) > 1:
                raise InputError(f"contact {lab!r} is listed twice")
        self.rows = [self._rows(r) for r in self.resolved]

    def _cell_data(self, cells: np.ndarray, coords: np.ndarray, lf: np.ndarray) -> CellData:
        imap = self.broken.index_map
        local = self.broken.cell_dofs(cells)
        glob = np.asarray(imap.local_to_global(local.ravel().astype(np.int32)), np.int64)
        owners = _owners(imap, local.ravel(), self.broken.mesh.comm.rank)
        n = len(cells)
        return CellData(
            coords, lf, glob.reshape(local.shape), owners.reshape(local.shape),
            np.full(n, math.nan), np.ones(n), self.model.cell_region[cells].astype(np.int64),
        )  # fmt: skip

    def _rows(self, c: ResolvedSurfaceContact) -> ContactRows:
        mesh, ref = self.broken.mesh, self.ref
        comm: MPI.Comm = mesh.comm
        A, B = (surface(mesh, ref, f) for f in c.facets)
        distance = search_distance(ref, (A, B), c.spec.search_distance, comm)
        c.distance = distance
        c.entities = np.stack([A.cells, A.lf, A.cells, A.lf], axis=1).astype(np.int32)
        ndofs = self.broken.space.dofmap.list.shape[1]
        deg = (2 + int(self.axisymmetric), 2 + int(self.axisymmetric))
        r = search_direction(
            mesh, ref, A, B, self._cell_data, distance, "normal", deg, ndofs, self.axisymmetric
        )
        _check(c, r.stats, distance, comm)
        return _to_owners(self._entries(c, A, r), self.broken, ref.gdim)

    def _entries(self, c: ResolvedSurfaceContact, A: Surface, r: Any) -> dict[str, np.ndarray]:
        """Per (slave node, column) weights and per slave node gap vectors (this process)."""
        ref, imap = self.ref, self.broken.index_map
        rank = self.broken.mesh.comm.rank
        cells, t = A.cells[r.src], r.target
        phi_s = ref.p1(r.X_self)[0]  # (n, nv)
        phi_o = ref.p1(r.X_other)[0]
        x = ref.geometry(A.coords[r.src], r.X_self)[0]
        y = ref.geometry(t.coords[r.slot], r.X_other)[0]
        W = r.weight * (x[:, 0] if self.axisymmetric else 1.0)
        src, back = np.unique(r.src, return_inverse=True)  # the dual basis per facet
        dual = dual_coefficients(ref, A.coords[src], A.lf[src], self.axisymmetric)[back]
        psi = np.einsum("nab,nb->na", dual, phi_s)  # (n, nv): 0 off the facet
        local = self.broken.cell_dofs(cells)  # (n, nv)
        glob_s = np.asarray(imap.local_to_global(local.ravel().astype(np.int32)), np.int64)
        glob_s = glob_s.reshape(local.shape)
        own_s = _owners(imap, local.ravel(), rank).reshape(local.shape)
        # rows: every (point, slave node a with ψ_a ≠ 0 on the facet)
        wa = W[:, None] * psi  # (n, nv)
        on = np.abs(dual).sum(axis=2) > 0  # (n, nv): the facet's nodes
        pt, a = np.nonzero(on)
        node = glob_s[pt, a]
        node_owner = own_s[pt, a]
        cols = np.concatenate([glob_s[pt], t.dofs[r.slot][pt]], axis=1)
        owners = np.concatenate([own_s[pt], t.owners[r.slot][pt]], axis=1)
        val = np.concatenate([-phi_s[pt], phi_o[pt]], axis=1) * wa[pt, a][:, None]
        k = cols.shape[1]
        return {
            "node": np.repeat(node, k), "node_owner": np.repeat(node_owner, k),
            "col": cols.ravel(), "col_owner": owners.ravel(), "w": val.ravel(),
            "gnode": node, "gnode_owner": node_owner,
            "gvec": wa[pt, a][:, None] * (y - x)[pt], "cover": (W[:, None] * phi_s)[pt, a],
        }  # fmt: skip

    def ghosts(self) -> tuple[np.ndarray, np.ndarray]:
        """Global columns of this process's rows and their owners."""
        cols = [r.cols for r in self.rows]
        own = [r.owners for r in self.rows]
        return (
            np.concatenate(cols) if cols else np.zeros(0, np.int64),
            np.concatenate(own) if own else np.zeros(0, np.int32),
        )


def _owners(imap: Any, local: np.ndarray, rank: int) -> np.ndarray:
    out = np.full(local.size, rank, dtype=np.int32)
    ghost = local >= imap.size_local
    out[ghost] = np.asarray(imap.owners)[local[ghost] - imap.size_local]
    return out


def _check(c: ResolvedSurfaceContact, stats: np.ndarray, distance: float, comm: MPI.Comm) -> None:
    """Bad surface contacts fail with one line naming the contact (collective)."""
    what = f"contact {c.label!r} (surfaces {list(c.spec.surfaces)})"
    found, facing, away = comm.allreduce(stats[:3], op=MPI.SUM)
    worst = min(comm.allgather(stats[4:]), key=lambda v: v[0])
    if not found and not away:
        raise InputError(
            f"{what}: the search distance {distance:.6g} m finds no facet of surface B near "
            "surface A: do the bodies touch? (give search_distance, m)"
        )
    if facing <= away:
        raise InputError(f"{what}: the surfaces do not face each other")
    if worst[0] < -PENETRATION:
        x = [float(v) for v in worst[3:] if np.isfinite(v)]
        raise InputError(
            f"{what}: penetrating parts: surface B lies {-worst[1]:.6g} m inside the body of "
            f"surface A near x = {x}; the bodies overlap"
        )


def _to_owners(e: dict[str, np.ndarray], broken: BrokenSpace, gdim: int) -> ContactRows:
    """Send each slave node's entries to its owner and sum them there (collective)."""
    comm: MPI.Comm = broken.mesh.comm
    send: list[Any] = []
    for p in range(comm.size):
        s = e["node_owner"] == p
        g = e["gnode_owner"] == p
        send.append(
            {
                "node": e["node"][s], "col": e["col"][s], "col_owner": e["col_owner"][s],
                "w": e["w"][s], "gnode": e["gnode"][g], "gvec": e["gvec"][g],
                "cover": e["cover"][g],
            }
        )  # fmt: skip
    got = comm.alltoall(send)

    def cat(key: str) -> np.ndarray:
        return np.concatenate([d[key] for d in got])

    node, col, col_owner, w = cat("node"), cat("col"), cat("col_owner"), cat("w")
    gnode, gvec, cover = cat("gnode"), cat("gvec").reshape(-1, gdim), cat("cover")
    nodes = np.unique(gnode)
    n_glob = int(broken.index_map.size_global)
    key = node * n_glob + col
    ukey, first, inv = np.unique(key, return_index=True, return_inverse=True)
    wsum = np.bincount(inv, weights=w, minlength=len(ukey))
    rnode, rcol = ukey // n_glob, ukey % n_glob
    pos = np.searchsorted(nodes, rnode)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pos, minlength=len(nodes)))])
    gi = np.searchsorted(nodes, gnode)
    vec = np.zeros((len(nodes), gdim))
    np.add.at(vec, gi, gvec)
    cov = np.bincount(gi, weights=cover, minlength=len(nodes))
    return ContactRows(
        nodes.astype(np.int64), indptr.astype(np.int64), rcol.astype(np.int64),
        col_owner[first].astype(np.int32), wsum, vec, cov,
    )  # fmt: skip
