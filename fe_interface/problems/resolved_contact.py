"""Conductance of a rough joint by finite-element conduction through its resolved spots.

The third route to h(P) (beside Barber's and the CMY/Mikic correlations,
:mod:`fe_interface.model.laws.rough_tables`): the contact map of an FFT boundary-element
solution (:class:`~fe_interface.model.rough_contact.ContactState`) is meshed by
:func:`~fe_interface.geometry.rough_mesh.rough_contact_3d` — two blocks over the map's
n × n pixels meeting on a plane split into the contact spots (sub-pixel contours of the
contact, or its pixel staircase) and the rest —,
the spots conduct (a conductance 10³ k_s/dx: 0.1 % of a pixel's constriction resistance),
the gap conducts through its gas, k_g/(g + M) with the computed local gap g
(vacuum: nothing), and the blocks are held at two temperatures.  The joint adds a drop
ΔT_c to the bulk conduction:

    h = q / ΔT_c,   ΔT_c = (T_top − T_bottom) − q (t₁/k₁ + t₂/k₂),

with q the heat flux through the top face (W/m²).  The side faces are insulated: the
contact of a mirror-padded map (``HalfSpaceContact(..., pad=True)``) is the matching one
(its mirror planes are the insulated faces; a periodic contact with spots on the sides
is warned about: FE/Barber 0.85 measured).  Each block is ``thickness`` thick (default
the sample side: FE/Barber changes by −0.03 % from L to 2L, +0.8 % at L/2).

Accuracy (docs/rough-contact.md): against Barber's h from K(P) of the same contact, within
5 % once the spots span ≳ 2 px in radius, with the default sub-pixel contour spots, P2
elements and spot-edge cells dx/4 (random surface: 1.002 at 64², 1.005 at 128²).  The
result carries a calibrated estimate of the discretisation's over-estimate
(:func:`resolution_error`) and warns when it exceeds :data:`RESOLUTION_TOLERANCE` or when
the spots are narrower than :data:`MIN_SPOT_RADIUS_PX` (the contact map does not resolve
them).  The core's bulk-gradient check of the interface flows is left out: it compares
with the gradient of the cells at the singular spot edges (25-35 % apart on every mesh).

Units SI: W/(m² K), m, K, W/(m K).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError
from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.rough_mesh_3d import rough_contact_3d
from fe_interface.geometry.spot_contours import elastic_edge_fractions
from fe_interface.model import FixedTemperature, Interface, Material
from fe_interface.model.interfaces import FacetConductance
from fe_interface.model.laws.tabulated import ConductanceTable
from fe_interface.model.rough_contact import ContactState
from fe_interface.problems.steady import SteadyProblem

__all__ = ["ResolvedConductance", "resolved_conductance", "resolved_table"]

T_BOTTOM, T_TOP = 300.0, 301.0  # K: any two temperatures (the problem is linear)


class ResolvedConductance(NamedTuple):
    """Conductance of the resolved joint at one load.

    Attributes:
        pressure_Pa: nominal pressure P (Pa).
        h_W_m2K: joint conductance q/ΔT_c (W/(m² K)), spots and gas.
        heat_flow_spots_W: heat through the spots (W).
        heat_flow_gap_W: heat through the gas in the gap (W).
        area_fraction: meshed spot area / nominal area.
        spots: number of meshed spots.
        cells: cells of the mesh.
        balance: relative energy-balance residual of the solve.
        spot_radius_px: heat-weighted mean equivalent radius Σ r² / Σ r of the meshed
            spots (r = √(A/π); a spot conducts ∝ r), in pixels.
        resolution_error: estimated relative over-estimate of h by the discretisation
            (:func:`resolution_error`: the spot edges' cells, and the staircase of pixel
            spots); a warning when above :data:`RESOLUTION_TOLERANCE`.
    """

    pressure_Pa: float
    h_W_m2K: float
    heat_flow_spots_W: float
    heat_flow_gap_W: float
    area_fraction: float
    spots: int
    cells: int
    balance: float
    spot_radius_px: float = float("nan")
    resolution_error: float = float("nan")


#: warn when the estimated discretisation over-estimate of h exceeds this (relative)
RESOLUTION_TOLERANCE = 0.05

#: spots narrower than this (heat-weighted mean equivalent radius, pixels) are not resolved
#: by the contact map itself: FE/Barber <= 0.92 at 1.1 px, 1.00 at 2.2 px (docs/rough-contact.md)
MIN_SPOT_RADIUS_PX = 1.5

#: relative FE over-estimate of h per (edge cell / mean spot radius), per element degree
#: (first order: the flux at a spot edge ~ 1/√d), and at the cell growth 1/2 away from the
#: edges (∝ growth²): fitted to the random surface of docs/rough-contact.md at 64² (contour
#: spots; P2: edge cells dx/4, dx/8 and growth 1/4; P1: edge cells dx/4, dx/8, dx/16)
EDGE_ERROR = {1: 0.7, 2: 0.18}
GRADING_ERROR = {1: 0.05, 2: 0.006}

#: relative over-estimate of h by pixel-staircase spots per √(dx / mean spot radius), fitted
#: to P1 FE/Barber of pixel spots at radii 2-7.4 px within ±0.07 (docs/rough-contact.md)
STAIRCASE_ERROR = 0.1


def resolution_error(
    edge_cell_px: float, spot_radii_px: Any, degree: int, growth: float, pixels: bool
) -> float:
    """Estimated relative over-estimate of h by the discretisation of the spots.

    The flux at a spot edge is singular (~ 1/√d): the FE energy, hence h, is too large by
    about c e / r (first order in the edge cell e for any degree), c = :data:`EDGE_ERROR`;
    a spot conducts ∝ its radius r, so over the spots Σ min(c e, rᵢ) / Σ rᵢ (a spot
    smaller than c e is wrong by at most its own conductance).  Plus b (growth / 0.5)² from
    the cells' growth away from the edge, b = :data:`GRADING_ERROR` — and, for pixel
    spots, the staircase's :data:`STAIRCASE_ERROR` √(dx / r_w) with the heat-weighted
    radius r_w = Σ rᵢ² / Σ rᵢ.  Calibrated (docs/rough-contact.md), not a bound; the FE's h
    converges from above (the Dirichlet principle).

    Args:
        edge_cell_px: cell size at the spot edges, in pixels.
        spot_radii_px: the spots' equivalent radii √(A/π), in pixels.
        degree: element degree (1, 2).
        growth: cell size growth away from the edges (per unit distance).
        pixels: staircase (pixel) spots.
    """
    d = 1 if degree == 1 else 2
    r = np.maximum(np.atleast_1d(np.asarray(spot_radii_px, dtype=float)), 1e-12)
    ce = EDGE_ERROR[d] * edge_cell_px
    err = np.minimum(ce, r).sum() / r.sum() + GRADING_ERROR[d] * (growth / 0.5) ** 2
    if pixels:
        err += STAIRCASE_ERROR / np.sqrt((r**2).sum() / r.sum())
    return float(err)


def _resolution_warning(error: float, radius_px: float, edge_px: float) -> str | None:
    if radius_px < MIN_SPOT_RADIUS_PX:
        return (
            f"resolved contact: the spots span {radius_px:.2g} px in radius (heat-weighted "
            "mean): the contact map does not resolve them, h may be off by 10 % or more either "
            "way (FE/Barber <= 0.92 at 1.1 px, docs/rough-contact.md); sample the surface more "
            "finely"
        )
    if error > RESOLUTION_TOLERANCE:
        return (
            f"resolved contact: h is estimated {error:.0%} too large from the discretisation "
            f"(spot edges meshed at {edge_px:.2g} px, spots {radius_px:.2g} px in radius); "
            "use degree=2, a smaller edge_size or spot_edges='contours'"
        )
    return None


def _check_sides(state: ContactState) -> None:
    """Warn when a periodic contact's spots reach the FE block's insulated sides."""
    c = state.contact
    if state.mirrored or not (c[0].any() or c[-1].any() or c[:, 0].any() or c[:, -1].any()):
        return
    warnings.warn(
        "resolved contact: the contact is periodic (HalfSpaceContact(pad=False)) and has spots "
        "on the sides of the map, but the FE block's sides are insulated (mirror planes): the "
        "spots cut there conduct as mirrored, not periodic, spots (FE/Barber 0.85 measured, "
        "docs/rough-contact.md); solve the contact with pad=True",
        stacklevel=3,
    )


def _interface_flows(problem: SteadyProblem) -> dict[str, float]:
    """Heat flows (W) of the spots and the gap, the bulk-gradient check left out.

    :meth:`SteadyProblem.interface_table` compares each interface's ∫ h [T] dA with the
    heat flow from the gradient of the cells beside it.  At a spot edge the flux is singular
    (~ 1/√d) and the cells beside the gap facets next to an edge carry its gradient: the
    two are 25-35 % apart on every mesh of this problem, while h (from the top face) is
    converged to a few %.  :func:`resolution_error` estimates what matters here instead;
    every other warning is passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = problem.interface_table()
    for w in caught:
        if "heat flow from the bulk gradient" not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return {r.name: r.heat_flow_W for r in rows}


def _gas_law(rc: Any, gas: dict[str, Any] | None) -> Any:
    if gas is None:
        return FacetConductance(lambda x: np.zeros(np.shape(x)[1]))
    try:
        return rc.gas_gap_conductance(**gas)
    except TypeError as e:
        raise InputError(f"resolved contact: gas: {e}") from None


def _spot_edges(state: ContactState, dx: float, kind: str) -> Any:
    if kind == "pixels":
        return kind
    if kind != "contours":
        raise InputError(
            f"resolved contact: spot_edges must be 'contours' or 'pixels', got {kind!r}"
        )
    if not np.isfinite(state.E_star_Pa):
        return "contours"  # halfway between the pixel centres
    return elastic_edge_fractions(state.pressure, state.gap, state.E_star_Pa, dx)


def resolved_conductance(
    surface: RoughSurface,
    state: ContactState,
    k1: float,
    k2: float,
    *,
    gas: dict[str, Any] | None = None,
    thickness: float | None = None,
    mesh_size: float | None = None,
    edge_size: float | None = None,
    spot_edges: str = "contours",
    growth: float = 0.5,
    degree: int = 2,
    solver: str = "direct",
    export: str | Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> ResolvedConductance:
    """H of the joint whose contact is ``state`` (fields on ``surface``'s grid).

    Args:
        surface: the height map (m) of the contact (its grid and spacing).
        state: the boundary-element contact (contact map and gap map).
        k1: conductivity of the lower block (W/(m K)).
        k2: conductivity of the upper block (W/(m K)).
        gas: keyword arguments of
            :meth:`~fe_interface.geometry.rough_mesh.RoughContact3D.gas_gap_conductance`
            (``gas``, ``p_gas``, ``T_gas``, ``accommodation``); None: vacuum.
        thickness: of each block (m), default the sample side.
        mesh_size: far-field cell size (m), default as the mesher.
        edge_size: cell size at the spot edges (m), default dx/4.
        spot_edges: ``"contours"`` (default): the spot edges are sub-pixel contours placed
            by the elastic edge asymptotics from the state's pressure and gap
            (:func:`~fe_interface.geometry.spot_contours.elastic_edge_fractions`);
            ``"pixels"``: the staircase of the contact pixels (over-estimates h by ~
            √(dx / spot radius), docs/rough-contact.md).
        growth: cell size growth away from the plane and the spot edges (per unit
            distance, :func:`~fe_interface.geometry.rough_mesh_3d.rough_contact_3d`).
        degree: of the temperature's Lagrange elements (default 2: P1 adds ~5 % from the
            cells' growth away from the edges, docs/rough-contact.md).
        solver: ``"direct"`` (MUMPS) or ``"iterative"``.
        export: a folder: the temperature field (XDMF/VTU for ParaView) of this load.
        comm: communicator of the mesh and the solve.
    """
    if not isinstance(state, ContactState) or state.contact.shape != surface.z.shape:
        raise InputError("resolved contact: state must be a ContactState on the surface's grid")
    _check_sides(state)
    L = min(surface.z.shape) * surface.dx
    t = L if thickness is None else float(thickness)
    e = surface.dx / 4 if edge_size is None else float(edge_size)
    rc = rough_contact_3d(
        surface,
        contact_map=state.contact,
        gap_map=state.gap,
        spot_edges=_spot_edges(state, surface.dx, spot_edges),
        thickness=(t, t),
        mesh_size=mesh_size,
        edge_size=e,
        growth=growth,
        comm=comm,
    )
    k_s = 2 * k1 * k2 / (k1 + k2)
    problem = SteadyProblem(
        rc.tagged,
        {"lower": Material("lower", k1), "upper": Material("upper", k2)},
        interfaces=[
            Interface("spots", rc.spot_conductance(k_s), plus="upper"),
            Interface("gap", _gas_law(rc, gas), plus="upper"),
        ],
        boundary_conditions=[FixedTemperature("bottom", T_BOTTOM), FixedTemperature("top", T_TOP)],
        degree=degree,
        solver=solver,
    )
    with problem:
        problem.run()
        if export is not None:
            problem.export(
                str(export), name=f"resolved_contact_P{state.pressure_Pa:.4g}", vtx=False
            )
        balance = problem.energy_balance()
        flows = _interface_flows(problem)
    Q = next(v for k, v in balance.boundary_inflow_W.items() if k.endswith(":top"))
    Lx, Ly = rc.size
    q = abs(Q) / (Lx * Ly)  # W/m²: the heat entering through the hot top face
    dT_c = (T_TOP - T_BOTTOM) - q * (t / k1 + t / k2)
    dx = surface.dx
    radii = np.array([np.sqrt(sp.area / np.pi) for sp in rc.spots]) / dx
    radius = float((radii**2).sum() / radii.sum())  # heat-weighted
    error = resolution_error(e / dx, radii, degree, growth, spot_edges == "pixels")
    msg = _resolution_warning(error, radius, e / dx)
    if msg:
        warnings.warn(msg, stacklevel=2)
    return ResolvedConductance(
        state.pressure_Pa,
        q / dT_c,
        abs(flows.get("spots", 0.0)),
        abs(flows.get("gap", 0.0)),
        rc.area_fraction,
        len(rc.spots),
        int(rc.tagged.mesh.topology.index_map(3).size_global),
        balance.relative_residual,
        radius,
        error,
    )


def resolved_table(
    surface: RoughSurface,
    states: Sequence[ContactState],
    k1: float,
    k2: float,
    name: str = "resolved",
    **options: Any,
) -> tuple[ConductanceTable, list[ResolvedConductance]]:
    """The resolved route over a ladder of contacts: the table h(P) and each load's result."""
    rows = [resolved_conductance(surface, s, k1, k2, **options) for s in states]
    table = ConductanceTable(
        "pressure",
        [r.pressure_Pa for r in rows],
        [r.h_W_m2K for r in rows],
        log_variable=True,
        name=name,
        source="finite-element conduction through the resolved contact spots (FFT-BEM contact map)",
    )
    return table, rows
