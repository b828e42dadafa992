"""What ``import fe_interface`` sets up."""

import subprocess
import sys

from mpi4py import MPI

import pytest


@pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="starts a process of its own")
def test_import_first_loads_mpi_and_waits_for_shared_jit_compiles():
    """``import fe_interface`` works as a script's first line (it loads MPI before PETSc)
    and gives processes that share a cold JIT cache 120 s, not DOLFINx's 10 s, to wait for
    each other's compilation."""
    code = (
        "import fe_interface, sys, dolfinx.jit;"
        "assert 'mpi4py.MPI' in sys.modules;"
        "print(dolfinx.jit.get_options()['timeout'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert int(out.stdout.strip().splitlines()[-1]) >= 120
