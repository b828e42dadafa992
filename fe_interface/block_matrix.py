"""A blocked MPI AIJ matrix built block by block, with DOLFINx's blocked numbering.

``dolfinx.fem.petsc.create_matrix(a, kind="mpi")`` for an array of forms builds the
unfinalised sparsity pattern of every block, copies them into one merged pattern and
only then compresses it: on a 1.6 M-cell mesh with two colour blocks that holds
~280 MB at its peak, twice what the same mesh costs as one Poisson matrix. Here each
block is created (and compressed) on its own, its CSR structure is read back and
translated to the blocked numbering, and the blocked matrix is preallocated from the
merged CSR in one call. The result has the same sizes, the same global numbering and
the same local-to-global map as DOLFINx's (checked in ``tests/test_block_matrix.py``),
so the DOLFINx blocked assemblers, vectors and index sets work with it unchanged.

Blocked global numbering (that of ``create_vector(spaces, kind="mpi")``): rank r owns
one contiguous range; inside it the owned dofs of block 0, then of block 1, ...
"""

from __future__ import annotations

from collections.abc import Sequence

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem

__all__ = ["create_block_matrix"]


class _Numbering:
    """Block-local / block-global dof indices -> blocked global indices."""

    def __init__(self, comm: MPI.Comm, maps: Sequence[dolfinx.common.IndexMap]) -> None:
        owned = [m.size_local for m in maps]
        first = comm.exscan(int(sum(owned))) if comm.size > 1 else 0
        first = 0 if first is None else first
        self.offsets = first + np.cumsum([0, *owned[:-1]])  # block starts on this rank
        self.size_local = int(sum(owned))
        self.size_global = comm.allreduce(self.size_local)
        info = comm.allgather(([m.local_range[0] for m in maps], self.offsets.tolist()))
        self.starts = np.array([s for s, _ in info], dtype=np.int64)  # (ranks, blocks)
        self.block_offsets = np.array([o for _, o in info], dtype=np.int64)

    def to_blocked(self, block: int, g: np.ndarray) -> np.ndarray:
        """Global indices ``g`` of block ``block`` -> blocked global indices."""
        starts = self.starts[:, block]
        q = np.searchsorted(starts, g, side="right") - 1  # owner (last rank with start ≤ g)
        return self.block_offsets[q, block] + (g - starts[q])


def _sort_rows(indptr: np.ndarray, cols: np.ndarray) -> None:
    """Sort the columns of every row of a CSR structure in place (only the rows that
    are not sorted already: process-boundary rows and rows fed by several blocks)."""
    if cols.size < 2:
        return
    drop = np.flatnonzero(np.diff(cols) < 0) + 1  # positions where the order breaks
    row_of = np.searchsorted(indptr, drop, side="right") - 1
    rows = np.unique(row_of[drop != indptr[row_of]])  # breaks inside a row, not at its start
    if rows.size == 0:
        return
    lens = indptr[rows + 1] - indptr[rows]
    start = np.repeat(indptr[rows] - np.cumsum(np.r_[0, lens[:-1]]), lens)
    pos = start + np.arange(lens.sum())
    seg = cols[pos]
    rid = np.repeat(np.arange(rows.size), lens)
    cols[pos] = seg[np.lexsort((seg, rid))]


def create_block_matrix(a: Sequence[Sequence[fem.Form | None]]) -> PETSc.Mat:
    """MPI AIJ matrix with the sparsity of the square array of bilinear forms ``a``
    (same layout and numbering as ``dolfinx.fem.petsc.create_matrix(a, kind="mpi")``)."""
    V0, V1 = fem.extract_function_spaces(a, 0), fem.extract_function_spaces(a, 1)
    if any(V.dofmap.index_map_bs != 1 for V in V0 + V1) or len(V0) != len(V1):
        return dolfinx.fem.petsc.create_matrix(a, kind="mpi")
    comm = V0[0].mesh.comm
    maps = [V.dofmap.index_map for V in V0]
    num = _Numbering(comm, maps)

    # per block row: CSR of every block in blocked global column numbering (PETSc
    # integers; one block's uncompressed pattern alive at a time)
    IT = PETSc.IntType
    counts_all, cols_all = [], []
    for i, row in enumerate(a):
        n_i = maps[i].size_local
        parts = []
        for j, form in enumerate(row):
            if form is None:
                continue
            sp = fem.create_sparsity_pattern(form)
            if i == j:  # as DOLFINx does: every diagonal entry (e.g. for Dirichlet rows)
                sp.insert_diagonal(np.arange(n_i, dtype=np.int32))
            sp.finalize()  # compressed; the columns may include extra ghosts
            c_local, ip = sp.graph
            nnz = int(ip[n_i])
            g = sp.index_map(1).local_to_global(np.asarray(c_local[:nnz], dtype=np.int32))
            del sp, c_local
            parts.append((np.diff(ip[: n_i + 1]).astype(IT), num.to_blocked(j, g).astype(IT)))
            del g
        if len(parts) == 1:
            counts, cols = parts[0]
        else:  # rows fed by several blocks: place each block's entries after the last
            counts = np.sum([c for c, _ in parts], axis=0, dtype=IT)
            start = np.zeros(n_i, dtype=np.int64)
            np.cumsum(counts[:-1], out=start[1:])
            cols = np.empty(int(counts.sum()), dtype=IT)
            for cnt, c in parts:
                first = np.zeros(n_i, dtype=np.int64)  # first entry of each row in c
                np.cumsum(cnt[:-1], out=first[1:])
                cols[np.repeat(start - first, cnt) + np.arange(c.size)] = c
                start += cnt
        parts.clear()
        # sort the rows fed by several blocks and the process-boundary rows (ghost
        # columns); the translation keeps the rest sorted
        indptr = np.zeros(n_i + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        _sort_rows(indptr, cols)
        counts_all.append(counts)
        cols_all.append(cols)

    # stack the block rows (owned rows of block 0, then block 1, ... on this rank)
    counts = np.concatenate(counts_all)
    indptr = np.zeros(counts.size + 1, dtype=IT)
    np.cumsum(counts, out=indptr[1:])
    cols = np.concatenate(cols_all)
    del counts_all, cols_all, counts
    A = PETSc.Mat().create(comm)
    A.setSizes(((num.size_local, num.size_global), (num.size_local, num.size_global)))
    A.setType(PETSc.Mat.Type.AIJ)
    A.setPreallocationCSR((indptr, cols))
    del indptr, cols

    # local-to-global map of the blocked local numbering (owned of all blocks, then
    # ghosts of all blocks: dolfinx.cpp.la.petsc.create_index_sets)
    is_ = dolfinx.cpp.la.petsc.create_index_sets([(m, 1) for m in maps])
    nlocal = sum(m.size_local + m.num_ghosts for m in maps)
    l2g = np.empty(nlocal, dtype=np.int64)
    for i, m in enumerate(maps):
        g = m.local_to_global(np.arange(m.size_local + m.num_ghosts, dtype=np.int32))
        l2g[np.asarray(is_[i].indices)] = num.to_blocked(i, np.asarray(g, np.int64))
    lgmap = PETSc.LGMap().create(l2g.astype(PETSc.IntType), comm=comm)
    A.setLGMap(lgmap, lgmap)
    A.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, True)
    return A
