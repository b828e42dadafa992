"""Thermo-mechanical case files (``[mechanics]``) and the command line.

* ``cases/pressed_blocks_contact.toml`` through ``run_case`` and ``fe-interface run``:
  P = F/A = 2 MPa on the contact; the heat flow equals a plain heat problem with the
  constant-pressure law (CMY + gas gap at Y(P/H_c) + radiation, Newton on T) to the
  staggered tolerance; the mechanics and contact files and the summary are written;
* the ParaView files hold the exact fields of this 1D problem (uniaxial strain): the
  displacement u_x = −p x/M, von Mises p (1 − 2ν)/(1 − ν), P = 2 MPa and g = 0 at every
  contact point, h equal to the reported mean h and heat-flow conductance;
* the same case two-way with thermal expansion and a body force: statically determinate
  (the top is loaded by a pressure, free to move), so P = 2 MPa + the upper block's
  weight / A still, and the staggered iteration converges;
* validation errors carry their key paths; a contact listed as an interface too, and a
  transient mechanics case, are refused.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from mpi4py import MPI

import meshio
import numpy as np
import pytest

import fe_interface as fi
from fe_interface.case import load_case, parse_case, run_case
from fe_interface.case.checker import CaseError
from fe_interface.cli import main
from fe_interface.model.laws import (
    CMYPlasticConductance,
    ContactConductance,
    ContactPair,
    GapRadiation,
    GasGapConductance,
    Surface,
)

ROOT = Path(__file__).resolve().parents[3]
CASE = ROOT / "cases" / "pressed_blocks_contact.toml"


def constant_law_flow(tagged) -> float:
    """The heat flow of the same blocks with the constant-pressure law, W."""
    pair = ContactPair(Surface(1e-6, 16.0, m=0.1), Surface(1e-6, 16.0, m=0.1))
    P, H = 2.0e6, 3.0e9
    law = ContactConductance(
        CMYPlasticConductance(pair, P, H),
        GasGapConductance(
            "air", pair.sigma, 101325.0, 0.9, 0.9, relative_pressure=P / H, form="simple"
        ),
        GapRadiation(0.3, 0.3),
    )
    p = fi.SteadyProblem(
        tagged, {"lower": fi.Material("s", 16.0), "upper": fi.Material("s", 16.0)},
        interfaces=[fi.Interface("interface0", law, plus="upper")],
        boundary_conditions=[fi.FixedTemperature("x0", 300.0), fi.FixedTemperature("x1", 400.0)],
        solver="direct",
    )  # fmt: skip
    p.run()
    return p.interface_table()[0].heat_flow_W


def test_example_case(shared_tmp):
    res = run_case(CASE, out=shared_tmp / "run")
    c = res.problem.result.contacts[0]
    assert c.max_pressure_Pa == pytest.approx(2.0e6, rel=1e-9)
    assert c.force_N == pytest.approx(2.0e6 * 0.02, rel=1e-12)
    flow = res.interfaces[0].heat_flow_W
    ref = constant_law_flow(res.problem.tagged)
    assert flow == pytest.approx(ref, rel=1e-8)  # Picard (1e-6 K) against Newton
    for k in ("vtu", "xdmf", "summary", "mechanics_vtu", "contact_vtu", "contact_xdmf"):
        assert Path(res.files[k]).exists(), k
    doc = json.loads(Path(res.files["summary"]).read_text())
    tm = doc["thermomechanical"]
    assert tm["contacts"][0]["force_N"] == pytest.approx(c.force_N)
    assert tm["staggered"]["converged"] is True
    assert tm["mechanics_solve"]["newton_iterations"] >= 1
    assert doc["case"]["analysis"] == "thermomechanical"


def test_paraview_fields(shared_tmp):
    """The mechanics and contact files: displacement, von Mises, P, g, h (exact values)."""
    res = run_case(CASE, out=shared_tmp / "pv")
    p, nu, E, L = 2.0e6, 0.3, 200e9, 0.02
    M = E * (1 - nu) / ((1 + nu) * (1 - 2 * nu))
    th = res.problem.result.thermal_contacts[0]
    mech = meshio.read(res.files["mechanics_vtu"])
    X, pd = mech.points, mech.point_data
    assert set(pd) >= {
        "displacement_m",
        "contact_pressure_Pa",
        "gap_m",
        "contact_conductance_W_m2K",
    }
    np.testing.assert_allclose(
        pd["displacement_m"][:, 0], -p / M * X[:, 0], rtol=0, atol=1e-9 * p / M * L
    )
    np.testing.assert_allclose(pd["displacement_m"][:, 1:], 0.0, atol=1e-12 * p / M * L)
    vm = mech.cell_data["von_mises_Pa"][0]
    np.testing.assert_allclose(vm, p * (1 - 2 * nu) / (1 - nu), rtol=1e-9)
    on = np.isclose(X[:, 0], 0.01)  # the interface: both copies of its nodes
    assert on.sum() == 2 * np.unique(X[on, 1]).size
    np.testing.assert_allclose(pd["contact_pressure_Pa"][on], p, rtol=1e-9)
    np.testing.assert_allclose(pd["contact_pressure_Pa"][~on], 0.0, atol=0.0)
    np.testing.assert_allclose(pd["gap_m"][on], 0.0, atol=1e-15)
    h = pd["contact_conductance_W_m2K"]
    np.testing.assert_allclose(h[on], th.mean_h_W_m2K, rtol=1e-9)
    assert th.mean_h_W_m2K == pytest.approx(th.conductance_W_m2K, rel=1e-7)  # Picard to 1e-6 K
    np.testing.assert_allclose(h[~on], 0.0, atol=0.0)
    surf = meshio.read(res.files["contact_vtu"])
    assert (
        surf.cells[0].type == "line" and len(surf.cells[0].data) == len(surf.points) - 1
    )  # the ⁺ side
    np.testing.assert_allclose(surf.point_data["contact_pressure_Pa"], p, rtol=1e-9)
    np.testing.assert_allclose(
        surf.cell_data["contact_conductance_W_m2K"][0], th.mean_h_W_m2K, rtol=1e-9
    )
    np.testing.assert_allclose(surf.cell_data["gap_m"][0], 0.0, atol=1e-15)


def test_two_way_case(shared_tmp, monkeypatch):
    """Two-way run; its heat problem, interface table and heat rates are built once."""
    from fe_interface.postprocessing.balance import HeatRates
    from fe_interface.postprocessing.interfaces import InterfaceTable
    from fe_interface.problems.steady import SteadyProblem

    built: dict[str, int] = {}
    for cls, name in ((SteadyProblem, "initialise"), (InterfaceTable, "__init__"),
                      (HeatRates, "__init__")):  # fmt: skip
        orig = getattr(cls, name)

        def counted(*a, _orig=orig, _key=cls.__name__, **k):
            built[_key] = built.get(_key, 0) + 1
            return _orig(*a, **k)

        monkeypatch.setattr(cls, name, counted)
    d = _data()
    d["mechanics"]["coupling"] = "two-way"
    for m in d["mechanics"]["materials"].values():
        m.update(alpha=12e-6, T_ref=293.15)
    rho_g = 7850.0 * 9.81 * 100  # N/m³ (a hundredfold weight, towards -x: onto the contact)
    d["mechanics"]["body_forces"] = {"upper": {"value": [-rho_g, 0.0]}}
    res = run_case(parse_case(d), out=shared_tmp / "two_way")
    r = res.problem.result
    assert r.converged and len(r.history) >= 2
    P = 2.0e6 + rho_g * 0.01  # the pressure plus the weight of the 10 mm upper block
    assert r.contacts[0].max_pressure_Pa == pytest.approx(P, rel=1e-9)
    assert r.contacts[0].force_N == pytest.approx(P * 0.02, rel=1e-9)
    assert r.contacts[0].area_fraction == pytest.approx(1.0, rel=1e-12)
    assert built == {"SteadyProblem": 1, "InterfaceTable": 1, "HeatRates": 1}
    doc = json.loads(Path(res.files["summary"]).read_text())
    assert doc["thermomechanical"]["coupling"] == "two-way"
    assert doc["thermomechanical"]["staggered"]["converged"] is True


def test_cli_run(shared_tmp, capsys):
    code = main(["run", str(CASE), "--out", str(shared_tmp / "cli")])
    out, _ = capsys.readouterr()
    assert code == 0
    if MPI.COMM_WORLD.rank == 0:
        assert "force N" in out and "interface0" in out and "Newton steps" in out


def _data() -> dict:
    return tomllib.loads(CASE.read_text())


@pytest.mark.parametrize(
    "edit, path",
    [
        (
            lambda d: d["mechanics"]["materials"]["lower"].update(nu=0.7),
            "mechanics.materials.lower",
        ),
        (
            lambda d: d["mechanics"]["contacts"]["interface0"].update(penalty=-1),
            "mechanics.contacts.interface0.penalty",
        ),
        (
            lambda d: d["mechanics"]["contacts"]["interface0"].pop("thermal"),
            "mechanics.contacts.interface0.thermal",
        ),
        (
            lambda d: d["mechanics"]["contacts"]["interface0"]["thermal"].update(H_c=-1),
            "mechanics.contacts.interface0.thermal.H_c",
        ),
        (
            lambda d: d["mechanics"]["boundaries"]["x1"].update(type="force"),
            "mechanics.boundaries.x1.type",
        ),
        (
            lambda d: d["mechanics"]["boundaries"].update(
                x0={"type": "displacement", "value": [1, "x"]}
            ),
            "mechanics.boundaries.x0.value",
        ),
        (lambda d: d["mechanics"].update(coupling="three-way"), "mechanics.coupling"),
        (
            lambda d: d["mechanics"].update(staggered={"relaxation": 2.0}),
            "mechanics.staggered.relaxation",
        ),
        (
            lambda d: d.update(interfaces={"interface0": {"law": "conductance", "h": 1.0}}),
            "mechanics.contacts.interface0",
        ),
    ],
)
def test_errors_have_key_paths(edit, path):
    d = _data()
    edit(d)
    with pytest.raises(CaseError) as e:
        parse_case(d)
    assert any(p == path for p, _ in e.value.errors), e.value.errors


def test_mesh_checks(shared_tmp):
    d = _data()
    d["mechanics"]["contacts"]["nowhere"] = d["mechanics"]["contacts"].pop("interface0")
    d["mechanics"]["materials"].pop("upper")
    case = parse_case(d)
    with pytest.raises(CaseError) as e:
        case.check_mesh(case.build_mesh())
    paths = [p for p, _ in e.value.errors]
    assert "mechanics.contacts.nowhere" in paths and "mechanics.materials" in paths


def test_example_loads():
    assert load_case(CASE).mechanics.coupling == "one-way"
