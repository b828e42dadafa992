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

:func:`rough_contact_3d` — 3D contact of a height map on a *flat* interface plane: in
    :mod:`fe_interface.geometry.rough_mesh_3d` (imported here too; the pixel and contour
    spot polygons in :mod:`~fe_interface.geometry.spot_polygons` and
    :mod:`~fe_interface.geometry.spot_contours`).

All lengths in metres, conductances in W/(m^2 K) (SI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import Contact, RoughSurface, positive
from fe_interface.geometry.rough_mesh_3d import (
    GROUPS_3D,
    RoughContact3D,
    check_groups,
    rough_contact_3d,
)
from fe_interface.geometry.rough_mesh_checks import check_surface, check_thickness, sampled_contact
from fe_interface.geometry.spot_polygons import Spot
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

    surface = check_surface(surface, 1)
    dx = surface.dx
    length = surface.length
    t_lo, t_up, h, h_if, feat = _check_sizes_2d(
        length, dx, thickness, mesh_size, interface_size, min_feature
    )
    c = sampled_contact(surface, separation, pressure, hardness)
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
    t_lo, t_up = check_thickness((length, length) if thickness is None else thickness)
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
