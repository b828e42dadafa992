"""Shared fixtures; the suite runs serially and under ``mpirun -n 2``."""

from pathlib import Path

from mpi4py import MPI

import pytest


@pytest.fixture
def shared_tmp(tmp_path_factory) -> Path:
    """A temporary folder that is the same on every MPI rank."""
    comm = MPI.COMM_WORLD
    path = str(tmp_path_factory.mktemp("shared")) if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))
