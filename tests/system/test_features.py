"""Whole problems exercising features: many layers (two colours), triple junctions,
axisymmetry, position-dependent and per-facet h, sources and flux boundaries, perfect
contact, output files."""

import json
import math

from mpi4py import MPI

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from helpers.walls import nodal_errors, wall_exact, wall_mesh, wall_problem

from fe_interface.errors import InputError
from fe_interface.mesh import tag_mesh
from fe_interface.model import (
    Conductance,
    FacetConductance,
    FixedTemperature,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    PerfectContact,
)
from fe_interface.problems.steady import SteadyProblem

COMM = MPI.COMM_WORLD


def test_many_layers_need_two_colours():
    """20 layers, 19 resistive interfaces: 2 colours, one facet-wise coupling for all
    interfaces (no ``dS`` form), one extra copy per interface vertex, exact."""
    n = 20
    L = tuple(np.full(n, 1.0 / n))
    k = tuple(1.0 + (i % 3) for i in range(n))
    h = tuple(5.0 + i for i in range(n - 1))
    p = wall_problem(wall_mesh(L, "triangle", 2), k, h, solver="direct")
    p.run()
    f = p.formulation
    assert f.broken.num_colours == 2
    assert f.coupling is not None and not [t for t in f.terms if t.kind == "interface"]
    # 41 x 4 vertices, each of the 19 interfaces duplicates its 4
    assert f.broken.num_original_global == 41 * 4
    assert f.broken.num_global == 41 * 4 + 19 * 4
    q, T = wall_exact(L, k, h, 400.0, 300.0)
    assert nodal_errors(p, T, n) <= 1e-9
    for s in p.interface_table():
        assert s.heat_flow_W == pytest.approx(q, rel=1e-9)


def _junction(h):
    """Unit square: A = left half, B = top right, C = bottom right."""
    m = dmesh.create_rectangle(
        COMM,
        [[0, 0], [1, 1]],
        [8, 8],
        dmesh.CellType.triangle,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    return tag_mesh(
        m,
        {
            "A": (1, lambda x: x[0] < 0.5),
            "B": (2, lambda x: (x[0] > 0.5) & (x[1] > 0.5)),
            "C": (3, lambda x: (x[0] > 0.5) & (x[1] < 0.5)),
        },
        {"left": (1, lambda x: np.isclose(x[0], 0)), "right": (2, lambda x: np.isclose(x[0], 1))},
        {"AB": (10, ("A", "B")), "AC": (11, ("A", "C")), "BC": (12, ("B", "C"))},
    )


def test_triple_junction_three_spaces():
    tm = _junction(None)
    mats = {r: Material(r, 2.0) for r in "ABC"}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]
    # B and C in perfect contact through BC? no: all three interfaces resistive
    ifc = [Interface(n, Conductance(4.0)) for n in ("AB", "AC", "BC")]
    p = SteadyProblem(tm, mats, ifc, bcs, solver="direct")
    p.run()
    assert p.formulation.broken.num_colours == 3
    rows = {s.name: s for s in p.interface_table()}
    # symmetry about y = 1/2: no flow between B and C; A -> B and A -> C carry half each
    q, _ = wall_exact((0.5, 0.5), (2.0, 2.0), (4.0,), 400.0, 300.0)
    assert rows["AB"].heat_flow_W == pytest.approx(q / 2, rel=1e-9)
    assert rows["AC"].heat_flow_W == pytest.approx(q / 2, rel=1e-9)
    assert abs(rows["BC"].heat_flow_W) < 1e-9
    assert p.energy_balance().relative_residual < 1e-10


def test_large_h_is_perfect_contact_at_junction():
    tm = _junction(None)
    mats = {r: Material(r, 2.0) for r in "ABC"}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]
    p = SteadyProblem(
        tm,
        mats,
        [Interface(n, Conductance(1e8)) for n in ("AB", "AC", "BC")],
        bcs,
        solver="direct",
    )
    p.run()
    err = 0.0
    for r in "ABC":
        T, cells = p.region_temperature(r)
        dofs = np.unique(T.function_space.dofmap.list[cells])
        X = T.function_space.tabulate_dof_coordinates()[dofs]
        err = max(err, float(np.abs(T.x.array[dofs] - (400 - 100 * X[:, 0])).max(initial=0)))
    assert COMM.allreduce(err, op=MPI.MAX) < 1e-4  # jump q/h ~ 2e-6 K


def test_axisymmetric_axial_wall():
    """r–z model, layers stacked in z over a disc of radius 0.2 m: interface area πR²,
    heat flow q πR² (the 2π weighting), exact nodal values."""
    R, L, k, h = 0.2, (0.3, 0.7), (1.0, 4.0), (25.0,)
    m = dmesh.create_rectangle(
        COMM,
        [[0, 0], [R, 1.0]],
        [4, 10],
        dmesh.CellType.quadrilateral,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )
    tm = tag_mesh(
        m,
        {"m0": (1, lambda x: x[1] < 0.3), "m1": (2, lambda x: x[1] > 0.3)},
        {"left": (1, lambda x: np.isclose(x[1], 0)), "right": (2, lambda x: np.isclose(x[1], 1))},
        {"i0": (100, ("m0", "m1"))},
    )
    m.geometry.x[:, 1] = np.where(
        m.geometry.x[:, 1] <= 0.3 + 1e-12, m.geometry.x[:, 1], m.geometry.x[:, 1]
    )
    p = wall_problem(tm, k, h, solver="direct", axisymmetric=True, degree=2)
    p.run()
    q, _T = wall_exact(L, k, h, 400.0, 300.0)
    (s,) = p.interface_table()
    assert s.area_m2 == pytest.approx(math.pi * R**2, rel=1e-12)
    assert s.heat_flow_W == pytest.approx(q * math.pi * R**2, rel=1e-10)
    assert s.mean_jump_K == pytest.approx(q / h[0], rel=1e-10)
    bal = p.energy_balance()
    assert bal.boundary_inflow_W["FixedTemperature:left"] == pytest.approx(
        q * math.pi * R**2, rel=1e-9
    )


def test_axisymmetric_radial_cylinder_convergence():
    """Radial conduction r0 < r < r2 with a resistance at r1 in an r–z strip: log
    profiles; P1 L2 error converges at rate 2."""
    r0, r1, r2, k0, k1, h = 0.1, 0.2, 0.4, 2.0, 5.0, 30.0
    Ti, To = 400.0, 300.0
    # T = a_i + b_i ln r; q' = -k b / r per unit area: flux continuity k0 b0 = k1 b1 = -Q
    Rtot = math.log(r1 / r0) / k0 + 1 / (h * r1) + math.log(r2 / r1) / k1  # per (2π) unit length
    Q = (Ti - To) / Rtot  # = -k b
    b0, b1 = -Q / k0, -Q / k1
    a0 = Ti - b0 * math.log(r0)
    a1 = To - b1 * math.log(r2)
    errs = []
    for n in (4, 8, 16):
        m = dmesh.create_rectangle(
            COMM,
            [[r0, 0], [r2, 0.3]],
            [3 * n, 3 * n],
            dmesh.CellType.triangle,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
        m.geometry.x[:, 0] = np.where(
            m.geometry.x[:, 0] <= r0 + (r2 - r0) / 3 + 1e-12,
            r0 + (m.geometry.x[:, 0] - r0) * (r1 - r0) / ((r2 - r0) / 3),
            r1 + (m.geometry.x[:, 0] - r0 - (r2 - r0) / 3) * (r2 - r1) / (2 * (r2 - r0) / 3),
        )
        tm = tag_mesh(
            m,
            {"m0": (1, lambda x: x[0] < r1), "m1": (2, lambda x: x[0] > r1)},
            {
                "left": (1, lambda x: np.isclose(x[0], r0)),
                "right": (2, lambda x: np.isclose(x[0], r2)),
            },
            {"i0": (100, ("m0", "m1"))},
        )
        p = wall_problem(tm, (k0, k1), (h,), Ti, To, solver="direct", axisymmetric=True)
        p.run()
        e2 = 0.0
        for i, (a, b) in enumerate(((a0, b0), (a1, b1))):
            T, cells = p.region_temperature(f"m{i}")
            cells = cells[cells < m.topology.index_map(2).size_local]
            x = ufl.SpatialCoordinate(m)
            dx = ufl.Measure(
                "dx", domain=m, subdomain_data=[(1, cells)], metadata={"quadrature_degree": 6}
            )
            e2 += fem.assemble_scalar(fem.form((T - (a + b * ufl.ln(x[0]))) ** 2 * x[0] * dx(1)))
        errs.append(math.sqrt(COMM.allreduce(e2)))
        (s,) = p.interface_table()
        # interface heat flow through a strip of height 0.3 m: 2π · 0.3 · Q
        assert s.heat_flow_W == pytest.approx(2 * math.pi * 0.3 * Q, rel=2e-2)
    rates = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(rates - 2.0) < 0.2), rates


def test_position_dependent_conductance():
    """h(y) varying along a wall interface with a 1D-only field is impossible, so check
    the flux identity instead: ∫ h(x)[T] equals the bulk flux (to discretisation) and
    h(x) ≡ const reproduces the constant-h answer exactly."""
    L, k, h = (0.5, 0.5), (1.0, 2.0), (3.0,)
    tm = wall_mesh(L, "quadrilateral", 4)
    mats = {"m0": Material("a", 1.0), "m1": Material("b", 2.0)}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]
    p = SteadyProblem(
        tm,
        mats,
        [Interface("i0", Conductance(lambda x: 3.0 + 0 * x[0]), plus="m0")],
        bcs,
        solver="direct",
    )
    p.run()
    _q, T = wall_exact(L, k, h, 400.0, 300.0)
    assert nodal_errors(p, T, 2) <= 1e-10
    p2 = SteadyProblem(
        tm,
        mats,
        [Interface("i0", Conductance(lambda x: 1.0 + 4.0 * x[1]), plus="m0")],
        bcs,
        solver="direct",
    )
    p2.run()
    (s,) = p2.interface_table()
    assert s.min_jump_K < s.max_jump_K  # jump varies along the interface
    assert s.heat_flow_W == pytest.approx(
        0.5 * (s.heat_flow_bulk_plus_W + s.heat_flow_bulk_minus_W), rel=2e-2
    )
    assert p2.energy_balance().relative_residual < 1e-10


def test_position_dependent_conductance_ufl_only():
    """An h(x) written with UFL functions only (it fails on NumPy points) is evaluated as a
    DOLFINx expression in the interface cells: the same answer as its NumPy twin, serial
    and parallel (the expression is compiled per rank, so ranks without interface facets
    are not waited for)."""
    tm = wall_mesh((0.5, 0.5), "triangle", 6)
    mats = {"m0": Material("a", 1.0), "m1": Material("b", 2.0)}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]
    rows = []
    for h in (lambda x: 1.0 + 4.0 * ufl.sin(x[1]) ** 2, lambda x: 1.0 + 4.0 * np.sin(x[1]) ** 2):
        p = SteadyProblem(tm, mats, [Interface("i0", Conductance(h), plus="m0")], bcs)
        p.run()
        (s,) = p.interface_table()
        rows.append(s.heat_flow_W)
        p.close()
    assert rows[0] == pytest.approx(rows[1], rel=1e-10)


def test_facet_conductance_map():
    """FacetConductance: h ≡ const is the exact wall; h(y) piecewise constant per facet
    matches the quadrature-point UFL map h(y) to discretisation; bad values are named."""
    L, k, h = (0.5, 0.5), (1.0, 2.0), (3.0,)
    tm = wall_mesh(L, "triangle", 8)
    mats = {"m0": Material("a", 1.0), "m1": Material("b", 2.0)}
    bcs = [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)]

    def solve(law):
        p = SteadyProblem(tm, mats, [Interface("i0", law, plus="m0")], bcs, solver="direct")
        p.run()
        return p

    p = solve(FacetConductance(lambda x: np.full(x.shape[1], 3.0)))
    assert nodal_errors(p, wall_exact(L, k, h, 400.0, 300.0)[1], 2) <= 1e-10
    (s_map,) = solve(FacetConductance(lambda x: 1.0 + 4.0 * x[1])).interface_table()
    (s_ufl,) = solve(Conductance(lambda x: 1.0 + 4.0 * x[1])).interface_table()
    assert s_map.min_jump_K < s_map.max_jump_K
    assert s_map.heat_flow_W == pytest.approx(s_ufl.heat_flow_W, rel=2e-2)
    bulk = 0.5 * (s_map.heat_flow_bulk_plus_W + s_map.heat_flow_bulk_minus_W)
    assert s_map.heat_flow_W == pytest.approx(bulk, rel=2e-2)
    with pytest.raises(InputError, match=r"'i0'.*h = -1"):
        solve(FacetConductance(lambda x: -1.0 + 0 * x[0]))


def test_outputs_duplicate_interface_vertices(shared_tmp):
    import meshio

    L, k, h = (0.5, 0.5), (1.0, 2.0), (3.0,)
    p = wall_problem(wall_mesh(L, "triangle", 4), k, h, solver="direct")
    p.run()
    out = p.export(str(shared_tmp), "wall")
    if COMM.rank == 0:
        for f in ("wall.xdmf", "wall.vtu"):
            mm = meshio.read(shared_tmp / f)
            # 9 x 4 vertices + the 4 interface vertices duplicated
            assert mm.points.shape[0] == 9 * 4 + 4
            T = mm.point_data["temperature_K"]
            on_ifc = np.isclose(mm.points[:, 0], 0.5)
            assert np.ptp(T[on_ifc]) == pytest.approx(out["interfaces"][0].mean_jump_K, rel=1e-10)
            assert set(np.unique(mm.cell_data["region"][0])) == {1, 2}
        doc = json.loads((shared_tmp / "wall_summary.json").read_text())
        assert doc["interfaces"][0]["heat_flow_W"] == pytest.approx(
            out["interfaces"][0].heat_flow_W
        )
        assert not list(shared_tmp.glob(".tmp_*"))  # no temporary leftovers
    assert out["vtx"] == shared_tmp / "wall_vtx.bp" and out["vtx"].is_dir()


def test_heat_flux_and_source_balance():
    """Source + flux boundary: energy balance closes and the outflow is exact."""
    L = (0.5, 0.5)
    tm = wall_mesh(L, "tetrahedron", 2)
    p = SteadyProblem(
        tm,
        {"m0": Material("a", 1.0), "m1": Material("b", 2.0)},
        [Interface("i0", Conductance(3.0), plus="m0")],
        [HeatFlux("left", 50.0), FixedTemperature("right", 300.0)],
        sources=[HeatSource("m0", 1000.0)],
        solver="direct",
    )
    p.run()
    bal = p.energy_balance()
    assert bal.sources_W == pytest.approx(1000.0 * 0.5, rel=1e-12)
    assert bal.boundary_inflow_W["HeatFlux:left"] == pytest.approx(50.0, rel=1e-12)
    assert bal.boundary_inflow_W["FixedTemperature:right"] == pytest.approx(-550.0, rel=1e-9)
    (s,) = p.interface_table()
    assert s.heat_flow_W == pytest.approx(550.0, rel=1e-9)
    assert s.mean_jump_K == pytest.approx(550.0 / 3.0, rel=1e-9)


def test_perfect_contact_interface_table():
    """A PerfectContact interface reports its area, zero jump and the bulk heat flow."""
    tm = wall_mesh((0.5, 0.5), "triangle", 4)
    p = SteadyProblem(
        tm,
        {"m0": Material("a", 1.0), "m1": Material("b", 3.0)},
        [Interface("i0", PerfectContact())],
        [FixedTemperature("left", 400.0), FixedTemperature("right", 300.0)],
        solver="direct",
    )
    p.run()
    (s,) = p.interface_table()
    q = 100.0 / (0.5 / 1.0 + 0.5 / 3.0)
    assert s.area_m2 == pytest.approx(1.0, rel=1e-12)
    assert abs(s.mean_jump_K) < 1e-10 and abs(s.max_jump_K) < 1e-10
    assert s.heat_flow_W == pytest.approx(q, rel=1e-9)
    assert p.formulation.broken.num_colours == 1
    assert p.formulation.broken.num_global == p.formulation.broken.num_original_global
