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


def _find(parent: dict[int, int], a: int) -> int:
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
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    block = {r: _find(parent, r) for r in regions}
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
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return {(int(x), int(y)) for x, y in np.unique(np.stack([lo, hi], axis=1), axis=0)}


def region_vertex_pairs(mesh: Mesh, cell_region: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of regions sharing a vertex (gathered over all ranks)."""
    tdim = mesh.topology.dim
    c2v = mesh.topology.connectivity(tdim, 0)
    ncell = cell_region.size
    nv = np.diff(c2v.offsets[: ncell + 1])
    verts = c2v.array[: c2v.offsets[ncell]]
    regs = np.repeat(cell_region, nv)
    vr = np.unique(np.stack([verts, regs], axis=1), axis=0)  # sorted by vertex
    local: set[tuple[int, int]] = set()
    d = 1
    while d < vr.shape[0]:
        same = vr[d:, 0] == vr[:-d, 0]
        if not np.any(same):
            break
        local |= unique_pairs(vr[:-d, 1][same], vr[d:, 1][same])
        d += 1
    return gather_pairs(mesh.comm, local)


class ColourSpace(NamedTuple):
    """One colour: its submesh, the map to the parent mesh, and the Lagrange space."""

    submesh: Mesh
    entity_map: dolfinx.mesh.EntityMap
    space: fem.FunctionSpace
    parent_cells: np.ndarray  # submesh cell -> parent cell (local, with ghosts)


def build_colour_spaces(
    tagged: TaggedMesh, cell_colour: np.ndarray, num_colours: int, degree: int
) -> list[ColourSpace]:
    """A submesh (with ghost cells) and a Lagrange space of ``degree`` per colour."""
    mesh = tagged.mesh
    tdim = mesh.topology.dim
    out = []
    for c in range(num_colours):
        cells = np.flatnonzero(cell_colour == c).astype(np.int32)
        sub, emap, _, _ = dolfinx.mesh.create_submesh(mesh, tdim, cells)
        V = fem.functionspace(sub, ("Lagrange", degree))
        sub_imap = sub.topology.index_map(tdim)
        nsub = sub_imap.size_local + sub_imap.num_ghosts
        parent = emap.sub_topology_to_topology(np.arange(nsub, dtype=np.int32), inverse=False)
        out.append(ColourSpace(sub, emap, V, np.asarray(parent, dtype=np.int32)))
    return out


def gather_pairs(comm: MPI.Comm, local: set) -> set:
    """Union of per-rank sets."""
    out: set = set()
    for s in comm.allgather(local):
        out |= s
    return out
