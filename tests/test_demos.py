"""Every demo runs small, serially and under ``mpirun -n 2``, and passes its own checks.

A demo's ``main()`` returns ``{key: Check}`` (:mod:`fe_interface.postprocessing.checks`):
each check carries its expected value, its tolerance and the tolerance between a
serial and a parallel run (``parallel_rtol``), so this file knows nothing about the
demos' numbers: it asserts every check, that serial and parallel runs agree to each
check's ``parallel_rtol``, and that the demo wrote its files.
"""

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.errors import InputError
from fe_interface.postprocessing.checks import (
    Check,
    checks_as_json,
    compare_runs,
    failures,
    format_checks,
)

DEMOS = Path(__file__).resolve().parents[1] / "demos"
#: the test size of each demo (a few seconds each, serially)
CASES = {
    "demo_two_blocks": {"n": 4, "solver": "direct"},
    "demo_rough_homogenization": {"n": 256, "solver": "direct"},
    "demo_transient_stack": {"n": 2, "solver": "direct"},
    "demo_contact_laws": {"n": 2, "solver": "direct"},
    "demo_cryogenic_bond": {"n": 4, "solver": "direct"},
    "demo_chip_heatsink": {"n": 5, "solver": "direct"},
    "demo_thermoelectric_multilayer": {"n": 7, "solver": "direct"},
    "demo_transient_contact": {"n": 16, "solver": "direct"},
    "demo_astm_rig": {"n": 2, "solver": "direct"},
    "demo_laser_flash": {"n": 2, "solver": "direct", "dt": 1e-2},
    "demo_chip_uncertainty": {"samples": 32, "chaos_runs": 32, "solver": "direct"},
    "demo_rough_contact_routes": {"n": 24, "solver": "direct", "degree": 1},
    "demo_cad_assembly": {"n": 2, "solver": "direct"},
    "demo_nonmatching_pairs": {"n": 4, "solver": "direct"},
}
#: files (or VTX folders) each demo writes into its output folder
FILES = {
    "demo_two_blocks": [
        "two_blocks.xdmf", "two_blocks.h5", "two_blocks.vtu", "two_blocks_summary.json",
        "two_blocks_vtx.bp",
    ],
    "demo_rough_homogenization": [
        "rough_homogenization_P0.04.xdmf", "rough_homogenization_P0.04.vtu",
    ],
    "demo_rough_contact_routes": [
        "h_generated_a.toml", "h_generated_b.toml", "h_generated_c.toml", "h_measured_b.toml",
        "contact_map_generated.vtu", "contact_map_measured.vtu", "psd_generated.csv",
        "resolved_contact_P8e+06.xdmf", "resolved_contact_P8e+06.vtu",
    ],
    "demo_transient_stack": [
        "transient_stack.xdmf", "transient_stack.h5", "transient_stack.csv",
        "transient_stack_vtx.bp",
    ],
    "demo_contact_laws": [
        "contact_laws_alal_1MPa.xdmf", "contact_laws_alal_1MPa.vtu", "contact_laws_study.json",
    ],
    "demo_cryogenic_bond": [
        "cryogenic_bond_4K.xdmf", "cryogenic_bond_4K.vtu", "cryogenic_bond_study.json",
    ],
    "demo_chip_heatsink": [
        "chip_heatsink_dry.vtu", "chip_heatsink_greased.vtu", "chip_heatsink_dry.xdmf",
        "chip_heatsink_study.json",
    ],
    "demo_thermoelectric_multilayer": [
        "thermoelectric_multilayer.vtu", "thermoelectric_multilayer_study.json",
    ],
    "demo_transient_contact": [
        "transient_contact.xdmf", "transient_contact.h5", "transient_contact.csv",
        "transient_contact_vtx.bp",
    ],
    "demo_astm_rig": [
        "astm_rig_bars_fit.json", "astm_rig_bars_fit_residuals.csv",
        "astm_rig_specimen_fit.json", "astm_rig_specimen_fit_residuals.csv",
    ],
    "demo_laser_flash": ["laser_flash_fit.json", "laser_flash_fit_residuals.csv"],
    "demo_chip_uncertainty": [
        "chip_uncertainty_uq.json", "chip_uncertainty_uq_samples.csv", "chip_chaos_uq.json",
    ],
    "demo_cad_assembly": [
        "die_lid_sink.step", "cad_assembly.toml", "cad_assembly.xdmf", "cad_assembly.vtu",
        "cad_assembly_summary.json",
    ],
    "demo_nonmatching_pairs": ["stack.xdmf", "stack.vtu", "stack_summary.json"],
}  # fmt: skip
#: matplotlib figures (checked when matplotlib is installed)
PLOTS = {
    "demo_rough_homogenization": ["rough_homogenization.png"],
    "demo_chip_heatsink": [
        f"chip_heatsink_{p}.png"
        for p in (
            "line_dry",
            "line_greased",
            "flux_dry",
            "h_vs_pressure_dry",
            "h_vs_pressure_greased",
        )
    ],
    "demo_thermoelectric_multilayer": [
        f"thermoelectric_multilayer_{p}.png" for p in ("keff", "line", "staircase")
    ],
    "demo_transient_contact": ["transient_contact_interface.png"],
    "demo_astm_rig": ["astm_rig_bars_fit_residuals.png", "astm_rig_specimen_fit_residuals.png"],
    "demo_laser_flash": ["laser_flash_fit_residuals.png"],
    "demo_chip_uncertainty": [
        "chip_uncertainty_uq_histograms.png",
        "chip_uncertainty_uq_convergence.png",
    ],
}
#: serial results of this process, reused by the serial-vs-parallel test
_SERIAL: dict[str, dict] = {}


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, DEMOS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_mpi(name: str, kwargs: dict, out: Path, nproc: int) -> dict:
    """Run the demo's main() under ``mpirun -n nproc`` without output files (the checks
    do not depend on them; test_demo_checks covers the files); its checks as JSON lists,
    in ``out/r.json``."""
    code = (
        "import json, importlib.util;"
        f"spec = importlib.util.spec_from_file_location('d', {str(DEMOS / (name + '.py'))!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        f"r = m.main(out=None, **{kwargs!r});"
        "from mpi4py import MPI;"
        f"MPI.COMM_WORLD.rank == 0 and json.dump(r, open({str(out / 'r.json')!r}, 'w'))"
    )
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    subprocess.run(
        [mpirun, "-n", str(nproc), sys.executable, "-c", code],
        check=True,
        env=dict(os.environ),
        timeout=600,
    )
    return json.loads((out / "r.json").read_text())


@pytest.mark.skipif(
    MPI.COMM_WORLD.size > 1,
    reason="serial pass only: test_demo_serial_equals_parallel runs every demo on 2 ranks",
)
@pytest.mark.parametrize("name", list(CASES))
def test_demo_checks(name, shared_tmp):
    """The demo's checks pass, each has a reason for its tolerance, the result is
    JSON-serialisable, and the files are written."""
    out = shared_tmp / "files"
    checks = load(name).main(out=str(out), **CASES[name])
    assert checks and all(isinstance(c, Check) for c in checks.values())
    bad = failures(checks)
    assert not bad, f"{name}:\n" + "\n".join(bad) + "\n" + format_checks(checks)
    for key, c in checks.items():
        assert c.note, f"{name}: check {key!r} has no note saying why its tolerance"
    # what `fe-interface demo NAME --json` prints, and the lists a subprocess returns
    assert json.loads(json.dumps(checks_as_json(checks), allow_nan=False)).keys() == checks.keys()
    assert not failures(json.loads(json.dumps(checks)))
    if MPI.COMM_WORLD.size == 1:
        _SERIAL[name] = checks
    for f in FILES[name]:
        assert (out / f).exists(), f
    if name == "demo_two_blocks":
        assert json.loads((out / "two_blocks_summary.json").read_text())["interfaces"]
    if name in PLOTS:
        pytest.importorskip("matplotlib")
        for f in PLOTS[name]:
            assert (out / f).is_file(), f


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches mpirun itself")
@pytest.mark.parametrize("name", list(CASES))
def test_demo_serial_equals_parallel(name, tmp_path):
    """Every check's computed value agrees between 1 and 2 ranks to its parallel_rtol."""
    serial = _SERIAL.get(name)
    if serial is None:  # this test run alone
        (tmp_path / "s").mkdir()
        serial = run_mpi(name, CASES[name], tmp_path / "s", 1)
    (tmp_path / "p").mkdir()
    parallel = run_mpi(name, CASES[name], tmp_path / "p", 2)
    bad = compare_runs(serial, parallel)
    assert not bad, f"{name}:\n" + "\n".join(bad)


# ------------------------------------------------------------------ the Check type
def test_check_kinds_and_failures():
    ok = Check(1.0 + 1e-10, 1.0, 1e-9, note="x")
    assert ok.passed and failures({"a_K": ok}) == []
    bad = Check(1.1, 1.0, 1e-3)
    (line,) = failures({"a_K": bad})
    assert "a_K" in line and "1.1" in line and "relative error 1.000e-01" in line
    assert "rtol 0.001" in line
    assert Check(1e-12, 0.0, atol=1e-10).passed and not Check(1e-9, 0.0, atol=1e-10).passed
    assert Check.at_most(0.5, 1.0).passed and not Check.at_most(1.5, 1.0).passed
    assert Check.at_least(2.0, 1.5).passed and not Check.at_least(1.0, 1.5).passed
    r = Check.within(31.0, 30.0, 40.0)
    assert r.kind == "range" and r.bounds == (30.0, 40.0) and r.passed
    assert not Check.within(41.0, 30.0, 40.0).passed
    assert "in [30, 40]" in failures({"jump_K": Check.within(41.0, 30.0, 40.0)})[0]
    # a NaN result fails, it does not pass silently
    assert not Check(math.nan, 1.0, 1e-3).passed
    assert not Check.at_most(math.nan, 1.0).passed
    text = format_checks({"a_K": ok, "b": bad})
    assert "a_K" in text and "NO" in text


@pytest.mark.parametrize(
    "args",
    [
        (1.0, 1.0, -1e-3),
        (1.0, 1.0, math.inf),
        (1.0, math.nan, 1e-3),
        (1.0, 1.0, 1e-3, 0.0, -1.0),
        ("1.0", 1.0, 1e-3),
        (True, 1.0, 1e-3),
        (1.0, 1.0, 1e-3, 0.0, 1e-10, "", "approximately"),
        (1.0, 1.0, 1e-3, 0.0, 1e-10, "", "max"),
    ],
)
def test_check_rejects_bad_input(args):
    with pytest.raises(InputError):
        Check(*args)
    with pytest.raises(InputError):
        Check.within(1.0, 2.0, 1.0)


def test_compare_runs_uses_each_parallel_rtol():
    s = {
        "rate_K_s": Check(602.78184, 602.79, 1e-4, parallel_rtol=1e-6),
        "T_K": Check(300.0, 300.0, 1e-9),
    }
    p = {"rate_K_s": Check(602.78184 * (1 + 2e-9), 602.79, 1e-4, parallel_rtol=1e-6)}
    p["T_K"] = Check(300.0 * (1 + 1e-9), 300.0, 1e-9)
    (line,) = compare_runs(s, p)
    assert line.startswith("T_K:") and "parallel_rtol 1e-10" in line
    # round-off quantities are not compared (parallel_rtol None); missing keys fail
    s["res"] = Check.at_most(1e-16, 1e-9, parallel_rtol=None)
    p["res"] = Check.at_most(5e-13, 1e-9, parallel_rtol=None)
    assert len(compare_runs(s, p)) == 1
    assert any("only in the serial" in x for x in compare_runs(s | {"x": s["T_K"]}, p))
    # the JSON lists of another process compare the same way
    assert compare_runs(json.loads(json.dumps(s)), json.loads(json.dumps(p))) == compare_runs(s, p)


# ------------------------------------------------------------------ derived values
@pytest.mark.parametrize("cell", ["triangle", "quadrilateral"])
@pytest.mark.parametrize("axisymmetric", [False, True])
def test_derived_values(cell, axisymmetric):
    """Surface and region means, extremes of a known P2 field (exact by quadrature),
    on both sides of a resistive interface; axisymmetric: weighted with r = x."""
    import numpy as np
    from dolfinx import mesh as dmesh

    import fe_interface as fi
    from fe_interface.postprocessing import (
        RegionTemperature,
        SurfaceMean,
        boundary_mean_temperature,
        region_statistics,
    )

    m = dmesh.create_unit_square(
        MPI.COMM_WORLD, 6, 5, getattr(dmesh.CellType, cell),
        ghost_mode=dmesh.GhostMode.shared_facet,
    )  # fmt: skip
    tagged = fi.tag_mesh(
        m,
        cells={"left": (1, lambda x: x[0] < 0.5), "right": (2, lambda x: x[0] > 0.5)},
        boundaries={
            "x0": (1, lambda x: np.isclose(x[0], 0.0)),
            "x1": (2, lambda x: np.isclose(x[0], 1.0)),
        },
        interfaces={"mid": (10, ("left", "right"))},
    )
    p = fi.SteadyProblem(
        tagged,
        {"left": fi.Material("a", 1.0), "right": fi.Material("b", 2.0)},
        interfaces=[fi.Interface("mid", fi.Resistance(1.0), plus="left")],
        boundary_conditions=[fi.FixedTemperature("x0", 300.0), fi.FixedTemperature("x1", 400.0)],
        degree=2,
        axisymmetric=axisymmetric,
    )
    p.run()  # (uses the solver options) then overwrite the field with a known one
    # T = 300 + 100 x + 50 y^2 on the left, + 7 K on the right (a jump at x = 0.5)
    left = p.formulation.region_cells("left")
    right = p.formulation.region_cells("right")
    p.T.interpolate(lambda x: 300 + 100 * x[0] + 50 * x[1] ** 2, cells0=left)
    p.T.interpolate(lambda x: 307 + 100 * x[0] + 50 * x[1] ** 2, cells0=right)
    p.T.x.scatter_forward()
    y2 = 50.0 / 3.0  # mean of 50 y^2 over [0, 1]
    # mean of 100 x over [0, 0.5], weighted with r = x when axisymmetric
    x_left = 100 * (1 / 3 if axisymmetric else 0.25)
    assert boundary_mean_temperature(p, "x1") == pytest.approx(407 + y2, rel=1e-12)
    assert SurfaceMean.interface(p, "mid", "plus")() == pytest.approx(350 + y2, rel=1e-12)
    assert SurfaceMean.interface(p, "mid", "minus")() == pytest.approx(357 + y2, rel=1e-12)
    s = region_statistics(p, "left")
    assert s.mean_K == pytest.approx(300 + x_left + y2, rel=1e-12)
    assert (s.min_K, s.max_K) == pytest.approx((300.0, 400.0), rel=1e-12)
    volume = np.pi * 0.25 if axisymmetric else 0.5  # 2 pi int_0^0.5 r dr
    assert s.volume_m3 == pytest.approx(volume, rel=1e-12)
    r = RegionTemperature(p, "right")
    assert r.min() == pytest.approx(357.0) and r.max() == pytest.approx(457.0)
    # any field on the space, not just the problem's temperature
    T2 = p.T.copy()
    T2.x.array[:] = 1.0
    assert r.mean(T2) == pytest.approx(1.0, rel=1e-12)
    assert SurfaceMean.boundary(p, "x1")(T2) == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(InputError):
        SurfaceMean.boundary(p, "mid")  # an interface is not on the outer boundary
