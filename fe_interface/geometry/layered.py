"""Layered stacks and the flux tube with one contact spot.

Conventions: :mod:`fe_interface.geometry.builders`.  Lengths in m.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.gmsh_build import (
    add_groups,
    adjacent_cells,
    background_min,
    build_model,
    check_names,
    check_order,
    check_refine,
    default_size,
    generate,
    length_scale,
    mesh_options,
    sizes_near_interfaces,
    threshold_field,
)
from fe_interface.geometry.rough import positive
from fe_interface.mesh import TaggedMesh

__all__ = ["flux_tube", "layered_stack"]


# --------------------------------------------------------------------------------------
# layered stack
# --------------------------------------------------------------------------------------


def _check_width(width, dim: int) -> tuple[float, float]:
    if isinstance(width, (tuple, list, np.ndarray)):
        w = list(width)
        if dim == 2 and len(w) == 1:
            return positive(w[0], "width"), 0.0
        if dim == 2 or len(w) != 2:
            raise ValueError(
                f"width must be a number (2D: extent in y) or, in 3D, a (wy, wz) pair, "
                f"got {width!r}"
            )
        return positive(w[0], "width[0]"), positive(w[1], "width[1]")
    wv = positive(width, "width")
    return wv, (wv if dim == 3 else 0.0)


def _check_thicknesses(thicknesses) -> list[float]:
    try:
        t = list(thicknesses)
    except TypeError:
        raise ValueError(f"thicknesses must be a sequence, got {thicknesses!r}") from None
    if not t:
        raise ValueError("thicknesses must contain at least one layer")
    return [positive(x, f"thicknesses[{i}]") for i, x in enumerate(t)]


def _transfinite_hex(gmsh, dim: int, h: float) -> None:
    """Structured quads (2D) / hexahedra (3D): transfinite curves of ~h, recombined."""
    mesh = gmsh.model.mesh
    for _, c in gmsh.model.getEntities(1):
        length = gmsh.model.occ.getMass(1, c)
        mesh.setTransfiniteCurve(c, max(1, math.ceil(length / h - 1e-9)) + 1)
    for _, s in gmsh.model.getEntities(2):
        mesh.setTransfiniteSurface(s)
        mesh.setRecombine(2, s)
    if dim == 3:
        for _, v in gmsh.model.getEntities(3):
            mesh.setTransfiniteVolume(v)


def layered_stack(
    thicknesses: Sequence[float],
    width: float | tuple[float, float],
    dim: int = 2,
    names: Sequence[str] | None = None,
    mesh_size: float | None = None,
    cell_type: str = "simplex",
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    refine_interfaces: float | None = None,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Layers stacked along x: layer i occupies ``x_i < x < x_i + thicknesses[i]``.

    Args:
        thicknesses: layer thicknesses in m (along x, from ``x = 0``).
        width: extent in y (2D: ``0 < y < width``); in 3D a number (square
            cross-section) or ``(wy, wz)`` (``0 < y < wy``, ``0 < z < wz``).
        dim: 2 (rectangles) or 3 (boxes).
        names: cell group names, default ``"layer0"``, ``"layer1"``, ...
        mesh_size: target cell size in m (default ``min(L, width) / 10``).
        cell_type: ``"simplex"`` (triangles/tetrahedra) or ``"hex"`` (structured
            quadrilaterals/hexahedra: transfinite + recombine; every layer is at
            least one cell thick).
        order: geometry order 1 or 2.
        comm: communicator to distribute the mesh over (built on rank 0).
        refine_interfaces: optional factor ``f >= 1`` (simplex cells only): size
            ``mesh_size / f`` at the interfaces, growing to ``mesh_size`` at a
            distance ``2 * mesh_size``.
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``names[i]``, facet groups ``"x0"`` (face
        ``x = 0``), ``"x1"`` (face ``x = L``), ``"sides"`` (all other outer
        faces) and ``"interface{i}"`` (plane between layers i and i+1).
    """
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    t = _check_thicknesses(thicknesses)
    wy, wz = _check_width(width, dim)
    n = len(t)
    facet_names = ["x0", "x1", "sides"] + [f"interface{i}" for i in range(n - 1)]
    cell_names = check_names(names, n, "layer", facet_names)
    x = np.concatenate([[0.0], np.cumsum(t)])
    length = float(x[-1])
    h = default_size(mesh_size, min(length, wy, wz) if dim == 3 else min(length, wy))
    if cell_type not in ("simplex", "hex"):
        raise ValueError(f"cell_type must be 'simplex' or 'hex', got {cell_type!r}")
    order = check_order(order)
    refine = check_refine(refine_interfaces)
    if refine is not None and cell_type == "hex":
        raise ValueError("refine_interfaces is only available with cell_type='simplex'")
    scale = length_scale(*t, wy, wz)  # model units (wz = 0 in 2D is ignored)
    x, wy, wz, h = x / scale, wy / scale, wz / scale, h / scale
    return build_model(
        "layered_stack",
        comm,
        dim,
        lambda gmsh: _layers(gmsh, dim, x, wy, wz, cell_names, h, cell_type, order, refine),
        msh_file,
        scale,
    )


def _layers(gmsh, dim, x, wy, wz, cell_names, h, cell_type, order, refine) -> None:
    occ = gmsh.model.occ
    n = len(x) - 1
    boxes = []
    for i in range(n):
        if dim == 2:
            boxes.append((2, occ.addRectangle(x[i], 0, 0, x[i + 1] - x[i], wy)))
        else:
            boxes.append((3, occ.addBox(x[i], 0, 0, x[i + 1] - x[i], wy, wz)))
    if n > 1:
        occ.fragment(boxes[:1], boxes[1:])
    occ.synchronize()
    tmin = float(np.min(np.diff(x)))

    regions: dict[str, list[int]] = {s: [] for s in cell_names}
    for _, e in gmsh.model.getEntities(dim):
        xc = occ.getCenterOfMass(dim, e)[0]
        k = int(np.searchsorted(x, xc)) - 1
        regions[cell_names[min(max(k, 0), n - 1)]].append(e)

    facets, interfaces = _layer_facets(gmsh, dim, x, tmin)
    add_groups(gmsh, dim, regions)
    add_groups(gmsh, dim - 1, facets)

    if cell_type == "hex":
        mesh_options(gmsh, h)
        _transfinite_hex(gmsh, dim, h)
    else:
        sizes_near_interfaces(gmsh, dim, interfaces, h, refine)
    generate(gmsh, dim, order)


def _layer_facets(gmsh, dim, x, tmin) -> tuple[dict[str, list[int]], list[int]]:
    """The facet groups of a layer stack along x, and the interface facets.

    Groups ``x0``, ``x1``, ``sides`` and ``interface<i>`` (between layers i and i + 1);
    ``tmin`` is the thinnest layer's thickness.
    """
    occ = gmsh.model.occ
    n = len(x) - 1
    facets: dict[str, list[int]] = {"x0": [], "x1": [], "sides": []}
    facets |= {f"interface{i}": [] for i in range(n - 1)}
    interfaces = []
    for _, e in gmsh.model.getEntities(dim - 1):
        xc = occ.getCenterOfMass(dim - 1, e)[0]
        # faces x = x_k have their centroid on x_k; side faces at a layer midpoint
        k = int(np.argmin(np.abs(x - xc)))
        if abs(x[k] - xc) > 0.25 * tmin:
            facets["sides"].append(e)
        elif k == 0:
            facets["x0"].append(e)
        elif k == n:
            facets["x1"].append(e)
        else:
            facets[f"interface{k - 1}"].append(e)
            interfaces.append(e)
    return facets, interfaces


# --------------------------------------------------------------------------------------
# flux tube with one contact spot
# --------------------------------------------------------------------------------------


def flux_tube(
    a: float,
    b: float,
    length: float,
    dim: int = 3,
    mesh_size: float | None = None,
    refine_spot: float = 4.0,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Two coaxial cylinders touching through one circular contact spot.

    The lower cylinder is ``-length < z < 0``, the upper ``0 < z < length``, both
    of radius ``b`` around the z axis.  In the plane ``z = 0`` they share only the
    disc ``r < a`` (the contact spot, a conforming interface); the annulus
    ``a < r < b`` is an insulated gap: two separate boundary faces with separate
    (coincident) nodes, so no heat crosses it except through the spot.  Only the
    nodes on the spot edge ``r = a`` are shared by the gap faces and the spot.

    ``dim=2`` builds the axisymmetric r–z half-plane instead: ``x`` is the radius
    ``r`` (``0 < r < b``), ``y`` is ``z``; integrate with the weight ``2*pi*x``.

    Args:
        a: spot radius, ``0 < a < b``.
        b: tube radius.
        length: length of each cylinder (m).
        dim: 3 (tetrahedra) or 2 (axisymmetric r–z triangles).
        mesh_size: far-field cell size (default ``min(b, length) / 5``).
        refine_spot: factor ``>= 1``: cells of size ``min(mesh_size, a / 2) /
            refine_spot`` at the spot edge ``r = a`` (where the heat flux is
            singular), growing to ``mesh_size`` over ``max(2 * mesh_size, a)``.
        order: geometry order 1 or 2.
        comm: communicator (built on rank 0).
        msh_file: also write the gmsh mesh (MSH 4.1, ASCII) to this path.

    Returns:
        TaggedMesh with cell groups ``"lower"``, ``"upper"`` and facet groups
        ``"spot"`` (interface, ``dS``), ``"gap_lower"``, ``"gap_upper"`` (the
        annulus as the top face of the lower and the bottom face of the upper
        cylinder), ``"bottom"`` (``z = -length``), ``"top"`` (``z = length``),
        ``"mantle"`` (``r = b``) and, for ``dim=2`` only, ``"axis"`` (``r = 0``).
    """
    a, b, L, h, h_spot = _check_flux_tube(a, b, length, dim, mesh_size, refine_spot)
    order = check_order(order)
    scale = length_scale(a, b - a, L)  # model units
    a, b, L, h, h_spot = a / scale, b / scale, L / scale, h / scale, h_spot / scale

    def construct(gmsh):
        occ = gmsh.model.occ
        spot = _flux_tube_3d(occ, a, b, L) if dim == 3 else _flux_tube_2d(occ, a, b, L)
        occ.synchronize()
        cells: dict[str, list[int]] = {"lower": [], "upper": []}
        for _, e in gmsh.model.getEntities(dim):
            z = occ.getCenterOfMass(dim, e)[dim - 1]
            cells["lower" if z < 0 else "upper"].append(e)
        if len(cells["lower"]) != 1 or len(cells["upper"]) != 1:
            raise RuntimeError(f"internal error: flux tube regions {cells}")
        tol = 1e-6 * max(b, L)
        facets = _flux_tube_facets(gmsh, dim, cells["lower"][0], L, tol)
        add_groups(gmsh, dim, cells)
        add_groups(gmsh, dim - 1, facets)

        edge = (
            [abs(t) for _, t in gmsh.model.getBoundary(spot, combined=False, oriented=False)]
            if dim == 3
            else [
                p
                for _, p in gmsh.model.getBoundary(spot, oriented=False)
                if abs(gmsh.model.getValue(0, p, [])[0] - a) < tol
            ]
        )
        mesh_options(gmsh, h, h_spot)
        t = threshold_field(gmsh, dim - 2, edge, h_spot, h, 0.0, max(2.0 * h, a))
        background_min(gmsh, [t])
        # the default 3D Delaunay meshes both volumes at once and rejects the two
        # coincident gap faces; the frontal algorithm meshes them one by one
        gmsh.option.setNumber("Mesh.Algorithm3D", 4)
        generate(gmsh, dim, order)

    return build_model(f"flux_tube_{dim}d", comm, dim, construct, msh_file, scale)


def _check_flux_tube(
    a: Any, b: Any, length: Any, dim: Any, mesh_size: Any, refine_spot: Any
) -> tuple[float, float, float, float, float]:
    """(a, b, length, cell size, cell size at the spot edge) of a flux tube, m."""
    if dim not in (2, 3) or isinstance(dim, bool):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    a = positive(a, "a (spot radius)")
    b = positive(b, "b (tube radius)")
    if a >= b:
        raise ValueError(f"a (spot radius) must be smaller than b (tube radius): a={a}, b={b}")
    L = positive(length, "length")
    h = default_size(mesh_size, 2.0 * min(b, L))
    refine = check_refine(refine_spot, "refine_spot")
    if refine is None:  # the spot edge is always refined (None would fail below)
        raise ValueError("refine_spot is a refinement factor and must be >= 1, got None")
    return a, b, L, h, min(h, a / 2.0) / refine


def _flux_tube_3d(occ: Any, a: float, b: float, L: float) -> list[tuple[int, int]]:
    """Two cylinders glued through the spot disc only; returns the spot."""
    lower = occ.addCylinder(0, 0, -L, 0, 0, L, b)
    upper = occ.addCylinder(0, 0, 0, 0, 0, L, b)
    spot = [(2, occ.addDisk(0, 0, 0, a, a))]
    # glue each cylinder to the spot separately: only the spot is shared, the
    # two gap faces stay distinct entities (with distinct nodes)
    _, m = occ.fragment([(3, lower)], spot)
    spot = m[1]
    _, m = occ.fragment([(3, upper)], spot)
    return m[1]


def _flux_tube_2d(occ: Any, a: float, b: float, L: float) -> list[tuple[int, int]]:
    """The r–z half-plane: two rectangles sharing the spot line; returns the spot."""

    # explicit topology: the two rectangles share the spot line only; the
    # corner (b, 0) is two distinct (coincident) points
    def pt(x, y):
        return occ.addPoint(x, y, 0)

    p0, p1, p2l, p3, p4 = pt(0, -L), pt(b, -L), pt(b, 0), pt(a, 0), pt(0, 0)
    p2u, p5, p6 = pt(b, 0), pt(b, L), pt(0, L)
    line = occ.addLine(p4, p3)
    loop = [occ.addLine(p0, p1), occ.addLine(p1, p2l), occ.addLine(p2l, p3)]
    loop += [-line, occ.addLine(p4, p0)]
    occ.addPlaneSurface([occ.addCurveLoop(loop)])
    loop = [line, occ.addLine(p3, p2u), occ.addLine(p2u, p5), occ.addLine(p5, p6)]
    loop += [occ.addLine(p6, p4)]
    occ.addPlaneSurface([occ.addCurveLoop(loop)])
    return [(1, line)]


def _flux_tube_facets(gmsh: Any, dim: int, lo: int, L: float, tol: float) -> dict[str, list[int]]:
    """The facet groups of a flux tube (``lo``: the lower cell)."""
    occ = gmsh.model.occ
    names = ["spot", "gap_lower", "gap_upper", "bottom", "top", "mantle"]
    facets: dict[str, list[int]] = {n: [] for n in names + (["axis"] if dim == 2 else [])}
    for _, f in gmsh.model.getEntities(dim - 1):
        adj = adjacent_cells(gmsh, dim, f)
        c = occ.getCenterOfMass(dim - 1, f)
        z = c[dim - 1]
        if len(adj) == 2:
            facets["spot"].append(f)
        elif abs(z) < tol:
            facets["gap_lower" if adj == [lo] else "gap_upper"].append(f)
        elif abs(z + L) < tol:
            facets["bottom"].append(f)
        elif abs(z - L) < tol:
            facets["top"].append(f)
        elif dim == 2 and abs(c[0]) < tol:
            facets["axis"].append(f)
        else:
            facets["mantle"].append(f)
    return facets
