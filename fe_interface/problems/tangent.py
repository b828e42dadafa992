"""Tangent-linear sensitivities: dT/dp with the problem's own operator and solver.

A parameter p changes the numbers of a problem (its *slots*,
:mod:`~fe_interface.discretisation.values`): constants c_i of the forms, facet conductances
h of the facet-wise interface terms, fixed temperatures g.  A *direction* gives the
derivative of every slot with respect to p (ċ_i, ḣ, ġ).  Differentiating the discrete
equations F(T; p) = 0 (free rows), T = g(p) (Dirichlet rows):

    J s = −(Σ_i ċ_i ∂F/∂c_i + Σ_f ḣ_f ∂(K T)/∂h_f + J ġ)   on the free rows,  s = ġ on the others,

with J = ∂F/∂T the matrix the problem solves with: the assembled operator of a linear
problem (dT/dp solves A s = −(∂A/∂p) T + ∂b/∂p), Newton's Jacobian at the solution for
temperature-dependent laws, conductivities or radiation.  ∂F/∂c_i is UFL's derivative of the
residual form with respect to the constant (exact; one compiled form for all constants and
all directions, the ċ_i being constants too), ∂(K T)/∂h the facet matrices for h = 1.  One
extra solve per parameter, with the preconditioner or factorisation already built.

Transient problems (the θ-scheme, :class:`~fe_interface.problems.transient.TransientProblem`)
propagate s through the same steps: the step residual
F(T_{n+1}, T_n; p) = M (T_{n+1} − T_n)/Δt + θ R(T_{n+1}) + (1 − θ) R(T_n) gives

    J_{n+1} s_{n+1} = −(∂F/∂p + ∂F/∂T_n s_n),      s_0 = 0,

every step (Crank–Nicolson start-up half steps included) with that step's matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem
from ufl.algorithms import expand_derivatives

from fe_interface.errors import SolverError
from fe_interface.solvers.linear import check_true_residual, true_residual

__all__ = ["SteadyTangent", "TransientTangent"]

#: PETSc's scalar type
_SCALAR: Any = PETSc.ScalarType


def parameter_derivative(F: Any, constants: Sequence[Any], dots: Sequence[Any]) -> Any:
    """Σ_i dot_i ∂F/∂c_i of a form F (UFL), by UFL differentiation."""
    integrals = []
    for c, d in zip(constants, dots, strict=True):
        var = ufl.variable(c)
        Fc = ufl.replace(F, {c: var})
        for itg in Fc.integrals():
            integrals.append(itg.reconstruct(integrand=d * ufl.diff(itg.integrand(), var)))
    return expand_derivatives(ufl.Form(integrals)) if integrals else None


class _TangentBase:
    """What steady and transient tangents share: the slots, the work vectors and the solve."""

    def __init__(self, problem: Any, F: Any, extra: Sequence[tuple[Any, Any]] = ()) -> None:
        f = problem.formulation
        self.problem = problem
        self.f = f
        self.values = problem.values
        slots = self.values.slots
        self.constant_slots = [i for i, s in enumerate(slots) if s.kind == "constant"]
        constants = [slots[i].constant for i in self.constant_slots]
        self.dots = [fem.Constant(f.mesh, _SCALAR(0.0)) for _ in constants]
        self.W = fem.Function(f.space)  # ġ on the Dirichlet dofs, 0 elsewhere
        G = ufl.derivative(F, f.T, self.W)
        for T_old, S_old in extra:  # ∂F/∂T_n s_n
            G = G + ufl.derivative(F, T_old, S_old)
        dF = parameter_derivative(F, constants, self.dots)
        self.form = fem.form(G + dF if dF is not None else G)
        self.b = dolfinx.fem.petsc.create_vector(f.space)
        self.x = self.b.duplicate()
        self.dh = np.zeros(len(f.coupling.entities)) if f.coupling is not None else None

    def _set_direction(self, direction: Sequence[Any]) -> None:
        slots = self.values.slots
        for d, i in zip(self.dots, self.constant_slots, strict=True):
            d.value = float(direction[i])
        self.W.x.array[:] = 0.0
        if self.dh is not None:
            self.dh[:] = 0.0
        for s, v in zip(slots, direction, strict=True):
            if s.kind == "dirichlet":
                assert s.group is not None
                self.W.x.array[s.group.bc.dof_indices()[0]] = v
            elif s.kind == "coupling":
                assert self.dh is not None and s.rows is not None
                self.dh[s.rows] = v

    def _rhs(self, coupling_terms: Sequence[tuple[float, Any, bool]]) -> None:
        """The right-hand side: −(G + coupling terms), and ġ on the Dirichlet rows.

        coupling_terms: (factor, local array, unit): factor · K u, or with ``unit`` the
        derivative Σ ḣ_f K_f(h=1) u.
        """
        b = self.b
        with b.localForm() as bl:
            bl.set(0.0)
        dolfinx.fem.petsc.assemble_vector(b, self.form)
        cp = self.f.coupling
        with b.localForm() as bl:
            arr = bl.array_w
            if cp is not None:
                for factor, u, unit in coupling_terms:
                    y = np.zeros_like(arr)
                    if unit:
                        assert self.dh is not None
                        cp.apply_unit(u, self.dh, y)
                    else:
                        cp.apply(u, y)
                    arr += factor * y
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        b.scale(-1.0)
        n = b.getLocalSize()
        w = self.W.x.array
        for g in self.f.dirichlet:
            idx, first_ghost = g.bc.dof_indices()
            own = idx[:first_ghost]
            own = own[own < n]
            b.array_w[own] = w[own]

    def _solve(self, A: PETSc.Mat, ksp: PETSc.KSP, out: fem.Function) -> None:
        """Out = A⁻¹ b with the problem's solver, checked."""
        ksp.solve(self.b, self.x)
        reason = cast(int, ksp.getConvergedReason())  # an int (the stubs: a class)
        if reason < 0:
            raise SolverError(f"tangent-linear solve did not converge (reason {reason})")
        check_true_residual(true_residual(A, self.x, self.b), "tangent-linear solve")
        out.x.petsc_vec.array_w[:] = self.x.array_r
        out.x.scatter_forward()

    def destroy(self) -> None:
        """Free the work vectors."""
        self.b.destroy()
        self.x.destroy()


def _newton_operator(newton: Any) -> tuple[PETSc.Mat, PETSc.KSP]:
    """Newton's Jacobian assembled at the solution, and its linear solver."""
    newton.x.array_w[:] = newton.u.x.array[: newton.x.getLocalSize()]
    newton.snes.computeJacobian(newton.x, newton.A)
    return newton.A, newton.snes.getKSP()


class SteadyTangent(_TangentBase):
    """dT/dp of a solved :class:`~fe_interface.problems.steady.SteadyProblem`.

    Args:
        problem: the problem, solved at the parameter values (``run()``).
    """

    def __init__(self, problem: Any) -> None:
        problem.values  # noqa: B018 -- initialises the problem if needed
        f = problem.formulation
        super().__init__(problem, f.residual(f.T, ufl.TestFunction(f.space)))

    def solve(self, directions: Sequence[Sequence[Any]]) -> list[fem.Function]:
        """One sensitivity field dT/dp (K per unit of p) per direction (collective)."""
        from fe_interface.solvers.linear import LinearSolver

        solver = self.problem.solver
        if isinstance(solver, LinearSolver):
            A, ksp = solver.A, solver.ksp
        else:
            A, ksp = _newton_operator(solver)
        out = []
        T = self.f.T.x.array
        for d in directions:
            self._set_direction(d)
            self._rhs([(1.0, T, True), (1.0, self.W.x.array, False)])
            s = fem.Function(self.f.space, name="sensitivity")
            self._solve(A, ksp, s)
            out.append(s)
        return out


class TransientTangent(_TangentBase):
    """dT/dp through the steps of a :class:`~fe_interface.problems.transient.TransientProblem`.

    Installs itself as the problem's ``on_step``: every step solved is followed by one
    tangent solve per direction with that step's matrix.  Fixed directions for the whole
    run (set before :meth:`TransientProblem.run`).

    Args:
        problem: the problem (initialised).
        directions: one per parameter (see the module docstring).

    Attributes:
        S: the sensitivity fields at the current time, one per direction.
    """

    def __init__(self, problem: Any, directions: Sequence[Sequence[Any]]) -> None:
        problem.values  # noqa: B018 -- initialises the problem if needed
        f = problem.formulation
        self.S_old = fem.Function(f.space)
        super().__init__(problem, problem.step_residual, [(problem.T_n, self.S_old)])
        self.directions: list[list[Any]] = []
        self.S: list[fem.Function] = []
        self.set_directions(directions)
        problem.on_step = self._step

    def set_directions(self, directions: Sequence[Sequence[Any]]) -> None:
        """New directions (before a run); the sensitivities start from zero."""
        self.directions = [list(d) for d in directions]
        while len(self.S) < len(self.directions):
            self.S.append(fem.Function(self.f.space, name="sensitivity"))
        del self.S[len(self.directions) :]
        self.reset()

    def reset(self) -> None:
        """Zero sensitivities (the initial temperature does not depend on the parameters)."""
        for s in self.S:
            s.x.array[:] = 0.0

    def _step(self, dt: float, theta: float) -> None:
        if not self.directions:
            return
        p = self.problem
        if p.newton is not None:
            A, ksp = _newton_operator(p.newton)
        else:
            sys_ = p.step_system(theta, dt)
            A, ksp = sys_.A, sys_.ksp
        T, Tn = self.f.T.x.array, p.T_n.x.array
        for d, s in zip(self.directions, self.S, strict=True):
            self.S_old.x.array[:] = s.x.array
            self._set_direction(d)
            self._rhs(
                [
                    (theta, T, True),
                    (1.0 - theta, Tn, True),
                    (theta, self.W.x.array, False),
                    (1.0 - theta, self.S_old.x.array, False),
                ]
            )
            self._solve(A, ksp, s)

    def close(self) -> None:
        """Detach from the problem and free the work vectors."""
        self.problem.on_step = None
        self.destroy()
