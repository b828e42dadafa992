"""The broken Lagrange space: interface elements by dof duplication.

Start from the continuous Lagrange space V on the whole mesh.  Every cell has a colour
(:mod:`fe_interface.discretisation.regions`: blocks of regions in perfect contact, two
blocks that share a vertex never share a colour).  The broken space gives every dof of V
one *copy* per colour whose cells touch it, and every cell uses the copies of its own
colour.  Inside a block nothing changes; across a resistive interface the two sides have
their own copies, so the temperature may jump, and the interface term is an ordinary
form on one space, ∫ h (T⁺ − T⁻)(v⁺ − v⁻) dS.

Parallel construction (collective):

1. each process marks the colours its cells use at each of its dofs;
2. the owner of a dof learns which ranks use which colour there; the owner of each copy
   is the dof's owner if that rank uses the copy, else the lowest rank that does (so
   every copy is owned by a rank with a cell that touches it, which DOLFINx's
   interpolation needs);
3. owned copies are numbered contiguously, and ghosts get the owner's numbers by a
   reverse then forward scatter on V's index map.

The result is a ``dolfinx.fem.FunctionSpace`` with its own ``DofMap`` and ``IndexMap``
(``dolfinx.cpp.fem.FunctionSpace_float64``): forms, assembly, interpolation, Dirichlet
conditions and output are standard DOLFINx.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import dolfinx.cpp as _cpp
import numpy as np
from dolfinx import fem, la
from dolfinx.mesh import Mesh

__all__ = ["BrokenSpace", "broken_lagrange_space"]

_BIG = np.iinfo(np.int64).max


class BrokenSpace:
    """A Lagrange space with one copy of each dof per colour present at it.

    Attributes:
        space: the DOLFINx function space (one dof per copy).
        cell_colour: colour of every local cell (ghosts included).
        num_colours: number of colours.
        original: original (continuous) local dof of every local copy.
        colour: colour of every local copy.
        num_original_global: number of dofs of the continuous space.
    """

    def __init__(
        self,
        space: fem.FunctionSpace,
        cell_colour: np.ndarray,
        num_colours: int,
        original: np.ndarray,
        colour: np.ndarray,
        num_original_global: int,
    ) -> None:
        self.space = space
        self.cell_colour = cell_colour
        self.num_colours = num_colours
        self.original = original
        self.colour = colour
        self.num_original_global = num_original_global

    @property
    def mesh(self) -> Mesh:
        """The mesh the space lives on."""
        return self.space.mesh

    @property
    def index_map(self) -> Any:
        """The copies' index map."""
        return self.space.dofmap.index_map

    @property
    def num_owned(self) -> int:
        """Copies owned by this process."""
        return int(self.space.dofmap.index_map.size_local)

    @property
    def num_global(self) -> int:
        """Copies in total (the size of the global system)."""
        return int(self.space.dofmap.index_map.size_global)

    def cell_dofs(self, cells: np.ndarray) -> np.ndarray:
        """Local copy indices of the given cells, shape (n, dofs per cell)."""
        return self.space.dofmap.list[cells]

    def with_ghosts(self, glob: np.ndarray, owners: np.ndarray) -> BrokenSpace:
        """The same space with more ghost copies: the off-process columns of coupling terms.

        A term that couples this process's rows with copies owned elsewhere and absent
        here (a non-matching interface pair: the other body's cell lies on another
        process) needs them as ghosts: then vectors carry their values, the sparsity
        pattern their columns, and contributions to their rows reach the owners through
        the usual reverse scatter.  Copies already local are ignored; the local numbers
        of the existing copies do not change (new ghosts come last, with ``original``
        and ``colour`` −1).  Collective.

        Args:
            glob: global copy numbers wanted here.
            owners: their owning ranks.
        """
        imap = self.index_map
        lo, hi = imap.local_range
        glob = np.asarray(glob, dtype=np.int64).ravel()
        owners = np.asarray(owners, dtype=np.int32).ravel()
        ghosts = np.asarray(imap.ghosts, dtype=np.int64)
        new = (glob < lo) | (glob >= hi)
        new &= ~np.isin(glob, ghosts)
        extra, first = np.unique(glob[new], return_index=True)
        mesh = self.mesh
        V = self.space
        new_map = _cpp.common.IndexMap(
            mesh.comm,
            imap.size_local,
            np.concatenate([ghosts, extra]),
            np.concatenate([np.asarray(imap.owners, np.int32), owners[new][first]]),
            1,
        )
        bs = V.dofmap.bs
        dofmap = _cpp.fem.DofMap(
            V.dofmap.dof_layout, new_map, bs, _cpp.graph.AdjacencyList_int32(V.dofmap.list), bs
        )
        cpp_space = _cpp.fem.FunctionSpace_float64(mesh._cpp_object, V.element._cpp_object, dofmap)
        W = fem.FunctionSpace(mesh, V.ufl_element(), cpp_space)
        pad = np.full(extra.size, -1, dtype=np.int32)
        return BrokenSpace(
            W,
            self.cell_colour,
            self.num_colours,
            np.concatenate([self.original, pad]),
            np.concatenate([self.colour, pad]),
            self.num_original_global,
        )

    def local_index(self, glob: np.ndarray) -> np.ndarray:
        """Local copy numbers of global ones (owned or ghost here; −1 if absent)."""
        imap = self.index_map
        lo, hi = imap.local_range
        glob = np.asarray(glob, dtype=np.int64)
        out = np.full(glob.shape, -1, dtype=np.int64)
        own = (glob >= lo) & (glob < hi)
        out[own] = glob[own] - lo
        ghosts = np.asarray(imap.ghosts, dtype=np.int64)
        order = np.argsort(ghosts)
        pos = np.searchsorted(ghosts[order], glob[~own])
        pos = np.minimum(pos, max(len(ghosts) - 1, 0))
        hit = ghosts[order][pos] == glob[~own] if len(ghosts) else np.zeros(pos.shape, bool)
        loc = np.where(hit, order[pos] + imap.size_local, -1) if len(ghosts) else -np.ones_like(pos)
        out[~own] = loc
        return out


def _to_owners(comm: MPI.Comm, imap: Any, data: np.ndarray) -> tuple[np.ndarray, ...]:
    """Send one row of ``data`` per ghost of ``imap`` to the ghost's owner.

    Returns (owned local index, row, source rank) of every row this rank received.
    """
    owners = np.asarray(imap.owners)
    ghosts = np.asarray(imap.ghosts)
    send: list[Any] = [None] * comm.size
    for r in np.unique(owners):
        sel = owners == r
        send[int(r)] = (ghosts[sel], data[sel])
    recv = comm.alltoall(send)
    lo = imap.local_range[0]
    idx, rows, src = [], [], []
    for r, item in enumerate(recv):
        if item is not None:
            g, d = item
            idx.append(np.asarray(g, np.int64) - lo)
            rows.append(d)
            src.append(np.full(len(g), r, np.int64))
    if not idx:
        empty = np.empty((0, *data.shape[1:]), data.dtype)
        return np.empty(0, np.int64), empty, np.empty(0, np.int64)
    return np.concatenate(idx), np.concatenate(rows), np.concatenate(src)


def broken_lagrange_space(
    mesh: Mesh,
    cell_colour: np.ndarray,
    num_colours: int,
    degree: int,
    shape: tuple[int, ...] | None = None,
) -> BrokenSpace:
    """The broken Lagrange space of ``degree`` for the given cell colours (collective).

    Args:
        mesh: the mesh (with ghost cells: shared-facet ghosting).
        cell_colour: colour of every local cell, ghosts included, in [0, num_colours).
        num_colours: number of colours (1 gives the continuous space).
        degree: Lagrange degree.
        shape: value shape of a blocked (vector) space, e.g. ``(gdim,)`` for a
            displacement; None (default) for a scalar space.  The copies are made per
            *node* (block): ``original``, ``colour`` and the index map count nodes, and
            every copy carries all ``prod(shape)`` components.
    """
    comm = mesh.comm
    family = ("Lagrange", degree) if shape is None else ("Lagrange", degree, shape)
    V = fem.functionspace(mesh, family)
    bs = V.dofmap.bs
    imap = V.dofmap.index_map
    nown = imap.size_local
    n = nown + imap.num_ghosts
    nglob = int(imap.size_global)
    if num_colours <= 1:
        return BrokenSpace(
            V, cell_colour, 1, np.arange(n, dtype=np.int32), np.zeros(n, np.int32), nglob
        )
    dofs = V.dofmap.list
    ncol = num_colours
    # (dof, colour of the cell) as one flat index into (n, ncol) tables
    slot = (dofs * ncol + cell_colour[:, None].astype(dofs.dtype)).ravel()
    used = np.zeros((n, ncol), dtype=bool)
    used.ravel()[slot] = True
    # owner of each copy: the dof's owner if it uses it, else the lowest rank that does
    owner = np.where(used[:nown], comm.rank, _BIG).astype(np.int64)
    d, u, src = (
        _to_owners(comm, imap, used[nown:]) if comm.size > 1 else (np.empty(0, np.int64),) * 3
    )
    if d.size:
        row, col = np.nonzero(u)
        np.minimum.at(owner, (d[row], col), src[row])
    ov = la.vector(imap, bs=ncol, dtype=np.float64)
    ov.array.reshape(n, ncol)[:nown] = np.where(owner == _BIG, -1, owner)
    ov.scatter_forward()
    owner_all = ov.array.reshape(n, ncol).astype(np.int64)
    mine = owner_all == comm.rank
    n_owned = int(mine.sum())
    offset = comm.exscan(n_owned) or 0
    gv = la.vector(imap, bs=ncol, dtype=np.float64)  # global copy index + 1, 0 elsewhere
    gv.array.reshape(n, ncol)[mine] = offset + np.arange(n_owned) + 1
    gv.scatter_reverse(la.InsertMode.add)
    gv.scatter_forward()
    glob = gv.array.reshape(n, ncol).astype(np.int64) - 1
    ghost = used & ~mine
    copy = np.full((n, ncol), -1, dtype=np.int32)
    copy[mine] = np.arange(n_owned, dtype=np.int32)
    n_ghost = int(ghost.sum())
    copy[ghost] = n_owned + np.arange(n_ghost, dtype=np.int32)
    new_map = _cpp.common.IndexMap(comm, n_owned, glob[ghost], owner_all[ghost].astype(np.int32), 1)
    cell_dofs = copy.ravel()[slot].reshape(dofs.shape)
    dofmap = _cpp.fem.DofMap(
        V.dofmap.dof_layout, new_map, bs, _cpp.graph.AdjacencyList_int32(cell_dofs), bs
    )
    cpp_space = _cpp.fem.FunctionSpace_float64(mesh._cpp_object, V.element._cpp_object, dofmap)
    W = fem.FunctionSpace(mesh, V.ufl_element(), cpp_space)
    # copy -> original dof and colour (owned copies first, then ghosts, as numbered)
    nloc = n_owned + n_ghost
    original = np.empty(nloc, dtype=np.int32)
    colour = np.empty(nloc, dtype=np.int32)
    for sel in (mine, ghost):
        r, c = np.nonzero(sel)
        original[copy[r, c]] = r
        colour[copy[r, c]] = c
    return BrokenSpace(W, cell_colour, ncol, original, colour, nglob)
