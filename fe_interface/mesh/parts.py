"""Parts meshed separately, joined into one mesh whose cells do not connect across parts.

Bodies meshed on their own — imported meshes, different cell sizes per part, parts
that touch without matching facets — become one :class:`~fe_interface.mesh.TaggedMesh`:
every part keeps its own nodes (nodes that coincide are *not* merged), so the parts are
disconnected pieces of one distributed DOLFINx mesh, and non-matching interface pairs
(:class:`~fe_interface.model.pairs.InterfacePair`) couple their surfaces.

Groups are identified by name: a region or facet group name used in two parts is one
group of the joined mesh (the same material in both, say); tags are renumbered 1, 2, ...
in order of first appearance (unnamed tags become names ``"<tag>"``).  Lengths in m.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import basix.ufl
import dolfinx
import numpy as np
import ufl
from dolfinx.graph import adjacencylist
from dolfinx.io import distribute_entity_data

from fe_interface.errors import MeshError, agree
from fe_interface.mesh.tagged import TaggedMesh, ghosted_partitioner, read_msh

__all__ = ["join_parts", "read_parts"]


def _names(names: dict[str, int], values: np.ndarray) -> dict[int, str]:
    inv = {int(t): n for n, t in names.items()}
    return {int(t): inv.get(int(t), str(int(t))) for t in np.unique(values)}


def _collect(parts: Sequence[TaggedMesh]) -> dict[str, Any]:
    """The parts' nodes, cells and tagged entities in one numbering (on one process)."""
    m0 = parts[0].mesh
    tdim = m0.topology.dim
    kind = (m0.topology.cell_type, m0.geometry.cmaps[0].degree, m0.geometry.dim)
    xs, cells, cvals, facets, fvals = [], [], [], [], []
    cell_names: dict[str, int] = {}
    facet_names: dict[str, int] = {}
    offset = 0
    for k, p in enumerate(parts):
        m = p.mesh
        if (m.topology.cell_type, m.geometry.cmaps[0].degree, m.geometry.dim) != kind:
            raise MeshError(
                f"part {k}: cell type, geometry order or dimension differs from part 0 "
                "(one cell type per mesh)"
            )
        if m.comm.size != 1:
            raise MeshError(f"part {k}: a part must be a serial mesh (MPI.COMM_SELF)")
        gdim = m.geometry.dim
        xs.append(m.geometry.x[:, :gdim])
        cells.append(m.geometry.dofmaps[0].astype(np.int64) + offset)
        n = m.topology.index_map(tdim).size_local
        region = np.zeros(n, dtype=np.int64)
        region[p.cell_tags.indices] = p.cell_tags.values
        for t, name in _names(p.cell_names, region).items():
            cell_names.setdefault(name, len(cell_names) + 1)
            region[region == t] = -cell_names[name]
        cvals.append(-region)
        ft = p.facet_tags
        if len(ft.indices):
            m.topology.create_connectivity(tdim - 1, tdim)
            geo = dolfinx.mesh.entities_to_geometry(m, tdim - 1, ft.indices)
            facets.append(geo.astype(np.int64) + offset)
            vals = ft.values.astype(np.int64)
            out = np.zeros_like(vals)
            for t, name in _names(p.facet_names, vals).items():
                facet_names.setdefault(name, len(facet_names) + 1)
                out[vals == t] = facet_names[name]
            fvals.append(out)
        offset += len(xs[-1])
    if any(np.any(v <= 0) for v in cvals):
        raise MeshError("a part has cells without a region (cell tag)")
    clash = sorted(set(cell_names) & set(facet_names))
    if clash:
        raise MeshError(f"names {clash} are used for a region and for a facet group")
    nf = facets[0].shape[1] if facets else 0
    return {
        "x": np.concatenate(xs),
        "cells": np.concatenate(cells),
        "cell_values": np.concatenate(cvals).astype(np.int32),
        "facets": np.concatenate(facets) if facets else np.zeros((0, nf), np.int64),
        "facet_values": np.concatenate(fvals).astype(np.int32) if fvals else np.zeros(0, np.int32),
        "names": (cell_names, facet_names),
        "domain": (m0.topology.cell_type.name, m0.geometry.cmaps[0].degree),
        "gdim": m0.geometry.dim,
        "tdim": tdim,
    }


def join_parts(
    parts: Sequence[TaggedMesh] | None, comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0
) -> TaggedMesh:
    """One mesh of parts meshed separately (see the module docstring; collective).

    Args:
        parts: on ``rank``, the parts as serial meshes (``MPI.COMM_SELF``) with their
            tags; ignored on the other processes (None there).
        comm: the communicator to distribute the joined mesh over.
        rank: the process holding the parts.

    Raises:
        MeshError: parts of different cell types or orders, a part that is not serial,
            untagged cells, a name used for a region and a facet group.
    """
    data, err = None, None
    if comm.rank == rank:
        try:
            if not parts:
                raise MeshError("join_parts: no parts given")
            data = _collect(parts)
        except MeshError as e:
            err = e
    agree(comm, err)
    meta = comm.bcast(
        None if data is None else (data["names"], data["domain"], data["gdim"], data["tdim"]),
        root=rank,
    )
    (cell_names, facet_names), (cell, order), gdim, tdim = meta
    domain = ufl.Mesh(basix.ufl.element("Lagrange", cell, order, shape=(gdim,)))
    nn = domain.ufl_coordinate_element().basix_element.dim
    if data is None:
        data = {
            "x": np.zeros((0, gdim)), "cells": np.zeros((0, nn), np.int64),
            "cell_values": np.zeros(0, np.int32), "facets": np.zeros((0, 1), np.int64),
            "facet_values": np.zeros(0, np.int32),
        }  # fmt: skip
    mesh = dolfinx.mesh.create_mesh(
        comm, data["cells"], domain, data["x"], partitioner=ghosted_partitioner()
    )
    tags = []
    for dim, ent, val in (
        (tdim, data["cells"], data["cell_values"]),
        (tdim - 1, data["facets"], data["facet_values"]),
    ):
        etype = dolfinx.cpp.mesh.cell_entity_type(mesh.topology.cell_type, dim, 0)
        nv = dolfinx.cpp.mesh.cell_num_vertices(etype)
        ent = ent[:, :nv] if len(ent) else np.zeros((0, nv), np.int64)
        mesh.topology.create_connectivity(dim, tdim)
        local, values = distribute_entity_data(mesh, dim, ent, val)
        tags.append(
            dolfinx.mesh.meshtags_from_entities(
                mesh, dim, adjacencylist(local), values.astype(np.int32, copy=False)
            )
        )
    mesh.topology.create_connectivity(tdim - 1, tdim)
    return TaggedMesh(mesh, tags[0], tags[1], dict(cell_names), dict(facet_names))


def read_parts(paths: Sequence[str | Path], comm: MPI.Comm = MPI.COMM_WORLD) -> TaggedMesh:
    """Join gmsh ``.msh`` files, one part each, into one mesh (collective; rank 0 reads).

    Raises:
        MeshError: naming the file that cannot be read, or what cannot be joined.
    """
    parts, err = None, None
    if comm.rank == 0:
        try:
            parts = [read_msh(p, MPI.COMM_SELF) for p in paths]
        except MeshError as e:
            err = e
    agree(comm, err)
    return join_parts(parts, comm)
