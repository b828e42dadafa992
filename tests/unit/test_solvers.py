"""Solvers (:mod:`fe_interface.solvers`): PETSc options under a problem's own prefix, the
true-residual check after every linear solve, failures reported as SolverError, the
matrix without stored zeros, and the direct and iterative paths agreeing."""

from __future__ import annotations

import math
import warnings

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
import pytest
from helpers.walls import nodal_errors, wall_exact, wall_mesh, wall_problem

from fe_interface.errors import InputError, SolverError
from fe_interface.solvers.linear import (
    TRUE_RESIDUAL_ERROR,
    TRUE_RESIDUAL_WARN,
    LinearSolver,
    check_true_residual,
)
from fe_interface.solvers.options import (
    DIRECT_OPTIONS,
    ITERATIVE_OPTIONS,
    default_petsc_options,
)

COMM = MPI.COMM_WORLD
L, K, H = (0.2, 0.5, 0.3), (1.0, 5.0, 0.5), (10.0, 3.0)


@pytest.fixture(scope="module")
def tm():
    return wall_mesh(L, "tetrahedron", 2)


def test_default_options_are_copies():
    opts = default_petsc_options("iterative")
    assert opts == ITERATIVE_OPTIONS and opts is not ITERATIVE_OPTIONS
    opts["ksp_type"] = "gmres"
    assert ITERATIVE_OPTIONS["ksp_type"] == "cg"
    assert default_petsc_options("direct") == DIRECT_OPTIONS
    with pytest.raises(InputError, match="unknown solver 'magic'"):
        default_petsc_options("magic")


def test_unknown_solver(tm):
    with pytest.raises(ValueError, match="unknown solver"):
        wall_problem(tm, K, H, solver="magic")


@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_solvers_agree_with_exact(tm, solver):
    """MUMPS and CG + GAMG both give the exact wall; the true residual is reported."""
    p = wall_problem(tm, K, H, solver=solver)
    res = p.run()
    assert res.solve.converged_reason.startswith("CONVERGED")
    assert res.solve.true_residual < (1e-12 if solver == "direct" else 1e-9)
    assert res.solve.newton_iterations == 0 and res.solve.residual_history == ()
    _, T = wall_exact(L, K, H, 400.0, 300.0)
    assert nodal_errors(p, T, 3) < (1e-10 if solver == "direct" else 1e-6)


def test_options_live_under_the_problem_prefix(tm):
    """Every problem has its own prefix; its options leave PETSc's database after the
    solve, so two problems in one process do not see each other's options."""
    p = wall_problem(tm, K, H, solver="direct")
    q = wall_problem(tm, K, H, petsc_options={"ksp_rtol": 1e-12})
    assert p.prefix != q.prefix
    p.run()
    q.run()
    db = PETSc.Options().getAll()
    assert not [k for k in db if k.startswith((p.prefix, q.prefix))]
    assert p.solver.ksp.getType() == "preonly" and q.solver.ksp.getType() == "cg"
    assert q.solver.ksp.getTolerances()[0] == 1e-12


def test_misspelt_option_warns(tm):
    p = wall_problem(tm, K, H, petsc_options={"ksp_rtoll": 1e-8})
    with pytest.warns(UserWarning, match=r"not used by the solver: \['ksp_rtoll'\]"):
        p.run()


def test_rejected_option_value(tm):
    p = wall_problem(tm, K, H, petsc_options={"ksp_type": "nonsense"})
    with pytest.raises(InputError, match=r"PETSc rejected the solver option.*ksp_type"):
        p.run()


def test_solver_divergence_is_reported(tm):
    p = wall_problem(tm, K, H, petsc_options={"ksp_max_it": 1, "ksp_rtol": 1e-14})
    with pytest.raises(SolverError, match=r"did not converge.*DIVERGED_MAX_IT"):
        p.run()


@pytest.mark.filterwarnings("ignore:PETSc options not used")  # the GAMG defaults
def test_false_convergence_is_caught(tm):
    """``preonly`` with Jacobi "converges" after one application: the true residual
    ‖b − A T‖/‖b‖ is checked and the wrong field refused."""
    p = wall_problem(tm, K, H, petsc_options={"ksp_type": "preonly", "pc_type": "jacobi"})
    with pytest.raises(SolverError, match="true relative residual"):
        p.run()


def test_true_residual_thresholds():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_true_residual(0.5 * TRUE_RESIDUAL_WARN, "solve")
    with pytest.warns(UserWarning, match="doubtful"):
        check_true_residual(10 * TRUE_RESIDUAL_WARN, "solve")
    for bad in (10 * TRUE_RESIDUAL_ERROR, math.nan, math.inf):
        with pytest.raises(SolverError, match="true relative residual"):
            check_true_residual(bad, "solve")


def test_matrix_has_no_stored_zeros(tm):
    """Stored zeros are removed after the first assembly (they slow GAMG down): every
    off-diagonal entry kept is non-zero; a reassembly keeps the same matrix."""
    p = wall_problem(tm, K, H, solver="direct")
    p.run()
    solver = p.solver
    assert isinstance(solver, LinearSolver)
    A = solver.A
    indptr, cols, vals = A.getValuesCSR()
    r0 = A.getOwnershipRange()[0]
    rows = np.repeat(np.arange(r0, r0 + indptr.size - 1), np.diff(indptr))
    off = rows != cols
    assert np.all(vals[off] != 0.0)
    norm = A.norm(PETSc.NormType.FROBENIUS)
    solver.assemble_matrix()
    assert A.norm(PETSc.NormType.FROBENIUS) == pytest.approx(norm, rel=1e-14)


def test_roundoff_floor_is_eps_norm_of_abs_A_times_abs_T():
    """The floor ε ‖ |A| |T| ‖₂ over the free rows, against a dense product (serial data:
    every rank its own matrix), for a vector P1 stiffness with columns of both signs."""
    import dolfinx.fem.petsc
    import ufl
    from dolfinx import fem, mesh

    from fe_interface.solvers.roundoff import EPS, RoundoffFloor

    m = mesh.create_unit_cube(MPI.COMM_SELF, 3, 2, 2)
    V = fem.functionspace(m, ("Lagrange", 1, (3,)))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = (ufl.inner(ufl.grad(u), ufl.grad(v)) + 3 * ufl.div(u) * ufl.div(v)) * ufl.dx
    A = dolfinx.fem.petsc.assemble_matrix(fem.form(a))
    A.assemble()
    T = fem.Function(V)
    T.interpolate(lambda x: np.stack([300 + x[0], -200 + x[1] ** 2, 5 * x[2]]))
    marker = np.arange(T.x.array.size)
    marker[::7] = -1  # Dirichlet rows: left out
    floor = RoundoffFloor(V.dofmap.index_map, marker, MPI.COMM_SELF, 3)
    dense = np.abs(A.convert("dense").getDenseArray()) @ np.abs(T.x.array)
    expected = EPS * np.linalg.norm(dense[marker >= 0])
    assert floor(A, T.x.array) == pytest.approx(expected, rel=1e-13)
    assert floor(A, T.x.array) == pytest.approx(expected, rel=1e-13)  # the cached pattern
    A.destroy()
