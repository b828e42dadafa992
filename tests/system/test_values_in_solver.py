"""Expressions, fields, units, region and point temperatures, rigid punches: in solves.

Every check against an exact solution: linear fields that P1 reproduces, 1D closed forms,
Newton's fixed points.  And every new case-file key rejected with its key path, by
``parse_case`` and by ``fe-interface check`` (stage 3: fields and bounds on the mesh).
"""

import math

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh

import fe_interface as fi
from fe_interface.case import CaseError, load_case, parse_case, run_case
from fe_interface.model.constraints import PointTemperature, RegionTemperature
from fe_interface.model.values import ExpressionValue
from fe_interface.studies.outputs import RunOutputs


def strip(nx=8, L=0.1, cells=("a", "b")):
    """Two regions a | b on [0, L] x [0, L/4] (the interface at L/2), quads."""
    m = dmesh.create_rectangle(
        MPI.COMM_WORLD, [[0.0, 0.0], [L, L / 4]], [2 * nx, 2], dmesh.CellType.quadrilateral,
        ghost_mode=dmesh.GhostMode.shared_facet,
    )  # fmt: skip
    return fi.tag_mesh(
        m,
        cells={cells[0]: (1, lambda x: x[0] < L / 2), cells[1]: (2, lambda x: x[0] > L / 2)},
        boundaries={
            "left": (1, lambda x: np.isclose(x[0], 0.0)),
            "right": (2, lambda x: np.isclose(x[0], L)),
        },
        interfaces={"mid": (10, cells)},
    )


def _max(T, sign=1.0):
    """The largest value of sign * T over all ranks."""
    return MPI.COMM_WORLD.allreduce(float(np.max(sign * T.x.array)), op=MPI.MAX)


def test_heat_flux_of_temperature_newton():
    """q(T) = a - b (T - 300) into the right face, T = 300 K on the left: linear field.

    k (T_R - 300)/L = a - b (T_R - 300)  =>  T_R = 300 + a/(k/L + b).
    """
    k, L, a, b = 10.0, 0.1, 2e4, 50.0
    t = strip(L=L)
    mat = fi.Material("m", k)
    q = ExpressionValue("2e4 - 50*(T - 300)", what="flux")
    p = fi.SteadyProblem(
        t, {"a": mat, "b": mat},
        boundary_conditions=[fi.FixedTemperature("left", 300.0), fi.HeatFlux("right", q)],
        solver="direct",
    )  # fmt: skip
    p.initialise()
    assert p.formulation.nonlinear
    r = p.run()
    assert r.solve.newton_iterations >= 1
    TR = 300.0 + a / (k / L + b)
    assert _max(p.T) == pytest.approx(TR, rel=1e-12)
    assert p.energy_balance().relative_residual < 1e-10


def test_fixed_temperature_of_position_is_exact():
    """T = 300 + 2000 x y on every outer face: harmonic, bilinear: exact on quads."""
    t = strip()
    mat = fi.Material("m", 3.0)
    val = ExpressionValue("300 + 2000*x*y")
    p = fi.SteadyProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", fi.PerfectContact())],
        boundary_conditions=[fi.FixedTemperature("left", val), fi.FixedTemperature("right", val)],
        solver="direct",
    )  # fmt: skip
    p.initialise()
    p.run()
    X = p.formulation.space.tabulate_dof_coordinates()
    err = np.abs(p.T.x.array - (300 + 2000 * X[:, 0] * X[:, 1]))
    # the top/bottom faces are insulated: the exact field has a flux there, so compare
    # only the Dirichlet faces (exact) and the energy balance
    on = np.isclose(X[:, 0], 0.0) | np.isclose(X[:, 0], 0.1)
    assert err[on].max() < 1e-10
    assert p.energy_balance().relative_residual < 1e-10


@pytest.mark.parametrize("form", ["expression", "field"])
def test_interface_h_of_position(form, tmp_path_factory):
    """h(x) from an expression or a field file: uniform 500 W/(m^2 K) -> the 1D jump."""
    k, L = 10.0, 0.1
    t = strip(L=L)
    if form == "expression":
        h = ExpressionValue("250 + 5000*x")  # 500 at x = L/2, the interface
    else:
        from fe_interface.model.fields import PointField

        pts = np.array([[0.05, 0.0], [0.05, 0.03], [0.0, 0.0]])  # a triangle around it
        f = PointField("hmap", pts, [500.0, 500.0, 250.0])
        h = ExpressionValue("hmap", {"hmap": f})
    from fe_interface.model.laws.expression import conductance_law

    mat = fi.Material("m", k)
    p = fi.SteadyProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", conductance_law(h), plus="a")],
        boundary_conditions=[fi.FixedTemperature("left", 400.0), fi.FixedTemperature("right", 300.0)],
        solver="direct",
    )  # fmt: skip
    p.initialise()
    p.run()
    (s,) = p.interface_table()
    q = 100.0 / (L / k + 1 / 500.0)
    assert s.mean_jump_K == pytest.approx(q / 500.0, rel=1e-10)
    assert s.heat_flow_W / s.area_m2 == pytest.approx(q, rel=1e-10)


def test_interface_h_of_temperature():
    """h = 100 + 2 (T - 300) at the mean interface temperature: the 1D fixed point."""
    from scipy.optimize import brentq

    from fe_interface.model.laws.expression import conductance_law

    k, L = 10.0, 0.1
    t = strip(L=L)
    mat = fi.Material("m", k)
    law = conductance_law(ExpressionValue("100 + 2*(T - 300)"))
    p = fi.SteadyProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", law, plus="a")],
        boundary_conditions=[fi.FixedTemperature("left", 400.0), fi.FixedTemperature("right", 300.0)],
        solver="direct",
    )  # fmt: skip
    p.initialise()
    p.run()

    def resid(q):  # symmetric: T+ = 400 - q L/(2k), T- = 300 + q L/(2k), mean 350
        Tp, Tm = 400 - q * L / (2 * k), 300 + q * L / (2 * k)
        return q - (100 + 2 * (0.5 * (Tp + Tm) - 300)) * (Tp - Tm)

    q = brentq(resid, 0.0, 1e5, xtol=1e-12)
    (s,) = p.interface_table()
    assert s.heat_flow_W / s.area_m2 == pytest.approx(q, rel=1e-9)


def test_region_and_point_temperatures():
    """An isothermal region and a point held at a temperature: exact 1D fields."""
    k, L = 10.0, 0.1
    t = strip(L=L)
    mat = fi.Material("m", k)
    p = fi.SteadyProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", fi.Resistance(1e-3), plus="a")],
        boundary_conditions=[RegionTemperature("a", 350.0), fi.FixedTemperature("right", 300.0)],
        solver="direct",
    )  # fmt: skip
    p.initialise()
    p.run()
    q = 50.0 / (1e-3 + (L / 2) / k)
    (s,) = p.interface_table()
    assert s.heat_flow_W / s.area_m2 == pytest.approx(q, rel=1e-10)
    b = p.energy_balance().boundary_inflow_W
    assert b["region:a"] == pytest.approx(q * L / 4, rel=1e-10)
    # the study outputs (fits, uncertainty) balance the same way: the region's reaction in
    out = RunOutputs(p)()
    assert out["balance.relative_residual"] < 1e-10
    # a new value of the held region, in place: the same exact field
    p.update(
        boundary_conditions=[RegionTemperature("a", 360.0), fi.FixedTemperature("right", 300.0)]
    )
    p.run()
    q60 = 60.0 / (1e-3 + (L / 2) / k)
    (s,) = p.interface_table()
    assert s.heat_flow_W / s.area_m2 == pytest.approx(q60, rel=1e-10)
    assert RunOutputs(p)()["balance.relative_residual"] < 1e-10
    # a vertex held at 350 K (the corner x = y = 0), the right face at 300 K: the vertex
    # takes its value exactly, the heat it injects leaves through the right face
    p2 = fi.SteadyProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", fi.Resistance(1e-3), plus="a")],
        boundary_conditions=[PointTemperature([0.0, 0.0], 350.0), fi.FixedTemperature("right", 300.0)],
        solver="direct",
    )  # fmt: skip
    p2.initialise()
    p2.run()
    X = p2.formulation.space.tabulate_dof_coordinates()
    at = np.linalg.norm(X[:, :2], axis=1) < 1e-12
    assert np.all(p2.T.x.array[at] == 350.0)
    assert _max(p2.T) == pytest.approx(350.0, rel=1e-12)  # maximum principle
    b2 = p2.energy_balance()
    assert b2.relative_residual < 1e-10
    assert b2.boundary_inflow_W["point:0,0,0"] == pytest.approx(
        -b2.boundary_inflow_W["FixedTemperature:right"], rel=1e-10
    )
    assert b2.boundary_inflow_W["point:0,0,0"] > 0


def test_transient_expression_value_cn_uses_old_time():
    """Crank-Nicolson with T(t) = 300 + 10 t on a face: the old-time twin holds t_n."""
    t = strip(nx=2)
    mat = fi.Material("m", 1e4, 1.0, 1.0)  # a huge diffusivity: quasi-steady
    val = ExpressionValue("300 + 10*t")
    p = fi.TransientProblem(
        t, {"a": mat, "b": mat}, interfaces=[fi.Interface("mid", fi.PerfectContact())],
        boundary_conditions=[fi.FixedTemperature("left", val)], initial_temperature=300.0,
        scheme="crank_nicolson",
    )  # fmt: skip
    p.initialise()
    p.run(2.0, 0.1)
    assert -_max(p.T, -1.0) == pytest.approx(320.0, abs=1e-3)  # lag ~ L^2/alpha


def test_flat_rigid_punch_force():
    """A rigid flat punch: its reported force equals the contact force, and is linear in d."""
    from fe_interface.geometry.contact_blocks import contact_blocks
    from fe_interface.mechanics import Contact, ElasticMaterial, ElasticProblem, Symmetry
    from fe_interface.model.mechanical_boundary import RigidRegion

    steel = ElasticMaterial("steel", 200e9, 0.3)
    t = contact_blocks(0.01, 0.01, 0.002, 2.5e-4, fine=0.003, upper_extent=0.002)
    forces = []
    for d in (1e-7, 2e-7):
        p = ElasticProblem(
            t, {"lower": steel, "upper": steel}, contacts=[Contact("contact", plus="upper")],
            boundary_conditions=[Symmetry("x0"), Symmetry("bottom"), RigidRegion("upper", (0.0, -d))],
            axisymmetric=True,
        )  # fmt: skip
        r = p.solve()
        (f,) = r.rigid
        assert f.force_N[0] == pytest.approx(0.0, abs=1e-9 * f.magnitude_N)
        assert -f.force_N[1] == pytest.approx(r.contacts[0].force_N, rel=1e-8)
        forces.append(-f.force_N[1])
    assert forces[1] == pytest.approx(2 * forces[0], rel=1e-8)  # full contact: linear
    # Sneddon's half-space value 2 a E* d: the finite block (5 a deep) is stiffer
    sneddon = 2 * 0.002 * steel.plane_strain_modulus * 1e-7
    assert 1.0 < forces[0] / sneddon < 1.25


# ---------------------------------------------------------------------- case files
BASE = {
    "geometry": {
        "builder": "layered_stack",
        "parameters": {"thicknesses": [0.01, 0.01], "width": 0.004, "names": ["a", "b"],
                       "cell_type": "hex", "mesh_size": 0.002},
    },
    "materials": {"a": {"conductivity": 10.0}, "b": {"conductivity": 10.0}},
    "boundaries": {"x0": {"type": "temperature", "value": {"value": 100.0, "unit": "degC"}},
                   "x1": {"type": "temperature", "value": 300.0}},
}  # fmt: skip


def _with(**changes):
    import copy

    d = copy.deepcopy(BASE)
    for path, v in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = v
    return d


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"boundaries__x0__value": "300 + tt"}, r"boundaries.x0.value: must be a number \(SI\) or an expression .* unknown name 'tt'"),
        ({"boundaries__x0__value": "300*(1 + x"}, "boundaries.x0.value: .*syntax error"),
        ({"boundaries__x0__value": {"value": 20.0, "unit": "Pa"}}, "boundaries.x0.value.unit: 'Pa' is not a temperature unit"),
        ({"boundaries__x0__value": {"value": -300.0, "unit": "degC"}}, r"boundaries.x0.value.value: must be > 0, got -300 degC = -26.85 K"),
        ({"boundaries__x0__value": "300 + T"}, "a fixed temperature cannot depend on T"),
        ({"boundaries__x0__value": "300 + t"}, 'needs analysis.type = "transient"'),
        ({"boundaries__x1": {"type": "heat_flux", "value": {"value": 1.0, "unit": "degC"}}}, "only temperatures take a unit"),
        ({"interfaces__interface0": {"law": "conductance", "h": {"table": [[1, 10]], "variable": "f9"}}}, "unknown variable 'f9'"),
        ({"interfaces__interface0": {"law": "gas_gap", "gas": "air", "Y": 1e-6, "jump_distance": 0.0}}, "sigma .* is needed"),
        ({"interfaces__interface0": {"law": "radiation", "emissivity_plus": 0.5, "emissivity_minus": 0.5, "geometry": "cone"}}, "unknown value 'cone'"),
        ({"fixed_temperatures__f": {"region": "a"}}, "fixed_temperatures.f.value: missing required value"),
        ({"fixed_temperatures__f": {"value": 300.0}}, "give region = NAME .* or point"),
        ({"fields__f1": {"file": "nope.csv"}}, "fields.f1.file: file not found"),
        ({"materials__a__conductivity": {"casimir": {"material": "Xx", "length": 1e-3}}}, "unknown value 'Xx'"),
    ],
)  # fmt: skip
def test_new_keys_rejected_with_key_path(changes, message):
    with pytest.raises(CaseError, match=message):
        parse_case(_with(**changes))


def test_check_catches_missing_field_points_and_bounds(shared_tmp):
    """Stage 3 (`fe-interface check`): a field without values on the interface, an
    expression out of its bounds, a point that is not a vertex."""
    folder = shared_tmp / "fields"
    if MPI.COMM_WORLD.rank == 0:
        folder.mkdir(exist_ok=True)
        (folder / "f.csv").write_text("x, y, v\n0, 0, 1\n0.005, 0, 1\n0, 0.004, 1\n")
    MPI.COMM_WORLD.barrier()
    d = _with(fields={"f": {"file": "f.csv"}},
              interfaces={"interface0": {"law": "conductance", "h": "100*f"}})  # fmt: skip
    case = parse_case(d, base_dir=folder)
    with pytest.raises(
        CaseError, match=r"interfaces.interface0.h: field 'f' has no value at x = \[0.01"
    ):
        case.check_mesh(case.build_mesh())
    d = _with(interfaces={"interface0": {"law": "conductance", "h": "100 - 1e5*y"}})
    case = parse_case(d)
    with pytest.raises(
        CaseError, match=r"interfaces.interface0.h: must be >= 0 \(SI\), got -[0-9.]+ at x = "
    ):
        case.check_mesh(case.build_mesh())
    d = _with(fixed_temperatures={"tc": {"point": [0.003, 0.001], "value": 300.0}})
    case = parse_case(d)
    with pytest.raises(
        CaseError, match=r"fixed_temperatures.tc.point: the point .* is not a vertex"
    ):
        case.check_mesh(case.build_mesh())
    from fe_interface.cli import main

    assert main(["check", str(_toml(shared_tmp, d))]) == 2  # the command: status 2, no solve


def _toml(shared_tmp, d):
    """Write the case dict ``d`` as TOML (rank 0) and return its path."""

    def dump(v, key=""):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {dump(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(dump(x) for x in v) + "]"
        if isinstance(v, str):
            return f'"{v}"'
        return repr(v)

    lines = [f"[{sec}]\n" + "\n".join(f"{k} = {dump(v)}" for k, v in body.items())
             for sec, body in d.items()]  # fmt: skip
    p = shared_tmp / "check_case.toml"
    if MPI.COMM_WORLD.rank == 0:
        p.write_text("\n\n".join(lines) + "\n")
    MPI.COMM_WORLD.barrier()
    return p


def test_case_with_expressions_runs(shared_tmp):
    """Units, an expression flux and a region temperature in one case: the exact 1D field."""
    d = _with(
        solver={"type": "direct"},
        boundaries={"x1": {"type": "heat_flux", "value": "2e4"}},
        fixed_temperatures={"a": {"region": "a", "value": {"value": 26.85, "unit": "degC"}}},
        interfaces={"interface0": {"law": "conductance", "h": "1000 + 0*x", "plus": "a"}},
    )
    r = run_case(parse_case(d), out=shared_tmp / "expr_case")
    (s,) = r.interfaces
    assert s.heat_flow_W / s.area_m2 == pytest.approx(-2e4, rel=1e-10)  # + = a: heat flows b -> a
    assert s.mean_jump_K == pytest.approx(-20.0, rel=1e-10)
    assert r.derived.regions[1].max_K == pytest.approx(300.0 + 20.0 + 2e4 * 0.01 / 10.0, rel=1e-12)
    assert math.isfinite(r.balance.relative_residual)


def test_case_files_of_the_first_day_check():
    """The three cases written from the docs alone are valid and mesh."""
    from pathlib import Path

    cases = Path(__file__).resolve().parents[2] / "cases"
    for name in ("chip_package_warmup", "cryogenic_bond", "clamped_package", "hertz_contact"):
        case = load_case(cases / f"{name}.toml")
        case.check_mesh(case.build_mesh())
