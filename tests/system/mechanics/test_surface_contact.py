"""Mechanical contact between separately meshed bodies (mortar, issue 23 item 3).

* Contact patch test: two blocks meshed separately (non-matching, non-nested triangles)
  pressed by a uniform pressure q: the stress is uniform, so every contact node carries
  P = q to round-off (the dual mortar weighted gap of a linear field is exact).
* Hertz line contact (plane strain) and point contact (axisymmetric) of a steel
  cylinder/sphere meshed as real geometry (R = 10 mm, cells a/30 (sphere a/60) near the
  contact) on a steel block meshed 3 times coarser, no gap function: the half-width a
  and the peak pressure p₀ of the least-squares Hertz ellipse through the nodal
  pressures (P² linear in x²) against Johnson (1985) eqs. 4.43-4.45 / 4.22-4.23 within
  2 % (measured: line +0.15 % / +0.10 %, point +0.21 % / −0.12 %); the force of that
  ellipse against the load within 0.5 % (+0.25 %, +0.30 %); the vertical contact force
  against the load to round-off (equilibrium: action = reaction).  The nodal pressures
  themselves oscillate by a few % with the period of the coarser block mesh (the raw
  nodal peak: −4.6 % line, −4.1 % point), the usual mortar behaviour on a coarse master;
  carried over to the block's nodes (the mortar's own transfer, F_j = Σ_i w_ij P_i) the
  pressures are smooth: within 0.5 % of the lumped exact pressure inside the contact.
* 3D Hertz point contact from the case file cases/hertz_point_nonmatching.toml (opt-in:
  FE_INTERFACE_LONG_TESTS=1): a, p₀ and the force of the fitted lumped Hertz pressure.
* P(x), g(x) feed h(P, g): the non-matching blocks of the patch test in a coupled run
  (CMY law): P = q everywhere, so the heat flow is the 1D series solution with the CMY
  conductance at q, and the pair conserves heat to round-off; the upper block lifted by
  δ: g = δ from the mortar gaps, the gas conductance at δ, the 1D series solution; the
  Hertz pressure through the pair with h linear in P: the heat flow is ΔT c Σ A_i P_i;
* the Hertz line case file cases/hertz_line_nonmatching.toml (the same checks, plus the
  energy balance and the pair's conservation);
* bad input named: unknown surface, a surface twice, bodies farther apart than the
  search distance.

Runs serially and under mpirun -n 2 with the same tolerances; serial = 2 = 3 ranks to
1e-10 is in tests/system/test_pairs_parallel.py (tests/helpers/pairs_run.py).
"""

import math
import os
import tomllib
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

import fe_interface as fi
from fe_interface.case import parse_case, run_case
from fe_interface.case.checker import CaseError
from fe_interface.errors import InputError
from fe_interface.geometry.parts import cylinder_on_block, stacked_parts
from fe_interface.model.contacts import SurfaceContact
from fe_interface.model.elastic_materials import ElasticMaterial, effective_modulus
from fe_interface.model.laws import CMYPlasticConductance, ContactPair, Surface
from fe_interface.model.laws.local_contact import GasFill, LocalContactLaw
from fe_interface.model.mechanical_boundary import Displacement, Pressure, Symmetry
from fe_interface.postprocessing.exact_contact import hertz_line, hertz_point, lumped_average
from fe_interface.problems.elastic import ElasticProblem
from fe_interface.problems.thermomechanical import ThermoMechanicalProblem

CASE = Path(__file__).resolve().parents[3] / "cases" / "hertz_line_nonmatching.toml"

STEEL = ElasticMaterial("steel", 200e9, 0.3)
R, A = 10e-3, 0.25e-3


def hertz_fit(x: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """(a, p₀) of the ellipse P² = p₀² (1 − x²/a²) fitted to the loaded nodes (m, Pa)."""
    on = P > 0
    c1, c0 = np.polyfit(x[on] ** 2, P[on] ** 2, 1)
    return math.sqrt(-c0 / c1), math.sqrt(c0)


def hertz_run(kind: str, comm=MPI.COMM_WORLD):
    """Solve the cylinder (sphere) on a block; returns (problem, result, exact, load).

    Cells near the contact: cylinder a/30, block a/10; sphere a/60, block a/20 (the
    force of the fitted ellipse is within 0.5 % from there: +0.82 % at a/30).
    """
    axisym = kind == "axisymmetric"
    E = effective_modulus(STEEL, STEEL)
    n = 60 if axisym else 30
    tagged = cylinder_on_block(R, 5e-3, 5e-3, (A / n, 3 * A / n), 1.5 * A, R / 8, comm)
    if axisym:
        ex = hertz_point(4 * E * A**3 / (3 * R), R, E)
        load, q = ex.load, ex.load / (math.pi * R**2)
    else:
        ex = hertz_line(math.pi * E * A**2 / (4 * R), R, E)
        load, q = ex.load / 2, ex.load / (2 * R)  # half model: P'/2 on the top (width R)
    p = ElasticProblem(
        tagged, {"cylinder": STEEL, "block": STEEL}, axisymmetric=axisym,
        contacts=[SurfaceContact(("cylinder_surface", "block_top"), name="hertz")],
        boundary_conditions=[
            Symmetry("cylinder_axis"), Symmetry("block_axis"), Symmetry("block_bottom"),
            Pressure("cylinder_top", q),
        ],
    )  # fmt: skip
    return p, p.solve(), ex, load


@pytest.mark.parametrize("kind", ["plane_strain", "axisymmetric"])
def test_hertz_nonmatching(kind):
    p, res, ex, load = hertz_run(kind)
    t = p.contacts[0].nodal_table()
    x, P = t.x[:, 0], t.pressure_Pa
    a_fit, p0_fit = hertz_fit(x, P)
    assert abs(a_fit / A - 1) < 0.02, a_fit / A - 1
    assert abs(p0_fit / ex.peak_pressure_Pa - 1) < 0.02, p0_fit / ex.peak_pressure_Pa - 1
    # equilibrium: the vertical contact force on the cylinder is the load (round-off)
    w = 2 * math.pi if kind == "axisymmetric" else 1.0
    Fy = -w * np.sum(t.area_m2 * P * t.normal[:, 1])
    assert abs(Fy / load - 1) < 1e-10, Fy / load - 1
    assert res.contacts[0].max_penetration_m < 1e-9 * A
    # the fitted ellipse's force: line π a p₀ / 2 (half model: / 4); point 2π a² p₀ / 3
    if kind == "plane_strain":
        F_fit = math.pi * a_fit * p0_fit / 4
    else:
        F_fit = 2 * math.pi * a_fit**2 * p0_fit / 3
    assert abs(F_fit / load - 1) < 0.005, F_fit / load - 1
    # the pressures carried over to the block's nodes (the mortar's action on B): free of
    # the slave's oscillation with the block's mesh period; against the lumped averages
    # of the exact pressure, / p₀, measured for r ≤ 0.8 a: 0.48 % line, 0.32 % point (the
    # raw nodal pressures: 4.6 %, 4.1 %), at the edge 1.8 %, 0.8 % (10.4 %, 6.9 %)
    m = p.contacts[0].master_table()
    ex_B = lumped_average(m.x[:, 0], ex.pressure, axisymmetric=kind == "axisymmetric")
    err = np.abs(m.pressure_Pa - ex_B) / ex.peak_pressure_Pa
    assert np.max(err[m.x[:, 0] <= 0.8 * A]) < 0.006 and np.max(err) < 0.02
    assert np.sum(m.area_m2 * m.pressure_Pa) == pytest.approx(np.sum(t.area_m2 * P), rel=1e-12)
    # the meshes do not match: about 3 cylinder nodes per block node under the contact
    Vx = p.space.tabulate_dof_coordinates()
    n = p.space.dofmap.index_map.size_local
    top = Vx[:n][(np.abs(Vx[:n, 1]) < 1e-15) & (Vx[:n, 0] < A) & (Vx[:n, 0] > 0)]
    block = p.space.mesh.comm.allreduce(len(top), op=MPI.SUM)
    assert 2 * block < len(x[(x > 0) & (x < A)])


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("FE_INTERFACE_LONG_TESTS") != "1",
    reason="3D Hertz: a few minutes; set FE_INTERFACE_LONG_TESTS=1",
)
def test_hertz_point_3d_case_file(tmp_path):
    """Sphere on a block in 3D from cases/hertz_point_nonmatching.toml (quarter model,
    tetrahedra a/20 on a/12, ~98k cells; 3 minutes with the coupled heat problem).

    Hertz's a and p₀ from the area-weighted least-squares fit of the lumped averages of
    the Hertz pressure to the nodal pressures (what a dual mortar's nodal pressure is):
    measured a −0.82 %, p₀ +1.59 %, the fitted distribution's force 2π a² p₀/3 −0.07 % of
    the load (block a/8: −1.24 %, +2.37 %, −0.14 %).  The fit-free moments of the nodal
    forces give a −0.48 %, p₀ +0.97 % (a/8: −0.76 %, +1.56 %): the discrete contact is a
    little too small and too high — the P1 tetrahedra are too stiff, mostly the block's.
    The ellipse P² ∝ 1 − r²/a² through the nodal values is biased by the edge nodes
    (a +0.20 %, p₀ +0.63 %, force +1.04 %; a/8: +1.8 %).  The slave's nodal pressures
    oscillate with the block's mesh period: max |P_i − p(r_i)| / p₀ = 8.0 % for r ≤ 0.8 a
    (rms 3.0 %); carried over to the block's nodes (:meth:`MortarContact.master_table`)
    3.6 % (rms 1.3 %).  benchmarks/hertz_mortar_study.py measures each error source.
    """
    import ufl
    from dolfinx import fem
    from helpers.hertz_fit import lumped_fit_3d, moment_fit_3d, surface_facets

    res = run_case(CASE.with_name("hertz_point_nonmatching.toml"), out=tmp_path / "run")
    tagged = res.problem.tagged
    q = 0.72873142e6  # the case's pressure on the sphere's top, Pa
    ds = ufl.Measure("ds", domain=tagged.mesh, subdomain_data=tagged.facet_tags)
    top = fem.assemble_scalar(fem.form(1.0 * ds(tagged.facet_names["sphere_top"])))
    load = 4 * q * tagged.mesh.comm.allreduce(top, op=MPI.SUM)  # the full sphere's load
    ex = hertz_point(load, R, effective_modulus(STEEL, STEEL))
    a0, p0 = ex.half_width_m, ex.peak_pressure_Pa
    t = res.problem.mechanics.contacts[0].nodal_table()
    Fz = -np.sum(t.area_m2 * t.pressure_Pa * t.normal[:, 2])
    assert abs(Fz / (load / 4) - 1) < 1e-10
    facets = surface_facets(tagged, "sphere_surface", 2 * a0)
    a_fit, p0_fit = lumped_fit_3d(t.x, t.pressure_Pa, facets, a0, p0, 1.6 * a0)
    F_fit = 2 * math.pi * a_fit**2 * p0_fit / 3
    a_m, p0_m = moment_fit_3d(t.x, t.pressure_Pa, t.area_m2, copies=4)
    print(f"3D Hertz: fit a {a_fit / a0 - 1:+.4f} p0 {p0_fit / p0 - 1:+.4f} F {F_fit / load - 1:+.4f}; "
          f"moments a {a_m / a0 - 1:+.4f} p0 {p0_m / p0 - 1:+.4f}")  # fmt: skip
    assert abs(a_fit / a0 - 1) < 0.02, a_fit / a0 - 1
    assert abs(p0_fit / p0 - 1) < 0.02, p0_fit / p0 - 1
    assert abs(F_fit / load - 1) < 0.005, F_fit / load - 1
    assert abs(a_m / a0 - 1) < 0.01 and abs(p0_m / p0 - 1) < 0.02, (a_m / a0 - 1, p0_m / p0 - 1)
    (row,) = res.interfaces
    assert row.mechanisms["conservation_relative"] <= 1e-10
    assert res.balance.relative_residual < 1e-10


@pytest.mark.parametrize("dim", [2, 3])
def test_contact_patch_uniform_pressure(dim):
    """Uniaxial strain (sides held across): uniform stress, P = q at every node."""
    q = 1.0e6
    sizes = [0.13, 0.1] if dim == 2 else [0.34, 0.25]
    tagged = stacked_parts([1.0, 0.6], 1.0, ["lower", "upper"], sizes, dim=dim)
    across = (0.0,) * (dim - 1) + (None,)
    p = ElasticProblem(
        tagged, {"lower": STEEL, "upper": ElasticMaterial("al", 70e9, 0.33)},
        contacts=[SurfaceContact(("upper_bottom", "lower_top"))],
        boundary_conditions=[
            Displacement("lower_sides", across), Displacement("upper_sides", across),
            Symmetry("lower_bottom"), Pressure("upper_top", q),
        ],
    )  # fmt: skip
    res = p.solve()
    t = p.contacts[0].nodal_table()
    assert len(t.pressure_Pa) > 10
    assert np.max(np.abs(t.pressure_Pa / q - 1)) < 1e-10
    assert abs(res.contacts[0].force_N / q - 1) < 1e-10
    m = p.contacts[0].master_table()  # the same pressure carried over to the lower block
    assert len(m.pressure_Pa) > 4 and np.max(np.abs(m.pressure_Pa / q - 1)) < 1e-10


@pytest.mark.parametrize(
    ("surfaces", "distance", "message"),
    [
        (("upper_bottom", "nowhere"), None, "surface B 'nowhere'"),
        (("upper_bottom", "upper_bottom"), None, "the same facet group"),
        (("upper_bottom", "lower_top"), 0.05, "finds no facet"),
    ],
)
def test_bad_input_named(surfaces, distance, message):
    tagged = stacked_parts([1.0, 1.0], 1.0, ["lower", "upper"], 0.5, dim=2)
    g = tagged.mesh.geometry  # the upper block lifted by 0.1 m: a gap
    upper = tagged.cell_tags.indices[tagged.cell_tags.values == tagged.cell_names["upper"]]
    g.x[np.unique(g.dofmaps[0][upper]), 1] += 0.1
    gapped = tagged
    with pytest.raises(InputError, match=message):
        spec = SurfaceContact(surfaces, search_distance=distance)
        p = ElasticProblem(
            gapped, {"lower": STEEL, "upper": STEEL}, contacts=[spec],
            boundary_conditions=[Symmetry("lower_bottom"), Symmetry("upper_sides"),
                                 Symmetry("lower_sides")],
        )  # fmt: skip
        p.initialise()


def coupled_blocks(tagged, law, mechanical_bcs):
    """Two steel blocks (k = 16 W/(m K)), 300 K below, 400 K on top, a surface contact."""
    return ThermoMechanicalProblem(
        tagged, {"lower": fi.Material("s", 16.0), "upper": fi.Material("s", 16.0)},
        {"lower": STEEL, "upper": STEEL},
        [SurfaceContact(("upper_bottom", "lower_top"), "joint", thermal=law)],
        boundary_conditions=[fi.FixedTemperature("lower_bottom", 300.0),
                             fi.FixedTemperature("upper_top", 400.0)],
        mechanical_bcs=mechanical_bcs, thermal_solver="direct",
    )  # fmt: skip


def test_pressure_feeds_the_pair_conductance():
    """Uniform q on non-matching blocks: h = CMY(q) on the pair, the 1D series solution."""
    q, k, H_c = 2.0e6, 16.0, 3.0e9
    pair = ContactPair(Surface(0.4e-6, k, m=0.1), Surface(0.4e-6, k, m=0.1))
    law = LocalContactLaw(pair, H_c=H_c)
    tagged = stacked_parts([0.01, 0.006], 0.02, ["lower", "upper"], [0.0021, 0.0013], dim=2)
    prob = coupled_blocks(tagged, law, [
        Symmetry("lower_sides"), Symmetry("upper_sides"), Symmetry("lower_bottom"),
        Pressure("upper_top", q),
    ])  # fmt: skip
    res = prob.run()
    h = CMYPlasticConductance(pair, q, H_c).h
    Q = 100.0 * 0.02 / (0.01 / k + 1.0 / h + 0.006 / k)  # W/m: series, width 0.02 m
    (row,) = prob.thermal.interface_table()
    assert row.heat_flow_W == pytest.approx(Q, rel=1e-9)
    assert row.mechanisms["conservation_relative"] <= 1e-10
    th = res.thermal_contacts[0]
    assert th.mean_h_W_m2K == pytest.approx(h, rel=1e-9)
    assert res.contacts[0].force_N == pytest.approx(q * 0.02, rel=1e-10)


def test_hertz_case_file(tmp_path):
    res = run_case(CASE, out=tmp_path / "run")
    p = res.problem
    t = p.mechanics.contacts[0].nodal_table()
    a_fit, p0_fit = hertz_fit(t.x[:, 0], t.pressure_Pa)
    E = effective_modulus(STEEL, STEEL)
    ex = hertz_line(math.pi * E * A**2 / (4 * R), R, E)
    assert abs(a_fit / A - 1) < 0.02
    assert abs(p0_fit / ex.peak_pressure_Pa - 1) < 0.02
    assert abs(math.pi * a_fit * p0_fit / 2 / ex.load - 1) < 0.005
    Fy = -np.sum(t.area_m2 * t.pressure_Pa * t.normal[:, 1])
    assert abs(Fy / (ex.load / 2) - 1) < 1e-6  # the case gives q to 8 digits
    (row,) = res.interfaces
    assert row.mechanisms["conservation_relative"] <= 1e-10
    assert res.balance.relative_residual < 1e-10
    assert row.heat_flow_W > 0


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda c: c.update(pair=["cylinder_surface"]), "mechanics.contacts.hertz.pair"),
        (lambda c: c.update(initial_gap=0.0), "mechanics.contacts.hertz.initial_gap"),
        (lambda c: c.update(search_distance=-1.0), "mechanics.contacts.hertz.search_distance"),
    ],
)
def test_case_errors_have_key_paths(edit, path):
    d = tomllib.loads(CASE.read_text())
    edit(d["mechanics"]["contacts"]["hertz"])
    with pytest.raises(CaseError) as e:
        parse_case(d)
    assert any(p == path for p, _ in e.value.errors), e.value.errors


def test_case_unknown_surface_named():
    d = tomllib.loads(CASE.read_text())
    d["mechanics"]["contacts"]["hertz"]["pair"] = ["cylinder_surface", "nowhere"]
    d["geometry"]["parameters"].update(sizes=[1e-4, 2e-4], coarse=2e-3)  # cheap mesh
    case = parse_case(d)
    with pytest.raises(CaseError) as e:
        case.check_mesh(case.build_mesh())
    assert "mechanics.contacts.hertz.pair[1]" in [p for p, _ in e.value.errors]


def test_gap_feeds_the_pair_conductance():
    """The upper block lifted by δ and held: P = 0, g = δ from the mortar gaps; the gas
    law at g = δ (fixed gas temperature: h constant) gives the 1D series solution."""
    k, delta = 16.0, 20e-6
    pair = ContactPair(Surface(0.4e-6, k, m=0.1), Surface(0.4e-6, k, m=0.1))
    law = LocalContactLaw(pair, H_c=3e9, gas=GasFill("air", 101325.0, 0.9, 0.9, T_gas=350.0))
    tagged = stacked_parts([0.01, 0.006], 0.02, ["lower", "upper"], [0.0021, 0.0013], dim=2)
    g = tagged.mesh.geometry
    upper = tagged.cell_tags.indices[tagged.cell_tags.values == tagged.cell_names["upper"]]
    g.x[np.unique(g.dofmaps[0][upper]), 1] += delta
    prob = coupled_blocks(
        tagged,
        law,
        [Displacement("lower_bottom", (0.0, 0.0)), Displacement("upper_top", (0.0, 0.0))],
    )
    res = prob.run()
    t = prob.mechanics.contacts[0].nodal_table()
    assert np.max(np.abs(t.gap_m / delta - 1)) < 1e-10 and np.all(t.pressure_Pa == 0)
    h = float(
        law.conductance(np.zeros(1), np.full(1, delta), np.full(1, 350.0), np.full(1, 350.0))[0]
    )
    Q = 100.0 * 0.02 / (0.01 / k + 1.0 / h + 0.006 / k)
    (row,) = prob.thermal.interface_table()
    assert row.heat_flow_W == pytest.approx(Q, rel=1e-9)
    assert res.thermal_contacts[0].mean_h_W_m2K == pytest.approx(h, rel=1e-9)


@pytest.mark.parametrize("kind", ["plane_strain", "axisymmetric"])
def test_hertz_pressure_feeds_the_pair_conductance(kind):
    """A non-uniform P(x) through a mortar pair: h linear in P (CMY with exponent 1).

    The Hertz cylinder (sphere) on a block, hot above (310 K), 300 K below, conductances
    tiny against the bodies' (h a / k ≈ 1e-12): both bodies are isothermal to that
    order, so the pair's heat flow is Q = ΔT ∫ h(P) dA = ΔT c Σ A_i P_i exactly (c = h
    at 1 Pa; h is linear in the P1 pressure field, the pair's quadrature integrates it
    exactly) — on any mesh: a cheap one (a/10 on a/4).  Σ A_i P_i n_i,z is the load
    (equilibrium), so Q is also ΔT c × load up to the tilt of the normals, 1 − n_z ≤
    (a_c/R)²/2 ≈ 4e-4 at the contact edge a_c ≈ 1.1 a.  Measured: Q to 1e-11 of
    ΔT c Σ A_i P_i, 1.2e-4 of ΔT c × load.  (The pair's conservation is checked in the
    runs with O(1) h a / k: here the assembled residual's round-off, ~1e-13 W against the
    bulk scale, is 1e-4 of Q.)
    """
    axisym = kind == "axisymmetric"
    E = effective_modulus(STEEL, STEEL)
    tagged = cylinder_on_block(R, 5e-3, 5e-3, (A / 10, A / 4), 1.5 * A, R / 4)
    if axisym:
        load = hertz_point(4 * E * A**3 / (3 * R), R, E).load
        q = load / (math.pi * R**2)
    else:
        load = hertz_line(math.pi * E * A**2 / (4 * R), R, E).load / 2
        q = load / R
    tiny = Surface(0.4e-6, 1.0e-12, m=0.1)  # k in W/(m K): h ≈ 1e-12 W/(m² K) at p₀
    law = LocalContactLaw(ContactPair(tiny, tiny), H_c=3.0e9, exponent=1.0)
    k = fi.Material("s", 16.0)
    prob = ThermoMechanicalProblem(
        tagged, {"cylinder": k, "block": k}, {"cylinder": STEEL, "block": STEEL},
        [SurfaceContact(("cylinder_surface", "block_top"), "hertz", thermal=law)],
        boundary_conditions=[fi.FixedTemperature("cylinder_top", 310.0),
                             fi.FixedTemperature("block_bottom", 300.0)],
        mechanical_bcs=[Symmetry("cylinder_axis"), Symmetry("block_axis"),
                        Symmetry("block_bottom"), Pressure("cylinder_top", q)],
        axisymmetric=axisym, thermal_solver="direct",
    )  # fmt: skip
    prob.run()
    t = prob.mechanics.contacts[0].nodal_table()
    w = 2 * math.pi if axisym else 1.0
    Fz = -w * np.sum(t.area_m2 * t.pressure_Pa * t.normal[:, 1])
    assert Fz == pytest.approx(load, rel=1e-9)
    c = float(law.conductance(np.ones(1), np.zeros(1), np.full(1, 300.0), np.full(1, 300.0))[0])
    (row,) = prob.thermal.interface_table()
    assert row.heat_flow_W == pytest.approx(
        10.0 * c * w * np.sum(t.area_m2 * t.pressure_Pa), rel=1e-9
    )
    assert 0 < row.heat_flow_W / (10.0 * c * load) - 1 < 4e-4
