"""Meshes of resolved rough contacts (2D).

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

Not yet implemented: the 3D counterpart (a height map's spot map on a flat
interface plane, "contact" vs "gap" facets with per-facet gap thickness binned into
constant-conductance groups); see the project issue.

All lengths in metres.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.mesh import TaggedMesh
from fe_interface.rough import Contact, RoughSurface, _positive, contact

__all__ = ["RoughContact2D", "rough_contact_2d"]


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
    _positive(surface.dx, "surface.dx")
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
    return _positive(lo, "thickness (lower)"), _positive(up, "thickness (upper)")


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
    for a, b in zip(runs[:-1], runs[1:], strict=True):  # neighbours follow the spot ends
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
    from fe_interface.geometry import _add_groups, _background_min, _build, _mesh_options

    surface = _check_surface(surface, 1)
    dx = surface.dx
    length = surface.length
    t_lo, t_up = _check_thickness((length, length) if thickness is None else thickness)
    h_if = dx if interface_size is None else _positive(interface_size, "interface_size")
    h = min(t_lo, t_up) / 4.0 if mesh_size is None else _positive(mesh_size, "mesh_size")
    h = max(h, h_if)
    feat = 0.5 * dx if min_feature is None else _positive(min_feature, "min_feature")
    if feat >= length / 4:
        raise ValueError(f"min_feature ({feat}) must be well below the period ({length})")
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
    snap = 0.2 * dx

    def construct(gmsh):
        geo = gmsh.model.geo
        pts: dict[tuple[int, int], int] = {}

        def pt(px, py):
            key = (round(px / dx * 1e9), round(py / dx * 1e9))
            if key not in pts:
                pts[key] = geo.addPoint(px, py, 0.0)
            return pts[key]

        lines: dict[tuple[int, int], int] = {}

        def line(p, q):
            """Oriented line p -> q (negative tag: an existing line q -> p)."""
            if (q, p) in lines:
                return -lines[(q, p)]
            if (p, q) not in lines:
                lines[(p, q)] = geo.addLine(p, q)
            return lines[(p, q)]

        def polyline(chain):
            return [line(a, b) for a, b in zip(chain[:-1], chain[1:], strict=True)]

        groups: dict[str, list[int]] = {
            k: [] for k in ("contact", "gap_lower", "gap_upper", "bottom", "top", "sides")
        }
        flat: list[int] = []  # y = 0, left to right (top of the lower body)
        rough: list[int] = []  # bottom of the upper body, left to right
        gas_loops: list[list[int]] = []
        spot_ends: list[int] = []
        open_left = not runs[0][0]  # a gap cut by the left/right side of the period
        open_right = not runs[-1][0]
        for kind, x0, x1, idx in runs:
            p0, p1 = pt(x0, 0.0), pt(x1, 0.0)
            base = line(p0, p1)
            flat.append(base)
            if kind:
                rough.append(base)
                groups["contact"].append(base)
                spot_ends += [p0, p1]
                continue
            groups["gap_lower"].append(base)
            inner = [i for i in idx if g[i] > 0 and x0 + snap < x[i] < x1 - snap]
            left = pt(0.0, g[0]) if x0 == 0.0 else p0
            right = pt(length, g[-1]) if x1 == length else p1
            if not inner and left == p0 and right == p1:
                inner = [max(idx, key=lambda i: g[i])]  # a gap needs a thickness
            chain = polyline([left] + [pt(x[i], g[i]) for i in inner] + [right])
            groups["gap_upper"] += chain
            rough += chain
            if not gas:
                continue
            # the gas cell: flat base, the side pieces of a gap cut by the period ends
            loop = [base]
            if right != p1:
                loop.append(line(p1, right))
                groups["sides"].append(loop[-1])
            loop += [-s for s in reversed(chain)]
            if left != p0:
                loop.append(line(left, p0))
                groups["sides"].append(loop[-1])
            gas_loops.append(loop)
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
        upper_loop = rough + [right_up, top, left_up]
        cells: dict[str, list[int]] = {"lower": [], "upper": []}
        cells["lower"].append(geo.addPlaneSurface([geo.addCurveLoop(lower_loop)]))
        cells["upper"].append(geo.addPlaneSurface([geo.addCurveLoop(upper_loop)]))
        if gas:
            cells["gas"] = [geo.addPlaneSurface([geo.addCurveLoop(lp)]) for lp in gas_loops]
        geo.synchronize()
        _add_groups(gmsh, 2, cells)
        _add_groups(gmsh, 1, {k: sorted({abs(t) for t in v}) for k, v in groups.items()})
        _mesh_options(gmsh, h, h_if / 4.0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        near = sorted({abs(t) for t in rough + flat})
        f1 = _threshold(gmsh, 1, near, h_if, h, max(4 * h_if, 2 * h))
        f2 = _threshold(gmsh, 0, sorted(set(spot_ends)), h_if / 4.0, h, h)
        _background_min(gmsh, [f1, f2])
        gmsh.option.setNumber("Mesh.Algorithm", 5)  # Delaunay: fast with many curves
        gmsh.model.mesh.generate(2)

    tagged = _build("rough_contact_2d", comm, 2, construct, msh_file)
    return RoughContact2D(tagged, c, spots, np.maximum(g[:-1], 0.0), length, area_fraction)
