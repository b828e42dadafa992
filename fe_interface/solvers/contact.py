"""Semismooth Newton (PETSc SNES) with augmented-Lagrangian updates for contact.

Residual R(u) = F(u) (the elastic form, assembled) + Σ contacts r(u) (nodal, see
:mod:`~fe_interface.discretisation.nodal_contact`); Jacobian J = K + Σ contacts J_c(active set): the
exact generalised derivative of the piecewise-linear contact term (a semismooth Newton
method: once the active set stops changing, one step solves the problem).

Augmented Lagrangian (``method="augmented"``): after each Newton solve the multipliers
are updated, λ ← P(u) (Uzawa), and Newton runs again from the current u, until

    max_i |λ_i^{new} − λ_i| ≤ rtol · max_i P_i + atol        (Pa),

i.e. ε_i |g_i| ≤ rtol·max P on the active nodes: no penetration to that tolerance.
When the active set of a Newton step equals the one of the assembled Jacobian, the
matrix is left untouched and PETSc reuses its factorisation (or AMG hierarchy), so
the later augmentations cost a residual and a back-substitution each.  A changed
Jacobian may keep an earlier preconditioner (a factorisation or an AMG hierarchy, built
from a copy ``P`` of an earlier Jacobian) for CG while few contact nodes changed state;
a rebuilt AMG hierarchy keeps its prolongation (``pc_gamg_reuse_interpolation``).

With a Krylov method and an AMG hierarchy (``solver="iterative"``) the solves are
inexact where accuracy buys nothing (``benchmarks/bench_contact.py``: the CG iterations,
not the AMG set-ups, were most of the cost):

* a Newton step whose active set changed is solved to :data:`_ETA` (its linearisation
  is only rough; the next step corrects both), a step with an unchanged active set
  (the exact Newton step of a linear problem, whose linear residual is the next
  nonlinear one) just to the target of its Newton solve; CG measures the true
  (unpreconditioned) residual for that;
* each Newton solve between two multiplier updates stops at :data:`_AUGMENTED_RTOL` of
  its first residual (inexact augmented Lagrangian: the update that follows changes
  the residual by more), and once the multipliers have converged one more solve goes
  to the Newton tolerance, so the answer is that of exact solves;
* a kept AMG hierarchy also serves a Jacobian whose active set lies inside its own
  (the Jacobian is then its matrix minus penalty springs: the preconditioned operator
  stays positive definite), and is rebuilt when a linear solve needs more than
  :data:`_REBUILD_FACTOR` times the iterations per decade of the first solve with it;
* once a Newton solve ends with the active set of its last Jacobian (settled), the
  **exact step** (:mod:`~fe_interface.solvers.exact_contact`, node-to-node contacts)
  solves the contact problem with that active set in one projected CG solve: gaps
  closed, the pressures its reactions.  Accepted when it is a solution (no negative
  pressure, no node outside penetrating) and the true residual meets the Newton
  tolerance: then no augmentation is needed (the 3D point contact of the benchmark: one
  CG solve of 50 iterations instead of nine Uzawa solves of 98); else the state before
  it is kept and the augmentations go on.

The Newton iteration is :class:`~fe_interface.solvers.nonlinear.NewtonSolver` with the
contacts as its ``terms`` and a constant elastic Jacobian (its hooks, see its module
docstring); this module adds the augmentations and the preconditioner policy.
"""

from __future__ import annotations

import ctypes
import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

from fe_interface.discretisation.nodal_contact import NodalContact
from fe_interface.errors import SolverError
from fe_interface.solvers.exact_contact import ExactContactStep
from fe_interface.solvers.linear import check_finite
from fe_interface.solvers.nonlinear import NewtonSolver

__all__ = ["CONTACT_DIRECT_OPTIONS", "ContactSolveInfo", "ContactSolver", "rigid_body_modes"]

#: a preconditioner is kept while at most this many contact nodes, or this fraction of
#: the active ones, changed state since it was built
_REUSE_NODES = 40
_REUSE_FRACTION = 0.5
#: a kept preconditioner is rebuilt once a linear solve needs more than this factor
#: times the iterations per decade of the first solve with it
_REBUILD_FACTOR = 2.0
#: the same for an AMG hierarchy, whose preconditioned operator is not a low-rank change
#: of the identity: a newly active node adds a penalty stiffness the hierarchy has not
#: seen (an outlier eigenvalue of order ε/E), so only a few may change
_AMG_REUSE_NODES = 8
_AMG_REUSE_FRACTION = 0.05

#: inexact linear solves (Krylov methods): a Newton step whose active set changed is solved
#: to this relative accuracy (its linearisation is only rough: the next step corrects
#: both), a step with an unchanged one just to the Newton target of its solve, at most
#: this and at least ``ksp_rtol``
_ETA = 1.0e-2
#: inexact augmented Lagrangian: each Newton solve between two multiplier updates stops
#: at this fraction of its first residual (the update it follows); the last one goes on
#: to the Newton tolerance
_AUGMENTED_RTOL = 1.0e-2

#: the direct solver for contact: MUMPS as the preconditioner of CG, so that a
#: factorisation can serve the next Newton steps (one CG step while it is exact)
CONTACT_DIRECT_OPTIONS: dict[str, Any] = {
    "ksp_type": "cg",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
    "ksp_rtol": 1.0e-12,
    "ksp_max_it": 500,
}

#: SNES defaults for contact: full semismooth Newton steps
CONTACT_NEWTON_OPTIONS: dict[str, Any] = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "basic",
    "snes_rtol": 1.0e-11,
    "snes_stol": 1.0e-12,
    "snes_atol": 0.0,  # set from the load at the first solve (ContactSolver)
    "snes_max_it": 50,
    # the preconditioner lag is set by the reuse policy (ContactSolver._choose_preconditioner)
    # and must survive from one solve (augmentation) to the next
    "snes_lag_preconditioner_persists": True,
}


class ContactSolveInfo(NamedTuple):
    """What a mechanical solve did.

    Attributes:
        newton_iterations: Newton steps in total (1 for a linear problem).
        augmentations: Newton solves of the augmented Lagrangian (one per multiplier
            update; inexact CG + AMG solves: one more, the last to the Newton tolerance).
        newton_per_solve: Newton steps of each solve.
        linear_iterations: KSP iterations in total.
        jacobians: Jacobian assemblies.
        preconditioners: preconditioner builds (factorisations / AMG set-ups); a
            Jacobian whose active set is close to the one of the last build reuses it.
        multiplier_change_Pa: the last max |Δλ|, Pa (0 for penalty / no contact).
        converged_reason: PETSc's reason of the last solve, or ``CONVERGED_EXACT_STEP``
            (the exact step solved the problem: its true residual met the tolerance).
        residual_history: SNES residual norms (N) of the last solve (after the exact
            step: the first solve's, then ‖R(u)‖ after the step).
        exact_step: the exact step (the active set fixed, one projected CG solve:
            :mod:`~fe_interface.solvers.exact_contact`) gave the multipliers.
    """

    newton_iterations: int
    augmentations: int
    newton_per_solve: tuple[int, ...]
    linear_iterations: int
    jacobians: int
    preconditioners: int
    multiplier_change_Pa: float
    converged_reason: str
    residual_history: tuple[float, ...] = ()
    exact_step: bool = False


def _contact_error(e: SolverError) -> SolverError:
    """The Newton solver's error, said of the contact solve."""
    msg = str(e)
    if msg.startswith("PETSc failed"):
        return SolverError(
            msg.replace("Newton's method", "the contact Newton solve")
            + "; a body held only by contact may have lost it: constrain its rigid motions"
        )
    return SolverError(f"contact {msg}")


@functools.cache
def _snes_lag() -> Any:
    """``SNESSetLagPreconditioner`` of the PETSc library (petsc4py does not wrap it)."""
    lib = ctypes.CDLL(str(dolfinx.fem.petsc.get_petsc_lib()))
    fn = lib.SNESSetLagPreconditioner
    fn.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int64 if np.dtype(PETSc.IntType).itemsize == 8 else ctypes.c_int32,
    ]
    fn.restype = ctypes.c_int
    return fn


def _set_lag_preconditioner(snes: PETSc.SNES, lag: int) -> None:
    """-2: rebuild the preconditioner at the coming Jacobian, then keep it; -1: keep it."""
    ierr = _snes_lag()(ctypes.c_void_p(snes.handle), lag)
    if ierr != 0:
        raise SolverError(f"SNESSetLagPreconditioner failed with PETSc error code {ierr}")


def rigid_body_modes(V: fem.FunctionSpace, axisymmetric: bool = False) -> PETSc.NullSpace:
    """Rigid body modes of the (broken) vector space as a PETSc near-null space (GAMG).

    Translations and rotations (2D: 3 modes, 3D: 6; axisymmetric: the two
    translations).  (Modes per body, i.e. per colour of the broken space, were tried
    on the 3D point contact of ``benchmarks/bench_contact.py``: no fewer CG
    iterations.)
    """
    gdim = V.mesh.geometry.dim
    bs = V.dofmap.bs
    imap = V.dofmap.index_map
    n = imap.size_local
    x = V.tabulate_dof_coordinates()[:n]
    modes = []
    for c in range(gdim):
        m = np.zeros((n, bs))
        m[:, c] = 1.0
        modes.append(m)
    if not axisymmetric:
        pairs = [(0, 1)] if gdim == 2 else [(0, 1), (1, 2), (2, 0)]
        for a, b in pairs:
            m = np.zeros((n, bs))
            m[:, a], m[:, b] = -x[:, b], x[:, a]
            modes.append(m)
    vecs = []
    for m in modes:
        v = dolfinx.fem.petsc.create_vector(V)
        v.array_w[: n * bs] = m.ravel()
        vecs.append(v)
    for i, v in enumerate(vecs):  # orthonormalise (GAMG wants a basis)
        for w in vecs[:i]:
            v.axpy(-v.dot(w), w)
        v.normalize()
    return PETSc.NullSpace().create(vectors=vecs, comm=V.mesh.comm)


class ContactSolver:
    """Semismooth Newton + augmented Lagrangian for elasticity with contact (collective).

    Args:
        F: compiled residual form of the elasticity (no contact), in u.
        J: compiled Jacobian (bilinear) form.
        u: the displacement (initial guess in, solution out).
        bcs: Dirichlet conditions.
        contacts: the nodal contact operators.
        marker: local unrolled dof -> itself, −1 on Dirichlet dofs.
        prefix: PETSc options prefix.
        petsc_options: KSP/PC options and SNES options (``snes_*``).
        near_null: near-null space for AMG, or None.
        augment: do augmented-Lagrangian updates (else: pure penalty).
        rtol, atol: the augmentation stopping test (dimensionless, Pa).
        max_augmentations: limit of Newton solves.
    """

    def __init__(
        self,
        F: fem.Form,
        J: fem.Form,
        u: fem.Function,
        bcs: Sequence[fem.DirichletBC],
        contacts: Sequence[NodalContact],
        marker: np.ndarray,
        prefix: str,
        petsc_options: Mapping[str, Any],
        near_null: Any = None,
        augment: bool = True,
        rtol: float = 1.0e-9,
        atol: float = 0.0,
        max_augmentations: int = 100,
    ) -> None:
        self.u = u
        self.contacts = list(contacts)
        self.augment, self.rtol, self.atol = augment, rtol, atol
        self.max_augmentations = max_augmentations
        self.user_options = dict(petsc_options)
        # the elastic stiffness does not change: assembled once (with explicit zeros in
        # the contact blocks, so that PETSc keeps them), copied into each Jacobian
        # a factorisation is a copy of the matrix it factors; an AMG hierarchy applies
        # its matrix (the smoothers): kept, it needs a matrix P of its own
        direct = self.user_options.get("pc_type") in ("lu", "cholesky")
        self.direct = direct
        #: inexact Newton steps and augmentations (CG with an AMG hierarchy: CG measures
        #: the unpreconditioned residual with a left preconditioner, GMRES would not)
        self.inexact = not direct and self.user_options.get("ksp_type") == "cg"
        options = CONTACT_NEWTON_OPTIONS | self.user_options
        if self.inexact:  # the KSP residual is then the linearised Newton residual (N)
            options = {"ksp_norm_type": "unpreconditioned"} | options
        self.newton = NewtonSolver(
            F, J, u, bcs, None, marker, prefix, options,
            terms=self.contacts, constant_jacobian=True, on_jacobian=self._choose_preconditioner,
            preconditioner_matrix=not direct,
        )  # fmt: skip
        self.P = self.newton.P
        self.snes = self.newton.snes
        if near_null is not None:
            for M in (self.newton.A, self.P):
                if M is not None:
                    M.setNearNullSpace(near_null)
        # the first step of a point contact can overshoot by orders of magnitude (one
        # node carries the load); the semismooth iteration recovers: no divergence test
        self.snes.setDivergenceTolerance(1.0e300)
        # an augmentation changes the residual by A_i Δλ_i, which can fall below the
        # Newton tolerance while the penetration it measures has not been corrected:
        # every solve takes at least one step (a back-substitution when the active set
        # and so the matrix are unchanged)
        self.newton.force_iteration = True
        self.snes.setForceIteration(True)
        self._ksp_rtol = float(self.snes.getKSP().getTolerances()[0])
        self._snes_rtol = float(self.snes.getTolerances()[0])
        self._pc_active: list[np.ndarray] | None = None
        # a factorisation or an AMG hierarchy of an earlier active set may precondition a
        # later Jacobian (CG corrects the change); the AMG hierarchy is built from P, a
        # copy of the Jacobian refreshed only when it is rebuilt, so that its smoothers
        # keep applying the matrix of their eigenvalue bounds
        self._reuse_limits = (
            (_REUSE_NODES, _REUSE_FRACTION) if direct else (_AMG_REUSE_NODES, _AMG_REUSE_FRACTION)
        )
        self._fresh_cost: float | None = None
        self._stale = False  # the preconditioner was built from another Jacobian than A's
        self._stale_used = False  # ... and served a Jacobian in this Newton solve
        self._no_reuse = False  # a new preconditioner at every changed Jacobian
        #: Newton solves started again after a kept preconditioner failed (see _newton)
        self.restarts = 0
        self.comm = u.function_space.mesh.comm
        self.preconditioners = 0
        self._tolerances_set = False
        self._tried = False  # the exact step, this solve
        self._exact_residual = math.inf  # ‖R(u)‖ after it, N
        self._exact = (
            ExactContactStep(self.newton, self.contacts, marker)
            if self.inexact and augment and ExactContactStep.applies(self.contacts)
            else None
        )

    @property
    def A(self) -> PETSc.Mat:
        """The Jacobian matrix."""
        return self.newton.A

    @property
    def jacobians(self) -> int:
        """Jacobian assemblies so far."""
        return self.newton.jacobians

    def _choose_preconditioner(self, changed: bool) -> None:
        """Decide whether to keep the preconditioner (a factorisation or AMG hierarchy).

        Called after every Jacobian evaluation; an unchanged Jacobian keeps everything.
        The preconditioner of an earlier Jacobian is kept while the last linear solve
        cost at most :data:`_REBUILD_FACTOR` times the iterations per decade of the first
        solve with it, and either the active set differs from its own in few nodes (the
        new matrix is a low-rank change of the old one: the Krylov method converges in
        about as many iterations as nodes changed) or, for an AMG hierarchy, is a subset
        of its own (the Jacobian is then the hierarchy's matrix P minus penalty springs:
        P^{-1}J stays symmetric positive definite, its eigenvalues in (0, 1]); else it is
        rebuilt.
        """
        cost = self._last_cost()
        if cost is not None and self._fresh_cost is None and self._pc_active is not None:
            self._fresh_cost = cost  # the first solve with a new preconditioner
        if self.inexact:
            self._set_linear_tolerance(changed)
        if not changed and not (self._no_reuse and self._stale):
            _set_lag_preconditioner(self.snes, -1)
            self._stale_used |= self._stale
            return
        active = [c.current_state().active for c in self.contacts]
        slack = 10.0 if self.direct else 0.0  # a factorisation: iterations, not per decade
        reuse = (
            not self._no_reuse
            and self._pc_active is not None
            and (
                self._fresh_cost is None
                or cost is None
                or cost <= _REBUILD_FACTOR * self._fresh_cost + slack
            )
        )
        if reuse:
            assert self._pc_active is not None
            changed_nodes = sum(
                self.comm.allreduce(int(np.sum(a != b)), op=MPI.SUM)
                for a, b in zip(active, self._pc_active, strict=True)
            )
            total = sum(self.comm.allreduce(int(np.sum(a)), op=MPI.SUM) for a in active)
            nodes, fraction = self._reuse_limits
            reuse = changed_nodes <= max(nodes, fraction * total) or (
                not self.direct and self._subset(active, self._pc_active)
            )
        # SNES decides after this callback: lag -2 rebuilds now (then becomes -1), -1 keeps
        _set_lag_preconditioner(self.snes, -1 if reuse else -2)
        if not reuse:
            if self.P is not None:
                self.newton.A.copy(self.P, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)  # type: ignore[arg-type]  # stubs: the members are ints
            self._pc_active = [a.copy() for a in active]
            self._fresh_cost = None
            self.preconditioners += 1
        self._stale = reuse
        self._stale_used |= reuse

    def _subset(self, active: list[np.ndarray], of: list[np.ndarray]) -> bool:
        """Whether every active node is active in ``of`` too (collective)."""
        grown = any(bool(np.any(a & ~b)) for a, b in zip(active, of, strict=True))
        return not self.comm.allreduce(grown, op=MPI.LOR)

    def _last_cost(self) -> float | None:
        """The cost of the last linear solve, or None.

        Its iterations per decade of residual reduction (an AMG hierarchy: the
        tolerances vary, see :meth:`_set_linear_tolerance`); its iterations with a
        factorisation (solved to ``ksp_rtol``).
        """
        ksp = self.snes.getKSP()
        its = ksp.getIterationNumber()
        if self.direct:
            return float(its)
        hist = ksp.getConvergenceHistory()
        if its == 0 or len(hist) < 2 or not hist[0] > 0 or not hist[-1] > 0:
            return None
        return its / max(float(np.log10(hist[0] / hist[-1])), 0.1)

    def _set_linear_tolerance(self, changed: bool) -> None:
        """The relative tolerance of the coming linear solve (inexact Newton).

        A step whose active set changed: :data:`_ETA`.  Else the step is the exact
        Newton step of a linear problem, whose linear residual is the next nonlinear
        one: solved to half the target of this Newton solve, within [``ksp_rtol``,
        :data:`_ETA`].
        """
        ksp = self.snes.getKSP()
        rtol = _ETA
        if not changed:
            hist = self.snes.getConvergenceHistory()[0]
            fnorm = float(self.snes.getFunctionNorm())
            f0 = float(hist[0]) if len(hist) else fnorm
            s_rtol, s_atol, _, _ = self.snes.getTolerances()
            target = max(s_rtol * f0, s_atol)
            if fnorm > 0.0:
                rtol = min(max(0.5 * target / fnorm, self._ksp_rtol), _ETA)
        ksp.setTolerances(rtol=rtol)

    # ------------------------------------------------------------------ solve
    def _newton(self) -> tuple[int, int, str, tuple[float, ...]]:
        """One Newton solve from the current u: (Newton steps, KSP its, reason, history).

        A linear solve that fails with an indefinite preconditioner while a kept AMG
        hierarchy serves a Jacobian it was not built from (it can turn indefinite when
        nodes became active: their springs are outliers its smoothers have not seen) makes
        the solve start again from the same u with a new preconditioner at every changed
        Jacobian (the steps counted are the second attempt's).
        """
        start = self.u.x.array.copy()
        self._stale_used = False
        try:
            info = self.newton.solve()
        except SolverError as e:
            # (a kept factorisation or another failure: a singular problem, whose second
            # attempt can end at a huge u whose round-off floor passes: not repeated)
            indefinite = "DIVERGED_INDEFINITE_PC" in str(e)
            if not (self._stale_used and indefinite and not self.direct):
                raise _contact_error(e) from None
            self.u.x.array[:] = start
            self._no_reuse = True
            self.restarts += 1
            try:
                info = self.newton.solve()
            except SolverError as e2:
                raise _contact_error(e2) from None
            finally:
                self._no_reuse = False
        return info.newton_iterations, info.iterations, info.converged_reason, info.residual_history

    def _set_tolerances(self) -> None:
        """Set the absolute Newton tolerance to 1e-10 times the first residual norm (N).

        The first residual is the load; unless the user set ``snes_atol``; fixed at the
        first solve.
        """
        if self._tolerances_set or "snes_atol" in self.user_options:
            return
        self.snes.setTolerances(atol=max(1.0e-10 * self.newton.residual_norm(), 1.0e-300))
        self._tolerances_set = True

    def _augment(self) -> tuple[float, bool]:
        """λ ← P(u) on every contact: (max |Δλ| Pa, converged)."""
        change = max((c.update_multipliers() for c in self.contacts), default=0.0)
        scale = max((c.max_pressure() for c in self.contacts), default=0.0)
        return change, change <= self.rtol * scale + self.atol

    def _exact_step(self) -> tuple[int, bool]:
        """Try the exact step at the settled active set: (CG iterations, accepted).

        Accepted if it solves the contact problem: every pressure ≥ −(the augmentation
        tolerance) (clipped to 0) and the active set at the new u and multipliers the same;
        else u and the multipliers are left as they were.
        """
        assert self._exact is not None
        atol = 0.5 * max(float(self.snes.getTolerances()[1]), self.newton.floor)
        u_new, pressures, its = self._exact.solve(atol)
        if u_new is None:
            return its, False
        keep_u = self.u.x.array.copy()
        keep_lam = [c.lam.copy() for c in self.contacts]
        scale = self.comm.allreduce(
            max((float(np.max(P, initial=0.0)) for _, P in pressures), default=0.0), op=MPI.MAX
        )
        tol = self.rtol * scale + self.atol
        low = min((float(np.min(P, initial=0.0)) for _, P in pressures), default=0.0)
        n = u_new.size
        self.u.x.array[:n] = u_new
        self.u.x.scatter_forward()
        for c, (index, P) in zip(self.contacts, pressures, strict=True):
            c.set_multipliers(index, np.maximum(P, 0.0))
            c.state(self.u.x.array)
        ok = self.comm.allreduce(low >= -tol, op=MPI.LAND)
        ok = all([c.settled() for c in self.contacts]) and ok  # (collective: all called)
        if not ok:
            self.u.x.array[:] = keep_u
            for c, lam in zip(self.contacts, keep_lam, strict=True):
                c.lam = lam
                c.state(self.u.x.array)
        return its, ok

    def _exact_if_settled(self) -> tuple[int, bool, bool]:
        """The exact step, once per solve, when the active set has settled.

        Returns (CG iterations, accepted, ‖R(u)‖ ≤ the Newton tolerance — ``snes_atol``
        or the round-off floor — after it); collective.
        """
        if self._tried or self._exact is None or not all([c.settled() for c in self.contacts]):
            return 0, False, False
        self._tried = True
        kits, ok = self._exact_step()
        atol = max(float(self.snes.getTolerances()[1]), self.newton.floor)
        self._exact_residual = self.newton.residual_norm() if ok else math.inf
        return kits, ok, self._exact_residual <= atol

    def solve(self) -> ContactSolveInfo:
        """Newton (and augmentations) from the current ``u``.

        Afterwards each contact's state holds the pressures in
        equilibrium with ``u``.

        Raises:
            SolverError: Newton failed, the augmentations did not converge, or NaN.
        """
        per: list[int] = []
        lin = 0
        change = 0.0
        self._set_tolerances()
        inexact = self.inexact and self.augment
        exact = confirmed = False
        self._tried = False
        for _ in range(self.max_augmentations):
            if inexact:  # each solve to a fraction of the update it follows
                self.snes.setTolerances(rtol=max(_AUGMENTED_RTOL, self._snes_rtol))
            its, kits, reason, hist = self._newton()
            per.append(its)
            lin += kits
            for c in self.contacts:  # P(u; λ): the pressures in equilibrium with u
                c.state(self.u.x.array)
            if not self.augment:
                break
            kits, accepted, met = self._exact_if_settled()
            lin += kits
            exact = exact or accepted
            if accepted and not met:  # the multipliers are set: the next solve confirms them
                continue
            change, done = self._augment()
            if done:
                confirmed = met  # solved by the exact step: no Newton solve to improve it
                break
        else:
            raise SolverError(
                f"augmented Lagrangian: multipliers still change by {change:.3e} Pa after "
                f"{self.max_augmentations} Newton solves (tolerance rtol {self.rtol:g} x "
                f"max P); raise the contact penalty or max_augmentations"
            )
        if confirmed:  # what the summaries say: the exact step and its true residual (N)
            reason, hist = "CONVERGED_EXACT_STEP", (*hist, self._exact_residual)
        if inexact and not confirmed:  # the last solve to the Newton tolerance (final multipliers)
            self.snes.setTolerances(rtol=self._snes_rtol)
            its, kits, reason, hist = self._newton()
            per.append(its)
            lin += kits
            for c in self.contacts:
                c.state(self.u.x.array)
        check_finite(self.u)
        return ContactSolveInfo(
            sum(per), len(per), tuple(per), lin, self.jacobians, self.preconditioners, change,
            reason, hist, exact,
        )  # fmt: skip

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.newton.destroy()
