"""Structured meshes for contact problems: two blocks stacked on a flat interface,
graded towards the contact (lengths in m).

The last coordinate is vertical: the ``lower`` block fills z ∈ [−H_l, 0], the ``upper``
block z ∈ [0, H_u] (y in 2D), and the facets on z = 0 form the interface ``contact``.
Outer facet groups are named after the plane they lie on: ``x0``/``x1`` (x = min/max),
``y0``/``y1`` and, in 3D, ``z0``/``z1``; the bottom is the last-coordinate minimum.
Node coordinates along each axis come from :func:`graded_nodes` (a fine uniform zone
then a geometric growth), so one mesh resolves a contact of half-width a in a domain
many times a.
"""

from __future__ import annotations

from collections.abc import Sequence

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

from fe_interface.errors import InputError
from fe_interface.mesh import TaggedMesh, tag_mesh

__all__ = ["graded_nodes", "stacked_blocks"]


def graded_nodes(length: float, fine: float, h: float, growth: float = 1.15) -> np.ndarray:
    """Node coordinates on [0, length] (m): spacing h up to ``fine``, then growing by
    ``growth`` per cell (the last cell is stretched to end at ``length``).

    Raises:
        InputError: non-positive lengths or growth < 1.
    """
    if not (length > 0 and h > 0 and fine >= 0 and growth >= 1.0):
        raise InputError(
            f"graded_nodes: need length > 0, h > 0, fine >= 0, growth >= 1, got "
            f"{length!r}, {h!r}, {fine!r}, {growth!r}"
        )
    n_fine = max(1, round(min(fine, length) / h))
    x = list(np.linspace(0.0, min(n_fine * h, length), n_fine + 1))
    step = h
    while x[-1] < length - 1e-12 * length:
        step *= growth
        x.append(min(x[-1] + step, length))
    if len(x) > 2 and x[-1] - x[-2] < 0.5 * (x[-2] - x[-3]):
        x.pop(-2)  # no sliver cell at the end
    return np.asarray(x)


def _map(coord: np.ndarray, nodes: np.ndarray, offset: float) -> np.ndarray:
    """Uniform coordinates 0..n (cell index units) -> graded node coordinates."""
    return offset + np.interp(np.round(coord, 9), np.arange(nodes.size, dtype=float), nodes)


def stacked_blocks(
    axes: Sequence[np.ndarray],
    lower: np.ndarray,
    upper: np.ndarray,
    comm: MPI.Comm = MPI.COMM_WORLD,
    cell: str = "quadrilateral",
) -> TaggedMesh:
    """Two blocks on the interface plane (last coordinate = 0).

    Args:
        axes: node coordinates of the horizontal axes (1 in 2D, 2 in 3D), each
            increasing from its minimum, m.
        lower: node depths below the interface, 0 = the interface, increasing, m.
        upper: node heights above the interface, 0 first, increasing, m.
        comm: communicator.
        cell: "quadrilateral"/"triangle" (2D) or "hexahedron"/"tetrahedron" (3D).
    """
    gdim = len(axes) + 1
    vert = np.concatenate([-lower[::-1], upper[1:]])
    coords = [np.asarray(a, float) for a in axes] + [vert]
    n = [c.size - 1 for c in coords]
    ctype = getattr(dmesh.CellType, cell)
    gm = dmesh.GhostMode.shared_facet
    box = [[0.0] * gdim, [float(k) for k in n]]
    if gdim == 2:
        m = dmesh.create_rectangle(comm, box, n, ctype, ghost_mode=gm)
    elif gdim == 3:
        m = dmesh.create_box(comm, box, n, ctype, ghost_mode=gm)
    else:
        raise InputError(f"stacked_blocks: 1 or 2 horizontal axes, got {len(axes)}")
    x = m.geometry.x
    for d in range(gdim):
        x[:, d] = _map(x[:, d], coords[d], 0.0)
    lo = [c[0] for c in coords]
    hi = [c[-1] for c in coords]
    names = "xyz"
    z = gdim - 1
    bnd = {}
    for d in range(gdim):
        bnd[f"{names[d]}0"] = (1 + 2 * d, lambda p, d=d: np.isclose(p[d], lo[d]))
        bnd[f"{names[d]}1"] = (2 + 2 * d, lambda p, d=d: np.isclose(p[d], hi[d]))
    return tag_mesh(
        m,
        cells={"lower": (1, lambda p: p[z] < 0.0), "upper": (2, lambda p: p[z] > 0.0)},
        boundaries=bnd,
        interfaces={"contact": (10, ("upper", "lower"))},
    )
