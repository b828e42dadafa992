"""The parts of Newton's solver around PETSc's SNES (:mod:`~fe_interface.solvers.nonlinear`).

Its callbacks, held weakly (:func:`set_callbacks`, :func:`set_convergence_test`), the
protocol of a change of variables (:class:`ChangeOfVariables`) and the copy of a matrix's
values into a sub-pattern (:class:`SubPattern`, the preconditioner's matrix P).
"""

from __future__ import annotations

import weakref
from typing import Any, Protocol, cast

from petsc4py import PETSc

import numpy as np

from fe_interface.errors import SolverError

__all__ = ["ChangeOfVariables", "SubPattern", "set_callbacks", "set_convergence_test"]


def set_callbacks(
    snes: PETSc.SNES, owner: Any, b: PETSc.Vec, A: PETSc.Mat, P: PETSc.Mat | None = None
) -> None:
    """Give ``snes`` the residual and Jacobian of ``owner`` (its ``_residual``, ``_jacobian``).

    ``P``: the matrix the preconditioner is built from (default: ``A``).  The SNES holds
    the callbacks through a weak reference: petsc4py keeps its callbacks where Python's
    garbage collector cannot see them, so bound methods would make a cycle
    (owner -> SNES -> owner) that is never freed, and with it the mesh and its MPI
    communicators (MPICH has 2048 per process).
    """
    ref = weakref.ref(owner)

    def residual(snes: PETSc.SNES, x: PETSc.Vec, F: PETSc.Vec) -> None:
        cast(Any, ref())._residual(snes, x, F)

    def jacobian(snes: PETSc.SNES, x: PETSc.Vec, J: PETSc.Mat, P: PETSc.Mat) -> None:
        cast(Any, ref())._jacobian(snes, x, J, P)

    snes.setFunction(residual, b)
    snes.setJacobian(jacobian, A, P)


class ChangeOfVariables(Protocol):
    """A start and Newton steps taken in other variables while the first Jacobian serves.

    (:class:`~fe_interface.solvers.kirchhoff.KirchhoffStart`: the Kirchhoff transform of
    k(T) regions.)  ``prepare`` sets the start in the owned dof values ``x`` (Dirichlet
    values imposed, ``free`` False on them); ``step`` rewrites the update ``y``
    (x_new = x − y) or returns False to leave it; ``jacobian_field`` changes the owned
    values of the start into the field the first Jacobian is assembled at; ``active``:
    it changes something.
    """

    @property
    def active(self) -> bool: ...  # noqa: D102

    def prepare(self, x: np.ndarray, free: np.ndarray) -> None: ...  # noqa: D102

    def step(self, x: np.ndarray, y: np.ndarray) -> bool: ...  # noqa: D102

    def jacobian_field(self, x: np.ndarray) -> None: ...  # noqa: D102


def set_convergence_test(snes: PETSc.SNES, owner: Any) -> None:
    """Give ``snes`` the convergence test of ``owner`` (its ``_converged``), weakly held."""
    ref = weakref.ref(owner)

    def converged(snes: PETSc.SNES, it: int, norms: tuple[float, float, float]) -> int:
        return cast(Any, ref())._converged(snes, it, norms)

    snes.setConvergenceTest(converged)

    def precheck(x: PETSc.Vec, y: PETSc.Vec) -> None:
        cast(Any, ref())._precheck(x, y)

    snes.setLineSearchPreCheck(precheck)


class SubPattern:
    """Copies the values of a matrix into one whose sparsity is a subset of its sparsity.

    ``MatCopy`` between different patterns gives the target the source's pattern back;
    here the positions of the target's entries in the source's local CSR arrays are found
    once (both sorted by row, then global column), and a copy is one gather.

    Args:
        A: the source (assembled).
        P: the target (assembled), every stored entry of which ``A`` stores too.
    """

    def __init__(self, A: PETSc.Mat, P: PETSc.Mat) -> None:
        ia, ja, _ = A.getValuesCSR()
        self.indptr, self.cols, _ = P.getValuesCSR()
        n = np.int64(A.getSize()[1])
        ka = np.repeat(np.arange(len(ia) - 1, dtype=np.int64), np.diff(ia)) * n + ja
        rows = np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))
        kp = rows * n + self.cols
        self.pos = np.minimum(np.searchsorted(ka, kp), max(len(ka) - 1, 0))
        if len(kp) and not np.array_equal(ka[self.pos], kp):
            raise SolverError("SubPattern: the target stores entries the source does not")

    def copy(self, A: PETSc.Mat, P: PETSc.Mat) -> None:
        """P ← A on P's entries (local rows; collective)."""
        _, _, vals = A.getValuesCSR()
        P.setValuesCSR(self.indptr, self.cols, vals[self.pos])
        P.assemble()
