"""Meshes with material (cell) and boundary/interface (facet) tags.

Every mesh the solver sees is a :class:`TaggedMesh`: a DOLFINx mesh distributed with
*shared-facet* ghosting (interface integrals in parallel need both cells of every
facet on the process that integrates it), its cell tags (one tag per material
region), its facet tags (boundaries and interfaces) and the physical names of those
tags.  Lengths are in metres.

Three ways in:

* :func:`from_gmsh_model` — a gmsh model with physical groups (what the builders in
  :mod:`fe_interface.geometry` produce);
* :func:`read_msh` — a ``.msh`` file with physical groups;
* :func:`tag_mesh` — a DOLFINx mesh (e.g. ``create_box``) tagged by Python markers,
  with the facets between two materials found from the cell tags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from mpi4py import MPI

import dolfinx
import dolfinx.io.gmsh
import numpy as np
from dolfinx.mesh import GhostMode, Mesh, MeshTags

from fe_interface.errors import MeshError

__all__ = [
    "TaggedMesh",
    "MeshError",
    "from_gmsh_model",
    "read_msh",
    "tag_mesh",
    "material_contact_facets",
    "ghosted_partitioner",
]


class TaggedMesh(NamedTuple):
    """A mesh with its cell tags (materials) and facet tags (boundaries, interfaces).

    Attributes:
        mesh: distributed DOLFINx mesh (coordinates in m), shared-facet ghosting.
        cell_tags: one positive integer per cell: the material region.
        facet_tags: tagged facets: outer boundaries and internal interfaces.
        cell_names: physical name -> cell tag.
        facet_names: physical name -> facet tag.
    """

    mesh: Mesh
    cell_tags: MeshTags
    facet_tags: MeshTags
    cell_names: dict[str, int]
    facet_names: dict[str, int]

    def cell_tag(self, key: str | int) -> int:
        """Cell tag for a physical name or tag; raises :class:`MeshError` if absent."""
        return _lookup(key, self.cell_names, self.cell_tags, "material (cell) group")

    def facet_tag(self, key: str | int) -> int:
        """Facet tag for a physical name or tag; raises :class:`MeshError` if absent."""
        return _lookup(key, self.facet_names, self.facet_tags, "boundary/interface (facet) group")


def _lookup(key: str | int, names: Mapping[str, int], tags: MeshTags, what: str) -> int:
    if isinstance(key, str):
        if key not in names:
            raise MeshError(
                f"unknown {what} name {key!r}; the mesh has {sorted(names) or 'no named groups'}"
            )
        return int(names[key])
    comm = tags.topology.comm
    present = np.unique(tags.values)
    all_present = np.unique(np.concatenate(comm.allgather(present)))
    if int(key) not in all_present:
        raise MeshError(f"unknown {what} tag {key}; the mesh has tags {all_present.tolist()}")
    return int(key)


def ghosted_partitioner():
    """Cell partitioner with shared-facet ghosting (needed by interface integrals)."""
    return dolfinx.mesh.create_cell_partitioner(GhostMode.shared_facet, 2)


def from_gmsh_model(
    model, comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, gdim: int | None = None
) -> TaggedMesh:
    """Build a :class:`TaggedMesh` from a meshed gmsh model with physical groups.

    Args:
        model: ``gmsh.model`` holding a mesh (on ``rank``).
        comm: communicator to distribute the mesh over.
        rank: rank holding the gmsh model.
        gdim: geometric dimension; defaults to the model's dimension.

    Raises:
        MeshError: no physical group for cells or for facets.
    """
    if gdim is None:
        gdim = comm.bcast(model.getDimension() if comm.rank == rank else None, root=rank)
    data = dolfinx.io.gmsh.model_to_mesh(
        model, comm, rank, gdim=gdim, partitioner=ghosted_partitioner()
    )
    tdim = data.mesh.topology.dim
    cell_names = {n: int(g.tag) for n, g in data.physical_groups.items() if g.dim == tdim}
    facet_names = {n: int(g.tag) for n, g in data.physical_groups.items() if g.dim == tdim - 1}
    if data.cell_tags is None or not cell_names:
        raise MeshError("the gmsh model has no physical group of cells (materials)")
    facet_tags = data.facet_tags
    if facet_tags is None:
        data.mesh.topology.create_entities(tdim - 1)
        facet_tags = dolfinx.mesh.meshtags(
            data.mesh, tdim - 1, np.empty(0, np.int32), np.empty(0, np.int32)
        )
    return TaggedMesh(data.mesh, data.cell_tags, facet_tags, cell_names, facet_names)


def read_msh(path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD, gdim: int | None = None):
    """Read a gmsh ``.msh`` file with physical groups into a :class:`TaggedMesh`."""
    import gmsh

    path = Path(path)
    if not path.is_file():
        raise MeshError(f"mesh file not found: {path}")
    initialised = gmsh.isInitialized()
    if not initialised:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        if comm.rank == 0:
            gmsh.model.add(path.stem)
            gmsh.merge(str(path))
        return from_gmsh_model(gmsh.model, comm, 0, gdim)
    finally:
        if comm.rank == 0:
            gmsh.model.remove()
        if not initialised:
            gmsh.finalize()


def material_contact_facets(mesh: Mesh, cell_tags: MeshTags) -> dict[tuple[int, int], np.ndarray]:
    """Local facets where two different materials meet, keyed by (lower tag, higher tag).

    Includes ghost facets shared with other processes (both cells must be local: use
    shared-facet ghosting).
    """
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    imap = mesh.topology.index_map(tdim)
    cell_mat = np.zeros(imap.size_local + imap.num_ghosts, dtype=np.int64)
    cell_mat[cell_tags.indices] = cell_tags.values
    off, arr = f2c.offsets, f2c.array
    two = np.flatnonzero(off[1:] - off[:-1] == 2)
    start = off[two]
    m0 = cell_mat[arr[start]]
    m1 = cell_mat[arr[start + 1]]
    diff = np.flatnonzero(m0 != m1)
    fac = two[diff].astype(np.int32)
    lo = np.minimum(m0[diff], m1[diff])
    hi = np.maximum(m0[diff], m1[diff])
    span = int(hi.max(initial=0)) + 1
    key = lo * span + hi
    return {(int(k // span), int(k % span)): fac[key == k] for k in np.unique(key)}


Marker = Callable[[np.ndarray], np.ndarray]


def tag_mesh(
    mesh: Mesh,
    cells: Mapping[str, tuple[int, Marker]],
    boundaries: Mapping[str, tuple[int, Marker]] | None = None,
    interfaces: Mapping[str, tuple[int, tuple[str, str]]] | None = None,
) -> TaggedMesh:
    """Tag a DOLFINx mesh with Python markers.

    Args:
        mesh: mesh created with ``ghost_mode=GhostMode.shared_facet``.
        cells: name -> (tag, marker(x) -> bool per midpoint), later entries win.
        boundaries: name -> (tag, marker(x) -> bool on boundary facets).
        interfaces: name -> (tag, (material name, material name)); the facets
            between those two materials get the tag.

    Raises:
        MeshError: a cell left without a material, or an interface whose two
            materials never touch.
    """
    tdim = mesh.topology.dim
    mesh.topology.create_entities(tdim - 1)
    imap = mesh.topology.index_map(tdim)
    ncells = imap.size_local + imap.num_ghosts
    midpoints = dolfinx.mesh.compute_midpoints(mesh, tdim, np.arange(ncells, dtype=np.int32))
    values = np.zeros(ncells, dtype=np.int32)
    for _, (tag, marker) in cells.items():
        values[np.asarray(marker(midpoints.T), dtype=bool)] = tag
    if np.any(values == 0):
        raise MeshError(f"{int(np.sum(values == 0))} cells are not inside any material marker")
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, np.arange(ncells, dtype=np.int32), values)
    cell_names = {n: t for n, (t, _) in cells.items()}

    fidx: list[np.ndarray] = []
    fval: list[np.ndarray] = []
    for _, (tag, marker) in (boundaries or {}).items():
        f = dolfinx.mesh.locate_entities_boundary(mesh, tdim - 1, marker)
        fidx.append(f)
        fval.append(np.full(f.size, tag, dtype=np.int32))
    if interfaces:
        contact = material_contact_facets(mesh, cell_tags)
        for name, (tag, (ma, mb)) in interfaces.items():
            a, b = sorted((cell_names[ma], cell_names[mb]))
            f = contact.get((a, b), np.empty(0, np.int32))
            if mesh.comm.allreduce(f.size) == 0:
                raise MeshError(f"interface {name!r}: materials {ma!r} and {mb!r} never touch")
            fidx.append(f)
            fval.append(np.full(f.size, tag, dtype=np.int32))
    idx = np.concatenate(fidx) if fidx else np.empty(0, np.int32)
    val = np.concatenate(fval) if fval else np.empty(0, np.int32)
    idx, first = np.unique(idx, return_index=True)
    facet_tags = dolfinx.mesh.meshtags(mesh, tdim - 1, idx.astype(np.int32), val[first])
    facet_names = {n: t for n, (t, _) in (boundaries or {}).items()}
    facet_names |= {n: t for n, (t, _) in (interfaces or {}).items()}
    return TaggedMesh(mesh, cell_tags, facet_tags, cell_names, facet_names)
