"""Builders of parts meshed separately (for non-matching interface pairs).

Unlike :mod:`fe_interface.geometry.builders`, the parts are *not* glued: each is meshed
with its own cell size, touching faces do not share nodes, and gaps between parts are
left unmeshed.  The result is one :class:`~fe_interface.mesh.TaggedMesh` whose parts do
not connect; :class:`~fe_interface.model.pairs.InterfacePair` couples their surfaces.

* :func:`concentric_parts` — discs/annuli (2D: coaxial cylinders), their axisymmetric
  (r, z) half sections, or spherical shells (3D);
* :func:`stacked_parts` — rectangles (2D) or boxes (3D) stacked along the last axis (the
  conforming, structured blocks of a contact problem are
  :func:`~fe_interface.geometry.contact_blocks.stacked_blocks`);
* :func:`cylinder_on_block` — a quarter disc touching a rectangle at one point (the
  half model of a cylinder on a flat, or with x = r of a sphere on a flat), each part
  graded towards the contact point with its own size (mechanical contact, Hertz).

Every builder checks its parameters (``ValueError`` naming the parameter) before gmsh
runs on rank 0 (:func:`~fe_interface.geometry.gmsh_build.build_model`).  Lengths in m.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.gmsh_build import build_model
from fe_interface.geometry.rough import positive
from fe_interface.mesh import TaggedMesh

__all__ = ["concentric_parts", "cylinder_on_block", "stacked_parts"]


def _names(names: Sequence[str] | None, n: int, prefix: str) -> list[str]:
    if names is None:
        return [f"{prefix}{i}" for i in range(n)]
    out = list(names)
    if len(out) != n or not all(isinstance(s, str) and s for s in out) or len(set(out)) != n:
        raise ValueError(f"names must be {n} different non-empty strings, got {names!r}")
    return out


def _sizes(sizes: Any, n: int, default: list[float]) -> list[float]:
    if sizes is None:
        return default
    if isinstance(sizes, (int, float)):
        return [positive(sizes, "mesh_sizes")] * n
    s = list(sizes)
    if len(s) != n:
        raise ValueError(
            f"mesh_sizes must be one number or {n} numbers (one per part), got {sizes!r}"
        )
    return [positive(v, f"mesh_sizes[{i}]") for i, v in enumerate(s)]


def _order(order: Any) -> int:
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"order must be 1 or 2 (geometry order), got {order!r}")
    return int(order)


def _mesh_parts(
    gmsh: Any, dim: int, parts: list[list[int]], sizes: list[float], order: int
) -> None:
    """Mesh every part with its own size (no fragment: the parts stay separate)."""
    opt = gmsh.option.setNumber
    opt("General.NumThreads", 1)
    opt("Mesh.MeshSizeFromCurvature", 0)
    opt("Mesh.MeshSizeExtendFromBoundary", 1)
    opt("Mesh.MeshSizeFromPoints", 1)
    opt("Mesh.SecondOrderIncomplete", 0)
    opt("Mesh.MeshSizeMin", min(sizes) * 1e-3)
    opt("Mesh.MeshSizeMax", max(sizes))
    for ents, h in zip(parts, sizes, strict=True):
        pts = gmsh.model.getBoundary([(dim, e) for e in ents], recursive=True)
        gmsh.model.mesh.setSize(pts, h)
    gmsh.model.mesh.generate(dim)
    if order == 2:
        gmsh.model.mesh.setOrder(2)


def _group(gmsh: Any, dim: int, groups: dict[str, list[int]]) -> None:
    for tag, (name, ents) in enumerate(groups.items(), start=1):
        if not ents:
            raise RuntimeError(f"internal error: no gmsh entity for group {name!r}")
        gmsh.model.addPhysicalGroup(dim, sorted(ents), tag=tag, name=name)


def _radii(radii: Any) -> list[tuple[float, float]]:
    try:
        rr = [(float(a), float(b)) for a, b in radii]
    except (TypeError, ValueError):
        raise ValueError(f"radii must be (r_in, r_out) pairs, got {radii!r}") from None
    if not rr or any(not (0 <= a < b and np.isfinite(b)) for a, b in rr):
        raise ValueError(f"radii must be (r_in, r_out) pairs with 0 <= r_in < r_out, got {radii!r}")
    if any(rr[i + 1][0] < rr[i][1] for i in range(len(rr) - 1)):
        raise ValueError(f"parts must not overlap: radii in increasing order, got {radii!r}")
    return rr


def _extent(w: Any, what: str, dim: int) -> tuple[float, float]:
    if isinstance(w, (int, float)):
        v = positive(w, what)
        return v, v
    a = list(w)
    if len(a) != 2 or dim == 2:
        raise ValueError(f"{what} must be a number (or (wx, wy) in 3D), got {w!r}")
    return positive(a[0], f"{what}[0]"), positive(a[1], f"{what}[1]")


def _widths(width: Any, widths: Any, n: int, dim: int) -> list[tuple[float, float]]:
    if not widths:
        return [_extent(width, "width", dim)] * n
    ws = [_extent(w, f"widths[{i}]", dim) for i, w in enumerate(widths)]
    if len(ws) != n:
        raise ValueError(f"widths must hold {n} entries (one per block), got {len(ws)}")
    return ws


def _spherical_facets(
    gmsh: Any, dim: int, names: list[str], parts: list[list[int]], rr: list, half: bool
) -> dict[str, list[int]]:
    """The boundary of each part by radius (inner, outer) and, for half sections, the axis."""
    rmax = rr[-1][1]
    facets: dict[str, list[int]] = {}
    for name, ents, (a, b) in zip(names, parts, rr, strict=True):
        for _, e in gmsh.model.getBoundary([(dim, t) for t in ents], oriented=False):
            e = abs(e)
            lo, hi = gmsh.model.getParametrizationBounds(dim - 1, e)
            mid = gmsh.model.getValue(dim - 1, e, list(0.5 * (np.asarray(lo) + np.asarray(hi))))
            cx = gmsh.model.occ.getCenterOfMass(dim - 1, e)[0]
            if half and abs(cx) < 1e-9 * rmax:  # a segment of the axis x = 0
                key = f"{name}_axis"
            else:
                r = float(np.linalg.norm(mid[:3]))
                key = f"{name}_inner" if abs(r - a) < abs(r - b) else f"{name}_outer"
            facets.setdefault(key, []).append(e)
    return facets


def concentric_parts(
    radii: Sequence[Sequence[float]],
    names: Sequence[str] | None = None,
    mesh_sizes: float | Sequence[float] | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    dim: int = 2,
    half: bool = False,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Concentric parts about the origin, meshed separately (see the module docstring).

    Args:
        radii: per part (r_in, r_out), m, r_in ≥ 0 (0: a full disc or ball); parts in
            increasing radius, touching (r_out of one = r_in of the next) or not.
        names: one region name per part (default ``"part0"``, ...).
        mesh_sizes: cell size per part (or one for all), m (default r_out / 10 each).
        order: geometry order 1 or 2 (curved cells on the circles/spheres).
        comm: communicator to distribute the mesh over.
        dim: 2 (discs, annuli) or 3 (balls, spherical shells, tetrahedra).
        half: 2D only: the half plane x ≥ 0 — the (r, z) section of an axisymmetric model
            of concentric *spheres* (x = r, y = z); the cut is the group ``"<name>_axis"``.
        msh_file: also write the gmsh mesh there.

    Returns:
        TaggedMesh with regions ``names[i]`` and facet groups ``"<name>_inner"``
        (r = r_in > 0), ``"<name>_outer"`` (r = r_out), and with ``half``
        ``"<name>_axis"``.
    """
    rr = _radii(radii)
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    if half and dim != 2:
        raise ValueError("half = True is for 2D (r, z) sections only")
    n = len(rr)
    part_names = _names(names, n, "part")
    sizes = _sizes(mesh_sizes, n, [b / 10.0 for _, b in rr])
    order = _order(order)
    rmax = rr[-1][1]

    def construct(gmsh: Any) -> None:
        occ = gmsh.model.occ

        def ball(r: float) -> int:
            return occ.addDisk(0, 0, 0, r, r) if dim == 2 else occ.addSphere(0, 0, 0, r)

        parts = []
        for a, b in rr:
            shape = [(dim, ball(b))]
            if a > 0:
                shape, _ = occ.cut(shape, [(dim, ball(a))])
            if half:
                box = occ.addRectangle(0, -2 * rmax, 0, 2 * rmax, 4 * rmax)
                shape, _ = occ.intersect(shape, [(2, box)])
            parts.append([t for _, t in shape])
        occ.synchronize()
        regions = dict(zip(part_names, parts, strict=True))
        facets = _spherical_facets(gmsh, dim, part_names, parts, rr, half)
        _group(gmsh, dim, regions)
        _group(gmsh, dim - 1, facets)
        _mesh_parts(gmsh, dim, parts, sizes, order)

    return build_model("concentric_parts", comm, dim, construct, msh_file)


def stacked_parts(
    heights: Sequence[float],
    width: float | Sequence[float],
    names: Sequence[str] | None = None,
    mesh_sizes: float | Sequence[float] | None = None,
    order: int = 1,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    dim: int = 3,
    widths: Sequence[float | Sequence[float]] | None = None,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """Blocks stacked along the last axis, each meshed on its own (see the module docstring).

    Args:
        heights: thickness of each block, m, from the bottom (z = 0; 2D: y = 0) up.
        width: the blocks' extent across, m: a number (3D: square), or (wx, wy) in 3D.
        names: one region name per block (default ``"block0"``, ...).
        mesh_sizes: cell size per block (or one for all), m (default: the smallest
            height / 2).
        order: geometry order 1 or 2.
        comm: communicator to distribute the mesh over.
        dim: 2 (rectangles, triangles) or 3 (boxes, tetrahedra).
        widths: per block its own width (centred on the first block's axis), instead of
            ``width``: a lid smaller than the heat sink under it, say.
        msh_file: also write the gmsh mesh there.

    Returns:
        TaggedMesh with regions ``names[i]`` and facet groups ``"<name>_bottom"``,
        ``"<name>_top"`` and ``"<name>_sides"``.
    """
    hs = [positive(h, f"heights[{i}]") for i, h in enumerate(heights)]
    if not hs:
        raise ValueError("heights must hold at least one block")
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    n = len(hs)
    part_names = _names(names, n, "block")
    sizes = _sizes(mesh_sizes, n, [min(hs) / 2.0] * n)
    order = _order(order)

    ws = _widths(width, widths, n, dim)
    cx, cy = ws[0][0] / 2, ws[0][1] / 2
    z = np.concatenate([[0.0], np.cumsum(hs)])

    def construct(gmsh: Any) -> None:
        occ = gmsh.model.occ
        parts = []
        for i, (wx, wy) in enumerate(ws):
            if dim == 3:
                t = occ.addBox(cx - wx / 2, cy - wy / 2, z[i], wx, wy, hs[i])
            else:
                t = occ.addRectangle(cx - wx / 2, z[i], 0, wx, hs[i])
            parts.append([t])
        occ.synchronize()
        facets: dict[str, list[int]] = {}
        for name, ents, (z0, z1) in zip(part_names, parts, pairwise(z), strict=True):
            for _, e in gmsh.model.getBoundary([(dim, t) for t in ents], oriented=False):
                e = abs(e)
                c = gmsh.model.occ.getCenterOfMass(dim - 1, e)[dim - 1]
                tol = 1e-9 * max(z[-1], 1e-300)
                side = "bottom" if abs(c - z0) < tol else "top" if abs(c - z1) < tol else "sides"
                facets.setdefault(f"{name}_{side}", []).append(e)
        _group(gmsh, dim, dict(zip(part_names, parts, strict=True)))
        _group(gmsh, dim - 1, facets)
        _mesh_parts(gmsh, dim, parts, sizes, order)

    return build_model("stacked_parts", comm, dim, construct, msh_file)


def cylinder_on_block(
    radius: float,
    width: float,
    height: float,
    sizes: Sequence[float],
    zone: float,
    coarse: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    names: Sequence[str] | None = None,
    dim: int = 2,
    msh_file: str | Path | None = None,
) -> TaggedMesh:
    """A quarter disc on a rectangle (3D: an eighth of a ball on a box), touching at the origin.

    2D (triangles): the disc (centre (0, R), x ≥ 0, y ≤ R) and the block [0, width] ×
    [−height, 0] are the half model (symmetry x = 0) of a cylinder on a flat in plane
    strain, or, read with x = r, the (r, z) section of a sphere on a flat.  3D
    (tetrahedra): the ball (centre (0, 0, R), x, y ≥ 0, z ≤ R) on the box [0, width]² ×
    [−height, 0], the quarter model (symmetry x = 0, y = 0) of a sphere on a flat.  Each
    part is meshed on its own with the cell size ``sizes[i]`` within ``zone`` of the
    contact point, growing linearly to ``coarse`` at 10 zones.

    Args:
        radius: R, m.
        width: the block's extent along x (3D: and y), m.
        height: the block's depth (along −y; 3D: −z), m.
        sizes: cell sizes near the contact (disc, block), m: different sizes give
            non-matching, non-nested meshes.
        zone: radius of the finely meshed zone, m.
        coarse: largest cell size, m (default R/10).
        comm: communicator to distribute the mesh over.
        names: region names (default ``("cylinder", "block")``; 3D ``("sphere", "block")``).
        dim: 2 or 3.
        msh_file: also write the gmsh mesh there.

    Returns:
        TaggedMesh with regions ``names`` and facet groups ``<disc>_surface`` (the
        curved surface), ``<disc>_top`` (the flat face), ``<block>_top`` (the face at
        0), ``<block>_bottom``, ``<block>_side``, and the symmetry planes:
        2D ``<disc>_axis``, ``<block>_axis`` (x = 0); 3D ``<part>_x0``, ``<part>_y0``.
    """
    if dim not in (2, 3):
        raise ValueError(f"dim must be 2 or 3, got {dim!r}")
    R, W, H = positive(radius, "radius"), positive(width, "width"), positive(height, "height")
    z = positive(zone, "zone")
    fine = [positive(v, f"sizes[{i}]") for i, v in enumerate(_sizes(sizes, 2, [R / 100] * 2))]
    big = positive(coarse if coarse is not None else R / 10, "coarse")
    default = ("cylinder", "block") if dim == 2 else ("sphere", "block")
    cyl, blk = _names(default if names is None else names, 2, "part")
    u = 10.0 ** np.floor(np.log10(min(fine)))  # model unit: the finest cell is 1-10 units

    def construct(gmsh: Any) -> None:
        occ = gmsh.model.occ
        if dim == 2:
            ball = occ.addDisk(0, R / u, 0, R / u, R / u)
            box = occ.addRectangle(0, 0, 0, R / u, R / u)
            block = occ.addRectangle(0, -H / u, 0, W / u, H / u)
        else:
            ball = occ.addSphere(0, 0, R / u, R / u)
            box = occ.addBox(0, 0, 0, R / u, R / u, R / u)
            block = occ.addBox(0, 0, -H / u, W / u, W / u, H / u)
        part, _ = occ.intersect([(dim, ball)], [(dim, box)])
        occ.synchronize()
        parts = [[part[0][1]], [block]]
        facets: dict[str, list[int]] = {}
        for name, ents in zip((cyl, blk), parts, strict=True):
            for _, e in gmsh.model.getBoundary([(dim, t) for t in ents], oriented=False):
                c = np.asarray(occ.getCenterOfMass(dim - 1, abs(e))) * u
                key = _side(name, name == cyl, c, dim, R, H)
                facets.setdefault(key, []).append(abs(e))
        _group(gmsh, dim, {cyl: parts[0], blk: parts[1]})
        _group(gmsh, dim - 1, facets)
        _graded_sizes(gmsh, dim, parts, fine, z / u, big / u, u)
        gmsh.model.mesh.generate(dim)

    return build_model("cylinder_on_block", comm, dim, construct, msh_file, scale=u)


def _graded_sizes(
    gmsh: Any, dim: int, parts: list[list[int]], fine: list[float], z: float, big: float, u: float
) -> None:
    """Per part: ``fine`` within ``z`` of the origin, growing to ``big`` at 10 z."""
    field = gmsh.model.mesh.field
    restricted = []
    for ents, h in zip(parts, fine, strict=True):
        d = field.add("Distance")
        field.setNumbers(d, "PointsList", [_origin_point(gmsh, dim, ents[0])])
        t = field.add("Threshold")
        field.setNumber(t, "InField", d)
        field.setNumber(t, "SizeMin", h / u)
        field.setNumber(t, "SizeMax", big)
        field.setNumber(t, "DistMin", z)
        field.setNumber(t, "DistMax", 10 * z)
        r = field.add("Restrict")
        field.setNumber(r, "InField", t)
        field.setNumbers(r, "SurfacesList" if dim == 2 else "VolumesList", ents)
        restricted.append(r)
    m = field.add("Min")
    field.setNumbers(m, "FieldsList", restricted)
    field.setAsBackgroundMesh(m)
    opt = gmsh.option.setNumber
    opt("General.NumThreads", 1)
    for key in ("MeshSizeFromPoints", "MeshSizeFromCurvature", "MeshSizeExtendFromBoundary"):
        opt(f"Mesh.{key}", 0)


def _side(name: str, disc: bool, c: np.ndarray, dim: int, R: float, H: float) -> str:
    """The facet group of a boundary curve (3D: surface) from its centre of mass c (m)."""
    tol = 1e-6 * R
    up = c[dim - 1]  # the coordinate along the load
    if abs(c[0]) < tol:
        return f"{name}_axis" if dim == 2 else f"{name}_x0"
    if dim == 3 and abs(c[1]) < tol:
        return f"{name}_y0"
    if disc:
        return f"{name}_top" if abs(up - R) < tol else f"{name}_surface"
    if abs(up) < tol:
        return f"{name}_top"
    return f"{name}_bottom" if abs(up + H) < tol else f"{name}_side"


def _origin_point(gmsh: Any, dim: int, entity: int) -> int:
    """The gmsh point of a part at the origin (the contact point)."""
    for _, p in gmsh.model.getBoundary([(dim, entity)], recursive=True):
        if np.allclose(gmsh.model.getValue(0, p, []), 0.0, atol=1e-9):
            return p
    raise RuntimeError("internal error: no point at the contact point")


def __getattr__(name: str) -> Any:
    """``stacked_blocks``: the former name of :func:`stacked_parts` (a DeprecationWarning)."""
    if name == "stacked_blocks":
        import warnings

        warnings.warn(
            "fe_interface.geometry.parts.stacked_blocks is now stacked_parts (the name "
            "stacked_blocks is the structured contact mesh of geometry.contact_blocks)",
            DeprecationWarning,
            stacklevel=2,
        )
        return stacked_parts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
