"""Faults: ``kill -9`` during an export and during a transient run, and two runs into one
output folder at the same time.  These start processes of their own (serial pass only).

* killed before the swap: the previous result set is intact and verifies;
* killed at any step of the swap: every visible file opens into one whole set, the old
  or the new (each ``.xdmf`` with the ``.h5`` of its own arrays, a complete manifest);
  the next run removes what the dead run left;
* killed mid-run: the previous set is intact; the restart from the checkpoint ends with
  the same field and table, bit for bit, as an uninterrupted run;
* a second run into a busy folder is refused at once, without touching the first run's
  temporary folder; the first run completes.
"""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import meshio
import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "unit" / "reliability"))

import relscript  # noqa: E402

from fe_interface.errors import OutputBusyError  # noqa: E402
from fe_interface.io.files import check_result_file, verify_result_set  # noqa: E402

pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="starts processes itself")


def launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HERE / "relscript.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def kill_at(proc: subprocess.Popen, marker: str, timeout: float = 120) -> list[str]:
    """Read the process's lines until one starts with ``marker``, then SIGKILL it."""
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.startswith(marker):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=timeout)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL, seen
    return seen


def read_csv(path: Path) -> np.ndarray:
    rows = list(csv.reader(path.read_text().splitlines()))
    return np.array(rows[1:], dtype=float)


# ------------------------------------------------------------------ export
def xdmf_arrays_match(xdmf: Path) -> list[str]:
    """The DataItems of an ``.xdmf`` whose dimensions differ from their ``.h5`` dataset."""
    import xml.etree.ElementTree as ET

    import h5py

    bad = []
    for item in ET.parse(xdmf).iter("DataItem"):
        if item.get("Format") != "HDF":
            continue
        file, _, dataset = (item.text or "").strip().partition(":")
        dims = tuple(int(d) for d in item.get("Dimensions", "").split())
        with h5py.File(xdmf.parent / file, "r") as h5:
            shape = h5[dataset].shape
        if int(np.prod(dims)) != int(np.prod(shape)):
            bad.append(f"{dataset}: {dims} in the .xdmf, {shape} in the .h5")
    return bad


def test_kill_before_the_swap_keeps_the_previous_set(tmp_path):
    kill_at(launch("export", str(tmp_path), "--stop-at", "commit"), "AT commit")
    assert verify_result_set(tmp_path, "wall") == []
    assert check_result_file(tmp_path / "wall.xdmf") == "wall"
    assert list(tmp_path.glob(".tmp_*"))  # the dead run's temporary folder


@pytest.mark.parametrize(
    "at",
    [
        "switch",  # the new version and its links in place, the old one still current
        "cleanup",  # switched; the old version and its extra links still there
        pytest.param("version", marks=pytest.mark.slow),
        pytest.param("links", marks=pytest.mark.slow),
    ],
)
def test_kill_during_the_swap_shows_one_whole_set(tmp_path, at):
    kill_at(launch("export", str(tmp_path), "--stop-at", at), f"AT {at}")
    assert verify_result_set(tmp_path, "wall") == []
    assert check_result_file(tmp_path / "wall.xdmf") == "wall"
    assert xdmf_arrays_match(tmp_path / "wall.xdmf") == []
    npoints = len(meshio.read(tmp_path / "wall.vtu").points)
    assert npoints == len(meshio.read(tmp_path / "wall.xdmf").points)  # one mesh
    # the next export removes the dead run's leftovers
    tm = relscript.wall_mesh((0.5, 0.5), "triangle", 3)
    p = relscript.wall_problem(tm, (1.0, 2.0), (10.0,), T_left=450.0, solver="direct")
    p.run()
    p.export(tmp_path, "wall", vtx=True)
    assert verify_result_set(tmp_path, "wall") == []
    assert not list(tmp_path.glob(".tmp_*"))
    assert len(list((tmp_path / ".wall.sets").iterdir())) == 1


# ------------------------------------------------------------------ transient
def test_kill_mid_run_and_restart_bit_identical(tmp_path):
    ref, kill = tmp_path / "ref", tmp_path / "kill"
    ref.mkdir()
    kill.mkdir()
    relscript.transient(ref, relscript.T_END, False, 0.0)
    # a previous, complete set in the kill folder (a shorter run)
    relscript.transient(kill, 0.05, False, 0.0)
    old = read_csv(kill / "files" / "stack.csv")
    assert verify_result_set(kill / "files", "stack") == []
    # the long run is killed at step 17 (checkpoints every 5 steps): the old set stays
    kill_at(launch("transient", str(kill), "--sleep", "0.05"), "STEP 17")
    assert verify_result_set(kill / "files", "stack") == []
    np.testing.assert_array_equal(read_csv(kill / "files" / "stack.csv"), old)
    # restart: the same field and table as the uninterrupted run, bit for bit
    proc = launch("transient", str(kill), "--restart")
    proc.communicate(timeout=180)
    assert proc.returncode == 0
    a, b = np.load(ref / "final.npy"), np.load(kill / "final.npy")
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        read_csv(ref / "files" / "stack.csv"), read_csv(kill / "files" / "stack.csv")
    )
    assert verify_result_set(kill / "files", "stack") == []
    assert not list((kill / "files").glob(".tmp_*"))


def test_concurrent_runs_into_one_folder(tmp_path):
    first = launch("transient", str(tmp_path), "--sleep", "0.1")
    try:
        for line in first.stdout:
            if line.startswith("STEP 3"):
                break
        live = list((tmp_path / "files").glob(".tmp_stack_*"))
        assert live, "the first run writes into a temporary folder"
        with pytest.raises(OutputBusyError, match=r"in use by another run \(pid \d+"):
            relscript.transient(tmp_path, 0.05, False, 0.0)
        tm = relscript.wall_mesh((0.5, 0.5), "triangle", 2)
        p = relscript.wall_problem(tm, (1.0, 2.0), (10.0,), solver="direct")
        p.run()
        with pytest.raises(OutputBusyError):
            p.export(tmp_path / "files", "other")
        assert all(d.is_dir() for d in live)  # the refused runs did not clean it up
        out, _ = first.communicate(timeout=180)
        assert first.returncode == 0 and "DONE" in out
    finally:
        first.kill()
    assert verify_result_set(tmp_path / "files", "stack") == []
    assert not list((tmp_path / "files").glob(".tmp_*"))
