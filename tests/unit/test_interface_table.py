"""The interface table (:mod:`fe_interface.postprocessing.interfaces`), the coupling's
heat flows and the sampling functions, on *interpolated* exact fields (no solve): area,
mean/min/max jump, heat flow and the bulk flows against the exact two-material 1D
solution, axisymmetric areas (2π r), temperature-dependent laws and perfect contact.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import fem
from dolfinx import mesh as dmesh
from helpers.laws import SIGMA, GapRadiation
from helpers.walls import CELLS, wall_exact, wall_mesh

from fe_interface.discretisation.formulation import Formulation
from fe_interface.errors import InputError
from fe_interface.mesh import tag_mesh
from fe_interface.model import Conductance, FixedTemperature, Interface, Material, PerfectContact
from fe_interface.model.model import Model
from fe_interface.postprocessing.interfaces import InterfaceTable, interface_table
from fe_interface.postprocessing.sampling import interface_flux, line_profile
from fe_interface.problems.steady import SteadyProblem

COMM = MPI.COMM_WORLD
L, K, H = (0.3, 0.7), (1.0, 4.0), (25.0,)
Q, EXACT = wall_exact(L, K, H, 400.0, 300.0)
JUMP = Q / H[0]


def interpolate_exact(f: Formulation, exact, coordinate: int = 0) -> fem.Function:
    """The exact per-region field T(i, x[coordinate]) interpolated region by region
    (regions "m0", "m1", ...)."""
    T = fem.Function(f.space)
    for i in range(len(f.model.regions)):
        cells = f.region_cells(f"m{i}")
        T.interpolate(lambda x, i=i: exact(i, x[coordinate]), cells0=cells)
    T.x.scatter_forward()
    return T


def wall_formulation(cell: str, degree: int, law=None, plus="m0") -> Formulation:
    tm = wall_mesh(L, cell, 3 if CELLS[cell][0] == 3 else 4)
    law = Conductance(H[0]) if law is None else law
    model = Model(
        tm,
        {"m0": Material("a", K[0]), "m1": Material("b", K[1])},
        [Interface("i0", law, plus=plus)],
    )
    return Formulation(model, degree)


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("degree", [1, 2])
def test_table_of_exact_wall_field(cell, degree):
    """The exact (piecewise linear) field is in the space: every column is exact to
    round-off, and the coupling's heat flow is h [T] A."""
    f = wall_formulation(cell, degree)
    T = interpolate_exact(f, EXACT)
    (s,) = interface_table(f, T)
    assert (s.name, s.plus, s.minus) == ("i0", "m0", "m1")
    assert s.area_m2 == pytest.approx(1.0, rel=1e-12)
    assert s.mean_jump_K == pytest.approx(JUMP, rel=1e-12)
    assert s.min_jump_K == pytest.approx(JUMP, rel=1e-11)
    assert s.max_jump_K == pytest.approx(JUMP, rel=1e-11)
    assert s.heat_flow_W == pytest.approx(Q, rel=1e-12)
    assert s.heat_flow_bulk_plus_W == pytest.approx(Q, rel=1e-10)
    assert s.heat_flow_bulk_minus_W == pytest.approx(Q, rel=1e-10)
    assert s.conductance_W_m2K == pytest.approx(H[0], rel=1e-12)
    assert s.mechanisms == {}
    # the operator's own heat flow (this rank's facets; W without 2π)
    rows = f.coupled_rows["i0"]
    local = f.coupling.heat_flows(T.x.array, [rows])[0]
    assert COMM.allreduce(local, op=MPI.SUM) == pytest.approx(Q, rel=1e-12)
    # the per-step columns of a transient run: (heat flow, mean jump)
    ((q, jump),) = InterfaceTable(f).flows_and_jumps(T)
    assert (q, jump) == (pytest.approx(Q, rel=1e-12), pytest.approx(JUMP, rel=1e-12))


def test_plus_side_sets_signs():
    """With ⁺ = the colder side, the jump, the heat flows and the sides swap sign/names."""
    f = wall_formulation("triangle", 1, plus="m1")
    (s,) = interface_table(f, interpolate_exact(f, EXACT))
    assert (s.plus, s.minus) == ("m1", "m0")
    assert s.mean_jump_K == pytest.approx(-JUMP, rel=1e-12)
    assert s.heat_flow_W == pytest.approx(-Q, rel=1e-12)
    assert s.heat_flow_bulk_plus_W == pytest.approx(-Q, rel=1e-10)
    assert s.conductance_W_m2K == pytest.approx(H[0], rel=1e-12)


def test_temperature_dependent_law():
    """h(T⁺, T⁻) at the quadrature points: q = σε (T⁺⁴ − T⁻⁴) for uniform sides."""
    law = GapRadiation(0.6)
    f = wall_formulation("quadrilateral", 2, law=law)
    assert f.nonlinear and f.coupling is None
    (s,) = interface_table(f, interpolate_exact(f, EXACT))
    Tp, Tm = EXACT(0, L[0]), EXACT(1, L[0])
    q = SIGMA * 0.6 * (Tp**4 - Tm**4)
    assert s.heat_flow_W == pytest.approx(q, rel=1e-12)
    assert s.conductance_W_m2K == pytest.approx(q / (Tp - Tm), rel=1e-12)
    assert s.mean_jump_K == pytest.approx(Tp - Tm, rel=1e-12)


def test_perfect_contact_row():
    """Perfect contact: the heat flow is the mean of the bulk values, no conductance."""
    R = L[0] / K[0] + L[1] / K[1]
    q = 100.0 / R

    def T(i, x):  # continuous, with the slope of each layer
        return 400.0 - q * x / K[0] if i == 0 else 400.0 - q * L[0] / K[0] - q * (x - L[0]) / K[1]

    f = wall_formulation("tetrahedron", 1, law=PerfectContact())
    (s,) = interface_table(f, interpolate_exact(f, T))
    assert s.area_m2 == pytest.approx(1.0, rel=1e-12)
    assert abs(s.mean_jump_K) < 1e-12 and abs(s.max_jump_K) < 1e-11
    assert s.heat_flow_bulk_plus_W == pytest.approx(q, rel=1e-10)
    assert s.heat_flow_bulk_minus_W == pytest.approx(q, rel=1e-10)
    assert s.heat_flow_W == pytest.approx(q, rel=1e-10)
    assert math.isnan(s.conductance_W_m2K)


def _annulus(axial: bool):
    """r–z strip: 0.1 < r < 0.4, 0 < z < 0.3; interface at r = 0.2 (radial layers) or,
    if ``axial``, 0 < r < 0.2, 0 < z < 1 with the interface at z = 0.3."""
    if axial:
        box, n, c = [[0.0, 0.0], [0.2, 1.0]], [4, 10], 1
    else:
        box, n, c = [[0.1, 0.0], [0.4, 0.3]], [6, 3], 0
    m = dmesh.create_rectangle(
        COMM, box, n, dmesh.CellType.triangle, ghost_mode=dmesh.GhostMode.shared_facet
    )
    cut = 0.3 if axial else 0.2
    lo, hi = box[0][c], box[1][c]
    return tag_mesh(
        m,
        {"m0": (1, lambda x: x[c] < cut), "m1": (2, lambda x: x[c] > cut)},
        {"left": (1, lambda x: np.isclose(x[c], lo)), "right": (2, lambda x: np.isclose(x[c], hi))},
        {"i0": (100, ("m0", "m1"))},
    )


def test_axisymmetric_areas_and_flows():
    """Axisymmetric tables are over the full revolution: an axial wall over a disc of
    radius 0.2 m has area π r², heat flow q π r²; a radial interface r = 0.2 m of height
    0.3 m has area 2π r H and heat flow h [T] 2π r H (the coupling's flow has no 2π)."""
    model = Model(
        _annulus(True),
        {"m0": Material("a", K[0]), "m1": Material("b", K[1])},
        [Interface("i0", Conductance(H[0]), plus="m0")],
    )
    f = Formulation(model, 2, axisymmetric=True)
    T = interpolate_exact(f, EXACT, coordinate=1)
    (s,) = interface_table(f, T)
    assert s.area_m2 == pytest.approx(math.pi * 0.2**2, rel=1e-12)
    assert s.heat_flow_W == pytest.approx(Q * math.pi * 0.2**2, rel=1e-12)
    assert s.heat_flow_bulk_minus_W == pytest.approx(Q * math.pi * 0.2**2, rel=1e-10)
    assert s.mean_jump_K == pytest.approx(JUMP, rel=1e-12)
    # radial: any field with a uniform jump J on r = 0.2
    model = Model(
        _annulus(False),
        {"m0": Material("a", K[0]), "m1": Material("b", K[1])},
        [Interface("i0", Conductance(H[0]), plus="m0")],
    )
    f = Formulation(model, 1, axisymmetric=True)
    J = 3.0
    T = interpolate_exact(f, lambda i, r: 350.0 - 10.0 * r + (J if i == 0 else 0.0))
    (s,) = interface_table(f, T)
    area = 2 * math.pi * 0.2 * 0.3
    assert s.area_m2 == pytest.approx(area, rel=1e-12)
    assert s.mean_jump_K == pytest.approx(J, rel=1e-12)
    assert s.heat_flow_W == pytest.approx(H[0] * J * area, rel=1e-12)
    local = f.coupling.heat_flows(T.x.array, [f.coupled_rows["i0"]])[0]
    assert COMM.allreduce(local) == pytest.approx(H[0] * J * area / (2 * math.pi), rel=1e-12)


def test_sampling_line_profile_and_interface_flux():
    """The line profile finds the interface and samples both sides (the jump as a step);
    the midpoint flux is h [T] on every facet and sums to q A."""
    f = wall_formulation("quadrilateral", 1)
    T = interpolate_exact(f, EXACT)
    prof = line_profile(f, (0.0, 0.41), (1.0, 0.41), n=21, T=T)
    (c,) = prof.crossings
    assert c["distance"] == pytest.approx(L[0], abs=1e-8)
    assert (c["region_before"], c["region_after"]) == ("m0", "m1")
    assert c["jump_K"] == pytest.approx(-JUMP, rel=1e-6)  # along the line: T⁻ − T⁺
    x = prof.points[:, 0]
    exact = np.where(prof.region == 1, EXACT(0, x), EXACT(1, x))
    assert np.abs(prof.temperature - exact).max() < 1e-9
    flux = interface_flux(f, "i0", T=T)
    assert flux.points.shape == (3, 3) and np.allclose(flux.points[:, 0], L[0])
    np.testing.assert_allclose(flux.jump, JUMP, rtol=1e-12)
    np.testing.assert_allclose(flux.flux, Q, rtol=1e-12)
    assert flux.heat_flow_W == pytest.approx(Q, rel=1e-12)


def test_outputs_before_run_are_refused():
    """Tables, the energy balance and the export need a solution: InputError before."""
    p = SteadyProblem(
        wall_mesh(L, "triangle", 2),
        {"m0": Material("a", K[0]), "m1": Material("b", K[1])},
        [Interface("i0", Conductance(H[0]))],
        [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)],
    )
    for call in (p.interface_table, p.energy_balance, lambda: p.export("unused")):
        with pytest.raises(InputError, match="call run"):
            call()
