"""Derived values: region min/mean/max and probes against exact fields, boundary heat
flows against the energy balance, probe time series, the summary and the CLI table, and
the region/boundary names in the XDMF/VTU files (meshio and ParaView's Threshold)."""

import json

from mpi4py import MPI

import numpy as np
import pytest
from helpers.walls import wall_mesh, wall_problem

import fe_interface as fi
from fe_interface.errors import InputError
from fe_interface.io import paraview
from fe_interface.io.summary import format_table, write_summary
from fe_interface.postprocessing.derived import Derived, ProbeSpec

COMM = MPI.COMM_WORLD


def _exact_field(degree: int):
    """A wall (regions m0: 0 < x < 0.5, m1: 0.5 < x < 1; 0 < y < 1) holding an exact
    polynomial of the element's degree (interpolation is exact)."""
    p = wall_problem(wall_mesh((0.5, 0.5), "triangle", 4), (1.0, 2.0), (3.0,), degree=degree)
    p.initialise()
    f = p.formulation
    if degree == 1:
        f.T.interpolate(lambda x: 300.0 + 40.0 * x[0] + 10.0 * x[1])
    else:
        f.T.interpolate(lambda x: 300.0 + 40.0 * x[0] ** 2 + 10.0 * x[1] ** 2)
    return p


def test_region_statistics_and_probes_of_an_exact_linear_field():
    """T = 300 + 40 x + 10 y: region means 315 K (m0) and 335 K (m1), extremes at the
    corners, probes exact (P1 holds it); a probe on the interface takes the named side."""
    p = _exact_field(1)
    probes = {"a": [0.1, 0.2], "b": ProbeSpec("b", (0.5, 0.3), "m1"), "c": [0.75, 0.9, 0.0]}
    d = Derived(p, probes, junction="m1").compute()
    assert d.junction_K == pytest.approx(350.0, rel=1e-14)
    assert [r.region for r in d.regions] == ["m1", "m0"]  # the junction first
    m1, m0 = d.regions
    assert (m0.min_K, m0.mean_K, m0.max_K) == pytest.approx((300.0, 315.0, 330.0), rel=1e-13)
    assert (m1.min_K, m1.mean_K, m1.max_K) == pytest.approx((320.0, 335.0, 350.0), rel=1e-13)
    assert m0.volume_m3 == pytest.approx(0.5, rel=1e-13)
    T = {q.name: q.temperature_K for q in d.probes}
    assert T == pytest.approx({"a": 306.0, "b": 323.0, "c": 339.0}, rel=1e-13)
    assert [q.region for q in d.probes] == ["m0", "m1", "m1"]
    flat = d.flat()
    assert flat["junction_K"] == d.junction_K and flat["probes.a_K"] == T["a"]
    assert flat["regions.m0.mean_K"] == m0.mean_K


def test_region_mean_of_an_exact_quadratic_field():
    """P2: T = 300 + 40 x² + 10 y²; mean over m0 = 300 + 40/12 + 10/3 K (exact)."""
    p = _exact_field(2)
    d = Derived(p, {"q": [0.3, 0.7]}).compute()
    m0 = next(r for r in d.regions if r.region == "m0")
    assert m0.mean_K == pytest.approx(300.0 + 40.0 / 12.0 + 10.0 / 3.0, rel=1e-13)
    assert m0.max_K == pytest.approx(320.0, rel=1e-14)
    assert d.probes[0].temperature_K == pytest.approx(300.0 + 40 * 0.09 + 10 * 0.49, rel=1e-13)


def test_bad_probes_and_regions_are_named():
    p = _exact_field(1)
    with pytest.raises(
        InputError, match=r"probe 'out': the point \[2.0, 0.5\] m is not in the mesh"
    ):
        Derived(p, {"out": [2.0, 0.5]})
    with pytest.raises(InputError, match=r"in region 'm1'"):
        Derived(p, {"side": ProbeSpec("side", (0.25, 0.5), "m1")})
    with pytest.raises(InputError, match="junction"):
        Derived(p, junction="die")
    with pytest.raises(InputError, match="finite coordinates"):
        Derived(p, {"nan": [float("nan"), 0.5]})
    with pytest.raises(
        InputError, match=r"probe 'x': the point must be 2 or 3 finite coordinates \(m\), got 5"
    ):
        Derived(p, {"x": 5})
    with pytest.raises(InputError, match=r"probes must be a mapping name -> point .*, got str"):
        Derived(p, "centre")
    with pytest.raises(InputError, match=r"unknown material .* 'm2'"):
        Derived(p, regions=["m2"])
    assert list(Derived(p, regions="m1").regions) == ["m1"]  # one region by name


def _mixed_problem():
    """Fixed temperature, heat flux, convection and a source: every kind of inflow."""
    tm = wall_mesh((0.5, 0.5), "triangle", 4)
    return fi.SteadyProblem(
        tm, {"m0": fi.Material("a", 1.0), "m1": fi.Material("b", 2.0)},
        [fi.Interface("i0", fi.Conductance(3.0), plus="m0")],
        [fi.HeatFlux("left", 50.0), fi.Convection("right", 10.0, 300.0)],
        [fi.HeatSource("m0", 200.0)], solver="direct",
    )  # fmt: skip


def test_boundary_heat_flows_sum_to_the_energy_balance():
    """Sources + Σ boundary flows − storage = the balance residual (round-off); the
    convection outflow equals sources + flux in, and its mean T is consistent with it."""
    p = _mixed_problem()
    p.run()
    b = p.energy_balance()
    d = p.derived_values()
    flows = {x.name: x for x in d.boundaries}
    assert set(flows) == {"left", "right"}
    assert flows["left"].heat_flow_W == pytest.approx(50.0, rel=1e-12)  # 50 W/m² over 1 m²
    assert b.sources_W + sum(x.heat_flow_W for x in d.boundaries) == pytest.approx(
        b.residual_W, abs=1e-9
    )
    assert flows["right"].heat_flow_W == pytest.approx(-(50.0 + 200.0 * 0.5), rel=1e-9)
    # convection: Q = h (T_inf − mean T) A
    assert flows["right"].heat_flow_W == pytest.approx(
        10.0 * (300.0 - flows["right"].mean_temperature_K), rel=1e-9
    )


def test_transient_probe_time_series_and_final_balance():
    """A heated wall: probe and junction-region columns per step; the last row equals the
    derived values at the end, and the last step's flows close the balance."""
    tm = wall_mesh((0.01, 0.01), "quadrilateral", 4)
    al = fi.Material("al", 200.0, 2700.0, 900.0)
    p = fi.TransientProblem(
        tm, {"m0": al, "m1": al}, [fi.Interface("i0", fi.Conductance(5e3), plus="m0")],
        [fi.HeatFlux("left", 1e5), fi.FixedTemperature("right", 300.0)],
        initial_temperature=300.0, solver="direct",
        probes={"hot": [0.0, 0.5], "mid": ProbeSpec("mid", (0.01, 0.5), "m1")},
        monitor_regions=["m0"],
    )  # fmt: skip
    res = p.run(0.2, 0.02, progress=False)
    h = res.history
    for col in ("probe_hot_K", "probe_mid_K", "m0_min_K", "m0_mean_K", "m0_max_K"):
        assert col in h and len(h[col]) == 10
    assert np.all(np.diff(h["probe_hot_K"]) > 0)  # heating up
    d = p.derived_values(junction="m0")
    assert h["probe_hot_K"][-1] == pytest.approx(d.probes[0].temperature_K, rel=1e-14)
    assert h["m0_max_K"][-1] == pytest.approx(d.junction_K, rel=1e-14)
    b = p.energy_balance()
    total = b.sources_W + sum(x.heat_flow_W for x in d.boundaries) - b.storage_rate_W
    assert total == pytest.approx(b.residual_W, abs=1e-9 * b.scale_W)


def test_summary_json_and_cli_table(shared_tmp):
    """The JSON starts with the junction; the table says what Q_bulk is and shows both
    sides."""
    p = _mixed_problem()
    p.run()
    d = p.derived_values(probes={"x": [0.25, 0.5]}, junction="m0")
    table, bal = p.interface_table(), p.energy_balance()
    path = write_summary(shared_tmp / "s.json", table, bal, COMM, None, d)
    if COMM.rank == 0:
        doc = json.loads(path.read_text())
        assert next(iter(doc)) == "junction"
        assert doc["junction"] == {"region": "m0", "temperature_K": pytest.approx(d.junction_K)}
        assert doc["probes"][0]["name"] == "x" and doc["boundaries"][0]["condition"] == "HeatFlux"
        assert "heat_flow_bulk_plus_W" in doc["definitions"]
    text = format_table(table, bal, d)
    assert text.splitlines()[0].startswith("junction temperature (max T in 'm0'):")
    assert "Q_bulk+ W" in text and "Q_bulk- W" in text and "Q_bulk = their mean" in text
    s = table[0]
    assert f"{s.heat_flow_bulk_plus_W:.5g}" in text and f"{s.heat_flow_bulk_minus_W:.5g}" in text


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("names")) if COMM.rank == 0 else None
    out = COMM.bcast(path, root=0)
    p = _mixed_problem()
    p.run()
    p.export(out, "wall", vtx=False)
    from pathlib import Path

    return p, Path(out)


@pytest.mark.parametrize("ext", ["vtu", "xdmf"])
def test_names_in_the_files_meshio(exported, ext):
    """One indicator array per region and per boundary group; boundary facets as a
    second cell block sharing the cells' points (same temperatures)."""
    import meshio

    p, out = exported
    ncells = [
        COMM.allreduce(int(np.sum(p.formulation.model.cell_region[: _owned(p)] == t)))
        for t in (1, 2)
    ]
    if COMM.rank != 0:
        return
    m = meshio.read(out / f"wall.{ext}")
    assert [c.type for c in m.cells] == ["triangle", "line"]
    cd = m.cell_data
    assert {"region:m0", "region:m1", "boundary:left", "boundary:right"} <= set(cd)
    assert [int(cd["region:m0"][0].sum()), int(cd["region:m1"][0].sum())] == ncells
    assert int(cd["region:m0"][1].sum()) == 0
    assert int(cd["boundary:left"][1].sum()) == 3 and int(cd["boundary:left"][0].sum()) == 0
    left = m.cells[1].data[cd["boundary:left"][1] == 1]
    np.testing.assert_allclose(m.points[left][..., 0], 0.0, atol=1e-14)  # on x = 0


def _owned(p):
    tdim = p.formulation.mesh.topology.dim
    return p.formulation.mesh.topology.index_map(tdim).size_local


@pytest.mark.skipif(paraview.find_pvpython() is None, reason="needs pvpython")
@pytest.mark.parametrize("ext", ["vtu", "xdmf"])
def test_paraview_thresholds_by_name(exported, ext):
    """ParaView's Threshold on ``region:m1`` returns the m1 cells (x in [0.5, 1]), on
    ``boundary:right`` the right face with its convective temperatures."""
    p, out = exported
    d = p.derived_values()
    right = next(x for x in d.boundaries if x.name == "right")
    m1 = next(r for r in d.regions if r.region == "m1")
    if COMM.rank != 0:
        return
    r = paraview.threshold(out / f"wall.{ext}", "region:m1")
    assert r["cells"] == 24 and r["bounds"][:2] == pytest.approx([0.5, 1.0])
    assert r["temperature_range_K"] == pytest.approx([m1.min_K, m1.max_K], rel=1e-12)
    b = paraview.threshold(out / f"wall.{ext}", "boundary:right")
    assert b["cells"] == 3 and b["bounds"][:2] == pytest.approx([1.0, 1.0])
    lo, hi = b["temperature_range_K"]
    assert lo <= right.mean_temperature_K <= hi


def test_transient_xdmf_series_has_the_names(shared_tmp):
    import meshio

    tm = wall_mesh((0.01, 0.01), "triangle", 2)
    al = fi.Material("al", 200.0, 2700.0, 900.0)
    p = fi.TransientProblem(
        tm, {"m0": al, "m1": al}, [fi.Interface("i0", fi.Conductance(5e3), plus="m0")],
        [fi.HeatFlux("left", 1e5), fi.FixedTemperature("right", 300.0)],
        initial_temperature=300.0, solver="direct",
    )  # fmt: skip
    p.run(0.04, 0.02, progress=False, output=shared_tmp, name="series", vtx=False)
    if COMM.rank == 0:
        with meshio.xdmf.TimeSeriesReader(shared_tmp / "series.xdmf") as r:
            points, cells = r.read_points_cells()
            assert [c.type for c in cells] == ["triangle", "line"]
            _, pd, cd = r.read_data(r.num_steps - 1)
        assert {"region:m0", "boundary:left", "boundary:right"} <= set(cd)
        assert int(cd["boundary:left"][1].sum()) == 3
        assert pd["temperature_K"].shape == (len(points),)
