"""Topology helpers on distributed meshes (collective where they say so)."""

from __future__ import annotations

from typing import NamedTuple

from mpi4py import MPI

import numpy as np
from dolfinx.mesh import Mesh

__all__ = [
    "RegionAdjacency",
    "facet_cells",
    "find_root",
    "gather_pairs",
    "region_adjacency",
    "region_vertex_pairs",
    "unique_pairs",
]


def find_root(parent: dict[int, int], a: int) -> int:
    """Union-find root of ``a`` (with path halving)."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def facet_cells(mesh: Mesh, facets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number of local cells of each facet and the first two cells (−1 if absent)."""
    tdim = mesh.topology.dim
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    off = f2c.offsets
    n = off[facets + 1] - off[facets]
    c0 = f2c.array[off[facets]]
    c1 = np.where(n > 1, f2c.array[np.minimum(off[facets] + 1, f2c.array.size - 1)], -1)
    return n, np.stack([c0, c1])


def unique_pairs(a: np.ndarray, b: np.ndarray) -> set[tuple[int, int]]:
    """Distinct unordered pairs (min, max) of two integer arrays, a ≠ b."""
    keep = a != b
    if not np.any(keep):
        return set()
    lo = np.minimum(a[keep], b[keep]).astype(np.int64)
    hi = np.maximum(a[keep], b[keep]).astype(np.int64)
    R = int(hi.max()) + 1
    key = np.unique(lo * R + hi)
    return {(int(x), int(y)) for x, y in zip(key // R, key % R, strict=True)}


class RegionAdjacency(NamedTuple):
    """Which regions touch (gathered over all ranks).

    Attributes:
        vertex_pairs: region pairs sharing at least one vertex.
        facet_pairs: region pairs sharing a facet that is not marked (e.g. not a
            resistive interface): regions in perfect contact.
    """

    vertex_pairs: set[tuple[int, int]]
    facet_pairs: set[tuple[int, int]]


def region_adjacency(
    mesh: Mesh, cell_region: np.ndarray, marked_facets: np.ndarray | None = None
) -> RegionAdjacency:
    """Region pairs sharing a vertex, and sharing an unmarked facet (collective).

    One pass over the facets: a facet whose two cells lie in different regions is a
    *region-boundary* facet.  The cells around a vertex are connected through facets
    that contain the vertex, so a vertex touched by several regions lies on a
    region-boundary facet, and every region at that vertex is the region of a cell of
    such a facet: the vertex pairs follow from the region-boundary facets alone (also
    for regions that touch only at a vertex or an edge).  A facet is seen by the rank
    that owns it, which has both of its cells (shared-facet ghosting).

    Args:
        mesh: the mesh (facets created: facet-cell and facet-vertex connectivity).
        cell_region: region tag of every local cell (ghosts included).
        marked_facets: local facet -> True for facets whose two regions do not count as
            in contact (resistive interfaces).
    """
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    off, arr = f2c.offsets, f2c.array
    region = cell_region.astype(np.int64)
    r0 = region[arr[off[:-1]]]  # first and last cell: the same one on the boundary
    r1 = region[arr[off[1:] - 1]]
    bf = np.flatnonzero(r0 != r1)
    r0, r1 = r0[bf], r1[bf]
    keep = np.ones(bf.size, dtype=bool) if marked_facets is None else ~marked_facets[bf]
    facet_local = unique_pairs(r0[keep], r1[keep])
    # (vertex, region) of the region-boundary facets, grouped by vertex
    f2v = mesh.topology.connectivity(tdim - 1, 0)
    nv = int(f2v.offsets[1] - f2v.offsets[0]) if f2v.offsets.size > 1 else 0
    verts = f2v.array.reshape(-1, nv)[bf] if bf.size else np.empty((0, nv), np.int32)
    v = np.concatenate([verts.ravel(), verts.ravel()]).astype(np.int64)
    r = np.concatenate([np.repeat(r0, nv), np.repeat(r1, nv)])
    R = int(region.max(initial=0)) + 1
    key = np.unique(v * R + r)
    kv, kr = key // R, key % R
    vertex_local: set[tuple[int, int]] = set()
    d = 1
    while d < kv.size:
        same = kv[d:] == kv[:-d]
        if not np.any(same):
            break
        vertex_local |= unique_pairs(kr[:-d][same], kr[d:][same])
        d += 1
    return RegionAdjacency(
        gather_pairs(mesh.comm, vertex_local), gather_pairs(mesh.comm, facet_local)
    )


def region_vertex_pairs(mesh: Mesh, cell_region: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of regions sharing a vertex (gathered over all ranks)."""
    return region_adjacency(mesh, cell_region).vertex_pairs


def gather_pairs(comm: MPI.Comm, local: set) -> set:
    """Union of per-rank sets (collective)."""
    out: set = set()
    for s in comm.allgather(local):
        out |= s
    return out
