"""Topology helpers on distributed meshes (collective where they say so)."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx.mesh import Mesh

__all__ = ["facet_cells", "find_root", "gather_pairs", "region_vertex_pairs", "unique_pairs"]


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


def region_vertex_pairs(mesh: Mesh, cell_region: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of regions sharing a vertex (gathered over all ranks)."""
    tdim = mesh.topology.dim
    c2v = mesh.topology.connectivity(tdim, 0)
    ncell = cell_region.size
    nv = np.diff(c2v.offsets[: ncell + 1])
    verts = c2v.array[: c2v.offsets[ncell]]
    regs = np.repeat(cell_region, nv)
    # keep only vertices touched by two or more regions, then sort (vertex, region)
    # by a 1-D key (np.unique on rows is a slow sort)
    nvert = int(verts.max()) + 1 if verts.size else 0
    # vertices touched by two or more regions: store one region per vertex (any write
    # wins), then every cell whose region differs marks its vertices (no ufunc.at)
    vreg = np.zeros(nvert, dtype=regs.dtype)
    vreg[verts] = regs
    multi = np.zeros(nvert, dtype=bool)
    multi[verts[regs != vreg[verts]]] = True
    sel = multi[verts]
    R = int(cell_region.max()) + 1 if cell_region.size else 1
    key = np.unique(verts[sel].astype(np.int64) * R + regs[sel])
    v, r = key // R, key % R
    local: set[tuple[int, int]] = set()
    d = 1
    while d < v.size:
        same = v[d:] == v[:-d]
        if not np.any(same):
            break
        local |= unique_pairs(r[:-d][same], r[d:][same])
        d += 1
    return gather_pairs(mesh.comm, local)


def gather_pairs(comm: MPI.Comm, local: set) -> set:
    """Union of per-rank sets (collective)."""
    out: set = set()
    for s in comm.allgather(local):
        out |= s
    return out
