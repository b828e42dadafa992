"""Mesh of a resolved 3D rough contact: a height map's contact spots on a flat plane.

:func:`rough_contact_3d` — two blocks, ``"lower"`` (``-t_lower < z < 0``) and ``"upper"``
(``0 < z < t_upper``), over the map's period ``Lx x Ly`` meet on the plane ``z = 0``.  The
plane is partitioned into the contact spots (facet group ``"spots"``) and the non-contact
remainder (``"gap"``), both interfaces lower/upper (``dS``); the gap is not meshed, its
local thickness ``g(x, y) = max(Y - z(x, y), 0)`` is a NumPy function
(:meth:`RoughContact3D.gap`) for a per-facet gas-gap law
(:meth:`RoughContact3D.gas_gap_conductance`, a
:class:`~fe_interface.interfaces.FacetConductance`).  Outer facet groups ``"bottom"``
(``z = -t_lower``), ``"top"`` (``z = t_upper``), ``"sides"``.

The spot polygons (``spot_edges``):

* ``"pixels"`` (default): sample ``z[i, j]`` is the height of the pixel ``[i dx, (i+1)
  dx] x [j dx, (j+1) dx]``; a spot is a 4-connected union of contact pixels and its
  polygon is the boundary of that union (:func:`~fe_interface.geometry.spot_polygons.pixel_spots`).
  Exact in area (the pixel count times ``dx**2``), vertices on the pixel grid (the mesh
  depends only on the contact mask).  Two spots touching only at a pixel corner would
  make a non-manifold vertex: the gap pixel of such a 2 x 2 checkerboard with the smaller
  gap is filled (joined to contact), counted in :attr:`RoughContact3D.filled`.
* ``"contours"`` or an :data:`~fe_interface.geometry.spot_contours.EdgeFraction`: the spot
  edges are contours through the grid of pixel centres
  (:func:`~fe_interface.geometry.spot_polygons.contour_spots`), halfway between a contact
  and a gap pixel centre (``"contours"``) or where the callable puts them (e.g.
  :func:`~fe_interface.geometry.spot_contours.elastic_edge_fractions`: from the pressure
  and gap of an elastic contact).  A staircase's jagged edge adds conductance of order
  √(dx / spot radius) (the flux crowds at the edge); a contour does not
  (docs/rough-contact.md).  The area is the polygons' (not the pixel count).

The plane is not periodic: spots that wrap around the period are cut at the sides
(insulated sides: the matching contact is that of the mirror-padded map).  The spot edges
inside the plane get cells of ``edge_size``.

Laws: give the spots a large :class:`~fe_interface.interfaces.Conductance`
(:meth:`RoughContact3D.spot_conductance`) and the gap the local gas-gap law ``h_g(x) =
k_g / (g(x) + M)`` W/(m^2 K) (:meth:`RoughContact3D.gas_gap_conductance`, M and the gas
data from :mod:`fe_interface.laws.gas`).  Not ``PerfectContact`` on the spots together
with a conductance on the gap: both separate the same two regions, which the solver's
colouring cannot combine.

All lengths in metres, conductances in W/(m^2 K) (SI).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from fe_interface.geometry.rough import Contact, RoughSurface, label_periodic, positive
from fe_interface.geometry.rough_mesh_checks import check_surface, check_thickness, sampled_contact
from fe_interface.geometry.spot_contours import EdgeFraction
from fe_interface.geometry.spot_polygons import (
    Spot,
    contour_spots,
    pixel_spots,
    separate_corners,
)
from fe_interface.mesh import TaggedMesh

__all__ = ["GROUPS_3D", "RoughContact3D", "Spot", "check_groups", "rough_contact_3d"]


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


@dataclass(frozen=True, eq=False)
class RoughContact3D:
    """Result of :func:`rough_contact_3d`.

    Attributes:
        tagged: the distributed mesh with its groups (:data:`GROUPS_3D`).
        contact: the sampled contact (:class:`fe_interface.rough.Contact`; its spot
            list is periodic, :attr:`spots` the meshed pieces).
        surface: the height map (m).
        mask: the contact pixels: ``contact.mask`` plus the :attr:`filled` ones (pixel
            spots: exactly the meshed spots).
        spots: the meshed spots (:class:`Spot`).
        size: ``(Lx, Ly)``, the interface plane (m).
        area_fraction: meshed spot area / ``(Lx Ly)`` (pixel spots: exactly the fraction
            of :attr:`mask`, ``contact.area_fraction + filled / mask.size``; contour
            spots: the contours' area).
        filled: gap pixels joined to the contact to separate corner-touching spots.
        gap_map: the local gap (m) per pixel when the contact came from a contact map
            (e.g. an FFT boundary-element solution, ``contact_map=``); None: ``Y - z``.
        contoured: the spots are contours (``spot_edges`` other than ``"pixels"``).
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
    contoured: bool = False

    @property
    def separation(self) -> float:
        """Mean-plane separation Y (m)."""
        return self.contact.separation

    def gap(self, x) -> np.ndarray:
        """Local gap thickness (m) at points ``x`` (shape ``(2 or 3, n)``, m).

        ``g = max(Y - z(x, y), 0)`` with ``z`` bilinearly interpolated between the
        pixel centres ``((i + 1/2) dx, (j + 1/2) dx)`` (periodic), and ``g = 0`` on
        the meshed contact pixels (:attr:`mask`; pixel spots only: contour spots end
        between the pixel centres, where the interpolated gap closes).  At a pixel
        centre outside the contact it is exactly ``Y - z[i, j]``.
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
        if self.contoured:
            return g
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
    growth: float = 0.5,
    contact_map: np.ndarray | None = None,
    gap_map: np.ndarray | None = None,
    spot_edges: str | EdgeFraction = "pixels",
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
        growth: the cell size grows by ``growth`` per unit distance away from the plane
            and the spot edges (0 < growth <= 1): smaller grades the mesh more gently.
        contact_map: the contact pixels (bool, the map's shape) of a computed contact
            (an FFT boundary-element solution, :mod:`fe_interface.model.rough_contact`)
            instead of ``separation``/``pressure``; with ``gap_map``, the local gaps (m)
            that :meth:`RoughContact3D.gap` then returns.
        gap_map: the local gap (m) per pixel with ``contact_map`` (default: 0 on the
            contact, else ``z.max() - z``).
        spot_edges: the spot polygons (module docstring): ``"pixels"`` (the staircase of
            the contact pixels), ``"contours"`` (halfway between contact and gap pixel
            centres) or an :data:`~fe_interface.geometry.spot_contours.EdgeFraction`
            placing the edge between them (e.g.
            :func:`~fe_interface.geometry.spot_contours.elastic_edge_fractions`).
        comm: communicator (the gmsh model is built on rank 0).
        msh_file: also write the gmsh mesh there (MSH 4.1, ASCII).

    Raises:
        ValueError: bad or degenerate parameters: not a finite, non-flat height map;
            no contact or full contact; non-positive lengths; ``edge_size >
            interface_size``; an unknown ``spot_edges``.
    """
    from fe_interface.geometry.builders import (
        add_groups,
        background_min,
        build_model,
        length_scale,
        mesh_options,
    )

    surface = check_surface(surface, 2)
    dx = surface.dx
    nx, ny = surface.z.shape
    Lx, Ly = nx * dx, ny * dx
    t_lo, t_up, h, h_if, h_edge = _check_sizes_3d(
        (Lx, Ly), dx, thickness, mesh_size, interface_size, edge_size
    )
    if contact_map is None:
        c = sampled_contact(surface, separation, pressure, hardness)
        gaps = c.separation - surface.z
    else:
        c, gaps = _mapped_contact(surface, contact_map, gap_map, separation, pressure)
    mask, filled, spots, spot_loops, area_fraction = _spot_polygons(c.mask, gaps, dx, spot_edges)
    clip = None if isinstance(spot_edges, str) and spot_edges == "pixels" else (Lx, Ly)
    grow = positive(growth, "growth")  # cell size growth away from the plane and the spot edges
    if grow > 1.0:
        raise ValueError(f"growth must be in (0, 1], got {grow}")
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
        faces = _spot_faces(occ, spot_loops, dx, None if clip is None else (Lx, Ly))
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
            raise RuntimeError(f"internal error: spot faces {meshed} != polygon area")
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
        clip is not None,
    )


def _check_sizes_3d(
    period: tuple[float, float], dx: float, thickness: Any, mesh_size: Any,
    interface_size: Any, edge_size: Any,
) -> tuple[float, float, float, float, float]:  # fmt: skip
    """(t_lower, t_upper, cell size, plane cell size, spot-edge cell size) of a 3D contact, m."""
    Lx, Ly = period
    t_default = min(Lx, Ly) / 2.0
    t_lo, t_up = check_thickness((t_default, t_default) if thickness is None else thickness)
    h_if = dx if interface_size is None else positive(interface_size, "interface_size")
    h = min(t_lo, t_up, Lx, Ly) / 2.0 if mesh_size is None else positive(mesh_size, "mesh_size")
    h = max(h, h_if)
    h_edge = h_if / 2.0 if edge_size is None else positive(edge_size, "edge_size")
    if h_edge > h_if:
        raise ValueError(f"edge_size ({h_edge}) must not exceed interface_size ({h_if})")
    return t_lo, t_up, h, h_if, h_edge


def _spot_polygons(
    mask: np.ndarray, gaps: np.ndarray, dx: float, spot_edges: str | EdgeFraction
) -> tuple[np.ndarray, int, list[Spot], list[list[np.ndarray]], float]:
    """(mask, filled, spots, loops in pixel units, area fraction) of the ``spot_edges`` kind."""
    if isinstance(spot_edges, str) and spot_edges == "pixels":
        # (a fill leaves the other gap pixel of its checkerboard: some gap always remains)
        m, filled = separate_corners(mask, gaps)
        spots, loops = pixel_spots(m, dx)
        return m, filled, spots, loops, float(m.mean())
    if isinstance(spot_edges, str) and spot_edges != "contours":
        raise ValueError(
            f"spot_edges must be 'pixels', 'contours' or an edge-fraction function, got {spot_edges!r}"
        )
    fraction = None if isinstance(spot_edges, str) else spot_edges
    spots, loops = contour_spots(mask, dx, fraction)
    if not spots:
        raise ValueError("contact_map: no spot left inside the plane")
    return mask, 0, spots, loops, sum(s.area for s in spots) / (mask.size * dx * dx)


def _spot_faces(
    occ: Any, spot_loops: list[list[np.ndarray]], dx: float, clip: tuple[float, float] | None
) -> list[Any]:
    """The plane faces of the spots (model units ``dx`` per pixel), clipped to ``clip``."""

    def face_of(lp):
        pts = [occ.addPoint(float(i) * dx, float(j) * dx, 0.0) for i, j in lp]
        lines = [occ.addLine(a, b) for a, b in zip(pts, pts[1:] + pts[:1], strict=True)]
        return (2, occ.addPlaneSurface([occ.addCurveLoop(lines)]))

    faces = []
    for sl in spot_loops:
        # a spot with holes: its outline minus the holes (a plane surface of several
        # curve loops kept the holes' area in OCC)
        outer = [face_of(sl[0])]
        if len(sl) > 1:
            outer, _ = occ.cut(outer, [face_of(h) for h in sl[1:]])
        faces.extend(outer)
    if clip is not None and faces:
        box = occ.addRectangle(0.0, 0.0, 0.0, clip[0], clip[1])
        faces, _ = occ.intersect(faces, [(2, box)])
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
