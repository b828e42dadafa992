"""The ``fe-interface`` command (``fe_interface.cli:main``), in-process under the
test's own MPI size, and as a subprocess under ``mpirun -n 2`` (serial runs only)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.cli import list_demos, main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    if MPI.COMM_WORLD.rank == 0:
        for c in ("run", "check", "demo", "demos", "materials", "info", "render"):
            assert c in out
    else:
        assert out == ""  # only rank 0 prints


def test_usage_error(capsys):
    code, _, _err = run(capsys, "frobnicate")
    assert code == 2


def test_info(capsys):
    code, out, _ = run(capsys, "info", "--json")
    assert code == 0
    if MPI.COMM_WORLD.rank == 0:
        data = json.loads(out)
        assert data["ranks"] == MPI.COMM_WORLD.size
        assert data["dolfinx"].startswith("0.11")
        assert "mumps" in data["petsc_external_packages"]
        assert data["mpi_library"]
        assert data["petsc"].count(".") == 2
    else:
        assert out == ""


def test_materials(capsys):
    code, out, _ = run(capsys, "materials")
    assert code == 0
    if MPI.COMM_WORLD.rank == 0:
        for word in ("copper", "Si", "Bi2Te3", "helium", "Incropera", "OFHC_RRR100", "SS304"):
            assert word in out
    code, out, _ = run(capsys, "materials", "--json")
    if MPI.COMM_WORLD.rank == 0:
        data = json.loads(out)
        assert set(data) == {"bulk", "library", "phonon", "gases", "elastic", "vickers"}
        assert data["gases"]["helium"]["k_g_W_mK_at"]["150K"] == pytest.approx(0.0918756, rel=1e-5)
        assert data["elastic"]["copper"]["E_Pa"] == 115e9
        assert data["phonon"]["Si"]["v_L"] == 8433.0
        # the library's own values: RRR 100 copper peaks far above its 300 K value, and
        # nothing is reported outside a fit's valid range
        cu = data["library"]["OFHC_RRR100"]["conductivity"]
        assert cu["k_W_mK"]["4K"] > 1.5 * cu["k_W_mK"]["300K"] > 500.0
        assert data["library"]["Si"]["conductivity"]["k_W_mK"]["4K"] is None


def test_demos_list(capsys):
    code, out, _ = run(capsys, "demos")
    assert code == 0
    assert "two_blocks" in list_demos()
    if MPI.COMM_WORLD.rank == 0:
        assert "two_blocks" in out and "Two metal blocks" in out


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="starts a Python process itself")
def test_python_dash_m():
    """``python -m fe_interface`` is the same command (used in the Docker image)."""
    r = subprocess.run(
        [sys.executable, "-m", "fe_interface", "demos"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert all(name in r.stdout for name in list_demos())


def test_demo_runs(capsys, shared_tmp):
    code, out, _ = run(capsys, "demo", "two_blocks", "--out", str(shared_tmp / "d"), "--json")
    assert code == 0
    assert (shared_tmp / "d" / "two_blocks.vtu").is_file()
    if MPI.COMM_WORLD.rank == 0:
        result = json.loads(out[out.index("{") :])
        check = result["contact_jump_K"]  # a Check with its fields named
        assert check["passed"] and check["computed"] == pytest.approx(check["expected"], rel=1e-6)
    code, _, err = run(capsys, "demo", "nonexistent")
    assert code == 2
    if MPI.COMM_WORLD.rank == 0:
        assert "unknown demo" in err


def test_run_case(capsys, shared_tmp):
    out_dir = shared_tmp / "run"
    code, out, err = run(capsys, "run", str(CASES / "two_blocks.toml"), "--out", str(out_dir))
    assert code == 0, err
    if MPI.COMM_WORLD.rank == 0:
        assert "interface0" in out and "energy balance" in out
        assert str(out_dir / "two_blocks.xdmf") in out
    else:
        assert out == "" and err == ""
    summary = json.loads((out_dir / "two_blocks_summary.json").read_text())
    assert summary["interfaces"][0]["mean_jump_K"] == pytest.approx(30.0, rel=1e-9)
    assert summary["solve"]["ranks"] == MPI.COMM_WORLD.size
    for f in ("two_blocks.xdmf", "two_blocks.h5", "two_blocks.vtu", "two_blocks_line.png"):
        assert (out_dir / f).is_file(), f
    # written once: no temporary files left behind by other ranks
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".tmp")]


def test_run_transient_case(capsys, shared_tmp):
    """The example transient case: the contact jump grows towards the steady q''R = 30 K
    (200 s is ~7 time constants of the blocks: within 0.1 K), the table is written."""
    import numpy as np

    out_dir = shared_tmp / "tr"
    code, out, err = run(
        capsys, "run", str(CASES / "two_blocks_transient.toml"), "--out", str(out_dir)
    )
    assert code == 0, err
    if MPI.COMM_WORLD.rank == 0:
        assert "time: 200 s" in out and "storage" in out
    data = np.genfromtxt(out_dir / "two_blocks_transient.csv", delimiter=",", names=True)
    jump = data["interface0_mean_jump_K"]
    # grows monotonically once the heat reaches the joint (before: Crank-Nicolson
    # round-off wiggles of 1e-4 K around 0), and ends within 0.1 K of q''R
    grown = jump > 5e-3
    assert np.all(np.abs(jump[~grown]) < 5e-3) and np.all(np.diff(jump[grown]) > 0)
    assert 29.9 < jump[-1] < 30.0
    assert abs(data["balance_residual_J"][-1]) < 1e-8 * data["net_inflow_J"][-1]
    for f in ("two_blocks_transient.xdmf", "two_blocks_transient.h5", "checkpoint/state.npz"):
        assert (out_dir / f).is_file(), f


def test_check_and_errors(capsys, shared_tmp):
    code, out, _ = run(capsys, "check", str(CASES / "nanowire_kapitza.toml"))
    assert code == 0
    if MPI.COMM_WORLD.rank == 0:
        assert "OK" in out and "silicon" in out
    bad = shared_tmp / "bad.toml"
    if MPI.COMM_WORLD.rank == 0:
        text = (CASES / "two_blocks.toml").read_text()
        bad.write_text(text.replace("conductivity = 398.0", "conductivity = -398.0"))
    MPI.COMM_WORLD.barrier()
    code, out, err = run(capsys, "run", str(bad), "--out", str(shared_tmp / "bad"))
    assert code == 2
    assert not (shared_tmp / "bad").exists()  # nothing computed, nothing written
    if MPI.COMM_WORLD.rank == 0:
        assert "materials.copper.conductivity: must be > 0" in err
    else:
        assert err == ""


def _mpirun() -> str | None:
    return shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches mpirun itself")
@pytest.mark.skipif(_mpirun() is None, reason="no mpirun")
def test_mpirun_two_ranks(tmp_path):
    """`mpirun -n 2 python -m fe_interface.cli run`: one output, rank 0 prints once,
    and the same numbers as the serial run."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "fe_interface.cli", "run", str(CASES / "two_blocks.toml")]
    ser = subprocess.run(
        [*cmd, "--out", str(tmp_path / "s")], capture_output=True, text=True, env=env, timeout=600
    )
    assert ser.returncode == 0, ser.stderr
    par = subprocess.run(
        [_mpirun(), "-n", "2", *cmd, "--out", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert par.returncode == 0, par.stderr
    assert par.stdout.count("energy balance relative residual") == 1
    s = json.loads((tmp_path / "s" / "two_blocks_summary.json").read_text())
    p = json.loads((tmp_path / "p" / "two_blocks_summary.json").read_text())
    assert p["solve"]["ranks"] == 2
    for k in ("mean_jump_K", "heat_flow_W"):
        assert p["interfaces"][0][k] == pytest.approx(s["interfaces"][0][k], rel=1e-10)
    info = subprocess.run(
        [_mpirun(), "-n", "2", sys.executable, "-m", "fe_interface.cli", "info", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["ranks"] == 2
