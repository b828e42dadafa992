"""Newton's method (PETSc SNES) for temperature-dependent laws.

Residual F(T) = assembled UFL residual + K T (the facet-wise interface terms, linear in
T); Jacobian J = dF/dT (the UFL derivative, exact) + K.  The initial guess is made to
satisfy the Dirichlet conditions, so the Newton updates vanish on them.

Convergence scales with the problem: Newton stops when ‖F‖ ≤ ``snes_rtol`` · ‖F(T₀)‖
(relative to the initial residual, the heat rates of the problem) or when ‖F‖ reaches
the round-off floor ε ‖ |J| |T| ‖₂ of the residual (:mod:`~fe_interface.solvers.roundoff`),
below which no iteration can go; an absolute ``snes_atol`` (W) applies only if given.
A fixed absolute tolerance in W made Newton return the initial guess of a nanowire
(1 nW in all) and stall in round-off on one partition of a cryogenic bond but not on
another.  The residual Newton tests is the true (nonlinear) residual F(T), so inexact
linear solves cannot make a wrong field pass.

What keeps a solve cheap (the whole Jacobian sparsity, a preconditioner with a matrix of
its own kept while it pays, chord steps, steps in Kirchhoff variables, CG on a
nonsymmetric Jacobian with a GMRES fallback, inexact Newton, the round-off floor when it
matters) and how user options keep their PETSc meaning: ``docs/newton.md``, measured by
``benchmarks/bench_newton.py``.

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

A solver with ``terms``, a ``constant_jacobian`` or its own ``on_jacobian`` policy
manages its preconditioner itself: the reuse rule, the chord steps and the zero-free P
above apply to the heat problems' Newton solves (Krylov solvers).  The callbacks are
weakly held (:func:`set_callbacks`); options are set under the prefix given
(``PetscOptions``).
"""

from __future__ import annotations

import math
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
    eliminate_zeros,
    matrix_from_pattern,
    sparsity_pattern,
)
from fe_interface.solvers.options import NEWTON_INEXACT_OPTIONS, NEWTON_OPTIONS, PetscOptions
from fe_interface.solvers.roundoff import FLOOR_MARGIN, FloorSchedule, RoundoffFloor
from fe_interface.solvers.snes_parts import (
    ChangeOfVariables,
    SubPattern,
    set_callbacks,
    set_convergence_test,
)

__all__ = [
    "FLOOR_MARGIN",
    "JACOBIAN_LAG_STEPS",
    "PC_REBUILD_FACTOR",
    "ChangeOfVariables",
    "NewtonSolver",
    "SubPattern",
    "set_callbacks",
]

_REASONS = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}
_KSP_REASONS = {v: k for k, v in vars(PETSc.KSP.ConvergedReason).items() if isinstance(v, int)}

#: a kept preconditioner is rebuilt once a linear solve needs more than this factor
#: times the iterations per decade of residual reduction of the first solve with it
PC_REBUILD_FACTOR = 2.0

#: a Jacobian is kept for the next Newton step (a chord step) when, at the contraction
#: of the last step, at most this many steps reach the convergence target
JACOBIAN_LAG_STEPS = 5.0


#: SNES converged reasons (some are missing from petsc4py's stubs)
_SNES: Any = PETSc.SNES.ConvergedReason
#: failures a kept Jacobian or preconditioner can cause: the solve is repeated without
_RETRY = {
    int(_SNES.DIVERGED_LINEAR_SOLVE),
    int(_SNES.DIVERGED_LINE_SEARCH),
    int(_SNES.DIVERGED_MAX_IT),
}


class NewtonSolver:
    """Newton on F(T) = 0 with the exact Jacobian (see the module docstring).

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
        add_residual: adds terms outside the forms to the residual's local array (owned
            and ghost entries, summed afterwards), W.
        terms: more terms assembled outside UFL (module docstring), scale 1.
        constant_jacobian: ``J`` does not depend on u (module docstring).
        on_jacobian: called with "the Jacobian changed" after every Jacobian evaluation.
        preconditioner_matrix: with ``terms`` or ``on_jacobian``: the preconditioner is
            built from a matrix of its own, ``P`` (a copy of the Jacobian that its owner
            refreshes when it rebuilds it): a kept AMG hierarchy then never sees the
            Jacobian change under it.  The heat solves (Krylov) always have one.
        symmetric: the Jacobian is symmetric (radiation, c_p(T)); a k(T) or h(T) Jacobian
            is not, and a heat solve with CG whose linear solve fails is then repeated
            with GMRES (module docstring).

    Attributes:
        A: the Jacobian.
        P: the matrix the preconditioner is built from (``A`` for ``preonly`` solvers).
        jacobians, preconditioners: Jacobians assembled and preconditioner matrices
            refreshed since the solver was made.
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
        symmetric: bool = False,
    ) -> None:
        self.F, self.J, self.u, self.bcs = F, J, u, list(bcs)
        self.coupling = coupling
        self.marker = bc_marker
        self.coupling_scale = coupling_scale
        self.add_residual = add_residual
        self.terms = list(terms)
        self.on_jacobian = on_jacobian
        options = NEWTON_OPTIONS | dict(petsc_options)
        krylov = options.get("ksp_type") != "preonly"
        # the heat solves: P, the reuse rule, the chord steps and inexact Newton are this
        # solver's; a solver with terms or its own policy manages its preconditioner
        managed = krylov and not terms and not constant_jacobian and on_jacobian is None
        if managed:
            options = NEWTON_OPTIONS | NEWTON_INEXACT_OPTIONS | dict(petsc_options)
        pattern = sparsity_pattern(J, coupling, self.terms)
        comm = u.function_space.mesh.comm
        self.K: PETSc.Mat | None = None  # the constant part of the Jacobian
        if constant_jacobian:  # assembled once; A starts as its copy (the same pattern)
            self.K = matrix_from_pattern(comm, pattern)
            self._assemble_forms(self.K, 0.0)
            self.A = self.K.duplicate(copy=True)
        else:
            self.A = matrix_from_pattern(comm, pattern)
        self._assembled = False  # a Jacobian was assembled (ever: the constant one)
        #: at least one Newton step, whatever the initial residual (PETSc's ForceIteration)
        self.force_iteration = False
        self.P: PETSc.Mat = self.A
        if managed:
            self.P = matrix_from_pattern(comm, pattern)
        elif preconditioner_matrix:
            self.P = self.A.duplicate(copy=True)
        #: P is refreshed by the reuse rule (else at every Jacobian, PETSc's lag decides)
        self._adaptive = managed and "snes_lag_preconditioner" not in petsc_options
        #: Jacobians are kept for chord steps by the lag rule (else assembled at every step;
        #: Krylov solvers only: a direct solve's last Newton step lands far below the
        #: tolerance, which answers to 1e-10 rely on, a chord step just below it)
        self._chord = managed and "snes_lag_jacobian" not in petsc_options
        self._managed = managed
        #: a change of variables may take the steps with the first Jacobian (not when the
        #: user asks for a Jacobian at every step: Newton's own, quadratic convergence)
        self._changes = "snes_lag_jacobian" not in petsc_options
        #: CG on a nonsymmetric Jacobian: GMRES after a linear solve fails (heat solves)
        self._fallback = managed and not symmetric and options.get("ksp_type") == "cg"
        V = u.function_space
        self.b = dolfinx.fem.petsc.create_vector(V)
        self.x = dolfinx.fem.petsc.create_vector(V)
        self.snes = PETSc.SNES().create(self.A.getComm())
        set_callbacks(self.snes, self, self.b, self.A, self.P)
        self.snes.setConvergenceHistory(reset=True)
        self.options = PetscOptions(self.snes, prefix, options)
        set_convergence_test(self.snes, self)
        self.snes.getKSP().setConvergenceHistory(reset=True)
        #: the round-off floor of the residual, evaluated when due (and ‖F₀‖ of a solve)
        self.floors = FloorSchedule(
            RoundoffFloor(V.dofmap.index_map, bc_marker, V.mesh.comm, V.dofmap.index_map_bs)
        )
        self._have_jacobian = False  # a Jacobian of this solve (or carried) is in A
        self._carry_rho: float | None = None  # the last contraction of the last solve
        self._cov: ChangeOfVariables | None = None  # steps in its variables (this solve)
        #: constant Jacobian: F(u) = K u + offset on the owned rows (this solve), K u in _Kx
        self._offset: np.ndarray | None = None
        self._Kx: PETSc.Vec | None = None
        self._sub: SubPattern | None = None
        self._refresh = True  # P and the preconditioner at the next Jacobian
        self._fresh_cost: float | None = None  # its per decade, first solve with P
        self._measure = False  # the next Jacobian measures the last solve
        self.jacobians = 0
        self.preconditioners = 0
        #: Newton steps that kept the Jacobian of a previous step (chord steps), Jacobians
        #: that kept the preconditioner of an earlier one
        self.chord_steps = 0
        self.kept_preconditioners = 0

    # ------------------------------------------------------------------ callbacks
    def _to_u(self, x: PETSc.Vec) -> None:
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        self.u.x.petsc_vec.array_w[:] = x.array_r
        self.u.x.scatter_forward()

    def _residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        self._to_u(x)
        with b.localForm() as bl:
            bl.set(0.0)
        if self.K is not None and self._offset is not None and self._Kx is not None:
            self._linear_part(x, b)  # a constant Jacobian: the forms and the coupling
        else:
            dolfinx.fem.petsc.assemble_vector(b, self.F)
            if self.coupling is not None:
                with b.localForm() as bl:
                    bl.array_w[:] += self.coupling_scale * self.coupling.apply(self.u.x.array)
            if self.K is not None:  # c = F(u) − K u, once per solve (the loads are fixed)
                b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
                if self._Kx is None:
                    self._Kx = self.K.createVecLeft()
                self.K.mult(x, self._Kx)
                self._offset = b.array_r - self._Kx.array_r
                with b.localForm() as bl:  # the owned values are complete
                    bl.array_w[b.getLocalSize() :] = 0.0
        with b.localForm() as bl:
            for t in self.terms:
                t.apply(self.u.x.array, bl.array_w)
            if self.add_residual is not None:
                self.add_residual(bl.array_w)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        # the initial guess satisfies the conditions: residual x − g = 0 on their rows
        dolfinx.fem.petsc.set_bc(b, self.bcs, x, -1.0)

    def assemble_jacobian(self) -> None:
        """Assemble the exact Jacobian into :attr:`A` at the current ``u`` (collective).

        Its whole sparsity is kept (see the module docstring); Dirichlet rows and
        columns are the identity.
        """
        A = self.A
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

    def _new_jacobian(self, snes: PETSc.SNES) -> None:
        """Assemble a Jacobian (at the field of the change of variables at its first step)."""
        if self._cov is not None and snes is not None and snes.getIterationNumber() > 0:
            self._cov = None  # its steps belong to the first Jacobian
        if self._cov is not None:
            self._assemble_at_cov_field(self._cov)
        else:
            self.assemble_jacobian()
        self._have_jacobian = True

    def _assemble_at_cov_field(self, cov: ChangeOfVariables) -> None:
        """The first Jacobian at the field of the change of variables (``u`` restored)."""
        keep = self.u.x.array.copy()
        n = self.x.getLocalSize()
        owned = keep[:n].copy()
        cov.jacobian_field(owned)
        self.u.x.array[:n] = owned
        self.u.x.scatter_forward()
        try:
            self.assemble_jacobian()
        finally:
            self.u.x.array[:] = keep

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
        if self._keep_jacobian(snes):
            self.chord_steps += 1  # A, P and the preconditioner stay: PETSc reuses them
            return
        self._new_jacobian(snes)
        if self.on_jacobian is not None:
            self.on_jacobian(True)
        if not self._managed or P is A:  # a factorisation, or a Jacobian outside the solve
            return
        if self._measure:
            self._measure = False
            if self._adaptive and self._pc_exhausted():
                self._refresh = True
        if self._refresh or not self._adaptive:
            self._refresh_pc()
        else:
            self.kept_preconditioners += 1
        self._measure = True

    def _keep_jacobian(self, snes: PETSc.SNES) -> bool:
        """True if the Jacobian of the last step serves this step too (a chord step).

        At the contraction ρ = ‖F_k‖/‖F_{k−1}‖ of the last step, the steps left to the
        target are log(target/‖F_k‖)/log ρ; a step with a kept Jacobian contracts about as
        much as the last one did, at a fraction of the cost (no assembly, no new
        preconditioner).  Kept while at most :data:`JACOBIAN_LAG_STEPS` such steps are left
        (the contraction of each chord step judges the next one); the residual is the
        true F(T), so a kept Jacobian costs steps, never accuracy.  At the first step of a
        solve that carries the last solve's Jacobian (time steps of one size), ρ is that
        solve's last contraction.
        """
        if not (self._chord and self._have_jacobian):
            return False
        rho, f_now = self._contraction(snes)
        rtol, atol, _, _ = snes.getTolerances()
        target = max(rtol * self.floors.f0, atol, self.floor)
        if not 0.0 < rho < 1.0 or not target < f_now:
            return False
        return math.log(target / f_now) / math.log(rho) <= JACOBIAN_LAG_STEPS

    def _precheck(self, x: PETSc.Vec, y: PETSc.Vec) -> None:
        """The Newton update ``y`` taken in the variables of the change of variables."""
        if self._cov is None:
            return
        ya = y.getArray(readonly=True).copy()
        if self._cov.step(x.getArray(readonly=True), ya):
            y.setArray(ya)
        else:
            self._cov = None

    def _contraction(self, snes: PETSc.SNES) -> tuple[float, float]:
        """(ρ, ‖F_k‖) at this step (ρ NaN when unknown or the last linear solve failed)."""
        hist = snes.getConvergenceHistory()[0]
        it = snes.getIterationNumber()
        ksp_ok = cast(int, self.snes.getKSP().getConvergedReason()) > 0
        if len(hist) < it + 1 or not ksp_ok:
            return math.nan, 0.0
        if it == 0:
            return (self._carry_rho or math.nan), float(hist[0])
        return float(hist[it]) / float(hist[it - 1]), float(hist[it])

    def _pc_exhausted(self) -> bool:
        """True if the last linear solve shows the preconditioner no longer pays.

        Its iterations per decade of residual reduction exceed :data:`PC_REBUILD_FACTOR`
        times those of the first solve with the preconditioner (recorded here).
        """
        ksp = self.snes.getKSP()
        its = ksp.getIterationNumber()
        hist = ksp.getConvergenceHistory()
        if its == 0 or len(hist) < 2 or not hist[0] > 0 or not hist[-1] > 0:
            return False
        decades = max(math.log10(float(hist[0]) / float(hist[-1])), 1.0e-3)
        cost = its / decades
        if self._fresh_cost is None:
            self._fresh_cost = cost
            return False
        return cost > PC_REBUILD_FACTOR * self._fresh_cost

    def _refresh_pc(self) -> None:
        """P ← the Jacobian (the preconditioner is set up again from it)."""
        if self.preconditioners == 0:  # the first: P has the whole pattern, not assembled yet
            self.P.setValuesCSR(*self.A.getValuesCSR())
            self.P.assemble()
            eliminate_zeros(self.P)
        else:  # (the map of P's entries in A's made at the second: many solves need one)
            if self._sub is None:
                self._sub = SubPattern(self.A, self.P)
            self._sub.copy(self.A, self.P)
        self._refresh = False
        self._fresh_cost = None
        self.preconditioners += 1

    def linear_residual(self, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """Set b = F(u) − the terms = K x + c at the owned values of ``x`` (N; Dirichlet rows 0).

        A constant Jacobian, after a solve (c is that solve's: the loads are fixed).
        """
        self._linear_part(x, b)
        dolfinx.fem.petsc.set_bc(b, self.bcs, x, -1.0)

    def _linear_part(self, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """Set b = K x + c on the owned rows (c: this solve's offset, :meth:`_residual`)."""
        if self.K is None or self._offset is None:
            raise SolverError("the linear part needs a constant Jacobian and a solve")
        self.K.mult(x, b)
        b.array_w[:] += self._offset

    @property
    def floor(self) -> float:
        """The round-off floor of the residual (W; N for mechanics) at the last evaluation."""
        return self.floors.floor

    def residual_norm(self) -> float:
        """‖F(u)‖₂ at the current ``u`` (the free rows; W, or N for mechanics; collective)."""
        self._offset = None  # assembled: the loads may have changed
        self.u.x.scatter_forward()
        self.x.array_w[:] = self.u.x.array[: self.x.getLocalSize()]
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        self._residual(self.snes, self.x, self.b)
        return float(self.b.norm())

    def _converged(self, snes: PETSc.SNES, it: int, norms: tuple[float, float, float]) -> int:
        """PETSc's default test with the round-off floor as the absolute tolerance.

        Converged when ‖F‖ ≤ max(``snes_atol``, floor) (not at step 0 with
        ``force_iteration``) or, after the first step,
        ‖F‖ ≤ ``snes_rtol`` ‖F₀‖ or ‖ΔT‖ ≤ ``snes_stol`` ‖T‖; the floor is that of the
        Jacobian of the previous step at an iterate of this solve, evaluated when due
        (:class:`~fe_interface.solvers.roundoff.FloorSchedule`; the last solve's at step 0).
        """
        xnorm, ynorm, fnorm = norms
        rtol, atol, stol, max_it = snes.getTolerances()
        if not math.isfinite(fnorm):
            return int(_SNES.DIVERGED_FNORM_NAN)
        self.floors.update(it, fnorm, self.A, self.u)
        if fnorm <= max(atol, self.floor) and (it > 0 or not self.force_iteration):
            return int(_SNES.CONVERGED_FNORM_ABS)
        if it > 0:
            if fnorm <= rtol * self.floors.f0:
                return int(_SNES.CONVERGED_FNORM_RELATIVE)
            if ynorm <= stol * xnorm:
                return int(_SNES.CONVERGED_SNORM_RELATIVE)
            divtol = snes.getDivergenceTolerance()
            if divtol > 0 and fnorm > divtol * self.floors.f0:
                return int(_SNES.DIVERGED_DTOL)
        max_funcs = snes.getMaxFunctionEvaluations()
        if max_funcs >= 0 and snes.getFunctionEvaluations() >= max_funcs:
            return int(_SNES.DIVERGED_FUNCTION_COUNT)
        if it >= max_it:
            return int(_SNES.DIVERGED_MAX_IT)
        return int(_SNES.ITERATING)

    # ------------------------------------------------------------------ solve
    def _snes_solve(self) -> int:
        """SNESSolve from ``x``; its converged reason."""
        try:
            self.snes.solve(None, self.x)
        except PETSc.Error as e:
            raise SolverError(
                f"PETSc failed inside Newton's method (error code {getattr(e, 'ierr', 0)})"
            ) from None
        finally:
            self.options.release()
        return cast(int, self.snes.getConvergedReason())  # an int (the stubs: a class)

    def _solve_from(self, start: np.ndarray, carry: bool = False) -> int:
        """SNESSolve from the local values ``start`` (Dirichlet values imposed); its reason.

        ``carry``: the Jacobian of the last solve may serve the first step.
        """
        self.x.array_w[:] = start
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        self._offset = None  # the loads may have changed since the last solve
        self.floors.start()
        self._have_jacobian = self._have_jacobian and carry
        return self._snes_solve()

    def solve(
        self, keep_preconditioner: bool = False, change: ChangeOfVariables | None = None
    ) -> SolveInfo:
        """Newton from the current ``u`` (Dirichlet values imposed first).

        Args:
            keep_preconditioner: start with the preconditioner of the last solve (time
                steps of one size: the matrix changes little), and with its Jacobian if the
                chord rule keeps it (:meth:`_keep_jacobian`); else both are new.
            change: a change of variables (:class:`ChangeOfVariables`) that sets the start
                and takes the steps with the first Jacobian in its variables; a solve that
                fails with it is repeated from ``u`` without it.

        Raises:
            SolverError: Newton or a linear solve failed, or NaN/Inf in the result.
        """
        if not keep_preconditioner:
            self._refresh = True
        self.u.x.scatter_forward()
        n = self.x.getLocalSize()
        start = self.u.x.array[:n].copy()
        first = self._changed_start(start, change)
        reused = self.chord_steps + self.kept_preconditioners
        try:
            reason = self._solve_from(start if first is None else first, keep_preconditioner)
        finally:
            self._cov = None
        if first is not None and reason < 0:  # the change of variables may have failed it
            self._refresh = True
            reason = self._solve_from(start)
        if reason == _SNES.DIVERGED_LINEAR_SOLVE and self._fallback:
            # CG on a nonsymmetric Jacobian broke down: GMRES from now on
            self._fallback = False
            self.snes.getKSP().setType("gmres")
            self._refresh = True
            reason = self._solve_from(start)
        if reason in _RETRY and self.chord_steps + self.kept_preconditioners > reused:
            # a kept preconditioner or Jacobian may have failed the step: again, from the
            # start, with the Jacobian and the preconditioner new at every step
            adaptive, chord = self._adaptive, self._chord
            self._adaptive = self._chord = False
            self._refresh = True
            try:
                reason = self._solve_from(start)
            finally:
                self._adaptive, self._chord = adaptive, chord
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
        self._carry_rho = hist[-1] / hist[-2] if len(hist) > 1 and hist[-2] > 0 else None
        self._to_u(self.x)
        check_finite(self.u)
        self.floors.at_solution(its, self.A, self.u.x.array)  # (balance checks)
        return SolveInfo(
            self.snes.getLinearSolveIterations(),
            float(self.snes.getFunctionNorm()),
            _REASONS.get(reason, str(reason)),
            its,
            hist,
            rel,
            self.floor,
        )

    def _changed_start(
        self, start: np.ndarray, change: ChangeOfVariables | None
    ) -> np.ndarray | None:
        """The start of ``change`` (and it made this solve's), or None if it changes nothing."""
        if change is None or not self._changes:
            return None
        self.x.array_w[:] = start
        dolfinx.fem.petsc.set_bc(self.x, self.bcs)
        first = self.x.array_r.copy()
        change.prepare(first, self.marker[: len(first)] >= 0)
        if not change.active:
            return None
        self._cov = change
        return first

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.options.release(check=False)
        objs = (self.snes, self.A, self.K, self.P, self.b, self.x, self._Kx)
        for obj in {id(o): o for o in objs if o is not None}.values():
            obj.destroy()
