"""A solved problem frees its mesh once the user drops it.

Every DOLFINx mesh and index map holds MPI communicators and MPICH has 2048 per
process: a problem kept alive by a reference cycle that Python cannot collect (petsc4py
keeps SNES callbacks out of the collector's sight) ends a long session -- a sweep, a
test suite -- with "Too many communicators" after a few hundred runs.
"""

import gc
import weakref

from mpi4py import MPI

import numpy as np
import pytest
from dolfinx import mesh as dmesh

import fe_interface as fi


class _LinearInT:
    """h = 10 + 0.01 (T+ + T-) W/(m^2 K): a temperature-dependent law (Newton)."""

    temperature_dependent = True

    def conductance(self, T_plus, T_minus):
        return 10.0 + 0.01 * (T_plus + T_minus)


def _tagged():
    m = dmesh.create_unit_square(MPI.COMM_WORLD, 4, 4)
    tm = fi.tag_mesh(
        m,
        {"a": (1, lambda x: x[0] <= 0.5 + 1e-12), "b": (2, lambda x: x[0] >= 0.5 - 1e-12)},
        {"l": (1, lambda x: np.isclose(x[0], 0.0)), "r": (2, lambda x: np.isclose(x[0], 1.0))},
        {"i": (3, ("a", "b"))},
    )
    return m, tm


def _solve(kind: str, law) -> weakref.ref:
    m, tm = _tagged()
    mats = {"a": fi.Material("x", 1.0, 1.0, 1.0), "b": fi.Material("y", 2.0, 1.0, 1.0)}
    bcs = [fi.FixedTemperature("l", 400.0), fi.FixedTemperature("r", 300.0)]
    if kind == "steady":
        fi.SteadyProblem(tm, mats, [fi.Interface("i", law)], bcs).run()
    else:
        p = fi.TransientProblem(tm, mats, [fi.Interface("i", law)], bcs, initial_temperature=300.0)
        p.run(t_end=0.02, dt=0.01, progress=False)
    return weakref.ref(m)


@pytest.mark.parametrize("kind", ["steady", "transient"])
@pytest.mark.parametrize("law", [fi.Conductance(10.0), _LinearInT()], ids=["constant", "newton"])
def test_mesh_is_freed_after_the_run(kind, law):
    ref = _solve(kind, law)
    gc.collect()
    assert ref() is None, f"{kind} problem with {type(law).__name__} keeps its mesh alive"


def _petsc_objects() -> int:
    from petsc4py import PETSc

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, PETSc.Object))


@pytest.mark.parametrize("kind", ["steady", "transient"])
@pytest.mark.parametrize("law", [fi.Conductance(10.0), _LinearInT()], ids=["constant", "newton"])
def test_no_petsc_object_outlives_the_run(kind, law):
    """Matrices, vectors and solvers die with the problem (DOLFINx 0.11's
    ``cpp.la.petsc.create_matrix`` returned its matrix with a leaked reference: every
    run kept one matrix, and its communicators, forever)."""
    _solve(kind, law)  # compile and cache first: the count is of what a run leaves
    before = _petsc_objects()
    _solve(kind, law)
    assert _petsc_objects() == before


def _free_communicators() -> int:
    """How many more communicators this process can create (MPICH: 2048 in all)."""
    comm = MPI.COMM_SELF
    comm.Set_errhandler(MPI.ERRORS_RETURN)
    made = []
    try:
        while len(made) < 4096:
            made.append(comm.Dup())
    except MPI.Exception:
        pass
    finally:
        for c in made:
            c.Free()
        comm.Set_errhandler(MPI.ERRORS_ARE_FATAL)
    return len(made)


@pytest.mark.parametrize("kind", ["steady", "transient"])
def test_closed_problems_give_their_communicators_back(kind):
    """``close()`` destroys the PETSc objects at once: on 2 ranks petsc4py parks those that
    Python frees until a collective cleanup, and a loop of problems ran out of MPI
    communicators after ~250 runs (each kept ~7)."""

    def runs(n: int) -> None:
        for _ in range(n):
            m, tm = _tagged()
            mats = {"a": fi.Material("x", 1.0, 1.0, 1.0), "b": fi.Material("y", 2.0, 1.0, 1.0)}
            bcs = [fi.FixedTemperature("l", 400.0), fi.FixedTemperature("r", 300.0)]
            law = [fi.Interface("i", fi.Conductance(10.0))]
            if kind == "steady":
                p = fi.SteadyProblem(tm, mats, law, bcs, solver="direct")
                p.run()
            else:
                p = fi.TransientProblem(tm, mats, law, bcs, initial_temperature=300.0)
                p.run(t_end=0.02, dt=0.01, progress=False)
            with p:  # closes it
                pass
            p.close()  # twice: nothing
            del p, m, tm
        gc.collect()

    runs(2)  # compiled and cached first
    before = _free_communicators()
    runs(10)
    assert _free_communicators() >= before - 2  # not ~7 per run
