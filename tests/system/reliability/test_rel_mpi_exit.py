"""The command line under ``mpirun -n 2``: every rank takes the same path.

* bad input found by rank 0 alone (it reads the mesh): exit 2 on every rank, one line,
  no ``MPI_Abort``, no hang;
* an unexpected error on one rank while the other waits in a collective call: the
  failing rank reports it and aborts the job after ``FE_INTERFACE_MPI_TIMEOUT``
  seconds instead of hanging forever.
(Started from the serial pass; the in-process tests of ``tests/unit/reliability`` run
under ``mpirun -n 2`` themselves.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from mpi4py import MPI

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "unit" / "reliability"))

from relcases import BASE, spoil, write_toml  # noqa: E402

pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="starts mpirun itself")

MPIRUN = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")

SCRIPT = textwrap.dedent(
    """
    import sys
    from mpi4py import MPI
    import fe_interface.cli as cli

    def stuck(args):
        if MPI.COMM_WORLD.rank == 1:
            raise KeyError("only on rank 1")
        MPI.COMM_WORLD.barrier()  # rank 0 waits here for ever
        return 0

    cli.cmd_info = stuck
    sys.exit(cli.main(sys.argv[1:]))
    """
)


def mpirun(
    *args: str, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    if MPIRUN is None:
        pytest.skip("no mpirun")
    return subprocess.run(
        [MPIRUN, "-n", "2", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | (env or {}),
    )


def test_bad_mesh_under_mpi(tmp_path):
    (tmp_path / "bad.msh").write_text("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\n1 2")
    case = write_toml(tmp_path / "c.toml", spoil(BASE, "geometry", {"mesh": "bad.msh"}))
    r = mpirun(sys.executable, "-m", "fe_interface", "check", str(case))
    assert r.returncode == 2, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("fe-interface")]
    assert len(lines) == 1 and "geometry.mesh" in lines[0] and "bad.msh" in lines[0], r.stderr
    assert "MPI_Abort" not in r.stderr and "Traceback" not in r.stderr


def test_error_on_one_rank_aborts_instead_of_hanging(tmp_path):
    script = tmp_path / "stuck.py"
    script.write_text(SCRIPT)
    t0 = time.monotonic()
    r = mpirun(
        sys.executable, str(script), "info", env={"FE_INTERFACE_MPI_TIMEOUT": "2"}, timeout=90
    )
    assert r.returncode != 0
    assert "error on rank 1" in r.stderr and "only on rank 1" in r.stderr, r.stderr
    assert time.monotonic() - t0 < 80
