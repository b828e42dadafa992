"""The exact contact step: the contact problem with its active set fixed, in one solve.

Once the active set 𝒜 of the semismooth Newton iteration has settled, the contact
problem is linear: find u and pressures P_i (i ∈ 𝒜) with

    g_i(u) = g₀,i + c_i·u = 0   (i ∈ 𝒜),     F(u) + Σ_{i∈𝒜} A_i P_i c_i = 0,

c_i = (−n_i, n_i) on the ⁺ and ⁻ copies of node i, F the residual without contact (N).
The augmented-Lagrangian updates of :mod:`~fe_interface.solvers.contact` reach that
point one or two decades of the multipliers per Newton solve (Uzawa with the penalty
ε); this step reaches it in one.  The constraints of different nodes touch disjoint
dofs, so the orthogonal projector onto their null space is local and explicit,

    Π = I − Σ_i c_i c_iᵀ / |c_i|²      (Dirichlet components left out of c_i),

and u = u_p + w: u_p the orthogonal projection of u onto the constraint set, w ∈ null
by CG on Π J Π w = −Π F(u_p) with the preconditioner Π M (M: the penalty Jacobian's
AMG hierarchy).  J's penalty springs on 𝒜 lie in the span of the c_i, which Π removes:
Π J Π = Π K Π, the stiffness restricted to the motions that keep the gaps closed.
The pressures are the reactions, P_i = c_i·F(u) / (|c_i|² A_i).

The step is a predictor: the contact solver accepts it only if it is a solution of the
contact problem (every P_i ≥ 0 and no node outside 𝒜 penetrating, so that the active
set at the new u and multipliers is 𝒜 again), and its Newton solves after it confirm
the residual; else the state before it is kept and the augmentations go on.

Parallel: a rank holds a node when it has one of its facets; each holder adds its
share (its facets' part of A_i over A_i) of a correction, and a reverse scatter sums
the shares on the dofs' owners.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np

from fe_interface.discretisation.nodal_contact import NodalContact
from fe_interface.solvers.nonlinear import NewtonSolver

__all__ = ["ExactContactStep"]


class _Projector:
    """Π and the affine projection onto {g_i(u) = 0, i ∈ 𝒜} (collective)."""

    def __init__(self, contacts: Sequence[NodalContact], marker: np.ndarray, space: Any) -> None:
        self.parts = parts = [c.active_constraints() for c in contacts]
        self.rows = np.concatenate([p.rows for p in parts])
        self.coef = np.concatenate([p.coef for p in parts])  # every component: the gaps
        # the corrections: free dofs only
        self.free = np.where(marker[self.rows] >= 0, self.coef, 0.0)
        self.norm2 = np.einsum("ij,ij->i", self.free, self.free)
        ok = self.norm2 > 0  # both normal components fixed: nothing to move
        self.inv = np.where(ok, 1.0 / np.where(ok, self.norm2, 1.0), 0.0)
        self.gap0 = np.concatenate([p.gap0_m for p in parts])
        self.weight = np.concatenate([p.weight for p in parts])
        self.area = np.concatenate([p.area_m2 for p in parts])
        self.g = dolfinx.fem.petsc.create_vector(space)  # ghosted work vectors
        self.corr = dolfinx.fem.petsc.create_vector(space)

    def _local(self, x: PETSc.Vec) -> np.ndarray:
        """Owned and ghost values of ``x`` (a copy)."""
        n = x.getLocalSize()
        self.g.array_w[:n] = x.array_r
        self.g.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        with self.g.localForm() as loc:
            return loc.array_r.copy()

    def _correct(self, x: PETSc.Vec, s: np.ndarray) -> None:
        """Subtract Σ_i free_i s_i from x (the holders' shares summed on the owners)."""
        with self.corr.localForm() as loc:
            loc.set(0.0)
            np.add.at(loc.array_w, self.rows, -(self.weight * s)[:, None] * self.free)
        self.corr.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        x.array_w[:] += self.corr.array_r

    def project(self, x: PETSc.Vec) -> None:
        """Replace x by Π x."""
        a = self._local(x)
        self._correct(x, np.einsum("ij,ij->i", self.free, a[self.rows]) * self.inv)

    def close_gaps(self, x: PETSc.Vec) -> None:
        """Move x to the nearest point (free dofs) with g_i = 0 on every active node."""
        a = self._local(x)
        gap = self.gap0 + np.einsum("ij,ij->i", self.coef, a[self.rows])
        self._correct(x, gap * self.inv)

    def reactions(self, b: PETSc.Vec) -> np.ndarray:
        """P_i = c_i·b / (|c_i|² A_i) of the residual without contact ``b`` (Pa)."""
        a = self._local(b)
        return np.einsum("ij,ij->i", self.free, a[self.rows]) * self.inv / self.area

    def destroy(self) -> None:
        self.g.destroy()
        self.corr.destroy()


class _Operator:
    """y = Π J x (a PETSc python matrix)."""

    def __init__(self, J: PETSc.Mat, proj: _Projector) -> None:
        self.J, self.proj = J, proj

    def mult(self, mat: PETSc.Mat, x: PETSc.Vec, y: PETSc.Vec) -> None:
        self.J.mult(x, y)
        self.proj.project(y)


class _Preconditioner:
    """z = Π M r, M the Newton solver's preconditioner (a PETSc python PC)."""

    def __init__(self, pc: PETSc.PC, proj: _Projector) -> None:
        self.pc, self.proj = pc, proj

    def apply(self, pc: PETSc.PC, r: PETSc.Vec, z: PETSc.Vec) -> None:
        self.pc.apply(r, z)
        self.proj.project(z)


class ExactContactStep:
    """The contact problem with the active set of the last state fixed, in one CG solve.

    Args:
        newton: the contact's Newton solver (constant Jacobian; its Jacobian's active set
            the current one, its preconditioner set up).
        contacts: the nodal contacts (``disjoint_constraints``).
        marker: local unrolled dof -> itself, −1 on Dirichlet dofs.
    """

    def __init__(
        self, newton: NewtonSolver, contacts: Sequence[NodalContact], marker: np.ndarray
    ) -> None:
        self.newton, self.contacts, self.marker = newton, list(contacts), marker
        self.space = newton.u.function_space

    @staticmethod
    def applies(contacts: Sequence[NodalContact]) -> bool:
        """Whether every contact's constraints touch disjoint dofs."""
        return bool(contacts) and all(c.disjoint_constraints for c in contacts)

    def solve(
        self, atol: float, max_it: int = 1000
    ) -> tuple[np.ndarray | None, list[tuple[np.ndarray, np.ndarray]], int]:
        """Solve; returns u, per contact (active nodes, pressures), CG iterations.

        u: owned values (m), None if CG failed; pressures in Pa.  CG on the projected
        residual to ``atol`` (N, unpreconditioned 2-norm).
        """
        newton = self.newton
        proj = _Projector(self.contacts, self.marker, self.space)
        J = newton.A
        u = J.createVecRight()
        u.array_w[:] = newton.u.x.array[: u.getLocalSize()]
        b, w = J.createVecLeft(), J.createVecRight()
        op = PETSc.Mat().createPython(J.getSizes(), _Operator(J, proj), comm=J.getComm())
        op.setUp()
        ksp = PETSc.KSP().create(J.getComm())
        try:
            proj.close_gaps(u)
            newton.linear_residual(u, b)
            proj.project(b)
            b.scale(-1.0)
            ksp.setOperators(op)
            ksp.setType("cg")
            ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)  # type: ignore[arg-type]  # stubs: the members are ints
            pc = ksp.getPC()
            pc.setType("python")
            pc.setPythonContext(_Preconditioner(newton.snes.getKSP().getPC(), proj))
            ksp.setTolerances(rtol=1.0e-14, atol=atol, max_it=max_it)
            ksp.solve(b, w)
            its = ksp.getIterationNumber()
            if cast(int, ksp.getConvergedReason()) < 0:
                return None, [], its
            u.axpy(1.0, w)
            newton.linear_residual(u, b)
            P = proj.reactions(b)
            splits = np.cumsum([p.node.size for p in proj.parts])[:-1]
            pressures = list(zip([p.node for p in proj.parts], np.split(P, splits), strict=True))
            return u.array_r.copy(), pressures, its
        finally:
            for obj in (ksp, op, u, b, w):
                obj.destroy()
            proj.destroy()
