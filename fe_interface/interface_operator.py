"""Interface conductance terms assembled facet by facet on the interface mesh.

The term ∫_Γ h [T][v] w dS (h in W/(m² K), [T] = T⁺ − T⁻) of every interface whose h
does not depend on temperature (constant, :class:`~fe_interface.interfaces.Resistance`,
:class:`~fe_interface.interfaces.FacetConductance`; h is one DG0 field on the interface
facet submesh Γ) is, per facet f,

    K_f = [[ M_f, −M_f],      M_f,ij = ∫_f h w φ_i φ_j ds,
           [−M_f,  M_f]]

acting on the (⁺ side, ⁻ side) dofs of f, where φ_i are the Lagrange basis functions of
the facet: the trace of a Lagrange function of degree k on a cell is the Lagrange function
of degree k on the facet, with the same nodes. So M_f is the element mass matrix of a
discontinuous Lagrange space on Γ, assembled by DOLFINx as a plain cell integral on Γ;
each facet node is matched (by coordinates) to the dof of the ⁺ and of the ⁻ colour
space at the same point.

Why not the interior-facet integral ``dS`` of UFL: in DOLFINx 0.11, assembling an
interior-facet integral whose arguments live on submeshes computes the entity
permutations of every argument submesh (all edges and faces of each colour submesh);
on a 1.6 M-cell mesh that is 1.6 s and 75 MB, more than the whole Poisson assembly.
The ``dS`` form of the same term is still built, only to give the sparsity pattern of
the coupling blocks (sparsity needs no permutations), and is still what transient,
nonlinear and post-processing code use; the two agree to round-off (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from petsc4py import PETSc

import dolfinx
import numpy as np
import ufl
from dolfinx import fem

from fe_interface.domains import ColourSpace

__all__ = ["InterfaceOperator"]


def _closure_dofs(cs: ColourSpace, parent_cells: np.ndarray, local_facets: np.ndarray):
    """Local dofs (n_facets, n) of ``cs.space`` on the closure of each (cell, facet)."""
    V = cs.space
    topo = V.mesh.topology
    tdim = topo.dim
    layout = V.dofmap.dof_layout
    nfc = dolfinx.cpp.mesh.cell_num_entities(topo.cell_type, tdim - 1)
    closure = np.array([layout.entity_closure_dofs(tdim - 1, i) for i in range(nfc)])
    sub = cs.entity_map.sub_topology_to_topology(parent_cells.astype(np.int32), True)
    return np.take_along_axis(V.dofmap.list[sub], closure[local_facets], axis=1)


def _match(xg: np.ndarray, xc: np.ndarray, dofs: np.ndarray, scale: float) -> np.ndarray:
    """Reorder ``dofs`` (n_f, n) so that dof j sits at the facet node xg[:, j]."""
    diff = xg[:, :, None, :] - xc[:, None, :, :]
    d2 = np.einsum("fijk,fijk->fij", diff, diff)  # squared distances (n_f, n, n)
    j = np.argmin(d2, axis=2)
    err = float(np.sqrt(np.take_along_axis(d2, j[:, :, None], axis=2).max(initial=0.0)))
    if err > 1e-8 * scale:
        raise RuntimeError(
            f"interface operator: facet nodes and cell dofs do not coincide (distance {err:.3e} m)"
        )
    return np.take_along_axis(dofs, j, axis=1)


class InterfaceOperator:
    """The constant-in-T interface terms of a blocked system, inserted into A and b.

    Args:
        spaces: the colour spaces (block order of the system).
        facet_mesh: Γ, the submesh of the parent facets that carry the terms.
        facet_parent: Γ cell -> parent facet (local indices, ghosts included).
        h: conductance (W/(m² K)), a DG0 function on Γ.
        groups: per colour pair (a, b): owned parent facets as rows (c⁺, lf⁺, c⁻, lf⁻)
            with c⁺ of colour a.
        axisymmetric: weight w = r = x[0] (m) in the integrand.
        parent_facets_of: rows (c, lf, ...) -> parent facet indices.
        length_scale: a length (m) for the coincidence check of facet nodes.
    """

    def __init__(
        self,
        spaces: Sequence[ColourSpace],
        facet_mesh: dolfinx.mesh.Mesh,
        facet_parent: np.ndarray,
        h: fem.Function,
        groups: Sequence[tuple[int, int, np.ndarray]],
        parent_facets_of: Any,
        axisymmetric: bool,
        length_scale: float,
    ) -> None:
        self.spaces = list(spaces)
        degree = spaces[0].space.element.basix_element.degree
        VG = fem.functionspace(facet_mesh, ("Discontinuous Lagrange", degree))
        u, v = ufl.TrialFunction(VG), ufl.TestFunction(VG)
        w = ufl.SpatialCoordinate(facet_mesh)[0] if axisymmetric else 1.0
        M = fem.assemble_matrix(fem.form(h * w * u * v * ufl.dx))
        n = VG.dofmap.dof_layout.num_dofs
        # owned Γ cells -> their element matrices (rows of an owned DG cell are owned)
        gmap = facet_mesh.topology.index_map(facet_mesh.topology.dim)
        nG = gmap.size_local + gmap.num_ghosts
        pos = np.full(int(facet_parent.max(initial=-1)) + 1, -1, dtype=np.int64)
        pos[facet_parent] = np.arange(nG)
        xg_all = VG.tabulate_dof_coordinates()
        indptr, data = M.indptr, M.data
        self.blocks: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = []
        x_dofs: dict[int, np.ndarray] = {}
        for a, b, ent in groups:
            f = parent_facets_of(ent)
            g = pos[f]
            if np.any(g < 0) or np.any(g >= gmap.size_local):
                raise RuntimeError("interface operator: an owned facet is not an owned cell of Γ")
            D = VG.dofmap.list[g]  # (n_f, n) DG dofs, each row of M holds its cell's n dofs
            order = np.argsort(D, axis=1)  # M's columns within a row are sorted
            vals = data[indptr[D][:, :, None] + np.arange(n)]  # (n_f, n, n), sorted cols
            Ke = np.empty_like(vals)
            np.put_along_axis(Ke, order[:, None, :], vals, axis=2)
            xg = xg_all[D]
            sides = []
            for col, cells, lf in ((a, ent[:, 0], ent[:, 1]), (b, ent[:, 2], ent[:, 3])):
                dofs = _closure_dofs(spaces[col], cells, lf)
                if col not in x_dofs:  # each colour's dof coordinates once
                    x_dofs[col] = spaces[col].space.tabulate_dof_coordinates()
                sides.append(_match(xg, x_dofs[col][dofs], dofs, length_scale))
            self.blocks.append((a, b, sides[0], sides[1], Ke))

    # ------------------------------------------------------------------ helpers
    def _local_rows(self, bcs: Sequence[fem.DirichletBC]) -> list[np.ndarray]:
        """Per block: local dof -> blocked local index, −1 on Dirichlet dofs."""
        is_ = dolfinx.cpp.la.petsc.create_index_sets(
            [(cs.space.dofmap.index_map, cs.space.dofmap.index_map_bs) for cs in self.spaces]
        )
        out = []
        for c, cs in enumerate(self.spaces):
            idx = np.asarray(is_[c].indices, dtype=PETSc.IntType).copy()
            for bc in bcs:
                if cs.space._cpp_object.contains(bc.function_space):
                    idx[bc.dof_indices()[0]] = -1
            out.append(idx)
        return out

    def add_to_matrix(self, A: PETSc.Mat, bcs: Sequence[fem.DirichletBC]) -> None:
        """A += Σ_f K_f (ADD_VALUES; rows and columns of Dirichlet dofs skipped)."""
        rows = self._local_rows(bcs)
        for a, b, da, db, Ke in self.blocks:
            if not len(Ke):
                continue
            R = np.concatenate([rows[a][da], rows[b][db]], axis=1)
            K = np.block([[Ke, -Ke], [-Ke, Ke]])
            A.setValuesLocalRCV(R, R, K.reshape(len(K), -1), addv=PETSc.InsertMode.ADD)

    def apply(self, values: Sequence[np.ndarray]) -> list[np.ndarray]:
        """K·u per colour (W): ``values[c]`` are colour c's local dof values (owned and
        ghosts, K or any nodal field); the result holds this process's facet
        contributions, ghosts included (sum them to the owners, e.g. with a reverse
        scatter, as after a DOLFINx vector assembly)."""
        parts = [np.zeros_like(np.asarray(u, dtype=float)) for u in values]
        for ca, cb, da, db, Ke in self.blocks:
            if not len(Ke):
                continue
            d = np.concatenate([da, db], axis=1)
            col = [ca] * da.shape[1] + [cb] * db.shape[1]
            u = np.stack([values[c][d[:, i]] for i, c in enumerate(col)], axis=1)
            r = np.einsum("fij,fj->fi", np.block([[Ke, -Ke], [-Ke, Ke]]), u)
            for i, c in enumerate(col):
                np.add.at(parts[c], d[:, i], r[:, i])
        return parts

    def lift(self, b: PETSc.Vec, bcs: Sequence[fem.DirichletBC]) -> None:
        """b −= K g on the free rows (g: Dirichlet values, 0 elsewhere); before the
        reverse ghost update, like :func:`dolfinx.fem.petsc.apply_lifting`."""
        g, free = [], []
        for cs in self.spaces:
            imap = cs.space.dofmap.index_map
            gc = np.zeros(imap.size_local + imap.num_ghosts)
            fc = np.ones(gc.size, dtype=bool)
            for bc in bcs:
                if cs.space._cpp_object.contains(bc.function_space):
                    bc.set(gc)
                    fc[bc.dof_indices()[0]] = False
            g.append(gc)
            free.append(fc)
        if not any(np.any(~fc) for fc in free):
            return
        parts = self.apply(g)
        off0, off1 = b.getAttr("_blocks")
        with b.localForm() as bl:
            arr = bl.array_w
            for c, (p, fc) in enumerate(zip(parts, free, strict=True)):
                p = np.where(fc, -p, 0.0)
                size = off0[c + 1] - off0[c]
                arr[off0[c] : off0[c + 1]] += p[:size]
                arr[off1[c] : off1[c + 1]] += p[size:]
