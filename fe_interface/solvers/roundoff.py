"""The round-off floor of a residual: the smallest ‖F(T)‖ floating point can resolve.

A row of the residual F(T) = A T − b (W) is a sum of products a_ij T_j whose sizes are
those of the *absolute* temperature (a conductance k ℓ^(d−2) times T), while the row's
value is a heat rate that can be many orders smaller: a 10 µm silicon nanowire at 77 K
carrying 1 nW has products of ~1e-2 W and a rise of 0.7 mK.  Evaluating the row leaves a
round-off error of about ε Σ_j |a_ij| |T_j| (ε = 2.2e-16), so no solver brings ‖F‖₂
below the *round-off floor*

    floor = ε ‖ |A| |T| ‖₂     (W; over the rows without a Dirichlet condition),

and an absolute tolerance in W (a fixed ``snes_atol``) is either far above it (a
nanowire: Newton stops at the initial guess) or below it (Newton stalls in round-off and
fails on one partition but not another).  Measured on the Si/Cu bond of
``demos/demo_cryogenic_bond.py`` at 77 K with a 1.5 µK span: Newton stalls at
‖F‖ ≈ 5e-9 W on 1 and 2 ranks, the floor is 5.5e-8 W, so "converged when ‖F‖ ≤ floor"
is reached there and nowhere above the attainable accuracy.

:class:`RoundoffFloor` computes it from the assembled matrix (its local CSR rows, the
column indices mapped to the local dof array once per sparsity pattern): one pass over
the matrix's entries, collective.
"""

from __future__ import annotations

import math
from typing import Any, cast

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
from scipy.sparse import csr_matrix

__all__ = ["EPS", "FLOOR_MARGIN", "FloorSchedule", "RoundoffFloor"]

#: machine epsilon of the scalar type
EPS = float(np.finfo(float).eps)
#: the round-off floor is evaluated again once ‖F‖ comes within this factor of it
FLOOR_MARGIN = 1.0e3


class RoundoffFloor:
    """ε ‖ |A| |T| ‖₂ over the free rows (W), see the module docstring.

    Args:
        index_map: the dof index map of the space (owned dofs first, then ghosts).
        marker: local dof -> local index, −1 on Dirichlet dofs (their rows are excluded);
            blocked spaces: one entry per component.
        comm: the communicator.
        bs: the block size of the space (3 for a displacement in 3D).
    """

    def __init__(self, index_map: Any, marker: np.ndarray, comm: MPI.Comm, bs: int = 1) -> None:
        self.index_map = index_map
        self.comm = comm
        self.bs = bs
        n = index_map.size_local * bs
        self.free = np.asarray(marker[:n]) >= 0
        self._cols: np.ndarray | None = None
        self._indptr: np.ndarray | None = None
        self._nT = -1

    def __call__(self, A: PETSc.Mat, T: np.ndarray) -> float:
        """The floor (W) of the matrix ``A`` at the local field ``T`` (owned + ghosts, K)."""
        indptr, cols, vals = A.getValuesCSR()
        absT = np.abs(np.asarray(T, dtype=float))
        nT = len(absT)
        if (
            self._cols is None
            or self._indptr is None
            or self._nT != nT
            or not np.array_equal(indptr, self._indptr)
        ):
            cols = np.asarray(cols)
            r0, r1 = self.index_map.local_range
            lo, hi = r0 * self.bs, r1 * self.bs
            local_cols = (cols - lo).astype(np.int32)  # the owned columns: a shift
            off = np.flatnonzero((cols < lo) | (cols >= hi))
            if off.size:  # ghosts (off-process columns) through the index map
                c = cols[off].astype(np.int64)
                block = self.index_map.global_to_local(c // self.bs)
                # a column outside this rank's dofs (none on DOLFINx patterns): the extra
                # entry nT of the field, which holds the largest |T|
                local_cols[off] = np.where(block >= 0, block * self.bs + c % self.bs, nT)
            self._cols = local_cols
            self._indptr = np.asarray(indptr).astype(np.int32)
            self._nT = nT
        Tx = np.append(absT, absT.max(initial=0.0))
        nrows = len(indptr) - 1
        # |A| |T| row by row: a compiled sparse product on the absolute values
        vals = np.abs(vals, out=vals)  # in place: getValuesCSR's copy is ours
        absA = csr_matrix((vals, self._cols, self._indptr), shape=(nrows, nT + 1))
        rows = absA @ Tx
        local = float(np.sum(rows[: len(self.free)][self.free[:nrows]] ** 2))
        return EPS * float(np.sqrt(self.comm.allreduce(local, op=MPI.SUM)))


class FloorSchedule:
    """The round-off floor of a Newton solve's residual, evaluated when it can matter.

    Due at the first step (unless a bound puts it far below ‖F‖), then once ‖F‖ is within
    :data:`FLOOR_MARGIN` of the last value, or when a step hardly reduced ‖F‖ (a stall in
    round-off): far above the floor its exact value decides nothing (it changes with the
    Jacobian by far less than that margin), and each evaluation is a pass over the matrix.
    Before the first evaluation of a solve, the bound floor ≤ ε √N ‖A‖_∞ ‖T‖_∞ (one pass
    of PETSc's over the matrix, ~20× cheaper than the floor's) decides: while ‖F‖ is above
    :data:`FLOOR_MARGIN` times it, the floor decides nothing yet (on the k(T) benchmark one
    of two evaluations, 0.24 s CPU, is saved).  A stall asks for the floor only below that
    bound, where round-off can cause it (the semismooth contact iteration's residual rises
    and falls far above it).

    Attributes:
        floor: the last value (W; N for mechanics), 0 before any; the last solve's at the
            start of a solve.
        f0: ‖F₀‖ of the current solve.
    """

    def __init__(self, roundoff: RoundoffFloor) -> None:
        self.roundoff = roundoff
        self.floor = 0.0
        self.f0 = 0.0
        self._it = -1  # the iteration the floor was evaluated at (this solve)
        self._fprev = math.inf  # ‖F‖ of the previous iteration

    def start(self) -> None:
        """A new solve."""
        self._it, self._fprev = -1, math.inf

    def update(self, it: int, fnorm: float, A: PETSc.Mat, u: Any) -> None:
        """Record ‖F₀‖ (step 0) or evaluate the floor at this iterate if due.

        ``A``: the Jacobian; ``u``: the iterate (a DOLFINx Function).
        """
        if it == 0:
            self.f0 = fnorm
        elif self._due(fnorm, A, u):
            self.floor = self.roundoff(A, u.x.array)
            self._it = it
        self._fprev = fnorm

    def at_solution(self, its: int, A: PETSc.Mat, u: np.ndarray) -> None:
        """The floor at the solution of a solve of ``its`` steps (if not evaluated there)."""
        if its > 0 and self._it != its:
            self.floor = self.roundoff(A, u)

    def _due(self, fnorm: float, A: PETSc.Mat, u: Any) -> bool:
        """True if the floor is to be evaluated at this iterate (see the class docstring)."""
        if fnorm <= FLOOR_MARGIN * self.floor:
            return True
        stall = fnorm > 0.5 * self._fprev
        if self._it >= 1 and not stall:
            return False
        vec = u.x.petsc_vec
        t = cast(float, vec.norm(PETSc.NormType.NORM_INFINITY))
        a = cast(float, A.norm(PETSc.NormType.NORM_INFINITY))
        bound = EPS * math.sqrt(vec.getSize()) * a * t
        if fnorm <= FLOOR_MARGIN * bound:
            return True
        if self._it < 1:  # (the last solve's, or the bound: both below)
            self.floor = min(self.floor, bound)
        return False
