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

from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import numpy as np
from scipy.sparse import csr_matrix

__all__ = ["EPS", "RoundoffFloor"]

#: machine epsilon of the scalar type
EPS = float(np.finfo(float).eps)


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
