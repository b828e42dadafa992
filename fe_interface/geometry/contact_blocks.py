"""Structured meshes for contact problems.

Two blocks stacked on a flat interface, graded towards the contact (lengths in m).

The last coordinate is vertical: the ``lower`` block fills z ∈ [−H_l, 0], the ``upper``
block z ∈ [0, H_u] (y in 2D), and the facets on z = 0 between them form the interface
``contact``.  The upper block may be narrower (``upper_extent``: a punch, a washer).
Outer facet groups are named after the plane they lie on: ``x0``/``x1`` (x = min/max of
the mesh), ``y0``/``y1`` and, in 3D, ``z0``/``z1``; ``top`` is the upper block's top
face (the maximum of the last coordinate), ``bottom`` the lower block's.  Extra groups
(``groups``: name -> (tag, marker)) are cut out of the plane groups.  Node coordinates
along each axis come from :func:`graded_nodes` (a fine uniform zone, then a geometric
growth), so one mesh resolves a contact of half-width a in a domain many times a.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mpi4py import MPI

import basix.ufl
import numpy as np
import ufl
from dolfinx import mesh as dmesh

from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh, tag_mesh
from fe_interface.mesh.tagged import ghosted_partitioner

__all__ = ["contact_blocks", "graded_nodes", "stacked_blocks"]

_CELLS = {2: ("quadrilateral", "triangle"), 3: ("hexahedron",)}


def graded_nodes(length: float, fine: float, h: float, growth: float = 1.15) -> np.ndarray:
    """Node coordinates on [0, length] (m), graded.

    Spacing h up to ``fine``, then growing by ``growth`` per cell (no sliver cell at the
    end).

    Raises:
        InputError: non-positive lengths or growth < 1.
    """
    if not (length > 0 and h > 0 and fine >= 0 and growth >= 1.0):
        raise InputError(
            f"graded_nodes: need length > 0, h > 0, fine >= 0, growth >= 1, got "
            f"{length!r}, {h!r}, {fine!r}, {growth!r}"
        )
    n_fine = max(1, round(min(fine, length) / h))
    x = [float(v) for v in np.linspace(0.0, min(n_fine * h, length), n_fine + 1)]
    step = h
    while x[-1] < length * (1 - 1e-12):
        step *= growth
        x.append(min(x[-1] + step, length))
    if len(x) > 3 and x[-1] - x[-2] < 0.5 * (x[-2] - x[-3]):
        x.pop(-2)
    return np.asarray(x)


def _grid_cells(shape: Sequence[int], keep: np.ndarray) -> np.ndarray:
    """Quadrilateral/hexahedral cells (DOLFINx tensor vertex order) of the kept grid cells.

    ``shape``: nodes per axis.
    """
    idx = np.arange(int(np.prod(shape))).reshape(shape, order="F")
    if len(shape) == 2:
        c = [idx[:-1, :-1], idx[1:, :-1], idx[:-1, 1:], idx[1:, 1:]]
    else:
        c = [
            idx[:-1, :-1, :-1], idx[1:, :-1, :-1], idx[:-1, 1:, :-1], idx[1:, 1:, :-1],
            idx[:-1, :-1, 1:], idx[1:, :-1, 1:], idx[:-1, 1:, 1:], idx[1:, 1:, 1:],
        ]  # fmt: skip
    cells = np.stack([a.ravel(order="F") for a in c], axis=1)
    return cells[keep.ravel(order="F")]


def _triangles(quads: np.ndarray) -> np.ndarray:
    """Two triangles per quadrilateral (tensor order 0 1 2 3: split along 1–2)."""
    return np.concatenate([quads[:, [0, 1, 2]], quads[:, [1, 3, 2]]])


def _structured_mesh(coords: list[np.ndarray], keep: np.ndarray, cell: str, comm: MPI.Comm) -> Any:
    """A DOLFINx mesh of the kept cells of the tensor grid ``coords`` (rank 0 builds)."""
    gdim = len(coords)
    shape = [c.size for c in coords]
    if comm.rank == 0:
        grids = np.meshgrid(*coords, indexing="ij")
        x = np.stack([g.ravel(order="F") for g in grids], axis=1)
        cells = _grid_cells(shape, keep)
        used = np.unique(cells)
        renum = np.full(x.shape[0], -1, dtype=np.int64)
        renum[used] = np.arange(used.size)
        cells, x = renum[cells], x[used]
        if cell == "triangle":
            cells = _triangles(cells)
    else:
        nv = {"quadrilateral": 4, "triangle": 3, "hexahedron": 8}[cell]
        cells, x = np.zeros((0, nv), np.int64), np.zeros((0, gdim))
    element = basix.ufl.element("Lagrange", cell, 1, shape=(gdim,))
    return dmesh.create_mesh(comm, cells, ufl.Mesh(element), x, ghosted_partitioner())


def _check_blocks(gdim: int, cell: str, lower: Any, upper: Any, groups: Mapping) -> None:
    """Check the arguments of :func:`stacked_blocks`.

    Raises:
        InputError: a cell type the dimension does not have, bad node arrays or a
            reserved group tag.
    """
    if gdim not in _CELLS or cell not in _CELLS[gdim]:
        raise InputError(
            f"stacked_blocks: cell {cell!r} not available in {gdim}D (choices: {_CELLS.get(gdim)})"
        )
    for name, a in (("lower", lower), ("upper", upper)):
        a = np.asarray(a, float)
        if a.size < 2 or a[0] != 0.0 or np.any(np.diff(a) <= 0):
            raise InputError(f"stacked_blocks: {name} must start at 0 and increase, got {a!r}")
    for name, (tag, _) in groups.items():
        if tag <= 10:
            raise InputError(f"stacked_blocks: group {name!r}: tag {tag} is reserved (use > 10)")


def stacked_blocks(
    axes: Sequence[np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    comm: MPI.Comm = MPI.COMM_WORLD,
    cell: str = "quadrilateral",
    upper_extent: float | None = None,
    groups: Mapping[str, tuple[int, Callable]] | None = None,
) -> TaggedMesh:
    """Two blocks on the interface plane (last coordinate = 0).

    Args:
        axes: node coordinates of the horizontal axes (1 in 2D, 2 in 3D), increasing, m.
        lower: node depths below the interface, 0 first, increasing, m.
        upper: node heights above the interface, 0 first, increasing, m.
        comm: communicator.
        cell: "quadrilateral" or "triangle" (2D), "hexahedron" (3D).
        upper_extent: the upper block covers only horizontal coordinates ≤ this (m,
            every horizontal axis); None: the whole width.
        groups: extra outer facet groups, name -> (tag > 10, marker(x) -> bool).

    Raises:
        InputError: a cell type the dimension does not have, or bad node arrays.
    """
    gdim = len(axes) + 1
    extra = dict(groups or {})
    _check_blocks(gdim, cell, lower, upper, extra)
    vert = np.concatenate([-np.asarray(lower, float)[::-1], np.asarray(upper, float)[1:]])
    coords = [np.asarray(a, float) for a in axes] + [vert]
    centres = np.meshgrid(*[0.5 * (c[1:] + c[:-1]) for c in coords], indexing="ij")
    up = centres[-1] > 0.0
    if upper_extent is not None:
        for c in centres[:-1]:
            up = up & (c < upper_extent)
    keep = (centres[-1] < 0.0) | up
    m = _structured_mesh(coords, keep, cell, comm)
    z = gdim - 1
    lo = [c[0] for c in coords]
    hi = [c[-1] for c in coords]

    def outside_extra(p: np.ndarray) -> np.ndarray:
        hit = np.zeros(p.shape[1], dtype=bool)
        for _, mk in extra.values():
            hit |= np.asarray(mk(p), dtype=bool)
        return ~hit

    names = "xyz"
    bnd: dict[str, tuple[int, Callable]] = {}
    for d in range(gdim - 1):
        bnd[f"{names[d]}0"] = (1 + 2 * d, lambda p, d=d: np.isclose(p[d], lo[d]) & outside_extra(p))
        bnd[f"{names[d]}1"] = (2 + 2 * d, lambda p, d=d: np.isclose(p[d], hi[d]) & outside_extra(p))
    bnd["bottom"] = (7, lambda p: np.isclose(p[z], lo[z]) & outside_extra(p))
    bnd["top"] = (8, lambda p: np.isclose(p[z], hi[z]) & outside_extra(p))
    bnd |= extra
    return tag_mesh(
        m,
        cells={"lower": (1, lambda p: p[z] < 0.0), "upper": (2, lambda p: p[z] > 0.0)},
        boundaries=bnd,
        interfaces={"contact": (10, ("upper", "lower"))},
    )


def contact_blocks(
    width: float,
    lower_height: float,
    upper_height: float,
    mesh_size: float,
    fine: float = 0.0,
    dim: int = 2,
    cell: str = "quadrilateral",
    growth: float = 1.15,
    upper_extent: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> TaggedMesh:
    """Two blocks on a flat contact (case files: ``geometry.builder = "contact_blocks"``).

    The blocks of :func:`stacked_blocks`, graded from the origin (the contact's centre,
    on a symmetry axis): size ``mesh_size`` up to ``fine`` (m) from the origin along every
    axis, then growing by ``growth`` per cell.  Lengths in m.

    Args:
        width: horizontal extent (every horizontal axis, from 0), m.
        lower_height: depth of the ``lower`` block below the contact (y < 0 in 2D,
            z < 0 in 3D), m.
        upper_height: height of the ``upper`` block above it, m.
        mesh_size: cell size in the fine zone, m.
        fine: extent of the fine zone, m (0: one cell, then growth).
        dim: 2 (x, y) or 3 (x, y, z).
        cell: "quadrilateral"/"triangle" (2D) or "hexahedron" (3D).
        growth: cell size ratio outside the fine zone (>= 1).
        upper_extent: the upper block covers horizontal coordinates <= this only (a
            punch, an indenter), m; None: the whole width.
        comm: communicator.

    Returns:
        TaggedMesh with regions ``lower``, ``upper``, the contact facet group ``contact``
        and outer groups ``x0``, ``x1`` (``y0``, ``y1`` in 3D), ``bottom``, ``top``.
    """
    if dim not in (2, 3) or isinstance(dim, bool):
        raise InputError(f"contact_blocks: dim must be 2 or 3, got {dim!r}")
    axis = graded_nodes(width, fine, mesh_size, growth)
    if upper_extent is not None:  # a node on the punch's edge (moved there, or added)
        ue = float(upper_extent)
        if not 0.0 < ue < width:
            raise InputError(
                f"contact_blocks: upper_extent must lie in (0, {width:g}) m, got {ue!r}"
            )
        i = int(np.argmin(np.abs(axis - ue)))
        gap = np.diff(axis)[min(i, len(axis) - 2)]
        if abs(axis[i] - ue) < 0.3 * gap and 0 < i < len(axis) - 1:
            axis[i] = ue
        else:
            axis = np.unique(np.concatenate([axis, [ue]]))
    lower = graded_nodes(lower_height, fine, mesh_size, growth)
    upper = graded_nodes(upper_height, fine, mesh_size, growth)
    return stacked_blocks(
        [axis] * (dim - 1), lower, upper, comm=comm, cell=cell, upper_extent=upper_extent
    )
