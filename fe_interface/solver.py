"""PETSc linear algebra for the interface problem: assembly into one matrix, solve.

The blocked forms (one block per colour space) are assembled into a single MPI AIJ
matrix (``kind="mpi"``) so that algebraic multigrid sees the whole operator.

Stored zeros (structurally zero couplings of the mesh, and zero blocks of interface
integrals for the halo cells, see :mod:`fe_interface.domains`) are removed with
``MatEliminateZeros`` after the first assembly: GAMG builds its graph from the stored
entries and gets both faster and more robust; later assemblies ignore the (zero)
entries that fall outside the reduced pattern.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

from fe_interface.block_matrix import create_block_matrix

__all__ = [
    "SolverError",
    "SolveInfo",
    "default_petsc_options",
    "LinearSystem",
    "NonlinearSystem",
]

#: Options tuned for the interface problem (see benchmarks/README.md): CG + smoothed
#: aggregation AMG. The aggregation threshold is the sensitive one (measured, P1 tets):
#:   * 0 (keep every coupling): a stiff interface (h L/k = 1e6) takes 303 iterations
#:     instead of 41, a weak one (1e-2) 33 instead of 11;
#:   * 0.02: GAMG's set-up explodes on stretched cells (PtAP 18 s instead of 3 s on 5:1
#:     cells, 35 s instead of 14 s on 10:1, where thin layers put them);
#:   * 0.01: 11–12 iterations on the isotropic cube up to 0.94 M dofs (plain Poisson:
#:     the same), 41 for h L/k = 1e6, and the fastest solve of the three everywhere
#:     tested. Very stretched meshes (≥ 10:1) may want ``pc_gamg_threshold: 0``.
ITERATIVE_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg",
    "pc_type": "gamg",
    "pc_gamg_threshold": 0.01,
    "pc_gamg_square_graph": 1,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "ksp_rtol": 1.0e-10,
    "ksp_atol": 1.0e-50,
    "ksp_max_it": 1000,
}
DIRECT_OPTIONS: dict[str, Any] = {
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


def default_petsc_options(solver: str) -> dict[str, Any]:
    """PETSc options for ``solver`` = "iterative" (CG + GAMG) or "direct" (MUMPS LU)."""
    if solver == "iterative":
        return dict(ITERATIVE_OPTIONS)
    if solver == "direct":
        return dict(DIRECT_OPTIONS)
    raise ValueError(f"unknown solver {solver!r}: use 'iterative' or 'direct'")


class SolverError(RuntimeError):
    """The linear or nonlinear solver failed; the message says how."""


class SolveInfo(NamedTuple):
    """What the solve did.

    Attributes:
        iterations: KSP iterations (summed over Newton steps for nonlinear solves).
        residual_norm: final residual norm (KSP, or SNES for nonlinear solves).
        converged_reason: PETSc's converged reason.
        newton_iterations: Newton steps (0 on the linear path).
        residual_history: SNES residual norm per Newton step (W), empty if linear.
    """

    iterations: int
    residual_norm: float
    converged_reason: str
    newton_iterations: int = 0
    residual_history: tuple[float, ...] = ()


@functools.cache
def _petsc_lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(dolfinx.fem.petsc.get_petsc_lib()))
    lib.MatEliminateZeros.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.MatEliminateZeros.restype = ctypes.c_int
    return lib


def eliminate_zeros(A: PETSc.Mat) -> None:
    """Remove stored zeros (keeping the diagonal) and ignore them on reassembly."""
    ierr = _petsc_lib().MatEliminateZeros(ctypes.c_void_p(A.handle), 1)
    if ierr != 0:
        raise SolverError(f"MatEliminateZeros failed with PETSc error code {ierr}")
    A.setOption(PETSc.Mat.Option.NEW_NONZERO_LOCATIONS, False)


_REASONS = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if isinstance(v, int)}
_SNES_REASONS = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}


def set_options(obj: Any, prefix: str, options: Mapping[str, Any]) -> None:
    """Set ``options`` under ``prefix`` on a KSP/SNES, then remove them globally."""
    opts = PETSc.Options()
    obj.setOptionsPrefix(prefix)
    for k, v in options.items():
        opts[prefix + k] = v
    obj.setFromOptions()
    for k in options:
        del opts[prefix + k]


def _check_finite(u: Sequence[fem.Function], comm: MPI.Comm) -> None:
    bad = any(not np.all(np.isfinite(f.x.array)) for f in u)
    if comm.allreduce(bad, op=MPI.LOR):
        raise SolverError("the solution contains NaN or Inf: check material and interface data")


class LinearSystem:
    """Assembled blocked system A x = b with Dirichlet conditions, and its KSP.

    Args:
        a: compiled blocked bilinear forms (a[i][j], None where empty).
        L: compiled blocked linear forms.
        bcs: Dirichlet conditions on the block spaces.
        pattern: forms whose sparsity the matrix gets (default ``a``), when ``extra``
            adds entries that ``a`` does not have.
        extra: adds terms outside the forms: ``extra.add_to_matrix(A, bcs)`` and
            ``extra.lift(b, bcs)`` (e.g. :class:`fe_interface.interface_operator.InterfaceOperator`).
        prefix: PETSc options prefix (unique per problem).
        petsc_options: KSP/PC options set under the prefix.
    """

    def __init__(
        self,
        a: Sequence[Sequence[fem.Form | None]],
        L: Sequence[fem.Form],
        bcs: Sequence[fem.DirichletBC],
        prefix: str,
        petsc_options: Mapping[str, Any],
        pattern: Sequence[Sequence[fem.Form | None]] | None = None,
        extra: Any = None,
    ) -> None:
        self.a, self.L, self.bcs = a, L, list(bcs)
        self.extra = extra
        self.spaces = fem.extract_function_spaces(L)
        self.A = create_block_matrix(a if pattern is None else pattern)
        self.A.setOptionsPrefix(prefix)
        self._zeros_eliminated = False
        self.b = dolfinx.fem.petsc.create_vector(self.spaces, kind="mpi")
        self.x = dolfinx.fem.petsc.create_vector(self.spaces, kind="mpi")
        comm = self.A.getComm().tompi4py()
        self.ksp = PETSc.KSP().create(comm)
        self.ksp.setOperators(self.A)
        set_options(self.ksp, prefix, petsc_options)

    def assemble_matrix(self) -> None:
        """(Re)assemble A with the Dirichlet rows/columns set to identity."""
        self.A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
        if self.extra is not None:
            self.A.assemble(PETSc.Mat.AssemblyType.FLUSH)
            self.extra.add_to_matrix(self.A, self.bcs)
        self.A.assemble()
        if not self._zeros_eliminated:
            eliminate_zeros(self.A)
            self._zeros_eliminated = True

    def assemble_rhs(self) -> None:
        """(Re)assemble b, lifted and with the Dirichlet values set."""
        with self.b.localForm() as bl:
            bl.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        bcs1 = fem.bcs_by_block(fem.extract_function_spaces(self.a, 1), self.bcs)
        dolfinx.fem.petsc.apply_lifting(self.b, self.a, bcs=bcs1)
        if self.extra is not None:
            self.extra.lift(self.b, self.bcs)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, fem.bcs_by_block(self.spaces, self.bcs))

    def solve(self, u: Sequence[fem.Function]) -> SolveInfo:
        """Solve and copy the solution into the block functions ``u``.

        Raises:
            SolverError: KSP diverged, or the solution has NaN/Inf.
        """
        try:
            self.ksp.solve(self.b, self.x)
        except PETSc.Error as e:  # e.g. a zero pivot in a direct solver
            raise SolverError(
                f"PETSc failed while solving the linear system (error code {e.ierr}); the "
                "problem may be singular: does every connected body have a fixed-temperature "
                "or convection boundary?"
            ) from None
        reason = self.ksp.getConvergedReason()
        its = self.ksp.getIterationNumber()
        rnorm = self.ksp.getResidualNorm()
        name = _REASONS.get(reason, str(reason))
        if reason < 0:
            raise SolverError(
                f"linear solver did not converge: {name} after {its} iterations "
                f"(residual norm {rnorm:.3e}); try solver='direct' or other PETSc options"
            )
        self.x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        dolfinx.fem.petsc.assign(self.x, list(u))
        _check_finite(u, self.A.getComm().tompi4py())
        return SolveInfo(its, rnorm, name)

    def destroy(self) -> None:
        for obj in (self.ksp, self.A, self.b, self.x):
            obj.destroy()


#: Newton defaults: full steps with a backtracking line search as safeguard.
NEWTON_OPTIONS: dict[str, Any] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1.0e-10,
    "snes_atol": 1.0e-9,
    "snes_stol": 0.0,
    "snes_max_it": 50,
}


class NonlinearSystem:
    """Newton's method (PETSc SNES) on the blocked residual F(T) = 0 with the exact
    Jacobian J = dF/dT (UFL derivative); the linear solves use the KSP options.

    Args:
        F: compiled blocked residual forms.
        J: compiled blocked Jacobian forms.
        u: block functions (initial guess in, solution out).
        bcs: Dirichlet conditions.
        prefix: PETSc options prefix.
        petsc_options: KSP/PC options and SNES options (``snes_*``), under the prefix.
    """

    def __init__(
        self,
        F: Sequence[fem.Form],
        J: Sequence[Sequence[fem.Form | None]],
        u: Sequence[fem.Function],
        bcs: Sequence[fem.DirichletBC],
        prefix: str,
        petsc_options: Mapping[str, Any],
    ) -> None:
        from dolfinx.fem.petsc import assemble_jacobian, assemble_residual

        self.u = list(u)
        spaces = fem.extract_function_spaces(F)
        self.A = create_block_matrix(J)
        self.b = dolfinx.fem.petsc.create_vector(spaces, kind="mpi")
        self.x = dolfinx.fem.petsc.create_vector(spaces, kind="mpi")
        comm = self.A.getComm().tompi4py()
        self.snes = PETSc.SNES().create(comm)
        jac_ctx = {"u": self.u, "jacobian": J, "preconditioner": None, "bcs": list(bcs)}
        first = [True]

        def jacobian(snes, x, A, P, **kw):
            assemble_jacobian(snes, x, A, P, **kw)
            if first[0]:
                eliminate_zeros(A)
                first[0] = False

        self.snes.setJacobian(jacobian, self.A, None, kargs=jac_ctx)
        f_ctx = {"u": self.u, "residual": F, "jacobian": J, "bcs": list(bcs)}
        if (blocks := self.b.getAttr("_blocks")) is not None:
            f_ctx["_blocks"] = blocks
        self.snes.setFunction(assemble_residual, self.b, kargs=f_ctx)
        self.snes.setConvergenceHistory()
        set_options(self.snes, prefix, NEWTON_OPTIONS | dict(petsc_options))

    def solve(self) -> SolveInfo:
        """Newton from the current ``u``; raises :class:`SolverError` on failure."""
        dolfinx.fem.petsc.assign(self.u, self.x)
        try:
            self.snes.solve(None, self.x)
        except PETSc.Error as e:
            raise SolverError(
                f"PETSc failed inside Newton's method (error code {e.ierr})"
            ) from None
        reason = self.snes.getConvergedReason()
        hist = tuple(float(r) for r in self.snes.getConvergenceHistory()[0])
        its = self.snes.getIterationNumber()
        if reason < 0:
            ksp_reason = _REASONS.get(self.snes.getKSP().getConvergedReason(), "")
            raise SolverError(
                f"Newton did not converge: {_SNES_REASONS.get(reason, reason)} after {its} "
                f"steps (linear solver: {ksp_reason}); residual history {list(hist)}"
            )
        self.x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        dolfinx.fem.petsc.assign(self.x, self.u)
        _check_finite(self.u, self.A.getComm().tompi4py())
        return SolveInfo(
            self.snes.getLinearSolveIterations(),
            float(self.snes.getFunctionNorm()),
            _SNES_REASONS.get(reason, str(reason)),
            its,
            hist,
        )

    def destroy(self) -> None:
        for obj in (self.snes, self.A, self.b, self.x):
            obj.destroy()
