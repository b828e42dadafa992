"""Thermo-mechanical case files (``[mechanics]``) and the command line.

* ``cases/pressed_blocks_contact.toml`` through ``run_case`` and ``fe-interface run``:
  P = F/A = 2 MPa on the contact; the heat flow equals a plain heat problem with the
  constant-pressure law (CMY + gas gap at Y(P/H_c) + radiation, Newton on T) to the
  staggered tolerance; the mechanics and contact files and the summary are written;
* validation errors carry their key paths; a contact listed as an interface too, and a
  transient mechanics case, are refused.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from mpi4py import MPI

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
        GasGapConductance("air", pair.sigma, 101325.0, 0.9, 0.9, relative_pressure=P / H, form="simple"),
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
        (lambda d: d["mechanics"]["materials"]["lower"].update(nu=0.7), "mechanics.materials.lower"),
        (lambda d: d["mechanics"]["contacts"]["interface0"].update(penalty=-1), "mechanics.contacts.interface0.penalty"),
        (lambda d: d["mechanics"]["contacts"]["interface0"].pop("thermal"), "mechanics.contacts.interface0.thermal"),
        (lambda d: d["mechanics"]["contacts"]["interface0"]["thermal"].update(H_c=-1), "mechanics.contacts.interface0.thermal.H_c"),
        (lambda d: d["mechanics"]["boundaries"]["x1"].update(type="force"), "mechanics.boundaries.x1.type"),
        (lambda d: d["mechanics"]["boundaries"].update(x0={"type": "displacement", "value": [1, "x"]}), "mechanics.boundaries.x0.value"),
        (lambda d: d["mechanics"].update(coupling="three-way"), "mechanics.coupling"),
        (lambda d: d["mechanics"].update(staggered={"relaxation": 2.0}), "mechanics.staggered.relaxation"),
        (lambda d: d.update(interfaces={"interface0": {"law": "conductance", "h": 1.0}}), "mechanics.contacts.interface0"),
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
