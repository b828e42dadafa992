"""Composite walls: the exact 1D solution is in the P1 space, so nodal errors are
round-off, and the interface heat flow equals q·A exactly."""

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import CELLS, nodal_errors, wall_exact, wall_mesh, wall_problem

CASES = [
    ((0.3, 0.7), (1.0, 4.0), (25.0,)),
    ((0.2, 0.5, 0.3), (1.0, 5.0, 0.5), (10.0, 3.0)),
]


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("degree", [1, 2])
@pytest.mark.parametrize("case", CASES, ids=["2layers", "3layers"])
def test_wall_exact(cell, degree, case):
    L, k, h = case
    tm = wall_mesh(L, cell, n_per_layer=3 if CELLS[cell][0] == 3 else 4)
    p = wall_problem(tm, k, h, degree=degree, solver="direct")
    p.run()
    q, T = wall_exact(L, k, h, 400.0, 300.0)
    assert nodal_errors(p, T, len(L)) <= 1e-10
    area = 1.0
    for s in p.interface_table():
        assert s.area_m2 == pytest.approx(area, rel=1e-12)
        assert s.heat_flow_W == pytest.approx(q * area, rel=1e-10)
        assert s.heat_flow_bulk_plus_W == pytest.approx(q * area, rel=1e-9)
        assert s.heat_flow_bulk_minus_W == pytest.approx(q * area, rel=1e-9)
        i = int(s.name[1:])
        assert s.mean_jump_K == pytest.approx(q / h[i], rel=1e-10)
        assert s.min_jump_K == pytest.approx(q / h[i], rel=1e-9)
        assert s.max_jump_K == pytest.approx(q / h[i], rel=1e-9)
        assert s.conductance_W_m2K == pytest.approx(h[i], rel=1e-9)
    bal = p.energy_balance()
    assert bal.boundary_inflow_W["FixedTemperature:left"] == pytest.approx(q * area, rel=1e-9)
    assert bal.boundary_inflow_W["FixedTemperature:right"] == pytest.approx(-q * area, rel=1e-9)
    assert bal.relative_residual < 1e-10


def test_wall_iterative_default_solver():
    """The default CG + GAMG path converges to the same answer (rtol 1e-10)."""
    L, k, h = CASES[1]
    p = wall_problem(wall_mesh(L, "tetrahedron", 4), k, h)
    res = p.run()
    _q, T = wall_exact(L, k, h, 400.0, 300.0)
    assert res.solve.converged_reason.startswith("CONVERGED")
    assert nodal_errors(p, T, len(L)) < 1e-6


def test_interface_on_process_boundary():
    """Under 2 ranks the interface lies exactly on the process boundary: every
    interface facet has its two cells owned by different ranks; the answer is exact."""
    from fe_interface.mesh.topology import facet_cells

    L, k, h = (1.0, 1.0), (2.0, 7.0), (4.0,)
    tm = wall_mesh(L, "triangle", n_per_layer=8)
    p = wall_problem(tm, k, h, solver="direct")
    p.run()
    q, T = wall_exact(L, k, h, 400.0, 300.0)
    assert nodal_errors(p, T, 2) <= 1e-10
    f = tm.facet_tags.indices[tm.facet_tags.values == 100]
    _, cells = facet_cells(tm.mesh, f)
    nown = tm.mesh.topology.index_map(2).size_local
    split = int(np.sum((cells[0] < nown) != (cells[1] < nown)))
    if MPI.COMM_WORLD.size == 2:
        assert split == f.size > 0
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(q, rel=1e-10)


def test_plus_side_sets_jump_sign():
    L = (0.5, 0.5)
    from fe_interface import Conductance, FixedTemperature, Interface, Material, SteadyProblem

    tm = wall_mesh(L, "triangle")
    mats = {"m0": Material("a", 1.0), "m1": Material("b", 1.0)}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]
    jumps = []
    for plus in ("m0", "m1"):
        p = SteadyProblem(
            tm, mats, [Interface("i0", Conductance(2.0), plus=plus)], bcs, solver="direct"
        )
        p.run()
        (s,) = p.interface_table()
        jumps.append((s.mean_jump_K, s.heat_flow_W))
    q = 100.0 / (1.0 + 0.5)
    assert jumps[0] == pytest.approx((q / 2.0, q), rel=1e-10)
    assert jumps[1] == pytest.approx((-q / 2.0, -q), rel=1e-10)
