"""Sweeps keep their finished rows: a failing run, a killed sweep, and the rerun.

* a run that fails (h = 0 in run 3 of 4: a body without a path to a fixed temperature)
  is named with its parameters in the error; runs 1-2 stay in the table (and their run
  files), which verifies as a result set;
* the rerun takes the finished rows whose case is unchanged, computes the others, and
  its table equals that of an uninterrupted sweep; a changed case, or ``resume = false``,
  recomputes every row;
* a sweep killed (``kill -9``) after 3 of 6 runs keeps those 3 (serial pass: a process
  of its own, killed at a marker), and the rerun computes only the other 3.

This file is also the script the kill test launches: ``python THIS OUT STOP``.
"""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.case import parse_case
from fe_interface.case.checker import CaseError
from fe_interface.case.sweep import run_sweep
from fe_interface.io.files import verify_result_set

COMM = MPI.COMM_WORLD

# fmt: off
CASE = {
    "name": "blocks",
    "geometry": {
        "builder": "layered_stack",
        "parameters": {"thicknesses": [0.02, 0.03], "width": 0.02, "dim": 2,
                       "names": ["cu", "al"], "cell_type": "hex", "mesh_size": 0.005},
    },
    "materials": {"cu": {"conductivity": 398.0}, "al": {"conductivity": 237.0}},
    "interfaces": {"interface0": {"law": "conductance", "plus": "cu", "h": 2.0e4}},
    "boundaries": {"x0": {"type": "heat_flux", "value": 2.0e4},
                   "x1": {"type": "temperature", "value": 300.0}},
    "solver": {"type": "direct"},
    "outputs": {"files": ["summary"], "junction": "cu"},
}
# fmt: on


def swept(values: list[float], run_files: bool = False, **sweep) -> dict:
    data = copy.deepcopy(CASE)
    data["sweep"] = {
        "outputs": ["junction_K", "interfaces.interface0.mean_jump_K"],
        "plot": False,
        "run_files": run_files,
        "parameters": [{"key": "interfaces.interface0.h", "name": "h_W_m2K", "values": values}],
    } | sweep
    return data


def table(out: Path) -> dict:
    """The sweep's JSON (rank 0 reads, every rank gets it)."""
    doc = json.loads((out / "blocks_sweep.json").read_text()) if COMM.rank == 0 else None
    return COMM.bcast(doc, root=0)


def test_failing_run_is_named_and_the_finished_rows_kept(shared_tmp):
    out = shared_tmp / "out"
    with pytest.raises(CaseError) as ei:
        run_sweep(parse_case(swept([1.0e4, 2.0e4, 0.0, 4.0e4], run_files=True)), out=out)
    msg = str(ei.value)
    assert "sweep run 3 of 4 (h_W_m2K = 0)" in msg and "singular" in msg, msg
    assert verify_result_set(out, "blocks") == []
    doc = table(out)
    assert [r["index"] for r in doc["runs"]] == [0, 1] and doc["total"] == 4
    assert not doc["complete"]
    for i in (0, 1):
        assert verify_result_set(out, f"blocks_run{i:03d}") == []
    if COMM.rank == 0:
        assert not (out / "blocks_run002.manifest.json").exists()
        assert not list(out.glob(".tmp_*"))
    # the rerun with run 3 fixed takes runs 1-2 as they are and computes 3-4
    res = run_sweep(parse_case(swept([1.0e4, 2.0e4, 3.0e4, 4.0e4], run_files=True)), out=out)
    assert res.reused == [0, 1] and len(res.values) == 4
    doc2 = table(out)
    assert doc2["complete"] and [r["index"] for r in doc2["runs"]] == [0, 1, 2, 3]
    assert doc2["runs"][:2] == doc["runs"]
    # the exact jump q''/h in every row (2e4 W/m^2 through the interface)
    for p, v in zip(res.points, res.values, strict=True):
        jump = v["interfaces.interface0.mean_jump_K"]
        assert jump == pytest.approx(2.0e4 / p["h_W_m2K"], rel=1e-10)
    for i in range(4):
        assert verify_result_set(out, f"blocks_run{i:03d}") == []


def test_rerun_keeps_unchanged_rows_and_recomputes_changed_ones(shared_tmp):
    out = shared_tmp / "out"
    first = run_sweep(parse_case(swept([1.0e4, 2.0e4])), out=out)
    assert first.reused == []
    again = run_sweep(parse_case(swept([1.0e4, 2.0e4, 5.0e4])), out=out)
    assert again.reused == [0, 1] and again.values[:2] == first.values
    changed = swept([1.0e4, 2.0e4, 5.0e4])
    changed["materials"]["cu"]["conductivity"] = 390.0  # another case: every row again
    res = run_sweep(parse_case(changed), out=out)
    assert res.reused == [] and res.values[0]["junction_K"] != first.values[0]["junction_K"]
    fresh = run_sweep(parse_case(swept([1.0e4, 2.0e4, 5.0e4], resume=False)), out=out)
    assert fresh.reused == []
    assert fresh.values[:2] == first.values  # the same numbers, computed again


# ------------------------------------------------------------------ kill -9
VALUES = [1.0e4, 2.0e4, 3.0e4, 4.0e4, 5.0e4, 6.0e4]


@pytest.mark.skipif(COMM.size > 1, reason="starts a process of its own")
def test_kill_after_three_of_six_runs_keeps_them(tmp_path):
    ref = run_sweep(parse_case(swept(VALUES)), out=tmp_path / "ref")
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, __file__, str(out), "4"], stdout=subprocess.PIPE, text=True
    )
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.startswith("sweep run 4/6"):  # runs 1-3 finished, 4 not started
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL, seen
    assert verify_result_set(out, "blocks") == []
    assert [r["index"] for r in table(out)["runs"]] == [0, 1, 2]
    res = run_sweep(parse_case(swept(VALUES)), out=out)
    assert res.reused == [0, 1, 2]
    assert res.values == ref.values  # the table of the uninterrupted sweep
    assert (out / "blocks_sweep.csv").read_text() == (
        tmp_path / "ref" / "blocks_sweep.csv"
    ).read_text()


if __name__ == "__main__":
    stop = f"sweep run {sys.argv[2]}/"

    def log(line: str) -> None:
        print(line, flush=True)
        while line.startswith(stop):  # until the test kills this process
            time.sleep(60)

    run_sweep(parse_case(swept(VALUES)), out=Path(sys.argv[1]), log=log)
