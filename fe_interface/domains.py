"""Which regions share a function space, and the integration data for interfaces.

Design (why the cost does not grow with the number of materials)
----------------------------------------------------------------
Temperature is continuous inside a region and across perfect-contact facets, and
may jump across resistive interfaces.  Regions joined by perfect contact form a
*block*.  Blocks are *coloured* so that two blocks that share a mesh vertex get
different colours; each colour is one DOLFINx submesh with one Lagrange space.  A
50-layer stack needs two colours (alternating layers), a triple junction three,
whatever the number of materials.  The unknowns are the temperatures of the colours
(``ufl.MixedFunctionSpace``); interface terms are interior-facet integrals on the
parent mesh with entity maps, with the facet data ordered so that the '+' cell is
always on the chosen side (DOLFINx picks '+' arbitrarily otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx import fem
from dolfinx.mesh import Mesh

from fe_interface.materials import InputError
from fe_interface.mesh import TaggedMesh

__all__ = ["Colouring", "colour_regions", "ColourSpace", "build_colour_spaces", "facet_cells"]


class Colouring(NamedTuple):
    """Assignment of regions (cell tags) to colours (function spaces)."""

    colour_of_region: dict[int, int]
    num_colours: int
    block_of_region: dict[int, int]


def find_root(parent: dict[int, int], a: int) -> int:
    """Union-find root of ``a`` (with path halving)."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def colour_regions(
    regions: Sequence[int],
    perfect_pairs: set[tuple[int, int]],
    resistive_pairs: Mapping[tuple[int, int], str],
    vertex_pairs: set[tuple[int, int]],
) -> Colouring:
    """Group regions into blocks (perfect contact) and colour the blocks.

    Args:
        regions: all region tags.
        perfect_pairs: region pairs in perfect contact somewhere.
        resistive_pairs: region pairs separated by a resistive interface -> its name.
        vertex_pairs: region pairs sharing at least one mesh vertex.

    Raises:
        InputError: a resistive interface inside one block (the two regions are also
            joined by perfect contact, directly or through other regions).
    """
    parent = {r: r for r in regions}
    for a, b in sorted(perfect_pairs):
        ra, rb = find_root(parent, a), find_root(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    block = {r: find_root(parent, r) for r in regions}
    for (a, b), name in sorted(resistive_pairs.items()):
        if block[a] == block[b]:
            raise InputError(
                f"interface {name!r} separates regions {a} and {b}, which are also joined by "
                "perfect contact (directly or through other regions): tag every facet between "
                "them as the interface, or split the regions"
            )
    blocks = sorted(set(block.values()))
    conflicts: dict[int, set[int]] = {b: set() for b in blocks}
    for a, b in vertex_pairs:
        ba, bb = block[a], block[b]
        if ba != bb:
            conflicts[ba].add(bb)
            conflicts[bb].add(ba)
    # Greedy colouring, largest degree first (deterministic on every rank).
    colour: dict[int, int] = {}
    for b in sorted(blocks, key=lambda b: (-len(conflicts[b]), b)):
        used = {colour[n] for n in conflicts[b] if n in colour}
        colour[b] = next(c for c in range(len(blocks) + 1) if c not in used)
    ncol = max(colour.values()) + 1 if colour else 0
    return Colouring({r: colour[block[r]] for r in regions}, ncol, block)


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
    vmin = np.full(nvert, np.iinfo(np.int64).max, dtype=np.int64)
    vmax = np.full(nvert, np.iinfo(np.int64).min, dtype=np.int64)
    np.minimum.at(vmin, verts, regs)
    np.maximum.at(vmax, verts, regs)
    sel = (vmin != vmax)[verts]
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


class ColourSpace(NamedTuple):
    """One colour: its submesh, the map to the parent mesh, and the Lagrange space.

    The submesh holds the cells of the colour plus a *halo*: the cell on the far side
    of every resistive interface facet of the colour.  Interface integrals then map
    both cells of a facet to real submesh cells (DOLFINx 0.11 maps a missing cell to
    bogus dofs, which makes dense rows of stored zeros and slows assembly and AMG),
    and only halo dofs that no cell of the colour touches are *inactive*: they are
    fixed to 0 by a Dirichlet condition and carry no physics.
    """

    submesh: Mesh
    entity_map: dolfinx.mesh.EntityMap
    space: fem.FunctionSpace
    parent_cells: np.ndarray  # submesh cell -> parent cell (local, with ghosts)
    active: np.ndarray  # submesh cell -> True if it belongs to the colour (not halo)
    inactive_dofs: np.ndarray  # local dofs touched by halo cells only


def build_colour_spaces(
    tagged: TaggedMesh,
    cell_colour: np.ndarray,
    num_colours: int,
    degree: int,
    interface_cells: np.ndarray,
) -> list[ColourSpace]:
    """A submesh (with ghost and halo cells) and a Lagrange space per colour.

    Args:
        interface_cells: (2, n) the two local cells of every resistive interface facet.
    """
    mesh = tagged.mesh
    tdim = mesh.topology.dim
    out = []
    ic = np.asarray(interface_cells).reshape(2, -1)
    for c in range(num_colours):
        own = cell_colour == c
        halo = np.concatenate([ic[1][own[ic[0]]], ic[0][own[ic[1]]]])
        mask = own.copy()
        mask[halo] = True
        cells = np.flatnonzero(mask).astype(np.int32)
        sub, emap, _, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells)
        V = fem.functionspace(sub, ("Lagrange", degree))
        sub_imap = sub.topology.index_map(tdim)
        nsub = sub_imap.size_local + sub_imap.num_ghosts
        parent = np.asarray(
            emap.sub_topology_to_topology(np.arange(nsub, dtype=np.int32), inverse=False),
            dtype=np.int32,
        )
        active = own[parent]
        dofs = V.dofmap.list
        # a dof is active if an active cell on *any* rank touches it
        touched = dolfinx.la.vector(V.dofmap.index_map, dtype=np.float64)
        touched.array[dofs[active].ravel()] = 1.0
        touched.scatter_reverse(dolfinx.la.InsertMode.add)
        touched.scatter_forward()
        inactive = np.setdiff1d(dofs[~active].ravel(), np.flatnonzero(touched.array > 0))
        inactive = inactive.astype(np.int32)
        out.append(ColourSpace(sub, emap, V, parent, active, inactive))
    return out


def gather_pairs(comm: MPI.Comm, local: set) -> set:
    """Union of per-rank sets."""
    out: set = set()
    for s in comm.allgather(local):
        out |= s
    return out
