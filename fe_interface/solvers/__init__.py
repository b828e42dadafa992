"""Solvers: PETSc options, linear systems, Newton's method."""

from fe_interface.solvers.linear import LinearSolver, SolveInfo
from fe_interface.solvers.nonlinear import NewtonSolver
from fe_interface.solvers.options import (
    DIRECT_OPTIONS,
    ITERATIVE_OPTIONS,
    NEWTON_OPTIONS,
    default_petsc_options,
)

__all__ = [
    "DIRECT_OPTIONS",
    "ITERATIVE_OPTIONS",
    "NEWTON_OPTIONS",
    "LinearSolver",
    "NewtonSolver",
    "SolveInfo",
    "default_petsc_options",
]
