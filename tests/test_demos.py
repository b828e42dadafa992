"""Every demo runs small, serially and under ``mpirun -n 2``, and its computed values
match the exact ones; serial and parallel agree to 1e-10 with the direct solver."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import pytest

DEMOS = Path(__file__).resolve().parents[1] / "demos"
CASES = {
    "demo_two_blocks": {"n": 4, "solver": "direct"},
    "demo_rough_homogenization": {"n": 256, "solver": "direct"},
    "demo_transient_stack": {"n": 2, "solver": "direct"},
    "demo_contact_laws": {"n": 2, "solver": "direct"},
    "demo_chip_heatsink": {"n": 5, "solver": "direct"},
    "demo_thermoelectric_multilayer": {"n": 7, "solver": "direct"},
    "demo_transient_contact": {"n": 16, "solver": "direct"},
}
TOL = {"demo_two_blocks": 1e-9, "demo_rough_homogenization": 1e-9}
TOL["demo_transient_stack"] = 1e-4  # early heating rate: first step of 1e-7 s
# log-log slope of the FE vacuum conductances vs CMY's 0.95 (radiation bends it by
# ~1e-4), R_K T^3 at 2 K vs 4 K (Debye corrections); the other values are checked to
# 1e-8 below
TOL["demo_contact_laws"] = 1e-3
# mean jump = q''/h and k_eff = L / (sum L_i/k_i + N R_K) hold to solver precision
TOL["demo_chip_heatsink"] = 1e-8
TOL["demo_thermoelectric_multilayer"] = 1e-8
# interface temperatures, jump and heat crossed vs the semi-infinite Carslaw-Jaeger
# solution (n = 16: mesh and backward-Euler error <= 5e-3); the late equilibrium and
# the heat content are checked to 1e-10 below
TOL["demo_transient_contact"] = 1e-2


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, DEMOS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_mpi(name: str, kwargs: dict, out: Path, nproc: int) -> dict:
    code = (
        "import json, sys, importlib.util;"
        f"spec = importlib.util.spec_from_file_location('d', {str(DEMOS / (name + '.py'))!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        f"r = m.main(out={str(out / 'files')!r}, **{kwargs!r});"
        "from mpi4py import MPI;"
        f"MPI.COMM_WORLD.rank == 0 and json.dump(r, open({str(out / 'r.json')!r}, 'w'))"
    )
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    env = dict(os.environ)
    subprocess.run(
        [mpirun, "-n", str(nproc), sys.executable, "-c", code], check=True, env=env, timeout=600
    )
    return json.loads((out / "r.json").read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_demo_matches_exact(name, shared_tmp):
    r = load(name).main(out=str(shared_tmp / "files"), **CASES[name])
    for key, (computed, expected) in r.items():
        if expected == 0.0:
            assert abs(computed) < 1e-8, key
        else:
            assert computed == pytest.approx(expected, rel=TOL[name]), key
    if name == "demo_two_blocks":  # the ParaView files were written
        assert (shared_tmp / "files" / "two_blocks.xdmf").is_file()
        assert (shared_tmp / "files" / "two_blocks.vtu").is_file()
        summary = (shared_tmp / "files" / "two_blocks_summary.json").read_text()
        assert json.loads(summary)["interfaces"]
    if name == "demo_rough_homogenization":  # the plot (matplotlib is installed here)
        pytest.importorskip("matplotlib")
        assert (shared_tmp / "files" / "rough_homogenization.png").is_file()
    if name == "demo_contact_laws":  # FE vs independent 1D root solves; files written
        for key in ("air_over_vacuum_lowest_P", "alal_jump_K", "alal_heat_flux_W_m2"):
            assert r[key][0] == pytest.approx(r[key][1], rel=1e-8), key
        for key in ("alal_kapitza_share", "sicu_jump_2K_K", "sicu_kapitza_share_4K"):
            assert r[key][0] == pytest.approx(r[key][1], rel=1e-8), key
        assert r["air_over_vacuum_lowest_P"][0] > 1.5  # the air gap's floor
        assert 0.0 < r["alal_kapitza_share"][0] < 1e-4  # contact >> Kapitza
        assert (shared_tmp / "files" / "contact_laws_study.json").is_file()
    if name == "demo_chip_heatsink":  # the article's 30-40 K dry jump, a few K greased
        assert 30.0 < r["dry_mean_jump_K"][0] < 40.0
        assert 1.0 < r["greased_mean_jump_K"][0] < 5.0
        for label in ("dry", "greased"):
            assert (shared_tmp / "files" / f"chip_heatsink_{label}.vtu").is_file()
        pytest.importorskip("matplotlib")
        for plot in ("line_dry", "line_greased", "flux_dry", "h_vs_pressure_dry"):
            assert (shared_tmp / "files" / f"chip_heatsink_{plot}.png").is_file(), plot
    if name == "demo_thermoelectric_multilayer":  # k_eff falls with N; files written
        k = [r[f"k_eff_N{N}_W_mK"][0] for N in (0, 1, 3, 7)]
        assert all(b < a for a, b in zip(k[:-1], k[1:], strict=True))
        assert (shared_tmp / "files" / "thermoelectric_multilayer.vtu").is_file()
        pytest.importorskip("matplotlib")
        for plot in ("keff", "line", "staircase"):
            assert (shared_tmp / "files" / f"thermoelectric_multilayer_{plot}.png").is_file()
    if name == "demo_transient_stack":  # the time series and the table
        assert (shared_tmp / "files" / "transient_stack.xdmf").is_file()
        assert (shared_tmp / "files" / "transient_stack.csv").is_file()
    if name == "demo_transient_contact":  # energy conserved, equilibrium, files written
        for key in ("final_T_plus_K", "final_T_minus_K", "final_heat_content_J"):
            assert r[key][0] == pytest.approx(r[key][1], rel=1e-10), key
        assert r["heat_content_max_relative_drift"][0] < 1e-10
        # the jump closes over time: 70 K, 53 K, 34 K of the initial 100 K
        jumps = [r[f"jump_t{t}s_K"][0] for t in ("0.0625", "0.25", "1")]
        assert 100.0 > jumps[0] > jumps[1] > jumps[2] > 0.0
        for ext in ("xdmf", "h5", "csv"):
            assert (shared_tmp / "files" / f"transient_contact.{ext}").is_file(), ext
        pytest.importorskip("matplotlib")
        assert (shared_tmp / "files" / "transient_contact_interface.png").is_file()


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches mpirun itself")
@pytest.mark.parametrize("name", list(CASES))
def test_demo_serial_equals_parallel(name, tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    serial = run_mpi(name, CASES[name], tmp_path / "s", 1)
    parallel = run_mpi(name, CASES[name], tmp_path / "p", 2)
    for key, (cs, _) in serial.items():
        cp = parallel[key][0]
        assert abs(cp - cs) <= 1e-10 * max(abs(cs), 1.0), key
