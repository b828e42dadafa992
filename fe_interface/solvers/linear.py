"""Linear systems A T = b on the broken space: assembly, solve, checks.

The matrix has the sparsity of the bilinear form plus the couplings of the facet-wise
interface terms; stored zeros are removed after the first assembly
(``MatEliminateZeros``: on ``create_box``-like meshes the P1 stiffness stores a third of
its entries as exact zeros, which slows GAMG down 2–3×).

An iterative solve is for the change ΔT from a reference field T₀ (the current field:
the initial guess of a steady solve, the previous step of a transient one):
A ΔT = r₀ = b − A T₀, T = T₀ + ΔT.  The solver's relative tolerance then applies to the
heat rates that drive the change, not to the absolute temperature: solving for T itself,
``ksp_rtol`` is relative to ‖b‖, which the Dirichlet values (hundreds of kelvin times
the conductances) dominate, and a 10 µm nanowire at 10⁴ K with a 0.7 mK rise came back
2.3 % off from CG with every check passed.  A direct solve has no tolerance to scale and
solves A T = b (r₀ = b): forming A T₀ would add round-off of ε h T₀ on a stiff interface
(measured: 9e-6 instead of < 1e-6 against perfect contact at h ℓ/k = 4e8).  After every solve the *true* residual ‖r₀ − A ΔT‖/‖r₀‖ is
computed (one matrix-vector product) and checked, so a "converged" solve that is not
(``preonly`` with a weak preconditioner, a loose tolerance) does not return a wrong field
silently.
"""

from __future__ import annotations

import ctypes
import functools
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, cast

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.cpp as _cpp
import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

from fe_interface.discretisation.external import ExternalTerm, FacetTerms
from fe_interface.errors import SolverError
from fe_interface.solvers.options import PetscOptions
from fe_interface.solvers.roundoff import RoundoffFloor

__all__ = [
    "MAX_REFINEMENTS",
    "REFINE_FACTOR",
    "TRUE_RESIDUAL_ERROR",
    "TRUE_RESIDUAL_WARN",
    "LinearSolver",
    "SolveInfo",
    "check_finite",
    "create_matrix",
    "eliminate_zeros",
    "matrix_from_pattern",
    "sparsity_pattern",
]

#: true relative residual ‖b − A T‖/‖b‖ above which a solve warns / fails
TRUE_RESIDUAL_WARN = 1.0e-6
TRUE_RESIDUAL_ERROR = 1.0e-3
#: a solve is refined while its true relative residual exceeds this multiple of ksp_rtol
REFINE_FACTOR = 100.0
#: ... at most this many times
MAX_REFINEMENTS = 3

_REASONS = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if isinstance(v, int)}


class SolveInfo(NamedTuple):
    """What a solve did.

    Attributes:
        iterations: linear iterations (summed over Newton steps for nonlinear solves).
        residual_norm: final residual norm the solver reported (KSP, or SNES: W).
        converged_reason: PETSc's converged reason.
        newton_iterations: Newton steps (0 on the linear path).
        residual_history: SNES residual norm per Newton step (W); empty if linear.
        true_residual: ‖r₀ − A ΔT‖/‖r₀‖ of the (last) linear system, dimensionless (r₀ the
            residual of the reference field, see :meth:`LinearSolver.solve`).
        roundoff_W: the round-off floor ε ‖ |A| |T| ‖₂ of the residual at the solution, W
            (:mod:`~fe_interface.solvers.roundoff`).
    """

    iterations: int
    residual_norm: float
    converged_reason: str
    newton_iterations: int = 0
    residual_history: tuple[float, ...] = ()
    true_residual: float = 0.0
    roundoff_W: float = 0.0


@functools.cache
def _petsc_lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(dolfinx.fem.petsc.get_petsc_lib()))
    lib.MatEliminateZeros.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.MatEliminateZeros.restype = ctypes.c_int
    return lib


def eliminate_zeros(A: PETSc.Mat) -> None:
    """Remove stored zeros (keeping the diagonal).

    Later assemblies ignore the (zero) entries that fall outside the reduced pattern.
    """
    ierr = _petsc_lib().MatEliminateZeros(ctypes.c_void_p(A.handle), 1)
    if ierr != 0:
        raise SolverError(f"MatEliminateZeros failed with PETSc error code {ierr}")
    A.setOption(PETSc.Mat.Option.NEW_NONZERO_LOCATIONS, False)  # type: ignore[arg-type]  # stubs: the members are ints


def matrix_from_pattern(comm: MPI.Comm, pattern: Any) -> PETSc.Mat:
    """An MPI AIJ matrix of a finalised DOLFINx ``SparsityPattern``.

    DOLFINx 0.11's ``cpp.la.petsc.create_matrix`` returns its petsc4py object with one
    Python reference too many: the object, its matrix and the MPI communicators under it
    were never freed (a long MPI session ran out of MPICH's 2048 communicators).  The
    extra reference is dropped here, and only if it is there (a fixed DOLFINx returns
    the object with none).
    """
    A = _cpp.la.petsc.create_matrix(comm, pattern)
    if sys.getrefcount(A) == 3:  # the name A, the argument, and the leaked one
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(A))
    return A


def sparsity_pattern(
    a: fem.Form, coupling: FacetTerms | None, terms: Sequence[ExternalTerm] = ()
) -> Any:
    """The finalised sparsity pattern of ``a``, the facet-wise couplings and ``terms``."""
    pattern = _cpp.fem.create_sparsity_pattern(a._cpp_object)
    for t in [coupling, *terms]:
        if t is not None:
            t.insert_sparsity(pattern)
    pattern.finalize()
    return pattern


def create_matrix(
    a: fem.Form, coupling: FacetTerms | None, terms: Sequence[ExternalTerm] = ()
) -> PETSc.Mat:
    """An MPI AIJ matrix with the sparsity of ``a``, the facet-wise couplings and ``terms``."""
    return matrix_from_pattern(a.mesh.comm, sparsity_pattern(a, coupling, terms))


def check_finite(u: fem.Function) -> None:
    """Raise :class:`SolverError` if the solution holds NaN or Inf (collective)."""
    bad = not np.all(np.isfinite(u.x.array))
    if u.function_space.mesh.comm.allreduce(bad, op=MPI.LOR):
        raise SolverError("the solution contains NaN or Inf: check material and interface data")


def residual_of(A: PETSc.Mat, x: PETSc.Vec, b: PETSc.Vec) -> tuple[float, PETSc.Vec]:
    """(‖b − A x‖₂ / ‖b‖₂, the residual b − A x); 0 when b = 0 and x solves it."""
    r = b.duplicate()
    A.mult(x, r)
    r.aypx(-1.0, b)
    nb, nr = cast(float, b.norm()), cast(float, r.norm())  # the 2-norm: a float
    return (nr / nb if nb > 0 else nr), r


def true_residual(A: PETSc.Mat, x: PETSc.Vec, b: PETSc.Vec) -> float:
    """‖b − A x‖₂ / ‖b‖₂ (0 when b = 0 and x solves it)."""
    rel, r = residual_of(A, x, b)
    r.destroy()
    return rel


def solve_error(ierr: int, options: Mapping[str, Any]) -> Exception:
    """The error of a PETSc failure inside a solve, by PETSc's error code."""
    if ierr == 92:  # PETSC_ERR_MISSING_FACTOR
        from fe_interface.errors import InputError

        v = options.get("pc_factor_mat_solver_type", "the default")
        return InputError(
            f"PETSc has no solver package {v!r} for this factorisation "
            "(pc_factor_mat_solver_type; 'fe-interface info' lists the installed packages)"
        )
    if ierr == 72:  # PETSC_ERR_FP
        return SolverError(
            "PETSc met a floating-point exception while solving (NaN or Inf in the system): "
            "check the material, interface and boundary data"
        )
    if ierr == 55:  # PETSC_ERR_MEM
        return SolverError(
            "PETSc ran out of memory while solving: a smaller mesh or more processes"
        )
    return SolverError(
        f"PETSc failed while solving the linear system (error code {ierr}); the "
        "problem may be singular: does every connected body have a fixed-temperature "
        "or convection boundary?"
    )


def check_true_residual(rel: float, what: str, direct: bool = False) -> None:
    """Warn above :data:`TRUE_RESIDUAL_WARN`, fail above :data:`TRUE_RESIDUAL_ERROR`.

    ``direct``: the solve was a factorisation, whose inaccuracy is the matrix's
    conditioning, not a tolerance.
    """
    cure = (
        "the matrix is too ill-conditioned for a direct solve (a huge conductivity or "
        "conductance contrast?)"
        if direct
        else "use a preconditioner that converges (default CG+GAMG) or solver='direct', "
        "and keep ksp_rtol small"
    )
    if not np.isfinite(rel) or rel > TRUE_RESIDUAL_ERROR:
        raise SolverError(
            f"{what}: the solver reported convergence but the true relative residual "
            f"|r0 - A dT|/|r0| is {rel:.3e} (> {TRUE_RESIDUAL_ERROR:g}): the field would be "
            f"wrong; {cure}"
        )
    if rel > TRUE_RESIDUAL_WARN:
        warnings.warn(
            f"{what}: true relative residual {rel:.3e} > {TRUE_RESIDUAL_WARN:g}: the result "
            f"is doubtful ({'ill-conditioned matrix' if direct else 'tighten ksp_rtol or use solver=' + repr('direct')})",
            stacklevel=3,
        )


class LinearSolver:
    """A T = b with Dirichlet conditions and facet-wise interface terms, and its KSP.

    Args:
        a: compiled bilinear form.
        L: compiled linear form.
        bcs: Dirichlet conditions.
        coupling: facet-wise interface terms (added to A with ``coupling_scale``), or None.
        bc_marker: local dof -> local index, −1 on Dirichlet dofs.
        prefix: PETSc options prefix (unique per problem).
        petsc_options: KSP/PC options set under the prefix.
        coupling_scale: factor of the coupling in A (θ in a time step).
    """

    def __init__(
        self,
        a: fem.Form,
        L: fem.Form,
        bcs: Sequence[fem.DirichletBC],
        coupling: FacetTerms | None,
        bc_marker: np.ndarray,
        prefix: str,
        petsc_options: Mapping[str, Any],
        coupling_scale: float = 1.0,
    ) -> None:
        self._args = (a, L, list(bcs), coupling, bc_marker, prefix, dict(petsc_options))
        self.a, self.L, self.bcs = a, L, list(bcs)
        self.coupling = coupling
        self.marker = bc_marker
        self.coupling_scale = coupling_scale
        self.A = create_matrix(a, coupling)
        self.A.setOptionsPrefix(prefix)
        self._zeros_eliminated = False
        V = L.function_spaces[0]
        self.b = dolfinx.fem.petsc.create_vector(V)
        self.x = dolfinx.fem.petsc.create_vector(V)
        self.roundoff = RoundoffFloor(
            V.dofmap.index_map, bc_marker, V.mesh.comm, V.dofmap.index_map_bs
        )
        self.ksp = PETSc.KSP().create(self.A.getComm())
        self.ksp.setOperators(self.A)
        self.options = PetscOptions(self.ksp, prefix, petsc_options)
        self._g: np.ndarray | None = None

    def assemble_matrix(self) -> None:
        """(Re)assemble A; Dirichlet rows and columns are the identity."""
        self.A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
        if self.coupling is not None:
            self.A.assemble(PETSc.Mat.AssemblyType.FLUSH)
            self.coupling.add_to_matrix(self.A, self.marker, self.coupling_scale)
        self.A.assemble()
        if not self._zeros_eliminated:
            eliminate_zeros(self.A)
            self._zeros_eliminated = True

    def _lift_coupling(self, b_local: np.ndarray) -> None:
        """B −= scale · K g on the free rows (g: Dirichlet values, 0 elsewhere)."""
        if self.coupling is None or not self.bcs:
            return
        g = np.zeros(b_local.shape)
        for bc in self.bcs:
            bc.set(g)
        y = self.coupling.apply(g)
        y[self.marker < 0] = 0.0
        b_local -= self.coupling_scale * y

    def assemble_rhs(self, add: Callable[[np.ndarray], None] | None = None) -> None:
        """(Re)assemble b, lifted, with the Dirichlet values set.

        Args:
            add: called with b's local array (owned and ghosts) before the ghost
                contributions are summed, to add terms outside the forms.
        """
        with self.b.localForm() as bl:
            bl.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        with self.b.localForm() as bl:
            self._lift_coupling(bl.array_w)
            if add is not None:
                add(bl.array_w)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)

    def _ksp_solve(self, rhs: PETSc.Vec, out: PETSc.Vec) -> tuple[int, float, str]:
        """One KSP solve: (iterations, residual norm, reason).

        Raises:
            SolverError: KSP diverged or PETSc failed.
        """
        try:
            self.ksp.solve(rhs, out)
        except PETSc.Error as e:  # e.g. a zero pivot in a direct solver
            raise solve_error(getattr(e, "ierr", 0), self.options.options) from None
        finally:
            self.options.release()
        reason = cast(int, self.ksp.getConvergedReason())  # an int (the stubs: a class)
        its = self.ksp.getIterationNumber()
        rnorm = self.ksp.getResidualNorm()
        name = _REASONS.get(reason, str(reason))
        if reason < 0:
            raise SolverError(
                f"linear solver did not converge: {name} after {its} iterations "
                f"(residual norm {rnorm:.3e}); try solver='direct' or other PETSc options"
            )
        return its, rnorm, name

    def _refined(self, r0: PETSc.Vec, its: int) -> tuple[float, int]:
        """Iterative refinement of ΔT (in ``x``) until its true residual meets the tolerance.

        A preconditioned CG stops on its preconditioned residual, which on a stiff
        interface (h ℓ/k ≳ 1e6) can be 100× below the true one: the heat flow came back
        5e-6 off.  While ‖r₀ − A ΔT‖/‖r₀‖ > :data:`REFINE_FACTOR` × ``ksp_rtol`` the
        residual is solved for again (the preconditioner is reused, the tolerance only what
        is missing) and the correction added, at most :data:`MAX_REFINEMENTS` times.
        Returns (true relative residual, total iterations).
        """
        rtol, atol, divtol, max_it = self.ksp.getTolerances()
        target = REFINE_FACTOR * float(rtol)
        rel, res = residual_of(self.A, self.x, r0)
        acc: PETSc.Vec | None = None
        n = 0
        try:
            while rel > target and n < MAX_REFINEMENTS and np.isfinite(rel):
                # reduce the residual by what is missing, with a factor 10 to spare
                self.ksp.setTolerances(rtol=max(float(rtol), 0.1 * target / rel))
                acc = self.x.duplicate() if acc is None else acc
                self.x.copy(acc)  # ΔT so far
                res.copy(self.b)  # the KSP solves with its own vectors only (see solve)
                more, _, _ = self._ksp_solve(self.b, self.x)
                self.x.axpy(1.0, acc)
                its += more
                n += 1
                res.destroy()
                rel, res = residual_of(self.A, self.x, r0)
        finally:
            res.destroy()
            if acc is not None:
                acc.destroy()
            self.ksp.setTolerances(rtol, atol, divtol, max_it)
        return rel, its

    def solve(self, u: fem.Function) -> SolveInfo:
        """Solve into ``u`` (ghosts updated) and check the result.

        For an iterative solver the current ``u`` is the reference T₀: the solve is for the
        change A ΔT = b − A T₀ (see the module docstring), refined until its true residual
        meets the tolerance; a direct solver (no tolerance) solves A T = b.  The Dirichlet
        values are imposed exactly afterwards.  ``b`` is overwritten (the next solve
        assembles it again).

        Raises:
            SolverError: KSP diverged, the true residual is too large, or NaN/Inf.
        """
        opts = self.options.options
        direct = opts.get("ksp_type") == "preonly" and opts.get("pc_type") in ("lu", "cholesky")
        # the KSP only ever sees b and x: a KSP keeps the last vectors it solved with, and
        # work vectors given to it outlived close() on 2 ranks (one MPI communicator each)
        ref, r0 = self.x.duplicate(), self.b.duplicate()
        try:
            if direct:  # no tolerance to scale; A T₀ would add ε h T₀ on stiff interfaces
                ref.set(0.0)
            else:
                ref.array_w[:] = u.x.petsc_vec.array_r
            self.A.mult(ref, r0)
            r0.aypx(-1.0, self.b)  # r₀ = b − A T₀
            r0.copy(self.b)
            its, rnorm, name = self._ksp_solve(self.b, self.x)  # x = ΔT
            rel, its = (
                (true_residual(self.A, self.x, r0), its) if direct else self._refined(r0, its)
            )
            check_true_residual(rel, "linear solve", direct)
            self.x.axpy(1.0, ref)  # T = T₀ + ΔT
        finally:
            ref.destroy()
            r0.destroy()
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        u.x.petsc_vec.array_w[:] = self.x.array_r
        u.x.scatter_forward()
        check_finite(u)
        floor = self.roundoff(self.A, u.x.array)
        return SolveInfo(its, rnorm, name, true_residual=rel, roundoff_W=floor)

    def renewed(self) -> LinearSolver:
        """A new solver on the same forms and options; this one is destroyed (collective).

        A matrix changed in place keeps what PETSc can reuse (a direct solver's symbolic
        factorisation and its pivoting, GAMG's interpolation): fast, but the solution then
        depends on the earlier matrices (at round-off, or within the solver tolerance).  A
        new solver's solution is that of a problem built for the current values.
        """
        new = LinearSolver(*self._args, coupling_scale=self.coupling_scale)
        self.destroy()
        return new

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.options.release(check=False)
        for obj in (self.ksp, self.A, self.b, self.x):
            obj.destroy()
