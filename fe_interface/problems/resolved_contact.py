"""Conductance of a rough joint by finite-element conduction through its resolved spots.

The third route to h(P) (beside Barber's and the CMY/Mikic correlations,
:mod:`fe_interface.model.laws.rough_tables`): the contact map of an FFT boundary-element
solution (:class:`~fe_interface.model.rough_contact.ContactState`) is meshed by
:func:`~fe_interface.geometry.rough_mesh.rough_contact_3d` — two blocks over the map's
n × n pixels meeting on a plane split into the contact spots (pixel-exact) and the rest —,
the spots conduct (a conductance 10³ k_s/dx: 0.1 % of a pixel's constriction resistance),
the gap conducts through its gas, k_g/(g + M) with the computed local gap g
(vacuum: nothing), and the blocks are held at two temperatures.  The joint adds a drop
ΔT_c to the bulk conduction:

    h = q / ΔT_c,   ΔT_c = (T_top − T_bottom) − q (t₁/k₁ + t₂/k₂),

with q the heat flux through the top face (W/m²).  The side faces are insulated: the
contact of a mirror-padded map (``HalfSpaceContact(..., pad=True)``) is the matching one
(its mirror planes are the insulated faces).  Each block is ``thickness`` thick (default
the sample side: the spots' disturbance decays as exp(−2π t/L)).

Units SI: W/(m² K), m, K, W/(m K).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mpi4py import MPI

import numpy as np

from fe_interface.errors import InputError
from fe_interface.geometry.rough import RoughSurface
from fe_interface.geometry.rough_mesh import rough_contact_3d
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
    """

    pressure_Pa: float
    h_W_m2K: float
    heat_flow_spots_W: float
    heat_flow_gap_W: float
    area_fraction: float
    spots: int
    cells: int
    balance: float


def _gas_law(rc: Any, gas: dict[str, Any] | None) -> Any:
    if gas is None:
        return FacetConductance(lambda x: np.zeros(np.shape(x)[1]))
    try:
        return rc.gas_gap_conductance(**gas)
    except TypeError as e:
        raise InputError(f"resolved contact: gas: {e}") from None


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
        edge_size: cell size at the spot edges (m), default dx/2.
        solver: ``"direct"`` (MUMPS) or ``"iterative"``.
        export: a folder: the temperature field (XDMF/VTU for ParaView) of this load.
        comm: communicator of the mesh and the solve.
    """
    if not isinstance(state, ContactState) or state.contact.shape != surface.z.shape:
        raise InputError("resolved contact: state must be a ContactState on the surface's grid")
    L = min(surface.z.shape) * surface.dx
    t = L if thickness is None else float(thickness)
    rc = rough_contact_3d(
        surface,
        contact_map=state.contact,
        gap_map=state.gap,
        thickness=(t, t),
        mesh_size=mesh_size,
        edge_size=edge_size,
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
        solver=solver,
    )
    with problem:
        problem.run()
        if export is not None:
            problem.export(
                str(export), name=f"resolved_contact_P{state.pressure_Pa:.4g}", vtx=False
            )
        balance = problem.energy_balance()
        flows = {r.name: r.heat_flow_W for r in problem.interface_table()}
    Q = next(v for k, v in balance.boundary_inflow_W.items() if k.endswith(":top"))
    Lx, Ly = rc.size
    q = abs(Q) / (Lx * Ly)  # W/m²: the heat entering through the hot top face
    dT_c = (T_TOP - T_BOTTOM) - q * (t / k1 + t / k2)
    return ResolvedConductance(
        state.pressure_Pa,
        q / dT_c,
        abs(flows.get("spots", 0.0)),
        abs(flows.get("gap", 0.0)),
        rc.area_fraction,
        len(rc.spots),
        int(rc.tagged.mesh.topology.index_map(3).size_global),
        balance.relative_residual,
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
