"""Newton's method (PETSc SNES) for temperature-dependent laws.

Residual F(T) = assembled UFL residual + K T (the facet-wise interface terms, linear in
T); Jacobian J = dF/dT (the UFL derivative, exact) + K.  The initial guess is made to
satisfy the Dirichlet conditions, so the Newton updates vanish on them.  Each linear
solve is checked like :class:`~fe_interface.solvers.linear.LinearSolver`'s.

Convergence scales with the problem: Newton stops when ‖F‖ ≤ ``snes_rtol`` · ‖F(T₀)‖
(relative to the initial residual, the heat rates of the problem) or when ‖F‖ reaches
the round-off floor ε ‖ |J| |T| ‖₂ of the residual (:mod:`~fe_interface.solvers.roundoff`),
below which no iteration can go; an absolute ``snes_atol`` (W) applies only if given.
A fixed absolute tolerance in W made Newton return the initial guess of a nanowire
(1 nW in all) and stall in round-off on one partition of a cryogenic bond but not on
another.

Hooks for other nonlinear terms (the contact solver of
:mod:`~fe_interface.solvers.contact` is this Newton solver with them):

* ``terms`` — more terms assembled outside UFL
  (:class:`~fe_interface.discretisation.external.ExternalTerm`: the nodal contact),
  added to the residual, the Jacobian and the sparsity;
* ``constant_jacobian`` — the UFL Jacobian does not depend on u (linear elasticity): it
  is assembled once, with explicit zeros where the terms add, and copied into each
  Jacobian; when no term's linearisation changed (``linearise``) the Jacobian is left
  as it is, and PETSc keeps its factorisation or preconditioner;
* ``on_jacobian(changed)`` — called after every Jacobian evaluation (a preconditioner
  reuse policy: the contact solver's lag);
* ``preconditioner_matrix`` — the preconditioner from a matrix ``P`` of its own, copied
  from the Jacobian only when its owner rebuilds it (a reused AMG hierarchy);
* :meth:`NewtonSolver.residual_norm` — ‖F‖ at the current u (an absolute tolerance
  from the load);
* ``force_iteration`` — at least one step per solve (an augmentation whose residual
  change is below the tolerance still corrects the penetration).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

from fe_interface.discretisation.external import ExternalTerm, FacetTerms
from fe_interface.errors import SolverError
from fe_interface.solvers.linear import (
    SolveInfo,
    check_finite,
    create_matrix,
    eliminate_zeros,
)
from fe_interface.solvers.options import NEWTON_OPTIONS, PetscOptions
from fe_interface.solvers.roundoff import RoundoffFloor

__all__ = ["NewtonSolver", "set_callbacks"]

_REASONS = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}
_KSP_REASONS = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if isinstance(v, int)}


def set_callbacks(
    snes: PETSc.SNES, owner: Any, b: PETSc.Vec, A: PETSc.Mat, P: PETSc.Mat | None = None
) -> None:
    """Give ``snes`` the residual and Jacobian of ``owner`` (its ``_residual``, ``_jacobian``).

    The SNES holds them through a weak reference: petsc4py keeps its callbacks where
    Python's garbage collector cannot see them, so bound methods would make a cycle
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


def set_convergence_test(snes: PETSc.SNES, owner: Any) -> None:
    """Give ``snes`` the convergence test of ``owner`` (its ``_converged``), weakly held."""
    ref = weakref.ref(owner)

    def converged(snes: PETSc.SNES, it: int, norms: tuple[float, float, float]) -> int:
        return cast(Any, ref())._converged(snes, it, norms)

    snes.setConvergenceTest(converged)


#: SNES converged reasons (some are missing from petsc4py's stubs)
_SNES: Any = PETSc.SNES.ConvergedReason


class NewtonSolver:
    """Newton on F(T) = 0 with the exact Jacobian.

    Args:
        F: compiled residual form (W).
        J: compiled Jacobian form.
        u: the unknown (initial guess in, solution out).
        bcs: Dirichlet conditions.
        coupling: facet-wise interface terms (scaled by ``coupling_scale``), or None.
        bc_marker: local dof -> local index, −1 on Dirichlet dofs.
        prefix: PETSc options prefix.
        petsc_options: KSP/PC options and SNES options (``snes_*``).
        coupling_scale: factor of the coupling (θ in a time step).
        add_residual: adds terms outside the forms to the residual's local array.
        terms: more terms assembled outside UFL (module docstring), scale 1.
        constant_jacobian: ``J`` does not depend on u (module docstring).
        on_jacobian: called with "the Jacobian changed" after every Jacobian evaluation.
        preconditioner_matrix: the preconditioner is built from a matrix of its own,
            ``P`` (a copy of the Jacobian that its owner refreshes when it rebuilds it):
            a kept AMG hierarchy then never sees the Jacobian change under it.
    """

    def __init__(
        self,
        F: fem.Form,
        J: fem.Form,
        u: fem.Function,
        bcs: Sequence[fem.DirichletBC],
        coupling: FacetTerms | None,
        bc_marker: np.ndarray,
        prefix: str,
        petsc_options: Mapping[str, Any],
        coupling_scale: float = 1.0,
        add_residual: Callable[[np.ndarray], None] | None = None,
        terms: Sequence[ExternalTerm] = (),
        constant_jacobian: bool = False,
        on_jacobian: Callable[[bool], None] | None = None,
        preconditioner_matrix: bool = False,
    ) -> None:
        self.F, self.J, self.u, self.bcs = F, J, u, list(bcs)
        self.coupling = coupling
        self.marker = bc_marker
        self.coupling_scale = coupling_scale
        self.add_residual = add_residual
        self.terms = list(terms)
        self.on_jacobian = on_jacobian
        self.A = create_matrix(J, coupling, self.terms)
        self.K: PETSc.Mat | None = None  # the constant part of the Jacobian
        if constant_jacobian:
            self.K = create_matrix(J, coupling, self.terms)
            for M in (self.K, self.A):  # the same pattern in both: K is copied into A
                self._assemble_forms(M, 0.0)
        self.P: PETSc.Mat | None = None
        if preconditioner_matrix:
            self.P = self.A.duplicate(copy=True)
        self._assembled = False
        #: at least one Newton step, whatever the initial residual (PETSc's ForceIteration)
        self.force_iteration = False
        self.jacobians = 0  # Jacobian assemblies
        V = u.function_space
        self.b = dolfinx.fem.petsc.create_vector(V)
        self.x = dolfinx.fem.petsc.create_vector(V)
        self.snes = PETSc.SNES().create(self.A.getComm())
        set_callbacks(self.snes, self, self.b, self.A, self.P)
        self.snes.setConvergenceHistory()
        self._zeros_eliminated = False
        self.options = PetscOptions(self.snes, prefix, NEWTON_OPTIONS | dict(petsc_options))
        set_convergence_test(self.snes, self)
        self.roundoff = RoundoffFloor(
            V.dofmap.index_map, bc_marker, V.mesh.comm, V.dofmap.index_map_bs
        )
        #: the round-off floor of the residual (W) at the last Jacobian (0 before a solve)
        self.floor = 0.0
        self._f0 = 0.0

    def _to_u(self, x: PETSc.Vec) -> None:
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        self.u.x.petsc_vec.array_w[:] = x.array_r
        self.u.x.scatter_forward()

    def _residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        self._to_u(x)
        with b.localForm() as bl:
            bl.set(0.0)
        dolfinx.fem.petsc.assemble_vector(b, self.F)
        with b.localForm() as bl:
            if self.coupling is not None:
                y = self.coupling.apply(self.u.x.array)
                bl.array_w[:] += self.coupling_scale * y
            for t in self.terms:
                t.apply(self.u.x.array, bl.array_w)
            if self.add_residual is not None:
                self.add_residual(bl.array_w)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        # the initial guess satisfies the conditions: residual x − g = 0 on their rows
        dolfinx.fem.petsc.set_bc(b, self.bcs, x, -1.0)

    def _assemble_forms(self, A: PETSc.Mat, term_scale: float = 1.0) -> None:
        """A = J + the coupling (+ the terms × ``term_scale``: 0 inserts their pattern)."""
        A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(A, self.J, bcs=self.bcs)
        if self.coupling is not None or self.terms:
            A.assemble(PETSc.Mat.AssemblyType.FLUSH)
        if self.coupling is not None:
            self.coupling.add_to_matrix(A, self.marker, self.coupling_scale)
        for t in self.terms:
            t.add_to_matrix(A, self.marker, term_scale)
        A.assemble()

    def _jacobian(self, snes: PETSc.SNES, x: PETSc.Vec, A: PETSc.Mat, P: PETSc.Mat) -> None:
        if self.terms:
            self._to_u(x)
        changed = [t.linearise(self.u.x.array) for t in self.terms]  # collective each
        if self.K is not None and self._assembled and not any(changed):
            if self.on_jacobian is not None:  # the same matrix: PETSc keeps its solver
                self.on_jacobian(False)
            return
        if self.K is None:
            self._assemble_forms(A)
        else:
            self.K.copy(A, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)  # type: ignore[arg-type]  # stubs: the members are ints
            A.assemble(PETSc.Mat.AssemblyType.FLUSH)
            for t in self.terms:
                t.add_to_matrix(A, self.marker)
            A.assemble()
        self._assembled = True
        self.jacobians += 1
        if not self._zeros_eliminated and not self.terms:  # terms keep their pattern
            eliminate_zeros(A)
            self._zeros_eliminated = True
        if self.on_jacobian is not None:
            self.on_jacobian(True)

    def residual_norm(self) -> float:
        """‖F(u)‖₂ at the current ``u`` (the free rows; W, or N for mechanics; collective)."""
        self.u.x.scatter_forward()
        self.x.array_w[:] = self.u.x.array[: self.x.getLocalSize()]
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        self._residual(self.snes, self.x, self.b)
        return float(self.b.norm())

    def _converged(self, snes: PETSc.SNES, it: int, norms: tuple[float, float, float]) -> int:
        """PETSc's default test with the round-off floor as the absolute tolerance.

        Converged when ‖F‖ ≤ max(``snes_atol``, floor) (not at step 0 with ``force_iteration``)
        or, after the first step,
        ‖F‖ ≤ ``snes_rtol`` ‖F₀‖ or ‖ΔT‖ ≤ ``snes_stol`` ‖T‖; the floor is that of the
        Jacobian of the previous step at the current iterate (the last solve's at step 0).
        """
        xnorm, ynorm, fnorm = norms
        rtol, atol, stol, max_it = snes.getTolerances()
        if not math.isfinite(fnorm):
            return int(_SNES.DIVERGED_FNORM_NAN)
        if it == 0:
            self._f0 = fnorm
        else:
            self.floor = self.roundoff(self.A, self.u.x.array)
        if fnorm <= max(atol, self.floor) and (it > 0 or not self.force_iteration):
            return int(_SNES.CONVERGED_FNORM_ABS)
        if it > 0:
            if fnorm <= rtol * self._f0:
                return int(_SNES.CONVERGED_FNORM_RELATIVE)
            if ynorm <= stol * xnorm:
                return int(_SNES.CONVERGED_SNORM_RELATIVE)
            divtol = snes.getDivergenceTolerance()
            if divtol > 0 and fnorm > divtol * self._f0:
                return int(_SNES.DIVERGED_DTOL)
        max_funcs = snes.getMaxFunctionEvaluations()
        if max_funcs >= 0 and snes.getFunctionEvaluations() >= max_funcs:
            return int(_SNES.DIVERGED_FUNCTION_COUNT)
        if it >= max_it:
            return int(_SNES.DIVERGED_MAX_IT)
        return int(_SNES.ITERATING)

    def solve(self) -> SolveInfo:
        """Newton from the current ``u`` (Dirichlet values imposed first).

        Raises:
            SolverError: Newton or a linear solve failed, or NaN/Inf in the result.
        """
        self.u.x.scatter_forward()
        self.x.array_w[:] = self.u.x.array[: self.x.getLocalSize()]
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        try:
            self.snes.solve(None, self.x)
        except PETSc.Error as e:
            raise SolverError(
                f"PETSc failed inside Newton's method (error code {getattr(e, 'ierr', 0)})"
            ) from None
        finally:
            self.options.release()
        reason = cast(int, self.snes.getConvergedReason())  # an int (the stubs: a class)
        hist = tuple(float(r) for r in self.snes.getConvergenceHistory()[0])
        its = self.snes.getIterationNumber()
        if reason < 0:
            ksp_reason = _KSP_REASONS.get(cast(int, self.snes.getKSP().getConvergedReason()), "")
            raise SolverError(
                f"Newton did not converge: {_REASONS.get(reason, reason)} after {its} "
                f"steps (linear solver: {ksp_reason}); residual history {list(hist)}"
            )
        # the residual SNES checks is the true (nonlinear) residual F(T)
        rel = hist[-1] / hist[0] if len(hist) > 1 and hist[0] > 0 else 0.0
        self._to_u(self.x)
        check_finite(self.u)
        return SolveInfo(
            self.snes.getLinearSolveIterations(),
            float(self.snes.getFunctionNorm()),
            _REASONS.get(reason, str(reason)),
            its,
            hist,
            rel,
            self.floor,
        )

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.options.release(check=False)
        for obj in (self.snes, self.A, self.K, self.P, self.b, self.x):
            if obj is not None:
                obj.destroy()
