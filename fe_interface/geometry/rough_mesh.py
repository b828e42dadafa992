"""Meshes of resolved rough contacts (2D profiles; 3D height maps on a flat plane).

The builder takes a rough surface from :mod:`fe_interface.rough` (usually the
:func:`~fe_interface.rough.combined` surface of the two bodies) pressed on a flat at
the mean-plane separation ``Y`` (given, or from the load: ``pressure`` and
``hardness`` give the real area fraction ``P / H_c``, see
:func:`fe_interface.rough.contact`).  All parameters are checked, raising
:class:`ValueError`, *before* gmsh or DOLFINx is called.

:func:`rough_contact_2d` — resolved 2D profile contact (gmsh).
    The equivalent-surface simplification: all roughness is put into the *upper*
    body, whose lower face is ``y = Y - z(x)``; the lower body is flat (``y < 0``).
    Where ``z >= Y`` the asperities are flattened onto ``y = 0`` (plastic
    truncation): these segments are the *contact spots*, a conforming interface
    between ``"lower"`` and ``"upper"``.  Elsewhere a gap of thickness
    ``g(x) = Y - z(x)`` separates the bodies: vacuum (no cells) or a ``"gas"`` cell
    group.

    Cell groups ``"lower"``, ``"upper"`` (+ ``"gas"``); facet groups ``"contact"``
    (interface lower/upper, ``dS``), ``"gap_lower"`` (the flat ``y = 0`` outside the
    spots), ``"gap_upper"`` (the rough face outside the spots) — outer boundaries
    (``ds``) in vacuum, interfaces with the gas otherwise — and the outer
    ``"bottom"`` (``y = -t_lower``), ``"top"`` (``y = Y + t_upper``) and
    ``"sides"`` (``x = 0`` and ``x = length``, the profile's period).

Not yet implemented: a resolved 3D rough face (gmsh surfaces of a height map).

:func:`rough_contact_3d` — 3D contact of a height map on a *flat* interface plane.
    Two blocks, ``"lower"`` (``-t_lower < z < 0``) and ``"upper"`` (``0 < z <
    t_upper``), over the map's period ``Lx x Ly`` meet on the plane ``z = 0``.  The
    plane is partitioned into the contact spots (facet group ``"spots"``) and the
    non-contact remainder (``"gap"``), both interfaces lower/upper (``dS``); the gap
    is not meshed, its local thickness ``g(x, y) = max(Y - z(x, y), 0)`` is a NumPy
    function (:meth:`RoughContact3D.gap`) for a per-facet gas-gap law
    (:meth:`RoughContact3D.gas_gap_conductance`, a
    :class:`~fe_interface.interfaces.FacetConductance`).  Outer facet groups
    ``"bottom"`` (``z = -t_lower``), ``"top"`` (``z = t_upper``), ``"sides"``.

    Spot polygons: sample ``z[i, j]`` is the height of the pixel ``[i dx, (i+1) dx] x
    [j dx, (j+1) dx]``; a spot is a 4-connected union of contact pixels (``z > Y``)
    and its polygon is the boundary of that union (collinear pixel edges merged).
    This is exact — the meshed spot area is the pixel count times ``dx**2``, i.e.
    ``contact.area_fraction * Lx * Ly`` — cannot self-intersect, and all vertices lie
    on the pixel grid (the mesh depends only on the contact mask, so it regenerates
    identically).  Two spots touching only at a pixel corner would make a polygon
    vertex shared by two faces (non-manifold, fragile in OCC and gmsh): the gap pixel
    of such a 2 x 2 checkerboard with the smaller gap is filled (joined to contact),
    counted in :attr:`RoughContact3D.filled`.  The plane is not periodic: spots that
    wrap around the period are cut at the sides.  (Discs of equal area would overlap
    each other and the plane's edges, and marching-squares contours give slivers
    where the level passes near a sample; both change the area by amounts that
    depend on the mesh.)  The staircase edges are spot edges like any other: the
    cells there get ``edge_size``.

    Laws: give the spots a large :class:`~fe_interface.interfaces.Conductance`
    (:meth:`RoughContact3D.spot_conductance`) and the gap the local gas-gap law
    ``h_g(x) = k_g / (g(x) + M)`` W/(m^2 K) (:meth:`RoughContact3D.gas_gap_conductance`,
    M and the gas data from :mod:`fe_interface.laws.gas`).  Not ``PerfectContact`` on
    the spots together with a conductance on the gap: both separate the same two
    regions, which the solver's colouring cannot combine.

All lengths in metres, conductances in W/(m^2 K) (SI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import Contact, RoughSurface, contact, label_periodic, positive
from fe_interface.mesh import TaggedMesh

__all__ = [
    "GROUPS_3D",
    "RoughContact2D",
    "RoughContact3D",
    "Spot",
    "check_groups",
    "rough_contact_2d",
    "rough_contact_3d",
]


# --------------------------------------------------------------------------------------
# checks (pure Python)
# --------------------------------------------------------------------------------------


def _check_surface(surface, dim: int) -> RoughSurface:
    if not isinstance(surface, RoughSurface):
        raise ValueError(f"surface must be a RoughSurface, got {type(surface).__name__}")
    if surface.z.ndim != dim:
        kind = "a 1D profile" if dim == 1 else "a 2D height map"
        raise ValueError(f"surface must be {kind}, got z.ndim = {surface.z.ndim}")
    if not np.all(np.isfinite(surface.z)):
        raise ValueError("surface heights must be finite")
    positive(surface.dx, "surface.dx")
    if surface.rms() <= 0.0:
        raise ValueError("surface RMS roughness sigma must be > 0 (the surface is flat)")
    return surface


def _check_thickness(thickness) -> tuple[float, float]:
    try:
        lo, up = thickness
    except (TypeError, ValueError):
        raise ValueError(
            f"thickness must be a (lower, upper) pair of lengths, got {thickness!r}"
        ) from None
    return positive(lo, "thickness (lower)"), positive(up, "thickness (upper)")


def _mapped_contact(
    surface, contact_map, gap_map, separation, pressure
) -> tuple[Contact, np.ndarray]:
    """The :class:`Contact` of a given contact map and its gap map (m)."""
    if separation is not None or pressure is not None:
        raise ValueError("give contact_map or separation/pressure, not both")
    mask = np.asarray(contact_map, dtype=bool)
    if mask.shape != surface.z.shape:
        raise ValueError(f"contact_map has shape {mask.shape}, the surface {surface.z.shape}")
    if not mask.any() or mask.all():
        raise ValueError("contact_map: no contact or full contact (no spot to mesh)")
    if gap_map is None:
        gaps = np.where(mask, 0.0, surface.z.max() - surface.z)
    else:
        gaps = np.asarray(gap_map, dtype=float)
        if gaps.shape != mask.shape or not np.all(np.isfinite(gaps)) or gaps.min() < 0:
            raise ValueError("gap_map must be finite, >= 0 m and of the contact map's shape")
    labels = label_periodic(mask)
    areas = np.bincount(labels.ravel())[1:] * surface.dx**2
    c = Contact(float("nan"), mask, float(mask.mean()), labels, areas, np.sqrt(areas / np.pi))
    return c, np.where(mask, 0.0, gaps)


def _contact(surface, separation, pressure, hardness) -> Contact:
    """The contact, with 'no spot' and 'all contact' rejected."""
    c = contact(surface, separation, pressure=pressure, hardness=hardness)
    if c.area_fraction <= 0.0:
        raise ValueError(
            f"no contact: the surface never rises above the separation Y = {c.separation:g} m "
            f"(max height {surface.z.max():g} m); decrease the separation or raise the load"
        )
    if c.area_fraction >= 1.0:
        raise ValueError(
            f"the whole nominal area is in contact at Y = {c.separation:g} m (more contact than "
            "area): increase the separation or lower the load"
        )
    return c


# --------------------------------------------------------------------------------------
# 2D: resolved profile
# --------------------------------------------------------------------------------------


def _threshold(gmsh, dim: int, tags, size_min: float, size_max: float, dist_max: float) -> int:
    """Size ``size_min`` on the entities growing linearly to ``size_max`` at ``dist_max``.

    The curves of a sampled profile are short (one sample spacing): a few distance
    samples per curve suffice (the geometry builders' 200 make meshing slow).
    """
    field = gmsh.model.mesh.field
    d = field.add("Distance")
    field.setNumbers(d, "CurvesList" if dim == 1 else "PointsList", list(tags))
    field.setNumber(d, "Sampling", 4)
    t = field.add("Threshold")
    field.setNumber(t, "InField", d)
    field.setNumber(t, "SizeMin", size_min)
    field.setNumber(t, "SizeMax", size_max)
    field.setNumber(t, "DistMin", 0.0)
    field.setNumber(t, "DistMax", dist_max)
    return t


class RoughContact2D(NamedTuple):
    """Result of :func:`rough_contact_2d`.

    Attributes:
        tagged: the distributed mesh with its groups (module docstring).
        contact: the sampled contact (:class:`fe_interface.rough.Contact`).
        spots: ``(k, 2)`` array of the meshed contact segments ``[x0, x1]`` (m).
        gap: ``g_i = max(Y - z_i, 0)`` at the profile's sample points (m).
        length: profile period (m), the model width.
        area_fraction: meshed contact length / period (differs from
            ``contact.area_fraction`` by the interpolated spot ends and by
            :func:`rough_contact_2d`'s ``min_feature`` clean-up).
    """

    tagged: TaggedMesh
    contact: Contact
    spots: np.ndarray
    gap: np.ndarray
    length: float
    area_fraction: float


def _intervals(x: np.ndarray, g: np.ndarray) -> list[list]:
    """Runs of contact (g <= 0) and gap (g > 0) along the closed profile.

    Returns ``[kind, x_start, x_end, sample indices]`` with crossings by linear
    interpolation; kind True = contact.
    """
    runs: list[list] = []
    for i in range(len(x)):
        c = bool(g[i] <= 0.0)
        if i == 0:
            runs.append([c, 0.0, None, [0]])
            continue
        if c != runs[-1][0]:
            g0, g1 = g[i - 1], g[i]
            xc = x[i - 1] + (x[i] - x[i - 1]) * (g0 / (g0 - g1))
            runs[-1][2] = xc
            runs.append([c, xc, None, [i]])
        else:
            runs[-1][3].append(i)
    runs[-1][2] = x[-1]
    return runs


def _clean_runs(runs: list[list], min_feature: float, length: float) -> list[list]:
    """Widen spots shorter than ``min_feature`` and fill gaps shorter than it."""
    # widen short spots about their centre (clipped to the period)
    for r in runs:
        if r[0] and r[2] - r[1] < min_feature:
            c = 0.5 * (r[1] + r[2])
            r[1], r[2] = max(0.0, c - min_feature / 2), min(length, c + min_feature / 2)
    for a, b in pairwise(runs):  # neighbours follow the spot ends
        if a[0]:
            b[1] = a[2]
        elif b[0]:
            a[2] = b[1]
    # short (or swallowed) gaps become contact; then merge equal neighbours
    for r in runs:
        if not r[0] and r[2] - r[1] < min_feature:
            r[0] = True
    out: list[list] = []
    for r in runs:
        if out and out[-1][0] == r[0]:
            out[-1][2] = r[2]
            out[-1][3] = out[-1][3] + r[3]
        else:
            out.append(list(r))
    return out


def rough_contact_2d(
    surface: RoughSurface,
    separation: float | None = None,
    *,
    pressure: float | None = None,
    hardness: float | None = None,
    thickness: tuple[float, float] | None = None,
    gas: bool = False,
    mesh_size: float | None = None,
    interface_size: float | None = None,
    min_feature: float | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    msh_file: str | Path | None = None,
) -> RoughContact2D:
    """Resolved 2D contact of a rough profile on a flat (module docstring).

    Args:
        surface: 1D profile (periodic; the model is one period wide).
        separation: mean-plane separation Y (m); or give ``pressure`` and
            ``hardness`` (Pa) for the plastic area fraction ``P / H_c``.
        pressure: contact pressure P (Pa), with ``hardness`` instead of ``separation``.
        hardness: hardness H_c (Pa), with ``pressure`` instead of ``separation``.
        thickness: ``(t_lower, t_upper)``: the lower body spans ``-t_lower < y < 0``,
            the upper ``Y - z(x) < y < Y + t_upper``.  Default: one period each.
        gas: mesh the gaps as a ``"gas"`` cell group (default: vacuum, no cells).
        mesh_size: far-field cell size (default ``min(t_lower, t_upper) / 4``).
        interface_size: cell size along the contact plane and the rough face
            (default: the sample spacing ``dx``); the spot ends (flux
            singularities) get a quarter of it.
        min_feature: spots shorter than this are widened to it, gaps shorter are
            filled (default ``dx / 2``): the profile is resolved only down to its
            sampling.
        comm: communicator (the gmsh model is built on rank 0).
        msh_file: also write the gmsh mesh there.
    """
    from fe_interface.geometry.builders import add_groups, background_min, build_model, mesh_options

    surface = _check_surface(surface, 1)
    dx = surface.dx
    length = surface.length
    t_lo, t_up, h, h_if, feat = _check_sizes_2d(
        length, dx, thickness, mesh_size, interface_size, min_feature
    )
    c = _contact(surface, separation, pressure, hardness)
    Y = c.separation
    z = np.append(surface.z, surface.z[0])  # closed period
    x = np.arange(z.size) * dx
    g = Y - z
    if t_up <= float(g.max()):
        raise ValueError(
            f"thickness (upper) = {t_up} m must exceed the largest gap Y - min(z) = {g.max():g} m"
        )
    runs = _clean_runs(_intervals(x, g), feat, length)
    spots = np.array([[r[1], r[2]] for r in runs if r[0]])
    if spots.size == 0:
        raise ValueError("no contact spot is left after the min_feature clean-up")
    if not any(not r[0] for r in runs):
        raise ValueError("no gap is left after the min_feature clean-up (full contact)")
    area_fraction = float(np.sum(spots[:, 1] - spots[:, 0]) / length)

    def construct(gmsh):
        geo = gmsh.model.geo
        lines = _Lines2D(geo, dx)
        pt, line = lines.pt, lines.line
        face = _interface_2d(lines, runs, x, g, length, gas, 0.2 * dx)
        groups, flat, rough = face.groups, face.flat, face.rough
        open_left = not runs[0][0]  # a gap cut by the left/right side of the period
        open_right = not runs[-1][0]
        # lower body
        pb0, pb1 = pt(0.0, -t_lo), pt(length, -t_lo)
        bottom = line(pb0, pb1)
        right_lo = line(pb1, pt(length, 0.0))
        left_lo = line(pt(0.0, 0.0), pb0)
        groups["bottom"].append(bottom)
        groups["sides"] += [right_lo, left_lo]
        lower_loop = [bottom, right_lo] + [-s for s in reversed(flat)] + [left_lo]
        # upper body: rough face left to right, right side up, top, left side down
        pt0, pt1 = pt(0.0, Y + t_up), pt(length, Y + t_up)
        right_up = line(pt(length, g[-1] if open_right else 0.0), pt1)
        top = line(pt1, pt0)
        left_up = line(pt0, pt(0.0, g[0] if open_left else 0.0))
        groups["top"].append(top)
        groups["sides"] += [right_up, left_up]
        upper_loop = [*rough, right_up, top, left_up]
        cells: dict[str, list[int]] = {"lower": [], "upper": []}
        cells["lower"].append(geo.addPlaneSurface([geo.addCurveLoop(lower_loop)]))
        cells["upper"].append(geo.addPlaneSurface([geo.addCurveLoop(upper_loop)]))
        if gas:
            cells["gas"] = [geo.addPlaneSurface([geo.addCurveLoop(lp)]) for lp in face.gas_loops]
        geo.synchronize()
        add_groups(gmsh, 2, cells)
        add_groups(gmsh, 1, {k: sorted({abs(t) for t in v}) for k, v in groups.items()})
        mesh_options(gmsh, h, h_if / 4.0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        near = sorted({abs(t) for t in rough + flat})
        f1 = _threshold(gmsh, 1, near, h_if, h, max(4 * h_if, 2 * h))
        f2 = _threshold(gmsh, 0, sorted(set(face.spot_ends)), h_if / 4.0, h, h)
        background_min(gmsh, [f1, f2])
        gmsh.option.setNumber("Mesh.Algorithm", 5)  # Delaunay: fast with many curves
        gmsh.model.mesh.generate(2)

    tagged = build_model("rough_contact_2d", comm, 2, construct, msh_file)
    return RoughContact2D(tagged, c, spots, np.maximum(g[:-1], 0.0), length, area_fraction)


def _check_sizes_2d(
    length: float, dx: float, thickness: Any, mesh_size: Any, interface_size: Any,
    min_feature: Any,
) -> tuple[float, float, float, float, float]:  # fmt: skip
    """(t_lower, t_upper, cell size, interface cell size, smallest feature) of a 2D contact, m."""
    t_lo, t_up = _check_thickness((length, length) if thickness is None else thickness)
    h_if = dx if interface_size is None else positive(interface_size, "interface_size")
    h = min(t_lo, t_up) / 4.0 if mesh_size is None else positive(mesh_size, "mesh_size")
    h = max(h, h_if)
    feat = 0.5 * dx if min_feature is None else positive(min_feature, "min_feature")
    if feat >= length / 4:
        raise ValueError(f"min_feature ({feat}) must be well below the period ({length})")
    return t_lo, t_up, h, h_if, feat


class _Lines2D:
    """Points and oriented lines of a gmsh ``geo`` model, each made once."""

    def __init__(self, geo: Any, dx: float) -> None:
        self.geo, self.dx = geo, dx
        self.pts: dict[tuple[int, int], int] = {}
        self.lines: dict[tuple[int, int], int] = {}

    def pt(self, px: float, py: float) -> int:
        """The point (px, py) (m; snapped to 1e-9 of the sample spacing)."""
        key = (round(px / self.dx * 1e9), round(py / self.dx * 1e9))
        if key not in self.pts:
            self.pts[key] = self.geo.addPoint(px, py, 0.0)
        return self.pts[key]

    def line(self, p: int, q: int) -> int:
        """Oriented line p -> q (negative tag: an existing line q -> p)."""
        if (q, p) in self.lines:
            return -self.lines[(q, p)]
        if (p, q) not in self.lines:
            self.lines[(p, q)] = self.geo.addLine(p, q)
        return self.lines[(p, q)]

    def polyline(self, chain: list[int]) -> list[int]:
        """The lines through the points ``chain``."""
        return [self.line(a, b) for a, b in pairwise(chain)]


@dataclass
class _Interface2D:
    """The lines of the contact plane and the rough face of a 2D contact."""

    groups: dict[str, list[int]]
    flat: list[int] = field(default_factory=list)  # y = 0, left to right (lower body top)
    rough: list[int] = field(default_factory=list)  # bottom of the upper body, left to right
    gas_loops: list[list[int]] = field(default_factory=list)
    spot_ends: list[int] = field(default_factory=list)


def _interface_2d(
    lines: _Lines2D, runs: list, x: np.ndarray, g: np.ndarray, length: float, gas: bool,
    snap: float,
) -> _Interface2D:  # fmt: skip
    """Spots on the plane y = 0 and the gaps above them (with their gas cells)."""
    pt, line = lines.pt, lines.line
    face = _Interface2D(
        {k: [] for k in ("contact", "gap_lower", "gap_upper", "bottom", "top", "sides")}
    )
    groups = face.groups
    for kind, x0, x1, idx in runs:
        p0, p1 = pt(x0, 0.0), pt(x1, 0.0)
        base = line(p0, p1)
        face.flat.append(base)
        if kind:
            face.rough.append(base)
            groups["contact"].append(base)
            face.spot_ends += [p0, p1]
            continue
        groups["gap_lower"].append(base)
        inner = [i for i in idx if g[i] > 0 and x0 + snap < x[i] < x1 - snap]
        left = pt(0.0, g[0]) if x0 == 0.0 else p0
        right = pt(length, g[-1]) if x1 == length else p1
        if not inner and left == p0 and right == p1:
            inner = [max(idx, key=lambda i: g[i])]  # a gap needs a thickness
        chain = lines.polyline([left] + [pt(x[i], g[i]) for i in inner] + [right])
        groups["gap_upper"] += chain
        face.rough += chain
        if gas:
            face.gas_loops.append(_gas_loop(lines, groups, base, chain, (p0, p1), (left, right)))
    return face


def _gas_loop(
    lines: _Lines2D, groups: dict[str, list[int]], base: int, chain: list[int],
    ends: tuple[int, int], tops: tuple[int, int],
) -> list[int]:  # fmt: skip
    """The gas cell of a gap: flat base, the side pieces of a gap cut by the period ends."""
    (p0, p1), (left, right) = ends, tops
    loop = [base]
    if right != p1:
        loop.append(lines.line(p1, right))
        groups["sides"].append(loop[-1])
    loop += [-s for s in reversed(chain)]
    if left != p0:
        loop.append(lines.line(left, p0))
        groups["sides"].append(loop[-1])
    return loop


# --------------------------------------------------------------------------------------
# 3D: spot map on a flat interface plane
# --------------------------------------------------------------------------------------

#: physical groups of :func:`rough_contact_3d`: (cell groups, facet groups)
GROUPS_3D: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("lower", "upper"),
    ("spots", "gap", "bottom", "top", "sides"),
)


def check_groups(
    tagged: TaggedMesh,
    cells: tuple[str, ...] = GROUPS_3D[0],
    facets: tuple[str, ...] = GROUPS_3D[1],
) -> TaggedMesh:
    """Check that ``tagged`` has the named physical groups; returns it.

    The default groups are those of :func:`rough_contact_3d`; e.g. after
    ``fe_interface.mesh.read_msh``.

    Raises:
        MeshError: naming every missing cell and facet group and what the mesh has.
    """
    from fe_interface.errors import MeshError

    miss_c = [n for n in cells if n not in tagged.cell_names]
    miss_f = [n for n in facets if n not in tagged.facet_names]
    if miss_c or miss_f:
        parts = ([f"cell group(s) {miss_c}"] if miss_c else []) + (
            [f"facet group(s) {miss_f}"] if miss_f else []
        )
        raise MeshError(
            f"the mesh lacks the physical {' and '.join(parts)}; it has cell groups "
            f"{sorted(tagged.cell_names)} and facet groups {sorted(tagged.facet_names)}"
        )
    return tagged


class Spot(NamedTuple):
    """One meshed contact spot.

    A piece of a :class:`~fe_interface.rough.Contact` spot: spots wrapping around the period
    are cut at the sides.

    Attributes:
        area: m^2 (pixel count times ``dx**2``).
        centroid: ``(x, y)`` of the spot's pixels (m).
        loops: boundary polygons ``(k, 2)`` (m): the outer loop (counter-clockwise)
            first, then the holes (clockwise); consecutive vertices are joined, the
            last to the first.
    """

    area: float
    centroid: tuple[float, float]
    loops: list[np.ndarray]


def _separate_corners(mask: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, int]:
    """Fill one gap pixel of every 2 x 2 checkerboard (spots touching at a corner only).

    The gap pixel with the smaller gap joins the contact; one at a time, in row-major
    order (deterministic), until no checkerboard is left.  Returns (mask, fills).
    """
    m = mask.copy()
    filled = 0
    while True:
        a, b, c, d = m[:-1, :-1], m[1:, :-1], m[:-1, 1:], m[1:, 1:]
        diag = a & d & ~b & ~c  # contact at (i, j) and (i+1, j+1)
        anti = b & c & ~a & ~d  # contact at (i+1, j) and (i, j+1)
        bad = np.flatnonzero((diag | anti).ravel())
        if bad.size == 0:
            return m, filled
        i, j = np.unravel_index(bad[0], diag.shape)
        cand = [(i + 1, j), (i, j + 1)] if diag[i, j] else [(i, j), (i + 1, j + 1)]
        m[min(cand, key=lambda p: gap[p])] = True
        filled += 1


_LEFT = {(1, 0): (0, 0), (0, 1): (-1, 0), (-1, 0): (-1, -1), (0, -1): (0, -1)}


def _trace(mask: np.ndarray) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """Boundary loops of the contact pixels (no checkerboards), in pixel-corner units.

    Returns the non-periodic 4-connected labels and ``(label, loop)`` pairs; every
    loop has the contact on its left (outer loops counter-clockwise, holes
    clockwise) and no collinear vertices.

    Raises:
        ValueError: two boundary edges start at one vertex (spots touching at a
            corner: the polygons would not be simple).
    """
    from fe_interface.geometry.rough import label_periodic

    nx, ny = mask.shape
    labels = label_periodic(np.pad(mask, ((0, 1), (0, 1))))[:nx, :ny]
    edges = _boundary_edges(mask)
    loops: list[tuple[int, np.ndarray]] = []
    for start in sorted(edges):
        if start not in edges:
            continue
        chain = [start]
        v = edges.pop(start)
        while v != start:
            chain.append(v)
            v = edges.pop(v)
        c = np.array(chain)
        step = np.roll(c, -1, axis=0) - c
        keep = np.any(step != np.roll(step, 1, axis=0), axis=1)  # drop collinear vertices
        d0 = (int(step[0, 0]), int(step[0, 1]))
        off = _LEFT[d0]
        label = int(labels[c[0, 0] + off[0], c[0, 1] + off[1]])
        loops.append((label, c[keep]))
    return labels, loops


def _boundary_edges(mask: np.ndarray) -> dict[tuple[int, int], tuple[int, int]]:
    """The boundary edges of the contact pixels, start vertex -> end vertex (pixel corners).

    Each edge has the contact on its left.

    Raises:
        ValueError: two boundary edges start at one vertex (see :func:`_trace`).
    """
    p = np.pad(mask, 1)  # p[i + 1, j + 1] = mask[i, j]; outside the plane: no contact
    edges: dict[tuple[int, int], tuple[int, int]] = {}

    def add(a, b):
        if a in edges:
            raise ValueError(
                f"spot polygons touch at the pixel corner {a} (they would self-intersect)"
            )
        edges[a] = b

    for i, j in zip(*(k.tolist() for k in np.nonzero(mask)), strict=True):
        if not p[i + 1, j]:
            add((i, j), (i + 1, j))
        if not p[i + 2, j + 1]:
            add((i + 1, j), (i + 1, j + 1))
        if not p[i + 1, j + 2]:
            add((i + 1, j + 1), (i, j + 1))
        if not p[i, j + 1]:
            add((i, j + 1), (i, j))
    return edges


def _signed_area(loop: np.ndarray) -> float:
    x, y = loop[:, 0].astype(float), loop[:, 1].astype(float)
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


@dataclass(frozen=True, eq=False)
class RoughContact3D:
    """Result of :func:`rough_contact_3d`.

    Attributes:
        tagged: the distributed mesh with its groups (:data:`GROUPS_3D`).
        contact: the sampled contact (:class:`fe_interface.rough.Contact`; its spot
            list is periodic, :attr:`spots` the meshed pieces).
        surface: the height map (m).
        mask: meshed contact pixels: ``contact.mask`` plus the :attr:`filled` ones.
        spots: the meshed spots (:class:`Spot`).
        size: ``(Lx, Ly)``, the interface plane (m).
        area_fraction: meshed spot area / ``(Lx Ly)`` (exactly the fraction of
            :attr:`mask`; ``contact.area_fraction + filled / mask.size``).
        filled: gap pixels joined to the contact to separate corner-touching spots.
        gap_map: the local gap (m) per pixel when the contact came from a contact map
            (e.g. an FFT boundary-element solution, ``contact_map=``); None: ``Y - z``.
    """

    tagged: TaggedMesh
    contact: Contact
    surface: RoughSurface
    mask: np.ndarray
    spots: tuple[Spot, ...]
    size: tuple[float, float]
    area_fraction: float
    filled: int
    gap_map: np.ndarray | None = None

    @property
    def separation(self) -> float:
        """Mean-plane separation Y (m)."""
        return self.contact.separation

    def gap(self, x) -> np.ndarray:
        """Local gap thickness (m) at points ``x`` (shape ``(2 or 3, n)``, m).

        ``g = max(Y - z(x, y), 0)`` with ``z`` bilinearly interpolated between the
        pixel centres ``((i + 1/2) dx, (j + 1/2) dx)`` (periodic), and ``g = 0`` on
        the meshed contact pixels (:attr:`mask`).  At a pixel centre outside the
        contact it is exactly ``Y - z[i, j]``.
        """
        x = np.asarray(x, dtype=float)
        z, dx = self.surface.z, self.surface.dx
        nx, ny = z.shape
        d = self.separation - z if self.gap_map is None else self.gap_map
        u, v = x[0] / dx - 0.5, x[1] / dx - 0.5
        i0, j0 = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
        tu, tv = u - i0, v - j0
        i1, j1 = (i0 + 1) % nx, (j0 + 1) % ny
        i0, j0 = i0 % nx, j0 % ny
        g = (1 - tu) * ((1 - tv) * d[i0, j0] + tv * d[i0, j1]) + tu * (
            (1 - tv) * d[i1, j0] + tv * d[i1, j1]
        )
        g = np.maximum(g, 0.0)
        ip = np.clip(np.floor(x[0] / dx).astype(np.int64), 0, nx - 1)
        jp = np.clip(np.floor(x[1] / dx).astype(np.int64), 0, ny - 1)
        g[self.mask[ip, jp]] = 0.0
        return g

    def gas_gap_conductance(
        self,
        gas="air",
        p_gas: float = 101325.0,
        T_gas: float = 300.0,
        accommodation: tuple[float, float] = (1.0, 1.0),
        k_g: float | None = None,
    ):
        """Local gas-gap law on the ``"gap"`` facets.

        A :class:`~fe_interface.interfaces.FacetConductance` ``h_g(x) = k_g / (g(x) + M)``
        W/(m^2 K).

        The gap is a local parallel-plate gap of thickness :meth:`gap` with the
        temperature-jump (rarefaction) distance ``M = alpha beta Lambda`` of
        :class:`fe_interface.laws.gas.GasGapConductance` (the same gas data, ``k_g``
        and ``M``; Yovanovich 1982, Bahrami, Culham & Yovanovich, J. Thermophys. Heat
        Transfer 18 (2004)): it is the integrand of that law's gap integral, here
        evaluated on the resolved gap instead of averaged over a Gaussian height
        distribution.  ``T_gas`` (K) is fixed (the law is evaluated once, per facet);
        ``p_gas = 0`` (vacuum) gives ``h_g = 0``.

        Args:
            gas: gas name or :class:`~fe_interface.laws.gas.GasProperties`.
            p_gas: gas pressure (Pa).
            T_gas: gas temperature for the mean free path (K).
            accommodation: thermal accommodation coefficients of the two faces.
            k_g: override the tabulated gas conductivity (W/(m K)).
        """
        from fe_interface.model.interfaces import FacetConductance
        from fe_interface.model.laws.gas import GasGapConductance

        a_plus, a_minus = accommodation
        law = GasGapConductance(
            gas,
            sigma=self.surface.rms(),
            p_gas=p_gas,
            accommodation_plus=a_plus,
            accommodation_minus=a_minus,
            Y=0.0,  # unused: the local gap g(x) takes the place of Y
            T_gas=T_gas,
            form="simple",
            k_g=k_g,
        )
        if law.vacuum:
            return FacetConductance(lambda x: np.zeros(np.shape(x)[1]))
        assert law.k_g is not None  # set from the gas in GasGapConductance.__post_init__
        kg, M = law.k_g, float(law.rarefaction_parameter(law.T_gas))
        return FacetConductance(lambda x: kg / (self.gap(x) + M))

    def spot_conductance(self, k: float, factor: float = 1e3):
        """A large constant conductance for the ``"spots"``: ``factor * k / dx``.

        The spots are in (nearly) perfect contact, but the solver cannot combine
        :class:`~fe_interface.interfaces.PerfectContact` on the spots with a
        conductance on the gap between the same two regions.  A spot of width
        ``s >= dx`` has a constriction resistance ``~ 1 / (k s)`` and an interface
        resistance ``1 / (h s**2)``: their ratio ``k / (h s) <= 1 / factor``, i.e.
        0.1 % by default.  ``k`` (W/(m K)): the harmonic mean ``2 k1 k2 / (k1 + k2)``
        of the two bodies.  Larger factors worsen the conditioning (iterative solves).
        """
        from fe_interface.model.interfaces import Conductance

        return Conductance(positive(factor, "factor") * positive(k, "k") / self.surface.dx)


def rough_contact_3d(
    surface: RoughSurface,
    separation: float | None = None,
    *,
    pressure: float | None = None,
    hardness: float | None = None,
    thickness: tuple[float, float] | None = None,
    mesh_size: float | None = None,
    interface_size: float | None = None,
    edge_size: float | None = None,
    contact_map: np.ndarray | None = None,
    gap_map: np.ndarray | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    msh_file: str | Path | None = None,
) -> RoughContact3D:
    """Two blocks touching at the contact spots of a height map (module docstring).

    All parameters are checked (:class:`ValueError`) before gmsh is called.

    Typical use (the spots nearly perfect, the gap a local gas-gap law)::

        rc = rough_contact_3d(combined(s1, s2), pressure=P, hardness=H_c)
        interfaces = [Interface("spots", rc.spot_conductance(k_s), plus="upper"),
                      Interface("gap", rc.gas_gap_conductance("air", accommodation=(0.9, 0.9)),
                                plus="upper")]

    Args:
        surface: 2D height map ``z[i, j]`` (m), e.g. :func:`fe_interface.rough.combined`;
            the plane is its period ``Lx x Ly = (nx dx) x (ny dx)``.
        separation: mean-plane separation Y (m); or give ``pressure`` and
            ``hardness`` (Pa) for the plastic area fraction ``P / H_c``.
        pressure: contact pressure P (Pa), with ``hardness`` instead of ``separation``.
        hardness: hardness H_c (Pa), with ``pressure`` instead of ``separation``.
        thickness: ``(t_lower, t_upper)`` (m), default ``min(Lx, Ly) / 2`` each.
        mesh_size: far-field cell size (default ``min(t_lower, t_upper, Lx, Ly) / 2``).
        interface_size: cell size on the plane ``z = 0`` (default: the pixel ``dx``),
            growing away from it with slope 1/2.
        edge_size: cell size at the spot edges (flux singularities), default
            ``interface_size / 2``; at most ``interface_size``.
        contact_map: the contact pixels (bool, the map's shape) of a computed contact
            (an FFT boundary-element solution, :mod:`fe_interface.model.rough_contact`)
            instead of ``separation``/``pressure``; with ``gap_map``, the local gaps (m)
            that :meth:`RoughContact3D.gap` then returns.
        gap_map: the local gap (m) per pixel with ``contact_map`` (default: 0 on the
            contact, else ``z.max() - z``).
        comm: communicator (the gmsh model is built on rank 0).
        msh_file: also write the gmsh mesh there (MSH 4.1, ASCII).

    Raises:
        ValueError: bad or degenerate parameters: not a finite, non-flat height map;
            no contact or full contact; non-positive lengths; ``edge_size >
            interface_size``.
    """
    from fe_interface.geometry.builders import (
        add_groups,
        background_min,
        build_model,
        length_scale,
        mesh_options,
    )

    surface = _check_surface(surface, 2)
    dx = surface.dx
    nx, ny = surface.z.shape
    Lx, Ly = nx * dx, ny * dx
    t_lo, t_up, h, h_if, h_edge = _check_sizes_3d(
        (Lx, Ly), dx, thickness, mesh_size, interface_size, edge_size
    )
    if contact_map is None:
        c = _contact(surface, separation, pressure, hardness)
        gaps = c.separation - surface.z
    else:
        c, gaps = _mapped_contact(surface, contact_map, gap_map, separation, pressure)
    # (a fill leaves the other gap pixel of its checkerboard: some gap always remains)
    mask, filled = _separate_corners(c.mask, gaps)
    spots, spot_loops = _spots(mask, dx)
    area_fraction = float(mask.mean())
    grow = 0.5  # cell size growth away from the plane and the spot edges
    scale = length_scale(dx, t_lo, t_up)  # gmsh model unit in m (absolute OCC tolerances)

    def construct(
        gmsh,
        # lengths in model units (metres / scale)
        dx=dx / scale,
        Lx=Lx / scale,
        Ly=Ly / scale,
        t_lo=t_lo / scale,
        t_up=t_up / scale,
        h=h / scale,
        h_if=h_if / scale,
        h_edge=h_edge / scale,
    ):
        occ = gmsh.model.occ
        lower = occ.addBox(0.0, 0.0, -t_lo, Lx, Ly, t_lo)
        upper = occ.addBox(0.0, 0.0, 0.0, Lx, Ly, t_up)
        faces = _spot_faces(occ, spot_loops, dx)
        _, omap = occ.fragment([(3, lower), (3, upper)], faces)
        occ.synchronize()
        spot_faces = sorted({t for m in omap[2:] for _, t in m})
        cells: dict[str, list[int]] = {"lower": [], "upper": []}
        for _, v in gmsh.model.getEntities(3):
            cells["lower" if occ.getCenterOfMass(3, v)[2] < 0 else "upper"].append(v)
        tol = 1e-6 * max(Lx, Ly, t_lo, t_up)
        facets = _facets_3d(gmsh, spot_faces, t_lo, t_up, tol)
        meshed = sum(occ.getMass(2, f) for f in facets["spots"])
        if abs(meshed - area_fraction * Lx * Ly) > 1e-9 * Lx * Ly:
            raise RuntimeError(f"internal error: spot faces {meshed} != pixel area")
        add_groups(gmsh, 3, cells)
        add_groups(gmsh, 2, facets)
        # spot edges inside the plane (not on its outline)
        edges = []
        for _, e in gmsh.model.getBoundary([(2, f) for f in facets["spots"]], oriented=False):
            x, y, _ = occ.getCenterOfMass(1, abs(e))
            if min(x, Lx - x, y, Ly - y) > tol:
                edges.append(abs(e))
        mesh_options(gmsh, h, h_edge)
        background_min(gmsh, _size_fields_3d(gmsh, edges, h, h_if, h_edge, grow))
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.model.mesh.generate(3)

    tagged = build_model("rough_contact_3d", comm, 3, construct, msh_file, scale)
    return RoughContact3D(
        tagged,
        c,
        surface,
        mask,
        tuple(spots),
        (Lx, Ly),
        area_fraction,
        filled,
        None if contact_map is None else gaps,
    )


def _check_sizes_3d(
    period: tuple[float, float], dx: float, thickness: Any, mesh_size: Any,
    interface_size: Any, edge_size: Any,
) -> tuple[float, float, float, float, float]:  # fmt: skip
    """(t_lower, t_upper, cell size, plane cell size, spot-edge cell size) of a 3D contact, m."""
    Lx, Ly = period
    t_default = min(Lx, Ly) / 2.0
    t_lo, t_up = _check_thickness((t_default, t_default) if thickness is None else thickness)
    h_if = dx if interface_size is None else positive(interface_size, "interface_size")
    h = min(t_lo, t_up, Lx, Ly) / 2.0 if mesh_size is None else positive(mesh_size, "mesh_size")
    h = max(h, h_if)
    h_edge = h_if / 2.0 if edge_size is None else positive(edge_size, "edge_size")
    if h_edge > h_if:
        raise ValueError(f"edge_size ({h_edge}) must not exceed interface_size ({h_if})")
    return t_lo, t_up, h, h_if, h_edge


def _spots(mask: np.ndarray, dx: float) -> tuple[list[Spot], list[list[np.ndarray]]]:
    """The spots of a contact mask and their loops (pixel-corner units, outer first)."""
    labels, loops = _trace(mask)
    spots: list[Spot] = []
    spot_loops: list[list[np.ndarray]] = []
    for lab in range(1, int(labels.max()) + 1):
        mine = [lp for k, lp in loops if k == lab]
        areas = [_signed_area(lp) for lp in mine]
        outer = [lp for lp, a in zip(mine, areas, strict=True) if a > 0]
        if len(outer) != 1 or any(a == 0 for a in areas):
            raise RuntimeError(f"internal error: spot {lab} has {len(outer)} outer loops")
        holes = [lp for lp, a in zip(mine, areas, strict=True) if a < 0]
        ii, jj = np.nonzero(labels == lab)
        if not np.isclose(sum(areas), ii.size):
            raise RuntimeError(f"internal error: spot {lab} polygon area != pixel count")
        spot_loops.append([outer[0], *holes])
        spots.append(
            Spot(
                float(ii.size * dx * dx),
                (float((ii.mean() + 0.5) * dx), float((jj.mean() + 0.5) * dx)),
                [lp * dx for lp in spot_loops[-1]],
            )
        )
    return spots, spot_loops


def _spot_faces(occ: Any, spot_loops: list[list[np.ndarray]], dx: float) -> list[Any]:
    """The plane faces of the spots (model units ``dx`` per pixel)."""

    def face_of(lp):
        pts = [occ.addPoint(float(i) * dx, float(j) * dx, 0.0) for i, j in lp]
        lines = [occ.addLine(a, b) for a, b in zip(pts, pts[1:] + pts[:1], strict=True)]
        return (2, occ.addPlaneSurface([occ.addCurveLoop(lines)]))

    faces = []
    for sl in spot_loops:
        # a spot with holes: its outline minus the holes (a plane surface of several
        # curve loops kept the holes' area in OCC)
        outer = face_of(sl[0])
        if len(sl) == 1:
            faces.append(outer)
            continue
        cut, _ = occ.cut([outer], [face_of(h) for h in sl[1:]])
        faces.extend(cut)
    return faces


def _facets_3d(
    gmsh: Any, spot_faces: list[int], t_lo: float, t_up: float, tol: float
) -> dict[str, list[int]]:
    """The facet groups of :data:`GROUPS_3D` by the faces' heights."""
    occ = gmsh.model.occ
    facets: dict[str, list[int]] = {n: [] for n in GROUPS_3D[1]}
    for _, f in gmsh.model.getEntities(2):
        z = occ.getCenterOfMass(2, f)[2]
        if abs(z) < tol:
            if len(gmsh.model.getAdjacencies(2, f)[0]) != 2:
                raise RuntimeError(f"internal error: plane face {f} is not an interface")
            facets["spots" if f in spot_faces else "gap"].append(f)
        elif abs(z + t_lo) < tol:
            facets["bottom"].append(f)
        elif abs(z - t_up) < tol:
            facets["top"].append(f)
        else:
            facets["sides"].append(f)
    return facets


def _size_fields_3d(
    gmsh: Any, edges: list[int], h: float, h_if: float, h_edge: float, grow: float
) -> list[int]:
    """Cell sizes: ``h_if`` on the plane and ``h_edge`` at the spot edges, growing by ``grow``."""
    field = gmsh.model.mesh.field
    plane = field.add("MathEval")
    field.setString(plane, "F", f"Min({h!r}, {h_if!r} + {grow!r} * Abs(z))")
    fields = [plane]
    if edges:
        longest = max(gmsh.model.occ.getMass(1, e) for e in edges)
        d = field.add("Distance")
        field.setNumbers(d, "CurvesList", sorted(set(edges)))
        field.setNumber(d, "Sampling", min(200, int(np.ceil(longest / h_edge)) + 1))
        t = field.add("Threshold")
        field.setNumber(t, "InField", d)
        field.setNumber(t, "SizeMin", h_edge)
        field.setNumber(t, "SizeMax", h)
        field.setNumber(t, "DistMin", 0.0)
        field.setNumber(t, "DistMax", (h - h_edge) / grow)
        fields.append(t)
    return fields
