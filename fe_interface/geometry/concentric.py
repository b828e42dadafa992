"""Concentric cylinders (2D) and spheres (3D): shells glued at their interface circles/spheres.

Conventions: :mod:`fe_interface.geometry.builders`.  Lengths in m.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.gmsh_build import (
    add_groups,
    build_model,
    check_names,
    check_order,
    check_refine,
    default_size,
    generate,
    length_scale,
    match_index,
    point_on,
    sizes_near_interfaces,
)
from fe_interface.mesh import TaggedMesh

__all__ = ["concentric_cylinders", "concentric_spheres"]


def _check_radii(radii) -> list[float]:
    try:
        r = [float(x) for x in radii]
    except (TypeError, ValueError):
        raise ValueError(f"radii must be a sequence of numbers, got {radii!r}") from None
    if len(r) < 2:
        raise ValueError(f"radii needs at least two values r0 < r1 (r0 = 0: full disc), got {r}")
    if not all(math.isfinite(x) for x in r) or r[0] < 0.0:
        raise ValueError(f"radii must be finite with radii[0] >= 0, got {r}")
    if any(b <= a for a, b in pairwise(r)):
        raise ValueError(f"radii must be strictly increasing, got {r}")
    return r


# --------------------------------------------------------------------------------------
# concentric cylinders (2D) and spheres (3D)
# --------------------------------------------------------------------------------------


def _concentric(
    dim: int,
    radii,
    names,
    mesh_size,
    order,
    comm,
    refine_interfaces,
    msh_file=None,
    octant: bool = False,
) -> TaggedMesh:
    r = _check_radii(radii)
    n = len(r) - 1
    if not isinstance(octant, bool):
        raise ValueError(f"octant must be True or False, got {octant!r}")
    facet_names = _concentric_facet_names(r, octant)
    cell_names = check_names(names, n, "region", facet_names)
    h = default_size(mesh_size, r[-1])
    order = check_order(order)
    refine = check_refine(refine_interfaces)
    # model units (see length_scale): the shells' thicknesses and the inner radius
    scale = length_scale(*np.diff(r), r[0])
    r = [v / scale for v in r]
    h /= scale

    def construct(gmsh):
        _concentric_shells(gmsh.model.occ, dim, r, octant)
        gmsh.model.occ.synchronize()
        regions, facets, interfaces = _concentric_groups(
            gmsh, dim, r, cell_names, facet_names, octant
        )
        add_groups(gmsh, dim, regions)
        add_groups(gmsh, dim - 1, facets)

        sizes_near_interfaces(gmsh, dim, interfaces, h, refine)
        generate(gmsh, dim, order)

    name = "concentric_cylinders" if dim == 2 else "concentric_spheres"
    return build_model(name, comm, dim, construct, msh_file, scale)


def _concentric_facet_names(r: list[float], octant: bool) -> list[str]:
    """The facet groups of concentric shells of radii ``r``."""
    n = len(r) - 1
    return (
        (["inner"] if r[0] > 0 else [])
        + ["outer"]
        + [f"interface{i}" for i in range(n - 1)]
        + (["symmetry"] if octant else [])
    )


def _concentric_shells(occ: Any, dim: int, r: list[float], octant: bool) -> None:
    """The shells r[i] < |x| < r[i + 1] (model units), fragmented; an octant if asked."""
    ball = (
        (lambda rr: occ.addDisk(0, 0, 0, rr, rr))
        if dim == 2
        else (lambda rr: occ.addSphere(0, 0, 0, rr))
    )
    shells = []
    for i in range(len(r) - 1):
        outer = ball(r[i + 1])
        if r[i] > 0:
            inner = ball(r[i])
            cut, _ = occ.cut([(dim, outer)], [(dim, inner)])
            shells.extend(cut)
        else:
            shells.append((dim, outer))
    if octant:  # keep x, y, z >= 0: the symmetry planes cut every shell
        rmax = r[-1]
        box = occ.addBox(0, 0, 0, 2 * rmax, 2 * rmax, 2 * rmax)
        shells, _ = occ.intersect(shells, [(3, box)])
    if len(shells) > 1:
        occ.fragment(shells[:1], shells[1:])


def _concentric_groups(
    gmsh: Any, dim: int, r: list[float], cell_names: list[str], facet_names: list[str],
    octant: bool,
) -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:  # fmt: skip
    """(regions, facet groups, interface facets) of the shells, by their radii."""
    n = len(r) - 1
    rmax = r[-1]

    def on_plane(e):  # a face of the octant on x = 0, y = 0 or z = 0
        c = gmsh.model.occ.getCenterOfMass(dim - 1, e)
        return octant and min(abs(v) for v in c) < 1e-9 * rmax

    regions: dict[str, list[int]] = {s: [] for s in cell_names}
    for _, e in gmsh.model.getEntities(dim):
        bnd = gmsh.model.getBoundary([(dim, e)], combined=False, oriented=False)
        rb = max(
            np.linalg.norm(point_on(gmsh, dim - 1, abs(b))) for _, b in bnd if not on_plane(abs(b))
        )
        k = match_index(rb, r[1:], rmax, "region outer radius")
        regions[cell_names[k]].append(e)
    facets: dict[str, list[int]] = {s: [] for s in facet_names}
    interfaces = []
    for _, e in gmsh.model.getEntities(dim - 1):
        if on_plane(e):
            facets["symmetry"].append(e)
            continue
        k = match_index(np.linalg.norm(point_on(gmsh, dim - 1, e)), r, rmax, "circle radius")
        if k == 0:
            facets["inner"].append(e)
        elif k == n:
            facets["outer"].append(e)
        else:
            facets[f"interface{k - 1}"].append(e)
            interfaces.append(e)
    return regions, facets, interfaces


def concentric_cylinders(
    radii: Sequence[float],
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Concentric circular regions in 2D (cross-section of coaxial cylinders).

    Args:
        radii: ``r0 < r1 < ... < rN`` in m.  ``r0 = 0`` gives a full disc in the
            middle, ``r0 > 0`` an annulus with an inner boundary.
        names: cell group names, one per region ``r_i < r < r_{i+1}``; default
            ``"region0"``, ``"region1"``, ...
        mesh_size: target cell size in m (default ``rN / 10``).
        order: geometry order, 1 (straight) or 2 (curved second-order triangles).
        comm: communicator to distribute the mesh over (built on rank 0).
        refine_interfaces: optional factor ``f >= 1``: cells of size
            ``mesh_size / f`` at the interfaces, growing to ``mesh_size`` at a
            distance ``2 * mesh_size``.
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``names[i]`` and facet groups ``"inner"``
        (``r = r0``, only if ``r0 > 0``), ``"outer"`` (``r = rN``) and
        ``"interface{i}"`` (``r = r_{i+1}``, between regions i and i+1).
    """
    return _concentric(2, radii, names, mesh_size, order, comm, refine_interfaces, msh_file)


def concentric_spheres(
    radii: Sequence[float],
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
    octant: bool = False,
) -> TaggedMesh:
    """Concentric spherical shells in 3D (tetrahedra); see :func:`concentric_cylinders`.

    Facet groups ``"inner"`` (``r = r0``, only if ``r0 > 0``), ``"outer"`` and
    ``"interface{i}"`` (sphere ``r = r_{i+1}``); cell groups ``names[i]`` or
    ``"region{i}"``.

    With ``octant=True`` only the part ``x, y, z >= 0`` is modelled (1/8 of the
    volume and cells), and its three plane faces form the extra facet group
    ``"symmetry"``; left without a boundary condition they are insulated, which
    is exact for a radially symmetric problem.
    """
    return _concentric(
        3, radii, names, mesh_size, order, comm, refine_interfaces, msh_file, octant=octant
    )
