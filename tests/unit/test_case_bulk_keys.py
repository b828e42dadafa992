"""Case-file keys of the bulk physics: k(T) tables and library fits, anisotropic
conductivity, c_p(T), radiation boundaries, total-power sources; bad values are reported
with their key path and unit."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.cases import DELETE, errors_of, with_key

from fe_interface.case import parse_case
from fe_interface.case.bulk import PowerSource
from fe_interface.model.materials import Anisotropic
from fe_interface.model.properties import Table


def base() -> dict:
    return {
        "geometry": {
            "builder": "layered_stack",
            "parameters": {"thicknesses": [0.01, 0.01], "width": 0.005, "names": ["a", "b"]},
        },
        "materials": {"a": {"conductivity": 100.0}, "b": {"conductivity": 10.0}},
        "boundaries": {"x0": {"type": "temperature", "value": 350.0}},
    }


def with_(path: str, value, data: dict | None = None) -> dict:
    """Copy of ``data`` (default :func:`base`) with ``path`` set (None deletes)."""
    return with_key(data or base(), path, DELETE if value is None else value)


def test_conductivity_table_library_and_specific_heat():
    d = with_(
        "materials.a",
        {
            "conductivity": {"table": [[100.0, 50.0], [300.0, 30.0]]},
            "density": 2000.0,
            "specific_heat": {"table": [[100.0, 400.0], [400.0, 900.0]]},
        },
    )
    d = with_("materials.b", {"conductivity": {"library": "OFHC_RRR100"}}, d)
    case = parse_case(d)
    k = case.materials["a"]["conductivity"]
    assert isinstance(k, Table) and k(200.0) == pytest.approx(40.0, rel=0.05)
    assert case.materials["a"]["specific_heat"](100.0) == pytest.approx(400.0)
    assert case.materials["b"]["conductivity"](4.0) == pytest.approx(642.3, rel=1e-3)


def test_material_library_entry_gives_k_rho_cp():
    case = parse_case(with_("materials.a", {"library": "Al6061_T6"}))
    m = case.materials["a"]
    assert m["density"] == 2700.0 and m["label"] == "Al6061_T6"
    assert m["specific_heat"](300.0) > 800.0
    old = parse_case(with_("materials.a", {"library": "copper"}))  # the 300 K table still works
    assert old.materials["a"]["conductivity"] == pytest.approx(401.0)


def test_anisotropic_keys():
    case = parse_case(with_("materials.a", {"conductivity_tensor": [[3.0, 1.0], [1.0, 2.0]]}))
    assert isinstance(case.materials["a"]["conductivity"], Anisotropic)
    case = parse_case(
        with_("materials.a", {"orthotropic": {"principal": [20.0, 0.5], "angle": 30.0}})
    )
    K = case.materials["a"]["conductivity"].matrix()
    assert np.linalg.eigvalsh(K) == pytest.approx([0.5, 20.0])
    case = parse_case(
        with_(
            "materials.a",
            {"orthotropic": {"in_plane": 20.0, "through_plane": 0.5, "normal": [0.0, 1.0]}},
        )
    )
    assert case.materials["a"]["conductivity"].matrix() == pytest.approx(np.diag([20.0, 0.5]))
    axes = {"principal": [1.0, 2.0, 3.0], "axes": [[1, 0, 0], [0, 0, 1], [0, 1, 0]]}
    case = parse_case(with_("materials.a", {"orthotropic": axes}))
    assert case.materials["a"]["conductivity"].matrix() == pytest.approx(np.diag([1.0, 3.0, 2.0]))


def test_radiation_and_convection_radiation_and_power():
    d = with_("boundaries.x1", {"type": "radiation", "emissivity": 0.8, "T_amb": 77.0})
    d = with_(
        "boundaries.sides", {"type": "convection", "h": 10.0, "T_inf": 300.0, "emissivity": 0.9}, d
    )
    d = with_("sources.a", {"power": 2.5, "depth": 0.01}, d)
    case = parse_case(d)
    kinds = {b.name: (b.kind, b.values) for b in case.boundaries}
    assert kinds["x1"] == ("radiation", {"emissivity": 0.8, "T_amb": 77.0})
    assert kinds["sides"][1]["emissivity"] == 0.9
    assert case.sources["a"] == PowerSource(2.5, 0.01)


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (
            "materials.a.conductivity",
            {"table": [[100.0, 5.0]]},
            "materials.a.conductivity.table: must be an array of at least 2",
        ),
        (
            "materials.a.conductivity",
            {"table": [[300.0, 5.0], [100.0, 4.0]]},
            "materials.a.conductivity.table: temperatures must be > 0 K and strictly increasing",
        ),
        (
            "materials.a.conductivity",
            {"table": [[100.0, 5.0], [300.0, -4.0]]},
            "materials.a.conductivity.table: values must be > 0",
        ),
        (
            "materials.a.conductivity",
            {"table": [[100, "x"], [300.0, 4.0]]},
            "materials.a.conductivity.table: must be an array",
        ),
        (
            "materials.a.conductivity",
            {"library": "OFHC_RRR10"},
            "materials.a.conductivity.library: unknown value 'OFHC_RRR10'; did you mean",
        ),
        (
            "materials.a.conductivity",
            {"library": "SS304", "table": [[1, 2], [3, 4]]},
            "give exactly one of 'table', 'library' and 'casimir'",
        ),
        ("materials.a.conductivity", {"fit": 3}, "materials.a.conductivity.fit: unknown key"),
        (
            "materials.a.specific_heat",
            {"library": "SS304"},
            "materials.a.specific_heat.library: library material 'SS304' has no specific_heat",
        ),
        (
            "materials.a.conductivity_tensor",
            [[1.0, 2.0], [0.0, 1.0]],
            "materials.a: give one of conductivity, conductivity_tensor and orthotropic",
        ),
        (
            "materials.a",
            {"conductivity_tensor": [[1.0, 2.0], [0.0, 1.0]]},
            "materials.a.conductivity_tensor: must be symmetric",
        ),
        (
            "materials.a",
            {"conductivity_tensor": [[1.0, 2.0], [2.0, 1.0]]},
            "materials.a.conductivity_tensor: must be positive definite",
        ),
        (
            "materials.a",
            {"conductivity_tensor": [[1.0, 2.0]]},
            "materials.a.conductivity_tensor: must be a 2x2 or 3x3 array",
        ),
        (
            "materials.a",
            {"orthotropic": {"principal": [1.0, -2.0], "angle": 10.0}},
            "materials.a.orthotropic.principal[1]: must be > 0",
        ),
        (
            "materials.a",
            {"orthotropic": {"principal": [1.0, 2.0], "angle": 10.0, "axes": [[1, 0], [0, 1]]}},
            "materials.a.orthotropic: give 'angle' (2D, degrees) or 'axes'",
        ),
        (
            "materials.a",
            {"orthotropic": {"principal": [1.0, 2.0], "axes": [[1, 0], [1, 1]]}},
            "materials.a.orthotropic: anisotropic conductivity 'materials.a.orthotropic': the axes must be mutually orthogonal",
        ),
        (
            "materials.a",
            {"orthotropic": {"in_plane": 3.0, "through_plane": 1.0}},
            "materials.a.orthotropic.normal: missing required value",
        ),
        ("materials.a", {"orthotropic": 3.0}, "materials.a.orthotropic: must be a table"),
        (
            "boundaries.x1",
            {"type": "radiation", "emissivity": 1.5, "T_amb": 300.0},
            "boundaries.x1.emissivity: must be <= 1, got 1.5",
        ),
        (
            "boundaries.x1",
            {"type": "radiation", "emissivity": 0.5},
            "boundaries.x1.T_amb: missing required value",
        ),
        (
            "boundaries.x1",
            {"type": "radiation", "emissivity": 0.5, "T_amb": -3.0},
            "boundaries.x1.T_amb: must be > 0",
        ),
        (
            "boundaries.x1",
            {"type": "radiation", "emissivity": 0.5, "T_amb": 300.0, "T_inf": 300.0},
            "boundaries.x1.T_inf: goes with h",
        ),
        (
            "boundaries.x1",
            {"type": "convection", "h": 5.0, "T_inf": 300.0, "T_amb": 280.0},
            "boundaries.x1.T_amb: goes with emissivity",
        ),
        (
            "boundaries.x1",
            {"type": "convection", "h": 5.0, "T_inf": 300.0, "emissivity": 0.0},
            "boundaries.x1.emissivity: must be > 0",
        ),
        (
            "sources.a",
            {"power": 1.0, "value": 2.0},
            "sources.a: give exactly one of 'value' (W/m^3) and 'power' (W)",
        ),
        ("sources.a", {"power": "1 W"}, "sources.a.power: must be a number"),
        ("sources.a", {"power": 1.0, "depth": -1.0}, "sources.a.depth: must be > 0"),
        ("sources.a", {"value": 1.0, "depth": 1.0}, "sources.a.depth: goes with 'power'"),
    ],
)
def test_bad_values_named_by_key_path(path, value, expected):
    assert expected in errors_of(with_(path, value))


def test_time_dependent_power_needs_transient():
    d = with_("sources.a", {"power": {"table": [[0.0, 0.0], [1.0, 2.0]]}})
    assert "sources.a.power: a time-dependent value needs analysis.type" in errors_of(d)
