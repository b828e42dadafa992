"""Shared fixtures and the test layout; the suite runs serially (run.sh: two pytest-xdist
workers, one file each at a time) and under ``mpirun -n 2`` (tests/run_parallel.sh).

* ``tests/unit`` — one concept per file (model checks, laws, geometry, the broken space,
  facet quadrature, the interface coupling, solvers, output);
* ``tests/system`` — whole problems against exact or published values;
* ``tests/helpers`` — shared builders and exact solutions (``from helpers.walls import
  ...``; this file's folder is put on ``sys.path`` by pytest's default import mode).

Tests marked ``slow`` (long convergence studies) run once, serially: under MPI they are
skipped, because each of them already compares with ``COMM_SELF`` solves where it
matters, and ``tests/system/test_convergence.py`` keeps one parallel check of that kind.
"""

import sys
from pathlib import Path

from mpi4py import MPI

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:  # helpers importable from scripts the tests launch, too
    sys.path.insert(0, str(TESTS))


def pytest_collection_modifyitems(config, items):
    """Skip ``slow`` tests under MPI (they run once, in the serial pass)."""
    if MPI.COMM_WORLD.size == 1:
        return
    skip = pytest.mark.skip(reason="slow: runs once, in the serial pass")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def shared_tmp(tmp_path_factory) -> Path:
    """A temporary folder that is the same on every MPI rank."""
    comm = MPI.COMM_WORLD
    path = str(tmp_path_factory.mktemp("shared")) if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))


@pytest.fixture(scope="module", autouse=True)
def _collect_cycles():
    """Free each module's meshes and spaces before the next module starts.

    Every DOLFINx mesh and index map holds MPI communicators, and MPICH has 2048 per
    process: a long session (this suite: ~1100 tests in one process) must not wait for
    Python's rare full collections to release the reference cycles that hold them.
    What survives the collection (imported modules, caches, the tests' module globals)
    is frozen out of later collections: a full collection of the whole heap took ~0.2 s
    per module, ~6 s of the unit tests' 65 s.
    """
    yield
    import gc

    gc.collect()
    gc.freeze()
