"""The six peer problems of cases/peers run as plain case files and match the published numbers.

Each expected value is the number printed by its source (the case file's header names
it): MOOSE gold CSVs and input-file comments, Code_Aster's TEST_RESU, the Abaqus deck's
data, the NAFEMS T3 target.  The tolerance is the printed precision where the model is
exact (1D linear fields, isothermal regions: round-off), or half a unit of the last
printed digit.
"""

import json
import math
import tomllib
from pathlib import Path

import pytest

from fe_interface.case import load_case, parse_case, run_case

PEERS = Path(__file__).resolve().parents[2] / "cases" / "peers"
C = 273.15


def _run(name, shared_tmp):
    r = run_case(load_case(PEERS / f"{name}.toml"), out=shared_tmp / name)
    assert r.balance.relative_residual < 1e-8
    return r


def _probe(r, name):
    return next(p.temperature_K for p in r.derived.probes if p.name == name)


def test_moose_closed_gap_cincotti(shared_tmp):
    r = _run("moose_closed_gap_cincotti", shared_tmp)
    # gold/closed_gap_prescribed_pressure_out.csv (the exact 1D values to 1e-13)
    assert _probe(r, "aluminum_interface") == pytest.approx(284.72389679287, rel=1e-11)
    assert _probe(r, "steel_interface") == pytest.approx(349.87541194439, rel=1e-11)
    (s,) = r.interfaces
    assert s.heat_flow_W / s.area_m2 == pytest.approx(7292.0183265023, rel=1e-11)


def test_moose_helium_gap_radiation(shared_tmp):
    r = _run("moose_helium_gap_radiation", shared_tmp)
    (s,) = r.interfaces
    # "The flux post processors give 37.53255" (the blocks' 1e7 W/(m K) leave ~1e-5 K)
    assert abs(s.heat_flow_W / s.area_m2 - 37.53255) < 5e-6
    assert s.mechanisms["h_gas_W_m2K"] == pytest.approx(0.09187557, rel=1e-6)


@pytest.mark.parametrize(
    "name, flux1", [("cylinder", -265.39068252519), ("sphere", -267.20687196933)]
)
def test_moose_curved_gap_radiation(name, flux1, shared_tmp):
    r = _run(f"moose_{name}_gap_radiation", shared_tmp)
    (s,) = r.interfaces
    assert s.heat_flow_W / s.area_m2 == pytest.approx(flux1, rel=1e-12)  # analytic_flux_1
    assert s.mean_jump_K == pytest.approx(278.0 - 333.0, rel=1e-12)


def test_code_aster_ttlp100(shared_tmp):
    r = _run("code_aster_ttlp100", shared_tmp)
    expected = {  # TEST_RESU of ttlp100a.comm, degC
        "N3": 133.55704697986579,
        "N5": 166.44295302013421,
        "N101": 233.55704697986579,
        "N103": 266.44295302013421,
    }
    for probe, value in expected.items():
        assert _probe(r, probe) - C == pytest.approx(value, rel=1e-11), probe


def test_abaqus_field_dependent_gap_conductance(shared_tmp):
    r = _run("abaqus_gap_field", shared_tmp)
    (s,) = r.interfaces
    assert s.conductance_W_m2K == pytest.approx(12.5, rel=1e-12)  # k(f1 = 1.5)
    assert s.heat_flow_W == pytest.approx(625.0, rel=1e-12)  # RFL at TOP
    inflow = r.balance.boundary_inflow_W
    assert inflow["fixed:TOP"] == pytest.approx(625.0, rel=1e-12)
    assert inflow["fixed:MID"] == pytest.approx(-625.0, rel=1e-12)


def test_nafems_t3(shared_tmp):
    r = _run("nafems_t3", shared_tmp)
    T = _probe(r, "C") - C
    assert round(T, 1) == 36.6  # the target, 36.6 degC at x = 0.08 m, t = 32 s
    assert T == pytest.approx(36.6, abs=0.01)


def test_peer_cases_name_their_sources():
    for f in sorted(PEERS.glob("*.toml")):
        text = f.read_text()
        assert "Source:" in text and ("Published" in text or "Expected" in text), f
        data = tomllib.loads(text)
        parse_case(data, base_dir=PEERS)
    summary = PEERS / "README.md"
    assert summary.is_file()
    for f in PEERS.glob("*.toml"):
        assert f.name in summary.read_text(), f.name


def test_junction_response_in_summary(shared_tmp):
    """A transient case with a junction: t63/t90/t95 in the summary and the history plot."""
    d = tomllib.loads((PEERS / "nafems_t3.toml").read_text())
    d["analysis"]["t_end"] = 20.0  # the end temperature rises from 0 to 100 sin(pi/2)
    d["outputs"] = {"junction": "bar", "files": ["summary", "plots"]}
    r = run_case(parse_case(d, base_dir=PEERS), out=shared_tmp / "t3_junction")
    doc = json.loads(Path(r.files["summary"]).read_text())
    resp = doc["transient"]["junction_response"]
    assert resp["initial_K"] == pytest.approx(C)
    assert resp["final_K"] == pytest.approx(C + 100.0, rel=1e-9)  # T(0.1 m, 20 s) = 100 degC
    assert 0 < resp["t63_s"] < resp["t90_s"] < resp["t95_s"] < 20.0
    # the end value 100 sin(pi t/40): its own t_x where sin reaches x (the max over the bar)
    for key, x in (("t90_s", 0.90), ("t95_s", 0.95)):
        assert resp[key] == pytest.approx(40 / math.pi * math.asin(x), rel=5e-3)
    assert Path(r.files["junction_plot"]).is_file()
