"""Quadrature on facets, evaluated with NumPy from the cells' reference elements.

Why not a UFL ``dS`` integral: in DOLFINx 0.11 the first interior-facet assembly on a
mesh computes the permutations of all its edges and faces (about 1.7 s at 64³ cells,
more than a whole Poisson assembly).  The interface terms and tables only need, on each
interface facet, the basis functions of the ⁺ cell at a facet quadrature rule, the
surface Jacobian and the normal: this module computes them facet by facet from the
cell's coordinate element and the Lagrange element (Basix), for any cell type, degree
and curved (higher-order) geometry.

The trace of a Lagrange function on a facet depends only on the dofs of that facet
(its *closure* dofs), so the ⁻ side's values at the ⁺ side's points follow from the
⁻ copies of the same dofs: no quadrature points are matched between the two cells.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import basix
import numpy as np
from dolfinx.mesh import Mesh

__all__ = ["FacetGroup", "FacetQuadrature", "closure_dofs"]

_BASIX_CELL = {
    "interval": basix.CellType.interval,
    "triangle": basix.CellType.triangle,
    "quadrilateral": basix.CellType.quadrilateral,
    "tetrahedron": basix.CellType.tetrahedron,
    "hexahedron": basix.CellType.hexahedron,
}


class FacetGroup(NamedTuple):
    """The facets of one local facet index (same reference points).

    Attributes:
        rows: positions of these facets in the list given to :class:`FacetQuadrature`.
        local_facet: the local facet index in the cell.
        closure: positions (in the cell's dof list) of the dofs on the facet.
        X: the points on the reference cell, (points, tdim).
        phi: cell basis functions at the points, (points, dofs per cell).
        dphi: reference derivatives of the basis, (tdim, points, dofs per cell).
        x: physical points (m), (facets, points, gdim).
        dA: quadrature weight × surface Jacobian (m² in 3D, m in 2D), (facets, points).
        weight: ``dA`` times r = x[0] for axisymmetric models (the 2π is left out, as in
            the weak form), else ``dA``.
        normal: unit outward normal of the cell, (facets, points, gdim).
        K: inverse Jacobian of the cell map, (facets, points, tdim, gdim).
    """

    rows: np.ndarray
    local_facet: int
    closure: np.ndarray
    X: np.ndarray
    phi: np.ndarray
    dphi: np.ndarray
    x: np.ndarray
    dA: np.ndarray
    weight: np.ndarray
    normal: np.ndarray
    K: np.ndarray


def closure_dofs(layout: Any, tdim: int, local_facet: int) -> np.ndarray:
    """Positions in a cell's dof list of the dofs on its local facet ``local_facet``."""
    return np.asarray(layout.entity_closure_dofs(tdim - 1, int(local_facet)), dtype=np.int32)


class FacetQuadrature:
    """A quadrature rule of ``degree`` on the given (cell, local facet) pairs.

    Args:
        mesh: the mesh (affine or curved cells; gdim = tdim).
        element: the Lagrange element (``space.ufl_element()``, a Basix UFL element).
        layout: the space's dof layout (``space.dofmap.dof_layout``).
        cells: local cell of each facet.
        local_facets: local facet index of each facet in its cell.
        degree: polynomial degree integrated exactly on affine facets.
        axisymmetric: weight the rule with r = x[0].
    """

    def __init__(
        self,
        mesh: Mesh,
        element: Any,
        layout: Any,
        cells: np.ndarray,
        local_facets: np.ndarray,
        degree: int,
        axisymmetric: bool = False,
    ) -> None:
        tdim = mesh.topology.dim
        gdim = mesh.geometry.dim
        ct = _BASIX_CELL[mesh.topology.cell_type.name]
        cmap = mesh.geometry.cmaps[0]
        coord = basix.create_element(
            basix.ElementFamily.P, ct, cmap.degree, basix.LagrangeVariant(cmap.variant)
        )
        ref_x = basix.geometry(ct)
        facet_vertices = basix.topology(ct)[tdim - 1]
        ref_normals = np.asarray(basix.cell.facet_outward_normals(ct))
        x_all = mesh.geometry.x[:, :gdim]
        gdofs = mesh.geometry.dofmaps[0]
        cells = np.asarray(cells, dtype=np.int32)
        local_facets = np.asarray(local_facets, dtype=np.int32)
        self.num_facets = cells.size
        self.groups: list[FacetGroup] = []
        for lf in np.unique(local_facets):
            rows = np.flatnonzero(local_facets == lf)
            ftype = basix.cell.sub_entity_type(ct, tdim - 1, int(lf))
            pts, wts = basix.make_quadrature(ftype, degree)
            v = ref_x[facet_vertices[lf]]
            Jref = (v[1:tdim] - v[0]).T  # (tdim, tdim - 1): reference facet -> cell
            X = v[0] + pts @ Jref.T if tdim > 1 else np.tile(v[0], (1, 1))
            if tdim == 1:
                wts = np.ones(1)
            gtab = coord.tabulate(1, X)[:, :, :, 0]
            xg = x_all[gdofs[cells[rows]]]  # (nf, nodes, gdim)
            x = np.einsum("fkg,qk->fqg", xg, gtab[0])
            J = np.einsum("fkg,dqk->fqgd", xg, gtab[1:])  # (nf, nq, gdim, tdim)
            K = np.linalg.inv(J)  # (nf, nq, tdim, gdim)
            if tdim > 1:
                Jf = J @ Jref
                dA = np.sqrt(np.linalg.det(np.einsum("fqgi,fqgj->fqij", Jf, Jf))) * wts
            else:
                dA = np.ones(x.shape[:2])
            n = np.einsum("fqdg,d->fqg", K, ref_normals[lf])  # J^{-T} n_ref
            n /= np.linalg.norm(n, axis=2, keepdims=True)
            weight = dA * x[:, :, 0] if axisymmetric else dA
            tab = np.asarray(element.tabulate(1, X))  # (1 + tdim, nq, ndofs)
            self.groups.append(
                FacetGroup(
                    rows, int(lf), closure_dofs(layout, tdim, lf), X, tab[0], tab[1:],
                    x, dA, weight, n, K,
                )
            )  # fmt: skip

    def values(self, group: FacetGroup, u: np.ndarray, dofs: np.ndarray) -> np.ndarray:
        """A field at the points.

        ``u`` local dof values, ``dofs`` the cells' dofs (facets of the group, dofs per cell) ->
        (facets, points).
        """
        return np.einsum("qi,fi->fq", group.phi, u[dofs])

    def gradients(self, group: FacetGroup, u: np.ndarray, dofs: np.ndarray) -> np.ndarray:
        """The gradient of a field at the points -> (facets, points, gdim), 1/m times u."""
        ref = np.einsum("dqi,fi->fqd", group.dphi, u[dofs])
        return np.einsum("fqdg,fqd->fqg", group.K, ref)
