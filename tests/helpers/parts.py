"""Separately meshed blocks for non-matching pair tests, and their exact linear solution.

Block A = [0, 1] x [0, 1]^(d-1), block B = [1, 2] x [0, 1]^(d-1), each meshed on its own
(``create_rectangle``/``create_box`` on COMM_SELF) and joined with
:func:`fe_interface.mesh.parts.join_parts`; B's transverse coordinates may be warped
(y -> y + w y (1 - y)), which keeps every facet flat and the faces x = 1 planar but makes
the two meshes non-nested.  Facet groups: ``a_right`` / ``b_left`` (the pair, x = 1),
``a_outer`` / ``b_outer`` (the rest).
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

import fe_interface as fi
from fe_interface.mesh.parts import join_parts

CELLS = {
    "triangle": dmesh.CellType.triangle,
    "quadrilateral": dmesh.CellType.quadrilateral,
    "tetrahedron": dmesh.CellType.tetrahedron,
    "hexahedron": dmesh.CellType.hexahedron,
}


def block(
    x0: float, n: list[int], cell: str, name: str, side: str, warp: float = 0.0,
    side_x: float = 1.0, left: str | None = None,
):  # fmt: skip
    """One unit block from x0, serial, with its face x = side_x tagged ``side``.

    ``left``: also tag the face x = x0 (if it is not the side) as a group of that name.
    """
    ct = CELLS[cell]
    dim = 2 if cell in ("triangle", "quadrilateral") else 3
    if dim == 2:
        m = dmesh.create_rectangle(MPI.COMM_SELF, [[x0, 0], [x0 + 1, 1]], n[:2], ct)
    else:
        m = dmesh.create_box(MPI.COMM_SELF, [[x0, 0, 0], [x0 + 1, 1, 1]], n, ct)
    for c in range(1, dim):
        y = m.geometry.x[:, c].copy()
        m.geometry.x[:, c] = y + warp * y * (1 - y)
    m.topology.create_entities(dim - 1)
    nc = m.topology.index_map(dim).size_local
    cells = dmesh.meshtags(m, dim, np.arange(nc, dtype=np.int32), np.ones(nc, np.int32))
    f_side = dmesh.locate_entities_boundary(m, dim - 1, lambda x: np.isclose(x[0], side_x))
    f_all = dmesh.locate_entities_boundary(m, dim - 1, lambda x: np.full(x.shape[1], True))
    f_left = np.zeros(0, np.int32)
    if left is not None:
        f_left = dmesh.locate_entities_boundary(m, dim - 1, lambda x: np.isclose(x[0], x0))
    f_out = np.setdiff1d(np.setdiff1d(f_all, f_side), f_left)
    idx = np.concatenate([f_side, f_out, f_left]).astype(np.int32)
    val = np.concatenate(
        [np.ones(len(f_side)), np.full(len(f_out), 2), np.full(len(f_left), 3)]
    ).astype(np.int32)
    order = np.argsort(idx)
    facets = dmesh.meshtags(m, dim - 1, idx[order], val[order])
    names = {side: 1, f"{name}_outer": 2} | ({left: 3} if left is not None else {})
    return fi.TaggedMesh(m, cells, facets, {name: 1}, names)


def two_blocks(
    cell: str, n_a: list[int], n_b: list[int], warp: float = 0.0, comm=MPI.COMM_WORLD,
    b_from: float = 1.0,
):  # fmt: skip
    """Blocks A and B meshed separately, joined (collective).

    B starts at x = ``b_from`` (1: touching A; more: a gap; less: the blocks overlap); its
    face x = b_from is ``b_left``; A's face x = 0 is also the group ``a_left``.
    """
    parts = None
    if comm.rank == 0:
        parts = [
            block(0.0, n_a, cell, "a", "a_right", left="a_left"),
            block(b_from, n_b, cell, "b", "b_left", warp, side_x=b_from),
        ]
    return join_parts(parts, comm)


class Linear:
    """The exact solution with linear T in each block across the pair at x = 1.

    T_A = a0 + s x + t·y (y: the transverse coordinates), flux q = −k_A s from A to B,
    T_B = T_A(1, y) − q/h + (k_A s / k_B)(x − 1); h = inf: no jump.
    """

    def __init__(self, kA: float, kB: float, h: float, s: float = -1.3, t=(0.7, 0.4)):
        self.kA, self.kB, self.h, self.s, self.t = kA, kB, h, s, np.asarray(t)
        self.q = -kA * s

    def _trans(self, x: np.ndarray) -> np.ndarray:
        """t·(y, z): z = 0 in 2D."""
        return self.t[0] * x[1] + self.t[1] * x[2]

    def A(self, x: np.ndarray) -> np.ndarray:
        """T_A (K) at points (3, n)."""
        return 300.0 + self.s * x[0] + self._trans(x)

    def B(self, x: np.ndarray) -> np.ndarray:
        """T_B (K) at points (3, n)."""
        jump = 0.0 if np.isinf(self.h) else self.q / self.h
        return 300.0 + self.s + self._trans(x) - jump + self.kA * self.s / self.kB * (x[0] - 1.0)


def nodal_error(problem, exact: Linear) -> float:
    """max |T − T_exact| over the dofs of both blocks (K; collective)."""
    f = problem.formulation
    V = f.space
    X = V.tabulate_dof_coordinates().T
    u = problem.T.x.array
    dl = V.dofmap.list
    in_b = np.zeros(len(u), dtype=bool)
    in_b[np.unique(dl[f.model.region_cells(f.model.region_tag("b", "b"))])] = True
    used = np.unique(dl)
    ex = np.where(in_b, exact.B(X), exact.A(X))
    err = float(np.abs(u[used] - ex[used]).max(initial=0.0))
    return problem.comm.allreduce(err, op=MPI.MAX)
