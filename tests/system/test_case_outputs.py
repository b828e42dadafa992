"""Case files: the derived outputs (junction, probes), the thin-layer and tabulated laws
and the contact-law coefficients, each new input validated with its key path."""

import copy
import csv
import json
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.case import parse_case, run_case
from fe_interface.case.checker import CaseError

COMM = MPI.COMM_WORLD

# fmt: off
BASE = {
    "name": "stack",
    "geometry": {
        "builder": "layered_stack",
        "parameters": {"thicknesses": [0.01, 0.01], "width": 0.01, "dim": 2,
                       "names": ["a", "b"], "cell_type": "hex", "mesh_size": 0.0025},
    },
    "materials": {
        "a": {"conductivity": 200.0, "density": 2700.0, "specific_heat": 900.0},
        "b": {"conductivity": 200.0, "density": 2700.0, "specific_heat": 900.0},
    },
    "interfaces": {
        "interface0": {"law": "thin_layer", "plus": "a", "thickness": 1e-4, "conductivity": 5.0,
                       "density": 2000.0, "specific_heat": 1000.0}
    },
    "boundaries": {"x0": {"type": "heat_flux", "value": 1e5}, "x1": {"type": "temperature", "value": 300.0}},
    "solver": {"type": "direct"},
    "outputs": {"files": ["summary", "xdmf"], "junction": "a",
                "probes": {"hot": [0.0, 0.005], "joint": {"point": [0.01, 0.005], "region": "b"}}},
}
# fmt: on


def with_(**changes):
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        *head, last = path.split("__")
        for k in head:
            node = node.setdefault(k, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def _errors(data):
    with pytest.raises(CaseError) as e:
        case = parse_case(data)
        case.check_mesh(case.build_mesh())
    return dict(e.value.errors)


def _out(tmp_path_factory, name):
    path = str(tmp_path_factory.mktemp(name)) if COMM.rank == 0 else None
    return Path(COMM.bcast(path, root=0))


def test_steady_thin_layer_case_reports_junction_probes_and_boundaries(tmp_path_factory):
    """Steady: q = 1e5 W/m² through the layer: jump q t / k = 2 K; the hot face is
    300 + q (L/k + t/k_l) = 312 K; the summary lists junction, probes, boundaries."""
    out = _out(tmp_path_factory, "steady")
    r = run_case(parse_case(with_()), out=out)
    d = r.derived
    assert r.interfaces[0].mean_jump_K == pytest.approx(2.0, rel=1e-10)
    assert d.junction_K == pytest.approx(300.0 + 1e5 * (0.02 / 200.0 + 1e-4 / 5.0), rel=1e-12)
    assert d.probes[0].temperature_K == pytest.approx(d.junction_K, rel=1e-12)
    assert d.probes[1].region == "b"  # the sink side of the layer
    assert d.probes[1].temperature_K == pytest.approx(300.0 + 1e5 * 0.01 / 200.0, rel=1e-12)
    flows = {b.name: b.heat_flow_W for b in d.boundaries}
    assert flows["x0"] == pytest.approx(1e5 * 0.01, rel=1e-12) and flows["x1"] == pytest.approx(
        -1e3, rel=1e-9
    )
    if COMM.rank == 0:
        doc = json.loads((out / "stack_summary.json").read_text())
        assert doc["junction"]["region"] == "a" and [p["name"] for p in doc["probes"]] == [
            "hot",
            "joint",
        ]


def test_transient_case_probe_columns_and_layer_storage(tmp_path_factory):
    """Transient with the layer's heat capacity: probe and junction columns in the CSV;
    every step's balance closes (the layer's storage counted)."""
    out = _out(tmp_path_factory, "transient")
    data = with_(
        analysis={"type": "transient", "t_end": 0.1, "dt": 0.02, "initial_temperature": 300.0}
    )
    r = run_case(parse_case(data), out=out)
    hist = r.transient.history
    assert "probe_hot_K" in hist and "a_max_K" in hist
    assert abs(hist["balance_residual_J"][-1]) < 1e-9 * hist["net_inflow_J"][-1]
    if COMM.rank == 0:
        with open(out / "stack.csv") as fh:
            head = next(csv.reader(fh))
        assert head[-5:] == ["probe_hot_K", "probe_joint_K", "a_min_K", "a_mean_K", "a_max_K"]


def test_tabulated_law_in_a_case():
    data = with_(interfaces__interface0={
        "law": "tabulated", "plus": "a", "pressure": 0.5,
        "table": {"pressure": [0.1, 1.0], "units": {"pressure": "MPa"}, "h": [1.0e4, 5.0e4]},
    })  # fmt: skip
    with pytest.warns(UserWarning, match="outside the table's points"):
        law = parse_case(data).interfaces[0].law
    assert law.h == pytest.approx(1.0e4)  # 0.5 Pa is below the table: the first value
    data["interfaces"]["interface0"]["pressure"] = 5.5e5
    assert parse_case(data).interfaces[0].law.h == pytest.approx(3.0e4, rel=1e-12)


def test_gap_table_with_units_and_a_temperature_axis():
    """h(gap, T) in µm, °C and kW/(m² K): stored in SI; read at the operating gap (linear
    in g: 10 - 6 (1/4) = 8.5 kW/(m² K) at 2 µm) and at the interface mean temperature."""
    data = with_(interfaces__interface0={
        "law": "tabulated", "plus": "a", "gap": 2.0e-6,
        "table": {"gap": [1.0, 5.0, 10.0], "temperature": [25.0, 75.0],
                  "h": [[10.0, 12.0], [4.0, 5.0], [2.0, 2.5]],
                  "units": {"gap": "um", "temperature": "degC", "h": "kW/(m^2 K)"}},
    })  # fmt: skip
    law = parse_case(data).interfaces[0].law
    t = law.table
    assert t.variable == "gap" and t.points == pytest.approx((1e-6, 5e-6, 1e-5), rel=1e-14)
    assert t.temperature == pytest.approx((298.15, 348.15), rel=1e-14)
    assert law.h == pytest.approx(8.5e3, rel=1e-12)  # at the first temperature
    hot = 12.0e3 - 0.25 * 7.0e3  # 12 - 7/4 kW/(m^2 K) at 75 degC
    assert law.conductance(348.15, 348.15) == pytest.approx(hot, rel=1e-12)
    assert law.conductance(343.15, 353.15) == pytest.approx(hot, rel=1e-12)  # the mean T


def test_contact_coefficients_and_vickers_factors_in_a_case():
    """``coefficient``/``exponent`` of cmy_plastic and mikic_elastic, ``size_factor`` and
    ``exponent_factor`` of a Vickers H_c: the case gives the Python law; without them,
    the published defaults (1.25, 0.95; 1.54, 0.94; 1.62, 0.071)."""
    from fe_interface.model.laws import (
        CMYPlasticConductance,
        ContactPair,
        MikicElasticConductance,
        Surface,
        VickersMicrohardness,
    )

    surf = {"sigma": 2e-6, "k": 200.0, "E": 70e9, "nu": 0.33}
    pair = ContactPair(Surface(**surf), Surface(**surf))
    cmy = {"law": "cmy_plastic", "plus": "a", "pressure": 1e5, "surface_plus": surf, "surface_minus": surf,
           "H_c": {"c1": 6.271e9, "c2": -0.229, "size_factor": 1.43, "exponent_factor": 0.08},
           "coefficient": 1.45, "exponent": 0.985}  # fmt: skip
    law = parse_case(with_(interfaces__interface0=cmy)).interfaces[0].law
    hv = VickersMicrohardness(6.271e9, -0.229, size_factor=1.43, exponent_factor=0.08)
    ref = CMYPlasticConductance(pair, 1e5, hv, coefficient=1.45, exponent=0.985)
    assert (law.coefficient, law.exponent) == (1.45, 0.985)
    assert law.h == pytest.approx(ref.h, rel=1e-14)
    for k in ("coefficient", "exponent"):
        del cmy[k]
    cmy["H_c"] = {"c1": 6.271e9, "c2": -0.229}
    law = parse_case(with_(interfaces__interface0=cmy)).interfaces[0].law
    assert (law.coefficient, law.exponent) == (1.25, 0.95)
    assert (law.H_c.size_factor, law.H_c.exponent_factor) == (1.62, 0.071)
    assert law.h == pytest.approx(
        CMYPlasticConductance(pair, 1e5, VickersMicrohardness(6.271e9, -0.229)).h, rel=1e-14
    )
    mikic = {
        "law": "mikic_elastic",
        "plus": "a",
        "pressure": 1e5,
        "surface_plus": surf,
        "surface_minus": surf,
    }
    base = parse_case(with_(interfaces__interface0=mikic)).interfaces[0].law
    assert (base.coefficient, base.exponent) == (1.54, 0.94)
    assert base.h == pytest.approx(MikicElasticConductance(pair, 1e5).h, rel=1e-14)
    doubled = (
        parse_case(with_(interfaces__interface0=mikic | {"coefficient": 3.08})).interfaces[0].law
    )
    assert doubled.h == pytest.approx(2.0 * base.h, rel=1e-14)


@pytest.mark.parametrize(
    ("changes", "path", "match"),
    [
        ({"outputs__probes__hot": "centre"}, "outputs.probes.hot", "must be a point"),
        ({"outputs__probes__hot": [0.0, float("inf")]}, "outputs.probes.hot", "finite"),
        ({"outputs__probes__hot": {"pt": [0.0, 0.0]}}, "outputs.probes.hot.pt", "unknown key"),
        ({"outputs__junction": 3}, "outputs.junction", "non-empty string"),
        ({"interfaces__interface0__thickness": 0.0}, "interfaces.interface0.thickness", "must be > 0"),
        ({"interfaces__interface0__density": None}, "interfaces.interface0",
         "give both density .* and specific_heat"),
        ({"interfaces__interface0": {"law": "tabulated", "pressure": 1e5,
                                     "table": {"pressure": [1e4, 1e5], "h": [[1.0], [-2.0]]}}},
         "interfaces.interface0.table.h", "must hold 2 values"),
        ({"interfaces__interface0": {"law": "tabulated", "pressure": 1e5,
                                     "table": {"pressure": [1e4, 1e5], "temperature": [300.0],
                                               "h": [[1.0], [-2.0]]}}},
         r"interfaces.interface0.table.h[1][0]", r"must be finite and >= 0 \(W/\(m\^2 K\)\)"),
        ({"interfaces__interface0": {"law": "tabulated", "pressure": 1e5,
                                     "table": {"pressure": [1e5, 1e4], "h": [1.0, 2.0]}}},
         "interfaces.interface0.table.pressure", r"must increase strictly \(Pa\)"),
        ({"interfaces__interface0": {"law": "tabulated", "pressure": 1e5,
                                     "table": {"gap": [0.0, 1.0], "units": {"gap": "inch"}, "h": [1.0, 2.0]}}},
         "interfaces.interface0.table.units.gap", "unknown value 'inch'"),
        ({"interfaces__interface0": {"law": "tabulated", "gap": 1e-5,
                                     "table": {"pressure": [0.0, 1.0], "h": [1.0, 2.0]}}},
         "interfaces.interface0", "the table is against pressure"),
        ({"interfaces__interface0": {"law": "cmy_plastic", "pressure": 1e5, "H_c": {"c1": 6e9, "c2": -0.2,
                                     "size_factor": -1.0}, "surface_plus": {"sigma": 1e-6, "k": 1.0},
                                     "surface_minus": {"sigma": 1e-6, "k": 1.0}}},
         "interfaces.interface0.H_c.size_factor", "must be > 0"),
        ({"interfaces__interface0": {"law": "cmy_plastic", "pressure": 1e5, "H_c": 1e9, "exponent": "1",
                                     "surface_plus": {"sigma": 1e-6, "k": 1.0},
                                     "surface_minus": {"sigma": 1e-6, "k": 1.0}}},
         "interfaces.interface0.exponent", "must be a number"),
    ],
)  # fmt: skip
def test_bad_inputs_are_named(changes, path, match):
    import re

    with pytest.raises(CaseError) as e:
        parse_case(with_(**changes))
    errs = dict(e.value.errors)
    assert path in errs, e.value.errors
    assert re.search(match, errs[path]), errs[path]


@pytest.mark.parametrize(
    ("changes", "path", "match"),
    [
        ({"outputs__junction": "die"}, "outputs.junction", "no region 'die' in the mesh"),
        ({"outputs__probes__hot": [0.5, 0.5]}, "outputs.probes.hot", r"the point \[0.5, 0.5\] m is not in the mesh"),
        ({"outputs__probes__joint": {"point": [0.001, 0.005], "region": "b"}},
         "outputs.probes.joint.point", "not in the mesh in region 'b'"),
        ({"outputs__probes__joint": {"point": [0.01, 0.005], "region": "c"}},
         "outputs.probes.joint.region", "no region 'c'"),
    ],
)  # fmt: skip
def test_outputs_checked_against_the_mesh(changes, path, match):
    import re

    errs = _errors(with_(**changes))
    assert path in errs, errs
    assert re.search(match, errs[path]), errs[path]


def test_thin_tim_package_from_a_case_file(tmp_path_factory):
    """``electronics_package`` with ``thin_tim = true`` and the ``thin_layer`` law on its
    facet group ``tim``: all the die's power crosses the layer, so its mean jump is
    q'' t / k = 100 W / (0.02 m x 10 mm) x 0.1 mm / 4 W/(m K) = 12.5 K (solver
    round-off); the junction is the die's maximum, above the layer's hot side."""
    data = {
        "name": "thin_tim",
        "geometry": {"builder": "electronics_package", "parameters": {
            "die": [10e-3, 0.5e-3], "tim": [10e-3, 1e-4], "spreader": [22e-3, 2e-3],
            "sink_base": [40e-3, 4e-3], "mesh_size": 1e-3, "thin_tim": True}},
        "materials": {"die": {"conductivity": 148.0}, "spreader": {"conductivity": 398.0},
                      "sink": {"conductivity": 167.0}},
        "interfaces": {"tim": {"law": "thin_layer", "plus": "die", "thickness": 1e-4, "conductivity": 4.0}},
        "boundaries": {"sink_bottom": {"type": "convection", "h": 2000.0, "T_inf": 300.0}},
        "sources": {"die": {"power": 100.0, "depth": 0.02}},
        "solver": {"type": "direct"},
        "outputs": {"files": ["summary"], "junction": "die"},
    }  # fmt: skip
    r = run_case(parse_case(data), out=_out(tmp_path_factory, "thin_tim"))
    (s,) = r.interfaces
    assert s.heat_flow_W == pytest.approx(100.0 / 0.02, rel=1e-9)
    assert s.mean_jump_K == pytest.approx(100.0 / 0.02 / 10e-3 * 1e-4 / 4.0, rel=1e-9)
    assert r.derived.junction_K > 300.0 + s.max_jump_K
