"""Tagged unit squares and cubes (optionally curved), and partition-independent views of
fields on the broken space."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mpi4py import MPI

import basix.ufl
import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh

from fe_interface.mesh import TaggedMesh, ghosted_partitioner, material_contact_facets

CELLS = {
    "triangle": (2, dmesh.CellType.triangle),
    "quadrilateral": (2, dmesh.CellType.quadrilateral),
    "tetrahedron": (3, dmesh.CellType.tetrahedron),
    "hexahedron": (3, dmesh.CellType.hexahedron),
}

Marker = Callable[[np.ndarray], np.ndarray]


def bend(x: np.ndarray) -> np.ndarray:
    """A smooth map of the unit square/cube onto itself that keeps y and z and bends the
    planes x = const (except x = 0 and x = 1): x' = x + 0.2 x (1 − x) sin(2πy) cos(πz/2).

    With second-order geometry the cells become curved and the plane x = 1/2 a curved
    interface; the faces x = 0, x = 1, y = 0, y = 1 stay plane.
    """
    y = x.copy()
    y[:, 0] += (
        0.2 * x[:, 0] * (1 - x[:, 0]) * np.sin(2 * np.pi * x[:, 1]) * np.cos(0.5 * np.pi * x[:, 2])
    )
    return y


def tagged_box(
    cell: str,
    n: int | tuple[int, ...],
    regions: Mapping[str, tuple[int, Marker]],
    boundaries: Mapping[str, tuple[int, Marker]] | None = None,
    interfaces: Mapping[str, tuple[int, tuple[str, str]]] | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    order: int = 1,
    deform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> TaggedMesh:
    """The unit square or cube, tagged, with shared-facet ghosting.

    The mesh is built on rank 0 with Lagrange geometry of ``order`` (its nodes mapped by
    ``deform``) and distributed; regions are assigned on the *undeformed* mesh, so they
    follow the deformation exactly whatever it does to the cell midpoints.

    Args:
        cell: a key of :data:`CELLS`.
        n: cells per direction (one number for all).
        regions: name -> (tag, marker of the undeformed cell midpoints (3, n)); later
            entries win; every cell must be marked.
        boundaries: name -> (tag, marker of the deformed outer facets' points).
        interfaces: name -> (tag, (region, region)): the facets between the two regions.
        comm: communicator.
        order: geometry degree (2: curved cells when ``deform`` is not affine).
        deform: map of the node coordinates (n, 3) -> (n, 3), or None.

    Returns:
        The :class:`~fe_interface.mesh.TaggedMesh`.
    """
    dim, ct = CELLS[cell]
    nn = (n,) * dim if isinstance(n, int) else tuple(n)
    element = basix.ufl.element("Lagrange", cell, order, shape=(dim,))
    region_of_input = None
    if comm.rank == 0:
        if dim == 2:
            ref = dmesh.create_unit_square(MPI.COMM_SELF, *nn, ct)
        else:
            ref = dmesh.create_unit_cube(MPI.COMM_SELF, *nn, ct)
        V = fem.functionspace(ref, ("Lagrange", order))
        x = V.tabulate_dof_coordinates()
        cells = V.dofmap.list.astype(np.int64)
        ncells = cells.shape[0]
        mid = dmesh.compute_midpoints(ref, dim, np.arange(ncells, dtype=np.int32))
        region_of_input = np.zeros(ncells, dtype=np.int32)
        for tag, marker in regions.values():
            region_of_input[np.asarray(marker(mid.T), dtype=bool)] = tag
        if np.any(region_of_input == 0):
            raise ValueError("tagged_box: some cells are in no region")
        if deform is not None:
            x = deform(x)
        x = x[:, :dim]
    region_of_input = comm.bcast(region_of_input, root=0)
    nodes = comm.bcast(cells.shape[1] if comm.rank == 0 else None, root=0)
    if comm.rank != 0:
        x = np.empty((0, dim))
        cells = np.empty((0, nodes), dtype=np.int64)
    mesh = dmesh.create_mesh(comm, cells, element, x, partitioner=ghosted_partitioner())
    tdim = mesh.topology.dim
    mesh.topology.create_entities(tdim - 1)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    imap = mesh.topology.index_map(tdim)
    local = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    values = region_of_input[np.asarray(mesh.topology.original_cell_index)[local]]
    cell_tags = dmesh.meshtags(mesh, tdim, local, values.astype(np.int32))
    cell_names = {name: tag for name, (tag, _) in regions.items()}
    idx, val = [], []
    for tag, marker in (boundaries or {}).values():
        f = dmesh.locate_entities_boundary(mesh, tdim - 1, marker)
        idx.append(f)
        val.append(np.full(f.size, tag, dtype=np.int32))
    if interfaces:
        contact = material_contact_facets(mesh, cell_tags)
        for tag, (a, b) in interfaces.values():
            lo, hi = sorted((cell_names[a], cell_names[b]))
            f = contact.get((lo, hi), np.empty(0, np.int32))
            idx.append(f)
            val.append(np.full(f.size, tag, dtype=np.int32))
    idx = np.concatenate(idx) if idx else np.empty(0, np.int32)
    val = np.concatenate(val) if val else np.empty(0, np.int32)
    idx, first = np.unique(idx, return_index=True)
    facet_tags = dmesh.meshtags(mesh, tdim - 1, idx.astype(np.int32), val[first])
    facet_names = {name: tag for name, (tag, _) in (boundaries or {}).items()}
    facet_names |= {name: tag for name, (tag, _) in (interfaces or {}).items()}
    return TaggedMesh(mesh, cell_tags, facet_tags, cell_names, facet_names)


def owned_copies(space: fem.FunctionSpace, colour: np.ndarray, values: np.ndarray | None = None):
    """Every owned dof copy of all ranks as rows (colour, x, y, z[, value]), sorted (the
    same on every rank): a partition-independent view of the broken space.

    Args:
        space: the broken space.
        colour: colour of every local copy.
        values: optional local values (e.g. ``T.x.array``) appended as a last column.
    """
    n = space.dofmap.index_map.size_local
    cols = [colour[:n].astype(float)[:, None], space.tabulate_dof_coordinates()[:n]]
    if values is not None:
        cols.append(np.asarray(values)[:n, None])
    rows = np.concatenate(space.mesh.comm.allgather(np.hstack(cols)))
    rows[:, 1:4] = np.round(rows[:, 1:4], 12) + 0.0  # + 0.0: no negative zeros
    return rows[np.lexsort(rows.T[::-1])]


def copies_at(rows: np.ndarray, point, tol: float = 1e-10) -> np.ndarray:
    """The colours of the rows of :func:`owned_copies` at ``point`` (sorted)."""
    p = np.zeros(3)
    p[: len(point)] = point
    at = np.all(np.abs(rows[:, 1:4] - p) < tol, axis=1)
    return np.sort(rows[at, 0]).astype(int)
