"""The thermo-mechanical demos: their checks pass, each has a note, the files are
written; serial and ``mpirun -n 2`` agree check by check (to each parallel_rtol)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from mpi4py import MPI

import pytest

from fe_interface.postprocessing.checks import Check, compare_runs, failures, format_checks

DEMOS = Path(__file__).resolve().parents[3] / "demos"
CASES = {
    "demo_bolted_joint": {"n": 4, "solver": "direct"},
    "demo_thermal_expansion_gap": {"n": 2, "solver": "direct"},
}
FILES = {
    "demo_bolted_joint": [
        "bolted_joint.vtu",
        "bolted_joint_mechanics.vtu",
        "bolted_joint_contact.xdmf",
        "bolted_joint_summary.json",
    ],
    "demo_thermal_expansion_gap": [
        "thermal_expansion_gap_mechanics.xdmf",
        "thermal_expansion_gap_summary.json",
    ],
}
_SERIAL: dict[str, dict] = {}


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, DEMOS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", list(CASES))
def test_demo(name, shared_tmp):
    out = shared_tmp / name
    checks = load(name).main(out=str(out), **CASES[name])
    assert checks and all(isinstance(c, Check) for c in checks.values())
    bad = failures(checks)
    assert not bad, "\n".join(bad) + "\n" + format_checks(checks)
    assert all(c.note for c in checks.values())
    for f in FILES[name]:
        assert (out / f).exists(), f
    doc = json.loads((out / FILES[name][-1]).read_text())
    assert doc["thermomechanical"]["contacts"][0]["force_N"] >= 0.0
    if MPI.COMM_WORLD.size == 1:
        _SERIAL[name] = checks


def run_mpi(name: str, nproc: int, tmp: Path) -> dict:
    path = tmp / f"{name}_{nproc}.json"
    code = (
        "import json, importlib.util;"
        f"spec = importlib.util.spec_from_file_location('d', {str(DEMOS / (name + '.py'))!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        f"r = m.main(out=None, **{CASES[name]!r});"
        "from mpi4py import MPI;"
        f"MPI.COMM_WORLD.rank == 0 and json.dump(r, open({str(path)!r}, 'w'))"
    )
    mpirun = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or "mpirun"
    subprocess.run(
        [mpirun, "-n", str(nproc), sys.executable, "-c", code],
        check=True,
        env=dict(os.environ),
        timeout=600,
    )
    return json.loads(path.read_text())


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="launches mpirun itself")
@pytest.mark.parametrize("name", list(CASES))
def test_demo_serial_equals_parallel(name, tmp_path):
    serial = _SERIAL.get(name) or run_mpi(name, 1, tmp_path)
    parallel = run_mpi(name, 2, tmp_path)
    bad = compare_runs(serial, parallel)
    assert not bad, "\n".join(bad)
